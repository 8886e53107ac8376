//! Issue 21, case 14 (mass syndication): a wire story carried verbatim by a thousand outlets
//! costs linear work. Identical documents are handled as classes (`src/copies.rs`); the
//! counts, clusters and scores are those of the pairs of documents one by one. Speed is
//! measured by hand (docs/reliability.md, "Mass syndication"), never here: what these tests
//! check is the result, the bounded memory, and that the collapse happened.

mod common;

use common::{doc, json_lines, members, ok, run, s, stderr, story, write_lines};
use serde_json::Value;
use std::collections::BTreeSet;

/// `copies` verbatim copies of each of `stories` stories (of about 180 words), copies of one
/// story interleaved with the others' as a feed would carry them; each copy its own outlet.
fn verbatim(stories: usize, copies: usize) -> Vec<String> {
    let texts: Vec<String> = (0..stories).map(long_story).collect();
    let mut lines = Vec::new();
    for c in 0..copies {
        for (i, text) in texts.iter().enumerate() {
            let mut v: Value = serde_json::from_str(&doc(&format!("s{i}-c{c}"), text)).unwrap();
            v["outlet"] = format!("outlet {c}").into();
            lines.push(v.to_string());
        }
    }
    lines
}

/// A story of about 180 words, different for each `i`.
fn long_story(i: usize) -> String {
    format!(
        "{} {} {}",
        story(3 * i + 1000),
        story(3 * i + 1001),
        story(3 * i + 1002)
    )
}

/// `copies` copies of one story of about 180 words, each with two words replaced by words of
/// its own.
fn edited(copies: usize) -> Vec<String> {
    let words: Vec<String> = long_story(7).split(' ').map(str::to_string).collect();
    (0..copies)
        .map(|c| {
            let mut w = words.clone();
            let n = w.len();
            w[(c * 7919) % n] = format!("edit{c}a");
            w[(c * 104_729 + 13) % n] = format!("edit{c}b");
            doc(&format!("e{c}"), &w.join(" "))
        })
        .collect()
}

/// Clusters as `(size, [(member id, jaccard)])`.
type Clusters = Vec<(u64, Vec<(String, f64)>)>;

/// The header of a cluster file and its clusters.
fn clusters_of(out: &[u8]) -> (Value, Clusters) {
    let v = json_lines(out);
    let clusters = v[1..]
        .iter()
        .map(|c| {
            let scored = members(c)
                .iter()
                .map(|m| {
                    (
                        m["id"].as_str().unwrap().to_string(),
                        m["jaccard"].as_f64().unwrap(),
                    )
                })
                .collect();
            (c["size"].as_u64().unwrap(), scored)
        })
        .collect();
    (v[0].clone(), clusters)
}

#[test]
fn verbatim_copies_are_one_cluster_per_story_and_one_comparison_each() {
    let dir = tempfile::tempdir().unwrap();
    let (stories, copies) = (40, 300);
    let input = write_lines(dir.path(), "wire.jsonl", &verbatim(stories, copies));
    let out = dir.path().join("out.jsonl");
    let o = run(&["cluster", s(&input), "-o", s(&out), "-v"]);
    let o = ok(o);
    let (header, clusters) = clusters_of(&std::fs::read(&out).unwrap());
    assert_eq!(clusters.len(), stories);
    for (size, members) in &clusters {
        assert_eq!(*size as usize, copies);
        assert_eq!(members.len(), copies);
        let story: BTreeSet<&str> = members
            .iter()
            .map(|(id, _)| id.split('-').next().unwrap())
            .collect();
        assert_eq!(story.len(), 1, "one story per cluster");
        assert!(members.iter().all(|(_, j)| *j == 1.0), "verified Jaccard 1");
    }
    // The counts are those of the pairs of documents: every pair of copies of a story.
    let pairs = (stories * copies * (copies - 1) / 2) as u64;
    let c = &header["counts"];
    assert_eq!(c["verified_pairs"], pairs, "{c}");
    assert_eq!(c["candidate_pairs"], pairs, "{c}");
    assert_eq!(c["duplicates"], (stories * (copies - 1)) as u64);
    // ... found as one group of identical documents per story, each verified as a handful of
    // class pairs, not as 44,850 pairs.
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.starts_with("neardup: identical documents:"))
        .unwrap_or_else(|| panic!("no count of identical documents: {err}"));
    let want = format!(
        "neardup: identical documents: {stories} groups, {} documents paired as their group's first; verified pairs {pairs} as",
        stories * (copies - 1)
    );
    assert!(line.starts_with(&want), "{line}");
    let class_pairs: usize = line
        .rsplit(" as ")
        .next()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(class_pairs <= 3 * stories, "{line}");

    // dedupe keeps one copy of each story.
    let kept = dir.path().join("kept.jsonl");
    ok(run(&["dedupe", s(&input), "-o", s(&kept), "-q"]));
    let kept = json_lines(&std::fs::read(&kept).unwrap());
    assert_eq!(kept.len(), stories);
    let ids: BTreeSet<String> = kept
        .iter()
        .map(|k| {
            k["id"]
                .as_str()
                .unwrap()
                .split('-')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), stories);
}

