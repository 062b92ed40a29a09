//! Issue 13, item 3: `fedconform explain ID` has an entry for every requirement of the catalogue
//! (walked through the command line), unknown IDs are configuration errors with a "did you mean",
//! and the console summary, the Markdown summary and the HTML report point a failed requirement
//! at its fix.

mod common;

use fedconform::requirements::CATALOGUE;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The acceptance line: every catalogue ID, asked for as a user would (lower case), gets its
/// entry from the binary.
#[test]
fn explain_has_an_entry_for_every_catalogue_requirement() {
    for req in CATALOGUE {
        let out = common::run(&["explain", &req.id.to_ascii_lowercase(), "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", req.id, stderr(&out));
        let v: serde_json::Value = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}\n{}", req.id, stdout(&out)));
        assert_eq!(v["id"], req.id);
        assert_eq!(v["title"], req.title);
        assert_eq!(v["level"], req.level.to_string());
        for field in ["requirement", "client", "impact", "fix", "source"] {
            assert!(
                v[field].as_str().is_some_and(|s| !s.trim().is_empty()),
                "{}: {field} is empty",
                req.id
            );
        }
        assert!(
            v["causes"].as_array().is_some_and(|c| !c.is_empty()),
            "{}",
            req.id
        );
        assert!(v["provisional"].is_null(), "{}", req.id);
    }
}

#[test]
fn explain_without_an_id_lists_every_id_with_its_title() {
    for args in [&["explain"][..], &["explain", "--list"][..]] {
        let out = common::run(args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        for req in CATALOGUE {
            assert!(
                text.lines()
                    .any(|l| l.starts_with(&format!("{} ", req.id)) && l.ends_with(req.title)),
                "{} missing from:\n{text}",
                req.id
            );
        }
    }
}

#[test]
fn explain_prints_the_sections_of_an_entry() {
    let out = common::run(&["explain", "Wst-8"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "WST-8 (MUST, psso): Wrong password: HTTP 500 FailedAuthentication fault\n"
        ),
        "{text}"
    );
    for heading in [
        "\nRequirement (docs/SPEC.md)\n",
        "\nWhat macOS does\n",
        "\nWhy it matters\n",
        "\nTypical causes\n",
        "\nHow to fix\n",
        "\nSource\n",
    ] {
        assert!(text.contains(heading), "{heading:?} missing:\n{text}");
    }
    assert!(text.contains("  - AD FS: "), "{text}");
    assert!(
        text.lines().all(|l| l.chars().count() <= 96),
        "wrapped to 96 columns:\n{text}"
    );
    let wsf = stdout(&common::run(&["explain", "WSF-8"]));
    assert!(wsf.contains("\nWhat the relying party does\n"), "{wsf}");
}

#[test]
fn an_unknown_id_is_a_configuration_error_with_a_suggestion() {
    let out = common::run(&["explain", "WST8"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "fedconform: unknown requirement ID \"WST8\"; did you mean WST-8? (`fedconform explain --list` lists every ID)\n"
    );
    assert!(stdout(&out).is_empty());
    let out = common::run(&["explain", "XYZ-1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown requirement ID \"XYZ-1\" (`fedconform"),
        "{}",
        stderr(&out)
    );
    let out = common::run(&["explain", "--list", "WST-8"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "conflicting arguments are refused"
    );
}

#[test]
fn a_failed_requirement_points_at_its_fix_in_every_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |f: &str| dir.path().join(f).display().to_string();
    let out = common::run(&[
        "run",
        "--defect",
        "mex-hash-password",
        "--no-golden",
        "--report-json",
        &path("r.json"),
        "--report-junit",
        &path("j.xml"),
        "--report-markdown",
        &path("s.md"),
        "--report-html",
        &path("r.html"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fix = fedconform::explain::entry("MEX-7")
        .map(|e| e.fix.clone())
        .expect("MEX-7 is explained");
    let console = stderr(&out);
    assert_eq!(
        console.matches("  how to fix ").count(),
        1,
        "one pointer per failed requirement:\n{console}"
    );
    assert!(
        console.contains(&format!(
            "  how to fix MEX-7: {fix} (fedconform explain MEX-7)\n"
        )),
        "{console}"
    );
    let md = std::fs::read_to_string(dir.path().join("s.md")).expect("markdown");
    assert!(
        md.contains(&format!(
            "### How to fix\n\n- **MEX-7** (MUST): {fix} Details: `fedconform explain MEX-7`\n"
        )),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("html");
    assert_eq!(
        html.matches("<details class=\"explain\"").count(),
        1,
        "only the failed requirement carries an explanation"
    );
    assert!(html.contains("data-explain=\"MEX-7\""), "{html}");
    assert!(html.contains("<h4>Why it matters</h4>"));
}
