//! The library's front door: articles in memory in, clusters or a dedupe verdict out.
//!
//! Owns: [`Finder`] (a [`Definition`] and a thread count), the [`Article`] a caller hands in,
//! and the results ([`Clustering`], [`Deduped`]) with typed positions and cluster numbers, and
//! the temporary JSON Lines file the articles go through ([`ArticleFile`]).
//! Must not: print, time or report progress (telemetry stays in [`crate::outcome::Outcome`]
//! for the command line), or differ from what `neardup cluster` finds for the same articles as
//! JSON Lines: it runs the same pipeline on them.
//!
//! The articles are written once, as JSON Lines (serialized in parallel, a batch at a time), to
//! a temporary file in TMPDIR (removed when the call returns, or on Ctrl-C in the `neardup`
//! binary), because the pipeline reads its input twice (signatures first, then the sets of
//! candidate pairs): memory stays what it is for the command line, whatever the number of
//! articles.

use crate::config::{Config, Templates};
use crate::definition::Definition;
use crate::error::{Error, Result};
use crate::input::InputSet;
use std::io::Write;

/// One article handed to a [`Finder`]. Only `id` and `text` are required; the outlet and the
/// date feed the `cross_outlet_only` and `window_days` filters and the choice of the reference
/// copy, the title tells template items apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Article {
    /// Its id, unique in the collection.
    pub id: String,
    /// The article text.
    pub text: String,
    /// The headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The publishing outlet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// The publication date (`2024-05-01`, RFC 3339, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Article {
    /// An article with only an id and a text.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Article {
        Article {
            id: id.into(),
            text: text.into(),
            ..Article::default()
        }
    }

    /// The same article from `outlet`.
    pub fn outlet(self, outlet: impl Into<String>) -> Article {
        Article {
            outlet: Some(outlet.into()),
            ..self
        }
    }

    /// The same article published on `date`.
    pub fn date(self, date: impl Into<String>) -> Article {
        Article {
            date: Some(date.into()),
            ..self
        }
    }

    /// The same article under the headline `title`.
    pub fn title(self, title: impl Into<String>) -> Article {
        Article {
            title: Some(title.into()),
            ..self
        }
    }
}

/// Where an article stood in the collection handed in (0 for the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position(pub usize);

/// A cluster's number: 1 for the first, stable for the same articles and definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClusterId(pub u32);

/// One copy in a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    /// Where it stood.
    pub position: Position,
    /// Its id.
    pub id: String,
    /// Exact Jaccard similarity of its shingle set with the reference copy's.
    pub jaccard: f64,
    /// Exact share of the smaller of the two sets found in the larger.
    pub containment: f64,
}

/// A group of copies of one story.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The cluster's number.
    pub cluster: ClusterId,
    /// The copy a dedupe keeps (the longest text; ties to the smallest id).
    pub kept: Position,
    /// The copy the scores are against: the wire's own copy, else the earliest, else `kept`.
    pub reference: Position,
    /// Every copy, in input order.
    pub copies: Vec<Copy>,
}

/// An article that could not be used (no text, an id used twice, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Where it stood.
    pub position: Position,
    /// Why, as the command line says it.
    pub reason: String,
}

/// What [`Finder::cluster`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// The clusters of two or more copies, in number order.
    pub groups: Vec<Group>,
    /// Articles too short to compare (fewer shingles than `min_shingles`): in no cluster.
    pub short: Vec<Position>,
    /// Articles not used.
    pub rejected: Vec<Rejected>,
}

/// A removed copy and the kept one it copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    /// The removed article.
    pub position: Position,
    /// The kept copy of its cluster.
    pub duplicate_of: Position,
    /// Its cluster.
    pub cluster: ClusterId,
}

/// What [`Finder::dedupe`] decided: every article is in exactly one of `kept`, `removed` and
/// `rejected`.
#[derive(Debug, Clone, PartialEq)]
pub struct Deduped {
    /// Articles kept, in input order: one copy of each cluster and every article in none.
    pub kept: Vec<Position>,
    /// Articles removed as copies of a kept one, in input order.
    pub removed: Vec<Removed>,
    /// Articles not used.
    pub rejected: Vec<Rejected>,
}

