//! Go's `time.Location`: UTC, Local, IANA zones (via jiff's tz database) and
//! the fixed zones `time.Parse` fabricates.

use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A time zone as Go's `*time.Location` models it.
///
/// Go identifies locations by pointer; here two locations are equal when
/// they are the same kind with the same name and rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// `time.UTC`: no zones at all, always "UTC" and offset 0.
    Utc,
    /// `time.Local`, named as Go's `initLocal` names it (normally "Local").
    Local { name: String, tz: TimeZone },
    /// A zone loaded from the tz database by `LoadLocation`.
    Named { name: String, tz: TimeZone },
    /// `time.FixedZone(name, offset)`.
    Fixed { name: String, offset: i32 },
}

impl Location {
    /// Go's `time.UTC`.
    pub fn utc() -> Location {
        Location { kind: Kind::Utc }
    }

    /// Go's `time.Local`, resolved the way Go's `initLocal` does on Unix:
    /// `TZ` unset means the system zone (named "Local"); `TZ=""` or
    /// `TZ="UTC"` means UTC; `TZ="name"` (optionally `:`-prefixed) loads that
    /// zone; anything unloadable falls back to UTC named "UTC". Like Go,
    /// this is decided once per process.
    pub fn local() -> Location {
        static LOCAL: OnceLock<Location> = OnceLock::new();
        LOCAL.get_or_init(init_local).clone()
    }

    /// Go's `time.FixedZone(name, offset)`: a zone that is always `offset`
    /// seconds east of UTC and abbreviated `name` (which may be empty).
    pub fn fixed(name: &str, offset_seconds: i32) -> Location {
        Location { kind: Kind::Fixed { name: name.to_owned(), offset: offset_seconds } }
    }

    /// Go's `Location.String()`: `"UTC"`, `"Local"`, the IANA name, or the
    /// fixed zone's name.
    pub fn name(&self) -> &str {
        match &self.kind {
            Kind::Utc => "UTC",
            Kind::Local { name, .. } | Kind::Named { name, .. } | Kind::Fixed { name, .. } => name,
        }
    }

    /// The zone abbreviation and offset (seconds east of UTC) in effect at
    /// `unix` seconds, Go's `Location.lookup`.
    pub(crate) fn lookup(&self, unix: i64) -> (String, i32) {
        match &self.kind {
            Kind::Utc => ("UTC".to_owned(), 0),
            Kind::Fixed { name, offset } => (name.clone(), *offset),
            Kind::Local { tz, .. } | Kind::Named { tz, .. } => tz_lookup(tz, unix),
        }
    }

    /// Go's `Location.lookupName`: the offset of a zone abbreviated `abbr`,
    /// preferring one that is actually in effect at the pseudo-Unix time
    /// `unix` (the civil time read as if it were UTC).
    pub(crate) fn lookup_name(&self, abbr: &str, unix: i64) -> Option<i32> {
        let zones = self.zones();
        let matching = || zones.iter().filter(|(name, _)| name == abbr);
        for (name, offset) in matching() {
            let (in_effect, effective_offset) = self.lookup(unix.wrapping_sub(i64::from(*offset)));
            if in_effect == *name {
                return Some(effective_offset);
            }
        }
        matching().next().map(|&(_, offset)| offset)
    }

    /// The distinct (abbreviation, offset) pairs the location uses, standing
    /// in for the zone list of Go's parsed TZif data. They are listed in
    /// order of first use, since jiff does not expose the file's order.
    fn zones(&self) -> Vec<(String, i32)> {
        match &self.kind {
            // Go's UTC location has no zones, so no name matches it.
            Kind::Utc => Vec::new(),
            Kind::Fixed { name, offset } => vec![(name.clone(), *offset)],
            Kind::Local { tz, .. } | Kind::Named { tz, .. } => tz_zones(tz),
        }
    }
}

