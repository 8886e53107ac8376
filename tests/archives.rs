//! Integration tests: the real `neardup` binary on web archives (WARC, WARC.gz, WET) and on
//! directories of article files, all built here. WARC files are written with the `warc` crate's
//! writer, so the reader is checked against an implementation other than its own.

mod common;

use common::{
    clusters, header, json_lines, member_strs, member_values, ok, run, run_ok, run_with_stdin, s,
};
use std::io::Write;
use std::path::Path;
use warc::{BufferedBody, Record, RecordBuilder, RecordType, WarcHeader, WarcWriter};

/// A wire story, paragraph by paragraph.
const STORY: &[&str] = &[
    "GENEVA (AP) — Negotiators from more than forty countries agreed early on Thursday to a framework for sharing water from the upper river basin, ending three weeks of talks that had twice collapsed over how much each country could draw during droughts.",
    "The agreement sets up a joint commission that will publish river flow measurements every month and settle disputes within ninety days, according to a copy of the text seen by reporters before the final session.",
    "Farmers' groups downstream welcomed the deal but said they would wait to see whether the upstream dams release the promised volumes during the dry season, when shortages have led to protests in recent years.",
    "The framework still has to be ratified by national parliaments, a process that diplomats expect to take at least eighteen months. Several delegations said they would begin the process before the end of the year.",
];

/// A different story, for a document that matches nothing.
const OTHER: &[&str] = &[
    "The city council voted on Monday to extend the late-night bus service to the northern suburbs for a trial period of six months, after a petition signed by more than twelve thousand residents.",
    "Officials said the extra routes would cost about two million a year and would be reviewed in the spring against ridership figures and complaints about noise from the depot.",
];

/// A third story, for documents that match nothing.
const THIRD: &str = "Astronomers at the southern observatory reported a comet that should be visible to the naked eye in late April, the first such sighting in nearly a decade, and urged people to look low on the western horizon after sunset.";

fn paragraphs(ps: &[&str]) -> String {
    ps.iter().map(|p| format!("<p>{p}</p>\n")).collect()
}

/// Outlet A: a classic layout with header, navigation, related links and a newsletter box.
fn page_a(title: &str, ps: &[&str]) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Daily A</title>
<meta property="article:published_time" content="2024-03-07T06:10:00Z">
<script>window.dataLayer = [{{"page": "article"}}]; function track() {{ return "Subscribe now"; }}</script>
<style>.nav {{ display: flex }} p {{ margin: 0 }}</style></head>
<body><header class="site-header"><a href="/">Daily A</a><span>Your trusted local news since 1901</span></header>
<nav class="main-nav"><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>
<main><article><h1>{title}</h1><div class="article-body">
{body}</div>
<div class="newsletter-signup"><p>Get the morning briefing in your inbox. Sign up for our free newsletter today.</p></div>
<section class="related"><h2>Related stories</h2><ul><li><a href="/1">Drought hits farmers hard for the third year in a row</a></li><li><a href="/2">River levels at record low</a></li></ul></section>
</article></main>
<footer><p>Copyright 2024 Daily A Media Group. All rights reserved. Terms of use. Privacy policy.</p></footer>
</body></html>"#,
        body = paragraphs(ps)
    )
}

/// Outlet B: a different template, a cookie banner, a sidebar, an advert inside the story.
fn page_b(title: &str, ps: &[&str]) -> String {
    let (first, rest) = ps.split_at(2);
    format!(
        r##"<html><head><meta property="og:title" content="{title}"><title>The Gazette</title>
<link rel="canonical" href="https://gazette-b.example/news/{slug}"></head>
<body><div id="cookie-consent"><p>We use cookies to improve your experience. By continuing you accept our use of cookies.</p><button>Accept</button></div>
<div class="wrapper"><div role="navigation"><a href="/">Home</a> | <a href="/news">News</a> | <a href="/weather">Weather</a></div>
<div class="content"><h1 class="headline">{title}</h1>
{first}<div class="ad-slot"><p>Advertisement: Try our premium plan for one dollar a week.</p></div>
{rest}<div class="share-buttons"><a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a></div></div>
<div class="sidebar"><h3>Most read</h3><ol><li><a href="/a">Mayor resigns after budget row</a></li><li><a href="/b">Storm warning for the coast</a></li></ol></div>
</div><div class="footer">The Gazette, 12 Harbour Road. Contact the newsroom.</div></body></html>"##,
        slug = title.len(),
        first = paragraphs(first),
        rest = paragraphs(rest)
    )
}

