//! # neardup
//!
//! Finds near-duplicate articles in news corpora and groups wire stories republished across
//! outlets.
//!
//! **The front door** is [`Finder`]: a [`Definition`] of what counts as a duplicate (the
//! defaults are the command line's), then [`Finder::cluster`] or [`Finder::dedupe`] over
//! [`Article`]s held in memory. Results name articles by their [`finder::Position`] in the
//! collection and clusters by [`finder::ClusterId`]; see the example on [`Finder`].
//!
//! Under it, the pipeline, one public module per stage, plain data in and out:
//!
//! 0. [`input`]: JSON Lines, web archives (WARC, WARC.gz, WET; article text from HTML by
//!    [`input::html::extract`], the outlet from the host) and directories of `.txt`, `.html`
//!    and `.json` files, cut into units that [`input::parse`] turns into records;
//! 1. [`normalize`]: NFKC, lower case, quotes and dashes folded, whitespace collapsed;
//! 2. [`shingle`]: word 5-shingles (or character 3-grams for unspaced scripts) hashed with
//!    seeded xxh3;
//! 3. [`minhash`]: 128-slot MinHash signatures, made in parallel in the first pass, which
//!    keeps a small [`document::DocMeta`] per document and spools its shingle set to disk;
//! 4. [`lsh`]: band keys with bands and rows from [`definition::Banding::optimal`], and
//!    [`contain`]: a sampled-shingle index for copies cut short; documents with identical
//!    shingle sets take part as classes ([`copies`]), so that a story copied a thousand times
//!    costs linear work;
//! 5. [`verify`]: exact Jaccard and containment of each candidate pair on the spooled sets,
//!    without the outlet's learned [`boilerplate`];
//! 6. [`cluster`]: union-find over verified pairs with a chaining guard, stable numbers, the
//!    canonical member and the reference copy; [`template`] items kept apart;
//! 7. [`report`]: the versioned report (wire services, outlets, per-copy changes) and its
//!    views (JSON Lines, CSV, HTML, locations), streamed in bounded memory, and the dedupe
//!    outputs, for which members are read again from the inputs by their locations;
//! 8. [`eval`]: precision, recall and ARI against labels or the exact truth;
//! 9. [`index`]: a persistent, checksummed, memory-mapped index of an archive, added to
//!    crash-safely and queried with new articles (exact scores); [`shard`]: signed shards for
//!    Apache Spark.
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
pub mod finder;
pub mod fsutil;
pub mod generate;
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
pub use finder::{Article, Clustering, Deduped, Finder};
pub use outcome::Outcome;
pub use pipeline::{run, BadLine};
