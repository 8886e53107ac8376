//! The report data model and its writers.
//!
//! Owns: the versioned [`Report`] built from an [`Outcome`], the JSON Lines cluster file, the
//! dedupe outputs ([`dedupe`]) and atomic output files ([`Output`]). Must not: compute
//! similarities or clusters.
//!
//! A record is made by [`cluster_record`] and the header by [`header`]; [`Report::new`] makes
//! all of them in memory, [`stream::write_report`] a chunk at a time (what the binary does),
//! and both write the same bytes through the same per-cluster writers.
//!
//! # The cluster file (schema version 2)
//!
//! JSON Lines. The first line is the header, then one line per cluster of two or more
//! documents, in cluster number order. Every line has `schema_version` (2) and `record`
//! (`"header"` or `"cluster"`). Fields may be added in later versions of the same schema;
//! none is removed or changes meaning without a new `schema_version`.
//!
//! Header: `tool` (`"neardup"`), `version` (of neardup), `params` (`threshold`, `num_perm`, `minhash`,
//! `bands`, `rows`, `fn_weight`, `seed`, `shingle`, `min_shingles`, `max_bucket`, `rule`), `inputs` (names
//! as given, `stdin` for `-`, every file of a directory), `counts` (`read`, `documents`,
//! `rejected`, `skipped` (web archive records that are not articles), `skipped_files` (files of
//! other types in directories), `short`, `candidate_pairs`, `verified_pairs`,
//! `oversized_buckets`, `clusters`, `duplicates`, `templates`, `template_items`, `input_bytes`), `accounting` (`read`, `kept`,
//! `removed`, `rejected`, `skipped`, `short`, `clusters`: `read = kept + removed + rejected +
//! skipped`, see [`Accounting`]).
//!
//! Cluster: `cluster` (number from 1, in input order of the first member), `size`,
//! `canonical` (id of the member kept by `dedupe`: the longest text, ties to the smallest id),
//! `reference` (id of the reference copy, the one anchor of the cluster: scores, changes and
//! the title are of it or against it; see [`crate::cluster::reference`]), `reference_basis`
//! (why: `wire_copy`, the wire's own dateline; `earliest`; `canonical`), `title` (the
//! reference copy's headline, or null), `earliest` (`id` and `date` as given of the earliest
//! copy by time of publication, [`crate::date::moment`]), `similarity` (`min` and `median`
//! Jaccard of the other members to the reference), `members`: objects in input order with
//! `id`, `outlet`, `title`, `date`, `url` (null when unknown), `input` and `line` (where the
//! record is: its line, its record number in a web archive, 1 for a document that is a whole
//! file), `canonical` (bool), `reference` (bool), `jaccard` and `containment` against the
//! reference copy (exact, on shingle sets, rounded to 4 decimals; 1 for the reference
//! itself), `wire` and `wire_evidence`, and `changes` against the reference (null for the
//! reference itself; see [`changes::Changes`], with the `editorial` changes named).
//!
//! Schema version 1 measured `jaccard`, `containment` and `similarity` against the canonical
//! member while changes were against the reference; version 2 measures everything against the
//! reference and adds `reference_basis`, `title`, the members' `reference` and the changes'
//! `editorial` and `restyled_sentences`.
//!
//! `template` (a number) is present only on a cluster that
//! is the copies of one item of a template: near-identical texts that are different news
//! (dividend notices of different companies, a daily report; see [`crate::template`]) are
//! split into their items, and `template` is how many items there were. The header's `counts`
//! has `templates` (clusters split so) and `template_items` (the items they became: a cluster
//! each, or a document in no cluster).
//!
//! ```text
//! {"schema_version":2,"record":"header","tool":"neardup",...}
//! {"schema_version":2,"record":"cluster","cluster":1,"size":2,"canonical":"seed-4","wire":{...},...,"reference":"seed-2","reference_basis":"wire_copy","title":"...","members":[...]}
//! ```

pub mod changes;
pub mod csv;
pub mod dedupe;
pub mod dedupe_parquet;
pub mod html;
pub mod pages;
pub mod parquet;
pub mod stream;

