//! LSH banding (Leskovec, Rajaraman, Ullman, *Mining of Massive Datasets*, ch. 3).
//!
//! Owns: the choice of bands and rows, band keys, and candidate pairs from signatures. Must
//! not: look at shingles or text; a candidate is only a pair worth verifying.
//!
//! A signature of `num_perm` slots is cut into `b` bands of `r` rows; two documents are
//! candidates when all `r` rows of at least one band agree. Two documents of Jaccard `s`
//! become candidates with probability `1 - (1 - s^r)^b` (the S-curve).

use crate::config::DEFAULT_KEY_BUDGET;
use crate::copies::Copies;
use crate::definition::Banding;
use crate::minhash::Signatures;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Candidate pairs and what it took to find them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// Pairs `(a, b)` of document indices with `a < b`, sorted and distinct.
    pub pairs: Vec<(u32, u32)>,
    /// Buckets larger than `max_bucket`, linked as a star instead of all pairs.
    pub oversized_buckets: usize,
}

/// Key of band `band` of one signature row: xxh3 of the band's rows, seeded by the band index.
pub fn band_key(row: &[u32], band: usize, banding: Banding) -> u64 {
    let slice = &row[band * banding.rows..(band + 1) * banding.rows];
    let mut buf = [0u8; 4 * 64];
    if slice.len() <= 64 {
        for (chunk, v) in buf.chunks_exact_mut(4).zip(slice) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&buf[..4 * slice.len()], band as u64)
    } else {
        let bytes: Vec<u8> = slice.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&bytes, band as u64)
    }
}

/// The band keys of every document, `bands` per document: all that LSH needs of a signature
/// (8 bytes a band instead of 4 bytes a slot).
///
/// Keys are held in one flat vector, document after document, up to a budget of bytes. Past
/// it, the held keys are appended to one temporary file per band (in `TMPDIR`, 8 bytes a
/// document) and memory starts again from empty: an external sort partitioned by band.
/// [`candidate_pairs_from_keys`] then reads one band's file at a time, so that what it holds
/// is one band's keys, not all of them.
#[derive(Debug)]
pub struct BandKeys {
    bands: usize,
    /// The keys of documents `spilled..`, `bands` per document.
    keys: Vec<u64>,
    /// Documents whose keys are in `files` (all documents before the held ones).
    spilled: usize,
    /// One file per band, once the budget was passed.
    files: Vec<crate::fsutil::Spill>,
    budget: usize,
}

impl Default for BandKeys {
    fn default() -> Self {
        BandKeys::with_budget(Banding { bands: 0, rows: 0 }, DEFAULT_KEY_BUDGET)
    }
}

impl BandKeys {
    /// Empty, for `banding.bands` keys per document, with the default budget.
    pub fn new(banding: Banding) -> BandKeys {
        BandKeys::with_budget(banding, DEFAULT_KEY_BUDGET)
    }

    /// Empty, for `banding.bands` keys per document, holding at most about `budget` bytes of
    /// keys in memory (at least one document's) before they spill to disk.
    pub fn with_budget(banding: Banding, budget: usize) -> BandKeys {
        BandKeys {
            bands: banding.bands,
            keys: Vec::new(),
            spilled: 0,
            files: Vec::new(),
            budget,
        }
    }

    /// The keys of one signature row.
    pub fn of_row(row: &[u32], banding: Banding) -> Vec<u64> {
        (0..banding.bands)
            .map(|b| band_key(row, b, banding))
            .collect()
    }

