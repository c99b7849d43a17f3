//! Tokenizer for the expr language, following expr-lang/expr v1.17.8's state-machine lexer.
//!
//! Token kinds and values match Go's so that parse errors read the same
//! (`unexpected token Identifier("x")`). Positions are byte offsets into the source; the
//! diagnostics layer turns them into line and column.

use super::error::Span;
use crate::go::gofmt::quote;

/// The kind of a token, named as expr names it (the names appear in error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Identifier,
    Number,
    String,
    Bytes,
    Operator,
    Bracket,
    Eof,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Identifier => "Identifier",
            Kind::Number => "Number",
            Kind::String => "String",
            Kind::Bytes => "Bytes",
            Kind::Operator => "Operator",
            Kind::Bracket => "Bracket",
            Kind::Eof => "EOF",
        }
    }
}

/// One token. `value` is the unescaped text for strings and the raw text otherwise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub value: String,
    pub span: Span,
}

impl Token {
    pub fn is(&self, kind: Kind, value: &str) -> bool {
        self.kind == kind && self.value == value
    }

    pub fn is_op(&self, value: &str) -> bool {
        self.is(Kind::Operator, value)
    }

    pub fn is_bracket(&self, value: &str) -> bool {
        self.is(Kind::Bracket, value)
    }
}

impl std::fmt::Display for Token {
    /// Go's `Token.String()`: `Kind("value")`, or the bare kind when the value is empty.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value.is_empty() {
            f.write_str(self.kind.name())
        } else {
            write!(f, "{}({})", self.kind.name(), quote(&self.value))
        }
    }
}

/// A lexing failure: Go's message and where it happened.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexError {
    pub message: String,
    pub span: Span,
}

/// Splits `source` into tokens, ending with one `EOF` token.
#[cfg(test)]
pub(crate) fn lex(source: &str) -> Result<Vec<Token>, LexError> {
    let (tokens, error) = lex_partial(source);
    match error {
        Some(e) => Err(e),
        None => Ok(tokens),
    }
}

/// Like [`lex`], but also returns the tokens before a lexing error: the parser consumes those
/// first, and reports the lexing error only if it gets that far (as Go's streaming lexer does).
pub(crate) fn lex_partial(source: &str) -> (Vec<Token>, Option<LexError>) {
    let mut lexer = Lexer { src: source, start: 0, end: 0, eof: false, tokens: Vec::new() };
    let error = lexer.run().err();
    (lexer.tokens, error)
}

struct Lexer<'a> {
    src: &'a str,
    start: usize,
    end: usize,
    /// Set when `next` ran past the end, so that `backup` undoes only that.
    eof: bool,
    tokens: Vec<Token>,
}

pub(crate) fn is_alphabetic(c: char) -> bool {
    c == '_' || c == '$' || c.is_alphabetic()
}

