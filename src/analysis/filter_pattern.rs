//! CloudWatch Logs filter patterns for JSON log events: a parser producing an AST, and an
//! evaluator of the AST against one JSON event.
//!
//! The grammar (what CloudTrail metric filters use):
//!
//! ```text
//! pattern    := '{' or '}'                    JSON pattern
//!             | ''                            empty pattern: every event
//! or         := and ('||' and)*
//! and        := primary ('&&' primary)*       && binds tighter than ||
//! primary    := '(' or ')' | test
//! test       := selector op value
//!             | selector 'EXISTS' | selector 'NOT EXISTS'
//!             | selector 'IS NULL' | selector 'IS TRUE' | selector 'IS FALSE'
//! selector   := '$' ('.' name | '[' index ']')*
//! op         := '=' | '!=' | '<' | '<=' | '>' | '>='
//! value      := '"' text '"' | bare text      '*' is a wildcard in both
//! ```
//!
//! Matching, as CloudWatch Logs documents it: a comparison holds only when the selector
//! reaches a scalar of the event, so `!=` never matches an absent field (that is what
//! `NOT EXISTS` is for). Strings compare case-sensitively; a bare number compares
//! numerically with a JSON number and as text with a JSON string.
//!
//! Term patterns (`ERROR`, `"Failed authentication"`), space-delimited patterns (`[ip, …]`)
//! and regular expressions (`%…%`) are not guessed at: they are parse errors of kind
//! [`PatternErrorKind::Unsupported`], with the position where the unsupported syntax starts.

use serde_json::Value;
use std::fmt;

/// Parenthesis nesting beyond this is refused: no real filter comes near it, and it keeps
/// the recursive parser's stack bounded whatever text it is given.
const MAX_DEPTH: usize = 64;

/// A parsed filter pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// The empty pattern: matches every event.
    Everything,
    Json(Expr),
}

/// A JSON pattern expression. Nested conjunctions and disjunctions are flattened, so
/// redundant parentheses do not change the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Test(Test),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub selector: Selector,
    pub check: Check,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Compare(Comparison, Literal),
    Exists,
    NotExists,
    IsNull,
    IsTrue,
    IsFalse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// A path into the event: `$.a.b[0]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Field(String),
    Index(usize),
}

/// A value to compare with: text with `*` wildcards, and its number if it is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub parts: Vec<GlobPart>,
    /// Set for a bare numeric literal (`200`, `-1.5`), which also compares numerically.
    pub number: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlobPart {
    Text(String),
    /// `*`: any run of characters, including none.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternErrorKind {
    /// Valid CloudWatch syntax that this engine does not evaluate.
    Unsupported,
    /// Not a valid filter pattern.
    Invalid,
}

