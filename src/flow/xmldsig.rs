//! XML signature verification (WSF-5, WSF-7, WSF-14): one enveloped `ds:Signature` over an expected
//! element, checked against a certificate the caller trusts (the metadata's signing certificate),
//! never against a key the document offers. The XML-DSig processing (references, transforms,
//! canonicalisation, digests, signature algorithms) is the `xml-sec` crate's, under the policy
//! relying parties apply ([`relying_party_policy`]); this module decides what is trusted and what
//! must be covered, names the algorithms, and explains failures in words: which part failed (the
//! SignatureValue or which reference's digest), and whether the document only differs in
//! whitespace from what was signed (re-formatted after signing).

use serde::Serialize;
use std::collections::BTreeSet;
use xml_sec::policy::VerificationPolicy;
use xml_sec::xmldsig::{
    CallerTrustedSignatureKey, DigestAlgorithm, DsigStatus, FailureReason, SignatureAlgorithm,
    VerificationKey, VerificationRequest, VerifyContext,
};
use xml_sec::{IdAttributeRegistration, XmlDocument};

/// The XML-DSig namespace.
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive XML canonicalisation 1.0.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// The part of a signature that did not verify (JSON `{"part": …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "part", rename_all = "kebab-case")]
pub enum FailedPart {
    /// `ds:SignatureValue` does not match the canonical `ds:SignedInfo` under the trusted key
    /// (the references are not checked then: SignedInfo is authenticated first).
    SignatureValue,
    /// A `ds:Reference`'s `DigestValue` does not match the content it references.
    ReferenceDigest {
        /// 1-based position among SignedInfo's references.
        index: usize,
        /// Its `URI`.
        uri: String,
    },
    /// The signature could not be checked at all (no signature, no ID, an algorithm refused, a
    /// malformed structure) or verified without covering the element read.
    Unverifiable,
}

/// What was found about the signature on one element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// `SignatureMethod/@Algorithm`.
    pub algorithm: Option<String>,
    /// `CanonicalizationMethod/@Algorithm` of SignedInfo.
    pub canonicalization: Option<String>,
    /// `Reference/@URI` of the first reference.
    pub reference: Option<String>,
    /// `DigestMethod/@Algorithm` of every SignedInfo reference, in order.
    pub digests: Vec<String>,
    /// Subject of the trusted certificate the signature was checked with (the one that verified
    /// it, or the first one tried).
    pub signer: Option<String>,
    /// `Ok(())` when the signature verifies with the trusted certificate and covers the element;
    /// otherwise why not, in words.
    pub verified: Result<(), String>,
    /// Which part failed (None when it verified).
    pub failed_part: Option<FailedPart>,
    /// True when the document verifies once whitespace between elements is removed (and text
    /// trimmed): it was re-formatted (pretty-printed, re-indented) after signing.
    pub reformatted: bool,
}

impl SignatureReport {
    fn unsigned(why: String) -> Self {
        SignatureReport {
            algorithm: None,
            canonicalization: None,
            reference: None,
            digests: Vec::new(),
            signer: None,
            verified: Err(why),
            failed_part: Some(FailedPart::Unverifiable),
            reformatted: false,
        }
    }

    /// The signature algorithm's short name (`RSA-SHA256`), or `?` when none is given.
    pub fn algorithm_name(&self) -> String {
        self.algorithm
            .as_deref()
            .map(algorithm_name)
            .unwrap_or_else(|| "?".into())
    }

    /// The digest algorithms' short names, distinct, in order (`SHA256`).
    pub fn digest_names(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.digests
            .iter()
            .map(|d| algorithm_name(d))
            .filter(|d| seen.insert(d.clone()))
            .collect()
    }

    /// The algorithms (signature method first, then digests) that are SHA-1 or weaker, or that
    /// the verifier does not know, by short name (WSF-14). "Weaker" is what `xml-sec` refuses to
    /// make new signatures with: SHA-1, MD5, RIPEMD-160 and RSA-PSS over SHA-1.
    pub fn weak_algorithms(&self) -> Vec<String> {
        let mut weak = Vec::new();
        if let Some(uri) = &self.algorithm {
            let ok = SignatureAlgorithm::from_uri(uri).is_some_and(|a| {
                a.signing_allowed() || matches!(a, SignatureAlgorithm::PostQuantum(_))
            });
            if !ok {
                weak.push(algorithm_name(uri));
            }
        }
        for uri in &self.digests {
            let ok = DigestAlgorithm::from_uri(uri).is_some_and(DigestAlgorithm::signing_allowed);
            let name = algorithm_name(uri);
            if !ok && !weak.contains(&name) {
                weak.push(name);
            }
        }
        weak
    }

