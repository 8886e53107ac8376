//! Throughput of each pipeline stage, and of the whole pipeline, on a synthetic news corpus.
//!
//! The corpus is generated here, deterministically (SplitMix64, fixed seed): about 2,000
//! English wire-style articles of 300-400 words drawn from a Zipf-like vocabulary with names
//! and numbers, of which about 10% are near-copies of an earlier article (a few words changed,
//! a sentence added, or the story cut short; republished under another outlet, sometimes with
//! straight instead of typographic quotes), plus a handful of Japanese texts (and near-copies
//! of some) so that the character n-gram path is exercised.
//!
//! Groups, one per stage plus one for the whole run:
//!
//! - `normalize`: [`neardup::normalize::normalize`] over every text (one thread);
//! - `shingle`: [`neardup::shingle::shingles`] over every normalized text, default mode (one
//!   thread);
//! - `minhash`: [`MinHasher::sign_into`] with 128 permutations over every shingle set (one
//!   thread);
//! - `lsh`: [`neardup::lsh::candidate_pairs`] over every signature with
//!   the default banding (`Config::default().validate()`) (on a 2-thread rayon pool);
//! - `verify`: [`neardup::verify::verify_pairs`] over the candidate pairs (2-thread pool);
//! - `end_to_end`: [`neardup::input::InputSet::open`] and [`neardup::pipeline::run`] on the
//!   corpus written once as a JSON Lines file (2-thread pool, default config); the file sits in
//!   the page cache, so this measures CPU, not the disk;
//! - `end_to_end_by_language`: the same on 3,000 generated articles of each of
//!   `neardup gen --lang en|ja|zh|ko`, in bytes of the file (the ratios of the languages).
//!
//! Every group reports `Throughput::Bytes` as the bytes of article text in the corpus (the
//! `text` fields, not the JSON around them), so the figures of the stages are comparable with
//! each other and with the end-to-end figure: a stage at X MB/s handles the whole corpus in
//! `size / X`. Corpus statistics are printed to standard error before the groups run.
//!
//! Run with `cargo bench --bench stages` (about 30 seconds once compiled, on 2 cores),
//! `cargo bench --bench stages -- --quick` for a rough pass, or
//! `cargo bench --bench stages -- shingle` for one group.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use neardup::definition::{Banding, ShingleMode};
use neardup::input::InputSet;
use neardup::lsh::{candidate_pairs, Candidates};
use neardup::minhash::{MinHasher, Signatures};
use neardup::normalize::normalize;
use neardup::pipeline::BadLine;
use neardup::shingle::{shingles, Tokenization};
use neardup::verify::{verify_pairs, Rule, ShingleStore};
use neardup::Config;
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// English articles generated (near-copies included).
const ENGLISH_ARTICLES: usize = 2_000;
/// Japanese texts generated (near-copies included).
const JAPANESE_TEXTS: usize = 16;
/// Share of articles that are near-copies of an earlier one.
const COPY_RATE: f64 = 0.10;
/// MinHash permutations and seed, as in `Config::default()`.
const NUM_PERM: usize = 128;
const SEED: u64 = 1;
/// Jaccard threshold, as in `Config::default()`.
const THRESHOLD: f64 = 0.8;

// ---------------------------------------------------------------------------------------------
// Deterministic random numbers.

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Draws ranks `0..n` with probability proportional to `1 / (rank + 2.7)` (Zipf-Mandelbrot).
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut total = 0.0;
        let cdf = (0..n)
            .map(|r| {
                total += 1.0 / (r as f64 + 2.7);
                total
            })
            .collect();
        Zipf { cdf }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit() * self.cdf[self.cdf.len() - 1];
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}

// ---------------------------------------------------------------------------------------------
// English articles.