/// Finds near-duplicate articles held in memory under one [`Definition`].
///
/// ```
/// use neardup::{Article, Definition, Finder};
///
/// let story = "TOKYO (AP) -- Japan's central bank kept its key interest rate unchanged on \
///              Tuesday, saying the economy was recovering moderately while prices rose.";
/// let articles = vec![
///     Article::new("a", story).outlet("Mainichi"),
///     Article::new("b", "An unrelated story about the weather in Osaka, where rain is \
///                        expected through the weekend and into next week.").outlet("Asahi"),
///     Article::new("c", story.replace("--", "—")).outlet("Asahi"),
/// ];
/// let finder = Finder::new(Definition::default())?.threads(1);
/// let found = finder.cluster(articles.clone())?;
/// assert_eq!(found.groups.len(), 1);
/// let ids: Vec<&str> = found.groups[0].copies.iter().map(|c| c.id.as_str()).collect();
/// assert_eq!(ids, ["a", "c"]);
///
/// let deduped = finder.dedupe(articles)?;
/// assert_eq!(deduped.kept.len() + deduped.removed.len(), 3);
/// # Ok::<(), neardup::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Finder {
    config: Config,
    threads: usize,
}

impl Finder {
    /// A finder for `definition` (checked here), on one thread per core, template items kept
    /// apart (as `neardup cluster` and `dedupe --templates keep`).
    pub fn new(definition: Definition) -> Result<Finder> {
        let config = Config {
            definition,
            ..Config::default()
        };
        config.validate()?;
        Ok(Finder { config, threads: 0 })
    }

    /// The same finder on `threads` worker threads (0: one per core). The results do not
    /// depend on it.
    pub fn threads(self, threads: usize) -> Finder {
        Finder { threads, ..self }
    }

    /// The same finder with template items (near-identical notices of different companies,
    /// products or days) kept apart or left together.
    pub fn templates(mut self, templates: Templates) -> Finder {
        self.config.templates = templates;
        self
    }

    /// The definition it finds duplicates by.
    pub fn definition(&self) -> &Definition {
        &self.config.definition
    }

    /// Groups the copies among `articles`.
    pub fn cluster(&self, articles: impl IntoIterator<Item = Article>) -> Result<Clustering> {
        let (outcome, rejected, _) = self.run(articles)?;
        let Some(outcome) = outcome else {
            return Ok(Clustering {
                groups: Vec::new(),
                short: Vec::new(),
                rejected,
            });
        };
        let at = |d: u32| position(&outcome.meta[d as usize]);
        let groups = outcome
            .clusters
            .iter()
            .map(|c| Group {
                cluster: ClusterId(c.cluster.number),
                kept: at(c.cluster.canonical),
                reference: at(c.reference),
                copies: c
                    .scores
                    .iter()
                    .map(|s| Copy {
                        position: at(s.doc),
                        id: outcome.meta[s.doc as usize].id.clone(),
                        jaccard: s.jaccard,
                        containment: s.containment,
                    })
                    .collect(),
            })
            .collect();
        let short = outcome
            .meta
            .iter()
            .filter(|m| m.short)
            .map(position)
            .collect();
        Ok(Clustering {
            groups,
            short,
            rejected,
        })
    }

    /// Keeps one copy of each cluster among `articles`.
    pub fn dedupe(&self, articles: impl IntoIterator<Item = Article>) -> Result<Deduped> {
        let mut count = 0;
        let counted = articles.into_iter().inspect(|_| count += 1);
        let found = self.cluster(counted)?;
        let mut removed: Vec<Removed> = found
            .groups
            .iter()
            .flat_map(|g| {
                g.copies
                    .iter()
                    .filter(move |c| c.position != g.kept)
                    .map(move |c| Removed {
                        position: c.position,
                        duplicate_of: g.kept,
                        cluster: g.cluster,
                    })
            })
            .collect();
        removed.sort_unstable_by_key(|r| r.position);
        let mut gone = vec![false; count];
        for p in removed
            .iter()
            .map(|r| r.position)
            .chain(found.rejected.iter().map(|r| r.position))
        {
            gone[p.0] = true;
        }
        let kept = (0..count).filter(|&i| !gone[i]).map(Position).collect();
        Ok(Deduped {
            kept,
            removed,
            rejected: found.rejected,
        })
    }

    /// Runs the pipeline on `articles` written to a temporary JSON Lines file: the outcome
    /// (none when no article could be used), the rejected articles and the number of articles.
    fn run(
        &self,
        articles: impl IntoIterator<Item = Article>,
    ) -> Result<(Option<crate::outcome::Outcome>, Vec<Rejected>, usize)> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .map_err(|e| Error::ThreadPool(e.to_string()))?;
        let file = ArticleFile::write(articles, &pool)?;
        let count = file.len();
        if count == 0 {
            return Ok((None, Vec::new(), 0));
        }
        let mut inputs = InputSet::open(&[file.path().to_path_buf()])?;
        let mut rejected = Vec::new();
        let mut on_bad = |b: &crate::pipeline::BadLine| {
            rejected.push(Rejected {
                position: Position(b.line as usize - 1),
                reason: b.message.clone(),
            })
        };
        let outcome = match crate::pipeline::run(&mut inputs, &self.config, &pool, &mut on_bad) {
            Ok(outcome) => Some(outcome),
            // Every article rejected: they are listed, nothing else to say.
            Err(Error::NoDocuments { .. }) if !rejected.is_empty() => None,
            Err(e) => return Err(e),
        };
        rejected.sort_by_key(|r| r.position);
        Ok((outcome, rejected, count))
    }
}