/// Why a pattern could not be parsed, and where (1-based character column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: PatternErrorKind,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PatternErrorKind::Unsupported => "unsupported",
            PatternErrorKind::Invalid => "invalid",
        };
        write!(f, "{kind} at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a filter pattern.
pub fn parse(text: &str) -> Result<Pattern, ParseError> {
    let mut parser = Parser {
        text,
        chars: text.char_indices().collect(),
        at: 0,
    };
    parser.skip_whitespace();
    match parser.peek() {
        None => return Ok(Pattern::Everything),
        Some('{') => {}
        Some('[') => {
            return Err(parser.error(
                PatternErrorKind::Unsupported,
                "a space-delimited pattern (`[…]`) matches text fields, not JSON events",
            ))
        }
        Some(_) => {
            return Err(parser.error(
                PatternErrorKind::Unsupported,
                "a term pattern matches words in the raw text; only JSON patterns (`{ … }`) are evaluated",
            ))
        }
    }
    parser.at += 1;
    let expr = parser.or(0)?;
    parser.skip_whitespace();
    if !parser.eat("}") {
        return Err(parser.expected("`&&`, `||` or the closing `}`"));
    }
    parser.skip_whitespace();
    if parser.peek().is_some() {
        return Err(parser.error(
            PatternErrorKind::Invalid,
            "text after the closing `}` of the JSON pattern",
        ));
    }
    Ok(Pattern::Json(expr))
}

struct Parser<'t> {
    text: &'t str,
    chars: Vec<(usize, char)>,
    /// Index into `chars`.
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).map(|&(_, c)| c)
    }

    fn rest(&self) -> &str {
        match self.chars.get(self.at) {
            Some(&(byte, _)) => &self.text[byte..],
            None => "",
        }
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// Consumes `token` if the text continues with it.
    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.at += token.chars().count();
            true
        } else {
            false
        }
    }

    /// Consumes the keyword `word` if it follows as a whole word.
    fn eat_word(&mut self, word: &str) -> bool {
        let Some(after) = self.rest().strip_prefix(word) else {
            return false;
        };
        if after.chars().next().is_some_and(is_bare_char) {
            return false;
        }
        self.at += word.chars().count();
        true
    }

    fn error(&self, kind: PatternErrorKind, message: impl Into<String>) -> ParseError {
        ParseError {
            kind,
            column: self.at + 1,
            message: message.into(),
        }
    }

    fn expected(&self, what: &str) -> ParseError {
        let found = match self.peek() {
            None => "the end of the pattern".to_owned(),
            Some(c) => format!("`{c}`"),
        };
        self.error(
            PatternErrorKind::Invalid,
            format!("expected {what}, found {found}"),
        )
    }

    fn or(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut parts = vec![self.and(depth)?];
        loop {
            self.skip_whitespace();
            if !self.eat("||") {
                break;
            }
            parts.push(self.and(depth)?);
        }
        Ok(flatten(parts, true))
    }

    fn and(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut parts = vec![self.primary(depth)?];
        loop {
            self.skip_whitespace();
            if !self.eat("&&") {
                break;
            }
            parts.push(self.primary(depth)?);
        }
        Ok(flatten(parts, false))
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        self.skip_whitespace();
        if self.eat("(") {
            if depth >= MAX_DEPTH {
                return Err(self.error(
                    PatternErrorKind::Invalid,
                    format!("parentheses nested deeper than {MAX_DEPTH}"),
                ));
            }
            let inner = self.or(depth + 1)?;
            self.skip_whitespace();
            if !self.eat(")") {
                return Err(self.expected("`&&`, `||` or `)`"));
            }
            return Ok(inner);
        }
        self.test()
    }

    fn test(&mut self) -> Result<Expr, ParseError> {
        let selector = self.selector()?;
        self.skip_whitespace();
        let check = if self.eat_word("EXISTS") {
            Check::Exists
        } else if self.eat_word("NOT") {
            self.skip_whitespace();
            if !self.eat_word("EXISTS") {
                return Err(self.expected("`EXISTS` after `NOT`"));
            }
            Check::NotExists
        } else if self.eat_word("IS") {
            self.skip_whitespace();
            if self.eat_word("NULL") {
                Check::IsNull
            } else if self.eat_word("TRUE") {
                Check::IsTrue
            } else if self.eat_word("FALSE") {
                Check::IsFalse
            } else {
                return Err(self.expected("`NULL`, `TRUE` or `FALSE` after `IS`"));
            }
        } else {
            let comparison = self.comparison()?;
            self.skip_whitespace();
            let literal = self.literal(comparison)?;
            Check::Compare(comparison, literal)
        };
        Ok(Expr::Test(Test { selector, check }))
    }

    fn selector(&mut self) -> Result<Selector, ParseError> {
        if !self.eat("$") {
            return Err(self.expected("a selector starting with `$`"));
        }
        let mut steps = Vec::new();
        loop {
            if self.eat(".") {
                if self.peek() == Some('*') {
                    return Err(self.error(
                        PatternErrorKind::Unsupported,
                        "wildcard selectors (`$.*`) are not evaluated",
                    ));
                }
                let start = self.at;
                while self.peek().is_some_and(is_name_char) {
                    self.at += 1;
                }
                if self.at == start {
                    return Err(self.expected("a field name after `.`"));
                }
                let name: String = self.chars[start..self.at].iter().map(|&(_, c)| c).collect();
                steps.push(Step::Field(name));
            } else if self.eat("[") {
                if self.peek() == Some('*') {
                    return Err(self.error(
                        PatternErrorKind::Unsupported,
                        "array wildcards (`[*]`) are not evaluated",
                    ));
                }
                let start = self.at;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.at += 1;
                }
                let digits: String = self.chars[start..self.at].iter().map(|&(_, c)| c).collect();
                let index = digits.parse::<usize>().map_err(|_| ParseError {
                    kind: PatternErrorKind::Invalid,
                    column: start + 1,
                    message: "expected an array index (digits) after `[`".to_owned(),
                })?;
                if !self.eat("]") {
                    return Err(self.expected("`]`"));
                }
                steps.push(Step::Index(index));
            } else {
                break;
            }
        }
        if steps.is_empty() {
            return Err(self.expected("`.field` or `[index]` after `$`"));
        }
        Ok(Selector { steps })
    }

    fn comparison(&mut self) -> Result<Comparison, ParseError> {
        // Two-character operators first.
        for (token, comparison) in [
            ("!=", Comparison::NotEqual),
            ("<=", Comparison::LessOrEqual),
            (">=", Comparison::GreaterOrEqual),
            ("=", Comparison::Equal),
            ("<", Comparison::Less),
            (">", Comparison::Greater),
        ] {
            if self.eat(token) {
                return Ok(comparison);
            }
        }
        Err(self.expected(
            "an operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `EXISTS`, `NOT EXISTS`, `IS NULL`, `IS TRUE`, `IS FALSE`)",
        ))
    }

    fn literal(&mut self, comparison: Comparison) -> Result<Literal, ParseError> {
        let start = self.at;
        let literal = match self.peek() {
            Some('"') => {
                self.at += 1;
                let mut parts = Vec::new();
                let mut text = String::new();
                loop {
                    match self.peek() {
                        None => {
                            return Err(ParseError {
                                kind: PatternErrorKind::Invalid,
                                column: start + 1,
                                message: "unterminated quoted string".to_owned(),
                            })
                        }
                        Some('"') => {
                            self.at += 1;
                            break;
                        }
                        Some('\\') => {
                            self.at += 1;
                            match self.peek() {
                                Some(c) => {
                                    text.push(c);
                                    self.at += 1;
                                }
                                None => return Err(self.expected("a character after `\\`")),
                            }
                        }
                        Some('*') => {
                            self.at += 1;
                            push_text(&mut parts, &mut text);
                            parts.push(GlobPart::Any);
                        }
                        Some(c) => {
                            text.push(c);
                            self.at += 1;
                        }
                    }
                }
                push_text(&mut parts, &mut text);
                Literal {
                    parts,
                    number: None,
                }
            }
            Some('%') => {
                return Err(self.error(
                    PatternErrorKind::Unsupported,
                    "regular expressions (`%…%`) are not evaluated",
                ))
            }
            _ => {
                while self.peek().is_some_and(is_bare_char) {
                    self.at += 1;
                }
                if self.at == start {
                    return Err(self.expected("a value"));
                }
                let raw: String = self.chars[start..self.at].iter().map(|&(_, c)| c).collect();
                let number = if raw.contains('*') {
                    None
                } else {
                    raw.parse::<f64>().ok().filter(|n| n.is_finite())
                };
                let mut parts = Vec::new();
                for (i, piece) in raw.split('*').enumerate() {
                    if i > 0 {
                        parts.push(GlobPart::Any);
                    }
                    if !piece.is_empty() {
                        parts.push(GlobPart::Text(piece.to_owned()));
                    }
                }
                Literal { parts, number }
            }
        };
        let ordering = !matches!(comparison, Comparison::Equal | Comparison::NotEqual);
        if ordering && literal.number.is_none() {
            return Err(ParseError {
                kind: PatternErrorKind::Invalid,
                column: start + 1,
                message: "`<`, `<=`, `>` and `>=` compare with a number".to_owned(),
            });
        }
        Ok(literal)
    }
}

