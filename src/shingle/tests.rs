use super::fast::*;
use super::hash::*;
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

    /// Words of any text: letters, marks and digits of several scripts, punctuation (`t`);
    /// and next to Hiragana and ideographs, which are cut by a range check, with Katakana, the
    /// voicing and tone marks, ZWJ, format characters, CJK punctuation, emoji and Latin (`u`).
    #[test]
    fn unicode_words_are_those_of_the_crate(
        t in "([a-z0-9]|[\u{0590}-\u{05FF}\u{0900}-\u{097F}\u{0E00}-\u{0E7F}]|[ .,'’:_\u{00B7}\u{0660}-\u{0669}]|\\PC){0,40}",
        u in "([\u{3041}-\u{3096}\u{4E00}-\u{4E08}\u{9FFF}\u{3400}]|[\u{30A1}-\u{30FF}\u{3099}\u{309A}\u{302A}-\u{302F}\u{3000}-\u{3030}]|[\u{200D}\u{200B}\u{00AD}\u{FE0F}\u{0301}\u{1F600}\u{1F1E6}]|[a-z0-9 .'’:_]|\\PC){0,40}"
    ) {
        for t in [t, u] {
            let ours: Vec<&str> = unicode_words(&t).collect();
            let uax: Vec<&str> = t.unicode_words().collect();
            proptest::prop_assert_eq!(ours, uax);
        }
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
        // As the first pass calls it: scratch space and output kept from an earlier text.
        let (mut words, mut out) = (vec![7u64; 3], vec![1u64, 2]);
        let tokenization = shingle_hashes_into(&t, ShingleMode::Words(3), 5, &mut words, &mut out);
        proptest::prop_assert_eq!(&out[..2], &[1u64, 2][..]);
        let mut raw = out.split_off(2);
        raw.sort_unstable();
        raw.dedup();
        let expected = shingles_of_text(&t, ShingleMode::Words(3), 5);
        proptest::prop_assert_eq!(tokenization, expected.tokenization);
        proptest::prop_assert_eq!(raw, expected.hashes);
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
    let t = "hong kong (ap) -- the u.s. fund's 1,000,000.50 shares, a:b won't; x_y __ 3.5% e.g.";
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
        '\u{5F0}', '\u{5F3}', '\u{64B}', '\u{660}', '\u{675}', '\u{1E9A}', '\u{1E9B}', '\u{1E9E}',
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
        '\u{A2}', '\u{A3}', '\u{A5}', '\u{A7}', '\u{A9}', '\u{AE}', '\u{B0}', '\u{B6}', '\u{2022}',
        '\u{20AC}', '\u{61B}', '\u{61F}', '\u{6D4}', '\u{5BE}', '\u{964}', '\u{965}', '\u{A1}',
        '\u{BF}', '\u{A4}', '\u{A6}', '\u{AC}', '\u{B1}', '\u{D7}', '\u{F7}', '\u{2020}',
        '\u{2021}', '\u{2030}', '\u{2190}', '\u{2191}', '\u{2192}', '\u{2193}', '\u{25A0}',
        '\u{25CF}', '\u{20A6}', '\u{20A9}', '\u{20B4}', '\u{20B9}', '\u{20BA}', '\u{20BD}',
        '\u{200B}',
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

proptest::proptest! {
    /// Character n-grams and the choice of tokenization, with kana and ideographs taken by a
    /// range check on their bytes, are those of their definitions over decoded characters.
    #[test]
    fn char_grams_and_choice_match_their_definitions(
        t in "([\u{3041}-\u{3096}\u{30A1}-\u{30FF}\u{4E00}-\u{4E10}\u{9FF0}-\u{9FFF}\u{3400}]|\\PC|[a-z0-9 ]){0,40}",
        n in 1usize..5,
    ) {
        let kept: String = t
            .chars()
            .filter(|&c| crate::normalize::plain_cjk(c) || c.is_alphanumeric())
            .collect();
        let chars: Vec<char> = kept.chars().collect();
        let defined: Vec<u64> = chars
            .windows(n)
            .map(|w| xxhash_rust::xxh3::xxh3_64_with_seed(w.iter().collect::<String>().as_bytes(), 5))
            .collect();
        proptest::prop_assert_eq!(char_shingles(&t, n, 5), defined);

        let letters = t.chars().filter(|c| c.is_alphabetic()).count();
        let unspaced = t.chars().filter(|&c| c.is_alphabetic() && is_unspaced_script(c)).count();
        let chars_chosen = !t.is_ascii() && unspaced * 10 >= letters * 3 && unspaced > 0;
        proptest::prop_assert_eq!(
            choose(&t, auto()) == Tokenization::Chars(3),
            chars_chosen
        );
    }
}
