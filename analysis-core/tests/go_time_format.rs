//! Expected values are Go's, from src/time/format_test.go and time_test.go.
//! Go's time tests run with Local forced to America/Los_Angeles; we use that
//! zone explicitly instead.

use augur_analysis_core::go::time::{self as gt, GoTime, Location, load_location};

fn la() -> Location {
    load_location("America/Los_Angeles").unwrap_or_else(|e| panic!("{e}"))
}

fn utc() -> Location {
    Location::utc()
}

/// Go: `Unix(0, 1233810057012345600)`, Thu Feb  4 21:00:57.012345600 PST 2009.
fn reference() -> GoTime {
    GoTime::from_unix(0, 1_233_810_057_012_345_600, la())
}

// Go: formatTests / TestFormat.
#[test]
fn format_go_table() {
    let cases: &[(&str, &str)] = &[
        (gt::ANSIC, "Wed Feb  4 21:00:57 2009"),
        (gt::UNIX_DATE, "Wed Feb  4 21:00:57 PST 2009"),
        (gt::RUBY_DATE, "Wed Feb 04 21:00:57 -0800 2009"),
        (gt::RFC822, "04 Feb 09 21:00 PST"),
        (gt::RFC850, "Wednesday, 04-Feb-09 21:00:57 PST"),
        (gt::RFC1123, "Wed, 04 Feb 2009 21:00:57 PST"),
        (gt::RFC1123Z, "Wed, 04 Feb 2009 21:00:57 -0800"),
        (gt::RFC3339, "2009-02-04T21:00:57-08:00"),
        (gt::RFC3339_NANO, "2009-02-04T21:00:57.0123456-08:00"),
        (gt::KITCHEN, "9:00PM"),
        ("3pm", "9pm"),
        ("3PM", "9PM"),
        ("06 01 02", "09 02 04"),
        ("Hi Janet, the Month is January", "Hi Janet, the Month is February"),
        (gt::STAMP, "Feb  4 21:00:57"),
        (gt::STAMP_MILLI, "Feb  4 21:00:57.012"),
        (gt::STAMP_MICRO, "Feb  4 21:00:57.012345"),
        (gt::STAMP_NANO, "Feb  4 21:00:57.012345600"),
        (gt::DATE_TIME, "2009-02-04 21:00:57"),
        (gt::DATE_ONLY, "2009-02-04"),
        (gt::TIME_ONLY, "21:00:57"),
        ("Jan  2 002 __2 2", "Feb  4 035  35 4"),
        ("2006 6 06 _6 __6 ___6", "2009 6 09 _6 __6 ___6"),
        ("Jan January 1 01 _1", "Feb February 2 02 _2"),
        ("2 02 _2 __2", "4 04  4  35"),
        ("Mon Monday", "Wed Wednesday"),
        ("15 3 03 _3", "21 9 09 _9"),
        ("4 04 _4", "0 00 _0"),
        ("5 05 _5", "57 57 _57"),
        // Go: TestFormatFractionalSecondSeparators.
        ("15:04:05.000", "21:00:57.012"),
        ("15:04:05.999", "21:00:57.012"),
        ("15:04:05,000", "21:00:57,012"),
        ("15:04:05,999", "21:00:57,012"),
    ];
    let t = reference();
    for &(layout, want) in cases {
        assert_eq!(t.format(layout), want, "format({layout:?})");
    }
}

// Go: rfc3339Formats / TestRFC3339Conversion.
#[test]
fn rfc3339_conversion() {
    let cases = [
        (GoTime::date(2008, 9, 17, 20, 4, 26, 0, utc()), "2008-09-17T20:04:26Z"),
        (GoTime::date(1994, 9, 17, 20, 4, 26, 0, Location::fixed("EST", -18000)), "1994-09-17T20:04:26-05:00"),
        (GoTime::date(2000, 12, 26, 1, 15, 6, 0, Location::fixed("OTO", 15600)), "2000-12-26T01:15:06+04:20"),
    ];
    for (t, want) in cases {
        assert_eq!(t.format(gt::RFC3339), want);
    }
}

// Go: jsonTests (MarshalJSON is Format(RFC3339Nano) in quotes).
#[test]
fn rfc3339_nano_go_json_table() {
    let cases = [
        (GoTime::date(9999, 4, 12, 23, 20, 50, 520_000_000, utc()), "9999-04-12T23:20:50.52Z"),
        (GoTime::date(1996, 12, 19, 16, 39, 57, 0, la()), "1996-12-19T16:39:57-08:00"),
        (GoTime::date(0, 1, 1, 0, 0, 0, 1, Location::fixed("", 60)), "0000-01-01T00:00:00.000000001+00:01"),
    ];
    for (t, want) in cases {
        assert_eq!(t.format(gt::RFC3339_NANO), want);
    }
}

