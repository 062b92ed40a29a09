//! What a Mac reads in a TLS server certificate (SPEC.md TLS-1, TLS-7…TLS-11): its names, key,
//! signature hash, extended key usage, validity period as Apple counts it, and Certificate
//! Transparency proof. Apple's sources: "Requirements for trusted certificates in iOS 13 and macOS
//! 10.15", "About upcoming limits on trusted certificates", "Apple's Certificate Transparency
//! policy".

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use x509_parser::prelude::*;

/// The SignedCertificateTimestampList extension (RFC 6962 §3.3).
pub const SCT_LIST_OID: &str = "1.3.6.1.4.1.11129.2.4.2";

/// A certificate's public key, as Apple's size rule reads it (TLS-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum KeyFacts {
    /// RSA, with its modulus size.
    Rsa {
        /// Bits.
        bits: usize,
    },
    /// Elliptic curve, with its field size.
    Ec {
        /// Bits.
        bits: usize,
    },
    /// Anything else (Ed25519, DSA…), by algorithm OID.
    Other {
        /// The algorithm OID.
        algorithm: String,
    },
}

impl KeyFacts {
    /// Apple's rule: RSA keys of 2048 bits or more, EC keys of 256 bits or more (TLS-7).
    pub fn strong(&self) -> bool {
        match self {
            KeyFacts::Rsa { bits } => *bits >= 2048,
            KeyFacts::Ec { bits } => *bits >= 256,
            KeyFacts::Other { .. } => false,
        }
    }

    /// `RSA-1024`, `EC P-256`-style words.
    pub fn describe(&self) -> String {
        match self {
            KeyFacts::Rsa { bits } => format!("RSA-{bits}"),
            KeyFacts::Ec { bits } => format!("EC {bits}-bit"),
            KeyFacts::Other { algorithm } => format!("a key of algorithm {algorithm}"),
        }
    }
}

/// What one certificate of a server's chain says.
#[derive(Debug, Clone, Serialize)]
pub struct CertFacts {
    /// Subject, in words.
    pub subject: String,
    /// Its public key.
    pub key: KeyFacts,
    /// Its signature algorithm, in words (`ecdsa-with-SHA256`).
    pub signature: String,
    /// The signature uses a SHA-2 hash (TLS-7).
    pub signature_sha2: bool,
    /// It has a subjectAltName extension.
    pub has_san: bool,
    /// Its subjectAltName DNS names and addresses.
    pub san: Vec<String>,
    /// Its extendedKeyUsage extension, when present: does it list serverAuth?
    pub server_auth: Option<bool>,
    /// notBefore.
    pub not_before: DateTime<Utc>,
    /// notAfter.
    pub not_after: DateTime<Utc>,
    /// Its validity period in days as Apple counts it: notBefore through notAfter inclusive, a day
    /// being 86,400 s and any part of one counting as a day (TLS-10).
    pub validity_days: i64,
    /// It carries an SCT list (TLS-11; presence only).
    pub sct_list: bool,
    /// basicConstraints says it is a CA.
    pub is_ca: bool,
}

fn signature_words(oid: &str) -> (&'static str, bool) {
    match oid {
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", true),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", true),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", true),
        "1.2.840.113549.1.1.14" => ("sha224WithRSAEncryption", true),
        "1.2.840.10045.4.3.1" => ("ecdsa-with-SHA224", true),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", true),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", true),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", true),
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", false),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", false),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", false),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", false),
        "1.3.101.112" => ("Ed25519", false),
        _ => ("an unknown signature algorithm", false),
    }
}

/// The names a certificate is for: subjectAltName DNS names and addresses, or, without the
/// extension, its CommonName (RFC 2818 §3.1: what TLS-1 accepts; Apple's rule, TLS-8, is
/// subjectAltName only).
pub fn certificate_names(der: &[u8]) -> Vec<String> {
    match analyse(der) {
        Ok(f) if f.has_san => f.san,
        Ok(_) => common_names(der),
        Err(_) => Vec::new(),
    }
}

fn common_names(der: &[u8]) -> Vec<String> {
    let Ok((_, c)) = parse_x509_certificate(der) else {
        return Vec::new();
    };
    c.subject()
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok().map(str::to_string))
        .collect()
}

/// True when `name` (a certificate name; `*.` wildcards in the left-most label) covers `host`.
pub fn name_matches(name: &str, host: &str) -> bool {
    let (name, host) = (name.to_ascii_lowercase(), host.to_ascii_lowercase());
    let host = host.trim_end_matches('.');
    let name = name.trim_end_matches('.');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return name.parse::<std::net::IpAddr>().ok() == Some(ip);
    }
    match name.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
        None => name == host,
    }
}

fn ip_text(b: &[u8]) -> Option<String> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b)
            .ok()
            .map(|a| std::net::IpAddr::from(a).to_string()),
        16 => <[u8; 16]>::try_from(b)
            .ok()
            .map(|a| std::net::IpAddr::from(a).to_string()),
        _ => None,
    }
}

