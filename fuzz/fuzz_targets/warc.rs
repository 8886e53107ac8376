//! Fuzz target `warc`: see `checks::warc`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::warc(data));
