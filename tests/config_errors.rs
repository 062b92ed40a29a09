//! Rule 3: a malformed suite or target is reported with file, line, column and what was expected;
//! the exit code says "configuration error" (2) and nothing runs (no report is written).

mod common;

use std::path::Path;

const GOOD_SUITE: &str = "[suite]\nname = \"s\"\n\n[[case]]\nid = \"a\"\nrequirements = [\"MEX-1\"]\nstep = \"mex\"\nexpect = { status = \"2xx\" }\n";

/// Runs `fedconform run` with a suite folder holding one file, and returns (code, stderr, report written).
fn run_suite(text: &str) -> (i32, String, bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let suites = dir.path().join("suites");
    std::fs::create_dir_all(&suites).expect("mkdir");
    std::fs::write(suites.join("bad.toml"), text).expect("write");
    let report = dir.path().join("r.json");
    let out = common::run(&[
        "run",
        "--suites",
        suites.to_str().unwrap_or_default(),
        "--report-json",
        report.to_str().unwrap_or_default(),
        "--report-junit",
        dir.path().join("j.xml").to_str().unwrap_or_default(),
    ]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        report.exists(),
    )
}

fn expect_error(text: &str, line_col: &str, needle: &str) {
    let (code, err, ran) = run_suite(text);
    assert_eq!(code, 2, "{err}");
    assert!(!ran, "a report was written: something ran");
    let want = format!("bad.toml:{line_col}: error: ");
    assert!(err.contains(&want), "expected {want:?} in:\n{err}");
    assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    assert!(err.contains("nothing was run"), "{err}");
}

#[test]
fn the_good_suite_is_good() {
    let s = fedconform::suite::load_suite_str(Path::new("bad.toml"), GOOD_SUITE);
    assert!(s.is_ok());
}

#[test]
fn toml_syntax_error() {
    expect_error(
        &GOOD_SUITE.replace("id = \"a\"", "id = \"a"),
        "5:8",
        "invalid basic string",
    );
}

#[test]
fn unknown_key() {
    expect_error(
        &GOOD_SUITE.replace("step = \"mex\"", "step = \"mex\"\nsteps = 2"),
        "8:1",
        "unknown key `steps` (did you mean `step`?): expected one of",
    );
}

#[test]
fn unknown_requirement_id() {
    expect_error(
        &GOOD_SUITE.replace("MEX-1", "MEX-11"),
        "6:17",
        "unknown requirement ID \"MEX-11\"",
    );
}

#[test]
fn wrong_type() {
    expect_error(
        &GOOD_SUITE.replace("requirements = [\"MEX-1\"]", "requirements = \"MEX-1\""),
        "6:16",
        "wrong type",
    );
}

#[test]
fn unknown_step() {
    expect_error(
        &GOOD_SUITE.replace("step = \"mex\"", "step = \"logon\""),
        "7:8",
        "unknown variant `logon`, expected one of",
    );
}

#[test]
fn bad_status_expectation() {
    expect_error(
        &GOOD_SUITE.replace("\"2xx\"", "\"2xz\""),
        "8:21",
        "invalid status \"2xz\"",
    );
}

#[test]
fn duplicate_case_id() {
    let twice = format!(
        "{GOOD_SUITE}\n[[case]]\nid = \"a\"\nrequirements = [\"MEX-2\"]\nstep = \"mex\"\nexpect = {{ wsdl = true }}\n"
    );
    expect_error(&twice, "11:6", "duplicate case id \"a\"");
}

#[test]
fn expectation_on_the_wrong_step() {
    expect_error(
        &GOOD_SUITE.replace("status = \"2xx\"", "predicate = true"),
        "8:12",
        "does not apply to step `mex`",
    );
}

#[test]
fn unknown_expectation_key_is_located_at_the_key() {
    expect_error(
        &GOOD_SUITE.replace("status = \"2xx\"", "status = \"2xx\", shpe = true"),
        "8:28",
        "unknown expectation `shpe` (did you mean `shape`?): expected one of status,",
    );
}

