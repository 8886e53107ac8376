//! The chain of stages: read and sign, band, re-read and verify, cluster.
//!
//! Owns: the order of the stages, per-stage timings and counts, the filters on verified pairs
//! (outlets, dates, real text), the scores of cluster members, and telling template items
//! apart. The first pass, with the accounting of every input unit and the ids, is in
//! `first_pass.rs`. Must not: parse command lines or write outputs; it runs on the rayon pool it
//! is given.

mod first_pass;

pub use first_pass::{read_and_sign, BadLine, Progress, Signed};

use crate::cluster::{attach_contained, contained_side, guarded_class_clusters, Cluster};
use crate::config::Config;
use crate::copies::{Copies, Pairs};
use crate::definition::Mode;
use crate::document::{DocMeta, Location};
use crate::error::Result;
use crate::input::reread::{load_docs, reparse, BATCH_BYTES};
use crate::input::InputSet;
use crate::lsh::{class_candidates, Candidates};
use crate::outcome::{Counts, Learned, Outcome, ScoredCluster, Timings};
use crate::shingle::Shingles;
use crate::verify::{
    jaccard_and_containment, verify_pairs, Rule, ScoredPair, SetSource, ShingleStore,
};
use rayon::prelude::*;
use std::time::Instant;

/// Normalizes and shingles one text: the per-document work shared by both passes.
pub fn shingle_text(text: &str, config: &Config) -> Shingles {
    crate::shingle::shingles_of_text(text, config.definition.shingle, config.definition.seed)
}

/// Second pass: re-reads the documents `docs` (ascending) and returns their shingle sets.
pub fn load_shingles(
    inputs: &InputSet,
    meta: &[DocMeta],
    docs: &[u32],
    config: &Config,
) -> Result<ShingleStore> {
    let mut store = ShingleStore::new(meta.len());
    let mut wanted: Vec<(Location, u32)> = docs
        .iter()
        .map(|&d| (meta[d as usize].location, d))
        .collect();
    wanted.sort_unstable_by_key(|(l, _)| (l.input, l.offset));
    let mut pending: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut pending_bytes = 0usize;
    let flush = |pending: &mut Vec<(u32, Vec<u8>)>, store: &mut ShingleStore| -> Result<()> {
        let sets: Vec<(u32, Result<Vec<u64>>)> = pending
            .par_iter()
            .map(|(d, line)| {
                let r = reparse(inputs, &meta[*d as usize], line, config)
                    .map(|rec| shingle_text(&rec.text, config).hashes);
                (*d, r)
            })
            .collect();
        for (d, set) in sets {
            store.insert(d, &set?);
        }
        pending.clear();
        Ok(())
    };
    inputs.fetch(&wanted, |d, line| {
        pending_bytes += line.len();
        pending.push((d, line.to_vec()));
        if pending_bytes >= BATCH_BYTES {
            flush(&mut pending, &mut store)?;
            pending_bytes = 0;
        }
        Ok(())
    })?;
    flush(&mut pending, &mut store)?;
    Ok(store)
}

/// Each document's outlet as a number, in order of first appearance
/// ([`crate::contain::NO_OUTLET`] when unknown).
fn outlet_numbers(meta: &[DocMeta]) -> Vec<u32> {
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    meta.iter()
        .map(|m| match m.outlet.as_deref() {
            None => crate::contain::NO_OUTLET,
            Some(o) => {
                let next = seen.len() as u32;
                *seen.entry(o).or_insert(next)
            }
        })
        .collect()
}

/// How the rule accepted a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepted {
    /// By Jaccard similarity.
    Jaccard,
    /// By containment alone.
    Containment,
}

/// How the rule accepted a pair with Jaccard `jaccard`.
fn accepted_as(rule: Rule, jaccard: f64) -> Accepted {
    match rule {
        Rule::Containment { jaccard: t, .. } if jaccard < t => Accepted::Containment,
        _ => Accepted::Jaccard,
    }
}

