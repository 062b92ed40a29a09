//! Interop with a real WS-Trust client: Microsoft's MSAL for Python (`msal` from PyPI) runs its
//! own MEX parser and WS-Trust request against the reference IdP started by `fedconform serve`,
//! and must obtain an assertion from the same endpoint the harness selects. The test provisions
//! MSAL in a virtualenv under target/; a missing peer fails the test (rule 2).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned MSAL version.
const MSAL: &str = "msal==1.39.0";

fn venv_python() -> PathBuf {
    let venv = common::root().join("target/interop-venv");
    let python = venv.join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import msal, requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        let made = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .output();
        assert!(
            made.as_ref().is_ok_and(|o| o.status.success()),
            "cannot create a Python virtualenv (python3 -m venv): {made:?}"
        );
        let pip = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                MSAL,
            ])
            .output();
        match pip {
            Ok(o) if o.status.success() => {}
            other => {
                panic!("cannot install {MSAL} from PyPI: the interop peer is missing: {other:?}")
            }
        }
    }
    python
}

fn run_msal(
    python: &Path,
    mex_url: &str,
    ca: &Path,
    user: &str,
    password_file: &Path,
) -> serde_json::Value {
    let script = common::root().join("tests/interop/msal_wstrust.py");
    let out = Command::new(python)
        .arg(script)
        .args([
            mex_url,
            ca.to_str().unwrap_or_default(),
            user,
            password_file.to_str().unwrap_or_default(),
            "urn:federation:MicrosoftOnline",
        ])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "MSAL failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "MSAL's output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn msal_obtains_an_assertion_from_the_endpoint_the_harness_selects() {
    let python = venv_python();
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let target = fedconform::suite::load_target(&served.target).expect("the served target loads");
    let base = target
        .preauth_url
        .as_ref()
        .map(|u| format!("{}://{}", u.scheme(), u.authority()))
        .expect("a preauthentication URL");
    // Where the MEX is, as the IdP's preauthentication answer says (PRE-4).
    let mex_url = format!("{base}/adfs/services/trust/mex");
    let ca = dir.path().join("t.ca.pem");

    // The harness's selection, through its own command line.
    let out = common::run(&[
        "inspect",
        "mex",
        &mex_url,
        "--ca",
        ca.to_str().unwrap_or_default(),
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

    let msal = run_msal(
        &python,
        &mex_url,
        &ca,
        fedconform::idp::FEDERATED_LOGIN,
        &dir.path().join("t.password"),
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
    let special = run_msal(
        &python,
        &mex_url,
        &ca,
        fedconform::idp::SPECIAL_LOGIN,
        &dir.path().join("t.special.password"),
    );
    assert_eq!(
        special["token_type"],
        "urn:oasis:names:tc:SAML:1.0:assertion"
    );
}
