//! A persistent index: new articles checked against an archive without reading the archive
//! again (`neardup index build|add|compact|query|stats`).
//!
//! Owns: the index directory (manifest and segments), its parameters, building it, adding to
//! it crash-safely, and answering queries with exact scores. Must not: parse command lines or
//! print (the binary does), or estimate a score (every match is verified on stored shingle
//! sets, as in `cluster`).
//!
//! # On disk
//!
//! An index is a directory:
//!
//! ```text
//! news.ndx/
//!   MANIFEST            which segments make the index, and its parameters
//!   seg-000001-<n>.nds  one immutable segment per build, add or compaction (format: [`segment`])
//!   LOCK                taken (flock) by a running `build`, `add` or `compact`
//! ```
//!
//! `MANIFEST` (format version 2; version 1 stored a narrower parameter set): bytes 0..8 the magic `b"NDUPIDX\0"`, 8..12 the format
//! version (u32 LE), 12..16 zero, 16..24 the length of the body (u64 LE), 24..32 the xxh3 of
//! the body, then the body: a JSON object [`ManifestBody`] with the format version, every
//! parameter that decides what matches ([`Definition`]: seed, shingling, MinHash slots and
//! scheme, bands and rows, the duplicate rule, sampling, guards), the generation and the list
//! of segments with their document counts, lengths and header checksums.
//!
//! # Guarantees
//!
//! - **Crash-safe add**: `add` writes a new segment file and syncs it, then writes a new
//!   manifest to a temporary file, syncs it, renames it over `MANIFEST` and syncs the
//!   directory. A process killed before the rename leaves the old manifest, which does not
//!   name the new segment: the index answers exactly as before. The next `add` deletes such
//!   unfinished segments. One `add` runs at a time (a lock on `LOCK`); queries never lock.
//!   An add that brings no new document writes nothing (no segment, the manifest unchanged).
//! - **Crash-safe compaction**: `compact` merges every segment into one under the same lock,
//!   the same way: the new segment is written and synced, the new manifest naming only it
//!   replaces the old one atomically, and only then are the old segments deleted. Killed
//!   before the rename, the index is as it was (the next `add` or `compact` deletes the
//!   unfinished segment); killed after it, the old segments are orphans deleted the same way.
//!   Document numbers, and so every query answer, are the same before and after. A query that
//!   opens the index while a compaction deletes the old segments reads the manifest again.
//! - **Builds leave nothing**: a build writes in a hidden directory `.neardup-index-*` next to
//!   the index, holding the lock on its `LOCK` file, and renames it into place when complete.
//!   One killed leaves that directory behind: the next `build`, `add` or `compact` in the same
//!   parent directory removes every such directory whose lock no live process holds (one
//!   without a `LOCK` file, left by an older neardup, once it is an hour old).
//! - **Checked**: the manifest is checksummed; each segment's length, header checksum and
//!   parameter fingerprint must agree with it; every data block is checked when first read
//!   (see [`segment`]). A damaged or foreign file is an [`Error::Index`], never an answer.
//!   `stats --verify` reads and checks everything.
//! - **Parameters**: a query or add uses the index's parameters; an option given on the command
//!   line that differs is an [`Error::IndexMismatch`] (`index was built with --seed 1, got
//!   --seed 2`).
//! - **Exact**: a query finds candidates as `cluster` does (the same band keys, the same
//!   sampled-shingle rule, the same bucket and boilerplate guards counted over the archive)
//!   and verifies each on the stored shingle sets: the matches of a new article are the pairs
//!   `cluster` would verify between it and the archive.
//! - **Ids** are unique across the index: `add` rejects a document whose id is already in the
//!   index (reported as a bad line, counted as rejected). A queried article whose id is in the
//!   index is flagged `in_index` and not matched with itself.
//! - **Opening** reads the manifest and the 512-byte header of each segment, and maps the
//!   files; a query reads only the pages of the band tables, sample table, sets and metadata it
//!   touches.

pub mod segment;

use crate::config::Config;
use crate::definition::{Banding, Definition, Mode};
use crate::document::DocMeta;
use crate::error::{Error, Result};
use crate::input::InputSet;
use crate::pipeline::{read_and_sign, BadLine, Progress, Signed};
use crate::verify::{jaccard_and_containment, Rule, SetSource};
use rayon::prelude::*;
use segment::{corrupt, NewDoc, Segment, StoredMeta};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use xxhash_rust::xxh3::xxh3_64;

/// The first bytes of `MANIFEST`.
pub const MANIFEST_MAGIC: &[u8; 8] = b"NDUPIDX\0";
/// The index format this code writes and reads.
pub const FORMAT_VERSION: u32 = 2;
/// The manifest's file name in the index directory.
pub const MANIFEST: &str = "MANIFEST";

/// The [`Definition`] an index stores for `config` run with `banding`: the definition with its
/// banding, and with the real-text guard off (`min_contained_words` 0), as the index applies
/// neither it nor the outlet and date filters, which it refuses.
pub fn stored_definition(config: &Config, banding: Banding) -> Result<Definition> {
    let d = &config.definition;
    if d.cross_outlet_only || d.window_days.is_some() {
        return Err(Error::Config {
            field: "--cross-outlet-only/--window",
            expected: "neither (the index matches every outlet and date)".into(),
            got: "one of them".into(),
        });
    }
    Ok(Definition {
        banding: Some(banding),
        min_contained_words: 0,
        ..d.clone()
    })
}

