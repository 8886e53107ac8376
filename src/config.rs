//! Run configuration: every default is written once, here, and checked once by
//! [`Config::validate`].
//!
//! Owns: the knobs of each stage and their defaults. Must not: read the environment, parse
//! command lines (that is `cli.rs`) or touch files.

use crate::error::{Error, Result};
use crate::lsh::Banding;

/// Names of the JSON fields read from each input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames {
    /// The document id (string or integer). Default `id`.
    pub id: String,
    /// The article text, required. Default `text`.
    pub text: String,
    /// The headline. Default `title`.
    pub title: String,
    /// The publishing outlet. Default `outlet`.
    pub outlet: String,
    /// The publication date, kept as given. Default `date`.
    pub date: String,
    /// The article URL. Default `url`.
    pub url: String,
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            outlet: "outlet".into(),
            date: "date".into(),
            url: "url".into(),
        }
    }
}

/// How text is cut into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShingleMode {
    /// Per document: character n-grams when most letters belong to scripts written without
    /// spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar), word
    /// k-shingles otherwise.
    Auto {
        /// Words per shingle for space-separated text.
        words: usize,
        /// Characters per n-gram for text written without spaces.
        chars: usize,
    },
    /// Word k-shingles over UAX #29 words, for every document.
    Words(usize),
    /// Character n-grams over letters and digits, for every document.
    Chars(usize),
}

impl Default for ShingleMode {
    fn default() -> Self {
        ShingleMode::Auto { words: 5, chars: 3 }
    }
}

impl std::fmt::Display for ShingleMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShingleMode::Auto { words, chars } => write!(f, "auto(words:{words},chars:{chars})"),
            ShingleMode::Words(k) => write!(f, "words:{k}"),
            ShingleMode::Chars(n) => write!(f, "chars:{n}"),
        }
    }
}

impl std::str::FromStr for ShingleMode {
    type Err = Error;

    /// Parses `auto`, `words:K` or `chars:N`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::Config {
            field: "--shingle",
            expected: "auto, words:K or chars:N with K, N from 1 to 32".into(),
            got: s.to_string(),
        };
        if s == "auto" {
            return Ok(ShingleMode::default());
        }
        let (kind, n) = s.split_once(':').ok_or_else(bad)?;
        let n: usize = n.parse().map_err(|_| bad())?;
        if !(1..=32).contains(&n) {
            return Err(bad());
        }
        match kind {
            "words" => Ok(ShingleMode::Words(n)),
            "chars" => Ok(ShingleMode::Chars(n)),
            _ => Err(bad()),
        }
    }
}

/// What makes two documents duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Jaccard similarity at or above `threshold`.
    Jaccard,
    /// Jaccard at or above `threshold`, or the smaller document contained in the larger at or
    /// above `containment` (a copy an outlet cut short, or one with a caption or footer added).
    Containment,
}

impl std::str::FromStr for Mode {
    type Err = Error;

    /// Parses `jaccard` or `containment`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "jaccard" => Ok(Mode::Jaccard),
            "containment" => Ok(Mode::Containment),
            _ => Err(Error::Config {
                field: "--mode",
                expected: "jaccard or containment".into(),
                got: s.to_string(),
            }),
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Jaccard => "jaccard",
            Mode::Containment => "containment",
        })
    }
}

/// Everything a run needs to know. Build it with [`Config::default`], change fields, then call
/// [`Config::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// JSON field names.
    pub fields: FieldNames,
    /// Fail on the first malformed line instead of reporting and skipping it.
    pub strict: bool,
    /// Shingling.
    pub shingle: ShingleMode,
    /// A document with fewer distinct shingles than this is "short": it is counted apart, gets
    /// no signature and never matches anything.
    pub min_shingles: usize,
    /// MinHash slots per signature.
    pub num_perm: usize,
    /// How signatures are computed.
    pub minhash: crate::minhash::Scheme,
    /// Seed of the shingle hashes and of the MinHash permutations.
    pub seed: u64,
    /// Jaccard similarity at or above which two documents are duplicates.
    pub threshold: f64,
    /// The duplicate rule.
    pub mode: Mode,
    /// In containment mode: the share of the smaller document's shingles found in the larger
    /// at or above which two documents are duplicates.
    pub containment: f64,
    /// In containment mode: containment counts only when the smaller document has at least
    /// this many shingles (bylines and one-line briefs are contained in many stories).
    pub min_contained: usize,
    /// In containment mode: containment counts only when the contained document has at least
    /// this many words of real text (outside its outlet's learned boilerplate; a word is two
    /// characters of text written without spaces; see [`crate::boilerplate`]).
    pub min_contained_words: usize,
    /// In containment mode: one shingle in `sample_every` (by hash value) is indexed to find
    /// contained documents.
    pub sample_every: u64,
    /// In containment mode: sampled shingles found in more documents than this are boilerplate
    /// (shared footers, bylines, stock phrases) and are not used to find candidates.
    pub max_df: usize,
    /// Weight of missed duplicates (false negatives) against extra candidates (false
    /// positives, weight `1 - fn_weight`) when choosing the LSH banding; see
    /// [`Banding::optimal`].
    pub fn_weight: f64,
    /// LSH bands and rows; `None` chooses them from `threshold`, `num_perm` and `fn_weight`.
    pub banding: Option<Banding>,
    /// Ignore matches between two documents of the same (known) outlet: reruns, corrections.
    pub cross_outlet_only: bool,
    /// Ignore matches between documents whose (known, readable) dates are further apart than
    /// this many days.
    pub window_days: Option<u32>,
    /// Buckets with more members than this are linked as a star (every member to the first)
    /// instead of all pairs, to bound the work on boilerplate.
    pub max_bucket: usize,
    /// Input lines (and whole-file documents) longer than this many bytes are rejected (read
    /// through, never held in memory): the bound on memory per unit, also against
    /// decompression bombs.
    pub max_line_bytes: usize,
    /// Bytes of LSH band keys held in memory during the first pass; past them the keys spill
    /// to one temporary file per band ([`crate::lsh::BandKeys`]).
    pub band_key_memory: usize,
    /// What becomes of a cluster whose members are different items of one template
    /// ([`crate::template`]): kept apart (the default) or left together.
    pub templates: Templates,
}

