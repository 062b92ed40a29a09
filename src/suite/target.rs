//! The target format: which IdP, configured with the Platform SSO login configuration values under
//! their Apple names, with test users whose passwords come from the environment or a file.

use crate::flow::keypath::KeyPath;
use crate::flow::predicate::Predicate;
use crate::requirements::Flow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use toml::Spanned;
use url::Url;

/// `federationType`: how macOS finds the MEX document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FederationType {
    /// A fixed `federationMEXURL`.
    Wstrust,
    /// A preauthentication request finds the MEX URL per user.
    DynamicWstrust,
}

/// A `URLQueryItem` of `customFederationUserPreauthenticationRequestValues`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NameValue {
    /// Query item name.
    pub name: String,
    /// Query item value.
    pub value: String,
}

/// A password: never printed, never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The value, for building a request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

/// The Apple login configuration values (keys spelt as Apple spells them).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLoginConfiguration {
    #[serde(rename = "federationType")]
    pub federation_type: FederationType,
    #[serde(rename = "federationUserPreauthenticationURL", default)]
    pub preauth_url: Option<Spanned<String>>,
    #[serde(rename = "federationPredicate", default)]
    pub predicate: Option<Spanned<String>>,
    #[serde(rename = "federationMEXURLKeypath", default)]
    pub mex_keypath: Option<Spanned<String>>,
    #[serde(rename = "federationMEXURL", default)]
    pub mex_url: Option<Spanned<String>>,
    #[serde(rename = "federationRequestURN", default)]
    pub request_urn: Option<Spanned<String>>,
    #[serde(rename = "customFederationUserPreauthenticationRequestValues", default)]
    pub custom_values: Vec<NameValue>,
}

/// The vendor's Platform SSO login configuration as the target writes it (keys as Apple spells
/// them, values as written): what macOS checks when the configuration is set (SPEC.md CFG).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginConfig {
    /// `federationType`.
    #[serde(rename = "federationType")]
    pub federation_type: FederationType,
    /// `federationRequestURN`.
    #[serde(rename = "federationRequestURN")]
    pub request_urn: Option<String>,
    /// `federationUserPreauthenticationURL`, as written.
    #[serde(rename = "federationUserPreauthenticationURL")]
    pub preauth_url: Option<String>,
    /// `federationPredicate`.
    #[serde(rename = "federationPredicate")]
    pub predicate: Option<String>,
    /// `federationMEXURLKeypath`.
    #[serde(rename = "federationMEXURLKeypath")]
    pub mex_keypath: Option<String>,
    /// `federationMEXURL`, as written.
    #[serde(rename = "federationMEXURL")]
    pub mex_url: Option<String>,
}

/// A URL key's value read as macOS reads it: an absolute https URL written exactly so
/// (`https://` then a host, no whitespace, control character or backslash anywhere), or why it
/// is not (CFG-6).
///
/// The check is on the raw string, before any parser normalises it: the `url` crate (WHATWG)
/// repairs `https:/host`, `https:host`, backslashes and surrounding spaces, while Foundation's
/// `NSURL` (RFC 3986) reads them as a URL without a host or as no URL at all.
pub fn https_url(value: &str) -> Result<Url, String> {
    let shown = crate::flow::quoted(value);
    if let Some(c) = value
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == '\\')
    {
        let what = match c {
            '\\' => "a backslash".to_string(),
            ' ' => "a space".to_string(),
            c => format!("the character U+{:04X}", u32::from(c)),
        };
        return Err(format!(
            "{shown} is not an absolute https URL: it contains {what}"
        ));
    }
    let Some((scheme, rest)) = value.split_once(':') else {
        return Err(format!("{shown} is not an absolute URL: it has no scheme"));
    };
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(format!(
            "{shown} is not an https URL (scheme {})",
            crate::flow::quoted(scheme)
        ));
    }
    let Some(authority) = rest.strip_prefix("//") else {
        return Err(format!(
            "{shown} is not an absolute https URL: {} must follow the scheme (as written it has no host)",
            crate::flow::quoted("//")
        ));
    };
    let host_end = authority.find(['/', '?', '#']).unwrap_or(authority.len());
    if authority[..host_end].is_empty() {
        return Err(format!(
            "{shown} is not an absolute https URL: it has no host"
        ));
    }
    match Url::parse(value) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(u),
        Ok(_) => Err(format!(
            "{shown} is not an absolute https URL: it has no host"
        )),
        Err(e) => Err(format!("{shown} is not an absolute URL: {e}")),
    }
}