/// Checks that `got` (the definition the command line asks for) equals `stored` in every field
/// named in `given` (field names of [`crate::definition::OPTIONS`]); the first that differs is
/// an [`Error::IndexMismatch`].
pub fn check_definition(stored: &Definition, got: &Definition, given: &[&str]) -> Result<()> {
    let differs = stored
        .differences(got)
        .into_iter()
        .find(|d| given.contains(&d.field.as_str()));
    match differs {
        Some(d) => Err(Error::IndexMismatch {
            option: crate::definition::OPTIONS
                .iter()
                .find(|o| o.0 == d.field)
                .map_or("?", |o| o.1),
            built: d.here,
            got: d.there,
        }),
        None => Ok(()),
    }
}

/// The xxh3 of a stored definition, written in every segment header.
fn fingerprint(d: &Definition) -> u64 {
    xxh3_64(&serde_json::to_vec(d).expect("a definition serializes"))
}

/// One segment as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentEntry {
    /// File name in the index directory.
    pub file: String,
    /// Documents.
    pub docs: u64,
    /// Documents with a signature (not short).
    pub signed: u64,
    /// File length in bytes.
    pub bytes: u64,
    /// The segment header's xxh3.
    pub header_xxh3: u64,
}

/// The JSON body of `MANIFEST`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestBody {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// What counts as a duplicate ([`stored_definition`]).
    pub params: Definition,
    /// Incremented by every add that adds documents and every compaction (the build writes
    /// generation 1).
    pub generation: u64,
    /// The segments, in document order.
    pub segments: Vec<SegmentEntry>,
}

fn encode_manifest(body: &ManifestBody) -> Vec<u8> {
    let json = serde_json::to_vec_pretty(body).expect("manifest serializes");
    let mut b = Vec::with_capacity(32 + json.len());
    b.extend_from_slice(MANIFEST_MAGIC);
    b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&(json.len() as u64).to_le_bytes());
    b.extend_from_slice(&xxh3_64(&json).to_le_bytes());
    b.extend_from_slice(&json);
    b
}

fn decode_manifest(path: &Path, b: &[u8]) -> Result<ManifestBody> {
    let bad = |m: &str| corrupt(path, m.to_string());
    if b.len() < 32 || &b[..8] != MANIFEST_MAGIC {
        return Err(bad("not a neardup index manifest (bad magic number)"));
    }
    let version = u32::from_le_bytes(b[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(bad(&format!(
            "index format version {version}; this neardup reads version {FORMAT_VERSION}"
        )));
    }
    let len = u64::from_le_bytes(b[16..24].try_into().expect("8 bytes"));
    let sum = u64::from_le_bytes(b[24..32].try_into().expect("8 bytes"));
    if len != (b.len() - 32) as u64 {
        return Err(bad("manifest length mismatch (truncated or damaged)"));
    }
    if xxh3_64(&b[32..]) != sum {
        return Err(bad("manifest checksum mismatch (the file is damaged)"));
    }
    let body: ManifestBody = serde_json::from_slice(&b[32..])
        .map_err(|e| bad(&format!("manifest is not valid: {e}")))?;
    if body.format_version != FORMAT_VERSION {
        return Err(bad(
            "manifest body and header disagree on the format version",
        ));
    }
    Ok(body)
}

/// Writes `bytes` to `dir/name` atomically and durably: a temporary file in `dir`, synced,
/// renamed over the target, and the directory synced.
fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let target = dir.join(name);
    crate::fsutil::write_atomic(&target, |f| {
        f.write_all(bytes).map_err(|e| Error::output(&target, e))
    })
}

/// A match of a new article in the index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// The archive document's number in the index (segments in order, from 0).
    pub doc: u64,
    /// Exact Jaccard similarity of the two shingle sets.
    pub jaccard: f64,
    /// Exact containment of the smaller set in the larger.
    pub containment: f64,
}

/// An index opened for queries.
#[derive(Debug)]
pub struct Index {
    dir: PathBuf,
    body: ManifestBody,
    config: Config,
    banding: Banding,
    segments: Vec<Segment>,
    /// Number of the first document of each segment.
    bases: Vec<u64>,
}

