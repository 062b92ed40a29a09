//! The one HTTP client (DESIGN.md: only this module talks to the network): hyper over a TLS
//! connector built on OpenSSL that offers what macOS offers under App Transport Security (TLS 1.2
//! with ATS's ECDHE suites, GCM and CBC, and TLS 1.3; SPEC.md "TLS"), https only, redirects
//! followed by hand so that an http hop is seen (TLS-2), a body cap, timeouts, per-host
//! concurrency, and a transcript of every exchange with secrets redacted. Each connection records
//! its negotiated version and suite, the verified chain and where it ends (TLS-3) into the
//! exchange; a handshake that fails is diagnosed so that the failure names the ATS or certificate
//! rule it broke, never a library's text.

use crate::redact::Redactor;
use crate::suite::Limits;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use url::Url;

pub use http::Method;

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;
/// Most body bytes kept in a transcript.
pub const TRANSCRIPT_BODY_LIMIT: usize = 64 * 1024;

/// Why an exchange did not produce a whole answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Failure {
    /// The URL is not https; nothing was sent (TLS-1).
    NotHttps { url: String },
    /// A redirect pointed at a non-https URL; it was not followed (TLS-2).
    RedirectToHttp { from: String, location: String },
    /// A redirect was answered where the client follows none (TLS-2).
    RedirectRefused { location: String },
    /// More than [`MAX_REDIRECTS`] redirects.
    TooManyRedirects,
    /// The TLS handshake failed: the rule it broke and what was seen (TLS-1, TLS-5, TLS-6).
    Tls {
        /// Why, as a rule a vendor can look up.
        failure: TlsFailure,
    },
    /// No connection (refused, unreachable, DNS).
    Connect { detail: String },
    /// No whole answer within the timeout (TLS-4).
    Timeout { detail: String },
    /// The whole answer came, but later than the client waits (macOS: 30 s): the client never
    /// reads it (TLS-4). The body is kept as evidence.
    Late {
        /// When the answer ended, in milliseconds after the request.
        elapsed_ms: u64,
        /// How long the client waits, in seconds.
        client_timeout_seconds: u64,
    },
    /// The body is larger than the cap.
    BodyTooLarge { limit: usize },
    /// The body, decoded from its Content-Encoding, is larger than the cap (a compression
    /// bomb): decoding stopped at the cap.
    DecodedTooLarge { encoding: String, limit: usize },
    /// The body could not be decoded from its Content-Encoding (corrupt data, or a coding the
    /// client did not ask for).
    Undecodable { encoding: String, detail: String },
    /// Anything else on the wire (reset, malformed HTTP).
    Protocol { detail: String },
}

impl Failure {
    /// A one-line reason.
    pub fn describe(&self) -> String {
        match self {
            Failure::NotHttps { url } => {
                format!("{url} is not an https URL; the request was not sent")
            }
            Failure::RedirectToHttp { from, location } => {
                format!("{from} redirected to {location}, which is not https; not followed")
            }
            Failure::RedirectRefused { location } => {
                format!("redirected to {location} where the client follows no redirect")
            }
            Failure::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
            Failure::Tls { failure } => failure.describe(),
            Failure::Connect { detail } => format!("could not connect: {detail}"),
            Failure::Timeout { detail } => format!("timed out: {detail}"),
            Failure::Late {
                elapsed_ms,
                client_timeout_seconds,
            } => format!(
                "the answer ended after {:.1} s, where the client gives up at {client_timeout_seconds} s and reads nothing",
                *elapsed_ms as f64 / 1000.0
            ),
            Failure::BodyTooLarge { limit } => {
                format!("the body is larger than the {limit}-byte cap")
            }
            Failure::DecodedTooLarge { encoding, limit } => format!(
                "the body decoded from Content-Encoding {} is larger than the {limit}-byte cap (a compression bomb?): decoding stopped at the cap",
                crate::flow::quoted(encoding)
            ),
            Failure::Undecodable { encoding, detail } => format!(
                "the body cannot be decoded from Content-Encoding {}: {detail}",
                crate::flow::quoted(encoding)
            ),
            Failure::Protocol { detail } => format!("HTTP failure: {detail}"),
        }
    }

    /// True when the peer could not be reached at all (the run's "IdP unreachable").
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Failure::Connect { .. })
    }
}

/// Why a TLS handshake failed, as the rule it broke (SPEC.md TLS-1, TLS-5, TLS-6; STYLE.md 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TlsFailure {
    /// TLS-5: the server negotiates no version ATS allows; `negotiated` is what it settles on when
    /// offered every version.
    Version {
        /// The version the server chose from a permissive offer (`TLSv1.1`…).
        negotiated: String,
    },
    /// TLS-6: no cipher suite in common with ATS's list; `suite` is what the server chooses when
    /// offered every suite.
    CipherSuite {
        /// The suite the server chose from a permissive offer (IANA name).
        suite: String,
        /// At which version.
        version: String,
    },
    /// TLS-1: the chain does not verify against the trust store in use.
    Certificate {
        /// What failed, in words, naming the certificate.
        reason: String,
    },
    /// TLS-1: the certificate is not for the host.
    Name {
        /// The host connected to.
        host: String,
        /// The names the certificate carries (subjectAltName, or the CommonName without one).
        names: Vec<String>,
    },
    /// TLS-1: the handshake failed for another reason (an alert, a closed connection).
    Handshake {
        /// What happened, in words.
        reason: String,
    },
}

