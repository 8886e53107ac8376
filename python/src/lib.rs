//! The Rust side of the `neardup` Python package (`neardup._neardup`): articles handed in as
//! Python lists, the library's front door ([`neardup::Finder`]) and its persistent index run on
//! them with the GIL released, results handed back as columns (dicts of lists) that
//! `neardup/__init__.py` turns into pyarrow Tables.
//!
//! Owns: turning keyword options into a [`Definition`] (the command line's names, defaults,
//! parsers and checks), turning [`neardup::Error`] into Python exceptions with the message the
//! command line prints, and the columns of each result. Must not: print, or decide anything
//! the library decides (the duplicate rule, the kept copy, the cluster numbers).

use neardup::config::{Config, Templates};
use neardup::definition::{Banding, Definition, OPTIONS};
use neardup::finder::{Article, ArticleFile};
use neardup::{Error, Finder};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use std::path::PathBuf;

/// jemalloc, as in the `neardup` binary (see `python/Cargo.toml`).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The Python exception for a library error: `ValueError` for a value the caller gave (an
/// option, an index built with other options), `OSError` for files, `RuntimeError` for the
/// rest; the message is the one the command line prints (without its `neardup: ` prefix).
fn to_py(e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::Config { .. } | Error::IndexMismatch { .. } => PyValueError::new_err(message),
        Error::Input { .. }
        | Error::Output { .. }
        | Error::Temporary { .. }
        | Error::Index { .. }
        | Error::Destination { .. } => PyOSError::new_err(message),
        _ => PyRuntimeError::new_err(message),
    }
}

/// The command-line option of a field of [`Definition`] (`num_perm` → `--num-perm`).
fn option_of(field: &str) -> &'static str {
    OPTIONS.iter().find(|o| o.0 == field).map_or("?", |o| o.1)
}

/// A keyword option given from Python, read as the type of its field.
struct Given<'a, 'py> {
    name: &'a str,
    value: &'a Bound<'py, PyAny>,
}

impl Given<'_, '_> {
    /// The field the option sets (`window` sets `window_days`).
    fn field(&self) -> &str {
        if self.name == "window" {
            "window_days"
        } else {
            self.name
        }
    }

    fn invalid(&self, expected: &str) -> PyErr {
        let got = self
            .value
            .repr()
            .map(|r| r.to_string())
            .unwrap_or_else(|_| "?".into());
        to_py(Error::Config {
            field: option_of(self.field()),
            expected: expected.into(),
            got,
        })
    }

    fn float(&self) -> PyResult<f64> {
        if self.value.is_instance_of::<pyo3::types::PyBool>() {
            return Err(self.invalid("a number"));
        }
        self.value.extract().map_err(|_| self.invalid("a number"))
    }

    fn count(&self) -> PyResult<u64> {
        if self.value.is_instance_of::<pyo3::types::PyBool>() {
            return Err(self.invalid("a whole number"));
        }
        self.value
            .extract::<u64>()
            .map_err(|_| self.invalid("a whole number, 0 or more"))
    }

    fn size(&self) -> PyResult<usize> {
        usize::try_from(self.count()?).map_err(|_| self.invalid("a smaller whole number"))
    }

    fn text(&self) -> PyResult<String> {
        self.value.extract().map_err(|_| self.invalid("a string"))
    }

    fn flag(&self) -> PyResult<bool> {
        self.value
            .cast::<pyo3::types::PyBool>()
            .map(|b| b.is_true())
            .map_err(|_| self.invalid("True or False"))
    }
}

/// The names of the keyword options: the command line's matching options, `-` written `_`.
const NAMES: [&str; 18] = [
    "threshold",
    "mode",
    "containment",
    "min_contained",
    "min_contained_words",
    "sample_every",
    "max_df",
    "num_perm",
    "minhash",
    "seed",
    "shingle",
    "min_shingles",
    "fn_weight",
    "bands",
    "rows",
    "max_bucket",
    "cross_outlet_only",
    "window",
];

