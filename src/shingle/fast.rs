//! The fast scanner: word hashes straight from raw text in one pass, for the text it takes
//! (ASCII, typographic punctuation folded, and the letters of [`fast_letter`]): what
//! normalizing, splitting into UAX #29 words and hashing each word gives, without building the
//! normalized string.
//!
//! Owns: which text takes the fast path and its folding, the tables of the letters and marks it
//! takes (built at compile time or once), the classification of 64-byte blocks into bit planes
//! (`wide` vectors) and the word scanner over them. Must not: choose the tokenization or hash
//! windows of words (the general module does); every answer here equals the general path's,
//! and the tests check it against `normalize` and `unicode_words`.

use super::hash::{len_keys, mix, word_hash};

/// The text the fast path takes for word `k`-shingles of `text`: the text itself when it is
/// ASCII, the text with its punctuation folded when it has no other non-ASCII character than
/// [`fold_punctuation`] takes; `None` for the general path.
pub(super) fn fast_text(text: &str, k: usize) -> Option<Fast<'_>> {
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
pub(super) struct Fast<'a> {
    /// The bytes whose words are hashed.
    pub(super) text: std::borrow::Cow<'a, str>,
    /// When the text has [`native_digit`]s: the same bytes with each byte of those digits
    /// as `0`, which is what the scanner classifies. A native digit is a digit to UAX #29
    /// (Numeric), as `0` is, and NFKC and lower-casing leave it alone, so its word is cut as
    /// if it were `0` and hashed with its own bytes.
    pub(super) classes: Option<Vec<u8>>,
}

impl Fast<'_> {
    /// `f` applied to the hash of each word, in order.
    pub(super) fn for_each_word_hash(&self, seed: u64, mut f: impl FnMut(u64)) {
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
pub(super) fn native_digit(c: char) -> bool {
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
pub(super) fn fold_punctuation(text: &str) -> Option<Fast<'_>> {
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
pub(super) fn letter_fold(c: char) -> bool {
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
pub(super) fn transparent(c: char) -> bool {
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
pub(super) fn second_part(c: char) -> bool {
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
pub(super) fn fast_letter(c: char) -> bool {
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
pub(super) fn indic_letter(c: char) -> bool {
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
pub(super) fn indic_mark(c: char) -> bool {
    indic_bit(&INDIC_MARKS, c)
}

/// [`indic_mark`] of a code point, as ranges.
pub(super) const fn indic_mark_at(cp: u32) -> bool {
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
pub(super) const fn listed_letter(cp: u32) -> bool {
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
pub(super) fn fold_one(c: char) -> Option<&'static str> {
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
/// classes of [`super::class`], with the backtick read as an apostrophe (MidNumLet), as
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
pub(super) fn raw_ascii_word_hashes(b: &[u8], seed: u64) -> Vec<u64> {
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
    /// [`len_keys`] of the seed: a key for each short word length.
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
pub(super) fn for_each_raw_ascii_word_hash(b: &[u8], seed: u64, mut f: impl FnMut(u64)) {
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
