//! The first pass: every input unit read, parsed, shingled and signed in parallel batches,
//! kept as metadata, band keys, sampled shingles and spooled shingle sets (no text in memory);
//! the records extracted from web pages are spooled to disk ([`input::pages`]) for the later
//! passes to read back. A batch is cut into runs by its units' bytes ([`chunk_ranges`]), so
//! that a batch of a few large pages keeps every thread busy too.
//!
//! Owns: the accounting of every unit as it is read (a document, a rejected unit, a skipped
//! record), the ids (given ids kept as written, made ids moved aside), and the diagnosis of an
//! input that gave no document (the hint naming the likely text field). Must not: find pairs or
//! clusters, keep texts in memory, or write outputs.

use crate::config::Config;
use crate::definition::{Banding, Mode};
use crate::document::{DocMeta, Location, Unit};
use crate::error::{Error, Result};
use crate::input::reread::BATCH_BYTES;
use crate::input::{self, Batch, Content, InputSet, PageSpool};
use crate::lsh::BandKeys;
use crate::minhash::MinHasher;
use crate::verify::SetSpool;
use rayon::prelude::*;
use std::collections::HashMap;
use xxhash_rust::xxh3::{xxh3_64, Xxh3Builder};

/// A line (or WARC record, or file) that could not be used as a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// Input name.
    pub input: String,
    /// 1-based line number (record number in a web archive).
    pub line: u64,
    /// What `line` counts.
    pub unit: Unit,
    /// What is wrong.
    pub message: String,
}

impl BadLine {
    /// A strict run stops here with the line as its error; any other run tells `on_bad` and
    /// goes on.
    pub fn stop_or_tell(
        self,
        strict: bool,
        on_bad: &mut (dyn FnMut(&BadLine) + Send),
    ) -> Result<()> {
        if strict {
            return Err(Error::BadLine {
                path: self.input,
                line: self.line,
                unit: self.unit,
                message: self.message,
            });
        }
        on_bad(&self);
        Ok(())
    }
}

/// `file:line: message`, one line, made safe to print ([`crate::text_safety::for_people`]:
/// a file name or id with a line break or a terminal escape cannot forge another message).
impl std::fmt::Display for BadLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = format!(
            "{}{}: {}",
            self.input,
            self.unit.after_name(self.line),
            self.message
        );
        f.write_str(&crate::text_safety::for_people(
            &line,
            crate::text_safety::Layout::Line,
        ))
    }
}

/// What a run reports as it goes, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The first pass has read this many bytes of input lines and documents so far.
    Read {
        /// Bytes of lines read.
        bytes: u64,
        /// Non-blank lines read.
        lines: u64,
    },
    /// A later stage started.
    Stage(&'static str),
}

/// The corpus after the first pass: metadata and band keys, no text and no signatures.
#[derive(Debug, Default)]
pub struct Signed {
    /// One entry per document, in input order; index = document index.
    pub meta: Vec<DocMeta>,
    /// The LSH band keys of each document (zeros for short documents, which are never banded).
    pub keys: BandKeys,
    /// Non-blank lines (and web archive records, and files) read.
    pub read: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Web archive records that are not articles (requests, metadata, redirects, images...).
    pub skipped: u64,
    /// Bytes of input lines read.
    pub bytes: u64,
    /// Sampled shingles of each signed document (containment mode only).
    pub samples: crate::contain::SampleIndex,
    /// Every document's shingle set, for verification (empty for short documents).
    pub sets: Option<SetSpool>,
    /// A hash of every document's MinHash signature (0 for short documents): documents with
    /// identical shingle sets have equal ones ([`crate::copies::Copies::find`]).
    pub sig_hashes: Vec<u64>,
    /// About how many words each document's text has (`shingle::words_of`).
    pub words: Vec<u32>,
}

impl Signed {
    /// Indices of the documents that have a signature (not short).
    pub fn signed_docs(&self) -> Vec<u32> {
        (0..self.meta.len() as u32)
            .filter(|&d| !self.meta[d as usize].short)
            .collect()
    }
}

/// What the first pass made of one unit (what `input::parse` read of it is an `input::Parsed`).
enum Verdict {
    /// A unit the reader could not read ([`Content::Bad`]): what is wrong.
    Unreadable(String),
    /// A unit that is not a document: what is wrong, and what it looks like.
    Bad(String, Clue),
    /// Not an article (a WARC request, a redirect...).
    Skipped,
    /// A document, shingled and signed.
    Doc(Signing),
}

/// What a unit that is not a document looks like, for the hint given when an input yields
/// no document at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Clue {
    /// Nothing telling.
    #[default]
    None,
    /// JSON objects without the text field: their fields, each with the longest string value
    /// seen in it (0 for other values), at most [`MAX_FIELDS`] of them.
    Object(Vec<(String, usize)>),
    /// A JSON array (`[{...},{...}]`), not JSON Lines.
    Array,
    /// A first line of comma-, semicolon- or tab-separated values: CSV.
    Csv,
}

