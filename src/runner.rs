//! Plan → libtest-mimic trials on one shared tokio runtime (DESIGN.md). Each case is a trial named
//! `suite::case`; steps are shared through [`Steps`]; verdicts and the golden axis are recorded
//! for the reports.

use crate::check::rollup::{PlannedCase, RunVerdict};
use crate::check::{self, Outcome};
use crate::golden::{GoldenStatus, GoldenStore};
use crate::http::HttpClient;
use crate::redact::Redactor;
use crate::report::{self, Assessment, CaseResult, PartitionInfo, RunInfo, SuiteInfo};
use crate::steps::Steps;
use crate::suite::{Suite, Target};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Exit codes (README "Exit codes"). The only place that deals in integer codes.
pub mod exit {
    /// CONFORMANT: every in-scope MUST requirement was evaluated and held; every golden matches
    /// (new ones included).
    pub const CONFORMANT: i32 = 0;
    /// NONCONFORMANT: an in-scope requirement failed (a MUST, or a SHOULD under `--strict`),
    /// not counting the baseline's known failures.
    pub const NONCONFORMANT: i32 = 1;
    /// A suite, target or argument is malformed; nothing ran.
    pub const CONFIG_ERROR: i32 = 2;
    /// INCOMPLETE because the IdP could not be reached (connection refused, timeouts): nothing
    /// failed, but the network kept requirements from being evaluated.
    pub const UNREACHABLE: i32 = 3;
    /// The filters selected no case.
    pub const NOTHING_SELECTED: i32 = 4;
    /// CONFORMANT, but a golden snapshot differs from the committed one (a regression).
    pub const GOLDEN_MISMATCH: i32 = 5;
    /// INCOMPLETE: nothing failed, but an in-scope MUST requirement was not evaluated (blocked,
    /// an input missing from the target, no case in the suites in use, filtered out, or in
    /// another partition).
    pub const INCOMPLETE: i32 = 6;
    /// Interrupted (SIGINT): the reports hold the cases finished before it, marked incomplete.
    pub const INTERRUPTED: i32 = 130;
}

/// `--partition hash:M/N` or `count:M/N`, computed as cargo-nextest 0.9 does: a case is in hash
/// bucket M when `xxh64(name, seed 0) % N == M - 1`; count buckets take every N-th selected case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// Stateless hash buckets.
    Hash {
        /// 1-based bucket.
        shard: u64,
        /// Number of buckets.
        total: u64,
    },
    /// Round-robin over the selected cases, in plan order.
    Count {
        /// 1-based bucket.
        shard: u64,
        /// Number of buckets.
        total: u64,
    },
}

impl std::str::FromStr for Partition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("partition {s:?}: expected hash:M/N or count:M/N"))?;
        let (m, n) = rest
            .split_once('/')
            .ok_or_else(|| format!("partition {s:?}: expected M/N after {kind}:"))?;
        let parse = |x: &str| {
            x.parse::<u64>()
                .map_err(|e| format!("partition {s:?}: {x:?} is not a number ({e})"))
        };
        let (shard, total) = (parse(m)?, parse(n)?);
        if !(1..=total).contains(&shard) {
            return Err(format!("partition {s:?}: M must be between 1 and N"));
        }
        match kind {
            "hash" => Ok(Partition::Hash { shard, total }),
            "count" => Ok(Partition::Count { shard, total }),
            _ => Err(format!("partition {s:?}: expected hash:M/N or count:M/N")),
        }
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Partition::Hash { shard, total } => write!(f, "hash:{shard}/{total}"),
            Partition::Count { shard, total } => write!(f, "count:{shard}/{total}"),
        }
    }
}

impl Partition {
    /// The partition as the reports record it.
    pub fn info(&self) -> PartitionInfo {
        match *self {
            Partition::Hash { shard, total } => PartitionInfo {
                kind: "hash".into(),
                shard,
                total,
            },
            Partition::Count { shard, total } => PartitionInfo {
                kind: "count".into(),
                shard,
                total,
            },
        }
    }

