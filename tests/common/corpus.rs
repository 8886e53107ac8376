//! Inputs for the tests: invented text, JSON Lines records and files, archives written by
//! `neardup gen` (whole or cut into parts), and compressed bytes.

use super::{run, s, stderr};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The xorshift generator (shifts 13, 7, 17) that the tests' invented texts are drawn from.
pub struct XorShift(u64);

impl XorShift {
    /// Seeded as the texts here seed it: `seed` times the golden ratio, made odd.
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Starting from `state` as it is (never zero).
    pub fn from_state(state: u64) -> XorShift {
        XorShift(state)
    }

    /// The next state, which is also the number drawn.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A story of about 60 words, different for each `i`.
pub fn story(i: usize) -> String {
    const WORDS: [&str; 32] = [
        "government",
        "minister",
        "said",
        "tuesday",
        "market",
        "prices",
        "rose",
        "percent",
        "after",
        "talks",
        "officials",
        "tokyo",
        "seoul",
        "reported",
        "police",
        "court",
        "election",
        "trade",
        "rates",
        "bank",
        "company",
        "shares",
        "fell",
        "growth",
        "exports",
        "energy",
        "workers",
        "union",
        "strike",
        "budget",
        "deficit",
        "central",
    ];
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    for _ in 0..60 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        out.push(WORDS[(x >> 40) as usize % WORDS.len()]);
    }
    out.join(" ")
}

/// One JSON Lines record with an id and a text.
pub fn doc(id: &str, text: &str) -> String {
    json!({"id": id, "text": text}).to_string()
}

/// Lines joined, each ending with a newline.
pub fn lines_of(v: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in v {
        out.extend_from_slice(l.as_bytes());
        out.push(b'\n');
    }
    out
}

/// Writes `lines` to `dir/name` and returns the path.
pub fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines_of(lines)).unwrap();
    p
}

/// Writes `docs` to `dir/name`, one JSON record a line, and returns the path.
pub fn write_docs(dir: &Path, name: &str, docs: &[Value]) -> PathBuf {
    let lines: Vec<String> = docs.iter().map(Value::to_string).collect();
    write_lines(dir, name, &lines)
}

/// Runs `neardup gen` with `args` (`--docs`, `--seed`, ...) writing to `path`, and asserts
/// that it succeeded.
fn gen_into(path: PathBuf, args: &[&str]) -> PathBuf {
    let out = run(&[&["gen"], args, &["-o", s(&path)]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    path
}

/// A corpus of `n` generated documents (about 2.9 KB each, seed 5).
pub fn generated(dir: &Path, n: u64) -> PathBuf {
    generated_seeded(dir, n, 5)
}

/// `n` documents generated with `seed`, in `dir/gen-{n}-{seed}.jsonl`.
pub fn generated_seeded(dir: &Path, n: u64, seed: u64) -> PathBuf {
    gen_into(
        dir.join(format!("gen-{n}-{seed}.jsonl")),
        &["--docs", &n.to_string(), "--seed", &seed.to_string()],
    )
}

/// `n` documents of `lang` generated with `seed`, in `dir/{lang}-{n}-{seed}.jsonl` (its labels
/// beside it, with `.labels.tsv` added to the name).
pub fn generated_lang(dir: &Path, lang: &str, n: u64, seed: u64) -> PathBuf {
    gen_into(
        dir.join(format!("{lang}-{n}-{seed}.jsonl")),
        &[
            "--lang",
            lang,
            "--docs",
            &n.to_string(),
            "--seed",
            &seed.to_string(),
        ],
    )
}

/// The labels file `neardup gen` writes next to `archive` (its name with `.labels.tsv` added).
pub fn labels_of(archive: &Path) -> PathBuf {
    let mut name = archive.as_os_str().to_owned();
    name.push(".labels.tsv");
    PathBuf::from(name)
}

/// `n` documents generated with `seed`, cut in order into the files `parts` names with their
/// numbers of lines; returns their paths.
pub fn generated_parts(dir: &Path, n: u64, seed: u64, parts: &[(&str, usize)]) -> Vec<PathBuf> {
    let all = generated_seeded(dir, n, seed);
    let text = std::fs::read_to_string(&all).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut at = 0;
    parts
        .iter()
        .map(|(name, len)| {
            let p = write_lines(dir, name, &lines[at..at + len]);
            at += len;
            p
        })
        .collect()
}

/// `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// `bytes` zstd-compressed.
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}
