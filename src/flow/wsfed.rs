//! WS-Federation passive sign-in and federation metadata, the client side (SPEC.md WSF): the
//! sign-in URL, the HTML forms of the answers (read with a real HTML parser), the login form a
//! harness fills in, the `wresult` RSTR and its assertion, and the metadata document.

use super::wstrust::{self, RstrAnalysis, Shape};
use super::xml::{self, XmlError, child, children, text_of};
use super::xmldsig::{self, SignatureReport};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;

/// The WS-Federation namespace (`fed`).
pub const FED: &str = "http://docs.oasis-open.org/wsfed/federation/200706";
/// SAML 2.0 metadata (`md`).
pub const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// XML Schema instance (`xsi`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// WS-Addressing 2004/08, which older metadata uses for endpoint references.
pub const WSA04: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
/// The sign-in action.
pub const WSIGNIN: &str = "wsignin1.0";
/// The wreply on another host that an IdP must refuse (WSF-8).
pub const FOREIGN_WREPLY: &str = "https://fedconform-attacker.invalid/wsfed/callback";
/// The `javascript:` wreply an IdP must refuse (WSF-8).
pub const JAVASCRIPT_WREPLY: &str = "javascript:alert(document.domain)";
/// What is appended to the registered wreply for WSF-8.
pub const WREPLY_SUFFIX: &str = ".fedconform-attacker.invalid";
/// An action no IdP knows (WSF-10).
pub const UNKNOWN_WA: &str = "wsignin9.9";
/// The sign-out action, sent as a second `wa` (WSF-16).
pub const WSIGNOUT: &str = "wsignout1.0";
/// The length of the over-long `wctx` (WSF-16): the 8 KiB request-line limit common web servers
/// apply (nginx, Apache), four times IIS's 2 KiB query-string limit.
pub const LONG_WCTX_BYTES: usize = 8 * 1024;

// ---------------------------------------------------------------- HTML forms

/// One form control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// `name`.
    pub name: String,
    /// `type`, lower-cased (`text` when absent; `textarea` for a textarea).
    pub kind: String,
    /// `value` as the HTML parser decoded it (character references resolved).
    pub value: String,
}

/// One HTML form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    /// `action` as written (None: absent).
    pub action: Option<String>,
    /// `method`, upper-cased (`GET` when absent).
    pub method: String,
    /// Named controls, in document order.
    pub fields: Vec<Field>,
}

impl Form {
    /// The value of the first control with this name.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    /// True when the form asks for a password.
    pub fn asks_password(&self) -> bool {
        self.fields.iter().any(|f| f.kind == "password")
    }

    /// The fields to submit to log in, as a browser submits the form when its first submit
    /// button is clicked: hidden and other values as given, the password in the password control,
    /// the login name in the first text-like control, and that button's own name and value.
    pub fn login_fields(&self, login: &str, password: &str) -> Vec<(String, String)> {
        let mut login_given = false;
        let submitter = self.fields.iter().position(|f| f.kind == "submit");
        self.fields
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                !matches!(f.kind.as_str(), "submit" | "button" | "image" | "reset")
                    || Some(*i) == submitter
            })
            .map(|(_, f)| {
                let value = match f.kind.as_str() {
                    "password" => password.to_string(),
                    "text" | "email" | "tel" if !login_given => {
                        login_given = true;
                        login.to_string()
                    }
                    _ => f.value.clone(),
                };
                (f.name.clone(), value)
            })
            .collect()
    }
}