    /// One line saying what the signature is: `RSA-SHA256 (SHA256 digest, exclusive c14n)`.
    pub fn describe(&self) -> String {
        let digests = self.digest_names();
        let c14n = self
            .canonicalization
            .as_deref()
            .map(canonicalization_name)
            .unwrap_or_else(|| "no canonicalization named".into());
        format!(
            "{} ({} digest, {c14n})",
            self.algorithm_name(),
            if digests.is_empty() {
                "no".to_string()
            } else {
                digests.join("/")
            }
        )
    }

    /// What held, for a pass message: `signed with RSA-SHA256 (SHA256 digest, exclusive c14n) by
    /// CN=…, verified`.
    pub fn held(&self) -> String {
        format!(
            "signed with {} by {}, verified",
            self.describe(),
            self.signer.as_deref().unwrap_or("the trusted certificate")
        )
    }
}

/// A short name for an XML-DSig algorithm URI: its fragment, upper-cased
/// (`…xmldsig-more#rsa-sha256` → `RSA-SHA256`, `…xmlenc#sha256` → `SHA256`).
pub fn algorithm_name(uri: &str) -> String {
    uri.rsplit_once('#')
        .map(|(_, f)| f.to_ascii_uppercase())
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| uri.to_string())
}

fn canonicalization_name(uri: &str) -> String {
    match uri {
        EXC_C14N => "exclusive c14n".into(),
        "http://www.w3.org/2001/10/xml-exc-c14n#WithComments" => {
            "exclusive c14n with comments".into()
        }
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" => "inclusive c14n 1.0".into(),
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments" => {
            "inclusive c14n 1.0 with comments".into()
        }
        "http://www.w3.org/2006/12/xml-c14n11" => "c14n 1.1".into(),
        other => format!("canonicalization {}", crate::flow::quoted(other)),
    }
}

/// The verification policy relying parties apply (passport-wsfed-saml2 and xml-crypto, .NET's
/// WS-Federation stack, signxml with its legacy switch): every XML-DSig 1.1 signature and digest
/// algorithm that real IdPs publish, SHA-1 included (RSA-SHA1, ECDSA-SHA1, DSA-SHA1; SHA-1
/// digests are accepted by `xml-sec` by default), with RSA and DSA keys from 1024 bits. A weak
/// algorithm is then a finding of its own (WSF-14), not a broken signature. Everything else is
/// `xml-sec`'s default policy: caller-trusted keys only, same-document references, resource
/// ceilings. Certificate validity is not the verifier's business here: WSF-3 judges it at the
/// run's (or `--now`'s) clock.
pub fn relying_party_policy() -> VerificationPolicy {
    let mut policy = VerificationPolicy::default();
    policy.key_trust.allowed_legacy_signature_algorithms = BTreeSet::from([
        SignatureAlgorithm::RsaSha1,
        SignatureAlgorithm::EcdsaSha1,
        SignatureAlgorithm::DsaSha1,
    ]);
    policy.key_trust.rsa_keys.minimum_modulus_bits = 1024;
    policy.key_trust.dsa_keys.minimum_modulus_bits = 1024;
    policy
}

/// The ID attributes SAML and metadata use (`ID` is built in to `xml-sec`).
fn id_attributes() -> [IdAttributeRegistration; 1] {
    [IdAttributeRegistration::global("AssertionID")]
}

/// The SubjectPublicKeyInfo of a DER certificate.
pub fn certificate_spki(cert_der: &[u8]) -> Result<Vec<u8>, String> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|e| format!("the certificate does not parse: {e}"))?;
    Ok(cert.tbs_certificate.subject_pki.raw.to_vec())
}

/// The subject of a DER certificate, as it spells it.
pub fn certificate_subject(cert_der: &[u8]) -> Option<String> {
    x509_parser::parse_x509_certificate(cert_der)
        .ok()
        .map(|(_, c)| c.subject().to_string())
}

