//! The report as a directory of pages (`--html DIR/`): every cluster reachable from
//! `index.html` by links, an index that stays small, escaping, atomic writes, refusals; the
//! one-page report's cap; and the pages as headless Chromium renders them.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

/// Every `href="..."` of a page.
fn hrefs(html: &str) -> Vec<String> {
    html.split(r#"href=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

/// Every `id="..."` of a page.
fn ids(html: &str) -> BTreeSet<String> {
    html.split(r#" id=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

/// The cluster numbers of a cluster file.
fn cluster_numbers(jsonl: &Path) -> BTreeSet<u64> {
    json_lines(&std::fs::read(jsonl).unwrap())[1..]
        .iter()
        .map(|c| c["cluster"].as_u64().unwrap())
        .collect()
}

/// Follows every link from `dir/index.html`; returns the clusters whose anchor (`#cN`) a
/// link reached on the page it names, and the pages visited. Fails on a link that is not
/// relative or leads to no file, and on a fragment that names no element of its page.
fn reachable(dir: &Path) -> (BTreeSet<u64>, BTreeMap<PathBuf, String>) {
    let mut pages: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut queue = VecDeque::from([dir.join("index.html")]);
    let mut links: Vec<(PathBuf, String)> = Vec::new();
    while let Some(page) = queue.pop_front() {
        let page = page.canonicalize().unwrap_or_else(|_| panic!("{page:?}"));
        if pages.contains_key(&page) {
            continue;
        }
        let html = std::fs::read_to_string(&page).unwrap();
        for href in hrefs(&html) {
            assert!(
                !href.contains("://") && !href.starts_with('/'),
                "relative links only: {href} on {page:?}"
            );
            let (file, fragment) = href.split_once('#').unwrap_or((&href, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            assert!(target.is_file(), "{href} on {page:?} leads nowhere");
            if !fragment.is_empty() {
                links.push((target.canonicalize().unwrap(), fragment.to_string()));
            }
            queue.push_back(target);
        }
        pages.insert(page, html);
    }
    let mut clusters = BTreeSet::new();
    for (page, fragment) in links {
        assert!(
            ids(&pages[&page]).contains(&fragment),
            "#{fragment} names nothing on {page:?}"
        );
        if let Some(n) = fragment.strip_prefix('c').and_then(|n| n.parse().ok()) {
            clusters.insert(n);
        }
    }
    (clusters, pages)
}

fn cluster_pages(input: &Path, out: &Path, html: &str) -> std::process::Output {
    run(&["cluster", "-q", s(input), "-o", s(out), "--html", html])
}

#[test]
fn every_cluster_is_reachable_from_a_small_index_and_one_page_is_capped() {
    let tmp = tempfile::tempdir().unwrap();
    let input = generated(tmp.path(), 20_000);
    let jsonl = tmp.path().join("clusters.jsonl");
    let dir = tmp.path().join("report");
    let out = cluster_pages(&input, &jsonl, &format!("{}/", s(&dir)));
    assert!(out.status.success(), "{}", stderr(&out));
    let numbers = cluster_numbers(&jsonl);
    assert!(
        numbers.len() > 2 * 2000,
        "more clusters than two index pages hold: {}",
        numbers.len()
    );

    let (reached, pages) = reachable(&dir);
    assert_eq!(reached, numbers, "every cluster reachable from index.html");
    // Each cluster on exactly one cluster page, under its own anchor.
    let sections: usize = pages
        .values()
        .map(|p| p.matches(r#"<details class="cluster" id="c"#).count())
        .sum();
    assert_eq!(sections, numbers.len());

    // The index grows with its rows, not with the archive: 2,000 rows at most on each page.
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert_eq!(index.matches("<tr data-r=").count(), 2000);
    let total: u64 = walk_bytes(&dir);
    let index_bytes = index.len() as u64;
    eprintln!(
        "{} clusters: index.html {index_bytes} bytes, directory {total} bytes",
        numbers.len()
    );
    assert!(index_bytes < 1_500_000, "index.html {index_bytes} bytes");
    assert!(index_bytes * 5 < total, "index {index_bytes} of {total}");
    for (page, html) in &pages {
        assert!(html.len() < 2_000_000, "{page:?}: {} bytes", html.len());
    }
    // Ranked for an editor: outlets never increase down the index.
    let outlets: Vec<u64> = index
        .split(r#" data-n=""#)
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].parse().unwrap())
        .collect();
    assert!(outlets.windows(2).all(|w| w[0] >= w[1]));
    assert!(!tmp.path().read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".neardup-")));

    // The one-page report lists the 2,000 largest, says how many it leaves out, and warns.
    let page = tmp.path().join("report.html");
    let out = cluster_pages(&input, &tmp.path().join("c2.jsonl"), s(&page));
    assert!(out.status.success(), "{}", stderr(&out));
    let left = numbers.len() - 2000;
    assert!(
        stderr(&out).contains(&format!("leaves {left} out")),
        "{}",
        stderr(&out)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches(r#"<details class="cluster""#).count(), 2000);
    assert!(html.contains(&format!(
        "{left} of {} clusters are left out of this page",
        numbers.len()
    )));
}

fn walk_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        total += if m.is_dir() {
            walk_bytes(&e.path())
        } else {
            m.len()
        };
    }
    total
}

#[test]
fn hostile_titles_and_outlets_are_escaped_on_the_index() {
    let tmp = tempfile::tempdir().unwrap();
    let body =
        "The council voted on Tuesday to approve the new budget for the city schools and parks, \
                after a long debate that ran late into the night and drew dozens of residents.";
    let docs = [
        serde_json::json!({"id": "a<b>", "outlet": "<i>Daily</i>", "title": "<script>alert(1)</script>", "text": body}),
        serde_json::json!({"id": "b", "outlet": "Herald \"&\" <b>", "title": "' onmouseover='x", "text": format!("{body} More.")}),
    ];
    let input = write_lines(
        tmp.path(),
        "evil.jsonl",
        &docs.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
    );
    let dir = tmp.path().join("r");
    let out = cluster_pages(
        &input,
        &tmp.path().join("c.jsonl"),
        &format!("{}/", s(&dir)),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let row = &index[index.find("<tr data-r=").unwrap()..index.find("</tbody>").unwrap()];
    assert!(!row.contains("<script") && !row.contains("<i>") && !row.contains("\"&\" <b>"));
    assert!(!row.contains("' onmouseover"));
    assert!(
        row.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            || row.contains("&#39; onmouseover=&#39;x"),
        "{row}"
    );
    assert!(row.contains("herald &quot;&amp;&quot; &lt;b&gt;"), "{row}");
    let page = std::fs::read_to_string(dir.join("clusters/page-1.html")).unwrap();
    assert!(!page.contains("<script>alert") && page.contains("&lt;i&gt;Daily&lt;/i&gt;"));
}

#[test]
fn a_failing_run_leaves_no_directory_and_keeps_the_old_one() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = seed_articles();
    let dir = tmp.path().join("report");
    let arg = format!("{}/", s(&dir));
    // The cluster file cannot be written (a full disk): nothing is committed.
    let out = cluster_pages(&seed, Path::new("/dev/full"), &arg);
    assert!(!out.status.success());
    assert_eq!(
        names(tmp.path()),
        Vec::<String>::new(),
        "no partial directory"
    );

    let out = cluster_pages(&seed, &tmp.path().join("c.jsonl"), &arg);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(dir.join("index.html")).unwrap();
    assert!(dir.join("clusters/page-1.html").is_file());
    let out = cluster_pages(&seed, Path::new("/dev/full"), &arg);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(dir.join("index.html")).unwrap(), before);
    assert_eq!(names(tmp.path()), ["c.jsonl", "report"]);
    // An earlier report directory is replaced whole.
    std::fs::write(dir.join("clusters/page-99.html"), "old").unwrap();
    let out = cluster_pages(&seed, &tmp.path().join("c.jsonl"), s(&dir));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.join("clusters/page-99.html").exists());
    assert_eq!(names(tmp.path()), ["c.jsonl", "report"]);
}

#[test]
fn a_directory_with_an_input_or_other_files_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = std::fs::read(seed_articles()).unwrap();
    let dir = tmp.path().join("d");
    std::fs::create_dir(&dir).unwrap();
    let input = dir.join("in.jsonl");
    std::fs::write(&input, &seed).unwrap();
    let c = tmp.path().join("c.jsonl");

    let out = cluster_pages(&input, &c, &format!("{}/", s(&dir)));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("contains the input"),
        "{}",
        stderr(&out)
    );
    // Inside a directory given as input: its pages would be read as inputs next time.
    let out = cluster_pages(&dir, &c, &format!("{}/r/", s(&dir)));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("inside the input directory"),
        "{}",
        stderr(&out)
    );
    // A directory neardup did not write is never replaced.
    let other = tmp.path().join("photos");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("cat.jpg"), "meow").unwrap();
    let out = cluster_pages(&input, &c, s(&other));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("did not write"), "{}", stderr(&out));
    assert_eq!(names(&other), ["cat.jpg"]);
    // Another output inside the directory would be replaced with it.
    std::fs::create_dir(tmp.path().join("new")).unwrap();
    let out = cluster_pages(
        &input,
        &tmp.path().join("new/c.jsonl"),
        &format!("{}/", s(&tmp.path().join("new"))),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!c.exists(), "nothing written by refused runs");
}

