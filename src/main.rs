//! The `fedconform` command line: run (default), serve, inspect, list, defects.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use fedconform::idp::{Defect, IdpConfig, RunningIdp};
use fedconform::redact::Redactor;
use fedconform::runner::{self, RunOptions, exit};
use fedconform::suite::{self, Suite};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "fedconform",
    version,
    about = "Conformance harness for IdPs serving macOS Platform SSO federated login and WS-Federation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run suites against a target (default: every suite against the embedded reference IdP).
    Run(Box<RunArgs>),
    /// Run the reference IdP alone and write a target file that points at it.
    Serve(ServeArgs),
    /// Analyse a captured document offline.
    Inspect {
        #[command(subcommand)]
        what: Inspect,
    },
    /// List the cases of the suites with the requirements they cite.
    List {
        /// Suite file or folder.
        #[arg(long)]
        suites: Option<PathBuf>,
    },
    /// List the reference IdP's defects and the requirements each breaks.
    Defects,
    /// Explain a requirement: what macOS (or the relying party) does, why it matters, typical
    /// causes and fixes per IdP product, and its source. Without an ID, list every ID.
    Explain(ExplainArgs),
    /// Review golden snapshot candidates (`<case>.snap.new`).
    Golden {
        #[command(subcommand)]
        action: GoldenAction,
    },
    /// Work with reports.
    Report {
        #[command(subcommand)]
        action: ReportAction,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    Man,
    /// Preflight a target before a run: validate it, resolve and reach each endpoint over TLS
    /// (the chain and whether it ends in a public root), send one preauthentication GET, and say
    /// which flows and cases will run and which will not, and why.
    Check {
        /// The target file.
        #[arg(long)]
        target: PathBuf,
        /// Suite file or folder [default: the built-in suites].
        #[arg(long)]
        suites: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum GoldenAction {
    /// List pending candidates, with their diffs.
    Status(GoldenArgs),
    /// Make pending candidates the goldens.
    Accept(GoldenArgs),
    /// Delete pending candidates.
    Reject(GoldenArgs),
}

#[derive(clap::Args)]
struct GoldenArgs {
    /// Cases to act on (substrings of suite::case or of the path); all when none.
    cases: Vec<String>,
    /// Golden snapshot folder.
    #[arg(long, default_value = "golden")]
    golden_dir: PathBuf,
}

#[derive(Subcommand)]
enum ReportAction {
    /// Join the JSON reports of a partitioned run's shards into the report of the whole run, and
    /// judge it again: INCOMPLETE (naming the shard) unless every shard is there.
    Merge {
        /// JSON reports.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// The merged JSON report.
        #[arg(long, short)]
        output: PathBuf,
        /// Also write the merged JUnit report here.
        #[arg(long)]
        report_junit: Option<PathBuf>,
        /// Also write the merged Markdown summary here.
        #[arg(long)]
        report_markdown: Option<PathBuf>,
        /// Also write the merged HTML report here.
        #[arg(long)]
        report_html: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Suite file or folder [default: the built-in suites]. Other suites give their own verdict,
    /// not a certification.
    #[arg(long, help_heading = "What to run")]
    suites: Option<PathBuf>,
    /// Target file; without one the embedded reference IdP is started.
    #[arg(long, help_heading = "What to run")]
    target: Option<PathBuf>,
    /// Start the embedded reference IdP with this defect (no --target).
    #[arg(long, conflicts_with = "target", help_heading = "What to run")]
    defect: Option<Defect>,
    /// Cases whose names (suite::case) contain one of these; with --exact, equal one.
    #[arg(value_name = "FILTER", help_heading = "Which cases")]
    filters: Vec<String>,
    /// Filters match whole case names.
    #[arg(long, help_heading = "Which cases")]
    exact: bool,
    /// Leave out cases whose names contain this (repeatable).
    #[arg(long, value_name = "FILTER", help_heading = "Which cases")]
    skip: Vec<String>,
    /// Only cases citing this requirement (repeatable, or comma-separated), e.g.
    /// --requirement WST-8,WST-9.
    #[arg(
        long = "requirement",
        value_name = "ID",
        value_delimiter = ',',
        help_heading = "Which cases"
    )]
    requirements: Vec<String>,
    /// Only cases of this flow (repeatable).
    #[arg(long = "flow", value_enum, help_heading = "Which cases")]
    flows: Vec<FlowArg>,
    /// Run one bucket: hash:M/N (as cargo-nextest computes it) or count:M/N.
    #[arg(long, value_name = "KIND:M/N", help_heading = "Which cases")]
    partition: Option<runner::Partition>,
    /// List the selected cases (`suite::case: test`, as libtest does) and run nothing.
    #[arg(long, help_heading = "Which cases")]
    list: bool,
    /// SHOULD failures fail the run.
    #[arg(long, help_heading = "Judging")]
    strict: bool,
    /// Known failures, one suite::case per line: they do not fail the run; a pass is reported.
    #[arg(long, value_name = "FILE", help_heading = "Judging")]
    baseline: Option<PathBuf>,
    /// JSON report path [default: reports/fedconform.json].
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "no_reports",
        help_heading = "Reports"
    )]
    report_json: Option<PathBuf>,
    /// JUnit report path [default: reports/junit.xml].
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "no_reports",
        help_heading = "Reports"
    )]
    report_junit: Option<PathBuf>,
    /// Markdown summary path, also appended to $GITHUB_STEP_SUMMARY when that is set
    /// [default: reports/summary.md].
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "no_reports",
        help_heading = "Reports"
    )]
    report_markdown: Option<PathBuf>,
    /// Self-contained HTML report path [default: reports/report.html].
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "no_reports",
        help_heading = "Reports"
    )]
    report_html: Option<PathBuf>,
    /// Write no report files.
    #[arg(long, help_heading = "Reports")]
    no_reports: bool,
    /// Golden snapshot folder [default: golden].
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "no_golden",
        help_heading = "Golden snapshots"
    )]
    golden_dir: Option<PathBuf>,
    /// Where new and changed snapshots go when CI is set (nothing is written into the golden
    /// folder then).
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "no_golden",
        help_heading = "Golden snapshots"
    )]
    golden_pending: Option<PathBuf>,
    /// Turn the golden axis off.
    #[arg(long, help_heading = "Golden snapshots")]
    no_golden: bool,
    /// Console format: one line per case, one character per case, or libtest's JSON events.
    #[arg(long, value_enum, help_heading = "Console")]
    format: Option<ConsoleArg>,
    /// One character per case (--format terse).
    #[arg(short = 'q', long, conflicts_with = "format", help_heading = "Console")]
    quiet: bool,
    /// Cases judged at once (1 or more).
    #[arg(long, value_name = "N", help_heading = "Console",
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    test_threads: Option<u64>,
    #[command(flatten)]
    compat: LibtestCompat,
}

