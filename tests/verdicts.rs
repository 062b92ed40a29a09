//! Issue 11: a green run means every in-scope requirement was checked and held. One test per
//! false-green kind seen in the field (`../shared/cases` C1, C2, C8, C9 among them): each asserts
//! the run is not green, with the right verdict word and exit code.

mod common;

use std::path::{Path, PathBuf};

/// A served reference IdP and the target file text it wrote.
struct Lab {
    dir: tempfile::TempDir,
    _served: common::Served,
    text: String,
}

impl Lab {
    fn start(args: &[&str]) -> Lab {
        let dir = tempfile::tempdir().expect("tempdir");
        let served = common::serve_with(dir.path(), args);
        let text = std::fs::read_to_string(&served.target).expect("served target");
        Lab {
            dir,
            _served: served,
            text,
        }
    }

    /// Writes a variant of the served target and returns its path.
    fn target(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write target");
        p
    }

    /// The served target without a section (up to the next one).
    fn without(&self, text: &str, section: &str) -> String {
        remove_section(text, section)
    }
}

fn remove_section(text: &str, section: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with('[') {
            skipping = line.trim() == section;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A run's exit code, stderr and JSON report.
struct Run {
    code: i32,
    stderr: String,
    report: serde_json::Value,
}

impl Run {
    fn case(&self, id: &str) -> serde_json::Value {
        self.report["cases"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no case {id}"))
    }

    fn requirement(&self, id: &str) -> serde_json::Value {
        self.report["requirements"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no requirement {id}"))
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let report = dir.join("r.json");
    let mut all: Vec<String> = vec!["run".into(), "--no-golden".into()];
    for (flag, file) in [
        ("--report-json", "r.json"),
        ("--report-junit", "j.xml"),
        ("--report-markdown", "s.md"),
        ("--report-html", "r.html"),
    ] {
        all.push(flag.into());
        all.push(dir.join(file).display().to_string());
    }
    all.extend(args.iter().map(|s| s.to_string()));
    let out = common::run(&all.iter().map(String::as_str).collect::<Vec<_>>());
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        report: if report.exists() {
            common::report(&report)
        } else {
            serde_json::Value::Null
        },
    }
}

#[test]
fn a_ws_fed_only_target_whose_idp_has_a_certificate_for_another_host_fails_tls_1() {
    // C9: every WS-Fed case used to be skipped and the run said conformant.
    let lab = Lab::start(&["--defect", "tls-wrong-host"]);
    let t = lab.target(
        "wsfed-only.toml",
        &lab.without(&lab.text, "[login_configuration]"),
    );
    let r = run(
        lab.dir.path(),
        &["--target", t.to_str().unwrap_or_default()],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "NONCONFORMANT");
    assert!(
        r.stderr.contains("\nfedconform: NONCONFORMANT"),
        "{}",
        r.stderr
    );
    assert_eq!(r.requirement("TLS-1")["verdict"], "fail");
    assert_eq!(
        r.case("wsfed::metadata-tls-valid-certificate")["outcome"],
        "fail"
    );
    // One root cause, said once, with the cases it blocked.
    let causes = r.report["root_causes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!causes.is_empty());
    assert!(
        causes.iter().all(|c| c["requirement"] == "TLS-1"),
        "{causes:?}"
    );
    assert!(
        r.stderr
            .contains("case(s) blocked by TLS-1: https://127.0.0.1:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("the certificate is for"), "{}", r.stderr);
    // The requirements it leaves unevaluated name it; its cause is said once, not again there.
    assert!(
        r.stderr.contains(": blocked by TLS-1 (the cause is below)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .lines()
            .filter(|l| l.contains("(MUST)"))
            .all(|l| !l.contains("the certificate is for")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_ws_fed_only_target_with_an_http_base_url_fails_tls_1() {
    let lab = Lab::start(&[]);
    let text = lab
        .without(&lab.text, "[login_configuration]")
        .replace("base_url = \"https://", "base_url = \"http://");
    let t = lab.target("http.toml", &text);
    let r = run(
        lab.dir.path(),
        &["--target", t.to_str().unwrap_or_default()],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "NONCONFORMANT");
    let c = r.case("wsfed::signin-tls-valid-certificate");
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(
        c["message"]
            .as_str()
            .unwrap_or_default()
            .contains("is not an https URL"),
        "{c}"
    );
}

#[test]
fn a_ws_fed_sign_in_without_a_user_runs_and_is_incomplete_only_when_the_idp_asks_for_one() {
    // The IdP shows a login form and the target has no [[user]]: the sign-in cases are not
    // evaluated, and say what to add; the run is INCOMPLETE, never green.
    let lab = Lab::start(&[]);
    let text = remove_section(&lab.without(&lab.text, "[login_configuration]"), "[[user]]");
    let t = lab.target("no-user.toml", &text);
    let r = run(
        lab.dir.path(),
        &["--target", t.to_str().unwrap_or_default()],
    );
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "INCOMPLETE");
    assert!(
        r.stderr.contains("\nfedconform: INCOMPLETE"),
        "{}",
        r.stderr
    );
    let c = r.case("wsfed::signin-posts-to-wreply");
    assert_eq!(c["outcome"], "skipped");
    assert_eq!(c["skip"]["kind"], "needs-input");
    assert!(
        r.stderr
            .contains("the IdP shows a login form; add a [[user]] with role = \"federated\""),
        "{}",
        r.stderr
    );
    let wsf6 = r.requirement("WSF-6");
    assert_eq!(wsf6["verdict"], "not-evaluated");
    assert_eq!(wsf6["kind"], "needs-input");
    // The metadata cases need no user and pass.
    assert_eq!(r.case("wsfed::metadata-signed")["outcome"], "pass");

    // C8: an IdP that signs the user in without a form (a session): no user is needed, the
    // sign-in cases run and are judged.
    let lab = Lab::start(&["--wsfed-signed-in"]);
    let text = remove_section(&lab.without(&lab.text, "[login_configuration]"), "[[user]]");
    let t = lab.target("signed-in.toml", &text);
    let r = run(
        lab.dir.path(),
        &["--target", t.to_str().unwrap_or_default()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "CONFORMANT");
    for c in r.report["cases"].as_array().into_iter().flatten() {
        let id = c["id"].as_str().unwrap_or_default();
        if id.starts_with("wsfed::") {
            assert_eq!(c["outcome"], "pass", "{c}");
        }
    }
}

#[test]
fn an_sts_that_answers_a_wrong_password_with_an_error_page_fails_wst_8_and_wst_9() {
    // C1 (an HTML page), C2 (an empty 500) and C3 (a SOAP 1.1 fault): valid logins are fine, the
    // negative paths are judged on what came back, never skipped.
    for (defect, what) in [
        ("sts-error-page", "an HTML page titled \"Sign In\""),
        ("sts-empty-500", "an empty body"),
        ("sts-soap11-fault", "a SOAP 1.1 fault"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = run(dir.path(), &["--defect", defect]);
        assert_eq!(r.code, 1, "{defect}: {}", r.stderr);
        assert_eq!(r.report["verdict"], "NONCONFORMANT", "{defect}");
        for (case, req) in [
            ("wstrust-login::wrong-password-credential-fault", "WST-8"),
            ("wstrust-login::unknown-user-fault", "WST-9"),
        ] {
            let c = r.case(case);
            assert_eq!(c["outcome"], "fail", "{defect}: {c}");
            let m = c["message"].as_str().unwrap_or_default();
            assert!(m.contains(what), "{defect}: {m}");
            assert!(
                m.starts_with(&format!("{req}/credential_fault: expected"))
                    || m.starts_with(&format!("{req}/fault_no_token: expected")),
                "{m}"
            );
            assert_eq!(r.requirement(req)["verdict"], "fail");
        }
        assert_eq!(
            r.case("wstrust-login::valid-login-answers-200-soap12")["outcome"],
            "pass"
        );
    }
}

#[test]
fn a_refused_password_is_not_blamed_on_the_idp_and_nothing_passes_on_it() {
    // A wrong password in the target: every login is refused with the credential fault a wrong
    // password gets, and the WS-Fed login form answers 401. The harness cannot tell a wrong
    // password from an IdP refusing valid credentials, so nothing is judged on those answers:
    // not NONCONFORMANT (blaming the IdP), not a pass of the comparisons ("same outcome as
    // login", both refused alike), but INCOMPLETE, saying to check the password.
    let lab = Lab::start(&[]);
    std::fs::write(lab.dir.path().join("wrong.password"), "not-the-password").expect("write");
    let text = lab.text.replacen(
        "password_file = \"t.password\"",
        "password_file = \"wrong.password\"",
        1,
    );
    let t = lab.target("wrong-password.toml", &text);
    let r = run(
        lab.dir.path(),
        &["--target", t.to_str().unwrap_or_default()],
    );
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "INCOMPLETE");
    for req in [
        "WST-1", "WST-2", "WST-10", "WST-11", "WST-12", "WST-16", "WSF-6", "WSF-7",
    ] {
        let v = r.requirement(req);
        assert_eq!(v["verdict"], "not-evaluated", "{req}: {v}");
    }
    assert!(
        r.stderr
            .contains("credentials (fault \"a:FailedAuthentication\") and no login with them succeeded: check the password the target gives for this user"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("after its login form (HTTP 401) and no sign-in with them succeeded"),
        "{}",
        r.stderr
    );
    // The probes with other credentials are judged as ever.
    assert_eq!(r.requirement("WST-8")["verdict"], "pass");
    assert_eq!(r.requirement("WST-9")["verdict"], "pass");
    // The password never shows.
    assert!(!r.stderr.contains("not-the-password"));
}

#[test]
fn a_suites_folder_in_the_working_directory_does_not_replace_the_built_in_suites() {
    let lab = Lab::start(&["--defect", "mex-not-well-formed"]);
    let cwd = lab.dir.path().join("cwd");
    std::fs::create_dir_all(cwd.join("suites")).expect("mkdir");
    let one_case = "[suite]\nname = \"tiny\"\n\n[[case]]\nid = \"preauth-2xx\"\nrequirements = [\"PRE-1\"]\nstep = \"preauth-federated\"\nexpect = { status = \"2xx\" }\n";
    std::fs::write(cwd.join("suites/tiny.toml"), one_case).expect("write");
    let report = lab.dir.path().join("r.json");
    let t = lab.dir.path().join("t.toml");
    let out = std::process::Command::new(common::bin())
        .args([
            "run",
            "--no-golden",
            "--target",
            t.to_str().unwrap_or_default(),
            "--report-json",
            report.to_str().unwrap_or_default(),
            "--report-junit",
            lab.dir.path().join("j.xml").to_str().unwrap_or_default(),
        ])
        .current_dir(&cwd)
        .env("CI", "true")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the built-in suites see MEX-2: {stderr}"
    );
    assert!(
        stderr.contains("suites: login-configuration ") && stderr.contains("psso-preauth "),
        "{stderr}"
    );
    assert!(stderr.contains("(built-in)"), "{stderr}");
    assert!(!stderr.contains("tiny"), "{stderr}");

    // The one-case suite, named explicitly, gives its own verdict: INCOMPLETE, not a
    // certification, naming what it did not check.
    let r = run(
        lab.dir.path(),
        &[
            "--suites",
            cwd.join("suites").to_str().unwrap_or_default(),
            "--target",
            t.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "INCOMPLETE");
    assert_eq!(r.report["certification"], false);
    assert!(r.stderr.contains("tiny "), "{}", r.stderr);
    assert!(r.stderr.contains("(custom)"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "not a certification: the suites in use are not fedconform's built-in suites"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("not checked by the suites in use: TLS-1"),
        "{}",
        r.stderr
    );
    assert_eq!(r.requirement("MEX-2")["kind"], "not-checked");
}

#[test]
fn a_chain_that_needed_an_extra_ca_warns_on_tls_3_and_says_so_on_every_affected_case() {
    let lab = Lab::start(&[]);
    let text = lab.text.replace(
        "reference_roots = [\"t.ca.pem\"]",
        "extra_ca_files = [\"t.ca.pem\"]",
    );
    let t = lab.target("private-ca.toml", &text);
    let r = run(
        lab.dir.path(),
        &["--target", t.to_str().unwrap_or_default(), "--strict"],
    );
    assert_eq!(r.code, 1, "a SHOULD fails under --strict: {}", r.stderr);
    assert_eq!(r.requirement("TLS-3")["verdict"], "fail");
    // Every case that made an exchange (the login configuration's make none).
    for c in r.report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["step"] != "login-configuration")
    {
        let notes = c["notes"].as_array().cloned().unwrap_or_default();
        assert!(
            notes.iter().any(|n| n.as_str().is_some_and(
                |n| n.starts_with("TLS-3: the chain of 127.0.0.1 ends in a private CA")
            )),
            "{}: {notes:?}",
            c["id"]
        );
    }
    let r = run(
        lab.dir.path(),
        &["--target", t.to_str().unwrap_or_default()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.requirement("TLS-3")["verdict"], "warn");
    assert!(r.stderr.contains("note ("), "{}", r.stderr);
}

#[test]
fn an_unreachable_idp_is_incomplete_with_its_own_exit_code() {
    let port = common::free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let t = dir.path().join("t.toml");
    std::fs::write(&t, format!("[target]\nname = \"down\"\n[wsfed]\nbase_url = \"https://127.0.0.1:{port}\"\nclient_id = \"c\"\nwreply = \"https://app.example/cb\"\n")).expect("write");
    let r = run(dir.path(), &["--target", t.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "INCOMPLETE");
    assert!(
        r.stderr.contains("no answer from the IdP: ") && r.stderr.contains("could not connect"),
        "{}",
        r.stderr
    );
    // One root cause, said once: one line for the requirements it leaves unevaluated, one for
    // the cases it stopped (the host, not each URL).
    let summary = &r.stderr[r.stderr.find("\nfedconform: INCOMPLETE").unwrap_or(0)..];
    let cause = format!("https://127.0.0.1:{port}: could not connect");
    assert_eq!(summary.matches(&cause).count(), 2, "{summary}");
    assert!(
        summary.contains(&format!("cases: {cause}")),
        "the errored cases are grouped under their cause: {summary}"
    );
    // So do the Markdown and HTML reports.
    let md = std::fs::read_to_string(dir.path().join("s.md")).expect("markdown");
    assert_eq!(md.matches(&cause).count(), 2, "{md}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("html");
    let not_evaluated = &html[html.find("id=\"not-evaluated\"").unwrap_or(0)..];
    let not_evaluated = &not_evaluated[..not_evaluated.find("</ul>").unwrap_or(0)];
    assert_eq!(not_evaluated.matches(&cause).count(), 1, "{not_evaluated}");
}

/// A target whose own timeout is shorter than macOS's 30 s proves nothing about a slow answer:
/// TLS-4 and the cases that needed the answer are errors naming the target's limit, and the run
/// is INCOMPLETE, not NONCONFORMANT.
#[test]
fn a_timeout_shorter_than_macos_is_the_runs_not_the_idps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), Some("sts-slow-failure"));
    let text = std::fs::read_to_string(&served.target).expect("target");
    let (head, tail) = text
        .split_once("timeout_seconds = ")
        .expect("a [limits] table");
    let rest = tail.split_once('\n').map(|x| x.1).unwrap_or_default();
    std::fs::write(&served.target, format!("{head}timeout_seconds = 2\n{rest}")).expect("write");
    let r = run(
        dir.path(),
        &[
            "--target",
            served.target.to_str().unwrap_or_default(),
            "wstrust-login",
        ],
    );
    // Exit 3: no answer came (README: "INCOMPLETE because the IdP could not be reached").
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "INCOMPLETE");
    assert_eq!(r.requirement("TLS-4")["verdict"], "not-evaluated");
    assert!(
        r.stderr
            .contains("within 2 s (the target's [limits] timeout_seconds; macOS waits 30 s)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_broken_2005_endpoint_macos_never_uses_warns_and_leaves_the_run_complete() {
    // The IdP advertises WS-Trust 1.3 (macOS's choice) and 2005; the 2005 endpoint refuses
    // every login. WST-14 (SHOULD) warns; WST-12 asks how 2005 requests are dispatched, which
    // macOS never sends here: not applicable, not blocked (a blocked MUST was INCOMPLETE).
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(dir.path(), &["--defect", "sts-2005-endpoint-fault"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.report["verdict"], "CONFORMANT");
    assert_eq!(r.requirement("WST-14")["verdict"], "warn");
    let c = r.case("wstrust-login::dispatch-on-action");
    assert_eq!(c["outcome"], "skipped", "{c}");
    assert_eq!(c["skip"]["kind"], "not-applicable", "{c}");
    assert!(
        c["message"]
            .as_str()
            .is_some_and(|m| m.contains("macOS selects the WS-Trust 1.3 endpoint")),
        "{c}"
    );
    // Under --strict the SHOULD fails the run, for its own reason.
    let strict = run(
        dir.path(),
        &["--defect", "sts-2005-endpoint-fault", "--strict"],
    );
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert_eq!(strict.report["verdict"], "NONCONFORMANT");
}
