//! Command-line types (clap). Converted once into a [`Config`] by [`CommonArgs::config`]: the
//! matching options into a [`Definition`], the reading options beside it.
//!
//! Owns: option names, help texts and the defaults shown in `--help` (taken from
//! [`Definition::default`] and [`Config::default`], never written here). Must not: run
//! anything.

use clap::{Args, Parser, Subcommand};
use neardup::config::{Config, FieldNames};
use neardup::definition::{Banding, Definition};
use neardup::error::{Error, Result};
use std::path::PathBuf;

/// Find near-duplicate news articles and group wire stories republished across outlets.
#[derive(Debug, Parser)]
#[command(name = "neardup", version, about, long_about = None)]
#[command(after_help = "Exit codes: 0 success, 2 usage or input error, 1 other failure.")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print clusters of near-duplicate documents as JSON Lines.
    Cluster(ClusterArgs),
    /// Keep one document of each cluster; write the others apart.
    Dedupe(DedupeArgs),
    /// Measure the clusters against labels or the exact truth: precision, recall, F1, ARI.
    Eval(EvalArgs),
    /// Write a synthetic archive of news-like articles with syndicated copies, and its labels.
    Gen(GenArgs),
    /// Run the pipeline and print stage timings, throughput, peak memory and pair counts.
    Bench(BenchArgs),
    /// A persistent index: build it from an archive, add to it, query new articles against it.
    Index(IndexArgs),
    /// A corpus too large for one machine: sign its shards for Apache Spark, and report the
    /// clusters Spark found.
    Spark(SparkArgs),
}

/// Options of `neardup spark`.
#[derive(Debug, Args)]
pub struct SparkArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SparkCommand,
}

/// The subcommands of `neardup spark`.
#[derive(Debug, Subcommand)]
pub enum SparkCommand {
    /// Sign one shard of a corpus into Parquet for the engine.
    Sign(Box<SignArgs>),
    /// Write the report (cluster file, CSV, HTML, locations) of the clusters the engine found.
    Report(ReportArgs),
}

/// Options of `neardup index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// What to do with the index.
    #[command(subcommand)]
    pub command: IndexCommand,
}

/// The subcommands of `neardup index`.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Build a new index (a directory) from an archive.
    Build(IndexBuildArgs),
    /// Add articles to an index (crash-safe: a killed add leaves the index as it was; an add
    /// with nothing new writes nothing).
    Add(IndexAddArgs),
    /// Merge all segments of an index into one, so that queries stay fast after many adds
    /// (crash-safe like add; queries answer the same before and after).
    Compact(IndexCompactArgs),
    /// Print, for each new article, the archive articles it copies, with exact scores.
    Query(IndexQueryArgs),
    /// Print the index's size, segments and parameters.
    Stats(IndexStatsArgs),
}

