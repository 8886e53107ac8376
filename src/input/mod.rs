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
//! decompressed again from the start, skipping what is not wanted; standard input is copied to
//! a temporary spool file during the first pass and then re-read like a plain file.

pub mod html;
pub mod jsonl;
pub mod labels;
pub mod warc;

use crate::config::FieldNames;
use crate::document::{Location, Unit};
use crate::error::{Error, Result};
use jsonl::Record;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// How an input's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (magic `1f 8b`), one or more members.
    Gzip,
    /// Zstandard (magic `28 b5 2f fd`).
    Zstd,
}

impl Compression {
    /// Detects the compression from the first bytes of a stream.
    pub fn detect(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// Peeks at the magic bytes of `raw` and returns a reader of the decompressed bytes.
fn decompressed<'a, R: Read + Send + 'a>(
    raw: R,
) -> io::Result<(Compression, Box<dyn BufRead + Send + 'a>)> {
    let mut buf = BufReader::with_capacity(1 << 16, raw);
    let head = buf.fill_buf()?;
    let kind = Compression::detect(head);
    let reader: Box<dyn BufRead + Send> = match kind {
        Compression::None => Box::new(buf),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(buf),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::stream::read::Decoder::with_buffer(buf)?,
        )),
    };
    Ok((kind, reader))
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

    /// The format a file name says, looking through `.gz`/`.zst`; `None` when it says nothing
    /// neardup reads.
    pub fn from_name(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = [".gz", ".zst", ".zstd"]
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
    /// The file to read; for standard input, the spool file once the first pass is done.
    path: Option<PathBuf>,
    /// Compression of `path` (a spool file is never compressed).
    compression: Compression,
    /// The format; settled by the first pass for `.json` files and standard input.
    format: Format,
    /// Spool of standard input, kept alive until the set is dropped.
    spool: Option<tempfile::NamedTempFile>,
    /// A named pipe or other file that is not a regular one (`<(zcat a.gz)`): read once, in
    /// order, and spooled as standard input is.
    stream: Option<PathBuf>,
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

/// Copies everything read through it into a spool file.
struct Tee<R> {
    inner: R,
    /// Where the copy goes; `None` once a copy that may be given up was given up.
    spool: Option<File>,
    /// `None` for standard input, whose copy is the only way back to its units: a failed
    /// write is then an error. `Some` for the copy of a compressed file, which is given up
    /// (and the file decompressed again when it is read again) when a write fails or the
    /// copies would grow past their budget.
    budget: Option<std::sync::Arc<CopyBudget>>,
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
        match &self.budget {
            None => spool
                .write_all(&buf[..n])
                .map_err(|e| io::Error::other(SpoolError(e)))?,
            Some(budget) => {
                let room = budget.room.load(Relaxed);
                if n as u64 > room || spool.write_all(&buf[..n]).is_err() {
                    budget.gave_up.store(true, Relaxed);
                    self.spool = None;
                } else {
                    budget.room.store(room - n as u64, Relaxed);
                }
            }
        }
        Ok(n)
    }
}

/// A failed write to the standard input spool: an output error, not a bad input.
#[derive(Debug)]
struct SpoolError(io::Error);

impl std::fmt::Display for SpoolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SpoolError {}

/// Sorts a read error: a failed write to the standard input spool is an output error (fatal);
/// anything else is the input's fault, returned as the message of its last, bad unit.
fn read_failure(e: io::Error) -> Result<String> {
    if let Some(spool) = e.get_ref().and_then(|x| x.downcast_ref::<SpoolError>()) {
        return Err(Error::output(
            "temporary spool file of standard input",
            io::Error::new(spool.0.kind(), spool.0.to_string()),
        ));
    }
    Ok(format!(
        "cannot read further ({e}): the input is truncated or corrupt; the rest of it is skipped"
    ))
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
}

/// Bytes of decompressed copies of compressed inputs that [`InputSet::scan`] makes by default:
/// see [`InputSet::set_copy_budget`].
pub const COPY_BUDGET: u64 = 1 << 30;

impl InputSet {
    /// Checks that every named file can be opened and lists the files of named directories;
    /// `-` is standard input (at most once).
    pub fn open(paths: &[PathBuf]) -> Result<InputSet> {
        let mut set = InputSet {
            sources: Vec::with_capacity(paths.len()),
            skipped_files: Vec::new(),
            copy_budget: COPY_BUDGET,
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
                set.sources.push(Source {
                    name: "stdin".into(),
                    path: None,
                    compression: Compression::None,
                    format: Format::Jsonl,
                    spool: None,
                    stream: None,
                });
                continue;
            }
            let meta = std::fs::metadata(p).map_err(|e| Error::input(p, e))?;
            if meta.is_dir() {
                set.open_dir(p)?;
            } else if !meta.is_file() {
                // Nothing may be read from a pipe before the first pass: what is read is gone.
                set.sources.push(Source {
                    name: p.display().to_string(),
                    path: None,
                    compression: Compression::None,
                    format: Format::from_name(p).unwrap_or(Format::Jsonl),
                    spool: None,
                    stream: Some(p.to_path_buf()),
                });
            } else {
                let format = Format::from_name(p).unwrap_or(Format::Jsonl);
                set.push_file(p, format)?;
            }
        }
        Ok(set)
    }

