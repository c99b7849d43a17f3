//! Errors of the condition language: where in the source, and what expr would say.

use std::fmt;

/// A byte range in a condition's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// 1-based line and column (in characters) of the span's start within `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        let upto = &source[..self.start.min(source.len())];
        let line = upto.matches('\n').count() + 1;
        let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

/// Which phase of compilation rejected a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileStage {
    /// The text is not a well-formed expression (lexer or parser).
    Syntax,
    /// The expression is well-formed but expr's static type checker rejects it.
    Type,
    /// A resource limit of Augur's (nesting depth, node count, source size).
    Limit,
}

/// A condition that does not compile. `message` is expr's own text (Argo strips the position
/// decoration, and so do we); `span` says where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CompileError {
    /// expr's message, e.g. `unknown name foo` or `unexpected token EOF`.
    pub message: String,
    /// Where in the source the problem is.
    pub span: Span,
    /// Syntax, type or limit.
    pub stage: CompileStage,
}

impl CompileError {
    pub(crate) fn new(stage: CompileStage, message: impl Into<String>, span: Span) -> Self {
        CompileError { message: message.into(), span, stage }
    }
}

/// A failure while evaluating a compiled condition (expr's run-time panics and errors).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct RuntimeError {
    /// The message as expr reports it, e.g. `cannot fetch y from <nil>`.
    pub message: String,
}

impl RuntimeError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        RuntimeError { message: message.into() }
    }
}

impl fmt::Display for CompileStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompileStage::Syntax => "syntax",
            CompileStage::Type => "type",
            CompileStage::Limit => "limit",
        })
    }
}
