//! WS-Trust login (SPEC.md "WST"): the RequestSecurityToken macOS sends, and the analysis of the
//! answer as macOS reads it — nonce echo, Timestamp freshness, response shape per version,
//! TokenType → OAuth grant type, the assertion, and SOAP faults.

use super::WsTrustVersion;
use super::xml::{self, child, path, text_of};
use crate::redact::xml_escape;
use chrono::{DateTime, Utc};
use roxmltree::Node;
use serde::Serialize;

/// SOAP 1.2 envelope namespace.
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// WS-Security secext.
pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Trust 1.3.
pub const T13: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
/// WS-Trust 2005.
pub const T05: &str = "http://schemas.xmlsoap.org/ws/2005/02/trust";
/// SAML 1.x assertion namespace.
pub const SAML1: &str = "urn:oasis:names:tc:SAML:1.0:assertion";
/// SAML 2.0 assertion namespace.
pub const SAML2: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The PasswordText type URI.
pub const PASSWORD_TEXT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
/// macOS's freshness window, in seconds (WST-3).
pub const FRESHNESS_SECONDS: i64 = 120;

/// The trust namespace of a version.
pub fn trust_ns(v: WsTrustVersion) -> &'static str {
    match v {
        WsTrustVersion::V13 => T13,
        WsTrustVersion::V2005 => T05,
    }
}

/// `t:KeyType` of a version.
pub fn key_type(v: WsTrustVersion) -> &'static str {
    match v {
        WsTrustVersion::V13 => "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
        WsTrustVersion::V2005 => "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey",
    }
}

/// `t:RequestType` of a version.
pub fn request_type(v: WsTrustVersion) -> &'static str {
    match v {
        WsTrustVersion::V13 => "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
        WsTrustVersion::V2005 => "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue",
    }
}

/// How the request differs from macOS's exact one (each variation isolates one requirement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Variation {
    /// Put `Type="…#PasswordText"` on `o:Password` (macOS sends none; WST-10).
    pub password_type: bool,
    /// Add a `u:Timestamp` to `o:Security` (macOS sends none; WST-11).
    pub timestamp: bool,
    /// Send the version's own action as the HTTP SOAPAction (macOS always sends 1.3's; WST-12).
    pub matching_soap_action: bool,
}

impl Variation {
    /// The standard WS-Security request: every macOS quirk undone.
    pub const STANDARD: Variation = Variation {
        password_type: true,
        timestamp: true,
        matching_soap_action: true,
    };
    /// Exactly what macOS sends.
    pub const MACOS: Variation = Variation {
        password_type: false,
        timestamp: false,
        matching_soap_action: false,
    };
}

/// What goes into one RequestSecurityToken.
#[derive(Debug, Clone)]
pub struct Rst<'a> {
    /// WS-Trust version of the endpoint.
    pub version: WsTrustVersion,
    /// The endpoint address (`a:To`).
    pub to: &'a str,
    /// Login name.
    pub username: &'a str,
    /// Password (never a digest).
    pub password: &'a str,
    /// `federationRequestURN` (AppliesTo).
    pub applies_to: &'a str,
    /// The nonce: `a:MessageID` is `urn:uuid:<this>`.
    pub message_id: uuid::Uuid,
    /// `u:Id` of the UsernameToken is `uuid-<this>`.
    pub token_id: uuid::Uuid,
    /// The request's variation from macOS's.
    pub variation: Variation,
    /// Now, for the optional Timestamp.
    pub now: DateTime<Utc>,
}

