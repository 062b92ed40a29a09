//! WS-Trust response analysis on arbitrary bytes: no panic, no hang.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fedconform::flow::wstrust::analyse(data);
});