impl Index {
    /// Opens the index in `dir`: reads the manifest, maps each segment and checks its header.
    pub fn open(dir: &Path) -> Result<Index> {
        if !dir.is_dir() {
            return Err(Error::input(
                dir,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no index here (build one with `neardup index build`)",
                ),
            ));
        }
        let mpath = dir.join(MANIFEST);
        let read = || {
            std::fs::read(&mpath).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    corrupt(dir, "not a neardup index (no MANIFEST)".into())
                } else {
                    Error::input(&mpath, e)
                }
            })
        };
        let mut bytes = read()?;
        // A compaction may delete the segments of the manifest just read: a segment that is
        // gone while the manifest changed means reading the new manifest.
        for _ in 0..3 {
            match Index::open_manifest(dir, &bytes) {
                Err(Error::Input { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    let now = read()?;
                    if now == bytes {
                        break;
                    }
                    bytes = now;
                }
                done => return done,
            }
        }
        Index::open_manifest(dir, &bytes)
    }

    /// Opens the index in `dir` whose manifest holds `bytes`.
    fn open_manifest(dir: &Path, bytes: &[u8]) -> Result<Index> {
        let mpath = dir.join(MANIFEST);
        let body = decode_manifest(&mpath, bytes)?;
        let config = Config {
            definition: body.params.clone(),
            ..Config::default()
        };
        let banding = match (body.params.banding, config.validate()) {
            (Some(banding), Ok(_)) => banding,
            (None, _) => {
                return Err(corrupt(
                    &mpath,
                    "manifest parameters have no banding".into(),
                ))
            }
            (_, Err(e)) => {
                return Err(corrupt(
                    &mpath,
                    format!("manifest parameters are not valid: {e}"),
                ))
            }
        };
        let fingerprint = fingerprint(&body.params);
        let mut segments = Vec::with_capacity(body.segments.len());
        let mut bases = Vec::with_capacity(body.segments.len());
        let mut base = 0u64;
        for e in &body.segments {
            if e.file.contains(['/', '\\']) || e.file.starts_with('.') {
                return Err(corrupt(&mpath, format!("bad segment name {:?}", e.file)));
            }
            let path = dir.join(&e.file);
            let seg = Segment::open(&path)?;
            let h = seg.header();
            let mismatch = if seg.file_len() != e.bytes {
                Some(format!(
                    "is {} bytes, the manifest says {} (truncated or replaced)",
                    seg.file_len(),
                    e.bytes
                ))
            } else if h.xxh3 != e.header_xxh3 || h.docs != e.docs || h.signed != e.signed {
                Some("does not match its manifest entry (replaced or damaged)".into())
            } else if h.fingerprint != fingerprint || h.bands != banding.bands as u64 {
                Some("was written with other parameters than the manifest's".into())
            } else {
                None
            };
            if let Some(m) = mismatch {
                return Err(corrupt(&path, m));
            }
            bases.push(base);
            base += e.docs;
            segments.push(seg);
        }
        Ok(Index {
            dir: dir.to_path_buf(),
            body,
            config,
            banding,
            segments,
            bases,
        })
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What counts as a duplicate in this index.
    pub fn params(&self) -> &Definition {
        &self.body.params
    }

    /// The configuration the index was built with (field names and `strict` at defaults).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The banding.
    pub fn banding(&self) -> Banding {
        self.banding
    }

    /// The manifest.
    pub fn manifest(&self) -> &ManifestBody {
        &self.body
    }

    /// Documents in the index.
    pub fn docs(&self) -> u64 {
        self.body.segments.iter().map(|s| s.docs).sum()
    }

    fn locate(&self, doc: u64) -> Result<(usize, u32)> {
        let s = self.bases.partition_point(|&b| b <= doc).saturating_sub(1);
        match self.segments.get(s) {
            Some(seg) if doc - self.bases[s] < seg.docs() => Ok((s, (doc - self.bases[s]) as u32)),
            _ => Err(corrupt(&self.dir, format!("document {doc} out of range"))),
        }
    }

    /// The metadata of document `doc`.
    pub fn meta(&self, doc: u64) -> Result<StoredMeta> {
        let (s, d) = self.locate(doc)?;
        self.segments[s].meta(d)
    }

    /// The shingle set of document `doc`.
    pub fn set(&self, doc: u64) -> Result<Vec<u64>> {
        let (s, d) = self.locate(doc)?;
        self.segments[s].set(d)
    }

    /// The document with id `id`, if any.
    pub fn find_id(&self, id: &str) -> Result<Option<u64>> {
        for (s, seg) in self.segments.iter().enumerate() {
            if let Some(d) = seg.find_id(id)? {
                return Ok(Some(self.bases[s] + u64::from(d)));
            }
        }
        Ok(None)
    }

    /// The archive documents a new document matches under the index's duplicate rule, with
    /// exact scores, best first (Jaccard, then containment, then document number).
    /// `set` is the new document's sorted shingle set and `keys` its band keys
    /// ([`crate::lsh::BandKeys::of_row`] of its signature); a set shorter than `min_shingles`
    /// matches nothing.
    pub fn query(&self, set: &[u64], keys: &[u64]) -> Result<Vec<Match>> {
        let c = &self.config;
        if set.len() < c.definition.min_shingles {
            return Ok(Vec::new());
        }
        assert_eq!(keys.len(), self.banding.bands, "one key per band");
        let mut candidates: Vec<u64> = Vec::new();
        for (band, &key) in keys.iter().enumerate() {
            let mut bucket = Vec::new();
            for (s, seg) in self.segments.iter().enumerate() {
                let docs = seg.band_bucket(band, key, c.definition.max_bucket)?;
                bucket.extend(docs.into_iter().map(|d| self.bases[s] + u64::from(d)));
            }
            // As `cluster` does with a bucket of more than max_bucket documents (the new one
            // included): link it as a star on its first member.
            if bucket.len() + 1 > c.definition.max_bucket {
                bucket.truncate(1);
            }
            candidates.extend(bucket);
        }
        if c.definition.mode == Mode::Containment {
            let samples = crate::contain::sample(set, c.definition.sample_every);
            let mut shared: Vec<u64> = Vec::new();
            for x in &samples {
                let high = (x >> 32) as u32;
                let mut docs = Vec::new();
                for (s, seg) in self.segments.iter().enumerate() {
                    let found = seg.sample_docs(high, c.definition.max_df)?;
                    docs.extend(found.into_iter().map(|d| self.bases[s] + u64::from(d)));
                }
                // Boilerplate: a sample in more than max_df documents (the new one included).
                if docs.len() < c.definition.max_df {
                    shared.extend(docs);
                }
            }
            shared.sort_unstable();
            for run in shared.chunk_by(|a, b| a == b) {
                let doc = run[0];
                let (s, d) = self.locate(doc)?;
                let theirs = self.segments[s].sample_count(d)? as usize;
                let need = samples.len().min(theirs).div_ceil(2).max(1);
                if run.len() >= need {
                    candidates.push(doc);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let rule = Rule::from_config(c);
        let mut out = Vec::new();
        for doc in candidates {
            let theirs = self.set(doc)?;
            let (jaccard, containment) = jaccard_and_containment(set, &theirs);
            if rule.accepts(jaccard, containment, set.len().min(theirs.len())) {
                out.push(Match {
                    doc,
                    jaccard,
                    containment,
                });
            }
        }
        out.sort_by(|a, b| {
            b.jaccard
                .total_cmp(&a.jaccard)
                .then(b.containment.total_cmp(&a.containment))
                .then(a.doc.cmp(&b.doc))
        });
        Ok(out)
    }

    /// Counts and sizes.
    pub fn stats(&self) -> Stats {
        let docs = self.docs();
        let signed: u64 = self.body.segments.iter().map(|s| s.signed).sum();
        Stats {
            format_version: FORMAT_VERSION,
            documents: docs,
            short: docs - signed,
            segments: self.body.segments.len(),
            bytes: self.body.segments.iter().map(|s| s.bytes).sum(),
            generation: self.body.generation,
            params: self.body.params.clone(),
            segment_list: self.body.segments.clone(),
        }
    }

    /// Reads every byte of every segment and checks it against its checksum.
    pub fn verify_all(&self) -> Result<()> {
        self.segments.iter().try_for_each(Segment::verify_all)
    }
}

/// What `neardup index stats` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Documents in the index.
    pub documents: u64,
    /// Of which too short to be matched.
    pub short: u64,
    /// Segments.
    pub segments: usize,
    /// Bytes of all segments.
    pub bytes: u64,
    /// Manifest generation (1 after build, +1 per add that adds documents and per compaction).
    pub generation: u64,
    /// What counts as a duplicate.
    pub params: Definition,
    /// The segments.
    #[serde(rename = "segment_files")]
    pub segment_list: Vec<SegmentEntry>,
}

impl Stats {
    /// The readable form.
    pub fn write_text(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "format version   {}", self.format_version)?;
        writeln!(
            w,
            "documents        {} ({} short)",
            self.documents, self.short
        )?;
        writeln!(
            w,
            "segments         {} ({:.1} MB), generation {}",
            self.segments,
            self.bytes as f64 / 1e6,
            self.generation
        )?;
        let p = &self.params;
        let b = p.banding();
        writeln!(
            w,
            "parameters       --seed {} --shingle {} --min-shingles {} --num-perm {} --minhash {} --bands {} --rows {}",
            p.seed, p.shingle, p.min_shingles, p.num_perm, p.minhash, b.bands, b.rows
        )?;
        writeln!(
            w,
            "                 --mode {} --threshold {} --containment {} --min-contained {} --sample-every {} --max-df {} --max-bucket {}",
            p.mode, p.threshold, p.containment, p.min_contained, p.sample_every, p.max_df, p.max_bucket
        )?;
        for s in &self.segment_list {
            writeln!(
                w,
                "  {}  {} documents, {:.1} MB",
                s.file,
                s.docs,
                s.bytes as f64 / 1e6
            )?;
        }
        Ok(())
    }
}

/// The documents of `signed` listed in `keep` (ascending), as a segment writer takes them.
fn new_docs<'a>(
    signed: &'a Signed,
    keep: &'a [u32],
    fields: &'a [ReadAgain],
    config: &'a Config,
) -> impl Iterator<Item = Result<NewDoc<'a>>> + 'a {
    let spool = signed.sets.as_ref().expect("read_and_sign keeps the sets");
    keep.iter().zip(fields).map(move |(&d, f)| {
        let m = &signed.meta[d as usize];
        let set = if m.short {
            std::borrow::Cow::Borrowed(&[][..])
        } else {
            spool.set(d)
        };
        let samples = if !m.short && config.definition.mode == Mode::Containment {
            crate::contain::sample(&set, config.definition.sample_every)
        } else {
            Vec::new()
        };
        Ok(NewDoc {
            meta: stored_meta(m, f, set.len()),
            keys: if m.short {
                std::borrow::Cow::Borrowed(&[][..])
            } else {
                signed.keys.row(d)
            },
            set,
            samples,
        })
    })
}

