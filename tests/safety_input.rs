//! Issue 21, temporary files and reading inputs: bounded spools of standard input, no
//! temporary file left by an interrupted run, directory entries that cannot be read, and
//! compressed formats (pzstd, padded gzip, xz and bzip2). See `docs/reliability.md`.
#![cfg(unix)]

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A private, empty TMPDIR under `dir`.
fn private_tmp(dir: &Path) -> PathBuf {
    let t = dir.join("tmp");
    std::fs::create_dir(&t).unwrap();
    t
}

/// Waits for `child` at most `secs` seconds; kills it past them and returns `None` (a run that
/// never ends is the bug some tests look for; the limit is not a speed check).
fn wait_at_most(child: &mut Child, secs: u64) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Standard error of a finished child.
fn child_stderr(child: &mut Child) -> String {
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_string(&mut e, &mut s).unwrap();
    }
    s
}

/// The counts of a cluster file's header.
fn counts(cluster_file: &Path) -> Value {
    let text = std::fs::read(cluster_file).unwrap();
    json_lines(&text)[0]["counts"].clone()
}

/// Four documents in two pairs of copies, and one alone.
fn pairs() -> Vec<String> {
    vec![
        doc("a1", &story(1)),
        doc("b1", &story(2)),
        doc("a2", &story(1)),
        doc("c", &story(3)),
        doc("b2", &story(2)),
    ]
}

