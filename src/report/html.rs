//! The HTML report: one self-contained page for an editor.
//!
//! Owns: the page layout, the inline SVG histogram, the filter box, and HTML escaping. Must
//! not: load anything from the network (no external CSS, fonts, scripts or images) or put any
//! text from the input into the page without [`escape`] (ids, titles, outlets, dates and file
//! names through `name`, which makes their control characters and bidirectional overrides
//! visible first).
//!
//! The page stays usable with thousands of clusters: every cluster is a collapsed `<details>`
//! section (the browser lays out closed sections lazily), the filter box hides sections by a
//! precomputed lower-case search string (one pass over the sections per keystroke), and the
//! page size grows linearly with the clusters, so one page holds at most
//! [`MAX_PAGE_CLUSTERS`] clusters (the largest) and says how many it leaves out; the report as
//! a directory of pages ([`super::pages`]) holds them all.

use super::{ClusterRecord, Header, Report, Single};
use crate::cluster::ReferenceBasis;
use crate::text_safety::{for_people, Layout};
use std::fmt::Write as _;
use std::io::{self, Write};

/// [`escape`] of an id, title, outlet, date or file name, its control characters and
/// bidirectional overrides first made visible ([`for_people`]), so that a name cannot
/// reorder the text a reader sees.
pub(crate) fn name(s: &str) -> String {
    escape(&for_people(s, Layout::Block))
}

/// Escapes text for HTML element content and quoted attribute values.
///
/// ```
/// use neardup::report::html::escape;
/// assert_eq!(escape("<script>alert('x')</script> & \"q\""),
///            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    // The five characters are ASCII, so byte positions are character boundaries; runs between
    // them are copied whole.
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&s[from..]);
    out
}