fn stored_meta(m: &DocMeta, (title, date, url): &ReadAgain, shingles: usize) -> StoredMeta {
    StoredMeta {
        id: m.id.clone(),
        title: title.clone(),
        outlet: m.outlet.as_deref().map(str::to_string),
        date: date.clone(),
        url: url.clone(),
        shingles: shingles as u32,
        short: m.short,
    }
}

/// Counts of a build or an add.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AddCounts {
    /// Non-blank lines read.
    pub read: u64,
    /// Documents written to the index.
    pub added: u64,
    /// Of which short.
    pub short: u64,
    /// Lines rejected (bad lines, repeated ids, ids already in the index).
    pub rejected: u64,
    /// Documents in the index afterwards.
    pub total: u64,
}

/// Reads `inputs` and writes a new index in `dir`, which must not exist. The index is written
/// in a temporary directory next to `dir` and renamed into place: a failed build leaves
/// nothing. Runs on `pool`.
pub fn build(
    dir: &Path,
    inputs: &mut InputSet,
    config: &Config,
    pool: &rayon::ThreadPool,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<AddCounts> {
    let banding = config.validate()?;
    if dir.exists() {
        return Err(Error::output(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "already exists (add to it with `neardup index add`, or remove it first)",
            ),
        ));
    }
    // What killed builds left here (best effort: a directory that cannot be removed stays).
    remove_build_orphans(parent_of(dir));
    // Removed if the run fails or is interrupted (SIGINT, SIGTERM) before it is in place.
    let tmp = crate::fsutil::AtomicDir::create_new(dir, BUILD_PREFIX)?;
    // Held until the index is in place: another build's cleanup leaves this directory alone.
    // Locked under another name and then renamed, so that `LOCK` is never seen unlocked.
    let _lock =
        crate::fsutil::create_locked(tmp.path(), "LOCK").map_err(|e| Error::output(dir, e))?;
    let signed = pool.install(|| read_and_sign(inputs, config, banding, on_bad, progress))?;
    progress(Progress::Stage("writing the index"));
    let params = stored_definition(config, banding)?;
    let keep: Vec<u32> = (0..signed.meta.len() as u32).collect();
    let fields = pool.install(|| stored_fields(inputs, &signed, &keep, config))?;
    let entry = write_new_segment(
        tmp.path(),
        1,
        &params,
        banding,
        &signed,
        (&keep, &fields),
        config,
    )?;
    let body = ManifestBody {
        format_version: FORMAT_VERSION,
        params,
        generation: 1,
        segments: vec![entry],
    };
    write_durably(tmp.path(), MANIFEST, &encode_manifest(&body))?;
    tmp.commit()?;
    let added = keep.len() as u64;
    Ok(AddCounts {
        read: signed.read,
        added,
        short: signed.meta.iter().filter(|m| m.short).count() as u64,
        rejected: signed.rejected,
        total: added,
    })
}

