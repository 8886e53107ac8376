//! Runs that quietly did nothing or left things behind (issue 21, cases 7, 13 and 15): killed
//! index builds, index upkeep (adds with nothing new, compaction), and inputs of which no
//! document is read (CSV, JSON arrays, another text field), through the real binary.

mod common;

use common::{doc, generated_parts, index_stats, names, ok, run, s, stderr, story, write_lines};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Names in `dir` that start with `prefix`.
fn named(dir: &Path, prefix: &str) -> Vec<String> {
    let mut v = names(dir);
    v.retain(|n| n.starts_with(prefix));
    v
}

/// What `index query` answers on `ndx` for `inputs`, with `extra` options after them.
fn answers(ndx: &Path, inputs: &[&Path], extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["index", "query", s(ndx)];
    args.extend(inputs.iter().map(|p| s(p)));
    args.extend(extra);
    ok(run(&args)).stdout
}

fn segment_files(ndx: &Path) -> Vec<String> {
    named(ndx, "seg-")
}

/// A directory as a killed build leaves it: a segment and a temporary manifest, and (with
/// `lock`) the `LOCK` file the build held.
fn fake_build_dir(parent: &Path, name: &str, lock: bool) -> PathBuf {
    let d = parent.join(name);
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("seg-000001-0badf00d.nds"), vec![7u8; 4096]).unwrap();
    std::fs::write(d.join(".tmp-abc"), b"half a manifest").unwrap();
    if lock {
        std::fs::write(d.join("LOCK"), b"").unwrap();
    }
    d
}

/// Makes `path` (a directory) look `secs` seconds old.
fn age(path: &Path, secs: u64) {
    let f = std::fs::File::open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(secs))
        .unwrap();
}

#[test]
fn a_killed_build_is_cleaned_by_the_next_build_add_or_compact() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(dir.path(), 400, 5, &[("a.jsonl", 300), ("b.jsonl", 100)]);
    let ndx = dir.path().join("a.ndx");
    ok(run(&["index", "build", s(&files[0]), "-o", s(&ndx)]));
    // Killed builds (their LOCK no longer held), one left by an older neardup (no LOCK, old),
    // and two that must stay: a live build (its LOCK held, here by this process) and a
    // directory without LOCK created just now (a build in its first instant).
    fake_build_dir(dir.path(), ".neardup-index-killed1", true);
    fake_build_dir(dir.path(), ".neardup-index-killed2", true);
    let old = fake_build_dir(dir.path(), ".neardup-index-old", false);
    age(&old, 2 * 3600);
    fake_build_dir(dir.path(), ".neardup-index-fresh", false);
    let live = fake_build_dir(dir.path(), ".neardup-index-live", true);
    let held = std::fs::File::open(live.join("LOCK")).unwrap();
    held.try_lock().unwrap();
    // Not build directories: left alone.
    std::fs::write(dir.path().join(".neardup-index-file"), b"x").unwrap();
    std::fs::create_dir(dir.path().join(".neardup-other")).unwrap();

    let ndx2 = dir.path().join("b.ndx");
    ok(run(&["index", "build", s(&files[1]), "-o", s(&ndx2)]));
    assert_eq!(
        named(dir.path(), ".neardup-"),
        [
            ".neardup-index-file",
            ".neardup-index-fresh",
            ".neardup-index-live",
            ".neardup-other"
        ],
        "the next build removes what killed builds left, and nothing a live one uses"
    );
    assert_eq!(segment_files(&ndx2).len(), 1);

    // add and compact clean them too, and say so.
    fake_build_dir(dir.path(), ".neardup-index-killed3", true);
    let out = ok(run(&["index", "add", s(&ndx), s(&files[1])]));
    assert!(
        stderr(&out).contains("removed 1 unfinished index build(s)"),
        "{}",
        stderr(&out)
    );
    fake_build_dir(dir.path(), ".neardup-index-killed4", true);
    let out = ok(run(&["index", "compact", s(&ndx)]));
    assert!(
        stderr(&out).contains("removed 1 unfinished index build(s)"),
        "{}",
        stderr(&out)
    );
    drop(held);
    ok(run(&["index", "compact", "--quiet", s(&ndx)]));
    assert_eq!(
        named(dir.path(), ".neardup-index-"),
        [".neardup-index-file", ".neardup-index-fresh"],
        "the live build's directory goes once its lock is released"
    );

    // A real kill -9 of a build at some moment: whatever it left is gone after the next build.
    let big = common::generated(dir.path(), 6000);
    for (i, delay_ms) in [150u64, 600].into_iter().enumerate() {
        let out = dir.path().join(format!("killed{i}.ndx"));
        let mut child = common::bin()
            .args(["index", "build", "--quiet", s(&big), "-o", s(&out)])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let again = dir.path().join(format!("again{i}.ndx"));
        ok(run(&["index", "build", s(&files[1]), "-o", s(&again)]));
        assert_eq!(
            named(dir.path(), ".neardup-index-"),
            [".neardup-index-file", ".neardup-index-fresh"],
            "killed after {delay_ms} ms"
        );
    }
}

