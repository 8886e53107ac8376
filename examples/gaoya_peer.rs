//! gaoya 0.2.2 end to end as a program of its own, for `benches/peers.py`, which measures
//! each tool in its own process (wall and CPU time, peak memory):
//!
//! ```sh
//! cargo build --release --example gaoya_peer
//! target/release/examples/gaoya_peer CORPUS.jsonl PAIRS.tsv [THREADS]
//! ```
//!
//! It does what the `gaoya_from_file` function of the criterion bench `benches/peers.rs`
//! does (the same code, `benches/common/gaoya.rs`): the JSON Lines file read whole, the
//! `text` field of each line parsed in parallel, then gaoya with word 5-shingles, 128
//! permutations (`MinHasher32`), the bands and rows of neardup's default configuration and a
//! threshold of 0.8, on a rayon pool of `THREADS` threads (default 2), with the allocator the
//! `neardup` binary ships with. It writes the pairs found as `a<TAB>b` line numbers (from 0,
//! blank lines not counted, `a < b`) and prints its stage times as JSON on standard output.

#[path = "../benches/common/gaoya.rs"]
mod gaoya_peer;

use gaoya::minhash::MinHasher32;
use std::io::Write;

/// The `neardup` binary's allocator.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 || args.len() > 4 {
        eprintln!("usage: gaoya_peer CORPUS.jsonl PAIRS.tsv [THREADS]");
        std::process::exit(2);
    }
    let threads: usize = match args.get(3) {
        Some(t) => t.parse().unwrap_or_else(|_| {
            eprintln!("gaoya_peer: THREADS must be a number, got {t:?}");
            std::process::exit(2)
        }),
        None => 2,
    };
    let config = neardup::Config::default();
    let banding = config.validate().expect("default configuration");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool");
    let hasher = MinHasher32::new(128);
    let (read, found) = pool.install(|| {
        gaoya_peer::gaoya_from_file(
            std::path::Path::new(&args[1]),
            &hasher,
            banding.bands,
            banding.rows,
            5,
            config.definition.threshold,
        )
    });
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args[2]).expect("create PAIRS"));
    for (a, b) in &found.pairs {
        writeln!(out, "{a}\t{b}").expect("write PAIRS");
    }
    out.flush().expect("write PAIRS");
    let [sign, insert, query, group] = found.stages.map(|d| d.as_secs_f64());
    println!(
        "{{\"documents\": {}, \"read\": {:.3}, \"shingle+sign\": {sign:.3}, \
         \"insert\": {insert:.3}, \"query\": {query:.3}, \"pairs+groups\": {group:.3}}}",
        found.groups.len(),
        read.as_secs_f64()
    );
}
