//! Clusters: connected components of the verified-pair graph.
//!
//! Owns: union-find, cluster numbering and the choice of the canonical member. Must not: score
//! pairs or know about metadata beyond the ranking keys it is given.
//!
//! Invariants: members are listed in input order; clusters are numbered from 1 in the input
//! order of their first member, so the numbers do not depend on thread count or pair order; the
//! canonical member has the greatest key (in the pipeline: the longest text, ties going to the
//! smallest id, so that neither the canonical member nor, through the guard, the members of a
//! cluster depend on input order), remaining ties to the earlier document.
//!
//! **Chaining guard.** Stories drift: A~B and B~C can hold while A and C are different
//! stories, and union-find alone would merge a long chain of such steps into one giant
//! cluster. So each connected component is checked against its center ([`hub`]): the member
//! with the most verified pairs inside the component, ties to the canonical order (in
//! containment mode the pairs kept, see *Contained copies* below). Every member
//! must itself match the center. Members that do not are taken out; the rest of the component
//! keeps the center, and what was taken out is split again into its own connected components
//! (over the same verified pairs) and checked the same way. With a Jaccard rule at threshold
//! `t`, any two members of a cluster then have Jaccard at least `2t - 1` (Jaccard distance is a
//! metric), whatever the length of the chain.
//!
//! The center is the best connected member, not the longest: a wire story with an added
//! caption is the longest copy, and a cut copy that matches the original can fail to match
//! it; with the longest copy as center such a cut copy left the cluster of its own story
//! (Jaccard mode, generated 20,000 articles: 96.9% of the exact duplicate pairs in one
//! cluster with the longest copy as center, 99.5% with the best connected one). The canonical
//! member, the copy `dedupe` keeps, is still the longest member of the cluster, so it may
//! differ from the center.
//!
//! **Contained copies.** In containment mode a pair can be accepted by containment alone (its
//! Jaccard below the threshold): the smaller document, the contained side, is a cut copy or a
//! brief of the larger. A short text is contained in every story that carries it: the lead of a
//! feature in the feature and in another story built on the same lead, a footer-heavy brief in
//! every article with that footer. Linked to all of them it would join different stories into
//! one cluster, and, with the most pairs, be the guard's center that every one of them matches.
//! So each contained side attaches to one container only, its best ([`attach_contained`]): the
//! highest containment, then the highest Jaccard, then the greatest key, then the earliest.
//! Pairs accepted by Jaccard are all kept. The contained side is the smaller set; of two sets
//! of one size, the smaller key. A cut copy of a story carried by several outlets still joins
//! all of them, through the pairs of the long copies with each other; different stories that
//! share its text stay apart unless they match each other.
//!
//! The guard works on the pairs kept: its center is the member with the most of them, and
//! the pipeline checks members against it with the same attachment. A member matched to the
//! center by containment alone stays when it is contained in the center, or, when the center
//! is itself a contained copy, when it is the center's container or matches that container
//! under the rule (a copy of the story the center belongs to). So a short center keeps its
//! own story's copies, and never takes back the other stories that contain it.
//!
//! **The reference copy.** What a cluster's scores, changes, full text and title are shown
//! against is one member, its reference ([`reference`]): the copy closest to the wire's
//! original. It is chosen from the ranking keys and from what the caller says of each member
//! (the wire it names, whether by a dateline, its time of publication), so that the local run
//! and a distributed engine's clusters read back choose the same.

/// Disjoint sets over `0..n` with path halving and union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Merges the sets of `a` and `b`; returns false when they were already one set.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        true
    }
}

/// One cluster of two or more documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Stable number, from 1.
    pub number: u32,
    /// Members in input order.
    pub members: Vec<u32>,
    /// The member kept by `dedupe` and compared against in reports.
    pub canonical: u32,
}

/// Groups documents `0..text_chars.len()` by the `edges` between them and returns the
/// clusters of two or more members, numbered as the module docs say. `text_chars[i]` ranks
/// document `i` to choose the canonical member (the greatest; the pipeline passes the text
/// length and, for ties, the reverse order of ids, so that the choice does not depend on input
/// order). No chaining guard: see [`guarded_clusters`].
pub fn clusters<K: Ord>(
    text_chars: &[K],
    edges: impl IntoIterator<Item = (u32, u32)>,
) -> Vec<Cluster> {
    guarded_clusters(text_chars, edges, |_, _| true)
}

/// The canonical member of a group of members: the greatest key ([`canonical_keys`] in the
/// pipeline: the longest text, ties to the smallest id), remaining ties to the earliest.
pub fn canonical_member<K: Ord>(members: &[u32], text_chars: &[K]) -> u32 {
    members
        .iter()
        .copied()
        .max_by(|&x, &y| {
            text_chars[x as usize]
                .cmp(&text_chars[y as usize])
                .then(y.cmp(&x))
        })
        .expect("non-empty cluster")
}

/// Why a member is its cluster's reference copy ([`reference`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceBasis {
    /// It names the cluster's wire service in its dateline: the wire's own copy.
    WireCopy,
    /// No member is the wire's own copy; it is the earliest dated member.
    Earliest,
    /// No member is the wire's own copy or dated; it is the canonical member ([`canonical_member`]).
    Canonical,
}

/// What [`reference`] needs to know of a member: the wire service it names (an index into
/// [`crate::wire::SERVICES`]) and whether by a dateline, and its time of publication
/// ([`crate::date::moment`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The wire service the member names.
    pub wire: Option<u8>,
    /// True when it names it in a dateline (or the story's own credit at its end).
    pub dateline: bool,
    /// Its time of publication, when known.
    pub time: Option<i64>,
}

