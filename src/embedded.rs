//! The standard suites, built into the binary so that `fedconform run` works anywhere, even
//! outside a checkout (an installed binary with no `suites/` folder beside it).

use crate::suite::{ConfigErrors, Suite, load_suite_str};
use std::path::Path;

/// The standard suite files: (file name, text).
pub const SUITES: &[(&str, &str)] = &[
    (
        "login-configuration.toml",
        include_str!("../suites/login-configuration.toml"),
    ),
    (
        "psso-preauth.toml",
        include_str!("../suites/psso-preauth.toml"),
    ),
    (
        "wstrust-mex.toml",
        include_str!("../suites/wstrust-mex.toml"),
    ),
    (
        "wstrust-login.toml",
        include_str!("../suites/wstrust-login.toml"),
    ),
    ("wsfed.toml", include_str!("../suites/wsfed.toml")),
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

/// True when a suite named `name` with this digest is byte for byte a built-in suite.
pub fn is_builtin(name: &str, digest: &str) -> bool {
    SUITES.iter().any(|(file, text)| {
        file.strip_suffix(".toml") == Some(name) && crate::suite::digest(text.as_bytes()) == digest
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn built_in_suites_are_the_suites_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("suites");
        let on_disk = crate::suite::load_suites(&dir).map_err(|e| e.to_string());
        let built_in = super::suites().map_err(|e| e.to_string());
        let key = |v: Vec<crate::suite::Suite>| -> Vec<(String, String)> {
            let mut k: Vec<(String, String)> =
                v.into_iter().map(|s| (s.meta.name, s.digest)).collect();
            k.sort();
            k
        };
        assert_eq!(built_in.map(key), on_disk.map(key));
    }
}