    /// True when the selected case at `index` named `name` is in this bucket.
    pub fn contains(&self, name: &str, index: usize) -> bool {
        match *self {
            Partition::Hash { shard, total } => {
                xxhash_rust::xxh64::xxh64(name.as_bytes(), 0) % total == shard - 1
            }
            Partition::Count { shard, total } => (index as u64) % total == shard - 1,
        }
    }
}

/// Reads a known-failures baseline: one `suite::case` per line; `#` starts a comment. A line
/// that names no case of `suites` is an error with its place (a typo would silently tolerate
/// nothing).
pub fn read_baseline(path: &Path, suites: &[Suite]) -> Result<BTreeSet<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: error: cannot read the baseline: {e}", path.display()))?;
    let known: BTreeSet<String> = suites
        .iter()
        .flat_map(|s| {
            s.cases
                .iter()
                .map(move |c| format!("{}::{}", s.meta.name, c.id))
        })
        .collect();
    let mut out = BTreeSet::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if !line.contains("::") || line.contains(char::is_whitespace) {
            errors.push(format!(
                "{}:{}:1: error: {}: expected one case name (suite::case) per line",
                path.display(),
                i + 1,
                crate::flow::quoted(line)
            ));
        } else if !known.contains(line) {
            errors.push(format!(
                "{}:{}:1: error: {} names no case of the suites in use: expected a case name as `fedconform run --list` prints it",
                path.display(),
                i + 1,
                crate::flow::quoted(line)
            ));
        } else {
            out.insert(line.to_string());
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

/// Which cases a run selects: libtest-style name filters (any may match; `--exact` for whole
/// names), `--skip` filters, and the requirements and flows asked for.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Name filters: a case is selected when any matches (none: every case).
    pub filters: Vec<String>,
    /// Filters match whole names instead of substrings.
    pub exact: bool,
    /// Cases whose names contain (or, with `exact`, equal) one of these are left out.
    pub skip: Vec<String>,
    /// Only cases citing one of these requirement IDs (none: any).
    pub requirements: Vec<String>,
    /// Only cases of these flows (none: any).
    pub flows: Vec<crate::requirements::Flow>,
}

