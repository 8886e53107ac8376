//! Shingling: normalized text to a sorted, deduplicated set of 64-bit shingle hashes.
//!
//! Owns: the choice between word k-shingles (UAX #29 words) and character n-grams (for scripts
//! written without spaces between words), and the seeded hashing of shingles. Must not: keep
//! text. [`shingles`] expects the output of [`crate::normalize::normalize`];
//! [`shingles_of_text`] normalizes itself (in one pass for ASCII text).
//!
//! ```
//! use neardup::definition::ShingleMode;
//! use neardup::shingle::{shingles, Tokenization};
//! let s = shingles("the quick brown fox jumps over", ShingleMode::Words(5), 1);
//! assert_eq!(s.tokenization, Tokenization::Words(5));
//! assert_eq!(s.hashes.len(), 2); // "the quick brown fox jumps", "quick brown fox jumps over"
//! ```

use crate::definition::ShingleMode;
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
pub fn is_unspaced_script(c: char) -> bool {
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
pub fn choose(normalized: &str, mode: ShingleMode) -> Tokenization {
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
pub fn ascii_words(text: &str) -> impl Iterator<Item = &str> {
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

/// The shingle hashes of [`shingles_of_text`] in text order, repeats included: the set before
/// it is sorted and deduplicated, for callers that only need the set's minima (MinHash) or
/// sort later (the pipeline sorts a set only when a candidate pair needs it).
pub fn shingle_hashes(text: &str, mode: ShingleMode, seed: u64) -> Vec<u64> {
    raw_shingles(text, mode, seed).1
}

/// True when `hashes` holds at least `n` distinct values; stops as soon as it has seen them.
pub fn has_distinct(hashes: &[u64], n: usize) -> bool {
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

/// [`shingle_hashes`] of `text`, appended to `out`; `words` is scratch space, kept by the
/// caller from one text to the next so that the usual text allocates nothing here. Returns
/// how the text was cut.
pub fn shingle_hashes_into(
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
pub fn words_of(tokenization: Tokenization, count: usize) -> usize {
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

/// The text the fast path takes for word `k`-shingles of `text`: the text itself when it is
/// ASCII, the text with its punctuation folded when it has no other non-ASCII character than
/// [`fold_punctuation`] takes; `None` for the general path.
fn fast_text(text: &str, k: usize) -> Option<Fast<'_>> {
    if k == 0 {
        return None;
    }
    if text.is_ascii() {
        return Some(Fast {
            text: std::borrow::Cow::Borrowed(text),
            classes: None,
        });
    }
    fold_punctuation(text)
}

/// Text for the one-pass scanner ([`for_each_raw_ascii_word`]).
struct Fast<'a> {
    /// The bytes whose words are hashed.
    text: std::borrow::Cow<'a, str>,
    /// When the text has [`native_digit`]s: the same bytes with each byte of those digits
    /// as `0`, which is what the scanner classifies. A native digit is a digit to UAX #29
    /// (Numeric), as `0` is, and NFKC and lower-casing leave it alone, so its word is cut as
    /// if it were `0` and hashed with its own bytes.
    classes: Option<Vec<u8>>,
}

impl Fast<'_> {
    /// `f` applied to the hash of each word, in order.
    fn for_each_word_hash(&self, seed: u64, mut f: impl FnMut(u64)) {
        for_each_raw_ascii_word(
            self.text.as_bytes(),
            self.classes.as_deref(),
            seed,
            |_, h| f(h),
        );
    }
}

/// The decimal digits of the Arabic and Indic scripts that the fast path takes (Arabic-Indic,
/// Extended Arabic-Indic, and those of Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil,
/// Telugu, Kannada and Malayalam): news copy in Arabic, Persian, Urdu, Bengali, Marathi,
/// Nepali or Gujarati often writes its numbers with them.
#[inline]
fn native_digit(c: char) -> bool {
    matches!(c as u32,
        0x660..=0x669 | 0x6F0..=0x6F9 | 0x966..=0x96F | 0x9E6..=0x9EF | 0xA66..=0xA6F
        | 0xAE6..=0xAEF | 0xB66..=0xB6F | 0xBE6..=0xBEF | 0xC66..=0xC6F | 0xCE6..=0xCEF
        | 0xD66..=0xD6F)
}

/// [`Fast::classes`] of `text`: its bytes, with those of the [`native_digit`]s that start at
/// `digits` (byte offsets) as `0`.
fn digit_classes(text: &str, digits: &[usize]) -> Vec<u8> {
    let mut classes = text.as_bytes().to_vec();
    for &i in digits {
        let len = if text.as_bytes()[i] < 0xE0 { 2 } else { 3 };
        classes[i..i + len].fill(b'0');
    }
    classes
}

/// The text with its typographic punctuation (curly quotes, guillemets, dashes, the minus
/// sign, no-break and thin spaces, the ellipsis) in the ASCII form
/// [`crate::normalize::normalize`] gives it, a few symbols in an ASCII form that cuts words
/// alike, and [`fast_letter`]s kept as they are; `None` when the text has any other
/// non-ASCII character. Such text (most English and Western European news copy) then takes
/// the one-pass fast path; tests check every character here against `normalize`.
/// [`native_digit`]s are kept too, and classified as digits ([`Fast::classes`]).
fn fold_punctuation(text: &str) -> Option<Fast<'_>> {
    let b = text.as_bytes();
    // The folded text, when anything needed folding: `text[..copied]`, folded.
    let mut folded: Option<String> = None;
    let mut copied = 0;
    let mut from = 0;
    // Where the native digits start in the folded text.
    let mut digits: Vec<usize> = Vec::new();
    // The last character composed of two (below), and where it ends in `text`.
    let mut composed: Option<(char, usize)> = None;
    while let Some(off) = b[from..].iter().position(|&x| !x.is_ascii()) {
        let at = from + off;
        let c = text[at..]
            .chars()
            .next()
            .expect("a character at a char boundary");
        from = at + c.len_utf8();
        if fast_letter(c) {
            continue;
        }
        if native_digit(c) {
            // Before any folding the folded text is `text`; after, its end stands for
            // `text[copied..]`.
            digits.push(folded.as_ref().map_or(at, |out| out.len() + at - copied));
            continue;
        }
        if indic_mark(c) {
            // A vowel sign (or virama, nukta, ...) takes the class of the letter before it
            // (UAX #29 WB4), so its bytes, letter bytes to the scanner, stay in that letter's
            // word: only after a letter or mark of its own script (after anything else it
            // would not act as a letter), and only where normalization leaves the text alone
            // or composes the mark with the character before it (below): not after a mark of
            // a higher combining class (the nukta after the virama), which NFC would put
            // after it.
            use unicode_normalization::char::compose;
            // The character before, as folded.
            let before = match composed {
                Some((z, end)) if end == at => Some(z),
                _ => text[..at].chars().next_back(),
            };
            // A vowel sign written in two parts (`ে` and `া`, `ெ` and `ா`, `ೆ`, `ೂ` and `ೕ`...),
            // or a letter and the mark NFC joins to it (`न` and the nukta, `ஒ` and `ௗ`),
            // become the one character NFKC makes of them, when the fast path takes it.
            let joined = before
                .filter(|&l| second_part(c) && l as u32 >> 7 == c as u32 >> 7)
                .and_then(|l| Some((l, compose(l, c)?)));
            if let Some((l, z)) = joined {
                if !(indic_letter(z) || indic_mark(z)) {
                    return None;
                }
                let out = folded.get_or_insert_with(|| String::with_capacity(text.len()));
                if composed.is_some_and(|(_, end)| end == at) {
                    // The second join of three parts (`ೆ` `ೂ` `ೕ`): the first is at the end.
                    out.pop();
                } else {
                    out.push_str(&text[copied..at - l.len_utf8()]);
                }
                out.push(z);
                copied = from;
                composed = Some((z, from));
                continue;
            }
            let fits = before.is_some_and(|l| {
                l as u32 >> 7 == c as u32 >> 7 && (indic_letter(l) || indic_mark(l)) && {
                    let class = indic_class(c);
                    class == 0 || indic_class(l) <= class
                }
            });
            if fits {
                continue;
            }
            return None;
        }
        if transparent(c) {
            // A zero-width non-joiner or joiner (Persian writes `می‌شود` with one), a
            // direction mark or a soft hyphen between two letters: UAX #29 (WB4) leaves it in
            // the word of the letter before it, and NFKC and lower case leave it alone, so its
            // bytes, letter bytes to the scanner, stay in that word. Anywhere else (after a
            // digit, a space or punctuation, before anything but a letter) the general path
            // takes the text.
            let before = text[..at].chars().next_back();
            let after = text[from..].chars().next();
            let letter = |l: char| l.is_ascii_alphabetic() || fast_letter(l) || letter_fold(l);
            if before.is_some_and(|l| letter(l) || indic_mark(l)) && after.is_some_and(letter) {
                continue;
            }
            return None;
        }
        let ascii = if c == '\u{B7}' {
            // The middle dot (Korean copy writes `한·미`) joins two letters, as `:` does: between
            // two it stays, and its bytes, letter bytes to the scanner, join them; elsewhere
            // it only cuts words. (A Devanagari mark here follows a letter, and acts as one.)
            let letter = |l: Option<char>| {
                l.is_some_and(|l| {
                    l.is_ascii_alphabetic() || fast_letter(l) || indic_mark(l) || letter_fold(l)
                })
            };
            if letter(text[..at].chars().next_back()) && letter(text[from..].chars().next()) {
                continue;
            }
            "#"
        } else {
            fold_one(c)?
        };
        if c == '\u{60C}' {
            let digit = |d: Option<char>| d.is_some_and(|d| d.is_ascii_digit() || native_digit(d));
            if digit(text[..at].chars().next_back()) && digit(text[from..].chars().next()) {
                return None;
            }
        }
        let out = folded.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..at]);
        out.push_str(ascii);
        copied = from;
    }
    let text = match folded {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            std::borrow::Cow::Owned(out)
        }
    };
    let classes = (!digits.is_empty()).then(|| digit_classes(&text, &digits));
    Some(Fast { text, classes })
}

/// The characters [`fold_one`] writes as the ASCII letters NFKC makes of them (lower-cased):
/// the ordinal indicators `ª` and `º`, `™`, `℠` and `№`. They are letters wherever a rule looks
/// at the character next to another.
#[inline]
fn letter_fold(c: char) -> bool {
    matches!(
        c,
        '\u{AA}' | '\u{BA}' | '\u{2122}' | '\u{2120}' | '\u{2116}'
    )
}

