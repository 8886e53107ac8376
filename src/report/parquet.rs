//! The Parquet view: one row per cluster member, typed, for pandas, Polars and Spark.
//!
//! Owns: the Arrow schema of the members table ([`members_schema`]), the rows of one cluster
//! ([`member_rows`]), their record batches ([`members_batch`]), the shared writer settings
//! ([`writer_properties`]) and a writer that streams batches to any [`Write`] a row group at a
//! time ([`ParquetStream`]). Must not: hold anything the CSV view does not (it is the same flat
//! view of a [`Report`], typed).
//!
//! Columns, in the order of [`super::csv::COLUMNS`]:
//!
//! | column | type | null when |
//! |---|---|---|
//! | `cluster` | Int64 | never |
//! | `id` | Utf8 | never |
//! | `outlet` | Utf8 | the record has no outlet |
//! | `title` | Utf8 | no headline |
//! | `date` | Utf8 (as given) | no date |
//! | `wire` | Utf8 (short name, the cluster's) | no wire service |
//! | `jaccard` | Float64 | never |
//! | `containment` | Float64 | never |
//! | `canonical` | Boolean | never |
//! | `reference` | Boolean | never |
//! | `url` | Utf8 | no URL |
//! | `input` | Utf8 (file name) | never |
//! | `line` | Int64 | never |
//! | `changes` | Utf8 (one-line summary) | the reference copy itself |
//!
//! Integers are signed (Spark has no unsigned types). Text is stored as read, without the
//! spreadsheet defusing or the escaping of the people-facing views: a Parquet file is data for
//! programs, and whoever shows its ids, titles or URLs to a person escapes them there.

use super::{ClusterRecord, Report};
use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::WriterProperties;
use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use std::io::{self, Write};
use std::sync::Arc;

/// A row group is written out once its rows reach this many encoded bytes (or
/// [`ROW_GROUP_ROWS`] rows). A writer holds several times this in memory (the pages, their
/// buffers, the group as it is written out): `dedupe` of 100,000 articles to two Parquet
/// outputs peaked at 181 MB with 8 MB, 258 MB with 24 MB and 373 MB with 64 MB.
pub const ROW_GROUP_BYTES: usize = 8 << 20;

/// A row group is written out once it has this many rows (or [`ROW_GROUP_BYTES`] bytes).
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// The settings of every Parquet file neardup writes: Snappy compression, row groups of at
/// most [`ROW_GROUP_ROWS`] rows and about [`ROW_GROUP_BYTES`] bytes.
pub fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
        .build()
}

/// The schema of the members table (see the module docs).
pub fn members_schema() -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        Field::new("cluster", DataType::Int64, false),
        text("id", false),
        text("outlet", true),
        text("title", true),
        text("date", true),
        text("wire", true),
        Field::new("jaccard", DataType::Float64, false),
        Field::new("containment", DataType::Float64, false),
        Field::new("canonical", DataType::Boolean, false),
        Field::new("reference", DataType::Boolean, false),
        text("url", true),
        text("input", false),
        Field::new("line", DataType::Int64, false),
        text("changes", true),
    ]))
}

/// One row of the members table.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    /// Cluster number.
    pub cluster: i64,
    /// Document id.
    pub id: String,
    /// Outlet.
    pub outlet: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Date as given.
    pub date: Option<String>,
    /// The cluster's wire service (short name).
    pub wire: Option<&'static str>,
    /// Jaccard against the reference copy.
    pub jaccard: f64,
    /// Containment against the reference copy.
    pub containment: f64,
    /// The copy `dedupe` keeps.
    pub canonical: bool,
    /// The cluster's reference copy.
    pub reference: bool,
    /// URL.
    pub url: Option<String>,
    /// Input name.
    pub input: String,
    /// Line (or record) number in the input.
    pub line: i64,
    /// One-line summary of the changes against the reference (`None` for the reference).
    pub changes: Option<String>,
}

