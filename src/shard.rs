//! Signed shards for a distributed engine (Apache Spark), and the engine's clusters read back.
//!
//! Owns: the layout of a signature directory, what it was signed with ([`Signing`]: the
//! [`Definition`] of a duplicate that the local path and an engine share, written in
//! `manifest.json`), global document ids, and reading an
//! engine's output back into an [`Outcome`] so that the local report writers can run on it.
//! Must not: find pairs or clusters itself (that is `pipeline::run` locally, or the engine).
//!
//! # A signature directory (format version 1)
//!
//! ```text
//! SIGDIR/manifest.json                the Definition (every parameter that must match)
//! SIGDIR/shards/shard-NNNNNNNN.json   per shard: input name, counts, the Definition again
//! SIGDIR/docs/shard-NNNNNNNN.parquet  doc_id, shard, source, id, title, outlet, date, url, line, offset,
//!                                     len, checksum, text_chars, shingles, samples, day, wire,
//!                                     wire_dateline, short, outlet_key, words
//! SIGDIR/bands/shard-NNNNNNNN.parquet doc_id INT64, band INT32, band_hash INT64
//! SIGDIR/sets/shard-NNNNNNNN.parquet  doc_id INT64, shingles LIST<INT64> (the exact set)
//! SIGDIR/samples/shard-...parquet     doc_id INT64, sample_hi INT64 (containment mode)
//! ```
//!
//! Hashes are unsigned 64-bit values stored bit-cast as INT64 (Spark has no unsigned type;
//! only equality matters). Short documents have a `docs` row and an empty set but no bands and
//! no samples, as locally. `doc_id = shard << 40 | index`, where `index` counts documents in the
//! shard's input order: ids are global and deterministic, and ascending `doc_id` is the local
//! order of the shards' inputs given one after the other in shard order, so the engine's
//! "smallest member" and "first member" mean what they mean locally.
//!
//! # An engine's output
//!
//! ```text
//! OUTDIR/clusters/*.parquet  doc_id INT64, cluster_id INT64 (smallest doc_id of the cluster)
//! OUTDIR/pairs/*.parquet     a, b, inter, na, nb INT64: the verified pairs clusters came from
//! OUTDIR/real/*.parquet      doc_id INT64, shingles LIST<INT64>: the real set (without its
//!                            outlet's boilerplate text) of each clustered document whose real
//!                            set is not its whole set (containment mode); scores are of real sets
//! OUTDIR/stats/*.parquet     one row: candidate_pairs, verified_pairs, ignored_pairs,
//!                            guard_splits, oversized_buckets, boilerplate_samples, definition
//! ```

use crate::cluster::Cluster;
use crate::config::{Config, FieldNames};
use crate::definition::{Banding, Definition, Mode};
use crate::document::{DocMeta, Location};
use crate::error::{Error, Result};
use crate::input::InputSet;
use crate::outcome::{Counts, Outcome, ScoredCluster, Timings};
use crate::pipeline::BadLine;
use crate::verify::{scores_from_counts, ScoredPair, SetSource};
use arrow_array::builder::{Int64Builder, ListBuilder};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Int32Array, Int64Array, ListArray, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The version of the signature directory layout described in the module docs.
pub const FORMAT_VERSION: u32 = 1;

/// Bits of a `doc_id` that hold the document's index within its shard.
pub const INDEX_BITS: u32 = 40;

/// The largest shard number (`doc_id` stays a positive INT64).
pub const MAX_SHARD: u32 = (1 << (63 - INDEX_BITS)) - 1;

/// Rows per Parquet record batch written.
const ROWS_PER_BATCH: usize = 1 << 16;

/// The global id of document `index` of shard `shard`.
///
/// ```
/// assert_eq!(neardup::shard::doc_id(3, 7), (3 << 40) | 7);
/// ```
pub fn doc_id(shard: u32, index: u64) -> i64 {
    ((u64::from(shard) << INDEX_BITS) | index) as i64
}

/// What a signature directory was signed with: the [`Definition`] of a duplicate (its fields
/// at the top level of the JSON object), the field names to read the texts again, and the
/// rules an engine follows, in words and with the constants behind them. The local path and
/// an engine must agree on all of it, so it is written once in the manifest and the engine
/// reads its rule from there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signing {
    /// What counts as a duplicate, with its banding.
    #[serde(flatten)]
    pub definition: Definition,
    /// The hash functions, in words.
    pub hash_family: String,
    /// Containment candidates: most probes of a document ([`crate::contain::Params::probes`]).
    pub probes: usize,
    /// Containment candidates: most pairs a document's probes emit
    /// ([`crate::contain::Params::emit_per_doc`]).
    pub emit_per_doc: usize,
    /// Outlet boilerplate: least documents of the outlet holding a sample
    /// ([`crate::contain::Params::outlet_min`]).
    pub outlet_min: usize,
    /// Outlet boilerplate: one in this many documents of the outlet holds the sample
    /// ([`crate::contain::OUTLET_SHARE`]).
    pub outlet_share: usize,
    /// JSON field names (to read the texts again for the report).
    pub fields: FieldNames,
    /// Candidate pairs, in words.
    pub edge_rule: String,
    /// The verification rule, in words, with its arithmetic.
    pub rule: String,
    /// The chaining guard, in words.
    pub guard: String,
}

