//! A hostile or broken IdP for the robustness tests (rule 3): a TLS server on loopback that serves
//! `/mex` in one of many wrong ways. Everything else answers 404.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the server misbehaves on `/mex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// An unclosed element.
    MalformedXml,
    /// A DTD whose entities expand exponentially.
    BillionLaughs,
    /// A DTD with one large entity referenced many times.
    QuadraticBlowup,
    /// Elements nested 1,000,000 deep.
    DeepNesting,
    /// A 50 MB body.
    FiftyMegabytes,
    /// A small gzip body that inflates to 50 MB, with `Content-Encoding: gzip`.
    GzipBomb,
    /// One byte a second.
    Drip,
    /// The connection reset halfway through the body.
    ResetMidBody,
    /// `/mex` → `/mex2` → `/mex` …
    RedirectLoop,
    /// A redirect to `http://`.
    RedirectToHttp,
    /// A server certificate that expired.
    ExpiredCertificate,
    /// A server certificate for another host name.
    WrongHostCertificate,
    /// A server certificate from a CA the client does not trust.
    UnknownCa,
    /// Bytes that are not UTF-8.
    NonUtf8,
    /// The good document with `Content-Type: text/html`.
    WrongContentType,
    /// A 1 MB response header.
    HugeHeader,
    /// 200 with an empty body.
    Empty200,
    /// The good document as HTTP/1.0, framed by closing the connection.
    Http10Close,
    /// Accepts the connection and never says anything.
    NeverAnswers,
    /// The good document with `Content-Encoding: gzip` (cases C6), only when the request asked
    /// for gzip.
    GzipMex,
    /// The good document with `Content-Encoding: deflate` (zlib), only when asked for.
    DeflateMex,
    /// The good document with `Content-Encoding: br`, only when asked for.
    BrotliMex,
    /// The good document in UTF-16LE with a byte-order mark.
    Utf16Mex,
    /// The good document declared ISO-8859-1, with a Latin-1 `é` in a comment.
    Latin1Mex,
    /// `/preauth` answers a federated user with JSON that starts with a UTF-8 byte-order mark
    /// (cases C7); `/mex` the good document.
    PreauthBom,
    /// `/preauth` answers in UTF-16BE without a byte-order mark.
    PreauthUtf16,
}

impl Behaviour {
    /// True for the behaviours whose target uses the preauthentication (`/preauth`).
    pub fn serves_preauth(self) -> bool {
        matches!(self, Behaviour::PreauthBom | Behaviour::PreauthUtf16)
    }
}

/// A running hostile server; stopped when dropped.
pub struct Hostile {
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// Its CA, PEM.
    pub ca_pem: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

fn response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !headers.iter().any(|(k, _)| *k == "Content-Length") {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn xml(body: &[u8]) -> Vec<u8> {
    response(
        "200 OK",
        &[("Content-Type", "application/soap+xml; charset=utf-8".into())],
        body,
    )
}

fn billion_laughs() -> Vec<u8> {
    let mut d = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 \"lol\">\n");
    for i in 1..10 {
        let prev = format!("&lol{};", i - 1).repeat(10);
        d.push_str(&format!("<!ENTITY lol{i} \"{prev}\">\n"));
    }
    d.push_str("]>\n<lolz>&lol9;</lolz>\n");
    d.into_bytes()
}

fn quadratic() -> Vec<u8> {
    let big = "a".repeat(50_000);
    let refs = "&a;".repeat(50_000);
    format!("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"{big}\">]>\n<x>{refs}</x>\n")
        .into_bytes()
}

fn gzip_bomb() -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b'<'; 1 << 20];
    for _ in 0..50 {
        let _ = e.write_all(&chunk);
    }
    e.finish().unwrap_or_default()
}

fn compress(coding: &str, body: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = e.write_all(body);
            e.finish().unwrap_or_default()
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = e.write_all(body);
            e.finish().unwrap_or_default()
        }
        _ => {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                let _ = w.write_all(body);
            }
            out
        }
    }
}