/// Every form of an HTML page, read with html5ever (through `scraper`).
pub fn forms(html: &str) -> Vec<Form> {
    let doc = scraper::Html::parse_document(html);
    let (Ok(form_sel), Ok(control_sel)) = (
        scraper::Selector::parse("form"),
        scraper::Selector::parse("input, textarea, button"),
    ) else {
        return Vec::new();
    };
    doc.select(&form_sel)
        .map(|form| {
            let e = form.value();
            let fields = form
                .select(&control_sel)
                .filter_map(|c| {
                    let v = c.value();
                    let name = v.attr("name")?.to_string();
                    let (kind, value) = if v.name() == "textarea" {
                        ("textarea".to_string(), c.text().collect::<String>())
                    } else if v.name() == "button" {
                        (
                            v.attr("type").unwrap_or("submit").to_ascii_lowercase(),
                            v.attr("value").unwrap_or_default().to_string(),
                        )
                    } else {
                        (
                            v.attr("type").unwrap_or("text").to_ascii_lowercase(),
                            v.attr("value").unwrap_or_default().to_string(),
                        )
                    };
                    Some(Field { name, kind, value })
                })
                .collect();
            Form {
                action: e.attr("action").map(str::to_string),
                method: e.attr("method").unwrap_or("GET").to_ascii_uppercase(),
                fields,
            }
        })
        .collect()
}

// ---------------------------------------------------------------- the sign-in request

/// Safari's `User-Agent` on macOS (Safari 17; the browser plays the user's part in a passive
/// sign-in).
pub const BROWSER_USER_AGENT: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15";
/// Safari's `Accept` for a page navigation.
pub const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// The headers of a page request of the sign-in, as the user's browser (Safari on macOS) sends
/// them: `Accept`, `Accept-Language`, `Accept-Encoding`, `User-Agent` (SPEC.md "Requests").
pub fn browser_headers() -> Vec<(String, String)> {
    [
        ("Accept", BROWSER_ACCEPT),
        ("Accept-Language", super::macos::ACCEPT_LANGUAGE),
        ("Accept-Encoding", super::macos::ACCEPT_ENCODING),
        ("User-Agent", BROWSER_USER_AGENT),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The headers of the login form's submission: the page headers with the form's
/// `Content-Type`.
pub fn browser_form_headers() -> Vec<(String, String)> {
    let mut h = browser_headers();
    h.insert(
        1,
        (
            "Content-Type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        ),
    );
    h
}

/// The sign-in parameters sent; None leaves a parameter out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SigninParams {
    /// `wa`.
    pub wa: Option<String>,
    /// `wtrealm`.
    pub wtrealm: Option<String>,
    /// `whr`.
    pub whr: Option<String>,
    /// `wctx`.
    pub wctx: Option<String>,
    /// `wreply`.
    pub wreply: Option<String>,
    /// Parameters sent after these, repeating one of them (a malformed request, WSF-16).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeated: Vec<(String, String)>,
}

/// `{base}/wsfed/{client_id}?…` (or `{base}/wsfed?…` without a client ID), parameters
/// form-encoded in the order wa, wtrealm, whr, wctx, wreply, then the repeated ones.
pub fn signin_url(base: &Url, client_id: Option<&str>, p: &SigninParams) -> Result<Url, String> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    {
        let mut path = url
            .path_segments_mut()
            .map_err(|()| format!("{base} cannot have a path"))?;
        path.pop_if_empty().push("wsfed");
        if let Some(c) = client_id {
            path.push(c);
        }
    }
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in [
            ("wa", &p.wa),
            ("wtrealm", &p.wtrealm),
            ("whr", &p.whr),
            ("wctx", &p.wctx),
            ("wreply", &p.wreply),
        ] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        for (k, v) in &p.repeated {
            q.append_pair(k, v);
        }
    }
    Ok(url)
}

// ---------------------------------------------------------------- the answer

/// What the final sign-in answer holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SigninAnswer {
    /// Its forms.
    pub forms: Vec<Form>,
    /// The form that carries `wresult` (the token), if any.
    pub token_form: Option<Form>,
    /// The `wresult` analysis.
    pub wresult: Option<WresultAnalysis>,
}

