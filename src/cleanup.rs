//! Temporary files to remove when a run is interrupted.
//!
//! Owns: a process-wide list of the named temporary files (and directories) a run has made and
//! not yet renamed into place or removed, such as the hidden `.neardup-*.tmp` file of an output
//! being written. A file is registered right after it is made ([`register`]) and unregistered
//! when its guard is dropped (after it was committed or removed); [`remove_all`] removes every
//! file still registered. Must not: install signal handlers or exit (the binary does, on
//! SIGINT and SIGTERM, and then calls [`remove_all`]).
//!
//! The list is global state of the library, the only such: a signal arrives for the process,
//! not for one run. Temporary files without a name ([`crate::fsutil::Spill`]: the spools of
//! standard input, decompressed copies, spilled band keys, set spools) need no entry: the
//! system removes them when the process ends, however it ends.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The registered paths, and whether [`remove_all`] ran.
struct Registry {
    next: u64,
    paths: Vec<(u64, PathBuf)>,
    closed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    paths: Vec::new(),
    closed: false,
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes `path`, a file or a directory with its contents; a path already gone is fine.
fn remove(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Keeps a path registered while it lives: drop it once the file was renamed into place or
/// removed (dropping it removes nothing).
#[derive(Debug)]
#[must_use = "the path is unregistered when the guard is dropped"]
pub struct Registered {
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        registry().paths.retain(|(id, _)| *id != self.id);
    }
}

/// Registers `path` (a file or directory just made) to be removed by [`remove_all`] while the
/// returned guard lives. After [`remove_all`] ran (the process is being interrupted), the path
/// is removed at once instead.
pub fn register(path: impl Into<PathBuf>) -> Registered {
    let path = path.into();
    let mut r = registry();
    let id = r.next;
    r.next += 1;
    if r.closed {
        remove(&path);
    } else {
        r.paths.push((id, path));
    }
    Registered { id }
}

/// Removes every registered path (errors are ignored: the process is ending) and returns how
/// many there were. Paths registered after this call are removed as they are registered.
pub fn remove_all() -> usize {
    let mut r = registry();
    r.closed = true;
    let paths = std::mem::take(&mut r.paths);
    for (_, p) in &paths {
        remove(p);
    }
    paths.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test: `remove_all` closes the registry for the whole process.
    #[test]
    fn registered_paths_are_removed_and_dropped_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("committed");
        let file = dir.path().join(".neardup-x.tmp");
        let sub = dir.path().join(".neardup-index-x");
        std::fs::write(&kept, "k").unwrap();
        std::fs::write(&file, "t").unwrap();
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("segment"), "s").unwrap();
        let done = register(&kept);
        drop(done);
        let _f = register(&file);
        let _s = register(&sub);
        assert!(remove_all() >= 2);
        assert!(kept.exists());
        assert!(!file.exists());
        assert!(!sub.exists());
        // Made after the interruption: removed as it is registered.
        let late = dir.path().join("late");
        std::fs::write(&late, "l").unwrap();
        let _l = register(&late);
        assert!(!late.exists());
    }
}
