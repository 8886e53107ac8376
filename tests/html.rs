//! The HTML report as a person sees it: rendered by headless Chromium.
//!
//! `.ci/run` installs Debian's `chromium`; where no Chromium is found these tests say so and
//! pass, except under CI (`CI` set), where a missing browser is a failure.

mod common;

use common::{browse, chromium, run_ok, s, seed_articles, write_docs};
use std::path::{Path, PathBuf};

fn report(input: &Path, dir: &Path) -> PathBuf {
    let html = dir.join("report.html");
    run_ok(&[
        "cluster",
        "-q",
        s(input),
        "-o",
        "/dev/null",
        "--html",
        s(&html),
    ]);
    html
}

#[test]
fn seed_report_shows_cluster_wire_outlets_and_changes() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_articles();
    let page = report(&seed, dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external assets"
    );

    let dom = browse(
        &browser,
        &format!("file://{}", page.display()),
        &["--dump-dom"],
    );
    let clusters = dom.matches(r#"<details class="cluster""#).count();
    assert_eq!(clusters, 1, "one cluster in the DOM");
    let cluster = &dom[dom.find(r#"<details class="cluster""#).unwrap()
        ..dom.find("Wire stories in no cluster").unwrap()];
    assert!(cluster.contains(r#"<span class="wire" title="Associated Press">AP</span>"#));
    assert!(cluster.contains(r#"<span class="outlet">The Mainichi</span>"#));
    assert!(cluster.contains(r#"<span class="outlet">Asahi Shimbun</span>"#));
    assert!(cluster.contains(
        "<b>caption added</b>: <ins>J-pop star Kenshin Kamimura arrives at the West Kowloon"
    ));
    assert!(cluster.contains("<b>AP credit removed</b>: <del>HONG KONG (AP) --</del>"));
    assert!(cluster.contains("Reference copy: <b>seed-2</b> (The Mainichi)"));
    assert!(
        cluster.contains("seed-2") && cluster.contains("seed-4") && !cluster.contains("seed-3")
    );
    let singles = &dom[dom.find("Wire stories in no cluster").unwrap()..];
    assert!(singles.contains(r#"<span class="wire">Kyodo</span>"#) && singles.contains("seed-3"));

    let png = dir.path().join("shot.png");
    browse(
        &browser,
        &format!("file://{}", page.display()),
        &[&format!("--screenshot={}", png.display())],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000,
        "a real screenshot"
    );
}

#[test]
fn article_markup_appears_as_text() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let body = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> \
                The council voted on Tuesday to approve the new budget for the city schools and parks, \
                after a long debate that ran late into the night and drew dozens of residents.";
    let docs = [
        serde_json::json!({"id": "a<b>", "outlet": "<i>Daily</i>", "title": "<script>x</script>", "text": body}),
        serde_json::json!({"id": "b", "outlet": "Herald \"&\"", "title": "' onmouseover='x", "text": format!("{body} More.")}),
    ];
    let input = write_docs(dir.path(), "evil.jsonl", &docs);
    let page = report(&input, dir.path());
    let dom = browse(
        &browser,
        &format!("file://{}", page.display()),
        &["--dump-dom"],
    );
    assert_eq!(dom.matches(r#"<details class="cluster""#).count(), 1);
    assert!(
        dom.contains("<title>neardup report</title>"),
        "no script ran"
    );
    assert!(!dom.contains("<img src=\"x\""), "no injected element");
    assert!(!dom.contains("<i>Daily</i>"));
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(dom.contains("&lt;i&gt;Daily&lt;/i&gt;"));
    assert!(dom.contains("a&lt;b&gt;"));
}
