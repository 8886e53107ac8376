//! The Spark path against the local path: a seeded corpus (syndication clusters, cut copies,
//! drifting chains, an empty and a short document, a rejected line, an oversized LSH bucket,
//! an outlet's footer learned as boilerplate, pages of it with little real text, briefs of
//! under 100 characters contained in stories)
//! split into 4 shards, signed per shard with `neardup sign`, clustered by
//! `engines/spark/neardup_spark.py` at `local[2]` with 1 and 7 shuffle partitions, and reported
//! with `neardup report`: the cluster file and the CSV must equal `neardup cluster`'s byte for
//! byte; and the same under `--mode jaccard --cross-outlet-only --window 2` with 3 partitions;
//! the corpus signed as one shard gives the same clusters.
//!
//! Spark runs from `.venv-spark` (made by `.ci/run`). Without it the Spark test is skipped with
//! a message, except under `CI=true`, where it fails.

mod common;

use common::{cluster_ids, run, s, skip_or_fail, write_lines, XorShift};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Pseudo-English words, deterministic in `seed`.
fn words(seed: u64, n: usize) -> Vec<String> {
    let mut rng = XorShift::new(seed);
    (0..n)
        .map(|_| {
            let s = rng.next_u64();
            let r = (s % 1_000_000) as f64 / 1_000_000.0;
            format!("w{}", (3000f64.powf(r * r)) as u64)
        })
        .collect()
}

fn prose(seed: u64, n: usize) -> String {
    words(seed, n).join(" ")
}

