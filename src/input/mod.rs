//! Readers: JSON Lines, web archives (WARC/WET), directories of article files, plain or
//! compressed, and standard input.
//!
//! Owns: opening inputs (compression detected by magic bytes, not by name; a stream starting
//! with `WARC/` is a web archive whatever its name), walking directories, cutting inputs into
//! units (lines, WARC records, whole files) with their [`Location`]s, spooling standard input so
//! it can be read twice, re-reading chosen units later by location, and [`parse`], which turns
//! one unit into a [`Record`] by its [`Format`]. Must not: keep whole inputs in memory, or
//! decide ids (the pipeline does, from the file and unit).
//!
//! Formats: a file's format comes from its first bytes (`WARC/`) or its name, after any `.gz` or
//! `.zst`: `.txt` is one plain-text document, `.html`/`.htm` one page, `.json` one JSON object
//! or JSON Lines (the first line tells), `.warc`/`.wet` a web archive, anything else named on
//! the command line JSON Lines. A directory is walked recursively in sorted order; files in it
//! with other extensions are skipped and counted ([`InputSet::skipped_files`]).
//!
//! Bounds: no unit larger than `--max-line-bytes` is held in memory. A longer JSON Lines line is
//! read through and dropped, and a whole file (`.txt`, `.html`, a one-object `.json`) over the
//! limit is read through and dropped; either is handed on as a bad unit ([`Content::Bad`]),
//! rejected with its place. An input that cannot be read (or decompressed) to its end (a
//! truncated gzip or zstd file) ends with one bad unit after the last unit read, and reading goes
//! on with the next input. A UTF-8 byte order mark at the start of a line is skipped. A file
//! is read up to the size it had when the first pass opened it (a file being appended to is read
//! as a snapshot).
//!
//! Re-reading: a plain file is re-read by seeking to each wanted unit; a compressed file is
//! read from its decompressed copy by position (within `--copy-budget`), or else decompressed
//! again from the start, skipping what is not wanted. Standard input and named pipes are read
//! once: their units (not blank lines, nor lines rejected as too long) are written to a spool
//! as they are handed on, at most [`InputSet::set_stream_limit`] bytes being read from them,
//! and a unit's location is its place in the spool.
//!
//! Temporary files: the spools and the decompressed copies are [`crate::fsutil::Spill`]s, with
//! no name (unlinked at once), so nothing is left in `TMPDIR` however the run ends; they are
//! read again through their handles.
//!
//! Not read: character and block devices named as inputs (`/dev/zero` never ends; `/dev/null`
//! is an empty input), xz and bzip2 files (one bad unit naming the format), named pipes and
//! devices found in directories (counted in [`InputSet::skipped_files`], never opened).
//! Directory entries that cannot be read (dangling links, loops, files that cannot be opened)
//! are one bad unit each, and the walk goes on.

pub mod html;
pub mod jsonl;
pub mod labels;
pub mod reread;
pub mod warc;

use crate::config::FieldNames;
use crate::document::Record;
use crate::document::{Location, Unit};
use crate::error::{Error, Result};
use crate::fsutil::{PosReader, Spill};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// How an input's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (magic `1f 8b`), one or more members; zero bytes after the last member (padding
    /// left by tape and block tools) are ignored.
    Gzip,
    /// Zstandard (magic `28 b5 2f fd`, or a skippable frame first, magic `50..5f 2a 4d 18`, as
    /// `pzstd` writes), one or more frames.
    Zstd,
    /// xz (magic `fd 37 7a 58 5a 00`): recognised only to say that it is not read.
    Xz,
    /// bzip2 (magic `42 5a 68` and a block size digit): recognised only to say that it is not
    /// read.
    Bzip2,
}

impl Compression {
    /// Detects the compression from the first bytes of a stream.
    pub fn detect(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            // A skippable frame (0x184D2A50..=0x184D2A5F little-endian): the zstd decoder
            // passes over it to the frames after it.
            [m, 0x2a, 0x4d, 0x18, ..] if m & 0xf0 == 0x50 => Compression::Zstd,
            [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, ..] => Compression::Xz,
            [0x42, 0x5a, 0x68, b'1'..=b'9', ..] => Compression::Bzip2,
            _ => Compression::None,
        }
    }

    /// For a compression neardup does not read, what to tell the user: its name and how to
    /// decompress it first.
    pub fn unsupported(self) -> Option<&'static str> {
        match self {
            Compression::Xz => Some(
                "xz-compressed, which neardup does not read: decompress it first (xz -d FILE), \
                 or pipe it in (xz -dc FILE | neardup cluster -); skipped",
            ),
            Compression::Bzip2 => Some(
                "bzip2-compressed, which neardup does not read: decompress it first (bzip2 -d \
                 FILE), or pipe it in (bzip2 -dc FILE | neardup cluster -); skipped",
            ),
            Compression::None | Compression::Gzip | Compression::Zstd => None,
        }
    }
}

/// An input in a compression neardup does not read ([`Compression::unsupported`]).
#[derive(Debug)]
struct Unsupported(&'static str);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Unsupported {}

/// The message of an error that [`decompressed`] gives for an unsupported compression.
fn unsupported_message(e: &io::Error) -> Option<&'static str> {
    e.get_ref()
        .and_then(|x| x.downcast_ref::<Unsupported>())
        .map(|u| u.0)
}

/// Peeks at the magic bytes of `raw` and returns a reader of the decompressed bytes. An xz or
/// bzip2 stream is an error whose message names the format ([`Compression::unsupported`]).
fn decompressed<'a, R: Read + Send + 'a>(
    raw: R,
) -> io::Result<(Compression, Box<dyn BufRead + Send + 'a>)> {
    let mut buf = BufReader::with_capacity(1 << 16, raw);
    let head = buf.fill_buf()?;
    let kind = Compression::detect(head);
    let reader: Box<dyn BufRead + Send> = match kind {
        Compression::None => Box::new(buf),
        Compression::Gzip => Box::new(BufReader::with_capacity(1 << 16, GzMembers::new(buf))),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::stream::read::Decoder::with_buffer(buf)?,
        )),
        Compression::Xz | Compression::Bzip2 => {
            let message = kind.unsupported().unwrap_or("not supported");
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                Unsupported(message),
            ));
        }
    };
    Ok((kind, reader))
}

/// The members of a gzip stream, one after the other (as `flate2`'s `MultiGzDecoder`), except
/// that zero bytes after a member, to the end of the stream, end it quietly: `tar` and block
/// devices pad a `.gz` file so (GNU gzip says "trailing zero bytes ignored"). Anything else
/// after a member must be another member.
struct GzMembers<R> {
    /// The member being read; `None` at the end.
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: BufRead> GzMembers<R> {
    fn new(inner: R) -> GzMembers<R> {
        GzMembers {
            member: Some(flate2::bufread::GzDecoder::new(inner)),
        }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = &mut self.member else {
                return Ok(0);
            };
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The member ended; what follows it decides.
            let Some(member) = self.member.take() else {
                return Ok(0);
            };
            let mut inner = member.into_inner();
            let head = inner.fill_buf()?;
            if head.is_empty() {
                return Ok(0);
            }
            if head[0] == 0 {
                loop {
                    let rest = inner.fill_buf()?;
                    if rest.is_empty() {
                        return Ok(0);
                    }
                    if rest.iter().any(|&b| b != 0) {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "bytes other than gzip members or zero padding after the gzip data",
                        ));
                    }
                    let n = rest.len();
                    inner.consume(n);
                }
            }
            self.member = Some(flate2::bufread::GzDecoder::new(inner));
        }
    }
}

/// What the units of an input are and how one becomes a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines: one object a line.
    Jsonl,
    /// A `.json` file before it is read: JSON Lines when its first non-blank line is a JSON
    /// value by itself, else one JSON object spread over lines ([`Format::JsonDoc`]).
    Json,
    /// A whole file holding one JSON object.
    JsonDoc,
    /// A whole file of plain text (UTF-8, else Windows-1252).
    Text,
    /// A whole file of HTML: the article is extracted ([`html::extract`]).
    Html,
    /// A WARC or WET file: one unit a record ([`warc::parse_record`]).
    Warc,
}

