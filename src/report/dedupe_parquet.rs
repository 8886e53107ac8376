//! The dedupe outputs as Parquet: the input's rows with every column and its schema.
//!
//! Owns: checking that the inputs can give Parquet outputs (every input a Parquet file, all of
//! one schema), and writing the kept rows, and the removed rows with `duplicate_of` (the kept
//! copy's id) and `cluster` (its cluster number) added, by reading each input file again a
//! batch of rows at a time. Must not: change a kept row, or hold more than a batch of rows and
//! a row group of output.
//!
//! Rows that are not documents (a null text, a text that is not text) are in neither output,
//! as rejected lines are not in the JSON Lines outputs: `read = kept + removed + rejected`.

use crate::error::{Error, Result};
use crate::input::{Format, InputSet};
use crate::outcome::{Accounting, Outcome};
use crate::report::parquet::ParquetStream;
use arrow_array::{ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::io::Write;
use std::sync::Arc;

/// Rows read (and written) together.
const BATCH_ROWS: usize = 4096;

/// True when `path` names a Parquet output (it ends with `.parquet`, in any case).
pub fn is_parquet_output(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// The schema the Parquet outputs keep: the one schema of the inputs, every one of which must
/// be a Parquet file (read before the run, so that a run is not made for outputs that cannot
/// be written). `option` names the output asked for, in the error.
///
/// # Errors
/// [`Error::Config`] when an input is not Parquet or the files' schemas differ; an input error
/// when a file cannot be read.
pub fn input_schema(inputs: &InputSet, option: &'static str) -> Result<SchemaRef> {
    let mut schema: Option<(SchemaRef, String)> = None;
    for i in 0..inputs.len() as u32 {
        let name = crate::text_safety::for_people(inputs.name(i), crate::text_safety::Layout::Line)
            .into_owned();
        let not_parquet = || Error::Config {
            field: option,
            expected: "Parquet inputs, whose columns a Parquet output keeps (for other inputs, \
                       write JSON Lines)"
                .into(),
            got: format!("{name}, which is not a Parquet file"),
        };
        let path = match (inputs.format(i), inputs.path(i)) {
            (Format::Parquet, Some(path)) => path,
            _ => return Err(not_parquet()),
        };
        let file = std::fs::File::open(path).map_err(|e| Error::input(path, e))?;
        let got = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| Error::input(path, std::io::Error::other(e.to_string())))?
            .schema()
            .clone();
        match &schema {
            None => schema = Some((got, name)),
            Some((first, first_name)) if first.fields() != got.fields() => {
                return Err(Error::Config {
                    field: option,
                    expected: "Parquet inputs of one schema, which the output keeps".into(),
                    got: format!("{first_name} and {name}, whose columns differ"),
                })
            }
            Some(_) => {}
        }
    }
    schema.map(|(s, _)| s).ok_or_else(|| Error::Config {
        field: option,
        expected: "at least one Parquet input".into(),
        got: "no input".into(),
    })
}

/// The schema of the removed rows: the input's, without any `duplicate_of` or `cluster`
/// column it had, then those two.
fn removed_schema(input: &Schema) -> SchemaRef {
    let mut fields: Vec<Arc<Field>> = input
        .fields()
        .iter()
        .filter(|f| f.name() != "duplicate_of" && f.name() != "cluster")
        .cloned()
        .collect();
    fields.push(Arc::new(Field::new("duplicate_of", DataType::Utf8, false)));
    fields.push(Arc::new(Field::new("cluster", DataType::Int64, false)));
    Arc::new(Schema::new_with_metadata(fields, input.metadata().clone()))
}

/// One Parquet output being written.
struct Out<'a> {
    stream: ParquetStream,
    to: &'a mut (dyn Write + Send),
    name: &'a str,
}

impl Out<'_> {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.stream
            .write(batch, self.to)
            .map_err(|e| Error::output(self.name, e))
    }

    fn close(self) -> Result<()> {
        let name = self.name;
        self.stream
            .finish(self.to)
            .map_err(|e| Error::output(name, e))
    }
}

