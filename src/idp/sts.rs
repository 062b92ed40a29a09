//! The reference IdP's WS-Trust STS (`/adfs/services/trust/{13,2005}/usernamemixed`): it
//! dispatches on `a:Action` (not the HTTP SOAPAction header), authenticates the test users,
//! answers with a SAML 1.1 assertion in the version's envelope with RelatesTo, Timestamp and
//! Lifetime, and with SOAP 1.2 `FailedAuthentication` faults for bad credentials.

use super::State;
use super::defects::has;
use super::signing::Placement;
use crate::flow::wstrust::{self, SOAP12, T05, T13, WSSE};
use crate::flow::{WsTrustVersion, xml};
use crate::redact::xml_escape;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

struct Parsed {
    version: Option<WsTrustVersion>,
    message_id: Option<String>,
    username: Option<String>,
    password: Option<String>,
    password_type: Option<String>,
    has_timestamp: bool,
    applies_to: Option<String>,
}

fn parse(body: &[u8]) -> Result<Parsed, String> {
    let text = xml::decode(body).map_err(|e| e.to_string())?.text;
    let doc = xml::parse(&text).map_err(|e| e.to_string())?;
    let env = doc.root_element();
    if !xml::is(env, SOAP12, "Envelope") {
        return Err("not a SOAP 1.2 envelope".into());
    }
    let header = xml::child(env, SOAP12, "Header").ok_or("no s:Header")?;
    let action = xml::child(header, xml::WSA10, "Action").map(xml::text_of);
    let version = action.as_deref().and_then(|a| {
        WsTrustVersion::PREFERENCE
            .into_iter()
            .find(|v| crate::flow::mex::issue_action(*v) == a.trim())
    });
    let security = xml::child(header, WSSE, "Security");
    let token = security.and_then(|s| xml::child(s, WSSE, "UsernameToken"));
    let password = token.and_then(|t| xml::child(t, WSSE, "Password"));
    let rst = xml::child(env, SOAP12, "Body").and_then(|b| {
        b.children()
            .find(|c| c.tag_name().name() == "RequestSecurityToken")
    });
    Ok(Parsed {
        version,
        message_id: xml::child(header, xml::WSA10, "MessageID").map(xml::text_of),
        username: token
            .and_then(|t| xml::child(t, WSSE, "Username"))
            .map(xml::text_of),
        password: password.map(xml::text_of),
        password_type: password
            .and_then(|p| p.attribute("Type"))
            .map(str::to_string),
        has_timestamp: security
            .and_then(|s| xml::child(s, xml::WSU, "Timestamp"))
            .is_some(),
        applies_to: rst
            .and_then(|r| r.descendants().find(|n| xml::is(*n, xml::WSA10, "Address")))
            .map(xml::text_of),
    })
}

fn security_header(now: DateTime<Utc>, st: &State) -> String {
    let (created, expires) = if has(st.defect, "sts-created-in-future") {
        (now + Duration::minutes(10), now + Duration::minutes(15))
    } else if has(st.defect, "sts-expired") {
        (now - Duration::minutes(15), now - Duration::minutes(10))
    } else {
        (now, now + Duration::minutes(5))
    };
    format!(
        "<o:Security s:mustUnderstand=\"1\" xmlns:o=\"{WSSE}\"><u:Timestamp u:Id=\"_0\"><u:Created>{}</u:Created><u:Expires>{}</u:Expires></u:Timestamp></o:Security>",
        instant(created),
        instant(expires)
    )
}

fn relates_to(nonce: Option<&str>, st: &State) -> String {
    if has(st.defect, "sts-no-relatesto") {
        return String::new();
    }
    let value = if has(st.defect, "sts-wrong-relatesto") {
        format!("urn:uuid:{}", uuid::Uuid::new_v4())
    } else if has(st.defect, "sts-relatesto-lowercase") {
        // What a .NET Guid round-trip writes: the MessageID's UUID lower-cased.
        nonce.unwrap_or("").to_lowercase()
    } else {
        nonce.unwrap_or("").to_string()
    };
    format!("<a:RelatesTo>{}</a:RelatesTo>", xml_escape(&value))
}

