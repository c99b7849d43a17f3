//! Datadog's answers (Argo `parseResponseV1` / `parseResponseV2`, semantics §9.2 and §8.4).
//!
//! Bodies are decoded with Go's decoder (analysis-core `go::json_decode`) and then read the
//! way Go fills Argo's response structs: object keys match field names case-insensitively,
//! a JSON `null` number is 0 in a v1 point, and a member of the wrong type fails the whole
//! decoding (`Could not parse JSON body: json: cannot unmarshal …`).

use augur_analysis_core::go::gofmt::quote;
use augur_analysis_core::go::{json, json_decode};
use augur_analysis_core::{ResultType, Value};
use serde_json::{Map, Value as Json};

use crate::answer::Answer;

/// How many groups the `groups` metadata keeps (Argo `maxGroupsInMetadata`).
pub const MAX_GROUPS_IN_METADATA: usize = 100;

/// What a 200 answer means.
#[derive(Debug)]
pub(super) struct Reading {
    /// The value, or a null result.
    pub(super) answer: Answer,
    /// For a null result: the measurement `value` Argo writes (`[]`, `null`, the series).
    pub(super) empty_value: Option<String>,
}

/// Argo's message for a status other than 200, or `None` for 200.
pub(super) fn status_error(status: u16, body: &[u8]) -> Option<String> {
    let body = String::from_utf8_lossy(body);
    match status {
        200 => None,
        401 | 403 => Some(format!("received authentication error response code: {status} {body}")),
        _ => Some(format!("received non 2xx response code: {status} {body}")),
    }
}

/// A v1 `/api/v1/query` answer: the last point of the first series.
pub(super) fn read_v1(body: &[u8]) -> Result<Reading, String> {
    let doc = decode(body)?;
    let series = read_series(&doc)?;
    let first_points = series.as_ref().and_then(|s| s.first()).and_then(|s| s.as_ref());
    let Some(last) = first_points.and_then(|points| points.last()) else {
        let value = match &series {
            None => "null".to_owned(),
            Some(list) => json::marshal(&Json::Array(
                list.iter()
                    .map(|points| {
                        let pl = points.as_ref().map_or(Json::Null, |p| {
                            Json::Array(
                                p.iter()
                                    .map(|pt| {
                                        pt.as_ref().map_or(Json::Null, |xs| {
                                            Json::Array(xs.iter().map(|x| number(*x)).collect())
                                        })
                                    })
                                    .collect(),
                            )
                        });
                        Json::Object(Map::from_iter([("pointlist".to_owned(), pl)]))
                    })
                    .collect(),
            )),
        };
        return Ok(Reading { answer: Answer::value(ResultType::Number, Value::Nil), empty_value: Some(value) });
    };
    match last.as_deref() {
        Some([_, value]) => {
            Ok(Reading { answer: Answer::value(ResultType::Number, Value::Float(*value)), empty_value: None })
        }
        _ => Err("Datapoint does not have 2 values".into()),
    }
}

/// A v2 `/api/v2/query/scalar` answer: the first number column, grouped or not.
pub(super) fn read_v2(body: &[u8]) -> Result<Reading, String> {
    let doc = decode(body)?;
    let (columns, errors) = read_columns(&doc)?;
    if !errors.is_empty() {
        return Err(format!("There were errors in your query: {errors}"));
    }
    let number = columns.iter().find(|c| c.kind.is_empty() || c.kind == "number");
    let groups: Vec<&Column> = columns.iter().filter(|c| c.kind == "group").collect();
    let grouped = !groups.is_empty();
    let mut values = Vec::new();
    let mut labelled = Vec::new();
    for (i, cell) in number.map(|c| c.values.as_slice()).unwrap_or_default().iter().enumerate() {
        let v = match cell {
            Json::Null => continue,
            Json::Number(n) => n.as_f64().unwrap_or_default(),
            other => {
                let name = number.map(|c| c.name.as_str()).unwrap_or_default();
                return Err(format!(
                    "could not parse numeric value {} in column {}: json: cannot unmarshal {} into Go value of type float64",
                    quote(&json::marshal(other)),
                    quote(name),
                    json_kind(other)
                ));
            }
        };
        values.push(v);
        if grouped {
            let label = group_label(&groups, i).ok_or_else(|| format!("could not parse group label at index {i}"))?;
            labelled.push((label, v));
        }
    }
    if values.is_empty() {
        return Ok(Reading { answer: Answer::value(ResultType::Number, Value::Nil), empty_value: Some("[]".into()) });
    }
    if !grouped {
        return Ok(Reading { answer: Answer::value(ResultType::Number, Value::Float(values[0])), empty_value: None });
    }
    let (groups_json, truncated) = groups_metadata(labelled);
    let mut answer =
        Answer::value(ResultType::NumberList, Value::float_list(values)).with_metadata("groups", groups_json);
    if truncated {
        answer = answer.with_metadata("groups_truncated", "true");
    }
    Ok(Reading { answer, empty_value: None })
}

