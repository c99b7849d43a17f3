//! The web provider's `jsonPath`: Kubernetes JSONPath *templates* (client-go
//! `util/jsonpath`, which Argo uses), evaluated with Kubernetes' step semantics and
//! jsonpath-rust (RFC 9535) for filters and unions.
//!
//! A Kubernetes template is text with `{…}` actions (`{$.data.ok}`, `{.items[*].v}`), not an
//! RFC 9535 query, and its steps fail where RFC queries select nothing: a field that no input
//! has is `<name> is not found`, an index past the end is `array index out of bounds`. Argo
//! reports those as `Could not find JSONPath in body: <error>`, so the adapter parses the
//! template itself (`parse`), walks field, index, slice, wildcard and recursive-descent steps
//! with client-go's rules (`eval`), and hands each filter (`[?(@.v > 4)]`) and union
//! (`['a','b']`, `[0,2]`) to jsonpath-rust, compiled once when the provider is built.
//!
//! Argo keeps only the **first** value the template produces (text before the first action
//! counts as a value); [`JsonPathTemplate::first`] returns exactly that, `{range}…{end}`
//! included.

mod eval;
mod parse;

use serde_json::Value;

pub use parse::TemplateError;

/// A parsed `jsonPath` template.
#[derive(Debug)]
pub struct JsonPathTemplate {
    nodes: Vec<parse::Node>,
}

impl JsonPathTemplate {
    /// Parses `text` (`{$.a.b}`); the error is client-go's parse error text.
    pub fn parse(text: &str) -> Result<JsonPathTemplate, TemplateError> {
        Ok(JsonPathTemplate { nodes: parse::parse_template(text)? })
    }

