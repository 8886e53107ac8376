//! Outputs never destroy a user's data (issue 21, outputs): an output that is an input or
//! another output, a destination that cannot be written, all outputs or none, symbolic links,
//! devices and permissions. See `docs/reliability.md`, "Outputs".
//!
//! The runs that must fail before reading anything are given a named pipe that nobody writes
//! to as one of their inputs: a run that started reading would wait on it for ever, so the
//! guard below stops it and the test fails.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small corpus with one cluster of three copies, in `dir/s.jsonl`.
fn corpus(dir: &Path) -> PathBuf {
    let a = story(1);
    let b = story(2);
    write_lines(
        dir,
        "s.jsonl",
        &[
            doc("a1", &a),
            doc("b1", &b),
            doc("a2", &format!("{a} more")),
            doc("a3", &a),
        ],
    )
}

/// Runs `cmd` to its end, or stops it and fails when it still runs after a minute: a run that
/// must fail before reading was reading its (never-ending) input.
fn finished(mut cmd: Command) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run neardup");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "still running after a minute: it was reading its input before checking its outputs\n{}",
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("wait")
}

/// `neardup spark sign INPUT --shard 0 --out SIG -q`.
fn sign_args<'a>(input: &'a Path, sig: &'a Path) -> [&'a str; 8] {
    [
        "spark",
        "sign",
        s(input),
        "--shard",
        "0",
        "--out",
        s(sig),
        "-q",
    ]
}

/// `neardup args...`, guarded by [`finished`].
fn guarded(args: &[&str]) -> std::process::Output {
    let mut cmd = bin();
    cmd.args(args);
    finished(cmd)
}

