//! `fedconform report merge`: joins the JSON reports of a partitioned run into the report a
//! single run would have written — cases in plan order, requirement verdicts and the run verdict
//! judged again. Shards that do not belong together (another target, other suites, another plan
//! or partition count) or that repeat are refused; a missing shard leaves the merged run
//! INCOMPLETE, naming it.

use super::json::{Report, SCHEMA};
use super::{CaseResult, RunInfo};
use std::collections::BTreeMap;

/// The merged run: its info, its results, and why a selected case may have no result.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The run info (partition cleared; missing shards named in `not_certification`).
    pub info: RunInfo,
    /// Every case's result, in plan order.
    pub results: Vec<CaseResult>,
    /// The shards whose report is missing, as `M/N`.
    pub missing_shards: Vec<String>,
}

impl Merged {
    /// Why a selected case has no result.
    pub fn missing_reason(&self) -> String {
        if self.missing_shards.is_empty() {
            "its case has no result in the merged reports".to_string()
        } else {
            format!(
                "its cases are in partition {}, whose report is missing",
                self.missing_shards.join(", ")
            )
        }
    }
}

/// Merges JSON reports (name, text). Errors name the report and what does not match.
pub fn merge(reports: &[(String, String)]) -> Result<Merged, String> {
    let mut parsed: Vec<(String, Report)> = Vec::new();
    for (name, text) in reports {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("{name}: not JSON: {e}"))?;
        if v["schema"] != SCHEMA {
            return Err(format!(
                "{name}: schema {} is not {SCHEMA}: expected a report of this fedconform version",
                v["schema"]
            ));
        }
        let r: Report = serde_json::from_value(v)
            .map_err(|e| format!("{name}: not a fedconform report: {e}"))?;
        parsed.push((name.clone(), r));
    }
    let Some((first_name, first)) = parsed.first() else {
        return Err("no report to merge".into());
    };
    let total = first
        .run
        .partition
        .as_ref()
        .map(|p| (p.kind.clone(), p.total));
    let mut shards: BTreeMap<u64, String> = BTreeMap::new();
    let mut cases: BTreeMap<usize, CaseResult> = BTreeMap::new();
    let mut seen_case: BTreeMap<String, String> = BTreeMap::new();
    let (mut started, mut finished) = (first.run.started.clone(), first.run.finished.clone());
    for (name, r) in &parsed {
        let differs = |what: &str, theirs: &str, mine: &str| {
            format!(
                "{name}: its {what} ({mine}) differs from {first_name}'s ({theirs}): expected shards of one run"
            )
        };
        let (a, b) = (&first.run, &r.run);
        if b.harness_version != a.harness_version {
            return Err(differs(
                "fedconform version",
                &a.harness_version,
                &b.harness_version,
            ));
        }
        if b.target != a.target {
            return Err(differs(
                "target",
                &crate::flow::quoted(&a.target),
                &crate::flow::quoted(&b.target),
            ));
        }
        if b.target_digest != a.target_digest {
            return Err(differs(
                "target (same name, another file or reference-IdP option; digest)",
                &a.target_digest,
                &b.target_digest,
            ));
        }
        if b.suites != a.suites {
            let list = |x: &RunInfo| {
                x.suites
                    .iter()
                    .map(|s| format!("{} {}", s.name, s.digest))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(differs("suites", &list(a), &list(b)));
        }
        if b.plan != a.plan {
            return Err(differs(
                "case list",
                &format!("{} cases", a.plan.len()),
                &format!("{} cases", b.plan.len()),
            ));
        }
        if b.strict != a.strict {
            let word = |s: bool| if s { "--strict" } else { "not --strict" };
            return Err(differs("strictness", word(a.strict), word(b.strict)));
        }
        let part = |p: &Option<super::PartitionInfo>| match p {
            Some(p) => format!("{}:{}/{}", p.kind, p.shard, p.total),
            None => "no partition".to_string(),
        };
        match (&r.run.partition, &total) {
            (Some(p), Some((kind, n))) if &p.kind == kind && p.total == *n => {
                if let Some(other) = shards.insert(p.shard, name.clone()) {
                    return Err(format!(
                        "partition {}/{} is in both {other} and {name}: expected each shard once",
                        p.shard, p.total
                    ));
                }
            }
            (None, None) if parsed.len() == 1 => {}
            _ => {
                return Err(differs(
                    "partition",
                    &part(&a.partition),
                    &part(&b.partition),
                ));
            }
        }
        for c in &r.cases {
            if let Some(other) = seen_case.insert(c.id.clone(), name.clone()) {
                return Err(format!(
                    "case {} is in both {other} and {name}: expected each case in one shard",
                    c.id
                ));
            }
            cases.insert(c.index, c.clone());
        }
        started = started.min(r.run.started.clone());
        finished = finished.max(r.run.finished.clone());
    }
    let missing_shards: Vec<String> = match &total {
        Some((kind, n)) => (1..=*n)
            .filter(|m| !shards.contains_key(m))
            .map(|m| format!("{kind}:{m}/{n}"))
            .collect(),
        None => Vec::new(),
    };
    let mut info = first.run.clone();
    info.started = started;
    info.finished = finished;
    info.partition = None;
    info.incomplete = parsed.iter().any(|(_, r)| r.run.incomplete);
    if !missing_shards.is_empty() {
        info.not_certification
            .push(format!("missing shard {}", missing_shards.join(", ")));
    }
    Ok(Merged {
        info,
        results: cases.into_values().collect(),
        missing_shards,
    })
}