impl Signing {
    /// What a validated `config` run with `banding` signs with.
    pub fn new(config: &Config, banding: Banding) -> Signing {
        let rule = match config.definition.mode {
            Mode::Jaccard => format!(
                "duplicate when inter / (na + nb - inter) >= {} (binary64 division of exact counts of the shingle sets)",
                config.definition.threshold
            ),
            Mode::Containment => format!(
                "duplicate when inter / (na + nb - inter) >= {} or (inter / min(na, nb) >= {} and min(na, nb) >= {}) (binary64 division of exact counts of the real shingle sets). An outlet's boilerplate text: for each of its boilerplate samples held by 2 or more of its documents, the intersection of the full sets of the first 3 of them (doc_id order; of a group of identical sets, its first member only), united. A document's real set: its set minus its outlet's boilerplate text, or its whole set when that leaves nothing. A pair accepted by containment alone (jaccard below {}) stands only when the document with the smaller real set (ties the first) has words * real / full >= {} (integer division; words when its set is empty)",
                config.definition.threshold,
                config.definition.containment,
                config.definition.min_contained,
                config.definition.threshold,
                config.definition.min_contained_words
            ),
        };
        let params = crate::contain::Params::from_config(config);
        let samples = match config.definition.mode {
            Mode::Containment => format!(
                "; plus pairs through sampled shingles (hash % {every} == 0, grouped by the hash's high 32 bits; df = entries of a group; groups of more than {max_df} entries pair nothing). An outlet's boilerplate: a group held by at least {outlet_min} documents of the outlet and by at least one in {share} of its documents (unknown outlets learn none). Boilerplate is learned before groups of more than {max_df} entries are dropped. A document probes when 2 * shared >= samples - boiled, shared: its samples in groups of 2 or more entries that are not its outlet's boilerplate, boiled: those that are; its probes: its samples with 2 <= df <= {max_df} that are not its own outlet's boilerplate, ordered by (df, high bits), at most {probes}, the first always, the next while the sum of (df - 1) stays at most {emit}. Each probe of x pairs it with every other document y of its group; (x, y) is a candidate when y holds at least max(1, ceil(probes_x / 2)) of x's probes",
                every = config.definition.sample_every,
                max_df = config.definition.max_df,
                outlet_min = params.outlet_min,
                share = crate::contain::OUTLET_SHARE,
                probes = params.probes,
                emit = params.emit_per_doc,
            ),
            Mode::Jaccard => String::new(),
        };
        Signing {
            definition: Definition {
                banding: Some(banding),
                ..config.definition.clone()
            },
            hash_family: "shingles: xxh3-64 seeded with seed over normalized words or characters; signature: MinHash (scheme minhash, num_perm slots, seeded with seed); band key: xxh3-64 of the band's rows as u32 little-endian, seeded with the band index".into(),
            probes: params.probes,
            emit_per_doc: params.emit_per_doc,
            outlet_min: params.outlet_min,
            outlet_share: crate::contain::OUTLET_SHARE,
            fields: config.fields.clone(),
            edge_rule: format!(
                "all pairs of documents sharing a band key (same band, same key); a bucket of more than {} documents pairs its smallest doc_id with each other member only{}",
                config.definition.max_bucket, samples
            ),
            rule,
            guard: "connected components of the verified (allowed) pairs; each component keeps the members that match its center (most verified pairs inside the component, then most text characters, ties to the smallest id, then the smallest doc_id): verified and allowed pairs, or under the rule, the date window and the real-text guard with the center first; the others are split into components of the pairs among them and checked again; clusters of 2 or more".into(),
        }
    }

    /// The configuration this was signed with (for the report), validated.
    pub fn config(&self) -> Result<Config> {
        let config = Config {
            definition: self.definition.clone(),
            fields: self.fields.clone(),
            ..Config::default()
        };
        config.validate()?;
        Ok(config)
    }

    /// What differs between `self` and `other`, one `field: value here, value there` each:
    /// the definition's parameters, then the field names.
    pub fn differences(&self, other: &Signing) -> Vec<String> {
        let mut d: Vec<String> = self
            .definition
            .differences(&other.definition)
            .iter()
            .map(|d| d.to_string())
            .collect();
        if self.fields != other.fields {
            d.push(format!(
                "fields: {:?} here, {:?} there",
                self.fields, other.fields
            ));
        }
        d
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `neardup-signatures`.
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// How `doc_id` is made, in words.
    pub doc_id: String,
    /// What a duplicate is.
    pub definition: Signing,
}

impl Manifest {
    fn new(definition: Signing) -> Manifest {
        Manifest {
            format: "neardup-signatures".into(),
            format_version: FORMAT_VERSION,
            doc_id: format!("shard << {INDEX_BITS} | index of the document in its shard"),
            definition,
        }
    }
}

/// `shards/shard-NNNNNNNN.json`: what signing one shard found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Shard number.
    pub shard: u32,
    /// The input's name as given to `neardup spark sign` (the report names it so).
    pub input: String,
    /// Non-blank lines read.
    pub read: u64,
    /// Documents (`read - rejected`), numbered 0.. in the shard.
    pub documents: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Short documents.
    pub short: u64,
    /// Web archive records that are not articles.
    #[serde(default)]
    pub skipped: u64,
    /// Files of other types in a directory input, not read.
    #[serde(default)]
    pub skipped_files: u64,
    /// Bytes of input lines.
    pub input_bytes: u64,
    /// What the shard was signed with.
    pub definition: Signing,
}

fn shard_name(shard: u32) -> String {
    format!("shard-{shard:08}")
}

fn sig_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::signatures(path, e.to_string())
}

/// Writes `path` atomically with `f` (`fsutil::write_atomic`), making its directory first.
fn write_atomic(path: &Path, f: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e))?;
    crate::fsutil::write_atomic(path, f)
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    write_atomic(path, |f| {
        use std::io::Write;
        serde_json::to_writer_pretty(&mut *f, value).map_err(|e| Error::output(path, e.into()))?;
        f.write_all(b"\n").map_err(|e| Error::output(path, e))
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::input(path, e))?;
    serde_json::from_str(&text).map_err(|e| sig_err(path, format!("not a valid file: {e}")))
}

