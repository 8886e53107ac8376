//! Learned boilerplate: scores on the real text of documents, not on an outlet's footer,
//! notice or template.
//!
//! Owns: [`RealText`], built from what the candidate stage learned
//! ([`crate::contain::Found::outlet_boilerplate`]), and [`RealSets`], the shingle sets
//! that verification, the chaining guard and the scores read. Must not: find candidates.
//!
//! An outlet's boilerplate samples are the sampled shingles that many of its documents hold (a
//! channel footer, a "this giveaway has ended" notice, a subscription pitch): at least
//! [`crate::contain::Params::outlet_min`] documents and one in
//! [`crate::contain::OUTLET_SHARE`] of the outlet's. Its **boilerplate text** is then learned
//! exactly: the shingles that all the first [`crate::contain::HOLDERS`] documents holding a
//! boilerplate sample share (the footer around the sample, and any phrase all of them use).
//!
//! A document's **real text** is its shingle set without its own outlet's boilerplate text;
//! when nothing is left (a page that is all footer), its whole set. Every score is computed on
//! real text, so a footer neither makes two different stories copies nor keeps two copies with
//! different footers apart. Between outlets nothing else changes: a copy of one outlet's
//! story in another carries the story.
//!
//! For a pair accepted by containment alone, the contained document must also have at least
//! `min_words` words of real text (its words times the share of its shingles that are real
//! text; two characters of text written without spaces make a word,
//! `shingle::words_of`): a byline or a one-line notice is contained in many stories
//! without being a copy of any, and a count of shingles does not say how much text that is
//! (ten word 5-shingles are fourteen words; ten character 3-grams are a dozen characters).

use crate::verify::SetSource;
use rayon::prelude::*;
use std::borrow::Cow;

/// The learned boilerplate text of each outlet and the per-document facts the rule needs.
#[derive(Debug, Clone, Default)]
pub struct RealText {
    /// Each document's outlet number ([`crate::contain::NO_OUTLET`] when unknown).
    outlets: Vec<u32>,
    /// Each outlet's boilerplate shingles (empty for most).
    boiler: Vec<Boiler>,
    /// About how many words each document has.
    words: Vec<u32>,
    /// Least words of real text of a document contained in another.
    min_words: usize,
}

impl RealText {
    /// Learns each outlet's boilerplate text from the candidate stage's `samples`
    /// (`outlet << 32 | high half`) and their `holders`, reading the holders' sets from `sets`.
    /// `outlets` and `words` are per document; `min_words` is the least real text contained.
    pub fn learn(
        samples: &[u64],
        holders: &[Vec<u32>],
        sets: &dyn SetSource,
        outlets: Vec<u32>,
        words: Vec<u32>,
        min_words: usize,
    ) -> RealText {
        let mut boiler: Vec<Vec<u64>> = Vec::new();
        // Each group of holders once: many samples of one footer have the same first holders.
        let mut groups: Vec<(u32, &[u32])> = samples
            .iter()
            .zip(holders)
            .filter(|(_, h)| h.len() >= 2)
            .map(|(&s, h)| ((s >> 32) as u32, h.as_slice()))
            .collect();
        groups.sort_unstable();
        groups.dedup();
        // The groups in parallel, a chunk at a time; each outlet's shingles are kept sorted
        // and distinct between chunks (many groups find the same footer).
        for chunk in groups.chunks(LEARN_CHUNK) {
            // The groups of one outlet share most of their documents: each set is read once
            // a chunk.
            let mut docs: Vec<u32> = chunk.iter().flat_map(|g| g.1.iter().copied()).collect();
            docs.sort_unstable();
            docs.dedup();
            let loaded: Vec<Cow<'_, [u64]>> = docs.par_iter().map(|&d| sets.set(d)).collect();
            let set = |d: u32| &*loaded[docs.binary_search(&d).expect("a holder of the chunk")];
            let commons: Vec<(u32, Vec<u64>)> = chunk
                .par_iter()
                .map(|&(outlet, holders)| {
                    let mut common: Vec<u64> = set(holders[0]).to_vec();
                    for &d in &holders[1..] {
                        if common.is_empty() {
                            break;
                        }
                        common = intersect(&common, set(d));
                    }
                    (outlet, common)
                })
                .collect();
            let mut touched = Vec::new();
            for (outlet, common) in commons {
                if boiler.len() <= outlet as usize {
                    boiler.resize(outlet as usize + 1, Vec::new());
                }
                boiler[outlet as usize].extend(common);
                touched.push(outlet);
            }
            touched.sort_unstable();
            touched.dedup();
            for o in touched {
                let b = &mut boiler[o as usize];
                b.sort_unstable();
                b.dedup();
            }
        }
        RealText {
            outlets,
            boiler: boiler.into_iter().map(Boiler::new).collect(),
            words,
            min_words,
        }
    }

