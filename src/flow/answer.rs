//! What came back: a one-line account of an answer's body, so that every "not what was expected"
//! message names what the IdP actually sent (rule 6) — an HTML page with its title, an empty
//! body, JSON, a SOAP 1.1 or 1.2 envelope, other XML by its root, a JWT, plain text.

use super::xml;

/// SOAP 1.1 envelope namespace (macOS reads only SOAP 1.2).
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// The kind of a body, as far as the messages need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    /// No bytes at all (or only whitespace).
    Empty,
    /// An HTML page, with its `<title>` when it has one.
    Html {
        /// The title text, whitespace collapsed.
        title: Option<String>,
    },
    /// JSON.
    Json,
    /// A SOAP 1.1 envelope (with a `soap:Fault` or not).
    Soap11 {
        /// The body holds a SOAP 1.1 fault; its faultcode.
        fault: Option<String>,
    },
    /// A SOAP 1.2 envelope.
    Soap12,
    /// Other well-formed XML, by its root's expanded name.
    Xml {
        /// `{namespace}local` or `local`.
        root: String,
    },
    /// Not well-formed XML that looked like XML, with the parser's reason.
    BrokenXml {
        /// Where and why, `line 1, column 5: …`.
        error: String,
    },
    /// XML with a document type declaration (DTDs are refused, so nothing in it is read).
    XmlWithDtd,
    /// A compact JWT (three base64url parts).
    Jwt,
    /// Anything else, as a short quoted excerpt.
    Text {
        /// The first characters, quoted.
        excerpt: String,
    },
    /// Bytes that are not text.
    Binary,
}

impl std::fmt::Display for BodyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyKind::Empty => f.write_str("an empty body"),
            BodyKind::Html { title: Some(t) } => {
                write!(f, "an HTML page titled {}", super::quoted(t))
            }
            BodyKind::Html { title: None } => f.write_str("an HTML page without a title"),
            BodyKind::Json => f.write_str("a JSON document"),
            BodyKind::Soap11 { fault: Some(c) } => write!(
                f,
                "a SOAP 1.1 fault (faultcode {}), which macOS does not read: it reads only SOAP 1.2",
                super::quoted(c)
            ),
            BodyKind::Soap11 { fault: None } => f.write_str(
                "a SOAP 1.1 envelope, which macOS does not read: it reads only SOAP 1.2",
            ),
            BodyKind::Soap12 => f.write_str("a SOAP 1.2 envelope"),
            BodyKind::Xml { root } => write!(f, "an XML document whose root is {root}"),
            BodyKind::BrokenXml { error } => write!(f, "XML that is not well-formed ({error})"),
            BodyKind::XmlWithDtd => f.write_str(
                "an XML document with a DTD (a document type declaration is refused, so nothing in it is read)",
            ),
            BodyKind::Jwt => f.write_str("a JWT"),
            BodyKind::Text { excerpt } => write!(f, "the text {excerpt}"),
            BodyKind::Binary => f.write_str("binary data"),
        }
    }
}

