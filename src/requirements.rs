//! The requirement catalogue of docs/SPEC.md: every ID a suite may cite, with its level and profile.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a requirement matters (SPEC.md "levels").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// Reported only; never fails a run.
    Info,
    /// A warning; a failure under `--strict`.
    Should,
    /// A failure.
    Must,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Info => "INFO",
            Level::Should => "SHOULD",
            Level::Must => "MUST",
        })
    }
}

/// One row of SPEC.md.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Requirement {
    /// Stable ID such as `MEX-3`.
    pub id: &'static str,
    /// MUST, SHOULD or INFO.
    pub level: Level,
    /// Who needs it: `psso`, `spec`, `msal`, `wsfed`.
    pub profile: &'static str,
    /// One-line summary.
    pub title: &'static str,
}

macro_rules! req {
    ($id:literal, $level:ident, $profile:literal, $title:literal) => {
        Requirement {
            id: $id,
            level: Level::$level,
            profile: $profile,
            title: $title,
        }
    };
}

/// Every requirement in SPEC.md, in its order.
pub static CATALOGUE: &[Requirement] = &[
    req!(
        "TLS-1",
        Must,
        "psso",
        "Every endpoint is https with a certificate valid for the host and chaining to the trust store in use"
    ),
    req!(
        "TLS-2",
        Must,
        "psso",
        "No redirect from https to http, and none at all where macOS does not follow one"
    ),
    req!("TLS-3", Should, "psso", "The chain ends in a public root"),
    req!("TLS-4", Must, "psso", "Each answer arrives within 30 s"),
    req!(
        "TLS-5",
        Must,
        "psso",
        "The negotiated protocol is TLS 1.2 or TLS 1.3 (ATS)"
    ),
    req!(
        "TLS-6",
        Must,
        "psso",
        "The negotiated cipher suite is one ATS accepts (ECDHE, AES-GCM or AES-CBC)"
    ),
    req!(
        "TLS-7",
        Must,
        "psso",
        "Certificates below the root have RSA >= 2048 or EC >= 256 bit keys and SHA-2 signatures"
    ),
    req!(
        "TLS-8",
        Must,
        "psso",
        "The host name is in the leaf certificate's subjectAltName"
    ),
    req!(
        "TLS-9",
        Must,
        "psso",
        "The leaf certificate's extendedKeyUsage lists serverAuth"
    ),
    req!(
        "TLS-10",
        Must,
        "psso",
        "The leaf's validity period is within Apple's limit for its issue date"
    ),
    req!(
        "TLS-11",
        Must,
        "psso",
        "A leaf chaining to a public root carries Certificate Transparency proof"
    ),
    req!(
        "CFG-1",
        Must,
        "psso",
        "The login configuration sets federationRequestURN"
    ),
    req!(
        "CFG-2",
        Must,
        "psso",
        "A dynamic WS-Trust configuration sets federationUserPreauthenticationURL"
    ),
    req!(
        "CFG-3",
        Must,
        "psso",
        "A dynamic WS-Trust configuration sets federationMEXURLKeypath"
    ),
    req!(
        "CFG-4",
        Must,
        "psso",
        "federationPredicate compiles and evaluates against an empty dictionary without raising"
    ),
    req!(
        "CFG-5",
        Must,
        "psso",
        "A WS-Trust configuration sets federationMEXURL"
    ),
    req!(
        "CFG-6",
        Must,
        "psso",
        "The configuration's URLs are absolute https URLs"
    ),
    req!("PRE-1", Must, "psso", "Preauthentication answers 2xx"),
    req!(
        "PRE-2",
        Must,
        "psso",
        "The preauthentication body is a JSON object"
    ),
    req!(
        "PRE-3",
        Must,
        "psso",
        "For a federated user, federationPredicate evaluates true"
    ),
    req!(
        "PRE-4",
        Must,
        "psso",
        "For a federated user, the MEX URL key path holds an absolute https URL"
    ),
    req!(
        "PRE-5",
        Must,
        "psso",
        "For a non-federated user the answer is 2xx JSON and the predicate evaluates false"
    ),
    req!(
        "PRE-6",
        Should,
        "psso",
        "A login name with reserved characters is percent-decoded correctly"
    ),
    req!("PRE-7", Should, "spec", "Content-Type: application/json"),
    req!(
        "PRE-8",
        Must,
        "psso",
        "Custom request values are accepted and do not change a federated answer"
    ),
    req!(
        "PRE-9",
        Info,
        "msal",
        "Microsoft user-realm fields are present"
    ),
    req!("MEX-1", Must, "psso", "MEX answers 2xx"),
    req!(
        "MEX-2",
        Must,
        "psso",
        "The MEX body is well-formed XML containing wsdl:definitions"
    ),
    req!(
        "MEX-3",
        Must,
        "psso",
        "The macOS selection yields a username/password WS-Trust endpoint"
    ),
    req!(
        "MEX-4",
        Should,
        "psso",
        "A WS-Trust 1.3 endpoint is advertised"
    ),
    req!(
        "MEX-5",
        Should,
        "msal",
        "A WS-Trust 2005 username endpoint is advertised too"
    ),
    req!(
        "MEX-6",
        Must,
        "psso",
        "https only: no username endpoint with an http address"
    ),
    req!(
        "MEX-7",
        Must,
        "psso",
        "The username-token policy does not require a password digest"
    ),
    req!(
        "MEX-8",
        Must,
        "psso",
        "The selected address is a clean absolute URL matching soap12:address"
    ),
    req!(
        "MEX-9",
        Should,
        "msal",
        "The username policy also asserts sp:TransportBinding"
    ),
    req!(
        "MEX-10",
        Info,
        "spec",
        "Inventory: every policy, binding and port, consistently referenced"
    ),
    req!(
        "WST-1",
        Must,
        "psso",
        "Valid credentials: HTTP 200 and a SOAP 1.2 envelope"
    ),
    req!(
        "WST-2",
        Must,
        "psso",
        "RelatesTo echoes the request's MessageID"
    ),
    req!("WST-3", Must, "psso", "Timestamp Created/Expires are fresh"),
    req!(
        "WST-4",
        Must,
        "psso",
        "Response shape matches the WS-Trust version"
    ),
    req!("WST-5", Must, "psso", "TokenType is exact and known"),
    req!(
        "WST-6",
        Must,
        "psso",
        "RequestedSecurityToken holds the assertion TokenType names"
    ),
    req!(
        "WST-7",
        Should,
        "spec",
        "The assertion is current and for the request URN"
    ),
    req!(
        "WST-8",
        Must,
        "psso",
        "Wrong password: HTTP 500 FailedAuthentication fault"
    ),
    req!(
        "WST-9",
        Must,
        "psso",
        "Unknown user: a SOAP fault, no token"
    ),
    req!(
        "WST-10",
        Must,
        "psso",
        "Password without Type attribute and with PasswordText accepted"
    ),
    req!(
        "WST-11",
        Must,
        "psso",
        "No u:Timestamp required in the request"
    ),
    req!(
        "WST-12",
        Must,
        "psso",
        "Dispatch on a:Action, not on the HTTP SOAPAction header"
    ),
    req!(
        "WST-13",
        Should,
        "spec",
        "XML-special and non-ASCII credentials authenticate"
    ),
    req!(
        "WST-14",
        Should,
        "psso",
        "Every advertised username endpoint version answers a valid login"
    ),
    req!(
        "WST-15",
        Should,
        "msal",
        "TokenType is one of the two SAML URNs"
    ),
    req!(
        "WST-16",
        Must,
        "psso",
        "macOS's exact request gets the standard login's outcome"
    ),
    req!(
        "WSF-1",
        Must,
        "wsfed",
        "Metadata answers 200 with md:EntityDescriptor and entityID"
    ),
    req!(
        "WSF-2",
        Must,
        "wsfed",
        "RoleDescriptor of type fed:SecurityTokenServiceType (by namespace)"
    ),
    req!(
        "WSF-3",
        Must,
        "wsfed",
        "A signing KeyDescriptor with a certificate valid now"
    ),
    req!(
        "WSF-4",
        Must,
        "wsfed",
        "PassiveRequestorEndpoint present and https"
    ),
    req!(
        "WSF-5",
        Should,
        "wsfed",
        "Metadata signed; STS endpoint; TokenTypesOffered"
    ),
    req!(
        "WSF-6",
        Must,
        "wsfed",
        "Sign-in form POSTs to wreply with wa, wresult and wctx intact"
    ),
    req!(
        "WSF-7",
        Must,
        "wsfed",
        "wresult assertion audience, lifetime and signature"
    ),
    req!("WSF-8", Must, "wsfed", "Unregistered wreply refused"),
    req!("WSF-9", Must, "wsfed", "Unknown wtrealm refused"),
    req!("WSF-10", Must, "wsfed", "Missing or unknown wa refused"),
    req!(
        "WSF-11",
        Should,
        "wsfed",
        "No placeholder context without wctx"
    ),
    req!(
        "WSF-12",
        Should,
        "wsfed",
        "whr selects the connection; unknown refused"
    ),
    req!(
        "WSF-13",
        Should,
        "wsfed",
        "Client-id path and wtrealm reach the same client"
    ),
    req!(
        "WSF-14",
        Should,
        "spec",
        "Metadata and token signatures use SHA-2, not SHA-1"
    ),
    req!(
        "WSF-15",
        Should,
        "spec",
        "protocolSupportEnumeration lists the WS-Federation namespace"
    ),
    req!(
        "WSF-16",
        Should,
        "wsfed",
        "A malformed sign-in request is refused with a 4xx and no token"
    ),
];

