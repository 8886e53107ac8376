//! Truth labels for `neardup eval`: a TSV of `id<TAB>group` or of `id_a<TAB>id_b`.
//!
//! Owns: reading the file and telling the two forms apart. Must not: score anything.
//!
//! The form is named by a header line (`id<TAB>group`, or `id_a<TAB>id_b`), or else guessed:
//! pairs when every second column is a document id of the corpus, groups otherwise. Blank lines
//! and lines starting with `#` are skipped; a line without exactly two columns is an error that
//! names its line.

use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::Path;

/// The labels as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Labels {
    /// `(id, group)` rows: documents with one group are duplicates of each other.
    Groups(Vec<(String, String)>),
    /// `(id_a, id_b)` rows: each a duplicate pair.
    Pairs(Vec<(String, String)>),
}

/// Reads a labels file; `is_id` says whether a string is a document id of the corpus.
pub fn read_labels(path: &Path, is_id: impl Fn(&str) -> bool) -> Result<Labels> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::input(path, e))?;
    let mut rows = Vec::new();
    let mut header: Option<bool> = None; // Some(true) for pairs
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 2 {
            return Err(Error::BadLine {
                unit: crate::document::Unit::Line,
                path: path.display().to_string(),
                line: i as u64 + 1,
                message: format!("expected 2 tab-separated columns, got {}", cols.len()),
            });
        }
        if rows.is_empty() && header.is_none() {
            match (cols[0], cols[1]) {
                ("id", "group") => {
                    header = Some(false);
                    continue;
                }
                ("id_a", "id_b") => {
                    header = Some(true);
                    continue;
                }
                _ => {}
            }
        }
        rows.push((cols[0].to_string(), cols[1].to_string()));
    }
    let pairs = header.unwrap_or_else(|| !rows.is_empty() && rows.iter().all(|(_, b)| is_id(b)));
    Ok(if pairs {
        Labels::Pairs(rows)
    } else {
        Labels::Groups(rows)
    })
}

/// Turns labels into truth pairs of document indices (`index` maps an id to its document);
/// also returns the ids that are not in the corpus.
pub fn truth_pairs(
    labels: &Labels,
    index: impl Fn(&str) -> Option<u32>,
) -> (Vec<(u32, u32)>, Vec<String>) {
    let mut unknown: Vec<String> = Vec::new();
    let mut look = |id: &str| {
        let d = index(id);
        if d.is_none() {
            unknown.push(id.to_string());
        }
        d
    };
    let mut pairs = Vec::new();
    match labels {
        Labels::Pairs(rows) => {
            for (a, b) in rows {
                if let (Some(x), Some(y)) = (look(a), look(b)) {
                    if x != y {
                        pairs.push((x.min(y), x.max(y)));
                    }
                }
            }
        }
        Labels::Groups(rows) => {
            let mut by_group: std::collections::BTreeMap<&str, Vec<u32>> = Default::default();
            for (id, g) in rows {
                if let Some(d) = look(id) {
                    by_group.entry(g.as_str()).or_default().push(d);
                }
            }
            for members in by_group.values_mut() {
                members.sort_unstable();
                members.dedup();
                for (i, &a) in members.iter().enumerate() {
                    pairs.extend(members[i + 1..].iter().map(|&b| (a, b)));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut seen = HashSet::new();
    unknown.retain(|u| seen.insert(u.clone()));
    (pairs, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, ids: &[&str]) -> Labels {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.tsv");
        std::fs::write(&p, text).unwrap();
        read_labels(&p, |s| ids.contains(&s)).unwrap()
    }

    #[test]
    fn forms_are_told_apart() {
        let ids = ["a", "b", "c"];
        assert!(matches!(read("a\tb\nb\tc\n", &ids), Labels::Pairs(_)));
        assert!(matches!(read("a\tg1\nb\tg1\n", &ids), Labels::Groups(_)));
        assert!(matches!(read("id\tgroup\na\tb\n", &ids), Labels::Groups(_)));
        assert!(matches!(
            read("# pairs\nid_a\tid_b\na\tb\n", &ids),
            Labels::Pairs(_)
        ));
    }

    #[test]
    fn groups_become_all_pairs() {
        let l = Labels::Groups(vec![
            ("a".into(), "g".into()),
            ("b".into(), "g".into()),
            ("c".into(), "g".into()),
            ("zz".into(), "g".into()),
        ]);
        let (pairs, unknown) = truth_pairs(&l, |s| "abc".find(s).map(|i| i as u32));
        assert_eq!(pairs, vec![(0, 1), (0, 2), (1, 2)]);
        assert_eq!(unknown, vec!["zz".to_string()]);
    }

    #[test]
    fn bad_line_names_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.tsv");
        std::fs::write(&p, "a\tb\nonly-one-column\n").unwrap();
        let e = read_labels(&p, |_| true).unwrap_err().to_string();
        assert!(
            e.ends_with("l.tsv:2: expected 2 tab-separated columns, got 1"),
            "{e}"
        );
    }
}