impl Rst<'_> {
    /// `urn:uuid:<MessageID>` with the UUID upper-case, as Foundation writes it (macOS compares
    /// the `RelatesTo` echo with it exactly): what RelatesTo must echo.
    pub fn nonce(&self) -> String {
        format!("urn:uuid:{}", super::macos::uuid_string(self.message_id))
    }

    /// The HTTP SOAPAction header: 1.3's action even for 2005 (a macOS quirk), unless the
    /// variation asks for the matching one.
    pub fn soap_action_header(&self) -> &'static str {
        if self.variation.matching_soap_action {
            super::mex::issue_action(self.version)
        } else {
            super::mex::issue_action(WsTrustVersion::V13)
        }
    }

    /// The HTTP headers of the POST, in order: `Content-Type`, `SOAPAction`, then what macOS's
    /// URL loading system adds ([`super::macos::request_headers`]).
    pub fn headers(&self) -> Vec<(String, String)> {
        super::macos::request_headers(&[
            ("Content-Type", "application/soap+xml; charset=utf-8"),
            ("SOAPAction", self.soap_action_header()),
        ])
    }

    /// The SOAP 1.2 envelope, every value XML-escaped. The password is always PasswordText.
    pub fn to_xml(&self) -> String {
        let v = self.version;
        let pw_type = if self.variation.password_type {
            format!(" Type=\"{PASSWORD_TEXT}\"")
        } else {
            String::new()
        };
        let timestamp = if self.variation.timestamp {
            let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            format!(
                "<u:Timestamp u:Id=\"_0\"><u:Created>{}</u:Created><u:Expires>{}</u:Expires></u:Timestamp>",
                fmt(self.now),
                fmt(self.now + chrono::Duration::minutes(5))
            )
        } else {
            String::new()
        };
        format!(
            concat!(
                "<s:Envelope xmlns:s=\"{s}\" xmlns:a=\"{a}\" xmlns:u=\"{u}\">",
                "<s:Header>",
                "<a:Action s:mustUnderstand=\"1\">{action}</a:Action>",
                "<a:MessageID>{nonce}</a:MessageID>",
                "<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>",
                "<a:To s:mustUnderstand=\"1\">{to}</a:To>",
                "<o:Security s:mustUnderstand=\"1\" xmlns:o=\"{o}\">",
                "{timestamp}",
                "<o:UsernameToken u:Id=\"uuid-{token_id}\">",
                "<o:Username>{user}</o:Username>",
                "<o:Password{pw_type}>{password}</o:Password>",
                "</o:UsernameToken>",
                "</o:Security>",
                "</s:Header>",
                "<s:Body>",
                "<t:RequestSecurityToken xmlns:t=\"{t}\">",
                "<wsp:AppliesTo xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2004/09/policy\"><a:EndpointReference><a:Address>{urn}</a:Address></a:EndpointReference></wsp:AppliesTo>",
                "<t:KeyType>{key_type}</t:KeyType>",
                "<t:RequestType>{request_type}</t:RequestType>",
                "</t:RequestSecurityToken>",
                "</s:Body>",
                "</s:Envelope>"
            ),
            s = SOAP12,
            a = xml::WSA10,
            u = xml::WSU,
            o = WSSE,
            t = trust_ns(v),
            action = super::mex::issue_action(v),
            nonce = self.nonce(),
            to = xml_escape(self.to),
            timestamp = timestamp,
            token_id = super::macos::uuid_string(self.token_id),
            user = xml_escape(self.username),
            pw_type = pw_type,
            password = xml_escape(self.password),
            urn = xml_escape(self.applies_to),
            key_type = key_type(v),
            request_type = request_type(v),
        )
    }
}

/// The OAuth grant type macOS sends for a TokenType (WST-5), or None for an unknown type.
pub fn grant_type(token_type: &str) -> Option<&'static str> {
    match token_type {
        "urn:oasis:names:tc:SAML:1.0:assertion"
        | "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1" => {
            Some("urn:ietf:params:oauth:grant-type:saml1_1-bearer")
        }
        "urn:oasis:names:tc:SAML:2.0:assertion"
        | "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" => {
            Some("urn:ietf:params:oauth:grant-type:saml2-bearer")
        }
        _ => None,
    }
}

/// SOAP 1.1 envelope namespace (macOS reads only SOAP 1.2).
pub const SOAP11: &str = super::answer::SOAP11;
/// WS-Addressing 2004/08, whose `RelatesTo` macOS does not read (it reads 2005/08's).
pub const WSA04: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";

/// A SOAP version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SoapVersion {
    /// SOAP 1.1 (`http://schemas.xmlsoap.org/soap/envelope/`): macOS does not read it.
    #[serde(rename = "1.1")]
    V11,
    /// SOAP 1.2 (`http://www.w3.org/2003/05/soap-envelope`).
    #[serde(rename = "1.2")]
    V12,
}

