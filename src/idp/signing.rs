//! Token signing for the reference IdP: an ECDSA P-256 key and self-signed certificate per start
//! (rcgen), enveloped XML signatures with exclusive canonicalisation made by the `xml-sec` crate
//! (pure Rust XMLDSig; chosen over libxmlsec1 bindings so that no C library or system package is
//! needed, and over hand-written canonicalisation, which the project does not write).

use rcgen::{CertificateParams, DnType, KeyPair};
use std::collections::BTreeSet;
use xml_sec::IdAttributeRegistration;
use xml_sec::policy::SigningPolicy;
use xml_sec::xmldsig::{
    DigestAlgorithm, EcdsaP256SigningKey, RsaSigningKey, SignContext, SignatureAlgorithm,
    X509CertificateKeyInfoWriter,
};

/// The XML-DSig namespace.
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Where the enveloped signature goes.
#[derive(Debug, Clone, Copy)]
pub enum Placement<'a> {
    /// As the last child: just before the last occurrence of this closing tag (SAML 1.1).
    BeforeLast(&'a str),
    /// Right after the first occurrence of this text, e.g. `</saml2:Issuer>` (SAML 2.0).
    AfterFirst(&'a str),
}

/// The signing algorithm of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// ECDSA P-256 with SHA-256 (WS-Trust tokens).
    EcdsaP256Sha256,
    /// RSA PKCS#1 v1.5 with SHA-256, 2048-bit (WS-Federation: what relying parties such as
    /// passport-wsfed-saml2 accept).
    RsaSha256,
    /// RSA PKCS#1 v1.5 with SHA-1 and SHA-1 digests, as older IdPs still publish: the
    /// `wsfed-sha1-signature` defect (WSF-14). `xml-sec` signs with it only when its signing
    /// policy names both algorithms.
    RsaSha1,
}

impl Algorithm {
    /// The XML-DSig SignatureMethod URI.
    pub fn uri(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Algorithm::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Algorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        }
    }

    /// The XML-DSig DigestMethod URI its references use.
    pub fn digest_uri(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 | Algorithm::RsaSha256 => {
                "http://www.w3.org/2001/04/xmlenc#sha256"
            }
            Algorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
        }
    }

    /// The signing policy: `xml-sec`'s default, plus SHA-1 for [`Algorithm::RsaSha1`].
    fn policy(self) -> SigningPolicy {
        let mut policy = SigningPolicy::default();
        if self == Algorithm::RsaSha1 {
            policy.signature_algorithms = Some(BTreeSet::from([SignatureAlgorithm::RsaSha1]));
            policy.digest_algorithms = Some(BTreeSet::from([DigestAlgorithm::Sha1]));
        }
        policy
    }
}

/// A signing key and its certificate.
pub struct Signer {
    algorithm: Algorithm,
    key_pkcs8: Vec<u8>,
    cert_der: Vec<u8>,
    /// The certificate, PEM (what a relying party trusts).
    pub cert_pem: String,
    /// The public key, PEM (SubjectPublicKeyInfo).
    pub public_key_pem: String,
}

impl Signer {
    /// A fresh ECDSA P-256 key and a self-signed certificate naming the IdP.
    pub fn generate(issuer: &str) -> Result<Signer, String> {
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        Signer::certify(Algorithm::EcdsaP256Sha256, key, issuer, Validity::Current)
    }

    /// A signer for an RSA key (PKCS#8 DER, from [`rsa_pkcs8`]) with a certificate that is
    /// current or, for the WSF-3 defect, expired; it signs with RSA-SHA256, or with RSA-SHA1 when
    /// `sha1` (the WSF-14 defect).
    pub fn rsa(
        pkcs8: &[u8],
        issuer: &str,
        validity: Validity,
        sha1: bool,
    ) -> Result<Signer, String> {
        let key = KeyPair::from_pkcs8_der_and_sign_algo(
            &rustls_pki_types::PrivatePkcs8KeyDer::from(pkcs8.to_vec()),
            &rcgen::PKCS_RSA_SHA256,
        )
        .map_err(|e| format!("RSA key: {e}"))?;
        let algorithm = if sha1 {
            Algorithm::RsaSha1
        } else {
            Algorithm::RsaSha256
        };
        Signer::certify(algorithm, key, issuer, validity)
    }

