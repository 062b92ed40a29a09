//! WS-Trust login checks (SPEC.md WST-1…WST-16) on an answer as macOS reads it. Times are judged
//! against when the answer arrived, with macOS's 120 s window. A negative path (wrong password,
//! unknown user) is judged on whatever came back: an HTML page or an empty body where a SOAP 1.2
//! fault is required fails, it is never skipped.

use super::transport::no_answer;
use super::{CheckResult, Finding, Skip, finding, pass_if, quoted, skipped};
use crate::flow::answer;
use crate::flow::wstrust::{
    FRESHNESS_SECONDS, Instant, RstrAnalysis, Shape, expected_assertion_kind,
};
use crate::steps::{LoginObservation, StepOutput};
use crate::suite::{Family, LoginExpect, StepKind};
use chrono::{DateTime, Utc};

/// Judges one login expectation on the observation of `step`. `other` is the step a comparison
/// reads.
pub fn judge(
    e: &LoginExpect,
    step: StepKind,
    l: &LoginObservation,
    other: Option<&StepOutput>,
) -> Finding {
    let key = crate::suite::Expectation::Login(e.clone()).key();
    // The password in the target may be wrong: nothing is judged on a refusal of it.
    if let Some(why) = &l.refused_credentials {
        return finding(key, CheckResult::Skip(Skip::needs(why.clone())), "", "");
    }
    let judged_on_whatever_came_back = matches!(
        e,
        LoginExpect::SoapEnvelope
            | LoginExpect::CredentialFault
            | LoginExpect::FaultNoToken
            | LoginExpect::TokenIssued(_)
    );
    let Some(a) = &l.analysis else {
        return finding(
            key,
            no_answer(&l.exchange, Family::Login, judged_on_whatever_came_back),
            "a whole answer",
            super::transport::came_back(&l.exchange),
        );
    };
    let now = l.sent_at + chrono::Duration::milliseconds(l.exchange.elapsed_ms as i64);
    match e {
        LoginExpect::SoapEnvelope => soap_envelope(l, a),
        LoginExpect::CredentialFault => credential_fault(l, a),
        LoginExpect::FaultNoToken => fault_no_token(l, a),
        LoginExpect::TokenIssued(want) => token_issued(*want, l, a),
        LoginExpect::SameLoginOutcomeAs(s) => same_outcome(*s, l, other),
        LoginExpect::NonceEcho => {
            envelope_gate(key, step, l, a).unwrap_or_else(|| nonce_echo(l, a))
        }
        LoginExpect::Fresh => envelope_gate(key, step, l, a).unwrap_or_else(|| fresh(now, a)),
        LoginExpect::Shape => token_gate(key, l, a).unwrap_or_else(|| shape(l, a)),
        LoginExpect::TokenTypeKnown => token_gate(key, l, a).unwrap_or_else(|| token_type_known(a)),
        LoginExpect::AssertionMatches => {
            token_gate(key, l, a).unwrap_or_else(|| assertion_matches(a))
        }
        LoginExpect::AssertionCurrent => {
            token_gate(key, l, a).unwrap_or_else(|| assertion_current(now, l, a))
        }
        LoginExpect::SamlUrnTokenType => {
            token_gate(key, l, a).unwrap_or_else(|| saml_urn_token_type(a))
        }
    }
}

/// What came back, in words: "HTTP 500 text/html: an HTML page titled "Error"" (for a file
/// judged offline, no status: "a file: …").
fn what_came_back(l: &LoginObservation) -> String {
    answer::describe_exchange(&l.exchange)
}

/// The requirement that judges whether a step's answer is the SOAP 1.2 envelope the other
/// expectations read: the fault requirements for the negative paths, WST-1 otherwise.
fn envelope_requirement(step: StepKind) -> &'static str {
    match step {
        StepKind::LoginWrongPassword => "WST-8",
        StepKind::LoginUnknownUser => "WST-9",
        _ => "WST-1",
    }
}

fn is_soap12(a: &RstrAnalysis) -> bool {
    a.parse_error.is_none() && a.soap12_envelope
}

