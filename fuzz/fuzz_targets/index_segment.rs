//! Fuzz target `index_segment`: see `checks::index_segment`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::index_segment(data));
