//! The Datadog request (Argo `createRequest`, semantics §9.2).
//!
//! * v1: `GET <address>/api/v1/query?from=<now-W>&query=<query>&to=<now>` (Unix seconds,
//!   parameters sorted by name, Go's query escaping).
//! * v2: `POST <address>/api/v2/query/scalar` with a `scalar_request` body (milliseconds);
//!   a single `query` is sent as the query named `query`; `aggregator` defaults to `last`.
//!
//! W is the whole seconds of `interval`, and now is the run's clock ([`RunContext::now`]).
//! Both carry `Content-Type: application/json`, `DD-API-KEY` and `DD-APPLICATION-KEY`.
//!
//! [`RunContext::now`]: crate::provider::RunContext::now

use std::collections::BTreeMap;
use std::time::SystemTime;

use augur_analysis_core::go::duration::parse_duration;
use augur_analysis_core::go::gofmt::quote;
use augur_analysis_core::spec::DatadogMetric;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Serialize;

use super::credentials::Credentials;
use crate::error::{FetchError, FetchErrorKind, redact_url};
use crate::form;

/// Datadog's API when no address is configured.
pub const DEFAULT_ADDRESS: &str = "https://api.datadoghq.com";

/// A prepared request: everything but the client.
#[derive(Debug)]
pub(super) struct Prepared {
    pub(super) method: reqwest::Method,
    pub(super) url: reqwest::Url,
    pub(super) headers: HeaderMap,
    pub(super) body: Option<Vec<u8>>,
    /// The query and endpoint, for messages (no keys, no user-info).
    pub(super) target: String,
}

/// Builds the request for `dd` (CRD defaults applied by the caller's accessors) at `now`.
pub(super) fn prepare(dd: &DatadogMetric, creds: &Credentials, now: SystemTime) -> Result<Prepared, FetchError> {
    let v2 = dd.api_version_or_default() == "v2";
    let address = if creds.address.is_empty() { DEFAULT_ADDRESS } else { creds.address.as_str() };
    let route = if v2 { "/api/v2/query/scalar" } else { "/api/v1/query" };
    let joined = format!("{address}{route}");
    let queries = queries(dd);
    let describe = |endpoint: &str| {
        if v2 {
            let formula =
                if dd.formula.is_empty() { String::new() } else { format!(" formula {}", quote(&dd.formula)) };
            let list: Vec<String> = queries.iter().map(|(n, q)| format!("{n}={}", quote(q))).collect();
            format!("queries {}{formula} at {endpoint}", list.join(", "))
        } else {
            format!("query {} at {endpoint}", quote(&dd.query))
        }
    };
    let config_error =
        |message: String, endpoint: &str| FetchError::new(FetchErrorKind::Config, message, describe(endpoint));
    let mut url = reqwest::Url::parse(&joined)
        .map_err(|e| config_error(format!("parse {}: {e}", quote(&joined)), "an invalid address"))?;
    let target = describe(&redact_url(&url));

    let interval = parse_duration(dd.interval_or_default()).map_err(|e| config_error(e, &redact_url(&url)))?;
    // Whole seconds, truncated (Go's int64(d.Seconds())).
    let window = interval / 1_000_000_000;
    let now = unix_seconds(now);
    let from = now - window;

    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, key) in [("DD-API-KEY", &creds.api_key), ("DD-APPLICATION-KEY", &creds.app_key)] {
        let mut value = HeaderValue::from_str(key).map_err(|_| {
            FetchError::new(
                FetchErrorKind::Config,
                format!("net/http: invalid header field value for {}", quote(name)),
                target.clone(),
            )
        })?;
        value.set_sensitive(true);
        headers.insert(name, value);
    }

    if !v2 {
        let (from, to) = (from.to_string(), now.to_string());
        let mut pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !matches!(k.as_ref(), "from" | "query" | "to"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.extend([("from".into(), from), ("query".into(), dd.query.clone()), ("to".into(), to)]);
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        url.set_query(Some(&form::encode(&borrowed)));
        return Ok(Prepared { method: reqwest::Method::GET, url, headers, body: None, target });
    }

    let aggregator = if dd.aggregator.is_empty() { "last" } else { dd.aggregator.as_str() };
    let body = ScalarRequest {
        data: ScalarQuery {
            attributes: Attributes {
                from: from * 1000,
                to: now * 1000,
                queries: queries
                    .iter()
                    .map(|(name, query)| QueryEntry { aggregator, data_source: "metrics", name, query })
                    .collect(),
                formulas: if dd.formula.is_empty() { Vec::new() } else { vec![Formula { formula: &dd.formula }] },
            },
            kind: "scalar_request",
        },
    };
    // Serializing these types cannot fail (strings and integers only).
    let body = serde_json::to_vec(&body).unwrap_or_default();
    Ok(Prepared { method: reqwest::Method::POST, url, headers, body: Some(body), target })
}

