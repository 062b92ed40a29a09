//! The Markdown summary, fit for a CI step summary (`$GITHUB_STEP_SUMMARY`): the verdict first,
//! then what keeps the run from being conformant (requirements not evaluated, root causes), then
//! the cases that did not pass, and how to fix each failed or warned requirement (docs/explain.toml).

use super::{Assessment, CaseResult, RunInfo};
use crate::check::Outcome;
use crate::check::rollup::RunVerdict;
use crate::golden::GoldenStatus;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders the summary.
pub fn render(info: &RunInfo, results: &[CaseResult], a: &Assessment) -> String {
    let s = &a.summary;
    let icon = match a.verdict {
        RunVerdict::Conformant => "✅",
        RunVerdict::Nonconformant => "❌",
        RunVerdict::Incomplete => "⚠️",
    };
    let mut out = format!(
        "## {icon} {}\n\nfedconform {} · target **{}** · flows claimed: {} · suites: {}\n\n{}: {} pass, {} fail, {} warn, {} skipped, {} error · goldens: {} match, {} differ, {} new\n\n",
        cell(&a.headline(info)),
        cell(&info.harness_version),
        cell(&info.target),
        cell(&info.flows_text()),
        info.suites
            .iter()
            .map(|s| format!(
                "{} `{}`{}",
                s.name,
                s.digest,
                if s.builtin { "" } else { " (custom)" }
            ))
            .collect::<Vec<_>>()
            .join(", "),
        super::cases(s.total),
        s.pass,
        s.fail,
        s.warn,
        s.skipped,
        s.error,
        a.goldens.matched,
        a.goldens.mismatched,
        a.goldens.new,
    );
    let not_evaluated = a.not_evaluated(info.strict);
    if !not_evaluated.is_empty() {
        out.push_str("### Not evaluated\n\n");
        for (reason, rs) in a.not_evaluated_by_reason(info.strict) {
            let ids: Vec<String> = rs
                .iter()
                .map(|r| format!("**{}** ({})", r.id, r.level))
                .collect();
            out.push_str(&format!("- {}: {}\n", ids.join(", "), cell(&reason)));
        }
        out.push('\n');
    }
    if !a.root_causes.is_empty() {
        out.push_str("### Root causes\n\n");
        for c in &a.root_causes {
            out.push_str(&format!(
                "- {} case(s) blocked by **{}**: {}\n",
                c.cases.len(),
                c.blocker.requirement,
                cell(&c.blocker.cause)
            ));
        }
        out.push('\n');
    }
    let mut notes: Vec<&str> = results
        .iter()
        .flat_map(|r| r.notes.iter().map(String::as_str))
        .collect();
    notes.sort_unstable();
    notes.dedup();
    if !notes.is_empty() {
        out.push_str("### Notes\n\n");
        for n in notes {
            out.push_str(&format!("- {}\n", cell(n)));
        }
        out.push('\n');
    }
    // Errors that share a cause are one row: the cause once, with its cases.
    let grouped: Vec<(String, Vec<&CaseResult>)> = super::errors_by_cause(results)
        .into_iter()
        .filter(|(_, rs)| rs.len() > 1)
        .collect();
    let in_group = |r: &CaseResult| {
        grouped
            .iter()
            .any(|(_, rs)| rs.iter().any(|x| x.id == r.id))
    };
    let notable: Vec<&CaseResult> = results
        .iter()
        .filter(|r| !in_group(r))
        .filter(|r| {
            !matches!(r.outcome, Outcome::Pass | Outcome::Skipped)
                || r.golden
                    .as_ref()
                    .is_some_and(|g| g.status == GoldenStatus::Mismatch)
        })
        .collect();
    if notable.is_empty() && grouped.is_empty() {
        out.push_str("No case failed, warned or errored.\n");
        return out;
    }
    out.push_str("| outcome | case | requirements | level | message |\n|---|---|---|---|---|\n");
    for (cause, rs) in &grouped {
        let mut reqs: Vec<&str> = rs
            .iter()
            .flat_map(|r| r.requirements.iter().map(String::as_str))
            .collect();
        reqs.sort_unstable();
        reqs.dedup();
        out.push_str(&format!(
            "| error | {} cases: {} | {} | | {} |\n",
            rs.len(),
            rs.iter()
                .map(|r| format!("`{}`", r.id))
                .collect::<Vec<_>>()
                .join(", "),
            reqs.join(", "),
            cell(cause)
        ));
    }
    for r in notable {
        let mut outcome = r.outcome.to_string();
        if r.golden
            .as_ref()
            .is_some_and(|g| g.status == GoldenStatus::Mismatch)
        {
            outcome.push_str(" · golden differs");
        }
        out.push_str(&format!(
            "| {outcome} | `{}` | {} | {} | {} |\n",
            r.id,
            r.requirements.join(", "),
            r.level,
            cell(&r.message)
        ));
    }
    let fixes = crate::explain::pointers(&a.requirements);
    if !fixes.is_empty() {
        out.push_str("\n### How to fix\n\n");
        for e in fixes {
            out.push_str(&format!(
                "- **{}** ({}): {} Details: `{}`\n",
                e.id,
                e.level,
                cell(&e.fix),
                crate::explain::command(&e.id)
            ));
        }
    }
    out
}
