//! The JSON report (schema `fedconform-report/2`, docs/report-schema.json). The verdict is its
//! first key; `run` and `cases` hold everything `report merge` needs to judge again.

use super::{Assessment, CaseResult, GoldenSummary, RunInfo, Summary};
use crate::check::rollup::{RequirementVerdict, RootCause, RunVerdict};
use serde::{Deserialize, Serialize};

/// Schema identifier written into every report.
pub const SCHEMA: &str = "fedconform-report/2";

/// The report as written: field order is key order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// CONFORMANT, NONCONFORMANT or INCOMPLETE.
    pub verdict: RunVerdict,
    /// The verdict with what qualifies it (partition, custom suites, known failures).
    pub headline: String,
    /// `fedconform-report/2`.
    pub schema: String,
    /// The verdict is a certification.
    pub certification: bool,
    /// The in-scope requirements not evaluated that keep the run from being conformant.
    pub not_evaluated: Vec<RequirementVerdict>,
    /// Each root cause once, with the cases it blocked.
    pub root_causes: Vec<RootCause>,
    /// Every requirement of the catalogue with its verdict.
    pub requirements: Vec<RequirementVerdict>,
    /// Counts per outcome.
    pub summary: Summary,
    /// Counts of the golden axis.
    pub goldens: GoldenSummary,
    /// The run: target, scope, suites, plan, partition.
    pub run: RunInfo,
    /// Every case's result.
    pub cases: Vec<CaseResult>,
}

impl Report {
    /// The report of a run.
    pub fn new(info: &RunInfo, results: &[CaseResult], a: &Assessment) -> Report {
        Report {
            verdict: a.verdict,
            headline: a.headline(info),
            schema: SCHEMA.to_string(),
            certification: a.certification,
            not_evaluated: a.not_evaluated(info.strict).into_iter().cloned().collect(),
            root_causes: a.root_causes.clone(),
            requirements: a.requirements.clone(),
            summary: a.summary,
            goldens: a.goldens,
            run: info.clone(),
            cases: results.to_vec(),
        }
    }
}

/// Renders the JSON report.
pub fn render(info: &RunInfo, results: &[CaseResult], a: &Assessment) -> String {
    serde_json::to_string_pretty(&Report::new(info, results, a))
        .unwrap_or_else(|e| format!("{{\"schema\":\"{SCHEMA}\",\"error\":\"{e}\"}}"))
}
