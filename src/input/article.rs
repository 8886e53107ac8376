//! Which text of a parsed page is the article: content scoring on the DOM.
//!
//! Owns: one walk of the page's tree (no recursion: pages nest deep) that cuts its visible
//! text into blocks (paragraphs, headings, list items, captions, table cells) and notes what
//! each is inside of; furniture by tag, ARIA role and whole class/id words, teaser lists
//! (repeated short linky items) and small boxes with a form or a pitch; a class for every
//! block from its own features (weight, link density, sentence end, boilerplate lines); the
//! run of blocks of greatest score, anchored at the headline and never past a comment
//! section's heading; and the blocks of the run that are kept, short ones judged by their
//! neighbours. Must not: decode bytes, read the page's metadata (title, date, URL: `html`),
//! or do I/O.
//!
//! The method, in brief (after readability's candidate scoring, jusText's context-sensitive
//! classes of short blocks and the maximum-subsequence segmentation of Pasternack and Roth;
//! `docs/method.md` has it whole): every block is *good* (long enough, few links: article
//! text), *bad* (mostly links, furniture, a copyright or byline line), or *short* (a heading,
//! a caption, a short line). A good block scores its weight, a bad one minus its weight, a
//! short one a little less than nothing; the article is the run of consecutive blocks of
//! greatest sum (what trails after the article, past a list of links, is left out). Of that
//! run, good blocks are kept, bad ones dropped, and a short one kept when its neighbours are
//! good. Weights count letters and digits, a Han, kana or Hangul character as three, so one
//! threshold serves every script. Linear in the page.

use ego_tree::NodeRef;
use scraper::Node;
use std::collections::HashSet;

/// Elements whose subtree is never text a reader sees.
const SKIPPED: &[&str] = &[
    "audio", "button", "canvas", "datalist", "dialog", "embed", "head", "iframe", "input", "map",
    "math", "noembed", "noframes", "object", "option", "script", "select", "style", "svg",
    "template", "textarea", "video",
];

/// Elements that are page furniture wherever they are (`header` only outside an article).
const FURNITURE_TAGS: &[&str] = &["aside", "footer", "form", "menu", "nav"];

/// Elements that end a block of text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "noscript",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// ARIA roles of page furniture.
const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "menu",
    "menubar",
    "search",
    "dialog",
    "alertdialog",
    "toolbar",
    "tablist",
];

/// Words of a class or id (split at punctuation and at a lower-to-upper case change, case
/// folded) that name page furniture. Whole words only: "nav" is not in "navigator".
const FURNITURE_WORDS: &[&str] = &[
    "ad",
    "ads",
    "adslot",
    "advert",
    "advertisement",
    "advertising",
    "anzeige",
    "aside",
    "author",
    "authors",
    "autor",
    "bio",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "comment",
    "comments",
    "consent",
    "cookie",
    "cookies",
    "discussion",
    "disqus",
    "footer",
    "gdpr",
    "kommentare",
    "login",
    "masthead",
    "menu",
    "modal",
    "mostread",
    "nav",
    "navbar",
    "navigation",
    "newsletter",
    "outbrain",
    "overlay",
    "pager",
    "pagination",
    "paywall",
    "popular",
    "popup",
    "promo",
    "rail",
    "recirculation",
    "recommendations",
    "recommended",
    "regwall",
    "related",
    "replies",
    "respond",
    "share",
    "shares",
    "sharing",
    "sidebar",
    "signup",
    "skip",
    "social",
    "sponsored",
    "subscribe",
    "subscription",
    "taboola",
    "tags",
    "toolbar",
    "trending",
    "werbung",
    "widget",
    "widgets",
];

/// Whole class names of text meant for screen readers only.
const HIDDEN_CLASSES: &[&str] = &[
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "screen-reader-text",
    "hidden",
];

/// Class or id prefixes of state modifiers: they name what is beside the element, not it
/// ("has-sidebar").
const MODIFIERS: &[&str] = &[
    "has-", "has_", "with-", "no-", "is-", "js-", "show-", "hide-",
];

