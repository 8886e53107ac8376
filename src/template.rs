//! Template items: near-identical texts that are different news.
//!
//! Owns: deciding, from the texts, titles, outlets and dates of a cluster's members, which of
//! them are the same item (copies of one story) and which are different items written from one
//! template: four companies' dividend notices ("Qtly div four cts vs four cts prior / Pay April
//! 15 / Record March 23"), a daily "Fed adds reserves" report, one product notice for several
//! phone models. Must not: do I/O, score shingle sets or know about clusters beyond the
//! members it is given (the pipeline splits clusters with [`items`]).
//!
//! Two members are different items ([`distinct`]) when any of these holds:
//!
//! - **Titles name different things.** Both have a title, the titles differ, the texts are
//!   not one text of [`LONG_TEXT`] words or more under titles that share a name the text
//!   writes too (that is a headline rewritten), and each title
//!   has an entity that the other document (title and text) lacks. An entity is a word with a
//!   digit, a capitalised word (not the title's first), or, in scripts without case (Chinese,
//!   Japanese, Korean, Thai, Arabic...), three or more characters in a row of which no two
//!   adjacent ones occur together in the other document (a name the other copy never writes). A headline restyled by another
//!   outlet keeps the story's names, which its text carries: syndicated copies do not qualify.
//! - **The texts differ by names.** The word-level diff of the texts holds a short
//!   substitution of one capitalised name by another (not a typo: they share few character
//!   pairs), and substitutions of names and numbers are at least half of the changed words:
//!   one notice for different products. A number changed alone (a death toll updated) is not
//!   enough.
//! - Otherwise two members with one headline (after NFKC, ignoring case, spacing and
//!   punctuation) are one story unless one outlet ran them on different days: a syndicated
//!   copy keeps the wire's headline, and this decides most pairs without reading the texts.
//! - **A recurring item.** The same outlet on dates at least a day apart, and the texts differ
//!   by a short substitution of a number by another number (`6-3/16` by `6-1/4`; a number
//!   edited into a word is a copy's edit), or are [`RECURRING_DAYS`] or more days apart: a
//!   daily report. Copies of one story by one outlet on one day (reruns, corrections) stay.
//!
//! Every test works on characters and their Unicode properties (case, digits, script), never on
//! a list of words of one language. Words are maximal runs of letters and digits (digits joined
//! by `.,/:-`, as in `6-3/16` or `1,500`); each Han or kana character is a word of its own, so
//! that the diff of Chinese and Japanese texts works by character. Texts are compared after
//! NFKC (full-width digits and letters as ASCII) and lower-casing.
//!
//! [`items`] groups members greedily in the order given (the pipeline gives the canonical
//! order: longest first): each member joins the first item whose first member it is not
//! distinct from, else starts a new item. At most [`MAX_ITEMS`] items are compared with; a
//! member distinct from all of them is an item of its own.

use similar::{capture_diff_slices, Algorithm, DiffOp};
use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;
use xxhash_rust::xxh3::xxh3_64;

/// Dates at least this many days apart make one outlet's identical texts a recurring item.
pub const RECURRING_DAYS: u32 = 14;

/// The most items of one cluster a member is compared with.
pub const MAX_ITEMS: usize = 64;

/// Words (two Han or kana characters make one) from which one text under two headlines is one
/// story whatever the headlines say: a template's notices named by their titles alone are
/// shorter (a dividend notice is 15-40 words).
const LONG_TEXT: usize = 60;

/// True when the titles of `a` and `b` share a capitalised word of three letters or more that
/// their text also writes: both headlines name the same company, country or person the story
/// is about. (Scripts without case give no such word: their titles are left to
/// [`title_names_other`].)
fn share_a_name(a: &Prepared, b: &Prepared) -> bool {
    a.title_tokens.iter().any(|t| {
        t.kind == Kind::Cased
            && t.capital
            && !t.digit
            && t.lower.chars().count() >= 3
            && b.title_tokens.iter().any(|u| u.key == t.key)
            && a.text.iter().any(|w| w.key == t.key)
    })
}

/// True when two texts have the same words (case, spacing and punctuation aside).
fn same_words(a: &[Token], b: &[Token]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.key == y.key)
}

