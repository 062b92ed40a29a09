//! The one redaction mechanism (rule 4): every output path — console, transcripts, reports,
//! goldens — passes its text through a [`Redactor`] holding the run's secrets.

use base64::Engine;
use std::sync::{Arc, RwLock};

/// What a secret is replaced with.
pub const MASK: &str = "[REDACTED]";

/// A shared set of secrets; cloning shares the set.
#[derive(Clone, Default, Debug)]
pub struct Redactor {
    needles: Arc<RwLock<Vec<String>>>,
}

impl Redactor {
    /// An empty redactor.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a secret, in every encoding it could appear in: raw, XML-escaped, URL-encoded
    /// (both `%20` and `+` forms), JSON-escaped and base64 (standard and URL-safe, at the three
    /// alignments a secret can take inside a longer encoded string).
    pub fn add_secret(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut forms = vec![
            secret.to_string(),
            xml_escape(secret),
            xml_escape_min(secret),
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
        ];
        if let Ok(json) = serde_json::to_string(secret) {
            forms.push(json.trim_matches('"').to_string());
        }
        for engine in [
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            for shift in 0..3usize {
                // Encode the secret preceded by `shift` filler bytes, then drop the characters
                // that depend on the filler and the last partial group: what remains appears in
                // any base64 text containing the secret at that alignment.
                let mut buf = vec![0u8; shift];
                buf.extend_from_slice(secret.as_bytes());
                let enc = engine.encode(&buf);
                let skip = match shift {
                    0 => 0,
                    1 => 2,
                    _ => 3,
                };
                let total = buf.len();
                let whole = (total / 3) * 4;
                if whole > skip + 3 {
                    forms.push(enc[skip..whole].to_string());
                }
            }
        }
        let mut needles = match self.needles.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        for f in forms {
            if f.len() >= 3 && !needles.contains(&f) {
                needles.push(f);
            }
        }
        // Longest first, so a longer encoding is masked before a shorter one inside it.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    }

    /// Replaces every registered secret in `text`.
    pub fn redact(&self, text: &str) -> String {
        let needles = match self.needles.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut out = text.to_string();
        for n in needles.iter() {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), MASK);
            }
        }
        out
    }

    /// True when no secret is registered.
    pub fn is_empty(&self) -> bool {
        self.needles.read().map(|n| n.is_empty()).unwrap_or(true)
    }
}

/// XML-escapes the five special characters.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// XML-escapes only what text content requires (`&`, `<`, `>`): another serialiser's form.
fn xml_escape_min(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn masks_every_encoding() {
        let r = Redactor::new();
        let secret = "p@ss<&>'\"wörd+1 x";
        r.add_secret(secret);
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("user:{secret}"));
        let cases = [
            secret.to_string(),
            xml_escape(secret),
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
            b64,
        ];
        for c in cases {
            let out = r.redact(&format!("before {c} after"));
            assert!(out.contains(MASK), "not masked: {c} -> {out}");
            assert!(!out.contains("wörd") && !out.contains("w%C3%B6rd"), "{out}");
        }
    }

    #[test]
    fn base64_at_every_alignment() {
        let r = Redactor::new();
        r.add_secret("correct horse battery");
        for prefix in ["", "a", "ab", "abc"] {
            let enc = base64::engine::general_purpose::STANDARD
                .encode(format!("{prefix}correct horse battery!"));
            assert!(r.redact(&enc).contains(MASK), "prefix {prefix:?}: {enc}");
        }
    }
}
