//! What the Datadog provider does with `429 Too Many Requests` (Augur only: Argo records the
//! 429 as an Error measurement at once and retries 10 s later like any error).
//!
//! Datadog rate-limits per organisation and says when to come back: `Retry-After` (seconds,
//! or an HTTP date) or `X-RateLimit-Reset` (seconds until the window resets). Within one
//! measurement the provider waits that long and asks again, at most
//! [`RetryPolicy::max_attempts`] requests in all and at most [`RetryPolicy::max_total_wait`]
//! of waiting in all. When the advised wait does not fit in what is left of that budget, or
//! the attempts are used up, the 429 becomes the measurement's Error with Argo's text
//! (`received non 2xx response code: 429 <body>`), and Argo's 10-second error retry follows.
//! A 429 without either header is retried after one second.
//!
//! The driver's per-call timeout ([`AnalyzerOptions::call_timeout`], 30 s by default) still
//! bounds the whole measurement.
//!
//! [`AnalyzerOptions::call_timeout`]: crate::analyzer::AnalyzerOptions::call_timeout

use std::time::{Duration, SystemTime};

use augur_analysis_core::go::time;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How often and how long to retry a rate-limited request within one measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests per measurement, the first included (default 3; 1 disables retries).
    pub max_attempts: u32,
    /// Total time spent waiting between them (default 10 s).
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy { max_attempts: 3, max_total_wait: Duration::from_secs(10) }
    }
}

/// The wait when a 429 carries no advice.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(1);

/// Go's `http.TimeFormat`, the HTTP date layout.
const HTTP_DATE: &str = "Mon, 02 Jan 2006 15:04:05 GMT";

/// How long the server asks to wait, from `Retry-After` (delta seconds or an HTTP date,
/// relative to `now`) or else `X-RateLimit-Reset` (seconds); `None` when neither parses.
pub fn advised_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(v) = text(RETRY_AFTER.as_str()) {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = time::parse(HTTP_DATE, v) {
            let now_secs = now.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            let at = u64::try_from(at.unix()).unwrap_or(0);
            return Some(Duration::from_secs(at.saturating_sub(now_secs)));
        }
    }
    text("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok()).map(Duration::from_secs)
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` after a 429 on attempt `attempt` (1-based), given
    /// the time already waited; `None`: give up.
    pub fn next_wait(&self, attempt: u32, waited: Duration, advised: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = advised.unwrap_or(DEFAULT_WAIT);
        (waited + wait <= self.max_total_wait).then_some(wait)
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (reqwest::header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn advice() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(advised_wait(&headers(&[("retry-after", "2")]), now), Some(Duration::from_secs(2)));
        // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT.
        let date = headers(&[("retry-after", "Tue, 14 Nov 2023 22:13:25 GMT")]);
        assert_eq!(advised_wait(&date, now), Some(Duration::from_secs(5)));
        assert_eq!(advised_wait(&headers(&[("x-ratelimit-reset", "7")]), now), Some(Duration::from_secs(7)));
        assert_eq!(advised_wait(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(advised_wait(&HeaderMap::new(), now), None);
    }

    #[test]
    fn budget() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_wait(1, Duration::ZERO, Some(Duration::from_secs(4))), Some(Duration::from_secs(4)));
        assert_eq!(p.next_wait(2, Duration::from_secs(4), None), Some(DEFAULT_WAIT));
        assert_eq!(p.next_wait(3, Duration::ZERO, None), None);
        assert_eq!(p.next_wait(1, Duration::ZERO, Some(Duration::from_secs(60))), None);
        assert_eq!(p.next_wait(2, Duration::from_secs(8), Some(Duration::from_secs(3))), None);
    }
}
