//! Shingling: normalized text to a sorted, deduplicated set of 64-bit shingle hashes.
//!
//! Owns: the choice between word k-shingles (UAX #29 words) and character n-grams (for scripts
//! written without spaces between words), and the seeded hashing of shingles. Must not: keep
//! text. [`shingles`] expects the output of [`crate::normalize::normalize`];
//! [`shingles_of_text`] normalizes itself (in one pass for the text the fast scanner takes);
//! [`for_each_word_hash`] hashes the words of a text, for comparing sentences.
//!
//! Layout: this module is the public API and the general path (normalize, split into UAX #29
//! words or character n-grams, hash); `hash.rs` hashes words and windows of words; `fast.rs`
//! is the fast scanner and its tables, a layer under this API that nothing else sees;
//! `tests.rs` checks the fast path against the general one.
//!
//! ```
//! use neardup::definition::ShingleMode;
//! use neardup::shingle::{shingles, Tokenization};
//! let s = shingles("the quick brown fox jumps over", ShingleMode::Words(5), 1);
//! assert_eq!(s.tokenization, Tokenization::Words(5));
//! assert_eq!(s.hashes.len(), 2); // "the quick brown fox jumps", "quick brown fox jumps over"
//! ```

mod fast;
mod hash;
#[cfg(test)]
mod tests;

use crate::definition::ShingleMode;
use fast::{fast_text, fold_punctuation, for_each_raw_ascii_word_hash, raw_ascii_word_hashes};
use hash::{window_hashes, window_hashes_into, word_hash};
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The tokenization actually used for one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokenization {
    /// Word k-shingles.
    Words(usize),
    /// Character n-grams.
    Chars(usize),
}

/// A document's shingle set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shingles {
    /// How the text was cut.
    pub tokenization: Tokenization,
    /// Distinct shingle hashes, sorted ascending.
    pub hashes: Vec<u64>,
}

/// True for letters of scripts usually written without spaces between words.
pub(crate) fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0x20000..=0x3FFFF  // CJK extensions B and later
        | 0x0E00..=0x0EFF    // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
    )
}

/// Picks word shingles or character n-grams for one normalized text. In auto mode, character
/// n-grams are used when at least 30% of the letters belong to unspaced scripts (so Japanese
/// text with English names in it still counts as Japanese).
fn choose(normalized: &str, mode: ShingleMode) -> Tokenization {
    match mode {
        ShingleMode::Words(k) => Tokenization::Words(k),
        ShingleMode::Chars(n) => Tokenization::Chars(n),
        ShingleMode::Auto { words, chars } => {
            if normalized.is_ascii() {
                return Tokenization::Words(words);
            }
            let (mut letters, mut unspaced) = (0usize, 0usize);
            for c in normalized.chars() {
                if crate::normalize::plain_cjk(c) {
                    letters += 1;
                    unspaced += 1;
                } else if crate::chars::is_alphabetic(c) {
                    letters += 1;
                    unspaced += usize::from(is_unspaced_script(c));
                }
            }
            if unspaced * 10 >= letters * 3 && unspaced > 0 {
                Tokenization::Chars(chars)
            } else {
                Tokenization::Words(words)
            }
        }
    }
}

/// Cuts a normalized text into shingles and hashes them with seeded xxh3; see the module docs.
/// A text with fewer tokens than one shingle needs gets an empty set.
pub fn shingles(normalized: &str, mode: ShingleMode, seed: u64) -> Shingles {
    let tokenization = choose(normalized, mode);
    let mut hashes = match tokenization {
        Tokenization::Words(k) => word_shingles(normalized, k, seed),
        Tokenization::Chars(n) => char_shingles(normalized, n, seed),
    };
    hashes.sort_unstable();
    hashes.dedup();
    Shingles {
        tokenization,
        hashes,
    }
}

/// Byte classes for the ASCII word splitter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Underscore,
    /// `:` joins letters.
    MidLetter,
    /// `.` and `'` join letters, and digits.
    MidNumLet,
    /// `,` and `;` join digits.
    MidNum,
    Other,
}

/// [`class`] of every byte, for the splitter's inner loop.
static CLASSES: [Class; 256] = table();

const fn table() -> [Class; 256] {
    let mut t = [Class::Other; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class(i as u8);
        i += 1;
    }
    t
}

const fn class(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        b':' => Class::MidLetter,
        b'.' | b'\'' => Class::MidNumLet,
        b',' | b';' => Class::MidNum,
        _ => Class::Other,
    }
}

/// The words of an ASCII text exactly as `unicode_words` (UAX #29) finds them, without its
/// general machinery: runs of letters, digits and `_`, joined across one `:`, `.` or `'`
/// between two letters, and across one `,`, `;`, `.` or `'` between two digits; runs of `_`
/// alone are not words. A property test checks it against `unicode_words`.
fn ascii_words(text: &str) -> impl Iterator<Item = &str> {
    ascii_spans(text.as_bytes(), &CLASSES).map(move |(a, b)| &text[a..b])
}