/// libtest's flags that tools (nextest, IDEs) pass: accepted, not advertised.
#[derive(clap::Args)]
struct LibtestCompat {
    #[arg(long, hide = true)]
    nocapture: bool,
    #[arg(long, hide = true)]
    show_output: bool,
    #[arg(long, hide = true)]
    include_ignored: bool,
    /// No case is ignored: `--ignored` selects none.
    #[arg(long, hide = true)]
    ignored: bool,
    #[arg(long, hide = true)]
    test: bool,
    #[arg(long, hide = true)]
    color: Option<String>,
    #[arg(short = 'Z', hide = true)]
    unstable: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FlowArg {
    /// Platform SSO federation: preauthentication, MEX, WS-Trust login.
    #[value(alias = "platform-sso")]
    Psso,
    /// WS-Federation passive sign-in and metadata.
    #[value(alias = "ws-federation")]
    Wsfed,
}

#[derive(Clone, Copy, ValueEnum)]
enum ConsoleArg {
    Pretty,
    Terse,
    Json,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Make the IdP violate one requirement.
    #[arg(long)]
    defect: Option<Defect>,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The assertion the STS issues.
    #[arg(long, value_enum, default_value = "saml11")]
    token: fedconform::idp::TokenKind,
    /// Write a target file for the IdP here (its CA and password go in files beside it).
    #[arg(long)]
    target_out: Option<PathBuf>,
    /// The WS-Fed user is already signed in (a session, an integrated connection): sign-ins
    /// answer with the token at once, without a login form.
    #[arg(long)]
    wsfed_signed_in: bool,
    /// Log every STS authentication attempt here (JSON lines: login and result), as an IdP's
    /// audit log would.
    #[arg(long, value_name = "FILE")]
    auth_log: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// A requirement ID such as WST-8 (any case).
    #[arg(conflicts_with = "list")]
    id: Option<String>,
    /// List every requirement ID with its title.
    #[arg(long)]
    list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Inspect {
    /// A WS-Trust MEX document: macOS's selection, every endpoint, and the MEX findings.
    Mex {
        /// A file, or an https URL to fetch.
        source: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Extra CA (PEM) to trust when fetching a URL.
        #[arg(long)]
        ca: Option<PathBuf>,
        /// Judge as of this instant (RFC 3339) instead of now.
        #[arg(long)]
        now: Option<String>,
    },
    /// A WS-Federation metadata document: entity, STS role (type resolved by namespace), signing
    /// certificates, endpoints, token types, its signature verified, and the WSF findings.
    WsfedMetadata {
        /// A file, or an https URL to fetch.
        source: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Extra CA (PEM) to trust when fetching a URL.
        #[arg(long)]
        ca: Option<PathBuf>,
        /// Judge validity (signing certificates) as of this instant (RFC 3339) instead of now.
        #[arg(long)]
        now: Option<String>,
    },
    /// A captured WS-Trust response: nonce echo, freshness, shape, TokenType → grant_type,
    /// assertion, or the fault's classification.
    Rstr {
        /// The response file.
        file: PathBuf,
        /// The request's MessageID (urn:uuid:…) that RelatesTo must echo.
        #[arg(long)]
        nonce: Option<String>,
        /// Judge times (Timestamp, assertion lifetime) as of this instant (RFC 3339) instead of
        /// now.
        #[arg(long)]
        now: Option<String>,
        /// The endpoint's WS-Trust version (default: inferred from the response).
        #[arg(long, value_parser = ["1.3", "2005"])]
        version: Option<String>,
        /// The AppliesTo of the request (federationRequestURN); for a WS-Federation wresult, the
        /// audience expected (the wtrealm).
        #[arg(long, default_value = "urn:federation:MicrosoftOnline")]
        applies_to: String,
        /// The IdP's WS-Federation metadata (a file): its signing certificates verify a
        /// wresult's assertion.
        #[arg(long)]
        metadata: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// The suites of a run: the built-in ones, or those `--suites` names (never a `suites/` folder
/// that happens to be in the working directory: which suites ran is never silent).
fn load_suites(path: Option<&Path>) -> Result<Vec<Suite>, suite::ConfigErrors> {
    match path {
        Some(p) => suite::load_suites(p),
        None => fedconform::embedded::suites(),
    }
}

/// An `inspect` input that cannot be used (a file, a URL, `--ca`, `--now`): said, exit 2.
fn input_error(e: &dyn std::fmt::Display) -> i32 {
    eprintln!("{e}");
    eprintln!("fedconform: nothing was inspected");
    exit::CONFIG_ERROR
}

fn config_error(e: &dyn std::fmt::Display) -> i32 {
    eprintln!("{e}");
    eprintln!("fedconform: configuration error; nothing was run");
    exit::CONFIG_ERROR
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn cmd_run(a: RunArgs) -> i32 {
    let suites = match load_suites(a.suites.as_deref()) {
        Ok(s) => s,
        Err(e) => return config_error(&e),
    };
    for r in &a.requirements {
        if fedconform::requirements::find(&r.trim().to_ascii_uppercase()).is_none() {
            let near = fedconform::explain::built_in()
                .map(|e| e.suggestions(r))
                .unwrap_or_default();
            let hint = match near.as_slice() {
                [] => String::new(),
                [one] => format!("; did you mean {one}?"),
                many => format!("; did you mean one of {}?", many.join(", ")),
            };
            return config_error(&format!(
                "--requirement {}: not a requirement of docs/SPEC.md{hint} (expected an ID such as WST-8; `fedconform explain --list` lists every ID)",
                fedconform::flow::quoted(r)
            ));
        }
    }
    let mut selection = runner::Selection {
        filters: a.filters.clone(),
        exact: a.exact,
        skip: a.skip.clone(),
        requirements: a
            .requirements
            .iter()
            .map(|r| r.to_ascii_uppercase())
            .collect(),
        flows: a
            .flows
            .iter()
            .map(|f| match f {
                FlowArg::Psso => fedconform::requirements::Flow::PlatformSso,
                FlowArg::Wsfed => fedconform::requirements::Flow::WsFederation,
            })
            .collect(),
    };
    // libtest's --ignored runs only ignored tests: no case is ignored.
    if a.compat.ignored {
        selection.filters = vec![String::from("\u{0}")];
        selection.exact = true;
    }
    let file_target = match &a.target {
        Some(t) => match suite::load_target(t) {
            Ok(t) => Some(t),
            Err(e) => return config_error(&e),
        },
        None => None,
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => return config_error(&e),
    };
    let redactor = Redactor::new();
    let (target, _idp) = match file_target {
        Some(t) => (t, None),
        None => match rt.block_on(RunningIdp::start(IdpConfig {
            defect: a.defect,
            ..Default::default()
        })) {
            Ok(idp) => {
                redactor.add_secret(idp.password.expose());
                (idp.target(), Some(idp))
            }
            Err(e) => {
                eprintln!("fedconform: cannot start the reference IdP: {e}");
                return exit::UNREACHABLE;
            }
        },
    };
    let baseline = match a
        .baseline
        .as_deref()
        .map(|b| runner::read_baseline(b, &suites))
        .transpose()
    {
        Ok(b) => b.unwrap_or_default(),
        Err(e) => return config_error(&e),
    };
    let report_json = a
        .report_json
        .clone()
        .unwrap_or_else(|| "reports/fedconform.json".into());
    let report_junit = a
        .report_junit
        .clone()
        .unwrap_or_else(|| "reports/junit.xml".into());
    let report_markdown = a
        .report_markdown
        .clone()
        .unwrap_or_else(|| "reports/summary.md".into());
    let report_html = a
        .report_html
        .clone()
        .unwrap_or_else(|| "reports/report.html".into());
    let opts = RunOptions {
        strict: a.strict,
        report_json: (!a.no_reports).then(|| report_json.clone()),
        report_junit: (!a.no_reports).then(|| report_junit.clone()),
        report_markdown: (!a.no_reports).then(|| report_markdown.clone()),
        report_html: (!a.no_reports).then(|| report_html.clone()),
        selection,
        console: match (a.format, a.quiet) {
            (Some(ConsoleArg::Json), _) => runner::Console::Json,
            (Some(ConsoleArg::Terse), _) | (None, true) => runner::Console::Terse,
            _ => runner::Console::Pretty,
        },
        list: a.list,
        test_threads: a.test_threads.and_then(|n| usize::try_from(n).ok()),
        summary: !a.list,
        golden: (!a.no_golden).then(|| {
            fedconform::golden::GoldenStore::new(
                a.golden_dir.clone().unwrap_or_else(|| "golden".into()),
                fedconform::golden::ci_from_env(),
                a.golden_pending.clone(),
            )
        }),
        partition: a.partition,
        baseline,
        arguments: std::env::args().skip(1).collect(),
    };
    match runner::run(rt.handle(), &suites, Arc::new(target), redactor, opts) {
        Ok(r) => {
            if r.exit_code == exit::NOTHING_SELECTED {
                eprintln!(
                    "fedconform: the filters selected no case (see --list); an empty run is an error"
                );
            } else if !r.results.is_empty() && !a.no_reports {
                if let Ok(step_summary) = std::env::var("GITHUB_STEP_SUMMARY") {
                    let md =
                        fedconform::report::markdown::render(&r.info, &r.results, &r.assessment);
                    let _ = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(step_summary)
                        .and_then(|mut f| std::io::Write::write_all(&mut f, md.as_bytes()));
                }
                eprintln!(
                    "fedconform: reports written to {}, {}, {} and {}",
                    report_json.display(),
                    report_junit.display(),
                    report_markdown.display(),
                    report_html.display()
                );
            }
            r.exit_code
        }
        Err(e) => {
            eprintln!("fedconform: {e}");
            exit::CONFIG_ERROR
        }
    }
}

/// `fedconform check`: exit 2 for a target fedconform cannot read (as `run`), 3 when an
/// endpoint could not be reached, 0 otherwise.
fn cmd_check(target: &Path, suites: Option<&Path>) -> i32 {
    let suites = match load_suites(suites) {
        Ok(s) => s,
        Err(e) => return config_error(&e),
    };
    let t = match suite::load_target(target) {
        Ok(t) => t,
        Err(e) => return config_error(&e),
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => return config_error(&e),
    };
    let http = match fedconform::http::HttpClient::for_target(&t) {
        Ok(h) => h,
        Err(e) => return config_error(&e),
    };
    let redactor = Redactor::new();
    for s in t.secrets() {
        redactor.add_secret(s);
    }
    let p = rt.block_on(fedconform::preflight::check(&t, &suites, &http));
    println!(
        "{}",
        redactor.redact(&fedconform::report::console::preflight(&p))
    );
    if p.all_reached() {
        exit::CONFORMANT
    } else {
        exit::UNREACHABLE
    }
}

fn cmd_serve(a: ServeArgs) -> i32 {
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => return config_error(&e),
    };
    rt.block_on(async {
        let idp = match RunningIdp::start(IdpConfig {
            defect: a.defect,
            port: a.port,
            token: a.token,
            wsfed_signed_in: a.wsfed_signed_in,
            auth_log: a.auth_log.clone(),
            ..Default::default()
        })
        .await
        {
            Ok(i) => i,
            Err(e) => {
                eprintln!("fedconform: cannot start the reference IdP: {e}");
                return exit::UNREACHABLE;
            }
        };
        if let Some(out) = &a.target_out {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "target".into());
            let dir = out.parent().unwrap_or(Path::new(""));
            let (ca, pw, spw) = (
                format!("{stem}.ca.pem"),
                format!("{stem}.password"),
                format!("{stem}.special.password"),
            );
            let written = fedconform::fsx::write_atomic(&dir.join(&ca), idp.ca_pem.as_bytes())
                .and_then(|_| write_secret(&dir.join(&pw), idp.password.expose()))
                .and_then(|_| write_secret(&dir.join(&spw), idp.special_password.expose()))
                .and_then(|_| {
                    fedconform::fsx::write_atomic(
                        &dir.join(format!("{stem}.signing.pem")),
                        idp.signing_cert_pem.as_bytes(),
                    )
                })
                .and_then(|_| {
                    fedconform::fsx::write_atomic(out, idp.target_toml(&ca, &pw, &spw).as_bytes())
                });
            if let Err(e) = written {
                eprintln!("fedconform: cannot write {}: {e}", out.display());
                return exit::CONFIG_ERROR;
            }
            println!("target file: {}", out.display());
        }
        println!(
            "reference IdP listening at {} (defect: {})",
            idp.base,
            a.defect.map(|d| d.name).unwrap_or("none")
        );
        println!("preauthentication URL: {}", idp.preauth_url());
        let _ = tokio::signal::ctrl_c().await;
        exit::CONFORMANT
    })
}

fn write_secret(path: &Path, secret: &str) -> std::io::Result<()> {
    fedconform::fsx::write_atomic(path, secret.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// The cases of one built-in suite: `inspect` judges documents with the suites' own cases.
fn builtin_cases(suite: &str) -> Result<Vec<fedconform::suite::CaseDef>, i32> {
    match fedconform::embedded::suites() {
        Ok(suites) => Ok(suites
            .into_iter()
            .filter(|s| s.meta.name == suite)
            .flat_map(|s| s.cases)
            .collect()),
        Err(e) => Err(config_error(&e)),
    }
}

/// An `inspect` command's findings: (requirements, level, verdict), one per case.
type Findings = [(
    String,
    fedconform::requirements::Level,
    fedconform::check::Verdict,
)];

/// One finding of an `inspect` command, as it is printed: its outcome at its case's level and a
/// message (what held; expected and actual; or why it was not judged).
struct Row<'a> {
    requirement: &'a str,
    level: fedconform::requirements::Level,
    finding: &'a fedconform::check::Finding,
    outcome: fedconform::check::Outcome,
    message: String,
}

fn rows(findings: &Findings) -> Vec<Row<'_>> {
    use fedconform::check::CheckResult;
    findings
        .iter()
        .flat_map(|(id, level, v)| {
            v.findings.iter().map(move |f| Row {
                requirement: id,
                level: *level,
                finding: f,
                outcome: fedconform::check::verdict(*level, vec![f.clone()], false).outcome,
                message: match &f.result {
                    CheckResult::Pass => f.actual.clone(),
                    CheckResult::Fail | CheckResult::Warn => {
                        format!("expected {}; got {}", f.expected, f.actual)
                    }
                    CheckResult::Skip(skip) => skip.to_string(),
                    CheckResult::Error(e) => e.clone(),
                },
            })
        })
        .collect()
}

fn findings_json(findings: &Findings) -> Vec<serde_json::Value> {
    rows(findings)
        .iter()
        .map(|r| {
            serde_json::json!({
                "key": r.finding.key,
                "requirement": r.requirement,
                "expectation": r.finding.expectation,
                "level": r.level,
                "outcome": r.outcome,
                "message": r.message,
                "expected": r.finding.expected,
                "actual": r.finding.actual,
            })
        })
        .collect()
}

/// An `inspect` command's exit code: nonconformant when a finding fails.
fn findings_exit(findings: &Findings) -> i32 {
    if findings
        .iter()
        .any(|(_, _, v)| v.outcome == fedconform::check::Outcome::Fail)
    {
        exit::NONCONFORMANT
    } else {
        exit::CONFORMANT
    }
}

fn print_findings(findings: &Findings) {
    let rows = rows(findings);
    let width = rows.iter().map(|r| r.finding.key.len()).max().unwrap_or(0);
    for r in rows {
        println!(
            "  {:<7} {:<width$} {:<6} {}",
            r.outcome.to_string(),
            r.finding.key,
            r.level.to_string(),
            r.message
        );
    }
}

/// The instant an `inspect` command judges at, and where it comes from: `--now`, or the current
/// time.
#[derive(Clone, Copy)]
struct Clock {
    now: chrono::DateTime<chrono::Utc>,
    pinned: bool,
}

impl Clock {
    /// `--now` (RFC 3339), or the current time; a malformed value is a configuration error.
    fn parse(now: Option<&str>) -> Result<Clock, i32> {
        match now
            .map(|n| chrono::DateTime::parse_from_rfc3339(n.trim()))
            .transpose()
        {
            Ok(Some(n)) => Ok(Clock {
                now: n.with_timezone(&chrono::Utc),
                pinned: true,
            }),
            Ok(None) => Ok(Clock {
                now: chrono::Utc::now(),
                pinned: false,
            }),
            Err(e) => Err(input_error(&format!(
                "--now {}: not an RFC 3339 instant ({e}): expected one such as 2013-11-15T03:08:30Z",
                fedconform::flow::quoted(now.unwrap_or_default())
            ))),
        }
    }

    fn instant(&self) -> String {
        self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// `pinned` (by `--now`) or `current`, for JSON.
    fn kind(&self) -> &'static str {
        if self.pinned { "pinned" } else { "current" }
    }

    /// `judged at 2017-06-01T00:00:00Z, pinned by --now`.
    fn describe(&self) -> String {
        format!(
            "judged at {}, {}",
            self.instant(),
            if self.pinned {
                "pinned by --now"
            } else {
                "the current time"
            }
        )
    }
}

/// The bytes of an `inspect` source: a file, or an https URL fetched (trusting `ca` as well).
fn read_source(source: &str, ca: Option<&Path>) -> Result<Vec<u8>, i32> {
    // The CA file is checked whatever the source, so a wrong one never passes unnoticed.
    let cas = match ca {
        None => Vec::new(),
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| {
                input_error(&format!(
                    "{}: error: cannot read the CA file: {e}",
                    p.display()
                ))
            })?;
            let certs: Vec<_> =
                <rustls_pki_types::CertificateDer as rustls_pki_types::pem::PemObject>::pem_slice_iter(&bytes).collect();
            if certs.is_empty() || certs.iter().any(Result::is_err) {
                return Err(input_error(&format!(
                    "{}: error: expected PEM certificates (-----BEGIN CERTIFICATE-----) for --ca",
                    p.display()
                )));
            }
            vec![bytes]
        }
    };
    if source.starts_with("https://") || source.starts_with("http://") {
        let url = url::Url::parse(source)
            .map_err(|e| input_error(&format!("{source}: {e}: expected a file or an https URL")))?;
        let rt = runtime().map_err(|e| input_error(&e))?;
        let client = fedconform::http::HttpClient::new(&cas, Default::default())
            .map_err(|e| input_error(&e))?;
        let ex = rt.block_on(client.send(fedconform::http::Request::get(
            url,
            fedconform::flow::macos::request_headers(&[]),
        )));
        if let Some(f) = &ex.failure {
            let hint = if matches!(f, fedconform::http::Failure::Tls { .. }) && ca.is_none() {
                " (if the IdP's chain ends in a private CA, pass it with --ca FILE)"
            } else {
                ""
            };
            eprintln!("fedconform: {source}: {}{hint}", f.describe());
            return Err(exit::UNREACHABLE);
        }
        Ok(ex.body)
    } else {
        std::fs::read(source).map_err(|e| input_error(&format!("{source}: cannot read: {e}")))
    }
}

/// An `inspect` command's document and the built-in suite's cases that judge it.
fn inspect_input(
    source: &str,
    ca: Option<&Path>,
    suite: &str,
) -> Result<(Vec<u8>, Vec<fedconform::suite::CaseDef>), i32> {
    Ok((read_source(source, ca)?, builtin_cases(suite)?))
}

fn cmd_inspect_mex(source: &str, format: Format, ca: Option<&Path>, now: Option<&str>) -> i32 {
    let clock = match Clock::parse(now) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (body, mex_cases) = match inspect_input(source, ca, "wstrust-mex") {
        Ok(x) => x,
        Err(code) => return code,
    };
    let a = fedconform::flow::mex::analyse(&body);
    let findings = fedconform::check::inspect_mex(&body, &a, &mex_cases);
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "source": source,
                "now": clock.instant(),
                "clock": clock.kind(),
                "parse_error": a.parse_error,
                "selected": a.selected,
                "endpoints": a.endpoints,
                "policies": a.policies,
                "bindings": a.bindings,
                "ports": a.ports,
                "findings": findings_json(&findings),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => {
            println!("{source} ({})", clock.describe());
            if let Some(e) = &a.parse_error {
                println!("  {}", parse_error_line(&body, e));
            }
            match &a.selected {
                Some(s) => println!(
                    "  macOS uses: WS-Trust {} at {} (port {}, binding {})",
                    s.version,
                    fedconform::flow::quoted(&s.address),
                    fedconform::flow::quoted(&s.port),
                    fedconform::flow::quoted(&s.binding)
                ),
                None => println!("  macOS uses: nothing (no usable username endpoint)"),
            }
            for e in &a.endpoints {
                let mark = if e.selected {
                    "*"
                } else if e.usable {
                    "+"
                } else {
                    "-"
                };
                println!(
                    "  {mark} {:<4} {} {}",
                    e.version.as_str(),
                    e.binding,
                    e.address
                        .as_deref()
                        .map(fedconform::flow::quoted)
                        .unwrap_or_default()
                );
                for r in &e.reasons {
                    println!("         {r}");
                }
            }
            print_findings(&findings);
        }
    }
    findings_exit(&findings)
}

