//! Steps: one protocol exchange each, exactly as macOS does it, yielding a typed observation.
//! Steps are memoised per target: every case that looks at a step reads the same observation.

use crate::flow::wstrust::{self, Rst, RstrAnalysis, Variation};
use crate::flow::{WsTrustVersion, mex, preauth};
use crate::http::{Exchange, HttpClient, Request};
use crate::suite::{FederationType, StepKind, Target};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// A preauthentication exchange and what was read from it.
#[derive(Debug, Clone, Serialize)]
pub struct PreauthObservation {
    /// The login name sent.
    pub login: String,
    /// The exchange.
    pub exchange: Exchange,
    /// The answer's analysis (None when there was no answer).
    pub analysis: Option<preauth::PreauthAnalysis>,
}

/// A MEX exchange and its analysis.
#[derive(Debug, Clone, Serialize)]
pub struct MexObservation {
    /// Where the MEX URL came from.
    pub url_source: String,
    /// The exchange.
    pub exchange: Exchange,
    /// The analysis of the body (None when there was no answer).
    pub analysis: Option<mex::MexAnalysis>,
}

/// A WS-Trust login exchange and its analysis.
#[derive(Debug, Clone, Serialize)]
pub struct LoginObservation {
    /// The endpoint's version.
    pub version: WsTrustVersion,
    /// The endpoint address (from MEX, trimmed).
    pub address: String,
    /// The login name sent.
    pub login: String,
    /// `urn:uuid:…`: the MessageID RelatesTo must echo.
    pub nonce: String,
    /// How the request differs from macOS's.
    pub variation: Variation,
    /// The AppliesTo sent (`federationRequestURN`).
    pub applies_to: String,
    /// When the request was sent.
    pub sent_at: chrono::DateTime<chrono::Utc>,
    /// The exchange (the request body holds the password: transcripts redact it).
    pub exchange: Exchange,
    /// The answer's analysis (None when there was no answer).
    pub analysis: Option<RstrAnalysis>,
}

/// The result of a step.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StepOutput {
    /// The step could not run: a prerequisite is missing or failed.
    NotRun {
        /// Why.
        reason: String,
    },
    /// A preauthentication step ran.
    Preauth(Box<PreauthObservation>),
    /// The MEX step ran.
    Mex(Box<MexObservation>),
    /// A login step ran.
    Login(Box<LoginObservation>),
}

impl StepOutput {
    /// The exchange, when the step ran.
    pub fn exchange(&self) -> Option<&Exchange> {
        match self {
            StepOutput::NotRun { .. } => None,
            StepOutput::Preauth(p) => Some(&p.exchange),
            StepOutput::Mex(m) => Some(&m.exchange),
            StepOutput::Login(l) => Some(&l.exchange),
        }
    }
}

/// Runs steps for one target, each at most once.
pub struct Steps {
    target: Arc<Target>,
    http: HttpClient,
    cells: HashMap<StepKind, OnceCell<Arc<StepOutput>>>,
}

