//! The reference IdP under bad input and load (issue #6): it refuses DTDs and oversized requests
//! and stays up; concurrent logins all succeed, in bounded memory. Loopback only, a bounded count.

mod common;

use fedconform::flow::WsTrustVersion;
use fedconform::flow::wstrust::{self, Rst, Variation};
use fedconform::http::{HttpClient, Request};
use std::sync::Arc;

/// Logins in the load test, and how many are in flight at once.
const LOGINS: usize = 400;
const CONCURRENCY: usize = 32;
/// Peak resident memory the IdP may reach, KiB.
const MEMORY_KIB: u64 = 256 * 1024;

struct Idp {
    _dir: tempfile::TempDir,
    served: common::Served,
    target: fedconform::suite::Target,
    sts: url::Url,
    password: String,
}

fn idp() -> Idp {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let mut target = fedconform::suite::load_target(&served.target).expect("target");
    target.limits.max_concurrency_per_host = CONCURRENCY;
    let base = target.wsfed.as_ref().expect("[wsfed]").base_url.clone();
    let sts = base
        .join("/adfs/services/trust/13/usernamemixed")
        .expect("url");
    let password = target
        .federated_user
        .as_ref()
        .and_then(|u| u.password.as_ref())
        .map(|p| p.expose().to_string())
        .expect("password");
    Idp {
        _dir: dir,
        served,
        target,
        sts,
        password,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn post(url: &url::Url, body: Vec<u8>, content_type: &str) -> Request {
    Request {
        method: fedconform::http::Method::POST,
        url: url.clone(),
        headers: vec![("Content-Type".into(), content_type.into())],
        body: Some(body),
        redirects: fedconform::http::Redirects::Refuse,
    }
}

/// A valid login; returns (status, token issued, RelatesTo echoed).
async fn login(http: &HttpClient, idp: &Idp) -> (Option<u16>, bool, bool) {
    let rst = Rst {
        version: WsTrustVersion::V13,
        to: idp.sts.as_str(),
        username: fedconform::idp::FEDERATED_LOGIN,
        password: &idp.password,
        applies_to: "urn:federation:MicrosoftOnline",
        message_id: uuid::Uuid::new_v4(),
        token_id: uuid::Uuid::new_v4(),
        variation: Variation::MACOS,
        now: chrono::Utc::now(),
    };
    let request = Request {
        headers: rst.headers(),
        ..post(&idp.sts, rst.to_xml().into_bytes(), "application/soap+xml")
    };
    let ex = http.send(request).await;
    let a = wstrust::analyse(&ex.body);
    (
        ex.status,
        a.assertion.is_some(),
        a.relates_to.as_deref() == Some(rst.nonce().as_str()),
    )
}

fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .expect("VmHWM of the IdP process")
}

#[test]
fn the_sts_refuses_dtds_and_stays_up() {
    let idp = idp();
    let rt = runtime();
    let http = HttpClient::for_target(&idp.target).expect("client");
    let mut laughs =
        String::from("<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY l0 \"lol\">");
    for i in 1..10 {
        laughs.push_str(&format!(
            "<!ENTITY l{i} \"{}\">",
            format!("&l{};", i - 1).repeat(10)
        ));
    }
    laughs.push_str("]><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Header/><s:Body>&l9;</s:Body></s:Envelope>");
    let ex = rt.block_on(http.send(post(&idp.sts, laughs.into_bytes(), "application/soap+xml")));
    let status = ex.status.expect("an answer");
    assert!((400..600).contains(&status), "HTTP {status}");
    let body = String::from_utf8_lossy(&ex.body);
    assert!(!body.contains("Assertion"), "a token for a DTD: {body}");
    assert!(
        !body.contains("lollollol"),
        "entities were expanded: {body}"
    );
    let (status, token, echoed) = rt.block_on(login(&http, &idp));
    assert_eq!(
        (status, token, echoed),
        (Some(200), true, true),
        "the STS is still up"
    );
}

#[test]
fn oversized_requests_are_refused() {
    let idp = idp();
    let rt = runtime();
    let http = HttpClient::for_target(&idp.target).expect("client");
    let big = vec![b'a'; 3 << 20];
    let login_url = idp.sts.join("/wsfed/login").expect("url");
    for (url, ct) in [
        (&idp.sts, "application/soap+xml"),
        (&login_url, "application/x-www-form-urlencoded"),
    ] {
        let ex = rt.block_on(http.send(post(url, big.clone(), ct)));
        assert_eq!(ex.status, Some(413), "{url}: {:?}", ex.failure);
    }
    let (status, token, _) = rt.block_on(login(&http, &idp));
    assert_eq!((status, token), (Some(200), true), "the STS is still up");
}

#[test]
fn concurrent_logins_all_succeed_in_bounded_memory() {
    let idp = Arc::new(idp());
    let rt = runtime();
    let http = HttpClient::for_target(&idp.target).expect("client");
    let results = rt.block_on(async {
        let gate = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..LOGINS {
            let (http, idp, gate) = (http.clone(), idp.clone(), gate.clone());
            set.spawn(async move {
                let _permit = gate.acquire_owned().await;
                login(&http, &idp).await
            });
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            out.push(r.expect("a login task"));
        }
        out
    });
    assert_eq!(results.len(), LOGINS);
    let bad: Vec<_> = results
        .iter()
        .filter(|r| **r != (Some(200), true, true))
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {LOGINS} logins failed: {:?}",
        bad.len(),
        &bad[..bad.len().min(5)]
    );
    let peak = peak_kib(idp.served.pid());
    assert!(
        peak < MEMORY_KIB,
        "the IdP reached {peak} KiB (bound {MEMORY_KIB} KiB)"
    );
}

#[test]
fn the_login_post_needs_the_session_cookie_the_harness_keeps() {
    // The reference IdP sets a session cookie on its login page, as real IdPs do; a sign-in that
    // drops it is refused, and the harness's sign-in (which keeps it) gets its token.
    let idp = idp();
    let rt = runtime();
    let http = HttpClient::for_target(&idp.target).expect("client");
    let w = idp.target.wsfed.clone().expect("[wsfed]");
    let url = w
        .base_url
        .join(&format!(
            "/wsfed/{}?wa=wsignin1.0&wtrealm=urn:{}",
            w.client_id, w.client_id
        ))
        .expect("url");
    let page = rt.block_on(http.send(Request::get(url, Vec::new())));
    assert!(
        page.header("set-cookie")
            .is_some_and(|c| c.contains("Secure")),
        "{:?}",
        page.response_headers
    );
    let form = fedconform::flow::wsfed::forms(&String::from_utf8_lossy(&page.body))
        .into_iter()
        .find(fedconform::flow::wsfed::Form::asks_password)
        .expect("a login form");
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.login_fields(fedconform::idp::FEDERATED_LOGIN, &idp.password))
        .finish();
    let action = w.base_url.join("/wsfed/login").expect("url");
    let refused = rt.block_on(http.send(post(
        &action,
        body.into_bytes(),
        "application/x-www-form-urlencoded",
    )));
    assert_eq!(refused.status, Some(400));
    assert!(String::from_utf8_lossy(&refused.body).contains("session cookie"));

    let steps = fedconform::steps::Steps::new(Arc::new(idp.target.clone()), http);
    let out = rt.block_on(steps.get(fedconform::suite::StepKind::WsfedSignin));
    let fedconform::steps::StepOutput::Wsfed(w) = &*out else {
        panic!("the sign-in did not run")
    };
    assert!(w.token_delivered(), "{w:?}");
}
