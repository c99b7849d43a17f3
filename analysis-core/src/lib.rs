//! # augur-analysis-core
//!
//! The decision engine of Argo Rollouts' analysis, as a pure Rust library: it reads
//! `AnalysisTemplate`s, evaluates `successCondition` / `failureCondition` in the expr language,
//! and decides, measurement by measurement, whether a metric and a run are Successful, Failed,
//! Inconclusive or Error.
//!
//! ## Design
//!
//! * **Compatibility first.** Every rule follows Argo Rollouts' Go code (and expr-lang/expr
//!   v1.17.8 for conditions), including the rules that surprise people; `augur lint` warns
//!   about those instead of changing them. Error messages are Argo's, because users paste
//!   them into search engines.
//! * **Sans-I/O.** Nothing here reads a clock, a file or the network. The current time is a
//!   parameter ([`std::time::SystemTime`]), provider results are values, and everything that
//!   talks to the world lives in other crates behind traits. That makes the engine exact under
//!   test, replayable from recorded data, and embeddable in any controller.
//! * **Compile once.** A [`expr::Condition`] parses once and type-checks once per result
//!   shape; evaluating it is a walk over a small typed program.
//!
//! ## Modules
//!
//! * [`expr`]: the condition language (lexer, parser, static type checker, evaluator).
//! * [`measurement`]: a measurement's phase from its result and the two conditions.
//! * [`go`]: Go's formatting and time semantics that Argo's output depends on (durations,
//!   time layouts, float and string formatting, JSON encoding).

#![deny(missing_docs)]

pub mod expr;
pub mod go;
pub mod lint;
pub mod measurement;
pub mod phase;
pub mod replay;
pub mod result_type;

pub use expr::{CompileError, Condition, EvalError, Value};
pub use measurement::{ConditionError, Conditions, evaluate_measurement};
pub use phase::Phase;
pub use result_type::ResultType;

pub mod engine;
pub mod spec;
pub mod template;
