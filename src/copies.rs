//! Exact copies: documents whose shingle sets are identical, handled as classes so that a
//! story carried verbatim by a thousand outlets costs linear work, not a thousand squared.
//!
//! Owns: finding groups of identical sets (a signature hash, then the sets themselves, compared
//! exactly), the classes of a group, and the expansion of class pairs into document pairs.
//! Must not: change which document pairs are candidates, verified or clustered: every count
//! and output is the one the pairs of documents would give.
//!
//! A group of identical documents `g0 < g1 < ... < gk` becomes two classes: its first member
//! `{g0}` (named `g0`) and the rest `{g1, ..., gk}` (named `g1`, its smallest member); a
//! document in no group is a class of its own. Every LSH and containment rule of neardup pairs
//! the members of two classes either all with all or not at all (the bucket cap's star links
//! a bucket's first document, always the first member of its group, with every other
//! document), so candidate and verified pairs are kept as pairs of classes: `(x, y)` stands for
//! every pair of a member of `x` with a member of `y`, `(x, x)` for every pair of two members
//! of the rest class `x`. Members of a class have one set, so one verification scores all the
//! pairs a class pair stands for.

use crate::verify::{ScoredPair, SetSource};
use rayon::prelude::*;

/// The rest class of one group of identical documents.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rest {
    /// The class name: the group's second member.
    class: u32,
    /// The group's first member.
    first: u32,
    /// The members of the class, `members[start..end]` of [`Copies`].
    start: u32,
    end: u32,
}

/// The groups of identical documents of a corpus (see the module docs). The default has none:
/// every document is a class of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copies {
    /// The rest classes, by class name.
    rests: Vec<Rest>,
    /// `(first member, index in rests)`, by first member.
    by_first: Vec<(u32, u32)>,
    /// The class of every document (empty when there are no groups).
    class_of: Vec<u32>,
    /// The members of the rest classes, class after class, each ascending.
    members: Vec<u32>,
}

impl Copies {
    /// Finds the groups of identical sets among `docs` (ascending). `sig_hash[d]` must be
    /// equal for documents with equal sets (a hash of the MinHash signature); documents that
    /// share one have their sets read from `sets`, hashed, and compared exactly with the
    /// first of their hash, so that a group never holds two different sets. `n` is the number
    /// of documents of the corpus. Runs on the current rayon pool.
    pub fn find(docs: &[u32], sig_hash: &[u64], n: usize, sets: &dyn SetSource) -> Copies {
        let mut by_sig: Vec<(u64, u32)> = docs.iter().map(|&d| (sig_hash[d as usize], d)).collect();
        by_sig.par_sort_unstable();
        let shared: Vec<(u64, u32)> = by_sig
            .chunk_by(|x, y| x.0 == y.0)
            .filter(|run| run.len() >= 2)
            .flatten()
            .copied()
            .collect();
        drop(by_sig);
        if shared.is_empty() {
            return Copies::default();
        }
        // The exact sets of documents sharing a signature: a hash of each (read one at a
        // time: a signature shared by thousands of near copies must not hold their sets)...
        let mut by_set: Vec<(u64, u64, u32)> = shared
            .par_iter()
            .map(|&(sig, d)| {
                let set = sets.set(d);
                (
                    sig,
                    xxhash_rust::xxh3::xxh3_64(bytemuck::cast_slice(&set)),
                    d,
                )
            })
            .collect();
        drop(shared);
        by_set.par_sort_unstable();
        // ... and the documents of one hash compared with the first of them.
        let runs: Vec<&[(u64, u64, u32)]> = by_set
            .chunk_by(|x, y| (x.0, x.1) == (y.0, y.1))
            .filter(|run| run.len() >= 2)
            .collect();
        let groups: Vec<Vec<u32>> = runs
            .par_iter()
            .map(|run| {
                let first = sets.set(run[0].2);
                let mut group = vec![run[0].2];
                group.extend(
                    run[1..]
                        .iter()
                        .map(|x| x.2)
                        .filter(|&d| *sets.set(d) == *first),
                );
                group
            })
            .filter(|g| g.len() >= 2)
            .collect();
        Copies::from_groups(n, groups)
    }

