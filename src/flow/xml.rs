//! XML helpers shared by the flows: namespaces (SPEC.md "Namespaces"), safe parsing (no DTDs,
//! bounded node count) and namespace-aware child lookup.

use roxmltree::{Document, Node, ParsingOptions};
use serde::Serialize;

/// `wsdl`.
pub const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
/// `wsp` (the only WS-Policy version macOS reads).
pub const WSP: &str = "http://schemas.xmlsoap.org/ws/2004/09/policy";
/// `sp13`.
pub const SP13: &str = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
/// `sp05`.
pub const SP05: &str = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
/// `soap12` (WSDL binding).
pub const SOAP12_WSDL: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
/// `wsa10`.
pub const WSA10: &str = "http://www.w3.org/2005/08/addressing";
/// `wsu`.
pub const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// Most nodes a document may have before parsing stops.
pub const NODES_LIMIT: u32 = 4_000_000;

/// Why a document could not be parsed, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct XmlError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What the parser found.
    pub message: String,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Decodes a body as libxml2 reads it (BOM, UTF-16 and UCS-4 by their first bytes, the
/// encoding declaration; [`super::text::xml`]); bytes not valid in that encoding are an error
/// with their line and column.
pub fn decode(bytes: &[u8]) -> Result<super::text::Decoded<'_>, XmlError> {
    super::text::xml(bytes).map_err(|e| {
        let valid = &bytes[..e.offset.unwrap_or(0).min(bytes.len())];
        let line = valid.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        let col = valid.iter().rev().take_while(|b| **b != b'\n').count() as u32 + 1;
        XmlError {
            line,
            column: col,
            message: e.message,
        }
    })
}

/// Parses with DTDs refused and a node limit.
pub fn parse(text: &str) -> Result<Document<'_>, XmlError> {
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, opts).map_err(|e| {
        let p = e.pos();
        XmlError {
            line: p.row,
            column: p.col,
            message: e.to_string(),
        }
    })
}

/// True when `n` is the element `{ns}local`.
pub fn is(n: Node, ns: &str, local: &str) -> bool {
    n.is_element() && n.tag_name().name() == local && n.tag_name().namespace() == Some(ns)
}

/// Element children `{ns}local` of `n`.
pub fn children<'a, 'i>(
    n: Node<'a, 'i>,
    ns: &'a str,
    local: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children().filter(move |c| is(*c, ns, local))
}

/// The first element child `{ns}local` of `n`.
pub fn child<'a, 'i>(n: Node<'a, 'i>, ns: &str, local: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| is(*c, ns, local))
}

/// Follows a path of `(ns, local)` steps through first matching children.
pub fn path<'a, 'i>(n: Node<'a, 'i>, steps: &[(&str, &str)]) -> Option<Node<'a, 'i>> {
    steps
        .iter()
        .try_fold(n, |cur, (ns, local)| child(cur, ns, local))
}

/// All the text inside an element, concatenated, untrimmed.
pub fn text_of(n: Node) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

/// Line numbers of byte offsets, from one pass over the text (roxmltree's `text_pos_at` scans
/// from the start on every call, which made the MEX inventory quadratic).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line of a node.
    pub fn line_of(&self, n: Node) -> u32 {
        let pos = n.range().start;
        self.starts.partition_point(|s| *s <= pos) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_matches_roxmltree() {
        let text = "<a>\n  <b/>\n\n  <c>\n    <d/>\n  </c>\n</a>";
        let doc = match parse(text) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let idx = LineIndex::new(text);
        for n in doc.descendants().filter(|n| n.is_element()) {
            assert_eq!(
                idx.line_of(n),
                doc.text_pos_at(n.range().start).row,
                "{:?}",
                n.tag_name()
            );
        }
    }
}
