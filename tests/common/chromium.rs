//! Headless Chromium for the tests that look at a report as a person sees it.

use super::skip_or_fail;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Headless Chromium (`NEARDUP_CHROMIUM`, else Debian's `chromium`), or `None` after saying
/// why the test is skipped (a failure under CI).
pub fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("NEARDUP_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
        Some(PathBuf::from("/usr/bin/chromium-browser")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        skip_or_fail("no chromium found (apt-get install chromium, or set NEARDUP_CHROMIUM)");
    }
    found
}

/// Runs headless Chromium on `url` with `args` (e.g. `--dump-dom`) and returns stdout.
pub fn browse(browser: &Path, url: &str, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1200,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
