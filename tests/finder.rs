//! The library's front door: `Finder` over articles in memory finds what `neardup cluster`
//! finds in the same articles as JSON Lines, and `dedupe` accounts for every article.

mod common;

use common::{cluster_sets, generated, ok, run, s};
use neardup::finder::{Position, Rejected};
use neardup::{Article, Definition, Finder};
use std::collections::BTreeSet;
use std::path::Path;

/// The articles of a JSON Lines file, in order.
fn articles(path: &Path) -> Vec<Article> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let field = |k: &str| v[k].as_str().map(str::to_string);
            Article {
                id: field("id").unwrap(),
                text: field("text").unwrap(),
                title: field("title"),
                outlet: field("outlet"),
                date: field("date"),
                url: field("url"),
            }
        })
        .collect()
}

#[test]
fn finder_clusters_as_the_command_line_does() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = generated(dir.path(), 1500);
    let cli = cluster_sets(&ok(run(&["cluster", "-q", s(&corpus)])).stdout);
    assert!(cli.len() > 50, "the corpus has clusters: {}", cli.len());

    let list = articles(&corpus);
    for threads in [1, 2] {
        let found = Finder::new(Definition::default())
            .unwrap()
            .threads(threads)
            .cluster(list.clone())
            .unwrap();
        let got: BTreeSet<(String, BTreeSet<String>)> = found
            .groups
            .iter()
            .map(|g| {
                let kept = &list[g.kept.0].id;
                let ids = g.copies.iter().map(|c| c.id.clone()).collect();
                (kept.clone(), ids)
            })
            .collect();
        assert_eq!(got, cli, "{threads} threads");
        for g in &found.groups {
            let reference = g.copies.iter().find(|c| c.position == g.reference).unwrap();
            assert_eq!((reference.jaccard, reference.containment), (1.0, 1.0));
            assert!(g.copies.iter().all(|c| list[c.position.0].id == c.id));
        }
    }
}

#[test]
fn dedupe_accounts_for_every_article_and_names_the_rejected() {
    let story = "TOKYO (AP) -- Japan's central bank kept its key interest rate unchanged on \
                 Tuesday, saying the economy was recovering moderately while prices rose faster \
                 than it had expected in the spring.";
    let list = vec![
        Article::new("a", story).outlet("Mainichi"),
        Article::new("empty", ""),
        Article::new("b", story.replace("--", "\u{2014}")).outlet("Asahi"),
        Article::new(
            "c",
            "An unrelated story about the weather in Osaka, where rain is expected \
                           through the weekend and into the first days of next week.",
        )
        .outlet("Asahi"),
        Article::new(
            "a",
            "a second article with the id of the first one, which is rejected",
        ),
        Article::new("short", "Too short."),
    ];
    let finder = Finder::new(Definition::default()).unwrap().threads(1);
    let found = finder.cluster(list.clone()).unwrap();
    assert_eq!(found.groups.len(), 1);
    // An empty text is a document too short to compare, as on the command line.
    assert_eq!(found.short, [Position(1), Position(5)]);
    let rejected: Vec<usize> = found
        .rejected
        .iter()
        .map(|r: &Rejected| r.position.0)
        .collect();
    assert_eq!(rejected, [4], "{:?}", found.rejected);
    assert!(
        found.rejected[0].reason.contains("\"a\""),
        "{:?}",
        found.rejected
    );

    let d = finder.dedupe(list.clone()).unwrap();
    assert_eq!(d.removed.len(), 1);
    let r = d.removed[0];
    assert_eq!(r.duplicate_of, found.groups[0].kept);
    assert_ne!(r.position, r.duplicate_of);
    assert_eq!(
        d.kept.len() + d.removed.len() + d.rejected.len(),
        list.len()
    );
    let mut all: Vec<usize> = d.kept.iter().map(|p| p.0).collect();
    all.extend(d.removed.iter().map(|r| r.position.0));
    all.extend(d.rejected.iter().map(|r| r.position.0));
    all.sort_unstable();
    assert_eq!(all, (0..list.len()).collect::<Vec<_>>());

    // Nothing in, nothing out; and a definition that does not hold is refused up front.
    assert!(finder.cluster(Vec::new()).unwrap().groups.is_empty());
    let bad = Definition {
        threshold: 1.5,
        ..Definition::default()
    };
    assert!(Finder::new(bad).is_err());
}
