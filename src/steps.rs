//! Steps: one protocol exchange each, exactly as macOS does it, yielding a typed observation.
//! Steps are memoised per target: every case that looks at a step reads the same observation.

use crate::check::transport::transport_blocker;
use crate::check::{Skip, quoted};
use crate::flow::config::{ConfigRule, RuleOutcome};
use crate::flow::wsfed::{self, MetadataAnalysis, SigninAnswer, SigninParams};
use crate::flow::wstrust::{self, Rst, RstrAnalysis, Variation};
use crate::flow::{WsTrustVersion, mex, preauth};
use crate::http::{Exchange, Failure, HttpClient, Redirects, Request};
use crate::suite::{Family, FederationType, LoginConfig, StepKind, Target};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The login configuration as macOS checks it when it is set (SPEC.md CFG).
#[derive(Debug, Clone, Serialize)]
pub struct ConfigObservation {
    /// The configuration as the target writes it.
    pub config: LoginConfig,
}

/// A preauthentication exchange and what was read from it.
#[derive(Debug, Clone, Serialize)]
pub struct PreauthObservation {
    /// The login name sent.
    pub login: String,
    /// Why `federationPredicate` cannot be evaluated (CFG-4), when it cannot.
    pub predicate_skip: Option<Skip>,
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
    /// Set when this login sent the federated user's credentials and the IdP refused them with
    /// a credential fault, and no login with them succeeded (the selected login was refused
    /// too): the password in the target may be wrong, so nothing is judged on it (why, in
    /// words). A login that succeeded once proves the password; a refusal is then the IdP's.
    pub refused_credentials: Option<String>,
}

/// The WS-Federation metadata exchange and its analysis.
#[derive(Debug, Clone, Serialize)]
pub struct WsfedMetadataObservation {
    /// The exchange.
    pub exchange: Exchange,
    /// The analysis (None when there was no answer).
    pub analysis: Option<MetadataAnalysis>,
}

/// A WS-Federation sign-in: the request, the IdP's pages up to the answer, and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct WsfedObservation {
    /// The parameters sent.
    pub params: SigninParams,
    /// The client ID was in the path (`/wsfed/{client_id}`), not only in wtrealm.
    pub client_in_path: bool,
    /// The audience a token must carry: the target's fixed `audience`, else the wtrealm sent, or
    /// `urn:{client_id}` without one.
    pub expected_audience: String,
    /// How many signing certificates the metadata gave to verify tokens with.
    pub metadata_certificates: usize,
    /// Every exchange in order: the sign-in GET, redirects on the IdP's host, the login POST.
    pub exchanges: Vec<Exchange>,
    /// The harness filled in and sent a login form.
    pub logged_in: bool,
    /// The IdP showed a login form and the target has no user to fill it in with.
    pub needs_user: bool,
    /// A redirect off the IdP's origin, not followed (its Location).
    pub off_origin_redirect: Option<String>,
    /// Why the flow stopped before a final answer, when it did.
    pub stopped: Option<String>,
    /// The final answer, read (None when there was none).
    pub answer: Option<SigninAnswer>,
    /// When the sign-in started.
    pub sent_at: chrono::DateTime<chrono::Utc>,
    /// Set when the IdP refused the federated user's credentials after its login form (HTTP 401
    /// or 403, or the login form again) and no sign-in with them succeeded (the valid sign-in
    /// was refused too): the password in the target may be wrong, so nothing is judged on it.
    pub refused_credentials: Option<String>,
}

impl WsfedObservation {
    /// The last exchange.
    pub fn last(&self) -> Option<&Exchange> {
        self.exchanges.last()
    }

    /// True when a token left the IdP: a form carrying `wresult`, or a redirect off the IdP's
    /// origin carrying `wresult` in its URL.
    pub fn token_delivered(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| a.token_form.is_some())
            || self
                .off_origin_redirect
                .as_deref()
                .is_some_and(|l| l.contains("wresult="))
    }
}

/// The result of a step.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StepOutput {
    /// The step did not run: not applicable, an input is missing, or a prerequisite failed.
    NotRun {
        /// Why.
        skip: Skip,
    },
    /// The login configuration was read (no exchange).
    Configuration(Box<ConfigObservation>),
    /// The step did not run because a step it needs could not reach the IdP (the network's
    /// fault, not the IdP's).
    Unreachable {
        /// The prerequisite exchange's failure.
        reason: String,
    },
    /// A preauthentication step ran.
    Preauth(Box<PreauthObservation>),
    /// The MEX step ran.
    Mex(Box<MexObservation>),
    /// A login step ran.
    Login(Box<LoginObservation>),
    /// The WS-Fed metadata step ran.
    WsfedMetadata(Box<WsfedMetadataObservation>),
    /// A WS-Fed sign-in step ran.
    Wsfed(Box<WsfedObservation>),
}

