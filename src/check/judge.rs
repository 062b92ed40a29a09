//! Sends each expectation of a case to its flow's judge, stamps each finding with the place its
//! key is written, and folds the findings into the case's verdict; and the offline judging that
//! `inspect` does with the built-in suites' own cases.

use super::{
    CheckResult, Finding, Skip, Verdict, config, finding, keyed, mex, preauth, skipped, transport,
    verdict, wsfed, wstrust,
};
use crate::http::Exchange;
use crate::requirements::{self, Level};
use crate::steps::{LoginObservation, StepOutput};
use crate::suite::{CaseDef, Expect, Expectation, MetadataExpect, StepKind};

/// What a judgement needs besides the observations.
#[derive(Debug, Clone, Copy)]
pub struct JudgeContext {
    /// SHOULD failures fail.
    pub strict: bool,
    /// The instant documents are judged at where the exchange gives none (certificate validity).
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Judges one expectation on a step's output.
fn one(
    e: &Expect,
    step: StepKind,
    main: &StepOutput,
    other: Option<&StepOutput>,
    ctx: &JudgeContext,
) -> Finding {
    let key = e.expectation.key();
    match (&e.expectation, main) {
        (_, StepOutput::NotRun { skip }) => skipped(key, skip.clone()),
        (_, StepOutput::Unreachable { reason }) => {
            finding(key, CheckResult::Error(reason.clone()), "", "")
        }
        (Expectation::Transport(t), out) => transport::judge(t, out.exchanges()),
        (Expectation::Config(c), StepOutput::Configuration(o)) => config::judge(c, o),
        (Expectation::Preauth(p), StepOutput::Preauth(o)) => preauth::judge(p, o, other),
        (Expectation::Mex(m), StepOutput::Mex(o)) => {
            mex::judge(m, o.analysis.as_ref(), &o.exchange)
        }
        (Expectation::Login(l), StepOutput::Login(o)) => wstrust::judge(l, step, o, other),
        (Expectation::Metadata(m), StepOutput::WsfedMetadata(o)) => {
            wsfed::judge_metadata(m, o, other, ctx.now)
        }
        (Expectation::Signin(s), StepOutput::Wsfed(o)) => wsfed::judge_signin(s, o, other),
        // The loader refuses an expectation that does not fit its step.
        _ => finding(
            key,
            CheckResult::Error(format!("expectation `{key}` does not apply to step {step}")),
            "",
            "",
        ),
    }
}

/// Judges a case. `other` is the step a comparing expectation reads.
pub fn judge(
    case: &CaseDef,
    main: &StepOutput,
    other: Option<&StepOutput>,
    ctx: &JudgeContext,
) -> Verdict {
    let level = requirements::strictest(case.requirements.iter().map(String::as_str));
    let findings = case
        .expect
        .iter()
        .map(|e| {
            keyed(
                one(e, case.step, main, other, ctx),
                &case.requirements,
                e.at.clone(),
            )
        })
        .collect();
    verdict(level, findings, ctx.strict)
}

/// A document judged without an exchange (`inspect`): each case of `step` with its body
/// expectations only (status, content type, TLS and redirects need a live exchange). `judge`
/// gives None for an expectation it leaves out (a comparison with another step, which `inspect`
/// does not run), or a finding, keyed here.
fn judge_offline(
    cases: &[CaseDef],
    step: StepKind,
    judge: impl Fn(&Expect) -> Option<Finding>,
) -> Vec<(String, Level, Verdict)> {
    cases
        .iter()
        .filter(|c| c.step == step)
        .filter_map(|c| {
            let findings: Vec<Finding> = c
                .expect
                .iter()
                .filter(|e| !e.expectation.is_transport())
                .filter_map(|e| judge(e).map(|f| keyed(f, &c.requirements, e.at.clone())))
                .collect();
            if findings.is_empty() {
                return None;
            }
            let level = requirements::strictest(c.requirements.iter().map(String::as_str));
            Some((
                c.requirements.join(","),
                level,
                verdict(level, findings, false),
            ))
        })
        .collect()
}

/// The MEX findings `inspect mex` reports for a captured document: each MEX case of `cases` (the
/// built-in wstrust-mex suite) judged on the document alone.
pub fn inspect_mex(
    a: &crate::flow::mex::MexAnalysis,
    cases: &[CaseDef],
) -> Vec<(String, Level, Verdict)> {
    let ex = Exchange::offline("GET", 200);
    judge_offline(cases, StepKind::Mex, |e| {
        Some(match &e.expectation {
            _ if e.expectation.other_step().is_some() => return None,
            Expectation::Mex(m) => mex::judge(m, Some(a), &ex),
            _ => finding(
                e.expectation.key(),
                CheckResult::Error("not a MEX expectation".into()),
                "",
                "",
            ),
        })
    })
}

/// The metadata findings (WSF-1…WSF-5, WSF-14, WSF-15) `inspect wsfed-metadata` reports for a
/// metadata document, judged at `now`. TokenTypesOffered is compared with the type a sign-in
/// issues, which `inspect` does not see: that finding is not evaluated, and says what is offered.
pub fn inspect_wsfed_metadata(
    a: &crate::flow::wsfed::MetadataAnalysis,
    cases: &[CaseDef],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, Level, Verdict)> {
    let obs = crate::steps::WsfedMetadataObservation {
        exchange: Exchange::offline("GET", 200),
        analysis: Some(a.clone()),
    };
    judge_offline(cases, StepKind::WsfedMetadata, |e| {
        Some(match &e.expectation {
            Expectation::Metadata(MetadataExpect::OffersTokenTypeOf(step)) => skipped(
                e.expectation.key(),
                Skip::needs(format!(
                    "compares with the token type step {step} issues, and inspect reads the metadata alone ({})",
                    a.token_types_text()
                )),
            ),
            _ if e.expectation.other_step().is_some() => return None,
            Expectation::Metadata(m) => wsfed::judge_metadata(m, &obs, None, now),
            _ => finding(
                e.expectation.key(),
                CheckResult::Error("not a metadata expectation".into()),
                "",
                "",
            ),
        })
    })
}

/// What `inspect rstr` knows about the request a captured response answered.
#[derive(Debug, Clone)]
pub struct RstrContext {
    /// The endpoint's version (None: inferred from the response's shape).
    pub version: Option<crate::flow::WsTrustVersion>,
    /// The request's MessageID (None: only the presence of RelatesTo is checked).
    pub nonce: Option<String>,
    /// When the response is judged.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The HTTP status it came with (None: 200 for a token, 500 for a fault).
    pub status: Option<u16>,
    /// The AppliesTo of the request.
    pub applies_to: String,
}

/// The WST findings `inspect rstr` reports for a captured response: the built-in wstrust-login
/// suite's cases for a valid login (or, for a fault, for a wrong password) judged on the document.
pub fn inspect_rstr(
    a: &crate::flow::wstrust::RstrAnalysis,
    ctx: &RstrContext,
    cases: &[CaseDef],
) -> (crate::flow::WsTrustVersion, Vec<(String, Level, Verdict)>) {
    use crate::flow::WsTrustVersion;
    use crate::flow::wstrust::Shape;
    let version = ctx.version.unwrap_or(match a.shape {
        Some(Shape::Bare2005) | Some(Shape::Collection2005) => WsTrustVersion::V2005,
        _ => WsTrustVersion::V13,
    });
    let is_fault = a.fault.is_some();
    let status = ctx.status.unwrap_or(if is_fault { 500 } else { 200 });
    let nonce = ctx
        .nonce
        .clone()
        .or_else(|| a.relates_to.clone())
        .unwrap_or_else(|| "urn:uuid:(the request's MessageID)".into());
    let obs = LoginObservation {
        version,
        address: String::new(),
        login: String::new(),
        nonce,
        variation: crate::flow::wstrust::Variation::STANDARD,
        applies_to: ctx.applies_to.clone(),
        sent_at: ctx.now,
        exchange: Exchange::offline("POST", status),
        analysis: Some(a.clone()),
    };
    let step = if is_fault {
        StepKind::LoginWrongPassword
    } else {
        StepKind::Login
    };
    let findings = judge_offline(cases, step, |e| {
        Some(match &e.expectation {
            _ if e.expectation.other_step().is_some() => return None,
            Expectation::Login(l) => wstrust::judge(l, step, &obs, None),
            _ => finding(
                e.expectation.key(),
                CheckResult::Error("not a login expectation".into()),
                "",
                "",
            ),
        })
    });
    (version, findings)
}