fn push_text(parts: &mut Vec<GlobPart>, text: &mut String) {
    if !text.is_empty() {
        parts.push(GlobPart::Text(std::mem::take(text)));
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '@' | '$')
}

/// Characters of an unquoted value: anything up to whitespace or pattern syntax.
fn is_bare_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '(' | ')' | '{' | '}' | '&' | '|' | '"' | '=' | '!' | '<' | '>'
        )
}

fn flatten(parts: Vec<Expr>, or: bool) -> Expr {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or(Expr::And(Vec::new()));
    }
    let mut flat = Vec::new();
    for part in parts {
        match (part, or) {
            (Expr::Or(inner), true) | (Expr::And(inner), false) => flat.extend(inner),
            (other, _) => flat.push(other),
        }
    }
    if or {
        Expr::Or(flat)
    } else {
        Expr::And(flat)
    }
}

impl Pattern {
    /// Whether the pattern matches the event.
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Pattern::Everything => true,
            Pattern::Json(expr) => expr.matches(event),
        }
    }
}

impl Expr {
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Expr::And(parts) => parts.iter().all(|p| p.matches(event)),
            Expr::Or(parts) => parts.iter().any(|p| p.matches(event)),
            Expr::Test(test) => test.matches(event),
        }
    }
}

impl Test {
    fn matches(&self, event: &Value) -> bool {
        let found = self.selector.resolve(event);
        match &self.check {
            Check::Exists => found.is_some(),
            Check::NotExists => found.is_none(),
            Check::IsNull => found.is_some_and(Value::is_null),
            Check::IsTrue => found == Some(&Value::Bool(true)),
            Check::IsFalse => found == Some(&Value::Bool(false)),
            Check::Compare(comparison, literal) => {
                found.is_some_and(|value| compare(value, *comparison, literal))
            }
        }
    }
}

