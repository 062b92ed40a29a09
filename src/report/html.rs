//! The self-contained HTML report, for a certification reviewer: the verdict first with what it
//! was judged against; what was not evaluated and the root causes; the failures and warnings;
//! per flow a sequence diagram of the exchanges as the Mac made them, each arrow linked to its
//! exchange and the failing step marked; the requirement matrix; then every case — failures
//! first, passes last — with its findings and each exchange as a request and a response (header
//! tables, bodies pretty-printed, long values wrapped, secrets redacted). No external resources,
//! no script; it fits a 1400 px window and prints to PDF with the failures expanded. A failed or
//! warned requirement carries its explanation ([`explain_block`], docs/explain.toml).

use super::{Assessment, CaseResult, RunInfo};
use crate::check::Outcome;
use crate::check::rollup::{RunVerdict, Status};
use crate::requirements::{self, Flow};
use crate::suite::StepKind;
use serde_json::Value;
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

const STYLE: &str = concat!(
    "*{box-sizing:border-box}",
    "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:1.5em;max-width:1400px;color:#1b1f24;overflow-wrap:anywhere}",
    "h1{margin:.2em 0;padding:.3em .6em;border-radius:6px}",
    "h2{margin-top:1.6em;border-bottom:1px solid #d0d7de}",
    "table{border-collapse:collapse;margin:.6em 0;width:100%;table-layout:fixed}",
    "td,th{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}",
    "th{background:#f6f8fa}",
    "table.meta th{width:12em}",
    "col.id{width:10em}col.word{width:7em}col.level{width:5.5em}",
    ".pass{background:#dafbe1}.fail{background:#ffebe9}.warn{background:#fff8c5}",
    ".skipped{background:#eaeef2}.error{background:#ffd8b5}",
    "pre{background:#f6f8fa;padding:.5em;margin:.3em 0;white-space:pre-wrap;word-break:break-all;max-height:40em;overflow-y:auto}",
    "code{font-size:90%}",
    "details{margin:.3em 0}summary{cursor:pointer}",
    ".exchange{display:grid;grid-template-columns:1fr 1fr;gap:.6em;margin:.4em 0}",
    ".exchange>div{min-width:0;border:1px solid #d0d7de;border-radius:4px;padding:.4em}",
    ".exchange h4{margin:.1em 0 .3em}",
    ".headers td:first-child{width:14em}",
    ".note{color:#6a4a00}",
    "svg{max-width:100%;height:auto;display:block;margin:.5em 0}",
    "details.explain h4{margin:.6em 0 .2em}details.explain p,details.explain dd{max-width:60em}",
    "svg text{font:12px system-ui,sans-serif}",
    "svg .lifeline{stroke:#8c959f;stroke-dasharray:4 4}",
    "svg .actor{fill:#f6f8fa;stroke:#8c959f}",
    "svg .arrow{stroke-width:1.5}",
    "svg .ok{stroke:#1a7f37;fill:#1a7f37}svg .bad{stroke:#cf222e;fill:#cf222e}svg .meh{stroke:#9a6700;fill:#9a6700}svg .none{stroke:#8c959f;fill:#8c959f}",
    "@media print{body{max-width:none;padding:0}pre{max-height:none;overflow:visible}h2{break-after:avoid}.case{break-inside:avoid-page}}"
);

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

/// The CSS class of an outcome.
fn class(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Warn => "warn",
        Outcome::Skipped => "skipped",
        Outcome::Error => "error",
    }
}

/// The order cases are shown in: what needs attention first.
fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Fail => 0,
        Outcome::Error => 1,
        Outcome::Warn => 2,
        Outcome::Skipped => 3,
        Outcome::Pass => 4,
    }
}

