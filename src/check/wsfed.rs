//! WS-Federation checks (SPEC.md WSF-1…WSF-15): metadata and passive sign-in observations. A
//! refusal (an unregistered wreply, an unknown wtrealm, a missing wa) is judged on whatever came
//! back: no token delivered anywhere.

use super::transport::{no_answer, unusable_answer};
use super::{CheckResult, Finding, Skip, finding, pass_if, quoted, skipped};
use crate::flow::wsfed::{FED, MetadataAnalysis, WSIGNIN};
use crate::flow::wstrust::{FRESHNESS_SECONDS, token_kind, token_type_of_kind};
use crate::flow::xmldsig::SignatureReport;
use crate::http::Failure;
use crate::steps::{StepOutput, WsfedMetadataObservation, WsfedObservation};
use crate::suite::{Family, MetadataExpect, SigninExpect, StepKind};

/// Judges one metadata expectation. `other` is the sign-in step whose token type
/// TokenTypesOffered must list.
pub fn judge_metadata(
    e: &MetadataExpect,
    m: &WsfedMetadataObservation,
    other: Option<&StepOutput>,
    now: chrono::DateTime<chrono::Utc>,
) -> Finding {
    let key = crate::suite::Expectation::Metadata(e.clone()).key();
    let Some(a) = &m.analysis else {
        return finding(
            key,
            no_answer(
                &m.exchange,
                Family::WsfedMetadata,
                *e == MetadataExpect::EntityDescriptor,
            ),
            "a whole answer",
            super::transport::came_back(&m.exchange),
        );
    };
    if *e == MetadataExpect::EntityDescriptor {
        return entity_descriptor(a);
    }
    // Every other metadata expectation reads inside the EntityDescriptor.
    if let Some(why) = not_metadata(a) {
        return skipped(key, Skip::blocked("WSF-1", why));
    }
    match e {
        MetadataExpect::EntityDescriptor => entity_descriptor(a),
        MetadataExpect::StsRole => sts_role(a),
        MetadataExpect::ProtocolSupportWsfed => protocol_support_wsfed(a),
        MetadataExpect::SigningCertificateCurrent => signing_certificate_current(a, now),
        MetadataExpect::PassiveEndpointHttps => passive_endpoint_https(a),
        MetadataExpect::MetadataSigned => metadata_signed(a),
        MetadataExpect::MetadataSignatureSha2 => metadata_signature_sha2(a),
        MetadataExpect::StsEndpoint => sts_endpoint(a),
        MetadataExpect::OffersTokenTypeOf(step) => offers_token_type_of(*step, a, other),
    }
}

fn not_metadata(a: &MetadataAnalysis) -> Option<String> {
    match (&a.parse_error, a.entity_descriptor) {
        (Some(p), _) => Some(format!("not XML ({p})")),
        (None, false) => Some("the root is not md:EntityDescriptor".to_string()),
        (None, true) => None,
    }
}

/// WSF-1: "Metadata answers 200 with an XML `md:EntityDescriptor` carrying `entityID`."
fn entity_descriptor(a: &MetadataAnalysis) -> Finding {
    let entity = a.entity_id.as_deref().map(str::trim).unwrap_or("");
    let (ok, actual) = match not_metadata(a) {
        Some(why) => (false, why),
        None if entity.is_empty() => (false, "md:EntityDescriptor without an entityID".into()),
        None => (
            true,
            format!("md:EntityDescriptor entityID={}", quoted(entity)),
        ),
    };
    finding(
        "entity_descriptor",
        pass_if(ok),
        "an md:EntityDescriptor carrying entityID",
        actual,
    )
}

fn role_text(r: &crate::flow::wsfed::Role) -> String {
    format!(
        "RoleDescriptor xsi:type {} resolving to {}",
        quoted(r.xsi_type.as_deref().unwrap_or("")),
        r.resolved_type
            .as_deref()
            .unwrap_or("nothing (its prefix is not declared)")
    )
}

/// WSF-2: "A `RoleDescriptor` whose `xsi:type` resolves (by namespace, not prefix) to
/// `fed:SecurityTokenServiceType`" (WS-Federation 1.2 §3.1; the role a WS-Federation metadata
/// reader takes the signing certificates and endpoints from).
fn sts_role(a: &MetadataAnalysis) -> Finding {
    let sts = a.roles.iter().find(|r| r.is_sts());
    let actual = match sts {
        Some(r) => role_text(r),
        None if a.roles.is_empty() => "no RoleDescriptor".to_string(),
        None => a.roles.iter().map(role_text).collect::<Vec<_>>().join("; "),
    };
    finding(
        "sts_role",
        pass_if(sts.is_some()),
        format!("a RoleDescriptor of type {{{FED}}}SecurityTokenServiceType"),
        actual,
    )
}

/// WSF-15: "The STS `RoleDescriptor`'s `protocolSupportEnumeration` lists the WS-Federation
/// namespace" (SAML 2.0 Metadata §2.4.1: the protocol specifications the role supports).
fn protocol_support_wsfed(a: &MetadataAnalysis) -> Finding {
    const KEY: &str = "protocol_support_wsfed";
    let Some(role) = a.roles.iter().find(|r| r.is_sts()) else {
        return skipped(
            KEY,
            Skip::blocked(
                "WSF-2",
                "no RoleDescriptor of type fed:SecurityTokenServiceType to read it from",
            ),
        );
    };
    let actual = match &role.protocol_support {
        None => "the STS RoleDescriptor has no protocolSupportEnumeration".to_string(),
        Some(p) if role.lists_wsfed() => format!(
            "the STS RoleDescriptor's protocolSupportEnumeration {} lists the WS-Federation namespace",
            quoted(p)
        ),
        Some(p) => format!(
            "the STS RoleDescriptor's protocolSupportEnumeration is {}, without {FED}",
            quoted(p)
        ),
    };
    finding(
        KEY,
        pass_if(role.lists_wsfed()),
        format!("protocolSupportEnumeration listing {FED}"),
        actual,
    )
}