// Go: TestFormatSingleDigits, TestNoonIs12PM, TestMidnightIs12AM.
#[test]
fn format_clock_edge_cases() {
    let t = GoTime::date(2001, 2, 3, 4, 5, 6, 700_000_000, utc());
    assert_eq!(t.format("3:4:5"), "4:5:6");
    let noon = GoTime::date(0, 1, 1, 12, 0, 0, 0, utc());
    assert_eq!(noon.format("3:04PM"), "12:00PM");
    assert_eq!(noon.format("03:04PM"), "12:00PM");
    let midnight = GoTime::date(0, 1, 1, 0, 0, 0, 0, utc());
    assert_eq!(midnight.format("3:04PM"), "12:00AM");
    assert_eq!(midnight.format("03:04PM"), "12:00AM");
}

// Go: TestFormatShortYear.
#[test]
fn format_short_year() {
    let years: [i64; 33] = [
        -100001, -100000, -99999, -10001, -10000, -9999, -1001, -1000, -999, -101, -100, -99, -11, -10, -9, -1, 0, 1,
        9, 10, 11, 99, 100, 101, 999, 1000, 1001, 9999, 10000, 10001, 99999, 100000, 100001,
    ];
    for y in years {
        let got = GoTime::date(y, 1, 1, 0, 0, 0, 0, utc()).format("2006.01.02");
        let want = if y < 0 { format!("-{:04}.01.01", -y) } else { format!("{y:04}.01.01") };
        assert_eq!(got, want, "year {y}");
    }
}

// Go: secondsTimeZoneOffsetTests / TestFormatSecondsInTimeZone.
#[test]
fn format_seconds_in_time_zone() {
    for (layout, want, offset) in seconds_zone_cases() {
        let t = GoTime::date(1871, 1, 1, 5, 33, 2, 0, Location::fixed("LMT", offset));
        assert_eq!(t.format(layout), want, "{layout}");
    }
}

pub fn seconds_zone_cases() -> Vec<(&'static str, &'static str, i32)> {
    vec![
        ("2006-01-02T15:04:05-070000", "1871-01-01T05:33:02-003408", -(34 * 60 + 8)),
        ("2006-01-02T15:04:05-07:00:00", "1871-01-01T05:33:02-00:34:08", -(34 * 60 + 8)),
        ("2006-01-02T15:04:05-070000", "1871-01-01T05:33:02+003408", 34 * 60 + 8),
        ("2006-01-02T15:04:05-07:00:00", "1871-01-01T05:33:02+00:34:08", 34 * 60 + 8),
        ("2006-01-02T15:04:05Z070000", "1871-01-01T05:33:02-003408", -(34 * 60 + 8)),
        ("2006-01-02T15:04:05Z07:00:00", "1871-01-01T05:33:02+00:34:08", 34 * 60 + 8),
        ("2006-01-02T15:04:05-07", "1871-01-01T05:33:02+01", 3600),
        ("2006-01-02T15:04:05-07", "1871-01-01T05:33:02-02", -2 * 3600),
        ("2006-01-02T15:04:05Z07", "1871-01-01T05:33:02-02", -2 * 3600),
    ]
}

// Time.String(), as printed by Go's fmt.Println of a time.Time.
#[test]
fn display_is_go_string() {
    let t = GoTime::date(2009, 11, 10, 23, 0, 0, 0, utc());
    assert_eq!(t.to_string(), "2009-11-10 23:00:00 +0000 UTC");
    assert_eq!(reference().to_string(), "2009-02-04 21:00:57.0123456 -0800 PST");
    // An unnamed fixed zone prints its offset twice.
    let t = GoTime::date(2006, 1, 2, 15, 4, 5, 0, Location::fixed("", 7 * 3600));
    assert_eq!(t.to_string(), "2006-01-02 15:04:05 +0700 +0700");
    let t = GoTime::date(2012, 7, 9, 5, 2, 0, 0, load_location("Europe/Berlin").unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(t.to_string(), "2012-07-09 05:02:00 +0200 CEST");
}

#[test]
fn format_zone_forms() {
    let t = GoTime::date(2020, 5, 6, 7, 8, 9, 0, Location::fixed("XST", -(5 * 3600 + 30 * 60)));
    assert_eq!(t.format("MST -0700 -07:00 -07 Z0700 Z07:00 Z07"), "XST -0530 -05:30 -05 -0530 -05:30 -05");
    let z = GoTime::date(2020, 5, 6, 7, 8, 9, 0, utc());
    assert_eq!(z.format("MST -0700 -07:00 -07 Z0700 Z07:00 Z07 Z070000"), "UTC +0000 +00:00 +00 Z Z Z Z");
    // Go truncates sub-minute offsets to minutes before taking the sign, so
    // the seconds field of a -30s offset comes out negative.
    let tiny = GoTime::date(2020, 5, 6, 7, 8, 9, 0, Location::fixed("", -30));
    assert_eq!(tiny.format("-07:00 -07:00:00"), "+00:00 +00:00:-30");
    // Trailing-zero trimming never eats the literal text before it.
    let ns = GoTime::date(2020, 5, 6, 7, 8, 0, 1, utc());
    assert_eq!(ns.format("05.9|05.999999999|05.000"), "00|00.000000001|00.000");
}