fn looks_like_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn html_title(text: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(text);
    let sel = scraper::Selector::parse("title").ok()?;
    let t = doc.select(&sel).next()?.text().collect::<String>();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// A body's text in whichever encoding it is written: XML's rules (a BOM, UTF-16, a declared
/// encoding), else JSON's (UTF-16 and UTF-32 without a BOM). None: not text.
fn text_of_body(body: &[u8]) -> Option<String> {
    match super::text::xml(body) {
        Ok(d) if !d.text.contains('\0') => Some(d.text.into_owned()),
        _ => super::text::json(body).ok().map(|d| d.text.into_owned()),
    }
}

/// Classifies a body.
pub fn classify(body: &[u8]) -> BodyKind {
    let Some(owned) = text_of_body(body) else {
        return BodyKind::Binary;
    };
    let text = owned.as_str();
    let t = text.trim();
    if t.is_empty() {
        return BodyKind::Empty;
    }
    let lower: String = t.chars().take(512).collect::<String>().to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.contains("<html")
    {
        return BodyKind::Html {
            title: html_title(text),
        };
    }
    if t.starts_with('<') {
        return match xml::parse(t) {
            Ok(doc) => {
                let root = doc.root_element();
                let name = root.tag_name();
                if name.name() == "Envelope" && name.namespace() == Some(SOAP11) {
                    let fault = xml::child(root, SOAP11, "Body")
                        .and_then(|b| xml::child(b, SOAP11, "Fault"))
                        .map(|f| {
                            f.children()
                                .find(|c| c.is_element() && c.tag_name().name() == "faultcode")
                                .map(xml::text_of)
                                .unwrap_or_default()
                                .trim()
                                .to_string()
                        });
                    BodyKind::Soap11 { fault }
                } else if name.name() == "Envelope" && name.namespace() == Some(SOAP12) {
                    BodyKind::Soap12
                } else if name.name().eq_ignore_ascii_case("html") {
                    BodyKind::Html {
                        title: html_title(text),
                    }
                } else {
                    BodyKind::Xml {
                        root: match name.namespace() {
                            Some(ns) => format!("{{{ns}}}{}", name.name()),
                            None => name.name().to_string(),
                        },
                    }
                }
            }
            Err(e) if e.message.contains("DTD") => BodyKind::XmlWithDtd,
            Err(e) => BodyKind::BrokenXml {
                error: e.to_string(),
            },
        };
    }
    if (t.starts_with('{') || t.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(t).is_ok()
    {
        return BodyKind::Json;
    }
    if looks_like_jwt(t) {
        return BodyKind::Jwt;
    }
    let excerpt: String = t.chars().take(60).collect();
    let more = if t.chars().count() > 60 { "…" } else { "" };
    BodyKind::Text {
        excerpt: format!("{}{more}", super::quoted(&excerpt)),
    }
}

/// "HTTP 500, text/html: an HTML page titled "Error"": the status, the media type and the body.
pub fn describe(status: Option<u16>, media_type: Option<&str>, body: &[u8]) -> String {
    let status = status
        .map(|s| format!("HTTP {s}"))
        .unwrap_or_else(|| "no status".into());
    let ct = media_type
        .map(|m| format!(" {m}"))
        .unwrap_or_else(|| " (no Content-Type)".into());
    format!("{status}{ct}: {}", classify(body))
}

/// What an exchange brought, in words: a redirect and where to, what ended it without an answer,
/// or [`describe`] of its answer.
pub fn describe_exchange(ex: &crate::http::Exchange) -> String {
    use crate::http::Failure;
    match &ex.failure {
        Some(Failure::RedirectRefused { location }) => format!(
            "HTTP {}: a redirect to {}",
            ex.status.map(|s| s.to_string()).unwrap_or_default(),
            super::quoted(location)
        ),
        Some(f) if ex.status.is_none() || !matches!(f, Failure::Protocol { .. }) => f.describe(),
        _ if ex.is_offline() => format!("a file: {}", classify(&ex.body)),
        _ => describe(ex.status, ex.media_type().as_deref(), &ex.body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_came_back() {
        let page = b"<!DOCTYPE html><html><head><title>\n  Sign In Error </title></head><body>x</body></html>";
        assert_eq!(
            classify(page).to_string(),
            "an HTML page titled \"Sign In Error\""
        );
        assert_eq!(classify(b"  \n").to_string(), "an empty body");
        assert_eq!(classify(b"{\"a\":1}").to_string(), "a JSON document");
        let soap11 = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>a:FailedAuthentication</faultcode></soap:Fault></soap:Body></soap:Envelope>"#;
        assert!(
            classify(soap11)
                .to_string()
                .starts_with("a SOAP 1.1 fault (faultcode \"a:FailedAuthentication\")")
        );
        assert_eq!(
            classify(b"<x:r xmlns:x=\"urn:x\"/>").to_string(),
            "an XML document whose root is {urn:x}r"
        );
        assert_eq!(
            classify(b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").to_string(),
            "a JWT"
        );
        assert_eq!(
            classify(b"Bad Request").to_string(),
            "the text \"Bad Request\""
        );
        assert_eq!(
            describe(Some(500), Some("text/html"), b""),
            "HTTP 500 text/html: an empty body"
        );
        assert_eq!(
            classify(b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>")
                .to_string(),
            "an XML document with a DTD (a document type declaration is refused, so nothing in it is read)"
        );
        assert!(
            classify(b"<a><b></a>")
                .to_string()
                .starts_with("XML that is not well-formed (line 1, column")
        );
        // A UTF-16 page is read in its encoding.
        let page: Vec<u8> = "\u{feff}<html><title>Erreur</title></html>"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(
            classify(&page).to_string(),
            "an HTML page titled \"Erreur\""
        );
    }
}