/// The start of the name of the hidden directory a build writes in, next to the index.
pub const BUILD_PREFIX: &str = ".neardup-index-";

/// A build directory without a `LOCK` file (left by a neardup that did not lock it) is removed
/// only once it is this old.
const UNLOCKED_BUILD_AGE: Duration = Duration::from_secs(3600);

/// The directory an index directory `dir` is in (`.` for a bare name).
fn parent_of(dir: &Path) -> &Path {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Removes the hidden directories (`.neardup-index-*`) that killed builds left in `parent`,
/// and returns them. A directory is removed only when the lock on its `LOCK` file can be
/// taken (the build that held it is gone) or, without a `LOCK` file, when it is older than an
/// hour; a live build holds its lock, so its directory is never touched. Best effort: one that
/// cannot be read or removed is left, silently.
pub fn remove_build_orphans(parent: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        // A real directory (not a symlink to one) with the builds' prefix.
        if !name.to_str().is_some_and(|n| n.starts_with(BUILD_PREFIX))
            || !entry.file_type().is_ok_and(|t| t.is_dir())
        {
            continue;
        }
        let path = entry.path();
        let lock = match std::fs::File::open(path.join("LOCK")) {
            Ok(f) => match f.try_lock() {
                Ok(()) => Some(f),
                Err(_) => continue, // a live build
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age >= UNLOCKED_BUILD_AGE);
                if !old {
                    continue;
                }
                None
            }
            Err(_) => continue,
        };
        if std::fs::remove_dir_all(&path).is_ok() {
            removed.push(path);
        }
        drop(lock);
    }
    removed
}

/// Title, date and URL of a document: not kept by the first pass, read again for the index.
type ReadAgain = (Option<String>, Option<String>, Option<String>);

/// The [`ReadAgain`] of the documents `keep` (ascending), read again from `inputs` in one pass.
fn stored_fields(
    inputs: &InputSet,
    signed: &Signed,
    keep: &[u32],
    config: &Config,
) -> Result<Vec<ReadAgain>> {
    let mut out = Vec::with_capacity(keep.len());
    crate::input::reread::fetch_records(
        inputs,
        &signed.meta,
        keep,
        config,
        |_| true,
        |_, _, rec| {
            let rec = rec.expect("parsed for every format");
            out.push((rec.title, rec.date, rec.url));
            Ok(())
        },
    )?;
    Ok(out)
}

fn write_new_segment(
    dir: &Path,
    generation: u64,
    params: &Definition,
    banding: Banding,
    signed: &Signed,
    (keep, fields): (&[u32], &[ReadAgain]),
    config: &Config,
) -> Result<SegmentEntry> {
    create_segment(
        dir,
        generation,
        params,
        banding.bands,
        new_docs(signed, keep, fields, config),
    )
}