impl TlsFailure {
    /// The SPEC.md requirement the failure breaks.
    pub fn requirement(&self) -> &'static str {
        match self {
            TlsFailure::Version { .. } => "TLS-5",
            TlsFailure::CipherSuite { .. } => "TLS-6",
            TlsFailure::Certificate { .. }
            | TlsFailure::Name { .. }
            | TlsFailure::Handshake { .. } => "TLS-1",
        }
    }

    /// The rule and what was seen, in one line.
    pub fn describe(&self) -> String {
        match self {
            TlsFailure::Version { negotiated } => format!(
                "App Transport Security requires TLS 1.2 or later; the server negotiates {} at best",
                version_name(negotiated)
            ),
            TlsFailure::CipherSuite { suite, version } => format!(
                "App Transport Security requires an ECDHE (forward secrecy) suite with AES-GCM or AES-CBC; the server offers none of them: offered every suite, it chose {suite} ({})",
                version_name(version)
            ),
            TlsFailure::Certificate { reason } => {
                format!("the certificate chain does not verify: {reason}")
            }
            TlsFailure::Name { host, names } => format!(
                "the certificate is for {}, not {host}",
                if names.is_empty() {
                    "no name".to_string()
                } else {
                    names
                        .iter()
                        .map(|n| crate::flow::quoted(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            TlsFailure::Handshake { reason } => format!("the TLS handshake failed: {reason}"),
        }
    }
}

/// `TLSv1.2` as people write it: `TLS 1.2`.
pub fn version_name(v: &str) -> String {
    match v.strip_prefix("TLSv") {
        Some(n) => format!("TLS {n}"),
        None => v.replace("SSLv", "SSL "),
    }
}

/// The TLS 1.2 cipher suites App Transport Security accepts, in Apple's order, with OpenSSL's
/// names: ECDHE key exchange (forward secrecy) with AES-128 or AES-256, GCM or CBC (Apple,
/// "Requirements for Connecting Using ATS", NSAppTransportSecurity). fedconform offers exactly
/// these in TLS 1.2 (SPEC.md TLS-6).
pub const ATS_TLS12_SUITES: [(&str, &str); 11] = [
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "ECDHE-ECDSA-AES256-SHA384",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "ECDHE-ECDSA-AES256-SHA",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "ECDHE-ECDSA-AES128-SHA",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "ECDHE-RSA-AES256-SHA384",
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "ECDHE-RSA-AES128-SHA256",
    ),
    ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"),
];

/// The TLS 1.3 suites offered, as macOS offers them (every TLS 1.3 suite has forward secrecy).
pub const TLS13_SUITES: [&str; 3] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

/// True when ATS accepts `suite` (IANA name) at `version` (`TLSv1.2`, `TLSv1.3`): TLS-6.
pub fn ats_suite(version: &str, suite: &str) -> bool {
    match version {
        "TLSv1.3" => TLS13_SUITES.contains(&suite),
        "TLSv1.2" => ATS_TLS12_SUITES.iter().any(|(iana, _)| *iana == suite),
        _ => false,
    }
}

/// True when ATS accepts the protocol version (`TLSv1.2`, `TLSv1.3`): TLS-5.
pub fn ats_version(version: &str) -> bool {
    matches!(version, "TLSv1.2" | "TLSv1.3")
}

/// True for headers that carry credentials or sessions: their values are never written out.
pub fn is_sensitive_header(name: &str) -> bool {
    [
        "authorization",
        "cookie",
        "set-cookie",
        "proxy-authorization",
    ]
    .contains(&name.to_ascii_lowercase().as_str())
}

/// One redirect hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Status of the redirecting answer.
    pub status: u16,
    /// URL that answered.
    pub url: String,
    /// Its Location.
    pub location: String,
}

/// What the client does with a redirect (SPEC.md TLS-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Redirects {
    /// Follow https redirects (macOS's GETs); one to http is refused.
    #[default]
    Follow,
    /// Follow none: a redirect is a failure of the endpoint (the STS POST).
    Refuse,
    /// Follow none here: the caller follows them itself (the WS-Federation sign-in walk).
    Manual,
}

/// Which trust anchor a verified server chain ended in (SPEC.md TLS-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trust {
    /// A root of the Mozilla root set (webpki-roots): what a Mac trusts for Platform SSO.
    PublicRoot,
    /// A root the target names as standing in for a public root (`[tls] reference_roots`: the
    /// reference IdP and test labs). A run that uses one is not a certification.
    ReferenceRoot,
    /// A CA that is not a public root: the target's `extra_ca_files` or one this machine's store
    /// adds. A Mac does not use it for Platform SSO.
    PrivateCa,
}

/// What the TLS handshake of an exchange's connection showed (recorded per connection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsInfo {
    /// Where the verified chain ends (TLS-3).
    pub trust: Trust,
    /// The negotiated protocol version, as OpenSSL names it (`TLSv1.2`, `TLSv1.3`; TLS-5).
    pub version: String,
    /// The negotiated cipher suite, IANA name (TLS-6).
    pub cipher: String,
    /// The host name or address the certificate was checked for.
    pub host: String,
    /// The verified chain, leaf first, anchor last, DER (TLS-7…TLS-11 read it).
    #[serde(skip)]
    pub chain: Vec<Vec<u8>>,
    /// The chain as the server sent it, leaf first, DER.
    #[serde(skip)]
    pub peer_chain: Vec<Vec<u8>>,
    /// How many signed certificate timestamps the server delivered, by any route OpenSSL reads:
    /// in the certificate, the TLS extension or an OCSP staple (TLS-11; presence only).
    pub scts: usize,
}

/// Certificate Transparency through OpenSSL's own CT support, which the `openssl` crate does not
/// wrap: the client asks for SCTs as macOS does (the signed_certificate_timestamp extension and an
/// OCSP staple) and counts what came, by any route. Validation is permissive: SCTs never fail a
/// handshake here; TLS-11 judges their presence.
mod ct {
    use foreign_types::ForeignTypeRef;
    use std::ffi::{c_int, c_void};

