//! The console: one line per case in fedconform's own words as cases finish (stdout), the run's
//! header before any case and its summary after the last (stderr), and a progress line while an
//! endpoint is slow. A closed pipe ends the process quietly (`main` restores SIGPIPE).
//!
//! Words: `pass`, `WARN` (a SHOULD or INFO that does not hold), `skip` (not judged, with the
//! reason: blocked by a requirement, an input missing, not applicable), `FAIL`, `ERROR` (the
//! network or the harness, not the IdP); the golden axis adds `golden new` or `GOLDEN DIFFERS`.

use super::{Assessment, CaseResult, RunInfo};
use crate::check::Outcome;
use crate::golden::{GoldenStatus, GoldenStore};
use std::io::Write;
use std::sync::Mutex;

/// How cases are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Style {
    /// One line per case.
    #[default]
    Pretty,
    /// One character per case.
    Terse,
    /// Nothing: libtest prints its JSON events.
    Silent,
}

/// Prints cases as they finish.
#[derive(Debug, Default)]
pub struct CasePrinter {
    style: Style,
    width: usize,
    printed: Mutex<usize>,
}

/// The word of a case's outcome and golden axis.
pub fn word(r: &CaseResult) -> String {
    let base = match r.outcome {
        Outcome::Pass => "pass",
        Outcome::Warn => "WARN",
        Outcome::Skipped => "skip",
        Outcome::Fail if r.baseline.as_deref() == Some("known-failure") => "FAIL (known)",
        Outcome::Fail => "FAIL",
        Outcome::Error => "ERROR",
    };
    match r.golden.as_ref().map(|g| g.status) {
        Some(GoldenStatus::Mismatch) => format!("{base}, GOLDEN DIFFERS"),
        Some(GoldenStatus::New) => format!("{base}, golden new"),
        _ => base.to_string(),
    }
}

fn terse_char(r: &CaseResult) -> char {
    if r.golden
        .as_ref()
        .is_some_and(|g| g.status == GoldenStatus::Mismatch)
    {
        return 'G';
    }
    match r.outcome {
        Outcome::Pass => '.',
        Outcome::Warn => 'W',
        Outcome::Skipped => 's',
        Outcome::Fail => 'F',
        Outcome::Error => 'E',
    }
}

/// Writes to stdout; a closed pipe is not an error worth a panic (SIGPIPE ends the process).
fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        record_stdout_failure(&e);
    }
}

/// The first failure to write the console (stdout): the run goes on and writes its reports, and
/// its exit code then says so ([`stdout_exit`]).
static STDOUT_FAILURE: Mutex<Option<(std::io::ErrorKind, String)>> = Mutex::new(None);

fn record_stdout_failure(e: &std::io::Error) {
    if let Ok(mut f) = STDOUT_FAILURE.lock()
        && f.is_none()
    {
        *f = Some((e.kind(), e.to_string()));
    }
}

/// Exit code of a process that could not write its output for another reason than a closed
/// pipe (a full disk, an I/O error): sysexits' EX_IOERR.
pub const OUTPUT_ERROR_EXIT: i32 = 74;

/// The exit code a failure to write stdout imposes, said on stderr: [`CLOSED_PIPE_EXIT`] when the
/// reader went away, [`OUTPUT_ERROR_EXIT`] for any other error. None when stdout was written.
pub fn stdout_exit() -> Option<i32> {
    let failure = STDOUT_FAILURE.lock().ok()?.clone()?;
    Some(output_failure_exit(failure.0, &failure.1))
}

/// The exit code for a failed write of stdout, saying why on stderr unless the pipe was closed.
pub fn output_failure_exit(kind: std::io::ErrorKind, message: &str) -> i32 {
    if kind == std::io::ErrorKind::BrokenPipe || closed_pipe(message) {
        return CLOSED_PIPE_EXIT;
    }
    let _ = writeln!(
        std::io::stderr(),
        "fedconform: cannot write to standard output: {message}"
    );
    OUTPUT_ERROR_EXIT
}

impl CasePrinter {
    /// A printer for cases named at most `width` characters.
    pub fn new(style: Style, width: usize) -> Self {
        CasePrinter {
            style,
            width,
            printed: Mutex::new(0),
        }
    }

    /// Before the first case.
    pub fn start(&self, cases: usize) {
        if self.style != Style::Silent {
            out(&format!("\nrunning {}\n", super::cases(cases)));
        }
    }

