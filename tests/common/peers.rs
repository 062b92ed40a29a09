//! Real third-party peers from the package registries (rule 2), provisioned under target/ by the
//! tests that use them: a missing peer fails the test, it never skips it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A Python virtualenv at `target/NAME` holding `packages`, checked by importing `imports`.
/// Each test binary provisions its own folder, so that binaries run in parallel never install
/// into the same one.
pub fn python_venv(name: &str, packages: &[&str], imports: &str) -> PathBuf {
    let venv = super::root().join("target").join(name);
    let python = venv.join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", &format!("import {imports}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        let made = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .output();
        assert!(
            made.as_ref().is_ok_and(|o| o.status.success()),
            "cannot create a Python virtualenv (python3 -m venv): {made:?}"
        );
        let pip = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(packages)
            .output();
        match pip {
            Ok(o) if o.status.success() => {}
            other => panic!(
                "cannot install {packages:?} from PyPI: an interop peer is missing: {other:?}"
            ),
        }
    }
    python
}

/// Runs `tests/interop/SCRIPT ARGS` with a venv's python and reads its JSON output.
pub fn python_json(python: &Path, script: &str, args: &[&str]) -> serde_json::Value {
    let mut cmd = Command::new(python);
    cmd.arg(super::root().join("tests/interop").join(script))
        .args(args);
    json_output(cmd, script)
}

/// Installs the npm packages of `tests/interop/package.json` (versions pinned by its lock file)
/// into `target/NAME`, once; returns that folder.
pub fn node_packages(name: &str, check: &str) -> PathBuf {
    let dir = super::root().join("target").join(name);
    if dir
        .join("node_modules")
        .join(check)
        .join("package.json")
        .exists()
    {
        return dir;
    }
    std::fs::create_dir_all(&dir).expect("mkdir");
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(super::root().join("tests/interop").join(f), dir.join(f)).expect("copy");
    }
    let npm = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output();
    match npm {
        Ok(o) if o.status.success() => dir,
        other => panic!(
            "cannot install the npm interop peers (npm ci in {}): a peer is missing: {other:?}",
            dir.display()
        ),
    }
}

/// Runs `node tests/interop/SCRIPT ARGS` with the packages of `packages` and reads its JSON output.
pub fn node_json(packages: &Path, script: &str, args: &[&str]) -> serde_json::Value {
    let mut cmd = Command::new("node");
    cmd.arg(super::root().join("tests/interop").join(script))
        .args(args)
        .env("NODE_PATH", packages.join("node_modules"));
    json_output(cmd, script)
}

fn json_output(mut cmd: Command, script: &str) -> serde_json::Value {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{script} cannot run: {e}"));
    assert!(
        out.status.success(),
        "{script} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{script}: output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
