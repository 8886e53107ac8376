//! What an outlet changed: a copy compared with the reference copy of its cluster.
//!
//! Owns: cutting texts into paragraphs and sentences, the sentence-level diff (with the
//! `similar` crate) and the word-level edits inside changed sentences. Must not: decide which
//! copy is the reference (the report does).
//!
//! Sentences are compared on their normalized words, so a sentence that differs only in quote
//! marks, other punctuation, case or spacing counts as unchanged and is counted in `restyled`. Sentences
//! only in the copy are `added` passages (a caption, a local paragraph); sentences only in the
//! reference are `cut` passages (`truncated` when everything after some point is cut); a run of
//! sentences replaced by similar ones gives word-level `edits`.

use std::sync::OnceLock;

use serde::Serialize;
use similar::algorithms::{patience, Capture, Compact, DiffHook, NoFinishHook, Replace};
use similar::{diff_ratio, DiffOp, DiffableStr};
use xxhash_rust::xxh3::xxh3_64;

/// A pure insertion or deletion of at least this many words inside a changed sentence is a
/// passage (`added` or `cut`), not an edit: a caption glued to the first sentence, say.
pub const PASSAGE_WORDS: usize = 6;

/// At most this many passages and edits are listed per member; the rest are counted.
pub const MAX_ITEMS: usize = 50;

/// A word-level edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Words of the reference (empty for a pure insertion).
    pub before: String,
    /// Words of the copy (empty for a pure deletion).
    pub after: String,
}

/// The changes of one copy against the reference copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Passages the copy has and the reference does not.
    pub added: Vec<String>,
    /// Passages of the reference the copy does not have.
    pub cut: Vec<String>,
    /// True when the copy stops before the end of the reference.
    pub truncated: bool,
    /// Word-level edits inside sentences that both have in changed form.
    pub edits: Vec<Edit>,
    /// Sentences that differ only in typography (quote marks, dashes, case, spacing).
    pub restyled: u32,
    /// Passages and edits not listed because of [`MAX_ITEMS`].
    pub omitted: u32,
}

impl Changes {
    /// True when nothing at all changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.cut.is_empty() && self.edits.is_empty() && self.restyled == 0
    }
}

/// Paragraphs (lines), then sentences, trimmed, empty ones dropped.
///
/// A sentence ends after `.`, `!`, `?` or `…` (with the closing quotes and brackets after
/// them) when a space follows and the next word does not start in lower case or with a digit
/// ("approx. five" and "No. 3" go on), and after `。`, `！` and `？` whatever follows. This is
/// the core of the UAX #29 sentence rules in one pass over the text: the report cuts every
/// copy of every cluster into sentences, and the general segmenter was most of the time of a
/// `cluster` run.
///
/// ```
/// use neardup::report::changes::sentences;
/// assert_eq!(
///     sentences("The U.S. team won. Fans cheered \"loudly.\" It was approx. five p.m.\nNext."),
///     ["The U.S. team won.", "Fans cheered \"loudly.\"", "It was approx. five p.m.", "Next."]
/// );
/// assert_eq!(sentences("東京で会った。雨だった。"), ["東京で会った。", "雨だった。"]);
/// ```
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for p in text.split('\n') {
        if p.is_ascii() {
            ascii_sentences(p, &mut out);
        } else {
            unicode_sentences(p, &mut out);
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The closing marks a sentence end takes along (ASCII ones).
fn ascii_closer(b: u8) -> bool {
    matches!(b, b'.' | b'!' | b'?' | b'"' | b'\'' | b')' | b']')
}

/// `char::is_whitespace` on an ASCII byte.
fn ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// [`sentences`] of one ASCII paragraph: the same rules, jumping from one `.`, `!` or `?` to
/// the next with `memchr`.
fn ascii_sentences<'a>(p: &'a str, out: &mut Vec<&'a str>) {
    let b = p.as_bytes();
    let (mut start, mut from) = (0, 0);
    while let Some(off) = memchr::memchr3(b'.', b'!', b'?', &b[from..]) {
        let mut end = from + off + 1;
        while end < b.len() && ascii_closer(b[end]) {
            end += 1;
        }
        let ends = match b[end..].iter().find(|&&c| !ascii_space(c)) {
            None => true,
            Some(&n) => ascii_space(b[end]) && !n.is_ascii_lowercase() && !n.is_ascii_digit(),
        };
        if ends {
            out.push(p[start..end].trim());
            start = end;
        }
        from = end;
    }
    out.push(p[start..].trim());
}

/// [`sentences`] of one paragraph with non-ASCII text.
fn unicode_sentences<'a>(p: &'a str, out: &mut Vec<&'a str>) {
    let mut start = 0;
    let mut chars = p.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let full_width = matches!(c, '。' | '！' | '？');
        if !full_width && !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if matches!(
                d,
                '.' | '!'
                    | '?'
                    | '…'
                    | '"'
                    | '\''
                    | ')'
                    | ']'
                    | '\u{2019}'
                    | '\u{201D}'
                    | '»'
                    | '」'
                    | '』'
                    | '）'
                    | '。'
                    | '！'
                    | '？'
            ) {
                end = j + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let rest = &p[end..];
        let spaced = rest.starts_with(char::is_whitespace);
        let next = rest.trim_start().chars().next();
        let ends = match next {
            None => true,
            Some(n) => (spaced || full_width) && !n.is_lowercase() && !n.is_ascii_digit(),
        };
        if ends {
            out.push(p[start..end].trim());
            start = end;
        }
    }
    out.push(p[start..].trim());
}

