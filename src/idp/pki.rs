//! A fresh CA per run and a server certificate for the loopback address (rcgen), served with
//! OpenSSL. The conformant certificate meets every rule a Mac applies to a TLS server certificate
//! chaining to a public root (SPEC.md TLS-7…TLS-11): an EC P-256 key signed with ECDSA-SHA256, the
//! names in subjectAltName, the serverAuth extended key usage, 397 days of validity and a
//! Certificate Transparency SCT list. The defects' certificates each break one of them.

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use std::net::IpAddr;

/// The CA and server certificate of one reference IdP.
pub struct Pki {
    /// The CA certificate, PEM (what a client must trust).
    pub ca_pem: String,
    /// Server certificate chain, DER, leaf first.
    pub server_chain: Vec<Vec<u8>>,
    /// Server private key, PKCS#8 DER.
    pub server_key: Vec<u8>,
}

/// What the server's TLS offers (the TLS-5 and TLS-6 defects change it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerTls {
    /// TLS 1.2 and 1.3 with ECDHE suites (Mozilla's "intermediate" configuration).
    #[default]
    Modern,
    /// TLS 1.1 only (TLS-5).
    Tls11Only,
    /// TLS 1.2 only, with RSA key exchange suites only: no forward secrecy (TLS-6).
    NoForwardSecrecy,
}

impl Pki {
    /// An OpenSSL acceptor that serves this chain and key with `tls`, offering `alpn`.
    pub fn acceptor(
        &self,
        alpn: &'static [&'static [u8]],
        tls: ServerTls,
    ) -> Result<openssl::ssl::SslAcceptor, String> {
        use openssl::ssl::{AlpnError, SslAcceptor, SslMethod, SslVersion};
        let e = |x: openssl::error::ErrorStack| format!("TLS server: {x}");
        let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).map_err(e)?;
        // The defects serve what OpenSSL's default security level refuses (RSA-1024, TLS 1.1).
        b.set_security_level(0);
        match tls {
            ServerTls::Modern => {}
            ServerTls::Tls11Only => {
                // Mozilla's configuration switches TLS 1.0 and 1.1 off by option, beside the range.
                b.clear_options(openssl::ssl::SslOptions::NO_TLSV1_1);
                b.set_min_proto_version(Some(SslVersion::TLS1_1))
                    .map_err(e)?;
                b.set_max_proto_version(Some(SslVersion::TLS1_1))
                    .map_err(e)?;
                b.set_cipher_list("ALL:@SECLEVEL=0").map_err(e)?;
            }
            ServerTls::NoForwardSecrecy => {
                b.set_min_proto_version(Some(SslVersion::TLS1_2))
                    .map_err(e)?;
                b.set_max_proto_version(Some(SslVersion::TLS1_2))
                    .map_err(e)?;
                b.set_cipher_list("AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA256:AES128-SHA")
                    .map_err(e)?;
            }
        }
        let key = openssl::pkey::PKey::private_key_from_pkcs8(&self.server_key).map_err(e)?;
        b.set_private_key(&key).map_err(e)?;
        let mut chain = self.server_chain.iter();
        let leaf = chain
            .next()
            .ok_or("TLS server: no certificate")
            .map_err(str::to_string)?;
        let leaf = openssl::x509::X509::from_der(leaf).map_err(e)?;
        b.set_certificate(&leaf).map_err(e)?;
        for c in chain {
            b.add_extra_chain_cert(openssl::x509::X509::from_der(c).map_err(e)?)
                .map_err(e)?;
        }
        b.check_private_key().map_err(e)?;
        b.set_alpn_select_callback(move |_, client| {
            for want in alpn {
                let mut rest = client;
                while let Some((&len, tail)) = rest.split_first() {
                    let len = usize::from(len);
                    if tail.len() < len {
                        break;
                    }
                    if &tail[..len] == *want {
                        return Ok(&tail[..len]);
                    }
                    rest = &tail[len..];
                }
            }
            Err(AlpnError::NOACK)
        });
        Ok(b.build())
    }
}

