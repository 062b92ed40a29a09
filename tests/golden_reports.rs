//! Issue 3: golden snapshots and the reports CI systems read — goldens stable run to run, a
//! defect gives a mismatch with a diff, `golden accept` makes the next run pass, CI mode leaves
//! golden/ untouched, partitions cover every case once and merge back into a single run's report,
//! the JSON report validates against docs/report-schema.json, the baseline of known failures,
//! the Markdown summary, and the HTML report rendered in headless Chromium.

mod common;

use std::path::Path;

fn args_with_reports<'a>(dir: &'a Path, json: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut v: Vec<String> = vec![
        "run".into(),
        "--report-json".into(),
        dir.join(json).display().to_string(),
        "--report-junit".into(),
        dir.join("j.xml").display().to_string(),
        "--report-markdown".into(),
        dir.join("s.md").display().to_string(),
        "--report-html".into(),
        dir.join("r.html").display().to_string(),
    ];
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn run_local(args: &[String]) -> (i32, String) {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run_env(&refs, &[]);
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn committed_reference_goldens_match() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = common::run(
        &args_with_reports(dir.path(), "r.json", &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = common::report(&dir.path().join("r.json"));
    for c in report["cases"].as_array().into_iter().flatten() {
        assert_eq!(c["golden"]["status"], "match", "{}", c["id"]);
    }
    assert_eq!(
        report["run"]["unreferenced_goldens"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[test]
fn a_first_run_writes_new_goldens_exits_0_and_the_next_runs_match_them() {
    // A missing golden is not a failure: a first run against a conformant IdP writes its
    // snapshots as new, says how many, and exits on conformance alone; later runs match them.
    let dir = tempfile::tempdir().expect("tempdir");
    let golden = dir.path().join("golden");
    let g = golden.display().to_string();
    let (code, out) = run_local(&args_with_reports(
        dir.path(),
        "r.json",
        &["--golden-dir", &g],
    ));
    let n = fedconform::embedded::suites()
        .map(|s| s.iter().map(|x| x.cases.len()).sum::<usize>())
        .unwrap_or(0);
    assert_eq!(code, 0, "new goldens are no failure: {out}");
    assert!(
        out.contains(&format!(
            "{n} new golden snapshot(s) (written under {}/reference): review them with `fedconform golden status`, then commit them",
            golden.display()
        )),
        "{out}"
    );
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).expect("junit");
    assert!(
        !junit.contains("<failure"),
        "no JUnit failure for a new golden"
    );
    let first = common::tree_contents(&golden);
    assert_eq!(first.len(), n);
    for _ in 0..2 {
        let (code, out) = run_local(&args_with_reports(
            dir.path(),
            "r.json",
            &["--golden-dir", &g],
        ));
        assert_eq!(code, 0, "{out}");
        assert!(!out.contains("new golden"), "{out}");
        let report = common::report(&dir.path().join("r.json"));
        assert_eq!(report["goldens"]["matched"], n);
        assert_eq!(
            common::tree_contents(&golden),
            first,
            "goldens changed between runs"
        );
    }
}

#[test]
fn a_defect_gives_a_readable_mismatch_and_accept_makes_the_next_run_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let golden = dir.path().join("golden");
    common::copy_tree(&common::root().join("golden"), &golden);
    let g = golden.display().to_string();
    let (code, out) = run_local(&args_with_reports(
        dir.path(),
        "r.json",
        &["--golden-dir", &g, "--defect", "preauth-no-ms-fields"],
    ));
    assert_eq!(code, 5, "PRE-9 only warns, so the goldens decide: {out}");
    assert!(
        out.contains("golden differs psso-preauth::federated-answers-2xx"),
        "{out}"
    );
    assert!(
        out.contains("-  \"cloud_audience_urn\": \"urn:federation:MicrosoftOnline\","),
        "{out}"
    );
    let report = common::report(&dir.path().join("r.json"));
    let case = report["cases"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["id"] == "psso-preauth::federated-answers-2xx")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(case["golden"]["status"], "mismatch");
    assert!(
        case["golden"]["diff"]
            .as_str()
            .unwrap_or_default()
            .contains("-  \"federation_protocol\": \"WSTrust\",")
    );
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap_or_default();
    assert!(
        junit.contains("type=\"golden\"") && junit.contains("-  &quot;cloud_audience_urn&quot;"),
        "the JUnit report carries the golden failure and its diff"
    );
    // MEX goldens are untouched by a preauthentication defect.
    let mex = report["cases"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["id"] == "wstrust-mex::endpoint-selected")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(mex["golden"]["status"], "match");

    let status = common::run_env(&["golden", "status", "--golden-dir", &g], &[]);
    assert!(
        String::from_utf8_lossy(&status.stdout)
            .contains("changed reference/psso-preauth/federated-answers-2xx.snap.new")
    );
    // A name that matches no candidate is an error, and nothing is accepted.
    let none = common::run_env(
        &[
            "golden",
            "accept",
            "--golden-dir",
            &g,
            "federated-answers-2xxx",
        ],
        &[],
    );
    assert_eq!(none.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&none.stderr).contains("no pending golden candidate under")
            && String::from_utf8_lossy(&none.stderr).contains("matches \"federated-answers-2xxx\""),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
    assert!(
        Path::new(&g)
            .join("reference/psso-preauth/federated-answers-2xx.snap.new")
            .exists(),
        "the candidate is still pending"
    );
    let accept = common::run_env(
        &[
            "golden",
            "accept",
            "--golden-dir",
            &g,
            // Every candidate of the suite (the defect changes each preauthentication answer).
            "psso-preauth::",
        ],
        &[],
    );
    assert_eq!(accept.status.code(), Some(0));
    let (code, out) = run_local(&args_with_reports(
        dir.path(),
        "r.json",
        &["--golden-dir", &g, "--defect", "preauth-no-ms-fields"],
    ));
    assert_eq!(code, 0, "{out}");
}

#[test]
fn ci_mode_writes_nothing_into_golden_and_keeps_candidates_in_pending() {
    let dir = tempfile::tempdir().expect("tempdir");
    let golden = dir.path().join("golden");
    common::copy_tree(&common::root().join("golden"), &golden);
    let before = common::tree_contents(&golden);
    let pending = dir.path().join("pending");
    let mut args = args_with_reports(
        dir.path(),
        "r.json",
        &["--defect", "mex-address-whitespace", "--golden-dir"],
    );
    args.push(golden.display().to_string());
    args.push("--golden-pending".into());
    args.push(pending.display().to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run_env(&refs, &[("CI", "true")]);
    assert_eq!(out.status.code(), Some(1), "MEX-8 fails");
    assert_eq!(
        common::tree_contents(&golden),
        before,
        "golden/ changed in CI mode"
    );
    let candidates = common::tree_contents(&pending);
    assert!(
        candidates
            .keys()
            .any(|p| p.ends_with("reference/wstrust-mex/clean-address.snap.new")),
        "{:?}",
        candidates.keys()
    );
    assert!(
        candidates
            .keys()
            .all(|p| p.to_string_lossy().contains("wstrust-mex")),
        "only MEX answers changed"
    );
}

#[test]
fn unreferenced_goldens_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let golden = dir.path().join("golden");
    common::copy_tree(&common::root().join("golden"), &golden);
    std::fs::write(
        golden.join("reference/wstrust-mex/retired-case.snap"),
        "---\n---\nold\n",
    )
    .expect("write");
    let mut args = args_with_reports(dir.path(), "r.json", &["--golden-dir"]);
    args.push(golden.display().to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run(&refs);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("retired-case.snap: no case references it")
    );
    let report = common::report(&dir.path().join("r.json"));
    assert!(
        report["run"]["unreferenced_goldens"][0]
            .as_str()
            .unwrap_or_default()
            .ends_with("retired-case.snap")
    );
}

fn merge(dir: &Path, parts: &[String], out: &str) -> (i32, String, serde_json::Value) {
    let merged = dir.join(out);
    let mut args = vec!["report".to_string(), "merge".to_string()];
    args.extend(parts.iter().cloned());
    args.extend([
        "-o".to_string(),
        merged.display().to_string(),
        "--report-junit".to_string(),
        dir.join(format!("{out}.xml")).display().to_string(),
        "--report-markdown".to_string(),
        dir.join(format!("{out}.md")).display().to_string(),
        "--report-html".to_string(),
        dir.join(format!("{out}.html")).display().to_string(),
    ]);
    let o = common::run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let report = if merged.exists() {
        common::report(&merged)
    } else {
        serde_json::Value::Null
    };
    (o.status.code().unwrap_or(-1), stderr, report)
}

#[test]
fn partitions_cover_every_case_once_and_merge_into_the_single_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let full = common::run(
        &args_with_reports(dir.path(), "full.json", &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(full.status.code(), Some(0));
    let mut parts = Vec::new();
    let mut seen = Vec::new();
    for m in 1..=3 {
        let name = format!("p{m}.json");
        let p = format!("hash:{m}/3");
        let out = common::run(
            &args_with_reports(dir.path(), &name, &["--partition", &p])
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        let path = dir.path().join(&name);
        // A shard alone is INCOMPLETE: the others hold the rest of the requirements.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "INCOMPLETE (partition {m}/3: merge the shards' reports"
            )),
            "{stderr}"
        );
        let r = common::report(&path);
        assert_eq!(r["run"]["partition"]["shard"], m);
        assert_eq!(r["run"]["partition"]["total"], 3);
        assert!(
            r["run"]["plan"].as_array().map(Vec::len).unwrap_or(0) > 0,
            "each shard records the case list it was cut from"
        );
        seen.extend(common::cases(&r).into_iter().map(|c| c.0));
        parts.push(path.display().to_string());
    }
    let full_report = common::report(&dir.path().join("full.json"));
    let mut all: Vec<String> = common::cases(&full_report)
        .into_iter()
        .map(|c| c.0)
        .collect();
    let mut sorted_seen = seen.clone();
    sorted_seen.sort();
    all.sort();
    assert_eq!(
        sorted_seen, all,
        "every case exactly once across the partitions"
    );

    // Two of three shards: INCOMPLETE, naming the missing one.
    let (code, stderr, m) = merge(dir.path(), &parts[..2], "two.json");
    assert_eq!(code, 6, "{stderr}");
    assert_eq!(m["verdict"], "INCOMPLETE");
    assert!(stderr.contains("shard hash:3/3 is missing"), "{stderr}");
    assert!(
        m["headline"]
            .as_str()
            .is_some_and(|h| h.contains("missing shard hash:3/3")),
        "{}",
        m["headline"]
    );
    // A shard twice, or shards of another run, are refused.
    let (code, stderr, _) = merge(
        dir.path(),
        &[parts[0].clone(), parts[0].clone()],
        "dup.json",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("partition 1/3 is in both"), "{stderr}");
    let (code, stderr, _) = merge(
        dir.path(),
        &[
            parts[0].clone(),
            dir.path().join("full.json").display().to_string(),
        ],
        "mixed.json",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("its partition (no partition) differs from")
            && stderr.contains("(hash:1/3)"),
        "the refusal names both values: {stderr}"
    );
    // A shard of the same partition against another IdP of the same name (the reference IdP
    // with a defect) is refused: its target differs though its name agrees.
    let other = common::run(
        &args_with_reports(
            dir.path(),
            "other3.json",
            &["--partition", "hash:3/3", "--defect", "wsfed-wctx-altered"],
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    assert!(dir.path().join("other3.json").exists(), "{other:?}");
    let (code, stderr, _) = merge(
        dir.path(),
        &[
            parts[0].clone(),
            parts[1].clone(),
            dir.path().join("other3.json").display().to_string(),
        ],
        "other.json",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("its target (same name, another file or reference-IdP option; digest) ("),
        "{stderr}"
    );

    // A shard whose run was interrupted (its report says so): the merged run is INCOMPLETE and
    // the merge exits 6 — 130 is a process's own interruption, not the merge's.
    let mut cut = common::report(Path::new(&parts[2]));
    cut["run"]["incomplete"] = serde_json::Value::Bool(true);
    let cut_path = dir.path().join("p3-interrupted.json");
    std::fs::write(&cut_path, cut.to_string()).expect("write");
    let (code, stderr, m) = merge(
        dir.path(),
        &[
            parts[0].clone(),
            parts[1].clone(),
            cut_path.display().to_string(),
        ],
        "cut.json",
    );
    assert_eq!(code, 6, "{stderr}");
    assert_eq!(m["verdict"], "INCOMPLETE");

    // All three: the single run's verdict, with identical requirement verdicts.
    let (code, stderr, m) = merge(dir.path(), &parts, "merged.json");
    assert_eq!(code, 0, "{stderr}");
    let strip = |r: &serde_json::Value| -> Vec<(String, String, String, String)> {
        r["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["id"].to_string(),
                    c["outcome"].to_string(),
                    c["requirements"].to_string(),
                    c["golden"]["status"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        strip(&m),
        strip(&full_report),
        "merged cases equal the single run's, in order"
    );
    assert_eq!(m["verdict"], full_report["verdict"]);
    assert_eq!(m["requirements"], full_report["requirements"]);
    assert_eq!(m["summary"], full_report["summary"]);
    assert_eq!(m["run"]["suites"], full_report["run"]["suites"]);
    for ext in ["xml", "md", "html"] {
        assert!(
            dir.path().join(format!("merged.json.{ext}")).exists(),
            "merge wrote the {ext} report"
        );
    }
}

#[test]
fn nextest_hash_buckets() {
    // The bucket of a name is xxh64(name, 0) % N, as cargo-nextest 0.9 computes it.
    let p: fedconform::runner::Partition = "hash:1/2".parse().expect("parses");
    let h = xxhash_rust::xxh64::xxh64(b"wstrust-mex::endpoint-selected", 0);
    assert_eq!(
        p.contains("wstrust-mex::endpoint-selected", 0),
        h.is_multiple_of(2)
    );
}

#[test]
fn json_report_validates_against_its_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("docs/report-schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for extra in [
        &[][..],
        &["--defect", "mex-not-well-formed", "--no-golden"][..],
        &["--defect", "tls-wrong-host", "--no-golden"][..],
    ] {
        let out = common::run(
            &args_with_reports(dir.path(), "r.json", extra)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert!(out.status.code().is_some());
        let report = common::report(&dir.path().join("r.json"));
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{extra:?}: {errors:?}");
    }
    // The schema is not vacuous: a report with a wrong outcome is refused.
    let mut bad = common::report(&dir.path().join("r.json"));
    bad["cases"][0]["outcome"] = serde_json::json!("maybe");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn baseline_of_known_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("known-failures.txt");
    std::fs::write(
        &baseline,
        "# MEX-7 is being fixed\nwstrust-mex::no-password-digest\n",
    )
    .expect("write");
    let b = baseline.display().to_string();
    let out = common::run(
        &args_with_reports(
            dir.path(),
            "r.json",
            &[
                "--defect",
                "mex-hash-password",
                "--no-golden",
                "--baseline",
                &b,
            ],
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "a known failure does not fail the run"
    );
    let r = common::report(&dir.path().join("r.json"));
    let case = r["cases"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["id"] == "wstrust-mex::no-password-digest")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(case["outcome"], "fail");
    assert_eq!(case["baseline"], "known-failure");
    let out = common::run(
        &args_with_reports(dir.path(), "r.json", &["--baseline", &b])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "wstrust-mex::no-password-digest is in the baseline of known failures but now pass"
    ));
    // A known failure that blocks other requirements (a MEX redirect to http keeps the MEX and
    // the login from being judged): what it blocks is excused with it, exit 0, and the word
    // stays NONCONFORMANT.
    std::fs::write(&baseline, "wstrust-mex::tls-no-http-redirect\n").expect("write");
    let out = common::run(
        &args_with_reports(
            dir.path(),
            "r.json",
            &[
                "--defect",
                "mex-redirect-to-http",
                "--no-golden",
                "--baseline",
                &b,
            ],
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    let r = common::report(&dir.path().join("r.json"));
    assert_eq!(r["verdict"], "NONCONFORMANT");
    let blocked = r["requirements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|q| q["verdict"] == "not-evaluated")
        .count();
    assert!(blocked > 0, "the redirect blocks requirements");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&baseline, "not a case name\n").expect("write");
    let out = common::run(&["run", "--baseline", &b, "--no-reports"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("known-failures.txt:1:1: error:"));
}

#[test]
fn markdown_summary_names_the_verdict_and_the_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("step-summary.md");
    let args = args_with_reports(
        dir.path(),
        "r.json",
        &["--defect", "mex-hash-password", "--no-golden"],
    );
    let out = common::run_env(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &[
            ("CI", "true"),
            ("GITHUB_STEP_SUMMARY", &summary.display().to_string()),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let md = std::fs::read_to_string(dir.path().join("s.md")).expect("markdown written");
    assert!(md.starts_with("## ❌ NONCONFORMANT"), "{md}");
    assert!(
        md.contains("| fail | `wstrust-mex::no-password-digest` | MEX-7 | MUST |"),
        "{md}"
    );
    assert_eq!(
        std::fs::read_to_string(&summary).ok(),
        Some(md),
        "appended to $GITHUB_STEP_SUMMARY"
    );
}

#[test]
fn insta_reads_our_snapshots() {
    // insta's own parser (what `cargo insta review` uses) reads every committed golden, with the
    // same body fedconform compares.
    let files = fedconform::golden::snap_files(&common::root().join("golden"), ".snap");
    let cases = fedconform::embedded::suites()
        .expect("built-in suites")
        .iter()
        .map(|s| s.cases.len())
        .sum::<usize>();
    assert_eq!(files.len(), cases, "one committed golden per built-in case");
    for (path, rel) in files {
        let snap = insta::Snapshot::from_file(&path)
            .unwrap_or_else(|e| panic!("{rel}: insta cannot read it: {e}"));
        assert_eq!(snap.metadata().source(), Some("fedconform"), "{rel}");
        assert!(
            snap.metadata()
                .description()
                .is_some_and(|d| d.contains("against reference")),
            "{rel}"
        );
        let ours = std::fs::read_to_string(&path).unwrap_or_default();
        let body = fedconform::golden::snap_body(&ours).trim_end().to_string();
        let theirs = snap.as_text().map(|t| t.to_string()).unwrap_or_default();
        assert_eq!(theirs.trim_end(), body, "{rel}");
    }
}