use crate::cluster::ReferenceBasis;
use crate::config::Config;
use crate::definition::{Banding, Definition};
use crate::document::{DocMeta, Document};
use crate::outcome::{Accounting, Counts, Outcome, ScoredCluster};
use crate::report::changes::{Changes, Reference};
use crate::verify::round4;
use crate::wire::{attribute, Attribution, Evidence, SERVICES};
use rayon::prelude::*;
use serde::Serialize;
use std::io::{self, Write};

/// The version of the cluster file format described in the module docs.
pub const SCHEMA_VERSION: u32 = 2;

/// The parameters of a run, recorded in every report: the [`Definition`] (its fields at the top
/// level of the JSON object), the rule in words and the line bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// What counts as a duplicate, with the banding the run used.
    #[serde(flatten)]
    pub definition: Definition,
    /// The duplicate rule in words, e.g. `jaccard>=0.8 or containment>=0.8 (...)`.
    pub rule: String,
    /// Longest input line accepted, in bytes.
    pub max_line_bytes: usize,
}

impl Params {
    /// The parameters of `config` run with `banding`.
    pub fn new(config: &Config, banding: Banding) -> Params {
        Params {
            definition: Definition {
                banding: Some(banding),
                ..config.definition.clone()
            },
            rule: config.definition.rule(),
            max_line_bytes: config.max_line_bytes,
        }
    }
}

/// The header line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Header {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Always `"header"`.
    pub record: &'static str,
    /// Always `"neardup"`.
    pub tool: &'static str,
    /// neardup's version.
    pub version: &'static str,
    /// Parameters.
    pub params: Params,
    /// Input names.
    pub inputs: Vec<String>,
    /// Counts.
    pub counts: Counts,
    /// Where every line went: `read = kept + removed + rejected`.
    pub accounting: Accounting,
    /// Documents and clusters per wire service, most documents first.
    pub wires: Vec<WireCount>,
    /// Distinct outlets and documents per outlet in clusters, most first (at most 100).
    pub top_outlets: Vec<OutletCount>,
}

/// One member of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// Document id.
    pub id: String,
    /// Outlet.
    pub outlet: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Date as given.
    pub date: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Input name.
    pub input: String,
    /// Line number in the input.
    pub line: u64,
    /// True for the canonical member (the copy `dedupe` keeps).
    pub canonical: bool,
    /// True for the cluster's reference copy.
    pub reference: bool,
    /// Jaccard against the reference copy.
    pub jaccard: f64,
    /// Containment against the reference copy.
    pub containment: f64,
    /// The wire service this copy names, if any.
    pub wire: Option<&'static str>,
    /// The evidence for `wire`.
    pub wire_evidence: Option<WireEvidence>,
    /// What this copy changed against the cluster's reference copy (`null` for the reference).
    pub changes: Option<Changes>,
}

/// Why a document is attributed to a wire service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireEvidence {
    /// `dateline`, `byline`, `credit` or `outlet`.
    pub kind: Evidence,
    /// The text that matched.
    pub text: String,
}

/// An outlet and how many members of a cluster it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutletCount {
    /// Outlet name as given (`null` for members without one).
    pub outlet: Option<String>,
    /// Number of members.
    pub count: usize,
}

/// The earliest dated copy, by time of publication ([`crate::date::moment`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Earliest {
    /// Its id.
    pub id: String,
    /// Its date as given.
    pub date: String,
}

/// Similarity of the members to the reference copy (the reference itself excluded).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Similarity {
    /// Lowest Jaccard.
    pub min: f64,
    /// Median Jaccard.
    pub median: f64,
}

/// A wire service named in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireName {
    /// Short name (`AP`).
    pub name: &'static str,
    /// Full name (`Associated Press`).
    pub full_name: &'static str,
}

/// Documents per wire service over the whole corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireCount {
    /// Short name.
    pub wire: &'static str,
    /// Documents attributed to it.
    pub documents: u64,
    /// Clusters attributed to it.
    pub clusters: u64,
}

/// A document in no cluster that names a wire service (listed in the HTML report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Single {
    /// Id.
    pub id: String,
    /// Outlet.
    pub outlet: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Wire service.
    pub wire: &'static str,
}