impl Selector {
    /// The value the selector reaches in `event`, if any.
    pub fn resolve<'v>(&self, event: &'v Value) -> Option<&'v Value> {
        self.steps.iter().try_fold(event, |value, step| match step {
            Step::Field(name) => value.as_object()?.get(name),
            Step::Index(index) => value.as_array()?.get(*index),
        })
    }
}

fn compare(value: &Value, comparison: Comparison, literal: &Literal) -> bool {
    match comparison {
        Comparison::Equal => equals(value, literal) == Some(true),
        Comparison::NotEqual => equals(value, literal) == Some(false),
        ordering => {
            let (Some(actual), Some(expected)) = (value.as_f64(), literal.number) else {
                return false;
            };
            match ordering {
                Comparison::Less => actual < expected,
                Comparison::LessOrEqual => actual <= expected,
                Comparison::Greater => actual > expected,
                _ => actual >= expected,
            }
        }
    }
}

/// `Some(equal)` for a scalar; `None` when there is nothing to compare (null, object, array).
fn equals(value: &Value, literal: &Literal) -> Option<bool> {
    match value {
        Value::String(text) => Some(literal.matches_text(text)),
        Value::Number(number) => Some(match (number.as_f64(), literal.number) {
            (Some(actual), Some(expected)) => actual == expected,
            _ => literal.matches_text(&number.to_string()),
        }),
        Value::Bool(flag) => Some(literal.matches_text(if *flag { "true" } else { "false" })),
        Value::Null | Value::Object(_) | Value::Array(_) => None,
    }
}

impl Literal {
    /// Whether `text` matches the literal with its `*` wildcards.
    pub fn matches_text(&self, text: &str) -> bool {
        glob_match(&self.parts, text)
    }
}

