//! The `neardup` binary: parses arguments, builds the configuration and the thread pool, calls
//! the library and maps errors to exit codes (0 success, 2 usage or input error, 1 other
//! failure). A closed standard output (`neardup cluster ... | head`) is not an error.

#![forbid(unsafe_code)]

use clap::Parser;
use neardup::cli::{
    BenchArgs, Cli, ClusterArgs, Command, CommonArgs, DedupeArgs, EvalArgs, GenArgs,
};
use neardup::error::Result;
use neardup::input::InputSet;
use neardup::pipeline::{self, BadLine, Outcome};
use neardup::report::{csv, dedupe, html, members_needing_text, Output, Params, Report, Texts};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Cluster(args) => cluster(args),
        Command::Dedupe(args) => dedupe_cmd(args),
        Command::Eval(args) => eval_cmd(args),
        Command::Gen(args) => gen_cmd(args),
        Command::Bench(args) => bench_cmd(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("neardup: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Opens the inputs and runs the pipeline, printing bad lines as they are found.
fn run(common: &CommonArgs) -> Result<(InputSet, Outcome, neardup::config::Config)> {
    let config = common.config()?;
    let pool = common.pool()?;
    let mut inputs = InputSet::open(&common.inputs)?;
    let quiet = common.quiet;
    let bar = progress_bar(quiet, inputs.total_bytes());
    let mut on_bad = |b: &BadLine| {
        if !quiet {
            bar.suspend(|| eprintln!("{b}"));
        }
    };
    let mut on_progress = |p: pipeline::Progress| match p {
        pipeline::Progress::Read { bytes, lines } => {
            bar.set_position(bytes);
            bar.set_message(format!("{lines} documents read"));
        }
        pipeline::Progress::Stage(s) => bar.set_message(s),
    };
    let outcome =
        pipeline::run_with_progress(&mut inputs, &config, &pool, &mut on_bad, &mut on_progress);
    bar.finish_and_clear();
    let outcome = outcome?;
    if common.verbose {
        print_timings(&outcome);
    }
    Ok((inputs, outcome, config))
}

/// A progress bar on stderr for the first pass, hidden with `--quiet` or when stderr is not a
/// terminal. Bad lines printed meanwhile go through the bar so they are not overwritten.
fn progress_bar(quiet: bool, total: Option<u64>) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t).with_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
            )
            .expect("valid template"),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bytes} ({bytes_per_sec}) {msg}")
                .expect("valid template"),
        ),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
    bar
}

fn input_names(inputs: &InputSet) -> Vec<String> {
    (0..inputs.len() as u32)
        .map(|i| inputs.name(i).to_string())
        .collect()
}

fn cluster(args: &ClusterArgs) -> Result<()> {
    let (inputs, outcome, config) = run(&args.common)?;
    let members = members_needing_text(&outcome);
    let texts = pipeline::load_texts(&inputs, &outcome.meta, &members, &config)?;
    let report = Report::new(
        &outcome,
        &config,
        &input_names(&inputs),
        &Texts::new(members, texts),
    );
    // Create every output first, so that a bad path fails before anything is written; commit
    // them only when all are written.
    let mut outputs = vec![(Output::create(args.out.as_deref())?, Format::Jsonl)];
    for (path, format) in [
        (&args.csv, Format::Csv),
        (&args.html, Format::Html),
        (&args.locations, Format::Locations),
    ] {
        if let Some(p) = path {
            outputs.push((Output::create(Some(p))?, format));
        }
    }
    for (out, format) in &mut outputs {
        match format {
            Format::Jsonl => out.write_with(|w| report.write_jsonl(w))?,
            Format::Csv => out.write_with(|w| csv::write_csv(&report, w))?,
            Format::Html => out.write_with(|w| html::write_html(&report, w))?,
            Format::Locations => out.write_with(|w| csv::write_locations(&report, w))?,
        }
    }
    for (out, _) in &mut outputs {
        out.finish()?;
    }
    for (out, _) in outputs {
        out.commit()?;
    }
    if !args.common.quiet {
        let c = &outcome.counts;
        eprintln!(
            "neardup: read {}, documents {} ({} short), rejected {}; {} candidate pairs, {} verified; {} clusters, {} duplicates",
            c.read, c.documents, c.short, c.rejected, c.candidate_pairs, c.verified_pairs, c.clusters, c.duplicates
        );
    }
    Ok(())
}