/// The rows of one cluster, one per member in input order.
pub fn member_rows(c: &ClusterRecord) -> Vec<MemberRow> {
    let wire = c.wire.as_ref().map(|w| w.name);
    c.members
        .iter()
        .map(|m| MemberRow {
            cluster: i64::from(c.cluster),
            id: m.id.clone(),
            outlet: m.outlet.clone(),
            title: m.title.clone(),
            date: m.date.clone(),
            wire,
            jaccard: m.jaccard,
            containment: m.containment,
            canonical: m.canonical,
            reference: m.reference,
            url: m.url.clone(),
            input: m.input.clone(),
            line: i64::try_from(m.line).unwrap_or(i64::MAX),
            changes: m.changes.as_ref().map(|ch| ch.summary()),
        })
        .collect()
}

/// The record batch of `rows`, in [`members_schema`].
pub fn members_batch<'a>(rows: impl IntoIterator<Item = &'a MemberRow>) -> RecordBatch {
    let mut cluster = Int64Builder::new();
    let mut text: [StringBuilder; 8] = Default::default();
    let (mut jaccard, mut containment) = (Float64Builder::new(), Float64Builder::new());
    let (mut canonical, mut reference) = (BooleanBuilder::new(), BooleanBuilder::new());
    let mut line = Int64Builder::new();
    for r in rows {
        cluster.append_value(r.cluster);
        let [id, outlet, title, date, wire, url, input, changes] = &mut text;
        id.append_value(&r.id);
        outlet.append_option(r.outlet.as_deref());
        title.append_option(r.title.as_deref());
        date.append_option(r.date.as_deref());
        wire.append_option(r.wire);
        jaccard.append_value(r.jaccard);
        containment.append_value(r.containment);
        canonical.append_value(r.canonical);
        reference.append_value(r.reference);
        url.append_option(r.url.as_deref());
        input.append_value(&r.input);
        line.append_value(r.line);
        changes.append_option(r.changes.as_deref());
    }
    let [mut id, mut outlet, mut title, mut date, mut wire, mut url, mut input, mut changes] = text;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(cluster.finish()),
        Arc::new(id.finish()),
        Arc::new(outlet.finish()),
        Arc::new(title.finish()),
        Arc::new(date.finish()),
        Arc::new(wire.finish()),
        Arc::new(jaccard.finish()),
        Arc::new(containment.finish()),
        Arc::new(canonical.finish()),
        Arc::new(reference.finish()),
        Arc::new(url.finish()),
        Arc::new(input.finish()),
        Arc::new(line.finish()),
        Arc::new(changes.finish()),
    ];
    RecordBatch::try_new(members_schema(), columns).expect("the columns follow the schema")
}

/// A Parquet file written as a stream: batches are encoded into row groups (at most one in
/// progress, bounded by [`writer_properties`]), and whatever is complete is handed to the
/// output passed to each call, so that the output needs no `Send` or lifetime of its own.
pub struct ParquetStream {
    writer: ArrowWriter<Vec<u8>>,
}

impl ParquetStream {
    /// A stream of `schema` with [`writer_properties`] and the key-value metadata `metadata`
    /// (written in the footer).
    ///
    /// # Errors
    /// A schema Parquet cannot hold.
    pub fn new(schema: SchemaRef, metadata: &[(&str, &str)]) -> io::Result<ParquetStream> {
        ParquetStream::with_properties(schema, writer_properties(), metadata)
    }

    /// [`ParquetStream::new`] with other writer settings.
    ///
    /// # Errors
    /// A schema Parquet cannot hold.
    pub fn with_properties(
        schema: SchemaRef,
        properties: WriterProperties,
        metadata: &[(&str, &str)],
    ) -> io::Result<ParquetStream> {
        let mut writer = ArrowWriter::try_new(Vec::new(), schema, Some(properties)).map_err(err)?;
        for (k, v) in metadata {
            writer.append_key_value_metadata(KeyValue::new(k.to_string(), v.to_string()));
        }
        Ok(ParquetStream { writer })
    }