#[cfg(test)]
impl LoginConfig {
    /// A `dynamic-wstrust` configuration macOS accepts, for unit tests to vary.
    pub(crate) fn example_dynamic() -> LoginConfig {
        LoginConfig {
            federation_type: FederationType::DynamicWstrust,
            request_urn: Some("urn:federation:MicrosoftOnline".into()),
            preauth_url: Some("https://login.example/common/userrealm".into()),
            predicate: Some(r#"account_type ==[c] "federated""#.into()),
            mex_keypath: Some("federation_metadata_url".into()),
            mex_url: None,
        }
    }
}

impl LoginConfig {
    /// `federationUserPreauthenticationURL` when it is an absolute https URL.
    pub fn preauth_url(&self) -> Option<Url> {
        self.preauth_url.as_deref().and_then(|u| https_url(u).ok())
    }

    /// `federationMEXURL` when it is an absolute https URL.
    pub fn mex_url(&self) -> Option<Url> {
        self.mex_url.as_deref().and_then(|u| https_url(u).ok())
    }

    /// `federationPredicate` when it parses in fedconform's NSPredicate subset.
    pub fn parsed_predicate(&self) -> Option<Predicate> {
        self.predicate
            .as_deref()
            .and_then(|p| Predicate::parse(p).ok())
    }
}

/// Test user roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UserRole {
    /// Federated: the predicate should be true.
    Federated,
    /// Not federated (managed): the predicate should be false.
    Managed,
    /// Federated, with XML-special and non-ASCII characters in login and password (WST-13).
    Special,
    /// An existing account whose lockout does no harm: it receives the wrong-password probe
    /// (WST-8), so that the federated test user never does. Needs no password.
    LockoutProbe,
}