impl Format {
    /// What a location's `line` counts in this format.
    pub fn unit(self) -> Unit {
        match self {
            Format::Jsonl | Format::Json => Unit::Line,
            Format::Warc => Unit::Record,
            Format::JsonDoc | Format::Text | Format::Html => Unit::File,
        }
    }

    /// The format a file name says, looking through `.gz`/`.zst` (and `.xz`/`.bz2`, so that
    /// such a file in a directory is reported as not read rather than skipped); `None` when
    /// it says nothing neardup reads.
    pub fn from_name(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = [".gz", ".zst", ".zstd", ".xz", ".bz2"]
            .iter()
            .find_map(|c| name.strip_suffix(c))
            .unwrap_or(&name);
        let ext = name.rsplit_once('.')?.1;
        Some(match ext {
            "txt" | "text" => Format::Text,
            "html" | "htm" | "xhtml" | "shtml" => Format::Html,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "warc" | "wet" => Format::Warc,
            _ => return None,
        })
    }
}

/// What one unit of input holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A document.
    Doc(Record),
    /// Not an article (a WARC request, a redirect, an image...): counted as skipped.
    Skip(&'static str),
}

/// Turns one unit of input (a line, a WARC record, a whole file) into a document. The error is
/// the message to print after the file and unit.
pub fn parse(format: Format, bytes: &[u8], fields: &FieldNames) -> Result<Parsed, String> {
    match format {
        Format::Jsonl | Format::Json | Format::JsonDoc => {
            jsonl::parse_record(bytes, fields).map(Parsed::Doc)
        }
        Format::Text => Ok(Parsed::Doc(Record {
            text: html::decode_plain(bytes).into_owned(),
            ..Record::default()
        })),
        Format::Html => {
            let page = html::extract(&html::decode(bytes, None));
            Ok(Parsed::Doc(Record {
                id: None,
                text: page.text,
                title: page.title,
                outlet: page.url.as_deref().and_then(warc::outlet_of),
                date: page.date,
                url: page.url,
            }))
        }
        Format::Warc => warc::parse_record(bytes),
    }
}

/// One input file (a file named on the command line, or found in a named directory).
#[derive(Debug)]
struct Source {
    /// Name used in messages and generated ids: the path as given (joined to the directory's
    /// path as given), or `stdin`.
    name: String,
    /// The file to read (`None` for standard input and named pipes).
    path: Option<PathBuf>,
    /// Compression of `path`.
    compression: Compression,
    /// The format; settled by the first pass for `.json` files and standard input.
    format: Format,
    /// What the second pass reads instead of `path`, by position: the spool of standard input
    /// or a named pipe (its units, one after the other), or the decompressed copy of a
    /// compressed file. A temporary file without a name (unlinked at once), so that nothing
    /// is left in `TMPDIR` however the run ends.
    spool: Option<File>,
    /// A named pipe or other file that is not a regular one (`<(zcat a.gz)`): read once, in
    /// order, and spooled as standard input is.
    stream: Option<PathBuf>,
    /// Found in a named directory (not named on the command line): a failure to open it is a
    /// bad unit, not the end of the run.
    found: bool,
    /// A directory entry that cannot be read (a dangling symbolic link, a loop, a file that
    /// cannot be opened): what is wrong, reported as its one bad unit.
    broken: Option<String>,
}

impl Source {
    /// An input read from `path`.
    fn file(name: String, path: Option<PathBuf>, compression: Compression, format: Format) -> Self {
        Source {
            name,
            path,
            compression,
            format,
            spool: None,
            stream: None,
            found: false,
            broken: None,
        }
    }
}

/// What a unit of a [`Batch`] holds.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    /// The unit's bytes (a line without its terminator, a WARC record, a file).
    Bytes(&'a [u8]),
    /// A WARC record that is not an article, judged from its headers; its bytes were not kept.
    Skipped,
    /// A unit that cannot be read (a malformed WARC record, a line or file over the
    /// `--max-line-bytes` limit, the rest of an input that cannot be read or decompressed
    /// further): what is wrong. Its location's `len` is 0.
    Bad(&'a str),
}

/// One unit of input, borrowed from a [`Batch`].
#[derive(Debug, Clone, Copy)]
pub struct LineRef<'a> {
    /// Where it is.
    pub location: Location,
    /// How to read it.
    pub format: Format,
    /// What it holds.
    pub content: Content<'a>,
}

#[derive(Debug)]
enum EntryKind {
    Data(Format),
    Skipped,
    Bad(Format, Box<str>),
}

/// A run of consecutive units read together, so that they can be parsed in parallel.
#[derive(Debug, Default)]
pub struct Batch {
    data: Vec<u8>,
    lines: Vec<(Location, usize, EntryKind)>,
}

impl Batch {
    /// An empty batch with room for `batch_bytes` and a quarter more (up to 64 MiB), so that
    /// filling it to `batch_bytes` and the line that passes the mark copies nothing on the way.
    fn with_room(batch_bytes: usize) -> Batch {
        let room = batch_bytes.min(64 << 20);
        Batch {
            data: Vec::with_capacity(room + room / 4),
            lines: Vec::new(),
        }
    }

    /// The units of the batch, in input order.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = LineRef<'_>> + '_ {
        self.lines.iter().map(move |(location, start, kind)| {
            let (format, content) = match kind {
                EntryKind::Data(f) => (
                    *f,
                    Content::Bytes(&self.data[*start..*start + location.len as usize]),
                ),
                EntryKind::Skipped => (Format::Warc, Content::Skipped),
                EntryKind::Bad(f, m) => (*f, Content::Bad(m)),
            };
            LineRef {
                location: *location,
                format,
                content,
            }
        })
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when the batch holds no unit.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Bytes of unit data.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }
}

/// Copies everything read through it into the decompressed copy of a compressed input, which
/// is given up (and the file decompressed again when it is read again) when a write fails or
/// the copies would grow past their budget.
struct Tee<R> {
    inner: R,
    /// Where the copy goes; `None` once it was given up.
    spool: Option<Spill>,
    budget: std::sync::Arc<CopyBudget>,
}

/// What the decompressed copies of compressed inputs may still take ([`InputSet::scan`]),
/// shared by the loop that reads the inputs and the [`Tee`] of the one being read.
#[derive(Debug)]
struct CopyBudget {
    /// Bytes the copies may still take.
    room: std::sync::atomic::AtomicU64,
    /// Set when the copy of the input being read was given up.
    gave_up: std::sync::atomic::AtomicBool,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.inner.read(buf)?;
        let Some(spool) = &mut self.spool else {
            return Ok(n);
        };
        let room = self.budget.room.load(Relaxed);
        if n as u64 > room || spool.append(&buf[..n]).is_err() {
            self.budget.gave_up.store(true, Relaxed);
            self.spool = None;
        } else {
            self.budget.room.store(room - n as u64, Relaxed);
        }
        Ok(n)
    }
}

/// Reads a stream (standard input, a named pipe) up to `left` more bytes; past them, an error,
/// and `over` is set. Bounds what the spool of a stream takes in `TMPDIR`, and ends a stream
/// that never does (`/dev/zero`).
struct Capped<R> {
    inner: R,
    left: u64,
    state: std::sync::Arc<CapState>,
}

/// What a [`Capped`] reader read, seen from outside it.
#[derive(Debug, Default)]
struct CapState {
    /// Bytes read so far.
    read: std::sync::atomic::AtomicU64,
    /// Set when the stream went on past the limit.
    over: std::sync::atomic::AtomicBool,
}

impl<R: BufRead> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Capped<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.left == 0 {
            if self.inner.fill_buf()?.is_empty() {
                return Ok(&[]);
            }
            self.state
                .over
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return Err(io::Error::other("read past the limit of --max-stdin"));
        }
        let left = usize::try_from(self.left).unwrap_or(usize::MAX);
        let avail = self.inner.fill_buf()?;
        let n = avail.len().min(left);
        Ok(&avail[..n])
    }

    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.left -= n as u64;
        self.state
            .read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Describes a read error, the input's fault, as the message of its last, bad unit.
