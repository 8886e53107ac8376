//! Clusters: connected components of the verified-pair graph.
//!
//! Owns: union-find, cluster numbering and the choice of the canonical member. Must not: score
//! pairs or know about metadata beyond the text lengths it is given.
//!
//! Invariants: members are listed in input order; clusters are numbered from 1 in the input
//! order of their first member, so the numbers do not depend on thread count or pair order; the
//! canonical member is the longest text, ties going to the earlier document.

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
/// clusters of two or more members, numbered as the module docs say. `text_chars[i]` is the
/// length of document `i`, used to choose the canonical member.
pub fn clusters(text_chars: &[u32], edges: impl IntoIterator<Item = (u32, u32)>) -> Vec<Cluster> {
    let n = text_chars.len();
    let mut uf = UnionFind::new(n);
    for (a, b) in edges {
        uf.union(a, b);
    }
    // Component slot per root, assigned in order of first member.
    let mut slot_of_root = vec![u32::MAX; n];
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for d in 0..n as u32 {
        let r = uf.find(d) as usize;
        if uf.size[r] < 2 {
            continue;
        }
        if slot_of_root[r] == u32::MAX {
            slot_of_root[r] = groups.len() as u32;
            groups.push(Vec::new());
        }
        groups[slot_of_root[r] as usize].push(d);
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(i, members)| {
            let canonical = members
                .iter()
                .copied()
                .max_by(|&x, &y| {
                    text_chars[x as usize]
                        .cmp(&text_chars[y as usize])
                        .then(y.cmp(&x))
                })
                .expect("non-empty cluster");
            Cluster {
                number: i as u32 + 1,
                members,
                canonical,
            }
        })
        .collect()
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

    proptest! {
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
