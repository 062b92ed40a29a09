//! The reference IdP's WS-Federation passive sign-in and metadata, in Auth0's layout (SPEC.md
//! WSF): `GET /wsfed/{client_id}` (or `/wsfed?wtrealm=urn:{client_id}`) validates the request and
//! shows a login page; `POST /wsfed/login` checks the password and answers the auto-post form that
//! carries `wa`, `wresult` (a WS-Trust 2005 RSTR holding a signed SAML 1.1 assertion) and `wctx`
//! to the registered `wreply`. Metadata is signed with the same RSA key as the tokens.

use super::State;
use super::defects::has;
use super::signing::{Placement, Signer, Validity};
use super::sts::{AssertionSpec, saml11_assertion};
use crate::redact::xml_escape;
use axum::extract::{Path, RawQuery};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The registered client's ID.
pub const CLIENT_ID: &str = "fedconform-rp";
/// The client's alias, accepted as `wtrealm` (and then the audience).
pub const CLIENT_ALIAS: &str = "https://rp.contoso.example/";
/// The client's registered callbacks; the first is the default `wreply`.
pub const CALLBACKS: [&str; 2] = [
    "https://rp.contoso.example/wsfed/callback",
    "https://rp.contoso.example/login/callback",
];
/// The connection the reference target selects with `whr`.
pub const CONNECTION: &str = "contoso-ad";
/// The connection used when no `whr` is sent.
pub const DEFAULT_CONNECTION: &str = "Username-Password-Authentication";
/// The WS-Federation namespace (`fed`).
pub const FED: &str = "http://docs.oasis-open.org/wsfed/federation/200706";
/// SAML 2.0 metadata (`md`).
pub const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// The token type issued.
pub const TOKEN_TYPE: &str = "urn:oasis:names:tc:SAML:1.0:assertion";
/// The claim that names the connection a token came through, as Auth0 writes it (WSF-12).
pub const CONNECTION_CLAIM: &str = "http://schemas.auth0.com/identities/default/connection";
/// The longest `wctx` accepted, in bytes (WSF-16: longer is refused with 400).
pub const MAX_WCTX_BYTES: usize = 4096;
/// The login page's session cookie.
pub const SESSION_COOKIE: &str = "fc_wsfed_session";
/// Most sign-ins waiting for a password at once.
const PENDING_LIMIT: usize = 10_000;

/// A sign-in waiting for the user's password.
#[derive(Debug, Clone)]
struct Pending {
    /// The session cookie the login page set; the login POST must carry it back.
    session: String,
    audience: String,
    wreply: String,
    wctx: Option<String>,
    /// The connection the user signs in through (whr's, else the default one).
    connection: String,
}

/// WS-Fed state of one IdP.
pub struct WsFed {
    pending: Mutex<HashMap<String, Pending>>,
    signer: tokio::sync::OnceCell<Result<Arc<Signer>, String>>,
    other_signer: tokio::sync::OnceCell<Result<Arc<Signer>, String>>,
}

impl WsFed {
    /// Empty state.
    pub fn new() -> Self {
        WsFed {
            pending: Mutex::new(HashMap::new()),
            signer: tokio::sync::OnceCell::new(),
            other_signer: tokio::sync::OnceCell::new(),
        }
    }
}

impl Default for WsFed {
    fn default() -> Self {
        WsFed::new()
    }
}

/// The RSA signing key (PKCS#8 DER), one per process: 2048-bit generation costs a noticeable
/// fraction of a second.
static RSA_KEY: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
/// Another RSA key, made only for the wrong-key defect.
static OTHER_RSA_KEY: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();

fn rsa_key(other: bool) -> Result<Vec<u8>, String> {
    let cell = if other { &OTHER_RSA_KEY } else { &RSA_KEY };
    cell.get_or_init(super::signing::rsa_pkcs8).clone()
}

/// Starts generating the RSA key off the request path (called when the IdP starts).
pub fn warm_up() {
    if RSA_KEY.get().is_none() {
        std::thread::spawn(|| {
            let _ = rsa_key(false);
        });
    }
}

