//! One anchor per cluster: the reference copy that scores, changes, the full text and the title
//! are of or against; editorial changes named as such; the earliest copy by its time of day;
//! wire credits from credit forms only; the CSV columns.

mod common;

use common::{json_lines, run, run_ok, s, write_docs};
use serde_json::Value;
use std::path::Path;

/// The seed's clusters with the HTML page and the CSV: `(clusters, html, csv)`.
fn seed() -> (Vec<Value>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (html, csv) = (dir.path().join("r.html"), dir.path().join("r.csv"));
    let out = run(&[
        "cluster",
        "-q",
        "data/seed-articles.jsonl",
        "--html",
        s(&html),
        "--csv",
        s(&csv),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines[0]["schema_version"], 2);
    (
        lines[1..].to_vec(),
        std::fs::read_to_string(html).unwrap(),
        std::fs::read_to_string(csv).unwrap(),
    )
}

fn member<'a>(c: &'a Value, id: &str) -> &'a Value {
    common::members(c)
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no member {id}"))
}

/// The seed's AP story: the Mainichi copy has the AP dateline, the Asahi copy (the longest,
/// kept by dedupe) dropped it and added a caption. The Mainichi copy is the one anchor.
#[test]
fn the_seed_cluster_has_one_anchor_and_names_the_credit_removed() {
    let (clusters, html, _) = seed();
    assert_eq!(clusters.len(), 1);
    let c = &clusters[0];
    // Check the data: which copy is which.
    let (mainichi, asahi) = (member(c, "seed-2"), member(c, "seed-4"));
    assert_eq!(mainichi["outlet"], "The Mainichi");
    assert_eq!(mainichi["wire_evidence"]["kind"], "dateline");
    assert_eq!(asahi["outlet"], "Asahi Shimbun");
    assert_ne!(asahi["wire_evidence"]["kind"], "dateline");

    assert_eq!(c["reference"], "seed-2");
    assert_eq!(c["reference_basis"], "wire_copy");
    assert_eq!(
        c["canonical"], "seed-4",
        "dedupe still keeps the longest copy"
    );
    assert_eq!(c["title"], mainichi["title"]);
    // Scores are against the reference: 1 for it, not for the canonical copy.
    assert_eq!(mainichi["reference"], true);
    assert_eq!(
        (
            mainichi["jaccard"].as_f64(),
            mainichi["containment"].as_f64()
        ),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(asahi["reference"], false);
    assert!(asahi["jaccard"].as_f64().unwrap() < 1.0);
    assert_eq!(c["similarity"]["min"], asahi["jaccard"]);
    // Changes are against the reference: the reference has none, the Asahi copy names the
    // credit it removed and the caption it added.
    assert!(mainichi["changes"].is_null());
    let editorial = asahi["changes"]["editorial"].as_array().unwrap();
    let removed = editorial
        .iter()
        .find(|e| e["kind"] == "credit_removed")
        .expect("the AP credit removed is named");
    assert_eq!(removed["summary"], "AP credit removed");
    assert_eq!(removed["before"], "HONG KONG (AP) --");
    assert!(editorial.iter().any(|e| e["kind"] == "caption_added"));
    let restyled = asahi["changes"]["restyled"].as_u64().unwrap();
    assert_eq!(
        asahi["changes"]["restyled_sentences"]
            .as_array()
            .unwrap()
            .len() as u64,
        restyled.min(50),
        "restyled sentences are listed"
    );

    // The page names the reference once, as the anchor, and shows its text, not the
    // canonical copy's caption.
    assert_eq!(html.matches("Reference copy: <b>seed-2</b>").count(), 1);
    assert!(!html.contains("canonical copy"), "no second anchor");
    assert!(html.contains("<b>AP credit removed</b>"));
    let text_box = &html[html
        .find("Text of the reference copy (seed-2)")
        .expect("the reference's text")..];
    assert!(text_box.contains("HONG KONG (AP) --"));
    assert!(
        !text_box.contains("J-pop star Kenshin Kamimura arrives"),
        "not the Asahi caption"
    );
    // Every table column has a heading.
    for table in html.split("<table").skip(1) {
        let table = &table[..table.find("</table>").unwrap()];
        let heads = table.matches("<th").count();
        let first_row_cells = table
            .split("<tr>")
            .nth(2)
            .map_or(0, |row| row.matches("<td").count());
        assert!(
            first_row_cells <= heads,
            "a column without a heading: {table:.300}"
        );
        assert!(!table.contains("<th></th>"), "an empty heading");
    }
    if restyled > 0 {
        assert!(
            html.contains("<details><summary>"),
            "restyled sentences listed, collapsed"
        );
    }
}

#[test]
fn the_csv_has_the_reference_url_location_and_changes() {
    let (_, _, csv) = seed();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    for col in ["reference", "url", "input", "line", "changes", "canonical"] {
        assert!(
            headers.iter().any(|h| h == col),
            "no column {col}: {headers:?}"
        );
    }
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let row = |id: &str| rows.iter().find(|r| &r[col("id")] == id).unwrap();
    assert_eq!(&row("seed-2")[col("reference")], "true");
    assert_eq!(&row("seed-4")[col("reference")], "false");
    assert_eq!(&row("seed-4")[col("canonical")], "true");
    assert_eq!(&row("seed-4")[col("input")], "data/seed-articles.jsonl");
    assert_eq!(&row("seed-4")[col("line")], "4");
    assert_eq!(&row("seed-2")[col("changes")], "");
    assert!(
        row("seed-4")[col("changes")].starts_with("AP credit removed; caption added"),
        "{}",
        &row("seed-4")[col("changes")]
    );
}

fn story(extra: &str) -> String {
    let body = "The central bank raised its key interest rate by a quarter point on Thursday, citing stubborn inflation in services and a tight labour market. \
        Officials said further increases were possible if price pressures did not ease over the coming months. \
        Markets had largely expected the move, and bond yields rose slightly after the announcement. \
        Economists said the decision showed the bank was determined to bring inflation back to its two percent target. \
        The governor told reporters that the economy remained resilient despite higher borrowing costs.";
    format!("{body}{extra}")
}

/// The lines of the cluster file of `docs` (written to `dir/in.jsonl`).
fn clustered(dir: &Path, docs: &[Value]) -> Vec<Value> {
    let input = write_docs(dir, "in.jsonl", docs);
    json_lines(&run_ok(&["cluster", "-q", s(&input)]).stdout)
}

/// Two copies of one day without a wire dateline: the earliest is the one at 12:56, not the
/// first in the input nor the longest, and it is the reference.
#[test]
fn the_earliest_copy_is_chosen_by_its_time_of_day() {
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        serde_json::json!({"id": "late", "outlet": "A", "date": "26-FEB-1987 16:50:02.00", "text": story(" A longer closing line added by this outlet.")}),
        serde_json::json!({"id": "early", "outlet": "B", "date": "26-FEB-1987 12:56:31.10", "text": story("")}),
    ];
    let lines = clustered(dir.path(), &docs);
    assert_eq!(lines.len(), 2, "one cluster");
    let c = &lines[1];
    assert_eq!(c["earliest"]["id"], "early");
    assert_eq!(c["earliest"]["date"], "26-FEB-1987 12:56:31.10");
    assert_eq!(c["reference"], "early");
    assert_eq!(c["reference_basis"], "earliest");
    assert_eq!(c["canonical"], "late", "the longest is kept");
    assert_eq!(member(c, "early")["jaccard"], 1.0);
}

/// "the Press Trust of India reported" in running text is a mention: the Reuters story is
/// Reuters', not PTI's.
#[test]
fn a_wire_named_in_running_text_does_not_make_the_story_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let text = "India launched its first\nintercontinental-range rocket, the Press Trust of India (PTI)\nreported.\n    The rocket blasted off from Sriharikota near Madras and 406\nseconds later placed a 145 kg satellite in a 400 km earth\norbit. The satellite will carry out scientific missions.\n    India put its first satellite launch vehicle into space in\n1980. But this and a second rocket launched in 1983 were\nclassed in the below-intermediate range.\n REUTER";
    let docs = [
        serde_json::json!({"id": "r1", "outlet": "Reuters", "text": text}),
        serde_json::json!({"id": "r2", "outlet": "Reuters", "text": text}),
    ];
    let lines = clustered(dir.path(), &docs);
    assert_eq!(lines[1]["wire"]["name"], "Reuters");
    for m in lines[1]["members"].as_array().unwrap() {
        assert_eq!(m["wire"], "Reuters");
        assert_eq!(m["wire_evidence"]["kind"], "outlet");
    }
}
