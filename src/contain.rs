//! Candidates for containment: documents cut short, or extended with captions and footers.
//!
//! Owns: the sampled-shingle index, the probe rule and the boilerplate it learns on the way.
//! Must not: verify (a candidate is only worth checking).
//!
//! Why not MinHash LSH alone: a copy an outlet cut to its first third has containment near 1
//! in the original but Jaccard near 0.33, far below any useful LSH threshold, and the Jaccard
//! bound falls further as the size ratio grows. LSH Ensemble (Zhu et al., VLDB 2016) fixes this
//! with size partitions and a tuned banding per partition pair; neardup instead uses a sample
//! that keeps containment exactly: every shingle whose hash is divisible by `sample_every` is
//! kept (content-defined sampling, as in Broder's and Manber's work). Sampling commutes with
//! intersection, `S(A ∩ B) = S(A) ∩ S(B)`, so the share of the smaller document's samples found
//! in the larger estimates their containment without bias, whatever the size ratio.
//!
//! **Probes, not all pairs.** Pairing every two documents that share a sample costs the sum of
//! the squares of the samples' document frequencies, and that is not linear when frequencies
//! are heavy-tailed: character 3-grams of Chinese or Japanese held by 50 to 500 documents each
//! made tens of millions of pairs. So each document pairs only through its **probes**: its
//! rarest samples that another document holds too (ordered by document frequency, then by
//! hash), at most [`Params::probes`] of them, taken while their frequencies minus one sum to at
//! most [`Params::emit_per_doc`] (the first [`MIN_PROBES`] always: one or two common samples say
//! nothing about containment). A pair is a candidate when one document
//! holds at least half of the other's probes. This is prefix filtering (Chaudhuri et al., ICDE
//! 2006; Bayardo et al., WWW 2007) with a fixed-size prefix: a sample no other document holds
//! cannot be shared, so the probes are the rarest of those that can be; a copy contained in
//! another holds all of them, a caption or local paragraph it adds is held by no one and is
//! not a probe. A document of which fewer than half the samples are held by any other is
//! contained in nothing (the bar is half, not the 0.8 verified, so that sampling noise does not
//! lose pairs) and does not probe; its outlet's boilerplate does not count as held.
//!
//! **The bound.** Every document emits at most `emit_per_doc + MIN_PROBES * max_df` directed
//! pairs, so the work after the two sorts of the samples is linear in documents whatever the
//! distribution of shingles; the pairs are counted in partitions by their first document, spilled to temporary
//! files past a budget, so memory is bounded too. The samples themselves are an external
//! partitioned sort ([`SampleIndex`]): two passes over them, the first to learn document
//! frequencies, each document's probes and the outlets' boilerplate, the second to emit.
//!
//! **Boilerplate.** A sampled shingle held by more than `max_df` documents pairs nothing.
//! A sampled shingle held by at least [`Params::outlet_min`] different texts of one outlet
//! (identical documents count once), and by at least one in [`OUTLET_SHARE`] of its
//! documents, is that outlet's boilerplate (a channel footer, a
//! notice, a pitch): it is not a probe of that outlet's documents, and the guard of
//! [`crate::boilerplate`] leaves it out of their real text. A syndicated story is spread over
//! many outlets and stays a story.

use crate::fsutil::Spill;
use rayon::prelude::*;

/// The sampled shingles of a set: those whose hash is divisible by `every`.
pub fn sample(set: &[u64], every: u64) -> Vec<u64> {
    let mut out = Vec::with_capacity(2 * set.len() / every.max(1) as usize + 4);
    sample_into(set, every, &mut out);
    out
}

/// [`sample`], appended to `out`.
pub fn sample_into(set: &[u64], every: u64, out: &mut Vec<u64>) {
    if every.is_power_of_two() {
        // The default (8): a mask, not a division per shingle.
        let mask = every - 1;
        // Without a branch per shingle (one in `every` is kept, unpredictably): each is
        // written, and the end moves on when it is kept.
        let mut buf = [0u64; 64];
        for chunk in set.chunks(64) {
            let mut kept = 0;
            for &x in chunk {
                buf[kept] = x;
                kept += usize::from(x & mask == 0);
            }
            out.extend_from_slice(&buf[..kept]);
        }
    } else {
        out.extend(set.iter().copied().filter(|x| x % every == 0));
    }
}

/// Partitions of the sample index, by the top bits of the sampled hash: documents sharing a
/// sample are always in one partition, so each is sorted and paired alone.
const PARTS: usize = 1 << PART_BITS;

/// The partitions in groups of `at_once`, in order: a group is taken from the index and
/// worked on in parallel.
fn part_groups(at_once: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..PARTS)
        .step_by(at_once.max(1))
        .map(move |p| p..(p + at_once.max(1)).min(PARTS))
}

