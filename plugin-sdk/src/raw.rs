//! [`RawJson`]: a JSON value kept as its text.
//!
//! The metric's `config` and a result's `value` cross the ABI boundary twice (host → guest →
//! host) and are usually read once, by a typed struct or by the engine. Keeping them as text
//! skips building `serde_json::Value` trees on both sides, which is most of the cost of a
//! step; [`RawJson::parse`] decodes straight into the type that needs it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A JSON value as text (always valid JSON; `null` by default).
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// `null`.
    pub fn null() -> RawJson {
        RawJson(RawValue::NULL.to_owned())
    }

    /// The text of `value`.
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> RawJson {
        serde_json::value::to_raw_value(value).map(RawJson).unwrap_or_else(|_| RawJson::null())
    }

    /// Checks that `text` is JSON and keeps it.
    pub fn from_text(text: String) -> Result<RawJson, String> {
        RawValue::from_string(text).map(RawJson).map_err(|e| e.to_string())
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Decodes it into `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// Decodes it as a `serde_json::Value` (`null` if that fails, which it cannot for text
    /// this type accepted).
    pub fn value(&self) -> serde_json::Value {
        self.parse().unwrap_or_default()
    }
}

impl Default for RawJson {
    fn default() -> RawJson {
        RawJson::null()
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.get() == other.get()
    }
}

impl std::fmt::Debug for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get())
    }
}

impl std::fmt::Display for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get())
    }
}

impl From<serde_json::Value> for RawJson {
    fn from(v: serde_json::Value) -> RawJson {
        RawJson::from_value(&v)
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawJson, D::Error> {
        Box::<RawValue>::deserialize(d).map(RawJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_text() {
        let r: RawJson = serde_json::from_str(r#"{"a": [1, 2.5]}"#).unwrap();
        assert_eq!(r.get(), r#"{"a": [1, 2.5]}"#);
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"a": [1, 2.5]}"#);
        assert_eq!(r.value(), serde_json::json!({"a": [1, 2.5]}));
        assert_eq!(RawJson::default().get(), "null");
        assert_eq!(RawJson::from(serde_json::json!([1])).get(), "[1]");
        assert!(RawJson::from_text("{".into()).is_err());
    }
}
