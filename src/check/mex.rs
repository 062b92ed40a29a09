//! MEX checks (SPEC.md MEX-2…MEX-10) on the document as macOS reads it.

use super::transport::no_answer;
use super::{CheckResult, Finding, Skip, finding, pass_if, quoted, skipped};
use crate::flow::WsTrustVersion;
use crate::flow::mex::MexAnalysis;
use crate::http::Exchange;
use crate::suite::{Family, MexExpect};

/// Judges one MEX expectation on the MEX exchange and its analysis.
pub fn judge(e: &MexExpect, a: Option<&MexAnalysis>, ex: &Exchange) -> Finding {
    let key = crate::suite::Expectation::Mex(e.clone()).key();
    let Some(a) = a else {
        return finding(
            key,
            no_answer(ex, Family::Mex, *e == MexExpect::Wsdl),
            "a whole answer",
            super::transport::came_back(ex),
        );
    };
    if *e == MexExpect::Wsdl {
        return wsdl(a, ex);
    }
    if let Some(why) = not_wsdl_described(a, ex) {
        return skipped(key, Skip::blocked("MEX-2", why));
    }
    match e {
        MexExpect::Wsdl => wsdl(a, ex),
        MexExpect::EndpointSelected => endpoint_selected(a),
        MexExpect::HttpsOnly => https_only(a),
        MexExpect::TransportBinding => transport_binding(a),
        MexExpect::InventoryConsistent => inventory_consistent(a),
        MexExpect::PreferredVersion(v) => with_selection(key, a, |a| preferred_version(*v, a)),
        MexExpect::AlsoAdvertises(v) => with_selection(key, a, |a| also_advertises(*v, a)),
        MexExpect::NoPasswordDigest => with_selection(key, a, no_password_digest),
        // Whitespace that makes an endpoint unusable is MEX-8's even without a selection.
        MexExpect::CleanAddress => clean_address(a),
    }
}

fn not_wsdl(a: &MexAnalysis) -> Option<String> {
    match &a.parse_error {
        Some(pe) => Some(format!("not well-formed XML at {pe}")),
        None if a.definitions == 0 => {
            Some("well-formed XML without a wsdl:definitions element".into())
        }
        None => None,
    }
}

/// MEX-2's account of a body that is no WSDL, naming what it is instead (an HTML page, JSON, a
/// SOAP fault…).
fn not_wsdl_described(a: &MexAnalysis, ex: &Exchange) -> Option<String> {
    use crate::flow::answer::BodyKind;
    not_wsdl(a).map(|why| match crate::flow::answer::classify(&ex.body) {
        // The parser's own account says it: where the XML breaks, or that it has no WSDL.
        BodyKind::BrokenXml { .. } | BodyKind::Xml { .. } | BodyKind::Binary => why,
        // Something else came back: say what it is, not how an XML parser fails on it.
        other if a.parse_error.is_some() => format!("not XML but {other}"),
        other => format!("{why}: {other}"),
    })
}

/// The expectations that read macOS's selection are blocked by MEX-3 without one.
fn with_selection(
    key: &'static str,
    a: &MexAnalysis,
    judge: impl Fn(&MexAnalysis) -> Finding,
) -> Finding {
    if a.selected.is_none() {
        return skipped(key, Skip::blocked("MEX-3", a.why_none()));
    }
    judge(a)
}

fn selected_text(a: &MexAnalysis) -> String {
    a.selected
        .as_ref()
        .map(|s| {
            format!(
                "WS-Trust {} at {} (port {})",
                s.version,
                quoted(&s.address),
                quoted(&s.port)
            )
        })
        .unwrap_or_else(|| "no endpoint".into())
}

/// MEX-2: "The body is well-formed XML containing a `wsdl:definitions` element."
fn wsdl(a: &MexAnalysis, ex: &Exchange) -> Finding {
    let why = not_wsdl_described(a, ex);
    finding(
        "wsdl",
        pass_if(why.is_none()),
        "well-formed XML containing wsdl:definitions",
        why.unwrap_or_else(|| format!("{} wsdl:definitions element(s)", a.definitions)),
    )
}

/// MEX-3: "The selection above yields an endpoint (a username/password WS-Trust endpoint macOS
/// can use)." Without one, every endpoint that looks like one is named with the first rule it
/// breaks and the offending value.
fn endpoint_selected(a: &MexAnalysis) -> Finding {
    let actual = if a.selected.is_some() {
        format!("macOS selects {}", selected_text(a))
    } else {
        a.why_none()
    };
    finding(
        "endpoint_selected",
        pass_if(a.selected.is_some()),
        "a username/password endpoint macOS can use",
        actual,
    )
}