/// The good document compressed with `coding`, when the request's Accept-Encoding names it;
/// otherwise 406, so that a client that does not ask is seen.
fn compressed(coding: &str, head: &str, good: &[u8]) -> Vec<u8> {
    let asked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("accept-encoding:")
            .is_some_and(|v| v.split(',').any(|c| c.trim() == coding))
    });
    if !asked {
        return response(
            "406 Not Acceptable",
            &[("Content-Type", "text/plain".into())],
            format!("this server answers only in {coding}; the request's Accept-Encoding did not name it").as_bytes(),
        );
    }
    response(
        "200 OK",
        &[
            ("Content-Type", "application/soap+xml; charset=utf-8".into()),
            ("Content-Encoding", coding.into()),
        ],
        &compress(coding, good),
    )
}

/// The federated user's preauthentication answer: the field case C7
/// (tests/fixtures/cases/preauth-federated-with-bom.json) without its BOM, pointing at this
/// server's `/mex`.
fn preauth_json(base: &str) -> String {
    let case = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/cases/preauth-federated-with-bom.json"),
    )
    .expect("the C7 case file");
    let text = String::from_utf8(case).expect("UTF-8");
    text.trim_start_matches('\u{feff}').replace(
        "https://sts.example.com/adfs/services/trust/mex",
        &format!("{base}/mex"),
    )
}

async fn read_head<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut byte))
            .await
            .ok()?
            .ok()?;
        if n == 0 || buf.len() > 65_536 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let path = head.split_whitespace().nth(1)?.to_string();
    Some((path, head))
}