/// The [`Definition`] the keyword `options` describe (the others at their defaults, as on the
/// command line), not yet validated; and the fields that were given. An unknown name is a
/// `TypeError`, a value of the wrong kind or one the parsers refuse a `ValueError` with the
/// command line's message.
fn definition(options: Option<&Bound<'_, PyDict>>) -> PyResult<(Definition, Vec<&'static str>)> {
    let mut d = Definition::default();
    let mut given = Vec::new();
    let (mut bands, mut rows) = (None, None);
    let Some(options) = options else {
        return Ok((d, given));
    };
    for (key, value) in options.iter() {
        let name: String = key.extract()?;
        let Some(&known) = NAMES.iter().find(|n| **n == name) else {
            return Err(PyTypeError::new_err(format!(
                "unexpected keyword argument '{name}' (the options are: {})",
                NAMES.join(", ")
            )));
        };
        let g = Given {
            name: known,
            value: &value,
        };
        if value.is_none() {
            // None leaves the default, as an option not given on the command line.
            continue;
        }
        match known {
            "threshold" => d.threshold = g.float()?,
            "mode" => d.mode = g.text()?.parse().map_err(to_py)?,
            "containment" => d.containment = g.float()?,
            "min_contained" => d.min_contained = g.size()?,
            "min_contained_words" => d.min_contained_words = g.size()?,
            "sample_every" => d.sample_every = g.count()?,
            "max_df" => d.max_df = g.size()?,
            "num_perm" => d.num_perm = g.size()?,
            "minhash" => d.minhash = g.text()?.parse().map_err(to_py)?,
            "seed" => d.seed = g.count()?,
            "shingle" => d.shingle = g.text()?.parse().map_err(to_py)?,
            "min_shingles" => d.min_shingles = g.size()?,
            "fn_weight" => d.fn_weight = g.float()?,
            "bands" => bands = Some(g.size()?),
            "rows" => rows = Some(g.size()?),
            "max_bucket" => d.max_bucket = g.size()?,
            "cross_outlet_only" => d.cross_outlet_only = g.flag()?,
            "window" => {
                d.window_days =
                    Some(u32::try_from(g.count()?).map_err(|_| g.invalid("a number of days"))?)
            }
            _ => unreachable!("every name in NAMES is matched"),
        }
        given.push(option_field(g.field()));
    }
    d.banding = match (bands, rows) {
        (Some(bands), Some(rows)) => Some(Banding { bands, rows }),
        (None, None) => None,
        (b, r) => {
            return Err(to_py(Error::Config {
                field: "--bands/--rows",
                expected: "both or neither".into(),
                got: format!(
                    "{} * {}",
                    b.map_or("?".into(), |b| b.to_string()),
                    r.map_or("?".into(), |r| r.to_string())
                ),
            }))
        }
    };
    Ok((d, given))
}

/// The `'static` field name of [`OPTIONS`] for `field`.
fn option_field(field: &str) -> &'static str {
    OPTIONS.iter().find(|o| o.0 == field).map_or("?", |o| o.0)
}

