//! Evaluation: how well the clusters match a truth, given as labels or computed exactly.
//!
//! Owns: the exact all-pairs truth (prefix filtering, so it stays fast), pair precision /
//! recall / F1, the adjusted Rand index, and the list of worst misses. Must not: read files
//! (labels are parsed by [`crate::input::labels`]).
//!
//! Definitions, with documents `0..n`:
//! - **truth pairs**: the pairs given (pair labels), all pairs within a group (group labels), or
//!   every pair of non-short documents whose exact scores pass the rule (`--exact`);
//! - **truth components**: the connected components of the truth pairs;
//! - **precision**: the share of predicted pairs (two documents in one cluster) whose documents
//!   are in one truth component ("linked in the truth");
//! - **recall**: the share of truth pairs whose documents are in one predicted cluster;
//! - **ARI**: the adjusted Rand index of the two partitions (predicted clusters and truth
//!   components, every other document a singleton).

use crate::cluster::UnionFind;
use crate::verify::{intersection_size, jaccard_and_containment};
use rayon::prelude::*;
use std::collections::HashMap;
use xxhash_rust::xxh3::Xxh3Builder;

/// A truth pair with its exact scores (NaN when unknown, e.g. from labels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthPair {
    /// Smaller document index.
    pub a: u32,
    /// Larger document index.
    pub b: u32,
    /// Exact Jaccard.
    pub jaccard: f64,
    /// Exact containment.
    pub containment: f64,
    /// Shingles in the smaller set.
    pub smaller: u32,
}

/// Every pair of the given sets with containment `|A∩B| / min(|A|,|B|) >= min_containment`
/// (which includes every pair with Jaccard >= `min_containment`), with exact scores, sorted.
/// `sets[i]` is `None` for documents left out (short ones).
///
/// Prefix filtering: shingles are ordered rarest first; a pair whose smaller set `A` shares at
/// least `o = ceil(min_containment * |A|)` shingles with `B` must share one of the first
/// `|A| - o + 1` shingles of `A`. Only those prefixes are indexed, and every shingle of every
/// set probes the index, so each pair with enough overlap is found once and checked exactly.
pub fn exact_pairs(sets: &[Option<&[u64]>], min_containment: f64) -> Vec<TruthPair> {
    let mut df: HashMap<u64, u32, Xxh3Builder> = HashMap::with_hasher(Xxh3Builder::new());
    for s in sets.iter().flatten() {
        for &x in *s {
            *df.entry(x).or_default() += 1;
        }
    }
    let prefix: Vec<Vec<u64>> = sets
        .par_iter()
        .map(|s| {
            let Some(s) = s else { return Vec::new() };
            let mut v: Vec<(u32, u64)> = s.iter().map(|x| (df[x], *x)).collect();
            v.sort_unstable();
            let need = ((min_containment * s.len() as f64).ceil() as usize).max(1);
            v.truncate(s.len() + 1 - need.min(s.len()));
            v.into_iter().map(|(_, x)| x).collect()
        })
        .collect();
    let mut index: HashMap<u64, Vec<u32>, Xxh3Builder> = HashMap::with_hasher(Xxh3Builder::new());
    for (d, p) in prefix.iter().enumerate() {
        for &x in p {
            index.entry(x).or_default().push(d as u32);
        }
    }
    let mut pairs: Vec<TruthPair> = (0..sets.len())
        .into_par_iter()
        .flat_map_iter(|b| {
            let mut found: Vec<u32> = Vec::new();
            if let Some(sb) = sets[b] {
                for x in sb {
                    if let Some(ds) = index.get(x) {
                        // `a` is the smaller set (ties: lower index) whose prefix holds x.
                        found.extend(ds.iter().copied().filter(|&a| {
                            let sa = sets[a as usize].expect("indexed");
                            (sa.len(), a) < (sb.len(), b as u32)
                        }));
                    }
                }
            }
            found.sort_unstable();
            found.dedup();
            let out: Vec<TruthPair> = found
                .into_iter()
                .filter_map(|a| {
                    let (sa, sb) = (sets[a as usize].expect("indexed"), sets[b].expect("set"));
                    let inter = intersection_size(sa, sb) as f64;
                    let c = inter / sa.len().min(sb.len()) as f64;
                    (c >= min_containment).then(|| {
                        let (jaccard, containment) = jaccard_and_containment(sa, sb);
                        let (lo, hi) = (a.min(b as u32), a.max(b as u32));
                        TruthPair {
                            a: lo,
                            b: hi,
                            jaccard,
                            containment,
                            smaller: sa.len().min(sb.len()) as u32,
                        }
                    })
                })
                .collect();
            out
        })
        .collect();
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    pairs
}

