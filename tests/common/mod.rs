//! Helpers shared by the integration tests: run the real binary and read its JSON report.

#![allow(dead_code)]

pub mod peers;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The built `fedconform` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fedconform"))
}

/// The package root (where suites/ lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in the package root with some arguments. `CI=true` is set, so that no run
/// writes into the project's golden/ folder.
pub fn run(args: &[&str]) -> Output {
    run_env(args, &[("CI", "true")])
}

/// Runs the binary in the package root with some arguments and environment.
pub fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(root())
        .env_remove("CI")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the fedconform binary runs")
}

/// GETs a URL with the harness's own HTTP client, trusting the target's CAs.
pub fn fetch(target: &fedconform::suite::Target, url: &url::Url) -> fedconform::http::Exchange {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = fedconform::http::HttpClient::for_target(target).expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(http.send(fedconform::http::Request::get(url.clone(), Vec::new())))
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Every file under a folder with its bytes, for before/after comparisons.
pub fn tree_contents(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

/// A `fedconform serve` process; killed when dropped.
pub struct Served {
    child: Child,
    /// The target file it wrote.
    pub target: PathBuf,
}

impl Served {
    /// The server process's ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `fedconform serve [--defect d] --target-out DIR/t.toml` and waits for the target file.
pub fn serve(dir: &Path, defect: Option<&str>) -> Served {
    match defect {
        Some(d) => serve_with(dir, &["--defect", d]),
        None => serve_with(dir, &[]),
    }
}

/// Starts `fedconform serve ARGS --target-out DIR/t.toml` and waits for the target file.
pub fn serve_with(dir: &Path, args: &[&str]) -> Served {
    let target = dir.join("t.toml");
    let child = Command::new(bin())
        .arg("serve")
        .arg("--target-out")
        .arg(&target)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let served = Served {
        child,
        target: target.clone(),
    };
    let start = Instant::now();
    while !target.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "serve wrote no target file"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    served
}

/// A loopback port nothing listens on (bound, then freed).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// What `fedconform run --no-golden --target T ARGS` gave: its exit code, its JSON report (Null
/// when none was written) and its stderr.
pub struct Ran {
    /// The exit code (-1 for a signal).
    pub code: i32,
    /// The JSON report.
    pub report: serde_json::Value,
    /// The console summary.
    pub stderr: String,
}

/// Runs the suites against a target with reports in `dir`, goldens off, and reads the report.
pub fn run_target(dir: &Path, target: &Path, extra: &[&str]) -> Ran {
    let report = dir.join("r.json");
    let junit = dir.join("j.xml");
    let mut args = vec![
        "run",
        "--no-golden",
        "--target",
        target.to_str().unwrap_or_default(),
        "--report-json",
        report.to_str().unwrap_or_default(),
        "--report-junit",
        junit.to_str().unwrap_or_default(),
    ];
    args.extend_from_slice(extra);
    let _ = std::fs::remove_file(&report);
    let out = run(&args);
    Ran {
        code: out.status.code().unwrap_or(-1),
        report: if report.exists() {
            self::report(&report)
        } else {
            serde_json::Value::Null
        },
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Reads a JSON report.
pub fn report(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("the report exists");
    serde_json::from_str(&text).expect("the report is JSON")
}

/// (case id, requirements, outcome, message) of one case in a report.
pub type CaseRow = (String, Vec<String>, String, String);

/// Every case in a report.
pub fn cases(report: &serde_json::Value) -> Vec<CaseRow> {
    report["cases"]
        .as_array()
        .expect("cases is an array")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["requirements"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                c["outcome"].as_str().unwrap_or_default().to_string(),
                c["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