/// Reads a sign-in answer; `certs` are the metadata's signing certificates (DER).
pub fn analyse_answer(body: &[u8], certs: &[Vec<u8>]) -> SigninAnswer {
    let html = String::from_utf8_lossy(body);
    let forms = forms(&html);
    let token_form = forms
        .iter()
        .find(|f| f.fields.iter().any(|x| x.name == "wresult"))
        .cloned();
    let wresult = token_form
        .as_ref()
        .and_then(|f| f.value("wresult"))
        .map(|w| analyse_wresult(w, certs));
    SigninAnswer {
        forms,
        token_form,
        wresult,
    }
}

/// The `wresult` RSTR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WresultAnalysis {
    /// Parse error (None: well-formed).
    pub parse_error: Option<XmlError>,
    /// The RSTR shape (None: the root is no RSTR).
    pub shape: Option<Shape>,
    /// `wsp:AppliesTo/wsa:EndpointReference/wsa:Address`.
    pub applies_to: Option<String>,
    /// The RSTR's `Context` attribute, untrimmed (it echoes the request's context: WSF-11 looks
    /// for a placeholder in it).
    pub context: Option<String>,
    /// TokenType, Lifetime and the assertion.
    pub rstr: RstrAnalysis,
    /// The assertion's signature, checked with the metadata's certificates.
    pub signature: Option<SignatureReport>,
}

/// Analyses a `wresult` value.
pub fn analyse_wresult(text: &str, certs: &[Vec<u8>]) -> WresultAnalysis {
    let mut w = WresultAnalysis {
        parse_error: None,
        shape: None,
        applies_to: None,
        context: None,
        rstr: RstrAnalysis::default(),
        signature: None,
    };
    let doc = match xml::parse(text) {
        Ok(d) => d,
        Err(e) => {
            w.parse_error = Some(e);
            return w;
        }
    };
    let Some((rstr, ns, shape)) = wstrust::locate_rstr(doc.root_element()) else {
        return w;
    };
    w.shape = Some(shape);
    w.context = rstr
        .attribute("Context")
        .or_else(|| doc.root_element().attribute("Context"))
        .map(str::to_string);
    wstrust::read_rstr(rstr, ns, &mut w.rstr);
    w.applies_to = child(rstr, xml::WSP, "AppliesTo")
        .and_then(|a| {
            a.children()
                .find(|c| c.tag_name().name() == "EndpointReference")
        })
        .and_then(|e| e.children().find(|c| c.tag_name().name() == "Address"))
        .map(|a| text_of(a).trim().to_string());
    if let Some(assertion) = wstrust::assertion_node(rstr, ns) {
        w.signature = Some(verify_with_any(text, assertion, certs));
    }
    w
}

/// Verifies an element's signature with each certificate in turn: the first that verifies, or
/// else the failure that says most about the signer's own key (re-formatted after signing, or a
/// SignatureValue that verified with a reference digest that did not), or the first failure.
fn verify_with_any(text: &str, element: roxmltree::Node, certs: &[Vec<u8>]) -> SignatureReport {
    let mut failures = Vec::new();
    for cert in certs {
        let r = xmldsig::verify_element(text, element, cert);
        if r.verified.is_ok() {
            return r;
        }
        failures.push(r);
    }
    let signers = failures.iter().position(|r| {
        r.reformatted
            || matches!(
                r.failed_part,
                Some(xmldsig::FailedPart::ReferenceDigest { .. })
            )
    });
    let first = match signers {
        Some(i) => Some(failures.swap_remove(i)),
        None => failures.into_iter().next(),
    };
    first.unwrap_or_else(|| {
        let mut r = xmldsig::verify_element(text, element, &[]);
        if r.verified.is_err()
            && element
                .children()
                .any(|c| c.has_tag_name((xmldsig::DS, "Signature")))
        {
            r.verified = Err("no signing certificate from the metadata to verify with".into());
        }
        r
    })
}

// ---------------------------------------------------------------- metadata