/// Characters that UAX #29 makes part of the word of the character before them (Extend,
/// Format or ZWJ) and that NFKC and lower case leave alone, which news copy has inside words:
/// the soft hyphen, the Arabic letter mark, the zero-width non-joiner and joiner, the
/// left-to-right and right-to-left marks, the word joiner and the zero-width no-break space.
#[inline]
fn transparent(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{61C}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2060}'
            | '\u{FEFF}'
    )
}

/// The canonical combining class of `c`, a character of the Indic blocks (U+0900-U+0D7F),
/// from a table made once.
#[inline]
fn indic_class(c: char) -> u8 {
    static TABLE: std::sync::OnceLock<[u8; 0x480]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u8; 0x480];
        for (i, slot) in table.iter_mut().enumerate() {
            let c = char::from_u32(0x900 + i as u32).expect("no surrogates here");
            *slot = unicode_normalization::char::canonical_combining_class(c);
        }
        table
    });
    table[c as usize - 0x900]
}

/// The marks of the Indic blocks that NFC composes with the character before them: the
/// nukta, and the second parts of two-part vowel signs (a test checks the list against
/// every pair of the blocks).
#[inline]
fn second_part(c: char) -> bool {
    matches!(
        c,
        '\u{93C}'
            | '\u{9BE}'
            | '\u{9D7}'
            | '\u{B3E}'
            | '\u{B56}'
            | '\u{B57}'
            | '\u{BBE}'
            | '\u{BD7}'
            | '\u{C56}'
            | '\u{CC2}'
            | '\u{CD5}'
            | '\u{CD6}'
            | '\u{D3E}'
            | '\u{D57}'
    )
}

/// Letters that the fast path takes as they are (and, after Indic letters, the marks of
/// [`indic_mark`]): the accented Latin letters of Latin-1 (`À`-`ÿ` but `×` and `÷`), and the
/// letters of Latin Extended-A, -B and Additional, the IPA block, Greek, Cyrillic, Armenian,
/// Hebrew, Arabic, the Indic scripts from Devanagari to Malayalam ([`indic_letter`]), and
/// Hangul syllables (Central and Eastern European languages, Vietnamese, Greek, Russian,
/// Ukrainian, Bulgarian, Serbian, Armenian, Hebrew, Arabic, Persian, Urdu, the languages of
/// India and Korean copy),
/// less the few of them that NFKC changes (`ĳ`, `ŉ`, `ſ`, `ϐ`, `क़`...), that lower-case to
/// more than one character (`İ`) or that are not word letters for UAX #29 (combining marks,
/// `ʰ`). Each is a letter for UAX #29 (cut into words as ASCII letters are; Hebrew letters
/// also keep some quote marks, which [`scan_words`] does), unchanged by NFKC, and lower-cases
/// to one letter of this set of the same UTF-8 length (two bytes, or three for the Indic
/// scripts, Latin Extended Additional and Hangul); a test checks all of this for every one.
/// Every byte of them is 0x80 or above, which is what the scanner takes for a letter byte.
/// Those below U+0800 are looked up in a bit table made at compile time from
/// [`listed_letter`].
#[inline]
fn fast_letter(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x800 {
        TWO_BYTE_LETTERS[(cp >> 6) as usize] >> (cp & 63) & 1 == 1
    } else {
        // [`listed_letter`] above U+07FF, without its comparisons of the ranges below.
        match cp {
            0x904..=0xD7F => indic_letter(c),
            0x1E00..=0x1EFF => !matches!(cp, 0x1E9A | 0x1E9B | 0x1E9E),
            0xAC00..=0xD7A3 => true,
            _ => false,
        }
    }
}

/// The letters of the Indic scripts from Devanagari to Malayalam (Hindi, Marathi, Nepali,
/// Bengali, Assamese, Punjabi, Gujarati, Odia, Tamil, Telugu, Kannada and Malayalam copy) that
/// NFKC leaves alone whatever follows them in fast-path text: all but those with a nukta that
/// NFC decomposes (U+0958-U+095F, U+09DC, U+09DD, U+09DF, U+0A33, U+0A36, U+0A59-U+0A5B,
/// U+0A5E, U+0B5C, U+0B5D).
#[inline]
fn indic_letter(c: char) -> bool {
    indic_bit(&INDIC_LETTERS, c)
}

/// One bit per code point of the Indic blocks, U+0900 to U+0D7F.
type IndicBits = [u64; 18];

/// [`indic_letter_at`] as bits, made at compile time: a look-up instead of some seventy range
/// comparisons.
static INDIC_LETTERS: IndicBits = indic_bits(false);

/// [`indic_mark_at`] as bits.
static INDIC_MARKS: IndicBits = indic_bits(true);

/// The bits of [`indic_mark_at`] (`marks`) or of [`indic_letter_at`].
const fn indic_bits(marks: bool) -> IndicBits {
    let mut bits = [0u64; 18];
    let mut cp = 0x900;
    while cp < 0xD80 {
        if (marks && indic_mark_at(cp)) || (!marks && indic_letter_at(cp)) {
            bits[((cp - 0x900) >> 6) as usize] |= 1 << (cp & 63);
        }
        cp += 1;
    }
    bits
}

/// The bit of `c` in `bits` (false outside the Indic blocks).
#[inline]
fn indic_bit(bits: &IndicBits, c: char) -> bool {
    let cp = c as u32;
    (0x900..0xD80).contains(&cp) && bits[((cp - 0x900) >> 6) as usize] >> (cp & 63) & 1 == 1
}

/// [`indic_letter`] of a code point, for the table of [`listed_letter`].
const fn indic_letter_at(cp: u32) -> bool {
    matches!(cp,
        // Devanagari.
        0x904..=0x939 | 0x93D | 0x950 | 0x960..=0x961 | 0x972..=0x97F
        // Bengali.
        | 0x985..=0x98C | 0x98F..=0x990 | 0x993..=0x9A8 | 0x9AA..=0x9B0 | 0x9B2
        | 0x9B6..=0x9B9 | 0x9BD | 0x9CE | 0x9E0..=0x9E1 | 0x9F0..=0x9F1
        // Gurmukhi.
        | 0xA05..=0xA0A | 0xA0F..=0xA10 | 0xA13..=0xA28 | 0xA2A..=0xA30 | 0xA32 | 0xA35
        | 0xA38..=0xA39 | 0xA5C | 0xA72..=0xA74
        // Gujarati.
        | 0xA85..=0xA8D | 0xA8F..=0xA91 | 0xA93..=0xAA8 | 0xAAA..=0xAB0 | 0xAB2..=0xAB3
        | 0xAB5..=0xAB9 | 0xABD | 0xAD0 | 0xAE0..=0xAE1 | 0xAF9
        // Oriya.
        | 0xB05..=0xB0C | 0xB0F..=0xB10 | 0xB13..=0xB28 | 0xB2A..=0xB30 | 0xB32..=0xB33
        | 0xB35..=0xB39 | 0xB3D | 0xB5F..=0xB61 | 0xB71
        // Tamil.
        | 0xB83 | 0xB85..=0xB8A | 0xB8E..=0xB90 | 0xB92..=0xB95 | 0xB99..=0xB9A | 0xB9C
        | 0xB9E..=0xB9F | 0xBA3..=0xBA4 | 0xBA8..=0xBAA | 0xBAE..=0xBB9 | 0xBD0
        // Telugu.
        | 0xC05..=0xC0C | 0xC0E..=0xC10 | 0xC12..=0xC28 | 0xC2A..=0xC39 | 0xC3D
        | 0xC58..=0xC5A | 0xC5D | 0xC60..=0xC61
        // Kannada.
        | 0xC80 | 0xC85..=0xC8C | 0xC8E..=0xC90 | 0xC92..=0xCA8 | 0xCAA..=0xCB3
        | 0xCB5..=0xCB9 | 0xCBD | 0xCDD..=0xCDE | 0xCE0..=0xCE1 | 0xCF1..=0xCF2
        // Malayalam.
        | 0xD04..=0xD0C | 0xD0E..=0xD10 | 0xD12..=0xD3A | 0xD3D | 0xD4E | 0xD54..=0xD56
        | 0xD5F..=0xD61 | 0xD7A..=0xD7F)
}

/// The combining marks of the scripts of [`indic_letter`] that the fast path takes after a
/// letter or mark of their script, where normalization leaves them ([`fold_punctuation`]
/// checks): the vowel signs (and the parts of two-part ones), the candrabindu, anusvara and
/// visarga, Gurmukhi's tippi, addak and udaat, the nukta (combining class 7) and the virama
/// (9). Left out: the Vedic stress marks and Telugu's length marks (classes 84 and 91, which
/// can compose across a virama).
#[inline]
fn indic_mark(c: char) -> bool {
    indic_bit(&INDIC_MARKS, c)
}

/// [`indic_mark`] of a code point, as ranges.
const fn indic_mark_at(cp: u32) -> bool {
    matches!(cp,
        // Devanagari.
        0x900..=0x903 | 0x93A..=0x93C | 0x93E..=0x94F | 0x955..=0x957 | 0x962..=0x963
        // Bengali.
        | 0x981..=0x983 | 0x9BC | 0x9BE..=0x9C4 | 0x9C7..=0x9C8 | 0x9CB..=0x9CD | 0x9D7
        | 0x9E2..=0x9E3
        // Gurmukhi.
        | 0xA01..=0xA03 | 0xA3C | 0xA3E..=0xA42 | 0xA47..=0xA48 | 0xA4B..=0xA4D | 0xA51
        | 0xA70..=0xA71 | 0xA75
        // Gujarati.
        | 0xA81..=0xA83 | 0xABC | 0xABE..=0xAC5 | 0xAC7..=0xAC9 | 0xACB..=0xACD
        | 0xAE2..=0xAE3 | 0xAFA..=0xAFF
        // Oriya.
        | 0xB01..=0xB03 | 0xB3C | 0xB3E..=0xB44 | 0xB47..=0xB48 | 0xB4B..=0xB4D
        | 0xB55..=0xB57 | 0xB62..=0xB63
        // Tamil.
        | 0xB82 | 0xBBE..=0xBC2 | 0xBC6..=0xBC8 | 0xBCA..=0xBCD | 0xBD7
        // Telugu.
        | 0xC00..=0xC04 | 0xC3C | 0xC3E..=0xC44 | 0xC46..=0xC48 | 0xC4A..=0xC4D
        | 0xC62..=0xC63
        // Kannada.
        | 0xC81..=0xC83 | 0xCBC | 0xCBE..=0xCC4 | 0xCC6..=0xCC8 | 0xCCA..=0xCCD
        | 0xCD5..=0xCD6 | 0xCE2..=0xCE3
        // Malayalam.
        | 0xD00..=0xD03 | 0xD3B..=0xD3C | 0xD3E..=0xD44 | 0xD46..=0xD48 | 0xD4A..=0xD4D
        | 0xD57 | 0xD62..=0xD63)
}