/// The length of `text` in words, two Han or kana characters making one.
fn words(text: &[Token]) -> usize {
    let chars = text.iter().filter(|t| t.kind == Kind::Char).count();
    text.len() - chars + chars / 2
}

/// Longest side, in words, of a substitution that can be a name or number swap.
const SHORT: usize = 6;

/// What [`distinct`] needs to know of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    /// Headline, when given.
    pub title: Option<&'a str>,
    /// The article text.
    pub text: &'a str,
    /// Outlet, when given.
    pub outlet: Option<&'a str>,
    /// Publication day (days since 0001-01-01), when it could be read.
    pub day: Option<i32>,
}

/// What kind of word a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Letters and digits of a script with case, or digits alone.
    Cased,
    /// Letters of a script without case (Hangul, Thai, Arabic...): a word.
    Uncased,
    /// One Han or kana character.
    Char,
}

/// One word of a text.
#[derive(Debug, Clone)]
struct Token {
    /// The word lower-cased (held inline up to 24 bytes: no allocation for most words).
    lower: compact_str::CompactString,
    /// Hash of `lower`, what the diff compares.
    key: u64,
    kind: Kind,
    /// Has a digit.
    digit: bool,
    /// Starts with an upper-case letter.
    capital: bool,
}

/// True for Han ideographs and kana, which are words of one character here.
fn is_char_word(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x3FFFF)
}

/// One word as a token.
fn token(word: &str) -> Token {
    let (lower, cased, digit) = if word.is_ascii() {
        let b = word.as_bytes();
        let mut lower = compact_str::CompactString::from(word);
        lower.as_mut_str().make_ascii_lowercase();
        (
            lower,
            b.iter().any(u8::is_ascii_alphabetic),
            b.iter().any(u8::is_ascii_digit),
        )
    } else {
        (
            word.chars().flat_map(char::to_lowercase).collect(),
            word.chars().any(|c| c.is_uppercase() || c.is_lowercase()),
            word.chars().any(|c| c.is_numeric()),
        )
    };
    Token {
        key: xxh3_64(lower.as_bytes()),
        kind: if cased || !word.chars().any(char::is_alphabetic) {
            Kind::Cased
        } else {
            Kind::Uncased
        },
        digit,
        capital: word.chars().next().is_some_and(char::is_uppercase),
        lower,
    }
}

/// [`token`] of an ASCII word, in one pass over its bytes: the word lower-cased into a buffer
/// on the stack while its digits are noted (an ASCII word is always [`Kind::Cased`]: it has a
/// letter, or no letter at all).
fn ascii_token(word: &[u8]) -> Token {
    const INLINE: usize = 24;
    if word.len() > INLINE {
        return token(std::str::from_utf8(word).expect("ASCII"));
    }
    let mut buf = [0u8; INLINE];
    let mut digit = false;
    for (slot, &c) in buf.iter_mut().zip(word) {
        *slot = c.to_ascii_lowercase();
        digit |= c.is_ascii_digit();
    }
    let lower = &buf[..word.len()];
    Token {
        key: xxh3_64(lower),
        kind: Kind::Cased,
        digit,
        capital: word.first().is_some_and(u8::is_ascii_uppercase),
        lower: compact_str::CompactString::from_utf8(lower).expect("ASCII"),
    }
}

/// True for the characters that join two digits into one word (`6-3/16`, `1,500`).
fn joins_digits(c: char) -> bool {
    matches!(c, '.' | ',' | '/' | ':' | '-')
}

/// The words of `text` (already NFKC).
fn tokens(text: &str) -> Vec<Token> {
    if text.is_ascii() {
        ascii_tokens(text)
    } else {
        unicode_tokens(text)
    }
}

