//! The checks macOS makes on the Platform SSO login configuration when it is set, before any
//! request (SPEC.md CFG): required keys per federation type, the predicate compiled and evaluated
//! against an empty dictionary, and the URLs App Transport Security will load. Each refusal
//! carries the text macOS logs *(observed: the shipped agent's `setLoginConfiguration`)*.

use super::predicate::Predicate;
use crate::suite::{FederationType, LoginConfig, https_url};
use serde::Serialize;

/// One of macOS's configuration rules (SPEC.md CFG-1…CFG-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigRule {
    /// CFG-1: `federationRequestURN` is set (both federation types).
    RequestUrn,
    /// CFG-2: `federationUserPreauthenticationURL` is set (dynamic WS-Trust).
    PreauthUrl,
    /// CFG-3: `federationMEXURLKeypath` is set (dynamic WS-Trust) *(observed)*.
    MexKeypath,
    /// CFG-4: `federationPredicate` compiles and evaluates against `{}` without raising.
    Predicate,
    /// CFG-5: `federationMEXURL` is set (WS-Trust).
    MexUrl,
    /// CFG-6: the URL keys are absolute https URLs (ATS).
    HttpsUrls,
}

impl ConfigRule {
    /// The SPEC.md requirement.
    pub fn requirement(self) -> &'static str {
        match self {
            ConfigRule::RequestUrn => "CFG-1",
            ConfigRule::PreauthUrl => "CFG-2",
            ConfigRule::MexKeypath => "CFG-3",
            ConfigRule::Predicate => "CFG-4",
            ConfigRule::MexUrl => "CFG-5",
            ConfigRule::HttpsUrls => "CFG-6",
        }
    }

    /// What macOS logs when the rule is broken (the error its agent returns; for CFG-6 the error
    /// URLSession gives a load ATS blocks).
    pub fn macos_text(self) -> &'static str {
        match self {
            ConfigRule::RequestUrn => "The federationRequestURN is missing.",
            ConfigRule::PreauthUrl => "The federationUserPreauthenticationURL is missing.",
            ConfigRule::MexKeypath => "The federationMexURLKeypath is missing.",
            ConfigRule::Predicate => "The federationPredicate is not formatted correctly.",
            ConfigRule::MexUrl => "The federationMexURL is missing.",
            ConfigRule::HttpsUrls => {
                "The resource could not be loaded because the App Transport Security policy requires the use of a secure connection."
            }
        }
    }

    /// The rule, as the expected side of a finding.
    pub fn expected(self) -> &'static str {
        match self {
            ConfigRule::RequestUrn => "federationRequestURN set",
            ConfigRule::PreauthUrl => {
                "federationUserPreauthenticationURL set (federationType \"dynamic-wstrust\")"
            }
            ConfigRule::MexKeypath => {
                "federationMEXURLKeypath set (federationType \"dynamic-wstrust\"; macOS requires it although the documentation calls it optional)"
            }
            ConfigRule::Predicate => {
                "federationPredicate that compiles and evaluates against an empty dictionary without raising"
            }
            ConfigRule::MexUrl => "federationMEXURL set (federationType \"wstrust\")",
            ConfigRule::HttpsUrls => {
                "each URL the configuration sets (federationUserPreauthenticationURL, federationMEXURL) an absolute https URL as written"
            }
        }
    }
}

/// A refusal in words: what is wrong, then who refuses and the text macOS logs.
pub fn refusal(rule: ConfigRule, detail: &str) -> String {
    let who = match rule {
        ConfigRule::HttpsUrls => "App Transport Security refuses the load",
        _ => "macOS refuses the login configuration",
    };
    format!(
        "{detail}; {who}: {}",
        crate::flow::quoted(rule.macos_text())
    )
}

/// How a configuration fares under one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RuleOutcome {
    /// The rule holds; what was seen.
    Holds {
        /// What was seen.
        seen: String,
    },
    /// macOS refuses the configuration (or, for CFG-6, ATS refuses the load).
    Refused {
        /// What is wrong, with the value.
        detail: String,
    },
    /// fedconform cannot judge it (a predicate outside its NSPredicate subset).
    NotEvaluated {
        /// Why.
        reason: String,
    },
}

fn set(value: &Option<String>) -> bool {
    value.is_some()
}

