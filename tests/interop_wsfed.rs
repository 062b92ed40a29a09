//! WS-Federation interop with real third-party implementations from the package registries,
//! provisioned by the tests under target/ (a missing peer fails the test, rule 2):
//! - Auth0's passport-wsfed-saml2 (npm), a relying party, validates the reference IdP's sign-in
//!   answer as the harness receives it (signature with the metadata's certificate, audience,
//!   lifetime), and refuses the answers of the defects the harness flags under WSF-7;
//! - Python's signxml signs documents that the harness's verifier must accept (RSA, ECDSA, and
//!   RSA-SHA1 re-signed real metadata, which WSF-14 warns about), and tampered copies it must
//!   refuse; and it verifies the IdP's own WS-Fed signatures.

mod common;

use common::peers::{node_json, node_packages, python_json, python_venv};
use fedconform::flow::wsfed::Form;
use fedconform::flow::xmldsig;
use fedconform::steps::{StepOutput, Steps};
use fedconform::suite::StepKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn signxml_python() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON
        .get_or_init(|| python_venv("interop-venv-signxml", &["signxml==5.2.0"], "signxml"))
        .clone()
}

fn passport() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| node_packages("interop-node", "passport-wsfed-saml2"))
        .clone()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// A sign-in the harness performed against a served reference IdP.
struct Signin {
    dir: tempfile::TempDir,
    form: Form,
    metadata: Vec<u8>,
    cert_der: Vec<u8>,
    realm: String,
}

fn signin(defect: Option<&str>) -> Signin {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), defect);
    let target = fedconform::suite::load_target(&served.target).expect("the served target loads");
    let realm = target
        .wsfed
        .as_ref()
        .expect("a [wsfed] section")
        .wtrealm
        .clone();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let http = fedconform::http::HttpClient::for_target(&target).expect("client");
    let steps = Steps::new(Arc::new(target), http);
    let (out, meta) = rt.block_on(async {
        (
            steps.get(StepKind::WsfedSignin).await,
            steps.get(StepKind::WsfedMetadata).await,
        )
    });
    let StepOutput::Wsfed(w) = &*out else {
        panic!("the sign-in did not run: {out:?}")
    };
    let form = w
        .answer
        .as_ref()
        .and_then(|a| a.token_form.clone())
        .unwrap_or_else(|| panic!("no token form: {w:?}"));
    let StepOutput::WsfedMetadata(m) = &*meta else {
        panic!("the metadata step did not run")
    };
    let cert_der = m
        .analysis
        .as_ref()
        .and_then(|a| a.certificate_ders().into_iter().next())
        .expect("a signing certificate in the metadata");
    Signin {
        dir,
        form,
        metadata: m.exchange.body.clone(),
        cert_der,
        realm,
    }
}

impl Signin {
    /// passport-wsfed-saml2's verdict on the answer, trusting the metadata's certificate.
    fn passport(&self) -> serde_json::Value {
        use base64::Engine;
        let input = self.dir.path().join("passport.json");
        let json = serde_json::json!({
            "wresult": self.form.value("wresult"),
            "wctx": self.form.value("wctx"),
            "cert_b64": base64::engine::general_purpose::STANDARD.encode(&self.cert_der),
            "realm": self.realm,
        });
        std::fs::write(&input, json.to_string()).expect("write");
        node_json(&passport(), "passport_wsfed.js", &[s(&input)])
    }
}

#[test]
fn passport_wsfed_saml2_accepts_the_reference_sign_in_answer() {
    let signin = signin(None);
    let v = signin.passport();
    assert_eq!(v["ok"], true, "{v}");
    let profile = v["profile"].to_string();
    assert!(profile.contains("alice@contoso.example"), "{v}");
}

#[test]
fn passport_wsfed_saml2_accepts_a_sha1_signed_answer_the_harness_only_warns_about() {
    // The relying party verifies RSA-SHA1: the harness's WSF-7 passes it too, and WSF-14 (a
    // SHOULD) is the finding (tests/defect_matrix.rs).
    let signin = signin(Some("wsfed-sha1-signature"));
    let wresult = signin.form.value("wresult").unwrap_or_default().to_string();
    assert!(
        wresult.contains("xmldsig#rsa-sha1") && wresult.contains("xmldsig#sha1"),
        "the defect signs with SHA-1: {wresult}"
    );
    let v = signin.passport();
    assert_eq!(v["ok"], true, "{v}");
}

