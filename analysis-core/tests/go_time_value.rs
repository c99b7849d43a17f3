//! Instants, arithmetic and locations. Expected values are Go's, from
//! src/time/time_test.go unless noted.

use std::cmp::Ordering;

use augur_analysis_core::go::time::{GoTime, Location, load_location, now};

fn la() -> Location {
    load_location("America/Los_Angeles").unwrap_or_else(|e| panic!("{e}"))
}

fn utc() -> Location {
    Location::utc()
}

/// Go's zero `Time{}`: January 1, year 1, 00:00:00 UTC.
fn zero() -> GoTime {
    GoTime::date(1, 1, 1, 0, 0, 0, 0, utc())
}

// Go: dateTests / TestDate (Local = America/Los_Angeles), including the
// normalisation of out-of-range fields and both DST transitions.
#[test]
fn date_go_table() {
    // (year, month, day, hour, min, sec, nsec, want unix seconds)
    type Case = (i64, i64, i64, i64, i64, i64, i64, i64);
    let cases: &[Case] = &[
        (2011, 11, 6, 1, 0, 0, 0, 1320566400),
        (2011, 11, 6, 1, 59, 59, 0, 1320569999),
        (2011, 11, 6, 2, 0, 0, 0, 1320573600),
        (2011, 3, 13, 1, 0, 0, 0, 1300006800),
        (2011, 3, 13, 1, 59, 59, 0, 1300010399),
        (2011, 3, 13, 3, 0, 0, 0, 1300010400),
        (2011, 3, 13, 2, 30, 0, 0, 1300008600),
        (2012, 12, 24, 0, 0, 0, 0, 1356336000),
        (2011, 11, 18, 7, 56, 35, 0, 1321631795),
        (2011, 11, 19, -17, 56, 35, 0, 1321631795),
        (2011, 11, 17, 31, 56, 35, 0, 1321631795),
        (2011, 11, 18, 6, 116, 35, 0, 1321631795),
        (2011, 10, 49, 7, 56, 35, 0, 1321631795),
        (2011, 11, 18, 7, 55, 95, 0, 1321631795),
        (2011, 11, 18, 7, 56, 34, 1_000_000_000, 1321631795),
        (2011, 12, -12, 7, 56, 35, 0, 1321631795),
        (2012, 1, -43, 7, 56, 35, 0, 1321631795),
        (2012, 1 - 2, 18, 7, 56, 35, 0, 1321631795),
        (2010, 12 + 11, 18, 7, 56, 35, 0, 1321631795),
    ];
    for &(y, mo, d, h, mi, s, ns, unix) in cases {
        let t = GoTime::date(y, mo, d, h, mi, s, ns, la());
        assert_eq!(t.unix(), unix, "Date({y}, {mo}, {d}, {h}, {mi}, {s}, {ns}, LA)");
        assert!(t.equal(&GoTime::from_unix(unix, 0, utc())));
    }
}

// Go: subTests / TestSub (the non-monotonic rows).
#[test]
fn sub_go_table() {
    let d = |y, mo, dd, h, mi, s, ns| GoTime::date(y, mo, dd, h, mi, s, ns, utc());
    let hour: i64 = 3_600_000_000_000;
    let cases = [
        (zero(), zero(), 0),
        (d(2009, 11, 23, 0, 0, 0, 1), d(2009, 11, 23, 0, 0, 0, 0), 1),
        (d(2009, 11, 23, 0, 0, 0, 0), d(2009, 11, 24, 0, 0, 0, 0), -24 * hour),
        (d(2009, 11, 24, 0, 0, 0, 0), d(2009, 11, 23, 0, 0, 0, 0), 24 * hour),
        (d(-2009, 11, 24, 0, 0, 0, 0), d(-2009, 11, 23, 0, 0, 0, 0), 24 * hour),
        (zero(), d(2109, 11, 23, 0, 0, 0, 0), i64::MIN),
        (d(2109, 11, 23, 0, 0, 0, 0), zero(), i64::MAX),
        (zero(), d(-2109, 11, 23, 0, 0, 0, 0), i64::MAX),
        (d(-2109, 11, 23, 0, 0, 0, 0), zero(), i64::MIN),
        (d(2290, 1, 1, 0, 0, 0, 0), d(2000, 1, 1, 0, 0, 0, 0), 290 * 365 * 24 * hour + 71 * 24 * hour),
        (d(2300, 1, 1, 0, 0, 0, 0), d(2000, 1, 1, 0, 0, 0, 0), i64::MAX),
        (d(2000, 1, 1, 0, 0, 0, 0), d(2290, 1, 1, 0, 0, 0, 0), -290 * 365 * 24 * hour - 71 * 24 * hour),
        (d(2000, 1, 1, 0, 0, 0, 0), d(2300, 1, 1, 0, 0, 0, 0), i64::MIN),
        (d(2311, 11, 26, 2, 16, 47, 63_535_996), d(2019, 8, 16, 2, 29, 30, 268_436_582), 9_223_372_036_795_099_414),
    ];
    for (i, (t, u, want)) in cases.into_iter().enumerate() {
        assert_eq!(t.sub(&u), want, "#{i}: {t} - {u}");
    }
}

