//! The Markdown summary, fit for a CI step summary (`$GITHUB_STEP_SUMMARY`).

use super::{CaseResult, RunInfo, Summary};
use crate::check::Outcome;
use crate::golden::GoldenStatus;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders the summary.
pub fn render(info: &RunInfo, results: &[CaseResult]) -> String {
    let s = Summary::of(results);
    let verdict = match crate::runner::exit_code(results) {
        _ if info.incomplete => "⏹️ interrupted: incomplete",
        0 => "✅ conformant",
        1 => "❌ nonconformant",
        5 => "⚠️ conformant, goldens differ",
        _ => "⚠️ incomplete (errors)",
    };
    let mut out = format!(
        "## fedconform: {verdict}\n\nTarget **{}** · {} cases: {} pass, {} fail, {} warn, {} skipped, {} error{}\n\n",
        cell(&info.target),
        s.total,
        s.pass,
        s.fail,
        s.warn,
        s.skipped,
        s.error,
        info.partition
            .as_ref()
            .map(|p| format!(" · partition {p}"))
            .unwrap_or_default()
    );
    let notable: Vec<&CaseResult> = results
        .iter()
        .filter(|r| {
            r.outcome != Outcome::Pass
                || r.golden
                    .as_ref()
                    .is_some_and(|g| g.status != GoldenStatus::Match)
        })
        .collect();
    if notable.is_empty() {
        out.push_str("Every case passed.\n");
        return out;
    }
    out.push_str("| outcome | case | requirements | level | message |\n|---|---|---|---|---|\n");
    for r in notable {
        let mut outcome = r.outcome.to_string();
        if let Some(g) = r
            .golden
            .as_ref()
            .filter(|g| g.status != GoldenStatus::Match)
        {
            outcome.push_str(&format!(
                " · golden {}",
                serde_json::to_value(g.status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            ));
        }
        out.push_str(&format!(
            "| {outcome} | `{}` | {} | {} | {} |\n",
            r.id,
            r.requirements.join(", "),
            r.level,
            cell(&r.message)
        ));
    }
    out
}