/// Options of `neardup index build`.
#[derive(Debug, Args)]
pub struct IndexBuildArgs {
    /// Inputs, as for `cluster`: JSON Lines (plain, gzip or zstd), web archives, directories;
    /// `-` is standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The index directory to create (it must not exist).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// What counts as a duplicate (defaults as for `cluster`), stored in the index.
    #[command(flatten)]
    pub params: DefinitionArgs,
    /// Reading options.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Options of `neardup index add`.
#[derive(Debug, Args)]
pub struct IndexAddArgs {
    /// The index directory.
    #[arg(value_name = "INDEX")]
    pub index: PathBuf,
    /// Inputs, as for `cluster`: JSON Lines (plain, gzip or zstd), web archives, directories;
    /// `-` is standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// What counts as a duplicate: taken from the index; one given here must equal the
    /// index's.
    #[command(flatten)]
    pub params: DefinitionArgs,
    /// Reading options.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Options of `neardup index compact`.
#[derive(Debug, Args)]
pub struct IndexCompactArgs {
    /// The index directory.
    #[arg(value_name = "INDEX")]
    pub index: PathBuf,
    /// Print no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Options of `neardup index query`.
#[derive(Debug, Args)]
pub struct IndexQueryArgs {
    /// The index directory.
    #[arg(value_name = "INDEX")]
    pub index: PathBuf,
    /// The new articles, as for `cluster`: JSON Lines (plain, gzip or zstd), web archives,
    /// directories; `-` is standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Write the answers here (default: standard output).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// json: one JSON object a line (the default); text: readable lines for a person.
    #[arg(long, value_enum, default_value_t = Printed::Json)]
    pub format: Printed,
    /// What counts as a duplicate: taken from the index; one given here must equal the
    /// index's.
    #[command(flatten)]
    pub params: DefinitionArgs,
    /// Reading options.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Options of `neardup index stats`.
#[derive(Debug, Args)]
pub struct IndexStatsArgs {
    /// The index directory.
    #[arg(value_name = "INDEX")]
    pub index: PathBuf,
    /// text: readable lines for a person (the default); json: one JSON object.
    #[arg(long, value_enum, default_value_t = Printed::Text)]
    pub format: Printed,
    /// Also read every byte of the index and check it against its checksums.
    #[arg(long)]
    pub verify: bool,
}

/// How a command prints what it found: `--format text|json` on every command that has both
/// (`bench`, `eval`, `index stats`, `index query`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Printed {
    /// Readable text for a person.
    Text,
    /// JSON for a program.
    Json,
}

fn definition() -> Definition {
    Definition::default()
}

/// What counts as a duplicate: one option per field of [`Definition`] (the argument ids are
/// its field names, so a subcommand can ask which were given), defaults from
/// [`Definition::default`].
#[derive(Debug, Args)]
#[command(next_help_heading = "Matching (what counts as a duplicate)")]
pub struct DefinitionArgs {
    /// Jaccard similarity at or above which two documents are duplicates.
    #[arg(short = 't', long, default_value_t = definition().threshold)]
    pub threshold: f64,
    /// Duplicate rule: containment (Jaccard >= threshold, or the smaller document contained in
    /// the larger >= --containment) or jaccard (Jaccard >= threshold only).
    #[arg(long, default_value_t = definition().mode.to_string(), value_name = "containment|jaccard")]
    pub mode: String,
    /// Containment at or above which a cut or extended copy is a duplicate (containment mode).
    #[arg(long, default_value_t = definition().containment)]
    pub containment: f64,
    /// Containment counts only when the smaller document has at least N shingles.
    #[arg(long, default_value_t = definition().min_contained, value_name = "N")]
    pub min_contained: usize,
    /// Containment counts only when the contained document has at least N words of real text
    /// (outside its outlet's learned boilerplate: footers, notices; two characters of Chinese or
    /// Japanese make a word).
    #[arg(long, default_value_t = definition().min_contained_words, value_name = "N")]
    pub min_contained_words: usize,
    /// Index one shingle in N to find contained documents (containment mode).
    #[arg(long, default_value_t = definition().sample_every, value_name = "N")]
    pub sample_every: u64,
    /// Sampled shingles in more documents than this are boilerplate, not used to find pairs.
    #[arg(long, default_value_t = definition().max_df)]
    pub max_df: usize,
    /// MinHash permutations per signature.
    #[arg(long, default_value_t = definition().num_perm)]
    pub num_perm: usize,
    /// MinHash scheme: oph (one hash per shingle, densified) or permutations (one per slot).
    #[arg(long, default_value_t = definition().minhash.to_string(), value_name = "oph|permutations")]
    pub minhash: String,
    /// Seed of shingle hashes and permutations.
    #[arg(long, default_value_t = definition().seed)]
    pub seed: u64,
    /// Shingles: auto (word 5-shingles, or character 3-grams for Chinese, Japanese, Thai...),
    /// words:K or chars:N.
    #[arg(long, default_value = "auto", value_name = "auto|words:K|chars:N")]
    pub shingle: String,
    /// Documents with fewer distinct shingles are counted as short and never matched.
    #[arg(long, default_value_t = definition().min_shingles)]
    pub min_shingles: usize,
    /// Weight of missed duplicates against extra candidates when choosing LSH bands and rows.
    #[arg(long, default_value_t = definition().fn_weight)]
    pub fn_weight: f64,
    /// LSH bands (with --rows; default: chosen from the threshold).
    #[arg(long, requires = "rows")]
    pub bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    pub rows: Option<usize>,
    /// LSH buckets larger than this link each member to the first only.
    #[arg(long, default_value_t = definition().max_bucket)]
    pub max_bucket: usize,
    /// Ignore matches between two documents of the same outlet (reruns, corrections).
    #[arg(long)]
    pub cross_outlet_only: bool,
    /// Ignore matches between documents dated more than DAYS apart (when both dates are known).
    #[arg(long = "window", value_name = "DAYS")]
    pub window_days: Option<u32>,
}

impl DefinitionArgs {
    /// The definition these options describe (not validated: see [`Definition::validate`]).
    pub fn definition(&self) -> Result<Definition> {
        Ok(Definition {
            threshold: self.threshold,
            num_perm: self.num_perm,
            minhash: self.minhash.parse()?,
            banding: self
                .bands
                .zip(self.rows)
                .map(|(bands, rows)| Banding { bands, rows }),
            fn_weight: self.fn_weight,
            seed: self.seed,
            shingle: self.shingle.parse()?,
            min_shingles: self.min_shingles,
            max_bucket: self.max_bucket,
            mode: self.mode.parse()?,
            containment: self.containment,
            min_contained: self.min_contained,
            min_contained_words: self.min_contained_words,
            sample_every: self.sample_every,
            max_df: self.max_df,
            cross_outlet_only: self.cross_outlet_only,
            window_days: self.window_days,
        })
    }
}

/// How the inputs are read and what a run prints.
#[derive(Debug, Args)]
#[command(next_help_heading = "Inputs")]
pub struct ReadArgs {
    /// Name of the id field.
    #[arg(long, default_value_t = FieldNames::default().id)]
    pub id_field: String,
    /// Name of the text field.
    #[arg(long, default_value_t = FieldNames::default().text)]
    pub text_field: String,
    /// Name of the title field.
    #[arg(long, default_value_t = FieldNames::default().title)]
    pub title_field: String,
    /// Name of the outlet field.
    #[arg(long, default_value_t = FieldNames::default().outlet)]
    pub outlet_field: String,
    /// Name of the date field.
    #[arg(long, default_value_t = FieldNames::default().date)]
    pub date_field: String,
    /// Name of the URL field.
    #[arg(long, default_value_t = FieldNames::default().url)]
    pub url_field: String,
    /// Stop at the first malformed line (exit code 2) instead of reporting and skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Input lines (and whole .txt/.html/.json files) longer than this many bytes are
    /// rejected (read through, never held in memory), which bounds memory per document, also
    /// against decompression bombs.
    #[arg(long, default_value_t = Config::default().max_line_bytes, value_name = "BYTES")]
    pub max_line_bytes: usize,
    /// Megabytes that may be read from standard input and named pipes, decompressed. Their
    /// documents are spooled to TMPDIR to be read again (lines rejected as too long are not);
    /// past the limit the run stops with an error (exit code 2): raise it, or give the input
    /// as a file, which is read in place. Character devices such as /dev/zero are refused as
    /// inputs.
    #[arg(long, default_value_t = neardup::input::STREAM_LIMIT >> 20, value_name = "MB")]
    pub max_stdin: u64,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0, help_heading = "Performance")]
    pub threads: usize,
    /// Print no summary and no bad lines on standard error.
    #[arg(short, long, help_heading = "Messages")]
    pub quiet: bool,
    /// Also print stage timings and throughput on standard error.
    #[arg(short, long, conflicts_with = "quiet", help_heading = "Messages")]
    pub verbose: bool,
}

impl ReadArgs {
    /// `definition` with these reading options, validated (memory budgets default).
    pub fn config(&self, definition: Definition) -> Result<Config> {
        let config = Config {
            definition,
            fields: FieldNames {
                id: self.id_field.clone(),
                text: self.text_field.clone(),
                title: self.title_field.clone(),
                outlet: self.outlet_field.clone(),
                date: self.date_field.clone(),
                url: self.url_field.clone(),
            },
            strict: self.strict,
            max_line_bytes: self.max_line_bytes,
            ..Config::default()
        };
        config.validate()?;
        Ok(config)
    }

