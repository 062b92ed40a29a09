//! Benchmarks of the hot paths (rule 5): MEX analysis against a bare roxmltree parse of the same
//! bytes on every real fixture, preauthentication analysis, and a whole default run of the
//! release binary against the embedded reference IdP. Ratios are printed after the timings.

use criterion::{Criterion, criterion_group, criterion_main};
use fedconform::flow::wstrust::{self, Rst, Variation};
use fedconform::flow::{WsTrustVersion, keypath::KeyPath, mex, preauth, predicate::Predicate};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mex");
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains("not-well-formed"))
        .filter_map(|p| {
            Some((
                p.file_name()?.to_string_lossy().into_owned(),
                std::fs::read(&p).ok()?,
            ))
        })
        .collect();
    v.sort();
    v
}

/// Median of `n` timed runs of `f`, in nanoseconds.
fn median_ns(n: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_nanos() as f64
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    t[n / 2]
}

fn mex_analysis(c: &mut Criterion) {
    let mut g = c.benchmark_group("mex");
    g.measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let mut ratios = Vec::new();
    for (name, bytes) in fixtures() {
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .into_owned();
        g.bench_function(format!("bare-parse/{name}"), |b| {
            b.iter(|| {
                roxmltree::Document::parse(black_box(&text)).map(|d| d.root().children().count())
            })
        });
        g.bench_function(format!("analyse/{name}"), |b| {
            b.iter(|| mex::analyse(black_box(&bytes)))
        });
        let bare = median_ns(301, || {
            let _ = black_box(
                roxmltree::Document::parse(black_box(&text)).map(|d| d.root().children().count()),
            );
        });
        let full = median_ns(301, || {
            black_box(mex::analyse(black_box(&bytes)));
        });
        ratios.push(format!(
            "  {name:<40} {:>5} KB  bare {:>7.1} µs  analyse {:>7.1} µs  ratio {:.2}×",
            bytes.len() / 1024,
            bare / 1e3,
            full / 1e3,
            full / bare
        ));
    }
    g.finish();
    println!(
        "\nMEX analysis vs bare parse (medians of 301 runs):\n{}",
        ratios.join("\n")
    );
}

fn preauth_analysis(c: &mut Criterion) {
    let body = br#"{"ver":"1.0","account_type":"Federated","domain_name":"contoso.example","federation_protocol":"WSTrust","federation_metadata_url":"https://sts.contoso.example/adfs/services/trust/mex","federation_active_auth_url":"https://sts.contoso.example/adfs/services/trust/2005/usernamemixed","cloud_instance_name":"microsoftonline.com","cloud_audience_urn":"urn:federation:MicrosoftOnline"}"#;
    let p =
        Predicate::parse(r#"account_type ==[c] "federated" AND federation_protocol == "WSTrust""#)
            .ok();
    let k = KeyPath::parse("federation_metadata_url").ok();
    c.bench_function("preauth/analyse", |b| {
        b.iter(|| preauth::analyse(black_box(body), p.as_ref(), k.as_ref()))
    });
}

/// Redaction of a transcript body (every exchange and golden passes through it) against one
/// `str::contains` pass over the same text for one secret: the floor any masking must pay.
fn redaction(c: &mut Criterion) {
    let r = fedconform::redact::Redactor::new();
    for secret in [
        "Pa55&<wörd>\"+%/=",
        "fedconform-3f9c2a71d0e84b6aa1c4b2f7e5d9",
        "o'brien&<jürgen>",
    ] {
        r.add_secret(secret);
    }
    let mut g = c.benchmark_group("redact");
    for (name, bytes) in fixtures().into_iter().take(3) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let floor = median_ns(301, || {
            black_box(black_box(&text).contains("Pa55&<wörd>"));
        });
        let masked = median_ns(301, || {
            black_box(r.redact(black_box(&text)));
        });
        println!(
            "redact/{name}: {} KB, contains {:.1} µs, redact (3 secrets, every encoding) {:.1} µs: {:.1}×",
            bytes.len() / 1024,
            floor / 1000.0,
            masked / 1000.0,
            masked / floor
        );
        g.bench_function(format!("redact/{name}"), |b| {
            b.iter(|| r.redact(black_box(&text)))
        });
    }
    g.finish();
}