async fn signer(st: &State, other: bool) -> Result<Arc<Signer>, String> {
    let cell = if other {
        &st.wsfed.other_signer
    } else {
        &st.wsfed.signer
    };
    let validity = if has(st.defect, "wsfed-expired-signing-cert") && !other {
        Validity::Expired
    } else {
        Validity::Current
    };
    let sha1 = has(st.defect, "wsfed-sha1-signature");
    let base = st.base.clone();
    cell.get_or_init(|| async move {
        let key = tokio::task::spawn_blocking(move || rsa_key(other))
            .await
            .map_err(|e| e.to_string())??;
        Signer::rsa(&key, &base, validity, sha1).map(Arc::new)
    })
    .await
    .clone()
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn refuse(why: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        format!(
            "<!DOCTYPE html><html><head><title>Bad request</title></head><body><h1>Bad request</h1><p>{}</p></body></html>",
            xml_escape(why)
        ),
    )
}

/// The metadata's entity ID and the tokens' issuer (Auth0 writes `urn:{tenant}`).
pub const ENTITY_ID: &str = "urn:fedconform-reference.contoso.example";

/// The sign-in endpoint of a client.
pub fn passive_endpoint(base: &str, client_id: &str) -> String {
    format!("{base}/wsfed/{client_id}")
}

/// `GET /wsfed/{client_id}/FederationMetadata/2007-06/FederationMetadata.xml` (and without the
/// client ID).
pub async fn metadata_client(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
    Path(client_id): Path<String>,
) -> Response {
    metadata(st, client_id).await
}

/// `GET /wsfed/FederationMetadata/2007-06/FederationMetadata.xml`.
pub async fn metadata_tenant(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
) -> Response {
    metadata(st, CLIENT_ID.to_string()).await
}