/// What a sentence is compared on: its normalized words, without punctuation, as one hash of
/// the sequence of their hashes and their number (the words of
/// [`crate::shingle::for_each_word_hash`], so the fast
/// paths of shingling serve here too; a 64-bit collision between two sentences of one pair
/// of copies is not a practical concern).
fn key(sentence: &str) -> u64 {
    let mut k = Key::default();
    crate::shingle::for_each_word_hash(sentence, 0, |w| k.add(w));
    k.finish()
}

/// A [`key`] being built, a word at a time.
#[derive(Clone, Copy, Default)]
struct Key {
    hash: u64,
    words: u64,
}

impl Key {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(29) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.words += 1;
    }

    fn finish(self) -> u64 {
        self.hash ^ self.words.wrapping_mul(0xD6E8_FEB8_6659_FD93)
    }
}

/// The sentences of one text, each keyed ([`key`]) the first time its key is asked for
/// (`keyed[i]`). A diff asks only for the keys of the sentences that are not written the same
/// in both texts at the same place from either end: copies of a story share most of their
/// sentences word for word, and those need no key.
struct Keyed<'a> {
    sentences: Vec<&'a str>,
    keys: Vec<OnceLock<u64>>,
}

impl<'a> Keyed<'a> {
    fn new(sentences: Vec<&'a str>) -> Keyed<'a> {
        let keys = sentences.iter().map(|_| OnceLock::new()).collect();
        Keyed { sentences, keys }
    }
}

impl std::ops::Index<usize> for Keyed<'_> {
    type Output = u64;

    fn index(&self, i: usize) -> &u64 {
        self.keys[i].get_or_init(|| key(self.sentences[i]))
    }
}

/// A sequence [`trimmed_diff`] compares: items by index, and a test of equality that may be
/// cheaper than comparing them.
trait Items: std::ops::Index<usize, Output = u64> {
    /// The number of items.
    fn count(&self) -> usize;

    /// True when item `i` equals item `j` of `other`.
    fn same(&self, i: usize, other: &Self, j: usize) -> bool {
        self[i] == other[j]
    }
}

impl Items for [u64] {
    fn count(&self) -> usize {
        self.len()
    }
}

impl Items for Keyed<'_> {
    fn count(&self) -> usize {
        self.sentences.len()
    }

    /// Sentences written the same have the same key: their keys are not made.
    fn same(&self, i: usize, other: &Self, j: usize) -> bool {
        self.sentences[i] == other.sentences[j] || self[i] == other[j]
    }
}

/// A reference copy cut into sentences, to compare every other copy of its cluster with
/// ([`Reference::changes`]). The cutting waits for the first copy that is not word for word
/// the reference (a cluster of verbatim copies, common for wire stories, never needs it), and
/// each sentence is keyed the first time a copy needs its key.
pub struct Reference<'a> {
    text: &'a str,
    prepared: OnceLock<Keyed<'a>>,
}

// A `Reference` stays shareable between threads, as it was before it prepared itself lazily.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Reference<'static>>();
};

impl<'a> Reference<'a> {
    /// Prepares `text` as the reference.
    pub fn new(text: &'a str) -> Reference<'a> {
        Reference {
            text,
            prepared: OnceLock::new(),
        }
    }

    fn prepared(&self) -> &Keyed<'a> {
        self.prepared
            .get_or_init(|| Keyed::new(sentences(self.text)))
    }

