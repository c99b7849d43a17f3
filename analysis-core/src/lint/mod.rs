//! `augur lint`: validation of AnalysisTemplates, ClusterAnalysisTemplates and AnalysisRuns
//! before they reach a cluster, with compiler-style locations.
//!
//! Errors are what Argo would reject (the validation of §2, placeholders that do not resolve,
//! conditions that can never compile for the provider's result type); warnings are Argo's traps
//! (§11): rules Argo applies faithfully that rarely do what their author meant. Every problem
//! of a file is reported, not only the first.

mod conditions;
mod metric;

use std::fmt;

use crate::spec::{Document, LoadError, Located, SourceMap, load_yaml};

pub use metric::suggestion;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Argo's behaviour is probably not what the author meant.
    Warning,
    /// Argo rejects this, or it can never work.
    Error,
}

/// One finding, located in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file (or other origin) it is in.
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field path (`spec.metrics[0].count`), or empty.
    pub path: String,
    /// What is wrong, and when it helps, what to do.
    pub message: String,
}

impl Diagnostic {
    /// A finding at the field `path` of a document (or its nearest located parent).
    pub fn at_path(severity: Severity, origin: &str, map: &SourceMap, path: &str, message: String) -> Diagnostic {
        let (line, column) = map.locate_or_parent(path).unwrap_or((1, 1));
        Diagnostic { severity, origin: origin.to_string(), line, column, path: path.to_string(), message }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}:{}: {level}: ", self.origin, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// Collects findings for one document.
pub(crate) struct Sink<'a> {
    origin: &'a str,
    map: &'a SourceMap,
    out: &'a mut Vec<Diagnostic>,
}

impl Sink<'_> {
    fn push(&mut self, severity: Severity, path: &str, at: Option<(usize, usize)>, message: String) {
        let mut d = Diagnostic::at_path(severity, self.origin, self.map, path, message);
        if let Some((line, column)) = at {
            (d.line, d.column) = (line, column);
        }
        self.out.push(d);
    }

    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>) {
        self.push(Severity::Error, path, None, message.into());
    }

    pub(crate) fn warning(&mut self, path: &str, message: impl Into<String>) {
        self.push(Severity::Warning, path, None, message.into());
    }

    /// A finding at an exact position (inside a condition).
    pub(crate) fn at(&mut self, severity: Severity, path: &str, at: (usize, usize), message: impl Into<String>) {
        self.push(severity, path, Some(at), message.into());
    }

    pub(crate) fn map(&self) -> &SourceMap {
        self.map
    }
}

/// A load error as an error finding.
pub fn from_load_error(e: LoadError) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        origin: e.origin,
        line: e.line,
        column: e.column,
        path: String::new(),
        message: e.message,
    }
}

/// Lints every document of a YAML stream. Kinds other than the analysis kinds are skipped
/// (other tools check Rollouts).
pub fn lint_text(origin: &str, text: &str) -> Vec<Diagnostic> {
    let docs = match load_yaml(origin, text) {
        Ok(d) => d,
        Err(e) => return vec![from_load_error(e)],
    };
    let mut out = Vec::new();
    for doc in docs {
        match doc.into_document() {
            Err(e) => out.push(from_load_error(e)),
            Ok(Document::AnalysisTemplate(t)) => lint_spec(&t, &t.value.spec, SpecKind::Template, &mut out),
            Ok(Document::ClusterAnalysisTemplate(t)) => lint_spec(&t, &t.value.spec, SpecKind::Template, &mut out),
            Ok(Document::AnalysisRun(r)) => {
                let spec = crate::spec::AnalysisTemplateSpec {
                    metrics: r.value.spec.metrics.clone(),
                    args: r.value.spec.args.clone(),
                    dry_run: r.value.spec.dry_run.clone(),
                    measurement_retention: r.value.spec.measurement_retention.clone(),
                    ..Default::default()
                };
                lint_spec(&r, &spec, SpecKind::Run, &mut out);
            }
            Ok(Document::Other { .. }) => {}
        }
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}

/// Whether the metrics belong to a template (arguments may come from the caller) or a run
/// (every argument must have a value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpecKind {
    Template,
    Run,
}

