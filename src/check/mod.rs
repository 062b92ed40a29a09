//! Checks (DESIGN.md): a case's expectations against a step's observation, giving a verdict. This
//! module holds the verdict model only: the result of one expectation ([`CheckResult`]), why one
//! could not be judged ([`Skip`], [`Blocker`]), a case's [`Verdict`], and the roll-up into
//! requirement and run verdicts ([`rollup`]). The judges live in one module per flow, mirroring
//! `flow/`: [`transport`] (TLS-1…4 and the HTTP status), [`preauth`], [`mex`], [`wstrust`] and
//! [`wsfed`]; [`judge`] sends each expectation to its judge.

pub mod config;
mod judge;
pub mod mex;
pub mod preauth;
pub mod rollup;
pub mod transport;
pub mod wsfed;
pub mod wstrust;

pub use judge::{
    JudgeContext, RstrContext, RstrKind, inspect_mex, inspect_rstr, inspect_wsfed_metadata, judge,
};

use crate::requirements::Level;
use crate::suite::SourcePos;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A case's outcome (JSON report `outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every expectation holds.
    Pass,
    /// A MUST expectation (or, under `--strict`, a SHOULD one) does not hold.
    Fail,
    /// A SHOULD or INFO expectation does not hold, or a MUST one that SPEC.md makes a warning.
    Warn,
    /// Not judged: not applicable, blocked by a failed prerequisite, or missing an input.
    Skipped,
    /// The harness or the network failed, not the IdP.
    Error,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Skipped => "skipped",
            Outcome::Error => "error",
        })
    }
}

/// A requirement whose failure kept a case from being judged, and what failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Blocker {
    /// The SPEC.md ID that failed (`TLS-1`, `MEX-3`…).
    pub requirement: String,
    /// What failed, naming the endpoint and what came back.
    pub cause: String,
}

impl Blocker {
    /// A blocker.
    pub fn new(requirement: &str, cause: impl Into<String>) -> Self {
        Blocker {
            requirement: requirement.to_string(),
            cause: cause.into(),
        }
    }
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "blocked by {}: {}", self.requirement, self.cause)
    }
}

/// Why an expectation, a step or a case was not judged (STYLE.md 3). Serialised as
/// `{"kind": …}` in the JSON report (docs/report-schema.json).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Skip {
    /// The target declares this absent: a flow it does not claim, a feature it does not use.
    /// The requirement is out of scope and does not keep a run from being conformant.
    NotApplicable {
        /// Why, in words.
        reason: String,
    },
    /// The target lacks what the case needs (a test user of some role): the requirement is not
    /// evaluated, and a run with such a MUST requirement is INCOMPLETE.
    NeedsInput {
        /// What to add to the target.
        reason: String,
    },
    /// A prerequisite failed.
    Blocked(Blocker),
}

impl Skip {
    /// Not applicable, for a reason.
    pub fn not_applicable(reason: impl Into<String>) -> Self {
        Skip::NotApplicable {
            reason: reason.into(),
        }
    }

    /// Needs an input the target lacks.
    pub fn needs(reason: impl Into<String>) -> Self {
        Skip::NeedsInput {
            reason: reason.into(),
        }
    }

    /// Blocked by a failed requirement.
    pub fn blocked(requirement: &str, cause: impl Into<String>) -> Self {
        Skip::Blocked(Blocker::new(requirement, cause))
    }

    /// The order in which a case's skips are reported: a blocker first (it is a root cause),
    /// then a missing input, then not applicable.
    fn rank(&self) -> u8 {
        match self {
            Skip::Blocked(_) => 0,
            Skip::NeedsInput { .. } => 1,
            Skip::NotApplicable { .. } => 2,
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::NotApplicable { reason } => write!(f, "not applicable: {reason}"),
            Skip::NeedsInput { reason } => write!(f, "not evaluated: {reason}"),
            Skip::Blocked(b) => b.fmt(f),
        }
    }
}

/// The result of one expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", content = "reason", rename_all = "lowercase")]
pub enum CheckResult {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Does not hold, but SPEC.md makes this a warning.
    Warn,
    /// Could not be judged.
    Skip(Skip),
    /// The network or the harness failed.
    Error(String),
}