    /// The rayon pool to run on.
    pub fn pool(&self) -> Result<rayon::ThreadPool> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| Error::ThreadPool(e.to_string()))
    }
}

/// Options of `neardup spark sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Shared options (one input: the shard). Every option that decides what a duplicate is
    /// goes into the signature directory's manifest; all shards must be signed with the same.
    #[command(flatten)]
    pub common: CommonArgs,
    /// The shard's number: document ids are `shard << 40 | index`, and shards are reported in
    /// the order of their numbers.
    #[arg(long, value_name = "N")]
    pub shard: u32,
    /// The signature directory (shared by all shards of a corpus).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Where the report goes: the cluster file and its views (`cluster` and `spark report`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Outputs")]
pub struct ReportViews {
    /// Write the cluster file here (default: standard output).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write one CSV row per cluster member here.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also write a self-contained HTML report here. A file is one page with the 2,000 largest
    /// clusters (a note and a warning say how many it leaves out); a directory (a path ending
    /// in `/`, or an existing directory) gets a report of pages for any archive size:
    /// `index.html` (the summary and the clusters ranked by outlets, recency and wire, with
    /// filters), further index pages, and `clusters/page-K.html#cN` with every cluster's
    /// detail. The directory is written whole and renamed into place; an existing one is
    /// replaced only when empty or written by neardup.
    #[arg(long, value_name = "FILE|DIR/")]
    pub html: Option<PathBuf>,
    /// Also write `path:line: text` lines (as grep -n) for each member here.
    #[arg(long, value_name = "FILE")]
    pub locations: Option<PathBuf>,
    /// Also write one Parquet row per cluster member here (the CSV columns, typed), for
    /// pandas, Polars and Spark.
    #[arg(long, value_name = "FILE")]
    pub parquet: Option<PathBuf>,
}