fn cmd_inspect_wsfed_metadata(
    source: &str,
    format: Format,
    ca: Option<&Path>,
    now: Option<&str>,
) -> i32 {
    let clock = match Clock::parse(now) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (body, cases) = match inspect_input(source, ca, "wsfed") {
        Ok(x) => x,
        Err(code) => return code,
    };
    let a = fedconform::flow::wsfed::analyse_metadata(&body);
    let findings = fedconform::check::inspect_wsfed_metadata(&a, &cases, clock.now);
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "source": source,
                "now": clock.instant(),
                "clock": clock.kind(),
                "analysis": a,
                "findings": findings_json(&findings),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => print_metadata(source, &body, &a, &clock, &findings),
    }
    findings_exit(&findings)
}

/// Why a document could not be read, in the words of what it is: the parser's reason for
/// broken XML, what the bytes are otherwise (an HTML page is not "XML with a DTD").
fn parse_error_line(body: &[u8], parser: &dyn std::fmt::Display) -> String {
    use fedconform::flow::answer::{BodyKind, classify};
    match classify(body) {
        BodyKind::BrokenXml { .. } | BodyKind::Binary => format!("not well-formed: {parser}"),
        BodyKind::XmlWithDtd => {
            "not read: XML with a document type declaration (DTDs are refused)".to_string()
        }
        other => format!("not XML: {other}"),
    }
}

