//! `fedconform inspect wsfed-metadata` on real WS-Federation metadata (tests/fixtures/wsfed-metadata,
//! provenance in tests/fixtures/PROVENANCE.md): each verifies at a pinned clock inside its signing
//! certificate's validity, with WSF-1…5, WSF-14 and WSF-15 as those documents deserve; a copy
//! re-formatted after signing is diagnosed as such; the clock used is said.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// (fixture, a `--now` inside its signing certificate's validity, the certificate's subject).
const DOCUMENTS: [(&str, &str, &str); 4] = [
    (
        "adfs-20-msidlab7.xml",
        "2017-06-01T00:00:00Z",
        "CN=ADFS Signing - fs.msidlab7.com",
    ),
    (
        "adfs-30-msidlab2.xml",
        "2017-09-01T00:00:00Z",
        "CN=ADFS Signing - fs.msidlab2.com",
    ),
    (
        "adfs-2016-msidlab11.xml",
        "2017-06-01T00:00:00Z",
        "CN=ADFS Signing - fs.msidlab11.com",
    ),
    (
        "azure-ad-tenant-2014.xml",
        "2014-03-01T00:00:00Z",
        "CN=accounts.accesscontrol.windows.net",
    ),
];

fn fixture(name: &str) -> PathBuf {
    common::root()
        .join("tests/fixtures/wsfed-metadata")
        .join(name)
}

/// Runs `inspect wsfed-metadata FILE --format json EXTRA…`: the exit code, the JSON, and each
/// finding by its key.
fn inspect(path: &Path, extra: &[&str]) -> (i32, serde_json::Value, BTreeMap<String, Finding>) {
    let mut args = vec![
        "inspect",
        "wsfed-metadata",
        path.to_str().unwrap_or_default(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = common::run(&args);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut findings = BTreeMap::new();
    for f in v["findings"].as_array().into_iter().flatten() {
        let key = f["key"].as_str().unwrap_or_default().to_string();
        let previous = findings.insert(
            key.clone(),
            Finding {
                outcome: f["outcome"].as_str().unwrap_or_default().to_string(),
                message: f["message"].as_str().unwrap_or_default().to_string(),
            },
        );
        assert!(previous.is_none(), "two findings share the key {key}: {v}");
    }
    (out.status.code().unwrap_or(-1), v, findings)
}

#[derive(Debug)]
struct Finding {
    outcome: String,
    message: String,
}

fn outcome<'a>(f: &'a BTreeMap<String, Finding>, key: &str) -> &'a str {
    f.get(key).map(|x| x.outcome.as_str()).unwrap_or("absent")
}

fn message<'a>(f: &'a BTreeMap<String, Finding>, key: &str) -> &'a str {
    f.get(key).map(|x| x.message.as_str()).unwrap_or("absent")
}

#[test]
fn each_document_verifies_at_a_pinned_clock_with_the_findings_it_deserves() {
    for (name, now, subject) in DOCUMENTS {
        let (code, v, f) = inspect(&fixture(name), &["--now", now]);
        let what = format!("{name} at {now}: {v}");
        assert_eq!(v["now"], now, "{what}");
        assert_eq!(v["clock"], "pinned", "{what}");
        for key in [
            "WSF-1/entity_descriptor",
            "WSF-2/sts_role",
            "WSF-3/signing_certificate_current",
            "WSF-4/passive_endpoint_https",
            "WSF-5/metadata_signed",
            "WSF-5/sts_endpoint",
            "WSF-14/metadata_signature_sha2",
            "WSF-15/protocol_support_wsfed",
        ] {
            assert_eq!(outcome(&f, key), "pass", "{key}: {what}");
        }
        assert_eq!(
            message(&f, "WSF-5/metadata_signed"),
            format!(
                "signed with RSA-SHA256 (SHA256 digest, exclusive c14n) by {subject}, verified"
            ),
            "{what}"
        );
        assert!(
            message(&f, "WSF-3/signing_certificate_current").starts_with(subject),
            "{what}"
        );
        assert!(
            message(&f, "WSF-5/sts_endpoint")
                .starts_with("fed:SecurityTokenServiceEndpoint \"https://"),
            "{what}"
        );
        // The token types are compared with what a sign-in issues: not evaluated offline, and
        // the message says what the document offers.
        assert_eq!(
            outcome(&f, "WSF-5/offers_token_type_of"),
            "skipped",
            "{what}"
        );
        assert_eq!(
            v["analysis"]["signature"]["verified"]["Ok"],
            serde_json::Value::Null
        );
        assert_eq!(code, 0, "{what}");
    }
}