#[test]
fn adding_the_same_articles_again_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(
        dir.path(),
        600,
        5,
        &[("a.jsonl", 400), ("b.jsonl", 150), ("q.jsonl", 50)],
    );
    let ndx = dir.path().join("n.ndx");
    ok(run(&["index", "build", s(&files[0]), "-o", s(&ndx)]));
    let query = || answers(&ndx, &[&files[0], &files[2]], &[]);
    let before = query();
    let manifest = std::fs::read(ndx.join("MANIFEST")).unwrap();
    for _ in 0..3 {
        let out = ok(run(&["index", "add", s(&ndx), s(&files[0])]));
        let err = stderr(&out);
        assert!(
            err.contains("read 400, added 0 (nothing new), rejected 400; the index is unchanged (400 documents)"),
            "{err}"
        );
        // 400 repeated ids: a few shown, the rest counted.
        assert!(err.lines().count() <= 10, "{err}");
        assert!(
            err.contains("395 more lines not shown, like: id \"gen-0\" is already in the index"),
            "{err}"
        );
    }
    assert_eq!(segment_files(&ndx).len(), 1, "no empty segments");
    assert_eq!(std::fs::read(ndx.join("MANIFEST")).unwrap(), manifest);
    assert_eq!(query(), before);
    // New articles among old ones: only they are added, in one segment.
    let mixed = dir.path().join("mixed.jsonl");
    let mut text = std::fs::read_to_string(&files[0]).unwrap();
    text.push_str(&std::fs::read_to_string(&files[1]).unwrap());
    std::fs::write(&mixed, text).unwrap();
    let out = ok(run(&["index", "add", "--quiet", s(&ndx), s(&mixed)]));
    assert!(out.stderr.is_empty());
    assert_eq!(segment_files(&ndx).len(), 2);
    assert_eq!(index_stats(&ndx)["documents"], 550);
}

#[test]
fn compact_merges_every_segment_and_queries_answer_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(
        dir.path(),
        1500,
        5,
        &[
            ("a.jsonl", 500),
            ("b.jsonl", 300),
            ("c.jsonl", 300),
            ("d.jsonl", 250),
            ("q.jsonl", 150),
        ],
    );
    for mode in ["containment", "jaccard"] {
        let ndx = dir.path().join(format!("{mode}.ndx"));
        ok(run(&[
            "index",
            "build",
            "--mode",
            mode,
            s(&files[0]),
            "-o",
            s(&ndx),
        ]));
        for f in &files[1..4] {
            ok(run(&["index", "add", s(&ndx), s(f)]));
        }
        assert_eq!(segment_files(&ndx).len(), 4);
        // Every archive article and the new ones: all the index's documents are read.
        let all: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let query =
            |text: bool| answers(&ndx, &all, if text { &["--format", "text"] } else { &[] });
        let (json_before, text_before) = (query(false), query(true));
        let before = index_stats(&ndx);
        let out = ok(run(&["index", "compact", s(&ndx)]));
        assert!(
            stderr(&out).contains("compacted 4 segments into 1 (1350 documents"),
            "{}",
            stderr(&out)
        );
        assert_eq!(segment_files(&ndx).len(), 1, "old segments deleted");
        let after = index_stats(&ndx);
        assert_eq!(after["segments"], 1);
        assert_eq!(after["documents"], before["documents"]);
        assert_eq!(after["params"], before["params"]);
        assert_eq!(query(false), json_before, "{mode}: the same answers");
        assert_eq!(query(true), text_before);
        let matched = common::json_lines(&json_before)
            .iter()
            .filter(|r| !r["matches"].as_array().unwrap().is_empty())
            .count();
        assert!(matched > 100, "{matched}: the test compares real matches");
        // Once compact, nothing to do; adds go on as before.
        let out = ok(run(&["index", "compact", s(&ndx)]));
        assert!(stderr(&out).contains("has 1 segment(s); nothing to compact"));
        ok(run(&["index", "add", s(&ndx), s(&files[4])]));
        assert_eq!(index_stats(&ndx)["documents"], 1500);
    }
}

