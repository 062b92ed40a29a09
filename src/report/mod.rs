//! Reports (DESIGN.md: only this module formats output): JUnit and JSON.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;

use crate::check::{Finding, Outcome};
use crate::requirements::Level;
use crate::suite::StepKind;
use serde::Serialize;

/// One case's result, as every report sees it (already redacted).
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
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

/// What a report says about the run as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// Harness version.
    pub harness_version: String,
    /// Target name.
    pub target: String,
    /// Suites and their digests.
    pub suites: Vec<(String, String)>,
    /// RFC 3339 start.
    pub started: String,
    /// RFC 3339 end.
    pub finished: String,
    /// Whether SHOULD failures failed.
    pub strict: bool,
    /// Goldens no case references.
    pub unreferenced_goldens: Vec<String>,
    /// The partition run, if any.
    pub partition: Option<String>,
    /// The command-line arguments, with every secret redacted.
    pub arguments: Vec<String>,
    /// The run was interrupted (Ctrl-C): the report holds only the cases finished before it.
    #[serde(default)]
    pub incomplete: bool,
}

/// Writes every requested report, each atomically.
pub fn write_all(
    info: &RunInfo,
    results: &[CaseResult],
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
        write(p, json::render(info, results))?;
    }
    if let Some(p) = junit {
        write(p, junit::render(info, results)?)?;
    }
    if let Some(p) = markdown {
        write(p, markdown::render(info, results))?;
    }
    if let Some(p) = html {
        write(p, html::render(info, results))?;
    }
    Ok(())
}