/// Articles written once as JSON Lines to a temporary file in TMPDIR (removed when dropped, or
/// on Ctrl-C in the `neardup` binary), for the pipeline and the index to read as any input:
/// line `n` is the article at position `n - 1`.
#[derive(Debug)]
pub struct ArticleFile {
    file: tempfile::NamedTempFile,
    count: usize,
    _registered: crate::cleanup::Registered,
}

/// Articles serialized together (in parallel on the current rayon pool) before their lines are
/// written: bounds the memory of the lines in flight.
const WRITE_BATCH: usize = 4096;

impl ArticleFile {
    /// Writes `articles` in order, serialized on `pool` a batch at a time (memory stays that
    /// of one batch whatever the number of articles).
    pub fn write(
        articles: impl IntoIterator<Item = Article>,
        pool: &rayon::ThreadPool,
    ) -> Result<ArticleFile> {
        use rayon::prelude::*;
        let file = tempfile::Builder::new()
            .prefix(".neardup-articles-")
            .suffix(".jsonl")
            .tempfile()
            .map_err(|e| Error::temporary("articles", e))?;
        let registered = crate::cleanup::register(file.path());
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file.as_file());
        let mut count = 0;
        let mut articles = articles.into_iter().peekable();
        let per_task = (WRITE_BATCH / pool.current_num_threads().max(1) / 4).max(64);
        while articles.peek().is_some() {
            let batch: Vec<Article> = articles.by_ref().take(WRITE_BATCH).collect();
            count += batch.len();
            let lines: Vec<Vec<u8>> = pool.install(|| {
                batch
                    .par_chunks(per_task)
                    .map(|chunk| {
                        let mut buf =
                            Vec::with_capacity(chunk.iter().map(|a| a.text.len() + 64).sum());
                        for a in chunk {
                            write_article(&mut buf, a);
                        }
                        buf
                    })
                    .collect()
            });
            for buf in &lines {
                w.write_all(buf)
                    .map_err(|e| Error::temporary("articles", e))?;
            }
        }
        w.flush().map_err(|e| Error::temporary("articles", e))?;
        drop(w);
        Ok(ArticleFile {
            file,
            count,
            _registered: registered,
        })
    }

    /// The file.
    pub fn path(&self) -> &std::path::Path {
        self.file.path()
    }

    /// How many articles it holds.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when it holds none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Appends `a` as one line of JSON Lines with the default field names, its strings escaped
/// eight bytes at a time ([`crate::input::jsonl::write_json_str`]: long texts hold few
/// characters to escape).
fn write_article(buf: &mut Vec<u8>, a: &Article) {
    use crate::input::jsonl::write_json_str;
    buf.extend_from_slice(b"{\"id\":");
    write_json_str(buf, &a.id);
    buf.extend_from_slice(b",\"text\":");
    write_json_str(buf, &a.text);
    for (key, value) in [
        ("title", &a.title),
        ("outlet", &a.outlet),
        ("date", &a.date),
        ("url", &a.url),
    ] {
        if let Some(value) = value {
            buf.push(b',');
            write_json_str(buf, key);
            buf.push(b':');
            write_json_str(buf, value);
        }
    }
    buf.extend_from_slice(b"}\n");
}

/// Where the article of `m` stood: its line in the temporary file, less one.
fn position(m: &crate::document::DocMeta) -> Position {
    Position(m.location.line as usize - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A line [`write_article`] writes is the article as serde_json would write it.
        #[test]
        fn an_article_line_reads_back_as_the_article(
            id in "\\PC{1,8}",
            text in "(\\PC|[\\x00-\\x1f\"\\\\])*",
            title in proptest::option::of("(\\PC|[\"\\\\\n])*"),
            url in proptest::option::of("\\PC*"),
        ) {
            let a = Article { id, text, title, outlet: Some("AP".into()), date: None, url };
            let mut line = Vec::new();
            write_article(&mut line, &a);
            proptest::prop_assert_eq!(line.pop(), Some(b'\n'));
            let got: serde_json::Value = serde_json::from_slice(&line).unwrap();
            proptest::prop_assert_eq!(got, serde_json::to_value(&a).unwrap());
        }
    }
}