/// The articles of the columns handed in: `texts` (str, or None for a missing text), and
/// optional `ids`, `outlets`, `titles` and `dates` of the same length (None entries allowed
/// but in `ids`). Ids default to the position as a string.
fn articles(
    texts: &Bound<'_, PyList>,
    ids: Option<&Bound<'_, PyList>>,
    outlets: Option<&Bound<'_, PyList>>,
    titles: Option<&Bound<'_, PyList>>,
    dates: Option<&Bound<'_, PyList>>,
) -> PyResult<Vec<Article>> {
    let n = texts.len();
    for (name, col) in [
        ("ids", ids),
        ("outlets", outlets),
        ("titles", titles),
        ("dates", dates),
    ] {
        if let Some(col) = col {
            if col.len() != n {
                return Err(PyValueError::new_err(format!(
                    "{name} has {} entries, texts has {n}",
                    col.len()
                )));
            }
        }
    }
    let text_of = |item: Bound<'_, PyAny>, what: &str, i: usize| -> PyResult<Option<String>> {
        if item.is_none() {
            return Ok(None);
        }
        match item.cast::<PyString>() {
            Ok(s) => Ok(Some(s.to_cow()?.into_owned())),
            Err(_) => Err(PyTypeError::new_err(format!(
                "{what}[{i}] is a {}, not a str",
                item.get_type().name()?
            ))),
        }
    };
    let column = |col: Option<&Bound<'_, PyList>>, what: &str, i: usize| -> PyResult<_> {
        match col {
            Some(col) => text_of(col.get_item(i)?, what, i),
            None => Ok(None),
        }
    };
    let mut out = Vec::with_capacity(n);
    for (i, item) in texts.iter().enumerate() {
        let id = match column(ids, "ids", i)? {
            Some(id) => id,
            None if ids.is_some() => {
                return Err(PyValueError::new_err(format!("ids[{i}] is None")))
            }
            None => i.to_string(),
        };
        out.push(Article {
            id,
            // A missing text is an empty one: the library rejects it, as a line without text.
            text: text_of(item, "texts", i)?.unwrap_or_default(),
            title: column(titles, "titles", i)?,
            outlet: column(outlets, "outlets", i)?,
            date: column(dates, "dates", i)?,
            url: None,
        });
    }
    Ok(out)
}

/// Groups the copies among the articles: the columns of one row per cluster member (see
/// `neardup.cluster`).
#[pyfunction]
#[pyo3(signature = (texts, ids=None, outlets=None, titles=None, dates=None, threads=0, options=None))]
#[allow(clippy::too_many_arguments)]
fn cluster<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    ids: Option<&Bound<'py, PyList>>,
    outlets: Option<&Bound<'py, PyList>>,
    titles: Option<&Bound<'py, PyList>>,
    dates: Option<&Bound<'py, PyList>>,
    threads: usize,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (d, _) = definition(options)?;
    let finder = Finder::new(d).map_err(to_py)?.threads(threads);
    let articles = articles(texts, ids, outlets, titles, dates)?;
    let n = articles.len();
    let found = py.detach(|| finder.cluster(articles)).map_err(to_py)?;
    let rows: usize = found.groups.iter().map(|g| g.copies.len()).sum();
    let mut cluster = Vec::with_capacity(rows);
    let mut position = Vec::with_capacity(rows);
    let mut id = Vec::with_capacity(rows);
    let mut canonical = Vec::with_capacity(rows);
    let mut reference = Vec::with_capacity(rows);
    let mut canonical_id = Vec::with_capacity(rows);
    let mut jaccard = Vec::with_capacity(rows);
    let mut containment = Vec::with_capacity(rows);
    for g in &found.groups {
        let kept = g
            .copies
            .iter()
            .find(|c| c.position == g.kept)
            .map(|c| c.id.clone())
            .unwrap_or_default();
        for c in &g.copies {
            cluster.push(g.cluster.0);
            position.push(c.position.0 as u64);
            id.push(c.id.clone());
            canonical.push(c.position == g.kept);
            reference.push(c.position == g.reference);
            canonical_id.push(kept.clone());
            jaccard.push(c.jaccard);
            containment.push(c.containment);
        }
    }
    let out = PyDict::new(py);
    out.set_item("cluster", cluster)?;
    out.set_item("position", position)?;
    out.set_item("id", id)?;
    out.set_item("canonical", canonical)?;
    out.set_item("reference", reference)?;
    out.set_item("canonical_id", canonical_id)?;
    out.set_item("jaccard", jaccard)?;
    out.set_item("containment", containment)?;
    out.set_item("_articles", n)?;
    out.set_item(
        "_short",
        found.short.iter().map(|p| p.0 as u64).collect::<Vec<_>>(),
    )?;
    out.set_item(
        "_rejected",
        found
            .rejected
            .iter()
            .map(|r| (r.position.0 as u64, r.reason.clone()))
            .collect::<Vec<_>>(),
    )?;
    Ok(out)
}