    /// What `copy` changed against this reference: [`changes`].
    pub fn changes(&self, copy: &str) -> Changes {
        if copy == self.text {
            // A verbatim copy: nothing to diff.
            return Changes::default();
        }
        diff(self.prepared(), &Keyed::new(sentences(copy)))
    }
}

fn push_limited<T>(v: &mut Vec<T>, item: T, omitted: &mut u32) {
    if v.len() < MAX_ITEMS {
        v.push(item);
    } else {
        *omitted += 1;
    }
}

/// Compares `copy` with `reference`; see the module docs.
///
/// ```
/// use neardup::report::changes::changes;
/// let wire = "HONG KONG (AP) -- The idol was fined. He said \"sorry.\" Fans wept.";
/// let copy = "A caption here. HONG KONG (AP) -- The idol was fined. He said 'sorry.'";
/// let c = changes(wire, copy);
/// assert_eq!(c.added, vec!["A caption here."]);
/// assert_eq!(c.cut, vec!["Fans wept."]);
/// assert!(c.truncated);
/// assert_eq!(c.restyled, 1);
/// ```
pub fn changes(reference: &str, copy: &str) -> Changes {
    Reference::new(reference).changes(copy)
}

/// The changes from the sentences of `old` to those of `new`.
fn diff(old: &Keyed<'_>, new: &Keyed<'_>) -> Changes {
    changes_of(&trimmed_diff(old, new), &old.sentences, &new.sentences)
}

/// The changes that the sentence-level `ops` from `old` to `new` make.
fn changes_of(ops: &[DiffOp], old: &[&str], new: &[&str]) -> Changes {
    let mut out = Changes::default();
    let mut omitted = 0;
    let last_equal_old_end = ops
        .iter()
        .filter_map(|op| match *op {
            DiffOp::Equal { old_index, len, .. } => Some(old_index + len),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    for op in ops {
        match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                out.restyled += (0..len)
                    .filter(|i| old[old_index + i] != new[new_index + i])
                    .count() as u32;
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => push_limited(
                &mut out.added,
                new[new_index..new_index + new_len].join(" "),
                &mut omitted,
            ),
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                if old_index + old_len >= old.len() && old_index >= last_equal_old_end {
                    out.truncated = true;
                }
                push_limited(
                    &mut out.cut,
                    old[old_index..old_index + old_len].join(" "),
                    &mut omitted,
                );
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let before = old[old_index..old_index + old_len].join(" ");
                let after = new[new_index..new_index + new_len].join(" ");
                // Words and the whitespace between them, as `TextDiff::diff_words` cuts them,
                // diffed on their hashes (a collision among the words of two sentences is
                // not a practical concern; the keys of sentences rest on the same).
                let (old_words, new_words) = (before.tokenize_words(), after.tokenize_words());
                let hashed = |ws: &[&str]| -> Vec<u64> {
                    ws.iter().map(|w| xxh3_64(w.as_bytes())).collect()
                };
                let word_ops = trimmed_diff(&hashed(&old_words)[..], &hashed(&new_words)[..]);
                if diff_ratio(&word_ops, old_words.len(), new_words.len()) < 0.5 {
                    push_limited(&mut out.cut, before.clone(), &mut omitted);
                    push_limited(&mut out.added, after.clone(), &mut omitted);
                    continue;
                }
                let mut cur = Edit {
                    before: String::new(),
                    after: String::new(),
                };
                let mut flush = |cur: &mut Edit, out: &mut Changes| {
                    if cur.before.is_empty() && cur.after.is_empty() {
                        // After every equal word: nothing gathered, nothing to report.
                        return;
                    }
                    let e = Edit {
                        before: cur.before.trim().to_string(),
                        after: cur.after.trim().to_string(),
                    };
                    cur.before.clear();
                    cur.after.clear();
                    let words = |s: &str| s.split_whitespace().count();
                    if e.before.is_empty() && words(&e.after) >= PASSAGE_WORDS {
                        push_limited(&mut out.added, e.after, &mut omitted);
                    } else if e.after.is_empty() && words(&e.before) >= PASSAGE_WORDS {
                        push_limited(&mut out.cut, e.before, &mut omitted);
                    } else if e.before != e.after {
                        push_limited(&mut out.edits, e, &mut omitted);
                    }
                };
                for op in &word_ops {
                    if let DiffOp::Equal { .. } = op {
                        for w in &old_words[op.old_range()] {
                            if w.trim().is_empty()
                                && !(cur.before.is_empty() && cur.after.is_empty())
                            {
                                cur.before.push_str(w);
                                cur.after.push_str(w);
                            } else {
                                flush(&mut cur, &mut out);
                            }
                        }
                    } else {
                        // As `similar` lists a change: the deleted words, then the inserted.
                        old_words[op.old_range()]
                            .iter()
                            .for_each(|w| cur.before.push_str(w));
                        new_words[op.new_range()]
                            .iter()
                            .for_each(|w| cur.after.push_str(w));
                    }
                }
                flush(&mut cur, &mut out);
            }
        }
    }
    out.omitted = omitted;
    out
}