#[test]
fn expectation_of_the_wrong_type_is_located_at_the_value() {
    expect_error(
        &GOOD_SUITE.replace("status = \"2xx\"", "https_only = \"yes\""),
        "8:25",
        "`https_only` is the string \"yes\": expected `true`",
    );
}

#[test]
fn meaningless_false() {
    expect_error(
        &GOOD_SUITE.replace("status = \"2xx\"", "https_only = false"),
        "8:25",
        "`https_only = false` is not a requirement",
    );
}

#[test]
fn missing_suite_table() {
    expect_error(
        &GOOD_SUITE.replace("[suite]\nname = \"s\"\n", ""),
        "1:1",
        "missing key `suite`",
    );
}

fn run_target(text: &str, extra: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = dir.path().join("t.toml");
    std::fs::write(&t, text).expect("write");
    for (name, content) in extra {
        std::fs::write(dir.path().join(name), content).expect("write");
    }
    let report = dir.path().join("r.json");
    let out = std::process::Command::new(common::bin())
        .args([
            "run",
            "--target",
            t.to_str().unwrap_or_default(),
            "--report-json",
            report.to_str().unwrap_or_default(),
        ])
        .current_dir(common::root())
        .env_remove("FEDCONFORM_TEST_UNSET_PASSWORD")
        .output()
        .expect("runs");
    assert!(!report.exists());
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const GOOD_TARGET: &str = r#"[target]
name = "t"

[login_configuration]
federationType = "dynamic-wstrust"
federationUserPreauthenticationURL = "https://idp.example/common/userrealm?api-version=1.0"
federationPredicate = 'account_type ==[c] "federated"'
federationRequestURN = "urn:federation:MicrosoftOnline"

[[user]]
role = "federated"
login = "alice@contoso.example"
password_file = "pw"
"#;

#[test]
fn target_errors_are_located() {
    let cases: [(String, &str, &str); 10] = [
        (
            GOOD_TARGET.replace(
                "password_file = \"pw\"",
                "password_env = \"FEDCONFORM_TEST_UNSET_PASSWORD\"",
            ),
            "13:16",
            "environment variable FEDCONFORM_TEST_UNSET_PASSWORD is not set",
        ),
        (
            GOOD_TARGET.replace("\"pw\"", "\"missing-file\""),
            "13:17",
            "cannot read password file",
        ),
        (
            GOOD_TARGET.replace(
                "federationRequestURN = \"urn:federation:MicrosoftOnline\"",
                "federationRequestURN = \" \"",
            ),
            "8:24",
            "federationRequestURN is empty",
        ),
        (
            GOOD_TARGET.replace(
                "federationRequestURN",
                "federationMEXURLKeypath = \"a..b\"\nfederationRequestURN",
            ),
            "8:27",
            "federationMEXURLKeypath: key path \"a..b\" has an empty key",
        ),
        (
            GOOD_TARGET.replace(
                "federationType = \"dynamic-wstrust\"",
                "federationType = \"saml\"",
            ),
            "5:18",
            "unknown variant `saml`",
        ),
        (
            format!("{GOOD_TARGET}\n[tls]\nextra_ca_files = [\"nope.pem\"]\n"),
            "16:19",
            "cannot read CA file",
        ),
        (
            format!("{GOOD_TARGET}\n[tls]\nextra_ca_files = [\"pw\"]\n"),
            "16:19",
            "expected PEM certificates",
        ),
        (
            // The wrong-password probe would count towards the federated user's lockout.
            format!(
                "{GOOD_TARGET}\n[[user]]\nrole = \"lockout-probe\"\nlogin = \" ALICE@Contoso.example\"\n"
            ),
            "17:9",
            "the lockout-probe user's login \" ALICE@Contoso.example\" is the federated user's (logins compare ignoring case)",
        ),
        (
            format!(
                "{GOOD_TARGET}\n[[user]]\nrole = \"federated\"\nlogin = \"bob@contoso.example\"\npassword_file = \"pw\"\n"
            ),
            "17:9",
            "a second federated user: expected at most one user per role",
        ),
        (
            format!("{GOOD_TARGET}\n[limits]\nmax_body_bytes = 1000\ntimeout_seconds = 0\n"),
            "17:19",
            "[limits] timeout_seconds is 0: expected a number greater than zero",
        ),
    ];
    let neither = "[target]\nname = \"t\"\n".to_string();
    let cases =
        cases
            .into_iter()
            .chain([(neither, "1:1", "neither [login_configuration] nor [wsfed]")]);
    for (text, line_col, needle) in cases {
        let (code, err) = run_target(&text, &[("pw", "secret\n")]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!("t.toml:{line_col}: error: ")),
            "expected t.toml:{line_col} in:\n{err}"
        );
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
}

#[test]
fn good_target_loads_and_password_never_prints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = dir.path().join("t.toml");
    std::fs::write(&t, GOOD_TARGET).expect("write");
    std::fs::write(dir.path().join("pw"), "s3cret-canary\n").expect("write");
    let target = fedconform::suite::load_target(&t).expect("loads");
    let pw = target
        .federated_user
        .as_ref()
        .and_then(|u| u.password.as_ref())
        .map(|p| p.expose().to_string());
    assert_eq!(pw.as_deref(), Some("s3cret-canary"));
    assert!(!format!("{target:?}").contains("s3cret-canary"));
}

