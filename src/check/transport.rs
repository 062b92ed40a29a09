//! Transport checks on a step's exchanges (SPEC.md TLS-1…TLS-4), the HTTP status and media type
//! (PRE-1, PRE-7, MEX-1, WSF-1), and what an exchange that brought no usable answer means for the
//! body expectations: a failed transport requirement blocks them, a network failure is an error.

use super::{Blocker, CheckResult, Finding, Skip, finding, pass_if, quoted};
use crate::flow::certificate::{self, CertFacts};
use crate::http::{Exchange, Failure, Redirects, TlsInfo, Trust};
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
        // A handshake is made to an origin: one failure there, said once for its endpoints.
        Failure::Tls { failure } => Some(Blocker::new(
            failure.requirement(),
            format!("{}: {}", crate::flow::origin(&at), f.describe()),
        )),
        // These name their URLs themselves.
        Failure::NotHttps { .. } => Some(Blocker::new("TLS-1", f.describe())),
        Failure::RedirectToHttp { .. } => Some(Blocker::new("TLS-2", f.describe())),
        Failure::RedirectRefused { .. } if ex.redirects == Redirects::Refuse => {
            Some(Blocker::new("TLS-2", format!("{at}: {}", f.describe())))
        }
        // macOS gives up at 30 s: an answer the run waited longer for is TLS-4's failure, not
        // the network's (a shorter `[limits] timeout_seconds` proves nothing about the IdP).
        Failure::Late { .. } => Some(Blocker::new(
            "TLS-4",
            format!("{}: {}", crate::flow::origin(&at), f.describe()),
        )),
        Failure::Timeout { .. } if ex.elapsed_ms >= MACOS_TIMEOUT_SECONDS * 1000 => {
            Some(Blocker::new(
                "TLS-4",
                format!(
                    "{}: no whole answer within {MACOS_TIMEOUT_SECONDS} s, where macOS gives up",
                    crate::flow::origin(&at)
                ),
            ))
        }
        _ => None,
    }
}

