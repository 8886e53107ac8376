//! Re-reading documents after the first pass: the units the first pass found to be documents,
//! read again by location and parsed again, for verification sets, reports and `dedupe`.
//!
//! Owns: reading chosen documents again in input order, parsing them again in parallel batches
//! on the current pool while a reader thread cuts the next batch, and the error when a unit is
//! no longer the document it was. Must not: normalize, shingle or score (readers do not
//! compute), or decide which documents are wanted.

use crate::config::Config;
use crate::document::{DocMeta, Document, Location, Record};
use crate::error::{Error, Result};
use crate::input::{self, InputSet};
use rayon::prelude::*;

/// Bytes of input units parsed together in parallel, in either pass.
pub(crate) const BATCH_BYTES: usize = 2 << 20;

/// Parses again a unit read back by location: it was a document in the first pass, so anything
/// else means the input changed.
pub fn reparse(inputs: &InputSet, m: &DocMeta, bytes: &[u8], config: &Config) -> Result<Record> {
    let i = m.location.input;
    let format = inputs.format(i);
    let changed = |message: String| Error::InputChanged {
        path: inputs.name(i).to_string(),
        message: format!("{}: {message}", format.unit().describe(m.location.line)),
    };
    match input::parse(format, bytes, &config.fields).map_err(changed)? {
        input::Parsed::Doc(rec) => Ok(rec),
        input::Parsed::Skip(why) => Err(changed(format!("no longer a document ({why})"))),
    }
}

/// The document `m` describes, with its text, title, date and URL from `rec` (read again).
pub fn document_of(m: &DocMeta, rec: Record) -> Document {
    Document {
        id: m.id.clone(),
        text: rec.text,
        title: rec.title,
        outlet: m.outlet.as_deref().map(str::to_string),
        date: rec.date,
        url: rec.url,
    }
}

/// Second pass for reports: re-reads the documents `docs` (ascending) and returns them whole
/// (text, title, date, URL: what the first pass did not keep), in the order of `docs`.
/// Parsing (HTML extraction, for web archives) runs in parallel batches on the current pool.
pub fn load_docs(
    inputs: &InputSet,
    meta: &[DocMeta],
    docs: &[u32],
    config: &Config,
) -> Result<Vec<Document>> {
    let mut out = Vec::with_capacity(docs.len());
    fetch_records(
        inputs,
        meta,
        docs,
        config,
        |_| true,
        |d, _, rec| {
            out.push(document_of(
                &meta[d as usize],
                rec.expect("parsed for every format"),
            ));
            Ok(())
        },
    )?;
    Ok(out)
}

/// Re-reads the documents `docs` (ascending) and hands each to `f` in order: its index, its
/// bytes as read, and its record parsed again when `parse` says its format needs it. Parsing
/// runs in parallel batches on the current pool.
pub fn fetch_records(
    inputs: &InputSet,
    meta: &[DocMeta],
    docs: &[u32],
    config: &Config,
    parse: impl Fn(input::Format) -> bool + Sync,
    mut f: impl FnMut(u32, &[u8], Option<Record>) -> Result<()>,
) -> Result<()> {
    debug_assert!(docs.windows(2).all(|w| w[0] < w[1]));
    // Documents are numbered in input order, so `docs` is also in (input, offset) order.
    let wanted: Vec<(Location, u32)> = docs
        .iter()
        .map(|&d| (meta[d as usize].location, d))
        .collect();
    if !(0..inputs.len() as u32).any(|i| parse(inputs.format(i))) {
        // Nothing to parse (dedupe of JSON Lines): hand the bytes on as they are read.
        return inputs.fetch(&wanted, |d, bytes| f(d, bytes, None));
    }
    let parse_batch = |pending: &[(u32, Vec<u8>)]| -> Vec<Option<Result<Record>>> {
        pending
            .par_iter()
            .map(|(d, bytes)| {
                let m = &meta[*d as usize];
                parse(inputs.format(m.location.input)).then(|| reparse(inputs, m, bytes, config))
            })
            .collect()
    };
    // A reader thread cuts the wanted units into batches while the pool parses the previous
    // batch (reading was otherwise the pool's idle time).
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(u32, Vec<u8>)>>(2);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<()> {
            let mut pending: Vec<(u32, Vec<u8>)> = Vec::new();
            let mut pending_bytes = 0usize;
            // The receiver hung up: it met an error of its own and returns that.
            let gone = || Error::Output {
                path: "second pass".into(),
                source: std::io::Error::other("stopped"),
            };
            inputs.fetch(&wanted, |d, bytes| {
                pending_bytes += bytes.len();
                pending.push((d, bytes.to_vec()));
                if pending_bytes >= BATCH_BYTES {
                    tx.send(std::mem::take(&mut pending)).map_err(|_| gone())?;
                    pending_bytes = 0;
                }
                Ok(())
            })?;
            tx.send(pending).map_err(|_| gone())
        });
        // Returning early drops `rx`, which stops the reader at its next batch.
        for batch in rx {
            let records = parse_batch(&batch);
            for ((d, bytes), rec) in batch.into_iter().zip(records) {
                f(d, &bytes, rec.transpose()?)?;
            }
        }
        reader.join().expect("second-pass reader thread")
    })
}
