//! Tests that guard what the README promises most, end to end on the real binary (and the
//! library it is built on):
//!
//! - the pipeline against brute force, on generated archives in English (word shingles) and
//!   in Japanese (character shingles), in both modes: every verified pair passes the rule on
//!   exact sets, every pair of exact Jaccard >= 0.9 is verified and ends in one cluster, and
//!   every cluster member matches the cluster's center (the chaining guard);
//! - CSV injection: untrusted cells that a spreadsheet would run as a formula are neutralised,
//!   and no row is broken;
//! - order and threads: the same bytes for 1, 2, 3, 4 and 8 threads, the same clusters for any
//!   order of the input lines.
//!
//! `docs/reliability.md` ("Tests that guard the promises") says what each test guards.

mod common;

use common::*;
use neardup::cluster::{attach_contained, canonical_keys, contained_side, guarded_clusters};
use neardup::config::Config;
use neardup::definition::{Mode, ShingleMode};
use neardup::input::InputSet;
use neardup::normalize::normalize;
use neardup::shingle::shingles;
use neardup::verify::ScoredPair;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Helpers.

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `lines` in an order shuffled by `seed` (Fisher-Yates).
fn shuffled<T: Clone>(lines: &[T], seed: u64) -> Vec<T> {
    let mut v = lines.to_vec();
    let mut rng = Rng::new(seed);
    for i in (1..v.len()).rev() {
        v.swap(i, rng.below(i + 1));
    }
    v
}