/// The requirement a family's document expectation judges: an unusable answer (a redirect loop,
/// a body over the cap, broken HTTP) fails it, and blocks the family's other expectations.
pub fn document_requirement(family: Family) -> &'static str {
    match family {
        // The login configuration step makes no exchange; its first rule stands in.
        Family::Configuration => "CFG-1",
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

/// What an exchange brought back when it was no whole answer, in words: the status (and media
/// type) when they came, how much of the body, then what failed — never "none" when a status
/// line did arrive.
pub fn came_back(ex: &Exchange) -> String {
    let head = ex.status.map(|s| {
        let media = ex.media_type().map(|m| format!(" {m}")).unwrap_or_default();
        format!("HTTP {s}{media}, {} body byte(s)", ex.body.len())
    });
    match (head, &ex.failure) {
        (Some(h), Some(f)) => format!("{h}, then {}", f.describe()),
        (None, Some(f)) => f.describe(),
        (Some(h), None) => h,
        (None, None) => "nothing".into(),
    }
}

/// A network failure in words, said the same way by every case it stops: a refused or failed
/// connection names the origin (it is the host that is unreachable, whatever the path), a
/// timeout the URL (one endpoint may be slow).
pub fn no_answer_text(ex: &Exchange, f: &Failure) -> String {
    match f {
        Failure::Connect { .. } => format!("{}: {}", crate::flow::origin(&ex.url), f.describe()),
        _ => format!("{}: {}", ex.url, f.describe()),
    }
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
            CheckResult::Error(no_answer_text(ex, f))
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
        TransportExpect::AtsProtocol => ats_protocol(exchanges),
        TransportExpect::AtsCipherSuite => ats_cipher_suite(exchanges),
        TransportExpect::StrongKey => strong_key(exchanges),
        TransportExpect::NameInSan => name_in_san(exchanges),
        TransportExpect::ServerAuthEku => server_auth_eku(exchanges),
        TransportExpect::ValidityPeriod => validity_period(exchanges),
        TransportExpect::CertificateTransparency => certificate_transparency(exchanges),
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
            // A handshake that failed an ATS rule is that rule's failure, said once (TLS-5, TLS-6).
            Some(Failure::Tls { failure }) if failure.requirement() != "TLS-1" => {
                let r = match transport_blocker(ex) {
                    Some(b) => CheckResult::Skip(Skip::Blocked(b)),
                    None => CheckResult::Error(format!("{}: no TLS handshake", ex.url)),
                };
                return finding(KEY, r, expected, "no TLS handshake");
            }
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
                let r = match transport_blocker(ex) {
                    Some(b) => CheckResult::Skip(Skip::Blocked(b)),
                    None => CheckResult::Error(no_answer_text(ex, f)),
                };
                return finding(KEY, r, expected, "no connection");
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
                CheckResult::Error(no_answer_text(ex, f)),
                expected,
                "no answer",
            );
        }
        // Nothing was timed when no request went out (an http URL, a refused handshake).
        if ex.status.is_none()
            && let Some(b) = transport_blocker(ex)
        {
            return finding(
                KEY,
                CheckResult::Skip(Skip::Blocked(b)),
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

/// What one handshake's check found: held (with what was seen) or broken (with the value found).
type Judged = Result<String, String>;

/// Judges a rule on every handshake of a step: each exchange that reached TLS is judged with
/// `judge`; one whose handshake failed this very rule (`own`) fails with the diagnosis; one that
/// has no handshake otherwise is blocked by the requirement that failed, or is an error for a
/// network failure. The first broken handshake is reported; when all hold, what each showed.
fn on_every_handshake(
    key: &'static str,
    expected: &str,
    own: Option<&str>,
    exchanges: &[Exchange],
    judge: impl Fn(&TlsInfo) -> Judged,
) -> Finding {
    let mut held: Vec<String> = Vec::new();
    for ex in exchanges {
        if let Some(tls) = &ex.tls {
            match judge(tls) {
                Ok(seen) => {
                    let line = format!("{}: {seen}", tls.host);
                    if !held.contains(&line) {
                        held.push(line);
                    }
                }
                Err(found) => {
                    return finding(
                        key,
                        CheckResult::Fail,
                        expected,
                        format!("{}: {found}", ex.final_url),
                    );
                }
            }
            continue;
        }
        if ex.status.is_some() {
            continue;
        }
        if let (Some(rule), Some(Failure::Tls { failure })) = (own, &ex.failure)
            && failure.requirement() == rule
        {
            return finding(
                key,
                CheckResult::Fail,
                expected,
                format!("{}: {}", ex.final_url, failure.describe()),
            );
        }
        let r = match transport_blocker(ex) {
            Some(b) => CheckResult::Skip(Skip::Blocked(b)),
            None => no_answer(ex, Family::Mex, false),
        };
        return finding(key, r, expected, "no TLS handshake");
    }
    finding(
        key,
        CheckResult::Pass,
        expected,
        if held.is_empty() {
            "no TLS handshake recorded".to_string()
        } else {
            held.join("; ")
        },
    )
}

/// The verified chain's certificates, read; the leaf first.
fn chain_facts(tls: &TlsInfo) -> Result<Vec<CertFacts>, String> {
    if tls.chain.is_empty() {
        return Err("no verified certificate chain was recorded".into());
    }
    tls.chain
        .iter()
        .map(|der| certificate::analyse(der))
        .collect()
}

/// True when the chain ends in a root that counts as public: the Mozilla set, or a reference
/// root standing in for one.
fn public_chain(tls: &TlsInfo) -> bool {
    matches!(tls.trust, Trust::PublicRoot | Trust::ReferenceRoot)
}

/// TLS-5: "The negotiated protocol is TLS 1.2 or TLS 1.3" (Apple, "Requirements for Connecting
/// Using ATS": "The negotiated Transport Layer Security (TLS) version must be TLS 1.2"; TLS 1.3 is
/// accepted too). A server that speaks no such version fails the handshake, diagnosed.
fn ats_protocol(exchanges: &[Exchange]) -> Finding {
    on_every_handshake(
        "ats_protocol",
        "TLS 1.2 or TLS 1.3 (App Transport Security)",
        Some("TLS-5"),
        exchanges,
        |tls| {
            let v = crate::http::version_name(&tls.version);
            if crate::http::ats_version(&tls.version) {
                Ok(v)
            } else {
                Err(format!("negotiated {v}"))
            }
        },
    )
}

/// TLS-6: "The negotiated cipher suite is one ATS accepts" (Apple, "Requirements for Connecting
/// Using ATS": AES-128 or AES-256, forward secrecy through ECDHE, one of the listed suites; every
/// TLS 1.3 suite qualifies).
fn ats_cipher_suite(exchanges: &[Exchange]) -> Finding {
    on_every_handshake(
        "ats_cipher_suite",
        "an ECDHE suite with AES-GCM or AES-CBC from ATS's list (TLS 1.2), or a TLS 1.3 suite",
        Some("TLS-6"),
        exchanges,
        |tls| {
            if crate::http::ats_suite(&tls.version, &tls.cipher) {
                Ok(tls.cipher.clone())
            } else {
                Err(format!(
                    "negotiated {} ({}), which ATS does not accept",
                    tls.cipher,
                    crate::http::version_name(&tls.version)
                ))
            }
        },
    )
}

/// TLS-7: "TLS server certificates and issuing CAs using RSA keys must use key sizes greater than
/// or equal to 2048 bits … must use a hash algorithm from the SHA-2 family in the signature
/// algorithm" (Apple, "Requirements for trusted certificates in iOS 13 and macOS 10.15"; ATS: RSA
/// 2048 or ECC 256 bits). Judged on the leaf and every issuing CA below the root; a root's own
/// signature is not judged.
fn strong_key(exchanges: &[Exchange]) -> Finding {
    on_every_handshake(
        "strong_key",
        "every certificate below the root with an RSA key of 2048 bits or more or an EC key of 256 bits or more, signed with SHA-2",
        None,
        exchanges,
        |tls| {
            let facts = chain_facts(tls)?;
            let below_root = facts.len().saturating_sub(1).max(1);
            for (i, f) in facts.iter().take(below_root).enumerate() {
                let what = if i == 0 { "the leaf" } else { "the issuing CA" };
                if !f.key.strong() {
                    return Err(format!(
                        "{what} {} has {}: Apple requires RSA of 2048 bits or more, or EC of 256 bits or more",
                        quoted(&f.subject),
                        f.key.describe()
                    ));
                }
                if !f.signature_sha2 && facts.len() > 1 {
                    return Err(format!(
                        "{what} {} is signed with {}: Apple requires a SHA-2 signature",
                        quoted(&f.subject),
                        f.signature
                    ));
                }
            }
            let leaf = &facts[0];
            Ok(format!(
                "leaf {} signed with {}",
                leaf.key.describe(),
                leaf.signature
            ))
        },
    )
}

/// TLS-8: "TLS server certificates must present the DNS name of the server in the Subject
/// Alternative Name extension of the certificate. DNS names in the CommonName of a certificate
/// are no longer trusted." (Apple, "Requirements for trusted certificates in iOS 13 and macOS
/// 10.15").
fn name_in_san(exchanges: &[Exchange]) -> Finding {
    on_every_handshake(
        "name_in_san",
        "the host name in the leaf certificate's subjectAltName",
        None,
        exchanges,
        |tls| {
            let facts = chain_facts(tls)?;
            let leaf = &facts[0];
            if !leaf.has_san {
                return Err(format!(
                    "the leaf {} has no subjectAltName extension: a Mac does not read the host from the CommonName",
                    quoted(&leaf.subject)
                ));
            }
            if leaf
                .san
                .iter()
                .any(|n| certificate::name_matches(n, &tls.host))
            {
                Ok(format!("{} in subjectAltName", tls.host))
            } else {
                Err(format!(
                    "subjectAltName lists {}, not {}",
                    leaf.san
                        .iter()
                        .map(|n| quoted(n))
                        .collect::<Vec<_>>()
                        .join(", "),
                    tls.host
                ))
            }
        },
    )
}

/// TLS-9: "TLS server certificates must contain an ExtendedKeyUsage (EKU) extension containing
/// the id-kp-serverAuth OID" for certificates issued after 1 July 2019 (Apple, "Requirements for
/// trusted certificates in iOS 13 and macOS 10.15").
fn server_auth_eku(exchanges: &[Exchange]) -> Finding {
    on_every_handshake(
        "server_auth_eku",
        "an extendedKeyUsage extension listing serverAuth (certificates issued after 2019-07-01)",
        None,
        exchanges,
        |tls| {
            let facts = chain_facts(tls)?;
            let leaf = &facts[0];
            if leaf.not_before < certificate::ios13_rules_from() {
                return Ok("issued before 2019-07-01: not required".into());
            }
            match leaf.server_auth {
                Some(true) => Ok("serverAuth".into()),
                Some(false) => Err(format!(
                    "the leaf {} has an extendedKeyUsage without serverAuth",
                    quoted(&leaf.subject)
                )),
                None => Err(format!(
                    "the leaf {} has no extendedKeyUsage extension{}",
                    quoted(&leaf.subject),
                    if leaf.is_ca {
                        " (it is a CA certificate used as the server certificate)"
                    } else {
                        ""
                    }
                )),
            }
        },
    )
}

/// TLS-10: "TLS server certificates issued on or after September 1, 2020 00:00 GMT/UTC must not
/// have a validity period greater than 398 days" for chains to a preinstalled root (Apple, "About
/// upcoming limits on trusted certificates"); 825 days for any certificate issued after
/// 2019-07-01 ("Requirements for trusted certificates in iOS 13 and macOS 10.15"). Validity runs
/// from notBefore through notAfter inclusive, a day being 86,400 s.
fn validity_period(exchanges: &[Exchange]) -> Finding {
    on_every_handshake(
        "validity_period",
        "a leaf validity within Apple's limit for its issue date (398 days for a chain to a public root issued after 2020-09-01, 825 days after 2019-07-01)",
        None,
        exchanges,
        |tls| {
            let facts = chain_facts(tls)?;
            let leaf = &facts[0];
            let days = leaf.validity_days;
            match certificate::validity_limit(leaf.not_before, public_chain(tls)) {
                Some((limit, when)) if days > limit => Err(format!(
                    "leaf valid {days} days; Apple accepts at most {limit} {when}"
                )),
                Some((limit, _)) => Ok(format!("leaf valid {days} days (at most {limit})")),
                None => Ok(format!("leaf valid {days} days, issued before 2019-07-01")),
            }
        },
    )
}

/// TLS-11: "Publicly trusted Transport Layer Security (TLS) server authentication certificates
/// must meet Apple's Certificate Transparency (CT) policy" (Apple, "Apple's Certificate
/// Transparency policy"), for certificates issued after 2018-10-15. fedconform checks that proof
/// is present — an SCT list in the leaf, or SCTs delivered in the TLS extension or an OCSP staple
/// — not the SCTs' signatures, their number nor their logs.
fn certificate_transparency(exchanges: &[Exchange]) -> Finding {
    on_every_handshake(
        "certificate_transparency",
        "Certificate Transparency proof (SCTs in the leaf, the TLS extension or an OCSP staple) for a chain to a public root",
        None,
        exchanges,
        |tls| {
            let facts = chain_facts(tls)?;
            let leaf = &facts[0];
            if !public_chain(tls) {
                return Ok("a chain to a private CA: CT is not required".into());
            }
            if leaf.not_before < certificate::ct_from() {
                return Ok("issued before 2018-10-15: CT is not required".into());
            }
            if leaf.sct_list {
                Ok("SCT list in the certificate".into())
            } else if tls.scts > 0 {
                Ok(format!(
                    "{} SCT(s) delivered in the handshake (TLS extension or OCSP staple)",
                    tls.scts
                ))
            } else {
                Err(format!(
                    "the leaf {} carries no SCT list and the handshake delivered no SCT: no Certificate Transparency proof",
                    quoted(&leaf.subject)
                ))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::TlsFailure;
    use crate::idp::pki::{ServerCert, generate_with};

    /// An exchange whose handshake showed the reference CA's chain with a server certificate of
    /// `kind`, ending in a root of `trust`.
    fn handshake(kind: ServerCert, trust: Trust) -> Exchange {
        let pki = generate_with(std::net::IpAddr::from([127, 0, 0, 1]), kind).expect("pki");
        let mut ex = Exchange::offline("GET", b"");
        ex.status = Some(200);
        ex.url = "https://127.0.0.1:8443/mex".into();
        ex.final_url = "https://127.0.0.1:8443/mex".into();
        ex.tls = Some(TlsInfo {
            trust,
            version: "TLSv1.3".into(),
            cipher: "TLS_AES_128_GCM_SHA256".into(),
            host: "127.0.0.1".into(),
            chain: pki.server_chain.clone(),
            peer_chain: pki.server_chain,
            scts: 0,
        });
        ex
    }

    fn failed(failure: TlsFailure) -> Exchange {
        let mut ex = Exchange::offline("GET", b"");
        ex.url = "https://127.0.0.1:8443/mex".into();
        ex.final_url = ex.url.clone();
        ex.failure = Some(Failure::Tls { failure });
        ex
    }

    fn result(e: TransportExpect, ex: &Exchange) -> (CheckResult, String) {
        let f = judge(&e, std::slice::from_ref(ex));
        (f.result, f.actual)
    }

    #[test]
    fn the_reference_certificate_passes_every_apple_rule() {
        let ex = handshake(ServerCert::Valid, Trust::ReferenceRoot);
        for e in [
            TransportExpect::AtsProtocol,
            TransportExpect::AtsCipherSuite,
            TransportExpect::StrongKey,
            TransportExpect::NameInSan,
            TransportExpect::ServerAuthEku,
            TransportExpect::ValidityPeriod,
            TransportExpect::CertificateTransparency,
        ] {
            let (r, actual) = result(e.clone(), &ex);
            assert_eq!(r, CheckResult::Pass, "{e:?}: {actual}");
        }
    }

    #[test]
    fn each_defective_certificate_fails_its_rule_with_the_value_found() {
        let table = [
            (
                ServerCert::LongValidity,
                TransportExpect::ValidityPeriod,
                "leaf valid 730 days; Apple accepts at most 398 for certificates issued after 2020-09-01",
            ),
            (
                ServerCert::Rsa1024,
                TransportExpect::StrongKey,
                "has RSA-1024: Apple requires RSA of 2048 bits or more",
            ),
            (
                ServerCert::NoSan,
                TransportExpect::NameInSan,
                "has no subjectAltName extension",
            ),
            (
                ServerCert::NoServerAuth,
                TransportExpect::ServerAuthEku,
                "has no extendedKeyUsage extension",
            ),
            (
                ServerCert::NoSct,
                TransportExpect::CertificateTransparency,
                "carries no SCT list",
            ),
        ];
        for (kind, e, needle) in table {
            let (r, actual) = result(e.clone(), &handshake(kind, Trust::ReferenceRoot));
            assert_eq!(r, CheckResult::Fail, "{kind:?} {e:?}: {actual}");
            assert!(actual.contains(needle), "{kind:?}: {actual}");
        }
    }

    #[test]
    fn a_private_chain_is_held_to_825_days_and_not_to_ct() {
        let (r, actual) = result(
            TransportExpect::ValidityPeriod,
            &handshake(ServerCert::LongValidity, Trust::PrivateCa),
        );
        assert_eq!(r, CheckResult::Pass, "{actual}");
        assert!(actual.contains("at most 825"), "{actual}");
        let (r, actual) = result(
            TransportExpect::CertificateTransparency,
            &handshake(ServerCert::NoSct, Trust::PrivateCa),
        );
        assert_eq!(r, CheckResult::Pass, "{actual}");
    }

    #[test]
    fn a_handshake_failure_fails_its_own_rule_and_blocks_the_others() {
        let ex = failed(TlsFailure::Version {
            negotiated: "TLSv1.1".into(),
        });
        let (r, actual) = result(TransportExpect::AtsProtocol, &ex);
        assert_eq!(r, CheckResult::Fail);
        assert!(
            actual.ends_with("App Transport Security requires TLS 1.2 or later; the server negotiates TLS 1.1 at best"),
            "{actual}"
        );
        for e in [
            TransportExpect::ValidCertificate,
            TransportExpect::AtsCipherSuite,
            TransportExpect::ValidityPeriod,
        ] {
            match result(e.clone(), &ex).0 {
                CheckResult::Skip(Skip::Blocked(b)) => assert_eq!(b.requirement, "TLS-5"),
                other => panic!("{e:?}: {other:?}"),
            }
        }
        let ex = failed(TlsFailure::Name {
            host: "127.0.0.1".into(),
            names: vec!["wrong-host.invalid".into()],
        });
        let (r, actual) = result(TransportExpect::ValidCertificate, &ex);
        assert_eq!(r, CheckResult::Fail);
        assert!(
            actual.ends_with("the certificate is for \"wrong-host.invalid\", not 127.0.0.1"),
            "{actual}"
        );
        match result(TransportExpect::StrongKey, &ex).0 {
            CheckResult::Skip(Skip::Blocked(b)) => assert_eq!(b.requirement, "TLS-1"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ats_suites_are_apples_eleven_and_tls_13() {
        assert!(crate::http::ats_suite(
            "TLSv1.2",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"
        ));
        assert!(!crate::http::ats_suite(
            "TLSv1.2",
            "TLS_RSA_WITH_AES_256_GCM_SHA384"
        ));
        assert!(!crate::http::ats_suite(
            "TLSv1.2",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        ));
        assert!(crate::http::ats_suite(
            "TLSv1.3",
            "TLS_CHACHA20_POLY1305_SHA256"
        ));
        assert!(!crate::http::ats_suite(
            "TLSv1.1",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
        ));
    }
}