fn instant(t: ASN1Time) -> DateTime<Utc> {
    Utc.timestamp_opt(t.timestamp(), 0)
        .single()
        .unwrap_or_default()
}

/// Reads a DER certificate; the error says why it does not parse.
pub fn analyse(der: &[u8]) -> Result<CertFacts, String> {
    let (_, c) = parse_x509_certificate(der).map_err(|e| format!("not a certificate: {e}"))?;
    let key = match c.public_key().parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(r)) => KeyFacts::Rsa { bits: r.key_size() },
        Ok(x509_parser::public_key::PublicKey::EC(e)) => KeyFacts::Ec { bits: e.key_size() },
        _ => KeyFacts::Other {
            algorithm: c.public_key().algorithm.algorithm.to_id_string(),
        },
    };
    let (signature, signature_sha2) =
        signature_words(&c.signature_algorithm.algorithm.to_id_string());
    let san_ext = c.subject_alternative_name().ok().flatten();
    let san = san_ext
        .as_ref()
        .map(|s| {
            s.value
                .general_names
                .iter()
                .filter_map(|g| match g {
                    GeneralName::DNSName(d) => Some(d.to_string()),
                    GeneralName::IPAddress(b) => ip_text(b),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let server_auth = c
        .extended_key_usage()
        .ok()
        .flatten()
        .map(|e| e.value.server_auth || e.value.any);
    let not_before = instant(c.validity().not_before);
    let not_after = instant(c.validity().not_after);
    let seconds = (not_after - not_before).num_seconds() + 1;
    Ok(CertFacts {
        subject: c.subject().to_string(),
        key,
        signature: signature.to_string(),
        signature_sha2,
        has_san: san_ext.is_some(),
        san,
        server_auth,
        not_before,
        not_after,
        validity_days: (seconds + 86_399).div_euclid(86_400),
        sct_list: c
            .extensions()
            .iter()
            .any(|e| e.oid.to_id_string() == SCT_LIST_OID),
        is_ca: c
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|b| b.value.ca),
    })
}

/// The instant Apple's serverAuth and 825-day rules start: certificates issued after 1 July 2019
/// (notBefore) ("Requirements for trusted certificates in iOS 13 and macOS 10.15").
pub fn ios13_rules_from() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 7, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The instant Apple's 398-day rule starts: certificates issued on or after 1 September 2020
/// 00:00 UTC chaining to a preinstalled root ("About upcoming limits on trusted certificates").
pub fn limit_398_from() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 9, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The instant Apple's Certificate Transparency rule starts: publicly trusted certificates
/// issued after 15 October 2018 ("Apple's Certificate Transparency policy").
pub fn ct_from() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2018, 10, 15, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The longest validity Apple accepts for a leaf issued at `not_before`, and why: 398 days for a
/// chain to a public root issued from 2020-09-01, 825 days for any certificate issued after
/// 2019-07-01, no limit before (TLS-10).
pub fn validity_limit(not_before: DateTime<Utc>, public: bool) -> Option<(i64, &'static str)> {
    if public && not_before >= limit_398_from() {
        Some((398, "for certificates issued after 2020-09-01"))
    } else if not_before >= ios13_rules_from() {
        Some((825, "for certificates issued after 2019-07-01"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_as_rfc_6125_says() {
        assert!(name_matches("localhost", "LOCALHOST"));
        assert!(name_matches("*.contoso.com", "sts.contoso.com"));
        assert!(!name_matches("*.contoso.com", "a.sts.contoso.com"));
        assert!(!name_matches("*.contoso.com", "contoso.com"));
        assert!(name_matches("127.0.0.1", "127.0.0.1"));
        assert!(!name_matches("127.0.0.2", "127.0.0.1"));
    }

    #[test]
    fn validity_limits_follow_the_issue_date() {
        let at = |y, m, d| {
            Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
                .single()
                .unwrap_or_default()
        };
        assert_eq!(validity_limit(at(2024, 1, 1), true).map(|l| l.0), Some(398));
        assert_eq!(
            validity_limit(at(2024, 1, 1), false).map(|l| l.0),
            Some(825)
        );
        assert_eq!(
            validity_limit(at(2020, 8, 31), true).map(|l| l.0),
            Some(825)
        );
        assert_eq!(validity_limit(at(2019, 6, 30), true), None);
    }

    #[test]
    fn the_reference_certificate_meets_every_rule() {
        let pki =
            crate::idp::pki::generate(std::net::IpAddr::from([127, 0, 0, 1]), false).expect("pki");
        let f = analyse(&pki.server_chain[0]).expect("leaf");
        assert!(f.key.strong());
        assert!(f.signature_sha2);
        assert!(f.has_san && f.san.contains(&"127.0.0.1".to_string()));
        assert_eq!(f.server_auth, Some(true));
        assert_eq!(f.validity_days, crate::idp::pki::LEAF_DAYS);
        assert!(f.sct_list);
        assert!(!f.is_ca);
    }
}
