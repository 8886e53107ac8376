//! Parquet in and out, through the real binary: the same clusters as from the same rows in JSON
//! Lines, `dedupe` outputs that keep the input's columns and schema and account for every row,
//! bad rows counted with their row numbers, and the checks made before a run.

mod common;

use arrow_array::builder::{StringDictionaryBuilder, StructBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::{run, run_ok, s, stderr};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

/// The rows of a generated archive: (id, outlet, title, date, text).
fn generated(dir: &Path, docs: usize) -> Vec<[String; 5]> {
    let jsonl = dir.join("gen.jsonl");
    run_ok(&[
        "gen",
        "--docs",
        &docs.to_string(),
        "--seed",
        "5",
        "-o",
        s(&jsonl),
    ]);
    std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            ["id", "outlet", "title", "date", "text"].map(|k| v[k].as_str().unwrap().to_string())
        })
        .collect()
}

/// The columns of `rows` as a table: `id`, a dictionary-encoded `outlet`, `title`, `date`,
/// `body` (the text), a float and a struct column that neardup does not read.
fn table(rows: &[[String; 5]]) -> RecordBatch {
    let col = |k: usize| -> ArrayRef {
        Arc::new(StringArray::from(
            rows.iter().map(|r| r[k].as_str()).collect::<Vec<_>>(),
        ))
    };
    let mut outlet = StringDictionaryBuilder::<Int32Type>::new();
    for r in rows {
        outlet.append_value(&r[1]);
    }
    let extra = vec![Field::new("words", DataType::Int64, true)];
    let mut meta = StructBuilder::from_fields(extra.clone(), rows.len());
    for r in rows {
        meta.field_builder::<arrow_array::builder::Int64Builder>(0)
            .unwrap()
            .append_value(r[4].split_whitespace().count() as i64);
        meta.append(true);
    }
    let schema = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new(
            "outlet",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            false,
        ),
        Field::new("title", DataType::Utf8, false),
        Field::new("date", DataType::Utf8, false),
        Field::new("body", DataType::Utf8, true),
        Field::new("score", DataType::Float64, false),
        Field::new("meta", DataType::Struct(extra.into()), true),
    ]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![
            col(0),
            Arc::new(outlet.finish()),
            col(2),
            col(3),
            col(4),
            Arc::new(Float64Array::from(
                (0..rows.len()).map(|i| i as f64 / 2.0).collect::<Vec<_>>(),
            )),
            Arc::new(meta.finish()),
        ],
    )
    .unwrap()
}

