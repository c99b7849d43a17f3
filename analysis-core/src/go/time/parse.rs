//! Go's `time.Parse` / `time.ParseInLocation` (the generic `parse`).
//!
//! Go works on bytes and slices strings at byte offsets, so this does too;
//! error messages quote the byte slices with the `time` package's quoting.

use super::calendar::{days_before, days_in, is_leap};
use super::format::LONG_DAY_NAMES;
use super::format::LONG_MONTH_NAMES;
use super::layout::{Std, next_std_chunk};
use super::{GoTime, Location};
use crate::go::duration::leading_int;
use crate::go::gofmt::time_quote;

/// Go's `ParseError.Error()`.
fn parse_error(layout: &[u8], value: &[u8], layout_elem: &[u8], value_elem: &[u8]) -> String {
    format!(
        "parsing time {} as {}: cannot parse {} as {}",
        time_quote(value),
        time_quote(layout),
        time_quote(value_elem),
        time_quote(layout_elem)
    )
}

/// A `ParseError` with a message: `parsing time "<value>"<message>`.
fn parse_error_msg(value: &[u8], message: &str) -> String {
    format!("parsing time {}{}", time_quote(value), message)
}

/// Parsed fields, before they are combined into an instant.
struct Fields {
    year: i128,
    month: i128,
    day: i128,
    yday: i128,
    hour: i128,
    min: i128,
    sec: i128,
    nsec: i128,
    am_set: bool,
    pm_set: bool,
    /// Set when the value named UTC explicitly ("Z" or "UTC").
    utc: bool,
    zone_offset: Option<i32>,
    zone_name: Vec<u8>,
}

/// Parses `value` against `layout`; see [`super::parse_in_location`].
pub(crate) fn parse(
    layout_str: &str,
    value_str: &str,
    default_location: &Location,
    local: &Location,
) -> Result<GoTime, String> {
    let alayout = layout_str.as_bytes();
    let avalue = value_str.as_bytes();
    let mut layout = alayout;
    let mut value = avalue;
    let mut f = Fields {
        year: 0,
        month: -1,
        day: -1,
        yday: -1,
        hour: 0,
        min: 0,
        sec: 0,
        nsec: 0,
        am_set: false,
        pm_set: false,
        utc: false,
        zone_offset: None,
        zone_name: Vec::new(),
    };

    loop {
        let chunk = next_std_chunk(layout);
        let std_len = layout.len() - chunk.prefix.len() - chunk.suffix.len();
        let stdstr = layout.get(chunk.prefix.len()..chunk.prefix.len() + std_len).unwrap_or_default();
        value = match skip(value, chunk.prefix) {
            Ok(rest) => rest,
            Err(at) => return Err(parse_error(alayout, avalue, chunk.prefix, at)),
        };
        let Some(std) = chunk.std else {
            if !value.is_empty() {
                return Err(parse_error_msg(avalue, &format!(": extra text: {}", time_quote(value))));
            }
            break;
        };
        layout = chunk.suffix;
        let hold = value;
        let mut range_err: Option<&'static str> = None;
        let ok = parse_element(std, layout, &mut value, &mut f, &mut range_err);
        if let Some(what) = range_err {
            return Err(parse_error_msg(avalue, &format!(": {what} out of range")));
        }
        if !ok {
            return Err(parse_error(alayout, avalue, stdstr, hold));
        }
    }

    if f.pm_set && f.hour < 12 {
        f.hour += 12;
    } else if f.am_set && f.hour == 12 {
        f.hour = 0;
    }

    // Convert day-of-year to month and day, checking any explicit ones.
    if f.yday >= 0 {
        let mut yday = f.yday;
        let mut m: i128 = 0;
        let mut d: i128 = 0;
        if is_leap(f.year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(parse_error_msg(avalue, ": day-of-year out of range"));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            if days_before(month_u8(m + 1)) < yday {
                m += 1;
            }
            d = yday - days_before(month_u8(m));
        }
        if f.month >= 0 && f.month != m {
            return Err(parse_error_msg(avalue, ": day-of-year does not match month"));
        }
        f.month = m;
        if f.day >= 0 && f.day != d {
            return Err(parse_error_msg(avalue, ": day-of-year does not match day"));
        }
        f.day = d;
    } else {
        if f.month < 0 {
            f.month = 1;
        }
        if f.day < 0 {
            f.day = 1;
        }
    }

    if f.day < 1 || f.day > days_in(month_u8(f.month), f.year) {
        return Err(parse_error_msg(avalue, ": day out of range"));
    }

    let date = |loc: &Location| GoTime::date_i128(f.year, f.month, f.day, f.hour, f.min, f.sec, f.nsec, loc.clone());

    if f.utc {
        return Ok(date(&Location::utc()));
    }

    if let Some(zone_offset) = f.zone_offset {
        let t = date(&Location::utc()).add_seconds(-i64::from(zone_offset));
        // Use the local zone if it has this offset (and name) at that time.
        let (name, offset) = local.lookup(t.unix());
        if offset == zone_offset && (f.zone_name.is_empty() || name.as_bytes() == f.zone_name) {
            return Ok(t.in_location(local.clone()));
        }
        let name = String::from_utf8_lossy(&f.zone_name);
        return Ok(t.in_location(Location::fixed(&name, zone_offset)));
    }

    if !f.zone_name.is_empty() {
        let t = date(&Location::utc());
        let name = String::from_utf8_lossy(&f.zone_name).into_owned();
        if let Some(offset) = local.lookup_name(&name, t.unix()) {
            return Ok(t.add_seconds(-i64::from(offset)).in_location(local.clone()));
        }
        // Unknown abbreviation: record it with a made-up offset (zero, or
        // GMT±h's hours) without moving the instant, as Go does.
        let mut offset: i32 = 0;
        if name.len() > 3 && name.starts_with("GMT") {
            offset = atoi(name.as_bytes().get(3..).unwrap_or_default())
                .and_then(|h| i32::try_from(h).ok())
                .map_or(0, |h| h.saturating_mul(3600));
        }
        return Ok(t.in_location(Location::fixed(&name, offset)));
    }

    Ok(date(default_location))
}

