//! The first pass over the inputs: cutting them into units with their locations.
//!
//! Owns: [`InputSet::scan`] and its reading thread, the batches it fills, cutting JSON Lines
//! (lines bounded by `--max-line-bytes`, byte order marks and CR LF removed, blank lines
//! skipped), whole files, `.json` files (lines, or one object) and WARC records, the bad unit
//! for what cannot be read, and the spool of standard input and named pipes (bounded by
//! `--max-stdin`). Must not: parse units (the pipeline does, with [`super::parse`]), or decide
//! when a compressed file is copied (`copies` does).

use super::copies::{self, CopyBudget};
use super::open::{decompressed, is_warc, unsupported_message};
use super::reread::MAX_DIRECT_FILES;
use super::{
    parquet, warc, Batch, Compression, EntryKind, Format, InputSet, LineRef, Origin, Source,
};
use crate::config::FieldNames;
use crate::document::Location;
use crate::error::{Error, Result};
use crate::fsutil::Spill;
use std::fs::File;
use std::io::{self, BufRead, Read};
use xxhash_rust::xxh3::xxh3_64;

impl InputSet {
    /// The first pass: reads every input in order and hands its units to `f` in batches of
    /// about `batch_bytes` bytes. Blank lines are skipped. The units of standard input and
    /// named pipes are spooled to a temporary file on the way so that [`InputSet::fetch`] can
    /// read them again (within [`InputSet::set_stream_limit`]), and compressed files are
    /// copied decompressed, within [`InputSet::set_copy_budget`]. Reading (and
    /// decompressing) runs on a thread of its own, one or two batches ahead of `f`.
    ///
    /// Memory is bounded whatever the input: a unit (line, whole file) longer than
    /// `max_line_bytes` is read through without being held and handed over as
    /// [`Content::Bad`](super::Content::Bad), as is the rest of an input that cannot be read or
    /// decompressed to its end (a truncated gzip or zstd file); reading goes on with the next
    /// input. A file is read up to the size it had when this pass opened it: lines appended
    /// meanwhile are left for the next run.
    pub fn scan(
        &mut self,
        batch_bytes: usize,
        max_line_bytes: usize,
        fields: &FieldNames,
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
                let sent = read_batches(sources, limits, fields, streamed, |b| {
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
            // Units of one spooled input that follow each other in `data` are appended in one
            // write (a batch of Parquet rows is one run): each unit's offset is then its place
            // in that write.
            let mut i = 0;
            while i < lines.len() {
                let (location, start, kind) = &lines[i];
                let input = location.input as usize;
                let (EntryKind::Data(_), Some(Some(_))) = (kind, self.spools.get(input)) else {
                    i += 1;
                    continue;
                };
                let first = *start;
                let mut end = first + location.len as usize;
                let mut j = i + 1;
                while let Some((next, next_start, EntryKind::Data(_))) = lines.get(j) {
                    if next.input as usize != input || *next_start != end {
                        break;
                    }
                    end += next.len as usize;
                    j += 1;
                }
                let spool = self.spools[input].as_mut().expect("a spooled input");
                let at = match spool.append(&data[first..end]) {
                    Ok(at) => at,
                    Err(e) => {
                        self.failed = Some(e);
                        return false;
                    }
                };
                for (location, start, _) in &mut lines[i..j] {
                    location.offset = at + (*start - first) as u64;
                }
                i = j;
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

/// The reading loop of [`InputSet::scan`]: hands each full batch to `send`, and stops early
/// (successfully) when `send` returns false because nobody listens any more. A read error in an
/// input becomes its last (bad) unit; only a failed open of a named file, a failed spool write
/// and a stream longer than `limits.stream_limit` are fatal.
fn read_batches(
    sources: &mut [Source],
    limits: Limits,
    fields: &FieldNames,
    streamed: &mut Option<(u64, u64)>,
    send: impl FnMut(Batch) -> bool,
) -> Result<()> {
    use std::sync::atomic::Ordering::Relaxed;
    let max_line = limits.max_line;
    let mut out = Batcher::new(limits.batch_bytes, send);
    // Room for a spool per input when some input is a stream (else none: nothing to look up).
    if sources
        .iter()
        .any(|s| s.origin.is_stream() || s.format == Format::Parquet)
    {
        out.spools = (0..sources.len()).map(|_| None).collect();
    }
    // Positioned reads serve at most `MAX_DIRECT_FILES` inputs: past that, copies would only
    // take disk (and a file handle each).
    let budget = std::sync::Arc::new(CopyBudget::new(if sources.len() <= MAX_DIRECT_FILES {
        limits.copy_budget
    } else {
        0
    }));
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
        let mut copy = None;
        if let (Format::Parquet, Origin::File { .. }) = (source.format, &source.origin) {
            if !read_parquet(source, input, &limits, fields, &mut out)? {
                return out.failed.take().map_or(Ok(()), Err);
            }
            continue;
        }
        let opened = match &mut source.origin {
            Origin::Broken(message) => {
                let start = out.batch.data.len();
                if !out.bad(input, 1, 0, start, Format::Text, message.clone()) {
                    return out.failed.take().map_or(Ok(()), Err);
                }
                continue;
            }
            Origin::File {
                path,
                compression,
                found,
                ..
            } => {
                let file = match File::open(path) {
                    Ok(file) => file,
                    // A file found in a directory that is gone or cannot be opened now.
                    Err(e) if *found => {
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
                let (opened, c) = copies::open_copying(file, size, *compression, &budget);
                copy = c;
                opened
            }
            Origin::Stdin { spool } | Origin::Pipe { spool, .. } => {
                any_stream = true;
                let spill = Spill::buffered("spool of standard input")?;
                *spool = Some(spill.reader()?);
                out.spools[i] = Some(spill);
                let raw: Box<dyn Read + Send> = match &source.origin {
                    Origin::Pipe { path, .. } => Box::new(File::open(path).map_err(err)?),
                    _ => Box::new(io::stdin()),
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
                    } else if parquet::is_parquet(capped.fill_buf()?) {
                        source.format = Format::Parquet;
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
            // Standard input or a named pipe that is Parquet.
            Format::Parquet => {
                let start = out.batch.data.len();
                let message = "Parquet from standard input or a named pipe, which neardup does \
                               not read (Parquet is read by position): give it as a file; skipped";
                out.bad(input, 1, 0, start, Format::Parquet, message.into())
            }
        };
        if cap.over.load(Relaxed) {
            return Err(over(&display));
        }
        if !go_on {
            return out.failed.take().map_or(Ok(()), Err);
        }
        // A complete copy of a compressed file is read again in its place, by position.
        if let (Some(c), Origin::File { copy: kept, .. }) =
            (copy.filter(|_| !budget.gave_up()), &mut source.origin)
        {
            *kept = Some(c);
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
    for (spool, source) in out.spools.iter_mut().zip(sources.iter()) {
        let Some(spool) = spool else { continue };
        if source.origin.is_stream() {
            // Written and on disk before the second pass reads it (a full disk shows here):
            // what a stream gave cannot be read from it again.
            spool.sync()?;
            spooled += spool.len();
        } else {
            // The rows of a Parquet file, which could be read again from the file.
            spool.finish()?;
        }
    }
    if any_stream {
        *streamed = Some((cap.read.load(Relaxed), spooled));
    }
    Ok(())
}

/// Reads the rows of the Parquet file of `source` ([`parquet::read_rows`]) into `out`, each
/// row a unit. The rows are spooled as they are handed on, and the spool is read again in the
/// file's place (as the decompressed copy of a compressed file is). Returns whether to go on
/// (false when nobody listens or the spool cannot be written).
fn read_parquet(
    source: &mut Source,
    input: u32,
    limits: &Limits,
    fields: &FieldNames,
    out: &mut Batcher<impl FnMut(Batch) -> bool>,
) -> Result<bool> {
    let Origin::File {
        path,
        compression,
        found,
        copy,
    } = &mut source.origin
    else {
        unreachable!("only files are read as Parquet");
    };
    let start = out.batch.data.len();
    if *compression != Compression::None {
        let message = "a compressed Parquet file: Parquet is read by position, so decompress it \
                       first (its pages are compressed inside it); skipped";
        return Ok(out.bad(input, 1, 0, start, Format::Parquet, message.into()));
    }
    let file = match File::open(&*path) {
        Ok(file) => file,
        Err(e) if *found => {
            let message = format!("cannot be opened ({e}); skipped");
            return Ok(out.bad(input, 1, 0, start, Format::Parquet, message));
        }
        Err(e) => return Err(Error::input(source.name.as_str(), e)),
    };
    source.stamp = file.metadata().ok().map(|m| super::FileStamp::of(&m));
    let spill = Spill::buffered("spool of Parquet rows")?;
    *copy = Some(spill.reader()?);
    out.spools[input as usize] = Some(spill);
    /// The batcher as the sink of the rows of input `input`.
    struct Rows<'a, F> {
        out: &'a mut Batcher<F>,
        input: u32,
        failed: Option<io::Error>,
    }
    impl<F: FnMut(Batch) -> bool> parquet::RowSink for Rows<'_, F> {
        fn data(&mut self) -> &mut Vec<u8> {
            &mut self.out.batch.data
        }
        fn row(&mut self, row: u64, start: usize, given: std::result::Result<(), String>) -> bool {
            match given {
                Ok(()) => match self.out.push(self.input, row, 0, start, Format::Parquet) {
                    Ok(go_on) => go_on,
                    Err(e) => {
                        self.failed = Some(e);
                        false
                    }
                },
                Err(message) => self
                    .out
                    .bad(self.input, row, 0, start, Format::Parquet, message),
            }
        }
    }
    let mut rows = Rows {
        out,
        input,
        failed: None,
    };
    let go_on = parquet::read_rows(file, fields, limits.max_line, &mut rows);
    if let Some(e) = rows.failed {
        return Err(Error::input(source.name.as_str(), e));
    }
    Ok(go_on)
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
/// unreadable rest handed on as [`Content::Bad`](super::Content::Bad). Hands every unit to
/// `f`, in order. For tests and fuzzing.
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