/// Weight of a good block at least (about 18 words of English).
const GOOD: u32 = 100;
/// Weight of a good block that ends a sentence, at least.
const GOOD_SENTENCE: u32 = 40;
/// What a short block scores (a little less than nothing: the run does not grow into fluff
/// for free).
const SHORT_SCORE: i64 = -2;

/// Phrases that make a short block boilerplate wherever they are in it (case folded).
const BOILERPLATE_ANYWHERE: &[&str] = &[
    "©",
    "copyright",
    "all rights reserved",
    "alle rechte vorbehalten",
    "tous droits réservés",
    "todos los derechos reservados",
    "tutti i diritti riservati",
    "wszelkie prawa zastrzeżone",
    "alle rechten voorbehouden",
    "min read",
    "minuten lesezeit",
    "lesezeit",
    "enable javascript",
    "javascript aktivieren",
    "subscribe today",
    "free articles",
    "jetzt abonnieren",
    "temps de lecture",
    "無断転載",
    "版权所有",
    "저작권자",
];

/// Openings of a short block that make it boilerplate (case folded): bylines, time stamps,
/// calls to subscribe, share, log in or read more.
const BOILERPLATE_OPENINGS: &[&str] = &[
    "by ",
    "von ",
    "par ",
    "por ",
    "door ",
    "text: ",
    "text von",
    "autor:",
    "author:",
    "posted ",
    "published",
    "updated",
    "last updated",
    "veröffentlicht",
    "aktualisiert",
    "stand:",
    "publié",
    "mis à jour",
    "publicado",
    "actualizado",
    "subscribe",
    "jetzt abonnieren",
    "abonnieren sie",
    "jetzt testen",
    "sign up",
    "log in",
    "sign in",
    "melden sie sich",
    "newsletter",
    "follow us",
    "folgen sie uns",
    "share",
    "teilen",
    "read more",
    "read also",
    "also read",
    "see also",
    "weiterlesen",
    "lesen sie auch",
    "mehr zum thema",
    "mehr lesen",
    "related",
    "advertisement",
    "anzeige",
    "werbung",
    "tags:",
    "schlagworte",
    "themen:",
    "click here",
    "hier klicken",
];

/// What a block is, by the innermost block element around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Heading,
    Item,
    Caption,
}

/// Why a block is furniture.
const BY_TAG: u8 = 1;
const BY_CLASS: u8 = 2;
const BY_TEASER: u8 = 4;
const BY_BOX: u8 = 8;

/// A block of text: a line of the output when kept.
#[derive(Debug)]
struct Block {
    /// Byte range in [`Walk::buf`].
    start: u32,
    end: u32,
    /// Letters and digits (a Han, kana or Hangul character counts three).
    weight: u32,
    /// The part of `weight` in links.
    link: u32,
    kind: Kind,
    /// `BY_TAG | BY_CLASS | BY_TEASER` of the furniture around the block.
    furniture: u8,
    /// Ends with a sentence's end (`.`, `!`, `?`, `。`..., before closing quotes).
    sentence: bool,
}

/// An element of the page, with the run of blocks its subtree holds.
struct Element<'a> {
    name: &'a str,
    parent: u32,
    /// Holds a form control (a box with a form is a newsletter or login widget).
    controls: bool,
    /// Blocks `start..end` are inside it.
    start: u32,
    end: u32,
}

/// The state of the walk.
#[derive(Default)]
struct Walk<'a> {
    buf: String,
    blocks: Vec<Block>,
    elements: Vec<Element<'a>>,
    /// The block being gathered: where it starts in `buf`, its weight and link weight.
    line_start: usize,
    weight: u32,
    link: u32,
    /// Whitespace seen since the last character of the block.
    space: bool,
    /// Open elements (indexes into `elements`), and per open element what it sets.
    open: Vec<Frame>,
    /// The first block of the page's first `<h1>` that is not furniture.
    h1: Option<usize>,
    /// The element of [`Hints::root`].
    root: Option<u32>,
    /// The outermost elements inside the root whose class words name furniture.
    in_root: Vec<u32>,
}

