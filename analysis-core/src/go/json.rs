//! Go's `encoding/json` output, which Argo writes into measurement values (the Web provider's
//! `value`, expr's `toJSON`): keys sorted, `<`, `>`, `&` escaped, floats in Go's format.

use serde_json::Value;

use super::gofmt::json_float;

/// `json.Marshal`: compact.
pub fn marshal(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, None, 0);
    out
}

/// `json.MarshalIndent(v, "", "  ")`.
pub fn marshal_indent(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, Some("  "), 0);
    out
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn write(out: &mut String, v: &Value, indent: Option<&str>, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                out.push_str(&json_float(f).unwrap_or_else(|| "null".into()));
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_string(out, k);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(out, &map[k.as_str()], indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

/// A JSON string as Go encodes it (HTML-safe).
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\u{0}'..='\u{1F}' => {
                let n = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((n >> shift) & 0xF) as usize] as char);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Unmarshal` into `interface {}`, with Go's error texts (see [`super::json_decode`]).
pub fn unmarshal(s: &str) -> Result<Value, String> {
    super::json_decode::unmarshal(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_is_sorted_and_html_safe() {
        let v = json!({"b": 1, "a": "<x&y>", "c": [1.5, 2500.0, 1e21]});
        assert_eq!(marshal(&v), r#"{"a":"\u003cx\u0026y\u003e","b":1,"c":[1.5,2500,1e+21]}"#);
    }

    #[test]
    fn indented() {
        let v = json!({"a": [1, 2], "b": {}});
        assert_eq!(marshal_indent(&v), "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}");
    }

    #[test]
    fn errors() {
        assert_eq!(unmarshal("{").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(unmarshal("x").unwrap_err(), "invalid character 'x' looking for beginning of value");
        assert_eq!(unmarshal("1 2").unwrap_err(), "invalid character '2' after top-level value");
        assert_eq!(unmarshal("nul").unwrap_err(), "invalid character ' ' in literal null (expecting 'l')");
    }
}