/// Writes `batch` to `path` in row groups of `group` rows.
fn write_parquet(path: &Path, batch: &RecordBatch, group: usize) {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

fn read_parquet(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<String> {
    let col = batch.column_by_name(name).unwrap();
    let col = arrow_cast_utf8(col);
    (0..col.len()).map(|i| col.value(i).to_string()).collect()
}

/// A string column as a `StringArray` (dictionaries looked through).
fn arrow_cast_utf8(col: &ArrayRef) -> StringArray {
    use arrow_array::cast::AsArray;
    match col.data_type() {
        DataType::Utf8 => col.as_string::<i32>().clone(),
        DataType::Dictionary(_, _) => {
            let d = col.as_dictionary::<Int32Type>();
            let values = d.values().as_string::<i32>();
            StringArray::from(
                d.keys()
                    .iter()
                    .map(|k| values.value(k.unwrap() as usize).to_string())
                    .collect::<Vec<_>>(),
            )
        }
        other => panic!("not a string column: {other}"),
    }
}

/// The JSON Lines of the same rows, with the text under `body`.
fn write_jsonl(path: &Path, rows: &[[String; 5]]) {
    let mut out = String::new();
    for r in rows {
        let v = serde_json::json!({"id": r[0], "outlet": r[1], "title": r[2], "date": r[3], "body": r[4]});
        out.push_str(&v.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// The cluster file without its header and with `name` (the input file) taken out.
fn clusters_of(path: &Path, name: &str) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"record\":\"header\""))
        .map(|l| l.replace(name, "INPUT"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_parquet_file_gives_the_clusters_of_the_same_rows_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let rows = generated(dir.path(), 400);
    let batch = table(&rows);
    // Several row groups, and a name that does not say Parquet: the magic bytes do.
    let pq = dir.path().join("rows.data");
    write_parquet(&pq, &batch, 64);
    let jl = dir.path().join("rows.jsonl");
    write_jsonl(&jl, &rows);
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    run_ok(&["cluster", "--text-field", "body", s(&pq), "-o", s(&a)]);
    run_ok(&["cluster", "--text-field", "body", s(&jl), "-o", s(&b)]);
    let (from_parquet, from_jsonl) = (clusters_of(&a, s(&pq)), clusters_of(&b, s(&jl)));
    assert!(from_jsonl.lines().count() > 10, "{from_jsonl}");
    assert_eq!(from_parquet, from_jsonl);
    // A row's place is its row number, as a line's is its line number.
    assert!(from_parquet.contains("\"line\":"), "{from_parquet}");
}

#[test]
fn dedupe_to_parquet_keeps_every_column_and_accounts_for_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let rows = generated(dir.path(), 300);
    let batch = table(&rows);
    // Two shards in a directory.
    let shards = dir.path().join("shards");
    std::fs::create_dir(&shards).unwrap();
    write_parquet(&shards.join("part-0.parquet"), &batch.slice(0, 150), 50);
    write_parquet(&shards.join("part-1.parquet"), &batch.slice(150, 150), 40);
    let (kept, removed, summary) = (
        dir.path().join("kept.parquet"),
        dir.path().join("removed.parquet"),
        dir.path().join("summary.json"),
    );
    run_ok(&[
        "dedupe",
        "--text-field",
        "body",
        s(&shards),
        "--out",
        s(&kept),
        "--removed",
        s(&removed),
        "--summary",
        s(&summary),
    ]);
    let k = read_parquet(&kept);
    let r = read_parquet(&removed);
    // The schema of the input, and of the removed rows that plus two columns.
    assert_eq!(k.schema().fields(), batch.schema().fields());
    let names: Vec<String> = r
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "id",
            "outlet",
            "title",
            "date",
            "body",
            "score",
            "meta",
            "duplicate_of",
            "cluster"
        ]
    );
    let acc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let acc = &acc["accounting"];
    assert_eq!(acc["read"], 300);
    assert_eq!(acc["kept"].as_u64().unwrap(), k.num_rows() as u64);
    assert_eq!(acc["removed"].as_u64().unwrap(), r.num_rows() as u64);
    assert!(r.num_rows() > 0, "the generated archive has copies");
    assert_eq!(k.num_rows() + r.num_rows(), 300);
    // Every row is in one output, unchanged, and every removed row names a kept one.
    let kept_ids = strings(&k, "id");
    let by_id: std::collections::HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r[0].as_str(), i))
        .collect();
    let score = k
        .column_by_name("score")
        .unwrap()
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    for (j, id) in kept_ids.iter().enumerate() {
        let i = by_id[id.as_str()];
        assert_eq!(strings(&k, "body")[j], rows[i][4]);
        assert_eq!(strings(&k, "outlet")[j], rows[i][1]);
        assert_eq!(score.value(j), i as f64 / 2.0);
    }
    let dup = strings(&r, "duplicate_of");
    for d in &dup {
        assert!(kept_ids.contains(d), "{d} is not kept");
    }
    let clusters = r
        .column_by_name("cluster")
        .unwrap()
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    assert!(clusters.iter().all(|c| c.unwrap() >= 1));
    // The kept rows in input order.
    let order: Vec<usize> = kept_ids.iter().map(|id| by_id[id.as_str()]).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[test]