#[test]
fn an_absent_token_types_offered_is_said_to_be_absent() {
    let (_, _, f) = inspect(
        &fixture("azure-ad-tenant-2014.xml"),
        &["--now", "2014-03-01T00:00:00Z"],
    );
    assert!(
        message(&f, "WSF-5/offers_token_type_of").contains("fed:TokenTypesOffered is absent"),
        "{f:?}"
    );
    let (_, _, f) = inspect(
        &fixture("adfs-2016-msidlab11.xml"),
        &["--now", "2017-06-01T00:00:00Z"],
    );
    assert!(
        message(&f, "WSF-5/offers_token_type_of").contains(
            "fed:TokenTypesOffered lists \"urn:oasis:names:tc:SAML:2.0:assertion\", \"urn:oasis:names:tc:SAML:1.0:assertion\""
        ),
        "{f:?}"
    );
}

#[test]
fn without_now_the_current_time_judges_and_says_so() {
    let (code, v, f) = inspect(&fixture("adfs-20-msidlab7.xml"), &[]);
    assert_eq!(v["clock"], "current", "{v}");
    assert_eq!(
        outcome(&f, "WSF-3/signing_certificate_current"),
        "fail",
        "{v}"
    );
    let now = v["now"].as_str().unwrap_or_default();
    assert!(
        message(&f, "WSF-3/signing_certificate_current")
            .contains(&format!("expected a signing certificate valid at {now}")),
        "{v}"
    );
    // The signature itself still verifies: the certificate's age is WSF-3's alone.
    assert_eq!(outcome(&f, "WSF-5/metadata_signed"), "pass", "{v}");
    assert_eq!(code, 1);

    let text = common::run(&[
        "inspect",
        "wsfed-metadata",
        fixture("adfs-20-msidlab7.xml").to_str().unwrap_or_default(),
        "--now",
        "2017-06-01T00:00:00Z",
    ]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("judged at 2017-06-01T00:00:00Z, pinned by --now"),
        "{text}"
    );
    assert!(
        text.contains("pass    WSF-5/metadata_signed"),
        "the text output names each finding by its key: {text}"
    );
}

#[test]
fn a_copy_re_indented_after_signing_is_diagnosed() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, now, _) in DOCUMENTS {
        let original = std::fs::read_to_string(fixture(name)).expect("fixture");
        // Re-indented as a pretty-printer does: a line break and indentation between elements,
        // with CRLF line ends (which XML parsers read as LF).
        let indented = original.replace("><", ">\r\n  <");
        let path = dir.path().join(name);
        std::fs::write(&path, indented).expect("write");
        let (code, v, f) = inspect(&path, &["--now", now]);
        let what = format!("{name}: {v}");
        assert_eq!(outcome(&f, "WSF-5/metadata_signed"), "warn", "{what}");
        let m = message(&f, "WSF-5/metadata_signed");
        assert!(m.contains("the SignatureValue does not match"), "{what}");
        assert!(
            m.contains("the document appears to have been re-formatted after signing"),
            "{what}"
        );
        let s = &v["analysis"]["signature"];
        assert_eq!(s["reformatted"], true, "{what}");
        assert_eq!(s["failed_part"]["part"], "signature-value", "{what}");
        // Everything else is read as before, and a SHOULD does not fail the document.
        assert_eq!(
            outcome(&f, "WSF-3/signing_certificate_current"),
            "pass",
            "{what}"
        );
        assert_eq!(code, 0, "{what}");
    }
}

#[test]
fn content_changed_after_signing_names_the_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = std::fs::read_to_string(fixture("adfs-2016-msidlab11.xml")).expect("fixture");
    let changed = original.replacen(
        "https://fs.msidlab11.com/adfs/ls/",
        "https://attacker.example/adfs/ls/",
        1,
    );
    assert_ne!(changed, original);
    let path = dir.path().join("changed.xml");
    std::fs::write(&path, changed).expect("write");
    let (_, v, f) = inspect(&path, &["--now", "2017-06-01T00:00:00Z"]);
    let m = message(&f, "WSF-5/metadata_signed");
    assert!(
        m.contains("the DigestValue of reference 1 (URI \"#_"),
        "{v}"
    );
    assert!(!m.contains("re-formatted"), "{v}");
    let s = &v["analysis"]["signature"];
    assert_eq!(s["failed_part"]["part"], "reference-digest", "{v}");
    assert_eq!(s["failed_part"]["index"], 1, "{v}");
    assert_eq!(s["reformatted"], false, "{v}");
}

#[test]
fn a_malformed_now_is_a_configuration_error_for_every_inspect_command() {
    let mex = common::root().join("tests/fixtures/mex/fs-arupela.mex.xml");
    for (what, file) in [
        ("wsfed-metadata", fixture("adfs-20-msidlab7.xml")),
        ("mex", mex.clone()),
    ] {
        let out = common::run(&[
            "inspect",
            what,
            file.to_str().unwrap_or_default(),
            "--now",
            "June 2017",
        ]);
        assert_eq!(out.status.code(), Some(2), "{what}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--now") && err.contains("RFC 3339"),
            "{what}: {err}"
        );
    }
    // And inspect mex says which clock it used.
    let out = common::run(&[
        "inspect",
        "mex",
        mex.to_str().unwrap_or_default(),
        "--now",
        "2015-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["now"], "2015-01-01T00:00:00Z");
    assert_eq!(v["clock"], "pinned");
}
