//! The command line: the main job, libtest flags, exit codes, reports, and the catalogue.

mod common;

use base64::Engine;

fn run_in_temp(args: &[&str]) -> (i32, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("r.json");
    let junit = dir.path().join("j.xml");
    let md = dir.path().join("s.md");
    let html = dir.path().join("r.html");
    let mut all = vec![
        "run",
        "--report-json",
        json.to_str().unwrap_or_default(),
        "--report-junit",
        junit.to_str().unwrap_or_default(),
        "--report-markdown",
        md.to_str().unwrap_or_default(),
        "--report-html",
        html.to_str().unwrap_or_default(),
    ];
    if args.contains(&"--defect") {
        // A defect changes answers by design, so the golden axis would differ; that axis has its
        // own tests (tests/golden_reports.rs).
        all.push("--no-golden");
    }
    all.extend_from_slice(args);
    let out = common::run(&all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        dir,
    )
}

#[test]
fn main_job_passes_and_writes_both_reports() {
    let (code, stdout, stderr, dir) = run_in_temp(&[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let report = common::report(&dir.path().join("r.json"));
    assert_eq!(report["schema"], "fedconform-report/2");
    assert_eq!(report["verdict"], "CONFORMANT");
    let text = std::fs::read_to_string(dir.path().join("r.json")).expect("report");
    assert!(
        text.trim_start()
            .starts_with("{\n  \"verdict\": \"CONFORMANT\""),
        "the verdict is the first thing in the JSON report"
    );
    assert!(
        stderr.contains("\nfedconform: CONFORMANT"),
        "the verdict heads the console summary: {stderr}"
    );
    let cases = common::cases(&report);
    let n = cases.len();
    assert!(n >= 23, "{n} cases");
    assert!(cases.iter().all(|c| c.2 == "pass"));
    assert_eq!(report["summary"]["pass"], n);
    assert_eq!(report["run"]["target"], "reference");
    let args: Vec<&str> = report["run"]["arguments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str())
        .collect();
    assert_eq!(
        args.first().copied(),
        Some("run"),
        "the command line is in the run metadata: {args:?}"
    );
    assert!(args.contains(&"--report-json"));
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).expect("junit written");
    assert_eq!(junit.matches("<testcase ").count(), n);
    assert!(junit.contains("classname=\"wstrust-mex\""));
    assert!(junit.contains("name=\"requirements\" value=\"MEX-3\""));
    assert!(
        stdout.contains(&format!("test result: conformant. {n} passed; 0 failed; 0 warned; 0 skipped; 0 errors; 0 golden differ")),
        "{stdout}"
    );
}

#[test]
fn libtest_filters_work() {
    // A filtered run cannot be conformant: it is INCOMPLETE, its own exit code, never 0.
    let (code, stdout, stderr, dir) = run_in_temp(&["--exact", "psso-preauth::managed-answer"]);
    assert_eq!(code, 6, "{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(stderr.contains("fedconform: INCOMPLETE"), "{stderr}");
    assert!(
        stderr.contains("the filters selected none of its cases"),
        "{stderr}"
    );
    assert_eq!(
        common::cases(&common::report(&dir.path().join("r.json"))).len(),
        1
    );

    let (code, stdout, _, _) =
        run_in_temp(&["wstrust-mex", "--skip", "tls", "--test-threads", "1"]);
    assert_eq!(code, 6);
    assert!(stdout.contains("11 passed"), "{stdout}");

    let (code, stdout, _, _) = run_in_temp(&["--list"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("wstrust-mex::endpoint-selected: test"),
        "{stdout}"
    );
}

#[test]
fn empty_selection_is_an_error() {
    let (code, _, stderr, dir) = run_in_temp(&["no-such-case"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("selected no case"), "{stderr}");
    assert!(!dir.path().join("r.json").exists());
}

#[test]
fn a_defect_fails_the_run_with_its_requirement() {
    let (code, stdout, stderr, dir) = run_in_temp(&["--defect", "mex-hash-password"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stderr.contains("MEX-7"), "{stderr}");
    let cases = common::cases(&common::report(&dir.path().join("r.json")));
    let failed: Vec<_> = cases.iter().filter(|c| c.2 == "fail").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, "wstrust-mex::no-password-digest");
    assert!(failed[0].3.contains("sp:HashPassword"), "{}", failed[0].3);
}

#[test]
fn strict_turns_should_warnings_into_failures() {
    let (code, _, _, _) = run_in_temp(&["--defect", "mex-2005-only"]);
    assert_eq!(code, 0);
    let (code, _, _, dir) = run_in_temp(&["--defect", "mex-2005-only", "--strict"]);
    assert_eq!(code, 1);
    let cases = common::cases(&common::report(&dir.path().join("r.json")));
    assert!(
        cases
            .iter()
            .any(|c| c.0 == "wstrust-mex::prefers-wstrust-13" && c.2 == "fail")
    );
}

#[test]
fn unreachable_idp_is_its_own_exit_code() {
    // Bind a port, then free it: nothing listens there.
    let port = common::free_port();
    let dir = tempfile::tempdir().expect("tempdir");
    let t = dir.path().join("t.toml");
    std::fs::write(&t, format!("[target]\nname = \"down\"\n[login_configuration]\nfederationType = \"wstrust\"\nfederationMEXURL = \"https://127.0.0.1:{port}/mex\"\nfederationRequestURN = \"urn:x\"\n")).expect("write");
    let out = common::run(&[
        "run",
        "--target",
        t.to_str().unwrap_or_default(),
        "--no-reports",
        "wstrust-mex",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn served_passwords_never_appear_in_any_output() {
    // Canary: the reference IdP's two passwords (random per start, with XML- and URL-special
    // characters) against every output of a run that logs in: console, JSON, JUnit, Markdown, HTML,
    // golden candidates and the target file. Each is searched raw, XML-escaped, URL-encoded and
    // base64-encoded, and for its random core, which no escaping can disguise.
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let out_dir = dir.path().join("out");
    let args: Vec<String> = [
        "run",
        "--target",
        served.target.to_str().unwrap_or_default(),
        "--report-json",
        out_dir.join("r.json").to_str().unwrap_or_default(),
        "--report-junit",
        out_dir.join("j.xml").to_str().unwrap_or_default(),
        "--report-markdown",
        out_dir.join("s.md").to_str().unwrap_or_default(),
        "--report-html",
        out_dir.join("r.html").to_str().unwrap_or_default(),
        "--golden-dir",
        out_dir.join("golden").to_str().unwrap_or_default(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = common::run_env(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "conformant; the goldens in an empty folder are new, which is no failure"
    );
    let mut outputs = vec![
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ];
    outputs.push(std::fs::read_to_string(&served.target).unwrap_or_default());
    let files = common::tree_contents(&out_dir);
    assert!(
        files.len() >= 4 + 42,
        "reports and golden candidates written: {}",
        files.len()
    );
    outputs.extend(
        files
            .values()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
    );
    assert!(
        outputs.iter().any(|o| o.contains("[REDACTED]")),
        "the login request bodies are in the transcripts, redacted"
    );
    for file in ["t.password", "t.special.password"] {
        let password = std::fs::read_to_string(dir.path().join(file)).expect("password file");
        let core: String = password
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect::<String>()
            .chars()
            .rev()
            .take(32)
            .collect();
        assert_eq!(core.len(), 32, "{file}: the password has a random hex core");
        let forms = [
            password.clone(),
            fedconform::redact::xml_escape(&password),
            url::form_urlencoded::byte_serialize(password.as_bytes()).collect::<String>(),
            base64::engine::general_purpose::STANDARD.encode(&password),
            core.chars().rev().collect::<String>(),
        ];
        for o in &outputs {
            for f in &forms {
                assert!(!o.contains(f.as_str()), "{file} leaked as {f:?}");
            }
        }
    }
}

#[test]
fn catalogue_matches_spec_md() {
    let spec = std::fs::read_to_string(common::root().join("docs/SPEC.md")).expect("docs/SPEC.md");
    let mut rows = 0;
    for line in spec.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 5
            || !cells[1].contains('-')
            || cells[1].contains(' ')
            || !["MUST", "SHOULD", "INFO"].contains(&cells[2])
        {
            continue;
        }
        rows += 1;
        let r = fedconform::requirements::find(cells[1])
            .unwrap_or_else(|| panic!("{} is in SPEC.md but not in the catalogue", cells[1]));
        assert_eq!(r.level.to_string(), cells[2], "{}", cells[1]);
        assert_eq!(r.profile, cells[3], "{}", cells[1]);
    }
    assert_eq!(rows, fedconform::requirements::CATALOGUE.len());
}

#[test]
fn inspect_wsfed_metadata_reads_a_url_and_flags_a_tampered_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let target = fedconform::suite::load_target(&served.target).expect("target");
    let url = target
        .wsfed
        .as_ref()
        .expect("[wsfed]")
        .metadata_url
        .to_string();
    let ca = dir.path().join("t.ca.pem");
    let out = common::run(&[
        "inspect",
        "wsfed-metadata",
        &url,
        "--ca",
        ca.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let a = &v["analysis"];
    assert_eq!(a["entity_descriptor"], true, "{v}");
    assert_eq!(
        a["signature"]["verified"]["Ok"],
        serde_json::Value::Null,
        "{v}"
    );
    assert!(
        a["passive_endpoints"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("https://")),
        "{v}"
    );
    let findings = v["findings"].as_array().expect("findings");
    assert!(findings.len() >= 5, "{v}");
    for f in findings {
        // TokenTypesOffered is compared with a sign-in's token, which inspect does not see.
        let want = if f["key"] == "WSF-5/offers_token_type_of" {
            "skipped"
        } else {
            "pass"
        };
        assert_eq!(f["outcome"], want, "{f}");
    }

    // The same document changed after signing: WSF-5 (a SHOULD) warns, saying why.
    let fetched = common::fetch(&target, &url::Url::parse(&url).expect("url"));
    let body = String::from_utf8(fetched.body).expect("UTF-8");
    assert!(
        body.contains("EntityDescriptor"),
        "the metadata was fetched"
    );
    let tampered = dir.path().join("tampered.xml");
    std::fs::write(&tampered, body.replacen("UPN<", "Upn<", 1)).expect("write");
    let out = common::run(&[
        "inspect",
        "wsfed-metadata",
        tampered.to_str().unwrap_or_default(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "a SHOULD does not fail: {text}");
    assert!(
        text.contains(
            "signature: RSA-SHA256 (SHA256 digest, exclusive c14n): the signature does not verify"
        ),
        "{text}"
    );
    assert!(
        text.contains("the DigestValue of reference 1 (URI \"#_"),
        "{text}"
    );
    assert!(
        text.contains("the signed content was changed after signing"),
        "{text}"
    );
    assert!(text.contains("warn    WSF-5/metadata_signed"), "{text}");
}

#[test]
fn metadata_listing_only_ws_trust_passes_wsf2_and_warns_on_wsf15() {
    // protocolSupportEnumeration naming WS-Trust 1.3 alone: relying parties read the role by its
    // type (WSF-2 holds); the missing WS-Federation namespace is a SHOULD of its own.
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), Some("wsfed-protocol-wstrust-only"));
    let target = fedconform::suite::load_target(&served.target).expect("target");
    let url = target
        .wsfed
        .as_ref()
        .expect("[wsfed]")
        .metadata_url
        .to_string();
    let ca = dir.path().join("t.ca.pem");
    let out = common::run(&[
        "inspect",
        "wsfed-metadata",
        &url,
        "--ca",
        ca.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let finding = |key: &str| {
        v["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|x| x["key"] == key))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        v["analysis"]["roles"][0]["protocol_support"],
        "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
        "{v}"
    );
    assert_eq!(finding("WSF-2/sts_role")["outcome"], "pass", "{v}");
    let wsf15 = finding("WSF-15/protocol_support_wsfed");
    assert_eq!(wsf15["outcome"], "warn", "{v}");
    assert_eq!(
        wsf15["actual"],
        "the STS RoleDescriptor's protocolSupportEnumeration is \"http://docs.oasis-open.org/ws-sx/ws-trust/200512\", without http://docs.oasis-open.org/wsfed/federation/200706",
        "{v}"
    );
    assert_eq!(out.status.code(), Some(0), "a SHOULD does not fail: {v}");
}

#[test]
fn a_ws_fed_only_target_runs_the_ws_fed_suite_alone() {
    // An Auth0-style IdP has no WS-Trust: its target has [wsfed] and no [login_configuration].
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let text = std::fs::read_to_string(&served.target).expect("target");
    let start = text.find("[login_configuration]").expect("section");
    let end = start + text[start..].find("\n[[user]]").expect("next section");
    let only = dir.path().join("wsfed-only.toml");
    std::fs::write(&only, format!("{}{}", &text[..start], &text[end..])).expect("write");
    let report = dir.path().join("r.json");
    let out = common::run(&[
        "run",
        "--no-golden",
        "--target",
        only.to_str().unwrap_or_default(),
        "--report-json",
        report.to_str().unwrap_or_default(),
        "--report-junit",
        dir.path().join("j.xml").to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases = common::cases(&common::report(&report));
    for (id, _, outcome, message) in &cases {
        if id.starts_with("wsfed::") {
            assert_eq!(outcome, "pass", "{id}: {message}");
        } else {
            assert_eq!(outcome, "skipped", "{id}: {message}");
            assert!(
                message.contains("no [login_configuration]"),
                "{id}: {message}"
            );
        }
    }
}