/// Judges a login configuration under one of macOS's rules.
pub fn check(cfg: &LoginConfig, rule: ConfigRule) -> RuleOutcome {
    let dynamic = cfg.federation_type == FederationType::DynamicWstrust;
    let holds = |seen: String| RuleOutcome::Holds { seen };
    let refused = |detail: String| RuleOutcome::Refused { detail };
    // A rule of the other federation type holds: macOS does not check it for this one (the
    // requirement says "a dynamic WS-Trust configuration sets…", and this is not one).
    let only = |ty: &str| RuleOutcome::Holds {
        seen: format!(
            "federationType is {}: macOS checks this only when it is {}",
            crate::flow::quoted(match cfg.federation_type {
                FederationType::Wstrust => "wstrust",
                FederationType::DynamicWstrust => "dynamic-wstrust",
            }),
            crate::flow::quoted(ty)
        ),
    };
    let quoted = |v: &Option<String>| v.as_deref().map(crate::flow::quoted).unwrap_or_default();
    match rule {
        ConfigRule::RequestUrn if set(&cfg.request_urn) => {
            holds(format!("federationRequestURN {}", quoted(&cfg.request_urn)))
        }
        ConfigRule::RequestUrn => refused("federationRequestURN is absent".into()),
        ConfigRule::PreauthUrl | ConfigRule::MexKeypath | ConfigRule::Predicate if !dynamic => {
            only("dynamic-wstrust")
        }
        ConfigRule::PreauthUrl if set(&cfg.preauth_url) => holds(format!(
            "federationUserPreauthenticationURL {}",
            quoted(&cfg.preauth_url)
        )),
        ConfigRule::PreauthUrl => {
            refused("federationUserPreauthenticationURL is absent".into())
        }
        ConfigRule::MexKeypath if set(&cfg.mex_keypath) => {
            holds(format!("federationMEXURLKeypath {}", quoted(&cfg.mex_keypath)))
        }
        ConfigRule::MexKeypath => refused(
            "federationMEXURLKeypath is absent (the documented fallback federation_metadata_url is never reached)"
                .into(),
        ),
        ConfigRule::Predicate => predicate(cfg.predicate.as_deref()),
        ConfigRule::MexUrl if dynamic => only("wstrust"),
        ConfigRule::MexUrl if set(&cfg.mex_url) => {
            holds(format!("federationMEXURL {}", quoted(&cfg.mex_url)))
        }
        ConfigRule::MexUrl => refused("federationMEXURL is absent".into()),
        ConfigRule::HttpsUrls => https_urls(cfg),
    }
}

/// CFG-4: NSPredicate's `predicateWithFormat:` raises on a format it cannot parse (a nil one
/// included), and `evaluateWithObject:` with an empty dictionary raises on the mismatches
/// [`Predicate::evaluate_strict`] models.
fn predicate(source: Option<&str>) -> RuleOutcome {
    let Some(source) = source else {
        return RuleOutcome::Refused {
            detail: "federationPredicate is absent (NSPredicate raises on a nil format)".into(),
        };
    };
    let shown = crate::flow::quoted(source);
    match Predicate::parse(source) {
        Err(e) => match e.unsupported_word(source) {
            Some(word) => RuleOutcome::NotEvaluated {
                reason: format!(
                    "federationPredicate {shown} uses {word}, outside fedconform's NSPredicate subset: whether macOS compiles it is not judged"
                ),
            },
            None => RuleOutcome::Refused {
                detail: format!("federationPredicate {shown} does not compile: {e}"),
            },
        },
        Ok(p) => match p.evaluate_strict(&serde_json::json!({})) {
            Ok(v) => RuleOutcome::Holds {
                seen: format!(
                    "federationPredicate {shown} compiles and evaluates {v} against {{}}"
                ),
            },
            Err(raise) => RuleOutcome::Refused {
                detail: format!(
                    "federationPredicate {shown} raises against an empty dictionary: {}",
                    raise.0
                ),
            },
        },
    }
}