/// Parses one element, advancing `value`. Returns `false` for Go's `errBad`
/// (reported against the element); out-of-range values set `range_err`
/// instead, which Go reports first.
fn parse_element(
    std: Std,
    layout_rest: &[u8],
    value: &mut &[u8],
    f: &mut Fields,
    range_err: &mut Option<&'static str>,
) -> bool {
    let v = *value;
    match std {
        Std::Year => {
            let (Some(p), Some(rest)) = (v.get(..2), v.get(2..)) else {
                return false;
            };
            *value = rest;
            let Some(year) = atoi(p) else { return false };
            f.year = if year >= 69 { year + 1900 } else { year + 2000 };
            true
        }
        Std::LongYear => {
            if v.len() < 4 || !is_digit(v, 0) {
                return false;
            }
            *value = &v[4..];
            match atoi(&v[..4]) {
                Some(year) => {
                    f.year = year;
                    true
                }
                None => false,
            }
        }
        Std::Month | Std::LongMonth => {
            let short: [&str; 12] = LONG_MONTH_NAMES.map(|m| m.get(..3).unwrap_or(m));
            let table = if std == Std::Month { short } else { LONG_MONTH_NAMES };
            match lookup(&table, v) {
                Some((i, rest)) => {
                    f.month = i + 1;
                    *value = rest;
                    true
                }
                None => {
                    f.month = 0;
                    false
                }
            }
        }
        Std::NumMonth | Std::ZeroMonth => match getnum(v, std == Std::ZeroMonth) {
            Some((month, rest)) => {
                f.month = month;
                *value = rest;
                if !(1..=12).contains(&month) {
                    *range_err = Some("month");
                }
                true
            }
            None => false,
        },
        Std::WeekDay | Std::LongWeekDay => {
            // The weekday is checked for syntax only.
            let short: [&str; 7] = LONG_DAY_NAMES.map(|d| d.get(..3).unwrap_or(d));
            let table = if std == Std::WeekDay { short } else { LONG_DAY_NAMES };
            match lookup(&table, v) {
                Some((_, rest)) => {
                    *value = rest;
                    true
                }
                None => false,
            }
        }
        Std::Day | Std::UnderDay | Std::ZeroDay => {
            let mut v = v;
            if std == Std::UnderDay && v.first() == Some(&b' ') {
                v = &v[1..];
            }
            // Any one- or two-digit day; validated against the month later.
            getnum(v, std == Std::ZeroDay).is_some_and(|(day, rest)| {
                f.day = day;
                *value = rest;
                true
            })
        }
        Std::UnderYearDay | Std::ZeroYearDay => {
            let mut v = v;
            for _ in 0..2 {
                if std == Std::UnderYearDay && v.first() == Some(&b' ') {
                    v = &v[1..];
                }
            }
            getnum3(v, std == Std::ZeroYearDay).is_some_and(|(yday, rest)| {
                f.yday = yday;
                *value = rest;
                true
            })
        }
        Std::Hour => {
            let parsed = getnum(v, false);
            f.hour = parsed.map_or(0, |(h, _)| h);
            // Go range-checks even after a failed getnum (hour is then 0).
            if !(0..24).contains(&f.hour) {
                *range_err = Some("hour");
            }
            parsed.is_some_and(|(_, rest)| {
                *value = rest;
                true
            })
        }
        Std::Hour12 | Std::ZeroHour12 => {
            let parsed = getnum(v, std == Std::ZeroHour12);
            f.hour = parsed.map_or(0, |(h, _)| h);
            if !(0..=12).contains(&f.hour) {
                *range_err = Some("hour");
            }
            parsed.is_some_and(|(_, rest)| {
                *value = rest;
                true
            })
        }
        Std::Minute | Std::ZeroMinute => {
            let parsed = getnum(v, std == Std::ZeroMinute);
            f.min = parsed.map_or(0, |(m, _)| m);
            if !(0..60).contains(&f.min) {
                *range_err = Some("minute");
            }
            parsed.is_some_and(|(_, rest)| {
                *value = rest;
                true
            })
        }
        Std::Second | Std::ZeroSecond => parse_second(std, layout_rest, value, f, range_err),
        Std::UpperPm | Std::LowerPm => {
            let (Some(p), Some(rest)) = (v.get(..2), v.get(2..)) else {
                return false;
            };
            *value = rest;
            let (pm, am): (&[u8], &[u8]) = if std == Std::UpperPm { (b"PM", b"AM") } else { (b"pm", b"am") };
            if p == pm {
                f.pm_set = true;
            } else if p == am {
                f.am_set = true;
            } else {
                return false;
            }
            true
        }
        Std::Tz => {
            if v.starts_with(b"UTC") {
                f.utc = true;
                *value = &v[3..];
                return true;
            }
            match parse_time_zone(v) {
                Some(n) if n <= v.len() => {
                    f.zone_name = v[..n].to_vec();
                    *value = &v[n..];
                    true
                }
                _ => false,
            }
        }
        Std::FracSecond0 { digits, .. } => {
            // The exact number of digits the layout asks for.
            let ndigit = 1 + digits;
            if v.len() < ndigit {
                return false;
            }
            let ok = parse_nanoseconds(v, ndigit, f, range_err);
            *value = &v[ndigit..];
            ok
        }
        Std::FracSecond9 { .. } => {
            if v.len() < 2 || !comma_or_period(v[0]) || !v[1].is_ascii_digit() {
                // Fractional second omitted.
                return true;
            }
            // Any number of digits, even more than the layout shows.
            let n = 1 + v.iter().skip(1).take_while(|c| c.is_ascii_digit()).count();
            let ok = parse_nanoseconds(v, n, f, range_err);
            *value = &v[n..];
            ok
        }
        zone => parse_numeric_zone(zone, value, f, range_err),
    }
}

