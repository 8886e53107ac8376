//! Article text out of an HTML page.
//!
//! Owns: choosing what of a decoded page (see [`super::charset`]) is the article: the title
//! (`og:title`, else `<title>` or the `<h1>` it holds), the publication date and canonical URL from `<meta>`/`<link>`
//! tags and JSON-LD, and the text of the paragraphs. Must not: do I/O, or know where the page
//! came from (WARC record or file).
//!
//! The text is the page's blocks (paragraphs, headings, list items, quotes, table cells), one a
//! line, taken from the article's container (`[itemprop=articleBody]`, else the longest
//! `<article>`, else `<main>`, else `<body>`). Left out: `script`, `style`, `noscript`,
//! `template`, `svg`, `nav`, `header`, `footer`, `aside`, `form`, `button`, `iframe`,
//! `figure`; elements whose ARIA role or class/id names navigation, menus, sharing, related
//! stories, comments, cookie banners, newsletters or advertising; and blocks that are mostly
//! link text (menus written as lists of links). The parser is html5ever (through `scraper`),
//! which repairs malformed markup the way browsers do.

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};
use std::borrow::Cow;
use std::collections::HashMap;

/// What is taken from a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// `og:title`, else the `<title>` element (only the first `<h1>` when the title holds it, as
    /// in "Headline | Outlet"), else the first `<h1>`; whitespace collapsed.
    pub title: Option<String>,
    /// The article's paragraphs, one a line.
    pub text: String,
    /// The publication date from `article:published_time`, `itemprop=datePublished`, JSON-LD
    /// `datePublished` and similar, as written.
    pub date: Option<String>,
    /// `<link rel=canonical>`, else `og:url`.
    pub url: Option<String>,
}

/// Elements whose whole subtree is never article text.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer", "aside",
    "form", "button", "select", "option", "textarea", "iframe", "object", "embed", "video",
    "audio", "canvas", "figure", "dialog", "menu", "head",
];

/// Elements that end a block of text (a line of the output).
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "main",
    "br",
    "hr",
    "address",
    "figcaption",
    "caption",
    "center",
];

/// ARIA roles of page furniture.
const DROPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "menu",
    "menubar",
    "search",
    "dialog",
    "alert",
];

/// Words in a class or id (split at `-`, `_`, spaces, case folded) that mark page furniture.
const DROPPED_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "footer",
    "sidebar",
    "share",
    "sharing",
    "social",
    "related",
    "recommended",
    "recirculation",
    "comment",
    "comments",
    "cookie",
    "cookies",
    "consent",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsored",
    "popup",
    "modal",
    "masthead",
    "trending",
    "mostread",
    "outbrain",
    "taboola",
    "paywall",
    "tags",
];

