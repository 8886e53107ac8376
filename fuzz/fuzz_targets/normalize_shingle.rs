//! Fuzz target `normalize_shingle`: see `checks::normalize_shingle`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::normalize_shingle(data));