/// Bits of the partition number: the top bits of an entry.
const PART_BITS: u32 = 6;

/// Entries held in memory before all partitions are appended to their spill files: 2 Mi
/// entries, 16 MiB (about 35,000 English or 18,000 Chinese articles). Past it the index is
/// an external partitioned sort, and memory stays near this budget whatever the archive.
pub const DEFAULT_SPILL_ENTRIES: usize = 2 << 20;

/// The samples of all documents, packed for sorting: the high 32 bits of a sampled shingle's
/// hash above the document index, 8 bytes an entry. (Two different samples with the same high
/// half only add candidates, which verification then rejects.)
///
/// Entries go to 64 partitions by hash; when more than a budget of entries are held,
/// every partition's buffer is appended to its own temporary file (an external partitioned
/// sort: memory stays at the budget plus one partition per thread while pairing, whatever
/// the archive size).
#[derive(Debug)]
pub struct SampleIndex {
    parts: Vec<Vec<u64>>,
    files: Vec<Option<Spill>>,
    held: usize,
    spilled: u64,
    budget: usize,
    /// Samples per document.
    counts: Vec<u32>,
}

impl Default for SampleIndex {
    fn default() -> Self {
        SampleIndex::with_budget(DEFAULT_SPILL_ENTRIES)
    }
}

/// What the spill files of [`SampleIndex`] and of the pairing hold, for their errors.
const SPILL: &str = "temporary sample spill";

impl SampleIndex {
    /// An empty index that spills to disk when it holds more than `budget` entries.
    pub fn with_budget(budget: usize) -> SampleIndex {
        SampleIndex {
            parts: vec![Vec::new(); PARTS],
            files: (0..PARTS).map(|_| None).collect(),
            held: 0,
            spilled: 0,
            budget: budget.max(1),
            counts: Vec::new(),
        }
    }

    /// Records the samples of document `doc` (documents are added in increasing order).
    pub fn add(&mut self, doc: u32, samples: &[u64]) -> crate::error::Result<()> {
        if self.counts.len() <= doc as usize {
            self.counts.resize(doc as usize + 1, 0);
        }
        self.counts[doc as usize] = samples.len() as u32;
        for &x in samples {
            let part = (x >> (64 - PART_BITS)) as usize;
            self.parts[part].push((x >> 32) << 32 | u64::from(doc));
        }
        self.held += samples.len();
        if self.held > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Appends every partition's buffer to its spill file.
    fn spill(&mut self) -> crate::error::Result<()> {
        for (part, file) in self.parts.iter_mut().zip(&mut self.files) {
            if part.is_empty() {
                continue;
            }
            if file.is_none() {
                *file = Some(Spill::unbuffered(SPILL)?);
            }
            let f = file.as_mut().expect("spill file just opened");
            let bytes: Vec<u8> = part.iter().flat_map(|x| x.to_le_bytes()).collect();
            f.append(&bytes)?;
            self.spilled += part.len() as u64;
            part.clear();
        }
        self.held = 0;
        Ok(())
    }

    /// The entries of one partition: its spill file read back, then its buffer.
    fn take_part(&mut self, part: usize) -> crate::error::Result<Vec<u64>> {
        let mut entries = Vec::new();
        if let Some(f) = self.files[part].take() {
            let bytes = f.read_all()?;
            entries.extend(
                bytes
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))),
            );
        }
        entries.append(&mut self.parts[part]);
        self.parts[part] = Vec::new();
        Ok(entries)
    }

    /// Puts a partition's entries back after [`SampleIndex::take_part`]: in memory when the
    /// index never spilled, else in a new spill file.
    fn put_part(&mut self, part: usize, mut entries: Vec<u64>) -> crate::error::Result<()> {
        if self.spilled == 0 {
            self.parts[part] = entries;
            return Ok(());
        }
        append(&mut self.files[part], &mut entries)
    }

    /// Bytes held in memory.
    pub fn heap_bytes(&self) -> usize {
        self.parts.iter().map(|p| p.capacity() * 8).sum::<usize>() + self.counts.capacity() * 4
    }

    /// Bytes written to the spill files.
    pub fn spilled_bytes(&self) -> u64 {
        self.spilled * 8
    }

    /// Number of samples of document `doc` (0 for a document without any).
    pub fn count(&self, doc: u32) -> usize {
        self.counts.get(doc as usize).map_or(0, |&c| c as usize)
    }

    /// Every entry as `(document, high 32 bits of the sampled shingle)`, sorted (documents
    /// ascending, each document's samples ascending: the order they were added in). These
    /// high halves are what [`candidate_pairs`] groups by. Reads the spill files back.
    pub fn entries(&self) -> crate::error::Result<Vec<(u32, u32)>> {
        let mut out = Vec::new();
        for (part, file) in self.parts.iter().zip(&self.files) {
            if let Some(f) = file {
                let bytes = f.read_all()?;
                out.extend(bytes.chunks_exact(8).map(|c| {
                    let e = u64::from_le_bytes(c.try_into().expect("8 bytes"));
                    (e as u32, (e >> 32) as u32)
                }));
            }
            out.extend(part.iter().map(|&e| (e as u32, (e >> 32) as u32)));
        }
        out.sort_unstable();
        Ok(out)
    }
}

