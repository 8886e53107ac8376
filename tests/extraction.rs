//! Article extraction on the corpus of real-world page shapes in `tests/pages/`: every page's
//! `+` snippets in the extracted text, its `-` snippets out (the format and the scoring rule
//! are in `tests/snippets/mod.rs`; `cargo run --example extract_eval -- DIR` prints the same
//! table for any corpus in that format).

mod snippets;

use snippets::{collapse, read_corpus, score, table, Case};
use std::path::Path;

fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages");
    let cases = read_corpus(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        cases.len() >= 30,
        "{}: {} pages",
        dir.display(),
        cases.len()
    );
    cases
}

/// What `neardup` reads of a page file.
fn extract(bytes: &[u8]) -> String {
    use neardup::input::{charset, html};
    html::extract(&charset::decode(bytes, None, None)).text
}

#[test]

fn every_page_extracts_the_article_and_nothing_else() {
    let scores: Vec<_> = corpus()
        .into_iter()
        .map(|case| {
            let bytes = std::fs::read(&case.html).unwrap();
            (case.name, score(&extract(&bytes), &case.expect))
        })
        .collect();
    let (text, totals) = table(&scores);
    println!("{text}");
    assert_eq!(
        totals.passed, totals.pages,
        "pages failing (the table above says which snippets)"
    );
}

/// All the text of a page, as a browser's `textContent` would join it (inline elements run
/// together), scripts included (the JSON-LD `articleBody` case), whitespace collapsed.
fn page_text(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let mut all = String::new();
    for t in doc.root_element().text() {
        all.push_str(t);
    }
    collapse(&all)
}

/// The corpus checks itself: a snippet that is not on its page cannot fail (`+`) or cannot
/// pass for the right reason (`-`), and every page scores something on both sides.
#[test]
fn every_snippet_is_on_its_page() {
    for case in corpus() {
        let bytes =
            std::fs::read(&case.html).unwrap_or_else(|e| panic!("{}: {e}", case.html.display()));
        // Pages in other charsets (`charset-*`) are read as the extractor reads them.
        let text = page_text(&neardup::input::charset::decode(&bytes, None, None));
        assert!(
            case.expect.must.len() >= 3 && !case.expect.must_not.is_empty(),
            "{}: at least three + snippets and one - snippet",
            case.name
        );
        for s in case.expect.must.iter().chain(&case.expect.must_not) {
            assert!(
                text.contains(s.as_str()),
                "{}: snippet {s:?} is not in the page's text",
                case.name
            );
        }
        for m in &case.expect.must {
            for n in &case.expect.must_not {
                assert!(
                    !m.contains(n.as_str()),
                    "{}: + {m:?} holds - {n:?}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn scoring_counts_by_the_benchmark_rule() {
    let e = snippets::parse_expect(
        "# a comment\n\n+ the bank  kept\n+ rates on hold\n- Most read\n- Subscribe now\n",
    )
    .unwrap();
    let s = score("The bank kept\nrates on\nhold.\nMost read", &e);
    // "the bank kept" is case-sensitive: missing; "rates on hold" across lines: found.
    assert_eq!(s.tp, 1);
    assert_eq!(s.missed, ["the bank kept"]);
    assert_eq!(s.kept, ["Most read"]);
    assert_eq!(s.tn, 1);
    assert!(!s.passes());
    let (p, r, f) = snippets::prf(1, 1, 1);
    assert_eq!((p, r, f), (0.5, 0.5, 0.5));
    assert!(snippets::parse_expect("* what\n").is_err());
    assert!(snippets::parse_expect("+   \n").is_err());
    assert!(snippets::parse_expect("ä\n").is_err());
}
