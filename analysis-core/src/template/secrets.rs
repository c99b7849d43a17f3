//! Secret-backed arguments and redaction (`analysis/analysis.go` `resolveArgs` and the
//! measurement-message redaction; semantics §2 step 5, §3.5).

use std::collections::BTreeMap;

use crate::engine::args::{self, ArgValue};
use crate::go::gofmt::quote;
use crate::spec::{AnalysisRun, Metric};

/// What redacted secret values are replaced with.
pub const REDACTED: &str = "*****";

/// Reads one key of a Kubernetes Secret: the analysis controller's only I/O besides providers.
/// Implement it over a cluster client (map a 404 to [`SecretError::NotFound`]), or use
/// [`StaticSecrets`].
pub trait SecretResolver {
    /// The value of `key` in Secret `name` of `namespace` (Secret data is bytes; Argo converts
    /// them to a Go string as they are).
    fn get(&self, namespace: &str, name: &str, key: &str) -> Result<String, SecretError>;
}

/// Why a secret could not be read. Messages are the ones Argo records after
/// `Unable to resolve metric arguments: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The Secret does not exist: the Kubernetes API's NotFound error text.
    #[error("secrets {} not found", quote(.name))]
    NotFound {
        /// The Secret's name.
        name: String,
    },
    /// The Secret has no such key (Argo's own message).
    #[error("key '{key}' does not exist in secret '{secret}'")]
    KeyNotFound {
        /// The Secret's name.
        secret: String,
        /// The missing key.
        key: String,
    },
    /// Any other failure (forbidden, timeout, ...), with the client's message.
    #[error("{0}")]
    Other(String),
}

/// An in-memory [`SecretResolver`]: namespace → secret name → key → value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaticSecrets {
    secrets: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

impl StaticSecrets {
    /// No secrets.
    pub fn new() -> StaticSecrets {
        StaticSecrets::default()
    }

    /// Sets `key` of Secret `name` in `namespace` (creating the Secret).
    pub fn insert(
        &mut self,
        namespace: impl Into<String>,
        name: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> &mut StaticSecrets {
        self.secrets
            .entry(namespace.into())
            .or_default()
            .entry(name.into())
            .or_default()
            .insert(key.into(), value.into());
        self
    }

    /// Builder form of [`StaticSecrets::insert`].
    pub fn with(
        mut self,
        namespace: impl Into<String>,
        name: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> StaticSecrets {
        self.insert(namespace, name, key, value);
        self
    }

    /// Creates Secret `name` in `namespace` with no keys (lookups then fail with
    /// [`SecretError::KeyNotFound`] rather than [`SecretError::NotFound`]).
    pub fn insert_empty(&mut self, namespace: impl Into<String>, name: impl Into<String>) -> &mut StaticSecrets {
        self.secrets.entry(namespace.into()).or_default().entry(name.into()).or_default();
        self
    }
}

impl SecretResolver for StaticSecrets {
    fn get(&self, namespace: &str, name: &str, key: &str) -> Result<String, SecretError> {
        let secret = self
            .secrets
            .get(namespace)
            .and_then(|s| s.get(name))
            .ok_or_else(|| SecretError::NotFound { name: name.to_owned() })?;
        secret
            .get(key)
            .cloned()
            .ok_or_else(|| SecretError::KeyNotFound { secret: name.to_owned(), key: key.to_owned() })
    }
}

/// A run's argument values with secrets read, for the metrics measured in one reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedArgs {
    /// Every run argument's name and the value to substitute: the secret for a
    /// `secretKeyRef` argument (even when it also has a `value`), else its `value` (`None`
    /// when it has none, which substitution reports as `argument "<n>" was not supplied`).
    pub values: Vec<ArgValue>,
    /// The distinct secret values read, in argument order, for [`redact`]. (Argo keeps them in
    /// a map, so its order is random; redaction does not depend on it.)
    pub secrets: Vec<String>,
}

impl ResolvedArgs {
    /// The metric with every `{{args.x}}` replaced by its real value (`ResolveMetricArgs`).
    /// An error message never contains a secret value: it is [`ResolvedArgs::redact`]ed.
    pub fn resolve_metric(&self, metric: &Metric) -> Result<Metric, String> {
        args::resolve_metric(metric, &self.values).map_err(|e| self.redact(&e))
    }

