//! From templates to AnalysisRuns, as Argo Rollouts builds them (semantics §2 end, §3.1–§3.3,
//! §3.5 secrets), sans-I/O.
//!
//! ## The model
//!
//! A Rollout (or an Experiment) names templates; the controller turns them into one
//! `AnalysisRun` in four steps, each a function here:
//!
//! ```text
//! TemplateSet::collect(refs)      §3.1  references -> ordered, de-duplicated templates
//!   -> validate_template_for_rollout   §2    Rollout-side checks (indefinite metrics, args)
//! new_analysis_run(templates, ...)     §3.2  flatten: metrics, dryRun, measurementRetention, args
//!                                      §3.3  merge the caller's args, every arg must resolve
//!   -> the run is created; on every reconcile the analysis controller then
//! resolve_args_with_secrets(run, ..)   §3.5  read secrets, values to substitute, redaction list
//! ```
//!
//! * [`TemplateSet`] is an in-memory catalogue of `AnalysisTemplate`s (by namespace and name)
//!   and `ClusterAnalysisTemplate`s (by name), filled from any source — YAML files, a cluster
//!   informer. [`TemplateSet::collect`] resolves references exactly as Argo's
//!   `getAnalysisTemplatesFromRefs` does: in list order, nested `spec.templates` depth-first,
//!   duplicates removed per kind keeping the first occurrence.
//! * [`flatten_templates`], [`merge_args`], [`resolve_args`], [`merge_dry_run`] and
//!   [`merge_measurement_retention`] are Argo's `FlattenTemplates`, `MergeArgs`, `ResolveArgs`,
//!   `mergeDryRunMetrics` and `mergeMeasurementRetentionMetrics`; [`new_analysis_run`] is
//!   `NewAnalysisRunFromTemplates`, which chains them.
//! * [`validate_template_for_rollout`] is the Rollout controller's
//!   `ValidateAnalysisTemplateWithType`: what it rejects before a run is ever created.
//! * [`SecretResolver`] is the one piece of I/O: the caller implements it over its cluster
//!   client (or uses [`StaticSecrets`]); [`resolve_args_with_secrets`] returns the argument
//!   values to substitute and the secret values to [`redact`].
//!
//! Every error is a [`TemplateError`] whose message is Argo's, byte for byte, wherever Argo
//! has one. Argo's Rollout controller reports these texts as field errors on the Rollout
//! (`spec.strategy.canary.analysis.templates: Invalid value: "<value>": <message>`, shown in its
//! `InvalidSpec` condition): the not-found texts come from that validation pass, which runs
//! before run creation (run creation itself would return the lister's
//! `analysistemplate.argoproj.io "<n>" not found`); flattening and argument errors carry the
//! value `templateNames: [<t1> <t2>]`; the [`validate_template_for_rollout`] errors carry the
//! template's name.
//!
//! ## Deviations from Argo
//!
//! * **Reference cycles.** Argo follows nested references without cycle detection: a template
//!   that (directly or indirectly) references itself makes the controller recurse until the
//!   goroutine's stack overflows. Augur detects the cycle and fails with
//!   [`TemplateError::ReferenceCycle`] (`template reference cycle: a -> b -> a`), naming the
//!   chain of references from the caller's list down to the repeated template. Whenever Argo
//!   terminates, Augur returns the same result (a subtree already expanded is not walked
//!   again, which only skips templates Argo would de-duplicate away).
//! * **Validation works on copies.** Argo's `ValidateAnalysisTemplateWithType` writes its
//!   `dummy-value` placeholders into the argument and metric slices of the template objects it
//!   was given (the informer's cached objects); Augur never mutates its inputs.
//! * **Type metadata.** Argo's `NewAnalysisRunFromTemplates` leaves `apiVersion`/`kind` empty
//!   (the API server fills them in on create); [`new_analysis_run`] sets them so that the run
//!   serializes as a complete object.
//! * **Redaction** replaces every occurrence of every secret, merging overlapping occurrences
//!   into one `*****` (Argo replaces secret by secret in random map order, which can leave part
//!   of an overlapping secret in clear). On non-overlapping occurrences the result is Argo's.

mod collect;
mod flatten;
mod rollout;
mod secrets;