/// Writes one Parquet file from batches made by `next` (called until it returns `None`).
fn write_parquet(
    path: &Path,
    schema: Arc<Schema>,
    mut next: impl FnMut() -> Result<Option<Vec<ArrayRef>>>,
) -> Result<()> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    let io = |e: parquet::errors::ParquetError| Error::output(path, std::io::Error::other(e));
    write_atomic(path, |file| {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let mut w = ArrowWriter::try_new(&mut *file, schema.clone(), Some(props)).map_err(io)?;
        while let Some(columns) = next()? {
            let batch = RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| Error::output(path, std::io::Error::other(e)))?;
            w.write(&batch).map_err(io)?;
        }
        w.close().map_err(io)?;
        Ok(())
    })
}

fn field(name: &str, t: DataType, nullable: bool) -> Field {
    Field::new(name, t, nullable)
}

fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Int64, true)))
}

/// What `neardup spark sign` did.
#[derive(Debug, Clone, PartialEq)]
pub struct SignSummary {
    /// The shard's record.
    pub info: ShardInfo,
    /// Band keys written.
    pub band_rows: u64,
    /// Sample rows written.
    pub sample_rows: u64,
}

/// Signs one shard: reads `input`, and writes its documents, band keys, shingle sets and
/// samples as Parquet under `out`, with `manifest.json` and `shards/shard-N.json`. A directory
/// that already holds a manifest must have been signed with the same [`Definition`]; signing
/// a shard again replaces its files.
pub fn sign_shard(
    input: &Path,
    shard: u32,
    out: &Path,
    config: &Config,
    pool: &rayon::ThreadPool,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
) -> Result<SignSummary> {
    if crate::input::is_stdin(input) {
        return Err(Error::Config {
            field: "INPUT",
            expected: "a file (the report reads the texts of cluster members from it again)".into(),
            got: "- (standard input)".into(),
        });
    }
    if shard > MAX_SHARD {
        return Err(Error::Config {
            field: "--shard",
            expected: format!("0 to {MAX_SHARD}"),
            got: shard.to_string(),
        });
    }
    let banding = config.validate()?;
    // Before anything is read: the signature directory is apart from the input.
    crate::fsutil::check_output_dir("--out", out, &[input], false)?;
    let definition = Signing::new(config, banding);
    let manifest_path = out.join("manifest.json");
    if manifest_path.exists() {
        let old: Manifest = read_json(&manifest_path)?;
        if old.format_version != FORMAT_VERSION || old.definition != definition {
            let mut diff = definition.differences(&old.definition);
            if old.format_version != FORMAT_VERSION {
                diff.push(format!(
                    "format_version: {FORMAT_VERSION} here, {} there",
                    old.format_version
                ));
            }
            return Err(Error::signatures(
                &manifest_path,
                format!(
                    "signed with other settings; sign every shard with the same options or use another --out ({})",
                    diff.join("; ")
                ),
            ));
        }
    }
    let mut inputs = InputSet::open(&[input.to_path_buf()])?;
    let signed = pool.install(|| {
        crate::pipeline::read_and_sign(&mut inputs, config, banding, on_bad, &mut |_| {})
    })?;
    let n = signed.meta.len() as u64;
    if n >= 1 << INDEX_BITS {
        return Err(Error::Config {
            field: "INPUT",
            expected: format!("fewer than 2^{INDEX_BITS} documents in one shard"),
            got: n.to_string(),
        });
    }
    // What the first pass does not keep: title, date and URL (read again in one pass), and
    // the number of distinct shingles (from the spooled sets).
    let all: Vec<u32> = (0..signed.meta.len() as u32).collect();
    let mut fields: Vec<(Option<String>, Option<String>, Option<String>)> =
        Vec::with_capacity(all.len());
    pool.install(|| {
        crate::input::reread::fetch_records(
            &inputs,
            &signed.meta,
            &all,
            config,
            |_| true,
            |_, _, rec| {
                let rec = rec.expect("parsed for every format");
                fields.push((rec.title, rec.date, rec.url));
                Ok(())
            },
        )
    })?;
    let shingle_counts: Vec<i64> = {
        let spool = signed.sets.as_ref().expect("read_and_sign keeps the sets");
        pool.install(|| all.par_iter().map(|&d| spool.set(d).len() as i64).collect())
    };
    let name = shard_name(shard);
    let source = inputs.name(0).to_string();
    let id = |d: usize| doc_id(shard, d as u64);
    let sets = signed
        .sets
        .as_ref()
        .expect("spool written by the first pass");

    // docs
    let meta = &signed.meta;
    let samples = &signed.samples;
    let docs_schema = Arc::new(Schema::new(vec![
        field("doc_id", DataType::Int64, false),
        field("shard", DataType::Int32, false),
        field("source", DataType::Utf8, false),
        field("id", DataType::Utf8, false),
        field("title", DataType::Utf8, true),
        field("outlet", DataType::Utf8, true),
        field("date", DataType::Utf8, true),
        field("url", DataType::Utf8, true),
        field("line", DataType::Int64, false),
        field("offset", DataType::Int64, false),
        field("len", DataType::Int64, false),
        field("checksum", DataType::Int64, false),
        field("text_chars", DataType::Int64, false),
        field("shingles", DataType::Int64, false),
        field("samples", DataType::Int64, false),
        field("day", DataType::Int32, true),
        field("wire", DataType::Utf8, true),
        field("wire_dateline", DataType::Boolean, true),
        field("short", DataType::Boolean, false),
        field("outlet_key", DataType::Utf8, true),
        field("words", DataType::Int64, false),
    ]));
    let mut at = 0usize;
    write_parquet(
        &out.join("docs").join(format!("{name}.parquet")),
        docs_schema,
        || {
            if at >= meta.len() {
                return Ok(None);
            }
            let r = at..(at + ROWS_PER_BATCH).min(meta.len());
            at = r.end;
            let m = &meta[r.clone()];
            let fs = &fields[r.clone()];
            let s = |f: fn(&DocMeta) -> Option<&str>| -> ArrayRef {
                Arc::new(m.iter().map(f).collect::<StringArray>())
            };
            type Field3 = (Option<String>, Option<String>, Option<String>);
            let fld = |f: fn(&Field3) -> Option<&str>| -> ArrayRef {
                Arc::new(fs.iter().map(f).collect::<StringArray>())
            };
            let i = |f: fn(&DocMeta) -> i64| -> ArrayRef {
                Arc::new(m.iter().map(f).collect::<Int64Array>())
            };
            Ok(Some(vec![
                Arc::new(r.clone().map(id).collect::<Int64Array>()),
                Arc::new(Int32Array::from(vec![shard as i32; m.len()])),
                Arc::new(StringArray::from(vec![source.as_str(); m.len()])),
                Arc::new(
                    m.iter()
                        .map(|d| Some(d.id.as_str()))
                        .collect::<StringArray>(),
                ),
                fld(|f| f.0.as_deref()),
                s(|d| d.outlet.as_deref()),
                fld(|f| f.1.as_deref()),
                fld(|f| f.2.as_deref()),
                i(|d| d.location.line as i64),
                i(|d| d.location.offset as i64),
                i(|d| i64::from(d.location.len)),
                i(|d| d.location.checksum as i64),
                i(|d| i64::from(d.text_chars)),
                Arc::new(Int64Array::from(shingle_counts[r.clone()].to_vec())),
                Arc::new(
                    r.clone()
                        .map(|d| samples.count(d as u32) as i64)
                        .collect::<Int64Array>(),
                ),
                Arc::new(m.iter().map(|d| d.day).collect::<Int32Array>()),
                Arc::new(
                    m.iter()
                        .map(|d| d.wire.map(|w| crate::wire::SERVICES[w as usize].name))
                        .collect::<StringArray>(),
                ),
                Arc::new(
                    m.iter()
                        .map(|d| Some(d.wire_dateline))
                        .collect::<BooleanArray>(),
                ),
                Arc::new(m.iter().map(|d| Some(d.short)).collect::<BooleanArray>()),
                Arc::new(
                    m.iter()
                        .map(|d| d.outlet.as_deref().map(outlet_key))
                        .collect::<StringArray>(),
                ),
                Arc::new(
                    r.clone()
                        .map(|d| i64::from(signed.words.get(d).copied().unwrap_or(0)))
                        .collect::<Int64Array>(),
                ),
            ]))
        },
    )?;

    // bands
    let signed_docs = signed.signed_docs();
    let bands = signed.keys.bands();
    let bands_schema = Arc::new(Schema::new(vec![
        field("doc_id", DataType::Int64, false),
        field("band", DataType::Int32, false),
        field("band_hash", DataType::Int64, false),
    ]));
    let per_batch = (ROWS_PER_BATCH / bands.max(1)).max(1);
    let mut chunks = signed_docs.chunks(per_batch);
    write_parquet(
        &out.join("bands").join(format!("{name}.parquet")),
        bands_schema,
        || {
            let Some(docs) = chunks.next() else {
                return Ok(None);
            };
            let (mut d, mut b, mut k) = (Vec::new(), Vec::new(), Vec::new());
            for &doc in docs {
                for band in 0..bands {
                    d.push(id(doc as usize));
                    b.push(band as i32);
                    k.push(signed.keys.key(doc, band) as i64);
                }
            }
            Ok(Some(vec![
                Arc::new(Int64Array::from(d)),
                Arc::new(Int32Array::from(b)),
                Arc::new(Int64Array::from(k)),
            ]))
        },
    )?;

    // sets
    let sets_schema = Arc::new(Schema::new(vec![
        field("doc_id", DataType::Int64, false),
        field("shingles", list_type(), false),
    ]));
    let all: Vec<u32> = (0..meta.len() as u32).collect();
    let mut chunks = all.chunks(4096);
    write_parquet(
        &out.join("sets").join(format!("{name}.parquet")),
        sets_schema,
        || {
            let Some(docs) = chunks.next() else {
                return Ok(None);
            };
            let mut list = ListBuilder::new(Int64Builder::new());
            for &doc in docs {
                for &x in sets.set(doc).iter() {
                    list.values().append_value(x as i64);
                }
                list.append(true);
            }
            Ok(Some(vec![
                Arc::new(docs.iter().map(|&d| id(d as usize)).collect::<Int64Array>()),
                Arc::new(list.finish()),
            ]))
        },
    )?;

    // samples
    let samples_schema = Arc::new(Schema::new(vec![
        field("doc_id", DataType::Int64, false),
        field("sample_hi", DataType::Int64, false),
    ]));
    let entries: Vec<(u32, u32)> = samples.entries()?;
    let sample_rows = entries.len() as u64;
    let mut chunks = entries.chunks(ROWS_PER_BATCH);
    write_parquet(
        &out.join("samples").join(format!("{name}.parquet")),
        samples_schema,
        || {
            let Some(rows) = chunks.next() else {
                return Ok(None);
            };
            Ok(Some(vec![
                Arc::new(
                    rows.iter()
                        .map(|&(d, _)| id(d as usize))
                        .collect::<Int64Array>(),
                ),
                Arc::new(
                    rows.iter()
                        .map(|&(_, h)| i64::from(h))
                        .collect::<Int64Array>(),
                ),
            ]))
        },
    )?;

    let info = ShardInfo {
        shard,
        input: inputs.name(0).to_string(),
        read: signed.read,
        documents: n,
        rejected: signed.rejected,
        short: meta.iter().filter(|m| m.short).count() as u64,
        skipped: signed.skipped,
        skipped_files: inputs.skipped_files().len() as u64,
        input_bytes: signed.bytes,
        definition: definition.clone(),
    };
    write_json(&out.join("shards").join(format!("{name}.json")), &info)?;
    write_json(&manifest_path, &Manifest::new(definition))?;
    Ok(SignSummary {
        info,
        band_rows: (signed_docs.len() * bands) as u64,
        sample_rows,
    })
}

