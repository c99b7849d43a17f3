//! `strconv.Quote` and the `time` package's private `quote`.

use super::isprint_table::PRINT_RANGES;

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

/// Reports whether Go's `strconv.IsPrint` accepts `c`: letters, marks,
/// numbers, punctuation, symbols (Unicode categories L, M, N, P, S) and the
/// ASCII space.
pub fn is_print(c: char) -> bool {
    let cp = u32::from(c);
    // The table is sorted and disjoint, so the only candidate range is the
    // last one starting at or before `cp`.
    let idx = PRINT_RANGES.partition_point(|&(lo, _)| lo <= cp);
    idx.checked_sub(1).and_then(|i| PRINT_RANGES.get(i)).is_some_and(|&(_, hi)| cp <= hi)
}

/// Go's `strconv.Quote`: a double-quoted Go string literal for `s`.
///
/// Printable characters (see [`is_print`]) are kept as they are; `"` and `\`
/// are backslashed; `\a \b \f \n \r \t \v` use their short escapes; other
/// control characters and DEL become `\xNN`; remaining non-printable
/// characters become `\uNNNN` or `\UNNNNNNNN`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped_char(&mut out, c);
    }
    out.push('"');
    out
}

/// Go's `strconv.Quote` applied to a byte string that may not be UTF-8.
///
/// Each byte that does not start a valid UTF-8 sequence is written as
/// `\xNN`, exactly as Go does when `utf8.DecodeRuneInString` reports an
/// error of width one; valid characters are quoted as by [`quote`].
pub fn quote_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_escaped_char(&mut out, c);
        }
        // Go decodes an invalid sequence one byte at a time, so every byte of
        // it is escaped on its own.
        for &byte in chunk.invalid() {
            push_hex_escape(&mut out, 'x', u32::from(byte), 2);
        }
    }
    out.push('"');
    out
}

/// The `time` package's private `quote`, used in `time.ParseDuration`,
/// `time.Parse` and `LoadLocation` messages.
///
/// Unlike [`quote`] it works byte by byte: every byte below U+0020 or above
/// U+007F (so every byte of a multi-byte character) is written as `\xNN`,
/// and only `"` and `\` are backslashed. DEL (0x7F) is kept raw.
pub fn time_quote(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    for &byte in b {
        if !(b' '..0x80).contains(&byte) {
            push_hex_escape(&mut out, 'x', u32::from(byte), 2);
        } else {
            if byte == b'"' || byte == b'\\' {
                out.push('\\');
            }
            out.push(char::from(byte));
        }
    }
    out.push('"');
    out
}

fn push_escaped_char(out: &mut String, c: char) {
    if c == '"' || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{07}' => out.push_str("\\a"),
        '\u{08}' => out.push_str("\\b"),
        '\u{0c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{0b}' => out.push_str("\\v"),
        // Go 1.20+ writes DEL as \x7f, like the C0 controls.
        c if c < ' ' || c == '\u{7f}' => push_hex_escape(out, 'x', u32::from(c), 2),
        c if u32::from(c) < 0x10000 => push_hex_escape(out, 'u', u32::from(c), 4),
        c => push_hex_escape(out, 'U', u32::from(c), 8),
    }
}

/// Appends `\<kind>` followed by the low `digits` hex digits of `v`.
fn push_hex_escape(out: &mut String, kind: char, v: u32, digits: u32) {
    out.push('\\');
    out.push(kind);
    for i in (0..digits).rev() {
        let nibble = (v >> (4 * i)) & 0xF;
        // `nibble` is at most 15, so the lookup cannot miss.
        if let Some(&h) = LOWER_HEX.get(nibble as usize) {
            out.push(char::from(h));
        }
    }
}
