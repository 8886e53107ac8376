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
//!
//! Files: this one holds the public types, [`parse`] and what an [`InputSet`] tells of its
//! inputs; `open` opens the inputs (compression, directories, formats), `scan` is the first
//! pass (units, batches, the spool of streams), `copies` the decompressed copies of compressed
//! files, [`reread`] the second pass (units read back by location, and documents parsed
//! again), and [`pages`] the records the first pass extracted from web pages, which the second
//! pass reads back rather than extracting a page twice. The formats are read by [`jsonl`],
//! [`html`] (with `article` choosing a page's text) and [`warc`]; [`charset`] decodes pages
//! and text files.

mod article;
pub mod charset;
mod copies;
pub mod html;
pub mod jsonl;
pub mod labels;
mod open;
pub mod pages;
pub mod parquet;
pub mod reread;
mod scan;
#[cfg(test)]
mod tests;
pub mod warc;

pub use pages::PageSpool;
pub use reread::DirectReader;
pub use scan::read_lines;

use crate::config::FieldNames;
use crate::document::{Location, Record, Unit};
use crate::error::Result;
use std::fs::File;
use std::path::{Path, PathBuf};

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
    /// A whole file of plain text (a byte-order mark, else UTF-8, else the encoding detected:
    /// [`charset::decode_plain`]).
    Text,
    /// A whole file of HTML: the article is extracted ([`html::extract`]).
    Html,
    /// A WARC or WET file: one unit a record ([`warc::parse_record`]).
    Warc,
    /// A Parquet file (recognised by its `PAR1` magic, whatever its name, or a `.parquet` file
    /// in a directory): one unit a row, read as the JSON object of its configured fields
    /// ([`parquet::read_rows`]).
    Parquet,
}

impl Format {
    /// What a location's `line` counts in this format.
    pub fn unit(self) -> Unit {
        match self {
            Format::Jsonl | Format::Json => Unit::Line,
            Format::Warc => Unit::Record,
            Format::Parquet => Unit::Row,
            Format::JsonDoc | Format::Text | Format::Html => Unit::File,
        }
    }

