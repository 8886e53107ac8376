//! What a run found: the clusters with their members' scores, the verified pairs, the counts,
//! the accounting of every input unit and the stage timings.
//!
//! Owns: the outcome model that the local pipeline and a Spark run read back (`shard`) both
//! make, and that the reports, `dedupe` and the binary read; and the scoring of a cluster's
//! members against its reference copy, once for both. Must not: read inputs, run stages or
//! write outputs.

use crate::cluster::Cluster;
use crate::copies::Pairs;
use crate::definition::Banding;
use crate::document::DocMeta;
use std::time::Duration;

/// What the containment candidate stage did and learned ([`Outcome::learned`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Learned {
    /// Directed pairs the probes emitted: the work of the stage.
    pub emitted: u64,
    /// Sampled shingles learned as some outlet's boilerplate.
    pub boilerplate: u64,
    /// Verified pairs that the learned-boilerplate guard did not let stand.
    pub rejected: u64,
    /// Bytes of real sets made once for a dense candidate graph (0 when not made).
    pub prepared_bytes: u64,
}

/// Wall time of each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Reading, parsing, normalizing, shingling and signing.
    pub read_sign: Duration,
    /// Banding and candidate pairs.
    pub lsh: Duration,
    /// Exact verification of candidate pairs.
    pub verify: Duration,
    /// Union-find, canonical members and their scores.
    pub cluster: Duration,
}

/// Counts of one run; every input line (or web archive record, or file) is a document, rejected
/// or skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Non-blank input lines (and web archive records, and whole files) read.
    pub read: u64,
    /// Lines that became documents (`read - rejected - skipped`).
    pub documents: u64,
    /// Lines that could not be read as documents.
    pub rejected: u64,
    /// Web archive records that are not articles: requests, metadata, redirects, images...
    pub skipped: u64,
    /// Files in the named directories not read, their names giving no format neardup reads.
    pub skipped_files: u64,
    /// Documents too short to compare (fewer than `min_shingles` shingles).
    pub short: u64,
    /// Candidate pairs from LSH.
    pub candidate_pairs: u64,
    /// Candidate pairs that passed exact verification.
    pub verified_pairs: u64,
    /// Verified pairs ignored by `--cross-outlet-only` or `--window`.
    pub ignored_pairs: u64,
    /// Documents left out of every cluster by the chaining guard: connected to a cluster
    /// through verified pairs, they match no cluster center (or, in containment mode, were
    /// linked only to a contained copy that attached to another container).
    pub guard_splits: u64,
    /// LSH buckets too large for all pairs, linked as a star.
    pub oversized_buckets: u64,
    /// Sampled shingles in more than `max_df` documents, not used to find pairs.
    pub boilerplate_samples: u64,
    /// Clusters of two or more documents.
    pub clusters: u64,
    /// Documents in clusters that are not the canonical member.
    pub duplicates: u64,
    /// Clusters of near-identical texts found to be different items of one template
    /// ([`crate::template`]) and split into their items (with `Templates::Apart`).
    pub templates: u64,
    /// The items those clusters were split into: each a cluster of its copies or one
    /// document in no cluster.
    pub template_items: u64,
    /// Bytes of input lines read.
    pub input_bytes: u64,
}

/// Where every input unit (non-blank line, web-archive record, whole file) went, in every
/// output: `read = kept + removed + rejected + skipped`.
///
/// `kept` are the documents `dedupe` keeps (canonical members, documents in no cluster, short
/// documents), `removed` the other members of clusters (each names its kept canonical member),
/// `rejected` the units that could not be read as documents (each reported as `file:line:
/// message` or `file: record N: message`), `skipped` the web-archive records that are not
/// articles (warcinfo, requests, redirects, images...). Blank lines are not counted at all;
/// files of other types skipped in directories are counted in `Counts::skipped_files`, not here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Accounting {
    /// Non-blank input lines read.
    pub read: u64,
    /// Documents kept.
    pub kept: u64,
    /// Documents removed as copies of a kept one.
    pub removed: u64,
    /// Units rejected.
    pub rejected: u64,
    /// Web-archive records skipped as not articles.
    pub skipped: u64,
    /// Short documents (among the kept ones).
    pub short: u64,
    /// Clusters of two or more documents.
    pub clusters: u64,
}

