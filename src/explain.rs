//! `fedconform explain ID`: for every requirement of the catalogue (docs/SPEC.md), what macOS
//! (or, for WS-Federation, the relying party) does, why the requirement matters, its typical
//! causes, how to fix it — per IdP product where known — and its source.
//!
//! The content is data, not code: `docs/explain.toml`, written for people who are not Rust
//! engineers, embedded in the binary and parsed once at first use (unknown keys refused). The
//! requirement's sentence is read from the embedded `docs/SPEC.md`, and its level and title from
//! the catalogue ([`crate::requirements::CATALOGUE`]), so none of them is written twice.
//! `[[provisional]]` entries explain requirements other work is adding; each names the ID it is
//! proposed as, and [`Explanations::problems`] says when that ID has landed so the entry moves.
//!
//! Reports use [`pointers`] (the failed and warned requirements that have an entry), each entry's
//! one-line [`Entry::fix`], and [`command`]; `fedconform explain` uses [`lookup`], [`list`],
//! [`render_text`] and the entries' JSON form.

use crate::check::rollup::{RequirementVerdict, Status};
use crate::requirements::{self, Level, Requirement};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::LazyLock;

/// The explanations, as written.
const EXPLAIN_TOML: &str = include_str!("../docs/explain.toml");
/// The requirement catalogue's text, for each requirement's sentence.
const SPEC_MD: &str = include_str!("../docs/SPEC.md");

/// The products an entry may give advice for: one spelling each, so reports and readers can
/// group by product.
pub const PRODUCTS: &[&str] = &[
    "AD FS",
    "Microsoft Entra ID",
    "PingFederate",
    "Okta",
    "Auth0",
    "Shibboleth IdP",
    "Keycloak",
    "Windows Server",
    "Reverse proxies and load balancers",
    "Custom STS",
];

/// The longest one-line fix, in characters, so that the console line stays one line.
pub const MAX_FIX_CHARS: usize = 110;

/// Advice for one IdP product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductAdvice {
    /// One of [`PRODUCTS`].
    pub name: String,
    /// What to look at and change in that product.
    pub advice: String,
}

/// The body every entry has, as written in docs/explain.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    client: String,
    impact: String,
    causes: Vec<String>,
    fix: String,
    #[serde(default, rename = "product")]
    products: Vec<ProductAdvice>,
    source: String,
}

/// A `[[provisional]]` entry: a requirement not yet in the catalogue, with the level, title and
/// sentence it is proposed with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvisional {
    key: String,
    proposed_id: String,
    level: Level,
    profile: String,
    title: String,
    requirement: String,
    client: String,
    impact: String,
    causes: Vec<String>,
    fix: String,
    #[serde(default, rename = "product")]
    products: Vec<ProductAdvice>,
    source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    requirement: Vec<RawEntry>,
    #[serde(default)]
    provisional: Vec<RawProvisional>,
}

/// What a provisional entry stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provisional {
    /// The ID it is proposed as (the catalogue may give it another one).
    pub proposed_id: String,
}

/// One requirement explained.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The SPEC.md ID (`WST-8`), or a provisional entry's key (`tls-serverauth-eku`).
    pub id: String,
    /// MUST, SHOULD or INFO.
    pub level: Level,
    /// Who needs it: `psso`, `spec`, `msal`, `wsfed`.
    pub profile: String,
    /// The catalogue's one-line title.
    pub title: String,
    /// The requirement as SPEC.md states it (empty when SPEC.md has no row for it).
    pub requirement: String,
    /// Whose behaviour `client` describes: "What macOS does" ("What the relying party does" for
    /// WS-Federation).
    pub client_heading: String,
    /// What macOS (or the relying party) does at this point.
    pub client: String,
    /// Why it matters: what the user of a Mac (or of the relying party) sees when it fails.
    pub impact: String,
    /// Typical causes.
    pub causes: Vec<String>,
    /// How to fix it, in one line (the console's "how to fix").
    pub fix: String,
    /// Product-specific advice.
    pub products: Vec<ProductAdvice>,
    /// Where the requirement comes from (SPEC.md's source: Apple page title, WS-* section,
    /// *(observed)*).
    pub source: String,
    /// Set for an entry whose requirement is not in the catalogue yet.
    pub provisional: Option<Provisional>,
}

