//! The preauthentication side: the NSPredicate subset and key paths parsed from arbitrary text,
//! then evaluated against an arbitrary answer. The input is split at the first two NUL bytes into
//! predicate, key path and body.
#![no_main]
use fedconform::flow::{keypath::KeyPath, predicate::Predicate, preauth};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let (Some(p), Some(k), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let (Ok(p), Ok(k)) = (std::str::from_utf8(p), std::str::from_utf8(k)) else {
        return;
    };
    let predicate = Predicate::parse(p).ok();
    let keypath = KeyPath::parse(k).ok();
    let _ = preauth::analyse(body, predicate.as_ref(), keypath.as_ref());
});