/// One expectation's finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// The finding's stable key: `<requirements>/<expectation>` (`WSF-5/metadata_signed`), the
    /// case's requirement IDs (joined by `,` when it cites several) and the suite's expectation
    /// key. Unique among one case's findings and among an `inspect` document's; a run report
    /// tells cases apart by their `id`. Set when the finding is judged for a case ([`keyed`]);
    /// the bare expectation key until then.
    #[serde(default)]
    pub key: String,
    /// The expectation key (`status`, `predicate`, …), as the suite writes it.
    pub expectation: String,
    /// Result.
    #[serde(flatten)]
    pub result: CheckResult,
    /// What was expected: the rule.
    pub expected: String,
    /// What was observed: what the IdP sent.
    pub actual: String,
    /// Where the expectation is written (`suites/x.toml:12:14`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<SourcePos>,
}

/// A finding.
pub fn finding(
    expectation: &'static str,
    result: CheckResult,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> Finding {
    Finding {
        key: expectation.to_string(),
        expectation: expectation.to_string(),
        result,
        expected: expected.into(),
        actual: actual.into(),
        at: None,
    }
}

/// A finding's stable key: `<requirements>/<expectation>`, e.g. `WSF-5/metadata_signed`.
pub fn finding_key(requirements: &[String], expectation: &str) -> String {
    format!("{}/{expectation}", requirements.join(","))
}

/// Stamps a finding judged for a case with its key ([`finding_key`]) and the place its
/// expectation is written.
pub fn keyed(mut f: Finding, requirements: &[String], at: Option<SourcePos>) -> Finding {
    f.key = finding_key(requirements, &f.expectation);
    f.at = at;
    f
}

/// A finding that could not be judged.
pub fn skipped(expectation: &'static str, why: Skip) -> Finding {
    finding(expectation, CheckResult::Skip(why), "", "")
}

/// Pass when `ok`, else fail.
pub fn pass_if(ok: bool) -> CheckResult {
    if ok {
        CheckResult::Pass
    } else {
        CheckResult::Fail
    }
}

/// A case's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Outcome.
    pub outcome: Outcome,
    /// The strictest level of the case's requirements.
    pub level: Level,
    /// One-line message: what failed, or what was found.
    pub message: String,
    /// Why the case was not judged (outcome `skipped`).
    pub skip: Option<Skip>,
    /// Every expectation's finding.
    pub findings: Vec<Finding>,
}

fn describe(x: &Finding) -> String {
    match &x.result {
        CheckResult::Skip(s) => format!("{}: {s}", x.key),
        CheckResult::Error(r) => format!("{}: {r}", x.key),
        _ => format!("{}: expected {}; got {}", x.key, x.expected, x.actual),
    }
}

