//! Where outputs go: what a path leads to, the checks every destination passes before a run
//! reads anything, and [`Output`], the writer of one output of a run.
//!
//! Owns: [`Destination`] and [`destination`], the preflight checks ([`check_outputs`],
//! [`check_output_dir`], [`check_replaced_dir`]) and [`Output`]. Must not: replace a file
//! itself (that is [`super::AtomicFile`]'s), or know about formats.

use super::atomic::{temp_builder, without_path, AtomicFile};
use super::{dir_target, parent_dir, refuse};
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Component, Path, PathBuf};

/// How many symbolic links are followed before giving up (as Linux's `ELOOP` limit).
const MAX_LINKS: usize = 40;

/// Where an output path leads, after following its symbolic links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output: `-`, `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`.
    Stdout,
    /// A device, named pipe or socket, or a file reached through `/proc` (an open file of the
    /// process): opened and written in place.
    InPlace(PathBuf),
    /// A regular file, existing or new, replaced atomically: the path after every symbolic link
    /// (the file renamed over).
    File(PathBuf),
}

/// What `path` leads to, or what is wrong with it as an output: a directory, a name ending with
/// `/`, a parent directory that does not exist or is not a directory, a loop of symbolic links.
/// Reads nothing but metadata and links.
pub fn destination(path: &Path) -> std::result::Result<Destination, String> {
    if path.as_os_str() == "-" {
        return Ok(Destination::Stdout);
    }
    let given = path.as_os_str().to_string_lossy();
    if given.ends_with('/') || given.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(if path.is_dir() {
            "is a directory; give the name of a file to write".into()
        } else {
            "ends with a slash, so it names a directory; give the name of a file to write".into()
        });
    }
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                if let Some(d) = process_fd(&p) {
                    return Ok(d);
                }
                let link = std::fs::read_link(&p).map_err(|e| e.to_string())?;
                p = match p.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Ok(m) if m.is_dir() => {
                return Err("is a directory; give the name of a file to write".into())
            }
            Ok(m) if m.is_file() => {
                return Ok(match process_fd(&p) {
                    Some(d) => d,
                    None => Destination::File(p),
                })
            }
            Ok(_) => return Ok(Destination::InPlace(p)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                let parent = parent_dir(&p);
                return match std::fs::metadata(parent) {
                    Ok(m) if m.is_dir() => Ok(Destination::File(p)),
                    Ok(_) => Err(format!("{} is not a directory", parent.display())),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!(
                        "the directory {} does not exist; create it first (mkdir -p {})",
                        parent.display(),
                        parent.display()
                    )),
                    Err(e) => Err(format!(
                        "cannot use the directory {}: {e}",
                        parent.display()
                    )),
                };
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("too many levels of symbolic links".into())
}

/// For a path in `/proc` (where `/dev/stdout` and `/dev/fd/N` lead): standard output for the
/// process's descriptor 1, else the path itself, written in place. `None` elsewhere.
fn process_fd(p: &Path) -> Option<Destination> {
    let parent = std::fs::canonicalize(parent_dir(p)).ok()?;
    if !parent.starts_with("/proc") {
        return None;
    }
    let own_fds = std::fs::canonicalize("/proc/self/fd").ok();
    if own_fds.as_deref() == Some(parent.as_path()) && p.file_name() == Some("1".as_ref()) {
        return Some(Destination::Stdout);
    }
    Some(Destination::InPlace(p.to_path_buf()))
}

/// What identifies a file for the collision checks: device and inode when it exists, else its
/// absolute path with the links of its directory resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(p: &Path) -> Option<Identity> {
    match std::fs::metadata(p) {
        #[cfg(unix)]
        Ok(m) => {
            use std::os::unix::fs::MetadataExt;
            Some(Identity::Inode(m.dev(), m.ino()))
        }
        #[cfg(not(unix))]
        Ok(_) => std::fs::canonicalize(p).ok().map(Identity::Path),
        Err(_) => resolved(p).map(Identity::Path),
    }
}

/// `p` made absolute: its longest existing prefix canonicalized (links and `..` resolved),
/// the rest appended with `.` dropped and `..` taken lexically.
fn resolved(p: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(p).ok()?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(existing) {
            let mut out = c;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return Some(out);
        }
        rest.push(existing.components().next_back()?);
        existing = existing.parent()?;
    }
}

