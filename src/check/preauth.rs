//! Preauthentication checks (SPEC.md PRE-2…PRE-9) on an answer as macOS reads it.

use super::transport::no_answer;
use super::{CheckResult, Finding, Skip, finding, pass_if, quoted, skipped};
use crate::flow::keypath::KeyPath;
use crate::flow::preauth::{PreauthAnalysis, with_login_placeholder};
use crate::steps::{PreauthObservation, StepOutput};
use crate::suite::{Family, PreauthExpect, StepKind};

/// Judges one preauthentication expectation. `other` is the step a comparison reads.
pub fn judge(e: &PreauthExpect, p: &PreauthObservation, other: Option<&StepOutput>) -> Finding {
    let key = expectation_key(e);
    let Some(a) = &p.analysis else {
        return finding(
            key,
            no_answer(
                &p.exchange,
                Family::Preauth,
                *e == PreauthExpect::JsonObject,
            ),
            "an answer",
            "none",
        );
    };
    match e {
        PreauthExpect::JsonObject => json_object(a),
        PreauthExpect::Predicate(want) => predicate(*want, a, p.predicate_skip.as_ref()),
        PreauthExpect::MexUrlHttps => mex_url_https(a),
        PreauthExpect::FieldsPresent(fields) => fields_present(fields, a),
        PreauthExpect::SameJsonAs(step) => compare(key, *step, p, a, other, comparable_json),
        PreauthExpect::SameOutcomeAs(step) => compare(key, *step, p, a, other, outcome_summary),
    }
}

fn expectation_key(e: &PreauthExpect) -> &'static str {
    crate::suite::Expectation::Preauth(e.clone()).key()
}

/// Every expectation past PRE-2 reads inside the JSON object.
fn not_object(a: &PreauthAnalysis) -> Option<CheckResult> {
    a.json_error
        .as_ref()
        .map(|e| CheckResult::Skip(Skip::blocked("PRE-2", e.clone())))
}

/// PRE-2: "The body is a JSON object."
fn json_object(a: &PreauthAnalysis) -> Finding {
    finding(
        "json_object",
        pass_if(a.json_error.is_none()),
        "a JSON object",
        a.json_error
            .clone()
            .unwrap_or_else(|| "a JSON object".into()),
    )
}

/// PRE-3, PRE-5: "`federationPredicate` … evaluates true" (false for a non-federated user).
fn predicate(want: bool, a: &PreauthAnalysis, unusable: Option<&Skip>) -> Finding {
    let expected = format!("federationPredicate evaluates {want}");
    match (not_object(a), a.predicate) {
        (Some(blocked), _) => finding("predicate", blocked, expected, "no JSON object"),
        (None, Some(got)) => finding(
            "predicate",
            pass_if(got == want),
            expected,
            format!("it evaluates {got}"),
        ),
        // The configuration's predicate is missing or does not compile (CFG-4).
        (None, None) => match unusable {
            Some(skip) => finding("predicate", CheckResult::Skip(skip.clone()), expected, ""),
            None => finding(
                "predicate",
                CheckResult::Fail,
                expected,
                "nothing to evaluate",
            ),
        },
    }
}

/// PRE-4: "the value at `federationMEXURLKeypath` … is a non-empty JSON string holding an
/// absolute https URL."
fn mex_url_https(a: &PreauthAnalysis) -> Finding {
    let expected = "an absolute https MEX URL at the key path";
    if let Some(blocked) = not_object(a) {
        return finding("mex_url_https", blocked, expected, "no JSON object");
    }
    match &a.mex_url {
        Some(m) => finding(
            "mex_url_https",
            pass_if(m.url.is_ok()),
            expected,
            match &m.url {
                Ok(u) => format!("{} = {}", m.keypath, quoted(u)),
                Err(why) => format!("{} is {why}", m.keypath),
            },
        ),
        None => finding("mex_url_https", CheckResult::Fail, expected, "no MEX URL"),
    }
}

