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
            "a whole answer",
            super::transport::came_back(&p.exchange),
        );
    };
    match e {
        PreauthExpect::JsonObject => json_object(a),
        PreauthExpect::Predicate(want) => predicate(*want, a, p.predicate_skip.as_ref()),
        PreauthExpect::MexUrlHttps => mex_url_https(a),
        PreauthExpect::FieldsPresent(fields) => fields_present(fields, a),
        PreauthExpect::SameJsonAs(step) => same_json(key, *step, p, a, other),
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
    // A key twice: the last value is read; which one Foundation keeps is unknown (SPEC.md PRE-2).
    if a.json_error.is_none() && !a.duplicate_keys.is_empty() {
        let said: Vec<String> = a
            .duplicate_keys
            .iter()
            .map(|(k, vs)| {
                format!(
                    "{} {} times ({}; the last is read)",
                    quoted(k),
                    vs.len(),
                    vs.iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(", then ")
                )
            })
            .collect();
        return finding(
            "json_object",
            CheckResult::Warn,
            "a JSON object, each key once",
            format!(
                "a JSON object with a key more than once: {}; which value macOS reads is unknown",
                said.join("; ")
            ),
        );
    }
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
            match (&a.predicate_source, &a.json) {
                // What it was evaluated on, so that a vendor sees why.
                (Some(p), Some(j)) => {
                    let answer = j.to_string();
                    let answer = if answer.chars().count() > 200 {
                        format!("{}…", answer.chars().take(200).collect::<String>())
                    } else {
                        answer
                    };
                    format!("{} evaluates {got} on the answer {answer}", quoted(p))
                }
                _ => format!("it evaluates {got}"),
            },
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
                Ok(u) => format!("{} = {}", quoted(&m.keypath), quoted(u)),
                Err(why) => format!("{}: {why}", quoted(&m.keypath)),
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

/// PRE-8: the same outcome as another preauthentication step. Evaluated only when that step
/// succeeded; otherwise blocked by the requirement it broke.
fn compare(
    key: &'static str,
    other_step: StepKind,
    p: &PreauthObservation,
    a: &PreauthAnalysis,
    other: Option<&StepOutput>,
    summary: fn(&PreauthObservation, &PreauthAnalysis) -> String,
) -> Finding {
    let (q, b) = match baseline(key, other_step, other) {
        Ok(x) => x,
        Err(f) => return *f,
    };
    let (mine, theirs) = (summary(p, a), summary(q, b));
    finding(
        key,
        pass_if(mine == theirs),
        format!("the same answer as step {other_step}: {theirs}"),
        mine,
    )
}

/// The other preauthentication step a comparison reads, when it succeeded; otherwise the finding
/// that says why the comparison is not evaluated.
fn baseline<'a>(
    key: &'static str,
    other_step: StepKind,
    other: Option<&'a StepOutput>,
) -> Result<(&'a PreauthObservation, &'a PreauthAnalysis), Box<Finding>> {
    let q = super::judge::compared(key, other_step, other, |o| match o {
        StepOutput::Preauth(x) => Some(&**x),
        _ => None,
    })?;
    if let Some(b) = baseline_blocker(q) {
        return Err(Box::new(skipped(key, b)));
    }
    match &q.analysis {
        Some(b) => Ok((q, b)),
        None => Err(Box::new(skipped(key, Skip::blocked("PRE-1", "no answer")))),
    }
}

/// The keys (dotted paths) whose values differ between two JSON values, each with both values.
fn differing_keys(
    path: &str,
    mine: &serde_json::Value,
    theirs: &serde_json::Value,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (mine, theirs) {
        (Value::Object(m), Value::Object(t)) => {
            let mut keys: Vec<&String> = m.keys().chain(t.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (m.get(k), t.get(k)) {
                    (Some(x), Some(y)) => differing_keys(&p, x, y, out),
                    (Some(x), None) => out.push(format!("{} only here ({x})", quoted(&p))),
                    (None, Some(y)) => {
                        out.push(format!("{} missing (the other has {y})", quoted(&p)))
                    }
                    (None, None) => {}
                }
            }
        }
        (x, y) if x != y => out.push(format!(
            "{}: {x}, not {y}",
            quoted(if path.is_empty() { "(the body)" } else { path })
        )),
        _ => {}
    }
}

/// PRE-6: "A login name with reserved characters … gets the same answer as the server's plain
/// reading of that name." The JSON answers are compared with each login name replaced by
/// `{login}`; the message names the keys whose values differ, never the whole bodies.
fn same_json(
    key: &'static str,
    other_step: StepKind,
    p: &PreauthObservation,
    a: &PreauthAnalysis,
    other: Option<&StepOutput>,
) -> Finding {
    let (q, b) = match baseline(key, other_step, other) {
        Ok(x) => x,
        Err(f) => return *f,
    };
    let class = |o: &PreauthObservation| o.exchange.status.map(|s| s / 100).unwrap_or(0);
    let expected = format!("the same answer as step {other_step}, login names aside");
    let Some(mine) = a.json.as_ref().map(|j| with_login_placeholder(j, &p.login)) else {
        return finding(
            key,
            CheckResult::Fail,
            expected,
            a.json_error.clone().unwrap_or_else(|| "no JSON".into()),
        );
    };
    let theirs = b
        .json
        .as_ref()
        .map(|j| with_login_placeholder(j, &q.login))
        .unwrap_or_default();
    let mut diffs = Vec::new();
    if class(p) != class(q) {
        diffs.push(format!("HTTP {}xx, not {}xx", class(p), class(q)));
    }
    differing_keys("", &mine, &theirs, &mut diffs);
    finding(
        key,
        pass_if(diffs.is_empty()),
        expected,
        if diffs.is_empty() {
            format!(
                "the same {}xx answer ({} keys)",
                class(p),
                mine.as_object().map(|o| o.len()).unwrap_or(0)
            )
        } else {
            format!("differs at {}", diffs.join("; "))
        },
    )
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
        .and_then(|m| {
            m.url
                .as_ref()
                .ok()
                .map(|u| format!("MEX URL {}", quoted(u)))
        })
        .unwrap_or_else(|| "no MEX URL".into());
    format!("HTTP {status}, predicate {pred}, {url}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pre_6_names_the_keys_that_differ_not_the_bodies() {
        let mut out = Vec::new();
        differing_keys(
            "",
            &json!({"Login": "{login}", "account_type": "Unknown", "ver": "1.0", "x": {"y": 1}}),
            &json!({"Login": "{login}", "account_type": "Federated", "ver": "1.0", "x": {"y": 2}, "z": true}),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                "\"account_type\": \"Unknown\", not \"Federated\"".to_string(),
                "\"x.y\": 1, not 2".to_string(),
                "\"z\" missing (the other has true)".to_string(),
            ]
        );
    }
}
