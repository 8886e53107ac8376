//! The Parquet view of a report (`neardup cluster --parquet`): one row per cluster member, the
//! CSV columns typed, read back with the parquet crate and checked against the CSV view and the
//! cluster file of the same run; and the output rules every output follows (an output named
//! like an input is refused, a missing directory fails before anything is written).

mod common;

use arrow_array::{Array, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::DataType;
use common::*;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{json, Value};
use std::path::Path;

/// The batches of a Parquet file, with its key-value metadata.
fn read_parquet(path: &Path) -> (Vec<RecordBatch>, Vec<(String, Option<String>)>) {
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let meta = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|kv| (kv.key, kv.value))
        .collect();
    let batches = builder
        .build()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (batches, meta)
}

/// A column's values as strings (`None` for null), whatever its type, over all batches.
fn column(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for b in batches {
        let c = b.column_by_name(name).unwrap_or_else(|| panic!("{name}"));
        let any = c.as_any();
        for i in 0..c.len() {
            out.push(c.is_valid(i).then(|| {
                if let Some(a) = any.downcast_ref::<StringArray>() {
                    a.value(i).to_string()
                } else if let Some(a) = any.downcast_ref::<Int64Array>() {
                    a.value(i).to_string()
                } else if let Some(a) = any.downcast_ref::<Float64Array>() {
                    a.value(i).to_string()
                } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
                    a.value(i).to_string()
                } else {
                    panic!("{name}: unexpected type {:?}", c.data_type())
                }
            }));
        }
    }
    out
}

/// The CSV view's rows (header first).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

const SCHEMA: [(&str, DataType, bool); 14] = [
    ("cluster", DataType::Int64, false),
    ("id", DataType::Utf8, false),
    ("outlet", DataType::Utf8, true),
    ("title", DataType::Utf8, true),
    ("date", DataType::Utf8, true),
    ("wire", DataType::Utf8, true),
    ("jaccard", DataType::Float64, false),
    ("containment", DataType::Float64, false),
    ("canonical", DataType::Boolean, false),
    ("reference", DataType::Boolean, false),
    ("url", DataType::Utf8, true),
    ("input", DataType::Utf8, false),
    ("line", DataType::Int64, false),
    ("changes", DataType::Utf8, true),
];

/// Runs `cluster` on `inputs` with the cluster file, the CSV and the Parquet view, and checks
/// that the Parquet file has the schema and one row per member with the values of the other
/// two. Returns the Parquet batches.
fn cluster_and_compare(dir: &Path, inputs: &[&str]) -> Vec<RecordBatch> {
    let (jsonl, csv, pq) = (
        dir.join("c.jsonl"),
        dir.join("m.csv"),
        dir.join("m.parquet"),
    );
    let mut args = vec!["cluster", "-q"];
    args.extend(inputs);
    args.extend(["-o", s(&jsonl), "--csv", s(&csv), "--parquet", s(&pq)]);
    run_ok(&args);
    let (batches, meta) = read_parquet(&pq);
    assert!(
        meta.contains(&("neardup.schema_version".into(), Some("2".into()))),
        "{meta:?}"
    );
    assert!(meta.contains(&("neardup.view".into(), Some("members".into()))));
    let schema = batches[0].schema();
    let got: Vec<(&str, DataType, bool)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().as_str(), f.data_type().clone(), f.is_nullable()))
        .collect();
    assert_eq!(got, SCHEMA);

    // One row per member, in the CSV's order, with the CSV's values.
    let rows = csv_rows(&csv);
    assert_eq!(rows[0], SCHEMA.map(|c| c.0));
    let rows = &rows[1..];
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, rows.len());
    for (i, (name, ..)) in SCHEMA.iter().enumerate() {
        let col = column(&batches, name);
        for (r, v) in rows.iter().zip(&col) {
            // The CSV writes an absent value as an empty cell, and a reference's changes too.
            let v = v.clone().unwrap_or_default();
            let want = match *name {
                // Numbers: the same value (the CSV prints them with Rust's `Display` too).
                "jaccard" | "containment" => {
                    assert_eq!(v.parse::<f64>().unwrap(), r[i].parse::<f64>().unwrap());
                    continue;
                }
                _ => r[i].clone(),
            };
            // Text the CSV defuses for spreadsheets, or shows for people, is raw here.
            if shown_otherwise(&v) {
                assert_ne!(v, want, "{name}");
            } else {
                assert_eq!(defused(&v), want, "{name}");
            }
        }
    }

    // The members of the cluster file, with nulls where it has them.
    let clusters: Vec<Value> = clusters(&std::fs::read(&jsonl).unwrap());
    let members: Vec<(u64, &Value)> = clusters
        .iter()
        .flat_map(|c| {
            let n = c["cluster"].as_u64().unwrap();
            common::members(c).iter().map(move |m| (n, m))
        })
        .collect();
    assert_eq!(members.len(), total);
    let (ids, dates, urls, changes, cluster) = (
        column(&batches, "id"),
        column(&batches, "date"),
        column(&batches, "url"),
        column(&batches, "changes"),
        column(&batches, "cluster"),
    );
    for (i, (n, m)) in members.iter().enumerate() {
        assert_eq!(cluster[i].as_deref(), Some(n.to_string().as_str()));
        assert_eq!(ids[i].as_deref(), m["id"].as_str());
        assert_eq!(dates[i].as_deref(), m["date"].as_str());
        assert_eq!(urls[i].as_deref(), m["url"].as_str());
        assert_eq!(changes[i].is_none(), m["reference"] == json!(true));
    }
    batches
}

