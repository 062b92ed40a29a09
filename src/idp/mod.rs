//! The embedded reference IdP (DESIGN.md): a real HTTPS server on loopback (axum + rustls, a
//! fresh rcgen CA per start), conformant by default; `defects` names each deliberate violation.

pub mod defects;
mod mex_doc;
pub mod pki;
mod preauth;
pub mod signing;
mod sts;
pub mod wsfed;

pub use defects::Defect;

use crate::flow::keypath::KeyPath;
use crate::suite::{FederationType, Limits, LoginConfig, NameValue, Secret, Target, User};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The domain whose users are federated.
pub const FEDERATED_DOMAIN: &str = "contoso.example";
/// The domain whose users are managed (not federated).
pub const MANAGED_DOMAIN: &str = "fabrikam.example";
/// The federated test user.
pub const FEDERATED_LOGIN: &str = "alice@contoso.example";
/// The managed test user.
pub const MANAGED_LOGIN: &str = "bob@fabrikam.example";
/// The federated test user with XML-special and non-ASCII characters (WST-13).
/// The account that receives the wrong-password probe (role `lockout-probe`): known to the STS,
/// its password never disclosed.
pub const LOCKOUT_PROBE_LOGIN: &str = "lockout-probe@contoso.example";
/// The special user's login.
pub const SPECIAL_LOGIN: &str = "o'brien&<jürgen>\"@contoso.example";
/// `federationRequestURN` / AppliesTo.
pub const REQUEST_URN: &str = "urn:federation:MicrosoftOnline";
/// The predicate the reference target configures.
pub const PREDICATE: &str = r#"account_type ==[c] "federated""#;
/// The predicate of the `cfg-predicate-raises` defect: true for the federated answer, but against
/// the empty dictionary macOS evaluates it with, `SELF` (a dictionary) reaches BEGINSWITH, and
/// NSPredicate raises.
pub const RAISING_PREDICATE: &str =
    r#"account_type ==[c] "federated" OR SELF BEGINSWITH[c] "federated""#;
/// The custom preauthentication value the reference target sends (Microsoft's own parameter).
pub const CUSTOM_VALUE: (&str, &str) = ("checkForMicrosoftAccount", "false");

/// Shared state of the handlers.
pub struct State {
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// `http://127.0.0.1:PORT` (never listened on; used by defects and the skip-me endpoints).
    pub http_base: String,
    /// The active defect.
    pub defect: Option<Defect>,
    /// The federated user's password.
    pub password: Secret,
    /// Every user the STS authenticates: (login, password).
    pub users: Vec<(String, Secret)>,
    /// The token-signing key and certificate.
    pub signer: signing::Signer,
    /// The token it issues.
    pub token: TokenKind,
    /// WS-Federation sign-ins in progress and the RSA signing keys.
    pub wsfed: wsfed::WsFed,
    /// The WS-Fed user is already signed in: sign-ins answer with the token, no login form.
    pub wsfed_signed_in: bool,
    /// Where every STS authentication attempt is logged (JSON lines), if anywhere.
    pub auth_log: Option<std::path::PathBuf>,
}

/// How to start the IdP.
#[derive(Debug, Clone)]
pub struct IdpConfig {
    /// Address to listen on (loopback by default).
    pub ip: IpAddr,
    /// Port (0: ephemeral).
    pub port: u16,
    /// The deliberate violation, if any.
    pub defect: Option<Defect>,
    /// The token the STS issues.
    pub token: TokenKind,
    /// The WS-Fed user is already signed in (a session, an integrated connection): sign-ins
    /// answer with the token at once, without a login form.
    pub wsfed_signed_in: bool,
    /// Log every STS authentication attempt to this file (JSON lines: login, result), as an
    /// IdP's audit log would.
    pub auth_log: Option<std::path::PathBuf>,
}