/// The byte ranges of the words of ASCII `b`, with byte classes from `class`.
fn ascii_spans<'a>(
    b: &'a [u8],
    table: &'static [Class; 256],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let class = move |x: u8| table[x as usize];
    let mut i = 0;
    std::iter::from_fn(move || {
        use Class::*;
        while i < b.len() {
            if matches!(class(b[i]), Letter | Digit | Underscore) {
                let start = i;
                let mut alnum = false;
                loop {
                    let c = class(b[i]);
                    alnum |= matches!(c, Letter | Digit);
                    let next = b.get(i + 1).map(|&x| class(x));
                    match next {
                        Some(Letter | Digit | Underscore) => i += 1,
                        Some(m @ (MidLetter | MidNumLet | MidNum)) => {
                            let after = b.get(i + 2).map(|&x| class(x));
                            let joins = matches!(
                                (c, m, after),
                                (Letter, MidLetter | MidNumLet, Some(Letter))
                                    | (Digit, MidNum | MidNumLet, Some(Digit))
                            );
                            if joins {
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        _ => {
                            i += 1;
                            break;
                        }
                    }
                }
                if alnum {
                    return Some((start, i));
                }
            } else {
                i += 1;
            }
        }
        None
    })
}

/// Shingles straight from the original text: `shingles(&normalize(text), mode, seed)`, with a
/// fast path for ASCII text cut into words, which splits, lower-cases and hashes in one pass
/// without building the normalized string (a property test checks the two agree).
pub fn shingles_of_text(text: &str, mode: ShingleMode, seed: u64) -> Shingles {
    let (tokenization, mut hashes) = raw_shingles(text, mode, seed);
    hashes.sort_unstable();
    hashes.dedup();
    Shingles {
        tokenization,
        hashes,
    }
}

/// True when `hashes` holds at least `n` distinct values; stops as soon as it has seen them.
pub(crate) fn has_distinct(hashes: &[u64], n: usize) -> bool {
    if hashes.len() < n {
        return false;
    }
    if n > 64 {
        let mut sorted = hashes.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        return sorted.len() >= n;
    }
    let mut seen = [0u64; 64];
    let mut len = 0;
    for &h in hashes {
        if !seen[..len].contains(&h) {
            seen[len] = h;
            len += 1;
            if len >= n {
                return true;
            }
        }
    }
    n == 0
}

fn raw_shingles(text: &str, mode: ShingleMode, seed: u64) -> (Tokenization, Vec<u64>) {
    let k = word_count(mode);
    let Some(fast) = fast_text(text, k) else {
        let normalized = crate::normalize::normalize(text);
        let tokenization = choose(&normalized, mode);
        let hashes = match tokenization {
            Tokenization::Words(k) => word_shingles(&normalized, k, seed),
            Tokenization::Chars(n) => char_shingles(&normalized, n, seed),
        };
        return (tokenization, hashes);
    };
    let mut words = Vec::with_capacity(fast.text.len() / 5 + 1);
    fast.for_each_word_hash(seed, |h| words.push(h));
    (Tokenization::Words(k), window_hashes(&words, k, seed))
}

/// The shingle hashes of [`shingles_of_text`] in text order, repeats included (the set before
/// it is sorted and deduplicated), appended to `out`; `words` is scratch space, kept by the
/// caller from one text to the next so that the usual text allocates nothing here. Returns
/// how the text was cut.
pub(crate) fn shingle_hashes_into(
    text: &str,
    mode: ShingleMode,
    seed: u64,
    words: &mut Vec<u64>,
    out: &mut Vec<u64>,
) -> Tokenization {
    let k = word_count(mode);
    let Some(fast) = fast_text(text, k) else {
        let (tokenization, hashes) = raw_shingles(text, mode, seed);
        out.extend_from_slice(&hashes);
        return tokenization;
    };
    words.clear();
    fast.for_each_word_hash(seed, |h| words.push(h));
    window_hashes_into(words, k, seed, out);
    Tokenization::Words(k)
}

/// About how many words a text has that was cut as `tokenization` into `count` shingles
/// (repeats included): a word shingle per word, less the window; for text written without
/// spaces, one word in two characters (the usual length of a Chinese or Japanese word).
pub(crate) fn words_of(tokenization: Tokenization, count: usize) -> usize {
    match tokenization {
        Tokenization::Words(k) if count > 0 => count + k.saturating_sub(1),
        Tokenization::Chars(n) if count > 0 => (count + n.saturating_sub(1)) / 2,
        _ => 0,
    }
}

/// Words per shingle of `mode` (0 for character shingles).
fn word_count(mode: ShingleMode) -> usize {
    match mode {
        ShingleMode::Auto { words, .. } | ShingleMode::Words(words) => words,
        ShingleMode::Chars(_) => 0,
    }
}

/// `f` applied to the hash of each word of `text`, in order: its words as [`shingles`] cuts the
/// normalized text, each hashed as word shingles hash their words (ASCII text hands each hash
/// on as it is found, other text through `word_hashes`).
pub fn for_each_word_hash(text: &str, seed: u64, mut f: impl FnMut(u64)) {
    if text.is_ascii() {
        for_each_raw_ascii_word_hash(text.as_bytes(), seed, f);
    } else {
        word_hashes(text, seed).into_iter().for_each(&mut f);
    }
}

/// The hash of each word of `text` (its words as [`shingles`] cuts the normalized text, each
/// hashed with [`word_hash`]), in order: what a sentence is compared on. ASCII text (and text
/// whose only non-ASCII characters are typographic punctuation) takes the one-pass path.
fn word_hashes(text: &str, seed: u64) -> Vec<u64> {
    if text.is_ascii() {
        return raw_ascii_word_hashes(text.as_bytes(), seed);
    }
    match fold_punctuation(text) {
        Some(fast) => {
            let mut words = Vec::with_capacity(fast.text.len() / 5 + 1);
            fast.for_each_word_hash(seed, |h| words.push(h));
            words
        }
        None => word_hashes_normalized(text, seed),
    }
}

/// [`word_hashes`] the general way: normalize, split into UAX #29 words, hash each.
fn word_hashes_normalized(text: &str, seed: u64) -> Vec<u64> {
    let normalized = crate::normalize::normalize(text);
    let hash = |w: &str| word_hash(w.as_bytes(), seed);
    if normalized.is_ascii() {
        ascii_words(&normalized).map(hash).collect()
    } else {
        unicode_words(&normalized).map(hash).collect()
    }
}

/// `text.unicode_words()`: the UAX #29 segments with a letter or digit in them, with that test
/// made by a table look-up (a test checks that it keeps exactly the code points that
/// `unicode_words` keeps). Hiragana and ideographs, which UAX #29 makes words of their own
/// (Word_Break `Other`: a boundary on either side), are cut by a range check on their bytes;
/// only the text between them goes through the segmenter.
fn unicode_words(text: &str) -> std::vec::IntoIter<&str> {
    let mut words = Vec::with_capacity(text.len() / 3 + 1);
    fn segment<'a>(piece: &'a str, words: &mut Vec<&'a str>) {
        words.extend(
            piece
                .split_word_bounds()
                .filter(|w| w.chars().any(crate::chars::is_alphanumeric)),
        )
    }
    let b = text.as_bytes();
    let (mut piece, mut i) = (0, 0);
    while i < b.len() {
        let lead = b[i];
        let width = match lead {
            0..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        // Alone unless an Extend, Format or ZWJ character follows (WB4 joins it on).
        if width == 3 && lone_word(code_point3(b, i)) && !joins_on(b, i + 3) {
            if piece < i {
                segment(&text[piece..i], &mut words);
            }
            words.push(&text[i..i + 3]);
            piece = i + 3;
        }
        i += width;
    }
    if piece < b.len() {
        segment(&text[piece..], &mut words);
    }
    words.into_iter()
}

/// The code point of the 3-byte UTF-8 character at `b[i]`.
#[inline]
fn code_point3(b: &[u8], i: usize) -> u32 {
    (u32::from(b[i] & 0x0F) << 12) | (u32::from(b[i + 1] & 0x3F) << 6) | u32::from(b[i + 2] & 0x3F)
}

/// Hiragana and CJK ideographs (unified and Extension A): Word_Break `Other`, letters.
#[inline]
fn lone_word(c: u32) -> bool {
    matches!(c, 0x3041..=0x3096 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// False when the character at `b[i]` (if any) is surely not Extend, Format or ZWJ: the end,
/// ASCII, CJK symbols and punctuation but the tone marks, kana but the voicing marks, and
/// ideographs.
#[inline]
fn joins_on(b: &[u8], i: usize) -> bool {
    if i >= b.len() || b[i] < 0x80 {
        return false;
    }
    if !(0xE3..=0xE9).contains(&b[i]) {
        return true;
    }
    !matches!(code_point3(b, i), 0x3000..=0x3029 | 0x3030..=0x3098 | 0x309B..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// Word k-shingles: each UAX #29 word is hashed with [`word_hash`], then each window of k
/// word hashes is folded into one.
fn word_shingles(text: &str, k: usize, seed: u64) -> Vec<u64> {
    let hash = |w: &str| word_hash(w.as_bytes(), seed);
    let words: Vec<u64> = if text.is_ascii() {
        ascii_words(text).map(hash).collect()
    } else {
        unicode_words(text).map(hash).collect()
    };
    window_hashes(&words, k, seed)
}

/// Character n-grams over the letters and digits of the text (spaces and punctuation dropped),
/// each hashed as its UTF-8 bytes.
fn char_shingles(text: &str, n: usize, seed: u64) -> Vec<u64> {
    let kept: String = text
        .chars()
        .filter(|&c| crate::normalize::plain_cjk(c) || crate::chars::is_alphanumeric(c))
        .collect();
    let starts: Vec<usize> = kept
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(kept.len()))
        .collect();
    if starts.len() <= n {
        return Vec::new();
    }
    starts
        .windows(n + 1)
        .map(|w| xxh3_64_with_seed(&kept.as_bytes()[w[0]..w[n]], seed))
        .collect()
}
