//! Transport checks on a step's exchanges (SPEC.md TLS-1…TLS-4), the HTTP status and media type
//! (PRE-1, PRE-7, MEX-1, WSF-1), and what an exchange that brought no usable answer means for the
//! body expectations: a failed transport requirement blocks them, a network failure is an error.

use super::{Blocker, CheckResult, Finding, Skip, finding, pass_if, quoted};
use crate::http::{Exchange, Failure, Redirects, Trust};
use crate::suite::{Family, TransportExpect};

/// macOS's request timeout, in seconds (TLS-4; the Platform SSO requests use URLSession's
/// default of 30 s per request, SPEC.md).
pub const MACOS_TIMEOUT_SECONDS: u64 = 30;

/// The requirement an exchange's failure violates, when the IdP is at fault: TLS-1 for a
/// certificate or a non-https URL, TLS-2 for a redirect to http or one the client does not
/// follow. None for network failures (the network's fault) and for unusable answers (the step's
/// document requirement judges those).
pub fn transport_blocker(ex: &Exchange) -> Option<Blocker> {
    let f = ex.failure.as_ref()?;
    let at = if ex.final_url.is_empty() {
        ex.url.clone()
    } else {
        ex.final_url.clone()
    };
    match f {
        Failure::Tls { .. } | Failure::NotHttps { .. } => {
            Some(Blocker::new("TLS-1", format!("{at}: {}", f.describe())))
        }
        Failure::RedirectToHttp { .. } => {
            Some(Blocker::new("TLS-2", format!("{at}: {}", f.describe())))
        }
        Failure::RedirectRefused { .. } if ex.redirects == Redirects::Refuse => {
            Some(Blocker::new("TLS-2", format!("{at}: {}", f.describe())))
        }
        _ => None,
    }
}

/// The requirement a family's document expectation judges: an unusable answer (a redirect loop,
/// a body over the cap, broken HTTP) fails it, and blocks the family's other expectations.
pub fn document_requirement(family: Family) -> &'static str {
    match family {
        Family::Preauth => "PRE-2",
        Family::Mex => "MEX-2",
        Family::Login => "WST-1",
        Family::WsfedMetadata => "WSF-1",
        Family::WsfedSignin => "WSF-6",
    }
}

/// True when the endpoint answered, but with nothing usable: the IdP's fault, not the network's.
pub fn unusable_answer(f: &Failure) -> bool {
    matches!(
        f,
        Failure::TooManyRedirects
            | Failure::BodyTooLarge { .. }
            | Failure::DecodedTooLarge { .. }
            | Failure::Undecodable { .. }
            | Failure::Protocol { .. }
    )
}

/// What a body expectation gets when its exchange brought no whole answer: blocked by the
/// transport requirement that failed, an error for a network failure, blocked by the family's
/// document requirement for an unusable answer (`document` is the expectation that judges that
/// requirement itself: it fails).
pub fn no_answer(ex: &Exchange, family: Family, document: bool) -> CheckResult {
    if let Some(b) = transport_blocker(ex) {
        return CheckResult::Skip(Skip::Blocked(b));
    }
    match &ex.failure {
        Some(f @ (Failure::Connect { .. } | Failure::Timeout { .. })) => {
            CheckResult::Error(format!("{}: {}", ex.url, f.describe()))
        }
        Some(f) if unusable_answer(f) && document => CheckResult::Fail,
        Some(f) => CheckResult::Skip(Skip::blocked(
            document_requirement(family),
            format!("{}: {}", ex.final_url, f.describe()),
        )),
        None => CheckResult::Skip(Skip::blocked(
            document_requirement(family),
            format!("{}: no answer", ex.url),
        )),
    }
}

/// Judges one transport expectation on a step's exchanges, in order (a WS-Federation sign-in
/// makes several; the others one).
pub fn judge(t: &TransportExpect, exchanges: &[Exchange]) -> Finding {
    match t {
        TransportExpect::Status(s) => status(*s, exchanges.last()),
        TransportExpect::ContentType(ct) => content_type(ct, exchanges.last()),
        TransportExpect::ValidCertificate => valid_certificate(exchanges),
        TransportExpect::NoHttpRedirect => no_http_redirect(exchanges),
        TransportExpect::PublicRoot => public_root(exchanges),
        TransportExpect::Timely => timely(exchanges),
    }
}

