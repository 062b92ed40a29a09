//! Golden snapshots (DESIGN.md "Golden"): each case's observation, normalised (JSON with sorted
//! keys, XML pretty-printed with attributes in a stable order) and redacted (secrets, ports,
//! UUIDs, instants, IDs, signature and digest values, certificates), compared with
//! `golden/<target>/<suite>/<case>.snap` in insta's `.snap` format. A mismatch gives a unified
//! diff (similar); the candidate goes to `<case>.snap.new`, or, when `CI` is set, only to the
//! pending folder a flag names. Goldens are written atomically, and only once the run has
//! finished: an interrupted run (Ctrl-C) writes none, so a half run never becomes a baseline.

use crate::http::Exchange;
use crate::redact::Redactor;
use crate::steps::StepOutput;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A golden file change kept until the run finishes: the path, and its new text (None: remove
/// a stale candidate).
type Deferred = (PathBuf, Option<String>);

/// Where goldens live and what may be written.
#[derive(Debug, Clone)]
pub struct GoldenStore {
    /// The golden folder (`golden/`).
    pub dir: PathBuf,
    /// True when `CI` is set: nothing is written into `dir`.
    pub ci: bool,
    /// Where candidates go in CI (None: nowhere).
    pub pending: Option<PathBuf>,
    /// The snapshots and candidates the run's cases would write (path, text; None: remove a
    /// stale candidate): done by [`GoldenStore::commit`] when the run finishes, dropped when it
    /// was interrupted.
    writes: Arc<Mutex<Vec<Deferred>>>,
}

/// How a case's observation compares with its golden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoldenStatus {
    /// Identical.
    Match,
    /// Different: a regression in the IdP's answers (or an intended change to accept).
    Mismatch,
    /// No golden yet: written as the first snapshot (outside CI), to review and commit. Not a
    /// failure.
    New,
}

/// The golden axis of one case.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct GoldenResult {
    /// Match, mismatch or new.
    pub status: GoldenStatus,
    /// The `.snap` path.
    pub path: String,
    /// Where the candidate was written, if anywhere.
    pub candidate: Option<String>,
    /// Unified diff, golden → actual (mismatch only).
    pub diff: Option<String>,
}

