//! The streaming report (`report::stream::write_report`, what the binary writes) against the
//! in-memory `Report` and its writers: the same bytes for every output, whatever the chunk
//! size, on generated corpora whose clusters span the input, plain and gzip-compressed, and on
//! corpora with no clusters at all.

use neardup::config::Config;
use neardup::generate::{GenConfig, Generator};
use neardup::input::InputSet;
use neardup::outcome::Outcome;
use neardup::pipeline;
use neardup::report::stream::{self, Chunking, Sink, View};
use neardup::report::{csv, html, members_needing_text, Report, Texts};
use std::io::Write;
use std::path::{Path, PathBuf};

const FORMATS: [View; 4] = [View::Jsonl, View::Csv, View::Html, View::Locations];

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Writes `docs` generated documents (seed 5) to `path`, gzip-compressed when `gzip`, their
/// ids prefixed with `prefix`.
fn write_corpus(path: &Path, docs: u64, gzip: bool, prefix: &str) {
    let g = Generator::new(GenConfig {
        docs,
        seed: 5,
        dup_rate: 0.35,
    });
    let mut bytes = Vec::new();
    neardup::generate::write_archive(&g, &pool(2), &mut bytes, &mut std::io::sink()).unwrap();
    let mut bytes = String::from_utf8(bytes)
        .unwrap()
        .replace("\"id\":\"", &format!("\"id\":\"{prefix}"))
        .into_bytes();
    if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&bytes).unwrap();
        bytes = enc.finish().unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

fn run(paths: &[PathBuf], threads: usize) -> (InputSet, Outcome, Config, rayon::ThreadPool) {
    let config = Config::default();
    let pool = pool(threads);
    let mut inputs = InputSet::open(paths).unwrap();
    let outcome = pipeline::run(&mut inputs, &config, &pool, &mut |_| {}).unwrap();
    (inputs, outcome, config, pool)
}

/// The four outputs written by the in-memory `Report`.
fn in_memory(
    inputs: &InputSet,
    outcome: &Outcome,
    config: &Config,
    pool: &rayon::ThreadPool,
) -> [Vec<u8>; 4] {
    let members = members_needing_text(outcome);
    let docs = pool
        .install(|| neardup::input::reread::load_docs(inputs, &outcome.meta, &members, config))
        .unwrap();
    let texts = Texts::new(members, docs);
    let names: Vec<String> = (0..inputs.len() as u32)
        .map(|i| inputs.name(i).to_string())
        .collect();
    let report = pool.install(|| Report::new(outcome, config, &names, &texts));
    let mut out: [Vec<u8>; 4] = Default::default();
    report.write_jsonl(&mut out[0]).unwrap();
    csv::write_csv(&report, &mut out[1]).unwrap();
    html::write_html(&report, &mut out[2]).unwrap();
    csv::write_locations(&report, &mut out[3]).unwrap();
    out
}

/// The outputs `formats` (by index into [`FORMATS`]) written by the streaming writer.
fn streamed(
    inputs: &InputSet,
    outcome: &Outcome,
    config: &Config,
    pool: &rayon::ThreadPool,
    chunking: Chunking,
    formats: &[usize],
) -> [Vec<u8>; 4] {
    let mut out: [Vec<u8>; 4] = Default::default();
    let mut sinks: Vec<Sink> = out
        .iter_mut()
        .enumerate()
        .filter(|(i, _)| formats.contains(i))
        .map(|(i, w)| Sink {
            format: FORMATS[i],
            name: format!("output {i}").into(),
            writer: w,
        })
        .collect();
    pool.install(|| stream::write_report(inputs, outcome, config, &mut sinks, chunking))
        .unwrap();
    drop(sinks);
    out
}

fn assert_same(want: &[Vec<u8>; 4], got: &[Vec<u8>; 4], formats: &[usize], what: &str) {
    for &i in formats {
        assert!(
            want[i] == got[i],
            "{what}: {:?} differs ({} bytes in memory, {} streamed)",
            FORMATS[i],
            want[i].len(),
            got[i].len()
        );
    }
}

const SMALL_CHUNKS: [Chunking; 3] = [
    Chunking {
        clusters: 3,
        text_bytes: u64::MAX,
    },
    Chunking {
        clusters: usize::MAX,
        text_bytes: 1,
    },
    Chunking {
        clusters: 1000,
        text_bytes: 20_000,
    },
];