/// What an open element sets for the text inside it.
#[derive(Clone, Copy, Default)]
struct Frame {
    element: u32,
    link: bool,
    kind_set: Option<Kind>,
    furniture: u8,
    in_article: bool,
    block: bool,
    /// Inside the first `<h1>`.
    h1: bool,
    /// Inside [`Hints::root`].
    in_root: bool,
}

impl Walk<'_> {
    fn frame(&self) -> Frame {
        self.open.last().copied().unwrap_or_default()
    }

    /// Appends text, whitespace runs (within and across text nodes) made one space.
    fn text(&mut self, t: &str) {
        let link = self.frame().link;
        let mut words = t.split_whitespace().peekable();
        if words.peek().is_none() {
            self.space |= !t.is_empty() && self.buf.len() > self.line_start;
            return;
        }
        let mut gap = t.starts_with(char::is_whitespace);
        for word in words {
            if (gap || self.space) && self.buf.len() > self.line_start {
                self.buf.push(' ');
            }
            self.space = false;
            gap = true;
            self.buf.push_str(word);
            let w = if word.is_ascii() {
                word.bytes().filter(u8::is_ascii_alphanumeric).count() as u32
            } else {
                word.chars().map(weight).sum()
            };
            self.weight += w;
            if link {
                self.link += w;
            }
        }
        self.space = t.ends_with(char::is_whitespace);
    }

    /// Ends the block being gathered.
    fn flush(&mut self) {
        self.space = false;
        if self.buf.len() == self.line_start {
            return;
        }
        let f = self.frame();
        if f.h1 && f.furniture == 0 && self.h1.is_none() {
            self.h1 = Some(self.blocks.len());
        }
        let text = &self.buf[self.line_start..];
        let kind = f.kind_set.unwrap_or(Kind::Text);
        self.blocks.push(Block {
            start: self.line_start as u32,
            end: self.buf.len() as u32,
            weight: self.weight,
            link: self.link,
            kind,
            furniture: f.furniture,
            sentence: ends_sentence(text),
        });
        self.line_start = self.buf.len();
        self.weight = 0;
        self.link = 0;
    }
}

/// Weight of a character: letters and digits 1, Han, kana and Hangul 3, others 0.
fn weight(c: char) -> u32 {
    if c.is_alphanumeric() {
        if matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
        {
            3
        } else {
            1
        }
    } else {
        0
    }
}

/// True when `text` ends a sentence (closing quotes and brackets aside).
fn ends_sentence(text: &str) -> bool {
    let last = text
        .trim_end_matches(|c: char| c.is_whitespace() || "\"'”’»«)]」』）】".contains(c))
        .chars()
        .next_back();
    last.is_some_and(|c| ".!?…。！？".contains(c))
}

/// What is known of the page before the walk: the elements around its first `<h1>` and its
/// `itemprop=articleBody` (whose class words are not furniture: a wrapper named "menu-open"
/// around the story is not a menu).
pub(crate) struct Hints {
    /// Ancestors of the first `<h1>` and of the article body, themselves included.
    pub trusted: Vec<ego_tree::NodeId>,
    /// The article around the first `<h1>` (its nearest `<article>` or `<main>`), else the
    /// article body: inside it, an element whose class names furniture but which holds most
    /// of its text is the article's own (a live ticker whose entries are "comments").
    pub root: Option<ego_tree::NodeId>,
    /// The first `<h1>`.
    pub h1: Option<ego_tree::NodeId>,
}