fn read_failure(e: io::Error) -> String {
    format!(
        "cannot read further ({e}): the input is truncated or corrupt; the rest of it is skipped"
    )
}

/// The UTF-8 byte order mark, skipped at the start of a line (where `cat` of several files
/// leaves it).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// True when a decompressed stream starts like a WARC file.
fn is_warc(reader: &mut dyn BufRead) -> io::Result<bool> {
    Ok(reader.fill_buf()?.starts_with(b"WARC/"))
}

/// The inputs of one run, in the order given.
#[derive(Debug)]
pub struct InputSet {
    sources: Vec<Source>,
    skipped_files: Vec<PathBuf>,
    copy_budget: u64,
    stream_limit: u64,
    /// Bytes read from standard input and named pipes, and bytes of them spooled.
    streamed: Option<(u64, u64)>,
}

/// Bytes of decompressed copies of compressed inputs that [`InputSet::scan`] makes by default:
/// see [`InputSet::set_copy_budget`].
pub const COPY_BUDGET: u64 = 1 << 30;

/// Bytes that may be read from standard input and named pipes by default (16 GiB): see
/// [`InputSet::set_stream_limit`].
pub const STREAM_LIMIT: u64 = 16 << 30;

/// What is wrong with a directory entry that walking could not read: a dangling symbolic
/// link, a loop of links, or an error from the system.
fn walk_failure(path: &Path, e: &walkdir::Error) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return format!(
            "a symbolic link to {}, a directory that contains it (a loop); skipped",
            ancestor.display()
        );
    }
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match e.io_error() {
        Some(io) if link && io.kind() == io::ErrorKind::NotFound => {
            match std::fs::read_link(path) {
                Ok(target) => format!(
                    "a dangling symbolic link (to {}, which does not exist); skipped",
                    target.display()
                ),
                Err(_) => "a dangling symbolic link; skipped".to_string(),
            }
        }
        Some(io) if link => format!("a symbolic link that cannot be followed ({io}); skipped"),
        Some(io) => format!("cannot be read ({io}); skipped"),
        None => format!("cannot be read ({e}); skipped"),
    }
}

/// Why a file named on the command line is not read: a character or block device (other than
/// `/dev/null`) gives bytes without end (`/dev/zero`, `/dev/urandom`) or is a disk.
#[cfg(unix)]
fn refuse_device(p: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let t = meta.file_type();
    if !(t.is_char_device() || t.is_block_device()) {
        return Ok(());
    }
    let null = std::fs::metadata("/dev/null").ok();
    if null.is_some_and(|n| n.file_type().is_char_device() && n.rdev() == meta.rdev()) {
        return Ok(());
    }
    let kind = if t.is_char_device() {
        "a character device"
    } else {
        "a block device"
    };
    Err(Error::input(
        p,
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{kind}, not a file: neardup reads files, directories, named pipes and standard \
                 input (-); to read a device anyway, pipe it in (cat DEVICE | neardup cluster -), \
                 where --max-stdin bounds what is read"
            ),
        ),
    ))
}

#[cfg(not(unix))]
fn refuse_device(_: &Path, _: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

impl InputSet {
    /// Checks that every named file can be opened and lists the files of named directories;
    /// `-` is standard input (at most once).
    ///
    /// # Errors
    /// A named input that does not exist or cannot be opened, `-` twice, or a character or
    /// block device other than `/dev/null` (`/dev/zero` never ends: pipe a device in as
    /// standard input to read it, within [`InputSet::set_stream_limit`]). Entries of named
    /// directories that cannot be read are not errors: each is a bad unit when the set is
    /// scanned.
    pub fn open(paths: &[PathBuf]) -> Result<InputSet> {
        let mut set = InputSet {
            sources: Vec::with_capacity(paths.len()),
            skipped_files: Vec::new(),
            copy_budget: COPY_BUDGET,
            stream_limit: STREAM_LIMIT,
            streamed: None,
        };
        let mut stdin_seen = false;
        for p in paths {
            if p.as_os_str() == "-" {
                if stdin_seen {
                    return Err(Error::Config {
                        field: "inputs",
                        expected: "standard input (-) named at most once".into(),
                        got: "- twice".into(),
                    });
                }
                stdin_seen = true;
                set.sources.push(Source::file(
                    "stdin".into(),
                    None,
                    Compression::None,
                    Format::Jsonl,
                ));
                continue;
            }
            let meta = std::fs::metadata(p).map_err(|e| Error::input(p, e))?;
            if meta.is_dir() {
                set.open_dir(p);
            } else if !meta.is_file() {
                refuse_device(p, &meta)?;
                // Nothing may be read from a pipe before the first pass: what is read is gone.
                let mut source = Source::file(
                    p.display().to_string(),
                    None,
                    Compression::None,
                    Format::from_name(p).unwrap_or(Format::Jsonl),
                );
                source.stream = Some(p.to_path_buf());
                set.sources.push(source);
            } else {
                let format = Format::from_name(p).unwrap_or(Format::Jsonl);
                let file = File::open(p).map_err(|e| Error::input(p, e))?;
                set.push_file(p, file, format);
            }
        }
        Ok(set)
    }

    /// Adds the files under directory `dir`, recursively, in sorted order. An entry that
    /// cannot be read is added as a broken source (one bad unit); a named pipe, socket or
    /// device is counted in [`InputSet::skipped_files`], never opened (a pipe would block).
    fn open_dir(&mut self, dir: &Path) {
        // Hidden files and directories (.git, editor swap files, .DS_Store) are not articles.
        let hidden = |e: &walkdir::DirEntry| {
            e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.')
        };
        let walk = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !hidden(e));
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e.path().unwrap_or(dir).to_path_buf();
                    let message = walk_failure(&path, &e);
                    // A dangling link whose name says no format would have been skipped.
                    if message.starts_with("a dangling") && Format::from_name(&path).is_none() {
                        self.skipped_files.push(path);
                    } else {
                        self.push_broken(&path, message);
                    }
                    continue;
                }
            };
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            if !kind.is_file() {
                self.skipped_files.push(entry.into_path());
                continue;
            }
            match Format::from_name(entry.path()) {
                Some(format) => match File::open(entry.path()) {
                    Ok(file) => {
                        self.push_file(entry.path(), file, format);
                        if let Some(s) = self.sources.last_mut() {
                            s.found = true;
                        }
                    }
                    Err(e) => {
                        self.push_broken(entry.path(), format!("cannot be opened ({e}); skipped"))
                    }
                },
                None => self.skipped_files.push(entry.into_path()),
            }
        }
    }

    /// Adds a directory entry that cannot be read: one bad unit saying `message`.
    fn push_broken(&mut self, path: &Path, message: String) {
        let mut source = Source::file(
            path.display().to_string(),
            None,
            Compression::None,
            Format::Text,
        );
        source.found = true;
        source.broken = Some(message);
        self.sources.push(source);
    }

    fn push_file(&mut self, p: &Path, file: File, format: Format) {
        let (compression, format) = match decompressed(file) {
            Ok((compression, mut reader)) => match is_warc(&mut reader) {
                Ok(true) => (compression, Format::Warc),
                // A file that cannot be decompressed fails when it is read, with its name.
                Ok(false) | Err(_) => (compression, format),
            },
            // Read again when the set is scanned, where the error is the file's bad unit.
            Err(_) => (Compression::None, format),
        };
        self.sources.push(Source::file(
            p.display().to_string(),
            Some(p.to_path_buf()),
            compression,
            format,
        ));
    }

    /// Number of inputs (files named, files found in directories, standard input).
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// True when there are no inputs.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Files in the named directories that were not read: their names say no format neardup
    /// reads (images, stylesheets, ...), or they are not regular files (named pipes, sockets,
    /// devices: never opened).
    pub fn skipped_files(&self) -> &[PathBuf] {
        &self.skipped_files
    }

    /// The files this set reads, as opened (files named, files found in directories, named
    /// pipes; not standard input): what no output of the run may replace.
    pub fn files(&self) -> Vec<&Path> {
        self.sources
            .iter()
            .filter_map(|s| {
                s.stream
                    .as_deref()
                    .or(s.path.as_deref().filter(|_| s.spool.is_none()))
            })
            .collect()
    }

    /// The total size of the inputs in bytes, when every input is a plain file (compressed
    /// files and standard input have no size known in advance): for progress reports.
    pub fn total_bytes(&self) -> Option<u64> {
        self.sources
            .iter()
            .map(|s| match (&s.path, s.compression, &s.broken) {
                (Some(p), Compression::None, None) => std::fs::metadata(p).ok().map(|m| m.len()),
                (None, _, Some(_)) => Some(0),
                _ => None,
            })
            .sum()
    }

    /// How many bytes the decompressed copies of compressed inputs may take in all (default
    /// [`COPY_BUDGET`]; 0: no copies).
    ///
    /// [`InputSet::scan`] copies what it decompresses of a compressed file to a temporary file
    /// (in `TMPDIR`) when the copies have room for at least twice the file's size, so that the
    /// second pass ([`InputSet::direct`], [`InputSet::fetch`]) reads its units by position
    /// instead of decompressing the file again from its start. A copy that outgrows the room
    /// left, or that cannot be written, is dropped, and that file is decompressed again as
    /// without copies: the outputs are the same either way.
    pub fn set_copy_budget(&mut self, bytes: u64) {
        self.copy_budget = bytes;
    }

    /// How many bytes may be read from standard input and named pipes in all, after
    /// decompression (default [`STREAM_LIMIT`]). [`InputSet::scan`] spools their units (not
    /// blank lines, nor lines or files rejected as longer than `--max-line-bytes`) to a
    /// temporary file (in `TMPDIR`) to read them again, so this also bounds the spool; past
    /// it, [`InputSet::scan`] fails with an input error that says how to go on (raise the
    /// limit, or give a file). It also ends a stream that never does (`- < /dev/zero`).
    pub fn set_stream_limit(&mut self, bytes: u64) {
        self.stream_limit = bytes;
    }

    /// After [`InputSet::scan`], when some input was standard input or a named pipe: the
    /// bytes read from them (decompressed) and the bytes of them spooled to `TMPDIR`.
    pub fn streamed(&self) -> Option<(u64, u64)> {
        self.streamed
    }

    /// The name of input `i` as used in messages and generated ids.
    pub fn name(&self, i: u32) -> &str {
        &self.sources[i as usize].name
    }

    /// The format of input `i` (settled once [`InputSet::scan`] has read it).
    pub fn format(&self, i: u32) -> Format {
        self.sources[i as usize].format
    }

    /// The first pass: reads every input in order and hands its units to `f` in batches of
    /// about `batch_bytes` bytes. Blank lines are skipped. The units of standard input and
    /// named pipes are spooled to a temporary file on the way so that [`InputSet::fetch`] can
    /// read them again (within [`InputSet::set_stream_limit`]), and compressed files are
    /// copied decompressed, within [`InputSet::set_copy_budget`]. Reading (and
    /// decompressing) runs on a thread of its own, one or two batches ahead of `f`.
    ///
    /// Memory is bounded whatever the input: a unit (line, whole file) longer than
    /// `max_line_bytes` is read through without being held and handed over as
    /// [`Content::Bad`], as is the rest of an input that cannot be read or decompressed to its
    /// end (a truncated gzip or zstd file); reading goes on with the next input. A file is read
    /// up to the size it had when this pass opened it: lines appended meanwhile are left for the
    /// next run.
    pub fn scan(
        &mut self,
        batch_bytes: usize,
        max_line_bytes: usize,
        mut f: impl FnMut(&Batch) -> Result<()>,
    ) -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch>>(2);
        let sources = &mut self.sources;
        let limits = Limits {
            batch_bytes,
            max_line: max_line_bytes,
            copy_budget: self.copy_budget,
            stream_limit: self.stream_limit,
        };
        let streamed = &mut self.streamed;
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let sent = read_batches(sources, limits, streamed, |b| tx.send(Ok(b)).is_ok());
                if let Err(e) = sent {
                    let _ = tx.send(Err(e));
                }
            });
            // Returning early drops `rx`, which stops the reader at its next batch.
            for batch in rx {
                f(&batch?)?;
            }
            Ok(())
        })
    }
}