/// The key `--cross-outlet-only` compares: the outlet trimmed, ASCII letters lower-cased (two
/// outlets are the same when their keys are equal, as `pipeline::pair_allowed` decides).
///
/// ```
/// assert_eq!(neardup::shard::outlet_key("  The AP "), "the ap");
/// ```
pub fn outlet_key(outlet: &str) -> String {
    outlet.trim().to_ascii_lowercase()
}

/// A signature directory opened for reading: its manifest and shards, in shard order.
#[derive(Debug, Clone)]
pub struct SignatureDir {
    /// The directory.
    pub path: PathBuf,
    /// `manifest.json`.
    pub manifest: Manifest,
    /// Every `shards/*.json`, by shard number.
    pub shards: Vec<ShardInfo>,
}

/// The `*.parquet` files directly in `dir`, sorted (Spark's `_SUCCESS` and `.crc` files are
/// skipped).
fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::input(dir, e))?;
    let mut files = Vec::new();
    for entry in rd {
        let p = entry.map_err(|e| Error::input(dir, e))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".parquet") && !name.starts_with('.') && !name.starts_with('_') {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

/// Calls `f` on every record batch of every Parquet file in `dir`, with the file's path.
fn for_each_batch(dir: &Path, mut f: impl FnMut(&Path, &RecordBatch) -> Result<()>) -> Result<()> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    for path in parquet_files(dir)? {
        let file = std::fs::File::open(&path).map_err(|e| Error::input(&path, e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.with_batch_size(ROWS_PER_BATCH).build())
            .map_err(|e| sig_err(&path, format!("not a readable Parquet file: {e}")))?;
        for batch in reader {
            let batch = batch.map_err(|e| sig_err(&path, format!("cannot read: {e}")))?;
            f(&path, &batch)?;
        }
    }
    Ok(())
}

/// Column `name` of `batch` as INT64 values (INT32 columns are widened); nulls are an error.
fn i64s(path: &Path, batch: &RecordBatch, name: &str) -> Result<Vec<i64>> {
    let col = batch
        .column_by_name(name)
        .ok_or_else(|| sig_err(path, format!("no column {name:?}")))?;
    if col.null_count() > 0 {
        return Err(sig_err(path, format!("column {name:?} has nulls")));
    }
    if let Some(a) = col.as_any().downcast_ref::<Int64Array>() {
        return Ok(a.values().to_vec());
    }
    if let Some(a) = col.as_any().downcast_ref::<Int32Array>() {
        return Ok(a.values().iter().map(|&x| i64::from(x)).collect());
    }
    Err(sig_err(
        path,
        format!("column {name:?}: expected INT64, got {:?}", col.data_type()),
    ))
}

fn strings<'a>(path: &Path, batch: &'a RecordBatch, name: &str) -> Result<&'a StringArray> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .ok_or_else(|| sig_err(path, format!("no UTF-8 column {name:?}")))
}