/// Keeps one copy of each cluster: the columns of one row per article (see `neardup.dedupe`).
#[pyfunction]
#[pyo3(signature = (texts, ids=None, outlets=None, titles=None, dates=None, threads=0, templates="keep", options=None))]
#[allow(clippy::too_many_arguments)]
fn dedupe<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    ids: Option<&Bound<'py, PyList>>,
    outlets: Option<&Bound<'py, PyList>>,
    titles: Option<&Bound<'py, PyList>>,
    dates: Option<&Bound<'py, PyList>>,
    threads: usize,
    templates: &str,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (d, _) = definition(options)?;
    let templates = match templates {
        "keep" => Templates::Apart,
        "remove" => Templates::Together,
        other => {
            return Err(to_py(Error::Config {
                field: "--templates",
                expected: "keep or remove".into(),
                got: other.into(),
            }))
        }
    };
    let finder = Finder::new(d)
        .map_err(to_py)?
        .threads(threads)
        .templates(templates);
    let articles = articles(texts, ids, outlets, titles, dates)?;
    let n = articles.len();
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    let found = py.detach(|| finder.dedupe(articles)).map_err(to_py)?;
    let mut status = vec!["kept"; n];
    let mut duplicate_of: Vec<Option<String>> = vec![None; n];
    let mut cluster: Vec<Option<u32>> = vec![None; n];
    let mut reason: Vec<Option<String>> = vec![None; n];
    for r in &found.removed {
        let p = r.position.0;
        status[p] = "removed";
        duplicate_of[p] = Some(ids[r.duplicate_of.0].clone());
        cluster[p] = Some(r.cluster.0);
        // The kept copy is in the cluster too.
        cluster[r.duplicate_of.0] = Some(r.cluster.0);
    }
    for r in &found.rejected {
        status[r.position.0] = "rejected";
        reason[r.position.0] = Some(r.reason.clone());
    }
    let out = PyDict::new(py);
    out.set_item("position", (0..n as u64).collect::<Vec<_>>())?;
    out.set_item("id", ids)?;
    out.set_item("status", status)?;
    out.set_item("duplicate_of", duplicate_of)?;
    out.set_item("cluster", cluster)?;
    out.set_item("reason", reason)?;
    Ok(out)
}

/// The configuration for `definition` with the default reading options, validated.
fn config(definition: Definition) -> PyResult<Config> {
    let config = Config {
        definition,
        ..Config::default()
    };
    config.validate().map_err(to_py)?;
    Ok(config)
}

/// The rayon pool for `threads` (0: one per core).
fn pool(threads: usize) -> PyResult<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| to_py(Error::ThreadPool(e.to_string())))
}

/// The rejected articles of a run on a temporary file, as (position, reason).
type Rejected = Vec<(u64, String)>;

/// Writes a new index in `path` from the articles (as `neardup index build`): its counts.
#[pyfunction]
#[pyo3(signature = (path, texts, ids=None, outlets=None, titles=None, dates=None, threads=0, options=None))]
#[allow(clippy::too_many_arguments)]
fn index_build<'py>(
    py: Python<'py>,
    path: PathBuf,
    texts: &Bound<'py, PyList>,
    ids: Option<&Bound<'py, PyList>>,
    outlets: Option<&Bound<'py, PyList>>,
    titles: Option<&Bound<'py, PyList>>,
    dates: Option<&Bound<'py, PyList>>,
    threads: usize,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (d, given) = definition(options)?;
    for refused in ["min_contained_words", "cross_outlet_only", "window_days"] {
        if given.contains(&refused) {
            return Err(to_py(Error::Config {
                field: "index build",
                expected: "no real-text guard, outlet or date filter (the index applies none)"
                    .into(),
                got: option_of(refused).into(),
            }));
        }
    }
    let config = config(d)?;
    let pool = pool(threads)?;
    let articles = articles(texts, ids, outlets, titles, dates)?;
    let (counts, rejected) = py
        .detach(|| -> neardup::Result<_> {
            let file = ArticleFile::write(articles, &pool)?;
            let mut inputs = neardup::input::InputSet::open(&[file.path().to_path_buf()])?;
            let mut rejected: Rejected = Vec::new();
            let counts = neardup::index::build(
                &path,
                &mut inputs,
                &config,
                &pool,
                &mut |b| rejected.push((b.line - 1, b.message.clone())),
                &mut |_| {},
            )?;
            Ok((counts, rejected))
        })
        .map_err(to_py)?;
    add_counts(py, counts, rejected)
}