/// True when the environment says this is CI (insta's rule: `CI` set and not `false`/`0`).
pub fn ci_from_env() -> bool {
    std::env::var("CI")
        .map(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
        .unwrap_or(false)
}

impl GoldenStore {
    /// A store over `dir`; `ci`: write nothing into it; `pending`: where candidates go in CI.
    pub fn new(dir: PathBuf, ci: bool, pending: Option<PathBuf>) -> GoldenStore {
        GoldenStore {
            dir,
            ci,
            pending,
            writes: Arc::default(),
        }
    }

    /// Writes the snapshots and candidates the run's cases asked for, each atomically. Returns
    /// the ones that could not be written: (path, error).
    pub fn commit(&self) -> Vec<(String, String)> {
        let writes = match self.writes.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(p) => std::mem::take(&mut *p.into_inner()),
        };
        writes
            .into_iter()
            .filter_map(|(dest, text)| match text {
                Some(text) => crate::fsx::write_atomic(&dest, text.as_bytes())
                    .err()
                    .map(|e| (dest.display().to_string(), e.to_string())),
                None => {
                    let _ = std::fs::remove_file(&dest);
                    None
                }
            })
            .collect()
    }

    fn defer(&self, dest: PathBuf, text: Option<String>) {
        match self.writes.lock() {
            Ok(mut w) => w.push((dest, text)),
            Err(p) => p.into_inner().push((dest, text)),
        }
    }

    /// Drops the writes the run's cases asked for (the run was interrupted); returns how many.
    pub fn discard(&self) -> usize {
        match self.writes.lock() {
            Ok(mut w) => std::mem::take(&mut *w).len(),
            Err(p) => std::mem::take(&mut *p.into_inner()).len(),
        }
    }

    /// The `.snap` path of a case.
    pub fn path(&self, target: &str, suite: &str, case: &str) -> PathBuf {
        self.dir
            .join(target)
            .join(suite)
            .join(format!("{case}.snap"))
    }

    /// Compares a case's normalised observation with its golden; the snapshot or candidate to
    /// write, where allowed, is kept for [`GoldenStore::commit`] (the result names it).
    pub fn check(
        &self,
        target: &str,
        suite: &str,
        case: &str,
        requirements: &[String],
        body: &str,
    ) -> GoldenResult {
        let path = self.path(target, suite, case);
        let existing = std::fs::read_to_string(&path)
            .ok()
            .map(|t| snap_body(&t).to_string());
        let status = match &existing {
            None => GoldenStatus::New,
            Some(old) if old.trim_end() == body.trim_end() => GoldenStatus::Match,
            Some(_) => GoldenStatus::Mismatch,
        };
        let diff = match (&existing, status) {
            (Some(old), GoldenStatus::Mismatch) => Some(
                similar::TextDiff::from_lines(
                    &format!("{}\n", old.trim_end()),
                    &format!("{}\n", body.trim_end()),
                )
                .unified_diff()
                .context_radius(3)
                .header(&format!("golden {}", path.display()), "actual")
                .to_string(),
            ),
            _ => None,
        };
        let mut candidate = None;
        if status != GoldenStatus::Match {
            let text = snap_text(target, suite, case, requirements, body);
            // A first snapshot is written as the golden itself (insta's "unseen"), to be reviewed
            // and committed; a changed one becomes a candidate beside the golden. In CI nothing
            // is written into the golden folder: both go to the pending folder, if one is named.
            let dest = if self.ci {
                self.pending
                    .as_ref()
                    .map(|p| p.join(target).join(suite).join(format!("{case}.snap.new")))
            } else if status == GoldenStatus::New {
                Some(path.clone())
            } else {
                Some(path.with_extension("snap.new"))
            };
            if let Some(dest) = dest {
                candidate = Some(dest.display().to_string());
                self.defer(dest, Some(text));
            }
        } else if !self.ci {
            // A stale candidate from an earlier mismatch no longer applies.
            let stale = path.with_extension("snap.new");
            if stale.exists() {
                self.defer(stale, None);
            }
        }
        GoldenResult {
            status,
            path: path.display().to_string(),
            candidate,
            diff,
        }
    }

    /// `.snap` files under `golden/<target>/` that no planned case references.
    pub fn unreferenced(&self, target: &str, referenced: &[(String, String)]) -> Vec<String> {
        let mut out = Vec::new();
        let base = self.dir.join(target);
        for (file, rel) in snap_files(&base, ".snap") {
            let parts: Vec<&str> = rel.splitn(2, '/').collect();
            let known = parts.len() == 2
                && referenced
                    .iter()
                    .any(|(s, c)| s == parts[0] && format!("{c}.snap") == parts[1]);
            if !known {
                out.push(file.display().to_string());
            }
        }
        out
    }
}

/// Every file under `dir` ending with `suffix`, with its path relative to `dir` ('/'-separated).
pub fn snap_files(dir: &Path, suffix: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                let rel = p
                    .strip_prefix(dir)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                out.push((p, rel));
            }
        }
    }
    out.sort();
    out
}

