//! Helpers shared by the integration test binaries: running the real binary, reading its
//! outputs, and making small corpora. Each test binary uses what it needs (`mod common;`).

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `neardup` binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neardup"))
}

/// Runs `neardup` with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run neardup")
}

/// A path as a `&str` for command arguments.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every line of `bytes` parsed as JSON.
pub fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// `bytes` zstd-compressed.
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// A story of about 60 words, different for each `i`.
pub fn story(i: usize) -> String {
    const WORDS: [&str; 32] = [
        "government",
        "minister",
        "said",
        "tuesday",
        "market",
        "prices",
        "rose",
        "percent",
        "after",
        "talks",
        "officials",
        "tokyo",
        "seoul",
        "reported",
        "police",
        "court",
        "election",
        "trade",
        "rates",
        "bank",
        "company",
        "shares",
        "fell",
        "growth",
        "exports",
        "energy",
        "workers",
        "union",
        "strike",
        "budget",
        "deficit",
        "central",
    ];
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    for _ in 0..60 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        out.push(WORDS[(x >> 40) as usize % WORDS.len()]);
    }
    out.join(" ")
}

/// One JSON Lines record with an id and a text.
pub fn doc(id: &str, text: &str) -> String {
    json!({"id": id, "text": text}).to_string()
}

/// Lines joined, each ending with a newline.
pub fn lines_of(v: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in v {
        out.extend_from_slice(l.as_bytes());
        out.push(b'\n');
    }
    out
}

/// Writes `lines` to `dir/name` and returns the path.
pub fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines_of(lines)).unwrap();
    p
}

/// A corpus of `n` generated documents (about 2.9 KB each) written by `neardup gen`.
pub fn generated(dir: &Path, n: u64) -> PathBuf {
    let p = dir.join(format!("gen-{n}.jsonl"));
    let out = run(&["gen", "--docs", &n.to_string(), "--seed", "5", "-o", s(&p)]);
    assert!(out.status.success(), "{}", stderr(&out));
    p
}

/// The clusters of a cluster file as sets of member ids, with their canonical member.
pub fn cluster_sets(out: &[u8]) -> BTreeSet<(String, BTreeSet<String>)> {
    json_lines(out)[1..]
        .iter()
        .map(|c| {
            let ids = c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string())
                .collect();
            (c["canonical"].as_str().unwrap().to_string(), ids)
        })
        .collect()
}

/// The names in `dir`, sorted (to show what a run left or committed).
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Whether tests that need an outside tool must fail instead of skipping (CI sets `CI=true`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips a test whose tool is missing, with a message; under CI it fails instead, so a
/// missing tool never passes silently there.
pub fn skip_or_fail(why: &str) {
    assert!(!in_ci(), "CI=true, so this cannot be skipped: {why}");
    eprintln!("skipped: {why}");
}

/// Headless Chromium (`NEARDUP_CHROMIUM`, else Debian's `chromium`), or `None` after saying
/// why the test is skipped (a failure under CI).
pub fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("NEARDUP_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
        Some(PathBuf::from("/usr/bin/chromium-browser")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        skip_or_fail("no chromium found (apt-get install chromium, or set NEARDUP_CHROMIUM)");
    }
    found
}

/// Runs headless Chromium on `url` with `args` (e.g. `--dump-dom`) and returns stdout.
pub fn browse(browser: &Path, url: &str, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1200,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
