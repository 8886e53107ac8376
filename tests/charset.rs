//! Integration tests of page decoding: the `charset-*` pages of `tests/pages` (each written in its
//! own encoding by `make_charset_pages.py`, with Python's codecs) read as `.html` files are, and a
//! web archive whose HTTP headers, `<meta>` tags and hosts disagree, read by the real binary.

mod common;

use common::{json_lines, run_ok, s};
use neardup::config::FieldNames;
use neardup::input::{parse, Format, Parsed};
use std::io::Write;
use std::path::{Path, PathBuf};
use warc::{BufferedBody, Record, RecordBuilder, RecordType, WarcHeader, WarcWriter};

fn pages() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages")
}

/// The text of a page read as a `.html` file is.
fn page_text(bytes: &[u8]) -> String {
    match parse(Format::Html, bytes, &FieldNames::default()) {
        Ok(Parsed::Doc(record)) => record.text,
        other => panic!("not a document: {other:?}"),
    }
}

#[test]
fn every_charset_page_decodes_to_its_expected_text() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(pages())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("charset-") && name.ends_with(".html")
        })
        .collect();
    names.sort();
    assert!(names.len() >= 11, "{names:?}");
    let mut failures = Vec::new();
    for page in &names {
        let text = page_text(&std::fs::read(page).unwrap());
        let expect = std::fs::read_to_string(page.with_extension("expect")).unwrap();
        let mut musts = 0;
        for line in expect.lines() {
            let (wanted, snippet) = match line.split_at_checked(2) {
                Some(("+ ", s)) => (true, s),
                Some(("- ", s)) => (false, s),
                _ => continue,
            };
            musts += usize::from(wanted);
            if text.contains(snippet) != wanted {
                failures.push(format!("{}: {line}", page.display()));
            }
        }
        assert!(musts >= 3, "{}", page.display());
        assert!(!text.contains('\u{fffd}'), "{}: {text}", page.display());
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn response(uri: &str, content_type: &str, body: &[u8]) -> Record<BufferedBody> {
    let mut http = format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n").into_bytes();
    http.extend_from_slice(body);
    RecordBuilder::default()
        .warc_type(RecordType::Response)
        .warc_id(format!("<urn:uuid:{}>", uri.rsplit('/').next().unwrap()))
        .header(WarcHeader::Date, "2024-03-07T09:00:00Z")
        .header(
            WarcHeader::ContentType,
            "application/http; msgtype=response",
        )
        .header(WarcHeader::TargetURI, uri)
        .body(http)
        .build()
        .unwrap()
}

#[test]
fn a_web_archive_takes_the_http_charset_first_and_detects_the_rest() {
    let polish = "<p>Rząd i związki zawodowe są coraz bliżej porozumienia w sprawie podwyżek dla \
        nauczycieli i pracowników służby zdrowia, a kolejne spotkanie zaplanowano na czwartek.</p>";
    // Windows-1250 bytes under a contrary <meta>: the HTTP header says windows-1250 and wins.
    let mut header_wins =
        b"<html><head><meta charset=\"utf-8\"><title>Place</title></head><body>".to_vec();
    header_wins.extend(encoding_rs::WINDOWS_1250.encode(polish).0.iter());
    let gb2312 = std::fs::read(pages().join("charset-gb2312-undeclared.html")).unwrap();
    let latin2 = std::fs::read(pages().join("charset-iso-8859-2-undeclared.html")).unwrap();
    let records = [
        response(
            "https://gazeta.example.pl/kraj/header-wins",
            "text/html; charset=windows-1250",
            &header_wins,
        ),
        response("https://news.example.cn/gb2312", "text/html", &gb2312),
        response(
            "https://gazeta.example.pl/kraj/latin2",
            "text/html; charset=unheard-of",
            &latin2,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl.warc.gz");
    let mut file = std::fs::File::create(&path).unwrap();
    for r in &records {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        WarcWriter::new(&mut gz).write(r).unwrap();
        file.write_all(&gz.finish().unwrap()).unwrap();
    }
    let kept = dir.path().join("kept.jsonl");
    run_ok(&["dedupe", s(&path), "--out", s(&kept)]);
    let kept = json_lines(&std::fs::read(&kept).unwrap());
    let text = |id: &str| {
        let k = kept.iter().find(|k| k["id"] == format!("urn:uuid:{id}"));
        k.unwrap_or_else(|| panic!("{id} not kept: {kept:?}"))["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        text("header-wins").contains("są coraz bliżej porozumienia"),
        "{}",
        text("header-wins")
    );
    assert!(text("gb2312").contains("消费是经济增长的主要动力"));
    let latin2 = text("latin2");
    assert!(
        latin2.contains("Według źródeł zbliżonych do negocjatorów"),
        "{latin2}"
    );
}
