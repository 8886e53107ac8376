//! Exact verification of candidate pairs.
//!
//! Owns: exact Jaccard and containment of two shingle sets, the [`ShingleStore`] that holds the
//! sets of the documents that take part in candidate pairs, and the duplicate rule. Must not:
//! estimate (that is MinHash's job) or read files.

use rayon::prelude::*;

/// Size of the intersection of two sorted, distinct sets. Of two sorted sequences that repeat
/// items, it counts each item as often as it occurs in both.
///
/// ```
/// use neardup::verify::intersection_size;
/// assert_eq!(intersection_size(&[1, 2, 3], &[2, 3, 4]), 2);
/// assert_eq!(intersection_size(&[1, 1, 1, 2], &[1, 1, 2, 2]), 3);
/// ```
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    intersection_at_least(a, b, 0).expect("every count reaches 0")
}

/// [`intersection_size`] of `a` and `b` when it is at least `need`; `None`, often long before
/// the end of the sets, when it cannot be: once the matches found and the elements left in
/// the shorter remainder add up to less than `need`. Most candidate pairs that fail the rule
/// fail it this way.
pub fn intersection_at_least(a: &[u64], b: &[u64], need: usize) -> Option<usize> {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if n + (a.len() - i).min(b.len() - j) < need {
            return None;
        }
        // The bound is checked every 64 steps at most.
        for _ in 0..64 {
            if i == a.len() || j == b.len() {
                break;
            }
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
    }
    (n >= need).then_some(n)
}

/// Exact Jaccard `|A∩B| / |A∪B|` and containment `|A∩B| / min(|A|, |B|)` of two sorted,
/// distinct sets. Both are 0 when either set is empty: an empty document matches nothing.
///
/// ```
/// use neardup::verify::jaccard_and_containment;
/// assert_eq!(jaccard_and_containment(&[1, 2, 3, 4], &[3, 4]), (0.5, 1.0));
/// assert_eq!(jaccard_and_containment(&[], &[]), (0.0, 0.0));
/// ```
pub fn jaccard_and_containment(a: &[u64], b: &[u64]) -> (f64, f64) {
    scores_from_counts(intersection_size(a, b), a.len(), b.len())
}

/// Jaccard and containment from the sizes of the intersection and of both sets: the one
/// formula every path uses (IEEE-754 double division of exact integer counts, as Spark's `/`
/// on integers computes it too), so that engines agree to the last bit. Both are 0 when
/// either set is empty.
///
/// ```
/// use neardup::verify::scores_from_counts;
/// assert_eq!(scores_from_counts(2, 4, 2), (0.5, 1.0));
/// ```
pub fn scores_from_counts(inter: usize, a: usize, b: usize) -> (f64, f64) {
    if a == 0 || b == 0 {
        return (0.0, 0.0);
    }
    let inter = inter as f64;
    let union = (a + b) as f64 - inter;
    (inter / union, inter / a.min(b) as f64)
}

/// The shingle sets of a subset of the documents, in one flat buffer.
#[derive(Debug, Clone, Default)]
pub struct ShingleStore {
    /// For each document index, the slot in `ranges`, or `u32::MAX` when not held.
    slot: Vec<u32>,
    ranges: Vec<(usize, usize)>,
    data: Vec<u64>,
}

