//! Bytes to text, as macOS reads them (SPEC.md "Answers as macOS reads them"):
//!
//! - JSON as Foundation's `JSONSerialization` reads it: "The data must be in one of the 5
//!   supported encodings listed in the JSON specification: UTF-8, UTF-16LE, UTF-16BE, UTF-32LE,
//!   UTF-32BE. The data may or may not have a BOM." (Apple documentation,
//!   `jsonObject(with:options:)`). Without a BOM the encoding is recognised from the pattern of
//!   zero bytes in the first four (RFC 4627 section 3).
//! - XML as libxml2 reads it (XML 1.0 section 4.3.3 and Appendix F): a byte-order mark, else the
//!   first bytes' pattern (UTF-16 and UCS-4 without a BOM), else the encoding declaration of an
//!   ASCII-compatible document, else UTF-8. Declared encodings are decoded with `encoding_rs`;
//!   ISO-8859-1 as the real Latin-1 libxml2 implements (not windows-1252, which the WHATWG labels
//!   map it to).
//!
//! Bytes that are not valid in the encoding found are an error that says which encoding and
//! where, never replaced.

use std::borrow::Cow;

/// The text of a body and the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text, without a byte-order mark.
    pub text: Cow<'a, str>,
    /// The encoding's name (`UTF-8`, `UTF-16LE`, `ISO-8859-1`, `windows-1252`…).
    pub encoding: &'static str,
    /// The body began with a byte-order mark.
    pub bom: bool,
}

/// Why a body is not text in any encoding the reader accepts: what, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The encoding tried.
    pub encoding: String,
    /// Byte offset of the first bad byte, when known.
    pub offset: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn utf8(bytes: &[u8], bom: bool) -> Result<Decoded<'_>, DecodeError> {
    std::str::from_utf8(bytes)
        .map(|t| Decoded {
            text: Cow::Borrowed(t),
            encoding: "UTF-8",
            bom,
        })
        .map_err(|e| DecodeError {
            encoding: "UTF-8".into(),
            offset: Some(e.valid_up_to() + if bom { 3 } else { 0 }),
            message: format!(
                "not UTF-8 (invalid byte at offset {})",
                e.valid_up_to() + if bom { 3 } else { 0 }
            ),
        })
}

fn with(
    enc: &'static encoding_rs::Encoding,
    bytes: &[u8],
    bom: bool,
) -> Result<Decoded<'static>, DecodeError> {
    match enc.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(t) => Ok(Decoded {
            text: Cow::Owned(t.into_owned()),
            encoding: enc.name(),
            bom,
        }),
        None => Err(DecodeError {
            encoding: enc.name().into(),
            offset: None,
            message: format!("not valid {} (a malformed byte sequence)", enc.name()),
        }),
    }
}

/// UTF-32 (no crate of the encoding_rs family reads it: the WHATWG encodings leave it out): each
/// four bytes one Unicode scalar value.
fn utf32(bytes: &[u8], big_endian: bool, bom: bool) -> Result<Decoded<'static>, DecodeError> {
    let name = if big_endian { "UTF-32BE" } else { "UTF-32LE" };
    let bad = |offset: usize, why: &str| DecodeError {
        encoding: name.into(),
        offset: Some(offset),
        message: format!("not valid {name} ({why} at offset {offset})"),
    };
    if !bytes.len().is_multiple_of(4) {
        return Err(bad(bytes.len() - bytes.len() % 4, "a truncated code unit"));
    }
    let mut out = String::with_capacity(bytes.len() / 4);
    for (i, c) in bytes.chunks_exact(4).enumerate() {
        let a = [c[0], c[1], c[2], c[3]];
        let v = if big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        };
        out.push(char::from_u32(v).ok_or_else(|| bad(i * 4, "not a Unicode scalar value"))?);
    }
    Ok(Decoded {
        text: Cow::Owned(out),
        encoding: name,
        bom,
    })
}

/// The byte-order marks, longest first: (mark, what it announces).
enum Bom {
    Utf8,
    Utf16Be,
    Utf16Le,
    Utf32Be,
    Utf32Le,
}

