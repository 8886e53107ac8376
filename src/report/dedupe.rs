//! The dedupe outputs: kept records unchanged, removed records with where they went.
//!
//! Owns: choosing, for every document, kept or removed, and writing the input records again in
//! input order. Must not: change a kept JSON Lines record (its bytes are copied as read) or drop
//! a document: `read = kept + removed + rejected + skipped`.
//!
//! Inputs that are not JSON Lines are written as JSON Lines too: a `.json` file holding one
//! object is written on one line (the same object, compacted); a web archive record, an HTML
//! page or a text file is written as the document extracted from it, an object with the
//! configured field names (`id`, `title`, `outlet`, `date`, `url`, `text`; absent ones left
//! out). So `neardup dedupe crawl.warc.gz --out kept.jsonl` gives the deduplicated articles of
//! a crawl.

use crate::config::Config;
use crate::document::{DocMeta, Record};
use crate::error::{Error, Result};
use crate::input::reread::fetch_records;
use crate::input::{Format, InputSet};
use crate::outcome::{Accounting, Outcome};
use serde::de::{MapAccess, Visitor};
use serde::{Deserializer, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::io::Write;

/// The `--summary` file of `dedupe`: one JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// [`crate::report::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Always `"accounting"`.
    pub record: &'static str,
    /// Always `"neardup"`.
    pub tool: &'static str,
    /// Input names as given (`stdin` for `-`).
    pub inputs: Vec<String>,
    /// Where every line went.
    pub accounting: Accounting,
}

impl Summary {
    /// The summary of a dedupe pass over `inputs`.
    pub fn new(inputs: Vec<String>, accounting: Accounting) -> Summary {
        Summary {
            schema_version: crate::report::SCHEMA_VERSION,
            record: "accounting",
            tool: "neardup",
            inputs,
            accounting,
        }
    }
}

/// For each document, `Some((cluster number, canonical document))` when it is removed.
pub fn removals(outcome: &Outcome) -> Vec<Option<(u32, u32)>> {
    let mut out = vec![None; outcome.meta.len()];
    for sc in &outcome.clusters {
        let c = &sc.cluster;
        for &m in &c.members {
            if m != c.canonical {
                out[m as usize] = Some((c.number, c.canonical));
            }
        }
    }
    out
}

/// Adds `"duplicate_of"` and `"cluster"` to a JSON object line. The original bytes are kept and
/// the fields appended, unless the object already has fields of those names: then those are
/// replaced, every other field kept in order with its value as written. Any line
/// [`crate::input::jsonl::parse_record`] accepts can be annotated (the `jsonl` fuzz target
/// checks it).
pub fn annotate(line: &[u8], duplicate_of: &str, cluster: u32) -> Result<Vec<u8>, String> {
    let mut dup = Vec::with_capacity(duplicate_of.len() + 2);
    serde_json::to_writer(&mut dup, duplicate_of).map_err(|e| e.to_string())?;
    set_fields(
        line,
        &[
            ("duplicate_of", &dup),
            ("cluster", cluster.to_string().as_bytes()),
        ],
    )
}

/// Sets the field `name` of a JSON object line to the string `id`, as [`annotate`] sets its
/// fields: for a kept record that had no id (or a `null` one) and that a removed record names
/// by the id it was given.
pub fn with_id(line: &[u8], name: &str, id: &str) -> Result<Vec<u8>, String> {
    let mut value = Vec::with_capacity(id.len() + 2);
    serde_json::to_writer(&mut value, id).map_err(|e| e.to_string())?;
    set_fields(line, &[(name, &value)])
}

/// Byte order marks at the start of `bytes` left out: the reader accepts them, JSON does not.
fn without_boms(mut bytes: &[u8]) -> &[u8] {
    while let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        bytes = rest;
    }
    bytes
}