/// A SOAP fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// The envelope's SOAP version.
    pub soap: SoapVersion,
    /// `s:Code/s:Value` (SOAP 1.1: `faultcode`).
    pub code: Option<String>,
    /// `s:Code/s:Subcode/s:Value` (SOAP 1.1 has none).
    pub subcode: Option<String>,
    /// `s:Reason/s:Text` (SOAP 1.1: `faultstring`).
    pub reason: Option<String>,
}

/// A `RelatesTo` header in a namespace macOS does not read (WS-Addressing 2004/08).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignRelatesTo {
    /// Its namespace.
    pub namespace: String,
    /// Its text, untrimmed.
    pub value: String,
}

impl Fault {
    /// True when macOS reports a credential error: a SOAP 1.2 fault whose subcode ends with
    /// `FailedAuthentication`.
    pub fn is_failed_authentication(&self) -> bool {
        self.soap == SoapVersion::V12
            && self
                .subcode
                .as_deref()
                .is_some_and(|s| s.trim().ends_with("FailedAuthentication"))
    }

    /// The code that says what failed: the subcode, else the code.
    pub fn code_text(&self) -> String {
        self.subcode
            .clone()
            .or(self.code.clone())
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

/// Which response body shape was found (WST-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// `t13:RequestSecurityTokenResponseCollection/t13:RequestSecurityTokenResponse`.
    Collection13,
    /// A bare `t13:RequestSecurityTokenResponse`.
    Bare13,
    /// A bare `t05:RequestSecurityTokenResponse`.
    Bare2005,
    /// `t05:RequestSecurityTokenResponseCollection/...` (not what macOS reads for 2005).
    Collection2005,
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Shape::Collection13 => "a WS-Trust 1.3 RequestSecurityTokenResponseCollection",
            Shape::Bare13 => "a bare WS-Trust 1.3 RequestSecurityTokenResponse",
            Shape::Bare2005 => "a bare WS-Trust 2005 RequestSecurityTokenResponse",
            Shape::Collection2005 => "a WS-Trust 2005 RequestSecurityTokenResponseCollection",
        })
    }
}

impl Shape {
    /// The shape macOS reads for a version.
    pub fn expected(v: WsTrustVersion) -> Shape {
        match v {
            WsTrustVersion::V13 => Shape::Collection13,
            WsTrustVersion::V2005 => Shape::Bare2005,
        }
    }
}

/// An instant as written, and as parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instant {
    /// The text.
    pub text: String,
    /// Parsed (None: not RFC 3339).
    pub parsed: Option<DateTime<Utc>>,
}

fn instant(s: String) -> Instant {
    let parsed = DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc));
    Instant { text: s, parsed }
}

/// The assertion inside RequestedSecurityToken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assertion {
    /// `saml` (1.x) or `saml2`.
    pub kind: String,
    /// Conditions/@NotBefore.
    pub not_before: Option<Instant>,
    /// Conditions/@NotOnOrAfter.
    pub not_on_or_after: Option<Instant>,
    /// Audience values.
    pub audiences: Vec<String>,
    /// It carries a ds:Signature.
    pub signed: bool,
    /// Its attributes, in document order: name (SAML 1.x: `AttributeNamespace/AttributeName`),
    /// values, and the `OriginalIssuer` a claim carries (AD FS writes it on claims from another
    /// claims provider).
    pub attributes: Vec<SamlAttribute>,
}

/// One attribute of an assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SamlAttribute {
    /// The attribute's name.
    pub name: String,
    /// Its values, trimmed.
    pub values: Vec<String>,
    /// Its `OriginalIssuer`, when it has one.
    pub original_issuer: Option<String>,
}

/// The namespace of the `OriginalIssuer` attribute AD FS puts on claims.
pub const CLAIMS_2009: &str = "http://schemas.xmlsoap.org/ws/2009/09/identity/claims";

/// The kind of token a TokenType URI names: `saml` (SAML 1.x) or `saml2`; None for another type.
pub fn token_kind(token_type: &str) -> Option<&'static str> {
    match token_type.trim() {
        "urn:oasis:names:tc:SAML:1.0:assertion"
        | "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1" => {
            Some("saml")
        }
        "urn:oasis:names:tc:SAML:2.0:assertion"
        | "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" => {
            Some("saml2")
        }
        _ => None,
    }
}

