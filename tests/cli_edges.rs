//! Issue 13 item 5 and 6: an honest console and a command line that fits the ecosystem — each
//! outcome its own word, the summary line agreeing with the verdict, unknown subcommands refused
//! with a suggestion, several filters, selection by requirement and by flow, libtest's flags kept
//! but not advertised, conflicting flags refused, a baseline typo refused, a closed pipe ending
//! the process quietly, completions and a man page.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = common::run(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unknown_subcommands_are_errors_with_a_suggestion() {
    for (typo, suggestion) in [
        ("lsit", "'list'"),
        ("defect", "'defects'"),
        ("inpsect", "'inspect'"),
        // A case name contains "serv" (reserved-login), but a near miss of a subcommand is a typo.
        ("serv", "'serve'"),
    ] {
        let (code, stdout, stderr) = run(&[typo]);
        assert_eq!(code, 2, "{typo}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!("unrecognized subcommand '{typo}'")),
            "{stderr}"
        );
        assert!(stderr.contains(suggestion), "{typo}: {stderr}");
        assert!(
            !stderr.contains("no case"),
            "not taken as a filter: {stderr}"
        );
    }
    // A filter that names cases still runs them (`run` is the default subcommand).
    let (code, stdout, _) = run(&[
        "--no-reports",
        "--no-golden",
        "wstrust-mex::endpoint-selected",
    ]);
    assert_eq!(code, 6, "a filtered run is INCOMPLETE");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[test]
