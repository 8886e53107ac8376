//! Fuzz target `read_gzip`: see `checks::read_gzip`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::read_gzip(data));
