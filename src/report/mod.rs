//! Reports (DESIGN.md: only this module formats output): the run's assessment (requirement
//! verdicts, root causes, the run verdict), computed once from the run info and the case results,
//! and the JUnit, JSON, Markdown and HTML renderings of it.

pub mod console;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;

use crate::check::rollup::{
    self, CaseOutcome, PlannedCase, RequirementVerdict, RootCause, RunVerdict,
};
use crate::check::{Finding, Outcome, Skip};
use crate::golden::GoldenStatus;
use crate::requirements::{Flow, Level};
use crate::suite::StepKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One case's result, as every report sees it (already redacted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    /// `suite::case`.
    pub id: String,
    /// Position in the whole plan (every suite's cases in order), so partitions merge back in order.
    pub index: usize,
    /// Suite name.
    pub suite: String,
    /// Case ID.
    pub case: String,
    /// The step it looked at.
    pub step: StepKind,
    /// SPEC.md IDs.
    pub requirements: Vec<String>,
    /// Strictest level.
    pub level: Level,
    /// Outcome.
    pub outcome: Outcome,
    /// Message.
    pub message: String,
    /// Why it was not judged (outcome `skipped`).
    #[serde(default)]
    pub skip: Option<Skip>,
    /// What its exchanges show beside the verdict (a chain that needed a private CA).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Findings per expectation.
    pub findings: Vec<Finding>,
    /// Milliseconds spent in the case (waiting for a shared step included).
    pub duration_ms: u64,
    /// The step's exchange, redacted.
    pub transcript: Option<serde_json::Value>,
    /// `known-failure` or `fixed` when the case is in the baseline.
    pub baseline: Option<String>,
    /// The golden axis.
    pub golden: Option<crate::golden::GoldenResult>,
}

/// Counts per outcome.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// Cases run or skipped.
    pub total: usize,
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Warned.
    pub warn: usize,
    /// Skipped.
    pub skipped: usize,
    /// Errored.
    pub error: usize,
}

impl Summary {
    /// Counts the outcomes of some results.
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut s = Summary {
            total: results.len(),
            ..Default::default()
        };
        for r in results {
            match r.outcome {
                Outcome::Pass => s.pass += 1,
                Outcome::Fail => s.fail += 1,
                Outcome::Warn => s.warn += 1,
                Outcome::Skipped => s.skipped += 1,
                Outcome::Error => s.error += 1,
            }
        }
        s
    }
}

/// A suite used by a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteInfo {
    /// Suite name.
    pub name: String,
    /// Digest of its file (FNV-1a 64, hex).
    pub digest: String,
    /// It is byte for byte the built-in suite of that name.
    pub builtin: bool,
}

/// A partition of a run: shard M of N, and how cases were bucketed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionInfo {
    /// `hash` or `count`.
    pub kind: String,
    /// 1-based shard.
    pub shard: u64,
    /// Number of shards.
    pub total: u64,
}

/// What a report says about the run as a whole.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    /// Harness version.
    pub harness_version: String,
    /// Target name.
    pub target: String,
    /// The target's identity, hashed (FNV-1a 64, hex): of its file's bytes, or of the embedded
    /// reference IdP's options without its port. `report merge` refuses shards whose targets
    /// differ though their names agree.
    #[serde(default)]
    pub target_digest: String,
    /// The flows the target claims (its scope): `[login_configuration]` claims Platform SSO,
    /// `[wsfed]` WS-Federation.
    pub flows: Vec<Flow>,
    /// Requirements out of the target's scope, with the reason.
    pub not_applicable: BTreeMap<String, String>,
    /// Suites, their digests, and whether each is the built-in one.
    pub suites: Vec<SuiteInfo>,
    /// Every case of the suites in use, with whether the filters selected it: the plan the
    /// results are judged against (a partition's shards share it).
    pub plan: Vec<PlannedCase>,
    /// RFC 3339 start.
    pub started: String,
    /// RFC 3339 end.
    pub finished: String,
    /// Whether SHOULD failures failed.
    pub strict: bool,
    /// Goldens no case references.
    pub unreferenced_goldens: Vec<String>,
    /// The partition run, if any.
    pub partition: Option<PartitionInfo>,
    /// Why the verdict is not a certification, if it is not: custom suites, reference roots
    /// standing in for public ones.
    pub not_certification: Vec<String>,
    /// The command-line arguments, with every secret redacted.
    pub arguments: Vec<String>,
    /// The run was interrupted (Ctrl-C): the report holds only the cases finished before it.
    #[serde(default)]
    pub incomplete: bool,
    /// The logins the run sends to fail on purpose (wrong password, unknown user), and to whom:
    /// what counts towards an IdP's lockout.
    #[serde(default)]
    pub failed_logins: Vec<String>,
}