fn a_ca_file_that_is_not_pem_is_refused_by_inspect() {
    let mex = common::root().join("tests/fixtures/mex");
    let doc = std::fs::read_dir(&mex)
        .expect("MEX fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "xml"))
        .expect("a MEX fixture");
    let not_pem = common::root().join("Cargo.toml");
    let (code, stdout, stderr) = run(&[
        "inspect",
        "mex",
        doc.to_str().unwrap_or_default(),
        "--ca",
        not_pem.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "Cargo.toml: error: expected PEM certificates (-----BEGIN CERTIFICATE-----) for --ca"
        ),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "nothing inspected: {stdout}");
}

#[test]
fn several_filters_requirements_and_flows_select_cases() {
    let (_, stdout, _) = run(&[
        "run",
        "--list",
        "psso-preauth::managed-answer",
        "wstrust-mex::inventory",
    ]);
    let listed: Vec<&str> = stdout.lines().filter(|l| l.ends_with(": test")).collect();
    assert_eq!(
        listed,
        vec![
            "psso-preauth::managed-answer: test",
            "wstrust-mex::inventory: test"
        ],
        "{stdout}"
    );
    let (_, stdout, _) = run(&["run", "--list", "--requirement", "wst-8"]);
    let listed: Vec<&str> = stdout.lines().filter(|l| l.ends_with(": test")).collect();
    assert_eq!(
        listed,
        vec!["wstrust-login::wrong-password-credential-fault: test"],
        "{stdout}"
    );
    let (_, stdout, _) = run(&["run", "--list", "--flow", "wsfed"]);
    let listed: Vec<&str> = stdout.lines().filter(|l| l.ends_with(": test")).collect();
    assert!(!listed.is_empty());
    assert!(
        listed.iter().all(|l| l.starts_with("wsfed::")),
        "{listed:?}"
    );
    // TLS cases belong to both flows; a Platform SSO run takes the PRE/MEX/WST suites' and no WSF.
    let (_, stdout, _) = run(&["run", "--list", "--flow", "psso"]);
    assert!(stdout.contains("psso-preauth::tls-valid-certificate: test"));
    assert!(
        !stdout.contains("wsfed::signin-posts-to-wreply"),
        "{stdout}"
    );
    let (code, _, stderr) = run(&["run", "--list", "--requirement", "WST-99"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--requirement \"WST-99\": not a requirement"),
        "{stderr}"
    );
}

#[test]
fn run_help_shows_fedconforms_options_and_keeps_libtests_flags_working() {
    let (code, stdout, _) = run(&["run", "--help"]);
    assert_eq!(code, 0);
    for shown in [
        "--requirement",
        "--flow",
        "--target",
        "--strict",
        "--partition",
        "--exact",
    ] {
        assert!(stdout.contains(shown), "{shown}: {stdout}");
    }
    for hidden in [
        "--nocapture",
        "--include-ignored",
        "--show-output",
        "--bench",
        "--logfile",
    ] {
        assert!(!stdout.contains(hidden), "{hidden} is advertised: {stdout}");
    }
    // What nextest and IDEs pass still works.
    let (code, stdout, _) = run(&[
        "--no-reports",
        "--no-golden",
        "--exact",
        "psso-preauth::managed-answer",
        "--nocapture",
        "--color",
        "never",
    ]);
    assert_eq!(code, 6);
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[test]
fn conflicting_flags_are_refused() {
    for args in [
        &["run", "--no-reports", "--report-junit", "j.xml"][..],
        &["run", "--no-golden", "--golden-dir", "g"][..],
        &["run", "--target", "t.toml", "--defect", "mex-2005-only"][..],
        &["run", "-q", "--format", "json"][..],
    ] {
        let (code, _, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("cannot be used with"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_baseline_entry_that_names_no_case_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = dir.path().join("known.txt");
    std::fs::write(
        &b,
        "wstrust-mex::no-password-digest\n# a comment\nwstrust-mex::no-pasword-digest\n",
    )
    .expect("write");
    let (code, _, stderr) = run(&[
        "run",
        "--no-reports",
        "--baseline",
        b.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("known.txt:3:1: error: \"wstrust-mex::no-pasword-digest\" names no case of the suites in use"),
        "{stderr}"
    );
}

#[test]
fn a_closed_pipe_ends_the_process_quietly() {
    for args in [
        &["list"][..],
        &["run", "--no-reports", "--no-golden"][..],
        &["run", "--no-reports", "--no-golden", "--format", "json"][..],
        &["run", "--list"][..],
        &["defects"][..],
    ] {
        let mut child = Command::new(common::bin())
            .args(args)
            .current_dir(common::root())
            .env("CI", "true")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        // Read one byte, then close the pipe, as `| head -c1` does.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut one = [0u8; 1];
        let _ = stdout.read(&mut one);
        drop(stdout);
        let status = child.wait().expect("waits");
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("internal error"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        // 141 (128 + SIGPIPE) as a shell reports a process a closed pipe ended; 0 when all was
        // written before the pipe closed. Never a panic's 101. A run prints for far longer than
        // the read takes (its cases make requests), so it always meets the closed pipe.
        if args[0] == "run" && !args.contains(&"--list") {
            assert_eq!(status.code(), Some(141), "{args:?}: {stderr}");
        }
        assert!(
            matches!(status.code(), Some(0 | 141)),
            "{args:?}: {status:?} {stderr}"
        );
    }
}

/// `fedconform … > /dev/full`: an output that cannot be written is said in words, with its own
/// exit code (74, sysexits' EX_IOERR), never a panic; a run still writes its reports.
#[test]
fn an_output_that_cannot_be_written_is_an_io_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("r.json");
    for args in [
        vec!["list".to_string()],
        vec!["explain".into(), "WST-8".into()],
        vec!["man".into()],
        vec!["completions".into(), "bash".into()],
        vec![
            "run".into(),
            "--no-golden".into(),
            "--report-json".into(),
            report.display().to_string(),
            "--report-junit".into(),
            dir.path().join("j.xml").display().to_string(),
        ],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = Command::new(common::bin())
            .args(&args)
            .current_dir(common::root())
            .env("CI", "true")
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(74), "{args:?}: {stderr}");
        assert!(
            stderr.contains("fedconform: cannot write to standard output: No space left on device"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("internal error"), "{args:?}: {stderr}");
    }
    assert!(report.exists(), "the run wrote its report all the same");
}

/// `fedconform run 2>&1 | head -c1`: stderr closes with stdout, and the process still ends
/// quietly with 141, not an abort (a panic inside the panic hook).
#[test]
fn a_closed_pipe_on_both_streams_ends_the_process_with_141() {
    let bin = common::bin();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "exec '{}' run --no-reports --no-golden 2>&1",
            bin.display()
        ))
        .current_dir(common::root())
        .env("CI", "true")
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut one = [0u8; 1];
    let _ = stdout.read(&mut one);
    drop(stdout);
    let status = child.wait().expect("waits");
    assert_eq!(status.code(), Some(141), "{status:?}");
}

#[test]
fn each_outcome_has_its_own_word_and_the_result_line_agrees() {
    // A SHOULD that does not hold warns ("WARN", not "ok"); a blocked case says "skip" and its
    // blocker; the result line carries the verdict.
    let (code, stdout, _) = run(&[
        "run",
        "--no-reports",
        "--no-golden",
        "--defect",
        "mex-2005-only",
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("wstrust-mex::prefers-wstrust-13") && stdout.contains("... WARN  [MEX-4]"),
        "{stdout}"
    );
    assert!(stdout.contains("test result: conformant."), "{stdout}");
    assert!(stdout.contains("1 warned;"), "{stdout}");
    let (code, stdout, _) = run(&[
        "run",
        "--no-reports",
        "--no-golden",
        "--defect",
        "mex-not-well-formed",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("... FAIL  [MEX-2]"), "{stdout}");
    assert!(stdout.contains("... skip  blocked by MEX-2"), "{stdout}");
    assert!(stdout.contains("test result: nonconformant."), "{stdout}");
    // A golden-only mismatch is said as such, not as a failure of the IdP.
    let dir = tempfile::tempdir().expect("tempdir");
    common::copy_tree(&common::root().join("golden"), &dir.path().join("golden"));
    let g = dir.path().join("golden");
    let (code, stdout, _) = run(&[
        "run",
        "--no-reports",
        "--golden-dir",
        g.to_str().unwrap_or_default(),
        "--defect",
        "preauth-no-ms-fields",
    ]);
    assert_eq!(code, 5);
    assert!(stdout.contains("... pass, GOLDEN DIFFERS"), "{stdout}");
}

#[test]
fn completions_and_a_man_page_come_from_the_command_model() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, stdout, stderr) = run(&["completions", shell]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("fedconform"), "{shell}");
        assert!(
            stdout.contains("requirement"),
            "{shell}: the run flags are completed"
        );
    }
    let (code, stdout, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(".ie") || stdout.contains(".TH fedconform"),
        "{}",
        &stdout[..stdout.len().min(200)]
    );
}

/// `--test-threads 0` would judge nothing and wait for ever: refused before anything runs.
#[test]
fn zero_test_threads_is_refused() {
    let (code, _, stderr) = run(&["run", "--no-reports", "--no-golden", "--test-threads", "0"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("'--test-threads <N>'"), "{stderr}");
}