/// Cluster label of every document: the index of its cluster, or a fresh label for a singleton.
pub fn labels_from_groups(n: usize, groups: &[Vec<u32>]) -> Vec<u32> {
    let mut label = vec![u32::MAX; n];
    for (g, members) in groups.iter().enumerate() {
        for &m in members {
            label[m as usize] = g as u32;
        }
    }
    let mut next = groups.len() as u32;
    for l in &mut label {
        if *l == u32::MAX {
            *l = next;
            next += 1;
        }
    }
    label
}

/// Labels of the connected components of `pairs` over `0..n`.
pub fn component_labels(n: usize, pairs: impl IntoIterator<Item = (u32, u32)>) -> Vec<u32> {
    let mut uf = UnionFind::new(n);
    for (a, b) in pairs {
        uf.union(a, b);
    }
    (0..n as u32).map(|d| uf.find(d)).collect()
}

fn choose2(k: u64) -> f64 {
    (k * k.saturating_sub(1) / 2) as f64
}

/// The adjusted Rand index of two labelings of the same documents (1 for identical
/// partitions, about 0 for independent ones).
///
/// ```
/// use neardup::eval::adjusted_rand_index;
/// assert_eq!(adjusted_rand_index(&[0, 0, 1, 2], &[5, 5, 6, 7]), 1.0);
/// assert!(adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1]) < 0.0);
/// ```
pub fn adjusted_rand_index(x: &[u32], y: &[u32]) -> f64 {
    assert_eq!(x.len(), y.len());
    let mut joint: HashMap<(u32, u32), u64, Xxh3Builder> = HashMap::with_hasher(Xxh3Builder::new());
    let mut rows: HashMap<u32, u64, Xxh3Builder> = HashMap::with_hasher(Xxh3Builder::new());
    let mut cols: HashMap<u32, u64, Xxh3Builder> = HashMap::with_hasher(Xxh3Builder::new());
    for (&a, &b) in x.iter().zip(y) {
        *joint.entry((a, b)).or_default() += 1;
        *rows.entry(a).or_default() += 1;
        *cols.entry(b).or_default() += 1;
    }
    let index: f64 = joint.values().map(|&k| choose2(k)).sum();
    let a: f64 = rows.values().map(|&k| choose2(k)).sum();
    let b: f64 = cols.values().map(|&k| choose2(k)).sum();
    let total = choose2(x.len() as u64);
    if total == 0.0 {
        return 1.0;
    }
    let expected = a * b / total;
    let max = (a + b) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return if (index - expected).abs() < f64::EPSILON {
            1.0
        } else {
            0.0
        };
    }
    (index - expected) / (max - expected)
}

/// Precision, recall and their F1, as defined in the module docs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairScores {
    /// Predicted pairs (two documents in one cluster).
    pub predicted_pairs: u64,
    /// Predicted pairs linked in the truth.
    pub correct_pairs: u64,
    /// Truth pairs.
    pub truth_pairs: u64,
    /// Truth pairs found in one cluster.
    pub found_pairs: u64,
    /// `correct_pairs / predicted_pairs` (1 when nothing is predicted).
    pub precision: f64,
    /// `found_pairs / truth_pairs` (1 when the truth is empty).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// Scores predicted labels against truth pairs over the same documents.
