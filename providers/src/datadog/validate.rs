//! The Datadog metric checks Argo makes when it builds the provider
//! (`validateIncomingProps`), plus the CRD's enum checks (`apiVersion`, `aggregator`) that the
//! Kubernetes API server would apply to the template before Argo ever saw it.

use augur_analysis_core::go::duration::parse_duration;
use augur_analysis_core::spec::DatadogMetric;

/// The `apiVersion` values the CRD allows.
pub const API_VERSIONS: [&str; 2] = ["v1", "v2"];

/// The `aggregator` values the CRD allows.
pub const AGGREGATORS: [&str; 9] = ["avg", "min", "max", "sum", "last", "percentile", "mean", "l2norm", "area"];

/// Argo's construction errors for `dd` (with the CRD defaults applied), in Argo's order.
pub fn validate(dd: &DatadogMetric) -> Result<(), String> {
    let version = dd.api_version_or_default();
    if !API_VERSIONS.contains(&version) {
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
        let err = |j| validate(&dd(j)).unwrap_err();
        assert!(validate(&dd(serde_json::json!({"query": "q"}))).is_ok());
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
        assert!(validate(&ok).is_ok());
    }
}
