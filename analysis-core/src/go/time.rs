//! A Go-like `time.Time` ([`GoTime`]) with Go's layouts, parsing and
//! formatting.
//!
//! Instants are kept the way Go keeps them: whole seconds since
//! 0001-01-01T00:00:00Z in an `i64` plus nanoseconds, so arithmetic
//! saturates and wraps exactly where Go's does. Calendar math is the
//! proleptic Gregorian calendar; zone rules come from jiff's tz database.

mod calendar;
mod format;
mod layout;
mod location;
mod parse;

use std::cmp::Ordering;
use std::fmt;

pub(crate) use format::{LONG_DAY_NAMES, LONG_MONTH_NAMES};
pub use location::{Location, load_location};

/// `"01/02 03:04:05PM '06 -0700"`, the reference time in numerical order.
pub const LAYOUT: &str = "01/02 03:04:05PM '06 -0700";
/// Go's `time.ANSIC`.
pub const ANSIC: &str = "Mon Jan _2 15:04:05 2006";
/// Go's `time.UnixDate`.
pub const UNIX_DATE: &str = "Mon Jan _2 15:04:05 MST 2006";
/// Go's `time.RubyDate`.
pub const RUBY_DATE: &str = "Mon Jan 02 15:04:05 -0700 2006";
/// Go's `time.RFC822`.
pub const RFC822: &str = "02 Jan 06 15:04 MST";
/// Go's `time.RFC822Z` (RFC 822 with a numeric zone).
pub const RFC822Z: &str = "02 Jan 06 15:04 -0700";
/// Go's `time.RFC850`.
pub const RFC850: &str = "Monday, 02-Jan-06 15:04:05 MST";
/// Go's `time.RFC1123`.
pub const RFC1123: &str = "Mon, 02 Jan 2006 15:04:05 MST";
/// Go's `time.RFC1123Z` (RFC 1123 with a numeric zone).
pub const RFC1123Z: &str = "Mon, 02 Jan 2006 15:04:05 -0700";
/// Go's `time.RFC3339`.
pub const RFC3339: &str = "2006-01-02T15:04:05Z07:00";
/// Go's `time.RFC3339Nano`.
pub const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";
/// Go's `time.Kitchen`.
pub const KITCHEN: &str = "3:04PM";
/// Go's `time.Stamp`.
pub const STAMP: &str = "Jan _2 15:04:05";
/// Go's `time.StampMilli`.
pub const STAMP_MILLI: &str = "Jan _2 15:04:05.000";
/// Go's `time.StampMicro`.
pub const STAMP_MICRO: &str = "Jan _2 15:04:05.000000";
/// Go's `time.StampNano`.
pub const STAMP_NANO: &str = "Jan _2 15:04:05.000000000";
/// Go's `time.DateTime`.
pub const DATE_TIME: &str = "2006-01-02 15:04:05";
/// Go's `time.DateOnly`.
pub const DATE_ONLY: &str = "2006-01-02";
/// Go's `time.TimeOnly`.
pub const TIME_ONLY: &str = "15:04:05";

/// The layout of Go's `Time.String()`.
const STRING_LAYOUT: &str = "2006-01-02 15:04:05.999999999 -0700 MST";

/// Seconds from 0001-01-01 (Go's internal epoch) to 1970-01-01.
const UNIX_TO_INTERNAL: i64 = (1969 * 365 + 1969 / 4 - 1969 / 100 + 1969 / 400) * 86_400;

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// An instant with nanosecond precision and the [`Location`] used to
/// display it, like Go's `time.Time` (without a monotonic reading).
///
/// Comparisons (`==`, `<`, [`Ord::cmp`], [`GoTime::equal`]) look at the
/// instant only, like Go's `Equal`/`Before`/`After`/`Compare`, not at the
/// location.
#[derive(Clone, Debug)]
pub struct GoTime {
    /// Seconds since 0001-01-01T00:00:00Z.
    sec: i64,
    /// Nanoseconds within the second, 0..=999_999_999.
    nsec: u32,
    loc: Location,
}

/// The current time in `loc` (Go's `time.Now().In(loc)`).
pub fn now(loc: &Location) -> GoTime {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let nanos = match since_epoch {
        Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX),
        // The clock is before 1970.
        Err(e) => -i128::try_from(e.duration().as_nanos()).unwrap_or(i128::MAX),
    };
    GoTime::from_unix_nanos(nanos, loc.clone())
}

/// Go's `time.Parse`: parses `value` according to `layout`.
///
/// Without zone information the result is UTC. A numeric offset that the
/// local zone ([`Location::local`]) uses at that instant yields a local time;
/// any other offset yields a fixed zone. A zone abbreviation known to the
/// local zone is honoured; `UTC` always means UTC; an unknown abbreviation
/// is kept as a fixed zone with offset zero (or `GMT±h`'s hours) without
/// moving the clock reading, exactly as Go does.
///
/// Errors use Go's texts, e.g.
/// `parsing time "x" as "2006-01-02": cannot parse "x" as "2006"`,
/// `parsing time "2006-01-02x": extra text: "x"`,
/// `parsing time "2006-13-01": month out of range`.
pub fn parse(layout: &str, value: &str) -> Result<GoTime, String> {
    parse::parse(layout, value, &Location::utc(), &Location::local())
}