/// Fills batches and hands each full one on.
struct Batcher<F> {
    batch: Batch,
    batch_bytes: usize,
    send: F,
    /// The spool of each input that is standard input or a named pipe, by input number: its
    /// units, one after the other, written as their batch is handed on; a unit's location
    /// then gives its place in the spool.
    spools: Vec<Option<Spill>>,
    /// A spool that could not be written: the run fails with it.
    failed: Option<Error>,
}

impl<F: FnMut(Batch) -> bool> Batcher<F> {
    /// A batcher that hands batches of about `batch_bytes` to `send`.
    fn new(batch_bytes: usize, send: F) -> Batcher<F> {
        Batcher {
            batch: Batch::with_room(batch_bytes),
            batch_bytes,
            send,
            spools: Vec::new(),
            failed: None,
        }
    }

    /// Spools the units of streams in `batch` (setting their offsets to their places in the
    /// spool) and hands it on; false when nobody listens or a spool cannot be written.
    fn hand_on(&mut self, mut batch: Batch) -> bool {
        if !self.spools.is_empty() {
            let Batch { data, lines } = &mut batch;
            for (location, start, kind) in lines.iter_mut() {
                let (EntryKind::Data(_), Some(Some(spool))) =
                    (&*kind, self.spools.get_mut(location.input as usize))
                else {
                    continue;
                };
                let bytes = &data[*start..*start + location.len as usize];
                match spool.append(bytes) {
                    Ok(at) => location.offset = at,
                    Err(e) => {
                        self.failed = Some(e);
                        return false;
                    }
                }
            }
        }
        (self.send)(batch)
    }
    /// Records the unit whose bytes are `batch.data[start..]`; false when nobody listens.
    fn push(
        &mut self,
        input: u32,
        line: u64,
        offset: u64,
        start: usize,
        format: Format,
    ) -> io::Result<bool> {
        let bytes = &self.batch.data[start..];
        let len = u32::try_from(bytes.len()).map_err(|_| {
            io::Error::other(format!(
                "{} is longer than 4 GiB",
                format.unit().describe(line)
            ))
        })?;
        let location = Location {
            input,
            line,
            offset,
            len,
            checksum: xxh3_64(bytes),
        };
        self.batch
            .lines
            .push((location, start, EntryKind::Data(format)));
        Ok(self.flush_if_full())
    }

    /// Drops the bytes from `start` on and records a bad unit in their place.
    fn bad(
        &mut self,
        input: u32,
        line: u64,
        offset: u64,
        start: usize,
        format: Format,
        message: String,
    ) -> bool {
        self.batch.data.truncate(start);
        self.mark(input, line, offset, EntryKind::Bad(format, message.into()))
    }

    /// Records a unit without bytes (skipped or bad).
    fn mark(&mut self, input: u32, line: u64, offset: u64, kind: EntryKind) -> bool {
        let location = Location {
            input,
            line,
            offset,
            len: 0,
            checksum: 0,
        };
        let start = self.batch.data.len();
        self.batch.lines.push((location, start, kind));
        self.flush_if_full()
    }

    fn flush_if_full(&mut self) -> bool {
        if self.batch.data.len() >= self.batch_bytes || self.batch.lines.len() >= 1 << 16 {
            let next = Batch::with_room(self.batch_bytes);
            let full = std::mem::replace(&mut self.batch, next);
            return self.hand_on(full);
        }
        true
    }
}

/// What [`read_batches`] may take: batch size, unit size, decompressed copies, streams.
#[derive(Debug, Clone, Copy)]
struct Limits {
    batch_bytes: usize,
    max_line: usize,
    copy_budget: u64,
    stream_limit: u64,
}

/// A temporary file for the decompressed copy of a compressed input of `size` bytes, when
/// the copies still have room for it (at least twice its size: JSON text compresses more
/// than that) and the file can be made; `None` otherwise. It has no name (removed at once), so
/// nothing is left behind however the run ends.
fn copy_file(budget: &CopyBudget, size: u64) -> Option<Spill> {
    use std::sync::atomic::Ordering::Relaxed;
    if size.saturating_mul(2) > budget.room.load(Relaxed) {
        return None;
    }
    Spill::unbuffered("decompressed copy").ok()
}