    /// Appends a document's keys (as made by [`BandKeys::of_row`]); an unsigned document gets
    /// zero keys and must not be banded.
    ///
    /// # Errors
    /// A spill file that cannot be created or written.
    pub fn push(&mut self, keys: &[u64]) -> crate::error::Result<()> {
        if keys.is_empty() {
            self.keys.extend(std::iter::repeat_n(0, self.bands));
        } else {
            assert_eq!(keys.len(), self.bands);
            self.keys.extend_from_slice(keys);
        }
        if self.keys.len() * 8 > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Appends the held keys to the band files, band by band.
    fn spill(&mut self) -> crate::error::Result<()> {
        if self.files.is_empty() {
            self.files = (0..self.bands)
                .map(|_| crate::fsutil::Spill::unbuffered("temporary band key spill"))
                .collect::<crate::error::Result<_>>()?;
        }
        let held = self.keys.len() / self.bands.max(1);
        let mut column = Vec::with_capacity(held * 8);
        for (band, file) in self.files.iter_mut().enumerate() {
            column.clear();
            for d in 0..held {
                column.extend_from_slice(&self.keys[d * self.bands + band].to_ne_bytes());
            }
            file.append(&column)?;
        }
        self.spilled += held;
        self.keys.clear();
        // The vector grew by doubling past the budget; from now on it never holds more than
        // the budget and one document.
        self.keys.shrink_to(self.budget / 8 + self.bands);
        Ok(())
    }

    /// The keys of all rows of `signatures`, in memory.
    pub fn from_signatures(signatures: &Signatures, banding: Banding) -> BandKeys {
        let mut k = BandKeys::with_budget(banding, usize::MAX);
        for i in 0..signatures.len() {
            k.push(&BandKeys::of_row(signatures.row(i), banding))
                .expect("no spill without a budget");
        }
        k
    }

    /// Key of band `band` of document `doc` (read from its band file when spilled).
    ///
    /// # Panics
    /// When a spill file cannot be read back: the disk failed under a running job.
    pub fn key(&self, doc: u32, band: usize) -> u64 {
        let d = doc as usize;
        if d >= self.spilled {
            return self.keys[(d - self.spilled) * self.bands + band];
        }
        let mut b = [0u8; 8];
        self.files[band]
            .read_at(&mut b, d as u64 * 8)
            .expect("reading the temporary band key spill");
        u64::from_ne_bytes(b)
    }

    /// The keys of document `doc`, one per band (zeros for an unsigned document).
    ///
    /// # Panics
    /// As [`BandKeys::key`].
    pub fn row(&self, doc: u32) -> std::borrow::Cow<'_, [u64]> {
        let d = doc as usize;
        if d >= self.spilled {
            let at = (d - self.spilled) * self.bands;
            return std::borrow::Cow::Borrowed(&self.keys[at..at + self.bands]);
        }
        std::borrow::Cow::Owned((0..self.bands).map(|b| self.key(doc, b)).collect())
    }

    /// The keys of band `band` of every spilled document, read back whole.
    fn spilled_band(&self, band: usize) -> Vec<u64> {
        let mut bytes = vec![0u8; self.spilled * 8];
        if self.spilled > 0 {
            self.files[band]
                .read_at(&mut bytes, 0)
                .expect("reading the temporary band key spill");
        }
        bytes
            .chunks_exact(8)
            .map(|c| u64::from_ne_bytes(c.try_into().expect("8 bytes")))
            .collect()
    }

    /// Bytes held in memory.
    pub fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
    }

    /// Bytes written to the spill files.
    pub fn spilled_bytes(&self) -> u64 {
        (self.spilled * self.bands * 8) as u64
    }

    /// Keys per document.
    pub fn bands(&self) -> usize {
        self.bands
    }
}

/// Finds candidate pairs among the documents `docs` (indices into `signatures`, ascending);
/// see [`candidate_pairs_from_keys`].
pub fn candidate_pairs(
    signatures: &Signatures,
    docs: &[u32],
    banding: Banding,
    max_bucket: usize,
) -> Candidates {
    candidate_pairs_from_keys(
        &BandKeys::from_signatures(signatures, banding),
        docs,
        max_bucket,
    )
}

/// Finds candidate pairs among the documents `docs` (ascending) from their band keys.
/// Within a bucket of at most `max_bucket` members every pair is a candidate; a larger bucket
/// (boilerplate shared by very many documents) pairs each member with its first member only.
/// Runs on the current rayon pool.
pub fn candidate_pairs_from_keys(keys: &BandKeys, docs: &[u32], max_bucket: usize) -> Candidates {
    class_candidates(keys, docs, &Copies::default(), max_bucket)
}

