//! The suite format: cases that cite SPEC.md IDs, name the step they look at, and state the
//! expected behaviour as data.

use super::expect::Expect;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use toml::Spanned;

/// The protocol exchange a case looks at (DESIGN.md "steps").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// The login configuration itself, as macOS checks it when it is set (CFG): no exchange.
    LoginConfiguration,
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
    /// Exactly macOS's request, all its quirks together (WST-16).
    LoginMacos,
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
    /// wtrealm sent twice, the client's and an unknown one (WSF-16).
    WsfedRepeatedWtrealm,
    /// wa sent twice, `wsignin1.0` and `wsignout1.0` (WSF-16).
    WsfedRepeatedWa,
    /// A wctx of 8 KiB (WSF-16).
    WsfedLongWctx,
}

impl StepKind {
    /// The name used in suites and reports.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::LoginConfiguration => "login-configuration",
            StepKind::PreauthFederated => "preauth-federated",
            StepKind::PreauthFederatedCustom => "preauth-federated-custom",
            StepKind::PreauthManaged => "preauth-managed",
            StepKind::PreauthReserved => "preauth-reserved",
            StepKind::Mex => "mex",
            StepKind::Login => "login",
            StepKind::LoginNoPasswordType => "login-no-password-type",
            StepKind::LoginNoTimestamp => "login-no-timestamp",
            StepKind::LoginMacos => "login-macos",
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
            StepKind::WsfedRepeatedWtrealm => "wsfed-repeated-wtrealm",
            StepKind::WsfedRepeatedWa => "wsfed-repeated-wa",
            StepKind::WsfedLongWctx => "wsfed-long-wctx",
        }
    }

    /// Every step, in the order they depend on each other.
    pub const ALL: [StepKind; 31] = [
        StepKind::LoginConfiguration,
        StepKind::PreauthFederated,
        StepKind::PreauthFederatedCustom,
        StepKind::PreauthManaged,
        StepKind::PreauthReserved,
        StepKind::Mex,
        StepKind::Login,
        StepKind::LoginNoPasswordType,
        StepKind::LoginNoTimestamp,
        StepKind::LoginMacos,
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
        StepKind::WsfedRepeatedWtrealm,
        StepKind::WsfedRepeatedWa,
        StepKind::WsfedLongWctx,
    ];

    /// The family of the step: which expectations apply.
    pub fn family(self) -> Family {
        match self {
            StepKind::LoginConfiguration => Family::Configuration,
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
            | StepKind::WsfedUnknownConnection
            | StepKind::WsfedRepeatedWtrealm
            | StepKind::WsfedRepeatedWa
            | StepKind::WsfedLongWctx => Family::WsfedSignin,
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
    /// The login configuration (CFG).
    Configuration,
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
    /// The flow its steps belong to.
    pub fn flow(self) -> crate::requirements::Flow {
        match self {
            Family::Configuration | Family::Preauth | Family::Mex | Family::Login => {
                crate::requirements::Flow::PlatformSso
            }
            Family::WsfedMetadata | Family::WsfedSignin => crate::requirements::Flow::WsFederation,
        }
    }

    /// Its name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Family::Configuration => "login configuration",
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

/// A case as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCase {
    pub id: Spanned<String>,
    pub requirements: Spanned<Vec<Spanned<String>>>,
    pub step: StepKind,
    #[serde(default)]
    pub description: Option<String>,
    pub expect: Spanned<ExpectTable>,
}

/// An `expect` table as written: its keys and values in file order, each with its span.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExpectTable(pub Vec<(Spanned<String>, Spanned<toml::Value>)>);

impl<'de> Deserialize<'de> for ExpectTable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ExpectTable;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of expectations such as { status = \"2xx\" }")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<ExpectTable, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<Spanned<String>>()? {
                    out.push((k, m.next_value::<Spanned<toml::Value>>()?));
                }
                Ok(ExpectTable(out))
            }
        }
        d.deserialize_map(V)
    }
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
    /// What is expected, in the order written.
    pub expect: Vec<Expect>,
}

impl CaseDef {
    /// The step a comparing expectation (`same_*_as`, `offers_token_type_of`) reads beside the
    /// case's own.
    pub fn other_step(&self) -> Option<StepKind> {
        self.expect
            .iter()
            .find_map(|e| e.expectation.other_step().map(|(s, _)| s))
    }
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
