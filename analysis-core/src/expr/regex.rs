//! Regular expressions for `matches`: Go's RE2 syntax through the `regex` crate (the same
//! design: linear time, no backreferences), with errors worded as Go's `regexp` words them.

use regex_syntax::ast::ErrorKind;

/// The largest compiled program a condition's pattern may produce.
const SIZE_LIMIT: usize = 1 << 20;

/// Compiles `pattern`, or returns Go's error text (`error parsing regexp: <code>: `<expr>``).
pub(crate) fn compile(pattern: &str) -> Result<regex::Regex, String> {
    if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(pattern) {
        let span = e.span();
        let fragment = pattern.get(span.start.offset..span.end.offset).filter(|f| !f.is_empty()).unwrap_or(pattern);
        let (code, fragment) = match e.kind() {
            ErrorKind::GroupUnclosed => ("missing closing )", pattern),
            ErrorKind::GroupUnopened => ("unexpected )", pattern),
            ErrorKind::ClassUnclosed => ("missing closing ]", fragment),
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
            ErrorKind::EscapeHexEmpty
            | ErrorKind::EscapeHexInvalid
            | ErrorKind::EscapeHexInvalidDigit
            | ErrorKind::EscapeUnexpectedEof
            | ErrorKind::EscapeUnrecognized
            | ErrorKind::ClassEscapeInvalid
            | ErrorKind::UnsupportedBackreference => ("invalid escape sequence", fragment),
            _ => ("invalid or unsupported Perl syntax", fragment),
        };
        return Err(format!("error parsing regexp: {code}: `{fragment}`"));
    }
    regex::RegexBuilder::new(pattern).size_limit(SIZE_LIMIT).build().map_err(|e| match e {
        regex::Error::CompiledTooBig(_) => format!("error parsing regexp: expression too large: `{pattern}`"),
        other => format!("error parsing regexp: invalid or unsupported Perl syntax: `{pattern}`: {other}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_error_texts() {
        assert_eq!(compile("(").unwrap_err(), "error parsing regexp: missing closing ): `(`");
        assert_eq!(compile("a)").unwrap_err(), "error parsing regexp: unexpected ): `a)`");
        assert!(compile("^o.*k$").unwrap().is_match("ok"));
    }
}
