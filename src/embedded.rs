//! The standard suites, built into the binary so that `fedconform run` works anywhere, even
//! outside a checkout (an installed binary with no `suites/` folder beside it).

use crate::suite::{ConfigErrors, Suite, load_suite_str};
use std::path::Path;

/// The standard suite files: (file name, text).
pub const SUITES: &[(&str, &str)] = &[
    (
        "psso-preauth.toml",
        include_str!("../suites/psso-preauth.toml"),
    ),
    (
        "wstrust-mex.toml",
        include_str!("../suites/wstrust-mex.toml"),
    ),
];

/// Loads the built-in suites.
pub fn suites() -> Result<Vec<Suite>, ConfigErrors> {
    let mut out = Vec::new();
    for (name, text) in SUITES {
        out.push(load_suite_str(
            &Path::new("<built-in>/suites").join(name),
            text,
        )?);
    }
    Ok(out)
}