/// One bit per code point below U+0800: [`listed_letter`].
static TWO_BYTE_LETTERS: [u64; 32] = two_byte_letters();

const fn two_byte_letters() -> [u64; 32] {
    let mut bits = [0u64; 32];
    let mut cp = 0;
    while cp < 0x800 {
        if listed_letter(cp) {
            bits[(cp >> 6) as usize] |= 1 << (cp & 63);
        }
        cp += 1;
    }
    bits
}

/// The code points of [`fast_letter`], as ranges.
const fn listed_letter(cp: u32) -> bool {
    matches!(cp,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x12F | 0x131
        | 0x134..=0x13E | 0x141..=0x148 | 0x14A..=0x17E
        | 0x180..=0x1C3 | 0x1CD..=0x1F0 | 0x1F4..=0x239
        | 0x23B..=0x23D | 0x23F..=0x2AF
        // Greek.
        | 0x370..=0x373 | 0x376..=0x377 | 0x37B..=0x37D | 0x37F
        | 0x386 | 0x388..=0x38A | 0x38C | 0x38E..=0x3A1
        | 0x3A3..=0x3CF | 0x3D7..=0x3EF | 0x3F3 | 0x3F7..=0x3F8
        // Greek (the last letters), then Cyrillic.
        | 0x3FA..=0x481 | 0x48A..=0x52F
        // Armenian.
        | 0x531..=0x556 | 0x560..=0x586
        // Hebrew letters (not the points, which combine, nor the ligatures).
        | 0x5D0..=0x5EA
        // Arabic (Arabic, Persian and Urdu letters; not the digits or the marks).
        | 0x620..=0x64A | 0x66E..=0x66F | 0x671..=0x674 | 0x679..=0x6D3
        | 0x6D5
        | 0x6EE..=0x6EF | 0x6FA..=0x6FC | 0x6FF
        // Latin Extended Additional (Vietnamese, Welsh), but `ẚ` and `ẛ` (NFKC changes them)
        // and `ẞ` (it lower-cases to `ß`, of two bytes).
        | 0x1E00..=0x1E99 | 0x1E9C..=0x1E9D | 0x1E9F..=0x1EFF
        // Hangul syllables.
        | 0xAC00..=0xD7A3)
        || indic_letter_at(cp)
}

/// The lower case of each character from U+0080 to U+07FF (the two-byte ones, where every
/// [`fast_letter`] is) that lower-cases to one character of two bytes; the character itself
/// otherwise. Made once, from `char::to_lowercase`.
fn lower_table() -> &'static [u16; 0x780] {
    static TABLE: std::sync::OnceLock<[u16; 0x780]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u16; 0x780];
        for (i, slot) in table.iter_mut().enumerate() {
            let c = char::from_u32(0x80 + i as u32).expect("no surrogates below U+0800");
            let mut lower = c.to_lowercase();
            *slot = match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == 2 => l as u16,
                _ => c as u16,
            };
        }
        table
    })
}

/// The lower case of each character of Latin Extended Additional (U+1E00 to U+1EFF) that
/// lower-cases to one character of that block; the character itself otherwise. Made once,
/// from `char::to_lowercase`.
fn lower_table_1e() -> &'static [u16; 0x100] {
    static TABLE: std::sync::OnceLock<[u16; 0x100]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u16; 0x100];
        for (i, slot) in table.iter_mut().enumerate() {
            let cp = 0x1E00 + i as u32;
            let c = char::from_u32(cp).expect("no surrogates in U+1E00-U+1EFF");
            let mut lower = c.to_lowercase();
            *slot = match (lower.next(), lower.next()) {
                (Some(l), None) if (0x1E00..0x1F00).contains(&(l as u32)) => l as u16,
                _ => cp as u16,
            };
        }
        table
    })
}

/// What `normalize` makes of one punctuation character, when that is ASCII whatever its
/// neighbours; or, for a few symbols, an ASCII character that cuts words as they do.
fn fold_one(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2039}' | '\u{203A}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => "-",
        '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => " ",
        '\u{2026}' => "...",
        // Symbols common in news copy that are never part of a word (UAX #29 class Other,
        // or Extended_Pictographic, which acts alike without a joiner) and that NFKC leaves
        // alone: for cutting words, any ASCII character of class Other does the same.
        '\u{A2}' | '\u{A3}' | '\u{A5}' | '\u{A7}' | '\u{A9}' | '\u{AE}' | '\u{B0}' | '\u{B6}'
        | '\u{2022}' | '\u{20AC}' => "#",
        // The same for Spanish `¡` and `¿`, math signs, daggers, arrows, bullets, more currency
        // signs (rupee, ruble, won, lira, hryvnia, naira) and the zero-width space (a word
        // break, unlike the joiners of [`transparent`]).
        '\u{A1}'
        | '\u{BF}'
        | '\u{A4}'
        | '\u{A6}'
        | '\u{AC}'
        | '\u{B1}'
        | '\u{D7}'
        | '\u{F7}'
        | '\u{2020}'
        | '\u{2021}'
        | '\u{2030}'
        | '\u{2190}'..='\u{2193}'
        | '\u{25A0}'
        | '\u{25CF}'
        | '\u{20A6}'
        | '\u{20A9}'
        | '\u{20B4}'
        | '\u{20B9}'
        | '\u{20BA}'
        | '\u{20BD}'
        | '\u{200B}' => "#",
        // The ordinal indicators (`1º`, `2ª`, `nº`: Spanish, Portuguese, Italian), the trade
        // and service marks (press releases) and the numero sign (`№ 5`: Russian, Ukrainian,
        // Bulgarian), which NFKC makes the letters `o`, `a`, `TM`, `SM` and `No`
        // ([`letter_fold`]).
        '\u{BA}' => "o",
        '\u{AA}' => "a",
        '\u{2122}' => "tm",
        '\u{2120}' => "sm",
        '\u{2116}' => "no",
        // The Arabic semicolon, question mark and full stop (class Other, unlike their ASCII
        // forms), and the Hebrew maqaf (a hyphen).
        '\u{61B}' | '\u{61F}' | '\u{6D4}' | '\u{5BE}' => "#",
        // The Devanagari danda and double danda (full stops).
        '\u{964}' | '\u{965}' => "#",
        // The Arabic comma joins two digits as `,` does (MidNum), and nothing else; between
        // two digits (ASCII or [`native_digit`]s) it stays in the word, so
        // [`fold_punctuation`] leaves such text to the general path.
        '\u{60C}' => ",",
        _ => return None,
    })
}

/// Bit planes of one 64-byte block of fast-path text: bit `i` says what byte `i` is, by the
/// classes of [`class`], with the backtick read as an apostrophe (MidNumLet), as
/// normalization makes it, and every byte of a [`fast_letter`] a letter.
#[derive(Clone, Copy)]
struct Planes {
    /// Letters.
    letter: u64,
    /// Digits.
    digit: u64,
    /// `_`.
    under: u64,
    /// Bytes that join two letters: `:` (MidLetter), `.`, `'` and the backtick (MidNumLet).
    join_letters: u64,
    /// Bytes that join two digits: `,`, `;` (MidNum), `.`, `'` and the backtick.
    join_digits: u64,
    /// The first byte (0xD7) of a Hebrew letter: in fast-path text, 0xD7 starts nothing else
    /// (only when the text has Hebrew letters; 0 otherwise).
    hebrew_start: u64,
    /// `'` and the backtick (Single_Quote), when the text has Hebrew letters.
    single_quote: u64,
    /// `"` (Double_Quote), when the text has Hebrew letters.
    double_quote: u64,
}

impl Planes {
    /// The planes of `block`, with 64-byte vector compares (SSE2, NEON or plain code, as
    /// the target has: the `wide` crate picks).
    fn of<const HEBREW: bool>(block: &[u8; 64]) -> Planes {
        use wide::u8x64;
        let v = u8x64::new(*block);
        let eq = |c: u8| v.simd_eq(u8x64::splat(c));
        // `x < n` for unsigned bytes, as `min(x, n - 1) == x`.
        let below = |x: u8x64, n: u8| x.min(u8x64::splat(n - 1)).simd_eq(x);
        // Bytes of 0x80 and above are those of letters ([`fast_letter`]): the fast path takes no other
        // non-ASCII character.
        let high = (v & u8x64::splat(0x80)).simd_eq(u8x64::splat(0x80));
        let letter = below((v | u8x64::splat(0x20)) - u8x64::splat(b'a'), 26) | high;
        let digit = below(v - u8x64::splat(b'0'), 10);
        let both = eq(b'.') | eq(b'\'') | eq(b'`');
        let (hebrew_start, single_quote, double_quote) = if HEBREW {
            (
                eq(0xD7).to_bitmask(),
                (eq(b'\'') | eq(b'`')).to_bitmask(),
                eq(b'"').to_bitmask(),
            )
        } else {
            (0, 0, 0)
        };
        Planes {
            letter: letter.to_bitmask(),
            digit: digit.to_bitmask(),
            under: eq(b'_').to_bitmask(),
            join_letters: (both | eq(b':')).to_bitmask(),
            join_digits: (both | eq(b',') | eq(b';')).to_bitmask(),
            hebrew_start,
            single_quote,
            double_quote,
        }
    }
}

/// Lower-cases the ASCII letters among the 8 bytes of `x` at once (bytes below 0x80 only).
fn lower8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let at_least_a = x.wrapping_add(ONES * (0x80 - b'A' as u64));
    let above_z = x.wrapping_add(ONES * (0x80 - b'Z' as u64 - 1));
    let upper = at_least_a & !above_z & (ONES * 0x80);
    x | (upper >> 2)
}

/// The [`word_hash`] of each word of raw fast-path text (ASCII, and [`fast_letter`]s),
/// lower-cased and with backticks read as apostrophes: what splitting the normalized text into
/// UAX #29 words and hashing each word gives (property tests check it against that path).
fn raw_ascii_word_hashes(b: &[u8], seed: u64) -> Vec<u64> {
    let mut words = Vec::with_capacity(b.len() / 5 + 1);
    for_each_raw_ascii_word_hash(b, seed, |h| words.push(h));
    words
}

