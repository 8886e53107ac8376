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
}

/// What a unit of a [`Batch`] holds.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    /// The unit's bytes (a line without its terminator, a WARC record, a file).
    Bytes(&'a [u8]),
    /// A WARC record that is not an article, judged from its headers; its bytes were not kept.
    Skipped,
    /// A unit that cannot be read (a malformed WARC record): what is wrong.
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
    Bad(Box<str>),
}

/// A run of consecutive units read together, so that they can be parsed in parallel.
#[derive(Debug, Default)]
pub struct Batch {
    data: Vec<u8>,
    lines: Vec<(Location, usize, EntryKind)>,
}

impl Batch {
    /// The units of the batch, in input order.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = LineRef<'_>> + '_ {
        self.lines.iter().map(move |(location, start, kind)| {
            let (format, content) = match kind {
                EntryKind::Data(f) => (
                    *f,
                    Content::Bytes(&self.data[*start..*start + location.len as usize]),
                ),
                EntryKind::Skipped => (Format::Warc, Content::Skipped),
                EntryKind::Bad(m) => (Format::Warc, Content::Bad(m)),
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
    spool: File,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.spool.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// True when a decompressed stream starts like a WARC file.
fn is_warc(reader: &mut dyn BufRead) -> io::Result<bool> {
    Ok(reader.fill_buf()?.starts_with(b"WARC/"))
}

/// The inputs of one run, in the order given.
#[derive(Debug)]
pub struct InputSet {
    sources: Vec<Source>,
    skipped_files: Vec<PathBuf>,
}

impl InputSet {
    /// Checks that every named file can be opened and lists the files of named directories;
    /// `-` is standard input (at most once).
    pub fn open(paths: &[PathBuf]) -> Result<InputSet> {
        let mut set = InputSet {
            sources: Vec::with_capacity(paths.len()),
            skipped_files: Vec::new(),
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
                });
                continue;
            }
            let meta = std::fs::metadata(p).map_err(|e| Error::input(p, e))?;
            if meta.is_dir() {
                set.open_dir(p)?;
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
    /// temporary file on the way so that [`InputSet::fetch`] can read it again. Reading (and
    /// decompressing) runs on a thread of its own, one or two batches ahead of `f`.
    pub fn scan(
        &mut self,
        batch_bytes: usize,
        mut f: impl FnMut(&Batch) -> Result<()>,
    ) -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch>>(2);
        let sources = &mut self.sources;
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let sent = read_batches(sources, batch_bytes, |b| tx.send(Ok(b)).is_ok());
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
            return (self.send)(std::mem::take(&mut self.batch));
        }
        true
    }
}

/// The reading loop of [`InputSet::scan`]: hands each full batch to `send`, and stops early
/// (successfully) when `send` returns false because nobody listens any more.
fn read_batches(
    sources: &mut [Source],
    batch_bytes: usize,
    send: impl FnMut(Batch) -> bool,
) -> Result<()> {
    let mut out = Batcher {
        batch: Batch::default(),
        batch_bytes,
        send,
    };
    for (i, source) in sources.iter_mut().enumerate() {
        let display = source.name.clone();
        let err = |e: io::Error| Error::input(display.as_str(), e);
        let mut reader: Box<dyn BufRead + Send> = match &source.path {
            Some(path) => decompressed(File::open(path).map_err(err)?).map_err(err)?.1,
            None => {
                let spool = tempfile::Builder::new()
                    .prefix("neardup-stdin-")
                    .tempfile()
                    .map_err(|e| Error::output("temporary spool file", e))?;
                let mut inner = decompressed(io::stdin()).map_err(err)?.1;
                if is_warc(&mut inner).map_err(err)? {
                    source.format = Format::Warc;
                }
                let tee = Tee {
                    inner,
                    spool: spool.reopen().map_err(|e| Error::output(spool.path(), e))?,
                };
                source.path = Some(spool.path().to_path_buf());
                source.spool = Some(spool);
                Box::new(BufReader::with_capacity(1 << 16, tee))
            }
        };
        let input = i as u32;
        let go_on = match source.format {
            Format::Warc => read_warc(&mut reader, input, &mut out).map_err(err)?,
            Format::Text | Format::Html => {
                let start = out.batch.data.len();
                reader.read_to_end(&mut out.batch.data).map_err(err)?;
                out.push(input, 1, 0, start, source.format).map_err(err)?
            }
            Format::Json => {
                let (go_on, format) = read_json(&mut reader, input, &mut out).map_err(err)?;
                source.format = format;
                go_on
            }
            Format::Jsonl | Format::JsonDoc => {
                read_lines(&mut reader, input, &mut out, Vec::new(), 0, 0).map_err(err)?
            }
        };
        if !go_on {
            return Ok(());
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

/// Reads JSON Lines; `first` is a line already read (at `offset`, numbered `line_no + 1`).
fn read_lines(
    reader: &mut dyn BufRead,
    input: u32,
    out: &mut Batcher<impl FnMut(Batch) -> bool>,
    first: Vec<u8>,
    mut offset: u64,
    mut line_no: u64,
) -> io::Result<bool> {
    let mut first = Some(first).filter(|f| !f.is_empty());
    loop {
        let start = out.batch.data.len();
        let n = match first.take() {
            Some(f) => {
                out.batch.data.extend_from_slice(&f);
                f.len()
            }
            None => reader.read_until(b'\n', &mut out.batch.data)?,
        };
        if n == 0 {
            return Ok(true);
        }
        line_no += 1;
        let data = &mut out.batch.data;
        let mut end = data.len();
        if data[end - 1] == b'\n' {
            end -= 1;
            if end > start && data[end - 1] == b'\r' {
                end -= 1;
            }
        }
        if data[start..end].iter().all(u8::is_ascii_whitespace) {
            data.truncate(start);
        } else {
            data.truncate(end);
            if !out.push(input, line_no, offset, start, Format::Jsonl)? {
                return Ok(false);
            }
        }
        offset += n as u64;
    }
}

/// Reads a `.json` file: JSON Lines when its first non-blank line is a JSON value by itself,
/// else one document. Returns whether to go on and the format found.
fn read_json(
    reader: &mut dyn BufRead,
    input: u32,
    out: &mut Batcher<impl FnMut(Batch) -> bool>,
) -> io::Result<(bool, Format)> {
    let mut head = Vec::new();
    let (mut offset, mut line_no) = (0u64, 0u64);
    let first = loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok((true, Format::Jsonl)); // blank file: no document
        }
        if !line.trim_ascii().is_empty() {
            break line;
        }
        offset += line.len() as u64;
        line_no += 1;
        head.extend_from_slice(&line);
    };
    if serde_json::from_slice::<serde::de::IgnoredAny>(&first).is_ok() {
        let go_on = read_lines(reader, input, out, first, offset, line_no)?;
        return Ok((go_on, Format::Jsonl));
    }
    let start = out.batch.data.len();
    out.batch.data.extend_from_slice(&head);
    out.batch.data.extend_from_slice(&first);
    reader.read_to_end(&mut out.batch.data)?;
    Ok((
        out.push(input, 1, 0, start, Format::JsonDoc)?,
        Format::JsonDoc,
    ))
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
                let go_on = out.mark(input, record, offset, EntryKind::Bad(message.into()));
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
        set.scan(7, |b| {
            out.extend(b.lines().map(|l| match l.content {
                Content::Bytes(b) => (l.location, b.to_vec()),
                other => panic!("{other:?}"),
            }));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn plain_gzip_and_zstd_read_the_same_and_refetch() {
        let text = b"{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}";
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("p.jsonl");
        std::fs::write(&plain, text).unwrap();
        let gz = dir.path().join("noext");
        let mut enc = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), Default::default());
        enc.write_all(text).unwrap();
        enc.finish().unwrap();
        let zs = dir.path().join("z.jsonl.zst");
        std::fs::write(&zs, zstd::encode_all(&text[..], 3).unwrap()).unwrap();
        for p in [&plain, &gz, &zs] {
            let mut set = InputSet::open(std::slice::from_ref(p)).unwrap();
            let got = lines_of(&mut set);
            let bodies: Vec<&[u8]> = got.iter().map(|(_, b)| b.as_slice()).collect();
            assert_eq!(bodies, vec![&b"{\"a\":1}"[..], b"{\"b\":2}", b"{\"c\":3}"]);
            assert_eq!(
                got.iter().map(|(l, _)| l.line).collect::<Vec<_>>(),
                vec![1, 4, 5]
            );
            let wanted: Vec<(Location, usize)> = vec![(got[0].0, 0), (got[2].0, 2)];
            let mut back = Vec::new();
            set.fetch(&wanted, |i, b| {
                back.push((i, b.to_vec()));
                Ok(())
            })
            .unwrap();
            assert_eq!(back, vec![(0, got[0].1.clone()), (2, got[2].1.clone())]);
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
    }

    #[test]
    fn missing_file_is_an_input_error() {
        let e = InputSet::open(&[PathBuf::from("/no/such/file.jsonl")]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
