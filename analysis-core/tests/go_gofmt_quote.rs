//! Expected values are Go's, from src/strconv/quote_test.go and
//! src/time/format_test.go.

use augur_analysis_core::go::gofmt::{is_print, quote, quote_bytes, time_quote};

// Go: quotetests / TestQuote (the `out` column).
#[test]
fn quote_go_table() {
    let cases: &[(&str, &str)] = &[
        ("\u{07}\u{08}\u{0c}\r\n\t\u{0b}", r#""\a\b\f\r\n\t\v""#),
        ("\\", r#""\\""#),
        ("\u{263a}", "\"☺\""),
        ("\u{10ffff}", r#""\U0010ffff""#),
        ("\u{04}", r#""\x04""#),
        ("!\u{a0}!\u{2000}!\u{3000}!", r#""!\u00a0!\u2000!\u3000!""#),
    ];
    for &(input, want) in cases {
        assert_eq!(quote(input), want, "quote({input:?})");
    }
}

// Go: quoterunetests (the `out` column, as a one-character string).
#[test]
fn quote_rune_go_table() {
    let cases: &[(char, &str)] = &[
        ('a', "\"a\""),
        ('\u{07}', r#""\a""#),
        ('\\', r#""\\""#),
        ('\u{ff}', "\"ÿ\""),
        ('\u{263a}', "\"☺\""),
        ('\u{fffd}', "\"\u{fffd}\""),
        ('\u{10ffff}', r#""\U0010ffff""#),
        ('\u{04}', r#""\x04""#),
        ('\u{a0}', r#""\u00a0""#),
        ('\u{2000}', r#""\u2000""#),
        ('\u{3000}', r#""\u3000""#),
    ];
    for &(c, want) in cases {
        assert_eq!(quote(&c.to_string()), want, "quote({c:?})");
    }
}

#[test]
fn quote_edge_cases() {
    assert_eq!(quote(""), r#""""#);
    assert_eq!(quote("a\"b"), r#""a\"b""#);
    // Go 1.20+ quotes DEL as \x7f.
    assert_eq!(quote("del\u{7f}"), r#""del\x7f""#);
    assert_eq!(quote("\u{ad}"), r#""\u00ad""#); // soft hyphen is not printable
    assert_eq!(quote("\u{feff}"), r#""\ufeff""#);
    assert_eq!(quote("\u{e0067}"), r#""\U000e0067""#);
    assert_eq!(quote("é日本😀"), "\"é日本😀\"");
    assert_eq!(quote("\u{0}"), r#""\x00""#);
    assert_eq!(quote("\u{1b}[0m"), r#""\x1b[0m""#);
}

// Go: quotetests row "abc\xffdef", plus invalid sequences decoded a byte at
// a time.
#[test]
fn quote_bytes_invalid_utf8() {
    assert_eq!(quote_bytes(b"abc\xffdef"), r#""abc\xffdef""#);
    assert_eq!(quote_bytes(b"a\xe0\xa0z"), r#""a\xe0\xa0z""#);
    assert_eq!(quote_bytes(b"\xed\xa0\x80"), r#""\xed\xa0\x80""#); // surrogate
    assert_eq!(quote_bytes("☺\n".as_bytes()), r#""☺\n""#);
    assert_eq!(quote_bytes(b"\xef\xbf\xbd"), "\"\u{fffd}\""); // a real U+FFFD
}

// Go: TestQuote in src/time/format_test.go (time's private quote).
#[test]
fn time_quote_go_table() {
    let cases: &[(&str, &str)] = &[
        ("\"", r#""\"""#),
        ("abc\"xyz\"", r#""abc\"xyz\"""#),
        ("", r#""""#),
        ("abc", r#""abc""#),
        ("☺", r#""\xe2\x98\xba""#),
        ("☺ hello ☺ hello", r#""\xe2\x98\xba hello \xe2\x98\xba hello""#),
        ("\u{04}", r#""\x04""#),
    ];
    for &(input, want) in cases {
        assert_eq!(time_quote(input.as_bytes()), want, "time_quote({input:?})");
    }
    assert_eq!(time_quote(b"\x7f"), "\"\u{7f}\"");
    assert_eq!(time_quote(b"\x85\x85"), r#""\x85\x85""#);
}

// Spot checks of the Unicode 15.0 printability table against Go 1.21+.
#[test]
fn is_print_spot_checks() {
    let printable = ['a', ' ', '~', '\u{a1}', '\u{378}' /* unassigned */, '\u{1f600}', '\u{31350}'];
    let expect = [true, true, true, true, false, true, true];
    for (c, want) in printable.iter().zip(expect) {
        assert_eq!(is_print(*c), want, "{c:?}");
    }
    for c in ['\u{7f}', '\u{a0}', '\u{ad}', '\u{61c}', '\u{2028}', '\u{e000}', '\u{2ebf0}'] {
        assert!(!is_print(c), "{c:?}");
    }
    assert_eq!(augur_analysis_core::go::gofmt::UNICODE_VERSION, "15.0.0");
}