async fn serve(
    tcp: tokio::net::TcpStream,
    acceptor: tokio_rustls::TlsAcceptor,
    b: Behaviour,
    good: Arc<Vec<u8>>,
    base: Arc<String>,
) {
    if b == Behaviour::NeverAnswers {
        tokio::time::sleep(Duration::from_secs(120)).await;
        drop(tcp);
        return;
    }
    let Ok(mut tls) = acceptor.accept(tcp).await else {
        return;
    };
    let Some((path, head)) = read_head(&mut tls).await else {
        return;
    };
    let path = path.split('?').next().unwrap_or("").to_string();
    let reply = match (b, path.as_str()) {
        (Behaviour::PreauthBom, "/preauth") => {
            let mut body = vec![0xEF, 0xBB, 0xBF];
            body.extend_from_slice(preauth_json(&base).as_bytes());
            response("200 OK", &[("Content-Type", "application/json".into())], &body)
        }
        (Behaviour::PreauthUtf16, "/preauth") => {
            let body: Vec<u8> = preauth_json(&base)
                .encode_utf16()
                .flat_map(|u| u.to_be_bytes())
                .collect();
            response("200 OK", &[("Content-Type", "application/json".into())], &body)
        }
        (Behaviour::RedirectLoop, "/mex") => response("302 Found", &[("Location", "/mex2".into())], b""),
        (Behaviour::RedirectLoop, "/mex2") => response("302 Found", &[("Location", "/mex".into())], b""),
        (_, "/mex") => match b {
            Behaviour::MalformedXml => xml(b"<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"><wsdl:service name=\"x\">"),
            Behaviour::BillionLaughs => xml(&billion_laughs()),
            Behaviour::QuadraticBlowup => xml(&quadratic()),
            Behaviour::DeepNesting => {
                let mut d = "<a>".repeat(1_000_000);
                d.push_str(&"</a>".repeat(1_000_000));
                xml(d.as_bytes())
            }
            Behaviour::FiftyMegabytes => {
                let head = response(
                    "200 OK",
                    &[
                        ("Content-Type", "application/soap+xml".into()),
                        ("Content-Length", (50u64 << 20).to_string()),
                    ],
                    b"",
                );
                if tls.write_all(&head).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 1 << 16];
                for _ in 0..800 {
                    if tls.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
                let _ = tls.shutdown().await;
                return;
            }
            Behaviour::GzipBomb => response(
                "200 OK",
                &[
                    ("Content-Type", "application/soap+xml".into()),
                    ("Content-Encoding", "gzip".into()),
                ],
                &gzip_bomb(),
            ),
            Behaviour::Drip => {
                let head = response(
                    "200 OK",
                    &[
                        ("Content-Type", "application/soap+xml".into()),
                        ("Content-Length", "1000".into()),
                    ],
                    b"",
                );
                if tls.write_all(&head).await.is_err() {
                    return;
                }
                for _ in 0..1000 {
                    if tls.write_all(b"<").await.is_err() || tls.flush().await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                return;
            }
            Behaviour::ResetMidBody => {
                let head = response(
                    "200 OK",
                    &[
                        ("Content-Type", "application/soap+xml".into()),
                        ("Content-Length", good.len().to_string()),
                    ],
                    b"",
                );
                let _ = tls.write_all(&head).await;
                let _ = tls.write_all(&good[..good.len() / 2]).await;
                let _ = tls.flush().await;
                tokio::time::sleep(Duration::from_millis(200)).await;
                let (tcp, _) = tls.into_inner();
                let _ = tcp.set_zero_linger();
                drop(tcp);
                return;
            }
            Behaviour::RedirectToHttp => response(
                "302 Found",
                &[("Location", format!("{}/mex", base.replacen("https://", "http://", 1)))],
                b"",
            ),
            Behaviour::NonUtf8 => xml(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\">\xff\xfe\xfd</wsdl:definitions>"),
            Behaviour::WrongContentType => response(
                "200 OK",
                &[("Content-Type", "text/html".into())],
                &good,
            ),
            Behaviour::HugeHeader => response(
                "200 OK",
                &[
                    ("Content-Type", "application/soap+xml".into()),
                    ("X-Padding", "a".repeat(1 << 20)),
                ],
                &good,
            ),
            Behaviour::Empty200 => xml(b""),
            Behaviour::GzipMex => compressed("gzip", &head, &good),
            Behaviour::DeflateMex => compressed("deflate", &head, &good),
            Behaviour::BrotliMex => compressed("br", &head, &good),
            Behaviour::Utf16Mex => {
                let text = String::from_utf8_lossy(&good).replacen("encoding=\"utf-8\"", "encoding=\"UTF-16\"", 1);
                let mut body = vec![0xFF, 0xFE];
                body.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
                xml(&body)
            }
            Behaviour::Latin1Mex => {
                let text = String::from_utf8_lossy(&good)
                    .replacen("encoding=\"utf-8\"", "encoding=\"ISO-8859-1\"", 1)
                    .replacen("<wsdl:definitions", "<!-- Fédération -->\n<wsdl:definitions", 1);
                let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
                xml(&bytes)
            }
            Behaviour::Http10Close => {
                let mut r = b"HTTP/1.0 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n\r\n".to_vec();
                r.extend_from_slice(&good);
                let _ = tls.write_all(&r).await;
                let _ = tls.shutdown().await;
                return;
            }
            _ => xml(&good),
        },
        _ => response("404 Not Found", &[], b"not here"),
    };
    let _ = tls.write_all(&reply).await;
    let _ = tls.shutdown().await;
}

/// A rustls server configuration for the reference IdP's certificates (the hostile server speaks
/// HTTP/1.1 over its own TLS stack, apart from the harness's).
fn rustls_config(pki: &fedconform::idp::pki::Pki) -> rustls::ServerConfig {
    let chain = pki
        .server_chain
        .iter()
        .map(|c| rustls::pki_types::CertificateDer::from(c.clone()))
        .collect();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(pki.server_key.clone().into());
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("TLS config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// Starts a hostile server; `good` is a valid MEX document, for the behaviours that serve one.
pub fn start(b: Behaviour, good: Vec<u8>) -> Hostile {
    use fedconform::idp::pki::{ServerCert, generate_with};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = std::net::TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))
        .expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let base = format!("https://127.0.0.1:{port}");
    let kind = match b {
        Behaviour::ExpiredCertificate => ServerCert::Expired,
        Behaviour::WrongHostCertificate => ServerCert::WrongHost,
        _ => ServerCert::Valid,
    };
    let pki = generate_with(IpAddr::V4(Ipv4Addr::LOCALHOST), kind).expect("certificates");
    let config = rustls_config(&pki);
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let (good, shared_base) = (Arc::new(good), Arc::new(base.clone()));
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((tcp, _)) = accepted {
                            tokio::spawn(serve(tcp, acceptor.clone(), b, good.clone(), shared_base.clone()));
                        }
                    }
                    _ = &mut stopped => break,
                }
            }
        });
        rt.shutdown_background();
    });
    Hostile {
        base,
        ca_pem: pki.ca_pem,
        stop: Some(stop),
    }
}