/// The TokenType URI of an assertion kind (`saml` → the SAML 1.0 URN, `saml2` → the 2.0 one).
pub fn token_type_of_kind(kind: &str) -> &'static str {
    if kind == "saml2" { SAML2 } else { SAML1 }
}

/// Everything WST-1…WST-9 and WST-15 need about one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RstrAnalysis {
    /// Parse error (None: well-formed).
    pub parse_error: Option<xml::XmlError>,
    /// The root is a SOAP 1.2 `s:Envelope`.
    pub soap12_envelope: bool,
    /// The root is a SOAP 1.1 envelope (which macOS does not read).
    pub soap11_envelope: bool,
    /// The root is a bare RequestSecurityTokenResponse (or collection), with no SOAP envelope:
    /// what WS-Federation carries in `wresult`, not a WS-Trust answer.
    pub bare_rstr: bool,
    /// `s:Header/a:RelatesTo` (WS-Addressing 2005/08, the one macOS reads).
    pub relates_to: Option<String>,
    /// A `RelatesTo` in another namespace (2004/08), when there is no 2005/08 one.
    pub relates_to_foreign: Option<ForeignRelatesTo>,
    /// `s:Header/o:Security/u:Timestamp/u:Created`.
    pub created: Option<Instant>,
    /// `…/u:Expires`.
    pub expires: Option<Instant>,
    /// The SOAP fault, if the body is one.
    pub fault: Option<Fault>,
    /// The RSTR shape, if one was found.
    pub shape: Option<Shape>,
    /// How many RequestSecurityTokenResponse elements the body (or its collection) holds; the
    /// first is the one read.
    #[serde(default)]
    pub rstr_count: usize,
    /// `TokenType` text, untrimmed.
    pub token_type: Option<String>,
    /// The grant type macOS would send.
    pub grant_type: Option<String>,
    /// The assertion in RequestedSecurityToken.
    pub assertion: Option<Assertion>,
    /// `t:Lifetime/u:Created`.
    pub lifetime_created: Option<Instant>,
    /// `t:Lifetime/u:Expires`.
    pub lifetime_expires: Option<Instant>,
}

/// Analyses a WS-Trust response body.
pub fn analyse(body: &[u8]) -> RstrAnalysis {
    let mut a = RstrAnalysis::default();
    let text = match xml::decode(body) {
        Ok(d) => d.text,
        Err(e) => {
            a.parse_error = Some(e);
            return a;
        }
    };
    let doc = match xml::parse(&text) {
        Ok(d) => d,
        Err(e) => {
            a.parse_error = Some(e);
            return a;
        }
    };
    let root = doc.root_element();
    a.soap12_envelope = xml::is(root, SOAP12, "Envelope");
    a.soap11_envelope = xml::is(root, SOAP11, "Envelope");
    if let Some((rstr, ns, shape)) = locate_rstr(root) {
        // No envelope: a bare RSTR, as WS-Federation's wresult carries one.
        a.bare_rstr = true;
        a.shape = Some(shape);
        read_rstr(rstr, ns, &mut a);
        return a;
    }
    let soap = if a.soap11_envelope { SOAP11 } else { SOAP12 };
    let header = child(root, soap, "Header");
    let body = child(root, soap, "Body");
    if let Some(h) = header {
        a.relates_to = child(h, xml::WSA10, "RelatesTo").map(text_of);
        if a.relates_to.is_none() {
            a.relates_to_foreign = h
                .children()
                .find(|c| {
                    c.is_element()
                        && c.tag_name().name() == "RelatesTo"
                        && c.tag_name().namespace() != Some(xml::WSA10)
                })
                .map(|c| ForeignRelatesTo {
                    namespace: c.tag_name().namespace().unwrap_or("").to_string(),
                    value: text_of(c),
                });
        }
        if let Some(ts) = path(h, &[(WSSE, "Security"), (xml::WSU, "Timestamp")]) {
            a.created = child(ts, xml::WSU, "Created").map(|n| instant(text_of(n)));
            a.expires = child(ts, xml::WSU, "Expires").map(|n| instant(text_of(n)));
        }
    }
    let Some(body) = body else { return a };
    if a.soap11_envelope {
        if let Some(f) = child(body, SOAP11, "Fault") {
            // SOAP 1.1 faults: unqualified faultcode and faultstring children.
            let field = |name: &str| {
                f.children()
                    .find(|c| c.is_element() && c.tag_name().name() == name)
                    .map(text_of)
            };
            a.fault = Some(Fault {
                soap: SoapVersion::V11,
                code: field("faultcode"),
                subcode: None,
                reason: field("faultstring"),
            });
            return a;
        }
    } else if let Some(f) = child(body, SOAP12, "Fault") {
        a.fault = Some(Fault {
            soap: SoapVersion::V12,
            code: path(f, &[(SOAP12, "Code"), (SOAP12, "Value")]).map(text_of),
            subcode: path(
                f,
                &[(SOAP12, "Code"), (SOAP12, "Subcode"), (SOAP12, "Value")],
            )
            .map(text_of),
            reason: path(f, &[(SOAP12, "Reason"), (SOAP12, "Text")]).map(text_of),
        });
        return a;
    }
    if let Some((rstr, ns, shape)) = body.children().find_map(locate_rstr) {
        a.shape = Some(shape);
        let holder = rstr.parent().unwrap_or(body);
        a.rstr_count = holder
            .children()
            .filter(|c| xml::is(*c, ns, "RequestSecurityTokenResponse"))
            .count();
        read_rstr(rstr, ns, &mut a);
    }
    a
}