/// The row's label: every group column's tags for row `i`, joined by `,` (Argo
/// `groupNameAt`); `None` when a column lacks the row or its entry is not a non-empty list of
/// strings.
fn group_label(groups: &[&Column], i: usize) -> Option<String> {
    let mut parts = Vec::new();
    for col in groups {
        let tags = col.values.get(i)?.as_array()?;
        if tags.is_empty() {
            return None;
        }
        for t in tags {
            parts.push(t.as_str()?.to_owned());
        }
    }
    Some(parts.join(","))
}

/// Argo `groupsMetadata`: the `(name, value)` pairs as JSON, above 100 only the 50 lowest and
/// 50 highest values (stable sort by value), and whether it was cut.
fn groups_metadata(mut groups: Vec<(String, f64)>) -> (String, bool) {
    let truncated = groups.len() > MAX_GROUPS_IN_METADATA;
    if truncated {
        groups.sort_by(|a, b| a.1.total_cmp(&b.1));
        let low = MAX_GROUPS_IN_METADATA / 2;
        let high = MAX_GROUPS_IN_METADATA - low;
        groups.drain(low..groups.len() - high);
    }
    let list = groups
        .into_iter()
        .map(|(name, value)| {
            Json::Object(Map::from_iter([("name".to_owned(), Json::String(name)), ("value".to_owned(), number(value))]))
        })
        .collect();
    (json::marshal(&Json::Array(list)), truncated)
}

/// One v2 column (Argo `datadogV2Column`).
struct Column {
    name: String,
    kind: String,
    values: Vec<Json>,
}

fn decode(body: &[u8]) -> Result<Json, String> {
    json_decode::unmarshal(body).map_err(|e| format!("Could not parse JSON body: {e}"))
}

fn number(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

/// Go's name for a JSON value's kind in `UnmarshalTypeError`s.
fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn type_error(v: &Json, field: &str, go_type: &str) -> String {
    format!(
        "Could not parse JSON body: json: cannot unmarshal {} into Go struct field {field} of type {go_type}",
        json_kind(v)
    )
}

/// A struct field as Go's decoder finds it: the exact key, else a case-insensitive match.
fn member<'a>(obj: &'a Map<String, Json>, name: &str) -> Option<&'a Json> {
    obj.get(name).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// An object, or `None` for null; anything else is a type error.
fn object<'a>(v: &'a Json, field: &str, go_type: &str) -> Result<Option<&'a Map<String, Json>>, String> {
    match v {
        Json::Null => Ok(None),
        Json::Object(o) => Ok(Some(o)),
        other => Err(type_error(other, field, go_type)),
    }
}

/// An array, or `None` for null; anything else is a type error.
fn array<'a>(v: &'a Json, field: &str, go_type: &str) -> Result<Option<&'a Vec<Json>>, String> {
    match v {
        Json::Null => Ok(None),
        Json::Array(a) => Ok(Some(a)),
        other => Err(type_error(other, field, go_type)),
    }
}

/// A v1 `series`: per series, its `pointlist` (`None`: null), per point its numbers
/// (`None`: null; a null number is 0). `None` overall when `series` is absent or null.
type Series = Option<Vec<Option<Vec<Option<Vec<f64>>>>>>;

