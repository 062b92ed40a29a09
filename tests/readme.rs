//! Issue 13: the README's quick start and target walkthrough work as written. The commands of the
//! block marked `<!-- readme-test: quickstart -->` are run in order, in an empty folder, with the
//! built binary standing in for the installed `fedconform` (the install line itself is
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

/// A command line of the quick start: its words, without the comment, and whether it runs in the
/// background (`&`).
fn words(line: &str) -> Option<(Vec<String>, bool)> {
    let line = line.split(" #").next().unwrap_or("").trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (line, background) = match line.strip_suffix('&') {
        Some(l) => (l.trim(), true),
        None => (line, false),
    };
    Some((
        line.split_whitespace().map(String::from).collect(),
        background,
    ))
}

#[test]
fn the_quick_start_works_as_written() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let commands: Vec<(Vec<String>, bool)> = block(&readme, "quickstart")
        .lines()
        .filter_map(words)
        .collect();
    assert!(commands.len() >= 4, "{commands:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut background = Vec::new();
    for (w, bg) in &commands {
        // `kill %N` stops the N-th background command, as the shell's job control does.
        if w[0] == "kill" {
            let n: usize = w
                .get(1)
                .and_then(|j| j.strip_prefix('%'))
                .and_then(|j| j.parse().ok())
                .expect("kill %N");
            let child: &mut std::process::Child =
                background.get_mut(n - 1).expect("the job kill names");
            // SAFETY: a signal to a child this test started and has not reaped.
            let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            assert_eq!(sent, 0, "SIGTERM sent");
            let start = Instant::now();
            while child.try_wait().expect("wait").is_none() {
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "{w:?} did not stop the reference IdP"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            continue;
        }
        assert_eq!(
            w[0], "fedconform",
            "every quick-start line runs fedconform (or kills a background one): {w:?}"
        );
        let mut cmd = Command::new(common::bin());
        cmd.args(&w[1..])
            .current_dir(dir.path())
            .env_remove("CI")
            .env_remove("GITHUB_STEP_SUMMARY");
        if *bg {
            let child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("starts");
            // The background command writes the target the next lines use.
            let out = w
                .iter()
                .position(|x| x == "--target-out")
                .map(|i| dir.path().join(&w[i + 1]))
                .expect("a background serve writes a target");
            let start = Instant::now();
            while !out.exists() {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "{w:?} wrote no target"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            background.push(child);
            continue;
        }
        let o = cmd.output().expect("runs");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{w:?}:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    for mut c in background {
        let _ = c.kill();
        let _ = c.wait();
    }
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