    /// `SSL_CT_VALIDATION_PERMISSIVE` (openssl/ssl.h).
    const PERMISSIVE: c_int = 0;

    unsafe extern "C" {
        fn SSL_enable_ct(s: *mut c_void, validation_mode: c_int) -> c_int;
        fn SSL_get0_peer_scts(s: *mut c_void) -> *const c_void;
        fn OPENSSL_sk_num(st: *const c_void) -> c_int;
    }

    /// Asks for SCTs on this connection; false when OpenSSL refuses.
    pub fn request(ssl: &mut openssl::ssl::SslRef) -> bool {
        // SAFETY: `ssl` is a live SSL object borrowed for the call; SSL_enable_ct only installs
        // OpenSSL's own permissive validation callback on it.
        unsafe { SSL_enable_ct(ssl.as_ptr().cast(), PERMISSIVE) == 1 }
    }

    /// How many SCTs the server delivered on this (handshaken) connection.
    pub fn delivered(ssl: &openssl::ssl::SslRef) -> usize {
        // SAFETY: `ssl` is a live SSL object borrowed for the call; SSL_get0_peer_scts returns a
        // stack the SSL object owns (or null), read here before the borrow ends and never freed.
        unsafe {
            let stack = SSL_get0_peer_scts(ssl.as_ptr().cast());
            if stack.is_null() {
                0
            } else {
                usize::try_from(OPENSSL_sk_num(stack)).unwrap_or(0)
            }
        }
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// GET or POST.
    pub method: Method,
    /// Where.
    pub url: Url,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body, for POST.
    pub body: Option<Vec<u8>>,
    /// What is done with a redirect (macOS follows them for GETs, not for the STS POST).
    pub redirects: Redirects,
}

impl Request {
    /// A GET that follows redirects.
    pub fn get(url: Url, headers: Vec<(String, String)>) -> Self {
        Request {
            method: Method::GET,
            url,
            headers,
            body: None,
            redirects: Redirects::Follow,
        }
    }
}

/// One exchange, as seen on the wire: the transcript record.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// Method.
    pub method: String,
    /// First URL requested.
    pub url: String,
    /// Request headers.
    pub request_headers: Vec<(String, String)>,
    /// Request body (redacted in transcripts).
    #[serde(skip)]
    pub request_body: Option<Vec<u8>>,
    /// Redirects followed.
    pub hops: Vec<Hop>,
    /// URL of the final answer.
    pub final_url: String,
    /// Status of the final answer.
    pub status: Option<u16>,
    /// Response headers of the final answer.
    pub response_headers: Vec<(String, String)>,
    /// Response body (capped).
    #[serde(skip)]
    pub body: Vec<u8>,
    /// Milliseconds from sending to the end of the body.
    pub elapsed_ms: u64,
    /// Why there is no whole answer.
    pub failure: Option<Failure>,
    /// What was done with redirects.
    pub redirects: Redirects,
    /// The TLS handshake of the final answer's connection, when one was verified.
    pub tls: Option<TlsInfo>,
}

impl Exchange {
    /// An exchange that never touched the network: a captured document judged offline. It has
    /// the document's bytes and no HTTP status (a file has none, and none is invented).
    pub fn offline(method: &str, body: &[u8]) -> Exchange {
        Exchange {
            method: method.to_string(),
            url: String::new(),
            request_headers: Vec::new(),
            request_body: None,
            hops: Vec::new(),
            final_url: String::new(),
            status: None,
            response_headers: Vec::new(),
            body: body.to_vec(),
            elapsed_ms: 0,
            failure: None,
            redirects: Redirects::Follow,
            tls: None,
        }
    }

    /// True for a document judged offline (`inspect`): no request was sent, there is no status.
    pub fn is_offline(&self) -> bool {
        self.url.is_empty() && self.status.is_none() && self.failure.is_none()
    }

    /// A response header, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The response media type, lower-cased, parameters dropped.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The transcript form: request and answer with bodies as text, every secret redacted.
    pub fn transcript(&self, r: &Redactor) -> serde_json::Value {
        let text = |b: &[u8]| {
            let cut = &b[..b.len().min(TRANSCRIPT_BODY_LIMIT)];
            let mut s = String::from_utf8_lossy(cut).into_owned();
            if b.len() > TRANSCRIPT_BODY_LIMIT {
                s.push_str(&format!(
                    "\n[… {} more bytes]",
                    b.len() - TRANSCRIPT_BODY_LIMIT
                ));
            }
            r.redact(&s)
        };
        let headers = |h: &[(String, String)]| -> Vec<(String, String)> {
            h.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        if is_sensitive_header(k) {
                            crate::redact::MASK.to_string()
                        } else {
                            r.redact(v)
                        },
                    )
                })
                .collect()
        };
        serde_json::json!({
            "method": self.method,
            "url": r.redact(&self.url),
            "request_headers": headers(&self.request_headers),
            "request_body": self.request_body.as_deref().map(text),
            "hops": self.hops.iter().map(|h| serde_json::json!({"status": h.status, "url": r.redact(&h.url), "location": r.redact(&h.location)})).collect::<Vec<_>>(),
            "final_url": r.redact(&self.final_url),
            "status": self.status,
            "response_headers": headers(&self.response_headers),
            "body": text(&self.body),
            "body_bytes": self.body.len(),
            "elapsed_ms": self.elapsed_ms,
            "failure": self.failure.as_ref().map(|f| r.redact(&f.describe())),
            "tls": self.tls,
        })
    }
}

/// The shared client of one target.
#[derive(Clone)]
pub struct HttpClient {
    client: hyper_util::client::legacy::Client<AtsConnector, http_body_util::Full<bytes::Bytes>>,
    limits: Limits,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    in_flight: InFlight,
}

/// The requests in flight, for the console's progress line: id → (URL, start).
type InFlight = Arc<Mutex<HashMap<u64, (String, Instant)>>>;

