//! The reference IdP's deliberate violations: each names the requirement(s) it breaks, and the
//! defect-matrix test proves the suites see exactly those (rule 1).

use std::fmt;
use std::str::FromStr;

/// A deliberate violation of the reference IdP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Defect {
    /// The name used with `--defect`.
    pub name: &'static str,
    /// What the IdP does wrong.
    pub description: &'static str,
    /// The requirement IDs the suites must report as not passing, and nothing else.
    pub breaks: &'static [&'static str],
}

macro_rules! defect {
    ($name:literal, $breaks:expr, $desc:literal) => {
        Defect {
            name: $name,
            description: $desc,
            breaks: $breaks,
        }
    };
}

/// Every defect, in SPEC.md order of the requirement it breaks.
pub static ALL: &[Defect] = &[
    defect!(
        "tls-wrong-host",
        &["TLS-1"],
        "serves a certificate for another host name"
    ),
    defect!(
        "tls-private-ca",
        &["TLS-3"],
        "presents a chain that ends in a private CA (the target must list it in extra_ca_files; a Mac trusts only system roots)"
    ),
    defect!(
        "sts-slow-failure",
        &["TLS-4"],
        "answers a wrong password after 31 s (throttling past macOS's 30 s timeout)"
    ),
    defect!(
        "mex-redirect-to-http",
        &["TLS-2"],
        "the MEX URL answers 302 to an http:// URL"
    ),
    defect!(
        "cfg-no-request-urn",
        &["CFG-1"],
        "its target's login configuration lacks federationRequestURN"
    ),
    defect!(
        "cfg-no-preauth-url",
        &["CFG-2"],
        "its target's dynamic WS-Trust configuration lacks federationUserPreauthenticationURL"
    ),
    defect!(
        "cfg-no-mex-keypath",
        &["CFG-3"],
        "its target's dynamic WS-Trust configuration lacks federationMEXURLKeypath (the documentation calls it optional; macOS refuses the configuration)"
    ),
    defect!(
        "cfg-predicate-raises",
        &["CFG-4"],
        "its target's federationPredicate raises against an empty dictionary (SELF BEGINSWITH on a dictionary), though it evaluates true for a federated answer"
    ),
    defect!(
        "cfg-wstrust-no-mex-url",
        &["CFG-5"],
        "its target is a WS-Trust configuration without federationMEXURL"
    ),
    defect!(
        "cfg-http-preauth-url",
        &["CFG-6"],
        "its target's federationUserPreauthenticationURL is an http:// URL"
    ),
    defect!(
        "tls-1-1-only",
        &["TLS-5"],
        "speaks TLS 1.1 only (App Transport Security requires TLS 1.2 or later)"
    ),
    defect!(
        "tls-no-forward-secrecy",
        &["TLS-6"],
        "offers only RSA key exchange suites in TLS 1.2: no ECDHE, no forward secrecy"
    ),
    defect!(
        "tls-rsa-1024",
        &["TLS-7"],
        "serves a leaf certificate with an RSA-1024 key"
    ),
    defect!(
        "tls-no-san",
        &["TLS-8"],
        "serves a leaf certificate without subjectAltName: the address only in the CommonName"
    ),
    defect!(
        "tls-no-server-auth",
        &["TLS-9"],
        "serves a leaf certificate without the extendedKeyUsage extension (no serverAuth)"
    ),
    defect!(
        "tls-ca-as-leaf",
        &["TLS-9"],
        "serves its self-signed CA certificate as the server certificate, as `openssl req -x509` makes one (basicConstraints CA, no extendedKeyUsage)"
    ),
    defect!(
        "tls-730-day-leaf",
        &["TLS-10"],
        "serves a leaf certificate valid for 730 days from a root standing in for a public one"
    ),
    defect!(
        "tls-no-sct",
        &["TLS-11"],
        "serves a leaf certificate without Certificate Transparency proof (no SCT list)"
    ),
    defect!(
        "preauth-status-400",
        &["PRE-1"],
        "answers a federated user's preauthentication with 400 (body unchanged)"
    ),
    defect!(
        "preauth-json-array",
        &["PRE-2"],
        "wraps the federated answer in a JSON array"
    ),
    defect!(
        "preauth-predicate-false",
        &["PRE-3"],
        "says account_type Managed for federated users (MEX URL still given)"
    ),
    defect!(
        "preauth-mex-url-http",
        &["PRE-4"],
        "gives an http:// federation_metadata_url"
    ),
    defect!(
        "preauth-managed-404",
        &["PRE-5"],
        "answers non-federated users with an empty 404"
    ),
    defect!(
        "preauth-double-decode",
        &["PRE-6"],
        "percent-decodes the user query value twice"
    ),
    defect!(
        "preauth-text-plain",
        &["PRE-7"],
        "labels its JSON answers text/plain"
    ),
    defect!(
        "preauth-rejects-custom-values",
        &["PRE-8"],
        "answers 400 when a custom request value is present"
    ),
    defect!(
        "preauth-duplicate-key",
        &["PRE-2"],
        "answers federated users with account_type twice (Managed, then Federated)"
    ),
    defect!(
        "preauth-no-ms-fields",
        &["PRE-9"],
        "omits federation_protocol and cloud_audience_urn"
    ),
    defect!(
        "mex-status-500",
        &["MEX-1"],
        "serves the MEX document with status 500"
    ),
    defect!(
        "mex-not-well-formed",
        &["MEX-2"],
        "serves a truncated MEX document"
    ),
    defect!(
        "mex-unprefixed-port-qname",
        &["MEX-3"],
        "names the username bindings in wsdl:port with unprefixed QNames"
    ),
    defect!(
        "mex-2005-only",
        &["MEX-4"],
        "advertises no WS-Trust 1.3 username endpoint"
    ),
    defect!(
        "mex-13-only",
        &["MEX-5"],
        "advertises no WS-Trust 2005 username endpoint"
    ),
    defect!(
        "mex-extra-http-endpoint",
        &["MEX-6"],
        "also advertises a 1.3 username endpoint at an http:// address"
    ),
    defect!(
        "mex-hash-password",
        &["MEX-7"],
        "requires sp:HashPassword in the username policies"
    ),
    defect!(
        "mex-address-whitespace",
        &["MEX-8"],
        "pads the username endpoints' wsa10:Address with a newline and tabs"
    ),
    defect!(
        "mex-no-transport-binding",
        &["MEX-9"],
        "drops sp:TransportBinding from the username policies"
    ),
    defect!(
        "mex-dangling-port",
        &["MEX-10"],
        "lists a port whose binding the document does not define"
    ),
    defect!(
        "sts-status-202",
        &["WST-1"],
        "answers a valid login with HTTP 202 (body unchanged)"
    ),
    defect!(
        "sts-no-relatesto",
        &["WST-2"],
        "leaves a:RelatesTo out of every answer"
    ),
    defect!(
        "sts-wrong-relatesto",
        &["WST-2"],
        "answers with a RelatesTo that is not the request's MessageID"
    ),
    defect!(
        "sts-relatesto-lowercase",
        &["WST-2"],
        "echoes the MessageID in a:RelatesTo with its UUID lower-cased, as a .NET Guid round-trip writes it (cases C5)"
    ),
    defect!(
        "sts-created-in-future",
        &["WST-3"],
        "stamps u:Created ten minutes ahead (a skewed clock)"
    ),
    defect!(
        "sts-expired",
        &["WST-3"],
        "stamps a Timestamp that expired ten minutes ago"
    ),
    defect!(
        "sts-2005-shape-for-13",
        &["WST-4"],
        "answers WS-Trust 1.3 with a bare RSTR, as 2005 does"
    ),
    defect!(
        "sts-two-responses",
        &["WST-4"],
        "answers WS-Trust 1.3 with a collection holding two RequestSecurityTokenResponses"
    ),
    defect!(
        "sts-tokentype-whitespace",
        &["WST-5"],
        "pads TokenType with whitespace"
    ),
    defect!(
        "sts-assertion-missing",
        &["WST-6"],
        "issues an empty RequestedSecurityToken"
    ),
    defect!(
        "sts-assertion-wrong-audience",
        &["WST-7"],
        "issues assertions for another audience"
    ),
    defect!(
        "sts-requestfailed",
        &["WST-8"],
        "answers a wrong password with subcode RequestFailed"
    ),
    defect!(
        "sts-fault-401",
        &["WST-8"],
        "answers a wrong password with HTTP 401 (macOS reads only 200 and 500)"
    ),
    defect!(
        "sts-error-page",
        &["WST-8", "WST-9"],
        "answers a wrong password and an unknown user with HTTP 500 and an HTML error page (cases C1)"
    ),
    defect!(
        "sts-empty-500",
        &["WST-8", "WST-9"],
        "answers a wrong password and an unknown user with an empty HTTP 500 (cases C2)"
    ),
    defect!(
        "sts-soap11-fault",
        &["WST-8", "WST-9"],
        "answers a wrong password and an unknown user with a SOAP 1.1 fault (cases C3)"
    ),
    defect!(
        "sts-token-for-unknown-user",
        &["WST-9"],
        "issues a token for a user it does not know"
    ),
    defect!(
        "sts-requires-password-type",
        &["WST-10"],
        "refuses a Password without a Type attribute"
    ),
    defect!(
        "sts-requires-timestamp",
        &["WST-11"],
        "refuses a request without u:Timestamp"
    ),
    defect!(
        "sts-dispatch-on-soapaction",
        &["WST-12"],
        "dispatches on the HTTP SOAPAction header instead of a:Action"
    ),
    defect!(
        "sts-rejects-special",
        &["WST-13"],
        "fails users whose names hold XML-special or non-ASCII characters"
    ),
    defect!(
        "sts-2005-endpoint-fault",
        &["WST-14"],
        "its WS-Trust 2005 endpoint refuses every login"
    ),
    defect!(
        "sts-samlv11-tokentype",
        &["WST-15"],
        "names the token type #SAMLV1.1 instead of the SAML URN"
    ),
    defect!(
        "sts-rejects-macos-request",
        &["WST-16"],
        "refuses a request with neither a Password Type nor a u:Timestamp (each quirk alone is accepted)"
    ),
    defect!(
        "wsfed-metadata-no-entityid",
        &["WSF-1"],
        "its WS-Fed metadata EntityDescriptor has no entityID"
    ),
    defect!(
        "wsfed-role-type-wrong-namespace",
        &["WSF-2"],
        "writes xsi:type=\"fed:SecurityTokenServiceType\" with `fed` bound to another namespace"
    ),
    defect!(
        "wsfed-expired-signing-cert",
        &["WSF-3"],
        "signs WS-Fed metadata and tokens with a certificate that expired a month ago"
    ),
    defect!(
        "wsfed-http-passive-endpoint",
        &["WSF-4"],
        "advertises an http:// PassiveRequestorEndpoint"
    ),
    defect!(
        "wsfed-unsigned-metadata",
        &["WSF-5"],
        "serves WS-Fed metadata without a signature"
    ),
    defect!(
        "wsfed-metadata-bad-signature",
        &["WSF-5"],
        "changes its WS-Fed metadata after signing it"
    ),
    defect!(
        "wsfed-token-type-not-offered",
        &["WSF-5"],
        "offers only SAML 2.0 in TokenTypesOffered but issues SAML 1.1"
    ),
    defect!(
        "wsfed-token-type-never-issued",
        &["WSF-5"],
        "also offers SAML 2.0 in TokenTypesOffered, a type it never issues"
    ),
    defect!(
        "wsfed-wctx-altered",
        &["WSF-6"],
        "returns wctx with '+' turned into a space and trimmed"
    ),
    defect!(
        "wsfed-audience-mismatch",
        &["WSF-7"],
        "issues WS-Fed assertions for another audience than wtrealm"
    ),
    defect!(
        "wsfed-expired-assertion",
        &["WSF-7"],
        "issues WS-Fed assertions whose lifetime ended an hour ago"
    ),
    defect!(
        "wsfed-token-other-key",
        &["WSF-7"],
        "signs WS-Fed assertions with a key that is not the metadata's"
    ),
    defect!(
        "wsfed-open-redirect",
        &["WSF-8"],
        "delivers the token to any wreply"
    ),
    defect!(
        "wsfed-wreply-prefix-match",
        &["WSF-8"],
        "accepts any wreply that starts with a registered callback"
    ),
    defect!(
        "wsfed-unknown-realm-accepted",
        &["WSF-9"],
        "issues a token for any wtrealm"
    ),
    defect!(
        "wsfed-wa-ignored",
        &["WSF-10"],
        "answers a sign-in whatever wa says, or without one"
    ),
    defect!(
        "wsfed-undefined-wctx",
        &["WSF-11"],
        "returns wctx=\"undefined\" when none was sent"
    ),
    defect!(
        "wsfed-undefined-context",
        &["WSF-11"],
        "writes Context=\"undefined\" on the wresult RSTR when no wctx was sent"
    ),
    defect!(
        "wsfed-whr-ignored",
        &["WSF-12"],
        "ignores whr: an unknown connection signs in with the default one"
    ),
    defect!(
        "wsfed-wrong-connection",
        &["WSF-12"],
        "signs every user in through its default connection, whatever whr names (the token says so)"
    ),
    defect!(
        "wsfed-realm-urn-refused",
        &["WSF-13"],
        "refuses /wsfed?wtrealm=urn:{client_id}: only the client-ID path form works"
    ),
    defect!(
        "wsfed-sha1-signature",
        &["WSF-14"],
        "signs WS-Fed metadata and tokens with RSA-SHA1 and SHA-1 digests (they still verify)"
    ),
    defect!(
        "wsfed-protocol-wstrust-only",
        &["WSF-15"],
        "lists only the WS-Trust 1.3 namespace in the STS RoleDescriptor's protocolSupportEnumeration"
    ),
    defect!(
        "wsfed-repeated-wtrealm-500",
        &["WSF-16"],
        "answers a sign-in with a repeated wtrealm with HTTP 500"
    ),
    defect!(
        "wsfed-repeated-wa-accepted",
        &["WSF-16"],
        "takes the first of two wa values and signs the user in"
    ),
    defect!(
        "wsfed-long-wctx-500",
        &["WSF-16"],
        "answers a sign-in with an over-long wctx with HTTP 500"
    ),
];

impl Defect {
    /// Looks a defect up by name.
    pub fn find(name: &str) -> Option<Defect> {
        ALL.iter().copied().find(|d| d.name == name)
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl FromStr for Defect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Defect::find(s).ok_or_else(|| {
            let mut names: Vec<&str> = ALL.iter().map(|d| d.name).collect();
            names.sort_unstable();
            let hint = match crate::suggest::nearest(s, names, 3.max(s.len() / 4)) {
                Some(n) => format!("; did you mean {n}?"),
                None => String::new(),
            };
            format!(
                "unknown defect {}{hint} (`fedconform defects` lists all {})",
                crate::flow::quoted(s),
                ALL.len()
            )
        })
    }
}

/// True when the running IdP has this defect.
pub fn has(active: Option<Defect>, name: &str) -> bool {
    active.is_some_and(|d| d.name == name)
}