/// The cluster numbers in the order the HTML page lists them.
fn html_order(page: &[u8]) -> Vec<u32> {
    let page = String::from_utf8(page.to_vec()).unwrap();
    page.split(r#"<details class="cluster" id="c"#)
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[test]
fn streamed_outputs_equal_the_in_memory_report_for_any_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.jsonl");
    write_corpus(&path, 1200, false, "");
    let (inputs, outcome, config, pool) = run(&[path], 2);
    // Clusters spanning the input: some cluster's members are far apart, many clusters.
    assert!(outcome.clusters.len() > 30, "{}", outcome.clusters.len());
    let spread = outcome
        .clusters
        .iter()
        .map(|c| c.cluster.members.last().unwrap() - c.cluster.members[0])
        .max()
        .unwrap();
    assert!(spread > 500, "{spread}");
    let want = in_memory(&inputs, &outcome, &config, &pool);
    let all = [0, 1, 2, 3];
    for chunking in SMALL_CHUNKS.into_iter().chain([Chunking::default()]) {
        let got = streamed(&inputs, &outcome, &config, &pool, chunking, &all);
        assert_same(&want, &got, &all, &format!("{chunking:?}"));
    }
    // Any subset of outputs, alone.
    for one in all {
        let got = streamed(&inputs, &outcome, &config, &pool, SMALL_CHUNKS[0], &[one]);
        assert_same(&want, &got, &[one], "alone");
        for (i, g) in got.iter().enumerate() {
            assert_eq!(g.is_empty(), i != one);
        }
    }
    // The page lists every cluster once, largest first, then by number.
    let order = html_order(&want[2]);
    let size = |n: u32| {
        outcome
            .clusters
            .iter()
            .find(|c| c.cluster.number == n)
            .unwrap()
            .cluster
            .members
            .len()
    };
    assert_eq!(order.len(), outcome.clusters.len());
    assert!(order
        .windows(2)
        .all(|w| (std::cmp::Reverse(size(w[0])), w[0]) < (std::cmp::Reverse(size(w[1])), w[1])));
    assert!(size(order[0]) > size(*order.last().unwrap()));
    // The page's foot lists the wire stories in no cluster, with titles read again.
    let page = String::from_utf8(want[2].clone()).unwrap();
    assert!(page.matches(r#"<tr class="single">"#).count() > 10);
    // One thread writes the same bytes.
    let one = run(&[dir.path().join("g.jsonl")], 1);
    let got = streamed(&one.0, &one.1, &one.2, &one.3, SMALL_CHUNKS[0], &all);
    assert_same(&want, &got, &all, "one thread");
}

#[test]
fn gzip_inputs_stream_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.jsonl.gz");
    let b = dir.path().join("b.jsonl");
    write_corpus(&a, 500, true, "");
    write_corpus(&b, 300, false, "again-");
    let (inputs, outcome, config, pool) = run(&[a, b], 2);
    assert!(outcome.clusters.len() > 10);
    // Clusters across the two inputs (the second repeats the start of the first).
    assert!(outcome.clusters.iter().any(|c| {
        let inputs: std::collections::BTreeSet<u32> = c
            .cluster
            .members
            .iter()
            .map(|&m| outcome.meta[m as usize].location.input)
            .collect();
        inputs.len() == 2
    }));
    let want = in_memory(&inputs, &outcome, &config, &pool);
    let all = [0, 1, 2, 3];
    for chunking in SMALL_CHUNKS {
        let got = streamed(&inputs, &outcome, &config, &pool, chunking, &all);
        assert_same(&want, &got, &all, &format!("gzip {chunking:?}"));
    }
}

/// Band keys spilled to disk (a budget of a few documents' keys) give the same pairs, clusters
/// and outputs as keys held in memory, in both modes.
#[test]
fn spilled_band_keys_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    write_corpus(&path, 700, false, "");
    let paths = [path];
    for mode in ["containment", "jaccard"] {
        let outputs = |budget: usize| {
            let config = Config {
                definition: neardup::Definition {
                    mode: mode.parse().unwrap(),
                    ..Default::default()
                },
                band_key_memory: budget,
                ..Config::default()
            };
            let pool = pool(2);
            let mut inputs = InputSet::open(&paths).unwrap();
            let outcome = pipeline::run(&mut inputs, &config, &pool, &mut |_| {}).unwrap();
            let spilled = outcome.key_spill_bytes;
            (
                in_memory(&inputs, &outcome, &config, &pool),
                outcome.pairs,
                spilled,
            )
        };
        let (held, held_pairs, none) = outputs(Config::default().band_key_memory);
        let (spilled, spilled_pairs, some) = outputs(1000);
        assert_eq!(none, 0, "{mode}");
        assert!(some > 0, "{mode}: the small budget spills");
        assert!(!held_pairs.is_empty(), "{mode}");
        assert_eq!(held_pairs, spilled_pairs, "{mode}");
        assert_eq!(held, spilled, "{mode}");
    }
}

#[test]
fn no_clusters_and_empty_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let distinct = dir.path().join("distinct.jsonl");
    std::fs::write(
        &distinct,
        "{\"id\":\"a\",\"title\":\"One\",\"text\":\"WASHINGTON (AP) \\u2014 The senate voted on the budget bill late on Monday after a long debate about spending on roads and schools in rural counties.\"}\n\
         {\"id\":\"b\",\"title\":\"Two\",\"text\":\"A quiet week in the harbour town ended with the annual regatta, won for the third time by a crew of retired fishermen from the north shore.\"}\n",
    )
    .unwrap();
    let all = [0, 1, 2, 3];
    for path in [empty, distinct] {
        let (inputs, outcome, config, pool) = run(std::slice::from_ref(&path), 2);
        assert!(outcome.clusters.is_empty());
        let want = in_memory(&inputs, &outcome, &config, &pool);
        let got = streamed(&inputs, &outcome, &config, &pool, SMALL_CHUNKS[0], &all);
        assert_same(&want, &got, &all, &path.display().to_string());
        assert!(String::from_utf8_lossy(&got[2]).contains("<p>No clusters.</p>"));
        assert_eq!(String::from_utf8_lossy(&got[0]).lines().count(), 1);
    }
}

