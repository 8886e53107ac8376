//! What counts as a duplicate: one serializable [`Definition`] (shingles, hashing, banding,
//! sampling, the rule and its guard, the filters), with the types its fields take.
//!
//! Owns: the parameters that decide which documents are duplicates, their defaults, their
//! checks, their text forms and the choice of LSH bands and rows. The report header, the index
//! manifest and the Spark manifest all write this one struct and compare it with
//! [`Definition::differences`]. Must not: hold how inputs are read (field names, strictness,
//! line bound, memory budgets: [`crate::config::Config`]), parse command lines or touch files;
//! it depends on nothing but the error type.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// What makes two documents duplicates, and every parameter that made their signatures.
///
/// Build it with [`Definition::default`], change fields, then call [`Definition::validate`],
/// which checks every value and fills in the banding when none was chosen. Serialized (JSON) it
/// is flat: `bands` and `rows` appear when the banding is set, enums as their text forms
/// (`"auto(words:5,chars:3)"`, `"oph"`, `"containment"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// Jaccard similarity at or above which two documents are duplicates.
    pub threshold: f64,
    /// MinHash slots per signature.
    pub num_perm: usize,
    /// How signatures are computed.
    #[serde(with = "as_text")]
    pub minhash: Scheme,
    /// LSH bands and rows; `None` chooses them from `threshold`, `num_perm` and `fn_weight`
    /// ([`Definition::validate`]).
    #[serde(flatten)]
    pub banding: Option<Banding>,
    /// Weight of missed duplicates (false negatives) against extra candidates (false
    /// positives, weight `1 - fn_weight`) when choosing the LSH banding; see
    /// [`Banding::optimal`].
    pub fn_weight: f64,
    /// Seed of the shingle hashes and of the MinHash permutations.
    pub seed: u64,
    /// Shingling.
    #[serde(with = "as_text")]
    pub shingle: ShingleMode,
    /// A document with fewer distinct shingles than this is "short": it is counted apart, gets
    /// no signature and never matches anything.
    pub min_shingles: usize,
    /// Buckets with more members than this are linked as a star (every member to the first)
    /// instead of all pairs, to bound the work on boilerplate.
    pub max_bucket: usize,
    /// The duplicate rule.
    #[serde(with = "as_text")]
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
    /// Ignore matches between two documents of the same (known) outlet: reruns, corrections.
    pub cross_outlet_only: bool,
    /// Ignore matches between documents whose (known, readable) dates are further apart than
    /// this many days.
    pub window_days: Option<u32>,
}

impl Default for Definition {
    fn default() -> Self {
        Definition {
            threshold: 0.8,
            num_perm: 128,
            minhash: Scheme::OnePermutation,
            banding: None,
            fn_weight: 0.9,
            seed: 1,
            shingle: ShingleMode::default(),
            min_shingles: 5,
            max_bucket: 64,
            mode: Mode::Containment,
            containment: 0.8,
            min_contained: 10,
            min_contained_words: 15,
            sample_every: 8,
            max_df: 500,
            cross_outlet_only: false,
            window_days: None,
        }
    }
}

/// The command-line option of each serialized field of a [`Definition`] (the field names of
/// its JSON form, in order).
pub const OPTIONS: [(&str, &str); 18] = [
    ("threshold", "--threshold"),
    ("num_perm", "--num-perm"),
    ("minhash", "--minhash"),
    ("bands", "--bands"),
    ("rows", "--rows"),
    ("fn_weight", "--fn-weight"),
    ("seed", "--seed"),
    ("shingle", "--shingle"),
    ("min_shingles", "--min-shingles"),
    ("max_bucket", "--max-bucket"),
    ("mode", "--mode"),
    ("containment", "--containment"),
    ("min_contained", "--min-contained"),
    ("min_contained_words", "--min-contained-words"),
    ("sample_every", "--sample-every"),
    ("max_df", "--max-df"),
    ("cross_outlet_only", "--cross-outlet-only"),
    ("window_days", "--window"),
];

/// One parameter on which two definitions differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The field, as serialized (`seed`, `bands`, ...).
    pub field: String,
    /// Its command-line option (`--seed`, `--bands`, ...), or the field name when it has none.
    pub option: String,
    /// The value in the first definition as the command line writes it (`null` when absent).
    pub here: String,
    /// The value in the second.
    pub there: String,
}

impl std::fmt::Display for Difference {
    /// `seed: 7 here, 2 there`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} here, {} there",
            self.field, self.here, self.there
        )
    }
}

