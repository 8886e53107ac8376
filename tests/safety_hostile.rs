//! Hostile and unusual input (issue 21, cases 8, 9 and 12): a deeply nested HTML page, names
//! that carry line breaks, terminal escapes and bidirectional overrides, and ids that collide
//! with the ids neardup makes, `-0` and repeated byte order marks.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;

/// Control bytes other than line feed in `bytes` (ESC, BEL, CR...).
fn raw_controls(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|&b| (b < 0x20 && b != b'\n') || b == 0x7f)
        .collect()
}

/// Runs `args` in `dir` and requires success.
fn ok_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = bin().current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

/// A page of `levels` nested `<article><p>` (63 bytes a level).
fn nested_page(levels: usize) -> String {
    let mut page = String::from("<!doctype html><html><head><title>Deep</title></head><body>");
    for i in 0..levels {
        page.push_str(&format!(
            "<article><p>Paragraph {i:05} of a story nested very deep down.\n"
        ));
    }
    page.push_str("</body></html>\n");
    page
}

/// Case 8: a page of 40,000 nested articles is read in time linear in its size. The run gets
/// a CPU limit that the linear extraction meets many times over (well under a second in a
/// release build) and that the quadratic one (30 s in a release build) cannot.
#[test]
fn deeply_nested_articles_are_extracted_in_linear_time() {
    if !have_prlimit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = nested_page(40_000);
    assert!(page.len() > 2_300_000, "{}", page.len());
    let file = dir.path().join("deep.html");
    std::fs::write(&file, &page).unwrap();
    let kept = dir.path().join("kept.jsonl");
    let out = run_limited("--cpu=8", &["dedupe", "-q", s(&file), "--out", s(&kept)]);
    assert!(
        out.status.success(),
        "killed past 8 s of CPU? {:?} {}",
        out.status,
        stderr(&out)
    );
    let kept = json_lines(&std::fs::read(&kept).unwrap());
    assert_eq!(kept.len(), 1);
    let text = kept[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Paragraph 00000 of a story nested very deep down."),
        "{text:.80}"
    );
}

/// Two identical documents and one bad line in a file whose name holds a line break and
/// terminal escapes; returns the directory and the file name.
fn hostile_name(dir: &Path) -> String {
    let name = "evil\nforged.jsonl:1: cluster 9 x (y): z\u{1b}[2J\u{1b}]0;owned\u{7}.jsonl";
    let body = story(1);
    let lines = vec![doc("a", &body), doc("b", &body), "not json".to_string()];
    write_lines(dir, name, &lines);
    name.to_string()
}

/// Case 9: a file name with a line break and terminal escapes forges nothing on stderr or in
/// `--locations`.
#[test]
fn file_names_cannot_forge_messages_or_locations() {
    let dir = tempfile::tempdir().unwrap();
    let name = hostile_name(dir.path());
    let out = bin()
        .current_dir(dir.path())
        .args(["cluster", &name, "-o", "c.jsonl", "--locations", "loc.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // One bad line, one summary: two lines, no escape.
    let err = &out.stderr;
    assert_eq!(raw_controls(err), b"", "{}", stderr(&out));
    let lines: Vec<&str> = std::str::from_utf8(err).unwrap().lines().collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].ends_with(".jsonl:3: invalid JSON at column 2: expected ident"),
        "{lines:?}"
    );
    assert!(
        lines[0].starts_with("evil forged.jsonl:1: cluster 9"),
        "{lines:?}"
    );
    let loc = std::fs::read(dir.path().join("loc.txt")).unwrap();
    assert_eq!(raw_controls(&loc), b"");
    let loc = String::from_utf8(loc).unwrap();
    assert_eq!(loc.lines().count(), 2, "{loc}");
    assert!(
        loc.lines().all(|l| l.starts_with("evil forged.jsonl")),
        "{loc}"
    );
    assert!(loc.contains("\\u{1b}[2J"), "{loc}");
    // The cluster file keeps the name as it is (JSON escapes it).
    let c = json_lines(&std::fs::read(dir.path().join("c.jsonl")).unwrap());
    assert_eq!(c[1]["members"][0]["input"], name.as_str(), "{}", c[1]);
}