/// What becomes of a cluster whose members are different items of one template (dividend
/// notices of different companies, a daily report, one notice for several products).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Templates {
    /// Each item is a cluster of its own copies, or a document in no cluster: `dedupe` keeps
    /// one copy of each item, so no distinct news is lost.
    #[default]
    Apart,
    /// The items stay one cluster, as near-identical texts: `dedupe` keeps one of them.
    Together,
}

/// The default of [`Config::max_line_bytes`]: 64 MiB, far above any article.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;

impl Default for Config {
    fn default() -> Self {
        Config {
            fields: FieldNames::default(),
            strict: false,
            shingle: ShingleMode::default(),
            min_shingles: 5,
            num_perm: 128,
            minhash: crate::minhash::Scheme::OnePermutation,
            seed: 1,
            threshold: 0.8,
            mode: Mode::Containment,
            containment: 0.8,
            min_contained: 10,
            min_contained_words: 15,
            sample_every: 8,
            max_df: 500,
            fn_weight: 0.9,
            banding: None,
            cross_outlet_only: false,
            window_days: None,
            max_bucket: 64,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            band_key_memory: crate::lsh::DEFAULT_KEY_BUDGET,
            templates: Templates::Apart,
        }
    }
}

impl Config {
    /// Checks every value and returns the banding to use.
    pub fn validate(&self) -> Result<Banding> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::Config {
                field: "--threshold",
                expected: "a number in (0, 1]".into(),
                got: self.threshold.to_string(),
            });
        }
        if !(self.containment > 0.0 && self.containment <= 1.0) {
            return Err(Error::Config {
                field: "--containment",
                expected: "a number in (0, 1]".into(),
                got: self.containment.to_string(),
            });
        }
        if !(1..=1 << 20).contains(&self.sample_every) {
            return Err(Error::Config {
                field: "--sample-every",
                expected: "1 to 1048576".into(),
                got: self.sample_every.to_string(),
            });
        }
        if self.max_df < 2 {
            return Err(Error::Config {
                field: "--max-df",
                expected: "at least 2".into(),
                got: self.max_df.to_string(),
            });
        }
        if !(1..=1024).contains(&self.num_perm) {
            return Err(Error::Config {
                field: "--num-perm",
                expected: "1 to 1024".into(),
                got: self.num_perm.to_string(),
            });
        }
        if !(self.fn_weight > 0.0 && self.fn_weight < 1.0) {
            return Err(Error::Config {
                field: "--fn-weight",
                expected: "a number in (0, 1)".into(),
                got: self.fn_weight.to_string(),
            });
        }
        if self.min_shingles == 0 {
            return Err(Error::Config {
                field: "--min-shingles",
                expected: "at least 1".into(),
                got: "0".into(),
            });
        }
        if self.max_bucket < 2 {
            return Err(Error::Config {
                field: "--max-bucket",
                expected: "at least 2".into(),
                got: self.max_bucket.to_string(),
            });
        }
        if !(1..=u32::MAX as usize).contains(&self.max_line_bytes) {
            return Err(Error::Config {
                field: "--max-line-bytes",
                expected: "1 to 4294967295".into(),
                got: self.max_line_bytes.to_string(),
            });
        }
        let names = [
            &self.fields.id,
            &self.fields.text,
            &self.fields.title,
            &self.fields.outlet,
            &self.fields.date,
            &self.fields.url,
        ];
        for (i, a) in names.iter().enumerate() {
            if names[i + 1..].contains(a) {
                return Err(Error::Config {
                    field: "field names",
                    expected: "six distinct names".into(),
                    got: format!("{a:?} used twice"),
                });
            }
        }
        match self.banding {
            Some(b) if b.bands == 0 || b.rows == 0 || b.bands * b.rows > self.num_perm => {
                Err(Error::Config {
                    field: "--bands/--rows",
                    expected: format!("bands * rows <= num_perm ({})", self.num_perm),
                    got: format!("{} * {}", b.bands, b.rows),
                })
            }
            Some(b) => Ok(b),
            None => Ok(Banding::optimal(
                self.threshold,
                self.num_perm,
                self.fn_weight,
            )),
        }
    }
}