#[test]
fn passport_wsfed_saml2_refuses_the_answers_the_harness_flags() {
    for (defect, reason) in [
        ("wsfed-audience-mismatch", "audience"),
        ("wsfed-expired-assertion", "expired"),
        ("wsfed-token-other-key", "signature"),
    ] {
        let v = signin(Some(defect)).passport();
        assert_eq!(
            v["ok"], false,
            "{defect}: the relying party accepted it: {v}"
        );
        let error = v["error"].as_str().unwrap_or_default().to_ascii_lowercase();
        assert!(
            error.contains(reason),
            "{defect}: refused, but not for its {reason}: {v}"
        );
    }
}

#[test]
fn signxml_verifies_the_reference_ws_fed_signatures() {
    let python = signxml_python();
    let signin = signin(None);
    let wresult = signin.form.value("wresult").unwrap_or_default().to_string();
    let doc = roxmltree::Document::parse(&wresult).expect("wresult is XML");
    let assertion = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Assertion")
        .expect("an assertion");
    let range = assertion.range();
    let dir = signin.dir.path();
    std::fs::write(dir.join("assertion.xml"), &wresult[range]).expect("write");
    std::fs::write(dir.join("metadata.xml"), &signin.metadata).expect("write");
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(&signin.cert_der)
        }
    );
    std::fs::write(dir.join("signing.pem"), pem).expect("write");
    for (file, id) in [("assertion.xml", "AssertionID"), ("metadata.xml", "ID")] {
        let v = python_json(
            &python,
            "verify_signature.py",
            &[s(&dir.join(file)), s(&dir.join("signing.pem")), id],
        );
        assert_eq!(v["verified"], true, "{file}: {v}");
    }
}

const SAML11: &str = r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" MajorVersion="1" MinorVersion="1" AssertionID="_a1" Issuer="urn:issuer" IssueInstant="2026-11-24T00:00:00Z"><saml:Conditions NotBefore="2026-11-24T00:00:00Z" NotOnOrAfter="2026-11-24T01:00:00Z"><saml:AudienceRestrictionCondition><saml:Audience>urn:rp</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions><saml:AttributeStatement><saml:Subject><saml:NameIdentifier>alice@contoso.example</saml:NameIdentifier></saml:Subject><saml:Attribute AttributeName="UPN" AttributeNamespace="http://schemas.xmlsoap.org/claims"><saml:AttributeValue>alice@contoso.example</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>"#;

const SAML2: &str = r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a2" Version="2.0" IssueInstant="2026-11-24T00:00:00Z"><saml2:Issuer>urn:issuer</saml2:Issuer><saml2:Subject><saml2:NameID>alice@contoso.example</saml2:NameID></saml2:Subject><saml2:Conditions NotBefore="2026-11-24T00:00:00Z" NotOnOrAfter="2026-11-24T01:00:00Z"><saml2:AudienceRestriction><saml2:Audience>urn:rp</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions></saml2:Assertion>"#;

const METADATA: &str = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" ID="_m1" entityID="urn:issuer"><md:RoleDescriptor xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706"><fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://idp.example/wsfed</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint></md:RoleDescriptor></md:EntityDescriptor>"#;

/// The real WS-Fed metadata documents (tests/fixtures/wsfed-metadata).
const METADATA_FIXTURES: [&str; 4] = [
    "adfs-20-msidlab7.xml",
    "adfs-30-msidlab2.xml",
    "adfs-2016-msidlab11.xml",
    "azure-ad-tenant-2014.xml",
];

