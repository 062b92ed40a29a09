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
            "an answer",
            "none",
        );
    };
    if *e == MexExpect::Wsdl {
        return wsdl(a);
    }
    if let Some(why) = not_wsdl(a) {
        return skipped(key, Skip::blocked("MEX-2", why));
    }
    match e {
        MexExpect::Wsdl => wsdl(a),
        MexExpect::EndpointSelected => endpoint_selected(a),
        MexExpect::HttpsOnly => https_only(a),
        MexExpect::TransportBinding => transport_binding(a),
        MexExpect::InventoryConsistent => inventory_consistent(a),
        MexExpect::PreferredVersion(v) => with_selection(key, a, |a| preferred_version(*v, a)),
        MexExpect::AlsoAdvertises(v) => with_selection(key, a, |a| also_advertises(*v, a)),
        MexExpect::NoPasswordDigest => with_selection(key, a, no_password_digest),
        MexExpect::CleanAddress => with_selection(key, a, clean_address),
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

/// The expectations that read macOS's selection are blocked by MEX-3 without one.
fn with_selection(
    key: &'static str,
    a: &MexAnalysis,
    judge: impl Fn(&MexAnalysis) -> Finding,
) -> Finding {
    if a.selected.is_none() {
        return skipped(
            key,
            Skip::blocked("MEX-3", "macOS's selection yields no username endpoint"),
        );
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
                s.port
            )
        })
        .unwrap_or_else(|| "no endpoint".into())
}

/// MEX-2: "The body is well-formed XML containing a `wsdl:definitions` element."
fn wsdl(a: &MexAnalysis) -> Finding {
    finding(
        "wsdl",
        pass_if(not_wsdl(a).is_none()),
        "well-formed XML containing wsdl:definitions",
        not_wsdl(a).unwrap_or_else(|| format!("{} wsdl:definitions element(s)", a.definitions)),
    )
}

/// MEX-3: "The selection above yields an endpoint (a username/password WS-Trust endpoint macOS
/// can use)."
fn endpoint_selected(a: &MexAnalysis) -> Finding {
    let why: Vec<String> = a
        .endpoints
        .iter()
        .map(|ep| format!("{} {}: {}", ep.version, ep.binding, ep.reasons.join(", ")))
        .collect();
    let actual = if a.selected.is_some() {
        format!("macOS selects {}", selected_text(a))
    } else if why.is_empty() {
        "no username endpoint is advertised".into()
    } else {
        format!("no usable endpoint ({})", why.join("; "))
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
    finding(
        "preferred_version",
        pass_if(a.selected.as_ref().map(|s| s.version) == Some(v)),
        format!("macOS selects WS-Trust {v}"),
        format!("macOS selects {}", selected_text(a)),
    )
}

/// MEX-5: "A WS-Trust 2005 username endpoint is advertised too."
fn also_advertises(v: WsTrustVersion, a: &MexAnalysis) -> Finding {
    let found = a.endpoints.iter().find(|ep| ep.usable && ep.version == v);
    finding(
        "also_advertises",
        pass_if(found.is_some()),
        format!("a usable WS-Trust {v} username endpoint"),
        found
            .map(|ep| {
                format!(
                    "{} at {}",
                    ep.binding,
                    quoted(ep.address.as_deref().unwrap_or_default())
                )
            })
            .unwrap_or_else(|| "none".into()),
    )
}

/// MEX-6: "https only: the selected address is https; every advertised username endpoint with an
/// http address is reported (failure when it is the only one, warning otherwise)."
fn https_only(a: &MexAnalysis) -> Finding {
    let http: Vec<String> = a
        .endpoints
        .iter()
        .filter(|ep| ep.http_only_problem)
        .map(|ep| {
            format!(
                "{} at {}",
                ep.binding,
                quoted(ep.address.as_deref().unwrap_or_default())
            )
        })
        .collect();
    let result = if http.is_empty() {
        CheckResult::Pass
    } else if a.selected.is_none() {
        CheckResult::Fail
    } else {
        CheckResult::Warn
    };
    let actual = if http.is_empty() {
        format!(
            "every username endpoint is https; selected {}",
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
    let others: Vec<&str> = a
        .endpoints
        .iter()
        .filter(|ep| !ep.selected && ep.hash_password)
        .map(|ep| ep.binding.as_str())
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
/// matches the port's `soap12:address/@location` (warning when they differ)."
fn clean_address(a: &MexAnalysis) -> Finding {
    let addr = a
        .selected
        .as_ref()
        .map(|s| s.address.as_str())
        .unwrap_or("");
    let location = a
        .selected_endpoint()
        .and_then(|ep| ep.soap12_location.clone());
    let (result, actual) = if addr.trim() != addr {
        (
            CheckResult::Fail,
            format!("{} has surrounding whitespace", quoted(addr)),
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
    finding(
        "clean_address",
        result,
        "a clean absolute URL equal to soap12:address/@location",
        actual,
    )
}

/// MEX-9: "The username policy also asserts `sp:TransportBinding` (MSAL requires it)."
fn transport_binding(a: &MexAnalysis) -> Finding {
    if a.endpoints.is_empty() {
        return skipped(
            "transport_binding",
            Skip::blocked("MEX-3", "no username endpoint is advertised"),
        );
    }
    let lacking: Vec<&str> = a
        .endpoints
        .iter()
        .filter(|ep| !ep.transport_binding)
        .map(|ep| ep.binding.as_str())
        .collect();
    finding(
        "transport_binding",
        pass_if(lacking.is_empty()),
        "sp:TransportBinding in every username policy",
        if lacking.is_empty() {
            "present".to_string()
        } else {
            format!("absent for {}", lacking.join(", "))
        },
    )
}

/// MEX-10: the inventory: every policy, binding and port, every reference resolving.
fn inventory_consistent(a: &MexAnalysis) -> Finding {
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
    finding(
        "inventory_consistent",
        pass_if(a.dangling.is_empty()),
        "every reference resolves",
        actual,
    )
}