/// Removes a request from the in-flight list when it ends, however it ends.
struct InFlightGuard {
    list: InFlight,
    id: u64,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if let Ok(mut m) = self.list.lock() {
            m.remove(&self.id);
        }
    }
}

/// A certificate's identity as a trust anchor: its subject and public key, DER. A root re-issued
/// with the same name and key is the same anchor.
type AnchorId = (Vec<u8>, Vec<u8>);

fn anchor_id(der: &[u8]) -> Option<AnchorId> {
    let (_, c) = x509_parser::parse_x509_certificate(der).ok()?;
    Some((
        c.tbs_certificate.subject.as_raw().to_vec(),
        c.tbs_certificate.subject_pki.raw.to_vec(),
    ))
}

/// The root sets a chain can end in, for TLS-3.
struct Anchors {
    public: HashSet<AnchorId>,
    reference: HashSet<AnchorId>,
}

impl Anchors {
    fn classify(&self, anchor_der: &[u8]) -> Trust {
        match anchor_id(anchor_der) {
            Some(id) if self.public.contains(&id) => Trust::PublicRoot,
            Some(id) if self.reference.contains(&id) => Trust::ReferenceRoot,
            _ => Trust::PrivateCa,
        }
    }
}

/// Why a connection could not be made, carrying the [`Failure`] the exchange records.
#[derive(Debug)]
struct ConnectError(Failure);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.describe())
    }
}

impl std::error::Error for ConnectError {}

/// The connector: TCP, then a TLS handshake offering what macOS offers (ATS), verified against
/// the trust store in use, the host name checked by hand (subjectAltName, or the CommonName
/// without one: TLS-1; Apple's stricter rule is TLS-8), and a failed handshake diagnosed.
#[derive(Clone)]
struct AtsConnector {
    ats: openssl::ssl::SslContext,
    probe: openssl::ssl::SslContext,
    anchors: Arc<Anchors>,
    connect_timeout: Duration,
}

/// A TLS connection and what its handshake showed.
struct TlsConn {
    io: hyper_util::rt::TokioIo<tokio_openssl::SslStream<tokio::net::TcpStream>>,
    info: TlsInfo,
    h2: bool,
}

impl hyper_util::client::legacy::connect::Connection for TlsConn {
    fn connected(&self) -> hyper_util::client::legacy::connect::Connected {
        let c = hyper_util::client::legacy::connect::Connected::new().extra(self.info.clone());
        if self.h2 { c.negotiated_h2() } else { c }
    }
}

impl hyper::rt::Read for TlsConn {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for TlsConn {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

impl tower_service::Service<http::Uri> for AtsConnector {
    type Response = TlsConn;
    type Error = ConnectError;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<TlsConn, ConnectError>> + Send>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), ConnectError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.connect(uri).await.map_err(ConnectError) })
    }
}

/// A subject or issuer name in words (`CN=…, O=…`).
fn name_text(n: &openssl::x509::X509NameRef) -> String {
    let parts: Vec<String> = n
        .entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = String::from_utf8_lossy(e.data().as_slice());
            format!("{key}={value}")
        })
        .collect();
    crate::flow::quoted(&parts.join(", "))
}

/// An OpenSSL verification error in words, naming the certificate (TLS-1).
fn verify_error_words(
    err: openssl::x509::X509VerifyResult,
    cert: Option<&openssl::x509::X509Ref>,
) -> String {
    let subject = cert
        .map(|c| name_text(c.subject_name()))
        .unwrap_or_else(|| "a certificate".into());
    let issuer = cert
        .map(|c| name_text(c.issuer_name()))
        .unwrap_or_else(|| "its issuer".into());
    match err.as_raw() {
        10 => format!(
            "{subject} expired on {}",
            cert.map(|c| c.not_after().to_string()).unwrap_or_default()
        ),
        9 => format!(
            "{subject} is not valid before {}",
            cert.map(|c| c.not_before().to_string()).unwrap_or_default()
        ),
        18 => format!("{subject} is self-signed and not in the trust store in use"),
        19 => format!("the chain ends in {subject}, a root that is not in the trust store in use"),
        2 | 20 | 21 => format!(
            "the chain does not lead to a trusted root: the issuer {issuer} of {subject} is not in the trust store in use"
        ),
        7 => format!("the signature on {subject} does not verify"),
        24 => format!("{subject} issues certificates but is not a CA"),
        26 => format!("{subject} is not for TLS server authentication (extendedKeyUsage)"),
        _ => format!("{} ({subject})", err.error_string()),
    }
}

fn versions_err(e: openssl::error::ErrorStack) -> String {
    format!("cannot configure TLS: {e}")
}