    /// `text` with every secret value replaced by `*****`, and also each secret's Go-quoted and
    /// JSON-escaped forms (how a value appears inside the JSON text placeholders are
    /// substituted into), so that an error quoting that text leaks nothing either.
    pub fn redact(&self, text: &str) -> String {
        let mut forms = self.secrets.clone();
        for s in &self.secrets {
            let mut json = String::new();
            crate::go::json::write_string(&mut json, s);
            for quoted in [quote(s), json] {
                let inner = &quoted[1..quoted.len() - 1];
                if inner != s && !forms.iter().any(|f| f == inner) {
                    forms.push(inner.to_owned());
                }
            }
        }
        redact(text, &forms)
    }
}

/// `resolveArgs` without the substitution: reads every `secretKeyRef` argument of the run from
/// the run's namespace, in argument order, and returns the values to substitute and the
/// secrets to redact. The first failure is returned with Argo's text (`secrets "<n>" not
/// found`, `key '<k>' does not exist in secret '<s>'`), which the caller records as
/// `Unable to resolve metric arguments: <error>` ([`crate::engine::fail_arguments`]).
///
/// Argo reads the secrets on every reconcile that measures something, even when no metric
/// uses the argument. Resolve each measured metric with [`ResolvedArgs::resolve_metric`].
pub fn resolve_args_with_secrets(run: &AnalysisRun, secrets: &dyn SecretResolver) -> Result<ResolvedArgs, String> {
    let namespace = run.metadata.namespace.as_deref().unwrap_or("");
    let mut read: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut values = Vec::new();
    for arg in &run.spec.args {
        if let Some(r) = arg.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref()) {
            let value = secrets.get(namespace, &r.name, &r.key).map_err(|e| e.to_string())?;
            if !values.contains(&value) {
                values.push(value.clone());
            }
            read.insert((r.name.clone(), r.key.clone()), value);
        }
    }
    let arg_values =
        args::values_with_secrets(&run.spec.args, |name, key| read.get(&(name.to_owned(), key.to_owned())).cloned());
    Ok(ResolvedArgs { values: arg_values, secrets: values })
}

