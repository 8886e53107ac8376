//! What a run tells the person at the terminal: a progress bar for the first pass, the bad
//! lines (the first few of each kind, then a count of the rest), the summary line, the records
//! skipped and, with `-v`, the stage timings.
//!
//! Owns: [`Feedback`]. Must not: change what a run computes or writes; nothing here goes to
//! standard output.

use neardup::input::InputSet;
use neardup::outcome::Outcome;
use neardup::pipeline::{BadLine, Progress};
use std::io::Write;
use std::sync::Mutex;

/// Bad lines shown of each kind; the others are counted, and the count printed at the end.
const SHOWN_PER_KIND: u64 = 5;

/// Which bad lines to print: the first [`SHOWN_PER_KIND`] of each kind of message (messages
/// that differ only in numbers and quoted strings are of one kind); the rest are counted and
/// summarised in one line per kind, so that a file of 19,000 bad lines does not flood stderr.
#[derive(Default)]
struct BadLines {
    /// Per kind: how many, what unit, and the first message.
    kinds: std::collections::HashMap<String, (u64, neardup::document::Unit, String)>,
    /// Kinds in the order first seen.
    order: Vec<String>,
}

impl BadLines {
    /// Counts `b`; true when it is to be printed.
    fn note(&mut self, b: &BadLine) -> bool {
        let key = message_kind(&b.message);
        let e = self.kinds.entry(key.clone()).or_insert_with(|| {
            self.order.push(key);
            (0, b.unit, b.message.clone())
        });
        e.0 += 1;
        e.0 <= SHOWN_PER_KIND
    }

    /// Prints one line per kind of which more were found than shown.
    fn print_summary(&self) {
        for key in &self.order {
            let (n, unit, first) = &self.kinds[key];
            if *n > SHOWN_PER_KIND {
                let units = match unit {
                    neardup::document::Unit::Line => "lines",
                    neardup::document::Unit::Record => "records",
                    neardup::document::Unit::File => "files",
                    neardup::document::Unit::Row => "rows",
                };
                eprintln!(
                    "neardup: {} more {units} not shown, like: {first}",
                    grouped(n - SHOWN_PER_KIND)
                );
            }
        }
    }
}

/// `message` with each run of digits and each quoted string blanked: the kind of a message.
fn message_kind(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    let mut digits = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            if !digits {
                out.push('#');
            }
            digits = true;
            continue;
        }
        digits = false;
        out.push(c);
        if c == '"' {
            // Skip to the closing quote (escaped quotes inside).
            let mut escaped = false;
            for c in chars.by_ref() {
                if c == '"' && !escaped {
                    break;
                }
                escaped = c == '\\' && !escaped;
            }
            out.push('"');
        }
    }
    out
}

/// `n` with thousands separators: `18,995`.
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A progress bar on stderr for the first pass, hidden with `--quiet` or when stderr is not a
/// terminal. Bad lines printed meanwhile go through the bar so they are not overwritten.
fn progress_bar(quiet: bool, total: Option<u64>) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t).with_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
            )
            .expect("valid template"),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bytes} ({bytes_per_sec}) {msg}")
                .expect("valid template"),
        ),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
    bar
}

/// The progress bar and the bad lines of one run, shared by the callbacks the pipeline calls.
pub struct Feedback {
    bar: indicatif::ProgressBar,
    quiet: bool,
    shown: Mutex<BadLines>,
}

impl Feedback {
    /// Feedback for a run over `total` bytes (unknown for standard input), silent when
    /// `quiet`; the bar shows only on a terminal.
    pub fn new(quiet: bool, total: Option<u64>) -> Feedback {
        Feedback {
            bar: progress_bar(quiet, total),
            quiet,
            shown: Mutex::new(BadLines::default()),
        }
    }

    /// Feedback without a progress bar (commands that read little or show no bar).
    pub fn without_bar(quiet: bool) -> Feedback {
        Feedback {
            bar: indicatif::ProgressBar::hidden(),
            quiet,
            shown: Mutex::new(BadLines::default()),
        }
    }