/// Takes the title, date, canonical URL and article text out of a decoded page.
///
/// ```
/// let p = neardup::input::html::extract(
///     "<html><head><title>Rates held | Daily</title></head><body>\
///      <nav><ul><li><a href=/>Home</a></li></ul></nav>\
///      <article><h1>Rates held</h1><p>The bank kept rates on hold.</p></article>\
///      <footer>(c) Daily</footer></body></html>",
/// );
/// assert_eq!(p.title.as_deref(), Some("Rates held"));
/// assert_eq!(p.text, "Rates held\nThe bank kept rates on hold.");
/// ```
pub fn extract(html: &str) -> Page {
    let doc = parse(html);
    let mut page = Page::default();
    let mut title_tag: Option<String> = None;
    let mut first_h1: Option<String> = None;
    let mut container_by_prop = None;
    let mut articles = Vec::new();
    let (mut main, mut body) = (None, None);
    for node in doc.tree.root().descendants() {
        let Node::Element(e) = node.value() else {
            continue;
        };
        match e.name() {
            "title" if title_tag.is_none() => title_tag = Some(collapse(&text_of(node))),
            "h1" if first_h1.is_none() => first_h1 = Some(collapse(&text_of(node))),
            "meta" => {
                let key = e
                    .attr("property")
                    .or_else(|| e.attr("name"))
                    .or_else(|| e.attr("itemprop"))
                    .map(str::to_ascii_lowercase);
                let (Some(key), Some(content)) = (key, e.attr("content")) else {
                    continue;
                };
                let content = collapse(content);
                if content.is_empty() {
                    continue;
                }
                match key.as_str() {
                    "og:title" if page.title.is_none() => page.title = Some(content),
                    "og:url" if page.url.is_none() => page.url = Some(content),
                    "article:published_time"
                    | "og:published_time"
                    | "datepublished"
                    | "pubdate"
                    | "publishdate"
                    | "publish-date"
                    | "parsely-pub-date"
                    | "sailthru.date"
                    | "dc.date.issued"
                    | "dcterms.created"
                    | "date"
                        if page.date.is_none() =>
                    {
                        page.date = Some(content)
                    }
                    _ => {}
                }
            }
            "link"
                if e.attr("rel")
                    .is_some_and(|r| r.eq_ignore_ascii_case("canonical")) =>
            {
                if let Some(h) = e.attr("href").map(str::trim).filter(|h| !h.is_empty()) {
                    page.url = Some(h.to_string());
                }
            }
            "time" if page.date.is_none() && e.attr("itemprop") == Some("datePublished") => {
                page.date = e.attr("datetime").map(collapse);
            }
            "script"
                if page.date.is_none()
                    && e.attr("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) =>
            {
                // The script's own text (an SVG `<script>` can hold elements, and nested ones
                // would each read the rest of the page again).
                let own: String = node
                    .children()
                    .filter_map(|c| match c.value() {
                        Node::Text(t) => Some(&**t),
                        _ => None,
                    })
                    .collect();
                page.date = json_ld_date(&own);
            }
            "main" if main.is_none() => main = Some(node),
            "body" if body.is_none() => body = Some(node),
            "article" => articles.push(node),
            _ => {}
        }
        if container_by_prop.is_none() && e.attr("itemprop") == Some("articleBody") {
            container_by_prop = Some(node);
        }
    }
    if page.title.is_none() {
        // "Headline | Outlet" in <title>: the page's <h1> is the headline without the outlet.
        let h1 = first_h1.filter(|h| !h.is_empty());
        let tag = title_tag.filter(|t| !t.is_empty());
        page.title = match (tag, h1) {
            (Some(t), Some(h)) if t.contains(h.as_str()) => Some(h),
            (Some(t), _) => Some(t),
            (None, h) => h,
        };
    }
    // Every count in one walk: nested articles would each walk their own subtree again.
    let root = doc.tree.root();
    let mut wanted: Vec<NodeId> = articles.iter().map(|a| a.id()).collect();
    wanted.extend(
        [container_by_prop, main, body, Some(root)]
            .into_iter()
            .flatten()
            .map(|n| n.id()),
    );
    let chars = paragraph_chars(root, &wanted);
    let chars_of = |n: NodeRef<'_, Node>| chars.get(&n.id()).copied().unwrap_or(0);
    let container = container_by_prop
        .or_else(|| {
            articles
                .iter()
                .map(|&a| (a, chars_of(a)))
                .filter(|&(_, n)| n > 0)
                .max_by_key(|&(_, n)| n)
                .map(|(a, _)| a)
        })
        .or(main)
        .or(body)
        .unwrap_or(root);
    let mut blocks = Blocks::default();
    walk(container, &mut blocks, 0, true);
    blocks.flush();
    page.text = blocks.out;
    // Class names are a guess: when they left out most of the container's paragraph text (a
    // wrapper named "main-nav-open", say), read the container again trusting tags and roles only.
    if page.text.len() * 3 < chars_of(container) {
        let mut blocks = Blocks::default();
        walk(container, &mut blocks, 0, false);
        blocks.flush();
        page.text = blocks.out;
    }
    page
}

/// How deep elements nest in the tree [`parse`] builds (Chromium's limit too). Past it, start
/// tags are left out and their content goes to the element at this depth.
pub const MAX_DEPTH: usize = 512;

/// Parses a page as html5ever does (as a browser does), with elements nested at most about
/// [`MAX_DEPTH`] deep: html5ever looks through its whole stack of open elements for many
/// tags (is there a `<p>` to close?), so a page of 40,000 nested `<article><p>` costs it
/// time quadratic in the page. Past the depth, a start tag is dropped unless it opens an
/// element that holds only text (`<script>`, `<style>`, `<title>`, `<textarea>`... whose
/// content must not be read as markup) or no content (`<br>`, `<img>`...); in foreign content
/// (SVG, MathML) every such start tag is dropped. Each element is at most [`MAX_DEPTH`] deep
/// when its parent is, so the work per token is bounded and the whole parse linear.
fn parse(html: &str) -> Html {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Tokenizer};
    use html5ever::tree_builder::TreeBuilder;
    use html5ever::TokenizerResult;
    let sink = DepthSink {
        inner: scraper::HtmlTreeSink::new(Html::new_document()),
        depth: std::cell::Cell::new(0),
    };
    let tokenizer = Tokenizer::new(
        Bounded {
            builder: TreeBuilder::new(sink, Default::default()),
        },
        Default::default(),
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    html5ever::tree_builder::TreeSink::finish(tokenizer.sink.builder.sink.inner)
}

/// The tree builder's sink, keeping the depth of the current node (what html5ever's stack of
/// open elements holds, estimated from where nodes are appended and which are popped).
struct DepthSink {
    inner: scraper::HtmlTreeSink,
    depth: std::cell::Cell<usize>,
}

impl DepthSink {
    /// Depth of `node` in the tree (the document is 0), counted up to `MAX_DEPTH + 1`.
    fn depth_of(&self, node: &NodeId) -> usize {
        let html = self.inner.0.borrow();
        html.tree
            .get(*node)
            .map_or(0, |n| n.ancestors().take(MAX_DEPTH + 1).count())
    }

    /// Notes that an element was appended under `parent` (found from `child`'s new place by
    /// `parent_depth`): it is the current node. Text, appended to the current node, tells
    /// nothing new (and is not counted, so text deep down costs no walk up the tree).
    fn appended(
        &self,
        child: &html5ever::tree_builder::NodeOrText<NodeId>,
        parent_depth: impl FnOnce() -> usize,
    ) {
        if let html5ever::tree_builder::NodeOrText::AppendNode(_) = child {
            self.depth.set(parent_depth() + 1);
        }
    }
}

impl html5ever::tree_builder::TreeSink for DepthSink {
    type Handle = NodeId;
    type Output = Html;
    type ElemName<'a> = std::cell::Ref<'a, html5ever::QualName>;

    fn finish(self) -> Html {
        self.inner.finish()
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }
    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }
    fn create_element(
        &self,
        name: html5ever::QualName,
        attrs: Vec<html5ever::Attribute>,
        flags: html5ever::tree_builder::ElementFlags,
    ) -> NodeId {
        self.inner.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: html5ever::tendril::StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }
    fn create_pi(
        &self,
        target: html5ever::tendril::StrTendril,
        data: html5ever::tendril::StrTendril,
    ) -> NodeId {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &NodeId, child: html5ever::tree_builder::NodeOrText<NodeId>) {
        self.appended(&child, || self.depth_of(parent));
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: html5ever::tree_builder::NodeOrText<NodeId>,
    ) {
        self.appended(&child, || self.depth_of(prev_element));
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(
        &self,
        name: html5ever::tendril::StrTendril,
        public_id: html5ever::tendril::StrTendril,
        system_id: html5ever::tendril::StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }
    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }
    fn pop(&self, node: &NodeId) {
        self.depth.set(self.depth_of(node).saturating_sub(1));
        self.inner.pop(node)
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: html5ever::tree_builder::QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(
        &self,
        sibling: &NodeId,
        new_node: html5ever::tree_builder::NodeOrText<NodeId>,
    ) {
        self.appended(&new_node, || self.depth_of(sibling).saturating_sub(1));
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<html5ever::Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn associate_with_form(
        &self,
        target: &NodeId,
        form: &NodeId,
        nodes: (&NodeId, Option<&NodeId>),
    ) {
        self.inner.associate_with_form(target, form, nodes)
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }
    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner
            .is_mathml_annotation_xml_integration_point(handle)
    }
    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number)
    }
    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }
    fn attach_declarative_shadow(
        &self,
        location: &NodeId,
        template: &NodeId,
        attrs: &[html5ever::Attribute],
    ) -> bool {
        self.inner
            .attach_declarative_shadow(location, template, attrs)
    }
    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.inner
            .maybe_clone_an_option_into_selectedcontent(option)
    }
}

