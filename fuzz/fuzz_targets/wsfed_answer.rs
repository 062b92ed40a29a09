//! A WS-Federation sign-in answer: HTML forms, the wresult RSTR and its assertion, on arbitrary
//! bytes (signatures checked against no certificate): no panic, no hang.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fedconform::flow::wsfed::analyse_answer(data, &[]);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = fedconform::flow::wsfed::analyse_wresult(text, &[]);
    }
});