/// `inspect wsfed-metadata`'s text output: what the document holds, then the findings.
fn print_metadata(
    source: &str,
    body: &[u8],
    a: &fedconform::flow::wsfed::MetadataAnalysis,
    clock: &Clock,
    findings: &Findings,
) {
    use fedconform::flow::quoted;
    let secs =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    println!("{source} ({})", clock.describe());
    if let Some(e) = &a.parse_error {
        println!("  {}", parse_error_line(body, e));
    }
    println!(
        "  entityID: {}",
        a.entity_id
            .as_deref()
            .map(quoted)
            .unwrap_or_else(|| "absent".into())
    );
    for (i, r) in a.roles.iter().enumerate() {
        let mark = if Some(i) == a.read_role { "*" } else { "-" };
        println!(
            "  {mark} RoleDescriptor xsi:type {} = {}, protocolSupportEnumeration {}",
            quoted(r.xsi_type.as_deref().unwrap_or("")),
            r.resolved_type.as_deref().unwrap_or("(unresolved)"),
            r.protocol_support
                .as_deref()
                .map(quoted)
                .unwrap_or_else(|| "absent".into())
        );
    }
    if a.signing_certificates.is_empty() {
        println!("  signing certificate: absent");
    }
    for c in &a.signing_certificates {
        match (&c.error, c.not_before, c.not_after) {
            (Some(e), _, _) => println!("  signing certificate: {e}"),
            (None, Some(b), Some(f)) => println!(
                "  signing certificate: {} (valid {} to {}: {} at {})",
                c.subject.as_deref().unwrap_or(""),
                secs(b),
                secs(f),
                if c.valid_at(clock.now) {
                    "valid"
                } else {
                    "not valid"
                },
                clock.instant()
            ),
            _ => println!("  signing certificate: unreadable validity"),
        }
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "absent".to_string()
        } else {
            v.iter().map(|e| quoted(e)).collect::<Vec<_>>().join(", ")
        }
    };
    println!(
        "  passive requestor endpoint: {}",
        list(&a.passive_endpoints)
    );
    println!(
        "  security token service endpoint: {}",
        list(&a.sts_endpoints)
    );
    println!("  token types: {}", a.token_types_text());
    match &a.signature {
        None => println!("  signature: none"),
        Some(sig) => println!(
            "  signature: {}: {}",
            sig.describe(),
            match &sig.verified {
                Ok(()) => format!(
                    "verified with {}",
                    sig.signer.as_deref().unwrap_or("the signing certificate")
                ),
                Err(e) => e.clone(),
            }
        ),
    }
    print_findings(findings);
}

