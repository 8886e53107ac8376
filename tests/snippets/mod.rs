//! Scoring extracted article text against gold snippets, the rule of the public extraction
//! benchmarks: for each page `NAME.html` a file `NAME.expect` lists snippets, one a line,
//! `+ text` for text that must be in the article text and `- text` for text that must not be;
//! `#` lines and blank lines are ignored. Snippets and text are compared after collapsing runs
//! of whitespace to one space. A `+` snippet found is a true positive, one missing a false
//! negative; a `-` snippet found is a false positive.
//!
//! Owns: reading a corpus directory, parsing `.expect` files, scoring one text, the table.
//! Must not: call the library (the test and the example pass in the extractor), or read the
//! clock.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The gold snippets of one page.
#[derive(Debug, Default, Clone)]
pub struct Expect {
    /// Text that must be in the article text (whitespace collapsed).
    pub must: Vec<String>,
    /// Text that must not be in it (whitespace collapsed).
    pub must_not: Vec<String>,
}

/// Runs of whitespace collapsed to one space, ends trimmed.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses an `.expect` file; a line that is not blank, `#`, `+ ` or `- ` is an error.
pub fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut e = Expect::default();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let (kind, rest) = match t.as_bytes()[0] {
            k @ (b'+' | b'-') => (k, &t[1..]),
            _ => {
                return Err(format!(
                    "line {}: expected `+ text`, `- text` or `# comment`, got {t:?}",
                    n + 1
                ))
            }
        };
        let snippet = collapse(rest);
        if snippet.is_empty() {
            return Err(format!("line {}: empty snippet", n + 1));
        }
        if kind == b'+' {
            e.must.push(snippet);
        } else {
            e.must_not.push(snippet);
        }
    }
    Ok(e)
}

/// One page: its name (file stem), the HTML file and its snippets.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file stem (`recipe-comments` for `recipe-comments.html`).
    pub name: String,
    /// The page.
    pub html: PathBuf,
    /// Its snippets.
    pub expect: Expect,
}

/// Every `NAME.html` of `dir` that has a `NAME.expect`, sorted by name; an `.html` without an
/// `.expect` is an error (a page nobody scores is a mistake).
pub fn read_corpus(dir: &Path) -> Result<Vec<Case>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut cases = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.extension().and_then(|x| x.to_str()) != Some("html") {
            continue;
        }
        let expect_path = path.with_extension("expect");
        let text = std::fs::read_to_string(&expect_path).map_err(|e| {
            format!(
                "{}: {e} (each page needs its .expect file of + and - snippets)",
                expect_path.display()
            )
        })?;
        let expect = parse_expect(&text).map_err(|e| format!("{}: {e}", expect_path.display()))?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        cases.push(Case {
            name,
            html: path,
            expect,
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// The score of one page.
#[derive(Debug, Default, Clone)]
pub struct Score {
    /// `+` snippets found.
    pub tp: usize,
    /// `+` snippets missing.
    pub missed: Vec<String>,
    /// `-` snippets found.
    pub kept: Vec<String>,
    /// `-` snippets absent.
    pub tn: usize,
}

impl Score {
    /// Every `+` snippet found and no `-` snippet.
    pub fn passes(&self) -> bool {
        self.missed.is_empty() && self.kept.is_empty()
    }
}

/// Scores an extracted text against a page's snippets.
pub fn score(text: &str, expect: &Expect) -> Score {
    let text = collapse(text);
    let mut s = Score::default();
    for m in &expect.must {
        if text.contains(m.as_str()) {
            s.tp += 1;
        } else {
            s.missed.push(m.clone());
        }
    }
    for m in &expect.must_not {
        if text.contains(m.as_str()) {
            s.kept.push(m.clone());
        } else {
            s.tn += 1;
        }
    }
    s
}

/// Precision, recall and F1 of counts (1.0 when a denominator is zero).
pub fn prf(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let p = ratio(tp, tp + fp);
    let r = ratio(tp, tp + fn_);
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// The totals of a corpus.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// Pages scored.
    pub pages: usize,
    /// Pages with every `+` in and every `-` out.
    pub passed: usize,
    /// True positives, false positives, false negatives.
    pub tp: usize,
    /// False positives (`-` snippets found).
    pub fp: usize,
    /// False negatives (`+` snippets missing).
    pub fn_: usize,
}

/// The per-page table (name, P, R, failed snippets) and the totals, as text to print.
pub fn table(scores: &[(String, Score)]) -> (String, Totals) {
    let mut out = String::new();
    let mut t = Totals::default();
    let width = scores
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(out, "{:width$}  {:>5}  {:>5}  status", "page", "P", "R");
    for (name, s) in scores {
        let (p, r, _) = prf(s.tp, s.kept.len(), s.missed.len());
        let status = if s.passes() { "ok" } else { "FAIL" };
        let _ = writeln!(out, "{name:width$}  {p:5.3}  {r:5.3}  {status}");
        for m in &s.missed {
            let _ = writeln!(out, "{:width$}    missing + {m}", "");
        }
        for k in &s.kept {
            let _ = writeln!(out, "{:width$}    kept    - {k}", "");
        }
        t.pages += 1;
        t.passed += usize::from(s.passes());
        t.tp += s.tp;
        t.fp += s.kept.len();
        t.fn_ += s.missed.len();
    }
    let (p, r, f) = prf(t.tp, t.fp, t.fn_);
    let _ = writeln!(
        out,
        "total: {} pages, {} pass; tp {} fp {} fn {}; precision {p:.3} recall {r:.3} F1 {f:.3}",
        t.pages, t.passed, t.tp, t.fp, t.fn_
    );
    (out, t)
}