    /// A guard that learned nothing: real text is the whole text.
    pub fn plain(words: Vec<u32>, min_words: usize) -> RealText {
        RealText {
            words,
            min_words,
            ..RealText::default()
        }
    }

    /// Shingles learned as some outlet's boilerplate.
    pub fn learned(&self) -> usize {
        self.boiler.iter().map(|b| b.sorted.len()).sum()
    }

    fn boiler_of(&self, d: u32) -> Option<&Boiler> {
        let o = self
            .outlets
            .get(d as usize)
            .copied()
            .unwrap_or(crate::contain::NO_OUTLET);
        self.boiler.get(o as usize)
    }

    /// The real text of document `d` whose whole set is `full`: see the module docs.
    pub fn real<'a>(&self, d: u32, full: Cow<'a, [u64]>) -> Cow<'a, [u64]> {
        let Some(boiler) = self.boiler_of(d).filter(|b| !b.sorted.is_empty()) else {
            return full;
        };
        let real: Vec<u64> = full.iter().copied().filter(|&x| !boiler.holds(x)).collect();
        if real.is_empty() || real.len() == full.len() {
            full
        } else {
            Cow::Owned(real)
        }
    }

    /// True when document `d`, contained in another, has enough real text: its words times
    /// the share of its `full` set that is in its `real` set.
    pub fn long_enough(&self, d: u32, real: usize, full: usize) -> bool {
        let words = self.words.get(d as usize).copied().unwrap_or(0) as usize;
        (words * real).checked_div(full).unwrap_or(words) >= self.min_words
    }
}

/// The shingle sets of a store as real text ([`RealText::real`]).
pub struct RealSets<'a> {
    /// The whole sets.
    pub store: &'a dyn SetSource,
    /// The learned boilerplate.
    pub text: &'a RealText,
    /// Real sets made once, with the size of the whole set ([`RealSets::prepare`]).
    prepared: Option<crate::verify::PreparedSets>,
}

impl SetSource for RealSets<'_> {
    fn set(&self, doc: u32) -> Cow<'_, [u64]> {
        match self.prepared.as_ref().and_then(|p| p.get(doc)) {
            Some((real, _)) => Cow::Owned(real),
            None => self.text.real(doc, self.store.set(doc)),
        }
    }
}

impl<'a> RealSets<'a> {
    /// The sets of `store` as real text of `text`.
    pub fn new(store: &'a dyn SetSource, text: &'a RealText) -> RealSets<'a> {
        RealSets {
            store,
            text,
            prepared: None,
        }
    }

    /// Makes the real sets of `docs` (distinct, each below `num_docs`) once, so that reading
    /// them again neither sorts nor takes boilerplate out: worth it when each is read many
    /// times (a dense candidate graph). Scores do not change.
    pub fn prepare(&mut self, num_docs: usize, docs: &[u32]) -> crate::error::Result<()> {
        let (store, text) = (self.store, self.text);
        self.prepared = Some(crate::verify::PreparedSets::build(num_docs, docs, |d| {
            let full = store.set(d);
            let n = full.len() as u32;
            (text.real(d, full).into_owned(), n)
        })?);
        Ok(())
    }

    /// Bytes of prepared sets on disk.
    pub fn prepared_bytes(&self) -> u64 {
        self.prepared.as_ref().map_or(0, |p| p.disk_bytes())
    }

    /// The sizes of document `d`'s whole and real sets.
    fn sizes(&self, d: u32) -> (usize, usize) {
        match self.prepared.as_ref().and_then(|p| p.tag(d)) {
            Some(full) => (full as usize, self.set(d).len()),
            None => {
                let full = self.store.set(d);
                let n = full.len();
                (n, self.text.real(d, full).len())
            }
        }
    }

    /// True when a pair that the rule accepted by containment alone stands: the smaller of
    /// the two real sets has enough real text ([`RealText::long_enough`]).
    pub fn contained_long_enough(&self, a: u32, b: u32) -> bool {
        let ((fa, ra), (fb, rb)) = (self.sizes(a), self.sizes(b));
        let (x, real, full) = if ra <= rb { (a, ra, fa) } else { (b, rb, fb) };
        self.text.long_enough(x, real, full)
    }
}

