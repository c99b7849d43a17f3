//! Go's `time.ParseDuration` and `time.Duration.String`, on `i64`
//! nanoseconds.

use crate::go::gofmt::time_quote;

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1000 * NANOSECOND;
const MILLISECOND: u64 = 1000 * MICROSECOND;
const SECOND: u64 = 1000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// 2^63: the magnitude of `i64::MIN`, the largest a negative duration may
/// accumulate to before the sign is applied.
const MAX_MAGNITUDE: u64 = 1 << 63;

/// Parses a duration string the way Go's `time.ParseDuration` does and returns
/// it in nanoseconds.
///
/// A duration is an optional sign followed by one or more decimal numbers,
/// each with an optional fraction and a unit: `ns`, `us`, `µs` (U+00B5),
/// `μs` (U+03BC), `ms`, `s`, `m`, `h` — for example `"300ms"`, `"-1.5h"`,
/// `"2h45m"`, `".5s"`. A lone `"0"` (optionally signed) needs no unit.
///
/// Errors carry Go's text, with values quoted by the `time` package's own
/// quoting ([`crate::go::gofmt::time_quote`]):
/// `time: invalid duration "x"`, `time: missing unit in duration "1"`,
/// `time: unknown unit "d" in duration "1d"`; overflow is reported as an
/// invalid duration.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let orig = s.as_bytes();
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some((&c @ (b'-' | b'+'), rest)) = s.split_first() {
        neg = c == b'-';
        s = rest;
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while let Some(&first) = s.first() {
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(invalid());
        }
        let before = s.len();
        let (mut v, rest) = leading_int(s).ok_or_else(invalid)?;
        s = rest;
        let had_int = before != s.len();

        let mut frac: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut had_frac = false;
        if let Some((b'.', rest)) = s.split_first() {
            let before = rest.len();
            let (f, sc, rest) = leading_fraction(rest);
            frac = f;
            scale = sc;
            s = rest;
            had_frac = before != s.len();
        }
        if !had_int && !had_frac {
            // No digits at all, e.g. ".s" or "-.s".
            return Err(invalid());
        }

        let unit_len = s.iter().position(|&c| c == b'.' || c.is_ascii_digit()).unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", time_quote(orig)));
        }
        let (unit_name, rest) = s.split_at(unit_len);
        s = rest;
        let Some(unit) = unit_nanos(unit_name) else {
            return Err(format!("time: unknown unit {} in duration {}", time_quote(unit_name), time_quote(orig)));
        };
        if v > MAX_MAGNITUDE / unit {
            return Err(invalid());
        }
        v *= unit;
        if frac > 0 {
            // Go scales the fraction in float64, which is exact to the
            // nanosecond even for fractions of an hour; `as` truncates like
            // Go's float-to-integer conversion.
            v += (frac as f64 * (unit as f64 / scale)) as u64;
            if v > MAX_MAGNITUDE {
                return Err(invalid());
            }
        }
        // Go adds in uint64 and only then checks, so a sum of exactly 2^64
        // wraps to zero rather than failing; keep that quirk.
        total = total.wrapping_add(v);
        if total > MAX_MAGNITUDE {
            return Err(invalid());
        }
    }
    if neg {
        // 2^63 reinterprets as i64::MIN, whose negation is itself — as in Go.
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Formats nanoseconds the way Go's `time.Duration.String` does:
/// `"72h3m0.5s"`, `"1.5s"`, `"2.2ms"`, `"1.1µs"`, `"1ns"`, `"0s"`.
///
/// Durations under a second use the largest of `ms`, `µs` (U+00B5) or `ns`
/// that keeps a non-zero leading digit; longer ones print hours, minutes and
/// seconds, omitting leading zero units and trailing fractional zeros.
pub fn format_duration(ns: i64) -> String {
    // Go negates in uint64 so that i64::MIN becomes 2^63 instead of
    // overflowing.
    let mut u = ns.unsigned_abs();
    // Digits are produced right to left, so build reversed and flip once.
    let mut rev = String::with_capacity(32);
    if u < SECOND {
        let prec = match u {
            0 => return "0s".to_owned(),
            u if u < MICROSECOND => {
                rev.push_str("sn");
                0
            }
            u if u < MILLISECOND => {
                rev.push_str("sµ");
                3
            }
            _ => {
                rev.push_str("sm");
                6
            }
        };
        u = push_frac_rev(&mut rev, u, prec);
        push_int_rev(&mut rev, u);
    } else {
        rev.push('s');
        u = push_frac_rev(&mut rev, u, 9);
        push_int_rev(&mut rev, u % 60);
        u /= 60;
        if u > 0 {
            rev.push('m');
            push_int_rev(&mut rev, u % 60);
            u /= 60;
            // Hours are the largest unit: days vary in length.
            if u > 0 {
                rev.push('h');
                push_int_rev(&mut rev, u);
            }
        }
    }
    if ns < 0 {
        rev.push('-');
    }
    rev.chars().rev().collect()
}

/// Writes (reversed) the `prec` low decimal digits of `v` as a fraction,
/// omitting trailing zeros and the point when all are zero; returns `v`
/// without those digits.
fn push_frac_rev(rev: &mut String, mut v: u64, prec: u32) -> u64 {
    let mut printing = false;
    for _ in 0..prec {
        let digit = v % 10;
        printing = printing || digit != 0;
        if printing {
            rev.push(decimal_char(digit));
        }
        v /= 10;
    }
    if printing {
        rev.push('.');
    }
    v
}

/// Writes (reversed) the decimal digits of `v`.
fn push_int_rev(rev: &mut String, mut v: u64) {
    loop {
        rev.push(decimal_char(v % 10));
        v /= 10;
        if v == 0 {
            break;
        }
    }
}

fn decimal_char(digit: u64) -> char {
    char::from_digit((digit % 10) as u32, 10).unwrap_or('0')
}

fn unit_nanos(unit: &[u8]) -> Option<u64> {
    Some(match unit {
        b"ns" => NANOSECOND,
        // "us", U+00B5 MICRO SIGN + "s", U+03BC GREEK SMALL LETTER MU + "s".
        b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => MICROSECOND,
        b"ms" => MILLISECOND,
        b"s" => SECOND,
        b"m" => MINUTE,
        b"h" => HOUR,
        _ => return None,
    })
}

/// Consumes leading ASCII digits; `None` when the value exceeds 2^63 (Go's
/// `leadingInt` overflow).
pub(crate) fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let end = s.iter().position(|c| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, rest) = s.split_at(end);
    let mut x: u64 = 0;
    for &c in digits {
        if x > MAX_MAGNITUDE / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > MAX_MAGNITUDE {
            return None;
        }
    }
    Some((x, rest))
}

/// Consumes leading ASCII digits of a fraction, returning the digits kept
/// and their scale (10^kept); digits beyond 2^63 precision are skipped, not
/// an error.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let end = s.iter().position(|c| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, rest) = s.split_at(end);
    let mut x: u64 = 0;
    let mut scale = 1.0;
    let mut overflow = false;
    for &c in digits {
        if overflow {
            continue;
        }
        if x > (MAX_MAGNITUDE - 1) / 10 {
            overflow = true;
            continue;
        }
        let y = x * 10 + u64::from(c - b'0');
        if y > MAX_MAGNITUDE {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale, rest)
}
