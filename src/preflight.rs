//! `fedconform check --target FILE`: the preflight before a run. It says, without judging the
//! IdP, whether a run can work: each endpoint the target names resolves and answers over TLS
//! (version, suite, the chain and where it ends), one preauthentication GET as macOS sends it,
//! and which flows and cases will run and which will not, and why (a flow the target does not
//! claim, a user role it lacks, the lockout cap).

use crate::check::Skip;
use crate::http::{Exchange, HttpClient, Request};
use crate::suite::{StepKind, Suite, Target};
use std::net::IpAddr;

/// One endpoint probed.
#[derive(Debug, Clone)]
pub struct EndpointCheck {
    /// What the target calls it (`federationUserPreauthenticationURL`, `[wsfed] metadata_url`…).
    pub what: String,
    /// The URL.
    pub url: String,
    /// The addresses its host resolves to, or why it does not resolve.
    pub resolved: Result<Vec<IpAddr>, String>,
    /// The exchange (the TLS handshake and the answer), when the host resolved.
    pub exchange: Option<Exchange>,
}

impl EndpointCheck {
    /// True when the endpoint resolved, completed a TLS handshake and answered.
    pub fn reached(&self) -> bool {
        self.resolved.is_ok()
            && self
                .exchange
                .as_ref()
                .is_some_and(|e| e.tls.is_some() && e.status.is_some())
    }
}

/// Whether a case will run against this target, or why not.
#[derive(Debug, Clone)]
pub struct CasePlan {
    /// `suite::case`.
    pub id: String,
    /// The requirements it cites.
    pub requirements: Vec<String>,
    /// None: it runs (what the IdP answers decides the rest); Some: why it will not.
    pub blocked: Option<Skip>,
}

/// The preflight's findings.
#[derive(Debug, Clone)]
pub struct Preflight {
    /// Target name.
    pub target: String,
    /// The flows the target claims.
    pub flows: Vec<crate::requirements::Flow>,
    /// Every endpoint probed.
    pub endpoints: Vec<EndpointCheck>,
    /// Every case of the suites, with whether it will run.
    pub cases: Vec<CasePlan>,
    /// The deliberately failed logins a run sends.
    pub failed_logins: Vec<String>,
}

impl Preflight {
    /// True when every endpoint was reached.
    pub fn all_reached(&self) -> bool {
        self.endpoints.iter().all(EndpointCheck::reached)
    }
}

/// The endpoints the target names, each once: what the target calls it, the URL, and the
/// request to send (the preauthentication GET exactly as macOS sends it; a plain GET otherwise).
fn endpoints(t: &Target) -> Vec<(String, Request)> {
    let mut out: Vec<(String, Request)> = Vec::new();
    let mut add = |what: &str, req: Request| {
        if !out.iter().any(|(_, r)| r.url == req.url) {
            out.push((what.to_string(), req));
        }
    };
    if t.platform_sso {
        if let (Some(base), Some(user)) = (&t.preauth_url, &t.federated_user) {
            add(
                "federationUserPreauthenticationURL (the federated user's preauthentication, as macOS sends it)",
                Request::get(
                    crate::flow::preauth::request_url(base, &user.login, &t.custom_values),
                    crate::flow::preauth::request_headers(),
                ),
            );
        } else if let Some(base) = &t.preauth_url {
            add(
                "federationUserPreauthenticationURL",
                Request::get(base.clone(), crate::flow::preauth::request_headers()),
            );
        }
        if let Some(mex) = &t.mex_url {
            add(
                "federationMEXURL",
                Request::get(mex.clone(), crate::flow::mex::request_headers()),
            );
        }
    }
    if let Some(w) = &t.wsfed {
        add(
            "[wsfed] metadata_url",
            Request::get(
                w.metadata_url.clone(),
                crate::flow::macos::request_headers(&[]),
            ),
        );
        add(
            "[wsfed] base_url",
            Request::get(w.base_url.clone(), crate::flow::macos::request_headers(&[])),
        );
    }
    out
}

async fn resolve(url: &url::Url) -> Result<Vec<IpAddr>, String> {
    let host = url.host_str().ok_or("the URL has no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("{host} does not resolve: {e}"))?;
    let mut ips: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
    ips.dedup();
    if ips.is_empty() {
        return Err(format!("{host} resolves to no address"));
    }
    Ok(ips)
}

/// The URL keys of the login configuration that are not absolute https URLs as written: not
/// probed (macOS would not load them), each shown with the CFG-6 refusal.
fn refused_urls(t: &Target) -> Vec<EndpointCheck> {
    let Some(cfg) = t.login_configuration.as_ref().filter(|_| t.platform_sso) else {
        return Vec::new();
    };
    [
        ("federationUserPreauthenticationURL", &cfg.preauth_url),
        ("federationMEXURL", &cfg.mex_url),
    ]
    .into_iter()
    .filter_map(|(what, raw)| {
        let raw = raw.as_deref()?;
        let why = crate::suite::https_url(raw).err()?;
        Some(EndpointCheck {
            what: what.to_string(),
            url: raw.to_string(),
            resolved: Err(format!(
                "not probed: {why}; App Transport Security refuses the load (CFG-6)"
            )),
            exchange: None,
        })
    })
    .collect()
}

/// Runs the preflight: probes every endpoint, and plans every case of `suites`.
pub async fn check(t: &Target, suites: &[Suite], http: &HttpClient) -> Preflight {
    let mut checks = refused_urls(t);
    for (what, req) in endpoints(t) {
        let resolved = resolve(&req.url).await;
        let url = req.url.to_string();
        let exchange = match &resolved {
            Ok(_) => Some(http.send(req).await),
            Err(_) => None,
        };
        checks.push(EndpointCheck {
            what,
            url,
            resolved,
            exchange,
        });
    }
    let mut cases = Vec::new();
    let mut steps: Vec<StepKind> = Vec::new();
    for s in suites {
        for c in &s.cases {
            let blocked = crate::steps::case_precondition(t, c);
            steps.extend(crate::steps::case_steps(t, c));
            cases.push(CasePlan {
                id: format!("{}::{}", s.meta.name, c.id),
                requirements: c.requirements.clone(),
                blocked,
            });
        }
    }
    Preflight {
        target: t.name.clone(),
        flows: t.flows(),
        endpoints: checks,
        cases,
        failed_logins: crate::runner::failed_logins(t, &steps),
    }
}