/// The Patience diff of `old` and `new` (with the `similar` crate), run on what lies between
/// their common prefix and suffix, which are equal ops around it; then compacted over the
/// whole, as `similar::capture_diff` does. Copies of one story mostly change a few
/// sentences, and a changed sentence a few words: trimming first spares `similar`'s Patience
/// (which does not trim) indexing the whole of both. The ops can differ from those of an
/// untrimmed Patience diff only where an item of the common prefix or suffix also occurs in
/// between; both are diffs of `old` into `new`.
fn trimmed_diff<S: Items + ?Sized>(old: &S, new: &S) -> Vec<DiffOp> {
    let (n, m) = (old.count(), new.count());
    let prefix = (0..n.min(m)).take_while(|&i| old.same(i, new, i)).count();
    let suffix = (1..=(n - prefix).min(m - prefix))
        .take_while(|&k| old.same(n - k, new, m - k))
        .count();
    let (old_end, new_end) = (n - suffix, m - suffix);
    let mut d = Compact::new(Replace::new(Capture::new()), old, new);
    let never = "the hooks of `similar` that capture ops do not fail";
    if prefix > 0 {
        d.equal(0, 0, prefix).expect(never);
    }
    patience::diff(
        &mut NoFinishHook::new(&mut d),
        old,
        prefix..old_end,
        new,
        prefix..new_end,
    )
    .expect(never);
    if suffix > 0 {
        d.equal(old_end, new_end, suffix).expect(never);
    }
    d.finish().expect(never);
    d.into_inner().into_inner().into_ops()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII path cuts sentences exactly as the general one.
        #[test]
        fn ascii_sentences_match_the_general_rules(p in "([A-Za-z0-9]{1,8}|[ .!?\"')\\]\t,:;-]){0,60}") {
            let (mut fast, mut general) = (Vec::new(), Vec::new());
            ascii_sentences(&p, &mut fast);
            unicode_sentences(&p, &mut general);
            proptest::prop_assert_eq!(fast, general);
        }
    }

    proptest::proptest! {
        /// The ops turn `old` into `new`: in order, without gaps, equal where they say so.
        #[test]
        fn trimmed_diff_is_a_diff(
            old in proptest::collection::vec(0u64..4, 0..30),
            new in proptest::collection::vec(0u64..4, 0..30),
        ) {
            let (mut o, mut n) = (0, 0);
            for op in trimmed_diff(&old[..], &new[..]) {
                let (a, b) = (op.old_range(), op.new_range());
                proptest::prop_assert_eq!((a.start, b.start), (o, n));
                if matches!(op, DiffOp::Equal { .. }) {
                    proptest::prop_assert_eq!(&old[a.clone()], &new[b.clone()]);
                }
                (o, n) = (a.end, b.end);
            }
            proptest::prop_assert_eq!((o, n), (old.len(), new.len()));
        }

        /// Keys made only where the diff needs them give the changes of every key made
        /// first, whatever sentences the two texts share, in which style and where.
        #[test]
        fn keys_made_on_demand_give_the_changes_of_all_keys(
            pool in proptest::collection::vec("[A-Z][a-z]{1,5}( [a-z\"]{1,5}){0,4}[.!?]", 1..8),
            picks in proptest::collection::vec((0usize..8, 0u8..4), 0..12),
            copy_picks in proptest::collection::vec((0usize..8, 0u8..4), 0..12),
        ) {
            // The same sentence with other spacing or quote marks, or another paragraph.
            let text = |picks: &[(usize, u8)]| {
                picks.iter().fold(String::new(), |mut t, &(i, style)| {
                    let s = &pool[i % pool.len()];
                    match style {
                        0 => t.push_str(s),
                        1 => t.push_str(&s.replace('"', "\u{201C}")),
                        2 => t.push_str(&s.replace(' ', "  ")),
                        _ => t.push('\n'),
                    }
                    t.push(' ');
                    t
                })
            };
            let (reference, copy) = (text(&picks), text(&copy_picks));
            let r = Reference::new(&reference);
            let changes = r.changes(&copy);
            let (old, new) = (sentences(&reference), sentences(&copy));
            let keys = |v: &[&str]| v.iter().map(|s| key(s)).collect::<Vec<u64>>();
            let (old_keys, new_keys) = (keys(&old), keys(&new));
            let ops = trimmed_diff(&old_keys[..], &new_keys[..]);
            proptest::prop_assert_eq!(
                &trimmed_diff(&Keyed::new(old.clone()), &Keyed::new(new.clone())),
                &ops
            );
            let all = if copy == reference {
                Changes::default()
            } else {
                changes_of(&ops, &old, &new)
            };
            proptest::prop_assert_eq!(changes, all);
        }
    }

    #[test]
    fn a_prepared_reference_gives_the_same_changes() {
        let wire = "HONG KONG (AP) -- The idol was fined. He said \"sorry.\" Fans wept.";
        let r = Reference::new(wire);
        for copy in [
            "A caption here. HONG KONG (AP) -- The idol was fined. He said 'sorry.'",
            wire,
            "Something else entirely.",
        ] {
            assert_eq!(r.changes(copy), changes(wire, copy));
        }
    }

    #[test]
    fn identical_texts_have_no_changes() {
        let t = "One sentence. Two sentences.\nA new paragraph.";
        assert!(changes(t, t).is_empty());
        // The shortcut for a verbatim copy gives what the whole diff gives.
        for t in [
            t,
            "",
            "\u{201C}Quoted,\u{201D} he said. Done.\n\nThe end",
            "東京で会った。雨だった。",
        ] {
            let r = Reference::new(t);
            assert!(r.changes(t).is_empty());
            assert!(r.prepared.get().is_none(), "prepared for a verbatim copy");
            let r = r.prepared();
            assert_eq!(diff(r, r), Changes::default());
        }
    }

    #[test]
    fn word_edits_inside_a_sentence() {
        let c = changes(
            "The court fined him 15,000 dollars on Wednesday. He left.",
            "The court fined him 15,000 Hong Kong dollars on Wednesday. He left.",
        );
        assert_eq!(
            c.edits,
            vec![Edit {
                before: String::new(),
                after: "Hong Kong".into()
            }]
        );
        assert!(c.added.is_empty() && c.cut.is_empty() && !c.truncated);
    }

    #[test]
    fn caption_glued_to_a_sentence_is_an_added_passage() {
        let c = changes(
            "HONG KONG (AP) -- The idol was found guilty of indecent assault in a Hong Kong court on Wednesday before some emotional fans.",
            "The star arrives at the court on Aug. 13. (AP Photo) HONG KONG--The idol was found guilty of indecent assault in a Hong Kong court on Wednesday before some emotional fans.",
        );
        assert_eq!(
            c.added,
            vec!["The star arrives at the court on Aug. 13. (AP Photo)"]
        );
        assert_eq!(c.edits.len(), 1, "{:?}", c.edits);
    }

    #[test]
    fn a_sentence_added_to_an_edited_one_is_one_passage() {
        // The edited sentence and the added one after it are one replacement, diffed word by
        // word. The common end (" velcon.") must not pull the added words in front of the
        // edited sentence's last word: the whole added sentence is the passage.
        let c = changes(
            "Ka gra ket pol velcon. Same end.",
            "Ka gro ket pol velcon. Velcon tar ship lo mi po velcon. Same end.",
        );
        assert_eq!(c.added, vec!["Velcon tar ship lo mi po velcon."]);
        assert_eq!(
            c.edits,
            vec![Edit {
                before: "gra".into(),
                after: "gro".into()
            }]
        );
    }

    #[test]
    fn cut_in_the_middle_is_not_truncation() {
        let c = changes("A one. B two. C three.", "A one. C three.");
        assert_eq!(c.cut, vec!["B two."]);
        assert!(!c.truncated);
    }

    #[test]
    fn rewritten_sentence_is_cut_and_added() {
        let c = changes(
            "Prices rose sharply today. Same end.",
            "Completely different words appear here instead. Same end.",
        );
        assert_eq!(c.cut, vec!["Prices rose sharply today."]);
        assert_eq!(
            c.added,
            vec!["Completely different words appear here instead."]
        );
    }
}