fn opt_string(a: &StringArray, i: usize) -> Option<String> {
    (!a.is_null(i)).then(|| a.value(i).to_string())
}

impl SignatureDir {
    /// Opens `dir` and checks that every shard was signed with the manifest's definition.
    pub fn open(dir: &Path) -> Result<SignatureDir> {
        let manifest_path = dir.join("manifest.json");
        if !manifest_path.exists() {
            return Err(sig_err(
                dir,
                "no manifest.json: not a directory written by neardup spark sign",
            ));
        }
        let manifest: Manifest = read_json(&manifest_path)?;
        if manifest.format != "neardup-signatures" || manifest.format_version != FORMAT_VERSION {
            return Err(sig_err(
                &manifest_path,
                format!(
                    "expected format neardup-signatures version {FORMAT_VERSION}, got {} version {}",
                    manifest.format, manifest.format_version
                ),
            ));
        }
        let shards_dir = dir.join("shards");
        let mut shards = Vec::new();
        for entry in std::fs::read_dir(&shards_dir).map_err(|e| Error::input(&shards_dir, e))? {
            let p = entry.map_err(|e| Error::input(&shards_dir, e))?.path();
            if p.extension().is_some_and(|e| e == "json") {
                let info: ShardInfo = read_json(&p)?;
                if info.definition != manifest.definition {
                    return Err(sig_err(
                        &p,
                        format!(
                            "signed with other settings than manifest.json ({})",
                            info.definition.differences(&manifest.definition).join("; ")
                        ),
                    ));
                }
                shards.push(info);
            }
        }
        if shards.is_empty() {
            return Err(sig_err(&shards_dir, "no shard signed yet"));
        }
        shards.sort_by_key(|s| s.shard);
        Ok(SignatureDir {
            path: dir.to_path_buf(),
            manifest,
            shards,
        })
    }

    /// The input names in shard order: input `i` of the report is shard `shards[i]`.
    pub fn input_names(&self) -> Vec<String> {
        self.shards.iter().map(|s| s.input.clone()).collect()
    }

