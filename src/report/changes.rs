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
//!
//! **Editorial changes** are named as an editor would ([`Editorial`]): the wire's credit
//! removed from the story, replaced by another service's or added (the story's own credit,
//! [`crate::wire::story_credit`], of the reference against the copy's: `HONG KONG (AP) --`
//! becoming `HONG KONG--` is "AP credit removed", whatever photo credits the copy keeps), a
//! byline changed, removed or added ([`byline`]), a caption added (an added passage with a
//! photo credit or a caption mark), a paragraph or passage added, a passage cut, the story
//! truncated. Restyled sentences are listed (`restyled_sentences`), not only counted.

use std::collections::HashMap;
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

/// What kind of editorial change an [`Editorial`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditorialKind {
    /// The reference credits a wire service in its dateline or byline; the copy credits none.
    CreditRemoved,
    /// The copy credits another wire service than the reference.
    CreditReplaced,
    /// The copy credits a wire service; the reference credits none.
    CreditAdded,
    /// Both have a byline, not the same.
    BylineChanged,
    /// The reference has a byline, the copy none.
    BylineRemoved,
    /// The copy has a byline, the reference none.
    BylineAdded,
    /// An added passage with a photo credit or a caption mark.
    CaptionAdded,
    /// An added passage that is a whole paragraph of the copy (a local paragraph).
    ParagraphAdded,
    /// An added passage inside a paragraph.
    PassageAdded,
    /// A passage of the reference the copy does not have (not at its end).
    PassageCut,
    /// The copy stops before the end of the reference: everything after some point is cut.
    Truncated,
}

impl EditorialKind {
    /// The name for people, singular and plural (`caption added`, `captions added`).
    fn names(self) -> (&'static str, &'static str) {
        match self {
            EditorialKind::CreditRemoved => ("credit removed", "credits removed"),
            EditorialKind::CreditReplaced => ("credit replaced", "credits replaced"),
            EditorialKind::CreditAdded => ("credit added", "credits added"),
            EditorialKind::BylineChanged => ("byline changed", "bylines changed"),
            EditorialKind::BylineRemoved => ("byline removed", "bylines removed"),
            EditorialKind::BylineAdded => ("byline added", "bylines added"),
            EditorialKind::CaptionAdded => ("caption added", "captions added"),
            EditorialKind::ParagraphAdded => ("paragraph added", "paragraphs added"),
            EditorialKind::PassageAdded => ("passage added", "passages added"),
            EditorialKind::PassageCut => ("passage cut", "passages cut"),
            EditorialKind::Truncated => ("story truncated", "story truncated"),
        }
    }
}

/// An editorial change named as such (module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Editorial {
    /// Its kind.
    pub kind: EditorialKind,
    /// Its name for people: `AP credit removed`, `AP credit replaced by Kyodo`, `caption added`.
    pub summary: String,
    /// The reference's text concerned (the credit, the byline, the passage cut), or empty.
    pub before: String,
    /// The copy's text concerned (its credit, its byline, the passage added), or empty.
    pub after: String,
}

/// The changes of one copy against the reference copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// The editorial changes, named: credits and bylines first, then passages in the order
    /// of the text.
    pub editorial: Vec<Editorial>,
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
    /// The first [`MAX_ITEMS`] of them: the reference's sentence and the copy's.
    pub restyled_sentences: Vec<Edit>,
    /// Passages and edits not listed because of [`MAX_ITEMS`].
    pub omitted: u32,
}

impl Changes {
    /// True when nothing at all changed.
    pub fn is_empty(&self) -> bool {
        self.editorial.is_empty()
            && self.added.is_empty()
            && self.cut.is_empty()
            && self.edits.is_empty()
            && self.restyled == 0
    }