const WSFED: &str = r#"
[wsfed]
base_url = "https://tenant.example"
client_id = "abc"
wreply = "https://rp.example/callback"
connection = "contoso-ad"
"#;

/// `line:col` (1-based) of the first occurrence of `needle` in `text`.
fn locate(text: &str, needle: &str) -> String {
    let at = text.find(needle).expect("needle in text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    format!("{line}:{col}")
}

#[test]
fn wsfed_target_errors_are_located() {
    let good = format!("{GOOD_TARGET}{WSFED}");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("t.toml"), &good).expect("write");
    std::fs::write(dir.path().join("pw"), "secret\n").expect("write");
    let t = fedconform::suite::load_target(&dir.path().join("t.toml"))
        .expect("the WS-Fed target loads");
    let w = t.wsfed.expect("a [wsfed] section");
    assert_eq!(
        w.wtrealm, "urn:abc",
        "wtrealm defaults to urn:{{client_id}}"
    );
    assert_eq!(
        w.metadata_url.as_str(),
        "https://tenant.example/wsfed/abc/FederationMetadata/2007-06/FederationMetadata.xml"
    );
    let cases = [
        (
            good.replace("\"https://tenant.example\"", "\"https//tenant\""),
            "\"https//tenant\"",
            "[wsfed] base_url",
        ),
        (
            good.replace("\"https://tenant.example\"", "\"ftp://tenant.example\""),
            "\"ftp://tenant.example\"",
            "expected an https URL",
        ),
        (
            good.replace("\"abc\"", "\"a/b\""),
            "\"a/b\"",
            "[wsfed] client_id",
        ),
        (
            good.replace("\"https://rp.example/callback\"", "\"callback\""),
            "\"callback\"",
            "[wsfed] wreply",
        ),
        (
            good.replace("\"contoso-ad\"", "\"  \""),
            "\"  \"",
            "[wsfed] connection is empty",
        ),
        (
            good.replace("connection = ", "conection = "),
            "conection",
            "unknown key `conection` (did you mean `connection`?)",
        ),
        (
            good.replace("client_id = \"abc\"", "client_id = 7"),
            "7\n",
            "wrong type: got integer `7`, expected a string",
        ),
    ];
    for (text, at, needle) in cases {
        let (code, err) = run_target(&text, &[("pw", "secret\n")]);
        assert_eq!(code, 2, "{err}");
        let line_col = locate(&text, at);
        assert!(
            err.contains(&format!("t.toml:{line_col}: error: ")),
            "expected t.toml:{line_col} for {needle:?} in:\n{err}"
        );
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
}