/// The reading loop of [`InputSet::scan`]: hands each full batch to `send`, and stops early
/// (successfully) when `send` returns false because nobody listens any more. A read error in an
/// input becomes its last (bad) unit; only a failed open of a named file, a failed spool write
/// and a stream longer than `limits.stream_limit` are fatal.
fn read_batches(
    sources: &mut [Source],
    limits: Limits,
    streamed: &mut Option<(u64, u64)>,
    send: impl FnMut(Batch) -> bool,
) -> Result<()> {
    use std::sync::atomic::Ordering::Relaxed;
    let max_line = limits.max_line;
    let mut out = Batcher::new(limits.batch_bytes, send);
    // Room for a spool per input when some input is a stream (else none: nothing to look up).
    if sources
        .iter()
        .any(|s| s.path.is_none() && s.broken.is_none())
    {
        out.spools = (0..sources.len()).map(|_| None).collect();
    }
    // Positioned reads serve at most `MAX_DIRECT_FILES` inputs: past that, copies would only
    // take disk (and a file handle each).
    let budget = std::sync::Arc::new(CopyBudget {
        room: std::sync::atomic::AtomicU64::new(if sources.len() <= MAX_DIRECT_FILES {
            limits.copy_budget
        } else {
            0
        }),
        gave_up: std::sync::atomic::AtomicBool::new(false),
    });
    // What standard input and named pipes may still give, and what they gave.
    let cap = std::sync::Arc::new(CapState::default());
    let mut any_stream = false;
    let over = |name: &str| {
        Error::input(
            name,
            io::Error::other(format!(
                "more than {} read from standard input and named pipes, the limit of \
                 --max-stdin (what they give is spooled to TMPDIR to be read again): raise it \
                 (--max-stdin MB), or give the input as a file",
                if limits.stream_limit.is_multiple_of(1 << 20) {
                    format!("{} MB", limits.stream_limit >> 20)
                } else {
                    format!("{} bytes", limits.stream_limit)
                }
            )),
        )
    };
    for (i, source) in sources.iter_mut().enumerate() {
        let display = source.name.clone();
        let err = |e: io::Error| Error::input(display.as_str(), e);
        let input = i as u32;
        if let Some(message) = &source.broken {
            let start = out.batch.data.len();
            if !out.bad(input, 1, 0, start, Format::Text, message.clone()) {
                return out.failed.take().map_or(Ok(()), Err);
            }
            continue;
        }
        let mut copy = None;
        let opened = match &source.path {
            Some(path) => {
                let file = match File::open(path) {
                    Ok(file) => file,
                    // A file found in a directory that is gone or cannot be opened now.
                    Err(e) if source.found => {
                        let start = out.batch.data.len();
                        let message = format!("cannot be opened ({e}); skipped");
                        if !out.bad(input, 1, 0, start, Format::Text, message) {
                            return out.failed.take().map_or(Ok(()), Err);
                        }
                        continue;
                    }
                    Err(e) => return Err(err(e)),
                };
                // Read up to the size at open: a file still being appended to is read as it
                // was, and re-read by the second pass within what the first one saw.
                let size = file.metadata().map_err(err)?.len();
                let spill = match source.compression {
                    Compression::None => None,
                    _ => copy_file(&budget, size),
                };
                match (decompressed(file.take(size)), spill) {
                    (Ok((_, inner)), Some(spill)) => match spill.reader() {
                        Ok(reader) => {
                            copy = Some(reader);
                            budget.gave_up.store(false, Relaxed);
                            let tee = Tee {
                                inner,
                                spool: Some(spill),
                                budget: std::sync::Arc::clone(&budget),
                            };
                            Ok(Box::new(BufReader::with_capacity(1 << 16, tee))
                                as Box<dyn BufRead + Send>)
                        }
                        Err(_) => Ok(inner),
                    },
                    (opened, _) => opened.map(|r| r.1),
                }
            }
            None => {
                any_stream = true;
                let spool = Spill::buffered("spool of standard input")?;
                source.spool = Some(spool.reader()?);
                out.spools[i] = Some(spool);
                let raw: Box<dyn Read + Send> = match &source.stream {
                    Some(p) => Box::new(File::open(p).map_err(err)?),
                    None => Box::new(io::stdin()),
                };
                let read = cap.read.load(Relaxed);
                decompressed(raw).and_then(|(_, inner)| {
                    let mut capped = Capped {
                        inner,
                        left: limits.stream_limit.saturating_sub(read),
                        state: std::sync::Arc::clone(&cap),
                    };
                    if is_warc(&mut capped)? {
                        source.format = Format::Warc;
                    }
                    Ok(Box::new(capped) as Box<dyn BufRead + Send>)
                })
            }
        };
        let mut reader = match opened {
            Ok(reader) => reader,
            Err(e) => {
                let (format, message) = match unsupported_message(&e) {
                    Some(m) => (Format::Text, m.to_string()),
                    None => (
                        source.format,
                        format!("cannot read ({e}); the input is skipped"),
                    ),
                };
                let start = out.batch.data.len();
                if cap.over.load(Relaxed) {
                    return Err(over(&display));
                }
                if !out.bad(input, 1, 0, start, format, message) {
                    return out.failed.take().map_or(Ok(()), Err);
                }
                continue;
            }
        };
        let go_on = match source.format {
            Format::Warc => read_warc(&mut reader, input, &mut out).map_err(err)?,
            Format::Text | Format::Html => read_whole(
                &mut reader,
                &display,
                input,
                max_line,
                &mut out,
                source.format,
            )?,
            Format::Json => {
                let (go_on, format) = read_json(&mut reader, &display, input, max_line, &mut out)?;
                source.format = format;
                go_on
            }
            Format::Jsonl | Format::JsonDoc => {
                read_jsonl(&mut reader, input, max_line, &mut out, 0, 0)?
            }
        };
        if cap.over.load(Relaxed) {
            return Err(over(&display));
        }
        if !go_on {
            return out.failed.take().map_or(Ok(()), Err);
        }
        // A complete copy of a compressed file is read again in its place, by position.
        if let Some(c) = copy.filter(|_| !budget.gave_up.load(Relaxed)) {
            source.spool = Some(c);
        }
    }
    if out.failed.is_none() && !out.batch.is_empty() {
        let last = std::mem::take(&mut out.batch);
        out.hand_on(last);
    }
    if let Some(e) = out.failed.take() {
        return Err(e);
    }
    let mut spooled = 0;
    for spool in out.spools.iter_mut().flatten() {
        // Written and on disk before the second pass reads it (a full disk shows here).
        spool.sync()?;
        spooled += spool.len();
    }
    if any_stream {
        *streamed = Some((cap.read.load(Relaxed), spooled));
    }
    Ok(())
}

/// Appends the rest of `reader` to `data` while it stays within `max` bytes; the rest is read
/// through and dropped. Returns the number of bytes read and whether they all fitted; on a read
/// error what was appended is left for the caller to drop.
fn read_bounded(
    reader: &mut dyn BufRead,
    data: &mut Vec<u8>,
    max: usize,
) -> io::Result<(u64, bool)> {
    let start = data.len();
    let (mut total, mut fits) = (0u64, true);
    loop {
        let avail = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok((total, fits));
        }
        let n = avail.len();
        if fits {
            if data.len() - start + n > max {
                fits = false;
                data.truncate(start);
            } else {
                data.extend_from_slice(avail);
            }
        }
        reader.consume(n);
        total += n as u64;
    }
}