impl Definition {
    /// Checks every value and returns the definition with its banding chosen (the one given,
    /// or [`Banding::optimal`] for the threshold).
    pub fn validate(&self) -> Result<Definition> {
        let bad = |field: &'static str, expected: &str, got: String| Error::Config {
            field,
            expected: expected.into(),
            got,
        };
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(bad(
                "--threshold",
                "a number in (0, 1]",
                self.threshold.to_string(),
            ));
        }
        if !(self.containment > 0.0 && self.containment <= 1.0) {
            return Err(bad(
                "--containment",
                "a number in (0, 1]",
                self.containment.to_string(),
            ));
        }
        if !(1..=1 << 20).contains(&self.sample_every) {
            return Err(bad(
                "--sample-every",
                "1 to 1048576",
                self.sample_every.to_string(),
            ));
        }
        if self.max_df < 2 {
            return Err(bad("--max-df", "at least 2", self.max_df.to_string()));
        }
        if !(1..=1024).contains(&self.num_perm) {
            return Err(bad("--num-perm", "1 to 1024", self.num_perm.to_string()));
        }
        if !(self.fn_weight > 0.0 && self.fn_weight < 1.0) {
            return Err(bad(
                "--fn-weight",
                "a number in (0, 1)",
                self.fn_weight.to_string(),
            ));
        }
        if self.min_shingles == 0 {
            return Err(bad("--min-shingles", "at least 1", "0".into()));
        }
        if self.max_bucket < 2 {
            return Err(bad(
                "--max-bucket",
                "at least 2",
                self.max_bucket.to_string(),
            ));
        }
        let banding = match self.banding {
            Some(b) if b.bands == 0 || b.rows == 0 || b.bands * b.rows > self.num_perm => {
                return Err(Error::Config {
                    field: "--bands/--rows",
                    expected: format!("bands * rows <= num_perm ({})", self.num_perm),
                    got: format!("{} * {}", b.bands, b.rows),
                })
            }
            Some(b) => b,
            None => Banding::optimal(self.threshold, self.num_perm, self.fn_weight),
        };
        Ok(Definition {
            banding: Some(banding),
            ..self.clone()
        })
    }

    /// The banding: the one set, or the one [`Banding::optimal`] chooses for the threshold.
    pub fn banding(&self) -> Banding {
        self.banding
            .unwrap_or_else(|| Banding::optimal(self.threshold, self.num_perm, self.fn_weight))
    }

    /// The rule in words for a person, e.g. `jaccard>=0.8 or containment>=0.8 (...)`.
    pub fn rule(&self) -> String {
        match self.mode {
            Mode::Jaccard => format!("jaccard>={}", self.threshold),
            Mode::Containment => format!(
                "jaccard>={} or containment>={} (smaller document of {} shingles or more and {} words of real text)",
                self.threshold, self.containment, self.min_contained, self.min_contained_words
            ),
        }
    }

    /// The parameters on which `self` and `other` differ, in the order of [`OPTIONS`].
    pub fn differences(&self, other: &Definition) -> Vec<Difference> {
        let (a, b) = (json_fields(self), json_fields(other));
        OPTIONS
            .iter()
            .filter_map(|&(field, option)| {
                let (x, y) = (a.get(field), b.get(field));
                (x != y).then(|| Difference {
                    field: field.to_string(),
                    option: option.to_string(),
                    here: x.map_or("null".into(), as_option_value),
                    there: y.map_or("null".into(), as_option_value),
                })
            })
            .collect()
    }
}

/// A JSON value as the command line writes it: strings without quotes.
fn as_option_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn json_fields(d: &Definition) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(d).expect("a definition serializes") {
        serde_json::Value::Object(m) => m,
        _ => unreachable!("a definition serializes as an object"),
    }
}

/// Serde through `Display` and `FromStr`: the enums of a definition are written as the text
/// the command line takes.
mod as_text {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub fn serialize<T: std::fmt::Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
    where
        T: std::str::FromStr<Err = crate::error::Error>,
        D: Deserializer<'de>,
    {
        let s = String::deserialize(d)?;
        s.parse().map_err(D::Error::custom)
    }
}

/// Bands and rows per band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Banding {
    /// Number of bands `b`.
    pub bands: usize,
    /// Rows per band `r`.
    pub rows: usize,
}

/// Probability that a pair of Jaccard `s` shares at least one band.
pub fn collision_probability(s: f64, banding: Banding) -> f64 {
    1.0 - (1.0 - s.powi(banding.rows as i32)).powi(banding.bands as i32)
}