/// Every explanation, parsed.
#[derive(Debug, Clone)]
pub struct Explanations {
    /// One entry per catalogue requirement that has one, in catalogue order (entries naming an
    /// ID the catalogue lacks come last: [`Explanations::problems`] reports them).
    pub entries: Vec<Entry>,
    /// Entries for requirements not yet in the catalogue, in file order.
    pub provisional: Vec<Entry>,
}

/// The heading of an entry's `client` section, from its ID's family.
fn client_heading(id: &str) -> &'static str {
    let family = id.split('-').next().unwrap_or("").to_ascii_uppercase();
    match family.as_str() {
        "WSF" => "What the relying party does",
        _ => "What macOS does",
    }
}

/// The sentence SPEC.md gives for an ID: the last cell of its table row.
pub fn spec_sentence(spec_md: &str, id: &str) -> Option<String> {
    spec_md.lines().find_map(|line| {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        (cells.len() >= 6 && cells[1] == id).then(|| cells[4].to_string())
    })
}

impl Explanations {
    /// Parses the explanations file against a catalogue and SPEC.md's text. Errors: the TOML is
    /// malformed or has an unknown key (the message gives line and column).
    pub fn parse(text: &str, catalogue: &[Requirement], spec_md: &str) -> Result<Self, String> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| format!("docs/explain.toml: error: {e}"))?;
        let position = |id: &str| {
            catalogue
                .iter()
                .position(|r| r.id == id)
                .unwrap_or(usize::MAX)
        };
        let mut entries: Vec<Entry> = raw
            .requirement
            .into_iter()
            .map(|r| {
                let req = catalogue.iter().find(|c| c.id == r.id);
                Entry {
                    level: req.map(|c| c.level).unwrap_or(Level::Info),
                    profile: req.map(|c| c.profile.to_string()).unwrap_or_default(),
                    title: req.map(|c| c.title.to_string()).unwrap_or_default(),
                    requirement: spec_sentence(spec_md, &r.id).unwrap_or_default(),
                    client_heading: client_heading(&r.id).to_string(),
                    id: r.id,
                    client: r.client,
                    impact: r.impact,
                    causes: r.causes,
                    fix: r.fix,
                    products: r.products,
                    source: r.source,
                    provisional: None,
                }
            })
            .collect();
        entries.sort_by_key(|e| position(&e.id));
        let provisional = raw
            .provisional
            .into_iter()
            .map(|p| Entry {
                client_heading: client_heading(&p.proposed_id).to_string(),
                id: p.key,
                level: p.level,
                profile: p.profile,
                title: p.title,
                requirement: p.requirement,
                client: p.client,
                impact: p.impact,
                causes: p.causes,
                fix: p.fix,
                products: p.products,
                source: p.source,
                provisional: Some(Provisional {
                    proposed_id: p.proposed_id,
                }),
            })
            .collect();
        Ok(Explanations {
            entries,
            provisional,
        })
    }

    /// What is wrong with the explanations for this catalogue, one sentence each; empty when
    /// every catalogue requirement has exactly one complete entry and nothing else is amiss.
    pub fn problems(&self, catalogue: &[Requirement]) -> Vec<String> {
        let mut out = Vec::new();
        for req in catalogue {
            let n = self.entries.iter().filter(|e| e.id == req.id).count();
            if n == 0 {
                let hint = self
                    .provisional
                    .iter()
                    .filter(|p| {
                        p.provisional
                            .as_ref()
                            .is_some_and(|x| x.proposed_id == req.id)
                    })
                    .map(|p| format!(" (the provisional entry {} is proposed as it)", p.id))
                    .collect::<String>();
                out.push(format!(
                    "{} ({}) has no [[requirement]] entry in docs/explain.toml{hint}",
                    req.id, req.title
                ));
            } else if n > 1 {
                out.push(format!("{} has {n} entries; keep one", req.id));
            }
        }
        for e in &self.entries {
            if !catalogue.iter().any(|r| r.id == e.id) {
                out.push(format!(
                    "[[requirement]] {} is not in the catalogue: fix its id, or make it a [[provisional]] entry",
                    e.id
                ));
            } else if e.requirement.is_empty() {
                out.push(format!("{}: docs/SPEC.md has no row for it", e.id));
            }
        }
        let mut keys: Vec<&str> = self.provisional.iter().map(|p| p.id.as_str()).collect();
        keys.sort_unstable();
        for pair in keys.windows(2) {
            if pair[0] == pair[1] {
                out.push(format!("provisional key {} is used twice", pair[0]));
            }
        }
        for p in &self.provisional {
            if catalogue.iter().any(|r| r.id.eq_ignore_ascii_case(&p.id)) {
                out.push(format!(
                    "provisional key {} looks like a catalogue ID: use a descriptive key",
                    p.id
                ));
            }
            if let Some(landed) = p
                .provisional
                .as_ref()
                .and_then(|x| catalogue.iter().find(|r| r.id == x.proposed_id))
            {
                out.push(format!(
                    "{} is now in the catalogue ({}): if the provisional entry {} explains it, move it to [[requirement]] with id = {}; otherwise propose another ID for it",
                    landed.id,
                    crate::flow::quoted(landed.title),
                    p.id,
                    crate::flow::quoted(landed.id)
                ));
            }
        }
        for e in self.entries.iter().chain(&self.provisional) {
            out.extend(entry_problems(e));
        }
        out
    }

    /// The entry for an ID (any case), or for a provisional entry's key or proposed ID.
    pub fn find(&self, query: &str) -> Option<&Entry> {
        let q = query.trim();
        self.entries
            .iter()
            .find(|e| e.id.eq_ignore_ascii_case(q))
            .or_else(|| {
                self.provisional.iter().find(|p| {
                    p.id.eq_ignore_ascii_case(q)
                        || p.provisional
                            .as_ref()
                            .is_some_and(|x| x.proposed_id.eq_ignore_ascii_case(q))
                })
            })
    }

    /// IDs close to a query that matches none: a family name (`WST`) gives the whole family,
    /// a typo the nearest IDs (at most four).
    pub fn suggestions(&self, query: &str) -> Vec<String> {
        let norm = |s: &str| -> String {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_uppercase()
        };
        let q = norm(query);
        let ids: Vec<&str> = self
            .entries
            .iter()
            .chain(&self.provisional)
            .map(|e| e.id.as_str())
            .collect();
        if !q.is_empty() && q.chars().all(|c| c.is_ascii_alphabetic()) {
            let family: Vec<String> = self
                .entries
                .iter()
                .map(|e| e.id.as_str())
                .filter(|id| id.split('-').next().is_some_and(|f| norm(f) == q))
                .map(|s| s.to_string())
                .collect();
            if !family.is_empty() {
                return family;
            }
        }
        let scored: Vec<(usize, &str)> = ids
            .iter()
            .map(|id| (strsim::osa_distance(&q, &norm(id)), *id))
            .filter(|(d, _)| *d <= 2 && *d < q.len().max(1))
            .collect();
        let best = scored.iter().map(|(d, _)| *d).min();
        scored
            .into_iter()
            .filter(|(d, _)| Some(*d) == best)
            .take(4)
            .map(|(_, id)| id.to_string())
            .collect()
    }
}