/// A named pipe nobody writes to, or `None` (skipped) when `mkfifo` is missing.
fn fifo(dir: &Path) -> Option<PathBuf> {
    let p = dir.join("never.jsonl");
    match Command::new("mkfifo").arg(&p).status() {
        Ok(s) if s.success() => Some(p),
        _ => {
            skip_or_fail("mkfifo is needed to show that nothing is read");
            None
        }
    }
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn refused(out: &std::process::Output, mentions: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for m in mentions {
        assert!(err.contains(m), "message should name {m:?}: {err}");
    }
    assert!(!err.contains(".neardup-"), "names a temporary file: {err}");
}

#[test]
fn an_output_that_is_an_input_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let before = std::fs::read(&input).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink(&input, d.join("link.jsonl")).unwrap();
    std::fs::hard_link(&input, d.join("hard.jsonl")).unwrap();
    let Some(pipe) = fifo(d) else { return };
    let same = [
        s(&input).to_string(),
        format!("{}/./s.jsonl", s(d)),
        format!("{}/sub/../s.jsonl", s(d)),
        s(&d.join("link.jsonl")).to_string(),
        s(&d.join("hard.jsonl")).to_string(),
    ];
    for out in &same {
        for args in [
            vec!["cluster", s(&input), s(&pipe), "-o", out],
            vec!["cluster", s(&input), s(&pipe), "--html", out],
            vec!["dedupe", s(&input), s(&pipe), "--out", out],
            vec!["dedupe", s(&input), s(&pipe), "--removed", out],
            vec!["dedupe", s(&input), s(&pipe), "--summary", out],
        ] {
            let o = guarded(&args);
            refused(&o, &[out, s(&input), "the same file as the input"]);
            assert_eq!(std::fs::read(&input).unwrap(), before, "{args:?}");
        }
    }
    // Relative to the working directory: `./s.jsonl` against `s.jsonl`.
    let mut cmd = bin();
    cmd.current_dir(d)
        .args(["cluster", "s.jsonl", "never.jsonl", "-o", "./s.jsonl"]);
    refused(&finished(cmd), &["./s.jsonl", "s.jsonl"]);
    assert!(std::fs::symlink_metadata(d.join("link.jsonl"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn an_output_that_is_a_file_of_an_input_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("corpus")).unwrap();
    let input = corpus(&d.join("corpus"));
    let before = std::fs::read(&input).unwrap();
    let o = guarded(&["dedupe", s(&d.join("corpus")), "--out", s(&input)]);
    refused(&o, &["-o", "the same file as the input"]);
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // A new file there is not read by this run: allowed.
    let o = guarded(&[
        "dedupe",
        s(&d.join("corpus")),
        "--out",
        s(&d.join("corpus/kept.jsonl")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn two_outputs_that_are_one_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let Some(pipe) = fifo(d) else { return };
    let c = d.join("c");
    let c_dot = format!("{}/./c", s(d));
    for args in [
        vec!["cluster", s(&input), s(&pipe), "-o", s(&c), "--csv", s(&c)],
        vec![
            "cluster",
            s(&input),
            s(&pipe),
            "-o",
            s(&c),
            "--html",
            &c_dot,
        ],
        vec![
            "cluster",
            s(&input),
            s(&pipe),
            "--csv",
            s(&c),
            "--locations",
            s(&c),
        ],
        vec![
            "dedupe",
            s(&input),
            s(&pipe),
            "--out",
            s(&c),
            "--removed",
            s(&c),
        ],
        vec![
            "dedupe",
            s(&input),
            s(&pipe),
            "--removed",
            s(&c),
            "--summary",
            &c_dot,
        ],
    ] {
        let o = guarded(&args);
        refused(&o, &["the same file as", s(&c)]);
        assert!(!c.exists(), "{args:?}");
    }
    // Existing, through a symbolic link, and named by both options.
    std::fs::write(&c, "old\n").unwrap();
    std::os::unix::fs::symlink(&c, d.join("to-c")).unwrap();
    let o = guarded(&[
        "dedupe",
        s(&input),
        s(&pipe),
        "--out",
        s(&c),
        "--removed",
        s(&d.join("to-c")),
    ]);
    refused(&o, &["--removed", "the same file as -o", "to-c"]);
    assert_eq!(std::fs::read(&c).unwrap(), b"old\n");
    // gen: the archive and its labels.
    let o = guarded(&["gen", "--docs", "10", "-o", s(&c), "--labels", s(&c)]);
    refused(&o, &["--labels", "the same file as -o"]);
    assert_eq!(std::fs::read(&c).unwrap(), b"old\n");
}

#[test]
fn standard_output_and_devices_are_never_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let o = run(&[
        "cluster",
        s(&input),
        "-o",
        "/dev/null",
        "--csv",
        "/dev/null",
        "--html",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("<html"));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn bad_destinations_fail_before_reading_and_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let Some(pipe) = fifo(d) else { return };
    std::fs::create_dir(d.join("adir")).unwrap();
    std::fs::write(d.join("afile"), "x").unwrap();
    let cases: [(&str, PathBuf, &str); 5] = [
        ("-o", d.join("adir"), "is a directory"),
        // A path ending in `/` is a directory of pages (`--html DIR/`), never a file.
        ("--html", d.join("afile/"), "is a file, not a directory"),
        ("--csv", d.join("nodir/c.csv"), "does not exist"),
        ("--locations", d.join("afile/c.txt"), "is not a directory"),
        ("-o", d.join("newdir/"), "ends with a slash"),
    ];
    for (option, path, what) in &cases {
        let o = guarded(&["cluster", s(&input), s(&pipe), option, s(path)]);
        refused(&o, &[option, s(path).trim_end_matches('/'), what]);
    }
    // dedupe, and a missing directory named in the message (the user's path, not a temporary
    // file's).
    let o = guarded(&[
        "dedupe",
        s(&input),
        s(&pipe),
        "--summary",
        s(&d.join("nodir/sum.json")),
    ]);
    refused(&o, &["--summary", "nodir", "does not exist"]);
    // sign and index build: the directory they write in.
    let o = guarded(&[
        "spark",
        "sign",
        s(&pipe),
        "--shard",
        "0",
        "--out",
        s(&d.join("afile")),
    ]);
    refused(&o, &["--out", "afile", "not a directory"]);
    let o = guarded(&["index", "build", s(&pipe), "--out", s(&d.join("afile/idx"))]);
    refused(&o, &["--out", "afile", "not a directory"]);
    assert_eq!(names(d), ["adir", "afile", "never.jsonl", "s.jsonl"]);
    assert!(names(&d.join("adir")).is_empty());
}

#[test]
fn all_outputs_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    std::fs::create_dir(d.join("adir")).unwrap();
    std::fs::write(d.join("old.jsonl"), "old\n").unwrap();
    let o = guarded(&[
        "cluster",
        s(&input),
        "-o",
        s(&d.join("good.jsonl")),
        "--csv",
        s(&d.join("old.jsonl")),
        "--html",
        s(&d.join("old.jsonl/")),
    ]);
    refused(&o, &["--html", "old.jsonl"]);
    let o = guarded(&[
        "dedupe",
        s(&input),
        "--out",
        s(&d.join("kk")),
        "--removed",
        s(&d.join("adir/")),
        "--summary",
        s(&d.join("sum.json")),
    ]);
    refused(&o, &["--removed", "adir"]);
    assert_eq!(names(d), ["adir", "old.jsonl", "s.jsonl"]);
    assert_eq!(std::fs::read(d.join("old.jsonl")).unwrap(), b"old\n");
    assert!(names(&d.join("adir")).is_empty());
}

/// Runs `neardup` as the user `nobody` (through `setpriv`) when this process is root, where
/// permissions do not stop it; `None` when that cannot be done.
fn as_unprivileged(args: &[&str]) -> Option<std::process::Output> {
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if !root {
        return Some(guarded(args));
    }
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        env!("CARGO_BIN_EXE_neardup"),
    ])
    .args(args);
    let o = finished(cmd);
    if stderr(&o).contains("setpriv:") || o.status.code() == Some(127) {
        skip_or_fail("setpriv is needed to test permissions as root");
        return None;
    }
    Some(o)
}

#[test]
fn a_directory_that_cannot_be_written_fails_before_reading() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let Some(pipe) = fifo(d) else { return };
    let locked = d.join("locked");
    std::fs::create_dir(&locked).unwrap();
    for (p, m) in [
        (d, 0o755),
        (locked.as_path(), 0o555),
        (input.as_path(), 0o644),
    ] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    }
    std::fs::set_permissions(&pipe, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = locked.join("c.jsonl");
    let Some(o) = as_unprivileged(&["cluster", s(&input), s(&pipe), "-o", s(&out)]) else {
        return;
    };
    refused(
        &o,
        &["-o", s(&out), "cannot create a file in the directory"],
    );
    assert!(names(&locked).is_empty());
}

#[test]
fn a_symbolic_link_is_followed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    std::fs::create_dir(d.join("real")).unwrap();
    std::fs::write(d.join("real/c.jsonl"), "old\n").unwrap();
    std::os::unix::fs::symlink("real/c.jsonl", d.join("link.jsonl")).unwrap();
    // A link to a file not there yet: the file is made.
    std::os::unix::fs::symlink("real/new.csv", d.join("dangling.csv")).unwrap();
    let plain = d.join("plain.jsonl");
    let o = run(&[
        "cluster",
        s(&input),
        "-o",
        s(&d.join("link.jsonl")),
        "--csv",
        s(&d.join("dangling.csv")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o2 = run(&["cluster", s(&input), "-o", s(&plain)]);
    assert!(o2.status.success(), "{}", stderr(&o2));
    for link in ["link.jsonl", "dangling.csv"] {
        assert!(std::fs::symlink_metadata(d.join(link))
            .unwrap()
            .file_type()
            .is_symlink());
    }
    assert_eq!(
        std::fs::read(d.join("real/c.jsonl")).unwrap(),
        std::fs::read(&plain).unwrap()
    );
    assert!(std::fs::read_to_string(d.join("real/new.csv"))
        .unwrap()
        .starts_with("cluster,"));
    assert_eq!(names(&d.join("real")), ["c.jsonl", "new.csv"]);
}

/// `neardup args...` under `umask`, through `sh`.
fn with_umask(umask: &str, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_neardup"))
        .args(args);
    finished(cmd)
}

#[test]
fn an_existing_file_keeps_its_mode_and_a_new_one_gets_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let kept = d.join("kept.jsonl");
    std::fs::write(&kept, "old\n").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = with_umask(
        "022",
        &[
            "dedupe",
            s(&input),
            "--out",
            s(&kept),
            "--summary",
            s(&d.join("sum.json")),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(std::fs::read(&kept).unwrap(), b"old\n");
    assert_eq!(mode(&kept), 0o640);
    assert_eq!(mode(&d.join("sum.json")), 0o644);
    let o = with_umask("002", &["cluster", s(&input), "-o", s(&d.join("c.jsonl"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&d.join("c.jsonl")), 0o664);
}

#[test]
fn sign_writes_files_others_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let sig = d.join("sig");
    let o = with_umask("022", &sign_args(&input, &sig));
    assert!(o.status.success(), "{}", stderr(&o));
    let mut files = 0;
    for e in walk(&sig) {
        files += 1;
        assert_eq!(mode(&e) & 0o044, 0o044, "{} is {:o}", e.display(), mode(&e));
    }
    assert!(files >= 5, "{files}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn sign_refuses_a_directory_that_is_or_holds_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let before = std::fs::read(&input).unwrap();
    let o = guarded(&["spark", "sign", s(&input), "--shard", "0", "--out", s(d)]);
    refused(&o, &["--out", "contains the input"]);
    let o = guarded(&[
        "spark",
        "sign",
        s(d),
        "--shard",
        "0",
        "--out",
        s(&d.join("sig")),
    ]);
    refused(&o, &["--out", "inside the input directory"]);
    assert_eq!(names(d), ["s.jsonl"]);
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[cfg(target_os = "linux")]
#[test]
fn dev_stdout_to_a_file_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let plain = d.join("plain.jsonl");
    let o = run(&["cluster", s(&input), "-o", s(&plain)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = std::fs::read(&plain).unwrap();
    let before = std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type();
    for (i, name) in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
        .into_iter()
        .enumerate()
    {
        let file = d.join(format!("stdout-{i}"));
        let mut cmd = bin();
        cmd.args(["cluster", s(&input), "-o", name])
            .stdout(std::fs::File::create(&file).unwrap())
            .stderr(Stdio::piped());
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(std::fs::read(&file).unwrap(), expected, "{name}");
        // And to a pipe.
        let o = run(&["cluster", s(&input), "-o", name]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(o.stdout, expected, "{name}");
    }
    // Another descriptor, opened by the shell to append to a file: appended to.
    let log = d.join("log");
    std::fs::write(&log, "old\n").unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("exec \"$0\" cluster \"$1\" -q -o /dev/fd/3 3>>\"$2\"")
        .arg(env!("CARGO_BIN_EXE_neardup"))
        .arg(&input)
        .arg(&log);
    let o = finished(cmd);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut both = b"old\n".to_vec();
    both.extend_from_slice(&expected);
    assert_eq!(std::fs::read(&log).unwrap(), both);
    let after = std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type();
    assert_eq!(before, after);
    assert!(!names(Path::new("/dev"))
        .iter()
        .any(|n| n.starts_with(".neardup-")));
}

#[test]
fn index_query_and_report_refuse_to_replace_what_they_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = corpus(d);
    let idx = d.join("idx");
    let o = run(&["index", "build", s(&input), "--out", s(&idx), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(&input).unwrap();
    let o = guarded(&["index", "query", s(&idx), s(&input), "-o", s(&input)]);
    refused(&o, &["-o", "the same file as the input"]);
    let manifest = idx.join("MANIFEST");
    let m = std::fs::read(&manifest).unwrap();
    let o = guarded(&["index", "query", s(&idx), s(&input), "-o", s(&manifest)]);
    refused(&o, &["-o", "a file in the input directory"]);
    assert_eq!(std::fs::read(&manifest).unwrap(), m);
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // `neardup report` reads the signature directory and the engine's output first: refused
    // before either is read (the engine's output here is not even one).
    let sig = d.join("sig");
    let o = run(&sign_args(&input, &sig));
    assert!(o.status.success(), "{}", stderr(&o));
    let sig_manifest = sig.join("manifest.json");
    let m = std::fs::read(&sig_manifest).unwrap();
    let o = guarded(&[
        "spark",
        "report",
        "--docs",
        s(&sig),
        "--clusters",
        s(&idx),
        "--html",
        s(&sig_manifest),
    ]);
    refused(&o, &["--html", "a file in the input directory"]);
    assert_eq!(std::fs::read(&sig_manifest).unwrap(), m);
}

/// The library's atomic writers, called directly (here, not in the library's unit tests:
/// another of those closes the process's list of temporary files, which then removes each
/// temporary directory as it is made).
mod atomic_writers {
    use neardup::fsutil::{create_locked, write_atomic, AtomicDir};
    use neardup::Error;
    use std::fs::File;
    use std::io::{self, Write};
    use std::path::Path;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_directory_appears_whole_and_never_replaces_one() {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("idx");
        let new = AtomicDir::create_new(&target, ".build-").unwrap();
        assert!(names(parent.path())[0].starts_with(".build-"));
        std::fs::write(new.path().join("a"), "1").unwrap();
        assert!(!target.exists());
        new.commit().unwrap();
        assert_eq!(names(parent.path()), ["idx"]);
        assert_eq!(std::fs::read_to_string(target.join("a")).unwrap(), "1");

        // A directory that appeared meanwhile is not replaced, and nothing is left.
        let again = AtomicDir::create_new(&target, ".build-").unwrap();
        std::fs::write(again.path().join("b"), "2").unwrap();
        assert!(again.commit().is_err());
        assert_eq!(names(parent.path()), ["idx"]);
        assert_eq!(names(&target), ["a"]);

        // Dropped without a commit: nothing.
        let dropped = AtomicDir::create_new(&parent.path().join("other"), ".build-").unwrap();
        std::fs::write(dropped.path().join("c"), "3").unwrap();
        drop(dropped);
        assert_eq!(names(parent.path()), ["idx"]);
    }

    #[test]
    fn a_directory_is_replaced_whole() {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("pages");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old"), "o").unwrap();
        let dir = AtomicDir::create(&target).unwrap();
        std::fs::write(dir.path().join("new"), "n").unwrap();
        assert_eq!(names(&target), ["old"]);
        dir.commit().unwrap();
        assert_eq!(names(&target), ["new"]);
        assert_eq!(names(parent.path()), ["pages"]);
    }

    #[test]
    fn a_locked_file_appears_locked() {
        let dir = tempfile::tempdir().unwrap();
        let held = create_locked(dir.path(), "LOCK").unwrap();
        assert_eq!(names(dir.path()), ["LOCK"]);
        let other = File::open(dir.path().join("LOCK")).unwrap();
        assert!(other.try_lock().is_err(), "held by the first handle");
        drop(held);
        // Free once dropped. A blocking lock: a test running beside this one may be starting a
        // child process, which holds a copy of every descriptor until it executes the binary.
        other.lock().expect("free once dropped");
    }

    #[test]
    fn write_atomic_replaces_a_file_and_leaves_no_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, |f| {
            f.write_all(b"new").map_err(|e| Error::output(&p, e))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let failed = write_atomic(&p, |f| {
            f.write_all(b"half").unwrap();
            Err(Error::output(&p, io::Error::other("failed")))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(names(dir.path()), ["out.json"]);
    }
}