/// Options of `neardup spark report`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Outputs")]
pub struct ReportArgs {
    /// The engine's output directory (holds `clusters/`, `pairs/` and `stats/`).
    #[arg(long, value_name = "OUTDIR")]
    pub clusters: PathBuf,
    /// The signature directory written by `neardup spark sign`.
    #[arg(long, value_name = "SIGDIR")]
    pub docs: PathBuf,
    /// The cluster file and its views.
    #[command(flatten)]
    pub views: ReportViews,
    /// Print no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Options of `neardup gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Number of documents.
    #[arg(long, default_value_t = neardup::generate::GenConfig::default().docs)]
    pub docs: u64,
    /// Seed: the same seed gives the same archive.
    #[arg(long, default_value_t = neardup::generate::GenConfig::default().seed)]
    pub seed: u64,
    /// Share of documents that are copies of an earlier story.
    #[arg(long, default_value_t = neardup::generate::GenConfig::default().dup_rate)]
    pub dup_rate: f64,
    /// Language of the articles: en (English-like words), ja (Japanese), zh (Chinese) or ko
    /// (Korean), each with its own script, outlets, footers, notices and wire credits.
    #[arg(long, default_value_t = neardup::generate::Lang::En, value_name = "en|ja|zh|ko")]
    pub lang: neardup::generate::Lang,
    /// The archive (`.zst` or `.gz` compresses it); `-` for standard output.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// The labels file, `id<TAB>group` (default: the archive's name + `.labels.tsv`).
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Options of `neardup bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
    /// text: a table for a person (the default); json: one JSON object.
    #[arg(long, value_enum, default_value_t = Printed::Text)]
    pub format: Printed,
}

/// Options of `neardup eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Truth labels: TSV of `id<TAB>group` or `id_a<TAB>id_b`.
    #[arg(long, value_name = "FILE", required_unless_present = "exact")]
    pub labels: Option<PathBuf>,
    /// Compute the truth exactly: every pair the duplicate rule accepts on exact shingle sets.
    #[arg(long, conflicts_with = "labels")]
    pub exact: bool,
    /// How many of the worst misses to list.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub worst: usize,
    /// text: readable lines for a person (the default); json: one JSON object.
    #[arg(long, value_enum, default_value_t = Printed::Text)]
    pub format: Printed,
}

