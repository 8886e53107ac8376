//! Temporary spill files: what a run keeps on disk instead of in memory (band keys past their
//! budget, sampled shingles and pairs, shingle sets, report pieces, standard input, the
//! decompressed copies of compressed inputs), and positioned reads of a shared file.
//!
//! Owns: [`Spill`] (an unnamed temporary file in `TMPDIR`, appended to and read back by offset
//! or whole, its errors named by what it holds), [`read_at`] and [`PosReader`]. Must not: decide what is
//! spilled or when (the callers' budgets do), know the layout of what is spilled, or give a
//! spill a name: an unnamed file is removed by the system however the run ends, so spills
//! need no entry in [`crate::cleanup`].

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};

/// Bytes of the buffer of a [`Spill::buffered`] spill.
const BUFFER: usize = 1 << 20;

/// An unnamed temporary file in `TMPDIR` (`tempfile::tempfile()`): appended to in order, each
/// append at the offset [`Spill::append`] returns, and read back by offset ([`Spill::read_at`],
/// from several threads at once) or whole ([`Spill::read_all`]). A buffered spill is read
/// once [`Spill::finish`] wrote out its buffer; an unbuffered one at any time. Every I/O error
/// is an [`Error::Temporary`] naming what the spill holds (the `what` it was made with).
#[derive(Debug)]
pub struct Spill {
    what: &'static str,
    file: File,
    appender: Appender,
    len: u64,
}

#[derive(Debug)]
enum Appender {
    /// Each append is one write to the file.
    Direct,
    /// Appends go through a buffer on a second handle of the file.
    Buffered(BufWriter<File>),
    /// A buffered spill after [`Spill::finish`]: read only.
    Finished,
}

impl Spill {
    /// A new, empty spill whose appends go through a buffer of 1 MiB: for many small appends.
    /// Read it after [`Spill::finish`].
    pub fn buffered(what: &'static str) -> Result<Spill> {
        let file = tempfile::tempfile().map_err(|e| Error::temporary(what, e))?;
        let writer = file.try_clone().map_err(|e| Error::temporary(what, e))?;
        Ok(Spill {
            what,
            file,
            appender: Appender::Buffered(BufWriter::with_capacity(BUFFER, writer)),
            len: 0,
        })
    }

    /// A new, empty spill whose appends are written at once, one write each: for callers
    /// that append large blocks, and for many spills at a time (no buffer each). It can be
    /// read and appended to in any order.
    pub fn unbuffered(what: &'static str) -> Result<Spill> {
        let file = tempfile::tempfile().map_err(|e| Error::temporary(what, e))?;
        Ok(Spill {
            what,
            file,
            appender: Appender::Direct,
            len: 0,
        })
    }

    /// What the spill holds, as its errors name it.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// Appends `bytes`; returns the offset they start at.
    ///
    /// # Panics
    /// On a buffered spill after [`Spill::finish`].
    pub fn append(&mut self, bytes: &[u8]) -> Result<u64> {
        let written = match &mut self.appender {
            Appender::Direct => (&self.file).write_all(bytes),
            Appender::Buffered(w) => w.write_all(bytes),
            Appender::Finished => panic!("spill still open for writing"),
        };
        written.map_err(|e| Error::temporary(self.what, e))?;
        let at = self.len;
        self.len += bytes.len() as u64;
        Ok(at)
    }

    /// Writes out what a buffered spill holds in its buffer and closes its writer: the spill
    /// can be read from then on, and no longer appended to. Nothing to do for an unbuffered
    /// spill.
    pub fn finish(&mut self) -> Result<()> {
        match std::mem::replace(&mut self.appender, Appender::Finished) {
            Appender::Buffered(mut w) => w.flush().map_err(|e| Error::temporary(self.what, e))?,
            Appender::Direct => self.appender = Appender::Direct,
            Appender::Finished => {}
        }
        Ok(())
    }

    /// [`Spill::finish`], then what was written synced to disk, so that a full disk shows here.
    pub fn sync(&mut self) -> Result<()> {
        self.finish()?;
        self.file
            .sync_data()
            .map_err(|e| Error::temporary(self.what, e))
    }

    /// Bytes appended so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads `buf.len()` bytes at `offset` (see [`read_at`]).
    ///
    /// # Panics
    /// On a buffered spill before [`Spill::finish`].
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<()> {
        self.assert_readable();
        read_at(&self.file, buf, offset).map_err(|e| Error::temporary(self.what, e))
    }

    /// Everything appended, read back in one piece. Reads through the position of the file
    /// (which appends use too, and leaves at the end): not from two threads at once.
    ///
    /// # Panics
    /// On a buffered spill before [`Spill::finish`].
    pub fn read_all(&self) -> Result<Vec<u8>> {
        self.assert_readable();
        let err = |e| Error::temporary(self.what, e);
        let mut f = &self.file;
        f.seek(io::SeekFrom::Start(0)).map_err(err)?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(err)?;
        Ok(bytes)
    }

    /// Another handle on the file, to read it by position (with [`read_at`]) once the spill is
    /// finished; the file stays as long as one handle does.
    pub fn reader(&self) -> Result<File> {
        self.file
            .try_clone()
            .map_err(|e| Error::temporary(self.what, e))
    }

