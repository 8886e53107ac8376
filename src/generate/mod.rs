//! `neardup gen`: a deterministic synthetic archive of news-like articles, with syndicated
//! copies and their labels, for benchmarks and for `neardup eval`.
//!
//! Owns: the synthetic vocabulary, article shapes and the kinds of copies. Must not: depend on
//! the thread count: document `i` is a pure function of `(seed, i)`.
//!
//! Articles: 280 to 520 words (median about 400) in paragraphs of 2 to 4 sentences of 8 to 30
//! words, drawn from a vocabulary of 40,000 invented words with Zipf frequencies (exponent 1,
//! as in English text), with capitalized names and numbers. A wire story starts with a dateline
//! naming its service (`CITY (AP) --`). A share of documents (`dup_rate`) are copies of an
//! earlier story run by another outlet, each changed in one or more of the ways outlets change
//! wire copy: a photo caption in front, cut after the first paragraphs, a few words edited, a
//! local paragraph added, other quote marks. The labels give every document its story.
//!
//! That is the English archive ([`Lang::En`], the default). [`Generator::with_lang`] makes
//! Japanese, Chinese and Korean archives of the same shape instead, with the statistics and
//! the boilerplate that stress a near-duplicate finder on those scripts: see the `cjk` module
//! (its tables of characters, particles, outlets, footers, notices, cities and wire credits
//! are kept apart from the English code, which they do not change).
//!
//! # Labels
//! The labels file has a header line `id<TAB>group`, then one line per document: its id and
//! the id of the original whose story it tells (an original is its own group).

use serde_json::json;

mod cjk;

/// The language of a generated archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English-like words (the original archive; ids `gen-N`).
    #[default]
    En,
    /// Japanese: kanji words, hiragana particles and okurigana, katakana loanwords (ids `ja-N`).
    Ja,
    /// Chinese: words of Han characters (ids `zh-N`).
    Zh,
    /// Korean: Hangul words with particles, separated by spaces (ids `ko-N`).
    Ko,
}

impl Lang {
    /// Every language, in the order the error messages name them.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Ja, Lang::Zh, Lang::Ko];

    /// The code given to `--lang`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
            Lang::Zh => "zh",
            Lang::Ko => "ko",
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == s)
            .ok_or_else(|| format!("expected one of en, ja, zh, ko, got `{s}`"))
    }
}

/// SplitMix64 step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small deterministic generator.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64, index: u64) -> Rng {
        Rng(mix(seed ^ mix(stream ^ mix(index))))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "to", "ri", "men", "sa", "lo", "ver", "an", "de", "mi", "no", "tar", "el", "po", "su",
    "ra", "gen", "ti", "bo", "la", "con", "ex", "pre", "dis", "ment", "tion", "al", "er", "in",
    "st", "port", "gra", "vel", "mar", "ket", "pol", "ic", "ern", "ship", "ward",
];
const OUTLETS: &[&str] = &[
    "The Daily Courier",
    "Morning Herald",
    "The Evening Post",
    "Metro Times",
    "The Tribune",
    "City Chronicle",
    "The Observer",
    "Valley News",
    "The Gazette",
    "Harbor Journal",
    "The Mainichi",
    "Asahi Shimbun",
    "The Star",
    "National Review Daily",
    "The Sentinel",
    "Capital Dispatch",
    "Coastal Record",
    "The Ledger",
    "Northern Times",
    "The Examiner",
];
const WIRES: &[&str] = &["AP", "Reuters", "AFP", "Kyodo", "Yonhap", "Xinhua"];
const CITIES: &[&str] = &[
    "TOKYO",
    "HONG KONG",
    "LONDON",
    "NEW YORK",
    "SEOUL",
    "BEIJING",
    "PARIS",
    "WASHINGTON",
    "BERLIN",
    "SYDNEY",
];
const VOCAB: usize = 40_000;

/// The settings of a generated archive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenConfig {
    /// Number of documents.
    pub docs: u64,
    /// Seed.
    pub seed: u64,
    /// Share of documents that are copies of an earlier story.
    pub dup_rate: f64,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            docs: 1000,
            seed: 1,
            dup_rate: 0.3,
        }
    }
}

/// The vocabulary and its Zipf cumulative distribution, built once per run.
pub struct Generator {
    config: GenConfig,
    words: Vec<String>,
    cdf: Vec<f64>,
    /// The tables and vocabulary of a Japanese, Chinese or Korean archive.
    cjk: Option<cjk::Cjk>,
}

/// One generated document.
#[derive(Debug, Clone, PartialEq)]
pub struct GenDoc {
    /// The JSON line (without newline).
    pub line: String,
    /// Id.
    pub id: String,
    /// The story it tells (the id of the original).
    pub story: String,
}