/// `line` with each field of `fields` (name, value as JSON text) set. The original bytes are
/// kept and the fields appended, unless the object already has fields of those names: then
/// those are replaced, every other field kept in order with its value as written.
fn set_fields(line: &[u8], fields: &[(&str, &[u8])]) -> Result<Vec<u8>, String> {
    let line = without_boms(line);
    let quoted: Vec<Vec<u8>> = fields
        .iter()
        .map(|(n, _)| serde_json::to_vec(n))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let has_name = |needle: &[u8]| line.windows(needle.len()).any(|w| w == needle);
    let extra: usize = fields.iter().map(|(n, v)| n.len() + v.len() + 4).sum();
    let mut out = Vec::with_capacity(line.len() + extra);
    let append = |out: &mut Vec<u8>| {
        for (i, (q, (_, value))) in quoted.iter().zip(fields).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(q);
            out.push(b':');
            out.extend_from_slice(value);
        }
        out.push(b'}');
    };
    if !quoted.iter().any(|q| has_name(q)) {
        let end = line
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .filter(|&i| line[i] == b'}')
            .ok_or_else(|| "not a JSON object".to_string())?;
        out.extend_from_slice(&line[..end]);
        let empty = line[..end].iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if !empty {
            out.push(b',');
        }
        append(&mut out);
        return Ok(out);
    }
    // Fields of those names already there: rewrite the object, each other field's value as it
    // was written (raw, so that no number is re-read out of range or rounded), in order.
    let old: Vec<(String, Box<RawValue>)> = serde_json::Deserializer::from_slice(line)
        .deserialize_map(FieldList)
        .map_err(|e| e.to_string())?;
    out.push(b'{');
    for (name, value) in old
        .iter()
        .filter(|(n, _)| !fields.iter().any(|(f, _)| f == n))
    {
        serde_json::to_writer(&mut out, name).map_err(|e| e.to_string())?;
        out.push(b':');
        out.extend_from_slice(value.get().as_bytes());
        out.push(b',');
    }
    append(&mut out);
    Ok(out)
}

/// Valid JSON without the whitespace between tokens (strings and numbers kept byte for byte);
/// a byte order mark in front is dropped.
fn compact_json(json: &[u8]) -> Vec<u8> {
    let json = without_boms(json);
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            continue;
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
    }
    out
}

/// The fields of a JSON object in order, values raw.
struct FieldList;

impl<'de> Visitor<'de> for FieldList {
    type Value = Vec<(String, Box<RawValue>)>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::new();
        while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
            fields.push(entry);
        }
        Ok(fields)
    }
}

/// True when the output record of a document in `format` is made from its extracted fields
/// rather than from its bytes.
fn extracted(format: Format) -> bool {
    matches!(format, Format::Text | Format::Html | Format::Warc)
}

/// The JSON Lines record written for a document read as `bytes` (and parsed again as `rec` when
/// [`extracted`] says so): the bytes themselves for JSON Lines, else one line of JSON (see the
/// module docs).
fn output_record<'a>(
    inputs: &InputSet,
    meta: &DocMeta,
    bytes: &'a [u8],
    rec: Option<Record>,
    config: &Config,
) -> Result<Cow<'a, [u8]>> {
    let changed = |message: String| Error::InputChanged {
        path: inputs.name(meta.location.input).to_string(),
        message,
    };
    match inputs.format(meta.location.input) {
        Format::Jsonl | Format::Json => Ok(Cow::Borrowed(bytes)),
        // A Parquet row as the JSON object of its configured fields.
        Format::Parquet => crate::input::parquet::row_json(bytes, &config.fields)
            .map(Cow::Owned)
            .map_err(changed),
        Format::JsonDoc => {
            // Checked without reading any value (a number out of range stays as written)...
            let body = without_boms(bytes);
            serde_json::from_slice::<serde::de::IgnoredAny>(body)
                .map_err(|e| changed(e.to_string()))?;
            // ...and written on one line, every value's text as it was.
            Ok(Cow::Owned(compact_json(bytes)))
        }
        Format::Text | Format::Html | Format::Warc => {
            let rec = rec.ok_or_else(|| changed("record not parsed again".into()))?;
            let f = &config.fields;
            // Written by hand to keep the fields in this order (a serde_json map sorts them);
            // a configured name used twice is written once, with the later value.
            let mut fields: Vec<(&str, String)> = vec![(f.id.as_str(), meta.id.clone())];
            for (name, value) in [
                (&f.title, rec.title),
                (&f.outlet, rec.outlet),
                (&f.date, rec.date),
                (&f.url, rec.url),
                (&f.text, Some(rec.text)),
            ] {
                if let Some(v) = value {
                    fields.retain(|(n, _)| *n != name.as_str());
                    fields.push((name.as_str(), v));
                }
            }
            let mut out = Vec::with_capacity(fields.iter().map(|(_, v)| v.len() + 16).sum());
            out.push(b'{');
            for (i, (name, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut out, name).map_err(|e| changed(e.to_string()))?;
                out.push(b':');
                serde_json::to_writer(&mut out, value).map_err(|e| changed(e.to_string()))?;
            }
            out.push(b'}');
            Ok(Cow::Owned(out))
        }
    }
}

