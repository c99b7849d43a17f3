//! From the web provider's HTTP response to an [`Answer`] (Argo `webmetric.parseResponse`).

use augur_analysis_core::go::json_decode;
use augur_analysis_core::{ResultType, Value};

use super::jsonpath::JsonPathTemplate;
use super::request::Sent;
use crate::answer::Answer;
use crate::body::read_limited;
use crate::error::{FetchError, FetchErrorKind};

/// The answer for a response: an error for a status outside 2xx, the body as a string when it
/// is not one JSON document, otherwise the first value `path` selects.
pub(super) async fn answer(sent: Sent, path: &JsonPathTemplate) -> Answer {
    let Sent { response, target } = sent;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Answer::error(FetchError::new(
            FetchErrorKind::Status(status),
            format!("received non 2xx response code: {status}"),
            target,
        ));
    }
    let body = match read_limited(response, &target).await {
        Ok(body) => body,
        Err(e) => return Answer::error(e),
    };
    select(&body, path, &target)
}

/// Argo's handling of a 2xx body.
fn select(body: &[u8], path: &JsonPathTemplate, target: &str) -> Answer {
    let Ok(doc) = json_decode::unmarshal(body) else {
        // Not JSON (including an empty body): the body itself is the result, jsonPath unused.
        return Answer::value(ResultType::String, Value::string(String::from_utf8_lossy(body)));
    };
    match path.first(&doc) {
        Ok(Some(v)) => Answer::value(ResultType::Json, Value::from_json(v)),
        Ok(None) => Answer::error(FetchError::new(
            FetchErrorKind::Query,
            "result of web metric produced no value",
            target.to_owned(),
        )),
        Err(e) => Answer::error(FetchError::new(
            FetchErrorKind::Query,
            format!("Could not find JSONPath in body: {e}"),
            target.to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        let p = JsonPathTemplate::parse("{$.a}").unwrap();
        let value = |a: Answer| a.entry.value.map(|v| v.to_string());
        assert_eq!(select(b"{\"a\": 1}", &p, "t").entry.value, Some(Value::Float(1.0)));
        let raw = select(b"plain text", &p, "t");
        assert_eq!((raw.result_type, value(raw)), (Some(ResultType::String), Some("plain text".into())));
        // Trailing garbage makes it not JSON; an empty body too.
        assert_eq!(select(b"{\"a\":1} x", &p, "t").result_type, Some(ResultType::String));
        assert_eq!(select(b"", &p, "t").result_type, Some(ResultType::String));
        assert_eq!(
            select(b"{\"b\":1}", &p, "GET u").entry.error.as_deref(),
            Some("Could not find JSONPath in body: a is not found (GET u)")
        );
        let none = JsonPathTemplate::parse("{.a[*]}").unwrap();
        assert_eq!(
            select(b"{\"a\":[]}", &none, "GET u").entry.error.as_deref(),
            Some("result of web metric produced no value (GET u)")
        );
    }
}