/// A flow a target claims (its scope): the requirements of a flow it does not claim are not
/// applicable to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// macOS Platform SSO federated login: preauthentication, MEX, WS-Trust login. Claimed by a
    /// target's `[login_configuration]`.
    PlatformSso,
    /// WS-Federation passive sign-in and metadata. Claimed by a target's `[wsfed]`.
    WsFederation,
}

impl Flow {
    /// Every flow.
    pub const ALL: [Flow; 2] = [Flow::PlatformSso, Flow::WsFederation];

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Flow::PlatformSso => "Platform SSO federation",
            Flow::WsFederation => "WS-Federation",
        }
    }

    /// The target section that claims it.
    pub fn section(self) -> &'static str {
        match self {
            Flow::PlatformSso => "[login_configuration]",
            Flow::WsFederation => "[wsfed]",
        }
    }
}

impl Requirement {
    /// The flows it belongs to: TLS requirements to every flow, WSF to WS-Federation, the others
    /// to Platform SSO.
    pub fn flows(&self) -> &'static [Flow] {
        match self.id.split('-').next().unwrap_or("") {
            "TLS" => &Flow::ALL,
            "WSF" => &[Flow::WsFederation],
            _ => &[Flow::PlatformSso],
        }
    }
}

/// Looks a requirement up by its exact ID.
pub fn find(id: &str) -> Option<&'static Requirement> {
    CATALOGUE.iter().find(|r| r.id == id)
}

/// The strictest level among some requirement IDs (unknown IDs are ignored).
pub fn strictest<'a>(ids: impl IntoIterator<Item = &'a str>) -> Level {
    ids.into_iter()
        .filter_map(find)
        .map(|r| r.level)
        .max()
        .unwrap_or(Level::Info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_levels_match_spec() {
        let mut ids: Vec<_> = CATALOGUE.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        assert_eq!(find("MEX-10").map(|r| r.level), Some(Level::Info));
        assert_eq!(find("PRE-6").map(|r| r.level), Some(Level::Should));
        assert!(find("PRE-99").is_none());
        assert_eq!(strictest(["PRE-9", "PRE-7"]), Level::Should);
    }
}
