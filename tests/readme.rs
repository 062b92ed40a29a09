//! Issue 13: the README's quick start and target walkthrough work as written. The block marked
//! `<!-- readme-test: quickstart -->` is run by bash as one pasted script, in an empty folder,
//! with the built binary standing in for the installed `fedconform` (the install line itself is
//! `cargo install`, which CI's clean clone exercises by building); the target file of the block
//! marked `<!-- readme-test: target -->` must load as a valid target.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The first fenced block after `<!-- readme-test: NAME -->`.
fn block(readme: &str, name: &str) -> String {
    let marker = format!("<!-- readme-test: {name} -->");
    let at = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    let rest = &readme[at + marker.len()..];
    let open = rest.find("```").expect("a fenced block");
    let body = &rest[open..];
    let first_nl = body.find('\n').expect("fence line");
    let close = body[first_nl..].find("\n```").expect("closing fence");
    body[first_nl + 1..first_nl + close + 1].to_string()
}

#[test]
fn the_quick_start_works_as_written() {
    // The block is run as a user pastes it into bash: one script, `set -e`, with the built
    // binary first on PATH. Nothing waits between lines but what the block itself says.
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let script = block(&readme, "quickstart");
    assert!(
        script.contains("fedconform run") && script.contains("kill %1"),
        "{script}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let bin_dir = common::bin()
        .parent()
        .map(std::path::Path::to_path_buf)
        .expect("the binary's folder");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Should a line fail, the background IdP is stopped with the script (test scaffolding, not
    // part of the README).
    let full = format!("set -e\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{script}");
    let mut child = Command::new("bash")
        .args(["-c", &full])
        .current_dir(dir.path())
        .env("PATH", path)
        .env_remove("CI")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("the quick start did not finish in 300 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().expect("output");
    assert!(
        status.success(),
        "the quick start failed ({status}):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dir.path().join("reports/report.html").exists(),
        "the reports are where the README says"
    );
    assert!(
        dir.path().join("golden/reference").is_dir(),
        "the golden snapshots are where the README says"
    );
}

#[test]
fn the_walkthrough_target_loads() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let toml = block(&readme, "target");
    let dir = tempfile::tempdir().expect("tempdir");
    // The CA file the example names, as a vendor would have it.
    let served = common::serve(dir.path(), None);
    std::fs::copy(
        dir.path().join("t.ca.pem"),
        dir.path().join("contoso-root.pem"),
    )
    .expect("copy");
    drop(served);
    let file = dir.path().join("contoso.toml");
    std::fs::write(&file, &toml).expect("write");
    // Loading it is what `run --list` does first; the passwords come from the environment, as
    // the README says.
    let o = Command::new(common::bin())
        .args(["run", "--list", "--target"])
        .arg(&file)
        .env("CONTOSO_ALICE_PASSWORD", "s3cret")
        .env("CONTOSO_SPECIAL_PASSWORD", "s3cret<&>")
        .output()
        .expect("runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "the README's target does not load:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(listed.contains("login-configuration::"), "{listed}");
    assert!(listed.contains("wsfed::"), "{listed}");
}
