//! Generated inputs must never panic, and whatever parses must behave.

use augur_analysis_core::go::duration::{format_duration, parse_duration};
use augur_analysis_core::go::gofmt::{format_float, json_float, quote, quote_bytes, time_quote};
use augur_analysis_core::go::time::{GoTime, Location, parse, parse_in_location};

/// xorshift64: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A string assembled from pieces that exercise the parsers' branches.
    fn string_from(&mut self, pieces: &[&str], max_len: usize) -> String {
        let n = self.below(max_len + 1);
        (0..n).map(|_| pieces[self.below(pieces.len())]).collect()
    }
}

const DURATION_PIECES: &[&str] = &[
    "0",
    "1",
    "5",
    "9",
    "12",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    ".",
    "..",
    "-",
    "+",
    "h",
    "m",
    "s",
    "ms",
    "us",
    "µs",
    "μs",
    "ns",
    "µ",
    "d",
    " ",
    "\u{fffd}",
    "é",
    "\"",
    "\\",
    "00000000000000000000000",
];

const TIME_PIECES: &[&str] = &[
    "2006",
    "06",
    "01",
    "1",
    "Jan",
    "January",
    "02",
    "2",
    "_2",
    "__2",
    "002",
    "15",
    "3",
    "03",
    "04",
    "4",
    "05",
    "5",
    "PM",
    "pm",
    "AM",
    "am",
    "MST",
    "-0700",
    "-07:00",
    "-07",
    "-070000",
    "-07:00:00",
    "Z0700",
    "Z07:00",
    "Z07",
    "Z070000",
    "Z07:00:00",
    ".000",
    ".999",
    ",000",
    ",9",
    "Mon",
    "Monday",
    "Thu",
    "Feb",
    "PST",
    "UTC",
    "GMT",
    "GMT+3",
    "GMT-25",
    "ChST",
    "WITA",
    "+03",
    "-24",
    "Z",
    "T",
    ":",
    "-",
    " ",
    "  ",
    ".",
    ",",
    "9",
    "99",
    "999",
    "1234567890123",
    "0000",
    "9999",
    "+",
    "é",
    "\u{fffd}",
    "\"",
    "x",
];

#[test]
fn parse_duration_never_panics() {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let s = rng.string_from(DURATION_PIECES, 8);
        if let Ok(d) = parse_duration(&s) {
            accepted += 1;
            // Formatting never panics and reparses to the same value when
            // the duration is a whole number of nanoseconds (always).
            let text = format_duration(d);
            assert_eq!(parse_duration(&text), Ok(d), "{s:?} -> {text:?}");
        } else if let Err(e) = parse_duration(&s) {
            assert!(e.starts_with("time: "), "{e}");
        }
    }
    assert!(accepted > 100, "the generator should produce some valid durations");
}

#[test]
fn parse_never_panics() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let la = augur_analysis_core::go::time::load_location("America/Los_Angeles").unwrap_or_else(|e| panic!("{e}"));
    let utc = Location::utc();
    let mut accepted = 0;
    for _ in 0..10_000 {
        let layout = rng.string_from(TIME_PIECES, 6);
        // Values are either generated freely or derived from the layout, so
        // that many of them parse.
        let value = if rng.below(2) == 0 {
            rng.string_from(TIME_PIECES, 6)
        } else {
            GoTime::from_unix(rng.next() as i64 % 400_000_000_000, 0, la.clone()).format(&layout)
        };
        for result in [parse(&layout, &value), parse_in_location(&layout, &value, &la)] {
            match result {
                Ok(t) => {
                    accepted += 1;
                    let _ = t.format(&layout);
                    let _ = t.to_string();
                    let _ = t.add(i64::MAX).sub(&t.add(i64::MIN));
                }
                Err(e) => assert!(e.starts_with("parsing time "), "{e}"),
            }
        }
        let _ = parse_in_location(&value, &layout, &utc);
    }
    assert!(accepted > 1000, "the generator should produce some valid times");
}

#[test]
fn extreme_instants_never_panic() {
    let locs = [
        Location::utc(),
        Location::fixed("", i32::MAX),
        Location::fixed("MIN", i32::MIN),
        augur_analysis_core::go::time::load_location("Europe/Berlin").unwrap_or_else(|e| panic!("{e}")),
    ];
    let secs = [i64::MIN, i64::MIN + 1, -62_135_596_800, -1, 0, 1, 253_402_300_799, i64::MAX];
    for loc in &locs {
        for &s in &secs {
            for ns in [i64::MIN, -1, 0, 999_999_999, i64::MAX] {
                let t = GoTime::from_unix(s, ns, loc.clone());
                let _ = t.to_string();
                let _ = t.format("Monday January _2 __2 002 3 PM -07:00:00 Z07 MST .999 ,000");
                let _ = (t.year(), t.month(), t.day(), t.weekday(), t.year_day(), t.unix_nanos());
                let _ = t.add(i64::MAX).add(i64::MIN).sub(&t);
            }
        }
        let big = i64::MAX;
        let _ = GoTime::date(big, big, big, big, big, big, big, loc.clone()).to_string();
        let small = i64::MIN;
        let _ = GoTime::date(small, small, small, small, small, small, small, loc.clone()).to_string();
    }
}

#[test]
fn formatting_never_panics() {
    let mut rng = Rng(0xFEED_FACE_0000_0001);
    for _ in 0..5_000 {
        let f = f64::from_bits(rng.next());
        for fmt in ['e', 'E', 'f', 'g', 'G', 'b', 'x', 'X', 'q'] {
            for prec in [-1, 0, 1, 5, 17, 30] {
                let _ = format_float(f, fmt, prec);
            }
        }
        let _ = json_float(f);
        let bytes = rng.next().to_le_bytes();
        let _ = quote_bytes(&bytes);
        let _ = time_quote(&bytes);
        let _ = quote(&String::from_utf8_lossy(&bytes));
    }
}
