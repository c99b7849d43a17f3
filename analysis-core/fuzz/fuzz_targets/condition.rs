//! Parse, type-check and evaluate arbitrary condition text against every result shape.
//!
//! ```text
//! cd analysis-core/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run condition -- -max_total_time=60
//! ```

#![no_main]

use std::time::{Duration, SystemTime};

use augur_analysis_core::expr::{Condition, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let condition = Condition::new(src);
    let shapes = [
        Value::Nil,
        Value::Float(0.5),
        Value::float_list([1.0, f64::NAN]),
        Value::float_list([]),
        Value::string("x"),
        Value::Bool(false),
        Value::from_json(&serde_json::json!({"a": 1.5, "b": [1, "x", null], "c": {"d": true}})),
    ];
    for result in &shapes {
        let _ = condition.evaluate(result, now);
    }
});
