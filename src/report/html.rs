//! The self-contained HTML report: a requirement coverage matrix, and every case with its
//! verdict, findings, the redacted exchange and any golden diff. No external resources.

use super::{CaseResult, RunInfo, Summary};
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

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f6f8fa}.pass{background:#dafbe1}.fail{background:#ffebe9}.warn{background:#fff8c5}.skipped{background:#eaeef2}.error{background:#ffd8b5}pre{background:#f6f8fa;padding:.6em;overflow:auto;max-height:30em}code{font-size:90%}details{margin:.3em 0}";

/// Renders the report.
pub fn render(info: &RunInfo, results: &[CaseResult]) -> String {
    let s = Summary::of(results);
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>fedconform: {t}</title><style>{STYLE}</style></head><body>\n<h1>fedconform report: {t}</h1>\n<p id=\"summary\">{} cases: {} pass, {} fail, {} warn, {} skipped, {} error · harness {} · {} → {}{}</p>\n",
        s.total,
        s.pass,
        s.fail,
        s.warn,
        s.skipped,
        s.error,
        esc(&info.harness_version),
        esc(&info.started),
        esc(&info.finished),
        info.partition.as_ref().map(|p| format!(" · partition {}", esc(p))).unwrap_or_default(),
        t = esc(&info.target),
    ));
    if info.incomplete {
        h.push_str("<p id=\"incomplete\"><strong>Incomplete:</strong> the run was interrupted; only the cases finished before it are reported.</p>\n");
    }
    // Coverage matrix: every requirement of the catalogue, with the outcomes of the cases citing it.
    let mut by_req: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        for id in &r.requirements {
            by_req.entry(id.as_str()).or_default().push(r);
        }
    }
    h.push_str("<h2>Requirement coverage</h2>\n<table id=\"coverage\"><tr><th>requirement</th><th>level</th><th>profile</th><th>title</th><th>cases</th></tr>\n");
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
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{cells}</tr>\n",
            req.id,
            req.level,
            req.profile,
            esc(req.title)
        ));
    }
    h.push_str("</table>\n<h2>Cases</h2>\n<table id=\"cases\"><tr><th>case</th><th>requirements</th><th>level</th><th>outcome</th><th>evidence</th></tr>\n");
    for r in results {
        let mut evidence = format!("<div>{}</div>", esc(&r.message));
        if !r.findings.is_empty() {
            evidence.push_str("<details><summary>findings</summary><ul>");
            for f in &r.findings {
                let result = serde_json::to_value(&f.result)
                    .ok()
                    .and_then(|v| v.get("result").and_then(|x| x.as_str().map(String::from)))
                    .unwrap_or_default();
                evidence.push_str(&format!(
                    "<li><code>{}</code> {}: expected {}; got {}</li>",
                    esc(f.expectation),
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
