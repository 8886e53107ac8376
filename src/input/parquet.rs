//! Parquet files as inputs: each row becomes one unit, read by the rules of JSON Lines.
//!
//! Owns: recognising a Parquet file (`PAR1` at its start), finding the configured fields among
//! its columns (a top-level column by its name, or a field inside a struct column by a dotted
//! path, `meta.url`), reading only those columns a batch of rows at a time (a row group's
//! pages at most are held), and writing each row as one unit: a JSON object of the fields
//! other than the text, keyed by the configured field names, then the text as it is
//! ([`write_row`]). [`parse_row`] reads the object by the rules of JSON Lines, so every rule
//! about fields holds alike, and takes the text without escaping or parsing it; [`row_json`]
//! makes the line of JSON Lines a row would be. Must not: keep more than a batch of rows.
//!
//! Values: strings (`Utf8`, `LargeUtf8`, `Utf8View`, dictionary-encoded strings, and binary
//! columns holding UTF-8) as strings; integers and floats as numbers; booleans as booleans;
//! dates as `YYYY-MM-DD` and timestamps as RFC 3339 in UTC; a list of strings (a text held as
//! paragraphs) as its items joined by blank lines. A null is a missing field. A row is a bad
//! unit, with a message, when its text is null or not text, when a field is of a type not read
//! (a struct named whole, a map), when it is longer than `--max-line-bytes`, or when the file
//! cannot be read further (the rest of the file is then one bad unit).

use super::jsonl::write_json_str;
use crate::config::FieldNames;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Schema, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::fmt::Write as _;
use std::fs::File;
use std::io::Write;

/// The magic bytes a Parquet file starts (and ends) with.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// Rows decoded together.
const BATCH_ROWS: usize = 256;

