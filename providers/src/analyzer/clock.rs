//! The driver's clock: wall-clock time derived from tokio's monotonic time.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// Maps tokio's [`Instant`] to [`SystemTime`]: `now = base + (tokio's now - anchor)`.
///
/// The engine works in `SystemTime` (Argo's timestamps) and the driver sleeps on tokio timers;
/// deriving one from the other keeps them consistent. Under `tokio::time::pause()` tokio's
/// time is virtual, so a run driven by an [`Analyzer`](super::Analyzer) with a clock made
/// inside the paused runtime is exact to the millisecond and takes no real time.
///
/// [`Clock::system`] follows real time from the moment it is made; being monotonic, it does
/// not follow later steps of the system clock (a controller restarted after an NTP step picks
/// the new time up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    base: SystemTime,
    anchor: Instant,
}

impl Clock {
    /// Real time: the system's current time, advancing with tokio's clock from now on.
    pub fn system() -> Clock {
        Clock::starting_at(SystemTime::now())
    }

    /// A clock that reads `base` now and advances with tokio's clock. Made inside a runtime
    /// with paused time, it gives exact virtual timestamps.
    pub fn starting_at(base: SystemTime) -> Clock {
        Clock { base, anchor: Instant::now() }
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        self.at(Instant::now())
    }

    /// The time this clock reads at tokio instant `instant` (`base` for instants before the
    /// clock was made).
    pub fn at(&self, instant: Instant) -> SystemTime {
        self.base + instant.saturating_duration_since(self.anchor)
    }

    /// The tokio instant at which this clock reads `t`; times before the clock was made map
    /// to the instant it was made (they are in the past either way).
    pub fn instant(&self, t: SystemTime) -> Instant {
        self.anchor + t.duration_since(self.base).unwrap_or(Duration::ZERO)
    }
}

impl Default for Clock {
    /// [`Clock::system`].
    fn default() -> Clock {
        Clock::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn follows_tokio_time() {
        let base = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        let clock = Clock::starting_at(base);
        assert_eq!(clock.now(), base);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(clock.now(), base + Duration::from_millis(1500));
        let later = base + Duration::from_secs(60);
        assert_eq!(clock.at(clock.instant(later)), later);
        assert_eq!(clock.instant(base - Duration::from_secs(5)), clock.instant(base));
    }
}