impl UserRole {
    /// The role as a target file writes it: `federated`, `managed`, `special`, `lockout-probe`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Federated => "federated",
            UserRole::Managed => "managed",
            UserRole::Special => "special",
            UserRole::LockoutProbe => "lockout-probe",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUser {
    pub role: UserRole,
    pub login: Spanned<String>,
    #[serde(default)]
    pub password_env: Option<Spanned<String>>,
    #[serde(default)]
    pub password_file: Option<Spanned<String>>,
    #[serde(default)]
    pub reserved_login: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTls {
    #[serde(default)]
    pub extra_ca_files: Vec<Spanned<String>>,
    #[serde(default)]
    pub reference_roots: Vec<Spanned<String>>,
}

/// Run limits for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Whole-request timeout in seconds (macOS uses 30; TLS-4).
    pub timeout_seconds: u64,
    /// Connect timeout in seconds.
    pub connect_timeout_seconds: u64,
    /// Largest body read, in bytes.
    pub max_body_bytes: usize,
    /// Requests in flight at once to one host.
    pub max_concurrency_per_host: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout_seconds: 30,
            connect_timeout_seconds: 10,
            max_body_bytes: 4 * 1024 * 1024,
            max_concurrency_per_host: 8,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTargetMeta {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// The `[wsfed]` table: the WS-Federation client the harness plays (SPEC.md WSF).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWsFed {
    pub base_url: Spanned<String>,
    pub client_id: Spanned<String>,
    #[serde(default)]
    pub wtrealm: Option<Spanned<String>>,
    pub wreply: Spanned<String>,
    #[serde(default)]
    pub connection: Option<Spanned<String>>,
    #[serde(default)]
    pub wctx: Option<String>,
    #[serde(default)]
    pub metadata_url: Option<Spanned<String>>,
    #[serde(default)]
    pub audience: Option<Spanned<String>>,
}

/// The WS-Federation values of a target (SPEC.md WSF).
#[derive(Debug, Clone)]
pub struct WsFedTarget {
    /// The tenant's base URL: sign-in is `{base_url}/wsfed/{client_id}`.
    pub base_url: Url,
    /// The client (relying party) ID.
    pub client_id: String,
    /// `wtrealm`: `urn:{client_id}` or one of the client's aliases.
    pub wtrealm: String,
    /// A registered callback URL, sent as `wreply`.
    pub wreply: String,
    /// The connection selected with `whr=urn:{connection}` (WSF-12).
    pub connection: Option<String>,
    /// The opaque `wctx` sent; by default one with characters that are easy to alter.
    pub wctx: String,
    /// The federation metadata URL.
    pub metadata_url: Url,
    /// The audience the client is configured with, when it is a fixed one rather than the
    /// `wtrealm` sent (WSF-7 then expects it).
    pub audience: Option<String>,
}

/// The default `wctx`: reserved, space and non-ASCII characters, so that any re-encoding shows
/// (WSF-6).
pub const DEFAULT_WCTX: &str = "rm=0&id=passive&ru=%2Fhome+page ?x=<é>\"'";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTarget {
    pub target: RawTargetMeta,
    #[serde(default)]
    pub login_configuration: Option<RawLoginConfiguration>,
    #[serde(default, rename = "user")]
    pub users: Vec<RawUser>,
    #[serde(default)]
    pub tls: RawTls,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub wsfed: Option<RawWsFed>,
    #[serde(default)]
    pub lockout: Lockout,
}

/// `[lockout]`: the deliberately failed logins a run may send (README "Lockout").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lockout {
    /// The most deliberately failed logins (wrong password, unknown user) one run sends; probes
    /// past the cap do not run and their requirements are not evaluated.
    pub max_failed_logins: u32,
    /// Let the wrong-password probe use the federated test user when no `lockout-probe` user is
    /// given (it may count towards that account's lockout).
    pub probe_federated_user: bool,
}

impl Default for Lockout {
    fn default() -> Self {
        Lockout {
            max_failed_logins: 2,
            probe_federated_user: false,
        }
    }
}

/// A test user, password resolved.
#[derive(Debug, Clone)]
pub struct User {
    /// Login name as typed on the Mac.
    pub login: String,
    /// Password, when one is configured.
    pub password: Option<Secret>,
}

/// A validated target, ready to run.
#[derive(Debug, Clone)]
pub struct Target {
    /// Name used in reports and golden paths.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The file it came from (None for the embedded reference IdP).
    pub file: Option<PathBuf>,
    /// What makes two runs' targets the same (`report merge` refuses shards whose identities
    /// differ): `file <digest of the file's bytes>` (passwords are never in the file: they come
    /// from the environment or a file), or for the embedded reference IdP its options without
    /// its port, `embedded reference IdP; defect …; token …`.
    pub identity: String,
    /// The target has Platform SSO values (`[login_configuration]`); without them the
    /// preauthentication, MEX and WS-Trust login steps do not apply.
    pub platform_sso: bool,
    /// The login configuration as written (None without `[login_configuration]`): the CFG
    /// requirements judge it.
    pub login_configuration: Option<LoginConfig>,
    /// `federationType`.
    pub federation_type: FederationType,
    /// `federationUserPreauthenticationURL`, when it is an absolute https URL (CFG-2, CFG-6).
    pub preauth_url: Option<Url>,
    /// `federationPredicate`, when it parses (CFG-4).
    pub predicate: Option<Predicate>,
    /// `federationMEXURLKeypath` (None: macOS's fallback `federation_metadata_url`).
    pub mex_keypath: Option<KeyPath>,
    /// `federationMEXURL`, when it is an absolute https URL (CFG-5, CFG-6).
    pub mex_url: Option<Url>,
    /// `federationRequestURN` (empty when the configuration lacks it: CFG-1).
    pub request_urn: String,
    /// `customFederationUserPreauthenticationRequestValues`.
    pub custom_values: Vec<NameValue>,
    /// The federated test user.
    pub federated_user: Option<User>,
    /// The login name with reserved characters for PRE-6.
    pub reserved_login: Option<String>,
    /// The managed (non-federated) test user.
    pub managed_user: Option<User>,
    /// The federated user with `& < > ' "` and non-ASCII in login and password (WST-13).
    pub special_user: Option<User>,
    /// The account that receives the wrong-password probe (WST-8).
    pub lockout_probe_user: Option<User>,
    /// How many deliberately failed logins a run may send, and to whom.
    pub lockout: Lockout,
    /// Extra trust anchors (PEM bytes): private CAs, trusted for the run, which a Mac does not
    /// use for Platform SSO (TLS-3 warns).
    pub extra_ca_pem: Vec<Vec<u8>>,
    /// Roots that stand in for public roots (PEM bytes): the reference IdP's CA and test labs'.
    /// A run that uses them is not a certification.
    pub reference_roots_pem: Vec<Vec<u8>>,
    /// Limits.
    pub limits: Limits,
    /// WS-Federation values (None: the WS-Fed suite does not apply).
    pub wsfed: Option<WsFedTarget>,
}

/// A login a run sends to fail on purpose (SPEC.md WST-8, WST-9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedLogin {
    /// The step that sends it.
    pub step: crate::suite::StepKind,
    /// To whom: the account's login, or None for a made-up unknown user.
    pub account: Option<String>,
}

