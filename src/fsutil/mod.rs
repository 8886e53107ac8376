//! Where neardup touches the file system for its own files: the one way an output file or
//! directory is written, the checks every destination passes before a run reads anything, and
//! the temporary spill files that hold what memory cannot.
//!
//! Owns, one file each:
//!
//! - `outputs.rs`: [`Output`] (standard output, a device or pipe written in place, or an
//!   [`AtomicFile`]), [`destination`] (what a path leads to after its symbolic links) and the
//!   preflight checks [`check_outputs`], [`check_output_dir`] and [`check_replaced_dir`] (an
//!   output that is an input or another output, a directory, a missing parent, a directory that
//!   cannot be written).
//! - `atomic.rs`: [`AtomicFile`] and [`write_atomic`] (a temporary file next to the target,
//!   synced, renamed over it, the directory synced; the target's permissions kept),
//!   [`AtomicDir`] (a directory built aside and renamed into place, replacing an old one or
//!   only a new one), [`create_locked`] (a file that appears already locked) and [`sync_dir`].
//! - `spill.rs`: [`Spill`] (an unnamed temporary file in `TMPDIR`, appended to and read back by
//!   offset) and the positioned reads of a shared file, [`read_at`] and [`PosReader`].
//!
//! Must not: know about formats, or name options other than those the caller passes for its
//! messages; decide what is spilled or when (the callers' budgets do).
//!
//! The rules, for every writer (the cluster file and its views, dedupe's outputs, the report's
//! pages, the index and its manifest, `neardup spark sign`'s Parquet files and manifests,
//! `neardup gen`):
//!
//! - A regular file is replaced atomically: written to `.neardup-*.tmp` in the directory of
//!   the target, synced, renamed over the target, and the directory synced. A symbolic link is
//!   followed, so the link stays and its target is replaced (atomically, in the target's
//!   directory).
//! - An existing file keeps its permission bits (set-user-ID and set-group-ID bits are
//!   dropped) and, where the process may, its owner and group; a new file gets `0666` less the
//!   umask, as any program creating a file does (`0644` under the usual umask `022`).
//! - A device, named pipe or socket (`/dev/null`, a FIFO), and any path that leads through
//!   `/proc` (`/dev/stdout`, `/dev/fd/N`: files the caller handed over already open) are
//!   written in place, never renamed over; `/dev/stdout`, `/dev/fd/1` and `/proc/self/fd/1`
//!   are standard output itself.
//! - Standard output, devices and pipes are never "the same file" as another output or an
//!   input: they are not replaced, so two outputs to `/dev/null` are fine.
//! - A directory is written in a temporary directory next to it and renamed into place:
//!   readers see the old directory or the new one, never a part of one.
//! - Temporary files of a run have no name ([`Spill`]) or are on the list that an interrupted
//!   run removes ([`crate::cleanup`]), so nothing is left behind however the run ends.

mod atomic;
mod outputs;
mod spill;

pub use atomic::{create_locked, sync_dir, write_atomic, AtomicDir, AtomicFile};
pub use outputs::{
    check_output_dir, check_outputs, check_replaced_dir, destination, names_directory, Destination,
    Output,
};
pub use spill::{read_at, PosReader, Spill};

use crate::error::Error;
use std::path::{Path, PathBuf};

/// The directory `p` is in (`.` for a bare file name).
fn parent_dir(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The error for an output that cannot go where it was asked to.
fn refuse(option: &str, path: &Path, message: impl Into<String>) -> Error {
    Error::Destination {
        option: option.to_string(),
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The directory `dir` names: its trailing separators dropped, its symbolic links followed
/// when it exists.
fn dir_target(dir: &Path) -> PathBuf {
    let given = dir.as_os_str().to_string_lossy();
    let trimmed = given.trim_end_matches(['/', std::path::MAIN_SEPARATOR]);
    let p = if trimmed.is_empty() {
        PathBuf::from(given.as_ref())
    } else {
        PathBuf::from(trimmed)
    };
    std::fs::canonicalize(&p).unwrap_or(p)
}
