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
        RuleOutcome::NotApplicable { reason } => finding(
            key,
            CheckResult::Skip(Skip::not_applicable(reason)),
            expected,
            "",
        ),
        RuleOutcome::NotEvaluated { reason } => {
            finding(key, CheckResult::Skip(Skip::needs(reason)), expected, "")
        }
    }
}