/// [`candidate_pairs_from_keys`] for a corpus with groups of identical documents, as pairs of
/// their classes (see [`crate::copies`]): `firsts` are the documents of `docs` that are first
/// of their group or in none ([`Copies::is_first`]); each stands in the buckets for its whole
/// group, which counts with all its members towards `max_bucket`. The class pairs stand for
/// exactly the document pairs [`candidate_pairs_from_keys`] finds among all of `docs`, at a
/// cost that does not grow with the square of a group: a bucket of one group makes at most
/// three class pairs. `(x, x)` stands for the pairs within rest class `x`.
pub fn class_candidates(
    keys: &BandKeys,
    firsts: &[u32],
    copies: &Copies,
    max_bucket: usize,
) -> Candidates {
    let rest_table = copies.rest_table(firsts.last().map_or(0, |&d| d as usize + 1));
    let rest = |d: u32| {
        rest_table
            .get(d as usize)
            .copied()
            .filter(|&r| r != u32::MAX)
    };
    let per_band: Vec<(Vec<u64>, usize)> = (0..keys.bands)
        .into_par_iter()
        .map(|band| {
            // The spilled documents' keys from the band's file, read whole; the rest from
            // memory.
            let mut keyed: Vec<(u64, u32)> = {
                let spilled = keys.spilled_band(band);
                firsts
                    .iter()
                    .map(|&d| {
                        let k = match spilled.get(d as usize) {
                            Some(&k) => k,
                            None => keys.key(d, band),
                        };
                        (k, d)
                    })
                    .collect()
            };
            keyed.sort_unstable();
            let mut pairs = Vec::new();
            let mut oversized = 0;
            let mut classes = Vec::new();
            for bucket in keyed.chunk_by(|x, y| x.0 == y.0) {
                let size: usize = bucket
                    .iter()
                    .map(|&(_, d)| 1 + rest(d).map_or(0, |r| copies.weight(r)))
                    .sum();
                if size < 2 {
                    continue;
                }
                if size > max_bucket {
                    // A star from the bucket's first document (the first of its group).
                    oversized += 1;
                    let first = bucket[0].1;
                    for (i, &(_, d)) in bucket.iter().enumerate() {
                        if i > 0 {
                            pairs.push(pack(first, d));
                        }
                        if let Some(r) = rest(d) {
                            pairs.push(pack(first, r));
                        }
                    }
                    continue;
                }
                classes.clear();
                for &(_, d) in bucket {
                    classes.push(d);
                    if let Some(r) = rest(d) {
                        classes.push(r);
                        if copies.weight(r) >= 2 {
                            pairs.push(pack(r, r));
                        }
                    }
                }
                for (i, &a) in classes.iter().enumerate() {
                    pairs.extend(classes[i + 1..].iter().map(|&b| pack(a, b)));
                }
            }
            (pairs, oversized)
        })
        .collect();
    let oversized_buckets = per_band.iter().map(|(_, o)| o).sum();
    let mut all: Vec<u64> = per_band.into_iter().flat_map(|(p, _)| p).collect();
    all.par_sort_unstable();
    all.dedup();
    Candidates {
        pairs: all.into_iter().map(unpack).collect(),
        oversized_buckets,
    }
}