/// The arguments of `inspect rstr`.
struct RstrArgs {
    file: PathBuf,
    nonce: Option<String>,
    now: Option<String>,
    version: Option<String>,
    applies_to: String,
    metadata: Option<PathBuf>,
    format: Format,
}

fn cmd_inspect_rstr(args: RstrArgs) -> i32 {
    use fedconform::check::RstrKind;
    use fedconform::flow::WsTrustVersion;
    let RstrArgs {
        file,
        nonce,
        now,
        version,
        applies_to,
        metadata,
        format,
    } = args;
    let body = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => return input_error(&format!("{}: cannot read: {e}", file.display())),
    };
    let clock = match Clock::parse(now.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let now = clock.now;
    let version = version.map(|v| {
        if v == "2005" {
            WsTrustVersion::V2005
        } else {
            WsTrustVersion::V13
        }
    });
    let certificates = match &metadata {
        None => Vec::new(),
        Some(m) => match std::fs::read(m) {
            Ok(b) => fedconform::flow::wsfed::analyse_metadata(&b).certificate_ders(),
            Err(e) => return input_error(&format!("{}: cannot read: {e}", m.display())),
        },
    };
    let (login_cases, wsfed_cases) = match (builtin_cases("wstrust-login"), builtin_cases("wsfed"))
    {
        (Ok(l), Ok(w)) => (l, w),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let a = fedconform::flow::wstrust::analyse(&body);
    let ctx = fedconform::check::RstrContext {
        version,
        nonce: nonce.clone(),
        now,
        applies_to,
        certificates,
    };
    let (version, kind, findings) =
        fedconform::check::inspect_rstr(&body, &a, &ctx, &login_cases, &wsfed_cases);
    let what = fedconform::flow::answer::classify(&body).to_string();
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "source": file.display().to_string(),
                "version": version,
                "nonce": nonce,
                "now": clock.instant(),
                "clock": clock.kind(),
                "kind": kind,
                "what": what,
                "analysis": a,
                "findings": findings_json(&findings),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => {
            println!("{} ({}): {what}", file.display(), clock.describe());
            if let Some(e) = &a.parse_error {
                println!("  {}", parse_error_line(&body, e));
            }
            match kind {
                RstrKind::Wresult => println!(
                    "  a bare RequestSecurityTokenResponse, no SOAP envelope: what WS-Federation carries in wresult, not a WS-Trust answer (macOS reads only a SOAP 1.2 envelope); judged with the WS-Federation token cases (WSF-7), audience {}",
                    fedconform::flow::quoted(&ctx.applies_to)
                ),
                _ => println!("  WS-Trust {version}"),
            }
            if let Some(f) = &a.fault {
                let kind = if f.is_failed_authentication() {
                    "a credential error (FailedAuthentication)".to_string()
                } else if f.soap == fedconform::flow::wstrust::SoapVersion::V11 {
                    "a generic failure: it reads only SOAP 1.2 faults".to_string()
                } else {
                    "a generic failure".to_string()
                };
                println!(
                    "  SOAP {} fault {}: macOS reports {kind}",
                    match f.soap {
                        fedconform::flow::wstrust::SoapVersion::V11 => "1.1",
                        fedconform::flow::wstrust::SoapVersion::V12 => "1.2",
                    },
                    fedconform::flow::quoted(&f.code_text())
                );
            }
            if let Some(g) = &a.grant_type {
                println!("  macOS sends grant_type {g}");
            }
            print_findings(&findings);
        }
    }
    findings_exit(&findings)
}

