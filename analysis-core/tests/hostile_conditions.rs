//! Any text at all yields a compiled condition or a clear error: never a panic, a stack
//! overflow or unbounded work. Thousands of generated and hand-written hostile inputs go
//! through parse, type check and evaluation against every result shape.

use std::time::{Duration, Instant, SystemTime};

use augur_analysis_core::expr::{CompileStage, Condition, EvalError, Value};
use proptest::prelude::*;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// One result of every shape a provider produces.
fn shapes() -> Vec<Value> {
    vec![
        Value::Nil,
        Value::Float(0.97),
        Value::Float(f64::NAN),
        Value::float_list([]),
        Value::float_list([0.5, 1.5, f64::INFINITY]),
        Value::string("OK"),
        Value::Bool(true),
        serde_json::from_str(r#"{"a": 1, "b": [1, 2, {"c": null}], "s": "x"}"#).unwrap(),
        serde_json::from_str(r#"[1, "two", null, [3]]"#).unwrap(),
    ]
}

/// Runs `src` against every shape, within a time bound, and checks every error has text.
fn exercise(src: &str) {
    let started = Instant::now();
    let condition = Condition::new(src);
    for result in shapes() {
        match condition.evaluate(&result, now()) {
            Ok(_) => {}
            Err(e) => {
                assert!(!e.to_string().is_empty(), "empty error for {src:?}");
                if let EvalError::Compile(c) = &e {
                    assert!(c.span.start <= src.len() && c.span.end <= src.len(), "span out of source for {src:?}");
                }
            }
        }
    }
    assert!(started.elapsed() < Duration::from_secs(10), "{src:?} took {:?}", started.elapsed());
}

#[test]
fn hand_written_hostile_inputs() {
    let deep_parens = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let deep_unary = format!("{}true", "!".repeat(100_000));
    let deep_member = format!("result{}", ".a".repeat(50_000));
    let deep_index = format!("result{}", "[0]".repeat(50_000));
    let long_sum = vec!["1"; 50_000].join(" + ");
    let deep_arrays = format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000));
    let deep_maps = format!("{}1{}", "{a: ".repeat(20_000), "}".repeat(20_000));
    let deep_predicates = format!("{}true{}", "all(result, ".repeat(5_000), ")".repeat(5_000));
    let deep_ternary = format!("{}1", "true ? 1 : ".repeat(20_000));
    let huge_literal = format!("\"{}\" == result", "x".repeat(200_000));
    let huge_number = format!("{} > 1", "9".repeat(10_000));
    let many_lets = (0..5_000).map(|i| format!("let v{i} = {i};")).collect::<String>() + " true";
    let cases: Vec<String> = vec![
        deep_parens,
        deep_unary,
        deep_member,
        deep_index,
        long_sum,
        deep_arrays,
        deep_maps,
        deep_predicates,
        deep_ternary,
        huge_literal,
        huge_number,
        many_lets,
        r#"repeat("x", 1000000000) == ""#.into(),
        r#"len(repeat(repeat("x", 1000000), 1000000)) > 0"#.into(),
        "len(1..1000000000000) > 0".into(),
        "all(1..999999, all(1..999999, true))".into(),
        "all(0..900, all(0..900, all(0..900, true)))".into(),
        r#"reduce(1..64, #acc + #acc, "xx") == """#.into(),
        r#"len(replace(repeat("x", 100000), "x", repeat("y", 100000))) > 0"#.into(),
        "sort(1..999999) == []".into(),
        "flatten([[[[[[[[[[1]]]]]]]]]]) == [1]".into(),
        r#"fromJSON(repeat("[", 100000)) == nil"#.into(),
        r#""\xff\xfe" == result"#.into(),
        r#""\u{110000}" == result"#.into(),
        r#""\uD800" == result"#.into(),
        r#""\400" == result"#.into(),
        "'unterminated".into(),
        "/* unclosed".into(),
        "result matches '(((((((((('".into(),
        "result matches '(a*)*b{99999}'".into(),
        "1 % 0 == 0".into(),
        "-9223372036854775808 == 0".into(),
        "9223372036854775807 + 1 > 0".into(),
        "date('x', 'y', 'Mars/Olympus') == now()".into(),
        "duration('99999999999999h') > duration('1s')".into(),
        "\u{0}".into(),
        "result[9223372036854775807]".into(),
        "result[-9223372036854775808] == 1".into(),
        "result[1:-9223372036854775808] == []".into(),
        "bitshl(1, 9999) == 0".into(),
        "let x = 1; let x = 2; x".into(),
        "#".into(),
        "#acc".into(),
        "$env.result == nil".into(),
        "$env()".into(),
        ". == 1".into(),
        "?.".into(),
        "a ?? b ?? c < 1".into(),
        "if true { 1 } else { 2 }".into(),
        "1 | all(#)".into(),
        "result | map(# * 2) | sum() > 0".into(),
        "(1..100) | filter(# % 2 == 0) | count() == 50".into(),
    ];
    for src in &cases {
        exercise(src);
    }
}

