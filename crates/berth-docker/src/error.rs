//! The client's one error enum. Every variant renders as one line that names the input and,
//! where there is one, what to do about it.

use std::io;

/// An engine call that failed. Variants keep the engine's status code where it sent one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("invalid engine address {host:?}: {reason}")]
    InvalidEndpoint { host: String, reason: String },

    #[error(
        "no engine socket at {path}: start an engine (`berth engine start`) or point DOCKER_HOST at one"
    )]
    SocketMissing { path: String },

    #[error(
        "permission denied on {endpoint}: add your user to the `docker` group (`sudo usermod -aG docker $USER`, then log in again) or use Berth's own engine (`berth engine start`)"
    )]
    PermissionDenied { endpoint: String },

    #[error(
        "the engine at {endpoint} refused the connection: is dockerd running? (`berth engine start` starts Berth's own)"
    )]
    Refused { endpoint: String },

    #[error("the engine at {endpoint} is unreachable: {detail}")]
    Unreachable { endpoint: String, detail: String },

    #[error("the engine at {endpoint} did not answer {what} within {secs} s")]
    Timeout {
        endpoint: String,
        what: &'static str,
        secs: u64,
    },

    #[error("TLS material for {endpoint} is unusable: {detail}")]
    Tls { endpoint: String, detail: String },

    #[error("not found: {message}")]
    NotFound { message: String },

    /// The engine's own words say what conflicts (`Conflict. The container name …`,
    /// `conflict: unable to remove …`, `volume is in use`), so they stand alone.
    #[error("{message}")]
    Conflict { message: String },

    #[error("the engine answered {status}: {message}")]
    Engine { status: u16, message: String },

    #[error("unexpected answer from the engine at {endpoint}: {detail}")]
    Protocol { endpoint: String, detail: String },

    /// Bad input, caught before the engine is asked.
    #[error("{input}: {reason}")]
    Invalid { input: String, reason: String },

    #[error("{}", match step { Some(step) => format!("the build failed at {step}: {message}"), None => format!("the build failed: {message}") })]
    BuildFailed {
        step: Option<String>,
        message: String,
    },

    /// A pull or push the registry (or the engine talking to it) refused.
    #[error("{reference}: {message}")]
    Registry { reference: String, message: String },
}

impl Error {
    pub(crate) fn invalid(input: impl std::fmt::Display, reason: &str) -> Self {
        Error::Invalid {
            input: input.to_string(),
            reason: reason.to_owned(),
        }
    }

    /// Classifies a bollard error for the engine at `endpoint`.
    pub(crate) fn from_bollard(endpoint: &str, err: bollard::errors::Error) -> Self {
        use bollard::errors::Error as B;
        let endpoint = endpoint.to_owned();
        match err {
            B::DockerResponseServerError {
                status_code,
                message,
            } => {
                // Engine messages may span lines; ours are one line.
                let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
                match status_code {
                    404 => Error::NotFound { message },
                    409 => Error::Conflict { message },
                    400 if message.contains("HTTP request to an HTTPS server") => Error::Tls {
                        endpoint,
                        detail: "the engine speaks TLS but no certificates were given: add ca.pem, cert.pem and key.pem to the context".into(),
                    },
                    status => Error::Engine { status, message },
                }
            }
            B::SocketNotFoundError(path) => Error::SocketMissing { path },
            B::RequestTimeoutError => Error::Timeout {
                endpoint,
                what: "a request",
                secs: 0,
            },
            B::CertPathError { .. }
            | B::CertMultipleKeys { .. }
            | B::CertParseError { .. }
            | B::NoNativeCertsError { .. }
            | B::LoadNativeCertsErrors { .. } => Error::Tls {
                endpoint,
                detail: err.to_string(),
            },
            other => match io_kind(&other) {
                Some(io::ErrorKind::PermissionDenied) => Error::PermissionDenied { endpoint },
                Some(io::ErrorKind::ConnectionRefused) => Error::Refused { endpoint },
                Some(io::ErrorKind::NotFound) => Error::SocketMissing { path: endpoint },
                Some(_) | None if is_transport(&other) => Error::Unreachable {
                    endpoint,
                    detail: innermost(&other),
                },
                _ => Error::Protocol {
                    endpoint,
                    detail: other.to_string(),
                },
            },
        }
    }

    /// True when the engine could not be reached at all (as opposed to answering with an error).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Error::SocketMissing { .. }
                | Error::PermissionDenied { .. }
                | Error::Refused { .. }
                | Error::Unreachable { .. }
                | Error::Timeout { .. }
                | Error::Tls { .. }
                | Error::InvalidEndpoint { .. }
        )
    }
}

fn io_kind(err: &(dyn std::error::Error + 'static)) -> Option<io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        cur = e.source();
    }
    None
}

fn is_transport(err: &bollard::errors::Error) -> bool {
    use bollard::errors::Error as B;
    matches!(
        err,
        B::HyperLegacyError { .. } | B::IOError { .. } | B::HttpClientError { .. }
    )
}

fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