enum Format {
    Jsonl,
    Csv,
    Html,
    Locations,
}

fn dedupe_cmd(args: &DedupeArgs) -> Result<()> {
    let (inputs, outcome, _) = run(&args.common)?;
    let mut kept = Output::create(args.out.as_deref())?;
    let mut removed = args
        .removed
        .as_deref()
        .map(|p| Output::create(Some(p)))
        .transpose()?;
    let mut summary = args
        .summary
        .as_deref()
        .map(|p| Output::create(Some(p)))
        .transpose()?;
    let kept_name = kept.name().display().to_string();
    let removed_name = removed
        .as_ref()
        .map(|r| r.name().display().to_string())
        .unwrap_or_default();
    let counts = dedupe::write_dedupe(
        &inputs,
        &outcome,
        kept.writer(),
        removed.as_mut().map(|r| r.writer()),
        &kept_name,
        &removed_name,
    )?;
    if let Some(s) = summary.as_mut() {
        let record = dedupe::Summary::new(input_names(&inputs), counts);
        s.write_with(|w| {
            serde_json::to_writer(&mut *w, &record)?;
            writeln!(w)
        })?;
    }
    // Everything written and synced before anything is committed: all outputs or none.
    for out in [Some(&mut kept), removed.as_mut(), summary.as_mut()]
        .into_iter()
        .flatten()
    {
        out.finish()?;
    }
    if let Some(s) = summary {
        s.commit()?;
    }
    if let Some(r) = removed {
        r.commit()?;
    }
    kept.commit()?;
    if !args.common.quiet {
        eprintln!(
            "neardup: read {}, kept {}, removed {}, rejected {} ({} short documents kept; {} clusters)",
            counts.read, counts.kept, counts.removed, counts.rejected, counts.short, counts.clusters
        );
    }
    Ok(())
}

fn eval_cmd(args: &EvalArgs) -> Result<()> {
    use neardup::eval::{self, TruthPair};
    use neardup::input::labels;
    use neardup::verify::Rule;
    let (inputs, outcome, config) = run(&args.common)?;
    let meta = &outcome.meta;
    let n = meta.len();
    let groups: Vec<Vec<u32>> = outcome
        .clusters
        .iter()
        .map(|c| c.cluster.members.clone())
        .collect();
    let predicted = eval::labels_from_groups(n, &groups);
    let by_id: std::collections::HashMap<&str, u32> = meta
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i as u32))
        .collect();
    let ids = |d: u32| meta[d as usize].id.clone();
    let rule = Rule::from_config(&config);
    let (truth, scored, name, unknown) = if args.exact {
        let docs = outcome_signed_docs(&outcome);
        let store = pipeline::load_shingles(&inputs, meta, &docs, &config)?;
        let sets: Vec<Option<&[u64]>> = (0..n as u32).map(|d| store.get(d)).collect();
        let floor = rule.min_containment().min(0.9);
        let all: Vec<TruthPair> = eval::exact_pairs(&sets, floor);
        let truth: Vec<(u32, u32)> = all
            .iter()
            .filter(|p| rule.accepts(p.jaccard, p.containment, p.smaller as usize))
            .map(|p| (p.a, p.b))
            .collect();
        let name = format!(
            "exact, {} on word shingles, short documents left out",
            Params::new(&config, outcome.banding).rule
        );
        (truth, all, name, Vec::new())
    } else {
        let path = args
            .labels
            .as_deref()
            .expect("clap requires --labels without --exact");
        let l = labels::read_labels(path, |s| by_id.contains_key(s))?;
        let (truth, unknown) = labels::truth_pairs(&l, |s| by_id.get(s).copied());
        (
            truth,
            Vec::new(),
            format!("labels {}", path.display()),
            unknown,
        )
    };
    let j = |p: &TruthPair| p.jaccard >= 0.9;
    let c = |p: &TruthPair| p.containment >= 0.9;
    let kinds: Vec<eval::Kind> = if args.exact {
        vec![("jaccard>=0.9", &j), ("containment>=0.9", &c)]
    } else {
        Vec::new()
    };
    let truth = eval::Truth {
        name,
        pairs: &truth,
        scored: &scored,
        kinds: &kinds,
    };
    let mut report = eval::evaluate(
        &predicted,
        outcome.clusters.len() as u64,
        &truth,
        &ids,
        args.worst,
    );
    report.unknown_ids = unknown;
    print_json_or_text(args.json, &report, |w| report.write_text(w))
}