/// `text` with every occurrence of every non-empty secret replaced by `*****` (Argo's
/// redaction of measurement messages and log lines).
///
/// Occurrences that overlap — of one secret (`aa` in `aaa`) or of two — are merged and
/// replaced by a single `*****`, so no part of any occurrence survives; otherwise the result
/// is Argo's `strings.ReplaceAll` secret by secret (adjacent occurrences give one `*****`
/// each).
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        let mut from = 0;
        while let Some(i) = text[from..].find(s.as_str()) {
            let start = from + i;
            spans.push((start, start + s.len()));
            // Next candidate: one character further (overlapping occurrences count).
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut current: Option<(usize, usize)> = None;
    for (start, end) in spans {
        match current {
            Some((_, cur_end)) if start < cur_end => current = current.map(|(s, e)| (s, e.max(end))),
            _ => {
                if let Some((s, e)) = current {
                    out.push_str(&text[copied..s]);
                    out.push_str(REDACTED);
                    copied = e;
                }
                current = Some((start, end));
            }
        }
    }
    if let Some((s, e)) = current {
        out.push_str(&text[copied..s]);
        out.push_str(REDACTED);
        copied = e;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{AnalysisRunSpec, Argument, ObjectMeta, SecretKeyRef, ValueFrom};
    use proptest::prelude::*;

    fn arg(name: &str, value: Option<&str>) -> Argument {
        Argument { name: name.into(), value: value.map(Into::into), value_from: None }
    }

    fn secret_arg(name: &str, secret: &str, key: &str, value: Option<&str>) -> Argument {
        Argument {
            name: name.into(),
            value: value.map(Into::into),
            value_from: Some(ValueFrom {
                secret_key_ref: Some(SecretKeyRef { name: secret.into(), key: key.into() }),
                field_ref: None,
            }),
        }
    }

    fn run(namespace: &str, args: Vec<Argument>) -> AnalysisRun {
        AnalysisRun {
            metadata: ObjectMeta { name: Some("r".into()), namespace: Some(namespace.into()), ..ObjectMeta::default() },
            spec: AnalysisRunSpec { args, ..AnalysisRunSpec::default() },
            ..AnalysisRun::default()
        }
    }

    fn metric(json: serde_json::Value) -> Metric {
        serde_json::from_value(json).unwrap()
    }

    fn store() -> StaticSecrets {
        StaticSecrets::new().with("ns", "creds", "token", "s3cr3t-t0ken").with("ns", "creds", "user", "admin").with(
            "other",
            "creds",
            "token",
            "wrong-namespace",
        )
    }

    #[test]
    fn secrets_replace_values_and_are_listed() {
        let r = run(
            "ns",
            vec![
                arg("plain", Some("p")),
                secret_arg("token", "creds", "token", None),
                // The secret wins over a value (semantics §3.3).
                secret_arg("both", "creds", "user", Some("ignored")),
                secret_arg("again", "creds", "token", None),
                arg("missing", None),
            ],
        );
        let resolved = resolve_args_with_secrets(&r, &store()).unwrap();
        assert_eq!(
            resolved.values,
            vec![
                ("plain".to_string(), Some("p".to_string())),
                ("token".into(), Some("s3cr3t-t0ken".into())),
                ("both".into(), Some("admin".into())),
                ("again".into(), Some("s3cr3t-t0ken".into())),
                ("missing".into(), None),
            ]
        );
        assert_eq!(resolved.secrets, ["s3cr3t-t0ken", "admin"]);
    }

    #[test]
    fn secret_errors_have_argos_text() {
        let missing_secret = run("ns", vec![secret_arg("a", "nope", "token", None)]);
        assert_eq!(resolve_args_with_secrets(&missing_secret, &store()).unwrap_err(), "secrets \"nope\" not found");
        let missing_key = run("ns", vec![secret_arg("a", "creds", "password", None)]);
        assert_eq!(
            resolve_args_with_secrets(&missing_key, &store()).unwrap_err(),
            "key 'password' does not exist in secret 'creds'"
        );
        // Looked up in the run's namespace only.
        let elsewhere = run("third", vec![secret_arg("a", "creds", "token", None)]);
        assert_eq!(resolve_args_with_secrets(&elsewhere, &store()).unwrap_err(), "secrets \"creds\" not found");
        // The first failing argument in order is reported.
        let both = run("ns", vec![secret_arg("a", "creds", "password", None), secret_arg("b", "nope", "k", None)]);
        assert_eq!(
            resolve_args_with_secrets(&both, &store()).unwrap_err(),
            "key 'password' does not exist in secret 'creds'"
        );
        // An existing secret without the key.
        let mut empty = StaticSecrets::new();
        empty.insert_empty("ns", "e");
        assert_eq!(empty.get("ns", "e", "k").unwrap_err().to_string(), "key 'k' does not exist in secret 'e'");
        assert_eq!(SecretError::Other("forbidden".into()).to_string(), "forbidden");
    }

    #[test]
    fn run_without_secret_args_reads_nothing() {
        struct Panics;
        impl SecretResolver for Panics {
            fn get(&self, _: &str, _: &str, _: &str) -> Result<String, SecretError> {
                panic!("no secret should be read")
            }
        }
        let r = run("ns", vec![arg("a", Some("1"))]);
        let resolved = resolve_args_with_secrets(&r, &Panics).unwrap();
        assert_eq!(resolved.values, vec![("a".to_string(), Some("1".to_string()))]);
        assert!(resolved.secrets.is_empty());
    }

    #[test]
    fn resolve_metric_with_secrets() {
        let r = run("ns", vec![secret_arg("token", "creds", "token", None), arg("svc", Some("api"))]);
        let resolved = resolve_args_with_secrets(&r, &store()).unwrap();
        let m = metric(serde_json::json!({
            "name": "m",
            "provider": {"web": {"url": "https://x/{{args.svc}}", "headers": [{"key": "Authorization", "value": "Bearer {{ args.token }}"}]}}
        }));
        let out = resolved.resolve_metric(&m).unwrap();
        let web = out.provider.web.unwrap();
        assert_eq!(web.url, "https://x/api");
        assert_eq!(web.headers[0].value, "Bearer s3cr3t-t0ken");
    }

    #[test]
    fn substitution_errors_never_contain_secrets() {
        let secret = "hunter2-\"quoted\"";
        let secrets = StaticSecrets::new().with("ns", "db", "password", secret).with("ns", "db", "bell", "p\u{7}ss");
        let r = run(
            "ns",
            vec![
                secret_arg("password", "db", "password", None),
                secret_arg("bell", "db", "bell", None),
                arg("unset", None),
            ],
        );
        let resolved = resolve_args_with_secrets(&r, &secrets).unwrap();
        let web = |url: &str| metric(serde_json::json!({"name": "m", "provider": {"web": {"url": url}}}));
        let cases = [
            // An argument without a value.
            web("{{args.password}}"),
            // An unknown tag after a secret.
            web("{{args.password}}{{args.nope}}"),
            // A secret literally pasted into the metric next to an unterminated tag: the error
            // quotes the template text.
            web("user:hunter2-\"quoted\"@{{args.password"),
            // A control character Go escapes as \a, which breaks the JSON round trip.
            web("{{args.bell}}"),
        ];
        let mut only_set = resolved.clone();
        only_set.values.retain(|(n, _)| n != "unset");
        for (i, m) in cases.iter().enumerate() {
            let args = if i == 0 { &resolved } else { &only_set };
            let err = args.resolve_metric(m).unwrap_err();
            assert!(!err.contains(secret), "case {i}: {err}");
            assert!(!err.contains("hunter2-\\\"quoted\\\""), "case {i}: {err}");
            assert!(!err.contains("p\u{7}ss"), "case {i}: {err}");
            if i == 2 {
                assert!(err.starts_with("Cannot find end tag=\"}}\""), "{err}");
                assert!(err.contains(REDACTED), "{err}");
            }
        }
        assert_eq!(resolved.resolve_metric(&cases[0]).unwrap_err(), "argument \"unset\" was not supplied");
    }

    #[test]
    fn redact_cases() {
        let s = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(redact("token=abc; again abc", &s(&["abc"])), "token=*****; again *****");
        assert_eq!(redact("nothing here", &s(&["abc"])), "nothing here");
        // Empty secrets are ignored.
        assert_eq!(redact("abc", &s(&["", "b"])), "a*****c");
        assert_eq!(redact("", &s(&["x"])), "");
        // Adjacent occurrences: one mask each, as strings.ReplaceAll.
        assert_eq!(redact("abcabc", &s(&["abc"])), "**********");
        // Overlapping occurrences are merged.
        assert_eq!(redact("aaa", &s(&["aa"])), "*****");
        assert_eq!(redact("xabcdex", &s(&["abc", "cde"])), "x*****x");
        assert_eq!(redact("xabcdefx", &s(&["abc", "abcdef"])), "x*****x");
        assert_eq!(redact("xabcdefx", &s(&["abcdef", "abc"])), "x*****x");
        // Multi-byte characters.
        assert_eq!(redact("clé: ééé", &s(&["éé"])), "clé: *****");
        assert_eq!(redact("日本語の秘密", &s(&["秘密"])), "日本語の*****");
    }

    proptest! {
        #[test]
        fn redacted_text_never_contains_a_secret(
            text in "[ab\u{e9}x*]{0,40}",
            secrets in prop::collection::vec("[ab\u{e9}x]{1,4}", 0..4),
        ) {
            let out = redact(&text, &secrets);
            for s in &secrets {
                prop_assert!(!out.contains(s.as_str()), "{text:?} {secrets:?} -> {out:?}");
            }
            if secrets.is_empty() {
                prop_assert_eq!(out, text);
            }
        }

        #[test]
        fn secrets_embedded_anywhere_are_redacted(
            prefix in "\\PC{0,10}",
            secret in "[a-z0-9\"\\\\]{3,12}",
            suffix in "\\PC{0,10}",
        ) {
            let text = format!("{prefix}{secret}{suffix}");
            let out = ResolvedArgs { values: vec![], secrets: vec![secret.clone()] }.redact(&text);
            prop_assert!(!out.contains(secret.as_str()));
            prop_assert!(out.contains(REDACTED));
        }
    }
}
