//! The reference IdP's preauthentication endpoint: Microsoft user-realm style JSON.

use super::State;
use super::defects::has;
use axum::extract::RawQuery;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// Reads one query value the way a conformant server does: form decoding, once.
fn query_value(raw: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// `GET /common/userrealm?api-version=1.0&user=…[&checkForMicrosoftAccount=…]`.
pub async fn userrealm(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
    RawQuery(q): RawQuery,
) -> Response {
    let raw = q.unwrap_or_default();
    let d = st.defect;
    let Some(mut user) = query_value(&raw, "user") else {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"missing user"}"#,
        )
            .into_response();
    };
    if has(d, "preauth-double-decode") {
        user = percent_encoding::percent_decode_str(&user)
            .decode_utf8_lossy()
            .into_owned();
    }
    let custom = query_value(&raw, "checkForMicrosoftAccount");
    match custom.as_deref() {
        None | Some("true") | Some("false") => {}
        Some(_) => {
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"error":"checkForMicrosoftAccount must be true or false"}"#,
            )
                .into_response();
        }
    }
    let domain = user
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    let federated = domain == super::FEDERATED_DOMAIN;
    let mut body: Value = if federated {
        json!({
            "ver": "1.0",
            "account_type": if has(d, "preauth-predicate-false") { "Managed" } else { "Federated" },
            "domain_name": domain,
            "federation_protocol": "WSTrust",
            "federation_metadata_url": if has(d, "preauth-mex-url-http") { format!("{}/adfs/services/trust/mex", st.http_base) } else { format!("{}/adfs/services/trust/mex", st.base) },
            "federation_active_auth_url": format!("{}/adfs/services/trust/2005/usernamemixed", st.base),
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": super::REQUEST_URN,
            "Login": user,
        })
    } else {
        json!({
            "ver": "1.0",
            "account_type": if domain == super::MANAGED_DOMAIN { "Managed" } else { "Unknown" },
            "domain_name": domain,
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": super::REQUEST_URN,
            "Login": user,
        })
    };
    if has(d, "preauth-no-ms-fields")
        && let Some(o) = body.as_object_mut()
    {
        o.remove("federation_protocol");
        o.remove("cloud_audience_urn");
    }
    if !federated && has(d, "preauth-managed-404") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut status = StatusCode::OK;
    if federated && has(d, "preauth-status-400") {
        status = StatusCode::BAD_REQUEST;
    }
    if custom.is_some() && has(d, "preauth-rejects-custom-values") {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"unexpected parameter checkForMicrosoftAccount"}"#,
        )
            .into_response();
    }
    if federated && has(d, "preauth-json-array") {
        body = Value::Array(vec![body]);
    }
    let ctype = if has(d, "preauth-text-plain") {
        "text/plain; charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    };
    let mut text = body.to_string();
    // A key twice, the value read (the last) being the right one.
    if federated && has(d, "preauth-duplicate-key") && text.starts_with('{') {
        text.insert_str(1, r#""account_type":"Managed","#);
    }
    (status, [(header::CONTENT_TYPE, ctype)], text).into_response()
}