/// The article's text of the page under `root`: its kept blocks, one a line.
pub(crate) fn article_text(root: NodeRef<'_, Node>, hints: &Hints) -> String {
    let mut w = Walk::default();
    walk(root, hints, &mut w);
    w.flush();
    mark_teasers(&mut w);
    mark_boxes(&mut w);
    trust_the_root(&mut w);
    let out = choose(&w, true);
    if !out.is_empty() || w.blocks.is_empty() {
        return out;
    }
    // Class names are a guess: when trusting them leaves nothing, trust tags and roles only.
    choose(&w, false)
}

/// Cuts the page into blocks, in document order, without recursion (pages nest deep).
fn walk<'a>(root: NodeRef<'a, Node>, hints: &Hints, w: &mut Walk<'a>) {
    enum Step<'a> {
        Open(NodeRef<'a, Node>),
        Close,
    }
    let mut stack = vec![Step::Open(root)];
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Close => {
                // The block ends inside the element, with what the element sets.
                if w.frame().block {
                    w.flush();
                }
                let frame = w.open.pop().expect("opened before it closes");
                let end = w.blocks.len() as u32;
                let element = &mut w.elements[frame.element as usize];
                element.end = end;
                let (controls, parent) = (element.controls, element.parent);
                if controls && parent != u32::MAX {
                    w.elements[parent as usize].controls = true;
                }
                continue;
            }
            Step::Open(n) => n,
        };
        let e = match node.value() {
            Node::Text(t) => {
                w.text(t);
                continue;
            }
            Node::Element(e) => e,
            Node::Document | Node::Fragment => {
                stack.extend(node.children().rev().map(Step::Open));
                continue;
            }
            _ => continue,
        };
        let name = e.name();
        if listed(SKIPPED, name) || hidden(e) {
            if matches!(name, "input" | "button" | "select" | "textarea") {
                if let Some(f) = w.open.last() {
                    w.elements[f.element as usize].controls = true;
                }
            }
            continue;
        }
        let block = listed(BLOCKS, name);
        if block {
            w.flush();
        }
        let parent = w.frame();
        let trusted = hints.trusted.contains(&node.id());
        let is_root = hints.root == Some(node.id());
        let in_article = parent.in_article || matches!(name, "article" | "main") || trusted;
        let mut furniture = parent.furniture;
        if listed(FURNITURE_TAGS, name)
            || (name == "header" && !in_article)
            || e.attr("role")
                .is_some_and(|r| FURNITURE_ROLES.iter().any(|f| r.eq_ignore_ascii_case(f)))
        {
            furniture |= BY_TAG;
        }
        let by_class = !trusted && !matches!(name, "html" | "body" | "main") && furniture_class(e);
        if by_class {
            if parent.in_root && furniture & BY_CLASS == 0 {
                w.in_root.push(w.elements.len() as u32);
            }
            furniture |= BY_CLASS;
        }
        if is_root {
            w.root = Some(w.elements.len() as u32);
        }
        let kind_set = match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Some(Kind::Heading),
            "li" | "dt" | "dd" => Some(Kind::Item),
            "figure" | "figcaption" | "caption" => Some(Kind::Caption),
            // The innermost element that sets a kind sets it for the text inside.
            _ => parent.kind_set,
        };
        let index = w.elements.len() as u32;
        w.elements.push(Element {
            name,
            controls: false,
            parent: if w.open.is_empty() {
                u32::MAX
            } else {
                parent.element
            },
            start: w.blocks.len() as u32,
            end: w.blocks.len() as u32,
        });
        w.open.push(Frame {
            element: index,
            link: parent.link || name == "a",
            kind_set,
            furniture,
            in_article,
            block,
            h1: parent.h1 || hints.h1 == Some(node.id()),
            in_root: parent.in_root || is_root,
        });
        stack.push(Step::Close);
        stack.extend(node.children().rev().map(Step::Open));
    }
}

/// True when `name` is in `list` (sorted: a binary search, as these are looked up for every
/// element and class word of a page).
fn listed(list: &[&str], name: &str) -> bool {
    list.binary_search(&name).is_ok()
}

