//! XML signature verification (WSF-5, WSF-7): one enveloped `ds:Signature` over an expected
//! element, checked against a certificate the caller trusts (the metadata's signing certificate),
//! never against a key the document offers. The XML-DSig processing (references, transforms,
//! exclusive canonicalisation, digests, signature algorithms) is the `xml-sec` crate's; this module
//! decides what is trusted and what must be covered, and explains failures in words.

use serde::Serialize;
use xml_sec::xmldsig::{
    CallerTrustedSignatureKey, DsigStatus, SignatureAlgorithm, VerificationKey,
    VerificationRequest, VerifyContext,
};
use xml_sec::{IdAttributeRegistration, XmlDocument};

/// The XML-DSig namespace.
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive XML canonicalisation 1.0.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// What was found about the signature on one element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// `SignatureMethod/@Algorithm`.
    pub algorithm: Option<String>,
    /// `CanonicalizationMethod/@Algorithm` of SignedInfo.
    pub canonicalization: Option<String>,
    /// `Reference/@URI`.
    pub reference: Option<String>,
    /// `Ok(())` when the signature verifies with the trusted certificate and covers the element;
    /// otherwise why not, in words.
    pub verified: Result<(), String>,
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

/// Reads the signature's parameters (for reports) from the element's own `ds:Signature` child.
fn describe(signature: roxmltree::Node) -> (Option<String>, Option<String>, Option<String>) {
    let find = |name: &str| signature.descendants().find(|n| n.has_tag_name((DS, name)));
    let attr = |name: &str, a: &str| find(name).and_then(|n| n.attribute(a)).map(str::to_string);
    (
        attr("SignatureMethod", "Algorithm"),
        attr("CanonicalizationMethod", "Algorithm"),
        attr("Reference", "URI"),
    )
}

/// Verifies the enveloped signature of `element` (an element of the parsed `text`) with the
/// certificate `cert_der`. The whole document is handed to the verifier, which must find exactly
/// one signature in it and prove that the signature covers `element` (found by its ID), so a
/// signature over some other element cannot stand in for it.
pub fn verify_element(text: &str, element: roxmltree::Node, cert_der: &[u8]) -> SignatureReport {
    let signature = element
        .children()
        .find(|n| n.has_tag_name((DS, "Signature")));
    let Some(signature) = signature else {
        return SignatureReport {
            algorithm: None,
            canonicalization: None,
            reference: None,
            verified: Err(format!(
                "{} carries no ds:Signature",
                element.tag_name().name()
            )),
        };
    };
    let (algorithm, canonicalization, reference) = describe(signature);
    let verified = check(text, element, algorithm.as_deref(), cert_der);
    SignatureReport {
        algorithm,
        canonicalization,
        reference,
        verified,
    }
}

fn check(
    text: &str,
    element: roxmltree::Node,
    algorithm: Option<&str>,
    cert_der: &[u8],
) -> Result<(), String> {
    let uri = algorithm.ok_or("ds:SignatureMethod has no Algorithm")?;
    let algorithm = SignatureAlgorithm::from_uri(uri)
        .ok_or_else(|| format!("unsupported signature algorithm {uri}"))?;
    let id = ["ID", "AssertionID", "Id"]
        .iter()
        .find_map(|a| element.attribute(*a))
        .ok_or_else(|| {
            format!(
                "{} has no ID attribute for the signature to reference",
                element.tag_name().name()
            )
        })?;
    let key = VerificationKey {
        algorithm,
        public_key_bytes: certificate_spki(cert_der)?,
        certificate_der: Some(cert_der.to_vec()),
        name: None,
    };
    let ids = id_attributes();
    let document = XmlDocument::parse(text.to_owned())
        .map_err(|e| format!("the verifier could not read the document: {e}"))?;
    let context = VerifyContext::new().id_attributes(&ids);
    let signatures = context
        .signature_identities(&document)
        .map_err(|e| format!("signature discovery failed: {e}"))?;
    let [only] = signatures.as_slice() else {
        return Err(format!(
            "the document holds {} ds:Signature elements; exactly one was expected",
            signatures.len()
        ));
    };
    let target = document
        .with_view(|view| view.node_for_id(id, &ids))
        .ok_or_else(|| format!("ID {id:?} is missing or not unique"))?;
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
        .map_err(|e| format!("verification could not run: {e}"))?;
    if evidence
        .accepted(&document)
        .map_err(|e| format!("verification evidence is stale: {e}"))?
    {
        return Ok(());
    }
    let why = evidence
        .signatures()
        .iter()
        .map(|s| match s.result() {
            Err(e) => e.to_string(),
            Ok(r) => match &r.status {
                DsigStatus::Valid => format!("the signature is valid but does not cover ID {id:?}"),
                DsigStatus::Invalid(reason) => explain(reason),
                other => format!("{other:?}"),
            },
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(format!("the signature does not verify: {why}"))
}

/// A verification failure in words.
fn explain(reason: &xml_sec::xmldsig::FailureReason) -> String {
    use xml_sec::xmldsig::FailureReason as F;
    match reason {
        F::ReferenceDigestMismatch { ref_index } => format!(
            "the digest of reference {} does not match: the signed content was changed after signing",
            ref_index + 1
        ),
        F::SignatureMismatch => {
            "the SignatureValue does not match SignedInfo under the trusted certificate's key (signed with another key, or SignedInfo was changed)".to_string()
        }
        F::KeyNotFound => "no key to verify with".to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::signing::{Placement, Signer};

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

    #[test]
    fn its_own_signature_verifies_and_a_tampered_copy_does_not() {
        let (s, x) = signed();
        let r = verify(&x, s.cert_der());
        assert_eq!(r.verified, Ok(()), "{x}");
        assert_eq!(r.canonicalization.as_deref(), Some(EXC_C14N));
        let tampered = x.replace("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
        let r = verify(&tampered, s.cert_der());
        assert!(r.verified.is_err(), "tampered copy verified");
        let other = Signer::generate("other").unwrap_or_else(|e| panic!("{e}"));
        let r = verify(&x, other.cert_der());
        assert!(r.verified.is_err(), "verified with another key");
    }

    #[test]
    fn rsa_signatures_verify_and_name_their_algorithm() {
        let key = crate::idp::signing::rsa_pkcs8().unwrap_or_else(|e| panic!("{e}"));
        let s = Signer::rsa(&key, "rsa", crate::idp::signing::Validity::Current)
            .unwrap_or_else(|e| panic!("{e}"));
        let a = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ID="_m" entityID="urn:x"><md:Extensions/></md:EntityDescriptor>"#;
        let x = s
            .sign(
                a,
                "ID",
                "_m",
                Placement::BeforeLast("</md:EntityDescriptor>"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let r = verify(&x, s.cert_der());
        assert_eq!(r.verified, Ok(()), "{x}");
        assert_eq!(
            r.algorithm.as_deref(),
            Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        );
        let r = verify(&x.replace("urn:x", "urn:y"), s.cert_der());
        assert!(r.verified.is_err());
    }
}
