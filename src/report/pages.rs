//! The report as a directory of pages: a first page that stays small whatever the archive,
//! and every cluster on a cluster page with a permalink.
//!
//! Owns: the layout of the directory, the ranking of clusters for an editor ([`rank`]), the
//! index rows with their filters and sorting. Must not: render a cluster's detail (that is
//! [`html::cluster_html`], the same section as on the one-page report), put text from the input
//! on a page without [`html::escape`] (through `html::name`), load anything from the network, or
//! write outside the directory it is given (the caller makes that atomic:
//! [`crate::fsutil::AtomicDir`]).
//!
//! The directory:
//!
//! - `index.html`: the summary of the one-page report (run and parameters, counts, wire
//!   services, outlets, histogram), then the first [`INDEX_ROWS`] clusters in [`rank`] order,
//!   one row each (number, title, wire service, outlets, copies, earliest and latest date), the
//!   title a link to the cluster; then links to the further index pages, and the wire stories
//!   in no cluster.
//! - `index-2.html`, `index-3.html`, ...: the next [`INDEX_ROWS`] clusters each, linked from
//!   every index page, so that every cluster is reachable from `index.html`.
//! - `clusters/page-1.html`, ...: [`PAGE_CLUSTERS`] clusters each, in the same order, each the
//!   section of [`html::cluster_html`] with `id="c{number}"`: `clusters/page-K.html#cN` is the
//!   permalink of cluster N (the page opens the cluster it is linked to).
//!
//! Every page is self-contained (inline style and script, relative links only) and reads
//! without script, unfiltered; the script of an index page filters its rows by text, outlet,
//! wire service and date range, and sorts them. An index page grows with [`INDEX_ROWS`] (each
//! title cut to [`TITLE_CHARS`] characters, each row naming at most [`ROW_OUTLETS`] outlets)
//! and one link per index page, not with the archive: 1.3 MB at 100,000 generated articles.

use super::html::{self, name};
use super::{ClusterRecord, Header, Single};
use crate::error::{Error, Result};
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Clusters listed on one index page.
pub const INDEX_ROWS: usize = 2000;

/// Clusters on one cluster page.
pub const PAGE_CLUSTERS: usize = 100;

// A cluster page is listed by one index page.
const _: () = assert!(INDEX_ROWS.is_multiple_of(PAGE_CLUSTERS));

/// Characters of a title shown in an index row (longer titles end with `…`).
pub const TITLE_CHARS: usize = 160;

/// Outlets an index row names (and its outlet filter searches); the count covers them all.
pub const ROW_OUTLETS: usize = 12;

/// The mark of an index page that neardup wrote: a directory whose `index.html` has it may be
/// replaced by the next report ([`crate::fsutil::check_replaced_dir`]).
pub const GENERATOR: &str = r#"<meta name="generator" content="neardup report pages">"#;

/// What an index page shows of one cluster, and what [`rank`] orders it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Cluster number.
    pub cluster: u32,
    /// Copies.
    pub size: usize,
    /// Distinct named outlets.
    pub outlets: usize,
    /// The first [`ROW_OUTLETS`] outlets, most copies first.
    pub outlet_names: Vec<String>,
    /// The wire service of the cluster.
    pub wire: Option<&'static str>,
    /// Its title ([`html::cluster_title`]).
    pub title: String,
    /// The earliest and the latest date of a copy, as days since 0001-01-01.
    pub days: Option<(i32, i32)>,
}

impl Row {
    /// The row of cluster `c`, whose members' dates (as days) are `days`.
    pub fn new(c: &ClusterRecord, days: impl IntoIterator<Item = Option<i32>>) -> Row {
        let days = days.into_iter().flatten().fold(None, |acc, d| match acc {
            None => Some((d, d)),
            Some((lo, hi)) => Some((d.min(lo), d.max(hi))),
        });
        Row {
            cluster: c.cluster,
            size: c.size,
            outlets: c.outlets.iter().filter(|o| o.outlet.is_some()).count(),
            outlet_names: c
                .outlets
                .iter()
                .filter_map(|o| o.outlet.clone())
                .take(ROW_OUTLETS)
                .collect(),
            wire: c.wire.as_ref().map(|w| w.name),
            title: html::cluster_title(c),
            days,
        }
    }
}

/// The order of `rows` on the index, for an editor: most outlets first, then the most recent
/// (latest copy; undated last), then clusters with a wire service named, then most copies,
/// then by number.
pub fn rank(rows: &[Row]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| {
        let r = &rows[i];
        (
            std::cmp::Reverse(r.outlets),
            std::cmp::Reverse(r.days.map(|d| d.1)),
            r.wire.is_none(),
            std::cmp::Reverse(r.size),
            r.cluster,
        )
    });
    order
}