    /// Adds the files under directory `dir`, recursively, in sorted order.
    fn open_dir(&mut self, dir: &Path) -> Result<()> {
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
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(dir).to_path_buf();
                Error::input(path, io::Error::other(e.to_string()))
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            match Format::from_name(entry.path()) {
                Some(format) => self.push_file(entry.path(), format)?,
                None => self.skipped_files.push(entry.into_path()),
            }
        }
        Ok(())
    }

    fn push_file(&mut self, p: &Path, format: Format) -> Result<()> {
        let file = File::open(p).map_err(|e| Error::input(p, e))?;
        let (compression, mut reader) = decompressed(file).map_err(|e| Error::input(p, e))?;
        let format = match is_warc(&mut reader) {
            Ok(true) => Format::Warc,
            // A file that cannot be decompressed fails when it is read, with its name.
            Ok(false) | Err(_) => format,
        };
        self.sources.push(Source {
            name: p.display().to_string(),
            path: Some(p.to_path_buf()),
            compression,
            format,
            spool: None,
            stream: None,
        });
        Ok(())
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
    /// reads (images, stylesheets, ...).
    pub fn skipped_files(&self) -> &[PathBuf] {
        &self.skipped_files
    }

    /// The total size of the inputs in bytes, when every input is a plain file (compressed
    /// files and standard input have no size known in advance): for progress reports.
    pub fn total_bytes(&self) -> Option<u64> {
        self.sources
            .iter()
            .map(|s| match (&s.path, s.compression, &s.spool) {
                (Some(p), Compression::None, None) => std::fs::metadata(p).ok().map(|m| m.len()),
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

    /// The name of input `i` as used in messages and generated ids.
    pub fn name(&self, i: u32) -> &str {
        &self.sources[i as usize].name
    }

    /// The format of input `i` (settled once [`InputSet::scan`] has read it).
    pub fn format(&self, i: u32) -> Format {
        self.sources[i as usize].format
    }

    /// The first pass: reads every input in order and hands its units to `f` in batches of
    /// about `batch_bytes` bytes. Blank lines are skipped. Standard input is spooled to a
    /// temporary file on the way so that [`InputSet::fetch`] can read it again, and so are
    /// compressed files, decompressed, within [`InputSet::set_copy_budget`]. Reading (and
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
        let copy_budget = self.copy_budget;
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let sent = read_batches(sources, batch_bytes, max_line_bytes, copy_budget, |b| {
                    tx.send(Ok(b)).is_ok()
                });
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
}

impl<F: FnMut(Batch) -> bool> Batcher<F> {
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
            return (self.send)(std::mem::replace(&mut self.batch, next));
        }
        true
    }
}

/// The reading loop of [`InputSet::scan`]: hands each full batch to `send`, and stops early
/// (successfully) when `send` returns false because nobody listens any more. A read error in an
/// input becomes its last (bad) unit; only a failed open and a failed spool write are fatal.
/// A temporary file for the decompressed copy of a compressed input of `size` bytes, when
/// the copies still have room for it (at least twice its size: JSON text compresses more
/// than that) and the file can be made; `None` otherwise.
fn copy_file(budget: &CopyBudget, size: u64) -> Option<tempfile::NamedTempFile> {
    use std::sync::atomic::Ordering::Relaxed;
    if size.saturating_mul(2) > budget.room.load(Relaxed) {
        return None;
    }
    tempfile::Builder::new()
        .prefix("neardup-copy-")
        .tempfile()
        .ok()
}

fn read_batches(
    sources: &mut [Source],
    batch_bytes: usize,
    max_line: usize,
    copy_budget: u64,
    send: impl FnMut(Batch) -> bool,
) -> Result<()> {
    use std::sync::atomic::Ordering::Relaxed;
    let mut out = Batcher {
        batch: Batch::with_room(batch_bytes),
        batch_bytes,
        send,
    };
    // Positioned reads serve at most `MAX_DIRECT_FILES` inputs: past that, copies would only
    // take disk (and a file handle each).
    let budget = std::sync::Arc::new(CopyBudget {
        room: std::sync::atomic::AtomicU64::new(if sources.len() <= MAX_DIRECT_FILES {
            copy_budget
        } else {
            0
        }),
        gave_up: std::sync::atomic::AtomicBool::new(false),
    });
    for (i, source) in sources.iter_mut().enumerate() {
        let display = source.name.clone();
        let err = |e: io::Error| Error::input(display.as_str(), e);
        let input = i as u32;
        let mut copy = None;
        let opened = match &source.path {
            Some(path) => {
                let file = File::open(path).map_err(err)?;
                // Read up to the size at open: a file still being appended to is read as it
                // was, and re-read by the second pass within what the first one saw.
                let size = file.metadata().map_err(err)?.len();
                copy = match source.compression {
                    Compression::None => None,
                    _ => copy_file(&budget, size),
                };
                match (decompressed(file.take(size)), &copy) {
                    (Ok((_, inner)), Some(c)) => match c.reopen() {
                        Ok(spool) => {
                            budget.gave_up.store(false, Relaxed);
                            let tee = Tee {
                                inner,
                                spool: Some(spool),
                                budget: Some(std::sync::Arc::clone(&budget)),
                            };
                            Ok(Box::new(BufReader::with_capacity(1 << 16, tee))
                                as Box<dyn BufRead + Send>)
                        }
                        Err(_) => {
                            copy = None;
                            Ok(inner)
                        }
                    },
                    (opened, _) => opened.map(|r| r.1),
                }
            }
            None => {
                let spool = tempfile::Builder::new()
                    .prefix("neardup-stdin-")
                    .tempfile()
                    .map_err(|e| Error::temporary("temporary spool file", e))?;
                let mut inner = match &source.stream {
                    Some(p) => decompressed(File::open(p).map_err(err)?).map_err(err)?.1,
                    None => decompressed(io::stdin()).map_err(err)?.1,
                };
                if is_warc(&mut inner).map_err(err)? {
                    source.format = Format::Warc;
                }
                let tee = Tee {
                    inner,
                    spool: Some(spool.reopen().map_err(|e| Error::output(spool.path(), e))?),
                    budget: None,
                };
                source.path = Some(spool.path().to_path_buf());
                source.spool = Some(spool);
                Ok(Box::new(BufReader::with_capacity(1 << 16, tee)) as Box<dyn BufRead + Send>)
            }
        };
        let mut reader = match opened {
            Ok(reader) => reader,
            Err(e) => {
                let message = format!("cannot read ({e}); the input is skipped");
                let start = out.batch.data.len();
                if !out.bad(input, 1, 0, start, source.format, message) {
                    return Ok(());
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
        if !go_on {
            return Ok(());
        }
        // A complete copy of a compressed file is read again in its place, by position.
        if let Some(c) = copy.filter(|_| !budget.gave_up.load(Relaxed)) {
            source.path = Some(c.path().to_path_buf());
            source.compression = Compression::None;
            source.spool = Some(c);
            continue;
        }
        if let Some(spool) = &source.spool {
            spool
                .as_file()
                .sync_data()
                .map_err(|e| Error::output(spool.path(), e))?;
        }
    }
    if !out.batch.is_empty() {
        (out.send)(out.batch);
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
            let message = read_failure(e)?;
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
                let message = read_failure(e)?;
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
                let message = read_failure(e)?;
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
    let mut out = Batcher {
        batch: Batch::default(),
        batch_bytes: 1 << 16,
        send: |b: Batch| {
            b.lines().for_each(&mut f);
            true
        },
    };
    match decompressed(bytes) {
        Ok((_, mut reader)) => {
            let r = read_jsonl(&mut *reader, 0, max_line_bytes, &mut out, 0, 0);
            debug_assert!(r.is_ok(), "no spool here");
        }
        Err(e) => {
            out.bad(
                0,
                1,
                0,
                0,
                Format::Jsonl,
                format!("cannot read ({e}); the input is skipped"),
            );
        }
    }
    if !out.batch.is_empty() {
        (out.send)(out.batch);
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
            let path = src.path.as_deref().expect("input scanned before fetch");
            let err = |e: io::Error| Error::input(src.name.as_str(), e);
            let file = File::open(path).map_err(err)?;
            let mut reader = Refetch::new(file, src.compression).map_err(err)?;
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
            && self
                .sources
                .iter()
                .all(|s| s.compression == Compression::None && s.path.is_some())
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
                let path = s.path.as_deref().expect("checked above");
                File::open(path).map_err(|e| Error::input(s.name.as_str(), e))
            })
            .collect::<Result<Vec<File>>>()?;
        Ok(Some(DirectReader { set: self, files }))
    }
}

/// Positioned reads of the units of uncompressed inputs: see [`InputSet::direct`].
#[derive(Debug)]
pub struct DirectReader<'a> {
    set: &'a InputSet,
    files: Vec<File>,
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
        crate::verify::read_at(&self.files[loc.input as usize], buf, loc.offset).map_err(|e| {
            match e.kind() {
                io::ErrorKind::UnexpectedEof => Error::InputChanged {
                    path: src.name.clone(),
                    message: format!("{} is gone", src.format.unit().describe(loc.line)),
                },
                _ => Error::input(src.name.as_str(), e),
            }
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

/// A reader positioned by byte offset: seeks in plain files, decompresses and skips otherwise.
struct Refetch {
    inner: Box<dyn BufRead + Send>,
    seekable: Option<BufReader<File>>,
    pos: u64,
}

impl Refetch {
    fn new(file: File, compression: Compression) -> io::Result<Refetch> {
        Ok(match compression {
            Compression::None => Refetch {
                inner: Box::new(io::empty()),
                seekable: Some(BufReader::with_capacity(1 << 16, file)),
                pos: 0,
            },
            _ => Refetch {
                inner: decompressed(file)?.1,
                seekable: None,
                pos: 0,
            },
        })
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
    fn missing_file_is_an_input_error() {
        let e = InputSet::open(&[PathBuf::from("/no/such/file.jsonl")]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