    /// Every document's metadata, in `doc_id` order, with the sorted `doc_id`s. Checks that
    /// each shard's documents are exactly those its record counts and that ids are unique.
    pub fn read_docs(&self) -> Result<(Vec<i64>, Vec<DocMeta>)> {
        let slot: HashMap<u32, u32> = self
            .shards
            .iter()
            .enumerate()
            .map(|(i, s)| (s.shard, i as u32))
            .collect();
        let mut rows: Vec<(i64, DocMeta)> = Vec::new();
        let dir = self.path.join("docs");
        for_each_batch(&dir, |path, b| {
            let ids = i64s(path, b, "doc_id")?;
            let shard = i64s(path, b, "shard")?;
            let id = strings(path, b, "id")?;
            // Titles, dates and URLs are read again from the inputs for the report.
            let outlet = strings(path, b, "outlet")?;
            let wire = strings(path, b, "wire")?;
            let line = i64s(path, b, "line")?;
            let offset = i64s(path, b, "offset")?;
            let len = i64s(path, b, "len")?;
            let checksum = i64s(path, b, "checksum")?;
            let text_chars = i64s(path, b, "text_chars")?;
            let day = b
                .column_by_name("day")
                .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
                .ok_or_else(|| sig_err(path, "no INT32 column \"day\""))?;
            // Dates as given, for the order of publication; whether the wire was named in a
            // dateline (absent from directories signed before it was written: no dateline).
            let date = strings(path, b, "date")?;
            let wire_dateline = b
                .column_by_name("wire_dateline")
                .and_then(|c| c.as_any().downcast_ref::<BooleanArray>());
            let short = b
                .column_by_name("short")
                .and_then(|c| c.as_any().downcast_ref::<BooleanArray>())
                .ok_or_else(|| sig_err(path, "no BOOLEAN column \"short\""))?;
            for i in 0..b.num_rows() {
                let input = *slot.get(&(shard[i] as u32)).ok_or_else(|| {
                    sig_err(path, format!("shard {} has no shards/ record", shard[i]))
                })?;
                let wire_name = opt_string(wire, i);
                let wire = match wire_name {
                    None => None,
                    Some(w) => Some(
                        crate::wire::SERVICES
                            .iter()
                            .position(|s| s.name == w)
                            .ok_or_else(|| sig_err(path, format!("unknown wire service {w:?}")))?
                            as u8,
                    ),
                };
                rows.push((
                    ids[i],
                    DocMeta {
                        id: id.value(i).to_string(),
                        outlet: opt_string(outlet, i).map(Into::into),
                        location: Location {
                            input,
                            line: line[i] as u64,
                            offset: offset[i] as u64,
                            len: len[i] as u32,
                            checksum: checksum[i] as u64,
                        },
                        text_chars: text_chars[i] as u32,
                        day: (!day.is_null(i)).then(|| day.value(i)),
                        time: (!date.is_null(i))
                            .then(|| date.value(i))
                            .and_then(crate::date::moment),
                        wire,
                        wire_dateline: wire_dateline.is_some_and(|c| !c.is_null(i) && c.value(i)),
                        located: None,
                        title_key: None,
                        short: short.value(i),
                    },
                ));
            }
            Ok(())
        })?;
        rows.sort_unstable_by_key(|(d, _)| *d);
        // Each shard's documents must be exactly 0..documents.
        let mut expected: Vec<i64> = Vec::new();
        for s in &self.shards {
            expected.extend((0..s.documents).map(|i| doc_id(s.shard, i)));
        }
        let ids: Vec<i64> = rows.iter().map(|(d, _)| *d).collect();
        if ids != expected {
            return Err(sig_err(
                &dir,
                format!(
                    "the docs tables hold {} documents, the shard records {}: a shard was signed again without its Parquet files, or files were lost",
                    ids.len(),
                    expected.len()
                ),
            ));
        }
        let mut seen: HashMap<&str, i64> = HashMap::new();
        for (d, m) in &rows {
            if let Some(first) = seen.insert(m.id.as_str(), *d) {
                return Err(sig_err(
                    &dir,
                    format!(
                        "id {:?} is in two documents (doc_id {first} and {d}); ids must be unique across shards",
                        m.id
                    ),
                ));
            }
        }
        drop(seen);
        Ok((ids, rows.into_iter().map(|(_, m)| m).collect()))
    }

    /// The shingle sets of the documents `wanted` (local indices into `doc_ids`).
    fn read_sets(
        &self,
        doc_ids: &[i64],
        wanted: &std::collections::HashSet<u32>,
    ) -> Result<HashMap<u32, Vec<u64>>> {
        let mut out = HashMap::new();
        read_sets_into(&self.path.join("sets"), doc_ids, wanted, &mut out)?;
        Ok(out)
    }
}

