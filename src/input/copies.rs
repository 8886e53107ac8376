//! The decompressed copies of compressed inputs: what
//! [`InputSet::scan`](super::InputSet::scan) decompresses of a compressed file is copied to a
//! temporary file on the way, so that the second pass reads its units by position instead of
//! decompressing the file again.
//!
//! Owns: the budget all copies share (`--copy-budget`), starting a copy when it has room, and
//! the [`Tee`] that writes it and gives it up when it outgrows the budget or a write fails.
//! Must not: change what is read (the outputs are the same with copies or without), or leave
//! a file behind in `TMPDIR`.

use super::open::decompressed;
use super::Compression;
use crate::fsutil::Spill;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

/// Copies everything read through it into the decompressed copy of a compressed input, which
/// is given up (and the file decompressed again when it is read again) when a write fails or
/// the copies would grow past their budget.
struct Tee<R> {
    inner: R,
    /// Where the copy goes; `None` once it was given up.
    spool: Option<Spill>,
    budget: Arc<CopyBudget>,
}

/// What the decompressed copies of compressed inputs may still take
/// ([`InputSet::scan`](super::InputSet::scan)), shared by the loop that reads the inputs and the
/// [`Tee`] of the one being read.
#[derive(Debug)]
pub(super) struct CopyBudget {
    /// Bytes the copies may still take.
    room: std::sync::atomic::AtomicU64,
    /// Set when the copy of the input being read was given up.
    gave_up: std::sync::atomic::AtomicBool,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::sync::atomic::Ordering::Relaxed;
        let n = self.inner.read(buf)?;
        let Some(spool) = &mut self.spool else {
            return Ok(n);
        };
        let room = self.budget.room.load(Relaxed);
        if n as u64 > room || spool.append(&buf[..n]).is_err() {
            self.budget.gave_up.store(true, Relaxed);
            self.spool = None;
        } else {
            self.budget.room.store(room - n as u64, Relaxed);
        }
        Ok(n)
    }
}

/// A temporary file for the decompressed copy of a compressed input of `size` bytes, when
/// the copies still have room for it (at least twice its size: JSON text compresses more
/// than that) and the file can be made; `None` otherwise. It has no name (removed at once), so
/// nothing is left behind however the run ends.
fn copy_file(budget: &CopyBudget, size: u64) -> Option<Spill> {
    use std::sync::atomic::Ordering::Relaxed;
    if size.saturating_mul(2) > budget.room.load(Relaxed) {
        return None;
    }
    Spill::unbuffered("decompressed copy").ok()
}

impl CopyBudget {
    /// A budget of `room` bytes for all copies.
    pub(super) fn new(room: u64) -> CopyBudget {
        CopyBudget {
            room: std::sync::atomic::AtomicU64::new(room),
            gave_up: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// True when the copy of the input last opened by [`open_copying`] was given up.
    pub(super) fn gave_up(&self) -> bool {
        self.gave_up.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Opens the first `size` bytes of `file` (compressed as `compression`) decompressed for the
/// first pass, copying what is read to a temporary file when the file is compressed and the
/// copies have room for it ([`copy_file`]): the reader, and a handle on the copy to read it
/// again, which holds the whole input only when the copy was not given up meanwhile
/// ([`CopyBudget::gave_up`], to ask once the input is read through).
pub(super) fn open_copying(
    file: File,
    size: u64,
    compression: Compression,
    budget: &Arc<CopyBudget>,
) -> (io::Result<Box<dyn BufRead + Send>>, Option<File>) {
    let spill = match compression {
        Compression::None => None,
        _ => copy_file(budget, size),
    };
    match (decompressed(file.take(size)), spill) {
        (Ok((_, inner)), Some(spill)) => match spill.reader() {
            Ok(reader) => {
                budget
                    .gave_up
                    .store(false, std::sync::atomic::Ordering::Relaxed);
                let tee = Tee {
                    inner,
                    spool: Some(spill),
                    budget: Arc::clone(budget),
                };
                let opened: Box<dyn BufRead + Send> =
                    Box::new(BufReader::with_capacity(1 << 16, tee));
                (Ok(opened), Some(reader))
            }
            Err(_) => (Ok(inner), None),
        },
        (opened, _) => (opened.map(|r| r.1), None),
    }
}
