//! Expected values are Go's, from src/time/format_test.go, time_test.go and
//! example_test.go. Go's tests force Local to America/Los_Angeles; where the
//! local zone matters we pass that zone to `parse_in_location` instead.

use augur_analysis_core::go::time::{self as gt, GoTime, Location, load_location, parse, parse_in_location};

fn la() -> Location {
    load_location("America/Los_Angeles").unwrap_or_else(|e| panic!("{e}"))
}

fn utc() -> Location {
    Location::utc()
}

fn ok(r: Result<GoTime, String>) -> GoTime {
    r.unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

/// Go: `checkTime` for parseTests (the value is Thu Feb 4 21:00:57 PST 2010).
fn check_time(t: &GoTime, has_tz: bool, has_wd: bool, year_sign: i64, frac_digits: usize, what: &str) {
    if year_sign >= 0 {
        assert_eq!(year_sign * t.year(), 2010, "{what}: year");
    }
    assert_eq!((t.month(), t.day(), t.hour(), t.minute(), t.second()), (2, 4, 21, 0, 57), "{what}");
    // Nanoseconds are checked against the precision of the input.
    let digits = format!("{}{}", &"012345678"[..frac_digits], &"000000000"[..9 - frac_digits]);
    assert_eq!(Ok(t.nanosecond()), digits.parse::<u32>(), "{what}: nanos");
    if has_tz {
        assert_eq!(t.zone().1, -28800, "{what}: offset");
    }
    if has_wd {
        assert_eq!(t.weekday(), 4, "{what}: weekday");
    }
}

// Go: parseTests / TestParse and rubyTests / TestRubyParse.
#[test]
fn parse_go_table() {
    let cases: &[(&str, &str, bool, bool, i64, usize)] = &[
        (gt::ANSIC, "Thu Feb  4 21:00:57 2010", false, true, 1, 0),
        (gt::UNIX_DATE, "Thu Feb  4 21:00:57 PST 2010", true, true, 1, 0),
        (gt::RUBY_DATE, "Thu Feb 04 21:00:57 -0800 2010", true, true, 1, 0),
        (gt::RFC850, "Thursday, 04-Feb-10 21:00:57 PST", true, true, 1, 0),
        (gt::RFC1123, "Thu, 04 Feb 2010 21:00:57 PST", true, true, 1, 0),
        (gt::RFC1123, "Thu, 04 Feb 2010 22:00:57 PDT", true, true, 1, 0),
        (gt::RFC1123Z, "Thu, 04 Feb 2010 21:00:57 -0800", true, true, 1, 0),
        (gt::RFC3339, "2010-02-04T21:00:57-08:00", true, false, 1, 0),
        ("2006-01-02 15:04:05-07", "2010-02-04 21:00:57-08", true, false, 1, 0),
        (gt::ANSIC, "Thu Feb  4 21:00:57.0 2010", false, true, 1, 1),
        (gt::UNIX_DATE, "Thu Feb  4 21:00:57.01 PST 2010", true, true, 1, 2),
        (gt::RUBY_DATE, "Thu Feb 04 21:00:57.012 -0800 2010", true, true, 1, 3),
        (gt::RFC850, "Thursday, 04-Feb-10 21:00:57.0123 PST", true, true, 1, 4),
        (gt::RFC1123, "Thu, 04 Feb 2010 21:00:57.01234 PST", true, true, 1, 5),
        (gt::RFC1123Z, "Thu, 04 Feb 2010 21:00:57.01234 -0800", true, true, 1, 5),
        (gt::RFC3339, "2010-02-04T21:00:57.012345678-08:00", true, false, 1, 9),
        ("2006-01-02 15:04:05", "2010-02-04 21:00:57.0", false, false, 1, 0),
        (gt::ANSIC, "Thu Feb 4 21:00:57 2010", false, true, 1, 0),
        (gt::ANSIC, "Thu      Feb     4     21:00:57     2010", false, true, 1, 0),
        (gt::ANSIC, "THU FEB 4 21:00:57 2010", false, true, 1, 0),
        (gt::ANSIC, "thu feb 4 21:00:57 2010", false, true, 1, 0),
        ("Mon Jan _2 15:04:05.000 2006", "Thu Feb  4 21:00:57.012 2010", false, true, 1, 3),
        ("Mon Jan _2 15:04:05.000000 2006", "Thu Feb  4 21:00:57.012345 2010", false, true, 1, 6),
        ("Mon Jan _2 15:04:05.000000000 2006", "Thu Feb  4 21:00:57.012345678 2010", false, true, 1, 9),
        ("Mon Jan _2 15:04:05,000 2006", "Thu Feb  4 21:00:57.012 2010", false, true, 1, 3),
        ("Mon Jan _2 15:04:05,000000 2006", "Thu Feb  4 21:00:57.012345 2010", false, true, 1, 6),
        ("Mon Jan _2 15:04:05,000000000 2006", "Thu Feb  4 21:00:57.012345678 2010", false, true, 1, 9),
        ("2006.01.02.15.04.05.0", "2010.02.04.21.00.57.0", false, false, 1, 1),
        ("2006.01.02.15.04.05.00", "2010.02.04.21.00.57.01", false, false, 1, 2),
        (
            "Hi Janet, the Month is January: Jan _2 15:04:05 2006",
            "Hi Janet, the Month is February: Feb  4 21:00:57 2010",
            false,
            true,
            1,
            0,
        ),
        (gt::UNIX_DATE, "Fri Feb  5 05:00:57 GMT-8 2010", true, true, 1, 0),
        ("2006-01-02 15:04:05.9999 -0700 MST", "2010-02-04 21:00:57 -0800 PST", true, false, 1, 0),
        ("2006-01-02 15:04:05.999999999 -0700 MST", "2010-02-04 21:00:57 -0800 PST", true, false, 1, 0),
        ("2006-01-02 15:04:05.9999 -0700 MST", "2010-02-04 21:00:57.0123 -0800 PST", true, false, 1, 4),
        ("2006-01-02 15:04:05.999999999 -0700 MST", "2010-02-04 21:00:57.0123 -0800 PST", true, false, 1, 4),
        ("2006-01-02 15:04:05.9999 -0700 MST", "2010-02-04 21:00:57.012345678 -0800 PST", true, false, 1, 9),
        ("2006-01-02 15:04:05.999999999 -0700 MST", "2010-02-04 21:00:57.012345678 -0800 PST", true, false, 1, 9),
        ("2006-01-02 15:04:05,9999 -0700 MST", "2010-02-04 21:00:57 -0800 PST", true, false, 1, 0),
        ("2006-01-02 15:04:05,999999999 -0700 MST", "2010-02-04 21:00:57 -0800 PST", true, false, 1, 0),
        ("2006-01-02 15:04:05,9999 -0700 MST", "2010-02-04 21:00:57.0123 -0800 PST", true, false, 1, 4),
        ("2006-01-02 15:04:05,999999999 -0700 MST", "2010-02-04 21:00:57.0123 -0800 PST", true, false, 1, 4),
        ("2006-01-02 15:04:05,9999 -0700 MST", "2010-02-04 21:00:57.012345678 -0800 PST", true, false, 1, 9),
        ("2006-01-02 15:04:05,999999999 -0700 MST", "2010-02-04 21:00:57.012345678 -0800 PST", true, false, 1, 9),
        (gt::STAMP_NANO, "Feb  4 21:00:57.012345678", false, false, -1, 9),
        ("Jan _2 15:04:05.999", "Feb  4 21:00:57.012300000", false, false, -1, 4),
        ("Jan _2 15:04:05.999", "Feb  4 21:00:57.012345678", false, false, -1, 9),
        ("Jan _2 15:04:05.999999999", "Feb  4 21:00:57.0123", false, false, -1, 4),
        ("Jan _2 15:04:05.999999999", "Feb  4 21:00:57.012345678", false, false, -1, 9),
        ("2006-01-02 002 15:04:05", "2010-02-04 035 21:00:57", false, false, 1, 0),
        ("2006-01 002 15:04:05", "2010-02 035 21:00:57", false, false, 1, 0),
        ("2006-002 15:04:05", "2010-035 21:00:57", false, false, 1, 0),
        ("200600201 15:04:05", "201003502 21:00:57", false, false, 1, 0),
        ("200600204 15:04:05", "201003504 21:00:57", false, false, 1, 0),
        // rubyTests.
        (gt::RUBY_DATE, "Thu Feb 04 21:00:57 -0000 2010", false, true, 1, 0),
        (gt::RUBY_DATE, "Thu Feb 04 21:00:57 +0000 2010", false, true, 1, 0),
        (gt::RUBY_DATE, "Thu Feb 04 21:00:57 +1130 2010", false, true, 1, 0),
    ];
    for &(layout, value, has_tz, has_wd, year_sign, frac) in cases {
        let t = ok(parse_in_location(layout, value, &la()));
        check_time(&t, has_tz, has_wd, year_sign, frac, &format!("{layout:?} {value:?}"));
    }
}

// Go: parseErrorTests / TestParseErrors. Go checks substrings; we pin the
// whole message (the parts Go does not pin follow its ParseError.Error()).
#[test]
fn parse_error_go_table() {
    let cases: &[(&str, &str, &str)] = &[
        (
            gt::ANSIC,
            "Feb  4 21:00:60 2010",
            r#"parsing time "Feb  4 21:00:60 2010" as "Mon Jan _2 15:04:05 2006": cannot parse "Feb  4 21:00:60 2010" as "Mon""#,
        ),
        (
            gt::ANSIC,
            "Thu Feb  4 21:00:57 @2010",
            r#"parsing time "Thu Feb  4 21:00:57 @2010" as "Mon Jan _2 15:04:05 2006": cannot parse "@2010" as "2006""#,
        ),
        (gt::ANSIC, "Thu Feb  4 21:00:60 2010", r#"parsing time "Thu Feb  4 21:00:60 2010": second out of range"#),
        (gt::ANSIC, "Thu Feb  4 21:61:57 2010", r#"parsing time "Thu Feb  4 21:61:57 2010": minute out of range"#),
        (gt::ANSIC, "Thu Feb  4 24:00:60 2010", r#"parsing time "Thu Feb  4 24:00:60 2010": hour out of range"#),
        (
            "Mon Jan _2 15:04:05.000 2006",
            "Thu Feb  4 23:00:59x01 2010",
            r#"parsing time "Thu Feb  4 23:00:59x01 2010" as "Mon Jan _2 15:04:05.000 2006": cannot parse "x01 2010" as ".000""#,
        ),
        (
            "Mon Jan _2 15:04:05.000 2006",
            "Thu Feb  4 23:00:59.xxx 2010",
            r#"parsing time "Thu Feb  4 23:00:59.xxx 2010" as "Mon Jan _2 15:04:05.000 2006": cannot parse ".xxx 2010" as ".000""#,
        ),
        (
            "Mon Jan _2 15:04:05.000 2006",
            "Thu Feb  4 23:00:59.-123 2010",
            r#"parsing time "Thu Feb  4 23:00:59.-123 2010": fractional second out of range"#,
        ),
        (
            gt::STAMP_NANO,
            "Dec  7 11:22:01.000000",
            r#"parsing time "Dec  7 11:22:01.000000" as "Jan _2 15:04:05.000000000": cannot parse ".000000" as ".000000000""#,
        ),
        (gt::STAMP_NANO, "Dec  7 11:22:01.0000000000", r#"parsing time "Dec  7 11:22:01.0000000000": extra text: "0""#),
        (gt::RFC3339, "2006-01-02T15:04:05Z07:00", r#"parsing time "2006-01-02T15:04:05Z07:00": extra text: "07:00""#),
        (
            gt::RFC3339,
            "2006-01-02T15:04_abc",
            r#"parsing time "2006-01-02T15:04_abc" as "2006-01-02T15:04:05Z07:00": cannot parse "_abc" as ":""#,
        ),
        (
            gt::RFC3339,
            "2006-01-02T15:04:05_abc",
            r#"parsing time "2006-01-02T15:04:05_abc" as "2006-01-02T15:04:05Z07:00": cannot parse "_abc" as "Z07:00""#,
        ),
        (gt::RFC3339, "2006-01-02T15:04:05Z_abc", r#"parsing time "2006-01-02T15:04:05Z_abc": extra text: "_abc""#),
        (
            gt::RFC3339,
            "2010-02-04T21:00:67.012345678-08:00",
            r#"parsing time "2010-02-04T21:00:67.012345678-08:00": second out of range"#,
        ),
        (
            "_2 Jan 06 15:04 MST",
            "4 --- 00 00:00 GMT",
            r#"parsing time "4 --- 00 00:00 GMT" as "_2 Jan 06 15:04 MST": cannot parse "--- 00 00:00 GMT" as "Jan""#,
        ),
        (
            "_2 January 06 15:04 MST",
            "4 --- 00 00:00 GMT",
            r#"parsing time "4 --- 00 00:00 GMT" as "_2 January 06 15:04 MST": cannot parse "--- 00 00:00 GMT" as "January""#,
        ),
        ("Jan _2 002 2006", "Feb  4 034 2006", r#"parsing time "Feb  4 034 2006": day-of-year does not match day"#),
        ("Jan _2 002 2006", "Feb  4 004 2006", r#"parsing time "Feb  4 004 2006": day-of-year does not match month"#),
        (
            "\"2006-01-02T15:04:05Z07:00\"",
            "0",
            r#"parsing time "0" as "\"2006-01-02T15:04:05Z07:00\"": cannot parse "0" as "\"""#,
        ),
        (gt::RFC3339, "\"", r#"parsing time "\"" as "2006-01-02T15:04:05Z07:00": cannot parse "\"" as "2006""#),
        // Go: TestParseMonthOutOfRange, TestParseDayOutOfRange.
        ("01-02", "00-01", r#"parsing time "00-01": month out of range"#),
        ("01-02", "13-01", r#"parsing time "13-01": month out of range"#),
        (gt::ANSIC, "Thu Feb 29 21:00:57 2010", r#"parsing time "Thu Feb 29 21:00:57 2010": day out of range"#),
        (gt::ANSIC, "Thu Dec 00 21:00:57 2010", r#"parsing time "Thu Dec 00 21:00:57 2010": day out of range"#),
        // Go: TestStd0xParseError.
        ("01 MST", "0 MST", r#"parsing time "0 MST" as "01 MST": cannot parse "0 MST" as "01""#),
        ("01 MST", "1 MST", r#"parsing time "1 MST" as "01 MST": cannot parse "1 MST" as "01""#),
        (
            gt::RFC850,
            "Thursday, 04-Feb-1 21:00:57 PST",
            r#"parsing time "Thursday, 04-Feb-1 21:00:57 PST" as "Monday, 02-Jan-06 15:04:05 MST": cannot parse "1 21:00:57 PST" as "06""#,
        ),
        // Day of year beyond the year, and non-ASCII text quoted by bytes.
        ("2006-002", "2010-366", r#"parsing time "2010-366": day-of-year out of range"#),
        ("2006-01-02", "2023-08-14é", r#"parsing time "2023-08-14\xc3\xa9": extra text: "\xc3\xa9""#),
        (
            "2006-01-02 15:04",
            "2023-08-14T00:00",
            r#"parsing time "2023-08-14T00:00" as "2006-01-02 15:04": cannot parse "T00:00" as " ""#,
        ),
        ("-0700", "+2500", r#"parsing time "+2500": time zone offset hour out of range"#),
        ("-07:00", "+01:61", r#"parsing time "+01:61": time zone offset minute out of range"#),
        ("-0700", "*0100", r#"parsing time "*0100" as "-0700": cannot parse "*0100" as "-0700""#),
        ("", "x", r#"parsing time "x": extra text: "x""#),
    ];
    for &(layout, value, want) in cases {
        assert_eq!(parse(layout, value).map(|t| t.to_string()), Err(want.to_owned()), "parse({layout:?}, {value:?})");
    }
    // Go: dayOutOfRangeTests, the accepted rows.
    for value in ["Thu Jan 31 21:00:57 2010", "Thu Feb 29 21:00:57 2012", "Thu Apr 30 21:00:57 2010"] {
        ok(parse(gt::ANSIC, value));
    }
}

// The brief: parse in UTC, subtract an hour.
#[test]
fn parse_then_subtract_hour() {
    let t = ok(parse("2006-01-02 15:04:05", "2023-08-14 00:00:00"));
    assert_eq!(t.location().name(), "UTC");
    let earlier = t.add(-3_600_000_000_000);
    assert_eq!(earlier.format(gt::RFC3339), "2023-08-13T23:00:00Z");
    assert_eq!(t.sub(&earlier), 3_600_000_000_000);
}

// Go: ExampleParse and ExampleParseInLocation outputs.
#[test]
fn go_examples() {
    let long_form = "Jan 2, 2006 at 3:04pm (MST)";
    let t = ok(parse_in_location(long_form, "Feb 3, 2013 at 7:54pm (PST)", &la()));
    assert_eq!(t.to_string(), "2013-02-03 19:54:00 -0800 PST");
    let t = ok(parse("2006-Jan-02", "2013-Feb-03"));
    assert_eq!(t.to_string(), "2013-02-03 00:00:00 +0000 UTC");
    let t = ok(parse(gt::RFC3339, "2006-01-02T15:04:05Z"));
    assert_eq!(t.to_string(), "2006-01-02 15:04:05 +0000 UTC");
    let t = ok(parse_in_location(gt::RFC3339, "2006-01-02T15:04:05+07:00", &utc()));
    assert_eq!(t.to_string(), "2006-01-02 15:04:05 +0700 +0700");

    let berlin = load_location("Europe/Berlin").unwrap_or_else(|e| panic!("{e}"));
    let t = ok(parse_in_location(long_form, "Jul 9, 2012 at 5:02am (CEST)", &berlin));
    assert_eq!(t.to_string(), "2012-07-09 05:02:00 +0200 CEST");
    let t = ok(parse_in_location("2006-Jan-02", "2012-Jul-09", &berlin));
    assert_eq!(t.to_string(), "2012-07-09 00:00:00 +0200 CEST");
}

// Go: TestParseInLocation (AST in Baghdad vs Blanc-Sablon).
#[test]
fn parse_in_location_abbreviations() {
    let baghdad = load_location("Asia/Baghdad").unwrap_or_else(|e| panic!("{e}"));
    let t1 = ok(parse_in_location("Jan 02 2006 MST", "Feb 01 2013 AST", &baghdad));
    let (_, offset) = t1.zone();
    // Recent tzdata renamed Baghdad's AST to +03, giving an unknown-zone
    // result with offset 0; Go's test skips that case too.
    if offset != 0 {
        assert!(t1.equal(&GoTime::date(2013, 2, 1, 0, 0, 0, 0, baghdad.clone())));
        assert_eq!(offset, 3 * 3600);
    }
    let blanc = load_location("America/Blanc-Sablon").unwrap_or_else(|e| panic!("{e}"));
    let t1 = ok(parse_in_location("Jan 02 2006 MST", "Feb 01 2013 AST", &blanc));
    assert!(t1.equal(&GoTime::date(2013, 2, 1, 0, 0, 0, 0, blanc.clone())));
    assert_eq!(t1.zone().1, -4 * 3600);
}

// Go: an unknown abbreviation keeps the clock reading with offset 0, and
// GMT±h gets h hours without moving the instant.
#[test]
fn parse_unknown_abbreviations() {
    let t = ok(parse_in_location(gt::RFC1123, "Thu, 04 Feb 2010 21:00:57 XYZ", &utc()));
    assert_eq!(t.zone(), ("XYZ".to_owned(), 0));
    assert_eq!(t.to_string(), "2010-02-04 21:00:57 +0000 XYZ");
    let t = ok(parse_in_location(gt::UNIX_DATE, "Fri Feb  5 05:00:57 GMT-8 2010", &utc()));
    assert_eq!(t.zone(), ("GMT-8".to_owned(), -8 * 3600));
    assert_eq!(t.unix(), GoTime::date(2010, 2, 5, 5, 0, 57, 0, utc()).unix());
    let t = ok(parse_in_location(gt::RFC1123, "Thu, 04 Feb 2010 21:00:57 UTC", &la()));
    assert_eq!(t.location().name(), "UTC");
}

// Go: TestParseFractionalSecondsLongerThanNineDigits.
#[test]
fn parse_long_fractions() {
    let cases: &[(&str, u32)] = &[
        ("2021-09-29T16:04:33.000000000Z", 0),
        ("2021-09-29T16:04:33.000000001Z", 1),
        ("2021-09-29T16:04:33.100000000Z", 100_000_000),
        ("2021-09-29T16:04:33.100000001Z", 100_000_001),
        ("2021-09-29T16:04:33.999999999Z", 999_999_999),
        ("2021-09-29T16:04:33.012345678Z", 12_345_678),
        ("2021-09-29T16:04:33.0000000000Z", 0),
        ("2021-09-29T16:04:33.0000000001Z", 0),
        ("2021-09-29T16:04:33.1000000000Z", 100_000_000),
        ("2021-09-29T16:04:33.1000000009Z", 100_000_000),
        ("2021-09-29T16:04:33.9999999999Z", 999_999_999),
        ("2021-09-29T16:04:33.0123456789Z", 12_345_678),
        ("2021-09-29T16:04:33.10000000000Z", 100_000_000),
        ("2021-09-29T16:04:33.00123456789Z", 1_234_567),
        ("2021-09-29T16:04:33.000123456789Z", 123_456),
        ("2021-09-29T16:04:33.9999999999999999Z", 999_999_999),
    ];
    for &(value, want) in cases {
        for layout in [gt::RFC3339, gt::RFC3339_NANO] {
            assert_eq!(ok(parse(layout, value)).nanosecond(), want, "{layout} {value}");
        }
    }
}

// Go: TestParseSecondsInTimeZone, TestMinutesInTimeZone, TestMissingZone.
#[test]
fn parse_numeric_zones() {
    let cases: &[(&str, &str, i32)] = &[
        ("2006-01-02T15:04:05-070000", "1871-01-01T05:33:02-003408", -(34 * 60 + 8)),
        ("2006-01-02T15:04:05-07:00:00", "1871-01-01T05:33:02-00:34:08", -(34 * 60 + 8)),
        ("2006-01-02T15:04:05-070000", "1871-01-01T05:33:02+003408", 34 * 60 + 8),
        ("2006-01-02T15:04:05-07:00:00", "1871-01-01T05:33:02+00:34:08", 34 * 60 + 8),
        ("2006-01-02T15:04:05Z070000", "1871-01-01T05:33:02-003408", -(34 * 60 + 8)),
        ("2006-01-02T15:04:05Z07:00:00", "1871-01-01T05:33:02+00:34:08", 34 * 60 + 8),
        ("2006-01-02T15:04:05-07", "1871-01-01T05:33:02+01", 3600),
        ("2006-01-02T15:04:05-07", "1871-01-01T05:33:02-02", -2 * 3600),
        ("2006-01-02T15:04:05Z07", "1871-01-01T05:33:02-02", -2 * 3600),
        (gt::RUBY_DATE, "Mon Jan 02 15:04:05 +0123 2006", 83 * 60),
    ];
    for &(layout, value, offset) in cases {
        assert_eq!(ok(parse_in_location(layout, value, &utc())).zone().1, offset, "{value}");
    }
    // All five Z forms accept "Z" (Go 1.23+).
    for layout in ["15Z0700", "15Z070000", "15Z07", "15Z07:00", "15Z07:00:00"] {
        assert_eq!(ok(parse(layout, "12Z")).location().name(), "UTC", "{layout}");
    }
    let t = ok(parse_in_location(gt::RUBY_DATE, "Thu Feb 02 16:10:03 -0500 2006", &la()));
    assert_eq!(t.format(gt::UNIX_DATE), "Thu Feb  2 16:10:03 -0500 2006");
    // An offset the location uses at that instant adopts the location.
    let t = ok(parse_in_location(gt::RUBY_DATE, "Thu Feb 04 21:00:57 -0800 2010", &la()));
    assert_eq!(t.location().name(), "America/Los_Angeles");
    assert_eq!(t.zone(), ("PST".to_owned(), -28800));
}

// Go: TestUnderscoreTwoThousand, TestParseYday, Test12PMIsNoon,
// Test12AMIsMidnight.
#[test]
fn parse_misc_go_tests() {
    let t = ok(parse("15:04_20060102", "14:38_20150618"));
    assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute()), (2015, 6, 18, 14, 38));
    for i in 1..=365u16 {
        let t = ok(parse("2006-002", &format!("2020-{i:03}")));
        assert_eq!((t.year(), t.year_day()), (2020, i));
    }
    for layout in ["3:04PM", "03:04PM"] {
        assert_eq!(ok(parse(layout, "12:00PM")).hour(), 12);
        assert_eq!(ok(parse(layout, "12:00AM")).hour(), 0);
    }
    // Elements missing from the layout default to year 0, January 1.
    let t = ok(parse("3:04pm", "3:04pm"));
    assert_eq!(t.to_string(), "0000-01-01 15:04:00 +0000 UTC");
    // Two-digit years pivot at 69.
    assert_eq!(ok(parse("06", "68")).year(), 2068);
    assert_eq!(ok(parse("06", "69")).year(), 1969);
}

// Go: TestYearDay's Parse half: "2006-01-02 002 -0700" equals Date in each
// fixed zone.
#[test]
fn parse_year_day_with_offsets() {
    let days: &[(i64, i64, i64, i64)] = &[
        (2007, 1, 1, 1),
        (2007, 3, 1, 60),
        (2007, 12, 31, 365),
        (2008, 3, 1, 61),
        (2008, 12, 31, 366),
        (1900, 3, 1, 60),
        (1, 12, 31, 365),
        (1582, 10, 15, 288),
    ];
    for (i, hours) in [-8i32, -4, 0, 4, 8].into_iter().enumerate() {
        let loc = Location::fixed(&format!("UTC{hours:+}"), hours * 3600);
        for &(y, m, d, yday) in days {
            let want = GoTime::date(y, m, d, 0, 0, 0, 0, loc.clone());
            assert_eq!(i64::from(want.year_day()), yday);
            let sign = if hours < 0 { '-' } else { '+' };
            let value = format!("{y:04}-{m:02}-{d:02} {yday:03} {sign}{:02}00", hours.abs());
            let t = ok(parse_in_location("2006-01-02 002 -0700", &value, &utc()));
            assert!(t.equal(&want), "#{i} {value}: {t} vs {want}");
        }
    }
}
