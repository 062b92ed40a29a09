//! Rule 3 against hostile and broken IdPs: for each way an IdP can misbehave (tests/common/
//! hostile.rs), a run of the real binary ends — no hang, no panic — within the target's timeouts,
//! in bounded memory, with the affected cases failing or erroring with a reason, while the cases
//! that do not depend on the broken endpoint still run and pass.
//!
//! The target points its MEX at the hostile server (federationType "wstrust") and its WS-Fed
//! values at a conformant reference IdP started beside it: the MEX cases meet the misbehaviour,
//! the login cases are skipped for want of a MEX document, and the 23 WS-Fed cases must pass.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use hostile::Behaviour;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any run may take before the test calls it a hang (a safety net, not a timing
/// assertion: the target's own timeouts are 3 s).
const HANG: Duration = Duration::from_secs(120);
/// Peak memory a run may reach, in KiB.
const MEMORY_KIB: i64 = 512 * 1024;

struct Outcome {
    code: i32,
    cases: Vec<common::CaseRow>,
    stderr: String,
}

/// The peak resident set of this process's waited-for children, KiB (Linux: ru_maxrss).
fn children_peak_kib() -> i64 {
    // SAFETY: getrusage fills the struct it is given; a zeroed rusage is a valid value.
    unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) == 0 {
            u.ru_maxrss
        } else {
            0
        }
    }
}

fn reference_mex(served: &Path) -> Vec<u8> {
    let target = fedconform::suite::load_target(served).expect("served target");
    let base = target.wsfed.as_ref().expect("[wsfed]").base_url.clone();
    common::fetch(
        &target,
        &base.join("/adfs/services/trust/mex").expect("url"),
    )
    .body
}

/// A hostile server, the conformant reference IdP beside it, and the target joining them.
struct Setup {
    dir: tempfile::TempDir,
    _served: common::Served,
    _server: hostile::Hostile,
    target: std::path::PathBuf,
}

fn setup(b: Behaviour, max_body: usize, timeout_seconds: u64) -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let good = reference_mex(&served.target);
    assert!(!good.is_empty(), "the reference MEX");
    let server = hostile::start(b, good);
    let served_text = std::fs::read_to_string(&served.target).expect("served target");
    let wsfed = served_text
        .split("[wsfed]")
        .nth(1)
        .expect("a [wsfed] section");
    std::fs::write(dir.path().join("hostile.ca.pem"), &server.ca_pem).expect("write");
    // The reference IdP's CA and the hostile server's stand in for public roots (so that TLS-3
    // passes where the behaviour has nothing to do with it), unless the behaviour is the unknown
    // CA.
    let roots = if b == Behaviour::UnknownCa {
        "[\"t.ca.pem\"]"
    } else {
        "[\"t.ca.pem\", \"hostile.ca.pem\"]"
    };
    let target = dir.path().join("hostile.toml");
    // The MEX comes from the hostile server: named directly, or through its preauthentication.
    let login_configuration = if b.serves_preauth() {
        format!(
            "federationType = \"dynamic-wstrust\"\nfederationUserPreauthenticationURL = \"{}/preauth?api-version=1.0\"\nfederationPredicate = 'account_type ==[c] \"federated\"'",
            server.base
        )
    } else {
        format!(
            "federationType = \"wstrust\"\nfederationMEXURL = \"{}/mex\"",
            server.base
        )
    };
    std::fs::write(
        &target,
        format!(
            "[target]\nname = \"hostile\"\n\n[login_configuration]\n{login_configuration}\nfederationRequestURN = \"urn:federation:MicrosoftOnline\"\n\n[[user]]\nrole = \"federated\"\nlogin = \"{}\"\npassword_file = \"t.password\"\n\n[[user]]\nrole = \"lockout-probe\"\nlogin = \"lockout-probe@contoso.example\"\n\n[tls]\nreference_roots = {roots}\n\n[limits]\ntimeout_seconds = {timeout_seconds}\nconnect_timeout_seconds = 3\nmax_body_bytes = {max_body}\n\n[wsfed]{wsfed}",
            fedconform::idp::FEDERATED_LOGIN
        ),
    )
    .expect("write");
    Setup {
        dir,
        _served: served,
        _server: server,
        target,
    }
}