fn envelope(
    action: &str,
    nonce: Option<&str>,
    now: DateTime<Utc>,
    st: &State,
    body: &str,
) -> String {
    format!(
        "<s:Envelope xmlns:s=\"{SOAP12}\" xmlns:a=\"{}\" xmlns:u=\"{}\"><s:Header><a:Action s:mustUnderstand=\"1\">{action}</a:Action>{}{}</s:Header><s:Body>{body}</s:Body></s:Envelope>",
        xml::WSA10,
        xml::WSU,
        relates_to(nonce, st),
        security_header(now, st)
    )
}

/// A SOAP 1.2 fault with a subcode (`FailedAuthentication`, `RequestFailed`, `InvalidRequest`).
fn fault(
    status: StatusCode,
    subcode: &str,
    reason: &str,
    nonce: Option<&str>,
    st: &State,
) -> Response {
    let ns = if subcode == "RequestFailed" {
        T13
    } else {
        WSSE
    };
    let body = format!(
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:a=\"{ns}\">a:{subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en-US\">{}</s:Text></s:Reason></s:Fault>",
        xml_escape(reason)
    );
    let doc = envelope(
        "http://www.w3.org/2005/08/addressing/soap/fault",
        nonce,
        Utc::now(),
        st,
        &body,
    );
    (
        status,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        doc,
    )
        .into_response()
}

/// What an assertion says, and who signs it: shared by the STS and WS-Federation sign-in.
pub(super) struct AssertionSpec<'a> {
    /// The subject's login name.
    pub login: &'a str,
    /// The audience.
    pub audience: &'a str,
    /// The issuer.
    pub issuer: &'a str,
    /// Issue instant and Conditions/@NotBefore.
    pub now: DateTime<Utc>,
    /// Conditions/@NotOnOrAfter.
    pub until: DateTime<Utc>,
    /// The signing key.
    pub signer: &'a super::signing::Signer,
    /// More attributes (SAML 1.1: `AttributeNamespace` and `AttributeName` split at the last
    /// `/`), after the UPN: the WS-Fed sign-in adds the issuing connection.
    pub attributes: &'a [(&'a str, &'a str)],
}

/// A signed SAML 2.0 assertion (the signature right after Issuer, as the schema requires).
pub(super) fn saml2_assertion(a: &AssertionSpec) -> String {
    let id = format!("_{}", uuid::Uuid::new_v4());
    let unsigned = format!(
        concat!(
            "<saml2:Assertion ID=\"{id}\" IssueInstant=\"{now}\" Version=\"2.0\" xmlns:saml2=\"{saml2}\">",
            "<saml2:Issuer>{issuer}</saml2:Issuer>",
            "<saml2:Subject><saml2:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\">{login}</saml2:NameID>",
            "<saml2:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"/></saml2:Subject>",
            "<saml2:Conditions NotBefore=\"{now}\" NotOnOrAfter=\"{until}\"><saml2:AudienceRestriction><saml2:Audience>{aud}</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>",
            "<saml2:AttributeStatement><saml2:Attribute Name=\"http://schemas.xmlsoap.org/claims/UPN\"><saml2:AttributeValue>{login}</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>",
            "<saml2:AuthnStatement AuthnInstant=\"{now}\"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>",
            "</saml2:Assertion>"
        ),
        id = id,
        now = instant(a.now),
        until = instant(a.until),
        saml2 = wstrust::SAML2,
        issuer = xml_escape(a.issuer),
        login = xml_escape(a.login),
        aud = xml_escape(a.audience),
    );
    match a.signer.sign(
        &unsigned,
        "ID",
        &id,
        Placement::AfterFirst("</saml2:Issuer>"),
    ) {
        Ok(signed) => signed,
        Err(e) => {
            eprintln!("fedconform reference IdP: cannot sign an assertion: {e}");
            unsigned
        }
    }
}