impl ShingleStore {
    /// An empty store for a corpus of `num_docs` documents.
    pub fn new(num_docs: usize) -> Self {
        ShingleStore {
            slot: vec![u32::MAX; num_docs],
            ranges: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Stores the set of document `doc` (replacing nothing: each document is stored once).
    /// The store grows when `doc` is beyond the size it was made for.
    pub fn insert(&mut self, doc: u32, set: &[u64]) {
        if doc as usize >= self.slot.len() {
            self.slot.resize(doc as usize + 1, u32::MAX);
        }
        assert_eq!(self.slot[doc as usize], u32::MAX, "document stored twice");
        self.slot[doc as usize] = self.ranges.len() as u32;
        let start = self.data.len();
        self.data.extend_from_slice(set);
        self.ranges.push((start, self.data.len()));
    }

    /// The set of document `doc`, if stored.
    pub fn get(&self, doc: u32) -> Option<&[u64]> {
        match self.slot.get(doc as usize) {
            Some(&s) if s != u32::MAX => {
                let (a, b) = self.ranges[s as usize];
                Some(&self.data[a..b])
            }
            _ => None,
        }
    }

    /// Bytes of shingle data held.
    pub fn heap_bytes(&self) -> usize {
        self.data.capacity() * 8 + self.slot.capacity() * 4 + self.ranges.capacity() * 16
    }
}

/// Where the shingle sets of documents come from during verification.
pub trait SetSource: Sync {
    /// The set of document `doc` (empty when the document has none).
    fn set(&self, doc: u32) -> std::borrow::Cow<'_, [u64]>;
}

impl SetSource for ShingleStore {
    fn set(&self, doc: u32) -> std::borrow::Cow<'_, [u64]> {
        std::borrow::Cow::Borrowed(self.get(doc).unwrap_or(&[]))
    }
}

/// The shingle sets of every document, written during the first pass to an unnamed temporary
/// file (in `TMPDIR`) and read back by offset during verification: memory stays flat whatever
/// the number of candidates, at the cost of disk space equal to 8 bytes per shingle. Sets are
/// read back sorted and distinct, whatever order they were pushed in.
#[derive(Debug)]
pub struct SetSpool {
    spill: crate::fsutil::Spill,
    /// `offsets[d]..offsets[d + 1]` are document `d`'s bytes.
    offsets: Vec<u64>,
}

impl SetSpool {
    /// A new, empty spool.
    pub fn new() -> crate::error::Result<SetSpool> {
        Ok(SetSpool {
            spill: crate::fsutil::Spill::buffered("temporary set spool")?,
            offsets: vec![0],
        })
    }

    /// Appends the set of the next document (documents are pushed in order, from 0). The
    /// hashes may come in any order and repeat: a set is sorted and deduplicated when it is
    /// read back, so that only the sets of candidate documents are ever sorted.
    pub fn push(&mut self, set: &[u64]) -> crate::error::Result<()> {
        // Native byte order: the spool is read back by this process only.
        self.spill.append(bytemuck::cast_slice(set))?;
        self.offsets.push(self.spill.len());
        Ok(())
    }

    /// Flushes what was written; the spool can be read from then on.
    pub fn finish(&mut self) -> crate::error::Result<()> {
        self.spill.finish()
    }

    /// Bytes on disk.
    pub fn disk_bytes(&self) -> u64 {
        *self.offsets.last().expect("offsets start at 0")
    }

    fn read(&self, doc: u32) -> crate::error::Result<Vec<u64>> {
        let (a, b) = (self.offsets[doc as usize], self.offsets[doc as usize + 1]);
        let mut raw = vec![0u64; ((b - a) / 8) as usize];
        self.spill.read_at(bytemuck::cast_slice_mut(&mut raw), a)?;
        let mut set = sorted_hashes(&raw);
        set.dedup();
        Ok(set)
    }
}

/// `hashes`, sorted: see [`crate::sort::sorted_uniform`].
pub fn sorted_hashes(hashes: &[u64]) -> Vec<u64> {
    crate::sort::sorted_uniform(hashes)
}

impl SetSource for SetSpool {
    /// # Panics
    /// When the temporary file cannot be read back: the disk failed under a running job.
    fn set(&self, doc: u32) -> std::borrow::Cow<'_, [u64]> {
        std::borrow::Cow::Owned(self.read(doc).expect("reading the temporary set spool"))
    }
}

/// The sets of some documents, computed once, written sorted and distinct to an unnamed
/// temporary file and read back by offset without sorting again, each with a number the
/// caller keeps beside it. Verification of a dense candidate graph reads a document's set
/// once per chunk it appears in: what is costly to make (sorting, taking boilerplate out) is
/// then done once per document.
#[derive(Debug)]
pub struct PreparedSets {
    spill: crate::fsutil::Spill,
    /// For each document, its slot in `offsets`, or `u32::MAX` when not prepared.
    slot: Vec<u32>,
    /// `offsets[s]..offsets[s + 1]` are the bytes of slot `s`.
    offsets: Vec<u64>,
    /// The number kept with each slot's set.
    tags: Vec<u32>,
}

