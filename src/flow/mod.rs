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

/// Quotes a value so that whitespace and case show (rule 6): JSON string syntax, so a newline is
/// `\n` and a tab `\t`.
pub fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
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