/// A signed SAML 1.1 assertion (the signature last, as the schema requires).
pub(super) fn saml11_assertion(a: &AssertionSpec) -> String {
    let subject = format!(
        "<saml:Subject><saml:NameIdentifier Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\">{}</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject>",
        xml_escape(a.login)
    );
    let id = format!("_{}", uuid::Uuid::new_v4());
    let unsigned = format!(
        concat!(
            "<saml:Assertion MajorVersion=\"1\" MinorVersion=\"1\" AssertionID=\"{id}\" Issuer=\"{issuer}\" IssueInstant=\"{now}\" xmlns:saml=\"{saml}\">",
            "<saml:Conditions NotBefore=\"{now}\" NotOnOrAfter=\"{until}\"><saml:AudienceRestrictionCondition><saml:Audience>{aud}</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions>",
            "<saml:AttributeStatement>{subject}<saml:Attribute AttributeName=\"UPN\" AttributeNamespace=\"http://schemas.xmlsoap.org/claims\"><saml:AttributeValue>{login}</saml:AttributeValue></saml:Attribute>{extra}</saml:AttributeStatement>",
            "<saml:AuthenticationStatement AuthenticationMethod=\"urn:oasis:names:tc:SAML:1.0:am:password\" AuthenticationInstant=\"{now}\">{subject}</saml:AuthenticationStatement>",
            "</saml:Assertion>"
        ),
        id = id,
        issuer = xml_escape(a.issuer),
        now = instant(a.now),
        until = instant(a.until),
        saml = wstrust::SAML1,
        aud = xml_escape(a.audience),
        subject = subject,
        login = xml_escape(a.login),
        extra = a
            .attributes
            .iter()
            .map(|(name, value)| {
                let (space, local) = name.rsplit_once('/').unwrap_or(("", name));
                format!(
                    "<saml:Attribute AttributeName=\"{}\" AttributeNamespace=\"{}\"><saml:AttributeValue>{}</saml:AttributeValue></saml:Attribute>",
                    xml_escape(local),
                    xml_escape(space),
                    xml_escape(value)
                )
            })
            .collect::<String>(),
    );
    match a.signer.sign(
        &unsigned,
        "AssertionID",
        &id,
        Placement::BeforeLast("</saml:Assertion>"),
    ) {
        Ok(signed) => signed,
        Err(e) => {
            eprintln!("fedconform reference IdP: cannot sign an assertion: {e}");
            unsigned
        }
    }
}

fn assertion(login: &str, applies_to: &str, now: DateTime<Utc>, st: &State) -> String {
    let audience = if has(st.defect, "sts-assertion-wrong-audience") {
        "urn:fedconform:someone-else"
    } else {
        applies_to
    };
    let issuer = format!("{}/adfs/services/trust", st.base);
    let spec = AssertionSpec {
        login,
        audience,
        issuer: &issuer,
        now,
        until: now + Duration::hours(1),
        signer: &st.signer,
        attributes: &[],
    };
    if st.token == super::TokenKind::Saml2 {
        saml2_assertion(&spec)
    } else {
        saml11_assertion(&spec)
    }
}

