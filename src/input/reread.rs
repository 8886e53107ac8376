//! The second pass: units read back by location, and the units the first pass found to be
//! documents parsed again, for verification sets, reports and `dedupe`.
//!
//! Owns: reading units back by their [`Location`]s ([`InputSet::fetch`] in input order, by
//! seeking, or by decompressing again and skipping; [`InputSet::direct`] by position, from
//! several threads), each checked against the checksum the first pass took; reading chosen
//! documents again in input order, parsing them again in parallel batches on the current pool
//! while a reader thread cuts the next batch (a page the first pass kept the record of, in
//! [`InputSet::keep_pages`], is read back from there instead of extracted again, its bytes
//! still read and checked), and the error when a unit is no longer what it was. Must not: normalize, shingle or score (readers do not compute), or decide which
//! documents are wanted.

use crate::config::Config;
use crate::document::{DocMeta, Document, Location, Record};
use crate::error::{Error, Result};
use crate::fsutil::PosReader;
use crate::input::open::decompressed;
use crate::input::{self, Compression, InputSet, Origin, Source};
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use xxhash_rust::xxh3::xxh3_64;

/// Bytes of input units parsed together in parallel, in either pass.
pub(crate) const BATCH_BYTES: usize = 2 << 20;

/// Parses again a unit read back by location: it was a document in the first pass, so anything
/// else means the input changed. A page whose record the first pass kept
/// ([`InputSet::keep_pages`]) is not extracted again: its record is read back, `bytes` having
/// been checked against the first pass's checksum when they were read.
pub fn reparse(inputs: &InputSet, m: &DocMeta, bytes: &[u8], config: &Config) -> Result<Record> {
    if let Some(rec) = inputs.pages().and_then(|p| p.get(&m.location)) {
        return rec;
    }
    let i = m.location.input;
    let format = inputs.format(i);
    let changed = |message: String| Error::InputChanged {
        path: inputs.name(i).to_string(),
        message: format!("{}: {message}", format.unit().describe(m.location.line)),
    };
    match input::parse(format, bytes, &config.fields).map_err(changed)? {
        input::Parsed::Doc(rec) => Ok(rec),
        input::Parsed::Skip(why) => Err(changed(format!("no longer a document ({why})"))),
    }
}

/// The document `m` describes, with its text, title, date and URL from `rec` (read again).
pub fn document_of(m: &DocMeta, rec: Record) -> Document {
    Document {
        id: m.id.clone(),
        text: rec.text,
        title: rec.title,
        outlet: m.outlet.as_deref().map(str::to_string),
        date: rec.date,
        url: rec.url,
    }
}

/// Second pass for reports: re-reads the documents `docs` (ascending) and returns them whole
/// (text, title, date, URL: what the first pass did not keep), in the order of `docs`.
/// Parsing (HTML extraction, for web archives) runs in parallel batches on the current pool.
pub fn load_docs(
    inputs: &InputSet,
    meta: &[DocMeta],
    docs: &[u32],
    config: &Config,
) -> Result<Vec<Document>> {
    let mut out = Vec::with_capacity(docs.len());
    fetch_records(
        inputs,
        meta,
        docs,
        config,
        |_| true,
        |d, _, rec| {
            out.push(document_of(
                &meta[d as usize],
                rec.expect("parsed for every format"),
            ));
            Ok(())
        },
    )?;
    Ok(out)
}

/// Re-reads the documents `docs` (ascending) and hands each to `f` in order: its index, its
/// bytes as read, and its record parsed again when `parse` says its format needs it. Parsing
/// runs in parallel batches on the current pool.
pub fn fetch_records(
    inputs: &InputSet,
    meta: &[DocMeta],
    docs: &[u32],
    config: &Config,
    parse: impl Fn(input::Format) -> bool + Sync,
    mut f: impl FnMut(u32, &[u8], Option<Record>) -> Result<()>,
) -> Result<()> {
    debug_assert!(docs.windows(2).all(|w| w[0] < w[1]));
    // Documents are numbered in input order, so `docs` is also in (input, offset) order.
    let wanted: Vec<(Location, u32)> = docs
        .iter()
        .map(|&d| (meta[d as usize].location, d))
        .collect();
    if !(0..inputs.len() as u32).any(|i| parse(inputs.format(i))) {
        // Nothing to parse (dedupe of JSON Lines): hand the bytes on as they are read.
        return inputs.fetch(&wanted, |d, bytes| f(d, bytes, None));
    }
    let parse_batch = |pending: &[(u32, Vec<u8>)]| -> Vec<Option<Result<Record>>> {
        pending
            .par_iter()
            .map(|(d, bytes)| {
                let m = &meta[*d as usize];
                parse(inputs.format(m.location.input)).then(|| reparse(inputs, m, bytes, config))
            })
            .collect()
    };
    // A reader thread cuts the wanted units into batches while the pool parses the previous
    // batch (reading was otherwise the pool's idle time).
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(u32, Vec<u8>)>>(2);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<()> {
            let mut pending: Vec<(u32, Vec<u8>)> = Vec::new();
            let mut pending_bytes = 0usize;
            // The receiver hung up: it met an error of its own and returns that.
            let gone = || Error::Output {
                path: "second pass".into(),
                source: std::io::Error::other("stopped"),
            };
            inputs.fetch(&wanted, |d, bytes| {
                pending_bytes += bytes.len();
                pending.push((d, bytes.to_vec()));
                if pending_bytes >= BATCH_BYTES {
                    tx.send(std::mem::take(&mut pending)).map_err(|_| gone())?;
                    pending_bytes = 0;
                }
                Ok(())
            })?;
            tx.send(pending).map_err(|_| gone())
        });
        // Returning early drops `rx`, which stops the reader at its next batch.
        for batch in rx {
            let records = parse_batch(&batch);
            for ((d, bytes), rec) in batch.into_iter().zip(records) {
                f(d, &bytes, rec.transpose()?)?;
            }
        }
        reader.join().expect("second-pass reader thread")
    })
}

/// Most inputs [`InputSet::direct`] keeps open at once; a set of more (a directory of HTML
/// files) is read again in order instead.
pub(super) const MAX_DIRECT_FILES: usize = 256;

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

    /// True when [`InputSet::direct`] gives positioned reads: every input is uncompressed or
    /// was copied decompressed by [`InputSet::scan`], there are at most 256 inputs, and the
    /// platform reads a shared file by position.
    pub fn reads_by_position(&self) -> bool {
        cfg!(unix)
            && self.sources.len() <= MAX_DIRECT_FILES
            && self.sources.iter().all(|s| {
                s.origin.again().is_some()
                    || matches!(
                        s.origin,
                        Origin::Broken(_)
                            | Origin::File {
                                compression: Compression::None,
                                ..
                            }
                    )
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
                match (s.origin.again(), &s.origin) {
                    (Some(again), _) => again.try_clone().map(Some).map_err(err),
                    (None, Origin::File { path, .. }) => File::open(path).map(Some).map_err(err),
                    // A broken directory entry: it has no unit to read.
                    (None, _) => Ok(None),
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
        if let Some(again) = self.origin.again() {
            return Ok(Refetch::positioned(again.try_clone()?));
        }
        match &self.origin {
            Origin::File {
                path, compression, ..
            } => Refetch::new(File::open(path)?, *compression),
            _ => Err(io::Error::other("the input has no unit to read again")),
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
