//! Byte-for-byte Go `encoding/json` output for the spec types.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::go::gofmt::json_float;

/// Serializes `value` as Go's `json.Marshal` would: compact, fields in declaration order (the
/// spec types declare them in Go's order), map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
/// escaped as `\u003c` etc., floats in Go's format (`1e+21`, not `1e21`; NaN and infinities,
/// which Go refuses to encode, become `null`).
///
/// Free-form JSON (`jsonBody`, plugin configuration, job specs) is written with sorted keys,
/// whereas Go copies a `json.RawMessage` in its original key order.
pub fn to_go_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    value.serialize(&mut ser)?;
    // The formatter only writes UTF-8.
    Ok(String::from_utf8(out).unwrap_or_default())
}

struct GoFormatter;

impl Formatter for GoFormatter {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(json_float(value).as_deref().unwrap_or("null").as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }

    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        let mut last = 0;
        for (i, c) in fragment.char_indices() {
            if matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') {
                writer.write_all(&fragment.as_bytes()[last..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                last = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[last..])
    }
}