/// Go's `time.ParseInLocation`: like [`parse`], but a value without zone
/// information is read in `loc`, and offsets and abbreviations are matched
/// against `loc` instead of the local zone.
pub fn parse_in_location(layout: &str, value: &str, loc: &Location) -> Result<GoTime, String> {
    parse::parse(layout, value, loc, loc)
}

impl GoTime {
    /// Go's `time.Unix(secs, nanos)` placed in `loc`; `nanos` outside
    /// `0..1e9` carries into the seconds.
    pub fn from_unix(secs: i64, nanos: i64, loc: Location) -> GoTime {
        let carry = nanos.div_euclid(1_000_000_000);
        let nsec = nanos.rem_euclid(1_000_000_000);
        GoTime {
            // Go adds in int64 and wraps on overflow; so do we.
            sec: secs.wrapping_add(carry).wrapping_add(UNIX_TO_INTERNAL),
            nsec: u32::try_from(nsec).unwrap_or(0),
            loc,
        }
    }

    /// The instant `nanos` nanoseconds after 1970-01-01T00:00:00Z.
    pub fn from_unix_nanos(nanos: i128, loc: Location) -> GoTime {
        let secs = nanos.div_euclid(NANOS_PER_SECOND);
        let nsec = nanos.rem_euclid(NANOS_PER_SECOND);
        GoTime { sec: (secs as i64).wrapping_add(UNIX_TO_INTERNAL), nsec: u32::try_from(nsec).unwrap_or(0), loc }
    }