// Go: TestAddToExactSecond, plus Add's carry in both directions.
#[test]
fn add_carries_nanoseconds() {
    let t = GoTime::from_unix(100, 999_999_999, utc());
    let u = t.add(1);
    assert_eq!((u.unix(), u.nanosecond()), (101, 0));
    let v = u.add(-1);
    assert_eq!((v.unix(), v.nanosecond()), (100, 999_999_999));
    let w = t.add(1_000_000_000 - i64::from(t.nanosecond()));
    assert_eq!((w.unix(), w.nanosecond()), (101, 0));
    assert_eq!(t.add(-2_500_000_000).unix_nanos(), 98_499_999_999);
}

// Go's addSec saturates at ±(2^63-1) seconds since year 1 instead of
// wrapping.
#[test]
fn add_saturates_like_go() {
    let far = GoTime::from_unix(i64::MAX - 62_135_596_800 - 10, 0, utc());
    let later = far.add(i64::MAX).add(i64::MAX);
    assert!(later.after(&far));
    let early = GoTime::from_unix(-i64::MAX, 0, utc());
    assert!(early.add(i64::MIN).before(&early) || early.add(i64::MIN).equal(&early));
}

#[test]
fn unix_round_trips_and_ordering() {
    let t = GoTime::from_unix(1_692_000_000, 123, la());
    assert_eq!(t.unix(), 1_692_000_000);
    assert_eq!(t.unix_nanos(), 1_692_000_000_000_000_123);
    assert_eq!(GoTime::from_unix_nanos(t.unix_nanos(), utc()), t);
    // Go's Unix normalises out-of-range nanoseconds.
    let n = GoTime::from_unix(10, -1, utc());
    assert_eq!((n.unix(), n.nanosecond()), (9, 999_999_999));
    assert_eq!(
        GoTime::from_unix_nanos(-1, utc()).format("2006-01-02T15:04:05.999999999Z07:00"),
        "1969-12-31T23:59:59.999999999Z"
    );

    let u = t.in_location(utc());
    assert!(t.equal(&u) && t == u);
    assert_eq!(u.location().name(), "UTC");
    assert_eq!(t.location().name(), "America/Los_Angeles");
    let later = t.add(1);
    assert!(later.after(&t) && t.before(&later));
    assert_eq!(t.cmp(&later), Ordering::Less);
    assert_eq!(later.cmp(&t), Ordering::Greater);
    assert_eq!(t.cmp(&u), Ordering::Equal);
}

#[test]
fn calendar_accessors() {
    let t = GoTime::date(2024, 2, 29, 23, 59, 58, 7, Location::fixed("X", 3600));
    assert_eq!((t.year(), t.month(), t.day()), (2024, 2, 29));
    assert_eq!((t.hour(), t.minute(), t.second(), t.nanosecond()), (23, 59, 58, 7));
    assert_eq!((t.weekday(), t.year_day()), (4, 60));
    assert_eq!(t.zone(), ("X".to_owned(), 3600));
    // Go: yearDayTests rows for year -1 and 400 BC.
    assert_eq!(GoTime::date(-1, 3, 1, 0, 0, 0, 0, utc()).year_day(), 60);
    assert_eq!(GoTime::date(-400, 3, 1, 0, 0, 0, 0, utc()).year_day(), 61);
    assert_eq!(GoTime::date(-400, 12, 31, 0, 0, 0, 0, utc()).year_day(), 366);
}

// Go: LoadLocation's rules and error texts; TestLoadFixed.
#[test]
fn load_location_rules() {
    assert_eq!(load_location("").map(|l| l.name().to_owned()), Ok("UTC".to_owned()));
    assert_eq!(load_location("UTC").map(|l| l.name().to_owned()), Ok("UTC".to_owned()));
    assert!(load_location("Local").is_ok());
    assert_eq!(load_location("America/New_York").map(|l| l.name().to_owned()), Ok("America/New_York".to_owned()));
    assert_eq!(load_location("Foo/Bar"), Err("unknown time zone Foo/Bar".to_owned()));
    // Go opens zone files on a case-sensitive file system.
    assert_eq!(load_location("america/new_york"), Err("unknown time zone america/new_york".to_owned()));
    for bad in ["../etc/passwd", "/etc/localtime", "\\x", "a..b"] {
        assert_eq!(load_location(bad), Err("time: invalid location name".to_owned()), "{bad}");
    }
    let gmt1 = load_location("Etc/GMT+1").unwrap_or_else(|e| panic!("{e}"));
    let (name, offset) = now(&gmt1).zone();
    assert!(name == "-01" || name == "GMT+1", "{name}");
    assert_eq!(offset, -3600);
}

#[test]
fn now_is_current() {
    let t = now(&utc());
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    assert!((t.unix() - i64::try_from(secs).unwrap_or(0)).abs() <= 5);
    assert_eq!(now(&la()).location().name(), "America/Los_Angeles");
}

#[test]
fn fixed_zone_and_local_names() {
    assert_eq!(Location::fixed("EST", -18000).name(), "EST");
    assert_eq!(Location::fixed("", 0).name(), "");
    // Local is named as Go's initLocal names it.
    let local = Location::local();
    assert!(!local.name().is_empty());
}