/// One cluster line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterRecord {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Always `"cluster"`.
    pub record: &'static str,
    /// Cluster number.
    pub cluster: u32,
    /// Number of members.
    pub size: usize,
    /// Id of the canonical member.
    pub canonical: String,
    /// The wire service most members name (ties to the first in the services table), or null.
    pub wire: Option<WireName>,
    /// Outlets with the number of members each ran, most first, then by name.
    pub outlets: Vec<OutletCount>,
    /// The earliest copy, when any member's date could be read.
    pub earliest: Option<Earliest>,
    /// Similarity of the members to the reference copy.
    pub similarity: Similarity,
    /// Id of the reference copy, the one anchor of the cluster: the copy closest to the wire
    /// original ([`crate::cluster::reference`]: the wire's own dateline, else the earliest,
    /// else the canonical member). Scores and changes are against it; its title is the
    /// cluster's.
    pub reference: String,
    /// Why it is the reference.
    pub reference_basis: ReferenceBasis,
    /// The reference copy's headline: the cluster's title.
    pub title: Option<String>,
    /// Members in input order.
    pub members: Vec<Member>,
    /// Only when the cluster is the copies of one item of a template (see
    /// [`crate::template`]: near-identical texts that are different news, such as the
    /// dividend notices of different companies or a daily report): the number of items its
    /// near-identical texts were split into. Absent for every other cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<u32>,
    /// The reference copy's text (for the HTML report; not in the cluster file).
    #[serde(skip)]
    pub reference_text: String,
}

/// A whole report: header and clusters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The header.
    pub header: Header,
    /// Clusters in number order.
    pub clusters: Vec<ClusterRecord>,
    /// Jaccard of the verified pairs that clusters were built from, each with the number of
    /// pairs that have it (for the histogram; see [`crate::copies::Pairs::jaccards`]).
    #[serde(skip)]
    pub pair_jaccards: Vec<(f64, u64)>,
    /// Up to [`MAX_SINGLES`] documents in no cluster that name a wire service.
    #[serde(skip)]
    pub singles: Vec<Single>,
    /// How many such documents there are in all.
    #[serde(skip)]
    pub singles_total: usize,
}

/// At most this many unclustered wire documents are kept for the HTML report.
pub const MAX_SINGLES: usize = 500;

/// The texts of cluster members, looked up by document index.
#[derive(Debug, Default)]
pub struct Texts {
    docs: Vec<u32>,
    loaded: Vec<Document>,
}

impl Texts {
    /// Documents `loaded[i]` (read again from the input) of document numbers `docs[i]`
    /// (`docs` ascending).
    pub fn new(docs: Vec<u32>, loaded: Vec<Document>) -> Texts {
        assert_eq!(docs.len(), loaded.len());
        Texts { docs, loaded }
    }

    /// The whole document `d`, when loaded.
    pub fn doc(&self, d: u32) -> Option<&Document> {
        self.docs.binary_search(&d).ok().map(|i| &self.loaded[i])
    }

    /// The text of document `d`, or "" when not loaded.
    pub fn get(&self, d: u32) -> &str {
        self.doc(d).map_or("", |doc| doc.text.as_str())
    }
}

/// The documents [`Report::new`] reads again, ascending: every cluster member, and the first
/// [`MAX_SINGLES`] documents in no cluster that name a wire service (the report lists their
/// titles).
pub fn members_needing_text(outcome: &Outcome) -> Vec<u32> {
    let mut v: Vec<u32> = outcome
        .clusters
        .iter()
        .flat_map(|c| c.cluster.members.iter().copied())
        .chain(wire_singles(outcome).0)
        .collect();
    v.sort_unstable();
    v
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 1.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn count_outlets<'a>(
    outlets: impl Iterator<Item = &'a Option<std::sync::Arc<str>>>,
) -> Vec<OutletCount> {
    let mut counts: std::collections::BTreeMap<Option<&str>, usize> = Default::default();
    for o in outlets {
        *counts.entry(o.as_deref()).or_default() += 1;
    }
    let mut v: Vec<OutletCount> = counts
        .into_iter()
        .map(|(o, count)| OutletCount {
            outlet: o.map(str::to_string),
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.outlet.cmp(&b.outlet)));
    v
}