fn bom(bytes: &[u8]) -> Option<(Bom, usize)> {
    if bytes.starts_with(&[0x00, 0x00, 0xFE, 0xFF]) {
        Some((Bom::Utf32Be, 4))
    } else if bytes.starts_with(&[0xFF, 0xFE, 0x00, 0x00]) {
        Some((Bom::Utf32Le, 4))
    } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some((Bom::Utf8, 3))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((Bom::Utf16Be, 2))
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((Bom::Utf16Le, 2))
    } else {
        None
    }
}

fn by_bom(b: Bom, rest: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    match b {
        Bom::Utf8 => utf8(rest, true),
        Bom::Utf16Be => with(encoding_rs::UTF_16BE, rest, true),
        Bom::Utf16Le => with(encoding_rs::UTF_16LE, rest, true),
        Bom::Utf32Be => utf32(rest, true, true),
        Bom::Utf32Le => utf32(rest, false, true),
    }
}

/// A JSON body's text, as `JSONSerialization` reads it: UTF-8, UTF-16 or UTF-32 of either byte
/// order, with or without a byte-order mark.
pub fn json(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if let Some((b, n)) = bom(bytes) {
        return by_bom(b, &bytes[n..]);
    }
    let z = |i: usize| bytes.get(i) == Some(&0);
    let nz = |i: usize| bytes.get(i).is_some_and(|b| *b != 0);
    if bytes.len() >= 4 && z(0) && z(1) && z(2) && nz(3) {
        utf32(bytes, true, false)
    } else if bytes.len() >= 4 && nz(0) && z(1) && z(2) && z(3) {
        utf32(bytes, false, false)
    } else if bytes.len() >= 2 && z(0) && nz(1) {
        with(encoding_rs::UTF_16BE, bytes, false)
    } else if bytes.len() >= 2 && nz(0) && z(1) {
        with(encoding_rs::UTF_16LE, bytes, false)
    } else {
        utf8(bytes, false)
    }
}

/// The `encoding` of an XML declaration at the start of an ASCII-compatible document.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    let end = bytes.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&bytes[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let close = value.find(quote)?;
    Some(value[..close].to_string())
}

/// The labels of ISO-8859-1 (IANA), which libxml2 decodes as Latin-1 itself.
const LATIN1: [&str; 9] = [
    "iso-8859-1",
    "iso_8859-1",
    "iso8859-1",
    "latin1",
    "l1",
    "iso-ir-100",
    "ibm819",
    "cp819",
    "csisolatin1",
];

