//! Opening the inputs of a run: files named, directories walked, standard input and named
//! pipes.
//!
//! Owns: [`InputSet::open`], telling a compression by its magic bytes and decompressing gzip
//! members and zstd frames, refusing devices, walking directories in sorted order (entries
//! skipped, entries that cannot be read), and settling a file's format from its name or a
//! `WARC/` start. Must not: cut units (the scan does), or read from standard input or a named
//! pipe before the scan (what is read from them is gone).

use super::{Compression, Format, InputSet, Origin, Source, COPY_BUDGET, STREAM_LIMIT};
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// An input in a compression neardup does not read ([`Compression::unsupported`]).
#[derive(Debug)]
struct Unsupported(&'static str);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Unsupported {}

/// The message of an error that [`decompressed`] gives for an unsupported compression.
pub(super) fn unsupported_message(e: &io::Error) -> Option<&'static str> {
    e.get_ref()
        .and_then(|x| x.downcast_ref::<Unsupported>())
        .map(|u| u.0)
}

/// Peeks at the magic bytes of `raw` and returns a reader of the decompressed bytes. An xz or
/// bzip2 stream is an error whose message names the format ([`Compression::unsupported`]).
pub(super) fn decompressed<'a, R: Read + Send + 'a>(
    raw: R,
) -> io::Result<(Compression, Box<dyn BufRead + Send + 'a>)> {
    let mut buf = BufReader::with_capacity(1 << 16, raw);
    let head = buf.fill_buf()?;
    let kind = Compression::detect(head);
    let reader: Box<dyn BufRead + Send> = match kind {
        Compression::None => Box::new(buf),
        Compression::Gzip => Box::new(BufReader::with_capacity(1 << 16, GzMembers::new(buf))),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::stream::read::Decoder::with_buffer(buf)?,
        )),
        Compression::Xz | Compression::Bzip2 => {
            let message = kind.unsupported().unwrap_or("not supported");
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                Unsupported(message),
            ));
        }
    };
    Ok((kind, reader))
}

/// The members of a gzip stream, one after the other (as `flate2`'s `MultiGzDecoder`), except
/// that zero bytes after a member, to the end of the stream, end it quietly: `tar` and block
/// devices pad a `.gz` file so (GNU gzip says "trailing zero bytes ignored"). Anything else
/// after a member must be another member.
struct GzMembers<R> {
    /// The member being read; `None` at the end.
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: BufRead> GzMembers<R> {
    fn new(inner: R) -> GzMembers<R> {
        GzMembers {
            member: Some(flate2::bufread::GzDecoder::new(inner)),
        }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = &mut self.member else {
                return Ok(0);
            };
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The member ended; what follows it decides.
            let Some(member) = self.member.take() else {
                return Ok(0);
            };
            let mut inner = member.into_inner();
            let head = inner.fill_buf()?;
            if head.is_empty() {
                return Ok(0);
            }
            if head[0] == 0 {
                loop {
                    let rest = inner.fill_buf()?;
                    if rest.is_empty() {
                        return Ok(0);
                    }
                    if rest.iter().any(|&b| b != 0) {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "bytes other than gzip members or zero padding after the gzip data",
                        ));
                    }
                    let n = rest.len();
                    inner.consume(n);
                }
            }
            self.member = Some(flate2::bufread::GzDecoder::new(inner));
        }
    }
}

/// True when a decompressed stream starts like a WARC file.
pub(super) fn is_warc(reader: &mut dyn BufRead) -> io::Result<bool> {
    Ok(reader.fill_buf()?.starts_with(b"WARC/"))
}

/// What is wrong with a directory entry that walking could not read: a dangling symbolic
/// link, a loop of links, or an error from the system.
fn walk_failure(path: &Path, e: &walkdir::Error) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return format!(
            "a symbolic link to {}, a directory that contains it (a loop); skipped",
            ancestor.display()
        );
    }
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match e.io_error() {
        Some(io) if link && io.kind() == io::ErrorKind::NotFound => {
            match std::fs::read_link(path) {
                Ok(target) => format!(
                    "a dangling symbolic link (to {}, which does not exist); skipped",
                    target.display()
                ),
                Err(_) => "a dangling symbolic link; skipped".to_string(),
            }
        }
        Some(io) if link => format!("a symbolic link that cannot be followed ({io}); skipped"),
        Some(io) => format!("cannot be read ({io}); skipped"),
        None => format!("cannot be read ({e}); skipped"),
    }
}

/// Why a file named on the command line is not read: a character or block device (other than
/// `/dev/null`) gives bytes without end (`/dev/zero`, `/dev/urandom`) or is a disk.
#[cfg(unix)]
fn refuse_device(p: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let t = meta.file_type();
    if !(t.is_char_device() || t.is_block_device()) {
        return Ok(());
    }
    let null = std::fs::metadata("/dev/null").ok();
    if null.is_some_and(|n| n.file_type().is_char_device() && n.rdev() == meta.rdev()) {
        return Ok(());
    }
    let kind = if t.is_char_device() {
        "a character device"
    } else {
        "a block device"
    };
    Err(Error::input(
        p,
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{kind}, not a file: neardup reads files, directories, named pipes and standard \
                 input (-); to read a device anyway, pipe it in (cat DEVICE | neardup cluster -), \
                 where --max-stdin bounds what is read"
            ),
        ),
    ))
}

