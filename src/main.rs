//! The `neardup` binary: parses arguments, builds the configuration and the thread pool, calls
//! the library and maps errors to exit codes (0 success, 2 usage or input error, 1 other
//! failure). A closed standard output (`neardup cluster ... | head`) is not an error.

#![forbid(unsafe_code)]

mod cli;
mod feedback;

use clap::{CommandFactory, FromArgMatches};
use cli::{
    BenchArgs, Cli, ClusterArgs, Command, CommonArgs, DedupeArgs, DefinitionArgs, EvalArgs,
    GenArgs, IndexArgs, IndexCommand, Printed, ReportArgs, ReportViews, SignArgs, SparkCommand,
};
use feedback::{print_skipped, print_summary, print_timings, Feedback};
use neardup::config::Templates;
use neardup::error::Result;
use neardup::fsutil;
use neardup::input::InputSet;
use neardup::outcome::Outcome;
use neardup::pipeline;
use neardup::report::stream::{self, Chunking, Sink, View};
use neardup::report::{dedupe, dedupe_parquet, html, Output};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// jemalloc: the pipeline and the report allocate many short-lived buffers from several threads,
/// where it is faster than the system allocator and returns memory sooner (README, Benchmarks).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    remove_temporary_files_on_interrupt();
    let result = match &cli.command {
        Command::Cluster(args) => cluster(args),
        Command::Dedupe(args) => dedupe_cmd(args),
        Command::Eval(args) => eval_cmd(args),
        Command::Gen(args) => gen_cmd(args),
        Command::Bench(args) => bench_cmd(args),
        Command::Index(args) => index_cmd(args, given_definition(&matches)),
        Command::Spark(args) => match &args.command {
            SparkCommand::Sign(args) => sign_cmd(args),
            SparkCommand::Report(args) => report_cmd(args),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "neardup: {}",
                neardup::text_safety::for_people(
                    &e.to_string(),
                    neardup::text_safety::Layout::Line
                )
            );
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// On SIGINT (Ctrl-C) or SIGTERM: removes the temporary files registered with
/// `neardup::cleanup` and exits with 130 or 143 (128 + the signal), as a shell does. The spools
/// of standard input and the other temporary files in TMPDIR have no name (nothing to remove);
/// the hidden files of outputs being written do. A thread of its own waits for the signal.
fn remove_temporary_files_on_interrupt() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                neardup::cleanup::remove_all();
                std::process::exit(128 + signal);
            }
        });
    }
}

/// The outputs of a run: (option, path) pairs, `None` for standard output.
type Outputs<'a> = [(&'a str, Option<&'a Path>)];

/// What a run leaves for the command that asked for it: the inputs (to read members
/// again), the outcome, the configuration and the pool it ran on.
type Run = (
    InputSet,
    Outcome,
    neardup::config::Config,
    rayon::ThreadPool,
);

/// Opens the inputs, checks the `outputs` against them and each other before anything is read
/// (`fsutil::check_outputs`), and runs the pipeline, printing bad lines as they are found.
/// Returns the inputs (for the second reads), the outcome, the configuration and the thread
/// pool it ran on (for the report). Compressed inputs are copied decompressed on the way only
/// when `read_again` (see `InputSet::set_copy_budget`).
fn run(common: &CommonArgs, read_again: bool, outputs: &Outputs) -> Result<Run> {
    run_with(common, read_again, outputs, Templates::Apart)
}

/// [`run`], with template items kept apart or together.
fn run_with(
    common: &CommonArgs,
    read_again: bool,
    outputs: &Outputs,
    templates: Templates,
) -> Result<Run> {
    let config = neardup::config::Config {
        templates,
        ..common.config()?
    };
    let pool = common.pool()?;
    let mut inputs = InputSet::open(&common.inputs)?;
    fsutil::check_outputs(&inputs.files(), outputs)?;
    // When nothing is read a second time, no decompressed copies.
    inputs.set_copy_budget(if read_again {
        common.copy_budget.saturating_mul(1 << 20)
    } else {
        0
    });
    inputs.set_stream_limit(common.read.max_stdin.saturating_mul(1 << 20));
    let feedback = Feedback::new(common.read.quiet, inputs.total_bytes());
    let outcome = pipeline::run_with_progress(
        &mut inputs,
        &config,
        &pool,
        &mut |b| feedback.bad(b),
        &mut |p| feedback.progress(p),
    );
    feedback.finish();
    let outcome = outcome?;
    if common.read.verbose {
        print_timings(&outcome);
        if let Some((read, spooled)) = inputs.streamed() {
            eprintln!("neardup: standard input and named pipes: read {read} bytes, spooled {spooled} bytes to TMPDIR");
        }
    }
    Ok((inputs, outcome, config, pool))
}