/// Elements whose content is text (or nothing): their start tags are kept at any depth.
const FLAT: &[&str] = &[
    "script",
    "style",
    "title",
    "textarea",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
    "area",
    "base",
    "basefont",
    "bgsound",
    "br",
    "col",
    "embed",
    "frame",
    "hr",
    "img",
    "input",
    "keygen",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
];

/// The tokens for the tree builder, start tags past [`MAX_DEPTH`] left out (see [`parse`]).
struct Bounded {
    builder: html5ever::tree_builder::TreeBuilder<NodeId, DepthSink>,
}

impl html5ever::tokenizer::TokenSink for Bounded {
    type Handle = NodeId;

    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        line_number: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<NodeId> {
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult};
        if let Token::TagToken(tag) = &token {
            if tag.kind == TagKind::StartTag
                && self.builder.sink.depth.get() >= MAX_DEPTH
                && (!FLAT.contains(&&*tag.name)
                    || self
                        .builder
                        .adjusted_current_node_present_but_not_in_html_namespace())
            {
                return TokenSinkResult::Continue;
            }
        }
        self.builder.process_token(token, line_number)
    }

    fn end(&self) {
        self.builder.end()
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Characters of text inside `<p>` elements under each element of `wanted` (a `<p>` inside
/// another counted once for each), found in one walk of the tree under `root`, which holds
/// them all: how much article an `<article>` holds. Linear in the size of the tree, however
/// deep the elements of `wanted` nest.
fn paragraph_chars(root: NodeRef<'_, Node>, wanted: &[NodeId]) -> HashMap<NodeId, usize> {
    // With `P(t)` the number of `<p>` elements above a text node `t` and `l(t)` its trimmed
    // length, an element `x` with `p(x)` `<p>` elements strictly above it holds
    // `sum(l(t) * (P(t) - p(x)))` over its text: two running sums, read when `x` opens and
    // when it closes.
    let wanted: std::collections::HashSet<NodeId> = wanted.iter().copied().collect();
    let mut out = HashMap::with_capacity(wanted.len());
    let (mut weighted, mut plain, mut depth) = (0usize, 0usize, 0usize);
    let mut open: Vec<(usize, usize, usize)> = Vec::new();
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                if wanted.contains(&n.id()) {
                    open.push((weighted, plain, depth));
                }
                match n.value() {
                    Node::Element(e) if e.name() == "p" => depth += 1,
                    Node::Text(t) => {
                        let l = t.trim().len();
                        weighted += l * depth;
                        plain += l;
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if matches!(n.value(), Node::Element(e) if e.name() == "p") {
                    depth -= 1;
                }
                if wanted.contains(&n.id()) {
                    let (w, l, above) = open.pop().expect("opened before it closes");
                    out.insert(n.id(), (weighted - w) - above * (plain - l));
                }
            }
        }
    }
    out
}

/// All text under `node`, as is.
fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut s = String::new();
    for n in node.descendants() {
        if let Node::Text(t) = n.value() {
            s.push_str(t);
        }
    }
    s
}

