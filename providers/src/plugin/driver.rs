//! The measurement loop: step the plugin, perform the requests it asks for, step it again
//! with the responses, until it answers `done`, `error` or `pending`. WebAssembly runs on
//! tokio's blocking pool (a step may take up to its deadline); HTTP is awaited in between.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use augur_plugin_sdk::recording::{Exchange, RecordedRequest, RecordedResponse, Recording};
use augur_plugin_sdk::{HttpRequest, HttpResponse, Json, RawJson, StepInput, StepOutput};
use serde::{Deserialize, Serialize};

use super::error::PluginError;
use super::http::{HttpExecutor, prepare};
use super::instance::PluginInstance;
use super::loaded::LoadedPlugin;

/// Where a pending measurement resumes: kept in its metadata between calls.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResumeState {
    /// The next step's index.
    pub step: u32,
    /// The plugin's state.
    #[serde(default)]
    pub state: Json,
}

/// How a measurement call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The plugin's result.
    Done {
        /// The value, as JSON text.
        value: RawJson,
        /// Its declared type.
        result_type: Option<String>,
        /// Measurement metadata.
        metadata: BTreeMap<String, String>,
    },
    /// Resume later.
    Pending {
        /// After this long.
        resume_after: Duration,
        /// From here.
        resume: ResumeState,
    },
    /// The measurement failed.
    Failed(PluginError),
}

/// One step, as `augur plugin test` prints it and recordings keep it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// The step's index.
    pub step: u32,
    /// What the plugin answered (absent when the step failed).
    pub output: Option<StepOutput>,
    /// The requests it made and their responses.
    pub exchanges: Vec<(HttpRequest, HttpResponse)>,
}

/// Runs steps from `input` (its `step`, `state` and `call` say where) to the end of this call.
/// `records`, when given, receives every step.
pub async fn drive(
    plugin: &Arc<LoadedPlugin>,
    http: &dyn HttpExecutor,
    mut input: StepInput,
    mut records: Option<&mut Vec<StepRecord>>,
) -> Outcome {
    let entry = plugin.entry();
    let limits = entry.limits;
    let name = plugin.name().to_string();
    let mut instance: Option<PluginInstance> = None;
    loop {
        if input.step >= limits.max_steps {
            return Outcome::Failed(PluginError::TooManySteps { plugin: name, limit: limits.max_steps });
        }
        let step = input.step;
        let bytes = match serde_json::to_vec(&input) {
            Ok(b) => b,
            Err(e) => {
                return Outcome::Failed(PluginError::Malformed {
                    plugin: name,
                    step,
                    message: format!("step input: {e}"),
                });
            }
        };
        let (p, held) = (plugin.clone(), instance.take());
        let ran = tokio::task::spawn_blocking(move || {
            let mut inst = match held {
                Some(i) => i,
                None => match p.instantiate() {
                    Ok(i) => i,
                    Err(e) => return (None, Err(e)),
                },
            };
            let out = inst.step(step, &bytes);
            (Some(inst), out)
        })
        .await;
        let output = match ran {
            Ok((held, Ok(output))) => {
                instance = held;
                output
            }
            Ok((_, Err(e))) => {
                if let Some(r) = records.as_deref_mut() {
                    r.push(StepRecord { step, output: None, exchanges: Vec::new() });
                }
                return Outcome::Failed(e);
            }
            Err(e) => {
                return Outcome::Failed(PluginError::Trap {
                    plugin: name,
                    step,
                    message: format!("host task failed: {e}"),
                });
            }
        };
        let mut record = StepRecord { step, output: Some(output.clone()), exchanges: Vec::new() };
        let next = match output {
            StepOutput::Requests { requests, state } => {
                if requests.len() > limits.max_requests_per_step {
                    push(&mut records, record);
                    return Outcome::Failed(PluginError::Refused {
                        plugin: name,
                        message: format!(
                            "step {step} asked for {} requests; the limit is {}",
                            requests.len(),
                            limits.max_requests_per_step
                        ),
                    });
                }
                let mut responses = Vec::with_capacity(requests.len());
                for request in requests {
                    let prepared = match prepare(entry, &limits, &request) {
                        Ok(p) => p,
                        Err(message) => {
                            push(&mut records, record);
                            return Outcome::Failed(PluginError::Refused { plugin: name, message });
                        }
                    };
                    let response = http.execute(prepared).await;
                    record.exchanges.push((request, response.clone()));
                    responses.push(response);
                }
                Some((state, responses))
            }
            StepOutput::Pending { resume_after_ms, state } => {
                push(&mut records, record);
                return Outcome::Pending {
                    resume_after: Duration::from_millis(resume_after_ms),
                    resume: ResumeState { step: step + 1, state },
                };
            }
            StepOutput::Done { value, result_type, metadata } => {
                push(&mut records, record);
                return Outcome::Done { value, result_type, metadata };
            }
            StepOutput::Error { message } => {
                push(&mut records, record);
                return Outcome::Failed(PluginError::Plugin { plugin: name, message });
            }
        };
        push(&mut records, record);
        if let Some((state, responses)) = next {
            input.step = step + 1;
            input.state = state;
            input.responses = responses;
        }
    }
}

fn push(records: &mut Option<&mut Vec<StepRecord>>, record: StepRecord) {
    if let Some(r) = records.as_deref_mut() {
        r.push(record);
    }
}

/// The exchanges of recorded steps as a [`Recording`]: replaying it (with
/// [`ReplayExecutor`](super::ReplayExecutor) or `augur plugin test --responses`) reproduces the
/// measurement without a network. Requests are recorded as the plugin made them, before the
/// host injected authentication, so a recording holds no credential.
pub fn recording(steps: &[StepRecord]) -> Recording {
    let exchanges = steps
        .iter()
        .flat_map(|s| &s.exchanges)
        .map(|(request, response)| Exchange {
            request: RecordedRequest { method: request.method_or_default().to_string(), url: request.url.clone() },
            response: RecordedResponse {
                status: response.status,
                headers: response.headers.clone(),
                body: response.body.clone(),
                json: None,
                error: response.error.clone(),
            },
        })
        .collect();
    Recording { exchanges }
}