/// Prints `value` as pretty JSON on stdout with `json`, else the text `text` writes.
fn print_json_or_text(
    json: bool,
    value: &impl serde::Serialize,
    text: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut out = Output::create(None)?;
    if json {
        out.write_with(|w| {
            serde_json::to_writer_pretty(&mut *w, value)?;
            writeln!(w)
        })?;
    } else {
        out.write_with(text)?;
    }
    out.commit()
}

/// Documents with a signature (not short), ascending.
fn outcome_signed_docs(o: &Outcome) -> Vec<u32> {
    (0..o.meta.len() as u32)
        .filter(|&d| !o.meta[d as usize].short)
        .collect()
}

fn gen_cmd(args: &GenArgs) -> Result<()> {
    use neardup::gen::{write_archive, GenConfig, Generator};
    if !(0.0..1.0).contains(&args.dup_rate) {
        return Err(neardup::Error::Config {
            field: "--dup-rate",
            expected: "a number in [0, 1)".into(),
            got: args.dup_rate.to_string(),
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .map_err(|e| neardup::Error::ThreadPool(e.to_string()))?;
    let labels_path = args.labels.clone().unwrap_or_else(|| {
        let mut p = args.out.clone().into_os_string();
        p.push(".labels.tsv");
        p.into()
    });
    let generator = Generator::new(GenConfig {
        docs: args.docs,
        seed: args.seed,
        dup_rate: args.dup_rate,
    });
    let mut out = Output::create(Some(&args.out))?;
    let mut labels = Output::create(Some(&labels_path))?;
    let name = args.out.to_string_lossy();
    let compression = if name.ends_with(".zst") {
        2
    } else if name.ends_with(".gz") {
        1
    } else {
        0
    };
    let labels_name = labels.name().to_path_buf();
    let mut copies = 0;
    out.write_with(|w| {
        let lw = labels.writer();
        copies = match compression {
            2 => {
                let mut z = zstd::stream::write::Encoder::new(w, 3)?;
                let c = write_archive(&generator, &pool, &mut z, lw)?;
                z.finish()?;
                c
            }
            1 => {
                let mut z = flate2::write::GzEncoder::new(w, flate2::Compression::fast());
                let c = write_archive(&generator, &pool, &mut z, lw)?;
                z.finish()?;
                c
            }
            _ => write_archive(&generator, &pool, w, lw)?,
        };
        Ok(())
    })?;
    labels.commit()?;
    out.commit()?;
    eprintln!(
        "neardup: wrote {} documents ({copies} copies of earlier stories) to {}, labels to {}",
        args.docs,
        args.out.display(),
        labels_name.display()
    );
    Ok(())
}

fn bench_cmd(args: &BenchArgs) -> Result<()> {
    let start = std::time::Instant::now();
    let (_inputs, outcome, _config) = run(&args.common)?;
    let wall = start.elapsed().as_secs_f64();
    let b = neardup::bench::BenchReport::new(&outcome, wall, neardup::bench::peak_rss_bytes());
    print_json_or_text(args.json, &b, |w| b.write_table(w))
}

fn print_timings(o: &Outcome) {
    let t = &o.timings;
    let total = t.read_sign + t.lsh + t.verify + t.cluster;
    let secs = total.as_secs_f64().max(1e-9);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "neardup: stages: read+sign {:.3}s, lsh {:.3}s, verify {:.3}s, cluster {:.3}s; total {:.3}s, {:.0} docs/s, {:.1} MB/s; bands {} x rows {}; band keys {:.1} MB in memory, shingle sets {:.1} MB spooled to disk",
        t.read_sign.as_secs_f64(),
        t.lsh.as_secs_f64(),
        t.verify.as_secs_f64(),
        t.cluster.as_secs_f64(),
        secs,
        o.counts.read as f64 / secs,
        o.counts.input_bytes as f64 / 1e6 / secs,
        o.banding.bands,
        o.banding.rows,
        o.held_bytes as f64 / 1e6,
        o.spool_bytes as f64 / 1e6,
    );
}