    /// Appends `batch`, and writes to `out` the row groups it completed.
    ///
    /// # Errors
    /// A batch not of the stream's schema, or a failing `out`.
    pub fn write(&mut self, batch: &RecordBatch, out: &mut dyn Write) -> io::Result<()> {
        self.writer.write(batch).map_err(err)?;
        self.drain(out)
    }

    /// Writes the last row group and the footer to `out`.
    ///
    /// # Errors
    /// A failing `out`.
    pub fn finish(mut self, out: &mut dyn Write) -> io::Result<()> {
        self.writer.finish().map_err(err)?;
        self.drain(out)
    }

    /// Hands the bytes encoded so far to `out`. The writer counts the bytes it wrote itself,
    /// so taking them out of its buffer leaves its offsets right.
    fn drain(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.writer.sync()?;
        let bytes = std::mem::take(self.writer.inner_mut());
        out.write_all(&bytes)
    }
}

/// The key-value metadata of the members table: `neardup.schema_version` (of the report,
/// [`super::SCHEMA_VERSION`]) and `neardup.view` (`members`).
pub fn members_metadata() -> [(&'static str, String); 2] {
    [
        ("neardup.schema_version", super::SCHEMA_VERSION.to_string()),
        ("neardup.view", "members".to_string()),
    ]
}

/// A [`ParquetStream`] of the members table.
///
/// # Errors
/// None in practice (the schema is fixed); an encoder that cannot start.
pub fn members_stream() -> io::Result<ParquetStream> {
    let meta = members_metadata();
    let meta: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ParquetStream::new(members_schema(), &meta)
}

/// Writes the Parquet view of `report`: one row per member of every cluster, in cluster order.
///
/// # Errors
/// A failing `w`.
pub fn write_parquet(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let mut stream = members_stream()?;
    for chunk in report.clusters.chunks(2048) {
        let rows: Vec<MemberRow> = chunk.iter().flat_map(member_rows).collect();
        stream.write(&members_batch(&rows), w)?;
    }
    stream.finish(w)
}

fn err(e: ::parquet::errors::ParquetError) -> io::Error {
    io::Error::other(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn row(cluster: i64, id: &str) -> MemberRow {
        MemberRow {
            cluster,
            id: id.to_string(),
            outlet: Some("Outlet".into()),
            title: None,
            date: Some("2024-01-02".into()),
            wire: (cluster % 2 == 0).then_some("AP"),
            jaccard: 0.5,
            containment: 0.75,
            canonical: id.ends_with('0'),
            reference: id.ends_with('1'),
            url: None,
            input: "in.jsonl".into(),
            line: cluster * 10,
            changes: (!id.ends_with('1')).then(|| "caption added".to_string()),
        }
    }

    /// Row groups finished mid-stream are handed out as they complete, and the file put
    /// together from the pieces reads back whole: the footer's offsets count the bytes taken
    /// out of the buffer.
    #[test]
    fn a_stream_of_small_row_groups_reads_back_whole() {
        let props = writer_properties()
            .into_builder()
            .set_max_row_group_row_count(Some(3))
            .build();
        let mut stream =
            ParquetStream::with_properties(members_schema(), props, &[("k", "v")]).unwrap();
        let mut out = Vec::new();
        let mut want = Vec::new();
        let mut pieces = 0;
        for b in 0..4 {
            let rows: Vec<MemberRow> = (0..5).map(|i| row(b, &format!("d{b}{i}"))).collect();
            let before = out.len();
            stream.write(&members_batch(&rows), &mut out).unwrap();
            pieces += usize::from(out.len() > before);
            want.extend(rows);
        }
        assert!(pieces >= 3, "{pieces} writes handed bytes out");
        stream.finish(&mut out).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        std::fs::write(&path, &out).unwrap();
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(builder.metadata().num_row_groups(), 7);
        let kv = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap();
        assert!(kv
            .iter()
            .any(|k| k.key == "k" && k.value.as_deref() == Some("v")));
        let got: Vec<RecordBatch> = builder
            .with_batch_size(100)
            .build()
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(got, [members_batch(&want)]);
    }
}
