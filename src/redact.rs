//! The one redaction mechanism (rule 4): every output path — console, transcripts, reports,
//! goldens — passes its text through a [`Redactor`] holding the run's secrets.

use base64::Engine;
use std::sync::{Arc, RwLock};

/// What a secret is replaced with.
pub const MASK: &str = "[REDACTED]";

/// A shared set of secrets; cloning shares the set.
#[derive(Clone, Default, Debug)]
pub struct Redactor {
    needles: Arc<RwLock<Vec<String>>>,
    /// The needles as one automaton (leftmost-longest), rebuilt when a secret is added: one pass
    /// over a text finds them all.
    automaton: Arc<RwLock<Option<aho_corasick::AhoCorasick>>>,
    /// The secrets themselves, found under any mix of text encodings by [`encoded_spans`].
    secrets: Arc<RwLock<Vec<Vec<char>>>>,
}

impl Redactor {
    /// An empty redactor.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a secret, in every encoding it could appear in: raw, XML-escaped, URL-encoded
    /// (both `%20` and `+` forms), JSON-escaped and base64 (standard and URL-safe, at the three
    /// alignments a secret can take inside a longer encoded string).
    pub fn add_secret(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut forms = vec![
            secret.to_string(),
            xml_escape(secret),
            xml_escape_min(secret),
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
        ];
        if let Ok(json) = serde_json::to_string(secret) {
            forms.push(json.trim_matches('"').to_string());
        }
        for engine in [
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            for shift in 0..3usize {
                // Encode the secret preceded by `shift` filler bytes, then drop the characters
                // that depend on the filler and the last partial group: what remains appears in
                // any base64 text containing the secret at that alignment.
                let mut buf = vec![0u8; shift];
                buf.extend_from_slice(secret.as_bytes());
                let enc = engine.encode(&buf);
                let skip = match shift {
                    0 => 0,
                    1 => 2,
                    _ => 3,
                };
                let total = buf.len();
                let whole = (total / 3) * 4;
                if whole > skip + 3 {
                    forms.push(enc[skip..whole].to_string());
                }
            }
        }
        {
            let mut secrets = match self.secrets.write() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            let chars: Vec<char> = secret.chars().collect();
            if !secrets.contains(&chars) {
                secrets.push(chars);
            }
        }
        let mut needles = match self.needles.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        // Base64 fragments of a short secret are a character or two that any text holds; its
        // text forms are masked however short (a leak is worse than a masked coincidence).
        for (i, f) in forms.into_iter().enumerate() {
            let text_form = i < 6;
            if (text_form || f.len() >= 3) && !needles.contains(&f) {
                needles.push(f);
            }
        }
        // Longest first, so a longer encoding is masked before a shorter one inside it.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let built = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(needles.iter())
            .ok();
        match self.automaton.write() {
            Ok(mut a) => *a = built,
            Err(p) => *p.into_inner() = built,
        }
    }

    /// Replaces every registered secret in `text`.
    pub fn redact(&self, text: &str) -> String {
        let automaton = match self.automaton.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let out = match automaton.as_ref() {
            Some(a) => a.replace_all(text, &vec![MASK; a.patterns_len()]),
            None => text.to_string(),
        };
        // Then any mix of encodings another serialiser writes: numeric character references,
        // JSON's \u escapes, percent-escapes of some characters and not others.
        let secrets = match self.secrets.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let spans = encoded_spans(&out, &secrets);
        if spans.is_empty() {
            return out;
        }
        let mut masked = String::with_capacity(out.len());
        let mut at = 0;
        for (start, end) in spans {
            masked.push_str(&out[at..start]);
            masked.push_str(MASK);
            at = end;
        }
        masked.push_str(&out[at..]);
        masked
    }

    /// True when no secret is registered.
    pub fn is_empty(&self) -> bool {
        self.needles.read().map(|n| n.is_empty()).unwrap_or(true)
    }
}

/// Where any of `secrets` appears in `text` under any mix of the encodings a serialiser may
/// write for each of its characters: as itself, an XML or HTML character reference (`&amp;`,
/// `&#38;`, `&#x26;`), a JSON escape (`\\"`, `\\u0026`, a surrogate pair), percent-escaped
/// UTF-8 (`%26`, either case) or `+` for a space. Byte ranges, in order, not overlapping. One
/// pass over the bytes: only a byte that can start a secret (its first character's first byte,
/// or an escape's) is tried.
fn encoded_spans(text: &str, secrets: &[Vec<char>]) -> Vec<(usize, usize)> {
    let mut starts = [false; 256];
    for b in [b'&', b'\\', b'%', b'+'] {
        starts[usize::from(b)] = true;
    }
    let mut any = false;
    for secret in secrets {
        if let Some(&c) = secret.first() {
            let mut buf = [0u8; 4];
            starts[usize::from(c.encode_utf8(&mut buf).as_bytes()[0])] = true;
            any = true;
        }
    }
    if !any {
        return Vec::new();
    }
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // A start byte is ASCII or a UTF-8 lead byte: always a character boundary.
        if starts[usize::from(bytes[i])]
            && let Some(end) = secrets
                .iter()
                .filter(|s| !s.is_empty())
                .find_map(|s| match_from(text, i, s))
        {
            spans.push((i, end));
            i = end;
            continue;
        }
        i += 1;
    }
    spans
}

/// The end of an encoded `secret` starting at byte `at`, if one does (depth-first over the
/// ways each character may be written).
fn match_from(text: &str, at: usize, secret: &[char]) -> Option<usize> {
    let Some((&want, rest)) = secret.split_first() else {
        return Some(at);
    };
    let tail = &text[at..];
    let c = tail.chars().next()?;
    if c == want
        && let Some(end) = match_from(text, at + c.len_utf8(), rest)
    {
        return Some(end);
    }
    match decode_at(tail) {
        Some((d, len)) if d == want => match_from(text, at + len, rest),
        _ => None,
    }
}