fn run_against(b: Behaviour, max_body: usize) -> Outcome {
    let Setup {
        dir,
        _served,
        _server,
        target,
    } = setup(b, max_body, 3);
    let report = dir.path().join("r.json");
    let mut child = Command::new(common::bin())
        .args([
            "run",
            "--no-golden",
            "--target",
            target.to_str().unwrap_or_default(),
            "--report-json",
            report.to_str().unwrap_or_default(),
            "--report-junit",
            dir.path().join("j.xml").to_str().unwrap_or_default(),
        ])
        .current_dir(common::root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fedconform runs");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{b:?}: the run hung (killed after {HANG:?})");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let peak = children_peak_kib();
    assert!(
        peak < MEMORY_KIB,
        "{b:?}: a child process reached {peak} KiB (bound {MEMORY_KIB} KiB)"
    );
    let code = status.code().unwrap_or(-1);
    assert!(
        (0..=6).contains(&code),
        "{b:?}: exit {status:?} (a crash or a signal?)\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{b:?}: a panic:\n{stderr}");
    Outcome {
        code,
        cases: common::cases(&common::report(&report)),
        stderr,
    }
}

/// Runs a behaviour and checks the common promises: WS-Fed unaffected, the MEX document cases
/// not passing, with `reason` in the MEX-1/MEX-2 messages.
fn broken(b: Behaviour, max_body: usize, reason: &str) {
    let o = run_against(b, max_body);
    let mut mex_messages = Vec::new();
    for (id, _, outcome, message) in &o.cases {
        if id.starts_with("wsfed::") {
            assert_eq!(
                outcome, "pass",
                "{b:?}: an unaffected case did not pass: {id}: {message}"
            );
        }
        if id.starts_with("wstrust-mex::") {
            mex_messages.push(format!("{id}: {outcome}: {message}"));
        }
        if id == "wstrust-mex::well-formed-wsdl" {
            assert_ne!(outcome, "pass", "{b:?}: {id} passed: {message}");
        }
        // Blocked by the broken MEX, or errors when the network failed (a timeout).
        if id.starts_with("wstrust-login::") {
            assert!(
                outcome == "skipped" || outcome == "error",
                "{b:?}: {id}: {outcome}: {message}"
            );
        }
    }
    eprintln!("{b:?}:\n{}", mex_messages.join("\n"));
    assert!(
        mex_messages.iter().any(|m| m.contains(reason)),
        "{b:?}: expected {reason:?} in the MEX findings:\n{}\n{}",
        mex_messages.join("\n"),
        o.stderr
    );
    assert!(o.code == 1 || o.code == 3, "{b:?}: exit code {}", o.code);
}

/// Runs a behaviour a client must take in its stride: everything passes.
fn tolerated(b: Behaviour) {
    let o = run_against(b, 4 << 20);
    let mut mex_passed = 0;
    for (id, _, outcome, message) in &o.cases {
        if id.starts_with("wstrust-mex::") && outcome == "pass" {
            mex_passed += 1;
        }
        if id.starts_with("wsfed::")
            || id.starts_with("wstrust-mex::")
            || id.starts_with("wstrust-login::")
            || id.starts_with("psso-preauth::")
        {
            // Not applicable, or needing an input the hostile target does not give.
            let not_applicable = outcome == "skipped"
                && (message.contains("not applicable") || message.contains("the target has no"));
            assert!(
                outcome == "pass" || not_applicable,
                "{b:?}: {id}: {outcome}: {message}"
            );
        }
    }
    assert!(mex_passed >= 10, "{b:?}: the MEX cases ran: {:?}", o.cases);
    if b.serves_preauth() {
        for id in [
            "psso-preauth::federated-json-object",
            "psso-preauth::federated-predicate-true",
        ] {
            assert!(
                o.cases.iter().any(|c| c.0 == id && c.2 == "pass"),
                "{b:?}: {id} did not pass: {:?}",
                o.cases
            );
        }
    }
}

