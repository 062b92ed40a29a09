//! Requirement verdicts and the run verdict (DESIGN.md "Requirement verdicts and the run
//! verdict"): the case results of a run rolled up into one verdict per SPEC.md requirement in its
//! scope, and those into CONFORMANT, NONCONFORMANT or INCOMPLETE. A pure function of what the
//! run was asked to judge (the plan), what it judged (the results) and what the target declares
//! out of scope, so that `report merge` recomputes exactly what a single run computes.

use super::{Blocker, Outcome, Skip};
use crate::requirements::{self, Level};
use crate::suite::StepKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A case of the suites in use, as the plan knew it before running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedCase {
    /// `suite::case`.
    pub id: String,
    /// SPEC.md IDs it cites.
    pub requirements: Vec<String>,
    /// The step it looks at.
    pub step: StepKind,
    /// The filters selected it (a partition may still have left it to another shard).
    pub selected: bool,
}

/// What a requirement verdict needs of a case's result.
#[derive(Debug, Clone)]
pub struct CaseOutcome<'a> {
    /// `suite::case`.
    pub id: &'a str,
    /// Its outcome.
    pub outcome: Outcome,
    /// Why it was not judged, when skipped.
    pub skip: Option<&'a Skip>,
    /// Its message (for errors: the network failure).
    pub message: &'a str,
    /// It is a known failure of the baseline.
    pub known_failure: bool,
}

/// Why a requirement was not evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NotEvaluated {
    /// Out of scope: the target does not claim its flow, or declares the feature absent.
    NotApplicable {
        /// Why.
        reason: String,
    },
    /// A requirement it depends on failed.
    Blocked(Blocker),
    /// The target lacks an input its cases need (a test user).
    NeedsInput {
        /// What to add.
        reason: String,
    },
    /// The network failed: the IdP could not be reached.
    Unreachable {
        /// The failure.
        reason: String,
    },
    /// No case of the suites in use cites it.
    NotChecked,
    /// Its cases were not run: left out by the filters, in another partition, or interrupted.
    NotRun {
        /// Why.
        reason: String,
    },
}

impl fmt::Display for NotEvaluated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotEvaluated::NotApplicable { reason } => write!(f, "not applicable: {reason}"),
            NotEvaluated::Blocked(b) => b.fmt(f),
            NotEvaluated::NeedsInput { reason } => f.write_str(reason),
            NotEvaluated::Unreachable { reason } => {
                write!(f, "no answer from the IdP: {reason}")
            }
            NotEvaluated::NotChecked => f.write_str("no case of the suites in use checks it"),
            NotEvaluated::NotRun { reason } => f.write_str(reason),
        }
    }
}

/// One requirement's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Status {
    /// Every case citing it passed.
    Pass,
    /// A case citing it failed.
    Fail {
        /// Every failing case is a known failure of the baseline.
        known_failure: bool,
    },
    /// A case citing it warned (a SHOULD, or INFO, that does not hold).
    Warn,
    /// It was not evaluated.
    NotEvaluated(NotEvaluated),
}

impl Status {
    /// The verdict word: `pass`, `fail`, `warn`, `not evaluated`, `not applicable`.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail { .. } => "fail",
            Status::Warn => "warn",
            Status::NotEvaluated(NotEvaluated::NotApplicable { .. }) => "not applicable",
            Status::NotEvaluated(_) => "not evaluated",
        }
    }

    /// True when the requirement is in the run's scope.
    pub fn in_scope(&self) -> bool {
        !matches!(
            self,
            Status::NotEvaluated(NotEvaluated::NotApplicable { .. })
        )
    }
}

/// A requirement and its verdict in one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementVerdict {
    /// SPEC.md ID.
    pub id: String,
    /// MUST, SHOULD or INFO.
    pub level: Level,
    /// Its verdict.
    #[serde(flatten)]
    pub status: Status,
    /// The cases that cite it and ran.
    pub cases: Vec<String>,
}

/// The run's verdict (the first word of every report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RunVerdict {
    /// Every in-scope MUST requirement (and SHOULD, under `--strict`) was evaluated and held.
    Conformant,
    /// An in-scope requirement failed: a MUST, or a SHOULD under `--strict`.
    Nonconformant,
    /// Nothing failed, but some in-scope MUST requirement was not evaluated.
    Incomplete,
}

impl fmt::Display for RunVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunVerdict::Conformant => "CONFORMANT",
            RunVerdict::Nonconformant => "NONCONFORMANT",
            RunVerdict::Incomplete => "INCOMPLETE",
        })
    }
}