/// True when an element is not shown: `hidden`, `aria-hidden`, `display:none`, or a class of
/// text for screen readers only.
fn hidden(e: &scraper::node::Element) -> bool {
    e.attr("hidden").is_some()
        || e.attr("aria-hidden") == Some("true")
        || e.attr("style").is_some_and(|s| {
            s.contains("none") && {
                let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                s.to_ascii_lowercase().contains("display:none")
            }
        })
        || e.attr("class").is_some_and(|c| {
            c.split_ascii_whitespace()
                .any(|n| HIDDEN_CLASSES.iter().any(|h| n.eq_ignore_ascii_case(h)))
        })
}

/// True when a word of the element's class or id names page furniture.
fn furniture_class(e: &scraper::node::Element) -> bool {
    let classes = e.attr("class").unwrap_or("").split_ascii_whitespace();
    classes.chain(e.attr("id")).any(|name| {
        !MODIFIERS.iter().any(|p| {
            name.get(..p.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(p))
        }) && words(name).any(|word| {
            let mut lower = [0u8; 16];
            word.len() <= lower.len() && {
                let lower = &mut lower[..word.len()];
                lower.copy_from_slice(word.as_bytes());
                lower.make_ascii_lowercase();
                // Words are ASCII letters and digits.
                std::str::from_utf8(lower).is_ok_and(|l| listed(FURNITURE_WORDS, l))
            }
        })
    })
}

/// The words of a class or id: split at anything but ASCII letters and digits, and where a
/// lower-case letter is followed by an upper-case one ("mostRead" is "most", "Read").
fn words(name: &str) -> impl Iterator<Item = &str> {
    let b = name.as_bytes();
    let mut cuts = Vec::new();
    for i in 1..b.len() {
        if b[i - 1].is_ascii_lowercase() && b[i].is_ascii_uppercase() {
            cuts.push(i);
        }
    }
    let mut pieces = Vec::new();
    let mut from = 0;
    for c in cuts.into_iter().chain(std::iter::once(b.len())) {
        pieces.push(&name[from..c]);
        from = c;
    }
    pieces
        .into_iter()
        .flat_map(|p| p.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
}

/// Marks small boxes of furniture: a few blocks with a form control (a newsletter sign-up,
/// a login), or headed by a boilerplate line ("Jetzt abonnieren" and its pitch).
fn mark_boxes(w: &mut Walk<'_>) {
    const SMALL: u32 = 250;
    for i in 0..w.elements.len() {
        let e = &w.elements[i];
        let (s, t) = (e.start as usize, e.end as usize);
        if s == t || t - s > 4 {
            continue;
        }
        let weight: u32 = w.blocks[s..t].iter().map(|b| b.weight).sum();
        if weight >= SMALL {
            continue;
        }
        let first = &w.blocks[s];
        let headed = t - s > 1
            && first.weight < 40
            && pitch(&w.buf[first.start as usize..first.end as usize]);
        if e.controls || headed {
            for b in &mut w.blocks[s..t] {
                b.furniture |= BY_BOX;
            }
        }
    }
}

/// Inside the article around the headline, an element whose class names furniture but which
/// holds more than half of the article's text is the article's own: its class words no
/// longer count (the entries of a live ticker named "comments-stream").
fn trust_the_root(w: &mut Walk<'_>) {
    let Some(root) = w.root else { return };
    if w.in_root.is_empty() {
        return;
    }
    let mut good = vec![0u64; w.blocks.len() + 1];
    for (i, b) in w.blocks.iter().enumerate() {
        let g = classify(b, &w.buf[b.start as usize..b.end as usize], false) == Class::Good;
        good[i + 1] = good[i] + if g { u64::from(b.weight) } else { 0 };
    }
    let sum = |e: &Element<'_>| good[e.end as usize] - good[e.start as usize];
    let whole = sum(&w.elements[root as usize]);
    for &i in &w.in_root {
        let e = &w.elements[i as usize];
        if sum(e) * 2 > whole {
            let (s, t) = (e.start as usize, e.end as usize);
            for b in &mut w.blocks[s..t] {
                b.furniture &= !BY_CLASS;
            }
        }
    }
}

/// Marks as teasers the items of lists of links: three or more elements of one tag under one
/// parent, each short and led by links (a headline link and a line of summary is still a
/// teaser, though the summary alone looks like text).
fn mark_teasers(w: &mut Walk<'_>) {
    let n = w.blocks.len();
    let mut weight = vec![0u64; n + 1];
    let mut link = vec![0u64; n + 1];
    for (i, b) in w.blocks.iter().enumerate() {
        weight[i + 1] = weight[i] + u64::from(b.weight);
        link[i + 1] = link[i] + u64::from(b.link);
    }
    // Per (parent, tag): items, and the items that are short and linky.
    let mut groups: std::collections::HashMap<(u32, &str), (u32, Vec<u32>), _> =
        std::collections::HashMap::with_hasher(xxhash_rust::xxh3::Xxh3Builder::new());
    for (i, e) in w.elements.iter().enumerate() {
        if e.parent == u32::MAX
            || e.start == e.end
            || !matches!(
                e.name,
                "li" | "div" | "article" | "section" | "dt" | "dd" | "tr"
            )
        {
            continue;
        }
        let (s, t) = (e.start as usize, e.end as usize);
        let wt = weight[t] - weight[s];
        let lk = link[t] - link[s];
        let entry = groups.entry((e.parent, e.name)).or_default();
        entry.0 += 1;
        // Linky: links are a fifth of the item or more (a headline and a line of summary).
        if wt > 0 && wt < 600 && lk * 5 >= wt {
            entry.1.push(i as u32);
        }
    }
    for (_, (count, linky)) in groups {
        if linky.len() >= 3 && linky.len() as u32 * 3 >= count * 2 {
            for i in linky {
                let e = &w.elements[i as usize];
                for b in &mut w.blocks[e.start as usize..e.end as usize] {
                    b.furniture |= BY_TEASER;
                }
            }
        }
    }
}

/// What a block is worth, on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Good,
    Bad,
    Short,
    /// The heading of a comment section: the article never runs past it.
    Barrier,
}