/// Composite Simpson integral of `f` over `[lo, hi]` with 256 intervals.
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    const N: usize = 256;
    let h = (hi - lo) / N as f64;
    let mut sum = f(lo) + f(hi);
    for i in 1..N {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(lo + i as f64 * h);
    }
    sum * h / 3.0
}

impl Banding {
    /// Chooses `b` and `r` with `b * r <= num_perm` minimizing
    /// `(1 - fn_weight) * FP + fn_weight * FN`, where FP is the area under the S-curve below the
    /// threshold (pairs that become candidates without being duplicates) and FN the area above
    /// the threshold where the curve falls short of 1 (duplicates that are missed). Ties go to
    /// the first found in order of `b`, then `r`.
    ///
    /// neardup verifies every candidate exactly, so a false positive costs only a verification
    /// while a false negative loses a duplicate: the default [`Definition::fn_weight`] is
    /// 0.9. With `fn_weight = 0.5` this is datasketch's choice; all values pinned below are
    /// also what datasketch 2.0's `_optimal_param` returns for the same arguments.
    ///
    /// ```
    /// use neardup::definition::Banding;
    /// let b = |bands, rows| Banding { bands, rows };
    /// // Default weight (0.1 false positives, 0.9 false negatives).
    /// assert_eq!(Banding::optimal(0.8, 128, 0.9), b(14, 9));
    /// assert_eq!(Banding::optimal(0.5, 128, 0.9), b(32, 4));
    /// assert_eq!(Banding::optimal(0.85, 128, 0.9), b(11, 11));
    /// assert_eq!(Banding::optimal(0.7, 64, 0.9), b(12, 5));
    /// assert_eq!(Banding::optimal(0.9, 256, 0.9), b(13, 19));
    /// // Equal weights.
    /// assert_eq!(Banding::optimal(0.8, 128, 0.5), b(9, 13));
    /// assert_eq!(Banding::optimal(0.5, 128, 0.5), b(25, 5));
    /// assert_eq!(Banding::optimal(0.85, 128, 0.5), b(8, 16));
    /// assert_eq!(Banding::optimal(0.7, 64, 0.5), b(8, 8));
    /// assert_eq!(Banding::optimal(0.9, 256, 0.5), b(9, 28));
    /// ```
    pub fn optimal(threshold: f64, num_perm: usize, fn_weight: f64) -> Banding {
        // The search integrates two curves for each of several hundred bandings (milliseconds):
        // remembered per process, as a configuration is validated more than once in a run.
        type Memo = std::sync::Mutex<Vec<((u64, usize, u64), Banding)>>;
        static MEMO: std::sync::OnceLock<Memo> = std::sync::OnceLock::new();
        let key = (threshold.to_bits(), num_perm, fn_weight.to_bits());
        let memo = MEMO.get_or_init(Default::default);
        if let Some(&(_, b)) = memo
            .lock()
            .expect("banding memo")
            .iter()
            .find(|(k, _)| *k == key)
        {
            return b;
        }
        let best = Self::search(threshold, num_perm, fn_weight);
        memo.lock().expect("banding memo").push((key, best));
        best
    }

    fn search(threshold: f64, num_perm: usize, fn_weight: f64) -> Banding {
        let mut best = Banding { bands: 1, rows: 1 };
        let mut best_err = f64::INFINITY;
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                let cand = Banding { bands, rows };
                let fp = integrate(|s| collision_probability(s, cand), 0.0, threshold);
                let fneg = integrate(|s| 1.0 - collision_probability(s, cand), threshold, 1.0);
                let err = (1.0 - fn_weight) * fp + fn_weight * fneg;
                if err < best_err {
                    best_err = err;
                    best = cand;
                }
            }
        }
        best
    }
}

/// How a signature is computed; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `k` independent multiply-add-shift hash functions.
    Permutations,
    /// One hash per shingle into `k` slots, with optimal densification.
    OnePermutation,
}

