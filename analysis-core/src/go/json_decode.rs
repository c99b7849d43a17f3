//! Go's `encoding/json` decoding into `interface{}`: `json.Unmarshal(data, &v)` and
//! `json.Valid`, byte for byte.
//!
//! Argo decodes web-provider bodies and expr's `fromJSON` arguments with Go's decoder, so
//! Augur has to accept exactly the documents Go accepts, build the same values from them, and
//! fail with the same error text. Go works in two passes and so does this module:
//!
//! 1. A byte-at-a-time state machine (Go's `scanner`) checks the whole input first. Its first
//!    error is the `*SyntaxError` that `Unmarshal` and `Valid` report. At end of input Go feeds
//!    the scanner one more space byte. That is why `nul` reports
//!    `invalid character ' ' in literal null (expecting 'l')`, while `"abc` (where a space is
//!    legal) reports `unexpected end of JSON input`.
//! 2. A decoder then builds the value. Input has already passed the check, so the only error
//!    left is a number that overflows `float64`:
//!    `json: cannot unmarshal number 1e400 into Go value of type float64`.
//!
//! Nesting is capped at Go's `maxNestingDepth` of 10000, so the check stops deep input
//! before the decoder sees it. Neither pass recurses, so no input can overflow the stack.

use serde_json::{Map, Number, Value};

/// Go's `maxNestingDepth`: more open arrays/objects than this is a syntax error.
const MAX_NESTING_DEPTH: usize = 10_000;

/// Go's `SyntaxError` text when the input stops before the value is complete.
const UNEXPECTED_END: &str = "unexpected end of JSON input";

/// `json.Unmarshal(data, &v)` with `v interface{}`. Objects decode to maps (a later duplicate
/// key wins), arrays to arrays, every number to a `float64`, and strings, bools and `null` to
/// themselves.
///
/// Errors are Go's texts: a `*SyntaxError` such as
/// `invalid character '}' looking for beginning of object key string` or
/// `unexpected end of JSON input`, or, for a number outside `float64`'s range,
/// `json: cannot unmarshal number 1e400 into Go value of type float64`.
/// Invalid UTF-8 and unpaired UTF-16 surrogate escapes in strings decode to U+FFFD,
/// as in Go.
pub fn unmarshal(data: &[u8]) -> Result<Value, String> {
    check_valid(data)?;
    Decoder { data, pos: 0 }.decode()
}

/// `json.Valid`: whether `data` is one JSON value, optionally surrounded by whitespace.
pub fn valid(data: &[u8]) -> bool {
    check_valid(data).is_ok()
}

/// Go's `checkValid`: runs the scanner over every byte, then signals end of input.
fn check_valid(data: &[u8]) -> Result<(), String> {
    let mut scan = Scanner::new();
    for &c in data {
        scan.step(c)?;
    }
    scan.eof()
}

/// JSON whitespace (Go's `isSpace`): space, tab, carriage return and newline only.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: the byte as a character literal for error messages.
///
/// Go converts the byte to the rune of the same value (so byte 0xC2 shows as `'Â'`), quotes
/// it with `strconv.Quote`, and swaps the double quotes for single ones. `'` and `"` get their
/// own forms.
fn quote_char(c: u8) -> String {
    let body = match c {
        b'\'' => return "'\\''".to_string(),
        b'"' => return "'\"'".to_string(),
        b'\\' => "\\\\".to_string(),
        0x07 => "\\a".to_string(),
        0x08 => "\\b".to_string(),
        0x0C => "\\f".to_string(),
        b'\n' => "\\n".to_string(),
        b'\r' => "\\r".to_string(),
        b'\t' => "\\t".to_string(),
        0x0B => "\\v".to_string(),
        0x00..=0x1F | 0x7F => format!("\\x{c:02x}"),
        0x20..=0x7E => char::from(c).to_string(),
        // strconv.IsPrint: C1 controls, NBSP and the soft hyphen are not printable.
        0x80..=0xA0 | 0xAD => format!("\\u{c:04x}"),
        0xA1..=0xFF => char::from(c).to_string(),
    };
    format!("'{body}'")
}

/// Go's `scanner` step functions, one variant per `state*` function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// After `[`.
    BeginValueOrEmpty,
    /// At the start of the input, or after `:` or `,` in an array.
    BeginValue,
    /// After `{`.
    BeginStringOrEmpty,
    /// After `,` in an object.
    BeginString,
    /// After a complete value.
    EndValue,
    /// After the top-level value; only whitespace may follow.
    EndTop,
    InString,
    /// After `\` in a string.
    InStringEsc,
    /// After `\u` and this many hex digits (0 to 3).
    InStringEscU(u8),
    /// After a leading `-`.
    Neg,
    /// Inside the integer part of a number that starts with 1-9.
    One,
    /// After an integer part of `0`.
    Zero,
    /// After the decimal point.
    Dot,
    /// Inside the fraction digits.
    Dot0,
    /// After `e` or `E`.
    E,
    /// After the exponent's sign.
    ESign,
    /// Inside the exponent digits.
    E0,
    T,
    Tr,
    Tru,
    F,
    Fa,
    Fal,
    Fals,
    N,
    Nu,
    Nul,
}

