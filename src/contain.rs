//! Candidates for containment: documents cut short, or extended with captions and footers.
//!
//! Owns: the sampled-shingle index. Must not: verify (a candidate is only worth checking).
//!
//! Why not MinHash LSH alone: a copy an outlet cut to its first third has containment near 1
//! in the original but Jaccard near 0.33, far below any useful LSH threshold, and the Jaccard
//! bound falls further as the size ratio grows. LSH Ensemble (Zhu et al., VLDB 2016) fixes this
//! with size partitions and a tuned banding per partition pair; neardup instead uses a sample
//! that keeps containment exactly: every shingle whose hash is divisible by `sample_every` is
//! kept (content-defined sampling, as in Broder's and Manber's work). Sampling commutes with
//! intersection, `S(A ∩ B) = S(A) ∩ S(B)`, so the share of the smaller document's samples found
//! in the larger estimates their containment without bias, whatever the size ratio. The samples
//! go into one sorted list of `(shingle, document)`; documents sharing a sampled shingle are
//! paired, and a pair is a candidate when it shares at least half of the smaller document's
//! samples (half, not the 0.8 to be verified, so that sampling noise does not lose pairs).
//!
//! Boilerplate guard: a sampled shingle found in more than `max_df` documents (a shared footer,
//! a byline, a stock phrase) pairs nothing; it would cost quadratic work and find only decoys.
//! Cost: about `1/sample_every` of the shingles, 12 bytes each, and the pairs of documents
//! that share samples.

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

/// Bits of the partition number: the top bits of an entry.
const PART_BITS: u32 = 6;

/// Entries held in memory before all partitions are appended to their spill files: 32 Mi
/// entries, 256 MiB. An archive under about 600,000 documents never spills.
pub const DEFAULT_SPILL_ENTRIES: usize = 32 << 20;

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
    files: Vec<Option<std::fs::File>>,
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