impl AtsConnector {
    fn new(
        extra_ca_pem: &[Vec<u8>],
        reference_pem: &[Vec<u8>],
        connect_timeout: Duration,
    ) -> Result<Self, String> {
        use openssl::ssl::{SslContext, SslMethod, SslVerifyMode, SslVersion};
        use openssl::x509::X509;
        let mut store = openssl::x509::store::X509StoreBuilder::new().map_err(versions_err)?;
        let mut public = HashSet::new();
        for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            if let Ok(c) = X509::from_der(der) {
                let _ = store.add_cert(c);
            }
            if let Some(id) = anchor_id(der) {
                public.insert(id);
            }
        }
        // This machine's store may hold CAs that are not public (a corporate root): they count
        // as private.
        let _ = store.set_default_paths();
        let mut reference = HashSet::new();
        for (pems, is_reference) in [(reference_pem, true), (extra_ca_pem, false)] {
            for pem in pems {
                let certs = X509::stack_from_pem(pem).map_err(|e| format!("CA file: {e}"))?;
                for c in certs {
                    if is_reference && let Some(id) = c.to_der().ok().as_deref().and_then(anchor_id)
                    {
                        reference.insert(id);
                    }
                    let _ = store.add_cert(c);
                }
            }
        }
        let mut ats = SslContext::builder(SslMethod::tls_client()).map_err(versions_err)?;
        ats.set_min_proto_version(Some(SslVersion::TLS1_2))
            .map_err(versions_err)?;
        ats.set_max_proto_version(Some(SslVersion::TLS1_3))
            .map_err(versions_err)?;
        let tls12: Vec<&str> = ATS_TLS12_SUITES.iter().map(|(_, o)| *o).collect();
        ats.set_cipher_list(&tls12.join(":"))
            .map_err(versions_err)?;
        ats.set_ciphersuites(&TLS13_SUITES.join(":"))
            .map_err(versions_err)?;
        // Key sizes and signature hashes are Apple's rules (TLS-7), judged after the handshake
        // with the value found, not refused by OpenSSL's security level with its own text.
        ats.set_security_level(0);
        ats.set_alpn_protos(b"\x02h2\x08http/1.1")
            .map_err(versions_err)?;
        ats.set_verify(SslVerifyMode::PEER);
        ats.set_cert_store(store.build());
        // The diagnosis: every version and suite, nothing verified, never used for data.
        let mut probe = SslContext::builder(SslMethod::tls_client()).map_err(versions_err)?;
        probe
            .set_min_proto_version(Some(SslVersion::TLS1))
            .map_err(versions_err)?;
        probe
            .set_max_proto_version(Some(SslVersion::TLS1_3))
            .map_err(versions_err)?;
        probe
            .set_cipher_list("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
            .map_err(versions_err)?;
        probe.set_security_level(0);
        probe.set_verify(SslVerifyMode::NONE);
        Ok(AtsConnector {
            ats: ats.build(),
            probe: probe.build(),
            anchors: Arc::new(Anchors { public, reference }),
            connect_timeout,
        })
    }

