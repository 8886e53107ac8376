//! Run configuration: a [`Definition`] of a duplicate, and how a run reads its inputs and how
//! much memory it holds. Every default is written once (here or in [`crate::definition`]) and
//! checked once by [`Config::validate`].
//!
//! Owns: the reading options (field names, strictness, line bound), memory budgets and the
//! template choice, and their defaults. Must not: read the environment, parse command lines
//! (that is the binary's `cli.rs`) or touch files; it depends on nothing but the definition and
//! the error type.

use crate::definition::{Banding, Definition};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Names of the JSON fields read from each input line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldNames {
    /// The document id (string or integer). Default `id`.
    pub id: String,
    /// The article text, required. Default `text`.
    pub text: String,
    /// The headline. Default `title`.
    pub title: String,
    /// The publishing outlet. Default `outlet`.
    pub outlet: String,
    /// The publication date, kept as given. Default `date`.
    pub date: String,
    /// The article URL. Default `url`.
    pub url: String,
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            outlet: "outlet".into(),
            date: "date".into(),
            url: "url".into(),
        }
    }
}

/// Everything a run needs to know: what a duplicate is ([`Definition`]), and how the inputs are
/// read and how much memory the run may hold. Build it with [`Config::default`], change
/// fields, then call [`Config::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// What counts as a duplicate.
    pub definition: Definition,
    /// JSON field names.
    pub fields: FieldNames,
    /// Fail on the first malformed line instead of reporting and skipping it.
    pub strict: bool,
    /// Input lines (and whole-file documents) longer than this many bytes are rejected (read
    /// through, never held in memory): the bound on memory per unit, also against
    /// decompression bombs.
    pub max_line_bytes: usize,
    /// Bytes of LSH band keys held in memory during the first pass; past them the keys spill
    /// to one temporary file per band ([`crate::lsh::BandKeys`]).
    pub band_key_memory: usize,
    /// What becomes of a cluster whose members are different items of one template
    /// ([`crate::template`]): kept apart (the default) or left together.
    pub templates: Templates,
}

/// What becomes of a cluster whose members are different items of one template (dividend
/// notices of different companies, a daily report, one notice for several products).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Templates {
    /// Each item is a cluster of its own copies, or a document in no cluster: `dedupe` keeps
    /// one copy of each item, so no distinct news is lost.
    #[default]
    Apart,
    /// The items stay one cluster, as near-identical texts: `dedupe` keeps one of them.
    Together,
}

/// The default of [`Config::max_line_bytes`]: 64 MiB, far above any article.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;

/// The default of [`Config::band_key_memory`]: 2 GiB of keys in memory, about 19 million
/// documents at 14 bands.
pub const DEFAULT_KEY_BUDGET: usize = 2 << 30;

impl Default for Config {
    fn default() -> Self {
        Config {
            definition: Definition::default(),
            fields: FieldNames::default(),
            strict: false,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            band_key_memory: DEFAULT_KEY_BUDGET,
            templates: Templates::Apart,
        }
    }
}

impl Config {
    /// Checks every value and returns the banding to use.
    pub fn validate(&self) -> Result<Banding> {
        let definition = self.definition.validate()?;
        if !(1..=u32::MAX as usize).contains(&self.max_line_bytes) {
            return Err(Error::Config {
                field: "--max-line-bytes",
                expected: "1 to 4294967295".into(),
                got: self.max_line_bytes.to_string(),
            });
        }
        let names = [
            &self.fields.id,
            &self.fields.text,
            &self.fields.title,
            &self.fields.outlet,
            &self.fields.date,
            &self.fields.url,
        ];
        for (i, a) in names.iter().enumerate() {
            if names[i + 1..].contains(a) {
                return Err(Error::Config {
                    field: "field names",
                    expected: "six distinct names".into(),
                    got: format!("{a:?} used twice"),
                });
            }
        }
        Ok(definition.banding())
    }
}