/// The body of a `.snap` file: what follows the header's closing `---` line.
pub fn snap_body(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").unwrap_or(text);
    match rest.find("\n---\n") {
        Some(i) => &rest[i + 5..],
        None => rest,
    }
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A `.snap` file in insta's format: YAML header naming the case, requirements and target.
pub fn snap_text(
    target: &str,
    suite: &str,
    case: &str,
    requirements: &[String],
    body: &str,
) -> String {
    let mut reqs = String::new();
    for r in requirements {
        reqs.push_str(&format!("    - {}\n", yaml_str(r)));
    }
    format!(
        "---\nsource: fedconform\ndescription: {}\nexpression: observation\ninfo:\n  case: {}\n  target: {}\n  requirements:\n{reqs}snapshot_kind: text\n---\n{}\n",
        yaml_str(&format!(
            "{suite}::{case} [{}] against {target}",
            requirements.join(", ")
        )),
        yaml_str(&format!("{suite}::{case}")),
        yaml_str(target),
        body.trim_end()
    )
}

/// The normalised, redacted text of a step's observation: what a golden holds.
pub fn observation_text(out: &StepOutput, redactor: &Redactor) -> String {
    let mut s = String::new();
    match out {
        StepOutput::NotRun { skip } => s.push_str(&format!("not run: {skip}\n")),
        StepOutput::Unreachable { reason } => s.push_str(&format!("unreachable: {reason}\n")),
        StepOutput::Configuration(c) => {
            if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(&c.config) {
                for (k, v) in m {
                    s.push_str(&format!("{k}: {v}\n"));
                }
            }
        }
        StepOutput::Preauth(p) => {
            s.push_str(&format!("login: {}\n", p.login));
            exchange_text(&p.exchange, redactor, &mut s);
        }
        StepOutput::Mex(m) => {
            s.push_str(&format!("mex url from: {}\n", m.url_source));
            exchange_text(&m.exchange, redactor, &mut s);
        }
        StepOutput::Login(l) => {
            s.push_str(&format!(
                "login: {} at WS-Trust {} {}\n",
                l.login, l.version, l.address
            ));
            s.push_str(&format!(
                "variation: {}\n",
                serde_json::to_string(&l.variation).unwrap_or_default()
            ));
            if let Some(body) = &l.exchange.request_body {
                request_body_text(body, redactor, &mut s);
            }
            exchange_text(&l.exchange, redactor, &mut s);
        }
        StepOutput::WsfedMetadata(m) => exchange_text(&m.exchange, redactor, &mut s),
        StepOutput::Wsfed(w) => {
            s.push_str(&format!(
                "client in path: {}\nparams: {}\n",
                w.client_in_path,
                serde_json::to_string(&w.params).unwrap_or_default()
            ));
            for ex in &w.exchanges {
                if let Some(body) = &ex.request_body {
                    request_body_text(body, redactor, &mut s);
                }
                exchange_text(ex, redactor, &mut s);
            }
            if let Some(l) = &w.off_origin_redirect {
                s.push_str(&format!("not followed: {l}\n"));
            }
            if let Some(why) = &w.stopped {
                s.push_str(&format!("stopped: {why}\n"));
            }
        }
    }
    collapse_runs(&redact_volatile(&redactor.redact(&s)))
}

/// The longest run of one character a golden shows as it is; a longer one (the 8 KiB `wctx` of
/// WSF-16) is shown as its first characters and its length.
const MAX_RUN: usize = 64;

/// Shortens every run of more than [`MAX_RUN`] identical characters to `xxxxxxxx[… 8192 × "x"]`.
pub fn collapse_runs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let mut n = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            n += 1;
        }
        if n > MAX_RUN {
            out.extend(std::iter::repeat_n(c, 8));
            out.push_str(&format!(
                "[… {n} × {}]",
                crate::flow::quoted(&c.to_string())
            ));
        } else {
            out.extend(std::iter::repeat_n(c, n));
        }
    }
    out
}

/// A request body byte for byte, as sent (secrets redacted in every encoding, then the volatile
/// values: instants, UUIDs, ports).
fn request_body_text(body: &[u8], r: &Redactor, s: &mut String) {
    s.push_str("request body (exact bytes):\n");
    s.push_str(&r.redact(&String::from_utf8_lossy(body)));
    s.push('\n');
}

fn exchange_text(ex: &Exchange, r: &Redactor, s: &mut String) {
    s.push_str(&format!("request: {} {}\n", ex.method, ex.url));
    for (k, v) in &ex.request_headers {
        let v = if crate::http::is_sensitive_header(k) {
            crate::redact::MASK
        } else {
            v.as_str()
        };
        s.push_str(&format!(
            "request header: {}: {v}\n",
            k.to_ascii_lowercase()
        ));
    }
    for h in &ex.hops {
        s.push_str(&format!(
            "redirect: {} {} -> {}\n",
            h.status, h.url, h.location
        ));
    }
    match ex.status {
        Some(code) => s.push_str(&format!("status: {code}\n")),
        None => s.push_str("status: none\n"),
    }
    if let Some(ct) = ex.header("content-type") {
        s.push_str(&format!("content-type: {ct}\n"));
    }
    match &ex.failure {
        // How late varies from run to run; that it was late does not.
        Some(crate::http::Failure::Late {
            client_timeout_seconds,
            ..
        }) => s.push_str(&format!(
            "failure: the answer ended after the client's {client_timeout_seconds} s timeout\n"
        )),
        Some(f) => s.push_str(&format!("failure: {}\n", f.describe())),
        None => {}
    }
    if !ex.body.is_empty() {
        s.push_str("body:\n");
        let html = ex
            .media_type()
            .is_some_and(|m| m == "text/html" || m == "application/xhtml+xml");
        if html {
            s.push_str(&html_text(&ex.body, r));
        } else {
            s.push_str(&normalise_body(&ex.body, r));
        }
        s.push('\n');
    }
}

