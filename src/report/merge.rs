//! `fedconform report merge`: joins the JSON reports of several partitions into the report a
//! single run would have written (cases in plan order, summary recomputed).

use super::json::SCHEMA;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Merges JSON reports; each case must appear in exactly one of them.
pub fn merge(reports: &[(String, Value)]) -> Result<Value, String> {
    let Some((first_name, first)) = reports.first() else {
        return Err("no report to merge".into());
    };
    let mut cases: BTreeMap<u64, (String, Value)> = BTreeMap::new();
    let mut started: Option<String> = None;
    let mut finished: Option<String> = None;
    for (name, r) in reports {
        if r["schema"] != SCHEMA {
            return Err(format!("{name}: schema {} is not {SCHEMA}", r["schema"]));
        }
        if r["run"]["target"] != first["run"]["target"] {
            return Err(format!(
                "{name}: target {} differs from {first_name}'s {}",
                r["run"]["target"], first["run"]["target"]
            ));
        }
        if r["run"]["suites"] != first["run"]["suites"] {
            return Err(format!(
                "{name}: its suites differ from {first_name}'s (names or digests)"
            ));
        }
        for c in r["cases"]
            .as_array()
            .ok_or_else(|| format!("{name}: no cases array"))?
        {
            let index = c["index"]
                .as_u64()
                .ok_or_else(|| format!("{name}: a case has no index"))?;
            if let Some((other, _)) = cases.get(&index) {
                return Err(format!("case {} is in both {other} and {name}", c["id"]));
            }
            cases.insert(index, (name.clone(), c.clone()));
        }
        let (s, f) = (
            r["run"]["started"].as_str().map(String::from),
            r["run"]["finished"].as_str().map(String::from),
        );
        if s.is_some() && (started.is_none() || s < started) {
            started = s;
        }
        if f.is_some() && (finished.is_none() || f > finished) {
            finished = f;
        }
    }
    let cases: Vec<Value> = cases.into_values().map(|(_, c)| c).collect();
    let mut summary =
        json!({"total": cases.len(), "pass": 0, "fail": 0, "warn": 0, "skipped": 0, "error": 0});
    for c in &cases {
        if let Some(o) = c["outcome"].as_str()
            && let Some(n) = summary.get_mut(o)
        {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
    }
    let mut run = first["run"].clone();
    run["started"] = json!(started);
    run["finished"] = json!(finished);
    run["partition"] = Value::Null;
    Ok(json!({"schema": SCHEMA, "run": run, "summary": summary, "cases": cases}))
}