fn parse_second(
    std: Std,
    layout_rest: &[u8],
    value: &mut &[u8],
    f: &mut Fields,
    range_err: &mut Option<&'static str>,
) -> bool {
    let Some((sec, rest)) = getnum(value, std == Std::ZeroSecond) else {
        return false;
    };
    f.sec = sec;
    *value = rest;
    if !(0..60).contains(&sec) {
        *range_err = Some("second");
        return true;
    }
    // A fractional second may follow even when the layout has none.
    if rest.len() >= 2 && comma_or_period(rest[0]) && is_digit(rest, 1) {
        let next = next_std_chunk(layout_rest).std;
        if matches!(next, Some(Std::FracSecond0 { .. } | Std::FracSecond9 { .. })) {
            // The layout's own fraction element will consume it.
            return true;
        }
        let n = 2 + rest.iter().skip(2).take_while(|c| c.is_ascii_digit()).count();
        let ok = parse_nanoseconds(rest, n, f, range_err);
        *value = &rest[n..];
        return ok;
    }
    true
}

fn parse_numeric_zone(std: Std, value: &mut &[u8], f: &mut Fields, range_err: &mut Option<&'static str>) -> bool {
    let v = *value;
    if std.is_iso8601_zone() && v.first() == Some(&b'Z') {
        *value = &v[1..];
        f.utc = true;
        return true;
    }
    // Total length, then the byte ranges of hours, minutes and seconds
    // (absent fields read as "00").
    type Span = Option<(usize, usize)>;
    let (len, hh, mm, ss): (usize, (usize, usize), Span, Span) = match std {
        Std::Iso8601ColonTz | Std::NumColonTz => {
            if v.len() < 6 || v[3] != b':' {
                return false;
            }
            (6, (1, 3), Some((4, 6)), None)
        }
        Std::NumShortTz | Std::Iso8601ShortTz => (3, (1, 3), None, None),
        Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz => {
            if v.len() < 9 || v[3] != b':' || v[6] != b':' {
                return false;
            }
            (9, (1, 3), Some((4, 6)), Some((7, 9)))
        }
        Std::Iso8601SecondsTz | Std::NumSecondsTz => (7, (1, 3), Some((3, 5)), Some((5, 7))),
        _ => (5, (1, 3), Some((3, 5)), None),
    };
    if v.len() < len {
        return false;
    }
    let sign = v[0];
    *value = &v[len..];
    let two = |r: Option<(usize, usize)>| match r {
        Some((a, b)) => getnum(&v[a..b], true).map(|(n, _)| n),
        None => Some(0),
    };
    // Go stops at the first bad field, leaving later ones at zero.
    let hr = two(Some(hh));
    let mn = hr.and_then(|_| two(mm));
    let sc = mn.and_then(|_| two(ss));
    let ok = hr.is_some() && mn.is_some() && sc.is_some();
    let (hr, mn, sc) = (hr.unwrap_or(0), mn.unwrap_or(0), sc.unwrap_or(0));
    // ">" rather than ">=": offsets of 24h, 60m or 60s occur in the wild.
    if hr > 24 {
        *range_err = Some("time zone offset hour");
    }
    if mn > 60 {
        *range_err = Some("time zone offset minute");
    }
    if sc > 60 {
        *range_err = Some("time zone offset second");
    }
    let magnitude = i32::try_from((hr * 60 + mn) * 60 + sc).unwrap_or(0);
    match sign {
        b'+' => f.zone_offset = Some(magnitude),
        b'-' => f.zone_offset = Some(-magnitude),
        _ => {
            f.zone_offset = Some(magnitude);
            return false;
        }
    }
    ok
}