/// What stopped an errored case, without the expectation keys: its distinct network or harness
/// failures, so that every case one unreachable host stops says it in the same words (and it is
/// said once). The case's message when it has no error finding.
pub fn error_cause(r: &CaseResult) -> String {
    let mut causes: Vec<&str> = Vec::new();
    for f in &r.findings {
        if let crate::check::CheckResult::Error(e) = &f.result
            && !causes.contains(&e.as_str())
        {
            causes.push(e);
        }
    }
    if causes.is_empty() {
        r.message.clone()
    } else {
        causes.join("; ")
    }
}

/// The errored cases grouped by [`error_cause`], in first-seen order: one cause said once.
pub fn errors_by_cause(results: &[CaseResult]) -> Vec<(String, Vec<&CaseResult>)> {
    let mut out: Vec<(String, Vec<&CaseResult>)> = Vec::new();
    for r in results.iter().filter(|r| r.outcome == Outcome::Error) {
        let cause = error_cause(r);
        match out.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, rs)) => rs.push(r),
            None => out.push((cause, vec![r])),
        }
    }
    out
}

/// "1 case", "2 cases": a count of cases in words.
pub fn cases(n: usize) -> String {
    if n == 1 {
        "1 case".to_string()
    } else {
        format!("{n} cases")
    }
}

impl RunInfo {
    /// The flows the target claims, in words: "Platform SSO federation ([login_configuration]),
    /// WS-Federation ([wsfed])", or "none".
    pub fn flows_text(&self) -> String {
        if self.flows.is_empty() {
            return "none".to_string();
        }
        self.flows
            .iter()
            .map(|f| format!("{} ({})", f.name(), f.section()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// True when every suite in use is a built-in one and all of them are used.
    pub fn builtin_suites(&self) -> bool {
        self.suites.iter().all(|s| s.builtin)
    }
}

/// Counts of the golden axis.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct GoldenSummary {
    /// Snapshots equal to their golden.
    pub matched: usize,
    /// Snapshots that differ from their golden: regressions.
    pub mismatched: usize,
    /// Cases without a golden yet (written as new, or as candidates in CI).
    pub new: usize,
}

/// The run judged as a whole: computed once from the run info and the results, read by every
/// report and by the exit code (STYLE.md 7).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assessment {
    /// CONFORMANT, NONCONFORMANT or INCOMPLETE.
    pub verdict: RunVerdict,
    /// The verdict is a certification: the built-in suites, public roots, every shard.
    pub certification: bool,
    /// Every failure is a known failure of the baseline.
    pub only_known_failures: bool,
    /// One verdict per requirement of the catalogue.
    pub requirements: Vec<RequirementVerdict>,
    /// Each root cause once, with the cases it kept from being judged.
    pub root_causes: Vec<RootCause>,
    /// Counts per outcome.
    pub summary: Summary,
    /// Counts of the golden axis.
    pub goldens: GoldenSummary,
}

impl Assessment {
    /// Judges the run. `missing` says why a selected case has no result (another partition, an
    /// interruption).
    pub fn compute(info: &RunInfo, results: &[CaseResult], missing: &str) -> Assessment {
        let causes: Vec<String> = results.iter().map(error_cause).collect();
        let outcomes: Vec<CaseOutcome> = results
            .iter()
            .zip(&causes)
            .map(|(r, cause)| CaseOutcome {
                id: &r.id,
                outcome: r.outcome,
                skip: r.skip.as_ref(),
                message: if r.outcome == Outcome::Error {
                    cause
                } else {
                    &r.message
                },
                known_failure: r.baseline.as_deref() == Some("known-failure"),
            })
            .collect();
        let requirements =
            rollup::requirements(&info.plan, &outcomes, &info.not_applicable, missing);
        let verdict = rollup::run_verdict(&requirements, info.strict, info.incomplete);
        let mut goldens = GoldenSummary::default();
        for g in results.iter().filter_map(|r| r.golden.as_ref()) {
            match g.status {
                GoldenStatus::Match => goldens.matched += 1,
                GoldenStatus::Mismatch => goldens.mismatched += 1,
                GoldenStatus::New => goldens.new += 1,
            }
        }
        Assessment {
            verdict,
            certification: info.not_certification.is_empty() && info.partition.is_none(),
            only_known_failures: verdict == RunVerdict::Nonconformant
                && rollup::only_known_failures(&requirements),
            root_causes: rollup::root_causes(&outcomes),
            requirements,
            summary: Summary::of(results),
            goldens,
        }
    }