/// Renders the report.
pub fn render(info: &RunInfo, results: &[CaseResult], a: &Assessment) -> String {
    let mut h = String::new();
    let verdict_class = match a.verdict {
        RunVerdict::Conformant => "pass",
        RunVerdict::Nonconformant => "fail",
        RunVerdict::Incomplete => "warn",
    };
    h.push_str(&format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>fedconform: {v} — {t}</title><style>{STYLE}</style></head><body>\n<h1 id=\"verdict\" class=\"{verdict_class}\">{headline}</h1>\n",
        v = a.verdict,
        t = esc(&info.target),
        headline = esc(&a.headline(info)),
    ));
    header(&mut h, info, a);
    not_evaluated(&mut h, info, a);
    root_causes(&mut h, a);
    failures(&mut h, results, a);
    diagrams(&mut h, info, results);
    matrix(&mut h, results, a);
    cases(&mut h, results);
    h.push_str("</body></html>\n");
    h
}

/// What the verdict was judged against.
fn header(h: &mut String, info: &RunInfo, a: &Assessment) {
    let s = &a.summary;
    let row = |k: &str, v: String| format!("<tr><th>{}</th><td>{v}</td></tr>", esc(k));
    h.push_str("<table class=\"meta\" id=\"run\">");
    h.push_str(&row(
        "target",
        format!("<strong>{}</strong>", esc(&info.target)),
    ));
    h.push_str(&row(
        "date",
        format!("{} → {}", esc(&info.started), esc(&info.finished)),
    ));
    h.push_str(&row(
        "harness",
        format!("fedconform {}", esc(&info.harness_version)),
    ));
    h.push_str(&row("flows claimed", esc(&info.flows_text())));
    h.push_str(&row(
        "suites",
        info.suites
            .iter()
            .map(|s| {
                format!(
                    "{} <code>{}</code> ({})",
                    esc(&s.name),
                    esc(&s.digest),
                    if s.builtin { "built-in" } else { "custom" }
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    ));
    h.push_str(&row(
        "strict",
        if info.strict {
            "yes: SHOULD failures fail"
        } else {
            "no"
        }
        .to_string(),
    ));
    h.push_str(&row(
        "certification",
        if a.certification {
            "yes".to_string()
        } else {
            format!("no: {}", esc(&info.not_certification.join("; ")))
        },
    ));
    if let Some(p) = &info.partition {
        h.push_str(&row(
            "partition",
            format!("{}:{}/{}", esc(&p.kind), p.shard, p.total),
        ));
    }
    h.push_str(&row(
        "deliberately failed logins",
        if info.failed_logins.is_empty() {
            "none".to_string()
        } else {
            esc(&info.failed_logins.join("; "))
        },
    ));
    h.push_str(&row(
        "cases",
        format!(
            "<span id=\"summary\">{}: {} pass, {} fail, {} warn, {} skipped, {} error · goldens: {} match, {} differ, {} new</span>",
            super::cases(s.total), s.pass, s.fail, s.warn, s.skipped, s.error, a.goldens.matched, a.goldens.mismatched, a.goldens.new
        ),
    ));
    h.push_str("</table>\n");
    if info.incomplete {
        h.push_str("<p id=\"incomplete\"><strong>Interrupted:</strong> only the cases finished before it are reported.</p>\n");
    }
}

fn not_evaluated(h: &mut String, info: &RunInfo, a: &Assessment) {
    let list = a.not_evaluated(info.strict);
    if list.is_empty() {
        return;
    }
    h.push_str("<h2>Not evaluated</h2>\n<p>A conformant verdict needs each of these in-scope requirements evaluated:</p><ul id=\"not-evaluated\">");
    for (reason, rs) in a.not_evaluated_by_reason(info.strict) {
        let ids: Vec<String> = rs
            .iter()
            .map(|r| format!("<strong>{}</strong> ({})", r.id, r.level))
            .collect();
        h.push_str(&format!("<li>{}: {}</li>", ids.join(", "), esc(&reason)));
    }
    h.push_str("</ul>\n");
}

fn root_causes(h: &mut String, a: &Assessment) {
    if a.root_causes.is_empty() {
        return;
    }
    h.push_str("<h2>Root causes</h2>\n<ul id=\"root-causes\">");
    for c in &a.root_causes {
        h.push_str(&format!(
            "<li>{} case(s) blocked by <strong>{}</strong>: {}<br><small>{}</small></li>",
            c.cases.len(),
            esc(&c.blocker.requirement),
            esc(&c.blocker.cause),
            c.cases
                .iter()
                .map(|id| format!("<a href=\"#{0}\">{0}</a>", esc(id)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    h.push_str("</ul>\n");
}

/// The requirements that failed or warned, with the cases that show it.
fn failures(h: &mut String, results: &[CaseResult], a: &Assessment) {
    let bad: Vec<_> = a
        .requirements
        .iter()
        .filter(|r| matches!(r.status, Status::Fail { .. } | Status::Warn))
        .collect();
    h.push_str("<h2>Failures and warnings</h2>\n");
    if bad.is_empty() {
        h.push_str("<p id=\"failures\">No requirement failed or warned.</p>\n");
        return;
    }
    h.push_str("<table id=\"failures\"><colgroup><col class=\"id\"><col class=\"word\"><col class=\"level\"><col></colgroup><tr><th>requirement</th><th>verdict</th><th>level</th><th>what was found</th></tr>\n");
    for r in bad {
        let title = requirements::find(&r.id).map(|q| q.title).unwrap_or("");
        let cases: Vec<String> = results
            .iter()
            .filter(|c| {
                c.requirements.contains(&r.id) && matches!(c.outcome, Outcome::Fail | Outcome::Warn)
            })
            .map(|c| {
                format!(
                    "<a href=\"#{}\"><code>{}</code></a>: {}",
                    esc(&c.id),
                    esc(&c.id),
                    esc(&c.message)
                )
            })
            .collect();
        let how_to_fix = crate::explain::entry(&r.id)
            .map(explain_block)
            .unwrap_or_default();
        h.push_str(&format!(
            "<tr id=\"fix-{id}\" data-failed-requirement=\"{id}\"><td>{id}</td><td class=\"{w}\">{w}</td><td>{}</td><td>{}<br>{}{how_to_fix}</td></tr>\n",
            r.level,
            esc(title),
            cases.join("<br>"),
            id = r.id,
            w = r.status.word(),
        ));
    }
    h.push_str("</table>\n");
}

/// One arrow pair of a sequence diagram: a request and its answer.
struct Arrow {
    lane: usize,
    request: String,
    response: String,
    anchor: String,
    status: &'static str,
}

/// The steps the Mac makes, in its order, for a flow.
fn flow_steps(flow: Flow) -> &'static [StepKind] {
    match flow {
        // The preauthentication, the MEX, the login; then the login with a wrong password, as
        // when the user mistypes it.
        Flow::PlatformSso => &[
            StepKind::PreauthFederatedCustom,
            StepKind::PreauthFederated,
            StepKind::Mex,
            StepKind::Login,
            StepKind::LoginWrongPassword,
            StepKind::LoginUnknownUser,
        ],
        Flow::WsFederation => &[StepKind::WsfedMetadata, StepKind::WsfedSignin],
    }
}

fn short_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let mut p = u.path().to_string();
            if let Some(q) = u.query() {
                p.push('?');
                p.push_str(q);
            }
            p
        }
        Err(_) => url.to_string(),
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// The exchanges of a case's transcript, in order: the earlier ones, then the last.
fn transcript_exchanges(t: &Value) -> Vec<&Value> {
    let mut v: Vec<&Value> = t["earlier"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if t.is_object() {
        v.push(t);
    }
    v
}

/// Per flow the target claims, a sequence diagram of the exchanges as the Mac made them.
fn diagrams(h: &mut String, info: &RunInfo, results: &[CaseResult]) {
    h.push_str("<h2>Sequence diagrams</h2>\n");
    for &flow in &info.flows {
        let mut lanes: Vec<String> = Vec::new();
        let mut arrows: Vec<Arrow> = Vec::new();
        let mut seen_preauth = false;
        for &step in flow_steps(flow) {
            let on_step: Vec<&CaseResult> = results.iter().filter(|r| r.step == step).collect();
            let Some(first) = on_step.iter().find(|r| r.transcript.is_some()) else {
                continue;
            };
            // macOS makes one preauthentication request: the one with custom values when the
            // target has them.
            if matches!(
                step,
                StepKind::PreauthFederatedCustom | StepKind::PreauthFederated
            ) {
                if seen_preauth {
                    continue;
                }
                seen_preauth = true;
            }
            let worst = on_step
                .iter()
                .map(|r| r.outcome)
                .min_by_key(|o| rank(*o))
                .unwrap_or(Outcome::Pass);
            let status = match worst {
                Outcome::Pass => "ok",
                Outcome::Fail | Outcome::Error => "bad",
                Outcome::Warn => "meh",
                Outcome::Skipped => "none",
            };
            let Some(t) = &first.transcript else { continue };
            for (i, ex) in transcript_exchanges(t).into_iter().enumerate() {
                let url = ex["url"].as_str().unwrap_or_default();
                let o = crate::flow::origin(url);
                let lane = match lanes.iter().position(|l| *l == o) {
                    Some(p) => p,
                    None => {
                        lanes.push(o);
                        lanes.len() - 1
                    }
                };
                let answer = match (ex["status"].as_u64(), ex["failure"].as_str()) {
                    (Some(s), None) => format!("HTTP {s}"),
                    (Some(s), Some(f)) => format!("HTTP {s}: {f}"),
                    (None, Some(f)) => f.to_string(),
                    (None, None) => "no answer".into(),
                };
                arrows.push(Arrow {
                    lane,
                    request: format!(
                        "{} {} {}",
                        step,
                        ex["method"].as_str().unwrap_or(""),
                        short_url(url)
                    ),
                    response: answer,
                    anchor: format!("{}-ex{i}", first.id),
                    status,
                });
            }
        }
        h.push_str(&format!("<h3>{}</h3>\n", esc(flow.name())));
        if arrows.is_empty() {
            h.push_str("<p>No exchange of this flow was made.</p>\n");
            continue;
        }
        h.push_str(&svg(&lanes, &arrows, flow));
    }
}

/// An SVG sequence diagram: the Mac on the left, one lifeline per IdP origin.
fn svg(lanes: &[String], arrows: &[Arrow], flow: Flow) -> String {
    let width = 1200.0_f64;
    let mac_x = 90.0;
    let span = (width - mac_x - 100.0) / lanes.len().max(1) as f64;
    let lane_x = |i: usize| mac_x + span * (i as f64 + 1.0);
    let row = 46.0;
    let top = 50.0;
    let height = top + row * arrows.len() as f64 + 20.0;
    // Ids are unique in the page: each diagram has its own arrow head.
    let name = match flow {
        Flow::PlatformSso => "psso",
        Flow::WsFederation => "wsfed",
    };
    let head = format!("head-{name}");
    let mut s = format!(
        "<svg id=\"sequence-{name}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"sequence of exchanges\">"
    );
    s.push_str("<defs><marker id=\"");
    s.push_str(&head);
    s.push_str("\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"context-stroke\"/></marker></defs>");
    let actor = |x: f64, label: &str| {
        format!(
            "<rect class=\"actor\" x=\"{}\" y=\"8\" width=\"170\" height=\"26\" rx=\"4\"/><text x=\"{x}\" y=\"25\" text-anchor=\"middle\">{}</text><line class=\"lifeline\" x1=\"{x}\" y1=\"34\" x2=\"{x}\" y2=\"{}\"/>",
            x - 85.0,
            esc(&clip(label, 28)),
            height - 5.0
        )
    };
    s.push_str(&actor(mac_x, "Mac (fedconform)"));
    for (i, l) in lanes.iter().enumerate() {
        s.push_str(&actor(lane_x(i), l));
    }
    for (i, a) in arrows.iter().enumerate() {
        let y = top + row * i as f64 + 12.0;
        let x2 = lane_x(a.lane);
        s.push_str(&format!(
            "<a href=\"#{anchor}\" class=\"step {st}\" data-status=\"{st}\"><line class=\"arrow {st}\" x1=\"{mac_x}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" marker-end=\"url(#{head})\"/><text class=\"{st}\" x=\"{tx}\" y=\"{ty}\" stroke=\"none\">{req}</text><line class=\"arrow {st}\" x1=\"{x2}\" y1=\"{y2}\" x2=\"{mac_x}\" y2=\"{y2}\" stroke-dasharray=\"5 3\" marker-end=\"url(#{head})\"/><text class=\"{st}\" x=\"{tx}\" y=\"{ty2}\" stroke=\"none\">{resp}{mark}</text></a>",
            anchor = esc(&a.anchor),
            st = a.status,
            y2 = y + 18.0,
            tx = mac_x + 8.0,
            ty = y - 4.0,
            ty2 = y + 14.0,
            req = esc(&clip(&a.request, 110)),
            resp = esc(&clip(&a.response, 110)),
            mark = if a.status == "bad" { " ✗ failing step" } else { "" },
        ));
    }
    s.push_str("</svg>\n");
    s
}

/// Every requirement of the catalogue with its verdict and the cases that cite it.
fn matrix(h: &mut String, results: &[CaseResult], a: &Assessment) {
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
    h.push_str("<h2>Requirements</h2>\n<table id=\"coverage\"><colgroup><col class=\"id\"><col class=\"level\"><col class=\"level\"><col><col class=\"word\"><col></colgroup><tr><th>requirement</th><th>level</th><th>profile</th><th>title</th><th>verdict</th><th>cases</th></tr>\n");
    for req in requirements::CATALOGUE {
        let cases = by_req.get(req.id).map(Vec::as_slice).unwrap_or(&[]);
        let cells = if cases.is_empty() {
            "<td class=\"skipped\">no case ran</td>".to_string()
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
        // The explanation itself is in the failures table; the matrix points at it.
        let how_to_fix = match verdicts.get(req.id) {
            Some(Status::Fail { .. } | Status::Warn) if crate::explain::entry(req.id).is_some() => {
                format!(
                    "<br><small><a href=\"#fix-{0}\">how to fix {0}</a></small>",
                    req.id
                )
            }
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
    h.push_str("</table>\n");
}

fn pretty_body(text: &str) -> String {
    if text.trim().is_empty() {
        return "(empty)".into();
    }
    let r = crate::redact::Redactor::new();
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') || trimmed.starts_with('{') || trimmed.starts_with('[') {
        crate::golden::normalise_body(text.as_bytes(), &r)
    } else {
        text.to_string()
    }
}

fn header_table(headers: &Value) -> String {
    let rows: Vec<String> = headers
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_array())
        .map(|p| {
            format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td></tr>",
                esc(p.first().and_then(Value::as_str).unwrap_or("")),
                esc(p.get(1).and_then(Value::as_str).unwrap_or(""))
            )
        })
        .collect();
    if rows.is_empty() {
        return "<p><small>no headers</small></p>".into();
    }
    format!("<table class=\"headers\">{}</table>", rows.join(""))
}

/// One exchange as a request and a response side by side.
fn exchange(id: &str, i: usize, ex: &Value) -> String {
    let url = ex["url"].as_str().unwrap_or_default();
    let status = match (ex["status"].as_u64(), ex["failure"].as_str()) {
        (Some(s), None) => format!("HTTP {s}"),
        (Some(s), Some(f)) => format!("HTTP {s} — {f}"),
        (None, Some(f)) => format!("no answer — {f}"),
        (None, None) => "no answer".into(),
    };
    let hops: Vec<String> = ex["hops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| format!("{} → {}", h["status"], h["location"].as_str().unwrap_or("")))
        .collect();
    format!(
        "<div class=\"exchange\" id=\"{anchor}\"><div class=\"request\"><h4>{method} <code>{url}</code></h4>{rh}<pre class=\"body\">{rb}</pre></div><div class=\"response\"><h4>{status} <small>({ms} ms)</small></h4>{hops}{sh}<pre class=\"body\">{sb}</pre></div></div>",
        anchor = esc(&format!("{id}-ex{i}")),
        method = esc(ex["method"].as_str().unwrap_or("")),
        url = esc(url),
        rh = header_table(&ex["request_headers"]),
        rb = esc(&ex["request_body"]
            .as_str()
            .map(pretty_body)
            .unwrap_or_else(|| "(no body)".into())),
        status = esc(&status),
        ms = ex["elapsed_ms"],
        hops = if hops.is_empty() {
            String::new()
        } else {
            format!("<p><small>redirects: {}</small></p>", esc(&hops.join("; ")))
        },
        sh = header_table(&ex["response_headers"]),
        sb = esc(&pretty_body(ex["body"].as_str().unwrap_or(""))),
    )
}

/// Every case, what needs attention first: findings, notes, exchanges, golden diff.
fn cases(h: &mut String, results: &[CaseResult]) {
    let mut ordered: Vec<&CaseResult> = results.iter().collect();
    ordered.sort_by_key(|r| (rank(r.outcome), r.index));
    h.push_str("<h2>Cases</h2>\n<table id=\"cases\"><colgroup><col style=\"width:22em\"><col class=\"id\"><col class=\"level\"><col class=\"word\"><col></colgroup><tr><th>case</th><th>requirements</th><th>level</th><th>outcome</th><th>evidence</th></tr>\n");
    for r in ordered {
        let attention = !matches!(r.outcome, Outcome::Pass | Outcome::Skipped);
        let mut evidence = format!("<div>{}</div>", esc(&r.message));
        for n in &r.notes {
            evidence.push_str(&format!("<div class=\"note\">note: {}</div>", esc(n)));
        }
        if !r.findings.is_empty() {
            evidence.push_str(&format!(
                "<details{}><summary>findings</summary><ul>",
                if attention { " open" } else { "" }
            ));
            for f in &r.findings {
                let result = serde_json::to_value(&f.result)
                    .ok()
                    .and_then(|v| v.get("result").and_then(|x| x.as_str().map(String::from)))
                    .unwrap_or_default();
                let at =
                    f.at.as_ref()
                        .map(|p| format!(" <small>({})</small>", esc(&p.to_string())))
                        .unwrap_or_default();
                evidence.push_str(&format!(
                    "<li><code>{}</code> {}{at}: expected {}; got {}</li>",
                    esc(&f.key),
                    esc(&result),
                    esc(&f.expected),
                    esc(&f.actual)
                ));
            }
            evidence.push_str("</ul></details>");
        }
        if let Some(t) = &r.transcript {
            let exchanges = transcript_exchanges(t);
            evidence.push_str(&format!(
                "<details{}><summary>{} exchange(s), redacted</summary>{}</details>",
                if attention { " open" } else { "" },
                exchanges.len(),
                exchanges
                    .iter()
                    .enumerate()
                    .map(|(i, ex)| exchange(&r.id, i, ex))
                    .collect::<String>()
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
            "<tr class=\"case\" id=\"{id}\" data-outcome=\"{o}\"><td><code>{id}</code></td><td>{}</td><td>{}</td><td class=\"{c}\">{o}</td><td>{evidence}</td></tr>\n",
            esc(&r.requirements.join(", ")),
            r.level,
            id = esc(&r.id),
            o = r.outcome,
            c = class(r.outcome),
        ));
    }
    h.push_str("</table>\n");
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