fn input_names(inputs: &InputSet) -> Vec<String> {
    (0..inputs.len() as u32)
        .map(|i| inputs.name(i).to_string())
        .collect()
}

/// The cluster file and its views as (option, path) pairs, in the order of `write_report`. An
/// `--html` that names a directory (`fsutil::names_directory`) is not among them: it is the
/// second value, the directory of pages.
fn report_outputs(views: &ReportViews) -> ([(&'static str, Option<&Path>); 5], Option<&Path>) {
    let (out, csv, locations) = (&views.out, &views.csv, &views.locations);
    let html = views.html.as_deref();
    let pages = html.filter(|p| fsutil::names_directory(p));
    (
        [
            ("-o", out.as_deref()),
            ("--csv", csv.as_deref()),
            ("--html", html.filter(|_| pages.is_none())),
            ("--locations", locations.as_deref()),
            ("--parquet", views.parquet.as_deref()),
        ],
        pages,
    )
}

/// Checks the directory of `--html DIR/` against the inputs and the other outputs before
/// anything is read (`fsutil::check_replaced_dir`): it is replaced as a whole.
fn check_pages(pages: Option<&Path>, inputs: &[&Path], outputs: &Outputs) -> Result<()> {
    match pages {
        Some(dir) => fsutil::check_replaced_dir(
            "--html",
            dir,
            inputs,
            outputs,
            ("index.html", neardup::report::pages::GENERATOR),
        ),
        None => Ok(()),
    }
}

fn cluster(args: &ClusterArgs) -> Result<()> {
    let (outputs, pages) = report_outputs(&args.views);
    let given: Vec<&Path> = args.common.inputs.iter().map(|p| p.as_path()).collect();
    check_pages(pages, &given, &outputs)?;
    let (inputs, outcome, config, pool) = run(&args.common, true, &outputs)?;
    check_pages(pages, &inputs.files(), &outputs)?;
    let t = write_report(&inputs, &outcome, &config, &pool, &outputs, pages)?;
    if args.common.read.verbose {
        eprintln!(
            "neardup: report: members read again {:.3}s ({}), records {:.3}s, writing {:.3}s",
            t.reread.as_secs_f64(),
            if inputs.reads_by_position() {
                "by position"
            } else {
                "decompressed again, in order"
            },
            t.records.as_secs_f64(),
            t.write.as_secs_f64()
        );
    }
    if !args.common.read.quiet {
        print_summary(&outcome);
        print_skipped(&inputs, outcome.counts.skipped);
    }
    Ok(())
}

/// Writes the report of `outcome`: the cluster file (`paths[0]`, standard output when `None`),
/// the optional CSV, HTML, locations and Parquet views (`paths[1..]`, see `report_outputs`) and the
/// directory of pages (`pages`), streamed on `pool` while the cluster members are read again
/// from `inputs`. Warns when the one-page HTML report leaves clusters out.
fn write_report(
    inputs: &InputSet,
    outcome: &Outcome,
    config: &neardup::config::Config,
    pool: &rayon::ThreadPool,
    paths: &[(&str, Option<&Path>); 5],
    pages: Option<&Path>,
) -> Result<stream::ReportTimings> {
    let total = outcome.clusters.len();
    if let Some(page) = paths[2].1.filter(|_| total > html::MAX_PAGE_CLUSTERS) {
        eprintln!(
            "neardup: warning: {} lists the {} largest of {total} clusters and leaves {} out; for every cluster write a directory of pages: --html {}/",
            page.display(),
            html::MAX_PAGE_CLUSTERS,
            total - html::MAX_PAGE_CLUSTERS,
            page.with_extension("").display()
        );
    }
    let dir = pages.map(fsutil::AtomicDir::create).transpose()?;
    // Create every output first, so that a bad path fails before anything is written; commit
    // them only when all are written.
    let mut outputs = vec![(Output::create(paths[0].1)?, View::Jsonl)];
    for ((_, path), format) in
        paths[1..]
            .iter()
            .zip([View::Csv, View::Html, View::Locations, View::Parquet])
    {
        if let Some(p) = path {
            outputs.push((Output::create(Some(p))?, format));
        }
    }
    let mut sinks: Vec<Sink> = outputs
        .iter_mut()
        .map(|(out, format)| Sink {
            format: *format,
            name: out.name().to_path_buf(),
            writer: out.writer(),
        })
        .collect();
    let to = dir.as_ref().map(|d| stream::Pages {
        dir: d.path(),
        name: d.name(),
    });
    let timings = pool.install(|| {
        stream::write_report_to(inputs, outcome, config, &mut sinks, to, Chunking::default())
    })?;
    drop(sinks);
    for (out, _) in &mut outputs {
        out.finish()?;
    }
    for (out, _) in outputs {
        out.commit()?;
    }
    if let Some(dir) = dir {
        dir.commit()?;
    }
    Ok(timings)
}

fn sign_cmd(args: &SignArgs) -> Result<()> {
    let common = &args.common;
    if common.inputs.len() != 1 {
        return Err(neardup::Error::Config {
            field: "INPUT",
            expected: "one input file per shard".into(),
            got: format!("{} inputs", common.inputs.len()),
        });
    }
    let config = common.config()?;
    let pool = common.pool()?;
    let quiet = common.read.quiet;
    let feedback = Feedback::without_bar(quiet);
    let signed = neardup::shard::sign_shard(
        &common.inputs[0],
        args.shard,
        &args.out,
        &config,
        &pool,
        &mut |b| feedback.bad(b),
    );
    feedback.finish();
    let s = signed?;
    if !quiet {
        let i = &s.info;
        eprintln!(
            "neardup: shard {} ({}): read {}, documents {} ({} short), rejected {}; {} band keys, {} samples written to {}",
            i.shard, i.input, i.read, i.documents, i.short, i.rejected, s.band_rows, s.sample_rows, args.out.display()
        );
        if i.skipped > 0 {
            eprintln!(
                "neardup: skipped {} web archive records that are not articles",
                i.skipped
            );
        }
    }
    Ok(())
}

fn report_cmd(args: &ReportArgs) -> Result<()> {
    let (outputs, pages) = report_outputs(&args.views);
    // The signatures and the engine's output are read first, then the inputs they name.
    let engine = [args.docs.as_path(), args.clusters.as_path()];
    fsutil::check_outputs(&engine, &outputs)?;
    check_pages(pages, &engine, &outputs)?;
    let sig = neardup::shard::SignatureDir::open(&args.docs)?;
    let mut run = neardup::shard::read_engine_run(&sig, &args.clusters)?;
    let paths: Vec<std::path::PathBuf> = run.inputs.iter().map(Into::into).collect();
    let inputs = InputSet::open(&paths)?;
    fsutil::check_outputs(&inputs.files(), &outputs)?;
    check_pages(pages, &inputs.files(), &outputs)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .build()
        .map_err(|e| neardup::Error::ThreadPool(e.to_string()))?;
    pool.install(|| {
        neardup::shard::separate_template_items(&sig, &args.clusters, &inputs, &mut run)
    })?;
    write_report(&inputs, &run.outcome, &run.config, &pool, &outputs, pages)?;
    if !args.quiet {
        print_summary(&run.outcome);
    }
    Ok(())
}

fn dedupe_cmd(args: &DedupeArgs) -> Result<()> {
    let outputs = [
        ("-o", args.out.as_deref()),
        ("--removed", args.removed.as_deref()),
        ("--summary", args.summary.as_deref()),
    ];
    let schema = parquet_outputs(args)?;
    let (inputs, outcome, config, pool) = run_with(&args.common, true, &outputs, args.templates())?;
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
    let counts = match schema {
        Some(schema) => dedupe_parquet::write_dedupe_parquet(
            &inputs,
            &outcome,
            schema,
            kept.writer(),
            removed.as_mut().map(|r| r.writer()),
            &kept_name,
            &removed_name,
        )?,
        None => pool.install(|| {
            dedupe::write_dedupe(
                &inputs,
                &outcome,
                kept.writer(),
                removed
                    .as_mut()
                    .map(|r| r.writer() as &mut dyn std::io::Write),
                &kept_name,
                &removed_name,
                &config,
            )
        })?,
    };
    if let Some(s) = summary.as_mut() {
        let record = dedupe::Summary::new(input_names(&inputs), counts);
        s.write_with(|w| {
            serde_json::to_writer(&mut *w, &record)?;
            writeln!(w)
        })?;
    }
    // Everything written and synced before anything is committed: all outputs or none. The
    // summary goes last, so that it never claims records that are not in place.
    for out in [Some(&mut kept), removed.as_mut(), summary.as_mut()]
        .into_iter()
        .flatten()
    {
        out.finish()?;
    }
    kept.commit()?;
    if let Some(r) = removed {
        r.commit()?;
    }
    if let Some(s) = summary {
        s.commit()?;
    }
    if !args.common.read.quiet {
        eprintln!(
            "neardup: read {}, kept {}, removed {}, rejected {} ({} short documents kept; {} clusters)",
            counts.read, counts.kept, counts.removed, counts.rejected, counts.short, counts.clusters
        );
        print_skipped(&inputs, counts.skipped);
    }
    Ok(())
}

/// When `dedupe` writes Parquet (an output named `*.parquet`): the schema of its Parquet
/// inputs, checked before anything is run. Both outputs are then Parquet, and `-o` is a file.
fn parquet_outputs(args: &DedupeArgs) -> Result<Option<arrow_schema::SchemaRef>> {
    let named = [
        ("-o", args.out.as_deref()),
        ("--removed", args.removed.as_deref()),
    ];
    let parquet = |p: Option<&Path>| p.is_some_and(dedupe_parquet::is_parquet_output);
    if !named.iter().any(|(_, p)| parquet(*p)) {
        return Ok(None);
    }
    for (option, path) in named {
        if path.is_some() && !parquet(path) || option == "-o" && path.is_none() {
            return Err(neardup::Error::Config {
                field: option,
                expected: "a file named *.parquet: when one output of dedupe is Parquet, both are"
                    .into(),
                got: path.map_or("standard output".into(), |p| p.display().to_string()),
            });
        }
    }
    let probe = InputSet::open(&args.common.inputs)?;
    dedupe_parquet::input_schema(&probe, "-o").map(Some)
}

fn eval_cmd(args: &EvalArgs) -> Result<()> {
    let (inputs, outcome, config, pool) = run(&args.common, true, &[])?;
    let truth = match &args.labels {
        Some(path) if !args.exact => neardup::eval::TruthSource::Labels(path),
        _ => neardup::eval::TruthSource::Exact,
    };
    let report = neardup::eval::evaluate_run(&inputs, &outcome, &config, &pool, truth, args.worst)?;
    print_json_or_text(args.format, &report, |w| report.write_text(w))
}

/// Prints `value` as pretty JSON on stdout, or the text `text` writes.
fn print_json_or_text(
    format: Printed,
    value: &impl serde::Serialize,
    text: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut out = Output::create(None)?;
    if format == Printed::Json {
        out.write_with(|w| {
            serde_json::to_writer_pretty(&mut *w, value)?;
            writeln!(w)
        })?;
    } else {
        out.write_with(text)?;
    }
    out.commit()
}

fn gen_cmd(args: &GenArgs) -> Result<()> {
    use neardup::generate::{write_archive_named, GenConfig, Generator};
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
    let generator = Generator::with_lang(
        GenConfig {
            docs: args.docs,
            seed: args.seed,
            dup_rate: args.dup_rate,
        },
        args.lang,
    );
    fsutil::check_outputs(
        &[],
        &[("-o", Some(&args.out)), ("--labels", Some(&labels_path))],
    )?;
    let mut out = Output::create(Some(&args.out))?;
    let mut labels = Output::create(Some(&labels_path))?;
    let labels_name = labels.name().to_path_buf();
    let mut copies = 0;
    out.write_with(|w| {
        copies = write_archive_named(&generator, &pool, &args.out, w, labels.writer())?;
        Ok(())
    })?;
    // Both written and synced before either is committed.
    out.finish()?;
    labels.finish()?;
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
    let (_inputs, outcome, _config, _) = run(&args.common, false, &[])?;
    let wall = start.elapsed().as_secs_f64();
    let b = neardup::bench::BenchReport::new(&outcome, wall, neardup::bench::peak_rss_bytes());
    print_json_or_text(args.format, &b, |w| b.write_table(w))
}

/// Test-only fail point: with this variable set, `index add` and `index compact` abort the
/// process after the new segment is written and synced, before the manifest is replaced (what
/// a kill at the worst moment does). Read here in the binary only, never in the library.
const ABORT_BEFORE_COMMIT: &str = "NEARDUP_TEST_ABORT_BEFORE_COMMIT";

/// The fields of the [`neardup::Definition`] given on the command line of the (innermost)
/// subcommand: `index add` and `index query` check them against the index's.
fn given_definition(matches: &clap::ArgMatches) -> Vec<&'static str> {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    neardup::definition::OPTIONS
        .iter()
        .map(|o| o.0)
        .filter(|field| {
            m.try_contains_id(field).unwrap_or(false)
                && m.value_source(field) == Some(clap::parser::ValueSource::CommandLine)
        })
        .collect()
}

fn index_cmd(args: &IndexArgs, given: Vec<&'static str>) -> Result<()> {
    use neardup::index::{self, Index, QueryRecord, Writer};
    /// Says what opening the writer cleaned up.
    fn print_removed(writer: &Writer) {
        if !writer.removed_orphans.is_empty() {
            eprintln!(
                "neardup: removed {} unfinished segment(s) of an interrupted add or compaction",
                writer.removed_orphans.len()
            );
        }
        if let Some(first) = writer.removed_builds.first() {
            eprintln!(
                "neardup: removed {} unfinished index build(s) (first: {})",
                writer.removed_builds.len(),
                first.display()
            );
        }
    }
    // The index's configuration with the reading options, after checking that every
    // parameter given on the command line equals the index's.
    let checked = |index: &Index, params: &DefinitionArgs| -> Result<neardup::Definition> {
        index::check_definition(index.params(), &params.definition()?, &given)?;
        Ok(index.params().clone())
    };
    match &args.command {
        IndexCommand::Build(a) => {
            for refused in ["min_contained_words", "cross_outlet_only", "window_days"] {
                if given.contains(&refused) {
                    return Err(neardup::Error::Config {
                        field: "index build",
                        expected:
                            "no real-text guard, outlet or date filter (the index applies none)"
                                .into(),
                        got: neardup::definition::OPTIONS
                            .iter()
                            .find(|o| o.0 == refused)
                            .map_or(refused, |o| o.1)
                            .into(),
                    });
                }
            }
            let config = a.read.config(a.params.definition()?)?;
            let pool = a.read.pool()?;
            let mut inputs = InputSet::open(&a.inputs)?;
            inputs.set_stream_limit(a.read.max_stdin.saturating_mul(1 << 20));
            fsutil::check_output_dir("--out", &a.out, &inputs.files(), true)?;
            let quiet = a.read.quiet;
            let feedback = Feedback::new(quiet, inputs.total_bytes());
            let start = std::time::Instant::now();
            let counts = index::build(
                &a.out,
                &mut inputs,
                &config,
                &pool,
                &mut |b| feedback.bad(b),
                &mut |p| feedback.progress(p),
            );
            feedback.finish();
            let counts = counts?;
            if !quiet {
                eprintln!(
                    "neardup: read {}, indexed {} ({} short), rejected {}; wrote {} in {:.2} s",
                    counts.read,
                    counts.added,
                    counts.short,
                    counts.rejected,
                    a.out.display(),
                    start.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        IndexCommand::Add(a) => {
            let writer = Writer::open(&a.index)?;
            let config = a.read.config(checked(writer.index(), &a.params)?)?;
            let pool = a.read.pool()?;
            let quiet = a.read.quiet;
            if !quiet {
                print_removed(&writer);
            }
            let mut inputs = InputSet::open(&a.inputs)?;
            inputs.set_stream_limit(a.read.max_stdin.saturating_mul(1 << 20));
            fsutil::check_output_dir("INDEX", &a.index, &inputs.files(), true)?;
            let feedback = Feedback::without_bar(quiet);
            let pending = writer.prepare(
                &mut inputs,
                &config,
                &pool,
                &mut |b| feedback.bad(b),
                &mut |_| {},
            );
            feedback.finish();
            let pending = pending?;
            if std::env::var_os(ABORT_BEFORE_COMMIT).is_some() {
                std::process::abort();
            }
            let counts = writer.commit(pending)?;
            if !quiet && counts.added == 0 {
                eprintln!(
                    "neardup: read {}, added 0 (nothing new), rejected {}; the index is unchanged ({} documents)",
                    counts.read, counts.rejected, counts.total
                );
            } else if !quiet {
                eprintln!(
                    "neardup: read {}, added {} ({} short), rejected {}; the index holds {} documents",
                    counts.read, counts.added, counts.short, counts.rejected, counts.total
                );
            }
            Ok(())
        }
        IndexCommand::Compact(a) => {
            let writer = Writer::open(&a.index)?;
            if !a.quiet {
                print_removed(&writer);
            }
            let Some(pending) = writer.prepare_compaction()? else {
                if !a.quiet {
                    eprintln!(
                        "neardup: {} has {} segment(s); nothing to compact",
                        a.index.display(),
                        writer.index().manifest().segments.len()
                    );
                }
                return Ok(());
            };
            if std::env::var_os(ABORT_BEFORE_COMMIT).is_some() {
                std::process::abort();
            }
            let c = writer.commit_compaction(pending)?;
            if !a.quiet {
                eprintln!(
                    "neardup: compacted {} segments into {} ({} documents; {:.1} MB, was {:.1} MB)",
                    c.segments_before,
                    c.segments_after,
                    c.documents,
                    c.bytes_after as f64 / 1e6,
                    c.bytes_before as f64 / 1e6
                );
            }
            Ok(())
        }
        IndexCommand::Query(a) => {
            let t0 = std::time::Instant::now();
            let index = Index::open(&a.index)?;
            let open = t0.elapsed();
            let config = a.read.config(checked(&index, &a.params)?)?;
            let pool = a.read.pool()?;
            let quiet = a.read.quiet;
            let mut inputs = InputSet::open(&a.inputs)?;
            inputs.set_stream_limit(a.read.max_stdin.saturating_mul(1 << 20));
            let mut read = inputs.files();
            read.push(&a.index);
            fsutil::check_outputs(&read, &[("-o", a.out.as_deref())])?;
            let mut out = Output::create(a.out.as_deref())?;
            let feedback = Feedback::without_bar(quiet);
            let found = index::query_inputs(&index, &mut inputs, &config, &pool, &mut |b| {
                feedback.bad(b)
            });
            feedback.finish();
            let (results, counts) = found?;
            for r in &results {
                let rec = QueryRecord::new(&index, r, inputs.name(r.doc.location.input))?;
                out.write_with(|w| {
                    if a.format == Printed::Text {
                        rec.write_text(w)
                    } else {
                        serde_json::to_writer(&mut *w, &rec)?;
                        writeln!(w)
                    }
                })?;
            }
            out.commit()?;
            if !quiet {
                eprintln!(
                    "neardup: read {}, queried {} ({} short), rejected {}; {} with copies in the index ({} documents)",
                    counts.read, counts.documents, counts.short, counts.rejected, counts.with_matches, index.docs()
                );
            }
            if a.read.verbose {
                let n = counts.documents.max(1) as f64;
                eprintln!(
                    "neardup: open {:.2} ms; read+sign {:.1} ms; lookup {:.1} ms ({:.3} ms per article, {} threads)",
                    open.as_secs_f64() * 1e3,
                    counts.read_sign.as_secs_f64() * 1e3,
                    counts.lookup.as_secs_f64() * 1e3,
                    counts.lookup.as_secs_f64() * 1e3 / n,
                    pool.current_num_threads()
                );
            }
            Ok(())
        }
        IndexCommand::Stats(a) => {
            let index = Index::open(&a.index)?;
            if a.verify {
                index.verify_all()?;
                eprintln!(
                    "neardup: verified {}: every byte of its {} segment(s) matches its checksums",
                    neardup::text_safety::for_people(
                        &a.index.display().to_string(),
                        neardup::text_safety::Layout::Line
                    ),
                    index.manifest().segments.len()
                );
            }
            let stats = index.stats();
            print_json_or_text(a.format, &stats, |w| stats.write_text(w))
        }
    }
}
