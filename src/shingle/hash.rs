//! Hashing words and windows of words, seeded, alike on the general and the fast path.
//!
//! Owns: the hash of one word (a short word packed and mixed, a long one seeded xxh3) and of a
//! window of word hashes (a word shingle). Must not: cut text into words. The hashes are in
//! every index and signed shard: a change here makes those written before unreadable as equal.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// SplitMix64's finalizer: a bijective mix of 64 bits.
#[inline]
pub(super) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The hash of one word: a word of up to 8 bytes is packed into a `u64` with its length and
/// mixed (injective before the mix, so distinct short words never collide), a longer one is
/// hashed with seeded xxh3.
#[inline]
pub(super) fn word_hash(word: &[u8], seed: u64) -> u64 {
    if word.len() <= 8 {
        let packed = word
            .iter()
            .enumerate()
            .fold(0u64, |acc, (i, &b)| acc | u64::from(b) << (8 * i));
        short_word_hash(packed, word.len(), seed)
    } else {
        xxh3_64_with_seed(word, seed)
    }
}

/// [`word_hash`] of a word of `len <= 8` bytes packed little-endian into `packed`.
fn short_word_hash(packed: u64, len: usize, seed: u64) -> u64 {
    mix(packed ^ len_key(len, seed))
}

/// [`len_key`] of every short word length for `seed`; seed 0 (sentence keys in reports, which
/// hash many short texts) from a table made at compile time.
pub(super) fn len_keys(seed: u64) -> [u64; 9] {
    const SEED_0: [u64; 9] = {
        let mut t = [0u64; 9];
        let mut len = 0;
        while len < 9 {
            t[len] = len_key(len, 0);
            len += 1;
        }
        t
    };
    if seed == 0 {
        SEED_0
    } else {
        std::array::from_fn(|len| len_key(len, seed))
    }
}

/// The part of [`short_word_hash`] that depends only on the length and the seed.
const fn len_key(len: usize, seed: u64) -> u64 {
    mix(seed ^ (len as u64) << 56)
}

/// The hash of each window of `k` word hashes: the word hashes folded with a rotate and a
/// multiply (so order matters), then mixed.
pub(super) fn window_hashes(words: &[u64], k: usize, seed: u64) -> Vec<u64> {
    let mut out = Vec::with_capacity(words.len());
    window_hashes_into(words, k, seed, &mut out);
    out
}

/// [`window_hashes`], appended to `out`.
pub(super) fn window_hashes_into(words: &[u64], k: usize, seed: u64, out: &mut Vec<u64>) {
    if words.len() < k {
        return;
    }
    // The usual shingle lengths get a loop the compiler unrolls.
    match k {
        5 => fixed_window_hashes::<5>(words, seed, out),
        3 => fixed_window_hashes::<3>(words, seed, out),
        1 => fixed_window_hashes::<1>(words, seed, out),
        _ => out.extend(words.windows(k).map(|w| window_hash(w, seed))),
    }
}

/// The hash of one window of word hashes.
#[inline(always)]
fn window_hash(w: &[u64], seed: u64) -> u64 {
    let mut h = seed;
    for &x in w {
        h = (h.rotate_left(23) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    mix(h)
}

/// [`window_hashes`] for windows of `K` words.
fn fixed_window_hashes<const K: usize>(words: &[u64], seed: u64, out: &mut Vec<u64>) {
    out.extend(
        words
            .windows(K)
            .map(|w| window_hash(<&[u64; K]>::try_from(w).expect("K words"), seed)),
    );
}
