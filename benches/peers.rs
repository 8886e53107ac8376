//! neardup against gaoya 0.2.2 (the fastest Rust MinHash-LSH crate we know of), end to end,
//! on the same generated corpus with the same settings, so that anyone can reproduce the
//! speed ratio.
//!
//! # What it measures
//!
//! The corpus is made here with [`neardup::gen`] (deterministic: 20,000 news-like articles,
//! or `NEARDUP_PEERS_DOCS` of them, seed 1, 30% of them edited copies of an earlier story,
//! about 58 MB of JSON Lines for 20,000) and
//! written once to a temporary JSON Lines file, which then sits in the page cache: the figures
//! are CPU, not disk. Both tools use word 5-shingles, 128 MinHash permutations, a Jaccard
//! threshold of 0.8, the LSH bands and rows that `Config::default().validate()` returns (14
//! bands of 9 rows when this was written: 126 of the 128 slots are banded), and a rayon pool of
//! 2 threads. One group, `peers`, with seven functions:
//!
//! - `neardup_jaccard`: [`neardup::input::InputSet::open`] and [`neardup::pipeline::run`] on
//!   the file with `Definition { mode: Mode::Jaccard, ..Definition::default() }`: read and parse the
//!   JSON, normalize, shingle, sign, band, verify the exact Jaccard of the candidates on their
//!   shingle sets, cluster. This is the like-for-like comparison.
//! - `neardup_containment`: the same with the default configuration (containment mode, which
//!   also looks for copies cut short, and so does more work).
//! - `neardup_jaccard_permutations`: `neardup_jaccard` with `minhash: Scheme::Permutations`,
//!   classic MinHash with 128 hash functions per shingle as gaoya computes it, to tell the
//!   choice of algorithm apart from the rest.
//! - `gaoya`: on the texts held in memory, per text in parallel (`par_iter` in the pool): lower
//!   case, `gaoya::text::whitespace_split`, `gaoya::text::shingle_tokens(&tokens, 5)`,
//!   `MinHasher32::new(128).create_signature` (cut to the banded slots, since the index takes
//!   signatures of exactly `bands * rows`); then `MinHashIndex::par_bulk_insert` into an index
//!   of `VecContainer` ids (faster than the default `HashSetContainer` when nothing is
//!   removed), `MinHashIndex::par_bulk_query` of every signature (gaoya keeps a candidate when
//!   its MinHash estimate of Jaccard is at least 0.8), and the pairs found grouped with a
//!   union-find, as neardup clusters its pairs.
//! - `neardup_cluster` and `neardup_cluster_jaccard`: the whole `neardup cluster FILE -o OUT`
//!   command in this process, in the default and the Jaccard mode: the pipeline as above,
//!   then the cluster file, with the cluster members read again from the input, the wire
//!   attribution and reference copy of each cluster and the sentence and word changes of
//!   every copy, streamed by [`neardup::report::stream::write_report`] into a temporary file
//!   that is synced and renamed over the target. This is the "end to end"; gaoya
//!   makes no report, so this is neardup doing more work than gaoya.
//! - `gaoya_from_file`: `gaoya` with the reading of the same JSON Lines file a program
//!   built on gaoya needs: the file read whole, its lines parsed in parallel with
//!   `serde_json` (the text field only), then as `gaoya`. The end-to-end counterpart of the
//!   two above; `gaoya` alone is the stricter yardstick.
//!
//! Before the timed loops, each tool runs once: its time per stage and its recall go to
//! standard error. The recall is against the fair truth for a Jaccard comparison: the pairs of
//! documents that the generator's labels give the same story and whose exact word-5-shingle
//! Jaccard (neardup's normalization and shingles, [`neardup::verify::jaccard_and_containment`])
//! is at least 0.8. A true pair counts as found when both documents end in one group; the
//! recall of the pairs reported directly is printed too, and so are the pairs reported across
//! different stories. The bench fails unless each tool finds true pairs. The measurement time
//! of each function is set from its untimed run, so that 10 samples of one run fit.
//!
//! # How to run it
//!
//! `cargo bench --bench peers` (about two minutes once compiled, on 2 idle cores; making the
//! corpus and the truth takes a few seconds before the first measurement).
//! `NEARDUP_PEERS_DOCS=100000 cargo bench --bench peers` runs it at the size of the issue's
//! measurement (about 7 minutes). Add `-- gaoya` or
//! `-- neardup_jaccard` for one function. Anything else running on the machine (a build, a
//! test run) slows all of them unevenly: compare medians from one quiet run.
//!
//! # How to read the ratio
//!
//! Every function reports `Throughput::Bytes` as the size of the JSON Lines file, so the MB/s
//! figures compare directly: gaoya's median time over `neardup_jaccard`'s is how many times
//! faster neardup finds the same duplicates on the same machine (over `neardup_containment`'s:
//! how much faster it is while also finding copies cut short; over
//! `neardup_jaccard_permutations`'s: how the two compare with the same MinHash algorithm).
//! gaoya's over `neardup_cluster`'s (or `neardup_cluster_jaccard`'s) is the ratio for the
//! whole `cluster` command with its report, against gaoya without one; `gaoya_from_file`'s
//! over those is the same with both tools reading the file.
//! What is not like for like, and which way it leans:
//!
//! - `gaoya` gets its texts from memory and parses no JSON, and keeps nothing but signatures;
//!   neardup reads and parses the file, and keeps every document's shingle set (spooled to a
//!   temporary file) to verify the candidates exactly (both favour gaoya). The time to read and
//!   parse the file once is printed, for scale.
//! - gaoya accepts a pair on its MinHash estimate (noisy near the threshold: some pairs just
//!   above 0.8 are lost, some just below are kept), neardup on the exact Jaccard of the shingle
//!   sets: this shows in the recalls.
//! - The signing algorithms differ: gaoya evaluates 128 hash functions per shingle (classic
//!   MinHash), neardup by default hashes each shingle once into 128 slots (one-permutation
//!   hashing with densification; each neardup line printed says which scheme ran). Same number
//!   of slots and same banding, different algorithm: this is part of what is compared, and most
//!   of the difference in signing time comes from it (the stage times and
//!   `neardup_jaccard_permutations` show how much).
//! - Tokenization differs in detail: gaoya lower-cases, splits on ASCII whitespace and
//!   punctuation and builds a `String` per shingle (its `shingle_tokens` helper); neardup applies
//!   NFKC, folds quotes and dashes, splits into Unicode (UAX #29) words and hashes each shingle
//!   with xxh3. On this ASCII corpus the shingle sets are nearly the same.
//! - neardup's clusters have a chaining guard (a few true pairs end in different groups); the
//!   union-find here has none.
//! - Both tools run in this one process, on the allocator the `neardup` binary ships with
//!   (jemalloc, set below as in `src/main.rs`), so neither gets a different allocator than the
//!   other. gaoya allocates a `String` per shingle and gains from it too.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use gaoya::minhash::MinHasher32;
use neardup::definition::Scheme;
use neardup::definition::{Definition, Mode, ShingleMode};
use neardup::generate::{write_archive, GenConfig, Generator};
use neardup::input::InputSet;
use neardup::normalize::normalize;
use neardup::report::stream::{self, Chunking, ReportTimings, Sink, View};
use neardup::report::Output;
use neardup::shingle::shingles;
use neardup::verify::jaccard_and_containment;
use neardup::{Config, Outcome};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The `neardup` binary's allocator, for both tools (see the module docs).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Documents generated, unless `NEARDUP_PEERS_DOCS` says otherwise.
const DOCS: u64 = 20_000;