    /// Go's `time.Date`: the instant at the given wall clock in `loc`.
    ///
    /// Out-of-range fields normalise as in Go (October 32 is November 1,
    /// hour -1 is the previous day's 23:00). In a zone with transitions a
    /// skipped wall time (spring forward) moves forward by the gap; a
    /// repeated one (fall back) picks the earlier instant.
    #[allow(clippy::too_many_arguments)] // mirrors Go's eight-argument Date
    pub fn date(year: i64, month: i64, day: i64, hour: i64, min: i64, sec: i64, nsec: i64, loc: Location) -> GoTime {
        GoTime::date_i128(year.into(), month.into(), day.into(), hour.into(), min.into(), sec.into(), nsec.into(), loc)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn date_i128(
        year: i128,
        month: i128,
        day: i128,
        hour: i128,
        min: i128,
        sec: i128,
        nsec: i128,
        loc: Location,
    ) -> GoTime {
        // Carry months into years, then everything else into one count of
        // nanoseconds since 1970-01-01 in wall-clock terms.
        let month0 = month - 1;
        let year = year + month0.div_euclid(12);
        let month = u8::try_from(month0.rem_euclid(12) + 1).unwrap_or(1);
        let days = calendar::days_from_civil(year, month, 1) + day - 1;
        let wall_secs =
            days * calendar::SECONDS_PER_DAY + hour * 3600 + min * 60 + sec + nsec.div_euclid(NANOS_PER_SECOND);
        let nsec = nsec.rem_euclid(NANOS_PER_SECOND);
        // Go truncates to int64 here; instants beyond it wrap as in Go.
        let mut unix = wall_secs as i64;
        // Look the offset up at the wall time read as UTC, then again at the
        // corrected instant when that lands in a different zone period; the
        // second lookup always yields the right offset (Go's Date does the
        // same with explicit period bounds).
        let (_, offset) = loc.lookup(unix);
        if offset != 0 {
            let (_, corrected) = loc.lookup(unix.wrapping_sub(i64::from(offset)));
            unix = unix.wrapping_sub(i64::from(corrected));
        }
        GoTime { sec: unix.wrapping_add(UNIX_TO_INTERNAL), nsec: u32::try_from(nsec).unwrap_or(0), loc }
    }

    /// Seconds since 1970-01-01T00:00:00Z (Go's `Unix`).
    pub fn unix(&self) -> i64 {
        self.sec.wrapping_sub(UNIX_TO_INTERNAL)
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z; wider than Go's `UnixNano`,
    /// so it never overflows.
    pub fn unix_nanos(&self) -> i128 {
        i128::from(self.unix()) * NANOS_PER_SECOND + i128::from(self.nsec)
    }

    /// The nanosecond within the second, 0..=999_999_999.
    pub fn nanosecond(&self) -> u32 {
        self.nsec
    }

    /// The location used for display.
    pub fn location(&self) -> &Location {
        &self.loc
    }

    /// The same instant displayed in `loc` (Go's `In`).
    pub fn in_location(&self, loc: Location) -> GoTime {
        GoTime { loc, ..self.clone() }
    }

    /// The zone abbreviation and offset in seconds east of UTC in effect at
    /// this instant (Go's `Zone`).
    pub fn zone(&self) -> (String, i32) {
        self.loc.lookup(self.unix())
    }

    /// Go's `Add`: the instant `d` nanoseconds later, saturating at the ends
    /// of Go's range the way Go does.
    pub fn add(&self, d: i64) -> GoTime {
        let mut dsec = d / 1_000_000_000;
        // Both terms are below 1e9 in magnitude, so this cannot overflow.
        let mut nsec = i64::from(self.nsec) + d % 1_000_000_000;
        if nsec >= 1_000_000_000 {
            dsec += 1;
            nsec -= 1_000_000_000;
        } else if nsec < 0 {
            dsec -= 1;
            nsec += 1_000_000_000;
        }
        let mut t = self.add_seconds(dsec);
        t.nsec = u32::try_from(nsec).unwrap_or(0);
        t
    }

    /// Go's `addSec`: adds whole seconds, saturating at ±(2^63-1).
    pub(crate) fn add_seconds(&self, d: i64) -> GoTime {
        let sum = self.sec.wrapping_add(d);
        let sec = if (sum > self.sec) == (d > 0) {
            sum
        } else if d > 0 {
            i64::MAX
        } else {
            -i64::MAX
        };
        GoTime { sec, ..self.clone() }
    }

    /// Go's `Sub`: `self - u` in nanoseconds, clamped to the `i64` range
    /// when the true difference does not fit.
    pub fn sub(&self, u: &GoTime) -> i64 {
        let diff = (i128::from(self.sec) - i128::from(u.sec)) * NANOS_PER_SECOND
            + (i128::from(self.nsec) - i128::from(u.nsec));
        i64::try_from(diff).unwrap_or(if diff < 0 { i64::MIN } else { i64::MAX })
    }

    /// Whether `self` is strictly before `u`.
    pub fn before(&self, u: &GoTime) -> bool {
        self < u
    }

    /// Whether `self` is strictly after `u`.
    pub fn after(&self, u: &GoTime) -> bool {
        self > u
    }

    /// Whether both are the same instant, whatever their locations.
    pub fn equal(&self, u: &GoTime) -> bool {
        self == u
    }

    /// The year in the time's location.
    pub fn year(&self) -> i64 {
        i64::try_from(self.civil().year).unwrap_or(i64::MAX)
    }

    /// The month, 1..=12.
    pub fn month(&self) -> u8 {
        self.civil().month
    }

    /// The day of the month, 1..=31.
    pub fn day(&self) -> u8 {
        self.civil().day
    }

    /// The hour, 0..=23.
    pub fn hour(&self) -> u8 {
        u8::try_from(self.local_fields().second_of_day / 3600).unwrap_or(0)
    }

    /// The minute, 0..=59.
    pub fn minute(&self) -> u8 {
        u8::try_from(self.local_fields().second_of_day % 3600 / 60).unwrap_or(0)
    }

    /// The second, 0..=59.
    pub fn second(&self) -> u8 {
        u8::try_from(self.local_fields().second_of_day % 60).unwrap_or(0)
    }

    /// The day of the week, 0 = Sunday (Go's `Weekday`).
    pub fn weekday(&self) -> u8 {
        calendar::weekday(self.local_fields().days)
    }

    /// The day of the year, 1..=366 (Go's `YearDay`).
    pub fn year_day(&self) -> u16 {
        let f = self.local_fields();
        let year = calendar::civil_from_days(f.days).year;
        u16::try_from(calendar::year_day(f.days, year)).unwrap_or(1)
    }

    /// Go's `Time.Format`: renders the time using a layout written in terms
    /// of the reference time `Mon Jan 2 15:04:05 MST 2006`.
    pub fn format(&self, layout: &str) -> String {
        format::format(&self.local_fields(), layout)
    }

    fn civil(&self) -> calendar::CivilDate {
        calendar::civil_from_days(self.local_fields().days)
    }

    fn local_fields(&self) -> format::Fields {
        let (zone_name, offset) = self.zone();
        let local = i128::from(self.unix()) + i128::from(offset);
        format::Fields {
            zone_name,
            offset,
            days: local.div_euclid(calendar::SECONDS_PER_DAY),
            second_of_day: local.rem_euclid(calendar::SECONDS_PER_DAY),
            nanosecond: self.nsec,
        }
    }
}

impl PartialEq for GoTime {
    fn eq(&self, other: &GoTime) -> bool {
        (self.sec, self.nsec) == (other.sec, other.nsec)
    }
}

impl Eq for GoTime {}

impl PartialOrd for GoTime {
    fn partial_cmp(&self, other: &GoTime) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GoTime {
    /// Go's `Compare`: orders by instant only.
    fn cmp(&self, other: &GoTime) -> Ordering {
        (self.sec, self.nsec).cmp(&(other.sec, other.nsec))
    }
}

/// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST` (without
/// the monotonic clock suffix, which `GoTime` does not carry).
impl fmt::Display for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(STRING_LAYOUT))
    }
}
