//! The field cases (tests/fixtures/cases, PROVENANCE.md) and the near misses of issue 12 judged
//! offline with `fedconform inspect`: each with the verdict it must get. The live cases (C5, C6,
//! C7) are reference-IdP defects (tests/defect_matrix.rs, tests/macos_requests.rs) and hostile
//! server behaviours (tests/robustness.rs).

mod common;

use std::path::Path;

fn inspect(kind: &str, path: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec![
        "inspect",
        kind,
        path.to_str().unwrap_or_default(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = common::run(&args);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn case(name: &str) -> std::path::PathBuf {
    common::root().join("tests/fixtures/cases").join(name)
}

/// The findings of one requirement: (outcome, message) for each case citing it.
fn findings(v: &serde_json::Value, req: &str) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["requirement"] == req)
        .map(|f| {
            (
                f["outcome"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn only(v: &serde_json::Value, req: &str) -> (String, String) {
    let f = findings(v, req);
    assert_eq!(f.len(), 1, "{req}: {f:?}");
    f[0].clone()
}

/// A variant of a real fixture, written to a temporary file.
fn variant(dir: &Path, fixture: &str, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let text = std::fs::read_to_string(common::root().join("tests/fixtures").join(fixture))
        .expect("fixture");
    let path = dir.join(fixture.replace('/', "-"));
    std::fs::write(&path, edit(text)).expect("write");
    path
}

#[test]
fn c3_a_soap11_credential_fault_is_a_fault_macos_does_not_read_and_no_status_is_invented() {
    let (code, v) = inspect(
        "rstr",
        &case("sts-soap11-credential-fault.xml"),
        &["--nonce", "urn:uuid:E621E1F8-C36C-495A-93FC-0C247A3E6E5F"],
    );
    assert_eq!(v["kind"], "fault", "{v}");
    assert_eq!(v["analysis"]["fault"]["soap"], "1.1");
    assert_eq!(v["analysis"]["fault"]["code"], "ns1:FailedAuthentication");
    let (outcome, message) = only(&v, "WST-8");
    assert_eq!(outcome, "fail");
    assert!(
        message.contains("a SOAP 1.1 fault (faultcode \"ns1:FailedAuthentication\"), which macOS does not read: it reads only SOAP 1.2"),
        "{message}"
    );
    assert!(message.contains("a file"), "{message}");
    // Never judged as a token answer, never an invented status.
    for req in ["WST-1", "WST-3", "WST-4", "WST-5", "WST-6"] {
        assert!(findings(&v, req).is_empty(), "{req} judged: {v}");
    }
    let all = v["findings"].to_string();
    assert!(
        !all.contains("got HTTP") && !all.contains("HTTP 200"),
        "a file has no status: {all}"
    );
    assert_eq!(code, 1);
}

#[test]
fn c4_message_security_endpoints_do_not_fail_mex_9_and_mex_6_names_them() {
    let (code, v) = inspect(
        "mex",
        &case("adfs-2016-message-security-endpoints.mex.xml"),
        &[],
    );
    assert_eq!(v["selected"]["version"], "1.3");
    assert_eq!(
        v["selected"]["address"],
        "https://sts.example.com/adfs/services/trust/13/usernamemixed"
    );
    assert_eq!(only(&v, "MEX-9").0, "pass", "{v}");
    let (outcome, message) = only(&v, "MEX-6");
    assert_eq!(outcome, "warn");
    assert!(
        message.contains("message security: its policy asserts sp:SymmetricBinding"),
        "{message}"
    );
    assert!(message.contains("http://sts.example.com/adfs/services/trust/13/username"));
    assert_eq!(code, 0, "warnings only");
}

#[test]
fn a_ws_policy_15_wsdl_at_http_names_the_policy_version_and_its_policies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = variant(dir.path(), "mex/msft-sts.mex.xml", |t| {
        t.replace(
            "http://schemas.xmlsoap.org/ws/2004/09/policy",
            "http://www.w3.org/ns/ws-policy",
        )
        .replace("<wsa10:Address>https://", "<wsa10:Address>http://")
    });
    let (code, v) = inspect("mex", &path, &[]);
    assert!(v["selected"].is_null());
    let (outcome, message) = only(&v, "MEX-3");
    assert_eq!(outcome, "fail");
    assert!(
        message.contains("the policy is in the WS-Policy namespace \"http://www.w3.org/ns/ws-policy\"; macOS reads only WS-Policy 2004/09"),
        "{message}"
    );
    assert!(
        !message.contains("no username endpoint is advertised"),
        "{message}"
    );
    let (_, inventory) = only(&v, "MEX-10");
    assert!(!inventory.starts_with("0 policies"), "{inventory}");
    let (mex6, mex6_message) = only(&v, "MEX-6");
    assert_ne!(mex6, "pass", "{mex6_message}");
    assert!(!mex6_message.contains("every username endpoint is https"));
    assert_eq!(code, 1);
}

#[test]
fn a_soap11_binding_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = variant(dir.path(), "mex/msft-sts.mex.xml", |t| {
        t.replace("<soap12:binding transport=", "<soap:binding transport=")
    });
    let (_, v) = inspect("mex", &path, &[]);
    let (outcome, message) = only(&v, "MEX-3");
    assert_eq!(outcome, "fail");
    assert!(
        message.contains("is a SOAP 1.1 binding (soap:binding); macOS reads only soap12:binding"),
        "{message}"
    );
}

#[test]
fn a_leading_newline_is_mex_8_not_https() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = variant(dir.path(), "mex/msft-sts.mex.xml", |t| {
        t.replace(
            "<wsa10:Address>https://",
            "<wsa10:Address>\n        https://",
        )
    });
    let (code, v) = inspect("mex", &path, &[]);
    assert!(v["selected"].is_null());
    let (outcome, message) = only(&v, "MEX-3");
    assert_eq!(outcome, "fail");
    assert!(message.contains("has surrounding whitespace"), "{message}");
    assert!(
        !message.contains("does not start with https://"),
        "{message}"
    );
    let (mex8, mex8_message) = only(&v, "MEX-8");
    assert_eq!(mex8, "fail", "judged, not skipped: {mex8_message}");
    assert!(
        mex8_message.contains(
            "\\n        https://msft.sts.microsoft.com/adfs/services/trust/13/usernamemixed"
        ),
        "{mex8_message}"
    );
    assert_eq!(code, 1);
}

#[test]
fn the_whitespace_fixture_inventory_names_the_whitespace() {
    let (_, v) = inspect(
        "mex",
        &common::root().join("tests/fixtures/mex/msft-sts-address-whitespace.mex.xml"),
        &[],
    );
    let (_, inventory) = only(&v, "MEX-10");
    assert!(inventory.contains("surrounding whitespace"), "{inventory}");
    let selected = v["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["selected"] == true)
        .cloned()
        .unwrap_or_default();
    assert!(
        selected["notes"]
            .to_string()
            .contains("surrounding whitespace"),
        "{selected}"
    );
}

#[test]
fn a_lower_cased_relatesto_fails_wst_2_and_says_so() {
    let (code, v) = inspect(
        "rstr",
        &common::root().join("tests/fixtures/rstr/adfs-13-rstrc-relatesto.xml"),
        &[
            "--nonce",
            "urn:uuid:6E8CE948-EB66-4720-916B-0695697E6E45",
            "--now",
            "2017-10-11T00:21:00Z",
        ],
    );
    let (outcome, message) = only(&v, "WST-2");
    assert_eq!(outcome, "fail");
    assert!(
        message
            .contains("expected a:RelatesTo = \"urn:uuid:6E8CE948-EB66-4720-916B-0695697E6E45\""),
        "{message}"
    );
    assert!(message.contains("got a:RelatesTo = \"urn:uuid:6e8ce948-eb66-4720-916b-0695697e6e45\": the MessageID with its case changed"), "{message}");
    assert_eq!(code, 1);
}

#[test]
fn a_relatesto_of_ws_addressing_2004_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = variant(dir.path(), "rstr/adfs-13-rstrc-relatesto.xml", |t| {
        t.replace(
            "<a:RelatesTo>",
            "<r:RelatesTo xmlns:r=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\">",
        )
        .replace("</a:RelatesTo>", "</r:RelatesTo>")
    });
    let (_, v) = inspect(
        "rstr",
        &path,
        &[
            "--nonce",
            "urn:uuid:6e8ce948-eb66-4720-916b-0695697e6e45",
            "--now",
            "2017-10-11T00:21:00Z",
        ],
    );
    let (outcome, message) = only(&v, "WST-2");
    assert_eq!(outcome, "fail");
    assert!(
        message.contains("a RelatesTo = \"urn:uuid:6e8ce948-eb66-4720-916b-0695697e6e45\" in \"http://schemas.xmlsoap.org/ws/2004/08/addressing\", which macOS does not read"),
        "{message}"
    );
}

#[test]
fn a_bare_rstr_is_read_as_a_wresult() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = variant(dir.path(), "rstr/adfs-2005-rstr-relatesto-2017.xml", |t| {
        let start = t.find("<t:RequestSecurityTokenResponse").expect("an RSTR");
        let end = t
            .find("</t:RequestSecurityTokenResponse>")
            .expect("its end")
            + "</t:RequestSecurityTokenResponse>".len();
        t[start..end].replacen(
            "<t:RequestSecurityTokenResponse",
            "<t:RequestSecurityTokenResponse xmlns:a=\"http://www.w3.org/2005/08/addressing\" xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"",
            1,
        )
    });
    let (_, v) = inspect("rstr", &path, &["--now", "2017-10-11T00:21:00Z"]);
    assert_eq!(v["kind"], "wresult", "{v}");
    let wsf7 = findings(&v, "WSF-7");
    assert_eq!(wsf7.len(), 4, "{wsf7:?}");
    assert!(
        wsf7.iter().any(|(o, m)| o == "pass"
            && m.contains(
                "a bare WS-Trust 2005 RequestSecurityTokenResponse holding a saml:Assertion"
            )),
        "{wsf7:?}"
    );
    assert!(
        wsf7.iter()
            .any(|(o, m)| o == "skipped" && m.contains("--metadata")),
        "the signature needs the metadata: {wsf7:?}"
    );
    assert!(
        findings(&v, "WST-1").is_empty() && findings(&v, "WST-2").is_empty(),
        "{v}"
    );
}