fn http_response(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nServer: test\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn record(
    kind: RecordType,
    id: &str,
    uri: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> Record<BufferedBody> {
    let mut b = RecordBuilder::default()
        .warc_type(kind)
        .warc_id(format!("<urn:uuid:{id}>"))
        .header(WarcHeader::Date, "2024-03-07T09:00:00Z")
        .header(WarcHeader::ContentType, content_type)
        .body(body);
    if let Some(u) = uri {
        b = b.header(WarcHeader::TargetURI, u);
    }
    b.build().expect("valid record")
}

/// The records of a small news crawl: two outlets carrying the same wire story, an unrelated
/// story, and records that are not articles (warcinfo, request, metadata, a redirect, an image).
fn crawl() -> Vec<Record<BufferedBody>> {
    let title = "Countries agree river water framework";
    let redirect =
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.daily-a.example/\r\n\r\n"
            .to_vec();
    vec![
        record(
            RecordType::WarcInfo,
            "info",
            None,
            "application/warc-fields",
            b"software: test\r\n".to_vec(),
        ),
        record(
            RecordType::Request,
            "req-a",
            Some("https://www.daily-a.example/world/water"),
            "application/http; msgtype=request",
            b"GET /world/water HTTP/1.1\r\nHost: www.daily-a.example\r\n\r\n".to_vec(),
        ),
        record(
            RecordType::Response,
            "a-story",
            Some("https://www.daily-a.example/world/water"),
            "application/http; msgtype=response",
            http_response("text/html; charset=utf-8", page_a(title, STORY).as_bytes()),
        ),
        record(
            RecordType::Metadata,
            "meta-a",
            Some("https://www.daily-a.example/world/water"),
            "application/warc-fields",
            b"fetchTimeMs: 120\r\n".to_vec(),
        ),
        record(
            RecordType::Response,
            "redirect",
            Some("http://daily-a.example/"),
            "application/http; msgtype=response",
            redirect,
        ),
        record(
            RecordType::Response,
            "image",
            Some("https://www.daily-a.example/logo.png"),
            "application/http; msgtype=response",
            http_response("image/png", b"\x89PNG\r\n\x1a\n...."),
        ),
        record(
            RecordType::Response,
            "a-other",
            Some("https://www.daily-a.example/local/buses"),
            "application/http; msgtype=response",
            http_response(
                "text/html",
                page_a("Night buses extended", OTHER).as_bytes(),
            ),
        ),
        record(
            RecordType::Response,
            "b-story",
            Some("https://m.gazette-b.example/news/8812"),
            "application/http; msgtype=response",
            http_response("text/html; charset=utf-8", page_b(title, STORY).as_bytes()),
        ),
    ]
}

/// Writes records as a plain WARC file.
fn write_warc(path: &Path, records: &[Record<BufferedBody>]) {
    let mut w = WarcWriter::new(std::fs::File::create(path).unwrap());
    for r in records {
        w.write(r).unwrap();
    }
}

/// Writes records as a `.warc.gz` the way crawlers do: one gzip member a record.
fn write_warc_gz(path: &Path, records: &[Record<BufferedBody>]) {
    let mut file = std::fs::File::create(path).unwrap();
    for r in records {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        WarcWriter::new(&mut gz).write(r).unwrap();
        file.write_all(&gz.finish().unwrap()).unwrap();
    }
}

#[test]
fn warc_gz_clusters_one_wire_story_across_outlets_taken_from_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.warc.gz");
    write_warc_gz(&path, &crawl());
    let html = dir.path().join("r.html");
    let out = run_ok(&["cluster", s(&path), "--html", s(&html)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("skipped 5 web archive records"), "{stderr}");
    let counts = &header(&out.stdout)["counts"];
    assert_eq!(counts["read"], 8);
    assert_eq!(counts["documents"], 3);
    assert_eq!(counts["skipped"], 5);
    assert_eq!(counts["rejected"], 0);
    let cs = clusters(&out.stdout);
    assert_eq!(cs.len(), 1, "{cs:?}");
    assert_eq!(
        member_strs(&cs[0], "id"),
        ["urn:uuid:a-story", "urn:uuid:b-story"]
    );
    assert_eq!(
        member_strs(&cs[0], "outlet"),
        ["daily-a.example", "gazette-b.example"]
    );
    assert_eq!(
        member_strs(&cs[0], "url"),
        [
            "https://www.daily-a.example/world/water",
            "https://m.gazette-b.example/news/8812"
        ]
    );
    assert_eq!(
        member_strs(&cs[0], "title"),
        [
            "Countries agree river water framework",
            "Countries agree river water framework"
        ]
    );
    // The article's own date, not the crawl's, when the page gives one.
    assert_eq!(
        member_strs(&cs[0], "date"),
        ["2024-03-07T06:10:00Z", "2024-03-07T09:00:00Z"]
    );
    // The record number within the file locates each member.
    assert_eq!(member_values(&cs[0], "line"), [3, 8]);
    // The extracted texts are the same story, so the copy scores as identical.
    assert_eq!(member_values(&cs[0], "jaccard"), [1.0, 1.0]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("gazette-b.example"));
}

#[test]
fn plain_warc_found_by_magic_bytes_and_wet_conversions_cluster_together() {
    let dir = tempfile::tempdir().unwrap();
    // No .warc in the name: the first bytes say what it is.
    let warc = dir.path().join("crawl.dat");
    write_warc(&warc, &crawl());
    // A WET file: the text of pages as conversion records, here of a third outlet.
    let wet = dir.path().join("crawl.warc.wet.gz");
    let text = format!(
        "Countries agree river water framework\n{}",
        STORY.join("\n")
    );
    write_warc_gz(
        &wet,
        &[
            record(
                RecordType::WarcInfo,
                "wet-info",
                None,
                "application/warc-fields",
                b"software: test\r\n".to_vec(),
            ),
            record(
                RecordType::Conversion,
                "c-story",
                Some("https://www.tribune-c.example/2024/03/07/water"),
                "text/plain",
                text.into_bytes(),
            ),
            record(
                RecordType::Conversion,
                "c-other",
                Some("https://www.tribune-c.example/science"),
                "text/plain",
                THIRD.as_bytes().to_vec(),
            ),
        ],
    );
    let out = run_ok(&["cluster", s(&warc), s(&wet)]);
    let cs = clusters(&out.stdout);
    assert_eq!(cs.len(), 1, "{cs:?}");
    assert_eq!(
        member_strs(&cs[0], "id"),
        ["urn:uuid:a-story", "urn:uuid:b-story", "urn:uuid:c-story"]
    );
    assert_eq!(
        member_strs(&cs[0], "outlet"),
        ["daily-a.example", "gazette-b.example", "tribune-c.example"]
    );
    assert_eq!(header(&out.stdout)["counts"]["documents"], 5);
}

#[test]
fn standard_input_warc_gives_the_same_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.warc.gz");
    write_warc_gz(&path, &crawl());
    let from_file = run(&["cluster", s(&path)]);
    let from_stdin = ok(run_with_stdin(
        &["cluster", "-"],
        &std::fs::read(&path).unwrap(),
    ));
    let (a, b) = (clusters(&from_file.stdout), clusters(&from_stdin.stdout));
    assert_eq!(b.len(), 1);
    assert_eq!(member_strs(&a[0], "id"), member_strs(&b[0], "id"));
    assert_eq!(member_strs(&b[0], "input"), ["stdin", "stdin"]);
    assert_eq!(
        member_strs(&b[0], "outlet"),
        ["daily-a.example", "gazette-b.example"]
    );
}

#[test]
fn malformed_and_truncated_records_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut records = crawl();
    // One more copy of story B at the end, to be cut short.
    let last = records[7].clone();
    records.push(record(
        RecordType::Response,
        "b-copy",
        Some("https://www.gazette-b.example/news/8812?amp"),
        "application/http; msgtype=response",
        last.body().to_vec(),
    ));
    let good = dir.path().join("good.warc");
    write_warc(&good, &records);
    let mut bytes = std::fs::read(&good).unwrap();
    // Garbage before the third record, and the last record cut in the middle.
    let third = bytes
        .windows(8)
        .enumerate()
        .filter(|(_, w)| w == b"WARC/1.0")
        .nth(2)
        .unwrap()
        .0;
    bytes.splice(third..third, b"this is not a record\r\n".iter().copied());
    bytes.truncate(bytes.len() - 400);
    let bad = dir.path().join("bad.warc");
    std::fs::write(&bad, &bytes).unwrap();
    let out = run_ok(&["cluster", s(&bad)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let name = bad.display().to_string();
    assert!(
        stderr.contains(&format!("{name}: record 3: expected a record starting with \"WARC/\", got \"this is not a record\"")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{name}: record 10: the file ends inside this record"
        )),
        "{stderr}"
    );
    let counts = &header(&out.stdout)["counts"];
    // Every record accounted for: 9 records and the garbage.
    assert_eq!(counts["read"], 10);
    assert_eq!(counts["rejected"], 2);
    assert_eq!(counts["skipped"], 5);
    assert_eq!(counts["documents"], 3);
    // The records after the garbage are read: the wire story still clusters.
    let cs = clusters(&out.stdout);
    assert_eq!(cs.len(), 1);
    assert_eq!(
        member_strs(&cs[0], "id"),
        ["urn:uuid:a-story", "urn:uuid:b-story"]
    );
    assert_eq!(member_values(&cs[0], "line"), [4, 9]);

    let strict = run(&["cluster", "--strict", s(&bad)]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&strict.stderr).contains(": record 3: expected a record"));
}

