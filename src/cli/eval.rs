//! `augur eval`: a condition against a sample result, with Argo's phase and message.

use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::{Context, bail};
use augur_analysis_core::expr::{EvalError, Value};
use augur_analysis_core::measurement::ConditionKind;
use augur_analysis_core::{Conditions, Phase, ResultType};
use clap::{Args, ValueEnum};

use super::diagnostics::render_compile_error;

#[derive(Args)]
pub struct EvalArgs {
    /// The successCondition (omit to leave it unset).
    #[arg(long, value_name = "EXPR")]
    success: Option<String>,
    /// The failureCondition (omit to leave it unset).
    #[arg(long, value_name = "EXPR")]
    failure: Option<String>,
    /// The provider result as JSON, e.g. `[0.97]` or `{"status":"ok"}`. `NaN`, `Inf`, `+Inf`
    /// and `-Inf` are accepted as numbers.
    #[arg(long, value_name = "JSON")]
    result: String,
    /// How the provider types the result; inferred from the JSON when omitted (a number is
    /// `number`, a list of numbers `number_list`, objects and mixed lists `json`).
    #[arg(long, value_name = "TYPE", value_parser = clap::builder::PossibleValuesParser::new(["number", "number_list", "json", "string", "bool", "null", "int"]))]
    result_type: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    Text,
    Json,
}

/// Parses `--result` according to `--result-type`.
fn parse_result(text: &str, result_type: Option<ResultType>) -> anyhow::Result<Value> {
    let special = match text.trim() {
        "NaN" | "nan" => Some(f64::NAN),
        "Inf" | "+Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    };
    let generic: Value = match (special, result_type) {
        (Some(f), _) => Value::Float(f),
        // A raw (non-JSON) web body is a string as it stands.
        (None, Some(ResultType::String)) => {
            serde_json::from_str::<String>(text).map_or_else(|_| Value::string(text), Value::string)
        }
        (None, _) => serde_json::from_str(text).with_context(|| format!("--result is not valid JSON: {text}"))?,
    };
    let result_type = result_type.unwrap_or_else(|| ResultType::infer(&generic));
    match result_type.apply(generic) {
        Ok(v) => Ok(v),
        Err(e) => bail!("--result does not fit --result-type {}: {e}", result_type.name()),
    }
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let result_type = args.result_type.as_deref().and_then(ResultType::from_name);
    let result = parse_result(&args.result, result_type)?;
    let conditions = Conditions::new(args.success.as_deref().unwrap_or(""), args.failure.as_deref().unwrap_or(""));
    let outcome = conditions.evaluate(&result, SystemTime::now());
    let (phase, message) = match &outcome {
        Ok(p) => (*p, String::new()),
        Err(e) => (Phase::Error, e.to_string()),
    };
    match args.output {
        Output::Json => {
            let json = serde_json::json!({ "phase": phase, "message": message });
            println!("{json}");
        }
        Output::Text => {
            println!("phase: {phase}");
            if !message.is_empty() {
                println!("message: {message}");
            }
            if let Err(e) = &outcome
                && let EvalError::Compile(ce) = &e.error
            {
                let (origin, source) = match e.condition {
                    ConditionKind::Success => ("successCondition", args.success.as_deref().unwrap_or("")),
                    ConditionKind::Failure => ("failureCondition", args.failure.as_deref().unwrap_or("")),
                };
                eprintln!("{}", render_compile_error(origin, source, ce));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