async fn metadata(st: Arc<State>, client_id: String) -> Response {
    if client_id != CLIENT_ID {
        return (StatusCode::NOT_FOUND, "unknown client").into_response();
    }
    let signer = match signer(&st, false).await {
        Ok(s) => s,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    };
    let d = st.defect;
    let endpoint_base = if has(d, "wsfed-http-passive-endpoint") {
        &st.http_base
    } else {
        &st.base
    };
    let endpoint = xml_escape(&passive_endpoint(endpoint_base, &client_id));
    let sts_endpoint = xml_escape(&passive_endpoint(&st.base, &client_id));
    let cert = signer
        .cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>();
    let id = format!("_{}", uuid::Uuid::new_v4());
    let entity = if has(d, "wsfed-metadata-no-entityid") {
        String::new()
    } else {
        format!(" entityID=\"{}\"", xml_escape(ENTITY_ID))
    };
    let open = format!("<EntityDescriptor xmlns=\"{MD}\" ID=\"{id}\"{entity}>");
    // The defect keeps the text `fed:SecurityTokenServiceType` but binds `fed` to another
    // namespace on the RoleDescriptor: only a prefix-reading client is fooled.
    let (role_ns, type_prefix) = if has(d, "wsfed-role-type-wrong-namespace") {
        (
            format!(" xmlns:fed=\"{FED}/draft\" xmlns:wsfed=\"{FED}\""),
            "wsfed",
        )
    } else {
        (format!(" xmlns:fed=\"{FED}\""), "fed")
    };
    let p = type_prefix;
    // WS-Trust 1.3 alone: what some IdPs write, and what relying parties never read (WSF-15).
    let protocols = if has(d, "wsfed-protocol-wstrust-only") {
        "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
    } else {
        FED
    };
    let offered = if has(d, "wsfed-token-type-not-offered") {
        "urn:oasis:names:tc:SAML:2.0:assertion".to_string()
    } else if has(d, "wsfed-token-type-never-issued") {
        format!("{TOKEN_TYPE}\"/><{p}:TokenType Uri=\"urn:oasis:names:tc:SAML:2.0:assertion")
    } else {
        TOKEN_TYPE.to_string()
    };
    let body = format!(
        concat!(
            "{open}",
            "<RoleDescriptor xsi:type=\"fed:SecurityTokenServiceType\" protocolSupportEnumeration=\"{protocols}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"{role_ns}>",
            "<KeyDescriptor use=\"signing\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>",
            "<{p}:TokenTypesOffered><{p}:TokenType Uri=\"{offered}\"/></{p}:TokenTypesOffered>",
            "<{p}:ClaimTypesOffered><auth:ClaimType Uri=\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\" xmlns:auth=\"http://docs.oasis-open.org/wsfed/authorization/200706\"><auth:DisplayName>UPN</auth:DisplayName></auth:ClaimType></{p}:ClaimTypesOffered>",
            "<{p}:SecurityTokenServiceEndpoint><EndpointReference xmlns=\"http://www.w3.org/2005/08/addressing\"><Address>{sts}</Address></EndpointReference></{p}:SecurityTokenServiceEndpoint>",
            "<{p}:PassiveRequestorEndpoint><EndpointReference xmlns=\"http://www.w3.org/2005/08/addressing\"><Address>{endpoint}</Address></EndpointReference></{p}:PassiveRequestorEndpoint>",
            "</RoleDescriptor>",
            "</EntityDescriptor>"
        ),
        open = open,
        protocols = protocols,
        role_ns = role_ns,
        cert = cert,
        p = p,
        offered = offered,
        sts = sts_endpoint,
        endpoint = endpoint,
    );
    let body = if has(d, "wsfed-unsigned-metadata") {
        body
    } else {
        // SAML metadata wants the signature first in EntityDescriptor.
        match signer.sign(&body, "ID", &id, Placement::AfterFirst(&open)) {
            Ok(signed) if has(d, "wsfed-metadata-bad-signature") => {
                // Changed after signing: the digest no longer matches.
                signed.replace(
                    "<auth:DisplayName>UPN<",
                    "<auth:DisplayName>User principal name<",
                )
            }
            Ok(signed) => signed,
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
        }
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn query_map(raw: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first sign-in parameter the query repeats (WSF-16), if any.
fn repeated_parameter(raw: &str) -> Option<String> {
    let mut seen: Vec<String> = Vec::new();
    for (k, _) in url::form_urlencoded::parse(raw.as_bytes()) {
        let k = k.into_owned();
        if ["wa", "wtrealm", "wreply", "wctx", "whr"].contains(&k.as_str()) {
            if seen.contains(&k) {
                return Some(k);
            }
            seen.push(k);
        }
    }
    None
}

fn server_error() -> Response {
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        "<!DOCTYPE html><html><head><title>Server Error</title></head><body><h1>500 Internal Server Error</h1></body></html>".into(),
    )
}

/// `GET /wsfed/{client_id}` with `wa`, `wtrealm`, `whr`, `wctx`, `wreply`.
pub async fn signin_client(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
    Path(client_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    signin(st, Some(client_id), q.unwrap_or_default()).await
}

/// `GET /wsfed?wtrealm=urn:{client_id}&…` (WSF-13).
pub async fn signin_realm(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
    RawQuery(q): RawQuery,
) -> Response {
    signin(st, None, q.unwrap_or_default()).await
}

fn reply_allowed(d: Option<super::Defect>, wreply: &str) -> bool {
    if has(d, "wsfed-open-redirect") {
        return true;
    }
    if has(d, "wsfed-wreply-prefix-match") {
        return CALLBACKS.iter().any(|c| wreply.starts_with(c));
    }
    CALLBACKS.contains(&wreply)
}

async fn signin(st: Arc<State>, path_client: Option<String>, raw: String) -> Response {
    let d = st.defect;
    // A malformed request is refused with 400 (WSF-16); the defects crash on it or take it.
    match repeated_parameter(&raw).as_deref() {
        Some("wtrealm") if has(d, "wsfed-repeated-wtrealm-500") => return server_error(),
        Some("wa") if has(d, "wsfed-repeated-wa-accepted") => {}
        Some(k) => return refuse(&format!("the parameter {k} is repeated")),
        None => {}
    }
    let mut q = query_map(&raw);
    if has(d, "wsfed-repeated-wa-accepted") {
        // The defect reads the first wa, as a naive parser does.
        if let Some((_, v)) = url::form_urlencoded::parse(raw.as_bytes()).find(|(k, _)| k == "wa") {
            q.insert("wa".into(), v.into_owned());
        }
    }
    if q.get("wctx").is_some_and(|c| c.len() > MAX_WCTX_BYTES) {
        if has(d, "wsfed-long-wctx-500") {
            return server_error();
        }
        return refuse(&format!("wctx is longer than {MAX_WCTX_BYTES} bytes"));
    }
    let wa = q.get("wa").map(String::as_str);
    if wa != Some("wsignin1.0") && !has(d, "wsfed-wa-ignored") {
        return refuse(&match wa {
            None => "wa is missing".to_string(),
            Some(other) => format!("unsupported wa {other:?}"),
        });
    }
    let realm = q.get("wtrealm").cloned();
    let realm_ok = |r: &str| r == format!("urn:{CLIENT_ID}") || r == CLIENT_ALIAS;
    let audience = match (&path_client, &realm) {
        (Some(c), _) if c != CLIENT_ID => return refuse("unknown client"),
        (None, _) if has(d, "wsfed-realm-urn-refused") => {
            return refuse("wtrealm-only sign-in is not supported");
        }
        (None, None) => return refuse("wtrealm is missing"),
        (_, Some(r)) if realm_ok(r) => r.clone(),
        (_, Some(r)) if has(d, "wsfed-unknown-realm-accepted") => r.clone(),
        (_, Some(r)) => return refuse(&format!("unknown wtrealm {r:?}")),
        (Some(_), None) => format!("urn:{CLIENT_ID}"),
    };
    let wreply = match q.get("wreply") {
        None => CALLBACKS[0].to_string(),
        Some(r) if reply_allowed(d, r) => r.clone(),
        Some(r) => return refuse(&format!("wreply {r:?} is not a registered callback")),
    };
    let mut connection = DEFAULT_CONNECTION.to_string();
    if let Some(whr) = q.get("whr") {
        let known = [CONNECTION, DEFAULT_CONNECTION]
            .into_iter()
            .find(|c| whr == &format!("urn:{c}"));
        match known {
            // The defect signs every user in through the default connection.
            Some(c) if !has(d, "wsfed-wrong-connection") => connection = c.to_string(),
            Some(_) => {}
            None if has(d, "wsfed-whr-ignored") => {}
            None => return refuse(&format!("unknown connection {whr:?}")),
        }
    }
    // An IdP where the user is already signed in (a session, an integrated connection) answers
    // with the token at once: no login form.
    if st.wsfed_signed_in {
        let p = Pending {
            session: String::new(),
            audience,
            wreply,
            wctx: q.get("wctx").cloned(),
            connection,
        };
        return token_answer(&st, &p, super::FEDERATED_LOGIN).await;
    }
    let state = uuid::Uuid::new_v4().to_string();
    let session = uuid::Uuid::new_v4().to_string();
    if let Ok(mut pending) = st.wsfed.pending.lock() {
        if pending.len() >= PENDING_LIMIT {
            pending.clear();
        }
        pending.insert(
            state.clone(),
            Pending {
                session: session.clone(),
                audience,
                wreply,
                wctx: q.get("wctx").cloned(),
                connection,
            },
        );
    }
    let mut page = html(
        StatusCode::OK,
        format!(
            concat!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sign in</title></head><body>",
                "<form method=\"post\" action=\"/wsfed/login\">",
                "<input type=\"hidden\" name=\"state\" value=\"{state}\">",
                "<label>Email <input type=\"email\" name=\"username\" autocomplete=\"username\"></label>",
                "<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>",
                "<button type=\"submit\">Continue</button></form></body></html>"
            ),
            state = state
        ),
    );
    // A session cookie, as real IdPs set: the login POST must bring it back.
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={session}; Path=/wsfed; Secure; HttpOnly; SameSite=None"
    )) {
        page.headers_mut().insert(header::SET_COOKIE, v);
    }
    page
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `POST /wsfed/login`: the password, then the auto-post form to `wreply`.
pub async fn login(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = query_map(&String::from_utf8_lossy(&body));
    let pending = form.get("state").and_then(|s| {
        st.wsfed
            .pending
            .lock()
            .ok()
            .and_then(|mut p| p.remove(s.as_str()))
    });
    let Some(p) = pending else {
        return refuse("unknown or used sign-in state");
    };
    let session = format!("{SESSION_COOKIE}={}", p.session);
    let has_session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == session);
    if !has_session {
        return refuse("the sign-in session cookie is missing");
    }
    let (user, password) = (
        form.get("username").cloned().unwrap_or_default(),
        form.get("password").cloned().unwrap_or_default(),
    );
    let ok = st
        .users
        .iter()
        .any(|(l, pw)| l == &user && pw.expose() == password);
    if !ok {
        return html(
            StatusCode::UNAUTHORIZED,
            "<!DOCTYPE html><html><head><title>Sign in</title></head><body><p>Wrong email or password.</p></body></html>".into(),
        );
    }
    token_answer(&st, &p, &user).await
}