    fn assert_readable(&self) {
        assert!(
            !matches!(self.appender, Appender::Buffered(_)),
            "spill read before finish()"
        );
    }
}

/// Reads exactly `buf.len()` bytes of `file` at `offset`, without moving its position, so that
/// several threads may read one file at once (`pread` where the platform has it). An
/// [`io::ErrorKind::UnexpectedEof`] error when the file ends before.
#[cfg(unix)]
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Reads exactly `buf.len()` bytes of `file` at `offset`, on a handle of its own, so that
/// several threads may read one file at once. An [`io::ErrorKind::UnexpectedEof`] error when
/// the file ends before.
#[cfg(not(unix))]
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    let mut f = file.try_clone()?;
    f.seek(io::SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

/// A file read by position (`pread` where the platform has it) from its own place, so that
/// several readers of one file (a spill and its [`Spill::reader`]s) do not move each other's.
#[derive(Debug)]
pub struct PosReader {
    file: File,
    pos: u64,
}

impl PosReader {
    /// Reads `file` from its start.
    pub fn new(file: File) -> PosReader {
        PosReader { file, pos: 0 }
    }
}

impl Read for PosReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(&self.file, buf, self.pos)?;
        #[cfg(not(unix))]
        let n = {
            self.file.seek(io::SeekFrom::Start(self.pos))?;
            self.file.read(buf)?
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PosReader {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        let pos = match to {
            io::SeekFrom::Start(p) => Some(p),
            io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            io::SeekFrom::End(d) => self.file.metadata()?.len().checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spills() -> Vec<Spill> {
        vec![
            Spill::buffered("test spill").unwrap(),
            Spill::unbuffered("test spill").unwrap(),
        ]
    }

    #[test]
    fn appends_are_read_back_at_their_offsets() {
        for mut s in spills() {
            assert!(s.is_empty());
            let pieces: [&[u8]; 4] = [b"alpha", b"", b"beta", &[7u8; 3000]];
            let at: Vec<u64> = pieces.iter().map(|p| s.append(p).unwrap()).collect();
            assert_eq!(at, [0, 5, 5, 9]);
            assert_eq!(s.len(), 3009);
            s.finish().unwrap();
            for (p, &a) in pieces.iter().zip(&at) {
                let mut buf = vec![0u8; p.len()];
                s.read_at(&mut buf, a).unwrap();
                assert_eq!(&buf, p);
            }
            assert_eq!(s.read_all().unwrap(), pieces.concat());
            // Whole or by offset, in either order.
            let mut buf = [0u8; 4];
            s.read_at(&mut buf, 5).unwrap();
            assert_eq!(&buf, b"beta");
            let mut past = [0u8; 2];
            let e = s.read_at(&mut past, 3008).unwrap_err();
            assert!(
                matches!(&e, Error::Temporary { what: "test spill", source, .. }
                    if source.kind() == io::ErrorKind::UnexpectedEof),
                "{e:?}"
            );
        }
    }

    #[test]
    fn an_unbuffered_spill_is_appended_to_after_reads() {
        let mut s = Spill::unbuffered("test spill").unwrap();
        s.append(b"one").unwrap();
        assert_eq!(s.read_all().unwrap(), b"one");
        assert_eq!(s.append(b"two").unwrap(), 3);
        assert_eq!(s.read_all().unwrap(), b"onetwo");
        s.finish().unwrap();
        assert_eq!(s.append(b"!").unwrap(), 6);
        let mut r = s.reader().unwrap();
        let mut all = Vec::new();
        r.seek(io::SeekFrom::Start(0)).unwrap();
        r.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"onetwo!");
    }

    #[test]
    #[should_panic(expected = "spill read before finish()")]
    fn a_buffered_spill_is_read_after_finish() {
        let mut s = Spill::buffered("test spill").unwrap();
        s.append(b"x").unwrap();
        let _ = s.read_all();
    }

    #[test]
    fn pos_readers_keep_their_own_place() {
        let mut s = Spill::unbuffered("test spill").unwrap();
        s.append(b"0123456789").unwrap();
        let mut a = PosReader::new(s.reader().unwrap());
        let mut b = PosReader::new(s.reader().unwrap());
        let mut two = [0u8; 2];
        a.read_exact(&mut two).unwrap();
        b.seek(io::SeekFrom::End(-3)).unwrap();
        let mut rest = Vec::new();
        b.read_to_end(&mut rest).unwrap();
        assert_eq!((&two, rest.as_slice()), (b"01", &b"789"[..]));
        a.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"23");
        s.append(b"!").unwrap();
        assert_eq!(
            s.read_all().unwrap(),
            b"0123456789!",
            "appends still go to the end"
        );
        assert!(b.seek(io::SeekFrom::Current(-20)).is_err());
    }

    #[test]
    fn read_at_reads_exactly_or_fails() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"0123456789").unwrap();
        let mut buf = [0u8; 3];
        read_at(&f, &mut buf, 4).unwrap();
        assert_eq!(&buf, b"456");
        assert_eq!(
            read_at(&f, &mut buf, 8).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }
}