fn classify(b: &Block, text: &str, by_class: bool) -> Class {
    let furniture = b.furniture & !(if by_class { 0 } else { BY_CLASS });
    if furniture != 0 {
        return Class::Bad;
    }
    if b.link * 2 > b.weight {
        return Class::Bad;
    }
    if b.weight < 40 && comments_heading(text) {
        return Class::Barrier;
    }
    if b.weight < 200 && boilerplate(text, b.sentence) {
        return Class::Bad;
    }
    if b.kind == Kind::Heading || b.kind == Kind::Caption {
        return Class::Short;
    }
    if (b.weight >= GOOD && b.link * 10 <= b.weight * 3)
        || (b.weight >= GOOD_SENTENCE && b.sentence && b.link * 5 <= b.weight)
    {
        return Class::Good;
    }
    Class::Short
}

/// True when a short block is a copyright or rights line, a byline or time stamp, or a call
/// to subscribe, share or read more.
fn boilerplate(text: &str, sentence: bool) -> bool {
    let lower = text.to_lowercase();
    if BOILERPLATE_ANYWHERE.iter().any(|p| lower.contains(p)) {
        return true;
    }
    let words = text.split_whitespace().count();
    // A full sentence that happens to start "By the end of..." is text.
    if sentence && words > 12 {
        return false;
    }
    opens_with_pitch(&lower) || dateline_only(&lower)
}

/// True when a line opens with a byline, a time stamp's word or a call to subscribe, share,
/// log in or read more.
fn pitch(text: &str) -> bool {
    opens_with_pitch(&text.to_lowercase())
}

/// [`pitch`] of a line already in lower case.
fn opens_with_pitch(lower: &str) -> bool {
    let opening = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    BOILERPLATE_OPENINGS.iter().any(|p| opening.starts_with(p))
}

