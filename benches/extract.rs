//! Article extraction throughput, in pages per second: [`neardup::input::charset::decode`] and
//! [`neardup::input::html::extract`] over every page of `tests/pages/` (hand-written pages of
//! real-world shapes, 2-10 KB each, mostly page furniture by bytes, as real pages are), one
//! thread, the pages read into memory first.
//!
//! Run with `cargo bench --bench extract` (or `-- --warm-up-time 1 --measurement-time 5` for a
//! shorter pass). `benches/extractors.py` measures the same corpus end to end through
//! `neardup dedupe`, beside trafilatura, and scores the text of both.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use neardup::input::{charset, html};
use std::hint::black_box;
use std::path::Path;

/// The bytes of every `tests/pages/*.html`, sorted by name.
fn pages() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect()
}

fn bench(c: &mut Criterion) {
    let pages = pages();
    let bytes: usize = pages.iter().map(Vec::len).sum();
    eprintln!(
        "extract: {} pages, {} bytes ({} bytes a page on average)",
        pages.len(),
        bytes,
        bytes / pages.len().max(1)
    );
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.bench_function("decode_and_extract", |b| {
        b.iter(|| {
            for page in &pages {
                black_box(html::extract(&charset::decode(black_box(page), None, None)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