    /// One line for people: the editorial changes (credits by name, the others counted by
    /// kind), then the edits and restyled sentences counted; `no changes` when there are none.
    ///
    /// ```
    /// use neardup::report::changes::changes;
    /// let wire = "HONG KONG (AP) -- The idol was found guilty of indecent assault in a Hong \
    ///     Kong court on Wednesday. He said \"sorry.\" Fans wept.";
    /// let copy = "Fans wait outside the court on Aug. 13. (AP Photo)\nHONG KONG--The idol was \
    ///     found guilty of indecent assault in a Hong Kong court on Wednesday. He said 'sorry.' \
    ///     Fans wept.";
    /// assert_eq!(
    ///     changes(wire, copy).summary(),
    ///     "AP credit removed; caption added; 1 restyled sentence"
    /// );
    /// ```
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut counted: Vec<(EditorialKind, usize)> = Vec::new();
        for e in &self.editorial {
            match e.kind {
                EditorialKind::CreditRemoved
                | EditorialKind::CreditReplaced
                | EditorialKind::CreditAdded
                | EditorialKind::Truncated => parts.push(e.summary.clone()),
                k => match counted.iter_mut().find(|(x, _)| *x == k) {
                    Some((_, n)) => *n += 1,
                    None => counted.push((k, 1)),
                },
            }
        }
        for (k, n) in counted {
            let (one, many) = k.names();
            parts.push(if n == 1 {
                one.to_string()
            } else {
                format!("{n} {many}")
            });
        }
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !self.edits.is_empty() {
            parts.push(plural(self.edits.len(), "edit", "edits"));
        }
        if self.restyled > 0 {
            parts.push(plural(
                self.restyled as usize,
                "restyled sentence",
                "restyled sentences",
            ));
        }
        if self.omitted > 0 {
            parts.push(format!("{} more not listed", self.omitted));
        }
        if parts.is_empty() {
            "no changes".to_string()
        } else {
            parts.join("; ")
        }
    }
}

/// The byline of a text: a short line among its first three or last two lines that starts
/// with "By" and a capital (or "Von", "Par", "Por", "Di", "Door", "Av", "Af"), or ends with a
/// reporter's title (`記者`, `기자`, `特派員`, `记者`). Compared between copies, not matched
/// to a service (that is [`crate::wire::story_credit`]).
///
/// ```
/// use neardup::report::changes::byline;
/// assert_eq!(byline("By Jane Doe\nPARIS -- It rained."), Some("By Jane Doe"));
/// assert_eq!(byline("홍길동 기자\n서울에 비가 왔다."), Some("홍길동 기자"));
/// assert_eq!(byline("He was stopped by police on Monday.\nIt rained."), None);
/// ```
pub fn byline(text: &str) -> Option<&str> {
    const LEADS: &[&str] = &["by", "von", "par", "por", "di", "door", "av", "af"];
    const TITLES: &[&str] = &["記者", "기자", "特派員", "记者", "特派员"];
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let n = lines.len();
    let candidates = lines
        .iter()
        .take(3)
        .chain(lines.iter().skip(n.saturating_sub(2).max(3)));
    candidates.copied().find(|l| {
        if l.chars().count() > 60 || l.ends_with(['.', '。', '!', '?']) {
            return false;
        }
        let mut words = l.split_whitespace();
        let lead = words.next().unwrap_or("");
        let next = words.next().unwrap_or("");
        let by = LEADS.iter().any(|b| lead.eq_ignore_ascii_case(b))
            && next.chars().next().is_some_and(char::is_uppercase)
            && l.split_whitespace().count() <= 8;
        by || (l.chars().count() <= 30 && TITLES.iter().any(|t| l.ends_with(t)))
    })
}

/// Marks of a photo caption besides a wire's photo credit ([`crate::wire::photo_credit`]).
const CAPTION_MARKS: &[&str] = &[
    "(Photo",
    "Photo:",
    "Photo by",
    "File photo",
    "(File",
    "Getty Images",
    "写真",
    "사진",
    "摄）",
    "攝）",
    "图/",
    "圖/",
];

/// True when an added passage is a photo caption.
fn is_caption(passage: &str) -> bool {
    crate::wire::photo_credit(passage).is_some()
        || CAPTION_MARKS.iter().any(|m| passage.contains(m))
}

/// True when the word edit `e` takes the reference's story credit `r` out: a word of its
/// `before` is, holds or is held by a word of the credit and names the service, and its
/// `after` does not name it.
fn takes_out(r: &crate::wire::Attribution, e: &Edit) -> bool {
    let credit_words: Vec<&str> = r.matched.split_whitespace().collect();
    let mut names = r.service().dateline.iter().chain(r.service().bylines);
    names.any(|n| {
        !e.after.contains(n)
            && e.before.split_whitespace().any(|w| {
                w.contains(n)
                    && credit_words
                        .iter()
                        .any(|c| c.contains(n) && (c.contains(w) || w.contains(c)))
            })
    })
}

