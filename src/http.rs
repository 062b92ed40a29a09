//! The one HTTP client (DESIGN.md: only this module talks to the network): rustls with the system
//! roots plus the target's extra anchors, https only, redirects followed by hand so that an http
//! hop is seen (TLS-2), a body cap, timeouts, per-host concurrency, and a transcript of every
//! exchange with secrets redacted.

use crate::redact::Redactor;
use crate::suite::Limits;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use url::Url;

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
    /// The TLS handshake failed: certificate invalid, unknown issuer, wrong host… (TLS-1).
    Tls { detail: String },
    /// No connection (refused, unreachable, DNS).
    Connect { detail: String },
    /// No whole answer within the timeout (TLS-4).
    Timeout { detail: String },
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
            Failure::Tls { detail } => format!("TLS failed: {detail}"),
            Failure::Connect { detail } => format!("could not connect: {detail}"),
            Failure::Timeout { detail } => format!("timed out: {detail}"),
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

/// What the TLS handshake of an exchange showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsInfo {
    /// Where the verified chain ends.
    pub trust: Trust,
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// GET or POST.
    pub method: reqwest::Method,
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
            method: reqwest::Method::GET,
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
    client: reqwest::Client,
    limits: Limits,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    seen: Arc<Mutex<HashMap<String, Trust>>>,
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

fn find_rustls(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(r) = e.downcast_ref::<rustls::Error>() {
        return Some(r.to_string());
    }
    // io::Error::source() skips the error it wraps: look inside it explicitly.
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && let Some(found) = find_rustls(inner)
    {
        return Some(found);
    }
    e.source().and_then(find_rustls)
}

fn classify(e: &reqwest::Error) -> Failure {
    if let Some(tls) = find_rustls(e) {
        return Failure::Tls { detail: tls };
    }
    let detail = chain(e);
    if e.is_timeout() {
        Failure::Timeout { detail }
    } else if e.is_connect() {
        Failure::Connect { detail }
    } else {
        Failure::Protocol { detail }
    }
}

/// The server-certificate verifier: accepts a chain that ends in a public root (the Mozilla
/// set), a reference root or a private CA (the target's extra CAs and this machine's store), and
/// records per server name which one it ended in (TLS-3).
#[derive(Debug)]
struct RecordingVerifier {
    public: Arc<rustls::client::WebPkiServerVerifier>,
    reference: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    private: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
    seen: Arc<Mutex<HashMap<String, Trust>>>,
}

impl rustls::client::danger::ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let verify = |v: &rustls::client::WebPkiServerVerifier| {
            v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        };
        let mut errors = Vec::new();
        let candidates = [
            (Some(&self.public), Trust::PublicRoot),
            (self.reference.as_ref(), Trust::ReferenceRoot),
            (self.private.as_ref(), Trust::PrivateCa),
        ];
        for (verifier, trust) in candidates {
            let Some(v) = verifier else { continue };
            match verify(v) {
                Ok(ok) => {
                    if let Ok(mut m) = self.seen.lock() {
                        m.insert(server_name.to_str().into_owned(), trust);
                    }
                    return Ok(ok);
                }
                Err(e) => errors.push(e),
            }
        }
        // The most telling error: one about the certificate itself (its name, its dates) rather
        // than "unknown issuer" from a root set that was never going to match, or a bad
        // signature from a root of another set that merely has the issuer's name.
        let rank = |e: &rustls::Error| match e {
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => 2,
            rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature) => 1,
            _ => 0,
        };
        let pick = (0..errors.len())
            .min_by_key(|i| rank(&errors[*i]))
            .unwrap_or(0);
        Err(errors.swap_remove(pick))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn root_store(pems: &[Vec<u8>]) -> Result<rustls::RootCertStore, String> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    for pem in pems {
        for c in CertificateDer::pem_slice_iter(pem) {
            let c = c.map_err(|e| format!("CA file: {e}"))?;
            roots.add(c).map_err(|e| format!("CA file: {e}"))?;
        }
    }
    Ok(roots)
}

fn verifier(
    roots: rustls::RootCertStore,
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Option<Arc<rustls::client::WebPkiServerVerifier>>, String> {
    if roots.is_empty() {
        return Ok(None);
    }
    rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map(Some)
        .map_err(|e| format!("cannot build the certificate verifier: {e}"))
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
    /// Which one each server's chain ended in is recorded for TLS-3.
    pub fn with_roots(
        extra_ca_pem: &[Vec<u8>],
        reference_pem: &[Vec<u8>],
        limits: Limits,
    ) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let public = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let mut private = root_store(extra_ca_pem)?;
        // This machine's store may hold CAs that are not public (a corporate root): they count
        // as private. Certificates it cannot parse are left out.
        let native = rustls_native_certs::load_native_certs();
        let _ = private.add_parsable_certificates(native.certs);
        let seen: Arc<Mutex<HashMap<String, Trust>>> = Arc::default();
        let recording = RecordingVerifier {
            public: verifier(public, &provider)?.ok_or("the public root set is empty")?,
            reference: verifier(root_store(reference_pem)?, &provider)?,
            private: verifier(private, &provider)?,
            provider: provider.clone(),
            seen: seen.clone(),
        };
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot configure TLS: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(recording))
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .https_only(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(limits.timeout_seconds))
            .connect_timeout(Duration::from_secs(limits.connect_timeout_seconds))
            // No User-Agent of its own: every request carries the one the steps give it, as
            // macOS's URL loading system sends it (flow::macos).
            .no_proxy()
            .pool_max_idle_per_host(limits.max_concurrency_per_host)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", chain(&e)))?;
        Ok(HttpClient {
            client,
            limits,
            hosts: Arc::default(),
            seen,
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

    /// Where the last verified chain of `url`'s host ended.
    fn trust_of(&self, url: &Url) -> Option<TlsInfo> {
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        let m = self.seen.lock().ok()?;
        m.get(host).map(|t| TlsInfo { trust: *t })
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
            let mut rb = self.client.request(method.clone(), url.clone());
            for (k, v) in &req.headers {
                rb = rb.header(k, v);
            }
            if let Some(b) = &body {
                rb = rb.body(b.clone());
            }
            let resp = match rb.send().await {
                Ok(r) => r,
                Err(e) => {
                    ex.failure = Some(classify(&e));
                    break;
                }
            };
            let status = resp.status().as_u16();
            ex.final_url = url.to_string();
            ex.tls = self.trust_of(&url);
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
                .get(reqwest::header::LOCATION)
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
                if status == 303
                    || ((status == 301 || status == 302) && method == reqwest::Method::POST)
                {
                    method = reqwest::Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
            match read_capped(resp, self.limits.max_body_bytes).await {
                Ok(raw) => {
                    match decode_content(
                        ex.header("content-encoding"),
                        raw,
                        self.limits.max_body_bytes,
                    ) {
                        Ok(b) => ex.body = b,
                        Err((partial, f)) => {
                            ex.body = partial;
                            ex.failure = Some(f);
                        }
                    }
                }
                Err((partial, f)) => {
                    ex.body = partial;
                    ex.failure = Some(f);
                }
            }
            break;
        }
        ex.elapsed_ms = start.elapsed().as_millis() as u64;
        ex
    }
}

async fn read_capped(
    mut resp: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, (Vec<u8>, Failure)> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err((Vec::new(), Failure::BodyTooLarge { limit: cap }));
    }
    let mut out = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if out.len() + c.len() > cap {
                    return Err((out, Failure::BodyTooLarge { limit: cap }));
                }
                out.extend_from_slice(&c);
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err((out, classify(&e))),
        }
    }
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