/// The corpus, in input order, with a few lines that are not documents.
fn corpus() -> Vec<String> {
    let outlets = [
        "Herald",
        "Daily News",
        "The Times",
        "Gazette",
        "Courier",
        "AP",
    ];
    let mut docs: Vec<Value> = Vec::new();
    let date = |d: u32| format!("2024-03-{:02}", 1 + d % 28);
    // Unrelated stories.
    for i in 0..40u64 {
        docs.push(json!({"id": format!("story-{i}"), "outlet": outlets[i as usize % 5],
            "date": date(i as u32), "title": format!("Story {i}"), "text": prose(1000 + i, 150 + (i as usize * 13) % 200)}));
    }
    // Syndication: wire stories with copies (a word changed, a caption added, cut short).
    for s in 0..6u64 {
        let body = words(2000 + s, 260);
        let wire = format!("TOKYO (AP) -- {}", body.join(" "));
        docs.push(
            json!({"id": format!("wire-{s}"), "outlet": "AP", "date": date(s as u32),
            "title": format!("Wire {s} <b>&</b>"), "text": wire}),
        );
        let mut edited = body.clone();
        edited[100] = "changed".into();
        edited[200] = "edited".into();
        docs.push(
            json!({"id": format!("wire-{s}-edit"), "outlet": outlets[s as usize % 5],
            "date": date(s as u32 + 1), "text": format!("TOKYO (AP) -- {}", edited.join(" "))}),
        );
        docs.push(
            json!({"id": format!("wire-{s}-caption"), "outlet": outlets[(s as usize + 1) % 5],
            "text": format!("{} (AP Photo/Jane Doe) {}", body.join(" "), prose(2100 + s, 25))}),
        );
        if s % 2 == 0 {
            docs.push(
                json!({"id": format!("wire-{s}-cut"), "outlet": outlets[(s as usize + 2) % 5],
                "date": date(s as u32 + 3), "text": body[..100].join(" ")}),
            );
        }
    }
    // Drifting chains: each step slides a window of 300 words by 25.
    for c in 0..3u64 {
        let long = words(3000 + c, 300 + 25 * 12);
        for i in 0..12 {
            docs.push(
                json!({"id": format!("chain-{c}-{i}"), "outlet": outlets[i % 5],
                "text": long[i * 25..i * 25 + 300 - (i % 3) * 5].join(" ")}),
            );
        }
    }
    // An oversized bucket (with --max-bucket 5): eight copies of one story, the last words
    // changed in some, so that most bands are shared by all eight.
    let base = words(4000, 240);
    for i in 0..8 {
        let mut w = base.clone();
        if i % 2 == 1 {
            w[239] = format!("x{i}");
        }
        docs.push(
            json!({"id": format!("bucket-{i}"), "outlet": outlets[i % 5], "text": w.join(" ")}),
        );
    }
    // Contained copies: a cut copy of a feature whose lead a different feature shares, which
    // attaches to its own feature only; a footer brief contained in five articles that carry
    // the footer, two more briefs with the leads of two of them (one of them twice, a group
    // of identical documents), each attached to one article.
    let lead = words(5000, 80).join(" ");
    let second = words(5001, 15).join(" ");
    docs.push(json!({"id": "feature-a", "outlet": "Herald",
        "text": format!("{lead} {second} {}", prose(5002, 240))}));
    docs.push(json!({"id": "feature-b", "outlet": "Gazette",
        "text": format!("{lead} {}", prose(5003, 420))}));
    docs.push(
        json!({"id": "feature-cut", "outlet": "Courier", "text": format!("{lead} {second}")}),
    );
    let footer = words(5100, 120).join(" ");
    for i in 0..5u64 {
        let tail = match i {
            0 | 1 => format!("{} ", words(5201 + i, 8).join(" ")),
            _ => String::new(),
        };
        docs.push(
            json!({"id": format!("footer-article-{i}"), "outlet": outlets[i as usize % 5],
            "text": format!("{} {tail}{footer}", prose(5300 + i, 300))}),
        );
    }
    docs.push(json!({"id": "footer-brief", "outlet": "AP", "text": format!("Notice. {footer}")}));
    for (i, seed) in [(1usize, 5201u64), (2, 5202), (3, 5202)] {
        docs.push(
            json!({"id": format!("footer-brief-{i}"), "outlet": outlets[i % 5],
            "text": format!("{} {footer}", words(seed, 8).join(" "))}),
        );
    }
    // An outlet whose every page carries one footer (learned as its boilerplate): twelve
    // stories; pages that are the footer and the start of one of its stories (contained in
    // the story, but with little real text); a copy of one story in another outlet, without
    // the footer (contained, and real text).
    let ch9_footer = format!("Watch Channel 9 at six. {}", prose(6000, 70));
    let channel: Vec<Vec<String>> = (0..12u64).map(|i| words(6100 + i, 120)).collect();
    for (i, body) in channel.iter().enumerate() {
        docs.push(json!({"id": format!("ch9-{i}"), "outlet": "Channel 9",
            "text": format!("{} {ch9_footer}", body.join(" "))}));
    }
    for (i, body) in channel.iter().take(4).enumerate() {
        docs.push(
            json!({"id": format!("ch9-teaser-{i}"), "outlet": "Channel 9",
            "text": format!("{} {ch9_footer}", body[..16].join(" "))}),
        );
    }
    // Promotions: the footer and a few words; alike by Jaccard, but their real text is not
    // shared.
    for i in 0..8 {
        docs.push(
            json!({"id": format!("ch9-promo-{i}"), "outlet": "Channel 9",
            "text": format!("{} {ch9_footer}", prose(6200 + i, 4))}),
        );
    }
    docs.push(json!({"id": "ch9-5-copy", "outlet": "Herald", "text": channel[5].join(" ")}));
    // Briefs: the first 14 words of a story, contained in it but under 15 words.
    for i in 0..4 {
        docs.push(json!({"id": format!("brief-{i}"), "outlet": "Gazette",
            "text": words(1000 + i, 14).join(" ")}));
    }
    // A template: four companies' dividend notices, one text but for the company named in
    // the title and the lead (four items, apart by default), and a copy of one of them.
    let notice = words(7000, 60).join(" ");
    for (i, company) in ["Acme", "Borealis", "Castellan", "Dunmore"]
        .iter()
        .enumerate()
    {
        docs.push(
            json!({"id": format!("dividend-{i}"), "outlet": "Courier", "date": date(3),
            "title": format!("{company} Industries sets quarterly dividend"),
            "text": format!("{company} Industries said {notice}")}),
        );
    }
    docs.push(
        json!({"id": "dividend-0-copy", "outlet": "Gazette", "date": date(3),
        "title": "Acme Industries sets quarterly dividend",
        "text": format!("Acme Industries said {notice}")}),
    );
    // Empty and short documents, which never match, even each other.
    docs.push(json!({"id": "empty-1", "text": ""}));
    docs.push(json!({"id": "empty-2", "text": ""}));
    docs.push(json!({"id": "short", "text": "Breaking news."}));
    // Shuffle deterministically, so that clusters span shards.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let mut s = 12345u64;
    for i in (1..order.len()).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        order.swap(i, (s >> 33) as usize % (i + 1));
    }
    let mut lines: Vec<String> = order.iter().map(|&i| docs[i].to_string()).collect();
    lines.insert(17, r#"{"id": "no-text"}"#.into()); // rejected: no text field
    lines.insert(60, String::new()); // blank: skipped
    lines
}

