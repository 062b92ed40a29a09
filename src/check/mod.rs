//! Checks: a case's expectations against a step's observation, giving a verdict (DESIGN.md).

use crate::flow::keypath::KeyPath;
use crate::flow::mex::MexAnalysis;
use crate::flow::preauth::{PreauthAnalysis, with_login_placeholder};
use crate::http::{Exchange, Failure};
use crate::requirements::{self, Level};
use crate::steps::{LoginObservation, PreauthObservation, StepOutput};
use crate::suite::{CaseDef, Expect, Family};
use serde::Serialize;
use std::fmt;

mod wsfed;

/// A case's outcome (JSON report `outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every expectation holds.
    Pass,
    /// A MUST expectation (or, under `--strict`, a SHOULD one) does not hold.
    Fail,
    /// A SHOULD or INFO expectation does not hold, or a MUST one that SPEC.md makes a warning.
    Warn,
    /// Not checked: not applicable, or a prerequisite failed.
    Skipped,
    /// The harness or the network failed, not the IdP.
    Error,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Skipped => "skipped",
            Outcome::Error => "error",
        })
    }
}

/// The result of one expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "reason", rename_all = "lowercase")]
pub enum CheckResult {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Does not hold, but SPEC.md makes this a warning.
    Warn,
    /// Could not be checked.
    Skip(String),
    /// The network or the harness failed.
    Error(String),
}

/// One expectation's finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The expectation key (`status`, `predicate`, …).
    pub expectation: &'static str,
    /// Result.
    #[serde(flatten)]
    pub result: CheckResult,
    /// What was expected.
    pub expected: String,
    /// What was observed.
    pub actual: String,
}

/// A case's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Outcome.
    pub outcome: Outcome,
    /// The strictest level of the case's requirements.
    pub level: Level,
    /// One-line message: what failed, or what was found.
    pub message: String,
    /// Every expectation's finding.
    pub findings: Vec<Finding>,
}