/// A signing certificate from the metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// Subject, as the certificate spells it.
    pub subject: Option<String>,
    /// notBefore.
    pub not_before: Option<DateTime<Utc>>,
    /// notAfter.
    pub not_after: Option<DateTime<Utc>>,
    /// Why it could not be read.
    pub error: Option<String>,
    /// The DER bytes.
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl CertInfo {
    /// True when the certificate is valid at `now`.
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        matches!((self.not_before, self.not_after), (Some(a), Some(b)) if a <= now && now <= b)
    }
}

/// A `RoleDescriptor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// `xsi:type` as written.
    pub xsi_type: Option<String>,
    /// `xsi:type` resolved: `{namespace}local` (None: its prefix is not declared).
    pub resolved_type: Option<String>,
    /// `protocolSupportEnumeration`, split.
    pub protocols: Vec<String>,
    /// `protocolSupportEnumeration` as written (None: absent).
    pub protocol_support: Option<String>,
}

impl Role {
    /// True when the type resolves to `fed:SecurityTokenServiceType`.
    pub fn is_sts(&self) -> bool {
        self.resolved_type.as_deref() == Some(&format!("{{{FED}}}SecurityTokenServiceType"))
    }

    /// True when `protocolSupportEnumeration` lists the WS-Federation namespace (WSF-15).
    pub fn lists_wsfed(&self) -> bool {
        self.protocols.iter().any(|p| p == FED)
    }
}

/// Everything WSF-1…WSF-5 need about the metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MetadataAnalysis {
    /// Parse error (None: well-formed).
    pub parse_error: Option<XmlError>,
    /// The root is `md:EntityDescriptor`.
    pub entity_descriptor: bool,
    /// `entityID`.
    pub entity_id: Option<String>,
    /// Every RoleDescriptor.
    pub roles: Vec<Role>,
    /// Which role the other checks read: the STS role, or failing that the first whose type's
    /// local name is SecurityTokenServiceType, or the first.
    pub read_role: Option<usize>,
    /// `KeyDescriptor` signing certificates of that role.
    pub signing_certificates: Vec<CertInfo>,
    /// `fed:PassiveRequestorEndpoint` addresses.
    pub passive_endpoints: Vec<String>,
    /// `fed:SecurityTokenServiceEndpoint` addresses.
    pub sts_endpoints: Vec<String>,
    /// `fed:TokenTypesOffered/fed:TokenType/@Uri`.
    pub token_types: Vec<String>,
    /// `fed:TokenTypesOffered` is present in the role read (it may still list nothing).
    pub token_types_offered: bool,
    /// The metadata's own signature (None: unsigned), checked with its signing certificates.
    pub signature: Option<SignatureReport>,
}