const CAP: usize = 4 << 20;

#[test]
fn malformed_xml() {
    broken(Behaviour::MalformedXml, CAP, "never closed");
}

#[test]
fn billion_laughs_is_refused_as_a_dtd() {
    broken(Behaviour::BillionLaughs, CAP, "DTD");
}

#[test]
fn quadratic_blowup_is_refused_as_a_dtd() {
    broken(Behaviour::QuadraticBlowup, CAP, "DTD");
}

#[test]
fn a_million_deep_nesting_parses_in_bounded_memory() {
    // A 7 MB document: the cap is raised so that it reaches the parser.
    broken(
        Behaviour::DeepNesting,
        16 << 20,
        "well-formed XML without a wsdl:definitions element",
    );
}

#[test]
fn fifty_megabytes_stop_at_the_body_cap() {
    broken(Behaviour::FiftyMegabytes, CAP, "larger than");
}

#[test]
fn a_gzip_bomb_stops_at_the_cap_once_decoded() {
    // 50 MB inflated from a small gzip body: decoding stops at the 4 MiB cap, within the memory
    // bound, and MEX-2 says why.
    broken(
        Behaviour::GzipBomb,
        CAP,
        "the body decoded from Content-Encoding \"gzip\" is larger than the 4194304-byte cap",
    );
}

#[test]
fn a_gzip_compressed_mex_is_read_as_macos_reads_it() {
    // Cases C6: macOS asks for gzip, deflate and br and decodes them transparently.
    tolerated(Behaviour::GzipMex);
}

#[test]
fn deflate_and_brotli_compressed_mex_are_read() {
    tolerated(Behaviour::DeflateMex);
    tolerated(Behaviour::BrotliMex);
}

#[test]
fn a_utf16_or_latin1_mex_is_read_as_libxml2_reads_it() {
    tolerated(Behaviour::Utf16Mex);
    tolerated(Behaviour::Latin1Mex);
}

#[test]
fn a_preauthentication_answer_with_a_bom_or_in_utf16_is_read_as_foundation_reads_it() {
    // Cases C7: JSONSerialization reads UTF-8 with a BOM, UTF-16 and UTF-32.
    tolerated(Behaviour::PreauthBom);
    tolerated(Behaviour::PreauthUtf16);
}

#[test]
fn a_dripping_body_times_out() {
    broken(Behaviour::Drip, CAP, "timed out");
}

#[test]
fn a_reset_mid_body_is_a_reason() {
    // What did come back is said: the status line arrived, then the body broke off.
    broken(
        Behaviour::ResetMidBody,
        CAP,
        "expected a whole answer; got HTTP 200 application/soap+xml, ",
    );
}

#[test]
fn a_redirect_loop_ends() {
    broken(Behaviour::RedirectLoop, CAP, "redirects");
}

#[test]
fn a_redirect_to_http_is_refused() {
    broken(Behaviour::RedirectToHttp, CAP, "http://");
}

#[test]
fn an_expired_certificate_is_refused() {
    broken(Behaviour::ExpiredCertificate, CAP, "expired");
}

#[test]
fn a_certificate_for_another_host_is_refused() {
    broken(
        Behaviour::WrongHostCertificate,
        CAP,
        "the certificate is for",
    );
}

#[test]
fn an_unknown_ca_is_refused() {
    broken(
        Behaviour::UnknownCa,
        CAP,
        "the certificate chain does not verify",
    );
}

#[test]
fn non_utf8_bytes_are_located() {
    broken(Behaviour::NonUtf8, CAP, "not UTF-8");
}

#[test]
fn a_one_megabyte_header_is_refused() {
    broken(Behaviour::HugeHeader, CAP, "HTTP failure");
}

#[test]
fn an_empty_200_is_not_a_document() {
    broken(Behaviour::Empty200, CAP, "not XML but an empty body");
}

#[test]
fn a_server_that_never_answers_times_out() {
    broken(Behaviour::NeverAnswers, CAP, "timed out");
}