/// The planes of block `k` of `b` (zero-padded past the end: zero bytes are no class, so the
/// padding joins nothing).
fn block_planes<const HEBREW: bool>(b: &[u8], k: usize) -> Planes {
    match b.get(64 * k..64 * k + 64) {
        Some(block) => Planes::of::<HEBREW>(block.try_into().expect("64 bytes")),
        None => {
            let mut last = [0u8; 64];
            let rest = &b[64 * k..];
            last[..rest.len()].copy_from_slice(rest);
            Planes::of::<HEBREW>(&last)
        }
    }
}

/// Hashes the words of one ASCII text for [`for_each_raw_ascii_word_hash`].
struct WordHasher<'a> {
    b: &'a [u8],
    seed: u64,
    /// [`len_key`] of each short word length.
    len_keys: [u64; 9],
    /// Whether the text has a backtick at all.
    any_tick: bool,
    /// Whether the text has non-ASCII letters ([`fast_letter`]s) at all.
    latin: bool,
    /// A long word, lower-cased.
    long: Vec<u8>,
}

impl WordHasher<'_> {
    /// The hash of the word `b[start..end]`, or `None` for a run of `_` alone (not a word).
    #[inline(always)]
    fn hash(&mut self, start: usize, end: usize) -> Option<u64> {
        let b = self.b;
        let word = &b[start..end];
        // A word starts with a letter, a digit or `_`.
        if word[0] == b'_' && !word.iter().any(|&c| c.is_ascii_alphanumeric() || c >= 0x80) {
            return None;
        }
        let len = word.len();
        if len <= 8
            && !(self.any_tick && word.contains(&b'`'))
            && !(self.latin && word.iter().any(|&c| c >= 0x80))
        {
            let packed = match b.get(start..start + 8) {
                Some(eight) => {
                    let raw = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
                    raw & (u64::MAX >> (64 - 8 * len))
                }
                None => word
                    .iter()
                    .enumerate()
                    .fold(0u64, |acc, (j, &c)| acc | u64::from(c) << (8 * j)),
            };
            Some(mix(lower8(packed) ^ self.len_keys[len]))
        } else {
            Some(self.long_hash(word))
        }
    }

    /// [`word_hash`] of a long word (or one with a backtick), lower-cased.
    #[inline(never)]
    fn long_hash(&mut self, word: &[u8]) -> u64 {
        if self.latin && word.iter().any(|&c| c >= 0x80) {
            // Non-ASCII letters: one of two bytes lower-cases to one of two bytes, one of
            // Latin Extended Additional to one of that block, from tables; the other letters
            // of three bytes (Hangul) have no case.
            let lower = lower_table();
            let lower_1e = lower_table_1e();
            self.long.clear();
            let mut i = 0;
            while i < word.len() {
                match word[i] {
                    b'`' => self.long.push(b'\''),
                    c if c.is_ascii() => self.long.push(c.to_ascii_lowercase()),
                    lead if lead & 0xE0 == 0xC0 => {
                        let cp = (u32::from(lead & 0x1F) << 6) | u32::from(word[i + 1] & 0x3F);
                        let l = lower[cp as usize - 0x80];
                        self.long.push(0xC0 | (l >> 6) as u8);
                        self.long.push(0x80 | (l & 0x3F) as u8);
                        i += 1;
                    }
                    lead => {
                        debug_assert_eq!(lead & 0xF0, 0xE0, "a three-byte character");
                        let cp = (u32::from(lead & 0x0F) << 12)
                            | (u32::from(word[i + 1] & 0x3F) << 6)
                            | u32::from(word[i + 2] & 0x3F);
                        if (0x1E00..0x1F00).contains(&cp) {
                            let l = u32::from(lower_1e[cp as usize - 0x1E00]);
                            self.long.push(0xE0 | (l >> 12) as u8);
                            self.long.push(0x80 | (l >> 6 & 0x3F) as u8);
                            self.long.push(0x80 | (l & 0x3F) as u8);
                        } else {
                            self.long.extend_from_slice(&word[i..i + 3]);
                        }
                        i += 2;
                    }
                }
                i += 1;
            }
            return word_hash(&self.long, self.seed);
        }
        if word.len() <= 32 && !self.any_tick {
            // Lower-cased 8 bytes at a time on the stack.
            let mut buf = [0u8; 32];
            buf[..word.len()].copy_from_slice(word);
            for chunk in buf.chunks_exact_mut(8) {
                let x = u64::from_le_bytes((&*chunk).try_into().expect("8 bytes"));
                chunk.copy_from_slice(&lower8(x).to_le_bytes());
            }
            return word_hash(&buf[..word.len()], self.seed);
        }
        self.long.clear();
        self.long.extend(word.iter().map(|&c| match c {
            b'`' => b'\'',
            c => c.to_ascii_lowercase(),
        }));
        word_hash(&self.long, self.seed)
    }
}

/// Hands `f` the hash of each word of [`raw_ascii_word_hashes`], in order: [`for_each_raw_ascii_word`]
/// without the word starts.
#[inline(always)]
fn for_each_raw_ascii_word_hash(b: &[u8], seed: u64, mut f: impl FnMut(u64)) {
    for_each_raw_ascii_word(b, None, seed, |_, h| f(h));
}

/// Hands `f` the byte offset where each word of [`raw_ascii_word_hashes`] starts and its hash,
/// in order.
///
/// Branch-light, in one pass with no allocation: each 64-byte block is classified at once
/// into bit planes ([`Planes`]); the joins (`u.s`, `won't`, `1,000.5`: a MidLetter or
/// MidNumLet byte between two letters, a MidNum or MidNumLet byte between two digits) are
/// found with shifts of the letter and digit planes, carried across blocks (the next block is
/// classified one step ahead); word starts and ends are then the edges of one mask, taken in
/// order with trailing-zero counts rather than a test per byte. Short words are loaded 8 bytes
/// at a time and lower-cased together. Text with Hebrew letters also gets UAX #29's rules for
/// them (see [`scan_words`]). `classes`, when given, is what is classified instead of `b`
/// ([`Fast::classes`]: as long as `b`, differing only in native digits).
fn for_each_raw_ascii_word(
    b: &[u8],
    classes: Option<&[u8]>,
    seed: u64,
    mut f: impl FnMut(usize, u64),
) {
    if b.is_empty() {
        return;
    }
    let classes = classes.unwrap_or(b);
    debug_assert_eq!(classes.len(), b.len());
    let latin = !b.is_ascii();
    let mut hasher = WordHasher {
        b,
        seed,
        len_keys: len_keys(seed),
        any_tick: memchr::memchr(b'`', b).is_some(),
        latin,
        long: Vec::new(),
    };
    // In fast-path text, the byte 0xD7 only starts a Hebrew letter.
    if latin && memchr::memchr(0xD7, b).is_some() {
        scan_words::<true>(classes, &mut hasher, &mut f);
    } else {
        scan_words::<false>(classes, &mut hasher, &mut f);
    }
}

/// The loop of [`for_each_raw_ascii_word`]. With `HEBREW`, it also applies UAX #29's rules
/// for Hebrew letters: a `'` (or backtick) right after one stays in its word (WB7a: `ג'`),
/// and so does a `"` between two (WB7b, WB7c: `צה"ל`); a word that such a `'` ends is cut
/// there even when a digit or `_` follows (no rule joins them across the quote).
#[inline(always)]
///
/// `b` is what is classified (the hasher holds the bytes to hash, of the same length).
fn scan_words<const HEBREW: bool>(
    b: &[u8],
    hasher: &mut WordHasher<'_>,
    f: &mut impl FnMut(usize, u64),
) {
    let n = b.len();
    // Inlined at each use (a closure here was not).
    macro_rules! emit {
        ($start:expr, $end:expr) => {
            if let Some(h) = hasher.hash($start, $end) {
                f($start, h);
            }
        };
    }
    let nb = n.div_ceil(64);
    // Letter and digit bit 63 of the previous block, bit 0 of the next.
    let (mut prev_letter, mut prev_digit) = (0u64, 0u64);
    // Bit 63 of the previous block's word mask.
    let mut prev_word = 0u64;
    // Bit 63 of the previous block's Hebrew letter starts, Hebrew letter ends, and quotes
    // kept by WB7a.
    let (mut prev_hebrew_start, mut prev_hebrew_end, mut prev_kept_quote) = (0u64, 0u64, 0u64);
    // The start of a word that runs past the end of the previous block.
    let mut open: Option<usize> = None;
    let mut cur = block_planes::<HEBREW>(b, 0);
    for k in 0..nb {
        let next = (k + 1 < nb).then(|| block_planes::<HEBREW>(b, k + 1));
        let (next_letter, next_digit) = next.map_or((0, 0), |q| (q.letter << 63, q.digit << 63));
        let mut joins = (((cur.letter << 1) | prev_letter)
            & cur.join_letters
            & ((cur.letter >> 1) | next_letter))
            | (((cur.digit << 1) | prev_digit) & cur.join_digits & ((cur.digit >> 1) | next_digit));
        // Bytes where a word is cut although the bytes on both sides are in words.
        let mut cut = 0u64;
        let mut hebrew_end = 0u64;
        let mut kept_quote = 0u64;
        if HEBREW {
            // A Hebrew letter is two bytes: its second byte ends it.
            hebrew_end = (cur.hebrew_start << 1) | prev_hebrew_start;
            let after_hebrew = (hebrew_end << 1) | prev_hebrew_end;
            let next_hebrew = next.map_or(0, |q| q.hebrew_start << 63);
            let before_hebrew = (cur.hebrew_start >> 1) | next_hebrew;
            kept_quote = after_hebrew & cur.single_quote;
            joins |= kept_quote | (after_hebrew & cur.double_quote & before_hebrew);
            cut = ((kept_quote << 1) | prev_kept_quote) & (cur.digit | cur.under);
        }
        let w = cur.letter | cur.digit | cur.under | joins;
        let shifted = (w << 1) | prev_word;
        let mut starts = (w & !shifted) | cut;
        // Bit p: byte p is the first after a word.
        let mut ends = (!w & shifted) | cut;
        let base = 64 * k;
        if let Some(s) = open {
            if ends != 0 {
                emit!(s, base + ends.trailing_zeros() as usize);
                ends &= ends - 1;
                open = None;
            }
        }
        while starts != 0 {
            let s = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if ends == 0 {
                open = Some(s);
                break;
            }
            emit!(s, base + ends.trailing_zeros() as usize);
            ends &= ends - 1;
        }
        prev_letter = cur.letter >> 63;
        prev_digit = cur.digit >> 63;
        prev_word = w >> 63;
        if HEBREW {
            prev_hebrew_start = cur.hebrew_start >> 63;
            prev_hebrew_end = hebrew_end >> 63;
            prev_kept_quote = kept_quote >> 63;
        }
        if let Some(q) = next {
            cur = q;
        }
    }
    if let Some(s) = open {
        emit!(s, n);
    }
}

