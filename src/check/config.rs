//! Login configuration checks (SPEC.md CFG-1…CFG-6): the checks macOS makes when the Platform
//! SSO login configuration is set, before any request. A refusal names the rule and quotes what
//! macOS logs.

use super::{CheckResult, Finding, Skip, finding};
use crate::flow::config::{ConfigRule, RuleOutcome, check, refusal};
use crate::steps::ConfigObservation;
use crate::suite::ConfigExpect;

/// The rule an expectation checks.
fn rule(e: &ConfigExpect) -> ConfigRule {
    match e {
        ConfigExpect::RequestUrnSet => ConfigRule::RequestUrn,
        ConfigExpect::PreauthUrlSet => ConfigRule::PreauthUrl,
        ConfigExpect::MexKeypathSet => ConfigRule::MexKeypath,
        ConfigExpect::PredicateEvaluates => ConfigRule::Predicate,
        ConfigExpect::MexUrlSet => ConfigRule::MexUrl,
        ConfigExpect::HttpsUrls => ConfigRule::HttpsUrls,
    }
}

/// Judges one configuration expectation. CFG-1…CFG-5 are the checks of the agent's
/// `setLoginConfiguration` *(observed)*: "The federationRequestURN is missing.", "The
/// federationUserPreauthenticationURL is missing.", "The federationMexURLKeypath is missing.",
/// "The federationPredicate is not formatted correctly.", "The federationMexURL is missing.";
/// CFG-6 is App Transport Security's refusal of a non-https load (NSAppTransportSecurity).
pub fn judge(e: &ConfigExpect, o: &ConfigObservation) -> Finding {
    let key = crate::suite::Expectation::Config(e.clone()).key();
    let r = rule(e);
    let expected = r.expected();
    match check(&o.config, r) {
        RuleOutcome::Holds { seen } => finding(key, CheckResult::Pass, expected, seen),
        RuleOutcome::Refused { detail } => {
            finding(key, CheckResult::Fail, expected, refusal(r, &detail))
        }
        RuleOutcome::NotEvaluated { reason } => {
            finding(key, CheckResult::Skip(Skip::needs(reason)), expected, "")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::LoginConfig;

    fn obs(f: impl Fn(&mut LoginConfig)) -> ConfigObservation {
        let mut config = LoginConfig::example_dynamic();
        f(&mut config);
        ConfigObservation { config }
    }

    #[test]
    fn a_refusal_quotes_what_macos_logs() {
        let f = judge(&ConfigExpect::MexKeypathSet, &obs(|c| c.mex_keypath = None));
        assert_eq!(f.result, CheckResult::Fail);
        assert_eq!(
            f.actual,
            "federationMEXURLKeypath is absent (the documented fallback federation_metadata_url is never reached); macOS refuses the login configuration: \"The federationMexURLKeypath is missing.\""
        );
        let f = judge(
            &ConfigExpect::HttpsUrls,
            &obs(|c| c.preauth_url = Some("http://login.example/realm".into())),
        );
        assert_eq!(f.result, CheckResult::Fail);
        assert!(
            f.actual.starts_with("federationUserPreauthenticationURL \"http://login.example/realm\" is not an https URL (scheme \"http\"); App Transport Security refuses the load: "),
            "{}",
            f.actual
        );
    }

    #[test]
    fn rules_of_the_other_federation_type_hold_and_unknown_syntax_is_not_judged() {
        let f = judge(&ConfigExpect::MexUrlSet, &obs(|_| {}));
        assert_eq!(f.result, CheckResult::Pass);
        assert_eq!(
            f.actual,
            "federationType is \"dynamic-wstrust\": macOS checks this only when it is \"wstrust\""
        );
        let f = judge(
            &ConfigExpect::PredicateEvaluates,
            &obs(|c| c.predicate = Some("ANY groups == 'x'".into())),
        );
        assert!(
            matches!(f.result, CheckResult::Skip(Skip::NeedsInput { .. })),
            "{:?}",
            f.result
        );
    }
}
