//! Issue 13 item 2: lockout-safe by design. The wrong-password probe goes to an account the
//! target names for it (`role = "lockout-probe"`), never to the federated test user unless the
//! target allows it; the run says how many logins it fails on purpose; `[lockout]` caps them.
//! Asserted from the reference IdP's own audit log (`serve --auth-log`).

mod common;

use std::path::Path;

fn serve_logged(dir: &Path) -> (common::Served, std::path::PathBuf) {
    let log = dir.join("auth.log");
    let served = common::serve_with(dir, &["--auth-log", log.to_str().unwrap_or_default()]);
    (served, log)
}

fn attempts(log: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            (
                v["login"].as_str().unwrap_or_default().to_string(),
                v["result"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn run(dir: &Path, target: &Path) -> (i32, String, serde_json::Value) {
    let ran = common::run_target(dir, target, &[]);
    (ran.code, ran.stderr, ran.report)
}

fn requirement(report: &serde_json::Value, id: &str) -> serde_json::Value {
    report["requirements"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == id))
        .cloned()
        .unwrap_or_default()
}

#[test]
fn with_a_lockout_probe_user_the_federated_user_never_gets_a_wrong_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (served, log) = serve_logged(dir.path());
    let (code, stderr, report) = run(dir.path(), &served.target);
    assert_eq!(code, 0, "{stderr}");
    let seen = attempts(&log);
    assert!(!seen.is_empty(), "the IdP logged the logins");
    let federated = fedconform::idp::FEDERATED_LOGIN;
    assert!(
        !seen.iter().any(|(l, r)| l == federated && r != "ok"),
        "a failed login reached the federated user: {seen:?}"
    );
    let wrong: Vec<&(String, String)> =
        seen.iter().filter(|(_, r)| r == "wrong-password").collect();
    assert_eq!(wrong.len(), 1, "{seen:?}");
    assert_eq!(wrong[0].0, fedconform::idp::LOCKOUT_PROBE_LOGIN);
    assert_eq!(seen.iter().filter(|(_, r)| r == "unknown-user").count(), 1);
    // The run says what it sends, before it sends it, and records it.
    assert!(
        stderr.contains("deliberately failed logins this run sends: 2 (a wrong password to \"lockout-probe@contoso.example\""),
        "{stderr}"
    );
    assert_eq!(
        report["run"]["failed_logins"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(requirement(&report, "WST-8")["verdict"], "pass");
}

#[test]
fn without_a_probe_account_the_wrong_password_probe_is_not_sent_and_the_run_is_incomplete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (served, log) = serve_logged(dir.path());
    let text = std::fs::read_to_string(&served.target).expect("target");
    let without = text.replace(
        "[[user]]\nrole = \"lockout-probe\"\nlogin = \"lockout-probe@contoso.example\"\n",
        "",
    );
    assert_ne!(
        without, text,
        "the served target names a lockout-probe user"
    );
    let t = dir.path().join("no-probe.toml");
    std::fs::write(&t, &without).expect("write");
    let (code, stderr, report) = run(dir.path(), &t);
    assert_eq!(code, 6, "{stderr}");
    assert_eq!(report["verdict"], "INCOMPLETE");
    let wst8 = requirement(&report, "WST-8");
    assert_eq!(wst8["kind"], "needs-input", "{wst8}");
    assert!(
        stderr.contains("add a [[user]] with role = \"lockout-probe\""),
        "{stderr}"
    );
    assert!(
        !attempts(&log).iter().any(|(_, r)| r == "wrong-password"),
        "no wrong password was sent"
    );

    // Allowed explicitly, the probe uses the federated user.
    let allowed = dir.path().join("allowed.toml");
    std::fs::write(
        &allowed,
        format!("{without}\n[lockout]\nprobe_federated_user = true\n"),
    )
    .expect("write");
    let (code, stderr, _) = run(dir.path(), &allowed);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        attempts(&log)
            .iter()
            .any(|(l, r)| l == fedconform::idp::FEDERATED_LOGIN && r == "wrong-password")
    );
}

#[test]
fn a_cap_of_zero_sends_no_failed_login() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (served, log) = serve_logged(dir.path());
    let text = std::fs::read_to_string(&served.target).expect("target");
    let t = dir.path().join("capped.toml");
    std::fs::write(&t, format!("{text}\n[lockout]\nmax_failed_logins = 0\n")).expect("write");
    let (code, stderr, report) = run(dir.path(), &t);
    assert_eq!(code, 6, "{stderr}");
    assert!(
        stderr.contains("deliberately failed logins this run sends: none"),
        "{stderr}"
    );
    assert!(
        attempts(&log).iter().all(|(_, r)| r == "ok"),
        "{:?}",
        attempts(&log)
    );
    for id in ["WST-8", "WST-9"] {
        let r = requirement(&report, id);
        assert_eq!(r["kind"], "needs-input", "{r}");
    }
    assert!(
        stderr.contains("[lockout] max_failed_logins = 0"),
        "{stderr}"
    );
}

/// The count is of the failed logins the run will send: a target that does not claim the
/// Platform SSO flow sends none, whatever users it lists.
#[test]
fn a_ws_fed_only_target_announces_no_failed_login_and_sends_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (served, log) = serve_logged(dir.path());
    let text = std::fs::read_to_string(&served.target).expect("target");
    let ws_fed_only: Vec<&str> = text
        .split("\n\n")
        .filter(|b| !b.starts_with("[login_configuration]"))
        .collect();
    let t = dir.path().join("wsfed-only.toml");
    std::fs::write(&t, ws_fed_only.join("\n\n")).expect("write");
    let (code, stderr, _) = run(dir.path(), &t);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("deliberately failed logins this run sends: none"),
        "{stderr}"
    );
    assert!(attempts(&log).is_empty(), "{:?}", attempts(&log));
}