/// Adds the articles to the index in `path` (as `neardup index add`; crash-safe): its counts.
#[pyfunction]
#[pyo3(signature = (path, texts, ids=None, outlets=None, titles=None, dates=None, threads=0, options=None))]
#[allow(clippy::too_many_arguments)]
fn index_add<'py>(
    py: Python<'py>,
    path: PathBuf,
    texts: &Bound<'py, PyList>,
    ids: Option<&Bound<'py, PyList>>,
    outlets: Option<&Bound<'py, PyList>>,
    titles: Option<&Bound<'py, PyList>>,
    dates: Option<&Bound<'py, PyList>>,
    threads: usize,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (d, given) = definition(options)?;
    let pool = pool(threads)?;
    let articles = articles(texts, ids, outlets, titles, dates)?;
    let (counts, rejected) = py
        .detach(|| -> neardup::Result<_> {
            let writer = neardup::index::Writer::open(&path)?;
            neardup::index::check_definition(writer.index().params(), &d, &given)?;
            let config = Config {
                definition: writer.index().params().clone(),
                ..Config::default()
            };
            config.validate()?;
            let file = ArticleFile::write(articles, &pool)?;
            let mut inputs = neardup::input::InputSet::open(&[file.path().to_path_buf()])?;
            let mut rejected: Rejected = Vec::new();
            let pending = writer.prepare(
                &mut inputs,
                &config,
                &pool,
                &mut |b| rejected.push((b.line - 1, b.message.clone())),
                &mut |_| {},
            )?;
            Ok((writer.commit(pending)?, rejected))
        })
        .map_err(to_py)?;
    add_counts(py, counts, rejected)
}

/// The counts of a build or an add as a dict, with the rejected articles.
fn add_counts<'py>(
    py: Python<'py>,
    counts: neardup::index::AddCounts,
    mut rejected: Rejected,
) -> PyResult<Bound<'py, PyDict>> {
    rejected.sort();
    let out = PyDict::new(py);
    out.set_item("read", counts.read)?;
    out.set_item("added", counts.added)?;
    out.set_item("short", counts.short)?;
    out.set_item("rejected", counts.rejected)?;
    out.set_item("total", counts.total)?;
    out.set_item("rejected_articles", rejected)?;
    Ok(out)
}