/// Go's `time.LoadLocation`.
///
/// `""` and `"UTC"` give UTC, `"Local"` gives [`Location::local`], anything
/// else is looked up in the tz database by its exact (case-sensitive) IANA
/// name. Errors use Go's text: `time: invalid location name` for names with
/// `..` or a leading slash or backslash, `unknown time zone NAME` otherwise.
pub fn load_location(name: &str) -> Result<Location, String> {
    match name {
        "" | "UTC" => return Ok(Location::utc()),
        "Local" => return Ok(Location::local()),
        _ => {}
    }
    if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
        return Err("time: invalid location name".to_owned());
    }
    let tz = named_zone(name).ok_or_else(|| format!("unknown time zone {name}"))?;
    Ok(Location { kind: Kind::Named { name: name.to_owned(), tz } })
}

/// Loads an IANA zone whose database name is exactly `name`. jiff matches
/// names case-insensitively, but Go opens files on a case-sensitive file
/// system, so "america/new_york" must fail as it does in Go.
fn named_zone(name: &str) -> Option<TimeZone> {
    let tz = TimeZone::get(name).ok()?;
    (tz.iana_name() == Some(name)).then_some(tz)
}

/// Go's `initLocal` (Unix flavour).
fn init_local() -> Location {
    let kind = match std::env::var("TZ") {
        Err(std::env::VarError::NotPresent) => {
            let tz = TimeZone::system();
            if tz.is_unknown() { local_utc() } else { Kind::Local { name: "Local".to_owned(), tz } }
        }
        Ok(tz) => local_from_tz_env(tz.strip_prefix(':').unwrap_or(&tz)),
        Err(std::env::VarError::NotUnicode(_)) => local_utc(),
    };
    Location { kind }
}

fn local_utc() -> Kind {
    Kind::Local { name: "UTC".to_owned(), tz: TimeZone::UTC }
}

/// `Local` for a set `TZ` variable (leading `:` already removed).
fn local_from_tz_env(tz: &str) -> Kind {
    if tz.is_empty() || tz == "UTC" {
        return local_utc();
    }
    if tz.starts_with('/') {
        let loaded = std::fs::read(tz).ok().and_then(|data| TimeZone::tzif(tz, &data).ok());
        return match loaded {
            Some(zone) => {
                let name = if tz == "/etc/localtime" { "Local" } else { tz };
                Kind::Local { name: name.to_owned(), tz: zone }
            }
            None => local_utc(),
        };
    }
    match named_zone(tz) {
        Some(zone) => Kind::Local { name: tz.to_owned(), tz: zone },
        None => local_utc(),
    }
}

/// jiff covers roughly years -9999..=9999; Go's instants reach much further.
/// Outside jiff's range the nearest representable instant's zone is used,
/// which is the zone's first or last rule, as Go would also use.
fn to_timestamp(unix: i64) -> Timestamp {
    Timestamp::from_second(unix).unwrap_or(if unix < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

fn tz_lookup(tz: &TimeZone, unix: i64) -> (String, i32) {
    let info = tz.to_offset_info(to_timestamp(unix));
    (info.abbreviation().to_owned(), info.offset().seconds())
}

/// The zones a tz-database location uses, from its transitions. The scan is
/// bounded because jiff keeps generating rule-based transitions forever;
/// every abbreviation in use appears well before 2100.
fn tz_zones(tz: &TimeZone) -> Vec<(String, i32)> {
    const SCAN_UNTIL_UNIX: i64 = 4_102_444_800; // 2100-01-01T00:00:00Z
    const MAX_TRANSITIONS: usize = 10_000;
    let mut zones = Vec::new();
    let mut add = |name: &str, offset: i32| {
        if !zones.iter().any(|(n, o)| n == name && *o == offset) {
            zones.push((name.to_owned(), offset));
        }
    };
    let first = tz.to_offset_info(Timestamp::MIN);
    add(first.abbreviation(), first.offset().seconds());
    for transition in tz.following(Timestamp::MIN).take(MAX_TRANSITIONS) {
        if transition.timestamp().as_second() > SCAN_UNTIL_UNIX {
            break;
        }
        add(transition.abbreviation(), transition.offset().seconds());
    }
    zones
}