/// The CSV's cell for a raw value: `'` before what a spreadsheet would run (the CSV view's
/// rule, restated here so that the test does not call the library).
fn defused(cell: &str) -> String {
    if cell.starts_with(['\t', '\r']) || cell.trim_start().starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Whether the CSV view shows `text` otherwise than as it is (control characters and
/// bidirectional controls made visible for people).
fn shown_otherwise(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn seed_members_are_one_row_each_with_the_csv_values() {
    let dir = tempfile::tempdir().unwrap();
    let batches = cluster_and_compare(dir.path(), &[s(&seed_articles())]);
    assert_eq!(column(&batches, "id").len(), 2);
}

#[test]
fn generated_members_span_many_clusters_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let input = generated(dir.path(), 2500);
    let batches = cluster_and_compare(dir.path(), &[s(&input)]);
    let clusters = column(&batches, "cluster");
    let mut distinct = clusters.clone();
    distinct.dedup();
    // Many clusters, in number order.
    assert!(distinct.len() > 100, "{}", distinct.len());
    let numbers: Vec<i64> = clusters
        .iter()
        .map(|c| c.as_ref().unwrap().parse().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] <= w[1]));
    // Wire services are named for some clusters, not all.
    let wires = column(&batches, "wire");
    assert!(wires.iter().any(Option::is_some));
    assert!(wires.iter().any(Option::is_none));
    // One reference and one canonical copy per cluster.
    for flag in ["reference", "canonical"] {
        let set = column(&batches, flag)
            .iter()
            .filter(|v| v.as_deref() == Some("true"))
            .count();
        assert_eq!(set, distinct.len(), "{flag}");
    }
}

#[test]
fn untrusted_text_is_kept_raw_and_absent_values_are_null() {
    let dir = tempfile::tempdir().unwrap();
    let text = story(1);
    let docs = [
        json!({"id": "=HYPERLINK(\"x\")", "text": text, "title": "<b>Bold</b> \u{202e}move"}),
        json!({"id": "b", "text": format!("{text} one more sentence"), "date": "2024-05-01",
               "url": "https://example.com/b"}),
        json!({"id": "c", "text": story(2)}),
    ];
    let input = write_docs(dir.path(), "in.jsonl", &docs);
    let batches = cluster_and_compare(dir.path(), &[s(&input)]);
    let ids = column(&batches, "id");
    assert_eq!(
        ids,
        [Some("=HYPERLINK(\"x\")".to_string()), Some("b".into())]
    );
    assert_eq!(
        column(&batches, "title")[0].as_deref(),
        Some("<b>Bold</b> \u{202e}move")
    );
    assert_eq!(column(&batches, "title")[1], None);
    assert_eq!(
        column(&batches, "date"),
        [None, Some("2024-05-01".to_string())]
    );
    assert_eq!(column(&batches, "outlet"), [None, None]);
    assert_eq!(
        column(&batches, "line"),
        [Some("1".into()), Some("2".into())]
    );
}

#[test]
fn a_run_without_clusters_writes_an_empty_table() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_docs(
        dir.path(),
        "in.jsonl",
        &[
            json!({"id": "a", "text": story(1)}),
            json!({"id": "b", "text": story(2)}),
        ],
    );
    let pq = dir.path().join("m.parquet");
    run_ok(&[
        "cluster",
        "-q",
        s(&input),
        "-o",
        s(&dir.path().join("c.jsonl")),
        "--parquet",
        s(&pq),
    ]);
    let file = std::fs::File::open(&pq).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let names: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, SCHEMA.map(|c| c.0));
    assert_eq!(builder.metadata().file_metadata().num_rows(), 0);
}

#[test]
fn an_output_named_like_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::copy(seed_articles(), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let same = dir.path().join(".").join("in.jsonl");
    for output in [&input, &same] {
        let out = run(&[
            "cluster",
            s(&input),
            "-o",
            "/dev/null",
            "--parquet",
            s(output),
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("--parquet"), "{}", stderr(&out));
        assert_eq!(std::fs::read(&input).unwrap(), before);
    }
    assert_eq!(names(dir.path()), ["in.jsonl"]);
}

#[test]
fn a_missing_directory_fails_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("c.jsonl");
    let csv = dir.path().join("m.csv");
    let out = run(&[
        "cluster",
        s(&seed_articles()),
        "-o",
        s(&out_path),
        "--csv",
        s(&csv),
        "--parquet",
        s(&dir.path().join("no/such/dir/m.parquet")),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("m.parquet"), "{}", stderr(&out));
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}

#[test]
fn the_file_is_the_same_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let input = generated(dir.path(), 800);
    let files: Vec<Vec<u8>> = ["1", "2", "3"]
        .iter()
        .map(|t| {
            let pq = dir.path().join(format!("m{t}.parquet"));
            run_ok(&[
                "cluster",
                "-q",
                "--threads",
                t,
                s(&input),
                "-o",
                s(&dir.path().join("c.jsonl")),
                "--parquet",
                s(&pq),
            ]);
            std::fs::read(pq).unwrap()
        })
        .collect();
    assert!(files[0].starts_with(b"PAR1") && files[0].ends_with(b"PAR1"));
    assert!(files[0] == files[1] && files[1] == files[2]);
}
