//! Go's `url.Values.Encode`: the query strings and form bodies Argo's providers send.
//!
//! Keys are sorted, and every byte except ASCII letters, digits and `-_.~` is
//! percent-encoded, a space as `+` (Go's `QueryEscape`). The `url` crate's form encoder
//! differs on `*` and `~`, which Datadog queries contain (`avg:cpu{*}`); servers decode both
//! alike, but a recorded request should be the one Argo would send.

/// `pairs` encoded as Go's `url.Values.Encode` would (sorted by key, stable for equal keys).
pub fn encode(pairs: &[(&str, &str)]) -> String {
    let mut sorted: Vec<&(&str, &str)> = pairs.iter().collect();
    sorted.sort_by_key(|(k, _)| *k);
    let mut out = String::new();
    for (k, v) in sorted {
        if !out.is_empty() {
            out.push('&');
        }
        query_escape(&mut out, k);
        out.push('=');
        query_escape(&mut out, v);
    }
    out
}

/// Go's `url.QueryEscape`, appended to `out`.
pub fn query_escape(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_go() {
        assert_eq!(
            encode(&[("query", "avg:cpu{*} by {host}"), ("from", "1"), ("to", "2~")]),
            "from=1&query=avg%3Acpu%7B%2A%7D+by+%7Bhost%7D&to=2~"
        );
        assert_eq!(encode(&[]), "");
    }
}
