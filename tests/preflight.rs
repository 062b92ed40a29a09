//! Issue 13 item 7: `fedconform check --target FILE`, the preflight: the target validated, each
//! endpoint resolved and reached over TLS (the chain and where it ends), one preauthentication
//! GET, and which flows and cases will run and which will not, and why.

mod common;

fn check(target: &std::path::Path) -> (i32, String, String) {
    let o = common::run(&["check", "--target", target.to_str().unwrap_or_default()]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_reachable_target_is_reported_endpoint_by_endpoint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("auth.log");
    let served = common::serve_with(
        dir.path(),
        &["--auth-log", log.to_str().unwrap_or_default()],
    );
    let (code, out, err) = check(&served.target);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ok  federationUserPreauthenticationURL"),
        "{out}"
    );
    assert!(
        out.contains("user=alice@contoso.example"),
        "the preauthentication GET, as macOS sends it: {out}"
    );
    assert!(
        out.contains("answered HTTP 200 application/json: a JSON document"),
        "{out}"
    );
    assert!(out.contains("ok  [wsfed] metadata_url"), "{out}");
    assert!(out.contains("chain: CN=fedconform reference IdP"), "{out}");
    assert!(out.contains("ends in a reference root"), "{out}");
    assert!(out.contains("TLSv1."), "{out}");
    let total = fedconform::embedded::suites()
        .map(|s| s.iter().map(|x| x.cases.len()).sum::<usize>())
        .unwrap_or(0);
    assert!(
        out.contains(&format!("cases: {total} of {total} will run")),
        "{out}"
    );
    // A preflight logs nobody in.
    assert!(
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .trim()
            .is_empty(),
        "the preflight sent a login"
    );
}

#[test]
fn what_will_not_run_is_said_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let text = std::fs::read_to_string(&served.target).expect("target");
    // No managed user, no special user, no [wsfed].
    let mut trimmed = String::new();
    let mut skip = false;
    for block in text.split("\n\n") {
        skip = block.starts_with("[[user]]\nrole = \"managed\"")
            || block.starts_with("[[user]]\nrole = \"special\"")
            || block.starts_with("[wsfed]");
        if !skip {
            trimmed.push_str(block);
            trimmed.push_str("\n\n");
        }
    }
    let _ = skip;
    let t = dir.path().join("trimmed.toml");
    std::fs::write(&t, &trimmed).expect("write");
    let (code, out, err) = check(&t);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("case(s), not evaluated: the target has no managed user: add a [[user]] with role = \"managed\""), "{out}");
    assert!(
        out.contains("case(s), not evaluated: the target has no special user"),
        "{out}"
    );
    assert!(out.contains("case(s), not applicable: the target does not claim the WS-Federation flow: it has no [wsfed]"), "{out}");
    assert!(out.contains("psso-preauth::managed-answer"), "{out}");
    assert!(!out.contains("[wsfed] metadata_url"), "{out}");
}

#[test]
fn an_unreachable_endpoint_and_a_malformed_target_have_their_exit_codes() {
    let port = common::free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let t = dir.path().join("t.toml");
    std::fs::write(&t, format!("[target]\nname = \"down\"\n[wsfed]\nbase_url = \"https://127.0.0.1:{port}\"\nclient_id = \"c\"\nwreply = \"https://app.example/cb\"\n")).expect("write");
    let (code, out, _) = check(&t);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("NO  [wsfed] metadata_url"), "{out}");
    assert!(out.contains("could not connect"), "{out}");
    std::fs::write(&t, "[target]\nname = \"x\"\n[wsfed]\nbase_url = 3\n").expect("write");
    let (code, _, err) = check(&t);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("t.toml:4:"), "{err}");
}

/// A login configuration URL that is not https is shown, not probed, with CFG-6; the cases that
/// need it are blocked by CFG-6, not left to fail at run time; and a WS-Fed run sends no
/// deliberately failed login.
#[test]
fn a_refused_configuration_url_is_shown_with_its_rule_and_blocks_its_cases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), Some("cfg-http-preauth-url"));
    let (code, out, err) = check(&served.target);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("NO  federationUserPreauthenticationURL: http://"),
        "{out}"
    );
    assert!(out.contains("not probed: "), "{out}");
    assert!(out.contains("(CFG-6)"), "{out}");
    assert!(out.contains("case(s), blocked by CFG-6: "), "{out}");
    assert!(out.contains("psso-preauth::federated-answers-2xx"), "{out}");
    assert!(
        out.contains("deliberately failed logins a run sends: none"),
        "{out}"
    );
}

/// What `check` says will run is what the run runs: without a federated user no MEX request and
/// no login can be made (the MEX URL comes from its preauthentication), and no failed login is
/// announced.
#[test]
fn check_counts_what_the_run_will_run_without_a_federated_user() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let text = std::fs::read_to_string(&served.target).expect("target");
    let trimmed: String = text
        .split("\n\n")
        .filter(|b| !b.starts_with("[[user]]\nrole = \"federated\""))
        .map(|b| format!("{b}\n\n"))
        .collect();
    let t = dir.path().join("no-federated.toml");
    std::fs::write(&t, &trimmed).expect("write");
    let (code, out, err) = check(&t);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.matches("case(s), not evaluated: the target has no federated user")
            .count(),
        1,
        "one cause, one line, for the preauthentication, MEX and login cases: {out}"
    );
    let ran = common::run_target(dir.path(), &t, &[]);
    let wstrust: Vec<_> = common::cases(&ran.report)
        .into_iter()
        .filter(|c| c.0.starts_with("wstrust-"))
        .collect();
    assert!(!wstrust.is_empty());
    for (id, _, outcome, _) in &wstrust {
        assert_eq!(outcome, "skipped", "{id}: {}", ran.stderr);
        assert!(
            out.contains(id.as_str()),
            "check names {id} among what will not run: {out}"
        );
    }
    assert!(
        ran.stderr
            .contains("deliberately failed logins this run sends: none"),
        "{}",
        ran.stderr
    );
}