    /// True for the formats whose units become documents by extracting the article from a web
    /// page (HTML files, WARC records): what a [`PageSpool`] keeps.
    pub fn extracts(self) -> bool {
        matches!(self, Format::Html | Format::Warc)
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
            "parquet" | "parq" => Format::Parquet,
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

/// Under test: the xxh3 of every unit [`parse`] read in a format that [`Format::extracts`], so
/// that a test can count how many times a page was extracted.
#[cfg(test)]
pub(crate) static EXTRACTED: std::sync::Mutex<Vec<u64>> = std::sync::Mutex::new(Vec::new());

/// Turns one unit of input (a line, a WARC record, a whole file) into a document. The error is
/// the message to print after the file and unit.
pub fn parse(format: Format, bytes: &[u8], fields: &FieldNames) -> Result<Parsed, String> {
    #[cfg(test)]
    if format.extracts() {
        EXTRACTED
            .lock()
            .unwrap()
            .push(xxhash_rust::xxh3::xxh3_64(bytes));
    }
    match format {
        Format::Jsonl | Format::Json | Format::JsonDoc => {
            jsonl::parse_record(bytes, fields).map(Parsed::Doc)
        }
        Format::Parquet => parquet::parse_row(bytes, fields).map(Parsed::Doc),
        Format::Text => Ok(Parsed::Doc(Record {
            text: charset::decode_plain(bytes).into_owned(),
            ..Record::default()
        })),
        Format::Html => {
            let page = html::extract(&charset::decode(bytes, None, None));
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

/// One input: a file named on the command line or found in a named directory, standard input,
/// or a named pipe.
#[derive(Debug)]
struct Source {
    /// Name used in messages and generated ids: the path as given (joined to the directory's
    /// path as given), or `stdin`.
    name: String,
    /// What is read, and what the second pass reads again.
    origin: Origin,
    /// The format; settled by the first pass for `.json` files and standard input.
    format: Format,
    /// A Parquet file's size and modification time when the first pass read it, so that a
    /// later pass that reads the file itself (the Parquet outputs of `dedupe`) can tell that
    /// it changed.
    stamp: Option<FileStamp>,
}

/// A file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl FileStamp {
    fn of(meta: &std::fs::Metadata) -> FileStamp {
        FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// What an input reads from. The spool of a stream and the decompressed copy of a compressed
/// file are temporary files without a name (unlinked at once), so that nothing is left in
/// `TMPDIR` however the run ends; the second pass reads them by position.
#[derive(Debug)]
enum Origin {
    /// A regular file, read up to the size it had when the first pass opened it.
    File {
        /// The file.
        path: PathBuf,
        /// How its bytes are stored.
        compression: Compression,
        /// Found in a named directory (not named on the command line): a failure to open it
        /// in the first pass is a bad unit, not the end of the run.
        found: bool,
        /// The complete decompressed copy of a compressed file, once the first pass made one
        /// within the copy budget: read again in its place.
        copy: Option<File>,
    },
    /// Standard input: read once, in order.
    Stdin {
        /// Its units, one after the other, once the first pass has read it.
        spool: Option<File>,
    },
    /// A named pipe or other file that is not a regular one (`<(zcat a.gz)`): read once, in
    /// order, and spooled as standard input is.
    Pipe {
        /// The pipe.
        path: PathBuf,
        /// Its units, one after the other, once the first pass has read it.
        spool: Option<File>,
    },
    /// A directory entry that cannot be read (a dangling symbolic link, a loop, a file that
    /// cannot be opened): what is wrong, reported as its one bad unit.
    Broken(String),
}

impl Origin {
    /// True for standard input and named pipes, which are spooled.
    fn is_stream(&self) -> bool {
        matches!(self, Origin::Stdin { .. } | Origin::Pipe { .. })
    }

    /// What the second pass reads by position instead of the input: the spool of a stream, or
    /// the decompressed copy of a compressed file.
    fn again(&self) -> Option<&File> {
        match self {
            Origin::File { copy, .. } => copy.as_ref(),
            Origin::Stdin { spool } | Origin::Pipe { spool, .. } => spool.as_ref(),
            Origin::Broken(_) => None,
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

/// The inputs of one run, in the order given.
#[derive(Debug)]
pub struct InputSet {
    sources: Vec<Source>,
    skipped_files: Vec<PathBuf>,
    copy_budget: u64,
    stream_limit: u64,
    /// Bytes read from standard input and named pipes, and bytes of them spooled.
    streamed: Option<(u64, u64)>,
    /// The records the first pass extracted from pages ([`InputSet::keep_pages`]).
    pages: Option<PageSpool>,
}

/// Bytes of decompressed copies of compressed inputs that [`InputSet::scan`] makes by default:
/// see [`InputSet::set_copy_budget`].
pub const COPY_BUDGET: u64 = 1 << 30;

/// Bytes that may be read from standard input and named pipes by default (16 GiB): see
/// [`InputSet::set_stream_limit`].
pub const STREAM_LIMIT: u64 = 16 << 30;

impl InputSet {
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
            .filter_map(|s| match &s.origin {
                Origin::Pipe { path, .. }
                | Origin::File {
                    path, copy: None, ..
                } => Some(path.as_path()),
                _ => None,
            })
            .collect()
    }

    /// The total size of the inputs in bytes, when every input is a plain file (compressed
    /// files and standard input have no size known in advance): for progress reports.
    pub fn total_bytes(&self) -> Option<u64> {
        self.sources
            .iter()
            .map(|s| match &s.origin {
                // The rows of a Parquet file are not its bytes.
                Origin::File { .. } if s.format == Format::Parquet => None,
                Origin::File {
                    path,
                    compression: Compression::None,
                    ..
                } => std::fs::metadata(path).ok().map(|m| m.len()),
                Origin::Broken(_) => Some(0),
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

    /// Keeps the records the first pass extracted from pages (finished: see
    /// [`PageSpool::finish`]), so that [`reread::reparse`] reads them back instead of
    /// extracting the pages again; `None` drops them.
    pub fn keep_pages(&mut self, pages: Option<PageSpool>) {
        self.pages = pages;
    }

    /// The records kept by [`InputSet::keep_pages`], if any.
    pub fn pages(&self) -> Option<&PageSpool> {
        self.pages.as_ref()
    }

    /// The name of input `i` as used in messages and generated ids.
    pub fn name(&self, i: u32) -> &str {
        &self.sources[i as usize].name
    }

    /// The format of input `i` (settled once [`InputSet::scan`] has read it).
    pub fn format(&self, i: u32) -> Format {
        self.sources[i as usize].format
    }

    /// The file input `i` reads, when it is a regular file (named, or found in a directory).
    pub fn path(&self, i: u32) -> Option<&Path> {
        match &self.sources[i as usize].origin {
            Origin::File { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Opens the Parquet file of input `i` again, after [`InputSet::scan`] read it, checking
    /// that it has kept the size and modification time it had then.
    ///
    /// # Errors
    /// [`Error::InputChanged`](crate::Error::InputChanged) when the input is not a Parquet
    /// file that the first pass read, or when it changed since; an input error when it cannot
    /// be opened.
    pub fn reopen_parquet(&self, i: u32) -> Result<File> {
        let source = &self.sources[i as usize];
        let changed = |message: &str| crate::Error::InputChanged {
            path: source.name.clone(),
            message: message.to_string(),
        };
        let (Some(path), Some(stamp)) = (self.path(i), source.stamp) else {
            return Err(changed("not a Parquet file read by the first pass"));
        };
        let file = File::open(path).map_err(|e| crate::Error::input(path, e))?;
        let now = file.metadata().map_err(|e| crate::Error::input(path, e))?;
        if FileStamp::of(&now) != stamp {
            return Err(changed(
                "its size or modification time changed since it was read",
            ));
        }
        Ok(file)
    }
}

/// Returns true when `path` names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}