/// Queries the articles against the index in `path` (as `neardup index query`): the columns of
/// one row per match, and the articles' own flags.
#[pyfunction]
#[pyo3(signature = (path, texts, ids=None, outlets=None, titles=None, dates=None, threads=0, options=None))]
#[allow(clippy::too_many_arguments)]
fn index_query<'py>(
    py: Python<'py>,
    path: PathBuf,
    texts: &Bound<'py, PyList>,
    ids: Option<&Bound<'py, PyList>>,
    outlets: Option<&Bound<'py, PyList>>,
    titles: Option<&Bound<'py, PyList>>,
    dates: Option<&Bound<'py, PyList>>,
    threads: usize,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    use neardup::index::{Index, QueryRecord};
    let (d, given) = definition(options)?;
    let pool = pool(threads)?;
    let articles = articles(texts, ids, outlets, titles, dates)?;
    let found = py
        .detach(|| -> neardup::Result<_> {
            let index = Index::open(&path)?;
            neardup::index::check_definition(index.params(), &d, &given)?;
            let config = Config {
                definition: index.params().clone(),
                ..Config::default()
            };
            config.validate()?;
            let file = ArticleFile::write(articles, &pool)?;
            let mut inputs = neardup::input::InputSet::open(&[file.path().to_path_buf()])?;
            let mut rejected: Rejected = Vec::new();
            let (results, _) =
                neardup::index::query_inputs(&index, &mut inputs, &config, &pool, &mut |b| {
                    rejected.push((b.line - 1, b.message.clone()))
                })?;
            let records = results
                .iter()
                .map(|r| QueryRecord::new(&index, r, ""))
                .collect::<neardup::Result<Vec<_>>>()?;
            rejected.sort();
            Ok((records, rejected))
        })
        .map_err(to_py)?;
    let (records, rejected) = found;
    let mut position = Vec::new();
    let mut query_id = Vec::new();
    let mut id = Vec::new();
    let mut outlet = Vec::new();
    let mut date = Vec::new();
    let mut title = Vec::new();
    let mut jaccard = Vec::new();
    let mut containment = Vec::new();
    for r in &records {
        for m in &r.matches {
            position.push(r.line - 1);
            query_id.push(r.id.clone());
            id.push(m.id.clone());
            outlet.push(m.outlet.clone());
            date.push(m.date.clone());
            title.push(m.title.clone());
            jaccard.push(m.jaccard);
            containment.push(m.containment);
        }
    }
    let out = PyDict::new(py);
    out.set_item("position", position)?;
    out.set_item("query_id", query_id)?;
    out.set_item("id", id)?;
    out.set_item("outlet", outlet)?;
    out.set_item("date", date)?;
    out.set_item("title", title)?;
    out.set_item("jaccard", jaccard)?;
    out.set_item("containment", containment)?;
    out.set_item(
        "_short",
        records
            .iter()
            .filter(|r| r.short)
            .map(|r| r.line - 1)
            .collect::<Vec<_>>(),
    )?;
    out.set_item(
        "_in_index",
        records
            .iter()
            .filter(|r| r.in_index)
            .map(|r| r.line - 1)
            .collect::<Vec<_>>(),
    )?;
    out.set_item("_rejected", rejected)?;
    Ok(out)
}

/// The size, segments and parameters of the index in `path`, as JSON (`neardup index stats
/// --format json`).
#[pyfunction]
fn index_stats(py: Python<'_>, path: PathBuf) -> PyResult<String> {
    py.detach(|| -> neardup::Result<String> {
        let index = neardup::index::Index::open(&path)?;
        Ok(serde_json::to_string(&index.stats()).expect("stats serialize"))
    })
    .map_err(to_py)
}

/// The default of every keyword option, as the command line has them (`window` and
/// `bands`/`rows` None: unset).
#[pyfunction]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = Definition::default();
    let out = PyDict::new(py);
    out.set_item("threshold", d.threshold)?;
    out.set_item("mode", d.mode.to_string())?;
    out.set_item("containment", d.containment)?;
    out.set_item("min_contained", d.min_contained)?;
    out.set_item("min_contained_words", d.min_contained_words)?;
    out.set_item("sample_every", d.sample_every)?;
    out.set_item("max_df", d.max_df)?;
    out.set_item("num_perm", d.num_perm)?;
    out.set_item("minhash", d.minhash.to_string())?;
    out.set_item("seed", d.seed)?;
    out.set_item("shingle", "auto")?;
    out.set_item("min_shingles", d.min_shingles)?;
    out.set_item("fn_weight", d.fn_weight)?;
    out.set_item("bands", py.None())?;
    out.set_item("rows", py.None())?;
    out.set_item("max_bucket", d.max_bucket)?;
    out.set_item("cross_outlet_only", d.cross_outlet_only)?;
    out.set_item("window", py.None())?;
    Ok(out)
}

/// The Rust extension of the `neardup` package.
#[pymodule]
fn _neardup(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cluster, m)?)?;
    m.add_function(wrap_pyfunction!(dedupe, m)?)?;
    m.add_function(wrap_pyfunction!(index_build, m)?)?;
    m.add_function(wrap_pyfunction!(index_add, m)?)?;
    m.add_function(wrap_pyfunction!(index_query, m)?)?;
    m.add_function(wrap_pyfunction!(index_stats, m)?)?;
    m.add_function(wrap_pyfunction!(defaults, m)?)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
