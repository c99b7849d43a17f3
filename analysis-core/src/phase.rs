//! Analysis phases, as Argo writes them into `AnalysisRun` status.

use serde::{Deserialize, Serialize};

/// The phase of a measurement, a metric or a run (`AnalysisPhase` in Argo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Phase {
    /// Not started (a metric with no measurement yet).
    #[default]
    Pending,
    /// In progress.
    Running,
    /// Completed: passed.
    Successful,
    /// Completed: failed.
    Failed,
    /// Completed: could not be decided because of errors.
    Error,
    /// Completed: neither passed nor failed; Rollouts pause for a human.
    Inconclusive,
}

impl Phase {
    /// True for Successful, Failed, Error and Inconclusive.
    pub fn is_completed(self) -> bool {
        matches!(self, Phase::Successful | Phase::Failed | Phase::Error | Phase::Inconclusive)
    }

    /// Argo's "worse than" rank: Successful < Running < Pending < Inconclusive < Error < Failed.
    pub fn rank(self) -> u8 {
        match self {
            Phase::Successful => 0,
            Phase::Running => 1,
            Phase::Pending => 2,
            Phase::Inconclusive => 3,
            Phase::Error => 4,
            Phase::Failed => 5,
        }
    }

    /// The phase's name as Argo spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Running => "Running",
            Phase::Successful => "Successful",
            Phase::Failed => "Failed",
            Phase::Error => "Error",
            Phase::Inconclusive => "Inconclusive",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Phase {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "Pending" => Phase::Pending,
            "Running" => Phase::Running,
            "Successful" => Phase::Successful,
            "Failed" => Phase::Failed,
            "Error" => Phase::Error,
            "Inconclusive" => Phase::Inconclusive,
            other => return Err(format!("unknown phase {other:?}")),
        })
    }
}