#[test]
fn real_metadata_re_signed_with_rsa_sha1_by_signxml_verifies_and_warns_on_wsf14() {
    // As an IdP that still signs with SHA-1 publishes it: signxml drops the document's own
    // signature, puts its new certificate in the KeyDescriptors and signs with RSA-SHA1 and a
    // SHA-1 digest. Relying parties verify that; the harness must too, and warn (WSF-14).
    let python = signxml_python();
    let dir = tempfile::tempdir().expect("tempdir");
    for name in METADATA_FIXTURES {
        let src = common::root()
            .join("tests/fixtures/wsfed-metadata")
            .join(name);
        let out = dir.path().join(name);
        let cert = dir.path().join(format!("{name}.der"));
        let v = python_json(
            &python,
            "sign_signxml.py",
            &[s(&src), "rsa-sha1", s(&out), s(&cert), "--resign-metadata"],
        );
        assert_eq!(v["signed"], true, "{name}: {v}");
        let run = common::run(&["inspect", "wsfed-metadata", s(&out), "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
        let finding = |key: &str| {
            v["findings"]
                .as_array()
                .and_then(|f| f.iter().find(|x| x["key"] == key))
                .cloned()
                .unwrap_or_default()
        };
        let signed = finding("WSF-5/metadata_signed");
        assert_eq!(signed["outcome"], "pass", "{name}: {v}");
        assert_eq!(
            signed["message"],
            "signed with RSA-SHA1 (SHA1 digest, exclusive c14n) by CN=signxml interop, verified",
            "{name}: {v}"
        );
        let sha2 = finding("WSF-14/metadata_signature_sha2");
        assert_eq!(sha2["outcome"], "warn", "{name}: {v}");
        assert!(
            sha2["message"]
                .as_str()
                .is_some_and(|m| m.ends_with("RSA-SHA1 and SHA1 are not SHA-2")),
            "{name}: {v}"
        );
        // A SHOULD warns; the current certificate passes WSF-3 at the current clock.
        assert_eq!(
            finding("WSF-3/signing_certificate_current")["outcome"],
            "pass"
        );
        assert_eq!(v["clock"], "current");
        assert_eq!(run.status.code(), Some(0), "{name}: {v}");
    }
}

/// Signs `unsigned` with signxml; returns (signed XML, certificate DER).
fn signxml_sign(
    python: &Path,
    dir: &Path,
    name: &str,
    unsigned: &str,
    alg: &str,
) -> (String, Vec<u8>) {
    let src = dir.join(format!("{name}.xml"));
    let out = dir.join(format!("{name}.{alg}.signed.xml"));
    let cert = dir.join(format!("{name}.{alg}.der"));
    std::fs::write(&src, unsigned).expect("write");
    let v = python_json(
        python,
        "sign_signxml.py",
        &[s(&src), alg, s(&out), s(&cert)],
    );
    assert_eq!(v["signed"], true, "{v}");
    (
        std::fs::read_to_string(&out).expect("signed"),
        std::fs::read(&cert).expect("cert"),
    )
}

fn verify(text: &str, cert: &[u8]) -> Result<(), String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    xmldsig::verify_element(text, doc.root_element(), cert).verified
}

#[test]
fn the_verifier_accepts_signxml_signatures_and_refuses_tampered_copies() {
    let python = signxml_python();
    let dir = tempfile::tempdir().expect("tempdir");
    for alg in ["rsa-sha256", "ecdsa-sha256"] {
        let (_, other_cert) = signxml_sign(&python, dir.path(), "other", SAML2, alg);
        for (name, unsigned, value, changed) in [
            (
                "saml11",
                SAML11,
                "alice@contoso.example",
                "mallory@contoso.example",
            ),
            ("saml2", SAML2, "urn:rp", "urn:attacker"),
            (
                "metadata",
                METADATA,
                "https://idp.example/wsfed",
                "https://attacker.example/wsfed",
            ),
        ] {
            let (signed, cert) = signxml_sign(&python, dir.path(), name, unsigned, alg);
            let what = format!("{name} signed by signxml with {alg}");
            assert_eq!(verify(&signed, &cert), Ok(()), "{what}: {signed}");
            assert!(
                signed.contains("xml-exc-c14n#"),
                "{what}: not exclusive c14n: {signed}"
            );

            let text = signed.replacen(value, changed, 1);
            assert!(
                verify(&text, &cert).is_err(),
                "{what}: changed text verified"
            );
            let attr = signed.replacen("2026-11-24T01:00:00Z", "2027-11-24T01:00:00Z", 1);
            if attr != signed {
                assert!(
                    verify(&attr, &cert).is_err(),
                    "{what}: changed attribute verified"
                );
            }
            assert!(
                verify(&signed, &other_cert).is_err(),
                "{what}: verified with another certificate"
            );
            let sig_start = signed.find("SignatureValue>").expect("a SignatureValue") + 15;
            let mut bytes = signed.clone().into_bytes();
            bytes[sig_start + 4] = if bytes[sig_start + 4] == b'A' {
                b'B'
            } else {
                b'A'
            };
            let flipped = String::from_utf8(bytes).expect("utf8");
            assert!(
                verify(&flipped, &cert).is_err(),
                "{what}: altered SignatureValue verified"
            );
        }
    }
}

#[test]
fn the_verifier_accepts_the_sha1_signatures_relying_parties_accept_and_names_them() {
    // RSA-SHA1, ECDSA-SHA1 and DSA-SHA1 (1024-bit) with SHA-1 digests, made by signxml (its DSA
    // value re-encoded to XML Signature's 40 octets): they verify (WSF-5, WSF-7 pass) and are
    // named weak (WSF-14); a tampered copy still fails.
    let python = signxml_python();
    let dir = tempfile::tempdir().expect("tempdir");
    for (alg, name) in [
        ("rsa-sha1", "RSA-SHA1"),
        ("ecdsa-sha1", "ECDSA-SHA1"),
        ("dsa-sha1", "DSA-SHA1"),
    ] {
        for (doc, unsigned, value, changed) in [
            (
                "saml11",
                SAML11,
                "alice@contoso.example",
                "mallory@contoso.example",
            ),
            (
                "metadata",
                METADATA,
                "https://idp.example/wsfed",
                "https://attacker.example/wsfed",
            ),
        ] {
            let (signed, cert) = signxml_sign(&python, dir.path(), doc, unsigned, alg);
            let signed = if alg == "dsa-sha1" {
                dsa_value_as_xmldsig(&signed)
            } else {
                signed
            };
            let what = format!("{doc} signed by signxml with {alg}");
            let parsed = roxmltree::Document::parse(&signed).expect("xml");
            let r = xmldsig::verify_element(&signed, parsed.root_element(), &cert);
            assert_eq!(r.verified, Ok(()), "{what}: {signed}");
            assert_eq!(r.algorithm_name(), name, "{what}");
            assert_eq!(
                r.weak_algorithms(),
                vec![name.to_string(), "SHA1".to_string()],
                "{what}"
            );
            assert!(
                verify(&signed.replacen(value, changed, 1), &cert).is_err(),
                "{what}: changed text verified"
            );
        }
    }
}

/// signxml 5.2 pads DSA's r and s to the key's size (128 octets each for a 1024-bit key); XML
/// Signature 1.1 §6.4.1 encodes each in 20 octets (I2OSP with l = 20), as other implementations
/// write and read it. Re-encodes the SignatureValue so.
fn dsa_value_as_xmldsig(signed: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let start = signed.find("SignatureValue>").expect("a SignatureValue") + "SignatureValue>".len();
    let end = start + signed[start..].find('<').expect("its end");
    let raw: String = signed[start..end].split_whitespace().collect();
    let value = b64.decode(raw.as_bytes()).expect("base64");
    assert_eq!(value.len(), 256, "signxml's DSA value changed shape");
    let (r, s) = value.split_at(128);
    assert!(
        r[..108].iter().chain(&s[..108]).all(|b| *b == 0),
        "r and s fit in 20 octets"
    );
    let standard = [&r[108..], &s[108..]].concat();
    format!(
        "{}{}{}",
        &signed[..start],
        b64.encode(standard),
        &signed[end..]
    )
}

#[test]
fn the_verifier_refuses_wrapped_assertions() {
    // Signature wrapping: a forged assertion put where a relying party reads, carrying the
    // signature of the genuine one, which is moved aside. The verifier must vouch only for the
    // element it is given.
    let python = signxml_python();
    let dir = tempfile::tempdir().expect("tempdir");
    let (signed, cert) = signxml_sign(&python, dir.path(), "wrap", SAML2, "rsa-sha256");
    let sig_at = signed.find("<ds:Signature").expect("a ds:Signature");
    let sig_end = signed.find("</ds:Signature>").expect("its end") + "</ds:Signature>".len();
    let genuine_unsigned = format!("{}{}", &signed[..sig_at], &signed[sig_end..]);
    for (label, forged_id) in [("same ID", "_a2"), ("another ID", "_forged")] {
        let forged = signed.replace("alice@", "mallory@").replacen(
            "ID=\"_a2\"",
            &format!("ID=\"{forged_id}\""),
            1,
        );
        let wrapped = format!(
            r#"<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:RequestedSecurityToken>{forged}</t:RequestedSecurityToken><t:Extra>{genuine_unsigned}</t:Extra></t:RequestSecurityTokenResponse>"#
        );
        let doc = roxmltree::Document::parse(&wrapped).expect("xml");
        let read = doc
            .descendants()
            .find(|n| n.tag_name().name() == "Assertion")
            .expect("the assertion a relying party reads");
        assert!(read.attribute("ID") == Some(forged_id));
        let r = xmldsig::verify_element(&wrapped, read, &cert);
        assert!(
            r.verified.is_err(),
            "{label}: a wrapped assertion verified: {r:?}"
        );
    }
    // The genuine assertion, in the same wrapper, still verifies.
    let wrapped = format!(
        r#"<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:RequestedSecurityToken>{signed}</t:RequestedSecurityToken></t:RequestSecurityTokenResponse>"#
    );
    let doc = roxmltree::Document::parse(&wrapped).expect("xml");
    let read = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Assertion")
        .expect("the assertion");
    assert_eq!(
        xmldsig::verify_element(&wrapped, read, &cert).verified,
        Ok(())
    );
}