impl StepOutput {
    /// The exchange, when the step ran.
    pub fn exchange(&self) -> Option<&Exchange> {
        match self {
            StepOutput::NotRun { .. }
            | StepOutput::Unreachable { .. }
            | StepOutput::Configuration(_) => None,
            StepOutput::Preauth(p) => Some(&p.exchange),
            StepOutput::Mex(m) => Some(&m.exchange),
            StepOutput::Login(l) => Some(&l.exchange),
            StepOutput::WsfedMetadata(m) => Some(&m.exchange),
            StepOutput::Wsfed(w) => w.last(),
        }
    }

    /// Every exchange of the step, in order (WS-Fed sign-ins have several, the others one).
    pub fn exchanges(&self) -> &[Exchange] {
        match self {
            StepOutput::Wsfed(w) => &w.exchanges,
            StepOutput::NotRun { .. }
            | StepOutput::Unreachable { .. }
            | StepOutput::Configuration(_) => &[],
            StepOutput::Preauth(p) => std::slice::from_ref(&p.exchange),
            StepOutput::Mex(m) => std::slice::from_ref(&m.exchange),
            StepOutput::Login(l) => std::slice::from_ref(&l.exchange),
            StepOutput::WsfedMetadata(m) => std::slice::from_ref(&m.exchange),
        }
    }

    fn not_applicable(reason: impl Into<String>) -> Self {
        StepOutput::NotRun {
            skip: Skip::not_applicable(reason),
        }
    }

    fn needs(reason: impl Into<String>) -> Self {
        StepOutput::NotRun {
            skip: Skip::needs(reason),
        }
    }

    fn blocked(requirement: &str, cause: impl Into<String>) -> Self {
        StepOutput::NotRun {
            skip: Skip::blocked(requirement, cause),
        }
    }

    /// The step did not succeed: why, as the output a step that needs it gets. `family` says
    /// which document requirement judges an unusable answer. None when the exchange brought a
    /// whole answer.
    fn halted(ex: &Exchange, family: Family) -> Option<StepOutput> {
        if ex.failure.is_none() && ex.status.is_some() {
            return None;
        }
        if let Some(b) = transport_blocker(ex) {
            return Some(StepOutput::NotRun {
                skip: Skip::Blocked(b),
            });
        }
        let why = ex
            .failure
            .as_ref()
            .map(|f| f.describe())
            .unwrap_or_else(|| "no answer".into());
        Some(match &ex.failure {
            Some(f @ (Failure::Connect { .. } | Failure::Timeout { .. })) => {
                StepOutput::Unreachable {
                    reason: crate::check::transport::no_answer_text(ex, f),
                }
            }
            _ => StepOutput::blocked(
                crate::check::transport::document_requirement(family),
                format!("{}: {why}", ex.final_url),
            ),
        })
    }

    /// The exchanges before the last one (WS-Fed sign-ins have several).
    pub fn earlier_exchanges(&self) -> &[Exchange] {
        match self {
            StepOutput::Wsfed(w) => &w.exchanges[..w.exchanges.len().saturating_sub(1)],
            _ => &[],
        }
    }
}

/// The MEX URL a preauthentication answer gives, read as macOS reads it: a 2xx answer (PRE-1), a
/// JSON object (PRE-2), the predicate true (PRE-3: otherwise macOS does no federated login), an
/// absolute https URL at the key path (PRE-4). Err: the output of a step that needs it.
fn preauth_mex_url(p: &PreauthObservation) -> Result<url::Url, StepOutput> {
    if let Some(halt) = StepOutput::halted(&p.exchange, Family::Preauth) {
        return Err(halt);
    }
    let ex = &p.exchange;
    let at = &ex.final_url;
    let status = ex.status.unwrap_or(0);
    if !(200..=299).contains(&status) {
        return Err(StepOutput::blocked(
            "PRE-1",
            format!("{at}: the preauthentication answered HTTP {status}"),
        ));
    }
    let Some(a) = &p.analysis else {
        return Err(StepOutput::blocked("PRE-2", format!("{at}: no answer")));
    };
    if let Some(e) = &a.json_error {
        return Err(StepOutput::blocked("PRE-2", format!("{at}: {e}")));
    }
    if a.predicate == Some(false) {
        return Err(StepOutput::blocked(
            "PRE-3",
            format!("{at}: federationPredicate evaluates false for the federated user"),
        ));
    }
    match a.mex_url.as_ref().map(|m| (m, &m.url)) {
        Some((_, Ok(u))) => url::Url::parse(u).map_err(|e| {
            StepOutput::blocked("PRE-4", format!("{at}: the MEX URL {}: {e}", quoted(u)))
        }),
        Some((m, Err(e))) => Err(StepOutput::blocked(
            "PRE-4",
            format!("{at}: {} is {e}", quoted(&m.keypath)),
        )),
        None => Err(StepOutput::blocked("PRE-4", format!("{at}: no MEX URL"))),
    }
}

