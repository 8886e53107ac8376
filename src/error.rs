//! The one error type of the library.
//!
//! Owns: every way a run can fail, with the path, line and field it concerns and, where it helps,
//! what was expected and what was found. Must not: print, exit, or know about clap. The binary maps
//! [`Error::exit_code`] to the process exit status.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be opened or read (an input error: exit code 2).
    #[error("{path}: {source}")]
    Input {
        /// The input file (`-` for standard input).
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An output or temporary file could not be created or written (exit code 1).
    #[error("{path}: {source}")]
    Output {
        /// The output file (`-` for standard output).
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A temporary file (in `TMPDIR`) could not be created, written or read back (exit code
    /// 1). When the disk is full, the message says to give `TMPDIR` more room.
    #[error("{what} in {}: {source}{}", dir.display(), room_hint(source))]
    Temporary {
        /// What the file holds ("temporary set spool", ...).
        what: &'static str,
        /// The directory temporary files go to (`TMPDIR`, or the system's default).
        dir: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line (or web archive record, or file) of the input could not be used as a document
    /// (only fatal with `strict`).
    #[error("{path}{}: {message}", unit.after_name(*line))]
    BadLine {
        /// The input file.
        path: String,
        /// The 1-based line number (record number for web archives).
        line: u64,
        /// What `line` counts.
        unit: crate::document::Unit,
        /// What is wrong with the line, e.g. `no "text" field`.
        message: String,
    },
    /// A configuration value is out of range or inconsistent.
    #[error("invalid {field}: expected {expected}, got {got}")]
    Config {
        /// The option or setting, e.g. `--threshold`.
        field: &'static str,
        /// What a valid value looks like.
        expected: String,
        /// The value that was given.
        got: String,
    },
    /// The input changed between the first read and the re-read needed for verification or
    /// output (for example a file was rewritten while neardup ran).
    #[error("{path}: input changed while neardup was running: {message}")]
    InputChanged {
        /// The input file.
        path: String,
        /// What no longer matches.
        message: String,
    },
    /// A persistent index is damaged, of another format version, or not an index at all
    /// (exit code 2). Never answered from: every byte is checked before it is used.
    #[error("{path}: {message}")]
    Index {
        /// The index directory or the file in it.
        path: PathBuf,
        /// What is wrong, e.g. `checksum mismatch in bytes 512..16896 (the file is damaged)`.
        message: String,
    },
    /// An option given on the command line differs from the value the index was built with
    /// (exit code 2): `index was built with --seed 1, got --seed 2`.
    #[error("index was built with {option} {built}, got {option} {got}")]
    IndexMismatch {
        /// The option, e.g. `--seed`.
        option: &'static str,
        /// The value stored in the index.
        built: String,
        /// The value given.
        got: String,
    },
    /// A signature directory or an engine's output is missing a part, malformed, or does not
    /// match the other parts (exit code 2).
    #[error("{path}: {message}")]
    Signatures {
        /// The file or directory concerned.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// An output cannot be written where it was asked to go (a directory, a missing parent, a
    /// directory that cannot be written), or would replace an input or another output of the
    /// same run (exit code 2). Found before anything is read: see `fsutil::check_outputs`.
    #[error("{}{}: {message}", option_prefix(option), path.display())]
    Destination {
        /// The option that names the output (`-o`, `--html`), or empty.
        option: String,
        /// The output as given.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// An input has units (lines, records, files) but gave no document: every unit was
    /// rejected as unreadable (exit code 2). The message says what the units look like and how
    /// to read them (`the lines have fields "body", "headline": use --text-field body`).
    #[error("{input}: {message}")]
    NoDocuments {
        /// The input.
        input: String,
        /// What was read, what the units look like and what to do.
        message: String,
    },
    /// The rayon thread pool could not be built.
    #[error("cannot start worker threads: {0}")]
    ThreadPool(String),
}

impl Error {
    /// Wraps an I/O error on an input file with the path it concerns.
    pub fn input(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Input {
            path: path.into(),
            source,
        }
    }

    /// Wraps an I/O error on an output or temporary file with the path it concerns.
    pub fn output(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Output {
            path: path.into(),
            source,
        }
    }

    /// A temporary file's I/O error: `what` the file holds, in the directory temporary files go
    /// to.
    pub fn temporary(what: &'static str, source: std::io::Error) -> Self {
        Error::Temporary {
            what,
            dir: std::env::temp_dir(),
            source,
        }
    }

    /// A problem with a signature directory or engine output at `path`.
    pub fn signatures(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Signatures {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The process exit code for this error: 2 for usage and input errors, 1 for other failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadLine { .. }
            | Error::Config { .. }
            | Error::InputChanged { .. }
            | Error::Input { .. }
            | Error::Index { .. }
            | Error::IndexMismatch { .. }
            | Error::Signatures { .. }
            | Error::Destination { .. }
            | Error::NoDocuments { .. } => 2,
            Error::Output { .. } | Error::Temporary { .. } | Error::ThreadPool(_) => 1,
        }
    }

    /// True when the error is a closed pipe on output, which is not a failure (`neardup ... | head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// `option ` before an output's path in a message, nothing when there is no option.
fn option_prefix(option: &str) -> String {
    if option.is_empty() {
        String::new()
    } else {
        format!("{option} ")
    }
}

/// What to do when a temporary file met a full disk.
fn room_hint(e: &std::io::Error) -> &'static str {
    if e.kind() == std::io::ErrorKind::StorageFull {
        " (set TMPDIR to a directory with more room: the shingle sets alone take about 8 bytes \
         a word of text, 3.3 GB for a million 400-word articles)"
    } else {
        ""
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_under_tmpdir_says_to_give_it_room() {
        let full = Error::temporary(
            "temporary set spool",
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        let message = full.to_string();
        let dir = std::env::temp_dir();
        assert!(
            message.starts_with(&format!("temporary set spool in {}: ", dir.display())),
            "{message}"
        );
        assert!(
            message.contains("set TMPDIR to a directory with more room"),
            "{message}"
        );
        assert_eq!(full.exit_code(), 1);
        // Other errors get no advice about room.
        let gone = Error::temporary(
            "temporary set spool",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert!(!gone.to_string().contains("TMPDIR"), "{gone}");
    }
}
