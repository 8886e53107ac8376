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
//! with the most verified pairs inside the component, ties to the canonical order. Every member
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
pub fn center<K: Ord>(members: &[u32], text_chars: &[K]) -> u32 {
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

/// The chaining guard's center of a component: the member with the most of `edges` (the
/// verified pairs inside the component), ties to the greatest key as in [`center`], then to
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

/// The ranking keys the pipeline gives [`clusters`] and [`center`]: the text length in
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

/// Like [`clusters`], with the chaining guard of the module docs: `matches(center, member)`
/// says whether a member may stay in the cluster of its component's [`hub`]. The canonical
/// member of each cluster is its [`center`].
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
            let canonical = center(&members, text_chars);
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
                prop_assert_eq!(c.canonical, center(&c.members, &keys));
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
            assert_eq!(c.canonical, center(&c.members, &lens));
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