/// Reads the rest of an input as one unit (a whole `.txt`, `.html` or `.json` file), within
/// `max_line` bytes.
fn read_whole(
    reader: &mut dyn BufRead,
    name: &str,
    input: u32,
    max_line: usize,
    out: &mut Batcher<impl FnMut(Batch) -> bool>,
    format: Format,
) -> Result<bool> {
    let start = out.batch.data.len();
    match read_bounded(reader, &mut out.batch.data, max_line) {
        Ok((_, true)) => out
            .push(input, 1, 0, start, format)
            .map_err(|e| Error::input(name, e)),
        Ok((n, false)) => Ok(out.bad(
            input,
            1,
            0,
            start,
            format,
            format!(
                "file of {n} bytes is longer than the limit of {max_line} bytes (--max-line-bytes); skipped"
            ),
        )),
        Err(e) => {
            let message = read_failure(e);
            Ok(out.bad(input, 1, 0, start, format, message))
        }
    }
}

/// Cuts one input into lines, each at most `max_line` bytes held in memory.
struct LineCutter {
    input: u32,
    max_line: usize,
    /// Bytes consumed so far (the offset of the next line).
    offset: u64,
    /// Lines consumed so far, blank ones included.
    line_no: u64,
}

/// What [`LineCutter::next`] found.
enum Cut {
    /// The end of the input.
    End,
    /// A line was appended to the batch (as a unit or a bad unit), or skipped when blank.
    Line,
}

impl LineCutter {
    /// Reads the next line of `reader` into `batch`: a line of content, nothing for a blank
    /// line, or a bad unit for a line over the limit (whose bytes are read and dropped, never
    /// held). On a read error the partial line is dropped and the error returned; the caller
    /// reports it at line [`LineCutter::line_no`] + 1.
    fn next(&mut self, reader: &mut dyn BufRead, batch: &mut Batch) -> io::Result<Cut> {
        let start = batch.data.len();
        let mut consumed = 0u64;
        let mut too_long = false;
        let mut ended = false;
        // Room for the content and a CR LF terminator.
        let cap = self.max_line.saturating_add(2);
        while !ended {
            let avail = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    batch.data.truncate(start);
                    return Err(e);
                }
            };
            if avail.is_empty() {
                break;
            }
            let take = match memchr::memchr(b'\n', avail) {
                Some(i) => {
                    ended = true;
                    i + 1
                }
                None => avail.len(),
            };
            if !too_long {
                if batch.data.len() - start + take > cap {
                    too_long = true;
                    batch.data.truncate(start);
                } else {
                    batch.data.extend_from_slice(&avail[..take]);
                }
            }
            reader.consume(take);
            consumed += take as u64;
        }
        if consumed == 0 {
            return Ok(Cut::End);
        }
        self.line_no += 1;
        let offset = self.offset;
        self.offset += consumed;
        let mut content = consumed;
        if ended {
            content -= 1;
        }
        let mut end = batch.data.len();
        if !too_long && ended {
            end -= 1;
            if end > start && batch.data[end - 1] == b'\r' {
                end -= 1;
                content -= 1;
            }
        }
        if too_long || content > self.max_line as u64 {
            batch.data.truncate(start);
            let location = Location {
                input: self.input,
                line: self.line_no,
                offset,
                len: 0,
                checksum: 0,
            };
            let message = format!(
                "line of {content} bytes is longer than the limit of {} bytes (--max-line-bytes); skipped",
                self.max_line
            );
            batch.lines.push((
                location,
                start,
                EntryKind::Bad(Format::Jsonl, message.into()),
            ));
            return Ok(Cut::Line);
        }
        let mut first = start;
        let mut offset = offset;
        // Every byte order mark at the start of a line (files joined with `cat`) is left out.
        while batch.data[first..end].starts_with(BOM) {
            first += BOM.len();
            offset += BOM.len() as u64;
        }
        let bytes = &batch.data[first..end];
        if bytes.iter().all(u8::is_ascii_whitespace) {
            batch.data.truncate(start);
            return Ok(Cut::Line);
        }
        let location = Location {
            input: self.input,
            line: self.line_no,
            offset,
            len: (end - first) as u32,
            checksum: xxh3_64(bytes),
        };
        if first > start {
            batch.data.drain(start..first);
        }
        batch.data.truncate(start + location.len as usize);
        batch
            .lines
            .push((location, start, EntryKind::Data(Format::Jsonl)));
        Ok(Cut::Line)
    }
}

/// Reads JSON Lines until the end of `reader` or a read error, which becomes a bad unit after
/// the last line read and ends this input. `offset` and `line_no` are those of the first line
/// `reader` gives (lines before it already read).
fn read_jsonl(
    reader: &mut dyn BufRead,
    input: u32,
    max_line: usize,
    out: &mut Batcher<impl FnMut(Batch) -> bool>,
    offset: u64,
    line_no: u64,
) -> Result<bool> {
    let mut cutter = LineCutter {
        input,
        max_line,
        offset,
        line_no,
    };
    loop {
        match cutter.next(reader, &mut out.batch) {
            Ok(Cut::End) => return Ok(true),
            Ok(Cut::Line) => {}
            Err(e) => {
                let message = read_failure(e);
                let start = out.batch.data.len();
                return Ok(out.bad(
                    input,
                    cutter.line_no + 1,
                    cutter.offset,
                    start,
                    Format::Jsonl,
                    message,
                ));
            }
        }
        if !out.flush_if_full() {
            return Ok(false);
        }
    }
}

/// Reads a `.json` file: JSON Lines when its first non-blank line is a JSON value by itself
/// (or longer than the limit), else one document. Returns whether to go on and the format found.
fn read_json(
    reader: &mut dyn BufRead,
    name: &str,
    input: u32,
    max_line: usize,
    out: &mut Batcher<impl FnMut(Batch) -> bool>,
) -> Result<(bool, Format)> {
    let mut head = Vec::new();
    let (mut offset, mut line_no) = (0u64, 0u64);
    let cap = max_line.saturating_add(2) as u64;
    let first = loop {
        let mut line = Vec::new();
        let read = (&mut *reader).take(cap).read_until(b'\n', &mut line);
        match read {
            Err(e) => {
                let message = read_failure(e);
                let start = out.batch.data.len();
                let go_on = out.bad(input, line_no + 1, offset, start, Format::Jsonl, message);
                return Ok((go_on, Format::Jsonl));
            }
            Ok(0) => return Ok((true, Format::Jsonl)), // blank file: no document
            Ok(_) => {}
        }
        if !line.trim_ascii().is_empty() || head.len() as u64 + line.len() as u64 > cap {
            break line;
        }
        offset += line.len() as u64;
        line_no += 1;
        head.extend_from_slice(&line);
    };
    let long = !first.ends_with(b"\n") && first.len() as u64 == cap;
    let mut value = &first[..];
    while let Some(rest) = value.strip_prefix(BOM) {
        value = rest;
    }
    if long || serde_json::from_slice::<serde::de::IgnoredAny>(value).is_ok() {
        let mut chained = io::Cursor::new(first).chain(reader);
        let go_on = read_jsonl(&mut chained, input, max_line, out, offset, line_no)?;
        return Ok((go_on, Format::Jsonl));
    }
    let mut chained = io::Cursor::new(head).chain(io::Cursor::new(first).chain(reader));
    let go_on = read_whole(&mut chained, name, input, max_line, out, Format::JsonDoc)?;
    Ok((go_on, Format::JsonDoc))
}

