//! The fuzz targets' checks on stable: every file of `tests/fuzz-regressions/<target>/` (inputs
//! that once crashed a target, minimized, and a few seeds) goes through the same function as
//! the cargo-fuzz target of that name (`fuzz/checks.rs`).

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn run_dir(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no regression inputs", dir.display());
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let r = std::panic::catch_unwind(|| check(&data));
        assert!(r.is_ok(), "{} fails its check", f.display());
    }
}

#[test]
fn jsonl() {
    run_dir("jsonl", checks::jsonl);
}

#[test]
fn read_gzip() {
    run_dir("read_gzip", checks::read_gzip);
}

#[test]
fn read_zstd() {
    run_dir("read_zstd", checks::read_zstd);
}

#[test]
fn scan_file() {
    run_dir("scan_file", checks::scan_file);
}

#[test]
fn normalize_shingle() {
    run_dir("normalize_shingle", checks::normalize_shingle);
}

#[test]
fn warc() {
    run_dir("warc", checks::warc);
}

#[test]
fn index_segment() {
    run_dir("index_segment", checks::index_segment);
}