/// Writes the rows of the documents kept to `kept` and of those removed to `removed` (when
/// given) with `duplicate_of` and `cluster`, as Parquet of the inputs' schema (see
/// [`input_schema`]), reading each input file again in input order. Returns the accounting,
/// which balances as [`super::dedupe::write_dedupe`]'s does.
///
/// # Errors
/// An input that changed since the first pass ([`Error::InputChanged`]) or cannot be read, and
/// an output that cannot be written.
pub fn write_dedupe_parquet<'a>(
    inputs: &InputSet,
    outcome: &Outcome,
    schema: SchemaRef,
    kept: &'a mut (dyn Write + Send),
    removed: Option<&'a mut (dyn Write + Send)>,
    kept_name: &'a str,
    removed_name: &'a str,
) -> Result<Accounting> {
    let fate = super::dedupe::removals(outcome);
    let meta = &outcome.meta;
    let mut counts = Accounting::before_writing(&outcome.counts);
    let open = |to, schema: SchemaRef, name| -> Result<Out<'a>> {
        let stream = ParquetStream::new(schema, &[]).map_err(|e| Error::output(name, e))?;
        Ok(Out { stream, to, name })
    };
    let mut kept_out = open(kept, schema.clone(), kept_name)?;
    let removed_schema = removed_schema(&schema);
    let mut removed_out = removed
        .map(|w| open(w, removed_schema.clone(), removed_name))
        .transpose()?;
    // The documents in input order: `next` is the first not yet met.
    let mut next = 0usize;
    for i in 0..inputs.len() as u32 {
        let changed = |message: String| Error::InputChanged {
            path: inputs.name(i).to_string(),
            message,
        };
        let file = inputs.reopen_parquet(i)?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| changed(e.to_string()))?
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| changed(e.to_string()))?;
        let mut row = 0u64;
        for batch in reader {
            let batch = batch.map_err(|e| changed(e.to_string()))?;
            if batch.schema().fields() != schema.fields() {
                return Err(changed("its columns changed since it was read".into()));
            }
            let n = batch.num_rows();
            let mut keep = Vec::with_capacity(n);
            let mut gone = Vec::with_capacity(n);
            let mut duplicate_of = Vec::new();
            let mut cluster = Vec::new();
            for _ in 0..n {
                row += 1;
                let doc = meta
                    .get(next)
                    .filter(|m| m.location.input == i && m.location.line == row)
                    .map(|_| next);
                let (k, g) = match doc.map(|d| (d, fate[d])) {
                    None => (false, false),
                    Some((_, None)) => (true, false),
                    Some((_, Some((c, canonical)))) => {
                        duplicate_of.push(meta[canonical as usize].id.as_str());
                        cluster.push(i64::from(c));
                        (false, true)
                    }
                };
                if doc.is_some() {
                    next += 1;
                }
                counts.kept += u64::from(k);
                counts.removed += u64::from(g);
                keep.push(k);
                gone.push(g);
            }
            let filter = |mask: Vec<bool>| {
                arrow_select::filter::filter_record_batch(&batch, &BooleanArray::from(mask))
                    .map_err(|e| changed(e.to_string()))
            };
            kept_out.write(&filter(keep)?)?;
            if let Some(out) = removed_out.as_mut() {
                let rows = filter(gone)?;
                let mut columns: Vec<ArrayRef> = Vec::with_capacity(rows.num_columns() + 2);
                for (f, c) in schema.fields().iter().zip(rows.columns()) {
                    if f.name() != "duplicate_of" && f.name() != "cluster" {
                        columns.push(c.clone());
                    }
                }
                columns.push(Arc::new(StringArray::from(duplicate_of)));
                columns.push(Arc::new(Int64Array::from(cluster)));
                let rows = RecordBatch::try_new(removed_schema.clone(), columns)
                    .map_err(|e| changed(e.to_string()))?;
                out.write(&rows)?;
            }
        }
        // Every document of this input was met again.
        if meta.get(next).is_some_and(|m| m.location.input == i) {
            return Err(changed(format!(
                "it has fewer rows ({row}) than when it was read"
            )));
        }
    }
    kept_out.close()?;
    if let Some(out) = removed_out {
        out.close()?;
    }
    assert!(counts.balances(), "{counts:?}");
    assert_eq!(counts, Accounting::of(&outcome.counts));
    Ok(counts)
}
