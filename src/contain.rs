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
    set.iter().copied().filter(|x| x % every == 0).collect()
}

/// The samples of all documents, packed for sorting: the high 32 bits of a sampled shingle's
/// hash above the document index, 8 bytes an entry. (Two different samples with the same high
/// half only add candidates, which verification then rejects.)
#[derive(Debug, Clone, Default)]
pub struct SampleIndex {
    entries: Vec<u64>,
    /// Samples per document.
    counts: Vec<u32>,
}

impl SampleIndex {
    /// Records the samples of document `doc` (documents are added in increasing order).
    pub fn add(&mut self, doc: u32, samples: &[u64]) {
        if self.counts.len() <= doc as usize {
            self.counts.resize(doc as usize + 1, 0);
        }
        self.counts[doc as usize] = samples.len() as u32;
        self.entries
            .extend(samples.iter().map(|&x| (x >> 32) << 32 | u64::from(doc)));
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * 8 + self.counts.capacity() * 4
    }

    /// Number of samples of document `doc` (0 for a document without any).
    pub fn count(&self, doc: u32) -> usize {
        self.counts.get(doc as usize).map_or(0, |&c| c as usize)
    }

    /// Every entry as `(document, high 32 bits of the sampled shingle)`, in the order added
    /// (documents ascending). These high halves are what [`candidate_pairs`] groups by.
    pub fn entries(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.entries.iter().map(|&e| (e as u32, (e >> 32) as u32))
    }
}

/// Candidate pairs from the samples; see the module docs. Consumes the index. Also returns the
/// number of sampled shingles dropped as boilerplate. Runs on the current rayon pool.
pub fn candidate_pairs(mut index: SampleIndex, max_df: usize) -> (Vec<(u32, u32)>, u64) {
    index.entries.par_sort_unstable();
    let same = |x: &u64, y: &u64| x >> 32 == y >> 32;
    let boilerplate = index
        .entries
        .par_chunk_by(same)
        .filter(|g| g.len() > max_df)
        .count() as u64;
    let mut pairs: Vec<u64> = index
        .entries
        .par_chunk_by(same)
        .filter(|g| g.len() >= 2 && g.len() <= max_df)
        .flat_map_iter(|g| {
            g.iter().enumerate().flat_map(move |(i, &a)| {
                g[i + 1..].iter().map(move |&b| {
                    let (a, b) = (a as u32, b as u32);
                    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
                })
            })
        })
        .collect();
    index.entries = Vec::new();
    pairs.par_sort_unstable();
    let out = pairs
        .chunk_by(|x, y| x == y)
        .filter_map(|run| {
            let (a, b) = ((run[0] >> 32) as u32, run[0] as u32);
            let need = index.count(a).min(index.count(b)).div_ceil(2).max(1);
            (a != b && run.len() >= need).then_some((a, b))
        })
        .collect();
    (out, boilerplate)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ix.add(0, &s(&full)); // the original
            ix.add(1, &s(&full[..12])); // cut to its first 30%
            ix.add(2, &s(&[0, 1, 100, 101, 102, 103])); // shares two samples with both
            ix.add(3, &s(&[200, 201, 202]));
            ix
        };
        let (pairs, boiler) = candidate_pairs(index(), 10);
        assert!(pairs.contains(&(0, 1)));
        assert!(!pairs.contains(&(0, 2)), "2 of 6 samples is less than half");
        assert!(!pairs.iter().any(|&(a, b)| a == 3 || b == 3));
        assert_eq!(boiler, 0);
        let (pairs, boiler) = candidate_pairs(index(), 2);
        assert_eq!(boiler, 2, "samples 0 and 1 are in three documents");
        assert!(pairs.contains(&(0, 1)));
    }
}