pub use collect::TemplateSet;
pub use flatten::{
    flatten_templates, merge_args, merge_dry_run, merge_measurement_retention, new_analysis_run, resolve_args,
};
pub use rollout::{AnalysisKind, DUMMY_VALUE, validate_template_for_rollout, validate_templates_for_rollout};
pub use secrets::{
    REDACTED, ResolvedArgs, SecretError, SecretResolver, StaticSecrets, redact, resolve_args_with_secrets,
};

use crate::spec::AnalysisTemplateRef;

/// Why templates could not be collected, flattened or turned into a run, or what the Rollout
/// controller rejects about a template. Messages are Argo's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A namespaced reference names no `AnalysisTemplate` in the namespace (Argo's Rollout
    /// validation message; Argo wraps it in a field error
    /// `<path>: Invalid value: "<name>": AnalysisTemplate '<name>' not found`).
    #[error("AnalysisTemplate '{0}' not found")]
    TemplateNotFound(String),
    /// A `clusterScope: true` reference names no `ClusterAnalysisTemplate`.
    #[error("ClusterAnalysisTemplate '{0}' not found")]
    ClusterTemplateNotFound(String),
    /// Nested references loop (Augur only: Argo recurses forever). `chain` runs from the
    /// caller's reference down to the second occurrence of the repeated template; a cluster
    /// template is shown as `<name> (cluster)`.
    #[error("template reference cycle: {}", chain_text(.chain))]
    ReferenceCycle {
        /// The references followed, ending with the one that closes the cycle.
        chain: Vec<AnalysisTemplateRef>,
    },
    /// Two metrics of the flattened templates share a name.
    #[error("two metrics have the same name '{0}'")]
    DuplicateMetric(String),
    /// Two template args share a name and both have (different) values.
    #[error("Argument `{name}` specified multiple times with different values: '{first}', '{second}'")]
    ConflictingArgument {
        /// The argument name.
        name: String,
        /// The value seen first.
        first: String,
        /// The value seen later.
        second: String,
    },
    /// Two dry-run rules have the same `metricName`.
    #[error("two Dry-Run metric rules have the same name '{0}'")]
    DuplicateDryRun(String),
    /// Two measurement-retention rules have the same `metricName`.
    #[error("two Measurement Retention metric rules have the same name '{0}'")]
    DuplicateMeasurementRetention(String),
    /// After merging, an argument has neither `value` nor `valueFrom`.
    #[error("args.{0} was not resolved")]
    UnresolvedArgument(String),
    /// Rollout validation (step/pre/post analysis): a template arg has both `value` and
    /// `valueFrom`.
    #[error("AnalysisTemplate {template}: arg '{arg}' has both Value and ValueFrom fields")]
    ValueAndValueFrom {
        /// The template's name.
        template: String,
        /// The argument's name.
        arg: String,
    },
    /// Rollout validation (step/pre/post analysis): substituting placeholders into a metric
    /// of the template failed (`failed to resolve {{...}}`, `Cannot find end tag=...`).
    #[error("AnalysisTemplate {template}: {message}")]
    MetricArguments {
        /// The template's name.
        template: String,
        /// The substitution error.
        message: String,
    },
    /// Rollout validation (step/pre/post analysis): a metric has an interval and no positive
    /// count, so it would never finish. `count` is Go's `%s` of the count: `<nil>` when unset.
    #[error(
        "AnalysisTemplate {template} has metric {metric} which runs indefinitely. Invalid value for count: {count}"
    )]
    RunsIndefinitely {
        /// The template's name.
        template: String,
        /// The metric's name (after placeholder substitution).
        metric: String,
        /// The count as Go prints it.
        count: String,
    },
    /// Rollout validation (background analysis): a template arg has no value and the Rollout's
    /// background analysis has no `args` at all.
    #[error("missing analysis arguments in rollout spec")]
    MissingRolloutArguments {
        /// The template's name (Argo's field-error value).
        template: String,
    },
    /// Rollout validation (background analysis): a template arg has no value and the Rollout
    /// does not supply it. Argo's message is the bare argument name.
    #[error("{arg}")]
    ArgumentNotSupplied {
        /// The template's name (Argo's field-error value).
        template: String,
        /// The argument's name.
        arg: String,
    },
}

fn chain_text(chain: &[AnalysisTemplateRef]) -> String {
    chain
        .iter()
        .map(|r| if r.cluster_scope { format!("{} (cluster)", r.template_name) } else { r.template_name.clone() })
        .collect::<Vec<_>>()
        .join(" -> ")
}