impl Selection {
    /// True when the case `name` (citing `requirements`, looking at `step`) is selected.
    pub fn selects(
        &self,
        name: &str,
        requirements: &[String],
        step: crate::suite::StepKind,
    ) -> bool {
        let matches = |f: &String| {
            if self.exact {
                name == f
            } else {
                name.contains(f.as_str())
            }
        };
        (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skip.iter().any(matches)
            && (self.requirements.is_empty()
                || requirements
                    .iter()
                    .any(|r| self.requirements.iter().any(|x| x.eq_ignore_ascii_case(r))))
            && (self.flows.is_empty() || self.flows.contains(&step.family().flow()))
    }
}

/// How the console reports cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Console {
    /// One line per case with fedconform's own word (pass, warn, skip, FAIL, ERROR, golden).
    #[default]
    Pretty,
    /// One character per case.
    Terse,
    /// libtest's JSON events, for tools that read libtest's format.
    Json,
}

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// SHOULD failures fail.
    pub strict: bool,
    /// Which cases run: filters, requirements, flows.
    pub selection: Selection,
    /// What the console shows.
    pub console: Console,
    /// Only list the selected cases (`name: test`, as libtest does), run nothing.
    pub list: bool,
    /// Cases judged at once (None: libtest's default, the number of CPUs).
    pub test_threads: Option<usize>,
    /// Where to write the JSON report (None: not written).
    pub report_json: Option<PathBuf>,
    /// Where to write the JUnit report (None: not written).
    pub report_junit: Option<PathBuf>,
    /// Where to write the Markdown summary (None: not written).
    pub report_markdown: Option<PathBuf>,
    /// Where to write the HTML report (None: not written).
    pub report_html: Option<PathBuf>,
    /// Print the end-of-run summary to stderr.
    pub summary: bool,
    /// The golden axis (None: off).
    pub golden: Option<GoldenStore>,
    /// Run only one bucket of the cases.
    pub partition: Option<Partition>,
    /// Cases known to fail: their failures do not fail the run; their passes are reported.
    pub baseline: BTreeSet<String>,
    /// The command line, for the report (redacted before it is written).
    pub arguments: Vec<String>,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The process exit code.
    pub exit_code: i32,
    /// Every selected case's result, in plan order.
    pub results: Vec<CaseResult>,
    /// The run judged as a whole.
    pub assessment: Assessment,
    /// The run metadata.
    pub info: RunInfo,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The exit code of an assessed run: interrupted, then nonconformance (the baseline's known
/// failures do not count), then incompleteness (unreachable when the network caused it), then
/// goldens that differ.
pub fn exit_code(info: &RunInfo, a: &Assessment, results: &[CaseResult]) -> i32 {
    if info.incomplete {
        return exit::INTERRUPTED;
    }
    let incomplete = match a.verdict {
        RunVerdict::Nonconformant if !a.only_known_failures => return exit::NONCONFORMANT,
        RunVerdict::Nonconformant => !a.not_evaluated_unexcused(info.strict).is_empty(),
        RunVerdict::Incomplete => true,
        RunVerdict::Conformant => false,
    };
    if incomplete {
        if results.iter().any(|r| r.outcome == Outcome::Error) {
            exit::UNREACHABLE
        } else {
            exit::INCOMPLETE
        }
    } else if a.goldens.mismatched > 0 {
        exit::GOLDEN_MISMATCH
    } else {
        exit::CONFORMANT
    }
}

struct CaseContext {
    steps: Arc<Steps>,
    rt: tokio::runtime::Handle,
    results: Arc<Mutex<Vec<(usize, CaseResult)>>>,
    redactor: Redactor,
    golden: Option<GoldenStore>,
    target_name: String,
    judge: check::JudgeContext,
    console: report::console::CasePrinter,
    /// Becomes true on SIGINT: no case starts after it, and cases in flight are abandoned.
    interrupted: tokio::sync::watch::Receiver<bool>,
}

/// What an interrupted case reports to libtest (it is left out of the reports).
fn interrupted() -> Result<Completion, Failed> {
    Ok(Completion::ignored_with("interrupted"))
}

/// What a case's exchanges show that its verdict does not: a chain that needed a private CA,
/// which a Mac would not trust (TLS-3, said on every affected case).
fn trust_notes(out: &crate::steps::StepOutput) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for ex in out.exchanges() {
        if ex
            .tls
            .as_ref()
            .is_some_and(|t| t.trust == crate::http::Trust::PrivateCa)
        {
            let host = url::Url::parse(&ex.final_url)
                .ok()
                .and_then(|u| u.host_str().map(String::from))
                .unwrap_or_default();
            let n = format!(
                "TLS-3: the chain of {host} ends in a private CA ([tls] extra_ca_files or this machine's store); a Mac trusts only system roots for Platform SSO and would refuse it"
            );
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
    }
    notes
}

/// A case's verdict, transcript, golden text and notes (the network part of a case).
async fn judge_case(
    ctx: &CaseContext,
    case: &crate::suite::CaseDef,
) -> (
    check::Verdict,
    Option<serde_json::Value>,
    Option<String>,
    Vec<String>,
) {
    let main = ctx.steps.get(case.step).await;
    let other = match case.other_step() {
        Some(k) => Some(ctx.steps.get(k).await),
        None => None,
    };
    let v = check::judge(case, &main, other.as_deref(), &ctx.judge);
    let body = ctx
        .golden
        .as_ref()
        .map(|_| crate::golden::observation_text(&main, &ctx.redactor));
    let notes = trust_notes(&main);
    (
        v,
        main.exchange().map(|e| {
            let mut t = e.transcript(&ctx.redactor);
            let earlier = main.earlier_exchanges();
            if let (false, Some(o)) = (earlier.is_empty(), t.as_object_mut()) {
                o.insert(
                    "earlier".into(),
                    earlier
                        .iter()
                        .map(|x| x.transcript(&ctx.redactor))
                        .collect(),
                );
            }
            t
        }),
        body,
        notes,
    )
}

fn run_case(
    ctx: &CaseContext,
    index: usize,
    name: String,
    suite_name: String,
    case: crate::suite::CaseDef,
    known_failure: bool,
) -> Result<Completion, Failed> {
    let start = Instant::now();
    if *ctx.interrupted.borrow() {
        return interrupted();
    }
    let mut stop = ctx.interrupted.clone();
    let work = ctx.rt.block_on(async {
        tokio::select! {
            done = judge_case(ctx, &case) => Some(done),
            _ = stop.wait_for(|i| *i) => None,
        }
    });
    let Some((verdict, transcript, golden_body, notes)) = work else {
        return interrupted();
    };
    // Without an answer from the IdP (the network failed) there is nothing to compare.
    let golden = match verdict.outcome {
        Outcome::Error => None,
        _ => ctx.golden.as_ref().zip(golden_body).map(|(g, body)| {
            g.check(
                &ctx.target_name,
                &suite_name,
                &case.id,
                &case.requirements,
                &body,
            )
        }),
    };
    let message = ctx.redactor.redact(&verdict.message);
    let outcome = verdict.outcome;
    let findings = verdict
        .findings
        .into_iter()
        .map(|mut f| {
            f.expected = ctx.redactor.redact(&f.expected);
            f.actual = ctx.redactor.redact(&f.actual);
            f
        })
        .collect();
    let reqs = case.requirements.join(", ");
    let r = CaseResult {
        id: name,
        index,
        suite: suite_name,
        case: case.id.clone(),
        step: case.step,
        requirements: case.requirements.clone(),
        level: verdict.level,
        outcome,
        message: message.clone(),
        skip: verdict.skip.clone(),
        notes,
        findings,
        duration_ms: start.elapsed().as_millis() as u64,
        transcript,
        baseline: known_failure.then(|| {
            if outcome == Outcome::Fail {
                "known-failure".to_string()
            } else {
                "fixed".to_string()
            }
        }),
        golden: golden.clone(),
    };
    ctx.console.case(&r);
    if let Ok(mut g) = ctx.results.lock() {
        g.push((index, r));
    }
    // A first snapshot is not a failure; a mismatch with a committed one is a regression.
    let golden_text = golden.as_ref().and_then(|g| match g.status {
        GoldenStatus::Match | GoldenStatus::New => None,
        GoldenStatus::Mismatch => Some(format!(
            "golden mismatch: {}\n{}",
            g.path,
            g.diff.clone().unwrap_or_default()
        )),
    });
    match (outcome, golden_text) {
        (Outcome::Fail, _) if known_failure => Ok(Completion::ignored_with(format!(
            "known failure (baseline): {message}"
        ))),
        (Outcome::Fail, g) => Err(Failed::from(format!(
            "[{reqs}] {message}{}",
            g.map(|g| format!("\n{g}")).unwrap_or_default()
        ))),
        (Outcome::Error, _) => Err(Failed::from(format!("[{reqs}] error: {message}"))),
        (_, Some(g)) => Err(Failed::from(g)),
        // A blocked case names its blocker; the cause is said once, in the summary.
        (Outcome::Skipped, None) => Ok(Completion::ignored_with(match &verdict.skip {
            Some(check::Skip::Blocked(b)) => {
                format!("blocked by {} (see the summary)", b.requirement)
            }
            _ => message,
        })),
        (Outcome::Pass | Outcome::Warn, None) => Ok(Completion::Completed),
    }
}

/// A panic in a case (a bug in the harness): recorded as an error with its message redacted, so
/// that the case is not lost from the reports and no secret leaves through the message.
fn internal_error(
    ctx: &CaseContext,
    index: usize,
    name: &str,
    suite_name: &str,
    case: &crate::suite::CaseDef,
    payload: Box<dyn std::any::Any + Send>,
) -> Result<Completion, Failed> {
    let raw = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into());
    let message = format!(
        "internal error (a fedconform bug): {}",
        ctx.redactor.redact(&raw)
    );
    let r = CaseResult {
        id: name.to_string(),
        index,
        suite: suite_name.to_string(),
        case: case.id.clone(),
        step: case.step,
        requirements: case.requirements.clone(),
        level: crate::requirements::strictest(case.requirements.iter().map(String::as_str)),
        outcome: Outcome::Error,
        message: message.clone(),
        skip: None,
        notes: Vec::new(),
        findings: Vec::new(),
        duration_ms: 0,
        transcript: None,
        baseline: None,
        golden: None,
    };
    ctx.console.case(&r);
    if let Ok(mut g) = ctx.results.lock() {
        g.push((index, r));
    }
    Err(Failed::from(message))
}