/// True when a short line heads a comment section ("Comments (8)", "12 Kommentare",
/// "Leserkommentare", "Leave a reply").
fn comments_heading(text: &str) -> bool {
    const OPENINGS: &[&str] = &[
        "comments",
        "comment",
        "reader comments",
        "leave a comment",
        "leave a reply",
        "add a comment",
        "join the discussion",
        "discussion",
        "responses",
        "kommentare",
        "leserkommentare",
        "kommentieren",
        "diskussion",
        "commentaires",
        "comentarios",
        "commenti",
        "komentarze",
        "reacties",
        "コメント",
        "评论",
        "댓글",
    ];
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let line = words.join(" ");
    words.len() <= 4 && OPENINGS.iter().any(|o| line.starts_with(o))
}

/// True when a line is a date or time with at most three other words ("12.03.2024, 14:05
/// Uhr", "March 5, 2024", "dpa/lby · 16.04.2024"): a time stamp, an agency's credit.
fn dateline_only(lower: &str) -> bool {
    const WORDS: &[&str] = &[
        "uhr",
        "am",
        "pm",
        "utc",
        "gmt",
        "cet",
        "cest",
        "et",
        "est",
        "edt",
        "pst",
        "pdt",
        "jan",
        "january",
        "januar",
        "janvier",
        "feb",
        "february",
        "februar",
        "mar",
        "march",
        "märz",
        "apr",
        "april",
        "may",
        "mai",
        "jun",
        "june",
        "juni",
        "jul",
        "july",
        "juli",
        "aug",
        "august",
        "sep",
        "sept",
        "september",
        "oct",
        "october",
        "okt",
        "oktober",
        "nov",
        "november",
        "dec",
        "december",
        "dez",
        "dezember",
        "mon",
        "monday",
        "montag",
        "tue",
        "tuesday",
        "dienstag",
        "wed",
        "wednesday",
        "mittwoch",
        "thu",
        "thursday",
        "donnerstag",
        "fri",
        "friday",
        "freitag",
        "sat",
        "saturday",
        "samstag",
        "sun",
        "sunday",
        "sonntag",
        "today",
        "yesterday",
        "heute",
        "gestern",
        "on",
        "at",
        "um",
        "le",
        "à",
        "de",
    ];
    let (mut date, mut others) = (false, 0);
    for word in lower.split(|c: char| c.is_whitespace() || ",·|/()–—-".contains(c)) {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        if word.chars().all(|c| c.is_ascii_digit() || ".:".contains(c)) {
            // A year, a date written with dots (16.04.2024, not 20.000), or a time (12:58).
            date |= word.matches('.').count() >= 2
                || (word.contains(':') && word.len() <= 5)
                || (word.len() == 4 && (word.starts_with("19") || word.starts_with("20")));
        } else if !WORDS.contains(&word) {
            others += 1;
        }
    }
    date && others <= 3
}

