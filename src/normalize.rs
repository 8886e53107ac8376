//! Text normalization before shingling.
//!
//! Owns: the one canonical form that makes cosmetic differences between copies vanish: Unicode
//! NFKC (full-width letters, ligatures, compatibility forms), lower case, typographic quotes
//! folded to `'` and `"`, dashes and minus signs folded to `-`, every run of whitespace to one
//! space, no leading or trailing space. Must not: drop words or change their order.
//!
//! ```
//! use neardup::normalize::normalize;
//! assert_eq!(normalize("  Pop \u{201C}Idol\u{201D}\u{2014}Kamimura\u{2019}s  fans\n"),
//!            "pop \"idol\"-kamimura's fans");
//! ```

use crate::chars::nfkc_quick;
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Folds one character: quotes, dashes and whitespace to their plain ASCII form.
fn fold(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{0060}'
        | '\u{00B4}' | '\u{2039}' | '\u{203A}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' | '\u{300C}' | '\u{300D}' | '\u{300E}' | '\u{300F}' | '\u{301D}'
        | '\u{301E}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        c if c.is_whitespace() => ' ',
        c => c,
    }
}

/// Kana and CJK ideographs (Hiragana, Katakana, CJK Unified Ideographs and Extension A):
/// letters of unspaced scripts that NFKC, lower-casing and folding all leave as they are (a
/// test checks every one). Japanese and Chinese text is mostly made of them, so normalizing
/// and shingling it takes them with a range check instead of Unicode table look-ups.
pub fn plain_cjk(c: char) -> bool {
    matches!(c as u32, 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// Returns the normalized form of `text` (see the module docs). Idempotent:
/// `normalize(&normalize(t)) == normalize(t)`.
///
/// Runs of plain kana and ideographs ([`plain_cjk`]) are copied as they are, a run at a time;
/// only the text between them is checked and, where it is not NFKC already, normalized. The
/// result is what the definition gives, NFKC and lower case a character at a time
/// (property-tested).
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return normalize_ascii(text);
    }
    let mut w = Writer {
        out: String::with_capacity(text.len()),
        pending_space: false,
    };
    let b = text.as_bytes();
    let mut i = 0;
    // Some piece of the output is not NFKC for sure (lower-casing can do that).
    let mut unsure = false;
    while i < b.len() {
        let run = i;
        while i < b.len() && plain_at(b, i) {
            i += 3;
        }
        if i > run {
            w.push_plain(&text[run..i]);
        }
        if i == b.len() {
            break;
        }
        let between = i;
        while i < b.len() && !plain_at(b, i) {
            i += utf8_width(b[i]);
        }
        let piece = &text[between..i];
        let from = if nfkc_quick(piece.chars()) == IsNormalized::Yes {
            let from = w.out.len();
            piece.chars().for_each(|c| lower(c, &mut w));
            from
        } else {
            // A plain character is NFKC, a starter and the second of no composition, so
            // nothing before it changes with it: NFKC of the text is NFKC of the pieces cut
            // before each (UAX #15, stable code points). It can be the first of one (`か`
            // and a voicing mark), so the plain character before the piece goes with it.
            let with = if between > run { between - 3 } else { between };
            w.out.truncate(w.out.len() - (between - with));
            let from = w.out.len();
            text[with..i].nfkc().for_each(|c| lower(c, &mut w));
            from
        };
        unsure |= nfkc_quick(w.out[from..].chars()) != IsNormalized::Yes;
    }
    let out = w.out;
    // Lower-casing can (rarely) produce text that is no longer NFKC, e.g. some Greek and
    // Cherokee letters; one more pass keeps the function idempotent. Plain runs and pieces
    // that are each NFKC make NFKC text (a plain character combines with nothing before it).
    if unsure {
        let again: String = out.nfkc().collect();
        if again != out {
            return normalize(&again);
        }
    }
    out
}