fn read_series(doc: &Json) -> Result<Series, String> {
    const FIELD: &str = "datadogResponseV1.Series";
    let Some(top) = object(doc, "datadogResponseV1", "datadog.datadogResponseV1")? else { return Ok(None) };
    let Some(list) = member(top, "series").map(|s| array(s, FIELD, "[]struct")).transpose()?.flatten() else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        let points = match object(s, FIELD, "struct")? {
            None => None,
            Some(obj) => {
                match member(obj, "pointlist").map(|p| array(p, "datadogResponseV1.Series.pointlist", "[][]float64")) {
                    None => None,
                    Some(p) => p?.map(|points| read_points(points)).transpose()?,
                }
            }
        };
        out.push(points);
    }
    Ok(Some(out))
}

fn read_points(points: &[Json]) -> Result<Vec<Option<Vec<f64>>>, String> {
    const FIELD: &str = "datadogResponseV1.Series.pointlist";
    points
        .iter()
        .map(|p| {
            array(p, FIELD, "[]float64")?
                .map(|xs| {
                    xs.iter()
                        .map(|x| match x {
                            Json::Null => Ok(0.0),
                            Json::Number(n) => Ok(n.as_f64().unwrap_or_default()),
                            other => Err(type_error(other, FIELD, "float64")),
                        })
                        .collect()
                })
                .transpose()
        })
        .collect()
}

