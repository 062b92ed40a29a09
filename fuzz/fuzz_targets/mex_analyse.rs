//! MEX analysis (parse, macOS's selection, inventory) on arbitrary bytes: no panic, no hang.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let a = fedconform::flow::mex::analyse(data);
    let _ = a.selected_endpoint();
});
