//! The engine's states and the status record the control socket sends.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Mode;

/// `Stopped → Starting → Running → Stopping → Stopped`, plus `Failed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum EngineState {
    Stopped,
    Starting,
    Running {
        /// dockerd's process id.
        pid: u32,
        /// The negotiated API version.
        api_version: String,
    },
    Stopping,
    Failed {
        reason: String,
        /// Set while a restart is scheduled.
        retry_in_ms: Option<u64>,
    },
}

impl EngineState {
    pub fn name(&self) -> &'static str {
        match self {
            EngineState::Stopped => "stopped",
            EngineState::Starting => "starting",
            EngineState::Running { .. } => "running",
            EngineState::Stopping => "stopping",
            EngineState::Failed { .. } => "failed",
        }
    }

    /// Failed with no restart coming.
    pub fn is_final_failure(&self) -> bool {
        matches!(
            self,
            EngineState::Failed {
                retry_in_ms: None,
                ..
            }
        )
    }
}

/// What a supervisor reports about its engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    #[serde(flatten)]
    pub state: EngineState,
    pub mode: Mode,
    pub socket: PathBuf,
    pub data_root: PathBuf,
    pub log: PathBuf,
    pub supervisor_pid: u32,
}