    async fn tcp(&self, host: &str, port: u16) -> Result<tokio::net::TcpStream, Failure> {
        match tokio::time::timeout(
            self.connect_timeout,
            tokio::net::TcpStream::connect((host, port)),
        )
        .await
        {
            Err(_) => Err(Failure::Timeout {
                detail: format!(
                    "no connection to {host}:{port} within {} s",
                    self.connect_timeout.as_secs()
                ),
            }),
            Ok(Err(e)) => Err(Failure::Connect {
                detail: format!("{host}:{port}: {e}"),
            }),
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                Ok(s)
            }
        }
    }

    async fn connect(&self, uri: http::Uri) -> Result<TlsConn, Failure> {
        use openssl::ssl::{Ssl, SslVerifyMode};
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri.port_u16().unwrap_or(443);
        let started = Instant::now();
        let tcp = self.tcp(&host, port).await?;
        let protocol = |e: openssl::error::ErrorStack| Failure::Protocol {
            detail: format!("cannot start TLS: {e}"),
        };
        let mut ssl = Ssl::new(&self.ats).map_err(protocol)?;
        if host.parse::<std::net::IpAddr>().is_err() {
            ssl.set_hostname(&host).map_err(protocol)?;
        }
        if !ct::request(&mut ssl) {
            return Err(Failure::Protocol {
                detail: "cannot ask for Certificate Transparency proof (OpenSSL's CT support)"
                    .into(),
            });
        }
        let seen: Arc<Mutex<Option<TlsFailure>>> = Arc::default();
        let record = seen.clone();
        let for_host = host.clone();
        ssl.set_verify_callback(SslVerifyMode::PEER, move |ok, ctx| {
            let note = |f: TlsFailure| {
                if let Ok(mut slot) = record.lock()
                    && slot.is_none()
                {
                    *slot = Some(f);
                }
            };
            if !ok {
                note(TlsFailure::Certificate {
                    reason: verify_error_words(ctx.error(), ctx.current_cert()),
                });
                return false;
            }
            if ctx.error_depth() == 0
                && let Some(der) = ctx.current_cert().and_then(|c| c.to_der().ok())
            {
                let names = crate::flow::certificate::certificate_names(&der);
                if !names
                    .iter()
                    .any(|n| crate::flow::certificate::name_matches(n, &for_host))
                {
                    note(TlsFailure::Name {
                        host: for_host.clone(),
                        names,
                    });
                    return false;
                }
            }
            true
        });
        let mut stream = tokio_openssl::SslStream::new(ssl, tcp).map_err(protocol)?;
        let left = self.connect_timeout.saturating_sub(started.elapsed());
        let handshake = tokio::time::timeout(left, std::pin::Pin::new(&mut stream).connect());
        match handshake.await {
            Err(_) => Err(Failure::Timeout {
                detail: format!(
                    "no TLS handshake with {host}:{port} within {} s",
                    self.connect_timeout.as_secs()
                ),
            }),
            Ok(Err(e)) => {
                let recorded = seen.lock().ok().and_then(|mut s| s.take());
                let failure = match recorded {
                    Some(f) => f,
                    None => self.diagnose(&host, port, &e).await,
                };
                Err(Failure::Tls { failure })
            }
            Ok(Ok(())) => {
                let s = stream.ssl();
                let ders = |st: Option<&openssl::stack::StackRef<openssl::x509::X509>>| {
                    st.map(|st| {
                        st.iter()
                            .filter_map(|c| c.to_der().ok())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
                };
                let chain = ders(s.verified_chain());
                let info = TlsInfo {
                    trust: chain
                        .last()
                        .map(|a| self.anchors.classify(a))
                        .unwrap_or(Trust::PrivateCa),
                    version: s.version_str().to_string(),
                    cipher: s
                        .current_cipher()
                        .map(|c| c.standard_name().unwrap_or(c.name()).to_string())
                        .unwrap_or_default(),
                    host,
                    chain,
                    peer_chain: ders(s.peer_cert_chain()),
                    scts: ct::delivered(s),
                };
                let h2 = s.selected_alpn_protocol() == Some(b"h2");
                Ok(TlsConn {
                    io: hyper_util::rt::TokioIo::new(stream),
                    info,
                    h2,
                })
            }
        }
    }

    /// Why a handshake with ATS's offer failed, when no certificate was at fault: a second
    /// handshake offering every version and suite shows what the server insists on (TLS-5,
    /// TLS-6), as `nscurl --ats-diagnostics` does. It is never used for data.
    async fn diagnose(&self, host: &str, port: u16, e: &openssl::ssl::Error) -> TlsFailure {
        let original = handshake_words(e);
        let Ok(tcp) = self.tcp(host, port).await else {
            return TlsFailure::Handshake { reason: original };
        };
        let Ok(mut ssl) = openssl::ssl::Ssl::new(&self.probe) else {
            return TlsFailure::Handshake { reason: original };
        };
        if host.parse::<std::net::IpAddr>().is_err() {
            let _ = ssl.set_hostname(host);
        }
        let Ok(mut stream) = tokio_openssl::SslStream::new(ssl, tcp) else {
            return TlsFailure::Handshake { reason: original };
        };
        let done = tokio::time::timeout(
            self.connect_timeout,
            std::pin::Pin::new(&mut stream).connect(),
        )
        .await;
        if !matches!(done, Ok(Ok(()))) {
            return TlsFailure::Handshake { reason: original };
        }
        let s = stream.ssl();
        let version = s.version_str().to_string();
        let suite = s
            .current_cipher()
            .map(|c| c.standard_name().unwrap_or(c.name()).to_string())
            .unwrap_or_default();
        if !ats_version(&version) {
            TlsFailure::Version {
                negotiated: version,
            }
        } else if !ats_suite(&version, &suite) {
            TlsFailure::CipherSuite { suite, version }
        } else {
            TlsFailure::Handshake { reason: original }
        }
    }
}

/// A failed handshake in words: the TLS alert the server sent, or what the connection did.
fn handshake_words(e: &openssl::ssl::Error) -> String {
    let reason = e
        .ssl_error()
        .and_then(|stack| stack.errors().iter().find_map(|x| x.reason()));
    match reason {
        Some(r) if r.contains(" alert ") => {
            let alert = r.split_once(" alert ").map(|(_, a)| a).unwrap_or(r);
            format!(
                "the server ended it with the TLS alert {}",
                crate::flow::quoted(&alert.replace(' ', "_"))
            )
        }
        Some(r) if r.contains("wrong version number") || r.contains("packet length too long") => {
            "the server did not answer in TLS (plain HTTP on an https port?)".into()
        }
        Some(r) if r.contains("unexpected eof") => {
            "the server closed the connection during the handshake".into()
        }
        Some(r) => format!("OpenSSL reports {}", crate::flow::quoted(r)),
        None => match e.io_error() {
            Some(io) => format!("the connection failed during the handshake: {io}"),
            None => "the server closed the connection during the handshake".into(),
        },
    }
}

/// The exchange failure a client error stands for: the connector's own, else by kind.
fn classify(e: &(dyn std::error::Error + 'static)) -> Failure {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(x) = cur {
        if let Some(c) = x.downcast_ref::<ConnectError>() {
            return c.0.clone();
        }
        cur = x.source();
    }
    let detail = chain(e);
    match e.downcast_ref::<hyper_util::client::legacy::Error>() {
        Some(h) if h.is_connect() => Failure::Connect { detail },
        _ => Failure::Protocol { detail },
    }
}

/// Builds the client error text from the whole source chain.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

impl HttpClient {
    /// Builds the client: public roots plus `extra_ca_pem`, https only, no automatic redirects.
    pub fn new(extra_ca_pem: &[Vec<u8>], limits: Limits) -> Result<Self, String> {
        Self::with_roots(extra_ca_pem, &[], limits)
    }

    /// The client of a target: its extra CAs and reference roots trusted, its limits applied.
    pub fn for_target(t: &crate::suite::Target) -> Result<Self, String> {
        Self::with_roots(&t.extra_ca_pem, &t.reference_roots_pem, t.limits)
    }

    /// Builds the client, trusting the Mozilla root set (public), `reference_pem` (roots that
    /// stand in for public ones), and `extra_ca_pem` with this machine's store (private CAs).
    /// Which one each connection's chain ended in is recorded for TLS-3.
    pub fn with_roots(
        extra_ca_pem: &[Vec<u8>],
        reference_pem: &[Vec<u8>],
        limits: Limits,
    ) -> Result<Self, String> {
        let connector = AtsConnector::new(
            extra_ca_pem,
            reference_pem,
            Duration::from_secs(limits.connect_timeout_seconds),
        )?;
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_max_idle_per_host(limits.max_concurrency_per_host)
                .pool_timer(hyper_util::rt::TokioTimer::new())
                .build(connector);
        Ok(HttpClient {
            client,
            limits,
            hosts: Arc::default(),
            in_flight: Arc::default(),
        })
    }

    /// The requests in flight: each URL and how long it has waited.
    pub fn in_flight(&self) -> Vec<(String, Duration)> {
        match self.in_flight.lock() {
            Ok(m) => m.values().map(|(u, t)| (u.clone(), t.elapsed())).collect(),
            Err(_) => Vec::new(),
        }
    }

    fn track(&self, url: &Url) -> InFlightGuard {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut m) = self.in_flight.lock() {
            m.insert(id, (url.to_string(), Instant::now()));
        }
        InFlightGuard {
            list: self.in_flight.clone(),
            id,
        }
    }

    fn host_gate(&self, url: &Url) -> Arc<Semaphore> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut m = match self.hosts.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        m.entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.max_concurrency_per_host)))
            .clone()
    }

    /// One request and its answer's head, within the whole-request timeout.
    async fn request(
        &self,
        method: &Method,
        url: &Url,
        headers: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<http::Response<hyper::body::Incoming>, Failure> {
        let mut b = http::Request::builder()
            .method(method.clone())
            .uri(url.as_str());
        // Exactly the headers the steps give, in their order (flow::macos adds what macOS's URL
        // loading system adds): nothing of the client's own.
        for (k, v) in headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let payload = http_body_util::Full::new(bytes::Bytes::from(
            body.map(<[u8]>::to_vec).unwrap_or_default(),
        ));
        let req = b.body(payload).map_err(|e| Failure::Protocol {
            detail: format!("the request cannot be built: {e}"),
        })?;
        self.client.request(req).await.map_err(|e| classify(&e))
    }

    /// Sends a request and records the exchange; never panics on network input.
    pub async fn send(&self, req: Request) -> Exchange {
        let start = Instant::now();
        let _tracked = self.track(&req.url);
        let mut ex = Exchange {
            method: req.method.to_string(),
            url: req.url.to_string(),
            request_headers: req.headers.clone(),
            request_body: req.body.clone(),
            hops: Vec::new(),
            final_url: req.url.to_string(),
            status: None,
            response_headers: Vec::new(),
            body: Vec::new(),
            elapsed_ms: 0,
            failure: None,
            redirects: req.redirects,
            tls: None,
        };
        let timeout = Duration::from_secs(self.limits.timeout_seconds);
        let mut url = req.url.clone();
        let mut method = req.method.clone();
        let mut body = req.body.clone();
        loop {
            if url.scheme() != "https" {
                ex.failure = Some(Failure::NotHttps {
                    url: url.to_string(),
                });
                break;
            }
            let gate = self.host_gate(&url);
            let _permit = gate.acquire_owned().await;
            let hop_start = Instant::now();
            let sent = tokio::time::timeout(
                timeout,
                self.request(&method, &url, &req.headers, body.as_deref()),
            )
            .await;
            let resp = match sent {
                Err(_) => {
                    ex.failure = Some(Failure::Timeout {
                        detail: format!(
                            "no answer within {} s{}",
                            timeout.as_secs(),
                            shorter_than_macos(timeout)
                        ),
                    });
                    break;
                }
                Ok(Err(f)) => {
                    ex.failure = Some(f);
                    break;
                }
                Ok(Ok(r)) => r,
            };
            let status = resp.status().as_u16();
            ex.final_url = url.to_string();
            ex.tls = resp.extensions().get::<TlsInfo>().cloned();
            ex.status = Some(status);
            ex.response_headers = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let location = resp
                .headers()
                .get(http::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            if let (true, Some(loc)) = (resp.status().is_redirection(), location) {
                if req.redirects != Redirects::Follow {
                    ex.failure = Some(Failure::RedirectRefused { location: loc });
                    break;
                }
                let next = match url.join(&loc) {
                    Ok(n) => n,
                    Err(e) => {
                        ex.failure = Some(Failure::Protocol {
                            detail: format!("unusable Location {}: {e}", crate::flow::quoted(&loc)),
                        });
                        break;
                    }
                };
                ex.hops.push(Hop {
                    status,
                    url: url.to_string(),
                    location: next.to_string(),
                });
                if next.scheme() != "https" {
                    ex.failure = Some(Failure::RedirectToHttp {
                        from: url.to_string(),
                        location: next.to_string(),
                    });
                    break;
                }
                if ex.hops.len() > MAX_REDIRECTS {
                    ex.failure = Some(Failure::TooManyRedirects);
                    break;
                }
                if status == 303 || ((status == 301 || status == 302) && method == Method::POST) {
                    method = Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
            let left = timeout.saturating_sub(hop_start.elapsed());
            match tokio::time::timeout(left, read_capped(resp, self.limits.max_body_bytes)).await {
                // The body as the client's URL loading system hands it over: Content-Encoding
                // decoded, the cap applied to the decoded bytes.
                Ok(Ok(raw)) => match decode_content(
                    ex.header("content-encoding"),
                    raw,
                    self.limits.max_body_bytes,
                ) {
                    Ok(b) => ex.body = b,
                    Err((partial, f)) => {
                        ex.body = partial;
                        ex.failure = Some(f);
                    }
                },
                Ok(Err((partial, f))) => {
                    ex.body = partial;
                    ex.failure = Some(f);
                }
                Err(_) => {
                    ex.failure = Some(Failure::Timeout {
                        detail: format!(
                            "the body did not end within {} s{}",
                            timeout.as_secs(),
                            shorter_than_macos(timeout)
                        ),
                    });
                }
            }
            break;
        }
        ex.elapsed_ms = start.elapsed().as_millis() as u64;
        ex
    }
}

/// Said after a timeout shorter than macOS's: the wait was the run's choice, not the IdP's fault
/// (TLS-4 judges 30 s).
fn shorter_than_macos(timeout: Duration) -> String {
    let macos = crate::check::transport::MACOS_TIMEOUT_SECONDS;
    if timeout.as_secs() < macos {
        format!(" (the target's [limits] timeout_seconds; macOS waits {macos} s)")
    } else {
        String::new()
    }
}

async fn read_capped(
    resp: http::Response<hyper::body::Incoming>,
    cap: usize,
) -> Result<Vec<u8>, (Vec<u8>, Failure)> {
    use http_body_util::BodyExt;
    let declared = resp
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap as u64) {
        return Err((Vec::new(), Failure::BodyTooLarge { limit: cap }));
    }
    let mut body = resp.into_body();
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(f) => {
                if let Ok(c) = f.into_data() {
                    if out.len() + c.len() > cap {
                        return Err((out, Failure::BodyTooLarge { limit: cap }));
                    }
                    out.extend_from_slice(&c);
                }
            }
            Err(e) => return Err((out, classify(&e))),
        }
    }
    Ok(out)
}