/// Identical and near copies mixed: the clusters and counts with identical documents
/// collapsed equal those of the plain path (`--cross-outlet-only` pairs documents one by one;
/// every copy has its own outlet, so it ignores no pair).
#[test]
fn collapsed_copies_give_the_clusters_and_counts_of_the_plain_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = verbatim(6, 60);
    lines.extend(edited(150));
    // A few verbatim copies of the edited story, and of one of its edited copies.
    for c in 0..5 {
        let mut e = edited(1);
        e[0] = e[0].replace("\"e0\"", &format!("\"same-e0-{c}\""));
        lines.push(e.remove(0));
        lines.push(doc(&format!("orig-{c}"), &long_story(7)));
    }
    let input = write_lines(dir.path(), "mixed.jsonl", &lines);
    for mode in ["containment", "jaccard"] {
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        ok(run(&[
            "cluster",
            s(&input),
            "-o",
            s(&a),
            "--mode",
            mode,
            "-q",
        ]));
        let plain = ["cluster", s(&input), "-o", s(&b), "--mode", mode, "-q"];
        ok(run(&[&plain[..], &["--cross-outlet-only"]].concat()));
        let (ha, ca) = clusters_of(&std::fs::read(&a).unwrap());
        let (hb, cb) = clusters_of(&std::fs::read(&b).unwrap());
        assert_eq!(ha["counts"], hb["counts"], "{mode}");
        assert_eq!(ca, cb, "{mode}");
        assert_eq!(
            common::cluster_sets(&std::fs::read(&a).unwrap()),
            common::cluster_sets(&std::fs::read(&b).unwrap())
        );
    }
}

/// 999 verbatim copies of 20 stories just under a bucket cap of 1,000 (the old default, where
/// every bucket was paired all against all: 10 million pairs a band) run in a bounded address
/// space: identical documents cost one comparison whatever the cap.
#[test]
fn copies_just_under_the_bucket_cap_run_in_bounded_memory() {
    if !common::have_prlimit() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = write_lines(dir.path(), "wire.jsonl", &verbatim(20, 999));
    let out = dir.path().join("out.jsonl");
    ok(common::run_limited(
        &format!("--as={}", 1u64 << 30),
        &[
            "cluster",
            s(&input),
            "-o",
            s(&out),
            "-q",
            "--threads",
            "2",
            "--max-bucket",
            "1000",
        ],
    ));
    let (header, clusters) = clusters_of(&std::fs::read(&out).unwrap());
    assert_eq!(clusters.len(), 20);
    assert!(clusters.iter().all(|(size, _)| *size == 999));
    assert_eq!(header["counts"]["verified_pairs"], 20 * 999 * 998 / 2);
}

/// Copies of one story, each with two words edited: no two identical, every two of them
/// duplicates under the default rule (checked by brute force over every pair: Jaccard falls
/// just under 0.8 for some, containment stays above), so one cluster of all of them.
#[test]
fn copies_with_edited_words_cluster_as_brute_force_says() {
    let dir = tempfile::tempdir().unwrap();
    let n = 1200;
    let lines = edited(n);
    let config = neardup::Config::default();
    let rule = neardup::verify::Rule::from_config(&config);
    let sets: Vec<Vec<u64>> = lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let mut h =
                neardup::pipeline::shingle_text(v["text"].as_str().unwrap(), &config).hashes;
            h.sort_unstable();
            h.dedup();
            h
        })
        .collect();
    let distinct: BTreeSet<&Vec<u64>> = sets.iter().collect();
    assert_eq!(distinct.len(), n, "no two copies identical");
    for (i, a) in sets.iter().enumerate() {
        for b in &sets[i + 1..] {
            let (j, k) = neardup::verify::jaccard_and_containment(a, b);
            assert!(
                rule.accepts(j, k, a.len().min(b.len())),
                "every pair a duplicate: {j} {k}"
            );
        }
    }
    let input = write_lines(dir.path(), "edited.jsonl", &lines);
    let out = dir.path().join("out.jsonl");
    // A bucket cap under the number of copies: oversized buckets pair as a star.
    for cap in ["1000", "5000"] {
        ok(run(&[
            "cluster",
            s(&input),
            "-o",
            s(&out),
            "-q",
            "--max-bucket",
            cap,
        ]));
        let (header, clusters) = clusters_of(&std::fs::read(&out).unwrap());
        assert_eq!(clusters.len(), 1, "{cap}: {}", header["counts"]);
        let ids: BTreeSet<String> = clusters[0].1.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(ids, (0..n).map(|c| format!("e{c}")).collect());
    }
}

#[test]
fn edited_copies_cost_linear_work_in_candidate_pairs() {
    // Copies that are near but not identical fill LSH buckets of hundreds: each bucket over
    // --max-bucket (default 64) is linked as a star, so twice the copies make about twice the
    // candidate pairs, not four times.
    let dir = tempfile::tempdir().unwrap();
    let mut pairs = Vec::new();
    for n in [400, 800] {
        let input = write_lines(dir.path(), &format!("e{n}.jsonl"), &edited(n));
        let out = dir.path().join(format!("e{n}.out.jsonl"));
        ok(run(&["cluster", s(&input), "-o", s(&out), "-q"]));
        let (header, clusters) = clusters_of(&std::fs::read(&out).unwrap());
        assert_eq!(clusters.len(), 1, "{n}: {}", header["counts"]);
        let candidates = header["counts"]["candidate_pairs"].as_u64().unwrap();
        let bands = header["params"]["bands"].as_u64().unwrap();
        let cap = header["params"]["max_bucket"].as_u64().unwrap();
        assert!(
            candidates <= n as u64 * bands * cap / 2,
            "{n} copies: {candidates} candidate pairs, over the linear bound"
        );
        pairs.push(candidates);
    }
    assert!(
        pairs[1] * 2 <= pairs[0] * 5,
        "candidate pairs grow faster than the copies: {pairs:?}"
    );
}
