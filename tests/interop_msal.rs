//! Interop with real third-party implementations from PyPI, provisioned by the test in a
//! virtualenv under target/ (a missing peer fails the test, rule 2):
//! - Microsoft's MSAL for Python runs its own MEX parser and WS-Trust request against the
//!   reference IdP started by `fedconform serve`, and must obtain an assertion from the same
//!   endpoint the harness selects;
//! - signxml, an independent XML-signature implementation, verifies the assertion MSAL received
//!   with the IdP's signing certificate, and rejects a tampered copy.

mod common;

use common::peers::{python_json, python_venv};
use std::path::{Path, PathBuf};

/// The pinned peers.
const PEERS: [&str; 2] = ["msal==1.39.0", "signxml==5.2.0"];

/// The venv's python, provisioned once per test process: the tests of this file run in parallel
/// and must not create the virtualenv twice at the same time.
fn venv_python() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON
        .get_or_init(|| python_venv("interop-venv", &PEERS, "msal, requests, signxml"))
        .clone()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// A reference IdP started by `fedconform serve`, with where its MEX is and its files.
struct Idp {
    _served: common::Served,
    dir: tempfile::TempDir,
    mex_url: String,
}

impl Idp {
    fn start(args: &[&str]) -> Idp {
        let dir = tempfile::tempdir().expect("tempdir");
        let served = common::serve_with(dir.path(), args);
        let target =
            fedconform::suite::load_target(&served.target).expect("the served target loads");
        let base = target
            .preauth_url
            .as_ref()
            .map(|u| format!("{}://{}", u.scheme(), u.authority()))
            .expect("a preauthentication URL");
        // Where the MEX is, as the IdP's preauthentication answer says (PRE-4).
        let mex_url = format!("{base}/adfs/services/trust/mex");
        Idp {
            _served: served,
            dir,
            mex_url,
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// MSAL's MEX and WS-Trust login for a user; the assertion is saved to `assertion_out`.
    fn msal_login(
        &self,
        python: &Path,
        login: &str,
        password_file: &str,
        assertion_out: &str,
    ) -> serde_json::Value {
        let (ca, password, out) = (
            self.file("t.ca.pem"),
            self.file(password_file),
            self.file(assertion_out),
        );
        python_json(
            python,
            "msal_wstrust.py",
            &[
                &self.mex_url,
                s(&ca),
                login,
                s(&password),
                "urn:federation:MicrosoftOnline",
                s(&out),
            ],
        )
    }

    /// signxml's verdict on a saved document, with the IdP's signing certificate.
    fn verify(&self, python: &Path, file: &str, id_attribute: &str) -> serde_json::Value {
        let (doc, cert) = (self.file(file), self.file("t.signing.pem"));
        python_json(
            python,
            "verify_signature.py",
            &[s(&doc), s(&cert), id_attribute],
        )
    }
}

#[test]
fn msal_obtains_an_assertion_from_the_endpoint_the_harness_selects() {
    let python = venv_python();
    let idp = Idp::start(&[]);
    let ca = idp.file("t.ca.pem");

    // The harness's selection, through its own command line.
    let out = common::run(&[
        "inspect",
        "mex",
        &idp.mex_url,
        "--ca",
        s(&ca),
        "--format",
        "json",
    ]);
    let inspected: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("inspect mex gives JSON");
    let selected = inspected["selected"]["address"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        selected.ends_with("/adfs/services/trust/13/usernamemixed"),
        "{inspected}"
    );

    let msal = idp.msal_login(
        &python,
        fedconform::idp::FEDERATED_LOGIN,
        "t.password",
        "assertion.xml",
    );
    assert_eq!(
        msal["address"], selected,
        "MSAL chose {} where the harness chose {selected}",
        msal["address"]
    );
    assert_eq!(
        msal["action"],
        "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"
    );
    assert_eq!(msal["token_type"], "urn:oasis:names:tc:SAML:1.0:assertion");
    assert_eq!(msal["assertion_element"], "<saml:Assertion");

    // The special user's XML-special characters survive MSAL's escaping and the STS's reading.
    let special = idp.msal_login(
        &python,
        fedconform::idp::SPECIAL_LOGIN,
        "t.special.password",
        "special.xml",
    );
    assert_eq!(
        special["token_type"],
        "urn:oasis:names:tc:SAML:1.0:assertion"
    );

    // signxml verifies the assertion MSAL received, with the IdP's signing certificate.
    let v = idp.verify(&python, "assertion.xml", "AssertionID");
    assert_eq!(v["verified"], true, "{v}");
    assert_eq!(
        v["signed_element"],
        "{urn:oasis:names:tc:SAML:1.0:assertion}Assertion"
    );
    let text = std::fs::read_to_string(idp.file("assertion.xml")).expect("assertion saved");
    std::fs::write(
        idp.file("tampered.xml"),
        text.replacen("alice@contoso.example", "mallory@contoso.example", 1),
    )
    .expect("write");
    let v = idp.verify(&python, "tampered.xml", "AssertionID");
    assert_eq!(
        v["verified"], false,
        "a tampered assertion must not verify: {v}"
    );
}

#[test]
fn a_saml2_sts_is_read_by_msal_and_its_signature_verified_by_signxml() {
    let python = venv_python();
    let idp = Idp::start(&["--token", "saml2"]);
    let msal = idp.msal_login(
        &python,
        fedconform::idp::FEDERATED_LOGIN,
        "t.password",
        "assertion.xml",
    );
    assert_eq!(msal["token_type"], "urn:oasis:names:tc:SAML:2.0:assertion");
    assert_eq!(msal["assertion_element"], "<saml2:Assertion");
    let v = idp.verify(&python, "assertion.xml", "ID");
    assert_eq!(v["verified"], true, "{v}");
    assert_eq!(
        v["signed_element"],
        "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"
    );
}
