//! two-step: a long-running backend, measured the way Argo's asynchronous providers do it.
//!
//! ```yaml
//! provider:
//!   plugin:
//!     augur/two-step:
//!       url: http://jobs.internal:8080     # the backend
//!       job: {query: error-rate}           # what to submit (any JSON)
//!       pollAfterMs: 2000                  # optional, default 1000
//! ```
//!
//! Run: step 0 POSTs `job` to `<url>/jobs`; the backend answers `{"id": "..."}` and the
//! plugin answers `pending` (resume after `pollAfterMs`) with the id in its state. Resume:
//! it GETs `<url>/jobs/<id>`; `{"status": "running"}` is pending again,
//! `{"status": "done", "value": <json>}` is the result, `{"status": "failed", "error": "..."}`
//! an error.

use augur_plugin_sdk::{Describe, HttpRequest, Json, Plugin, StepInput, StepOutput, json};

/// The plugin.
#[derive(Default)]
pub struct TwoStep;

augur_plugin_sdk::export_plugin!(TwoStep);

impl Plugin for TwoStep {
    fn describe(&self) -> Describe {
        Describe {
            abi: augur_plugin_sdk::ABI_VERSION,
            name: "augur/two-step".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Submits a job, then polls it with pending/resume".into(),
            config_schema: json!({
                "type": "object",
                "required": ["url"],
                "properties": {"url": {"type": "string"}, "job": {}, "pollAfterMs": {"type": "integer"}}
            }),
            hosts: vec!["*".into()],
            auth: vec![],
        }
    }

    fn step(&self, input: StepInput) -> StepOutput {
        step(&input).unwrap_or_else(StepOutput::error)
    }
}

fn step(input: &StepInput) -> Result<StepOutput, String> {
    let config: Json = input.config.parse().map_err(|e| format!("two-step: invalid configuration: {e}"))?;
    let url = config.get("url").and_then(Json::as_str).ok_or("two-step: config.url is required")?;
    let url = url.trim_end_matches('/');
    let poll_after_ms = config.get("pollAfterMs").and_then(Json::as_u64).unwrap_or(1000);
    let id = input.state.get("id").and_then(Json::as_str);
    let response = input.responses.first();
    if let Some(e) = response.and_then(|r| r.error.as_ref()) {
        return Err(e.clone());
    }
    if let Some(r) = response
        && !(200..300).contains(&r.status)
    {
        return Err(format!("two-step: the backend answered {}: {}", r.status, r.body));
    }
    let body: Option<Json> = response.map(|r| r.json()).transpose()?;
    match (id, body) {
        // Submit.
        (None, None) => {
            let job = config.get("job").cloned().unwrap_or(Json::Null);
            let request = HttpRequest::post(format!("{url}/jobs"), "application/json", job.to_string());
            Ok(StepOutput::Requests { requests: vec![request], state: Json::Null })
        }
        // Submitted: wait.
        (None, Some(body)) => {
            let id = body.get("id").and_then(Json::as_str).ok_or("two-step: the backend returned no job id")?;
            Ok(StepOutput::Pending { resume_after_ms: poll_after_ms, state: json!({ "id": id }) })
        }
        // Resumed: poll.
        (Some(id), None) => Ok(StepOutput::Requests {
            requests: vec![HttpRequest::get(format!("{url}/jobs/{id}"))],
            state: input.state.clone(),
        }),
        // Polled.
        (Some(id), Some(body)) => match body.get("status").and_then(Json::as_str) {
            Some("done") => Ok(StepOutput::done(body.get("value").cloned().unwrap_or(Json::Null))),
            Some("failed") => Err(format!(
                "two-step: job {id} failed: {}",
                body.get("error").and_then(Json::as_str).unwrap_or("no reason given")
            )),
            _ => Ok(StepOutput::Pending { resume_after_ms: poll_after_ms, state: input.state.clone() }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use augur_plugin_sdk::harness::Harness;

    #[test]
    fn submit_poll_poll_done() {
        let rec = augur_plugin_sdk::serde_json::from_value(json!({"exchanges": [
            {"request": {"method": "POST", "url": "http://b/jobs"}, "response": {"json": {"id": "j1"}}},
            {"request": {"method": "GET", "url": "http://b/jobs/j1"}, "response": {"json": {"status": "running"}}},
            {"request": {"method": "GET", "url": "http://b/jobs/j1"}, "response": {"json": {"status": "done", "value": 0.5}}},
        ]}))
        .unwrap();
        let mut h = Harness::new("augur/two-step", json!({"url": "http://b", "job": {"q": 1}}), rec);
        let steps = h.measure::<TwoStep>().unwrap();
        let kinds: Vec<&str> = steps
            .iter()
            .map(|s| match s.output {
                StepOutput::Requests { .. } => "requests",
                StepOutput::Pending { .. } => "pending",
                StepOutput::Done { .. } => "done",
                StepOutput::Error { .. } => "error",
            })
            .collect();
        assert_eq!(kinds, ["requests", "pending", "requests", "pending", "requests", "done"]);
        assert_eq!(steps[5].output, StepOutput::done(json!(0.5)));
        assert_eq!(h.unused_responses(), 0);
    }
}
