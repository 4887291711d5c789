//! [`ApiError`]: what the UI and the CLI get back from any facade call.

use serde::Serialize;
use ts_rs::TS;

/// What kind of failure, for callers that branch on it (the UI shows a Start button for
/// `EngineUnreachable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    EngineUnreachable,
    EngineFailed,
    NotFound,
    Conflict,
    InvalidInput,
    Internal,
}

/// A failed call: a code and one line for a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
}

impl From<berth_docker::Error> for ApiError {
    fn from(err: berth_docker::Error) -> Self {
        use berth_docker::Error as E;
        let code = match &err {
            E::NotFound { .. } => ErrorCode::NotFound,
            E::Conflict { .. } => ErrorCode::Conflict,
            E::InvalidEndpoint { .. } | E::Invalid { .. } => ErrorCode::InvalidInput,
            e if e.is_unreachable() => ErrorCode::EngineUnreachable,
            _ => ErrorCode::Internal,
        };
        Self::new(code, err.to_string())
    }
}

impl From<berth_engine::Error> for ApiError {
    fn from(err: berth_engine::Error) -> Self {
        use berth_engine::Error as E;
        match err {
            E::Client(e) => e.into(),
            E::UnknownContext { .. }
            | E::BadFile { .. }
            | E::Credentials { .. }
            | E::InvalidInput { .. } => Self::invalid(err.to_string()),
            E::NoEngine { .. } | E::NotRunning => {
                Self::new(ErrorCode::EngineUnreachable, err.to_string())
            }
            E::Preflight { .. } | E::Failed { .. } | E::Timeout { .. } => {
                Self::new(ErrorCode::EngineFailed, err.to_string())
            }
            _ => Self::new(ErrorCode::Internal, err.to_string()),
        }
    }
}

impl From<berth_compose::Error> for ApiError {
    fn from(err: berth_compose::Error) -> Self {
        use berth_compose::Error as E;
        match err {
            E::Engine(e) => e.into(),
            E::Apply(_) => Self::new(ErrorCode::EngineFailed, err.to_string()),
            E::NoComposeFile { .. } | E::Read { .. } => {
                Self::new(ErrorCode::NotFound, err.to_string())
            }
            _ => Self::invalid(err.to_string()),
        }
    }
}
