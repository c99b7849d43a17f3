//! Tokenising Go layout strings (Go's `nextStdChunk`).

/// One layout element, named after the reference-time text that spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Std {
    /// "January"
    LongMonth,
    /// "Jan"
    Month,
    /// "1"
    NumMonth,
    /// "01"
    ZeroMonth,
    /// "Monday"
    LongWeekDay,
    /// "Mon"
    WeekDay,
    /// "2"
    Day,
    /// "_2"
    UnderDay,
    /// "02"
    ZeroDay,
    /// "__2"
    UnderYearDay,
    /// "002"
    ZeroYearDay,
    /// "15"
    Hour,
    /// "3"
    Hour12,
    /// "03"
    ZeroHour12,
    /// "4"
    Minute,
    /// "04"
    ZeroMinute,
    /// "5"
    Second,
    /// "05"
    ZeroSecond,
    /// "2006"
    LongYear,
    /// "06"
    Year,
    /// "PM"
    UpperPm,
    /// "pm"
    LowerPm,
    /// "MST"
    Tz,
    /// "Z0700"
    Iso8601Tz,
    /// "Z070000"
    Iso8601SecondsTz,
    /// "Z07"
    Iso8601ShortTz,
    /// "Z07:00"
    Iso8601ColonTz,
    /// "Z07:00:00"
    Iso8601ColonSecondsTz,
    /// "-0700"
    NumTz,
    /// "-070000"
    NumSecondsTz,
    /// "-07"
    NumShortTz,
    /// "-07:00"
    NumColonTz,
    /// "-07:00:00"
    NumColonSecondsTz,
    /// ".000" or ",000": fixed number of fractional digits.
    FracSecond0 { digits: usize, sep: u8 },
    /// ".999" or ",999": up to that many digits, trailing zeros dropped.
    FracSecond9 { digits: usize, sep: u8 },
}

impl Std {
    /// Whether this is a `Z…` form, which prints/accepts `Z` for UTC.
    pub(crate) fn is_iso8601_zone(self) -> bool {
        matches!(
            self,
            Std::Iso8601Tz
                | Std::Iso8601SecondsTz
                | Std::Iso8601ShortTz
                | Std::Iso8601ColonTz
                | Std::Iso8601ColonSecondsTz
        )
    }
}

/// A layout split at its first element: literal text before it, the element
/// (if any) and the rest of the layout.
pub(crate) struct Chunk<'a> {
    pub prefix: &'a [u8],
    pub std: Option<Std>,
    pub suffix: &'a [u8],
}

/// Finds the first layout element in `layout`, exactly as Go's
/// `nextStdChunk` does (including its quirks: "Janet" is not "Jan", "_2006"
/// is a literal underscore before "2006", any lone "1" is a month).
pub(crate) fn next_std_chunk(layout: &[u8]) -> Chunk<'_> {
    for i in 0..layout.len() {
        if let Some((std, len)) = std_at(layout, i) {
            return Chunk { prefix: &layout[..i], std: Some(std), suffix: layout.get(i + len..).unwrap_or_default() };
        }
    }
    Chunk { prefix: layout, std: None, suffix: &[] }
}

/// The element starting at `layout[i]` and its length in bytes, if any.
fn std_at(layout: &[u8], i: usize) -> Option<(Std, usize)> {
    let rest = layout.get(i..)?;
    let starts = |s: &str| rest.starts_with(s.as_bytes());
    // A three-letter month or weekday must not run into a lower-case letter
    // ("Month" is not "Mon" + "th").
    let lower_after = |n: usize| rest.get(n).is_some_and(u8::is_ascii_lowercase);
    match *rest.first()? {
        b'J' if starts("January") => Some((Std::LongMonth, 7)),
        b'J' if starts("Jan") && !lower_after(3) => Some((Std::Month, 3)),
        b'M' if starts("Monday") => Some((Std::LongWeekDay, 6)),
        b'M' if starts("Mon") && !lower_after(3) => Some((Std::WeekDay, 3)),
        b'M' if starts("MST") => Some((Std::Tz, 3)),
        b'0' => match rest.get(1) {
            Some(b'1') => Some((Std::ZeroMonth, 2)),
            Some(b'2') => Some((Std::ZeroDay, 2)),
            Some(b'3') => Some((Std::ZeroHour12, 2)),
            Some(b'4') => Some((Std::ZeroMinute, 2)),
            Some(b'5') => Some((Std::ZeroSecond, 2)),
            Some(b'6') => Some((Std::Year, 2)),
            _ if starts("002") => Some((Std::ZeroYearDay, 3)),
            _ => None,
        },
        b'1' if starts("15") => Some((Std::Hour, 2)),
        b'1' => Some((Std::NumMonth, 1)),
        b'2' if starts("2006") => Some((Std::LongYear, 4)),
        b'2' => Some((Std::Day, 1)),
        // "_2006" is a literal underscore followed by the year; the caller
        // sees no element here and finds "2006" at the next position.
        b'_' if starts("_2006") => None,
        b'_' if starts("_2") => Some((Std::UnderDay, 2)),
        b'_' if starts("__2") => Some((Std::UnderYearDay, 3)),
        b'3' => Some((Std::Hour12, 1)),
        b'4' => Some((Std::Minute, 1)),
        b'5' => Some((Std::Second, 1)),
        b'P' if starts("PM") => Some((Std::UpperPm, 2)),
        b'p' if starts("pm") => Some((Std::LowerPm, 2)),
        b'-' if starts("-070000") => Some((Std::NumSecondsTz, 7)),
        b'-' if starts("-07:00:00") => Some((Std::NumColonSecondsTz, 9)),
        b'-' if starts("-0700") => Some((Std::NumTz, 5)),
        b'-' if starts("-07:00") => Some((Std::NumColonTz, 6)),
        b'-' if starts("-07") => Some((Std::NumShortTz, 3)),
        b'Z' if starts("Z070000") => Some((Std::Iso8601SecondsTz, 7)),
        b'Z' if starts("Z07:00:00") => Some((Std::Iso8601ColonSecondsTz, 9)),
        b'Z' if starts("Z0700") => Some((Std::Iso8601Tz, 5)),
        b'Z' if starts("Z07:00") => Some((Std::Iso8601ColonTz, 6)),
        b'Z' if starts("Z07") => Some((Std::Iso8601ShortTz, 3)),
        sep @ (b'.' | b',') => frac_second_at(rest, sep),
        _ => None,
    }
}

/// `.000…`/`.999…` (or with a comma): a run of one repeated digit, `0` or
/// `9`, not followed by another digit.
fn frac_second_at(rest: &[u8], sep: u8) -> Option<(Std, usize)> {
    let ch = *rest.get(1)?;
    if ch != b'0' && ch != b'9' {
        return None;
    }
    let run = rest.iter().skip(1).take_while(|&&c| c == ch).count();
    if rest.get(1 + run).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    // Go packs the count into 12 bits; mirror the wrap-around.
    let digits = run & 0xfff;
    let std = if ch == b'0' { Std::FracSecond0 { digits, sep } } else { Std::FracSecond9 { digits, sep } };
    Some((std, 1 + run))
}
