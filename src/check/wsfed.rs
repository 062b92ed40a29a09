//! WS-Federation checks (SPEC.md WSF-1…WSF-13): metadata and passive sign-in observations against
//! a case's expectations.

use super::{CheckResult, Finding, finding, no_answer_findings, pass_if};
use crate::flow::wsfed::{FED, WSIGNIN};
use crate::flow::wstrust::FRESHNESS_SECONDS;
use crate::steps::{StepOutput, WsfedMetadataObservation, WsfedObservation};
use crate::suite::{Expect, Family};

fn skip(key: &'static str, why: impl Into<String>, out: &mut Vec<Finding>) {
    out.push(finding(key, CheckResult::Skip(why.into()), "", ""));
}

/// Judges WSF-1…WSF-5 on the metadata. `other` is the sign-in step whose token type TokenTypesOffered
/// must list.
pub(super) fn metadata_findings(
    e: &Expect,
    m: &WsfedMetadataObservation,
    other: Option<&StepOutput>,
    out: &mut Vec<Finding>,
) {
    let Some(a) = &m.analysis else {
        no_answer_findings(e, &m.exchange, Family::WsfedMetadata, out);
        return;
    };
    let not_metadata = match (&a.parse_error, a.entity_descriptor) {
        (Some(p), _) => Some(format!("not XML ({p})")),
        (None, false) => Some("the root is not md:EntityDescriptor".to_string()),
        (None, true) => None,
    };
    if e.entity_descriptor.is_some() {
        let entity = a.entity_id.as_deref().map(str::trim).unwrap_or("");
        let (ok, actual) = match &not_metadata {
            Some(why) => (false, why.clone()),
            None if entity.is_empty() => (false, "md:EntityDescriptor without an entityID".into()),
            None => (true, format!("md:EntityDescriptor entityID={entity:?}")),
        };
        out.push(finding(
            "entity_descriptor",
            pass_if(ok),
            "an md:EntityDescriptor carrying entityID",
            actual,
        ));
    }
    // Every other metadata expectation reads inside the EntityDescriptor.
    let prereq = |key: &'static str, out: &mut Vec<Finding>| -> bool {
        match &not_metadata {
            Some(why) => {
                skip(key, format!("prerequisite WSF-1: {why}"), out);
                false
            }
            None => true,
        }
    };
    if e.sts_role.is_some() && prereq("sts_role", out) {
        let ok = a
            .roles
            .iter()
            .any(|r| r.is_sts() && r.protocols.iter().any(|p| p == FED));
        let actual = if a.roles.is_empty() {
            "no RoleDescriptor".to_string()
        } else {
            a.roles
                .iter()
                .map(|r| {
                    format!(
                        "xsi:type {:?} resolving to {}, protocols {:?}",
                        r.xsi_type.as_deref().unwrap_or(""),
                        r.resolved_type
                            .as_deref()
                            .unwrap_or("nothing (undeclared prefix)"),
                        r.protocols
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push(finding(
            "sts_role",
            pass_if(ok),
            format!("a RoleDescriptor of type {{{FED}}}SecurityTokenServiceType listing {FED}"),
            actual,
        ));
    }
    if e.signing_certificate_current.is_some() && prereq("signing_certificate_current", out) {
        let now = chrono::Utc::now();
        let ok = a.signing_certificates.iter().any(|c| c.valid_at(now));
        let actual = if a.signing_certificates.is_empty() {
            "no KeyDescriptor use=\"signing\" with an X509Certificate".to_string()
        } else {
            a.signing_certificates
                .iter()
                .map(|c| match (&c.error, c.not_before, c.not_after) {
                    (Some(err), _, _) => err.clone(),
                    (None, Some(b), Some(f)) => format!(
                        "valid {} to {}",
                        b.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        f.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ),
                    _ => "unreadable validity".into(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push(finding(
            "signing_certificate_current",
            pass_if(ok),
            "a signing certificate valid now",
            actual,
        ));
    }
    if e.passive_endpoint_https.is_some() && prereq("passive_endpoint_https", out) {
        let https = |u: &str| url::Url::parse(u).is_ok_and(|u| u.scheme() == "https");
        let ok = !a.passive_endpoints.is_empty() && a.passive_endpoints.iter().all(|u| https(u));
        out.push(finding(
            "passive_endpoint_https",
            pass_if(ok),
            "fed:PassiveRequestorEndpoint with https addresses",
            if a.passive_endpoints.is_empty() {
                "no fed:PassiveRequestorEndpoint address".to_string()
            } else {
                a.passive_endpoints.join(", ")
            },
        ));
    }
    if e.metadata_signed.is_some() && prereq("metadata_signed", out) {
        let (ok, actual) = match &a.signature {
            None => (false, "the metadata is not signed".to_string()),
            Some(s) => match &s.verified {
                Ok(()) => (
                    true,
                    format!(
                        "signed ({}, {}) and verified with the signing certificate",
                        s.algorithm.as_deref().unwrap_or("?"),
                        s.canonicalization.as_deref().unwrap_or("?")
                    ),
                ),
                Err(why) => (false, why.clone()),
            },
        };
        out.push(finding(
            "metadata_signed",
            pass_if(ok),
            "a ds:Signature over the EntityDescriptor that verifies with its signing certificate",
            actual,
        ));
    }
    if e.sts_endpoint.is_some() && prereq("sts_endpoint", out) {
        out.push(finding(
            "sts_endpoint",
            pass_if(!a.sts_endpoints.is_empty()),
            "fed:SecurityTokenServiceEndpoint",
            if a.sts_endpoints.is_empty() {
                "none".to_string()
            } else {
                a.sts_endpoints.join(", ")
            },
        ));
    }
    if let Some(step) = e.offers_token_type_of
        && prereq("offers_token_type_of", out)
    {
        let issued = match other {
            Some(StepOutput::Wsfed(w)) => w
                .answer
                .as_ref()
                .and_then(|x| x.wresult.as_ref())
                .and_then(|x| x.rstr.token_type.clone()),
            _ => None,
        };
        match issued {
            None => skip(
                "offers_token_type_of",
                format!("prerequisite WSF-7: step {step} issued no TokenType"),
                out,
            ),
            Some(t) => out.push(finding(
                "offers_token_type_of",
                pass_if(a.token_types.iter().any(|o| o == t.trim())),
                format!("fed:TokenTypesOffered listing {}", t.trim()),
                format!("offered: {:?}", a.token_types),
            )),
        }
    }
}

/// A one-line account of what a sign-in ended with.
fn ending(w: &WsfedObservation) -> String {
    if let Some(l) = &w.off_origin_redirect {
        return format!("a redirect off the IdP to {l}");
    }
    if let Some(s) = &w.stopped {
        return s.clone();
    }
    let status = w
        .last()
        .and_then(|x| x.status)
        .map(|s| format!("HTTP {s}"))
        .unwrap_or_else(|| "no answer".into());
    match w.answer.as_ref().and_then(|a| a.token_form.as_ref()) {
        Some(f) => format!(
            "{status}, a form carrying wresult to {}",
            f.action.as_deref().unwrap_or("(no action)")
        ),
        None => {
            let forms = w.answer.as_ref().map(|a| a.forms.len()).unwrap_or(0);
            let login = if w.logged_in {
                " after the login form"
            } else {
                ""
            };
            format!("{status}{login}, no token ({forms} form(s), none carrying wresult)")
        }
    }
}

/// Judges WSF-6…WSF-13 on a sign-in. `other` is the sign-in a `same_client_as` compares with.
pub(super) fn signin_findings(
    e: &Expect,
    w: &WsfedObservation,
    other: Option<&StepOutput>,
    out: &mut Vec<Finding>,
) {
    if let Some(why) = &w.stopped {
        for (key, families) in e.keys() {
            if families.contains(&Family::WsfedSignin) && !Expect::is_transport_key(key) {
                skip(key, format!("the sign-in stopped: {why}"), out);
            }
        }
        return;
    }
    if w.answer.is_none()
        && w.off_origin_redirect.is_none()
        && let Some(last) = w.last()
    {
        no_answer_findings(e, last, Family::WsfedSignin, out);
        return;
    }
    let delivered = w.token_delivered();
    let end = ending(w);
    let form = w.answer.as_ref().and_then(|a| a.token_form.as_ref());
    if let Some(want) = e.token_delivered {
        out.push(finding(
            "token_delivered",
            pass_if(delivered == want),
            if want {
                "a token delivered to the wreply"
            } else {
                "a refusal: no token delivered anywhere"
            },
            end.clone(),
        ));
    }
    if e.posts_to_wreply.is_some() {
        let wreply = w.params.wreply.as_deref().unwrap_or("");
        let (ok, actual) = match form {
            None => (false, end.clone()),
            Some(f) => {
                let mut problems = Vec::new();
                if f.action.as_deref() != Some(wreply) {
                    problems.push(format!("action {:?}", f.action.as_deref().unwrap_or("")));
                }
                if f.method != "POST" {
                    problems.push(format!("method {}", f.method));
                }
                if f.value("wa") != Some(WSIGNIN) {
                    problems.push(format!("wa {:?}", f.value("wa").unwrap_or("(absent)")));
                }
                if f.value("wresult").is_none_or(|v| v.trim().is_empty()) {
                    problems.push("an empty wresult".into());
                }
                if problems.is_empty() {
                    (true, format!("POST {wreply} with wa={WSIGNIN} and wresult"))
                } else {
                    (false, problems.join(", "))
                }
            }
        };
        out.push(finding(
            "posts_to_wreply",
            pass_if(ok),
            format!("a form that POSTs wa={WSIGNIN} and wresult to {wreply}"),
            actual,
        ));
    }
    if e.wctx_echoed.is_some() {
        match (&w.params.wctx, form) {
            (None, _) => skip("wctx_echoed", "not applicable: no wctx was sent", out),
            (Some(_), None) => skip("wctx_echoed", "prerequisite WSF-6: no token form", out),
            (Some(sent), Some(f)) => out.push(finding(
                "wctx_echoed",
                pass_if(f.value("wctx") == Some(sent.as_str())),
                format!("wctx = {sent:?}"),
                f.value("wctx")
                    .map(|v| format!("wctx = {v:?}"))
                    .unwrap_or_else(|| "no wctx field".into()),
            )),
        }
    }
    if e.no_placeholder_wctx.is_some() {
        match form {
            None => skip(
                "no_placeholder_wctx",
                "prerequisite WSF-6: the sign-in without wctx delivered no token form",
                out,
            ),
            Some(f) => {
                let v = f.value("wctx");
                out.push(finding(
                    "no_placeholder_wctx",
                    pass_if(v.is_none_or(|v| v.is_empty())),
                    "no wctx value (none was sent)",
                    v.map(|v| format!("wctx = {v:?}"))
                        .unwrap_or_else(|| "no wctx field".into()),
                ));
            }
        }
    }
    let wresult = form.and(w.answer.as_ref().and_then(|a| a.wresult.as_ref()));
    let token_prereq = |key: &'static str, out: &mut Vec<Finding>| -> bool {
        if wresult.is_none() {
            skip(key, format!("prerequisite WSF-6: {end}"), out);
            return false;
        }
        true
    };
    if e.wresult_rstr.is_some() && token_prereq("wresult_rstr", out) {
        let r = wresult.map(
            |r| match (&r.parse_error, r.shape, r.rstr.assertion.as_ref()) {
                (Some(p), _, _) => (false, format!("wresult is not XML ({p})")),
                (None, None, _) => (
                    false,
                    "wresult is not a RequestSecurityTokenResponse".into(),
                ),
                (None, Some(s), None) => (
                    false,
                    format!("{s:?} without an assertion in RequestedSecurityToken"),
                ),
                (None, Some(s), Some(a)) => (true, format!("{s:?} holding a {}:Assertion", a.kind)),
            },
        );
        if let Some((ok, actual)) = r {
            out.push(finding(
                "wresult_rstr",
                pass_if(ok),
                "a WS-Trust 2005 or 1.3 RSTR holding a SAML assertion",
                actual,
            ));
        }
    }
    let assertion = wresult.and_then(|r| r.rstr.assertion.as_ref());
    let assertion_prereq = |key: &'static str, out: &mut Vec<Finding>| -> bool {
        if !token_prereq(key, out) {
            return false;
        }
        if assertion.is_none() {
            skip(key, "prerequisite WSF-7: no assertion in wresult", out);
            return false;
        }
        true
    };
    if e.token_audience.is_some() && assertion_prereq("token_audience", out) {
        let audiences = assertion.map(|a| a.audiences.clone()).unwrap_or_default();
        out.push(finding(
            "token_audience",
            pass_if(audiences.iter().any(|a| a == &w.expected_audience)),
            format!("audience {}", w.expected_audience),
            if audiences.is_empty() {
                "no audience".to_string()
            } else {
                format!("audience {}", audiences.join(", "))
            },
        ));
    }
    if e.token_current.is_some() && assertion_prereq("token_current", out) {
        let elapsed = w.exchanges.iter().map(|x| x.elapsed_ms).sum::<u64>();
        let now = w.sent_at + chrono::Duration::milliseconds(elapsed as i64);
        let skew = chrono::Duration::seconds(FRESHNESS_SECONDS);
        if let Some(a) = assertion {
            let nb = a.not_before.as_ref().and_then(|i| i.parsed);
            let na = a.not_on_or_after.as_ref().and_then(|i| i.parsed);
            let text = |i: &Option<crate::flow::wstrust::Instant>| {
                i.as_ref()
                    .map(|x| x.text.trim().to_string())
                    .unwrap_or_else(|| "absent".into())
            };
            let ok = nb.is_some_and(|t| t <= now + skew) && na.is_some_and(|t| now - skew < t);
            out.push(finding(
                "token_current",
                pass_if(ok),
                format!(
                    "NotBefore ≤ {} < NotOnOrAfter (±{FRESHNESS_SECONDS} s)",
                    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
                format!(
                    "NotBefore {}, NotOnOrAfter {}",
                    text(&a.not_before),
                    text(&a.not_on_or_after)
                ),
            ));
        }
    }
    if e.token_signature.is_some() && assertion_prereq("token_signature", out) {
        let sig = wresult.and_then(|r| r.signature.as_ref());
        if w.metadata_certificates == 0 {
            skip(
                "token_signature",
                "prerequisite WSF-3: the metadata gave no signing certificate",
                out,
            );
        } else {
            let (ok, actual) = match sig.map(|s| (&s.verified, s)) {
                None => (false, "the assertion is not signed".to_string()),
                Some((Ok(()), s)) => (
                    true,
                    format!(
                        "verified ({}, {})",
                        s.algorithm.as_deref().unwrap_or("?"),
                        s.canonicalization.as_deref().unwrap_or("?")
                    ),
                ),
                Some((Err(why), _)) => (false, why.clone()),
            };
            out.push(finding(
                "token_signature",
                pass_if(ok),
                "an assertion signature that verifies with the metadata's signing certificate",
                actual,
            ));
        }
    }
    if e.connection_selected.is_some() {
        match &w.params.whr {
            None => skip(
                "connection_selected",
                "not applicable: the target sets no [wsfed] connection",
                out,
            ),
            Some(whr) => out.push(finding(
                "connection_selected",
                pass_if(delivered),
                format!("a token through whr={whr}"),
                end.clone(),
            )),
        }
    }
    if let Some(step) = e.same_client_as {
        let summary = |o: &WsfedObservation| -> Option<(String, String)> {
            let f = o.answer.as_ref()?.token_form.as_ref()?;
            let a = o
                .answer
                .as_ref()?
                .wresult
                .as_ref()?
                .rstr
                .assertion
                .as_ref()?;
            Some((f.action.clone().unwrap_or_default(), a.audiences.join(", ")))
        };
        let mine = summary(w);
        let theirs = match other {
            Some(StepOutput::Wsfed(o)) => summary(o),
            _ => None,
        };
        match theirs {
            None => skip(
                "same_client_as",
                format!("prerequisite WSF-6: step {step} delivered no token"),
                out,
            ),
            Some(t) => out.push(finding(
                "same_client_as",
                pass_if(mine.as_ref() == Some(&t)),
                format!("a token to {} for audience {}, as step {step}", t.0, t.1),
                mine.map(|m| format!("a token to {} for audience {}", m.0, m.1))
                    .unwrap_or_else(|| end.clone()),
            )),
        }
    }
}