/// True when `head` (the first bytes of a file) is the start of a Parquet file.
pub fn is_parquet(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// One configured field and where it is in the file.
#[derive(Debug)]
struct Wanted {
    /// The field name as configured: the key written.
    key: String,
    /// The top-level column, then the names of the struct fields down to the value.
    path: Vec<String>,
    /// True for the text field.
    text: bool,
}

/// Where the field `name` is among the columns of `schema`: a column of that very name, or a
/// dotted path through struct columns.
fn locate(schema: &Schema, name: &str) -> Option<Vec<String>> {
    if schema.field_with_name(name).is_ok() {
        return Some(vec![name.to_string()]);
    }
    let mut parts = name.split('.');
    let mut field = schema.field_with_name(parts.next()?).ok()?;
    let mut path = vec![field.name().clone()];
    for part in parts {
        let DataType::Struct(children) = field.data_type() else {
            return None;
        };
        field = children.iter().find(|f| f.name() == part)?;
        path.push(part.to_string());
    }
    Some(path)
}

/// The column at `path` in `batch` (null where a struct above it is null).
fn column(batch: &RecordBatch, path: &[String]) -> Option<ArrayRef> {
    let mut col = batch.column_by_name(&path[0])?.clone();
    for part in &path[1..] {
        let s: &StructArray = col.as_struct_opt()?;
        let child = s.column_by_name(part)?.clone();
        // A null struct makes its fields null, whatever the child holds.
        col = match s.nulls() {
            Some(nulls) if nulls.null_count() > 0 => {
                let merged = arrow_buffer::NullBuffer::union(Some(nulls), child.nulls());
                arrow_array::make_array(child.to_data().into_builder().nulls(merged).build().ok()?)
            }
            _ => child,
        };
    }
    Some(col)
}

/// One value of a row, as it is written.
enum Value<'a> {
    Null,
    Str(std::borrow::Cow<'a, str>),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    /// Not a type this reader reads: its name.
    Unread(String),
    /// Bytes that are not UTF-8.
    NotUtf8,
}

/// The value at row `i` of `col`.
fn value(col: &dyn Array, i: usize) -> Value<'_> {
    if col.is_null(i) {
        return Value::Null;
    }
    fn text(b: &[u8]) -> Value<'_> {
        match std::str::from_utf8(b) {
            Ok(s) => Value::Str(s.into()),
            Err(_) => Value::NotUtf8,
        }
    }
    match col.data_type() {
        DataType::Utf8 => Value::Str(col.as_string::<i32>().value(i).into()),
        DataType::LargeUtf8 => Value::Str(col.as_string::<i64>().value(i).into()),
        DataType::Utf8View => Value::Str(col.as_string_view().value(i).into()),
        DataType::Binary => text(col.as_binary::<i32>().value(i)),
        DataType::LargeBinary => text(col.as_binary::<i64>().value(i)),
        DataType::BinaryView => text(col.as_binary_view().value(i)),
        DataType::Dictionary(_, _) => {
            let d = col.as_any_dictionary();
            // The key of row `i`, read where it stands (no slice, no copy).
            let key = d.keys();
            let at = match key.data_type() {
                DataType::Int8 => key.as_primitive::<Int8Type>().value(i) as usize,
                DataType::Int16 => key.as_primitive::<Int16Type>().value(i) as usize,
                DataType::Int32 => key.as_primitive::<Int32Type>().value(i) as usize,
                DataType::Int64 => key.as_primitive::<Int64Type>().value(i) as usize,
                DataType::UInt8 => key.as_primitive::<UInt8Type>().value(i) as usize,
                DataType::UInt16 => key.as_primitive::<UInt16Type>().value(i) as usize,
                DataType::UInt32 => key.as_primitive::<UInt32Type>().value(i) as usize,
                DataType::UInt64 => key.as_primitive::<UInt64Type>().value(i) as usize,
                other => return Value::Unread(format!("a dictionary keyed by {other}")),
            };
            value(d.values().as_ref(), at)
        }
        DataType::Int8 => Value::Int(col.as_primitive::<Int8Type>().value(i).into()),
        DataType::Int16 => Value::Int(col.as_primitive::<Int16Type>().value(i).into()),
        DataType::Int32 => Value::Int(col.as_primitive::<Int32Type>().value(i).into()),
        DataType::Int64 => Value::Int(col.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => Value::UInt(col.as_primitive::<UInt8Type>().value(i).into()),
        DataType::UInt16 => Value::UInt(col.as_primitive::<UInt16Type>().value(i).into()),
        DataType::UInt32 => Value::UInt(col.as_primitive::<UInt32Type>().value(i).into()),
        DataType::UInt64 => Value::UInt(col.as_primitive::<UInt64Type>().value(i)),
        DataType::Float32 => Value::Float(col.as_primitive::<Float32Type>().value(i).into()),
        DataType::Float64 => Value::Float(col.as_primitive::<Float64Type>().value(i)),
        DataType::Boolean => Value::Bool(col.as_boolean().value(i)),
        DataType::Date32 => {
            let days = col
                .as_primitive::<arrow_array::types::Date32Type>()
                .value(i);
            date_of(i64::from(days) * 86_400, 0, false)
        }
        DataType::Date64 => {
            let ms = col
                .as_primitive::<arrow_array::types::Date64Type>()
                .value(i);
            date_of(ms.div_euclid(1000), 0, false)
        }
        DataType::Timestamp(unit, _) => {
            use arrow_array::types::{
                TimestampMicrosecondType as Us, TimestampMillisecondType as Ms,
                TimestampNanosecondType as Ns, TimestampSecondType as S,
            };
            let (secs, nanos) = match unit {
                TimeUnit::Second => (col.as_primitive::<S>().value(i), 0),
                TimeUnit::Millisecond => {
                    let v = col.as_primitive::<Ms>().value(i);
                    (v.div_euclid(1_000), v.rem_euclid(1_000) * 1_000_000)
                }
                TimeUnit::Microsecond => {
                    let v = col.as_primitive::<Us>().value(i);
                    (v.div_euclid(1_000_000), v.rem_euclid(1_000_000) * 1_000)
                }
                TimeUnit::Nanosecond => {
                    let v = col.as_primitive::<Ns>().value(i);
                    (v.div_euclid(1_000_000_000), v.rem_euclid(1_000_000_000))
                }
            };
            date_of(secs, nanos as u32, true)
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let items = match col.data_type() {
                DataType::List(_) => col.as_list::<i32>().value(i),
                _ => col.as_list::<i64>().value(i),
            };
            let mut joined = String::new();
            for k in 0..items.len() {
                match value(items.as_ref(), k) {
                    Value::Null => {}
                    Value::Str(s) => {
                        if !joined.is_empty() {
                            joined.push_str("\n\n");
                        }
                        joined.push_str(&s);
                    }
                    Value::NotUtf8 => return Value::NotUtf8,
                    _ => return Value::Unread(format!("a list of {}", items.data_type())),
                }
            }
            Value::Str(joined.into())
        }
        other => Value::Unread(other.to_string()),
    }
}