pub fn pair_scores(predicted: &[u32], truth: &[(u32, u32)]) -> PairScores {
    let truth_comp = component_labels(predicted.len(), truth.iter().copied());
    let mut sizes: HashMap<u32, u64, Xxh3Builder> = HashMap::with_hasher(Xxh3Builder::new());
    let mut joint: HashMap<(u32, u32), u64, Xxh3Builder> = HashMap::with_hasher(Xxh3Builder::new());
    for (d, &p) in predicted.iter().enumerate() {
        *sizes.entry(p).or_default() += 1;
        *joint.entry((p, truth_comp[d])).or_default() += 1;
    }
    let predicted_pairs = sizes.values().map(|&k| choose2(k) as u64).sum();
    let correct_pairs = joint.values().map(|&k| choose2(k) as u64).sum();
    let found_pairs = truth
        .iter()
        .filter(|&&(a, b)| predicted[a as usize] == predicted[b as usize])
        .count() as u64;
    let ratio = |x: u64, y: u64| if y == 0 { 1.0 } else { x as f64 / y as f64 };
    let precision = ratio(correct_pairs, predicted_pairs);
    let recall = ratio(found_pairs, truth.len() as u64);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    PairScores {
        predicted_pairs,
        correct_pairs,
        truth_pairs: truth.len() as u64,
        found_pairs,
        precision,
        recall,
        f1,
    }
}

/// Where the truth of [`evaluate_run`] comes from.
#[derive(Debug, Clone, Copy)]
pub enum TruthSource<'a> {
    /// Every pair the duplicate rule accepts on exact shingle sets (short documents left out).
    Exact,
    /// A labels file: `id<TAB>group` or `id_a<TAB>id_b` ([`crate::input::labels`]).
    Labels(&'a std::path::Path),
}

/// Measures the clusters of a run against `truth`: what `neardup eval` prints, with the
/// `worst` misses listed. `inputs` are read again for exact truth.
pub fn evaluate_run(
    inputs: &crate::input::InputSet,
    outcome: &crate::outcome::Outcome,
    config: &crate::config::Config,
    pool: &rayon::ThreadPool,
    truth: TruthSource<'_>,
    worst: usize,
) -> crate::error::Result<Evaluation> {
    use crate::input::labels;
    use crate::verify::Rule;
    let exact = matches!(truth, TruthSource::Exact);
    let meta = &outcome.meta;
    let n = meta.len();
    let groups: Vec<Vec<u32>> = outcome
        .clusters
        .iter()
        .map(|c| c.cluster.members.clone())
        .collect();
    let predicted = labels_from_groups(n, &groups);
    let by_id: HashMap<&str, u32> = meta
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i as u32))
        .collect();
    let ids = |d: u32| meta[d as usize].id.clone();
    let rule = Rule::from_config(config);
    let (truth, scored, name, unknown) = match truth {
        TruthSource::Exact => {
            let docs: Vec<u32> = (0..n as u32).filter(|&d| !meta[d as usize].short).collect();
            let store =
                pool.install(|| crate::pipeline::load_shingles(inputs, meta, &docs, config))?;
            let sets: Vec<Option<&[u64]>> = (0..n as u32).map(|d| store.get(d)).collect();
            let floor = rule.min_containment().min(0.9);
            let all: Vec<TruthPair> = exact_pairs(&sets, floor);
            let truth: Vec<(u32, u32)> = all
                .iter()
                .filter(|p| rule.accepts(p.jaccard, p.containment, p.smaller as usize))
                .map(|p| (p.a, p.b))
                .collect();
            let name = format!(
                "exact, {} on word shingles, short documents left out",
                config.definition.rule()
            );
            (truth, all, name, Vec::new())
        }
        TruthSource::Labels(path) => {
            let l = labels::read_labels(path, |s| by_id.contains_key(s))?;
            let (truth, unknown) = labels::truth_pairs(&l, |s| by_id.get(s).copied());
            (
                truth,
                Vec::new(),
                format!("labels {}", path.display()),
                unknown,
            )
        }
    };
    let j = |p: &TruthPair| p.jaccard >= 0.9;
    let c = |p: &TruthPair| p.containment >= 0.9;
    let kinds: Vec<Kind> = if exact {
        vec![("jaccard>=0.9", &j), ("containment>=0.9", &c)]
    } else {
        Vec::new()
    };
    let truth = Truth {
        name,
        pairs: &truth,
        scored: &scored,
        kinds: &kinds,
    };
    let mut report = evaluate(
        &predicted,
        outcome.clusters.len() as u64,
        &truth,
        &ids,
        worst,
    );
    report.unknown_ids = unknown;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(sets: &[Option<&[u64]>], t: f64) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for a in 0..sets.len() {
            for b in a + 1..sets.len() {
                if let (Some(x), Some(y)) = (sets[a], sets[b]) {
                    if jaccard_and_containment(x, y).1 >= t {
                        out.push((a as u32, b as u32));
                    }
                }
            }
        }
        out
    }

    proptest! {
        /// Prefix filtering finds exactly the pairs brute force finds.
        #[test]
        fn exact_pairs_match_brute_force(
            raw in proptest::collection::vec(proptest::collection::btree_set(0u64..60, 1..25), 2..25),
            t in 0.3f64..1.0,
        ) {
            let owned: Vec<Vec<u64>> = raw.iter().map(|s| s.iter().copied().collect()).collect();
            let sets: Vec<Option<&[u64]>> = owned.iter().enumerate()
                .map(|(i, s)| (i % 7 != 3).then_some(s.as_slice())).collect();
            let got: Vec<(u32, u32)> = exact_pairs(&sets, t).iter().map(|p| (p.a, p.b)).collect();
            prop_assert_eq!(got, brute(&sets, t));
        }
    }

    #[test]
    fn scores_on_a_small_case() {
        // Truth: {0,1,2} linked by a chain, {3,4}. Predicted: {0,1}, {2}, {3,4,5}.
        let truth = [(0, 1), (1, 2), (3, 4)];
        let predicted = [0, 0, 1, 2, 2, 2];
        let s = pair_scores(&predicted, &truth);
        assert_eq!((s.predicted_pairs, s.correct_pairs), (4, 2));
        assert_eq!((s.truth_pairs, s.found_pairs), (3, 2));
        assert!((s.precision - 0.5).abs() < 1e-12 && (s.recall - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn ari_is_one_for_equal_partitions_up_to_names() {
        let x = labels_from_groups(6, &[vec![0, 2], vec![3, 4, 5]]);
        let y = component_labels(6, [(0, 2), (3, 4), (4, 5)]);
        assert_eq!(adjusted_rand_index(&x, &y), 1.0);
    }
}

/// Recall on one kind of truth pair (e.g. exact Jaccard >= 0.9).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KindRecall {
    /// What the pairs are, e.g. `jaccard>=0.9`.
    pub kind: String,
    /// Pairs of this kind.
    pub pairs: u64,
    /// Of those, in one cluster.
    pub found: u64,
    /// `found / pairs` (1 when there are none).
    pub recall: f64,
}

/// A truth pair that is not in one cluster.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Miss {
    /// Id of one document.
    pub a: String,
    /// Id of the other.
    pub b: String,
    /// Exact Jaccard (null when unknown).
    pub jaccard: Option<f64>,
    /// Exact containment (null when unknown).
    pub containment: Option<f64>,
}