/// The verified pairs that stand: a pair accepted by containment alone needs enough real text
/// in the contained document ([`crate::boilerplate::RealSets::contained_long_enough`]).
fn stand(
    verified: Vec<ScoredPair>,
    real: &crate::boilerplate::RealSets<'_>,
    rule: Rule,
) -> Vec<ScoredPair> {
    verified
        .into_par_iter()
        .filter(|p| {
            accepted_as(rule, p.jaccard) == Accepted::Jaccard
                || real.contained_long_enough(p.a, p.b)
        })
        .collect()
}

/// True when the outlet and date options allow a match between documents `a` and `b`.
pub fn pair_allowed(config: &Config, a: &DocMeta, b: &DocMeta) -> bool {
    if config.definition.cross_outlet_only {
        if let (Some(x), Some(y)) = (&a.outlet, &b.outlet) {
            if x.trim().eq_ignore_ascii_case(y.trim()) {
                return false;
            }
        }
    }
    if let (Some(w), Some(x), Some(y)) = (config.definition.window_days, a.day, b.day) {
        if x.abs_diff(y) > w {
            return false;
        }
    }
    true
}

/// Runs every stage on `pool`. Bad lines go to `on_bad` as they are found.
pub fn run(
    inputs: &mut InputSet,
    config: &Config,
    pool: &rayon::ThreadPool,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
) -> Result<Outcome> {
    run_with_progress(inputs, config, pool, on_bad, &mut |_| {})
}

