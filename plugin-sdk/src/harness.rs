//! A native test harness: runs a [`Plugin`] through whole measurements against recorded
//! responses, without building wasm. It goes through the same JSON encoding and decoding as a
//! wasm build ([`guest::step_bytes`](crate::guest::step_bytes)), and follows the host's loop:
//! `requests` are answered from the [`Replay`] and stepped again, `pending` is resumed at once
//! (the virtual clock moves on by the asked delay), `done` and `error` end the measurement.

use serde_json::Value as Json;

use crate::guest;
use crate::message::{Call, HttpRequest, HttpResponse, RunInfo, StepInput, StepOutput};
use crate::plugin::Plugin;
use crate::raw::RawJson;
use crate::recording::{Recording, Replay};

/// One step of a harness run.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What the plugin got.
    pub input: StepInput,
    /// What it answered.
    pub output: StepOutput,
    /// The responses its requests got (empty unless it asked for requests).
    pub exchanges: Vec<(HttpRequest, HttpResponse)>,
}

/// Drives a plugin through measurements.
#[derive(Debug, Clone)]
pub struct Harness {
    plugin: String,
    metric: String,
    config: RawJson,
    now_unix: f64,
    max_steps: u32,
    replay: Replay,
}

impl Harness {
    /// A harness for the plugin named `plugin` (`org/name`) with the metric configuration
    /// `config`, at the Unix time 1,700,000,000 s, answering requests from `recording`.
    pub fn new(plugin: &str, config: Json, recording: Recording) -> Harness {
        Harness {
            plugin: plugin.to_string(),
            metric: "metric".to_string(),
            config: RawJson::from_value(&config),
            now_unix: 1_700_000_000.0,
            max_steps: 64,
            replay: Replay::new(recording),
        }
    }

    /// Sets the clock (Unix seconds).
    pub fn at(mut self, now_unix: f64) -> Harness {
        self.now_unix = now_unix;
        self
    }

    /// Runs one measurement to its end (`done` or `error`), returning every step.
    pub fn measure<P: Plugin>(&mut self) -> Result<Vec<Step>, String> {
        let mut steps: Vec<Step> = Vec::new();
        let mut state = Json::Null;
        let mut responses = Vec::new();
        let mut call = Call::Run;
        for index in 0..self.max_steps {
            let input = StepInput {
                abi: crate::ABI_VERSION,
                plugin: self.plugin.clone(),
                metric: self.metric.clone(),
                config: self.config.clone(),
                run: RunInfo { name: "run".into(), namespace: "default".into(), uid: String::new() },
                call,
                now: rfc3339(self.now_unix),
                now_unix: self.now_unix,
                step: index,
                state: std::mem::take(&mut state),
                responses: std::mem::take(&mut responses),
            };
            let bytes = serde_json::to_vec(&input).map_err(|e| e.to_string())?;
            let output: StepOutput = serde_json::from_slice(&guest::step_bytes::<P>(&bytes))
                .map_err(|e| format!("step {index}: the plugin's answer does not decode: {e}"))?;
            let mut step = Step { input, output, exchanges: Vec::new() };
            match &step.output {
                StepOutput::Requests { requests, state: next } => {
                    for request in requests {
                        let response = self.replay.respond(request)?;
                        step.exchanges.push((request.clone(), response.clone()));
                        responses.push(response);
                    }
                    state = next.clone();
                }
                StepOutput::Pending { resume_after_ms, state: next } => {
                    self.now_unix += *resume_after_ms as f64 / 1000.0;
                    state = next.clone();
                    call = Call::Resume;
                }
                StepOutput::Done { .. } | StepOutput::Error { .. } => {
                    steps.push(step);
                    return Ok(steps);
                }
            }
            steps.push(step);
        }
        Err(format!("the measurement did not end within {} steps", self.max_steps))
    }

    /// The final answer of one measurement (`done` or `error`).
    pub fn outcome<P: Plugin>(&mut self) -> Result<StepOutput, String> {
        let steps = self.measure::<P>()?;
        steps.last().map(|s| s.output.clone()).ok_or_else(|| "no step ran".to_string())
    }

    /// How many recorded exchanges are left unused (the harness's own).
    pub fn unused_responses(&self) -> usize {
        self.replay.remaining()
    }
}

/// `2026-01-01T00:00:00Z` for Unix seconds (whole seconds, as the host sends `now`).
fn rfc3339(unix: f64) -> String {
    let secs = unix.floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339() {
        assert_eq!(super::rfc3339(1_700_000_000.5), "2023-11-14T22:13:20Z");
        assert_eq!(super::rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_767_225_600.0), "2026-01-01T00:00:00Z");
    }
}
