//! The phase of one measurement from its result and the metric's two conditions (Argo's
//! `EvaluateResult`, semantics §5).

use std::time::SystemTime;

use crate::expr::{Condition, EvalError, Value};
use crate::phase::Phase;

/// Which of a metric's conditions failed to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKind {
    /// `successCondition`.
    Success,
    /// `failureCondition`.
    Failure,
}

impl ConditionKind {
    /// The field name, as messages spell it.
    pub fn field(self) -> &'static str {
        match self {
            ConditionKind::Success => "successCondition",
            ConditionKind::Failure => "failureCondition",
        }
    }
}

/// A condition that could not be evaluated, which makes the measurement an Error. The
/// `Display` text is Argo's measurement message:
/// `could not evaluate successCondition "<expr>": <detail>`, where the detail is replaced by
/// the no-data text when the result is null or an empty list.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("could not evaluate {} \"{expression}\": {}", .condition.field(), self.detail())]
pub struct ConditionError {
    /// Which condition.
    pub condition: ConditionKind,
    /// Its text.
    pub expression: String,
    /// What went wrong.
    pub error: EvalError,
    /// Whether `result` was null or an empty list, in which case Argo reports that instead.
    pub no_data: bool,
}

/// Argo's replacement detail for a null or empty result.
pub const NO_DATA_MESSAGE: &str = "metric result is nil or empty: no data returned from the metric provider";

impl ConditionError {
    /// The detail Argo reports after the colon.
    pub fn detail(&self) -> String {
        if self.no_data { NO_DATA_MESSAGE.to_string() } else { self.error.to_string() }
    }
}

/// Argo's `isNilOrEmpty`: null, or a list of length zero (an empty string or object is not).
pub fn is_nil_or_empty(result: &Value) -> bool {
    match result {
        Value::Nil => true,
        Value::List(l) => l.items.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        _ => false,
    }
}

/// Decides a measurement's phase. `None` (or an empty string, which the caller should map to
/// `None`) means the condition is not set. `now` is what `now()` returns in the conditions.
///
/// * neither set: Successful;
/// * success only: Successful when true, else Failed;
/// * failure only: Failed when true, else Successful;
/// * both: Failed when the failure condition holds (even if success holds too), Successful
///   when only success holds, Inconclusive when neither does.
///
/// A condition that cannot be evaluated makes the measurement an Error (`Err`); the success
/// condition is evaluated first and its error wins.
pub fn evaluate_measurement(
    success: Option<&Condition>,
    failure: Option<&Condition>,
    result: &Value,
    now: SystemTime,
) -> Result<Phase, ConditionError> {
    let run = |c: &Condition, kind: ConditionKind| {
        c.evaluate(result, now).map_err(|error| ConditionError {
            condition: kind,
            expression: c.source().to_string(),
            error,
            no_data: is_nil_or_empty(result),
        })
    };
    let s = success.map(|c| run(c, ConditionKind::Success)).transpose()?;
    let f = failure.map(|c| run(c, ConditionKind::Failure)).transpose()?;
    let (s, f) = match (s, f) {
        (None, None) => return Ok(Phase::Successful),
        (Some(s), None) => (s, !s),
        (None, Some(f)) => (!f, f),
        (Some(s), Some(f)) => (s, f),
    };
    Ok(if f {
        Phase::Failed
    } else if s {
        Phase::Successful
    } else {
        Phase::Inconclusive
    })
}

/// A metric's two conditions, compiled once.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// `successCondition`, when set.
    pub success: Option<Condition>,
    /// `failureCondition`, when set.
    pub failure: Option<Condition>,
}

impl Conditions {
    /// Compiles the two condition fields; an empty string means "not set".
    pub fn new(success: &str, failure: &str) -> Conditions {
        let compile = |s: &str| (!s.is_empty()).then(|| Condition::new(s));
        Conditions { success: compile(success), failure: compile(failure) }
    }

    /// [`evaluate_measurement`] with these conditions.
    pub fn evaluate(&self, result: &Value, now: SystemTime) -> Result<Phase, ConditionError> {
        evaluate_measurement(self.success.as_ref(), self.failure.as_ref(), result, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH
    }

    #[test]
    fn decision_table() {
        let t = Value::Bool(true);
        assert_eq!(Conditions::new("", "").evaluate(&t, now()), Ok(Phase::Successful));
        assert_eq!(Conditions::new("true", "true").evaluate(&t, now()), Ok(Phase::Failed));
        assert_eq!(Conditions::new("false", "false").evaluate(&t, now()), Ok(Phase::Inconclusive));
        assert_eq!(Conditions::new("false", "").evaluate(&t, now()), Ok(Phase::Failed));
        assert_eq!(Conditions::new("", "false").evaluate(&t, now()), Ok(Phase::Successful));
    }

    #[test]
    fn messages() {
        let e = Conditions::new("result[0] >= 0.95", "").evaluate(&Value::Nil, now()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "could not evaluate successCondition \"result[0] >= 0.95\": metric result is nil or empty: no data returned from the metric provider"
        );
        let e = Conditions::new("true", "invalidVar == true").evaluate(&Value::Bool(true), now()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "could not evaluate failureCondition \"invalidVar == true\": unknown name invalidVar"
        );
    }
}