/// The wire service most members of a cluster name (an index into [`SERVICES`]; ties to the
/// first in the table), from the first pass's attribution alone, so that it is known before any
/// text is read again: [`crate::cluster::cluster_wire`], as the reference copy is chosen.
fn cluster_wire(members: &[u32], meta: &[DocMeta]) -> Option<usize> {
    crate::cluster::cluster_wire(members, |m| {
        crate::cluster::Provenance::of(&meta[m as usize])
    })
    .map(usize::from)
}

/// The record of one cluster: attribution, reference copy, changes of every member against
/// it. `meta` is the run's metadata, `input_names[i]` names input `i`, and `texts` must hold
/// every member of `sc` (a member it lacks reads as an empty text with no title, date or URL).
/// The same function makes the records of [`Report::new`] and of the streaming writer
/// ([`stream`]), so that both write the same bytes.
pub fn cluster_record(
    sc: &ScoredCluster,
    meta: &[DocMeta],
    input_names: &[String],
    texts: &Texts,
) -> ClusterRecord {
    let c = &sc.cluster;
    let wire_idx = cluster_wire(&c.members, meta);
    let attributions: Vec<Option<Attribution>> = c
        .members
        .iter()
        .map(|&m| {
            let d = &meta[m as usize];
            let (text, outlet) = (texts.get(m), d.outlet.as_deref());
            match (d.wire, d.located) {
                (None, _) => None,
                // Where the first pass found the evidence: no search again.
                (Some(_), Some(l)) => Some(l.attribution(text, outlet)),
                (Some(_), None) => attribute(text, outlet),
            }
        })
        .collect();
    // The reference as the run chose it, with the scores (`cluster::reference`).
    let reference = sc.reference;
    let earliest = c
        .members
        .iter()
        .filter_map(|&m| meta[m as usize].time.map(|t| (t, m)))
        .min()
        .map(|(_, m)| Earliest {
            id: meta[m as usize].id.clone(),
            date: texts
                .doc(m)
                .and_then(|d| d.date.clone())
                .unwrap_or_default(),
        });
    // The reference is cut into sentences once for all the copies compared with it.
    let prepared = Reference::new(texts.get(reference));
    let members: Vec<Member> = sc
        .scores
        .iter()
        .zip(attributions)
        .map(|(s, a)| {
            let m = &meta[s.doc as usize];
            let doc = texts.doc(s.doc);
            Member {
                id: m.id.clone(),
                outlet: m.outlet.as_deref().map(str::to_string),
                title: doc.and_then(|d| d.title.clone()),
                date: doc.and_then(|d| d.date.clone()),
                url: doc.and_then(|d| d.url.clone()),
                input: input_names[m.location.input as usize].clone(),
                line: m.location.line,
                canonical: s.doc == c.canonical,
                reference: s.doc == reference,
                jaccard: round4(s.jaccard),
                containment: round4(s.containment),
                wire: a.as_ref().map(|a| a.service().name),
                wire_evidence: a.map(|a| WireEvidence {
                    kind: a.evidence,
                    text: a.matched,
                }),
                changes: (s.doc != reference).then(|| prepared.changes(texts.get(s.doc))),
            }
        })
        .collect();
    let mut sims: Vec<f64> = sc
        .scores
        .iter()
        .filter(|s| s.doc != reference)
        .map(|s| round4(s.jaccard))
        .collect();
    sims.sort_by(f64::total_cmp);
    ClusterRecord {
        schema_version: SCHEMA_VERSION,
        record: "cluster",
        cluster: c.number,
        size: c.members.len(),
        canonical: meta[c.canonical as usize].id.clone(),
        wire: wire_idx.map(|i| WireName {
            name: SERVICES[i].name,
            full_name: SERVICES[i].full_name,
        }),
        outlets: count_outlets(c.members.iter().map(|&m| &meta[m as usize].outlet)),
        earliest,
        similarity: Similarity {
            min: sims.first().copied().unwrap_or(1.0),
            median: round4(median(&sims)),
        },
        reference: meta[reference as usize].id.clone(),
        reference_basis: sc.basis,
        title: texts.doc(reference).and_then(|d| d.title.clone()),
        members,
        template: sc.template,
        reference_text: texts.get(reference).to_string(),
    }
}

