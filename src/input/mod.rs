//! Readers: JSON Lines files, plain or compressed, and standard input.
//!
//! Owns: opening inputs (compression detected by magic bytes, not by name), cutting them into
//! lines with their [`Location`]s, spooling standard input so it can be read twice, and
//! re-reading chosen lines later by location. Must not: decide what a line means beyond
//! [`jsonl::parse_record`], or keep whole inputs in memory.
//!
//! Re-reading: a plain file is re-read by seeking to each wanted line; a compressed file is
//! decompressed again from the start, skipping what is not wanted; standard input is copied to
//! a temporary spool file during the first pass and then re-read like a plain file.

pub mod jsonl;
pub mod labels;

use crate::document::Location;
use crate::error::{Error, Result};
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

/// One input as the user named it.
#[derive(Debug)]
struct Source {
    /// Name used in messages and generated ids: the path as given, or `stdin`.
    name: String,
    /// The file to read; for standard input, the spool file once the first pass is done.
    path: Option<PathBuf>,
    /// Compression of `path` (a spool file is never compressed).
    compression: Compression,
    /// Spool of standard input, kept alive until the set is dropped.
    spool: Option<tempfile::NamedTempFile>,
}

/// One line of input, borrowed from a [`Batch`].
#[derive(Debug, Clone, Copy)]
pub struct LineRef<'a> {
    /// Where it is. For an unreadable line, `len` is 0 and `checksum` that of no bytes.
    pub location: Location,
    /// Its bytes, without the line terminator and without a leading UTF-8 byte order mark.
    /// Empty for an unreadable line.
    pub bytes: &'a [u8],
    /// Why the line could not be read, when it could not: longer than the line limit, or the
    /// input could not be read (or decompressed) any further from this line on. Such a line
    /// counts as read and rejected, and is never a document.
    pub unreadable: Option<&'a str>,
}

/// A run of consecutive lines read together, so that they can be parsed in parallel.
#[derive(Debug, Default)]
pub struct Batch {
    data: Vec<u8>,
    lines: Vec<(Location, usize)>,
    /// Messages of unreadable lines, by their index in `lines`.
    unreadable: Vec<(usize, String)>,
}

impl Batch {
    /// The lines of the batch, in input order.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = LineRef<'_>> + '_ {
        let mut problems = self.unreadable.iter().peekable();
        self.lines
            .iter()
            .enumerate()
            .map(move |(i, &(location, start))| {
                let unreadable = problems.next_if(|(j, _)| *j == i).map(|(_, m)| m.as_str());
                LineRef {
                    location,
                    bytes: &self.data[start..start + location.len as usize],
                    unreadable,
                }
            })
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when the batch holds no line.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Bytes of line data.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    fn clear(&mut self) {
        self.data.clear();
        self.lines.clear();
        self.unreadable.clear();
    }

    fn push_unreadable(&mut self, input: u32, line: u64, offset: u64, message: String) {
        let location = Location {
            input,
            line,
            offset,
            len: 0,
            checksum: xxh3_64(b""),
        };
        self.unreadable.push((self.lines.len(), message));
        self.lines.push((location, self.data.len()));
    }
}

/// The UTF-8 byte order mark, skipped at the start of an input, and at the start of any line
/// (where `cat` of several files leaves it).
const BOM: &[u8] = b"\xEF\xBB\xBF";

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
    /// A line was appended to the batch (or skipped when blank).
    Line,
}

impl LineCutter {
    fn new(input: u32, max_line: usize) -> LineCutter {
        LineCutter {
            input,
            max_line,
            offset: 0,
            line_no: 0,
        }
    }

    /// Reads the next line of `reader` into `batch`: a line of content, nothing for a blank
    /// line, or an unreadable entry for a line over the limit (whose bytes are read and
    /// dropped, never held). On a read error the partial line is dropped and the error
    /// returned; the caller reports it at line [`LineCutter::line_no`] + 1.
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
            batch.push_unreadable(
                self.input,
                self.line_no,
                offset,
                format!(
                    "line of {content} bytes is longer than the limit of {} bytes (--max-line-bytes); skipped",
                    self.max_line
                ),
            );
            return Ok(Cut::Line);
        }
        let mut first = start;
        let mut offset = offset;
        if batch.data[start..end].starts_with(BOM) {
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
        batch.lines.push((location, start));
        Ok(Cut::Line)
    }
}

