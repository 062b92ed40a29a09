//! CFG: a login configuration macOS refuses is the vendor's failure, judged like any other: the
//! CFG requirement fails with the text macOS logs, the run goes on where it can, and the verdict
//! is NONCONFORMANT (exit 1), never a malformed target (exit 2). Each target here is the served
//! reference target with the configuration changed by hand, as a vendor would write it.

mod common;

use std::path::Path;

/// Serves the conformant reference IdP, rewrites its target's `[login_configuration]` with
/// `edit`, runs every suite against it and returns the exit code and the report.
fn run_edited(edit: impl Fn(&str) -> String) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let text = std::fs::read_to_string(&served.target).expect("target");
    let edited = dir.path().join("edited.toml");
    std::fs::write(&edited, edit(&text)).expect("write");
    let report = dir.path().join("r.json");
    let out = common::run(&[
        "run",
        "--no-golden",
        "--target",
        edited.to_str().unwrap_or_default(),
        "--report-json",
        report.to_str().unwrap_or_default(),
        "--report-junit",
        dir.path().join("j.xml").to_str().unwrap_or_default(),
    ]);
    let code = out.status.code().unwrap_or(-1);
    assert!(
        Path::new(&report).exists(),
        "no report: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, common::report(&report))
}

fn without_line(text: &str, key: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with(&format!("{key} = ")))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The case's outcome and message.
fn case(report: &serde_json::Value, id: &str) -> (String, String) {
    common::cases(report)
        .into_iter()
        .find(|c| c.0 == id)
        .map(|c| (c.2, c.3))
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// The requirements that did not pass.
fn not_passing(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["requirements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["verdict"] == "fail")
        .filter_map(|r| r["id"].as_str().map(String::from))
        .collect();
    v.sort();
    v
}

#[test]
fn a_dynamic_configuration_without_the_key_path_fails_cfg_3_and_the_run_goes_on() {
    let (code, r) = run_edited(|t| without_line(t, "federationMEXURLKeypath"));
    let (outcome, message) = case(&r, "login-configuration::mex-keypath-set");
    assert_eq!(outcome, "fail", "{message}");
    assert!(
        message.contains("\"The federationMexURLKeypath is missing.\""),
        "{message}"
    );
    assert_eq!(code, 1);
    assert_eq!(r["verdict"], "NONCONFORMANT");
    assert_eq!(not_passing(&r), ["CFG-3"]);
    // The run goes on with macOS's documented fallback: the MEX is found and the login works.
    assert_eq!(
        case(&r, "wstrust-login::valid-login-answers-200-soap12").0,
        "pass"
    );
}

#[test]
fn a_configuration_without_the_request_urn_fails_cfg_1_and_blocks_the_logins() {
    let (code, r) = run_edited(|t| without_line(t, "federationRequestURN"));
    let (outcome, message) = case(&r, "login-configuration::request-urn-set");
    assert_eq!(outcome, "fail", "{message}");
    assert!(
        message.contains("\"The federationRequestURN is missing.\""),
        "{message}"
    );
    assert_eq!(code, 1);
    assert_eq!(not_passing(&r), ["CFG-1"]);
    let (login, why) = case(&r, "wstrust-login::valid-login-answers-200-soap12");
    assert_eq!(login, "skipped");
    assert!(why.contains("blocked by CFG-1"), "{why}");
    // Preauthentication and MEX still run.
    assert_eq!(case(&r, "wstrust-mex::endpoint-selected").0, "pass");
}

#[test]
fn a_predicate_that_raises_on_an_empty_dictionary_fails_cfg_4() {
    let (code, r) = run_edited(|t| {
        t.replace(
            "federationPredicate = 'account_type ==[c] \"federated\"'",
            "federationPredicate = 'account_type ==[c] \"federated\" OR SELF BEGINSWITH \"fed\"'",
        )
        .replace(
            "federationPredicate = \"account_type ==[c] \\\"federated\\\"\"",
            "federationPredicate = \"account_type ==[c] \\\"federated\\\" OR SELF BEGINSWITH \\\"fed\\\"\"",
        )
    });
    let (outcome, message) = case(&r, "login-configuration::predicate-evaluates");
    assert_eq!(outcome, "fail", "{message}");
    assert!(
        message.contains("\"The federationPredicate is not formatted correctly.\"")
            && message.contains("raises against an empty dictionary"),
        "{message}"
    );
    assert_eq!(code, 1);
    assert_eq!(not_passing(&r), ["CFG-4"]);
}

#[test]
fn a_wstrust_configuration_without_the_mex_url_fails_cfg_5_not_exit_2() {
    let (code, r) = run_edited(|t| {
        let t = without_line(t, "federationUserPreauthenticationURL");
        let t = without_line(&t, "federationPredicate");
        let t = without_line(&t, "federationMEXURLKeypath");
        let t = without_line(&t, "customFederationUserPreauthenticationRequestValues");
        t.replace(
            "federationType = \"dynamic-wstrust\"",
            "federationType = \"wstrust\"",
        )
    });
    let (outcome, message) = case(&r, "login-configuration::mex-url-set");
    assert_eq!(outcome, "fail", "{message}");
    assert!(
        message.contains("\"The federationMexURL is missing.\""),
        "{message}"
    );
    assert_eq!(
        code, 1,
        "a configuration macOS refuses is not a malformed target"
    );
    assert_eq!(r["verdict"], "NONCONFORMANT");
    assert_eq!(not_passing(&r), ["CFG-5"]);
    let (mex, why) = case(&r, "wstrust-mex::endpoint-selected");
    assert_eq!(mex, "skipped");
    assert!(why.contains("blocked by CFG-5"), "{why}");
}
