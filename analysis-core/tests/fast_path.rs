//! The float-only fast path must agree with the general evaluator on every input, errors
//! included (it gives up rather than decide differently).

use std::time::SystemTime;

use augur_analysis_core::expr::{Condition, Value};
use proptest::prelude::*;

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(0.95),
        -10.0f64..10.0,
    ]
}

fn operand() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("result".to_string()),
        (-3i64..4).prop_map(|i| format!("result[{i}]")),
        float().prop_filter("finite literal", |f| f.is_finite()).prop_map(|f| format!("{f:?}")),
        (-5i64..5).prop_map(|i| i.to_string()),
    ]
}

fn predicate() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (operand(), prop::sample::select(vec!["<", ">", "<=", ">=", "==", "!="]), operand())
            .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
        operand().prop_map(|a| format!("isNaN({a})")),
        operand().prop_map(|a| format!("isInf({a})")),
        Just("true".to_string()),
    ];
    leaf.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) && ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) || ({b})")),
            inner.prop_map(|a| format!("!({a})")),
        ]
    })
}

fn result() -> impl Strategy<Value = Value> {
    prop_oneof![
        float().prop_map(Value::Float),
        prop::collection::vec(float(), 0..4).prop_map(Value::float_list),
        Just(Value::Nil),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fast_path_matches_general_evaluator(src in predicate(), result in result()) {
        let now = SystemTime::UNIX_EPOCH;
        let fast = Condition::new(&src).evaluate(&result, now);
        let general = Condition::new(&src).evaluate_general(&result, now);
        prop_assert_eq!(fast, general, "{} on {:?}", src, result);
    }
}