/// The composite value the scanner is inside (Go's `parseState` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parse {
    /// Before the `:` of an object member.
    ObjectKey,
    /// After the `:` of an object member.
    ObjectValue,
    ArrayValue,
}

/// Go's JSON scanner. Each step either accepts the byte or returns the first syntax error.
/// Go keeps scanning after an error but reports only the first one, so this scanner stops
/// at the first error.
struct Scanner {
    state: State,
    parse_state: Vec<Parse>,
    /// Whether the top-level value is complete.
    end_top: bool,
}

impl Scanner {
    fn new() -> Self {
        Scanner { state: State::BeginValue, parse_state: Vec::new(), end_top: false }
    }

    /// Go's `scanner.error`.
    fn error(c: u8, context: &str) -> Result<(), String> {
        Err(format!("invalid character {} {}", quote_char(c), context))
    }

    /// Go's `scanner.eof`: a complete top-level value is accepted. Otherwise one space byte
    /// is fed in, because a trailing number (`1`) only completes when it sees the next byte.
    /// Any error that space causes is reported; if it causes none the value is unfinished.
    fn eof(&mut self) -> Result<(), String> {
        if self.end_top {
            return Ok(());
        }
        self.step(b' ')?;
        if self.end_top { Ok(()) } else { Err(UNEXPECTED_END.to_string()) }
    }

    fn push_parse_state(&mut self, c: u8, p: Parse) -> Result<(), String> {
        self.parse_state.push(p);
        if self.parse_state.len() <= MAX_NESTING_DEPTH { Ok(()) } else { Self::error(c, "exceeded max depth") }
    }

    fn pop_parse_state(&mut self) {
        self.parse_state.pop();
        if self.parse_state.is_empty() {
            self.state = State::EndTop;
            self.end_top = true;
        } else {
            self.state = State::EndValue;
        }
    }