/// The editorial changes of `copy` against `reference`, given the changes `ch` of the diff and
/// the reference's story credit and byline.
fn editorial(
    reference: (Option<&crate::wire::Attribution>, Option<&str>),
    copy: &str,
    ch: &Changes,
) -> Vec<Editorial> {
    use crate::wire::Evidence;
    let mut out = Vec::new();
    let (ref_credit, ref_byline) = reference;
    let credit = crate::wire::story_credit(copy);
    let name = |a: &crate::wire::Attribution| a.service().name;
    let place = |a: &crate::wire::Attribution| match a.evidence {
        Evidence::Byline => "byline",
        _ => "dateline",
    };
    let credit_item = |kind, summary: String, before: &str, after: &str| Editorial {
        kind,
        summary,
        before: before.to_string(),
        after: after.to_string(),
    };
    match (ref_credit, &credit) {
        (Some(r), None) => out.push(credit_item(
            EditorialKind::CreditRemoved,
            format!("{} credit removed", name(r)),
            &r.matched,
            "",
        )),
        (Some(r), Some(k)) if r.service != k.service => out.push(credit_item(
            EditorialKind::CreditReplaced,
            format!("{} credit replaced by {}", name(r), name(k)),
            &r.matched,
            &k.matched,
        )),
        (None, Some(k)) => out.push(credit_item(
            EditorialKind::CreditAdded,
            format!("{} credit added in the {}", name(k), place(k)),
            "",
            &k.matched,
        )),
        _ => {}
    }
    // A wire byline already named as a credit is not named again as a byline.
    let credited = |b: &str| {
        [ref_credit, credit.as_ref()]
            .into_iter()
            .flatten()
            .any(|a| {
                a.evidence == Evidence::Byline && (a.matched.contains(b) || b.contains(&a.matched))
            })
    };
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let copy_byline = byline(copy);
    let byline_item = |kind: EditorialKind, before: &str, after: &str| Editorial {
        kind,
        summary: kind.names().0.to_string(),
        before: before.to_string(),
        after: after.to_string(),
    };
    match (ref_byline, copy_byline) {
        (Some(r), Some(k)) if squeeze(r) != squeeze(k) && !(credited(r) && credited(k)) => {
            out.push(byline_item(EditorialKind::BylineChanged, r, k))
        }
        (Some(r), None) if !credited(r) => {
            out.push(byline_item(EditorialKind::BylineRemoved, r, ""))
        }
        (None, Some(k)) if !credited(k) => out.push(byline_item(EditorialKind::BylineAdded, "", k)),
        _ => {}
    }
    let is_byline = |p: &str| [ref_byline, copy_byline].contains(&Some(p.trim()));
    for a in ch
        .added
        .iter()
        .map(String::as_str)
        .filter(|a| !is_byline(a))
    {
        let kind = if is_caption(a) {
            EditorialKind::CaptionAdded
        } else if copy.lines().any(|l| l.trim() == a.trim()) {
            EditorialKind::ParagraphAdded
        } else {
            EditorialKind::PassageAdded
        };
        out.push(byline_item(kind, "", a));
    }
    let last = ch.cut.len().saturating_sub(1);
    for (i, c) in ch
        .cut
        .iter()
        .map(String::as_str)
        .enumerate()
        .filter(|(_, c)| !is_byline(c))
    {
        if ch.truncated && i == last {
            out.push(byline_item(EditorialKind::Truncated, c, ""));
        } else {
            out.push(byline_item(EditorialKind::PassageCut, c, ""));
        }
    }
    out
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
/// sentences word for word, and those need no key. A copy's sentence written as one of the
/// reference's elsewhere takes the reference's key, made once for the whole cluster.
struct Keyed<'a> {
    sentences: Vec<&'a str>,
    keys: Vec<OnceLock<u64>>,
    /// The reference a copy is compared with: a sentence of the copy written as one of the
    /// reference's takes that sentence's key, made once for the whole cluster.
    twin: Option<&'a Twin<'a>>,
}

/// A reference's sentences, and where each text of them first occurs (by its `xxh3_64`).
struct Twin<'a> {
    keyed: Keyed<'a>,
    at: HashMap<u64, usize>,
}