fn pack(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

fn unpack(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::MinHasher;
    use proptest::prelude::*;

    fn brute_force(sigs: &Signatures, docs: &[u32], banding: Banding) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for (i, &a) in docs.iter().enumerate() {
            for &b in &docs[i + 1..] {
                let (ra, rb) = (sigs.row(a as usize), sigs.row(b as usize));
                let hit = (0..banding.bands).any(|band| {
                    let r = band * banding.rows..(band + 1) * banding.rows;
                    ra[r.clone()] == rb[r]
                });
                if hit {
                    out.push((a.min(b), a.max(b)));
                }
            }
        }
        out.sort_unstable();
        out
    }

    proptest! {
        /// Banded candidates equal the brute-force list of pairs that agree on a whole band.
        #[test]
        fn candidates_match_brute_force(
            sets in proptest::collection::vec(proptest::collection::vec(0u64..40, 0..12), 2..30),
            bands in 1usize..6, rows in 1usize..4,
        ) {
            let banding = Banding { bands, rows };
            let h = MinHasher::new(bands * rows, 11);
            let mut sigs = Signatures::new(bands * rows);
            for s in &sets {
                let mut s = s.clone();
                s.sort_unstable();
                s.dedup();
                sigs.push(&h.sign(&s));
            }
            let docs: Vec<u32> = (0..sets.len() as u32).filter(|d| d % 5 != 3).collect();
            let got = candidate_pairs(&sigs, &docs, banding, usize::MAX);
            prop_assert_eq!(got.pairs, brute_force(&sigs, &docs, banding));
            prop_assert_eq!(got.oversized_buckets, 0);
        }
    }

    proptest! {
        /// Keys spilled to the band files (any budget, down to none) read back as they were
        /// pushed, and give the candidates of keys held in memory.
        #[test]
        fn spilled_keys_read_back_and_pair_the_same(
            rows in proptest::collection::vec(proptest::collection::vec(0u64..6, 3), 1..60),
            budget_docs in 0usize..12,
        ) {
            let banding = Banding { bands: 3, rows: 1 };
            let mut held = BandKeys::with_budget(banding, usize::MAX);
            let mut spilled = BandKeys::with_budget(banding, budget_docs * 3 * 8);
            for (i, r) in rows.iter().enumerate() {
                let keys: &[u64] = if i % 7 == 6 { &[] } else { r };
                held.push(keys).unwrap();
                spilled.push(keys).unwrap();
            }
            prop_assert_eq!(held.spilled_bytes(), 0);
            prop_assert_eq!(spilled.spilled_bytes() > 0, rows.len() > budget_docs);
            for d in 0..rows.len() as u32 {
                prop_assert_eq!(held.row(d), spilled.row(d));
                for b in 0..3 {
                    prop_assert_eq!(held.key(d, b), spilled.key(d, b));
                }
            }
            let docs: Vec<u32> = (0..rows.len() as u32).filter(|d| d % 7 != 6).collect();
            prop_assert_eq!(
                candidate_pairs_from_keys(&held, &docs, 4),
                candidate_pairs_from_keys(&spilled, &docs, 4)
            );
        }
    }

    /// Sets drawn from a small pool (many identical), their signatures, their sets in a store,
    /// and the groups of identical ones.
    fn copies_corpus(
        pool: &[Vec<u64>],
        picks: &[usize],
        banding: Banding,
    ) -> (Signatures, crate::verify::ShingleStore, Copies) {
        let h = MinHasher::new(banding.bands * banding.rows, 11);
        let mut sigs = Signatures::new(banding.bands * banding.rows);
        let mut store = crate::verify::ShingleStore::new(picks.len());
        let mut sig_hash = Vec::new();
        for (d, &p) in picks.iter().enumerate() {
            let mut s = pool[p % pool.len()].clone();
            s.sort_unstable();
            s.dedup();
            let sig = h.sign(&s);
            sig_hash.push(xxhash_rust::xxh3::xxh3_64(bytemuck::cast_slice(&sig)));
            sigs.push(&sig);
            store.insert(d as u32, &s);
        }
        let docs: Vec<u32> = (0..picks.len() as u32).collect();
        let copies = Copies::find(&docs, &sig_hash, picks.len(), &store);
        (sigs, store, copies)
    }

    proptest! {
        /// Class pairs of groups of identical documents stand for exactly the candidates of
        /// the documents one by one, with the same oversized buckets, under any bucket cap.
        #[test]
        fn class_candidates_expand_to_document_candidates(
            pool in proptest::collection::vec(proptest::collection::vec(0u64..30, 1..10), 1..6),
            picks in proptest::collection::vec(0usize..6, 2..40),
            bands in 1usize..5, rows in 1usize..3, max_bucket in 2usize..12,
        ) {
            let banding = Banding { bands, rows };
            let (sigs, _, copies) = copies_corpus(&pool, &picks, banding);
            let docs: Vec<u32> = (0..picks.len() as u32).collect();
            let keys = BandKeys::from_signatures(&sigs, banding);
            let plain = candidate_pairs_from_keys(&keys, &docs, max_bucket);
            let firsts: Vec<u32> = docs.iter().copied().filter(|&d| copies.is_first(d)).collect();
            let classes = class_candidates(&keys, &firsts, &copies, max_bucket);
            let mut expanded: Vec<(u32, u32)> = classes
                .pairs
                .iter()
                .flat_map(|&(a, b)| copies.expand(a, b))
                .collect();
            let count: u64 = classes.pairs.iter().map(|&(a, b)| copies.pair_count(a, b)).sum();
            prop_assert_eq!(count, expanded.len() as u64);
            expanded.sort_unstable();
            let distinct = expanded.len();
            expanded.dedup();
            prop_assert_eq!(distinct, expanded.len(), "class pairs stand for disjoint pairs");
            prop_assert_eq!(expanded, plain.pairs);
            prop_assert_eq!(classes.oversized_buckets, plain.oversized_buckets);
        }
    }

    #[test]
    fn oversized_bucket_becomes_a_star() {
        let h = MinHasher::new(4, 1);
        let mut sigs = Signatures::new(4);
        for _ in 0..5 {
            sigs.push(&h.sign(&[1, 2, 3]));
        }
        let docs = [0, 1, 2, 3, 4];
        let c = candidate_pairs(&sigs, &docs, Banding { bands: 1, rows: 4 }, 3);
        assert_eq!(c.pairs, vec![(0, 1), (0, 2), (0, 3), (0, 4)]);
        assert_eq!(c.oversized_buckets, 1);
        let all = candidate_pairs(&sigs, &docs, Banding { bands: 1, rows: 4 }, 5);
        assert_eq!(all.pairs.len(), 10);
    }
}