/// A DER certificate named for a message: its subject and serial number, which tell apart two
/// certificates of one subject.
fn certificate_label(cert_der: &[u8]) -> String {
    x509_parser::parse_x509_certificate(cert_der)
        .map(|(_, c)| format!("{}, serial {}", c.subject(), c.raw_serial_as_string()))
        .unwrap_or_else(|_| "an unreadable certificate".into())
}

/// Reads the signature's parameters (for reports) from the element's own `ds:Signature` child.
fn describe(signature: roxmltree::Node, report: &mut SignatureReport) {
    let signed_info = signature
        .children()
        .find(|n| n.has_tag_name((DS, "SignedInfo")));
    let find =
        |name: &str| signed_info.and_then(|s| s.children().find(|n| n.has_tag_name((DS, name))));
    let attr = |name: &str| {
        find(name)
            .and_then(|n| n.attribute("Algorithm"))
            .map(|a| a.trim().to_string())
    };
    report.algorithm = attr("SignatureMethod");
    report.canonicalization = attr("CanonicalizationMethod");
    let references: Vec<roxmltree::Node> = signed_info
        .map(|s| {
            s.children()
                .filter(|n| n.has_tag_name((DS, "Reference")))
                .collect()
        })
        .unwrap_or_default();
    report.reference = references
        .first()
        .and_then(|r| r.attribute("URI"))
        .map(str::to_string);
    report.digests = references
        .iter()
        .filter_map(|r| r.children().find(|n| n.has_tag_name((DS, "DigestMethod"))))
        .filter_map(|d| d.attribute("Algorithm"))
        .map(|a| a.trim().to_string())
        .collect();
}

/// The certificate the signature's own `ds:KeyInfo` carries (DER), if any: for a failure
/// message only, never to verify with.
fn key_info_certificate(signature: roxmltree::Node) -> Option<Vec<u8>> {
    use base64::Engine;
    let text = signature
        .children()
        .find(|n| n.has_tag_name((DS, "KeyInfo")))?
        .descendants()
        .find(|n| n.has_tag_name((DS, "X509Certificate")))?
        .text()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>();
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .ok()
}

/// Verifies the enveloped signature of `element` (an element of the parsed `text`) with the
/// certificate `cert_der`, under [`relying_party_policy`]. The whole document is handed to the
/// verifier, which must find exactly one signature in it and prove that the signature covers
/// `element` (found by its ID), so a signature over some other element cannot stand in for it.
pub fn verify_element(text: &str, element: roxmltree::Node, cert_der: &[u8]) -> SignatureReport {
    let signature = element
        .children()
        .find(|n| n.has_tag_name((DS, "Signature")));
    let Some(signature) = signature else {
        return SignatureReport::unsigned(format!(
            "{} carries no ds:Signature",
            element.tag_name().name()
        ));
    };
    let mut report = SignatureReport::unsigned(String::new());
    describe(signature, &mut report);
    report.signer = certificate_subject(cert_der);
    let id = ["ID", "AssertionID", "Id"]
        .iter()
        .find_map(|a| element.attribute(*a));
    let Some(id) = id else {
        report.verified = Err(format!(
            "{} has no ID attribute for the signature to reference",
            element.tag_name().name()
        ));
        return report;
    };
    match check(text, id, report.algorithm.as_deref(), cert_der) {
        Ok(()) => {
            report.verified = Ok(());
            report.failed_part = None;
        }
        Err((part, why)) => {
            let mut why = why;
            let digest_or_value = !matches!(part, FailedPart::Unverifiable);
            if digest_or_value
                && let Some(how) =
                    verifies_normalised(text, id, report.algorithm.as_deref(), cert_der)
            {
                report.reformatted = true;
                why.push_str(&format!(
                    "; the document appears to have been re-formatted after signing: it verifies once {how}, so only whitespace changed"
                ));
            } else if part == FailedPart::SignatureValue
                && let Some(other) =
                    key_info_certificate(signature).filter(|c| c.as_slice() != cert_der)
            {
                why.push_str(&format!(
                    "; the signature's own ds:KeyInfo carries another certificate ({}) than the trusted one ({})",
                    certificate_label(&other),
                    certificate_label(cert_der)
                ));
            }
            report.verified = Err(why);
            report.failed_part = Some(part);
        }
    }
    report
}