fn cmd_golden(action: GoldenAction) -> i32 {
    use fedconform::golden::{snap_body, snap_files};
    let (args, verb) = match &action {
        GoldenAction::Status(a) => (a, "status"),
        GoldenAction::Accept(a) => (a, "accept"),
        GoldenAction::Reject(a) => (a, "reject"),
    };
    // A name matches a candidate's path under the golden folder or its suite::case.
    let matches = |rel: &str, name: &str| {
        let case = rel
            .trim_end_matches(".snap.new")
            .split_once('/')
            .map(|x| x.1)
            .unwrap_or("")
            .replace('/', "::");
        rel.contains(name) || case.contains(name)
    };
    let all = snap_files(&args.golden_dir, ".snap.new");
    let unmatched: Vec<&String> = args
        .cases
        .iter()
        .filter(|c| !all.iter().any(|(_, rel)| matches(rel, c)))
        .collect();
    if !unmatched.is_empty() {
        eprintln!(
            "fedconform: error: no pending golden candidate under {} matches {}: expected part of a candidate's path or its suite::case ({} pending; `fedconform golden status` lists them); nothing was {}",
            args.golden_dir.display(),
            unmatched
                .iter()
                .map(|c| fedconform::flow::quoted(c))
                .collect::<Vec<_>>()
                .join(", "),
            all.len(),
            match verb {
                "accept" => "accepted",
                "reject" => "rejected",
                _ => "shown",
            }
        );
        return exit::CONFIG_ERROR;
    }
    let pending: Vec<(PathBuf, String)> = all
        .into_iter()
        .filter(|(_, rel)| args.cases.is_empty() || args.cases.iter().any(|c| matches(rel, c)))
        .collect();
    if pending.is_empty() {
        println!(
            "no pending golden candidates under {}",
            args.golden_dir.display()
        );
        return exit::CONFORMANT;
    }
    for (new_path, rel) in &pending {
        let snap = new_path.with_extension("");
        match verb {
            "status" => {
                let new_text = std::fs::read_to_string(new_path).unwrap_or_default();
                let old_text = std::fs::read_to_string(&snap).ok();
                let same = old_text
                    .as_deref()
                    .is_some_and(|old| snap_body(old) == snap_body(&new_text));
                println!(
                    "{} {rel}{}",
                    match (&old_text, same) {
                        (Some(_), true) => "same   ",
                        (Some(_), false) => "changed",
                        (None, _) => "new    ",
                    },
                    if same {
                        " (identical to its golden: accept or reject clears it)"
                    } else {
                        ""
                    }
                );
                if let Some(old) = old_text.filter(|_| !same) {
                    let diff = similar::TextDiff::from_lines(snap_body(&old), snap_body(&new_text));
                    print!(
                        "{}",
                        diff.unified_diff()
                            .context_radius(3)
                            .header("golden", "candidate")
                    );
                }
            }
            "accept" => match std::fs::rename(new_path, &snap) {
                Ok(()) => println!("accepted {}", snap.display()),
                Err(e) => {
                    eprintln!("fedconform: cannot accept {}: {e}", new_path.display());
                    return exit::CONFIG_ERROR;
                }
            },
            _ => match std::fs::remove_file(new_path) {
                Ok(()) => println!("rejected {}", new_path.display()),
                Err(e) => {
                    eprintln!("fedconform: cannot reject {}: {e}", new_path.display());
                    return exit::CONFIG_ERROR;
                }
            },
        }
    }
    exit::CONFORMANT
}