    fn certify(
        algorithm: Algorithm,
        key: KeyPair,
        issuer: &str,
        validity: Validity,
    ) -> Result<Signer, String> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        params.distinguished_name.push(
            DnType::CommonName,
            format!("fedconform reference IdP token signing ({issuer})"),
        );
        let now = time::OffsetDateTime::now_utc();
        (params.not_before, params.not_after) = match validity {
            Validity::Current => (
                now - time::Duration::days(1),
                now + time::Duration::days(365),
            ),
            Validity::Expired => (
                now - time::Duration::days(400),
                now - time::Duration::days(35),
            ),
        };
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(Signer {
            algorithm,
            key_pkcs8: key.serialize_der(),
            cert_der: cert.der().to_vec(),
            cert_pem: cert.pem(),
            public_key_pem: key.public_key_pem(),
        })
    }

    /// The certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Signs an element that carries `id_attribute="id"` with an enveloped `ds:Signature`
    /// (exclusive c14n, the signer's algorithm and its digest, the certificate in KeyInfo) placed
    /// where the schema wants it.
    pub fn sign(
        &self,
        xml: &str,
        id_attribute: &str,
        id: &str,
        placement: Placement,
    ) -> Result<String, String> {
        let at = match placement {
            Placement::BeforeLast(close_tag) => xml
                .rfind(close_tag)
                .ok_or_else(|| format!("no {close_tag} to sign"))?,
            Placement::AfterFirst(tag) => xml
                .find(tag)
                .map(|i| i + tag.len())
                .ok_or_else(|| format!("no {tag} to sign after"))?,
        };
        let template = format!(
            concat!(
                "<ds:Signature xmlns:ds=\"{ds}\"><ds:SignedInfo>",
                "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
                "<ds:SignatureMethod Algorithm=\"{method}\"/>",
                "<ds:Reference URI=\"#{id}\"><ds:Transforms>",
                "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
                "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
                "</ds:Transforms><ds:DigestMethod Algorithm=\"{digest}\"/>",
                "<ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo>",
                "<ds:SignatureValue></ds:SignatureValue><ds:KeyInfo></ds:KeyInfo></ds:Signature>"
            ),
            ds = DS,
            method = self.algorithm.uri(),
            digest = self.algorithm.digest_uri(),
            id = id
        );
        let doc = format!("{}{template}{}", &xml[..at], &xml[at..]);
        let key_info = X509CertificateKeyInfoWriter::from_der(&self.cert_der)
            .map_err(|e| format!("certificate: {e}"))?;
        let ids = [IdAttributeRegistration::global(id_attribute)];
        let signed = match self.algorithm {
            Algorithm::EcdsaP256Sha256 => {
                let key = EcdsaP256SigningKey::from_pkcs8_der(&self.key_pkcs8)
                    .map_err(|e| format!("signing key: {e}"))?;
                SignContext::new(&key)
                    .key_info_writer(&key_info)
                    .id_attributes(&ids)
                    .sign_template(&doc)
            }
            Algorithm::RsaSha256 | Algorithm::RsaSha1 => {
                let key = RsaSigningKey::from_pkcs8_der(&self.key_pkcs8)
                    .map_err(|e| format!("signing key: {e}"))?;
                SignContext::new(&key)
                    .policy(self.algorithm.policy())
                    .key_info_writer(&key_info)
                    .id_attributes(&ids)
                    .sign_template(&doc)
            }
        };
        signed.map_err(|e| format!("signing failed: {e}"))
    }
}

/// Whether a certificate is valid now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Valid from now on.
    Current,
    /// Expired a month ago (the WSF-3 defect).
    Expired,
}

/// A fresh 2048-bit RSA private key, PKCS#8 DER. Generation takes a noticeable fraction of a
/// second, so the reference IdP makes one per process, off the request path.
pub fn rsa_pkcs8() -> Result<Vec<u8>, String> {
    use rsa::pkcs8::EncodePrivateKey;
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let key = rsa::PrivateKey::new(&mut rng, 2048).map_err(|e| format!("RSA: {e}"))?;
    key.to_pkcs8_der()
        .map(|d| d.as_bytes().to_vec())
        .map_err(|e| format!("RSA key encoding: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_enveloped_last_and_filled() {
        let s = match Signer::generate("test") {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let assertion = r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" MajorVersion="1" MinorVersion="1" AssertionID="_abc" Issuer="x"><saml:Conditions NotBefore="2026-01-01T00:00:00Z"/></saml:Assertion>"#;
        let signed = match s.sign(
            assertion,
            "AssertionID",
            "_abc",
            Placement::BeforeLast("</saml:Assertion>"),
        ) {
            Ok(x) => x,
            Err(e) => panic!("{e}"),
        };
        let doc = match roxmltree::Document::parse(&signed) {
            Ok(d) => d,
            Err(e) => panic!("{e}: {signed}"),
        };
        let root = doc.root_element();
        let last = root.children().rfind(|c| c.is_element());
        assert!(
            last.is_some_and(|l| l.has_tag_name((DS, "Signature"))),
            "{signed}"
        );
        for name in ["DigestValue", "SignatureValue", "X509Certificate"] {
            let filled = doc
                .descendants()
                .find(|n| n.has_tag_name((DS, name)))
                .and_then(|n| n.text())
                .is_some_and(|t| !t.trim().is_empty());
            assert!(filled, "{name} is empty: {signed}");
        }
        let uri = doc
            .descendants()
            .find(|n| n.has_tag_name((DS, "Reference")))
            .and_then(|n| n.attribute("URI"));
        assert_eq!(uri, Some("#_abc"));
    }
}
