//! Compiler-style rendering of errors that point into a source text.

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use augur_analysis_core::expr::CompileError;

/// Renders `error` within `source`, labelled with `origin` (a file or a field name).
pub fn render_compile_error(origin: &str, source: &str, error: &CompileError) -> String {
    let start = error.span.start.min(source.len());
    let end = error.span.end.clamp(start, source.len());
    let span = if start == end && !source.is_empty() {
        start.saturating_sub(1)..start.max(1).min(source.len())
    } else {
        start..end
    };
    let report = &[Level::ERROR.primary_title(&error.message).element(
        Snippet::source(source)
            .path(origin)
            .annotation(AnnotationKind::Primary.span(span).label(format!("{} error", error.stage))),
    )];
    Renderer::plain().render(report).to_string()
}
