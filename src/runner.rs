//! Plan → libtest-mimic trials on one shared tokio runtime (DESIGN.md). Each case is a trial named
//! `suite::case`; steps are shared through [`Steps`]; verdicts are recorded for the reports.

use crate::check::{self, Outcome};
use crate::http::HttpClient;
use crate::redact::Redactor;
use crate::report::{self, CaseResult, RunInfo, Summary};
use crate::steps::Steps;
use crate::suite::{Suite, Target};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Exit codes (README "Exit codes").
pub mod exit {
    /// Every case passed (warnings allowed).
    pub const CONFORMANT: i32 = 0;
    /// At least one case failed.
    pub const NONCONFORMANT: i32 = 1;
    /// A suite, target or argument is malformed; nothing ran.
    pub const CONFIG_ERROR: i32 = 2;
    /// The IdP could not be reached (errors, no failures).
    pub const UNREACHABLE: i32 = 3;
    /// The filters selected no case.
    pub const NOTHING_SELECTED: i32 = 4;
}

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// SHOULD failures fail.
    pub strict: bool,
    /// libtest's arguments (filter, `--exact`, `--skip`, `--list`, `--format`, `--test-threads`).
    pub libtest: Arguments,
    /// Where to write the JSON report (None: not written).
    pub report_json: Option<PathBuf>,
    /// Where to write the JUnit report (None: not written).
    pub report_junit: Option<PathBuf>,
    /// Print the end-of-run summary to stderr.
    pub summary: bool,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The process exit code.
    pub exit_code: i32,
    /// Every selected case's result, in plan order.
    pub results: Vec<CaseResult>,
    /// The run metadata.
    pub info: RunInfo,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Runs the suites against a target on `rt`.
pub fn run(
    rt: &tokio::runtime::Handle,
    suites: &[Suite],
    target: Arc<Target>,
    redactor: Redactor,
    opts: RunOptions,
) -> Result<RunResult, String> {
    for s in target.secrets() {
        redactor.add_secret(s);
    }
    let http = HttpClient::new(&target.extra_ca_pem, target.limits)?;
    let steps = Arc::new(Steps::new(target.clone(), http));
    let results: Arc<Mutex<Vec<(usize, CaseResult)>>> = Arc::default();
    let started = now();
    let mut trials = Vec::new();
    for suite in suites {
        for case in &suite.cases {
            let index = trials.len();
            let name = format!("{}::{}", suite.meta.name, case.id);
            let (steps, rt, results, redactor) =
                (steps.clone(), rt.clone(), results.clone(), redactor.clone());
            let (case, suite_name, strict) = (case.clone(), suite.meta.name.clone(), opts.strict);
            let id = name.clone();
            trials.push(Trial::ignorable_test(name, move || {
                let start = Instant::now();
                let (verdict, transcript) = rt.block_on(async {
                    let main = steps.get(case.step).await;
                    let other = match case.expect.same_json_as.or(case.expect.same_outcome_as) {
                        Some(k) => Some(steps.get(k).await),
                        None => None,
                    };
                    let v = check::judge(&case, &main, other.as_deref(), strict);
                    (v, main.exchange().map(|e| e.transcript(&redactor)))
                });
                let message = redactor.redact(&verdict.message);
                let outcome = verdict.outcome;
                let findings = verdict
                    .findings
                    .into_iter()
                    .map(|mut f| {
                        f.expected = redactor.redact(&f.expected);
                        f.actual = redactor.redact(&f.actual);
                        f
                    })
                    .collect();
                let r = CaseResult {
                    id,
                    suite: suite_name,
                    case: case.id.clone(),
                    step: case.step,
                    requirements: case.requirements.clone(),
                    level: verdict.level,
                    outcome,
                    message: message.clone(),
                    findings,
                    duration_ms: start.elapsed().as_millis() as u64,
                    transcript,
                };
                if let Ok(mut g) = results.lock() {
                    g.push((index, r));
                }
                let reqs = case.requirements.join(", ");
                match outcome {
                    Outcome::Pass | Outcome::Warn => Ok(Completion::Completed),
                    Outcome::Skipped => Ok(Completion::ignored_with(message)),
                    Outcome::Fail => Err(Failed::from(format!("[{reqs}] {message}"))),
                    Outcome::Error => Err(Failed::from(format!("[{reqs}] error: {message}"))),
                }
            }));
        }
    }
    let args = &opts.libtest;
    let selected = trials
        .iter()
        .filter(|t| !args.is_filtered_out(t) && !args.is_ignored(t))
        .count();
    let info_now = |finished: String| RunInfo {
        harness_version: env!("CARGO_PKG_VERSION").to_string(),
        target: target.name.clone(),
        suites: suites
            .iter()
            .map(|s| (s.meta.name.clone(), s.digest.clone()))
            .collect(),
        started: started.clone(),
        finished,
        strict: opts.strict,
    };
    if args.list {
        let _ = libtest_mimic::run(args, trials);
        return Ok(RunResult {
            exit_code: exit::CONFORMANT,
            results: Vec::new(),
            info: info_now(now()),
        });
    }
    if selected == 0 {
        return Ok(RunResult {
            exit_code: exit::NOTHING_SELECTED,
            results: Vec::new(),
            info: info_now(now()),
        });
    }
    let _conclusion = libtest_mimic::run(args, trials);
    let mut results = match results.lock() {
        Ok(mut g) => std::mem::take(&mut *g),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    };
    results.sort_by_key(|(i, _)| *i);
    let results: Vec<CaseResult> = results.into_iter().map(|(_, r)| r).collect();
    let info = info_now(now());
    if let Some(p) = &opts.report_json {
        crate::fsx::write_atomic(p, report::json::render(&info, &results).as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    if let Some(p) = &opts.report_junit {
        let xml = report::junit::render(&info, &results)?;
        crate::fsx::write_atomic(p, xml.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    let s = Summary::of(&results);
    if opts.summary {
        print_summary(&results, &s);
    }
    let exit_code = if s.fail > 0 {
        exit::NONCONFORMANT
    } else if s.error > 0 {
        exit::UNREACHABLE
    } else {
        exit::CONFORMANT
    };
    Ok(RunResult {
        exit_code,
        results,
        info,
    })
}

fn print_summary(results: &[CaseResult], s: &Summary) {
    let mut lines = Vec::new();
    for r in results.iter().filter(|r| r.outcome != Outcome::Pass) {
        lines.push(format!(
            "  {:<7} {} [{}] {}",
            r.outcome.to_string(),
            r.id,
            r.requirements.join(", "),
            r.message
        ));
    }
    if !lines.is_empty() {
        eprintln!(
            "\nfedconform: cases that did not pass:\n{}",
            lines.join("\n")
        );
    }
    eprintln!(
        "fedconform: {} cases: {} pass, {} fail, {} warn, {} skipped, {} error",
        s.total, s.pass, s.fail, s.warn, s.skipped, s.error
    );
}