/// Fields of rejected objects remembered per input.
const MAX_FIELDS: usize = 64;

/// What a unit at `line` of an input of `format` that failed to parse with `message` looks
/// like.
fn clue_of(
    format: input::Format,
    line: u64,
    bytes: &[u8],
    message: &str,
    fields: &crate::config::FieldNames,
) -> Clue {
    use input::Format;
    if !matches!(format, Format::Jsonl | Format::Json | Format::JsonDoc) {
        return Clue::None;
    }
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let b = b.trim_ascii_start();
    match b.first() {
        Some(b'[') => Clue::Array,
        Some(b'{') if message == format!("no {:?} field", fields.text) => {
            match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(b) {
                Ok(map) => Clue::Object(
                    map.into_iter()
                        .take(MAX_FIELDS)
                        .map(|(k, v)| {
                            let len = v.as_str().map_or(0, str::len);
                            (k, len)
                        })
                        .collect(),
                ),
                Err(_) => Clue::None,
            }
        }
        Some(b'{') | None => Clue::None,
        Some(_) if line == 1 && b.iter().any(|&c| matches!(c, b',' | b';' | b'\t')) => Clue::Csv,
        Some(_) => Clue::None,
    }
}

/// How the units of one input fared in the first pass.
#[derive(Debug, Default)]
struct Tally {
    /// Units read (skipped ones too).
    read: u64,
    /// Units that became documents.
    documents: u64,
    /// Units rejected because they could not be parsed as documents.
    unparsed: u64,
    /// Units rejected for any reason.
    rejected: u64,
    /// What the unparsed units look like: the first telling clue, or the union of the fields
    /// of objects without the text field.
    shape: Clue,
}