/// What an escape at the start of `rest` stands for, and its length in bytes: a character
/// reference, a JSON escape, percent-escaped UTF-8 or `+`. None when `rest` starts with none.
fn decode_at(rest: &str) -> Option<(char, usize)> {
    let b = rest.as_bytes();
    match b.first()? {
        b'&' => {
            let semi = b.iter().take(12).position(|&x| x == b';')?;
            let name = &rest[1..semi];
            let d = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let n = name.strip_prefix('#')?;
                    let v = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse::<u32>().ok()?,
                    };
                    char::from_u32(v)?
                }
            };
            Some((d, semi + 1))
        }
        b'\\' => {
            let simple = match b.get(1)? {
                b'"' => Some('"'),
                b'\\' => Some('\\'),
                b'/' => Some('/'),
                b'n' => Some('\n'),
                b't' => Some('\t'),
                b'r' => Some('\r'),
                _ => None,
            };
            if let Some(d) = simple {
                return Some((d, 2));
            }
            let hex4 = |s: &str| {
                s.get(2..6)
                    .filter(|_| s.starts_with("\\u"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
            };
            let u = hex4(rest)?;
            if (0xD800..0xDC00).contains(&u) {
                let lo = rest.get(6..).and_then(hex4)?;
                if !(0xDC00..0xE000).contains(&lo) {
                    return None;
                }
                let d = char::from_u32(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00))?;
                Some((d, 12))
            } else {
                Some((char::from_u32(u)?, 6))
            }
        }
        b'%' => {
            // Percent-escaped UTF-8: as many %XX as the lead byte says.
            let byte = |k: usize| {
                rest.get(k * 3..k * 3 + 3)
                    .filter(|t| t.starts_with('%'))
                    .and_then(|t| u8::from_str_radix(&t[1..], 16).ok())
            };
            let n = match byte(0)? {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => return None,
            };
            let mut buf = [0u8; 4];
            for (k, slot) in buf.iter_mut().enumerate().take(n) {
                *slot = byte(k)?;
            }
            let d = std::str::from_utf8(&buf[..n]).ok()?.chars().next()?;
            Some((d, n * 3))
        }
        b'+' => Some((' ', 1)),
        _ => None,
    }
}

/// XML-escapes the five special characters.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// XML-escapes only what text content requires (`&`, `<`, `>`): another serialiser's form.
fn xml_escape_min(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn masks_every_encoding() {
        let r = Redactor::new();
        let secret = "p@ss<&>'\"wörd+1 x";
        r.add_secret(secret);
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("user:{secret}"));
        let cases = [
            secret.to_string(),
            xml_escape(secret),
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
            b64,
        ];
        for c in cases {
            let out = r.redact(&format!("before {c} after"));
            assert!(out.contains(MASK), "not masked: {c} -> {out}");
            assert!(!out.contains("wörd") && !out.contains("w%C3%B6rd"), "{out}");
        }
    }

    #[test]
    fn masks_any_mix_of_encodings_other_serialisers_write() {
        let r = Redactor::new();
        let secret = "p&ss<w>\"rd é+%/=";
        r.add_secret(secret);
        for form in [
            // Numeric character references, as .NET and Python's XML writers mix them.
            "p&amp;ss&lt;w&#62;&#34;rd é+%/=",
            "&#112;&#38;&#115;&#115;&#60;&#119;&#62;&#34;&#114;&#100;&#32;&#233;&#43;&#37;&#47;&#61;",
            "p&#x26;ss&#X3C;w&gt;&quot;rd &#xE9;+%/=",
            // Percent-encoding that leaves `/` alone (quote(), encodeURI), either hex case.
            "p%26ss%3Cw%3E%22rd%20%C3%A9%2B%25/%3D",
            "p%26ss%3cw%3e%22rd%20%c3%a9%2b%25/%3d",
            // JSON as Go writes it, and as Python writes it by default.
            "p\\u0026ss\\u003cw\\u003e\\\"rd \\u00e9+%/=",
            "p&ss<w>\\\"rd \\u00e9+%/=",
        ] {
            let out = r.redact(&format!("<x>{form}</x>"));
            assert_eq!(out, format!("<x>{MASK}</x>"), "not masked: {form}");
        }
        // Text that merely shares a prefix is left alone, multi-byte text included.
        assert_eq!(r.redact("p&amp;ss is fïne ü"), "p&amp;ss is fïne ü");
    }

    #[test]
    fn multi_byte_text_around_escapes_never_panics() {
        let r = Redactor::new();
        r.add_secret("é&ü");
        for t in [
            "&ééééééé;",
            "&#ééé",
            "\\uéé",
            "%C3é",
            "%é",
            "&",
            "\\",
            "%",
            "+",
            "é&amp;ü",
            "é%26ü",
        ] {
            let _ = r.redact(t);
        }
        assert_eq!(r.redact("x é&amp;ü y"), format!("x {MASK} y"));
    }

    #[test]
    fn a_short_secret_is_masked_too() {
        let r = Redactor::new();
        r.add_secret("Q7");
        assert_eq!(r.redact("password=Q7&x"), format!("password={MASK}&x"));
    }

    #[test]
    fn base64_at_every_alignment() {
        let r = Redactor::new();
        r.add_secret("correct horse battery");
        for prefix in ["", "a", "ab", "abc"] {
            let enc = base64::engine::general_purpose::STANDARD
                .encode(format!("{prefix}correct horse battery!"));
            assert!(r.redact(&enc).contains(MASK), "prefix {prefix:?}: {enc}");
        }
    }
}
