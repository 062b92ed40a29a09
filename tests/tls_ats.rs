//! App Transport Security against a real third-party TLS server: `openssl s_server` on loopback,
//! configured as IdP front ends are, reached with the harness's own client and judged with its own
//! TLS-5 and TLS-6 checks. A server offering only ECDHE suites with AES-CBC passes (a Mac connects
//! to it); one speaking only TLS 1.1, or offering only suites without forward secrecy, fails the
//! named ATS rule, in words a vendor can look up. A missing `openssl` binary fails these tests.

mod common;

use fedconform::check::CheckResult;
use fedconform::check::transport::judge;
use fedconform::http::{Exchange, HttpClient, Request};
use fedconform::idp::pki::{Pki, ServerCert, generate_with};
use fedconform::suite::{Limits, TransportExpect};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An `openssl s_server` process; killed when dropped.
struct SServer {
    child: Child,
    port: u16,
    ca_pem: String,
    _dir: tempfile::TempDir,
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Starts `openssl s_server -www` with a certificate from the reference CA and `args` (the
/// protocol and cipher options under test), and waits until it accepts connections.
fn s_server(cert: ServerCert, args: &[&str]) -> SServer {
    s_server_with(cert, args, false)
}

/// As [`s_server`]; with `scts`, the server delivers an SCT list in the TLS extension
/// (`-serverinfo`), as some CT deployments do instead of embedding it.
fn s_server_with(cert: ServerCert, args: &[&str], scts: bool) -> SServer {
    let pki: Pki = generate_with(IpAddr::V4(Ipv4Addr::LOCALHOST), cert).expect("certificates");
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(text.as_bytes()).expect("write");
        p
    };
    let leaf = write("leaf.pem", &pem("CERTIFICATE", &pki.server_chain[0]));
    let chain = write(
        "chain.pem",
        &pki.server_chain[1..]
            .iter()
            .map(|c| pem("CERTIFICATE", c))
            .collect::<String>(),
    );
    let key = write("key.pem", &pem("PRIVATE KEY", &pki.server_key));
    let mut extra: Vec<String> = Vec::new();
    if scts {
        // serverinfo: extension type 18 (signed_certificate_timestamp), its length, the list.
        let list = fedconform::idp::pki::sct_list();
        let mut data = vec![0u8, 18];
        data.extend_from_slice(&(list.len() as u16).to_be_bytes());
        data.extend_from_slice(&list);
        let info = write(
            "serverinfo.pem",
            &pem("SERVERINFO FOR signed_certificate_timestamp", &data),
        );
        extra.push("-serverinfo".into());
        extra.push(info.to_string_lossy().into_owned());
    }
    let port = common::free_port();
    let child = Command::new("openssl")
        .arg("s_server")
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&leaf)
        .arg("-cert_chain")
        .arg(&chain)
        .arg("-key")
        .arg(&key)
        .arg("-www")
        .arg("-quiet")
        .args(&extra)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the openssl binary runs (install the openssl package)");
    let server = SServer {
        child,
        port,
        ca_pem: pki.ca_pem,
        _dir: dir,
    };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "openssl s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// GETs the server's page with the harness's client, trusting the reference CA as a reference
/// root.
fn fetch(s: &SServer) -> Exchange {
    let http = HttpClient::with_roots(&[], &[s.ca_pem.clone().into_bytes()], Limits::default())
        .expect("client");
    let url = url::Url::parse(&format!("https://127.0.0.1:{}/", s.port)).expect("url");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(http.send(Request::get(url, Vec::new())))
}

/// Library text that must never reach a vendor (rule 6).
fn assert_no_library_text(s: &str) {
    for bad in [
        "Error {",
        "ErrorStack",
        "code:",
        "SSL routines",
        "Some(",
        "CaUsedAsEndEntity",
        "InvalidCertificate",
    ] {
        assert!(!s.contains(bad), "library text {bad:?} in {s:?}");
    }
}

#[test]
fn a_server_offering_only_ecdhe_rsa_aes_cbc_suites_passes_ats() {
    let s = s_server(
        ServerCert::Rsa2048,
        &["-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384"],
    );
    let ex = fetch(&s);
    assert_eq!(ex.status, Some(200), "{:?}", ex.failure);
    let tls = ex.tls.as_ref().expect("a handshake was recorded");
    assert_eq!(tls.version, "TLSv1.2");
    assert_eq!(tls.cipher, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
    for e in [
        TransportExpect::AtsProtocol,
        TransportExpect::AtsCipherSuite,
        TransportExpect::ValidCertificate,
        TransportExpect::StrongKey,
    ] {
        let f = judge(&e, std::slice::from_ref(&ex));
        assert_eq!(f.result, CheckResult::Pass, "{e:?}: {}", f.actual);
    }
}

#[test]
fn a_server_offering_only_ecdhe_ecdsa_aes_cbc_sha1_suites_passes_ats() {
    let s = s_server(
        ServerCert::Valid,
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA",
        ],
    );
    let ex = fetch(&s);
    assert_eq!(ex.status, Some(200), "{:?}", ex.failure);
    let tls = ex.tls.as_ref().expect("a handshake was recorded");
    assert!(
        tls.cipher.starts_with("TLS_ECDHE_ECDSA_WITH_AES_") && tls.cipher.ends_with("_CBC_SHA"),
        "{}",
        tls.cipher
    );
    let f = judge(&TransportExpect::AtsCipherSuite, std::slice::from_ref(&ex));
    assert_eq!(f.result, CheckResult::Pass, "{}", f.actual);
}

#[test]
fn a_tls_1_1_only_server_fails_tls_5_naming_the_ats_rule() {
    let s = s_server(
        ServerCert::Valid,
        &["-tls1_1", "-cipher", "ALL:@SECLEVEL=0"],
    );
    let ex = fetch(&s);
    assert_eq!(ex.status, None);
    let f = judge(&TransportExpect::AtsProtocol, std::slice::from_ref(&ex));
    assert_eq!(f.result, CheckResult::Fail, "{}", f.actual);
    assert!(
        f.actual
            .contains("App Transport Security requires TLS 1.2 or later; the server negotiates TLS 1.1 at best"),
        "{}",
        f.actual
    );
    assert_no_library_text(&f.actual);
    // The root cause is said once: TLS-1 and the certificate rules are blocked by TLS-5.
    for e in [
        TransportExpect::ValidCertificate,
        TransportExpect::AtsCipherSuite,
        TransportExpect::StrongKey,
    ] {
        let f = judge(&e, std::slice::from_ref(&ex));
        match &f.result {
            CheckResult::Skip(fedconform::check::Skip::Blocked(b)) => {
                assert_eq!(b.requirement, "TLS-5", "{e:?}")
            }
            other => panic!("{e:?}: {other:?}"),
        }
    }
}

#[test]
fn a_server_without_forward_secrecy_fails_tls_6_naming_the_suite() {
    let s = s_server(
        ServerCert::Rsa2048,
        &["-tls1_2", "-cipher", "AES256-GCM-SHA384:AES128-SHA"],
    );
    let ex = fetch(&s);
    assert_eq!(ex.status, None);
    let f = judge(&TransportExpect::AtsCipherSuite, std::slice::from_ref(&ex));
    assert_eq!(f.result, CheckResult::Fail, "{}", f.actual);
    assert!(
        f.actual
            .contains("App Transport Security requires an ECDHE (forward secrecy) suite")
            && f.actual
                .contains("TLS_RSA_WITH_AES_256_GCM_SHA384 (TLS 1.2)"),
        "{}",
        f.actual
    );
    assert_no_library_text(&f.actual);
    let p = judge(&TransportExpect::AtsProtocol, std::slice::from_ref(&ex));
    assert!(
        matches!(&p.result, CheckResult::Skip(fedconform::check::Skip::Blocked(b)) if b.requirement == "TLS-6"),
        "{:?}",
        p.result
    );
}

#[test]
fn a_ca_certificate_as_leaf_fails_tls_9_in_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), Some("tls-ca-as-leaf"));
    let ran = common::run_target(dir.path(), &served.target, &["wstrust-mex::tls"]);
    assert_eq!(ran.code, 1, "NONCONFORMANT");
    let r = ran.report;
    let text = r.to_string();
    assert_no_library_text(&text);
    let eku = common::cases(&r)
        .into_iter()
        .find(|c| c.0 == "wstrust-mex::tls-server-auth-eku")
        .expect("the TLS-9 case ran");
    assert_eq!(eku.2, "fail", "{}", eku.3);
    assert!(
        eku.3.contains("has no extendedKeyUsage extension (it is a CA certificate used as the server certificate)"),
        "{}",
        eku.3
    );
    let valid = common::cases(&r)
        .into_iter()
        .find(|c| c.0 == "wstrust-mex::tls-valid-certificate")
        .expect("the TLS-1 case ran");
    assert_eq!(valid.2, "pass", "{}", valid.3);
}