/// An entry's own faults: empty sections, a fix longer than one line, an unknown product.
fn entry_problems(e: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    for (name, text) in [
        ("client", &e.client),
        ("impact", &e.impact),
        ("fix", &e.fix),
        ("source", &e.source),
        ("title", &e.title),
    ] {
        if text.trim().is_empty() {
            out.push(format!("{}: {name} is empty", e.id));
        }
    }
    if e.causes.is_empty() || e.causes.iter().any(|c| c.trim().is_empty()) {
        out.push(format!("{}: causes are missing or empty", e.id));
    }
    if !e.fix.ends_with('.') {
        out.push(format!(
            "{}: fix must be a sentence ending with a full stop",
            e.id
        ));
    }
    if e.fix.contains('\n') || e.fix.chars().count() > MAX_FIX_CHARS {
        out.push(format!(
            "{}: fix must be one line of at most {MAX_FIX_CHARS} characters ({} now)",
            e.id,
            e.fix.chars().count()
        ));
    }
    for p in &e.products {
        if !PRODUCTS.contains(&p.name.as_str()) {
            out.push(format!(
                "{}: product {} is not one of {}",
                e.id,
                crate::flow::quoted(&p.name),
                PRODUCTS.join(", ")
            ));
        }
        if p.advice.trim().is_empty() {
            out.push(format!("{}: the advice for {} is empty", e.id, p.name));
        }
    }
    out
}