/// Cuts an input held in memory (plain, gzip or zstd, detected by magic bytes) into JSON Lines
/// lines exactly as [`InputSet::scan`] cuts a JSON Lines file: blank lines skipped, CR LF and a
/// byte order marks at the start of a line removed, lines over `max_line_bytes` and an
/// unreadable rest handed on as [`Content::Bad`]. Hands every unit to `f`, in order. For tests
/// and fuzzing.
pub fn read_lines(bytes: &[u8], max_line_bytes: usize, mut f: impl FnMut(LineRef<'_>)) {
    let mut out = Batcher::new(1 << 16, |b: Batch| {
        b.lines().for_each(&mut f);
        true
    });
    match decompressed(bytes) {
        Ok((_, mut reader)) => {
            let r = read_jsonl(&mut *reader, 0, max_line_bytes, &mut out, 0, 0);
            debug_assert!(r.is_ok(), "no spool here");
        }
        Err(e) => {
            let (format, message) = match unsupported_message(&e) {
                Some(m) => (Format::Text, m.to_string()),
                None => (
                    Format::Jsonl,
                    format!("cannot read ({e}); the input is skipped"),
                ),
            };
            out.bad(0, 1, 0, 0, format, message);
        }
    }
    if !out.batch.is_empty() {
        let last = std::mem::take(&mut out.batch);
        out.hand_on(last);
    }
}

/// Reads the records of a WARC stream; a malformed record is a bad unit, and reading goes on
/// at the next record when it can be found.
fn read_warc(
    reader: &mut dyn BufRead,
    input: u32,
    out: &mut Batcher<impl FnMut(Batch) -> bool>,
) -> io::Result<bool> {
    let mut framer = warc::Framer::new(reader);
    let mut record = 0u64;
    loop {
        let start = out.batch.data.len();
        let frame = framer.next(&mut out.batch.data);
        record += 1;
        let go_on = match frame {
            warc::Frame::End => return Ok(true),
            warc::Frame::Record { offset, .. } => {
                out.push(input, record, offset, start, Format::Warc)?
            }
            warc::Frame::Skipped { offset } => out.mark(input, record, offset, EntryKind::Skipped),
            warc::Frame::Bad {
                offset,
                message,
                fatal,
            } => {
                let go_on = out.mark(
                    input,
                    record,
                    offset,
                    EntryKind::Bad(Format::Warc, message.into()),
                );
                if fatal {
                    return Ok(go_on);
                }
                go_on
            }
        };
        if !go_on {
            return Ok(false);
        }
    }
}

impl InputSet {
    /// The second pass: reads the units at `wanted` (sorted by input, then offset; as recorded
    /// by [`InputSet::scan`]) and hands each to `f` with the tag given beside it. A line whose
    /// bytes no longer match is an [`Error::InputChanged`].
    pub fn fetch<T: Copy>(
        &self,
        wanted: &[(Location, T)],
        mut f: impl FnMut(T, &[u8]) -> Result<()>,
    ) -> Result<()> {
        debug_assert!(wanted
            .windows(2)
            .all(|w| (w[0].0.input, w[0].0.offset) < (w[1].0.input, w[1].0.offset)));
        let mut buf = Vec::new();
        for group in wanted.chunk_by(|a, b| a.0.input == b.0.input) {
            let src = &self.sources[group[0].0.input as usize];
            let err = |e: io::Error| Error::input(src.name.as_str(), e);
            let mut reader = src.refetch().map_err(err)?;
            for &(loc, tag) in group {
                reader.skip_to(loc.offset).map_err(err)?;
                buf.resize(loc.len as usize, 0);
                reader.read_exact(&mut buf).map_err(|e| match e.kind() {
                    io::ErrorKind::UnexpectedEof => Error::InputChanged {
                        path: src.name.clone(),
                        message: format!("{} is gone", src.format.unit().describe(loc.line)),
                    },
                    _ => err(e),
                })?;
                if xxh3_64(&buf) != loc.checksum {
                    return Err(Error::InputChanged {
                        path: src.name.clone(),
                        message: format!(
                            "{} is not what was read before",
                            src.format.unit().describe(loc.line)
                        ),
                    });
                }
                f(tag, &buf)?;
            }
        }
        Ok(())
    }
}

/// Most inputs [`InputSet::direct`] keeps open at once; a set of more (a directory of HTML
/// files) is read again in order instead.
const MAX_DIRECT_FILES: usize = 256;

impl InputSet {
    /// True when [`InputSet::direct`] gives positioned reads: every input is uncompressed or
    /// was copied decompressed by [`InputSet::scan`], there are at most 256 inputs, and the
    /// platform reads a shared file by position.
    pub fn reads_by_position(&self) -> bool {
        cfg!(unix)
            && self.sources.len() <= MAX_DIRECT_FILES
            && self.sources.iter().all(|s| {
                s.spool.is_some()
                    || s.broken.is_some()
                    || (s.compression == Compression::None && s.path.is_some())
            })
    }

    /// Positioned reads of the units recorded by [`InputSet::scan`], in any order and from
    /// several threads: `None` when some input is compressed and was not copied by
    /// [`InputSet::scan`] (its units can only be reached by decompressing it in order; see
    /// [`InputSet::set_copy_budget`]), when the set has more than 256 inputs, or on a platform
    /// without positioned reads of a shared file. Use [`InputSet::fetch`] then.
    ///
    /// # Errors
    /// An input that cannot be opened again.
    pub fn direct(&self) -> Result<Option<DirectReader<'_>>> {
        if !self.reads_by_position() {
            return Ok(None);
        }
        let files = self
            .sources
            .iter()
            .map(|s| {
                let err = |e| Error::input(s.name.as_str(), e);
                match (&s.spool, &s.path) {
                    (Some(spool), _) => spool.try_clone().map(Some).map_err(err),
                    (None, Some(path)) => File::open(path).map(Some).map_err(err),
                    // A broken directory entry: it has no unit to read.
                    (None, None) => Ok(None),
                }
            })
            .collect::<Result<Vec<Option<File>>>>()?;
        Ok(Some(DirectReader { set: self, files }))
    }
}

/// Positioned reads of the units of uncompressed inputs: see [`InputSet::direct`].
#[derive(Debug)]
pub struct DirectReader<'a> {
    set: &'a InputSet,
    files: Vec<Option<File>>,
}

impl DirectReader<'_> {
    /// The bytes of the unit at `loc` into `buf`, checked against what the first pass read,
    /// as [`InputSet::fetch`] checks them.
    ///
    /// # Errors
    /// [`Error::InputChanged`] when the unit is gone or its bytes differ; a failing read.
    pub fn read(&self, loc: &Location, buf: &mut Vec<u8>) -> Result<()> {
        let src = &self.set.sources[loc.input as usize];
        buf.resize(loc.len as usize, 0);
        let file = self.files[loc.input as usize]
            .as_ref()
            .ok_or_else(|| Error::input(src.name.as_str(), io::Error::other("nothing to read")))?;
        crate::fsutil::read_at(file, buf, loc.offset).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => Error::InputChanged {
                path: src.name.clone(),
                message: format!("{} is gone", src.format.unit().describe(loc.line)),
            },
            _ => Error::input(src.name.as_str(), e),
        })?;
        if xxh3_64(buf) != loc.checksum {
            return Err(Error::InputChanged {
                path: src.name.clone(),
                message: format!(
                    "{} is not what was read before",
                    src.format.unit().describe(loc.line)
                ),
            });
        }
        Ok(())
    }
}

impl Source {
    /// A reader of this input for the second pass: its spool or decompressed copy when it has
    /// one, else the file itself.
    fn refetch(&self) -> io::Result<Refetch> {
        if let Some(spool) = &self.spool {
            return Ok(Refetch::positioned(spool.try_clone()?));
        }
        match &self.path {
            Some(path) => Refetch::new(File::open(path)?, self.compression),
            None => Err(io::Error::other("the input has no unit to read again")),
        }
    }
}

/// A reader positioned by byte offset: seeks in plain files, decompresses and skips otherwise.
struct Refetch {
    inner: Box<dyn BufRead + Send>,
    seekable: Option<BufReader<PosReader>>,
    pos: u64,
}

impl Refetch {
    fn new(file: File, compression: Compression) -> io::Result<Refetch> {
        Ok(match compression {
            Compression::None => Refetch::positioned(file),
            _ => Refetch {
                inner: decompressed(file)?.1,
                seekable: None,
                pos: 0,
            },
        })
    }

    /// Reads `file` as it is, by position.
    fn positioned(file: File) -> Refetch {
        Refetch {
            inner: Box::new(io::empty()),
            seekable: Some(BufReader::with_capacity(1 << 16, PosReader::new(file))),
            pos: 0,
        }
    }

