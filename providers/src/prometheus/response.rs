//! Decoding a Prometheus HTTP API response as Argo's client (client_golang v1.24) does.

use augur_analysis_core::{ResultType, Value};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::answer::Answer;
use crate::error::{FetchError, FetchErrorKind, error_chain};

/// The API envelope (`apiResponse`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    #[serde(default)]
    status: String,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    error_type: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryData<'a> {
    result_type: String,
    #[serde(borrow)]
    result: &'a RawValue,
}

/// `[<unix seconds>, "<value>"]`.
#[derive(Deserialize)]
struct Sample(#[allow(dead_code)] f64, String);

#[derive(Deserialize)]
struct VectorSample {
    value: Option<Sample>,
}

#[derive(Deserialize)]
struct MatrixSeries {
    #[serde(default)]
    values: Vec<Sample>,
}

/// `apiError(code)`: the statuses whose body is still a Prometheus API response.
fn is_api_error(code: u16) -> bool {
    code == 400 || code == 422
}

/// client_golang's `errorTypeAndMsgFor` for other non-2xx statuses.
pub(crate) fn status_error(code: u16, target: &str) -> FetchError {
    let message = match code / 100 {
        4 => format!("client_error: client error: {code}"),
        5 => format!("server_error: server error: {code}"),
        _ => format!("bad_response: bad response code {code}"),
    };
    FetchError::new(FetchErrorKind::Status(code), message, target)
}

/// Turns a response (status and body) into the measurement's answer: Argo's result shapes
/// (§8.4), `warnings` in metadata, and client_golang's error texts.
pub(crate) fn decode(code: u16, body: &[u8], target: &str) -> Result<Answer, FetchError> {
    if code / 100 != 2 && !is_api_error(code) {
        return Err(status_error(code, target));
    }
    let bad = |msg: String| FetchError::new(FetchErrorKind::Decode, format!("bad_response: {msg}"), target);
    let envelope: Envelope<'_> = if code == 204 {
        Envelope {
            status: String::new(),
            data: None,
            error_type: String::new(),
            error: String::new(),
            warnings: vec![],
        }
    } else {
        serde_json::from_slice(body).map_err(|e| bad(error_chain(&e)))?
    };
    if envelope.status == "error" {
        return Err(FetchError::new(
            FetchErrorKind::Query,
            format!("{}: {}", envelope.error_type, envelope.error),
            target,
        ));
    }
    if is_api_error(code) && envelope.status == "success" {
        return Err(bad("inconsistent body for response code".into()));
    }
    let data = envelope.data.ok_or_else(|| bad("response has no data".into()))?;
    let data: QueryData<'_> = serde_json::from_str(data.get()).map_err(|e| bad(error_chain(&e)))?;
    let decode_err = |e: serde_json::Error| FetchError::new(FetchErrorKind::Decode, error_chain(&e), target);
    let number = |s: &str| parse_sample_value(s).map_err(|m| FetchError::new(FetchErrorKind::Decode, m, target));
    let mut answer = match data.result_type.as_str() {
        "scalar" => {
            let Sample(_, v) = serde_json::from_str(data.result.get()).map_err(decode_err)?;
            Answer::value(ResultType::Number, Value::Float(number(&v)?))
        }
        "vector" => {
            let samples: Vec<VectorSample> = serde_json::from_str(data.result.get()).map_err(decode_err)?;
            let mut values = Vec::with_capacity(samples.len());
            for s in samples {
                // A native-histogram sample has no float value; client_golang gives it none
                // either, and Argo's loop skips it.
                if let Some(Sample(_, v)) = s.value {
                    values.push(number(&v)?);
                }
            }
            Answer::value(ResultType::NumberList, Value::float_list(values))
        }
        "matrix" => {
            let series: Vec<MatrixSeries> = serde_json::from_str(data.result.get()).map_err(decode_err)?;
            let mut values = Vec::new();
            for s in series {
                for Sample(_, v) in s.values {
                    values.push(number(&v)?);
                }
            }
            Answer::value(ResultType::NumberList, Value::float_list(values))
        }
        other => {
            return Err(FetchError::new(FetchErrorKind::Decode, format!("unexpected value type {other:?}"), target));
        }
    };
    if !envelope.warnings.is_empty() {
        answer = answer.with_metadata("warnings", warnings_text(&envelope.warnings));
    }
    Ok(answer)
}

/// Argo's `warnings` metadata: each warning quoted, joined by `, `.
fn warnings_text(warnings: &[String]) -> String {
    warnings.iter().map(|w| format!("\"{}\"", w.replace('"', "\\\""))).collect::<Vec<_>>().join(", ")
}

/// `strconv.ParseFloat` as `model.SampleValue` uses it: `NaN`, `+Inf`, `-Inf` included.
fn parse_sample_value(s: &str) -> Result<f64, String> {
    s.parse::<f64>().map_err(|_| format!("strconv.ParseFloat: parsing {s:?}: invalid syntax"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Answer {
        decode(200, body.as_bytes(), "t").unwrap()
    }

    #[test]
    fn shapes() {
        let a = ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"NaN"]}}"#);
        assert!(matches!(a.entry.value, Some(Value::Float(f)) if f.is_nan()));
        let a = ok(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0.5"]},{"metric":{"a":"b"},"value":[1,"+Inf"]}]}}"#,
        );
        assert_eq!(a.entry.value, Some(Value::float_list([0.5, f64::INFINITY])));
        let a = ok(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
        assert_eq!(a.entry.value, Some(Value::float_list([])));
        let a = ok(
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"2"]]},{"metric":{},"values":[[1,"3"]]}]}}"#,
        );
        assert_eq!(a.entry.value, Some(Value::float_list([1.0, 2.0, 3.0])));
    }

    #[test]
    fn warnings_and_errors() {
        let a = ok(
            r#"{"status":"success","warnings":["w1","say \"hi\""],"data":{"resultType":"scalar","result":[1,"1"]}}"#,
        );
        assert_eq!(a.metadata["warnings"], r#""w1", "say \"hi\"""#);
        let e = decode(400, br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#, "t").unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (FetchErrorKind::Query, "bad_data: parse error"));
        assert_eq!(decode(503, b"down", "t").unwrap_err().message, "server_error: server error: 503");
        assert_eq!(decode(404, b"", "t").unwrap_err().message, "client_error: client error: 404");
        assert_eq!(decode(302, b"", "t").unwrap_err().message, "bad_response: bad response code 302");
        let e =
            decode(200, br#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#, "t").unwrap_err();
        assert_eq!(e.message, "unexpected value type \"string\"");
        assert!(decode(200, b"<html>", "t").unwrap_err().message.starts_with("bad_response: "));
        let e = decode(422, br#"{"status":"success","data":{}}"#, "t").unwrap_err();
        assert_eq!(e.message, "bad_response: inconsistent body for response code");
    }
}
