//! Building a Prometheus provider from a metric: Argo's `NewPrometheusProvider` checks and
//! the request settings they produce.

use std::time::Duration;

use augur_analysis_core::spec::{OAuth2Config, PrometheusMetric};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::error::redact_url;
use crate::provider::ProviderError;

/// The environment variable Argo reads when `address` is empty.
pub const ADDRESS_ENV: &str = "ARGO_ROLLOUTS_PROMETHEUS_ADDRESS";

/// Argo's default deadline for a query when `timeout` is unset.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The validated settings of one Prometheus metric.
/// No `Debug`: the address may carry user-info and the headers credentials.
#[derive(Clone)]
pub(crate) struct Settings {
    /// The server address, as given.
    pub address: String,
    /// The address for messages (no user-info).
    pub shown_address: String,
    /// The whole call's deadline; zero means already expired (Argo's `timeout: 0`).
    pub deadline: Duration,
    /// Headers sent with every query: authentication, then the custom headers, which win.
    pub headers: HeaderMap,
    /// Client-credentials configuration, when set.
    pub oauth2: Option<OAuth2Config>,
}

fn config_error(message: impl Into<String>) -> ProviderError {
    ProviderError::Other(message.into())
}

impl Settings {
    /// Argo's construction checks, in Argo's order; `env` reads environment variables.
    pub fn new(cfg: &PrometheusMetric, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, ProviderError> {
        let address = if cfg.address.is_empty() { env(ADDRESS_ENV).unwrap_or_default() } else { cfg.address.clone() };
        if address.is_empty() {
            return Err(config_error("prometheus address is not configured"));
        }
        let url = reqwest::Url::parse(&address)
            .ok()
            .filter(|u| u.has_host())
            .ok_or_else(|| config_error("prometheus address is not is url format"))?;
        let auth = &cfg.authentication;
        let basic = &auth.basic_auth;
        if !basic.username.is_empty() || !basic.password.is_empty() {
            if basic.username.is_empty() {
                return Err(config_error("missing mandatory parameter in metric for basic auth setup: username"));
            }
            if basic.password.is_empty() {
                return Err(config_error("missing mandatory parameter in metric for basic auth setup: password"));
            }
        }
        let oauth2 = &auth.oauth2;
        if !oauth2.token_url.is_empty() && (oauth2.client_id.is_empty() || oauth2.client_secret.is_empty()) {
            return Err(config_error("missing mandatory parameter in metric for OAuth2 setup"));
        }
        let deadline = match cfg.timeout {
            Some(t) if t < 0 => return Err(config_error("prometheus timeout should not be negative")),
            Some(t) => Duration::from_secs(t.unsigned_abs()),
            None => DEFAULT_TIMEOUT,
        };
        if address.contains("aps-workspaces") && !auth.sigv4.is_empty() {
            return Err(config_error("sigv4 authentication is not supported by augur (see the README)"));
        }

        let mut headers = HeaderMap::new();
        if !basic.username.is_empty() {
            let pair = format!("{}:{}", basic.username, basic.password);
            headers.insert(AUTHORIZATION, secret_header(&format!("Basic {}", base64_std(pair.as_bytes())))?);
        }
        // Custom headers are the innermost layer: applied last, with "set" semantics.
        for h in &cfg.headers {
            let name = HeaderName::from_bytes(h.key.as_bytes())
                .map_err(|_| config_error(format!("invalid header name {:?} in prometheus headers", h.key)))?;
            let value = secret_header(&h.value)
                .map_err(|_| config_error(format!("invalid value for header {:?} in prometheus headers", h.key)))?;
            headers.insert(name, value);
        }
        Ok(Settings {
            shown_address: if url.username().is_empty() && url.password().is_none() {
                address.clone()
            } else {
                redact_url(&url)
            },
            address,
            deadline,
            headers,
            oauth2: (!oauth2.token_url.is_empty()).then(|| oauth2.clone()),
        })
    }
}

/// A header value marked sensitive, so that it is never printed by `Debug`.
fn secret_header(value: &str) -> Result<HeaderValue, ProviderError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| config_error("invalid header value"))?;
    v.set_sensitive(true);
    Ok(v)
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use augur_analysis_core::spec::WebMetricHeader;

    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn addr_only(a: &str) -> PrometheusMetric {
        PrometheusMetric { address: a.into(), ..Default::default() }
    }

    fn err(cfg: PrometheusMetric) -> String {
        Settings::new(&cfg, &no_env).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn construction_errors() {
        assert_eq!(err(PrometheusMetric::default()), "prometheus address is not configured");
        let addr = |a: &str| PrometheusMetric { address: a.into(), ..Default::default() };
        assert_eq!(err(addr("not a url")), "prometheus address is not is url format");
        let mut c = addr("http://p:9090");
        c.timeout = Some(-1);
        assert_eq!(err(c), "prometheus timeout should not be negative");
        let mut c = addr("http://p:9090");
        c.authentication.basic_auth.username = "u".into();
        assert_eq!(err(c), "missing mandatory parameter in metric for basic auth setup: password");
        let mut c = addr("http://p:9090");
        c.authentication.oauth2.token_url = "http://t".into();
        assert_eq!(err(c), "missing mandatory parameter in metric for OAuth2 setup");
        let from_env =
            Settings::new(&PrometheusMetric::default(), &|k| (k == ADDRESS_ENV).then(|| "http://e:1".into()));
        assert_eq!(from_env.ok().map(|s| s.address).as_deref(), Some("http://e:1"));
    }

    #[test]
    fn custom_headers_override_authentication() {
        let mut c = PrometheusMetric { address: "http://u:pw@p:9090".into(), ..Default::default() };
        c.authentication.basic_auth.username = "u".into();
        c.authentication.basic_auth.password = "pw".into();
        let s = Settings::new(&c, &no_env).ok().unwrap();
        assert_eq!(s.headers[AUTHORIZATION], "Basic dTpwdw==");
        assert_eq!(s.shown_address, "http://p:9090/");
        assert_eq!(
            Settings::new(&addr_only("http://q:1"), &no_env).ok().map(|s| s.shown_address).as_deref(),
            Some("http://q:1")
        );
        c.headers = vec![WebMetricHeader { key: "Authorization".into(), value: "Bearer x".into() }];
        assert_eq!(Settings::new(&c, &no_env).ok().unwrap().headers[AUTHORIZATION], "Bearer x");
    }
}
