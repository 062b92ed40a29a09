//! What macOS's URL loading system (CFNetwork, under URLSession) adds to every request of the
//! Platform SSO flow, and the order fedconform sends a request's headers in (SPEC.md
//! "Requests as macOS sends them", where each value's source, or "unknown", is given).
//!
//! The HTTP stack underneath (`http.rs`) adds only what the protocol itself needs (`Host` or
//! `:authority`, `Content-Length`); everything else a request carries is listed here or by the
//! step that builds it, so the goldens show every header byte that fedconform controls.

/// `Accept` when the request sets none: URLSession's default.
pub const ACCEPT: &str = "*/*";
/// `Accept-Language`: the Mac's preferred languages; an English (US) Mac's value.
pub const ACCEPT_LANGUAGE: &str = "en-US,en;q=0.9";
/// `Accept-Encoding`: the codings URLSession asks for and decodes transparently (`http.rs`
/// decodes exactly these).
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br";
/// `User-Agent`: the shape CFNetwork gives a system agent, `<agent>/<version> CFNetwork/<version>
/// Darwin/<version>`. Which agent sends the Platform SSO requests, and its versions, are unknown:
/// the values are those of macOS 15.0 (Darwin 24.0.0) with AppSSOAgent as the agent.
pub const USER_AGENT: &str = "AppSSOAgent/1.0 CFNetwork/1568.100.1 Darwin/24.0.0";

/// A request's headers as macOS sends them: the request's own, in the order the flow sets them,
/// then what the URL loading system adds (`Accept` when the request sets none,
/// `Accept-Language`, `Accept-Encoding`, `User-Agent`).
pub fn request_headers(own: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = own
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if !own.iter().any(|(k, _)| k.eq_ignore_ascii_case("accept")) {
        out.push(("Accept".into(), ACCEPT.into()));
    }
    out.push(("Accept-Language".into(), ACCEPT_LANGUAGE.into()));
    out.push(("Accept-Encoding".into(), ACCEPT_ENCODING.into()));
    out.push(("User-Agent".into(), USER_AGENT.into()));
    out
}

/// A UUID as Foundation writes it (`UUID().uuidString`): upper-case hexadecimal, e.g.
/// `E621E1F8-C36C-495A-93FC-0C247A3E6E5F` (Apple documentation: `uuidString`).
pub fn uuid_string(u: uuid::Uuid) -> String {
    u.hyphenated()
        .encode_upper(&mut uuid::Uuid::encode_buffer())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_request_own_headers() {
        let h = request_headers(&[("Content-Type", "application/soap+xml; charset=utf-8")]);
        let names: Vec<&str> = h.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "Accept",
                "Accept-Language",
                "Accept-Encoding",
                "User-Agent"
            ]
        );
        let h = request_headers(&[("Accept", "application/json")]);
        assert_eq!(h.iter().filter(|(k, _)| k == "Accept").count(), 1);
    }

    #[test]
    fn uuids_are_upper_case_like_foundation() {
        let s = uuid_string(uuid::Uuid::from_u128(
            0xe621e1f8_c36c_495a_93fc_0c247a3e6e5f,
        ));
        assert_eq!(s, "E621E1F8-C36C-495A-93FC-0C247A3E6E5F");
    }
}