impl<'a> Twin<'a> {
    fn new(sentences: Vec<&'a str>) -> Twin<'a> {
        let mut at = HashMap::with_capacity(sentences.len());
        for (i, s) in sentences.iter().enumerate() {
            at.entry(xxh3_64(s.as_bytes())).or_insert(i);
        }
        Twin {
            keyed: Keyed::new(sentences),
            at,
        }
    }
}

impl<'a> Keyed<'a> {
    fn new(sentences: Vec<&'a str>) -> Keyed<'a> {
        let keys = sentences.iter().map(|_| OnceLock::new()).collect();
        Keyed {
            sentences,
            keys,
            twin: None,
        }
    }

    /// The sentences of a copy of `twin`'s text.
    fn copy_of(sentences: Vec<&'a str>, twin: &'a Twin<'a>) -> Keyed<'a> {
        Keyed {
            twin: Some(twin),
            ..Keyed::new(sentences)
        }
    }

    /// The key of sentence `i`: the reference's for a sentence written as one of its own.
    fn make_key(&self, i: usize) -> u64 {
        let s = self.sentences[i];
        if let Some(t) = self.twin {
            if let Some(&j) = t.at.get(&xxh3_64(s.as_bytes())) {
                if t.keyed.sentences[j] == s {
                    return t.keyed[j];
                }
            }
        }
        key(s)
    }
}

impl std::ops::Index<usize> for Keyed<'_> {
    type Output = u64;

    fn index(&self, i: usize) -> &u64 {
        self.keys[i].get_or_init(|| self.make_key(i))
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
    prepared: OnceLock<Twin<'a>>,
    /// The story's credit and byline, found the first time a copy differs.
    credit: OnceLock<(Option<crate::wire::Attribution>, Option<&'a str>)>,
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
            credit: OnceLock::new(),
        }
    }

    fn prepared(&self) -> &Twin<'a> {
        self.prepared
            .get_or_init(|| Twin::new(sentences(self.text)))
    }