#[test]
fn truncated_gzip_archive_keeps_the_records_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.warc.gz");
    write_warc_gz(&path, &crawl());
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 300]).unwrap();
    let out = run_ok(&["cluster", s(&path)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: record 8: ", path.display())),
        "{stderr}"
    );
    let counts = &header(&out.stdout)["counts"];
    assert_eq!(
        (counts["documents"].as_u64(), counts["rejected"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn dedupe_of_a_warc_writes_the_extracted_articles_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.warc.gz");
    write_warc_gz(&path, &crawl());
    let kept = dir.path().join("kept.jsonl");
    let removed = dir.path().join("removed.jsonl");
    run_ok(&[
        "dedupe",
        s(&path),
        "--out",
        s(&kept),
        "--removed",
        s(&removed),
    ]);
    let raw = std::fs::read_to_string(&kept).unwrap();
    assert!(
        raw.starts_with(r#"{"id":"urn:uuid:a-story","title":"Countries agree river water framework","outlet":"daily-a.example","date":"2024-03-07T06:10:00Z","url":"#),
        "{raw}"
    );
    let kept = json_lines(raw.as_bytes());
    let removed = json_lines(&std::fs::read(&removed).unwrap());
    assert_eq!(kept.len() + removed.len(), 3);
    assert_eq!(removed.len(), 1);
    let ids: Vec<&str> = kept.iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["urn:uuid:a-story", "urn:uuid:a-other"]);
    let a = &kept[0];
    assert_eq!(a["outlet"], "daily-a.example");
    assert_eq!(a["url"], "https://www.daily-a.example/world/water");
    assert_eq!(a["title"], "Countries agree river water framework");
    let text = a["text"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            "Countries agree river water framework\n{}",
            STORY.join("\n")
        )
    );
    assert_eq!(removed[0]["id"], "urn:uuid:b-story");
    assert_eq!(removed[0]["duplicate_of"], "urn:uuid:a-story");
    assert_eq!(removed[0]["outlet"], "gazette-b.example");
    // Page furniture of either outlet is gone.
    let b_text = removed[0]["text"].as_str().unwrap();
    for furniture in [
        "cookies",
        "Advertisement",
        "Most read",
        "Facebook",
        "Harbour Road",
        "Home",
    ] {
        assert!(!b_text.contains(furniture), "{furniture} in {b_text}");
    }
    for furniture in [
        "Subscribe",
        "newsletter",
        "Related stories",
        "Copyright",
        "Business",
        "dataLayer",
    ] {
        assert!(!text.contains(furniture), "{furniture} in {text}");
    }
}

#[test]
fn directory_tree_of_text_html_and_json_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("articles");
    for sub in ["a", "b/deep", ".git"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(root.join("a/story.txt"), STORY.join("\n\n")).unwrap();
    std::fs::write(root.join("a/other.txt"), OTHER.join("\n")).unwrap();
    std::fs::write(
        root.join("b/page.html"),
        page_b("Countries agree river water framework", STORY),
    )
    .unwrap();
    // One object spread over lines.
    let obj = serde_json::json!({"id": "wire-1", "outlet": "Wire Desk", "date": "2024-03-07", "text": STORY.join(" ")});
    std::fs::write(
        root.join("b/deep/item.json"),
        serde_json::to_string_pretty(&obj).unwrap(),
    )
    .unwrap();
    // JSON Lines in a .json file.
    let jl = [
        serde_json::json!({"id": "jl-1", "text": THIRD}),
        serde_json::json!({"id": "jl-2", "text": STORY[..3].join(" "), "outlet": "Paper D"}),
    ];
    let jl: String = jl.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(root.join("b/deep/feed.json"), jl).unwrap();
    std::fs::write(root.join("b/logo.png"), b"\x89PNG").unwrap();
    std::fs::write(
        root.join("b/broken.json"),
        "{\n  \"id\": \"x\",\n  \"text\": oops\n}\n",
    )
    .unwrap();
    std::fs::write(root.join(".git/config"), "[core]").unwrap();
    std::fs::write(root.join("a/.notes.txt.swp"), "x").unwrap();

    let out = run_ok(&["cluster", s(&root)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("skipped 1 files of other types"),
        "{stderr}"
    );
    assert!(stderr.contains("logo.png"), "{stderr}");
    // A bad whole-file document is named by its path alone, with the place in the file.
    let broken = format!(
        "{}: invalid JSON at line 3, column 11",
        root.join("b/broken.json").display()
    );
    assert!(stderr.contains(&broken), "{stderr}");
    let h = header(&out.stdout);
    assert_eq!(h["counts"]["documents"], 6);
    assert_eq!(h["counts"]["rejected"], 1);
    assert_eq!(h["counts"]["skipped_files"], 1);
    // Files in sorted order, whole directory tree.
    let p = |rel: &str| root.join(rel).display().to_string();
    let inputs: Vec<String> = h["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        inputs,
        [
            p("a/other.txt"),
            p("a/story.txt"),
            p("b/broken.json"),
            p("b/deep/feed.json"),
            p("b/deep/item.json"),
            p("b/page.html")
        ]
    );
    let cs = clusters(&out.stdout);
    assert_eq!(cs.len(), 1, "{cs:?}");
    assert_eq!(
        member_strs(&cs[0], "id"),
        [
            p("a/story.txt"),
            "jl-2".to_string(),
            "wire-1".to_string(),
            p("b/page.html")
        ]
    );
    assert_eq!(
        member_strs(&cs[0], "outlet"),
        ["", "Paper D", "Wire Desk", "gazette-b.example"]
    );

    // Running twice, or with another thread count, gives the same output.
    let again = run(&["cluster", "--threads", "1", s(&root)]);
    assert_eq!(out.stdout, again.stdout);
}