/// Expectations that read the SOAP header need a SOAP 1.2 envelope: blocked by the requirement
/// that judges the step's answer otherwise.
fn envelope_gate(
    key: &'static str,
    step: StepKind,
    l: &LoginObservation,
    a: &RstrAnalysis,
) -> Option<Finding> {
    (!is_soap12(a)).then(|| {
        skipped(
            key,
            Skip::blocked(envelope_requirement(step), what_came_back(l)),
        )
    })
}

/// Expectations that read the token response: blocked by WST-1 without a SOAP 1.2 envelope; a
/// fault where a token is expected fails.
fn token_gate(key: &'static str, l: &LoginObservation, a: &RstrAnalysis) -> Option<Finding> {
    if !is_soap12(a) {
        return Some(skipped(key, Skip::blocked("WST-1", what_came_back(l))));
    }
    a.fault.as_ref().map(|f| {
        finding(
            key,
            CheckResult::Fail,
            "a RequestSecurityTokenResponse",
            format!("a SOAP fault ({})", quoted(fault_code(f).trim())),
        )
    })
}

fn fault_code(f: &crate::flow::wstrust::Fault) -> String {
    f.code_text()
}

/// An instant as written, quoted so that whitespace shows; "absent" when there is none.
fn fmt_instant(i: &Option<Instant>) -> String {
    i.as_ref()
        .map(|x| quoted(&x.text))
        .unwrap_or_else(|| "absent".into())
}

/// Why an instant cannot be judged: absent, or not an RFC 3339 instant.
fn unreadable(name: &str, i: &Option<Instant>) -> String {
    match i {
        None => format!("no {name}"),
        Some(x) => format!("{name} {} is not an RFC 3339 instant", quoted(&x.text)),
    }
}

/// WST-1: "Valid credentials: HTTP 200 and a SOAP 1.2 envelope." A file judged offline has no
/// status: only its envelope is judged, and the message says so.
fn soap_envelope(l: &LoginObservation, a: &RstrAnalysis) -> Finding {
    let offline = l.exchange.is_offline();
    let status = l.exchange.status.unwrap_or(0);
    let ok = (offline || status == 200) && is_soap12(a);
    let status_text = if offline {
        "a file (no HTTP status to judge)".to_string()
    } else {
        format!("HTTP {status}")
    };
    let actual = if is_soap12(a) {
        format!(
            "{status_text}, a SOAP 1.2 envelope{}",
            a.fault
                .as_ref()
                .map(|f| format!(" holding a fault ({})", quoted(fault_code(f).trim())))
                .unwrap_or_default()
        )
    } else {
        what_came_back(l)
    };
    finding(
        "soap_envelope",
        pass_if(ok),
        "HTTP 200 and a SOAP 1.2 envelope",
        actual,
    )
}

/// WST-2: "`s:Header/a:RelatesTo` equals the request's `a:MessageID`, in successes and faults
/// alike." Compared exactly: macOS compares the strings, so case and whitespace count; only the
/// WS-Addressing 2005/08 header is read.
fn nonce_echo(l: &LoginObservation, a: &RstrAnalysis) -> Finding {
    let ok = a.relates_to.as_deref() == Some(l.nonce.as_str());
    let actual = match (&a.relates_to, &a.relates_to_foreign) {
        (Some(r), _) if r == &l.nonce => format!("a:RelatesTo = {}", quoted(r)),
        (Some(r), _) if r.trim() == l.nonce => format!(
            "a:RelatesTo = {}: surrounding whitespace (macOS compares exactly)",
            quoted(r)
        ),
        (Some(r), _) if r.trim().eq_ignore_ascii_case(&l.nonce) => format!(
            "a:RelatesTo = {}: the MessageID with its case changed (macOS compares exactly; a UUID parsed and written again, as a .NET Guid does, comes back lower-case)",
            quoted(r)
        ),
        (Some(r), _) => format!("a:RelatesTo = {}", quoted(r)),
        (None, Some(f)) => format!(
            "no a:RelatesTo of WS-Addressing 2005/08 ({}): a RelatesTo = {} in {}, which macOS does not read",
            crate::flow::xml::WSA10,
            quoted(&f.value),
            quoted(&f.namespace)
        ),
        (None, None) => "no a:RelatesTo".into(),
    };
    finding(
        "nonce_echo",
        pass_if(ok),
        format!("a:RelatesTo = {}", quoted(&l.nonce)),
        actual,
    )
}

