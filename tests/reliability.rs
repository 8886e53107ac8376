//! Reliability: nothing lost, nothing crashes, nothing injected. The real binary on bad inputs
//! (the table of `bad_input_table`), on every input format with its accounting, under faults
//! (killed mid-write, full disk, closed pipe, a file still being written), in any thread count
//! or input order, and on hostile text. See `docs/reliability.md`.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// Runs `dedupe` with every output and returns (exit, stderr, kept lines, removed records,
/// summary accounting).
struct Dedupe {
    out: Output,
    kept: Vec<String>,
    removed: Vec<Value>,
    accounting: Value,
}

fn dedupe(dir: &Path, inputs: &[&str], extra: &[&str]) -> Dedupe {
    let kept = dir.join("kept.jsonl");
    let removed = dir.join("removed.jsonl");
    let summary = dir.join("summary.json");
    for p in [&kept, &removed, &summary] {
        let _ = std::fs::remove_file(p);
    }
    let mut args = vec!["dedupe", "-o", s(&kept), "--removed", s(&removed)];
    args.extend(["--summary", s(&summary)]);
    args.extend(extra);
    args.extend(inputs);
    let out = run(&args);
    let read = |p: &Path| std::fs::read(p).unwrap_or_default();
    let summary = json_lines(&read(&summary));
    Dedupe {
        kept: String::from_utf8_lossy(&read(&kept))
            .lines()
            .map(str::to_string)
            .collect(),
        removed: json_lines(&read(&removed)),
        accounting: summary
            .first()
            .map(|v| v["accounting"].clone())
            .unwrap_or(Value::Null),
        out,
    }
}

/// The id of a record as neardup reads it (strings as they are, integers in decimal).
fn id_of(v: &Value) -> Option<String> {
    match &v["id"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Checks everything a dedupe run promises: the accounting balances and matches the files;
/// kept records are input lines, unchanged; every removed record names a kept one.
fn check_dedupe(what: &str, d: &Dedupe, input_lines: &HashSet<String>) {
    assert!(d.out.status.success(), "{what}: {}", stderr(&d.out));
    let a = &d.accounting;
    let n = |k: &str| a[k].as_u64().unwrap_or_else(|| panic!("no {k} in {a}"));
    assert_eq!(
        n("read"),
        n("kept") + n("removed") + n("rejected") + n("skipped"),
        "{a}"
    );
    assert_eq!(n("kept"), d.kept.len() as u64);
    assert_eq!(n("removed"), d.removed.len() as u64);
    let mut kept_ids = HashSet::new();
    for l in &d.kept {
        assert!(input_lines.contains(l), "{what}: kept record changed: {l}");
        // Raw values: a kept record may nest deeper than serde_json's recursion limit.
        let v: HashMap<String, Box<serde_json::value::RawValue>> = serde_json::from_str(l).unwrap();
        let v = json!({"id": v.get("id").map(|r| serde_json::from_str::<Value>(r.get()).unwrap())});
        if let Some(id) = id_of(&v) {
            assert!(kept_ids.insert(id), "kept twice: {l}");
        }
    }
    for r in &d.removed {
        let of = r["duplicate_of"].as_str().unwrap().to_string();
        let id = id_of(r).unwrap();
        assert_ne!(of, id);
        assert!(
            kept_ids.contains(&of),
            "{id} removed as a copy of {of}, not kept"
        );
        assert!(!kept_ids.contains(&id), "{id} both kept and removed");
    }
}

// ---------------------------------------------------------------------------------------------
// Accounting on every input format.

#[test]
fn accounting_balances_on_every_input_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..60 {
        text.push_str(&doc(&format!("d{i}"), &story(i)));
        text.push('\n');
        if i % 3 == 0 {
            let copy = format!("{} Photo caption added.", story(i));
            text.push_str(&doc(&format!("d{i}-copy"), &copy));
            text.push('\n');
        }
        if i % 20 == 7 {
            text.push_str("{broken\n\n[1,2]\n");
            text.push_str(&doc(&format!("d{i}"), "a repeated id"));
            text.push('\n');
        }
    }
    text.push_str(&doc("tiny", "a"));
    text.push('\n');
    let lines: HashSet<String> = text.lines().map(str::to_string).collect();
    let plain = dir.path().join("c.jsonl");
    std::fs::write(&plain, &text).unwrap();
    let gz = dir.path().join("c.jsonl.gz");
    std::fs::write(&gz, gzip(text.as_bytes())).unwrap();
    let zs = dir.path().join("c.jsonl.zst");
    std::fs::write(&zs, zstd(text.as_bytes())).unwrap();

    let want = json!({"read": 90, "kept": 61, "removed": 20, "rejected": 9, "skipped": 0, "short": 1, "clusters": 20});
    for p in [&plain, &gz, &zs] {
        let d = dedupe(dir.path(), &[s(p)], &[]);
        check_dedupe(s(p), &d, &lines);
        assert_eq!(d.accounting, want, "{}", p.display());
        let err = stderr(&d.out);
        let prefix = format!("{}:", p.display());
        assert_eq!(
            err.lines().filter(|l| l.starts_with(&prefix)).count(),
            9,
            "{err}"
        );
        // The cluster file's header carries the same accounting.
        let c = run(&["cluster", s(p)]);
        assert_eq!(json_lines(&c.stdout)[0]["accounting"], want);
    }
    for data in [text.as_bytes().to_vec(), zstd(text.as_bytes())] {
        let kept = dir.path().join("kept.jsonl");
        let removed = dir.path().join("removed.jsonl");
        let summary = dir.path().join("summary.json");
        let out = run_with_stdin(
            &[
                "dedupe",
                "-",
                "-o",
                s(&kept),
                "--removed",
                s(&removed),
                "--summary",
                s(&summary),
            ],
            &data,
        );
        let d = Dedupe {
            kept: std::fs::read_to_string(&kept)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect(),
            removed: json_lines(&std::fs::read(&removed).unwrap()),
            accounting: json_lines(&std::fs::read(&summary).unwrap())[0]["accounting"].clone(),
            out,
        };
        check_dedupe("stdin", &d, &lines);
        assert_eq!(d.accounting, want);
        assert!(stderr(&d.out).contains("stdin:"), "{}", stderr(&d.out));
    }
}

/// One WARC record with the given type, headers and block.
fn warc_record(kind: &str, id: usize, headers: &str, block: &str) -> String {
    format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:rec-{id}>\r\nWARC-Date: 2024-03-01T10:00:00Z\r\n{headers}Content-Length: {}\r\n\r\n{block}\r\n\r\n",
        block.len()
    )
}