/// Replaces the panic hook so that a panic's message is redacted before it is printed (and a
/// closed stdout still ends the process quietly).
fn redacting_panic_hook(redactor: Redactor) {
    report::console::quiet_on_closed_pipe(Some(redactor));
}

/// The run's info before any case runs: target, scope, suites, the plan.
fn run_info(suites: &[Suite], target: &Target, opts: &RunOptions, redactor: &Redactor) -> RunInfo {
    let mut plan = Vec::new();
    for suite in suites {
        for case in &suite.cases {
            let name = format!("{}::{}", suite.meta.name, case.id);
            plan.push(PlannedCase {
                selected: opts.selection.selects(&name, &case.requirements, case.step),
                id: name,
                requirements: case.requirements.clone(),
                step: case.step,
            });
        }
    }
    let suites: Vec<SuiteInfo> = suites
        .iter()
        .map(|s| SuiteInfo {
            name: s.meta.name.clone(),
            digest: s.digest.clone(),
            builtin: crate::embedded::is_builtin(&s.meta.name, &s.digest),
        })
        .collect();
    let mut not_certification = Vec::new();
    let all_builtin =
        suites.iter().all(|s| s.builtin) && crate::embedded::SUITES.len() == suites.len();
    if !all_builtin {
        not_certification.push(
            "the suites in use are not fedconform's built-in suites; this is their own verdict"
                .to_string(),
        );
    }
    if !target.reference_roots_pem.is_empty() {
        not_certification
            .push("reference roots stand in for public roots ([tls] reference_roots)".to_string());
    }
    RunInfo {
        harness_version: env!("CARGO_PKG_VERSION").to_string(),
        target: target.name.clone(),
        target_digest: crate::suite::digest(target.identity.as_bytes()),
        flows: target.flows(),
        not_applicable: target.out_of_scope(),
        suites,
        plan,
        started: now(),
        finished: String::new(),
        strict: opts.strict,
        unreferenced_goldens: Vec::new(),
        partition: opts.partition.map(|p| p.info()),
        not_certification,
        arguments: opts.arguments.iter().map(|a| redactor.redact(a)).collect(),
        incomplete: false,
        failed_logins: Vec::new(),
    }
}