/// How the candidate stage bounds its work and learns boilerplate: see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// A sampled shingle held by more documents than this pairs nothing.
    pub max_df: usize,
    /// Probes per document: its rarest shared samples.
    pub probes: usize,
    /// Most pairs a document's probes may emit (the sum of their document frequencies).
    pub emit_per_doc: usize,
    /// A sampled shingle held by at least this many documents of one outlet (and at least
    /// [`OUTLET_SHARE`] of them) is that outlet's boilerplate.
    pub outlet_min: usize,
}

/// Share of an outlet's documents (one in this many) that must hold a sampled shingle for it
/// to be the outlet's boilerplate, besides [`Params::outlet_min`].
pub const OUTLET_SHARE: usize = 100;

impl Params {
    /// The parameters a run's configuration asks for.
    pub fn from_config(config: &crate::config::Config) -> Params {
        Params {
            max_df: config.definition.max_df,
            ..Params::default()
        }
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_df: 500,
            probes: 16,
            emit_per_doc: 512,
            outlet_min: 10,
        }
    }
}

/// What [`find`] returns: the candidate pairs and what was learned on the way.
#[derive(Debug, Default)]
pub struct Found {
    /// Candidate pairs `(a, b)`, `a <= b`, sorted, deduplicated (`(a, a)`: the pairs within
    /// the group of identical documents `a` is the first of).
    pub pairs: Vec<(u32, u32)>,
    /// Sampled shingles held by more than `max_df` documents.
    pub boilerplate: u64,
    /// Each outlet's boilerplate: `outlet << 32 | high half of the sampled shingle`, sorted.
    pub outlet_boilerplate: Vec<u64>,
    /// For each entry of `outlet_boilerplate`, in its order: the first (up to
    /// [`HOLDERS`]) documents of that outlet that hold the sample, in document order. The
    /// shingles all of them share are the boilerplate's text ([`crate::boilerplate`]).
    pub holders: Vec<Vec<u32>>,
    /// Pairs the probes emitted (the work of the stage).
    pub emitted: u64,
}

/// Candidate pairs from the samples; see the module docs. Consumes the index. Also returns the
/// number of sampled shingles dropped as boilerplate. Runs on the current rayon pool.
pub fn candidate_pairs(
    index: SampleIndex,
    max_df: usize,
) -> crate::error::Result<(Vec<(u32, u32)>, u64)> {
    let n = index.counts.len();
    let found = find(
        index,
        &crate::copies::Copies::default(),
        &vec![NO_OUTLET; n],
        Params {
            max_df,
            ..Params::default()
        },
    )?;
    Ok((found.pairs, found.boilerplate))
}

/// Probes a document takes whatever their document frequencies: at least half of them must
/// be held by a candidate.
pub const MIN_PROBES: usize = 4;

/// Documents kept per learned boilerplate sample ([`Found::holders`]).
pub const HOLDERS: usize = 3;

/// The outlet number of a document whose outlet is not known.
pub const NO_OUTLET: u32 = u32::MAX;

