//! The suite format: cases that cite SPEC.md IDs, name the step they look at, and state the
//! expected behaviour as data.

use crate::flow::WsTrustVersion;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use toml::Spanned;

/// The protocol exchange a case looks at (DESIGN.md "steps").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// Preauthentication for the federated test user, without custom request values.
    PreauthFederated,
    /// Preauthentication for the federated user exactly as macOS sends it, custom values included.
    PreauthFederatedCustom,
    /// Preauthentication for the non-federated (managed) test user.
    PreauthManaged,
    /// Preauthentication for the federated user's login name with reserved characters added.
    PreauthReserved,
    /// The WS-Trust metadata exchange.
    Mex,
    /// A valid login at the endpoint MEX selection chose (the standard WS-Security request).
    Login,
    /// As `login`, with the Password's Type attribute left out as macOS does (WST-10).
    LoginNoPasswordType,
    /// As `login`, with no u:Timestamp as macOS does (WST-11).
    LoginNoTimestamp,
    /// A valid login at the WS-Trust 1.3 username endpoint (WST-14).
    #[serde(rename = "login-13")]
    Login13,
    /// A valid login at the WS-Trust 2005 username endpoint (WST-12, WST-14).
    #[serde(rename = "login-2005")]
    Login2005,
    /// As `login-2005`, with the HTTP SOAPAction of 1.3 as macOS sends it (WST-12).
    #[serde(rename = "login-2005-soapaction-13")]
    Login2005Soapaction13,
    /// The federated user with a wrong password (WST-8).
    LoginWrongPassword,
    /// A user the IdP does not know (WST-9).
    LoginUnknownUser,
    /// The user whose login and password hold XML-special and non-ASCII characters (WST-13).
    LoginSpecial,
    /// The WS-Federation metadata of the client (WSF-1…WSF-5).
    WsfedMetadata,
    /// A valid WS-Fed sign-in: wa, wtrealm, whr (when a connection is set), wctx, wreply.
    WsfedSignin,
    /// As `wsfed-signin`, without wctx (WSF-11).
    WsfedSigninNoWctx,
    /// `/wsfed/{client_id}` without wtrealm (WSF-13).
    WsfedPathForm,
    /// `/wsfed?wtrealm=urn:{client_id}` (WSF-13).
    WsfedRealmForm,
    /// A wreply on another host (WSF-8).
    WsfedReplyOtherHost,
    /// A `javascript:` wreply (WSF-8).
    WsfedReplyJavascript,
    /// The registered wreply with a suffix appended (WSF-8).
    WsfedReplySuffix,
    /// A wtrealm no client has (WSF-9).
    WsfedUnknownRealm,
    /// No wa (WSF-10).
    WsfedNoWa,
    /// An unknown wa (WSF-10).
    WsfedUnknownWa,
    /// whr naming a connection that does not exist (WSF-12).
    WsfedUnknownConnection,
}