/// Re-reads every document (parsing again in parallel, on the current pool, the documents
/// extracted from web archives, HTML or text files) and writes it to `kept`, or to `removed` (when given) with
/// `duplicate_of` and `cluster` added. Returns the accounting of what was written, which
/// balances (`read = kept + removed + rejected + skipped`) and equals [`Accounting::of`] the
/// counts.
pub fn write_dedupe(
    inputs: &InputSet,
    outcome: &Outcome,
    kept: &mut dyn Write,
    mut removed: Option<&mut dyn Write>,
    kept_name: &str,
    removed_name: &str,
    config: &Config,
) -> Result<Accounting> {
    let fate = removals(outcome);
    let mut counts = Accounting::before_writing(&outcome.counts);
    let all: Vec<u32> = (0..outcome.meta.len() as u32).collect();
    let meta = &outcome.meta;
    // The kept records that removed ones name in `duplicate_of`.
    let mut named = vec![false; meta.len()];
    for &(_, canonical) in fate.iter().flatten() {
        named[canonical as usize] = true;
    }
    fetch_records(inputs, meta, &all, config, extracted, |d, bytes, rec| {
        let m = &meta[d as usize];
        let line = output_record(inputs, m, bytes, rec, config)?;
        match fate[d as usize] {
            None => {
                counts.kept += 1;
                let format = inputs.format(m.location.input);
                // A record without an id that removed ones name gets the id they name it by
                // (a made id starts with the input's name: other records are not parsed).
                let line = if named[d as usize]
                    && !extracted(format)
                    && m.id.starts_with(inputs.name(m.location.input))
                {
                    let given = match crate::input::parse(format, bytes, &config.fields) {
                        Ok(crate::input::Parsed::Doc(rec)) => Ok(rec.id),
                        Ok(crate::input::Parsed::Skip(why)) => Err(why.to_string()),
                        Err(message) => Err(message),
                    }
                    .map_err(|message| Error::InputChanged {
                        path: inputs.name(m.location.input).to_string(),
                        message: format!("{}: {message}", format.unit().describe(m.location.line)),
                    })?;
                    match given {
                        Some(_) => line,
                        None => Cow::Owned(with_id(&line, &config.fields.id, &m.id).map_err(
                            |message| Error::InputChanged {
                                path: inputs.name(m.location.input).to_string(),
                                message: format!("line {}: {message}", m.location.line),
                            },
                        )?),
                    }
                } else {
                    line
                };
                kept.write_all(&line)
                    .and_then(|_| kept.write_all(b"\n"))
                    .map_err(|e| Error::output(kept_name, e))?;
            }
            Some((cluster, canonical)) => {
                counts.removed += 1;
                if let Some(w) = removed.as_deref_mut() {
                    let rec = annotate(&line, &outcome.meta[canonical as usize].id, cluster)
                        .map_err(|message| Error::InputChanged {
                            path: inputs.name(m.location.input).to_string(),
                            message: format!("line {}: {message}", m.location.line),
                        })?;
                    w.write_all(&rec)
                        .and_then(|_| w.write_all(b"\n"))
                        .map_err(|e| Error::output(removed_name, e))?;
                }
            }
        }
        Ok(())
    })?;
    // Every document was fetched once, into one of the two outputs; a canonical member is
    // never removed (clusters are disjoint), so every `duplicate_of` names a kept record.
    assert!(counts.balances(), "{counts:?}");
    assert_eq!(counts, Accounting::of(&outcome.counts));
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::{annotate, compact_json};

    #[test]
    fn appends_fields_keeping_bytes() {
        let got = annotate(br#"{"id": "b", "text": "x"}  "#, "a\"1", 3).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            r#"{"id": "b", "text": "x","duplicate_of":"a\"1","cluster":3}"#
        );
    }

    #[test]
    fn keeps_numbers_out_of_range_as_written() {
        // Found by the `jsonl` fuzz target: parsing such a line into numbers failed.
        let got = annotate(br#"{"text":"x","cluster":2e999,"n":1e999}"#, "a", 2).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            r#"{"text":"x","n":1e999,"duplicate_of":"a","cluster":2}"#
        );
    }

    #[test]
    fn compacts_json_keeping_strings_and_numbers() {
        let doc =
            b"\xEF\xBB\xBF{\n  \"a\" : \"x y\\\" \\\\\",\n  \"n\": 2e999,\r\n \"l\": [1, 2]\n}\n";
        assert_eq!(
            compact_json(doc),
            b"{\"a\":\"x y\\\" \\\\\",\"n\":2e999,\"l\":[1,2]}".to_vec()
        );
    }

    #[test]
    fn replaces_existing_fields() {
        let got = annotate(br#"{"id":"b","cluster":"old","text":"x"}"#, "a", 2).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&got).unwrap();
        assert_eq!(v["cluster"], 2);
        assert_eq!(v["duplicate_of"], "a");
        assert_eq!(v["text"], "x");
    }
}