#[test]
fn limits_are_reported_as_such() {
    let deep = format!("{}1{}", "(".repeat(1000), ")".repeat(1000));
    let err = Condition::parse(&deep).unwrap_err();
    assert_eq!(err.stage, CompileStage::Limit);
    assert!(err.message.contains("nests deeper than"), "{}", err.message);

    let r = Condition::new(r#"repeat("x", 1000000000) == """#).evaluate(&Value::Nil, now());
    assert_eq!(r.unwrap_err().to_string(), "memory budget exceeded");
    let r = Condition::new("len(1..1000000000000) > 0").evaluate(&Value::Nil, now());
    assert_eq!(r.unwrap_err().to_string(), "memory budget exceeded");
    // Nested loops over a provider's list allocate nothing, so the step budget stops them.
    let big = Value::float_list((0..1000).map(f64::from));
    let r = Condition::new("all(result, all(result, all(result, # >= 0)))").evaluate(&big, now());
    assert_eq!(r.unwrap_err().to_string(), "evaluation exceeded 10000000 steps");
}

/// Fragments that combine into mostly near-valid conditions, which reach deeper than random
/// bytes.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("result".to_string()),
        Just("result[0]".to_string()),
        Just("result.a".to_string()),
        Just("result?.b".to_string()),
        Just("#".to_string()),
        Just(".v".to_string()),
        Just("nil".to_string()),
        Just("true".to_string()),
        Just("1".to_string()),
        Just("0.5".to_string()),
        Just("-3".to_string()),
        Just("'s'".to_string()),
        Just("[1, 'a', nil]".to_string()),
        Just("{a: 1}".to_string()),
        Just("1..3".to_string()),
        Just("len(".to_string()),
        Just("all(".to_string()),
        Just("map(".to_string()),
        Just("reduce(".to_string()),
        Just("default(".to_string()),
        Just("asInt(".to_string()),
        Just("isNaN(".to_string()),
        Just("now()".to_string()),
        Just("duration('1h')".to_string()),
        Just(")".to_string()),
        Just("]".to_string()),
        Just("}".to_string()),
        Just("{".to_string()),
        Just(",".to_string()),
        Just(" ".to_string()),
        Just("?".to_string()),
        Just(":".to_string()),
        Just(";".to_string()),
        Just("|".to_string()),
        "[-+*/%^<>=!&|?.#]{1,2}",
        "(and|or|not|in|matches|contains|startsWith|endsWith|let|if|else)",
        "[a-zA-Z_$][a-zA-Z0-9_]{0,6}",
        "[0-9]{1,20}(\\.[0-9]{0,5})?(e[+-]?[0-9]{1,3})?",
        "'[^'\\\\]{0,8}'",
        "\"(\\\\[abfnrtvx0-7uU\\\\\"'{}]|[^\"\\\\]){0,8}\"",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_fragments_never_panic(parts in prop::collection::vec(fragment(), 1..16)) {
        exercise(&parts.join(" "));
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,64}") {
        exercise(&src);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }
}
