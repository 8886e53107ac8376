//! Documents and their metadata.
//!
//! Owns: the fields of one unit of input as parsed ([`Record`]), the [`Document`] made of them
//! (text included, short-lived) and the small [`DocMeta`] kept for every document after
//! signing, with the [`Location`] of its line so that it can be re-read, and where its wire
//! credit was found ([`Located`], [`Evidence`]; the patterns are `wire`'s). Must not: do I/O
//! or depend on another module of the crate.

/// What the `line` of a [`Location`] counts: lines of JSON Lines, records of a WARC file, or
/// nothing (the document is a whole file: `.txt`, `.html`, a `.json` object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 1-based line number.
    Line,
    /// 1-based record number in a web archive (every record counts, skipped ones too).
    Record,
    /// The whole file (`line` is 1).
    File,
    /// 1-based row number in a Parquet file (over all its row groups).
    Row,
}

impl Unit {
    /// What follows the file name in messages: `:12`, `: record 12`, or nothing.
    pub fn after_name(self, n: u64) -> String {
        match self {
            Unit::Line => format!(":{n}"),
            Unit::Record => format!(": record {n}"),
            Unit::File => String::new(),
            Unit::Row => format!(": row {n}"),
        }
    }

    /// The position in words: `line 12`, `record 12`, `the file`.
    pub fn describe(self, n: u64) -> String {
        match self {
            Unit::Line => format!("line {n}"),
            Unit::Record => format!("record {n}"),
            Unit::File => "the file".to_string(),
            Unit::Row => format!("row {n}"),
        }
    }
}

/// Where a document's line (or record, or file) is in the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Index of the input in the order given.
    pub input: u32,
    /// 1-based line number (record number in a web archive, 1 for a whole file; see [`Unit`]).
    pub line: u64,
    /// Byte offset of the line's first byte in the (decompressed) input; for standard input
    /// and named pipes, in their spool (see [`crate::input`]).
    pub offset: u64,
    /// Length of the line in bytes, without the line terminator.
    pub len: u32,
    /// xxh3 of the line's bytes, to notice an input that changed before it was re-read.
    pub checksum: u64,
}

/// A document as parsed from one input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Unique id: the id field, or `<input>:<line>` when the line has none.
    pub id: String,
    /// The article text.
    pub text: String,
    /// Headline, when given.
    pub title: Option<String>,
    /// Publishing outlet, when given.
    pub outlet: Option<String>,
    /// Publication date as given.
    pub date: Option<String>,
    /// URL, when given.
    pub url: Option<String>,
}

/// The fields of one unit of input (a JSON Lines line, a WARC record, a whole file) as
/// parsed, before the pipeline gives it an id: `id` is `None` when the unit has none (no id
/// field, or a null one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// The id, as a string (integers are written in decimal).
    pub id: Option<String>,
    /// The article text.
    pub text: String,
    /// Headline.
    pub title: Option<String>,
    /// Outlet.
    pub outlet: Option<String>,
    /// Date as given.
    pub date: Option<String>,
    /// URL.
    pub url: Option<String>,
}

/// What is kept of a document after signing: no text, and of its fields only the id and the
/// outlet (titles, dates as written and URLs are read again, with the text, for the documents
/// a report shows), so that memory grows with the number of documents, not with their size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMeta {
    /// Unique id.
    pub id: String,
    /// Publishing outlet, when given (one shared string per distinct outlet).
    pub outlet: Option<std::sync::Arc<str>>,
    /// Where the line is.
    pub location: Location,
    /// Length of the text in characters (the canonical member of a cluster is the longest).
    pub text_chars: u32,
    /// The publication date as days since 0001-01-01, when the date could be read.
    pub day: Option<i32>,
    /// The order of publication ([`crate::date::moment`]: seconds, the time of day counted
    /// when the date has one), when the date could be read: the earliest copy and the
    /// reference copy of a cluster are chosen by it.
    pub time: Option<i64>,
    /// The wire service the text names (index into [`crate::wire::SERVICES`]).
    pub wire: Option<u8>,
    /// Where the first pass found the evidence for `wire` in the text (`None` when `wire` is,
    /// or when the metadata came from elsewhere, e.g. a Spark run): a report then rebuilds
    /// the attribution from the text it reads again without searching it.
    pub located: Option<Located>,
    /// True when the evidence for `wire` is a dateline (or the story's own credit at its end):
    /// the wire's own copy of a story.
    pub wire_dateline: bool,
    /// The headline's key (`title_key` of the template stage), when the document has a title and
    /// the metadata came from the first pass: template items are looked for only in clusters
    /// whose members' headlines differ or are not known this way.
    pub title_key: Option<u64>,
    /// True when the document has fewer than `min_shingles` shingles: it has no signature and
    /// never matches.
    pub short: bool,
}

/// The kind of evidence behind an attribution, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// A dateline near the start of the text.
    Dateline,
    /// A byline.
    Byline,
    /// A photo or source credit.
    Credit,
    /// The outlet field names the service.
    Outlet,
}

/// Where an attribution's evidence is: the service, the kind of evidence and, for evidence in
/// the text, the byte range of the matched text in it. Small and without the text, so that
/// the first pass can keep it for every document and a report rebuilds the [`crate::wire::Attribution`]
/// from the text it reads again, without searching it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// Index into [`crate::wire::SERVICES`].
    pub service: u8,
    /// What kind of evidence was found.
    pub evidence: Evidence,
    /// The matched text is `text[start..end]` (both 0 for [`Evidence::Outlet`]).
    pub start: u32,
    /// End of the matched text.
    pub end: u32,
}