/// The content codings the client decodes: those macOS's URL loading system asks for in
/// `Accept-Encoding` (SPEC.md "Requests": gzip, deflate, br; `x-gzip` is gzip's old name).
pub const DECODED_CODINGS: [&str; 4] = ["gzip", "x-gzip", "deflate", "br"];

/// Decodes a body from its `Content-Encoding` (`gzip`, `x-gzip`, `deflate` in its zlib form or
/// raw, `br`; several codings are undone last first; `identity` is no coding), as macOS's URL
/// loading system does transparently. The cap applies to the decoded bytes: a body that inflates
/// past `cap` stops there (a compression bomb) with [`Failure::DecodedTooLarge`]. A coding the
/// client did not ask for, or corrupt data, is [`Failure::Undecodable`]. On failure, the bytes
/// decoded so far (at most `cap`) come back with it.
pub fn decode_content(
    encoding: Option<&str>,
    raw: Vec<u8>,
    cap: usize,
) -> Result<Vec<u8>, (Vec<u8>, Failure)> {
    use std::io::Read;
    // No body (a 204, an empty error) is no body in any coding.
    let Some(header) = encoding.filter(|_| !raw.is_empty()) else {
        return Ok(raw);
    };
    let codings: Vec<String> = header
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    let mut body = raw;
    for coding in codings.iter().rev() {
        let source: &[u8] = &body;
        let reader: Box<dyn Read + '_> = match coding.as_str() {
            "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(source)),
            // RFC 9110 8.4.1.2: "deflate" is the zlib format; some servers send raw deflate,
            // which clients (macOS's among them) read too.
            "deflate" if source.first().is_some_and(|b| b & 0x0f == 8) => {
                Box::new(flate2::read::ZlibDecoder::new(source))
            }
            "deflate" => Box::new(flate2::read::DeflateDecoder::new(source)),
            "br" => Box::new(brotli_decompressor::Decompressor::new(source, 4096)),
            other => {
                let f = Failure::Undecodable {
                    encoding: header.to_string(),
                    detail: format!(
                        "{} is not a coding the client asked for (Accept-Encoding: {})",
                        crate::flow::quoted(other),
                        crate::flow::macos::ACCEPT_ENCODING
                    ),
                };
                return Err((body, f));
            }
        };
        let mut out = Vec::new();
        let read = reader.take(cap as u64 + 1).read_to_end(&mut out);
        if let Err(e) = read {
            let f = Failure::Undecodable {
                encoding: header.to_string(),
                detail: format!("corrupt {coding} data: {e}"),
            };
            out.truncate(cap);
            return Err((out, f));
        }
        if out.len() > cap {
            out.truncate(cap);
            return Err((
                out,
                Failure::DecodedTooLarge {
                    encoding: header.to_string(),
                    limit: cap,
                },
            ));
        }
        body = out;
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(b);
        e.finish().unwrap_or_default()
    }

    #[test]
    fn decodes_every_coding_macos_asks_for() {
        let doc = b"<wsdl:definitions/>".repeat(10);
        assert_eq!(
            decode_content(Some("gzip"), gzip(&doc), 1 << 20).ok(),
            Some(doc.clone())
        );
        assert_eq!(
            decode_content(Some("X-Gzip"), gzip(&doc), 1 << 20).ok(),
            Some(doc.clone())
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = z.write_all(&doc);
        let zlib = z.finish().unwrap_or_default();
        assert_eq!(
            decode_content(Some("deflate"), zlib, 1 << 20).ok(),
            Some(doc.clone())
        );
        let mut r = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = r.write_all(&doc);
        let raw = r.finish().unwrap_or_default();
        assert_eq!(
            decode_content(Some("deflate"), raw, 1 << 20).ok(),
            Some(doc.clone())
        );
        assert_eq!(
            decode_content(None, doc.clone(), 1 << 20).ok(),
            Some(doc.clone())
        );
        assert_eq!(
            decode_content(Some("identity"), doc.clone(), 1 << 20).ok(),
            Some(doc.clone())
        );
        // Two codings: gzip applied first, then gzip again; undone last first.
        assert_eq!(
            decode_content(Some("gzip, gzip"), gzip(&gzip(&doc)), 1 << 20).ok(),
            Some(doc)
        );
    }

    #[test]
    fn a_bomb_stops_at_the_cap_with_a_reason() {
        let bomb = gzip(&vec![b'<'; 1 << 20]);
        let Err((partial, f)) = decode_content(Some("gzip"), bomb, 1000) else {
            panic!("a bomb decodes")
        };
        assert_eq!(partial.len(), 1000);
        assert!(
            f.describe().contains(
                "decoded from Content-Encoding \"gzip\" is larger than the 1000-byte cap"
            ),
            "{}",
            f.describe()
        );
    }

    #[test]
    fn unknown_codings_and_corrupt_data_are_named() {
        let Err((_, f)) = decode_content(Some("zstd"), b"x".to_vec(), 100) else {
            panic!("zstd decodes")
        };
        assert_eq!(
            f.describe(),
            "the body cannot be decoded from Content-Encoding \"zstd\": \"zstd\" is not a coding the client asked for (Accept-Encoding: gzip, deflate, br)"
        );
        let Err((_, f)) = decode_content(Some("gzip"), b"not gzip".to_vec(), 100) else {
            panic!("garbage decodes")
        };
        assert!(
            f.describe().contains("corrupt gzip data"),
            "{}",
            f.describe()
        );
    }
}