/// Writes the corpus as `n` shard files; returns their paths.
fn write_shards(dir: &Path, n: usize) -> Vec<PathBuf> {
    let lines = corpus();
    let per = lines.len().div_ceil(n);
    lines
        .chunks(per)
        .enumerate()
        .map(|(i, chunk)| write_lines(dir, &format!("shard{i}.jsonl"), chunk))
        .collect()
}

fn spark_submit() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-spark/bin/spark-submit");
    if p.exists() {
        return Some(p);
    }
    skip_or_fail(&format!(
        "no {} (.ci/run installs PySpark there, or: python3 -m venv .venv-spark && .venv-spark/bin/pip install pyspark)",
        p.display()
    ));
    None
}

/// The rows of a Parquet file, as one record batch (the small files here).
fn parquet_rows(path: &Path) -> Vec<arrow_array::RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .with_batch_size(1 << 20)
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// `PATH` with `dir` first: spark-submit finds its Python (and so PySpark) on the `PATH`.
fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut dirs = vec![dir.to_path_buf()];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).unwrap()
}

/// One way of running both paths: the options that decide what a duplicate is, the same for
/// `cluster` and `sign`.
struct Case {
    name: &'static str,
    settings: &'static [&'static str],
}

const CASES: [Case; 2] = [
    Case {
        name: "containment",
        settings: &["--max-bucket", "5"],
    },
    Case {
        name: "jaccard",
        settings: &[
            "--mode",
            "jaccard",
            "--max-bucket",
            "5",
            "--cross-outlet-only",
            "--window",
            "2",
        ],
    },
];