/// The number of documents: `NEARDUP_PEERS_DOCS` when set, else [`DOCS`].
fn doc_count() -> u64 {
    match std::env::var("NEARDUP_PEERS_DOCS") {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("NEARDUP_PEERS_DOCS must be a number, got {v:?}")),
        Err(_) => DOCS,
    }
}
/// Generator seed.
const GEN_SEED: u64 = 1;
/// Share of documents that are copies of an earlier story.
const DUP_RATE: f64 = 0.3;
/// Threads of the rayon pool both tools run on.
const THREADS: usize = 2;
/// Words per shingle.
const SHINGLE_WORDS: usize = 5;
/// MinHash permutations.
const NUM_PERM: usize = 128;
/// Jaccard threshold.
const THRESHOLD: f64 = 0.8;

/// The generated corpus: the JSON Lines file for neardup, the texts for gaoya, the labels.
struct Corpus {
    /// Keeps the temporary directory alive.
    _dir: tempfile::TempDir,
    path: PathBuf,
    texts: Vec<String>,
    /// Story number of each document (the index of the original).
    stories: Vec<u32>,
    /// Bytes of the JSON Lines file.
    file_bytes: u64,
    /// Bytes of article text.
    text_bytes: u64,
}

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build()
        .expect("rayon pool")
}