/// The rows of a Parquet file written to memory, as one record batch.
fn parquet_table(bytes: Vec<u8>) -> arrow_array::RecordBatch {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    std::fs::write(&path, bytes).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&path).unwrap(),
    )
    .unwrap()
    .with_batch_size(1 << 20)
    .build()
    .unwrap();
    let mut batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert!(batches.len() <= 1, "{} batches", batches.len());
    batches.pop().unwrap_or_else(|| {
        arrow_array::RecordBatch::new_empty(neardup::report::parquet::members_schema())
    })
}

/// The Parquet view streamed a record batch per chunk holds the rows the in-memory writer
/// gives (the bytes may be split into pages otherwise), for any chunk size.
#[test]
fn the_parquet_view_streams_the_in_memory_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.jsonl");
    write_corpus(&path, 1200, false, "");
    let (inputs, outcome, config, pool) = run(&[path], 2);
    assert!(outcome.clusters.len() > 30, "{}", outcome.clusters.len());
    let members = members_needing_text(&outcome);
    let docs = pool
        .install(|| neardup::input::reread::load_docs(&inputs, &outcome.meta, &members, &config))
        .unwrap();
    let texts = Texts::new(members, docs);
    let names: Vec<String> = (0..inputs.len() as u32)
        .map(|i| inputs.name(i).to_string())
        .collect();
    let report = pool.install(|| Report::new(&outcome, &config, &names, &texts));
    let mut want = Vec::new();
    neardup::report::parquet::write_parquet(&report, &mut want).unwrap();
    let want = parquet_table(want);
    let size: usize = outcome
        .clusters
        .iter()
        .map(|c| c.cluster.members.len())
        .sum();
    assert_eq!(want.num_rows(), size);
    for chunking in SMALL_CHUNKS.into_iter().chain([Chunking::default()]) {
        let mut csv_out = Vec::new();
        let mut got = Vec::new();
        let mut sinks = vec![
            Sink {
                format: View::Csv,
                name: "csv".into(),
                writer: &mut csv_out,
            },
            Sink {
                format: View::Parquet,
                name: "parquet".into(),
                writer: &mut got,
            },
        ];
        pool.install(|| stream::write_report(&inputs, &outcome, &config, &mut sinks, chunking))
            .unwrap();
        drop(sinks);
        assert_eq!(parquet_table(got), want, "{chunking:?}");
        // The other view beside it is unchanged.
        let mut csv_want = Vec::new();
        csv::write_csv(&report, &mut csv_want).unwrap();
        assert!(csv_out == csv_want, "{chunking:?}");
    }
}