/// Checks the outputs of a run before it reads anything: each destination (see
/// [`destination`]; and that a file can be created in its directory), that no two outputs are
/// one file, and that no output is one of `inputs` or, for an input that is a directory, an
/// existing file under it. Files are compared by device and inode where they exist (so a
/// symbolic or hard link to an input is caught), by absolute path with links resolved
/// otherwise (`./a`, `a` and `d/../a` are one file). Standard output, devices and pipes are
/// never the same file as anything (see the module's rules).
///
/// `outputs` are (option, path) pairs, `None` or `-` for standard output; the option names the
/// output in messages. Errors are [`Error::Destination`] (exit code 2), naming both files of a
/// collision.
pub fn check_outputs(inputs: &[&Path], outputs: &[(&str, Option<&Path>)]) -> Result<()> {
    let mut seen: Vec<(&str, &Path, Identity)> = Vec::new();
    let input_ids: Vec<(&Path, Option<Identity>, bool)> = inputs
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .map(|&p| {
            let meta = std::fs::metadata(p).ok();
            let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
            let keep = meta.as_ref().is_some_and(|m| m.is_file() || m.is_dir());
            (p, keep.then(|| identity(p)).flatten(), is_dir)
        })
        .collect();
    for &(option, path) in outputs {
        let Some(path) = path else { continue };
        let target = match destination(path) {
            Ok(Destination::File(t)) => t,
            Ok(_) => continue,
            Err(message) => return Err(refuse(option, path, message)),
        };
        let Some(id) = identity(&target) else {
            return Err(refuse(option, path, "cannot resolve its directory"));
        };
        if let Some((other, other_path, _)) = seen.iter().find(|(_, _, i)| *i == id) {
            return Err(refuse(
                option,
                path,
                format!(
                    "the same file as {other} {}; give each output its own file",
                    other_path.display()
                ),
            ));
        }
        let exists = std::fs::symlink_metadata(&target).is_ok();
        for (input, input_id, is_dir) in &input_ids {
            if input_id.as_ref() == Some(&id) {
                return Err(refuse(
                    option,
                    path,
                    format!(
                        "the same file as the input {}; neardup would replace what it reads: write the output to another file",
                        input.display()
                    ),
                ));
            }
            if *is_dir && exists && is_under(&target, input) {
                return Err(refuse(
                    option,
                    path,
                    format!(
                        "a file in the input directory {}; write the output to another directory",
                        input.display()
                    ),
                ));
            }
        }
        probe(option, path, parent_dir(&target))?;
        seen.push((option, path, id));
    }
    Ok(())
}

/// True when `file` lies under directory `dir` (both resolved).
fn is_under(file: &Path, dir: &Path) -> bool {
    match (resolved(file), std::fs::canonicalize(dir)) {
        (Some(f), Ok(d)) => f != d && f.starts_with(&d),
        _ => false,
    }
}

/// Creates and removes a temporary file in `dir`: what writing the output will need.
fn probe(option: &str, path: &Path, dir: &Path) -> Result<()> {
    temp_builder().tempfile_in(dir).map(drop).map_err(|e| {
        refuse(
            option,
            path,
            format!(
                "cannot create a file in the directory {}: {}",
                dir.display(),
                without_path(e)
            ),
        )
    })
}

/// Checks an output directory before a run reads anything (`neardup spark sign --out`, `neardup
/// index build --out`): it is not a file, a file can be created in it (or in its nearest
/// existing ancestor, when it is still to be made), and it neither is nor contains one of
/// `inputs`; unless `inside_inputs`, it is not under an input directory either (where the
/// files it gets would be read as inputs the next time).
pub fn check_output_dir(
    option: &str,
    dir: &Path,
    inputs: &[&Path],
    inside_inputs: bool,
) -> Result<()> {
    let mut existing = dir;
    loop {
        match std::fs::metadata(existing) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => {
                return Err(refuse(
                    option,
                    dir,
                    format!("{} is a file, not a directory", existing.display()),
                ))
            }
            Err(_) => match existing.parent() {
                Some(p) if !p.as_os_str().is_empty() => existing = p,
                _ => {
                    existing = Path::new(".");
                    break;
                }
            },
        }
    }
    let Some(out) = resolved(dir) else {
        return Err(refuse(option, dir, "cannot resolve the directory"));
    };
    for &input in inputs.iter().filter(|p| p.as_os_str() != "-") {
        let Ok(input_abs) = std::fs::canonicalize(input) else {
            continue;
        };
        let message = if input_abs == out {
            format!("is the input {}", input.display())
        } else if input_abs.starts_with(&out) {
            format!("contains the input {}", input.display())
        } else if !inside_inputs && input.is_dir() && out.starts_with(&input_abs) {
            format!("is inside the input directory {}", input.display())
        } else {
            continue;
        };
        return Err(refuse(
            option,
            dir,
            format!("{message}; write to a directory apart from the inputs"),
        ));
    }
    probe(option, dir, existing)
}