/// A date (`with_time` false) or an RFC 3339 time in UTC.
fn date_of(secs: i64, nanos: u32, with_time: bool) -> Value<'static> {
    use chrono::{Datelike, Timelike};
    match chrono::DateTime::from_timestamp(secs, nanos) {
        // Written field by field (chrono's format reads its pattern again for every value).
        Some(t) if (0..=9999).contains(&t.year()) => {
            let mut s = String::with_capacity(20);
            let _ = write!(s, "{:04}-{:02}-{:02}", t.year(), t.month(), t.day());
            if with_time {
                let _ = write!(s, "T{:02}:{:02}:{:02}Z", t.hour(), t.minute(), t.second());
            }
            Value::Str(s.into())
        }
        Some(t) if with_time => Value::Str(t.format("%Y-%m-%dT%H:%M:%SZ").to_string().into()),
        Some(t) => Value::Str(t.format("%Y-%m-%d").to_string().into()),
        None => Value::Unread("a date out of range".into()),
    }
}

/// Bytes of the length that starts a row: see [`write_row`].
const HEAD: usize = 4;

/// Writes row `i` of `columns` (one per wanted field, `None` when the file has no such
/// column) into `out` as one unit: the length of what follows the text excluded (4 bytes,
/// little-endian), a JSON object of the fields other than the text, then the text as it is.
/// The fields other than the text are few and short, so they keep the JSON Lines rules (ids
/// that are integers, values of other types) while the text is neither escaped here nor parsed
/// again ([`parse_row`]). The error says what is wrong with the row.
fn write_row(
    wanted: &[Wanted],
    columns: &[Option<ArrayRef>],
    i: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let head = out.len();
    out.extend_from_slice(&[0; HEAD]);
    out.push(b'{');
    let mut first = true;
    let mut text: Option<std::borrow::Cow<'_, str>> = None;
    for (w, col) in wanted.iter().zip(columns) {
        let v = col.as_ref().map_or(Value::Null, |c| value(c.as_ref(), i));
        let write_key = |out: &mut Vec<u8>, first: &mut bool| {
            if !*first {
                out.push(b',');
            }
            *first = false;
            write_json_str(out, &w.key);
            out.push(b':');
        };
        match v {
            Value::Null if w.text => return Err(format!("field {:?} is null", w.key)),
            Value::Null => {}
            Value::Str(s) if w.text => text = Some(s),
            Value::Str(s) => {
                write_key(out, &mut first);
                write_json_str(out, &s);
            }
            Value::NotUtf8 => {
                return Err(format!(
                    "field {:?} holds bytes that are not UTF-8 text",
                    w.key
                ))
            }
            Value::Unread(kind) => {
                return Err(format!(
                    "field {:?} is a column of type {kind}, which neardup does not read{}",
                    w.key,
                    if kind.starts_with("Struct") {
                        " (name a field inside it: --*-field COLUMN.FIELD)"
                    } else {
                        ""
                    }
                ))
            }
            // The text must be text; other fields as JSON Lines would hold them.
            Value::Int(_) | Value::UInt(_) | Value::Float(_) | Value::Bool(_) if w.text => {
                let kind = col
                    .as_ref()
                    .map_or(DataType::Null, |c| c.data_type().clone());
                return Err(format!(
                    "field {:?} must be text, got a column of type {kind}",
                    w.key
                ));
            }
            Value::Int(n) => {
                write_key(out, &mut first);
                write!(out, "{n}").expect("writing to memory");
            }
            Value::UInt(n) => {
                write_key(out, &mut first);
                write!(out, "{n}").expect("writing to memory");
            }
            Value::Float(x) => {
                write_key(out, &mut first);
                serde_json::to_writer(&mut *out, &x).expect("writing to memory");
            }
            Value::Bool(b) => {
                write_key(out, &mut first);
                out.extend_from_slice(if b { b"true" } else { b"false" });
            }
        }
    }
    out.push(b'}');
    let object = u32::try_from(out.len() - head - HEAD)
        .map_err(|_| "fields other than the text longer than 4 GiB".to_string())?;
    out[head..head + HEAD].copy_from_slice(&object.to_le_bytes());
    // Every row has its text: a null one, or a file without the column, was refused above.
    if let Some(text) = text {
        out.extend_from_slice(text.as_bytes());
    }
    Ok(())
}

