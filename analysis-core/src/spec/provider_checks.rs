//! The configuration checks Argo's built-in providers make when they are built, shared by
//! the providers (an Error measurement) and `augur lint` (an error before the template is
//! applied).
//!
//! * Datadog: `validateIncomingProps`, plus the CRD's enums (`apiVersion`, `aggregator`),
//!   which the Kubernetes API server applies before Argo ever sees a template.
//! * Web: `NewWebMetricHttpClient`'s OAuth2 check.

use super::provider::{DatadogMetric, WebMetric};
use crate::go::duration::parse_duration;

/// The Datadog `apiVersion` values the CRD allows.
pub const DATADOG_API_VERSIONS: [&str; 2] = ["v1", "v2"];

/// The Datadog `aggregator` values the CRD allows.
pub const AGGREGATORS: [&str; 9] = ["avg", "min", "max", "sum", "last", "percentile", "mean", "l2norm", "area"];

impl WebMetric {
    /// Argo's construction error for an incomplete `authentication.oauth2`.
    pub fn check(&self) -> Result<(), String> {
        let oauth = &self.authentication.oauth2;
        if !oauth.token_url.is_empty() && (oauth.client_id.is_empty() || oauth.client_secret.is_empty()) {
            return Err("missing mandatory parameter in metric for OAuth2 setup".into());
        }
        Ok(())
    }
}

impl DatadogMetric {
    /// Argo's construction errors (with the CRD defaults applied), in Argo's order.
    pub fn check(&self) -> Result<(), String> {
        validate(self)
    }
}

fn validate(dd: &DatadogMetric) -> Result<(), String> {
    let version = dd.api_version_or_default();
    if !DATADOG_API_VERSIONS.contains(&version) {
        return Err(format!("Unsupported value: {version:?}: supported values: \"v1\", \"v2\" (datadog.apiVersion)"));
    }
    if !dd.aggregator.is_empty() && !AGGREGATORS.contains(&dd.aggregator.as_str()) {
        let allowed: Vec<String> = AGGREGATORS.iter().map(|a| format!("{a:?}")).collect();
        return Err(format!(
            "Unsupported value: {:?}: supported values: {} (datadog.aggregator)",
            dd.aggregator,
            allowed.join(", ")
        ));
    }
    if dd.query.is_empty() && dd.queries.is_empty() {
        return Err("Must have either a query or queries. Please review the Analysis Template.".into());
    }
    if !dd.query.is_empty() && !dd.queries.is_empty() {
        return Err("Cannot have both a query and queries. Please review the Analysis Template.".into());
    }
    if version == "v1" && dd.query.is_empty() {
        return Err(
            "Query is empty. API Version v1 only supports using the query parameter in your Analysis Template.".into(),
        );
    }
    if !dd.formula.is_empty() && dd.queries.is_empty() {
        return Err("Formula are only valid when queries are set. Please review the Analysis Template.".into());
    }
    if dd.formula.is_empty() && dd.queries.len() > 1 {
        return Err("When multiple queries are provided you must include a formula.".into());
    }
    if version == "v1" && !dd.aggregator.is_empty() {
        return Err("Aggregator is not supported in v1. Please review the Analysis Template.".into());
    }
    if !dd.request_timeout.is_empty() {
        let ns = parse_duration(&dd.request_timeout)
            .map_err(|e| format!("Could not parse the request timeout: {e}. Please review the Analysis Template."))?;
        if ns <= 0 {
            return Err(
                "Request timeout must be a positive duration (e.g. 30s). Please review the Analysis Template.".into()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn dd(json: serde_json::Value) -> DatadogMetric {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn argo_checks() {
        let err = |j| dd(j).check().unwrap_err();
        assert!(dd(serde_json::json!({"query": "q"})).check().is_ok());
        assert!(err(serde_json::json!({})).starts_with("Must have either a query or queries."));
        assert!(
            err(serde_json::json!({"query": "q", "queries": {"a": "b"}, "apiVersion": "v2"}))
                .starts_with("Cannot have both a query and queries.")
        );
        assert!(err(serde_json::json!({"queries": {"a": "b"}})).starts_with("Query is empty. API Version v1"));
        assert!(
            err(serde_json::json!({"query": "q", "formula": "a", "apiVersion": "v2"}))
                .starts_with("Formula are only valid when queries are set.")
        );
        assert_eq!(
            err(serde_json::json!({"queries": {"a": "x", "b": "y"}, "apiVersion": "v2"})),
            "When multiple queries are provided you must include a formula."
        );
        assert!(
            err(serde_json::json!({"query": "q", "aggregator": "avg"}))
                .starts_with("Aggregator is not supported in v1.")
        );
        assert_eq!(
            err(serde_json::json!({"query": "q", "requestTimeout": "5x"})),
            "Could not parse the request timeout: time: unknown unit \"x\" in duration \"5x\". Please review the Analysis Template."
        );
        assert!(
            err(serde_json::json!({"query": "q", "requestTimeout": "0s"}))
                .starts_with("Request timeout must be a positive")
        );
        assert_eq!(
            err(serde_json::json!({"query": "q", "apiVersion": "v3"})),
            "Unsupported value: \"v3\": supported values: \"v1\", \"v2\" (datadog.apiVersion)"
        );
        assert!(
            err(serde_json::json!({"query": "q", "apiVersion": "v2", "aggregator": "median"}))
                .starts_with("Unsupported value: \"median\"")
        );
        let ok = DatadogMetric {
            queries: BTreeMap::from([("a".into(), "x".into())]),
            api_version: "v2".into(),
            ..Default::default()
        };
        assert!(ok.check().is_ok());
    }

    #[test]
    fn web_oauth2() {
        let mut web = WebMetric::default();
        assert!(web.check().is_ok());
        web.authentication.oauth2.token_url = "https://idp/token".into();
        assert_eq!(web.check().unwrap_err(), "missing mandatory parameter in metric for OAuth2 setup");
        web.authentication.oauth2.client_id = "id".into();
        web.authentication.oauth2.client_secret = "s".into();
        assert!(web.check().is_ok());
    }
}
