//! Rule 1: every requirement the suites check has a reference-IdP defect that violates exactly it.
//! For the conformant IdP and for every defect, `fedconform serve [--defect D] --target-out t.toml`
//! then `fedconform run --target t.toml` must report exactly the defect's requirements as not
//! passing (fail or warn), nothing as an error, and skip only cases whose prerequisite broke.

mod common;

use fedconform::idp::defects::ALL;
use std::collections::BTreeSet;

fn run_against(defect: Option<&str>) -> (i32, Vec<common::CaseRow>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), defect);
    let report = dir.path().join("r.json");
    // The conformant IdP is compared with the committed reference goldens too; a defect changes
    // answers by design, so its goldens are off here (tests/golden_reports.rs covers that).
    let golden = if defect.is_some() {
        "--no-golden"
    } else {
        "--strict"
    };
    let out = common::run(&[
        "run",
        golden,
        "--target",
        served.target.to_str().unwrap_or_default(),
        "--report-json",
        report.to_str().unwrap_or_default(),
        "--report-junit",
        dir.path().join("j.xml").to_str().unwrap_or_default(),
    ]);
    let code = out.status.code().unwrap_or(-1);
    (code, common::cases(&common::report(&report)))
}

#[test]
fn conformant_reference_passes_everything() {
    let (code, cases) = run_against(None);
    assert!(!cases.is_empty());
    for (id, _, outcome, message) in &cases {
        assert_eq!(outcome, "pass", "{id}: {message}");
    }
    assert_eq!(code, 0);
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

#[test]
fn every_defect_breaks_exactly_its_requirements() {
    let mut problems = Vec::new();
    for d in ALL {
        let (code, cases) = run_against(Some(d.name));
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
        for (id, _, outcome, message) in &cases {
            if outcome == "error" {
                problems.push(format!("{}: {id} errored: {message}", d.name));
            }
            if outcome == "skipped"
                && !(message.contains("prerequisite")
                    || message.contains("did not run")
                    || message.contains("no answer")
                    || message.contains("gave no answer"))
            {
                problems.push(format!(
                    "{}: {id} skipped without a prerequisite reason: {message}",
                    d.name
                ));
            }
        }
        let any_fail = cases.iter().any(|c| c.2 == "fail");
        let want_code = if any_fail { 1 } else { 0 };
        if code != want_code {
            problems.push(format!(
                "{}: exit code {code}, expected {want_code}",
                d.name
            ));
        }
        if !cases.iter().any(|c| c.2 == "fail" || c.2 == "warn") {
            problems.push(format!("{}: nothing failed", d.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
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