/// The rank of a not-evaluated reason among a requirement's cases: the root cause first.
fn rank(n: &NotEvaluated) -> u8 {
    match n {
        NotEvaluated::Blocked(_) => 0,
        NotEvaluated::Unreachable { .. } => 1,
        NotEvaluated::NeedsInput { .. } => 2,
        NotEvaluated::NotRun { .. } => 3,
        NotEvaluated::NotChecked => 4,
        NotEvaluated::NotApplicable { .. } => 5,
    }
}

/// Rolls the results up into one verdict per catalogue requirement. `not_applicable` holds the
/// requirements the target puts out of scope, with the reason; `missing` says why a selected case
/// has no result (another partition, an interruption).
pub fn requirements(
    plan: &[PlannedCase],
    results: &[CaseOutcome<'_>],
    not_applicable: &BTreeMap<String, String>,
    missing: &str,
) -> Vec<RequirementVerdict> {
    let by_id: BTreeMap<&str, &CaseOutcome> = results.iter().map(|r| (r.id, r)).collect();
    requirements::CATALOGUE
        .iter()
        .map(|req| {
            let citing: Vec<&PlannedCase> = plan
                .iter()
                .filter(|c| c.requirements.iter().any(|r| r == req.id))
                .collect();
            let ran: Vec<&CaseOutcome> = citing
                .iter()
                .filter_map(|c| by_id.get(c.id.as_str()).copied())
                .collect();
            let status = match not_applicable.get(req.id) {
                Some(reason) => Status::NotEvaluated(NotEvaluated::NotApplicable {
                    reason: reason.clone(),
                }),
                None if citing.is_empty() => Status::NotEvaluated(NotEvaluated::NotChecked),
                None if !citing.iter().any(|c| c.selected) => {
                    Status::NotEvaluated(NotEvaluated::NotRun {
                        reason: "the filters selected none of its cases".into(),
                    })
                }
                None => fold(
                    &ran,
                    citing
                        .iter()
                        .any(|c| c.selected && !by_id.contains_key(c.id.as_str())),
                    missing,
                ),
            };
            RequirementVerdict {
                id: req.id.to_string(),
                level: req.level,
                status,
                cases: ran.iter().map(|r| r.id.to_string()).collect(),
            }
        })
        .collect()
}

/// One requirement's verdict from its cases' results: fail, then not evaluated, then warn, then
/// pass; all not applicable is not applicable.
fn fold(ran: &[&CaseOutcome], some_missing: bool, missing: &str) -> Status {
    let fails: Vec<&&CaseOutcome> = ran.iter().filter(|r| r.outcome == Outcome::Fail).collect();
    if !fails.is_empty() {
        return Status::Fail {
            known_failure: fails.iter().all(|r| r.known_failure),
        };
    }
    let mut not_evaluated: Vec<NotEvaluated> = ran
        .iter()
        .filter_map(|r| match (r.outcome, r.skip) {
            (Outcome::Error, _) => Some(NotEvaluated::Unreachable {
                reason: r.message.to_string(),
            }),
            (Outcome::Skipped, Some(Skip::Blocked(b))) => Some(NotEvaluated::Blocked(b.clone())),
            (Outcome::Skipped, Some(Skip::NeedsInput { reason })) => {
                Some(NotEvaluated::NeedsInput {
                    reason: reason.clone(),
                })
            }
            _ => None,
        })
        .collect();
    if some_missing {
        not_evaluated.push(NotEvaluated::NotRun {
            reason: missing.to_string(),
        });
    }
    if let Some(n) = not_evaluated.into_iter().min_by_key(rank) {
        return Status::NotEvaluated(n);
    }
    if ran.iter().any(|r| r.outcome == Outcome::Warn) {
        return Status::Warn;
    }
    if ran.iter().any(|r| r.outcome == Outcome::Pass) {
        return Status::Pass;
    }
    let reason = ran
        .iter()
        .find_map(|r| match r.skip {
            Some(Skip::NotApplicable { reason }) => Some(reason.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "its cases did not apply".into());
    Status::NotEvaluated(NotEvaluated::NotApplicable { reason })
}

/// The run verdict: NONCONFORMANT when an in-scope requirement failed (known failures of the
/// baseline included: the word is the truth, the exit code is the baseline's business);
/// INCOMPLETE when a MUST (or, under `--strict`, a SHOULD) in scope was not evaluated; otherwise
/// CONFORMANT.
pub fn run_verdict(reqs: &[RequirementVerdict], strict: bool, interrupted: bool) -> RunVerdict {
    if reqs.iter().any(|r| matches!(r.status, Status::Fail { .. })) {
        return RunVerdict::Nonconformant;
    }
    let must_evaluate =
        |r: &RequirementVerdict| r.level == Level::Must || (strict && r.level == Level::Should);
    if interrupted
        || reqs.iter().any(|r| {
            must_evaluate(r) && r.status.in_scope() && matches!(r.status, Status::NotEvaluated(_))
        })
    {
        return RunVerdict::Incomplete;
    }
    RunVerdict::Conformant
}

/// True when every failure of the run is a known failure of the baseline.
pub fn only_known_failures(reqs: &[RequirementVerdict]) -> bool {
    reqs.iter()
        .filter_map(|r| match r.status {
            Status::Fail { known_failure } => Some(known_failure),
            _ => None,
        })
        .all(|k| k)
}

/// One root cause and the cases it kept from being judged (said once, not once per case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootCause {
    /// The requirement that failed and what failed.
    #[serde(flatten)]
    pub blocker: Blocker,
    /// The cases it blocked.
    pub cases: Vec<String>,
}

/// Groups the blocked cases by their blocker, in the order the blockers first appear.
pub fn root_causes(results: &[CaseOutcome<'_>]) -> Vec<RootCause> {
    let mut out: Vec<RootCause> = Vec::new();
    for r in results {
        if let Some(Skip::Blocked(b)) = r.skip {
            match out.iter_mut().find(|c| &c.blocker == b) {
                Some(c) => c.cases.push(r.id.to_string()),
                None => out.push(RootCause {
                    blocker: b.clone(),
                    cases: vec![r.id.to_string()],
                }),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: &str, req: &str) -> PlannedCase {
        PlannedCase {
            id: id.into(),
            requirements: vec![req.into()],
            step: StepKind::Mex,
            selected: true,
        }
    }

    fn status_of<'a>(v: &'a [RequirementVerdict], id: &str) -> &'a Status {
        v.iter()
            .find(|r| r.id == id)
            .map(|r| &r.status)
            .unwrap_or(&Status::Pass)
    }

    #[test]
    fn a_requirement_rolls_up_from_its_cases() {
        let plan = vec![
            plan("s::a", "MEX-1"),
            plan("s::b", "MEX-2"),
            plan("s::c", "MEX-2"),
        ];
        let blocker = Skip::blocked("TLS-1", "bad certificate");
        let results = vec![
            CaseOutcome {
                id: "s::a",
                outcome: Outcome::Pass,
                skip: None,
                message: "",
                known_failure: false,
            },
            CaseOutcome {
                id: "s::b",
                outcome: Outcome::Pass,
                skip: None,
                message: "",
                known_failure: false,
            },
            CaseOutcome {
                id: "s::c",
                outcome: Outcome::Skipped,
                skip: Some(&blocker),
                message: "",
                known_failure: false,
            },
        ];
        let v = requirements(&plan, &results, &BTreeMap::new(), "in another partition");
        assert_eq!(status_of(&v, "MEX-1"), &Status::Pass);
        assert_eq!(
            status_of(&v, "MEX-2"),
            &Status::NotEvaluated(NotEvaluated::Blocked(Blocker::new(
                "TLS-1",
                "bad certificate"
            )))
        );
        assert_eq!(
            status_of(&v, "MEX-3"),
            &Status::NotEvaluated(NotEvaluated::NotChecked)
        );
        assert_eq!(run_verdict(&v, false, false), RunVerdict::Incomplete);
    }

    #[test]
    fn out_of_scope_requirements_do_not_make_a_run_incomplete() {
        let na: BTreeMap<String, String> = requirements::CATALOGUE
            .iter()
            .filter(|r| r.id != "MEX-1")
            .map(|r| (r.id.to_string(), "out of scope".to_string()))
            .collect();
        let plan = vec![plan("s::a", "MEX-1")];
        let results = vec![CaseOutcome {
            id: "s::a",
            outcome: Outcome::Pass,
            skip: None,
            message: "",
            known_failure: false,
        }];
        let v = requirements(&plan, &results, &na, "");
        assert_eq!(run_verdict(&v, false, false), RunVerdict::Conformant);
        assert_eq!(run_verdict(&v, false, true), RunVerdict::Incomplete);
        let results = vec![CaseOutcome {
            id: "s::a",
            outcome: Outcome::Fail,
            skip: None,
            message: "",
            known_failure: false,
        }];
        let v = requirements(&plan, &results, &na, "");
        assert_eq!(run_verdict(&v, false, false), RunVerdict::Nonconformant);
        let v = requirements(&plan, &[], &na, "in another partition");
        assert_eq!(
            status_of(&v, "MEX-1"),
            &Status::NotEvaluated(NotEvaluated::NotRun {
                reason: "in another partition".into()
            })
        );
        assert_eq!(run_verdict(&v, false, false), RunVerdict::Incomplete);
    }
}
