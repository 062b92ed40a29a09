//! `fedconform inspect rstr` on real WS-Trust responses (tests/fixtures/rstr, provenance in
//! tests/fixtures/PROVENANCE.md): the verdicts those captures deserve.

mod common;

use std::collections::BTreeMap;

fn inspect(name: &str, extra: &[&str]) -> (i32, serde_json::Value, BTreeMap<String, String>) {
    let path = common::root().join("tests/fixtures/rstr").join(name);
    let mut args = vec![
        "inspect",
        "rstr",
        path.to_str().unwrap_or_default(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = common::run(&args);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut outcomes = BTreeMap::new();
    for f in v["findings"].as_array().into_iter().flatten() {
        let key = f["requirement"].as_str().unwrap_or_default().to_string();
        let o = f["outcome"].as_str().unwrap_or_default().to_string();
        // A requirement with two cases keeps its worst outcome.
        let worse = |a: &str| {
            ["pass", "skipped", "warn", "error", "fail"]
                .iter()
                .position(|x| *x == a)
                .unwrap_or(0)
        };
        let keep = outcomes
            .get(&key)
            .is_none_or(|prev: &String| worse(&o) > worse(prev));
        if keep {
            outcomes.insert(key, o);
        }
    }
    (out.status.code().unwrap_or(-1), v, outcomes)
}

fn not_passing(o: &BTreeMap<String, String>) -> Vec<String> {
    o.iter()
        .filter(|(_, v)| *v != "pass")
        .map(|(k, v)| format!("{k}:{v}"))
        .collect()
}

#[test]
fn a_fresh_13_answer_with_its_nonce_passes_everything() {
    let (code, v, o) = inspect(
        "adfs-13-rstrc-relatesto.xml",
        &[
            "--nonce",
            "urn:uuid:6e8ce948-eb66-4720-916b-0695697e6e45",
            "--now",
            "2017-10-11T00:21:00Z",
        ],
    );
    assert_eq!(not_passing(&o), Vec::<String>::new());
    assert_eq!(code, 0);
    assert_eq!(v["version"], "1.3");
    assert_eq!(
        v["analysis"]["grant_type"],
        "urn:ietf:params:oauth:grant-type:saml1_1-bearer"
    );
    assert_eq!(v["analysis"]["assertion"]["kind"], "saml");
}

#[test]
fn another_nonce_fails_wst_2() {
    let (code, _, o) = inspect(
        "adfs-13-rstrc-relatesto.xml",
        &[
            "--nonce",
            "urn:uuid:00000000-0000-0000-0000-000000000001",
            "--now",
            "2017-10-11T00:21:00Z",
        ],
    );
    assert_eq!(not_passing(&o), vec!["WST-2:fail".to_string()]);
    assert_eq!(code, 1);
}

#[test]
fn unpinned_clock_fails_freshness_on_old_captures() {
    for name in [
        "adfs-13-rstrc-relatesto.xml",
        "adfs-2005-rstr-relatesto-2017.xml",
    ] {
        let (_, _, o) = inspect(
            name,
            &["--nonce", "urn:uuid:6e8ce948-eb66-4720-916b-0695697e6e45"],
        );
        assert_eq!(o.get("WST-3").map(String::as_str), Some("fail"), "{name}");
        assert_eq!(
            o.get("WST-7").map(String::as_str),
            Some("warn"),
            "{name}: the assertion expired too"
        );
    }
}

#[test]
fn captures_without_relatesto_fail_the_nonce_check() {
    let cases = [
        (
            "adfs-13-rstrc-2014.xml",
            "2014-01-27T08:16:00Z",
            vec!["--version", "1.3"],
        ),
        (
            "adfs-2005-rstr-2015.xml",
            "2015-07-31T05:46:00Z",
            vec!["--version", "2005"],
        ),
        (
            "adfs-13-rstrc-2013.xml",
            "2013-11-15T03:09:00Z",
            vec![
                "--applies-to",
                "https://login.microsoftonline.com/extSTS.srf",
            ],
        ),
    ];
    for (name, now, extra) in cases {
        let mut args = vec!["--now", now];
        args.extend(extra);
        let (code, _, o) = inspect(name, &args);
        assert_eq!(not_passing(&o), vec!["WST-2:fail".to_string()], "{name}");
        assert_eq!(code, 1, "{name}");
    }
}

#[test]
fn a_2005_answer_read_as_13_has_the_wrong_shape() {
    let args = [
        "--nonce",
        "urn:uuid:6e8ce948-eb66-4720-916b-0695697e6e45",
        "--now",
        "2017-10-11T00:21:00Z",
    ];
    let (_, v, o) = inspect(
        "adfs-2005-rstr-relatesto-2017.xml",
        &[&args[..], &["--version", "2005"]].concat(),
    );
    assert_eq!(not_passing(&o), Vec::<String>::new());
    assert_eq!(v["analysis"]["shape"], "bare2005");
    let (_, _, o) = inspect(
        "adfs-2005-rstr-relatesto-2017.xml",
        &[&args[..], &["--version", "1.3"]].concat(),
    );
    assert_eq!(not_passing(&o), vec!["WST-4:fail".to_string()]);
}

#[test]
fn faults_are_classified() {
    let (code, v, o) = inspect(
        "adfs-fault-failedauthentication-2022.xml",
        &["--nonce", "urn:uuid:a4444a44-aaaa-4444-4444-aaaaaaaaaa"],
    );
    assert_eq!(v["kind"], "fault");
    assert_eq!(v["analysis"]["fault"]["subcode"], "a:FailedAuthentication");
    assert_eq!(
        o.get("WST-8").map(String::as_str),
        Some("pass"),
        "a credential error macOS can report"
    );
    assert_eq!(not_passing(&o), Vec::<String>::new());
    assert_eq!(code, 0);
    let (code, v, o) = inspect("adfs-fault-requestfailed-2013.xml", &[]);
    assert_eq!(v["analysis"]["fault"]["subcode"], "a:RequestFailed");
    assert_eq!(
        o.get("WST-8").map(String::as_str),
        Some("fail"),
        "a generic failure, not a credential error"
    );
    assert_eq!(
        o.get("WST-2").map(String::as_str),
        Some("fail"),
        "no RelatesTo"
    );
    assert_eq!(code, 1);
}

#[test]
fn the_bom_and_declaration_are_read() {
    let (_, v, _) = inspect("adfs-2005-rstr-2015.xml", &[]);
    assert!(v["analysis"]["parse_error"].is_null());
    assert_eq!(
        v["analysis"]["token_type"],
        "urn:oasis:names:tc:SAML:1.0:assertion"
    );
}

#[test]
fn a_collection_of_two_responses_warns_on_the_shape() {
    // Which response macOS reads when a collection holds several is unknown (SPEC.md WST-4):
    // the first is judged, and the shape warns, saying so.
    let text = std::fs::read_to_string(
        common::root().join("tests/fixtures/rstr/adfs-13-rstrc-relatesto.xml"),
    )
    .expect("fixture");
    let start = text
        .find("<t:RequestSecurityTokenResponse ")
        .expect("an RSTR");
    let end = text
        .find("</t:RequestSecurityTokenResponse>")
        .expect("its end")
        + "</t:RequestSecurityTokenResponse>".len();
    let doubled = format!("{}{}{}", &text[..end], &text[start..end], &text[end..]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("two.xml");
    std::fs::write(&path, doubled).expect("write");
    let (code, v, o) = inspect(
        path.to_str().unwrap_or_default(),
        &[
            "--nonce",
            "urn:uuid:6e8ce948-eb66-4720-916b-0695697e6e45",
            "--now",
            "2017-10-11T00:21:00Z",
        ],
    );
    assert_eq!(not_passing(&o), vec!["WST-4:warn".to_string()], "{v}");
    assert_eq!(code, 0);
    assert_eq!(v["analysis"]["rstr_count"], 2);
    let shape = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["requirement"] == "WST-4")
        .cloned()
        .unwrap_or_default();
    assert!(
        shape
            .to_string()
            .contains("2 RequestSecurityTokenResponse elements; the first is judged"),
        "{shape}"
    );
}
