//! Unicode properties of single characters, for the general (non-fast) path of normalization
//! and shingling: the Basic Multilingual Plane from a table built once, the other planes
//! from the standard library and `unicode-normalization` directly.
//!
//! Owns: the table and the functions that read it. Must not: decide anything itself; each
//! function answers exactly what the function it stands for answers (`char::is_alphabetic`,
//! `char::is_alphanumeric`, `char::to_lowercase`, `unicode_normalization::is_nfkc_quick`), and
//! the tests compare them on every code point. Text in Hebrew, the Indic scripts, Thai and
//! other scripts the one-pass scanner does not take spent most of its time in those look-ups
//! (searches through range tables, one long `match` for the NFKC quick check).

use std::sync::OnceLock;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized};

/// `char::is_alphabetic`.
const ALPHABETIC: u8 = 1;
/// `char::is_alphanumeric`.
const ALPHANUMERIC: u8 = 2;
/// The NFKC quick check says yes and the canonical combining class is 0.
const NFKC_STARTER: u8 = 4;
/// `char::to_lowercase` gives the character itself, alone.
const OWN_LOWER: u8 = 8;

/// The properties of each BMP code point (surrogates: none).
fn table() -> &'static [u8; 0x10000] {
    static TABLE: OnceLock<Box<[u8; 0x10000]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0u8; 0x10000]);
        for (cp, slot) in t.iter_mut().enumerate() {
            if let Some(c) = char::from_u32(cp as u32) {
                *slot = properties(c);
            }
        }
        t
    })
}

/// The table's bits for `c`, from the functions they stand for.
fn properties(c: char) -> u8 {
    let mut p = 0;
    if c.is_alphabetic() {
        p |= ALPHABETIC;
    }
    if c.is_alphanumeric() {
        p |= ALPHANUMERIC;
    }
    if canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
        p |= NFKC_STARTER;
    }
    let mut lower = c.to_lowercase();
    if lower.next() == Some(c) && lower.next().is_none() {
        p |= OWN_LOWER;
    }
    p
}

/// The bits of `c`: from the table in the BMP, computed elsewhere.
#[inline]
fn bits(c: char) -> u8 {
    match u16::try_from(c as u32) {
        Ok(i) => table()[usize::from(i)],
        Err(_) => properties(c),
    }
}

/// `c.is_alphabetic()`.
#[inline]
pub(crate) fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    bits(c) & ALPHABETIC != 0
}

/// `c.is_alphanumeric()`.
#[inline]
pub(crate) fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    bits(c) & ALPHANUMERIC != 0
}

/// True when `c.to_lowercase()` is `c` alone.
#[inline]
pub(crate) fn is_own_lowercase(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_uppercase();
    }
    bits(c) & OWN_LOWER != 0
}

/// `unicode_normalization::is_nfkc_quick(chars)`: the same steps, with the usual character
/// (quick check yes, combining class 0) answered by the table.
pub(crate) fn nfkc_quick(chars: impl Iterator<Item = char>) -> IsNormalized {
    let mut last_class = 0u8;
    let mut result = IsNormalized::Yes;
    for c in chars {
        if c.is_ascii() || bits(c) & NFKC_STARTER != 0 {
            last_class = 0;
            continue;
        }
        let class = canonical_combining_class(c);
        if last_class > class && class != 0 {
            return IsNormalized::No;
        }
        match is_nfkc_quick(std::iter::once(c)) {
            IsNormalized::Yes => {}
            IsNormalized::No => return IsNormalized::No,
            IsNormalized::Maybe => result = IsNormalized::Maybe,
        }
        last_class = class;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_code_point_answers_as_the_functions_it_stands_for() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(
                is_own_lowercase(c),
                c.to_lowercase().eq(std::iter::once(c)),
                "{c:?}"
            );
            assert_eq!(
                nfkc_quick(std::iter::once(c)),
                is_nfkc_quick(std::iter::once(c)),
                "{c:?}"
            );
        }
    }

    /// Characters around which the quick check's answer turns: combining marks of several
    /// classes (out of order is "no"), characters that NFKC changes, and ones it may compose.
    fn tricky() -> impl Strategy<Value = char> {
        prop_oneof![
            any::<char>(),
            prop::sample::select(vec![
                'a',
                'e',
                '\u{0300}',
                '\u{0301}',
                '\u{0316}',
                '\u{0327}',
                '\u{0345}',
                '\u{05B0}',
                '\u{05BC}',
                '\u{093C}',
                '\u{094D}',
                '\u{0915}',
                '\u{093F}',
                '\u{0E48}',
                '\u{0E38}',
                '\u{1100}',
                '\u{1161}',
                '\u{11A8}',
                '\u{AC00}',
                '\u{00C5}',
                '\u{212B}',
                '\u{FB01}',
                '\u{FF21}',
                '\u{3099}',
                '\u{304B}',
                '\u{0F73}',
                '\u{1D15E}',
                '\u{2F800}',
            ]),
        ]
    }

    proptest! {
        #[test]
        fn quick_check_of_any_text_is_that_of_unicode_normalization(
            text in prop::collection::vec(tricky(), 0..24)
        ) {
            prop_assert_eq!(
                nfkc_quick(text.iter().copied()),
                is_nfkc_quick(text.iter().copied())
            );
        }
    }
}