fn finding(
    expectation: &'static str,
    result: CheckResult,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> Finding {
    Finding {
        expectation,
        result,
        expected: expected.into(),
        actual: actual.into(),
    }
}

fn pass_if(ok: bool) -> CheckResult {
    if ok {
        CheckResult::Pass
    } else {
        CheckResult::Fail
    }
}

fn no_answer(f: &Failure) -> CheckResult {
    match f {
        Failure::Connect { .. } | Failure::Timeout { .. } => CheckResult::Error(f.describe()),
        // A redirect loop is the endpoint's answer, and a wrong one.
        Failure::TooManyRedirects => CheckResult::Fail,
        _ => CheckResult::Skip(format!("no answer: {}", f.describe())),
    }
}

/// True when the endpoint answered, but with nothing usable: a redirect loop, a body over the cap,
/// broken HTTP (a reset mid-body, a header too large). The IdP's fault, not the network's.
fn unusable_answer(f: &Failure) -> bool {
    matches!(
        f,
        Failure::TooManyRedirects | Failure::BodyTooLarge { .. } | Failure::Protocol { .. }
    )
}

/// The expectation of each step family that an unusable answer fails (the others are skipped
/// with it as their prerequisite, so that one broken endpoint fails one requirement).
const DOCUMENT_KEYS: [&str; 4] = ["json_object", "wsdl", "soap_envelope", "entity_descriptor"];

/// Judges TLS-1 and TLS-2 on an exchange.
fn transport(key: &'static str, ex: &Exchange) -> Finding {
    let f = ex.failure.as_ref();
    match key {
        "valid_certificate" => match f {
            Some(Failure::Tls { detail }) => finding(
                key,
                CheckResult::Fail,
                "an https endpoint with a certificate valid for the host",
                format!("TLS failed: {detail}"),
            ),
            Some(Failure::NotHttps { url }) => finding(
                key,
                CheckResult::Fail,
                "an https endpoint",
                format!("{url} is not https"),
            ),
            Some(e @ (Failure::Connect { .. } | Failure::Timeout { .. })) => finding(
                key,
                CheckResult::Error(e.describe()),
                "a TLS handshake",
                "no connection",
            ),
            _ => finding(
                key,
                CheckResult::Pass,
                "an https endpoint with a valid certificate",
                format!("TLS to {} verified", ex.final_url),
            ),
        },
        _ => match f {
            Some(Failure::RedirectToHttp { from, location }) => finding(
                key,
                CheckResult::Fail,
                "no redirect to http",
                format!("{from} redirected to {location}"),
            ),
            Some(Failure::RedirectRefused { location }) => finding(
                key,
                CheckResult::Fail,
                "no redirect at all",
                format!("redirected to {location}"),
            ),
            Some(e) if ex.status.is_none() => {
                finding(key, no_answer(e), "no redirect to http", "no answer")
            }
            _ => finding(
                key,
                CheckResult::Pass,
                "no redirect to http",
                format!("{} redirect(s), all https", ex.hops.len()),
            ),
        },
    }
}

/// The final answer's status, unless the exchange ended before one (a refused redirect's 3xx is
/// not the endpoint's answer).
fn final_status(ex: &Exchange) -> Result<u16, CheckResult> {
    match (&ex.failure, ex.status) {
        (
            None | Some(Failure::BodyTooLarge { .. }) | Some(Failure::Protocol { .. }),
            Some(code),
        ) => Ok(code),
        (Some(f), _) => Err(no_answer(f)),
        (None, None) => Err(CheckResult::Skip("no answer".into())),
    }
}

fn status_and_type(e: &Expect, ex: &Exchange, out: &mut Vec<Finding>) {
    if let Some(s) = e.status {
        match final_status(ex) {
            Ok(code) => out.push(finding(
                "status",
                pass_if(s.accepts(code)),
                format!("HTTP {s}"),
                format!("HTTP {code}"),
            )),
            Err(why) => out.push(finding("status", why, format!("HTTP {s}"), "no answer")),
        }
    }
    if let Some(ct) = &e.content_type {
        let actual = ex.media_type();
        let ok = actual.as_deref() == Some(ct.to_ascii_lowercase().as_str());
        let result = match final_status(ex) {
            Ok(_) => pass_if(ok),
            Err(why) => why,
        };
        out.push(finding(
            "content_type",
            result,
            format!("Content-Type {ct}"),
            actual
                .map(|a| format!("Content-Type {a}"))
                .unwrap_or_else(|| "no Content-Type".into()),
        ));
    }
}

/// Without an answer, every body expectation of the family gets the exchange's failure; an
/// unusable answer fails the family's document expectation and is the others' prerequisite.
fn no_answer_findings(e: &Expect, ex: &Exchange, family: Family, out: &mut Vec<Finding>) {
    let why = ex
        .failure
        .as_ref()
        .map(no_answer)
        .unwrap_or(CheckResult::Skip("no answer".into()));
    for (key, families) in e.keys() {
        if !families.contains(&family) || Expect::is_transport_key(key) {
            continue;
        }
        match ex.failure.as_ref().filter(|f| unusable_answer(f)) {
            Some(f) if DOCUMENT_KEYS.contains(&key) => out.push(finding(
                key,
                CheckResult::Fail,
                "a whole answer",
                f.describe(),
            )),
            Some(f) => out.push(finding(
                key,
                CheckResult::Skip(format!("prerequisite: no usable answer ({})", f.describe())),
                "an answer",
                "none",
            )),
            None => out.push(finding(key, why.clone(), "an answer", "none")),
        }
    }
}

fn preauth_findings(
    e: &Expect,
    p: &PreauthObservation,
    other: Option<&StepOutput>,
    out: &mut Vec<Finding>,
) {
    let Some(a) = &p.analysis else {
        no_answer_findings(e, &p.exchange, Family::Preauth, out);
        return;
    };
    let not_object = || {
        CheckResult::Skip(format!(
            "prerequisite PRE-2: {}",
            a.json_error.clone().unwrap_or_default()
        ))
    };
    if let Some(want) = e.json_object {
        let got = a.json_error.is_none();
        out.push(finding(
            "json_object",
            pass_if(got == want),
            if want {
                "a JSON object"
            } else {
                "not a JSON object"
            },
            a.json_error
                .clone()
                .unwrap_or_else(|| "a JSON object".into()),
        ));
    }
    if let Some(want) = e.predicate {
        match a.predicate {
            Some(got) => out.push(finding(
                "predicate",
                pass_if(got == want),
                format!("federationPredicate evaluates {want}"),
                format!("it evaluates {got}"),
            )),
            None => out.push(finding(
                "predicate",
                not_object(),
                format!("federationPredicate evaluates {want}"),
                "nothing to evaluate",
            )),
        }
    }
    if let Some(want) = e.mex_url_https {
        match &a.mex_url {
            Some(m) => {
                let actual = match &m.url {
                    Ok(u) => format!("{} = {u}", m.keypath),
                    Err(why) => format!("{} is {why}", m.keypath),
                };
                out.push(finding(
                    "mex_url_https",
                    pass_if(m.url.is_ok() == want),
                    "an absolute https MEX URL at the key path",
                    actual,
                ));
            }
            None => out.push(finding(
                "mex_url_https",
                not_object(),
                "an absolute https MEX URL",
                "no JSON object",
            )),
        }
    }
    if let Some(fields) = &e.fields_present {
        match a.json.as_ref().filter(|j| j.is_object()) {
            Some(j) => {
                let missing: Vec<&String> = fields
                    .iter()
                    .filter(|f| {
                        KeyPath::parse(f)
                            .ok()
                            .and_then(|k| k.get(j).cloned())
                            .is_none()
                    })
                    .collect();
                let actual = if missing.is_empty() {
                    "all present".to_string()
                } else {
                    format!(
                        "missing: {}",
                        missing
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                out.push(finding(
                    "fields_present",
                    pass_if(missing.is_empty()),
                    format!("fields {}", fields.join(", ")),
                    actual,
                ));
            }
            None => out.push(finding(
                "fields_present",
                not_object(),
                format!("fields {}", fields.join(", ")),
                "no JSON object",
            )),
        }
    }
    for (key, other_step) in [
        ("same_json_as", e.same_json_as),
        ("same_outcome_as", e.same_outcome_as),
    ] {
        let Some(other_step) = other_step else {
            continue;
        };
        let q = match other {
            Some(StepOutput::Preauth(q)) => q,
            Some(StepOutput::NotRun { reason }) => {
                out.push(finding(
                    key,
                    CheckResult::Skip(format!("step {other_step} did not run: {reason}")),
                    "",
                    "",
                ));
                continue;
            }
            _ => {
                out.push(finding(
                    key,
                    CheckResult::Skip(format!("step {other_step} gave no answer")),
                    "",
                    "",
                ));
                continue;
            }
        };
        let Some(b) = &q.analysis else {
            out.push(finding(
                key,
                CheckResult::Skip(format!("step {other_step} gave no answer")),
                "",
                "",
            ));
            continue;
        };
        if key == "same_json_as" {
            let mine = comparable_json(p, a);
            let theirs = comparable_json(q, b);
            out.push(finding(
                key,
                pass_if(mine == theirs),
                format!(
                    "the same answer as {other_step} (login names replaced by {{login}}): {theirs}"
                ),
                mine,
            ));
        } else {
            let mine = outcome_summary(&p.exchange, a);
            let theirs = outcome_summary(&q.exchange, b);
            out.push(finding(
                key,
                pass_if(mine == theirs),
                format!("the same outcome as {other_step}: {theirs}"),
                mine,
            ));
        }
    }
}

fn comparable_json(p: &PreauthObservation, a: &PreauthAnalysis) -> String {
    let status = p.exchange.status.map(|s| s / 100).unwrap_or(0);
    match &a.json {
        Some(j) => format!("{status}xx {}", with_login_placeholder(j, &p.login)),
        None => format!(
            "{status}xx {}",
            String::from_utf8_lossy(&p.exchange.body).replace(&p.login, "{login}")
        ),
    }
}

fn outcome_summary(ex: &Exchange, a: &PreauthAnalysis) -> String {
    let status = ex
        .status
        .map(|s| format!("{}xx", s / 100))
        .unwrap_or_else(|| "no status".into());
    let pred = a
        .predicate
        .map(|p| p.to_string())
        .unwrap_or_else(|| "no predicate result".into());
    let url = a
        .mex_url
        .as_ref()
        .and_then(|m| m.url.as_ref().ok().cloned())
        .unwrap_or_else(|| "no MEX URL".into());
    format!("HTTP {status}, predicate {pred}, MEX URL {url}")
}

fn mex_findings(e: &Expect, a: Option<&MexAnalysis>, ex: &Exchange, out: &mut Vec<Finding>) {
    let Some(a) = a else {
        no_answer_findings(e, ex, Family::Mex, out);
        return;
    };
    let wsdl_ok = a.parse_error.is_none() && a.definitions > 0;
    let wsdl_actual = match &a.parse_error {
        Some(pe) => format!("not well-formed XML at {pe}"),
        None if a.definitions == 0 => "well-formed XML without a wsdl:definitions element".into(),
        None => format!("{} wsdl:definitions element(s)", a.definitions),
    };
    if let Some(want) = e.wsdl {
        out.push(finding(
            "wsdl",
            pass_if(wsdl_ok == want),
            "well-formed XML containing wsdl:definitions",
            wsdl_actual.clone(),
        ));
    }
    let prereq = |key: &'static str, out: &mut Vec<Finding>| -> bool {
        if !wsdl_ok {
            out.push(finding(
                key,
                CheckResult::Skip(format!("prerequisite MEX-2: {wsdl_actual}")),
                "",
                "",
            ));
        }
        wsdl_ok
    };
    let sel = a.selected.as_ref();
    let sel_text = sel
        .map(|s| {
            format!(
                "WS-Trust {} at {:?} (port {})",
                s.version, s.address, s.port
            )
        })
        .unwrap_or_else(|| "no endpoint".into());
    let need_sel = |key: &'static str, out: &mut Vec<Finding>| -> bool {
        if sel.is_none() {
            out.push(finding(
                key,
                CheckResult::Skip("prerequisite MEX-3: no endpoint selected".into()),
                "",
                "",
            ));
        }
        sel.is_some()
    };
    if let Some(want) = e.endpoint_selected
        && prereq("endpoint_selected", out)
    {
        let why: Vec<String> = a
            .endpoints
            .iter()
            .map(|ep| format!("{} {}: {}", ep.version, ep.binding, ep.reasons.join(", ")))
            .collect();
        let actual = if sel.is_some() {
            format!("macOS selects {sel_text}")
        } else if why.is_empty() {
            "no username endpoint is advertised".into()
        } else {
            format!("no usable endpoint ({})", why.join("; "))
        };
        out.push(finding(
            "endpoint_selected",
            pass_if(sel.is_some() == want),
            "a username/password endpoint macOS can use",
            actual,
        ));
    }
    if let Some(v) = e.preferred_version
        && prereq("preferred_version", out)
        && need_sel("preferred_version", out)
    {
        out.push(finding(
            "preferred_version",
            pass_if(sel.map(|s| s.version) == Some(v)),
            format!("macOS selects WS-Trust {v}"),
            format!("macOS selects {sel_text}"),
        ));
    }
    if let Some(v) = e.also_advertises
        && prereq("also_advertises", out)
        && need_sel("also_advertises", out)
    {
        let found = a.endpoints.iter().find(|ep| ep.usable && ep.version == v);
        out.push(finding(
            "also_advertises",
            pass_if(found.is_some()),
            format!("a usable WS-Trust {v} username endpoint"),
            found
                .map(|ep| {
                    format!(
                        "{} at {:?}",
                        ep.binding,
                        ep.address.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_else(|| "none".into()),
        ));
    }
    if e.https_only.is_some() && prereq("https_only", out) {
        let http: Vec<String> = a
            .endpoints
            .iter()
            .filter(|ep| ep.http_only_problem)
            .map(|ep| {
                format!(
                    "{} at {:?}",
                    ep.binding,
                    ep.address.clone().unwrap_or_default()
                )
            })
            .collect();
        let result = if http.is_empty() {
            CheckResult::Pass
        } else if sel.is_none() {
            CheckResult::Fail
        } else {
            CheckResult::Warn
        };
        let actual = if http.is_empty() {
            format!("every username endpoint is https; selected {sel_text}")
        } else {
            format!("http username endpoint(s): {}", http.join("; "))
        };
        out.push(finding(
            "https_only",
            result,
            "no username endpoint at an http address",
            actual,
        ));
    }
    if e.no_password_digest.is_some()
        && prereq("no_password_digest", out)
        && need_sel("no_password_digest", out)
    {
        let selected_hash = a.selected_endpoint().is_some_and(|ep| ep.hash_password);
        let others: Vec<&str> = a
            .endpoints
            .iter()
            .filter(|ep| !ep.selected && ep.hash_password)
            .map(|ep| ep.binding.as_str())
            .collect();
        let result = if selected_hash {
            CheckResult::Fail
        } else if others.is_empty() {
            CheckResult::Pass
        } else {
            CheckResult::Warn
        };
        let actual = if selected_hash {
            format!(
                "the selected policy {} requires sp:HashPassword",
                sel.map(|s| s.policy_id.as_str()).unwrap_or("")
            )
        } else if others.is_empty() {
            "no username policy requires a digest".into()
        } else {
            format!(
                "other endpoints require sp:HashPassword: {}",
                others.join(", ")
            )
        };
        out.push(finding(
            "no_password_digest",
            result,
            "no sp:HashPassword (macOS sends PasswordText)",
            actual,
        ));
    }
    if e.clean_address.is_some() && prereq("clean_address", out) && need_sel("clean_address", out) {
        let addr = sel.map(|s| s.address.as_str()).unwrap_or("");
        let location = a
            .selected_endpoint()
            .and_then(|ep| ep.soap12_location.clone());
        let (result, actual) = if addr.trim() != addr {
            (
                CheckResult::Fail,
                format!("{addr:?} has surrounding whitespace"),
            )
        } else {
            match url::Url::parse(addr) {
                Err(err) => (CheckResult::Fail, format!("{addr:?} does not parse: {err}")),
                Ok(u) if u.host().is_none() => (CheckResult::Fail, format!("{addr:?} has no host")),
                Ok(_) => match &location {
                    Some(l) if l.trim() != addr => (
                        CheckResult::Warn,
                        format!("{addr:?} differs from soap12:address {l:?}"),
                    ),
                    None => (
                        CheckResult::Warn,
                        format!("{addr:?}; the port has no soap12:address"),
                    ),
                    _ => (
                        CheckResult::Pass,
                        format!("{addr:?}, equal to soap12:address"),
                    ),
                },
            }
        };
        out.push(finding(
            "clean_address",
            result,
            "a clean absolute URL equal to soap12:address/@location",
            actual,
        ));
    }
    if e.transport_binding.is_some() && prereq("transport_binding", out) {
        if a.endpoints.is_empty() {
            out.push(finding(
                "transport_binding",
                CheckResult::Skip("no username endpoint".into()),
                "",
                "",
            ));
        } else {
            let lacking: Vec<&str> = a
                .endpoints
                .iter()
                .filter(|ep| !ep.transport_binding)
                .map(|ep| ep.binding.as_str())
                .collect();
            out.push(finding(
                "transport_binding",
                pass_if(lacking.is_empty()),
                "sp:TransportBinding in every username policy",
                if lacking.is_empty() {
                    "present".to_string()
                } else {
                    format!("absent for {}", lacking.join(", "))
                },
            ));
        }
    }
    if e.inventory_consistent.is_some() && prereq("inventory_consistent", out) {
        let actual = if a.dangling.is_empty() {
            format!(
                "{} policies, {} bindings, {} ports, all references resolve",
                a.policies.len(),
                a.bindings.len(),
                a.ports.len()
            )
        } else {
            a.dangling.join("; ")
        };
        out.push(finding(
            "inventory_consistent",
            pass_if(a.dangling.is_empty()),
            "every reference resolves",
            actual,
        ));
    }
}

/// TLS-1, TLS-2, status and content type on a step's single exchange.
fn exchange_findings(e: &Expect, ex: &Exchange, out: &mut Vec<Finding>) {
    if e.valid_certificate.is_some() {
        out.push(transport("valid_certificate", ex));
    }
    if e.no_http_redirect.is_some() {
        out.push(transport("no_http_redirect", ex));
    }
    status_and_type(e, ex, out);
}

/// Judges a case. `other` is the step a `same_*_as` expectation compares with.
pub fn judge(
    case: &CaseDef,
    main: &StepOutput,
    other: Option<&StepOutput>,
    strict: bool,
) -> Verdict {
    let level = requirements::strictest(case.requirements.iter().map(String::as_str));
    let e = &case.expect;
    let mut out = Vec::new();
    match main {
        StepOutput::NotRun { reason } => {
            return Verdict {
                outcome: Outcome::Skipped,
                level,
                message: format!("step {} did not run: {reason}", case.step),
                findings: Vec::new(),
            };
        }
        StepOutput::Preauth(p) => {
            exchange_findings(e, &p.exchange, &mut out);
            preauth_findings(e, p, other, &mut out);
        }
        StepOutput::Mex(m) => {
            exchange_findings(e, &m.exchange, &mut out);
            mex_findings(e, m.analysis.as_ref(), &m.exchange, &mut out);
        }
        StepOutput::Login(l) => {
            exchange_findings(e, &l.exchange, &mut out);
            login_findings(e, l, other, &mut out);
        }
        StepOutput::WsfedMetadata(m) => {
            exchange_findings(e, &m.exchange, &mut out);
            wsfed::metadata_findings(e, m, other, &mut out);
        }
        StepOutput::Wsfed(w) => {
            if let Some(first) = w.exchanges.first()
                && e.valid_certificate.is_some()
            {
                out.push(transport("valid_certificate", first));
            }
            if let Some(last) = w.last() {
                if e.no_http_redirect.is_some() {
                    out.push(transport("no_http_redirect", last));
                }
                status_and_type(e, last, &mut out);
            }
            wsfed::signin_findings(e, w, other, &mut out);
        }
    }
    verdict(level, out, strict)
}

/// The outcome of a login, as WST-10…12 compare them: status, token issued, fault subcode.
fn login_outcome(l: &LoginObservation) -> String {
    match &l.analysis {
        None => format!(
            "no answer ({})",
            l.exchange
                .failure
                .as_ref()
                .map(|f| f.describe())
                .unwrap_or_default()
        ),
        Some(a) => {
            let status = l
                .exchange
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "none".into());
            let token = if a.assertion.is_some() {
                "a token"
            } else {
                "no token"
            };
            let fault = a
                .fault
                .as_ref()
                .map(|f| {
                    format!(
                        ", fault {}",
                        f.subcode
                            .clone()
                            .or(f.code.clone())
                            .unwrap_or_default()
                            .trim()
                    )
                })
                .unwrap_or_default();
            format!("HTTP {status}, {token}{fault}")
        }
    }
}

fn fmt_instant(i: &Option<crate::flow::wstrust::Instant>) -> String {
    i.as_ref()
        .map(|x| x.text.trim().to_string())
        .unwrap_or_else(|| "absent".into())
}

/// Judges WST-1…WST-15 expectations on a login observation. Times are judged against when the
/// answer arrived, with macOS's 120 s window.
pub fn login_findings(
    e: &Expect,
    l: &LoginObservation,
    other: Option<&StepOutput>,
    out: &mut Vec<Finding>,
) {
    use crate::flow::wstrust::{FRESHNESS_SECONDS, Shape, expected_assertion_kind};
    let Some(a) = &l.analysis else {
        no_answer_findings(e, &l.exchange, Family::Login, out);
        return;
    };
    let now = l.sent_at + chrono::Duration::milliseconds(l.exchange.elapsed_ms as i64);
    let skew = chrono::Duration::seconds(FRESHNESS_SECONDS);
    let status = l.exchange.status.unwrap_or(0);
    let not_xml = a
        .parse_error
        .as_ref()
        .map(|p| format!("prerequisite WST-1: the answer is not XML ({p})"));
    let fault_text = a.fault.as_ref().map(|f| {
        format!(
            "a SOAP fault ({})",
            f.subcode
                .clone()
                .or(f.code.clone())
                .unwrap_or_default()
                .trim()
        )
    });
    let prereq = |key: &'static str, out: &mut Vec<Finding>| -> bool {
        if let Some(why) = &not_xml {
            out.push(finding(key, CheckResult::Skip(why.clone()), "", ""));
            return false;
        }
        true
    };
    if let Some(want) = e.soap_envelope {
        let ok = status == 200 && a.soap12_envelope && a.parse_error.is_none();
        let actual = match &a.parse_error {
            Some(p) => format!("HTTP {status}, not XML: {p}"),
            None if !a.soap12_envelope => format!("HTTP {status}, not a SOAP 1.2 envelope"),
            None => format!(
                "HTTP {status}, SOAP 1.2 envelope{}",
                fault_text
                    .as_ref()
                    .map(|f| format!(" holding {f}"))
                    .unwrap_or_default()
            ),
        };
        out.push(finding(
            "soap_envelope",
            pass_if(ok == want),
            "HTTP 200 and a SOAP 1.2 envelope",
            actual,
        ));
    }
    if e.nonce_echo.is_some() && prereq("nonce_echo", out) {
        let ok = a.relates_to.as_deref() == Some(l.nonce.as_str());
        out.push(finding(
            "nonce_echo",
            pass_if(ok),
            format!("a:RelatesTo = {}", l.nonce),
            a.relates_to
                .clone()
                .map(|r| format!("a:RelatesTo = {r}"))
                .unwrap_or_else(|| "no a:RelatesTo".into()),
        ));
    }
    if e.fresh.is_some() && prereq("fresh", out) {
        let mut problems = Vec::new();
        match a.created.as_ref() {
            None => problems.push("no u:Timestamp/u:Created".to_string()),
            Some(c) => match c.parsed {
                None => problems.push(format!("u:Created {:?} is not an RFC 3339 instant", c.text)),
                Some(t) if t > now + skew => problems.push(format!(
                    "u:Created {} is more than {FRESHNESS_SECONDS} s in the future",
                    c.text.trim()
                )),
                Some(_) => {}
            },
        }
        if let Some(x) = &a.expires {
            match x.parsed {
                None => problems.push(format!("u:Expires {:?} is not an RFC 3339 instant", x.text)),
                Some(t) => {
                    if t < now - skew {
                        problems.push(format!(
                            "u:Expires {} is more than {FRESHNESS_SECONDS} s in the past",
                            x.text.trim()
                        ));
                    }
                    if a.created
                        .as_ref()
                        .and_then(|c| c.parsed)
                        .is_some_and(|c| t <= c)
                    {
                        problems.push("u:Expires is not after u:Created".into());
                    }
                }
            }
        }
        let actual = if problems.is_empty() {
            format!(
                "Created {}, Expires {}",
                fmt_instant(&a.created),
                fmt_instant(&a.expires)
            )
        } else {
            problems.join("; ")
        };
        out.push(finding(
            "fresh",
            pass_if(problems.is_empty()),
            format!(
                "a fresh u:Timestamp (±{FRESHNESS_SECONDS} s around {})",
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            actual,
        ));
    }
    let token_prereq = |key: &'static str, out: &mut Vec<Finding>| -> bool {
        if let Some(why) = &not_xml {
            out.push(finding(key, CheckResult::Skip(why.clone()), "", ""));
            return false;
        }
        if let Some(f) = &fault_text {
            out.push(finding(
                key,
                CheckResult::Fail,
                "a RequestSecurityTokenResponse",
                format!("the answer is {f}"),
            ));
            return false;
        }
        true
    };
    if e.shape.is_some() && token_prereq("shape", out) {
        let want = Shape::expected(l.version);
        let actual = a
            .shape
            .map(|s| format!("{s:?}"))
            .unwrap_or_else(|| "no RequestSecurityTokenResponse".into());
        out.push(finding(
            "shape",
            pass_if(a.shape == Some(want)),
            format!("{want:?} for WS-Trust {}", l.version),
            actual,
        ));
    }
    if e.token_type_known.is_some() && token_prereq("token_type_known", out) {
        let (ok, actual) = match &a.token_type {
            None => (false, "no TokenType".to_string()),
            Some(t) if t.trim() != t => {
                (false, format!("TokenType {t:?} has surrounding whitespace"))
            }
            Some(t) => match &a.grant_type {
                Some(g) => (true, format!("TokenType {t}; macOS sends grant_type {g}")),
                None => (
                    false,
                    format!("TokenType {t:?} is not one macOS maps to a grant type"),
                ),
            },
        };
        out.push(finding(
            "token_type_known",
            pass_if(ok),
            "an exact SAML 1.x or 2.0 TokenType",
            actual,
        ));
    }
    if e.assertion_matches.is_some() && token_prereq("assertion_matches", out) {
        let want = a
            .token_type
            .as_deref()
            .map(|t| expected_assertion_kind(t.trim()))
            .unwrap_or("saml");
        let got = a.assertion.as_ref().map(|x| x.kind.clone());
        let actual = got
            .clone()
            .map(|k| format!("a {k}:Assertion"))
            .unwrap_or_else(|| "no assertion in RequestedSecurityToken".into());
        out.push(finding(
            "assertion_matches",
            pass_if(got.as_deref() == Some(want)),
            format!("a {want}:Assertion in RequestedSecurityToken"),
            actual,
        ));
    }
    if e.assertion_current.is_some() && token_prereq("assertion_current", out) {
        let mut problems = Vec::new();
        match &a.assertion {
            None => {
                out.push(finding(
                    "assertion_current",
                    CheckResult::Skip("prerequisite WST-6: no assertion".into()),
                    "",
                    "",
                ));
                return;
            }
            Some(x) => {
                match x.not_before.as_ref().and_then(|i| i.parsed) {
                    Some(t) if t > now + skew => problems.push(format!(
                        "NotBefore {} is in the future",
                        fmt_instant(&x.not_before)
                    )),
                    None => problems.push(format!("NotBefore {}", fmt_instant(&x.not_before))),
                    _ => {}
                }
                match x.not_on_or_after.as_ref().and_then(|i| i.parsed) {
                    Some(t) if t <= now - skew => problems.push(format!(
                        "NotOnOrAfter {} has passed",
                        fmt_instant(&x.not_on_or_after)
                    )),
                    None => {
                        problems.push(format!("NotOnOrAfter {}", fmt_instant(&x.not_on_or_after)))
                    }
                    _ => {}
                }
                if !x.audiences.iter().any(|au| au == &l.applies_to) {
                    problems.push(format!(
                        "audience {:?} is not {:?}",
                        x.audiences, l.applies_to
                    ));
                }
            }
        }
        match (
            a.lifetime_created.as_ref().and_then(|i| i.parsed),
            a.lifetime_expires.as_ref().and_then(|i| i.parsed),
        ) {
            (Some(c), Some(x)) if c <= now + skew && x > now - skew => {}
            _ => problems.push(format!(
                "t:Lifetime {} – {} does not cover now",
                fmt_instant(&a.lifetime_created),
                fmt_instant(&a.lifetime_expires)
            )),
        }
        let actual = if problems.is_empty() {
            "current, for the request URN, Lifetime agrees".to_string()
        } else {
            problems.join("; ")
        };
        out.push(finding(
            "assertion_current",
            pass_if(problems.is_empty()),
            format!("a current assertion for {}", l.applies_to),
            actual,
        ));
    }
    if e.credential_fault.is_some() && prereq("credential_fault", out) {
        let mut problems = Vec::new();
        if status != 500 {
            problems.push(format!("HTTP {status}, not 500"));
        }
        match &a.fault {
            None => problems.push("no SOAP fault".into()),
            Some(f) if !f.is_failed_authentication() => problems.push(format!(
                "fault subcode {:?} does not end with FailedAuthentication",
                f.subcode.clone().unwrap_or_default()
            )),
            _ => {}
        }
        // RelatesTo on faults is WST-2's (SPEC.md: "in successes and faults alike").
        if a.assertion.is_some() {
            problems.push("a token was issued".into());
        }
        let actual = if problems.is_empty() {
            login_outcome(l)
        } else {
            problems.join("; ")
        };
        out.push(finding(
            "credential_fault",
            pass_if(problems.is_empty()),
            "HTTP 500, a FailedAuthentication fault, no token",
            actual,
        ));
    }
    if e.fault_no_token.is_some() && prereq("fault_no_token", out) {
        let ok = a.fault.is_some() && a.assertion.is_none();
        out.push(finding(
            "fault_no_token",
            pass_if(ok),
            "a SOAP fault and no token",
            login_outcome(l),
        ));
    }
    if let Some(want) = e.token_issued {
        // The login succeeds: a token response, not a fault (its status is WST-1's, its
        // assertion WST-6's).
        let ok = a.fault.is_none() && a.shape.is_some();
        out.push(finding(
            "token_issued",
            pass_if(ok == want),
            "a RequestSecurityTokenResponse, not a fault",
            login_outcome(l),
        ));
    }
    if e.saml_urn_token_type.is_some() && token_prereq("saml_urn_token_type", out) {
        // Whitespace is WST-5's concern; this one is about which URI.
        let t = a.token_type.clone().unwrap_or_default().trim().to_string();
        let ok = t == "urn:oasis:names:tc:SAML:1.0:assertion"
            || t == "urn:oasis:names:tc:SAML:2.0:assertion";
        out.push(finding(
            "saml_urn_token_type",
            pass_if(ok),
            "TokenType urn:oasis:names:tc:SAML:1.0:assertion or …:2.0:assertion",
            format!("TokenType {t:?}"),
        ));
    }
    if let Some(other_step) = e.same_login_outcome_as {
        match other {
            Some(StepOutput::Login(o)) => {
                let (mine, theirs) = (login_outcome(l), login_outcome(o));
                out.push(finding(
                    "same_login_outcome_as",
                    pass_if(mine == theirs),
                    format!("the outcome of {other_step}: {theirs}"),
                    mine,
                ));
            }
            Some(StepOutput::NotRun { reason }) => out.push(finding(
                "same_login_outcome_as",
                CheckResult::Skip(format!("step {other_step} did not run: {reason}")),
                "",
                "",
            )),
            _ => out.push(finding(
                "same_login_outcome_as",
                CheckResult::Skip(format!("step {other_step} gave no answer")),
                "",
                "",
            )),
        }
    }
}

/// Folds findings into a verdict.
pub fn verdict(level: Level, findings: Vec<Finding>, strict: bool) -> Verdict {
    let any = |f: fn(&CheckResult) -> bool| findings.iter().any(|x| f(&x.result));
    let describe = |x: &Finding| match &x.result {
        CheckResult::Skip(r) | CheckResult::Error(r) => format!("{}: {r}", x.expectation),
        _ => format!(
            "{}: expected {}, got {}",
            x.expectation, x.expected, x.actual
        ),
    };
    let pick = |f: fn(&CheckResult) -> bool| {
        findings
            .iter()
            .filter(|x| f(&x.result))
            .map(describe)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (outcome, message) = if any(|r| matches!(r, CheckResult::Fail)) {
        let o = match level {
            Level::Must => Outcome::Fail,
            Level::Should if strict => Outcome::Fail,
            _ => Outcome::Warn,
        };
        (
            o,
            pick(|r| matches!(r, CheckResult::Fail | CheckResult::Warn)),
        )
    } else if any(|r| matches!(r, CheckResult::Warn)) {
        let o = if strict && level != Level::Info {
            Outcome::Fail
        } else {
            Outcome::Warn
        };
        (o, pick(|r| matches!(r, CheckResult::Warn)))
    } else if any(|r| matches!(r, CheckResult::Error(_))) {
        (Outcome::Error, pick(|r| matches!(r, CheckResult::Error(_))))
    } else if !findings.is_empty()
        && findings
            .iter()
            .all(|x| matches!(x.result, CheckResult::Skip(_)))
    {
        (
            Outcome::Skipped,
            pick(|r| matches!(r, CheckResult::Skip(_))),
        )
    } else {
        (
            Outcome::Pass,
            findings
                .iter()
                .filter(|x| x.result == CheckResult::Pass)
                .map(|x| x.actual.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    Verdict {
        outcome,
        level,
        message,
        findings,
    }
}

/// The MEX findings `inspect mex` reports for a captured document: each MEX case of `cases` (the
/// built-in wstrust-mex suite) judged on the document alone; expectations about the HTTP exchange
/// (status, content type, TLS, redirects) are left out, since a file has none.
pub fn inspect_mex(a: &MexAnalysis, cases: &[CaseDef]) -> Vec<(String, Level, Verdict)> {
    let ex = Exchange::offline("GET", 200);
    judge_offline(cases, crate::suite::StepKind::Mex, |expect, out| {
        mex_findings(expect, Some(a), &ex, out)
    })
}

/// The WSF-1…WSF-5 findings `inspect wsfed-metadata` reports for a metadata document: each
/// metadata case of `cases` (the built-in wsfed suite) judged on the document alone.
pub fn inspect_wsfed_metadata(
    a: &crate::flow::wsfed::MetadataAnalysis,
    cases: &[CaseDef],
) -> Vec<(String, Level, Verdict)> {
    let obs = crate::steps::WsfedMetadataObservation {
        exchange: Exchange::offline("GET", 200),
        analysis: Some(a.clone()),
    };
    judge_offline(
        cases,
        crate::suite::StepKind::WsfedMetadata,
        |expect, out| wsfed::metadata_findings(expect, &obs, None, out),
    )
}

/// A document judged without an exchange (`inspect`): each case of `step` with its body
/// expectations only (status, content type, TLS and redirects need a live exchange).
fn judge_offline(
    cases: &[CaseDef],
    step: crate::suite::StepKind,
    judge: impl Fn(&Expect, &mut Vec<Finding>),
) -> Vec<(String, Level, Verdict)> {
    cases
        .iter()
        .filter(|c| c.step == step)
        .filter_map(|c| {
            // Offline there is no exchange and no other step to compare with.
            let expect = Expect {
                status: None,
                content_type: None,
                valid_certificate: None,
                no_http_redirect: None,
                same_json_as: None,
                same_outcome_as: None,
                same_login_outcome_as: None,
                offers_token_type_of: None,
                same_client_as: None,
                ..c.expect.clone()
            };
            if expect.keys().is_empty() {
                return None;
            }
            let level = requirements::strictest(c.requirements.iter().map(String::as_str));
            let mut out = Vec::new();
            judge(&expect, &mut out);
            Some((c.requirements.join(","), level, verdict(level, out, false)))
        })
        .collect()
}

/// What `inspect rstr` knows about the request a captured response answered.
#[derive(Debug, Clone)]
pub struct RstrContext {
    /// The endpoint's version (None: inferred from the response's shape).
    pub version: Option<crate::flow::WsTrustVersion>,
    /// The request's MessageID (None: only the presence of RelatesTo is checked).
    pub nonce: Option<String>,
    /// When the response is judged.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The HTTP status it came with (None: 200 for a token, 500 for a fault).
    pub status: Option<u16>,
    /// The AppliesTo of the request.
    pub applies_to: String,
}

/// The WST findings `inspect rstr` reports for a captured response: the built-in wstrust-login
/// suite's cases for a valid login (or, for a fault, for a wrong password) judged on the document.
pub fn inspect_rstr(
    a: &crate::flow::wstrust::RstrAnalysis,
    ctx: &RstrContext,
    cases: &[CaseDef],
) -> (crate::flow::WsTrustVersion, Vec<(String, Level, Verdict)>) {
    use crate::flow::WsTrustVersion;
    use crate::flow::wstrust::Shape;
    use crate::suite::StepKind;
    let version = ctx.version.unwrap_or(match a.shape {
        Some(Shape::Bare2005) | Some(Shape::Collection2005) => WsTrustVersion::V2005,
        _ => WsTrustVersion::V13,
    });
    let is_fault = a.fault.is_some();
    let status = ctx.status.unwrap_or(if is_fault { 500 } else { 200 });
    let nonce = ctx
        .nonce
        .clone()
        .or_else(|| a.relates_to.clone())
        .unwrap_or_else(|| "urn:uuid:(the request's MessageID)".into());
    let obs = LoginObservation {
        version,
        address: String::new(),
        login: String::new(),
        nonce,
        variation: crate::flow::wstrust::Variation::STANDARD,
        applies_to: ctx.applies_to.clone(),
        sent_at: ctx.now,
        exchange: Exchange::offline("POST", status),
        analysis: Some(a.clone()),
    };
    let step = if is_fault {
        StepKind::LoginWrongPassword
    } else {
        StepKind::Login
    };
    let findings = judge_offline(cases, step, |expect, out| {
        login_findings(expect, &obs, None, out)
    });
    (version, findings)
}