/// `gen-123` to 123.
fn gen_index(id: &str) -> u32 {
    id.strip_prefix("gen-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected generated id {id:?}"))
}

fn corpus(pool: &rayon::ThreadPool) -> Corpus {
    let generator = Generator::new(GenConfig {
        docs: doc_count(),
        seed: GEN_SEED,
        dup_rate: DUP_RATE,
    });
    let mut docs = Vec::new();
    let mut labels = Vec::new();
    write_archive(&generator, pool, &mut docs, &mut labels).expect("generate corpus");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("corpus.jsonl");
    std::fs::write(&path, &docs).expect("write corpus");

    let texts: Vec<String> = docs
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(&line.expect("utf-8")).expect("json");
            v["text"].as_str().expect("text field").to_string()
        })
        .collect();
    let stories: Vec<u32> = labels
        .lines()
        .skip(1)
        .map(|line| {
            let line = line.expect("utf-8");
            let (id, story) = line.split_once('\t').expect("id<TAB>group");
            let _ = gen_index(id);
            gen_index(story)
        })
        .collect();
    assert_eq!(texts.len() as u64, doc_count());
    assert_eq!(stories.len() as u64, doc_count());
    Corpus {
        _dir: dir,
        path,
        text_bytes: texts.iter().map(|t| t.len() as u64).sum(),
        texts,
        stories,
        file_bytes: docs.len() as u64,
    }
}