impl StepKind {
    /// The name used in suites and reports.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::PreauthFederated => "preauth-federated",
            StepKind::PreauthFederatedCustom => "preauth-federated-custom",
            StepKind::PreauthManaged => "preauth-managed",
            StepKind::PreauthReserved => "preauth-reserved",
            StepKind::Mex => "mex",
            StepKind::Login => "login",
            StepKind::LoginNoPasswordType => "login-no-password-type",
            StepKind::LoginNoTimestamp => "login-no-timestamp",
            StepKind::Login13 => "login-13",
            StepKind::Login2005 => "login-2005",
            StepKind::Login2005Soapaction13 => "login-2005-soapaction-13",
            StepKind::LoginWrongPassword => "login-wrong-password",
            StepKind::LoginUnknownUser => "login-unknown-user",
            StepKind::LoginSpecial => "login-special",
            StepKind::WsfedMetadata => "wsfed-metadata",
            StepKind::WsfedSignin => "wsfed-signin",
            StepKind::WsfedSigninNoWctx => "wsfed-signin-no-wctx",
            StepKind::WsfedPathForm => "wsfed-path-form",
            StepKind::WsfedRealmForm => "wsfed-realm-form",
            StepKind::WsfedReplyOtherHost => "wsfed-reply-other-host",
            StepKind::WsfedReplyJavascript => "wsfed-reply-javascript",
            StepKind::WsfedReplySuffix => "wsfed-reply-suffix",
            StepKind::WsfedUnknownRealm => "wsfed-unknown-realm",
            StepKind::WsfedNoWa => "wsfed-no-wa",
            StepKind::WsfedUnknownWa => "wsfed-unknown-wa",
            StepKind::WsfedUnknownConnection => "wsfed-unknown-connection",
        }
    }

    /// Every step, in the order they depend on each other.
    pub const ALL: [StepKind; 26] = [
        StepKind::PreauthFederated,
        StepKind::PreauthFederatedCustom,
        StepKind::PreauthManaged,
        StepKind::PreauthReserved,
        StepKind::Mex,
        StepKind::Login,
        StepKind::LoginNoPasswordType,
        StepKind::LoginNoTimestamp,
        StepKind::Login13,
        StepKind::Login2005,
        StepKind::Login2005Soapaction13,
        StepKind::LoginWrongPassword,
        StepKind::LoginUnknownUser,
        StepKind::LoginSpecial,
        StepKind::WsfedMetadata,
        StepKind::WsfedSignin,
        StepKind::WsfedSigninNoWctx,
        StepKind::WsfedPathForm,
        StepKind::WsfedRealmForm,
        StepKind::WsfedReplyOtherHost,
        StepKind::WsfedReplyJavascript,
        StepKind::WsfedReplySuffix,
        StepKind::WsfedUnknownRealm,
        StepKind::WsfedNoWa,
        StepKind::WsfedUnknownWa,
        StepKind::WsfedUnknownConnection,
    ];

    /// The family of the step: which expectations apply.
    pub fn family(self) -> Family {
        match self {
            StepKind::PreauthFederated
            | StepKind::PreauthFederatedCustom
            | StepKind::PreauthManaged
            | StepKind::PreauthReserved => Family::Preauth,
            StepKind::Mex => Family::Mex,
            StepKind::WsfedMetadata => Family::WsfedMetadata,
            StepKind::WsfedSignin
            | StepKind::WsfedSigninNoWctx
            | StepKind::WsfedPathForm
            | StepKind::WsfedRealmForm
            | StepKind::WsfedReplyOtherHost
            | StepKind::WsfedReplyJavascript
            | StepKind::WsfedReplySuffix
            | StepKind::WsfedUnknownRealm
            | StepKind::WsfedNoWa
            | StepKind::WsfedUnknownWa
            | StepKind::WsfedUnknownConnection => Family::WsfedSignin,
            _ => Family::Login,
        }
    }

    /// True for the preauthentication steps.
    pub fn is_preauth(self) -> bool {
        self.family() == Family::Preauth
    }
}

/// Step families: which expectations apply to a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Preauthentication.
    Preauth,
    /// MEX.
    Mex,
    /// WS-Trust login.
    Login,
    /// WS-Federation metadata.
    WsfedMetadata,
    /// WS-Federation passive sign-in.
    WsfedSignin,
}