/// The deliberately failed logins the cases about to run send, in words.
pub fn failed_logins(target: &Target, steps: &[crate::suite::StepKind]) -> Vec<String> {
    target
        .failed_logins(steps)
        .into_iter()
        .filter(|f| target.failed_login_allowed(f.step))
        .map(|f| match f.account {
            Some(a) => format!(
                "a wrong password to {} ({})",
                crate::flow::quoted(&a),
                f.step
            ),
            None => format!("an unknown, made-up user ({})", f.step),
        })
        .collect()
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
    redacting_panic_hook(redactor.clone());
    let http = HttpClient::for_target(&target)?;
    // SIGINT: stop starting cases, abandon those in flight, report what finished (incomplete).
    // A second SIGINT quits at once.
    let (interrupt, interrupted) = tokio::sync::watch::channel(false);
    let listener = rt.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = interrupt.send(true);
            eprintln!(
                "\nfedconform: interrupted: writing the reports of the cases finished so far (Ctrl-C again to quit now)"
            );
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(exit::INTERRUPTED);
            }
        }
    });
    let mut info = run_info(suites, &target, &opts, &redactor);
    let ctx = Arc::new(CaseContext {
        steps: Arc::new(Steps::new(target.clone(), http)),
        rt: rt.clone(),
        results: Arc::default(),
        redactor,
        golden: opts.golden.clone(),
        target_name: target.name.clone(),
        judge: check::JudgeContext {
            strict: opts.strict,
            now: chrono::Utc::now(),
        },
        console: report::console::CasePrinter::new(
            match opts.console {
                Console::Pretty => report::console::Style::Pretty,
                Console::Terse => report::console::Style::Terse,
                Console::Json => report::console::Style::Silent,
            },
            suites
                .iter()
                .flat_map(|s| {
                    s.cases
                        .iter()
                        .map(move |c| s.meta.name.len() + 2 + c.id.len())
                })
                .max()
                .unwrap_or(0),
        ),
        interrupted,
    });
    let mut trials = Vec::new();
    let mut referenced = Vec::new();
    let mut run_steps = Vec::new();
    let mut selected_index = 0usize;
    for suite in suites {
        for case in &suite.cases {
            let name = format!("{}::{}", suite.meta.name, case.id);
            referenced.push((suite.meta.name.clone(), case.id.clone()));
            let index = referenced.len() - 1;
            if !opts.selection.selects(&name, &case.requirements, case.step) {
                continue;
            }
            if let Some(p) = &opts.partition {
                // Buckets are taken among the selected cases, as nextest does.
                let in_bucket = p.contains(&name, selected_index);
                selected_index += 1;
                if !in_bucket {
                    continue;
                }
            }
            run_steps.extend(crate::steps::case_steps(&target, case));
            let known_failure = opts.baseline.contains(&name);
            let (ctx, case, suite_name, trial_name) = (
                ctx.clone(),
                case.clone(),
                suite.meta.name.clone(),
                name.clone(),
            );
            trials.push(Trial::ignorable_test(name.clone(), move || {
                let run = std::panic::AssertUnwindSafe(|| {
                    run_case(
                        &ctx,
                        index,
                        trial_name.clone(),
                        suite_name.clone(),
                        case.clone(),
                        known_failure,
                    )
                });
                std::panic::catch_unwind(run).unwrap_or_else(|payload| {
                    internal_error(&ctx, index, &trial_name, &suite_name, &case, payload)
                })
            }));
        }
    }
    info.failed_logins = failed_logins(&target, &run_steps);
    // libtest-mimic runs the trials (threads, --list, JSON events); the console is fedconform's
    // own (pretty, terse), so libtest's words go nowhere then.
    let args = Arguments {
        list: opts.list,
        test_threads: opts.test_threads,
        format: (opts.console == Console::Json).then_some(libtest_mimic::FormatSetting::Json),
        logfile: (opts.console != Console::Json && !opts.list).then(|| "/dev/null".to_string()),
        ..Arguments::default()
    };
    if opts.list {
        let _ = libtest_mimic::run(&args, trials);
        info.finished = now();
        return Ok(RunResult {
            exit_code: exit::CONFORMANT,
            results: Vec::new(),
            assessment: Assessment::compute(&info, &[], ""),
            info,
        });
    }
    if trials.is_empty() {
        info.finished = now();
        return Ok(RunResult {
            exit_code: exit::NOTHING_SELECTED,
            results: Vec::new(),
            assessment: Assessment::compute(&info, &[], ""),
            info,
        });
    }
    if opts.summary {
        eprintln!("{}\n", report::console::header(&info));
    }
    ctx.console.start(trials.len());
    let started = Instant::now();
    let ticker = rt.spawn(progress(ctx.steps.http().clone()));
    let to_run = trials.len();
    let _ = libtest_mimic::run(&args, trials);
    ticker.abort();
    info.incomplete = *ctx.interrupted.borrow();
    if !info.incomplete {
        listener.abort();
    }
    let mut results = match ctx.results.lock() {
        Ok(mut g) => std::mem::take(&mut *g),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    };
    results.sort_by_key(|(i, _)| *i);
    let mut results: Vec<CaseResult> = results.into_iter().map(|(_, r)| r).collect();
    if let Some(g) = &opts.golden {
        settle_goldens(g, info.incomplete, &mut results);
    }
    info.finished = now();
    if let Some(g) = &opts.golden {
        info.unreferenced_goldens = g.unreferenced(&target.name, &referenced);
    }
    let missing = match (&info.partition, info.incomplete) {
        (_, true) => "the run was interrupted before its cases finished".to_string(),
        (Some(p), _) => format!(
            "its cases are in other partitions than {}:{}/{}: merge the shards' reports",
            p.kind, p.shard, p.total
        ),
        (None, false) => "its cases did not run".to_string(),
    };
    let assessment = Assessment::compute(&info, &results, &missing);
    report::write_all(
        &info,
        &results,
        &assessment,
        opts.report_json.as_deref(),
        opts.report_junit.as_deref(),
        opts.report_markdown.as_deref(),
        opts.report_html.as_deref(),
    )?;
    let filtered_out = info.plan.len() - to_run;
    ctx.console.finish(
        &assessment,
        filtered_out,
        to_run - results.len(),
        started.elapsed().as_secs_f64(),
    );
    if opts.summary {
        print_summary(&results, &assessment, &info, opts.golden.as_ref());
    }
    Ok(RunResult {
        exit_code: exit_code(&info, &assessment, &results),
        results,
        assessment,
        info,
    })
}