/// Candidate pairs and learned boilerplate for a corpus with groups of identical documents
/// ([`crate::copies`]): only the first member of each group is in the index, and stands for
/// its whole group, which counts with all its members towards document frequencies. A pair
/// `(a, b)` stands for every pair of a member of `a`'s group with a member of `b`'s, `(a, a)`
/// for the pairs within `a`'s group. `outlets[d]` is document `d`'s outlet number
/// ([`NO_OUTLET`] when unknown).
pub fn find(
    mut index: SampleIndex,
    copies: &crate::copies::Copies,
    outlets: &[u32],
    params: Params,
) -> crate::error::Result<Found> {
    let sizes = copies.size_table();
    let n = index.counts.len();
    let k = params.probes.max(1);
    let mut outlet_docs: Vec<u32> = Vec::new();
    for &o in outlets {
        if o != NO_OUTLET {
            if outlet_docs.len() <= o as usize {
                outlet_docs.resize(o as usize + 1, 0);
            }
            outlet_docs[o as usize] += 1;
        }
    }
    let ctx = Context {
        sizes: &sizes,
        outlets,
        outlet_docs: &outlet_docs,
        params,
    };
    // Pass 1: document frequencies, each document's rarest shared samples, outlet boilerplate.
    let mut tops = vec![u64::MAX; n * k];
    // The largest key of each document's top.
    let mut worst = vec![u64::MAX; n];
    // Samples of each document that another document holds too, and samples that are its
    // outlet's boilerplate.
    let mut shared = vec![0u32; n];
    let mut boiled = vec![0u32; n];
    let mut boilerplate = 0u64;
    let mut outlet_boilerplate = Vec::new();
    let at_once = rayon::current_num_threads().max(1);
    for group in part_groups(at_once) {
        let taken = group
            .clone()
            .map(|p| index.take_part(p))
            .collect::<crate::error::Result<Vec<Vec<u64>>>>()?;
        let done: Vec<FirstPass> = taken.into_par_iter().map(|e| ctx.first_pass(e)).collect();
        for (p, pass) in group.zip(done) {
            boilerplate += pass.dropped;
            for &d in &pass.shared {
                shared[d as usize] += 1;
            }
            for &d in &pass.boiled {
                boiled[d as usize] += 1;
            }
            outlet_boilerplate.extend(pass.outlet_boilerplate);
            // Each thread keeps the tops of its own range of documents (random writes into
            // `n * k` keys are the cost; the keys are read once per range).
            let per = n.div_ceil(at_once).max(1);
            tops.par_chunks_mut(per * k)
                .zip(worst.par_chunks_mut(per))
                .enumerate()
                .for_each(|(r, (tops, worst))| {
                    let first = r * per;
                    for &(doc, key) in &pass.keys {
                        let Some(d) = (doc as usize).checked_sub(first).filter(|&d| d < per) else {
                            continue;
                        };
                        // A key no better than the worst of a full top: one compare.
                        if key >= worst[d] {
                            continue;
                        }
                        let top = &mut tops[d * k..(d + 1) * k];
                        let i = top
                            .iter()
                            .position(|&v| v == worst[d])
                            .expect("the worst key is in the top");
                        top[i] = key;
                        worst[d] = *top.iter().max().expect("k >= 1");
                    }
                });
            index.put_part(p, pass.entries)?;
        }
    }
    outlet_boilerplate.sort_unstable();
    let (outlet_boilerplate, holders): (Vec<u64>, Vec<Vec<u32>>) =
        outlet_boilerplate.into_iter().unzip();
    // Each document's probes: its rarest shared samples, most `k`, while the pairs they emit
    // stay within the budget. `limit[d]`: the largest key of a probe (0: none).
    // A document of which less than half the real samples (those not its outlet's
    // boilerplate) are held by any other document is contained in none (the candidate bar is
    // half): it does not probe.
    let limit: Vec<u64> = tops
        .par_chunks(k)
        .zip(&shared)
        .zip(index.counts.par_iter().zip(&boiled))
        .map(|((top, &shared), (&count, &boiled))| {
            if 2 * shared < count - boiled {
                return 0;
            }
            let mut top = top.to_vec();
            top.sort_unstable();
            let mut emitted = 0usize;
            let mut last = 0;
            for (taken, key) in top.into_iter().enumerate() {
                if key == u64::MAX {
                    break;
                }
                let df = (key >> 32) as usize;
                // The first `MIN_PROBES` always (samples held by at most `max_df` documents):
                // one or two common samples say nothing about containment.
                if emitted + df - 1 > params.emit_per_doc && taken >= MIN_PROBES {
                    break;
                }
                emitted += df - 1;
                last = key;
            }
            last
        })
        .collect();
    let probes: Vec<u32> = tops
        .par_chunks(k)
        .zip(&limit)
        .map(|(top, &l)| top.iter().filter(|&&key| key <= l && l != 0).count() as u32)
        .collect();
    drop(tops);
    drop(worst);
    // Pass 2: every probe pairs its document with the other holders of the sample; a pair
    // is a candidate when the other holds at least half of the document's probes.
    let mut emitted_pairs = EmitBuffer::new(index.budget / 2);
    let mut emitted = 0u64;
    for group in part_groups(at_once) {
        let taken = group
            .map(|p| index.take_part(p))
            .collect::<crate::error::Result<Vec<Vec<u64>>>>()?;
        let out: Vec<Vec<u64>> = taken
            .into_par_iter()
            .map(|e| ctx.emit(&e, &limit, &outlet_boilerplate))
            .collect();
        for v in out {
            emitted += v.len() as u64;
            emitted_pairs.extend(&v)?;
        }
    }
    drop(index);
    // Each partition's pairs counted on their own, as many partitions at a time as threads.
    let count = |emitted: Vec<u64>| -> Vec<(u32, u32)> {
        let v = crate::sort::sorted_uniform(&emitted);
        drop(emitted);
        let mut found = Vec::new();
        for run in v.chunk_by(|x, y| x == y) {
            let (a, other) = ((run[0] >> 32) as u32, run[0] as u32);
            let need = (probes[a as usize] as usize).div_ceil(2).max(1);
            if run.len() >= need {
                found.push((a.min(other), a.max(other)));
            }
        }
        found
    };
    let mut pairs = Vec::new();
    for group in part_groups(at_once) {
        let taken = group
            .map(|b| emitted_pairs.take(b))
            .collect::<crate::error::Result<Vec<Vec<u64>>>>()?;
        let found: Vec<Vec<(u32, u32)>> = taken.into_par_iter().map(count).collect();
        pairs.extend(found.into_iter().flatten());
    }
    // Identical documents are candidates of each other.
    for (d, &s) in sizes.iter().enumerate() {
        if s >= 2 && probes[d] > 0 {
            pairs.push((d as u32, d as u32));
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    Ok(Found {
        pairs,
        boilerplate,
        outlet_boilerplate,
        holders,
        emitted,
    })
}

struct Context<'a> {
    sizes: &'a [u32],
    outlets: &'a [u32],
    outlet_docs: &'a [u32],
    params: Params,
}

struct FirstPass {
    /// The partition's entries that can pair (held by 2 to `max_df` documents), sorted.
    entries: Vec<u64>,
    /// `(document, key)` of each such entry that is not its outlet's boilerplate; key:
    /// `df << 32 | high half`.
    keys: Vec<(u32, u64)>,
    dropped: u64,
    outlet_boilerplate: Vec<(u64, Vec<u32>)>,
    /// The document of every entry held by two documents or more that is not its outlet's
    /// boilerplate (one per entry).
    shared: Vec<u32>,
    /// The document of every entry that is its outlet's boilerplate.
    boiled: Vec<u32>,
}

impl Context<'_> {
    fn size(&self, d: u32) -> u32 {
        self.sizes.get(d as usize).copied().unwrap_or(1)
    }

    fn outlet(&self, d: u32) -> u32 {
        self.outlets.get(d as usize).copied().unwrap_or(NO_OUTLET)
    }

    fn weight(&self, g: &[u64]) -> usize {
        if self.sizes.is_empty() {
            g.len()
        } else {
            g.iter().map(|&e| self.size(e as u32) as usize).sum()
        }
    }

    fn first_pass(&self, mut entries: Vec<u64>) -> FirstPass {
        if !self.sizes.is_empty() {
            entries.retain(|&e| self.size(e as u32) > 0);
        }
        let entries = crate::sort::sorted_uniform(&entries);
        let mut kept = Vec::new();
        let mut keys = Vec::new();
        let mut dropped = 0;
        let mut outlet_boilerplate = Vec::new();
        let mut outs: Vec<(u32, u32, u32)> = Vec::new();
        let mut shared = Vec::new();
        let mut boiled = Vec::new();
        for g in entries.chunk_by(|x, y| x >> 32 == y >> 32) {
            let w = self.weight(g);
            if w < 2 {
                continue;
            }
            let hi = g[0] >> 32;
            // Outlets holding the sample in many of their documents (frequent samples too: a
            // footer is in every page of its outlet).
            let mut boiler: Vec<u32> = Vec::new();
            if w >= self.params.outlet_min {
                outs.clear();
                outs.extend(g.iter().map(|&e| {
                    let d = e as u32;
                    (self.outlet(d), d, self.size(d))
                }));
                outs.sort_unstable();
                for run in outs.chunk_by(|a, b| a.0 == b.0) {
                    let o = run[0].0;
                    if o == NO_OUTLET {
                        continue;
                    }
                    // Different texts: a group of identical documents is one.
                    let held = run.len();
                    let of = self.outlet_docs.get(o as usize).copied().unwrap_or(0) as usize;
                    if held >= self.params.outlet_min && held * OUTLET_SHARE >= of {
                        boiler.push(o);
                        let holders = run.iter().take(HOLDERS).map(|&(_, d, _)| d).collect();
                        outlet_boilerplate.push((u64::from(o) << 32 | hi, holders));
                    }
                }
            }
            for &e in g {
                let d = e as u32;
                if boiler.contains(&self.outlet(d)) {
                    boiled.push(d);
                } else {
                    shared.push(d);
                }
            }
            if w > self.params.max_df {
                dropped += 1;
                continue;
            }
            kept.extend_from_slice(g);
            let key = (w as u64) << 32 | hi;
            for &e in g {
                if !boiler.contains(&self.outlet(e as u32)) {
                    keys.push((e as u32, key));
                }
            }
        }
        FirstPass {
            entries: kept,
            keys,
            dropped,
            outlet_boilerplate,
            shared,
            boiled,
        }
    }

    /// The directed pairs `doc << 32 | other` that the probes in `entries` emit.
    fn emit(&self, entries: &[u64], limit: &[u64], boiler: &[u64]) -> Vec<u64> {
        let mut out = Vec::new();
        for g in entries.chunk_by(|x, y| x >> 32 == y >> 32) {
            let w = self.weight(g) as u64;
            let hi = g[0] >> 32;
            let key = w << 32 | hi;
            for &x in g {
                let d = x as u32;
                let l = limit[d as usize];
                if l == 0 || key > l {
                    continue;
                }
                let o = self.outlet(d);
                if o != NO_OUTLET && boiler.binary_search(&(u64::from(o) << 32 | hi)).is_ok() {
                    continue;
                }
                for &y in g {
                    if y != x {
                        out.push(u64::from(d) << 32 | (y & 0xFFFF_FFFF));
                    }
                }
            }
        }
        out
    }
}

