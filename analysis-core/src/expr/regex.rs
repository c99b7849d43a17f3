//! Regular expressions for `matches`: Go's RE2 dialect on top of the `regex` crate.
//!
//! Both engines are linear-time RE2 designs, but their dialects differ at the edges, and a
//! pattern must match (or fail to compile) exactly as in Go. So the pattern is first
//! translated from Go's syntax to the crate's:
//!
//! * `\d \w \s \b` are ASCII-only in Go and Unicode-aware in the crate: they become explicit
//!   ASCII classes and `(?-u:\b)`;
//! * Go accepts `\Q...\E` quoting, `\0`-style octal escapes, `\p{^Greek}`, capture names
//!   starting with a digit and duplicate names, and treats a `{` that starts no valid repeat
//!   (`a{,3}`, `a{`) as a literal: these are rewritten to the crate's equivalents;
//! * Go rejects what the crate accepts: the `x`, `u` and `R` flags, `\u` escapes, repeat counts
//!   above 1000 and nested repetition operators (`a**`): these are errors with Go's text.
//!
//! Errors read as Go's: `error parsing regexp: <code>: `<fragment>``.

use regex_syntax::ast::{self, Ast, ErrorKind};

/// The largest compiled program a condition's pattern may produce.
const SIZE_LIMIT: usize = 1 << 20;
/// Go's `maxRepeat`.
const MAX_REPEAT: u32 = 1000;

fn go_error(code: &str, fragment: &str) -> String {
    format!("error parsing regexp: {code}: `{fragment}`")
}

/// Compiles `pattern` with Go's semantics, or returns Go's error text.
pub(crate) fn compile(pattern: &str) -> Result<regex::Regex, String> {
    let translated = translate(pattern)?;
    let parsed = ast::parse::ParserBuilder::new().nest_limit(1000).build().parse(&translated);
    let tree = match parsed {
        Ok(t) => t,
        Err(e) => return Err(syntax_error(pattern, &translated, &e)),
    };
    check_go_restrictions(&tree, &translated)?;
    regex::RegexBuilder::new(&translated).size_limit(SIZE_LIMIT).build().map_err(|e| match e {
        regex::Error::CompiledTooBig(_) => go_error("expression too large", pattern),
        _ => go_error("invalid or unsupported Perl syntax", pattern),
    })
}

fn syntax_error(pattern: &str, translated: &str, e: &ast::Error) -> String {
    let span = e.span();
    let fragment = translated.get(span.start.offset..span.end.offset).filter(|f| !f.is_empty()).unwrap_or(pattern);
    let (code, fragment) = match e.kind() {
        ErrorKind::GroupUnclosed => ("missing closing )", pattern),
        ErrorKind::GroupUnopened => ("unexpected )", pattern),
        ErrorKind::ClassUnclosed => ("missing closing ]", pattern),
        ErrorKind::ClassRangeInvalid | ErrorKind::ClassRangeLiteral => ("invalid character class range", fragment),
        ErrorKind::RepetitionMissing => ("missing argument to repetition operator", fragment),
        ErrorKind::RepetitionCountInvalid
        | ErrorKind::RepetitionCountDecimalEmpty
        | ErrorKind::RepetitionCountUnclosed => ("invalid repeat count", fragment),
        ErrorKind::NestLimitExceeded(_) => ("expression nests too deeply", pattern),
        ErrorKind::GroupNameDuplicate { .. }
        | ErrorKind::GroupNameEmpty
        | ErrorKind::GroupNameInvalid
        | ErrorKind::GroupNameUnexpectedEof => ("invalid named capture", fragment),
        ErrorKind::EscapeUnexpectedEof => ("trailing backslash at end of expression", ""),
        ErrorKind::UnicodeClassInvalid => ("invalid character class range", fragment),
        ErrorKind::EscapeHexEmpty
        | ErrorKind::EscapeHexInvalid
        | ErrorKind::EscapeHexInvalidDigit
        | ErrorKind::EscapeUnrecognized
        | ErrorKind::ClassEscapeInvalid
        | ErrorKind::UnsupportedBackreference => ("invalid escape sequence", fragment),
        _ => ("invalid or unsupported Perl syntax", fragment),
    };
    go_error(code, fragment)
}