/// Cuts `reader` into lines until its end or a read error, handing the batch to `flush`
/// whenever it holds `batch_bytes` bytes or more. A read error (a truncated or corrupt
/// compressed stream, a failing disk) becomes an unreadable line after the last line read,
/// and ends this input. Returns false when `flush` asked to stop.
fn cut_input(
    reader: &mut dyn BufRead,
    input: u32,
    max_line: usize,
    batch_bytes: usize,
    batch: &mut Batch,
    flush: &mut dyn FnMut(&mut Batch) -> bool,
) -> Result<bool, SpoolError> {
    let mut cutter = LineCutter::new(input, max_line);
    loop {
        match cutter.next(reader, batch) {
            Ok(Cut::End) => return Ok(true),
            Ok(Cut::Line) => {}
            Err(e) => {
                if let Some(spool) = e.get_ref().and_then(|x| x.downcast_ref::<SpoolError>()) {
                    return Err(SpoolError(io::Error::new(
                        spool.0.kind(),
                        spool.0.to_string(),
                    )));
                }
                batch.push_unreadable(
                    input,
                    cutter.line_no + 1,
                    cutter.offset,
                    format!(
                        "cannot read further ({e}): the input is truncated or corrupt; the rest of it is skipped"
                    ),
                );
                return Ok(flush(batch));
            }
        }
        if batch.data.len() >= batch_bytes && !flush(batch) {
            return Ok(false);
        }
    }
}