/// Case 9: an error naming a file prints no raw control character either.
#[test]
fn errors_name_hostile_files_safely() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["cluster", "missing\n\u{1b}[31mred.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(raw_controls(&out.stderr), b"", "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

/// Case 9: `index query --text` prints ids, titles and outlets with escapes, OSC sequences
/// and line breaks made visible, one line per article and match.
#[test]
fn index_query_text_prints_no_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let body = story(2);
    let hostile = json!({
        "id": "x\u{1b}[31m\n  jaccard 1.0000  forged",
        "title": "t\u{1b}]0;pwned\u{7}\r\nforged",
        "outlet": "o\u{1b}[2J\u{9b}1m",
        "date": "2024-01-01\u{1b}[1A",
        "text": body,
    })
    .to_string();
    let archive = write_lines(dir.path(), "archive.jsonl", &[hostile]);
    let ndx = dir.path().join("ndx");
    ok_in(dir.path(), &["index", "build", s(&archive), "-o", s(&ndx)]);
    let query = write_lines(
        dir.path(),
        "q\u{1b}[5m.jsonl",
        &[json!({"id": "q\u{1b}]0;t\u{7}\n", "text": body}).to_string()],
    );
    let out = ok_in(
        dir.path(),
        &[
            "index",
            "query",
            s(&ndx),
            s(&query),
            "--format",
            "text",
            "-q",
        ],
    );
    assert_eq!(
        raw_controls(&out.stdout),
        b"",
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // C1 controls (U+009B is a one-character CSI) are made visible too.
    assert!(!text.contains('\u{9b}'), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains("x\\u{1b}[31m   jaccard 1.0000  forged"),
        "{text}"
    );
}

/// Case 9: a bidirectional override in an id, a title and a file name reaches neither the
/// HTML report, nor the CSV view, nor the locations; the CSV still reads back with the
/// override made visible, and formulas stay defused.
#[test]
fn bidi_overrides_are_neutralised_where_people_read() {
    let dir = tempfile::tempdir().unwrap();
    let body = story(3);
    let lines = vec![
        json!({"id": "inv\u{202e}fdp.exe", "title": "=Title \u{2067}gnol\u{2069}", "outlet": "o\u{202d}x", "text": body}).to_string(),
        json!({"id": "b", "title": "plain", "text": body}).to_string(),
    ];
    write_lines(dir.path(), "n\u{202e}lsonj.jsonl", &lines);
    ok_in(
        dir.path(),
        &[
            "cluster",
            "n\u{202e}lsonj.jsonl",
            "-o",
            "c.jsonl",
            "--csv",
            "c.csv",
            "--html",
            "c.html",
            "--locations",
            "loc.txt",
            "-q",
        ],
    );
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    for f in ["c.csv", "c.html", "loc.txt"] {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(!text.contains(bidi), "{f}: {text}");
    }
    let mut csv = csv::Reader::from_path(dir.path().join("c.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let row = rows.iter().find(|r| r[1].starts_with("inv")).unwrap();
    assert_eq!(&row[1], "inv\\u{202e}fdp.exe");
    assert_eq!(&row[2], "o\\u{202d}x");
    assert_eq!(&row[3], "'=Title \\u{2067}gnol\\u{2069}");
    // The JSON keeps the id as it is.
    let c = std::fs::read_to_string(dir.path().join("c.jsonl")).unwrap();
    let c: Vec<Value> = c
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids = member_ids(&c[1]);
    assert!(ids.iter().any(|id| id == "inv\u{202e}fdp.exe"), "{ids:?}");
}

/// Dedupes `lines` written to `g.jsonl` in a fresh directory; returns the directory, stderr
/// and the kept and removed records.
fn dedupe_lines(lines: &[String]) -> (tempfile::TempDir, String, Vec<Value>, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    write_lines(dir.path(), "g.jsonl", lines);
    let out = ok_in(
        dir.path(),
        &[
            "dedupe",
            "g.jsonl",
            "--out",
            "k.jsonl",
            "--removed",
            "r.jsonl",
        ],
    );
    let read = |f: &str| {
        let bytes = std::fs::read(dir.path().join(f)).unwrap();
        // Line by line, as Python's json.loads would read them.
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{f}: {e}: {l:?}")))
            .collect::<Vec<Value>>()
    };
    let (k, r) = (read("k.jsonl"), read("r.jsonl"));
    (dir, stderr(&out), k, r)
}

/// Case 12: a line without an id is named `g.jsonl:1`; a later line that gives that id is
/// not a duplicate of it: the made id moves aside (`g.jsonl:1#2`), nothing is rejected.
#[test]
fn a_user_id_equal_to_a_made_id_later_loses_nothing() {
    let lines = vec![
        json!({"text": story(4)}).to_string(),
        doc("g.jsonl:1", &story(5)),
    ];
    let (_dir, err, kept, removed) = dedupe_lines(&lines);
    assert!(!err.contains("duplicate id"), "{err}");
    assert!(err.contains("rejected 0"), "{err}");
    assert_eq!((kept.len(), removed.len()), (2, 0));
    assert_eq!(kept[1]["id"], "g.jsonl:1");
}

/// Case 12: the same, the user's id first: the line without an id gets `g.jsonl:2#2`.
#[test]
fn a_made_id_equal_to_an_earlier_user_id_loses_nothing() {
    let longer = format!("{} And a last sentence.", story(5));
    let lines = vec![
        doc("g.jsonl:2", &story(4)),
        json!({"text": longer}).to_string(),
        // A copy of the id-less line: it names that one by its (moved) id.
        doc("copy", &story(5)),
    ];
    let (_dir, err, kept, removed) = dedupe_lines(&lines);
    assert!(!err.contains("duplicate id"), "{err}");
    assert_eq!((kept.len(), removed.len()), (2, 1), "{err}");
    assert_eq!(removed[0]["duplicate_of"], "g.jsonl:2#2");
    assert_eq!(kept[1]["id"], "g.jsonl:2#2");
    assert_eq!(kept[0], json!({"id": "g.jsonl:2", "text": story(4)}));
}

/// Case 12: `duplicate_of` names a record of the kept file, also when the kept record had no
/// id: it gets the id it was named by. Kept records that no removed one names stay as read.
#[test]
fn duplicate_of_names_a_kept_record_without_id() {
    let long = format!("{} And one more sentence at the end.", story(6));
    let lines = vec![
        format!("{{\"id\": null, \"text\": {}}}", json!(long)),
        doc("copy", &story(6)),
        json!({"text": story(7)}).to_string(),
    ];
    let (dir, _err, kept, removed) = dedupe_lines(&lines);
    assert_eq!(removed.len(), 1);
    let target = removed[0]["duplicate_of"].as_str().unwrap();
    assert_eq!(target, "g.jsonl:1");
    assert_eq!(
        kept.iter().filter(|k| k["id"] == target).count(),
        1,
        "{kept:?}"
    );
    // The unnamed kept record without an id is exactly as read.
    let k = std::fs::read_to_string(dir.path().join("k.jsonl")).unwrap();
    assert_eq!(k.lines().nth(1).unwrap(), lines[2]);
}

/// Case 12: `-0` is the integer id 0, and so the same id as `0`.
#[test]
fn negative_zero_is_the_id_zero() {
    let lines = vec![
        format!("{{\"id\": -0, \"text\": {}}}", json!(story(8))),
        format!("{{\"id\": 0, \"text\": {}}}", json!(story(9))),
    ];
    let (_dir, err, kept, _removed) = dedupe_lines(&lines);
    assert!(!err.contains("got a number"), "{err}");
    assert!(err.contains("g.jsonl:2: duplicate id \"0\""), "{err}");
    assert_eq!(kept.len(), 1);
}

/// Case 12: byte order marks at the start of lines (files joined with `cat`, twice) are not
/// written out: every kept and removed line is JSON.
#[test]
fn repeated_byte_order_marks_are_not_written() {
    let lines = vec![
        format!("\u{feff}{}", doc("a", &story(10))),
        format!("\u{feff}\u{feff}{}", doc("b", &story(11))),
        format!("\u{feff}\u{feff}{}", doc("c", &story(11))),
    ];
    let (_dir, err, kept, removed) = dedupe_lines(&lines);
    assert!(err.contains("rejected 0"), "{err}");
    assert_eq!((kept.len(), removed.len()), (2, 1));
}