/// The built-in explanations, parsed once.
static BUILT_IN: LazyLock<Result<Explanations, String>> =
    LazyLock::new(|| Explanations::parse(EXPLAIN_TOML, requirements::CATALOGUE, SPEC_MD));

/// The built-in explanations. Errors: docs/explain.toml does not parse (a test guards it).
pub fn built_in() -> Result<&'static Explanations, &'static str> {
    BUILT_IN.as_ref().map_err(String::as_str)
}

/// Why [`lookup`] found no entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// No requirement has this ID.
    Unknown {
        /// What was asked for.
        query: String,
        /// Close IDs.
        suggestions: Vec<String>,
    },
    /// The built-in explanations do not parse.
    Broken(String),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::Unknown { query, suggestions } => {
                write!(
                    f,
                    "unknown requirement ID {}",
                    crate::flow::quoted(query.trim())
                )?;
                match suggestions.as_slice() {
                    [] => {}
                    [one] => write!(f, "; did you mean {one}?")?,
                    many => write!(f, "; did you mean one of {}?", many.join(", "))?,
                }
                f.write_str(" (`fedconform explain --list` lists every ID)")
            }
            LookupError::Broken(e) => write!(f, "the built-in explanations are broken: {e}"),
        }
    }
}

impl std::error::Error for LookupError {}

/// The built-in entry for an ID, any case (or a provisional key). Errors: an unknown ID, with
/// the IDs it is close to.
pub fn lookup(query: &str) -> Result<&'static Entry, LookupError> {
    let all = built_in().map_err(|e| LookupError::Broken(e.to_string()))?;
    all.find(query).ok_or_else(|| LookupError::Unknown {
        query: query.to_string(),
        suggestions: all.suggestions(query),
    })
}

/// The built-in entry for a catalogue ID (exact), if any: what reports read.
pub fn entry(id: &str) -> Option<&'static Entry> {
    built_in().ok()?.entries.iter().find(|e| e.id == id)
}

/// The command that prints an entry in full: `fedconform explain WST-8`.
pub fn command(id: &str) -> String {
    format!("fedconform explain {id}")
}

/// The requirements a report points at: each one whose verdict is fail or warn and that has an
/// entry, once, in the verdicts' (catalogue) order.
pub fn pointers(verdicts: &[RequirementVerdict]) -> Vec<&'static Entry> {
    verdicts
        .iter()
        .filter(|v| matches!(v.status, Status::Fail { .. } | Status::Warn))
        .filter_map(|v| entry(&v.id))
        .collect()
}

/// The width `render_text` wraps to.
pub const TEXT_WIDTH: usize = 96;

fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    for (i, paragraph) in text.split('\n').enumerate() {
        let first = if i == 0 { first } else { rest };
        // Commands, cmdlets and URLs stay whole, so that they can be copied.
        let opts = textwrap::Options::new(TEXT_WIDTH)
            .initial_indent(first)
            .subsequent_indent(rest)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(false);
        out.push_str(&textwrap::fill(paragraph.trim(), opts));
        out.push('\n');
    }
}