/// True when `path` names a directory to write into rather than a file: it ends with `/` (or
/// the platform's separator) or is an existing directory (after its symbolic links).
pub fn names_directory(path: &Path) -> bool {
    let given = path.as_os_str().to_string_lossy();
    given.ends_with('/') || given.ends_with(std::path::MAIN_SEPARATOR) || path.is_dir()
}

/// Checks a directory that a run will replace as a whole ([`AtomicDir`](super::AtomicDir)) before it reads
/// anything: what [`check_output_dir`] checks (never an input, nor inside an input directory,
/// where its files would be read as inputs the next time), that its parent directory exists,
/// that no file of `other_outputs` lies in it (it would be replaced with the directory), and,
/// when it exists, that it is a directory that is empty or holds a `marker_file` whose first
/// 4 KB contain `marker` (one this program wrote): any other directory is refused, never
/// replaced.
pub fn check_replaced_dir(
    option: &str,
    dir: &Path,
    inputs: &[&Path],
    other_outputs: &[(&str, Option<&Path>)],
    (marker_file, marker): (&str, &str),
) -> Result<()> {
    check_output_dir(option, dir, inputs, false)?;
    let target = dir_target(dir);
    let parent = parent_dir(&target);
    if !parent.is_dir() {
        return Err(refuse(
            option,
            dir,
            format!(
                "the directory {} does not exist; create it first (mkdir -p {})",
                parent.display(),
                parent.display()
            ),
        ));
    }
    if let Some(out) = resolved(&target) {
        for &(other, path) in other_outputs {
            let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
                continue;
            };
            if resolved(path).is_some_and(|p| p.starts_with(&out)) {
                return Err(refuse(
                    option,
                    dir,
                    format!(
                        "holds the output {other} {}, which would be replaced with the directory; write it elsewhere",
                        path.display()
                    ),
                ));
            }
        }
    }
    match std::fs::metadata(&target) {
        Ok(m) if !m.is_dir() => Err(refuse(
            option,
            dir,
            "is a file, not a directory; give the name of a directory (ending with /)",
        )),
        Ok(_) => {
            let empty = std::fs::read_dir(&target)
                .map_err(|e| refuse(option, dir, e.to_string()))?
                .next()
                .is_none();
            let ours = || -> bool {
                let mut head = Vec::new();
                File::open(target.join(marker_file))
                    .and_then(|f| io::Read::read_to_end(&mut io::Read::take(f, 4096), &mut head))
                    .is_ok_and(|_| String::from_utf8_lossy(&head).contains(marker))
            };
            if empty || ours() {
                Ok(())
            } else {
                Err(refuse(
                    option,
                    dir,
                    format!(
                        "is a directory that neardup did not write (no {marker_file} of its own); give a new or empty directory, so that nothing else in it is replaced"
                    ),
                ))
            }
        }
        Err(_) => Ok(()),
    }
}

/// An output of a run: standard output (`-`), a device or pipe written in place, or a file
/// written atomically ([`AtomicFile`]). See the module's rules. Dropping an output that was
/// not committed leaves the target untouched.
pub struct Output {
    name: PathBuf,
    inner: OutputInner,
}

enum OutputInner {
    Stdout(BufWriter<io::Stdout>),
    File(BufWriter<AtomicFile>),
    /// A device, pipe or socket (`/dev/null`, a FIFO): written in place, never replaced.
    InPlace(BufWriter<File>),
}