    /// Feeds one input byte to the current state.
    fn step(&mut self, c: u8) -> Result<(), String> {
        match self.state {
            State::BeginValueOrEmpty => {
                if is_space(c) {
                    Ok(())
                } else if c == b']' {
                    self.end_value(c)
                } else {
                    self.begin_value(c)
                }
            }
            State::BeginValue => self.begin_value(c),
            State::BeginStringOrEmpty => {
                if is_space(c) {
                    Ok(())
                } else if c == b'}' {
                    if let Some(top) = self.parse_state.last_mut() {
                        *top = Parse::ObjectValue;
                    }
                    self.end_value(c)
                } else {
                    self.begin_string(c)
                }
            }
            State::BeginString => self.begin_string(c),
            State::EndValue => self.end_value(c),
            State::EndTop => Self::end_top(c),
            State::InString => match c {
                b'"' => {
                    self.state = State::EndValue;
                    Ok(())
                }
                b'\\' => {
                    self.state = State::InStringEsc;
                    Ok(())
                }
                0x00..=0x1F => Self::error(c, "in string literal"),
                _ => Ok(()),
            },
            State::InStringEsc => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {
                    self.state = State::InString;
                    Ok(())
                }
                b'u' => {
                    self.state = State::InStringEscU(0);
                    Ok(())
                }
                _ => Self::error(c, "in string escape code"),
            },
            State::InStringEscU(seen) => {
                if c.is_ascii_hexdigit() {
                    self.state = if seen == 3 { State::InString } else { State::InStringEscU(seen + 1) };
                    Ok(())
                } else {
                    Self::error(c, "in \\u hexadecimal character escape")
                }
            }
            State::Neg => match c {
                b'0' => {
                    self.state = State::Zero;
                    Ok(())
                }
                b'1'..=b'9' => {
                    self.state = State::One;
                    Ok(())
                }
                _ => Self::error(c, "in numeric literal"),
            },
            State::One => {
                if c.is_ascii_digit() {
                    Ok(())
                } else {
                    self.zero(c)
                }
            }
            State::Zero => self.zero(c),
            State::Dot => {
                if c.is_ascii_digit() {
                    self.state = State::Dot0;
                    Ok(())
                } else {
                    Self::error(c, "after decimal point in numeric literal")
                }
            }
            State::Dot0 => match c {
                b'0'..=b'9' => Ok(()),
                b'e' | b'E' => {
                    self.state = State::E;
                    Ok(())
                }
                _ => self.end_value(c),
            },
            State::E => {
                if c == b'+' || c == b'-' {
                    self.state = State::ESign;
                    Ok(())
                } else {
                    self.e_sign(c)
                }
            }
            State::ESign => self.e_sign(c),
            State::E0 => {
                if c.is_ascii_digit() {
                    Ok(())
                } else {
                    self.end_value(c)
                }
            }
            State::T => self.literal(c, b'r', State::Tr, "in literal true (expecting 'r')"),
            State::Tr => self.literal(c, b'u', State::Tru, "in literal true (expecting 'u')"),
            State::Tru => self.literal(c, b'e', State::EndValue, "in literal true (expecting 'e')"),
            State::F => self.literal(c, b'a', State::Fa, "in literal false (expecting 'a')"),
            State::Fa => self.literal(c, b'l', State::Fal, "in literal false (expecting 'l')"),
            State::Fal => self.literal(c, b's', State::Fals, "in literal false (expecting 's')"),
            State::Fals => self.literal(c, b'e', State::EndValue, "in literal false (expecting 'e')"),
            State::N => self.literal(c, b'u', State::Nu, "in literal null (expecting 'u')"),
            State::Nu => self.literal(c, b'l', State::Nul, "in literal null (expecting 'l')"),
            State::Nul => self.literal(c, b'l', State::EndValue, "in literal null (expecting 'l')"),
        }
    }

    /// One byte of `true`, `false` or `null`.
    fn literal(&mut self, c: u8, want: u8, next: State, context: &str) -> Result<(), String> {
        if c == want {
            self.state = next;
            Ok(())
        } else {
            Self::error(c, context)
        }
    }

    /// Go's `stateBeginValue`.
    fn begin_value(&mut self, c: u8) -> Result<(), String> {
        if is_space(c) {
            return Ok(());
        }
        match c {
            b'{' => {
                self.state = State::BeginStringOrEmpty;
                return self.push_parse_state(c, Parse::ObjectKey);
            }
            b'[' => {
                self.state = State::BeginValueOrEmpty;
                return self.push_parse_state(c, Parse::ArrayValue);
            }
            b'"' => self.state = State::InString,
            b'-' => self.state = State::Neg,
            b'0' => self.state = State::Zero,
            b'1'..=b'9' => self.state = State::One,
            b't' => self.state = State::T,
            b'f' => self.state = State::F,
            b'n' => self.state = State::N,
            _ => return Self::error(c, "looking for beginning of value"),
        }
        Ok(())
    }

    /// Go's `stateBeginString`: an object key must start here.
    fn begin_string(&mut self, c: u8) -> Result<(), String> {
        if is_space(c) {
            Ok(())
        } else if c == b'"' {
            self.state = State::InString;
            Ok(())
        } else {
            Self::error(c, "looking for beginning of object key string")
        }
    }

    /// Go's `state0`: after the integer part of a number.
    fn zero(&mut self, c: u8) -> Result<(), String> {
        match c {
            b'.' => {
                self.state = State::Dot;
                Ok(())
            }
            b'e' | b'E' => {
                self.state = State::E;
                Ok(())
            }
            _ => self.end_value(c),
        }
    }

    /// Go's `stateESign`: the exponent needs at least one digit.
    fn e_sign(&mut self, c: u8) -> Result<(), String> {
        if c.is_ascii_digit() {
            self.state = State::E0;
            Ok(())
        } else {
            Self::error(c, "in exponent of numeric literal")
        }
    }

    /// Go's `stateEndValue`: `c` follows a complete value.
    fn end_value(&mut self, c: u8) -> Result<(), String> {
        let Some(&top) = self.parse_state.last() else {
            self.state = State::EndTop;
            self.end_top = true;
            return Self::end_top(c);
        };
        if is_space(c) {
            self.state = State::EndValue;
            return Ok(());
        }
        match (top, c) {
            (Parse::ObjectKey, b':') => {
                if let Some(t) = self.parse_state.last_mut() {
                    *t = Parse::ObjectValue;
                }
                self.state = State::BeginValue;
                Ok(())
            }
            (Parse::ObjectKey, _) => Self::error(c, "after object key"),
            (Parse::ObjectValue, b',') => {
                if let Some(t) = self.parse_state.last_mut() {
                    *t = Parse::ObjectKey;
                }
                self.state = State::BeginString;
                Ok(())
            }
            (Parse::ObjectValue, b'}') | (Parse::ArrayValue, b']') => {
                self.pop_parse_state();
                Ok(())
            }
            (Parse::ObjectValue, _) => Self::error(c, "after object key:value pair"),
            (Parse::ArrayValue, b',') => {
                self.state = State::BeginValue;
                Ok(())
            }
            (Parse::ArrayValue, _) => Self::error(c, "after array element"),
        }
    }

    /// Go's `stateEndTop`: only whitespace may follow the top-level value.
    fn end_top(c: u8) -> Result<(), String> {
        if is_space(c) { Ok(()) } else { Self::error(c, "after top-level value") }
    }
}

