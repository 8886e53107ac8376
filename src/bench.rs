//! `neardup bench`: what a run cost, stage by stage.
//!
//! Owns: the bench report (stage times, throughput, peak memory, pair counts) and reading the
//! process's peak resident memory. Must not: time anything itself (the pipeline records stage
//! times; the caller measures the wall time).

use crate::outcome::Outcome;
use serde::Serialize;
use std::io::{self, Write};

/// Peak resident memory of this process in bytes (`VmHWM` from `/proc/self/status`), when the
/// platform reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// One stage's cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Stage name.
    pub stage: &'static str,
    /// Seconds.
    pub seconds: f64,
}

/// The bench report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// Documents read (non-blank lines).
    pub documents: u64,
    /// Bytes of input lines.
    pub input_bytes: u64,
    /// Per-stage seconds.
    pub stages: Vec<Stage>,
    /// Wall seconds of the whole run, as measured by the caller.
    pub wall_seconds: f64,
    /// Documents per wall second.
    pub docs_per_second: f64,
    /// Input megabytes (10^6 bytes) per wall second.
    pub mb_per_second: f64,
    /// Peak resident memory, bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Candidate pairs.
    pub candidate_pairs: u64,
    /// Verified pairs.
    pub verified_pairs: u64,
    /// Clusters.
    pub clusters: u64,
    /// Duplicates.
    pub duplicates: u64,
}

impl BenchReport {
    /// The report of a finished run.
    pub fn new(o: &Outcome, wall_seconds: f64, peak_rss_bytes: Option<u64>) -> BenchReport {
        let t = &o.timings;
        let c = &o.counts;
        let w = wall_seconds.max(1e-9);
        BenchReport {
            documents: c.read,
            input_bytes: c.input_bytes,
            stages: vec![
                Stage {
                    stage: "read+parse+shingle+sign",
                    seconds: t.read_sign.as_secs_f64(),
                },
                Stage {
                    stage: "lsh+containment candidates",
                    seconds: t.lsh.as_secs_f64(),
                },
                Stage {
                    stage: "re-read+verify",
                    seconds: t.verify.as_secs_f64(),
                },
                Stage {
                    stage: "cluster",
                    seconds: t.cluster.as_secs_f64(),
                },
            ],
            wall_seconds,
            docs_per_second: c.read as f64 / w,
            mb_per_second: c.input_bytes as f64 / 1e6 / w,
            peak_rss_bytes,
            candidate_pairs: c.candidate_pairs,
            verified_pairs: c.verified_pairs,
            clusters: c.clusters,
            duplicates: c.duplicates,
        }
    }

    /// A plain-text table.
    pub fn write_table(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "{:<28} {:>10}", "stage", "seconds")?;
        for s in &self.stages {
            writeln!(w, "{:<28} {:>10.3}", s.stage, s.seconds)?;
        }
        writeln!(w, "{:<28} {:>10.3}", "wall", self.wall_seconds)?;
        writeln!(w)?;
        writeln!(w, "documents        {}", self.documents)?;
        writeln!(
            w,
            "input            {:.1} MB",
            self.input_bytes as f64 / 1e6
        )?;
        writeln!(
            w,
            "throughput       {:.0} docs/s, {:.1} MB/s",
            self.docs_per_second, self.mb_per_second
        )?;
        match self.peak_rss_bytes {
            Some(b) => writeln!(w, "peak memory      {:.1} MB", b as f64 / 1e6)?,
            None => writeln!(w, "peak memory      unknown on this platform")?,
        }
        writeln!(w, "candidate pairs  {}", self.candidate_pairs)?;
        writeln!(w, "verified pairs   {}", self.verified_pairs)?;
        writeln!(w, "clusters         {}", self.clusters)?;
        writeln!(w, "duplicates       {}", self.duplicates)?;
        Ok(())
    }
}