impl Output {
    /// Opens `path` (`-` or `None` for standard output).
    pub fn create(path: Option<&Path>) -> Result<Output> {
        let stdout = || OutputInner::Stdout(BufWriter::with_capacity(1 << 16, io::stdout()));
        let Some(p) = path else {
            return Ok(Output {
                name: "-".into(),
                inner: stdout(),
            });
        };
        let inner = match destination(p).map_err(|m| refuse("", p, m))? {
            Destination::Stdout => stdout(),
            Destination::InPlace(target) => {
                // A regular file reached through /proc (`/dev/fd/3` of `3> file`, or of
                // `3>> log`) is appended to: what it holds is never overwritten.
                let regular = std::fs::metadata(&target).is_ok_and(|m| m.is_file());
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .append(regular)
                    .open(&target)
                    .map_err(|e| Error::output(p, e))?;
                OutputInner::InPlace(BufWriter::with_capacity(1 << 16, f))
            }
            Destination::File(target) => OutputInner::File(BufWriter::with_capacity(
                1 << 16,
                AtomicFile::create_at(p, target)?,
            )),
        };
        Ok(Output {
            name: p.to_path_buf(),
            inner,
        })
    }

    /// The name for messages.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// Runs `f` on the writer, naming this output in any error.
    pub fn write_with(&mut self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        f(self.writer()).map_err(|e| Error::output(&self.name, e))
    }

    /// The writer itself.
    pub fn writer(&mut self) -> &mut (dyn Write + Send) {
        match &mut self.inner {
            OutputInner::Stdout(w) => w,
            OutputInner::File(w) => w,
            OutputInner::InPlace(w) => w,
        }
    }

    /// Writes out everything buffered and, for a file, syncs it to disk, so that a full disk
    /// shows here, before any output of the run is committed. Call it on every output of a
    /// run, then [`Output::commit`] them: a run fails with no output file, or succeeds with
    /// all (what went to standard output, a device or a pipe is written as the run goes).
    pub fn finish(&mut self) -> Result<()> {
        match &mut self.inner {
            OutputInner::Stdout(w) => w.flush().map_err(|e| Error::output(&self.name, e)),
            OutputInner::InPlace(w) => w.flush().map_err(|e| Error::output(&self.name, e)),
            OutputInner::File(w) => {
                w.flush().map_err(|e| Error::output(&self.name, e))?;
                w.get_mut().sync()
            }
        }
    }

    /// Flushes and, for a file, renames the temporary file over the target
    /// ([`AtomicFile::commit`]).
    pub fn commit(self) -> Result<()> {
        let name = self.name;
        match self.inner {
            OutputInner::Stdout(mut w) => w.flush().map_err(|e| Error::output(&name, e)),
            OutputInner::InPlace(mut w) => w.flush().map_err(|e| Error::output(&name, e)),
            OutputInner::File(w) => w
                .into_inner()
                .map_err(|e| Error::output(&name, e.into_error()))?
                .commit(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_to_one_file_are_one_identity() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        let a = d.join("a");
        assert_eq!(identity(&a), identity(&d.join("sub/../a")));
        assert_eq!(identity(&a), identity(&d.join("./a")));
        std::fs::write(&a, "x").unwrap();
        assert_eq!(identity(&a), identity(&d.join("sub/../a")));
        assert_ne!(identity(&a), identity(&d.join("b")));
    }

    #[test]
    fn destinations() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(destination(Path::new("-")), Ok(Destination::Stdout));
        assert!(destination(d).unwrap_err().contains("is a directory"));
        assert!(destination(&d.join("no/x"))
            .unwrap_err()
            .contains("does not exist"));
        assert!(destination(Path::new("newdir/"))
            .unwrap_err()
            .contains("ends with a slash"));
        assert_eq!(
            destination(&d.join("new")),
            Ok(Destination::File(d.join("new")))
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("target", d.join("link")).unwrap();
            assert_eq!(
                destination(&d.join("link")),
                Ok(Destination::File(d.join("target")))
            );
            std::os::unix::fs::symlink("loop", d.join("loop")).unwrap();
            assert!(destination(&d.join("loop")).unwrap_err().contains("levels"));
            assert_eq!(
                destination(Path::new("/dev/null")),
                Ok(Destination::InPlace("/dev/null".into()))
            );
        }
        #[cfg(target_os = "linux")]
        {
            assert_eq!(
                destination(Path::new("/dev/stdout")),
                Ok(Destination::Stdout)
            );
        }
    }
}