#[test]
fn chromium_renders_the_index_and_a_cluster_page() {
    let Some(browser) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let input = generated(tmp.path(), 3_000);
    let jsonl = tmp.path().join("c.jsonl");
    let dir = tmp.path().join("report");
    let out = cluster_pages(&input, &jsonl, &format!("{}/", s(&dir)));
    assert!(out.status.success(), "{}", stderr(&out));
    let clusters = cluster_numbers(&jsonl).len();
    assert!(clusters > 100, "{clusters} clusters");

    let index = dir.join("index.html");
    let dom = browse(
        &browser,
        &format!("file://{}", index.display()),
        &["--dump-dom"],
    );
    assert_eq!(dom.matches("<tr data-r=").count(), clusters.min(2000));
    // The script ran: the controls are shown, the count filled in.
    assert!(
        dom.contains(r#"<div class="controls" id="controls">"#),
        "controls shown"
    );
    assert!(dom.contains(&format!(
        r#"<span id="shown">{}</span>"#,
        clusters.min(2000)
    )));
    // The first row links to its cluster on the first cluster page.
    let first = &dom[dom.find("<tr data-r=\"0\"").unwrap()..];
    let href = &hrefs(first)[0];
    let (file, fragment) = href.split_once('#').unwrap();
    assert_eq!(file, "clusters/page-1.html");
    let page = dir.join(file);
    let page_dom = browse(
        &browser,
        &format!("file://{}#{fragment}", page.display()),
        &["--dump-dom"],
    );
    let at = page_dom
        .find(&format!(r#"id="{fragment}""#))
        .expect("the linked cluster is on its page");
    let tag = &page_dom[page_dom[..at].rfind('<').unwrap()..];
    let tag = &tag[..tag.find('>').unwrap()];
    assert!(
        tag.starts_with("<details") && tag.contains(" open"),
        "{tag}"
    );
    assert_eq!(page_dom.matches(r#"<details class="cluster""#).count(), 100);

    let shots = tempfile::Builder::new()
        .prefix("neardup-report-pages-")
        .tempdir()
        .unwrap()
        .keep();
    for (name, url) in [
        ("index.png", format!("file://{}", index.display())),
        (
            "cluster.png",
            format!("file://{}#{fragment}", page.display()),
        ),
    ] {
        let png = shots.join(name);
        browse(
            &browser,
            &url,
            &[&format!("--screenshot={}", png.display())],
        );
        let bytes = std::fs::read(&png).expect("screenshot written");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000);
        eprintln!("screenshot: {}", png.display());
    }
}