/// The v2 columns and `data.errors`.
fn read_columns(doc: &Json) -> Result<(Vec<Column>, String), String> {
    let mut columns = Vec::new();
    let Some(top) = object(doc, "datadogResponseV2", "datadog.datadogResponseV2")? else {
        return Ok((columns, String::new()));
    };
    let Some(data) = member(top, "data").map(|d| object(d, "datadogResponseV2.Data", "struct")).transpose()?.flatten()
    else {
        return Ok((columns, String::new()));
    };
    let errors = match member(data, "errors") {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => return Err(type_error(other, "datadogResponseV2.Data.Errors", "string")),
    };
    let attributes = member(data, "attributes").map(|a| object(a, "datadogResponseV2.Data.Attributes", "struct"));
    let Some(attributes) = attributes.transpose()?.flatten() else { return Ok((columns, errors)) };
    const FIELD: &str = "datadogResponseV2.Data.Attributes.Columns";
    let list =
        member(attributes, "columns").map(|c| array(c, FIELD, "[]datadog.datadogV2Column")).transpose()?.flatten();
    for c in list.map(Vec::as_slice).unwrap_or_default() {
        let Some(obj) = object(c, FIELD, "datadog.datadogV2Column")? else {
            columns.push(Column { name: String::new(), kind: String::new(), values: Vec::new() });
            continue;
        };
        let text = |name: &str| match member(obj, name) {
            None | Some(Json::Null) => Ok(String::new()),
            Some(Json::String(s)) => Ok(s.clone()),
            Some(other) => Err(type_error(other, &format!("{FIELD}.{name}"), "string")),
        };
        let values = member(obj, "values").map(|v| array(v, &format!("{FIELD}.values"), "[]json.RawMessage"));
        let values = values.transpose()?.flatten().cloned().unwrap_or_default();
        columns.push(Column { name: text("name")?, kind: text("type")?, values });
    }
    Ok((columns, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1(body: &str) -> Result<(Option<Value>, Option<String>), String> {
        read_v1(body.as_bytes()).map(|r| (r.answer.entry.value, r.empty_value))
    }

    fn v2(body: &str) -> Result<Reading, String> {
        read_v2(body.as_bytes())
    }

    #[test]
    fn v1_shapes() {
        let series = r#"{"status":"ok","res_type":"time_series","series":[
            {"metric":"a","pointlist":[[1700000000000,0.5],[1700000060000,0.0003332881882246533]]},
            {"metric":"b","pointlist":[[1700000000000,9]]}]}"#;
        assert_eq!(v1(series).unwrap(), (Some(Value::Float(0.0003332881882246533)), None));
        // A null value decodes as 0.
        assert_eq!(v1(r#"{"series":[{"pointlist":[[1,null]]}]}"#).unwrap().0, Some(Value::Float(0.0)));
        // No data: a null result and Argo's value text.
        assert_eq!(v1(r#"{"series":[]}"#).unwrap(), (Some(Value::Nil), Some("[]".into())));
        assert_eq!(v1(r#"{"status":"ok"}"#).unwrap(), (Some(Value::Nil), Some("null".into())));
        assert_eq!(
            v1(r#"{"series":[{"pointlist":[]},{"pointlist":[[1,2.5]]}]}"#).unwrap(),
            (Some(Value::Nil), Some(r#"[{"pointlist":[]},{"pointlist":[[1,2.5]]}]"#.into()))
        );
        assert_eq!(v1(r#"{"series":[{"pointlist":[[1]]}]}"#).unwrap_err(), "Datapoint does not have 2 values");
        assert!(v1("{").unwrap_err().starts_with("Could not parse JSON body: unexpected end of JSON input"));
        assert!(
            v1(r#"{"series":"x"}"#)
                .unwrap_err()
                .starts_with("Could not parse JSON body: json: cannot unmarshal string")
        );
        assert!(v1(r#"{"Series":[{"PointList":[[1,3]]}]}"#).unwrap().0 == Some(Value::Float(3.0)));
    }

    #[test]
    fn v2_shapes() {
        let scalar = r#"{"data":{"type":"scalar_response","attributes":{"columns":[
            {"name":"a","type":"number","values":[null, 0.25, 3],"meta":{"unit":null}}]}}}"#;
        let r = v2(scalar).unwrap();
        assert_eq!((r.answer.entry.value, r.answer.result_type), (Some(Value::Float(0.25)), Some(ResultType::Number)));

        let grouped = r#"{"data":{"type":"scalar_response","attributes":{"columns":[
            {"name":"service","type":"group","values":[["web"],["api"],["db"]]},
            {"name":"region","type":"group","values":[["eu"],["us"],["us"]]},
            {"name":"a","type":"number","values":[0.5,null,2]}]}}}"#;
        let r = v2(grouped).unwrap();
        assert_eq!(r.answer.entry.value, Some(Value::float_list(vec![0.5, 2.0])));
        assert_eq!(r.answer.metadata["groups"], r#"[{"name":"web,eu","value":0.5},{"name":"db,us","value":2}]"#);
        // A single group is still a list.
        let one = r#"{"data":{"attributes":{"columns":[{"name":"g","type":"group","values":[["x"]]},{"name":"a","type":"number","values":[1]}]}}}"#;
        assert_eq!(v2(one).unwrap().answer.entry.value, Some(Value::float_list(vec![1.0])));

        let empty =
            v2(r#"{"data":{"attributes":{"columns":[{"name":"a","type":"number","values":[null]}]}}}"#).unwrap();
        assert_eq!((empty.answer.entry.value, empty.empty_value), (Some(Value::Nil), Some("[]".into())));
        assert_eq!(v2(r#"{"data":{"attributes":{"columns":[]}}}"#).unwrap().empty_value.as_deref(), Some("[]"));
        assert_eq!(v2(r#"{"data":{"errors":"bad query"}}"#).unwrap_err(), "There were errors in your query: bad query");
        assert_eq!(
            v2(r#"{"data":{"attributes":{"columns":[{"name":"a","type":"number","values":["1.5"]}]}}}"#).unwrap_err(),
            "could not parse numeric value \"\\\"1.5\\\"\" in column \"a\": json: cannot unmarshal string into Go value of type float64"
        );
        assert_eq!(
            v2(r#"{"data":{"attributes":{"columns":[{"type":"group","values":[[]]},{"name":"a","values":[1]}]}}}"#)
                .unwrap_err(),
            "could not parse group label at index 0"
        );
    }

    #[test]
    fn groups_are_capped() {
        let groups: Vec<(String, f64)> = (0..150).map(|i| (format!("h{i}"), f64::from(149 - i))).collect();
        let (text, truncated) = groups_metadata(groups);
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert!(truncated);
        assert_eq!(parsed.len(), 100);
        assert_eq!((parsed[0]["value"].as_f64(), parsed[99]["value"].as_f64()), (Some(0.0), Some(149.0)));
        assert_eq!(parsed[50]["value"].as_f64(), Some(100.0));
    }

    #[test]
    fn status_texts() {
        assert_eq!(status_error(200, b""), None);
        assert_eq!(
            status_error(403, br#"{"errors":["Forbidden"]}"#).unwrap(),
            r#"received authentication error response code: 403 {"errors":["Forbidden"]}"#
        );
        assert_eq!(status_error(500, b"oops").unwrap(), "received non 2xx response code: 500 oops");
    }
}