/// Words roughly in order of frequency in news text: rank decides how often a word is drawn.
const VOCABULARY: &str = "
the of to and a in that for on is said was with he it as at by from his be have has are an
but not they who this were had been their will would more after about its which or one also
year new up than two people over when out could last first there into government officials
other some what all we president state percent can if so no time three told police public
years may because since them being under while city company before market should during most
against country week only million new officials minister says such between where group report
four months national help many while including those end world day our like any economic
federal days law support security even through plan million health school military party
still back however court top local high high since officials well five home former much part
month long now statement both around expected called early billion told workers own next
price prices rates bank central inflation growth trade tariffs exports economy economists
investors shares stocks index fell rose percent quarter profit revenue sales earnings
election vote voters campaign candidate parliament senate lawmakers bill budget tax spending
war troops forces attack ceasefire talks peace border refugees aid humanitarian conflict
storm flooding rain wind damage residents evacuated emergency fire firefighters wildfire
hospital patients doctors virus vaccine outbreak cases deaths disease medical care
police arrested suspect charged investigation prosecutors trial judge sentenced prison
team game season coach players win victory championship final league match scored goal
energy oil gas power electricity climate emissions carbon renewable solar coal prices
technology company companies users data online internet software chips artificial
intelligence startup billion deal merger acquisition regulators antitrust competition
city council mayor residents housing rent homes construction transit traffic roads
schools students teachers education university college tuition children families
it’s didn’t won’t company’s country’s government’s don’t can’t isn’t
according announced added noted warned described confirmed denied declined refused
spokesperson spokesman spokeswoman agency ministry department office authorities
thursday friday monday tuesday wednesday saturday sunday morning night afternoon
january february march april june july august september october november december
significant major key critical important recent latest further possible likely
increase decrease rise drop surge plunge gain loss record highest lowest level
international foreign domestic regional global european asian american chinese japanese
north south east west northern southern eastern western capital province region area
";

const FIRST_NAMES: &[&str] = &[
    "John", "Maria", "David", "Sarah", "Michael", "Anna", "James", "Elena", "Robert", "Laura",
    "Kenji", "Yuki", "Ahmed", "Fatima", "Carlos", "Sofia", "Wei", "Mei", "Olga", "Ivan", "Peter",
    "Grace", "Thomas", "Amara", "Daniel", "Leila", "Samuel", "Ingrid", "Lucas", "Nadia",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Garcia",
    "Miller",
    "Brown",
    "Tanaka",
    "Suzuki",
    "Kamimura",
    "Hassan",
    "Rossi",
    "Müller",
    "Schmidt",
    "Dubois",
    "Novak",
    "Kowalski",
    "Ivanova",
    "Chen",
    "Wang",
    "Kim",
    "Park",
    "Nguyen",
    "Okafor",
    "Mensah",
    "Silva",
    "Santos",
    "Andersen",
    "Larsen",
    "O’Brien",
    "Murphy",
    "Walsh",
    "Patel",
    "Singh",
    "Khan",
    "Cohen",
    "Levi",
    "Haddad",
    "Fernández",
    "López",
    "Martin",
    "Bernard",
    "Yilmaz",
    "Demir",
    "Costa",
    "Moreau",
    "Weber",
];

const CITIES: &[&str] = &[
    "WASHINGTON",
    "NEW YORK",
    "LONDON",
    "PARIS",
    "BERLIN",
    "TOKYO",
    "HONG KONG",
    "BEIJING",
    "SEOUL",
    "MOSCOW",
    "KYIV",
    "CAIRO",
    "NAIROBI",
    "LAGOS",
    "SÃO PAULO",
    "MEXICO CITY",
    "SYDNEY",
    "MUMBAI",
    "JAKARTA",
    "BRUSSELS",
    "GENEVA",
    "ROME",
    "MADRID",
    "ISTANBUL",
];

const AGENCIES: &[&str] = &["AP", "Reuters", "AFP", "Kyodo", "dpa", "UPI", "Bloomberg"];

const OUTLETS: &[&str] = &[
    "The Daily Ledger",
    "Metro Courier",
    "Northern Gazette",
    "The Evening Post",
    "Harbor Times",
    "Valley Herald",
    "Capital Tribune",
    "Coastal News",
    "The Morning Star",
    "Riverside Journal",
    "Pacific Observer",
    "Union Dispatch",
];

const SAID: &[&str] = &[
    "said",
    "told reporters",
    "said in a statement",
    "added",
    "wrote",
];

