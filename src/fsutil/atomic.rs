//! Files and directories that appear whole or not at all.
//!
//! Owns: [`AtomicFile`] and [`write_atomic`] (a temporary file next to the target, renamed
//! over it), [`AtomicDir`] (a temporary directory next to the target, renamed into place),
//! [`create_locked`] and [`sync_dir`]. Must not: decide where an output may go (the checks
//! are `outputs.rs`'s), or know what the files hold.

use super::outputs::{destination, Destination};
use super::{dir_target, parent_dir, refuse};
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The message of an error of `tempfile`, without the name of the temporary file it adds
/// (which means nothing to the user, who named the output).
pub(super) fn without_path(e: io::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at path ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    }
}

pub(super) fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".neardup-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As `open(2)` with `O_CREAT`: the umask applies.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}

/// A regular file written atomically: a temporary file in the directory of the target (after
/// its symbolic links), renamed over it by [`AtomicFile::commit`]. Dropped without a commit,
/// it leaves the target as it was and removes the temporary file.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    /// Keeps the temporary file on the list that an interrupted run removes.
    _registered: crate::cleanup::Registered,
    /// The file renamed over (symbolic links followed).
    target: PathBuf,
    /// The path as given, for messages.
    name: PathBuf,
}

impl AtomicFile {
    /// Starts writing `path`, a regular file (new or existing) or a symbolic link to one. A
    /// directory, a device and standard output are refused (use [`Output`](super::Output) for those).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        match destination(path) {
            Ok(Destination::File(target)) => AtomicFile::create_at(path, target),
            Ok(_) => Err(refuse(
                "",
                path,
                "is not a regular file; give the name of a file to write",
            )),
            Err(message) => Err(refuse("", path, message)),
        }
    }

    pub(super) fn create_at(name: &Path, target: PathBuf) -> Result<AtomicFile> {
        let io = |e| Error::output(name, e);
        let tmp = temp_builder()
            .tempfile_in(parent_dir(&target))
            .map_err(|e| io(io::Error::new(e.kind(), without_path(e))))?;
        #[cfg(unix)]
        if let Ok(old) = std::fs::metadata(&target) {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let file = tmp.as_file();
            // Owner first: changing the owner clears the set-ID bits, which are dropped anyway.
            if let Ok(new) = file.metadata() {
                if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
                    // Only where the process may (root, or a group of its own); else the new
                    // file is the writer's, as with any editor that saves by renaming.
                    let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()))
                        .or_else(|_| std::os::unix::fs::fchown(file, None, Some(old.gid())));
                }
            }
            file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o1777))
                .map_err(io)?;
        }
        Ok(AtomicFile {
            _registered: crate::cleanup::register(tmp.path()),
            tmp,
            target,
            name: name.to_path_buf(),
        })
    }

    /// The path as given, for messages.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// The temporary file, to write to.
    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Syncs what was written to disk, so that a full disk shows here, before any output of a
    /// run is committed.
    pub fn sync(&mut self) -> Result<()> {
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|e| Error::output(&self.name, e))
    }

    /// Syncs the file, renames it over the target and syncs the directory.
    pub fn commit(mut self) -> Result<()> {
        self.sync()?;
        let name = self.name;
        let dir = parent_dir(&self.target).to_path_buf();
        self.tmp
            .persist(&self.target)
            .map_err(|e| Error::output(&name, e.error))?;
        sync_dir(&dir)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.tmp.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

/// Syncs directory `dir`, so that a rename in it is on disk (a no-op where directories cannot
/// be opened).
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::output(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes `path` atomically with `f`, which writes the whole file: [`AtomicFile::create`],
/// `f`, [`AtomicFile::commit`].
pub fn write_atomic(path: &Path, f: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    let mut out = AtomicFile::create(path)?;
    f(out.file())?;
    out.commit()
}

/// A directory written atomically: its files go to a temporary directory next to the target
/// (`.neardup-*.tmp`, or a name of the caller's with [`AtomicDir::create_new`]), and
/// [`AtomicDir::commit`] syncs them and renames the directory into place. An existing target
/// of [`AtomicDir::create`] (checked first with [`check_replaced_dir`](super::check_replaced_dir))
/// is renamed aside, the new directory renamed in, and the old one removed: readers see the
/// old directory or the new one, never a part of one. Dropped without a commit, it removes
/// the temporary directory and leaves the target as it was.
#[derive(Debug)]
pub struct AtomicDir {
    tmp: Option<tempfile::TempDir>,
    /// Keeps the temporary directory on the list that an interrupted run removes.
    _registered: crate::cleanup::Registered,
    target: PathBuf,
    name: PathBuf,
    /// An existing target is replaced (else the rename into place fails on it).
    replace: bool,
}

impl AtomicDir {
    /// Starts writing directory `path` (its parent must exist), which replaces what is there.
    pub fn create(path: &Path) -> Result<AtomicDir> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".neardup-").suffix(".tmp");
        AtomicDir::start(path, builder, true)
    }

    /// Starts writing directory `path`, a new one (its parent must exist): the temporary
    /// directory is named `prefix` and random characters (so that the caller can recognise
    /// what a killed run left), and [`AtomicDir::commit`] does not replace a directory that
    /// appeared at `path` meanwhile (unless it is empty, as `rename(2)` allows).
    pub fn create_new(path: &Path, prefix: &str) -> Result<AtomicDir> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(prefix);
        AtomicDir::start(path, builder, false)
    }

    fn start(path: &Path, builder: tempfile::Builder<'_, '_>, replace: bool) -> Result<AtomicDir> {
        let target = dir_target(path);
        let tmp = builder
            .tempdir_in(parent_dir(&target))
            .map_err(|e| Error::output(path, io::Error::new(e.kind(), without_path(e))))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As a directory made by `mkdir` under the usual umask.
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
                .map_err(|e| Error::output(path, e))?;
        }
        Ok(AtomicDir {
            _registered: crate::cleanup::register(tmp.path()),
            tmp: Some(tmp),
            target,
            name: path.to_path_buf(),
            replace,
        })
    }

    /// The temporary directory to write the files into.
    pub fn path(&self) -> &Path {
        self.tmp.as_ref().expect("not committed").path()
    }

    /// The path as given, for messages.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// Syncs every file and directory written, renames the directory into place (for
    /// [`AtomicDir::create`], the old one aside first, then removed) and syncs the parent
    /// directory.
    pub fn commit(mut self) -> Result<()> {
        let name = self.name.clone();
        let io = |e: io::Error| Error::output(&name, e);
        let tmp = self.tmp.take().expect("committed once");
        for entry in walkdir::WalkDir::new(tmp.path()).contents_first(true) {
            let entry = entry.map_err(|e| io(e.into()))?;
            if entry.file_type().is_file() {
                File::open(entry.path())
                    .and_then(|f| f.sync_all())
                    .map_err(io)?;
            } else if entry.file_type().is_dir() {
                sync_dir(entry.path())?;
            }
        }
        let parent = parent_dir(&self.target).to_path_buf();
        let built = tmp.keep();
        let result = (|| {
            if self.replace && std::fs::symlink_metadata(&self.target).is_ok() {
                let old = temp_builder()
                    .suffix(".old")
                    .tempdir_in(&parent)
                    .map_err(io)?
                    .keep();
                // A directory is renamed over an empty one only.
                std::fs::rename(&self.target, &old).map_err(io)?;
                if let Err(e) = std::fs::rename(&built, &self.target) {
                    let _ = std::fs::rename(&old, &self.target);
                    return Err(io(e));
                }
                let _ = std::fs::remove_dir_all(&old);
            } else {
                std::fs::rename(&built, &self.target).map_err(io)?;
            }
            sync_dir(&parent)
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&built);
        }
        result
    }
}

/// Creates file `name` in directory `dir`, where it must not exist, and holds an exclusive
/// lock on it: the file is made and locked under another name (`.NAME-new`) and then renamed,
/// so that `name` is never seen unlocked. The lock lasts as long as the returned file.
pub fn create_locked(dir: &Path, name: &str) -> io::Result<File> {
    let new = dir.join(format!(".{name}-new"));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&new)?;
    file.try_lock().map_err(io::Error::from)?;
    std::fs::rename(&new, dir.join(name))?;
    Ok(file)
}
