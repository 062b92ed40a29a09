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

/// The observation of the step a comparison reads (`pick` takes it out of its output), or the
/// finding that says why there is none: the step did not run (its reason), the network failed
/// (an error), or it is not the kind of step the comparison needs.
pub(super) fn compared<'a, T: ?Sized>(
    key: &'static str,
    step: StepKind,
    other: Option<&'a StepOutput>,
    pick: impl Fn(&'a StepOutput) -> Option<&'a T>,
) -> Result<&'a T, Box<Finding>> {
    match other {
        Some(o) => match (pick(o), o) {
            (Some(t), _) => Ok(t),
            (None, StepOutput::NotRun { skip }) => Err(Box::new(skipped(key, skip.clone()))),
            (None, StepOutput::Unreachable { reason }) => Err(Box::new(finding(
                key,
                CheckResult::Error(reason.clone()),
                "",
                "",
            ))),
            (None, _) => Err(Box::new(finding(
                key,
                CheckResult::Error(format!("step {step} is not the kind this comparison reads")),
                "",
                "",
            ))),
        },
        None => Err(Box::new(finding(
            key,
            CheckResult::Error(format!("step {step} was not observed")),
            "",
            "",
        ))),
    }
}

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

/// The MEX findings `inspect mex` reports for a captured document (`body`, analysed as `a`):
/// each MEX case of `cases` (the built-in wstrust-mex suite) judged on the document alone.
pub fn inspect_mex(
    body: &[u8],
    a: &crate::flow::mex::MexAnalysis,
    cases: &[CaseDef],
) -> Vec<(String, Level, Verdict)> {
    let ex = Exchange::offline("GET", body);
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
        exchange: Exchange::offline("GET", &[]),
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
    /// The AppliesTo of the request (for a WS-Federation wresult: the audience expected).
    pub applies_to: String,
    /// Signing certificates (DER) to verify a wresult's assertion with: the IdP's metadata's.
    pub certificates: Vec<Vec<u8>>,
}

/// What a captured response is, as `inspect rstr` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RstrKind {
    /// A SOAP 1.2 envelope with a token response: judged as a valid login's answer.
    TokenResponse,
    /// A SOAP fault (SOAP 1.2, or 1.1 which macOS does not read): judged as a wrong password's
    /// answer.
    Fault,
    /// A bare RequestSecurityTokenResponse without an envelope: what WS-Federation carries in
    /// `wresult`, judged with the WSF-7 token cases.
    Wresult,
    /// Anything else: judged as a valid login's answer (and failing as one).
    Other,
}

/// The findings `inspect rstr` reports for a captured response (`body`, analysed as `a`): for a
/// token response the built-in wstrust-login cases of a valid login, for a fault (SOAP 1.2 or
/// 1.1) those of a wrong password, for a bare RSTR (a WS-Federation `wresult`) the wsfed
/// suite's token cases (WSF-7). A file has no HTTP status: none is judged, none invented.
pub fn inspect_rstr(
    body: &[u8],
    a: &crate::flow::wstrust::RstrAnalysis,
    ctx: &RstrContext,
    login_cases: &[CaseDef],
    wsfed_cases: &[CaseDef],
) -> (
    crate::flow::WsTrustVersion,
    RstrKind,
    Vec<(String, Level, Verdict)>,
) {
    use crate::flow::WsTrustVersion;
    use crate::flow::wstrust::Shape;
    let version = ctx.version.unwrap_or(match a.shape {
        Some(Shape::Bare2005) | Some(Shape::Collection2005) => WsTrustVersion::V2005,
        _ => WsTrustVersion::V13,
    });
    let kind = if a.bare_rstr {
        RstrKind::Wresult
    } else if a.fault.is_some() {
        RstrKind::Fault
    } else if a.soap12_envelope && a.shape.is_some() {
        RstrKind::TokenResponse
    } else {
        RstrKind::Other
    };
    if kind == RstrKind::Wresult {
        return (version, kind, inspect_wresult(body, ctx, wsfed_cases));
    }
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
        exchange: Exchange::offline("POST", body),
        analysis: Some(a.clone()),
        // A captured answer is judged as it is: no password of ours was refused.
        refused_credentials: None,
    };
    let step = if kind == RstrKind::Fault {
        StepKind::LoginWrongPassword
    } else {
        StepKind::Login
    };
    let findings = judge_offline(login_cases, step, |e| {
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
    (version, kind, findings)
}

/// A bare RSTR judged as the `wresult` of a WS-Federation sign-in: the token cases (WSF-7) of
/// the wsfed suite, with `ctx.applies_to` as the audience expected and `ctx.certificates` to
/// verify the signature with.
fn inspect_wresult(
    body: &[u8],
    ctx: &RstrContext,
    cases: &[CaseDef],
) -> Vec<(String, Level, Verdict)> {
    use crate::flow::wsfed::{self as flow_wsfed, Field, Form, SigninAnswer, SigninParams};
    use crate::suite::SigninExpect;
    let text = crate::flow::xml::decode(body)
        .map(|d| d.text.into_owned())
        .unwrap_or_default();
    let form = Form {
        action: None,
        method: "POST".into(),
        fields: vec![Field {
            name: "wresult".into(),
            kind: "hidden".into(),
            value: text.clone(),
        }],
    };
    let obs = crate::steps::WsfedObservation {
        params: SigninParams::default(),
        client_in_path: false,
        expected_audience: ctx.applies_to.clone(),
        metadata_certificates: ctx.certificates.len(),
        exchanges: vec![Exchange::offline("POST", body)],
        logged_in: false,
        needs_user: false,
        off_origin_redirect: None,
        stopped: None,
        answer: Some(SigninAnswer {
            forms: vec![form.clone()],
            token_form: Some(form),
            wresult: Some(flow_wsfed::analyse_wresult(&text, &ctx.certificates)),
        }),
        sent_at: ctx.now,
        refused_credentials: None,
    };
    let token_cases: Vec<CaseDef> = cases
        .iter()
        .filter(|c| {
            c.step == StepKind::WsfedSignin
                && c.expect.iter().all(|e| {
                    matches!(
                        e.expectation,
                        Expectation::Signin(
                            SigninExpect::WresultRstr
                                | SigninExpect::TokenAudience
                                | SigninExpect::TokenCurrent
                                | SigninExpect::TokenSignature
                        )
                    )
                })
        })
        .cloned()
        .collect();
    judge_offline(&token_cases, StepKind::WsfedSignin, |e| {
        Some(match &e.expectation {
            Expectation::Signin(s) => wsfed::judge_signin(s, &obs, None),
            _ => finding(
                e.expectation.key(),
                CheckResult::Error("not a sign-in expectation".into()),
                "",
                "",
            ),
        })
    })
}