/// Reads the sets (`doc_id`, `shingles`) of the `wanted` documents from the Parquet files of
/// `dir` into `out`, replacing what it holds for them.
fn read_sets_into(
    dir: &Path,
    doc_ids: &[i64],
    wanted: &std::collections::HashSet<u32>,
    out: &mut HashMap<u32, Vec<u64>>,
) -> Result<()> {
    {
        for_each_batch(dir, |path, b| {
            let ids = i64s(path, b, "doc_id")?;
            let lists = b
                .column_by_name("shingles")
                .and_then(|c| c.as_any().downcast_ref::<ListArray>())
                .ok_or_else(|| sig_err(path, "no LIST column \"shingles\""))?;
            for (i, d) in ids.iter().enumerate() {
                let Ok(local) = doc_ids.binary_search(d) else {
                    return Err(sig_err(path, format!("doc_id {d} has no docs row")));
                };
                if wanted.contains(&(local as u32)) {
                    let v = lists.value(i);
                    let v = v
                        .as_any()
                        .downcast_ref::<Int64Array>()
                        .ok_or_else(|| sig_err(path, "shingles are not INT64"))?;
                    out.insert(local as u32, v.values().iter().map(|&x| x as u64).collect());
                }
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// The engine's statistics (`OUTDIR/stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct EngineStats {
    candidate_pairs: u64,
    verified_pairs: u64,
    ignored_pairs: u64,
    guard_splits: u64,
    oversized_buckets: u64,
    boilerplate_samples: u64,
}

/// What the report needs of an engine's run: the outcome as the local pipeline would have
/// returned it, the configuration, and the input names.
#[derive(Debug)]
pub struct EngineRun {
    /// Documents, clusters with their scores, verified pairs and counts.
    pub outcome: Outcome,
    /// The configuration of the manifest.
    pub config: Config,
    /// Input names, in shard order.
    pub inputs: Vec<String>,
}

/// The shingle sets of the documents `wanted` for the scores: the signed sets, replaced by
/// the engine's real sets (without outlets' boilerplate) where it wrote them (containment
/// mode), as the local run scores real text.
fn member_sets(
    sig: &SignatureDir,
    clusters_dir: &Path,
    doc_ids: &[i64],
    wanted: &std::collections::HashSet<u32>,
) -> Result<std::collections::HashMap<u32, Vec<u64>>> {
    let mut sets = sig.read_sets(doc_ids, wanted)?;
    let real_dir = clusters_dir.join("real");
    if real_dir.is_dir() {
        read_sets_into(&real_dir, doc_ids, wanted, &mut sets)?;
    }
    Ok(sets)
}

/// Tells template items apart in `run` (read by [`read_engine_run`] from `clusters_dir`) as
/// `pipeline::run` does in its own run ([`crate::pipeline::separate_template_items`]), the
/// texts read again from `inputs` (the inputs `run` names, opened) and the sets from `sig`.
pub fn separate_template_items(
    sig: &SignatureDir,
    clusters_dir: &Path,
    inputs: &InputSet,
    run: &mut EngineRun,
) -> Result<()> {
    if run.config.templates != crate::config::Templates::Apart || run.outcome.clusters.is_empty() {
        return Ok(());
    }
    let (doc_ids, _) = sig.read_docs()?;
    let wanted: std::collections::HashSet<u32> = run
        .outcome
        .clusters
        .iter()
        .flat_map(|c| c.cluster.members.iter().copied())
        .collect();
    let sets = member_sets(sig, clusters_dir, &doc_ids, &wanted)?;
    let empty: Vec<u64> = Vec::new();
    let set = |d: u32| std::borrow::Cow::Borrowed(sets.get(&d).unwrap_or(&empty).as_slice());
    crate::pipeline::separate_template_items(inputs, &mut run.outcome, &set, &run.config)
}

/// Reads an engine's output `clusters_dir` for the signature directory `sig`: clusters are
/// numbered, their canonical members chosen and their members scored exactly as
/// `pipeline::run` does, so the report equals the local one when the clusters do.
pub fn read_engine_run(sig: &SignatureDir, clusters_dir: &Path) -> Result<EngineRun> {
    let config = sig.manifest.definition.config()?;
    let banding = config.definition.banding();
    let (doc_ids, meta) = sig.read_docs()?;
    let local = |path: &Path, d: i64| -> Result<u32> {
        doc_ids
            .binary_search(&d)
            .map(|i| i as u32)
            .map_err(|_| sig_err(path, format!("doc_id {d} is not in {}", sig.path.display())))
    };

    // stats
    let stats_dir = clusters_dir.join("stats");
    let mut stats: Option<EngineStats> = None;
    for_each_batch(&stats_dir, |path, b| {
        let g = |n: &str| -> Result<u64> {
            let v = i64s(path, b, n)?;
            Ok(v.first().copied().unwrap_or(0) as u64)
        };
        if b.num_rows() != 1 || stats.is_some() {
            return Err(sig_err(path, "expected one row of statistics"));
        }
        let def = strings(path, b, "definition")?.value(0);
        let def: serde_json::Value = serde_json::from_str(def)
            .map_err(|e| sig_err(path, format!("definition is not JSON: {e}")))?;
        if def != serde_json::to_value(&sig.manifest.definition).expect("serializable") {
            return Err(sig_err(
                path,
                format!(
                    "these clusters were made from another signature directory than {}",
                    sig.path.display()
                ),
            ));
        }
        stats = Some(EngineStats {
            candidate_pairs: g("candidate_pairs")?,
            verified_pairs: g("verified_pairs")?,
            ignored_pairs: g("ignored_pairs")?,
            guard_splits: g("guard_splits")?,
            oversized_buckets: g("oversized_buckets")?,
            boilerplate_samples: g("boilerplate_samples")?,
        });
        Ok(())
    })?;
    let stats = stats.ok_or_else(|| sig_err(&stats_dir, "no statistics row"))?;

    // clusters
    let mut groups: HashMap<i64, Vec<u32>> = HashMap::new();
    let mut seen = vec![false; meta.len()];
    for_each_batch(&clusters_dir.join("clusters"), |path, b| {
        let d = i64s(path, b, "doc_id")?;
        let c = i64s(path, b, "cluster_id")?;
        for (&d, &c) in d.iter().zip(&c) {
            let l = local(path, d)?;
            if std::mem::replace(&mut seen[l as usize], true) {
                return Err(sig_err(path, format!("doc_id {d} is in two clusters")));
            }
            groups.entry(c).or_default().push(l);
        }
        Ok(())
    })?;
    // The canonical member as `pipeline::run` chooses it: longest text, ties to the smallest id.
    let lens = crate::cluster::canonical_keys(&meta);
    let mut found: Vec<(Vec<u32>, u32)> = Vec::with_capacity(groups.len());
    for (c, mut members) in groups {
        members.sort_unstable();
        if members.len() < 2 || doc_ids[members[0] as usize] != c {
            return Err(sig_err(
                clusters_dir,
                format!("cluster {c}: expected two or more members, the smallest doc_id being the cluster_id"),
            ));
        }
        let canonical = crate::cluster::canonical_member(&members, &lens);
        found.push((members, canonical));
    }
    found.sort_unstable_by_key(|(m, _)| m[0]);

    // pairs
    let mut pairs: Vec<ScoredPair> = Vec::new();
    for_each_batch(&clusters_dir.join("pairs"), |path, b| {
        let (a, bb) = (i64s(path, b, "a")?, i64s(path, b, "b")?);
        let (inter, na, nb) = (
            i64s(path, b, "inter")?,
            i64s(path, b, "na")?,
            i64s(path, b, "nb")?,
        );
        for i in 0..a.len() {
            let (jaccard, containment) =
                scores_from_counts(inter[i] as usize, na[i] as usize, nb[i] as usize);
            let (x, y) = (local(path, a[i])?, local(path, bb[i])?);
            pairs.push(ScoredPair {
                a: x.min(y),
                b: x.max(y),
                jaccard,
                containment,
            });
        }
        Ok(())
    })?;
    pairs.sort_unstable_by_key(|p| (p.a, p.b));

    // scores against the reference copy, chosen as `pipeline::run` chooses it
    let wanted: std::collections::HashSet<u32> =
        found.iter().flat_map(|(m, _)| m.iter().copied()).collect();
    let sets = member_sets(sig, clusters_dir, &doc_ids, &wanted)?;
    let empty: Vec<u64> = Vec::new();
    let set = |d: u32| std::borrow::Cow::Borrowed(sets.get(&d).unwrap_or(&empty).as_slice());
    let clusters: Vec<ScoredCluster> = found
        .into_iter()
        .enumerate()
        .map(|(i, (members, canonical))| {
            let cluster = Cluster {
                number: i as u32 + 1,
                members,
                canonical,
            };
            crate::pipeline::scored_against_reference(cluster, &meta, &lens, &set, None)
        })
        .collect();

    let sum = |f: fn(&ShardInfo) -> u64| sig.shards.iter().map(f).sum::<u64>();
    let counts = Counts {
        read: sum(|s| s.read),
        documents: sum(|s| s.documents),
        rejected: sum(|s| s.rejected),
        short: sum(|s| s.short),
        skipped: sum(|s| s.skipped),
        skipped_files: sum(|s| s.skipped_files),
        candidate_pairs: stats.candidate_pairs,
        verified_pairs: stats.verified_pairs,
        ignored_pairs: stats.ignored_pairs,
        guard_splits: stats.guard_splits,
        oversized_buckets: stats.oversized_buckets,
        boilerplate_samples: stats.boilerplate_samples,
        clusters: clusters.len() as u64,
        duplicates: clusters
            .iter()
            .map(|c| c.cluster.members.len() as u64 - 1)
            .sum(),
        templates: 0,
        template_items: 0,
        input_bytes: sum(|s| s.input_bytes),
    };
    Ok(EngineRun {
        outcome: Outcome {
            meta,
            clusters,
            pairs: crate::copies::Pairs::new(pairs, Default::default()),
            counts,
            timings: Timings::default(),
            banding,
            held_bytes: 0,
            key_spill_bytes: 0,
            spool_bytes: 0,
            sample_spill_bytes: 0,
            learned: Default::default(),
        },
        config,
        inputs: sig.input_names(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_round_trips_through_config_and_json() {
        for mode in [Mode::Containment, Mode::Jaccard] {
            let config = Config {
                definition: crate::Definition {
                    mode,
                    window_days: Some(3),
                    shingle: crate::ShingleMode::Words(4),
                    ..Default::default()
                },
                ..Config::default()
            };
            let banding = config.validate().unwrap();
            let signing = Signing::new(&config, banding);
            let back = signing.config().unwrap();
            assert_eq!(Signing::new(&back, back.validate().unwrap()), signing);
            assert_eq!(back.definition.banding, Some(banding));
            let json = serde_json::to_value(&signing).unwrap();
            assert_eq!(json["bands"], banding.bands);
            assert_eq!(json["shingle"], "words:4");
            assert_eq!(serde_json::from_value::<Signing>(json).unwrap(), signing);
        }
    }

    #[test]
    fn differences_name_the_fields() {
        let a = Signing::new(&Config::default(), Config::default().validate().unwrap());
        let mut b = a.clone();
        b.definition.max_bucket = 5;
        assert_eq!(a.differences(&b), vec!["max_bucket: 64 here, 5 there"]);
        assert!(a.differences(&a).is_empty());
        b.fields.id = "doc".into();
        assert_eq!(a.differences(&b).len(), 2);
    }

    #[test]
    fn doc_ids_sort_as_shards_then_input_order() {
        let mut v = vec![
            doc_id(1, 0),
            doc_id(0, 5),
            doc_id(0, 1 << 39),
            doc_id(MAX_SHARD, 3),
        ];
        v.sort();
        assert_eq!(
            v,
            vec![
                doc_id(0, 5),
                doc_id(0, 1 << 39),
                doc_id(1, 0),
                doc_id(MAX_SHARD, 3)
            ]
        );
        assert!(doc_id(MAX_SHARD, (1 << INDEX_BITS) - 1) > 0);
    }
}