#[test]
fn spark_clusters_equal_local_clusters() {
    let Some(submit) = spark_submit() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shards = write_shards(d, 4);
    let shard_args: Vec<&str> = shards.iter().map(|p| s(p)).collect();

    // Local runs, and each shard signed separately under the same settings.
    let mut spark_args: Vec<String> = Vec::new();
    let mut reports = Vec::new();
    for case in &CASES {
        let local_jsonl = d.join(format!("{}-local.jsonl", case.name));
        let local_csv = d.join(format!("{}-local.csv", case.name));
        let mut args = vec!["cluster", "-q"];
        args.extend(&shard_args);
        args.extend(case.settings);
        let local_parquet = local_csv.with_extension("parquet");
        args.extend(["-o", s(&local_jsonl), "--csv", s(&local_csv)]);
        args.extend(["--parquet", s(&local_parquet)]);
        ok(run(&args), "neardup cluster");
        let local = std::fs::read_to_string(&local_jsonl).unwrap();
        let header: Value = serde_json::from_str(local.lines().next().unwrap()).unwrap();
        let counts = &header["counts"];
        assert!(counts["clusters"].as_u64().unwrap() >= 8, "{counts}");
        assert!(counts["guard_splits"].as_u64().unwrap() > 0, "{counts}");
        assert!(
            counts["oversized_buckets"].as_u64().unwrap() > 0,
            "{counts}"
        );
        assert_eq!(counts["short"], 3, "{counts}");
        assert_eq!(counts["rejected"], 1, "{counts}");
        // The dividend notices are four items, the one copied kept with its copy.
        assert_eq!(counts["templates"], 1, "{counts}");
        assert_eq!(counts["template_items"], 4, "{counts}");
        if case.name == "jaccard" {
            assert!(counts["ignored_pairs"].as_u64().unwrap() > 0, "{counts}");
        } else {
            // The contained copies attached: the cut copy with its own feature only, and no
            // cluster of two articles that share only the footer.
            let clusters = cluster_ids(local.as_bytes());
            let with = |id: &str| clusters.iter().find(|c| c.iter().any(|m| m == id));
            let cut = with("feature-cut").expect("the cut copy in a cluster");
            assert!(cut.iter().any(|m| m == "feature-a"), "{cut:?}");
            assert!(!cut.iter().any(|m| m == "feature-b"), "{cut:?}");
            for c in &clusters {
                let articles = c.iter().filter(|m| m.starts_with("footer-article")).count();
                assert!(articles <= 1, "{c:?}");
            }
            assert!(with("footer-brief-2").is_some());
            // The corpus exercises the learned boilerplate and the real-text guard.
            let mut args = vec!["cluster", "-v"];
            args.extend(&shard_args);
            args.extend(case.settings);
            let verbose = d.join("verbose.jsonl");
            args.extend(["-o", s(&verbose)]);
            let err = String::from_utf8(ok(run(&args), "neardup cluster -v").stderr).unwrap();
            let line = err
                .lines()
                .find(|l| l.contains("learned as outlet boilerplate"))
                .unwrap_or_else(|| panic!("no containment candidates line in {err}"));
            let number = |before: &str| -> u64 {
                let head = line.split(before).next().unwrap();
                head.rsplit(' ').next().unwrap().parse().unwrap()
            };
            assert!(number(" sampled shingles learned") > 0, "{line}");
            assert!(number(" verified pairs whose shared text") > 0, "{line}");
        }
        let sig = d.join(format!("{}-sig", case.name));
        for (i, p) in shards.iter().enumerate() {
            let n = i.to_string();
            let mut args = vec!["spark", "sign", "-q", s(p), "--shard", &n, "--out", s(&sig)];
            args.extend(case.settings);
            ok(run(&args), "neardup sign");
        }
        // 1 and 7 shuffle partitions for the default rule, 3 for the other.
        let partitions: &[&str] = if case.name == "containment" {
            &["1", "7"]
        } else {
            &["3"]
        };
        for p in partitions {
            let out = d.join(format!("{}-out{p}", case.name));
            spark_args.extend([s(&sig).to_string(), s(&out).to_string(), p.to_string()]);
            reports.push((sig.clone(), out, local_jsonl.clone(), local_csv.clone()));
        }
    }

    // The same corpus in one file signed as one shard: the same clusters (by id).
    let whole = d.join("whole.jsonl");
    let text: String = shards
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    std::fs::write(&whole, text).unwrap();
    let (one_sig, one_out) = (d.join("one-sig"), d.join("one-out"));
    let mut args = vec![
        "spark",
        "sign",
        "-q",
        s(&whole),
        "--shard",
        "0",
        "--out",
        s(&one_sig),
    ];
    args.extend(CASES[0].settings);
    ok(run(&args), "neardup sign");
    spark_args.extend([s(&one_sig).to_string(), s(&one_out).to_string(), "2".into()]);

    // Spark: one session for every case.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("engines/spark/run_cases.py");
    let spark = Command::new(&submit)
        .args(["--master", "local[2]"])
        .args(["--conf", "spark.ui.enabled=false"])
        .args(["--conf", "spark.ui.showConsoleProgress=false"])
        .args([
            "--conf",
            "spark.sql.adaptive.coalescePartitions.enabled=false",
        ])
        .arg(&script)
        .args(&spark_args)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .env("PATH", path_with(submit.parent().unwrap()))
        .env("PYSPARK_PYTHON", submit.with_file_name("python"))
        .output()
        .expect("run spark-submit");
    let stderr = String::from_utf8_lossy(&spark.stderr);
    assert!(spark.status.success(), "spark-submit failed:\n{stderr}");
    // PySpark's launcher passes the Python driver's messages on standard output.
    let stdout = String::from_utf8_lossy(&spark.stdout);
    for line in stdout.lines().chain(stderr.lines()) {
        if line.starts_with("run_cases:") {
            eprintln!("{line}");
        }
    }

    // Each report equals the local one, byte for byte.
    for (sig, out, local_jsonl, local_csv) in &reports {
        let (jsonl, csv) = (out.join("report.jsonl"), out.join("report.csv"));
        let parquet = out.join("report.parquet");
        ok(
            run(&[
                "spark",
                "report",
                "-q",
                "--clusters",
                s(out),
                "--docs",
                s(sig),
                "-o",
                s(&jsonl),
                "--csv",
                s(&csv),
                "--parquet",
                s(&parquet),
            ]),
            "neardup report",
        );
        let local = std::fs::read_to_string(local_jsonl).unwrap();
        let got = std::fs::read_to_string(&jsonl).unwrap();
        for (i, (a, b)) in local.lines().zip(got.lines()).enumerate() {
            assert_eq!(a, b, "line {} of the report from {}", i + 1, out.display());
        }
        assert_eq!(local.lines().count(), got.lines().count());
        assert_eq!(
            std::fs::read_to_string(local_csv).unwrap(),
            std::fs::read_to_string(&csv).unwrap()
        );
        // The same rows in the Parquet view.
        assert_eq!(
            parquet_rows(&local_csv.with_extension("parquet")),
            parquet_rows(&parquet),
            "the Parquet view of the report from {}",
            out.display()
        );
    }
    let one = one_out.join("report.jsonl");
    ok(
        run(&[
            "spark",
            "report",
            "-q",
            "--clusters",
            s(&one_out),
            "--docs",
            s(&one_sig),
            "-o",
            s(&one),
        ]),
        "neardup report",
    );
    let local = std::fs::read_to_string(&reports[0].2).unwrap();
    let clusters = cluster_ids(local.as_bytes());
    assert!(clusters.len() >= 8);
    assert_eq!(
        cluster_ids(&std::fs::read(&one).unwrap()),
        clusters,
        "one shard and four shards"
    );
}