/// Writes the snapshots and candidates the cases asked for once the run has finished; an
/// interrupted run writes none (a half run must not become the baseline). A result whose file was
/// not written loses its `candidate`; a write that failed is said on stderr.
fn settle_goldens(g: &GoldenStore, interrupted: bool, results: &mut [CaseResult]) {
    let unwritten: Vec<String> = if interrupted {
        g.discard();
        results
            .iter()
            .filter_map(|r| r.golden.as_ref().and_then(|g| g.candidate.clone()))
            .collect()
    } else {
        g.commit()
            .into_iter()
            .map(|(path, err)| {
                eprintln!("fedconform: could not write the golden snapshot {path}: {err}");
                path
            })
            .collect()
    };
    for r in results.iter_mut() {
        if let Some(gr) = r.golden.as_mut()
            && gr.candidate.as_ref().is_some_and(|c| unwritten.contains(c))
        {
            gr.candidate = None;
        }
    }
}

/// Prints the end-of-run summary on stderr (`report::console::summary`).
pub fn print_summary(
    results: &[CaseResult],
    a: &Assessment,
    info: &RunInfo,
    golden: Option<&GoldenStore>,
) {
    eprintln!("\n{}", report::console::summary(results, a, info, golden));
}

/// While requests are in flight, says which one has waited longest once it has waited 10 s, and
/// again every 10 s: against a slow host, never minutes of silence. Checked every second, so the
/// first line comes at 10 s, not up to 20.
async fn progress(http: HttpClient) {
    const EVERY: u64 = 10;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    // The last multiple of 10 s said for the longest-waiting request: a line at 10 s, 20 s, 30 s…
    let mut said = 0u64;
    loop {
        tick.tick().await;
        let waiting = http.in_flight();
        let Some((url, since)) = waiting.iter().max_by_key(|(_, d)| *d) else {
            said = 0;
            continue;
        };
        let step = since.as_secs() / EVERY;
        if step < said {
            // Another request is now the longest-waiting one.
            said = step;
        }
        if step > said {
            said = step;
            eprintln!(
                "{}",
                report::console::waiting(url, step * EVERY, waiting.len())
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse_and_use_nextest_hash() {
        assert_eq!(
            "hash:2/3".parse::<Partition>(),
            Ok(Partition::Hash { shard: 2, total: 3 })
        );
        assert!("hash:0/3".parse::<Partition>().is_err());
        assert!("hash:4/3".parse::<Partition>().is_err());
        assert!("mod:1/3".parse::<Partition>().is_err());
        // xxh64("", 0) is the reference vector 0xEF46DB3751D8E999.
        let h = xxhash_rust::xxh64::xxh64(b"", 0);
        assert_eq!(h, 0xEF46_DB37_51D8_E999);
        let p = Partition::Hash {
            shard: (h % 7 + 1),
            total: 7,
        };
        assert!(p.contains("", 0));
    }
}