/// Go's restrictions that the crate's parser does not enforce.
fn check_go_restrictions(tree: &Ast, translated: &str) -> Result<(), String> {
    let text = |span: &ast::Span| translated.get(span.start.offset..span.end.offset).unwrap_or("").to_string();
    let mut stack = vec![tree];
    while let Some(node) = stack.pop() {
        match node {
            Ast::Repetition(r) => {
                if let ast::RepetitionKind::Range(range) = &r.op.kind {
                    let (lo, hi) = match *range {
                        ast::RepetitionRange::Exactly(n) => (n, n),
                        ast::RepetitionRange::AtLeast(n) => (n, n),
                        ast::RepetitionRange::Bounded(a, b) => (a, b),
                    };
                    if lo > MAX_REPEAT || hi > MAX_REPEAT {
                        return Err(go_error("invalid repeat count", &text(&r.op.span)));
                    }
                }
                if let Ast::Repetition(inner) = &*r.ast {
                    let both = format!("{}{}", text(&inner.op.span), text(&r.op.span));
                    return Err(go_error("invalid nested repetition operator", &both));
                }
                stack.push(&r.ast);
            }
            Ast::Flags(f) => check_flags(&f.flags, translated)?,
            Ast::Group(g) => {
                if let ast::GroupKind::NonCapturing(flags) = &g.kind {
                    check_flags(flags, translated)?;
                }
                stack.push(&g.ast);
            }
            Ast::Literal(l) => {
                if let ast::LiteralKind::HexFixed(
                    ast::HexLiteralKind::UnicodeShort | ast::HexLiteralKind::UnicodeLong,
                )
                | ast::LiteralKind::HexBrace(
                    ast::HexLiteralKind::UnicodeShort | ast::HexLiteralKind::UnicodeLong,
                ) = l.kind
                {
                    return Err(go_error("invalid escape sequence", &text(&l.span)[..2]));
                }
            }
            Ast::Alternation(a) => stack.extend(a.asts.iter()),
            Ast::Concat(c) => stack.extend(c.asts.iter()),
            _ => {}
        }
    }
    Ok(())
}

fn check_flags(flags: &ast::Flags, translated: &str) -> Result<(), String> {
    // The ASCII word boundaries `translate` inserts.
    let start = flags.span.start.offset.saturating_sub(2);
    if translated.get(start..).is_some_and(|t| t.starts_with("(?-u:\\b)") || t.starts_with("(?-u:\\B)")) {
        return Ok(());
    }
    for item in &flags.items {
        if let ast::FlagsItemKind::Flag(ast::Flag::IgnoreWhitespace | ast::Flag::Unicode | ast::Flag::CRLF) = item.kind
        {
            let start = flags.span.start.offset.saturating_sub(2);
            let end = item.span.end.offset;
            return Err(go_error("invalid or unsupported Perl syntax", translated.get(start..end).unwrap_or("")));
        }
    }
    Ok(())
}