/// Tries the whitespace-normalised readings of `text`: whitespace-only text between elements
/// removed, then also every text trimmed. Returns how the reading that verifies was made.
fn verifies_normalised(
    text: &str,
    id: &str,
    algorithm: Option<&str>,
    cert_der: &[u8],
) -> Option<&'static str> {
    [
        (false, "the whitespace between elements is removed"),
        (
            true,
            "the whitespace between elements is removed and every text is trimmed",
        ),
    ]
    .into_iter()
    .find_map(|(trim, how)| {
        let normalised = whitespace_normalised(text, trim)?;
        (normalised != text && check(&normalised, id, algorithm, cert_der).is_ok()).then_some(how)
    })
}

/// `text` with every whitespace-only text node that sits between elements removed and, when
/// `trim`, every other text node's leading and trailing whitespace removed: an edit of the source
/// by the parser's byte ranges, not a re-serialisation. None when it does not parse.
fn whitespace_normalised(text: &str, trim: bool) -> Option<String> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    for node in doc.descendants().filter(|n| n.is_text()) {
        let range = node.range();
        let raw = text.get(range.clone())?;
        let in_element = node.parent().is_some_and(|p| p.is_element());
        if raw.trim().is_empty() {
            let between_elements = node
                .parent()
                .is_some_and(|p| p.children().any(|c| c.is_element()));
            if in_element && between_elements {
                cuts.push(range);
            }
        } else if trim && in_element {
            let start = range.start + (raw.len() - raw.trim_start().len());
            let end = range.end - (raw.len() - raw.trim_end().len());
            cuts.push(range.start..start);
            cuts.push(end..range.end);
        }
    }
    cuts.retain(|r| !r.is_empty());
    cuts.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in cuts {
        if r.start < at {
            return None;
        }
        out.push_str(text.get(at..r.start)?);
        at = r.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// Verifies the one signature of `text` over the element with ID `id`; on failure, which part
/// failed and why, in words.
fn check(
    text: &str,
    id: &str,
    algorithm: Option<&str>,
    cert_der: &[u8],
) -> Result<(), (FailedPart, String)> {
    let unverifiable = |why: String| (FailedPart::Unverifiable, why);
    let uri =
        algorithm.ok_or_else(|| unverifiable("ds:SignatureMethod has no Algorithm".into()))?;
    let algorithm = SignatureAlgorithm::from_uri(uri).ok_or_else(|| {
        unverifiable(format!(
            "the signature algorithm {} is not one the verifier knows",
            crate::flow::quoted(uri)
        ))
    })?;
    let key = VerificationKey {
        algorithm,
        public_key_bytes: certificate_spki(cert_der).map_err(unverifiable)?,
        certificate_der: Some(cert_der.to_vec()),
        name: None,
    };
    let ids = id_attributes();
    let document = XmlDocument::parse(text.to_owned())
        .map_err(|e| unverifiable(format!("the verifier could not read the document: {e}")))?;
    let context = VerifyContext::new()
        .policy(relying_party_policy())
        .id_attributes(&ids);
    let signatures = context
        .signature_identities(&document)
        .map_err(|e| unverifiable(format!("signature discovery failed: {e}")))?;
    let [only] = signatures.as_slice() else {
        return Err(unverifiable(format!(
            "the document holds {} ds:Signature elements; exactly one was expected",
            signatures.len()
        )));
    };
    let target = document
        .with_view(|view| view.node_for_id(id, &ids))
        .ok_or_else(|| {
            unverifiable(format!(
                "ID {} is missing or not unique",
                crate::flow::quoted(id)
            ))
        })?;
    let keys = [CallerTrustedSignatureKey {
        signature: *only,
        key: &key,
    }];
    let targets = [target];
    let evidence = context
        .verify_request(
            &document,
            &VerificationRequest {
                expected_targets: &targets,
                trusted_keys: &keys,
                ..VerificationRequest::default()
            },
        )
        .map_err(|e| unverifiable(format!("verification could not run: {e}")))?;
    if evidence
        .accepted(&document)
        .map_err(|e| unverifiable(format!("verification evidence is stale: {e}")))?
    {
        return Ok(());
    }
    let mut part = FailedPart::Unverifiable;
    let mut why = Vec::new();
    for s in evidence.signatures() {
        match s.result() {
            Err(e) => why.push(e.to_string()),
            Ok(r) => match &r.status {
                DsigStatus::Valid => why.push(format!(
                    "the signature is valid but does not cover the element with ID {}",
                    crate::flow::quoted(id)
                )),
                DsigStatus::Invalid(reason) => {
                    let uri_of = |i: usize| {
                        r.signed_info_references
                            .get(i)
                            .map(|x| x.uri.clone())
                            .unwrap_or_default()
                    };
                    let (p, w) = explain(reason, uri_of);
                    part = p;
                    why.push(w);
                }
                DsigStatus::NotProcessed => why.push("the signature was not processed".into()),
                _ => why.push("the verifier reported an unknown status".into()),
            },
        }
    }
    Err((
        part,
        format!("the signature does not verify: {}", why.join("; ")),
    ))
}

/// A verification failure in words, and the part that failed.
fn explain(reason: &FailureReason, uri_of: impl Fn(usize) -> String) -> (FailedPart, String) {
    use FailureReason as F;
    let reference = |i: usize| {
        format!(
            "reference {} (URI {})",
            i + 1,
            crate::flow::quoted(&uri_of(i))
        )
    };
    match reason {
        F::ReferenceDigestMismatch { ref_index } => (
            FailedPart::ReferenceDigest {
                index: ref_index + 1,
                uri: uri_of(*ref_index),
            },
            format!(
                "the SignatureValue verifies, but the DigestValue of {} does not match: the signed content was changed after signing",
                reference(*ref_index)
            ),
        ),
        F::SignatureMismatch => (
            FailedPart::SignatureValue,
            "the SignatureValue does not match SignedInfo under the trusted certificate's key (signed with another key, or SignedInfo was changed); the references were not checked".to_string(),
        ),
        F::KeyNotFound => (FailedPart::Unverifiable, "no key to verify with".to_string()),
        F::ReferencePolicyViolation { ref_index } => (
            FailedPart::Unverifiable,
            format!(
                "{} uses a URI or transform the verification policy refuses",
                reference(*ref_index)
            ),
        ),
        F::ReferenceProcessingFailure { ref_index } => (
            FailedPart::Unverifiable,
            format!(
                "{} could not be dereferenced or transformed",
                reference(*ref_index)
            ),
        ),
        F::ReferenceUnavailable { ref_index } => (
            FailedPart::Unverifiable,
            format!("{} points outside the document", reference(*ref_index)),
        ),
        _ => (
            FailedPart::Unverifiable,
            "the verifier refused the signature for a reason it does not name".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::signing::{Placement, Signer, Validity};

    fn signed() -> (Signer, String) {
        let s = Signer::generate("test").unwrap_or_else(|e| panic!("{e}"));
        let a = r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" MajorVersion="1" MinorVersion="1" AssertionID="_abc" Issuer="x"><saml:Conditions NotBefore="2026-01-01T00:00:00Z"/></saml:Assertion>"#;
        let x = s
            .sign(
                a,
                "AssertionID",
                "_abc",
                Placement::BeforeLast("</saml:Assertion>"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        (s, x)
    }

    fn verify(text: &str, cert: &[u8]) -> SignatureReport {
        let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{e}"));
        verify_element(text, doc.root_element(), cert)
    }

    const METADATA: &str = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ID="_m" entityID="urn:x"><md:Extensions><md:X>text</md:X></md:Extensions></md:EntityDescriptor>"#;

    fn rsa_signed(sha1: bool) -> (Signer, String) {
        let key = crate::idp::signing::rsa_pkcs8().unwrap_or_else(|e| panic!("{e}"));
        let s = Signer::rsa(&key, "rsa", Validity::Current, sha1).unwrap_or_else(|e| panic!("{e}"));
        let x = s
            .sign(
                METADATA,
                "ID",
                "_m",
                Placement::BeforeLast("</md:EntityDescriptor>"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        (s, x)
    }

    #[test]
    fn its_own_signature_verifies_and_a_tampered_copy_does_not() {
        let (s, x) = signed();
        let r = verify(&x, s.cert_der());
        assert_eq!(r.verified, Ok(()), "{x}");
        assert_eq!(r.failed_part, None);
        assert_eq!(r.canonicalization.as_deref(), Some(EXC_C14N));
        assert!(
            r.held().starts_with("signed with ECDSA-SHA256 (SHA256 digest, exclusive c14n) by CN=fedconform reference IdP token signing (test), verified"),
            "{}",
            r.held()
        );
        let tampered = x.replace("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
        let r = verify(&tampered, s.cert_der());
        assert_eq!(
            r.failed_part,
            Some(FailedPart::ReferenceDigest {
                index: 1,
                uri: "#_abc".into()
            })
        );
        assert!(!r.reformatted);
        let why = r.verified.err().unwrap_or_default();
        assert!(
            why.contains("the DigestValue of reference 1 (URI \"#_abc\") does not match"),
            "{why}"
        );
        let other = Signer::generate("other").unwrap_or_else(|e| panic!("{e}"));
        let r = verify(&x, other.cert_der());
        assert_eq!(r.failed_part, Some(FailedPart::SignatureValue));
        let why = r.verified.err().unwrap_or_default();
        assert!(why.contains("the SignatureValue does not match"), "{why}");
        assert!(
            why.contains("ds:KeyInfo carries another certificate (CN=fedconform reference IdP token signing (test), serial ")
                && why.contains("than the trusted one (CN=fedconform reference IdP token signing (other), serial "),
            "{why}"
        );
    }

    #[test]
    fn rsa_signatures_verify_and_name_their_algorithm() {
        let (s, x) = rsa_signed(false);
        let r = verify(&x, s.cert_der());
        assert_eq!(r.verified, Ok(()), "{x}");
        assert_eq!(
            r.algorithm.as_deref(),
            Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        );
        assert_eq!(r.algorithm_name(), "RSA-SHA256");
        assert_eq!(r.digest_names(), vec!["SHA256".to_string()]);
        assert!(r.weak_algorithms().is_empty());
        let r = verify(&x.replace("urn:x", "urn:y"), s.cert_der());
        assert!(r.verified.is_err());
    }

    #[test]
    fn sha1_signatures_verify_and_are_named_weak() {
        let (s, x) = rsa_signed(true);
        assert!(
            x.contains("xmldsig#rsa-sha1") && x.contains("xmldsig#sha1"),
            "{x}"
        );
        let r = verify(&x, s.cert_der());
        assert_eq!(r.verified, Ok(()), "{x}");
        assert_eq!(r.algorithm_name(), "RSA-SHA1");
        assert_eq!(
            r.weak_algorithms(),
            vec!["RSA-SHA1".to_string(), "SHA1".to_string()]
        );
        let r = verify(&x.replace(">text<", ">changed<"), s.cert_der());
        assert!(matches!(
            r.failed_part,
            Some(FailedPart::ReferenceDigest { .. })
        ));
    }

    #[test]
    fn a_copy_reindented_after_signing_is_diagnosed() {
        let (s, x) = rsa_signed(false);
        let indented = x.replace("><", ">\n    <");
        let r = verify(&indented, s.cert_der());
        assert_eq!(r.failed_part, Some(FailedPart::SignatureValue));
        assert!(r.reformatted);
        let why = r.verified.err().unwrap_or_default();
        assert!(
            why.contains("re-formatted after signing: it verifies once the whitespace between elements is removed"),
            "{why}"
        );
        // Pretty-printing that also wraps text needs the trimmed reading.
        let wrapped = indented.replace(">text<", ">\n      text\n    <");
        let r = verify(&wrapped, s.cert_der());
        assert!(r.reformatted, "{:?}", r.verified);
        assert!(
            r.verified
                .err()
                .unwrap_or_default()
                .contains("and every text is trimmed")
        );
        // A real change besides the whitespace is no re-formatting.
        let changed = indented.replace(">text<", ">changed<");
        let r = verify(&changed, s.cert_der());
        assert!(!r.reformatted);
    }

    #[test]
    fn normalising_cuts_only_whitespace_between_elements() {
        let n = whitespace_normalised("<a>\n <b> x </b>\n <c/>\n</a>", false);
        assert_eq!(n.as_deref(), Some("<a><b> x </b><c/></a>"));
        let n = whitespace_normalised("<a>\n <b> x </b>\n <c/>\n</a>", true);
        assert_eq!(n.as_deref(), Some("<a><b>x</b><c/></a>"));
        let n = whitespace_normalised("<a><b> </b></a>", false);
        assert_eq!(n.as_deref(), Some("<a><b> </b></a>"));
    }

    #[test]
    fn algorithm_names_are_their_fragments() {
        assert_eq!(
            algorithm_name("http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
            "RSA-SHA1"
        );
        assert_eq!(
            algorithm_name("http://www.w3.org/2001/04/xmlenc#sha512"),
            "SHA512"
        );
        assert_eq!(algorithm_name("urn:odd"), "urn:odd");
    }
}