/// An HTML page as its forms (each value decoded, XML values such as `wresult` normalised), or
/// its text when it has none.
fn html_text(body: &[u8], r: &Redactor) -> String {
    let text = String::from_utf8_lossy(body);
    let forms = crate::flow::wsfed::forms(&text);
    if forms.is_empty() {
        return r.redact(&text);
    }
    let mut out = String::new();
    for f in forms {
        out.push_str(&format!(
            "form {} {}\n",
            f.method,
            r.redact(f.action.as_deref().unwrap_or("(no action)"))
        ));
        for field in f.fields {
            let value = if field.value.trim_start().starts_with('<') {
                let xml = normalise_body(field.value.as_bytes(), r);
                format!(
                    "\n{}",
                    xml.lines()
                        .map(|l| format!("    {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            } else {
                format!(" {:?}", r.redact(&field.value))
            };
            out.push_str(&format!("  {} {}:{value}\n", field.kind, field.name));
        }
    }
    out
}

/// JSON with sorted keys, pretty; XML pretty-printed canonically; anything else as text. Secrets
/// are redacted in the decoded values, before any re-escaping, so that no encoding of a secret
/// survives normalisation.
pub fn normalise_body(body: &[u8], redactor: &Redactor) -> String {
    if let Some(v) = crate::flow::text::json(body)
        .ok()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d.text).ok())
    {
        return serde_json::to_string_pretty(&redact_json(&v, redactor)).unwrap_or_default();
    }
    if let Ok(decoded) = crate::flow::xml::decode(body) {
        if let Ok(doc) = crate::flow::xml::parse(&decoded.text) {
            let mut out = String::new();
            write_xml(doc.root_element(), None, 0, redactor, &mut out);
            return out;
        }
        return redactor.redact(&decoded.text);
    }
    redactor.redact(&String::from_utf8_lossy(body))
}

fn redact_json(v: &serde_json::Value, r: &Redactor) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(r.redact(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| redact_json(x, r)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (r.redact(k), redact_json(x, r)))
                .collect(),
        ),
        other => other.clone(),
    }
}

const VOLATILE_TEXT: [(&str, &str); 5] = [
    ("SignatureValue", "[signature]"),
    ("DigestValue", "[digest]"),
    ("X509Certificate", "[certificate]"),
    ("CipherValue", "[cipher]"),
    ("Nonce", "[nonce]"),
];
const VOLATILE_ATTRS: [&str; 3] = ["ID", "AssertionID", "ResponseID"];

fn escape_text(t: &str) -> String {
    let mut o = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("&#10;"),
            '\r' => o.push_str("&#13;"),
            '\t' => o.push_str("&#9;"),
            c => o.push(c),
        }
    }
    o
}

fn qname(node: roxmltree::Node, ns: Option<&str>, local: &str) -> String {
    match ns.and_then(|n| node.lookup_prefix(n)) {
        Some(p) if !p.is_empty() => format!("{p}:{local}"),
        _ => local.to_string(),
    }
}

/// Deeper elements are not written out (a hostile document may nest a million deep; this
/// writer recurses).
const MAX_WRITE_DEPTH: usize = 64;