impl Family {
    /// Its name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Family::Preauth => "preauthentication",
            Family::Mex => "MEX",
            Family::Login => "login",
            Family::WsfedMetadata => "WS-Federation metadata",
            Family::WsfedSignin => "WS-Federation sign-in",
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An expected HTTP status: `"2xx"`, `"200"`, or `"200-299"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StatusExpect {
    /// Lowest accepted status.
    pub min: u16,
    /// Highest accepted status.
    pub max: u16,
}

impl StatusExpect {
    /// True when `status` is accepted.
    pub fn accepts(&self, status: u16) -> bool {
        (self.min..=self.max).contains(&status)
    }
}

impl TryFrom<String> for StatusExpect {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("invalid status {s:?}: expected \"2xx\", \"200\" or \"200-299\"");
        let t = s.trim();
        if t.len() == 3 && t.ends_with("xx") {
            let d = t[..1].parse::<u16>().map_err(|_| bad())?;
            if !(1..=5).contains(&d) {
                return Err(bad());
            }
            return Ok(StatusExpect {
                min: d * 100,
                max: d * 100 + 99,
            });
        }
        let parse = |p: &str| {
            p.trim()
                .parse::<u16>()
                .ok()
                .filter(|v| (100..=599).contains(v))
                .ok_or_else(bad)
        };
        match t.split_once('-') {
            Some((a, b)) => {
                let (min, max) = (parse(a)?, parse(b)?);
                if min > max {
                    return Err(bad());
                }
                Ok(StatusExpect { min, max })
            }
            None => {
                let v = parse(t)?;
                Ok(StatusExpect { min: v, max: v })
            }
        }
    }
}

impl From<StatusExpect> for String {
    fn from(s: StatusExpect) -> String {
        s.to_string()
    }
}

impl fmt::Display for StatusExpect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min.is_multiple_of(100) && self.max == self.min + 99 {
            write!(f, "{}xx", self.min / 100)
        } else if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}-{}", self.min, self.max)
        }
    }
}

/// The expected behaviour of one case. Every key that is present is checked; a boolean states the
/// expected value of the property (for example `predicate = false` for a managed user).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// HTTP status of the (final) answer. PRE-1, PRE-5, MEX-1.
    pub status: Option<StatusExpect>,
    /// Media type of the answer, parameters ignored. PRE-7.
    pub content_type: Option<String>,
    /// The body is a JSON object. PRE-2, PRE-5.
    pub json_object: Option<bool>,
    /// What `federationPredicate` evaluates to. PRE-3, PRE-5.
    pub predicate: Option<bool>,
    /// The value at the MEX URL key path is an absolute https URL. PRE-4.
    pub mex_url_https: Option<bool>,
    /// Same JSON answer as another step, each side's login name replaced by a placeholder. PRE-6.
    pub same_json_as: Option<StepKind>,
    /// Same outcome (status class, predicate, MEX URL) as another step. PRE-8.
    pub same_outcome_as: Option<StepKind>,
    /// Keys (dotted paths) that must be present. PRE-9.
    pub fields_present: Option<Vec<String>>,
    /// The body is well-formed XML containing `wsdl:definitions`. MEX-2.
    pub wsdl: Option<bool>,
    /// The macOS selection yields an endpoint. MEX-3.
    pub endpoint_selected: Option<bool>,
    /// The version macOS selects. MEX-4.
    pub preferred_version: Option<WsTrustVersion>,
    /// A usable username endpoint of this version is advertised as well. MEX-5.
    pub also_advertises: Option<WsTrustVersion>,
    /// No username endpoint is advertised at an http address. MEX-6.
    pub https_only: Option<bool>,
    /// The selected username policy does not require a password digest. MEX-7.
    pub no_password_digest: Option<bool>,
    /// The selected address is clean and matches `soap12:address`. MEX-8.
    pub clean_address: Option<bool>,
    /// Username policies assert `sp:TransportBinding`. MEX-9.
    pub transport_binding: Option<bool>,
    /// Every reference between ports, bindings and policies resolves. MEX-10.
    pub inventory_consistent: Option<bool>,
    /// The endpoint is https with a certificate valid for the host. TLS-1.
    pub valid_certificate: Option<bool>,
    /// No redirect to http on the way. TLS-2.
    pub no_http_redirect: Option<bool>,
    /// The answer is a SOAP 1.2 envelope. WST-1.
    pub soap_envelope: Option<bool>,
    /// `a:RelatesTo` echoes the request's MessageID. WST-2.
    pub nonce_echo: Option<bool>,
    /// The Timestamp is fresh within macOS's 120 s window. WST-3.
    pub fresh: Option<bool>,
    /// The body has the shape macOS reads for the version. WST-4.
    pub shape: Option<bool>,
    /// TokenType is exact and one macOS maps to a grant type. WST-5.
    pub token_type_known: Option<bool>,
    /// RequestedSecurityToken holds the assertion TokenType names. WST-6.
    pub assertion_matches: Option<bool>,
    /// The assertion is current, for the request URN, and t:Lifetime agrees. WST-7.
    pub assertion_current: Option<bool>,
    /// HTTP 500 SOAP fault with a FailedAuthentication subcode, RelatesTo echoed, no token. WST-8.
    pub credential_fault: Option<bool>,
    /// A SOAP fault and no token. WST-9.
    pub fault_no_token: Option<bool>,
    /// A token is issued (HTTP 200 and an assertion). WST-13, WST-14.
    pub token_issued: Option<bool>,
    /// TokenType is one of the two SAML URNs. WST-15.
    pub saml_urn_token_type: Option<bool>,
    /// Same login outcome (status, token, fault subcode) as another login step. WST-10…12.
    pub same_login_outcome_as: Option<StepKind>,
    /// The root is an `md:EntityDescriptor` with an `entityID`. WSF-1.
    pub entity_descriptor: Option<bool>,
    /// A RoleDescriptor resolves to `fed:SecurityTokenServiceType` and lists WS-Federation. WSF-2.
    pub sts_role: Option<bool>,
    /// A signing certificate valid now. WSF-3.
    pub signing_certificate_current: Option<bool>,
    /// `PassiveRequestorEndpoint` present, every address https. WSF-4.
    pub passive_endpoint_https: Option<bool>,
    /// The metadata is signed and the signature verifies. WSF-5.
    pub metadata_signed: Option<bool>,
    /// `SecurityTokenServiceEndpoint` present. WSF-5.
    pub sts_endpoint: Option<bool>,
    /// TokenTypesOffered lists the type a sign-in step issued. WSF-5.
    pub offers_token_type_of: Option<StepKind>,
    /// Whether the answer delivers a token (a form carrying `wresult`, or a redirect to the
    /// wreply sent). WSF-6, WSF-8…10, WSF-12.
    pub token_delivered: Option<bool>,
    /// The token form POSTs to the wreply sent, with `wa=wsignin1.0` and `wresult`. WSF-6.
    pub posts_to_wreply: Option<bool>,
    /// `wctx` comes back byte-identical. WSF-6.
    pub wctx_echoed: Option<bool>,
    /// Without wctx, no context value (such as `undefined`) comes back. WSF-11.
    pub no_placeholder_wctx: Option<bool>,
    /// `wresult` is a WS-Trust RSTR (2005 or 1.3) with an assertion. WSF-7.
    pub wresult_rstr: Option<bool>,
    /// The assertion's audience is the wtrealm sent (`urn:{client_id}` without one). WSF-7.
    pub token_audience: Option<bool>,
    /// The assertion is current. WSF-7.
    pub token_current: Option<bool>,
    /// The assertion's signature verifies with the metadata's signing certificate. WSF-7.
    pub token_signature: Option<bool>,
    /// The sign-in with `whr=urn:{connection}` delivers a token (skipped without a connection).
    /// WSF-12.
    pub connection_selected: Option<bool>,
    /// Reaches the same client as another sign-in step: both deliver a token to the same wreply
    /// for the same audience. WSF-13.
    pub same_client_as: Option<StepKind>,
}

impl Expect {
    /// The keys present, with the step families each applies to.
    pub fn keys(&self) -> Vec<(&'static str, &'static [Family])> {
        use Family::{Login, Mex, Preauth, WsfedMetadata, WsfedSignin};
        const ALL: &[Family] = &[Preauth, Mex, Login, WsfedMetadata, WsfedSignin];
        const MD: &[Family] = &[WsfedMetadata];
        const WSF: &[Family] = &[WsfedSignin];
        const PRE: &[Family] = &[Preauth];
        const MEX: &[Family] = &[Mex];
        const LOGIN: &[Family] = &[Login];
        let mut k = Vec::new();
        let mut add = |present: bool, name, families| {
            if present {
                k.push((name, families));
            }
        };
        add(self.status.is_some(), "status", ALL);
        add(self.content_type.is_some(), "content_type", ALL);
        add(self.json_object.is_some(), "json_object", PRE);
        add(self.predicate.is_some(), "predicate", PRE);
        add(self.mex_url_https.is_some(), "mex_url_https", PRE);
        add(self.same_json_as.is_some(), "same_json_as", PRE);
        add(self.same_outcome_as.is_some(), "same_outcome_as", PRE);
        add(self.fields_present.is_some(), "fields_present", PRE);
        add(self.wsdl.is_some(), "wsdl", MEX);
        add(self.endpoint_selected.is_some(), "endpoint_selected", MEX);
        add(self.preferred_version.is_some(), "preferred_version", MEX);
        add(self.also_advertises.is_some(), "also_advertises", MEX);
        add(self.https_only.is_some(), "https_only", MEX);
        add(self.no_password_digest.is_some(), "no_password_digest", MEX);
        add(self.clean_address.is_some(), "clean_address", MEX);
        add(self.transport_binding.is_some(), "transport_binding", MEX);
        add(
            self.inventory_consistent.is_some(),
            "inventory_consistent",
            MEX,
        );
        add(self.valid_certificate.is_some(), "valid_certificate", ALL);
        add(self.no_http_redirect.is_some(), "no_http_redirect", ALL);
        add(self.soap_envelope.is_some(), "soap_envelope", LOGIN);
        add(self.nonce_echo.is_some(), "nonce_echo", LOGIN);
        add(self.fresh.is_some(), "fresh", LOGIN);
        add(self.shape.is_some(), "shape", LOGIN);
        add(self.token_type_known.is_some(), "token_type_known", LOGIN);
        add(self.assertion_matches.is_some(), "assertion_matches", LOGIN);
        add(self.assertion_current.is_some(), "assertion_current", LOGIN);
        add(self.credential_fault.is_some(), "credential_fault", LOGIN);
        add(self.fault_no_token.is_some(), "fault_no_token", LOGIN);
        add(self.token_issued.is_some(), "token_issued", LOGIN);
        add(
            self.saml_urn_token_type.is_some(),
            "saml_urn_token_type",
            LOGIN,
        );
        add(
            self.same_login_outcome_as.is_some(),
            "same_login_outcome_as",
            LOGIN,
        );
        add(self.entity_descriptor.is_some(), "entity_descriptor", MD);
        add(self.sts_role.is_some(), "sts_role", MD);
        add(
            self.signing_certificate_current.is_some(),
            "signing_certificate_current",
            MD,
        );
        add(
            self.passive_endpoint_https.is_some(),
            "passive_endpoint_https",
            MD,
        );
        add(self.metadata_signed.is_some(), "metadata_signed", MD);
        add(self.sts_endpoint.is_some(), "sts_endpoint", MD);
        add(
            self.offers_token_type_of.is_some(),
            "offers_token_type_of",
            MD,
        );
        add(self.token_delivered.is_some(), "token_delivered", WSF);
        add(self.posts_to_wreply.is_some(), "posts_to_wreply", WSF);
        add(self.wctx_echoed.is_some(), "wctx_echoed", WSF);
        add(
            self.no_placeholder_wctx.is_some(),
            "no_placeholder_wctx",
            WSF,
        );
        add(self.wresult_rstr.is_some(), "wresult_rstr", WSF);
        add(self.token_audience.is_some(), "token_audience", WSF);
        add(self.token_current.is_some(), "token_current", WSF);
        add(self.token_signature.is_some(), "token_signature", WSF);
        add(
            self.connection_selected.is_some(),
            "connection_selected",
            WSF,
        );
        add(self.same_client_as.is_some(), "same_client_as", WSF);
        k
    }

    /// The step a comparing expectation (`same_*_as`, `offers_token_type_of`) reads beside the
    /// case's own.
    pub fn other_step(&self) -> Option<StepKind> {
        self.same_json_as
            .or(self.same_outcome_as)
            .or(self.same_login_outcome_as)
            .or(self.offers_token_type_of)
            .or(self.same_client_as)
    }

    /// True for keys that judge the HTTP exchange itself rather than the body.
    pub fn is_transport_key(key: &str) -> bool {
        matches!(
            key,
            "status" | "content_type" | "valid_certificate" | "no_http_redirect"
        )
    }
}

/// A case as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCase {
    pub id: Spanned<String>,
    pub requirements: Spanned<Vec<Spanned<String>>>,
    pub step: StepKind,
    #[serde(default)]
    pub description: Option<String>,
    pub expect: Spanned<Expect>,
}

/// The `[suite]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteMeta {
    /// Suite name, used as the first half of every case name.
    pub name: String,
    /// What the suite covers.
    #[serde(default)]
    pub description: Option<String>,
}

/// A suite file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSuite {
    pub suite: Spanned<SuiteMeta>,
    #[serde(rename = "case", default)]
    pub cases: Vec<RawCase>,
}

/// A validated case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDef {
    /// Case ID, unique in its suite.
    pub id: String,
    /// SPEC.md IDs it checks.
    pub requirements: Vec<String>,
    /// The step it looks at.
    pub step: StepKind,
    /// Human description.
    pub description: Option<String>,
    /// What is expected.
    pub expect: Expect,
}

/// A validated suite.
#[derive(Debug, Clone, Serialize)]
pub struct Suite {
    /// Name and description.
    pub meta: SuiteMeta,
    /// The file it came from.
    pub file: PathBuf,
    /// Digest of the file's bytes (FNV-1a 64, hex), for reports.
    pub digest: String,
    /// Its cases, in file order.
    pub cases: Vec<CaseDef>,
}