impl Steps {
    /// Steps for a target over a client.
    pub fn new(target: Arc<Target>, http: HttpClient) -> Self {
        let cells = StepKind::ALL
            .iter()
            .map(|k| (*k, OnceCell::new()))
            .collect();
        Steps {
            target,
            http,
            cells,
        }
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The (memoised) output of a step.
    pub async fn get(&self, kind: StepKind) -> Arc<StepOutput> {
        // Without custom values, macOS's request is the plain one: share it.
        let kind =
            if kind == StepKind::PreauthFederatedCustom && self.target.custom_values.is_empty() {
                StepKind::PreauthFederated
            } else {
                kind
            };
        match self.cells.get(&kind) {
            Some(cell) => cell
                .get_or_init(|| async { Arc::new(self.run(kind).await) })
                .await
                .clone(),
            None => Arc::new(StepOutput::NotRun {
                reason: format!("unknown step {kind}"),
            }),
        }
    }

    async fn run(&self, kind: StepKind) -> StepOutput {
        let t = &self.target;
        match kind.family() {
            crate::suite::Family::Mex => self.run_mex().await,
            crate::suite::Family::Login => self.run_login(kind).await,
            crate::suite::Family::Preauth => {
                if t.federation_type == FederationType::Wstrust {
                    return StepOutput::NotRun {
                        reason: "federationType is \"wstrust\": macOS sends no preauthentication"
                            .into(),
                    };
                }
                let Some(base) = &t.preauth_url else {
                    return StepOutput::NotRun {
                        reason: "no federationUserPreauthenticationURL".into(),
                    };
                };
                let (login, custom): (Option<String>, &[_]) = match kind {
                    StepKind::PreauthFederated => {
                        (t.federated_user.as_ref().map(|u| u.login.clone()), &[])
                    }
                    StepKind::PreauthFederatedCustom => (
                        t.federated_user.as_ref().map(|u| u.login.clone()),
                        &t.custom_values,
                    ),
                    // Only the custom step carries the custom values, so that a server refusing
                    // them fails PRE-8 alone.
                    StepKind::PreauthReserved => (t.reserved_login.clone(), &[]),
                    _ => (t.managed_user.as_ref().map(|u| u.login.clone()), &[]),
                };
                let Some(login) = login else {
                    let role = if kind == StepKind::PreauthManaged {
                        "managed"
                    } else {
                        "federated"
                    };
                    return StepOutput::NotRun {
                        reason: format!("the target has no {role} user"),
                    };
                };
                let url = preauth::request_url(base, &login, custom);
                let exchange = self
                    .http
                    .send(Request::get(url, preauth::request_headers()))
                    .await;
                let analysis = match (&exchange.failure, exchange.status) {
                    (None, Some(_)) => Some(preauth::analyse(
                        &exchange.body,
                        t.predicate.as_ref(),
                        t.mex_keypath.as_ref(),
                    )),
                    _ => None,
                };
                StepOutput::Preauth(Box::new(PreauthObservation {
                    login,
                    exchange,
                    analysis,
                }))
            }
        }
    }

    async fn mex_url(&self) -> Result<(url::Url, String), String> {
        let t = &self.target;
        if t.federation_type == FederationType::Wstrust {
            return t
                .mex_url
                .clone()
                .map(|u| (u, "federationMEXURL".to_string()))
                .ok_or_else(|| "no federationMEXURL".to_string());
        }
        let mut why = Vec::new();
        for kind in [StepKind::PreauthFederatedCustom, StepKind::PreauthFederated] {
            let out = Box::pin(self.get(kind)).await;
            match &*out {
                StepOutput::Preauth(p) => {
                    match p.analysis.as_ref().and_then(|a| a.mex_url.as_ref()) {
                        Some(m) => match &m.url {
                            Ok(u) => match url::Url::parse(u) {
                                Ok(url) => {
                                    return Ok((url, format!("{} of step {kind}", m.keypath)));
                                }
                                Err(e) => why.push(format!("{kind}: {e}")),
                            },
                            Err(e) => why.push(format!("{kind}: {} is {e}", m.keypath)),
                        },
                        None => why.push(format!(
                            "{kind}: {}",
                            p.exchange
                                .failure
                                .as_ref()
                                .map(|f| f.describe())
                                .unwrap_or_else(|| "no JSON object in the answer".into())
                        )),
                    }
                }
                StepOutput::NotRun { reason } => why.push(format!("{kind}: {reason}")),
                StepOutput::Mex(_) | StepOutput::Login(_) => {}
            }
        }
        why.dedup();
        Err(format!(
            "no usable MEX URL from preauthentication ({})",
            why.join("; ")
        ))
    }

    async fn run_mex(&self) -> StepOutput {
        let (url, source) = match self.mex_url().await {
            Ok(x) => x,
            Err(reason) => return StepOutput::NotRun { reason },
        };
        let exchange = self.http.send(Request::get(url, Vec::new())).await;
        let analysis = match (&exchange.failure, exchange.status) {
            (None, Some(_)) => Some(mex::analyse(&exchange.body)),
            _ => None,
        };
        StepOutput::Mex(Box::new(MexObservation {
            url_source: source,
            exchange,
            analysis,
        }))
    }

    async fn run_login(&self, kind: StepKind) -> StepOutput {
        let t = &self.target;
        let mex = Box::pin(self.get(StepKind::Mex)).await;
        let analysis = match &*mex {
            StepOutput::Mex(m) => match &m.analysis {
                Some(a) => a.clone(),
                None => {
                    return StepOutput::NotRun {
                        reason: "prerequisite MEX-1/MEX-2: the MEX step gave no document".into(),
                    };
                }
            },
            StepOutput::NotRun { reason } => {
                return StepOutput::NotRun {
                    reason: format!("the MEX step did not run: {reason}"),
                };
            }
            _ => {
                return StepOutput::NotRun {
                    reason: "no MEX observation".into(),
                };
            }
        };
        let wanted = match kind {
            StepKind::Login13 => Some(WsTrustVersion::V13),
            StepKind::Login2005 | StepKind::Login2005Soapaction13 => Some(WsTrustVersion::V2005),
            _ => None,
        };
        let endpoint = match wanted {
            None => match analysis.selected_endpoint() {
                Some(e) => e.clone(),
                None => {
                    return StepOutput::NotRun {
                        reason: "prerequisite MEX-3: no endpoint selected".into(),
                    };
                }
            },
            Some(v) => match analysis
                .endpoints
                .iter()
                .find(|e| e.usable && e.version == v)
            {
                Some(e) => e.clone(),
                None => {
                    return StepOutput::NotRun {
                        reason: format!(
                            "not applicable: the MEX document advertises no usable WS-Trust {v} username endpoint"
                        ),
                    };
                }
            },
        };
        let address = endpoint
            .address
            .clone()
            .unwrap_or_default()
            .trim()
            .to_string();
        let url = match url::Url::parse(&address) {
            Ok(u) => u,
            Err(e) => {
                return StepOutput::NotRun {
                    reason: format!(
                        "prerequisite MEX-8: the endpoint address {address:?} does not parse: {e}"
                    ),
                };
            }
        };
        let federated = t.federated_user.as_ref().and_then(|u| {
            u.password
                .as_ref()
                .map(|p| (u.login.clone(), p.expose().to_string()))
        });
        let (login, password) =
            match kind {
                StepKind::LoginSpecial => match t.special_user.as_ref().and_then(|u| {
                    u.password
                        .as_ref()
                        .map(|p| (u.login.clone(), p.expose().to_string()))
                }) {
                    Some(c) => c,
                    None => return StepOutput::NotRun {
                        reason:
                            "not applicable: the target has no special user (role = \"special\")"
                                .into(),
                    },
                },
                StepKind::LoginUnknownUser => {
                    let domain = federated
                        .as_ref()
                        .and_then(|(l, _)| l.rsplit_once('@').map(|(_, d)| d.to_string()))
                        .unwrap_or_else(|| "example.invalid".into());
                    (
                        format!("fedconform-unknown-{}@{domain}", uuid::Uuid::new_v4()),
                        format!("fedconform-{}", uuid::Uuid::new_v4()),
                    )
                }
                _ => match federated {
                    Some((l, _)) if kind == StepKind::LoginWrongPassword => {
                        (l, format!("fedconform-wrong-{}", uuid::Uuid::new_v4()))
                    }
                    Some(c) => c,
                    None => {
                        return StepOutput::NotRun {
                            reason: "the target has no federated user with a password".into(),
                        };
                    }
                },
            };
        let variation = match kind {
            StepKind::LoginNoPasswordType => Variation {
                password_type: false,
                ..Variation::STANDARD
            },
            StepKind::LoginNoTimestamp => Variation {
                timestamp: false,
                ..Variation::STANDARD
            },
            StepKind::Login2005Soapaction13 => Variation {
                matching_soap_action: false,
                ..Variation::STANDARD
            },
            _ => Variation::STANDARD,
        };
        let sent_at = chrono::Utc::now();
        let rst = Rst {
            version: endpoint.version,
            to: &address,
            username: &login,
            password: &password,
            applies_to: &t.request_urn,
            message_id: uuid::Uuid::new_v4(),
            token_id: uuid::Uuid::new_v4(),
            variation,
            now: sent_at,
        };
        let (nonce, headers, body) = (rst.nonce(), rst.headers(), rst.to_xml());
        let request = Request {
            method: reqwest::Method::POST,
            url,
            headers,
            body: Some(body.into_bytes()),
            follow_redirects: false,
        };
        let exchange = self.http.send(request).await;
        let analysis = match (&exchange.failure, exchange.status) {
            (None, Some(_)) => Some(wstrust::analyse(&exchange.body)),
            _ => None,
        };
        StepOutput::Login(Box::new(LoginObservation {
            version: endpoint.version,
            address,
            login,
            nonce,
            variation,
            applies_to: t.request_urn.clone(),
            sent_at,
            exchange,
            analysis,
        }))
    }
}