/// The final answer's status, unless the exchange ended before one (a refused redirect's 3xx is
/// not the endpoint's answer).
fn final_status(ex: &Exchange) -> Result<u16, CheckResult> {
    match (&ex.failure, ex.status) {
        (
            None
            | Some(Failure::BodyTooLarge { .. })
            | Some(Failure::DecodedTooLarge { .. })
            | Some(Failure::Undecodable { .. })
            | Some(Failure::Protocol { .. }),
            Some(code),
        ) => Ok(code),
        _ => Err(no_answer(ex, Family::Mex, false)),
    }
}

/// PRE-1, PRE-5, MEX-1, WSF-1: the final answer's HTTP status.
fn status(s: crate::suite::StatusExpect, ex: Option<&Exchange>) -> Finding {
    let Some(ex) = ex else {
        return finding("status", CheckResult::Error("no exchange".into()), "", "");
    };
    match final_status(ex) {
        Ok(code) => finding(
            "status",
            pass_if(s.accepts(code)),
            format!("HTTP {s}"),
            format!("HTTP {code}"),
        ),
        Err(why) => finding("status", why, format!("HTTP {s}"), "no answer"),
    }
}

/// PRE-7: the media type, parameters ignored, compared case-insensitively.
fn content_type(ct: &str, ex: Option<&Exchange>) -> Finding {
    let Some(ex) = ex else {
        return finding(
            "content_type",
            CheckResult::Error("no exchange".into()),
            "",
            "",
        );
    };
    let actual = ex.media_type();
    let result = match final_status(ex) {
        Ok(_) => pass_if(actual.as_deref() == Some(ct.to_ascii_lowercase().as_str())),
        Err(why) => why,
    };
    finding(
        "content_type",
        result,
        format!("Content-Type {}", quoted(ct)),
        actual
            .map(|a| format!("Content-Type {}", quoted(&a)))
            .unwrap_or_else(|| "no Content-Type".into()),
    )
}

/// TLS-1: "Every endpoint … is https with a certificate valid for the host and chaining to the
/// trust store in use." Judged on every exchange of the step.
fn valid_certificate(exchanges: &[Exchange]) -> Finding {
    const KEY: &str = "valid_certificate";
    let expected = "an https endpoint with a certificate valid for the host";
    for ex in exchanges {
        match &ex.failure {
            Some(f @ (Failure::Tls { .. } | Failure::NotHttps { .. })) => {
                return finding(
                    KEY,
                    CheckResult::Fail,
                    expected,
                    format!("{}: {}", ex.final_url, f.describe()),
                );
            }
            Some(f @ (Failure::Connect { .. } | Failure::Timeout { .. }))
                if ex.status.is_none() =>
            {
                return finding(
                    KEY,
                    CheckResult::Error(format!("{}: {}", ex.url, f.describe())),
                    expected,
                    "no connection",
                );
            }
            _ => {}
        }
    }
    let hosts: Vec<String> = hosts(exchanges);
    finding(
        KEY,
        CheckResult::Pass,
        expected,
        format!("TLS to {} verified", hosts.join(", ")),
    )
}

fn hosts(exchanges: &[Exchange]) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for ex in exchanges {
        if let Some(h) = url::Url::parse(&ex.final_url).ok().and_then(|u| {
            u.host_str()
                .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(443)))
        }) && !hosts.contains(&h)
        {
            hosts.push(h);
        }
    }
    hosts
}

