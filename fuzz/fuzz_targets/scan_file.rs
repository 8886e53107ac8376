//! Fuzz target `scan_file`: see `checks::scan_file`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::scan_file(data));
