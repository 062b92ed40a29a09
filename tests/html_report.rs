//! Issue 13 item 4: an HTML report a certification reviewer can sign off, checked in headless
//! Chromium (Debian's package; `.ci/run` installs it): the verdict first, failures before
//! passes, a sequence diagram per flow with the failing step marked, exchanges with
//! pretty-printed bodies, no horizontal overflow at 1400 px, and it prints to PDF.

mod common;

use std::path::{Path, PathBuf};

fn chromium() -> &'static str {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("Debian's chromium package is required for this test (.ci/run installs it)")
}

/// Chromium with the flags that keep it off the network and quiet.
fn chromium_cmd(profile: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--window-size=1400,1000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

fn report_for(dir: &Path, defect: &str) -> PathBuf {
    let html = dir.join(format!("{defect}.html"));
    let out = common::run(&[
        "run",
        "--no-golden",
        "--defect",
        defect,
        "--report-json",
        dir.join("r.json").to_str().unwrap_or_default(),
        "--report-junit",
        dir.join("j.xml").to_str().unwrap_or_default(),
        "--report-html",
        html.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    html
}

fn dump_dom(dir: &Path, page: &Path) -> String {
    let out = chromium_cmd(&dir.join("profile"))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_report_reads_as_a_reviewer_needs_in_headless_chromium() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = report_for(dir.path(), "mex-not-well-formed");
    let text = std::fs::read_to_string(&html).expect("html written");
    assert!(!text.contains("<script"), "no script");
    assert!(!text.contains("src=\"http"), "self-contained");
    let dom = dump_dom(dir.path(), &html);
    assert!(
        dom.contains("<h1 id=\"verdict\" class=\"fail\">NONCONFORMANT"),
        "the verdict first"
    );
    let body_start = dom.find("<body>").unwrap_or(0);
    let verdict_at = dom.find("<h1 id=\"verdict\"").unwrap_or(usize::MAX);
    assert!(
        dom[body_start..verdict_at]
            .trim_start_matches("<body>")
            .trim()
            .is_empty(),
        "nothing before the verdict"
    );
    for shown in ["fedconform 0.1.0", "built-in", "strict", "target", "date"] {
        assert!(dom.contains(shown), "{shown}");
    }
    // Failures and warnings first, then the requirement matrix, then the cases, failures
    // before passes.
    let failures = dom.find("id=\"failures\"").expect("failures section");
    let matrix = dom.find("id=\"coverage\"").expect("requirement matrix");
    let first_fail = dom.find("data-outcome=\"fail\"").expect("a failing case");
    let first_pass = dom.find("data-outcome=\"pass\"").expect("a passing case");
    assert!(failures < matrix && matrix < first_fail && first_fail < first_pass);
    assert!(dom.contains("data-failed-requirement=\"MEX-2\""));
    // The sequence diagram of the Platform SSO flow marks the MEX step, linked to its exchange.
    let svg_at = dom
        .find("id=\"sequence-psso\"")
        .expect("the Platform SSO diagram");
    let svg = &dom[svg_at..svg_at + dom[svg_at..].find("</svg>").unwrap_or(0)];
    assert!(svg.contains("data-status=\"bad\""), "{svg}");
    assert!(svg.contains("✗ failing step"), "{svg}");
    assert!(svg.contains("href=\"#wstrust-mex::"), "{svg}");
    assert!(
        svg.contains("preauth-federated-custom GET /common/userrealm"),
        "{svg}"
    );
    assert!(dom.contains("id=\"sequence-wsfed\""));
    // Every id is unique in the page (links and arrow heads resolve to one element).
    let mut ids: Vec<&str> = text
        .split(" id=\"")
        .skip(1)
        .filter_map(|t| t.split('"').next())
        .collect();
    ids.sort_unstable();
    let dups: Vec<&&str> = ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| &w[0])
        .collect();
    assert!(dups.is_empty(), "duplicate ids: {dups:?}");
    // Exchanges as request and response, bodies pretty-printed (the preauthentication JSON).
    assert!(dom.contains("class=\"exchange\""));
    assert!(dom.contains("<table class=\"headers\">"));
    assert!(
        dom.contains("class=\"body\">{\n  \"")
            && dom.contains("\n  \"account_type\": \"Federated\",\n"),
        "pretty JSON"
    );

    // No horizontal overflow at 1400 px: a copy measures itself.
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        text.replace(
            "</body>",
            "<script>document.documentElement.setAttribute('data-overflow', document.documentElement.scrollWidth > window.innerWidth ? 'yes ' + document.documentElement.scrollWidth : 'no')</script></body>",
        ),
    )
    .expect("write");
    let dom = dump_dom(dir.path(), &probe);
    assert!(
        dom.contains("data-overflow=\"no\""),
        "{}",
        &dom[..dom.len().min(300)]
    );

    // It prints to PDF (a reviewer files it).
    let pdf = dir.path().join("r.pdf");
    let out = chromium_cmd(&dir.path().join("profile-pdf"))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    assert!(
        bytes.starts_with(b"%PDF") && bytes.len() > 10_000,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
