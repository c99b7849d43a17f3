//! `metav1.Time`: a Kubernetes timestamp with one-second precision on the wire.

use std::fmt;
use std::num::NonZeroI64;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::go::time::{GoTime, Location, RFC3339, parse};

/// A Kubernetes `metav1.Time`: Unix seconds.
///
/// It serializes as RFC 3339 in UTC with seconds precision (`"2026-01-01T00:00:00Z"`), exactly
/// like `metav1.Time.MarshalJSON` (`t.UTC().Format(time.RFC3339)`), and deserializes from any
/// RFC 3339 timestamp Go's `time.Parse(time.RFC3339, s)` accepts (a fraction of a second is
/// accepted and dropped, as it is on Argo's next write; an offset is converted to UTC).
///
/// Pre-1970 instants with a fraction are floored, like Go's `Time.Unix`.
///
/// The seconds are stored with the sign bit flipped in a `NonZeroI64`, so `Option<Time>` is
/// eight bytes: a measurement holds three of them and an analyzer keeps thousands of
/// measurements. The one instant that cannot be stored, `i64::MIN` seconds (292 billion years
/// BC), is clamped to the next second.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time(NonZeroI64);

impl Time {
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix(secs: i64) -> Time {
        let secs = if secs == i64::MIN { i64::MIN + 1 } else { secs };
        match NonZeroI64::new(secs ^ i64::MIN) {
            Some(n) => Time(n),
            // Unreachable: only `i64::MIN` maps to zero, and it was clamped above.
            None => Time(NonZeroI64::MAX),
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix(self) -> i64 {
        self.0.get() ^ i64::MIN
    }

    /// `t` truncated to whole seconds (towards the past, like Go's `Time.Unix`).
    pub fn from_system(t: SystemTime) -> Time {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Time::from_unix(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Err(e) => {
                let d = e.duration();
                let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                // 0.5 s before the epoch is second -1.
                Time::from_unix(if d.subsec_nanos() > 0 { -whole - 1 } else { -whole })
            }
        }
    }

    /// This instant as a [`SystemTime`] (saturating at the platform's limits).
    pub fn to_system(self) -> SystemTime {
        let secs = self.unix();
        let d = Duration::from_secs(secs.unsigned_abs());
        let t = if secs >= 0 { UNIX_EPOCH.checked_add(d) } else { UNIX_EPOCH.checked_sub(d) };
        t.unwrap_or(UNIX_EPOCH)
    }

    /// Parses an RFC 3339 timestamp with Go's `time.Parse(time.RFC3339, s)`; the error is Go's
    /// text, e.g. `parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`.
    pub fn parse_rfc3339(s: &str) -> Result<Time, String> {
        parse(RFC3339, s).map(|t| Time::from_unix(t.unix()))
    }

    /// RFC 3339 in UTC with seconds precision, e.g. `2026-01-01T00:00:00Z`.
    pub fn to_rfc3339(self) -> String {
        GoTime::from_unix(self.unix(), 0, Location::utc()).format(RFC3339)
    }
}

impl Default for Time {
    /// The Unix epoch, like Go's zero `Time.Unix()`.
    fn default() -> Time {
        Time::from_unix(0)
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Time) -> std::cmp::Ordering {
        self.unix().cmp(&other.unix())
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Time) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Time({})", self.unix())
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl From<SystemTime> for Time {
    fn from(t: SystemTime) -> Time {
        Time::from_system(t)
    }
}

impl From<Time> for SystemTime {
    fn from(t: Time) -> SystemTime {
        t.to_system()
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Time;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Time, E> {
                Time::parse_rfc3339(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}