/// Directed pairs, held in partitions by their first document and spilled to temporary files
/// past a budget, so that counting them holds one partition at a time.
struct EmitBuffer {
    parts: Vec<Vec<u64>>,
    files: Vec<Option<Spill>>,
    held: usize,
    budget: usize,
}

impl EmitBuffer {
    fn new(budget: usize) -> EmitBuffer {
        EmitBuffer {
            parts: vec![Vec::new(); PARTS],
            files: (0..PARTS).map(|_| None).collect(),
            held: 0,
            budget: budget.max(1),
        }
    }

    fn extend(&mut self, pairs: &[u64]) -> crate::error::Result<()> {
        for &p in pairs {
            // The low bits of the first document spread the partitions.
            self.parts[((p >> 32) as usize) % PARTS].push(p);
        }
        self.held += pairs.len();
        if self.held > self.budget {
            for (part, file) in self.parts.iter_mut().zip(&mut self.files) {
                append(file, part)?;
            }
            self.held = 0;
        }
        Ok(())
    }

    fn take(&mut self, part: usize) -> crate::error::Result<Vec<u64>> {
        let mut v = read_back(self.files[part].take())?;
        v.append(&mut self.parts[part]);
        Ok(v)
    }
}

/// Appends `part` to `file` (opened on first use) and empties it.
fn append(file: &mut Option<Spill>, part: &mut Vec<u64>) -> crate::error::Result<()> {
    if part.is_empty() {
        return Ok(());
    }
    if file.is_none() {
        *file = Some(Spill::unbuffered(SPILL)?);
    }
    let f = file.as_mut().expect("spill file just opened");
    let bytes: Vec<u8> = part.iter().flat_map(|x| x.to_le_bytes()).collect();
    f.append(&bytes)?;
    part.clear();
    Ok(())
}