/// CFG-6: every URL key present is an absolute https URL (the absent ones are CFG-2 and CFG-5).
fn https_urls(cfg: &LoginConfig) -> RuleOutcome {
    let mut seen = Vec::new();
    for (key, value) in [
        ("federationUserPreauthenticationURL", &cfg.preauth_url),
        ("federationMEXURL", &cfg.mex_url),
    ] {
        let Some(v) = value else { continue };
        match https_url(v) {
            Ok(_) => seen.push(format!("{key} is https")),
            Err(why) => {
                return RuleOutcome::Refused {
                    detail: format!("{key} {why}"),
                };
            }
        }
    }
    if seen.is_empty() {
        RuleOutcome::Holds {
            seen: "no URL key is set".into(),
        }
    } else {
        RuleOutcome::Holds {
            seen: seen.join(", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dynamic() -> LoginConfig {
        LoginConfig::example_dynamic()
    }

    fn refused(cfg: &LoginConfig, rule: ConfigRule) -> bool {
        matches!(check(cfg, rule), RuleOutcome::Refused { .. })
    }

    #[test]
    fn a_complete_dynamic_configuration_holds_every_rule() {
        let cfg = dynamic();
        for rule in [
            ConfigRule::RequestUrn,
            ConfigRule::PreauthUrl,
            ConfigRule::MexKeypath,
            ConfigRule::Predicate,
            ConfigRule::HttpsUrls,
        ] {
            assert!(
                matches!(check(&cfg, rule), RuleOutcome::Holds { .. }),
                "{rule:?}"
            );
        }
        assert!(matches!(
            check(&cfg, ConfigRule::MexUrl),
            RuleOutcome::Holds { .. }
        ));
    }

    #[test]
    fn urls_a_whatwg_parser_would_repair_are_refused_as_written() {
        for bad in [
            "https:/login.example/realm",
            "https:login.example/realm",
            "https:\\\\login.example\\realm",
            "https://login.example\\realm",
            " https://login.example/realm",
            "https://login.example/realm ",
            "https://login.example/re alm",
            "https://login.example/realm\t",
            "https:///realm",
            "https://?x=1",
            "login.example/realm",
            "ftp://login.example/realm",
        ] {
            let mut cfg = dynamic();
            cfg.mex_url = Some(bad.into());
            match check(&cfg, ConfigRule::HttpsUrls) {
                RuleOutcome::Refused { detail } => {
                    assert!(detail.starts_with("federationMEXURL "), "{detail}")
                }
                other => panic!("{bad:?} was not refused: {other:?}"),
            }
        }
        for good in [
            "https://login.example/realm",
            "HTTPS://login.example",
            "https://login.example:8443/r?a=b#f",
            "https://[::1]:8443/mex",
        ] {
            let mut cfg = dynamic();
            cfg.mex_url = Some(good.into());
            assert!(
                matches!(
                    check(&cfg, ConfigRule::HttpsUrls),
                    RuleOutcome::Holds { .. }
                ),
                "{good:?}"
            );
        }
    }

    #[test]
    fn each_missing_key_breaks_its_rule() {
        let mut cfg = dynamic();
        cfg.mex_keypath = None;
        assert!(refused(&cfg, ConfigRule::MexKeypath));
        let mut cfg = dynamic();
        cfg.request_urn = None;
        assert!(refused(&cfg, ConfigRule::RequestUrn));
        let mut cfg = dynamic();
        cfg.predicate = Some("SELF BEGINSWITH 'x'".into());
        assert!(refused(&cfg, ConfigRule::Predicate));
        cfg.predicate = Some("account_type ==".into());
        assert!(refused(&cfg, ConfigRule::Predicate));
        cfg.predicate = Some("name MATCHES '[a-z]+'".into());
        assert!(matches!(
            check(&cfg, ConfigRule::Predicate),
            RuleOutcome::NotEvaluated { .. }
        ));
        let mut cfg = dynamic();
        cfg.preauth_url = Some("http://login.example/realm".into());
        assert!(refused(&cfg, ConfigRule::HttpsUrls));
        let wstrust = LoginConfig {
            federation_type: FederationType::Wstrust,
            mex_url: None,
            preauth_url: None,
            predicate: None,
            mex_keypath: None,
            ..dynamic()
        };
        assert!(refused(&wstrust, ConfigRule::MexUrl));
        assert!(matches!(
            check(&wstrust, ConfigRule::MexKeypath),
            RuleOutcome::Holds { .. }
        ));
    }
}