#[test]
fn a_killed_compact_leaves_the_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(
        dir.path(),
        900,
        5,
        &[
            ("a.jsonl", 400),
            ("b.jsonl", 200),
            ("c.jsonl", 200),
            ("q.jsonl", 100),
        ],
    );
    let ndx = dir.path().join("k.ndx");
    ok(run(&["index", "build", s(&files[0]), "-o", s(&ndx)]));
    ok(run(&["index", "add", s(&ndx), s(&files[1])]));
    ok(run(&["index", "add", s(&ndx), s(&files[2])]));
    let query = || answers(&ndx, &[&files[0], &files[3]], &[]);
    let before = query();
    let old = segment_files(&ndx);
    let manifest = std::fs::read(ndx.join("MANIFEST")).unwrap();
    // Killed after the merged segment is written, before the manifest is replaced.
    let out = common::bin()
        .args(["index", "compact", s(&ndx)])
        .env("NEARDUP_TEST_ABORT_BEFORE_COMMIT", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        segment_files(&ndx).len(),
        4,
        "the merged segment is on disk"
    );
    assert_eq!(std::fs::read(ndx.join("MANIFEST")).unwrap(), manifest);
    assert_eq!(query(), before, "the index answers as before");
    assert_eq!(index_stats(&ndx)["segments"], 3);
    // Killed after the manifest is replaced, before the old segments are deleted: simulated by
    // putting them back after a complete compaction.
    let saved = dir.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    for f in &old {
        std::fs::copy(ndx.join(f), saved.join(f)).unwrap();
    }
    let out = ok(run(&["index", "compact", s(&ndx)]));
    assert!(
        stderr(&out).contains("removed 1 unfinished segment(s)"),
        "{}",
        stderr(&out)
    );
    for f in &old {
        std::fs::copy(saved.join(f), ndx.join(f)).unwrap();
    }
    assert_eq!(segment_files(&ndx).len(), 4);
    assert_eq!(
        query(),
        before,
        "old segments no manifest names change nothing"
    );
    assert_eq!(index_stats(&ndx)["segments"], 1);
    let out = ok(run(&["index", "add", s(&ndx), s(&files[3])]));
    assert!(
        stderr(&out).contains("removed 3 unfinished segment(s)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(segment_files(&ndx).len(), 2);
}

/// Runs `cluster` and `dedupe` on `input` (with `extra` options) and checks that both exit 2
/// with a message containing every one of `wants`, and write no output file.
fn fails_with(dir: &Path, inputs: &[&Path], extra: &[&str], wants: &[&str], max_lines: usize) {
    let out_c = dir.join("clusters.jsonl");
    let out_k = dir.join("kept.jsonl");
    let out_r = dir.join("removed.jsonl");
    let names: Vec<&str> = inputs.iter().map(|p| s(p)).collect();
    let mut cluster = vec!["cluster"];
    cluster.extend(&names);
    cluster.extend(extra);
    cluster.extend(["-o", s(&out_c)]);
    let mut dedupe = vec!["dedupe"];
    dedupe.extend(&names);
    dedupe.extend(extra);
    dedupe.extend(["--out", s(&out_k), "--removed", s(&out_r)]);
    for args in [cluster, dedupe] {
        let out = run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        for w in wants {
            assert!(err.contains(w), "{args:?}: wanted {w:?} in\n{err}");
        }
        assert!(
            err.lines().count() <= max_lines,
            "{args:?}: stderr flooded:\n{err}"
        );
        for p in [&out_c, &out_k, &out_r] {
            assert!(!p.exists(), "{args:?} wrote {}", p.display());
        }
    }
}

#[test]
fn a_csv_file_fails_with_a_hint_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec!["id,title,text".to_string()];
    for i in 0..200 {
        lines.push(format!("a{i},Title {i},\"{}\"", story(i)));
    }
    for name in ["news.csv", "news.jsonl"] {
        let csv = write_lines(dir.path(), name, &lines);
        fails_with(
            dir.path(),
            &[&csv],
            &[],
            &[
                &format!("{name}: none of its 201 lines is a document: it looks like CSV"),
                "one JSON object a line",
                "196 more lines not shown, like: invalid JSON at column 1",
            ],
            8,
        );
    }
}

#[test]
fn a_json_array_fails_with_a_hint_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let docs: Vec<Value> = (0..30)
        .map(|i| json!({"id": format!("a{i}"), "text": story(i)}))
        .collect();
    let pretty = dir.path().join("pretty.json");
    std::fs::write(&pretty, serde_json::to_string_pretty(&docs).unwrap()).unwrap();
    let one_line = dir.path().join("oneline.json");
    std::fs::write(&one_line, serde_json::to_string(&docs).unwrap()).unwrap();
    let as_jsonl = dir.path().join("array.jsonl");
    std::fs::write(&as_jsonl, serde_json::to_string_pretty(&docs).unwrap()).unwrap();
    for p in [&pretty, &one_line, &as_jsonl] {
        fails_with(
            dir.path(),
            &[p],
            &[],
            &["it is a JSON array", "not JSON Lines", "jq -c '.[]'"],
            25,
        );
    }
}

