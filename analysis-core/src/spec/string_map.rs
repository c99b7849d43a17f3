//! [`StringMap`]: a small sorted string map, serialized as a JSON object.
//!
//! A `BTreeMap` allocates a whole node (room for eleven entries) for its first entry. A
//! metric result's metadata usually holds one (`ResolvedPrometheusQuery`), and an analyzer
//! keeps thousands of results, so that node dominated a run's memory.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A map from strings to strings, sorted by key, stored as a vector.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct StringMap(Vec<(String, String)>);

impl StringMap {
    /// An empty map (no allocation).
    pub fn new() -> StringMap {
        StringMap(Vec::new())
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok().map(|i| &self.0[i].1)
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// True when the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The entries, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl FromIterator<(String, String)> for StringMap {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> StringMap {
        let mut map = StringMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map.0.shrink_to_fit();
        map
    }
}

impl From<BTreeMap<String, String>> for StringMap {
    fn from(m: BTreeMap<String, String>) -> StringMap {
        // Already sorted and unique.
        StringMap(m.into_iter().collect())
    }
}

impl Serialize for StringMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for StringMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StringMap, D::Error> {
        // A later duplicate key wins, as in Go's encoding/json.
        BTreeMap::<String, String>::deserialize(d).map(StringMap::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_serialized_as_a_map() {
        let mut m = StringMap::new();
        m.insert("b".into(), "2".into());
        m.insert("a".into(), "1".into());
        assert_eq!(m.insert("a".into(), "3".into()), Some("1".into()));
        assert_eq!(m.get("a").map(String::as_str), Some("3"));
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"a":"3","b":"2"}"#);
        let back: StringMap = serde_json::from_str(r#"{"b":"2","a":"3"}"#).unwrap();
        assert_eq!(back, m);
    }
}