/// A composite value still being built.
enum Frame {
    Array(Vec<Value>),
    /// The members so far and the key whose value is being decoded.
    Object(Map<String, Value>, String),
}

/// Go's `valueInterface`, `arrayInterface`, `objectInterface` and `literalInterface`, over
/// input the scanner has already accepted, with an explicit stack instead of recursion.
struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Decoder<'_> {
    /// The byte at the cursor. The scanner has accepted the input, so the cursor never
    /// passes the end while a value is unfinished.
    fn peek(&self) -> u8 {
        self.data[self.pos]
    }

    fn skip_space(&mut self) {
        while self.pos < self.data.len() && is_space(self.data[self.pos]) {
            self.pos += 1;
        }
    }

    fn decode(mut self) -> Result<Value, String> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // Start the next value: either a scalar, an empty composite, or a new frame.
            self.skip_space();
            let mut value = match self.peek() {
                b'[' => {
                    self.pos += 1;
                    self.skip_space();
                    if self.peek() == b']' {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        continue;
                    }
                }
                b'{' => {
                    self.pos += 1;
                    self.skip_space();
                    if self.peek() == b'}' {
                        self.pos += 1;
                        Value::Object(Map::new())
                    } else {
                        let key = self.key();
                        stack.push(Frame::Object(Map::new(), key));
                        continue;
                    }
                }
                _ => self.literal()?,
            };
            // Store the finished value in its parent, closing every composite that ends here.
            loop {
                match stack.last_mut() {
                    None => return Ok(value),
                    Some(Frame::Array(items)) => {
                        items.push(value);
                        self.skip_space();
                        let c = self.peek();
                        self.pos += 1;
                        if c == b',' {
                            break;
                        }
                        let Some(Frame::Array(items)) = stack.pop() else { unreachable!("top frame is an array") };
                        value = Value::Array(items);
                    }
                    Some(Frame::Object(members, key)) => {
                        // A later duplicate key replaces the earlier value, as Go's map store does.
                        members.insert(std::mem::take(key), value);
                        self.skip_space();
                        let c = self.peek();
                        self.pos += 1;
                        if c == b',' {
                            *key = self.key();
                            break;
                        }
                        let Some(Frame::Object(members, _)) = stack.pop() else {
                            unreachable!("top frame is an object")
                        };
                        value = Value::Object(members);
                    }
                }
            }
        }
    }

    /// An object key and its `:`; leaves the cursor at the member's value.
    fn key(&mut self) -> String {
        self.skip_space();
        let key = self.string();
        self.skip_space();
        self.pos += 1; // ':'
        key
    }

    /// A string, number, `true`, `false` or `null` at the cursor.
    fn literal(&mut self) -> Result<Value, String> {
        let value = match self.peek() {
            b'"' => Value::String(self.string()),
            b't' => {
                self.pos += 4;
                Value::Bool(true)
            }
            b'f' => {
                self.pos += 5;
                Value::Bool(false)
            }
            b'n' => {
                self.pos += 4;
                Value::Null
            }
            _ => self.number()?,
        };
        Ok(value)
    }

    /// Go's `convertNumber`: `strconv.ParseFloat(s, 64)`. The only failure for text the
    /// scanner accepted is overflow (Go's `ErrRange`); underflow rounds to zero without error.
    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        while self.pos < self.data.len()
            && matches!(self.data[self.pos], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
        {
            self.pos += 1;
        }
        // The scanner accepted only ASCII digits, signs, `.` and `e`/`E` here.
        let text = std::str::from_utf8(&self.data[start..self.pos]).unwrap_or_default();
        // Rust's parse is correctly rounded, as Go's ParseFloat is, and the JSON number
        // grammar is a subset of what both accept.
        match text.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(format!("json: cannot unmarshal number {text} into Go value of type float64")),
        }
    }

    /// A quoted string at the cursor, decoded as Go's `unquote` does; moves past the
    /// closing quote.
    fn string(&mut self) -> String {
        let start = self.pos + 1;
        let mut end = start;
        while self.data[end] != b'"' {
            end += if self.data[end] == b'\\' { 2 } else { 1 };
        }
        self.pos = end + 1;
        unquote(&self.data[start..end])
    }
}