#[cfg(not(unix))]
fn refuse_device(_: &Path, _: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

impl InputSet {
    /// Checks that every named file can be opened and lists the files of named directories;
    /// `-` is standard input (at most once).
    ///
    /// # Errors
    /// A named input that does not exist or cannot be opened, `-` twice, or a character or
    /// block device other than `/dev/null` (`/dev/zero` never ends: pipe a device in as
    /// standard input to read it, within [`InputSet::set_stream_limit`]). Entries of named
    /// directories that cannot be read are not errors: each is a bad unit when the set is
    /// scanned.
    pub fn open(paths: &[PathBuf]) -> Result<InputSet> {
        let mut set = InputSet {
            sources: Vec::with_capacity(paths.len()),
            skipped_files: Vec::new(),
            copy_budget: COPY_BUDGET,
            stream_limit: STREAM_LIMIT,
            streamed: None,
            pages: None,
        };
        let mut stdin_seen = false;
        for p in paths {
            if p.as_os_str() == "-" {
                if stdin_seen {
                    return Err(Error::Config {
                        field: "inputs",
                        expected: "standard input (-) named at most once".into(),
                        got: "- twice".into(),
                    });
                }
                stdin_seen = true;
                set.sources.push(Source {
                    name: "stdin".into(),
                    origin: Origin::Stdin { spool: None },
                    format: Format::Jsonl,
                    stamp: None,
                });
                continue;
            }
            let meta = std::fs::metadata(p).map_err(|e| Error::input(p, e))?;
            if meta.is_dir() {
                set.open_dir(p);
            } else if !meta.is_file() {
                refuse_device(p, &meta)?;
                // Nothing may be read from a pipe before the first pass: what is read is gone.
                set.sources.push(Source {
                    name: p.display().to_string(),
                    origin: Origin::Pipe {
                        path: p.to_path_buf(),
                        spool: None,
                    },
                    format: Format::from_name(p).unwrap_or(Format::Jsonl),
                    stamp: None,
                });
            } else {
                let format = Format::from_name(p).unwrap_or(Format::Jsonl);
                let file = File::open(p).map_err(|e| Error::input(p, e))?;
                set.push_file(p, file, format, false);
            }
        }
        Ok(set)
    }

    /// Adds the files under directory `dir`, recursively, in sorted order. An entry that
    /// cannot be read is added as a broken source (one bad unit); a named pipe, socket or
    /// device is counted in [`InputSet::skipped_files`], never opened (a pipe would block).
    fn open_dir(&mut self, dir: &Path) {
        // Hidden files and directories (.git, editor swap files, .DS_Store) are not articles.
        let hidden = |e: &walkdir::DirEntry| {
            e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.')
        };
        let walk = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !hidden(e));
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e.path().unwrap_or(dir).to_path_buf();
                    let message = walk_failure(&path, &e);
                    // A dangling link whose name says no format would have been skipped.
                    if message.starts_with("a dangling") && Format::from_name(&path).is_none() {
                        self.skipped_files.push(path);
                    } else {
                        self.push_broken(&path, message);
                    }
                    continue;
                }
            };
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            if !kind.is_file() {
                self.skipped_files.push(entry.into_path());
                continue;
            }
            match Format::from_name(entry.path()) {
                Some(format) => match File::open(entry.path()) {
                    Ok(file) => self.push_file(entry.path(), file, format, true),
                    Err(e) => {
                        self.push_broken(entry.path(), format!("cannot be opened ({e}); skipped"))
                    }
                },
                None => self.skipped_files.push(entry.into_path()),
            }
        }
    }

    /// Adds a directory entry that cannot be read: one bad unit saying `message`.
    fn push_broken(&mut self, path: &Path, message: String) {
        self.sources.push(Source {
            name: path.display().to_string(),
            origin: Origin::Broken(message),
            format: Format::Text,
            stamp: None,
        });
    }

    /// Adds the file `file` at `p`, its format told by its name (`format`) unless it starts as
    /// a web archive; `found` when it was found in a named directory.
    fn push_file(&mut self, p: &Path, file: File, format: Format, found: bool) {
        let (compression, format) = match decompressed(file) {
            Ok((compression, mut reader)) => match is_warc(&mut reader) {
                Ok(true) => (compression, Format::Warc),
                // A Parquet file, whatever its name (read by position, never compressed).
                Ok(false)
                    if compression == Compression::None
                        && reader.fill_buf().is_ok_and(super::parquet::is_parquet) =>
                {
                    (compression, Format::Parquet)
                }
                // A file that cannot be decompressed fails when it is read, with its name.
                Ok(false) | Err(_) => (compression, format),
            },
            // Read again when the set is scanned, where the error is the file's bad unit.
            Err(_) => (Compression::None, format),
        };
        self.sources.push(Source {
            name: p.display().to_string(),
            origin: Origin::File {
                path: p.to_path_buf(),
                compression,
                found,
                copy: None,
            },
            format,
            stamp: None,
        });
    }
}