/// Wildcard matching with `*` only: the first fixed piece anchors at the start unless a `*`
/// precedes it, the last at the end unless a `*` follows it, and the pieces between are
/// found leftmost-first, which is exact for `*`-only patterns.
fn glob_match(parts: &[GlobPart], text: &str) -> bool {
    let mut rest = text;
    let mut floating = false;
    for (i, part) in parts.iter().enumerate() {
        match part {
            GlobPart::Any => floating = true,
            GlobPart::Text(piece) => {
                if i + 1 == parts.len() {
                    return if floating {
                        rest.ends_with(piece.as_str())
                    } else {
                        rest == piece
                    };
                }
                if floating {
                    match rest.find(piece.as_str()) {
                        Some(at) => rest = &rest[at + piece.len()..],
                        None => return false,
                    }
                } else if let Some(stripped) = rest.strip_prefix(piece.as_str()) {
                    rest = stripped;
                } else {
                    return false;
                }
                floating = false;
            }
        }
    }
    floating || rest.is_empty()
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Everything => Ok(()),
            Pattern::Json(expr) => write!(f, "{{ {expr} }}"),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, parts: &[Expr], op: &str| {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                match part {
                    Expr::Test(_) => write!(f, "{part}")?,
                    _ => write!(f, "({part})")?,
                }
            }
            Ok(())
        };
        match self {
            Expr::And(parts) => join(f, parts, "&&"),
            Expr::Or(parts) => join(f, parts, "||"),
            Expr::Test(test) => {
                write!(f, "$")?;
                for step in &test.selector.steps {
                    match step {
                        Step::Field(name) => write!(f, ".{name}")?,
                        Step::Index(index) => write!(f, "[{index}]")?,
                    }
                }
                match &test.check {
                    Check::Exists => write!(f, " EXISTS"),
                    Check::NotExists => write!(f, " NOT EXISTS"),
                    Check::IsNull => write!(f, " IS NULL"),
                    Check::IsTrue => write!(f, " IS TRUE"),
                    Check::IsFalse => write!(f, " IS FALSE"),
                    Check::Compare(comparison, literal) => {
                        let op = match comparison {
                            Comparison::Equal => "=",
                            Comparison::NotEqual => "!=",
                            Comparison::Less => "<",
                            Comparison::LessOrEqual => "<=",
                            Comparison::Greater => ">",
                            Comparison::GreaterOrEqual => ">=",
                        };
                        if literal.number.is_some() {
                            // A bare number stays bare: quoted, it would compare as text only.
                            write!(f, " {op} ")?;
                            for part in &literal.parts {
                                if let GlobPart::Text(text) = part {
                                    write!(f, "{text}")?;
                                }
                            }
                            return Ok(());
                        }
                        write!(f, " {op} \"")?;
                        for part in &literal.parts {
                            match part {
                                GlobPart::Any => write!(f, "*")?,
                                GlobPart::Text(text) => {
                                    for c in text.chars() {
                                        if matches!(c, '"' | '\\' | '*') {
                                            write!(f, "\\")?;
                                        }
                                        write!(f, "{c}")?;
                                    }
                                }
                            }
                        }
                        write!(f, "\"")
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn matches(pattern: &str, event: Value) -> bool {
        parse(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .matches(&event)
    }

    fn error(pattern: &str) -> ParseError {
        parse(pattern).expect_err(pattern)
    }

    #[test]
    fn string_equality_quoted_and_bare() {
        let event = json!({"eventName": "CreateTrail"});
        assert!(matches(r#"{ $.eventName = "CreateTrail" }"#, event.clone()));
        assert!(matches("{$.eventName=CreateTrail}", event.clone()));
        assert!(!matches("{ $.eventName = createtrail }", event.clone()));
        assert!(!matches("{ $.eventName = CreateTrails }", event));
    }

    #[test]
    fn inequality_needs_the_field() {
        let event = json!({"additionalEventData": {"MFAUsed": "No"}});
        assert!(matches(
            r#"{ $.additionalEventData.MFAUsed != "Yes" }"#,
            event
        ));
        assert!(!matches(
            r#"{ $.additionalEventData.MFAUsed != "Yes" }"#,
            json!({})
        ));
        assert!(!matches(
            r#"{ $.additionalEventData.MFAUsed != "Yes" }"#,
            json!({"additionalEventData": {"MFAUsed": "Yes"}})
        ));
    }

    #[test]
    fn wildcards_anywhere_in_the_value() {
        let denied = json!({"errorCode": "Client.UnauthorizedOperation"});
        assert!(matches(
            r#"{ $.errorCode = "*UnauthorizedOperation" }"#,
            denied.clone()
        ));
        assert!(!matches(
            r#"{ $.errorCode = "UnauthorizedOperation" }"#,
            denied.clone()
        ));
        assert!(matches(
            r#"{ $.errorCode = "Client.*Operation" }"#,
            denied.clone()
        ));
        assert!(matches(r#"{ $.errorCode = *Unauth* }"#, denied.clone()));
        assert!(matches(r#"{ $.errorCode = * }"#, denied.clone()));
        assert!(!matches(r#"{ $.errorCode = "AccessDenied*" }"#, denied));
        assert!(matches(
            r#"{ $.errorCode = "AccessDenied*" }"#,
            json!({"errorCode": "AccessDeniedException"})
        ));
        assert!(matches(
            r#"{ $.sourceIPAddress != 123.123.* }"#,
            json!({"sourceIPAddress": "10.0.0.1"})
        ));
        assert!(matches("{ $.a = \"a*a\" }", json!({"a": "aa"})));
        assert!(!matches("{ $.a = \"a*a*a\" }", json!({"a": "aa"})));
        assert!(matches("{ $.a = \"*ab\" }", json!({"a": "abab"})));
    }

    #[test]
    fn an_escaped_star_is_a_star() {
        assert!(matches(r#"{ $.a = "x\*" }"#, json!({"a": "x*"})));
        assert!(!matches(r#"{ $.a = "x\*" }"#, json!({"a": "xy"})));
    }

    #[test]
    fn numeric_comparisons() {
        let event = json!({"bandwidth": 80, "latency": "12"});
        assert!(matches("{ $.bandwidth > 75 }", event.clone()));
        assert!(matches("{ $.bandwidth >= 80 }", event.clone()));
        assert!(!matches("{ $.bandwidth < 80 }", event.clone()));
        assert!(matches("{ $.bandwidth <= 80.0 }", event.clone()));
        assert!(matches("{ $.bandwidth = 8e1 }", event.clone()));
        assert!(matches("{ $.bandwidth != -1 }", event.clone()));
        // A bare number still equals the same text in a string field, but does not order it.
        assert!(matches("{ $.latency = 12 }", event.clone()));
        assert!(!matches("{ $.latency > 1 }", event));
        assert_eq!(error("{ $.a > high }").kind, PatternErrorKind::Invalid);
    }

    #[test]
    fn exists_not_exists_null_and_booleans() {
        let event = json!({"a": null, "b": {"c": true}, "d": false});
        assert!(matches("{ $.a EXISTS }", event.clone()));
        assert!(matches("{ $.a IS NULL }", event.clone()));
        assert!(!matches("{ $.b IS NULL }", event.clone()));
        assert!(matches("{ $.zz NOT EXISTS }", event.clone()));
        assert!(!matches("{ $.b.c NOT EXISTS }", event.clone()));
        assert!(matches("{ $.b.c IS TRUE }", event.clone()));
        assert!(matches("{ $.d IS FALSE }", event.clone()));
        assert!(!matches("{ $.d IS TRUE }", event.clone()));
        // A null value compares with nothing.
        assert!(!matches("{ $.a != \"x\" }", event));
    }

    #[test]
    fn arrays_by_index() {
        let event = json!({"resources": [{"ARN": "arn:a"}, {"ARN": "arn:b"}]});
        assert!(matches("{ $.resources[1].ARN = \"arn:b\" }", event.clone()));
        assert!(!matches(
            "{ $.resources[0].ARN = \"arn:b\" }",
            event.clone()
        ));
        assert!(matches("{ $.resources[2] NOT EXISTS }", event));
        assert_eq!(
            error("{ $.resources[*].ARN = x }").kind,
            PatternErrorKind::Unsupported
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // a || b && c  ==  a || (b && c)
        let pattern = "{ $.a = 1 || $.b = 1 && $.c = 1 }";
        assert!(matches(pattern, json!({"a": 1, "b": 0, "c": 0})));
        assert!(!matches(pattern, json!({"a": 0, "b": 1, "c": 0})));
        assert!(matches(
            "{ ($.a = 1 || $.b = 1) && $.c = 1 }",
            json!({"a": 0, "b": 1, "c": 1})
        ));
        assert!(!matches(
            "{ ($.a = 1 || $.b = 1) && $.c = 1 }",
            json!({"a": 1, "b": 0, "c": 0})
        ));
    }

    #[test]
    fn redundant_parentheses_and_spacing_do_not_change_the_tree() {
        let a = parse("{ ($.a = x) && (($.b = y) && ($.c = \"z\")) }").expect("parses");
        let b = parse("{$.a=\"x\"&&$.b=y&&$.c=z}").expect("parses");
        assert_eq!(a, b);
        let c = parse("{ $.a = x && ($.b = y || $.c = z) }").expect("parses");
        assert_ne!(a, c);
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != \"Yes\") }",
            "{ $.a = 1 || $.b = \"x*y\" && ($.c NOT EXISTS || $.d IS NULL) }",
            "{ $.a[0].b >= -2.5 && $.q = \"with \\\"quote\\\" and \\* star\" }",
        ] {
            let parsed = parse(text).expect("parses");
            let again = parse(&parsed.to_string()).expect("display parses");
            assert_eq!(parsed, again, "{text} → {parsed}");
        }
    }

    #[test]
    fn the_empty_pattern_matches_everything() {
        assert_eq!(parse("  "), Ok(Pattern::Everything));
        assert!(matches("", json!({"x": 1})));
    }

    #[test]
    fn term_and_space_delimited_patterns_are_reported_not_guessed() {
        let term = error("ERROR MainThread");
        assert_eq!((term.kind, term.column), (PatternErrorKind::Unsupported, 1));
        let quoted = error("  \"Failed authentication\"");
        assert_eq!(
            (quoted.kind, quoted.column),
            (PatternErrorKind::Unsupported, 3)
        );
        let delimited = error("[ip, user, ...]");
        assert_eq!(delimited.kind, PatternErrorKind::Unsupported);
        let regex = error("{ $.eventName = %Delete.*% }");
        assert_eq!(
            (regex.kind, regex.column),
            (PatternErrorKind::Unsupported, 17)
        );
    }

    #[test]
    fn invalid_patterns_name_the_column() {
        let e = error("{ $.a = x");
        assert_eq!((e.kind, e.column), (PatternErrorKind::Invalid, 10));
        assert!(e.to_string().contains("closing `}`"), "{e}");
        let e = error("{ $.a x }");
        assert_eq!(e.column, 7);
        let e = error("{ a = x }");
        assert_eq!(e.column, 3);
        let e = error("{ ($.a = x }");
        assert!(e.message.contains("`)`"), "{e}");
        let e = error("{ $.a = \"x }");
        assert_eq!(e.column, 9);
        assert_eq!(error("{ $.a = x } trailing").column, 13);
        assert_eq!(error("{ $.a NOT x }").kind, PatternErrorKind::Invalid);
        assert_eq!(error("{ $. = x }").kind, PatternErrorKind::Invalid);
        assert_eq!(error("{ $ = x }").kind, PatternErrorKind::Invalid);
        assert_eq!(error("{ $.a = }").kind, PatternErrorKind::Invalid);
        assert_eq!(error("{ $.* = x }").kind, PatternErrorKind::Unsupported);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{{ {}$.a = 1{} }}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(error(&deep).message.contains("nested deeper"));
        let fine = format!("{{ {}$.a = 1{} }}", "(".repeat(50), ")".repeat(50));
        assert!(matches(&fine, json!({"a": 1})));
    }

    #[test]
    fn multibyte_text_is_handled_by_character() {
        assert!(matches("{ $.näme = \"wért*\" }", json!({"näme": "wérté"})));
        assert_eq!(error("{ $.é ü }").column, 7);
    }
}