/// The kept text, trusting class names or not.
fn choose(w: &Walk<'_>, by_class: bool) -> String {
    let blocks = &w.blocks;
    if blocks.is_empty() {
        return String::new();
    }
    let text = |b: &Block| &w.buf[b.start as usize..b.end as usize];
    let classes: Vec<Class> = blocks
        .iter()
        .map(|b| classify(b, text(b), by_class))
        .collect();
    if !classes.contains(&Class::Good) {
        // Nothing looks like article text (a one-line page): keep what is not furniture.
        return join(
            blocks
                .iter()
                .zip(&classes)
                .filter(|(_, c)| !matches!(c, Class::Bad | Class::Barrier))
                .map(|(b, _)| text(b)),
        );
    }
    let score: Vec<i64> = blocks
        .iter()
        .zip(&classes)
        .map(|(b, c)| match c {
            Class::Good => i64::from(b.weight),
            Class::Bad => -i64::from(b.weight.max(10)),
            Class::Short => SHORT_SCORE,
            Class::Barrier => -(1 << 40),
        })
        .collect();
    let mut prefix = vec![0i64; blocks.len() + 1];
    for (i, s) in score.iter().enumerate() {
        prefix[i + 1] = prefix[i] + s;
    }
    let (from, to) = (0, blocks.len());
    // The run of greatest sum; when the page has a headline followed by article text, the
    // greatest run that holds the headline's first good block (comments longer than the
    // story come after it).
    let anchor = w.h1.and_then(|h| {
        (h..to)
            .take_while(|&i| classes[i] != Class::Barrier)
            .find(|&i| classes[i] == Class::Good)
    });
    let (mut run_from, run_to) = match anchor {
        Some(g) => {
            let start = (from..=g).rev().min_by_key(|&s| prefix[s]).unwrap_or(g);
            let end = (g + 1..=to).min_by_key(|&e| -prefix[e]).unwrap_or(g + 1);
            (start, end)
        }
        None => {
            let (mut run_from, mut run_to, mut run_best) = (from, from, i64::MIN);
            let mut lowest = (prefix[from], from);
            for (t, &p) in prefix.iter().enumerate().take(to + 1).skip(from + 1) {
                if p - lowest.0 > run_best {
                    run_best = p - lowest.0;
                    (run_from, run_to) = (lowest.1, t);
                }
                if p < lowest.0 {
                    lowest = (p, t);
                }
            }
            (run_from, run_to)
        }
    };
    // Short blocks at either end of the run are judged with it, by their neighbours.
    while run_from > from && classes[run_from - 1] == Class::Short {
        run_from -= 1;
    }
    let mut run_to = run_to;
    while run_to < to && classes[run_to] == Class::Short {
        run_to += 1;
    }
    let (from, to) = (run_from, run_to);
    // Good blocks kept, bad ones dropped; a short one kept by its neighbours.
    let good_before: Vec<bool> = {
        let mut v = Vec::with_capacity(to - from);
        let mut last = false;
        for c in &classes[from..to] {
            v.push(last);
            match c {
                Class::Good => last = true,
                Class::Bad => last = false,
                Class::Short => {}
                Class::Barrier => last = false,
            }
        }
        v
    };
    let mut good_after = vec![false; to - from];
    let mut next = false;
    for i in (from..to).rev() {
        good_after[i - from] = next;
        match classes[i] {
            Class::Good => next = true,
            Class::Bad => next = false,
            Class::Short => {}
            Class::Barrier => next = false,
        }
    }
    let mut seen = HashSet::new();
    join((from..to).filter_map(|i| {
        let b = &blocks[i];
        let (before, after) = (good_before[i - from], good_after[i - from]);
        let keep = match classes[i] {
            Class::Good => true,
            Class::Bad | Class::Barrier => false,
            Class::Short => match b.kind {
                Kind::Heading => after,
                Kind::Caption => before || after,
                Kind::Item => before || after,
                Kind::Text => {
                    (before && after) || ((before || after) && b.sentence && b.weight >= 15)
                }
            },
        };
        let t = text(b);
        (keep && seen.insert(t)).then_some(t)
    }))
}

fn join<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for l in lines {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [SKIPPED, BLOCKS, FURNITURE_TAGS, FURNITURE_WORDS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
        assert!(listed(FURNITURE_WORDS, "nav") && !listed(FURNITURE_WORDS, "navigator"));
    }

    #[test]
    fn class_words_are_whole_words() {
        let w: Vec<&str> = words("navigator-heading mostRead").collect();
        assert_eq!(w, ["navigator", "heading", "most", "Read"]);
        assert!(ends_sentence("He said so.”"));
        assert!(!ends_sentence("Most read"));
        assert!(dateline_only("12.03.2024, 14:05 uhr"));
        assert!(dateline_only("march 5, 2024"));
        assert!(!dateline_only("5 people died on march 5"));
        assert!(dateline_only("dpa/lby · 16.04.2024, 12:58 uhr"));
        assert!(!dateline_only("wassersäule: 20.000 mm"));
    }
}
