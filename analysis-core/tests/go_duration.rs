//! Expected values are Go's own, from src/time/time_test.go.

use augur_analysis_core::go::duration::{format_duration, parse_duration};

const NS: i64 = 1;
const US: i64 = 1000 * NS;
const MS: i64 = 1000 * US;
const S: i64 = 1000 * MS;
const M: i64 = 60 * S;
const H: i64 = 60 * M;

// Go: parseDurationTests / TestParseDuration.
#[test]
fn parse_duration_go_table() {
    let cases: &[(&str, i64)] = &[
        ("0", 0),
        ("5s", 5 * S),
        ("30s", 30 * S),
        ("1478s", 1478 * S),
        ("-5s", -5 * S),
        ("+5s", 5 * S),
        ("-0", 0),
        ("+0", 0),
        ("5.0s", 5 * S),
        ("5.6s", 5 * S + 600 * MS),
        ("5.s", 5 * S),
        (".5s", 500 * MS),
        ("1.0s", S),
        ("1.00s", S),
        ("1.004s", S + 4 * MS),
        ("1.0040s", S + 4 * MS),
        ("100.00100s", 100 * S + MS),
        ("10ns", 10 * NS),
        ("11us", 11 * US),
        ("12µs", 12 * US),
        ("12μs", 12 * US),
        ("13ms", 13 * MS),
        ("14s", 14 * S),
        ("15m", 15 * M),
        ("16h", 16 * H),
        ("3h30m", 3 * H + 30 * M),
        ("10.5s4m", 4 * M + 10 * S + 500 * MS),
        ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
        ("1h2m3s4ms5us6ns", H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS),
        ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
        ("52763797000ns", 52_763_797_000 * NS),
        ("0.3333333333333333333h", 20 * M),
        ("9007199254740993ns", (1 << 53) + 1),
        ("9223372036854775807ns", i64::MAX),
        ("9223372036854775.807us", i64::MAX),
        ("9223372036s854ms775us807ns", i64::MAX),
        ("-9223372036854775808ns", i64::MIN),
        ("-9223372036854775.808us", i64::MIN),
        ("-9223372036s854ms775us808ns", i64::MIN),
        ("-2562047h47m16.854775808s", i64::MIN),
        ("0.100000000000000000000h", 6 * M),
        ("0.830103483285477580700h", 49 * M + 48 * S + 372_539_827 * NS),
        // From the brief.
        ("1.5h", 90 * M),
    ];
    for &(input, want) in cases {
        assert_eq!(parse_duration(input), Ok(want), "parse_duration({input:?})");
    }
}

// Go: parseDurationErrorTests / TestParseDurationErrors. Go only checks that
// the quoted input appears; we pin the whole message.
#[test]
fn parse_duration_go_error_table() {
    let invalid = |q: &str| format!("time: invalid duration {q}");
    let cases: Vec<(&str, String)> = vec![
        ("", invalid(r#""""#)),
        ("3", r#"time: missing unit in duration "3""#.to_owned()),
        ("-", invalid(r#""-""#)),
        ("s", invalid(r#""s""#)),
        (".", invalid(r#"".""#)),
        ("-.", invalid(r#""-.""#)),
        (".s", invalid(r#"".s""#)),
        ("+.s", invalid(r#""+.s""#)),
        ("1d", r#"time: unknown unit "d" in duration "1d""#.to_owned()),
        ("\u{FFFD}", invalid(r#""\xef\xbf\xbd""#)),
        ("\u{FFFD} hello \u{FFFD} world", invalid(r#""\xef\xbf\xbd hello \xef\xbf\xbd world""#)),
        ("9223372036854775810ns", invalid(r#""9223372036854775810ns""#)),
        ("9223372036854775808ns", invalid(r#""9223372036854775808ns""#)),
        ("-9223372036854775809ns", invalid(r#""-9223372036854775809ns""#)),
        ("9223372036854776us", invalid(r#""9223372036854776us""#)),
        ("3000000h", invalid(r#""3000000h""#)),
        ("9223372036854775.808us", invalid(r#""9223372036854775.808us""#)),
        ("9223372036854ms775us808ns", invalid(r#""9223372036854ms775us808ns""#)),
        // The time package quotes bytes: µ (U+00B5) alone is not a unit.
        ("1µ", r#"time: unknown unit "\xc2\xb5" in duration "1\xc2\xb5""#.to_owned()),
        ("1.5", r#"time: missing unit in duration "1.5""#.to_owned()),
        ("1h\"", r#"time: unknown unit "h\"" in duration "1h\"""#.to_owned()),
    ];
    for (input, want) in cases {
        assert_eq!(parse_duration(input), Err(want), "parse_duration({input:?})");
    }
}

// Go: durationTests / TestDurationString, including the negated forms.
#[test]
fn format_duration_go_table() {
    let cases: &[(&str, i64)] = &[
        ("0s", 0),
        ("1ns", NS),
        ("1.1µs", 1100 * NS),
        ("2.2ms", 2200 * US),
        ("3.3s", 3300 * MS),
        ("4m5s", 4 * M + 5 * S),
        ("4m5.001s", 4 * M + 5001 * MS),
        ("5h6m7.001s", 5 * H + 6 * M + 7001 * MS),
        ("8m0.000000001s", 8 * M + NS),
        ("2562047h47m16.854775807s", i64::MAX),
        ("-2562047h47m16.854775808s", i64::MIN),
    ];
    for &(want, d) in cases {
        assert_eq!(format_duration(d), want, "format_duration({d})");
        if d > 0 {
            assert_eq!(format_duration(-d), format!("-{want}"), "format_duration({})", -d);
        }
    }
}

#[test]
fn format_duration_brief_examples() {
    assert_eq!(format_duration(H), "1h0m0s");
    assert_eq!(format_duration(1500 * MS), "1.5s");
    assert_eq!(format_duration(-(2 * M + 3 * S + 4 * MS)), "-2m3.004s");
    assert_eq!(format_duration(US), "1µs");
    assert_eq!(parse_duration("1h30m").map(format_duration), Ok("1h30m0s".to_owned()));
}

// Go: TestParseDurationRoundTrip.
#[test]
fn round_trips() {
    for d in [i64::MAX, i64::MIN] {
        assert_eq!(parse_duration(&format_duration(d)), Ok(d));
    }
    // A deterministic spread of millisecond-resolution values, as Go's test
    // uses random ones.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..1000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let d = i64::from((x >> 33) as u32 as i32) * MS;
        assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{d}");
    }
}

// Go adds in uint64 and checks only afterwards: two terms of exactly 2^63
// wrap to zero, so Go accepts this and returns 0.
#[test]
fn go_uint64_wrap_quirk() {
    assert_eq!(parse_duration("-9223372036854775808ns9223372036854775808ns"), Ok(0));
}
