//! Helpers shared by the integration test binaries (ripgrep's `tests/util` in spirit): each
//! binary says `mod common;` and uses what it needs.
//!
//! Owns: running the real binary (`run`, `ok`, `run_ok`, `run_with_stdin`, `run_limited`,
//! `closed_early`), where the seed
//! articles are, skipping a test whose outside tool is missing; `corpus` makes inputs (invented
//! stories, JSON Lines files, generated archives, compressed bytes); `records` reads what
//! `neardup` writes (JSON lines, a cluster file's header, clusters and members); `chromium`
//! renders a page in a headless browser.
//! Must not: call the library (tests of the library build their own runs, so that a change of
//! its API touches only them), or hide an assertion a test makes: helpers check only that a
//! run succeeded, and say so in their names (`ok`, `run_ok`).

#![allow(dead_code, unused_imports)]

mod chromium;
mod corpus;
mod records;

pub use chromium::{browse, chromium};
pub use corpus::*;
pub use records::*;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `neardup` binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neardup"))
}

/// Runs `neardup` with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run neardup")
}

/// `out`, after asserting that the run succeeded (its standard error is the message).
pub fn ok(out: Output) -> Output {
    assert!(out.status.success(), "neardup failed: {}", stderr(&out));
    out
}

/// Runs `neardup` with `args`, asserts that it succeeded and returns its output.
pub fn run_ok(args: &[&str]) -> Output {
    ok(run(args))
}

/// Runs `neardup` with `args` and `data` on its standard input, and returns its output.
pub fn run_with_stdin(args: &[&str], data: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run neardup");
    child.stdin.take().unwrap().write_all(data).unwrap();
    child.wait_with_output().unwrap()
}

/// Whether `prlimit` (util-linux) runs here; when it is missing, says that the test is skipped
/// (a failure under CI).
pub fn have_prlimit() -> bool {
    let Ok(probe) = Command::new("prlimit").arg("--version").output() else {
        skip_or_fail("prlimit (util-linux) not found");
        return false;
    };
    assert!(probe.status.success(), "prlimit --version failed");
    true
}

/// Runs `neardup` with `args` under `prlimit` with the resource limit `limit` (such as
/// `--as=BYTES` or `--cpu=SECONDS`), and returns its output.
pub fn run_limited(limit: &str, args: &[&str]) -> Output {
    Command::new("prlimit")
        .arg(limit)
        .arg(env!("CARGO_BIN_EXE_neardup"))
        .args(args)
        .output()
        .expect("run prlimit")
}

/// Runs `neardup` with `args`, reads the first `bytes` bytes of its standard output, closes
/// it, and returns the output of the run (as a reader that stops early, like `head`, leaves it).
pub fn closed_early(args: &[&str], bytes: usize) -> Output {
    let mut child = bin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run neardup");
    let mut first = vec![0u8; bytes];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// A path as a `&str` for command arguments.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The seed articles (`data/seed-articles.jsonl`), by their absolute path.
pub fn seed_articles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/seed-articles.jsonl")
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

/// `neardup index stats --format json --verify` of `ndx`: the index checked byte by byte, then
/// its figures.
pub fn index_stats(ndx: &Path) -> serde_json::Value {
    serde_json::from_slice(
        &ok(run(&[
            "index",
            "stats",
            "--format",
            "json",
            "--verify",
            s(ndx),
        ]))
        .stdout,
    )
    .unwrap()
}