/// The RSTR at `n`: `n` itself (a bare RSTR) or the first RSTR of `n` (a collection), with its
/// namespace and shape.
pub fn locate_rstr<'a, 'i>(n: Node<'a, 'i>) -> Option<(Node<'a, 'i>, &'static str, Shape)> {
    for (ns, collection, bare) in [
        (T13, Shape::Collection13, Shape::Bare13),
        (T05, Shape::Collection2005, Shape::Bare2005),
    ] {
        if xml::is(n, ns, "RequestSecurityTokenResponseCollection") {
            return child(n, ns, "RequestSecurityTokenResponse").map(|r| (r, ns, collection));
        }
        if xml::is(n, ns, "RequestSecurityTokenResponse") {
            return Some((n, ns, bare));
        }
    }
    None
}

/// The assertion inside an RSTR's RequestedSecurityToken (SAML 1.x or 2.0).
pub fn assertion_node<'a, 'i>(rstr: Node<'a, 'i>, ns: &str) -> Option<Node<'a, 'i>> {
    child(rstr, ns, "RequestedSecurityToken").and_then(|rst| {
        rst.children()
            .find(|c| xml::is(*c, SAML1, "Assertion") || xml::is(*c, SAML2, "Assertion"))
    })
}

/// Reads TokenType, grant type, Lifetime and the assertion of an RSTR.
pub fn read_rstr(rstr: Node, ns: &str, a: &mut RstrAnalysis) {
    a.token_type = child(rstr, ns, "TokenType").map(text_of);
    a.grant_type = a
        .token_type
        .as_deref()
        .and_then(grant_type)
        .map(String::from);
    if let Some(lt) = child(rstr, ns, "Lifetime") {
        a.lifetime_created = child(lt, xml::WSU, "Created").map(|n| instant(text_of(n)));
        a.lifetime_expires = child(lt, xml::WSU, "Expires").map(|n| instant(text_of(n)));
    }
    a.assertion = assertion_node(rstr, ns).map(|n| {
        let saml2 = xml::is(n, SAML2, "Assertion");
        let ns = if saml2 { SAML2 } else { SAML1 };
        let conditions = child(n, ns, "Conditions");
        let audiences = conditions
            .map(|c| {
                let restriction = if saml2 {
                    "AudienceRestriction"
                } else {
                    "AudienceRestrictionCondition"
                };
                xml::children(c, ns, restriction)
                    .flat_map(|r| xml::children(r, ns, "Audience"))
                    .map(|x| text_of(x).trim().to_string())
                    .collect()
            })
            .unwrap_or_default();
        Assertion {
            kind: if saml2 { "saml2".into() } else { "saml".into() },
            not_before: conditions
                .and_then(|c| c.attribute("NotBefore"))
                .map(|s| instant(s.to_string())),
            not_on_or_after: conditions
                .and_then(|c| c.attribute("NotOnOrAfter"))
                .map(|s| instant(s.to_string())),
            audiences,
            signed: n
                .children()
                .any(|c| xml::is(c, "http://www.w3.org/2000/09/xmldsig#", "Signature")),
            attributes: n
                .descendants()
                .filter(|a| xml::is(*a, ns, "Attribute"))
                .map(|a| SamlAttribute {
                    name: match (a.attribute("Name"), a.attribute("AttributeName")) {
                        (Some(name), _) => name.to_string(),
                        (None, Some(name)) => match a.attribute("AttributeNamespace") {
                            Some(space) => format!("{}/{name}", space.trim_end_matches('/')),
                            None => name.to_string(),
                        },
                        (None, None) => String::new(),
                    },
                    values: xml::children(a, ns, "AttributeValue")
                        .map(|v| text_of(v).trim().to_string())
                        .collect(),
                    original_issuer: a
                        .attribute((CLAIMS_2009, "OriginalIssuer"))
                        .or_else(|| a.attribute("OriginalIssuer"))
                        .map(str::to_string),
                })
                .collect(),
        }
    });
}