/// Folds findings into a verdict: fail, then warn, then error, then not judged (a blocker or a
/// missing input), then pass; a case whose every finding is not applicable is skipped as not
/// applicable.
pub fn verdict(level: Level, findings: Vec<Finding>, strict: bool) -> Verdict {
    let any = |f: &dyn Fn(&CheckResult) -> bool| findings.iter().any(|x| f(&x.result));
    let pick = |f: &dyn Fn(&CheckResult) -> bool| {
        findings
            .iter()
            .filter(|x| f(&x.result))
            .map(describe)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let first_skip = |f: &dyn Fn(&Skip) -> bool| {
        findings
            .iter()
            .filter_map(|x| match &x.result {
                CheckResult::Skip(s) if f(s) => Some(s.clone()),
                _ => None,
            })
            .min_by_key(Skip::rank)
    };
    let judged_skip = first_skip(&|s| !matches!(s, Skip::NotApplicable { .. }));
    let all_not_applicable = !findings.is_empty()
        && findings
            .iter()
            .all(|x| matches!(x.result, CheckResult::Skip(Skip::NotApplicable { .. })));
    let (outcome, message, skip) = if any(&|r| matches!(r, CheckResult::Fail)) {
        let o = match level {
            Level::Must => Outcome::Fail,
            Level::Should if strict => Outcome::Fail,
            _ => Outcome::Warn,
        };
        (
            o,
            pick(&|r| matches!(r, CheckResult::Fail | CheckResult::Warn)),
            None,
        )
    } else if any(&|r| matches!(r, CheckResult::Warn)) {
        let o = if strict && level != Level::Info {
            Outcome::Fail
        } else {
            Outcome::Warn
        };
        (o, pick(&|r| matches!(r, CheckResult::Warn)), None)
    } else if any(&|r| matches!(r, CheckResult::Error(_))) {
        // One failure said once, with every key it stopped: "K1, K2: https://…: timed out".
        let mut by_reason: Vec<(&str, Vec<&str>)> = Vec::new();
        for x in &findings {
            if let CheckResult::Error(r) = &x.result {
                match by_reason.iter_mut().find(|(e, _)| *e == r.as_str()) {
                    Some((_, keys)) => keys.push(&x.key),
                    None => by_reason.push((r, vec![&x.key])),
                }
            }
        }
        let message = by_reason
            .iter()
            .map(|(r, keys)| format!("{}: {r}", keys.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        (Outcome::Error, message, None)
    } else if let Some(s) = judged_skip {
        (Outcome::Skipped, s.to_string(), Some(s))
    } else if all_not_applicable {
        let s = first_skip(&|_| true);
        (
            Outcome::Skipped,
            s.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            s,
        )
    } else {
        (
            Outcome::Pass,
            findings
                .iter()
                .filter(|x| x.result == CheckResult::Pass)
                .map(|x| x.actual.clone())
                .collect::<Vec<_>>()
                .join("; "),
            None,
        )
    };
    Verdict {
        outcome,
        level,
        message,
        skip,
        findings,
    }
}

pub use crate::flow::quoted;

#[cfg(test)]
mod tests {
    use super::*;

    fn f(result: CheckResult) -> Finding {
        finding("k", result, "e", "a")
    }

    #[test]
    fn folding() {
        let v = verdict(Level::Must, vec![f(CheckResult::Pass)], false);
        assert_eq!(v.outcome, Outcome::Pass);
        let v = verdict(
            Level::Must,
            vec![f(CheckResult::Pass), f(CheckResult::Fail)],
            false,
        );
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(v.message, "k: expected e; got a");
        let v = verdict(Level::Should, vec![f(CheckResult::Fail)], false);
        assert_eq!(v.outcome, Outcome::Warn);
        let v = verdict(Level::Should, vec![f(CheckResult::Fail)], true);
        assert_eq!(v.outcome, Outcome::Fail);
        let v = verdict(Level::Info, vec![f(CheckResult::Warn)], true);
        assert_eq!(v.outcome, Outcome::Warn);
    }

    #[test]
    fn a_blocked_finding_keeps_a_case_from_passing() {
        let v = verdict(
            Level::Must,
            vec![
                f(CheckResult::Pass),
                f(CheckResult::Skip(Skip::blocked("TLS-1", "bad certificate"))),
            ],
            false,
        );
        assert_eq!(v.outcome, Outcome::Skipped);
        assert_eq!(v.message, "blocked by TLS-1: bad certificate");
        assert_eq!(v.skip, Some(Skip::blocked("TLS-1", "bad certificate")));
    }

    #[test]
    fn not_applicable_beside_a_pass_is_a_pass_and_alone_a_skip() {
        let na = || f(CheckResult::Skip(Skip::not_applicable("no connection")));
        let v = verdict(Level::Must, vec![f(CheckResult::Pass), na()], false);
        assert_eq!(v.outcome, Outcome::Pass);
        let v = verdict(Level::Must, vec![na()], false);
        assert_eq!(v.outcome, Outcome::Skipped);
        assert_eq!(v.message, "not applicable: no connection");
    }

    #[test]
    fn a_finding_is_keyed_by_its_requirement_and_expectation() {
        let k = keyed(
            finding("metadata_signed", CheckResult::Fail, "e", "a"),
            &["WSF-5".to_string()],
            None,
        );
        assert_eq!(k.key, "WSF-5/metadata_signed");
        let v = verdict(Level::Should, vec![k], false);
        assert_eq!(v.message, "WSF-5/metadata_signed: expected e; got a");
        assert_eq!(
            finding_key(&["WSF-8".into(), "WSF-9".into()], "token_delivered"),
            "WSF-8,WSF-9/token_delivered"
        );
    }

    #[test]
    fn quoting_shows_whitespace_and_case() {
        assert_eq!(quoted("a\n\tB "), "\"a\\n\\tB \"");
    }
}