    /// The classes of `groups` (each ascending, two or more documents of `0..n`, disjoint).
    pub fn from_groups(n: usize, mut groups: Vec<Vec<u32>>) -> Copies {
        groups.retain(|g| g.len() >= 2);
        if groups.is_empty() {
            return Copies::default();
        }
        groups.sort_unstable_by_key(|g| g[1]);
        let mut class_of: Vec<u32> = (0..n as u32).collect();
        let mut rests = Vec::with_capacity(groups.len());
        let mut members = Vec::new();
        for g in &groups {
            debug_assert!(g.windows(2).all(|w| w[0] < w[1]));
            let start = members.len() as u32;
            for &m in &g[1..] {
                class_of[m as usize] = g[1];
                members.push(m);
            }
            rests.push(Rest {
                class: g[1],
                first: g[0],
                start,
                end: members.len() as u32,
            });
        }
        let mut by_first: Vec<(u32, u32)> = rests
            .iter()
            .enumerate()
            .map(|(i, r)| (r.first, i as u32))
            .collect();
        by_first.sort_unstable();
        Copies {
            rests,
            by_first,
            class_of,
            members,
        }
    }

    /// True when every document is a class of its own.
    pub fn is_empty(&self) -> bool {
        self.rests.is_empty()
    }

    /// Groups of two or more identical documents.
    pub fn groups(&self) -> usize {
        self.rests.len()
    }

    /// Documents that are not the first of their group (the ones whose pairs are not
    /// handled one by one).
    pub fn collapsed(&self) -> usize {
        self.members.len()
    }

    fn rest_at(&self, class: u32) -> Option<&Rest> {
        self.rests
            .binary_search_by_key(&class, |r| r.class)
            .ok()
            .map(|i| &self.rests[i])
    }

    /// The class of document `doc`.
    pub fn class(&self, doc: u32) -> u32 {
        self.class_of.get(doc as usize).copied().unwrap_or(doc)
    }

    /// The group of class `class`, named by its first member: `class` itself when it is a
    /// group's first member or in no group, the first member of its group when it is a rest
    /// class. The two classes of a group have one set.
    pub fn group(&self, class: u32) -> u32 {
        self.rest_at(class).map_or(class, |r| r.first)
    }

    /// The members of the group named `first` ([`Copies::group`]), ascending.
    pub fn group_members(&self, first: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(first).chain(self.rest(first).into_iter().flat_map(|r| self.members(r)))
    }

    /// True when `doc` is the first member of its group (or in no group): the documents
    /// banded and indexed for candidates.
    pub fn is_first(&self, doc: u32) -> bool {
        self.class(doc) == doc && self.rest_at(doc).is_none()
    }

    /// The rest class of the group whose first member is `first`, if it is in a group.
    pub fn rest(&self, first: u32) -> Option<u32> {
        if self.by_first.is_empty() {
            return None;
        }
        self.by_first
            .binary_search_by_key(&first, |&(f, _)| f)
            .ok()
            .map(|i| self.rests[self.by_first[i].1 as usize].class)
    }

    /// [`Copies::rest`] of every document below `n` at once (`u32::MAX` where it has none), for
    /// loops over every document; empty when there are no groups.
    pub fn rest_table(&self, n: usize) -> Vec<u32> {
        if self.rests.is_empty() {
            return Vec::new();
        }
        let mut table = vec![u32::MAX; n];
        for r in &self.rests {
            if let Some(slot) = table.get_mut(r.first as usize) {
                *slot = r.class;
            }
        }
        table
    }

    /// For every document: the size of its group when it is a group's first member, 1 when it
    /// is in no group, 0 when it is another member of a group ([`Copies::group_size`] and
    /// [`Copies::is_first`] at once, for loops over every sample); empty when there are no
    /// groups.
    pub fn size_table(&self) -> Vec<u32> {
        if self.rests.is_empty() {
            return Vec::new();
        }
        let mut table = vec![1u32; self.class_of.len()];
        for r in &self.rests {
            for &m in &self.members[r.start as usize..r.end as usize] {
                table[m as usize] = 0;
            }
            table[r.first as usize] = 1 + (r.end - r.start);
        }
        table
    }

    /// Documents in the group whose first member is `first` (1 when it is in none).
    pub fn group_size(&self, first: u32) -> usize {
        1 + self.rest(first).map_or(0, |r| self.weight(r))
    }

    /// Members of class `class`.
    pub fn weight(&self, class: u32) -> usize {
        self.rest_at(class)
            .map_or(1, |r| (r.end - r.start) as usize)
    }

