//! The report written as a stream: every output of [`super::Report`]'s writers, byte for byte,
//! in memory bounded by a chunk of clusters rather than by the corpus.
//!
//! Owns: the second pass over the inputs for a report, the temporary spools, the chunking.
//! Must not: decide what a record says (that is [`super::cluster_record`], [`super::header`]
//! and the writers of [`super::csv`] and [`super::html`], shared with the in-memory form).
//!
//! How [`write_report`] goes:
//!
//! 1. **The members, again.** When every input is an uncompressed file, or a compressed one
//!    that the first pass copied decompressed ([`InputSet::direct`],
//!    [`InputSet::set_copy_budget`]), nothing is read here: each chunk below reads its members by
//!    position from the inputs (checked against the first pass's checksums) and parses them
//!    in parallel. Otherwise **one sequential pass** re-reads every cluster member with
//!    [`crate::input::reread::fetch_records`]: each input is read once, in order, whatever its
//!    compression or format, and parsed in parallel batches. Each member's text, title, date
//!    and URL go to a temporary *document spool* (length-prefixed, in document order); only
//!    the document numbers and offsets stay in memory (12 bytes a member). Either way the
//!    first [`super::MAX_SINGLES`] wire stories in no cluster are read in order for their
//!    titles when there is an HTML output.
//! 2. **Heads**: the header line of the cluster file, the CSV header row and the top of the
//!    HTML page need no text ([`super::header`]) and are written first.
//! 3. **Chunks** of clusters in number order (at most [`Chunking::clusters`] clusters and about
//!    [`Chunking::text_bytes`] of member text, or one cluster when it alone is larger): their
//!    members are read by position or back from the spool, their records built in parallel on the current
//!    rayon pool and serialized in parallel, each into one buffer per requested output; the
//!    buffers are then written in cluster order. The Parquet view's rows of a chunk are one
//!    record batch, encoded into a row group in progress ([`parquet::ParquetStream`], at most
//!    [`parquet::ROW_GROUP_BYTES`]) whose finished row groups go out as they complete; its
//!    footer is written after the last chunk. A chunk's documents, records and buffers are
//!    dropped before the next chunk.
//! 4. **HTML**: the page lists the [`html::MAX_PAGE_CLUSTERS`] largest clusters (then by
//!    number), the other outputs in number order. Sizes are known before any text is read, so
//!    each cluster's section is rendered (only for the clusters a page shows) with its `open`
//!    flag in its chunk and appended to a temporary *HTML spool*; at the end the sections are
//!    copied out in page order, then the foot of the page. For a directory of pages
//!    ([`write_report_to`] with a [`Pages`]) every cluster's section is spooled with its index
//!    row ([`pages::Row`], kept in memory: a few hundred bytes a cluster), and at the end
//!    [`pages::write_pages`] ranks the rows and copies the sections out page by page.
//!
//! Peak memory of the report stage is then the outcome of the pipeline plus one chunk (or the
//! largest cluster); disk holds the member texts of compressed inputs and the HTML sections. Outputs go to the
//! writers given; callers keep the atomic behaviour of [`super::Output`] (create all, write
//! all, finish all, commit all).

