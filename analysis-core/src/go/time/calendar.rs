//! Proleptic Gregorian calendar arithmetic on days since 1970-01-01.
//!
//! Go's own conversions run on an unsigned "absolute" day count; these use
//! `i128` so that any `i64` second count plus any zone offset converts
//! without overflow, and agree with Go wherever Go does not wrap.

/// Seconds in a civil day (Go ignores leap seconds).
pub(crate) const SECONDS_PER_DAY: i128 = 86_400;

/// Days in a 400-year Gregorian cycle.
const DAYS_PER_400_YEARS: i128 = 146_097;

/// Days from 0000-03-01 to 1970-01-01; the algorithms below count years from
/// March so that the leap day is the last day of the year.
const MARCH_0000_TO_UNIX_EPOCH: i128 = 719_468;

/// A civil date. `month` is 1..=12, `day` 1..=31.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CivilDate {
    pub year: i128,
    pub month: u8,
    pub day: u8,
}

/// Days since 1970-01-01 of the given civil date. `month` must be 1..=12;
/// `day` may exceed the month, which simply counts on.
pub(crate) fn days_from_civil(year: i128, month: u8, day: i128) -> i128 {
    let march_based_year = if month <= 2 { year - 1 } else { year };
    let era = march_based_year.div_euclid(400);
    let year_of_era = march_based_year - era * 400;
    let month_from_march = if month > 2 { i128::from(month) - 3 } else { i128::from(month) + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_400_YEARS + day_of_era - MARCH_0000_TO_UNIX_EPOCH
}

/// The civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i128) -> CivilDate {
    let z = days + MARCH_0000_TO_UNIX_EPOCH;
    let era = z.div_euclid(DAYS_PER_400_YEARS);
    let day_of_era = z - era * DAYS_PER_400_YEARS;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i128::from(month <= 2);
    CivilDate {
        year,
        // Both are provably in range (1..=12 and 1..=31).
        month: u8::try_from(month).unwrap_or(1),
        day: u8::try_from(day).unwrap_or(1),
    }
}

/// Go's `isLeap`.
pub(crate) fn is_leap(year: i128) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days before the first of `month` (1..=13) in a non-leap year, Go's
/// `daysBefore`.
pub(crate) fn days_before(month: u8) -> i128 {
    const TABLE: [i128; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
    TABLE.get(usize::from(month.saturating_sub(1))).copied().unwrap_or(365)
}

/// Go's `daysIn`: the number of days in `month` (1..=12) of `year`.
pub(crate) fn days_in(month: u8, year: i128) -> i128 {
    if month == 2 && is_leap(year) {
        return 29;
    }
    days_before(month + 1) - days_before(month)
}

/// Day of the week, 0 = Sunday as in Go's `time.Weekday`.
pub(crate) fn weekday(days: i128) -> u8 {
    // 1970-01-01 was a Thursday.
    u8::try_from((days + 4).rem_euclid(7)).unwrap_or(0)
}

/// Day of the year, 1..=366.
pub(crate) fn year_day(days: i128, year: i128) -> i128 {
    days - days_from_civil(year, 1, 1) + 1
}
