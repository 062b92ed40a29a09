//! The JUnit report (quick-junit): one testcase per case, classname = suite, failure type = level.

use super::{CaseResult, RunInfo};
use crate::check::Outcome;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::time::Duration;

/// Renders the JUnit XML.
pub fn render(info: &RunInfo, results: &[CaseResult]) -> Result<String, String> {
    let mut report = Report::new(format!("fedconform {}", info.target));
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for r in results {
        let suite = suites.entry(r.suite.as_str()).or_insert_with(|| {
            let mut s = TestSuite::new(r.suite.clone());
            s.add_property(Property::new("target", info.target.clone()));
            s
        });
        let status = match r.outcome {
            Outcome::Pass | Outcome::Warn => TestCaseStatus::success(),
            Outcome::Skipped => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(r.message.clone());
                s
            }
            Outcome::Fail | Outcome::Error => {
                let kind = if r.outcome == Outcome::Fail {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_type(r.level.to_string());
                s.set_message(format!("{}: {}", r.requirements.join(", "), r.message));
                s
            }
        };
        let mut tc = TestCase::new(r.case.clone(), status);
        tc.set_classname(r.suite.clone());
        tc.set_time(Duration::from_millis(r.duration_ms));
        tc.add_property(Property::new("requirements", r.requirements.join(",")));
        tc.add_property(Property::new("level", r.level.to_string()));
        tc.add_property(Property::new("outcome", r.outcome.to_string()));
        tc.add_property(Property::new("target", info.target.clone()));
        if r.outcome == Outcome::Warn {
            tc.set_system_out(format!("warning: {}", r.message));
        }
        suite.add_test_case(tc);
    }
    report.add_test_suites(suites.into_values());
    report.to_string().map_err(|e| e.to_string())
}