use super::{cluster_record, csv, header, html, pages, parquet, single, wire_singles, Texts};
use crate::config::Config;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::fsutil::Spill;
use crate::input::reread::fetch_records;
use crate::input::InputSet;
use crate::outcome::Outcome;
use rayon::prelude::*;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One view of a report (its output formats; what an input is, is `input::Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The cluster file ([`super::Report::write_jsonl`]).
    Jsonl,
    /// The CSV view ([`csv::write_csv`]).
    Csv,
    /// The HTML page ([`html::write_html`]).
    Html,
    /// The `grep -n` locations view ([`csv::write_locations`]).
    Locations,
    /// The Parquet view, one row per member ([`parquet::write_parquet`]).
    Parquet,
}

/// Where one output of [`write_report`] goes.
pub struct Sink<'a> {
    /// What to write.
    pub format: View,
    /// The name for error messages (the output's path).
    pub name: PathBuf,
    /// The writer.
    pub writer: &'a mut (dyn Write + Send),
}

/// The report as a directory of pages ([`pages`]), an output of [`write_report_to`].
#[derive(Debug, Clone, Copy)]
pub struct Pages<'a> {
    /// The (empty) directory to write the pages into.
    pub dir: &'a std::path::Path,
    /// The directory as the user named it, for messages.
    pub name: &'a std::path::Path,
}

/// How many clusters [`write_report`] holds at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunking {
    /// At most this many clusters in a chunk (at least 1).
    pub clusters: usize,
    /// A chunk ends once its members' texts (with titles, dates and URLs) reach this many
    /// bytes; a single cluster larger than that is a chunk of its own.
    pub text_bytes: u64,
}

impl Default for Chunking {
    /// 2,048 clusters or 8 MB of member text: enough work to keep every thread busy, a few
    /// tens of MB of records and output buffers.
    fn default() -> Chunking {
        Chunking {
            clusters: 2048,
            text_bytes: 8 << 20,
        }
    }
}

/// Writes the report of `outcome` to every sink, in the bytes of the in-memory
/// [`super::Report`] writers, re-reading the documents it shows from `inputs` once (see the
/// module docs). Runs on the current rayon pool.
///
/// # Errors
/// A document that cannot be read again or changed since the first pass
/// ([`Error::InputChanged`]), a failing temporary spool, or a failing sink (named in the
/// error).
pub fn write_report(
    inputs: &InputSet,
    outcome: &Outcome,
    config: &Config,
    sinks: &mut [Sink<'_>],
    chunking: Chunking,
) -> Result<ReportTimings> {
    write_report_to(inputs, outcome, config, sinks, None, chunking)
}

/// [`write_report`], and the report as a directory of pages into `pages` when given.
///
/// # Errors
/// As [`write_report`]; and a page that cannot be written.
pub fn write_report_to(
    inputs: &InputSet,
    outcome: &Outcome,
    config: &Config,
    sinks: &mut [Sink<'_>],
    pages: Option<Pages<'_>>,
    chunking: Chunking,
) -> Result<ReportTimings> {
    let mut timings = ReportTimings::default();
    let started = Instant::now();
    let meta = &outcome.meta;
    let names: Vec<String> = (0..inputs.len() as u32)
        .map(|i| inputs.name(i).to_string())
        .collect();
    // Which outputs are asked for, in the order of `View`'s variants.
    let formats = [
        View::Jsonl,
        View::Csv,
        View::Html,
        View::Locations,
        View::Parquet,
    ]
    .map(|f| sinks.iter().any(|s| s.format == f));
    let want_page = formats[2];
    let want_html = want_page || pages.is_some();

    // 1. The second pass. Uncompressed inputs are read by position, a chunk at a time, below;
    // otherwise the members are read again in order into a spool. The singles' titles go to
    // memory either way.
    let mut members: Vec<u32> = outcome
        .clusters
        .iter()
        .flat_map(|c| c.cluster.members.iter().copied())
        .collect();
    members.sort_unstable();
    let (singles, singles_total) = if want_html {
        wire_singles(outcome)
    } else {
        (Vec::new(), 0)
    };
    let direct = inputs.direct()?;
    let mut needed: Vec<u32> = if direct.is_some() {
        singles.clone()
    } else {
        members.iter().chain(&singles).copied().collect()
    };
    needed.sort_unstable();
    let mut spool = if direct.is_some() {
        None
    } else {
        Some(DocSpool::new()?)
    };
    let mut single_titles: Vec<Option<String>> = vec![None; singles.len()];
    fetch_records(
        inputs,
        meta,
        &needed,
        config,
        |_| true,
        |d, _, rec| {
            let rec = rec.expect("parsed for every format");
            match (singles.binary_search(&d), &mut spool) {
                (Ok(i), _) => single_titles[i] = rec.title,
                (Err(_), Some(docs)) => {
                    docs.push(d, &rec.text, [&rec.title, &rec.date, &rec.url])?
                }
                (Err(_), None) => unreachable!("only singles are fetched for direct reads"),
            }
            Ok(())
        },
    )?;
    let docs = match (spool, direct) {
        (Some(mut docs), _) => {
            docs.finish()?;
            debug_assert_eq!(docs.docs, members);
            Members::Spooled(docs)
        }
        (None, Some(reader)) => Members::Direct {
            reader,
            inputs,
            config,
        },
        (None, None) => unreachable!("a spool when there are no direct reads"),
    };
    timings.reread = started.elapsed();
    drop(members);
    drop(needed);

    // 2. The heads.
    let head = header(outcome, config, &names);
    let pair_jaccards: Vec<(f64, u64)> = outcome.pairs.jaccards();
    for s in sinks.iter_mut() {
        let w = &mut *s.writer;
        match s.format {
            View::Jsonl => serde_json::to_writer(&mut *w, &head)
                .map_err(io::Error::from)
                .and_then(|_| w.write_all(b"\n")),
            View::Csv => csv::write_csv_header(w),
            View::Html => html::write_html_head(
                &head,
                &pair_jaccards,
                outcome.clusters.len().min(html::MAX_PAGE_CLUSTERS),
                outcome.clusters.len(),
                w,
            ),
            View::Locations | View::Parquet => Ok(()),
        }
        .map_err(|e| Error::output(&s.name, e))?;
    }
    // One Parquet encoder for each Parquet sink (by the sink's index): it holds the row group
    // in progress and hands finished ones to the sink.
    let mut encoders: Vec<Option<parquet::ParquetStream>> = sinks
        .iter()
        .map(|s| {
            (s.format == View::Parquet)
                .then(parquet::members_stream)
                .transpose()
                .map_err(|e| Error::output(&s.name, e))
        })
        .collect::<Result<_>>()?;
    let kept_for_pages = pages.map(|_| (head, pair_jaccards));

    // 3. The clusters, a chunk at a time.
    let order = html::largest_first(&outcome.clusters, |c| {
        (c.cluster.members.len(), c.cluster.number)
    });
    let mut open = vec![false; outcome.clusters.len()];
    for &i in order.iter().take(html::OPEN_CLUSTERS) {
        open[i] = true;
    }
    // The sections rendered: those the page shows, or every one for a directory of pages.
    let mut section_wanted = vec![pages.is_some(); outcome.clusters.len()];
    if want_page {
        for &i in order.iter().take(html::MAX_PAGE_CLUSTERS) {
            section_wanted[i] = true;
        }
    }
    let mut rows: Vec<pages::Row> = Vec::new();
    let mut sections = if want_html {
        Some(Spill::buffered("temporary HTML spool")?)
    } else {
        None
    };
    let mut section_at: Vec<(u64, u64)> =
        Vec::with_capacity(if want_html { outcome.clusters.len() } else { 0 });
    let mut start = 0;
    while start < outcome.clusters.len() {
        let mut end = start;
        let mut bytes = 0u64;
        while end < outcome.clusters.len()
            && (end == start || (end - start < chunking.clusters && bytes < chunking.text_bytes))
        {
            bytes += outcome.clusters[end]
                .cluster
                .members
                .iter()
                .map(|&m| docs.len_of(m, meta))
                .sum::<u64>();
            end += 1;
        }
        let chunk = &outcome.clusters[start..end];
        let built = Instant::now();
        let mut wanted: Vec<u32> = chunk
            .iter()
            .flat_map(|c| c.cluster.members.iter().copied())
            .collect();
        wanted.sort_unstable();
        // Positioned reads of one file are independent on Unix (`pread`); elsewhere they
        // share the file's cursor and go one at a time.
        let loaded = if cfg!(unix) {
            wanted
                .par_iter()
                .map(|&d| docs.read(d, meta))
                .collect::<Result<Vec<Document>>>()?
        } else {
            wanted
                .iter()
                .map(|&d| docs.read(d, meta))
                .collect::<Result<Vec<Document>>>()?
        };
        let texts = Texts::new(wanted, loaded);
        let pieces: Vec<Piece> = chunk
            .par_iter()
            .enumerate()
            .map(|(i, sc)| {
                let rec = cluster_record(sc, meta, &names, &texts);
                let row = pages.map(|_| {
                    pages::Row::new(
                        &rec,
                        sc.cluster.members.iter().map(|&m| meta[m as usize].day),
                    )
                });
                let mut p: [Vec<u8>; 4] = Default::default();
                // Writing into a Vec cannot fail, and the records hold no map that JSON
                // cannot represent.
                if formats[0] {
                    serde_json::to_writer(&mut p[0], &rec).expect("a record serializes");
                    p[0].push(b'\n');
                }
                if formats[1] {
                    csv::write_csv_rows(&rec, &mut p[1]).expect("writing to memory");
                }
                if section_wanted[start + i] {
                    let mut s = String::new();
                    html::cluster_html(&rec, open[start + i], &mut s);
                    p[2] = s.into_bytes();
                }
                if formats[3] {
                    csv::write_cluster_locations(&rec, &mut p[3]).expect("writing to memory");
                }
                let rows = if formats[4] {
                    parquet::member_rows(&rec)
                } else {
                    Vec::new()
                };
                (p, row, rows)
            })
            .collect();
        drop(texts);
        timings.records += built.elapsed();
        let written = Instant::now();
        if let Some(spool) = &mut sections {
            for (p, _, _) in &pieces {
                section_at.push((spool.append(&p[2])?, p[2].len() as u64));
            }
        }
        let batch = formats[4]
            .then(|| parquet::members_batch(pieces.iter().flat_map(|(_, _, rows)| rows.iter())));
        for (s, encoder) in sinks.iter_mut().zip(&mut encoders) {
            let k = match s.format {
                View::Jsonl => 0,
                View::Csv => 1,
                View::Html => continue,
                View::Locations => 3,
                View::Parquet => {
                    let (encoder, batch) = (encoder.as_mut(), batch.as_ref());
                    let (encoder, batch) = encoder.zip(batch).expect("an encoder and a batch");
                    encoder
                        .write(batch, s.writer)
                        .map_err(|e| Error::output(&s.name, e))?;
                    continue;
                }
            };
            for (p, _, _) in &pieces {
                s.writer
                    .write_all(&p[k])
                    .map_err(|e| Error::output(&s.name, e))?;
            }
        }
        drop(batch);
        rows.extend(pieces.into_iter().filter_map(|(_, row, _)| row));
        timings.write += written.elapsed();
        start = end;
    }
    drop(docs);
    let tail = Instant::now();
    for (s, encoder) in sinks.iter_mut().zip(encoders) {
        if let Some(encoder) = encoder {
            encoder
                .finish(s.writer)
                .map_err(|e| Error::output(&s.name, e))?;
        }
    }

    // 4. The HTML sections in page order, then the foot.
    if let Some(mut spool) = sections {
        spool.finish()?;
        let singles: Vec<super::Single> = singles
            .iter()
            .zip(single_titles)
            .map(|(&d, title)| single(meta, d, title))
            .collect();
        let mut buf = Vec::new();
        for s in sinks.iter_mut().filter(|s| s.format == View::Html) {
            for &i in order.iter().take(html::MAX_PAGE_CLUSTERS) {
                let (at, len) = section_at[i];
                read_piece(&spool, at, len, &mut buf)?;
                s.writer
                    .write_all(&buf)
                    .map_err(|e| Error::output(&s.name, e))?;
            }
            html::write_html_tail(outcome.clusters.len(), &singles, singles_total, s.writer)
                .map_err(|e| Error::output(&s.name, e))?;
        }
        if let (Some(p), Some((head, pair_jaccards))) = (pages, &kept_for_pages) {
            let summary = pages::Summary {
                header: head,
                pair_jaccards,
                singles: &singles,
                singles_total,
            };
            pages::write_pages(p.dir, p.name, &summary, &rows, &mut |i, buf| {
                let (at, len) = section_at[i];
                read_piece(&spool, at, len, buf)
            })?;
        }
    }
    timings.write += tail.elapsed();
    Ok(timings)
}

/// What one cluster of a chunk gives: its serialized JSON Lines, CSV, HTML section and
/// locations (empty when not asked for), its index row for a directory of pages, and its
/// Parquet rows.
type Piece = ([Vec<u8>; 4], Option<pages::Row>, Vec<parquet::MemberRow>);

/// Where the time of [`write_report`] went (printed by `neardup cluster -v`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportTimings {
    /// The second pass: cluster members read again, parsed and spooled.
    pub reread: Duration,
    /// Cluster records built (attribution, changes) and serialized, in parallel.
    pub records: Duration,
    /// Pieces written to the outputs (and the HTML sections copied out in page order).
    pub write: Duration,
}

/// Reads the `len` bytes at `at` of `spill` into `buf`.
fn read_piece(spill: &Spill, at: u64, len: u64, buf: &mut Vec<u8>) -> Result<()> {
    buf.resize(len as usize, 0);
    spill.read_at(buf, at)
}

/// Where the chunks of the report read the documents of cluster members from.
enum Members<'a> {
    /// Read again in order into a spool (compressed inputs).
    Spooled(DocSpool),
    /// Read by position from the inputs, and parsed again, as each chunk needs them.
    Direct {
        reader: crate::input::DirectReader<'a>,
        inputs: &'a InputSet,
        config: &'a Config,
    },
}

impl Members<'_> {
    /// About how many bytes document `d` takes: sizes the chunks.
    fn len_of(&self, d: u32, meta: &[crate::document::DocMeta]) -> u64 {
        match self {
            Members::Spooled(docs) => docs.len_of(d),
            Members::Direct { .. } => u64::from(meta[d as usize].location.len),
        }
    }

    /// Document `d`, with its id and outlet from `meta`.
    fn read(&self, d: u32, meta: &[crate::document::DocMeta]) -> Result<Document> {
        match self {
            Members::Spooled(docs) => docs.read(d, meta),
            Members::Direct {
                reader,
                inputs,
                config,
            } => {
                let m = &meta[d as usize];
                let mut bytes = Vec::new();
                reader.read(&m.location, &mut bytes)?;
                let rec = crate::input::reread::reparse(inputs, m, &bytes, config)?;
                Ok(crate::input::reread::document_of(m, rec))
            }
        }
    }
}

/// The documents of cluster members, spooled in document order: for each, its text, then its
/// title, date and URL, each an 8-byte little-endian length (`u64::MAX` for none) and the
/// UTF-8 bytes.
struct DocSpool {
    spool: Spill,
    /// The documents spooled, ascending.
    docs: Vec<u32>,
    /// `offsets[i]..offsets[i + 1]` are `docs[i]`'s bytes.
    offsets: Vec<u64>,
    buf: Vec<u8>,
}

impl DocSpool {
    fn new() -> Result<DocSpool> {
        Ok(DocSpool {
            spool: Spill::buffered("temporary document spool")?,
            docs: Vec::new(),
            offsets: vec![0],
            buf: Vec::new(),
        })
    }

    /// Appends document `d` (greater than every document before).
    fn push(&mut self, d: u32, text: &str, fields: [&Option<String>; 3]) -> Result<()> {
        debug_assert!(self.docs.last().is_none_or(|&l| l < d));
        self.buf.clear();
        put(&mut self.buf, Some(text));
        for f in fields {
            put(&mut self.buf, f.as_deref());
        }
        let at = self.spool.append(&self.buf)?;
        self.docs.push(d);
        self.offsets.push(at + self.buf.len() as u64);
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.spool.finish()
    }

    fn index(&self, d: u32) -> usize {
        self.docs
            .binary_search(&d)
            .expect("every cluster member was spooled")
    }

    /// Bytes spooled for document `d`.
    fn len_of(&self, d: u32) -> u64 {
        let i = self.index(d);
        self.offsets[i + 1] - self.offsets[i]
    }

    /// Document `d` read back, with its id and outlet from `meta`.
    fn read(&self, d: u32, meta: &[crate::document::DocMeta]) -> Result<Document> {
        let i = self.index(d);
        let mut bytes = Vec::new();
        read_piece(
            &self.spool,
            self.offsets[i],
            self.offsets[i + 1] - self.offsets[i],
            &mut bytes,
        )?;
        let bad = || {
            Error::output(
                self.spool.what(),
                io::Error::new(io::ErrorKind::InvalidData, "corrupt document record"),
            )
        };
        let mut rest = &bytes[..];
        let mut take = || -> Result<Option<String>> {
            let (len, tail) = rest.split_first_chunk::<8>().ok_or_else(bad)?;
            let len = u64::from_le_bytes(*len);
            if len == u64::MAX {
                rest = tail;
                return Ok(None);
            }
            let len = usize::try_from(len).map_err(|_| bad())?;
            if tail.len() < len {
                return Err(bad());
            }
            let (s, tail) = tail.split_at(len);
            rest = tail;
            simdutf8::basic::from_utf8(s)
                .map(|s| Some(s.to_string()))
                .map_err(|_| bad())
        };
        let text = take()?.ok_or_else(bad)?;
        let (title, date, url) = (take()?, take()?, take()?);
        let m = &meta[d as usize];
        Ok(Document {
            id: m.id.clone(),
            text,
            title,
            outlet: m.outlet.as_deref().map(str::to_string),
            date,
            url,
        })
    }
}

fn put(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => buf.extend_from_slice(&u64::MAX.to_le_bytes()),
        Some(s) => {
            buf.extend_from_slice(&(s.len() as u64).to_le_bytes());
            buf.extend_from_slice(s.as_bytes());
        }
    }
}