/// Same-story pairs `(a, b)`, `a < b`, and those of them whose exact word-5-shingle Jaccard is
/// at least the threshold.
fn truth(corpus: &Corpus, pool: &rayon::ThreadPool) -> (usize, Vec<(u32, u32)>) {
    let seed = Config::default().definition.seed;
    let sets: Vec<Vec<u64>> = pool.install(|| {
        corpus
            .texts
            .par_iter()
            .map(|t| shingles(&normalize(t), ShingleMode::Words(SHINGLE_WORDS), seed).hashes)
            .collect()
    });
    let mut by_story: HashMap<u32, Vec<u32>> = HashMap::new();
    for (doc, &story) in corpus.stories.iter().enumerate() {
        by_story.entry(story).or_default().push(doc as u32);
    }
    let mut same_story = 0;
    let mut pairs = Vec::new();
    for members in by_story.values() {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                same_story += 1;
                let (j, _) = jaccard_and_containment(&sets[a as usize], &sets[b as usize]);
                if j >= THRESHOLD {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
    }
    pairs.sort_unstable();
    (same_story, pairs)
}

// ---------------------------------------------------------------------------------------------
// neardup

fn neardup_run(path: &PathBuf, config: &Config, pool: &rayon::ThreadPool) -> Outcome {
    let mut inputs = InputSet::open(std::slice::from_ref(path)).expect("open corpus");
    neardup::pipeline::run(&mut inputs, config, pool, &mut |_| {}).expect("pipeline run")
}

/// What `neardup cluster FILE -o OUT` does, in this process: [`neardup_run`], then the cluster
/// file (attribution, reference copy and the changes of every copy, with the members read
/// again from the input) streamed by [`stream::write_report`] into `out`, written atomically
/// and synced as the command does.
fn neardup_cluster(
    path: &PathBuf,
    config: &Config,
    pool: &rayon::ThreadPool,
    out: &Path,
) -> (Outcome, ReportTimings) {
    let mut inputs = InputSet::open(std::slice::from_ref(path)).expect("open corpus");
    let outcome =
        neardup::pipeline::run(&mut inputs, config, pool, &mut |_| {}).expect("pipeline run");
    let mut output = Output::create(Some(out)).expect("create the cluster file");
    let name = output.name().to_path_buf();
    let mut sinks = [Sink {
        format: View::Jsonl,
        name,
        writer: output.writer(),
    }];
    let timings = pool
        .install(|| {
            stream::write_report(&inputs, &outcome, config, &mut sinks, Chunking::default())
        })
        .expect("write the cluster file");
    output.finish().expect("finish the cluster file");
    output.commit().expect("commit the cluster file");
    (outcome, timings)
}

/// Group label of each document: its cluster number, or `u32::MAX - doc` when in none.
fn neardup_groups(outcome: &Outcome, n: usize) -> Vec<u32> {
    let mut label: Vec<u32> = (0..n as u32).map(|d| u32::MAX - d).collect();
    for c in &outcome.clusters {
        for &m in &c.cluster.members {
            label[m as usize] = c.cluster.number;
        }
    }
    label
}

// ---------------------------------------------------------------------------------------------
// gaoya: in `common/gaoya.rs`, shared with `examples/gaoya_peer.rs`.

#[path = "common/gaoya.rs"]
mod gaoya_peer;
use gaoya_peer::{gaoya_from_file, gaoya_run};

// ---------------------------------------------------------------------------------------------
// Recall

/// Prints the recall of `pairs` (found directly) and `groups` (both in one group) against
/// `truth`, and the pairs found across stories; fails when no pair or no true pair was found.
fn report(name: &str, pairs: &[(u32, u32)], groups: &[u32], truth: &[(u32, u32)], stories: &[u32]) {
    let found: HashSet<(u32, u32)> = pairs.iter().copied().collect();
    let direct = truth.iter().filter(|p| found.contains(p)).count();
    let grouped = truth
        .iter()
        .filter(|&&(a, b)| groups[a as usize] == groups[b as usize])
        .count();
    let cross = pairs
        .iter()
        .filter(|&&(a, b)| stories[a as usize] != stories[b as usize])
        .count();
    let pct = |k: usize| 100.0 * k as f64 / truth.len().max(1) as f64;
    eprintln!(
        "{name}: {} pairs reported ({cross} across stories); recall {:.2}% by group \
         ({grouped}/{}), {:.2}% by reported pair ({direct}/{})",
        pairs.len(),
        pct(grouped),
        truth.len(),
        pct(direct),
        truth.len()
    );
    assert!(!pairs.is_empty(), "{name} found no duplicate pair");
    assert!(grouped > 0, "{name} found none of the true pairs");
}

// ---------------------------------------------------------------------------------------------

/// Time for 10 samples of a function that took `once` in its untimed run, with a margin.
fn measurement_time(once: Duration) -> Duration {
    (once * 12).clamp(Duration::from_secs(3), Duration::from_secs(60))
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn peers(c: &mut Criterion) {
    let pool = pool();
    let t = Instant::now();
    let corpus = corpus(&pool);
    let (same_story, truth) = truth(&corpus, &pool);
    eprintln!(
        "corpus: {} documents, {:.1} MB of JSON Lines ({:.1} MB of text), {} same-story pairs, \
         {} with exact word-{SHINGLE_WORDS}-shingle Jaccard >= {THRESHOLD} (the truth); \
         made in {:.1} s",
        corpus.texts.len(),
        corpus.file_bytes as f64 / 1e6,
        corpus.text_bytes as f64 / 1e6,
        same_story,
        truth.len(),
        t.elapsed().as_secs_f64()
    );
    assert!(!truth.is_empty(), "the corpus has no near-duplicate pair");

    // Settings shared by both tools.
    let jaccard = Config {
        definition: Definition {
            mode: Mode::Jaccard,
            ..Definition::default()
        },
        ..Config::default()
    };
    let containment = Config::default();
    // Classic MinHash (128 hash functions per shingle, as gaoya), to separate the choice of
    // algorithm from the rest.
    let permutations = Config {
        definition: Definition {
            minhash: Scheme::Permutations,
            ..jaccard.definition.clone()
        },
        ..jaccard.clone()
    };
    let neardups = [
        ("neardup_jaccard", &jaccard),
        ("neardup_containment", &containment),
        ("neardup_jaccard_permutations", &permutations),
    ];
    assert_eq!(jaccard.definition.num_perm, NUM_PERM);
    assert_eq!(jaccard.definition.threshold, THRESHOLD);
    assert_eq!(
        jaccard.definition.shingle,
        ShingleMode::Auto {
            words: SHINGLE_WORDS,
            chars: 3
        }
    );
    let banding = jaccard.validate().expect("default configuration");
    let (bands, rows) = (banding.bands, banding.rows);
    assert!(bands * rows <= NUM_PERM);
    let hasher = MinHasher32::new(NUM_PERM);
    eprintln!(
        "settings: word {SHINGLE_WORDS}-shingles, {NUM_PERM} permutations, threshold {THRESHOLD}, \
         {bands} bands x {rows} rows, {THREADS} threads\nneardup_jaccard config: {jaccard:?}"
    );

    // For scale: what reading and parsing the JSON costs (neardup does it, gaoya does not).
    let t = Instant::now();
    let parsed = std::io::BufReader::new(std::fs::File::open(&corpus.path).expect("open"))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.expect("read")).expect("json");
            v["text"].as_str().map_or(0, str::len)
        })
        .sum::<usize>();
    eprintln!(
        "reading and parsing the JSON Lines file once (serde_json::Value, 1 thread): {}",
        ms(t.elapsed())
    );
    assert_eq!(parsed as u64, corpus.text_bytes);

    // One run of each outside the timed loop, for recall (and to size the measurement).
    let n = corpus.texts.len();
    let mut once = Vec::new();
    for (name, config) in neardups {
        let t = Instant::now();
        let outcome = neardup_run(&corpus.path, config, &pool);
        let elapsed = t.elapsed();
        once.push(elapsed);
        assert_eq!(outcome.counts.documents, doc_count());
        assert_eq!(outcome.banding, banding);
        let pairs: Vec<(u32, u32)> = outcome.pairs.iter().map(|p| (p.a, p.b)).collect();
        let st = outcome.timings;
        eprintln!(
            "{name} ({:?}, {:?}): one run {} (read+sign {}, lsh {}, verify {}, cluster {}); \
             {} candidates, {} verified, {} clusters",
            config.definition.mode,
            config.definition.minhash,
            ms(elapsed),
            ms(st.read_sign),
            ms(st.lsh),
            ms(st.verify),
            ms(st.cluster),
            outcome.counts.candidate_pairs,
            outcome.counts.verified_pairs,
            outcome.counts.clusters
        );
        report(
            name,
            &pairs,
            &neardup_groups(&outcome, n),
            &truth,
            &corpus.stories,
        );
    }
    // The whole `cluster` command, in both modes: the pipeline as above, then the cluster file.
    let out = corpus._dir.path().join("clusters.jsonl");
    let commands = [
        ("neardup_cluster", &containment),
        ("neardup_cluster_jaccard", &jaccard),
    ];
    for (name, config) in commands {
        let t = Instant::now();
        let (outcome, rt) = neardup_cluster(&corpus.path, config, &pool, &out);
        let elapsed = t.elapsed();
        once.push(elapsed);
        let st = outcome.timings;
        eprintln!(
            "{name} ({:?}): one run {} (read+sign {}, lsh {}, verify {}, cluster {}; report: \
             members read again {}, records {}, writing {}); {} clusters, cluster file {:.1} MB",
            config.definition.mode,
            ms(elapsed),
            ms(st.read_sign),
            ms(st.lsh),
            ms(st.verify),
            ms(st.cluster),
            ms(rt.reread),
            ms(rt.records),
            ms(rt.write),
            outcome.counts.clusters,
            std::fs::metadata(&out).expect("cluster file").len() as f64 / 1e6
        );
    }

    let t = Instant::now();
    let found = pool.install(|| {
        gaoya_run(
            &corpus.texts,
            &hasher,
            bands,
            rows,
            SHINGLE_WORDS,
            THRESHOLD,
        )
    });
    let elapsed = t.elapsed();
    once.push(elapsed);
    let [sign, insert, query, group] = found.stages;
    eprintln!(
        "gaoya: one run {} (tokenize+sign {}, par_bulk_insert {}, par_bulk_query {}, \
         pairs+groups {})",
        ms(elapsed),
        ms(sign),
        ms(insert),
        ms(query),
        ms(group)
    );
    report(
        "gaoya",
        &found.pairs,
        &found.groups,
        &truth,
        &corpus.stories,
    );
    drop(found);
    let t = Instant::now();
    let (read, found) = pool
        .install(|| gaoya_from_file(&corpus.path, &hasher, bands, rows, SHINGLE_WORDS, THRESHOLD));
    let elapsed = t.elapsed();
    once.push(elapsed);
    eprintln!(
        "gaoya_from_file: one run {} (reading and parsing the file {}, then as gaoya)",
        ms(elapsed),
        ms(read)
    );
    assert_eq!(found.groups.len(), n);
    drop(found);

    let mut g = c.benchmark_group("peers");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Bytes(corpus.file_bytes));
    let mut once = once.into_iter();
    for (name, config) in neardups {
        g.measurement_time(measurement_time(once.next().expect("timed once")));
        g.bench_function(name, |b| {
            b.iter(|| black_box(neardup_run(black_box(&corpus.path), config, &pool)))
        });
    }
    for (name, config) in commands {
        g.measurement_time(measurement_time(once.next().expect("timed once")));
        g.bench_function(name, |b| {
            b.iter(|| {
                black_box(neardup_cluster(
                    black_box(&corpus.path),
                    config,
                    &pool,
                    &out,
                ))
            })
        });
    }
    g.measurement_time(measurement_time(once.next().expect("timed once")));
    g.bench_function("gaoya", |b| {
        b.iter(|| {
            black_box(pool.install(|| {
                gaoya_run(
                    black_box(&corpus.texts),
                    &hasher,
                    bands,
                    rows,
                    SHINGLE_WORDS,
                    THRESHOLD,
                )
            }))
        })
    });
    g.measurement_time(measurement_time(once.next().expect("timed once")));
    g.bench_function("gaoya_from_file", |b| {
        b.iter(|| {
            black_box(pool.install(|| {
                gaoya_from_file(
                    black_box(&corpus.path),
                    &hasher,
                    bands,
                    rows,
                    SHINGLE_WORDS,
                    THRESHOLD,
                )
            }))
        })
    });
    g.finish();
}

criterion_group!(benches, peers);
criterion_main!(benches);