/// Which server certificate to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCert {
    /// Meets every rule (TLS-1, TLS-7…TLS-11), for the address and `localhost`.
    Valid,
    /// For another name only (the TLS-1 defect, and the hostile-IdP tests).
    WrongHost,
    /// For the address, but expired a month ago (the hostile-IdP tests).
    Expired,
    /// Valid for 730 days (TLS-10).
    LongValidity,
    /// An RSA-1024 key (TLS-7).
    Rsa1024,
    /// An RSA-2048 key, for a server offering RSA key exchange (the TLS-6 defect).
    Rsa2048,
    /// No subjectAltName: the address only in the CommonName (TLS-8).
    NoSan,
    /// No extendedKeyUsage extension (TLS-9).
    NoServerAuth,
    /// No SCT list: no Certificate Transparency proof (TLS-11).
    NoSct,
    /// The CA certificate itself as the server certificate, as `openssl req -x509` makes one:
    /// basicConstraints CA, the names in subjectAltName, no extendedKeyUsage (TLS-9).
    CaAsLeaf,
}

/// The validity the conformant leaf gets, in days: under Apple's 398 (TLS-10), as Apple
/// recommends ("About upcoming limits on trusted certificates").
pub const LEAF_DAYS: i64 = 397;

/// Generates a CA and a server certificate for `ip` and `localhost` (or, with `wrong_host`, for
/// another name only: the TLS-1 defect).
pub fn generate(ip: IpAddr, wrong_host: bool) -> Result<Pki, String> {
    generate_with(
        ip,
        if wrong_host {
            ServerCert::WrongHost
        } else {
            ServerCert::Valid
        },
    )
}

/// A SignedCertificateTimestampList (RFC 6962 §3.3) holding one well-formed SCT from a made-up
/// log, TLS-encoded: the content of the certificate extension and of the TLS extension alike.
/// TLS-11 checks the proof's presence only.
pub fn sct_list() -> Vec<u8> {
    let mut sct = vec![0u8]; // v1
    sct.extend_from_slice(&[0x5a; 32]); // log ID
    let ms = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp())
        .unwrap_or(0)
        .saturating_mul(1000);
    sct.extend_from_slice(&ms.to_be_bytes());
    sct.extend_from_slice(&[0, 0]); // no extensions
    sct.extend_from_slice(&[4, 3]); // SHA-256, ECDSA
    let signature = [0x30u8, 6, 2, 1, 1, 2, 1, 1];
    sct.extend_from_slice(&(signature.len() as u16).to_be_bytes());
    sct.extend_from_slice(&signature);
    let mut list = (sct.len() as u16).to_be_bytes().to_vec();
    list.extend_from_slice(&sct);
    let mut value = (list.len() as u16).to_be_bytes().to_vec();
    value.extend_from_slice(&list);
    value
}

/// The SignedCertificateTimestampList certificate extension (OID 1.3.6.1.4.1.11129.2.4.2).
fn sct_list_extension() -> CustomExtension {
    let value = sct_list();
    // The extension's value is an OCTET STRING holding the TLS-encoded list.
    let mut der = vec![0x04];
    der.extend_from_slice(&der_length(value.len()));
    der.extend_from_slice(&value);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2], der)
}

fn der_length(n: usize) -> Vec<u8> {
    if n < 0x80 {
        vec![n as u8]
    } else if n < 0x100 {
        vec![0x81, n as u8]
    } else {
        vec![0x82, (n >> 8) as u8, n as u8]
    }
}

/// An RSA key made by OpenSSL (ring, rcgen's backend, neither makes RSA keys nor loads ones under
/// 2048 bits): the certificate needs only its public half.
struct RsaKey {
    /// RSAPublicKey (PKCS#1), DER: the subjectPublicKey bits.
    public: Vec<u8>,
    /// The private key, PKCS#8 DER, for the server.
    pkcs8: Vec<u8>,
}

impl rcgen::PublicKeyData for RsaKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

