//! The subset of NSPredicate that `federationPredicate` uses (PRE-3, PRE-5): comparisons
//! (`==`, `!=`, `<`, `<=`, `>`, `>=`, `BEGINSWITH`, `ENDSWITH`, `CONTAINS`, `IN`, `LIKE`, with the
//! `[c]`/`[d]` modifiers), `AND`/`OR`/`NOT` (and `&&`, `||`, `!`), parentheses, dotted key paths,
//! string, number, boolean and null literals, `{…}` aggregates, TRUEPREDICATE and FALSEPREDICATE.
//! Keywords are case-insensitive, as in NSPredicate.

use serde_json::Value;
use std::fmt;

/// A parse error with its byte offset in the predicate text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateError {
    /// Byte offset into the predicate.
    pub offset: usize,
    /// What was expected.
    pub message: String,
}

/// NSPredicate syntax fedconform's subset does not read: a predicate using it may well compile on
/// a Mac, so a parse error near one is "not evaluated", never "not formatted correctly".
pub const UNSUPPORTED_WORDS: [&str; 8] = [
    "MATCHES", "ANY", "ALL", "SOME", "NONE", "SUBQUERY", "FUNCTION", "BETWEEN",
];

impl PredicateError {
    /// The NSPredicate word outside fedconform's subset that the predicate uses, if any.
    pub fn unsupported_word(&self, source: &str) -> Option<&'static str> {
        let words: Vec<String> = source
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map(|w| w.to_ascii_uppercase())
            .collect();
        if source.contains('$') || source.contains('%') {
            return Some("substitution variables ($VAR, %@)");
        }
        UNSUPPORTED_WORDS
            .iter()
            .copied()
            .find(|u| words.iter().any(|w| w == u))
    }
}

/// Why NSPredicate would raise an exception evaluating a predicate (CFG-4): the exceptions
/// Foundation throws for these type mismatches and keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raise(pub String);

impl fmt::Display for PredicateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at offset {}: {}", self.offset, self.message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BeginsWith,
    EndsWith,
    Contains,
    In,
    Like,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Vec<String>),
    Lit(Value),
    Aggregate(Vec<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Const(bool),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Cmp {
        lhs: Operand,
        op: Op,
        case_insensitive: bool,
        diacritic_insensitive: bool,
        rhs: Operand,
    },
}

/// A parsed predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    source: String,
    root: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
    Modifier(String),
}