/// [`tokens`] of any text, a character at a time.
fn unicode_tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(token(word));
            word.clear();
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if is_char_word(c) {
            flush(&mut word, &mut out);
            word.push(c);
            flush(&mut word, &mut out);
            out.last_mut().expect("just pushed").kind = Kind::Char;
        } else if c.is_alphanumeric()
            || is_mark(c) && !word.is_empty()
            || joins_digits(c)
                && word.chars().last().is_some_and(char::is_numeric)
                && chars.get(i + 1).is_some_and(|n| n.is_numeric())
        {
            // A letter, a digit, a mark in its word, or `.,/:-` between two digits.
            word.push(c);
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// [`tokens`] of an ASCII text, a byte at a time: the same words (ASCII has no Han, kana or
/// marks).
fn ascii_tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 6);
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        loop {
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let joins = i + 1 < b.len()
                && joins_digits(char::from(b[i]))
                && b[i - 1].is_ascii_digit()
                && b[i + 1].is_ascii_digit();
            if !joins {
                break;
            }
            i += 1;
        }
        out.push(ascii_token(&b[start..i]));
    }
    out
}

/// Combining marks (vowel signs of Indic scripts, Thai, Arabic diacritics) stay in their word.
fn is_mark(c: char) -> bool {
    !c.is_alphanumeric()
        && !c.is_whitespace()
        && !c.is_ascii()
        && !c.is_control()
        && unicode_normalization::char::is_combining_mark(c)
}

/// A member prepared for comparisons: its words and what the title tests look up.
#[derive(Debug)]
struct Prepared {
    title_tokens: Vec<Token>,
    text: Vec<Token>,
    /// Title and text after NFKC, for [`Prepared::lookups`].
    strings: (Option<String>, String),
    /// What the title test looks up, made on first use (most pairs never need it).
    lookups: std::cell::OnceCell<Lookups>,
    /// Hash of the title and the text as given, to pass over exact copies.
    whole: u64,
}

/// What [`title_names_other`] looks up in the other document.
#[derive(Debug)]
struct Lookups {
    /// Lower-cased cased words of title and text.
    words: HashSet<String>,
    /// Character pairs of title and text, lower-cased (for the runs of uncased scripts).
    pairs: HashSet<(char, char)>,
}

impl Prepared {
    fn lookups(&self) -> &Lookups {
        self.lookups.get_or_init(|| {
            let words = self
                .title_tokens
                .iter()
                .chain(&self.text)
                .filter(|t| t.kind == Kind::Cased)
                .map(|t| t.lower.to_string())
                .collect();
            let mut pairs = HashSet::new();
            let (title, text) = &self.strings;
            for s in title.iter().map(String::as_str).chain([text.as_str()]) {
                let lower: Vec<char> = s.chars().flat_map(char::to_lowercase).collect();
                pairs.extend(lower.windows(2).map(|w| (w[0], w[1])));
            }
            Lookups { words, pairs }
        })
    }
}

fn prepare(m: &Member<'_>) -> Prepared {
    // NFKC leaves ASCII as it is.
    let nfkc = |t: &str| -> String {
        if t.is_ascii() {
            t.to_string()
        } else {
            t.nfkc().collect()
        }
    };
    let text = nfkc(m.text);
    let title: Option<String> = m.title.map(nfkc);
    let title_tokens = title.as_deref().map(tokens).unwrap_or_default();
    let body_tokens = tokens(&text);
    let whole = xxh3_64(format!("{}\u{0}{}", title.as_deref().unwrap_or(""), text).as_bytes());
    Prepared {
        title_tokens,
        text: body_tokens,
        strings: (title, text),
        lookups: std::cell::OnceCell::new(),
        whole,
    }
}

/// The entities of a title that `other` lacks: cased words with a digit or a capital (not the
/// first word, unless it has a digit) that `other` does not have, and, in scripts without case,
/// three or more characters in a row of which no two adjacent ones occur together in `other`.
fn title_names_other(a: &Prepared, other: &Prepared) -> bool {
    let other = other.lookups();
    let mut segment: Vec<char> = Vec::new();
    let absent_run = |segment: &[char]| {
        let mut run = 0;
        segment.windows(2).any(|w| {
            if other.pairs.contains(&(w[0], w[1])) {
                run = 0;
            } else {
                run += 1;
            }
            run >= 2
        })
    };
    for (i, t) in a.title_tokens.iter().enumerate() {
        match t.kind {
            Kind::Char => {
                segment.extend(t.lower.chars());
                continue;
            }
            Kind::Cased => {
                let long = t.lower.chars().count() >= 2;
                if long
                    && (t.digit || t.capital && i > 0)
                    && !other.words.contains(t.lower.as_str())
                {
                    return true;
                }
            }
            Kind::Uncased => {
                if absent_run(&t.lower.chars().collect::<Vec<_>>()) {
                    return true;
                }
            }
        }
        if absent_run(&segment) {
            return true;
        }
        segment.clear();
    }
    absent_run(&segment)
}