/// An XML body's text, as libxml2 reads it (see the module documentation).
pub fn xml(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if let Some((b, n)) = bom(bytes) {
        return by_bom(b, &bytes[n..]);
    }
    match bytes.get(..4) {
        Some([0x00, 0x00, 0x00, 0x3C]) => return utf32(bytes, true, false),
        Some([0x3C, 0x00, 0x00, 0x00]) => return utf32(bytes, false, false),
        Some([0x00, 0x3C, 0x00, 0x3F]) => return with(encoding_rs::UTF_16BE, bytes, false),
        Some([0x3C, 0x00, 0x3F, 0x00]) => return with(encoding_rs::UTF_16LE, bytes, false),
        Some([0x4C, 0x6F, 0xA7, 0x94]) => {
            return Err(DecodeError {
                encoding: "EBCDIC".into(),
                offset: Some(0),
                message: "an EBCDIC document, which is not read here".into(),
            });
        }
        _ => {}
    }
    let Some(label) = declared_encoding(bytes) else {
        return utf8(bytes, false);
    };
    let lower = label.trim().to_ascii_lowercase();
    if LATIN1.contains(&lower.as_str()) {
        return Ok(Decoded {
            text: Cow::Owned(encoding_rs::mem::decode_latin1(bytes).into_owned()),
            encoding: "ISO-8859-1",
            bom: false,
        });
    }
    if lower == "us-ascii" || lower == "ascii" {
        return match bytes.iter().position(|b| !b.is_ascii()) {
            None => utf8(bytes, false).map(|d| Decoded {
                encoding: "US-ASCII",
                ..d
            }),
            Some(i) => Err(DecodeError {
                encoding: "US-ASCII".into(),
                offset: Some(i),
                message: format!("not US-ASCII as declared (a byte over 0x7F at offset {i})"),
            }),
        };
    }
    match encoding_rs::Encoding::for_label(lower.as_bytes()) {
        Some(e) if e == encoding_rs::UTF_8 => utf8(bytes, false),
        Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => Err(DecodeError {
            encoding: e.name().into(),
            offset: Some(0),
            message: format!(
                "declared {} but written in single bytes, without a byte-order mark",
                super::quoted(&label)
            ),
        }),
        Some(e) if e == encoding_rs::REPLACEMENT => Err(DecodeError {
            encoding: label.clone(),
            offset: Some(0),
            message: format!(
                "declared {}, an encoding not read here",
                super::quoted(&label)
            ),
        }),
        Some(e) => with(e, bytes, false),
        None => Err(DecodeError {
            encoding: label.clone(),
            offset: Some(0),
            message: format!(
                "the declaration names the encoding {}, which libxml2 does not know",
                super::quoted(&label)
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, be: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for u in s.encode_utf16() {
            out.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        out
    }

    fn utf32b(s: &str, be: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if be {
                &[0, 0, 0xFE, 0xFF]
            } else {
                &[0xFF, 0xFE, 0, 0]
            });
        }
        for c in s.chars() {
            let v = c as u32;
            out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
        }
        out
    }

    #[test]
    fn json_in_every_encoding_foundation_reads() {
        let s = r#"{"a":"é"}"#;
        let mut bom8 = vec![0xEF, 0xBB, 0xBF];
        bom8.extend_from_slice(s.as_bytes());
        for (bytes, enc) in [
            (s.as_bytes().to_vec(), "UTF-8"),
            (bom8, "UTF-8"),
            (utf16(s, true, false), "UTF-16BE"),
            (utf16(s, false, false), "UTF-16LE"),
            (utf16(s, true, true), "UTF-16BE"),
            (utf16(s, false, true), "UTF-16LE"),
            (utf32b(s, true, false), "UTF-32BE"),
            (utf32b(s, false, false), "UTF-32LE"),
            (utf32b(s, true, true), "UTF-32BE"),
            (utf32b(s, false, true), "UTF-32LE"),
        ] {
            let d = json(&bytes).unwrap_or_else(|e| panic!("{enc}: {e}"));
            assert_eq!((d.text.as_ref(), d.encoding), (s, enc));
        }
        assert!(json(b"{\"a\":\"\xff\"}").is_err_and(|e| e.message.contains("not UTF-8")));
    }

    #[test]
    fn xml_in_every_encoding_libxml2_reads() {
        let body = "<a>é</a>";
        let decl16 = format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?>{body}");
        for (bytes, enc) in [
            (utf16(&decl16, false, true), "UTF-16LE"),
            (utf16(&decl16, true, true), "UTF-16BE"),
            (utf16(&decl16, false, false), "UTF-16LE"),
            (utf16(&decl16, true, false), "UTF-16BE"),
            (utf32b(&decl16, true, false), "UTF-32BE"),
            (utf32b(&decl16, false, true), "UTF-32LE"),
        ] {
            let d = xml(&bytes).unwrap_or_else(|e| panic!("{enc}: {e}"));
            assert_eq!((d.text.as_ref(), d.encoding), (decl16.as_str(), enc));
        }
        let mut latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>".to_vec();
        latin1.extend_from_slice(&[0xE9, 0x80]);
        latin1.extend_from_slice(b"</a>");
        let d = xml(&latin1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.encoding, "ISO-8859-1");
        assert!(
            d.text.ends_with("<a>é\u{80}</a>"),
            "real Latin-1: {:?}",
            d.text
        );
        let mut w1252 = b"<?xml version='1.0' encoding='windows-1252'?><a>".to_vec();
        w1252.extend_from_slice(&[0x80]);
        w1252.extend_from_slice(b"</a>");
        assert!(xml(&w1252).is_ok_and(|d| d.text.contains('€')));
        let mut sjis = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>".to_vec();
        sjis.extend_from_slice(&[0x82, 0xA0]);
        sjis.extend_from_slice(b"</a>");
        assert!(xml(&sjis).is_ok_and(|d| d.text.contains('あ')));
        assert!(
            xml(b"<?xml version=\"1.0\" encoding=\"x-nonsense\"?><a/>").is_err_and(|e| e
                .message
                .contains("\"x-nonsense\", which libxml2 does not know"))
        );
        assert!(
            xml(b"<a>\xff</a>").is_err_and(|e| e.message == "not UTF-8 (invalid byte at offset 3)")
        );
        assert!(xml(b"<?xml version=\"1.0\" encoding=\"us-ascii\"?><a>\xe9</a>").is_err());
    }
}