#[test]
fn scts_delivered_in_the_tls_extension_are_ct_proof_and_none_fails_tls_11() {
    let with = s_server_with(ServerCert::NoSct, &["-tls1_2"], true);
    let ex = fetch(&with);
    assert_eq!(ex.status, Some(200), "{:?}", ex.failure);
    assert_eq!(ex.tls.as_ref().map(|t| t.scts), Some(1));
    let f = judge(
        &TransportExpect::CertificateTransparency,
        std::slice::from_ref(&ex),
    );
    assert_eq!(f.result, CheckResult::Pass, "{}", f.actual);
    assert!(
        f.actual.contains("1 SCT(s) delivered in the handshake"),
        "{}",
        f.actual
    );
    let without = s_server(ServerCert::NoSct, &["-tls1_2"]);
    let ex = fetch(&without);
    let f = judge(
        &TransportExpect::CertificateTransparency,
        std::slice::from_ref(&ex),
    );
    assert_eq!(f.result, CheckResult::Fail, "{}", f.actual);
    assert!(
        f.actual.contains("no Certificate Transparency proof"),
        "{}",
        f.actual
    );
}

#[test]
fn plain_http_on_an_https_port_is_a_tls_1_failure_in_words() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(2).flatten() {
            let mut s = stream;
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let http = HttpClient::with_roots(&[], &[], Limits::default()).expect("client");
    let url = url::Url::parse(&format!("https://127.0.0.1:{port}/")).expect("url");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ex = rt.block_on(http.send(Request::get(url, Vec::new())));
    let f = judge(
        &TransportExpect::ValidCertificate,
        std::slice::from_ref(&ex),
    );
    assert_eq!(f.result, CheckResult::Fail, "{}", f.actual);
    assert!(
        f.actual
            .ends_with("the TLS handshake failed: the server did not answer in TLS (plain HTTP on an https port?)"),
        "{}",
        f.actual
    );
    assert_no_library_text(&f.actual);
}