/// A row as [`write_row`] wrote it: its JSON object of the other fields, and its text.
fn split_row(bytes: &[u8]) -> Result<(&str, &str), String> {
    let broken = || "not a row as it was read".to_string();
    let head: [u8; HEAD] = bytes
        .get(..HEAD)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(broken)?;
    let end = HEAD
        .checked_add(u32::from_le_bytes(head) as usize)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(broken)?;
    let object = std::str::from_utf8(&bytes[HEAD..end]).map_err(|_| broken())?;
    let text = simdutf8::basic::from_utf8(&bytes[end..]).map_err(|_| broken())?;
    Ok((object, text))
}

/// The record of a row that [`read_rows`] gave: the fields other than the text read by the
/// rules of JSON Lines ([`super::jsonl::parse_record_with_text`]), the text as it is.
pub fn parse_row(bytes: &[u8], fields: &FieldNames) -> Result<crate::document::Record, String> {
    let (object, text) = split_row(bytes)?;
    super::jsonl::parse_record_with_text(object, fields, text.to_string())
}

/// A row that [`read_rows`] gave as one JSON object, the text last under its configured name:
/// what a line of JSON Lines holding the same fields would be.
pub fn row_json(bytes: &[u8], fields: &FieldNames) -> Result<Vec<u8>, String> {
    let (object, text) = split_row(bytes)?;
    let inner = object
        .strip_prefix('{')
        .and_then(|o| o.strip_suffix('}'))
        .ok_or_else(|| "not a row as it was read".to_string())?;
    let mut out = Vec::with_capacity(object.len() + text.len() + fields.text.len() + 8);
    out.push(b'{');
    out.extend_from_slice(inner.as_bytes());
    if !inner.is_empty() {
        out.push(b',');
    }
    write_json_str(&mut out, &fields.text);
    out.push(b':');
    write_json_str(&mut out, text);
    out.push(b'}');
    Ok(out)
}

/// Where [`read_rows`] puts the rows: each row's unit is appended to [`RowSink::data`], then
/// [`RowSink::row`] is told of it.
pub trait RowSink {
    /// The buffer the next row is appended to.
    fn data(&mut self) -> &mut Vec<u8>;

    /// Row `row` (from 1): its bytes are `data()[start..]` (read them with [`parse_row`] or
    /// [`row_json`]), or what is wrong with it
    /// (nothing of it was left in `data()`). False to stop reading.
    fn row(&mut self, row: u64, start: usize, given: Result<(), String>) -> bool;
}