/// WST-3: "`u:Created` is present and not more than 120 s in the future; `u:Expires`, when
/// present, not more than 120 s in the past and after Created."
fn fresh(now: DateTime<Utc>, a: &RstrAnalysis) -> Finding {
    let skew = chrono::Duration::seconds(FRESHNESS_SECONDS);
    let mut problems = Vec::new();
    match a.created.as_ref() {
        None => problems.push("no u:Timestamp/u:Created".to_string()),
        Some(c) => match c.parsed {
            None => problems.push(format!(
                "u:Created {} is not an RFC 3339 instant",
                quoted(&c.text)
            )),
            Some(t) if t > now + skew => problems.push(format!(
                "u:Created {} is more than {FRESHNESS_SECONDS} s in the future",
                quoted(&c.text)
            )),
            Some(_) => {}
        },
    }
    if let Some(x) = &a.expires {
        match x.parsed {
            None => problems.push(format!(
                "u:Expires {} is not an RFC 3339 instant",
                quoted(&x.text)
            )),
            Some(t) => {
                if t < now - skew {
                    problems.push(format!(
                        "u:Expires {} is more than {FRESHNESS_SECONDS} s in the past",
                        quoted(&x.text)
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
    finding(
        "fresh",
        pass_if(problems.is_empty()),
        format!(
            "a fresh u:Timestamp (±{FRESHNESS_SECONDS} s around {})",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        actual,
    )
}

fn shape_name(s: Shape) -> String {
    s.to_string()
}

/// WST-4: "1.3 answers `…Collection/…Response`; 2005 answers a bare `…Response`."
fn shape(l: &LoginObservation, a: &RstrAnalysis) -> Finding {
    let want = Shape::expected(l.version);
    // Several responses where one is asked for: which one macOS reads is unknown (SPEC.md WST-4).
    if a.shape == Some(want) && a.rstr_count > 1 {
        return finding(
            "shape",
            CheckResult::Warn,
            format!(
                "{} for WS-Trust {}, holding one RequestSecurityTokenResponse",
                shape_name(want),
                l.version
            ),
            format!(
                "{} RequestSecurityTokenResponse elements; the first is judged, and which one macOS reads is unknown",
                a.rstr_count
            ),
        );
    }
    finding(
        "shape",
        pass_if(a.shape == Some(want)),
        format!("{} for WS-Trust {}", shape_name(want), l.version),
        a.shape
            .map(shape_name)
            .unwrap_or_else(|| "no RequestSecurityTokenResponse".to_string()),
    )
}

/// WST-5: "`TokenType` is non-empty, exact (no whitespace), and one macOS maps to a grant type."
fn token_type_known(a: &RstrAnalysis) -> Finding {
    let (ok, actual) = match &a.token_type {
        None => (false, "no TokenType".to_string()),
        Some(t) if t.trim() != t => (
            false,
            format!("TokenType {} has surrounding whitespace", quoted(t)),
        ),
        Some(t) => match &a.grant_type {
            Some(g) => (
                true,
                format!("TokenType {}; macOS sends grant_type {g}", quoted(t)),
            ),
            None => (
                false,
                format!(
                    "TokenType {} is not one macOS maps to a grant type",
                    quoted(t)
                ),
            ),
        },
    };
    finding(
        "token_type_known",
        pass_if(ok),
        "an exact SAML 1.x or 2.0 TokenType",
        actual,
    )
}

/// WST-6: "`RequestedSecurityToken` holds the assertion that TokenType names."
fn assertion_matches(a: &RstrAnalysis) -> Finding {
    let want = a
        .token_type
        .as_deref()
        .map(|t| expected_assertion_kind(t.trim()))
        .unwrap_or("saml");
    let got = a.assertion.as_ref().map(|x| x.kind.clone());
    finding(
        "assertion_matches",
        pass_if(got.as_deref() == Some(want)),
        format!("a {want}:Assertion in RequestedSecurityToken"),
        got.map(|k| format!("a {k}:Assertion"))
            .unwrap_or_else(|| "no assertion in RequestedSecurityToken".into()),
    )
}

/// WST-7: "The assertion is current (NotBefore ≤ now + skew < NotOnOrAfter), its audience is
/// `federationRequestURN`, and `t:Lifetime` agrees."
fn assertion_current(now: DateTime<Utc>, l: &LoginObservation, a: &RstrAnalysis) -> Finding {
    let skew = chrono::Duration::seconds(FRESHNESS_SECONDS);
    let Some(x) = &a.assertion else {
        return skipped(
            "assertion_current",
            Skip::blocked("WST-6", "no assertion in RequestedSecurityToken"),
        );
    };
    let mut problems = Vec::new();
    match x.not_before.as_ref().and_then(|i| i.parsed) {
        Some(t) if t > now + skew => problems.push(format!(
            "NotBefore {} is in the future",
            fmt_instant(&x.not_before)
        )),
        None => problems.push(unreadable("NotBefore", &x.not_before)),
        _ => {}
    }
    match x.not_on_or_after.as_ref().and_then(|i| i.parsed) {
        Some(t) if t <= now - skew => problems.push(format!(
            "NotOnOrAfter {} has passed",
            fmt_instant(&x.not_on_or_after)
        )),
        None => problems.push(unreadable("NotOnOrAfter", &x.not_on_or_after)),
        _ => {}
    }
    if !x.audiences.iter().any(|au| au == &l.applies_to) {
        problems.push(format!(
            "audience {} is not {}",
            x.audiences
                .iter()
                .map(|s| quoted(s))
                .collect::<Vec<_>>()
                .join(", "),
            quoted(&l.applies_to)
        ));
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
    finding(
        "assertion_current",
        pass_if(problems.is_empty()),
        format!("a current assertion for {}", quoted(&l.applies_to)),
        if problems.is_empty() {
            "current, for the request URN, Lifetime agrees".to_string()
        } else {
            problems.join("; ")
        },
    )
}

/// WST-8: "Wrong password: HTTP 500 SOAP fault whose `s:Code/s:Subcode/s:Value` ends with
/// `FailedAuthentication` (macOS then reports a credential error, not a generic failure)…; no
/// token." Judged on whatever came back.
fn credential_fault(l: &LoginObservation, a: &RstrAnalysis) -> Finding {
    let expected = "HTTP 500 and a SOAP 1.2 fault with subcode …FailedAuthentication, no token";
    if !is_soap12(a) {
        return finding(
            "credential_fault",
            CheckResult::Fail,
            expected,
            format!(
                "{}: macOS sees no SOAP 1.2 fault and reports a generic failure, not a wrong password",
                what_came_back(l)
            ),
        );
    }
    let status = l.exchange.status.unwrap_or(0);
    let mut problems = Vec::new();
    // A file judged offline has no status: only the fault is judged.
    if status != 500 && !l.exchange.is_offline() {
        problems.push(format!(
            "HTTP {status}, not 500 (macOS reads only 200 and 500)"
        ));
    }
    match &a.fault {
        None => problems.push("no SOAP fault".into()),
        Some(f) if !f.is_failed_authentication() => problems.push(format!(
            "fault subcode {} does not end with FailedAuthentication",
            quoted(f.subcode.as_deref().unwrap_or_default())
        )),
        _ => {}
    }
    if a.assertion.is_some() {
        problems.push("a token was issued".into());
    }
    finding(
        "credential_fault",
        pass_if(problems.is_empty()),
        expected,
        if problems.is_empty() {
            login_outcome(l)
        } else {
            problems.join("; ")
        },
    )
}

/// WST-9: "Unknown user: a SOAP fault, no token." Judged on whatever came back.
fn fault_no_token(l: &LoginObservation, a: &RstrAnalysis) -> Finding {
    let expected = "a SOAP 1.2 fault and no token";
    if !is_soap12(a) {
        return finding(
            "fault_no_token",
            CheckResult::Fail,
            expected,
            format!("{}: macOS sees no SOAP 1.2 fault", what_came_back(l)),
        );
    }
    finding(
        "fault_no_token",
        pass_if(a.fault.is_some() && a.assertion.is_none()),
        expected,
        login_outcome(l),
    )
}

/// WST-13, WST-14: a token response, not a fault (its status is WST-1's, its assertion WST-6's).
fn token_issued(want: bool, l: &LoginObservation, a: &RstrAnalysis) -> Finding {
    let ok = is_soap12(a) && a.fault.is_none() && a.shape.is_some();
    finding(
        "token_issued",
        pass_if(ok == want),
        if want {
            "a RequestSecurityTokenResponse with a token"
        } else {
            "no token"
        },
        login_outcome(l),
    )
}

/// WST-15: "TokenType is one of the two SAML URNs."
fn saml_urn_token_type(a: &RstrAnalysis) -> Finding {
    // Whitespace is WST-5's concern; this one is about which URI.
    let t = a.token_type.clone().unwrap_or_default().trim().to_string();
    let ok = t == "urn:oasis:names:tc:SAML:1.0:assertion"
        || t == "urn:oasis:names:tc:SAML:2.0:assertion";
    finding(
        "saml_urn_token_type",
        pass_if(ok),
        "TokenType urn:oasis:names:tc:SAML:1.0:assertion or …:2.0:assertion",
        format!("TokenType {}", quoted(&t)),
    )
}

/// The outcome of a login, as WST-10…12 compare them: status, token issued, fault subcode; or
/// what came back when it is not a SOAP 1.2 answer.
pub fn login_outcome(l: &LoginObservation) -> String {
    match &l.analysis {
        None => format!(
            "no answer ({})",
            l.exchange
                .failure
                .as_ref()
                .map(|f| f.describe())
                .unwrap_or_default()
        ),
        Some(a) if !is_soap12(a) => what_came_back(l),
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
                .map(|f| format!(", fault {}", quoted(fault_code(f).trim())))
                .unwrap_or_default();
            format!("HTTP {status}, {token}{fault}")
        }
    }
}

/// The requirement that judges whether a login step that others are compared with succeeded.
fn success_requirement(step: StepKind) -> &'static str {
    match step {
        StepKind::Login13 | StepKind::Login2005 => "WST-14",
        _ => "WST-1",
    }
}

/// True when a login issued a token: the baseline a comparison needs.
pub fn issued_token(o: &LoginObservation) -> bool {
    o.analysis
        .as_ref()
        .is_some_and(|a| is_soap12(a) && a.fault.is_none() && a.assertion.is_some())
        && o.exchange.status == Some(200)
}

/// WST-10…12: the same outcome as another login step, evaluated only when that step issued a
/// token; otherwise blocked by the requirement that judges it (two failures alike prove nothing).
fn same_outcome(other_step: StepKind, l: &LoginObservation, other: Option<&StepOutput>) -> Finding {
    const KEY: &str = "same_login_outcome_as";
    let o = match super::judge::compared(KEY, other_step, other, |o| match o {
        StepOutput::Login(x) => Some(&**x),
        _ => None,
    }) {
        Ok(x) => x,
        Err(f) => return *f,
    };
    if !issued_token(o) {
        return skipped(
            KEY,
            Skip::blocked(
                success_requirement(other_step),
                format!(
                    "step {other_step}, the valid login this one is compared with, issued no token: {}",
                    login_outcome(o)
                ),
            ),
        );
    }
    let (mine, theirs) = (login_outcome(l), login_outcome(o));
    finding(
        KEY,
        pass_if(mine == theirs),
        format!("the outcome of step {other_step}: {theirs}"),
        mine,
    )
}