/// Writes `docs` to a new segment file in `dir` and syncs it; returns its manifest entry.
fn create_segment<'a>(
    dir: &Path,
    generation: u64,
    params: &Definition,
    bands: usize,
    docs: impl Iterator<Item = Result<NewDoc<'a>>>,
) -> Result<SegmentEntry> {
    // A name no earlier add can have used, even one that was killed.
    let nonce =
        xxh3_64(format!("{}-{:?}", std::process::id(), std::time::SystemTime::now()).as_bytes())
            as u32;
    let file = format!("seg-{generation:06}-{nonce:08x}.nds");
    let path = dir.join(&file);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::output(&path, e))?;
    let header = segment::write_segment(&mut f, &path, fingerprint(params), bands, docs)?;
    Ok(SegmentEntry {
        file,
        docs: header.docs,
        signed: header.signed,
        bytes: header.file_len(),
        header_xxh3: header.xxh3,
    })
}

/// An index opened to add to it: holds the lock on `LOCK` until dropped.
#[derive(Debug)]
pub struct Writer {
    index: Index,
    _lock: std::fs::File,
    /// Unfinished segments of interrupted adds and compactions (and segments a finished
    /// compaction had yet to delete), deleted when the writer was opened.
    pub removed_orphans: Vec<String>,
    /// Directories of killed builds next to the index, deleted when the writer was opened
    /// (see [`remove_build_orphans`]).
    pub removed_builds: Vec<PathBuf>,
}

/// A segment written and synced but not yet in the manifest (or, when nothing was new, no
/// segment at all): until [`Writer::commit`], the index is exactly as it was.
#[derive(Debug)]
pub struct Pending {
    entry: Option<SegmentEntry>,
    /// Counts of the add.
    pub counts: AddCounts,
}

/// What a compaction did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CompactCounts {
    /// Segments before.
    pub segments_before: usize,
    /// Segments after (1, or 0 for an index with no segment).
    pub segments_after: usize,
    /// Documents in the index (the same before and after).
    pub documents: u64,
    /// Bytes of the segments before.
    pub bytes_before: u64,
    /// Bytes of the segments after.
    pub bytes_after: u64,
}

/// The merged segment of a compaction, written and synced but not yet in the manifest: until
/// [`Writer::commit_compaction`], the index is exactly as it was.
#[derive(Debug)]
pub struct PendingCompaction {
    entry: SegmentEntry,
    /// Counts of the compaction.
    pub counts: CompactCounts,
}

