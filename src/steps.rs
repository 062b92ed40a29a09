//! Steps: one protocol exchange each, exactly as macOS does it, yielding a typed observation.
//! Steps are memoised per target: every case that looks at a step reads the same observation.

use crate::flow::{mex, preauth};
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
    Preauth(PreauthObservation),
    /// The MEX step ran.
    Mex(MexObservation),
}

impl StepOutput {
    /// The exchange, when the step ran.
    pub fn exchange(&self) -> Option<&Exchange> {
        match self {
            StepOutput::NotRun { .. } => None,
            StepOutput::Preauth(p) => Some(&p.exchange),
            StepOutput::Mex(m) => Some(&m.exchange),
        }
    }
}

/// Runs steps for one target, each at most once.
pub struct Steps {
    target: Arc<Target>,
    http: HttpClient,
    cells: HashMap<StepKind, OnceCell<Arc<StepOutput>>>,
}

const ALL_STEPS: [StepKind; 5] = [
    StepKind::PreauthFederated,
    StepKind::PreauthFederatedCustom,
    StepKind::PreauthManaged,
    StepKind::PreauthReserved,
    StepKind::Mex,
];

impl Steps {
    /// Steps for a target over a client.
    pub fn new(target: Arc<Target>, http: HttpClient) -> Self {
        let cells = ALL_STEPS.iter().map(|k| (*k, OnceCell::new())).collect();
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
        match kind {
            StepKind::Mex => self.run_mex().await,
            _ => {
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
                StepOutput::Preauth(PreauthObservation {
                    login,
                    exchange,
                    analysis,
                })
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
                StepOutput::Mex(_) => {}
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
        StepOutput::Mex(MexObservation {
            url_source: source,
            exchange,
            analysis,
        })
    }
}
