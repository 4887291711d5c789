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
    /// The engine cannot do it as it is set up (a rootless engine without cgroups measures no
    /// container).
    Unsupported,
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

    /// The engine's refusal to remove `what` while containers use it, with their names and what
    /// to do: `volume data is in use by web, worker: remove those containers first`.
    pub(crate) fn in_use(what: &str, users: &[String], fix: &str) -> Self {
        let by = match users {
            [] => "a container".to_owned(),
            _ => users.join(", "),
        };
        let them = if users.len() > 1 {
            "those containers"
        } else {
            "the container"
        };
        Self::new(
            ErrorCode::Conflict,
            format!("{what} is in use by {by}: {fix} {them} first"),
        )
    }
}

/// Work moved off the async threads (a credential helper, the keychain) that panicked.
impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::new(ErrorCode::Internal, e.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_use_names_the_users_and_what_to_do() {
        let said = |users: &[&str]| {
            let users: Vec<String> = users.iter().map(|u| u.to_string()).collect();
            ApiError::in_use("volume data", &users, "remove").message
        };
        assert_eq!(
            said(&["web"]),
            "volume data is in use by web: remove the container first"
        );
        assert_eq!(
            said(&["web", "worker"]),
            "volume data is in use by web, worker: remove those containers first"
        );
        assert_eq!(
            said(&[]),
            "volume data is in use by a container: remove the container first"
        );
        assert_eq!(
            ApiError::in_use("network n", &[], "disconnect or remove").code,
            ErrorCode::Conflict
        );
    }
}