fn cmd_report_merge(
    reports: &[PathBuf],
    output: &Path,
    junit: Option<&Path>,
    markdown: Option<&Path>,
    html: Option<&Path>,
) -> i32 {
    let mut loaded = Vec::new();
    for p in reports {
        match std::fs::read_to_string(p) {
            Ok(t) => loaded.push((p.display().to_string(), t)),
            Err(e) => return config_error(&format!("{}: error: cannot read: {e}", p.display())),
        }
    }
    let merged = match fedconform::report::merge::merge(&loaded) {
        Ok(m) => m,
        Err(e) => return config_error(&format!("error: {e}")),
    };
    let a = fedconform::report::Assessment::compute(
        &merged.info,
        &merged.results,
        &merged.missing_reason(),
    );
    if let Err(e) = fedconform::report::write_all(
        &merged.info,
        &merged.results,
        &a,
        Some(output),
        junit,
        markdown,
        html,
    ) {
        return config_error(&format!("error: {e}"));
    }
    for s in &merged.missing_shards {
        eprintln!("fedconform: shard {s} is missing: its cases are not evaluated");
    }
    runner::print_summary(&merged.results, &a, &merged.info, None);
    // 130 is a process's own interruption; a shard that was interrupted leaves the merged run
    // INCOMPLETE, and the merge exits as its verdict says.
    let finished = fedconform::report::RunInfo {
        incomplete: false,
        ..merged.info.clone()
    };
    runner::exit_code(&finished, &a, &merged.results)
}

