//! MinHash signatures (Broder 1997) in one flat matrix, a row per document.
//!
//! Owns: the hash family and the signing of shingle sets. Must not: know about documents,
//! files or bands.
//!
//! The family: permutation `i` maps a 64-bit shingle hash `x` to
//! `h_i(x) = ((a_i * x + b_i) mod 2^64) >> 32`, a 32-bit value, where `a_i` is odd and `a_i`,
//! `b_i` are drawn from SplitMix64 seeded with the run's seed (multiply-add-shift hashing,
//! Dietzfelbinger 1996). Slot `i` of a signature is the minimum of `h_i` over the set, or
//! `u32::MAX` for an empty set. The probability that two sets agree in a slot estimates
//! their Jaccard similarity; the tests check the estimate against the exact value.

/// SplitMix64: a small, well-mixed, seedable generator for the permutation parameters.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `num_perm` hash functions of one run.
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    /// Draws `num_perm` functions from `seed`.
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let mut state = seed ^ 0x6D69_6E68_6173_6821; // "minhash!"
        let (mut a, mut b) = (Vec::with_capacity(num_perm), Vec::with_capacity(num_perm));
        for _ in 0..num_perm {
            a.push(splitmix64(&mut state) | 1);
            b.push(splitmix64(&mut state));
        }
        MinHasher { a, b }
    }

    /// Number of hash functions (signature length).
    pub fn num_perm(&self) -> usize {
        self.a.len()
    }

    /// Writes the signature of `set` into `out` (length `num_perm`).
    pub fn sign_into(&self, set: &[u64], out: &mut [u32]) {
        assert_eq!(out.len(), self.a.len(), "signature length must be num_perm");
        out.fill(u32::MAX);
        for &x in set {
            for ((o, &a), &b) in out.iter_mut().zip(&self.a).zip(&self.b) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                *o = (*o).min(h);
            }
        }
    }

    /// Returns the signature of `set`.
    pub fn sign(&self, set: &[u64]) -> Vec<u32> {
        let mut out = vec![0; self.num_perm()];
        self.sign_into(set, &mut out);
        out
    }
}

/// The estimated Jaccard similarity of two signatures: the share of equal slots.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    assert_eq!(a.len(), b.len());
    if a.is_empty() {
        return 0.0;
    }
    let eq = a.iter().zip(b).filter(|(x, y)| x == y).count();
    eq as f64 / a.len() as f64
}

/// All signatures of a corpus: one row of `num_perm` values per document, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signatures {
    num_perm: usize,
    data: Vec<u32>,
}

impl Signatures {
    /// An empty matrix for signatures of length `num_perm`.
    pub fn new(num_perm: usize) -> Self {
        Signatures {
            num_perm,
            data: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: &[u32]) {
        assert_eq!(row.len(), self.num_perm);
        self.data.extend_from_slice(row);
    }

    /// Appends a row of `u32::MAX` (the signature of no set) for a document that is not signed.
    pub fn push_empty(&mut self) {
        self.data
            .extend(std::iter::repeat_n(u32::MAX, self.num_perm));
    }

    /// Signature length.
    pub fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.data.len().checked_div(self.num_perm).unwrap_or(0)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[u32] {
        &self.data[i * self.num_perm..(i + 1) * self.num_perm]
    }

    /// Bytes of signature data held.
    pub fn heap_bytes(&self) -> usize {
        self.data.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::jaccard_and_containment;

    #[test]
    fn same_seed_same_signature_other_seed_differs() {
        let set: Vec<u64> = (0..50).map(|i| i * 7919).collect();
        assert_eq!(
            MinHasher::new(64, 5).sign(&set),
            MinHasher::new(64, 5).sign(&set)
        );
        assert_ne!(
            MinHasher::new(64, 5).sign(&set),
            MinHasher::new(64, 6).sign(&set)
        );
    }

    #[test]
    fn empty_set_is_all_max() {
        assert!(MinHasher::new(8, 1)
            .sign(&[])
            .iter()
            .all(|&v| v == u32::MAX));
    }

    #[test]
    fn rows_are_kept_in_order() {
        let h = MinHasher::new(4, 1);
        let mut m = Signatures::new(4);
        m.push(&h.sign(&[1, 2]));
        m.push_empty();
        assert_eq!(m.len(), 2);
        assert_eq!(m.row(0), &h.sign(&[1, 2])[..]);
        assert_eq!(m.row(1), &[u32::MAX; 4]);
    }

    /// Mean absolute error of the 128-slot estimate against exact Jaccard over many pairs
    /// with known overlap. The standard error of one estimate is sqrt(J(1-J)/128) <= 0.044.
    #[test]
    fn estimate_tracks_exact_jaccard() {
        let hasher = MinHasher::new(128, 42);
        let mut state = 9u64;
        let mut total_err = 0.0;
        let mut worst: f64 = 0.0;
        let n = 200;
        for t in 0..n {
            let size = 50 + (t * 7) % 400;
            let shared = (size * (t % 10)) / 10;
            let common: Vec<u64> = (0..shared).map(|_| splitmix64(&mut state)).collect();
            let mut a = common.clone();
            let mut b = common;
            a.extend((shared..size).map(|_| splitmix64(&mut state)));
            b.extend((shared..size).map(|_| splitmix64(&mut state)));
            a.sort_unstable();
            b.sort_unstable();
            let exact = jaccard_and_containment(&a, &b).0;
            let est = estimate_jaccard(&hasher.sign(&a), &hasher.sign(&b));
            total_err += (est - exact).abs();
            worst = worst.max((est - exact).abs());
        }
        let mean = total_err / n as f64;
        assert!(mean < 0.04, "mean abs error {mean}");
        assert!(worst < 0.2, "worst error {worst}");
    }

    proptest::proptest! {
        /// Identical sets always give identical signatures; disjoint large sets rarely agree.
        #[test]
        fn identical_sets_identical_signatures(v in proptest::collection::vec(proptest::num::u64::ANY, 1..100)) {
            let h = MinHasher::new(32, 3);
            let mut s = v.clone();
            s.sort_unstable();
            s.dedup();
            proptest::prop_assert_eq!(h.sign(&s), h.sign(&v));
        }
    }
}
