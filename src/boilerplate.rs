//! Learned boilerplate: the guard that a pair's shared text is real text, not an outlet's
//! footer, notice or template.
//!
//! Owns: [`RealText`], built from what the candidate stage learned
//! ([`crate::contain::Found::outlet_boilerplate`]), and its rule. Must not: find candidates or
//! score pairs; it only says whether an accepted pair stands.
//!
//! An outlet's boilerplate is the sampled shingles that many of its documents hold (a channel
//! footer, a "this giveaway has ended" notice, a subscription pitch): at least
//! [`crate::contain::Params::outlet_min`] documents and one in
//! [`crate::contain::OUTLET_SHARE`] of the outlet's. Between two documents of one outlet, the
//! guard looks only at their other samples, their **real text**:
//! - when neither has any, their bodies are all boilerplate and the plain rule decides;
//! - else at least half of the real text of the one with less of it must be in the other.
//!
//! Between documents of different outlets nothing is boilerplate: a copy of one outlet's story
//! in another carries the story, and an outlet's footer is in no other outlet's pages.
//!
//! For a pair accepted by containment alone, the contained document must also have at least
//! `min_chars` characters of real text (its characters times the share of its samples that
//! are real text): a byline or a one-line notice is contained in many stories without being a
//! copy of any, and a count of shingles does not say how much text that is (ten word
//! 5-shingles are fourteen words; ten character 3-grams are a dozen characters).
//!
//! The samples estimate the share of real text: the scores the report prints stay the exact
//! scores of the whole sets.

/// The learned boilerplate of a corpus and the per-document facts the guard needs.
#[derive(Debug, Clone, Default)]
pub struct RealText {
    /// One shingle in `every` is a sample.
    every: u64,
    /// Each document's outlet number ([`crate::contain::NO_OUTLET`] when unknown).
    outlets: Vec<u32>,
    /// `outlet << 32 | high half of a sampled shingle`, sorted.
    boiler: Vec<u64>,
    /// Each document's length in characters.
    chars: Vec<u32>,
    /// Least characters of real text of a document contained in another.
    min_chars: usize,
}

/// How an accepted pair was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// By Jaccard similarity.
    Jaccard,
    /// By containment alone.
    Containment,
}

impl RealText {
    /// The guard for documents with outlet numbers `outlets` and lengths `chars`, the learned
    /// `boiler` (sorted), sampling one shingle in `every`, and `min_chars` characters of real
    /// text for containment.
    pub fn new(
        every: u64,
        outlets: Vec<u32>,
        boiler: Vec<u64>,
        chars: Vec<u32>,
        min_chars: usize,
    ) -> RealText {
        debug_assert!(boiler.is_sorted());
        RealText {
            every: every.max(1),
            outlets,
            boiler,
            chars,
            min_chars,
        }
    }

    /// Sampled shingles learned as boilerplate of some outlet.
    pub fn learned(&self) -> usize {
        self.boiler.len()
    }

    fn outlet(&self, d: u32) -> u32 {
        self.outlets
            .get(d as usize)
            .copied()
            .unwrap_or(crate::contain::NO_OUTLET)
    }

    fn is_boiler(&self, outlet: u32, shingle: u64) -> bool {
        outlet != crate::contain::NO_OUTLET
            && self
                .boiler
                .binary_search(&(u64::from(outlet) << 32 | shingle >> 32))
                .is_ok()
    }

    /// Samples of `set` and how many of them are real text for `outlet`.
    fn real(&self, outlet: u32, set: &[u64]) -> (usize, usize) {
        let mut samples = 0;
        let mut real = 0;
        for &s in set {
            if s.is_multiple_of(self.every) {
                samples += 1;
                real += usize::from(!self.is_boiler(outlet, s));
            }
        }
        (samples, real)
    }

    /// True when the boilerplate of `outlet` could matter for these documents.
    fn has_boiler(&self, outlet: u32) -> bool {
        if outlet == crate::contain::NO_OUTLET {
            return false;
        }
        let from = u64::from(outlet) << 32;
        let i = self.boiler.partition_point(|&x| x < from);
        self.boiler
            .get(i)
            .is_some_and(|&x| x >> 32 == u64::from(outlet))
    }

