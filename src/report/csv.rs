//! The CSV writer: one row per cluster member, for spreadsheets.
//!
//! Owns: the column list and spreadsheet-formula neutralization. Must not: hold anything the
//! JSON Lines file does not (it is a flat view of the same [`Report`]).
//!
//! Columns: `cluster, id, outlet, title, date, wire, jaccard, containment, canonical,
//! reference, url, input, line, changes`. `jaccard` and `containment` are against the
//! cluster's reference copy (`reference` true); `canonical` is true for the copy `dedupe`
//! keeps; `input` and `line` say where the record is; `changes` is a one-line summary of what
//! the copy changed against the reference ([`super::changes::Changes::summary`]: `AP credit
//! removed; caption added; 3 restyled sentences`), empty for the reference itself. Text cells
//! that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
//! carriage return, also after leading white space) get a leading `'`, since ids, titles,
//! outlets, dates, URLs, file names and the changes (which quote credits) come from untrusted
//! input; their control characters and bidirectional overrides are made visible first
//! ([`crate::text_safety::for_people`]).

use super::{ClusterRecord, Report};
use crate::text_safety::{for_people, Layout};
use std::io::{self, Write};

/// The header row.
pub const COLUMNS: [&str; 14] = [
    "cluster",
    "id",
    "outlet",
    "title",
    "date",
    "wire",
    "jaccard",
    "containment",
    "canonical",
    "reference",
    "url",
    "input",
    "line",
    "changes",
];

/// Prefixes `'` to a cell a spreadsheet would treat as a formula: one that starts with a tab
/// or a carriage return, or with `=`, `+`, `-` or `@` after any leading white space (which
/// some spreadsheets trim on import).
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['\t', '\r']) || cell.trim_start().starts_with(['=', '+', '-', '@']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A text cell: control characters and bidirectional overrides made visible
/// ([`for_people`], line breaks kept), then [`defuse`]d.
fn cell(text: &str) -> String {
    defuse(&for_people(text, Layout::Block)).into_owned()
}

/// Writes the CSV view of `report`: [`write_csv_header`], then [`write_csv_rows`] of every
/// cluster.
pub fn write_csv(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    write_csv_header(w)?;
    for c in &report.clusters {
        write_csv_rows(c, w)?;
    }
    Ok(())
}

/// Writes the header row of the CSV view.
pub fn write_csv_header(w: &mut dyn Write) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(COLUMNS)?;
    out.flush()
}

/// Writes the CSV rows of one cluster, one per member.
pub fn write_csv_rows(c: &ClusterRecord, w: &mut dyn Write) -> io::Result<()> {
    let mut out = csv::WriterBuilder::new()
        .buffer_capacity(4096)
        .from_writer(w);
    let wire = c.wire.as_ref().map_or("", |w| w.name);
    for m in &c.members {
        out.write_record([
            c.cluster.to_string().as_str(),
            &cell(&m.id),
            &cell(m.outlet.as_deref().unwrap_or("")),
            &cell(m.title.as_deref().unwrap_or("")),
            &cell(m.date.as_deref().unwrap_or("")),
            wire,
            &m.jaccard.to_string(),
            &m.containment.to_string(),
            if m.canonical { "true" } else { "false" },
            if m.reference { "true" } else { "false" },
            &cell(m.url.as_deref().unwrap_or("")),
            &cell(&m.input),
            &m.line.to_string(),
            &cell(&m.changes.as_ref().map_or(String::new(), |c| c.summary())),
        ])?;
    }
    out.flush()
}

/// Writes one line per member in the `path:line: text` form of `grep -n`, grouped by cluster,
/// so that an editor's quickfix list jumps to each copy in the input files. The text after the
/// colon is `cluster N [wire] id (outlet): title`. Members read from standard input are named
/// `stdin`, which no editor can open. File names, ids, outlets and titles go through
/// [`for_people`] (one line each, no terminal escape or bidirectional override).
pub fn write_locations(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    for c in &report.clusters {
        write_cluster_locations(c, w)?;
    }
    Ok(())
}

/// Writes the [`write_locations`] lines of one cluster.
pub fn write_cluster_locations(c: &ClusterRecord, w: &mut dyn Write) -> io::Result<()> {
    let wire = c
        .wire
        .as_ref()
        .map_or(String::new(), |w| format!(" [{}]", w.name));
    for m in &c.members {
        let one_line = |s: &str| for_people(s, Layout::Line).into_owned();
        writeln!(
            w,
            "{}:{}: cluster {}{} {} ({}): {}",
            one_line(&m.input),
            m.line,
            c.cluster,
            wire,
            one_line(&m.id),
            one_line(m.outlet.as_deref().unwrap_or("unknown outlet")),
            one_line(m.title.as_deref().unwrap_or("")),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("Plain title"), "Plain title");
        assert_eq!(defuse(" =1+1"), "' =1+1");
        assert_eq!(defuse("\n\t-2"), "'\n\t-2");
        assert_eq!(defuse("\tx"), "'\tx");
        assert_eq!(defuse("\rx"), "'\rx");
        assert_eq!(defuse("\nx"), "\nx");
        assert_eq!(defuse("a - b"), "a - b");
    }
}