/// Groups of holders [`RealText::learn`] intersects at a time, in parallel.
const LEARN_CHUNK: usize = 512;

/// Sorted `a ∩ b`.
fn intersect(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Sorted `a ∖ b`.
/// One outlet's boilerplate shingles: sorted, with a bit per range of hash values so that
/// most shingles of a document (not boilerplate) are told apart by one bit, not a search.
#[derive(Debug, Clone, Default)]
struct Boiler {
    sorted: Vec<u64>,
    /// Bit `x >> shift` is set when some boilerplate shingle `x` falls in that range.
    bits: Vec<u64>,
    shift: u32,
}

impl Boiler {
    fn new(mut sorted: Vec<u64>) -> Boiler {
        sorted.sort_unstable();
        sorted.dedup();
        // About 16 bits per shingle, at least 64: shingle hashes are uniform.
        let want = (sorted.len() * 16).next_power_of_two().max(64);
        let shift = 64 - want.trailing_zeros();
        let mut bits = vec![0u64; want / 64];
        for &x in &sorted {
            let i = (x >> shift) as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
        Boiler {
            sorted,
            bits,
            shift,
        }
    }

    fn holds(&self, x: u64) -> bool {
        let i = (x >> self.shift) as usize;
        self.bits[i / 64] & (1 << (i % 64)) != 0 && self.sorted.binary_search(&x).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sets(Vec<Vec<u64>>);

    impl SetSource for Sets {
        fn set(&self, doc: u32) -> Cow<'_, [u64]> {
            Cow::Borrowed(&self.0[doc as usize])
        }
    }

    /// The union of the ranges `[from, to)`.
    fn set(parts: &[(u64, u64)]) -> Vec<u64> {
        let mut v: Vec<u64> = parts.iter().flat_map(|&(a, b)| a..b).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The boilerplate text is what the holders share; real text is the rest, and a document
    /// that is all boilerplate keeps its whole set.
    #[test]
    fn learns_the_shared_text_of_the_holders() {
        let footer = (1000, 1020);
        let sets = Sets(vec![
            set(&[(0, 30), footer]),
            set(&[(100, 140), footer]),
            set(&[(200, 210), footer, (5000, 5001)]),
            set(&[footer]),
            set(&[(0, 30), (2000, 2020)]),
        ]);
        let text = RealText::learn(
            &[1000 >> 32],
            &[vec![0, 1, 2]],
            &sets,
            vec![0, 0, 0, 0, 1],
            vec![60, 80, 24, 10, 60],
            20,
        );
        assert_eq!(text.learned(), 20);
        let mut real = RealSets::new(&sets, &text);
        assert_eq!(&*real.set(0), &set(&[(0, 30)])[..]);
        assert_eq!(&*real.set(3), &set(&[footer])[..], "all boilerplate");
        // Outlet 1 learned nothing.
        assert_eq!(&*real.set(4), &sets.0[4][..]);
        // 24 words, a third of them real: too short to count as contained.
        assert!(!real.contained_long_enough(2, 1));
        assert!(real.contained_long_enough(0, 4));
        // Prepared once (some documents), the same sets and the same answers.
        let before: Vec<Vec<u64>> = (0..5).map(|d| real.set(d).into_owned()).collect();
        real.prepare(5, &[3, 0, 2]).unwrap();
        assert!(real.prepared_bytes() > 0);
        for (d, want) in before.iter().enumerate() {
            assert_eq!(&*real.set(d as u32), &want[..]);
        }
        assert!(!real.contained_long_enough(2, 1));
        assert!(real.contained_long_enough(0, 4));
        assert!(!real.contained_long_enough(1, 2));
    }

    #[test]
    fn set_operations() {
        assert_eq!(intersect(&[1, 3, 5, 7], &[3, 4, 5]), vec![3, 5]);
    }

    proptest::proptest! {
        #[test]
        fn boiler_holds_exactly_its_shingles(
            b in proptest::collection::vec(proptest::num::u64::ANY, 0..300),
            other in proptest::collection::vec(proptest::num::u64::ANY, 0..100),
        ) {
            let boiler = Boiler::new(b.clone());
            for x in b.iter().chain(&other) {
                proptest::prop_assert_eq!(boiler.holds(*x), b.contains(x));
            }
        }
    }
}