/// The style sheet of every report page.
pub const STYLE: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2327;background:#f6f7f7}
header,main{max-width:1100px;margin:0 auto;padding:12px 20px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:18px 0 8px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px}
.card{background:#fff;border:1px solid #dcdcde;border-radius:6px;padding:10px 14px}
.card table{border-collapse:collapse;width:100%}.card td{padding:1px 4px}.card td.n{text-align:right}
.stat{font-size:24px;font-weight:600}
.controls{position:sticky;top:0;background:#f6f7f7;padding:8px 0;z-index:1;display:flex;gap:8px;align-items:center}
#filter{flex:1;font-size:15px;padding:6px 8px;border:1px solid #8c8f94;border-radius:4px}
details.cluster{background:#fff;border:1px solid #dcdcde;border-radius:6px;margin:8px 0}
details.cluster>summary{cursor:pointer;padding:8px 12px;list-style-position:inside}
.wire{display:inline-block;background:#2271b1;color:#fff;border-radius:3px;padding:0 6px;font-size:13px;font-weight:600}
.nowire{background:#8c8f94}
.outlet{display:inline-block;background:#f0f0f1;border-radius:3px;padding:0 6px;margin:0 2px;font-size:13px}
.body{padding:4px 14px 12px}
table.members{border-collapse:collapse;width:100%;font-size:14px}
table.members th,table.members td{border-bottom:1px solid #eee;text-align:left;padding:3px 6px;vertical-align:top}
.changes{margin:6px 0 10px;padding-left:10px;border-left:3px solid #dcdcde}
ins{background:#d7f5dd;text-decoration:none}del{background:#fbd9d9}
.text{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:8px;max-height:22em;overflow:auto;font-size:14px}
.muted{color:#646970;font-size:13px}
"#;

const SCRIPT: &str = r#"
const f=document.getElementById('filter'),n=document.getElementById('shown');
const all=Array.from(document.querySelectorAll('details.cluster'));
function apply(){const q=f.value.trim().toLowerCase();let k=0;
for(const d of all){const hit=!q||d.dataset.search.includes(q);d.hidden=!hit;if(hit)k++;}
n.textContent=k;}
f.addEventListener('input',apply);
document.getElementById('expand').onclick=()=>{for(const d of all)if(!d.hidden)d.open=true;};
document.getElementById('collapse').onclick=()=>{for(const d of all)d.open=false;};
"#;

/// An inline SVG histogram of pair similarities in 20 bins from the lowest value (rounded down
/// to 0.05) to 1.
pub fn histogram_svg(values: &[f64]) -> String {
    let counted: Vec<(f64, u64)> = values.iter().map(|&v| (v, 1)).collect();
    histogram_svg_counted(&counted)
}

/// [`histogram_svg`] of values each given with the number of times it occurs.
pub fn histogram_svg_counted(values: &[(f64, u64)]) -> String {
    let lo = values
        .iter()
        .filter(|v| v.1 > 0)
        .map(|v| v.0)
        .fold(1.0f64, f64::min);
    let lo = ((lo * 20.0).floor() / 20.0).min(0.95);
    let bins = 20usize;
    let mut counts = vec![0u64; bins];
    for &(v, n) in values {
        let i = (((v - lo) / (1.0 - lo)) * bins as f64).floor() as usize;
        counts[i.min(bins - 1)] += n;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, bw) = (420.0, 120.0, 420.0 / bins as f64);
    let mut s = format!(
        r#"<svg role="img" aria-label="histogram of pair Jaccard similarity" style="width:100%;height:auto" viewBox="0 0 {w} {}">"#,
        h + 18.0
    );
    for (i, &c) in counts.iter().enumerate() {
        let bh = h * c as f64 / max as f64;
        let from = lo + (1.0 - lo) * i as f64 / bins as f64;
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#2271b1"><title>{:.3}-{:.3}: {} pairs</title></rect>"##,
            i as f64 * bw + 1.0,
            h - bh,
            bw - 2.0,
            bh,
            from,
            from + (1.0 - lo) / bins as f64,
            c
        );
    }
    let _ = write!(
        s,
        r##"<text x="0" y="{}" font-size="11" fill="#646970">{lo:.2}</text><text x="{}" y="{}" font-size="11" fill="#646970" text-anchor="end">1.00</text></svg>"##,
        h + 14.0,
        w,
        h + 14.0
    );
    s
}

fn wire_badge(c: &ClusterRecord) -> String {
    match &c.wire {
        Some(w) => format!(
            r#"<span class="wire" title="{}">{}</span>"#,
            escape(w.full_name),
            escape(w.name)
        ),
        None => r#"<span class="wire nowire">no wire named</span>"#.into(),
    }
}

/// How many of the largest clusters are shown expanded when the page opens.
pub const OPEN_CLUSTERS: usize = 3;

/// At most this many clusters (the largest) are written on the one page of [`write_html`]:
/// 15 MB of page at 100,000 generated news articles. The others are counted in a note on the
/// page; the report as a directory of pages ([`super::pages`]) lists every cluster.
pub const MAX_PAGE_CLUSTERS: usize = 2000;

/// The title of a cluster: its reference copy's title, else the reference's id.
pub fn cluster_title(c: &ClusterRecord) -> String {
    c.title.clone().unwrap_or_else(|| c.reference.clone())
}

/// Appends the `<details>` section of one cluster to `out`, expanded when `open` (the
/// [`OPEN_CLUSTERS`] largest clusters are).
pub fn cluster_html(c: &ClusterRecord, open: bool, out: &mut String) {
    let title = cluster_title(c);
    let mut search = format!("#{} {} ", c.cluster, c.wire.as_ref().map_or("", |w| w.name));
    for m in &c.members {
        let _ = write!(
            search,
            "{} {} {} ",
            m.id,
            m.outlet.as_deref().unwrap_or(""),
            m.title.as_deref().unwrap_or("")
        );
    }
    let outlets: String = c
        .outlets
        .iter()
        .map(|o| {
            let name = o.outlet.as_deref().unwrap_or("unknown outlet");
            if o.count > 1 {
                format!(
                    r#"<span class="outlet">{} ×{}</span>"#,
                    self::name(name),
                    o.count
                )
            } else {
                format!(r#"<span class="outlet">{}</span>"#, self::name(name))
            }
        })
        .collect();
    let _ = write!(
        out,
        r#"<details class="cluster" id="c{n}" data-search="{search}"{open}><summary><b>#{n}</b> · {size} copies · {wire} {outlets} — {title}</summary><div class="body">"#,
        n = c.cluster,
        open = if open { " open" } else { "" },
        search = name(&search.to_lowercase()),
        size = c.size,
        wire = match c.template {
            // One item of a template is not a wire story: the other items are other news.
            Some(items) => format!(
                r#"<span class="wire template" style="background:#8c5e00" title="near-identical texts that are {items} different items (other names, numbers or dates): this cluster is the copies of one of them">template item (1 of {items})</span>"#
            ),
            None => wire_badge(c),
        },
        title = name(&title),
    );
    // The one anchor, named once: the reference copy, why, and the copy `dedupe` keeps.
    let reference = c.members.iter().find(|m| m.reference);
    let why = match c.reference_basis {
        ReferenceBasis::WireCopy => format!(
            "the wire's own copy ({} in its dateline)",
            name(c.wire.as_ref().map_or("wire", |w| w.name))
        ),
        ReferenceBasis::Earliest => "the earliest copy".to_string(),
        ReferenceBasis::Canonical => {
            "no copy has the wire's dateline or a date: the copy dedupe keeps".to_string()
        }
    };
    let _ = write!(
        out,
        r#"<p class="anchor">Reference copy: <b>{id}</b> ({outlet}), {why}. Scores, changes and the text below are against it; Jaccard of the other copies: min {min:.2}, median {median:.2}."#,
        id = name(&c.reference),
        outlet = name(
            reference
                .and_then(|m| m.outlet.as_deref())
                .unwrap_or("unknown outlet")
        ),
        min = c.similarity.min,
        median = c.similarity.median,
    );
    if c.canonical != c.reference {
        let _ = write!(
            out,
            " <code>dedupe</code> keeps <b>{}</b> (the longest copy).",
            name(&c.canonical)
        );
    }
    if let Some(e) = &c.earliest {
        let _ = write!(out, " Earliest copy: {} ({}).", name(&e.id), name(&e.date));
    }
    out.push_str("</p>");
    out.push_str(r#"<table class="members"><tr><th>outlet</th><th>id</th><th>title</th><th>date</th><th>wire</th><th>Jaccard</th><th>containment</th><th>role</th><th>changes</th></tr>"#);
    for m in &c.members {
        let role = match (m.reference, m.canonical) {
            (true, true) => "reference, kept by dedupe",
            (true, false) => "reference",
            (false, true) => "kept by dedupe",
            _ => "",
        };
        let wire = match (&m.wire, &m.wire_evidence) {
            (Some(w), Some(e)) => format!(
                r#"{} <span class="muted">{:?}: {}</span>"#,
                escape(w),
                e.kind,
                escape(&e.text)
            ),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{}</td></tr>",
            name(m.outlet.as_deref().unwrap_or("")),
            name(&m.id),
            name(m.title.as_deref().unwrap_or("")),
            name(m.date.as_deref().unwrap_or("")),
            wire,
            m.jaccard,
            m.containment,
            role,
            m.changes.as_ref().map_or(String::new(), |ch| escape(&ch.summary())),
        );
    }
    out.push_str("</table>");
    for m in &c.members {
        let Some(ch) = &m.changes else { continue };
        let _ = write!(
            out,
            r#"<div class="changes"><b>{}</b> ({}):"#,
            name(m.outlet.as_deref().unwrap_or("unknown outlet")),
            name(&m.id),
        );
        if ch.is_empty() {
            out.push_str(" no changes.");
        }
        out.push_str("<ul>");
        for e in &ch.editorial {
            let _ = write!(
                out,
                r#"<li class="editorial"><b>{}</b>"#,
                escape(&e.summary)
            );
            match (e.before.is_empty(), e.after.is_empty()) {
                (false, false) => {
                    let _ = write!(
                        out,
                        ": <del>{}</del> → <ins>{}</ins>",
                        escape(&e.before),
                        escape(&e.after)
                    );
                }
                (false, true) => {
                    let _ = write!(out, ": <del>{}</del>", escape(&e.before));
                }
                (true, false) => {
                    let _ = write!(out, ": <ins>{}</ins>", escape(&e.after));
                }
                (true, true) => {}
            }
            out.push_str("</li>");
        }
        for e in &ch.edits {
            let _ = write!(
                out,
                "<li>edit: <del>{}</del> → <ins>{}</ins></li>",
                escape(&e.before),
                escape(&e.after)
            );
        }
        if ch.restyled > 0 {
            let _ = write!(
                out,
                "<li><details><summary>{} {} only in punctuation, quote marks, case or spacing</summary><ul>",
                ch.restyled,
                if ch.restyled == 1 { "sentence differs" } else { "sentences differ" }
            );
            for e in &ch.restyled_sentences {
                let _ = write!(
                    out,
                    "<li><del>{}</del><br><ins>{}</ins></li>",
                    escape(&e.before),
                    escape(&e.after)
                );
            }
            let listed = ch.restyled_sentences.len() as u32;
            if ch.restyled > listed {
                let _ = write!(out, "<li>{} more</li>", ch.restyled - listed);
            }
            out.push_str("</ul></details></li>");
        }
        if ch.omitted > 0 {
            let _ = write!(out, "<li>{} more changes not listed</li>", ch.omitted);
        }
        out.push_str("</ul></div>");
    }
    let _ = write!(
        out,
        r#"<p class="muted">Text of the reference copy ({}):</p><div class="text">{}</div></div></details>"#,
        name(&c.reference),
        escape(&c.reference_text)
    );
}

/// Writes the whole page: [`write_html_head`], the [`MAX_PAGE_CLUSTERS`] largest clusters
/// ([`cluster_html`]), [`write_html_tail`].
pub fn write_html(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let total = report.clusters.len();
    let shown = total.min(MAX_PAGE_CLUSTERS);
    write_html_head(&report.header, &report.pair_jaccards, shown, total, w)?;
    let mut out = String::new();
    for (i, cl) in largest_first(&report.clusters, |c| (c.size, c.cluster))
        .into_iter()
        .take(shown)
        .enumerate()
    {
        cluster_html(&report.clusters[cl], i < OPEN_CLUSTERS, &mut out);
        if out.len() > 1 << 20 {
            w.write_all(out.as_bytes())?;
            out.clear();
        }
    }
    w.write_all(out.as_bytes())?;
    write_html_tail(
        report.clusters.len(),
        &report.singles,
        report.singles_total,
        w,
    )
}

/// The order of the clusters on the page: the indices of `clusters` by size, largest first,
/// then by cluster number. `key` gives a cluster's size and number.
pub fn largest_first<T>(clusters: &[T], key: impl Fn(&T) -> (usize, u32)) -> Vec<usize> {
    let mut order: Vec<usize> = (0..clusters.len()).collect();
    order.sort_by(|&a, &b| {
        let (sa, na) = key(&clusters[a]);
        let (sb, nb) = key(&clusters[b]);
        sb.cmp(&sa).then(na.cmp(&nb))
    });
    order
}

/// Writes the page up to the first cluster: [`write_summary`], then the filter box (showing
/// `shown` clusters) and, when `shown` is less than `total`, a note saying how many clusters
/// the page leaves out.
pub fn write_html_head(
    h: &Header,
    pair_jaccards: &[(f64, u64)],
    shown: usize,
    total: usize,
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut out = String::new();
    write_summary(h, pair_jaccards, "", &mut out);
    let _ = write!(out, r#"<h2>Clusters, largest first</h2>"#);
    if shown < total {
        let _ = write!(
            out,
            r#"<p class="note" id="left-out" style="background:#fcf0d0;border:1px solid #dba617;border-radius:6px;padding:8px 12px"><b>{left} of {total} clusters are left out of this page</b>: it lists the {shown} largest. Write the report as a directory of pages (an output path ending in /) to list every cluster.</p>"#,
            left = total - shown,
        );
    }
    let _ = write!(
        out,
        r#"<div class="controls"><input id="filter" type="search" placeholder="Filter by title, outlet, wire service or id" aria-label="filter clusters"><span class="muted"><span id="shown">{}</span> shown</span><button id="expand" type="button">Expand all</button><button id="collapse" type="button">Collapse all</button></div>"#,
        shown
    );
    w.write_all(out.as_bytes())
}

/// Appends the top of a report page to `out`: the document head (the style, then
/// `extra_head`), the run, counts, accounting, wire services, outlets and the histogram of
/// `pair_jaccards` (each Jaccard with its number of pairs).
pub fn write_summary(h: &Header, pair_jaccards: &[(f64, u64)], extra_head: &str, out: &mut String) {
    let c = &h.counts;
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>neardup report</title><style>{STYLE}</style>{extra_head}</head><body><header><h1>Syndication report</h1><p class="muted">neardup {} · {} · {} · {} permutations, {} bands × {} rows · seed {}</p></header><main>"#,
        escape(h.version),
        name(&h.inputs.join(", ")),
        escape(&h.params.rule),
        h.params.definition.num_perm,
        h.params.definition.banding().bands,
        h.params.definition.banding().rows,
        h.params.definition.seed,
    );
    let _ = write!(
        out,
        r#"<div class="grid"><div class="card"><div class="stat">{}</div>documents read ({} rejected, {} too short{})</div><div class="card"><div class="stat">{}</div>clusters</div><div class="card"><div class="stat">{}</div>duplicates (copies beyond the first)</div></div>"#,
        c.read,
        c.rejected,
        c.short,
        if c.skipped > 0 {
            format!(", {} web archive records skipped", c.skipped)
        } else {
            String::new()
        },
        c.clusters,
        c.duplicates
    );
    if c.templates > 0 {
        let _ = write!(
            out,
            r#"<p class="muted" id="templates">Templates kept apart: {} clusters of near-identical texts were different items (other titles, names, numbers, or one outlet's recurring report on other days), split into their {} items; each is its own cluster or a document in no cluster.</p>"#,
            c.templates, c.template_items
        );
    }
    let a = &h.accounting;
    let _ = write!(
        out,
        r#"<p class="muted" id="accounting">Every input accounted for: read {} = kept {} + removed {} + rejected {}{}.</p>"#,
        a.read,
        a.kept,
        a.removed,
        a.rejected,
        if a.skipped > 0 {
            format!(
                " + skipped {} (web archive records that are not articles)",
                a.skipped
            )
        } else {
            String::new()
        }
    );
    out.push_str(r#"<div class="grid" style="margin-top:12px"><div class="card"><b>Wire services</b><table><tr><th>wire</th><th class="n">documents</th><th class="n">clusters</th></tr>"#);
    for wc in h.wires.iter().take(10) {
        let _ = write!(
            out,
            r#"<tr><td><span class="wire">{}</span></td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            escape(wc.wire),
            wc.documents,
            wc.clusters
        );
    }
    if h.wires.is_empty() {
        out.push_str("<tr><td colspan=3>none named</td></tr>");
    }
    out.push_str(r#"</table></div><div class="card"><b>Outlets in clusters</b><table><tr><th>outlet</th><th class="n">copies</th></tr>"#);
    for o in h.top_outlets.iter().take(10) {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
            name(o.outlet.as_deref().unwrap_or("unknown outlet")),
            o.count
        );
    }
    let _ = write!(
        out,
        r#"</table></div><div class="card"><b>Pair similarity (Jaccard)</b><br>{}<div class="muted">{} verified pairs</div></div></div>"#,
        histogram_svg_counted(pair_jaccards),
        pair_jaccards.iter().map(|v| v.1).sum::<u64>()
    );
}

/// Appends the table of wire stories in no cluster to `out`.
pub(crate) fn singles_table(singles: &[Single], total: usize, out: &mut String) {
    let _ = write!(
        out,
        r#"<h2>Wire stories in no cluster</h2><p class="muted">Documents that name a wire service and have no copy in this corpus: {}{}.</p><table class="members"><tr><th>wire</th><th>outlet</th><th>id</th><th>title</th></tr>"#,
        total,
        if total > singles.len() {
            format!("; the first {} are listed", singles.len())
        } else {
            String::new()
        }
    );
    for s in singles {
        let _ = write!(
            out,
            r#"<tr class="single"><td><span class="wire">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(s.wire),
            name(s.outlet.as_deref().unwrap_or("")),
            name(&s.id),
            name(s.title.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</table>");
}

/// Writes the page after the last cluster: "No clusters." when `clusters` is 0, the wire
/// stories in no cluster (`singles`, of `singles_total`), the script.
pub fn write_html_tail(
    clusters: usize,
    singles: &[Single],
    singles_total: usize,
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut out = String::new();
    if clusters == 0 {
        out.push_str("<p>No clusters.</p>");
    }
    singles_table(singles, singles_total, &mut out);
    let _ = writeln!(out, "</main><script>{SCRIPT}</script></body></html>");
    w.write_all(out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn escape_replaces_exactly_the_five_characters(s in "[<>&\"'a\\PC]{0,40}") {
            let mut want = String::new();
            for c in s.chars() {
                match c {
                    '&' => want.push_str("&amp;"),
                    '<' => want.push_str("&lt;"),
                    '>' => want.push_str("&gt;"),
                    '"' => want.push_str("&quot;"),
                    '\'' => want.push_str("&#39;"),
                    c => want.push(c),
                }
            }
            prop_assert_eq!(escape(&s), want);
        }
    }

    #[test]
    fn histogram_counts_every_value() {
        let svg = histogram_svg(&[0.8, 0.85, 0.9, 1.0, 1.0]);
        assert_eq!(svg.matches("<rect").count(), 20);
        let total: usize = svg
            .split(" pairs</title>")
            .filter_map(|p| p.rsplit(": ").next()?.parse::<usize>().ok())
            .sum();
        assert_eq!(total, 5);
        assert!(histogram_svg(&[]).contains("<svg"));
    }
}