    /// What `copy` changed against this reference: [`changes`].
    pub fn changes(&self, copy: &str) -> Changes {
        if copy == self.text {
            // A verbatim copy: nothing to diff.
            return Changes::default();
        }
        let twin = self.prepared();
        let mut ch = diff(&twin.keyed, &Keyed::copy_of(sentences(copy), twin));
        let (credit, by) = self
            .credit
            .get_or_init(|| (crate::wire::story_credit(self.text), byline(self.text)));
        ch.editorial = editorial((credit.as_ref(), *by), copy, &ch);
        if let Some(r) = credit.as_ref().filter(|_| {
            ch.editorial.iter().any(|e| {
                matches!(
                    e.kind,
                    EditorialKind::CreditRemoved | EditorialKind::CreditReplaced
                )
            })
        }) {
            // The word edit that took the credit out is the credit change named above.
            ch.edits.retain(|e| !takes_out(r, e));
        }
        if let Some(b) = ch
            .editorial
            .iter()
            .find(|e| e.kind == EditorialKind::BylineChanged)
            .cloned()
        {
            // So is the word edit inside the byline.
            ch.edits
                .retain(|e| !(b.before.contains(&e.before) && b.after.contains(&e.after)));
        }
        ch
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
                for i in 0..len {
                    let (before, after) = (old[old_index + i], new[new_index + i]);
                    if before != after {
                        out.restyled += 1;
                        if out.restyled_sentences.len() < MAX_ITEMS {
                            out.restyled_sentences.push(Edit {
                                before: before.to_string(),
                                after: after.to_string(),
                            });
                        }
                    }
                }
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
                // Text written without spaces (Japanese, Chinese) is diffed a character at a
                // time: a whole sentence is one "word" to the space-separated cut.
                let unspaced = |t: &str| !t.is_ascii() && t.split_whitespace().count() < 3;
                let (old_words, new_words) = if unspaced(&before) || unspaced(&after) {
                    (before.tokenize_chars(), after.tokenize_chars())
                } else {
                    (before.tokenize_words(), after.tokenize_words())
                };
                let hashed = |ws: &[&str]| -> Vec<u64> {
                    ws.iter().map(|w| xxh3_64(w.as_bytes())).collect()
                };
                let (old_hashes, new_hashes) = (hashed(&old_words), hashed(&new_words));
                // Too different for word edits: the passage is cut and another added.
                let rewritten =
                    |ops: &[DiffOp]| diff_ratio(ops, old_words.len(), new_words.len()) < 0.5;
                // No diff keeps more words equal than the two share: passages too different
                // for any diff (two outlets' footers, say) are not diffed.
                let shared = DiffOp::Equal {
                    old_index: 0,
                    new_index: 0,
                    len: common(&old_hashes, &new_hashes),
                };
                let word_ops = Some(shared)
                    .filter(|shared| !rewritten(std::slice::from_ref(shared)))
                    .map(|_| trimmed_diff(&old_hashes[..], &new_hashes[..]))
                    .filter(|ops| !rewritten(ops));
                let Some(word_ops) = word_ops else {
                    push_limited(&mut out.cut, before.clone(), &mut omitted);
                    push_limited(&mut out.added, after.clone(), &mut omitted);
                    continue;
                };
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
                    // Words, or for text without spaces about one word per three
                    // characters outside ASCII.
                    let words = |s: &str| {
                        let wide = s.chars().filter(|c| !c.is_ascii()).count() / 3;
                        s.split_whitespace().count().max(wide)
                    };
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

/// How many items `a` and `b` have in common, each counted as often as it occurs in both:
/// the most items any diff of the two can keep equal.
fn common(a: &[u64], b: &[u64]) -> usize {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    crate::verify::intersection_size(&a, &b)
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

        /// No diff keeps more items equal than [`common`] counts, so a passage it rules out
        /// would have been ruled out by its diff.
        #[test]
        fn common_items_bound_the_equal_items_of_a_diff(
            old in proptest::collection::vec(0u64..6, 0..40),
            new in proptest::collection::vec(0u64..6, 0..40),
        ) {
            let equal: usize = trimmed_diff(&old[..], &new[..])
                .iter()
                .filter(|op| matches!(op, DiffOp::Equal { .. }))
                .map(|op| op.old_range().len())
                .sum();
            proptest::prop_assert!(equal <= common(&old, &new));
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
            // The editorial changes are named from the diff's; here the diff is checked.
            let changes = Changes { editorial: Vec::new(), ..r.changes(&copy) };
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
            let r = &r.prepared().keyed;
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
        // The word edit that dropped "(AP)" is named as the credit removed, not listed.
        assert!(c.edits.is_empty(), "{:?}", c.edits);
        let kinds: Vec<EditorialKind> = c.editorial.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [EditorialKind::CreditRemoved, EditorialKind::CaptionAdded]
        );
        assert_eq!(c.editorial[0].summary, "AP credit removed");
        assert_eq!(c.editorial[0].before, "HONG KONG (AP) --");
    }

    /// Credits replaced or added, bylines changed, paragraphs added and cut, truncation, in
    /// several scripts.
    #[test]
    fn editorial_changes_are_named() {
        let kinds = |c: &Changes| c.editorial.iter().map(|e| e.kind).collect::<Vec<_>>();
        let body = "The idol was found guilty on Wednesday. He was fined. Fans wept outside. The court adjourned.";
        // Replaced: Kyodo's dateline where AP's was.
        let c = changes(
            &format!("HONG KONG (AP) -- {body}"),
            &format!("HONG KONG (Kyodo) -- {body}"),
        );
        assert_eq!(kinds(&c), [EditorialKind::CreditReplaced]);
        assert_eq!(c.editorial[0].summary, "AP credit replaced by Kyodo");
        assert!(c.edits.is_empty(), "{:?}", c.edits);
        // Added: the reference has no credit.
        let c = changes(body, &format!("HONG KONG (AP) -- {body}"));
        assert_eq!(kinds(&c)[0], EditorialKind::CreditAdded);
        // A byline changed, a local paragraph added, the end cut.
        let c = changes(
            &format!("By Jane Doe\n{body}\nA last paragraph of the wire story here."),
            &format!(
                "By John Roe\n{body}\nOur own reporter adds this local paragraph for readers."
            ),
        );
        assert_eq!(
            kinds(&c),
            [
                EditorialKind::BylineChanged,
                EditorialKind::ParagraphAdded,
                EditorialKind::PassageCut
            ],
            "{c:?}"
        );
        assert!(
            c.edits.is_empty(),
            "the byline's edit is the byline changed: {c:?}"
        );
        assert_eq!(c.editorial[0].before, "By Jane Doe");
        assert_eq!(c.editorial[0].after, "By John Roe");
        // Japanese: the Kyodo head credit removed, the story truncated.
        let c = changes(
            "【ワシントン共同】米政府は２７日、新たな制裁を発表した。対象は２０社。詳細は後日。",
            "米政府は２７日、新たな制裁を発表した。対象は２０社。",
        );
        assert_eq!(
            kinds(&c),
            [EditorialKind::CreditRemoved, EditorialKind::Truncated],
            "{c:?}"
        );
        assert_eq!(c.editorial[0].summary, "Kyodo credit removed");
        // A cut in the middle is a passage cut, not truncation.
        let c = changes("A one. B two here. C three.", "A one. C three.");
        assert_eq!(kinds(&c), [EditorialKind::PassageCut]);
        assert_eq!(c.summary(), "passage cut");
    }

    /// Restyled sentences are listed with both forms.
    #[test]
    fn restyled_sentences_are_listed() {
        let c = changes(
            "He said \"sorry.\" Fans wept.",
            "He said \u{201C}sorry.\u{201D} FANS WEPT.",
        );
        assert_eq!(c.restyled, 2);
        assert_eq!(c.restyled_sentences.len(), 2);
        assert_eq!(c.restyled_sentences[1].before, "Fans wept.");
        assert_eq!(c.restyled_sentences[1].after, "FANS WEPT.");
        assert_eq!(c.summary(), "2 restyled sentences");
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