/// An entry as `fedconform explain ID` prints it: headed sections, wrapped to [`TEXT_WIDTH`].
pub fn render_text(e: &Entry) -> String {
    const IN: &str = "    ";
    let mut out = String::new();
    wrap_into(
        &mut out,
        &format!("{} ({}, {}): {}", e.id, e.level, e.profile, e.title),
        "",
        IN,
    );
    if let Some(p) = &e.provisional {
        wrap_into(
            &mut out,
            &format!(
                "Provisional: this requirement is not in the catalogue yet; it is proposed as {}.",
                p.proposed_id
            ),
            "",
            "",
        );
    }
    let mut section = |heading: &str, text: &str| {
        if !text.is_empty() {
            out.push('\n');
            out.push_str(heading);
            out.push('\n');
            wrap_into(&mut out, text, IN, IN);
        }
    };
    let requirement_heading = if e.provisional.is_some() {
        "Requirement (proposed)"
    } else {
        "Requirement (docs/SPEC.md)"
    };
    section(requirement_heading, &e.requirement);
    section(&e.client_heading, &e.client);
    section("Why it matters", &e.impact);
    out.push_str("\nTypical causes\n");
    for c in &e.causes {
        wrap_into(&mut out, c, "  - ", IN);
    }
    out.push_str("\nHow to fix\n");
    wrap_into(&mut out, &e.fix, IN, IN);
    for p in &e.products {
        wrap_into(&mut out, &format!("{}: {}", p.name, p.advice), "  - ", IN);
    }
    out.push_str("\nSource\n");
    wrap_into(&mut out, &e.source, IN, IN);
    out
}

