//! Condition compile and evaluation speed (issue: foundation, item 5).
//!
//! Targets: evaluating `result[0] >= 0.95` ≤ 50 ns median; compiling a typical condition
//! ≤ 5 µs. For scale: expr-lang in Go takes about 200 ns to evaluate, and Argo recompiles
//! every time (about 26 µs).

use std::hint::black_box;
use std::time::SystemTime;

use augur::core::expr::Value;
use augur::core::{Condition, Conditions};
use criterion::{Criterion, criterion_group, criterion_main};

fn cases() -> Vec<(&'static str, &'static str, Value)> {
    let object: Value = serde_json::from_str(r#"{"status": "ok", "code": 200, "latency": 0.12}"#).unwrap();
    vec![
        ("index_ge", "result[0] >= 0.95", Value::float_list([0.97])),
        ("range_and", "result > 0.9 && result < 5", Value::Float(1.5)),
        ("all_100", "all(result, {# < 500})", Value::float_list((0..100).map(|i| i as f64 * 3.0))),
        ("object_fields", r#"result.status == "ok" && result.code < 300"#, object),
        ("isnan_or", "isNaN(result[0]) || result[0] < 0.01", Value::float_list([0.005])),
    ]
}

fn evaluate(c: &mut Criterion) {
    let now = SystemTime::now();
    let mut group = c.benchmark_group("evaluate");
    for (name, src, result) in cases() {
        let condition = Condition::new(src);
        // Type-check once for this result shape, as a metric's first measurement would.
        assert!(condition.evaluate(&result, now).unwrap());
        group.bench_function(name, |b| b.iter(|| condition.evaluate(black_box(&result), now)));
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    for (name, src, result) in cases() {
        group.bench_function(name, |b| {
            b.iter(|| {
                let condition = Condition::new(black_box(src));
                condition.check(&result).unwrap();
                condition
            })
        });
    }
    group.finish();
}

fn measurement(c: &mut Criterion) {
    let now = SystemTime::now();
    let conditions = Conditions::new("result[0] >= 0.95", "result[0] < 0.5");
    let result = Value::float_list([0.97]);
    c.bench_function("measurement/success_and_failure", |b| b.iter(|| conditions.evaluate(black_box(&result), now)));
}

criterion_group!(benches, evaluate, compile, measurement);
criterion_main!(benches);