impl Provenance {
    /// What the choice of a cluster's reference copy knows of document `m`.
    pub fn of(m: &crate::document::DocMeta) -> Provenance {
        Provenance {
            wire: m.wire,
            dateline: m.wire_dateline,
            time: m.time,
        }
    }
}

/// The wire service of a group of members: the one most of them name, ties to the first in
/// [`crate::wire::SERVICES`].
pub fn cluster_wire(members: &[u32], of: impl Fn(u32) -> Provenance) -> Option<u8> {
    let mut votes: Vec<(u8, usize)> = Vec::new();
    for &m in members {
        if let Some(w) = of(m).wire {
            match votes.iter_mut().find(|(x, _)| *x == w) {
                Some((_, n)) => *n += 1,
                None => votes.push((w, 1)),
            }
        }
    }
    votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(w, _)| w)
}

/// The reference copy of a cluster (module docs), the one function that chooses it: the
/// wire's own copy (a member naming the cluster's wire, [`cluster_wire`], in its dateline),
/// else the earliest by time of publication, else the canonical member ([`canonical_member`] of `keys`).
/// Ties within a rule go to the next rule, then to the canonical order. Returns the member and
/// the rule that chose it.
pub fn reference<K: Ord>(
    members: &[u32],
    keys: &[K],
    of: impl Fn(u32) -> Provenance,
) -> (u32, ReferenceBasis) {
    let wire = cluster_wire(members, &of);
    let own = |m: u32| {
        let p = of(m);
        p.dateline && p.wire.is_some() && p.wire == wire
    };
    let best = members
        .iter()
        .copied()
        .min_by(|&x, &y| {
            let (tx, ty) = (of(x).time, of(y).time);
            own(y)
                .cmp(&own(x))
                .then(tx.is_none().cmp(&ty.is_none()))
                .then(tx.cmp(&ty))
                .then(keys[y as usize].cmp(&keys[x as usize]))
                .then(x.cmp(&y))
        })
        .expect("non-empty cluster");
    let basis = if own(best) {
        ReferenceBasis::WireCopy
    } else if of(best).time.is_some() {
        ReferenceBasis::Earliest
    } else {
        ReferenceBasis::Canonical
    };
    (best, basis)
}

/// The chaining guard's center of a component: the member with the most of `edges` (the
/// verified pairs inside the component), ties to the greatest key as in [`canonical_member`], then to
/// the earliest. `members` must be sorted.
pub fn hub<K: Ord>(members: &[u32], edges: &[(u32, u32)], text_chars: &[K]) -> u32 {
    let mut degree = vec![0u32; members.len()];
    for &(a, b) in edges {
        for d in [a, b] {
            if let Ok(i) = members.binary_search(&d) {
                degree[i] += 1;
            }
        }
    }
    (0..members.len())
        .max_by(|&x, &y| {
            degree[x]
                .cmp(&degree[y])
                .then(text_chars[members[x] as usize].cmp(&text_chars[members[y] as usize]))
                .then(members[y].cmp(&members[x]))
        })
        .map(|i| members[i])
        .expect("non-empty component")
}

/// The ranking keys the pipeline gives [`clusters`] and [`canonical_member`]: the text length in
/// characters and, for ties, the reverse rank of the id, so that the canonical member is the
/// longest text, ties to the smallest id, whatever the order of the inputs.
pub fn canonical_keys(meta: &[crate::document::DocMeta]) -> Vec<(u32, std::cmp::Reverse<u32>)> {
    use rayon::prelude::*;
    let mut by_id: Vec<u32> = (0..meta.len() as u32).collect();
    // Equal ids (only possible across the shards of a signed corpus) rank in document order.
    by_id.par_sort_unstable_by(|&x, &y| {
        meta[x as usize]
            .id
            .cmp(&meta[y as usize].id)
            .then(x.cmp(&y))
    });
    let mut keys = vec![(0, std::cmp::Reverse(0)); meta.len()];
    for (rank, &d) in by_id.iter().enumerate() {
        keys[d as usize] = (meta[d as usize].text_chars, std::cmp::Reverse(rank as u32));
    }
    keys
}

/// A verified pair accepted by containment alone (its Jaccard below the threshold), from its
/// contained side to its container.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Containment {
    /// The contained side ([`contained_side`]).
    pub contained: u32,
    /// The other side.
    pub container: u32,
    /// Exact containment of the smaller set in the larger.
    pub containment: f64,
    /// Exact Jaccard of the two sets.
    pub jaccard: f64,
}

/// The contained side of a pair `(a, b)` and the other one, its container:
/// `(contained, container)`. The contained side is the smaller set by `size` (the one
/// containment is measured for); of two sets of one size, the smaller `key`, then the later
/// document (the reverse of [`canonical_member`], which ranks the earlier first).
pub fn contained_side<K: Ord>(
    a: u32,
    b: u32,
    size: impl Fn(u32) -> usize,
    key: impl Fn(u32) -> K,
) -> (u32, u32) {
    let a_first = size(a)
        .cmp(&size(b))
        .then_with(|| key(a).cmp(&key(b)))
        .then(b.cmp(&a))
        .is_lt();
    if a_first {
        (a, b)
    } else {
        (b, a)
    }
}

/// The one container each contained side attaches to (module docs, *Contained copies*).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Containers {
    /// `(contained, container)`, by contained side.
    best: Vec<(u32, u32)>,
}