impl Target {
    /// The account the wrong-password probe goes to: the `lockout-probe` user, or the federated
    /// user when `[lockout] probe_federated_user` allows it. Err: why there is none.
    pub fn wrong_password_account(&self) -> Result<&User, String> {
        if let Some(u) = &self.lockout_probe_user {
            return Ok(u);
        }
        match &self.federated_user {
            Some(u) if self.lockout.probe_federated_user => Ok(u),
            _ => Err("the wrong-password probe needs an account whose lockout does no harm: add a [[user]] with role = \"lockout-probe\" (or set [lockout] probe_federated_user = true to let it use the federated user, which may lock that account)".into()),
        }
    }

    /// The deliberately failed logins a run of `steps` sends, in the order they are allowed
    /// under the cap: the wrong-password probe first, then the unknown user.
    pub fn failed_logins(&self, steps: &[crate::suite::StepKind]) -> Vec<FailedLogin> {
        use crate::suite::StepKind;
        let mut out = Vec::new();
        if steps.contains(&StepKind::LoginWrongPassword)
            && let Ok(u) = self.wrong_password_account()
        {
            out.push(FailedLogin {
                step: StepKind::LoginWrongPassword,
                account: Some(u.login.clone()),
            });
        }
        if steps.contains(&StepKind::LoginUnknownUser) {
            out.push(FailedLogin {
                step: StepKind::LoginUnknownUser,
                account: None,
            });
        }
        out
    }

    /// True when the cap lets `step` send its deliberately failed login.
    pub fn failed_login_allowed(&self, step: crate::suite::StepKind) -> bool {
        use crate::suite::StepKind;
        let rank = match step {
            StepKind::LoginWrongPassword => 1,
            StepKind::LoginUnknownUser => 2,
            _ => return true,
        };
        rank <= self.lockout.max_failed_logins
    }

    /// The flows the target claims: its scope. `[login_configuration]` claims Platform SSO
    /// federation, `[wsfed]` WS-Federation.
    pub fn flows(&self) -> Vec<Flow> {
        let mut f = Vec::new();
        if self.platform_sso {
            f.push(Flow::PlatformSso);
        }
        if self.wsfed.is_some() {
            f.push(Flow::WsFederation);
        }
        f
    }

    /// The catalogue requirements out of the target's scope, with the reason: those of a flow it
    /// does not claim, and the preauthentication requirements when `federationType` is
    /// `wstrust` (macOS sends no preauthentication then).
    pub fn out_of_scope(&self) -> BTreeMap<String, String> {
        let flows = self.flows();
        let mut out = BTreeMap::new();
        for r in crate::requirements::CATALOGUE {
            if !r.flows().iter().any(|f| flows.contains(f)) {
                let f = r.flows().first().copied().unwrap_or(Flow::PlatformSso);
                out.insert(
                    r.id.to_string(),
                    format!(
                        "the target does not claim the {} flow: it has no {}",
                        f.name(),
                        f.section()
                    ),
                );
            } else if self.platform_sso
                && self.federation_type == FederationType::Wstrust
                && r.id.starts_with("PRE-")
            {
                out.insert(
                    r.id.to_string(),
                    "federationType is \"wstrust\": macOS sends no preauthentication".into(),
                );
            }
        }
        out
    }

    /// Every password the target holds, for the redactor.
    pub fn secrets(&self) -> Vec<&str> {
        [&self.federated_user, &self.managed_user, &self.special_user]
            .into_iter()
            .flatten()
            .filter_map(|u| u.password.as_ref().map(|p| p.expose()))
            .collect()
    }
}

/// The login name macOS would send for PRE-6: the federated login with `+`, `%`, `&`, `'` and a
/// non-ASCII letter added to its local part.
pub fn default_reserved_login(login: &str) -> String {
    match login.rsplit_once('@') {
        Some((local, domain)) => format!("{local}+fc%41&o'\u{e9}@{domain}"),
        None => format!("{login}+fc%41&o'\u{e9}"),
    }
}