/// Options of `neardup cluster`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Outputs")]
pub struct ClusterArgs {
    /// The cluster file and its views.
    #[command(flatten)]
    pub views: ReportViews,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `neardup dedupe`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Outputs")]
pub struct DedupeArgs {
    /// Write kept records here, unchanged (default: standard output). A name ending in
    /// `.parquet` writes Parquet with every column of the (Parquet) input.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write removed records here, with `duplicate_of` and `cluster` added (Parquet for a name
    /// ending in `.parquet`).
    #[arg(long, value_name = "FILE")]
    pub removed: Option<PathBuf>,
    /// Write the accounting here as one JSON object: read = kept + removed + rejected +
    /// skipped (records of a web archive that are not articles).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Template items: near-identical texts that are different news (the dividend notices of
    /// different companies, one outlet's daily report on other days, one notice for several
    /// products: other titles, names, numbers or dates). `keep`: each item is kept (one copy
    /// of each), no distinct news is lost; `remove`: they are duplicates of each other and
    /// one of them is kept, as for any near-identical texts (for cleaning a training corpus).
    #[arg(long, value_name = "keep|remove", default_value = "keep", value_parser = ["keep", "remove"], help_heading = "Matching (what counts as a duplicate)")]
    pub templates: String,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

impl DedupeArgs {
    /// What becomes of template items: `--templates keep` keeps them apart.
    pub fn templates(&self) -> neardup::config::Templates {
        match self.templates.as_str() {
            "remove" => neardup::config::Templates::Together,
            _ => neardup::config::Templates::Apart,
        }
    }
}

/// Options shared by the subcommands that run the pipeline.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Inputs: JSON Lines files (plain, gzip or zstd, detected by content), Parquet files (each
    /// row a document), web archives (WARC, WARC.gz, WET), directories of .jsonl, .parquet,
    /// .txt, .html and .json files; `-` is standard input.
    #[arg(required = true, value_name = "INPUT", help_heading = "Inputs")]
    pub inputs: Vec<PathBuf>,
    /// What counts as a duplicate.
    #[command(flatten)]
    pub definition: DefinitionArgs,
    /// How the inputs are read.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Megabytes of LSH band keys (8 bytes a band a document) held in memory while reading;
    /// past them the keys spill to temporary files in TMPDIR, one per band, and are paired a
    /// band at a time.
    #[arg(long, default_value_t = Config::default().band_key_memory >> 20, value_name = "MB", help_heading = "Performance")]
    pub band_key_memory: usize,
    /// Megabytes of TMPDIR that decompressed copies of gzip and zstd inputs may take. The
    /// first pass copies what it decompresses, so that the report (or `dedupe`) reads the
    /// cluster members by position; an input whose copy does not fit is decompressed again
    /// instead, in order. 0: no copies. The outputs are the same either way. `bench`, which
    /// reads nothing twice, makes none.
    #[arg(long, default_value_t = neardup::input::COPY_BUDGET >> 20, value_name = "MB", help_heading = "Performance")]
    pub copy_budget: u64,
}

impl CommonArgs {
    /// The run configuration these options describe, validated.
    pub fn config(&self) -> Result<Config> {
        // Validated by `ReadArgs::config`; the memory budget has no bound to check.
        Ok(Config {
            band_key_memory: self.band_key_memory.saturating_mul(1 << 20),
            ..self.read.config(self.definition.definition()?)?
        })
    }

    /// The rayon pool to run on.
    pub fn pool(&self) -> Result<rayon::ThreadPool> {
        self.read.pool()
    }
}