/// A WARC response record of an article page at `url`.
fn warc_page(id: usize, url: &str, title: &str, text: &str) -> String {
    let html = format!(
        "<html><head><title>{title}</title></head><body><article><p>{text}</p></article></body></html>"
    );
    let http = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
        html.len()
    );
    warc_record(
        "response",
        id,
        &format!("WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"),
        &http,
    )
}

#[test]
fn accounting_with_web_archives_directories_and_limits() {
    // Every unit kind in one run: WARC records (articles, skipped records, a truncated gzip
    // member at the end), whole files in a directory (one over --max-line-bytes), and JSON
    // Lines with a line over the limit. read = kept + removed + rejected + skipped.
    let dir = tempfile::tempdir().unwrap();
    let mut warc = String::new();
    warc.push_str(&warc_record(
        "warcinfo",
        1,
        "Content-Type: application/warc-fields\r\n",
        "software: test\r\n",
    ));
    warc.push_str(&warc_page(2, "https://www.a.example/x", "Story", &story(1)));
    warc.push_str(&warc_record(
        "request",
        3,
        "WARC-Target-URI: https://b.example/y\r\nContent-Type: application/http; msgtype=request\r\n",
        "GET /y HTTP/1.1\r\nHost: b.example\r\n\r\n",
    ));
    warc.push_str(&warc_page(
        4,
        "https://b.example/y",
        "Story copy",
        &story(1),
    ));
    warc.push_str(&warc_page(5, "https://c.example/z", "Other", &story(2)));
    let mut warc_gz = gzip(warc.as_bytes());
    let tail = gzip(warc_page(6, "https://d.example/w", "Cut", &story(3)).as_bytes());
    warc_gz.extend_from_slice(&tail[..tail.len() / 2]);
    let warc_path = dir.path().join("crawl.warc.gz");
    std::fs::write(&warc_path, &warc_gz).unwrap();

    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("a.txt"), story(2)).unwrap();
    std::fs::write(tree.join("b.txt"), story(4).repeat(20)).unwrap(); // over the limit
    std::fs::write(tree.join("c.png"), b"\x89PNG").unwrap(); // skipped file, not counted in read

    let jsonl = dir.path().join("n.jsonl");
    std::fs::write(
        &jsonl,
        format!(
            "{}\n{}\n",
            doc("j1", &story(4)),
            doc("j2", &story(5).repeat(20))
        ),
    )
    .unwrap();

    let limit = "4000";
    let d = dedupe(
        dir.path(),
        &[s(&warc_path), s(&tree), s(&jsonl)],
        &["--max-line-bytes", limit],
    );
    assert!(d.out.status.success(), "{}", stderr(&d.out));
    // WARC: 6 records read (warcinfo and request skipped, 3 articles, the cut one rejected);
    // tree: 2 files read (a.txt a copy of record 5, b.txt rejected); JSON Lines: 2 lines
    // (j2 rejected).
    assert_eq!(
        d.accounting,
        json!({"read": 10, "kept": 3, "removed": 2, "rejected": 3, "skipped": 2, "short": 0, "clusters": 2}),
        "{}",
        stderr(&d.out)
    );
    let err = stderr(&d.out);
    let tree_b = tree.join("b.txt");
    for want in [
        format!("{}: record 6:", warc_path.display()),
        format!("{}: file of ", tree_b.display()),
        format!("{}:2: line of ", jsonl.display()),
    ] {
        assert!(
            err.lines().any(|l| l.starts_with(&want)),
            "no {want:?} in\n{err}"
        );
    }
    assert!(err.contains("--max-line-bytes"), "{err}");
    // The cluster file's header carries the same accounting.
    let c = run_ok(&[
        "cluster",
        "--max-line-bytes",
        limit,
        s(&warc_path),
        s(&tree),
        s(&jsonl),
    ]);
    assert_eq!(json_lines(&c.stdout)[0]["accounting"], d.accounting);
    assert_eq!(json_lines(&c.stdout)[0]["counts"]["skipped_files"], 1);
    // --strict stops at the first of them.
    let strict = run(&[
        "cluster",
        "--strict",
        "--max-line-bytes",
        limit,
        s(&warc_path),
        s(&tree),
        s(&jsonl),
    ]);
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
}

