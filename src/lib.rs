//! # neardup
//!
//! Finds near-duplicate articles in news corpora and groups wire stories republished across
//! outlets.
//!
//! The pipeline, one public function per stage, plain data in and out:
//!
//! 0. [`input::InputSet`]: JSON Lines, web archives (WARC, WARC.gz, WET; article text from HTML
//!    by [`input::html::extract`], the outlet from the host) and directories of `.txt`,
//!    `.html` and `.json` files, cut into units that [`input::parse`] turns into records;
//! 1. [`normalize::normalize`]: NFKC, lower case, quotes and dashes folded, whitespace collapsed;
//! 2. [`shingle::shingles`]: word 5-shingles (or character 3-grams for unspaced scripts) hashed
//!    with seeded xxh3;
//! 3. [`minhash::MinHasher::sign`]: 128-slot MinHash signatures; [`pipeline::read_and_sign`]
//!    signs in parallel into one flat [`minhash::Signatures`] matrix and drops the text;
//! 4. [`lsh::candidate_pairs`]: LSH banding with bands and rows from [`definition::Banding::optimal`],
//!    and [`contain::candidate_pairs`]: a sampled-shingle index for copies cut short;
//!    documents with identical shingle sets take part as classes ([`copies`]), so that a
//!    story copied a thousand times costs linear work, with the counts and clusters of its
//!    pairs one by one;
//! 5. [`verify::verify_pairs`]: exact Jaccard and containment of each candidate pair, on shingle
//!    sets re-read from the input ([`pipeline::load_shingles`]);
//! 6. [`cluster::guarded_clusters`]: union-find over verified pairs with a chaining guard,
//!    stable numbers, canonical member;
//! 7. [`report`]: the versioned report (wire services, outlets, per-copy changes) and its
//!    writers (JSON Lines, CSV, HTML, locations), streamed in bounded memory by
//!    [`report::stream::write_report`], and the dedupe outputs;
//! 8. [`eval`]: precision, recall and ARI against labels or the exact truth;
//! 9. [`index`]: a persistent, checksummed, memory-mapped index of an archive, added to
//!    crash-safely and queried with new articles (exact scores).
//!
//! [`pipeline::run`] chains them on a rayon pool you pass in.
//!
//! ```
//! use neardup::definition::ShingleMode;
//! use neardup::{minhash::MinHasher, normalize::normalize, shingle::shingles, verify};
//!
//! let a = "HONG KONG (AP) \u{2014} Japanese pop idol Kenshin Kamimura said on Friday he was \u{201C}deeply sorry\u{201D} for the remarks he made.";
//! let b = "HONG KONG (AP) -- Japanese pop idol Kenshin Kamimura said on Friday he was 'deeply sorry' for the remarks he made.";
//! let (sa, sb) = (shingles(&normalize(a), ShingleMode::default(), 1),
//!                 shingles(&normalize(b), ShingleMode::default(), 1));
//! let (jaccard, _containment) = verify::jaccard_and_containment(&sa.hashes, &sb.hashes);
//! assert_eq!(jaccard, 1.0); // only quote marks and dashes differ
//! let hasher = MinHasher::new(128, 1);
//! assert_eq!(hasher.sign(&sa.hashes), hasher.sign(&sb.hashes));
//! ```

// No unsafe code, except the one memory map of the index (`index::segment`), allowed there
// with a SAFETY comment that argues it is sound.
#![deny(unsafe_code)]

pub mod bench;
pub mod boilerplate;
mod chars;
pub mod cleanup;
pub mod cluster;
pub mod config;
pub mod contain;
pub mod copies;
pub mod date;
pub mod definition;
pub mod document;
pub mod error;
pub mod eval;
pub mod fsutil;
pub mod gen;
pub mod index;
pub mod input;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod outcome;
pub mod pipeline;
pub mod report;
pub mod shard;
pub mod shingle;
pub mod sort;
pub mod template;
pub mod text_safety;
pub mod verify;
pub mod wire;

pub use config::Config;
pub use definition::{Definition, Mode, ShingleMode};
pub use error::{Error, Result};
pub use outcome::Outcome;
pub use pipeline::{run, BadLine};
