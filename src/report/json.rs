//! The JSON report (schema `fedconform-report/1`, docs/report-schema.json).

use super::{CaseResult, RunInfo, Summary};
use serde_json::json;

/// Schema identifier written into every report.
pub const SCHEMA: &str = "fedconform-report/1";

/// Renders the JSON report.
pub fn render(info: &RunInfo, results: &[CaseResult]) -> String {
    let v = json!({
        "schema": SCHEMA,
        "run": info,
        "summary": Summary::of(results),
        "cases": results,
    });
    serde_json::to_string_pretty(&v)
        .unwrap_or_else(|e| format!("{{\"schema\":\"{SCHEMA}\",\"error\":\"{e}\"}}"))
}