fn lint_spec<T>(doc: &Located<T>, spec: &crate::spec::AnalysisTemplateSpec, kind: SpecKind, out: &mut Vec<Diagnostic>) {
    let mut sink = Sink { origin: &doc.origin, map: &doc.source_map, out };
    metric::lint_spec(&mut sink, spec, kind);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(yaml: &str) -> Vec<String> {
        lint_text("t.yaml", yaml).iter().map(ToString::to_string).collect()
    }

    const HEADER: &str = "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: t\nspec:\n";

    #[test]
    fn clean_template() {
        let y = format!(
            "{HEADER}  args:\n  - name: svc\n  metrics:\n  - name: rate\n    interval: 1m\n    count: 3\n    successCondition: result[0] >= 0.95\n    provider:\n      prometheus:\n        address: http://prom:9090\n        query: sum(rate(x{{svc=\"{{{{args.svc}}}}\"}}[5m]))\n"
        );
        assert_eq!(lint(&y), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_reported() {
        let y = format!(
            "{HEADER}  metrics:\n  - name: a\n    count: 3\n    successCondition: reslt > 1\n    provider:\n      prometheus:\n        query: q\n  - name: a\n    interval: 5x\n    provider: {{}}\n"
        );
        let d = lint(&y);
        assert!(d.iter().any(|m| m.contains("t.yaml:9:23: error") && m.contains("unknown name reslt")), "{d:#?}");
        assert!(d.iter().any(|m| m.contains("interval must be specified when count > 1")), "{d:#?}");
        assert!(d.iter().any(|m| m.contains("duplicate name 'a'")), "{d:#?}");
        assert!(d.iter().any(|m| m.contains("invalid interval string")), "{d:#?}");
        assert!(d.iter().any(|m| m.contains("no provider specified")), "{d:#?}");
    }

    #[test]
    fn traps_are_warnings() {
        let y = format!(
            "{HEADER}  dryRun:\n  - metricName: '*'\n  metrics:\n  - name: a\n    successCondition: isNil(result) || result < 0.05\n    provider:\n      datadog:\n        query: q\n  - name: b\n    count: 2\n    interval: 1m\n    failureLimit: 2\n    provider:\n      web:\n        url: http://x\n"
        );
        let d = lint(&y);
        assert!(d.iter().any(|m| m.contains("error") && m.contains("dryRun[0]")), "{d:#?}");
        assert!(d.iter().any(|m| m.contains("warning") && m.contains("isNil")), "{d:#?}");
        assert!(
            d.iter().any(|m| m.contains("warning") && m.contains("neither successCondition nor failureCondition")),
            "{d:#?}"
        );
        assert!(d.iter().any(|m| m.contains("warning") && m.contains("can never fail")), "{d:#?}");
    }

    #[test]
    fn provider_configuration_errors() {
        let y = format!(
            "{HEADER}  args:
  - name: v
  metrics:
  - name: a
    provider:
      datadog:
        apiVersion: v3
        query: q
  - name: b
    provider:
      datadog:
        queries:
          x: q1
          y: q2
        apiVersion: v2
  - name: c
    provider:
      datadog:
        query: q
        apiVersion: '{{{{args.v}}}}'
  - name: d
    provider:
      web:
        url: http://x
        authentication:
          oauth2:
            tokenUrl: http://idp/token
"
        );
        let d = lint(&y);
        assert!(
            d.iter().any(|m| m.contains(
                "t.yaml:11:7: error: spec.metrics[0].provider.datadog: metrics[0]: Unsupported value: \"v3\""
            )),
            "{d:#?}"
        );
        assert!(
            d.iter().any(|m| m.contains("metrics[1]: When multiple queries are provided you must include a formula.")),
            "{d:#?}"
        );
        assert!(!d.iter().any(|m| m.contains("metrics[2].provider")), "{d:#?}");
        assert!(
            d.iter().any(|m| m.contains("metrics[3]: missing mandatory parameter in metric for OAuth2 setup")),
            "{d:#?}"
        );
    }

    #[test]
    fn a_job_without_a_deadline_is_a_trap() {
        let y = format!(
            "{HEADER}  metrics:\n  - name: smoke\n    provider:\n      job:\n        spec:\n          template:\n            spec:\n              containers: []\n"
        );
        let d = lint(&y);
        assert!(d.iter().any(|m| m.contains("t.yaml:9:7: warning") && m.contains("activeDeadlineSeconds")), "{d:#?}");
    }

    #[test]
    fn a_secret_in_a_prometheus_query_is_a_trap() {
        let y = format!(
            "{HEADER}  args:\n  - name: tenant-key\n    valueFrom:\n      secretKeyRef: {{name: s, key: k}}\n  metrics:\n  - name: a\n    successCondition: result[0] > 1\n    provider:\n      prometheus:\n        address: http://p:9090\n        query: up{{key=\"{{{{args.tenant-key}}}}\"}}\n"
        );
        let d = lint(&y);
        assert!(
            d.iter().any(|m| m.contains("t.yaml:16:9: warning") && m.contains("secret-backed argument 'tenant-key'")),
            "{d:#?}"
        );
    }
}