/// Go's `unquoteBytes` on the bytes between the quotes of a string literal the scanner
/// accepted.
///
/// Invalid UTF-8 becomes U+FFFD for each byte Go's `utf8.DecodeRune` rejects, one byte at a
/// time. A `\u` surrogate escape is decoded with the next `\u` escape only when the two form a
/// valid pair; otherwise it becomes U+FFFD and the next escape is decoded on its own.
fn unquote(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let run_end = s[i..].iter().position(|&c| c == b'\\').map_or(s.len(), |p| i + p);
        push_utf8_lossy(&mut out, &s[i..run_end]);
        i = run_end;
        if i == s.len() {
            break;
        }
        // `s[i]` is a backslash and the scanner checked the escape after it.
        let decoded = match s[i + 1] {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let r = hex4(s, i).unwrap_or(0xFFFD);
                i += 6;
                if (0xD800..0xE000).contains(&r) {
                    let low = hex4(s, i).unwrap_or(0xFFFD);
                    if (0xD800..0xDC00).contains(&r) && (0xDC00..0xE000).contains(&low) {
                        i += 6;
                        out.push(char::from_u32(0x10000 + ((r - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{FFFD}'));
                    } else {
                        out.push('\u{FFFD}');
                    }
                } else {
                    out.push(char::from_u32(r).unwrap_or('\u{FFFD}'));
                }
                continue;
            }
            // `"`, `\` and `/` stand for themselves.
            c => char::from(c),
        };
        out.push(decoded);
        i += 2;
    }
    out
}

/// Go's `getu4`: the value of a `\uXXXX` escape starting at `s[at]`, if there is one.
fn hex4(s: &[u8], at: usize) -> Option<u32> {
    let esc = s.get(at..at + 6)?;
    if esc[0] != b'\\' || esc[1] != b'u' {
        return None;
    }
    esc[2..].iter().try_fold(0u32, |acc, &c| Some(acc * 16 + char::from(c).to_digit(16)?))
}

/// Appends `bytes` as UTF-8, replacing each byte that does not start a valid sequence with
/// U+FFFD and resuming at the next byte (Go's `utf8.DecodeRune` returns size 1 for any
/// invalid input, unlike `String::from_utf8_lossy`, which replaces whole maximal subparts).
fn push_utf8_lossy(out: &mut String, mut bytes: &[u8]) {
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                out.push('\u{FFFD}');
                bytes = &rest[1..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A Go syntax or type error, by its text.
    fn err(text: &str) -> Result<Value, String> {
        Err(text.to_string())
    }

    /// `(input, Go's result)` for `json.Unmarshal(input, &v)` with `v interface{}`.
    /// Error texts come from Go's scanner/decoder sources and `decode_test.go`.
    fn table() -> Vec<(&'static [u8], Result<Value, String>)> {
        vec![
            // End of input: Go's eof feeds one space; only where a space is legal is the
            // value "unexpected end".
            (b"", err("unexpected end of JSON input")),
            (b" \n\r\t", err("unexpected end of JSON input")),
            (b"[2, 3", err("unexpected end of JSON input")),
            (b"[", err("unexpected end of JSON input")),
            (b"{", err("unexpected end of JSON input")),
            (b"{\"a\"", err("unexpected end of JSON input")),
            (b"{\"a\":", err("unexpected end of JSON input")),
            (b"{\"a\":1,", err("unexpected end of JSON input")),
            (b"\"abc", err("unexpected end of JSON input")),
            (b"nul", err("invalid character ' ' in literal null (expecting 'l')")),
            (b"nu", err("invalid character ' ' in literal null (expecting 'l')")),
            (b"n", err("invalid character ' ' in literal null (expecting 'u')")),
            (b"t", err("invalid character ' ' in literal true (expecting 'r')")),
            (b"tru", err("invalid character ' ' in literal true (expecting 'e')")),
            (b"f", err("invalid character ' ' in literal false (expecting 'a')")),
            (b"fals", err("invalid character ' ' in literal false (expecting 'e')")),
            (b"1.", err("invalid character ' ' after decimal point in numeric literal")),
            (b"-", err("invalid character ' ' in numeric literal")),
            (b"1e", err("invalid character ' ' in exponent of numeric literal")),
            (b"1e+", err("invalid character ' ' in exponent of numeric literal")),
            (b"1.5E-", err("invalid character ' ' in exponent of numeric literal")),
            (b"\"\\", err("invalid character ' ' in string escape code")),
            (b"\"\\u12", err("invalid character ' ' in \\u hexadecimal character escape")),
            (b"[1.", err("invalid character ' ' after decimal point in numeric literal")),
            (b"[tru", err("invalid character ' ' in literal true (expecting 'e')")),
            // Literals.
            (b"nul1", err("invalid character '1' in literal null (expecting 'l')")),
            (b"nulll", err("invalid character 'l' after top-level value")),
            (b"mull", err("invalid character 'm' looking for beginning of value")),
            (b"nan", err("invalid character 'a' in literal null (expecting 'u')")),
            (b"tRue", err("invalid character 'R' in literal true (expecting 'r')")),
            (b"True", err("invalid character 'T' looking for beginning of value")),
            (b"foo", err("invalid character 'o' in literal false (expecting 'a')")),
            (b"[tru]", err("invalid character ']' in literal true (expecting 'e')")),
            (b"{\"a\":tru}", err("invalid character '}' in literal true (expecting 'e')")),
            (b"Infinity", err("invalid character 'I' looking for beginning of value")),
            // Numbers.
            (b"01", err("invalid character '1' after top-level value")),
            (b"-01", err("invalid character '1' after top-level value")),
            (b"[01]", err("invalid character '1' after array element")),
            (b"[1.]", err("invalid character ']' after decimal point in numeric literal")),
            (b"{\"F3\": -}", err("invalid character '}' in numeric literal")),
            (b"-a", err("invalid character 'a' in numeric literal")),
            (b".5", err("invalid character '.' looking for beginning of value")),
            (b"+1", err("invalid character '+' looking for beginning of value")),
            (b"1.e5", err("invalid character 'e' after decimal point in numeric literal")),
            (b"1e+x", err("invalid character 'x' in exponent of numeric literal")),
            (b"1 2", err("invalid character '2' after top-level value")),
            // Strings.
            (b"\"\\x\"", err("invalid character 'x' in string escape code")),
            (b"\"\\'\"", err("invalid character '\\'' in string escape code")),
            (b"\"\\u12\"", err("invalid character '\"' in \\u hexadecimal character escape")),
            (b"\"\\u12g4\"", err("invalid character 'g' in \\u hexadecimal character escape")),
            (b"\"abc\ndef\"", err("invalid character '\\n' in string literal")),
            (b"\"a\tb\"", err("invalid character '\\t' in string literal")),
            (b"\"\x00\"", err("invalid character '\\x00' in string literal")),
            (b"'a'", err("invalid character '\\'' looking for beginning of value")),
            // Arrays and objects.
            (b"{\"X\": \"foo\", \"Y\"}", err("invalid character '}' after object key")),
            (b"{\"X\": \"foo\" \"Y\": \"bar\"}", err("invalid character '\"' after object key:value pair")),
            (b"[1, 2, 3+]", err("invalid character '+' after array element")),
            (b"{\"X\":12x}", err("invalid character 'x' after object key:value pair")),
            (b"{\"a\":1,}", err("invalid character '}' looking for beginning of object key string")),
            (b"{1:2}", err("invalid character '1' looking for beginning of object key string")),
            (b"{]", err("invalid character ']' looking for beginning of object key string")),
            (b"[1,]", err("invalid character ']' looking for beginning of value")),
            (b"[,1]", err("invalid character ',' looking for beginning of value")),
            (b"}{", err("invalid character '}' looking for beginning of value")),
            (b"{\"a\":1}}", err("invalid character '}' after top-level value")),
            (b"[]]", err("invalid character ']' after top-level value")),
            (b"{\"a\" 1}", err("invalid character '1' after object key")),
            (b"[1 2]", err("invalid character '2' after array element")),
            // Raw value errors (decode_test.go) and how bytes are quoted.
            (b"\x01 42", err("invalid character '\\x01' looking for beginning of value")),
            (b" 42 \x01", err("invalid character '\\x01' after top-level value")),
            (b" false \x01", err("invalid character '\\x01' after top-level value")),
            (b" \"string\" \x01", err("invalid character '\\x01' after top-level value")),
            (b"\\", err("invalid character '\\\\' looking for beginning of value")),
            (b"\x0b1", err("invalid character '\\v' looking for beginning of value")),
            (b"\x0c1", err("invalid character '\\f' looking for beginning of value")),
            (b"\x7f", err("invalid character '\\x7f' looking for beginning of value")),
            (b"\xc2\xa0 1", err("invalid character '\u{c2}' looking for beginning of value")),
            (b"\xa01", err("invalid character '\\u00a0' looking for beginning of value")),
            (b"\x851", err("invalid character '\\u0085' looking for beginning of value")),
            (b"\xad1", err("invalid character '\\u00ad' looking for beginning of value")),
            (b"\xef\xbb\xbf{}", err("invalid character '\u{ef}' looking for beginning of value")),
            (b"1\xff", err("invalid character '\u{ff}' after top-level value")),
            // Numbers out of float64 range fail after the syntax check; the literal is verbatim.
            (b"1e400", err("json: cannot unmarshal number 1e400 into Go value of type float64")),
            (b"{\"a\":1e400}", err("json: cannot unmarshal number 1e400 into Go value of type float64")),
            (b"[1, -1E+400]", err("json: cannot unmarshal number -1E+400 into Go value of type float64")),
            (b"[2e400, 1e400]", err("json: cannot unmarshal number 2e400 into Go value of type float64")),
            (b"[1e400, x]", err("invalid character 'x' looking for beginning of value")),
            // Values.
            (b"null", Ok(Value::Null)),
            (b"\n true ", Ok(json!(true))),
            (b"\n false ", Ok(json!(false))),
            (b"\t 1 ", Ok(json!(1.0))),
            (b"\r 1.2 ", Ok(json!(1.2))),
            (b"\t -5 \n", Ok(json!(-5.0))),
            (b"-5e+2", Ok(json!(-500.0))),
            (b"1E2", Ok(json!(100.0))),
            (b"0", Ok(json!(0.0))),
            (b"-0", Ok(json!(-0.0))),
            (b"1e-400", Ok(json!(0.0))),
            (b"0e99999999999999999999", Ok(json!(0.0))),
            (b"0.000001", Ok(json!(0.000001))),
            (b"100000000000000000000", Ok(json!(1e20))),
            (b"9007199254740993", Ok(json!(9007199254740992.0))),
            (b"1.7976931348623157e308", Ok(json!(f64::MAX))),
            (b"4.9e-324", Ok(json!(5e-324))),
            (b"[]", Ok(json!([]))),
            (b"{}", Ok(json!({}))),
            (b" [ 1 , \"x\" , null , true ] ", Ok(json!([1.0, "x", null, true]))),
            (
                b"{\"foo\":\"bar\",\"bar\":{\"baz\":[\"qux\", {}, [], [[1]]]}}",
                Ok(json!({"foo": "bar", "bar": {"baz": ["qux", {}, [], [[1.0]]]}})),
            ),
            (b"{\"a\":1,\"b\":{\"a\":2},\"a\":3}", Ok(json!({"a": 3.0, "b": {"a": 2.0}}))),
            (b"{\"T\":[],\"N\":null,\"\":\"\"}", Ok(json!({"T": [], "N": null, "": ""}))),
            (b"{\"a\\u0062\":1}", Ok(json!({"ab": 1.0}))),
            // String decoding.
            (b"\"\\t \\\"a\\u1234\\\" \\n\"", Ok(json!("\t \"a\u{1234}\" \n"))),
            (b"\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", Ok(json!("/\u{8}\u{c}\n\r\t\"\\"))),
            (b"\"\\u0000\"", Ok(json!("\u{0}"))),
            (b"\"\\u00e9 \xc3\xa9\"", Ok(json!("\u{e9} \u{e9}"))),
            (b"\"\\ud83d\\ude00\"", Ok(json!("\u{1F600}"))),
            (b"\"\\uD83D\\uDE00\"", Ok(json!("\u{1F600}"))),
            (b"\"\\ud800\"", Ok(json!("\u{fffd}"))),
            (b"\"\\udc00\"", Ok(json!("\u{fffd}"))),
            (b"\"\\ud800\\u0041\"", Ok(json!("\u{fffd}A"))),
            (b"\"\\udc00\\ud800\\udc00\"", Ok(json!("\u{fffd}\u{10000}"))),
            (b"\"hello\\ud800world\"", Ok(json!("hello\u{fffd}world"))),
            (b"\"hello\\ud800\\ud800world\"", Ok(json!("hello\u{fffd}\u{fffd}world"))),
            (b"\"hello\xffworld\"", Ok(json!("hello\u{fffd}world"))),
            (b"\"hello\xc2\xc2world\"", Ok(json!("hello\u{fffd}\u{fffd}world"))),
            (b"\"hello\xc2\xffworld\"", Ok(json!("hello\u{fffd}\u{fffd}world"))),
            (
                b"\"hello\xed\xa0\x80\xed\xb0\x80world\"",
                Ok(json!("hello\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}world")),
            ),
            (b"\"\xf0\x9f\x98\"", Ok(json!("\u{fffd}\u{fffd}\u{fffd}"))),
            (b"\"\xe2\x82\\n\"", Ok(json!("\u{fffd}\u{fffd}\n"))),
            (b"\"\xc0\xaf\"", Ok(json!("\u{fffd}\u{fffd}"))),
            (b"\"\xf4\x90\x80\x80\"", Ok(json!("\u{fffd}\u{fffd}\u{fffd}\u{fffd}"))),
            (b"\"\xe2\x80\xa8\"", Ok(json!("\u{2028}"))),
        ]
    }

    #[test]
    fn unmarshal_matches_go() {
        let cases = table();
        assert!(cases.len() >= 60, "{} cases", cases.len());
        for (input, want) in cases {
            let got = unmarshal(input);
            let shown = String::from_utf8_lossy(input);
            match (&got, &want) {
                // Compare floats by bits so -0 and 0 differ, as Go's float64 values do.
                (Ok(g), Ok(w)) => assert!(same(g, w), "{shown:?}: got {g:?}, want {w:?}"),
                _ => assert_eq!(got, want, "{shown:?}"),
            }
            assert_eq!(valid(input), want.is_ok() || want.as_ref().is_err_and(|e| e.starts_with("json:")), "{shown:?}");
        }
    }

    /// Structural equality with floats compared bit for bit.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits) && x.is_f64()
            }
            (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((k, p), (l, q))| k == l && same(p, q))
            }
            _ => a == b,
        }
    }

    #[test]
    fn valid_matches_go() {
        // scanner_test.go TestValid.
        assert!(!valid(b"foo"));
        assert!(!valid(b"}{"));
        assert!(!valid(b"{]"));
        assert!(valid(b"{}"));
        assert!(valid(b"{\"foo\":\"bar\"}"));
        assert!(valid(b"{\"foo\":\"bar\",\"bar\":{\"baz\":[\"qux\"]}}"));
        // Valid checks syntax only: an overflowing number is still valid JSON.
        assert!(valid(b"1e400"));
        assert!(valid(b"\"\xff\""));
    }

    /// Runs `f` on a thread with a 2 MiB stack, like the default test thread.
    fn on_small_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap();
    }

    fn nested(open: &str, close: &str, depth: usize, prefix: &str, suffix: &str) -> Vec<u8> {
        format!("{prefix}{}{}{suffix}", open.repeat(depth), close.repeat(depth)).into_bytes()
    }

    #[test]
    fn max_depth() {
        on_small_stack(|| {
            const DEPTH_ERR: &str = "invalid character '[' exceeded max depth";
            // decode_test.go TestUnmarshalMaxDepth: an object plus 9999 arrays is the limit.
            let at_limit = unmarshal(&nested("[", "]", 9999, "{\"a\":", "}")).unwrap();
            let mut v = &at_limit["a"];
            let mut depth = 1;
            while let Some(inner) = v.as_array().and_then(|a| a.first()) {
                v = inner;
                depth += 1;
            }
            assert_eq!(depth, 10_000 - 1);
            drop_deep(at_limit);
            assert_eq!(unmarshal(&nested("[", "]", 10_000, "{\"a\":", "}")), err(DEPTH_ERR));
            assert_eq!(unmarshal(&nested("[", "]", 3_000_000, "{\"a\":", "}")), err(DEPTH_ERR));
            drop_deep(unmarshal(&nested("[", "]", 10_000, "", "")).unwrap());
            assert_eq!(unmarshal(&nested("[", "]", 10_001, "", "")), err(DEPTH_ERR));
            assert_eq!(unmarshal(&nested("[", "]", 20_000, "", "")), err(DEPTH_ERR));
            assert!(!valid(&nested("[", "]", 20_000, "", "")));
            let objects = |depth: usize| format!("{}null{}", "{\"a\":".repeat(depth), "}".repeat(depth)).into_bytes();
            drop_deep(unmarshal(&objects(10_000)).unwrap());
            assert_eq!(unmarshal(&objects(10_001)), err("invalid character '{' exceeded max depth"));
            // The first error in the input wins.
            assert_eq!(unmarshal(&nested("[", "]", 20_000, "", "x")), err(DEPTH_ERR));
            assert_eq!(
                unmarshal(format!("{}x", "[".repeat(50)).as_bytes()),
                err("invalid character 'x' looking for beginning of value")
            );
            assert_eq!(unmarshal("[".repeat(10_000).as_bytes()), err("unexpected end of JSON input"));
        });
    }

    /// Drops a deeply nested value without recursion (serde_json's `Drop` recurses).
    fn drop_deep(v: Value) {
        let mut pending = vec![v];
        while let Some(v) = pending.pop() {
            match v {
                Value::Array(items) => pending.extend(items),
                Value::Object(members) => pending.extend(members.into_iter().map(|(_, v)| v)),
                _ => {}
            }
        }
    }

    #[test]
    fn quote_char_matches_strconv() {
        assert_eq!(quote_char(b'a'), "'a'");
        assert_eq!(quote_char(b' '), "' '");
        assert_eq!(quote_char(b'\''), "'\\''");
        assert_eq!(quote_char(b'"'), "'\"'");
        assert_eq!(quote_char(b'\\'), "'\\\\'");
        assert_eq!(quote_char(0x07), "'\\a'");
        assert_eq!(quote_char(0x1b), "'\\x1b'");
        assert_eq!(quote_char(0x9f), "'\\u009f'");
        assert_eq!(quote_char(0xa1), "'\u{a1}'");
        assert_eq!(quote_char(0xe9), "'\u{e9}'");
    }
}