/// MEX-4: "A WS-Trust 1.3 endpoint is advertised (macOS prefers 1.3)."
fn preferred_version(v: WsTrustVersion, a: &MexAnalysis) -> Finding {
    let mut actual = format!("macOS selects {}", selected_text(a));
    if a.selected.as_ref().map(|s| s.version) != Some(v)
        && let Some(ep) = a.endpoints.iter().find(|ep| ep.version == v)
    {
        actual.push_str(&format!(
            "; the WS-Trust {v} {}: {}",
            ep.label(),
            ep.reasons.first().map(String::as_str).unwrap_or("")
        ));
    }
    finding(
        "preferred_version",
        pass_if(a.selected.as_ref().map(|s| s.version) == Some(v)),
        format!("macOS selects WS-Trust {v}"),
        actual,
    )
}

/// MEX-5: "A WS-Trust 2005 username endpoint is advertised too."
fn also_advertises(v: WsTrustVersion, a: &MexAnalysis) -> Finding {
    let found = a.endpoints.iter().find(|ep| ep.usable && ep.version == v);
    let actual = match found {
        Some(ep) => format!(
            "{} at {}",
            ep.label(),
            quoted(ep.address.as_deref().unwrap_or_default())
        ),
        None => match a.endpoints.iter().find(|ep| ep.version == v) {
            Some(ep) => format!(
                "none usable: {}: {}",
                ep.label(),
                ep.reasons.first().map(String::as_str).unwrap_or("")
            ),
            None => format!("no WS-Trust {v} username endpoint"),
        },
    };
    finding(
        "also_advertises",
        pass_if(found.is_some()),
        format!("a usable WS-Trust {v} username endpoint"),
        actual,
    )
}

/// An endpoint's policy in words, when it tells why a client would use it: message security is
/// for clients that sign and encrypt the message themselves.
fn security_note(ep: &crate::flow::mex::Endpoint) -> String {
    match ep.security_binding.as_deref() {
        Some(b @ ("SymmetricBinding" | "AsymmetricBinding")) => format!(
            " (message security: its policy asserts sp:{b}, for clients that sign and encrypt the message themselves; macOS skips it)"
        ),
        _ => String::new(),
    }
}

/// MEX-6: "https only: the selected address is https; every advertised username endpoint with an
/// http address is reported (failure when it is the only one, warning otherwise)." An endpoint
/// counts when an http address is the first rule it breaks.
fn https_only(a: &MexAnalysis) -> Finding {
    let http: Vec<String> = a
        .endpoints
        .iter()
        .filter(|ep| ep.http_only_problem)
        .map(|ep| {
            format!(
                "{} at {}{}",
                ep.label(),
                quoted(ep.address.as_deref().unwrap_or_default()),
                security_note(ep)
            )
        })
        .collect();
    if http.is_empty() && a.selected.is_none() {
        return skipped("https_only", Skip::blocked("MEX-3", a.why_none()));
    }
    let result = if http.is_empty() {
        CheckResult::Pass
    } else if a.selected.is_none() {
        CheckResult::Fail
    } else {
        CheckResult::Warn
    };
    let actual = if http.is_empty() {
        format!(
            "macOS selects {}; no username endpoint macOS reads has an http address",
            selected_text(a)
        )
    } else {
        format!("http username endpoint(s): {}", http.join("; "))
    };
    finding(
        "https_only",
        result,
        "no username endpoint at an http address",
        actual,
    )
}

/// MEX-7: "The username-token policy does not require a password digest (no `sp:HashPassword`
/// in it): macOS sends only PasswordText."
fn no_password_digest(a: &MexAnalysis) -> Finding {
    let selected_hash = a.selected_endpoint().is_some_and(|ep| ep.hash_password);
    let others: Vec<String> = a
        .endpoints
        .iter()
        .filter(|ep| !ep.selected && ep.hash_password)
        .map(|ep| ep.label())
        .collect();
    let (result, actual) = if selected_hash {
        (
            CheckResult::Fail,
            format!(
                "the selected policy {} requires sp:HashPassword",
                a.selected
                    .as_ref()
                    .map(|s| quoted(&s.policy_id))
                    .unwrap_or_default()
            ),
        )
    } else if others.is_empty() {
        (
            CheckResult::Pass,
            "no username policy requires a digest".to_string(),
        )
    } else {
        (
            CheckResult::Warn,
            format!(
                "other endpoints require sp:HashPassword: {}",
                others.join(", ")
            ),
        )
    };
    finding(
        "no_password_digest",
        result,
        "no sp:HashPassword (macOS sends PasswordText)",
        actual,
    )
}