/// TLS-2: "No redirect from https to http, and none at all where macOS does not follow one (STS
/// POST)." A sign-in whose redirects the harness follows itself (WS-Federation) fails only on a
/// redirect to http.
fn no_http_redirect(exchanges: &[Exchange]) -> Finding {
    const KEY: &str = "no_http_redirect";
    for ex in exchanges {
        if let Some(b) = transport_blocker(ex).filter(|b| b.requirement == "TLS-2") {
            let expected = match ex.failure {
                Some(Failure::RedirectRefused { .. }) => {
                    "no redirect at all (macOS follows none here)"
                }
                _ => "no redirect to http",
            };
            return finding(KEY, CheckResult::Fail, expected, b.cause);
        }
        if ex.redirects == Redirects::Manual
            && let Some(Failure::RedirectRefused { location }) = &ex.failure
            && url::Url::parse(&ex.final_url)
                .and_then(|u| u.join(location))
                .is_ok_and(|u| u.scheme() == "http")
        {
            return finding(
                KEY,
                CheckResult::Fail,
                "no redirect to http",
                format!("{} redirected to {location}", ex.final_url),
            );
        }
        if let Some(f) = &ex.failure
            && ex.status.is_none()
            && matches!(
                f,
                Failure::Connect { .. }
                    | Failure::Timeout { .. }
                    | Failure::Tls { .. }
                    | Failure::NotHttps { .. }
            )
        {
            return finding(
                KEY,
                no_answer(ex, Family::Mex, false),
                "no redirect to http",
                "no answer",
            );
        }
    }
    let hops: usize = exchanges
        .iter()
        .map(|e| {
            e.hops.len() + usize::from(matches!(e.failure, Some(Failure::RedirectRefused { .. })))
        })
        .sum();
    finding(
        KEY,
        CheckResult::Pass,
        "no redirect to http",
        format!("{hops} redirect(s), all https"),
    )
}

/// TLS-3: "The chain ends in a public root: macOS trusts only system roots for these requests,
/// never user- or MDM-installed CAs." A chain that needed the target's `extra_ca_files` warns.
fn public_root(exchanges: &[Exchange]) -> Finding {
    const KEY: &str = "public_root";
    let expected = "a chain that ends in a public root (the Mozilla root set)";
    let mut seen = Vec::new();
    for ex in exchanges {
        match ex.tls.as_ref().map(|t| &t.trust) {
            Some(Trust::PrivateCa) => {
                return finding(
                    KEY,
                    CheckResult::Fail,
                    expected,
                    format!(
                        "{}: the chain ends in a CA that is not a public root (from [tls] extra_ca_files or this machine's store): a Mac trusts only system roots for Platform SSO",
                        ex.final_url
                    ),
                );
            }
            Some(t) => seen.push(match t {
                Trust::ReferenceRoot => "a reference root standing in for a public root",
                _ => "a public root",
            }),
            None if ex.status.is_none() => {
                let r = match transport_blocker(ex) {
                    Some(b) => CheckResult::Skip(Skip::Blocked(b)),
                    None => no_answer(ex, Family::Mex, false),
                };
                return finding(KEY, r, expected, "no TLS handshake");
            }
            None => {}
        }
    }
    seen.dedup();
    finding(
        KEY,
        CheckResult::Pass,
        expected,
        if seen.is_empty() {
            "no TLS handshake recorded".to_string()
        } else {
            format!("the chain ends in {}", seen.join(" and "))
        },
    )
}

/// TLS-4: "Each answer arrives within 30 s (the macOS request timeout)."
fn timely(exchanges: &[Exchange]) -> Finding {
    const KEY: &str = "timely";
    let expected = format!("every answer within {MACOS_TIMEOUT_SECONDS} s");
    let limit_ms = MACOS_TIMEOUT_SECONDS * 1000;
    let mut slowest: Option<&Exchange> = None;
    for ex in exchanges {
        if ex.elapsed_ms > limit_ms {
            let what = match ex.failure {
                Some(Failure::Timeout { .. }) => "no answer",
                _ => "the answer arrived",
            };
            return finding(
                KEY,
                CheckResult::Fail,
                expected,
                format!(
                    "{}: {what} after {:.1} s",
                    ex.url,
                    ex.elapsed_ms as f64 / 1000.0
                ),
            );
        }
        if let Some(f @ (Failure::Connect { .. } | Failure::Timeout { .. })) = &ex.failure {
            return finding(
                KEY,
                CheckResult::Error(format!("{}: {}", ex.url, f.describe())),
                expected,
                "no answer",
            );
        }
        if slowest.is_none_or(|s| ex.elapsed_ms > s.elapsed_ms) {
            slowest = Some(ex);
        }
    }
    finding(
        KEY,
        CheckResult::Pass,
        expected,
        slowest
            .map(|s| format!("slowest answer {} ms", s.elapsed_ms))
            .unwrap_or_else(|| "no exchange".into()),
    )
}
