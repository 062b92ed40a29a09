//! Preauthentication (user-realm discovery) exactly as macOS sends it (SPEC.md "PRE"), and the
//! analysis of its answer: JSON object, predicate, MEX URL.

use super::keypath::KeyPath;
use super::predicate::Predicate;
use crate::suite::NameValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;
use url::Url;

/// Characters macOS leaves as they are in query values: RFC 3986 unreserved, and `@`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// The key macOS reads when no `federationMEXURLKeypath` is configured.
pub const FALLBACK_MEX_KEY: &str = "federation_metadata_url";

/// Percent-encodes a query name or value the way macOS does.
pub fn encode_query_value(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// The preauthentication URL: the configured URL with its query kept, then `user=<login>`, then
/// each custom request value.
pub fn request_url(base: &Url, login: &str, custom: &[NameValue]) -> Url {
    let mut query = base.query().unwrap_or("").to_string();
    let mut push = |name: &str, value: &str| {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&encode_query_value(name));
        query.push('=');
        query.push_str(&encode_query_value(value));
    };
    push("user", login);
    for nv in custom {
        push(&nv.name, &nv.value);
    }
    let mut url = base.clone();
    url.set_query(Some(&query));
    url
}

/// The request headers macOS sends, in order: `Accept: application/json`, `client-request-id`
/// (a fresh upper-case UUID, as Foundation writes one), then what the URL loading system adds
/// ([`super::macos::request_headers`]).
pub fn request_headers() -> Vec<(String, String)> {
    let id = super::macos::uuid_string(uuid::Uuid::new_v4());
    super::macos::request_headers(&[("Accept", "application/json"), ("client-request-id", &id)])
}

/// What the answer's MEX URL is and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MexUrlValue {
    /// The key path read.
    pub keypath: String,
    /// The JSON value found there (None: absent).
    pub value: Option<Value>,
    /// The value as an absolute https URL, or why it is not one.
    pub url: Result<String, String>,
}

/// The facts PRE-2…PRE-9 need about one answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreauthAnalysis {
    /// The parsed body, when it is JSON.
    pub json: Option<Value>,
    /// Why the body is not a JSON object.
    pub json_error: Option<String>,
    /// What the predicate evaluates to (None: no JSON object to evaluate).
    pub predicate: Option<bool>,
    /// The predicate evaluated, as the configuration writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_source: Option<String>,
    /// The MEX URL (None: no JSON object).
    pub mex_url: Option<MexUrlValue>,
    /// Keys the object holds more than once, each with its values in order (the last is the
    /// one read; which one Foundation keeps is unknown, SPEC.md PRE-2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicate_keys: Vec<(String, Vec<Value>)>,
}