impl GenDoc {
    /// Document `i` of an archive whose ids start with `prefix`, a copy of story `source`
    /// (itself when it is an original), dated by its index (300 documents a day).
    pub(crate) fn new(
        prefix: &str,
        i: u64,
        source: u64,
        outlet: &str,
        title: &str,
        paras: &[String],
    ) -> GenDoc {
        let day = 738_000 + (i / 300) as i64;
        let date = chrono::NaiveDate::from_num_days_from_ce_opt(day as i32)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let id = format!("{prefix}-{i}");
        let line = json!({
            "id": id,
            "outlet": outlet,
            "title": title,
            "date": date,
            "text": paras.join("\n"),
        })
        .to_string();
        GenDoc {
            line,
            id,
            story: format!("{prefix}-{source}"),
        }
    }
}

impl Generator {
    /// Builds the generator of a `lang` archive for `config` (`Lang::En` is [`Generator::new`]).
    pub fn with_lang(config: GenConfig, lang: Lang) -> Generator {
        match lang {
            Lang::En => Generator::new(config),
            _ => Generator {
                config,
                words: Vec::new(),
                cdf: Vec::new(),
                cjk: Some(cjk::Cjk::new(config, lang)),
            },
        }
    }

    /// Builds the vocabulary of the English archive for `config`.
    pub fn new(config: GenConfig) -> Generator {
        let mut rng = Rng::new(config.seed, 1, 0);
        let mut words = Vec::with_capacity(VOCAB);
        let mut seen = std::collections::HashSet::new();
        while words.len() < VOCAB {
            let n = 1 + rng.below(2) + u64::from(words.len() > 500);
            let w: String = (0..n)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize])
                .collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut cdf = Vec::with_capacity(VOCAB);
        let mut total = 0.0;
        for r in 1..=VOCAB {
            total += 1.0 / r as f64;
            cdf.push(total);
        }
        for c in &mut cdf {
            *c /= total;
        }
        Generator {
            config,
            words,
            cdf,
            cjk: None,
        }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self.cdf.partition_point(|&c| c < u).min(VOCAB - 1);
        &self.words[i]
    }

    fn sentence(&self, rng: &mut Rng, out: &mut String) {
        let n = 8 + rng.below(23);
        for k in 0..n {
            if k > 0 {
                out.push(' ');
            }
            let r = rng.below(100);
            if r < 4 {
                out.push_str(&rng.below(10_000).to_string());
            } else if r < 10 || k == 0 {
                let w = self.word(rng);
                let mut cs = w.chars();
                if let Some(f) = cs.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(cs.as_str());
                }
            } else {
                out.push_str(self.word(rng));
            }
            if r == 50 && k + 1 < n {
                out.push(',');
            }
        }
        out.push('.');
    }

    /// True when document `i` is an original story (not a copy).
    fn is_original(&self, i: u64) -> bool {
        i == 0 || Rng::new(self.config.seed, 2, i).unit() >= self.config.dup_rate
    }

    /// The paragraphs of story `i` and its wire service, if any.
    fn story(&self, i: u64) -> (Vec<String>, Option<&'static str>, String) {
        let mut rng = Rng::new(self.config.seed, 3, i);
        let wire = (rng.below(100) < 60).then(|| WIRES[rng.below(WIRES.len() as u64) as usize]);
        let city = CITIES[rng.below(CITIES.len() as u64) as usize];
        let target = 280 + rng.below(120) + rng.below(120);
        let mut paras = Vec::new();
        let mut words = 0;
        while words < target {
            let mut p = String::new();
            for s in 0..2 + rng.below(3) {
                if s > 0 {
                    p.push(' ');
                }
                self.sentence(&mut rng, &mut p);
            }
            words += p.split(' ').count() as u64;
            paras.push(p);
        }
        if let Some(w) = wire {
            paras[0] = format!("{city} ({w}) -- {}", paras[0]);
        }
        let mut title = String::new();
        self.sentence(&mut rng, &mut title);
        title.pop();
        (paras, wire, title)
    }

    /// Document `i`.
    pub fn doc(&self, i: u64) -> GenDoc {
        if let Some(c) = &self.cjk {
            return c.doc(i);
        }
        let mut rng = Rng::new(self.config.seed, 4, i);
        let (source, outlet) = if self.is_original(i) {
            (i, OUTLETS[rng.below(OUTLETS.len() as u64) as usize])
        } else {
            let mut j = i - 1 - rng.below(i.min(2000));
            while !self.is_original(j) {
                j -= 1;
            }
            (j, OUTLETS[rng.below(OUTLETS.len() as u64) as usize])
        };
        let (mut paras, wire, title) = self.story(source);
        if source != i {
            let edits = 1 + rng.below(3);
            for _ in 0..edits {
                match rng.below(5) {
                    0 => {
                        // A photo caption in front.
                        let mut c = String::new();
                        self.sentence(&mut rng, &mut c);
                        let credit = wire.map_or(String::new(), |w| format!(" ({w} Photo)"));
                        paras.insert(0, format!("{c}{credit}"));
                    }
                    1 => {
                        // Cut after the first paragraphs.
                        let keep = 2 + rng.below(paras.len() as u64 / 2 + 1) as usize;
                        paras.truncate(keep.min(paras.len()));
                    }
                    2 => {
                        // A few words edited.
                        for _ in 0..1 + rng.below(4) {
                            let p = rng.below(paras.len() as u64) as usize;
                            let mut ws: Vec<String> =
                                paras[p].split(' ').map(str::to_string).collect();
                            let k = rng.below(ws.len() as u64) as usize;
                            ws[k] = self.word(&mut rng).to_string();
                            paras[p] = ws.join(" ");
                        }
                    }
                    3 => {
                        // A local paragraph added.
                        let mut p = String::new();
                        self.sentence(&mut rng, &mut p);
                        let at = rng.below(paras.len() as u64 + 1) as usize;
                        paras.insert(at, p);
                    }
                    _ => {
                        // Other quote marks.
                        paras = paras
                            .iter()
                            .map(|p| p.replace(" -- ", " \u{2014} "))
                            .collect();
                    }
                }
            }
        }
        GenDoc::new("gen", i, source, outlet, &title, &paras)
    }
}

