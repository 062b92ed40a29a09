//! A fresh CA per run and a server certificate for the loopback address (rcgen).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use std::net::IpAddr;

/// The CA and server certificate of one reference IdP.
pub struct Pki {
    /// The CA certificate, PEM (what a client must trust).
    pub ca_pem: String,
    /// Server certificate chain, DER.
    pub server_chain: Vec<Vec<u8>>,
    /// Server private key, PKCS#8 DER.
    pub server_key: Vec<u8>,
}

impl Pki {
    /// A rustls server configuration that serves this chain and key, offering `alpn`.
    pub fn server_config(&self, alpn: &[&[u8]]) -> Result<rustls::ServerConfig, String> {
        let chain = self
            .server_chain
            .iter()
            .map(|c| rustls::pki_types::CertificateDer::from(c.clone()))
            .collect();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into());
        let mut config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| e.to_string())?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(config)
    }
}

/// Which server certificate to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCert {
    /// Valid now, for the address and `localhost`.
    Valid,
    /// For another name only (the TLS-1 defect, and the hostile-IdP tests).
    WrongHost,
    /// For the address, but expired a month ago (the hostile-IdP tests).
    Expired,
}

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

/// Generates a CA and the kind of server certificate asked for.
pub fn generate_with(ip: IpAddr, kind: ServerCert) -> Result<Pki, String> {
    let wrong_host = kind == ServerCert::WrongHost;
    let e = |x: rcgen::Error| x.to_string();
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "fedconform reference IdP CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(e)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().map_err(e)?;
    let names = if wrong_host {
        vec!["wrong-host.invalid".to_string()]
    } else {
        vec!["localhost".to_string()]
    };
    let mut params = CertificateParams::new(names).map_err(e)?;
    if !wrong_host {
        params.subject_alt_names.push(SanType::IpAddress(ip));
    }
    params
        .distinguished_name
        .push(DnType::CommonName, "fedconform reference IdP");
    if kind == ServerCert::Expired {
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(60);
        params.not_after = now - time::Duration::days(30);
    }
    let cert = params.signed_by(&key, &issuer).map_err(e)?;
    Ok(Pki {
        ca_pem: ca_cert.pem(),
        server_chain: vec![cert.der().to_vec(), ca_cert.der().to_vec()],
        server_key: key.serialize_der(),
    })
}