    /// The first value the template produces from `doc` (client-go `FindResults`, then Argo's
    /// `getValue`): `Ok(None)` when it produces nothing, `Err` with client-go's text when a
    /// step fails. Every action is evaluated, so an error in a later action is reported even
    /// when an earlier one produced a value, as in client-go.
    pub fn first<'a>(&'a self, doc: &'a Value) -> Result<Option<&'a Value>, String> {
        let mut first = None;
        for node in &self.nodes {
            let results = eval::node(node, doc)?;
            if first.is_none() {
                first = results.into_iter().next();
            }
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn first(path: &str, doc: &Value) -> Result<Option<Value>, String> {
        let t = JsonPathTemplate::parse(path).map_err(|e| e.to_string())?;
        t.first(doc).map(|v| v.cloned())
    }

    fn doc() -> Value {
        json!({
            "data": {"ok": true, "rate": 0.99, "a-b": "dash", "nil": null},
            "key": [{"key2": {"value": "1"}}],
            "items": [{"name": "x", "v": 3}, {"name": "y", "v": 5}, {"name": "z", "v": 7}],
            "empty": []
        })
    }

    #[test]
    fn kubernetes_paths() {
        let d = doc();
        assert_eq!(first("{$}", &d).unwrap(), Some(d.clone()));
        assert_eq!(first("{}", &d).unwrap(), Some(d.clone()));
        assert_eq!(first("{$.data.ok}", &d).unwrap(), Some(json!(true)));
        assert_eq!(first("{.data.ok}", &d).unwrap(), Some(json!(true)));
        assert_eq!(first("{$.key[0].key2.value}", &d).unwrap(), Some(json!("1")));
        assert_eq!(first("{.items[*].v}", &d).unwrap(), Some(json!(3)));
        assert_eq!(first("{.items[-1].v}", &d).unwrap(), Some(json!(7)));
        assert_eq!(first("{.items[1:2].name}", &d).unwrap(), Some(json!("y")));
        assert_eq!(first("{.items[0:3:2].name}", &d).unwrap(), Some(json!("x")));
        assert_eq!(first("{..v}", &d).unwrap(), Some(json!(3)));
        assert_eq!(first("{.items[?(@.v > 4)].name}", &d).unwrap(), Some(json!("y")));
        assert_eq!(first("{.items[?(@.name == 'z')].v}", &d).unwrap(), Some(json!(7)));
        assert_eq!(first(r#"{.items[?(@.name=="y")].v}"#, &d).unwrap(), Some(json!(5)));
        assert_eq!(first("{$.data['a-b']}", &d).unwrap(), Some(json!("dash")));
        assert_eq!(first("{.items[2,0].name}", &d).unwrap(), Some(json!("z")));
        assert_eq!(first("{.data.nil}", &d).unwrap(), Some(Value::Null));
        assert_eq!(first("{.items[?(@.v>4)].name}", &d).unwrap(), Some(json!("y")));
        assert_eq!(first("{.key[?(@.key2)].key2.value}", &d).unwrap(), Some(json!("1")));
        assert_eq!(first("{.items[?(@.v >= 5 && @.name != 'y')].name}", &d).unwrap(), Some(json!("z")));
        assert_eq!(first("{.data.*}", &d).unwrap(), Some(json!("dash")));
        assert_eq!(first("{.items[*]['name']}", &d).unwrap(), Some(json!("x")));
        // Text before the first action is the first value (Argo keeps only the first).
        assert_eq!(first("rate is {.data.rate}", &d).unwrap(), Some(json!("rate is ")));
        assert_eq!(first("{.data.rate} is the rate", &d).unwrap(), Some(json!(0.99)));
    }

    #[test]
    fn kubernetes_step_errors() {
        let d = doc();
        assert_eq!(first("{.data.missing}", &d).unwrap_err(), "missing is not found");
        // A field of null, of a string, of an array: not found.
        assert_eq!(first("{.data.nil.x}", &d).unwrap_err(), "x is not found");
        assert_eq!(first("{.data.a-b.x}", &d).unwrap_err(), "x is not found");
        assert_eq!(first("{.items.name}", &d).unwrap_err(), "name is not found");
        assert_eq!(first("{.items[5]}", &d).unwrap_err(), "array index out of bounds: index 5, length 3");
        assert_eq!(first("{.items[-4]}", &d).unwrap_err(), "array index out of bounds: index -1, length 3");
        assert_eq!(first("{.items[0:9]}", &d).unwrap_err(), "array index out of bounds: index 8, length 3");
        assert_eq!(first("{.data[0]}", &d).unwrap_err(), "map[string]interface {} is not array or slice");
        assert_eq!(first("{.items[0:3:0]}", &d).unwrap_err(), "step must be > 0");
        // Selecting nothing without a failing step is no value, not an error.
        assert_eq!(first("{.empty[*]}", &d).unwrap(), None);
        assert_eq!(first("{.empty[*].v}", &d).unwrap(), None);
        assert_eq!(first("{.items[?(@.v > 100)].name}", &d).unwrap(), None);
        // A later action's error wins over an earlier value.
        assert_eq!(first("{.data.ok}{.nope}", &d).unwrap_err(), "nope is not found");
    }

    #[test]
    fn ranges() {
        let d = doc();
        assert_eq!(first("{range .items[*]}{.name}{end}", &d).unwrap(), Some(json!("x")));
        assert_eq!(first("{range .items[?(@.v > 4)]}{.v}{end}", &d).unwrap(), Some(json!(5)));
        assert_eq!(first("{range .items[*]}[{.name}]{end}", &d).unwrap(), Some(json!("[")));
        // The body is evaluated even when the range selects nothing: its errors count.
        assert_eq!(first("{range .empty[*]}{.name}{end}", &d).unwrap_err(), "name is not found");
        assert_eq!(first("{range .items[*]}{.nope}{end}", &d).unwrap_err(), "nope is not found");
        assert_eq!(first("{.data.ok}{end}", &d).unwrap_err(), "not in range, nothing to end");
        // Nested ranges.
        assert_eq!(first("{range .key[*]}{range .key2.*}{$}{end}{end}", &d).unwrap(), Some(json!("1")));
    }

    #[test]
    fn parse_errors() {
        let err = |p: &str| JsonPathTemplate::parse(p).unwrap_err().to_string();
        assert_eq!(err("{.a"), "unclosed action");
        assert_eq!(err("{.a[0}"), "unterminated array");
        assert_eq!(err("{.a[x]}"), "invalid array index x");
        assert_eq!(err("{#}"), "unrecognized character in action: U+0023 '#'");
        assert_eq!(err("{....a}"), "invalid multiple recursive descent");
        assert_eq!(err("{.a[?(@.v > )]}").split(':').next(), Some("invalid filter @.v > "));
    }
}