/// The file of index page `k` (from 1).
pub fn index_file(k: usize) -> String {
    if k == 1 {
        "index.html".into()
    } else {
        format!("index-{k}.html")
    }
}

/// The file of cluster page `k` (from 1), relative to the directory.
pub fn cluster_file(k: usize) -> String {
    format!("clusters/page-{k}.html")
}

/// Everything [`write_pages`] puts on the pages besides the clusters.
pub struct Summary<'a> {
    /// The header of the report.
    pub header: &'a Header,
    /// Jaccard of the verified pairs with their counts (the histogram).
    pub pair_jaccards: &'a [(f64, u64)],
    /// Wire stories in no cluster (listed on `index.html`).
    pub singles: &'a [Single],
    /// How many there are in all.
    pub singles_total: usize,
}

/// Writes the directory of pages into `dir` (an empty directory): `rows[i]` is the row of the
/// `i`-th cluster and `section(i, buf)` puts its [`html::cluster_html`] section into `buf`.
/// `name` is the directory as the user named it, for messages.
///
/// # Errors
/// A file that cannot be written (named in the error), or an error of `section`.
pub fn write_pages(
    dir: &Path,
    name: &Path,
    summary: &Summary<'_>,
    rows: &[Row],
    section: &mut dyn FnMut(usize, &mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    let order = rank(rows);
    let total = rows.len();
    let index_pages = total.div_ceil(INDEX_ROWS).max(1);
    std::fs::create_dir(dir.join("clusters")).map_err(|e| Error::output(name, e))?;
    let mut buf = Vec::new();
    for (k, ranks) in order.chunks(PAGE_CLUSTERS).enumerate() {
        let page = k + 1;
        let first = k * PAGE_CLUSTERS;
        write_file(dir, name, &cluster_file(page), |w, file| {
            let io = |e| Error::output(file, e);
            let mut top = String::new();
            let _ = write!(
                top,
                r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>neardup report: clusters {from}-{to}</title><style>{style}{PAGE_STYLE}</style></head><body><header><nav class="pager"><a href="../index.html">Report summary</a> · <a href="../{index}">clusters {from}-{to} on the index</a>{prev}{next}</nav><h1>Clusters {from}-{to} of {total}</h1><p class="muted">In the order of the index: most outlets, then the most recent, wire services named, most copies. Each cluster's link is its permalink.</p></header><main>"#,
                style = html::STYLE,
                from = first + 1,
                to = first + ranks.len(),
                index = index_file(first / INDEX_ROWS + 1),
                prev = if page > 1 {
                    format!(
                        r#" · <a href="page-{}.html" rel="prev">previous page</a>"#,
                        page - 1
                    )
                } else {
                    String::new()
                },
                next = if first + ranks.len() < total {
                    format!(
                        r#" · <a href="page-{}.html" rel="next">next page</a>"#,
                        page + 1
                    )
                } else {
                    String::new()
                },
            );
            w.write_all(top.as_bytes()).map_err(io)?;
            for &i in ranks {
                section(i, &mut buf)?;
                w.write_all(&buf).map_err(io)?;
            }
            let tail = format!("</main><script>{CLUSTER_SCRIPT}</script></body></html>\n");
            w.write_all(tail.as_bytes()).map_err(io)
        })?;
    }
    for k in 1..=index_pages {
        let from = (k - 1) * INDEX_ROWS;
        let ranks = &order[from.min(total)..(k * INDEX_ROWS).min(total)];
        let mut out = String::new();
        let extra_head = format!("{GENERATOR}<style>{PAGE_STYLE}</style>");
        if k == 1 {
            html::write_summary(summary.header, summary.pair_jaccards, &extra_head, &mut out);
        } else {
            let _ = write!(
                out,
                r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>neardup report: clusters {}-{}</title><style>{}</style>{extra_head}</head><body><header><h1>Syndication report</h1><p><a href="index.html">Report summary</a></p></header><main>"#,
                from + 1,
                from + ranks.len(),
                html::STYLE,
            );
        }
        index_rows(
            summary.header,
            rows,
            ranks,
            from,
            total,
            k,
            index_pages,
            &mut out,
        );
        if k == 1 {
            html::singles_table(summary.singles, summary.singles_total, &mut out);
        }
        let _ = writeln!(out, "</main><script>{INDEX_SCRIPT}</script></body></html>");
        write_file(dir, name, &index_file(k), |w, file| {
            w.write_all(out.as_bytes())
                .map_err(|e| Error::output(file, e))
        })?;
    }
    Ok(())
}

/// Appends the clusters of one index page (`ranks`, the rows at `from..` of the ranked
/// `total`, on page `k` of `pages`) to `out`: the heading, the controls, the table and the
/// links to every index page.
#[allow(clippy::too_many_arguments)]
fn index_rows(
    h: &Header,
    rows: &[Row],
    ranks: &[usize],
    from: usize,
    total: usize,
    k: usize,
    pages: usize,
    out: &mut String,
) {
    let _ = write!(
        out,
        r#"<h2 id="clusters">Clusters {}-{} of {total}</h2><p class="muted">Ranked for an editor: most outlets, then the most recent copy, then clusters a wire service is named for, then most copies. A title links to the cluster's detail and permalink. The filters and the sorting act on the clusters of this page.</p>"#,
        if ranks.is_empty() { 0 } else { from + 1 },
        from + ranks.len(),
    );
    let pager = pager(k, pages);
    out.push_str(&pager);
    out.push_str(r#"<div class="controls" id="controls" hidden><input id="q" type="search" placeholder="Title or id" aria-label="filter by title or id"><input id="outlet" type="search" placeholder="Outlet" aria-label="filter by outlet"><select id="wire" aria-label="wire service"><option value="">any wire service</option><option value="-">no wire service named</option>"#);
    for wc in &h.wires {
        let _ = write!(
            out,
            r#"<option value="{w}">{w}</option>"#,
            w = html::escape(wc.wire)
        );
    }
    let _ = write!(
        out,
        r#"</select><label class="muted">from <input id="from" type="date"></label><label class="muted">to <input id="to" type="date"></label><select id="sort" aria-label="sort"><option value="r">ranked for editors</option><option value="n">most outlets</option><option value="l">most recent</option><option value="d">earliest first</option><option value="s">most copies</option><option value="c">cluster number</option></select><span class="muted"><span id="shown">{n}</span> of {n} shown</span></div>"#,
        n = ranks.len()
    );
    out.push_str(r#"<table class="rows" id="rows"><thead><tr><th>cluster</th><th>title</th><th>wire</th><th>outlets</th><th class="n">copies</th><th>earliest</th><th>latest</th></tr></thead><tbody>"#);
    for (j, &i) in ranks.iter().enumerate() {
        let r = &rows[i];
        let rank = from + j;
        let (earliest, latest) = match r.days {
            Some((lo, hi)) => (iso_day(lo), iso_day(hi)),
            None => (String::new(), String::new()),
        };
        let outlets_lc: Vec<String> = r.outlet_names.iter().map(|o| o.to_lowercase()).collect();
        let shown_outlets: Vec<&str> = r.outlet_names.iter().take(3).map(String::as_str).collect();
        let title = match r.title.char_indices().nth(TITLE_CHARS) {
            Some((cut, _)) => format!("{}…", &r.title[..cut]),
            None => r.title.clone(),
        };
        let _ = write!(
            out,
            r#"<tr data-r="{rank}" data-c="{c}" data-n="{n}" data-s="{s}" data-w="{w}" data-o="{o}" data-d="{earliest}" data-l="{latest}"><td class="n">{c}</td><td class="t"><a href="{page}#c{c}">{title}</a></td><td>{wire}</td><td class="o"><b>{n}</b> <span class="muted">{names}{more}</span></td><td class="n">{s}</td><td class="d">{earliest}</td><td class="d">{latest}</td></tr>"#,
            c = r.cluster,
            n = r.outlets,
            s = r.size,
            w = html::escape(r.wire.unwrap_or("")),
            o = name(&outlets_lc.join(" | ")),
            page = cluster_file(rank / PAGE_CLUSTERS + 1),
            title = name(&title),
            wire = match r.wire {
                Some(w) => format!(r#"<span class="wire">{}</span>"#, html::escape(w)),
                None => String::new(),
            },
            names = name(&shown_outlets.join(", ")),
            more = if r.outlets > shown_outlets.len() {
                ", …"
            } else {
                ""
            },
        );
    }
    out.push_str("</tbody></table>");
    if ranks.is_empty() {
        out.push_str("<p>No clusters.</p>");
    }
    out.push_str(&pager);
}

/// Links to every index page, page `k` (of `pages`) marked as the current one.
fn pager(k: usize, pages: usize) -> String {
    if pages <= 1 {
        return String::new();
    }
    let mut s = String::from(r#"<nav class="pager">Index pages:"#);
    for p in 1..=pages {
        let from = (p - 1) * INDEX_ROWS + 1;
        if p == k {
            let _ = write!(s, r#" <b aria-current="page">{p}</b>"#);
        } else {
            let _ = write!(
                s,
                r#" <a href="{}" title="clusters {from}-">{p}</a>"#,
                index_file(p)
            );
        }
    }
    s.push_str("</nav>");
    s
}

/// A day (since 0001-01-01) as `YYYY-MM-DD`.
fn iso_day(day: i32) -> String {
    chrono::NaiveDate::from_num_days_from_ce_opt(day)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Writes `rel` in `dir` with `f`, which is given the file's name for its errors
/// (`name/rel`).
fn write_file(
    dir: &Path,
    name: &Path,
    rel: &str,
    f: impl FnOnce(&mut dyn Write, &Path) -> Result<()>,
) -> Result<()> {
    let shown = name.join(rel);
    let file = std::fs::File::create(dir.join(rel)).map_err(|e| Error::output(&shown, e))?;
    let mut w = BufWriter::with_capacity(1 << 16, file);
    f(&mut w, &shown)?;
    w.flush().map_err(|e| Error::output(&shown, e))
}

const PAGE_STYLE: &str = r#"
.pager{margin:8px 0;font-size:14px}.pager a,.pager b{padding:0 3px}
.controls{flex-wrap:wrap}.controls input[type=search]{flex:1;min-width:140px;font-size:15px;padding:5px 8px;border:1px solid #8c8f94;border-radius:4px}
table.rows{border-collapse:collapse;width:100%;font-size:14px;background:#fff;border:1px solid #dcdcde}
table.rows th,table.rows td{border-bottom:1px solid #eee;text-align:left;padding:4px 6px;vertical-align:top}
table.rows td.n,table.rows th.n{text-align:right;white-space:nowrap}table.rows tr[hidden]{display:none}
table.rows td.t{width:48%}table.rows td.d{white-space:nowrap}table.rows td.o{font-size:13px}
"#;

const INDEX_SCRIPT: &str = r#"
const $=id=>document.getElementById(id),tb=document.querySelector('#rows tbody');
const rows=Array.from(tb.rows);$('controls').hidden=false;
function apply(){const q=$('q').value.trim().toLowerCase(),o=$('outlet').value.trim().toLowerCase(),w=$('wire').value,f=$('from').value,t=$('to').value;let k=0;
for(const r of rows){const d=r.dataset;const hit=(!q||r.textContent.toLowerCase().includes(q))&&(!o||d.o.includes(o))&&(!w||(w==='-'?d.w==='':d.w===w))&&(!f||(d.l!==''&&d.l>=f))&&(!t||(d.d!==''&&d.d<=t));r.hidden=!hit;if(hit)k++;}
$('shown').textContent=k;}
const more=k=>(a,b)=>b.dataset[k]-a.dataset[k];
const sorts={r:(a,b)=>a.dataset.r-b.dataset.r,n:more('n'),s:more('s'),c:(a,b)=>a.dataset.c-b.dataset.c,
l:(a,b)=>(b.dataset.l||'').localeCompare(a.dataset.l||''),d:(a,b)=>(a.dataset.d||'~').localeCompare(b.dataset.d||'~')};
function sort(){const s=sorts[$('sort').value];for(const r of rows.slice().sort((a,b)=>s(a,b)||a.dataset.r-b.dataset.r))tb.appendChild(r);}
for(const id of ['q','outlet','from','to'])$(id).addEventListener('input',apply);
$('wire').addEventListener('change',apply);$('sort').addEventListener('change',sort);
"#;

const CLUSTER_SCRIPT: &str = r#"
function show(){const d=location.hash.length>1&&document.getElementById(location.hash.slice(1));if(d&&d.tagName==='DETAILS'){d.open=true;d.scrollIntoView();}}
window.addEventListener('hashchange',show);show();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cluster: u32, outlets: usize, latest: Option<i32>, wire: bool, size: usize) -> Row {
        Row {
            cluster,
            size,
            outlets,
            outlet_names: Vec::new(),
            wire: wire.then_some("AP"),
            title: String::new(),
            days: latest.map(|d| (d - 3, d)),
        }
    }

    #[test]
    fn rank_is_outlets_then_recency_then_wire_then_size_then_number() {
        let rows = [
            row(1, 2, Some(100), true, 9),
            row(2, 5, Some(10), false, 2),
            row(3, 2, Some(200), false, 2),
            row(4, 2, None, true, 3),
            row(5, 2, Some(100), false, 9),
            row(6, 2, Some(100), true, 9),
            row(7, 2, Some(100), true, 12),
        ];
        let order: Vec<u32> = rank(&rows).iter().map(|&i| rows[i].cluster).collect();
        assert_eq!(order, [2, 3, 7, 1, 6, 5, 4]);
    }

    #[test]
    fn files_and_days() {
        assert_eq!(index_file(1), "index.html");
        assert_eq!(index_file(3), "index-3.html");
        assert_eq!(cluster_file(12), "clusters/page-12.html");
        use chrono::Datelike;
        let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 7)
            .unwrap()
            .num_days_from_ce();
        assert_eq!(iso_day(day), "2024-03-07");
    }
}
