//! Rule 1: every requirement the suites check has a reference-IdP defect that violates exactly it.
//! For the conformant IdP and for every defect, `fedconform serve [--defect D] --target-out t.toml`
//! then `fedconform run --target t.toml` must report exactly the defect's requirements as not
//! passing (fail or warn), nothing as an error, and skip only cases whose prerequisite broke.

mod common;

use fedconform::idp::defects::ALL;
use std::collections::BTreeSet;

/// Runs the suites against the reference IdP (with a defect) under `--strict`, so that a SHOULD
/// the defect breaks fails too. Returns the exit code, the cases and the whole report.
fn run_against(defect: Option<&str>) -> (i32, Vec<common::CaseRow>, serde_json::Value, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), defect);
    let report = dir.path().join("r.json");
    // The conformant IdP is compared with the committed reference goldens too; a defect changes
    // answers by design, so its goldens are off here (tests/golden_reports.rs covers that).
    let golden = if defect.is_some() {
        "--no-golden"
    } else {
        "--golden-dir=golden"
    };
    let out = common::run(&[
        "run",
        golden,
        "--strict",
        "--target",
        served.target.to_str().unwrap_or_default(),
        "--report-json",
        report.to_str().unwrap_or_default(),
        "--report-junit",
        dir.path().join("j.xml").to_str().unwrap_or_default(),
    ]);
    let code = out.status.code().unwrap_or(-1);
    let r = common::report(&report);
    (
        code,
        common::cases(&r),
        r,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn conformant_reference_passes_everything() {
    let (code, cases, report, _) = run_against(None);
    assert!(!cases.is_empty());
    for (id, _, outcome, message) in &cases {
        assert_eq!(outcome, "pass", "{id}: {message}");
    }
    assert_eq!(code, 0);
    assert_eq!(report["verdict"], "CONFORMANT");
    for r in report["requirements"].as_array().into_iter().flatten() {
        assert_eq!(r["verdict"], "pass", "{r}");
    }
}

#[test]
fn a_saml2_reference_passes_everything_with_the_saml2_grant_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve_with(dir.path(), &["--token", "saml2"]);
    let report = dir.path().join("r.json");
    let out = common::run(&[
        "run",
        "--no-golden",
        "--target",
        served.target.to_str().unwrap_or_default(),
        "--report-json",
        report.to_str().unwrap_or_default(),
        "--report-junit",
        dir.path().join("j.xml").to_str().unwrap_or_default(),
    ]);
    let cases = common::cases(&common::report(&report));
    for (id, _, outcome, message) in &cases {
        assert_eq!(outcome, "pass", "{id}: {message}");
    }
    assert_eq!(out.status.code(), Some(0));
    let wst5 = cases
        .iter()
        .find(|c| c.0 == "wstrust-login::token-type-and-grant-type")
        .map(|c| c.3.clone())
        .unwrap_or_default();
    assert!(
        wst5.contains("urn:ietf:params:oauth:grant-type:saml2-bearer"),
        "{wst5}"
    );
}

/// The problems with one defect's run: the requirements not passing are exactly the defect's,
/// nothing errors, every skip names a blocker or says it does not apply, and the run is not
/// CONFORMANT (an INFO requirement, which by definition never fails a run, warns instead).
fn defect_problems(d: &fedconform::idp::Defect) -> (Vec<String>, String) {
    let mut problems = Vec::new();
    let (code, cases, report, stderr) = run_against(Some(d.name));
    let not_passing: BTreeSet<String> = cases
        .iter()
        .filter(|c| c.2 == "fail" || c.2 == "warn" || c.2 == "error")
        .flat_map(|c| c.1.clone())
        .collect();
    let expected: BTreeSet<String> = d.breaks.iter().map(|s| s.to_string()).collect();
    if not_passing != expected {
        problems.push(format!(
            "{}: expected {expected:?} not to pass, got {not_passing:?}",
            d.name
        ));
    }
    for c in report["cases"].as_array().into_iter().flatten() {
        let (id, outcome) = (&c["id"], c["outcome"].as_str().unwrap_or_default());
        if outcome == "error" {
            problems.push(format!("{}: {id} errored: {}", d.name, c["message"]));
        }
        let kind = c["skip"]["kind"].as_str().unwrap_or_default();
        if outcome == "skipped" && kind != "blocked" && kind != "not-applicable" {
            problems.push(format!(
                "{}: {id} skipped without a blocker: {}",
                d.name, c["message"]
            ));
        }
    }
    let info_only = d.breaks.iter().all(|r| {
        fedconform::requirements::find(r).map(|x| x.level)
            == Some(fedconform::requirements::Level::Info)
    });
    let verdict = report["verdict"].as_str().unwrap_or_default();
    let (want_verdict, want_code) = if info_only {
        ("CONFORMANT", 0)
    } else {
        ("NONCONFORMANT", 1)
    };
    if verdict != want_verdict || code != want_code {
        problems.push(format!(
            "{}: verdict {verdict} exit {code}, expected {want_verdict} exit {want_code}",
            d.name
        ));
    }
    for r in report["requirements"].as_array().into_iter().flatten() {
        let id = r["id"].as_str().unwrap_or_default();
        if d.breaks.contains(&id) {
            let want = if info_only { "warn" } else { "fail" };
            if r["verdict"] != want {
                problems.push(format!(
                    "{}: requirement {id} is {}, expected {want}",
                    d.name, r["verdict"]
                ));
            }
        }
    }
    (problems, stderr)
}

#[test]
fn every_defect_breaks_exactly_its_requirements() {
    let mut problems = Vec::new();
    for d in ALL.iter().filter(|d| d.name != "sts-slow-failure") {
        problems.extend(defect_problems(d).0);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Apart, so that its 31 s run beside the others.
#[test]
fn a_failed_login_answered_after_31_s_breaks_tls_4_alone() {
    let d = fedconform::idp::Defect::find("sts-slow-failure").expect("defect");
    let (problems, stderr) = defect_problems(&d);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // An answer after macOS's 30 s is one a Mac never reads: the cases judging the failed
    // login's answer are blocked by TLS-4, not judged on it.
    assert!(
        stderr.contains("2 case(s) blocked by TLS-4")
            && stderr.contains("where the client gives up at 30 s and reads nothing")
            && stderr.contains("wstrust-login::wrong-password-credential-fault"),
        "{stderr}"
    );
    // Minutes of silence are never the answer to a slow host: the console says who it waits for.
    assert!(
        stderr.contains("fedconform: waiting 10 s for ")
            && stderr.contains("fedconform: waiting 20 s for ")
            && stderr.contains("/adfs/services/trust/"),
        "a line at 10 s, then every 10 s: {stderr}"
    );
}

#[test]
fn every_checked_requirement_has_its_own_defect() {
    let suites =
        fedconform::suite::load_suites(&common::root().join("suites")).expect("suites load");
    let checked: BTreeSet<&str> = suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .flat_map(|c| c.requirements.iter().map(String::as_str))
        .collect();
    for r in checked {
        assert!(
            ALL.iter().any(|d| d.breaks == [r]),
            "no defect breaks {r} alone"
        );
    }
}