impl Tally {
    fn merge(&mut self, clue: Clue) {
        match (&mut self.shape, clue) {
            (_, Clue::None) => {}
            (Clue::None, c) => self.shape = c,
            (Clue::Object(have), Clue::Object(new)) => {
                for (k, len) in new {
                    if let Some(e) = have.iter_mut().find(|e| e.0 == k) {
                        e.1 = e.1.max(len);
                    } else if have.len() < MAX_FIELDS {
                        have.push((k, len));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A field name as a shell word for `--text-field`.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'))
    {
        s.to_string()
    } else if s.chars().any(char::is_control) {
        format!("{s:?}")
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The error for input `name` that gave no document from its units.
fn no_documents(name: &str, t: &Tally, unit: Unit, fields: &crate::config::FieldNames) -> Error {
    let (what, they) = match unit {
        Unit::Line if t.read == 1 => ("its one line is not a document".to_string(), "it has"),
        Unit::Line => (
            format!("none of its {} lines is a document", t.read),
            "the lines have",
        ),
        Unit::Record if t.read == 1 => ("its one record is not a document".to_string(), "it has"),
        Unit::Record => (
            format!("none of its {} records is a document", t.read),
            "the records have",
        ),
        Unit::File => ("it is not a document".to_string(), "it has"),
        Unit::Row if t.read == 1 => ("its one row is not a document".to_string(), "it has"),
        Unit::Row => (
            format!("none of its {} rows is a document", t.read),
            "the rows have",
        ),
    };
    let hint = match &t.shape {
        Clue::Object(seen) => {
            let mut names: Vec<String> = seen.iter().take(10).map(|(k, _)| format!("{k:?}")).collect();
            if seen.len() > 10 {
                names.push(format!("and {} more", seen.len() - 10));
            }
            let known = [
                &fields.id,
                &fields.title,
                &fields.outlet,
                &fields.date,
                &fields.url,
            ];
            // The likely text: the longest string field that is not another known field.
            let longest = |others: bool| {
                seen.iter()
                    .filter(|(k, len)| *len > 0 && (others || !known.contains(&k)))
                    .max_by_key(|(_, len)| *len)
            };
            match longest(false).or_else(|| longest(true)) {
                Some((k, _)) => format!(
                    "{they} fields {}: use --text-field {}",
                    names.join(", "),
                    shell_word(k)
                ),
                None => format!(
                    "{they} fields {} and none holds text: name the text field with --text-field",
                    names.join(", ")
                ),
            }
        }
        Clue::Array => "it is a JSON array (`[{...},{...}]`), not JSON Lines (one JSON object a line): convert it with `jq -c '.[]' FILE.json > FILE.jsonl`".to_string(),
        Clue::Csv => "it looks like CSV; neardup reads JSON Lines (one JSON object a line): convert it first, e.g. with `mlr --icsv --ojsonl cat FILE.csv > FILE.jsonl`".to_string(),
        Clue::None => "what is wrong is reported above (--strict stops at the first)".to_string(),
    };
    Error::NoDocuments {
        input: name.to_string(),
        message: format!("{what}: {hint}"),
    }
}

/// Fails a first pass that read nothing usable: an input of lines that gave no document while
/// some of its lines could not be parsed (a CSV file, a JSON array, objects whose text field
/// has another name), or a whole run that read no document while units were rejected.
/// Inputs of whole files or web archive records, and units the reader could not read (an
/// unreadable file in a directory), fail only the whole run.
fn check_documents(
    tallies: &[Tally],
    names: &[String],
    units: &[Unit],
    config: &Config,
) -> Result<()> {
    let fields = &config.fields;
    for (i, t) in tallies.iter().enumerate() {
        if units[i] == Unit::Line && t.documents == 0 && t.unparsed > 0 {
            return Err(no_documents(&names[i], t, units[i], fields));
        }
    }
    let documents: u64 = tallies.iter().map(|t| t.documents).sum();
    if documents == 0 {
        // The input with the most rejected units.
        let worst = (0..tallies.len())
            .filter(|&i| tallies[i].rejected > 0)
            .max_by_key(|&i| (tallies[i].rejected, std::cmp::Reverse(i)));
        if let Some(i) = worst {
            return Err(no_documents(&names[i], &tallies[i], units[i], fields));
        }
    }
    Ok(())
}

/// Where a unit of a batch is and how it was read: what the sequential part of the first pass
/// needs of it once the batch itself is gone.
type UnitAt = (Location, input::Format);

/// Most units signed together by one task of the first pass.
const CHUNK_UNITS: usize = 16;

/// Tasks a batch is cut into for each thread of the pool, at least (when it has units enough):
/// so that the threads stay busy to the end of the batch, however unequal its units.
const CHUNKS_PER_THREAD: usize = 4;

/// How the first pass cuts a batch's `units` into runs signed by one task each, in order: at
/// least [`CHUNKS_PER_THREAD`] runs per thread of a pool of `threads` when the batch has that
/// many units, at most [`CHUNK_UNITS`] units each, and a run ends once it holds its share of the
/// batch's bytes. So a batch of a few large units (web pages) is spread over the threads as a
/// batch of many short lines is. Only the split of the work depends on `threads`: the runs'
/// results are applied in input order.
fn chunk_ranges(units: &[input::LineRef<'_>], threads: usize) -> Vec<std::ops::Range<usize>> {
    let chunks = threads.max(1) * CHUNKS_PER_THREAD;
    let most = (units.len() / chunks).clamp(1, CHUNK_UNITS);
    let total: u64 = units.iter().map(|u| u64::from(u.location.len)).sum();
    let share = (total / chunks as u64).max(1);
    let mut out = Vec::with_capacity(units.len() / most + 1);
    let (mut start, mut bytes) = (0, 0u64);
    for (i, u) in units.iter().enumerate() {
        bytes += u64::from(u.location.len);
        if bytes >= share || i + 1 - start == most {
            out.push(start..i + 1);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < units.len() {
        out.push(start..units.len());
    }
    out
}

/// What the parallel part of the first pass makes of one document; its vectors are in the
/// [`Chunk`] it belongs to.
struct Signing {
    /// Metadata, its outlet still to be shared.
    meta: DocMeta,
    /// The outlet as read: its byte range in [`Chunk::outlets`].
    outlet: Option<(usize, usize)>,
    /// Shingle hashes in [`Chunk::hashes`] (none for a short document).
    hashes: usize,
    /// Sampled shingles in [`Chunk::samples`] (containment mode).
    samples: usize,
    /// The id was made from the input's name and line (the record had none).
    generated_id: bool,
    /// About how many words the text has ([`crate::shingle::words_of`]).
    words: u32,
    /// Bytes of its record in [`Chunk::pages`] (0: not kept; see [`input::pages`]).
    page: usize,
}

/// What the parallel part of the first pass makes of a run of consecutive units. The
/// documents' vectors are laid end to end, so that a chunk allocates a few buffers rather than
/// several per document: they are freed by the thread that applies the chunk, and glibc's
/// allocator locks the arena of another thread for each such free.
#[derive(Default)]
struct Chunk {
    /// One entry per unit, in input order.
    units: Vec<Verdict>,
    /// Shingle hashes of each signed document in text order, repeats included.
    hashes: Vec<u64>,
    /// Band keys of each signed document (`bands` of them).
    keys: Vec<u64>,
    /// A hash of the signature of each signed document.
    sigs: Vec<u64>,
    /// Sampled shingles of each signed document, sorted and distinct (containment mode).
    samples: Vec<u64>,
    /// Scratch space for the word hashes of one text.
    words: Vec<u64>,
    /// The outlet names of the chunk's documents, end to end.
    outlets: String,
    /// The records of the chunk's documents extracted from pages, encoded
    /// ([`input::pages::encode`]), end to end.
    pages: Vec<u8>,
}

/// First pass: reads every line, parses, shingles and signs documents in parallel batches, and
/// keeps of each signature only its band keys under `banding`.
/// Each bad line is passed to `on_bad` (and is fatal with `config.strict`).
pub fn read_and_sign(
    inputs: &mut InputSet,
    config: &Config,
    banding: Banding,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Signed> {
    let hasher = MinHasher::with_scheme(
        config.definition.minhash,
        config.definition.num_perm,
        config.definition.seed,
    );
    let mut signed = Signed {
        keys: BandKeys::with_budget(banding, config.band_key_memory),
        sets: Some(SetSpool::new()?),
        ..Signed::default()
    };
    let mut ids: HashMap<u64, u32, Xxh3Builder> = HashMap::with_hasher(Xxh3Builder::new());
    let mut id_overflow: HashMap<String, u32, Xxh3Builder> =
        HashMap::with_hasher(Xxh3Builder::new());
    let mut generated = GeneratedIds::default();
    // One string per distinct outlet, shared by its documents.
    let mut outlets: std::collections::HashMap<
        std::sync::Arc<str>,
        std::sync::Arc<str>,
        Xxh3Builder,
    > = std::collections::HashMap::with_hasher(Xxh3Builder::new());
    let names: Vec<String> = (0..inputs.len() as u32)
        .map(|i| inputs.name(i).to_string())
        .collect();
    // What a location's line counts, per input, as its units arrive (settled by the reader).
    let mut units: Vec<Unit> = vec![Unit::Line; names.len()];
    let mut tallies: Vec<Tally> = (0..names.len()).map(|_| Tally::default()).collect();
    // The records extracted from pages, made at the first page accepted: what the later passes
    // read back instead of extracting the pages again.
    inputs.keep_pages(None);
    let mut pages: Option<PageSpool> = None;
    // The sequential part of a batch (ids, spool, keys, samples, metadata, in input order) runs
    // while the next batch is parsed and signed in parallel.
    let bands = banding.bands;
    let mut apply = |lines: Vec<UnitAt>, chunks: Vec<Chunk>| -> Result<()> {
        let mut lines = lines.into_iter();
        for chunk in chunks {
            let (mut h, mut k, mut x, mut q, mut r) = (0, 0, 0, 0, 0);
            for p in chunk.units {
                let (loc, format) = lines.next().expect("one chunk entry per unit");
                signed.read += 1;
                signed.bytes += u64::from(loc.len);
                let unit = format.unit();
                units[loc.input as usize] = unit;
                let tally = &mut tallies[loc.input as usize];
                tally.read += 1;
                let bad = |message: String| BadLine {
                    input: names[loc.input as usize].clone(),
                    line: loc.line,
                    unit,
                    message,
                };
                let doc = match p {
                    Verdict::Unreadable(m) => {
                        tally.rejected += 1;
                        reject(&mut signed, bad(m), config, on_bad)?;
                        continue;
                    }
                    Verdict::Bad(m, clue) => {
                        tally.rejected += 1;
                        tally.unparsed += 1;
                        tally.merge(clue);
                        reject(&mut signed, bad(m), config, on_bad)?;
                        continue;
                    }
                    Verdict::Skipped => {
                        signed.skipped += 1;
                        continue;
                    }
                    Verdict::Doc(d) => d,
                };
                // The document's slices of the chunk, taken before it can be rejected, so
                // that the next document's start where they should.
                let (keys, sig): (&[u64], u64) = if doc.meta.short {
                    (&[], 0)
                } else {
                    k += bands;
                    q += 1;
                    (&chunk.keys[k - bands..k], chunk.sigs[q - 1])
                };
                let hashes = &chunk.hashes[h..h + doc.hashes];
                h += hashes.len();
                let samples = &chunk.samples[x..x + doc.samples];
                x += samples.len();
                let page = &chunk.pages[r..r + doc.page];
                r += page.len();
                let next = signed.meta.len() as u32;
                let mut doc = doc;
                let mut table = IdTable {
                    ids: &mut ids,
                    overflow: &mut id_overflow,
                    meta: &mut signed.meta,
                };
                let duplicate =
                    generated.place(&mut table, &mut doc.meta.id, doc.generated_id, next);
                if let Some(first) = duplicate {
                    let f = &signed.meta[first as usize].location;
                    let m = format!(
                        "duplicate id {:?} (first on {}{})",
                        doc.meta.id,
                        names[f.input as usize],
                        units[f.input as usize].after_name(f.line)
                    );
                    tallies[loc.input as usize].rejected += 1;
                    reject(&mut signed, bad(m), config, on_bad)?;
                    continue;
                }
                let Signing {
                    mut meta,
                    outlet,
                    words,
                    ..
                } = doc;
                signed.words.push(words);
                let spool = signed
                    .sets
                    .as_mut()
                    .expect("spool open during the first pass");
                spool.push(hashes)?;
                if !samples.is_empty() {
                    signed.samples.add(next, samples)?;
                }
                signed.keys.push(keys)?;
                signed.sig_hashes.push(sig);
                if !page.is_empty() {
                    let spool = match &mut pages {
                        Some(spool) => spool,
                        None => pages.insert(PageSpool::new()?),
                    };
                    spool.push(&loc, page)?;
                }
                let outlet = outlet.map(|(a, b)| &chunk.outlets[a..b]);
                meta.outlet = outlet.map(|o| match outlets.get(o) {
                    Some(shared) => std::sync::Arc::clone(shared),
                    None => {
                        let shared: std::sync::Arc<str> = o.into();
                        outlets.insert(
                            std::sync::Arc::clone(&shared),
                            std::sync::Arc::clone(&shared),
                        );
                        shared
                    }
                });
                tallies[loc.input as usize].documents += 1;
                signed.meta.push(meta);
            }
            assert_eq!(
                (h, k, x, q, r),
                (
                    chunk.hashes.len(),
                    chunk.keys.len(),
                    chunk.samples.len(),
                    chunk.sigs.len(),
                    chunk.pages.len()
                ),
                "every vector of the chunk taken by its document"
            );
        }
        progress(Progress::Read {
            bytes: signed.bytes,
            lines: signed.read,
        });
        Ok(())
    };
    let mut pending: Option<(Vec<UnitAt>, Vec<Chunk>)> = None;
    let sign_unit = |line: &input::LineRef<'_>, out: &mut Chunk, row: &mut [u32]| -> Verdict {
        let bytes = match line.content {
            Content::Bad(m) => return Verdict::Unreadable(m.to_string()),
            Content::Skipped => return Verdict::Skipped,
            Content::Bytes(bytes) => bytes,
        };
        let rec = match input::parse(line.format, bytes, &config.fields) {
            Err(m) => {
                let clue = clue_of(line.format, line.location.line, bytes, &m, &config.fields);
                return Verdict::Bad(m, clue);
            }
            Ok(input::Parsed::Skip(_)) => return Verdict::Skipped,
            Ok(input::Parsed::Doc(rec)) => rec,
        };
        // A page's record is kept for the later passes, which then need not extract it again.
        let page = if line.format.extracts() {
            input::pages::encode(&rec, &mut out.pages)
        } else {
            0
        };
        let start = out.hashes.len();
        let tokenization = crate::shingle::shingle_hashes_into(
            &rec.text,
            config.definition.shingle,
            config.definition.seed,
            &mut out.words,
            &mut out.hashes,
        );
        let hashes = &out.hashes[start..];
        let signed = crate::shingle::has_distinct(hashes, config.definition.min_shingles);
        let mut samples = 0;
        let count = hashes.len();
        if signed {
            hasher.sign_into(hashes, row);
            out.sigs.push(xxh3_64(bytemuck::cast_slice(row)));
            out.keys
                .extend((0..bands).map(|b| crate::lsh::band_key(row, b, banding)));
            if config.definition.mode == Mode::Containment {
                let from = out.samples.len();
                crate::contain::sample_into(
                    hashes,
                    config.definition.sample_every,
                    &mut out.samples,
                );
                out.samples[from..].sort_unstable();
                samples = dedup_tail(&mut out.samples, from);
            }
        } else {
            out.hashes.truncate(start);
        }
        let generated_id = rec.id.is_none();
        let id = rec.id.unwrap_or_else(|| {
            let name = &names[line.location.input as usize];
            match line.format.unit() {
                Unit::File => name.clone(),
                Unit::Line | Unit::Record | Unit::Row => format!("{name}:{}", line.location.line),
            }
        });
        let located = crate::wire::locate(&rec.text, rec.outlet.as_deref());
        let meta = DocMeta {
            text_chars: rec.text.chars().count() as u32,
            day: rec.date.as_deref().and_then(crate::date::parse_day),
            time: rec.date.as_deref().and_then(crate::date::moment),
            wire: located.map(|l| l.service),
            wire_dateline: located.is_some_and(|l| l.evidence == crate::wire::Evidence::Dateline),
            title_key: rec.title.as_deref().map(crate::template::title_key),
            located,
            id,
            outlet: None,
            location: line.location,
            short: !signed,
        };
        Verdict::Doc(Signing {
            meta,
            outlet: rec.outlet.map(|o| {
                out.outlets.push_str(&o);
                (out.outlets.len() - o.len(), out.outlets.len())
            }),
            hashes: if signed { count } else { 0 },
            samples,
            generated_id,
            words: crate::shingle::words_of(tokenization, count) as u32,
            page,
        })
    };
    let threads = rayon::current_num_threads();
    inputs.scan(
        BATCH_BYTES,
        config.max_line_bytes,
        &config.fields,
        |batch: &Batch| {
            let lines: Vec<UnitAt> = batch.lines().map(|l| (l.location, l.format)).collect();
            let units: Vec<input::LineRef<'_>> = batch.lines().collect();
            let (parsed, applied) = rayon::join(
                || {
                    chunk_ranges(&units, threads)
                        .into_par_iter()
                        .map(|range| {
                            let units = &units[range];
                            // About one shingle per 6 bytes of a line: room enough, most times.
                            let bytes: usize = units.iter().map(|u| u.location.len as usize).sum();
                            let mut out = Chunk {
                                units: Vec::with_capacity(units.len()),
                                hashes: Vec::with_capacity(bytes / 6),
                                ..Chunk::default()
                            };
                            let mut row = vec![0u32; hasher.num_perm()];
                            for line in units {
                                let p = sign_unit(line, &mut out, &mut row);
                                out.units.push(p);
                            }
                            out
                        })
                        .collect::<Vec<Chunk>>()
                },
                || pending.take().map_or(Ok(()), |(l, p)| apply(l, p)),
            );
            applied?;
            pending = Some((lines, parsed));
            Ok(())
        },
    )?;
    if let Some((l, p)) = pending.take() {
        apply(l, p)?;
    }
    if let Some(spool) = pages.as_mut() {
        spool.finish()?;
    }
    inputs.keep_pages(pages);
    check_documents(&tallies, &names, &units, config)?;
    if let Some(spool) = signed.sets.as_mut() {
        spool.finish()?;
    }
    if signed.meta.len() > u32::MAX as usize - 1 {
        return Err(Error::Config {
            field: "inputs",
            expected: "fewer than 4,294,967,295 documents".into(),
            got: signed.meta.len().to_string(),
        });
    }
    Ok(signed)
}

/// Removes repeats from the sorted tail `v[start..]`; returns the tail's new length.
fn dedup_tail(v: &mut Vec<u64>, start: usize) -> usize {
    let mut w = start;
    for r in start..v.len() {
        if w == start || v[r] != v[w - 1] {
            v[w] = v[r];
            w += 1;
        }
    }
    v.truncate(w);
    w - start
}

fn reject(
    signed: &mut Signed,
    bad: BadLine,
    config: &Config,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
) -> Result<()> {
    signed.rejected += 1;
    bad.stop_or_tell(config.strict, on_bad)
}

/// Records `id` for document `next`; returns the earlier document with the same id, if any.
fn insert_id(
    ids: &mut HashMap<u64, u32, Xxh3Builder>,
    overflow: &mut HashMap<String, u32, Xxh3Builder>,
    meta: &[DocMeta],
    id: &str,
    next: u32,
) -> Option<u32> {
    match ids.entry(xxh3_64(id.as_bytes())) {
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(next);
            None
        }
        std::collections::hash_map::Entry::Occupied(o) => {
            let first = *o.get();
            // A document not in `meta` yet (see `GeneratedIds::place`) has another id.
            if meta.get(first as usize).is_some_and(|m| m.id == id) {
                return Some(first);
            }
            // Two different ids with one 64-bit hash: keep the later ones exactly.
            match overflow.entry(id.to_string()) {
                std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(next);
                    None
                }
            }
        }
    }
}

/// The ids seen so far by the first pass, documents by id (`insert_id`'s tables).
struct IdTable<'a> {
    ids: &'a mut HashMap<u64, u32, Xxh3Builder>,
    overflow: &'a mut HashMap<String, u32, Xxh3Builder>,
    meta: &'a mut Vec<DocMeta>,
}

impl IdTable<'_> {
    /// The document that has `id`, if any.
    fn find(&self, id: &str) -> Option<u32> {
        let first = *self.ids.get(&xxh3_64(id.as_bytes()))?;
        // (A document not in `meta` yet is the one being placed, which has another id.)
        if self.meta.get(first as usize).is_some_and(|m| m.id == id) {
            return Some(first);
        }
        self.overflow.get(id).copied()
    }

    /// Makes `id` (held by a document) name document `doc` instead.
    fn point(&mut self, id: &str, doc: u32) {
        let slot = self
            .ids
            .get_mut(&xxh3_64(id.as_bytes()))
            .expect("the id is in the table");
        if self.meta.get(*slot as usize).is_some_and(|m| m.id == id) {
            *slot = doc;
        } else {
            self.overflow.insert(id.to_string(), doc);
        }
    }
}

/// The documents whose id was made from the input's name and line (`file:line`, or the file's
/// name for a whole file), so that such an id never takes the place of an id a record gives.
///
/// The rule: ids that records give are kept as written. A made id that another record gives
/// too (earlier or later in the input) becomes `file:line#2` (`#3`... the first that no
/// document has), so neither document is lost; only a made id met twice (the same input read
/// twice) is a duplicate.
#[derive(Default)]
struct GeneratedIds {
    /// One bit per document: its id was made.
    made: Vec<u64>,
    /// Documents whose made id was moved aside -> (length of the id as made, next suffix).
    moved: HashMap<u32, (usize, u32), Xxh3Builder>,
}

impl GeneratedIds {
    fn is_made(&self, doc: u32) -> bool {
        self.made
            .get(doc as usize / 64)
            .is_some_and(|w| w >> (doc % 64) & 1 == 1)
    }

    fn set_made(&mut self, doc: u32) {
        let w = doc as usize / 64;
        if self.made.len() <= w {
            self.made.resize(w + 1, 0);
        }
        self.made[w] |= 1 << (doc % 64);
    }

    /// Records `id` for document `next` (rewriting it, or an earlier made id, as the rule
    /// says); returns the earlier document with the same id when `next` is a duplicate.
    fn place(
        &mut self,
        table: &mut IdTable<'_>,
        id: &mut String,
        generated: bool,
        next: u32,
    ) -> Option<u32> {
        if generated {
            self.set_made(next);
        }
        let first = insert_id(table.ids, table.overflow, table.meta, id, next)?;
        match (generated, self.is_made(first)) {
            // A record gives the id an earlier document was given: that one moves aside.
            (false, true) => {
                let base = table.meta[first as usize].id.len();
                let moved = self.variant(table, first, base);
                table.point(id, next);
                table.meta[first as usize].id = moved.clone();
                insert_id(table.ids, table.overflow, table.meta, &moved, first);
                None
            }
            // A made id that a record gave, or that an earlier made id moved to: this one
            // moves aside. (The same made id twice is the same input read twice.)
            (true, first_made) if !first_made || self.moved.contains_key(&first) => {
                let base = std::mem::take(id);
                let len = base.len();
                self.moved.insert(next, (len, 2));
                *id = self.variant_of(table, next, &base);
                insert_id(table.ids, table.overflow, table.meta, id, next);
                None
            }
            _ => Some(first),
        }
    }

    /// The first `base#k` no document has, for the made id of `doc` in `meta` (`len`: the
    /// length of its id when it has not moved yet).
    fn variant(&mut self, table: &IdTable<'_>, doc: u32, len: usize) -> String {
        let len = self.moved.entry(doc).or_insert((len, 2)).0;
        let base = table.meta[doc as usize].id[..len].to_string();
        self.variant_of(table, doc, &base)
    }

    /// The first `base#k` no document has, `k` from the suffix `doc` tries next.
    fn variant_of(&mut self, table: &IdTable<'_>, doc: u32, base: &str) -> String {
        let (_, k) = self.moved.get_mut(&doc).expect("moved ids have a suffix");
        loop {
            let candidate = format!("{base}#{k}");
            *k += 1;
            if table.find(&candidate).is_none() {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FieldNames;
    use crate::input::Format;

    fn clue(line: u64, s: &str) -> Clue {
        let fields = FieldNames::default();
        let m = match crate::input::jsonl::parse_record(s.as_bytes(), &fields) {
            Err(m) => m,
            Ok(_) => panic!("{s} parses"),
        };
        clue_of(Format::Jsonl, line, s.as_bytes(), &m, &fields)
    }

    #[test]
    fn rejected_units_are_recognised() {
        assert_eq!(clue(1, "[{\"text\":\"a\"}]"), Clue::Array);
        assert_eq!(clue(1, "  ["), Clue::Array);
        assert_eq!(clue(1, "id,title,text"), Clue::Csv);
        assert_eq!(clue(1, "id\ttext"), Clue::Csv);
        assert_eq!(
            clue(2, "a1,hello"),
            Clue::None,
            "only a first line says CSV"
        );
        assert_eq!(
            clue(7, r#"{"id":"a","body":"long text","n":3}"#),
            Clue::Object(vec![("body".into(), 9), ("id".into(), 1), ("n".into(), 0)])
        );
        assert_eq!(clue(7, r#"{"text":5}"#), Clue::None);
        assert_eq!(clue(7, r#"{"text":"x""#), Clue::None);
    }

    fn hint(seen: &[(&str, usize)]) -> String {
        let t = Tally {
            read: 10,
            unparsed: 10,
            rejected: 10,
            shape: Clue::Object(seen.iter().map(|(k, l)| (k.to_string(), *l)).collect()),
            ..Tally::default()
        };
        no_documents("in.jsonl", &t, Unit::Line, &FieldNames::default()).to_string()
    }

    #[test]
    fn the_hint_names_the_likely_text_field() {
        assert_eq!(
            hint(&[("body", 900), ("headline", 40), ("id", 3)]),
            r#"in.jsonl: none of its 10 lines is a document: the lines have fields "body", "headline", "id": use --text-field body"#
        );
        // The longest string field that is not another known field; names quoted for a shell.
        assert!(hint(&[("title", 5000), ("the story", 900)]).ends_with("--text-field 'the story'"));
        assert!(hint(&[("url", 50)]).ends_with("--text-field url"));
        assert!(
            hint(&[("n", 0)]).ends_with("none holds text: name the text field with --text-field")
        );
    }

    fn unit(len: u32) -> input::LineRef<'static> {
        input::LineRef {
            location: Location {
                input: 0,
                line: 1,
                offset: 0,
                len,
                checksum: 0,
            },
            format: Format::Html,
            content: Content::Skipped,
        }
    }

    #[test]
    fn a_batch_is_cut_for_every_thread() {
        let sizes = |lens: &[u32], threads| -> Vec<usize> {
            let units: Vec<_> = lens.iter().map(|&l| unit(l)).collect();
            let ranges = chunk_ranges(&units, threads);
            // Every unit once, in order.
            let flat: Vec<usize> = ranges.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(flat, (0..lens.len()).collect::<Vec<_>>());
            ranges.iter().map(|r| r.len()).collect()
        };
        // Fourteen pages of a batch: one each, so that two threads share them.
        assert_eq!(sizes(&[150_000; 14], 2), [1; 14]);
        // Many short lines: runs of 16, as many as the bytes allow.
        assert_eq!(
            sizes(&[2_000; 1000], 2),
            [[16; 62].as_slice(), &[8]].concat()
        );
        // Forty units: at least four runs per thread.
        assert!(sizes(&[100; 40], 2).len() >= 8);
        assert!(sizes(&[100; 40], 4).len() >= 16);
        // One large unit among small ones ends its run.
        let lens = [[10, 10, 10_000].as_slice(), &[10; 17]].concat();
        assert_eq!(sizes(&lens, 1), [3, 5, 5, 5, 2]);
        assert_eq!(sizes(&[], 2), Vec::<usize>::new());
    }

    /// An HTML page with a paragraph that no other test reads.
    fn page(i: usize) -> String {
        format!(
            "<html><head><title>Once {i}</title></head><body><article><p>Page {i} of the \
             test that counts extractions: the council met on Tuesday to vote on the budget \
             for the harbour, the schools and the roads of district {i}.</p></article>\
             </body></html>"
        )
    }

    fn response(i: usize) -> Vec<u8> {
        let http = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{}",
            page(1000 + i)
        );
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:once-{i}>\r\n\
             WARC-Target-URI: https://news.example.com/once/{i}\r\n\
             WARC-Date: 2026-12-07T10:00:00Z\r\nContent-Length: {}\r\n\r\n",
            http.len()
        )
        .into_bytes();
        r.extend_from_slice(http.as_bytes());
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn extractions(checksum: u64) -> usize {
        let seen = input::EXTRACTED.lock().unwrap();
        seen.iter().filter(|&&c| c == checksum).count()
    }

    /// Pages are extracted once: the later passes read the records the first pass kept, equal
    /// to what extracting again gives; a page changed between the passes is still an error.
    #[test]
    fn pages_are_extracted_once() {
        let dir = tempfile::tempdir().unwrap();
        let warc = dir.path().join("pages.warc.gz");
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&warc).unwrap(),
            flate2::Compression::default(),
        );
        let request = b"WARC/1.1\r\nWARC-Type: request\r\nContent-Length: 0\r\n\r\n\r\n\r\n";
        for i in 0..30 {
            std::io::Write::write_all(&mut gz, &response(i)).unwrap();
            std::io::Write::write_all(&mut gz, request).unwrap();
        }
        gz.finish().unwrap();
        let html = dir.path().join("html");
        std::fs::create_dir(&html).unwrap();
        for i in 0..30 {
            std::fs::write(html.join(format!("p{i:02}.html")), page(i)).unwrap();
        }
        let jsonl = dir.path().join("a.jsonl");
        std::fs::write(
            &jsonl,
            "{\"id\":\"j1\",\"text\":\"a line that is no page\"}\n",
        )
        .unwrap();

        let mut inputs = InputSet::open(&[warc, html.clone(), jsonl]).unwrap();
        let config = Config::default();
        let banding = config.validate().unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let signed = pool
            .install(|| {
                read_and_sign(
                    &mut inputs,
                    &config,
                    banding,
                    &mut |b| panic!("{b}"),
                    &mut |_| {},
                )
            })
            .unwrap();
        assert_eq!((signed.meta.len(), signed.skipped), (61, 30));
        let all: Vec<u32> = (0..61).collect();
        let pages: Vec<u32> = (0..60).collect();
        assert_eq!(
            inputs.pages().map(|p| p.len()),
            Some(60),
            "the line is not kept"
        );
        let load = |inputs: &InputSet| {
            pool.install(|| crate::input::reread::load_docs(inputs, &signed.meta, &all, &config))
        };
        let kept = load(&inputs).unwrap();
        for &d in &pages {
            let loc = &signed.meta[d as usize].location;
            assert_eq!(extractions(loc.checksum), 1, "document {d} extracted once");
        }
        assert!(kept[3].text.contains("district 1003"), "{:?}", kept[3]);
        assert_eq!(
            kept[3].url.as_deref(),
            Some("https://news.example.com/once/3")
        );
        assert_eq!(kept[60].text, "a line that is no page");

        // A page changed since the first pass: an error, its record kept or not.
        let changed = html.join("p07.html");
        let before = std::fs::read(&changed).unwrap();
        std::fs::write(&changed, page(7).replace("Tuesday", "Thursday")).unwrap();
        let e = load(&inputs).unwrap_err();
        assert!(
            matches!(&e, Error::InputChanged { path, message }
                if path.ends_with("p07.html") && message.contains("not what was read before")),
            "{e:?}"
        );
        std::fs::write(&changed, before).unwrap();

        // Without the records kept, every page is extracted again, to the same documents.
        inputs.keep_pages(None);
        assert_eq!(load(&inputs).unwrap(), kept);
        for &d in &pages {
            let loc = &signed.meta[d as usize].location;
            assert_eq!(extractions(loc.checksum), 2, "document {d} extracted again");
        }
    }
}