pub(crate) fn is_alphanumeric(c: char) -> bool {
    is_alphabetic(c) || c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// Go's `unicode.IsSpace`.
fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{85}' | '\u{A0}')
        || (!c.is_ascii() && c.is_whitespace())
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<char> {
        match self.src[self.end..].chars().next() {
            Some(c) => {
                self.end += c.len_utf8();
                Some(c)
            }
            None => {
                self.eof = true;
                None
            }
        }
    }

    fn peek(&self) -> Option<char> {
        self.src[self.end..].chars().next()
    }

    fn backup(&mut self) {
        if self.eof {
            self.eof = false;
        } else if let Some(c) = self.src[..self.end].chars().next_back() {
            self.end -= c.len_utf8();
        }
    }

    fn word(&self) -> &'a str {
        &self.src[self.start..self.end]
    }

    fn emit(&mut self, kind: Kind) {
        let value = self.word().to_string();
        self.emit_value(kind, value);
    }

    fn emit_value(&mut self, kind: Kind, value: String) {
        self.tokens.push(Token { kind, value, span: Span::new(self.start, self.end) });
        self.start = self.end;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.next();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn error(&self, message: String) -> LexError {
        // Go points at the last rune read (one past the end at EOF).
        let end = if self.eof { self.end + 1 } else { self.end };
        LexError { message, span: Span::new(end.saturating_sub(1).min(self.src.len()), end.min(self.src.len())) }
    }

    fn run(&mut self) -> Result<(), LexError> {
        loop {
            let Some(r) = self.next() else {
                self.tokens.push(Token {
                    kind: Kind::Eof,
                    value: String::new(),
                    span: Span::new(self.end.saturating_sub(1), self.end),
                });
                return Ok(());
            };
            match r {
                c if is_space(c) => self.start = self.end,
                '\'' | '"' => {
                    self.scan_string(r)?;
                    let value = unescape(self.word()).map_err(|m| self.error(m))?;
                    self.emit_value(Kind::String, value);
                }
                '`' => self.scan_raw_string()?,
                'b' | 'B' if matches!(self.peek(), Some('\'' | '"')) => {
                    let quote = self.next().unwrap_or('"');
                    self.scan_string(quote)?;
                    let value = unescape_bytes(&self.word()[1..]).map_err(|m| self.error(m))?;
                    self.emit_value(Kind::Bytes, value);
                }
                '0'..='9' => {
                    self.backup();
                    self.number()?;
                }
                '?' => {
                    self.accept(".?");
                    self.emit(Kind::Operator);
                }
                '/' => {
                    if self.accept("/") {
                        while !matches!(self.next(), None | Some('\n')) {}
                        self.start = self.end;
                    } else if self.accept("*") {
                        loop {
                            match self.next() {
                                None => return Err(self.error("unclosed comment".into())),
                                Some('*') if self.accept("/") => break,
                                _ => {}
                            }
                        }
                        self.start = self.end;
                    } else {
                        self.emit(Kind::Operator);
                    }
                }
                '#' => {
                    self.accept("#");
                    self.emit(Kind::Operator);
                    loop {
                        match self.next() {
                            Some(c) if is_alphanumeric(c) => {}
                            _ => {
                                self.backup();
                                if !self.word().is_empty() {
                                    self.emit(Kind::Identifier);
                                }
                                break;
                            }
                        }
                    }
                }
                '|' => {
                    self.accept("|");
                    self.emit(Kind::Operator);
                }
                ':' => {
                    self.accept(":");
                    self.emit(Kind::Operator);
                }
                '(' | '[' | '{' | ')' | ']' | '}' => self.emit(Kind::Bracket),
                ',' | ';' | '%' | '+' | '-' | '^' => self.emit(Kind::Operator),
                '&' | '!' | '=' | '*' | '<' | '>' => {
                    self.accept("&=*");
                    self.emit(Kind::Operator);
                }
                '.' => {
                    self.backup();
                    self.dot()?;
                }
                c if is_alphanumeric(c) => {
                    self.backup();
                    self.identifier();
                }
                c => {
                    return Err(self.error(format!("unrecognized character: U+{:04X} {}", c as u32, quote_rune(c))));
                }
            }
        }
    }

    fn number(&mut self) -> Result<(), LexError> {
        if !self.scan_number() {
            return Err(self.error(format!("bad number syntax: {}", quote(self.word()))));
        }
        self.emit(Kind::Number);
        Ok(())
    }

    fn scan_number(&mut self) -> bool {
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        let end = self.end;
        if self.accept(".") {
            if self.peek() == Some('.') {
                // `1..2` is a range, not the float `1.`.
                self.end = end;
                return true;
            }
            self.accept_run(digits);
        }
        if self.accept("eE") {
            self.accept("+-");
            self.accept_run(digits);
        }
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }

    fn dot(&mut self) -> Result<(), LexError> {
        self.next();
        if self.accept("0123456789") {
            self.backup();
            return self.number();
        }
        self.accept(".");
        self.emit(Kind::Operator);
        Ok(())
    }

    fn identifier(&mut self) {
        while self.next().is_some_and(is_alphanumeric) {}
        self.backup();
        match self.word() {
            "not" => self.not(),
            "in" | "or" | "and" | "matches" | "contains" | "startsWith" | "endsWith" | "let" | "if" | "else" => {
                self.emit(Kind::Operator)
            }
            _ => self.emit(Kind::Identifier),
        }
    }

    /// `not` followed by an infix word operator lexes as two operators (`not`, `in`).
    fn not(&mut self) {
        self.emit(Kind::Operator);
        self.accept_run(" ");
        self.start = self.end;
        let end = self.end;
        while self.next().is_some_and(is_alphanumeric) {}
        self.backup();
        match self.word() {
            "in" | "matches" | "contains" | "startsWith" | "endsWith" => self.emit(Kind::Operator),
            _ => self.end = end,
        }
    }

    fn scan_string(&mut self, quote: char) -> Result<(), LexError> {
        let mut ch = self.next();
        while ch != Some(quote) {
            match ch {
                None | Some('\n') => return Err(self.error("literal not terminated".into())),
                Some('\\') => ch = self.scan_escape(quote)?,
                Some(_) => ch = self.next(),
            }
        }
        Ok(())
    }

    fn scan_escape(&mut self, quote: char) -> Result<Option<char>, LexError> {
        let ch = self.next();
        match ch {
            Some(c) if "abfnrtv\\".contains(c) || c == quote => Ok(self.next()),
            Some('0'..='7') => self.scan_digits(ch, 8, 3),
            Some('x') => {
                let c = self.next();
                self.scan_digits(c, 16, 2)
            }
            Some('u') if self.peek() == Some('{') => {
                self.next();
                let mut digits = 0;
                loop {
                    match self.peek() {
                        Some('}') => break,
                        Some(p) if p.is_ascii_hexdigit() && digits < 6 => {
                            self.next();
                            digits += 1;
                        }
                        _ => return Err(self.error("invalid char escape".into())),
                    }
                }
                if digits == 0 {
                    return Err(self.error("invalid char escape".into()));
                }
                self.next();
                Ok(self.next())
            }
            Some('u') => {
                let c = self.next();
                self.scan_digits(c, 16, 4)
            }
            Some('U') => {
                let c = self.next();
                self.scan_digits(c, 16, 8)
            }
            _ => Err(self.error("invalid char escape".into())),
        }
    }

    fn scan_digits(&mut self, mut ch: Option<char>, base: u32, mut n: usize) -> Result<Option<char>, LexError> {
        while n > 0 && ch.is_some_and(|c| c.is_digit(base)) {
            ch = self.next();
            n -= 1;
        }
        if n > 0 {
            return Err(self.error("invalid char escape".into()));
        }
        Ok(ch)
    }

    fn scan_raw_string(&mut self) -> Result<(), LexError> {
        let mut escaped_quotes = false;
        loop {
            let mut ch = self.next();
            while ch == Some('`') && self.peek() == Some('`') {
                self.next();
                ch = self.next();
                escaped_quotes = true;
            }
            match ch {
                Some('`') => break,
                None => return Err(self.error("literal not terminated".into())),
                _ => {}
            }
        }
        let inner = &self.src[self.start + 1..self.end - 1];
        let value = if escaped_quotes { inner.replace("``", "`") } else { inner.to_string() };
        self.emit_value(Kind::String, value);
        Ok(())
    }
}