    /// True when a pair of documents `a` and `b`, accepted by the rule as `how`, stands: see
    /// the module docs. `sets` gives a document's sorted shingle set; it is called only when
    /// the outlets' learned boilerplate matters for the pair.
    pub fn holds<'s>(
        &self,
        a: u32,
        b: u32,
        how: Accepted,
        sets: &dyn Fn(u32) -> std::borrow::Cow<'s, [u64]>,
    ) -> bool {
        let (oa, ob) = (self.outlet(a), self.outlet(b));
        let same = oa == ob && self.has_boiler(oa);
        let boiler_a = self.has_boiler(oa);
        let boiler_b = self.has_boiler(ob);
        if !same && how == Accepted::Jaccard {
            return true;
        }
        let chars = |d: u32| self.chars.get(d as usize).copied().unwrap_or(0) as usize;
        if !same && !boiler_a && !boiler_b {
            // Containment alone, no boilerplate learned: the shorter text must be long enough.
            return chars(a).min(chars(b)) >= self.min_chars;
        }
        let (sa, sb) = (sets(a), sets(b));
        if how == Accepted::Containment {
            // The contained document: the smaller set.
            let (x, sx, ox) = if sa.len() <= sb.len() {
                (a, &sa, oa)
            } else {
                (b, &sb, ob)
            };
            let (samples, real) = self.real(ox, sx);
            let real_chars = (chars(x) * real).checked_div(samples).unwrap_or(chars(x));
            if real_chars < self.min_chars {
                return false;
            }
        }
        if !same {
            return true;
        }
        // Real samples of both, and those they share.
        let (mut ra, mut rb, mut shared) = (0usize, 0usize, 0usize);
        let (mut i, mut j) = (0, 0);
        let real = |s: u64| s.is_multiple_of(self.every) && !self.is_boiler(oa, s);
        while i < sa.len() && j < sb.len() {
            match sa[i].cmp(&sb[j]) {
                std::cmp::Ordering::Less => {
                    ra += usize::from(real(sa[i]));
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    rb += usize::from(real(sb[j]));
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let r = usize::from(real(sa[i]));
                    ra += r;
                    rb += r;
                    shared += r;
                    i += 1;
                    j += 1;
                }
            }
        }
        ra += sa[i..].iter().filter(|&&s| real(s)).count();
        rb += sb[j..].iter().filter(|&&s| real(s)).count();
        let least = ra.min(rb);
        least == 0 || 2 * shared >= least
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contain::NO_OUTLET;

    /// A sorted set of `n` sampled shingles (multiples of 8) from `from`, high halves distinct.
    fn samples(from: u64, n: u64) -> Vec<u64> {
        (from..from + n).map(|i| i << 32).collect()
    }

    fn union(a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut v = [a, b].concat();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn guard(outlets: Vec<u32>, boiler: &[u64], chars: Vec<u32>) -> RealText {
        let mut b: Vec<u64> = boiler.iter().map(|&s| s >> 32).collect();
        b.sort_unstable();
        RealText::new(8, outlets, b, chars, 100)
    }

    /// Two documents of one outlet that share only its footer do not stand; a copy of a story
    /// carrying the same footer does; documents of different outlets are not judged on it.
    #[test]
    fn a_shared_footer_is_not_shared_text() {
        let footer = samples(1000, 20);
        let story = samples(0, 30);
        let other = samples(100, 4);
        let short = union(&footer, &other); // mostly footer
        let long = union(&footer, &story);
        let copy = union(&footer, &story[..25]);
        let sets = [short.clone(), long.clone(), copy.clone(), short.clone()];
        let set = |d: u32| std::borrow::Cow::Owned(sets[d as usize].clone());
        let g = guard(vec![0, 0, 0, 1], &footer, vec![300, 3000, 2500, 300]);
        assert!(!g.holds(0, 1, Accepted::Containment, &set));
        assert!(!g.holds(0, 1, Accepted::Jaccard, &set));
        assert!(g.holds(1, 2, Accepted::Containment, &set));
        // Another outlet: its footer is not boilerplate there.
        assert!(g.holds(3, 1, Accepted::Jaccard, &set));
        // Nothing learned: the plain rule decides.
        let plain = guard(vec![0, 0, 0, 1], &[], vec![300, 3000, 2500, 300]);
        assert!(plain.holds(0, 1, Accepted::Containment, &set));
    }

    /// A document whose samples are all boilerplate is judged by the plain rule; containment
    /// needs enough characters of real text in the contained document.
    #[test]
    fn all_boilerplate_and_too_short() {
        let footer = samples(1000, 20);
        let sets = [
            footer.clone(),
            footer.clone(),
            samples(0, 30),
            samples(0, 10),
        ];
        let set = |d: u32| std::borrow::Cow::Owned(sets[d as usize].clone());
        let g = guard(
            vec![0, 0, NO_OUTLET, NO_OUTLET],
            &footer,
            vec![200, 200, 3000, 99],
        );
        assert!(g.holds(0, 1, Accepted::Jaccard, &set));
        // Contained, but all of it boilerplate: no real text.
        assert!(!g.holds(0, 1, Accepted::Containment, &set));
        // 99 characters contained in another: too short; by Jaccard it would stand.
        assert!(!g.holds(2, 3, Accepted::Containment, &set));
        assert!(g.holds(2, 3, Accepted::Jaccard, &set));
    }
}