/// One article before rendering: a dateline and sentences (with typographic punctuation).
#[derive(Clone)]
struct Article {
    city: &'static str,
    agency: &'static str,
    sentences: Vec<String>,
}

impl Article {
    fn words(&self) -> usize {
        self.sentences
            .iter()
            .map(|s| s.split_whitespace().count())
            .sum()
    }

    /// The text: dateline, sentences, a paragraph break every four sentences. `straight`
    /// replaces typographic quotes and dashes with ASCII ones, as some outlets do.
    fn render(&self, straight: bool) -> String {
        let mut out = format!("{} ({}) \u{2014} ", self.city, self.agency);
        for (i, s) in self.sentences.iter().enumerate() {
            if i > 0 {
                out.push_str(if i % 4 == 0 { "\n\n" } else { " " });
            }
            out.push_str(s);
        }
        if straight {
            out = out
                .replace(['\u{201C}', '\u{201D}'], "\"")
                .replace('\u{2019}', "'")
                .replace('\u{2014}', "--");
        }
        out
    }
}

struct EnglishGen {
    words: Vec<&'static str>,
    zipf: Zipf,
}

impl EnglishGen {
    fn new() -> EnglishGen {
        let mut words: Vec<&'static str> = Vec::new();
        for w in VOCABULARY.split_whitespace() {
            if !words.contains(&w) {
                words.push(w);
            }
        }
        let zipf = Zipf::new(words.len());
        EnglishGen { words, zipf }
    }

    fn word(&self, rng: &mut Rng) -> &'static str {
        self.words[self.zipf.sample(rng)]
    }

    fn name(rng: &mut Rng) -> String {
        if rng.chance(0.5) {
            format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))
        } else {
            rng.pick(LAST_NAMES).to_string()
        }
    }

    fn number(rng: &mut Rng) -> String {
        match rng.below(5) {
            0 => rng.range(2, 999).to_string(),
            1 => rng.range(1990, 2026).to_string(),
            2 => format!("{}.{}%", rng.range(0, 40), rng.below(10)),
            3 => format!("${} million", rng.range(1, 950)),
            _ => format!("{},{:03}", rng.range(1, 99), rng.below(1000)),
        }
    }

    /// A sentence of 8-24 tokens; about one in six is a quote.
    fn sentence(&self, rng: &mut Rng) -> String {
        let n = rng.range(8, 24);
        let mut tokens: Vec<String> = Vec::with_capacity(n + 4);
        for _ in 0..n {
            let r = rng.unit();
            let mut t = if r < 0.06 {
                Self::name(rng)
            } else if r < 0.10 {
                Self::number(rng)
            } else {
                self.word(rng).to_string()
            };
            if rng.chance(0.06) {
                t.push(',');
            }
            tokens.push(t);
        }
        capitalize(&mut tokens[0]);
        let last = tokens.last_mut().expect("non-empty sentence");
        if last.ends_with(',') {
            last.pop();
        }
        let body = tokens.join(" ");
        if rng.chance(1.0 / 6.0) {
            format!(
                "\u{201C}{body},\u{201D} {} {}.",
                Self::name(rng),
                rng.pick(SAID)
            )
        } else {
            format!("{body}.")
        }
    }

    fn article(&self, rng: &mut Rng) -> Article {
        let target = rng.range(300, 400);
        let mut a = Article {
            city: rng.pick(CITIES),
            agency: rng.pick(AGENCIES),
            sentences: Vec::new(),
        };
        let mut words = 0;
        while words < target {
            let s = self.sentence(rng);
            words += s.split_whitespace().count();
            a.sentences.push(s);
        }
        a
    }

    /// A near-copy of `a`: another agency credit, plus one of: 2-5 words changed, a sentence
    /// added, or the last 5-12% of the story cut.
    fn near_copy(&self, a: &Article, rng: &mut Rng) -> Article {
        let mut c = a.clone();
        c.agency = rng.pick(AGENCIES);
        match rng.below(3) {
            0 => {
                for _ in 0..rng.range(2, 5) {
                    let si = rng.below(c.sentences.len());
                    let mut tokens: Vec<&str> = c.sentences[si].split(' ').collect();
                    let ti = rng.below(tokens.len());
                    tokens[ti] = self.word(rng);
                    c.sentences[si] = tokens.join(" ");
                }
            }
            1 => {
                let at = rng.range(0, c.sentences.len());
                let s = self.sentence(rng);
                c.sentences.insert(at, s);
            }
            _ => {
                let keep_words = a.words() * rng.range(88, 95) / 100;
                let mut words = 0;
                let keep = c
                    .sentences
                    .iter()
                    .take_while(|s| {
                        words += s.split_whitespace().count();
                        words <= keep_words
                    })
                    .count();
                c.sentences.truncate(keep.max(1));
            }
        }
        c
    }
}