/// The v2 queries by name: `queries`, or the single `query` named `query`. (Go sends them in
/// map order, which is random; Augur sends them sorted by name.)
fn queries(dd: &DatadogMetric) -> BTreeMap<&str, &str> {
    if dd.query.is_empty() {
        dd.queries.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    } else {
        BTreeMap::from([("query", dd.query.as_str())])
    }
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

// The v2 body, field for field in the order of Argo's Go structs (`datadogRequest`).
// Strings are not HTML-escaped as Go's encoder would (`>` rather than `\u003e`): the JSON
// means the same.

#[derive(Serialize)]
struct ScalarRequest<'a> {
    data: ScalarQuery<'a>,
}

#[derive(Serialize)]
struct ScalarQuery<'a> {
    attributes: Attributes<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Attributes<'a> {
    from: i64,
    to: i64,
    queries: Vec<QueryEntry<'a>>,
    formulas: Vec<Formula<'a>>,
}

// Go marshals each query as a map[string]string: keys sorted.
#[derive(Serialize)]
struct QueryEntry<'a> {
    aggregator: &'a str,
    data_source: &'static str,
    name: &'a str,
    query: &'a str,
}

#[derive(Serialize)]
struct Formula<'a> {
    formula: &'a str,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn dd(json: serde_json::Value) -> DatadogMetric {
        serde_json::from_value(json).unwrap()
    }

    fn at() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[test]
    fn v1_request() {
        let creds = Credentials::new("", "api", "app");
        let p = prepare(&dd(serde_json::json!({"query": "avg:cpu{*}", "interval": "90.5s"})), &creds, at()).unwrap();
        assert_eq!(p.method, reqwest::Method::GET);
        assert_eq!(
            p.url.as_str(),
            "https://api.datadoghq.com/api/v1/query?from=1699999910&query=avg%3Acpu%7B%2A%7D&to=1700000000"
        );
        assert_eq!(p.headers["dd-api-key"], "api");
        assert!(p.headers["dd-application-key"].is_sensitive());
        assert_eq!(p.target, "query \"avg:cpu{*}\" at https://api.datadoghq.com/api/v1/query");
        assert!(p.body.is_none());
    }

    #[test]
    fn v2_request() {
        let creds = Credentials::new("http://127.0.0.1:9", "api", "app");
        let one = dd(serde_json::json!({"query": "sum:req{*}", "apiVersion": "v2"}));
        let p = prepare(&one, &creds, at()).unwrap();
        assert_eq!((p.method.as_str(), p.url.as_str()), ("POST", "http://127.0.0.1:9/api/v2/query/scalar"));
        assert_eq!(
            String::from_utf8(p.body.unwrap()).unwrap(),
            r#"{"data":{"attributes":{"from":1699999700000,"to":1700000000000,"queries":[{"aggregator":"last","data_source":"metrics","name":"query","query":"sum:req{*}"}],"formulas":[]},"type":"scalar_request"}}"#
        );
        let many = dd(
            serde_json::json!({"queries": {"b": "y", "a": "x"}, "formula": "a/b", "apiVersion": "v2", "aggregator": "avg", "interval": "1m"}),
        );
        let p = prepare(&many, &creds, at()).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&p.body.unwrap()).unwrap();
        assert_eq!(body["data"]["attributes"]["formulas"], serde_json::json!([{"formula": "a/b"}]));
        assert_eq!(body["data"]["attributes"]["queries"][0]["name"], "a");
        assert_eq!(body["data"]["attributes"]["from"], 1_699_999_940_000_i64);
        assert_eq!(p.target, "queries a=\"x\", b=\"y\" formula \"a/b\" at http://127.0.0.1:9/api/v2/query/scalar");
    }

    #[test]
    fn bad_interval_and_address() {
        let creds = Credentials::new("", "api", "app");
        let e = prepare(&dd(serde_json::json!({"query": "q", "interval": "5x"})), &creds, at()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "time: unknown unit \"x\" in duration \"5x\" (query \"q\" at https://api.datadoghq.com/api/v1/query)"
        );
        let bad = Credentials::new("not a url", "api", "app");
        let e = prepare(&dd(serde_json::json!({"query": "q"})), &bad, at()).unwrap_err();
        assert!(e.message.starts_with("parse \"not a url/api/v1/query\""), "{e}");
    }
}