    /// The verdict as the first words of every report: `CONFORMANT`, with what qualifies it.
    pub fn headline(&self, info: &RunInfo) -> String {
        let mut notes = Vec::new();
        if let Some(p) = &info.partition {
            notes.push(format!(
                "partition {}/{}: merge the shards' reports for the run's verdict",
                p.shard, p.total
            ));
        }
        if info.incomplete {
            notes.push("interrupted".to_string());
        }
        if self.only_known_failures {
            notes.push("every failure is a known failure of the baseline".to_string());
        }
        if !self.certification && info.partition.is_none() {
            notes.push(format!(
                "not a certification: {}",
                info.not_certification.join("; ")
            ));
        }
        if notes.is_empty() {
            self.verdict.to_string()
        } else {
            format!("{} ({})", self.verdict, notes.join("; "))
        }
    }

    /// The in-scope requirements not evaluated that keep the run from being conformant: each
    /// MUST (and, under `--strict`, SHOULD) one.
    pub fn not_evaluated(&self, strict: bool) -> Vec<&RequirementVerdict> {
        self.requirements
            .iter()
            .filter(|r| {
                (r.level == Level::Must || (strict && r.level == Level::Should))
                    && r.status.in_scope()
                    && matches!(r.status, rollup::Status::NotEvaluated(_))
            })
            .collect()
    }

    /// [`Assessment::not_evaluated`] grouped by reason, in first-seen order: one reason (one
    /// unreachable host, one missing user) said once, with every requirement it concerns. A
    /// blocker listed among the root causes is named, its cause left to that list.
    pub fn not_evaluated_by_reason(&self, strict: bool) -> Vec<(String, Vec<&RequirementVerdict>)> {
        let mut out: Vec<(String, Vec<&RequirementVerdict>)> = Vec::new();
        for r in self.not_evaluated(strict) {
            if let rollup::Status::NotEvaluated(n) = &r.status {
                let reason = match n {
                    rollup::NotEvaluated::Blocked(b)
                        if self.root_causes.iter().any(|c| c.blocker == *b) =>
                    {
                        format!("blocked by {} (the cause is below)", b.requirement)
                    }
                    _ => n.to_string(),
                };
                match out.iter_mut().find(|(x, _)| *x == reason) {
                    Some((_, rs)) => rs.push(r),
                    None => out.push((reason, vec![r])),
                }
            }
        }
        out
    }

    /// [`Assessment::not_evaluated`] less the requirements a known failure of the baseline
    /// blocked (directly, or through a chain of blocked requirements): a baseline that accepts a
    /// failure accepts what it keeps from being judged.
    pub fn not_evaluated_unexcused(&self, strict: bool) -> Vec<&RequirementVerdict> {
        let excused = |r: &RequirementVerdict| {
            let mut at = r;
            // A chain of blockers is as long as the catalogue at most.
            for _ in 0..=self.requirements.len() {
                let rollup::Status::NotEvaluated(rollup::NotEvaluated::Blocked(b)) = &at.status
                else {
                    return false;
                };
                let Some(next) = self.requirements.iter().find(|x| x.id == b.requirement) else {
                    return false;
                };
                if matches!(
                    next.status,
                    rollup::Status::Fail {
                        known_failure: true
                    }
                ) {
                    return true;
                }
                at = next;
            }
            false
        };
        self.not_evaluated(strict)
            .into_iter()
            .filter(|r| !excused(r))
            .collect()
    }
}

/// Writes every requested report, each atomically.
pub fn write_all(
    info: &RunInfo,
    results: &[CaseResult],
    a: &Assessment,
    json: Option<&std::path::Path>,
    junit: Option<&std::path::Path>,
    markdown: Option<&std::path::Path>,
    html: Option<&std::path::Path>,
) -> Result<(), String> {
    let write = |p: &std::path::Path, text: String| {
        crate::fsx::write_atomic(p, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", p.display()))
    };
    if let Some(p) = json {
        write(p, json::render(info, results, a))?;
    }
    if let Some(p) = junit {
        write(p, junit::render(info, results, a)?)?;
    }
    if let Some(p) = markdown {
        write(p, markdown::render(info, results, a))?;
    }
    if let Some(p) = html {
        write(p, html::render(info, results, a))?;
    }
    Ok(())
}