impl PreparedSets {
    /// Prepares the sets of `docs` (distinct, each below `num_docs`): `make(d)` gives the set
    /// of document `d`, sorted and distinct, and the number kept with it. Sets are made in
    /// parallel, a batch at a time, so that memory holds one batch.
    pub fn build(
        num_docs: usize,
        docs: &[u32],
        make: impl Fn(u32) -> (Vec<u64>, u32) + Sync,
    ) -> crate::error::Result<PreparedSets> {
        use rayon::prelude::*;
        const BATCH: usize = 2048;
        let mut spill = crate::fsutil::Spill::buffered("temporary set spool")?;
        let mut slot = vec![u32::MAX; num_docs];
        let mut offsets = Vec::with_capacity(docs.len() + 1);
        offsets.push(0u64);
        let mut tags = Vec::with_capacity(docs.len());
        for batch in docs.chunks(BATCH) {
            let made: Vec<(Vec<u64>, u32)> = batch.par_iter().map(|&d| make(d)).collect();
            for (&d, (set, tag)) in batch.iter().zip(made) {
                debug_assert!(set.windows(2).all(|p| p[0] < p[1]), "sorted and distinct");
                slot[d as usize] = tags.len() as u32;
                // Native byte order: the file is read back by this process only.
                spill.append(bytemuck::cast_slice(&set))?;
                offsets.push(spill.len());
                tags.push(tag);
            }
        }
        spill.finish()?;
        Ok(PreparedSets {
            spill,
            slot,
            offsets,
            tags,
        })
    }

    /// The set of document `d` and its number, when `d` was prepared.
    ///
    /// # Panics
    /// When the temporary file cannot be read back: the disk failed under a running job.
    pub fn get(&self, d: u32) -> Option<(Vec<u64>, u32)> {
        let s = *self.slot.get(d as usize)?;
        if s == u32::MAX {
            return None;
        }
        let (a, b) = (self.offsets[s as usize], self.offsets[s as usize + 1]);
        let mut set = vec![0u64; ((b - a) / 8) as usize];
        self.spill
            .read_at(bytemuck::cast_slice_mut(&mut set), a)
            .expect("reading the temporary set spool");
        Some((set, self.tags[s as usize]))
    }

    /// The number kept with document `d`'s set, when `d` was prepared.
    pub fn tag(&self, d: u32) -> Option<u32> {
        match self.slot.get(d as usize) {
            Some(&s) if s != u32::MAX => Some(self.tags[s as usize]),
            _ => None,
        }
    }

    /// Bytes on disk.
    pub fn disk_bytes(&self) -> u64 {
        *self.offsets.last().expect("offsets start at 0")
    }
}

/// A verified pair with its exact scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// Smaller document index.
    pub a: u32,
    /// Larger document index.
    pub b: u32,
    /// Exact Jaccard similarity.
    pub jaccard: f64,
    /// Exact containment of the smaller set in the larger.
    pub containment: f64,
}

/// When a scored pair counts as a duplicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// Jaccard at or above the threshold.
    Jaccard(f64),
    /// Jaccard at or above `jaccard`, or containment at or above `containment` when the
    /// smaller set has at least `min_contained` shingles (a byline or a one-line brief is
    /// contained in many stories without being a copy of any).
    Containment {
        /// Jaccard threshold.
        jaccard: f64,
        /// Containment threshold.
        containment: f64,
        /// Smallest set for which containment counts.
        min_contained: usize,
    },
}

impl Rule {
    /// The rule a configuration asks for.
    pub fn from_config(config: &crate::config::Config) -> Rule {
        match config.definition.mode {
            crate::definition::Mode::Jaccard => Rule::Jaccard(config.definition.threshold),
            crate::definition::Mode::Containment => Rule::Containment {
                jaccard: config.definition.threshold,
                containment: config.definition.containment,
                min_contained: config.definition.min_contained,
            },
        }
    }

