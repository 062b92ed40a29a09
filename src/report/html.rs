//! The self-contained HTML report: a requirement coverage matrix (a failed or warned requirement
//! carries its explanation, [`explain_block`]), and every case with its verdict, findings, the
//! redacted exchange and any golden diff. No external resources.

use super::{Assessment, CaseResult, RunInfo};
use crate::check::rollup::Status;
use crate::requirements;
use std::collections::BTreeMap;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f6f8fa}.pass{background:#dafbe1}.fail{background:#ffebe9}.warn{background:#fff8c5}.skipped{background:#eaeef2}.error{background:#ffd8b5}pre{background:#f6f8fa;padding:.6em;overflow:auto;max-height:30em}code{font-size:90%}details{margin:.3em 0}details.explain h4{margin:.6em 0 .2em}details.explain p,details.explain dd{max-width:60em}";

/// Escapes text and shows its `backquoted` spans as code (an odd backquote is kept as it is) and
/// SPEC.md's *(observed)* mark in italics.
fn code_spans(text: &str) -> String {
    let prose = |t: &str| esc(t).replace("*(observed)*", "<em>(observed)</em>");
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return prose(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                prose(part)
            }
        })
        .collect()
}

/// A requirement's whole explanation (docs/explain.toml) as an expandable block, closed, whose
/// summary is the one-line fix: what the requirement matrix shows under a failed or warned
/// requirement.
pub fn explain_block(e: &crate::explain::Entry) -> String {
    let paragraphs = |text: &str| -> String {
        text.split('\n')
            .map(|p| format!("<p>{}</p>", code_spans(p.trim())))
            .collect()
    };
    let mut b = format!(
        "<details class=\"explain\" data-explain=\"{id}\"><summary>how to fix: {fix}</summary>",
        id = esc(&e.id),
        fix = esc(&e.fix)
    );
    b.push_str(&format!(
        "<h4>Requirement</h4>{}<h4>{}</h4>{}<h4>Why it matters</h4>{}<h4>Typical causes</h4><ul>",
        paragraphs(&e.requirement),
        esc(&e.client_heading),
        paragraphs(&e.client),
        paragraphs(&e.impact)
    ));
    for c in &e.causes {
        b.push_str(&format!("<li>{}</li>", code_spans(c)));
    }
    b.push_str("</ul>");
    if !e.products.is_empty() {
        b.push_str("<h4>By product</h4><dl>");
        for p in &e.products {
            b.push_str(&format!(
                "<dt>{}</dt><dd>{}</dd>",
                esc(&p.name),
                code_spans(&p.advice)
            ));
        }
        b.push_str("</dl>");
    }
    b.push_str(&format!(
        "<h4>Source</h4>{}<p><code>{}</code></p></details>",
        paragraphs(&e.source),
        esc(&crate::explain::command(&e.id))
    ));
    b
}