/// The assertion the reference STS issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TokenKind {
    /// SAML 1.1 (`urn:oasis:names:tc:SAML:1.0:assertion`), as AD FS issues by default.
    #[default]
    Saml11,
    /// SAML 2.0 (`urn:oasis:names:tc:SAML:2.0:assertion`).
    Saml2,
}

impl Default for IdpConfig {
    fn default() -> Self {
        IdpConfig {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            defect: None,
            token: TokenKind::Saml11,
            wsfed_signed_in: false,
            auth_log: None,
        }
    }
}

/// A running reference IdP; dropping it stops the server.
pub struct RunningIdp {
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// Its CA, PEM.
    pub ca_pem: String,
    /// The federated user's password (random per start).
    pub password: Secret,
    /// The special user's password (random per start).
    pub special_password: Secret,
    /// The token-signing certificate, PEM.
    pub signing_cert_pem: String,
    /// The active defect.
    pub defect: Option<Defect>,
    /// Its options without its address: the embedded target's identity (`report merge`).
    pub identity: String,
    handle: axum_server::Handle<SocketAddr>,
}

impl Drop for RunningIdp {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

async fn mex(axum::extract::State(st): axum::extract::State<Arc<State>>) -> Response {
    if defects::has(st.defect, "mex-redirect-to-http") {
        let to = format!("{}/adfs/services/trust/mex", st.http_base);
        return (StatusCode::FOUND, [(header::LOCATION, to)]).into_response();
    }
    let status = if defects::has(st.defect, "mex-status-500") {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let doc = mex_doc::document(&st.base, &st.http_base, st.defect);
    (
        status,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        doc,
    )
        .into_response()
}

/// The server certificate and TLS offer of the reference IdP: conformant, or the one a TLS defect
/// asks for.
fn pki_for(defect: Option<Defect>) -> (pki::ServerCert, pki::ServerTls) {
    use pki::{ServerCert as C, ServerTls as T};
    match defect.map(|d| d.name) {
        Some("tls-wrong-host") => (C::WrongHost, T::Modern),
        Some("tls-1-1-only") => (C::Valid, T::Tls11Only),
        Some("tls-no-forward-secrecy") => (C::Rsa2048, T::NoForwardSecrecy),
        Some("tls-rsa-1024") => (C::Rsa1024, T::Modern),
        Some("tls-no-san") => (C::NoSan, T::Modern),
        Some("tls-no-server-auth") => (C::NoServerAuth, T::Modern),
        Some("tls-ca-as-leaf") => (C::CaAsLeaf, T::Modern),
        Some("tls-730-day-leaf") => (C::LongValidity, T::Modern),
        Some("tls-no-sct") => (C::NoSct, T::Modern),
        _ => (C::Valid, T::Modern),
    }
}

fn random_password() -> String {
    // Characters that need escaping in XML and URLs, so that leaks in any encoding are caught.
    format!("Pw<&>'\"{}+é", uuid::Uuid::new_v4().simple())
}

impl RunningIdp {
    /// Starts the IdP on the current tokio runtime.
    pub async fn start(cfg: IdpConfig) -> Result<RunningIdp, String> {
        let std_listener = std::net::TcpListener::bind(SocketAddr::new(cfg.ip, cfg.port))
            .map_err(|e| format!("cannot listen on {}:{}: {e}", cfg.ip, cfg.port))?;
        std_listener
            .set_nonblocking(true)
            .map_err(|e| e.to_string())?;
        let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
        let host = match addr.ip() {
            IpAddr::V6(v6) => format!("[{v6}]"),
            v4 => v4.to_string(),
        };
        let base = format!("https://{host}:{}", addr.port());
        let http_base = format!("http://{host}:{}", addr.port());
        let (cert, offer) = pki_for(cfg.defect);
        let pki = pki::generate_with(addr.ip(), cert)?;
        let tls = pki.acceptor(&[b"h2", b"http/1.1"], offer)?;
        let password = Secret::new(random_password());
        let special_password =
            Secret::new(format!("Pässwörd<&>'\"{}", uuid::Uuid::new_v4().simple()));
        let users = vec![
            (FEDERATED_LOGIN.to_string(), password.clone()),
            (SPECIAL_LOGIN.to_string(), special_password.clone()),
            (
                LOCKOUT_PROBE_LOGIN.to_string(),
                Secret::new(random_password()),
            ),
        ];
        let signer = signing::Signer::generate(&base)?;
        let signing_cert_pem = signer.cert_pem.clone();
        let state = Arc::new(State {
            base: base.clone(),
            http_base,
            defect: cfg.defect,
            password: password.clone(),
            users,
            signer,
            token: cfg.token,
            wsfed: wsfed::WsFed::new(),
            wsfed_signed_in: cfg.wsfed_signed_in,
            auth_log: cfg.auth_log.clone(),
        });
        wsfed::warm_up();
        let app = Router::new()
            .route("/common/userrealm", get(preauth::userrealm))
            .route("/adfs/services/trust/mex", get(mex))
            .route(
                "/adfs/services/trust/13/usernamemixed",
                axum::routing::post(
                    |axum::extract::State(st): axum::extract::State<Arc<State>>,
                     h: axum::http::HeaderMap,
                     b: axum::body::Bytes| {
                        sts::issue(st, crate::flow::WsTrustVersion::V13, h, b)
                    },
                ),
            )
            .route(
                "/adfs/services/trust/2005/usernamemixed",
                axum::routing::post(
                    |axum::extract::State(st): axum::extract::State<Arc<State>>,
                     h: axum::http::HeaderMap,
                     b: axum::body::Bytes| {
                        sts::issue(st, crate::flow::WsTrustVersion::V2005, h, b)
                    },
                ),
            )
            .route("/wsfed", get(wsfed::signin_realm))
            .route("/wsfed/login", axum::routing::post(wsfed::login))
            .route("/wsfed/{client_id}", get(wsfed::signin_client))
            .route(
                "/wsfed/FederationMetadata/2007-06/FederationMetadata.xml",
                get(wsfed::metadata_tenant),
            )
            .route(
                "/wsfed/{client_id}/FederationMetadata/2007-06/FederationMetadata.xml",
                get(wsfed::metadata_client),
            )
            .with_state(state);
        let handle = axum_server::Handle::new();
        // TCP_NODELAY: answers go out at once instead of waiting on the client's delayed ACK.
        let acceptor = axum_server::tls_openssl::OpenSSLAcceptor::new(
            axum_server::tls_openssl::OpenSSLConfig::from_acceptor(Arc::new(tls)),
        )
        .acceptor(axum_server::accept::NoDelayAcceptor::new());
        let server = axum_server::from_tcp(std_listener)
            .map_err(|e| e.to_string())?
            .acceptor(acceptor)
            .handle(handle.clone());
        tokio::spawn(async move {
            let _ = server.serve(app.into_make_service()).await;
        });
        Ok(RunningIdp {
            identity: format!(
                "embedded reference IdP; defect {}; token {:?}; signed in {}",
                cfg.defect.map_or("none", |d| d.name),
                cfg.token,
                cfg.wsfed_signed_in
            ),
            base,
            ca_pem: pki.ca_pem,
            password,
            special_password,
            signing_cert_pem,
            defect: cfg.defect,
            handle,
        })
    }

    /// The login configuration the reference target writes; a CFG defect changes it.
    pub fn login_configuration(&self) -> LoginConfig {
        let defect = |name| defects::has(self.defect, name);
        let preauth_url = if defect("cfg-http-preauth-url") {
            self.preauth_url().replacen("https://", "http://", 1)
        } else {
            self.preauth_url()
        };
        if defect("cfg-wstrust-no-mex-url") {
            return LoginConfig {
                federation_type: FederationType::Wstrust,
                request_urn: Some(REQUEST_URN.to_string()),
                preauth_url: None,
                predicate: None,
                mex_keypath: None,
                mex_url: None,
            };
        }
        LoginConfig {
            federation_type: FederationType::DynamicWstrust,
            request_urn: (!defect("cfg-no-request-urn")).then(|| REQUEST_URN.to_string()),
            preauth_url: (!defect("cfg-no-preauth-url")).then_some(preauth_url),
            predicate: Some(
                if defect("cfg-predicate-raises") {
                    RAISING_PREDICATE
                } else {
                    PREDICATE
                }
                .to_string(),
            ),
            mex_keypath: (!defect("cfg-no-mex-keypath"))
                .then(|| "federation_metadata_url".to_string()),
            mex_url: None,
        }
    }

    /// The target that points at this IdP (the reference target).
    pub fn target(&self) -> Target {
        let lc = self.login_configuration();
        // One name whatever the defect: a defect is a changed reference, so its answers are
        // compared with the reference goldens (and differ where the defect shows).
        let name = "reference".to_string();
        let login = FEDERATED_LOGIN.to_string();
        Target {
            name,
            description: Some(match self.defect {
                None => format!("fedconform reference IdP at {}", self.base),
                Some(d) => format!(
                    "fedconform reference IdP at {} with defect {}",
                    self.base, d.name
                ),
            }),
            file: None,
            identity: self.identity.clone(),
            platform_sso: true,
            federation_type: lc.federation_type,
            preauth_url: lc.preauth_url(),
            predicate: lc.parsed_predicate(),
            mex_keypath: lc
                .mex_keypath
                .as_deref()
                .and_then(|k| KeyPath::parse(k).ok()),
            mex_url: lc.mex_url(),
            request_urn: lc.request_urn.clone().unwrap_or_default(),
            login_configuration: Some(lc),
            custom_values: vec![NameValue {
                name: CUSTOM_VALUE.0.into(),
                value: CUSTOM_VALUE.1.into(),
            }],
            reserved_login: Some(crate::suite::default_reserved_login(&login)),
            federated_user: Some(User {
                login,
                password: Some(self.password.clone()),
            }),
            managed_user: Some(User {
                login: MANAGED_LOGIN.to_string(),
                password: None,
            }),
            special_user: Some(User {
                login: SPECIAL_LOGIN.to_string(),
                password: Some(self.special_password.clone()),
            }),
            lockout_probe_user: Some(User {
                login: LOCKOUT_PROBE_LOGIN.to_string(),
                password: None,
            }),
            lockout: crate::suite::Lockout::default(),
            // The reference CA stands in for a public root (TLS-3); with the defect it is a
            // private CA, as a Mac would see an IdP whose chain needs an MDM-installed root.
            extra_ca_pem: if self.private_ca() {
                vec![self.ca_pem.clone().into_bytes()]
            } else {
                Vec::new()
            },
            reference_roots_pem: if self.private_ca() {
                Vec::new()
            } else {
                vec![self.ca_pem.clone().into_bytes()]
            },
            limits: self.limits(),
            wsfed: url::Url::parse(&self.base).ok().and_then(|base_url| {
                Some(crate::suite::WsFedTarget {
                    metadata_url: url::Url::parse(&self.wsfed_metadata_url()).ok()?,
                    base_url,
                    client_id: wsfed::CLIENT_ID.into(),
                    wtrealm: wsfed::CLIENT_ALIAS.into(),
                    wreply: wsfed::CALLBACKS[0].into(),
                    connection: Some(wsfed::CONNECTION.into()),
                    wctx: crate::suite::DEFAULT_WCTX.into(),
                    audience: None,
                })
            }),
        }
    }

    /// The limits a target for this IdP uses: the defaults, with time to see a slow answer
    /// arrive when a defect makes one (TLS-4 judges the 30 s; the run waits longer).
    fn limits(&self) -> Limits {
        if defects::has(self.defect, "sts-slow-failure") {
            Limits {
                timeout_seconds: sts::SLOW_FAILURE_SECONDS + 15,
                ..Limits::default()
            }
        } else {
            Limits::default()
        }
    }

    /// True when the IdP's CA is to be seen as a private CA (the `tls-private-ca` defect).
    fn private_ca(&self) -> bool {
        defects::has(self.defect, "tls-private-ca")
    }

    /// The WS-Fed metadata URL of the registered client.
    pub fn wsfed_metadata_url(&self) -> String {
        format!(
            "{}/wsfed/{}/FederationMetadata/2007-06/FederationMetadata.xml",
            self.base,
            wsfed::CLIENT_ID
        )
    }

    /// `federationUserPreauthenticationURL`.
    pub fn preauth_url(&self) -> String {
        format!("{}/common/userrealm?api-version=1.0", self.base)
    }

    /// A target file for this IdP, with the CA and the password in files beside it
    /// (`ca_file` and `password_file`, named relative to the target file).
    pub fn target_toml(
        &self,
        ca_file: &str,
        password_file: &str,
        special_password_file: &str,
    ) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let t = self.target();
        let lc = self.login_configuration();
        let mut login = format!(
            "federationType = {}\n",
            q(match lc.federation_type {
                FederationType::Wstrust => "wstrust",
                FederationType::DynamicWstrust => "dynamic-wstrust",
            })
        );
        for (key, value) in [
            ("federationUserPreauthenticationURL", &lc.preauth_url),
            ("federationPredicate", &lc.predicate),
            ("federationMEXURLKeypath", &lc.mex_keypath),
            ("federationMEXURL", &lc.mex_url),
            ("federationRequestURN", &lc.request_urn),
        ] {
            if let Some(v) = value {
                login.push_str(&format!("{key} = {}\n", q(v)));
            }
        }
        if lc.federation_type == FederationType::DynamicWstrust {
            login.push_str(&format!(
                "customFederationUserPreauthenticationRequestValues = [{{ name = {}, value = {} }}]\n",
                q(CUSTOM_VALUE.0),
                q(CUSTOM_VALUE.1)
            ));
        }
        format!(
            "# Written by `fedconform serve`: the reference IdP at {base}.\n[target]\nname = {name}\ndescription = {desc}\n\n[login_configuration]\n{login}\n[[user]]\nrole = \"federated\"\nlogin = {fl}\npassword_file = {pf}\n\n[[user]]\nrole = \"managed\"\nlogin = {ml}\n\n[[user]]\nrole = \"special\"\nlogin = {sl}\npassword_file = {spf}\n\n[[user]]\nrole = \"lockout-probe\"\nlogin = {lp}\n\n[tls]\n{ca_key} = [{ca}]\n\n[limits]\ntimeout_seconds = {timeout}\n\n[wsfed]\nbase_url = {wb}\nclient_id = {wc}\nwtrealm = {wr}\nwreply = {wy}\nconnection = {wn}\n",
            base = self.base,
            name = q(&t.name),
            desc = q(t.description.as_deref().unwrap_or("")),
            fl = q(FEDERATED_LOGIN),
            pf = q(password_file),
            ml = q(MANAGED_LOGIN),
            sl = q(SPECIAL_LOGIN),
            spf = q(special_password_file),
            lp = q(LOCKOUT_PROBE_LOGIN),
            ca = q(ca_file),
            timeout = self.limits().timeout_seconds,
            ca_key = if self.private_ca() {
                "extra_ca_files"
            } else {
                "reference_roots"
            },
            wb = q(&self.base),
            wc = q(wsfed::CLIENT_ID),
            wr = q(wsfed::CLIENT_ALIAS),
            wy = q(wsfed::CALLBACKS[0]),
            wn = q(wsfed::CONNECTION),
        )
    }
}