fn capitalize(s: &mut String) {
    if let Some(c) = s.chars().next() {
        let upper: String = c.to_uppercase().collect();
        s.replace_range(..c.len_utf8(), &upper);
    }
}

// ---------------------------------------------------------------------------------------------
// Japanese texts.

const JA_PHRASES: &[&str] = &[
    "政府は",
    "首相は",
    "記者団に対し",
    "会見で",
    "発表した",
    "明らかにした",
    "語った",
    "経済",
    "物価の上昇",
    "日本銀行",
    "金利",
    "円安",
    "輸出",
    "企業の",
    "業績",
    "株価",
    "東京都内で",
    "大阪府",
    "北海道",
    "沖縄県",
    "地震",
    "台風",
    "大雨",
    "避難",
    "住民",
    "警察によると",
    "容疑者",
    "逮捕された",
    "事件",
    "調査",
    "関係者によると",
    "今後",
    "検討する",
    "方針を",
    "示した",
    "予算案",
    "国会で",
    "審議",
    "与党",
    "野党",
    "選挙",
    "候補者",
    "支持率",
    "人気アイドルの",
    "上村謙信さんが",
    "ファンに",
    "謝罪した",
    "コンサート",
    "新曲",
    "発売",
    "学校",
    "子ども",
    "教育",
    "病院",
    "医師",
    "感染",
    "ワクチン",
    "エネルギー",
    "電力",
    "原子力発電所",
    "再稼働",
    "気候変動",
    "対策",
    "ＡＩ技術",
    "開発",
    "スマートフォン",
    "利用者",
    "増加",
    "減少",
    "前年比",
    "によると",
];

fn japanese_text(rng: &mut Rng) -> String {
    let mut out = String::from("【東京＝共同】");
    let target = rng.range(400, 700);
    while out.chars().count() < target {
        if rng.chance(0.15) {
            // Full-width digits, folded by NFKC.
            let n: String = rng
                .range(1, 2026)
                .to_string()
                .chars()
                .map(|d| char::from_u32(d as u32 - '0' as u32 + 0xFF10).expect("digit"))
                .collect();
            out.push_str(&n);
            out.push_str(rng.pick(&["年", "人", "件", "円", "％"]));
        }
        let quoted = rng.chance(0.1);
        if quoted {
            out.push('「');
        }
        for i in 0..rng.range(5, 12) {
            if i > 0 && rng.chance(0.2) {
                out.push('、');
            }
            out.push_str(rng.pick(JA_PHRASES));
        }
        if quoted {
            out.push('」');
        }
        out.push('。');
    }
    out
}

/// A near-copy of a Japanese text: one stretch replaced and a sentence appended.
fn japanese_copy(text: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = rng.range(10, chars.len() - 10);
    let mut out: String = chars[..at].iter().collect();
    out.push_str(rng.pick(JA_PHRASES));
    out.extend(&chars[at + 3..]);
    out.push_str("関係者によると、今後の対応を検討する方針だ。");
    out
}

// ---------------------------------------------------------------------------------------------
// The corpus and its precomputed stages.

struct Corpus {
    ids: Vec<String>,
    outlets: Vec<String>,
    texts: Vec<String>,
    /// Near-copies planted.
    copies: usize,
    /// Bytes of article text.
    bytes: u64,
}