    fn skip_to(&mut self, offset: u64) -> io::Result<()> {
        let gap = offset
            .checked_sub(self.pos)
            .expect("locations sorted by offset");
        if gap > 0 {
            match &mut self.seekable {
                Some(r) => r.seek_relative(gap as i64)?,
                None => {
                    let copied = io::copy(&mut (&mut self.inner).take(gap), &mut io::sink())?;
                    if copied < gap {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
            }
            self.pos = offset;
        }
        Ok(())
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        match &mut self.seekable {
            Some(r) => r.read_exact(buf)?,
            None => self.inner.read_exact(buf)?,
        }
        self.pos += buf.len() as u64;
        Ok(())
    }
}

/// Returns true when `path` names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines_of(set: &mut InputSet) -> Vec<(Location, Vec<u8>)> {
        let mut out = Vec::new();
        set.scan(7, 1 << 20, |b| {
            out.extend(b.lines().map(|l| match l.content {
                Content::Bytes(b) => (l.location, b.to_vec()),
                other => panic!("{other:?}"),
            }));
            Ok(())
        })
        .unwrap();
        out
    }

    /// The lines read from `p` with decompressed copies of at most `budget` bytes, checked
    /// against `want` (bodies and line numbers), and read again both ways; returns whether
    /// positioned reads were possible.
    fn read_twice(p: &Path, budget: u64, want: &[(&[u8], u64)]) -> bool {
        let mut set = InputSet::open(&[p.to_path_buf()]).unwrap();
        set.set_copy_budget(budget);
        let got = lines_of(&mut set);
        let seen: Vec<(&[u8], u64)> = got.iter().map(|(l, b)| (b.as_slice(), l.line)).collect();
        assert_eq!(seen, want, "{}", p.display());
        let last = got.len() - 1;
        let wanted: Vec<(Location, usize)> = vec![(got[0].0, 0), (got[last].0, last)];
        let mut back = Vec::new();
        set.fetch(&wanted, |i, b| {
            back.push((i, b.to_vec()));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            back,
            vec![(0, got[0].1.clone()), (last, got[last].1.clone())]
        );
        // Positioned reads: the same bytes in any order.
        let direct = set.direct().unwrap();
        if let Some(reader) = &direct {
            for (loc, bytes) in got.iter().rev() {
                let mut buf = Vec::new();
                reader.read(loc, &mut buf).unwrap();
                assert_eq!(&buf, bytes);
            }
        }
        direct.is_some()
    }

    /// `text` written plain, gzip (no extension) and zstd into `dir`.
    fn three_ways(dir: &Path, text: &[u8]) -> [PathBuf; 3] {
        let plain = dir.join("p.jsonl");
        std::fs::write(&plain, text).unwrap();
        let gz = dir.join("noext");
        let mut enc = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), Default::default());
        enc.write_all(text).unwrap();
        enc.finish().unwrap();
        let zs = dir.join("z.jsonl.zst");
        std::fs::write(&zs, zstd::encode_all(text, 3).unwrap()).unwrap();
        [plain, gz, zs]
    }

    #[test]
    fn plain_gzip_and_zstd_read_the_same_and_refetch() {
        let text = b"{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}";
        let dir = tempfile::tempdir().unwrap();
        let want: [(&[u8], u64); 3] = [(b"{\"a\":1}", 1), (b"{\"b\":2}", 4), (b"{\"c\":3}", 5)];
        for p in three_ways(dir.path(), text) {
            // Compressed files are copied as they are decompressed, and then read by position.
            assert!(read_twice(&p, COPY_BUDGET, &want));
            // Without copies, only the plain file is.
            let plain = p.ends_with("p.jsonl");
            assert_eq!(read_twice(&p, 0, &want), plain);
        }
    }

    #[test]
    fn a_copy_past_its_budget_is_given_up() {
        let line = b"{\"text\":\"the same line again\"}\n";
        let text = line.repeat(400);
        let want: Vec<(&[u8], u64)> = (1..=400).map(|i| (&line[..line.len() - 1], i)).collect();
        let dir = tempfile::tempdir().unwrap();
        for p in three_ways(dir.path(), &text) {
            let plain = p.ends_with("p.jsonl");
            let size = std::fs::metadata(&p).unwrap().len();
            // Room for a copy to start (twice the compressed size), not for the whole text.
            let budget = 2 * size + 100;
            if !plain {
                assert!(budget < text.len() as u64, "{}", p.display());
            }
            assert_eq!(read_twice(&p, budget, &want), plain, "{}", p.display());
            assert!(read_twice(&p, text.len() as u64, &want));
        }
    }

    #[test]
    fn changed_input_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.jsonl");
        std::fs::write(&p, "{\"a\":1}\n{\"b\":2}\n").unwrap();
        let mut set = InputSet::open(std::slice::from_ref(&p)).unwrap();
        let got = lines_of(&mut set);
        std::fs::write(&p, "{\"a\":1}\n{\"b\":3}\n").unwrap();
        let e = set.fetch(&[(got[1].0, ())], |_, _| Ok(())).unwrap_err();
        assert!(matches!(e, Error::InputChanged { .. }), "{e}");
        let reader = set.direct().unwrap().expect("a plain file");
        let mut buf = Vec::new();
        reader.read(&got[0].0, &mut buf).unwrap();
        let e = reader.read(&got[1].0, &mut buf).unwrap_err();
        assert!(
            e.to_string().contains("line 2 is not what was read before"),
            "{e}"
        );
        std::fs::write(&p, "{\"a\":1}\n").unwrap();
        let e = reader.read(&got[1].0, &mut buf).unwrap_err();
        assert!(e.to_string().contains("line 2 is gone"), "{e}");
    }

    #[test]
    fn compressions_are_told_by_their_magic_bytes() {
        use Compression::*;
        for (head, want) in [
            (&b"\x1f\x8b\x08"[..], Gzip),
            (b"\x28\xb5\x2f\xfd", Zstd),
            (b"\x50\x2a\x4d\x18\x04\0\0\0", Zstd),
            (b"\x5f\x2a\x4d\x18", Zstd),
            (b"\x60\x2a\x4d\x18", None),
            (b"\xfd7zXZ\x00\x00", Xz),
            (b"BZh91AY&SY", Bzip2),
            (b"BZhang said", None),
            (b"{\"id\":1}", None),
            (b"", None),
        ] {
            assert_eq!(Compression::detect(head), want, "{head:?}");
        }
    }

    /// The units `read_lines` gives for `bytes`: good lines and bad messages.
    fn units(bytes: &[u8]) -> (Vec<Vec<u8>>, Vec<String>) {
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        read_lines(bytes, 1 << 20, |l| match l.content {
            Content::Bytes(b) => good.push(b.to_vec()),
            Content::Bad(m) => bad.push(m.to_string()),
            Content::Skipped => {}
        });
        (good, bad)
    }

    #[test]
    fn zero_padding_after_gzip_members_is_ignored_and_garbage_is_not() {
        let gz = |t: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), Default::default());
            e.write_all(t).unwrap();
            e.finish().unwrap()
        };
        let mut bytes = gz(b"{\"a\":1}\n");
        bytes.extend(gz(b"{\"b\":2}\n"));
        bytes.extend([0u8; 4096]);
        assert_eq!(
            units(&bytes),
            (vec![b"{\"a\":1}".to_vec(), b"{\"b\":2}".to_vec()], vec![])
        );
        bytes.push(7);
        let (good, bad) = units(&bytes);
        assert_eq!(good.len(), 2);
        assert_eq!(bad.len(), 1, "{bad:?}");
        // Not gzip after a member: as flate2's MultiGzDecoder, an error.
        let mut bytes = gz(b"{\"a\":1}\n");
        bytes.extend(b"{\"b\":2}\n");
        assert_eq!(units(&bytes).1.len(), 1);
    }

    #[test]
    fn xz_and_bzip2_are_one_bad_unit_naming_the_format() {
        let (good, bad) = units(b"\xfd7zXZ\x00\x00\x04 and the rest\n\xff\n");
        assert!(good.is_empty());
        assert_eq!(bad.len(), 1);
        assert!(bad[0].starts_with("xz-compressed, which neardup does not read"));
        let (_, bad) = units(b"BZh91AY&SY\n");
        assert!(bad[0].starts_with("bzip2-compressed"), "{bad:?}");
    }

    #[test]
    fn missing_file_is_an_input_error() {
        let e = InputSet::open(&[PathBuf::from("/no/such/file.jsonl")]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