/// Go's `parseNanoseconds`: `value[0]` is the separator and
/// `value[1..nbytes]` the digits (at most nine are used).
fn parse_nanoseconds(value: &[u8], nbytes: usize, f: &mut Fields, range_err: &mut Option<&'static str>) -> bool {
    if !value.first().copied().is_some_and(comma_or_period) {
        return false;
    }
    let nbytes = nbytes.min(10);
    let Some(ns) = value.get(1..nbytes).and_then(atoi) else {
        return false;
    };
    if ns < 0 {
        *range_err = Some("fractional second");
        return true;
    }
    // Scale by the digits missing from nine.
    f.nsec = ns * 10_i128.pow(u32::try_from(10 - nbytes).unwrap_or(0));
    true
}

/// Go's `skip`: removes `prefix` from `value`, where a run of spaces in the
/// prefix matches any run (even empty) of spaces in the value. On mismatch
/// returns the value at the point of failure.
fn skip<'a>(mut value: &'a [u8], mut prefix: &[u8]) -> Result<&'a [u8], &'a [u8]> {
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&c| c != b' ') {
                return Err(value);
            }
            prefix = trim_spaces(prefix);
            value = trim_spaces(value);
            continue;
        }
        match value.first() {
            Some(&c) if c == p => {
                prefix = &prefix[1..];
                value = &value[1..];
            }
            _ => return Err(value),
        }
    }
    Ok(value)
}

fn trim_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b' ').count();
    &s[n..]
}