fn corpus() -> Corpus {
    let mut rng = Rng(0x6E65_6172_6475_7021); // "neardup!"
    let english = EnglishGen::new();
    let mut articles: Vec<Article> = Vec::with_capacity(ENGLISH_ARTICLES);
    let mut texts = Vec::with_capacity(ENGLISH_ARTICLES + JAPANESE_TEXTS);
    let mut copies = 0;
    let mut japanese: Vec<String> = Vec::new();
    // Japanese texts are spread evenly through the corpus.
    let ja_every = ENGLISH_ARTICLES / JAPANESE_TEXTS;
    for i in 0..ENGLISH_ARTICLES {
        let a = if i >= 10 && rng.chance(COPY_RATE) {
            copies += 1;
            let original = &articles[rng.below(articles.len())];
            english.near_copy(original, &mut rng)
        } else {
            english.article(&mut rng)
        };
        texts.push(a.render(rng.chance(0.3)));
        articles.push(a);
        if i % ja_every == ja_every - 1 && japanese.len() < JAPANESE_TEXTS {
            let t = if japanese.len() >= 4 && japanese.len().is_multiple_of(4) {
                copies += 1;
                let original = &japanese[rng.below(japanese.len())];
                japanese_copy(original, &mut rng)
            } else {
                japanese_text(&mut rng)
            };
            japanese.push(t.clone());
            texts.push(t);
        }
    }
    let ids = (0..texts.len()).map(|i| format!("art-{i:05}")).collect();
    let outlets = (0..texts.len())
        .map(|_| rng.pick(OUTLETS).to_string())
        .collect();
    let bytes = texts.iter().map(|t| t.len() as u64).sum();
    Corpus {
        ids,
        outlets,
        texts,
        copies,
        bytes,
    }
}

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("rayon pool of 2 threads")
}

fn configure(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
}