#[test]
fn a_wrong_content_type_does_not_stop_the_document_being_read() {
    // No MEX requirement names a media type (macOS reads the body whatever it is labelled).
    tolerated(Behaviour::WrongContentType);
}

#[test]
fn http_1_0_close_framing_is_read_whole() {
    tolerated(Behaviour::Http10Close);
}

#[test]
fn sigint_writes_the_finished_cases_marked_incomplete_and_leaves_goldens_alone() {
    use std::io::BufRead;
    // The MEX drips for longer than the test waits: its cases are in flight when SIGINT comes.
    let setup = setup(Behaviour::Drip, CAP, 600);
    let dir = setup.dir.path();
    let golden = dir.join("golden");
    let existing = golden.join("hostile/wsfed/metadata-signed.snap");
    std::fs::create_dir_all(existing.parent().expect("parent")).expect("mkdir");
    std::fs::write(&existing, "---\nsource: fedconform\n---\nan older golden\n").expect("write");
    let before = common::tree_contents(&golden);
    let report = dir.join("r.json");
    let mut child = Command::new(common::bin())
        .args([
            "run",
            "--target",
            setup.target.to_str().unwrap_or_default(),
            "--golden-dir",
            golden.to_str().unwrap_or_default(),
            "--report-json",
            report.to_str().unwrap_or_default(),
            "--report-junit",
            dir.join("j.xml").to_str().unwrap_or_default(),
            "--skip",
            "wstrust-login",
            "--test-threads",
            "64",
        ])
        .current_dir(common::root())
        // Outside CI, where a finished run writes its new snapshots: an interrupted one must not.
        .env_remove("CI")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fedconform runs");
    // Wait until the WS-Fed cases have finished (libtest prints each result line).
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let wsfed_cases = fedconform::embedded::suites()
        .expect("built-in suites")
        .iter()
        .filter(|s| s.meta.name == "wsfed")
        .map(|s| s.cases.len())
        .sum::<usize>();
    let start = Instant::now();
    let mut finished = 0;
    while finished < wsfed_cases {
        let line = rx
            .recv_timeout(HANG.saturating_sub(start.elapsed()))
            .unwrap_or_else(|_| panic!("the WS-Fed cases did not finish ({finished} did)"));
        if line.starts_with("test wsfed::") && !line.ends_with("...") {
            finished += 1;
        }
    }
    // SAFETY: kill sends a signal to a child process this test started and has not reaped.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0, "SIGINT sent");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            panic!("the run did not stop after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        status.code(),
        Some(130),
        "the interrupted run's own exit code"
    );
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    assert!(
        stderr.contains("new golden snapshot(s) not written: the run was interrupted"),
        "{stderr}"
    );
    let last = rx
        .try_iter()
        .find(|l| l.starts_with("test result:"))
        .unwrap_or_default();
    let skipped_suite = fedconform::embedded::suites()
        .expect("built-in suites")
        .iter()
        .filter(|s| s.meta.name == "wstrust-login")
        .map(|s| s.cases.len())
        .sum::<usize>();
    assert!(
        last.contains(" interrupted; ")
            && last.contains(&format!("; {skipped_suite} filtered out;")),
        "the cases left unrun are counted as interrupted, not filtered out: {last}"
    );
    let r = common::report(&report);
    assert_eq!(r["run"]["incomplete"], true, "{}", r["run"]);
    let cases = common::cases(&r);
    let wsfed = cases.iter().filter(|c| c.0.starts_with("wsfed::")).count();
    assert_eq!(wsfed, wsfed_cases, "the finished WS-Fed cases are reported");
    assert!(
        cases.iter().all(|c| !c.0.starts_with("wstrust-mex::")),
        "no case in flight is reported: {cases:?}"
    );
    let junit = std::fs::read_to_string(dir.join("j.xml")).expect("JUnit written");
    assert!(junit.contains("wsfed"), "{junit}");
    let after = common::tree_contents(&golden);
    let snaps = |t: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>| {
        t.iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "snap"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(snaps(&before), snaps(&after), "goldens untouched");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no snapshot and no candidate written"
    );
}