fn bad_rows_are_counted_with_their_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let schema = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, true),
    ]);
    let text = "The central bank kept its key interest rate unchanged on Tuesday, saying the \
                economy was recovering moderately while prices rose.";
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(StringArray::from(vec!["a", "b", "c", "d"])),
            Arc::new(StringArray::from(vec![Some(text), None, Some(text), None])),
        ],
    )
    .unwrap();
    let pq = dir.path().join("bad.parquet");
    write_parquet(&pq, &batch, 3);
    let (kept, removed, summary) = (
        dir.path().join("k.parquet"),
        dir.path().join("r.parquet"),
        dir.path().join("s.json"),
    );
    let out = run_ok(&[
        "dedupe",
        s(&pq),
        "-o",
        s(&kept),
        "--removed",
        s(&removed),
        "--summary",
        s(&summary),
    ]);
    let err = stderr(&out);
    assert!(
        err.contains("bad.parquet: row 2: field \"text\" is null"),
        "{err}"
    );
    assert!(err.contains("row 4"), "{err}");
    let acc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let acc = &acc["accounting"];
    assert_eq!(
        (
            &acc["read"],
            &acc["kept"],
            &acc["removed"],
            &acc["rejected"]
        ),
        (
            &serde_json::json!(4),
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(2)
        )
    );
    assert_eq!(strings(&read_parquet(&kept), "id"), ["a"]);
    assert_eq!(strings(&read_parquet(&removed), "duplicate_of"), ["a"]);
    // --strict stops at the first bad row, naming it.
    let out = run(&["cluster", "--strict", s(&pq)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("row 2"), "{}", stderr(&out));
}

#[test]
fn dedupe_of_parquet_to_json_lines_writes_each_row_as_its_line_of_json() {
    let dir = tempfile::tempdir().unwrap();
    // No id column: the kept row that the removed one names gets the id it is named by.
    let schema = Schema::new(vec![
        Field::new("n", DataType::Int64, false),
        Field::new("body", DataType::Utf8, false),
    ]);
    let text = "The central bank kept its key interest rate unchanged on Tuesday, saying \
                \"the economy\" was recovering\nmoderately while prices rose.";
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(Int64Array::from(vec![7, 8])),
            Arc::new(StringArray::from(vec![text, text])),
        ],
    )
    .unwrap();
    let pq = dir.path().join("rows.parquet");
    write_parquet(&pq, &batch, 10);
    let (kept, removed) = (dir.path().join("k.jsonl"), dir.path().join("r.jsonl"));
    run_ok(&[
        "dedupe",
        "--text-field",
        "body",
        "--title-field",
        "n",
        s(&pq),
        "-o",
        s(&kept),
        "--removed",
        s(&removed),
    ]);
    let line = |p: &Path| -> serde_json::Value {
        let all = std::fs::read_to_string(p).unwrap();
        assert_eq!(all.lines().count(), 1, "{all}");
        serde_json::from_str(all.trim_end()).unwrap()
    };
    let (k, r) = (line(&kept), line(&removed));
    let id = k["id"].as_str().expect("an id given to the named row");
    assert!(id.contains("rows.parquet"), "{k}");
    assert_eq!(
        (&k["n"], &k["body"]),
        (&serde_json::json!(7), &serde_json::json!(text))
    );
    assert_eq!(
        (&r["n"], &r["body"], &r["duplicate_of"]),
        (
            &serde_json::json!(8),
            &serde_json::json!(text),
            &serde_json::json!(id)
        )
    );
}

#[test]
fn parquet_outputs_are_refused_before_the_run_when_they_cannot_keep_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let jl = dir.path().join("in.jsonl");
    std::fs::copy(common::seed_articles(), &jl).unwrap();
    let kept = dir.path().join("kept.parquet");
    // JSON Lines in: no columns to keep.
    let out = run(&["dedupe", s(&jl), "-o", s(&kept)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a Parquet file"),
        "{}",
        stderr(&out)
    );
    // One output Parquet, the other not.
    let rows = generated(dir.path(), 20);
    let pq = dir.path().join("in.parquet");
    write_parquet(&pq, &table(&rows), 100);
    let out = run(&[
        "dedupe",
        "--text-field",
        "body",
        s(&pq),
        "-o",
        s(&kept),
        "--removed",
        s(&dir.path().join("removed.jsonl")),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--removed"), "{}", stderr(&out));
    // An output named as the input.
    let before = std::fs::read(&pq).unwrap();
    let out = run(&["dedupe", "--text-field", "body", s(&pq), "-o", s(&pq)]);
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&pq).unwrap(), before);
    assert!(!kept.exists());
}
