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
        }
    }

    /// True for the preauthentication steps.
    pub fn is_preauth(self) -> bool {
        !matches!(self, StepKind::Mex)
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
}

impl Expect {
    /// The keys present, with whether each applies to preauthentication and to MEX steps.
    pub fn keys(&self) -> Vec<(&'static str, bool, bool)> {
        let mut k = Vec::new();
        let mut add = |present: bool, name, pre, mex| {
            if present {
                k.push((name, pre, mex));
            }
        };
        add(self.status.is_some(), "status", true, true);
        add(self.content_type.is_some(), "content_type", true, true);
        add(self.json_object.is_some(), "json_object", true, false);
        add(self.predicate.is_some(), "predicate", true, false);
        add(self.mex_url_https.is_some(), "mex_url_https", true, false);
        add(self.same_json_as.is_some(), "same_json_as", true, false);
        add(
            self.same_outcome_as.is_some(),
            "same_outcome_as",
            true,
            false,
        );
        add(self.fields_present.is_some(), "fields_present", true, false);
        add(self.wsdl.is_some(), "wsdl", false, true);
        add(
            self.endpoint_selected.is_some(),
            "endpoint_selected",
            false,
            true,
        );
        add(
            self.preferred_version.is_some(),
            "preferred_version",
            false,
            true,
        );
        add(
            self.also_advertises.is_some(),
            "also_advertises",
            false,
            true,
        );
        add(self.https_only.is_some(), "https_only", false, true);
        add(
            self.no_password_digest.is_some(),
            "no_password_digest",
            false,
            true,
        );
        add(self.clean_address.is_some(), "clean_address", false, true);
        add(
            self.transport_binding.is_some(),
            "transport_binding",
            false,
            true,
        );
        add(
            self.inventory_consistent.is_some(),
            "inventory_consistent",
            false,
            true,
        );
        add(
            self.valid_certificate.is_some(),
            "valid_certificate",
            true,
            true,
        );
        add(
            self.no_http_redirect.is_some(),
            "no_http_redirect",
            true,
            true,
        );
        k
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