/// The answer that delivers a token: the auto-post form carrying `wresult` (and `wctx`) to
/// `wreply`.
async fn token_answer(st: &State, p: &Pending, user: &str) -> Response {
    let d = st.defect;
    let signer = match signer(st, has(d, "wsfed-token-other-key")).await {
        Ok(s) => s,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    };
    let now = Utc::now();
    let (from, until) = if has(d, "wsfed-expired-assertion") {
        (now - Duration::hours(2), now - Duration::hours(1))
    } else {
        (now, now + Duration::hours(1))
    };
    let audience = if has(d, "wsfed-audience-mismatch") {
        format!("urn:{CLIENT_ID}-other")
    } else {
        p.audience.clone()
    };
    let issuer = ENTITY_ID;
    let assertion = saml11_assertion(&AssertionSpec {
        login: user,
        audience: &audience,
        issuer,
        now: from,
        until,
        signer: &signer,
        attributes: &[(CONNECTION_CLAIM, p.connection.as_str())],
    });
    let rstr = format!(
        concat!(
            "<t:RequestSecurityTokenResponse{context} xmlns:t=\"http://schemas.xmlsoap.org/ws/2005/02/trust\">",
            "<t:Lifetime><wsu:Created xmlns:wsu=\"{wsu}\">{created}</wsu:Created><wsu:Expires xmlns:wsu=\"{wsu}\">{expires}</wsu:Expires></t:Lifetime>",
            "<wsp:AppliesTo xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2004/09/policy\"><wsa:EndpointReference xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><wsa:Address>{aud}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>",
            "<t:RequestedSecurityToken>{assertion}</t:RequestedSecurityToken>",
            "<t:TokenType>{token_type}</t:TokenType>",
            "<t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</t:RequestType>",
            "<t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType>",
            "</t:RequestSecurityTokenResponse>"
        ),
        // The RSTR's Context echoes the request's; the defect writes a placeholder without one.
        context = match (&p.wctx, has(d, "wsfed-undefined-context")) {
            (None, true) => " Context=\"undefined\"",
            _ => "",
        },
        wsu = crate::flow::xml::WSU,
        created = instant(from),
        expires = instant(until),
        aud = xml_escape(&p.audience),
        assertion = assertion,
        token_type = TOKEN_TYPE,
    );
    let wctx = match (&p.wctx, has(d, "wsfed-undefined-wctx")) {
        (Some(c), _) if has(d, "wsfed-wctx-altered") => {
            Some(c.replace('+', " ").trim().to_string())
        }
        (Some(c), _) => Some(c.clone()),
        (None, true) => Some("undefined".to_string()),
        (None, false) => None,
    };
    let wctx_field = wctx
        .map(|c| {
            format!(
                "<input type=\"hidden\" name=\"wctx\" value=\"{}\">",
                xml_escape(&c)
            )
        })
        .unwrap_or_default();
    html(
        StatusCode::OK,
        format!(
            concat!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Working...</title></head><body>",
                "<form method=\"POST\" name=\"hiddenform\" action=\"{action}\">",
                "<input type=\"hidden\" name=\"wa\" value=\"wsignin1.0\">",
                "<input type=\"hidden\" name=\"wresult\" value=\"{wresult}\">",
                "{wctx}",
                "<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\"></noscript>",
                "</form><script>window.setTimeout(function(){{document.forms[0].submit();}}, 0);</script></body></html>"
            ),
            action = xml_escape(&p.wreply),
            wresult = xml_escape(&rstr),
            wctx = wctx_field,
        ),
    )
}