/// Whitespace runs to one space, trimmed.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// The first `"datePublished": "..."` in a JSON-LD script.
fn json_ld_date(script: &str) -> Option<String> {
    let i = script.find("\"datePublished\"")?;
    let rest = script[i + "\"datePublished\"".len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(collapse(&rest[..end])).filter(|d| !d.is_empty())
}

/// True when an element is page furniture by its role, or (when `by_class`) its class or id.
fn is_furniture(e: &scraper::node::Element, by_class: bool) -> bool {
    if let Some(role) = e.attr("role") {
        if DROPPED_ROLES.iter().any(|r| role.eq_ignore_ascii_case(r)) {
            return true;
        }
    }
    if e.attr("aria-hidden") == Some("true") || e.attr("hidden").is_some() {
        return true;
    }
    if !by_class {
        return false;
    }
    let classes = e.attr("class").unwrap_or("").split_ascii_whitespace();
    for name in classes.chain(e.attr("id")) {
        // State modifiers name what is beside the element, not the element: "has-sidebar".
        let lower = name.to_ascii_lowercase();
        if [
            "has-", "has_", "with-", "no-", "is-", "js-", "show-", "hide-",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
        {
            continue;
        }
        for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
            if !word.is_empty()
                && word.len() <= 14
                && DROPPED_WORDS.iter().any(|d| d.eq_ignore_ascii_case(word))
            {
                return true;
            }
        }
    }
    false
}

/// Text gathered block by block.
#[derive(Default)]
struct Blocks {
    out: String,
    line: String,
    link_chars: usize,
    /// Whitespace seen since the last character of `line`.
    space: bool,
}

impl Blocks {
    /// Appends text, whitespace runs (within and across text nodes) made one space.
    fn text(&mut self, t: &str, in_link: bool) {
        for c in t.chars() {
            if c.is_whitespace() {
                self.space = !self.line.is_empty();
            } else {
                if self.space {
                    self.line.push(' ');
                    self.space = false;
                }
                self.line.push(c);
                if in_link {
                    self.link_chars += c.len_utf8();
                }
            }
        }
    }

    fn flush(&mut self) {
        let line = self.line.trim();
        // A block that is mostly link text is a menu, a list of related stories or a tag list.
        if !line.is_empty() && self.link_chars * 2 <= line.len() {
            if !self.out.is_empty() {
                self.out.push('\n');
            }
            self.out.push_str(line);
        }
        self.line.clear();
        self.link_chars = 0;
        self.space = false;
    }
}

fn walk(node: NodeRef<'_, Node>, blocks: &mut Blocks, depth: usize, by_class: bool) {
    for child in node.children() {
        match child.value() {
            Node::Text(t) => blocks.text(t, false),
            Node::Element(e) => {
                let name = e.name();
                if DROPPED.contains(&name) || is_furniture(e, by_class) {
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    blocks.flush();
                }
                if name == "a" {
                    walk_link(child, blocks);
                } else if depth < 512 {
                    walk(child, blocks, depth + 1, by_class);
                }
                if block {
                    blocks.flush();
                }
            }
            _ => {}
        }
    }
}

/// The text of a link: counted as link text for the link-density test.
fn walk_link(node: NodeRef<'_, Node>, blocks: &mut Blocks) {
    for n in node.descendants() {
        if let Node::Text(t) = n.value() {
            blocks.text(t, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str =
        "WASHINGTON (AP) — The Senate passed the bill on Tuesday after a long debate.";

    #[test]
    fn keeps_paragraphs_and_drops_furniture() {
        let html = format!(
            r#"<!doctype html><html><head><title>Bill passes - The Daily</title>
            <meta property="og:title" content="Bill passes">
            <meta property="article:published_time" content="2024-03-05T10:00:00Z">
            <link rel="canonical" href="https://www.daily.example/politics/bill">
            <script>var x = "<p>not text</p>";</script><style>p {{ color: red }}</style></head>
            <body><header><a href="/">The Daily</a></header>
            <nav><ul><li><a href="/a">World</a></li><li><a href="/b">Sport</a></li></ul></nav>
            <div class="cookie-banner">We use cookies. Accept?</div>
            <div class="story"><h1>Bill passes</h1>
              <p>{STORY}</p>
              <p>It now goes to the <a href="/house">House</a>, where a vote is <b>expected</b> soon.</p>
              <div class="share-tools"><p>Share this story</p></div>
              <ul class="links"><li><a href="/1">Read more about the Senate and the House</a></li></ul>
            </div>
            <aside>Most read</aside><footer>Copyright The Daily</footer></body></html>"#
        );
        let p = extract(&html);
        assert_eq!(p.title.as_deref(), Some("Bill passes"));
        assert_eq!(p.date.as_deref(), Some("2024-03-05T10:00:00Z"));
        assert_eq!(
            p.url.as_deref(),
            Some("https://www.daily.example/politics/bill")
        );
        assert_eq!(
            p.text,
            format!(
                "Bill passes\n{STORY}\nIt now goes to the House, where a vote is expected soon."
            )
        );
    }

    #[test]
    fn prefers_the_longest_article_and_reads_json_ld_dates() {
        let html = r#"<html><head><script type="application/ld+json">
            {"@type":"NewsArticle","datePublished": "2023-11-02T08:00:00+01:00"}</script></head>
            <body><article><p>Short teaser.</p></article>
            <article><p>The main story, with far more words in it than the teaser.</p>
            <p>Second paragraph.</p></article></body></html>"#;
        let p = extract(html);
        assert_eq!(p.date.as_deref(), Some("2023-11-02T08:00:00+01:00"));
        assert_eq!(p.title, None);
        assert_eq!(
            p.text,
            "The main story, with far more words in it than the teaser.\nSecond paragraph."
        );
    }

    #[test]
    fn text_without_paragraph_tags_and_broken_markup() {
        let p = extract("<body><div>First line<br>second line<div>third &amp; last</body>");
        assert_eq!(p.text, "First line\nsecond line\nthird & last");
        assert_eq!(extract("").text, "");
        assert_eq!(extract("plain words").text, "plain words");
    }

    #[test]
    fn a_wrapper_with_a_furniture_class_does_not_lose_the_story() {
        let story = "<p>One long paragraph of the story that must be kept whatever the class.</p>";
        // A modifier class is not furniture.
        let p = extract(&format!(
            "<body><div class=\"page has-sidebar\">{story}</div></body>"
        ));
        assert!(p.text.starts_with("One long paragraph"), "{:?}", p.text);
        // A wrapper whose class looks like furniture: read again by tags and roles only.
        let p = extract(&format!(
            "<body><div class=\"layout menu-open\">{story}<nav><p>Home</p></nav></div></body>"
        ));
        assert!(p.text.starts_with("One long paragraph"), "{:?}", p.text);
        assert!(!p.text.contains("Home"));
    }

    #[test]
    fn deep_nesting_stops_at_max_depth_and_keeps_the_text() {
        let mut page = String::from("<body>");
        for i in 0..2_000 {
            page.push_str(&format!("<div class=x><p>w{i} <b>"));
        }
        let doc = parse(&page);
        let deepest = doc.tree.nodes().map(|n| n.ancestors().count()).max();
        assert!(deepest.is_some_and(|d| d <= MAX_DEPTH + 2), "{deepest:?}");
        let text = extract(&page).text;
        assert!(text.starts_with("w0\nw1\n"), "{text:.40}");
        assert!(
            text.ends_with("w1998 w1999"),
            "{}",
            &text[text.len() - 40..]
        );
        // A script past the depth is still a script: its text is not read as markup or text.
        page.push_str("<script>var x = '<p>not text</p>';</script><p>last");
        let text = extract(&page).text;
        assert!(text.ends_with("w1999 last"), "{}", &text[text.len() - 40..]);
    }
}