/// Go's `lookup`: the first name in `table` that prefixes `val`, compared
/// ASCII-case-insensitively for letters only.
fn lookup<'a>(table: &[&str], val: &'a [u8]) -> Option<(i128, &'a [u8])> {
    table.iter().zip(0..).find_map(|(name, i)| {
        let name = name.as_bytes();
        let head = val.get(..name.len())?;
        let same = head.iter().zip(name).all(|(&a, &b)| {
            a == b || {
                let (a, b) = (a | 0x20, b | 0x20);
                a == b && a.is_ascii_lowercase()
            }
        });
        same.then(|| (i, &val[name.len()..]))
    })
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &[u8], fixed: bool) -> Option<(i128, &[u8])> {
    if !is_digit(s, 0) {
        return None;
    }
    if !is_digit(s, 1) {
        if fixed {
            return None;
        }
        return Some((i128::from(s[0] - b'0'), &s[1..]));
    }
    Some((i128::from(s[0] - b'0') * 10 + i128::from(s[1] - b'0'), &s[2..]))
}

/// Go's `getnum3`: one to three digits (exactly three when `fixed`).
fn getnum3(s: &[u8], fixed: bool) -> Option<(i128, &[u8])> {
    let n = s.iter().take(3).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || (fixed && n != 3) {
        return None;
    }
    let v = s[..n].iter().fold(0, |acc, &c| acc * 10 + i128::from(c - b'0'));
    Some((v, &s[n..]))
}

/// Go's `atoi`: optional sign, then only digits (an empty digit run is
/// zero, so "+" parses as 0 like in Go).
fn atoi(s: &[u8]) -> Option<i128> {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let (x, rest) = leading_int(digits)?;
    if !rest.is_empty() {
        return None;
    }
    // Go converts to int (wrapping 2^63); inputs here are at most nine digits.
    let x = i128::from(x as i64);
    Some(if neg { -x } else { x })
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of
/// `value`, if it looks like one.
fn parse_time_zone(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    // ChST and MeST are the only abbreviations with a lower-case letter.
    if value.starts_with(b"ChST") || value.starts_with(b"MeST") {
        return Some(4);
    }
    if value.starts_with(b"GMT") {
        // GMT may carry an hour offset.
        return Some(3 + parse_signed_offset(&value[3..]));
    }
    if value[0] == b'+' || value[0] == b'-' {
        // Unnamed zones like "+03".
        return Some(parse_signed_offset(value)).filter(|&n| n > 0);
    }
    let upper = value.iter().take(6).take_while(|c| c.is_ascii_uppercase()).count();
    match upper {
        3 => Some(3),
        4 if value[3] == b'T' || value.starts_with(b"WITA") => Some(4),
        5 if value[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Go's `parseSignedOffset`: the length of `±N` with N in 0..=23, or 0.
fn parse_signed_offset(value: &[u8]) -> usize {
    let Some((&sign, digits)) = value.split_first() else {
        return 0;
    };
    if sign != b'-' && sign != b'+' {
        return 0;
    }
    match leading_int(digits) {
        Some((x, rest)) if rest.len() != digits.len() && x <= 23 => value.len() - rest.len(),
        _ => 0,
    }
}

fn comma_or_period(b: u8) -> bool {
    b == b'.' || b == b','
}

fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Month numbers reaching these helpers are 1..=13 by construction.
fn month_u8(m: i128) -> u8 {
    u8::try_from(m).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Go's TestParseTimeZone (format_test.go).
    #[test]
    fn parse_time_zone_table() {
        let cases: &[(&str, usize, bool)] = &[
            ("gmt hi there", 0, false),
            ("GMT hi there", 3, true),
            ("GMT+12 hi there", 6, true),
            ("GMT+00 hi there", 6, true),
            ("GMT+", 3, true),
            ("GMT+3", 5, true),
            ("GMT+a", 3, true),
            ("GMT+3a", 5, true),
            ("GMT-5 hi there", 5, true),
            ("GMT-51 hi there", 3, true),
            ("ChST hi there", 4, true),
            ("MeST hi there", 4, true),
            ("MSDx", 3, true),
            ("MSDY", 0, false),
            ("ESAST hi", 5, true),
            ("ESASTT hi", 0, false),
            ("ESATY hi", 0, false),
            ("WITA hi", 4, true),
            ("+03 hi", 3, true),
            ("-04 hi", 3, true),
            ("+00", 3, true),
            ("-11", 3, true),
            ("-12", 3, true),
            ("-23", 3, true),
            ("-24", 0, false),
            ("+13", 3, true),
            ("+14", 3, true),
            ("+23", 3, true),
            ("+24", 0, false),
        ];
        for &(value, length, ok) in cases {
            let got = parse_time_zone(value.as_bytes());
            assert_eq!(got.is_some(), ok, "{value:?}");
            if ok {
                assert_eq!(got, Some(length), "{value:?}");
            }
        }
    }
}