/// Rewrites Go's syntax into the crate's (see the module docs).
fn translate(p: &str) -> Result<String, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let Some(&n) = chars.get(i + 1) else {
                return Err(go_error("trailing backslash at end of expression", ""));
            };
            match n {
                'Q' => {
                    // \Q...\E: literal text.
                    let start = i + 2;
                    let mut end = start;
                    while end < chars.len() && !(chars[end] == '\\' && chars.get(end + 1) == Some(&'E')) {
                        end += 1;
                    }
                    let lit: String = chars[start..end].iter().collect();
                    out.push_str(&regex::escape(&lit));
                    i = if end < chars.len() { end + 2 } else { end };
                    continue;
                }
                'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
                    let set = match n.to_ascii_lowercase() {
                        'd' => "0-9",
                        'w' => "0-9A-Za-z_",
                        _ => "\\t\\n\\f\\r ",
                    };
                    let negated = n.is_ascii_uppercase();
                    match (in_class, negated) {
                        (true, false) => out.push_str(set),
                        (_, true) => out.push_str(&format!("[^{set}]")),
                        (false, false) => out.push_str(&format!("[{set}]")),
                    }
                    i += 2;
                    continue;
                }
                'b' | 'B' if !in_class => {
                    out.push_str(if n == 'b' { "(?-u:\\b)" } else { "(?-u:\\B)" });
                    i += 2;
                    continue;
                }
                '0'..='7' => {
                    // Octal: `\0` plus up to two more digits, or `\1`-`\7` followed by a digit.
                    let first_zero = n == '0';
                    if !first_zero && !chars.get(i + 2).is_some_and(|d| ('0'..='7').contains(d)) {
                        return Err(go_error("invalid escape sequence", &format!("\\{n}")));
                    }
                    let mut j = i + 2;
                    let mut value = n.to_digit(8).unwrap_or(0);
                    while j < chars.len() && j < i + 4 && ('0'..='7').contains(&chars[j]) {
                        value = value * 8 + chars[j].to_digit(8).unwrap_or(0);
                        j += 1;
                    }
                    out.push_str(&format!("\\x{{{value:X}}}"));
                    i = j;
                    continue;
                }
                'p' | 'P' if chars.get(i + 2) == Some(&'{') && chars.get(i + 3) == Some(&'^') => {
                    let flipped = if n == 'p' { 'P' } else { 'p' };
                    out.push('\\');
                    out.push(flipped);
                    out.push('{');
                    i += 4;
                    continue;
                }
                'x' | 'p' | 'P' if chars.get(i + 2) == Some(&'{') => {
                    // Copy `\x{...}` / `\p{...}` whole, so their braces stay braces.
                    let close = chars[i..].iter().position(|&c| c == '}').map(|k| i + k);
                    let end = close.map_or(chars.len(), |k| k + 1);
                    out.extend(&chars[i..end]);
                    i = end;
                    continue;
                }
                _ => {
                    out.push(c);
                    out.push(n);
                    i += 2;
                    continue;
                }
            }
        }
        if in_class {
            if c == '[' && chars.get(i + 1) == Some(&':') {
                // POSIX class `[:alpha:]`: copy through its closing `:]`.
                let rest: String = chars[i..].iter().collect();
                if let Some(k) = rest.find(":]") {
                    out.push_str(&rest[..k + 2]);
                    i += rest[..k + 2].chars().count();
                    continue;
                }
            }
            if c == ']' {
                in_class = false;
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                out.push(c);
                i += 1;
                // A leading `]` (after an optional `^`) is a literal.
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '(' if chars.get(i + 1) == Some(&'?')
                && chars.get(i + 2) == Some(&'P')
                && chars.get(i + 3) == Some(&'<') =>
            {
                // Names do not affect matching; Go allows names the crate does not.
                match chars[i..].iter().position(|&c| c == '>') {
                    Some(k) if k > 4 => {
                        out.push('(');
                        i += k + 1;
                    }
                    _ => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            '{' => {
                if valid_repeat(&chars[i..]) {
                    out.push('{');
                } else {
                    out.push_str("\\{");
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// `{n}`, `{n,}` or `{n,m}` at the start of `s`.
fn valid_repeat(s: &[char]) -> bool {
    let mut i = 1;
    let start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    if i == start {
        return false;
    }
    if s.get(i) == Some(&',') {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
    }
    s.get(i) == Some(&'}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> Result<bool, String> {
        compile(p).map(|re| re.is_match(s))
    }

    #[test]
    fn go_error_texts() {
        assert_eq!(compile("(").unwrap_err(), "error parsing regexp: missing closing ): `(`");
        assert_eq!(compile("a)").unwrap_err(), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(compile("a**").unwrap_err(), "error parsing regexp: invalid nested repetition operator: `**`");
        assert_eq!(compile("a{1001}").unwrap_err(), "error parsing regexp: invalid repeat count: `{1001}`");
        assert_eq!(compile("(?x) a").unwrap_err(), "error parsing regexp: invalid or unsupported Perl syntax: `(?x`");
        assert_eq!(compile("\\u0061").unwrap_err(), "error parsing regexp: invalid escape sequence: `\\u`");
        assert_eq!(compile("\\").unwrap_err(), "error parsing regexp: trailing backslash at end of expression: ``");
    }

    #[test]
    fn go_dialect() {
        assert_eq!(m("^o.*k$", "ok"), Ok(true));
        assert_eq!(m("^\\w$", "é"), Ok(false), "\\w is ASCII in RE2");
        assert_eq!(m("\\Qa.b\\E", "a.b"), Ok(true));
        assert_eq!(m("\\Qa.b\\E", "axb"), Ok(false));
        assert_eq!(m("a{,3}", "a{,3}"), Ok(true));
        assert_eq!(m("a{", "a{"), Ok(true));
        assert_eq!(m("\\p{^Greek}", "a"), Ok(true));
        assert_eq!(m("(?P<1a>a)", "a"), Ok(true));
        assert_eq!(m("(?P<n>a)(?P<n>b)", "ab"), Ok(true));
        assert_eq!(m("\\101", "A"), Ok(true));
        assert_eq!(m("[\\d]+", "123"), Ok(true));
        assert_eq!(m("\\bfoo\\b", "a foo b"), Ok(true));
        assert_eq!(m("[[:alpha:]]+", "abc"), Ok(true));
    }
}
