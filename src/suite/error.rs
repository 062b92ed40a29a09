//! Configuration errors that name the file, line and column, and what was expected.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in a suite or target file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as given.
    pub file: PathBuf,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// 1-based column (in characters).
    pub column: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl ConfigError {
    /// An error at a byte span of `source`.
    pub fn at(
        file: &Path,
        source: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = match span {
            Some(span) => {
                let (l, c) = line_col(source, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error about the whole file (unreadable, missing).
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": error: {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found while loading; loading reports them all at once.
#[derive(Debug, Clone, Default)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl From<ConfigError> for ConfigErrors {
    fn from(e: ConfigError) -> Self {
        ConfigErrors(vec![e])
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Builds a [`ConfigError`] from a TOML parse or type error.
pub fn from_toml(file: &Path, source: &str, err: &toml::de::Error) -> ConfigError {
    let at = err.span().and_then(|r| source.get(r)).unwrap_or_default();
    let message = plain_toml_message(err.message().trim(), at);
    ConfigError::at(file, source, err.span(), message)
}

/// The TOML reader's message in a vendor's words: keys, not serde's "fields"; "a whole number",
/// not `u64`; the key a duplicate names; the near key when one is unknown.
fn plain_toml_message(message: &str, at: &str) -> String {
    if message == "duplicate key" {
        let key = at
            .split(['=', ']'])
            .next()
            .unwrap_or("")
            .trim()
            .trim_start_matches('[');
        return format!("duplicate key `{key}`: expected each key once in a table");
    }
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once("`, expected one of ")
    {
        let options = expected.split(", ").map(|o| o.trim_matches('`'));
        let near = crate::suggest::nearest(key, options, 2.max(key.len() / 4));
        return format!(
            "unknown key `{key}`{}: expected one of {expected}",
            near.map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default()
        );
    }
    if let Some(key) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return format!("missing key `{key}` in this table");
    }
    let mut m = message.replace("invalid type: ", "wrong type: got ");
    for (rust, words) in [
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected usize", "expected a whole number of 0 or more"),
        ("expected u16", "expected a whole number from 0 to 65535"),
    ] {
        m = m.replace(rust, words);
    }
    if let Some((head, tail)) = m.split_once(" as i128,") {
        m = format!("{head} (too large),{tail}");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_messages_are_in_a_vendors_words() {
        assert_eq!(
            plain_toml_message("duplicate key", "name = \"u\""),
            "duplicate key `name`: expected each key once in a table"
        );
        assert_eq!(
            plain_toml_message(
                "unknown field `lmits`, expected one of `target`, `limits`",
                "lmits"
            ),
            "unknown key `lmits` (did you mean `limits`?): expected one of `target`, `limits`"
        );
        assert_eq!(
            plain_toml_message("missing field `name`", ""),
            "missing key `name` in this table"
        );
        assert_eq!(
            plain_toml_message("invalid type: string \"x\", expected u64", ""),
            "wrong type: got string \"x\", expected a whole number of 0 or more"
        );
        assert_eq!(
            plain_toml_message(
                "invalid type: integer `99999999999999999999` as i128, expected u64",
                ""
            ),
            "wrong type: got integer `99999999999999999999` (too large), expected a whole number of 0 or more"
        );
    }

    #[test]
    fn line_and_column_are_one_based_characters() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        let after_e = src.find(" = 2").unwrap_or(0);
        assert_eq!(line_col(src, after_e), (2, 3));
    }
}