    /// A case finished.
    pub fn case(&self, r: &CaseResult) {
        match self.style {
            Style::Silent => {}
            Style::Pretty => {
                let detail = match r.outcome {
                    Outcome::Pass => String::new(),
                    Outcome::Skipped => format!("  {}", short_skip(r)),
                    _ => format!("  [{}] {}", r.requirements.join(", "), r.message),
                };
                out(&format!(
                    "test {:<w$} ... {}{detail}\n",
                    r.id,
                    word(r),
                    w = self.width
                ));
            }
            Style::Terse => {
                let mut n = match self.printed.lock() {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                *n += 1;
                let nl = if *n % 88 == 0 { "\n" } else { "" };
                out(&format!("{}{nl}", terse_char(r)));
            }
        }
    }

    /// After the last case: a libtest-shaped result line that agrees with the verdict;
    /// `not_finished`: selected cases an interruption left unrun.
    pub fn finish(&self, a: &Assessment, filtered_out: usize, not_finished: usize, seconds: f64) {
        if self.style == Style::Silent {
            return;
        }
        let s = &a.summary;
        let lead = if self.style == Style::Terse { "\n" } else { "" };
        let unfinished = if not_finished > 0 {
            format!("{not_finished} interrupted; ")
        } else {
            String::new()
        };
        out(&format!(
            "{lead}\ntest result: {}. {} passed; {} failed; {} warned; {} skipped; {} errors; {} golden differ; {filtered_out} filtered out; {unfinished}finished in {seconds:.2}s\n\n",
            a.verdict.to_string().to_lowercase(),
            s.pass,
            s.fail,
            s.warn,
            s.skipped,
            s.error,
            a.goldens.mismatched,
        ));
    }
}

/// A skipped case's reason in a few words: the blocker's ID, the input to add, or why it does
/// not apply (the cause is said once, in the summary).
fn short_skip(r: &CaseResult) -> String {
    match &r.skip {
        Some(crate::check::Skip::Blocked(b)) => format!("blocked by {}", b.requirement),
        _ => r.message.clone(),
    }
}

/// The header printed before any case runs: which target, which flows it claims, which suites
/// (and whether they are the built-in ones), and which catalogue requirements no suite covers.
pub fn header(info: &RunInfo) -> String {
    let mut lines = vec![format!(
        "fedconform {}: target {}",
        info.harness_version,
        crate::flow::quoted(&info.target)
    )];
    lines.push(format!("  flows claimed: {}", info.flows_text()));
    lines.push(format!(
        "  suites: {}",
        info.suites
            .iter()
            .map(|s| format!(
                "{} {} ({})",
                s.name,
                s.digest,
                if s.builtin { "built-in" } else { "custom" }
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let uncovered: Vec<&str> = crate::requirements::CATALOGUE
        .iter()
        .filter(|r| !info.not_applicable.contains_key(r.id))
        .filter(|r| {
            !info
                .plan
                .iter()
                .any(|c| c.requirements.iter().any(|x| x == r.id))
        })
        .map(|r| r.id)
        .collect();
    if !uncovered.is_empty() {
        lines.push(format!(
            "  not checked by the suites in use: {}",
            uncovered.join(", ")
        ));
    }
    lines.push(format!(
        "  deliberately failed logins this run sends: {}",
        if info.failed_logins.is_empty() {
            "none".to_string()
        } else {
            format!(
                "{} ({}; see [lockout] to cap them)",
                info.failed_logins.len(),
                info.failed_logins.join("; ")
            )
        }
    ));
    for n in &info.not_certification {
        lines.push(format!("  not a certification: {n}"));
    }
    lines.join("\n")
}

/// The end-of-run summary: the verdict first; what keeps the run from being conformant
/// (requirements not evaluated, each root cause once with the cases it blocked); notes; the
/// cases that failed, warned or errored; how to fix each failed or warned requirement, once
/// (docs/explain.toml, `fedconform explain ID`); the golden axis.
pub fn summary(
    results: &[CaseResult],
    a: &Assessment,
    info: &RunInfo,
    golden: Option<&GoldenStore>,
) -> String {
    let mut out = vec![format!("fedconform: {}", a.headline(info))];
    let s = &a.summary;
    out.push(format!(
        "  {}: {} pass, {} fail, {} warn, {} skipped, {} error",
        super::cases(s.total),
        s.pass,
        s.fail,
        s.warn,
        s.skipped,
        s.error
    ));
    let not_evaluated = a.not_evaluated(info.strict);
    if !not_evaluated.is_empty() {
        out.push(format!(
            "  {} in-scope requirement(s) not evaluated; a conformant verdict needs each of them:",
            not_evaluated.len()
        ));
        // One line per reason, naming every requirement it concerns.
        for (reason, rs) in a.not_evaluated_by_reason(info.strict) {
            let ids: Vec<String> = rs
                .iter()
                .map(|r| format!("{} ({})", r.id, r.level))
                .collect();
            out.push(format!("    {}: {reason}", ids.join(", ")));
        }
    }
    for c in &a.root_causes {
        out.push(format!(
            "  {} case(s) blocked by {}: {}",
            c.cases.len(),
            c.blocker.requirement,
            c.blocker.cause
        ));
        out.push(format!("    {}", c.cases.join(", ")));
    }
    let mut notes: Vec<&str> = results
        .iter()
        .flat_map(|r| r.notes.iter().map(String::as_str))
        .collect();
    notes.sort_unstable();
    notes.dedup();
    for n in notes {
        let affected = results
            .iter()
            .filter(|r| r.notes.iter().any(|x| x == n))
            .count();
        out.push(format!("  note ({affected} case(s)): {n}"));
    }
    // Errors that share a cause (one unreachable host) are said once, with the cases.
    let errors = super::errors_by_cause(results);
    for r in results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Warn))
    {
        out.push(format!(
            "  {:<12} {} [{}] {}",
            word(r),
            r.id,
            r.requirements.join(", "),
            r.message
        ));
    }
    for (cause, rs) in &errors {
        match rs.as_slice() {
            [r] => out.push(format!(
                "  {:<12} {} [{}] {}",
                word(r),
                r.id,
                r.requirements.join(", "),
                r.message
            )),
            _ => {
                out.push(format!("  {:<12} {} cases: {cause}", "ERROR", rs.len()));
                out.push(format!(
                    "    {}",
                    rs.iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    for e in crate::explain::pointers(&a.requirements) {
        out.push(format!(
            "  how to fix {}: {} ({})",
            e.id,
            e.fix,
            crate::explain::command(&e.id)
        ));
    }
    for r in results
        .iter()
        .filter(|r| r.baseline.as_deref() == Some("fixed"))
    {
        out.push(format!("  fixed   {} is in the baseline of known failures but now {}: remove it from the baseline", r.id, r.outcome));
    }
    for r in results {
        if let Some(g) = r
            .golden
            .as_ref()
            .filter(|g| g.status == GoldenStatus::Mismatch)
        {
            out.push(format!(
                "  golden differs {} ({}){}",
                r.id,
                g.path,
                g.candidate
                    .as_ref()
                    .map(|c| format!("; candidate {c}"))
                    .unwrap_or_default()
            ));
            if let Some(d) = &g.diff {
                out.extend(d.lines().map(|l| format!("    {l}")));
            }
        }
    }
    if a.goldens.new > 0 {
        let where_ = match golden {
            Some(g) if g.ci => match &g.pending {
                Some(p) => format!(
                    "CI: nothing written into {}; candidates in {}",
                    g.dir.display(),
                    p.display()
                ),
                None => format!(
                    "CI: nothing written into {}; name a folder with --golden-pending to keep them",
                    g.dir.display()
                ),
            },
            Some(g) => format!("written under {}", g.dir.join(&info.target).display()),
            None => String::new(),
        };
        if info.incomplete {
            out.push(format!(
                "  {} new golden snapshot(s) not written: the run was interrupted, and a half run is no baseline; run it again to the end",
                a.goldens.new
            ));
        } else {
            out.push(format!(
                "  {} new golden snapshot(s) ({where_}): review them with `fedconform golden status`, then commit them",
                a.goldens.new
            ));
        }
    }
    for u in &info.unreferenced_goldens {
        out.push(format!("  unused golden {u}: no case references it"));
    }
    if info.incomplete {
        out.push(
            "  the run was interrupted: the cases not listed in the reports did not finish".into(),
        );
    }
    out.join("\n")
}

/// Exit code of a process whose stdout was closed under it (128 + SIGPIPE, as the shell shows it).
pub const CLOSED_PIPE_EXIT: i32 = 141;

/// True when a panic message is Rust's report of writing to a closed stdout.
/// True for a panic that says stdout or stderr was closed: `print!`/`eprint!` ("failed printing
/// to stdout: Broken pipe") and libtest-mimic's printer (an unwrapped `BrokenPipe` I/O error).
/// The harness never unwraps a network write, so a broken pipe here is always a console stream.
fn closed_pipe(message: &str) -> bool {
    message.contains("Broken pipe") || message.contains("BrokenPipe")
}

/// Installs a panic hook that ends the process quietly when stdout was closed (`| head`), and
/// otherwise reports the panic as a harness bug, its message passed through `redact` (secrets
/// never leave through a panic message).
pub fn quiet_on_closed_pipe(redactor: Option<crate::redact::Redactor>) {
    std::panic::set_hook(Box::new(move |info| {
        let raw = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        if closed_pipe(&raw) {
            std::process::exit(CLOSED_PIPE_EXIT);
        }
        // `print!` on a stdout that cannot be written (a full disk): not a bug, an output error.
        if let Some(why) = raw
            .strip_prefix("failed printing to stdout: ")
            .or_else(|| raw.strip_prefix("failed printing to stderr: "))
        {
            std::process::exit(output_failure_exit(std::io::ErrorKind::Other, why));
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = match &redactor {
            Some(r) => r.redact(&raw),
            None => raw,
        };
        // Not eprintln!: a panic inside the hook (stderr gone too) would abort the process.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "fedconform: internal error (a bug, please report it){at}: {message}"
        );
    }));
}

/// The progress line for a request still waiting after some seconds.
pub fn waiting(url: &str, seconds: u64, in_flight: usize) -> String {
    let more = if in_flight > 1 {
        format!(" ({} requests in flight)", in_flight)
    } else {
        String::new()
    };
    format!("fedconform: waiting {seconds} s for {url}{more}")
}

/// What `fedconform check` prints: the endpoints (resolution, TLS, the answer), then which cases
/// will run and which will not, grouped by reason.
pub fn preflight(p: &crate::preflight::Preflight) -> String {
    let mut out = vec![format!(
        "fedconform check: target {}",
        crate::flow::quoted(&p.target)
    )];
    out.push(format!(
        "  flows claimed: {}",
        if p.flows.is_empty() {
            "none".to_string()
        } else {
            p.flows
                .iter()
                .map(|f| format!("{} ({})", f.name(), f.section()))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    out.push(String::new());
    out.push("endpoints:".into());
    if p.endpoints.is_empty() {
        out.push("  none: the target names no endpoint".into());
    }
    for e in &p.endpoints {
        let mark = if e.reached() { "ok " } else { "NO " };
        out.push(format!("  {mark} {}: {}", e.what, e.url));
        match &e.resolved {
            Err(why) => out.push(format!("        {why}")),
            Ok(ips) => out.push(format!(
                "        resolves to {}",
                ips.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
        let Some(ex) = &e.exchange else { continue };
        if let Some(tls) = &ex.tls {
            let chain: Vec<String> = tls
                .chain
                .iter()
                .map(|der| {
                    crate::flow::certificate::analyse(der)
                        .map(|c| c.subject)
                        .unwrap_or_else(|e| e)
                })
                .collect();
            let ends = match tls.trust {
                crate::http::Trust::PublicRoot => "a public root",
                crate::http::Trust::ReferenceRoot => "a reference root ([tls] reference_roots)",
                crate::http::Trust::PrivateCa => {
                    "a private CA: a Mac would not trust it for Platform SSO (TLS-3)"
                }
            };
            out.push(format!("        {} {}", tls.version, tls.cipher));
            out.push(format!(
                "        chain: {} — ends in {ends}",
                chain.join(" ← ")
            ));
        }
        match (&ex.failure, ex.status) {
            (Some(f), _) => out.push(format!("        {}", f.describe())),
            (None, Some(_)) => out.push(format!(
                "        answered {}",
                crate::flow::answer::describe(ex.status, ex.media_type().as_deref(), &ex.body)
            )),
            (None, None) => out.push("        no answer".into()),
        }
    }
    let runs = p.cases.iter().filter(|c| c.blocked.is_none()).count();
    out.push(String::new());
    out.push(format!(
        "cases: {runs} of {} will run (what the IdP answers decides the rest){}",
        p.cases.len(),
        if runs < p.cases.len() {
            "; these will not:"
        } else {
            ""
        }
    ));
    let mut by_reason: Vec<(String, Vec<&str>)> = Vec::new();
    for c in &p.cases {
        if let Some(s) = &c.blocked {
            let reason = s.to_string();
            match by_reason.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, ids)) => ids.push(&c.id),
                None => by_reason.push((reason, vec![&c.id])),
            }
        }
    }
    for (reason, ids) in by_reason {
        out.push(format!("  {} case(s), {reason}", ids.len()));
        out.push(format!("    {}", ids.join(", ")));
    }
    out.push(format!(
        "deliberately failed logins a run sends: {}",
        if p.failed_logins.is_empty() {
            "none".to_string()
        } else {
            p.failed_logins.join("; ")
        }
    ));
    out.join("\n")
}
