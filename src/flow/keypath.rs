//! Dotted key paths into JSON answers, as `federationMEXURLKeypath` uses them (PRE-4).

use serde_json::Value;
use std::fmt;

/// A dotted key path such as `federation.metadata.url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath(Vec<String>);

impl KeyPath {
    /// Parses a dotted path; empty segments are refused.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("empty key path: expected keys joined by '.'".into());
        }
        let parts: Vec<String> = s.split('.').map(str::to_string).collect();
        if let Some(i) = parts.iter().position(|p| p.is_empty()) {
            return Err(format!(
                "key path {s:?} has an empty key at position {}: expected keys joined by single '.'",
                i + 1
            ));
        }
        Ok(KeyPath(parts))
    }

    /// Follows the path through JSON objects; None when any key is missing or a value on the
    /// way is not an object.
    pub fn get<'a>(&self, v: &'a Value) -> Option<&'a Value> {
        self.0.iter().try_fold(v, |cur, k| cur.as_object()?.get(k))
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_objects_only() {
        let v = json!({"a": {"b": "x"}, "l": ["y"]});
        let get = |p: &str| KeyPath::parse(p).ok().and_then(|k| k.get(&v).cloned());
        assert_eq!(get("a.b"), Some(json!("x")));
        assert_eq!(get("a.c"), None);
        assert_eq!(get("l.0"), None);
        assert!(KeyPath::parse("a..b").is_err());
        assert!(KeyPath::parse("").is_err());
    }
}