/// [`write_archive`] with the archive compressed as its file name says: `.zst` (zstd, level
/// 3), `.gz` (gzip, fast), otherwise plain.
pub fn write_archive_named(
    generator: &Generator,
    pool: &rayon::ThreadPool,
    name: &std::path::Path,
    docs: &mut dyn std::io::Write,
    labels: &mut dyn std::io::Write,
) -> std::io::Result<u64> {
    use crate::input::Compression;
    let name = name.to_string_lossy();
    let compression = if name.ends_with(".zst") {
        Compression::Zstd
    } else if name.ends_with(".gz") {
        Compression::Gzip
    } else {
        Compression::None
    };
    match compression {
        Compression::Zstd => {
            let mut z = zstd::stream::write::Encoder::new(docs, 3)?;
            let copies = write_archive(generator, pool, &mut z, labels)?;
            z.finish()?;
            Ok(copies)
        }
        Compression::Gzip => {
            let mut z = flate2::write::GzEncoder::new(docs, flate2::Compression::fast());
            let copies = write_archive(generator, pool, &mut z, labels)?;
            z.finish()?;
            Ok(copies)
        }
        _ => write_archive(generator, pool, docs, labels),
    }
}

/// Writes documents `0..config.docs` as JSON Lines to `docs` and their `id<TAB>group` labels
/// (with a header line) to `labels`, generating in parallel batches on `pool`. Returns the
/// number of copies written.
pub fn write_archive(
    generator: &Generator,
    pool: &rayon::ThreadPool,
    docs: &mut dyn std::io::Write,
    labels: &mut dyn std::io::Write,
) -> std::io::Result<u64> {
    use rayon::prelude::*;
    const BATCH: u64 = 8192;
    writeln!(labels, "id\tgroup")?;
    let mut copies = 0;
    let n = generator.config.docs;
    let mut start = 0;
    while start < n {
        let end = (start + BATCH).min(n);
        let batch: Vec<GenDoc> = pool.install(|| {
            (start..end)
                .into_par_iter()
                .map(|i| generator.doc(i))
                .collect()
        });
        for d in batch {
            docs.write_all(d.line.as_bytes())?;
            docs.write_all(b"\n")?;
            writeln!(labels, "{}\t{}", d.id, d.story)?;
            copies += u64::from(d.id != d.story);
        }
        start = end;
    }
    Ok(copies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_has_copies() {
        let g = Generator::new(GenConfig {
            docs: 300,
            seed: 7,
            dup_rate: 0.3,
        });
        let a: Vec<GenDoc> = (0..300).map(|i| g.doc(i)).collect();
        let g2 = Generator::new(GenConfig {
            docs: 300,
            seed: 7,
            dup_rate: 0.3,
        });
        assert_eq!(a, (0..300).map(|i| g2.doc(i)).collect::<Vec<_>>());
        let copies = a.iter().filter(|d| d.id != d.story).count();
        assert!((60..=120).contains(&copies), "{copies}");
        let words: usize = a.iter().map(|d| d.line.split(' ').count()).sum::<usize>() / a.len();
        assert!((250..=700).contains(&words), "{words}");
    }
}
