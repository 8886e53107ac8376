//! The chain of stages: read and sign, band, re-read and verify, cluster.
//!
//! Owns: the order of the stages, per-stage timings and counts, and the accounting of every
//! input line (a document, or a rejected line). Must not: parse command lines or write
//! outputs; it runs on the rayon pool it is given.

use crate::cluster::{attach_contained, contained_side, guarded_class_clusters, Cluster};
use crate::config::Config;
use crate::copies::{Copies, Pairs};
use crate::definition::Banding;
use crate::definition::Mode;
use crate::document::{DocMeta, Document, Location, Unit};
use crate::error::{Error, Result};
use crate::input::{self, jsonl::Record, Batch, Content, InputSet};
use crate::lsh::{class_candidates, BandKeys, Candidates};
use crate::minhash::MinHasher;
use crate::shingle::Shingles;
use crate::verify::{
    jaccard_and_containment, verify_pairs, Rule, ScoredPair, SetSource, SetSpool, ShingleStore,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use xxhash_rust::xxh3::{xxh3_64, Xxh3Builder};

/// Bytes of input lines parsed and signed together in parallel.
const BATCH_BYTES: usize = 2 << 20;

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

/// Normalizes and shingles one text: the per-document work shared by both passes.
pub fn shingle_text(text: &str, config: &Config) -> Shingles {
    crate::shingle::shingles_of_text(text, config.definition.shingle, config.definition.seed)
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
    /// About how many words each document's text has ([`crate::shingle::words_of`]).
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

enum Parsed {
    /// A unit the reader could not read ([`Content::Bad`]): what is wrong.
    Unreadable(String),
    /// A unit that is not a document: what is wrong, and what it looks like.
    Bad(String, Clue),
    Skipped,
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

/// Units signed together by one task of the first pass.
const CHUNK_UNITS: usize = 16;

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
}

/// What the parallel part of the first pass makes of a run of consecutive units. The
/// documents' vectors are laid end to end, so that a chunk allocates a few buffers rather than
/// several per document: they are freed by the thread that applies the chunk, and glibc's
/// allocator locks the arena of another thread for each such free.
#[derive(Default)]
struct Chunk {
    /// One entry per unit, in input order.
    units: Vec<Parsed>,
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
    // The sequential part of a batch (ids, spool, keys, samples, metadata, in input order) runs
    // while the next batch is parsed and signed in parallel.
    let bands = banding.bands;
    let mut apply = |lines: Vec<UnitAt>, chunks: Vec<Chunk>| -> Result<()> {
        let mut lines = lines.into_iter();
        for chunk in chunks {
            let (mut h, mut k, mut x, mut q) = (0, 0, 0, 0);
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
                    Parsed::Unreadable(m) => {
                        tally.rejected += 1;
                        reject(&mut signed, bad(m), config, on_bad)?;
                        continue;
                    }
                    Parsed::Bad(m, clue) => {
                        tally.rejected += 1;
                        tally.unparsed += 1;
                        tally.merge(clue);
                        reject(&mut signed, bad(m), config, on_bad)?;
                        continue;
                    }
                    Parsed::Skipped => {
                        signed.skipped += 1;
                        continue;
                    }
                    Parsed::Doc(d) => d,
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
                (h, k, x, q),
                (
                    chunk.hashes.len(),
                    chunk.keys.len(),
                    chunk.samples.len(),
                    chunk.sigs.len()
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
    let sign_unit = |line: &input::LineRef<'_>, out: &mut Chunk, row: &mut [u32]| -> Parsed {
        let bytes = match line.content {
            Content::Bad(m) => return Parsed::Unreadable(m.to_string()),
            Content::Skipped => return Parsed::Skipped,
            Content::Bytes(bytes) => bytes,
        };
        let rec = match input::parse(line.format, bytes, &config.fields) {
            Err(m) => {
                let clue = clue_of(line.format, line.location.line, bytes, &m, &config.fields);
                return Parsed::Bad(m, clue);
            }
            Ok(input::Parsed::Skip(_)) => return Parsed::Skipped,
            Ok(input::Parsed::Doc(rec)) => rec,
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
                Unit::Line | Unit::Record => format!("{name}:{}", line.location.line),
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
        Parsed::Doc(Signing {
            meta,
            outlet: rec.outlet.map(|o| {
                out.outlets.push_str(&o);
                (out.outlets.len() - o.len(), out.outlets.len())
            }),
            hashes: if signed { count } else { 0 },
            samples,
            generated_id,
            words: crate::shingle::words_of(tokenization, count) as u32,
        })
    };
    inputs.scan(BATCH_BYTES, config.max_line_bytes, |batch: &Batch| {
        let lines: Vec<UnitAt> = batch.lines().map(|l| (l.location, l.format)).collect();
        let (parsed, applied) = rayon::join(
            || {
                batch
                    .lines()
                    .collect::<Vec<_>>()
                    .par_chunks(CHUNK_UNITS)
                    .map(|units| {
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
    })?;
    if let Some((l, p)) = pending.take() {
        apply(l, p)?;
    }
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
    if config.strict {
        return Err(Error::BadLine {
            path: bad.input,
            line: bad.line,
            unit: bad.unit,
            message: bad.message,
        });
    }
    on_bad(&bad);
    Ok(())
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

/// Parses again a unit read back by location: it was a document in the first pass, so anything
/// else means the input changed.
pub fn reparse(inputs: &InputSet, m: &DocMeta, bytes: &[u8], config: &Config) -> Result<Record> {
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

/// Second pass: re-reads the documents `docs` (ascending) and returns their shingle sets.
pub fn load_shingles(
    inputs: &InputSet,
    meta: &[DocMeta],
    docs: &[u32],
    config: &Config,
) -> Result<ShingleStore> {
    let mut store = ShingleStore::new(meta.len());
    let mut wanted: Vec<(Location, u32)> = docs
        .iter()
        .map(|&d| (meta[d as usize].location, d))
        .collect();
    wanted.sort_unstable_by_key(|(l, _)| (l.input, l.offset));
    let mut pending: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut pending_bytes = 0usize;
    let flush = |pending: &mut Vec<(u32, Vec<u8>)>, store: &mut ShingleStore| -> Result<()> {
        let sets: Vec<(u32, Result<Vec<u64>>)> = pending
            .par_iter()
            .map(|(d, line)| {
                let r = reparse(inputs, &meta[*d as usize], line, config)
                    .map(|rec| shingle_text(&rec.text, config).hashes);
                (*d, r)
            })
            .collect();
        for (d, set) in sets {
            store.insert(d, &set?);
        }
        pending.clear();
        Ok(())
    };
    inputs.fetch(&wanted, |d, line| {
        pending_bytes += line.len();
        pending.push((d, line.to_vec()));
        if pending_bytes >= BATCH_BYTES {
            flush(&mut pending, &mut store)?;
            pending_bytes = 0;
        }
        Ok(())
    })?;
    flush(&mut pending, &mut store)?;
    Ok(store)
}

/// Re-reads the documents `docs` (ascending) and returns their texts, in the order of `docs`.
/// Parsing (HTML extraction, for web archives) runs in parallel batches on the current pool.
pub fn load_texts(
    inputs: &InputSet,
    meta: &[DocMeta],
    docs: &[u32],
    config: &Config,
) -> Result<Vec<String>> {
    Ok(load_docs(inputs, meta, docs, config)?
        .into_iter()
        .map(|d| d.text)
        .collect())
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

/// What the containment candidate stage did and learned ([`Outcome::learned`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Learned {
    /// Directed pairs the probes emitted: the work of the stage.
    pub emitted: u64,
    /// Sampled shingles learned as some outlet's boilerplate.
    pub boilerplate: u64,
    /// Verified pairs that the learned-boilerplate guard did not let stand.
    pub rejected: u64,
    /// Bytes of real sets made once for a dense candidate graph (0 when not made).
    pub prepared_bytes: u64,
}

/// Each document's outlet as a number, in order of first appearance
/// ([`crate::contain::NO_OUTLET`] when unknown).
fn outlet_numbers(meta: &[DocMeta]) -> Vec<u32> {
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    meta.iter()
        .map(|m| match m.outlet.as_deref() {
            None => crate::contain::NO_OUTLET,
            Some(o) => {
                let next = seen.len() as u32;
                *seen.entry(o).or_insert(next)
            }
        })
        .collect()
}

/// How the rule accepted a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepted {
    /// By Jaccard similarity.
    Jaccard,
    /// By containment alone.
    Containment,
}

/// How the rule accepted a pair with Jaccard `jaccard`.
fn accepted_as(rule: Rule, jaccard: f64) -> Accepted {
    match rule {
        Rule::Containment { jaccard: t, .. } if jaccard < t => Accepted::Containment,
        _ => Accepted::Jaccard,
    }
}

/// The verified pairs that stand: a pair accepted by containment alone needs enough real text
/// in the contained document ([`crate::boilerplate::RealSets::contained_long_enough`]).
fn stand(
    verified: Vec<ScoredPair>,
    real: &crate::boilerplate::RealSets<'_>,
    rule: Rule,
) -> Vec<ScoredPair> {
    verified
        .into_par_iter()
        .filter(|p| {
            accepted_as(rule, p.jaccard) == Accepted::Jaccard
                || real.contained_long_enough(p.a, p.b)
        })
        .collect()
}

/// True when the outlet and date options allow a match between documents `a` and `b`.
pub fn pair_allowed(config: &Config, a: &DocMeta, b: &DocMeta) -> bool {
    if config.definition.cross_outlet_only {
        if let (Some(x), Some(y)) = (&a.outlet, &b.outlet) {
            if x.trim().eq_ignore_ascii_case(y.trim()) {
                return false;
            }
        }
    }
    if let (Some(w), Some(x), Some(y)) = (config.definition.window_days, a.day, b.day) {
        if x.abs_diff(y) > w {
            return false;
        }
    }
    true
}

/// Wall time of each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Reading, parsing, normalizing, shingling and signing.
    pub read_sign: Duration,
    /// Banding and candidate pairs.
    pub lsh: Duration,
    /// Exact verification of candidate pairs.
    pub verify: Duration,
    /// Union-find, canonical members and their scores.
    pub cluster: Duration,
}

/// Counts of one run; every input line (or web archive record, or file) is a document, rejected
/// or skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Non-blank input lines (and web archive records, and whole files) read.
    pub read: u64,
    /// Lines that became documents (`read - rejected - skipped`).
    pub documents: u64,
    /// Lines that could not be read as documents.
    pub rejected: u64,
    /// Web archive records that are not articles: requests, metadata, redirects, images...
    pub skipped: u64,
    /// Files in the named directories not read, their names giving no format neardup reads.
    pub skipped_files: u64,
    /// Documents too short to compare (fewer than `min_shingles` shingles).
    pub short: u64,
    /// Candidate pairs from LSH.
    pub candidate_pairs: u64,
    /// Candidate pairs that passed exact verification.
    pub verified_pairs: u64,
    /// Verified pairs ignored by `--cross-outlet-only` or `--window`.
    pub ignored_pairs: u64,
    /// Documents left out of every cluster by the chaining guard: connected to a cluster
    /// through verified pairs, they match no cluster center (or, in containment mode, were
    /// linked only to a contained copy that attached to another container).
    pub guard_splits: u64,
    /// LSH buckets too large for all pairs, linked as a star.
    pub oversized_buckets: u64,
    /// Sampled shingles in more than `max_df` documents, not used to find pairs.
    pub boilerplate_samples: u64,
    /// Clusters of two or more documents.
    pub clusters: u64,
    /// Documents in clusters that are not the canonical member.
    pub duplicates: u64,
    /// Clusters of near-identical texts found to be different items of one template
    /// ([`crate::template`]) and split into their items (with `Templates::Apart`).
    pub templates: u64,
    /// The items those clusters were split into: each a cluster of its copies or one
    /// document in no cluster.
    pub template_items: u64,
    /// Bytes of input lines read.
    pub input_bytes: u64,
}

/// Where every input unit (non-blank line, web-archive record, whole file) went, in every
/// output: `read = kept + removed + rejected + skipped`.
///
/// `kept` are the documents `dedupe` keeps (canonical members, documents in no cluster, short
/// documents), `removed` the other members of clusters (each names its kept canonical member),
/// `rejected` the units that could not be read as documents (each reported as `file:line:
/// message` or `file: record N: message`), `skipped` the web-archive records that are not
/// articles (warcinfo, requests, redirects, images...). Blank lines are not counted at all;
/// files of other types skipped in directories are counted in `Counts::skipped_files`, not here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Accounting {
    /// Non-blank input lines read.
    pub read: u64,
    /// Documents kept.
    pub kept: u64,
    /// Documents removed as copies of a kept one.
    pub removed: u64,
    /// Units rejected.
    pub rejected: u64,
    /// Web-archive records skipped as not articles.
    pub skipped: u64,
    /// Short documents (among the kept ones).
    pub short: u64,
    /// Clusters of two or more documents.
    pub clusters: u64,
}

impl Accounting {
    /// The accounting of a run's counts.
    pub fn of(c: &Counts) -> Accounting {
        Accounting {
            read: c.read,
            kept: c.documents - c.duplicates,
            removed: c.duplicates,
            rejected: c.rejected,
            skipped: c.skipped,
            short: c.short,
            clusters: c.clusters,
        }
    }

    /// True when `read = kept + removed + rejected + skipped`.
    pub fn balances(&self) -> bool {
        self.read == self.kept + self.removed + self.rejected + self.skipped
    }
}

/// A member of a cluster with its exact scores against the cluster's reference copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberScore {
    /// Document index.
    pub doc: u32,
    /// Jaccard against the reference copy (1 for the reference itself).
    pub jaccard: f64,
    /// Containment against the reference copy (1 for the reference itself).
    pub containment: f64,
}

/// A cluster with its members' scores.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredCluster {
    /// Number, members and canonical member (the copy `dedupe` keeps).
    pub cluster: Cluster,
    /// The reference copy ([`crate::cluster::reference`]): what the scores, the changes, the
    /// full text and the title of the report are of, or against.
    pub reference: u32,
    /// Why it is the reference.
    pub basis: crate::cluster::ReferenceBasis,
    /// One entry per member, in member order.
    pub scores: Vec<MemberScore>,
    /// When the cluster is the copies of one item of a template (see [`crate::template`]):
    /// the number of items the template's cluster was split into.
    pub template: Option<u32>,
}

/// Everything a run found.
#[derive(Debug)]
pub struct Outcome {
    /// Per-document metadata, in input order.
    pub meta: Vec<DocMeta>,
    /// Clusters in number order.
    pub clusters: Vec<ScoredCluster>,
    /// Verified pairs allowed by the outlet and date options: pairs of documents, kept as
    /// pairs of classes of identical documents ([`crate::copies`]).
    pub pairs: Pairs,
    /// Counts.
    pub counts: Counts,
    /// Stage timings (not part of any output file: they vary).
    pub timings: Timings,
    /// The banding used.
    pub banding: Banding,
    /// Bytes held in band keys (a lower bound of the process's memory).
    pub held_bytes: usize,
    /// Bytes of band keys spilled to temporary files (past `Config::band_key_memory`).
    pub key_spill_bytes: u64,
    /// Bytes of shingle sets spooled to a temporary file for verification.
    pub spool_bytes: u64,
    /// Bytes of sampled shingles spilled to temporary files (containment mode, large inputs).
    pub sample_spill_bytes: u64,
    /// Containment mode: pairs the candidate probes emitted, sampled shingles learned as some
    /// outlet's boilerplate, and verified pairs the learned-boilerplate guard did not let stand.
    pub learned: Learned,
}

/// Runs every stage on `pool`. Bad lines go to `on_bad` as they are found.
pub fn run(
    inputs: &mut InputSet,
    config: &Config,
    pool: &rayon::ThreadPool,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
) -> Result<Outcome> {
    run_with_progress(inputs, config, pool, on_bad, &mut |_| {})
}

/// [`run`], reporting progress to `progress` as it goes.
pub fn run_with_progress(
    inputs: &mut InputSet,
    config: &Config,
    pool: &rayon::ThreadPool,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Outcome> {
    let banding = config.validate()?;
    pool.install(|| {
        let t0 = Instant::now();
        let mut signed = read_and_sign(inputs, config, banding, on_bad, progress)?;
        progress(Progress::Stage("finding candidate pairs"));
        let t1 = Instant::now();
        let docs = signed.signed_docs();
        let store = signed.sets.take().expect("spool written by the first pass");
        let rule = Rule::from_config(config);
        // Identical documents are handled as classes (see `copies`), when nothing but their
        // sets decides whether two of them pair: without outlet and date filters (and the
        // rule accepts identical sets whenever the threshold is valid).
        let copies = if config.definition.cross_outlet_only || config.definition.window_days.is_some() {
            Copies::default()
        } else {
            Copies::find(&docs, &signed.sig_hashes, signed.meta.len(), &store)
        };
        signed.sig_hashes = Vec::new();
        let firsts: Vec<u32> = if copies.is_empty() {
            docs
        } else {
            docs.into_iter().filter(|&d| copies.is_first(d)).collect()
        };
        let Candidates {
            pairs: mut candidates,
            oversized_buckets,
        } = class_candidates(&signed.keys, &firsts, &copies, config.definition.max_bucket);
        drop(firsts);
        let mut boilerplate_samples = 0;
        let sample_spill_bytes = signed.samples.spilled_bytes();
        let outlets = outlet_numbers(&signed.meta);
        let mut learned = Vec::new();
        let mut holders = Vec::new();
        let mut stage = Learned::default();
        if config.definition.mode == Mode::Containment {
            let index = std::mem::take(&mut signed.samples);
            let found = crate::contain::find(
                index,
                &copies,
                &outlets,
                crate::contain::Params::from_config(config),
            )?;
            boilerplate_samples = found.boilerplate;
            learned = found.outlet_boilerplate;
            holders = found.holders;
            stage.emitted = found.emitted;
            let contained = found.pairs;
            if copies.is_empty() {
                candidates.extend(contained);
            } else {
                // A pair of groups links all their classes.
                for (a, b) in contained {
                    let (ra, rb) = (copies.rest(a), copies.rest(b));
                    if a == b {
                        let rest = ra.expect("a document paired with itself is in a group");
                        candidates.push((a, rest));
                        if copies.weight(rest) >= 2 {
                            candidates.push((rest, rest));
                        }
                        continue;
                    }
                    for x in std::iter::once(a).chain(ra) {
                        for y in std::iter::once(b).chain(rb) {
                            candidates.push((x.min(y), x.max(y)));
                        }
                    }
                }
            }
            candidates.par_sort_unstable();
            candidates.dedup();
        }
        let candidate_pairs: u64 = candidates
            .iter()
            .map(|&(a, b)| copies.pair_count(a, b))
            .sum();
        let t2 = Instant::now();
        progress(Progress::Stage("verifying pairs"));
        let words = std::mem::take(&mut signed.words);
        let real_text = if config.definition.mode == Mode::Containment {
            crate::boilerplate::RealText::learn(
                &learned,
                &holders,
                &store,
                outlets,
                words,
                config.definition.min_contained_words,
            )
        } else {
            crate::boilerplate::RealText::plain(words, config.definition.min_contained_words)
        };
        drop(holders);
        // Every score from here on is a score of real text (the outlets' boilerplate out).
        let mut real = crate::boilerplate::RealSets::new(&store, &real_text);
        // A dense candidate graph (short documents of common shingles) reads each set in many
        // chunks: then each real set is made once. `DENSE` pairs per document is where
        // making them once costs less than making them again (measured: docs/candidates.md).
        const DENSE: usize = 2;
        let mut docs: Vec<u32> = candidates.iter().flat_map(|&(a, b)| [a, b]).collect();
        docs.par_sort_unstable();
        docs.dedup();
        if candidates.len() >= DENSE * docs.len() {
            real.prepare(signed.meta.len(), &docs)?;
        }
        drop(docs);
        let verified = verify_pairs(&candidates, &real, rule);
        drop(candidates);
        stage.boilerplate = real_text.learned() as u64;
        let before = verified.len();
        let verified = stand(verified, &real, rule);
        stage.rejected = (before - verified.len()) as u64;
        stage.prepared_bytes = real.prepared_bytes();
        let verified_pairs: u64 = verified
            .iter()
            .map(|p| copies.pair_count(p.a, p.b))
            .sum();
        let meta = &signed.meta;
        let pairs: Vec<ScoredPair> = verified
            .into_iter()
            .filter(|p| pair_allowed(config, &meta[p.a as usize], &meta[p.b as usize]))
            .collect();
        let allowed_pairs: u64 = pairs.iter().map(|p| copies.pair_count(p.a, p.b)).sum();
        let t3 = Instant::now();
        progress(Progress::Stage("clustering"));
        // The canonical member: the longest text, ties to the smallest id (not the earliest,
        // so that clusters do not depend on the order of the inputs).
        let lens = crate::cluster::canonical_keys(meta);
        // Scores of verified, allowed pairs: most members of a cluster are paired with its
        // center directly, and their sets need not be read again.
        let known = |x: u32, y: u32| {
            let (x, y) = (copies.class(x), copies.class(y));
            pairs
                .binary_search_by_key(&(x.min(y), x.max(y)), |p| (p.a, p.b))
                .ok()
                .map(|i| (pairs[i].jaccard, pairs[i].containment))
        };
        // Pairs accepted by containment alone attach each contained side to one container,
        // its best (see `cluster`). A group of identical documents (both its classes) is one
        // side: it is contained, and attached to, as a whole.
        let by_jaccard = |p: &ScoredPair| rule.accepts_by_jaccard(p.jaccard);
        let mut sides: Vec<u32> = pairs
            .iter()
            .filter(|p| !by_jaccard(p))
            .flat_map(|p| [copies.group(p.a), copies.group(p.b)])
            .collect();
        sides.par_sort_unstable();
        sides.dedup();
        // The size of each side's set and its rank: the greatest canonical key of its members.
        let ranks: Vec<(usize, (u32, std::cmp::Reverse<u32>))> = sides
            .par_iter()
            .map(|&g| {
                let key = copies
                    .group_members(g)
                    .map(|m| lens[m as usize])
                    .max()
                    .expect("a group has members");
                (real.set(g).len(), key)
            })
            .collect();
        let side = |g: u32| {
            sides
                .binary_search(&g)
                .map(|i| ranks[i])
                .expect("a side of a pair accepted by containment alone")
        };
        let size = |g: u32| side(g).0;
        let key = |g: u32| match sides.binary_search(&g) {
            Ok(i) => ranks[i].1,
            Err(_) => copies
                .group_members(g)
                .map(|m| lens[m as usize])
                .max()
                .expect("a group has members"),
        };
        let (kept, containers) =
            attach_contained(&pairs, by_jaccard, |x| copies.group(x), size, key);
        // A member matched to the center by containment alone stays when it is contained in
        // the center, or is the container the center attaches to or a match of it: a short
        // copy at the center never holds together the different stories that contain it.
        // Whether a member matches the container `a` (a group's first member) under the rule.
        let container_matches = |a: u32, m: u32| {
            known(a, m).is_some() || {
                let (sa, sm) = (real.set(a), real.set(m));
                let (j, k) = jaccard_and_containment(&sa, &sm);
                rule.accepts(j, k, sa.len().min(sm.len()))
            }
        };
        let attached = |c: u32, m: u32, jaccard: f64, size: &dyn Fn(u32) -> usize| {
            let (gc, gm) = (copies.group(copies.class(c)), copies.group(copies.class(m)));
            rule.accepts_by_jaccard(jaccard)
                || contained_side(gc, gm, size, key).0 == gm
                || containers.of(gc).is_some_and(|a| a == gm || container_matches(a, m))
        };
        // The guard compares one center with each of its members in turn: keep the center's set.
        let center: std::cell::RefCell<Option<(u32, Vec<u64>)>> = std::cell::RefCell::new(None);
        let guard = |c: u32, m: u32| {
            if let Some((jaccard, _)) = known(c, m) {
                // Accepted by the rule and allowed by the outlet and date filters.
                return attached(c, m, jaccard, &size);
            }
            let mut cached = center.borrow_mut();
            if cached.as_ref().is_none_or(|(d, _)| *d != c) {
                *cached = Some((c, real.set(c).into_owned()));
            }
            let sc = &cached.as_ref().expect("just set").1;
            let sm = real.set(m);
            let (j, k) = jaccard_and_containment(sc, &sm);
            let (mc, mm) = (&meta[c as usize], &meta[m as usize]);
            let window_ok = !matches!((config.definition.window_days, mc.day, mm.day), (Some(w), Some(x), Some(y)) if x.abs_diff(y) > w);
            let smaller = sc.len().min(sm.len());
            let gc = copies.group(copies.class(c));
            let sizes = |g: u32| if g == gc { sc.len() } else { sm.len() };
            rule.accepts(j, k, smaller)
                && window_ok
                && (accepted_as(rule, j) == Accepted::Jaccard || real.contained_long_enough(c, m))
                && attached(c, m, j, &sizes)
        };
        let edges = || kept.iter().copied();
        let unguarded: usize =
            guarded_class_clusters(&lens, &copies, pairs.iter().map(|p| (p.a, p.b)), |_, _| true)
                .iter()
                .map(|c| c.members.len())
                .sum();
        let found = guarded_class_clusters(&lens, &copies, edges(), guard);
        let guarded: usize = found.iter().map(|c| c.members.len()).sum();
        let scored: Vec<ScoredCluster> = found
            .into_par_iter()
            .map(|c| {
                let (reference, basis) =
                    crate::cluster::reference(&c.members, &lens, |m| crate::cluster::Provenance::of(&meta[m as usize]));
                let mut anchor: Option<std::borrow::Cow<[u64]>> = None;
                // Members of a class have one set: scored once.
                let mut of_class: Option<(u32, (f64, f64))> = None;
                let scores = c
                    .members
                    .iter()
                    .map(|&d| {
                        let (jaccard, containment) = if d == reference {
                            (1.0, 1.0)
                        } else if let Some(s) = known(reference, d) {
                            s
                        } else if let Some((_, s)) =
                            of_class.filter(|&(x, _)| x == copies.class(d))
                        {
                            s
                        } else {
                            let anchor = anchor.get_or_insert_with(|| real.set(reference));
                            let s = jaccard_and_containment(anchor, &real.set(d));
                            of_class = Some((copies.class(d), s));
                            s
                        };
                        MemberScore {
                            doc: d,
                            jaccard,
                            containment,
                        }
                    })
                    .collect();
                ScoredCluster {
                    cluster: c,
                    reference,
                    basis,
                    scores,
                    template: None,
                }
            })
            .collect();
        let (scored, templates) = if config.templates == crate::config::Templates::Apart {
            progress(Progress::Stage("telling template items apart"));
            separate_templates(inputs, meta, scored, &|d| real.set(d), &lens, config)?
        } else {
            (scored, Split::default())
        };
        let t4 = Instant::now();
        let held_bytes = signed.keys.heap_bytes();
        let key_spill_bytes = signed.keys.spilled_bytes();
        let spool_bytes = store.disk_bytes();
        let counts = Counts {
            read: signed.read,
            documents: signed.meta.len() as u64,
            rejected: signed.rejected,
            skipped: signed.skipped,
            skipped_files: inputs.skipped_files().len() as u64,
            short: signed.meta.iter().filter(|m| m.short).count() as u64,
            candidate_pairs,
            verified_pairs,
            ignored_pairs: verified_pairs - allowed_pairs,
            guard_splits: (unguarded - guarded) as u64,
            oversized_buckets: oversized_buckets as u64,
            boilerplate_samples,
            clusters: scored.len() as u64,
            duplicates: scored
                .iter()
                .map(|c| c.cluster.members.len() as u64 - 1)
                .sum(),
            templates: templates.templates,
            template_items: templates.items,
            input_bytes: signed.bytes,
        };
        Ok(Outcome {
            meta: signed.meta,
            clusters: scored,
            pairs: Pairs::new(pairs, std::sync::Arc::new(copies)),
            counts,
            timings: Timings {
                read_sign: t1 - t0,
                lsh: t2 - t1,
                verify: t3 - t2,
                cluster: t4 - t3,
            },
            banding,
            held_bytes,
            key_spill_bytes,
            spool_bytes,
            sample_spill_bytes,
            learned: stage,
        })
    })
}

/// `cluster` with its members scored against its reference copy ([`crate::cluster::reference`],
/// the choice `run` makes), `set` giving a document's (real) shingle set.
pub fn scored_against_reference<'s>(
    cluster: Cluster,
    meta: &[DocMeta],
    lens: &[(u32, std::cmp::Reverse<u32>)],
    set: &(dyn Fn(u32) -> std::borrow::Cow<'s, [u64]> + Sync),
    template: Option<u32>,
) -> ScoredCluster {
    let (reference, basis) = crate::cluster::reference(&cluster.members, lens, |m| {
        crate::cluster::Provenance::of(&meta[m as usize])
    });
    let anchor = set(reference);
    let scores = cluster
        .members
        .iter()
        .map(|&d| {
            let (jaccard, containment) = if d == reference {
                (1.0, 1.0)
            } else {
                jaccard_and_containment(&anchor, &set(d))
            };
            MemberScore {
                doc: d,
                jaccard,
                containment,
            }
        })
        .collect();
    ScoredCluster {
        cluster,
        reference,
        basis,
        scores,
        template,
    }
}

/// Tells template items apart in an outcome made elsewhere (the Spark engine's, read by
/// [`crate::shard::read_engine_run`]) as [`run`] does in its own: clusters, their numbers and
/// the counts of clusters, duplicates and templates are made again. `set` gives a document's
/// shingle set (real text in containment mode) as the outcome's scores were computed on.
pub fn separate_template_items<'s>(
    inputs: &InputSet,
    outcome: &mut Outcome,
    set: &(dyn Fn(u32) -> std::borrow::Cow<'s, [u64]> + Sync),
    config: &Config,
) -> Result<()> {
    if config.templates != crate::config::Templates::Apart {
        return Ok(());
    }
    let lens = crate::cluster::canonical_keys(&outcome.meta);
    let scored = std::mem::take(&mut outcome.clusters);
    let (scored, split) = separate_templates(inputs, &outcome.meta, scored, set, &lens, config)?;
    outcome.counts.clusters = scored.len() as u64;
    outcome.counts.duplicates = scored
        .iter()
        .map(|c| c.cluster.members.len() as u64 - 1)
        .sum();
    outcome.counts.templates = split.templates;
    outcome.counts.template_items = split.items;
    outcome.clusters = scored;
    Ok(())
}

/// What [`separate_templates`] split.
#[derive(Debug, Default, Clone, Copy)]
struct Split {
    /// Clusters found to be templates.
    templates: u64,
    /// Items they were split into.
    items: u64,
}

/// Members of clusters whose texts are read again at a time to tell template items apart.
const TEMPLATE_BATCH: usize = 8192;

/// Splits each cluster whose members are different items of one template
/// ([`crate::template::items`], members given longest first) into its items: an item of two
/// or more copies is a cluster of its own (canonical member and scores against it made again,
/// on real text), an item of one copy is in no cluster. Clusters are numbered again by their
/// first member. Texts are read again a batch of clusters at a time, on the current pool;
/// `set` gives a document's (real) shingle set for the scores.
fn separate_templates<'s>(
    inputs: &InputSet,
    meta: &[DocMeta],
    scored: Vec<ScoredCluster>,
    set: &(dyn Fn(u32) -> std::borrow::Cow<'s, [u64]> + Sync),
    lens: &[(u32, std::cmp::Reverse<u32>)],
    config: &Config,
) -> Result<(Vec<ScoredCluster>, Split)> {
    let mut out: Vec<ScoredCluster> = Vec::with_capacity(scored.len());
    let mut split = Split::default();
    // Clusters whose members' headlines, outlets and dates already say they are one story
    // need no texts read (`template::may_hold_items`).
    let may_hold = |c: &ScoredCluster| {
        crate::template::may_hold_items(c.cluster.members.iter().map(|&d| {
            let m = &meta[d as usize];
            (m.title_key, m.outlet.as_deref(), m.day)
        }))
    };
    let (check, one_story): (Vec<ScoredCluster>, Vec<ScoredCluster>) =
        scored.into_iter().partition(may_hold);
    out.extend(one_story);
    let mut rest = check.into_iter().peekable();
    while rest.peek().is_some() {
        let mut batch = Vec::new();
        let mut size = 0;
        while let Some(c) =
            rest.next_if(|c| batch.is_empty() || size + c.cluster.members.len() <= TEMPLATE_BATCH)
        {
            size += c.cluster.members.len();
            batch.push(c);
        }
        let mut docs: Vec<u32> = batch
            .iter()
            .flat_map(|c| c.cluster.members.iter().copied())
            .collect();
        docs.sort_unstable();
        docs.dedup();
        let loaded = load_docs(inputs, meta, &docs, config)?;
        let doc = |d: u32| &loaded[docs.binary_search(&d).expect("loaded")];
        // Each cluster as its items' clusters, with the number of items (1: not a template).
        let parts: Vec<(Vec<ScoredCluster>, u32)> = batch
            .into_par_iter()
            .map(|sc| {
                // Longest first, ties to the earlier document: the canonical order.
                let mut order = sc.cluster.members.clone();
                order.sort_by(|&x, &y| lens[y as usize].cmp(&lens[x as usize]).then(x.cmp(&y)));
                let members: Vec<crate::template::Member<'_>> = order
                    .iter()
                    .map(|&d| {
                        let (m, text) = (&meta[d as usize], doc(d));
                        crate::template::Member {
                            title: text.title.as_deref(),
                            text: &text.text,
                            outlet: m.outlet.as_deref(),
                            day: m.day,
                        }
                    })
                    .collect();
                let item = crate::template::items(&members);
                let n = item.iter().max().map_or(0, |&k| k + 1);
                if n <= 1 {
                    return (vec![sc], 1);
                }
                let clusters = (0..n)
                    .filter_map(|k| {
                        let mut group: Vec<u32> = order
                            .iter()
                            .zip(&item)
                            .filter(|&(_, &i)| i == k)
                            .map(|(&d, _)| d)
                            .collect();
                        if group.len() < 2 {
                            return None;
                        }
                        group.sort_unstable();
                        let canonical = crate::cluster::canonical_member(&group, lens);
                        let cluster = Cluster {
                            number: 0,
                            members: group,
                            canonical,
                        };
                        Some(scored_against_reference(cluster, meta, lens, set, Some(n)))
                    })
                    .collect();
                (clusters, n)
            })
            .collect();
        for (clusters, n) in parts {
            if n > 1 {
                split.templates += 1;
                split.items += u64::from(n);
            }
            out.extend(clusters);
        }
    }
    out.sort_by_key(|c| c.cluster.members[0]);
    if split.templates > 0 {
        for (i, c) in out.iter_mut().enumerate() {
            c.cluster.number = i as u32 + 1;
        }
    }
    Ok((out, split))
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
}