/// The `id` and `text` of every line of a JSON Lines file.
fn records(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Size of the intersection of two sorted, distinct sets when it is at least `need`: a plain
/// merge, written here so that the truth does not lean on the code under test.
fn overlap_at_least(a: &[u64], b: &[u64], need: usize) -> Option<usize> {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if n + (a.len() - i).min(b.len() - j) < need {
            return None;
        }
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (n >= need).then_some(n)
}

/// Exact Jaccard and containment from counts, as the README defines them.
fn scores(inter: usize, a: usize, b: usize) -> (f64, f64) {
    let inter = inter as f64;
    (inter / ((a + b) as f64 - inter), inter / a.min(b) as f64)
}

/// The duplicate rule of the README, written out: Jaccard >= threshold, or (containment mode)
/// containment >= `containment` when the smaller set has at least `min_contained` shingles.
fn accepted(config: &Config, j: f64, c: f64, smaller: usize) -> bool {
    j >= config.definition.threshold
        || (config.definition.mode == Mode::Containment
            && c >= config.definition.containment
            && smaller >= config.definition.min_contained)
}

/// The exact truth by brute force: every document's shingle set (`None` for a short one), and
/// every pair of non-short documents (all of them are compared) with containment >= 0.8 (so
/// every pair the rule accepts and every pair of Jaccard >= 0.9), with its exact scores.
struct Truth {
    sets: Vec<Option<Vec<u64>>>,
    pairs: BTreeMap<(u32, u32), (f64, f64)>,
}

impl Truth {
    fn new(texts: &[String], config: &Config) -> Truth {
        let sets: Vec<Option<Vec<u64>>> = texts
            .par_iter()
            .map(|t| {
                // The general path (normalize, then shingle), not the binary's fast path.
                let s = shingles(
                    &normalize(t),
                    config.definition.shingle,
                    config.definition.seed,
                )
                .hashes;
                (s.len() >= config.definition.min_shingles).then_some(s)
            })
            .collect();
        let n = sets.len();
        let pairs = (0..n)
            .into_par_iter()
            .flat_map_iter(|a| {
                let sets = &sets;
                (a + 1..n).filter_map(move |b| {
                    let (sa, sb) = (sets[a].as_ref()?, sets[b].as_ref()?);
                    let need = ((0.8 * sa.len().min(sb.len()) as f64).ceil() as usize).max(1);
                    let inter = overlap_at_least(sa, sb, need)?;
                    let (j, c) = scores(inter, sa.len(), sb.len());
                    (c >= 0.8).then_some(((a as u32, b as u32), (j, c)))
                })
            })
            .collect();
        Truth { sets, pairs }
    }

    /// Exact Jaccard, containment and size of the smaller set of any two documents.
    fn score(&self, a: u32, b: u32) -> (f64, f64, usize) {
        match (&self.sets[a as usize], &self.sets[b as usize]) {
            (Some(sa), Some(sb)) => {
                let inter = overlap_at_least(sa, sb, 0).unwrap();
                let (j, c) = scores(inter, sa.len(), sb.len());
                (j, c, sa.len().min(sb.len()))
            }
            _ => (0.0, 0.0, 0),
        }
    }
}

/// Runs the library's pipeline on `path` with `config` on `threads` threads.
fn library_run(path: &Path, config: &Config, threads: usize) -> neardup::Outcome {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut inputs = InputSet::open(&[path.to_path_buf()]).unwrap();
    neardup::run(&mut inputs, config, &pool, &mut |b| panic!("bad line: {b}")).unwrap()
}

/// Checks a run of `cluster` on `path` (the binary, and the library) against brute force, and
/// returns (pairs of Jaccard >= 0.9, pairs the rule accepts, those of them in one cluster,
/// documents the chaining guard left out).
fn check_against_brute_force(
    path: &Path,
    config: &Config,
    args: &[&str],
) -> (usize, usize, usize, u64) {
    let recs = records(path);
    let texts: Vec<String> = recs.iter().map(|r| r.1.clone()).collect();
    let index: HashMap<&str, u32> = recs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.0.as_str(), i as u32))
        .collect();
    let truth = Truth::new(&texts, config);
    let what = format!("{} {args:?}", path.display());

    // The binary: its clusters, as document indices.
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("c.jsonl");
    let out = run(&[&["cluster", "-q", s(path), "-o", s(&out_path)][..], args].concat());
    assert!(out.status.success(), "{what}: {}", stderr(&out));
    let lines = json_lines(&std::fs::read(&out_path).unwrap());
    let header = &lines[0];
    let clusters: Vec<(u32, Vec<u32>)> = lines[1..]
        .iter()
        .map(|c| {
            let members = member_ids(c).iter().map(|id| index[id.as_str()]).collect();
            (index[c["canonical"].as_str().unwrap()], members)
        })
        .collect();
    assert!(clusters.len() > 20, "{what}: {} clusters", clusters.len());

    // The library, same configuration: the verified pairs the binary does not print.
    let outcome = library_run(path, config, 2);
    assert_eq!(
        header["counts"]["verified_pairs"], outcome.counts.verified_pairs,
        "{what}: the binary and the library disagree"
    );
    let lib_clusters: Vec<(u32, Vec<u32>)> = outcome
        .clusters
        .iter()
        .map(|c| (c.cluster.canonical, c.cluster.members.clone()))
        .collect();
    assert_eq!(
        lib_clusters, clusters,
        "{what}: the binary and the library disagree"
    );

    // 1. Every verified pair passes the rule on the exact sets, with the exact scores.
    let verified: BTreeSet<(u32, u32)> = outcome.pairs.iter().map(|p| (p.a, p.b)).collect();
    assert!(!verified.is_empty(), "{what}");
    for p in &outcome.pairs {
        let (j, c, smaller) = truth.score(p.a, p.b);
        assert!(
            accepted(config, j, c, smaller),
            "{what}: verified pair ({}, {}) has Jaccard {j}, containment {c}",
            recs[p.a as usize].0,
            recs[p.b as usize].0
        );
        assert_eq!((p.jaccard, p.containment), (j, c), "{what}: scores");
    }
    // ... and every verified pair the truth accepts is a pair of the truth.
    for &(a, b) in &verified {
        assert!(truth.pairs.contains_key(&(a, b)), "{what}: ({a}, {b})");
    }

    // 2. Recall 1.0 at Jaccard >= 0.9: every such pair is verified and in one cluster.
    let mut cluster_of = vec![u32::MAX; texts.len()];
    for (k, (_, members)) in clusters.iter().enumerate() {
        for &m in members {
            assert_eq!(cluster_of[m as usize], u32::MAX, "{what}: clusters overlap");
            cluster_of[m as usize] = k as u32;
        }
    }
    let same = |a: u32, b: u32| {
        cluster_of[a as usize] != u32::MAX && cluster_of[a as usize] == cluster_of[b as usize]
    };
    let high: Vec<(u32, u32)> = truth
        .pairs
        .iter()
        .filter(|(_, &(j, _))| j >= 0.9)
        .map(|(&p, _)| p)
        .collect();
    assert!(
        high.len() > 50,
        "{what}: {} pairs of Jaccard >= 0.9",
        high.len()
    );
    // The drifting chains (ids `drift-*`) are where the guard must split: there a pair of
    // neighbours can end in two clusters. Everywhere else, recall is 1.0.
    let chained = |d: u32| recs[d as usize].0.starts_with("drift-");
    let mut apart_in_chains = 0;
    for &(a, b) in &high {
        let (ia, ib) = (&recs[a as usize].0, &recs[b as usize].0);
        assert!(
            verified.contains(&(a, b)),
            "{what}: {ia} and {ib} (Jaccard {:?}) were not verified",
            truth.pairs[&(a, b)]
        );
        if chained(a) && chained(b) {
            apart_in_chains += usize::from(!same(a, b));
            continue;
        }
        assert!(
            same(a, b),
            "{what}: {ia} and {ib} (Jaccard {:?}) are not in one cluster",
            truth.pairs[&(a, b)]
        );
    }
    let ruled: Vec<(u32, u32)> = truth
        .pairs
        .iter()
        .filter(|(&(a, b), &(j, c))| accepted(config, j, c, truth.score(a, b).2))
        .map(|(&p, _)| p)
        .collect();
    let found = ruled.iter().filter(|&&(a, b)| same(a, b)).count();

    // 3. The chaining guard: some member (the center) matches every member of its cluster
    // under the rule, and the clusters are exactly those of the guard run with brute-force
    // matches on the verified pairs. In containment mode a pair accepted by containment alone
    // links its contained side (a group of identical documents is one side) only to its best
    // container, and the guard keeps a member matched by containment alone only when it is
    // the contained side, the center's container or a match of it (`cluster`'s docs).
    let keys = canonical_keys(&outcome.meta);
    let mut first_of_set: HashMap<&[u64], u32> = HashMap::new();
    let side: Vec<u32> = (0..texts.len() as u32)
        .map(|d| match &truth.sets[d as usize] {
            Some(set) => *first_of_set.entry(set.as_slice()).or_insert(d),
            None => d,
        })
        .collect();
    let mut side_key = keys.clone();
    for d in 0..texts.len() {
        let g = side[d] as usize;
        side_key[g] = side_key[g].max(keys[d]);
    }
    let size = |g: u32| truth.sets[g as usize].as_ref().map_or(0, |s| s.len());
    let key = |g: u32| side_key[g as usize];
    let by_jaccard = |p: &ScoredPair| p.jaccard >= config.definition.threshold;
    let doc_pairs: Vec<ScoredPair> = outcome.pairs.iter().collect();
    let (kept, containers) =
        attach_contained(&doc_pairs, by_jaccard, |d| side[d as usize], size, key);
    let matches = |x: u32, y: u32| {
        let (j, c, smaller) = truth.score(x, y);
        let (gx, gy) = (side[x as usize], side[y as usize]);
        accepted(config, j, c, smaller)
            && (j >= config.definition.threshold
                || contained_side(gx, gy, size, key).0 == gy
                || containers.of(gx).is_some_and(|a| {
                    let (j, c, smaller) = truth.score(a, y);
                    a == gy || accepted(config, j, c, smaller)
                }))
    };
    for (_, members) in &clusters {
        assert!(
            members
                .iter()
                .any(|&h| members.iter().all(|&m| m == h || matches(h, m))),
            "{what}: no member matches every other: {:?}",
            members
                .iter()
                .map(|&m| &recs[m as usize].0)
                .collect::<Vec<_>>()
        );
    }
    let want: Vec<(u32, Vec<u32>)> = guarded_clusters(&keys, kept.iter().copied(), matches)
        .into_iter()
        .map(|c| (c.canonical, c.members))
        .collect();
    assert_eq!(clusters, want, "{what}: not the guard's clusters");

    // 4. The canonical member is the longest text, ties to the smallest id.
    for (canonical, members) in &clusters {
        let longest = members
            .iter()
            .max_by_key(|&&m| {
                (
                    texts[m as usize].chars().count(),
                    std::cmp::Reverse(&recs[m as usize].0),
                )
            })
            .unwrap();
        assert_eq!(canonical, longest, "{what}");
    }
    assert!(
        apart_in_chains > 0,
        "{what}: the chains did not need the guard"
    );
    (high.len(), ruled.len(), found, outcome.counts.guard_splits)
}

