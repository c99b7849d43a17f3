//! The condition language: an implementation of expr-lang/expr v1.17.8 as Argo Rollouts uses
//! it for `successCondition` and `failureCondition`.
//!
//! # Model
//!
//! Argo compiles every condition against an environment *value* on every evaluation, so expr's
//! static type checker sees `result` with the Go type of its run-time value: a Prometheus
//! vector is `[]float64` and `result > 1` on it is a compile error, a JSON member is
//! `interface {}` and is only checked at run time, a null result is `nil` and may only be
//! compared with `==`. Compatibility depends on reproducing that split exactly, so this module
//! is a compiler, not an interpreter of strings:
//!
//! 1. [`lexer`] and [`parser`] turn the text into a syntax tree (once per [`Condition`]);
//! 2. the checker types the tree against the shape of `result` and lowers it to a program
//!    (once per shape, cached in the [`Condition`]);
//! 3. the evaluator runs the program against a value (once per measurement).
//!
//! Error texts are expr's (and Go's), because Argo stores them in measurement messages and
//! users search for them.
//!
//! # Limits
//!
//! Every input yields a compiled condition or an error: nesting is capped at
//! [`parser::MAX_DEPTH`], conditions at 64 KiB, expr's node (10,000) and memory (1,000,000
//! elements) budgets apply, strings are capped at 1 MB and loops at ten million iterations.

mod ast;
mod builtins;
mod checker;
mod condition;
mod env;
mod error;
mod eval;
mod fast;
mod fold;
mod ir;
mod lexer;
mod methods;
mod ops;
mod parser;
mod regex;
mod types;
mod value;
mod value_serde;

pub use condition::{Condition, EvalError, TimeExpression};
pub use error::{CompileError, CompileStage, RuntimeError, Span};
pub use value::{ElemType, List, Map, MapKey, MapKind, Value};
