//! The suite and target loaders on arbitrary text: a located error or a value, never a panic.
#![no_main]
use std::path::Path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = fedconform::suite::load_suite_str(Path::new("fuzz.toml"), text);
    // Relative files resolve against a folder that does not exist: nothing is read.
    let _ = fedconform::suite::load_target_str(Path::new("/nonexistent-fuzz/t.toml"), text);
});
