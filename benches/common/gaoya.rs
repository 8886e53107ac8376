//! gaoya 0.2.2 end to end, shared by the criterion bench `benches/peers.rs` (in its process)
//! and the example `examples/gaoya_peer.rs` (a process of its own, for `benches/peers.py`):
//! per text in parallel, lower case, `gaoya::text::whitespace_split`,
//! `gaoya::text::shingle_tokens`, `MinHasher::create_signature` cut to the banded slots;
//! `MinHashIndex::par_bulk_insert` into an index of `VecContainer` ids;
//! `MinHashIndex::par_bulk_query` of every signature; the pairs grouped with a union-find.

use gaoya::minhash::{MinHashIndex, MinHasher, VecContainer};
use gaoya::text::{shingle_tokens, whitespace_split};
use rayon::prelude::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// What one gaoya run found.
pub struct GaoyaOutcome {
    /// Pairs `(a, b)`, `a < b`, sorted.
    pub pairs: Vec<(u32, u32)>,
    /// Group label (union-find root) of each document.
    pub groups: Vec<u32>,
    /// Wall time of: tokenizing and signing; inserting; querying; pairs and groups.
    pub stages: [Duration; 4],
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// gaoya end to end on `texts`; its parallel calls run on the rayon pool this is called in.
pub fn gaoya_run<H: MinHasher<V = u32> + Sync>(
    texts: &[String],
    hasher: &H,
    bands: usize,
    rows: usize,
    shingle_words: usize,
    threshold: f64,
) -> GaoyaOutcome {
    let t0 = Instant::now();
    let banded = bands * rows;
    let signatures: Vec<Vec<u32>> = texts
        .par_iter()
        .map(|text| {
            let lower = text.to_lowercase();
            let tokens: Vec<&str> = whitespace_split(&lower).collect();
            let mut signature = hasher.create_signature(shingle_tokens(&tokens, shingle_words));
            // The index takes signatures of exactly `bands * rows` slots.
            signature.truncate(banded);
            signature
        })
        .collect();
    let t1 = Instant::now();
    let mut index: MinHashIndex<u32, u32, VecContainer<u32>> =
        MinHashIndex::new_index(bands, rows, threshold);
    let ids: Vec<u32> = (0..texts.len() as u32).collect();
    index.par_bulk_insert(ids, signatures.clone());
    let t2 = Instant::now();
    let hits = index.par_bulk_query(&signatures);
    let t3 = Instant::now();
    let mut pairs: Vec<(u32, u32)> = hits
        .iter()
        .enumerate()
        .flat_map(|(a, found)| {
            let a = a as u32;
            found.iter().filter(move |&&b| b > a).map(move |&b| (a, b))
        })
        .collect();
    pairs.sort_unstable();
    let mut parent: Vec<u32> = (0..texts.len() as u32).collect();
    for &(a, b) in &pairs {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let groups = (0..texts.len() as u32)
        .map(|d| find(&mut parent, d))
        .collect();
    let t4 = Instant::now();
    GaoyaOutcome {
        pairs,
        groups,
        stages: [t1 - t0, t2 - t1, t3 - t2, t4 - t3],
    }
}

/// One line of the corpus, as a gaoya user would read it: the text only.
#[derive(serde::Deserialize)]
struct Line {
    text: String,
}

/// gaoya end to end from the JSON Lines file, as a program built on it would run: the file
/// read whole, its lines parsed in parallel (`serde_json` into [`Line`]), then [`gaoya_run`].
pub fn gaoya_from_file<H: MinHasher<V = u32> + Sync>(
    path: &Path,
    hasher: &H,
    bands: usize,
    rows: usize,
    shingle_words: usize,
    threshold: f64,
) -> (Duration, GaoyaOutcome) {
    let t = Instant::now();
    let file = std::fs::read_to_string(path).expect("read corpus");
    let texts: Vec<String> = file
        .par_lines()
        .map(|l| serde_json::from_str::<Line>(l).expect("json line").text)
        .collect();
    drop(file);
    let read = t.elapsed();
    (
        read,
        gaoya_run(&texts, hasher, bands, rows, shingle_words, threshold),
    )
}