/// Keys the top-level JSON object of `text` holds more than once, with their values in order.
fn duplicate_keys(text: &str) -> Vec<(String, Vec<Value>)> {
    struct Entries(Vec<(String, Value)>);
    impl<'de> serde::Deserialize<'de> for Entries {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Entries;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut m: A,
                ) -> Result<Entries, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = m.next_entry::<String, Value>()? {
                        out.push((k, v));
                    }
                    Ok(Entries(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    let Ok(Entries(entries)) = serde_json::from_str::<Entries>(text) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<Value>)> = Vec::new();
    for (k, v) in &entries {
        if entries.iter().filter(|(x, _)| x == k).count() > 1 {
            match out.iter_mut().find(|(x, _)| x == k) {
                Some((_, vs)) => vs.push(v.clone()),
                None => out.push((k.clone(), vec![v.clone()])),
            }
        }
    }
    out
}

/// Judges a MEX URL value: a non-empty JSON string holding an absolute https URL, unpadded.
pub fn judge_mex_url(value: Option<&Value>) -> Result<String, String> {
    let s = match value {
        None => return Err("absent".into()),
        Some(Value::String(s)) => s,
        Some(other) => return Err(format!("not a JSON string but {other}")),
    };
    if s.is_empty() {
        return Err("an empty string".into());
    }
    let q = super::quoted(s);
    if s.trim() != s {
        return Err(format!("{q} has surrounding whitespace"));
    }
    match Url::parse(s) {
        Err(e) => Err(format!("{q} is not an absolute URL ({e})")),
        Ok(u) if u.scheme() != "https" => Err(format!("{q} is not https")),
        Ok(u) if u.host().is_none() => Err(format!("{q} has no host")),
        Ok(_) => Ok(s.clone()),
    }
}

/// Analyses a preauthentication answer body.
pub fn analyse(
    body: &[u8],
    predicate: Option<&Predicate>,
    keypath: Option<&KeyPath>,
) -> PreauthAnalysis {
    // Foundation's JSONSerialization reads UTF-8, UTF-16 and UTF-32, with or without a BOM.
    let decoded = super::text::json(body).map_err(|e| e.message);
    let duplicate_keys = decoded
        .as_ref()
        .map(|d| duplicate_keys(&d.text))
        .unwrap_or_default();
    let parsed: Result<Value, String> =
        decoded.and_then(|d| serde_json::from_str(&d.text).map_err(|e| e.to_string()));
    let (json, json_error) = match parsed {
        Ok(v @ Value::Object(_)) => (Some(v), None),
        Ok(v) => {
            let kind = match v {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            };
            (
                Some(v),
                Some(format!("the body is JSON but {kind}, not an object")),
            )
        }
        Err(_) if body.iter().all(u8::is_ascii_whitespace) => {
            (None, Some("the body is empty".to_string()))
        }
        Err(e) => (
            None,
            Some(format!(
                "the body is not JSON ({e}): {}",
                super::answer::classify(body)
            )),
        ),
    };
    let object = json.as_ref().filter(|v| v.is_object());
    let predicate_text = predicate.map(|p| p.source().to_string());
    let predicate = object.zip(predicate).map(|(o, p)| p.evaluate(o));
    let mex_url = object.map(|o| {
        let (kp_text, value) = match keypath {
            Some(k) => (k.to_string(), k.get(o).cloned()),
            None => (
                FALLBACK_MEX_KEY.to_string(),
                o.get(FALLBACK_MEX_KEY).cloned(),
            ),
        };
        let url = judge_mex_url(value.as_ref());
        MexUrlValue {
            keypath: kp_text,
            value,
            url,
        }
    });
    PreauthAnalysis {
        json,
        json_error,
        predicate_source: predicate_text,
        predicate,
        mex_url,
        duplicate_keys,
    }
}

/// Replaces every occurrence of `login` in the JSON strings of `v` with a placeholder, so that
/// answers for two login names can be compared (PRE-6).
pub fn with_login_placeholder(v: &Value, login: &str) -> Value {
    match v {
        Value::String(s) if !login.is_empty() => Value::String(s.replace(login, "{login}")),
        Value::Array(a) => {
            Value::Array(a.iter().map(|x| with_login_placeholder(x, login)).collect())
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), with_login_placeholder(x, login)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_twice_is_found_with_its_values_in_order() {
        let a = analyse(
            br#"{"account_type":"Managed","x":1,"account_type":"Federated"}"#,
            None,
            None,
        );
        assert_eq!(
            a.duplicate_keys,
            vec![(
                "account_type".to_string(),
                vec![Value::from("Managed"), Value::from("Federated")]
            )]
        );
        assert_eq!(
            a.json.as_ref().and_then(|j| j.get("account_type")),
            Some(&Value::from("Federated"))
        );
        assert!(
            analyse(br#"{"a":1,"b":{"a":2}}"#, None, None)
                .duplicate_keys
                .is_empty()
        );
    }

    #[test]
    fn url_keeps_query_and_encodes_like_macos() {
        let base = Url::parse("https://idp.example/realm?api-version=1.0").ok();
        let custom = [NameValue {
            name: "x y".into(),
            value: "a&b".into(),
        }];
        let u = base.map(|b| request_url(&b, "o'neil+1%&é@contoso.example", &custom).to_string());
        assert_eq!(
            u.as_deref(),
            Some(
                "https://idp.example/realm?api-version=1.0&user=o%27neil%2B1%25%26%C3%A9@contoso.example&x%20y=a%26b"
            )
        );
    }

    #[test]
    fn mex_url_judgement() {
        use serde_json::json;
        assert!(judge_mex_url(Some(&json!("https://a.example/mex"))).is_ok());
        assert!(judge_mex_url(Some(&json!("http://a.example/mex"))).is_err());
        assert!(judge_mex_url(Some(&json!(" https://a.example/mex"))).is_err());
        assert!(judge_mex_url(Some(&json!("/mex"))).is_err());
        assert!(judge_mex_url(Some(&json!(1))).is_err());
        assert!(judge_mex_url(None).is_err());
    }
}