impl MetadataAnalysis {
    /// What TokenTypesOffered says, in words: the types quoted, or that it is absent or empty.
    pub fn token_types_text(&self) -> String {
        match (self.token_types_offered, self.token_types.is_empty()) {
            (false, _) => "fed:TokenTypesOffered is absent".to_string(),
            (true, true) => "fed:TokenTypesOffered lists no fed:TokenType".to_string(),
            (true, false) => format!(
                "fed:TokenTypesOffered lists {}",
                self.token_types
                    .iter()
                    .map(|t| super::quoted(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The signing certificates, DER.
    pub fn certificate_ders(&self) -> Vec<Vec<u8>> {
        self.signing_certificates
            .iter()
            .filter(|c| c.error.is_none())
            .map(|c| c.der.clone())
            .collect()
    }
}

fn cert_info(b64: &str) -> CertInfo {
    let clean: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let mut info = CertInfo {
        subject: None,
        not_before: None,
        not_after: None,
        error: None,
        der: Vec::new(),
    };
    let der = match base64::engine::general_purpose::STANDARD.decode(clean.as_bytes()) {
        Ok(d) => d,
        Err(e) => {
            info.error = Some(format!("X509Certificate is not base64: {e}"));
            return info;
        }
    };
    match x509_parser::parse_x509_certificate(&der) {
        Ok((_, cert)) => {
            let v = cert.validity();
            info.subject = Some(cert.subject().to_string());
            info.not_before = DateTime::from_timestamp(v.not_before.timestamp(), 0);
            info.not_after = DateTime::from_timestamp(v.not_after.timestamp(), 0);
        }
        Err(e) => info.error = Some(format!("X509Certificate does not parse: {e}")),
    }
    info.der = der;
    info
}

fn endpoint_addresses(role: roxmltree::Node, local: &str) -> Vec<String> {
    children(role, FED, local)
        .flat_map(|e| {
            e.children()
                .filter(|c| c.tag_name().name() == "EndpointReference")
        })
        .filter_map(|r| {
            r.children().find(|c| {
                c.tag_name().name() == "Address"
                    && matches!(c.tag_name().namespace(), Some(xml::WSA10) | Some(WSA04))
            })
        })
        .map(|a| text_of(a).trim().to_string())
        .collect()
}

/// Analyses a federation metadata document.
pub fn analyse_metadata(body: &[u8]) -> MetadataAnalysis {
    let mut m = MetadataAnalysis::default();
    let decoded = match xml::decode(body) {
        Ok(d) => d.text,
        Err(e) => {
            m.parse_error = Some(e);
            return m;
        }
    };
    let doc = match xml::parse(&decoded) {
        Ok(d) => d,
        Err(e) => {
            m.parse_error = Some(e);
            return m;
        }
    };
    let text = doc.input_text();
    let root = doc.root_element();
    m.entity_descriptor = xml::is(root, MD, "EntityDescriptor");
    m.entity_id = root.attribute("entityID").map(str::to_string);
    let role_nodes: Vec<roxmltree::Node> = children(root, MD, "RoleDescriptor").collect();
    m.roles = role_nodes
        .iter()
        .map(|r| {
            let xsi_type = r.attribute((XSI, "type")).map(str::to_string);
            let resolved_type = xsi_type.as_deref().and_then(|t| {
                let (prefix, local) = t.trim().split_once(':').unwrap_or(("", t.trim()));
                let ns = if prefix.is_empty() {
                    r.default_namespace()
                } else {
                    r.lookup_namespace_uri(Some(prefix))
                };
                ns.map(|n| format!("{{{n}}}{local}"))
            });
            let protocol_support = r
                .attribute("protocolSupportEnumeration")
                .map(str::to_string);
            Role {
                xsi_type,
                resolved_type,
                protocols: protocol_support
                    .as_deref()
                    .map(|p| p.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                protocol_support,
            }
        })
        .collect();
    m.read_role = m
        .roles
        .iter()
        .position(Role::is_sts)
        .or_else(|| {
            m.roles.iter().position(|r| {
                r.xsi_type
                    .as_deref()
                    .is_some_and(|t| t.ends_with("SecurityTokenServiceType"))
            })
        })
        .or(if m.roles.is_empty() { None } else { Some(0) });
    if let Some(role) = m.read_role.and_then(|i| role_nodes.get(i).copied()) {
        m.signing_certificates = children(role, MD, "KeyDescriptor")
            .filter(|k| k.attribute("use").is_none_or(|u| u == "signing"))
            .flat_map(|k| {
                k.descendants()
                    .filter(|n| n.has_tag_name((xmldsig::DS, "X509Certificate")))
            })
            .map(|c| cert_info(&text_of(c)))
            .collect();
        m.passive_endpoints = endpoint_addresses(role, "PassiveRequestorEndpoint");
        m.sts_endpoints = endpoint_addresses(role, "SecurityTokenServiceEndpoint");
        m.token_types_offered = children(role, FED, "TokenTypesOffered").next().is_some();
        m.token_types = children(role, FED, "TokenTypesOffered")
            .flat_map(|t| children(t, FED, "TokenType"))
            .filter_map(|t| t.attribute("Uri").map(|u| u.trim().to_string()))
            .collect();
    }
    if root
        .children()
        .any(|c| c.has_tag_name((xmldsig::DS, "Signature")))
    {
        m.signature = Some(verify_with_any(text, root, &m.certificate_ders()));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_character_references_and_find_the_password() {
        let html = r#"<html><body><form method="post" action="/x?a=1&amp;b=2">
            <input type="hidden" name="wctx" value="a&amp;b &quot;c&quot; &lt;é&gt;">
            <input name="user"><input type="PASSWORD" name="pw"><input type="submit" name="go" value="Go">
            </form><form><textarea name="t">x &amp; y</textarea></form></body></html>"#;
        let f = forms(html);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].action.as_deref(), Some("/x?a=1&b=2"));
        assert_eq!(f[0].method, "POST");
        assert_eq!(f[0].value("wctx"), Some("a&b \"c\" <é>"));
        assert!(f[0].asks_password());
        assert_eq!(
            f[0].login_fields("u@x", "p"),
            vec![
                ("wctx".to_string(), "a&b \"c\" <é>".to_string()),
                ("user".to_string(), "u@x".to_string()),
                ("pw".to_string(), "p".to_string()),
                ("go".to_string(), "Go".to_string()),
            ]
        );
        // A named <button> is the submitter; only the first submit control is sent.
        let g = forms(
            r#"<form method="post"><input type="hidden" name="state" value="s"><input name="username"><input type="password" name="password"><button type="submit" name="action" value="default">Continue</button><button name="action" value="other">No</button></form>"#,
        );
        assert_eq!(
            g[0].login_fields("u@x", "p"),
            vec![
                ("state".to_string(), "s".to_string()),
                ("username".to_string(), "u@x".to_string()),
                ("password".to_string(), "p".to_string()),
                ("action".to_string(), "default".to_string()),
            ]
        );
        assert_eq!(f[1].method, "GET");
        assert_eq!(f[1].value("t"), Some("x & y"));
    }

    #[test]
    fn the_signin_url_form_encodes_in_order() {
        let base = Url::parse("https://idp.example/").unwrap_or_else(|e| panic!("{e}"));
        let p = SigninParams {
            wa: Some(WSIGNIN.into()),
            wtrealm: Some("urn:a b".into()),
            whr: None,
            wctx: Some("x+y&z".into()),
            wreply: Some("https://rp.example/cb".into()),
            repeated: vec![("wa".into(), WSIGNOUT.into())],
        };
        let u = signin_url(&base, Some("c1"), &p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            u.as_str(),
            "https://idp.example/wsfed/c1?wa=wsignin1.0&wtrealm=urn%3Aa+b&wctx=x%2By%26z&wreply=https%3A%2F%2Frp.example%2Fcb&wa=wsignout1.0"
        );
    }

    #[test]
    fn role_types_resolve_by_namespace_not_prefix() {
        let doc = format!(
            r#"<EntityDescriptor xmlns="{MD}" entityID="urn:e"><RoleDescriptor xmlns:xsi="{XSI}" xmlns:q="{FED}" xsi:type="q:SecurityTokenServiceType" protocolSupportEnumeration="{FED}"/><RoleDescriptor xmlns:xsi="{XSI}" xmlns:fed="urn:not-fed" xsi:type="fed:SecurityTokenServiceType"/></EntityDescriptor>"#
        );
        let m = analyse_metadata(doc.as_bytes());
        assert!(m.entity_descriptor);
        assert!(m.roles[0].is_sts());
        assert!(!m.roles[1].is_sts());
        assert_eq!(m.read_role, Some(0));
        assert_eq!(m.roles[0].protocols, vec![FED.to_string()]);
        assert!(m.signature.is_none());
    }
}
