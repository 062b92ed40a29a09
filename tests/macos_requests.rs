//! Requests exactly as macOS sends them (issue 12, SPEC.md "Requests as macOS sends them"): the
//! login's MessageID is `urn:uuid:` + an upper-case UUID and its headers come in macOS's order; an
//! STS that echoes the MessageID lower-cased (what a .NET Guid round-trip writes, cases C5) fails
//! WST-2, while the reference STS's exact echo passes; and a client's fixed `[wsfed] audience`
//! is the audience WSF-7 expects.

mod common;

fn run(defect: Option<&str>, filter: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), defect);
    let ran = common::run_target(dir.path(), &served.target, &[filter]);
    assert!(ran.code <= 1 || ran.code == 6, "{}", ran.stderr);
    ran.report
}

fn case<'a>(r: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    r["cases"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// The text between `<a:MessageID>` and `</a:MessageID>` of a request body.
fn message_id(body: &str) -> String {
    body.split("<a:MessageID>")
        .nth(1)
        .and_then(|r| r.split("</a:MessageID>").next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_message_id_is_an_upper_case_urn_uuid_and_an_exact_echo_passes() {
    let r = run(None, "wstrust-login::");
    let c = case(&r, "wstrust-login::nonce-echoed");
    assert_eq!(c["outcome"], "pass", "{}", c["message"]);
    let body = c["transcript"]["request_body"].as_str().unwrap_or_default();
    let id = message_id(body);
    let uuid = id
        .strip_prefix("urn:uuid:")
        .unwrap_or_else(|| panic!("{id}"));
    assert_eq!(uuid.len(), 36, "{id}");
    assert!(
        uuid.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('A'..='F').contains(&c)),
        "upper-case hexadecimal: {id}"
    );
    assert!(
        c["message"].as_str().unwrap_or_default().contains(&id),
        "the exact echo is quoted: {}",
        c["message"]
    );
    // The headers of the POST, in macOS's order.
    let names: Vec<String> = c["transcript"]["request_headers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| h[0].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "SOAPAction",
            "Accept",
            "Accept-Language",
            "Accept-Encoding",
            "User-Agent"
        ]
    );
    // macOS's exact request (every quirk at once) is sent and judged.
    let m = case(&r, "wstrust-login::macos-exact-request");
    assert_eq!(m["outcome"], "pass", "{}", m["message"]);
    let b = m["transcript"]["request_body"].as_str().unwrap_or_default();
    assert!(!b.contains("u:Timestamp") && !b.contains("Type=\""), "{b}");
}

#[test]
fn an_sts_echoing_the_message_id_lower_cased_fails_wst_2() {
    let r = run(
        Some("sts-relatesto-lowercase"),
        "wstrust-login::nonce-echoed",
    );
    let c = case(&r, "wstrust-login::nonce-echoed");
    assert_eq!(c["outcome"], "fail");
    let body = c["transcript"]["request_body"].as_str().unwrap_or_default();
    let id = message_id(body);
    let message = c["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("expected a:RelatesTo = \"{id}\"")),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "got a:RelatesTo = \"{}\": the MessageID with its case changed",
            id.to_lowercase()
        )),
        "{message}"
    );
}

/// `[wsfed] audience` (a client configured with a fixed audience): WSF-7 expects it instead of
/// the wtrealm sent.
#[test]
fn a_fixed_audience_is_what_wsf_7_expects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = common::serve(dir.path(), None);
    let text = std::fs::read_to_string(&served.target).expect("target");
    let run = |audience: &str| {
        let target = dir.path().join("audience.toml");
        std::fs::write(
            &target,
            text.replace(
                "[wsfed]\n",
                &format!("[wsfed]\naudience = \"{audience}\"\n"),
            ),
        )
        .expect("write");
        let report = dir.path().join("a.json");
        common::run(&[
            "run",
            "--no-golden",
            "--target",
            target.to_str().unwrap_or_default(),
            "--report-json",
            report.to_str().unwrap_or_default(),
            "--report-junit",
            dir.path().join("a.xml").to_str().unwrap_or_default(),
            "wsfed::signin-token-audience",
        ]);
        let r = common::report(&report);
        let c = case(&r, "wsfed::signin-token-audience");
        (
            c["outcome"].as_str().unwrap_or_default().to_string(),
            c["message"].as_str().unwrap_or_default().to_string(),
        )
    };
    // The reference IdP issues its tokens for the wtrealm sent, its client alias.
    let (outcome, message) = run("https://rp.contoso.example/");
    assert_eq!(outcome, "pass", "{message}");
    let (outcome, message) = run("urn:fedconform-fixed-audience");
    assert_eq!(outcome, "fail");
    assert!(
        message.contains("expected audience \"urn:fedconform-fixed-audience\""),
        "{message}"
    );
}
