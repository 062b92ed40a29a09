//! `fedconform inspect mex` on real MEX documents (tests/fixtures/mex, provenance in
//! tests/fixtures/PROVENANCE.md) gives the selection that PROVENANCE.md documents.

mod common;

fn inspect(name: &str) -> (i32, serde_json::Value) {
    let path = common::root().join("tests/fixtures/mex").join(name);
    let out = common::run(&[
        "inspect",
        "mex",
        path.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn finding<'a>(v: &'a serde_json::Value, req: &str) -> &'a serde_json::Value {
    v["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|x| x["requirement"] == req))
        .unwrap_or(&serde_json::Value::Null)
}

fn assert_selects(name: &str, version: &str, address: &str) {
    let (code, v) = inspect(name);
    assert_eq!(v["selected"]["version"], version, "{name}");
    assert_eq!(v["selected"]["address"], address, "{name}");
    assert_eq!(finding(&v, "MEX-3")["outcome"], "pass", "{name}");
    assert_eq!(code, 0, "{name}");
}

#[test]
fn adfs_documents_select_wstrust_13_usernamemixed() {
    assert_selects(
        "corp-sts-microsoft.mex.xml",
        "1.3",
        "https://corp.sts.microsoft.com/adfs/services/trust/13/usernamemixed",
    );
    assert_selects(
        "fs-arupela.mex.xml",
        "1.3",
        "https://fs.arupela.com/adfs/services/trust/13/usernamemixed",
    );
    assert_selects(
        "archan-us.mex.xml",
        "1.3",
        "https://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed",
    );
    assert_selects(
        "msft-sts.mex.xml",
        "1.3",
        "https://msft.sts.microsoft.com/adfs/services/trust/13/usernamemixed",
    );
    assert_selects(
        "msft-sts-integrated.mex.xml",
        "1.3",
        "https://msft.sts.microsoft.com/adfs/services/trust/13/usernamemixed",
    );
}

#[test]
fn http_13_falls_back_to_2005_and_is_reported() {
    let (_, v) = inspect("archan-us-http-13.mex.xml");
    assert_eq!(v["selected"]["version"], "2005");
    assert_eq!(
        v["selected"]["address"],
        "https://arvmserver2012.archan.us/adfs/services/trust/2005/usernamemixed"
    );
    assert_eq!(finding(&v, "MEX-6")["outcome"], "warn");
    assert!(
        finding(&v, "MEX-6")["message"]
            .as_str()
            .unwrap_or_default()
            .contains("http://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed")
    );
    assert_eq!(finding(&v, "MEX-4")["outcome"], "warn");
    let skipped: Vec<&serde_json::Value> = v["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["version"] == "1.3" && e["http_only_problem"] == true)
        .collect();
    assert!(
        !skipped.is_empty(),
        "the http 1.3 endpoint is in the inventory with its reason"
    );
}

#[test]
fn whitespace_addresses_are_selected_but_reported() {
    for (name, version) in [
        ("msft-sts-address-whitespace.mex.xml", "1.3"),
        ("msft-sts-2005-only.mex.xml", "2005"),
    ] {
        let (code, v) = inspect(name);
        assert_eq!(v["selected"]["version"], version, "{name}");
        let addr = v["selected"]["address"].as_str().unwrap_or_default();
        assert!(
            addr.starts_with("https://msft.sts.microsoft.com/") && addr != addr.trim(),
            "{name}: {addr:?}"
        );
        assert_eq!(finding(&v, "MEX-8")["outcome"], "fail", "{name}");
        assert!(
            finding(&v, "MEX-8")["message"]
                .as_str()
                .unwrap_or_default()
                .contains("whitespace"),
            "{name}"
        );
        assert_eq!(code, 1, "{name}");
    }
}

#[test]
fn not_well_formed_gives_line_and_column() {
    let (code, v) = inspect("archan-us-not-well-formed.mex.xml");
    assert!(v["selected"].is_null());
    assert_eq!(v["parse_error"]["line"], 912);
    assert_eq!(v["parse_error"]["column"], 13);
    let m = finding(&v, "MEX-2");
    assert_eq!(m["outcome"], "fail");
    assert!(
        m["message"]
            .as_str()
            .unwrap_or_default()
            .contains("line 912, column 13")
    );
    assert_eq!(code, 1);
}

#[test]
fn text_output_names_the_choice() {
    let path = common::root().join("tests/fixtures/mex/fs-arupela.mex.xml");
    let out = common::run(&["inspect", "mex", path.to_str().unwrap_or_default()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("macOS uses: WS-Trust 1.3 at \"https://fs.arupela.com/adfs/services/trust/13/usernamemixed\""), "{text}");
}