/// [`run`], reporting progress to `progress` as it goes.
pub fn run_with_progress(
    inputs: &mut InputSet,
    config: &Config,
    pool: &rayon::ThreadPool,
    on_bad: &mut (dyn FnMut(&BadLine) + Send),
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Outcome> {
    let banding = config.validate()?;
    pool.install(|| {
        let t0 = Instant::now();
        let mut signed = read_and_sign(inputs, config, banding, on_bad, progress)?;
        progress(Progress::Stage("finding candidate pairs"));
        let t1 = Instant::now();
        let docs = signed.signed_docs();
        let store = signed.sets.take().expect("spool written by the first pass");
        let rule = Rule::from_config(config);
        // Identical documents are handled as classes (see `copies`), when nothing but their
        // sets decides whether two of them pair: without outlet and date filters (and the
        // rule accepts identical sets whenever the threshold is valid).
        let copies = if config.definition.cross_outlet_only || config.definition.window_days.is_some() {
            Copies::default()
        } else {
            Copies::find(&docs, &signed.sig_hashes, signed.meta.len(), &store)
        };
        signed.sig_hashes = Vec::new();
        let firsts: Vec<u32> = if copies.is_empty() {
            docs
        } else {
            docs.into_iter().filter(|&d| copies.is_first(d)).collect()
        };
        let Candidates {
            pairs: mut candidates,
            oversized_buckets,
        } = class_candidates(&signed.keys, &firsts, &copies, config.definition.max_bucket);
        drop(firsts);
        let mut boilerplate_samples = 0;
        let sample_spill_bytes = signed.samples.spilled_bytes();
        let outlets = outlet_numbers(&signed.meta);
        let mut learned = Vec::new();
        let mut holders = Vec::new();
        let mut stage = Learned::default();
        if config.definition.mode == Mode::Containment {
            let index = std::mem::take(&mut signed.samples);
            let found = crate::contain::find(
                index,
                &copies,
                &outlets,
                crate::contain::Params::from_config(config),
            )?;
            boilerplate_samples = found.boilerplate;
            learned = found.outlet_boilerplate;
            holders = found.holders;
            stage.emitted = found.emitted;
            let contained = found.pairs;
            if copies.is_empty() {
                candidates.extend(contained);
            } else {
                // A pair of groups links all their classes.
                for (a, b) in contained {
                    let (ra, rb) = (copies.rest(a), copies.rest(b));
                    if a == b {
                        let rest = ra.expect("a document paired with itself is in a group");
                        candidates.push((a, rest));
                        if copies.weight(rest) >= 2 {
                            candidates.push((rest, rest));
                        }
                        continue;
                    }
                    for x in std::iter::once(a).chain(ra) {
                        for y in std::iter::once(b).chain(rb) {
                            candidates.push((x.min(y), x.max(y)));
                        }
                    }
                }
            }
            candidates.par_sort_unstable();
            candidates.dedup();
        }
        let candidate_pairs: u64 = candidates
            .iter()
            .map(|&(a, b)| copies.pair_count(a, b))
            .sum();
        let t2 = Instant::now();
        progress(Progress::Stage("verifying pairs"));
        let words = std::mem::take(&mut signed.words);
        let real_text = if config.definition.mode == Mode::Containment {
            crate::boilerplate::RealText::learn(
                &learned,
                &holders,
                &store,
                outlets,
                words,
                config.definition.min_contained_words,
            )
        } else {
            crate::boilerplate::RealText::plain(words, config.definition.min_contained_words)
        };
        drop(holders);
        // Every score from here on is a score of real text (the outlets' boilerplate out).
        let mut real = crate::boilerplate::RealSets::new(&store, &real_text);
        // A dense candidate graph (short documents of common shingles) reads each set in many
        // chunks: then each real set is made once. `DENSE` pairs per document is where
        // making them once costs less than making them again (measured: docs/candidates.md).
        const DENSE: usize = 2;
        let mut docs: Vec<u32> = candidates.iter().flat_map(|&(a, b)| [a, b]).collect();
        docs.par_sort_unstable();
        docs.dedup();
        if candidates.len() >= DENSE * docs.len() {
            real.prepare(signed.meta.len(), &docs)?;
        }
        drop(docs);
        let verified = verify_pairs(&candidates, &real, rule);
        drop(candidates);
        stage.boilerplate = real_text.learned() as u64;
        let before = verified.len();
        let verified = stand(verified, &real, rule);
        stage.rejected = (before - verified.len()) as u64;
        stage.prepared_bytes = real.prepared_bytes();
        let verified_pairs: u64 = verified
            .iter()
            .map(|p| copies.pair_count(p.a, p.b))
            .sum();
        let meta = &signed.meta;
        let pairs: Vec<ScoredPair> = verified
            .into_iter()
            .filter(|p| pair_allowed(config, &meta[p.a as usize], &meta[p.b as usize]))
            .collect();
        let allowed_pairs: u64 = pairs.iter().map(|p| copies.pair_count(p.a, p.b)).sum();
        let t3 = Instant::now();
        progress(Progress::Stage("clustering"));
        // The canonical member: the longest text, ties to the smallest id (not the earliest,
        // so that clusters do not depend on the order of the inputs).
        let lens = crate::cluster::canonical_keys(meta);
        // Scores of verified, allowed pairs: most members of a cluster are paired with its
        // center directly, and their sets need not be read again.
        let known = |x: u32, y: u32| {
            let (x, y) = (copies.class(x), copies.class(y));
            pairs
                .binary_search_by_key(&(x.min(y), x.max(y)), |p| (p.a, p.b))
                .ok()
                .map(|i| (pairs[i].jaccard, pairs[i].containment))
        };
        // Pairs accepted by containment alone attach each contained side to one container,
        // its best (see `cluster`). A group of identical documents (both its classes) is one
        // side: it is contained, and attached to, as a whole.
        let by_jaccard = |p: &ScoredPair| rule.accepts_by_jaccard(p.jaccard);
        let mut sides: Vec<u32> = pairs
            .iter()
            .filter(|p| !by_jaccard(p))
            .flat_map(|p| [copies.group(p.a), copies.group(p.b)])
            .collect();
        sides.par_sort_unstable();
        sides.dedup();
        // The size of each side's set and its rank: the greatest canonical key of its members.
        let ranks: Vec<(usize, (u32, std::cmp::Reverse<u32>))> = sides
            .par_iter()
            .map(|&g| {
                let key = copies
                    .group_members(g)
                    .map(|m| lens[m as usize])
                    .max()
                    .expect("a group has members");
                (real.set(g).len(), key)
            })
            .collect();
        let side = |g: u32| {
            sides
                .binary_search(&g)
                .map(|i| ranks[i])
                .expect("a side of a pair accepted by containment alone")
        };
        let size = |g: u32| side(g).0;
        let key = |g: u32| match sides.binary_search(&g) {
            Ok(i) => ranks[i].1,
            Err(_) => copies
                .group_members(g)
                .map(|m| lens[m as usize])
                .max()
                .expect("a group has members"),
        };
        let (kept, containers) =
            attach_contained(&pairs, by_jaccard, |x| copies.group(x), size, key);
        // A member matched to the center by containment alone stays when it is contained in
        // the center, or is the container the center attaches to or a match of it: a short
        // copy at the center never holds together the different stories that contain it.
        // Whether a member matches the container `a` (a group's first member) under the rule.
        let container_matches = |a: u32, m: u32| {
            known(a, m).is_some() || {
                let (sa, sm) = (real.set(a), real.set(m));
                let (j, k) = jaccard_and_containment(&sa, &sm);
                rule.accepts(j, k, sa.len().min(sm.len()))
            }
        };
        let attached = |c: u32, m: u32, jaccard: f64, size: &dyn Fn(u32) -> usize| {
            let (gc, gm) = (copies.group(copies.class(c)), copies.group(copies.class(m)));
            rule.accepts_by_jaccard(jaccard)
                || contained_side(gc, gm, size, key).0 == gm
                || containers.of(gc).is_some_and(|a| a == gm || container_matches(a, m))
        };
        // The guard compares one center with each of its members in turn: keep the center's set.
        let center: std::cell::RefCell<Option<(u32, Vec<u64>)>> = std::cell::RefCell::new(None);
        let guard = |c: u32, m: u32| {
            if let Some((jaccard, _)) = known(c, m) {
                // Accepted by the rule and allowed by the outlet and date filters.
                return attached(c, m, jaccard, &size);
            }
            let mut cached = center.borrow_mut();
            if cached.as_ref().is_none_or(|(d, _)| *d != c) {
                *cached = Some((c, real.set(c).into_owned()));
            }
            let sc = &cached.as_ref().expect("just set").1;
            let sm = real.set(m);
            let (j, k) = jaccard_and_containment(sc, &sm);
            let (mc, mm) = (&meta[c as usize], &meta[m as usize]);
            let window_ok = !matches!((config.definition.window_days, mc.day, mm.day), (Some(w), Some(x), Some(y)) if x.abs_diff(y) > w);
            let smaller = sc.len().min(sm.len());
            let gc = copies.group(copies.class(c));
            let sizes = |g: u32| if g == gc { sc.len() } else { sm.len() };
            rule.accepts(j, k, smaller)
                && window_ok
                && (accepted_as(rule, j) == Accepted::Jaccard || real.contained_long_enough(c, m))
                && attached(c, m, j, &sizes)
        };
        let edges = || kept.iter().copied();
        let unguarded: usize =
            guarded_class_clusters(&lens, &copies, pairs.iter().map(|p| (p.a, p.b)), |_, _| true)
                .iter()
                .map(|c| c.members.len())
                .sum();
        let found = guarded_class_clusters(&lens, &copies, edges(), guard);
        let guarded: usize = found.iter().map(|c| c.members.len()).sum();
        let scored: Vec<ScoredCluster> = found
            .into_par_iter()
            .map(|c| {
                let mut anchor: Option<std::borrow::Cow<[u64]>> = None;
                // Members of a class have one set: scored once.
                let mut of_class: Option<(u32, (f64, f64))> = None;
                ScoredCluster::against_reference(c, meta, &lens, None, |reference, d| {
                    if let Some(s) = known(reference, d) {
                        s
                    } else if let Some((_, s)) = of_class.filter(|&(x, _)| x == copies.class(d)) {
                        s
                    } else {
                        let anchor = anchor.get_or_insert_with(|| real.set(reference));
                        let s = jaccard_and_containment(anchor, &real.set(d));
                        of_class = Some((copies.class(d), s));
                        s
                    }
                })
            })
            .collect();
        let (scored, templates) = if config.templates == crate::config::Templates::Apart {
            progress(Progress::Stage("telling template items apart"));
            separate_templates(inputs, meta, scored, &|d| real.set(d), &lens, config)?
        } else {
            (scored, Split::default())
        };
        let t4 = Instant::now();
        let held_bytes = signed.keys.heap_bytes();
        let key_spill_bytes = signed.keys.spilled_bytes();
        let spool_bytes = store.disk_bytes();
        let counts = Counts {
            read: signed.read,
            documents: signed.meta.len() as u64,
            rejected: signed.rejected,
            skipped: signed.skipped,
            skipped_files: inputs.skipped_files().len() as u64,
            short: signed.meta.iter().filter(|m| m.short).count() as u64,
            candidate_pairs,
            verified_pairs,
            ignored_pairs: verified_pairs - allowed_pairs,
            guard_splits: (unguarded - guarded) as u64,
            oversized_buckets: oversized_buckets as u64,
            boilerplate_samples,
            clusters: scored.len() as u64,
            duplicates: scored
                .iter()
                .map(|c| c.cluster.members.len() as u64 - 1)
                .sum(),
            templates: templates.templates,
            template_items: templates.items,
            input_bytes: signed.bytes,
        };
        Ok(Outcome {
            meta: signed.meta,
            clusters: scored,
            pairs: Pairs::new(pairs, std::sync::Arc::new(copies)),
            counts,
            timings: Timings {
                read_sign: t1 - t0,
                lsh: t2 - t1,
                verify: t3 - t2,
                cluster: t4 - t3,
            },
            banding,
            held_bytes,
            key_spill_bytes,
            spool_bytes,
            sample_spill_bytes,
            learned: stage,
        })
    })
}

/// `cluster` with its members scored against its reference copy ([`crate::cluster::reference`],
/// the choice `run` makes), `set` giving a document's (real) shingle set.
pub fn scored_against_reference<'s>(
    cluster: Cluster,
    meta: &[DocMeta],
    lens: &[(u32, std::cmp::Reverse<u32>)],
    set: &(dyn Fn(u32) -> std::borrow::Cow<'s, [u64]> + Sync),
    template: Option<u32>,
) -> ScoredCluster {
    let mut anchor = None;
    ScoredCluster::against_reference(cluster, meta, lens, template, |reference, d| {
        let anchor = anchor.get_or_insert_with(|| set(reference));
        jaccard_and_containment(anchor, &set(d))
    })
}

/// Tells template items apart in an outcome made elsewhere (the Spark engine's, read by
/// [`crate::shard::read_engine_run`]) as [`run`] does in its own: clusters, their numbers and
/// the counts of clusters, duplicates and templates are made again. `set` gives a document's
/// shingle set (real text in containment mode) as the outcome's scores were computed on.
pub fn separate_template_items<'s>(
    inputs: &InputSet,
    outcome: &mut Outcome,
    set: &(dyn Fn(u32) -> std::borrow::Cow<'s, [u64]> + Sync),
    config: &Config,
) -> Result<()> {
    if config.templates != crate::config::Templates::Apart {
        return Ok(());
    }
    let lens = crate::cluster::canonical_keys(&outcome.meta);
    let scored = std::mem::take(&mut outcome.clusters);
    let (scored, split) = separate_templates(inputs, &outcome.meta, scored, set, &lens, config)?;
    outcome.counts.clusters = scored.len() as u64;
    outcome.counts.duplicates = scored
        .iter()
        .map(|c| c.cluster.members.len() as u64 - 1)
        .sum();
    outcome.counts.templates = split.templates;
    outcome.counts.template_items = split.items;
    outcome.clusters = scored;
    Ok(())
}

/// What [`separate_templates`] split.
#[derive(Debug, Default, Clone, Copy)]
struct Split {
    /// Clusters found to be templates.
    templates: u64,
    /// Items they were split into.
    items: u64,
}

/// Members of clusters whose texts are read again at a time to tell template items apart.
const TEMPLATE_BATCH: usize = 8192;

/// Splits each cluster whose members are different items of one template
/// ([`crate::template::items`], members given longest first) into its items: an item of two
/// or more copies is a cluster of its own (canonical member and scores against it made again,
/// on real text), an item of one copy is in no cluster. Clusters are numbered again by their
/// first member. Texts are read again a batch of clusters at a time, on the current pool;
/// `set` gives a document's (real) shingle set for the scores.
fn separate_templates<'s>(
    inputs: &InputSet,
    meta: &[DocMeta],
    scored: Vec<ScoredCluster>,
    set: &(dyn Fn(u32) -> std::borrow::Cow<'s, [u64]> + Sync),
    lens: &[(u32, std::cmp::Reverse<u32>)],
    config: &Config,
) -> Result<(Vec<ScoredCluster>, Split)> {
    let mut out: Vec<ScoredCluster> = Vec::with_capacity(scored.len());
    let mut split = Split::default();
    // Clusters whose members' headlines, outlets and dates already say they are one story
    // need no texts read (`template::may_hold_items`).
    let may_hold = |c: &ScoredCluster| {
        crate::template::may_hold_items(c.cluster.members.iter().map(|&d| {
            let m = &meta[d as usize];
            (m.title_key, m.outlet.as_deref(), m.day)
        }))
    };
    let (check, one_story): (Vec<ScoredCluster>, Vec<ScoredCluster>) =
        scored.into_iter().partition(may_hold);
    out.extend(one_story);
    let mut rest = check.into_iter().peekable();
    while rest.peek().is_some() {
        let mut batch = Vec::new();
        let mut size = 0;
        while let Some(c) =
            rest.next_if(|c| batch.is_empty() || size + c.cluster.members.len() <= TEMPLATE_BATCH)
        {
            size += c.cluster.members.len();
            batch.push(c);
        }
        let mut docs: Vec<u32> = batch
            .iter()
            .flat_map(|c| c.cluster.members.iter().copied())
            .collect();
        docs.sort_unstable();
        docs.dedup();
        let loaded = load_docs(inputs, meta, &docs, config)?;
        let doc = |d: u32| &loaded[docs.binary_search(&d).expect("loaded")];
        // Each cluster as its items' clusters, with the number of items (1: not a template).
        let parts: Vec<(Vec<ScoredCluster>, u32)> = batch
            .into_par_iter()
            .map(|sc| {
                // Longest first, ties to the earlier document: the canonical order.
                let mut order = sc.cluster.members.clone();
                order.sort_by(|&x, &y| lens[y as usize].cmp(&lens[x as usize]).then(x.cmp(&y)));
                let members: Vec<crate::template::Member<'_>> = order
                    .iter()
                    .map(|&d| {
                        let (m, text) = (&meta[d as usize], doc(d));
                        crate::template::Member {
                            title: text.title.as_deref(),
                            text: &text.text,
                            outlet: m.outlet.as_deref(),
                            day: m.day,
                        }
                    })
                    .collect();
                let item = crate::template::items(&members);
                let n = item.iter().max().map_or(0, |&k| k + 1);
                if n <= 1 {
                    return (vec![sc], 1);
                }
                let clusters = (0..n)
                    .filter_map(|k| {
                        let mut group: Vec<u32> = order
                            .iter()
                            .zip(&item)
                            .filter(|&(_, &i)| i == k)
                            .map(|(&d, _)| d)
                            .collect();
                        if group.len() < 2 {
                            return None;
                        }
                        group.sort_unstable();
                        let canonical = crate::cluster::canonical_member(&group, lens);
                        let cluster = Cluster {
                            number: 0,
                            members: group,
                            canonical,
                        };
                        Some(scored_against_reference(cluster, meta, lens, set, Some(n)))
                    })
                    .collect();
                (clusters, n)
            })
            .collect();
        for (clusters, n) in parts {
            if n > 1 {
                split.templates += 1;
                split.items += u64::from(n);
            }
            out.extend(clusters);
        }
    }
    out.sort_by_key(|c| c.cluster.members[0]);
    if split.templates > 0 {
        for (i, c) in out.iter_mut().enumerate() {
            c.cluster.number = i as u32 + 1;
        }
    }
    Ok((out, split))
}
