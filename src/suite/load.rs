//! Loading and validating suites and targets. Every problem is collected with its place; a single
//! problem means nothing runs.

use super::error::{ConfigError, ConfigErrors, from_toml};
use super::expect::{Expect, Expectation, SourcePos};
use super::model::{CaseDef, RawSuite, Suite};
use super::target::{
    DEFAULT_WCTX, FederationType, LoginConfig, RawLoginConfiguration, RawTarget, RawUser, Secret,
    Target, User, UserRole, WsFedTarget, default_reserved_login,
};
use crate::flow::keypath::KeyPath;
use crate::requirements;
use rustls_pki_types::{CertificateDer, pem::PemObject};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use toml::Spanned;
use url::Url;

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

/// FNV-1a 64 of bytes, as hex: a stable digest for reports.
pub fn digest(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Parses and validates one suite held in memory.
pub fn load_suite_str(file: &Path, source: &str) -> Result<Suite, ConfigErrors> {
    let raw: RawSuite = toml::from_str(source).map_err(|e| from_toml(file, source, &e))?;
    let mut errors = Vec::new();
    let at =
        |span: std::ops::Range<usize>, msg: String| ConfigError::at(file, source, Some(span), msg);
    let meta = raw.suite.get_ref().clone();
    if !valid_name(&meta.name) {
        errors.push(at(
            raw.suite.span(),
            format!(
                "invalid suite name {:?}: expected lower-case letters, digits and '-'",
                meta.name
            ),
        ));
    }
    if raw.cases.is_empty() {
        errors.push(ConfigError::at(
            file,
            source,
            Some(0..0),
            "the suite has no [[case]]: expected at least one",
        ));
    }
    let mut seen = HashSet::new();
    let mut cases = Vec::new();
    for c in &raw.cases {
        let id = c.id.get_ref().clone();
        if !valid_name(&id) {
            errors.push(at(
                c.id.span(),
                format!("invalid case id {id:?}: expected lower-case letters, digits and '-'"),
            ));
        } else if !seen.insert(id.clone()) {
            errors.push(at(
                c.id.span(),
                format!("duplicate case id {id:?}: expected each case id once per suite"),
            ));
        }
        if c.requirements.get_ref().is_empty() {
            errors.push(at(
                c.requirements.span(),
                "empty requirements: expected at least one SPEC.md ID such as \"MEX-3\"".into(),
            ));
        }
        for r in c.requirements.get_ref() {
            if requirements::find(r.get_ref()).is_none() {
                errors.push(at(r.span(), format!("unknown requirement ID {:?}: expected an ID from SPEC.md (TLS-1…TLS-11, CFG-1…CFG-6, PRE-1…PRE-9, MEX-1…MEX-10, WST-1…WST-16, WSF-1…WSF-16)", r.get_ref())));
            }
        }
        let table = &c.expect.get_ref().0;
        if table.is_empty() {
            errors.push(at(
                c.expect.span(),
                "empty expect table: expected at least one expectation".into(),
            ));
        }
        let mut expect = Vec::new();
        for (key, value) in table {
            let e = match Expectation::parse(key.get_ref(), value.get_ref()) {
                Ok(e) => e,
                Err(msg) => {
                    let span = if msg.starts_with("unknown expectation") {
                        key.span()
                    } else {
                        value.span()
                    };
                    errors.push(at(span, msg));
                    continue;
                }
            };
            if let Some(f) = e.family()
                && f != c.step.family()
            {
                errors.push(at(
                    key.span(),
                    format!(
                        "expectation `{}` does not apply to step `{}` (a {} step): expected a {} step",
                        key.get_ref(),
                        c.step,
                        c.step.family().name(),
                        f.name()
                    ),
                ));
            }
            if e.is_transport() && c.step.family() == crate::suite::Family::Configuration {
                errors.push(at(
                    key.span(),
                    format!(
                        "expectation `{}` is about an HTTP exchange and step `{}` makes none: expected a login configuration expectation such as `request_urn_set`",
                        key.get_ref(),
                        c.step
                    ),
                ));
            }
            if let Some((other, family)) = e.other_step()
                && (other.family() != family || other == c.step)
            {
                errors.push(at(
                    value.span(),
                    format!(
                        "cannot compare step `{}` with `{other}`: expected another {} step",
                        c.step,
                        family.name()
                    ),
                ));
            }
            let (line, column) = super::error::line_col(source, key.span().start);
            expect.push(Expect {
                expectation: e,
                at: Some(SourcePos {
                    file: file.display().to_string(),
                    line,
                    column,
                }),
            });
        }
        cases.push(CaseDef {
            id,
            requirements: c
                .requirements
                .get_ref()
                .iter()
                .map(|r| r.get_ref().clone())
                .collect(),
            step: c.step,
            description: c.description.clone(),
            expect,
        });
    }
    if !errors.is_empty() {
        return Err(ConfigErrors(errors));
    }
    Ok(Suite {
        meta,
        file: file.to_path_buf(),
        digest: digest(source.as_bytes()),
        cases,
    })
}

fn read_text(file: &Path) -> Result<String, ConfigError> {
    let bytes =
        std::fs::read(file).map_err(|e| ConfigError::file(file, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        ConfigError::file(
            file,
            format!(
                "not UTF-8 at byte {}: expected a UTF-8 TOML file",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Loads every `*.toml` in a folder (sorted by name), or one file.
pub fn load_suites(path: &Path) -> Result<Vec<Suite>, ConfigErrors> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let rd = std::fs::read_dir(path)
            .map_err(|e| ConfigError::file(path, format!("cannot read folder: {e}")))?;
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        v.sort();
        v
    } else if path.exists() {
        vec![path.to_path_buf()]
    } else {
        return Err(ConfigError::file(
            path,
            "no such file or folder: expected a suite file or a folder of them",
        )
        .into());
    };
    if files.is_empty() {
        return Err(ConfigError::file(path, "no *.toml suite files in this folder").into());
    }
    let mut errors = Vec::new();
    let mut suites: Vec<Suite> = Vec::new();
    for f in files {
        match read_text(&f) {
            Err(e) => errors.push(e),
            Ok(src) => match load_suite_str(&f, &src) {
                Err(ConfigErrors(es)) => errors.extend(es),
                Ok(s) => {
                    if let Some(prev) = suites.iter().find(|p| p.meta.name == s.meta.name) {
                        errors.push(ConfigError::file(
                            &f,
                            format!(
                                "suite name {:?} is already used by {}",
                                s.meta.name,
                                prev.file.display()
                            ),
                        ));
                    }
                    suites.push(s);
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(ConfigErrors(errors))
    }
}

/// Loads and validates a target file.
pub fn load_target(file: &Path) -> Result<Target, ConfigErrors> {
    let src = read_text(file)?;
    load_target_str(file, &src)
}

/// Parses and validates a target held in memory; relative paths resolve against `file`'s folder.
pub fn load_target_str(file: &Path, source: &str) -> Result<Target, ConfigErrors> {
    let raw: RawTarget = toml::from_str(source).map_err(|e| from_toml(file, source, &e))?;
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut errors = Vec::new();
    let at =
        |span: std::ops::Range<usize>, msg: String| ConfigError::at(file, source, Some(span), msg);
    let name = raw.target.name.get_ref().clone();
    if !valid_name(&name) {
        errors.push(at(
            raw.target.name.span(),
            format!("invalid target name {name:?}: expected lower-case letters, digits and '-'"),
        ));
    }
    // Without [login_configuration] the Platform SSO steps do not apply; a WS-Fed-only target.
    let platform_sso = raw.login_configuration.is_some();
    let absent = RawLoginConfiguration {
        federation_type: FederationType::Wstrust,
        preauth_url: None,
        predicate: None,
        mex_keypath: None,
        mex_url: None,
        request_urn: None,
        custom_values: Vec::new(),
    };
    let lc = raw.login_configuration.as_ref().unwrap_or(&absent);
    if !platform_sso && raw.wsfed.is_none() {
        errors.push(ConfigError::at(
            file,
            source,
            Some(0..0),
            "the target has neither [login_configuration] nor [wsfed]: expected at least one (Platform SSO values, WS-Federation values, or both)",
        ));
    }
    let parse_url =
        |s: &Spanned<String>, key: &str, errors: &mut Vec<ConfigError>| -> Option<Url> {
            match Url::parse(s.get_ref().trim()) {
                Ok(u) if u.scheme() == "https" || u.scheme() == "http" => Some(u),
                Ok(u) => {
                    errors.push(at(
                        s.span(),
                        format!(
                            "{key}: scheme {:?} is not supported: expected an https URL",
                            u.scheme()
                        ),
                    ));
                    None
                }
                Err(e) => {
                    errors.push(at(
                        s.span(),
                        format!("{key}: {e}: expected an absolute https URL"),
                    ));
                    None
                }
            }
        };
    // The login configuration as written: what macOS refuses (a missing key, a predicate that
    // does not compile, a URL that is not https) is a CFG failure judged by the run, not an
    // error here (SPEC.md CFG). What fedconform cannot read at all stays an error.
    let text = |v: &Option<Spanned<String>>| v.as_ref().map(|s| s.get_ref().clone());
    let login_configuration = platform_sso.then(|| LoginConfig {
        federation_type: lc.federation_type,
        request_urn: text(&lc.request_urn),
        preauth_url: text(&lc.preauth_url),
        predicate: text(&lc.predicate),
        mex_keypath: text(&lc.mex_keypath),
        mex_url: text(&lc.mex_url),
    });
    let mex_keypath = lc
        .mex_keypath
        .as_ref()
        .and_then(|k| match KeyPath::parse(k.get_ref()) {
            Ok(kp) => Some(kp),
            Err(e) => {
                errors.push(at(k.span(), format!("federationMEXURLKeypath: {e}")));
                None
            }
        });
    if let Some(urn) = &lc.request_urn
        && platform_sso
        && urn.get_ref().trim().is_empty()
    {
        errors.push(at(urn.span(), "federationRequestURN is empty: expected the AppliesTo URN, e.g. \"urn:federation:MicrosoftOnline\"".into()));
    }
    let mut federated_user = None;
    let mut managed_user = None;
    let mut special_user = None;
    let mut lockout_probe_user = None;
    let mut reserved_login = None;
    // Each role is its own account: logins compare as IdPs compare them, ignoring case and the
    // surrounding whitespace (a lockout-probe that is the federated user would lock it).
    let mut logins: Vec<(UserRole, String)> = Vec::new();
    for u in &raw.users {
        let key = u.login.get_ref().trim().to_lowercase();
        if let Some((role, _)) = logins.iter().find(|(r, l)| *l == key && *r != u.role) {
            errors.push(at(
                u.login.span(),
                format!(
                    "the {} user's login {} is the {} user's (logins compare ignoring case): expected another account for each role{}",
                    u.role.as_str(),
                    crate::flow::quoted(u.login.get_ref()),
                    role.as_str(),
                    if u.role == UserRole::LockoutProbe || *role == UserRole::LockoutProbe {
                        ", so that the wrong-password probe never counts towards a test user's lockout"
                    } else {
                        ""
                    }
                ),
            ));
        }
        logins.push((u.role, key));
    }
    for u in &raw.users {
        let user = resolve_user(u, &base, file, source, &mut errors);
        let slot = match u.role {
            UserRole::Federated => &mut federated_user,
            UserRole::Managed => &mut managed_user,
            UserRole::Special => &mut special_user,
            UserRole::LockoutProbe => &mut lockout_probe_user,
        };
        if slot.is_some() {
            errors.push(at(
                u.login.span(),
                format!(
                    "a second {} user: expected at most one user per role",
                    u.role.as_str()
                ),
            ));
        }
        if u.role == UserRole::Federated {
            reserved_login = Some(match &u.reserved_login {
                Some(r) => r.get_ref().clone(),
                None => default_reserved_login(u.login.get_ref()),
            });
        } else if let Some(r) = &u.reserved_login {
            errors.push(at(
                r.span(),
                "reserved_login applies to the federated user only".into(),
            ));
        }
        *slot = user;
    }
    let mut read_pems = |files: &[Spanned<String>]| {
        let mut out = Vec::new();
        for ca in files {
            let path = base.join(ca.get_ref());
            match std::fs::read(&path) {
                Err(e) => errors.push(at(
                    ca.span(),
                    format!("cannot read CA file {}: {e}", path.display()),
                )),
                Ok(bytes) => {
                    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes).collect();
                    if certs.is_empty() || certs.iter().any(|c| c.is_err()) {
                        errors.push(at(
                            ca.span(),
                            format!(
                                "{}: expected PEM certificates (-----BEGIN CERTIFICATE-----)",
                                path.display()
                            ),
                        ));
                    } else {
                        out.push(bytes);
                    }
                }
            }
        }
        out
    };
    let extra_ca_pem = read_pems(&raw.tls.extra_ca_files);
    let reference_roots_pem = read_pems(&raw.tls.reference_roots);
    let wsfed = raw.wsfed.as_ref().and_then(|w| {
        let before = errors.len();
        let base_url = parse_url(&w.base_url, "[wsfed] base_url", &mut errors);
        let client_id = w.client_id.get_ref().trim().to_string();
        if client_id.is_empty() || client_id.contains(['/', '?', '#']) {
            errors.push(at(
                w.client_id.span(),
                format!("[wsfed] client_id {client_id:?}: expected a client ID without '/', '?' or '#'"),
            ));
        }
        if let Err(e) = Url::parse(w.wreply.get_ref().trim()) {
            errors.push(at(
                w.wreply.span(),
                format!("[wsfed] wreply: {e}: expected the absolute URL of a registered callback"),
            ));
        }
        let metadata_url = match &w.metadata_url {
            Some(m) => parse_url(m, "[wsfed] metadata_url", &mut errors),
            None => base_url.as_ref().and_then(|b| {
                Url::parse(&format!(
                    "{}/wsfed/{client_id}/FederationMetadata/2007-06/FederationMetadata.xml",
                    b.as_str().trim_end_matches('/')
                ))
                .ok()
            }),
        };
        if let Some(c) = &w.connection
            && c.get_ref().trim().is_empty()
        {
            errors.push(at(
                c.span(),
                "[wsfed] connection is empty: expected a connection name (sent as whr=urn:{connection})".into(),
            ));
        }
        if errors.len() > before {
            return None;
        }
        Some(WsFedTarget {
            base_url: base_url?,
            wtrealm: w
                .wtrealm
                .as_ref()
                .map(|r| r.get_ref().trim().to_string())
                .unwrap_or_else(|| format!("urn:{client_id}")),
            client_id,
            wreply: w.wreply.get_ref().trim().to_string(),
            connection: w.connection.as_ref().map(|c| c.get_ref().trim().to_string()),
            wctx: w.wctx.clone().unwrap_or_else(|| DEFAULT_WCTX.to_string()),
            metadata_url: metadata_url?,
            audience: w
                .audience
                .as_ref()
                .map(|a| a.get_ref().trim().to_string())
                .filter(|a| !a.is_empty()),
        })
    });
    errors.extend(zero_limits(file, source));
    if !errors.is_empty() {
        return Err(ConfigErrors(errors));
    }
    Ok(Target {
        name,
        description: raw.target.description.clone(),
        file: Some(file.to_path_buf()),
        identity: format!("file {}", digest(source.as_bytes())),
        platform_sso,
        federation_type: lc.federation_type,
        preauth_url: login_configuration
            .as_ref()
            .and_then(LoginConfig::preauth_url),
        predicate: login_configuration
            .as_ref()
            .and_then(LoginConfig::parsed_predicate),
        mex_keypath,
        mex_url: login_configuration.as_ref().and_then(LoginConfig::mex_url),
        request_urn: lc
            .request_urn
            .as_ref()
            .map(|u| u.get_ref().trim().to_string())
            .unwrap_or_default(),
        login_configuration,
        custom_values: lc.custom_values.clone(),
        federated_user,
        reserved_login,
        managed_user,
        special_user,
        lockout_probe_user,
        lockout: raw.lockout,
        extra_ca_pem,
        reference_roots_pem,
        limits: raw.limits,
        wsfed,
    })
}

fn resolve_user(
    u: &RawUser,
    base: &Path,
    file: &Path,
    source: &str,
    errors: &mut Vec<ConfigError>,
) -> Option<User> {
    let at =
        |span: std::ops::Range<usize>, msg: String| ConfigError::at(file, source, Some(span), msg);
    let login = u.login.get_ref().clone();
    if login.trim().is_empty() {
        errors.push(at(
            u.login.span(),
            "empty login: expected the user's login name".into(),
        ));
    }
    let password = match (&u.password_env, &u.password_file) {
        (Some(_), Some(f)) => {
            errors.push(at(
                f.span(),
                "both password_env and password_file: expected one of them".into(),
            ));
            None
        }
        (Some(var), None) => match std::env::var(var.get_ref()) {
            Ok(v) if !v.is_empty() => Some(Secret::new(v)),
            Ok(_) => {
                errors.push(at(
                    var.span(),
                    format!(
                        "environment variable {} is empty: expected the password",
                        var.get_ref()
                    ),
                ));
                None
            }
            Err(_) => {
                errors.push(at(
                    var.span(),
                    format!(
                        "environment variable {} is not set: expected it to hold the password",
                        var.get_ref()
                    ),
                ));
                None
            }
        },
        (None, Some(f)) => {
            let path = base.join(f.get_ref());
            match std::fs::read_to_string(&path) {
                Ok(s) => {
                    let s = s
                        .strip_suffix('\n')
                        .map(|s| s.strip_suffix('\r').unwrap_or(s))
                        .unwrap_or(&s)
                        .to_string();
                    if s.is_empty() {
                        errors.push(at(
                            f.span(),
                            format!("password file {} is empty", path.display()),
                        ));
                        None
                    } else {
                        Some(Secret::new(s))
                    }
                }
                Err(e) => {
                    errors.push(at(
                        f.span(),
                        format!("cannot read password file {}: {e}", path.display()),
                    ));
                    None
                }
            }
        }
        (None, None) => {
            if u.role != UserRole::Managed && u.role != UserRole::LockoutProbe {
                errors.push(at(u.login.span(), format!("the {} user has no password_env or password_file: expected one (passwords are never written inline)", u.role.as_str())));
            }
            None
        }
    };
    Some(User { login, password })
}

/// Each `[limits]` key set to 0, located at its value: every limit must be greater than zero.
fn zero_limits(file: &Path, source: &str) -> Vec<ConfigError> {
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default)]
        limits: std::collections::BTreeMap<String, toml::Spanned<toml::Value>>,
    }
    let Ok(doc) = toml::from_str::<Doc>(source) else {
        return Vec::new();
    };
    doc.limits
        .iter()
        .filter(|(_, v)| v.get_ref().as_integer() == Some(0))
        .map(|(key, v)| {
            ConfigError::at(
                file,
                source,
                Some(v.span()),
                format!("[limits] {key} is 0: expected a number greater than zero"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        match load_suite_str(Path::new("s.toml"), src) {
            Ok(_) => String::from("(loaded)"),
            Err(e) => e.to_string(),
        }
    }

    const OK: &str = "[suite]\nname = \"x\"\n\n[[case]]\nid = \"a\"\nrequirements = [\"MEX-1\"]\nstep = \"mex\"\nexpect = { status = \"2xx\" }\n";

    #[test]
    fn loads_a_valid_suite() {
        let s = load_suite_str(Path::new("s.toml"), OK).map_err(|e| e.to_string());
        assert_eq!(s.map(|s| s.cases.len()), Ok(1));
    }

    #[test]
    fn unknown_requirement_is_located() {
        let e = err(&OK.replace("MEX-1", "MEX-99"));
        assert!(
            e.starts_with("s.toml:6:17: error: unknown requirement ID \"MEX-99\""),
            "{e}"
        );
    }

    #[test]
    fn unknown_key_is_located() {
        let e = err(&OK.replace("step = \"mex\"", "step = \"mex\"\nstpe = 1"));
        assert!(
            e.starts_with("s.toml:8:1: error: unknown key `stpe` (did you mean `step`?)"),
            "{e}"
        );
    }

    #[test]
    fn expectation_must_fit_step() {
        let e = err(&OK.replace("status = \"2xx\"", "predicate = true"));
        assert!(
            e.contains("expectation `predicate` does not apply to step `mex`"),
            "{e}"
        );
    }
}