impl std::str::FromStr for Scheme {
    type Err = Error;
    /// Parses `oph` or `permutations`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "oph" => Ok(Scheme::OnePermutation),
            "permutations" => Ok(Scheme::Permutations),
            _ => Err(Error::Config {
                field: "--minhash",
                expected: "oph or permutations".into(),
                got: s.to_string(),
            }),
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Scheme::Permutations => "permutations",
            Scheme::OnePermutation => "oph",
        })
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

    /// Parses `auto`, `words:K` or `chars:N`, and the `Display` form `auto(words:K,chars:N)`:
    /// the two round-trip.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::Config {
            field: "--shingle",
            expected: "auto, words:K or chars:N with K, N from 1 to 32".into(),
            got: s.to_string(),
        };
        let size = |n: &str| match n.parse::<usize>() {
            Ok(n) if (1..=32).contains(&n) => Ok(n),
            _ => Err(bad()),
        };
        if s == "auto" {
            return Ok(ShingleMode::default());
        }
        if let Some(inner) = s.strip_prefix("auto(").and_then(|r| r.strip_suffix(')')) {
            let (words, chars) = inner.split_once(',').ok_or_else(bad)?;
            return Ok(ShingleMode::Auto {
                words: size(words.strip_prefix("words:").ok_or_else(bad)?)?,
                chars: size(chars.strip_prefix("chars:").ok_or_else(bad)?)?,
            });
        }
        let (kind, n) = s.split_once(':').ok_or_else(bad)?;
        match kind {
            "words" => Ok(ShingleMode::Words(size(n)?)),
            "chars" => Ok(ShingleMode::Chars(size(n)?)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_mode_display_and_from_str_round_trip() {
        for m in [
            ShingleMode::default(),
            ShingleMode::Auto { words: 3, chars: 2 },
            ShingleMode::Words(7),
            ShingleMode::Chars(4),
        ] {
            assert_eq!(m.to_string().parse::<ShingleMode>().unwrap(), m);
        }
        assert_eq!(
            "auto".parse::<ShingleMode>().unwrap(),
            ShingleMode::default()
        );
        for bad in [
            "auto(words:5)",
            "auto(words:0,chars:3)",
            "words:33",
            "chars",
            "bytes:3",
        ] {
            assert!(bad.parse::<ShingleMode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn json_round_trips_and_is_flat() {
        let d = Definition {
            window_days: Some(3),
            mode: Mode::Jaccard,
            shingle: ShingleMode::Chars(4),
            ..Definition::default()
        }
        .validate()
        .unwrap();
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["bands"], 14);
        assert_eq!(json["rows"], 9);
        assert_eq!(json["shingle"], "chars:4");
        assert_eq!(json["minhash"], "oph");
        let back: Definition = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, d);
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let fields: Vec<&str> = OPTIONS.iter().map(|o| o.0).collect();
        let mut sorted = fields.clone();
        sorted.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, sorted, "OPTIONS names every serialized field");
    }

    #[test]
    fn differences_name_the_option_and_both_values() {
        let a = Definition::default().validate().unwrap();
        let b = Definition {
            seed: 2,
            max_bucket: 5,
            ..a.clone()
        };
        let d = a.differences(&b);
        assert_eq!(
            d.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["seed: 1 here, 2 there", "max_bucket: 64 here, 5 there"]
        );
        assert_eq!(d[0].option, "--seed");
        assert!(a.differences(&a).is_empty());
        let unset = Definition::default();
        assert_eq!(unset.differences(&a)[0].here, "null");
    }

    #[test]
    fn validate_chooses_the_banding_and_refuses_bad_values() {
        assert_eq!(
            Definition::default().validate().unwrap().banding,
            Some(Banding { bands: 14, rows: 9 })
        );
        let given = Definition {
            banding: Some(Banding { bands: 4, rows: 4 }),
            ..Definition::default()
        };
        assert_eq!(given.validate().unwrap().banding, given.banding);
        for bad in [
            Definition {
                threshold: 0.0,
                ..Definition::default()
            },
            Definition {
                max_df: 1,
                ..Definition::default()
            },
            Definition {
                banding: Some(Banding { bands: 20, rows: 9 }),
                ..Definition::default()
            },
        ] {
            assert!(bad.validate().is_err());
        }
    }

    #[test]
    fn s_curve_is_monotone_and_bounded() {
        let b = Banding { bands: 9, rows: 13 };
        let mut last = 0.0;
        for i in 0..=100 {
            let p = collision_probability(i as f64 / 100.0, b);
            assert!((0.0..=1.0).contains(&p) && p >= last);
            last = p;
        }
        assert!(collision_probability(0.95, b) > 0.99);
        assert!(collision_probability(0.5, b) < 0.01);
    }

    #[test]
    fn optimal_respects_num_perm() {
        for (t, k) in [(0.3, 16), (0.7, 64), (0.95, 200), (1.0, 128)] {
            let b = Banding::optimal(t, k, 0.9);
            assert!(b.bands * b.rows <= k, "{t} {k} -> {b:?}");
        }
    }
}
