//! The report data model and its writers.
//!
//! Owns: the versioned [`Report`] built from an [`Outcome`], the JSON Lines cluster file, the
//! dedupe outputs ([`dedupe`]) and atomic output files ([`Output`]). Must not: compute
//! similarities or clusters.
//!
//! # The cluster file (schema version 1)
//!
//! JSON Lines. The first line is the header, then one line per cluster of two or more
//! documents, in cluster number order. Every line has `schema_version` (1) and `record`
//! (`"header"` or `"cluster"`). Fields may be added in later versions of the same schema;
//! none is removed or changes meaning without a new `schema_version`.
//!
//! Header: `tool` (`"neardup"`), `version` (of neardup), `params` (`threshold`, `num_perm`,
//! `bands`, `rows`, `fn_weight`, `seed`, `shingle`, `min_shingles`, `max_bucket`, `rule`), `inputs` (names
//! as given, `stdin` for `-`), `counts` (`read`, `documents`, `rejected`, `short`,
//! `candidate_pairs`, `verified_pairs`, `oversized_buckets`, `clusters`, `duplicates`,
//! `input_bytes`).
//!
//! Cluster: `cluster` (number from 1, in input order of the first member), `size`,
//! `canonical` (id of the member kept by `dedupe`: the longest text, ties to the earliest),
//! `members`: objects in input order with `id`, `outlet`, `title`, `date`, `url` (null when
//! unknown), `input` and `line` (where the record is), `canonical` (bool), and `jaccard` and
//! `containment` against the canonical member (exact, on shingle sets, rounded to 4 decimals;
//! 1 for the canonical member itself).
//!
//! ```text
//! {"schema_version":1,"record":"header","tool":"neardup",...}
//! {"schema_version":1,"record":"cluster","cluster":1,"size":2,"canonical":"seed-4","members":[...]}
//! ```

pub mod changes;
pub mod dedupe;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::lsh::Banding;
use crate::pipeline::{Counts, Outcome};
use serde::Serialize;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The version of the cluster file format described in the module docs.
pub const SCHEMA_VERSION: u32 = 1;

/// The parameters of a run, recorded in every report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// Jaccard threshold.
    pub threshold: f64,
    /// MinHash permutations.
    pub num_perm: usize,
    /// LSH bands.
    pub bands: usize,
    /// LSH rows per band.
    pub rows: usize,
    /// Weight of false negatives used to choose bands and rows.
    pub fn_weight: f64,
    /// Seed.
    pub seed: u64,
    /// Shingling, e.g. `auto(words:5,chars:3)`.
    pub shingle: String,
    /// Minimum shingles for a document to be compared.
    pub min_shingles: usize,
    /// Largest LSH bucket expanded to all pairs.
    pub max_bucket: usize,
    /// The duplicate rule, e.g. `jaccard>=0.8`.
    pub rule: String,
}

impl Params {
    /// The parameters of `config` run with `banding`.
    pub fn new(config: &Config, banding: Banding) -> Params {
        Params {
            threshold: config.threshold,
            num_perm: config.num_perm,
            bands: banding.bands,
            rows: banding.rows,
            fn_weight: config.fn_weight,
            seed: config.seed,
            shingle: config.shingle.to_string(),
            min_shingles: config.min_shingles,
            max_bucket: config.max_bucket,
            rule: format!("jaccard>={}", config.threshold),
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
    /// True for the canonical member.
    pub canonical: bool,
    /// Jaccard against the canonical member.
    pub jaccard: f64,
    /// Containment against the canonical member.
    pub containment: f64,
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
    /// Members in input order.
    pub members: Vec<Member>,
}

/// A whole report: header and clusters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The header.
    pub header: Header,
    /// Clusters in number order.
    pub clusters: Vec<ClusterRecord>,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Report {
    /// Builds the report of a run. `input_names[i]` names input `i`.
    pub fn new(outcome: &Outcome, config: &Config, input_names: &[String]) -> Report {
        let clusters = outcome
            .clusters
            .iter()
            .map(|sc| {
                let c = &sc.cluster;
                let members = sc
                    .scores
                    .iter()
                    .map(|s| {
                        let m = &outcome.meta[s.doc as usize];
                        Member {
                            id: m.id.clone(),
                            outlet: m.outlet.clone(),
                            title: m.title.clone(),
                            date: m.date.clone(),
                            url: m.url.clone(),
                            input: input_names[m.location.input as usize].clone(),
                            line: m.location.line,
                            canonical: s.doc == c.canonical,
                            jaccard: round4(s.jaccard),
                            containment: round4(s.containment),
                        }
                    })
                    .collect();
                ClusterRecord {
                    schema_version: SCHEMA_VERSION,
                    record: "cluster",
                    cluster: c.number,
                    size: c.members.len(),
                    canonical: outcome.meta[c.canonical as usize].id.clone(),
                    members,
                }
            })
            .collect();
        Report {
            header: Header {
                schema_version: SCHEMA_VERSION,
                record: "header",
                tool: "neardup",
                version: env!("CARGO_PKG_VERSION"),
                params: Params::new(config, outcome.banding),
                inputs: input_names.to_vec(),
                counts: outcome.counts,
            },
            clusters,
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

/// An output file written atomically (a temporary file in the same directory, renamed over the
/// target by [`Output::commit`]), or standard output for `-`. Dropping an output that was not
/// committed leaves the target untouched.
pub struct Output {
    name: PathBuf,
    inner: OutputInner,
}

enum OutputInner {
    Stdout(BufWriter<io::Stdout>),
    File(BufWriter<tempfile::NamedTempFile>, PathBuf),
}

impl Output {
    /// Opens `path` (`-` or `None` for standard output).
    pub fn create(path: Option<&Path>) -> Result<Output> {
        match path {
            None => Ok(Output {
                name: "-".into(),
                inner: OutputInner::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())),
            }),
            Some(p) if p.as_os_str() == "-" => Output::create(None),
            Some(p) => {
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let mut builder = tempfile::Builder::new();
                builder.prefix(".neardup-").suffix(".tmp");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    builder.permissions(std::fs::Permissions::from_mode(0o644));
                }
                let tmp = builder.tempfile_in(dir).map_err(|e| Error::output(p, e))?;
                Ok(Output {
                    name: p.to_path_buf(),
                    inner: OutputInner::File(
                        BufWriter::with_capacity(1 << 16, tmp),
                        p.to_path_buf(),
                    ),
                })
            }
        }
    }

    /// The name for messages.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// Runs `f` on the writer, naming this output in any error.
    pub fn write_with(&mut self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        let r = match &mut self.inner {
            OutputInner::Stdout(w) => f(w),
            OutputInner::File(w, _) => f(w),
        };
        r.map_err(|e| Error::output(&self.name, e))
    }

    /// The writer itself.
    pub fn writer(&mut self) -> &mut dyn Write {
        match &mut self.inner {
            OutputInner::Stdout(w) => w,
            OutputInner::File(w, _) => w,
        }
    }

    /// Flushes and, for a file, renames the temporary file over the target.
    pub fn commit(self) -> Result<()> {
        let name = self.name;
        match self.inner {
            OutputInner::Stdout(mut w) => w.flush().map_err(|e| Error::output(&name, e)),
            OutputInner::File(w, target) => {
                let tmp = w
                    .into_inner()
                    .map_err(|e| Error::output(&name, e.into_error()))?;
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| Error::output(&name, e))?;
                tmp.persist(&target)
                    .map_err(|e| Error::output(&name, e.error))?;
                Ok(())
            }
        }
    }
}