/// The username endpoint a login step uses, as the MEX step gave it: the one macOS selects, or,
/// for `wanted`, the first usable one of that version. Err: the output of the login step instead —
/// blocked by the MEX requirement that failed, or not applicable when no endpoint of the wanted
/// version is advertised (MEX-4 and MEX-5 judge that).
fn mex_endpoint(
    mex: &StepOutput,
    wanted: Option<WsTrustVersion>,
) -> Result<mex::Endpoint, StepOutput> {
    let m = match mex {
        StepOutput::Mex(m) => m,
        other => return Err(other.clone()),
    };
    if let Some(halt) = StepOutput::halted(&m.exchange, Family::Mex) {
        return Err(halt);
    }
    let at = &m.exchange.final_url;
    let status = m.exchange.status.unwrap_or(0);
    if !(200..=299).contains(&status) {
        return Err(StepOutput::blocked(
            "MEX-1",
            format!("{at}: the MEX answered HTTP {status}"),
        ));
    }
    let Some(a) = &m.analysis else {
        return Err(StepOutput::blocked("MEX-2", format!("{at}: no document")));
    };
    if let Some(e) = &a.parse_error {
        use crate::flow::answer::{BodyKind, classify};
        return Err(StepOutput::blocked(
            "MEX-2",
            match classify(&m.exchange.body) {
                BodyKind::BrokenXml { .. } | BodyKind::Binary => {
                    format!("{at}: not well-formed XML at {e}")
                }
                other => format!("{at}: not XML but {other}"),
            },
        ));
    }
    if a.definitions == 0 {
        return Err(StepOutput::blocked(
            "MEX-2",
            format!("{at}: no wsdl:definitions element"),
        ));
    }
    match wanted {
        None => a
            .selected_endpoint()
            .cloned()
            .ok_or_else(|| StepOutput::blocked("MEX-3", format!("{at}: {}", a.why_none()))),
        Some(v) => a
            .endpoints
            .iter()
            .find(|e| e.usable && e.version == v)
            .cloned()
            .ok_or_else(|| {
                StepOutput::not_applicable(format!(
                    "the MEX document advertises no usable WS-Trust {v} username endpoint"
                ))
            }),
    }
}

/// The step a configuration rule keeps from running, when macOS's check of it fails: blocked by
/// the CFG requirement, with what macOS logs.
/// The first of `rules` the target's login configuration breaks, as the skip of a step that
/// needs it: blocked by the rule's requirement (CFG-1…CFG-6), with what macOS says.
fn config_block(t: &Target, rules: &[ConfigRule]) -> Option<Skip> {
    let cfg = t.login_configuration.as_ref()?;
    rules
        .iter()
        .find_map(|rule| match crate::flow::config::check(cfg, *rule) {
            RuleOutcome::Refused { detail } => Some(Skip::blocked(
                rule.requirement(),
                crate::flow::config::refusal(*rule, &detail),
            )),
            _ => None,
        })
}

/// The login configuration rules a step needs to hold: the URL it is sent to (the MEX URL is
/// `federationMEXURL` for WS-Trust, the preauthentication's answer otherwise) and, for a
/// login, the AppliesTo it names.
fn config_rules(t: &Target, family: Family) -> &'static [ConfigRule] {
    let wstrust = t.federation_type == FederationType::Wstrust;
    match family {
        Family::Preauth => &[ConfigRule::PreauthUrl, ConfigRule::HttpsUrls],
        Family::Mex if wstrust => &[ConfigRule::MexUrl, ConfigRule::HttpsUrls],
        Family::Mex => &[ConfigRule::PreauthUrl, ConfigRule::HttpsUrls],
        Family::Login if wstrust => &[
            ConfigRule::RequestUrn,
            ConfigRule::MexUrl,
            ConfigRule::HttpsUrls,
        ],
        Family::Login => &[
            ConfigRule::RequestUrn,
            ConfigRule::PreauthUrl,
            ConfigRule::HttpsUrls,
        ],
        _ => &[],
    }
}

const NO_WSFED: &str = "the target does not claim the WS-Federation flow: it has no [wsfed]";
const NO_LOGIN_CONFIGURATION: &str =
    "the target does not claim the Platform SSO flow: it has no [login_configuration]";