/// Renders the report.
pub fn render(info: &RunInfo, results: &[CaseResult], a: &Assessment) -> String {
    let s = &a.summary;
    let mut h = String::new();
    let verdict_class = match a.verdict {
        crate::check::rollup::RunVerdict::Conformant => "pass",
        crate::check::rollup::RunVerdict::Nonconformant => "fail",
        crate::check::rollup::RunVerdict::Incomplete => "warn",
    };
    h.push_str(&format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>fedconform: {v} — {t}</title><style>{STYLE}</style></head><body>\n<h1 id=\"verdict\" class=\"{verdict_class}\">{headline}</h1>\n<p>Target <strong>{t}</strong> · flows claimed: {flows} · suites: {suites} · strict: {strict}</p>\n<p id=\"summary\">{} cases: {} pass, {} fail, {} warn, {} skipped, {} error · goldens: {} match, {} differ, {} new · harness {} · {} → {}{}</p>\n",
        s.total,
        s.pass,
        s.fail,
        s.warn,
        s.skipped,
        s.error,
        a.goldens.matched,
        a.goldens.mismatched,
        a.goldens.new,
        esc(&info.harness_version),
        esc(&info.started),
        esc(&info.finished),
        info.partition.as_ref().map(|p| format!(" · partition {}/{}", p.shard, p.total)).unwrap_or_default(),
        v = a.verdict,
        headline = esc(&a.headline(info)),
        t = esc(&info.target),
        flows = esc(&info.flows.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")),
        suites = esc(&info.suites.iter().map(|s| format!("{} {} ({})", s.name, s.digest, if s.builtin { "built-in" } else { "custom" })).collect::<Vec<_>>().join(", ")),
        strict = info.strict,
    ));
    if info.incomplete {
        h.push_str("<p id=\"incomplete\"><strong>Incomplete:</strong> the run was interrupted; only the cases finished before it are reported.</p>\n");
    }
    let not_evaluated = a.not_evaluated(info.strict);
    if !not_evaluated.is_empty() {
        h.push_str("<h2>Not evaluated</h2>\n<ul id=\"not-evaluated\">");
        for r in not_evaluated {
            if let Status::NotEvaluated(n) = &r.status {
                h.push_str(&format!(
                    "<li>{} ({}): {}</li>",
                    r.id,
                    r.level,
                    esc(&n.to_string())
                ));
            }
        }
        h.push_str("</ul>\n");
    }
    if !a.root_causes.is_empty() {
        h.push_str("<h2>Root causes</h2>\n<ul id=\"root-causes\">");
        for c in &a.root_causes {
            h.push_str(&format!(
                "<li>{} cases blocked by {}: {}<br><small>{}</small></li>",
                c.cases.len(),
                esc(&c.blocker.requirement),
                esc(&c.blocker.cause),
                esc(&c.cases.join(", "))
            ));
        }
        h.push_str("</ul>\n");
    }
    // Coverage matrix: every requirement of the catalogue, with the outcomes of the cases citing it.
    let mut by_req: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        for id in &r.requirements {
            by_req.entry(id.as_str()).or_default().push(r);
        }
    }
    let verdicts: BTreeMap<&str, &Status> = a
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), &r.status))
        .collect();
    h.push_str("<h2>Requirements</h2>\n<table id=\"coverage\"><tr><th>requirement</th><th>level</th><th>profile</th><th>title</th><th>verdict</th><th>cases</th></tr>\n");
    for req in requirements::CATALOGUE {
        let cases = by_req.get(req.id).map(Vec::as_slice).unwrap_or(&[]);
        let cells = if cases.is_empty() {
            "<td class=\"skipped\">not checked</td>".to_string()
        } else {
            format!(
                "<td>{}</td>",
                cases
                    .iter()
                    .map(|c| format!(
                        "<a class=\"{o}\" href=\"#{id}\">{id}: {o}</a>",
                        id = esc(&c.id),
                        o = c.outcome
                    ))
                    .collect::<Vec<_>>()
                    .join("<br>")
            )
        };
        let (word, why, class) = match verdicts.get(req.id) {
            Some(st @ Status::NotEvaluated(n)) => (st.word(), n.to_string(), "skipped"),
            Some(st) => (st.word(), String::new(), st.word()),
            None => ("not evaluated", String::new(), "skipped"),
        };
        let how_to_fix = match verdicts.get(req.id) {
            Some(Status::Fail { .. } | Status::Warn) => crate::explain::entry(req.id)
                .map(explain_block)
                .unwrap_or_default(),
            _ => String::new(),
        };
        h.push_str(&format!(
            "<tr data-requirement=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}{how_to_fix}</td><td class=\"{class}\">{word}{}</td>{cells}</tr>\n",
            req.id,
            req.id,
            req.level,
            req.profile,
            esc(req.title),
            if why.is_empty() { String::new() } else { format!("<br><small>{}</small>", esc(&why)) }
        ));
    }
    h.push_str("</table>\n<h2>Cases</h2>\n<table id=\"cases\"><tr><th>case</th><th>requirements</th><th>level</th><th>outcome</th><th>evidence</th></tr>\n");
    for r in results {
        let mut evidence = format!("<div>{}</div>", esc(&r.message));
        for n in &r.notes {
            evidence.push_str(&format!("<div class=\"note\">note: {}</div>", esc(n)));
        }
        if !r.findings.is_empty() {
            evidence.push_str("<details><summary>findings</summary><ul>");
            for f in &r.findings {
                let result = serde_json::to_value(&f.result)
                    .ok()
                    .and_then(|v| v.get("result").and_then(|x| x.as_str().map(String::from)))
                    .unwrap_or_default();
                evidence.push_str(&format!(
                    "<li><code>{}</code> {}: expected {}; got {}</li>",
                    esc(&f.expectation),
                    esc(&result),
                    esc(&f.expected),
                    esc(&f.actual)
                ));
            }
            evidence.push_str("</ul></details>");
        }
        if let Some(t) = &r.transcript {
            evidence.push_str(&format!(
                "<details><summary>exchange (redacted)</summary><pre>{}</pre></details>",
                esc(&serde_json::to_string_pretty(t).unwrap_or_default())
            ));
        }
        if let Some(g) = &r.golden {
            let status = serde_json::to_value(g.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            evidence.push_str(&format!(
                "<div>golden: {} <code>{}</code></div>",
                esc(&status),
                esc(&g.path)
            ));
            if let Some(d) = &g.diff {
                evidence.push_str(&format!(
                    "<details open><summary>golden diff</summary><pre>{}</pre></details>",
                    esc(d)
                ));
            }
        }
        h.push_str(&format!(
            "<tr id=\"{id}\" data-outcome=\"{o}\"><td><code>{id}</code></td><td>{}</td><td>{}</td><td class=\"{o}\">{o}</td><td>{evidence}</td></tr>\n",
            esc(&r.requirements.join(", ")),
            r.level,
            id = esc(&r.id),
            o = r.outcome,
        ));
    }
    h.push_str("</table>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backquoted_spans_become_code_and_everything_is_escaped() {
        assert_eq!(
            code_spans("set `a<b` & `c`"),
            "set <code>a&lt;b</code> &amp; <code>c</code>"
        );
        assert_eq!(code_spans("an odd ` stays"), "an odd ` stays");
        assert_eq!(code_spans("*(observed)*: x"), "<em>(observed)</em>: x");
    }

    #[test]
    fn an_explanation_block_holds_the_whole_entry() {
        let Some(e) = crate::explain::entry("WST-8") else {
            panic!("WST-8 is explained");
        };
        let b = explain_block(e);
        assert!(b.starts_with(
            "<details class=\"explain\" data-explain=\"WST-8\"><summary>how to fix: "
        ));
        for part in [
            "<h4>Requirement</h4>",
            "<h4>What macOS does</h4>",
            "<h4>Why it matters</h4>",
            "<h4>Typical causes</h4>",
            "<dt>AD FS</dt>",
            "<h4>Source</h4>",
            "<code>fedconform explain WST-8</code>",
        ] {
            assert!(b.contains(part), "{part} missing from {b}");
        }
        assert!(b.ends_with("</details>"));
    }
}