fn token_response(
    v: WsTrustVersion,
    nonce: Option<&str>,
    login: &str,
    applies_to: &str,
    st: &State,
) -> Response {
    let now = Utc::now();
    let token_type = if has(st.defect, "sts-tokentype-whitespace") {
        "\n  urn:oasis:names:tc:SAML:1.0:assertion\n".to_string()
    } else if has(st.defect, "sts-samlv11-tokentype") {
        "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1".to_string()
    } else if st.token == super::TokenKind::Saml2 {
        wstrust::SAML2.to_string()
    } else {
        wstrust::SAML1.to_string()
    };
    let token = if has(st.defect, "sts-assertion-missing") {
        String::new()
    } else {
        assertion(login, applies_to, now, st)
    };
    let ns = wstrust::trust_ns(v);
    let rstr = format!(
        concat!(
            "<t:RequestSecurityTokenResponse xmlns:t=\"{ns}\">",
            "<t:Lifetime><u:Created>{created}</u:Created><u:Expires>{expires}</u:Expires></t:Lifetime>",
            "<wsp:AppliesTo xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2004/09/policy\"><a:EndpointReference><a:Address>{urn}</a:Address></a:EndpointReference></wsp:AppliesTo>",
            "<t:RequestedSecurityToken>{token}</t:RequestedSecurityToken>",
            "<t:TokenType>{token_type}</t:TokenType>",
            "<t:RequestType>{request_type}</t:RequestType>",
            "<t:KeyType>{key_type}</t:KeyType>",
            "</t:RequestSecurityTokenResponse>"
        ),
        ns = ns,
        created = instant(now),
        expires = instant(now + Duration::hours(1)),
        urn = xml_escape(applies_to),
        token = token,
        token_type = token_type,
        request_type = wstrust::request_type(v),
        key_type = wstrust::key_type(v),
    );
    let (action, body) = match v {
        WsTrustVersion::V13 if !has(st.defect, "sts-2005-shape-for-13") => (
            "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal",
            format!(
                "<t:RequestSecurityTokenResponseCollection xmlns:t=\"{T13}\">{rstr}{}</t:RequestSecurityTokenResponseCollection>",
                // The same response twice: a client cannot tell which one is meant.
                if has(st.defect, "sts-two-responses") {
                    rstr.as_str()
                } else {
                    ""
                }
            ),
        ),
        WsTrustVersion::V13 => (
            "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal",
            rstr,
        ),
        WsTrustVersion::V2005 => (
            "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/Issue",
            rstr,
        ),
    };
    let _ = T05;
    let status = if has(st.defect, "sts-status-202") {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        envelope(action, nonce, now, st, &body),
    )
        .into_response()
}

fn special_chars(s: &str) -> bool {
    s.chars().any(|c| !c.is_ascii() || "&<>'\"".contains(c))
}

