//! The JUnit report (quick-junit): one testcase per case, classname = suite, failure type = level
//! (or `golden` when only the golden axis fails, with the diff as the failure text).

use super::{Assessment, CaseResult, RunInfo};
use crate::check::Outcome;
use crate::golden::GoldenStatus;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::time::Duration;

fn golden_problem(r: &CaseResult) -> Option<String> {
    let g = r.golden.as_ref()?;
    match g.status {
        // A first snapshot is not a failure (it is written as new, to review).
        GoldenStatus::Match | GoldenStatus::New => None,
        GoldenStatus::Mismatch => Some(format!(
            "golden mismatch: {}\n{}",
            g.path,
            g.diff.clone().unwrap_or_default()
        )),
    }
}

/// Renders the JUnit XML. Every suite carries the run verdict and the requirement verdicts as
/// properties (`verdict`, `requirement.<ID>`).
pub fn render(info: &RunInfo, results: &[CaseResult], a: &Assessment) -> Result<String, String> {
    let mut report = Report::new(format!("fedconform {}", info.target));
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for r in results {
        let suite = suites.entry(r.suite.as_str()).or_insert_with(|| {
            let mut s = TestSuite::new(r.suite.clone());
            s.add_property(Property::new("target", info.target.clone()));
            s.add_property(Property::new("verdict", a.headline(info)));
            for req in &a.requirements {
                s.add_property(Property::new(
                    format!("requirement.{}", req.id),
                    req.status.word().to_string(),
                ));
            }
            s
        });
        let known_failure = r.baseline.as_deref() == Some("known-failure");
        let golden = golden_problem(r);
        let status = match (r.outcome, &golden) {
            (Outcome::Fail, _) if known_failure => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("known failure (baseline): {}", r.message));
                s
            }
            (Outcome::Fail | Outcome::Error, g) => {
                let kind = if r.outcome == Outcome::Fail {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_type(r.level.to_string());
                s.set_message(format!("{}: {}", r.requirements.join(", "), r.message));
                if let Some(g) = g {
                    s.set_description(g.clone());
                }
                s
            }
            (_, Some(g)) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_type("golden");
                s.set_message(g.lines().next().unwrap_or("golden").to_string());
                s.set_description(g.clone());
                s
            }
            (Outcome::Skipped, None) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(r.message.clone());
                s
            }
            (Outcome::Pass | Outcome::Warn, None) => TestCaseStatus::success(),
        };
        let mut tc = TestCase::new(r.case.clone(), status);
        tc.set_classname(r.suite.clone());
        tc.set_time(Duration::from_millis(r.duration_ms));
        tc.add_property(Property::new("requirements", r.requirements.join(",")));
        tc.add_property(Property::new("level", r.level.to_string()));
        tc.add_property(Property::new("outcome", r.outcome.to_string()));
        tc.add_property(Property::new("target", info.target.clone()));
        if let Some(g) = &r.golden {
            let status = serde_json::to_value(g.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            tc.add_property(Property::new("golden", status));
        }
        if r.outcome == Outcome::Warn {
            tc.set_system_out(format!("warning: {}", r.message));
        }
        suite.add_test_case(tc);
    }
    report.add_test_suites(suites.into_values());
    report.to_string().map_err(|e| e.to_string())
}