impl Writer {
    /// Locks the index in `dir` for adding (an error if another add holds it), opens it and
    /// deletes segment files no manifest names (left by an add that was killed).
    pub fn open(dir: &Path) -> Result<Writer> {
        let lock_path = dir.join("LOCK");
        if !dir.join(MANIFEST).is_file() {
            // Let `Index::open` explain.
            Index::open(dir)?;
        }
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::output(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::output(
                    dir,
                    std::io::Error::new(
                        std::io::ErrorKind::WouldBlock,
                        "another neardup is adding to this index",
                    ),
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::output(&lock_path, e)),
        }
        let index = Index::open(dir)?;
        let removed_builds = remove_build_orphans(parent_of(dir));
        let mut removed_orphans = Vec::new();
        let listed: std::collections::HashSet<&str> = index
            .body
            .segments
            .iter()
            .map(|s| s.file.as_str())
            .collect();
        for entry in std::fs::read_dir(dir).map_err(|e| Error::input(dir, e))? {
            let entry = entry.map_err(|e| Error::input(dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // `.neardup-*.tmp`: an unfinished manifest (`fsutil::AtomicFile`); `.tmp-`: the
            // same, of earlier versions.
            let unfinished = (name.starts_with("seg-") && name.ends_with(".nds"))
                || name.starts_with(".tmp-")
                || (name.starts_with(".neardup-") && name.ends_with(".tmp"));
            if unfinished && !listed.contains(name.as_str()) {
                std::fs::remove_file(entry.path()).map_err(|e| Error::output(entry.path(), e))?;
                removed_orphans.push(name);
            }
        }
        Ok(Writer {
            index,
            _lock: lock,
            removed_orphans,
            removed_builds,
        })
    }

    /// The index as it is.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Reads `inputs` with the index's parameters (`config` gives field names and `strict`;
    /// its other parameters must be the index's) and writes their documents to a new segment.
    /// A document whose id is already in the index is rejected like a repeated id. The index
    /// does not change until [`Writer::commit`]. Runs on `pool`.
    pub fn prepare(
        &self,
        inputs: &mut InputSet,
        config: &Config,
        pool: &rayon::ThreadPool,
        on_bad: &mut (dyn FnMut(&BadLine) + Send),
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<Pending> {
        let banding = self.index.banding;
        if stored_definition(config, banding)? != self.index.body.params {
            return Err(Error::Config {
                field: "index add",
                expected: "the index's parameters".into(),
                got: "others".into(),
            });
        }
        let signed = pool.install(|| read_and_sign(inputs, config, banding, on_bad, progress))?;
        let mut keep = Vec::with_capacity(signed.meta.len());
        let mut rejected = signed.rejected;
        for (d, m) in signed.meta.iter().enumerate() {
            if self.index.find_id(&m.id)?.is_some() {
                rejected += 1;
                let bad = BadLine {
                    input: inputs.name(m.location.input).to_string(),
                    line: m.location.line,
                    unit: inputs.format(m.location.input).unit(),
                    message: format!("id {:?} is already in the index", m.id),
                };
                bad.stop_or_tell(config.strict, on_bad)?;
            } else {
                keep.push(d as u32);
            }
        }
        // Nothing new: no segment, and the manifest stays as it is.
        let entry = if keep.is_empty() {
            None
        } else {
            progress(Progress::Stage("writing a segment"));
            let fields = pool.install(|| stored_fields(inputs, &signed, &keep, config))?;
            let body = &self.index.body;
            let entry = write_new_segment(
                &self.index.dir,
                body.generation + 1,
                &body.params,
                banding,
                &signed,
                (&keep, &fields),
                config,
            )?;
            crate::fsutil::sync_dir(&self.index.dir)?;
            Some(entry)
        };
        let short = keep
            .iter()
            .filter(|&&d| signed.meta[d as usize].short)
            .count() as u64;
        Ok(Pending {
            counts: AddCounts {
                read: signed.read,
                added: keep.len() as u64,
                short,
                rejected,
                total: self.index.docs() + keep.len() as u64,
            },
            entry,
        })
    }

    /// Makes the pending segment part of the index: a new manifest replaces the old one
    /// atomically. When the add brought nothing new, nothing is written.
    pub fn commit(self, pending: Pending) -> Result<AddCounts> {
        let Some(entry) = pending.entry else {
            return Ok(pending.counts);
        };
        let mut body = self.index.body.clone();
        body.generation += 1;
        body.segments.push(entry);
        write_durably(&self.index.dir, MANIFEST, &encode_manifest(&body))?;
        Ok(pending.counts)
    }

    /// Writes every document of the index, in order, to one new segment, and syncs it; `None`
    /// when the index has one segment or none (nothing to merge). The shingle sets, metadata
    /// and band keys are copied; sampled shingles are taken from the sets as `add` takes them.
    /// The index does not change until [`Writer::commit_compaction`].
    pub fn prepare_compaction(&self) -> Result<Option<PendingCompaction>> {
        let index = &self.index;
        if index.segments.len() <= 1 {
            return Ok(None);
        }
        let bands = index.banding.bands;
        let config = &index.config;
        let docs = index.segments.iter().flat_map(
            |seg| -> Box<dyn Iterator<Item = Result<NewDoc<'static>>> + '_> {
                let keys = match seg.keys_by_doc() {
                    Ok(keys) => keys,
                    Err(e) => return Box::new(std::iter::once(Err(e))),
                };
                Box::new((0..seg.docs() as u32).map(move |d| {
                    let meta = seg.meta(d)?;
                    if meta.short {
                        return Ok(NewDoc {
                            meta,
                            keys: std::borrow::Cow::Owned(Vec::new()),
                            set: std::borrow::Cow::Owned(Vec::new()),
                            samples: Vec::new(),
                        });
                    }
                    let set = seg.set(d)?;
                    let samples = if config.definition.mode == Mode::Containment {
                        crate::contain::sample(&set, config.definition.sample_every)
                    } else {
                        Vec::new()
                    };
                    let at = d as usize * bands;
                    Ok(NewDoc {
                        meta,
                        keys: std::borrow::Cow::Owned(keys[at..at + bands].to_vec()),
                        set: std::borrow::Cow::Owned(set),
                        samples,
                    })
                }))
            },
        );
        let body = &index.body;
        let entry = create_segment(&index.dir, body.generation + 1, &body.params, bands, docs)?;
        crate::fsutil::sync_dir(&index.dir)?;
        if entry.docs != index.docs() {
            return Err(corrupt(
                &index.dir,
                format!(
                    "the merged segment holds {} documents, the index {}",
                    entry.docs,
                    index.docs()
                ),
            ));
        }
        let counts = CompactCounts {
            segments_before: body.segments.len(),
            segments_after: 1,
            documents: entry.docs,
            bytes_before: body.segments.iter().map(|s| s.bytes).sum(),
            bytes_after: entry.bytes,
        };
        Ok(Some(PendingCompaction { entry, counts }))
    }

    /// Makes the merged segment the whole index: a new manifest naming only it replaces the
    /// old one atomically; then the old segments are deleted (one that cannot be is an orphan
    /// the next [`Writer::open`] deletes).
    pub fn commit_compaction(self, pending: PendingCompaction) -> Result<CompactCounts> {
        let mut body = self.index.body.clone();
        body.generation += 1;
        body.segments = vec![pending.entry];
        write_durably(&self.index.dir, MANIFEST, &encode_manifest(&body))?;
        for old in &self.index.body.segments {
            let _ = std::fs::remove_file(self.index.dir.join(&old.file));
        }
        crate::fsutil::sync_dir(&self.index.dir)?;
        Ok(pending.counts)
    }
}

/// The answer for one new article.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// The new article (no text).
    pub doc: DocMeta,
    /// True when an article with the same id is already in the index (it is not listed).
    pub in_index: bool,
    /// Its matches, best first.
    pub matches: Vec<Match>,
}

/// Counts and timings of a query run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueryCounts {
    /// Non-blank lines read.
    pub read: u64,
    /// Documents queried.
    pub documents: u64,
    /// Of which short (never matched).
    pub short: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Documents with at least one match.
    pub with_matches: u64,
    /// Reading, parsing, shingling and signing the new articles.
    pub read_sign: Duration,
    /// Looking all of them up.
    pub lookup: Duration,
}

/// Reads `inputs` and queries each document against `index`; results in input order,
/// whatever the thread count. `config` gives field names and `strict`; its other parameters
/// must be the index's. Runs on `pool`.
pub fn query_inputs(
    index: &Index,
    inputs: &mut InputSet,
    config: &Config,
    pool: &rayon::ThreadPool,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
) -> Result<(Vec<QueryResult>, QueryCounts)> {
    let t0 = Instant::now();
    let banding = index.banding;
    let signed = pool.install(|| read_and_sign(inputs, config, banding, on_bad, &mut |_| {}))?;
    let t1 = Instant::now();
    let spool = signed.sets.as_ref().expect("read_and_sign keeps the sets");
    let results: Vec<Result<QueryResult>> = pool.install(|| {
        (0..signed.meta.len() as u32)
            .into_par_iter()
            .map(|d| {
                let m = &signed.meta[d as usize];
                let own = index.find_id(&m.id)?;
                let mut matches = if m.short {
                    Vec::new()
                } else {
                    index.query(&spool.set(d), &signed.keys.row(d))?
                };
                if let Some(own) = own {
                    matches.retain(|x| x.doc != own);
                }
                Ok(QueryResult {
                    doc: m.clone(),
                    in_index: own.is_some(),
                    matches,
                })
            })
            .collect()
    });
    let results: Vec<QueryResult> = results.into_iter().collect::<Result<_>>()?;
    let t2 = Instant::now();
    let counts = QueryCounts {
        read: signed.read,
        documents: signed.meta.len() as u64,
        short: signed.meta.iter().filter(|m| m.short).count() as u64,
        rejected: signed.rejected,
        with_matches: results.iter().filter(|r| !r.matches.is_empty()).count() as u64,
        read_sign: t1 - t0,
        lookup: t2 - t1,
    };
    Ok((results, counts))
}

/// One line of `neardup index query` output (JSON Lines): a new article and the archive
/// articles it copies, best first.
///
/// ```json
/// {"id":"new-1","input":"new.jsonl","line":1,"short":false,"in_index":false,
///  "matches":[{"id":"a-17","outlet":"Kyodo","date":"2024-05-01","title":"...",
///              "jaccard":0.9412,"containment":0.9811}]}
/// ```
///
/// `jaccard` is the exact Jaccard similarity of the two word-shingle sets and `containment`
/// the exact share of the smaller set found in the larger, rounded to 4 decimals, as in the
/// cluster report. `title`, `outlet`, `date` and `url` are left out when unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryRecord {
    /// The new article's id.
    pub id: String,
    /// Its input.
    pub input: String,
    /// Its 1-based line.
    pub line: u64,
    /// Too short to be compared (fewer than `min_shingles` shingles).
    pub short: bool,
    /// An article with this id is already in the index (and is not listed as a match).
    pub in_index: bool,
    /// The archive articles it copies.
    pub matches: Vec<MatchRecord>,
}

