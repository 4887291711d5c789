//! The compose manager's one error type. Every variant names the file, service or key it is
//! about and says what to do, so the CLI and the app can show it on one line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No compose file where one was looked for.
    #[error(
        "no compose file in {dir}: create compose.yaml there, or name one with -f",
        dir = .dir.display()
    )]
    NoComposeFile { dir: PathBuf },
    /// A file that was named (or included, extended, or used as an env file) cannot be read.
    #[error("cannot read {path}: {reason}", path = .path.display())]
    Read { path: PathBuf, reason: String },
    /// Not YAML, or not the shape compose expects at that place.
    #[error("{path}: {reason}", path = .path.display())]
    Parse { path: PathBuf, reason: String },
    /// `${VAR:?message}` with VAR unset, or a malformed `${...}`.
    #[error("{at}: {reason}")]
    Interpolation { at: String, reason: String },
    /// The merged model does not satisfy the Compose schema.
    #[error("{at}: {reason} (Compose specification)")]
    Schema { at: String, reason: String },
    /// Anything else wrong with the model: a missing service, a dependency cycle, a bad value.
    #[error("{at}: {reason}")]
    Invalid { at: String, reason: String },
    /// The engine refused or failed an operation.
    #[error(transparent)]
    Engine(#[from] berth_docker::Error),
    /// One or more services failed while applying a plan.
    #[error("{0}")]
    Apply(String),
}

impl Error {
    pub(crate) fn invalid(at: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            at: at.into(),
            reason: reason.into(),
        }
    }
}
