//! Per-plugin resource limits. A plugin is untrusted code: every resource it can consume is
//! capped, and exceeding a cap ends the measurement as an Error, never the host.

use serde::{Deserialize, Serialize};

/// Limits applied to every step of a plugin (registry field `limits`; missing fields take the
/// defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Limits {
    /// Wall-clock deadline of one step (`augur_step` call), enforced by epoch interruption.
    /// Default 1000 ms.
    pub step_timeout_ms: u64,
    /// Largest linear memory. Default 64 MiB; at most 1 GiB (the instance pool's slot size).
    pub memory_bytes: usize,
    /// Most steps in one measurement, across resumes. Default 32.
    pub max_steps: u32,
    /// Largest step input handed to the guest (JSON, responses included). Default 4 MiB.
    pub max_input_bytes: usize,
    /// Largest answer read back from the guest. Default 4 MiB.
    pub max_output_bytes: usize,
    /// Largest HTTP response body passed on (a larger one becomes a transport error for the
    /// plugin). Default 1 MiB.
    pub max_response_bytes: usize,
    /// Most requests in one step. Default 8.
    pub max_requests_per_step: usize,
    /// Timeout of one HTTP request (a request's own `timeoutMs` can only lower it). Default
    /// 30 000 ms.
    pub http_timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            step_timeout_ms: 1000,
            memory_bytes: 64 << 20,
            max_steps: 32,
            max_input_bytes: 4 << 20,
            max_output_bytes: 4 << 20,
            max_response_bytes: 1 << 20,
            max_requests_per_step: 8,
            http_timeout_ms: 30_000,
        }
    }
}