fn spill_error(e: std::io::Error) -> crate::Error {
    crate::Error::temporary("temporary sample spill", e)
}

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
    pub fn add(&mut self, doc: u32, samples: &[u64]) -> crate::Result<()> {
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
    fn spill(&mut self) -> crate::Result<()> {
        use std::io::Write;
        for (part, file) in self.parts.iter_mut().zip(&mut self.files) {
            if part.is_empty() {
                continue;
            }
            if file.is_none() {
                *file = Some(tempfile::tempfile().map_err(spill_error)?);
            }
            let f = file.as_mut().expect("spill file just opened");
            let bytes: Vec<u8> = part.iter().flat_map(|x| x.to_le_bytes()).collect();
            f.write_all(&bytes).map_err(spill_error)?;
            self.spilled += part.len() as u64;
            part.clear();
        }
        self.held = 0;
        Ok(())
    }

    /// The entries of one partition: its spill file read back, then its buffer.
    fn take_part(&mut self, part: usize) -> crate::Result<Vec<u64>> {
        use std::io::{Read, Seek};
        let mut entries = Vec::new();
        if let Some(mut f) = self.files[part].take() {
            f.seek(std::io::SeekFrom::Start(0)).map_err(spill_error)?;
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).map_err(spill_error)?;
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
    pub fn entries(&self) -> crate::Result<Vec<(u32, u32)>> {
        use std::io::{Read, Seek};
        let mut out = Vec::new();
        for (part, file) in self.parts.iter().zip(&self.files) {
            if let Some(f) = file {
                let mut f = f.try_clone().map_err(spill_error)?;
                f.seek(std::io::SeekFrom::Start(0)).map_err(spill_error)?;
                let mut bytes = Vec::new();
                f.read_to_end(&mut bytes).map_err(spill_error)?;
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

/// Candidate pairs from the samples; see the module docs. Consumes the index. Also returns the
/// number of sampled shingles dropped as boilerplate. Runs on the current rayon pool.
///
/// As many partitions at a time as the pool has threads: each one's entries are sorted,
/// documents sharing a sample are paired, and the pairs are counted (sorted, one `(pair,
/// shared samples)` per distinct pair); the counts are then merged into the running counts,
/// in partition order, so memory holds a few partitions and the distinct pairs.
pub fn candidate_pairs(index: SampleIndex, max_df: usize) -> crate::Result<(Vec<(u32, u32)>, u64)> {
    group_candidates(index, &crate::copies::Copies::default(), max_df)
}

/// [`candidate_pairs`] for a corpus with groups of identical documents
/// ([`crate::copies`]): only the first member of each group is paired, and stands for its
/// whole group, which counts with all its members towards `max_df`. A pair `(a, b)` stands for
/// every pair of a member of `a`'s group with a member of `b`'s (identical documents share
/// their samples), `(a, a)` for the pairs within `a`'s group; together they are exactly the
/// pairs [`candidate_pairs`] finds among all documents.
pub fn group_candidates(
    mut index: SampleIndex,
    copies: &crate::copies::Copies,
    max_df: usize,
) -> crate::Result<(Vec<(u32, u32)>, u64)> {
    let mut boilerplate = 0u64;
    // The counts so far, as sorted lists each at least twice as long as the one above it (as
    // the runs of a merge sort): a new partition's counts are merged into the top list while
    // that one is not twice as long, so the long list at the bottom is merged again only
    // now and then, not after every partition. They are merged as they come, not held to the
    // end: a pair of near copies shares samples in most partitions, so every partition's
    // counts would take many times the memory of the merged list.
    let mut runs: Vec<Vec<(u64, u32)>> = Vec::new();
    let sizes = copies.size_table();
    let at_once = rayon::current_num_threads().max(1);
    let mut part = 0;
    while part < PARTS {
        let group = part..(part + at_once).min(PARTS);
        part = group.end;
        let taken = group
            .map(|p| index.take_part(p))
            .collect::<crate::Result<Vec<Vec<u64>>>>()?;
        let counted: Vec<(Vec<(u64, u32)>, u64)> = taken
            .into_par_iter()
            .map(|entries| count_part(entries, &sizes, max_df))
            .collect();
        for (counted, dropped) in counted {
            boilerplate += dropped;
            let mut run = counted;
            while let Some(top) = runs.pop_if(|top| top.len() < 2 * run.len()) {
                run = merge_counts(&top, &run);
            }
            runs.push(run);
        }
    }
    // The sum of counts is the same in any order of merging.
    let shared = runs
        .into_iter()
        .rev()
        .reduce(|above, below| merge_counts(&below, &above))
        .unwrap_or_default();
    let out = shared
        .iter()
        .filter_map(|&(pair, n)| {
            let (a, b) = ((pair >> 32) as u32, pair as u32);
            let need = index.count(a).min(index.count(b)).div_ceil(2).max(1);
            ((a != b || copies.group_size(a) >= 2) && n as usize >= need).then_some((a, b))
        })
        .collect();
    Ok((out, boilerplate))
}

/// The pairs of documents sharing a sample in one partition's `entries`, each with how many
/// samples they share, sorted by pair; and the number of samples dropped as boilerplate (held
/// by more than `max_df` documents). With groups of identical documents, only first members
/// are paired, each weighing its group's size, and a first member of a group of two or more
/// is paired with itself for the pairs within its group (`m * m` shared samples for a sample
/// it holds `m` times).
fn count_part(mut entries: Vec<u64>, sizes: &[u32], max_df: usize) -> (Vec<(u64, u32)>, u64) {
    let same = |x: &u64, y: &u64| x >> 32 == y >> 32;
    // `sizes` is `Copies::size_table`: empty when no document is in a group.
    let size = |d: u32| sizes.get(d as usize).copied().unwrap_or(1);
    if !sizes.is_empty() {
        entries.retain(|&e| size(e as u32) > 0);
    }
    // The top bits of an entry are its partition, the next ones uniform: see sort.rs.
    let entries = crate::sort::sorted_uniform(&entries);
    let weight = |g: &[u64]| -> usize {
        if sizes.is_empty() {
            g.len()
        } else {
            g.iter().map(|&e| size(e as u32) as usize).sum()
        }
    };
    let boilerplate = entries
        .par_chunk_by(same)
        .filter(|g| weight(g) > max_df)
        .count() as u64;
    let pairs: Vec<u64> = entries
        .par_chunk_by(same)
        .filter(|g| {
            let w = weight(g);
            w >= 2 && w <= max_df
        })
        .flat_map_iter(|g| {
            g.iter().enumerate().flat_map(move |(i, &a)| {
                let a = a as u32;
                let grouped = size(a) >= 2;
                let own = grouped.then_some(pack(a, a));
                own.into_iter().chain(g[i + 1..].iter().flat_map(move |&b| {
                    let b = b as u32;
                    // A sample a document holds twice (two samples with one high half): its
                    // other members share it once for each of the two, both ways.
                    let times = if a != b {
                        1
                    } else if grouped {
                        2
                    } else {
                        0
                    };
                    std::iter::repeat_n(pack(a, b), times)
                }))
            })
        })
        .collect();
    drop(entries);
    let pairs = crate::sort::sorted_uniform(&pairs);
    let counted = pairs
        .chunk_by(|x, y| x == y)
        .map(|run| (run[0], run.len() as u32))
        .collect();
    (counted, boilerplate)
}

fn pack(a: u32, b: u32) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

/// Two sorted lists of `(pair, count)` merged, counts of equal pairs added.
fn merge_counts(a: &[(u64, u32)], b: &[(u64, u32)]) -> Vec<(u64, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
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
            let (grouped, gboiler) = group_candidates(index(), &copies, max_df).unwrap();
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

        /// The pairs are those a count of the shared samples of every pair gives, whatever the
        /// order in which the partitions' counts were merged.
        #[test]
        fn pairs_are_those_sharing_half_the_samples(
            seed in any::<u64>(),
            docs in proptest::collection::vec(proptest::collection::btree_set(0usize..150, 0..40), 2..60),
            max_df in 2usize..70,
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
            let mut ix = SampleIndex::default();
            for (d, v) in sets.iter().enumerate() {
                ix.add(d as u32, v).unwrap();
            }
            let (pairs, boiler) = candidate_pairs(ix, max_df).unwrap();
            let holders = |s: &u64| sets.iter().filter(|v| v.contains(s)).count();
            let mut want = Vec::new();
            for a in 0..sets.len() {
                for b in a + 1..sets.len() {
                    let shared = sets[a]
                        .iter()
                        .filter(|s| sets[b].contains(s) && holders(s) <= max_df)
                        .count();
                    let need = sets[a].len().min(sets[b].len()).div_ceil(2).max(1);
                    if shared >= need {
                        want.push((a as u32, b as u32));
                    }
                }
            }
            prop_assert_eq!(pairs, want);
            let dropped = pool.iter().filter(|s| holders(s) > max_df).count() as u64;
            prop_assert_eq!(boiler, dropped);
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
        assert!(!pairs.contains(&(0, 2)), "2 of 6 samples is less than half");
        assert!(!pairs.iter().any(|&(a, b)| a == 3 || b == 3));
        assert_eq!(boiler, 0);
        let (pairs, boiler) = candidate_pairs(index(), 2).unwrap();
        assert_eq!(boiler, 2, "samples 0 and 1 are in three documents");
        assert!(pairs.contains(&(0, 1)));
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