/// PRE-9: Microsoft user-realm fields are present.
fn fields_present(fields: &[String], a: &PreauthAnalysis) -> Finding {
    let expected = format!("fields {}", fields.join(", "));
    if let Some(blocked) = not_object(a) {
        return finding("fields_present", blocked, expected, "no JSON object");
    }
    let Some(j) = a.json.as_ref() else {
        return finding(
            "fields_present",
            CheckResult::Fail,
            expected,
            "no JSON object",
        );
    };
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| {
            KeyPath::parse(f)
                .ok()
                .and_then(|k| k.get(j).cloned())
                .is_none()
        })
        .map(String::as_str)
        .collect();
    finding(
        "fields_present",
        pass_if(missing.is_empty()),
        expected,
        if missing.is_empty() {
            "all present".to_string()
        } else {
            format!("missing: {}", missing.join(", "))
        },
    )
}

/// True when a preauthentication step succeeded as macOS needs it: a 2xx JSON object (PRE-1,
/// PRE-2). A comparison with a step that did not is not evaluated: it is blocked.
fn baseline_blocker(q: &PreauthObservation) -> Option<Skip> {
    let ex = &q.exchange;
    let at = &ex.final_url;
    match (&q.analysis, ex.status) {
        (None, _) => Some(match no_answer(ex, Family::Preauth, false) {
            CheckResult::Skip(s) => s,
            CheckResult::Error(e) => Skip::blocked("PRE-1", e),
            _ => Skip::blocked("PRE-1", format!("{at}: no answer")),
        }),
        (_, Some(s)) if !(200..=299).contains(&s) => {
            Some(Skip::blocked("PRE-1", format!("{at}: HTTP {s}")))
        }
        (Some(a), _) => a
            .json_error
            .as_ref()
            .map(|e| Skip::blocked("PRE-2", format!("{at}: {e}"))),
    }
}

/// PRE-6, PRE-8: the same answer (or outcome) as another preauthentication step. Evaluated only
/// when that step succeeded; otherwise blocked by the requirement it broke.
fn compare(
    key: &'static str,
    other_step: StepKind,
    p: &PreauthObservation,
    a: &PreauthAnalysis,
    other: Option<&StepOutput>,
    summary: fn(&PreauthObservation, &PreauthAnalysis) -> String,
) -> Finding {
    let q = match other {
        Some(StepOutput::Preauth(q)) => q,
        Some(StepOutput::NotRun { skip }) => return skipped(key, skip.clone()),
        Some(StepOutput::Unreachable { reason }) => {
            return finding(key, CheckResult::Error(reason.clone()), "", "");
        }
        _ => {
            return finding(
                key,
                CheckResult::Error(format!("step {other_step} was not observed")),
                "",
                "",
            );
        }
    };
    if let Some(b) = baseline_blocker(q) {
        return skipped(key, b);
    }
    let Some(b) = &q.analysis else {
        return skipped(key, Skip::blocked("PRE-1", "no answer"));
    };
    let (mine, theirs) = (summary(p, a), summary(q, b));
    finding(
        key,
        pass_if(mine == theirs),
        format!("the same answer as step {other_step}: {theirs}"),
        mine,
    )
}

/// The answer as PRE-6 compares it: the status class and the JSON with the login name replaced.
fn comparable_json(p: &PreauthObservation, a: &PreauthAnalysis) -> String {
    let status = p.exchange.status.map(|s| s / 100).unwrap_or(0);
    match &a.json {
        Some(j) => format!("{status}xx {}", with_login_placeholder(j, &p.login)),
        None => format!(
            "{status}xx {}",
            String::from_utf8_lossy(&p.exchange.body).replace(&p.login, "{login}")
        ),
    }
}

/// The outcome as PRE-8 compares it: status class, predicate, MEX URL.
fn outcome_summary(p: &PreauthObservation, a: &PreauthAnalysis) -> String {
    let status = p
        .exchange
        .status
        .map(|s| format!("{}xx", s / 100))
        .unwrap_or_else(|| "no status".into());
    let pred = a
        .predicate
        .map(|p| p.to_string())
        .unwrap_or_else(|| "no predicate result".into());
    let url = a
        .mex_url
        .as_ref()
        .and_then(|m| m.url.as_ref().ok().cloned())
        .unwrap_or_else(|| "no MEX URL".into());
    format!("HTTP {status}, predicate {pred}, MEX URL {url}")
}