/// WSF-3: "A `KeyDescriptor use="signing"` with an X.509 certificate valid now."
fn signing_certificate_current(
    a: &MetadataAnalysis,
    now: chrono::DateTime<chrono::Utc>,
) -> Finding {
    let describe = |c: &crate::flow::wsfed::CertInfo| match (&c.error, c.not_before, c.not_after) {
        (Some(err), _, _) => err.clone(),
        (None, Some(b), Some(f)) => format!(
            "{} valid {} to {}",
            c.subject.as_deref().unwrap_or("a certificate"),
            b.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            f.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        _ => "a certificate with unreadable validity".into(),
    };
    let current = a.signing_certificates.iter().find(|c| c.valid_at(now));
    let ok = current.is_some();
    let actual = match current {
        Some(c) => describe(c),
        None if a.signing_certificates.is_empty() => {
            "no KeyDescriptor use=\"signing\" with an X509Certificate".to_string()
        }
        None => a
            .signing_certificates
            .iter()
            .map(describe)
            .collect::<Vec<_>>()
            .join("; "),
    };
    finding(
        "signing_certificate_current",
        pass_if(ok),
        format!(
            "a signing certificate valid at {}",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        actual,
    )
}

/// WSF-4: "`PassiveRequestorEndpoint` is present and https."
fn passive_endpoint_https(a: &MetadataAnalysis) -> Finding {
    let https = |u: &str| url::Url::parse(u).is_ok_and(|u| u.scheme() == "https");
    let ok = !a.passive_endpoints.is_empty() && a.passive_endpoints.iter().all(|u| https(u));
    finding(
        "passive_endpoint_https",
        pass_if(ok),
        "fed:PassiveRequestorEndpoint with https addresses",
        if a.passive_endpoints.is_empty() {
            "no fed:PassiveRequestorEndpoint address".to_string()
        } else {
            format!(
                "fed:PassiveRequestorEndpoint {}",
                a.passive_endpoints
                    .iter()
                    .map(|s| quoted(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    )
}

/// WSF-5: "Metadata is signed and the signature verifies" (under the relying parties' algorithm
/// policy, `flow::xmldsig::relying_party_policy`).
fn metadata_signed(a: &MetadataAnalysis) -> Finding {
    let (ok, actual) = match &a.signature {
        None => (
            false,
            "the metadata is not signed (no ds:Signature in md:EntityDescriptor)".to_string(),
        ),
        Some(s) => match &s.verified {
            Ok(()) => (true, s.held()),
            Err(why) => (false, format!("signed with {}: {why}", s.describe())),
        },
    };
    finding(
        "metadata_signed",
        pass_if(ok),
        "a ds:Signature over the EntityDescriptor that verifies with its signing certificate",
        actual,
    )
}

/// WSF-14: "Signatures use SHA-2: the `SignatureMethod` and every `DigestMethod` … name a SHA-2
/// algorithm, not SHA-1" (XML Signature 1.1 §6; NIST SP 800-131A Rev. 2). Judged on the
/// algorithms the signature declares, whether or not it verifies (WSF-5 and WSF-7 say that).
fn signature_sha2(key: &'static str, what: &str, s: &SignatureReport) -> Finding {
    let weak = s.weak_algorithms();
    let actual = if weak.is_empty() {
        format!("{what} signed with {}", s.describe())
    } else {
        format!(
            "{what} signed with {}: {} not SHA-2",
            s.describe(),
            if weak.len() == 1 {
                format!("{} is", weak[0])
            } else {
                format!("{} are", weak.join(" and "))
            }
        )
    };
    finding(
        key,
        pass_if(weak.is_empty()),
        "a SignatureMethod and DigestMethods of SHA-2 (RSA-SHA256 or stronger)",
        actual,
    )
}

/// WSF-14 on the metadata's signature.
fn metadata_signature_sha2(a: &MetadataAnalysis) -> Finding {
    match &a.signature {
        None => skipped(
            "metadata_signature_sha2",
            Skip::blocked("WSF-5", "the metadata is not signed"),
        ),
        Some(s) => signature_sha2("metadata_signature_sha2", "the metadata is", s),
    }
}

/// WSF-5: "`SecurityTokenServiceEndpoint` present."
fn sts_endpoint(a: &MetadataAnalysis) -> Finding {
    finding(
        "sts_endpoint",
        pass_if(!a.sts_endpoints.is_empty()),
        "fed:SecurityTokenServiceEndpoint",
        if a.sts_endpoints.is_empty() {
            "fed:SecurityTokenServiceEndpoint is absent".to_string()
        } else {
            format!(
                "fed:SecurityTokenServiceEndpoint {}",
                a.sts_endpoints
                    .iter()
                    .map(|e| quoted(e))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    )
}

/// WSF-5: "`TokenTypesOffered` lists the type actually issued."
fn offers_token_type_of(
    step: StepKind,
    a: &MetadataAnalysis,
    other: Option<&StepOutput>,
) -> Finding {
    const KEY: &str = "offers_token_type_of";
    let w = match super::judge::compared(KEY, step, other, |o| match o {
        StepOutput::Wsfed(x) => Some(&**x),
        _ => None,
    }) {
        Ok(x) => x,
        Err(f) => return *f,
    };
    if let Some(s) = signin_gate(w) {
        return skipped(KEY, s);
    }
    // The type actually issued: the RSTR's TokenType, or, without one, the assertion's own kind.
    let rstr = w
        .answer
        .as_ref()
        .and_then(|x| x.wresult.as_ref())
        .map(|x| &x.rstr);
    let issued: Option<(String, &'static str)> =
        rstr.and_then(|r| match (&r.token_type, &r.assertion) {
            (Some(t), _) if !t.trim().is_empty() => Some((
                format!("TokenType {}", quoted(t.trim())),
                token_kind(t).unwrap_or(""),
            )),
            (_, Some(a)) => Some((
                format!("a {}:Assertion (the RSTR has no TokenType)", a.kind),
                if a.kind == "saml2" { "saml2" } else { "saml" },
            )),
            _ => None,
        });
    let Some((issued_text, issued_kind)) = issued else {
        return skipped(
            KEY,
            Skip::blocked(
                "WSF-7",
                format!("step {step} issued no token: {}", ending(w)),
            ),
        );
    };
    let issued_uri = rstr
        .and_then(|r| r.token_type.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| token_type_of_kind(issued_kind).to_string());
    let offered = a.token_types_text();
    // The same type under another of its URIs (the SAML URN or the token profile's #SAMLV1.1)
    // counts: it names the token the client gets.
    let same = |o: &str| {
        o == issued_uri || (!issued_kind.is_empty() && token_kind(o) == Some(issued_kind))
    };
    let expected = format!("fed:TokenTypesOffered listing the type issued ({issued_text})");
    if !a.token_types.iter().any(|o| same(o)) {
        return finding(KEY, CheckResult::Fail, expected, offered);
    }
    let never: Vec<String> = a
        .token_types
        .iter()
        .filter(|o| !same(o))
        .map(|o| quoted(o))
        .collect();
    if !never.is_empty() {
        return finding(
            KEY,
            CheckResult::Warn,
            format!("{expected}, and no type this client is never issued"),
            format!(
                "{offered}; never issued to this client: {}",
                never.join(", ")
            ),
        );
    }
    finding(KEY, CheckResult::Pass, expected, offered)
}

/// A one-line account of what a sign-in ended with.
pub fn ending(w: &WsfedObservation) -> String {
    if let Some(l) = &w.off_origin_redirect {
        return format!("a redirect off the IdP to {}", quoted(l));
    }
    if let Some(s) = &w.stopped {
        return s.clone();
    }
    let last = w.last();
    let status = last
        .and_then(|x| x.status)
        .map(|s| format!("HTTP {s}"))
        .unwrap_or_else(|| "no answer".into());
    match w.answer.as_ref().and_then(|a| a.token_form.as_ref()) {
        Some(f) => format!(
            "{status}, a form carrying wresult to {}",
            f.action
                .as_deref()
                .map(quoted)
                .unwrap_or_else(|| "(no action)".into())
        ),
        None => {
            let login = if w.logged_in {
                " after the login form"
            } else {
                ""
            };
            let body = last
                .map(|x| crate::flow::answer::classify(&x.body).to_string())
                .unwrap_or_default();
            format!("{status}{login}, no token: {body}")
        }
    }
}

/// Why a sign-in cannot be judged at all: it needs a user the target lacks, or it brought no
/// answer. None when it can.
fn signin_gate(w: &WsfedObservation) -> Option<Skip> {
    if let Some(why) = &w.refused_credentials {
        return Some(Skip::needs(why.clone()));
    }
    if w.needs_user {
        return Some(Skip::needs(
            "the IdP shows a login form; add a [[user]] with role = \"federated\" and a password",
        ));
    }
    None
}

/// Judges one sign-in expectation. `other` is the sign-in a `same_client_as` compares with.
pub fn judge_signin(e: &SigninExpect, w: &WsfedObservation, other: Option<&StepOutput>) -> Finding {
    let key = crate::suite::Expectation::Signin(e.clone()).key();
    // A malformed request is judged on whatever came back, a login form included.
    if *e == SigninExpect::Refused4xx {
        return refused_4xx(w);
    }
    if let Some(s) = signin_gate(w) {
        return skipped(key, s);
    }
    if let Some(why) = &w.stopped {
        return skipped(
            key,
            Skip::blocked("WSF-6", format!("the sign-in stopped: {why}")),
        );
    }
    if w.answer.is_none()
        && w.off_origin_redirect.is_none()
        && let Some(last) = w.last()
    {
        // A refusal is judged on whatever came back: broken HTTP delivers no token either.
        if *e == SigninExpect::TokenDelivered(false)
            && let Some(f) = last.failure.as_ref().filter(|f| unusable_answer(f))
        {
            return finding(
                key,
                CheckResult::Pass,
                "a refusal: no token delivered anywhere",
                format!("no token: {}", f.describe()),
            );
        }
        let document = matches!(
            e,
            SigninExpect::TokenDelivered(true)
                | SigninExpect::PostsToWreply
                | SigninExpect::ConnectionSelected
        );
        return finding(
            key,
            no_answer(last, Family::WsfedSignin, document),
            "a whole answer",
            super::transport::came_back(last),
        );
    }
    match e {
        SigninExpect::TokenDelivered(want) => token_delivered(*want, w),
        SigninExpect::PostsToWreply => posts_to_wreply(w),
        SigninExpect::WctxEchoed => wctx_echoed(w),
        SigninExpect::NoPlaceholderWctx => no_placeholder_wctx(w),
        SigninExpect::WresultRstr => wresult_rstr(w),
        SigninExpect::TokenAudience => token_audience(w),
        SigninExpect::TokenCurrent => token_current(w),
        SigninExpect::TokenSignature => token_signature(w),
        SigninExpect::TokenSignatureSha2 => token_signature_sha2(w),
        SigninExpect::ConnectionSelected => connection_selected(w),
        SigninExpect::SameClientAs(step) => same_client_as(*step, w, other),
        SigninExpect::Refused4xx => refused_4xx(w),
    }
}

/// WSF-16: "A malformed sign-in request (a repeated `wtrealm` or `wa`, an over-long `wctx`) is
/// refused with a 4xx and no token, never a 5xx." Judged on whatever came back after any login
/// form: a token, a redirect, an error page with another status, broken HTTP all fail it.
fn refused_4xx(w: &WsfedObservation) -> Finding {
    const KEY: &str = "refused_4xx";
    let expected = "a refusal: HTTP 4xx and no token (never a 5xx)";
    let fail = |actual: String| finding(KEY, CheckResult::Fail, expected, actual);
    if w.token_delivered() {
        return fail(format!("a token, delivered: {}", ending(w)));
    }
    // A login form first is no refusal yet: what follows the login decides (an IdP may check
    // the request once the user is known); without a user to log in with, it cannot be seen.
    if let Some(s) = signin_gate(w) {
        return skipped(KEY, s);
    }
    if let Some(l) = &w.off_origin_redirect {
        return fail(format!(
            "a redirect off the IdP to {}, not a 4xx",
            quoted(l)
        ));
    }
    if let Some(why) = &w.stopped {
        return fail(why.clone());
    }
    let Some(last) = w.last() else {
        return finding(KEY, CheckResult::Error("no exchange".into()), expected, "");
    };
    if let Some(b) = crate::check::transport::transport_blocker(last) {
        return skipped(KEY, Skip::Blocked(b));
    }
    match (&last.failure, last.status) {
        (Some(f @ (Failure::Connect { .. } | Failure::Timeout { .. })), _) => finding(
            KEY,
            CheckResult::Error(super::transport::no_answer_text(last, f)),
            expected,
            "no answer",
        ),
        (Some(f), _) => fail(format!("no 4xx answer: {}", f.describe())),
        (None, Some(code)) if (400..500).contains(&code) => finding(
            KEY,
            CheckResult::Pass,
            expected,
            crate::flow::answer::describe_exchange(last),
        ),
        (None, Some(code)) if code >= 500 => fail(format!(
            "{}: a server error, where a malformed request must be refused with a 4xx",
            crate::flow::answer::describe_exchange(last)
        )),
        (None, _) => fail(format!(
            "{}: no token, but not refused with a 4xx",
            crate::flow::answer::describe_exchange(last)
        )),
    }
}

fn token_form(w: &WsfedObservation) -> Option<&crate::flow::wsfed::Form> {
    w.answer.as_ref().and_then(|a| a.token_form.as_ref())
}

/// WSF-6, WSF-8…10, WSF-12: whether a token leaves the IdP (a refusal delivers none anywhere).
fn token_delivered(want: bool, w: &WsfedObservation) -> Finding {
    finding(
        "token_delivered",
        pass_if(w.token_delivered() == want),
        if want {
            "a token delivered to the wreply"
        } else {
            "a refusal: no token delivered anywhere"
        },
        ending(w),
    )
}

/// WSF-6: "A valid sign-in returns a form that POSTs to `wreply` with `wa=wsignin1.0`,
/// `wresult`…"
fn posts_to_wreply(w: &WsfedObservation) -> Finding {
    let wreply = w.params.wreply.as_deref().unwrap_or("");
    let (ok, actual) = match token_form(w) {
        None => (false, ending(w)),
        Some(f) => {
            let mut problems = Vec::new();
            if f.action.as_deref() != Some(wreply) {
                problems.push(format!(
                    "action {}",
                    quoted(f.action.as_deref().unwrap_or(""))
                ));
            }
            if f.method != "POST" {
                problems.push(format!("method {}", quoted(&f.method)));
            }
            if f.value("wa") != Some(WSIGNIN) {
                problems.push(format!(
                    "wa {}",
                    f.value("wa").map(quoted).unwrap_or_else(|| "absent".into())
                ));
            }
            if f.value("wresult").is_none_or(|v| v.trim().is_empty()) {
                problems.push("an empty wresult".into());
            }
            if problems.is_empty() {
                (
                    true,
                    format!("POST {} with wa={WSIGNIN} and wresult", quoted(wreply)),
                )
            } else {
                (false, problems.join(", "))
            }
        }
    };
    finding(
        "posts_to_wreply",
        pass_if(ok),
        format!(
            "a form that POSTs wa={WSIGNIN} and wresult to {}",
            quoted(wreply)
        ),
        actual,
    )
}

/// WSF-6: "…and `wctx` byte-identical to the one sent."
fn wctx_echoed(w: &WsfedObservation) -> Finding {
    match (&w.params.wctx, token_form(w)) {
        (None, _) => skipped("wctx_echoed", Skip::not_applicable("no wctx was sent")),
        (Some(_), None) => skipped(
            "wctx_echoed",
            Skip::blocked("WSF-6", format!("no token form: {}", ending(w))),
        ),
        (Some(sent), Some(f)) => finding(
            "wctx_echoed",
            pass_if(f.value("wctx") == Some(sent.as_str())),
            format!("wctx = {}", quoted(sent)),
            f.value("wctx")
                .map(|v| format!("wctx = {}", quoted(v)))
                .unwrap_or_else(|| "no wctx field".into()),
        ),
    }
}

/// The values a placeholder context takes when a client has none: JavaScript's `undefined` and
/// `null`, Python's `None`, and the empty string (WSF-11).
pub const PLACEHOLDERS: [&str; 4] = ["undefined", "null", "None", ""];

fn is_placeholder(v: &str) -> bool {
    PLACEHOLDERS
        .iter()
        .any(|p| v.trim().eq_ignore_ascii_case(p))
}

/// Every place a sign-in answer can carry a context, with the value found there: `wctx` fields
/// of every form, the `wresult` RSTR's `Context` attribute, and the `wctx` of every query string
/// (form actions, the redirects of the walk, a redirect off the IdP).
fn context_values(w: &WsfedObservation) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let query_wctx = |place: &str, u: &str, out: &mut Vec<(String, String)>| {
        let Ok(url) =
            url::Url::parse(u).or_else(|_| url::Url::parse("https://x.invalid/")?.join(u))
        else {
            return;
        };
        for (k, v) in url.query_pairs() {
            if k == "wctx" {
                out.push((
                    format!("wctx in the query string of {place}"),
                    v.into_owned(),
                ));
            }
        }
    };
    if let Some(a) = &w.answer {
        for f in &a.forms {
            let action = f.action.as_deref().unwrap_or("");
            for field in f
                .fields
                .iter()
                .filter(|x| x.name.eq_ignore_ascii_case("wctx"))
            {
                out.push((
                    format!("the wctx field of the form to {}", quoted(action)),
                    field.value.clone(),
                ));
            }
            query_wctx(
                &format!("the form action {}", quoted(action)),
                action,
                &mut out,
            );
        }
        if let Some(c) = a.wresult.as_ref().and_then(|r| r.context.as_ref()) {
            out.push((
                "the Context attribute of the wresult RSTR".into(),
                c.clone(),
            ));
        }
    }
    for ex in &w.exchanges {
        for h in &ex.hops {
            query_wctx(
                &format!("the redirect to {}", quoted(&h.location)),
                &h.location,
                &mut out,
            );
        }
    }
    if let Some(l) = &w.off_origin_redirect {
        query_wctx(&format!("the redirect to {}", quoted(l)), l, &mut out);
    }
    out
}

/// WSF-11: "Without `wctx`, no placeholder context (such as `undefined`) appears in the answer."
/// Every place a context can hide is searched for `undefined`, `null`, `None` and empty values.
fn no_placeholder_wctx(w: &WsfedObservation) -> Finding {
    const KEY: &str = "no_placeholder_wctx";
    let found: Vec<String> = context_values(w)
        .into_iter()
        .filter(|(_, v)| is_placeholder(v))
        .map(|(place, v)| format!("{place} = {}", quoted(&v)))
        .collect();
    let expected = "no context anywhere in the answer (none was sent): no wctx field, RSTR Context or wctx query parameter holding undefined, null, None or an empty value";
    if !found.is_empty() {
        return finding(KEY, CheckResult::Fail, expected, found.join("; "));
    }
    if !w.token_delivered() {
        return skipped(
            KEY,
            Skip::blocked(
                "WSF-6",
                format!("the sign-in without wctx delivered no token: {}", ending(w)),
            ),
        );
    }
    let searched = context_values(w);
    finding(
        KEY,
        CheckResult::Pass,
        expected,
        if searched.is_empty() {
            "no context in the form fields, the RSTR's Context or the query strings".to_string()
        } else {
            searched
                .iter()
                .map(|(p, v)| format!("{p} = {}", quoted(v)))
                .collect::<Vec<_>>()
                .join("; ")
        },
    )
}

fn wresult(w: &WsfedObservation) -> Option<&crate::flow::wsfed::WresultAnalysis> {
    token_form(w).and(w.answer.as_ref().and_then(|a| a.wresult.as_ref()))
}

/// The token expectations need a wresult (WSF-6) holding an assertion (WSF-7).
fn token_gate(key: &'static str, w: &WsfedObservation, need_assertion: bool) -> Option<Finding> {
    let Some(r) = wresult(w) else {
        return Some(skipped(key, Skip::blocked("WSF-6", ending(w))));
    };
    (need_assertion && r.rstr.assertion.is_none())
        .then(|| skipped(key, Skip::blocked("WSF-7", "no assertion in wresult")))
}

/// WSF-7: "`wresult` is an RSTR (2005 or 1.3) whose assertion…"
fn wresult_rstr(w: &WsfedObservation) -> Finding {
    if let Some(g) = token_gate("wresult_rstr", w, false) {
        return g;
    }
    let (ok, actual) =
        match wresult(w).map(|r| (&r.parse_error, r.shape, r.rstr.assertion.as_ref())) {
            Some((Some(p), _, _)) => (false, format!("wresult is not XML ({p})")),
            Some((None, None, _)) => (
                false,
                "wresult is not a RequestSecurityTokenResponse".into(),
            ),
            Some((None, Some(s), None)) => (
                false,
                format!("{s} without an assertion in RequestedSecurityToken"),
            ),
            Some((None, Some(s), Some(a))) => (true, format!("{s} holding a {}:Assertion", a.kind)),
            None => (false, ending(w)),
        };
    finding(
        "wresult_rstr",
        pass_if(ok),
        "a WS-Trust 2005 or 1.3 RSTR holding a SAML assertion",
        actual,
    )
}

fn assertion(w: &WsfedObservation) -> Option<&crate::flow::wstrust::Assertion> {
    wresult(w).and_then(|r| r.rstr.assertion.as_ref())
}

/// WSF-7: "…has audience = `wtrealm`…"
fn token_audience(w: &WsfedObservation) -> Finding {
    if let Some(g) = token_gate("token_audience", w, true) {
        return g;
    }
    let audiences = assertion(w)
        .map(|a| a.audiences.clone())
        .unwrap_or_default();
    finding(
        "token_audience",
        pass_if(audiences.iter().any(|a| a == &w.expected_audience)),
        format!("audience {}", quoted(&w.expected_audience)),
        if audiences.is_empty() {
            "no audience".to_string()
        } else {
            format!(
                "audience {}",
                audiences
                    .iter()
                    .map(|s| quoted(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    )
}

/// WSF-7: "…a current lifetime…"
fn token_current(w: &WsfedObservation) -> Finding {
    if let Some(g) = token_gate("token_current", w, true) {
        return g;
    }
    let elapsed = w.exchanges.iter().map(|x| x.elapsed_ms).sum::<u64>();
    let now = w.sent_at + chrono::Duration::milliseconds(elapsed as i64);
    let skew = chrono::Duration::seconds(FRESHNESS_SECONDS);
    let Some(a) = assertion(w) else {
        return skipped("token_current", Skip::blocked("WSF-7", "no assertion"));
    };
    let nb = a.not_before.as_ref().and_then(|i| i.parsed);
    let na = a.not_on_or_after.as_ref().and_then(|i| i.parsed);
    let text = |i: &Option<crate::flow::wstrust::Instant>| {
        i.as_ref()
            .map(|x| quoted(&x.text))
            .unwrap_or_else(|| "absent".into())
    };
    let ok = nb.is_some_and(|t| t <= now + skew) && na.is_some_and(|t| now - skew < t);
    finding(
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
    )
}

/// WSF-7: "…and a signature that verifies with the metadata signing certificate."
fn token_signature(w: &WsfedObservation) -> Finding {
    if let Some(g) = token_gate("token_signature", w, true) {
        return g;
    }
    if w.metadata_certificates == 0 {
        let offline = w.exchanges.first().is_some_and(|x| x.is_offline());
        return skipped(
            "token_signature",
            if offline {
                Skip::needs(
                    "no signing certificate to verify the assertion with: give the IdP's metadata with --metadata FILE",
                )
            } else {
                Skip::blocked("WSF-3", "the metadata gave no signing certificate")
            },
        );
    }
    let sig = wresult(w).and_then(|r| r.signature.as_ref());
    let (ok, actual) = match sig {
        None => (false, "the assertion is not signed".to_string()),
        Some(s) => match &s.verified {
            Ok(()) => (true, format!("the assertion is {}", s.held())),
            Err(why) => (
                false,
                format!("the assertion is signed with {}: {why}", s.describe()),
            ),
        },
    };
    finding(
        "token_signature",
        pass_if(ok),
        "an assertion signature that verifies with the metadata's signing certificate",
        actual,
    )
}

/// WSF-14 on the token's signature.
fn token_signature_sha2(w: &WsfedObservation) -> Finding {
    const KEY: &str = "token_signature_sha2";
    if let Some(g) = token_gate(KEY, w, true) {
        return g;
    }
    match wresult(w).and_then(|r| r.signature.as_ref()) {
        None => skipped(KEY, Skip::blocked("WSF-7", "the assertion is not signed")),
        Some(s) => signature_sha2(KEY, "the assertion is", s),
    }
}

/// The attribute name (suffix) Auth0 writes the issuing connection under.
pub const AUTH0_CONNECTION_CLAIM: &str = "/identities/default/connection";

/// Who issued a token, as the token says it: Auth0's connection claim, or the `OriginalIssuer`
/// AD FS writes on claims from another claims provider. None: the token does not say.
fn issuing_connection(a: &crate::flow::wstrust::Assertion) -> Option<(String, String)> {
    a.attributes
        .iter()
        .find(|x| x.name.ends_with(AUTH0_CONNECTION_CLAIM))
        .and_then(|x| {
            x.values.first().map(|v| {
                (
                    format!("the connection claim {}", quoted(&x.name)),
                    v.clone(),
                )
            })
        })
        .or_else(|| {
            a.attributes.iter().find_map(|x| {
                x.original_issuer.as_ref().map(|o| {
                    (
                        format!("the OriginalIssuer of claim {}", quoted(&x.name)),
                        o.clone(),
                    )
                })
            })
        })
}

/// WSF-12: "`whr=urn:{connection}` selects that connection." A token must come back through
/// `whr`, and where the token says which connection (or claims provider) issued it, that is the
/// one asked for; where it does not say, the selection cannot be observed and is not passed.
fn connection_selected(w: &WsfedObservation) -> Finding {
    const KEY: &str = "connection_selected";
    let Some(whr) = &w.params.whr else {
        return skipped(
            KEY,
            Skip::not_applicable("the target sets no [wsfed] connection"),
        );
    };
    let wanted = whr.strip_prefix("urn:").unwrap_or(whr);
    let expected = format!(
        "a token issued by connection {} (whr={})",
        quoted(wanted),
        quoted(whr)
    );
    if !w.token_delivered() {
        return finding(KEY, CheckResult::Fail, expected, ending(w));
    }
    let Some(a) = assertion(w) else {
        return skipped(KEY, Skip::blocked("WSF-7", "no assertion in wresult"));
    };
    match issuing_connection(a) {
        Some((place, got)) => {
            let ok = got == wanted || got == *whr;
            finding(
                KEY,
                pass_if(ok),
                expected,
                format!("{place} says {}", quoted(&got)),
            )
        }
        None => skipped(
            KEY,
            Skip::needs(format!(
                "a token came back through whr={}, but it does not say which connection issued it (no {} claim, no OriginalIssuer): whether whr selected it cannot be observed",
                quoted(whr),
                quoted(AUTH0_CONNECTION_CLAIM)
            )),
        ),
    }
}

/// WSF-13: "The client-id path form and `wtrealm=urn:{client_id}` reach the same client."
fn same_client_as(step: StepKind, w: &WsfedObservation, other: Option<&StepOutput>) -> Finding {
    const KEY: &str = "same_client_as";
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
    let o = match super::judge::compared(KEY, step, other, |o| match o {
        StepOutput::Wsfed(x) => Some(&**x),
        _ => None,
    }) {
        Ok(x) => x,
        Err(f) => return *f,
    };
    if let Some(s) = signin_gate(o) {
        return skipped(KEY, s);
    }
    let mine = summary(w);
    match summary(o) {
        // Both forms are this requirement's: one that delivers while the other does not fails.
        None if mine.is_some() => finding(
            KEY,
            CheckResult::Fail,
            format!("step {step} to reach the same client"),
            format!("step {step} delivered no token: {}", ending(o)),
        ),
        None => skipped(
            KEY,
            Skip::blocked(
                "WSF-6",
                format!(
                    "neither sign-in form delivered a token: {}; step {step}: {}",
                    ending(w),
                    ending(o)
                ),
            ),
        ),
        Some(t) => finding(
            KEY,
            pass_if(mine.as_ref() == Some(&t)),
            format!(
                "a token to {} for audience {}, as step {step}",
                quoted(&t.0),
                quoted(&t.1)
            ),
            mine.map(|m| format!("a token to {} for audience {}", quoted(&m.0), quoted(&m.1)))
                .unwrap_or_else(|| ending(w)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::wsfed::{SigninParams, analyse_answer};
    use crate::http::{Exchange, Redirects};

    fn ex(status: Option<u16>, body: &str, failure: Option<Failure>) -> Exchange {
        Exchange {
            method: "GET".into(),
            url: "https://idp.example/wsfed/c".into(),
            request_headers: Vec::new(),
            request_body: None,
            hops: Vec::new(),
            final_url: "https://idp.example/wsfed/c".into(),
            status,
            response_headers: vec![("content-type".into(), "text/html".into())],
            body: body.as_bytes().to_vec(),
            elapsed_ms: 1,
            failure,
            redirects: Redirects::Manual,
            tls: None,
        }
    }

    fn rstr(context: &str, token_type: Option<&str>, attributes: &str) -> String {
        let tt = token_type
            .map(|t| format!("<t:TokenType>{t}</t:TokenType>"))
            .unwrap_or_default();
        format!(
            r#"<t:RequestSecurityTokenResponse{context} xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:RequestedSecurityToken><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"><saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion></t:RequestedSecurityToken>{tt}</t:RequestSecurityTokenResponse>"#
        )
    }

    /// A sign-in whose final answer is `html`; `whr` is the connection asked for.
    fn signin(status: u16, html: &str, whr: Option<&str>) -> WsfedObservation {
        WsfedObservation {
            params: SigninParams {
                whr: whr.map(str::to_string),
                ..Default::default()
            },
            client_in_path: true,
            expected_audience: "urn:c".into(),
            metadata_certificates: 0,
            exchanges: vec![ex(Some(status), html, None)],
            logged_in: true,
            needs_user: false,
            off_origin_redirect: None,
            stopped: None,
            answer: Some(analyse_answer(html.as_bytes(), &[])),
            sent_at: chrono::Utc::now(),
            refused_credentials: None,
        }
    }

    fn token_page(wresult: &str, extra_fields: &str, action: &str) -> String {
        format!(
            r#"<html><body><form method="POST" action="{action}"><input type="hidden" name="wa" value="wsignin1.0"><input type="hidden" name="wresult" value="{}">{extra_fields}</form></body></html>"#,
            crate::redact::xml_escape(wresult)
        )
    }

    #[test]
    fn wsf_11_finds_a_placeholder_wherever_it_hides() {
        let clean = signin(
            200,
            &token_page(&rstr("", None, ""), "", "https://rp/cb"),
            None,
        );
        assert_eq!(no_placeholder_wctx(&clean).result, CheckResult::Pass);
        let cases = [
            (
                token_page(
                    &rstr("", None, ""),
                    r#"<input type="hidden" name="wctx" value="undefined">"#,
                    "https://rp/cb",
                ),
                "the wctx field of the form to \"https://rp/cb\" = \"undefined\"",
            ),
            (
                token_page(
                    &rstr(r#" Context="undefined""#, None, ""),
                    "",
                    "https://rp/cb",
                ),
                "the Context attribute of the wresult RSTR = \"undefined\"",
            ),
            (
                token_page(&rstr("", None, ""), "", "https://rp/cb?wctx=null"),
                "wctx in the query string of the form action \"https://rp/cb?wctx=null\" = \"null\"",
            ),
            (
                token_page(
                    &rstr("", None, ""),
                    r#"<input type="hidden" name="wctx" value="None">"#,
                    "https://rp/cb",
                ),
                "= \"None\"",
            ),
            (
                token_page(
                    &rstr("", None, ""),
                    r#"<input type="hidden" name="wctx" value="">"#,
                    "https://rp/cb",
                ),
                "= \"\"",
            ),
        ];
        for (page, said) in cases {
            let f = no_placeholder_wctx(&signin(200, &page, None));
            assert_eq!(f.result, CheckResult::Fail, "{page}");
            assert!(f.actual.contains(said), "{}", f.actual);
        }
    }

    #[test]
    fn wsf_12_reads_the_issuing_connection_or_says_it_cannot() {
        let claim = |c: &str| {
            format!(
                r#"<saml:Attribute AttributeName="connection" AttributeNamespace="http://schemas.auth0.com/identities/default"><saml:AttributeValue>{c}</saml:AttributeValue></saml:Attribute>"#
            )
        };
        let page = |attrs: &str| token_page(&rstr("", None, attrs), "", "https://rp/cb");
        let ok = connection_selected(&signin(
            200,
            &page(&claim("contoso-ad")),
            Some("urn:contoso-ad"),
        ));
        assert_eq!(ok.result, CheckResult::Pass, "{}", ok.actual);
        let wrong = connection_selected(&signin(
            200,
            &page(&claim("Username-Password-Authentication")),
            Some("urn:contoso-ad"),
        ));
        assert_eq!(wrong.result, CheckResult::Fail);
        assert_eq!(
            wrong.actual,
            "the connection claim \"http://schemas.auth0.com/identities/default/connection\" says \"Username-Password-Authentication\""
        );
        let adfs = r#"<saml:Attribute AttributeName="upn" AttributeNamespace="http://schemas.xmlsoap.org/ws/2005/05/identity/claims" a:OriginalIssuer="urn:contoso-ad" xmlns:a="http://schemas.xmlsoap.org/ws/2009/09/identity/claims"><saml:AttributeValue>alice</saml:AttributeValue></saml:Attribute>"#;
        assert_eq!(
            connection_selected(&signin(200, &page(adfs), Some("urn:contoso-ad"))).result,
            CheckResult::Pass
        );
        let silent = connection_selected(&signin(200, &page(""), Some("urn:contoso-ad")));
        assert!(
            matches!(&silent.result, CheckResult::Skip(Skip::NeedsInput { reason }) if reason.contains("cannot be observed")),
            "{:?}",
            silent.result
        );
    }

    #[test]
    fn wsf_16_wants_a_4xx_and_nothing_else() {
        let refused = signin(400, "<html><title>Bad request</title></html>", None);
        assert_eq!(refused_4xx(&refused).result, CheckResult::Pass);
        let crashed = signin(500, "<html><title>Server Error</title></html>", None);
        let f = refused_4xx(&crashed);
        assert_eq!(f.result, CheckResult::Fail);
        assert!(
            f.actual.contains("HTTP 500") && f.actual.contains("a server error"),
            "{}",
            f.actual
        );
        let page = signin(200, "<html><title>Error</title></html>", None);
        assert!(refused_4xx(&page).actual.contains("not refused with a 4xx"));
        let token = signin(
            200,
            &token_page(&rstr("", None, ""), "", "https://rp/cb"),
            None,
        );
        assert!(refused_4xx(&token).actual.starts_with("a token, delivered"));
        let mut login = signin(
            200,
            "<html><form><input type=password name=p></form></html>",
            None,
        );
        login.needs_user = true;
        login.logged_in = false;
        assert!(matches!(
            refused_4xx(&login).result,
            CheckResult::Skip(Skip::NeedsInput { .. })
        ));
        let mut reset = signin(200, "", None);
        reset.exchanges = vec![ex(
            None,
            "",
            Some(Failure::Protocol {
                detail: "reset".into(),
            }),
        )];
        reset.answer = None;
        assert_eq!(refused_4xx(&reset).result, CheckResult::Fail);
        let mut tls = reset.clone();
        tls.exchanges = vec![ex(
            None,
            "",
            Some(Failure::Tls {
                failure: crate::http::TlsFailure::Certificate {
                    reason: "bad".into(),
                },
            }),
        )];
        assert!(matches!(
            refused_4xx(&tls).result,
            CheckResult::Skip(Skip::Blocked(_))
        ));
    }

    #[test]
    fn wsf_5_compares_the_type_issued_even_without_a_token_type() {
        let metadata = |types: &[&str]| MetadataAnalysis {
            entity_descriptor: true,
            token_types: types.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let no_type = StepOutput::Wsfed(Box::new(signin(
            200,
            &token_page(&rstr("", None, ""), "", "https://rp/cb"),
            None,
        )));
        let saml1 = "urn:oasis:names:tc:SAML:1.0:assertion";
        let saml2 = "urn:oasis:names:tc:SAML:2.0:assertion";
        let f = offers_token_type_of(StepKind::WsfedSignin, &metadata(&[saml1]), Some(&no_type));
        assert_eq!(f.result, CheckResult::Pass, "{}", f.actual);
        assert!(
            f.expected
                .contains("a saml:Assertion (the RSTR has no TokenType)")
        );
        let f = offers_token_type_of(StepKind::WsfedSignin, &metadata(&[saml2]), Some(&no_type));
        assert_eq!(f.result, CheckResult::Fail);
        let f = offers_token_type_of(
            StepKind::WsfedSignin,
            &metadata(&[saml1, saml2]),
            Some(&no_type),
        );
        assert_eq!(f.result, CheckResult::Warn);
        assert!(
            f.actual
                .contains("never issued to this client: \"urn:oasis:names:tc:SAML:2.0:assertion\""),
            "{}",
            f.actual
        );
        // The token profile's URI for the same kind counts.
        let typed = StepOutput::Wsfed(Box::new(signin(
            200,
            &token_page(
                &rstr(
                    "",
                    Some(
                        "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1",
                    ),
                    "",
                ),
                "",
                "https://rp/cb",
            ),
            None,
        )));
        assert_eq!(
            offers_token_type_of(StepKind::WsfedSignin, &metadata(&[saml1]), Some(&typed)).result,
            CheckResult::Pass
        );
    }
}