/// Why `kind` cannot run against `t` whatever the IdP answers: the target does not claim its
/// flow, declares the feature absent, or lacks an input the step needs (a user of some role, a
/// failed login the lockout cap leaves). `Steps` returns it before any exchange, and
/// `fedconform check` lists it. None: the step runs, and what the IdP answers decides the rest.
pub fn precondition(t: &Target, kind: StepKind) -> Option<Skip> {
    let family = kind.family();
    if family.flow() == crate::requirements::Flow::PlatformSso && !t.platform_sso {
        return Some(Skip::not_applicable(NO_LOGIN_CONFIGURATION));
    }
    if family.flow() == crate::requirements::Flow::WsFederation && t.wsfed.is_none() {
        return Some(Skip::not_applicable(NO_WSFED));
    }
    let wstrust_preauth = family == Family::Preauth && t.federation_type == FederationType::Wstrust;
    if !wstrust_preauth && let Some(block) = config_block(t, config_rules(t, family)) {
        return Some(block);
    }
    let with_password =
        |u: &Option<crate::suite::User>| u.as_ref().is_some_and(|u| u.password.is_some());
    let role = |r: &str| format!("the target has no {r} user: add a [[user]] with role = \"{r}\"");
    let capped = |what: &str| {
        Skip::needs(format!(
            "[lockout] max_failed_logins = {} leaves no failed login for the {what} probe",
            t.lockout.max_failed_logins
        ))
    };
    match kind {
        StepKind::PreauthFederated
        | StepKind::PreauthFederatedCustom
        | StepKind::PreauthManaged
        | StepKind::PreauthReserved
            if t.federation_type == FederationType::Wstrust =>
        {
            Some(Skip::not_applicable(
                "federationType is \"wstrust\": macOS sends no preauthentication",
            ))
        }
        StepKind::PreauthFederatedCustom if t.custom_values.is_empty() => {
            Some(Skip::not_applicable(
                "the login configuration sets no customFederationUserPreauthenticationRequestValues",
            ))
        }
        StepKind::PreauthFederated
        | StepKind::PreauthFederatedCustom
        | StepKind::PreauthReserved
            if t.federated_user.is_none() =>
        {
            Some(Skip::needs(role("federated")))
        }
        StepKind::PreauthManaged if t.managed_user.is_none() => Some(Skip::needs(role("managed"))),
        // With dynamic-wstrust the MEX URL comes from the federated user's preauthentication:
        // without that user no MEX request and no login can be made.
        _ if matches!(family, Family::Mex | Family::Login)
            && t.federation_type != FederationType::Wstrust
            && t.federated_user.is_none() =>
        {
            // The same words as the preauthentication's: one cause, said once.
            Some(Skip::needs(role("federated")))
        }
        StepKind::LoginSpecial if !with_password(&t.special_user) => {
            Some(Skip::needs(role("special")))
        }
        StepKind::LoginWrongPassword if !t.failed_login_allowed(kind) => {
            Some(capped("wrong-password"))
        }
        StepKind::LoginWrongPassword => t.wrong_password_account().err().map(Skip::needs),
        StepKind::LoginUnknownUser if !t.failed_login_allowed(kind) => Some(capped("unknown-user")),
        k if uses_federated_password(k) && !with_password(&t.federated_user) => Some(Skip::needs(
            "the target has no federated user with a password: add a [[user]] with role = \"federated\"",
        )),
        _ => None,
    }
}

/// True for the login steps that send the federated user's own password.
fn uses_federated_password(kind: StepKind) -> bool {
    matches!(
        kind,
        StepKind::Login
            | StepKind::LoginNoPasswordType
            | StepKind::LoginNoTimestamp
            | StepKind::LoginMacos
            | StepKind::Login13
            | StepKind::Login2005
            | StepKind::Login2005Soapaction13
    )
}

/// Why `case` cannot run against `t` whatever the IdP answers: the precondition of its own step,
/// or of the step a comparison of it reads. None: it runs.
pub fn case_precondition(t: &Target, case: &crate::suite::CaseDef) -> Option<Skip> {
    precondition(t, case.step).or_else(|| case.other_step().and_then(|o| precondition(t, o)))
}