/// A match in a [`QueryRecord`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchRecord {
    /// Archive article id.
    pub id: String,
    /// Its outlet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// Its date as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Exact Jaccard similarity (named as in the cluster file).
    pub jaccard: f64,
    /// Exact containment of the smaller article in the larger.
    pub containment: f64,
}

impl QueryRecord {
    /// The record of `r`, with the matches' metadata read from `index`.
    pub fn new(index: &Index, r: &QueryResult, input: &str) -> Result<QueryRecord> {
        let matches = r
            .matches
            .iter()
            .map(|m| {
                let meta = index.meta(m.doc)?;
                Ok(MatchRecord {
                    id: meta.id,
                    outlet: meta.outlet,
                    date: meta.date,
                    title: meta.title,
                    url: meta.url,
                    jaccard: crate::verify::round4(m.jaccard),
                    containment: crate::verify::round4(m.containment),
                })
            })
            .collect::<Result<_>>()?;
        Ok(QueryRecord {
            id: r.doc.id.clone(),
            input: input.to_string(),
            line: r.doc.location.line,
            short: r.doc.short,
            in_index: r.in_index,
            matches,
        })
    }

    /// The readable form: the article, then one indented line per match; ids, file names,
    /// outlets, dates and titles through [`crate::text_safety::for_people`] (no terminal
    /// escape, line break or bidirectional override).
    pub fn write_text(&self, w: &mut dyn Write) -> std::io::Result<()> {
        use crate::text_safety::{for_people, Layout};
        let safe = |s: &str| for_people(s, Layout::Line).into_owned();
        let what = match (self.short, self.matches.len()) {
            (true, _) => "too short to compare".to_string(),
            (false, 0) => "no copy in the index".to_string(),
            (false, 1) => "copies 1 article".to_string(),
            (false, n) => format!("copies {n} articles"),
        };
        let also = if self.in_index {
            " (this id is already in the index)"
        } else {
            ""
        };
        writeln!(
            w,
            "{} ({}:{}): {what}{also}",
            safe(&self.id),
            safe(&self.input),
            self.line
        )?;
        for m in &self.matches {
            writeln!(
                w,
                "  jaccard {:.4}  containment {:.4}  {}  {}  {}  {}",
                m.jaccard,
                m.containment,
                safe(&m.id),
                safe(m.outlet.as_deref().unwrap_or("-")),
                safe(m.date.as_deref().unwrap_or("-")),
                safe(m.title.as_deref().unwrap_or(""))
            )?;
        }
        Ok(())
    }
}