// ---------------------------------------------------------------------------------------------
// The bad input table.

/// One row: a file, what its accounting must be, and the messages it must print.
struct Case {
    name: &'static str,
    /// File name (its extension does not matter: compression is detected by content).
    file: &'static str,
    bytes: Vec<u8>,
    /// The decompressed content, when `bytes` is compressed.
    plain: Option<Vec<u8>>,
    read: u64,
    rejected: u64,
    short: u64,
    /// `line: message` fragments, each printed as `<path>:<line>: <message...>`.
    messages: Vec<String>,
}

fn table() -> Vec<Case> {
    let good = |i: usize| doc(&format!("g{i}"), &story(1000 + i));
    let mut cases = Vec::new();
    cases.push(Case {
        name: "empty file",
        file: "empty.jsonl",
        bytes: Vec::new(),
        plain: None,
        read: 0,
        rejected: 0,
        short: 0,
        messages: vec![],
    });
    cases.push(Case {
        name: "empty lines",
        file: "blank.jsonl",
        bytes: format!("\n\n   \n\t\r\n{}\n\n\n{}\n\n", good(1), good(2)).into_bytes(),
        plain: None,
        read: 2,
        rejected: 0,
        short: 0,
        messages: vec![],
    });
    let big = format!(
        "{{\"id\":\"big\",\"text\":\"{}\"}}",
        "word ".repeat(20_000_000)
    );
    cases.push(Case {
        name: "a 100 MB single line",
        file: "big.jsonl",
        bytes: format!("{}\n{big}\n{}\n", good(1), good(2)).into_bytes(),
        plain: None,
        read: 3,
        rejected: 1,
        short: 0,
        messages: vec![format!(
            "2: line of {} bytes is longer than the limit of 67108864 bytes (--max-line-bytes); skipped",
            big.len()
        )],
    });
    let mut nul = lines_of(&[good(1)]);
    nul.extend_from_slice(b"{\"id\":\"n1\",\"text\":\"a\x00b\"}\n\x00\x00\x00\n");
    nul.extend_from_slice(b"{\"id\":\"n2\",\"text\":\"escaped \\u0000 is text\"}\n");
    cases.push(Case {
        name: "NUL bytes",
        file: "nul.jsonl",
        bytes: nul,
        plain: None,
        read: 4,
        rejected: 2,
        short: 1,
        messages: vec![
            "2: invalid JSON at column 21: control character".into(),
            "3: invalid JSON at column 1".into(),
        ],
    });
    let mut utf8 = lines_of(&[good(1)]);
    utf8.extend_from_slice(
        b"{\"id\":\"u\",\"text\":\"caf\xe9\"}\n{\"id\":\"\xc3\",\"text\":\"x\"}\n",
    );
    cases.push(Case {
        name: "invalid UTF-8",
        file: "utf8.jsonl",
        bytes: utf8,
        plain: None,
        read: 3,
        rejected: 2,
        short: 0,
        messages: vec![
            "2: invalid UTF-8 at byte 22".into(),
            "3: invalid UTF-8 at byte 8".into(),
        ],
    });
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(lines_of(&[good(1)]));
    bom.extend_from_slice(b"\xEF\xBB\xBF");
    bom.extend(lines_of(&[good(2)]));
    cases.push(Case {
        name: "UTF-8 byte order mark",
        file: "bom.jsonl",
        bytes: bom,
        plain: None,
        read: 2,
        rejected: 0,
        short: 0,
        messages: vec![],
    });
    cases.push(Case {
        name: "CRLF line ends",
        file: "crlf.jsonl",
        bytes: format!("{}\r\n{}\r\n\r\n{}", good(1), good(2), good(3)).into_bytes(),
        plain: None,
        read: 3,
        rejected: 0,
        short: 0,
        messages: vec![],
    });
    let many: Vec<String> = (0..2000).map(good).collect();
    let whole = lines_of(&many);
    let gz = gzip(&whole);
    cases.push(Case {
        name: "truncated gzip",
        file: "cut.jsonl.gz",
        bytes: gz[..gz.len() / 2].to_vec(),
        plain: Some(whole.clone()),
        read: 0, // filled in by the test: the lines before the cut, plus one
        rejected: 1,
        short: 0,
        messages: vec!["cannot read further".into()],
    });
    let zs = zstd(&whole);
    cases.push(Case {
        name: "truncated zstd",
        file: "cut.jsonl.zst",
        bytes: zs[..zs.len() / 2].to_vec(),
        plain: Some(whole.clone()),
        read: 0,
        rejected: 1,
        short: 0,
        messages: vec!["cannot read further".into()],
    });
    cases.push(Case {
        name: "not compressed after all: gzip magic and garbage",
        file: "garbage.gz",
        bytes: b"\x1f\x8bthis is not gzip at all\n".to_vec(),
        plain: None,
        read: 1,
        rejected: 1,
        short: 0,
        messages: vec!["1: cannot read further".into()],
    });
    cases.push(Case {
        name: "duplicate ids",
        file: "dup.jsonl",
        bytes: lines_of(&[good(1), good(2), good(1).replace("g1\"", "g1\",\"x\":1")]),
        plain: None,
        read: 3,
        rejected: 1,
        short: 0,
        messages: vec!["3: duplicate id \"g1\" (first on ".into()],
    });
    let ids = [
        ("\"s\"", None),
        ("7", None),
        ("-3", None),
        ("18446744073709551615", None),
        ("null", None),
        ("1.5", Some("must be a string or an integer, got a number")),
        ("1e3", Some("must be a string or an integer, got a number")),
        (
            "true",
            Some("must be a string or an integer, got a boolean"),
        ),
        ("[1]", Some("must be a string or an integer, got an array")),
        (
            "{\"a\":1}",
            Some("must be a string or an integer, got an object"),
        ),
        ("\"\"", Some("field \"id\" is an empty string")),
    ];
    let mut id_lines = Vec::new();
    let mut id_msgs = Vec::new();
    for (i, (id, err)) in ids.iter().enumerate() {
        id_lines.push(format!("{{\"id\":{id},\"text\":\"{}\"}}", story(i)));
        if let Some(m) = err {
            id_msgs.push(format!(
                "{}: field \"id\" {}",
                i + 1,
                m.trim_start_matches("field \"id\" ")
            ));
        }
    }
    cases.push(Case {
        name: "ids of every JSON type",
        file: "ids.jsonl",
        bytes: lines_of(&id_lines),
        plain: None,
        read: ids.len() as u64,
        rejected: id_msgs.len() as u64,
        short: 0,
        messages: id_msgs,
    });
    cases.push(Case {
        name: "missing fields",
        file: "missing.jsonl",
        plain: None,
        bytes: lines_of(&[
            "{}".into(),
            "{\"id\":\"a\"}".into(),
            "{\"id\":\"b\",\"text\":null}".into(),
            format!("{{\"text\":\"{}\"}}", story(1)),
            "\"just a string\"".into(),
            "{\"id\":\"c\",\"text\":\"x\",\"title\":[1]}".into(),
        ]),
        read: 6,
        rejected: 5,
        short: 0,
        messages: vec![
            "1: no \"text\" field".into(),
            "2: no \"text\" field".into(),
            "3: field \"text\" must be a string, got null".into(),
            "5: expected a JSON object, got a string".into(),
            "6: field \"title\" must be a string or null, got an array".into(),
        ],
    });
    // Deep nesting in a field neardup does not read is skipped without recursion (and the
    // record kept as it is); in a field it reads, or at the top, it is an error.
    let deep_other = format!(
        "{{\"text\":\"x\",\"deep\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let deep_text = format!("{{\"text\":{}}}", "{\"a\":".repeat(100_000));
    cases.push(Case {
        name: "deeply nested JSON",
        file: "deep.jsonl",
        bytes: lines_of(&[good(1), deep_other, deep_text, "[".repeat(1_000_000)]),
        plain: None,
        read: 4,
        rejected: 2,
        short: 1,
        messages: vec![
            "3: invalid JSON at column".into(),
            "4: invalid JSON at column".into(),
        ],
    });
    cases.push(Case {
        name: "texts of one character",
        file: "one.jsonl",
        plain: None,
        bytes: lines_of(&[
            doc("a", "a"),
            doc("b", "\u{6771}"),
            doc("c", "\u{e9}"),
            doc("d", "\u{1F600}"),
            doc("e", " "),
            doc("f", ""),
        ]),
        read: 6,
        rejected: 0,
        short: 6,
        messages: vec![],
    });
    let scripts: Vec<String> = SCRIPTS
        .iter()
        .enumerate()
        .map(|(i, (_, t))| doc(&format!("script{i}"), t))
        .collect();
    cases.push(Case {
        name: "texts in every script",
        file: "scripts.jsonl",
        bytes: lines_of(&scripts),
        plain: None,
        read: SCRIPTS.len() as u64,
        rejected: 0,
        short: 0,
        messages: vec![],
    });
    cases
}

#[test]
fn bad_input_table() {
    let dir = tempfile::tempdir().unwrap();
    let after = dir.path().join("after.jsonl");
    std::fs::write(&after, lines_of(&[doc("after-1", &story(9999))])).unwrap();
    for mut case in table() {
        let path = dir.path().join(case.file);
        std::fs::write(&path, &case.bytes).unwrap();
        if case.read == 0 && case.rejected == 1 {
            // A truncated stream: the lines before the cut are read, then the rest is one
            // unreadable line.
            let plain = run(&["dedupe", s(&path), "-o", "/dev/null"]);
            let err = stderr(&plain);
            let at = err.find("cannot read further").expect(&err);
            let line: u64 = err[..at].rsplit(':').nth(1).unwrap().parse().unwrap();
            assert!(line > 10, "{}: the first lines are read: {err}", case.name);
            case.read = line;
            case.messages = vec![format!("{line}: cannot read further")];
        }
        let inputs: Vec<String> = case
            .plain
            .as_ref()
            .unwrap_or(&case.bytes)
            .split(|&b| b == b'\n')
            .filter(|l| l.len() < 1 << 20)
            .map(|l| {
                let l = String::from_utf8_lossy(l);
                l.trim_end_matches('\r')
                    .trim_start_matches('\u{FEFF}')
                    .to_string()
            })
            .collect();
        let mut lines: HashSet<String> = inputs.into_iter().collect();
        lines.insert(doc("after-1", &story(9999)));
        // The run goes on, and on to the next input.
        let d = dedupe(dir.path(), &[s(&path), s(&after)], &[]);
        check_dedupe(case.name, &d, &lines);
        let a = &d.accounting;
        assert_eq!(a["read"], case.read + 1, "{}: {a}", case.name);
        assert_eq!(a["rejected"], case.rejected, "{}: {a}", case.name);
        assert_eq!(a["short"], case.short, "{}: {a}", case.name);
        assert!(
            d.kept.iter().any(|l| l.contains("after-1")),
            "{}",
            case.name
        );
        let err = stderr(&d.out);
        for m in &case.messages {
            let want = format!("{}:{m}", path.display());
            assert!(
                err.lines().any(|l| l.starts_with(&want)),
                "{}: no {want:?} in\n{err}",
                case.name
            );
        }
        assert_eq!(
            err.lines().filter(|l| l.starts_with(s(&path))).count() as u64,
            case.rejected,
            "{}: one message per rejected line\n{err}",
            case.name
        );
        // With --strict the first one stops the run, and nothing is written.
        let d = dedupe(dir.path(), &[s(&path), s(&after)], &["--strict"]);
        if case.rejected > 0 {
            assert_eq!(d.out.status.code(), Some(2), "{}", case.name);
            let want = format!("neardup: {}:{}", path.display(), case.messages[0]);
            assert!(
                stderr(&d.out).starts_with(&want),
                "{}: {}",
                case.name,
                stderr(&d.out)
            );
            for f in ["kept.jsonl", "removed.jsonl", "summary.json"] {
                assert!(!dir.path().join(f).exists(), "{}: {f} written", case.name);
            }
        } else {
            assert!(d.out.status.success(), "{}: {}", case.name, stderr(&d.out));
        }
    }
}

/// A sentence or two in each script (news-like, about 20 words or 40 characters).
const SCRIPTS: &[(&str, &str)] = &[
    ("Latin", "The central bank raised interest rates on Tuesday for the third time this year, citing persistent inflation in food and energy prices."),
    ("Latin (Vietnamese)", "Ngân hàng trung ương đã tăng lãi suất vào thứ Ba lần thứ ba trong năm nay do lạm phát kéo dài ở giá thực phẩm và năng lượng."),
    ("Cyrillic", "Центральный банк во вторник в третий раз в этом году повысил процентные ставки, сославшись на устойчивую инфляцию цен на продукты и энергию."),
    ("Greek", "Η κεντρική τράπεζα αύξησε την Τρίτη τα επιτόκια για τρίτη φορά φέτος, επικαλούμενη τον επίμονο πληθωρισμό στις τιμές τροφίμων και ενέργειας."),
    ("Arabic", "رفع البنك المركزي أسعار الفائدة يوم الثلاثاء للمرة الثالثة هذا العام مشيرا إلى استمرار التضخم في أسعار الغذاء والطاقة في البلاد."),
    ("Hebrew", "הבנק המרכזי העלה ביום שלישי את הריבית בפעם השלישית השנה בשל אינפלציה מתמשכת במחירי המזון והאנרגיה במדינה כולה."),
    ("Devanagari", "केंद्रीय बैंक ने मंगलवार को इस साल तीसरी बार ब्याज दरें बढ़ाईं और खाद्य तथा ऊर्जा की कीमतों में लगातार महंगाई का हवाला दिया।"),
    ("Bengali", "কেন্দ্রীয় ব্যাংক মঙ্গলবার এ বছর তৃতীয়বারের মতো সুদের হার বাড়িয়েছে এবং খাদ্য ও জ্বালানির দামে অব্যাহত মূল্যস্ফীতির কথা উল্লেখ করেছে।"),
    ("Tamil", "மத்திய வங்கி செவ்வாய்க்கிழமை இந்த ஆண்டில் மூன்றாவது முறையாக வட்டி விகிதங்களை உயர்த்தியது என்று அதிகாரிகள் தெரிவித்தனர் உணவு விலைகள் உயர்ந்தன."),
    ("Thai", "ธนาคารกลางขึ้นอัตราดอกเบี้ยเมื่อวันอังคารเป็นครั้งที่สามของปีนี้ โดยอ้างถึงเงินเฟ้อที่ยังคงสูงในราคาอาหารและพลังงาน"),
    ("Chinese", "中央银行周二今年第三次上调利率，理由是食品和能源价格持续通胀，市场预计明年还将进一步加息以稳定物价。"),
    ("Japanese", "中央銀行は火曜日、食品とエネルギー価格の根強いインフレを理由に、今年３回目となる利上げを発表した。"),
    ("Korean", "중앙은행은 화요일 식품과 에너지 가격의 지속적인 인플레이션을 이유로 올해 들어 세 번째로 기준금리를 인상했다고 밝혔다."),
    ("Georgian", "ცენტრალურმა ბანკმა სამშაბათს წელს მესამედ გაზარდა საპროცენტო განაკვეთები სურსათისა და ენერგიის ფასებზე მუდმივი ინფლაციის გამო ქვეყანაში."),
    ("Armenian", "Կենտրոնական բանկը երեքշաբթի օրը այս տարի երրորդ անգամ բարձրացրել է տոկոսադրույքները՝ նշելով սննդի և էներգիայի գների շարունակական գնաճը։"),
    ("Amharic", "ማዕከላዊ ባንክ ማክሰኞ በዚህ ዓመት ለሦስተኛ ጊዜ የወለድ መጠን ጨምሯል በምግብ እና በኃይል ዋጋዎች ላይ የቀጠለውን የዋጋ ግሽበት በመጥቀስ አስታውቋል።"),
    ("Khmer", "ធនាគារកណ្តាលបានដំឡើងអត្រាការប្រាក់កាលពីថ្ងៃអង្គារជាលើកទីបីក្នុងឆ្នាំនេះ ដោយលើកឡើងពីអតិផរណាជាប់លាប់លើតម្លៃអាហារនិងថាមពល"),
    ("Emoji and symbols", "📈 Rates up again 🏦 third time this year 🍞⚡ food and energy prices keep rising say officials 📰 more at eleven"),
];

#[test]
fn copies_are_found_in_every_script() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = Vec::new();
    for (i, (_, text)) in SCRIPTS.iter().enumerate() {
        docs.push(doc(&format!("s{i}"), text));
        // A copy with typographic changes only: another outlet's quote marks and spacing.
        let copy = format!("  {}  ", text.replace(' ', "  "));
        docs.push(doc(&format!("s{i}-copy"), &copy));
    }
    let p = dir.path().join("scripts.jsonl");
    std::fs::write(&p, lines_of(&docs)).unwrap();
    let out = run_ok(&["cluster", s(&p)]);
    let v = json_lines(&out.stdout);
    let found: BTreeSet<Vec<String>> = v[1..].iter().map(member_ids).collect();
    for (i, (name, _)) in SCRIPTS.iter().enumerate() {
        let want = vec![format!("s{i}"), format!("s{i}-copy")];
        assert!(
            found.contains(&want),
            "{name}: no cluster {want:?} in {found:?}"
        );
    }
    assert_eq!(found.len(), SCRIPTS.len(), "no cluster across scripts");
    assert_eq!(v[0]["counts"]["short"], 0, "{}", v[0]);
}

// ---------------------------------------------------------------------------------------------
// Bounded memory: decompression bombs.

#[test]
fn decompression_bombs_are_rejected_in_bounded_memory() {
    // As the Spark and Chromium tests: a missing tool fails under CI, never passes.
    if !have_prlimit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // 512 MiB of zeros, no line end, in 0.5 MB of gzip; and the same in zstd.
    let gib = 512u64 << 20;
    let gz_path = dir.path().join("bomb.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz_path).unwrap(),
        flate2::Compression::fast(),
    );
    let zs_path = dir.path().join("bomb.zst");
    let mut zenc =
        zstd::stream::write::Encoder::new(std::fs::File::create(&zs_path).unwrap(), 3).unwrap();
    let block = vec![0u8; 1 << 20];
    for _ in 0..(gib >> 20) {
        enc.write_all(&block).unwrap();
        zenc.write_all(&block).unwrap();
    }
    enc.finish().unwrap();
    zenc.finish().unwrap();
    assert!(std::fs::metadata(&gz_path).unwrap().len() < 8 << 20);
    let after = dir.path().join("after.jsonl");
    std::fs::write(&after, lines_of(&[doc("after-1", &story(1))])).unwrap();
    for bomb in [&gz_path, &zs_path] {
        // An address space of 464 MB, less than the bomb: it cannot be held. (The thread that
        // waits for SIGINT/SIGTERM reserves a 64 MiB glibc malloc arena, address space only:
        // 384 MB before it.)
        let out = run_limited(
            &format!("--as={}", 464u64 << 20),
            &[
                "cluster",
                "--threads",
                "1",
                s(bomb),
                s(&after),
                "-o",
                "/dev/null",
            ],
        );
        let err = stderr(&out);
        assert!(out.status.success(), "{err}");
        assert!(
            err.contains(&format!(
                "{}:1: line of {gib} bytes is longer than the limit of 67108864 bytes",
                bomb.display()
            )),
            "{err}"
        );
        assert!(err.contains("read 2, documents 1"), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Faults.

#[test]
fn a_run_killed_mid_write_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = generated(dir.path(), 10_000);
    let outdir = dir.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let kept = outdir.join("kept.jsonl");
    let mut killed_while_writing = 0;
    for attempt in 0..3 {
        let mut child = bin()
            .args(["dedupe", "--threads", "1", s(&input), "-o", s(&kept)])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the temporary output to appear (the pipeline is done and writing starts),
        // then kill without warning.
        let start = std::time::Instant::now();
        let mut writing = false;
        while start.elapsed().as_secs() < 120 && child.try_wait().unwrap().is_none() {
            let tmp = std::fs::read_dir(&outdir).unwrap().any(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.starts_with(".neardup-") && name.ends_with(".tmp")
            });
            if tmp {
                writing = true;
                std::thread::sleep(std::time::Duration::from_millis(5 * attempt));
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if status.success() {
            // It finished first: the whole output is there. Start again without it.
            assert!(std::fs::metadata(&kept).unwrap().len() > 0);
            std::fs::remove_file(&kept).unwrap();
            continue;
        }
        killed_while_writing += writing as u32;
        assert!(!kept.exists(), "a killed run left {}", kept.display());
        // Whatever is left is a hidden temporary file, recognisable by its name.
        for e in std::fs::read_dir(&outdir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                name.starts_with(".neardup-") && name.ends_with(".tmp"),
                "{name}"
            );
        }
    }
    assert!(killed_while_writing > 0, "never killed while writing");
    // The next run writes the whole output.
    let out = run_ok(&["dedupe", s(&input), "-o", s(&kept)]);
    assert!(stderr(&out).contains("read 10000, kept"));
    let n = std::fs::read_to_string(&kept).unwrap().lines().count();
    assert!(
        stderr(&out).contains(&format!("kept {n},")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_full_disk_fails_cleanly() {
    let seed = seed_articles();
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.jsonl");
    for args in [
        vec!["cluster", s(&seed), "-o", "/dev/full"],
        vec!["cluster", s(&seed), "-o", s(&ok), "--html", "/dev/full"],
        vec!["dedupe", s(&seed), "-o", "/dev/full"],
        vec!["dedupe", s(&seed), "-o", s(&ok), "--removed", "/dev/full"],
        vec!["dedupe", s(&seed), "-o", s(&ok), "--summary", "/dev/full"],
    ] {
        let out = run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("neardup: /dev/full: No space left on device"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(!ok.exists(), "{args:?}: the other output was committed");
    }
    // Standard output on a full disk too.
    let out = bin()
        .args(["cluster", s(&seed)])
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("No space left on device"));
}

#[test]
fn temporary_files_that_cannot_be_made_name_their_directory() {
    let seed = seed_articles();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let out_path = dir.path().join("clusters.jsonl");
    let out = bin()
        .args(["cluster", s(&seed), "-o", s(&out_path)])
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("temporary set spool in {}: ", missing.display())),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out_path.exists(), "an output was committed");
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let input = generated(dir.path(), 3000);
    for cmd in ["cluster", "dedupe"] {
        let out = closed_early(&[cmd, s(&input)], 64);
        assert!(out.status.success(), "{cmd}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn a_file_still_being_appended_to_is_read_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("growing.jsonl");
    let mut first = String::new();
    for i in 0..2000 {
        first.push_str(&doc(&format!("a{i}"), &story(i % 700)));
        first.push('\n');
    }
    std::fs::write(&p, &first).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (p, stop) = (p.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Half a line, then the rest: a reader may see a line being written.
                let line = doc(&format!("b{i}"), &story(i % 700));
                let (x, y) = line.split_at(line.len() / 2);
                f.write_all(x.as_bytes()).unwrap();
                f.flush().unwrap();
                f.write_all(y.as_bytes()).unwrap();
                f.write_all(b"\n").unwrap();
                i += 1;
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            i
        })
    };
    let runs: Vec<Dedupe> = (0..3).map(|_| dedupe(dir.path(), &[s(&p)], &[])).collect();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let appended = writer.join().unwrap();
    assert!(appended > 0);
    let all: HashSet<String> = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    for d in &runs {
        // Succeeds, accounts for every line it read, copies only whole lines. A half-written
        // last line, if the snapshot cut one, is rejected with its line number.
        check_dedupe("growing", d, &all);
        let read = d.accounting["read"].as_u64().unwrap();
        assert!(read >= 2000, "{}", d.accounting);
        assert!(
            d.accounting["rejected"].as_u64().unwrap() <= 1,
            "{}",
            stderr(&d.out)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism.

#[test]
fn same_clusters_for_any_thread_count_and_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let all = std::fs::read_to_string(generated(dir.path(), 2000)).unwrap();
    let lines: Vec<&str> = all.lines().collect();
    // Three inputs: every third line each, so copies and their originals are in different
    // files; then the files in every order.
    let parts: Vec<PathBuf> = (0..3)
        .map(|k| {
            let p = dir.path().join(format!("part{k}.jsonl"));
            let mut text = String::new();
            for l in lines.iter().skip(k).step_by(3) {
                text.push_str(l);
                text.push('\n');
            }
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    let orders = [[0, 1, 2], [2, 1, 0]];
    let mut first: Option<BTreeSet<(String, BTreeSet<String>)>> = None;
    for order in orders {
        let files: Vec<&str> = order.iter().map(|&k| s(&parts[k])).collect();
        let mut outs = Vec::new();
        for threads in ["1", "2"] {
            let mut args = vec!["cluster", "--threads", threads];
            args.extend(&files);
            let out = run(&args);
            assert!(out.status.success(), "{}", stderr(&out));
            outs.push(out.stdout);
        }
        assert_eq!(
            outs[0], outs[1],
            "1 and 2 threads differ for order {order:?}"
        );
        let sets = cluster_sets(&outs[0]);
        assert!(sets.len() > 50, "{}", sets.len());
        match &first {
            None => first = Some(sets),
            Some(f) => assert!(*f == sets, "order {order:?} gives other clusters"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Security.

#[test]
fn hostile_fields_are_escaped_and_never_used_as_paths() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";
    let text = format!("{} {evil} {}", story(1), story(2));
    let mut docs = Vec::new();
    for (i, path_like) in ["../../escape", "/tmp/neardup-evil", "a/b/c"]
        .iter()
        .enumerate()
    {
        docs.push(
            json!({
                "id": format!("{path_like}{evil}{i}"),
                "text": text,
                "title": evil,
                "outlet": format!("{evil}{i}"),
                "date": evil,
                "url": format!("javascript:alert(1)//{evil}"),
            })
            .to_string(),
        );
    }
    // An input file name with markup in it.
    let input = work.join("in<b>put\".jsonl");
    std::fs::write(&input, lines_of(&docs)).unwrap();
    let out = bin()
        .current_dir(&work)
        .args(["cluster", s(&input), "-o", "c.jsonl", "--html", "r.html"])
        .args(["--csv", "m.csv", "--locations", "l.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = bin()
        .current_dir(&work)
        .args(["dedupe", s(&input), "-o", "k.jsonl", "--removed", "r.jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(work.join("r.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for raw in [
        "<script>alert",
        "<img",
        "onerror=alert(2)>",
        "<b>put",
        "href=\"javascript",
    ] {
        assert!(!html.contains(raw), "{raw} not escaped");
    }
    // Exactly the files asked for, and nothing outside the working directory.
    let mut names: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want = vec!["c.jsonl", "k.jsonl", "l.txt", "m.csv", "r.html", "r.jsonl"];
    want.push("in<b>put\".jsonl");
    want.sort();
    assert_eq!(names, want);
    assert!(!Path::new("/tmp/neardup-evil").exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