/// Everything `neardup eval` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// Documents.
    pub documents: u64,
    /// Predicted clusters.
    pub clusters: u64,
    /// Where the truth came from (`exact: ...`, `labels: FILE`).
    pub truth: String,
    /// Pair scores.
    pub scores: PairScores,
    /// Adjusted Rand index.
    pub ari: f64,
    /// Recall per kind of exact pair (with `--exact`).
    pub by_kind: Vec<KindRecall>,
    /// The worst misses, most similar first.
    pub worst_misses: Vec<Miss>,
    /// Ids in the labels that are not in the corpus.
    pub unknown_ids: Vec<String>,
}

/// A named subset of exact pairs to report recall on, e.g. `("jaccard>=0.9", ...)`.
pub type Kind<'a> = (&'a str, &'a dyn Fn(&TruthPair) -> bool);

/// The truth to score against.
pub struct Truth<'a> {
    /// Where it came from, for the report.
    pub name: String,
    /// The truth pairs.
    pub pairs: &'a [(u32, u32)],
    /// Exact scores of pairs where known, sorted by pair (a superset of `pairs` with
    /// `--exact`, empty with labels).
    pub scored: &'a [TruthPair],
    /// Recall breakdowns over `scored`.
    pub kinds: &'a [Kind<'a>],
}