impl Containers {
    /// Chooses, for each contained side of `pairs`, its best container: the highest
    /// containment, then the highest Jaccard, then the container with the greatest `key` (the
    /// pipeline's [`canonical_keys`]), then the earliest. The choice does not depend on the
    /// order of `pairs`.
    pub fn choose<K: Ord>(
        mut pairs: Vec<Containment>,
        key: impl Fn(u32) -> K + Sync,
    ) -> Containers {
        use rayon::prelude::*;
        pairs.par_sort_unstable_by(|x, y| {
            x.contained
                .cmp(&y.contained)
                .then(y.containment.total_cmp(&x.containment))
                .then(y.jaccard.total_cmp(&x.jaccard))
                .then_with(|| key(y.container).cmp(&key(x.container)))
                .then(x.container.cmp(&y.container))
        });
        let mut best: Vec<(u32, u32)> = pairs.iter().map(|p| (p.contained, p.container)).collect();
        best.dedup_by_key(|&mut (x, _)| x);
        Containers { best }
    }

    /// The container `contained` attaches to, if it is the contained side of any pair.
    pub fn of(&self, contained: u32) -> Option<u32> {
        self.best
            .binary_search_by_key(&contained, |&(x, _)| x)
            .ok()
            .map(|i| self.best[i].1)
    }

    /// True when `p` is the pair its contained side attaches by.
    pub fn keeps(&self, p: &Containment) -> bool {
        self.of(p.contained) == Some(p.container)
    }

    /// Number of contained sides.
    pub fn len(&self) -> usize {
        self.best.len()
    }

    /// True when no pair is accepted by containment alone.
    pub fn is_empty(&self) -> bool {
        self.best.is_empty()
    }
}

/// The pairs clusters are built from when a rule accepts pairs by containment alone (module
/// docs, *Contained copies*): every pair of `pairs` that `by_jaccard` accepts, and of the
/// others, for each contained side, the one with its best container ([`Containers::choose`]).
/// `side(x)` names the side document (or class) `x` belongs to (in the pipeline a group of
/// identical documents is one side); `size` and `key` rank sides for [`contained_side`] and
/// the choice. Returns the pairs kept, in the order of `pairs`, and the containers chosen.
/// Nothing depends on the order of `pairs` but the order of what is returned.
pub fn attach_contained<K: Ord>(
    pairs: &[crate::verify::ScoredPair],
    by_jaccard: impl Fn(&crate::verify::ScoredPair) -> bool,
    side: impl Fn(u32) -> u32,
    size: impl Fn(u32) -> usize,
    key: impl Fn(u32) -> K + Sync,
) -> (Vec<(u32, u32)>, Containers) {
    let direct = |a: u32, b: u32| contained_side(side(a), side(b), &size, &key);
    let containers = Containers::choose(
        pairs
            .iter()
            .filter(|p| !by_jaccard(p))
            .map(|p| {
                let (contained, container) = direct(p.a, p.b);
                Containment {
                    contained,
                    container,
                    containment: p.containment,
                    jaccard: p.jaccard,
                }
            })
            .collect(),
        &key,
    );
    let kept = pairs
        .iter()
        .filter(|p| {
            by_jaccard(p) || {
                let (x, y) = direct(p.a, p.b);
                containers.of(x) == Some(y)
            }
        })
        .map(|p| (p.a, p.b))
        .collect();
    (kept, containers)
}

/// Like [`clusters`], with the chaining guard of the module docs: `matches(center, member)`
/// says whether a member may stay in the cluster of its component's [`hub`]. The canonical
/// member of each cluster is its [`canonical_member`].
pub fn guarded_clusters<K: Ord>(
    text_chars: &[K],
    edges: impl IntoIterator<Item = (u32, u32)>,
    matches: impl Fn(u32, u32) -> bool,
) -> Vec<Cluster> {
    // Every document a class of its own: the class path is the document path.
    guarded_class_clusters(
        text_chars,
        &crate::copies::Copies::default(),
        edges,
        matches,
    )
}

/// Classes of a component and the class pairs inside it.
type ClassComponent = (Vec<u32>, Vec<(u32, u32)>);