/// True when the UTF-8 character at `b[i]` is [`plain_cjk`] (all of them take 3 bytes).
#[inline]
fn plain_at(b: &[u8], i: usize) -> bool {
    let lead = b[i];
    if !(0xE3..=0xE9).contains(&lead) {
        return false;
    }
    // A 3-byte lead in valid UTF-8: two continuation bytes follow.
    let c = (u32::from(lead & 0x0F) << 12)
        | (u32::from(b[i + 1] & 0x3F) << 6)
        | u32::from(b[i + 2] & 0x3F);
    matches!(c, 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// The length of the UTF-8 character whose first byte is `lead`.
#[inline]
fn utf8_width(lead: u8) -> usize {
    match lead {
        0..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Lower-cases `c` into `w` (plain characters and those that are their own lower case as
/// they are).
#[inline]
fn lower(c: char, w: &mut Writer) {
    if c.is_ascii() {
        w.push(c.to_ascii_lowercase());
    } else if plain_cjk(c) || crate::chars::is_own_lowercase(c) {
        w.push(c);
    } else {
        for l in c.to_lowercase() {
            w.push(l);
        }
    }
}

/// [`normalize`] by its definition, a character at a time: NFKC, then lower case and folds,
/// again until nothing changes. What [`normalize`] is tested against.
#[cfg(test)]
fn by_definition(text: &str) -> String {
    let mut w = Writer {
        out: String::with_capacity(text.len()),
        pending_space: false,
    };
    text.nfkc().for_each(|c| {
        for l in c.to_lowercase() {
            w.push(l);
        }
    });
    let again: String = w.out.nfkc().collect();
    if again != w.out {
        return by_definition(&again);
    }
    w.out
}

/// The output of [`normalize`]: folded characters, whitespace runs as one space, none
/// at either end.
struct Writer {
    out: String,
    /// Whitespace was met after some output and not written yet.
    pending_space: bool,
}

impl Writer {
    /// Pushes a run of plain characters: no folding, no whitespace.
    #[inline]
    fn push_plain(&mut self, run: &str) {
        if self.pending_space {
            self.out.push(' ');
            self.pending_space = false;
        }
        self.out.push_str(run);
    }

    #[inline]
    fn push(&mut self, c: char) {
        let c = fold(c);
        if c == ' ' {
            self.pending_space = !self.out.is_empty();
        } else {
            if self.pending_space {
                self.out.push(' ');
                self.pending_space = false;
            }
            self.out.push(c);
        }
    }
}

/// The same as [`normalize`] for ASCII text, byte by byte: NFKC changes nothing, so only case,
/// the backtick and whitespace are folded.
fn normalize_ascii(text: &str) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut pending_space = false;
    for &b in text.as_bytes() {
        if b.is_ascii_whitespace() || b == 0x0B {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(b' ');
            pending_space = false;
        }
        out.push(match b {
            b'`' => b'\'',
            b => b.to_ascii_lowercase(),
        });
    }
    String::from_utf8(out).expect("ASCII in, ASCII out")
}

#[cfg(test)]
mod tests {
    use super::{by_definition, fold, normalize, normalize_ascii, plain_cjk};

    #[test]
    fn curly_quotes_fold_to_straight() {
        assert_eq!(
            normalize("\u{2018}I\u{2019}m sorry,\u{2019} he said. \u{201C}U.S.\u{201D}"),
            "'i'm sorry,' he said. \"u.s.\""
        );
    }

    #[test]
    fn dashes_and_minus_fold() {
        assert_eq!(
            normalize("HONG KONG (AP) \u{2014} prices fell \u{2212}3%"),
            "hong kong (ap) - prices fell -3%"
        );
    }

    #[test]
    fn whitespace_collapses_and_trims() {
        assert_eq!(normalize("\n\t a \u{00A0}\u{3000} b  \r\n"), "a b");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" \n "), "");
    }

    #[test]
    fn nfkc_folds_full_width_and_ligatures() {
        assert_eq!(normalize("ＴＯＫＹＯ ２０２６ ﬁnal"), "tokyo 2026 final");
    }

    #[test]
    fn cjk_and_emoji_survive() {
        assert_eq!(
            normalize("東京（共同）　上村謙信さん🎤"),
            "東京(共同) 上村謙信さん🎤"
        );
    }

    #[test]
    fn plain_cjk_is_unchanged_by_normalization_and_is_an_unspaced_letter() {
        use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
        let mut checked = 0;
        for c in ('\u{80}'..=char::MAX).filter(|&c| plain_cjk(c)) {
            checked += 1;
            let s = c.to_string();
            assert!(c.is_alphabetic() && c.is_alphanumeric(), "{c}");
            assert!(crate::shingle::is_unspaced_script(c), "{c}");
            assert_eq!(s.nfkc().collect::<String>(), s, "{c}");
            assert_eq!(is_nfkc_quick(s.chars()), IsNormalized::Yes, "{c}");
            assert_eq!(c.to_lowercase().collect::<String>(), s, "{c}");
            assert_eq!(fold(c), c, "{c}");
        }
        assert_eq!(
            checked,
            86 + 90 + 6592 + 20992,
            "kana, Extension A, unified ideographs"
        );
    }

    #[test]
    fn compositions_made_by_lower_case_or_across_a_plain_character() {
        // `J` with a caron has no composed form; `j` with one has (U+01F0).
        assert_eq!(normalize("東J\u{30C}"), "東\u{1F0}");
        // A voicing mark after a plain kana composes with it.
        assert_eq!(normalize("か\u{3099}き"), "がき");
        for t in ["東J\u{30C}", "か\u{3099}き", "ｶﾞ東\u{3000}Ａ"] {
            assert_eq!(normalize(t), by_definition(t), "{t}");
        }
    }

    #[test]
    fn idempotent_on_samples() {
        for t in [
            "ǅemal İstanbul ΣΑΣ ß ﬃ",
            "「引用」と『二重』",
            "Ⅻ ㍿ ℌ",
            "HONG KONG (AP) -- Japanese pop idol",
        ] {
            let once = normalize(t);
            assert_eq!(normalize(&once), once, "{t}");
        }
    }

    proptest::proptest! {
        /// The ASCII fast path agrees with the general path.
        #[test]
        fn ascii_path_matches_general_path(t in "[ -~\t\n\r\x0b\x0c\x1c-\x1f]{0,60}") {
            let mut general = String::new();
            let mut pending = false;
            for c in t.chars() {
                let c = fold(c);
                if c == ' ' {
                    pending = !general.is_empty();
                } else {
                    if pending {
                        general.push(' ');
                        pending = false;
                    }
                    general.extend(c.to_lowercase());
                }
            }
            proptest::prop_assert_eq!(normalize_ascii(&t), general);
        }

        /// Kana and ideographs taken as they are give what the general path gives, next to
        /// full-width forms, half-width Katakana, combining marks (voicing, accents), corner
        /// brackets, the ideographic space and ASCII.
        #[test]
        fn plain_cjk_matches_general_path(
            t in "([\u{3041}-\u{3096}][\u{3099}\u{309A}]?|[\u{30A1}-\u{30FA}][\u{3099}\u{309A}]?|[\u{309B}-\u{30A0}\u{30FB}-\u{30FF}]|[\u{4E00}-\u{4E20}\u{9FF0}-\u{9FFF}\u{3400}]|[\u{FF01}-\u{FF5E}]|[\u{FF66}-\u{FF9F}][\u{FF9E}\u{FF9F}]?|[a-z]\u{0301}|[\u{300C}-\u{300F}\u{3000}-\u{3003}]|[\u{F900}\u{2F00}]|[Aa1 .\n]){0,40}"
        ) {
            proptest::prop_assert_eq!(normalize(&t), by_definition(&t));
        }

        /// The same on text that is NFKC but for the voicing marks that may follow kana (the
        /// text of Japanese copy), where the range check decides which path is taken.
        #[test]
        fn plain_cjk_matches_general_path_on_nfkc_text(
            t in "([\u{3041}-\u{3096}][\u{3099}\u{309A}]?|[\u{30A1}-\u{30FA}][\u{3099}\u{309A}]?|[\u{30FB}-\u{30FE}]|[\u{4E00}-\u{4E20}]|[a-z]\u{0301}?|[\u{300C}\u{300D}\u{3001}\u{3002}]|[A1 .\n]){0,40}"
        ) {
            proptest::prop_assert_eq!(normalize(&t), by_definition(&t));
        }

        /// Any text, and any text between kana and ideographs.
        #[test]
        fn matches_the_definition(
            t in "\\PC{0,40}",
            cut in proptest::collection::vec(("[\u{3041}-\u{3096}\u{4E00}-\u{4E20}]", "\\PC{0,3}"), 0..12),
        ) {
            proptest::prop_assert_eq!(normalize(&t), by_definition(&t));
            let mixed: String = cut.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()]).collect();
            proptest::prop_assert_eq!(normalize(&mixed), by_definition(&mixed));
        }

        #[test]
        fn idempotent(t in "\\PC{0,60}") {
            let once = normalize(&t);
            proptest::prop_assert_eq!(normalize(&once), once);
        }
    }
}
