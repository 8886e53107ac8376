//! A page's title, date, canonical URL and article text, out of its decoded HTML.
//!
//! Owns: parsing a decoded page (see [`super::charset`]) with html5ever (through `scraper`),
//! which repairs malformed markup the way browsers do, with elements nested at most
//! [`MAX_DEPTH`] deep and `<noscript>` read as markup; the title (`og:title`, else `<title>` or
//! the `<h1>` it holds), the publication date and canonical URL from `<meta>`/`<link>` tags
//! and JSON-LD; the hints the article's text is chosen by (the first `<h1>`, the article body)
//! and the JSON-LD `articleBody` of a page that shows only a teaser of it. Which text is the
//! article is `article`'s. Must not: do I/O, or know where the page came from (WARC
//! record or file).

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};
use std::borrow::Cow;

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
    let mut first_h1_node = None;
    let mut ld_body = String::new();
    let mut container_by_prop = None;
    for node in doc.tree.root().descendants() {
        let Node::Element(e) = node.value() else {
            continue;
        };
        match e.name() {
            "title" if title_tag.is_none() => title_tag = Some(collapse(&text_of(node))),
            "h1" if first_h1.is_none() => {
                first_h1 = Some(collapse(&text_of(node)));
                first_h1_node = Some(node);
            }
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
                if e.attr("type")
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
                if page.date.is_none() {
                    page.date = json_ld_date(&own);
                }
                if own.contains("\"articleBody\"") {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&own) {
                        let found = json_ld_body(&v);
                        if found.len() > ld_body.len() {
                            ld_body = found.to_string();
                        }
                    }
                }
            }
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
    // The class words of the elements around the headline and the article body are not
    // furniture (a wrapper named "menu-open" around the story is not a menu).
    let mut trusted = Vec::new();
    for n in [first_h1_node, container_by_prop].into_iter().flatten() {
        trusted.extend(std::iter::once(n.id()).chain(n.ancestors().map(|a| a.id())));
    }
    let root = first_h1_node
        .and_then(|h| {
            h.ancestors().find(
                |a| matches!(a.value(), Node::Element(e) if matches!(e.name(), "article" | "main")),
            )
        })
        .or(container_by_prop)
        .map(|n| n.id());
    let hints = super::article::Hints {
        trusted,
        root,
        h1: first_h1_node.map(|n| n.id()),
    };
    page.text = super::article::article_text(doc.tree.root(), &hints);
    // A page that shows a teaser of what its JSON-LD holds whole (a paywall): the JSON-LD.
    let ld_text: String = ld_body
        .lines()
        .map(collapse)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    if ld_text.chars().count() > 2 * page.text.chars().count() {
        page.text = ld_text;
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
            // Scripting off: a `<noscript>` is read as markup (some pages hold their only copy of
            // the article there), not as one text node.
            builder: TreeBuilder::new(
                sink,
                html5ever::tree_builder::TreeBuilderOpts {
                    scripting_enabled: false,
                    ..Default::default()
                },
            ),
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

/// The longest `articleBody` string anywhere in a JSON-LD value (in `@graph` arrays too).
fn json_ld_body(v: &serde_json::Value) -> &str {
    match v {
        serde_json::Value::Object(m) => {
            let own = m.get("articleBody").and_then(|b| b.as_str()).unwrap_or("");
            m.values()
                .map(json_ld_body)
                .chain(std::iter::once(own))
                .max_by_key(|s| s.len())
                .unwrap_or("")
        }
        serde_json::Value::Array(a) => a
            .iter()
            .map(json_ld_body)
            .max_by_key(|s| s.len())
            .unwrap_or(""),
        _ => "",
    }
}

/// The first `"datePublished": "..."` in a JSON-LD script.
fn json_ld_date(script: &str) -> Option<String> {
    let i = script.find("\"datePublished\"")?;
    let rest = script[i + "\"datePublished\"".len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(collapse(&rest[..end])).filter(|d| !d.is_empty())
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
        // Past the depth the words are one block (their elements were left out), the article.
        assert!(text.contains("w600 w601"), "{text:.40}");
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
