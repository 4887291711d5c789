//! The engine crate's error enum: one line each, naming the input and what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("unknown context {name:?}: `berth context ls` lists the contexts there are")]
    UnknownContext { name: String },

    #[error("{detail}")]
    InvalidInput { detail: String },

    #[error("{path}: {detail}")]
    BadFile { path: PathBuf, detail: String },

    /// Every candidate failed (`tried`: each with why). Says nothing of how to start one: the
    /// CLI adds its command, the app has a button.
    #[error("no engine is reachable ({tried})")]
    NoEngine { tried: String },

    #[error("{0}")]
    Client(#[from] berth_docker::Error),

    #[error("Berth's engine cannot start: {reason}")]
    Preflight { reason: String },

    #[error("Berth's engine on {data_root} is already supervised by process {pid}")]
    AlreadySupervised { data_root: PathBuf, pid: u32 },

    #[error("Berth's engine is not running")]
    NotRunning,

    #[error("Berth's engine failed: {reason}")]
    Failed { reason: String },

    /// The stored registry logins could not be read or written.
    #[error("{reason}")]
    Credentials { reason: String },

    #[error("{what} timed out after {secs} s")]
    Timeout { what: String, secs: u64 },

    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let what = what.into();
        move |source| Error::Io { what, source }
    }
}