fn whole_run(c: &mut Criterion) {
    let bin = env!("CARGO_BIN_EXE_fedconform");
    let run = || {
        std::process::Command::new(bin)
            .args(["run", "--no-reports", "-q"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    let mut g = c.benchmark_group("whole-run");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("default-suites-embedded-idp", |b| b.iter(|| assert!(run())));
    g.finish();
}

fn wstrust(c: &mut Criterion) {
    let mut g = c.benchmark_group("wstrust");
    g.measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let now = chrono::Utc::now();
    let build = || {
        Rst {
            version: WsTrustVersion::V13,
            to: "https://sts.contoso.example/adfs/services/trust/13/usernamemixed",
            username: "alice@contoso.example",
            password: "p<&>'\"w",
            applies_to: "urn:federation:MicrosoftOnline",
            message_id: uuid::Uuid::new_v4(),
            token_id: uuid::Uuid::new_v4(),
            variation: Variation::MACOS,
            now,
        }
        .to_xml()
    };
    g.bench_function("rst-build", |b| b.iter(|| black_box(build())));
    let rst = median_ns(1001, || {
        black_box(build());
    });
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rstr");
    let mut lines = vec![format!(
        "  RST build (1.3, macOS variation): {:.2} µs",
        rst / 1e3
    )];
    for name in [
        "adfs-13-rstrc-2013.xml",
        "adfs-2005-rstr-relatesto-2017.xml",
        "adfs-fault-failedauthentication-2022.xml",
    ] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            continue;
        };
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .into_owned();
        g.bench_function(format!("rstr-analyse/{name}"), |b| {
            b.iter(|| wstrust::analyse(black_box(&bytes)))
        });
        let bare = median_ns(1001, || {
            let _ = black_box(
                roxmltree::Document::parse(black_box(&text)).map(|d| d.root().children().count()),
            );
        });
        let full = median_ns(1001, || {
            black_box(wstrust::analyse(black_box(&bytes)));
        });
        lines.push(format!(
            "  RSTR {name:<42} {:>5} B  bare {:>6.1} µs  analyse {:>6.1} µs  ratio {:.2}×",
            bytes.len(),
            bare / 1e3,
            full / 1e3,
            full / bare
        ));
    }
    g.finish();
    println!("\nWS-Trust (medians of 1001 runs):\n{}", lines.join("\n"));
}

/// The reference IdP's WS-Fed metadata and sign-in answer, fetched the way the harness does.
fn wsfed_documents() -> Option<(Vec<u8>, Vec<u8>)> {
    use fedconform::steps::{StepOutput, Steps};
    use fedconform::suite::StepKind;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    rt.block_on(async {
        let idp = fedconform::idp::RunningIdp::start(Default::default())
            .await
            .ok()?;
        let target = idp.target();
        let http = fedconform::http::HttpClient::for_target(&target).ok()?;
        let steps = Steps::new(std::sync::Arc::new(target), http);
        let meta = steps.get(StepKind::WsfedMetadata).await;
        let signin = steps.get(StepKind::WsfedSignin).await;
        match (&*meta, &*signin) {
            (StepOutput::WsfedMetadata(m), StepOutput::Wsfed(w)) => {
                Some((m.exchange.body.clone(), w.last()?.body.clone()))
            }
            _ => None,
        }
    })
}

fn wsfed(c: &mut Criterion) {
    use fedconform::flow::wsfed;
    let Some((metadata, answer)) = wsfed_documents() else {
        eprintln!("wsfed: the reference IdP gave no documents");
        return;
    };
    let mut g = c.benchmark_group("wsfed");
    g.measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let m = wsfed::analyse_metadata(&metadata);
    let certs = m.certificate_ders();
    let metadata_text = String::from_utf8_lossy(&metadata).into_owned();
    let answer_text = String::from_utf8_lossy(&answer).into_owned();
    g.bench_function("metadata-analyse", |b| {
        b.iter(|| wsfed::analyse_metadata(black_box(&metadata)))
    });
    g.bench_function("answer-analyse", |b| {
        b.iter(|| wsfed::analyse_answer(black_box(&answer), &certs))
    });
    g.finish();
    let bare_md = median_ns(301, || {
        let _ = black_box(
            roxmltree::Document::parse(black_box(&metadata_text))
                .map(|d| d.root().children().count()),
        );
    });
    let full_md = median_ns(301, || {
        black_box(wsfed::analyse_metadata(black_box(&metadata)));
    });
    let forms = median_ns(301, || {
        black_box(wsfed::forms(black_box(&answer_text)));
    });
    let full_answer = median_ns(301, || {
        black_box(wsfed::analyse_answer(black_box(&answer), &certs));
    });
    println!(
        "\nWS-Federation (medians of 301 runs):\n  metadata {} B: bare parse {:.1} µs, analysis with RSA signature verification {:.1} µs ({:.1}×)\n  sign-in answer {} B: HTML forms {:.1} µs, whole analysis (forms, wresult, assertion, RSA signature) {:.1} µs",
        metadata.len(),
        bare_md / 1e3,
        full_md / 1e3,
        full_md / bare_md,
        answer.len(),
        forms / 1e3,
        full_answer / 1e3
    );
}

/// Every built-in case against `n` reference IdP tenants at once (each its own host:port, so each
/// its own per-host concurrency bound), on one runtime: wall time, cases, and cases passed.
fn scale_run(n: usize) -> Option<(Duration, usize, usize)> {
    use fedconform::steps::Steps;
    let suites = fedconform::embedded::suites().ok()?;
    let cases: Vec<_> = suites.iter().flat_map(|s| s.cases.clone()).collect();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .ok()?;
    rt.block_on(async {
        let mut idps = Vec::new();
        for _ in 0..n {
            idps.push(
                fedconform::idp::RunningIdp::start(Default::default())
                    .await
                    .ok()?,
            );
        }
        let start = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for idp in &idps {
            let target = std::sync::Arc::new(idp.target());
            let http = fedconform::http::HttpClient::for_target(&target).ok()?;
            let steps = std::sync::Arc::new(Steps::new(target, http));
            for case in cases.clone() {
                let steps = steps.clone();
                set.spawn(async move {
                    let main = steps.get(case.step).await;
                    let other = match case.other_step() {
                        Some(k) => Some(steps.get(k).await),
                        None => None,
                    };
                    let ctx = fedconform::check::JudgeContext {
                        strict: false,
                        now: chrono::Utc::now(),
                    };
                    fedconform::check::judge(&case, &main, other.as_deref(), &ctx).outcome
                });
            }
        }
        let mut passed = 0;
        while let Some(r) = set.join_next().await {
            if r.ok() == Some(fedconform::check::Outcome::Pass) {
                passed += 1;
            }
        }
        Some((start.elapsed(), n * cases.len(), passed))
    })
}

/// Prints time per case for 1, 10 and 100 targets at once.
fn scale(_c: &mut Criterion) {
    let mut lines = Vec::new();
    for n in [1, 10, 100] {
        // The median of three runs (one for 100 tenants, which takes seconds).
        let runs = if n == 100 { 1 } else { 3 };
        let mut walls: Vec<(Duration, usize, usize)> =
            (0..runs).filter_map(|_| scale_run(n)).collect();
        walls.sort_by_key(|w| w.0);
        match walls.get(walls.len() / 2).copied() {
            Some((wall, cases, passed)) => lines.push(format!(
                "  {n:>3} targets: {cases:>5} cases ({passed} pass) in {:>8.1} ms: {:.3} ms per case",
                wall.as_secs_f64() * 1e3,
                wall.as_secs_f64() * 1e3 / cases as f64
            )),
            None => lines.push(format!("  {n:>3} targets: the run could not start")),
        }
    }
    println!(
        "\nScale: every built-in case against N reference IdP tenants at once (the IdPs started beforehand):\n{}",
        lines.join("\n")
    );
}

criterion_group!(
    benches,
    mex_analysis,
    preauth_analysis,
    wstrust,
    wsfed,
    redaction,
    whole_run,
    scale
);
criterion_main!(benches);