fn lex(s: &str) -> Result<Vec<(usize, Tok)>, PredicateError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let err = |offset, message: &str| PredicateError {
        offset,
        message: message.to_string(),
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'"' || c == b'\'' {
            let quote = c;
            i += 1;
            let mut text = String::new();
            loop {
                let Some(ch) = s[i..].chars().next() else {
                    return Err(err(
                        start,
                        "unterminated string literal: expected a closing quote",
                    ));
                };
                i += ch.len_utf8();
                if ch as u32 == u32::from(quote) {
                    break;
                }
                if ch == '\\' {
                    let Some(e) = s[i..].chars().next() else {
                        return Err(err(
                            start,
                            "unterminated string literal: expected a closing quote",
                        ));
                    };
                    i += e.len_utf8();
                    text.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                } else {
                    text.push(ch);
                }
            }
            out.push((start, Tok::Str(text)));
            continue;
        }
        if c == b'[' {
            let end = s[i..]
                .find(']')
                .ok_or_else(|| err(start, "unterminated modifier: expected ']'"))?;
            let m = s[i + 1..i + end].to_ascii_lowercase();
            if m.is_empty() || !m.chars().all(|ch| ch == 'c' || ch == 'd' || ch == 'n') {
                return Err(err(start, "unknown modifier: expected [c], [d] or [cd]"));
            }
            out.push((start, Tok::Modifier(m)));
            i += end + 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'e' || b[i] == b'E')
            {
                i += 1;
            }
            let n: f64 = s[start..i]
                .parse()
                .map_err(|_| err(start, "malformed number"))?;
            out.push((start, Tok::Num(n)));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c == b'#' || c == b'@' {
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || matches!(b[i], b'_' | b'$' | b'.' | b'@' | b'-'))
            {
                i += 1;
            }
            out.push((start, Tok::Ident(s[start..i].to_string())));
            continue;
        }
        const SYMS: [&str; 18] = [
            "==", "!=", "<>", "<=", "=<", ">=", "=>", "&&", "||", "=", "<", ">", "!", "(", ")",
            "{", "}", ",",
        ];
        match SYMS.iter().find(|sym| s[i..].starts_with(**sym)) {
            Some(sym) => {
                out.push((start, Tok::Sym(sym)));
                i += sym.len();
            }
            None => {
                return Err(err(
                    start,
                    &format!(
                        "unexpected character {:?}",
                        &s[i..].chars().next().unwrap_or(' ')
                    ),
                ));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: &'a [(usize, Tok)],
    pos: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.1)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map(|t| t.0).unwrap_or(self.end)
    }
    fn err<T>(&self, message: impl Into<String>) -> Result<T, PredicateError> {
        Err(PredicateError {
            offset: self.offset(),
            message: message.into(),
        })
    }
    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(kw))
    }
    fn sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }
    fn or(&mut self) -> Result<Node, PredicateError> {
        let mut l = self.and()?;
        while self.keyword("OR") || self.sym("||") {
            self.pos += 1;
            let r = self.and()?;
            l = Node::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Node, PredicateError> {
        let mut l = self.not()?;
        while self.keyword("AND") || self.sym("&&") {
            self.pos += 1;
            let r = self.not()?;
            l = Node::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn not(&mut self) -> Result<Node, PredicateError> {
        if self.keyword("NOT") || self.sym("!") {
            self.pos += 1;
            return Ok(Node::Not(Box::new(self.not()?)));
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Node, PredicateError> {
        if self.sym("(") {
            self.pos += 1;
            let n = self.or()?;
            if !self.sym(")") {
                return self.err("expected ')'");
            }
            self.pos += 1;
            return Ok(n);
        }
        if self.keyword("TRUEPREDICATE") {
            self.pos += 1;
            return Ok(Node::Const(true));
        }
        if self.keyword("FALSEPREDICATE") {
            self.pos += 1;
            return Ok(Node::Const(false));
        }
        let lhs = self.operand()?;
        let op = match self.peek() {
            Some(Tok::Sym("==")) | Some(Tok::Sym("=")) => Op::Eq,
            Some(Tok::Sym("!=")) | Some(Tok::Sym("<>")) => Op::Ne,
            Some(Tok::Sym("<")) => Op::Lt,
            Some(Tok::Sym("<=")) | Some(Tok::Sym("=<")) => Op::Le,
            Some(Tok::Sym(">")) => Op::Gt,
            Some(Tok::Sym(">=")) | Some(Tok::Sym("=>")) => Op::Ge,
            Some(Tok::Ident(w)) => match w.to_ascii_uppercase().as_str() {
                "BEGINSWITH" => Op::BeginsWith,
                "ENDSWITH" => Op::EndsWith,
                "CONTAINS" => Op::Contains,
                "IN" => Op::In,
                "LIKE" => Op::Like,
                "MATCHES" => return self.err("MATCHES is not supported: expected ==, !=, BEGINSWITH, ENDSWITH, CONTAINS, IN or LIKE"),
                _ => return self.err("expected a comparison operator (==, !=, BEGINSWITH, CONTAINS, IN, …)"),
            },
            _ => return self.err("expected a comparison operator (==, !=, BEGINSWITH, CONTAINS, IN, …)"),
        };
        self.pos += 1;
        let (mut ci, mut di) = (false, false);
        if let Some(Tok::Modifier(m)) = self.peek() {
            ci = m.contains('c');
            di = m.contains('d');
            self.pos += 1;
        }
        let rhs = self.operand()?;
        Ok(Node::Cmp {
            lhs,
            op,
            case_insensitive: ci,
            diacritic_insensitive: di,
            rhs,
        })
    }
    fn operand(&mut self) -> Result<Operand, PredicateError> {
        let Some(tok) = self.peek().cloned() else {
            return self.err("expected a key path or a literal, found the end");
        };
        match tok {
            Tok::Str(s) => {
                self.pos += 1;
                Ok(Operand::Lit(Value::String(s)))
            }
            Tok::Num(n) => {
                self.pos += 1;
                Ok(Operand::Lit(
                    serde_json::Number::from_f64(n)
                        .map(Value::Number)
                        .unwrap_or(Value::Null),
                ))
            }
            Tok::Sym("{") => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.sym("}") {
                    self.pos += 1;
                    return Ok(Operand::Aggregate(items));
                }
                loop {
                    items.push(self.operand()?);
                    if self.sym(",") {
                        self.pos += 1;
                    } else if self.sym("}") {
                        self.pos += 1;
                        return Ok(Operand::Aggregate(items));
                    } else {
                        return self.err("expected ',' or '}' in an aggregate");
                    }
                }
            }
            Tok::Ident(w) => {
                let upper = w.to_ascii_uppercase();
                let lit = match upper.as_str() {
                    "TRUE" | "YES" => Some(Value::Bool(true)),
                    "FALSE" | "NO" => Some(Value::Bool(false)),
                    "NULL" | "NIL" => Some(Value::Null),
                    "AND" | "OR" | "NOT" | "IN" | "CONTAINS" | "BEGINSWITH" | "ENDSWITH"
                    | "LIKE" | "MATCHES" => {
                        return self.err(format!("reserved word {w} where a key path or literal was expected (escape a key with '#')"));
                    }
                    _ => None,
                };
                self.pos += 1;
                if let Some(v) = lit {
                    return Ok(Operand::Lit(v));
                }
                let path = w.strip_prefix('#').unwrap_or(&w);
                let parts: Vec<String> = path
                    .split('.')
                    .map(|p| p.strip_prefix('#').unwrap_or(p).to_string())
                    .collect();
                if parts.iter().any(String::is_empty) {
                    self.pos -= 1;
                    return self.err(format!("malformed key path {w:?}"));
                }
                Ok(Operand::Path(parts))
            }
            _ => self.err("expected a key path or a literal"),
        }
    }
}

impl Predicate {
    /// Parses a predicate; errors carry the byte offset of the problem.
    pub fn parse(source: &str) -> Result<Self, PredicateError> {
        let toks = lex(source)?;
        let mut p = Parser {
            toks: &toks,
            pos: 0,
            end: source.len(),
        };
        if toks.is_empty() {
            return p.err("empty predicate: expected e.g. account_type == \"Federated\"");
        }
        let root = p.or()?;
        if p.pos != toks.len() {
            return p.err("unexpected text after the predicate: expected AND, OR or the end");
        }
        Ok(Predicate {
            source: source.to_string(),
            root,
        })
    }

    /// The text it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates against a JSON answer; missing key paths are nil, as in NSPredicate. Where
    /// NSPredicate would raise, this reads false (CFG-4 judges the raise).
    pub fn evaluate(&self, object: &Value) -> bool {
        eval(&self.root, object)
    }

    /// Evaluates as NSPredicate does, raising where it raises: a key beginning with `@` read from
    /// a dictionary (NSDictionary's `valueForKey:` hands it to NSObject's, which raises
    /// NSUnknownKeyException), a substring operator (BEGINSWITH, ENDSWITH, CONTAINS, LIKE) on a
    /// value that is not a string, IN with a right-hand side that is not a collection, and an
    /// ordering (<, >) of values that do not compare. `AND` and `OR` stop at the first operand
    /// that decides, as NSCompoundPredicate does. macOS evaluates `federationPredicate` against an
    /// empty dictionary when the configuration is set *(observed)*.
    pub fn evaluate_strict(&self, object: &Value) -> Result<bool, Raise> {
        eval_strict(&self.root, object)
    }
}

/// NSDictionary's own keys that answer through NSObject's `valueForKey:` without raising.
const DICTIONARY_KEYS: [&str; 4] = ["count", "allKeys", "allValues", "description"];

fn resolve_strict(o: &Operand, obj: &Value) -> Result<Value, Raise> {
    if let Operand::Path(p) = o
        && let Some(first) = p.first()
        && let Some(key) = first.strip_prefix('@')
        && obj.is_object()
        && !DICTIONARY_KEYS.contains(&key)
    {
        return Err(Raise(format!(
            "NSUnknownKeyException: the dictionary is not key value coding-compliant for the key \"{key}\""
        )));
    }
    if let Operand::Aggregate(items) = o {
        return items
            .iter()
            .map(|i| resolve_strict(i, obj))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    Ok(resolve(o, obj))
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "==",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::BeginsWith => "BEGINSWITH",
        Op::EndsWith => "ENDSWITH",
        Op::Contains => "CONTAINS",
        Op::In => "IN",
        Op::Like => "LIKE",
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) | Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a dictionary",
    }
}

fn eval_strict(n: &Node, obj: &Value) -> Result<bool, Raise> {
    match n {
        Node::Const(b) => Ok(*b),
        Node::Not(x) => eval_strict(x, obj).map(|b| !b),
        Node::And(a, b) => Ok(eval_strict(a, obj)? && eval_strict(b, obj)?),
        Node::Or(a, b) => Ok(eval_strict(a, obj)? || eval_strict(b, obj)?),
        Node::Cmp { lhs, op, rhs, .. } => {
            let (l, r) = (resolve_strict(lhs, obj)?, resolve_strict(rhs, obj)?);
            let both = !l.is_null() && !r.is_null();
            let raise = match op {
                Op::BeginsWith | Op::EndsWith | Op::Like => {
                    both && !(l.is_string() && r.is_string())
                }
                Op::Contains => both && !l.is_array() && !(l.is_string() && r.is_string()),
                Op::In => !(r.is_null() || r.is_array() || r.is_string() || r.is_object()),
                Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                    let num = |v: &Value| v.is_number() || v.is_boolean();
                    both && !((l.is_string() && r.is_string()) || (num(&l) && num(&r)))
                }
                Op::Eq | Op::Ne => false,
            };
            if raise {
                return Err(Raise(format!(
                    "NSInvalidArgumentException: {} cannot compare {} with {}",
                    op_name(*op),
                    kind(&l),
                    kind(&r)
                )));
            }
            Ok(eval(n, obj))
        }
    }
}

fn resolve(o: &Operand, obj: &Value) -> Value {
    match o {
        Operand::Lit(v) => v.clone(),
        Operand::Path(p) => {
            if p.len() == 1 && p[0].eq_ignore_ascii_case("SELF") {
                return obj.clone();
            }
            p.iter()
                .try_fold(obj, |cur, k| cur.as_object()?.get(k))
                .cloned()
                .unwrap_or(Value::Null)
        }
        Operand::Aggregate(items) => Value::Array(items.iter().map(|i| resolve(i, obj)).collect()),
    }
}

fn fold(s: &str, ci: bool, di: bool) -> String {
    let s: String = if di {
        s.chars().map(strip_diacritic).collect()
    } else {
        s.to_string()
    };
    if ci { s.to_lowercase() } else { s }
}

fn strip_diacritic(c: char) -> char {
    match c {
        'à'..='å' => 'a',
        'À'..='Å' => 'A',
        'è'..='ë' => 'e',
        'È'..='Ë' => 'E',
        'ì'..='ï' => 'i',
        'Ì'..='Ï' => 'I',
        'ò'..='ö' => 'o',
        'Ò'..='Ö' => 'O',
        'ù'..='ü' => 'u',
        'Ù'..='Ü' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ñ' => 'n',
        'Ñ' => 'N',
        other => other,
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn equal(a: &Value, b: &Value, ci: bool, di: bool) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => fold(x, ci, di) == fold(y, ci, di),
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::String(_), _) | (_, Value::String(_)) => false,
        _ => match (as_number(a), as_number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Iterative glob matching with backtracking on the last '*'.
    let (mut ti, mut pi, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn eval(n: &Node, obj: &Value) -> bool {
    match n {
        Node::Const(b) => *b,
        Node::Not(x) => !eval(x, obj),
        Node::And(a, b) => eval(a, obj) && eval(b, obj),
        Node::Or(a, b) => eval(a, obj) || eval(b, obj),
        Node::Cmp {
            lhs,
            op,
            case_insensitive: ci,
            diacritic_insensitive: di,
            rhs,
        } => {
            let (l, r) = (resolve(lhs, obj), resolve(rhs, obj));
            let (ci, di) = (*ci, *di);
            match op {
                Op::Eq => equal(&l, &r, ci, di),
                Op::Ne => !equal(&l, &r, ci, di),
                Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                    let ord = match (&l, &r) {
                        (Value::String(x), Value::String(y)) => {
                            Some(fold(x, ci, di).cmp(&fold(y, ci, di)))
                        }
                        _ => as_number(&l)
                            .zip(as_number(&r))
                            .and_then(|(x, y)| x.partial_cmp(&y)),
                    };
                    match ord {
                        None => false,
                        Some(o) => match op {
                            Op::Lt => o.is_lt(),
                            Op::Le => o.is_le(),
                            Op::Gt => o.is_gt(),
                            _ => o.is_ge(),
                        },
                    }
                }
                Op::BeginsWith | Op::EndsWith | Op::Like => match (&l, &r) {
                    (Value::String(x), Value::String(y)) => {
                        let (x, y) = (fold(x, ci, di), fold(y, ci, di));
                        match op {
                            Op::BeginsWith => x.starts_with(&y),
                            Op::EndsWith => x.ends_with(&y),
                            _ => like(&x, &y),
                        }
                    }
                    _ => false,
                },
                Op::Contains => match (&l, &r) {
                    (Value::String(x), Value::String(y)) => {
                        fold(x, ci, di).contains(&fold(y, ci, di))
                    }
                    (Value::Array(items), v) => items.iter().any(|i| equal(i, v, ci, di)),
                    _ => false,
                },
                Op::In => match (&l, &r) {
                    (v, Value::Array(items)) => items.iter().any(|i| equal(v, i, ci, di)),
                    (Value::String(x), Value::String(y)) => {
                        fold(y, ci, di).contains(&fold(x, ci, di))
                    }
                    (Value::String(x), Value::Object(m)) => m.contains_key(x),
                    _ => false,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(p: &str, v: &Value) -> bool {
        match Predicate::parse(p) {
            Ok(pr) => pr.evaluate(v),
            Err(e) => panic!("{p}: {e}"),
        }
    }

    #[test]
    fn microsoft_user_realm_predicates() {
        let fed = json!({"account_type": "Federated", "federation_protocol": "WSTrust", "ver": "1.0", "n": 2, "ok": true, "d": {"k": "v"}});
        let man = json!({"account_type": "Managed"});
        assert!(t("account_type == \"Federated\"", &fed));
        assert!(!t("account_type == \"Federated\"", &man));
        assert!(t("account_type ==[c] 'federated'", &fed));
        assert!(!t("account_type == 'federated'", &fed));
        assert!(t(
            "account_type != 'Managed' AND federation_protocol BEGINSWITH[c] 'ws'",
            &fed
        ));
        assert!(t("NOT (account_type == 'Managed') && n >= 2", &fed));
        assert!(t("account_type IN {'Federated', 'Other'}", &fed));
        assert!(t("d.k == 'v' and ok == YES and ok == 1", &fed));
        assert!(t(
            "account_type CONTAINS[cd] 'DERA' or missing == nil",
            &man
        ));
        assert!(!t("missing == 'x'", &fed));
        assert!(t("missing != 'x'", &fed));
        assert!(t("account_type LIKE 'Fed*ed'", &fed));
        assert!(t("TRUEPREDICATE", &man));
    }

    #[test]
    fn strict_evaluation_raises_where_nspredicate_raises() {
        let empty = json!({});
        let raises = |p: &str| {
            Predicate::parse(p)
                .map(|pr| pr.evaluate_strict(&empty).is_err())
                .unwrap_or(false)
        };
        assert!(!raises(r#"account_type ==[c] "federated""#));
        assert!(!raises("missing BEGINSWITH 'x' OR n < 3"));
        assert!(raises(r#"SELF BEGINSWITH[c] "federated""#));
        assert!(raises(r#"@type == "x""#));
        assert!(!raises("@count == 0"));
        assert!(raises("'a' < 3"));
        assert!(raises("'a' IN 3"));
        // OR stops at the first true operand, as NSCompoundPredicate does.
        let fed = json!({"account_type": "Federated"});
        let p = Predicate::parse(r#"account_type ==[c] "federated" OR SELF BEGINSWITH "x""#)
            .expect("parses");
        assert_eq!(p.evaluate_strict(&fed), Ok(true));
        assert!(p.evaluate_strict(&empty).is_err());
    }

    #[test]
    fn errors_carry_offsets() {
        let e = Predicate::parse("account_type == ").err().map(|e| e.offset);
        assert_eq!(e, Some(16));
        let e = Predicate::parse("a == 'x' b").err().map(|e| e.offset);
        assert_eq!(e, Some(9));
        assert!(Predicate::parse("a == 'x").is_err());
        assert!(Predicate::parse("a MATCHES 'x'").is_err());
    }
}