impl Accounting {
    /// The accounting of a run's counts before its documents are written out: `kept` and
    /// `removed` are counted as they are written.
    pub fn before_writing(c: &Counts) -> Accounting {
        Accounting {
            read: c.read,
            rejected: c.rejected,
            skipped: c.skipped,
            short: c.short,
            clusters: c.clusters,
            ..Accounting::default()
        }
    }

    /// The accounting of a run's counts.
    pub fn of(c: &Counts) -> Accounting {
        Accounting {
            read: c.read,
            kept: c.documents - c.duplicates,
            removed: c.duplicates,
            rejected: c.rejected,
            skipped: c.skipped,
            short: c.short,
            clusters: c.clusters,
        }
    }

    /// True when `read = kept + removed + rejected + skipped`.
    pub fn balances(&self) -> bool {
        self.read == self.kept + self.removed + self.rejected + self.skipped
    }
}

/// A member of a cluster with its exact scores against the cluster's reference copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberScore {
    /// Document index.
    pub doc: u32,
    /// Jaccard against the reference copy (1 for the reference itself).
    pub jaccard: f64,
    /// Containment against the reference copy (1 for the reference itself).
    pub containment: f64,
}

/// A cluster with its members' scores.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredCluster {
    /// Number, members and canonical member (the copy `dedupe` keeps).
    pub cluster: Cluster,
    /// The reference copy ([`crate::cluster::reference`]): what the scores, the changes, the
    /// full text and the title of the report are of, or against.
    pub reference: u32,
    /// Why it is the reference.
    pub basis: crate::cluster::ReferenceBasis,
    /// One entry per member, in member order.
    pub scores: Vec<MemberScore>,
    /// When the cluster is the copies of one item of a template (see [`crate::template`]):
    /// the number of items the template's cluster was split into.
    pub template: Option<u32>,
}

impl ScoredCluster {
    /// `cluster` with its members scored against its reference copy
    /// ([`crate::cluster::reference`], the choice every run makes): `score(reference, member)`
    /// gives a member's Jaccard and containment, and the reference itself scores 1 and 1.
    /// `keys` are the canonical keys of [`crate::cluster::canonical_keys`].
    pub fn against_reference<K: Ord>(
        cluster: Cluster,
        meta: &[DocMeta],
        keys: &[K],
        template: Option<u32>,
        mut score: impl FnMut(u32, u32) -> (f64, f64),
    ) -> ScoredCluster {
        let (reference, basis) = crate::cluster::reference(&cluster.members, keys, |m| {
            crate::cluster::Provenance::of(&meta[m as usize])
        });
        let scores = cluster
            .members
            .iter()
            .map(|&d| {
                let (jaccard, containment) = if d == reference {
                    (1.0, 1.0)
                } else {
                    score(reference, d)
                };
                MemberScore {
                    doc: d,
                    jaccard,
                    containment,
                }
            })
            .collect();
        ScoredCluster {
            cluster,
            reference,
            basis,
            scores,
            template,
        }
    }
}

/// Everything a run found.
#[derive(Debug)]
pub struct Outcome {
    /// Per-document metadata, in input order.
    pub meta: Vec<DocMeta>,
    /// Clusters in number order.
    pub clusters: Vec<ScoredCluster>,
    /// Verified pairs allowed by the outlet and date options: pairs of documents, kept as
    /// pairs of classes of identical documents ([`crate::copies`]).
    pub pairs: Pairs,
    /// Counts.
    pub counts: Counts,
    /// Stage timings (not part of any output file: they vary).
    pub timings: Timings,
    /// The banding used.
    pub banding: Banding,
    /// Bytes held in band keys (a lower bound of the process's memory).
    pub held_bytes: usize,
    /// Bytes of band keys spilled to temporary files (past `Config::band_key_memory`).
    pub key_spill_bytes: u64,
    /// Bytes of shingle sets spooled to a temporary file for verification.
    pub spool_bytes: u64,
    /// Bytes of sampled shingles spilled to temporary files (containment mode, large inputs).
    pub sample_spill_bytes: u64,
    /// Containment mode: pairs the candidate probes emitted, sampled shingles learned as some
    /// outlet's boilerplate, and verified pairs the learned-boilerplate guard did not let stand.
    pub learned: Learned,
}