/// Handles a RequestSecurityToken at the endpoint of `endpoint` version.
pub async fn issue(
    st: Arc<State>,
    endpoint: WsTrustVersion,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = match parse(&body) {
        Ok(p) => p,
        Err(e) => {
            return fault(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InvalidRequest",
                &format!("MSIS7065: the request is not valid: {e}"),
                None,
                &st,
            );
        }
    };
    let nonce = p.message_id.as_deref().map(str::trim);
    // Dispatch on a:Action, as WS-Addressing says; the defect reads the HTTP SOAPAction header.
    let version = if has(st.defect, "sts-dispatch-on-soapaction") {
        let h = headers
            .get("soapaction")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .trim_matches('"')
            .to_string();
        WsTrustVersion::PREFERENCE
            .into_iter()
            .find(|v| crate::flow::mex::issue_action(*v) == h)
    } else {
        p.version
    };
    if version != Some(endpoint) {
        return fault(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InvalidRequest",
            &format!(
                "ID3035: the request was not valid for the WS-Trust {endpoint} endpoint (action)"
            ),
            nonce,
            &st,
        );
    }
    if has(st.defect, "sts-rejects-macos-request") && !p.has_timestamp && p.password_type.is_none()
    {
        return fault(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InvalidSecurity",
            "ID4072: a UsernameToken without a Password Type needs a Timestamp",
            nonce,
            &st,
        );
    }
    if has(st.defect, "sts-requires-timestamp") && !p.has_timestamp {
        return fault(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InvalidSecurity",
            "ID4072: the security header must contain a Timestamp",
            nonce,
            &st,
        );
    }
    match p.password_type.as_deref() {
        None if has(st.defect, "sts-requires-password-type") => {
            return fault(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InvalidSecurity",
                "ID4063: the Password element must carry a Type",
                nonce,
                &st,
            );
        }
        Some(t) if t != wstrust::PASSWORD_TEXT => {
            return fault(
                StatusCode::INTERNAL_SERVER_ERROR,
                "UnsupportedSecurityToken",
                "ID4067: only PasswordText is supported",
                nonce,
                &st,
            );
        }
        _ => {}
    }
    if has(st.defect, "sts-2005-endpoint-fault") && endpoint == WsTrustVersion::V2005 {
        return fault(
            StatusCode::INTERNAL_SERVER_ERROR,
            "FailedAuthentication",
            "MSIS7068: Access denied.",
            nonce,
            &st,
        );
    }
    let (Some(username), Some(password)) = (p.username, p.password) else {
        return fault(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InvalidSecurity",
            "ID4060: no UsernameToken",
            nonce,
            &st,
        );
    };
    let applies_to = p.applies_to.unwrap_or_default();
    let known = st.users.iter().find(|(login, _)| *login == username);
    let known = if has(st.defect, "sts-rejects-special") && special_chars(&username) {
        None
    } else {
        known
    };
    log_attempt(
        &st,
        &username,
        match known {
            Some((_, pw)) if pw.expose() == password => "ok",
            Some(_) => "wrong-password",
            None => "unknown-user",
        },
    );
    match known {
        Some((_, pw)) if pw.expose() == password => {
            token_response(endpoint, nonce, &username, &applies_to, &st)
        }
        Some(_) => {
            if has(st.defect, "sts-slow-failure") {
                // Throttling a failed login past macOS's 30 s timeout.
                tokio::time::sleep(std::time::Duration::from_secs(SLOW_FAILURE_SECONDS)).await;
            }
            let (status, subcode) = if has(st.defect, "sts-fault-401") {
                (StatusCode::UNAUTHORIZED, "FailedAuthentication")
            } else if has(st.defect, "sts-requestfailed") {
                (StatusCode::INTERNAL_SERVER_ERROR, "RequestFailed")
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, "FailedAuthentication")
            };
            credential_failure(status, subcode, nonce, &st)
        }
        None if has(st.defect, "sts-token-for-unknown-user") => {
            token_response(endpoint, nonce, &username, &applies_to, &st)
        }
        None => credential_failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "FailedAuthentication",
            nonce,
            &st,
        ),
    }
}

/// Appends one authentication attempt to the IdP's audit log (`serve --auth-log`): the login
/// and the result, never the password.
fn log_attempt(st: &State, login: &str, result: &str) {
    let Some(path) = &st.auth_log else { return };
    let line = serde_json::json!({ "login": login, "result": result }).to_string();
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = std::io::Write::write_all(&mut f, format!("{line}\n").as_bytes());
    }
}

/// How long the `sts-slow-failure` defect holds a failed login, in seconds: past macOS's 30 s.
pub const SLOW_FAILURE_SECONDS: u64 = 31;

/// The answer to a login with wrong credentials: a SOAP 1.2 fault, or what the defects put in
/// its place (an HTML error page, an empty 500, a SOAP 1.1 fault: `../shared/cases` C1–C3).
fn credential_failure(
    status: StatusCode,
    subcode: &str,
    nonce: Option<&str>,
    st: &State,
) -> Response {
    if has(st.defect, "sts-error-page") {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html>\n<html><head><title>Sign In</title></head><body><h1>An error occurred</h1><p>Activity ID: 00000000-0000-0000-0000-000000000000</p></body></html>\n",
        )
            .into_response();
    }
    if has(st.defect, "sts-empty-500") {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if has(st.defect, "sts-soap11-fault") {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            format!(
                "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault><faultcode xmlns:ns1=\"{WSSE}\">ns1:{subcode}</faultcode><faultstring>The security token could not be authenticated or authorized</faultstring></soap:Fault></soap:Body></soap:Envelope>"
            ),
        )
            .into_response();
    }
    fault(status, subcode, "MSIS7068: Access denied.", nonce, st)
}