    /// The lowest containment any accepted pair can have (Jaccard never exceeds containment).
    pub fn min_containment(&self) -> f64 {
        match *self {
            Rule::Jaccard(t) => t,
            Rule::Containment {
                jaccard,
                containment,
                ..
            } => jaccard.min(containment),
        }
    }

    /// The smallest intersection of a set of `a` shingles and one of `b` that the rule
    /// accepts ([`Rule::accepts`] of [`scores_from_counts`], so the same arithmetic), `None`
    /// when even the largest possible one is not accepted. Scores grow with the
    /// intersection, so a binary search finds it.
    pub fn min_intersection(&self, a: usize, b: usize) -> Option<usize> {
        let ok = |inter: usize| {
            let (jaccard, containment) = scores_from_counts(inter, a, b);
            self.accepts(jaccard, containment, a.min(b))
        };
        let (mut lo, mut hi) = (0, a.min(b));
        if !ok(hi) {
            return None;
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if ok(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(lo)
    }

    /// True when `jaccard` alone makes two sets duplicates: every pair the Jaccard rule accepts,
    /// and the pairs the containment rule accepts without its containment clause.
    pub fn accepts_by_jaccard(&self, jaccard: f64) -> bool {
        match *self {
            Rule::Jaccard(t) | Rule::Containment { jaccard: t, .. } => jaccard >= t,
        }
    }

    /// True when the scores of two sets, the smaller of `smaller` shingles, make them
    /// duplicates.
    pub fn accepts(&self, jaccard: f64, containment: f64, smaller: usize) -> bool {
        match *self {
            Rule::Jaccard(t) => jaccard >= t,
            Rule::Containment {
                jaccard: t,
                containment: c,
                min_contained,
            } => jaccard >= t || (containment >= c && smaller >= min_contained),
        }
    }
}

/// Candidate pairs are scored a chunk at a time: a chunk's documents' sets are read once, so a
/// document in many pairs of a chunk is read (and, from a [`SetSpool`], sorted) once, not once
/// per pair. A chunk takes pairs while its documents number at most `2 * VERIFY_CHUNK`, the
/// sets held at a time: about `VERIFY_CHUNK` pairs when they share few documents, many more
/// when they share many (boilerplate, near-identical pages).
const VERIFY_CHUNK: usize = 1024;

/// Scores every candidate pair exactly and keeps those the rule accepts, in the order given.
/// Runs on the current rayon pool.
pub fn verify_pairs(pairs: &[(u32, u32)], sets: &dyn SetSource, rule: Rule) -> Vec<ScoredPair> {
    verify_in_chunks(pairs, sets, rule, 2 * VERIFY_CHUNK)
}

/// The chunks [`verify_in_chunks`] cuts `pairs` into, at most `max_docs` documents each (or
/// one pair): `f(chunk's pairs range, its documents)` for each, in order.
fn for_each_chunk(
    pairs: &[(u32, u32)],
    max_docs: usize,
    mut f: impl FnMut(std::ops::Range<usize>, &mut Vec<u32>),
) {
    // The number of the last chunk each document was taken into (4 bytes a document).
    let n = pairs
        .iter()
        .map(|&(a, b)| a.max(b) as usize + 1)
        .max()
        .unwrap_or(0);
    let mut taken_in = vec![u32::MAX; n];
    let mut docs: Vec<u32> = Vec::new();
    let mut start = 0;
    for number in 0u32.. {
        if start == pairs.len() {
            break;
        }
        docs.clear();
        let mut end = start;
        while end < pairs.len() {
            let (a, b) = pairs[end];
            let new = usize::from(taken_in[a as usize] != number)
                + usize::from(a != b && taken_in[b as usize] != number);
            if docs.len() + new > max_docs && end > start {
                break;
            }
            for d in [a, b] {
                if taken_in[d as usize] != number {
                    taken_in[d as usize] = number;
                    docs.push(d);
                }
            }
            end += 1;
        }
        f(start..end, &mut docs);
        start = end;
    }
}

/// The order to verify `pairs` in, when another than theirs reads fewer sets: pairs sorted by
/// the blocks of `max_docs / 2` documents their two documents fall in. When candidates are
/// dense (a document in hundreds of pairs, as with character shingles of a small alphabet or
/// heavy boilerplate), chunks of the pairs in their own order share few documents and each
/// set is read and sorted again for nearly every chunk; in block order the pairs between two
/// blocks make about one chunk. Sparse candidates keep their order.
fn blocked_order(pairs: &[(u32, u32)], max_docs: usize) -> Option<Vec<usize>> {
    let block = (max_docs / 2).max(1);
    let loads = |pairs: &[(u32, u32)]| {
        let mut n = 0;
        for_each_chunk(pairs, max_docs, |_, docs| n += docs.len());
        n
    };
    let mut docs: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    docs.sort_unstable();
    docs.dedup();
    // Too few pairs for a chunk to share documents with the next: nothing to gain.
    if pairs.len() <= docs.len() {
        return None;
    }
    let block_of = |d: u32| docs.binary_search(&d).expect("a document of the pairs") / block;
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by_cached_key(|&i| {
        let (a, b) = pairs[i];
        let (x, y) = (block_of(a), block_of(b));
        (x.min(y), x.max(y), i)
    });
    let reordered: Vec<(u32, u32)> = order.iter().map(|&i| pairs[i]).collect();
    // Worth it only when it reads at most half the sets.
    (2 * loads(&reordered) <= loads(pairs)).then_some(order)
}

/// [`verify_pairs`] with chunks of at most `max_docs` documents (or one pair), in the pairs'
/// order or in [`blocked_order`]; either way the accepted pairs come out in the order given.
fn verify_in_chunks(
    pairs: &[(u32, u32)],
    sets: &dyn SetSource,
    rule: Rule,
    max_docs: usize,
) -> Vec<ScoredPair> {
    match blocked_order(pairs, max_docs) {
        None => verify_chunks_in_order(pairs, sets, rule, max_docs)
            .into_iter()
            .map(|(_, p)| p)
            .collect(),
        Some(order) => {
            let reordered: Vec<(u32, u32)> = order.iter().map(|&i| pairs[i]).collect();
            let mut found = verify_chunks_in_order(&reordered, sets, rule, max_docs);
            for (at, _) in found.iter_mut() {
                *at = order[*at];
            }
            found.sort_unstable_by_key(|&(at, _)| at);
            found.into_iter().map(|(_, p)| p).collect()
        }
    }
}

/// The accepted pairs of `pairs`, each with its position there, chunk by chunk in order.
fn verify_chunks_in_order(
    pairs: &[(u32, u32)],
    sets: &dyn SetSource,
    rule: Rule,
    max_docs: usize,
) -> Vec<(usize, ScoredPair)> {
    let mut out = Vec::new();
    for_each_chunk(pairs, max_docs, |range, docs| {
        let chunk = &pairs[range.clone()];
        let first = range.start;
        docs.sort_unstable();
        let docs = &*docs;
        let loaded: Vec<std::borrow::Cow<'_, [u64]>> =
            docs.par_iter().map(|&d| sets.set(d)).collect();
        let set = |d: u32| -> &[u64] {
            &loaded[docs
                .binary_search(&d)
                .expect("document of the chunk loaded")]
        };
        out.par_extend(chunk.par_iter().enumerate().filter_map(|(k, &(a, b))| {
            let (sa, sb) = (set(a), set(b));
            // Only pairs that reach the rule's smallest intersection are counted to the end.
            let need = rule.min_intersection(sa.len(), sb.len())?;
            let inter = intersection_at_least(sa, sb, need)?;
            let (jaccard, containment) = scores_from_counts(inter, sa.len(), sb.len());
            debug_assert!(rule.accepts(jaccard, containment, sa.len().min(sb.len())));
            Some((
                first + k,
                ScoredPair {
                    a,
                    b,
                    jaccard,
                    containment,
                },
            ))
        }));
    });
    out
}

/// `x` rounded to 4 decimals, as scores are written in every output.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn intersection_matches_btreeset(a in proptest::collection::btree_set(0u64..200, 0..80),
                                         b in proptest::collection::btree_set(0u64..200, 0..80)) {
            let va: Vec<u64> = a.iter().copied().collect();
            let vb: Vec<u64> = b.iter().copied().collect();
            prop_assert_eq!(intersection_size(&va, &vb), a.intersection(&b).count());
            let (j, c) = jaccard_and_containment(&va, &vb);
            if !a.is_empty() && !b.is_empty() {
                let u: BTreeSet<_> = a.union(&b).collect();
                let i = a.intersection(&b).count() as f64;
                prop_assert!((j - i / u.len() as f64).abs() < 1e-12);
                prop_assert!((c - i / a.len().min(b.len()) as f64).abs() < 1e-12);
            }
        }
    }

    proptest! {
        /// The bounded count accepts exactly the pairs the rule accepts on the full count,
        /// with the same scores, for either rule at any thresholds.
        #[test]
        fn bounded_intersection_accepts_what_the_rule_accepts(
            a in proptest::collection::btree_set(0u64..300, 0..120),
            b in proptest::collection::btree_set(0u64..300, 0..120),
            t in 0.05f64..1.0,
            c in 0.05f64..1.0,
            min_contained in 0usize..20,
            containment_mode in any::<bool>(),
        ) {
            let va: Vec<u64> = a.iter().copied().collect();
            let vb: Vec<u64> = b.iter().copied().collect();
            let rule = if containment_mode {
                Rule::Containment { jaccard: t, containment: c, min_contained }
            } else {
                Rule::Jaccard(t)
            };
            let (j, k) = jaccard_and_containment(&va, &vb);
            let full = rule.accepts(j, k, va.len().min(vb.len())).then_some((j, k));
            let bounded = rule
                .min_intersection(va.len(), vb.len())
                .and_then(|need| intersection_at_least(&va, &vb, need))
                .map(|inter| scores_from_counts(inter, va.len(), vb.len()));
            prop_assert_eq!(bounded, full);
        }

        /// Stopping early never stops a count that reaches `need` (also when every element
        /// left must match).
        #[test]
        fn intersection_at_least_reaches_need_exactly(
            shared in proptest::collection::btree_set(0u64..5000, 1..300),
            extra in proptest::collection::btree_set(5000u64..6000, 0..50),
        ) {
            let a: Vec<u64> = shared.iter().copied().collect();
            let b: Vec<u64> = shared.iter().chain(&extra).copied().collect();
            let n = a.len();
            prop_assert_eq!(intersection_at_least(&a, &b, n), Some(n));
            prop_assert_eq!(intersection_at_least(&b, &a, n), Some(n));
            prop_assert_eq!(intersection_at_least(&a, &b, n + 1), None);
        }

        /// Stopping early never stops a count that reaches `need`.
        #[test]
        fn intersection_at_least_is_exact_when_reached(
            a in proptest::collection::btree_set(0u64..2000, 0..400),
            b in proptest::collection::btree_set(0u64..2000, 0..400),
            need in 0usize..200,
        ) {
            let va: Vec<u64> = a.iter().copied().collect();
            let vb: Vec<u64> = b.iter().copied().collect();
            let n = intersection_size(&va, &vb);
            prop_assert_eq!(intersection_at_least(&va, &vb, need), (n >= need).then_some(n));
        }

        #[test]
        fn sorted_hashes_sorts(
            uniform in proptest::collection::vec(any::<u64>(), 0..3000),
            small in proptest::collection::vec(0u64..50, 0..300),
            top in proptest::collection::vec(0u64..1 << 20, 0..300),
        ) {
            for v in [&uniform, &small, &top] {
                let mut want = v.clone();
                want.sort_unstable();
                prop_assert_eq!(&sorted_hashes(v), &want);
            }
            // Uniform hashes with runs of repeats.
            let mut rep = uniform.clone();
            rep.extend(uniform.iter().take(40).flat_map(|&x| [x; 30]));
            let mut want = rep.clone();
            want.sort_unstable();
            prop_assert_eq!(sorted_hashes(&rep), want);
        }
    }

    proptest! {
        /// Chunks of any size score the same pairs, in the same order, as one chunk.
        #[test]
        fn chunks_of_any_size_score_alike(
            sets in proptest::collection::vec(proptest::collection::btree_set(0u64..40, 0..20), 2..30),
            picks in proptest::collection::vec((0usize..30, 0usize..30), 0..120),
            max_docs in 1usize..12,
        ) {
            let mut store = ShingleStore::new(sets.len());
            for (d, s) in sets.iter().enumerate() {
                store.insert(d as u32, &s.iter().copied().collect::<Vec<u64>>());
            }
            let n = sets.len();
            let pairs: Vec<(u32, u32)> = picks
                .iter()
                .map(|&(a, b)| ((a % n) as u32, (b % n) as u32))
                .collect();
            let rule = Rule::Containment { jaccard: 0.5, containment: 0.6, min_contained: 1 };
            let whole = verify_in_chunks(&pairs, &store, rule, usize::MAX);
            let chunked = verify_in_chunks(&pairs, &store, rule, max_docs);
            prop_assert_eq!(
                whole.iter().map(|p| (p.a, p.b, p.jaccard.to_bits(), p.containment.to_bits())).collect::<Vec<_>>(),
                chunked.iter().map(|p| (p.a, p.b, p.jaccard.to_bits(), p.containment.to_bits())).collect::<Vec<_>>()
            );
            prop_assert!(whole.len() <= pairs.len());
        }
    }

    /// Dense candidates (every pair of 60 documents) are verified in block order, which reads
    /// fewer sets, with the same result in the same order; sparse ones keep their order.
    #[test]
    fn dense_pairs_are_verified_in_block_order() {
        let n = 60u32;
        let mut store = ShingleStore::new(n as usize);
        for d in 0..n {
            let set: Vec<u64> = (u64::from(d % 7)..u64::from(d % 7) + 20).collect();
            store.insert(d, &set);
        }
        let pairs: Vec<(u32, u32)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        let max_docs = 16;
        let order = blocked_order(&pairs, max_docs).expect("dense pairs take the block order");
        let loads = |pairs: &[(u32, u32)]| {
            let mut k = 0;
            for_each_chunk(pairs, max_docs, |_, docs| k += docs.len());
            k
        };
        let reordered: Vec<(u32, u32)> = order.iter().map(|&i| pairs[i]).collect();
        assert!(2 * loads(&reordered) <= loads(&pairs));
        let rule = Rule::Jaccard(0.8);
        let key = |v: Vec<ScoredPair>| -> Vec<(u32, u32, u64)> {
            v.iter().map(|p| (p.a, p.b, p.jaccard.to_bits())).collect()
        };
        let whole = key(verify_in_chunks(&pairs, &store, rule, usize::MAX));
        assert!(!whole.is_empty() && whole.len() < pairs.len());
        assert_eq!(key(verify_in_chunks(&pairs, &store, rule, max_docs)), whole);
        let sparse: Vec<(u32, u32)> = (0..n / 2).map(|a| (a, a + n / 2)).collect();
        assert!(blocked_order(&sparse, max_docs).is_none());
    }

    #[test]
    fn spool_reads_back_sets_sorted_and_distinct() {
        let mut spool = SetSpool::new().unwrap();
        spool.push(&[1, 2, 3]).unwrap();
        spool.push(&[]).unwrap();
        spool.push(&[u64::MAX, 7, u64::MAX, 0]).unwrap();
        spool.finish().unwrap();
        assert_eq!(&*spool.set(0), &[1, 2, 3]);
        assert!(spool.set(1).is_empty());
        assert_eq!(&*spool.set(2), &[0, 7, u64::MAX]);
        assert_eq!(spool.disk_bytes(), 56);
    }

    #[test]
    fn store_and_verify() {
        let mut store = ShingleStore::new(4);
        store.insert(0, &[1, 2, 3, 4, 5]);
        store.insert(2, &[1, 2, 3, 4, 6]);
        store.insert(3, &[7, 8]);
        assert_eq!(store.get(1), None);
        let got = verify_pairs(&[(0, 2), (0, 3)], &store, Rule::Jaccard(0.6));
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].a, got[0].b), (0, 2));
        assert!((got[0].jaccard - 4.0 / 6.0).abs() < 1e-12);
        assert!((got[0].containment - 0.8).abs() < 1e-12);
    }
}