/// True when `fedconform FIRST …` means `fedconform run FIRST …`: no argument, a flag, or a
/// filter that names a case of the built-in suites.
fn implicit_run(first: Option<String>) -> bool {
    let Some(first) = first else { return true };
    if first.starts_with('-') {
        return !matches!(first.as_str(), "-h" | "--help" | "-V" | "--version");
    }
    let subcommands: Vec<String> = Cli::command()
        .get_subcommands()
        .flat_map(|c| {
            std::iter::once(c.get_name().to_string()).chain(c.get_all_aliases().map(String::from))
        })
        .chain(["help".to_string()])
        .collect();
    if subcommands.contains(&first) {
        return false;
    }
    // A near miss of a subcommand (`serv`, `inspcet`) is a typo, not a filter, even when some
    // case name contains it: clap says "did you mean". `fedconform run serv` filters.
    if !first.contains(':')
        && subcommands
            .iter()
            .any(|c| strsim::levenshtein(c, &first) <= 2.min(c.len() / 2))
    {
        return false;
    }
    fedconform::embedded::suites().is_ok_and(|suites| {
        suites.iter().any(|s| {
            s.cases
                .iter()
                .any(|c| format!("{}::{}", s.meta.name, c.id).contains(&first))
        })
    })
}

/// `fedconform explain [ID | --list]`: one entry, or every ID; an unknown ID is a configuration
/// error (exit 2) with the IDs it is close to.
fn cmd_explain(a: ExplainArgs) -> i32 {
    use fedconform::explain;
    let Some(id) = a.id.filter(|_| !a.list) else {
        let all = match explain::built_in() {
            Ok(all) => all,
            Err(e) => return config_error(&e),
        };
        match a.format {
            Format::Text => print!("{}", explain::list(all)),
            Format::Json => {
                let v: Vec<_> = all.entries.iter().chain(&all.provisional).collect();
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            }
        }
        return exit::CONFORMANT;
    };
    match explain::lookup(&id) {
        Ok(e) => {
            match a.format {
                Format::Text => print!("{}", explain::render_text(e)),
                Format::Json => println!("{}", serde_json::to_string_pretty(e).unwrap_or_default()),
            }
            exit::CONFORMANT
        }
        Err(e) => {
            eprintln!("fedconform: {e}");
            exit::CONFIG_ERROR
        }
    }
}

fn main() {
    // A closed pipe (`fedconform list | head`) ends the process quietly, as for any Unix tool.
    // SIGPIPE stays ignored (a peer closing a socket must be an error the HTTP client sees, not a
    // signal that kills the run): `print!` panics on a closed stdout, and this hook ends quietly.
    fedconform::report::console::quiet_on_closed_pipe(None);
    // `run` is the default subcommand when the first argument is a flag (`fedconform --list`)
    // or selects a case (`fedconform wstrust-mex`); anything else is a subcommand, and an
    // unknown one is an error with clap's "did you mean".
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if implicit_run(args.get(1).map(|a| a.to_string_lossy().into_owned())) {
        args.insert(1, "run".into());
    }
    let cli = Cli::parse_from(args);
    let code = match cli.command {
        Command::Run(a) => cmd_run(*a),
        Command::Serve(a) => cmd_serve(a),
        Command::Inspect {
            what:
                Inspect::Mex {
                    source,
                    format,
                    ca,
                    now,
                },
        } => cmd_inspect_mex(&source, format, ca.as_deref(), now.as_deref()),
        Command::Inspect {
            what:
                Inspect::WsfedMetadata {
                    source,
                    format,
                    ca,
                    now,
                },
        } => cmd_inspect_wsfed_metadata(&source, format, ca.as_deref(), now.as_deref()),
        Command::Inspect {
            what:
                Inspect::Rstr {
                    file,
                    nonce,
                    now,
                    version,
                    applies_to,
                    metadata,
                    format,
                },
        } => cmd_inspect_rstr(RstrArgs {
            file,
            nonce,
            now,
            version,
            applies_to,
            metadata,
            format,
        }),
        Command::List { suites } => match load_suites(suites.as_deref()) {
            Ok(ss) => {
                for s in &ss {
                    for c in &s.cases {
                        println!(
                            "{}::{}\t{}\t{}",
                            s.meta.name,
                            c.id,
                            c.requirements.join(","),
                            fedconform::requirements::strictest(
                                c.requirements.iter().map(String::as_str)
                            )
                        );
                    }
                }
                exit::CONFORMANT
            }
            Err(e) => config_error(&e),
        },
        Command::Golden { action } => cmd_golden(action),
        Command::Report {
            action:
                ReportAction::Merge {
                    reports,
                    output,
                    report_junit,
                    report_markdown,
                    report_html,
                },
        } => cmd_report_merge(
            &reports,
            &output,
            report_junit.as_deref(),
            report_markdown.as_deref(),
            report_html.as_deref(),
        ),
        Command::Check { target, suites } => cmd_check(&target, suites.as_deref()),
        Command::Completions { shell } => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "fedconform", &mut text);
            write_stdout(&text)
        }
        Command::Man => {
            let mut text = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut text) {
                Ok(()) => write_stdout(&text),
                Err(e) => {
                    eprintln!("fedconform: cannot render the man page: {e}");
                    fedconform::report::console::OUTPUT_ERROR_EXIT
                }
            }
        }
        Command::Explain(a) => cmd_explain(a),
        Command::Defects => {
            for d in fedconform::idp::defects::ALL {
                println!("{:<32} {:<8} {}", d.name, d.breaks.join(","), d.description);
            }
            exit::CONFORMANT
        }
    };
    // A console that could not be written (a closed pipe, a full disk) decides the exit code
    // once everything else, reports included, is done.
    let code = fedconform::report::console::stdout_exit().unwrap_or(code);
    std::process::exit(code);
}

/// Writes a command's whole output to stdout: 0, or the exit code of the failure.
fn write_stdout(bytes: &[u8]) -> i32 {
    use std::io::Write as _;
    let mut o = std::io::stdout().lock();
    match o.write_all(bytes).and_then(|()| o.flush()) {
        Ok(()) => exit::CONFORMANT,
        Err(e) => fedconform::report::console::output_failure_exit(e.kind(), &e.to_string()),
    }
}
