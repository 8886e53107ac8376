//! The persistent index through the real binary: build, add and query round trip against
//! clustering everything at once, damaged files, parameter mismatches and killed adds.

mod common;

use common::{bin, generated_parts, index_stats, json_lines, ok, run, s};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (new id, archive id, similarity, containment) of every match in query output.
fn matches(out: &[u8]) -> BTreeSet<(String, String, String, String)> {
    let mut set = BTreeSet::new();
    for r in json_lines(out) {
        for m in r["matches"].as_array().unwrap() {
            set.insert((
                r["id"].as_str().unwrap().to_string(),
                m["id"].as_str().unwrap().to_string(),
                format!("{:.4}", m["jaccard"].as_f64().unwrap()),
                format!("{:.4}", m["containment"].as_f64().unwrap()),
            ));
        }
    }
    set
}

/// The verified pairs `cluster` finds on all files together, between a document of the last
/// file and one of the others, as (new id, archive id, jaccard, containment).
fn expected(
    files: &[PathBuf],
    config: &neardup::Config,
) -> BTreeSet<(String, String, String, String)> {
    let mut inputs = neardup::input::InputSet::open(files).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let outcome = neardup::run(&mut inputs, config, &pool, &mut |_| {}).unwrap();
    let last = files.len() as u32 - 1;
    let mut set = BTreeSet::new();
    for p in &outcome.pairs {
        let (a, b) = (&outcome.meta[p.a as usize], &outcome.meta[p.b as usize]);
        let (new, old) = match (a.location.input == last, b.location.input == last) {
            (false, true) => (b, a),
            (true, false) => (a, b),
            _ => continue,
        };
        set.insert((
            new.id.clone(),
            old.id.clone(),
            format!("{:.4}", (p.jaccard * 1e4).round() / 1e4),
            format!("{:.4}", (p.containment * 1e4).round() / 1e4),
        ));
    }
    set
}

