//! Go's `Time.Format` (`appendFormat`).

use super::calendar::{self, CivilDate};
use super::layout::{Std, next_std_chunk};

pub(crate) const LONG_DAY_NAMES: [&str; 7] =
    ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

pub(crate) const LONG_MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Everything `Format` needs about one instant in its location.
pub(crate) struct Fields {
    /// Zone abbreviation ("" for an unnamed fixed zone).
    pub zone_name: String,
    /// Zone offset, seconds east of UTC.
    pub offset: i32,
    /// Days since 1970-01-01 in local time.
    pub days: i128,
    /// Seconds since local midnight.
    pub second_of_day: i128,
    /// Nanoseconds within the second.
    pub nanosecond: u32,
}

/// Renders `fields` according to `layout`.
pub(crate) fn format(fields: &Fields, layout: &str) -> String {
    let mut out = String::with_capacity(layout.len() + 10);
    // Date and clock are only computed when an element needs them, as in Go.
    let mut date: Option<CivilDate> = None;
    let mut layout = layout.as_bytes();
    while !layout.is_empty() {
        let chunk = next_std_chunk(layout);
        // Chunk boundaries are ASCII, so prefixes of valid UTF-8 stay valid.
        out.push_str(&String::from_utf8_lossy(chunk.prefix));
        let Some(std) = chunk.std else { break };
        layout = chunk.suffix;
        let d = *date.get_or_insert_with(|| calendar::civil_from_days(fields.days));
        append_std(&mut out, std, fields, d);
    }
    out
}

fn append_std(out: &mut String, std: Std, f: &Fields, d: CivilDate) {
    let hour = f.second_of_day / 3600;
    let minute = f.second_of_day % 3600 / 60;
    let second = f.second_of_day % 60;
    let hour12 = if hour % 12 == 0 { 12 } else { hour % 12 };
    let month_name = LONG_MONTH_NAMES.get(usize::from(d.month).wrapping_sub(1)).copied();
    let month_name = month_name.unwrap_or("January");
    let day_name = LONG_DAY_NAMES.get(usize::from(calendar::weekday(f.days))).copied();
    let day_name = day_name.unwrap_or("Sunday");
    match std {
        Std::Year => append_int(out, d.year.abs() % 100, 2),
        Std::LongYear => append_int(out, d.year, 4),
        Std::Month => out.push_str(month_name.get(..3).unwrap_or(month_name)),
        Std::LongMonth => out.push_str(month_name),
        Std::NumMonth => append_int(out, i128::from(d.month), 0),
        Std::ZeroMonth => append_int(out, i128::from(d.month), 2),
        Std::WeekDay => out.push_str(day_name.get(..3).unwrap_or(day_name)),
        Std::LongWeekDay => out.push_str(day_name),
        Std::Day => append_int(out, i128::from(d.day), 0),
        Std::UnderDay => {
            if d.day < 10 {
                out.push(' ');
            }
            append_int(out, i128::from(d.day), 0);
        }
        Std::ZeroDay => append_int(out, i128::from(d.day), 2),
        Std::UnderYearDay => {
            let yday = calendar::year_day(f.days, d.year);
            if yday < 100 {
                out.push(' ');
                if yday < 10 {
                    out.push(' ');
                }
            }
            append_int(out, yday, 0);
        }
        Std::ZeroYearDay => append_int(out, calendar::year_day(f.days, d.year), 3),
        Std::Hour => append_int(out, hour, 2),
        Std::Hour12 => append_int(out, hour12, 0),
        Std::ZeroHour12 => append_int(out, hour12, 2),
        Std::Minute => append_int(out, minute, 0),
        Std::ZeroMinute => append_int(out, minute, 2),
        Std::Second => append_int(out, second, 0),
        Std::ZeroSecond => append_int(out, second, 2),
        Std::UpperPm => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
        Std::LowerPm => out.push_str(if hour >= 12 { "pm" } else { "am" }),
        Std::Tz => {
            if f.zone_name.is_empty() {
                // No abbreviation known: Go falls back to -0700 form.
                append_zone(out, Std::NumTz, f.offset);
            } else {
                out.push_str(&f.zone_name);
            }
        }
        Std::FracSecond0 { digits, sep } => append_nano(out, f.nanosecond, digits, sep, false),
        Std::FracSecond9 { digits, sep } => append_nano(out, f.nanosecond, digits, sep, true),
        zone => append_zone(out, zone, f.offset),
    }
}

/// The numeric zone forms: `Z` for UTC in the ISO 8601 forms, otherwise
/// `±hh`, `±hhmm`, `±hh:mm`, `±hhmmss` or `±hh:mm:ss`.
fn append_zone(out: &mut String, std: Std, offset: i32) {
    if offset == 0 && std.is_iso8601_zone() {
        out.push('Z');
        return;
    }
    // Go truncates the offset to minutes before taking the sign, so an
    // offset of -30s prints as +00:00.
    let mut zone = i128::from(offset) / 60;
    let mut abs_offset = i128::from(offset);
    if zone < 0 {
        out.push('-');
        zone = -zone;
        abs_offset = -abs_offset;
    } else {
        out.push('+');
    }
    append_int(out, zone / 60, 2);
    let colon =
        matches!(std, Std::Iso8601ColonTz | Std::NumColonTz | Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz);
    if colon {
        out.push(':');
    }
    if !matches!(std, Std::NumShortTz | Std::Iso8601ShortTz) {
        append_int(out, zone % 60, 2);
    }
    if matches!(std, Std::Iso8601SecondsTz | Std::NumSecondsTz | Std::NumColonSecondsTz | Std::Iso8601ColonSecondsTz) {
        if colon {
            out.push(':');
        }
        append_int(out, abs_offset % 60, 2);
    }
}

/// A fractional second with `digits` places; the `.999` form (`trim`) drops
/// trailing zeros and, if nothing is left, the separator too.
fn append_nano(out: &mut String, nanosecond: u32, digits: usize, sep: u8, trim: bool) {
    if trim && (digits == 0 || nanosecond == 0) {
        return;
    }
    let mut frac = format!("{nanosecond:09}");
    frac.truncate(digits.min(9));
    if trim {
        let kept = frac.trim_end_matches('0').len();
        frac.truncate(kept);
        if frac.is_empty() {
            return;
        }
    }
    out.push(char::from(sep));
    out.push_str(&frac);
}

/// Go's `appendInt`: decimal `x`, zero-padded to `width` digits after any
/// minus sign.
pub(crate) fn append_int(out: &mut String, x: i128, width: usize) {
    if x < 0 {
        out.push('-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}
