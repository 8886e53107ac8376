//! Fuzz target `read_zstd`: see `checks::read_zstd`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::read_zstd(data));