    /// Prints `b` on stderr (through the bar, so it is not overwritten) unless it is one too
    /// many of its kind or the run is quiet.
    pub fn bad(&self, b: &BadLine) {
        if !self.quiet && self.shown.lock().expect("bad lines").note(b) {
            self.bar.suspend(|| eprintln!("{b}"));
        }
    }

    /// Moves the bar.
    pub fn progress(&self, p: Progress) {
        match p {
            Progress::Read { bytes, lines } => {
                self.bar.set_position(bytes);
                self.bar.set_message(format!("{lines} documents read"));
            }
            Progress::Stage(s) => self.bar.set_message(s),
        }
    }

    /// Clears the bar and prints how many bad lines of each kind were not shown.
    pub fn finish(self) {
        self.bar.finish_and_clear();
        self.shown.into_inner().expect("bad lines").print_summary();
    }
}

/// Says on stderr what was read but is not an article: web archive records (requests,
/// redirects, images...) and files of other types in directories.
pub fn print_skipped(inputs: &InputSet, records: u64) {
    if records > 0 {
        eprintln!("neardup: skipped {records} web archive records that are not articles (requests, metadata, redirects, non-HTML responses)");
    }
    let files = inputs.skipped_files();
    if let Some(first) = files.first() {
        eprintln!(
            "neardup: skipped {} files of other types in directories (first: {})",
            files.len(),
            neardup::text_safety::path_for_people(first)
        );
    }
}

pub fn print_summary(outcome: &Outcome) {
    let c = &outcome.counts;
    eprintln!(
        "neardup: read {}, documents {} ({} short), rejected {}; {} candidate pairs, {} verified; {} clusters, {} duplicates",
        c.read, c.documents, c.short, c.rejected, c.candidate_pairs, c.verified_pairs, c.clusters, c.duplicates
    );
    if c.templates > 0 {
        eprintln!(
            "neardup: {} clusters of near-identical texts were different items of a template (other titles, names, numbers or days), kept apart as {} items",
            c.templates, c.template_items
        );
    }
}

pub fn print_timings(o: &Outcome) {
    let t = &o.timings;
    let total = t.read_sign + t.lsh + t.verify + t.cluster;
    let secs = total.as_secs_f64().max(1e-9);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "neardup: stages: read+sign {:.3}s, lsh {:.3}s, verify {:.3}s, cluster {:.3}s; total {:.3}s, {:.0} docs/s, {:.1} MB/s; bands {} x rows {}; band keys {:.1} MB in memory and {:.1} MB spilled to disk, shingle sets {:.1} MB spooled to disk, sampled shingles {:.1} MB spilled to disk",
        t.read_sign.as_secs_f64(),
        t.lsh.as_secs_f64(),
        t.verify.as_secs_f64(),
        t.cluster.as_secs_f64(),
        secs,
        o.counts.read as f64 / secs,
        o.counts.input_bytes as f64 / 1e6 / secs,
        o.banding.bands,
        o.banding.rows,
        o.held_bytes as f64 / 1e6,
        o.key_spill_bytes as f64 / 1e6,
        o.spool_bytes as f64 / 1e6,
        o.sample_spill_bytes as f64 / 1e6,
    );
    if o.learned != Default::default() {
        let _ = writeln!(
            err,
            "neardup: containment candidates: {} pairs emitted by the probes; {} sampled shingles learned as outlet boilerplate; {} verified pairs whose shared text is boilerplate or too short; real sets made once {:.1} MB",
            o.learned.emitted, o.learned.boilerplate, o.learned.rejected, o.learned.prepared_bytes as f64 / 1e6
        );
    }
    let copies = o.pairs.copies();
    let _ = writeln!(
        err,
        "neardup: identical documents: {} groups, {} documents paired as their group's first; verified pairs {} as {} class pairs",
        copies.groups(),
        copies.collapsed(),
        o.counts.verified_pairs,
        o.pairs.classes().len(),
    );
}
