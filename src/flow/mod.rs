//! The client side of each protocol, exactly as the client does it (DESIGN.md): only this module
//! knows protocol details.

pub mod answer;
pub mod certificate;
pub mod config;
pub mod keypath;
pub mod macos;
pub mod mex;
pub mod preauth;
pub mod predicate;
pub mod text;
pub mod wsfed;
pub mod wstrust;
pub mod xml;
pub mod xmldsig;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A WS-Trust version macOS can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WsTrustVersion {
    /// WS-Trust 1.3 (200512), preferred by macOS.
    #[serde(rename = "1.3")]
    V13,
    /// WS-Trust 2005 (February 2005).
    #[serde(rename = "2005")]
    V2005,
}

impl WsTrustVersion {
    /// Versions in macOS's order of preference.
    pub const PREFERENCE: [WsTrustVersion; 2] = [WsTrustVersion::V13, WsTrustVersion::V2005];

    /// "1.3" or "2005".
    pub fn as_str(self) -> &'static str {
        match self {
            WsTrustVersion::V13 => "1.3",
            WsTrustVersion::V2005 => "2005",
        }
    }
}

impl fmt::Display for WsTrustVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Quotes a value so that whitespace and case show (rule 6): between double quotes, a quote as
/// `\"`, a newline as `\n`, a carriage return `\r`, a tab `\t`, and every other control or
/// invisible character (no-break and zero-width spaces, a byte-order mark) as `\uXXXX`. A
/// backslash stays one backslash, as the vendor wrote it.
pub fn quoted(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || (c.is_whitespace() && c != ' ')
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}') =>
            {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A URL's origin (`https://host:port`, the port only when not the scheme's default): what a
/// TLS handshake or a connection is made to, so one failure there is said once for all its
/// endpoints. The URL itself when it does not parse.
pub fn origin(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .ok()
        .filter(|o| o != "null")
        .unwrap_or_else(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn quoting_shows_whitespace_and_invisible_characters_and_keeps_backslashes() {
        assert_eq!(quoted("Alice "), "\"Alice \"");
        assert_eq!(quoted("a\tb\r\n"), "\"a\\tb\\r\\n\"");
        assert_eq!(quoted("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(quoted("https:\\\\idp"), "\"https:\\\\idp\"");
        assert_eq!(
            quoted("\u{feff}x\u{a0}\u{200b}"),
            "\"\\uFEFFx\\u00A0\\u200B\""
        );
        assert_eq!(quoted("\u{1b}[0m"), "\"\\u001B[0m\"");
        assert_eq!(quoted("jürgen"), "\"jürgen\"");
    }
}
