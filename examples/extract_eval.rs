//! Scores neardup's article extraction on a corpus of pages with gold snippets and prints the
//! per-page table and the totals (precision, recall, F1):
//!
//! ```sh
//! cargo run --release --example extract_eval -- tests/pages
//! ```
//!
//! The corpus is a directory of `NAME.html` pages, each with a `NAME.expect` of `+ text`
//! (must be in the article text) and `- text` (must not) lines; the format and the scoring
//! rule are in `tests/snippets/mod.rs`, shared with `tests/extraction.rs`. Exits 1 when a page
//! fails, 2 on a usage or corpus error.

#[path = "../tests/snippets/mod.rs"]
mod snippets;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir] = args.as_slice() else {
        eprintln!("usage: extract_eval DIR (pages NAME.html with NAME.expect snippets)");
        std::process::exit(2);
    };
    let cases = snippets::read_corpus(std::path::Path::new(dir)).unwrap_or_else(|e| {
        eprintln!("extract_eval: {e}");
        std::process::exit(2)
    });
    let mut scores = Vec::with_capacity(cases.len());
    for case in cases {
        let bytes = std::fs::read(&case.html).unwrap_or_else(|e| {
            eprintln!("extract_eval: {}: {e}", case.html.display());
            std::process::exit(2)
        });
        let page =
            neardup::input::html::extract(&neardup::input::charset::decode(&bytes, None, None));
        scores.push((case.name, snippets::score(&page.text, &case.expect)));
    }
    let (text, totals) = snippets::table(&scores);
    print!("{text}");
    if totals.passed < totals.pages {
        std::process::exit(1);
    }
}
