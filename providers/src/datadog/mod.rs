//! The Datadog provider (Argo `metricproviders/datadog`, semantics §9.2): API v1
//! (`/api/v1/query`, the last point of the first series) and v2 (`/api/v2/query/scalar`,
//! `queries` + `formula`, `aggregator`; a float, or a list for grouped queries).
//!
//! * [`credentials`]: where the API and application keys come from (a Secret named by
//!   `secretRef`, or the environment, then the `datadog` Secret), exactly as Argo's code
//!   looks (not as its documentation says).
//! * Argo's construction checks of the metric, plus the CRD's enums, are
//!   [`DatadogMetric::check`] in analysis-core, shared with `augur lint`.
//! * `request` and `response`: the request Argo sends and how its answer is read.
//! * [`rate_limit`]: a `429` is retried within the measurement after the advised wait,
//!   within a bounded number of attempts and a bounded total wait.
//!
//! The CRD defaults (`apiVersion: v1`, `interval: 5m`, `requestTimeout: 10s`) are applied,
//! since Augur reads templates that never went through the Kubernetes API server.
//! The keys are sent only in the `DD-API-KEY` / `DD-APPLICATION-KEY` headers (marked
//! sensitive); every message is scrubbed of them, whatever Datadog's error body says.

pub mod credentials;
pub mod rate_limit;
mod request;
mod response;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use augur_analysis_core::go::duration::parse_duration;
use augur_analysis_core::spec::{DatadogMetric, Measurement, Metric};
use augur_analysis_core::template::{SecretResolver, redact};

pub use self::credentials::Credentials;
pub use self::rate_limit::RetryPolicy;
pub use self::request::DEFAULT_ADDRESS;
use crate::answer::{Answer, complete_with};
use crate::body::read_limited;
use crate::error::{FetchError, FetchErrorKind};
use crate::provider::{Provider, ProviderError, RunContext};
use crate::shared::ProviderShared;

/// Argo's provider type name.
pub const PROVIDER_TYPE: &str = "Datadog";

/// What a Datadog provider needs besides the metric: shared by every measurement.
#[derive(Clone)]
pub struct DatadogContext<'a> {
    /// The clients (Datadog always verifies certificates), recorder, conditions and the
    /// environment (`DD_API_KEY`, `DD_APP_KEY`, `DD_ADDRESS`, `POD_NAMESPACE`).
    pub shared: &'a Arc<ProviderShared>,
    /// Kubernetes Secrets, when Augur has cluster access.
    pub secrets: Option<&'a (dyn SecretResolver + Send + Sync)>,
    /// The 429 policy.
    pub retry: RetryPolicy,
}

/// A Datadog provider for one metric.
pub struct DatadogProvider {
    config: DatadogMetric,
    credentials: Credentials,
    client: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    shared: Arc<ProviderShared>,
}

impl std::fmt::Debug for DatadogProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatadogProvider")
            .field("config", &self.config)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl DatadogProvider {
    /// Builds the provider for `metric` of the run in `cx` (Argo `NewDatadogProvider`):
    /// finds the credentials, then checks the metric.
    pub fn new(cx: &RunContext, metric: &Metric, ctx: DatadogContext<'_>) -> Result<DatadogProvider, ProviderError> {
        let config = metric
            .provider
            .datadog
            .as_deref()
            .cloned()
            .ok_or_else(|| ProviderError::NoValidProvider { metric: metric.name.clone() })?;
        let secrets = ctx.secrets.map(|s| s as &dyn SecretResolver);
        let credentials = credentials::find(&config.secret_ref, &cx.namespace, secrets, &ctx.shared.env)
            .map_err(|e| FetchError::new(FetchErrorKind::Config, e.message, format!("looked in {}", e.looked)))?;
        let invalid = |message: String| {
            FetchError::new(FetchErrorKind::Config, message, format!("datadog provider of metric {:?}", metric.name))
        };
        config.check().map_err(invalid)?;
        let timeout_ns = parse_duration(config.request_timeout_or_default()).map_err(invalid)?;
        let timeout = Duration::from_nanos(u64::try_from(timeout_ns).unwrap_or(0));
        Ok(DatadogProvider {
            config,
            credentials,
            client: ctx.shared.http.client(false).clone(),
            timeout,
            retry: ctx.retry,
            shared: Arc::clone(ctx.shared),
        })
    }

    /// The answer and, for a null result, Argo's `value` text.
    async fn answer(&self, cx: &RunContext) -> (Answer, Option<String>) {
        let prepared = match request::prepare(&self.config, &self.credentials, cx.now) {
            Ok(p) => p,
            Err(e) => return (self.error(e), None),
        };
        let v2 = self.config.api_version_or_default() == "v2";
        let mut attempt = 1;
        let mut waited = Duration::ZERO;
        loop {
            let mut req = self
                .client
                .request(prepared.method.clone(), prepared.url.clone())
                .headers(prepared.headers.clone())
                .timeout(self.timeout);
            if let Some(body) = &prepared.body {
                req = req.body(body.clone());
            }
            let target = if attempt > 1 {
                format!("{}, attempt {attempt} after {}s of waiting on 429s", prepared.target, waited.as_secs())
            } else {
                prepared.target.clone()
            };
            let response = match req.send().await {
                Ok(r) => r,
                Err(e) => return (self.error(FetchError::from_transport(e, target)), None),
            };
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = match read_limited(response, &target).await {
                Ok(b) => b,
                Err(e) => return (self.error(e), None),
            };
            if status == 429 {
                let advised = rate_limit::advised_wait(&headers, cx.now + waited);
                if let Some(wait) = self.retry.next_wait(attempt, waited, advised) {
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    attempt += 1;
                    continue;
                }
            }
            if let Some(message) = response::status_error(status, &body) {
                return (self.error(FetchError::new(FetchErrorKind::Status(status), message, target)), None);
            }
            let read = if v2 { response::read_v2(&body) } else { response::read_v1(&body) };
            return match read {
                Ok(r) => (r.answer, r.empty_value),
                Err(message) => {
                    let kind = if message.starts_with("There were errors") {
                        FetchErrorKind::Query
                    } else {
                        FetchErrorKind::Decode
                    };
                    (self.error(FetchError::new(kind, message, target)), None)
                }
            };
        }
    }

    /// An error answer, with the keys scrubbed from it (Datadog's error body is quoted).
    fn error(&self, e: FetchError) -> Answer {
        Answer::error(redact(&e.to_string(), &self.credentials.secrets()))
    }
}

#[async_trait]
impl Provider for DatadogProvider {
    fn type_name(&self) -> &str {
        PROVIDER_TYPE
    }

    async fn run(&self, cx: &RunContext, metric: &Metric) -> Measurement {
        let (answer, empty_value) = self.answer(cx).await;
        let conditions = self.shared.conditions.get(metric);
        let mut m = complete_with(&conditions, cx, metric, answer, self.shared.recorder.as_deref());
        // A null result that the conditions accepted: Argo's value is the (empty) series.
        if let Some(v) = empty_value.filter(|_| !m.value.is_empty()) {
            m.value = v;
        }
        m
    }
}