/// [`guarded_clusters`] over the classes of identical documents of `copies`
/// ([`crate::copies`]): `edges` are class pairs, `(x, y)` linking every member of class `x`
/// with every member of class `y`, `(x, x)` every two members of class `x`. The clusters are
/// those of the guard over the document pairs the class pairs stand for, one by one (a
/// proptest expands the pairs and compares), at a cost that grows with the classes and their
/// members, not with the pairs of a class. [`guarded_clusters`] is this with every document a
/// class of its own.
///
/// `matches(center, member)` must give one answer for all members of a class, and accept the
/// other members of the center's own class (the pipeline groups documents only when the guard
/// depends on their shingle sets alone, and identical sets match).
pub fn guarded_class_clusters<K: Ord>(
    text_chars: &[K],
    copies: &crate::copies::Copies,
    edges: impl IntoIterator<Item = (u32, u32)>,
    matches: impl Fn(u32, u32) -> bool,
) -> Vec<Cluster> {
    // A pair within a class of one member stands for no pair of documents.
    let edges: Vec<(u32, u32)> = edges
        .into_iter()
        .filter(|&(a, b)| a != b || copies.weight(a) >= 2)
        .collect();
    let mut work: Vec<ClassComponent> = class_components(text_chars.len(), &edges);
    let mut done: Vec<(Vec<u32>, u32)> = Vec::new();
    while let Some((classes, comp_edges)) = work.pop() {
        // The hub: the member with the most pairs, ties as in `hub`. Members of a class have
        // the same pairs.
        let mut degree = vec![0u64; classes.len()];
        let at = |x: u32| classes.binary_search(&x).expect("a class of the component");
        for &(a, b) in &comp_edges {
            let (wa, wb) = (copies.weight(a) as u64, copies.weight(b) as u64);
            if a == b {
                degree[at(a)] += wa - 1;
            } else {
                degree[at(a)] += wb;
                degree[at(b)] += wa;
            }
        }
        let c = classes
            .iter()
            .zip(&degree)
            .flat_map(|(&x, &deg)| copies.members(x).map(move |m| (deg, m)))
            .max_by(|&(dx, x), &(dy, y)| {
                dx.cmp(&dy)
                    .then(text_chars[x as usize].cmp(&text_chars[y as usize]))
                    .then(y.cmp(&x))
            })
            .map(|(_, m)| m)
            .expect("non-empty component");
        let own = copies.class(c);
        let (kept, out): (Vec<u32>, Vec<u32>) = classes.iter().partition(|&&x| {
            if x == own {
                debug_assert!(copies.members(x).all(|m| m == c || matches(c, m)));
                return true;
            }
            let first = copies.members(x).next().expect("a class has members");
            matches(c, first)
        });
        let mut members: Vec<u32> = kept.iter().flat_map(|&x| copies.members(x)).collect();
        members.sort_unstable();
        if members.len() >= 2 {
            let canonical = canonical_member(&members, text_chars);
            done.push((members, canonical));
        }
        let out_members: usize = out.iter().map(|&x| copies.weight(x)).sum();
        if out_members >= 2 {
            // `out` is sorted: a class's local index is its position in it.
            let local = |x: u32| out.binary_search(&x).ok();
            let inner: Vec<(u32, u32)> = comp_edges
                .into_iter()
                .filter(|&(a, b)| local(a).is_some() && local(b).is_some())
                .collect();
            let local_edges: Vec<(u32, u32)> = inner
                .iter()
                .map(|&(a, b)| {
                    (
                        local(a).expect("kept") as u32,
                        local(b).expect("kept") as u32,
                    )
                })
                .collect();
            for (g, local_inner) in class_components(out.len(), &local_edges) {
                let classes: Vec<u32> = g.iter().map(|&i| out[i as usize]).collect();
                let e = local_inner
                    .iter()
                    .map(|&(a, b)| (out[a as usize], out[b as usize]))
                    .collect();
                work.push((classes, e));
            }
        }
    }
    done.sort_unstable_by_key(|(m, _)| m[0]);
    done.into_iter()
        .enumerate()
        .map(|(i, (members, canonical))| Cluster {
            number: i as u32 + 1,
            members,
            canonical,
        })
        .collect()
}