/// MEX-8: "The selected address is a clean absolute URL: no surrounding whitespace, parses,
/// matches the port's `soap12:address/@location` (warning when they differ)." Whitespace that
/// makes another username endpoint unusable (macOS requires the text to start with `https://`)
/// fails it too.
fn clean_address(a: &MexAnalysis) -> Finding {
    const EXPECTED: &str = "a clean absolute URL equal to soap12:address/@location";
    let skipped_for_whitespace: Vec<String> = a
        .endpoints
        .iter()
        .filter_map(|ep| {
            ep.cause
                .as_ref()
                .filter(|c| c.rule == "address-whitespace")
                .map(|c| format!("{}: {}", ep.label(), c.message))
        })
        .collect();
    if a.selected.is_none() {
        if skipped_for_whitespace.is_empty() {
            return skipped("clean_address", Skip::blocked("MEX-3", a.why_none()));
        }
        return finding(
            "clean_address",
            CheckResult::Fail,
            EXPECTED,
            skipped_for_whitespace.join("; "),
        );
    }
    let addr = a
        .selected
        .as_ref()
        .map(|s| s.address.as_str())
        .unwrap_or("");
    let location = a
        .selected_endpoint()
        .and_then(|ep| ep.soap12_location.clone());
    let (mut result, mut actual) = if addr.trim() != addr {
        (
            CheckResult::Fail,
            format!(
                "the selected address {} has surrounding whitespace",
                quoted(addr)
            ),
        )
    } else {
        match url::Url::parse(addr) {
            Err(err) => (
                CheckResult::Fail,
                format!("{} does not parse: {err}", quoted(addr)),
            ),
            Ok(u) if u.host().is_none() => {
                (CheckResult::Fail, format!("{} has no host", quoted(addr)))
            }
            Ok(_) => match &location {
                Some(l) if l.trim() != addr => (
                    CheckResult::Warn,
                    format!("{} differs from soap12:address {}", quoted(addr), quoted(l)),
                ),
                None => (
                    CheckResult::Warn,
                    format!("{}; the port has no soap12:address", quoted(addr)),
                ),
                _ => (
                    CheckResult::Pass,
                    format!("{}, equal to soap12:address", quoted(addr)),
                ),
            },
        }
    };
    if !skipped_for_whitespace.is_empty() {
        result = CheckResult::Fail;
        actual = format!(
            "{actual}; skipped for whitespace: {}",
            skipped_for_whitespace.join("; ")
        );
    }
    finding("clean_address", result, EXPECTED, actual)
}

/// MEX-9: "The username policy also asserts `sp:TransportBinding` (MSAL requires it)." Judged on
/// the username endpoints a client can use (https, every rule of the selection kept): message
/// security endpoints at http addresses, which no client uses for a password, do not count.
fn transport_binding(a: &MexAnalysis) -> Finding {
    let usable: Vec<&crate::flow::mex::Endpoint> =
        a.endpoints.iter().filter(|ep| ep.usable).collect();
    if usable.is_empty() {
        return skipped("transport_binding", Skip::blocked("MEX-3", a.why_none()));
    }
    let lacking: Vec<String> = usable
        .iter()
        .filter(|ep| !ep.transport_binding)
        .map(|ep| {
            format!(
                "{} ({})",
                ep.label(),
                ep.security_binding
                    .as_deref()
                    .map(|b| format!("its policy asserts sp:{b}"))
                    .unwrap_or_else(|| "its policy asserts no security binding".into())
            )
        })
        .collect();
    finding(
        "transport_binding",
        pass_if(lacking.is_empty()),
        "sp:TransportBinding in the policy of every username endpoint a client can use",
        if lacking.is_empty() {
            format!(
                "present in the {} usable username endpoint(s)",
                usable.len()
            )
        } else {
            format!("absent for {}", lacking.join(", "))
        },
    )
}

/// MEX-10: the inventory: every policy, binding and port, every reference resolving, no name
/// given twice; each username endpoint with why it is (not) usable.
fn inventory_consistent(a: &MexAnalysis) -> Finding {
    let username = a.policies.iter().filter(|p| p.looks_like_username).count();
    let endpoints: Vec<String> = a
        .endpoints
        .iter()
        .map(|ep| {
            let status = if ep.selected {
                "selected".to_string()
            } else if ep.usable {
                "usable".to_string()
            } else {
                format!(
                    "not usable: {}",
                    ep.reasons.first().map(String::as_str).unwrap_or("")
                )
            };
            let notes = if ep.notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", ep.notes.join("; "))
            };
            format!("{} {status}{notes}", ep.label())
        })
        .collect();
    let mut problems: Vec<String> = a.dangling.clone();
    problems.extend(a.duplicates.iter().cloned());
    let summary = format!(
        "{} policies ({username} with a UsernameToken), {} bindings, {} ports; username endpoints: {}",
        a.policies.len(),
        a.bindings.len(),
        a.ports.len(),
        if endpoints.is_empty() {
            "none".to_string()
        } else {
            endpoints.join("; ")
        }
    );
    let actual = if problems.is_empty() {
        format!("{summary}; all references resolve")
    } else {
        format!("{}; {summary}", problems.join("; "))
    };
    finding(
        "inventory_consistent",
        pass_if(problems.is_empty()),
        "every reference resolves and no name is given twice",
        actual,
    )
}