fn write_xml(
    node: roxmltree::Node,
    parent: Option<roxmltree::Node>,
    depth: usize,
    r: &Redactor,
    out: &mut String,
) {
    let pad = "  ".repeat(depth);
    if depth >= MAX_WRITE_DEPTH {
        let deeper = node.descendants().filter(|n| n.is_element()).count();
        out.push_str(&format!(
            "{pad}<!-- {deeper} element(s) nested deeper than {MAX_WRITE_DEPTH} levels, not shown -->\n"
        ));
        return;
    }
    let name = qname(node, node.tag_name().namespace(), node.tag_name().name());
    let mut attrs: Vec<(String, String)> = Vec::new();
    for ns in node.namespaces() {
        let inherited = parent.is_some_and(|p| {
            p.namespaces()
                .any(|q| q.name() == ns.name() && q.uri() == ns.uri())
        });
        if !inherited {
            let key = ns
                .name()
                .map(|n| format!("xmlns:{n}"))
                .unwrap_or_else(|| "xmlns".into());
            attrs.push((key, ns.uri().to_string()));
        }
    }
    for a in node.attributes() {
        let key = qname(node, a.namespace(), a.name());
        let value = if VOLATILE_ATTRS.contains(&a.name()) {
            "[id]".to_string()
        } else {
            r.redact(a.value())
        };
        attrs.push((key, value));
    }
    attrs.sort();
    out.push_str(&pad);
    out.push('<');
    out.push_str(&name);
    for (k, v) in &attrs {
        out.push_str(&format!(" {k}=\"{}\"", escape_text(v)));
    }
    let elements: Vec<roxmltree::Node> = node.children().filter(|c| c.is_element()).collect();
    let text: String = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    let volatile = VOLATILE_TEXT
        .iter()
        .find(|(n, _)| *n == node.tag_name().name())
        .map(|(_, m)| *m);
    if elements.is_empty() {
        if text.is_empty() {
            out.push_str("/>\n");
        } else {
            out.push('>');
            out.push_str(
                &volatile
                    .map(str::to_string)
                    .unwrap_or_else(|| escape_text(&r.redact(&text))),
            );
            out.push_str(&format!("</{name}>\n"));
        }
        return;
    }
    out.push_str(">\n");
    for c in node.children() {
        if c.is_element() {
            write_xml(c, Some(node), depth + 1, r, out);
        } else if let Some(t) = c.text().filter(|t| !t.trim().is_empty() && c.is_text()) {
            out.push_str(&format!("{pad}  {}\n", escape_text(&r.redact(t))));
        }
    }
    out.push_str(&format!("{pad}</{name}>\n"));
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn uuid_at(b: &[u8], i: usize) -> bool {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let mut j = i;
    for (g, len) in GROUPS.iter().enumerate() {
        if b.len() < j + len || !b[j..j + len].iter().all(|c| is_hex(*c)) {
            return false;
        }
        j += len;
        if g < 4 {
            if b.get(j) != Some(&b'-') {
                return false;
            }
            j += 1;
        }
    }
    let hex_after = b.get(j).is_some_and(|c| is_hex(*c));
    let hex_before = i > 0 && is_hex(b[i - 1]);
    !hex_after && !hex_before
}

fn digits(b: &[u8], i: usize, n: usize) -> bool {
    b.len() >= i + n && b[i..i + n].iter().all(u8::is_ascii_digit)
}

/// Length of an RFC 3339 instant at `i`, if one starts there.
fn instant_at(b: &[u8], i: usize) -> Option<usize> {
    let shape = digits(b, i, 4)
        && b.get(i + 4) == Some(&b'-')
        && digits(b, i + 5, 2)
        && b.get(i + 7) == Some(&b'-')
        && digits(b, i + 8, 2)
        && matches!(b.get(i + 10), Some(b'T') | Some(b't'))
        && digits(b, i + 11, 2)
        && b.get(i + 13) == Some(&b':')
        && digits(b, i + 14, 2)
        && b.get(i + 16) == Some(&b':')
        && digits(b, i + 17, 2);
    if !shape {
        return None;
    }
    let mut j = i + 19;
    if b.get(j) == Some(&b'.') {
        j += 1;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
    }
    match b.get(j) {
        Some(b'Z') | Some(b'z') => j += 1,
        Some(b'+') | Some(b'-')
            if digits(b, j + 1, 2) && b.get(j + 3) == Some(&b':') && digits(b, j + 4, 2) =>
        {
            j += 6
        }
        _ => {}
    }
    Some(j - i)
}

/// Replaces the values that change run to run: URL ports, UUIDs (`[UUID]` when upper-case,
/// `[uuid]` when lower-case, `[Uuid]` when mixed, so that the case a client sent shows), RFC 3339
/// instants.
pub fn redact_volatile(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i..].starts_with(b"://") {
            // host, then :port
            let mut j = i + 3;
            if b.get(j) == Some(&b'[') {
                while j < b.len() && b[j] != b']' {
                    j += 1;
                }
                j += 1;
            } else {
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'.' || b[j] == b'-')
                {
                    j += 1;
                }
            }
            if b.get(j) == Some(&b':') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
                let mut k = j + 1;
                while b.get(k).is_some_and(u8::is_ascii_digit) {
                    k += 1;
                }
                out.push_str(&s[copied..=j]);
                out.push_str("[port]");
                copied = k;
                i = k;
                continue;
            }
            i = j.max(i + 1);
            continue;
        }
        if is_hex(b[i]) && uuid_at(b, i) {
            out.push_str(&s[copied..i]);
            // The case stays visible: macOS writes UUIDs upper-case (Foundation's uuidString).
            let u = &b[i..i + 36];
            let upper = u.iter().any(u8::is_ascii_uppercase);
            let lower = u.iter().any(u8::is_ascii_lowercase);
            out.push_str(match (upper, lower) {
                (true, false) => "[UUID]",
                (true, true) => "[Uuid]",
                _ => "[uuid]",
            });
            i += 36;
            copied = i;
            continue;
        }
        if b[i].is_ascii_digit()
            && let Some(n) = instant_at(b, i)
        {
            out.push_str(&s[copied..i]);
            out.push_str("[instant]");
            i += n;
            copied = i;
            continue;
        }
        i += 1;
        while i < b.len() && !s.is_char_boundary(i) {
            i += 1;
        }
    }
    out.push_str(&s[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_values_are_redacted() {
        let s = "GET https://127.0.0.1:40123/x?id=urn:uuid:0F8FAD5B-D9CB-469F-A165-70867728950E at 2026-11-23T07:22:15.123Z and https://[::1]:8443/ and 2013-05-01T12:00:00+02:00; https://a.example/p";
        assert_eq!(
            redact_volatile(s),
            "GET https://127.0.0.1:[port]/x?id=urn:uuid:[UUID] at [instant] and https://[::1]:[port]/ and [instant]; https://a.example/p"
        );
        assert_eq!(
            redact_volatile("é 0f8fad5b-d9cb-469f-a165-70867728950e"),
            "é [uuid]"
        );
    }

    fn normalise_body_plain(b: &[u8]) -> String {
        normalise_body(b, &Redactor::new())
    }

    #[test]
    fn secrets_are_redacted_in_decoded_values_whatever_the_escaping() {
        let r = Redactor::new();
        r.add_secret("s3<&>'\"cret");
        let xml =
            br#"<a><p>s3&lt;&amp;&gt;'&quot;cret</p><q v="s3&#60;&#38;&#62;&#39;&#34;cret"/></a>"#;
        let json = br#"{"p": "s3<&>'\"cret", "q": "s3\u003c&>'\"cret"}"#;
        for body in [&xml[..], &json[..]] {
            let n = normalise_body(body, &r);
            assert!(!n.contains("s3") && !n.contains("cret"), "{n}");
            assert_eq!(n.matches("[REDACTED]").count(), 2, "{n}");
        }
    }

    #[test]
    fn xml_is_canonical_and_whitespace_visible() {
        let a = normalise_body_plain(br#"<r xmlns:x="urn:x" b="2" a="1"><x:s ID="_1">v&#10;</x:s>  <SignatureValue>abc</SignatureValue></r>"#);
        let b = normalise_body_plain(br#"<r a="1"   b="2" xmlns:x="urn:x"><x:s ID="_2">v&#10;</x:s><SignatureValue>xyz</SignatureValue></r>"#);
        assert_eq!(a, b);
        assert!(a.contains("<x:s ID=\"[id]\">v&#10;</x:s>"), "{a}");
        assert!(
            a.starts_with("<r a=\"1\" b=\"2\" xmlns:x=\"urn:x\">"),
            "{a}"
        );
    }

    #[test]
    fn long_runs_are_counted() {
        let s = format!("a{}b", "x".repeat(100));
        assert_eq!(collapse_runs(&s), "axxxxxxxx[… 100 × \"x\"]b");
        assert_eq!(collapse_runs("aaa"), "aaa");
    }

    #[test]
    fn json_keys_are_sorted() {
        assert_eq!(
            normalise_body_plain(br#"{"b":1,"a":{"d":2,"c":3}}"#),
            normalise_body_plain(br#"{"a":{"c":3,"d":2},"b":1}"#)
        );
    }

    #[test]
    fn snap_round_trip() {
        let t = snap_text(
            "reference",
            "s",
            "c",
            &["MEX-1".to_string()],
            "line 1\nline 2\n",
        );
        assert!(t.starts_with("---\nsource: fedconform\n"));
        assert_eq!(snap_body(&t), "line 1\nline 2\n");
    }
}