#[test]
fn sign_refuses_a_directory_signed_with_other_settings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shards = write_shards(d, 2);
    let sig = d.join("sig");
    ok(
        run(&[
            "spark",
            "sign",
            "-q",
            s(&shards[0]),
            "--shard",
            "0",
            "--out",
            s(&sig),
        ]),
        "sign",
    );
    let out = run(&[
        "spark",
        "sign",
        "-q",
        s(&shards[1]),
        "--shard",
        "1",
        "--out",
        s(&sig),
        "--threshold",
        "0.7",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("threshold: 0.7 here, 0.8 there"), "{err}");
    // Standard input cannot be re-read for the report.
    let out = run(&["spark", "sign", "-", "--shard", "2", "--out", s(&sig)]);
    assert_eq!(out.status.code(), Some(2));
    // The manifest holds the definition; the shard record counts every line.
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(sig.join("manifest.json")).unwrap()).unwrap();
    let def = &manifest["definition"];
    assert_eq!(def["threshold"], 0.8);
    assert_eq!(def["bands"], 14);
    assert_eq!(def["mode"], "containment");
    let info: Value = serde_json::from_str(
        &std::fs::read_to_string(sig.join("shards/shard-00000000.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        info["read"].as_u64().unwrap(),
        info["documents"].as_u64().unwrap() + info["rejected"].as_u64().unwrap()
    );
    // A report needs an engine's output.
    let out = run(&[
        "spark",
        "report",
        "--clusters",
        s(&d.join("none")),
        "--docs",
        s(&sig),
    ]);
    assert_eq!(out.status.code(), Some(2));
}