/// Every entry as `fedconform explain --list` prints it: `ID  LEVEL  title`, the catalogue's
/// first, then the provisional ones under their own heading.
pub fn list(all: &Explanations) -> String {
    let width = all
        .entries
        .iter()
        .chain(&all.provisional)
        .map(|e| e.id.len())
        .max()
        .unwrap_or(0);
    let line = |e: &Entry| {
        format!(
            "{:<width$}  {:<6}  {}\n",
            e.id,
            e.level.to_string(),
            e.title
        )
    };
    let mut out: String = all.entries.iter().map(line).collect();
    if !all.provisional.is_empty() {
        out.push_str("\nprovisional (not in the catalogue yet; key, proposed ID, title):\n");
        for p in &all.provisional {
            let proposed = p
                .provisional
                .as_ref()
                .map(|x| x.proposed_id.as_str())
                .unwrap_or("");
            out.push_str(&format!("{:<width$}  {:<6}  {}\n", p.id, proposed, p.title));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built() -> &'static Explanations {
        match built_in() {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        }
    }

    /// The acceptance test of issue 13: `explain` has an entry for every requirement ID — the
    /// catalogue is walked, each ID looked up as the CLI does and rendered.
    #[test]
    fn every_catalogue_requirement_has_a_complete_entry() {
        let problems = built().problems(requirements::CATALOGUE);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        for req in requirements::CATALOGUE {
            let e = match lookup(&req.id.to_ascii_lowercase()) {
                Ok(e) => e,
                Err(err) => panic!("{}: {err}", req.id),
            };
            assert_eq!(e.id, req.id);
            assert_eq!(e.title, req.title);
            let text = render_text(e);
            for heading in ["Requirement (docs/SPEC.md)", "Why it matters", "How to fix"] {
                assert!(text.contains(heading), "{}: {heading}\n{text}", req.id);
            }
            assert!(entry(req.id).is_some_and(|x| !x.fix.is_empty()));
        }
        assert_eq!(built().entries.len(), requirements::CATALOGUE.len());
    }

    /// The walk fails for a catalogue ID without an entry, and names it.
    #[test]
    fn a_catalogue_id_without_an_entry_is_a_problem() {
        let mut catalogue = requirements::CATALOGUE.to_vec();
        catalogue.push(Requirement {
            id: "WST-99",
            level: Level::Must,
            profile: "psso",
            title: "a requirement nobody explained",
        });
        let problems = built().problems(&catalogue);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("WST-99 (a requirement nobody explained) has no"));
    }

    #[test]
    fn a_provisional_entry_whose_id_landed_is_a_problem() {
        let Some(p) = built().provisional.first() else {
            return;
        };
        let Some(proposed) = p.provisional.as_ref().map(|x| x.proposed_id.clone()) else {
            panic!("a provisional entry without a proposed ID");
        };
        let id: &'static str = Box::leak(proposed.into_boxed_str());
        let mut catalogue = requirements::CATALOGUE.to_vec();
        catalogue.push(Requirement {
            id,
            level: Level::Must,
            profile: "psso",
            title: "landed",
        });
        let problems = built().problems(&catalogue);
        assert!(
            problems.iter().any(|m| m
                .starts_with(&format!("{id} (landed) has no [[requirement]] entry"))
                && m.contains(&p.id)),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|m| m.starts_with(&format!("{id} is now in the catalogue"))),
            "{problems:?}"
        );
    }

    #[test]
    fn unknown_keys_and_bad_levels_are_refused_with_a_position() {
        let bad = "[[requirement]]\nid = \"TLS-1\"\nclient = \"x\"\nimpact = \"x\"\ncauses = [\"x\"]\nfix = \"x\"\nsource = \"x\"\nhow = \"?\"\n";
        let err = Explanations::parse(bad, requirements::CATALOGUE, SPEC_MD)
            .err()
            .unwrap_or_default();
        assert!(err.contains("how") && err.contains("line 8"), "{err}");
    }

    #[test]
    fn lookup_is_case_insensitive_and_suggests_close_ids() {
        assert_eq!(lookup("wst-8").map(|e| e.id.as_str()), Ok("WST-8"));
        assert_eq!(lookup(" Mex-10 ").map(|e| e.id.as_str()), Ok("MEX-10"));
        let err = |q: &str| match lookup(q) {
            Err(LookupError::Unknown { suggestions, .. }) => suggestions,
            other => panic!("{q}: {other:?}"),
        };
        assert_eq!(err("WST8"), vec!["WST-8"]);
        assert_eq!(err("WTS-8"), vec!["WST-8"]);
        assert!(err("WST-80").contains(&"WST-8".to_string()));
        assert_eq!(err("pre").len(), 9, "a family name lists the family");
        assert!(err("nonsense-id").is_empty());
        let msg = lookup("WST8").err().map(|e| e.to_string());
        assert_eq!(
            msg.as_deref(),
            Some(
                "unknown requirement ID \"WST8\"; did you mean WST-8? (`fedconform explain --list` lists every ID)"
            )
        );
    }

    #[test]
    fn spec_sentence_is_the_rows_last_cell() {
        assert_eq!(
            spec_sentence(SPEC_MD, "PRE-7").as_deref(),
            Some("`Content-Type: application/json`.")
        );
        assert!(spec_sentence(SPEC_MD, "PRE-99").is_none());
    }

    #[test]
    fn pointers_name_failed_and_warned_requirements_once() {
        use crate::check::rollup::NotEvaluated;
        let v = |id: &str, status| RequirementVerdict {
            id: id.into(),
            level: Level::Must,
            status,
            cases: vec![],
        };
        let verdicts = [
            v("TLS-1", Status::Pass),
            v(
                "MEX-7",
                Status::Fail {
                    known_failure: false,
                },
            ),
            v("PRE-7", Status::Warn),
            v("WST-8", Status::NotEvaluated(NotEvaluated::NotChecked)),
        ];
        let ids: Vec<&str> = pointers(&verdicts).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["MEX-7", "PRE-7"]);
        assert_eq!(command("MEX-7"), "fedconform explain MEX-7");
    }
}