fn stages(c: &mut Criterion) {
    let corpus = corpus();
    let pool = pool();
    let throughput = Throughput::Bytes(corpus.bytes);

    // Each stage's input is the previous stage's output, computed once here.
    let normalized: Vec<String> = corpus.texts.iter().map(|t| normalize(t)).collect();
    let sets: Vec<Vec<u64>> = normalized
        .iter()
        .map(|t| shingles(t, ShingleMode::default(), SEED).hashes)
        .collect();
    let char_ngram_docs = normalized
        .iter()
        .filter(|t| {
            matches!(
                shingles(t, ShingleMode::default(), SEED).tokenization,
                Tokenization::Chars(_)
            )
        })
        .count();
    let hasher = MinHasher::new(NUM_PERM, SEED);
    let mut signatures = Signatures::new(NUM_PERM);
    for s in &sets {
        signatures.push(&hasher.sign(s));
    }
    let docs: Vec<u32> = (0..sets.len() as u32).collect();
    let banding = Banding::optimal(
        THRESHOLD,
        NUM_PERM,
        neardup::Config::default().definition.fn_weight,
    );
    let max_bucket = Config::default().definition.max_bucket;
    let Candidates { pairs, .. } =
        pool.install(|| candidate_pairs(&signatures, &docs, banding, max_bucket));
    let mut involved: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    involved.sort_unstable();
    involved.dedup();
    let mut store = ShingleStore::new(sets.len());
    for &d in &involved {
        store.insert(d, &sets[d as usize]);
    }
    let verified = verify_pairs(&pairs, &store, Rule::Jaccard(THRESHOLD));
    eprintln!(
        "corpus: {} texts ({} near-copies planted, {} cut into char n-grams), {:.2} MB of text; \
         {:?}: {} candidate pairs, {} verified",
        corpus.texts.len(),
        corpus.copies,
        char_ngram_docs,
        corpus.bytes as f64 / 1e6,
        banding,
        pairs.len(),
        verified.len()
    );
    assert!(char_ngram_docs > 0, "no text took the char n-gram path");
    assert!(
        !verified.is_empty(),
        "no verified pair: the corpus has no near-copies"
    );

    let mut g = c.benchmark_group("normalize");
    configure(&mut g);
    g.throughput(throughput.clone());
    g.bench_function("all_texts", |b| {
        b.iter(|| {
            for t in black_box(&corpus.texts) {
                black_box(normalize(t));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("shingle");
    configure(&mut g);
    g.throughput(throughput.clone());
    g.bench_function("auto_words5_chars3", |b| {
        b.iter(|| {
            for t in black_box(&normalized) {
                black_box(shingles(t, ShingleMode::default(), SEED));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("minhash");
    configure(&mut g);
    g.throughput(throughput.clone());
    g.bench_function("sign_into_128", |b| {
        let mut out = vec![0u32; sets.len() * NUM_PERM];
        b.iter(|| {
            for (set, row) in black_box(&sets).iter().zip(out.chunks_exact_mut(NUM_PERM)) {
                hasher.sign_into(set, row);
            }
            black_box(&mut out);
        })
    });
    g.finish();

    let mut g = c.benchmark_group("lsh");
    configure(&mut g);
    g.throughput(throughput.clone());
    g.bench_function("candidate_pairs", |b| {
        b.iter(|| {
            pool.install(|| {
                candidate_pairs(
                    black_box(&signatures),
                    black_box(&docs),
                    black_box(banding),
                    max_bucket,
                )
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("verify");
    configure(&mut g);
    g.throughput(throughput.clone());
    g.bench_function("verify_pairs", |b| {
        b.iter(|| {
            pool.install(|| {
                verify_pairs(
                    black_box(&pairs),
                    black_box(&store),
                    Rule::Jaccard(THRESHOLD),
                )
            })
        })
    });
    g.finish();

    // The whole pipeline on a JSON Lines file, written once.
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("corpus.jsonl");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).expect("create corpus"));
        for ((id, text), outlet) in corpus.ids.iter().zip(&corpus.texts).zip(&corpus.outlets) {
            let line = serde_json::json!({ "id": id, "text": text, "outlet": outlet });
            serde_json::to_writer(&mut w, &line).expect("write corpus");
            w.write_all(b"\n").expect("write corpus");
        }
        w.flush().expect("write corpus");
    }
    let paths: Vec<PathBuf> = vec![path];
    let config = Config::default();
    let run = |paths: &[PathBuf]| {
        let mut inputs = InputSet::open(paths).expect("open corpus");
        neardup::pipeline::run(&mut inputs, &config, &pool, &mut |_: &BadLine| {})
            .expect("pipeline run")
    };
    let outcome = run(&paths);
    eprintln!(
        "end_to_end: {} documents, {} candidate pairs, {} verified, {} clusters, {} duplicates",
        outcome.counts.documents,
        outcome.counts.candidate_pairs,
        outcome.counts.verified_pairs,
        outcome.counts.clusters,
        outcome.counts.duplicates
    );
    assert_eq!(outcome.counts.documents, corpus.texts.len() as u64);
    assert!(
        outcome.counts.clusters >= 1,
        "end-to-end run found no cluster"
    );

    let mut g = c.benchmark_group("end_to_end");
    configure(&mut g);
    g.throughput(throughput);
    g.bench_function("pipeline_run_2_threads", |b| {
        b.iter(|| black_box(run(black_box(&paths))))
    });
    g.finish();

    // The whole pipeline on archives of `neardup gen --lang` (footers, notices, short articles,
    // edited copies), 3,000 documents each; throughput in bytes of the JSON Lines file, so
    // that the languages compare per byte as `neardup cluster` sees them.
    let mut g = c.benchmark_group("end_to_end_by_language");
    configure(&mut g);
    for lang in ["en", "ja", "zh", "ko"] {
        let path = dir.path().join(format!("{lang}.jsonl"));
        let generator = neardup::generate::Generator::with_lang(
            neardup::generate::GenConfig {
                docs: 3_000,
                seed: 11,
                dup_rate: 0.3,
            },
            lang.parse().expect("a language"),
        );
        let mut docs = Vec::new();
        neardup::generate::write_archive(&generator, &pool, &mut docs, &mut std::io::sink())
            .expect("generate");
        std::fs::write(&path, &docs).expect("write archive");
        let paths = vec![path];
        g.throughput(Throughput::Bytes(docs.len() as u64));
        g.bench_function(lang, |b| b.iter(|| black_box(run(black_box(&paths)))));
    }
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