fn body_lines(n: usize, from: usize) -> Vec<String> {
    (from..from + n)
        .map(|i| {
            json!({"id": format!("b{i}"), "headline": format!("Headline {i}"), "body": story(i)})
                .to_string()
        })
        .collect()
}

#[test]
fn another_text_field_fails_and_names_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let body = write_lines(dir.path(), "body.jsonl", &body_lines(1000, 0));
    fails_with(
        dir.path(),
        &[&body],
        &[],
        &[
            "body.jsonl: none of its 1000 lines is a document: the lines have fields \"body\", \"headline\", \"id\": use --text-field body",
            "body.jsonl:1: no \"text\" field",
            "995 more lines not shown, like: no \"text\" field",
        ],
        8,
    );
    // As the hint says.
    let kept = dir.path().join("kept.jsonl");
    let out = ok(run(&[
        "dedupe",
        s(&body),
        "--text-field",
        "body",
        "--out",
        s(&kept),
    ]));
    assert!(stderr(&out).contains("read 1000, kept"), "{}", stderr(&out));
    // One input of several with no document fails the run too, naming it.
    let good: Vec<String> = (0..50).map(|i| doc(&format!("g{i}"), &story(i))).collect();
    let good = write_lines(dir.path(), "good.jsonl", &good);
    std::fs::remove_file(&kept).unwrap();
    fails_with(
        dir.path(),
        &[&good, &body],
        &[],
        &[
            "body.jsonl: none of its 1000 lines is a document",
            "use --text-field body",
        ],
        8,
    );
    // The index commands read the same way: a build writes no index.
    let ndx = dir.path().join("b.ndx");
    let out = run(&["index", "build", s(&body), "-o", s(&ndx)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("use --text-field body"));
    assert!(!ndx.exists());
    assert_eq!(named(dir.path(), ".neardup-index-"), Vec::<String>::new());
}

#[test]
fn bad_lines_are_summarised_and_strict_stops_at_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = body_lines(1000, 0);
    lines.extend((0..100).map(|i| doc(&format!("g{i}"), &story(i))));
    lines.extend((0..20).map(|i| format!("{{\"id\": \"x{i}\", \"text\": ")));
    let mixed = write_lines(dir.path(), "mixed.jsonl", &lines);
    let kept = dir.path().join("kept.jsonl");
    let out = ok(run(&["dedupe", s(&mixed), "--out", s(&kept)]));
    let err = stderr(&out);
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("no \"text\" field"))
            .count(),
        6,
        "five shown and one summary:\n{err}"
    );
    assert!(err.contains("mixed.jsonl:5: no \"text\" field\n"), "{err}");
    assert!(!err.contains("mixed.jsonl:6: no"), "{err}");
    assert!(
        err.contains("neardup: 995 more lines not shown, like: no \"text\" field\n"),
        "{err}"
    );
    // Another kind of message is counted apart: columns differ only in numbers.
    assert!(err.contains("mixed.jsonl:1101: invalid JSON"), "{err}");
    assert!(
        err.contains("neardup: 15 more lines not shown, like: invalid JSON"),
        "{err}"
    );
    assert!(err.contains("read 1120, kept "), "{err}");
    assert!(err.contains(", rejected 1020 "), "{err}");
    assert!(err.lines().count() <= 16, "{err}");
    // --strict still stops at the first.
    std::fs::remove_file(&kept).unwrap();
    let out = run(&["dedupe", "--strict", s(&mixed), "--out", s(&kept)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.trim_end().ends_with("mixed.jsonl:1: no \"text\" field"),
        "{err}"
    );
    assert!(!kept.exists());
}

#[test]
fn inputs_with_nothing_wrong_still_run() {
    let dir = tempfile::tempdir().unwrap();
    // The same file twice: the second gives no document, but only repeated ids: not an error.
    let good: Vec<String> = (0..40).map(|i| doc(&format!("g{i}"), &story(i))).collect();
    let good = write_lines(dir.path(), "good.jsonl", &good);
    let out = ok(run(&["cluster", s(&good), s(&good), "-o", "/dev/null"]));
    assert!(stderr(&out).contains("rejected 40"), "{}", stderr(&out));
    // An empty input and a blank one read nothing and reject nothing.
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, b"\n\n").unwrap();
    ok(run(&["cluster", s(&empty), "-o", "/dev/null"]));
}
