//! WS-Federation metadata analysis (roles, certificates, endpoints, signature) on arbitrary bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fedconform::flow::wsfed::analyse_metadata(data);
});