/// The clusters `pairs()` gives.
fn pair_clusters() -> std::collections::BTreeSet<(String, std::collections::BTreeSet<String>)> {
    [("a1", ["a1", "a2"]), ("b1", ["b1", "b2"])]
        .iter()
        .map(|(c, m)| (c.to_string(), m.iter().map(|s| s.to_string()).collect()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Case 5: streams that never end, bombs on standard input, lines too long to spool.

#[test]
fn dev_zero_ends_at_once_with_a_clear_message_and_tmpdir_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = private_tmp(dir.path());
    let out = dir.path().join("c.jsonl");
    // Named on the command line: a character device is refused before anything is read.
    let mut child = bin()
        .args(["cluster", "/dev/zero", "-o", s(&out)])
        .env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_at_most(&mut child, 60);
    let left = names(&tmp);
    let status =
        status.unwrap_or_else(|| panic!("still running after 60 s; TMPDIR holds {left:?}"));
    let err = child_stderr(&mut child);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("neardup: /dev/zero: a character device, not a file: neardup reads files, directories, named pipes and standard input (-)"),
        "{err}"
    );
    assert!(left.is_empty(), "{left:?}");
    assert!(!out.exists());
    // /dev/null is still an empty input.
    let null = run(&["cluster", "/dev/null", "-o", s(&out)]);
    assert!(null.status.success(), "{}", stderr(&null));
    // As standard input, /dev/zero is read, within --max-stdin.
    let mut child = bin()
        .args(["cluster", "-", "--max-stdin", "8", "-o", s(&out)])
        .env("TMPDIR", &tmp)
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_at_most(&mut child, 120);
    let left = names(&tmp);
    let status =
        status.unwrap_or_else(|| panic!("still running after 120 s; TMPDIR holds {left:?}"));
    let err = child_stderr(&mut child);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("neardup: stdin: more than 8 MB read from standard input and named pipes, the limit of --max-stdin"),
        "{err}"
    );
    assert!(
        err.contains("raise it (--max-stdin MB), or give the input as a file"),
        "{err}"
    );
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_stdin_limit_is_documented_and_stops_a_bomb() {
    let help = run(&["cluster", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--max-stdin <MB>"), "{text}");
    assert!(text.contains("[default: 16384]"), "{text}");
    assert!(text.contains("spooled to TMPDIR"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let tmp = private_tmp(dir.path());
    // 256 MiB of short documents in well under a megabyte of zstd.
    let bomb = dir.path().join("bomb.zst");
    let mut z =
        zstd::stream::write::Encoder::new(std::fs::File::create(&bomb).unwrap(), 19).unwrap();
    let line = format!("{}\n", doc("x", "the same few words again"));
    let block = line.repeat((1 << 20) / line.len());
    for _ in 0..256 {
        z.write_all(block.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let out = dir.path().join("c.jsonl");
    let run = bin()
        .args(["cluster", "-", "--max-stdin", "4", "-o", s(&out)])
        .env("TMPDIR", &tmp)
        .stdin(std::fs::File::open(&bomb).unwrap())
        .output()
        .unwrap();
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains("neardup: stdin: more than 4 MB read from standard input and named pipes, the limit of --max-stdin (what they give is spooled to TMPDIR to be read again): raise it (--max-stdin MB), or give the input as a file"),
        "{err}"
    );
    assert!(!out.exists());
    assert!(names(&tmp).is_empty(), "{:?}", names(&tmp));
}

#[test]
fn a_line_too_long_is_not_spooled_and_the_good_lines_are_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = private_tmp(dir.path());
    // One line of 100 MB, then the good ones.
    let long = format!(
        "{{\"id\":\"long\",\"text\":\"{}\"}}",
        "a".repeat(100_000_000)
    );
    let mut lines = vec![long];
    lines.extend(pairs());
    let input = dir.path().join("stdin.jsonl");
    std::fs::write(&input, lines_of(&lines)).unwrap();
    let good: u64 = pairs().iter().map(|l| l.len() as u64).sum();
    let out = dir.path().join("c.jsonl");
    let loc = dir.path().join("c.loc");
    let run = bin()
        .args([
            "cluster",
            "-",
            "--max-line-bytes",
            "1000",
            "--verbose",
            "-o",
            s(&out),
            "--locations",
            s(&loc),
        ])
        .env("TMPDIR", &tmp)
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    let err = stderr(&run);
    assert!(run.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "stdin:1: line of {} bytes is longer than the limit of 1000 bytes",
            lines[0].len()
        )),
        "{err}"
    );
    // Only the good lines went to the spool.
    assert!(
        err.contains(&format!(
            "neardup: standard input and named pipes: read {} bytes, spooled {good} bytes to TMPDIR",
            std::fs::metadata(&input).unwrap().len()
        )),
        "{err}"
    );
    let text = std::fs::read(&out).unwrap();
    assert_eq!(cluster_sets(&text), pair_clusters());
    assert_eq!(counts(&out)["rejected"], 1);
    // The members were read again from the spool, each at its place.
    let located = std::fs::read_to_string(&loc).unwrap();
    for (n, l) in lines.iter().enumerate().skip(1) {
        let id = l.split('"').nth(3).unwrap();
        if id != "c" {
            assert!(located.contains(&format!("stdin:{}:", n + 1)), "{located}");
        }
    }
    assert!(names(&tmp).is_empty(), "{:?}", names(&tmp));
    // dedupe writes the records again, byte for byte, from the spool.
    let kept = dir.path().join("kept.jsonl");
    let removed = dir.path().join("removed.jsonl");
    let run = bin()
        .args([
            "dedupe",
            "-",
            "--max-line-bytes",
            "1000",
            "-o",
            s(&kept),
            "--removed",
            s(&removed),
        ])
        .env("TMPDIR", &tmp)
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let kept_text = std::fs::read_to_string(&kept).unwrap();
    let want: Vec<String> = pairs()
        .into_iter()
        .filter(|l| !l.contains("\"a2\"") && !l.contains("\"b2\""))
        .collect();
    let got: Vec<&str> = kept_text.lines().collect();
    assert_eq!(got, want.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(names(&tmp).is_empty(), "{:?}", names(&tmp));
}

// ---------------------------------------------------------------------------------------------
// Case 6: an interrupted run leaves no temporary file.

/// Sends `signal` (`INT`, `TERM`) to `child` with kill(1); false when kill cannot be run.
fn send(child: &Child, signal: &str) -> bool {
    std::process::Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

/// True when `pid` holds a file open under `tmp` (a spool, named or not).
fn holds_file_in(pid: u32, tmp: &Path) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target.starts_with(tmp)))
}

#[test]
fn sigint_and_sigterm_leave_no_temporary_file_and_exit_130_or_143() {
    if !Path::new("/proc/self/fd").exists() {
        skip_or_fail("no /proc to see the spool open");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = generated(dir.path(), 2000);
    let gz = dir.path().join("archive.jsonl.gz");
    std::fs::write(&gz, gzip(&std::fs::read(&corpus).unwrap())).unwrap();
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let tmp = dir.path().join(format!("tmp-{signal}"));
        std::fs::create_dir(&tmp).unwrap();
        let outdir = dir.path().join(format!("out-{signal}"));
        std::fs::create_dir(&outdir).unwrap();
        let out = outdir.join("c.jsonl");
        // A compressed file (copied decompressed to TMPDIR) and standard input, a pipe kept
        // open: the run is surely still reading when the signal comes.
        let mut child = bin()
            .args(["cluster", "--quiet", s(&gz), "-", "-o", s(&out)])
            .env("TMPDIR", &tmp)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(&std::fs::read(&corpus).unwrap()[..4 << 20])
            .unwrap();
        // Wait for the spool of standard input (and the copy) to exist.
        let start = Instant::now();
        while !holds_file_in(child.id(), &tmp) && names(&tmp).is_empty() {
            assert!(start.elapsed() < Duration::from_secs(120), "no spool made");
            assert!(
                child.try_wait().unwrap().is_none(),
                "{}",
                child_stderr(&mut child)
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        // The decompressed copy is made before standard input is read: wait for the latter.
        std::thread::sleep(Duration::from_millis(200));
        if !send(&child, signal) {
            let _ = child.kill();
            let _ = child.wait();
            skip_or_fail("kill(1) cannot be run");
            return;
        }
        let status = wait_at_most(&mut child, 60).expect("the signal ends the run");
        drop(stdin);
        let err = child_stderr(&mut child);
        assert!(
            names(&tmp).is_empty(),
            "SIG{signal}: left {:?}",
            names(&tmp)
        );
        assert!(
            names(&outdir).is_empty(),
            "SIG{signal}: left {:?}",
            names(&outdir)
        );
        assert_eq!(status.code(), Some(code), "SIG{signal}: {status:?} {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Case 10: directory entries that cannot be read.

/// A file that even root cannot open for reading: a write-only kernel attribute.
fn unopenable() -> Option<&'static str> {
    [
        "/sys/bus/pci/rescan",
        "/sys/class/zram-control/hot_remove",
        "/sys/kernel/uevent_helper_write_only",
    ]
    .into_iter()
    .find(|p| {
        Path::new(p).exists()
            && std::fs::File::open(p)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
    })
}

#[test]
fn bad_directory_entries_are_rejected_units_and_the_run_goes_on() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    write_lines(&articles, "a.jsonl", &pairs());
    symlink("missing.jsonl", articles.join("dangling.jsonl")).unwrap();
    symlink("self.jsonl", articles.join("self.jsonl")).unwrap();
    std::fs::create_dir(articles.join("sub")).unwrap();
    symlink("..", articles.join("sub/up")).unwrap();
    // A dangling link whose name says no format is skipped, as the file would be.
    symlink("missing.png", articles.join("logo.png")).unwrap();
    let mut bad = vec![
        format!(
            "{}: a dangling symbolic link (to missing.jsonl, which does not exist); skipped",
            articles.join("dangling.jsonl").display()
        ),
        format!(
            "{}: a symbolic link that cannot be followed (",
            articles.join("self.jsonl").display()
        ),
        format!(
            "{}: a symbolic link to {}, a directory that contains it (a loop); skipped",
            articles.join("sub/up").display(),
            articles.display()
        ),
    ];
    // A file that cannot be opened: by permissions for a user, a write-only attribute for root.
    let locked = articles.join("locked.jsonl");
    let root = std::fs::File::open("/proc/self/status")
        .ok()
        .and_then(|f| {
            std::io::BufRead::lines(std::io::BufReader::new(f))
                .map_while(Result::ok)
                .find(|l| l.starts_with("Uid:"))
        })
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"));
    let mut can_lock = true;
    if root {
        match unopenable() {
            Some(p) => symlink(p, &locked).unwrap(),
            None => can_lock = false,
        }
    } else {
        std::fs::write(&locked, lines_of(&[doc("z", &story(9))])).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    if can_lock {
        bad.push(format!(
            "{}: cannot be opened (Permission denied (os error 13)); skipped",
            locked.display()
        ));
    }
    // A named pipe is counted as skipped, never opened (opening it would block).
    let fifo = articles.join("pipe.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let fifo_made = made.is_ok_and(|s| s.success());
    if !fifo_made || !can_lock {
        skip_or_fail("mkfifo, or a file that cannot be opened, is not available");
    }
    let out = dir.path().join("c.jsonl");
    let mut child = bin()
        .args(["cluster", s(&articles), "-o", s(&out)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_at_most(&mut child, 60).expect("the run ends (a FIFO is never opened)");
    let err = child_stderr(&mut child);
    assert!(status.success(), "{err}");
    for b in &bad {
        assert!(err.contains(b.as_str()), "{b}\n{err}");
    }
    assert_eq!(cluster_sets(&std::fs::read(&out).unwrap()), pair_clusters());
    let c = counts(&out);
    assert_eq!(c["rejected"], bad.len() as u64, "{c}");
    assert_eq!(c["read"], 5 + bad.len() as u64, "{c}");
    assert_eq!(c["documents"], 5, "{c}");
    assert_eq!(c["skipped_files"], 1 + u64::from(fifo_made), "{c}");
    // --strict stops at the first one.
    let strict = run(&["cluster", "--strict", s(&articles), "-o", s(&out)]);
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
    assert!(stderr(&strict).contains(&bad[0]), "{}", stderr(&strict));
}

// ---------------------------------------------------------------------------------------------
// Case 11: compressed formats.

/// Cluster file and stderr of `cluster` on `inputs` with `extra` options.
fn cluster(inputs: &[&Path], extra: &[&str]) -> (Vec<u8>, String, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.jsonl");
    let mut args: Vec<&str> = vec!["cluster"];
    args.extend(inputs.iter().map(|p| s(p)));
    args.extend(extra);
    args.extend(["-o", s(&out)]);
    let o = run(&args);
    let text = std::fs::read(&out).unwrap_or_default();
    (text, stderr(&o), o.status.code())
}

#[test]
fn pzstd_output_with_a_skippable_frame_is_read_as_zstd() {
    let dir = tempfile::tempdir().unwrap();
    let text = lines_of(&pairs());
    let (first, second) = text.split_at(text.len() / 2);
    // As pzstd writes: a skippable frame (magic 0x184D2A50, little-endian; its size; its
    // bytes), then zstd frames.
    let mut bytes = vec![0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];
    bytes.extend(zstd(first));
    bytes.extend([0x5e, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]);
    bytes.extend(zstd(second));
    let p = dir.path().join("archive.jsonl.zst");
    std::fs::write(&p, &bytes).unwrap();
    let plain = dir.path().join("archive.jsonl");
    std::fs::write(&plain, &text).unwrap();
    let (want, _, _) = cluster(&[&plain], &[]);
    // Read by position from the decompressed copy, and decompressed again without copies.
    for extra in [&[][..], &["--copy-budget", "0"][..]] {
        let (got, err, code) = cluster(&[&p], extra);
        assert_eq!(code, Some(0), "{err}");
        assert!(err.contains("read 5, documents 5"), "{err}");
        assert_eq!(cluster_sets(&got), pair_clusters(), "{err}");
        // The same report as from the plain file, but for the file's name.
        let name = |b: &[u8], n: &Path| String::from_utf8_lossy(b).replace(s(n), "INPUT");
        assert_eq!(name(&got, &p), name(&want, &plain), "{extra:?}");
    }
    // From standard input too.
    let o = bin()
        .args(["cluster", "-"])
        .stdin(std::fs::File::open(&p).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(cluster_sets(&o.stdout), pair_clusters());
}

#[test]
fn gzip_with_trailing_zero_padding_is_read_without_a_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let text = lines_of(&pairs());
    let mut bytes = gzip(&text);
    bytes.extend(gzip(b"")); // an empty member, as `cat a.gz b.gz` may leave
    bytes.extend([0u8; 10240]);
    let p = dir.path().join("padded.jsonl.gz");
    std::fs::write(&p, &bytes).unwrap();
    for extra in [&["--strict"][..], &["--strict", "--copy-budget", "0"][..]] {
        let (got, err, code) = cluster(&[&p], extra);
        assert_eq!(code, Some(0), "{err}");
        assert!(
            err.contains("read 5, documents 5 (0 short), rejected 0"),
            "{err}"
        );
        assert_eq!(cluster_sets(&got), pair_clusters());
    }
    // Garbage after the padding is still reported.
    bytes.extend(b"garbage");
    std::fs::write(&p, &bytes).unwrap();
    let (_, err, code) = cluster(&[&p], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!("{}:6: cannot read further (", p.display())),
        "{err}"
    );
}

#[test]
fn xz_and_bzip2_inputs_are_named_and_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_lines(dir.path(), "good.jsonl", &pairs());
    let xz = dir.path().join("archive.jsonl.xz");
    let mut x = vec![0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
    x.extend(b"\x00\x04\xe6\xd6\xb4\x46 anything\n\xff\xfe and more\n");
    std::fs::write(&xz, &x).unwrap();
    let bz = dir.path().join("archive.jsonl.bz2");
    std::fs::write(&bz, b"BZh91AY&SY anything\n\xff\xfe\nmore\n").unwrap();
    let want_xz = format!(
        "{}: xz-compressed, which neardup does not read: decompress it first (xz -d FILE), or pipe it in (xz -dc FILE | neardup cluster -); skipped",
        xz.display()
    );
    let want_bz = format!(
        "{}: bzip2-compressed, which neardup does not read: decompress it first (bzip2 -d FILE), or pipe it in (bzip2 -dc FILE | neardup cluster -); skipped",
        bz.display()
    );
    let (got, err, code) = cluster(&[&xz, &good, &bz], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(&want_xz), "{err}");
    assert!(err.contains(&want_bz), "{err}");
    // One rejected unit each, nothing else from them.
    assert_eq!(err.matches("xz-compressed").count(), 1, "{err}");
    assert_eq!(err.matches("bzip2-compressed").count(), 1, "{err}");
    assert!(!err.contains("UTF-8"), "{err}");
    assert!(
        err.contains("read 7, documents 5 (0 short), rejected 2"),
        "{err}"
    );
    assert_eq!(cluster_sets(&got), pair_clusters());
    // --strict stops there.
    let (_, err, code) = cluster(&[&xz, &good], &["--strict"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&want_xz), "{err}");
    // In a directory they are reported, not skipped as files of other types.
    let d = dir.path().join("d");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(&xz, d.join("a.jsonl.xz")).unwrap();
    std::fs::copy(&good, d.join("b.jsonl")).unwrap();
    let (got, err, code) = cluster(&[&d], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "{}: xz-compressed",
            d.join("a.jsonl.xz").display()
        )),
        "{err}"
    );
    assert_eq!(cluster_sets(&got), pair_clusters());
    // On standard input, alone: a run that reads no document fails (exit 2), naming why.
    let o = bin()
        .args(["cluster", "-"])
        .stdin(std::fs::File::open(&bz).unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("stdin: bzip2-compressed, which neardup does not read"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_interrupted_run_removes_the_hidden_files_of_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let input = generated(dir.path(), 10_000);
    let outdir = dir.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let kept = outdir.join("kept.jsonl");
    let hidden = |dir: &Path| {
        names(dir)
            .into_iter()
            .filter(|n| n.starts_with(".neardup-") && n.ends_with(".tmp"))
            .collect::<Vec<_>>()
    };
    let mut interrupted_while_writing = 0;
    for attempt in 0..5 {
        let mut child = bin()
            .args(["dedupe", "--threads", "1", s(&input), "-o", s(&kept)])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the output is being written, then interrupt as Ctrl-C does.
        let start = Instant::now();
        let mut writing = false;
        while start.elapsed() < Duration::from_secs(120) && child.try_wait().unwrap().is_none() {
            if !hidden(&outdir).is_empty() {
                writing = true;
                std::thread::sleep(Duration::from_millis(3 * attempt));
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if !send(&child, "INT") {
            let _ = child.kill();
            let _ = child.wait();
            skip_or_fail("kill(1) cannot be run");
            return;
        }
        let status = wait_at_most(&mut child, 60).expect("the signal ends the run");
        assert!(
            hidden(&outdir).is_empty(),
            "an interrupted run left {:?}",
            hidden(&outdir)
        );
        if status.code() == Some(130) && !kept.exists() {
            interrupted_while_writing += writing as u32;
        }
        // A run that finished (or committed) before the signal came: start again without it.
        let _ = std::fs::remove_file(&kept);
    }
    assert!(
        interrupted_while_writing > 0,
        "never interrupted while writing"
    );
}