/// The assertion element TokenType names (WST-6): `saml2` for SAML 2.0 types, `saml` otherwise.
pub fn expected_assertion_kind(token_type: &str) -> &'static str {
    if token_type.contains("SAML:2.0") || token_type.ends_with("#SAMLV2.0") {
        "saml2"
    } else {
        "saml"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rst(variation: Variation, version: WsTrustVersion) -> String {
        let id = uuid::Uuid::nil();
        Rst {
            version,
            to: "https://sts.example/adfs/services/trust/13/usernamemixed",
            username: "o'brien&<co>@contoso.example",
            password: "p\"w<&>é",
            applies_to: "urn:federation:MicrosoftOnline",
            message_id: id,
            token_id: id,
            variation,
            now: DateTime::parse_from_rfc3339("2026-11-23T07:00:00Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default(),
        }
        .to_xml()
    }

    #[test]
    fn macos_request_shape() {
        insta::assert_snapshot!("rst-13-macos", rst(Variation::MACOS, WsTrustVersion::V13));
        insta::assert_snapshot!(
            "rst-2005-macos",
            rst(Variation::MACOS, WsTrustVersion::V2005)
        );
        insta::assert_snapshot!(
            "rst-13-standard",
            rst(Variation::STANDARD, WsTrustVersion::V13)
        );
    }

    #[test]
    fn the_request_is_well_formed_and_never_a_digest() {
        for v in WsTrustVersion::PREFERENCE {
            for var in [Variation::MACOS, Variation::STANDARD] {
                let x = rst(var, v);
                let doc = roxmltree::Document::parse(&x).ok();
                let pw = doc
                    .as_ref()
                    .and_then(|d| d.descendants().find(|n| n.has_tag_name((WSSE, "Password"))));
                assert_eq!(
                    pw.and_then(|p| p.text()),
                    Some("p\"w<&>é"),
                    "escaping round-trips"
                );
                assert!(
                    !x.contains("PasswordDigest") && !x.contains("Nonce"),
                    "never a digest"
                );
                assert_eq!(
                    pw.and_then(|p| p.attribute("Type")).is_some(),
                    var.password_type
                );
                assert_eq!(x.contains("u:Timestamp"), var.timestamp);
            }
        }
    }

    #[test]
    fn grant_types() {
        assert_eq!(
            grant_type("urn:oasis:names:tc:SAML:1.0:assertion"),
            Some("urn:ietf:params:oauth:grant-type:saml1_1-bearer")
        );
        assert_eq!(
            grant_type("http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0"),
            Some("urn:ietf:params:oauth:grant-type:saml2-bearer")
        );
        assert_eq!(grant_type(" urn:oasis:names:tc:SAML:2.0:assertion"), None);
    }
}
