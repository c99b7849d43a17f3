//! The Prometheus provider (semantics §9.1): one PromQL query per measurement, instant or
//! range, with Argo's request, deadline, authentication and result semantics.
//!
//! * **Request.** An instant query is `POST …/api/v1/query` with `query` and `time` (the
//!   measurement's time in Unix seconds with a fraction, as client_golang formats it); when
//!   the server answers 403, 405 or 501 the same parameters are sent again as a `GET`. A
//!   `rangeQuery` evaluates its `start` and `end` time expressions and `step` duration and
//!   sends `POST …/api/v1/query_range`. Requests go through `prometheus-http-query`'s raw
//!   methods: the crate's decoded results drop what Argo keeps (warnings, its error texts).
//! * **Deadline.** `timeout` seconds (30 when unset) bound the whole call, retries
//!   included; `timeout: 0` is an already expired deadline, so every query fails, exactly
//!   as in Argo.
//! * **Authentication.** Basic auth, OAuth2 client credentials (tokens cached until they
//!   expire) and custom headers (`X-Scope-OrgID`, `Authorization: Bearer …`), the custom
//!   headers applied last so that they win. SigV4 is not implemented: a metric that would
//!   use it is an Error measurement saying so.
//! * **Result.** A scalar is a float, a vector or matrix a list of floats (empty when there
//!   is no sample; NaN and ±Inf pass through); `value` is formatted as Argo formats it and
//!   server warnings land in the measurement's `warnings` metadata.

mod config;
mod response;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use augur_analysis_core::expr::TimeExpression;
use augur_analysis_core::go::duration::parse_duration;
use augur_analysis_core::go::gofmt::format_float;
use augur_analysis_core::spec::{Measurement, Metric, PrometheusMetric, PrometheusRangeQueryArgs};
use reqwest::header::{AUTHORIZATION, HeaderValue};

pub use config::ADDRESS_ENV;
use config::Settings;

use crate::answer::{Answer, complete_with};
use crate::error::{FetchError, FetchErrorKind};
use crate::provider::{Provider, ProviderError, RunContext};
use crate::shared::ProviderShared;

/// The provider type name (`Type()`), also its concurrency-limit key.
pub const TYPE_NAME: &str = "Prometheus";

/// A Prometheus provider for one metric (built per measurement, as in Argo).
pub struct PrometheusProvider {
    client: prometheus_http_query::Client,
    http: reqwest::Client,
    settings: Settings,
    query: String,
    range: Option<PrometheusRangeQueryArgs>,
    shared: Arc<ProviderShared>,
}

impl std::fmt::Debug for PrometheusProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrometheusProvider")
            .field("address", &self.settings.shown_address)
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

impl PrometheusProvider {
    /// Validates `cfg` as Argo's `NewPrometheusProvider` does and builds the provider.
    pub fn new(cfg: &PrometheusMetric, shared: Arc<ProviderShared>) -> Result<PrometheusProvider, ProviderError> {
        let settings = Settings::new(cfg, &*shared.env)?;
        let http = shared.http.client(cfg.insecure).clone();
        let client = prometheus_http_query::Client::from(http.clone(), &settings.address)
            .map_err(|_| ProviderError::Other("prometheus address is not is url format".into()))?;
        Ok(PrometheusProvider {
            client,
            http,
            settings,
            query: cfg.query.clone(),
            range: cfg.range_query.clone(),
            shared,
        })
    }

    /// What failed requests name: the query and the server.
    fn target(&self) -> String {
        let kind = if self.range.is_some() { "range query" } else { "query" };
        format!("{kind} {:?} at {}", self.query, self.settings.shown_address)
    }

    /// The answer for a measurement at `now`, within the deadline.
    pub async fn answer(&self, now: SystemTime) -> Answer {
        let result = if self.settings.deadline.is_zero() {
            Err(self.deadline_exceeded())
        } else {
            match tokio::time::timeout(self.settings.deadline, self.fetch(now)).await {
                Ok(r) => r,
                Err(_) => Err(self.deadline_exceeded()),
            }
        };
        result.unwrap_or_else(Answer::error)
    }

    fn deadline_exceeded(&self) -> FetchError {
        FetchError::new(FetchErrorKind::Timeout, "context deadline exceeded", self.target())
    }