/// The words of `a` and `b` that differ, as substitutions `(old, new)`: the diff's replaced
/// spans (either side may be empty for an insertion or a deletion).
fn changes<'t>(a: &'t [Token], b: &'t [Token]) -> Vec<(&'t [Token], &'t [Token])> {
    let ka: Vec<u64> = a.iter().map(|t| t.key).collect();
    let kb: Vec<u64> = b.iter().map(|t| t.key).collect();
    let mut out: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for op in capture_diff_slices(Algorithm::Patience, &ka, &kb) {
        let (old, new) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        // A deletion next to an insertion is one substitution.
        match out.last_mut() {
            Some((o, n)) if o.end == old.start && n.end == new.start => {
                o.end = old.end;
                n.end = new.end;
            }
            _ => out.push((old, new)),
        }
    }
    out.into_iter().map(|(o, n)| (&a[o], &b[n])).collect()
}

/// The character pairs of a word, for telling a name swap from a typo.
fn char_pairs(s: &str) -> HashSet<(char, char)> {
    let cs: Vec<char> = s.chars().collect();
    cs.windows(2).map(|w| (w[0], w[1])).collect()
}

/// A short substitution of one capitalised name by another (not a spelling fix).
fn name_swap(old: &[Token], new: &[Token]) -> bool {
    let names = |s: &[Token]| -> String {
        s.iter()
            .filter(|t| t.kind == Kind::Cased && t.capital && !t.digit)
            .map(|t| t.lower.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (x, y) = (names(old), names(new));
    if x.is_empty() || y.is_empty() || x == y {
        return false;
    }
    let (px, py) = (char_pairs(&x), char_pairs(&y));
    let shared = px.intersection(&py).count();
    2 * shared < px.len().min(py.len()).max(1)
}

/// A short substitution of numbers by other numbers (neither one's digits within the other's).
fn number_swap(old: &[Token], new: &[Token]) -> bool {
    let digits = |s: &[Token]| -> String {
        s.iter()
            .flat_map(|t| t.lower.chars())
            .filter(|c| c.is_numeric())
            .collect()
    };
    let (x, y) = (digits(old), digits(new));
    // A number cut short by an edit (`94` to `9`) is not another number.
    !x.is_empty() && !y.is_empty() && !x.contains(&y) && !y.contains(&x)
}

fn short(old: &[Token], new: &[Token]) -> bool {
    !old.is_empty() && !new.is_empty() && old.len() <= SHORT && new.len() <= SHORT
}

/// A headline compared as its letters and digits, lower-cased, after NFKC: restyled headlines
/// (other quote marks, case, spacing) fold to one.
fn fold_title(title: &str) -> String {
    if title.is_ascii() {
        // NFKC leaves ASCII as it is.
        return title
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    title
        .nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A key of a headline: equal for headlines that fold to one ([`fold_title`]).
pub fn title_key(title: &str) -> u64 {
    xxh3_64(fold_title(title).as_bytes())
}

/// Whether [`items`] can find more than one item among members with these headline keys
/// ([`title_key`], `None` when not known), outlets and dates: false when every member has a
/// known headline, all one, and no outlet ran two of them on different days, since such
/// members are one story whatever their texts (module docs), so their texts need not be read.
pub fn may_hold_items<'o>(
    members: impl Iterator<Item = (Option<u64>, Option<&'o str>, Option<i32>)>,
) -> bool {
    let mut first: Option<u64> = None;
    let mut runs: Vec<(&'o str, Option<i32>)> = Vec::new();
    for (key, outlet, day) in members {
        let Some(key) = key else { return true };
        if *first.get_or_insert(key) != key {
            return true;
        }
        if let Some(o) = outlet {
            runs.push((o, day));
        }
    }
    runs.sort_unstable();
    runs.windows(2)
        .any(|w| w[0].0 == w[1].0 && matches!((w[0].1, w[1].1), (Some(x), Some(y)) if x != y))
}

/// A member as [`distinct_lazy`] sees it: its folded title at once, the rest prepared on
/// first use (most pairs are decided by titles, outlets and dates alone).
struct Lazy<'m, 'a> {
    member: &'m Member<'a>,
    title: Option<String>,
    prepared: std::cell::OnceCell<Prepared>,
}

impl<'m, 'a> Lazy<'m, 'a> {
    fn new(member: &'m Member<'a>) -> Self {
        Lazy {
            member,
            title: member.title.map(fold_title),
            prepared: std::cell::OnceCell::new(),
        }
    }

    fn get(&self) -> &Prepared {
        self.prepared.get_or_init(|| prepare(self.member))
    }
}

/// Whether two members are different items (see the module docs).
fn distinct_lazy(a: &Lazy<'_, '_>, b: &Lazy<'_, '_>) -> bool {
    let (am, bm) = (a.member, b.member);
    // Titles that name different things.
    let titled = a.title.is_some() && b.title.is_some();
    let titles_differ = titled && a.title != b.title;
    let apart = match (am.day, bm.day) {
        (Some(x), Some(y)) => x.abs_diff(y),
        _ => 0,
    };
    let same_outlet = am.outlet.is_some() && am.outlet == bm.outlet;
    if titles_differ {
        let (ap, bp) = (a.get(), b.get());
        // One long text under two headlines: a headline rewritten (a column's label, another
        // desk's wording), not two items, which differ in their texts or are short notices
        // named by their titles alone.
        if same_words(&ap.text, &bp.text) && words(&ap.text) >= LONG_TEXT && share_a_name(ap, bp) {
            return same_outlet && apart >= RECURRING_DAYS;
        }
        if title_names_other(ap, bp) && title_names_other(bp, ap) {
            return true;
        }
    }
    // One headline, and not one outlet's on other days: one story (a syndicated copy).
    if titled && !titles_differ && !(same_outlet && apart >= 1) {
        return false;
    }
    let (a, b) = (a.get(), b.get());
    if a.whole == b.whole {
        return same_outlet && apart >= RECURRING_DAYS;
    }
    let diff = changes(&a.text, &b.text);
    // A recurring item: one outlet, days apart.
    if same_outlet && apart >= 1 {
        if apart >= RECURRING_DAYS {
            return true;
        }
        if diff.iter().any(|(o, n)| short(o, n) && number_swap(o, n)) {
            return true;
        }
    }
    // The texts differ by names (and numbers), mostly.
    let changed: usize = diff.iter().map(|(o, n)| o.len() + n.len()).sum();
    let mut entity = 0;
    let mut names = false;
    for (o, n) in &diff {
        if !short(o, n) {
            continue;
        }
        if name_swap(o, n) {
            names = true;
            entity += o.len() + n.len();
        } else if number_swap(o, n) {
            entity += o.len() + n.len();
        }
    }
    names && 2 * entity >= changed
}

/// True when `a` and `b`, near-identical texts, are different items of one template (see the
/// module docs); false for copies of one story.
pub fn distinct(a: &Member<'_>, b: &Member<'_>) -> bool {
    distinct_lazy(&Lazy::new(a), &Lazy::new(b))
}

/// The item of each member of `members` (in the order given: the first member is item 0),
/// numbered from 0 in order of first appearance. A cluster is a template when it has more
/// than one item.
pub fn items(members: &[Member<'_>]) -> Vec<u32> {
    let lazy: Vec<Lazy<'_, '_>> = members.iter().map(Lazy::new).collect();
    let mut firsts: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(members.len());
    for (i, m) in lazy.iter().enumerate() {
        let found = firsts
            .iter()
            .take(MAX_ITEMS)
            .position(|&f| !distinct_lazy(&lazy[f], m));
        match found {
            Some(k) => out.push(k as u32),
            None => {
                out.push(firsts.len() as u32);
                firsts.push(i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn ascii_words_are_the_words_of_the_general_reading(s in "([ -~\n]|[0-9]{1,3}[.,/:-][0-9]|[A-Z][a-z]{1,5} |[A-Za-z0-9]{20,30} ){0,30}") {
            let key = |t: &Vec<super::Token>| -> Vec<(String, u64, bool, bool, super::Kind)> {
                t.iter().map(|t| (t.lower.to_string(), t.key, t.digit, t.capital, t.kind)).collect()
            };
            proptest::prop_assert_eq!(
                key(&super::ascii_tokens(&s)),
                key(&super::unicode_tokens(&s))
            );
        }
    }

    use super::*;

    fn m<'a>(title: &'a str, text: &'a str, outlet: &'a str, day: i32) -> Member<'a> {
        Member {
            title: Some(title),
            text,
            outlet: Some(outlet),
            day: Some(day),
        }
    }

    const DIV: &str = "Qtly div four cts vs four cts prior\n    Pay April 15\n    Record March 23";
    const DIV2: &str = "Qtly div four cts vs four cts prior\n    Pay April 15\n    Record March 20";
    const FED: &str = "The Federal Reserve entered the U.S. Government securities market to arrange 1.5 billion dlrs of customer repurchase agreements, a Fed spokesman said. Dealers said Federal funds were trading at 6-3/16 pct when the Fed began its temporary and indirect supply of reserves to the banking system.";

    #[test]
    fn words_keep_numbers_and_split_han_and_kana() {
        let t = tokens("Fed at 6-3/16 pct, 1,500 dlrs. 東京でiPhone 15");
        let words: Vec<&str> = t.iter().map(|t| t.lower.as_str()).collect();
        assert_eq!(
            words,
            ["fed", "at", "6-3/16", "pct", "1,500", "dlrs", "東", "京", "で", "iphone", "15"]
        );
        assert!(t[0].capital && !t[1].capital && t[2].digit);
        assert_eq!(t[6].kind, Kind::Char);
    }

    #[test]
    fn dividend_notices_of_different_companies_are_different_items() {
        let a = m(
            "SEVEN OAKS INTERNATIONAL INC <QPON> IN PAYOUT",
            DIV,
            "Reuters",
            10,
        );
        let b = m(
            "ROWE FURNITURE CORP <ROWE> SETS QTLY DIVIDEND",
            DIV2,
            "Reuters",
            10,
        );
        // Identical texts too: the titles alone tell them apart.
        let c = m(
            "KENAN TRANSPORT CO <KTCO> SETS QUARTERLY",
            DIV,
            "Reuters",
            15,
        );
        assert!(distinct(&a, &b));
        assert!(distinct(&a, &c));
        assert_eq!(items(&[a, b, c]), [0, 1, 2]);
    }

    #[test]
    fn a_long_text_under_a_rewritten_headline_is_one_story() {
        // Reuters ran this story twice within minutes, as a column and as news.
        let story = "BankAmerica Corp is not under pressure to act quickly on its proposed equity \
             offering and would do well to delay it because of the stock's recent poor \
             performance, banking analysts said. Some analysts said they have recommended \
             BankAmerica delay its up to one billion dlr equity offering, which has yet to be \
             approved by the Securities and Exchange Commission. BankAmerica stock fell this \
             week, along with other banking issues, on the news that Brazil has suspended \
             interest payments on a large portion of its foreign debt.";
        let a = m(
            "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER",
            story,
            "Reuters",
            10,
        );
        let b = m(
            "ECONOMIC SPOTLIGHT - BANKAMERICA <BAC>",
            story,
            "Reuters",
            10,
        );
        assert!(words(&tokens(story)) >= LONG_TEXT);
        assert!(!distinct(&a, &b));
        // Titles that share no name the text writes are left to the title test.
        let c = m("TALKING POINT/BANK STOCKS", story, "Reuters", 10);
        assert!(distinct(&b, &c));
        // The same headlines over a short notice name different items, as for dividends.
        let d = m(
            "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER",
            DIV,
            "Reuters",
            10,
        );
        let e = m("ECONOMIC SPOTLIGHT - BANKAMERICA <BAC>", DIV, "Reuters", 10);
        assert!(distinct(&d, &e));
        // Three weeks apart, word for word, one outlet: still a recurring item.
        assert!(distinct(
            &a,
            &m("ECONOMIC SPOTLIGHT - BANKAMERICA", story, "Reuters", 31)
        ));
    }

    #[test]
    fn a_daily_report_is_a_recurring_item() {
        let later = FED.replace("6-3/16", "6-1/4");
        let title = "FED ADDS RESERVES VIA CUSTOMER REPURCHASES";
        let a = m(title, FED, "Reuters", 100);
        // The next day, one number changed.
        assert!(distinct(&a, &m(title, &later, "Reuters", 101)));
        // Three weeks later, word for word.
        assert!(distinct(&a, &m(title, FED, "Reuters", 121)));
        // A few days later with a number edited into a word: an outlet's copy of its story.
        let edited = FED.replace("1.5 billion", "some billion");
        assert!(!distinct(&a, &m(title, &edited, "Reuters", 104)));
        // Or cut short by an edit of its characters.
        let cut = FED.replace("6-3/16 pct", "6-3 pct");
        assert!(!distinct(&a, &m(title, &cut, "Reuters", 104)));
        // The same day: a rerun or a correction, one item.
        assert!(!distinct(&a, &m(title, &later, "Reuters", 100)));
        // Another outlet the next day: a copy of the story.
        assert!(!distinct(&a, &m(title, &later, "Wire", 101)));
    }

    #[test]
    fn syndicated_copies_are_one_item() {
        let text = "WASHINGTON (AP) -- Senator Maria Lopez said on Tuesday that the bill would \
                    pass with 62 votes, and President Smith would sign it in May.";
        let copy = "WASHINGTON -- Senator Maria Lopez said Tuesday that the bill would pass \
                    with 62 votes, and President Smith would sign it in May. Photo: Lopez.";
        let a = m("Lopez expects the bill to pass", text, "AP", 5);
        // A restyled headline whose names the text carries.
        let b = m(
            "Senator says bill will pass with 62 votes",
            copy,
            "Daily",
            6,
        );
        assert!(!distinct(&a, &b));
        // An updated number alone (another outlet, the same day) is still the story.
        let updated = text.replace("62 votes", "64 votes");
        assert!(!distinct(
            &a,
            &m("Lopez expects the bill to pass", &updated, "Times", 5)
        ));
        // A typo fixed in a name is not another name.
        let typo = text.replace("Lopez", "Lopes");
        assert!(!distinct(
            &a,
            &m("Lopez expects the bill to pass", &typo, "Post", 5)
        ));
        assert_eq!(items(&[a, b]), [0, 0]);
    }

    #[test]
    fn one_notice_for_different_products_in_japanese() {
        let body = |model: &str| {
            format!(
                "{model}の新しいソフトウェア更新が本日から配信されます。カメラの画質が向上し、\
                 電池の持ちも改善されました。更新は設定画面から行えます。"
            )
        };
        let (x, y) = (body("Galaxy S24"), body("AQUOS sense8"));
        let a = Member {
            title: Some("Galaxy S24にアップデート配信"),
            text: &x,
            outlet: Some("ケータイ速報"),
            day: Some(3),
        };
        let b = Member {
            title: Some("AQUOS sense8にアップデート配信"),
            text: &y,
            outlet: Some("ケータイ速報"),
            day: Some(3),
        };
        assert!(distinct(&a, &b));
        // Without titles, the texts alone differ by the product's name.
        let (a, b) = (Member { title: None, ..a }, Member { title: None, ..b });
        assert!(distinct(&a, &b));
    }

    #[test]
    fn titles_in_scripts_without_case() {
        let body = "本公司董事会决定派发现金红利每股零点五元，股权登记日为三月二十日。";
        let a = m("华夏银行关于派发红利的公告", body, "证券时报", 1);
        let b = m("招商轮船关于派发红利的公告", body, "证券时报", 1);
        assert!(distinct(&a, &b));
        // A restyled headline of one story: its words are in the text.
        let c = m("董事会决定派发现金红利", body, "新浪", 1);
        let d = m("派发现金红利每股零点五元", body, "网易", 1);
        assert!(!distinct(&c, &d));
        let ko = "이사회는 주당 500원의 현금 배당을 결정했다. 기준일은 3월 20일이다.";
        let e = m("삼성전자 현금배당 결정", ko, "연합", 1);
        let f = m("현대자동차 현금배당 결정", ko, "연합", 1);
        assert!(distinct(&e, &f));
    }
}