/// The steps a case sends when it runs against `t` (its own and the one a comparison reads):
/// none when a precondition keeps it from running.
pub fn case_steps(t: &Target, case: &crate::suite::CaseDef) -> Vec<StepKind> {
    if case_precondition(t, case).is_some() {
        return Vec::new();
    }
    std::iter::once(case.step)
        .chain(case.other_step())
        .collect()
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

    /// The HTTP client the steps use.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Sends one of the Platform SSO requests and reads the answer as macOS does: an answer that
    /// ends after macOS's 30 s timeout is one macOS never reads (TLS-4), so it is marked
    /// [`Failure::Late`] and no check reads it (the body stays in the record as evidence).
    async fn send_as_macos(&self, request: Request) -> Exchange {
        let mut ex = self.http.send(request).await;
        let limit = crate::check::transport::MACOS_TIMEOUT_SECONDS;
        if ex.failure.is_none() && ex.elapsed_ms > limit * 1000 {
            ex.failure = Some(Failure::Late {
                elapsed_ms: ex.elapsed_ms,
                client_timeout_seconds: limit,
            });
        }
        ex
    }

    /// The (memoised) output of a step.
    pub async fn get(&self, kind: StepKind) -> Arc<StepOutput> {
        match self.cells.get(&kind) {
            Some(cell) => cell
                .get_or_init(|| async { Arc::new(self.run(kind).await) })
                .await
                .clone(),
            None => Arc::new(StepOutput::needs(format!("unknown step {kind}"))),
        }
    }

    async fn run(&self, kind: StepKind) -> StepOutput {
        let t = &self.target;
        // The flow claimed, the feature declared, the users given: judged once, for the run and
        // for `fedconform check` alike.
        if let Some(skip) = precondition(t, kind) {
            return StepOutput::NotRun { skip };
        }
        match kind.family() {
            crate::suite::Family::Configuration => match &t.login_configuration {
                Some(config) => StepOutput::Configuration(Box::new(ConfigObservation {
                    config: config.clone(),
                })),
                None => StepOutput::not_applicable(NO_LOGIN_CONFIGURATION),
            },
            crate::suite::Family::WsfedMetadata => self.run_wsfed_metadata().await,
            crate::suite::Family::WsfedSignin => self.run_wsfed_signin(kind).await,
            crate::suite::Family::Mex => self.run_mex().await,
            crate::suite::Family::Login => self.run_login(kind).await,
            crate::suite::Family::Preauth => {
                let Some(base) = &t.preauth_url else {
                    return StepOutput::needs(
                        "the login configuration has no federationUserPreauthenticationURL",
                    );
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
                // precondition() has ruled out a missing user.
                let Some(login) = login else {
                    return StepOutput::needs(format!("the target has no user for step {kind}"));
                };
                let url = preauth::request_url(base, &login, custom);
                let exchange = self
                    .send_as_macos(Request::get(url, preauth::request_headers()))
                    .await;
                let analysis = match (&exchange.failure, exchange.status) {
                    (None, Some(_)) => Some(preauth::analyse(
                        &exchange.body,
                        t.predicate.as_ref(),
                        t.mex_keypath.as_ref(),
                    )),
                    _ => None,
                };
                let predicate_skip =
                    t.login_configuration.as_ref().and_then(
                        |cfg| match crate::flow::config::check(cfg, ConfigRule::Predicate) {
                            _ if t.predicate.is_some() => None,
                            RuleOutcome::Refused { detail } => {
                                Some(Skip::blocked(ConfigRule::Predicate.requirement(), detail))
                            }
                            RuleOutcome::NotEvaluated { reason } => Some(Skip::needs(reason)),
                            _ => None,
                        },
                    );
                StepOutput::Preauth(Box::new(PreauthObservation {
                    predicate_skip,
                    login,
                    exchange,
                    analysis,
                }))
            }
        }
    }

    /// The MEX URL as macOS finds it: `federationMEXURL`, or the preauthentication answer's value
    /// at the key path — from macOS's exact request (custom values included), falling back to the
    /// plain one so that a server refusing the custom values fails PRE-8 alone. Err: the step
    /// output the MEX step gets instead (blocked by the requirement that failed).
    async fn mex_url(&self) -> Result<(url::Url, String), StepOutput> {
        let t = &self.target;
        if t.federation_type == FederationType::Wstrust {
            return t
                .mex_url
                .clone()
                .map(|u| (u, "federationMEXURL".to_string()))
                .ok_or_else(|| {
                    StepOutput::needs("the login configuration has no federationMEXURL")
                });
        }
        let mut first_halt = None;
        for kind in [StepKind::PreauthFederatedCustom, StepKind::PreauthFederated] {
            let out = Box::pin(self.get(kind)).await;
            let halt = match &*out {
                StepOutput::Preauth(p) => match preauth_mex_url(p) {
                    Ok(url) => {
                        let keypath = p
                            .analysis
                            .as_ref()
                            .and_then(|a| a.mex_url.as_ref())
                            .map(|m| m.keypath.clone())
                            .unwrap_or_default();
                        return Ok((url, format!("{keypath} of step {kind}")));
                    }
                    Err(halt) => halt,
                },
                // The custom step is not applicable without custom values: the plain one is
                // macOS's request then.
                StepOutput::NotRun {
                    skip: Skip::NotApplicable { .. },
                } => continue,
                other => other.clone(),
            };
            // The plain request's reason is the more fundamental one.
            first_halt = Some(halt);
        }
        Err(first_halt.unwrap_or_else(|| StepOutput::needs("no preauthentication step ran")))
    }

    async fn run_mex(&self) -> StepOutput {
        let (url, source) = match self.mex_url().await {
            Ok(x) => x,
            Err(halt) => return halt,
        };
        let exchange = self
            .send_as_macos(Request::get(url, mex::request_headers()))
            .await;
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

    async fn run_wsfed_metadata(&self) -> StepOutput {
        let Some(w) = &self.target.wsfed else {
            return StepOutput::not_applicable(NO_WSFED);
        };
        let exchange = self
            .http
            .send(Request::get(
                w.metadata_url.clone(),
                crate::flow::macos::request_headers(&[]),
            ))
            .await;
        let analysis = match (&exchange.failure, exchange.status) {
            (None, Some(_)) => Some(wsfed::analyse_metadata(&exchange.body)),
            _ => None,
        };
        StepOutput::WsfedMetadata(Box::new(WsfedMetadataObservation { exchange, analysis }))
    }

    async fn run_wsfed_signin(&self, kind: StepKind) -> StepOutput {
        let t = &self.target;
        let Some(w) = &t.wsfed else {
            return StepOutput::not_applicable(NO_WSFED);
        };
        // A user is needed only when the IdP shows a login form (SPEC.md WSF; issue C8).
        let credentials = t.federated_user.as_ref().and_then(|u| {
            u.password
                .as_ref()
                .map(|p| (u.login.clone(), p.expose().to_string()))
        });
        let mut params = SigninParams {
            wa: Some(wsfed::WSIGNIN.into()),
            wtrealm: Some(w.wtrealm.clone()),
            whr: w.connection.as_ref().map(|c| format!("urn:{c}")),
            wctx: Some(w.wctx.clone()),
            wreply: Some(w.wreply.clone()),
            repeated: Vec::new(),
        };
        // Each variation differs from the valid sign-in in one parameter.
        let mut client_in_path = true;
        match kind {
            StepKind::WsfedSigninNoWctx => params.wctx = None,
            StepKind::WsfedPathForm => params.wtrealm = None,
            StepKind::WsfedRealmForm => {
                client_in_path = false;
                params.wtrealm = Some(format!("urn:{}", w.client_id));
            }
            StepKind::WsfedReplyOtherHost => {
                params.wreply = Some(wsfed::FOREIGN_WREPLY.into());
            }
            StepKind::WsfedReplyJavascript => {
                params.wreply = Some(wsfed::JAVASCRIPT_WREPLY.into());
            }
            StepKind::WsfedReplySuffix => {
                params.wreply = Some(format!("{}{}", w.wreply, wsfed::WREPLY_SUFFIX));
            }
            StepKind::WsfedUnknownRealm => {
                params.wtrealm = Some(format!("urn:fedconform-unknown-{}", uuid::Uuid::new_v4()));
            }
            StepKind::WsfedNoWa => params.wa = None,
            StepKind::WsfedUnknownWa => params.wa = Some(wsfed::UNKNOWN_WA.into()),
            StepKind::WsfedUnknownConnection => {
                params.whr = Some(format!("urn:fedconform-unknown-{}", uuid::Uuid::new_v4()));
            }
            // Malformed requests (WSF-16): a parameter twice, or a wctx longer than any server
            // keeps.
            StepKind::WsfedRepeatedWtrealm => params.repeated.push((
                "wtrealm".into(),
                format!("urn:fedconform-unknown-{}", uuid::Uuid::new_v4()),
            )),
            StepKind::WsfedRepeatedWa => {
                params.repeated.push(("wa".into(), wsfed::WSIGNOUT.into()))
            }
            StepKind::WsfedLongWctx => {
                params.wctx = Some("x".repeat(wsfed::LONG_WCTX_BYTES));
            }
            _ => {}
        }
        let url = match wsfed::signin_url(
            &w.base_url,
            client_in_path.then_some(w.client_id.as_str()),
            &params,
        ) {
            Ok(u) => u,
            Err(reason) => return StepOutput::needs(reason),
        };
        let certs = match &*Box::pin(self.get(StepKind::WsfedMetadata)).await {
            StepOutput::WsfedMetadata(m) => m
                .analysis
                .as_ref()
                .map(MetadataAnalysis::certificate_ders)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let mut obs = WsfedObservation {
            // A client configured with a fixed audience gets it whatever wtrealm says.
            expected_audience: w.audience.clone().unwrap_or_else(|| {
                params
                    .wtrealm
                    .clone()
                    .unwrap_or_else(|| format!("urn:{}", w.client_id))
            }),
            metadata_certificates: certs.len(),
            params,
            client_in_path,
            exchanges: Vec::new(),
            logged_in: false,
            needs_user: false,
            off_origin_redirect: None,
            stopped: None,
            answer: None,
            sent_at: chrono::Utc::now(),
            refused_credentials: None,
        };
        let origin = url.origin();
        let html = wsfed::browser_headers();
        let mut request = Request {
            redirects: Redirects::Manual,
            ..Request::get(url, html.clone())
        };
        // The IdP's session cookies, kept for this sign-in only (every request of it stays on the
        // IdP's origin).
        let mut jar = cookie::CookieJar::new();
        for _ in 0..=crate::http::MAX_REDIRECTS {
            let cookies = jar
                .iter()
                .map(|c| format!("{}={}", c.name(), c.value()))
                .collect::<Vec<_>>()
                .join("; ");
            if !cookies.is_empty() {
                request
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case("cookie"));
                request.headers.push(("Cookie".into(), cookies));
            }
            let ex = self.http.send(request.clone()).await;
            for (_, v) in ex
                .response_headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            {
                if let Ok(c) = cookie::Cookie::parse(v.clone()) {
                    let gone = c.max_age().is_some_and(|a| a.is_zero()) || c.value().is_empty();
                    if gone {
                        jar.force_remove(c.name());
                    } else {
                        jar.add_original(c.into_owned());
                    }
                }
            }
            let here = url::Url::parse(&ex.final_url).ok();
            if let Some(Failure::RedirectRefused { location }) = ex.failure.clone() {
                let next = here.as_ref().and_then(|h| h.join(&location).ok());
                obs.exchanges.push(ex);
                match next {
                    Some(n) if n.origin() == origin => {
                        request = Request {
                            redirects: Redirects::Manual,
                            ..Request::get(n, html.clone())
                        };
                        continue;
                    }
                    Some(n) => obs.off_origin_redirect = Some(n.to_string()),
                    None => obs.stopped = Some(format!("unusable Location {}", quoted(&location))),
                }
                break;
            }
            let answered = ex.failure.is_none() && ex.status.is_some();
            let login_form = if answered && !obs.logged_in {
                wsfed::forms(&String::from_utf8_lossy(&ex.body))
                    .into_iter()
                    .find(wsfed::Form::asks_password)
            } else {
                None
            };
            let Some(form) = login_form else {
                if answered {
                    obs.answer = Some(wsfed::analyse_answer(&ex.body, &certs));
                }
                obs.exchanges.push(ex);
                break;
            };
            let action = here
                .as_ref()
                .and_then(|h| h.join(form.action.as_deref().unwrap_or("")).ok());
            obs.exchanges.push(ex);
            let Some((login, password)) = &credentials else {
                obs.needs_user = true;
                obs.stopped = Some(
                    "the IdP shows a login form and the target has no federated user with a password"
                        .into(),
                );
                break;
            };
            let Some(action) = action.filter(|a| a.origin() == origin) else {
                obs.stopped = Some(format!(
                    "the login form posts to {}, off the IdP's origin: the password was not sent",
                    form.action.as_deref().unwrap_or("(no action)")
                ));
                break;
            };
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form.login_fields(login, password))
                .finish();
            obs.logged_in = true;
            request = Request {
                method: if form.method == "GET" {
                    crate::http::Method::GET
                } else {
                    crate::http::Method::POST
                },
                url: action,
                headers: wsfed::browser_form_headers(),
                body: Some(body.into_bytes()),
                redirects: Redirects::Manual,
            };
        }
        if obs.logged_in && !obs.token_delivered() {
            obs.refused_credentials = self.refused_signin(kind, &obs).await;
        }
        StepOutput::Wsfed(Box::new(obs))
    }

    /// Why a sign-in that sent the federated user's password and got no token may be the
    /// target's wrong password: the IdP's last answer refuses credentials (HTTP 401 or 403, or
    /// its login form again), and the valid sign-in (this one, or the one already made) was
    /// refused so too.
    async fn refused_signin(&self, kind: StepKind, obs: &WsfedObservation) -> Option<String> {
        let last = obs.last()?;
        let form_again = wsfed::forms(&String::from_utf8_lossy(&last.body))
            .iter()
            .any(wsfed::Form::asks_password);
        let status = last.status?;
        if !(status == 401 || status == 403 || form_again) {
            return None;
        }
        if kind != StepKind::WsfedSignin {
            let valid = Box::pin(self.get(StepKind::WsfedSignin)).await;
            match &*valid {
                StepOutput::Wsfed(v) if v.refused_credentials.is_some() => {}
                _ => return None,
            }
        }
        let login = self
            .target
            .federated_user
            .as_ref()
            .map(|u| quoted(&u.login))
            .unwrap_or_default();
        Some(format!(
            "the IdP refused the federated user {login}'s credentials after its login form ({}) and no sign-in with them succeeded: check the password the target gives for this user; if it is right, the IdP refuses valid credentials",
            if form_again {
                format!("HTTP {status}, the login form again")
            } else {
                format!("HTTP {status}")
            }
        ))
    }

    /// macOS's exact request carries its three quirks at once (WST-16); when one of them alone
    /// already changes the outcome of a valid login (WST-10, WST-11, WST-12 fail), that is the
    /// root cause, and the combination is not judged again: the step is blocked by it.
    async fn quirk_blocker(&self, version: WsTrustVersion) -> Option<StepOutput> {
        let mut quirks = vec![
            (StepKind::LoginNoPasswordType, StepKind::Login, "WST-10"),
            (StepKind::LoginNoTimestamp, StepKind::Login, "WST-11"),
        ];
        // The 1.3 SOAPAction header is a quirk only on a 2005 request.
        if version == WsTrustVersion::V2005 {
            quirks.push((
                StepKind::Login2005Soapaction13,
                StepKind::Login2005,
                "WST-12",
            ));
        }
        for (quirk, baseline, requirement) in quirks {
            let (q, b) = (
                Box::pin(self.get(quirk)).await,
                Box::pin(self.get(baseline)).await,
            );
            if let (StepOutput::Login(q), StepOutput::Login(b)) = (&*q, &*b) {
                let (mine, theirs) = (
                    crate::check::wstrust::login_outcome(q),
                    crate::check::wstrust::login_outcome(b),
                );
                if mine != theirs {
                    return Some(StepOutput::blocked(
                        requirement,
                        format!(
                            "step {quirk}, one of macOS's quirks alone, already gets another outcome than step {baseline}: {mine}, not {theirs}"
                        ),
                    ));
                }
            }
        }
        None
    }

    /// WST-12 asks how the 2005 endpoint dispatches macOS's 2005 requests. When macOS selects
    /// the 1.3 endpoint, whose login succeeds, it sends the 2005 one nothing; if that endpoint
    /// then issues no token even for a standard 2005 login (WST-14 judges that), the question
    /// does not arise: not applicable, rather than blocked, so a SHOULD failure alone never makes
    /// a run incomplete.
    async fn unused_broken_2005(&self, mex: &StepOutput) -> Option<StepOutput> {
        let selected = mex_endpoint(mex, None).ok()?;
        if selected.version != WsTrustVersion::V13 {
            return None;
        }
        // Only when the 2005 endpoint alone is broken: when no login succeeds at all (a wrong
        // password in the target), the comparison stays blocked.
        let selected_login = Box::pin(self.get(StepKind::Login)).await;
        if !matches!(&*selected_login, StepOutput::Login(l) if crate::check::wstrust::issued_token(l))
        {
            return None;
        }
        let b = Box::pin(self.get(StepKind::Login2005)).await;
        match &*b {
            StepOutput::Login(b) if !crate::check::wstrust::issued_token(b) => {
                Some(StepOutput::not_applicable(format!(
                    "macOS selects the WS-Trust 1.3 endpoint and sends the 2005 one nothing, and the 2005 endpoint issues no token even for a standard 2005 login (WST-14): {}",
                    crate::check::wstrust::login_outcome(b)
                )))
            }
            _ => None,
        }
    }

    /// Why a federated-password login's credential fault may be the target's wrong password,
    /// not the IdP's failure: the selected login (this one, or the one already made) was
    /// refused with a credential fault too, so no login has proved the password.
    async fn refused_credentials(
        &self,
        kind: StepKind,
        login: &str,
        a: &RstrAnalysis,
    ) -> Option<String> {
        let fault = a.fault.as_ref().filter(|f| f.is_failed_authentication())?;
        if kind != StepKind::Login {
            let selected = Box::pin(self.get(StepKind::Login)).await;
            match &*selected {
                StepOutput::Login(l) if l.refused_credentials.is_some() => {}
                _ => return None,
            }
        }
        Some(format!(
            "the IdP refused the federated user {}'s credentials (fault {}) and no login with them succeeded: check the password the target gives for this user; if it is right, the IdP refuses valid credentials",
            quoted(login),
            quoted(&fault.code_text())
        ))
    }

    async fn run_login(&self, kind: StepKind) -> StepOutput {
        let t = &self.target;
        let mex = Box::pin(self.get(StepKind::Mex)).await;
        let wanted = match kind {
            StepKind::Login13 => Some(WsTrustVersion::V13),
            StepKind::Login2005 | StepKind::Login2005Soapaction13 => Some(WsTrustVersion::V2005),
            _ => None,
        };
        let endpoint = match mex_endpoint(&mex, wanted) {
            Ok(e) => e,
            Err(halt) => return halt,
        };
        if kind == StepKind::LoginMacos
            && let Some(blocked) = self.quirk_blocker(endpoint.version).await
        {
            return blocked;
        }
        if kind == StepKind::Login2005Soapaction13
            && let Some(skip) = self.unused_broken_2005(&mex).await
        {
            return skip;
        }
        let address = endpoint
            .address
            .clone()
            .unwrap_or_default()
            .trim()
            .to_string();
        let url = match url::Url::parse(&address) {
            Ok(u) => u,
            Err(e) => {
                return StepOutput::blocked(
                    "MEX-8",
                    format!(
                        "the endpoint address {} does not parse: {e}",
                        quoted(&address)
                    ),
                );
            }
        };
        let federated = t.federated_user.as_ref().and_then(|u| {
            u.password
                .as_ref()
                .map(|p| (u.login.clone(), p.expose().to_string()))
        });
        // precondition() has ruled out a missing user and a probe past the lockout cap.
        let missing = || StepOutput::needs(format!("the target has no user for step {kind}"));
        let (login, password) = match kind {
            StepKind::LoginSpecial => match t.special_user.as_ref().and_then(|u| {
                u.password
                    .as_ref()
                    .map(|p| (u.login.clone(), p.expose().to_string()))
            }) {
                Some(c) => c,
                None => return missing(),
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
            StepKind::LoginWrongPassword => match t.wrong_password_account() {
                Ok(u) => (
                    u.login.clone(),
                    format!("fedconform-wrong-{}", uuid::Uuid::new_v4()),
                ),
                Err(_) => return missing(),
            },
            _ => match federated {
                Some(c) => c,
                None => return missing(),
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
            StepKind::LoginMacos => Variation::MACOS,
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
            method: crate::http::Method::POST,
            url,
            headers,
            body: Some(body.into_bytes()),
            redirects: Redirects::Refuse,
        };
        let exchange = self.send_as_macos(request).await;
        let analysis = match (&exchange.failure, exchange.status) {
            (None, Some(_)) => Some(wstrust::analyse(&exchange.body)),
            _ => None,
        };
        let refused_credentials = match &analysis {
            Some(a) if uses_federated_password(kind) => {
                self.refused_credentials(kind, &login, a).await
            }
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
            refused_credentials,
        }))
    }
}