/// A spill file's entries.
fn read_back(file: Option<Spill>) -> crate::error::Result<Vec<u64>> {
    let Some(f) = file else {
        return Ok(Vec::new());
    };
    let bytes = f.read_all()?;
    Ok(bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Pairs of groups of identical documents stand for exactly the candidates of the
        /// documents one by one, with the same boilerplate count, under any `max_df`; two
        /// samples with one high half (held twice) included.
        #[test]
        fn group_candidates_expand_to_document_candidates(
            pool in proptest::collection::vec(proptest::collection::btree_set(0u64..40, 1..12), 1..6),
            picks in proptest::collection::vec(0usize..6, 2..40),
            max_df in 2usize..20,
        ) {
            let sets: Vec<Vec<u64>> = picks
                .iter()
                .map(|&p| {
                    // Values 8 apart in a block of 16 share a partition and a high half.
                    pool[p % pool.len()]
                        .iter()
                        .map(|&x| (x % 8) << 58 | (x / 16) << 32 | x)
                        .collect()
                })
                .collect();
            let index = || {
                let mut index = SampleIndex::with_budget(5);
                for (d, s) in sets.iter().enumerate() {
                    index.add(d as u32, s).unwrap();
                }
                index
            };
            let n = sets.len();
            let mut groups: std::collections::BTreeMap<&[u64], Vec<u32>> = Default::default();
            for (d, s) in sets.iter().enumerate() {
                groups.entry(s).or_default().push(d as u32);
            }
            let copies = crate::copies::Copies::from_groups(n, groups.into_values().collect());
            let (plain, boiler) = candidate_pairs(index(), max_df).unwrap();
            let found = find(
                index(),
                &copies,
                &vec![NO_OUTLET; n],
                Params { max_df, ..Params::default() },
            )
            .unwrap();
            let (grouped, gboiler) = (found.pairs, found.boilerplate);
            prop_assert_eq!(boiler, gboiler);
            let members = |a: u32| -> Vec<u32> {
                let mut m = vec![a];
                if let Some(r) = copies.rest(a) {
                    m.extend(copies.members(r));
                }
                m
            };
            let mut expanded = Vec::new();
            for &(a, b) in &grouped {
                let (ma, mb) = (members(a), members(b));
                for (i, &x) in ma.iter().enumerate() {
                    let from = if a == b { i + 1 } else { 0 };
                    for &y in &mb[from..] {
                        expanded.push((x.min(y), x.max(y)));
                    }
                }
            }
            expanded.sort_unstable();
            let mut plain = plain;
            plain.sort_unstable();
            prop_assert_eq!(expanded, plain);
        }
    }

    proptest! {
        #[test]
        fn sample_keeps_the_multiples_in_order(
            set in proptest::collection::vec(0u64..1000, 0..300),
            every in 1u64..17,
            before in proptest::collection::vec(any::<u64>(), 0..3),
        ) {
            let mut out = before.clone();
            sample_into(&set, every, &mut out);
            let mut want = before;
            want.extend(set.iter().copied().filter(|x| x % every == 0));
            prop_assert_eq!(out, want);
        }

        /// The pairs are those of the rule written out directly: each document probes with its
        /// rarest samples that another document holds too (at most `probes`, while their
        /// document frequencies minus one sum to at most `emit_per_doc`, the first four always),
        /// when at least half its samples are held by another; a pair is a candidate when one
        /// holds at least half the other's probes. Whatever the order in which partitions are
        /// counted, and spilled or not.
        #[test]
        fn pairs_are_those_of_the_probe_rule(
            seed in any::<u64>(),
            docs in proptest::collection::vec(proptest::collection::btree_set(0usize..150, 0..40), 2..60),
            max_df in 2usize..70,
            probes in 1usize..6,
            emit_per_doc in 1usize..40,
            budget in prop_oneof![Just(usize::MAX), 1usize..200],
        ) {
            // A pool of samples with distinct high halves, spread over all partitions.
            let mut x = seed | 1;
            let mut pool: Vec<u64> = (0..150)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x & !0xFFFF_FFFF
                })
                .collect();
            pool.sort_unstable();
            pool.dedup();
            let sets: Vec<Vec<u64>> = docs
                .iter()
                .map(|d| {
                    let mut v: Vec<u64> = d.iter().filter_map(|&i| pool.get(i).copied()).collect();
                    v.sort_unstable();
                    v
                })
                .collect();
            let mut ix = SampleIndex::with_budget(budget);
            for (d, v) in sets.iter().enumerate() {
                ix.add(d as u32, v).unwrap();
            }
            let params = Params { max_df, probes, emit_per_doc, ..Params::default() };
            let n = sets.len();
            let found = find(ix, &crate::copies::Copies::default(), &vec![NO_OUTLET; n], params).unwrap();
            let holders = |s: &u64| sets.iter().filter(|v| v.contains(s)).count();
            let probe_sets: Vec<Vec<u64>> = sets
                .iter()
                .map(|v| {
                    let shared = v.iter().filter(|s| holders(s) >= 2).count();
                    if 2 * shared < v.len() {
                        return Vec::new();
                    }
                    let mut keyed: Vec<(usize, u64)> = v
                        .iter()
                        .filter(|s| (2..=max_df).contains(&holders(s)))
                        .map(|&s| (holders(&s), s))
                        .collect();
                    keyed.sort_unstable();
                    let mut out = Vec::new();
                    let mut emitted = 0;
                    for (df, s) in keyed.into_iter().take(probes) {
                        if out.len() >= MIN_PROBES && emitted + df - 1 > emit_per_doc {
                            break;
                        }
                        emitted += df - 1;
                        out.push(s);
                    }
                    out
                })
                .collect();
            let mut want = Vec::new();
            for a in 0..n {
                for b in a + 1..n {
                    let covers = |x: usize, y: usize| {
                        let p = &probe_sets[x];
                        !p.is_empty()
                            && 2 * p.iter().filter(|s| sets[y].contains(s)).count() >= p.len()
                    };
                    if covers(a, b) || covers(b, a) {
                        want.push((a as u32, b as u32));
                    }
                }
            }
            prop_assert_eq!(found.pairs, want);
            let dropped = pool.iter().filter(|s| holders(s) > max_df).count() as u64;
            prop_assert_eq!(found.boilerplate, dropped);
        }
    }

    #[test]
    fn sampling_commutes_with_intersection() {
        let a: Vec<u64> = (0..500).map(|i| i * 7).collect();
        let b: Vec<u64> = (200..900).map(|i| i * 7).collect();
        let both: Vec<u64> = a.iter().copied().filter(|x| b.contains(x)).collect();
        let (sa, sb) = (sample(&a, 4), sample(&b, 4));
        let inter: Vec<u64> = sa.iter().copied().filter(|x| sb.contains(x)).collect();
        assert_eq!(inter, sample(&both, 4));
    }

    #[test]
    fn cut_copy_is_a_candidate_and_boilerplate_is_not() {
        // Samples given directly, with distinct high halves.
        let s = |v: &[u64]| v.iter().map(|x| x << 32).collect::<Vec<u64>>();
        let full: Vec<u64> = (0..40).collect();
        let index = || {
            let mut ix = SampleIndex::default();
            ix.add(0, &s(&full)).unwrap(); // the original
            ix.add(1, &s(&full[..12])).unwrap(); // cut to its first 30%
            ix.add(2, &s(&[0, 1, 100, 101, 102, 103])).unwrap(); // shares two samples with both
            ix.add(3, &s(&[200, 201, 202])).unwrap();
            ix
        };
        let (pairs, boiler) = candidate_pairs(index(), 10).unwrap();
        assert!(pairs.contains(&(0, 1)));
        assert!(
            !pairs.contains(&(0, 2)),
            "2 of 6 samples held by others: contained in nothing"
        );
        assert!(!pairs.iter().any(|&(a, b)| a == 3 || b == 3));
        assert_eq!(boiler, 0);
        let (pairs, boiler) = candidate_pairs(index(), 2).unwrap();
        assert_eq!(boiler, 2, "samples 0 and 1 are in three documents");
        assert!(pairs.contains(&(0, 1)));
    }

    /// A sample held by many documents of one outlet is its boilerplate: learned, and no
    /// probe of that outlet's documents; two of its stories sharing only the footer are not
    /// candidates, while a copy in another outlet of one of them is.
    #[test]
    fn an_outlets_footer_is_learned_and_pairs_nothing() {
        let s = |v: std::ops::Range<u64>| v.map(|x| x << 32).collect::<Vec<u64>>();
        let footer = s(1000..1006);
        let mut ix = SampleIndex::default();
        let mut outlets = Vec::new();
        // 12 stories of outlet 0, each its own 8 samples and the footer.
        for d in 0..12u32 {
            let own = s(u64::from(d) * 10..u64::from(d) * 10 + 8);
            let mut v = [own, footer.clone()].concat();
            v.sort_unstable();
            ix.add(d, &v).unwrap();
            outlets.push(0);
        }
        // A copy of story 3 in outlet 1.
        ix.add(12, &s(30..38)).unwrap();
        outlets.push(1);
        let found = find(
            ix,
            &crate::copies::Copies::default(),
            &outlets,
            Params::default(),
        )
        .unwrap();
        assert_eq!(found.outlet_boilerplate.len(), 6);
        assert!(found.outlet_boilerplate.iter().all(|&x| x >> 32 == 0));
        assert_eq!(found.pairs, vec![(3, 12)]);
    }

    /// A spilling index gives the same pairs as one held in memory.
    #[test]
    fn spilled_index_pairs_like_one_in_memory() {
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        // 300 documents drawing 12 samples each from a pool of 40: each sample is in about 90
        // documents, and some pairs share half of their samples.
        let pool: Vec<u64> = (0..40).map(|_| next() & !0xFFFF_FFFF).collect();
        let docs: Vec<Vec<u64>> = (0..300)
            .map(|_| {
                let mut v: Vec<u64> = (0..12).map(|_| pool[(next() % 40) as usize]).collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let build = |budget| {
            let mut ix = SampleIndex::with_budget(budget);
            for (d, v) in docs.iter().enumerate() {
                ix.add(d as u32, v).unwrap();
            }
            ix
        };
        assert!(build(50).spilled_bytes() > 0, "the small budget spills");
        for max_df in [300, 90] {
            let (a, ba) = candidate_pairs(build(usize::MAX), max_df).unwrap();
            let (b, bb) = candidate_pairs(build(50), max_df).unwrap();
            assert!(!a.is_empty());
            assert_eq!(a, b);
            assert_eq!(ba, bb);
        }
        let (_, boiler) = candidate_pairs(build(50), 90).unwrap();
        assert!(boiler > 0, "some samples are in more than 90 documents");
    }
}