    /// The members of class `class`, ascending.
    pub fn members(&self, class: u32) -> impl Iterator<Item = u32> + '_ {
        let rest = self
            .rest_at(class)
            .map(|r| &self.members[r.start as usize..r.end as usize]);
        let single = rest.is_none().then_some(class);
        single
            .into_iter()
            .chain(rest.unwrap_or(&[]).iter().copied())
    }

    /// The pairs of documents class pair `(a, b)` stands for: `|a| * |b|`, or `|a| (|a| - 1) / 2`
    /// when `a == b`.
    pub fn pair_count(&self, a: u32, b: u32) -> u64 {
        let wa = self.weight(a) as u64;
        if a == b {
            wa * wa.saturating_sub(1) / 2
        } else {
            wa * self.weight(b) as u64
        }
    }

    /// The document pairs `(x, y)`, `x < y`, class pair `(a, b)` stands for.
    pub fn expand(&self, a: u32, b: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let same = a == b;
        self.members(a).enumerate().flat_map(move |(i, x)| {
            let skip = if same { i + 1 } else { 0 };
            self.members(b)
                .skip(skip)
                .map(move |y| (x.min(y), x.max(y)))
        })
    }
}

/// The verified pairs of a run, kept as pairs of classes of identical documents (see the
/// module docs): iterating gives every pair of documents, `len` counts them, and memory holds
/// one entry per class pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pairs {
    /// Verified class pairs, sorted.
    edges: Vec<ScoredPair>,
    copies: std::sync::Arc<Copies>,
}

impl Pairs {
    /// The pairs of documents `edges` stands for under `copies`.
    pub fn new(edges: Vec<ScoredPair>, copies: std::sync::Arc<Copies>) -> Pairs {
        Pairs { edges, copies }
    }

    /// The class pairs, sorted, each with its scores.
    pub fn classes(&self) -> &[ScoredPair] {
        &self.edges
    }

    /// The groups of identical documents the class pairs refer to.
    pub fn copies(&self) -> &Copies {
        &self.copies
    }

    /// Number of pairs of documents.
    pub fn len(&self) -> usize {
        self.edges
            .iter()
            .map(|p| self.copies.pair_count(p.a, p.b) as usize)
            .sum()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Every pair of documents (smaller index first), class pair after class pair: in
    /// ascending order when no two documents are identical.
    pub fn iter(&self) -> impl Iterator<Item = ScoredPair> + '_ {
        self.edges.iter().flat_map(|p| {
            self.copies
                .expand(p.a, p.b)
                .map(move |(a, b)| ScoredPair { a, b, ..*p })
        })
    }

    /// The Jaccard similarity of each class pair with the number of document pairs it
    /// stands for.
    pub fn jaccards(&self) -> Vec<(f64, u64)> {
        self.edges
            .iter()
            .map(|p| (p.jaccard, self.copies.pair_count(p.a, p.b)))
            .collect()
    }
}

impl<'a> IntoIterator for &'a Pairs {
    type Item = ScoredPair;
    type IntoIter = Box<dyn Iterator<Item = ScoredPair> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::ShingleStore;

    #[test]
    fn groups_of_identical_sets_become_two_classes() {
        let sets: [&[u64]; 6] = [&[1, 2, 3], &[4, 5], &[1, 2, 3], &[1, 2, 3], &[4, 5], &[9]];
        let mut store = ShingleStore::new(6);
        for (d, s) in sets.iter().enumerate() {
            store.insert(d as u32, s);
        }
        // Document 5 shares a signature hash with the first group but not its set.
        let sig = [7, 8, 7, 7, 8, 7];
        let c = Copies::find(&[0, 1, 2, 3, 4, 5], &sig, 6, &store);
        assert_eq!(c.groups(), 2);
        assert_eq!(c.collapsed(), 3);
        assert_eq!((c.class(0), c.class(2), c.class(3)), (0, 2, 2));
        assert_eq!((c.class(1), c.class(4), c.class(5)), (1, 4, 5));
        assert!(c.is_first(0) && c.is_first(1) && c.is_first(5));
        assert!(!c.is_first(2) && !c.is_first(3) && !c.is_first(4));
        assert_eq!((c.rest(0), c.rest(1), c.rest(5)), (Some(2), Some(4), None));
        assert_eq!((c.group_size(0), c.group_size(5)), (3, 1));
        assert_eq!(c.members(2).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(c.members(0).collect::<Vec<_>>(), vec![0]);
        assert_eq!(c.pair_count(2, 2), 1);
        assert_eq!(c.pair_count(0, 2), 2);
        assert_eq!(c.expand(2, 2).collect::<Vec<_>>(), vec![(2, 3)]);
        assert_eq!(c.expand(4, 2).collect::<Vec<_>>(), vec![(2, 4), (3, 4)]);
        let none = Copies::default();
        assert_eq!((none.class(3), none.weight(3), none.rest(3)), (3, 1, None));
        assert!(none.is_first(3));
    }
}