/// Components of the classes `0..n` linked by `edges` (a pair `(x, x)` links the members of
/// class `x` among themselves): every class with at least one pair, in components each
/// sorted, with their pairs.
fn class_components(n: usize, edges: &[(u32, u32)]) -> Vec<ClassComponent> {
    let mut uf = UnionFind::new(n);
    let mut linked = vec![false; n];
    for &(a, b) in edges {
        uf.union(a, b);
        linked[a as usize] = true;
        linked[b as usize] = true;
    }
    let mut slot_of_root = vec![u32::MAX; n];
    let mut comps: Vec<ClassComponent> = Vec::new();
    for x in 0..n as u32 {
        if !linked[x as usize] {
            continue;
        }
        let r = uf.find(x) as usize;
        if slot_of_root[r] == u32::MAX {
            slot_of_root[r] = comps.len() as u32;
            comps.push((Vec::new(), Vec::new()));
        }
        comps[slot_of_root[r] as usize].0.push(x);
    }
    for &(a, b) in edges {
        let r = uf.find(a) as usize;
        comps[slot_of_root[r] as usize].1.push((a, b));
    }
    comps
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bfs_components(n: usize, edges: &[(u32, u32)]) -> Vec<Vec<u32>> {
        let mut adj = vec![Vec::new(); n];
        for &(a, b) in edges {
            adj[a as usize].push(b);
            adj[b as usize].push(a);
        }
        let mut seen = vec![false; n];
        let mut out = Vec::new();
        for s in 0..n {
            if seen[s] {
                continue;
            }
            let mut comp = vec![s as u32];
            seen[s] = true;
            let mut q = std::collections::VecDeque::from([s]);
            while let Some(x) = q.pop_front() {
                for &y in &adj[x] {
                    if !seen[y as usize] {
                        seen[y as usize] = true;
                        comp.push(y);
                        q.push_back(y as usize);
                    }
                }
            }
            if comp.len() > 1 {
                comp.sort_unstable();
                out.push(comp);
            }
        }
        out
    }

    /// The chaining guard as the module docs state it, written plainly (BFS components, the
    /// hub by counting its edges, what fails to match split off and checked again), to compare
    /// [`guarded_clusters`] with: `(members, canonical)` in order of first member.
    fn naive_guard(
        keys: &[u32],
        edges: &[(u32, u32)],
        matches: &dyn Fn(u32, u32) -> bool,
    ) -> Vec<(Vec<u32>, u32)> {
        let mut out = Vec::new();
        let mut work = bfs_components(keys.len(), edges);
        while let Some(members) = work.pop() {
            let inside = |&&(a, b): &&(u32, u32)| members.contains(&a) && members.contains(&b);
            let degree = |d: u32| {
                edges
                    .iter()
                    .filter(inside)
                    .filter(|&&(a, b)| a == d || b == d)
                    .count()
            };
            let hub = *members
                .iter()
                .max_by(|&&x, &&y| {
                    degree(x)
                        .cmp(&degree(y))
                        .then(keys[x as usize].cmp(&keys[y as usize]))
                        .then(y.cmp(&x))
                })
                .unwrap();
            let (kept, rest): (Vec<u32>, Vec<u32>) =
                members.iter().partition(|&&m| m == hub || matches(hub, m));
            if kept.len() >= 2 {
                let canonical = *kept
                    .iter()
                    .max_by(|&&x, &&y| keys[x as usize].cmp(&keys[y as usize]).then(y.cmp(&x)))
                    .unwrap();
                out.push((kept, canonical));
            }
            let rest_edges: Vec<(u32, u32)> = edges
                .iter()
                .copied()
                .filter(|(a, b)| rest.contains(a) && rest.contains(b))
                .collect();
            work.extend(
                bfs_components(keys.len(), &rest_edges)
                    .into_iter()
                    .filter(|c| c.iter().all(|d| rest.contains(d))),
            );
        }
        out.sort_by_key(|(m, _)| m[0]);
        out
    }

    /// Sets, keys, threshold and verified pairs of a random graph.
    type GuardCase = (Vec<u16>, Vec<u32>, f64, Vec<(u32, u32)>);

    /// Random graphs for the guard: `n` documents with random small sets (as bit masks) and
    /// ranking keys with ties, the pairs whose Jaccard passes a threshold, and of those the
    /// verified pairs found (some missed, as LSH misses some).
    fn guard_case() -> impl Strategy<Value = GuardCase> {
        (2usize..40).prop_flat_map(|n| {
            (
                proptest::collection::vec(any::<u16>(), n),
                proptest::collection::vec(0u32..4, n),
                prop_oneof![Just(0.4), Just(0.5), Just(0.6), Just(0.75)],
                proptest::collection::vec(any::<bool>(), n * n),
            )
                .prop_map(move |(sets, keys, t, found)| {
                    let jac = bits_jaccard;
                    let mut edges = Vec::new();
                    for a in 0..n {
                        for b in a + 1..n {
                            if jac(sets[a], sets[b]) >= t && found[a * n + b] {
                                edges.push((a as u32, b as u32));
                            }
                        }
                    }
                    (sets, keys, t, edges)
                })
        })
    }

    fn bits_jaccard(a: u16, b: u16) -> f64 {
        let union = (a | b).count_ones();
        if union == 0 {
            0.0
        } else {
            f64::from((a & b).count_ones()) / f64::from(union)
        }
    }

    proptest! {
        /// Clusters over classes of identical documents are the clusters over the document
        /// pairs the class pairs stand for, with a guard that depends on the sets alone.
        #[test]
        fn class_clusters_equal_document_clusters(
            sets in proptest::collection::vec(0u32..6, 2..40),
            keys in proptest::collection::vec(0u32..3, 40),
            raw in proptest::collection::vec((0usize..40, 0usize..40), 0..30),
            reject in 0u32..7,
        ) {
            let n = sets.len();
            let mut groups: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
            for (d, &s) in sets.iter().enumerate() {
                groups.entry(s).or_default().push(d as u32);
            }
            let copies = crate::copies::Copies::from_groups(n, groups.into_values().collect());
            let mut edges: Vec<(u32, u32)> = raw
                .iter()
                .map(|&(a, b)| {
                    let (x, y) = (copies.class((a % n) as u32), copies.class((b % n) as u32));
                    (x.min(y), x.max(y))
                })
                .collect();
            edges.sort_unstable();
            edges.dedup();
            let expanded: Vec<(u32, u32)> =
                edges.iter().flat_map(|&(a, b)| copies.expand(a, b)).collect();
            // Identical sets always match; others by a rule of their two sets.
            let matches = |c: u32, m: u32| {
                let (x, y) = (sets[c as usize], sets[m as usize]);
                x == y || (x * 7 + y * 3 + x * y) % 7 != reject
            };
            let keys: Vec<(u32, std::cmp::Reverse<u32>)> =
                (0..n).map(|d| (keys[d], std::cmp::Reverse(d as u32 % 3))).collect();
            prop_assert_eq!(
                guarded_class_clusters(&keys, &copies, edges.iter().copied(), matches),
                guarded_clusters(&keys, expanded.iter().copied(), matches)
            );
            prop_assert_eq!(
                guarded_class_clusters(&keys, &copies, edges.iter().copied(), |_, _| true),
                clusters(&keys, expanded.iter().copied())
            );
        }
    }

    proptest! {
        /// The guard's invariants on random graphs: the same clusters as the plain guard;
        /// disjoint clusters of two or more, numbered by first member, each inside one
        /// connected component of the verified pairs; every member matches the cluster's
        /// center; any two members within `2t - 1` (Jaccard distance is a metric); the
        /// canonical member the greatest key; a component whose members all match each other
        /// one whole cluster; and nothing depends on the order of the pairs.
        #[test]
        fn guard_invariants_on_random_graphs((sets, keys, t, edges) in guard_case(), seed in any::<u64>()) {
            let n = keys.len();
            let matches = |a: u32, b: u32| bits_jaccard(sets[a as usize], sets[b as usize]) >= t;
            let got = guarded_clusters(&keys, edges.iter().copied(), matches);
            let plain: Vec<(Vec<u32>, u32)> =
                got.iter().map(|c| (c.members.clone(), c.canonical)).collect();
            prop_assert_eq!(&plain, &naive_guard(&keys, &edges, &matches));
            let comps = bfs_components(n, &edges);
            let mut seen = vec![false; n];
            for (i, c) in got.iter().enumerate() {
                prop_assert_eq!(c.number, i as u32 + 1);
                prop_assert!(c.members.len() >= 2);
                prop_assert!(c.members.windows(2).all(|w| w[0] < w[1]));
                if i > 0 {
                    prop_assert!(got[i - 1].members[0] < c.members[0]);
                }
                for &m in &c.members {
                    prop_assert!(!seen[m as usize], "{} in two clusters", m);
                    seen[m as usize] = true;
                }
                prop_assert!(comps.iter().any(|g| c.members.iter().all(|m| g.contains(m))));
                prop_assert!(c
                    .members
                    .iter()
                    .any(|&h| c.members.iter().all(|&m| m == h || matches(h, m))));
                for &a in &c.members {
                    for &b in &c.members {
                        prop_assert!(
                            a == b || bits_jaccard(sets[a as usize], sets[b as usize]) >= 2.0 * t - 1.0 - 1e-12
                        );
                    }
                }
                prop_assert_eq!(c.canonical, canonical_member(&c.members, &keys));
            }
            for g in &comps {
                if g.iter().all(|&a| g.iter().all(|&b| a == b || matches(a, b))) {
                    prop_assert!(got.iter().any(|c| &c.members == g), "{:?} split", g);
                }
            }
            let mut order: Vec<(u32, u32)> = edges.iter().map(|&(a, b)| if seed & 1 == 0 { (a, b) } else { (b, a) }).collect();
            let mut x = seed | 1;
            for i in (1..order.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                order.swap(i, (x % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(guarded_clusters(&keys, order, matches), got);
        }

        /// When only verified pairs match (the strictest guard), every member of a cluster has
        /// a verified pair with one member, its center; when everything matches, the clusters
        /// are the connected components (union-find against BFS).
        #[test]
        fn guard_extremes((_sets, keys, _t, edges) in guard_case()) {
            let n = keys.len();
            let edge = |a: u32, b: u32| edges.contains(&(a.min(b), a.max(b)));
            let strict = guarded_clusters(&keys, edges.iter().copied(), edge);
            for c in &strict {
                prop_assert!(c
                    .members
                    .iter()
                    .any(|&h| c.members.iter().all(|&m| m == h || edge(h, m))));
            }
            prop_assert_eq!(
                strict.iter().map(|c| (c.members.clone(), c.canonical)).collect::<Vec<_>>(),
                naive_guard(&keys, &edges, &edge)
            );
            let all: Vec<Vec<u32>> = guarded_clusters(&keys, edges.iter().copied(), |_, _| true)
                .into_iter()
                .map(|c| c.members)
                .collect();
            prop_assert_eq!(all, bfs_components(n, &edges));
        }

        #[test]
        fn union_find_matches_bfs(n in 1usize..60, raw in proptest::collection::vec((0u32..60, 0u32..60), 0..80)) {
            let edges: Vec<(u32, u32)> = raw.into_iter()
                .map(|(a, b)| (a % n as u32, b % n as u32))
                .filter(|(a, b)| a != b)
                .collect();
            let got: Vec<Vec<u32>> = clusters(&vec![1; n], edges.iter().copied())
                .into_iter().map(|c| c.members).collect();
            prop_assert_eq!(got, bfs_components(n, &edges));
        }

        #[test]
        fn edge_order_does_not_matter(raw in proptest::collection::vec((0u32..30, 0u32..30), 0..40)) {
            let lens: Vec<u32> = (0..30).map(|i| (i * 7) % 5).collect();
            let mut rev = raw.clone();
            rev.reverse();
            prop_assert_eq!(clusters(&lens, raw), clusters(&lens, rev));
        }
    }

    /// Random verified pairs with scores from a few values (ties on purpose), sizes and keys
    /// with ties: `(sizes, keys, pairs)`.
    type AttachCase = (Vec<usize>, Vec<u32>, Vec<crate::verify::ScoredPair>);

    fn attach_case() -> impl Strategy<Value = AttachCase> {
        (2usize..24).prop_flat_map(|n| {
            (
                proptest::collection::vec(10usize..14, n),
                proptest::collection::vec(0u32..3, n),
                proptest::collection::vec((0..n as u32, 0..n as u32, 0usize..4, 0usize..4), 0..40),
            )
                .prop_map(|(sizes, keys, raw)| {
                    let mut seen = std::collections::BTreeSet::new();
                    let pairs = raw
                        .into_iter()
                        .filter(|&(a, b, _, _)| a != b && seen.insert((a.min(b), a.max(b))))
                        .map(|(a, b, j, c)| crate::verify::ScoredPair {
                            a: a.min(b),
                            b: a.max(b),
                            jaccard: [0.3, 0.5, 0.7, 0.9][j],
                            containment: [0.8, 0.9, 0.9, 1.0][c],
                        })
                        .collect();
                    (sizes, keys, pairs)
                })
        })
    }

    proptest! {
        /// Every pair accepted by Jaccard is kept; of the others, each contained side keeps
        /// exactly one, with its best container (checked against a plain maximum); the choice
        /// does not depend on the order of the pairs or of their two sides.
        #[test]
        fn each_contained_side_keeps_one_container((sizes, keys, pairs) in attach_case(), seed in any::<u64>()) {
            let by_jaccard = |p: &crate::verify::ScoredPair| p.jaccard >= 0.75;
            let size = |x: u32| sizes[x as usize];
            let key = |x: u32| keys[x as usize];
            let (kept, containers) = attach_contained(&pairs, by_jaccard, |x| x, size, key);
            let jaccard: Vec<(u32, u32)> =
                pairs.iter().filter(|p| by_jaccard(p)).map(|p| (p.a, p.b)).collect();
            prop_assert!(jaccard.iter().all(|e| kept.contains(e)));
            let mut best: std::collections::BTreeMap<u32, Vec<(u32, f64, f64)>> = Default::default();
            for p in pairs.iter().filter(|p| !by_jaccard(p)) {
                let (x, y) = contained_side(p.a, p.b, size, key);
                prop_assert!((size(x), key(x), std::cmp::Reverse(x)) < (size(y), key(y), std::cmp::Reverse(y)));
                best.entry(x).or_default().push((y, p.containment, p.jaccard));
            }
            prop_assert_eq!(containers.len(), best.len());
            for (&x, options) in &best {
                let want = options
                    .iter()
                    .max_by(|u, v| {
                        u.1.total_cmp(&v.1)
                            .then(u.2.total_cmp(&v.2))
                            .then(key(u.0).cmp(&key(v.0)))
                            .then(v.0.cmp(&u.0))
                    })
                    .unwrap()
                    .0;
                prop_assert_eq!(containers.of(x), Some(want));
                let kept_here = kept
                    .iter()
                    .filter(|e| !jaccard.contains(e))
                    .filter(|&&(a, b)| contained_side(a, b, size, key).0 == x)
                    .count();
                prop_assert_eq!(kept_here, 1);
            }
            prop_assert_eq!(kept.len(), jaccard.len() + best.len());
            // Another order, and the sides of each pair named the other way round.
            let mut order = pairs.clone();
            let mut r = seed | 1;
            for i in (1..order.len()).rev() {
                r ^= r << 13;
                r ^= r >> 7;
                r ^= r << 17;
                order.swap(i, (r % (i as u64 + 1)) as usize);
            }
            let (mut again, containers_again) = attach_contained(&order, by_jaccard, |x| x, size, key);
            prop_assert_eq!(containers_again, containers);
            again.sort_unstable();
            let mut sorted = kept.clone();
            sorted.sort_unstable();
            prop_assert_eq!(again, sorted);
        }

        /// With sides of several documents (a group of identical ones), each contained side
        /// keeps the pairs of one container side only.
        #[test]
        fn a_side_of_several_documents_attaches_to_one_side((sizes, keys, pairs) in attach_case()) {
            let side = |x: u32| x / 3;
            let by_jaccard = |p: &crate::verify::ScoredPair| p.jaccard >= 0.75 || side(p.a) == side(p.b);
            let size = |g: u32| sizes[g as usize];
            let key = |g: u32| keys[g as usize];
            let (kept, containers) = attach_contained(&pairs, by_jaccard, side, size, key);
            for p in pairs.iter().filter(|p| !by_jaccard(p)) {
                let (x, y) = contained_side(side(p.a), side(p.b), size, key);
                prop_assert_eq!(kept.contains(&(p.a, p.b)), containers.of(x) == Some(y));
            }
        }
    }

    /// The case of issue 22: a cut copy contained in its story A and in a different story B
    /// that shares only its lead. Without attachment the cut copy is the center and holds A
    /// and B together; attached to A, its best container, it leaves B alone.
    #[test]
    fn a_cut_copy_attaches_to_its_best_container() {
        use crate::verify::{jaccard_and_containment, ScoredPair};
        let sets: [Vec<u64>; 3] = [
            (0..300).collect(),                  // A
            (0..76).chain(1000..1420).collect(), // B: A's lead, then its own text
            (0..91).collect(),                   // the cut copy
        ];
        let rule = crate::verify::Rule::Containment {
            jaccard: 0.8,
            containment: 0.8,
            min_contained: 10,
        };
        let score = |a: u32, b: u32| {
            let (jaccard, containment) =
                jaccard_and_containment(&sets[a as usize], &sets[b as usize]);
            ScoredPair {
                a,
                b,
                jaccard,
                containment,
            }
        };
        let accepts = |a: u32, b: u32| {
            let p = score(a, b);
            let smaller = sets[a as usize].len().min(sets[b as usize].len());
            rule.accepts(p.jaccard, p.containment, smaller)
        };
        let pairs: Vec<ScoredPair> = [(0, 1), (0, 2), (1, 2)]
            .into_iter()
            .filter(|&(a, b)| accepts(a, b))
            .map(|(a, b)| score(a, b))
            .collect();
        assert_eq!(
            pairs.len(),
            2,
            "the cut copy is in A and in B, A and B do not match"
        );
        let lens = [300u32, 496, 91];
        let all = guarded_clusters(&lens, pairs.iter().map(|p| (p.a, p.b)), accepts);
        assert_eq!(all[0].members, [0, 1, 2], "one false cluster");
        let (kept, containers) = attach_contained(
            &pairs,
            |p| rule.accepts_by_jaccard(p.jaccard),
            |x| x,
            |x| sets[x as usize].len(),
            |x| lens[x as usize],
        );
        assert_eq!(kept, [(0, 2)]);
        assert_eq!(containers.of(2), Some(0));
        let attached = guarded_clusters(&lens, kept, accepts);
        assert_eq!(attached.len(), 1);
        assert_eq!(attached[0].members, [0, 2]);
    }

    /// The wire's own copy first, whatever its time or length; else the earliest (by time of
    /// day too), a dated member before an undated one; else the canonical member.
    #[test]
    fn reference_is_the_wire_copy_then_the_earliest_then_the_canonical() {
        let keys = [10u32, 30, 20, 5];
        let p = |wire: Option<u8>, dateline: bool, time: Option<i64>| Provenance {
            wire,
            dateline,
            time,
        };
        let members = [0, 1, 2, 3];
        // Member 2 names AP (0) by its dateline, the others by a photo credit or not at all.
        let table = [
            p(Some(0), false, Some(100)),
            p(None, false, Some(50)),
            p(Some(0), true, Some(900)),
            p(Some(0), false, None),
        ];
        assert_eq!(
            reference(&members, &keys, |m| table[m as usize]),
            (2, ReferenceBasis::WireCopy)
        );
        // A dateline of another service than the cluster's is not the wire's own copy.
        let table = [
            p(Some(0), false, Some(100)),
            p(Some(3), true, Some(60)),
            p(Some(0), false, Some(50)),
            p(None, false, None),
        ];
        assert_eq!(
            reference(&members, &keys, |m| table[m as usize]),
            (2, ReferenceBasis::Earliest)
        );
        // 12:56 before 16:50 of the same day.
        let day = 725_000 * 86_400;
        let table = [
            p(None, false, Some(day + 16 * 3600 + 50 * 60)),
            p(None, false, None),
            p(None, false, Some(day + 12 * 3600 + 56 * 60)),
            p(None, false, Some(day + 16 * 3600 + 50 * 60)),
        ];
        assert_eq!(
            reference(&members, &keys, |m| table[m as usize]),
            (2, ReferenceBasis::Earliest)
        );
        let none = |_| Provenance::default();
        assert_eq!(
            reference(&members, &keys, none),
            (canonical_member(&members, &keys), ReferenceBasis::Canonical)
        );
        assert_eq!(cluster_wire(&members, none), None);
    }

    #[test]
    fn canonical_is_longest_then_earliest() {
        let c = clusters(&[10, 30, 30, 5], [(3, 2), (0, 1), (1, 2)]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].members, vec![0, 1, 2, 3]);
        assert_eq!(c[0].canonical, 1);
        assert_eq!(c[0].number, 1);
    }

    /// A drifting chain: each step shares most of its set with the next, the ends share nothing.
    #[test]
    fn drifting_chain_is_not_one_giant_cluster() {
        let n = 12u32;
        let sets: Vec<Vec<u64>> = (0..n as u64)
            .map(|i| (i * 2..i * 2 + 10).collect())
            .collect();
        let jac = |a: u32, b: u32| {
            crate::verify::jaccard_and_containment(&sets[a as usize], &sets[b as usize]).0
        };
        let t = 0.6;
        let edges: Vec<(u32, u32)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .filter(|&(a, b)| jac(a, b) >= t)
            .collect();
        assert!(edges.contains(&(0, 1)) && !edges.contains(&(0, 11)));
        let lens = vec![10; n as usize];
        assert_eq!(
            clusters(&lens, edges.iter().copied()).len(),
            1,
            "unguarded: one chain"
        );
        let guarded = guarded_clusters(&lens, edges.iter().copied(), |c, m| jac(c, m) >= t);
        assert!(guarded.len() >= 3, "{guarded:?}");
        let mut seen = 0;
        for c in &guarded {
            // Some member (the center) matches every member.
            assert!(
                c.members
                    .iter()
                    .any(|&h| c.members.iter().all(|&m| jac(h, m) >= t)),
                "{c:?}"
            );
            assert_eq!(c.canonical, canonical_member(&c.members, &lens));
            for &m in &c.members {
                for &o in &c.members {
                    assert!(jac(m, o) >= 2.0 * t - 1.0 - 1e-9);
                }
            }
            seen += c.members.len();
        }
        assert!(seen <= n as usize);
        let numbers: Vec<u32> = guarded.iter().map(|c| c.number).collect();
        assert_eq!(numbers, (1..=guarded.len() as u32).collect::<Vec<_>>());
    }

    /// The original, a copy with a caption added (the longest) and a cut copy: the cut copy
    /// matches the original but not the captioned copy. Checked against the longest copy, the
    /// cut copy would leave the cluster; the center is the original, matched by both.
    #[test]
    fn center_is_the_best_connected_member_and_canonical_the_longest() {
        let sets: [Vec<u64>; 3] = [(0..100).collect(), (0..130).collect(), (0..80).collect()];
        let jac = |a: u32, b: u32| {
            crate::verify::jaccard_and_containment(&sets[a as usize], &sets[b as usize]).0
        };
        let t = 0.7;
        let edges: Vec<(u32, u32)> = [(0, 1), (0, 2), (1, 2)]
            .into_iter()
            .filter(|&(a, b)| jac(a, b) >= t)
            .collect();
        assert_eq!(edges, [(0, 1), (0, 2)]);
        let lens = [100, 130, 80];
        assert_eq!(hub(&[0, 1, 2], &edges, &lens), 0);
        let guarded = guarded_clusters(&lens, edges.iter().copied(), |c, m| jac(c, m) >= t);
        assert_eq!(guarded.len(), 1, "{guarded:?}");
        assert_eq!(guarded[0].members, [0, 1, 2]);
        assert_eq!(guarded[0].canonical, 1, "the longest copy is kept");
    }

    /// Equal degrees go to the greatest key, then to the earliest member.
    #[test]
    fn hub_ties_go_to_the_greatest_key_then_the_earliest() {
        let edges = [(0, 1), (1, 2), (2, 3)];
        assert_eq!(hub(&[0, 1, 2, 3], &edges, &[5, 5, 5, 5]), 1);
        assert_eq!(hub(&[0, 1, 2, 3], &edges, &[5, 5, 6, 5]), 2);
        assert_eq!(hub(&[0, 1, 2, 3], &edges, &[9, 5, 5, 5]), 1);
    }

    #[test]
    fn numbered_by_first_member() {
        let c = clusters(&[1; 6], [(4, 5), (1, 3)]);
        assert_eq!(
            c.iter()
                .map(|c| (c.number, c.members[0]))
                .collect::<Vec<_>>(),
            vec![(1, 1), (2, 4)]
        );
    }
}