#[test]
fn build_add_query_equals_clustering_everything() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(
        dir.path(),
        2400,
        5,
        &[("a.jsonl", 1500), ("b.jsonl", 500), ("c.jsonl", 400)],
    );
    let ndx = dir.path().join("news.ndx");
    ok(run(&["index", "build", s(&files[0]), "-o", s(&ndx)]));
    ok(run(&["index", "add", s(&ndx), s(&files[1])]));
    let out = ok(run(&["index", "query", s(&ndx), s(&files[2])]));
    let recs = json_lines(&out.stdout);
    assert_eq!(recs.len(), 400, "one record per new article");
    let got = matches(&out.stdout);
    let want = expected(&files, &neardup::Config::default());
    assert!(
        want.len() > 50,
        "the corpus has copies across the split: {}",
        want.len()
    );
    assert_eq!(got, want);
    // Matches are best first and carry the archive metadata.
    for r in &recs {
        let sims: Vec<f64> = r["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["jaccard"].as_f64().unwrap())
            .collect();
        assert!(sims.windows(2).all(|w| w[0] >= w[1]));
        for m in r["matches"].as_array().unwrap() {
            assert!(m["outlet"].is_string() && m["date"].is_string());
        }
    }
    // The same with one thread, and in the text form.
    let one = ok(run(&[
        "index",
        "query",
        "--threads",
        "1",
        s(&ndx),
        s(&files[2]),
    ]));
    assert_eq!(one.stdout, out.stdout);
    let text = ok(run(&[
        "index",
        "query",
        "--format",
        "text",
        s(&ndx),
        s(&files[2]),
    ]));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("jaccard") && text.contains("copies"));

    // Querying archive articles: flagged, never matched with themselves.
    let again = ok(run(&["index", "query", s(&ndx), s(&files[1])]));
    for r in json_lines(&again.stdout) {
        assert_eq!(r["in_index"], true);
        let id = r["id"].as_str().unwrap();
        assert!(r["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["id"] != id));
    }

    // Stats.
    let st = index_stats(&ndx);
    assert_eq!(st["documents"], 2000);
    assert_eq!(st["segments"], 2);
    assert_eq!(st["generation"], 2);
    assert_eq!(st["params"]["seed"], 1);
}

#[test]
fn stored_parameters_are_used_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(dir.path(), 900, 8, &[("a.jsonl", 700), ("c.jsonl", 200)]);
    let ndx = dir.path().join("j.ndx");
    ok(run(&[
        "index",
        "build",
        s(&files[0]),
        "-o",
        s(&ndx),
        "--mode",
        "jaccard",
        "--seed",
        "7",
        "--threshold",
        "0.7",
    ]));
    // No parameters given: the index's are used.
    let out = ok(run(&["index", "query", s(&ndx), s(&files[1])]));
    let config = neardup::Config {
        definition: neardup::Definition {
            mode: neardup::definition::Mode::Jaccard,
            seed: 7,
            threshold: 0.7,
            ..Default::default()
        },
        ..neardup::Config::default()
    };
    let want = expected(&files, &config);
    assert!(!want.is_empty());
    assert_eq!(matches(&out.stdout), want);
    // The same values given: fine.
    ok(run(&[
        "index",
        "query",
        "--seed",
        "7",
        "--mode",
        "jaccard",
        s(&ndx),
        s(&files[1]),
    ]));
    // Different values: a clear error, exit code 2, nothing on stdout.
    for (args, msg) in [
        (
            vec!["--seed", "2"],
            "index was built with --seed 7, got --seed 2",
        ),
        (
            vec!["--mode", "containment"],
            "index was built with --mode jaccard, got --mode containment",
        ),
        (
            vec!["-t", "0.8"],
            "index was built with --threshold 0.7, got --threshold 0.8",
        ),
        (
            vec!["--num-perm", "64"],
            "index was built with --num-perm 128, got --num-perm 64",
        ),
        (vec!["--shingle", "words:3"], "--shingle"),
    ] {
        for cmd in ["query", "add"] {
            let mut a = vec!["index", cmd];
            a.extend(&args);
            a.extend([s(&ndx), s(&files[1])]);
            let out = run(&a);
            assert_eq!(out.status.code(), Some(2), "{a:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(msg), "{a:?}: {err}");
            assert!(out.stdout.is_empty());
        }
    }
    let st = ok(run(&["index", "stats", "--format", "json", s(&ndx)]));
    let st: Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(st["documents"], 700, "a refused add added nothing");
}

#[test]
fn ids_are_unique_across_build_and_add() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(dir.path(), 300, 9, &[("a.jsonl", 200), ("b.jsonl", 100)]);
    let ndx = dir.path().join("i.ndx");
    ok(run(&["index", "build", s(&files[0]), "-o", s(&ndx)]));
    // Building over an existing index is refused.
    let again = run(&["index", "build", s(&files[0]), "-o", s(&ndx)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // Adding archive articles again: each is a rejected line, the run goes on.
    let both = dir.path().join("both.jsonl");
    let mut text = std::fs::read_to_string(&files[1]).unwrap();
    text.push_str(
        std::fs::read_to_string(&files[0])
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    );
    text.push('\n');
    std::fs::write(&both, text).unwrap();
    let out = ok(run(&["index", "add", s(&ndx), s(&both)]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("both.jsonl:101: id \"gen-0\" is already in the index"),
        "{err}"
    );
    assert!(
        err.contains("read 101, added 100 (0 short), rejected 1"),
        "{err}"
    );
    let strict = run(&["index", "add", "--strict", s(&ndx), s(&files[1])]);
    assert_eq!(strict.status.code(), Some(2));
    let st: Value =
        serde_json::from_slice(&ok(run(&["index", "stats", "--format", "json", s(&ndx)])).stdout)
            .unwrap();
    assert_eq!(st["documents"], 300);
}

/// Flips one byte at `at` of `path` (a copy of the index is made by the caller).
fn flip(path: &Path, at: u64) {
    let mut b = std::fs::read(path).unwrap();
    b[at as usize] ^= 0x5a;
    std::fs::write(path, b).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn segment_of(ndx: &Path) -> PathBuf {
    std::fs::read_dir(ndx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "nds"))
        .unwrap()
}

#[test]
fn damaged_files_are_errors_never_answers() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(dir.path(), 500, 11, &[("a.jsonl", 400), ("c.jsonl", 100)]);
    let ndx = dir.path().join("d.ndx");
    ok(run(&["index", "build", s(&files[0]), "-o", s(&ndx)]));
    // Querying the archive itself reads every document's set and metadata.
    let query = |n: &Path| run(&["index", "query", s(n), s(&files[0]), s(&files[1])]);
    let clean = ok(query(&ndx));
    let len = std::fs::metadata(segment_of(&ndx)).unwrap().len();
    let mut detected_by_query = 0;
    let offsets: Vec<u64> = (0..24).map(|i| 3 + i * (len - 7) / 23).collect();
    for (i, &at) in offsets.iter().enumerate() {
        let copy = dir.path().join(format!("flip{i}.ndx"));
        copy_dir(&ndx, &copy);
        flip(&segment_of(&copy), at);
        let out = query(&copy);
        if out.status.success() {
            assert_eq!(
                out.stdout, clean.stdout,
                "byte {at} flipped: a different answer"
            );
        } else {
            assert_eq!(out.status.code(), Some(2));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(".nds: ")
                    && (err.contains("damaged") || err.contains("not a neardup")),
                "byte {at}: {err}"
            );
            assert!(out.stdout.is_empty(), "no partial answer");
            detected_by_query += 1;
        }
        // A full check finds every flipped byte.
        let v = run(&["index", "stats", "--verify", s(&copy)]);
        assert_eq!(
            v.status.code(),
            Some(2),
            "byte {at} flipped, --verify passed"
        );
    }
    assert!(detected_by_query >= 20, "{detected_by_query} of 24");
    // The manifest.
    let copy = dir.path().join("manifest.ndx");
    copy_dir(&ndx, &copy);
    flip(&copy.join("MANIFEST"), 40);
    let out = query(&copy);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MANIFEST: manifest checksum mismatch"));
    // Truncated segment, by one byte and by half.
    for cut in [1, len / 2] {
        let copy = dir.path().join(format!("cut{cut}.ndx"));
        copy_dir(&ndx, &copy);
        let seg = segment_of(&copy);
        let f = std::fs::OpenOptions::new().write(true).open(&seg).unwrap();
        f.set_len(len - cut).unwrap();
        let out = query(&copy);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("truncated"), "{err}");
    }
    // A missing segment, and a directory that is no index.
    let copy = dir.path().join("missing.ndx");
    copy_dir(&ndx, &copy);
    std::fs::remove_file(segment_of(&copy)).unwrap();
    assert_eq!(query(&copy).status.code(), Some(2));
    let out = query(dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a neardup index (no MANIFEST)"));
}

#[test]
fn a_killed_add_leaves_the_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let files = generated_parts(
        dir.path(),
        1200,
        13,
        &[("a.jsonl", 600), ("b.jsonl", 400), ("c.jsonl", 200)],
    );
    let ndx = dir.path().join("k.ndx");
    ok(run(&["index", "build", s(&files[0]), "-o", s(&ndx)]));
    let query = || ok(run(&["index", "query", s(&ndx), s(&files[2])])).stdout;
    let before = query();
    // Killed after the segment is written, before the manifest is replaced.
    let out = bin()
        .args(["index", "add", s(&ndx), s(&files[1])])
        .env("NEARDUP_TEST_ABORT_BEFORE_COMMIT", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let segments = || {
        std::fs::read_dir(&ndx)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "nds")
            })
            .count()
    };
    assert_eq!(segments(), 2, "the unfinished segment is on disk");
    assert_eq!(query(), before, "the index answers as before");
    let st: Value = index_stats(&ndx);
    assert_eq!(st["documents"], 600);
    // A later add works, and removes what the killed one left.
    let out = ok(run(&["index", "add", s(&ndx), s(&files[1])]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("removed 1 unfinished segment"));
    assert_eq!(segments(), 2);
    let after = query();
    assert_eq!(
        matches(&after),
        expected(&files, &neardup::Config::default())
    );
    assert_ne!(after, before);

    // A real kill at some moment of a larger add: the index is then either as before or as
    // after, never in between, and the next add works.
    let big = generated_parts(dir.path(), 6000, 14, &[("big.jsonl", 6000)]);
    let renamed = std::fs::read_to_string(&big[0])
        .unwrap()
        .replace("\"id\":\"gen-", "\"id\":\"big-");
    std::fs::write(&big[0], renamed).unwrap();
    let docs_before = 1000;
    for delay_ms in [30, 120, 400] {
        let mut child = bin()
            .args(["index", "add", "--quiet", s(&ndx), s(&big[0])])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let st: Value = index_stats(&ndx);
        let docs = st["documents"].as_u64().unwrap();
        if status.success() {
            assert_eq!(docs, docs_before + 6000);
            break; // finished before the kill: nothing more to try
        }
        assert_eq!(docs, docs_before, "killed after {delay_ms} ms");
        assert_eq!(query(), after);
    }
    let _ = run(&["index", "add", "--quiet", s(&ndx), s(&big[0])]);
    let st: Value = index_stats(&ndx);
    assert_eq!(st["documents"], docs_before + 6000);
}