    async fn fetch(&self, now: SystemTime) -> Result<Answer, FetchError> {
        let target = self.target();
        // Copied only when OAuth2 adds its header.
        let mut headers = Cow::Borrowed(&self.settings.headers);
        if let Some(oauth2) = &self.settings.oauth2 {
            let token = self.shared.tokens.token(&self.http, oauth2).await?;
            let mut bearer = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| FetchError::new(FetchErrorKind::Decode, "oauth2: invalid access token", target.clone()))?;
            bearer.set_sensitive(true);
            // OAuth2 is the outermost layer: a custom Authorization header still wins.
            headers.to_mut().entry(AUTHORIZATION).or_insert(bearer);
        }
        let response = match &self.range {
            None => {
                let query = headers
                    .iter()
                    .fold(self.client.query(&self.query).query("time", format_time(now)), |q, (name, value)| {
                        q.header(name.clone(), value.clone())
                    });
                let first = query.clone().post_raw().await.map_err(|e| transport(e, &target))?;
                if matches!(first.status().as_u16(), 403 | 405 | 501) {
                    query.get_raw().await.map_err(|e| transport(e, &target))?
                } else {
                    first
                }
            }
            Some(range) => {
                let (start, end, step) =
                    range_bounds(range, now).map_err(|m| FetchError::new(FetchErrorKind::Config, m, target.clone()))?;
                let query =
                    headers.iter().fold(self.client.query_range(&self.query, start, end, step), |q, (name, value)| {
                        q.header(name.clone(), value.clone())
                    });
                query.post_raw().await.map_err(|e| transport(e, &target))?
            }
        };
        let code = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| FetchError::from_transport(e, target.clone()))?;
        response::decode(code, &body, &target)
    }
}

/// A request that got no response. reqwest's own text names the URL, which may carry
/// user-info, so only its causes are kept (`error sending request: client error (Connect):
/// tcp connect error: Connection refused (os error 111)`).
fn transport(e: prometheus_http_query::Error, target: &str) -> FetchError {
    let cause = match &e {
        prometheus_http_query::Error::Client(c) => {
            std::error::Error::source(c).and_then(|s| s.downcast_ref::<reqwest::Error>())
        }
        _ => None,
    };
    match cause {
        Some(r) => {
            let kind = if r.is_timeout() { FetchErrorKind::Timeout } else { FetchErrorKind::Connect };
            let detail =
                std::error::Error::source(r).map(crate::error::error_chain).unwrap_or_else(|| "unknown cause".into());
            FetchError::new(kind, format!("error sending request: {detail}"), target)
        }
        None => FetchError::new(FetchErrorKind::Config, e.to_string(), target),
    }
}

/// client_golang's `formatTime`: Unix seconds with the fraction, shortest form.
fn format_time(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    };
    format_float(secs, 'f', -1)
}

/// Evaluates `rangeQuery` at `now`: whole Unix seconds for `start` and `end` (the client
/// library takes whole seconds; Argo sends the fraction too) and `step` in seconds.
fn range_bounds(range: &PrometheusRangeQueryArgs, now: SystemTime) -> Result<(i64, i64, f64), String> {
    let time = |src: &str, field: &str| {
        TimeExpression::new(src)
            .evaluate(now)
            .map(|nanos| i64::try_from(nanos.div_euclid(1_000_000_000)).unwrap_or(i64::MAX))
            .map_err(|e| format!("failed to parse rangeQuery.{field} as time: {e}"))
    };
    let start = time(&range.start, "start")?;
    let end = time(&range.end, "end")?;
    let step = parse_duration(&range.step).map_err(|e| format!("failed to parse rangeQuery.step as duration: {e}"))?;
    Ok((start, end, Duration::from_nanos(step.max(0).unsigned_abs()).as_secs_f64()))
}

#[async_trait]
impl Provider for PrometheusProvider {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn metadata(&self, _metric: &Metric) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        if !self.query.is_empty() {
            m.insert("ResolvedPrometheusQuery".to_string(), self.query.clone());
        }
        m
    }

    async fn run(&self, cx: &RunContext, metric: &Metric) -> Measurement {
        let answer = self.answer(cx.now).await;
        let conditions = self.shared.conditions.get(metric);
        complete_with(&conditions, cx, metric, answer, self.shared.recorder.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_formatted_as_client_golang_does() {
        assert_eq!(format_time(UNIX_EPOCH + Duration::from_millis(1_700_000_000_250)), "1700000000.25");
        assert_eq!(format_time(UNIX_EPOCH + Duration::from_secs(1_700_000_000)), "1700000000");
    }

    #[test]
    fn range_bounds_are_evaluated() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let r = PrometheusRangeQueryArgs {
            start: "now() - duration(\"1h\")".into(),
            end: "now()".into(),
            step: "1m".into(),
        };
        assert_eq!(range_bounds(&r, now), Ok((1_699_996_400, 1_700_000_000, 60.0)));
        let bad = PrometheusRangeQueryArgs { start: "1".into(), ..r.clone() };
        assert_eq!(
            range_bounds(&bad, now).unwrap_err(),
            "failed to parse rangeQuery.start as time: expected time.Time, but got int"
        );
        let bad = PrometheusRangeQueryArgs { step: "x".into(), ..r };
        assert!(range_bounds(&bad, now).unwrap_err().starts_with("failed to parse rangeQuery.step as duration: "));
    }
}