/// The header of the report of `outcome`: parameters, counts, accounting, wire services (with
/// the clusters each is the wire of), the outlets in clusters. It needs no text, so the
/// streaming writer writes it before any cluster.
pub fn header(outcome: &Outcome, config: &Config, input_names: &[String]) -> Header {
    let meta = &outcome.meta;
    let mut wire_clusters = vec![0u64; SERVICES.len()];
    for c in &outcome.clusters {
        if let Some(i) = cluster_wire(&c.cluster.members, meta) {
            wire_clusters[i] += 1;
        }
    }
    let mut wire_docs = vec![0u64; SERVICES.len()];
    for m in meta {
        if let Some(w) = m.wire {
            wire_docs[w as usize] += 1;
        }
    }
    let mut wires: Vec<WireCount> = SERVICES
        .iter()
        .enumerate()
        .filter(|(i, _)| wire_docs[*i] > 0)
        .map(|(i, s)| WireCount {
            wire: s.name,
            documents: wire_docs[i],
            clusters: wire_clusters[i],
        })
        .collect();
    wires.sort_by_key(|w| std::cmp::Reverse(w.documents));
    let mut top_outlets = count_outlets(
        outcome
            .clusters
            .iter()
            .flat_map(|c| c.cluster.members.iter())
            .map(|&m| &meta[m as usize].outlet),
    );
    top_outlets.truncate(100);
    Header {
        schema_version: SCHEMA_VERSION,
        record: "header",
        tool: "neardup",
        version: env!("CARGO_PKG_VERSION"),
        params: Params::new(config, outcome.banding),
        inputs: input_names.to_vec(),
        counts: outcome.counts,
        accounting: Accounting::of(&outcome.counts),
        wires,
        top_outlets,
    }
}

/// The documents in no cluster that name a wire service: the first [`MAX_SINGLES`] of them
/// (ascending) and how many there are in all.
pub fn wire_singles(outcome: &Outcome) -> (Vec<u32>, usize) {
    let mut in_cluster = vec![false; outcome.meta.len()];
    for c in &outcome.clusters {
        for &m in &c.cluster.members {
            in_cluster[m as usize] = true;
        }
    }
    let mut first = Vec::new();
    let mut total = 0;
    for (d, m) in outcome.meta.iter().enumerate() {
        if !in_cluster[d] && m.wire.is_some() {
            total += 1;
            if first.len() < MAX_SINGLES {
                first.push(d as u32);
            }
        }
    }
    (first, total)
}

/// The [`Single`] entry of document `d` (one of [`wire_singles`]) with its headline `title`.
pub fn single(meta: &[DocMeta], d: u32, title: Option<String>) -> Single {
    let m = &meta[d as usize];
    Single {
        id: m.id.clone(),
        outlet: m.outlet.as_deref().map(str::to_string),
        title,
        wire: SERVICES[m.wire.expect("a wire single names a wire") as usize].name,
    }
}

impl Report {
    /// Builds the whole report of a run in memory. `input_names[i]` names input `i`; `texts`
    /// holds the texts of [`members_needing_text`]. The binary streams the report instead
    /// ([`stream::write_report`], the same bytes in bounded memory); this form is for
    /// library users who want the records themselves.
    pub fn new(
        outcome: &Outcome,
        config: &Config,
        input_names: &[String],
        texts: &Texts,
    ) -> Report {
        let meta = &outcome.meta;
        // Clusters are independent: their records (attribution, changes) are made in parallel
        // on the current rayon pool, in cluster order.
        let clusters: Vec<ClusterRecord> = outcome
            .clusters
            .par_iter()
            .map(|sc| cluster_record(sc, meta, input_names, texts))
            .collect();
        let (singles, singles_total) = wire_singles(outcome);
        let singles = singles
            .into_iter()
            .map(|d| single(meta, d, texts.doc(d).and_then(|doc| doc.title.clone())))
            .collect();
        Report {
            header: header(outcome, config, input_names),
            clusters,
            pair_jaccards: outcome.pairs.jaccards(),
            singles,
            singles_total,
        }
    }

    /// Writes the cluster file: the header line, then one line per cluster.
    pub fn write_jsonl(&self, w: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer(&mut *w, &self.header)?;
        w.write_all(b"\n")?;
        for c in &self.clusters {
            serde_json::to_writer(&mut *w, c)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// An output of a run, written atomically when it is a file: the one writer of the crate, in
/// [`crate::fsutil`].
pub use crate::fsutil::Output;