/// Go's `%q` of a rune, as used by `%#U`.
fn quote_rune(c: char) -> String {
    let s = quote(&c.to_string());
    format!("'{}'", &s[1..s.len() - 1].replace("\\\"", "\"").replace('\'', "\\'"))
}

fn unhex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// Unescapes a quoted string literal (quotes included), as expr's `unescape`.
fn unescape(raw: &str) -> Result<String, String> {
    let value = raw.replace("\r\n", "\n").replace('\r', "\n");
    let b = value.as_bytes();
    let n = b.len();
    if n < 2 || b[0] != b[n - 1] || (b[0] != b'"' && b[0] != b'\'') {
        return Err("unable to unescape string".into());
    }
    let mut s = &value[1..n - 1];
    let mut out = String::with_capacity(s.len());
    while !s.is_empty() {
        let (c, rest) = unescape_char(s)?;
        out.push(c);
        s = rest;
    }
    Ok(out)
}

/// Unescapes a bytes literal. Bytes that are not valid UTF-8 are kept as U+FFFD: Augur stores
/// bytes literals as strings, and no Argo condition uses them.
fn unescape_bytes(raw: &str) -> Result<String, String> {
    let value = raw.replace("\r\n", "\n").replace('\r', "\n");
    let b = value.as_bytes();
    let n = b.len();
    if n < 2 || b[0] != b[n - 1] || (b[0] != b'"' && b[0] != b'\'') {
        return Err("unable to unescape string".into());
    }
    let mut s = &value[1..n - 1];
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    while !s.is_empty() {
        let bytes = s.as_bytes();
        if bytes[0] != b'\\' {
            let c = s.chars().next().unwrap_or('\0');
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            s = &s[c.len_utf8()..];
            continue;
        }
        if bytes.len() <= 1 {
            return Err("unable to unescape string, found '\\' as last character".into());
        }
        let c = bytes[1];
        let rest = &s[2..];
        let simple = match c {
            b'a' => Some(7u8),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(11),
            b'\\' | b'\'' | b'"' | b'`' | b'?' => Some(c),
            _ => None,
        };
        if let Some(v) = simple {
            out.push(v);
            s = rest;
            continue;
        }
        let rb = rest.as_bytes();
        match c {
            b'x' | b'X' => {
                let (Some(hi), Some(lo)) = (rb.first().and_then(|&b| unhex(b)), rb.get(1).and_then(|&b| unhex(b)))
                else {
                    return Err("unable to unescape string".into());
                };
                out.push((hi << 4 | lo) as u8);
                s = &rest[2..];
            }
            b'0'..=b'3' => {
                if rb.len() < 2 || !(b'0'..=b'7').contains(&rb[0]) || !(b'0'..=b'7').contains(&rb[1]) {
                    return Err("unable to unescape octal sequence in string".into());
                }
                let v = u32::from(c - b'0') * 64 + u32::from(rb[0] - b'0') * 8 + u32::from(rb[1] - b'0');
                out.push(v as u8);
                s = &rest[2..];
            }
            _ => return Err("unable to unescape string".into()),
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn unescape_char(s: &str) -> Result<(char, &str), String> {
    let bytes = s.as_bytes();
    if bytes[0] != b'\\' {
        let c = s.chars().next().unwrap_or('\0');
        return Ok((c, &s[c.len_utf8()..]));
    }
    if bytes.len() <= 1 {
        return Err("unable to unescape string, found '\\' as last character".into());
    }
    let c = bytes[1];
    let s = &s[2..];
    let simple = match c {
        b'a' => Some('\u{07}'),
        b'b' => Some('\u{08}'),
        b'f' => Some('\u{0C}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'v' => Some('\u{0B}'),
        b'\\' => Some('\\'),
        b'\'' => Some('\''),
        b'"' => Some('"'),
        b'`' => Some('`'),
        b'?' => Some('?'),
        _ => None,
    };
    if let Some(v) = simple {
        return Ok((v, s));
    }
    let sb = s.as_bytes();
    match c {
        b'u' if sb.first() == Some(&b'{') => {
            let mut v: u32 = 0;
            let mut i = 1;
            while i < sb.len() && sb[i] != b'}' {
                let x = unhex(sb[i]).ok_or("unable to unescape string")?;
                if i > 6 {
                    return Err("unable to unescape string".into());
                }
                v = v << 4 | x;
                i += 1;
            }
            if i >= sb.len() || i == 1 {
                return Err("unable to unescape string".into());
            }
            let ch = char::from_u32(v).ok_or("unable to unescape string")?;
            Ok((ch, &s[i + 1..]))
        }
        b'x' | b'X' | b'u' | b'U' => {
            let n = match c {
                b'x' | b'X' => 2,
                b'u' => 4,
                _ => 8,
            };
            if sb.len() < n {
                return Err("unable to unescape string".into());
            }
            let mut v: u32 = 0;
            for &b in &sb[..n] {
                v = v << 4 | unhex(b).ok_or("unable to unescape string")?;
            }
            // Go writes a lone surrogate or an out-of-range value as U+FFFD; values above
            // U+10FFFF are an error.
            if v > 0x10FFFF {
                return Err("unable to unescape string".into());
            }
            Ok((char::from_u32(v).unwrap_or('\u{FFFD}'), &s[n..]))
        }
        b'0'..=b'3' => {
            if sb.len() < 2 {
                return Err("unable to unescape octal sequence in string".into());
            }
            let mut v = u32::from(c - b'0');
            for &x in &sb[..2] {
                if !(b'0'..=b'7').contains(&x) {
                    return Err("unable to unescape octal sequence in string".into());
                }
                v = v * 8 + u32::from(x - b'0');
            }
            Ok((char::from_u32(v).unwrap_or('\u{FFFD}'), &s[2..]))
        }
        _ => Err("unable to unescape string".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<String> {
        lex(src).unwrap().iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn tokens_render_like_go() {
        assert_eq!(kinds("result > 1"), ["Identifier(\"result\")", "Operator(\">\")", "Number(\"1\")", "EOF"]);
        assert_eq!(
            kinds("a not in b"),
            ["Identifier(\"a\")", "Operator(\"not\")", "Operator(\"in\")", "Identifier(\"b\")", "EOF"]
        );
        assert_eq!(kinds("1..3"), ["Number(\"1\")", "Operator(\"..\")", "Number(\"3\")", "EOF"]);
        assert_eq!(
            kinds("a?.b ?? c"),
            [
                "Identifier(\"a\")",
                "Operator(\"?.\")",
                "Identifier(\"b\")",
                "Operator(\"??\")",
                "Identifier(\"c\")",
                "EOF"
            ]
        );
        assert_eq!(kinds("#.v"), ["Operator(\"#\")", "Operator(\".\")", "Identifier(\"v\")", "EOF"]);
        assert_eq!(kinds("#index"), ["Operator(\"#\")", "Identifier(\"index\")", "EOF"]);
    }

    #[test]
    fn strings_unescape() {
        let t = lex(r#"'a\'b' "c\n\u00e9\x41" `raw``q`"#).unwrap();
        assert_eq!(t[0].value, "a'b");
        assert_eq!(t[1].value, "c\néA");
        assert_eq!(t[2].value, "raw`q");
    }

    #[test]
    fn errors_carry_go_messages() {
        assert_eq!(lex("'abc").unwrap_err().message, "literal not terminated");
        assert_eq!(lex("1x").unwrap_err().message, "bad number syntax: \"1x\"");
        assert_eq!(lex("a @ b").unwrap_err().message, "unrecognized character: U+0040 '@'");
        assert_eq!(lex(r#""\q""#).unwrap_err().message, "invalid char escape");
        assert_eq!(lex("/* x").unwrap_err().message, "unclosed comment");
    }
}
