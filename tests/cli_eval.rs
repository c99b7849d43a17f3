//! `augur eval`: phases, messages, result-type inference and exit codes, through the binary.

mod support;

use support::augur;

fn eval_json(args: &[&str]) -> serde_json::Value {
    let out = augur().arg("eval").args(args).args(["--output", "json"]).output().unwrap();
    assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn prometheus_vector_passes() {
    let v = eval_json(&["--success", "result[0] >= 0.95", "--result", "[0.97]"]);
    assert_eq!(v["phase"], "Successful");
    assert_eq!(v["message"], "");
}

#[test]
fn both_conditions_false_is_inconclusive() {
    let v = eval_json(&["--success", "result[0] >= 0.9", "--failure", "result[0] < 0.5", "--result", "[0.7]"]);
    assert_eq!(v["phase"], "Inconclusive");
}

#[test]
fn a_list_is_inferred_as_number_list_so_scalar_ops_are_type_errors() {
    let v = eval_json(&["--success", "result > 1", "--result", "[2]"]);
    assert_eq!(v["phase"], "Error");
    assert_eq!(
        v["message"],
        "could not evaluate successCondition \"result > 1\": invalid operation: > (mismatched types []float64 and int)"
    );
}

#[test]
fn json_result_type_makes_members_dynamic() {
    let v = eval_json(&["--success", "result[0] > 1", "--result", "[2]", "--result-type", "json"]);
    assert_eq!(v["phase"], "Successful");
    let v = eval_json(&[
        "--success",
        r#"result.status == "ok" && result.code < 300"#,
        "--result",
        r#"{"status":"ok","code":200}"#,
    ]);
    assert_eq!(v["phase"], "Successful");
}

#[test]
fn null_result_reports_no_data() {
    let v = eval_json(&["--success", "result < 0.05", "--result", "null"]);
    assert_eq!(v["phase"], "Error");
    assert_eq!(
        v["message"],
        "could not evaluate successCondition \"result < 0.05\": metric result is nil or empty: no data returned from the metric provider"
    );
    let v = eval_json(&["--success", "default(result, 0) < 0.05", "--result", "null"]);
    assert_eq!(v["phase"], "Successful");
}

#[test]
fn nan_is_accepted_as_a_number() {
    let v = eval_json(&["--success", "result >= 0.9", "--failure", "result < 0.5", "--result", "NaN"]);
    assert_eq!(v["phase"], "Inconclusive");
}

#[test]
fn raw_strings_with_string_type() {
    let v = eval_json(&["--success", "result == 'OK'", "--result", "OK", "--result-type", "string"]);
    assert_eq!(v["phase"], "Successful");
}

#[test]
fn text_output_and_syntax_diagnostics() {
    let out = augur().args(["eval", "--success", "result >", "--result", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "a computed Error phase exits 0");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("phase: Error"), "{stdout}");
    assert!(stdout.contains("unexpected token EOF"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("successCondition:1:8"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let out = augur().args(["eval", "--success", "true", "--result", "{not json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    let out = augur().args(["eval", "--success", "true"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "missing --result");
    let out = augur()
        .args(["eval", "--result", "1", "--result-type", "number", "--success", "true", "--output", "xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out =
        augur().args(["eval", "--result", "\"x\"", "--result-type", "number", "--success", "true"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a string does not fit number");
}