/// `f` applied to the hash of each word of `text`, in order: [`word_hashes`] without the
/// list (the ASCII path hands each hash on as it is found).
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
pub fn word_hashes(text: &str, seed: u64) -> Vec<u64> {
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
/// `unicode_words` keeps).
fn unicode_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_word_bounds()
        .filter(|w| w.chars().any(crate::chars::is_alphanumeric))
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

/// SplitMix64's finalizer: a bijective mix of 64 bits.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The hash of one word: a word of up to 8 bytes is packed into a `u64` with its length and
/// mixed (injective before the mix, so distinct short words never collide), a longer one is
/// hashed with seeded xxh3.
pub fn word_hash(word: &[u8], seed: u64) -> u64 {
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
fn len_keys(seed: u64) -> [u64; 9] {
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
fn window_hashes(words: &[u64], k: usize, seed: u64) -> Vec<u64> {
    let mut out = Vec::with_capacity(words.len());
    window_hashes_into(words, k, seed, &mut out);
    out
}

/// [`window_hashes`], appended to `out`.
fn window_hashes_into(words: &[u64], k: usize, seed: u64, out: &mut Vec<u64>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn auto() -> ShingleMode {
        ShingleMode::default()
    }

    #[test]
    fn english_uses_words_and_japanese_uses_chars() {
        assert_eq!(
            choose("hong kong (ap) - japanese pop idol", auto()),
            Tokenization::Words(5)
        );
        assert_eq!(
            choose(
                &normalize("東京（共同）＝人気アイドルの上村謙信さんがＡＰ通信に語った"),
                auto()
            ),
            Tokenization::Chars(3)
        );
        assert_eq!(
            choose("서울 연합뉴스 기자가 보도했다", auto()),
            Tokenization::Words(5)
        );
        assert_eq!(choose("กรุงเทพมหานคร", auto()), Tokenization::Chars(3));
    }

    #[test]
    fn japanese_with_latin_names_is_still_chars() {
        let t = normalize("ケンシン・カミムラ(Kenshin Kamimura)さんはAPの取材に応じた");
        assert_eq!(choose(&t, auto()), Tokenization::Chars(3));
    }

    #[test]
    fn punctuation_and_quotes_do_not_change_word_shingles() {
        let a = shingles(
            &normalize("He said \u{2018}I\u{2019}m fine,\u{2019} in the U.S. today"),
            auto(),
            7,
        );
        let b = shingles(
            &normalize("He said \"I'm fine,\" in the U.S. today"),
            auto(),
            7,
        );
        assert_eq!(a, b);
        assert!(!a.hashes.is_empty());
    }

    #[test]
    fn dateline_dashes_do_not_matter() {
        let body = " Japanese pop idol Kenshin Kamimura was convicted on Friday";
        let a = shingles(
            &normalize(&format!("HONG KONG (AP) \u{2014}{body}")),
            auto(),
            1,
        );
        let b = shingles(&normalize(&format!("HONG KONG (AP) --{body}")), auto(), 1);
        let c = shingles(&normalize(&format!("TOKYO (Kyodo) --{body}")), auto(), 1);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.hashes.len(), 8); // 12 words
    }

    #[test]
    fn abbreviations_stay_one_word() {
        // UAX #29 keeps "u.s." and "don't" together, so "U.S." is one token, not two.
        let s = shingles(
            &normalize("The U.S. said it won\u{2019}t act"),
            ShingleMode::Words(1),
            1,
        );
        assert_eq!(s.hashes.len(), 6); // the, u.s, said, it, won't, act
    }

    #[test]
    fn emoji_and_short_texts() {
        assert!(shingles("🎤 🎤", auto(), 1).hashes.is_empty());
        assert!(shingles("", auto(), 1).hashes.is_empty());
        assert!(shingles("one two three four", auto(), 1).hashes.is_empty());
        assert_eq!(
            shingles("one two three four five", auto(), 1).hashes.len(),
            1
        );
    }

    #[test]
    fn sets_are_sorted_and_distinct() {
        let s = shingles("a b a b a b a b a b a b", ShingleMode::Words(2), 3);
        assert_eq!(s.hashes.len(), 2); // "a b" and "b a"
        assert!(s.hashes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn char_ngrams_skip_spaces_and_punctuation() {
        let a = shingles("東京 (共同)", ShingleMode::Chars(2), 1);
        let b = shingles("東京共同", ShingleMode::Chars(2), 1);
        assert_eq!(a, b);
        assert_eq!(a.hashes.len(), 3);
    }

    proptest::proptest! {
        /// The ASCII splitter finds exactly the words UAX #29 finds.
        #[test]
        fn ascii_words_match_unicode_words(t in "[ab1_.,;:' -]{0,40}") {
            let fast: Vec<&str> = ascii_words(&t).collect();
            let uax: Vec<&str> = t.unicode_words().collect();
            proptest::prop_assert_eq!(fast, uax);
        }

        #[test]
        fn ascii_words_match_on_any_ascii(t in "[ -~\t\n]{0,60}") {
            let fast: Vec<&str> = ascii_words(&t).collect();
            let uax: Vec<&str> = t.unicode_words().collect();
            proptest::prop_assert_eq!(fast, uax);
        }

        /// Words of any text: letters, marks and digits of several scripts, punctuation.
        #[test]
        fn unicode_words_are_those_of_the_crate(
            t in "([a-z0-9]|[\u{0590}-\u{05FF}\u{0900}-\u{097F}\u{0E00}-\u{0E7F}]|[ .,'’:_\u{00B7}\u{0660}-\u{0669}]|\\PC){0,40}"
        ) {
            let ours: Vec<&str> = unicode_words(&t).collect();
            let uax: Vec<&str> = t.unicode_words().collect();
            proptest::prop_assert_eq!(ours, uax);
        }
    }

    #[test]
    fn unicode_words_keep_every_code_point_the_crate_keeps() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(
                unicode_words(&s).count(),
                s.unicode_words().count(),
                "{c:?}"
            );
        }
    }

    /// The fast path gives `t` the word `k`-shingles and the word hashes of the general path
    /// (normalizing, then UAX #29 words).
    fn fast_path_agrees(t: &str, k: usize) -> Result<(), proptest::test_runner::TestCaseError> {
        proptest::prop_assert_eq!(
            shingles_of_text(t, ShingleMode::Words(k), 5),
            shingles(&normalize(t), ShingleMode::Words(k), 5)
        );
        let expected: Vec<u64> = normalize(t)
            .unicode_words()
            .map(|w| word_hash(w.as_bytes(), 3))
            .collect();
        proptest::prop_assert_eq!(word_hashes(t, 3), expected);
        Ok(())
    }

    proptest::proptest! {
        /// The one-pass ASCII path gives the same shingles as normalizing first.
        #[test]
        fn raw_ascii_path_matches_normalized_path(t in "[ -~\t\n]{0,80}", k in 1usize..4) {
            for mode in [ShingleMode::Words(k), ShingleMode::default()] {
                proptest::prop_assert_eq!(
                    shingles_of_text(&t, mode, 5),
                    shingles(&normalize(&t), mode, 5)
                );
            }
        }

        /// Typographic punctuation in ASCII text takes the same fast path, with the same
        /// result.
        #[test]
        fn folded_punctuation_matches_normalized_path(
            t in "([A-Za-z0-9.,:;'`_ -]|[\u{2018}\u{2019}\u{201A}\u{201B}\u{2039}\u{203A}\u{201C}\u{201D}\u{201E}\u{201F}\u{AB}\u{BB}\u{2010}-\u{2015}\u{2212}\u{A0}\u{2002}-\u{200A}\u{202F}\u{205F}\u{2026}\u{2033}\u{B4}\u{E9}\u{A1}\u{BF}\u{B1}\u{D7}\u{2192}\u{20B9}\u{200B}\u{25CF}]){0,80}",
            k in 1usize..4,
        ) {
            for mode in [ShingleMode::Words(k), ShingleMode::default()] {
                proptest::prop_assert_eq!(
                    shingles_of_text(&t, mode, 5),
                    shingles(&normalize(&t), mode, 5)
                );
            }
        }

        /// The words of a sentence, hashed, as normalizing and splitting gives them.
        #[test]
        fn word_hashes_match_normalized_words(
            t in "([A-Za-z0-9`'.,:;_]{1,12}[ .,:;'`_-]{0,2}|[a-z]{60,140} |[\u{201C}\u{201D}\u{2014}\u{E9}\u{65E5}] ){0,30}",
        ) {
            let n = normalize(&t);
            let expected: Vec<u64> = n.unicode_words().map(|w| word_hash(w.as_bytes(), 3)).collect();
            proptest::prop_assert_eq!(word_hashes(&t, 3), expected);
        }

        /// Latin-1 letters (upper and lower case) in words, next to joins, apostrophes,
        /// backticks, underscores and typographic punctuation, across blocks.
        #[test]
        fn fast_letters_take_the_fast_path_with_the_same_result(
            t in "([A-Za-z0-9\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{FF}`'.,:;_]{1,12}[ .,:;'`_\u{2019}\u{201C}\u{2014}\u{A3}\u{20AC}\u{B0}\u{A9}\u{2022}-]{0,2}|[a-z\u{E9}\u{C9}]{60,90} ){0,40}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Greek, Cyrillic, Armenian and Latin Extended letters likewise (with some characters
        /// of those blocks that are not fast-path letters: combining marks, `İ`, `ϐ`, so that
        /// some texts take the general path and must agree as well).
        #[test]
        fn other_alphabets_take_the_fast_path_with_the_same_result(
            t in "([A-Za-z0-9\u{100}-\u{17F}\u{386}-\u{3D2}\u{400}-\u{48F}\u{531}-\u{587}`'.,:;_]{1,12}[ .,:;'`_\u{2019}\u{AB}\u{BB}\u{2014}\u{20AC}-]{0,2}|[\u{430}-\u{44F}\u{3B1}-\u{3C9}]{30,60} ){0,40}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Arabic letters with Arabic punctuation, ASCII and Arabic-Indic digits and, now and
        /// then, a vowel mark (texts with marks or Arabic-Indic digits take the general path).
        #[test]
        fn arabic_takes_the_fast_path_with_the_same_result(
            t in "([\u{621}-\u{64A}\u{671}-\u{6D5}]{1,9}[\u{64B}\u{650}]?|[0-9]{1,4}|[\u{660}-\u{669}\u{6F0}-\u{6F9}]{1,4}|[ .,:'\u{60C}\u{61B}\u{61F}\u{6D4}\u{AB}\u{BB}-]){0,40}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Persian and Arabic words with zero-width non-joiners, joiners, direction marks and
        /// soft hyphens anywhere (between letters the fast path takes them; elsewhere the
        /// general path), with digits, ASCII words and punctuation.
        #[test]
        fn zero_width_marks_take_the_fast_path_with_the_same_result(
            t in "([\u{621}-\u{63A}\u{641}-\u{64A}\u{6A9}\u{6AF}\u{6CC}]{1,5}|[A-Za-z]{1,4}|[0-9\u{6F0}-\u{6F9}]{1,3}|[\u{AD}\u{61C}\u{200C}-\u{200F}\u{2060}\u{FEFF}]|[ .,:'\"\u{60C}\u{61F}-]){0,40}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Hebrew: its letters with quotes and backticks after them and between them (acronyms
        /// as `צה"ל`, geresh as `ג'`), next to digits, `_`, ASCII letters and punctuation,
        /// across blocks, the maqaf; now and then a point (the general path).
        #[test]
        fn hebrew_takes_the_fast_path_with_the_same_result(
            t in "([\u{5D0}-\u{5EA}]{1,6}|[A-Za-z]{1,3}|[0-9]{1,3}|[ '\"`_.,:;\u{5BE}\u{2019}\u{201D}-]|[ '\"]\u{5B4}?){0,60}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Hindi: Devanagari letters and vowel signs (after letters, and now and then after a
        /// space, a digit or a quote: the general path), the virama, the nukta and the
        /// composition-excluded letters (the general path), dandas, Devanagari and ASCII
        /// digits, ASCII letters, punctuation, across blocks.
        #[test]
        fn hindi_takes_the_fast_path_with_the_same_result(
            t in "([\u{915}-\u{939}]\u{93C}?([\u{93E}-\u{94D}\u{901}\u{902}\u{93C}]{0,2})|[\u{905}-\u{914}]|[A-Za-z]{1,3}|[0-9]{1,3}|[ '\"_.,:;\u{B7}\u{964}\u{965}\u{2019}-]|[ 1'][\u{93F}\u{94D}]|[\u{93C}\u{958}\u{966}\u{951}]){0,50}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Bengali: letters and vowel signs (the two-part ones precomposed and in parts, which
        /// NFC composes: the general path), the nukta, the virama, khanda ta, dandas, Bengali
        /// and ASCII digits, punctuation, across blocks.
        #[test]
        fn bengali_takes_the_fast_path_with_the_same_result(
            t in "([\u{995}-\u{9B9}]\u{9BC}?([\u{9BE}-\u{9C4}\u{9C7}\u{9CB}\u{9CD}\u{9D7}\u{981}\u{982}]{0,2})|[\u{985}-\u{994}\u{9CE}]|[A-Za-z]{1,3}|[0-9\u{9E6}]{1,3}|[ '\"_.,:;\u{B7}\u{964}\u{965}\u{2019}-]|[ 1'][\u{9BF}\u{9CD}]){0,50}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// The Indic scripts after Bengali: consonants of Gurmukhi, Gujarati, Oriya, Tamil,
        /// Telugu, Kannada and Malayalam, each with vowel signs, the nukta and the virama of
        /// its block (in an order NFC keeps or not, the two parts of a vowel sign: then the
        /// general path) and now and then of the block after it (the general path), dandas,
        /// ASCII digits, punctuation, across blocks.
        #[test]
        fn indic_scripts_take_the_fast_path_with_the_same_result(
            t in "([\u{A15}-\u{A39}][\u{A3C}-\u{A4D}\u{A70}\u{A71}]{0,2}|[\u{A95}-\u{AB9}][\u{ABC}-\u{ACD}\u{B3C}]{0,2}|[\u{B15}-\u{B39}][\u{B3C}-\u{B4D}\u{B56}\u{B57}]{0,2}|[\u{B95}-\u{BB9}][\u{BBE}-\u{BCD}\u{BD7}]{0,2}|[\u{C15}-\u{C39}][\u{C3C}-\u{C4D}]{0,2}|[\u{C95}-\u{CB9}][\u{CBC}-\u{CD6}]{0,2}|[\u{D15}-\u{D3A}][\u{D3E}-\u{D4D}\u{D57}]{0,2}|[\u{A05}\u{B92}\u{D7A}]|[0-9\u{A66}-\u{A6F}\u{AE6}\u{B66}\u{BE7}\u{C6F}\u{CE6}\u{D66}]{1,3}|[ '\"_.,:;\u{B7}\u{964}\u{965}\u{2019}-]){0,50}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Vietnamese: ASCII and Latin-1 letters with those of Latin Extended-A, -B and
        /// Additional (upper and lower case, `ẞ` and `ẛ` among them), and now and then a
        /// combining tone mark (decomposed text: the general path).
        #[test]
        fn vietnamese_takes_the_fast_path_with_the_same_result(
            t in "([A-Za-z\u{C0}-\u{FF}\u{102}\u{103}\u{110}\u{111}\u{1A0}\u{1A1}\u{1AF}\u{1B0}\u{1E00}-\u{1EFF}]{1,8}[\u{300}\u{301}\u{323}]?|[0-9]{1,4}|[ .,:'`\u{2019}\u{201C}\u{2014}-]){0,40}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Hangul with the middle dot, quotes, digits and, now and then, a compatibility jamo
        /// (which NFKC changes: the general path).
        #[test]
        fn hangul_takes_the_fast_path_with_the_same_result(
            t in "([\u{AC00}-\u{D7A3}]{1,6}|[A-Za-z0-9]{1,5}|\u{318D}|[ .,:'\u{B7}\u{201C}\u{201D}\u{2018}\u{2019}-]){0,40}",
            k in 1usize..4,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Any character of two bytes (letters, marks, digits, punctuation of every script
        /// there), Hangul, ASCII: whichever path a text takes, the result is the general one.
        #[test]
        fn any_two_byte_text_agrees_with_the_general_path(
            t in "([\u{80}-\u{7FF}]|[a-z0-9 .,:'_]|[\u{AC00}-\u{AC10}\u{3131}]){0,12}",
            k in 1usize..3,
        ) {
            fast_path_agrees(&t, k)?;
        }

        /// Long texts: words and joins across the 64-byte blocks of the scanner, words longer
        /// than a block.
        #[test]
        fn raw_ascii_path_matches_across_blocks(
            t in "([A-Za-z0-9`'.,:;_]{1,12}[ .,:;'`_-]{0,2}|[a-z]{60,140} ){0,40}",
            k in 1usize..4,
        ) {
            proptest::prop_assert_eq!(
                shingles_of_text(&t, ShingleMode::Words(k), 5),
                shingles(&normalize(&t), ShingleMode::Words(k), 5)
            );
        }

        #[test]
        fn raw_ascii_path_matches_on_wordy_text(t in "([A-Za-z`'.,:;0-9_]{1,6}[ \t\n]{1,2}){0,30}") {
            proptest::prop_assert_eq!(
                shingles_of_text(&t, ShingleMode::Words(2), 9),
                shingles(&normalize(&t), ShingleMode::Words(2), 9)
            );
        }

        #[test]
        fn raw_hashes_are_the_set_unsorted(t in "([A-Za-z`'.,0-9]{1,12}[ \n]{1,2}|[éü日本語]{1,3} ){0,40}") {
            let mut raw = shingle_hashes(&t, ShingleMode::Words(3), 5);
            raw.sort_unstable();
            raw.dedup();
            proptest::prop_assert_eq!(raw, shingles_of_text(&t, ShingleMode::Words(3), 5).hashes);
        }

        #[test]
        fn has_distinct_counts_distinct_values(v in proptest::collection::vec(0u64..6, 0..20), n in 0usize..10) {
            let mut d = v.clone();
            d.sort_unstable();
            d.dedup();
            proptest::prop_assert_eq!(has_distinct(&v, n), d.len() >= n);
        }
    }

    #[test]
    fn ascii_words_on_news_text() {
        let t =
            "hong kong (ap) -- the u.s. fund's 1,000,000.50 shares, a:b won't; x_y __ 3.5% e.g.";
        let fast: Vec<&str> = ascii_words(t).collect();
        assert_eq!(fast, t.unicode_words().collect::<Vec<_>>());
        assert!(fast.contains(&"u.s") && fast.contains(&"1,000,000.50") && fast.contains(&"won't"));
    }

    /// Every Indic mark the fast path takes, after every letter and every mark of its script:
    /// a combining mark (UAX #29 Extend) of class 0, 7 (the nukta) or 9 (the virama), taken
    /// exactly where NFKC leaves the text alone, and then in its letter's word; after anything
    /// else, the text takes the general path.
    #[test]
    fn indic_marks_are_taken_exactly_where_normalization_leaves_them() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::UnicodeNormalization;
        // Block, letters, marks, a consonant, and how many of the texts below the fast path
        // takes: all but those where the mark sorts before the character before it (the
        // nukta after the virama, in every script that has both). Where the mark composes
        // with the character before it (`न`, `र`, `ळ` and the nukta; `ে` and `া` or `ৗ`;
        // Odia, Tamil, Kannada and Malayalam vowel signs in two parts, Tamil `ஒ` and `ௗ`,
        // Kannada `ಿ` and `ೕ`...), the fast path takes the composed character, as NFKC
        // gives it. The counts were worked out apart from this code, with Python's
        // `unicodedata` (Unicode 14): the texts whose NFKC form is the text with each mark
        // joined to the character before it where NFC makes one character of the two (and
        // before this rule, the texts NFKC leaves alone: 6,112 for Devanagari, 2,616 for
        // Bengali, 3,016 for Odia, 1,420 for Tamil, 3,464 for Kannada and 4,134 for
        // Malayalam).
        for (block, counts, first, taken_expected) in [
            (0x900u32, (72, 30), '\u{915}', 2 * (30 * (72 + 30) - 1)),
            (0x980, (50, 19), '\u{995}', 2 * (19 * (50 + 19) - 1)),
            (0xA00, (45, 18), '\u{A15}', 2 * (18 * (45 + 18) - 1)),
            (0xA80, (53, 26), '\u{A95}', 2 * (26 * (53 + 26) - 1)),
            (0xB00, (51, 21), '\u{B15}', 2 * (21 * (51 + 21) - 1)),
            (0xB80, (37, 14), '\u{B95}', 2 * (14 * (37 + 14))),
            (0xC00, (57, 22), '\u{C15}', 2 * (22 * (57 + 22) - 1)),
            (0xC80, (57, 22), '\u{C95}', 2 * (22 * (57 + 22) - 1)),
            (0xD00, (67, 23), '\u{D15}', 2 * (23 * (67 + 23))),
        ] {
            let chars: Vec<char> = (block..block + 0x80).filter_map(char::from_u32).collect();
            let letters: Vec<char> = chars.iter().copied().filter(|&c| indic_letter(c)).collect();
            let marks: Vec<char> = chars.iter().copied().filter(|&c| indic_mark(c)).collect();
            assert_eq!((letters.len(), marks.len()), counts);
            let mut taken = 0;
            for &m in &marks {
                assert!(!fast_letter(m) && fold_one(m).is_none(), "{m}");
                let class = canonical_combining_class(m);
                assert!(matches!(class, 0 | 7 | 9), "{m}: class {class}");
                let befores = letters
                    .iter()
                    .map(|l| l.to_string())
                    .chain(marks.iter().map(|p| format!("{first}{p}")));
                for before in befores {
                    for t in [format!("{before}{m}"), format!("{before}{m}{first}")] {
                        let nfkc: String = t.nfkc().collect();
                        if let Some(fast) = fast_text(&t, 1) {
                            taken += 1;
                            assert_eq!(fast.text, nfkc, "{t}");
                            assert_eq!(normalize(&t), nfkc, "{t}");
                            let words: Vec<&str> = nfkc.unicode_words().collect();
                            assert_eq!(words, [nfkc.as_str()], "{t}");
                        } else {
                            assert_ne!(nfkc, t, "{t}");
                        }
                        fast_path_agrees(&format!("x {t}.{t} 1{t}:{t}'s {t}\u{B7}{t} {t}"), 2)
                            .unwrap_or_else(|e| panic!("{t}: {e}"));
                    }
                }
                let other = if block == 0x900 { '\u{995}' } else { '\u{915}' };
                let neighbour = char::from_u32(first as u32 ^ 0x80).expect("a consonant");
                for t in [
                    format!(" {m}"),
                    format!("1{m}"),
                    format!("a{m}"),
                    format!("\u{5D0}{m}"),
                    format!("{other}{m}"),
                    format!("{neighbour}{m}"),
                ] {
                    assert!(fast_text(&t, 1).is_none(), "{t}");
                    fast_path_agrees(&t, 1).unwrap_or_else(|e| panic!("{t}: {e}"));
                }
            }
            assert_eq!(taken, taken_expected, "block {block:X}");
        }
    }

    /// `snippet` at every offset from a block edge (the carries between blocks) takes the
    /// fast path and agrees with the general one.
    fn fast_path_agrees_at_every_offset(snippet: &str) {
        for pad in 0..140 {
            let t = format!(
                "{} {snippet} x",
                "ab".repeat(pad / 2) + &"c".repeat(pad % 2)
            );
            assert!(fast_text(&t, 1).is_some(), "{t}");
            for k in 1..3 {
                fast_path_agrees(&t, k).unwrap_or_else(|e| panic!("{t:?}: {e}"));
            }
        }
    }

    /// Vowel signs written in parts take the fast path as the one character NFKC makes of
    /// them, at every offset from a block edge, two and three parts (Kannada `ೆ` `ೂ` `ೕ` is
    /// `ೋ`), several in a word and next to folded punctuation. (The report's sentence keys of
    /// such text: `report::changes`' tests.)
    #[test]
    fn vowel_signs_in_parts_take_the_fast_path_composed() {
        use unicode_normalization::UnicodeNormalization;
        for snippet in [
            "\u{995}\u{9C7}\u{9BE}\u{9B2}",
            "\u{995}\u{9C7}\u{9D7} \u{9AE}\u{9C7}\u{9BE}\u{9A8}\u{9C7}\u{9BE}",
            "\u{B15}\u{B47}\u{B56}\u{B15}\u{B47}\u{B3E}",
            "\u{B95}\u{BC6}\u{BBE}\u{B9F}\u{BC7}\u{BBE} \u{B92}\u{BD7}",
            "\u{C95}\u{CC6}\u{CC2}\u{CD5}\u{C95}\u{CBF}\u{CD5}",
            "\u{D15}\u{D46}\u{D3E}\u{201C}\u{D15}\u{D47}\u{D3E}\u{201D}",
            "\u{928}\u{93C}\u{93E} \u{930}\u{93C}\u{94D}",
        ] {
            let nfkc: String = snippet.nfkc().collect();
            assert_ne!(nfkc, snippet);
            let fast = fast_text(snippet, 1).expect(snippet);
            assert_eq!(fast.text, nfkc.replace(['\u{201C}', '\u{201D}'], "\""));
            fast_path_agrees_at_every_offset(snippet);
        }
        // Parts in the other order are left as they are, as NFKC leaves them; a part after a
        // space, or the nukta after the virama (which NFC puts before it), is for the general
        // path.
        let t = "\u{995}\u{9BE}\u{9C7}";
        assert_eq!(fast_text(t, 1).expect(t).text, t);
        for t in ["\u{995}\u{9C7} \u{9BE}", "\u{915}\u{94D}\u{93C}"] {
            assert!(fast_text(t, 1).is_none(), "{t}");
            fast_path_agrees(t, 1).unwrap();
        }
    }

    /// `second_part` lists every character that NFC composes with one before it in the
    /// Indic blocks, and nothing else.
    #[test]
    fn second_parts_are_those_nfc_composes() {
        use unicode_normalization::char::compose;
        let chars: Vec<char> = (0x900..0xD80).filter_map(char::from_u32).collect();
        for &c in &chars {
            let composes = chars.iter().any(|&l| compose(l, c).is_some());
            assert_eq!(second_part(c), composes, "{c} U+{:04X}", c as u32);
        }
    }

    /// Hebrew's quote rules at every offset from a block edge: the carries between blocks.
    #[test]
    fn hebrew_quotes_at_every_offset() {
        for snippet in [
            "\u{5D1}'5",
            "\u{5D1}'_",
            "\u{5D1}`7",
            "\u{5E6}\u{5D4}\"\u{5DC}",
            "\u{5D1}''\u{5D2}",
            "\u{5D1}\"a",
            "a'\u{5D1}",
            "\u{5D1}'\u{5D2}",
            "5\u{5D1}'5",
            "\u{5D1}\"5",
        ] {
            fast_path_agrees_at_every_offset(snippet);
        }
    }

    /// `c` in each of `contexts` (`{}` stands for it): the fast path takes the text, and agrees
    /// with the general path for word `k`-shingles, each `k` of `ks`.
    fn taken_in_contexts(c: char, contexts: &[&str], ks: &[usize]) {
        for context in contexts {
            let t = context.replace("{}", &c.to_string());
            assert!(fast_text(&t, 1).is_some(), "{t:?}");
            for &k in ks {
                fast_path_agrees(&t, k).unwrap_or_else(|e| panic!("{t:?}: {e}"));
            }
        }
    }

    /// Every character for which `p` is true.
    fn chars_where(p: fn(char) -> bool) -> Vec<char> {
        (0..0x11_0000)
            .filter_map(char::from_u32)
            .filter(|&c| p(c))
            .collect()
    }

    /// Each `transparent` character is left alone by NFKC and lower case and is part of the
    /// word of the letter before it; between two letters of any alphabet of the fast path the
    /// fast path takes it, anywhere else the general path does; and either way, and at every
    /// offset from a block edge, the words are those of normalizing and UAX #29.
    #[test]
    fn zero_width_marks_are_taken_between_letters_only() {
        use unicode_normalization::UnicodeNormalization;
        let all = chars_where(transparent);
        assert_eq!(all.len(), 8);
        let letters = [
            'a', 'Z', '\u{E9}', '\u{416}', '\u{3B1}', '\u{5D0}', '\u{645}', '\u{6CC}', '\u{915}',
            '\u{995}', '\u{D55C}', '\u{1EA1}',
        ];
        let others = [
            '1', '\u{663}', '\u{6F3}', ' ', '.', '\'', '"', ':', '_', '-', '\u{94D}', '\u{9BE}',
            '\u{2019}',
        ];
        for &t in &all {
            assert_eq!(t.to_string().nfkc().collect::<String>(), t.to_string());
            assert!(t.to_lowercase().eq([t]));
            assert!(!fast_letter(t) && !indic_mark(t) && fold_one(t).is_none());
            for &l in &letters {
                for &r in &letters {
                    let word = format!("{l}{t}{r}");
                    let w: Vec<&str> = word.unicode_words().collect();
                    assert_eq!(w, [word.as_str()], "U+{:04X}", t as u32);
                    let text = format!("x {word} y");
                    assert!(fast_text(&text, 1).is_some(), "{text:?}");
                    fast_path_agrees(&text, 2).unwrap_or_else(|e| panic!("{text:?}: {e}"));
                }
                // After a virama (a mark: still in the letter's word), before a letter.
                let t2 = format!("\u{915}\u{94D}{t}{l}");
                fast_path_agrees(&t2, 1).unwrap_or_else(|e| panic!("{t2:?}: {e}"));
                // Next to anything but two letters: the general path.
                let edges = [format!("{t}{l}"), format!("{l}{t}")];
                for text in others
                    .iter()
                    .flat_map(|o| [format!("{l}{t}{o}"), format!("{o}{t}{l}")])
                    .chain(edges)
                {
                    assert!(fast_text(&text, 1).is_none(), "{text:?}");
                    fast_path_agrees(&text, 1).unwrap_or_else(|e| panic!("{text:?}: {e}"));
                }
            }
        }
        fast_path_agrees_at_every_offset("\u{645}\u{6CC}\u{200C}\u{634}\u{648}\u{62F} \u{6A9}\u{62A}\u{627}\u{628}\u{200C}\u{647}\u{627}");
        fast_path_agrees_at_every_offset(
            "co\u{AD}operate \u{5D0}\u{200F}\u{5D1} \u{915}\u{94D}\u{200D}\u{937}",
        );
    }

    #[test]
    fn fast_letters_are_letters_unchanged_by_nfkc_and_lower_to_one_letter() {
        use unicode_normalization::UnicodeNormalization;
        for c in '\0'..='\u{FFFF}' {
            assert_eq!(fast_letter(c), listed_letter(c as u32), "the table at {c}");
            assert_eq!(
                indic_mark(c),
                indic_mark_at(c as u32),
                "the mark table at {c}"
            );
        }
        let mut checked = 0;
        for c in ('\u{80}'..='\u{FFFF}').filter(|&c| fast_letter(c)) {
            checked += 1;
            assert!(c.is_alphabetic(), "{c}");
            assert_eq!(
                c.to_string().nfkc().collect::<String>(),
                c.to_string(),
                "{c}"
            );
            let lower: Vec<char> = c.to_lowercase().collect();
            assert!(lower.len() == 1 && fast_letter(lower[0]), "{c}");
            assert_eq!(lower[0].len_utf8(), c.len_utf8(), "{c}");
            assert_eq!(normalize(&c.to_string()), lower[0].to_string(), "{c}");
            let word = format!("a{c}b's{c}");
            assert_eq!(
                word.unicode_words().collect::<Vec<_>>(),
                [word.as_str()],
                "{c}"
            );
            // A word letter (UAX #29 ALetter): it starts a word after a space (a combining
            // mark would join the space), and joins across `.` and `:` and after a digit.
            let c = c.to_string();
            assert_eq!(
                format!("x {c} {c}.{c} {c}:{c} 1{c}")
                    .unicode_words()
                    .collect::<Vec<_>>(),
                [
                    "x".to_string(),
                    c.clone(),
                    format!("{c}.{c}"),
                    format!("{c}:{c}"),
                    format!("1{c}")
                ],
                "{c}"
            );
            // Quote marks after it or between two of it cut as after an ASCII letter; a Hebrew
            // letter keeps a `'` after it and a `"` between two of them (what the scanner does
            // for them, by the rules WB7a-c).
            let words = format!("{c}' {c}\"{c}");
            let words: Vec<&str> = words.unicode_words().collect();
            if (0x5D0..=0x5EA).contains(&(c.chars().next().expect("one") as u32)) {
                assert_eq!(words, [format!("{c}'"), format!("{c}\"{c}")], "{c}");
            } else {
                assert_eq!(words, [c.clone(), c.clone(), c.clone()], "{c}");
            }
        }
        assert_eq!(
            checked,
            960 + 27 + 147 + 72 + 50 + 45 + 53 + 51 + 37 + 57 + 57 + 67 + 253 + 11_172,
            "the letters of the fast path (then Hebrew, Arabic, Devanagari, Bengali, Gurmukhi, \
             Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Latin Extended Additional, \
             Hangul)"
        );
        // Not letters, changed by NFKC or lower-casing, a combining mark, a Hebrew point, a
        // Hebrew ligature, geresh, an Arabic vowel mark, an Arabic-Indic digit, `ẚ`, `ẛ` and
        // `ẞ`.
        for c in [
            '\u{D7}', '\u{F7}', '\u{130}', '\u{133}', '\u{17F}', '\u{483}', '\u{3D0}', '\u{5B4}',
            '\u{5F0}', '\u{5F3}', '\u{64B}', '\u{660}', '\u{675}', '\u{1E9A}', '\u{1E9B}',
            '\u{1E9E}',
        ] {
            assert!(!fast_letter(c), "{c}");
        }
    }

    /// The ordinal indicators, `™`, `℠` and `№` are folded to the letters NFKC makes of them:
    /// the fast path takes them next to letters, digits, the middle dot, the zero-width
    /// joiners and quotes, and agrees with the general path there and at every offset from a
    /// block edge.
    #[test]
    fn letter_symbols_fold_to_their_letters() {
        use unicode_normalization::UnicodeNormalization;
        let all = chars_where(letter_fold);
        assert_eq!(all.len(), 5);
        for c in all {
            let l = fold_one(c).expect("folded");
            assert_eq!(c.to_string().nfkc().collect::<String>().to_lowercase(), l);
            assert!(l.bytes().all(|b| b.is_ascii_lowercase()), "{c}");
            let contexts = [
                "1{}",
                "n{}5",
                "{}C",
                "a\u{B7}{}",
                "{}\u{B7}a",
                "x{}\u{200C}b",
                "b\u{200C}{}",
                "{}'s",
                "\u{2019}{}",
                "{}{}",
                "2.{} y",
                "\u{5D0}{}\"\u{5D1}",
                "{} \u{645}",
                "\u{43F}\u{440}{}5",
                "Apple{} Inc",
                "{} \u{20B9}",
            ];
            taken_in_contexts(c, &contexts, &[1, 2]);
            fast_path_agrees_at_every_offset(&format!("n{c} 1{c}\u{B7}a {c}C"));
        }
    }

    #[test]
    fn folded_symbols_cut_words_as_an_ascii_symbol_does() {
        use unicode_normalization::UnicodeNormalization;
        for c in [
            '\u{A2}', '\u{A3}', '\u{A5}', '\u{A7}', '\u{A9}', '\u{AE}', '\u{B0}', '\u{B6}',
            '\u{2022}', '\u{20AC}', '\u{61B}', '\u{61F}', '\u{6D4}', '\u{5BE}', '\u{964}',
            '\u{965}', '\u{A1}', '\u{BF}', '\u{A4}', '\u{A6}', '\u{AC}', '\u{B1}', '\u{D7}',
            '\u{F7}', '\u{2020}', '\u{2021}', '\u{2030}', '\u{2190}', '\u{2191}', '\u{2192}',
            '\u{2193}', '\u{25A0}', '\u{25CF}', '\u{20A6}', '\u{20A9}', '\u{20B4}', '\u{20B9}',
            '\u{20BA}', '\u{20BD}', '\u{200B}',
        ] {
            assert_eq!(fold_one(c), Some("#"), "{c}");
            assert_eq!(
                c.to_string().nfkc().collect::<String>(),
                c.to_string(),
                "{c}"
            );
            for context in [
                "a{}b", "1{}2", "a.{}b", "{}", "x{}'y", "5,{}3", "_{}_a", "{}{}",
            ] {
                let with = context.replace("{}", &c.to_string());
                let plain = context.replace("{}", "#");
                let n = normalize(&with);
                let m = normalize(&plain);
                assert_eq!(
                    n.unicode_words().collect::<Vec<_>>(),
                    m.unicode_words().collect::<Vec<_>>(),
                    "{with:?}"
                );
            }
        }
    }

    /// Every native digit, in every context that cuts or joins words differently for a
    /// letter and a digit, after and before letters of every script of the fast path, and at
    /// every offset from a block edge: the fast path takes the text (but for the Arabic comma
    /// between two digits) and cuts and hashes it as normalizing and UAX #29 do.
    #[test]
    fn native_digits_take_the_fast_path_with_the_same_result() {
        use unicode_normalization::UnicodeNormalization;
        let digits: Vec<char> = ('\u{80}'..='\u{FFFF}')
            .filter(|&c| native_digit(c))
            .collect();
        assert_eq!(digits.len(), 110);
        for &d in &digits {
            assert!(d.is_numeric() && !fast_letter(d) && !indic_mark(d), "{d}");
            assert_eq!(d.to_string().nfkc().collect::<String>(), d.to_string());
            assert_eq!(d.to_lowercase().collect::<String>(), d.to_string());
            let contexts = [
                "{}",
                "{}{}",
                "x {} y",
                "1{}",
                "{}1",
                "a{}",
                "{}a",
                "{}.{}",
                "{},{}",
                "{};{}",
                "{}'{}",
                "{}:{}",
                "{}_{}",
                "{}.a",
                "a.{}",
                "a'{}",
                "{}'a",
                "{},a",
                "\u{628}{}",
                "{}\u{628}",
                "\u{995}{}\u{995}",
                "\u{915}{}",
                "\u{5D0}{}",
                "\u{5D0}'{}",
                "\u{5D0}\"{}",
                "\u{D55C}{}",
                "\u{E9}{}",
                "{}\u{B7}{}",
                "{}\u{60C}a",
                "{}\u{2019}{}",
                "{}\u{2014}{}",
                "-{}.{}%",
            ];
            taken_in_contexts(d, &contexts, &[1]);
            for t in [
                format!("{d}\u{60C}{d}"),
                format!("{d}\u{60C}1"),
                format!("1\u{60C}{d}"),
            ] {
                assert!(fast_text(&t, 1).is_none(), "{t}");
                fast_path_agrees(&t, 1).unwrap_or_else(|e| panic!("{t}: {e}"));
            }
        }
        for snippet in [
            "\u{661}\u{662},\u{663}",
            "\u{9E8}.\u{9E6}",
            "a\u{6F1}",
            "\u{5D0}'\u{967}",
        ] {
            fast_path_agrees_at_every_offset(snippet);
        }
    }

    #[test]
    fn arabic_comma_cuts_words_as_a_comma_does_except_between_digits() {
        for context in [
            "a{}b",
            "{}",
            "x {} y",
            "1{}a",
            "a{}2",
            "{}{}",
            "_{}_",
            "\u{628}{}\u{628}",
        ] {
            let with = context.replace("{}", "\u{60C}");
            let plain = context.replace("{}", ",");
            assert_eq!(
                normalize(&with).unicode_words().collect::<Vec<_>>(),
                normalize(&plain).unicode_words().collect::<Vec<_>>(),
                "{with:?}"
            );
            assert!(fold_punctuation(&with).is_some(), "{with:?}");
        }
        // Between two digits it is part of a number: the general path.
        assert_eq!(
            normalize("1\u{60C}2").unicode_words().collect::<Vec<_>>(),
            ["1\u{60C}2"]
        );
        assert!(fold_punctuation("1\u{60C}2").is_none());
    }

    #[test]
    fn middle_dot_joins_letters_only_as_the_general_path_does() {
        for context in [
            "a{}b",
            "1{}2",
            "a{}1",
            "{}",
            "a {} b",
            "\u{D55C}{}\u{BBF8}",
            "\u{E9}{}\u{436}",
            "a{}{}b",
            "_{}a",
            "a.{}b",
            "a{}b{}c",
            "\u{D55C}{}",
            "\u{2019}{}a",
            "a{}\u{2019}",
        ] {
            let t = context.replace("{}", "\u{B7}");
            assert!(fold_punctuation(&t).is_some(), "{t:?}");
            fast_path_agrees(&t, 1).unwrap();
            fast_path_agrees(&t, 2).unwrap();
        }
    }

    #[test]
    fn seed_changes_hashes() {
        let t = "the quick brown fox jumps over the lazy dog";
        assert_ne!(shingles(t, auto(), 1).hashes, shingles(t, auto(), 2).hashes);
    }
}
