//! Go's `base64.StdEncoding.DecodeString`: standard alphabet with padding, `\r` and `\n`
//! ignored anywhere, non-zero trailing bits accepted, and errors reported as
//! `illegal base64 data at input byte N` with Go's offsets.

const PAD: u8 = b'=';

fn decode_char(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

fn corrupt(offset: usize) -> String {
    format!("illegal base64 data at input byte {offset}")
}

/// Decodes `src`, or returns Go's error text.
pub fn decode(src: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3 + 3);
    let mut si = 0;
    while si < src.len() {
        let (next, bytes) = decode_quantum(src, si)?;
        out.extend_from_slice(&bytes);
        si = next;
    }
    Ok(out)
}

fn is_newline(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// One 4-character quantum starting at `si`: the next index and the decoded bytes.
fn decode_quantum(src: &[u8], mut si: usize) -> Result<(usize, Vec<u8>), String> {
    let mut dbuf = [0u8; 4];
    let mut dlen = 4;
    let mut trailing_error = None;
    let mut j = 0;
    while j < 4 {
        if si == src.len() {
            if j == 0 {
                return Ok((si, Vec::new()));
            }
            // With padding required, a short final quantum is corrupt.
            return Err(corrupt(si - j));
        }
        let c = src[si];
        si += 1;
        if let Some(v) = decode_char(c) {
            dbuf[j] = v;
            j += 1;
            continue;
        }
        if is_newline(c) {
            continue;
        }
        if c != PAD {
            return Err(corrupt(si - 1));
        }
        // Padding: the quantum ends here.
        match j {
            0 | 1 => return Err(corrupt(si - 1)),
            2 => {
                while si < src.len() && is_newline(src[si]) {
                    si += 1;
                }
                if si == src.len() {
                    return Err(corrupt(src.len()));
                }
                if src[si] != PAD {
                    return Err(corrupt(si - 1));
                }
                si += 1;
            }
            _ => {}
        }
        while si < src.len() && is_newline(src[si]) {
            si += 1;
        }
        if si < src.len() {
            trailing_error = Some(corrupt(si));
        }
        dlen = j;
        break;
    }
    let val = u32::from(dbuf[0]) << 18 | u32::from(dbuf[1]) << 12 | u32::from(dbuf[2]) << 6 | u32::from(dbuf[3]);
    let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
    if let Some(e) = trailing_error {
        return Err(e);
    }
    Ok((si, bytes[..dlen - 1].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(input: &str) -> Result<String, String> {
        decode(input.as_bytes()).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    #[test]
    fn go_cases() {
        assert_eq!(s("aGVsbG8="), Ok("hello".into()));
        assert_eq!(s("YQ==\n"), Ok("a".into()));
        assert_eq!(s("YQ\n=="), Ok("a".into()));
        assert_eq!(s("Y\rQ=="), Ok("a".into()));
        assert_eq!(s("\nYWJj"), Ok("abc".into()));
        assert_eq!(s("YWJ="), Ok("ab".into()));
        assert_eq!(s("YR=="), Ok("a".into()));
        assert_eq!(s(""), Ok("".into()));
        assert_eq!(s("YQ="), Err(corrupt(3)));
        assert_eq!(s("YQ==YQ=="), Err(corrupt(4)));
        assert_eq!(s("YWJjZA="), Err(corrupt(7)));
        assert_eq!(s("Y"), Err(corrupt(0)));
        assert_eq!(s("YQ!="), Err(corrupt(2)));
        assert_eq!(s("=YWJ"), Err(corrupt(0)));
    }
}