fn rsa_key(bits: u32) -> Result<RsaKey, String> {
    let e = |x: openssl::error::ErrorStack| format!("RSA key: {x}");
    let rsa = openssl::rsa::Rsa::generate(bits).map_err(e)?;
    let public = rsa.public_key_to_der_pkcs1().map_err(e)?;
    let pkcs8 = openssl::pkey::PKey::from_rsa(rsa)
        .map_err(e)?
        .private_key_to_pkcs8()
        .map_err(e)?;
    Ok(RsaKey { public, pkcs8 })
}

/// Generates a CA and the kind of server certificate asked for.
pub fn generate_with(ip: IpAddr, kind: ServerCert) -> Result<Pki, String> {
    let e = |x: rcgen::Error| x.to_string();
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own per CA: a client looks a certificate's issuer up by name, and two
    // reference IdPs trusted at once (a test beside the hostile server) must not be confused.
    ca_params.distinguished_name.push(
        DnType::CommonName,
        format!(
            "fedconform reference IdP CA {}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ),
    );
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = time::OffsetDateTime::now_utc();
    if kind == ServerCert::CaAsLeaf {
        ca_params.subject_alt_names = vec![
            SanType::DnsName("localhost".try_into().map_err(e)?),
            SanType::IpAddress(ip),
        ];
        ca_params.not_before = now - time::Duration::days(1);
        ca_params.not_after =
            ca_params.not_before + time::Duration::days(LEAF_DAYS) - time::Duration::seconds(1);
        ca_params.custom_extensions.push(sct_list_extension());
        let cert = ca_params.self_signed(&ca_key).map_err(e)?;
        return Ok(Pki {
            ca_pem: cert.pem(),
            server_chain: vec![cert.der().to_vec()],
            server_key: ca_key.serialize_der(),
        });
    }
    let ca_cert = ca_params.self_signed(&ca_key).map_err(e)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let rsa = match kind {
        ServerCert::Rsa1024 => Some(rsa_key(1024)?),
        ServerCert::Rsa2048 => Some(rsa_key(2048)?),
        _ => None,
    };
    let ec = KeyPair::generate().map_err(e)?;
    let names = match kind {
        ServerCert::WrongHost => vec!["wrong-host.invalid".to_string()],
        ServerCert::NoSan => Vec::new(),
        _ => vec!["localhost".to_string()],
    };
    let mut params = CertificateParams::new(names).map_err(e)?;
    params.use_authority_key_identifier_extension = true;
    if !matches!(kind, ServerCert::WrongHost | ServerCert::NoSan) {
        params.subject_alt_names.push(SanType::IpAddress(ip));
    }
    params.distinguished_name.push(
        DnType::CommonName,
        if kind == ServerCert::NoSan {
            ip.to_string()
        } else {
            "fedconform reference IdP".to_string()
        },
    );
    if kind != ServerCert::NoServerAuth {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    }
    if kind != ServerCert::NoSct {
        params.custom_extensions.push(sct_list_extension());
    }
    // Apple counts validity from notBefore through notAfter inclusive: N days end one second
    // before notBefore + N days.
    params.not_before = now - time::Duration::days(1);
    params.not_after = params.not_before
        + time::Duration::days(if kind == ServerCert::LongValidity {
            730
        } else {
            LEAF_DAYS
        })
        - time::Duration::seconds(1);
    if kind == ServerCert::Expired {
        params.not_before = now - time::Duration::days(60);
        params.not_after = now - time::Duration::days(30);
    }
    let (cert, server_key) = match &rsa {
        Some(k) => (params.signed_by(k, &issuer).map_err(e)?, k.pkcs8.clone()),
        None => (
            params.signed_by(&ec, &issuer).map_err(e)?,
            ec.serialize_der(),
        ),
    };
    Ok(Pki {
        ca_pem: ca_cert.pem(),
        server_chain: vec![cert.der().to_vec(), ca_cert.der().to_vec()],
        server_key,
    })
}
