//! The web provider (Argo's `webmetric`, semantics §9.3): one HTTP request per measurement,
//! whose JSON answer, narrowed by `jsonPath`, is the result.
//!
//! * [`WebProvider::new`] checks what Argo checks when it builds the provider (the `jsonPath`
//!   template, an incomplete `authentication.oauth2`).
//! * `request` builds the request: method, URL, headers with "set" semantics, `body` or
//!   `jsonBody`, the client timeout (`timeoutSeconds`, 10 s when ≤ 0) covering the whole
//!   exchange, and an OAuth2 client-credentials token when configured (the shared
//!   [`TokenCache`]).
//! * `response` turns the answer into an [`Answer`]: a status outside 2xx is an error, a body
//!   that is not one JSON document is the result as a string, otherwise the first value the
//!   `jsonPath` selects ([`jsonpath`]).
//!
//! The answer goes through [`complete_with`], so conditions are applied exactly as `augur replay`
//! applies them. Failures are [`FetchError`]s: Argo's text plus the method and URL (without
//! user-info); header values (tokens) never appear in a message.

pub mod jsonpath;
mod request;
mod response;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use augur_analysis_core::spec::{Measurement, Metric, WebMetric};

use self::jsonpath::JsonPathTemplate;
use crate::answer::{Answer, complete_with};
use crate::error::{FetchError, FetchErrorKind};
use crate::provider::{Provider, ProviderError, RunContext};
use crate::shared::ProviderShared;

/// Argo's provider type name.
pub const PROVIDER_TYPE: &str = "Web";

/// A web provider for one metric.
pub struct WebProvider {
    config: WebMetric,
    json_path: JsonPathTemplate,
    client: reqwest::Client,
    shared: Arc<ProviderShared>,
}

impl std::fmt::Debug for WebProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration may hold secrets (headers, OAuth2 client secret).
        f.debug_struct("WebProvider").field("url", &self.config.url).finish_non_exhaustive()
    }
}

impl WebProvider {
    /// Builds the provider for `metric` (which must have a `web` provider), as Argo's
    /// `NewWebMetricHttpClient` and `NewWebMetricJsonParser` do.
    pub fn new(metric: &Metric, shared: Arc<ProviderShared>) -> Result<WebProvider, ProviderError> {
        let config = metric
            .provider
            .web
            .as_deref()
            .cloned()
            .ok_or_else(|| ProviderError::NoValidProvider { metric: metric.name.clone() })?;
        config.check().map_err(|e| {
            FetchError::new(
                FetchErrorKind::Config,
                e,
                "authentication.oauth2 needs clientId and clientSecret with tokenUrl",
            )
        })?;
        let path = config.json_path_or_default();
        let json_path = JsonPathTemplate::parse(path)
            .map_err(|e| FetchError::new(FetchErrorKind::Config, e.to_string(), format!("jsonPath {path:?}")))?;
        Ok(WebProvider { client: shared.http.client(config.insecure).clone(), config, json_path, shared })
    }

    /// The client timeout (`timeoutSeconds`, 10 s when ≤ 0).
    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_seconds_or_default().unsigned_abs())
    }

    async fn answer(&self) -> Answer {
        match request::send(&self.client, &self.config, self.timeout(), &self.shared.tokens).await {
            Ok(sent) => response::answer(sent, &self.json_path).await,
            Err(e) => Answer::error(e),
        }
    }
}

#[async_trait]
impl Provider for WebProvider {
    fn type_name(&self) -> &str {
        PROVIDER_TYPE
    }

    async fn run(&self, cx: &RunContext, metric: &Metric) -> Measurement {
        let answer = self.answer().await;
        let conditions = self.shared.conditions.get(metric);
        complete_with(&conditions, cx, metric, answer, self.shared.recorder.as_deref())
    }
}