/// Scores `predicted` labels (with `clusters` clusters) against `truth`, naming documents with
/// `ids` in the list of the `worst` misses.
pub fn evaluate(
    predicted: &[u32],
    clusters: u64,
    truth: &Truth<'_>,
    ids: &dyn Fn(u32) -> String,
    worst: usize,
) -> Evaluation {
    let (truth_name, scored, kinds) = (truth.name.clone(), truth.scored, truth.kinds);
    let truth = truth.pairs;
    let scores = pair_scores(predicted, truth);
    let truth_labels = component_labels(predicted.len(), truth.iter().copied());
    let by_kind = kinds
        .iter()
        .map(|(name, pred)| {
            let of_kind: Vec<&TruthPair> = scored.iter().filter(|p| pred(p)).collect();
            let found = of_kind
                .iter()
                .filter(|p| predicted[p.a as usize] == predicted[p.b as usize])
                .count() as u64;
            let pairs = of_kind.len() as u64;
            KindRecall {
                kind: name.to_string(),
                pairs,
                found,
                recall: if pairs == 0 {
                    1.0
                } else {
                    found as f64 / pairs as f64
                },
            }
        })
        .collect();
    let score_of = |a: u32, b: u32| {
        scored
            .binary_search_by_key(&(a, b), |p| (p.a, p.b))
            .ok()
            .map(|i| scored[i])
    };
    let mut misses: Vec<(f64, f64, Miss)> = truth
        .iter()
        .filter(|&&(a, b)| predicted[a as usize] != predicted[b as usize])
        .map(|&(a, b)| {
            let s = score_of(a, b);
            let (j, c) = s.map_or((f64::NAN, f64::NAN), |p| (p.jaccard, p.containment));
            (
                j.max(c),
                j,
                Miss {
                    a: ids(a),
                    b: ids(b),
                    jaccard: s.map(|p| (p.jaccard * 1e4).round() / 1e4),
                    containment: s.map(|p| (p.containment * 1e4).round() / 1e4),
                },
            )
        })
        .collect();
    misses.sort_by(|x, y| y.0.total_cmp(&x.0).then(y.1.total_cmp(&x.1)));
    Evaluation {
        documents: predicted.len() as u64,
        clusters,
        truth: truth_name,
        scores,
        ari: adjusted_rand_index(predicted, &truth_labels),
        by_kind,
        worst_misses: misses.into_iter().take(worst).map(|m| m.2).collect(),
        unknown_ids: Vec::new(),
    }
}

impl Evaluation {
    /// The human-readable summary (the truth's name and the ids of misses through
    /// [`crate::text_safety::for_people`]).
    pub fn write_text(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        use crate::text_safety::{for_people, Layout};
        let safe = |s: &str| for_people(s, Layout::Line).into_owned();
        let s = &self.scores;
        writeln!(w, "documents   {}", self.documents)?;
        writeln!(w, "clusters    {}", self.clusters)?;
        writeln!(
            w,
            "truth       {} ({} pairs)",
            safe(&self.truth),
            s.truth_pairs
        )?;
        writeln!(
            w,
            "precision   {:.4}  ({} of {} predicted pairs linked in the truth)",
            s.precision, s.correct_pairs, s.predicted_pairs
        )?;
        writeln!(
            w,
            "recall      {:.4}  ({} of {} truth pairs in one cluster)",
            s.recall, s.found_pairs, s.truth_pairs
        )?;
        writeln!(w, "F1          {:.4}", s.f1)?;
        writeln!(w, "ARI         {:.4}", self.ari)?;
        for k in &self.by_kind {
            writeln!(
                w,
                "recall of {:<22} {:.4}  ({} of {})",
                k.kind, k.recall, k.found, k.pairs
            )?;
        }
        if !self.unknown_ids.is_empty() {
            writeln!(
                w,
                "ids in the labels but not in the corpus: {}",
                self.unknown_ids.len()
            )?;
        }
        if !self.worst_misses.is_empty() {
            writeln!(w, "worst misses (most similar first):")?;
            for m in &self.worst_misses {
                let f = |x: Option<f64>| x.map_or("?".to_string(), |v| format!("{v:.4}"));
                writeln!(
                    w,
                    "  {}\t{}\tjaccard {}\tcontainment {}",
                    safe(&m.a),
                    safe(&m.b),
                    f(m.jaccard),
                    f(m.containment)
                )?;
            }
        }
        Ok(())
    }
}
