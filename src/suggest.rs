//! "Did you mean": the known name nearest a mistyped one, for every error that names an
//! unknown key, expectation or defect.

/// The candidate nearest `query` by edit distance (Levenshtein), if it is at most `max` edits
/// away; on a tie, the first in `candidates`' order.
pub fn nearest<'a>(
    query: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(c, query), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn the_nearest_within_reach_first_on_a_tie() {
        assert_eq!(nearest("lmits", ["target", "limits"], 2), Some("limits"));
        assert_eq!(nearest("zzzzzz", ["target", "limits"], 2), None);
        assert_eq!(nearest("ab", ["ac", "ad"], 1), Some("ac"));
    }
}