/// The configuration a `cluster` command line with `mode` and `shingle` describes.
fn config_of(mode: Mode, shingle: ShingleMode) -> Config {
    Config {
        definition: neardup::Definition {
            mode,
            shingle,
            ..Default::default()
        },
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// The pipeline against brute force.

/// Chains of drifting copies: from each of `bases`, `steps` copies, each the one before with
/// `per_step` tokens (words, or characters when `chars`) replaced. Neighbours in a chain are
/// duplicates, its ends are not: only the chaining guard keeps such a chain from becoming one
/// cluster.
fn drift_chains(bases: &[String], steps: usize, per_step: usize, chars: bool) -> Vec<String> {
    let mut rng = Rng::new(17);
    let mut out = Vec::new();
    for (c, base) in bases.iter().enumerate() {
        let mut tokens: Vec<String> = if chars {
            base.chars().map(String::from).collect()
        } else {
            base.split(' ').map(String::from).collect()
        };
        for k in 0..steps {
            for r in 0..per_step {
                let at = rng.below(tokens.len());
                tokens[at] = if chars {
                    ["政", "経", "の", "が", "会", "議", "東", "北"][(c + k + r) % 8].to_string()
                } else {
                    format!("drift{c}x{k}x{r}")
                };
            }
            out.push(tokens.join(if chars { "" } else { " " }));
        }
    }
    out
}

#[test]
fn pipeline_against_brute_force_word_shingles() {
    let dir = tempfile::tempdir().unwrap();
    let gen = dir.path().join("gen.jsonl");
    let out = run(&[
        "gen",
        "--docs",
        "2500",
        "--seed",
        "11",
        "--dup-rate",
        "0.4",
        "-o",
        s(&gen),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut lines: Vec<String> = std::fs::read_to_string(&gen)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    // Chains from new stories: the first texts with their words in reverse order.
    let bases: Vec<String> = records(&gen)[..12]
        .iter()
        .map(|r| r.1.split(' ').rev().collect::<Vec<_>>().join(" "))
        .collect();
    for (i, t) in drift_chains(&bases, 10, 4, false).iter().enumerate() {
        lines.push(json!({"id": format!("drift-{i}"), "text": t}).to_string());
    }
    let path = write_lines(dir.path(), "words.jsonl", &lines);
    for (mode, args) in [
        (Mode::Containment, &[][..]),
        (Mode::Jaccard, &["--mode", "jaccard"][..]),
    ] {
        let (high, ruled, found, split) =
            check_against_brute_force(&path, &config_of(mode, ShingleMode::default()), args);
        eprintln!("words, {mode}: {high} pairs of Jaccard >= 0.9; {found} of {ruled} pairs the rule accepts in one cluster; guard splits {split}");
        assert!(split > 0, "the chaining guard was not needed");
    }
}

/// A Japanese archive, made here (`neardup gen` writes English): originals drawn from 180
/// kanji and kana with Zipf frequencies, and copies of earlier ones changed as outlets change
/// wire copy (characters edited, cut short, a caption in front, a phrase inserted), many with
/// a shared footer (boilerplate for the sampled-shingle index).
fn japanese_archive(n: usize, seed: u64) -> Vec<String> {
    const KANA: &str = "のにはをがでとたしいるてなもからまでよりれこそあかさ";
    const KANJI: &str = "日本政府東京大阪市場経済会社発表首相議員選挙警察事件地震被害国際会議記者調査結果今年月時間人口増加減少予算計画開発技術研究学校教育病院医療環境問題対策関係両国外交貿易輸出入価格上昇下落株式銀行金融資本労働者組合交渉合意中国韓国米国欧州首脳会談防衛省外務財務厚生文部科学農林水産業";
    let alphabet: Vec<char> = KANA.chars().chain(KANJI.chars()).collect();
    // Zipf: rank r weighs 1 / (r + 1).
    let cdf: Vec<f64> = alphabet
        .iter()
        .enumerate()
        .scan(0.0, |acc, (r, _)| {
            *acc += 1.0 / (r as f64 + 1.0);
            Some(*acc)
        })
        .collect();
    let total = *cdf.last().unwrap();
    let mut rng = Rng::new(seed);
    let draw = |rng: &mut Rng, len: usize| -> String {
        let mut s = String::new();
        for i in 0..len {
            let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
            let k = cdf.partition_point(|&c| c < x).min(alphabet.len() - 1);
            s.push(alphabet[k]);
            if i % 23 == 22 {
                s.push('。');
            }
        }
        s
    };
    let footer = "この記事は共同通信の配信です。無断転載を禁じます。";
    let mut originals: Vec<usize> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for i in 0..n {
        let text = if originals.is_empty() || rng.below(100) >= 40 {
            originals.push(i);
            let len = 120 + rng.below(220);
            let mut t = format!("東京（共同）＝{}", draw(&mut rng, len));
            if rng.below(3) == 0 {
                t.push_str(footer);
            }
            t
        } else {
            let recent = &originals[originals.len().saturating_sub(200)..];
            let src = recent[rng.below(recent.len())];
            let mut chars: Vec<char> = texts[src].chars().collect();
            for _ in 0..1 + rng.below(3) {
                match rng.below(5) {
                    0 => {
                        // Characters edited.
                        for _ in 0..1 + rng.below(8) {
                            let at = rng.below(chars.len());
                            chars[at] = alphabet[rng.below(alphabet.len())];
                        }
                    }
                    1 => {
                        // Cut short.
                        let keep = chars.len() * (50 + rng.below(46)) / 100;
                        chars.truncate(keep.max(20));
                    }
                    2 => {
                        // A caption in front.
                        let len = 10 + rng.below(30);
                        let mut c: Vec<char> = draw(&mut rng, len).chars().collect();
                        c.push('。');
                        c.extend(chars);
                        chars = c;
                    }
                    3 => {
                        // A phrase inserted.
                        let at = rng.below(chars.len());
                        let len = 5 + rng.below(25);
                        let phrase: Vec<char> = draw(&mut rng, len).chars().collect();
                        chars.splice(at..at, phrase);
                    }
                    _ => chars.extend(footer.chars()),
                }
            }
            chars.into_iter().collect()
        };
        texts.push(text);
    }
    texts
}

#[test]
fn pipeline_against_brute_force_character_shingles() {
    let dir = tempfile::tempdir().unwrap();
    let texts = japanese_archive(2500, 3);
    let mut lines: Vec<String> = texts
        .iter()
        .enumerate()
        // No outlet: this checks candidates, rule and guard against whole sets; what is learned
        // as an outlet's boilerplate (real text) has its own tests (tests/cjk.rs, boilerplate).
        .map(|(i, t)| json!({"id": format!("ja-{i}"), "text": t}).to_string())
        .collect();
    // Chains from new stories: the first texts written backwards.
    let bases: Vec<String> = texts[..12]
        .iter()
        .map(|t| t.chars().rev().collect())
        .collect();
    for (i, t) in drift_chains(&bases, 10, 4, true).iter().enumerate() {
        lines.push(json!({"id": format!("drift-{i}"), "text": t}).to_string());
    }
    let path = write_lines(dir.path(), "ja.jsonl", &lines);
    for (mode, args) in [
        (
            Mode::Jaccard,
            &["--shingle", "chars:3", "--mode", "jaccard"][..],
        ),
        (Mode::Containment, &["--shingle", "chars:3"][..]),
    ] {
        let (high, ruled, found, split) =
            check_against_brute_force(&path, &config_of(mode, ShingleMode::Chars(3)), args);
        eprintln!("chars:3, {mode}: {high} pairs of Jaccard >= 0.9; {found} of {ruled} pairs the rule accepts in one cluster; guard splits {split}");
        assert!(split > 0, "the chaining guard was not needed");
    }
}

// ---------------------------------------------------------------------------------------------
// CSV injection.

/// Characters that make a spreadsheet read a cell as a formula when they lead it (OWASP's
/// list), also after leading white space (some spreadsheets trim it).
fn formula_lead(cell: &str) -> bool {
    cell.starts_with(['\t', '\r'])
        || cell
            .trim_start()
            .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn csv_cells_that_start_a_formula_are_neutralised_end_to_end() {
    let leads = ["=", "+", "-", "@", "\t", "\r", " =", "\n+", "\r\n@", " \t-"];
    let payload = |i: usize| format!("HYPERLINK(\"http://x.test/?{i}\",\"y\")");
    let fields = ["id", "outlet", "title", "date"];
    let text = story(7);
    let mut docs: Vec<Value> = Vec::new();
    // One document per lead and field, the other fields plain; then one all plain.
    for (l, lead) in leads.iter().enumerate() {
        for (f, field) in fields.iter().enumerate() {
            let i = l * fields.len() + f;
            let mut d = json!({
                "id": format!("doc {i}"),
                "outlet": format!("Outlet {i}"),
                "title": "Title",
                "date": "2024-05-01",
                "text": format!("{text} {i}"),
            });
            d[*field] = json!(format!("{lead}{}", payload(i)));
            docs.push(d);
        }
    }
    docs.push(json!({"id": "plain", "outlet": "Plain", "title": "Plain - title", "date": "2024-05-01", "text": text}));
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    let input = write_lines(dir.path(), "in.jsonl", &lines);
    let csv_path = dir.path().join("c.csv");
    let out = run(&[
        "cluster",
        "-q",
        s(&input),
        "-o",
        "/dev/null",
        "--csv",
        s(&csv_path),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&csv_path)
        .unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        neardup::report::csv::COLUMNS.map(String::from).to_vec()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // One cluster, members in input order: row k is document k, every row whole.
    assert_eq!(rows.len(), docs.len(), "a row was broken or lost");
    for (row, d) in rows.iter().zip(&docs) {
        assert_eq!(row.len(), header.len(), "{row:?}");
        assert_eq!(&row[0], "1", "{row:?}");
        for field in fields {
            let col = header.iter().position(|h| h == field).unwrap();
            let (cell, given) = (&row[col], d[field].as_str().unwrap());
            assert!(!formula_lead(cell), "{field} {given:?} written as {cell:?}");
            if formula_lead(given) {
                // Neutralised with a leading quote, the rest of the cell intact.
                assert!(
                    cell.starts_with('\''),
                    "{field} {given:?} written as {cell:?}"
                );
                assert!(cell.ends_with(given.trim_start()), "{field}: {cell:?}");
                if !given.contains(['\t', '\r', '\n']) {
                    assert_eq!(cell, format!("'{given}"), "{field}");
                }
            } else {
                assert_eq!(cell, given, "{field}: a plain cell is left as it is");
            }
        }
        // The columns the input does not fill are the tool's own.
        assert!(["true", "false"].contains(&&row[8]), "{row:?}");
        assert!(
            row[6].parse::<f64>().is_ok() && row[7].parse::<f64>().is_ok(),
            "{row:?}"
        );
    }
    let neutralised = rows
        .iter()
        .flat_map(|r| [1, 2, 3, 4].map(|c| r[c].starts_with('\'')))
        .filter(|&q| q)
        .count();
    assert_eq!(neutralised, leads.len() * fields.len());
}

// ---------------------------------------------------------------------------------------------
// Order and threads.

/// Every output of `cluster` (file, CSV, HTML, locations) and `dedupe` (kept, removed) of
/// `input` on `threads` threads, with `args`.
fn all_outputs(dir: &Path, input: &Path, threads: &str, args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let p = |name: &str| dir.join(format!("{threads}-{name}"));
    let (c, csv, html, loc, kept, removed) = (
        p("c.jsonl"),
        p("c.csv"),
        p("c.html"),
        p("c.loc"),
        p("kept.jsonl"),
        p("removed.jsonl"),
    );
    let cluster = [
        "cluster",
        "-q",
        "--threads",
        threads,
        s(input),
        "-o",
        s(&c),
        "--csv",
        s(&csv),
        "--html",
        s(&html),
        "--locations",
        s(&loc),
    ];
    let out = run(&[&cluster[..], args].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let dedupe = [
        "dedupe",
        "-q",
        "--threads",
        threads,
        s(input),
        "-o",
        s(&kept),
        "--removed",
        s(&removed),
    ];
    let out = run(&[&dedupe[..], args].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    [c, csv, html, loc, kept, removed]
        .iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            (
                name[threads.len() + 1..].to_string(),
                std::fs::read(f).unwrap(),
            )
        })
        .collect()
}

/// A generated archive of 6,000 documents: 17 MB, several 2 MB batches of the first pass;
/// 4,417 documents in 1,558 clusters with 11 MB of text, two report chunks of 8 MB; sampled
/// shingles in all 64 partitions of the containment stage, which pairs as many partitions at
/// a time as there are threads (groups of 1, 2, 3, 4 and 8 partitions, the last group of 3
/// threads short).
fn order_corpus(dir: &Path) -> PathBuf {
    let p = dir.join("gen.jsonl");
    let out = run(&[
        "gen",
        "--docs",
        "6000",
        "--seed",
        "9",
        "--dup-rate",
        "0.5",
        "-o",
        s(&p),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    p
}

#[test]
fn same_bytes_for_any_thread_count_and_same_clusters_for_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = order_corpus(dir.path());
    let lines: Vec<String> = std::fs::read_to_string(&input)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    for args in [&[][..], &["--mode", "jaccard"][..]] {
        // Byte-identical outputs across thread counts, for the file as generated.
        let mut first: Option<Vec<(String, Vec<u8>)>> = None;
        for threads in ["1", "2", "3", "4", "8"] {
            let outs = all_outputs(dir.path(), &input, threads, args);
            match &first {
                None => first = Some(outs),
                Some(f) => {
                    for ((name, want), (_, got)) in f.iter().zip(&outs) {
                        assert!(
                            want == got,
                            "{args:?}: {name} differs between 1 and {threads} threads"
                        );
                    }
                }
            }
        }
        let first = first.unwrap();
        let want = cluster_sets(&first[0].1);
        assert!(want.len() > 1000, "{args:?}: {} clusters", want.len());
        let kept_ids = |bytes: &[u8]| -> BTreeSet<String> {
            json_lines(bytes)
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_string())
                .collect()
        };
        let want_kept = kept_ids(&first[4].1);
        // The same clusters (members and canonical member) and the same kept documents for
        // the lines in other orders.
        for seed in [1, 2, 3] {
            let order = shuffled(&lines, seed);
            assert!(order != lines);
            let path = write_lines(dir.path(), &format!("shuffled-{seed}.jsonl"), &order);
            let threads = ["3", "2", "8"][seed as usize - 1];
            let outs = all_outputs(dir.path(), &path, threads, args);
            assert!(
                cluster_sets(&outs[0].1) == want,
                "{args:?}: shuffle {seed} gives other clusters"
            );
            assert!(
                kept_ids(&outs[4].1) == want_kept,
                "{args:?}: shuffle {seed} keeps other documents"
            );
        }
    }
}