/// Cuts an input held in memory (plain, gzip or zstd, detected by magic bytes) into lines
/// exactly as [`InputSet::scan`] cuts files: blank lines skipped, CR LF and a byte order mark
/// at the start of a line removed, lines over `max_line_bytes` and unreadable rest reported through
/// [`LineRef::unreadable`]. Hands every line to `f`, in order. For tests and fuzzing.
pub fn read_lines(bytes: &[u8], max_line_bytes: usize, mut f: impl FnMut(LineRef<'_>)) {
    let mut batch = Batch::default();
    let mut flush = |b: &mut Batch| {
        b.lines().for_each(&mut f);
        b.clear();
        true
    };
    match decompressed(bytes) {
        Ok((_, mut reader)) => {
            let r = cut_input(
                &mut *reader,
                0,
                max_line_bytes,
                1 << 16,
                &mut batch,
                &mut flush,
            );
            debug_assert!(r.is_ok(), "no spool here");
            if !batch.is_empty() {
                flush(&mut batch);
            }
        }
        Err(e) => {
            batch.push_unreadable(0, 1, 0, format!("cannot read: {e}"));
            flush(&mut batch);
        }
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

/// Copies everything read through it into a spool file.
struct Tee<R> {
    inner: R,
    spool: File,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.spool
            .write_all(&buf[..n])
            .map_err(|e| io::Error::other(SpoolError(e)))?;
        Ok(n)
    }
}

/// The inputs of one run, in the order given.
#[derive(Debug)]
pub struct InputSet {
    sources: Vec<Source>,
}

impl InputSet {
    /// Checks that every named file can be opened; `-` is standard input (at most once).
    pub fn open(paths: &[PathBuf]) -> Result<InputSet> {
        let mut sources = Vec::with_capacity(paths.len());
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
                sources.push(Source {
                    name: "stdin".into(),
                    path: None,
                    compression: Compression::None,
                    spool: None,
                });
                continue;
            }
            let meta = std::fs::metadata(p).map_err(|e| Error::input(p, e))?;
            if meta.is_dir() {
                return Err(Error::input(
                    p,
                    io::Error::other("is a directory; give the JSON Lines files in it"),
                ));
            }
            let file = File::open(p).map_err(|e| Error::input(p, e))?;
            let (compression, _) = decompressed(file).map_err(|e| Error::input(p, e))?;
            sources.push(Source {
                name: p.display().to_string(),
                path: Some(p.clone()),
                compression,
                spool: None,
            });
        }
        Ok(InputSet { sources })
    }

    /// Number of inputs.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// True when there are no inputs.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
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

    /// The first pass: reads every input in order and hands its lines to `f` in batches of
    /// about `batch_bytes` bytes. Blank lines are skipped. Standard input is spooled to a
    /// temporary file on the way so that [`InputSet::fetch`] can read it again. Reading (and
    /// decompressing) runs on a thread of its own, one or two batches ahead of `f`.
    ///
    /// Memory is bounded whatever the input: a line longer than `max_line_bytes` is read
    /// through without being held and handed over as unreadable ([`LineRef::unreadable`]), as
    /// is the rest of an input that cannot be read or decompressed to its end (a truncated
    /// gzip or zstd file); reading goes on with the next input. A file is read up to the size
    /// it had when this pass opened it: lines appended meanwhile are left for the next run.
    pub fn scan(
        &mut self,
        batch_bytes: usize,
        max_line_bytes: usize,
        mut f: impl FnMut(&Batch) -> Result<()>,
    ) -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch>>(2);
        let sources = &mut self.sources;
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let sent = read_batches(sources, batch_bytes, max_line_bytes, |b| {
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

/// The reading loop of [`InputSet::scan`]: hands each full batch to `send`, and stops early
/// (successfully) when `send` returns false because nobody listens any more.
fn read_batches(
    sources: &mut [Source],
    batch_bytes: usize,
    max_line: usize,
    mut send: impl FnMut(Batch) -> bool,
) -> Result<()> {
    let mut batch = Batch::default();
    let mut flush = |b: &mut Batch| send(std::mem::take(b));
    for (i, source) in sources.iter_mut().enumerate() {
        let display = source.name.clone();
        let err = |e: io::Error| Error::input(display.as_str(), e);
        let opened = match &source.path {
            Some(path) => {
                let file = File::open(path).map_err(err)?;
                // Read up to the size at open: a file still being appended to is read as it
                // was, and re-read by the second pass within what the first one saw.
                let size = file.metadata().map_err(err)?.len();
                decompressed(file.take(size))
            }
            None => {
                let spool = tempfile::Builder::new()
                    .prefix("neardup-stdin-")
                    .tempfile()
                    .map_err(|e| Error::output("temporary spool file", e))?;
                let tee = Tee {
                    inner: decompressed(io::stdin()).map_err(err)?.1,
                    spool: spool.reopen().map_err(|e| Error::output(spool.path(), e))?,
                };
                source.path = Some(spool.path().to_path_buf());
                source.spool = Some(spool);
                Ok((
                    Compression::None,
                    Box::new(BufReader::with_capacity(1 << 16, tee)) as Box<dyn BufRead + Send>,
                ))
            }
        };
        let mut reader = match opened {
            Ok((_, reader)) => reader,
            Err(e) => {
                batch.push_unreadable(
                    i as u32,
                    1,
                    0,
                    format!("cannot read ({e}); the input is skipped"),
                );
                if !flush(&mut batch) {
                    return Ok(());
                }
                continue;
            }
        };
        let go_on = cut_input(
            &mut *reader,
            i as u32,
            max_line,
            batch_bytes,
            &mut batch,
            &mut flush,
        )
        .map_err(|e| Error::output("temporary spool file of standard input", e.0))?;
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
    if !batch.is_empty() {
        flush(&mut batch);
    }
    Ok(())
}

impl InputSet {
    /// The second pass: reads the lines at `wanted` (sorted by input, then offset; as recorded
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
                        message: format!("line {} is gone", loc.line),
                    },
                    _ => err(e),
                })?;
                if xxh3_64(&buf) != loc.checksum {
                    return Err(Error::InputChanged {
                        path: src.name.clone(),
                        message: format!("line {} is not what was read before", loc.line),
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
        set.scan(7, 1 << 20, |b| {
            out.extend(b.lines().map(|l| (l.location, l.bytes.to_vec())));
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
    fn missing_file_and_directory_are_input_errors() {
        let e = InputSet::open(&[PathBuf::from("/no/such/file.jsonl")]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = InputSet::open(&[std::env::temp_dir()]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