/// Reads the Parquet file `file` and appends each row to `sink`, as one unit with the fields of
/// `fields` (see [`write_row`]), or tells what is wrong with it: a row whose unit would be longer than
/// `max_line` bytes, or, after the last row read, the rest of a file that cannot be read
/// further (the row number is then that of the first row not read). Stops when the sink says
/// so, and returns what it last said.
pub fn read_rows(
    file: File,
    fields: &FieldNames,
    max_line: usize,
    sink: &mut impl RowSink,
) -> bool {
    fn unit(sink: &mut impl RowSink, row: u64, message: String) -> bool {
        let start = sink.data().len();
        sink.row(row, start, Err(message))
    }
    let builder = match ParquetRecordBatchReaderBuilder::try_new(file) {
        Ok(b) => b.with_batch_size(BATCH_ROWS),
        Err(e) => {
            return unit(
                sink,
                1,
                format!("not a readable Parquet file ({e}); the file is skipped"),
            )
        }
    };
    let schema = builder.schema().clone();
    let rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
    let mut wanted: Vec<Wanted> = Vec::new();
    for (key, text) in [
        (&fields.id, false),
        (&fields.title, false),
        (&fields.outlet, false),
        (&fields.date, false),
        (&fields.url, false),
        (&fields.text, true),
    ] {
        // A name given to two fields is read once (as a JSON object would hold it once).
        if let Some(w) = wanted.iter_mut().find(|w| w.key == *key) {
            w.text |= text;
            continue;
        }
        if let Some(path) = locate(&schema, key) {
            wanted.push(Wanted {
                key: key.clone(),
                path,
                text,
            });
        } else if text {
            // No text column: every row is a bad unit that says which columns there are.
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            let message = format!(
                "no column {:?} for the text (the file's columns: {}); name it with --text-field",
                key,
                names.join(", ")
            );
            for row in 1..=rows {
                if !unit(sink, row, message.clone()) {
                    return false;
                }
            }
            return true;
        }
    }
    let roots: Vec<usize> = wanted
        .iter()
        .filter_map(|w| schema.index_of(&w.path[0]).ok())
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = match builder.with_projection(mask).build() {
        Ok(r) => r,
        Err(e) => {
            return unit(
                sink,
                1,
                format!("not a readable Parquet file ({e}); the file is skipped"),
            )
        }
    };
    let mut row = 0u64;
    for batch in reader {
        let batch = match batch {
            Ok(b) => b,
            Err(e) => {
                return unit(
                    sink,
                    row + 1,
                    format!(
                        "cannot read further ({e}): the file is truncated or corrupt; the rest \
                         of it is skipped"
                    ),
                )
            }
        };
        let columns: Vec<Option<ArrayRef>> =
            wanted.iter().map(|w| column(&batch, &w.path)).collect();
        for i in 0..batch.num_rows() {
            row += 1;
            let data = sink.data();
            let start = data.len();
            let given = match write_row(&wanted, &columns, i, data) {
                Ok(()) if data.len() - start > max_line => Err(format!(
                    "row of {} bytes is longer than the limit of {max_line} bytes \
                     (--max-line-bytes); skipped",
                    data.len() - start
                )),
                given => given,
            };
            if given.is_err() {
                data.truncate(start);
            }
            if !sink.row(row, start, given) {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::builder::{StringDictionaryBuilder, StructBuilder};
    use arrow_array::types::Int32Type;
    use arrow_array::{Int64Array, LargeStringArray, StringArray};
    use arrow_schema::Field;
    use parquet::arrow::ArrowWriter;
    use std::sync::Arc;

    fn write(batch: RecordBatch) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut w = ArrowWriter::try_new(f.reopen().unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        f
    }

    /// Each row as the line of JSON Lines it would be ([`row_json`]), or `ERR` and its error.
    struct Collect<'a> {
        fields: &'a FieldNames,
        data: Vec<u8>,
        rows: Vec<(u64, String)>,
        units: Vec<Vec<u8>>,
    }

    impl RowSink for Collect<'_> {
        fn data(&mut self) -> &mut Vec<u8> {
            &mut self.data
        }
        fn row(&mut self, row: u64, start: usize, given: Result<(), String>) -> bool {
            let text = match given {
                Ok(()) => {
                    let unit = &self.data[start..];
                    self.units.push(unit.to_vec());
                    String::from_utf8(row_json(unit, self.fields).unwrap()).unwrap()
                }
                Err(m) => {
                    assert_eq!(self.data.len(), start);
                    format!("ERR {m}")
                }
            };
            self.rows.push((row, text));
            true
        }
    }

    /// The rows of `f` as [`Collect`] has them, and the units of those that are not bad.
    fn units_of(
        f: &tempfile::NamedTempFile,
        fields: &FieldNames,
    ) -> (Vec<(u64, String)>, Vec<Vec<u8>>) {
        let mut sink = Collect {
            fields,
            data: Vec::new(),
            rows: Vec::new(),
            units: Vec::new(),
        };
        read_rows(f.reopen().unwrap(), fields, 1 << 20, &mut sink);
        (sink.rows, sink.units)
    }

    fn rows_of(f: &tempfile::NamedTempFile, fields: &FieldNames) -> Vec<(u64, String)> {
        units_of(f, fields).0
    }

    #[test]
    fn rows_become_json_objects_with_the_configured_keys() {
        let mut outlet = StringDictionaryBuilder::<Int32Type>::new();
        outlet.append_value("AP");
        outlet.append_null();
        outlet.append_value("AP");
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("body", DataType::LargeUtf8, true),
            Field::new(
                "outlet",
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                true,
            ),
            Field::new("extra", DataType::Utf8, true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int64Array::from(vec![7, 8, 9])),
                Arc::new(LargeStringArray::from(vec![
                    Some("a \"q\""),
                    None,
                    Some("c"),
                ])),
                Arc::new(outlet.finish()),
                Arc::new(StringArray::from(vec!["x", "y", "z"])),
            ],
        )
        .unwrap();
        let f = write(batch);
        let fields = FieldNames {
            text: "body".into(),
            ..FieldNames::default()
        };
        let (got, units) = units_of(&f, &fields);
        assert_eq!(
            got,
            vec![
                (1, r#"{"id":7,"outlet":"AP","body":"a \"q\""}"#.to_string()),
                (2, r#"ERR field "body" is null"#.to_string()),
                (3, r#"{"id":9,"outlet":"AP","body":"c"}"#.to_string()),
            ]
        );
        // The unit and the line of JSON Lines it would be read alike.
        for (unit, (_, line)) in units.iter().zip([&got[0], &got[2]]) {
            let rec = parse_row(unit, &fields).unwrap();
            assert_eq!(
                Ok(rec),
                crate::input::jsonl::parse_record(line.as_bytes(), &fields)
            );
        }
        let rec = parse_row(&units[0], &fields).unwrap();
        assert_eq!(rec.text, "a \"q\"");
        assert_eq!(rec.id.as_deref(), Some("7"));
        assert_eq!(rec.outlet.as_deref(), Some("AP"));
        // A unit cut short, or with a length past its end, is not a row.
        for bad in [&units[0][..2], &[200, 0, 0, 0, b'{', b'}'][..]] {
            assert_eq!(
                parse_row(bad, &fields).unwrap_err(),
                "not a row as it was read"
            );
        }
    }

    #[test]
    fn a_dotted_name_reaches_into_a_struct_and_a_missing_text_column_is_named() {
        let meta_fields = vec![Field::new("url", DataType::Utf8, true)];
        let mut meta = StructBuilder::from_fields(meta_fields.clone(), 2);
        for (url, valid) in [(Some("https://a.example/1"), true), (None, false)] {
            meta.field_builder::<arrow_array::builder::StringBuilder>(0)
                .unwrap()
                .append_option(url);
            meta.append(valid);
        }
        let schema = Schema::new(vec![
            Field::new("text", DataType::Utf8, true),
            Field::new("meta", DataType::Struct(meta_fields.into()), true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec!["one", "two"])),
                Arc::new(meta.finish()),
            ],
        )
        .unwrap();
        let f = write(batch);
        let fields = FieldNames {
            url: "meta.url".into(),
            ..FieldNames::default()
        };
        assert_eq!(
            rows_of(&f, &fields),
            vec![
                (
                    1,
                    r#"{"meta.url":"https://a.example/1","text":"one"}"#.into()
                ),
                (2, r#"{"text":"two"}"#.into()),
            ]
        );
        let fields = FieldNames {
            text: "content".into(),
            ..FieldNames::default()
        };
        let got = rows_of(&f, &fields);
        assert_eq!(got.len(), 2);
        assert!(got[1].1.contains("no column \"content\""), "{got:?}");
        assert!(got[1].1.contains("text, meta"), "{got:?}");
    }

    proptest::proptest! {
        #[test]
        fn dates_written_field_by_field_read_as_chrono_writes_them(
            secs in -62_000_000_000i64..260_000_000_000,
            nanos in 0u32..1_000_000_000,
        ) {
            let t = chrono::DateTime::from_timestamp(secs, nanos).unwrap();
            for (with_time, pattern) in [(false, "%Y-%m-%d"), (true, "%Y-%m-%dT%H:%M:%SZ")] {
                let Value::Str(got) = date_of(secs, nanos, with_time) else {
                    panic!("a date in range");
                };
                proptest::prop_assert_eq!(got.as_ref(), t.format(pattern).to_string());
            }
        }

    }

    #[test]
    fn a_file_that_is_not_parquet_is_one_bad_unit() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"PAR1 but nothing else").unwrap();
        let got = rows_of(&f, &FieldNames::default());
        assert_eq!(got.len(), 1);
        assert!(
            got[0].1.starts_with("ERR not a readable Parquet file"),
            "{got:?}"
        );
    }
}
