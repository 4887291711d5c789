//! Which engine Berth talks to: the candidates in order, and the first that answers.
//!
//! Order: `DOCKER_HOST`, the current Docker context, `/var/run/docker.sock`,
//! `$XDG_RUNTIME_DIR/docker.sock`, then Berth's own engine. The first that answers a ping
//! (and negotiates its API version) wins.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use berth_docker::{Client, Endpoint};

use crate::Error;
use crate::context::{ContextStore, SYSTEM_SOCKET};

/// Where a candidate engine came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    DockerHost,
    Context(String),
    SystemSocket,
    UserSocket,
    Berth,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::DockerHost => f.write_str("DOCKER_HOST"),
            Source::Context(name) => write!(f, "context {name}"),
            Source::SystemSocket => f.write_str("system socket"),
            Source::UserSocket => f.write_str("user socket"),
            Source::Berth => f.write_str("Berth's engine"),
        }
    }
}

/// One engine Berth may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub source: Source,
    pub endpoint: Endpoint,
}

/// The candidates in the documented order, without duplicates.
///
/// Fails only when `DOCKER_CONTEXT` or `currentContext` names a context that does not exist,
/// since then the user asked for something Berth cannot honour.
pub fn candidates(store: &ContextStore, berth_socket: &Path) -> Result<Vec<Candidate>, Error> {
    let env = store.env();
    let mut out: Vec<Candidate> = Vec::new();
    let mut push = |source: Source, endpoint: Endpoint| {
        if !out.iter().any(|c| c.endpoint.host == endpoint.host) {
            out.push(Candidate { source, endpoint });
        }
    };
    if let Some(host) = &env.docker_host {
        push(
            Source::DockerHost,
            Endpoint {
                host: host.clone(),
                tls: None,
            },
        );
    }
    let current = store.current_name()?;
    if current != "default" {
        let ctx = store.get(&current)?;
        push(Source::Context(ctx.name), ctx.endpoint);
    }
    push(Source::SystemSocket, Endpoint::unix(SYSTEM_SOCKET));
    if let Some(run) = &env.xdg_runtime_dir {
        push(Source::UserSocket, Endpoint::unix(run.join("docker.sock")));
    }
    push(Source::Berth, Endpoint::unix(berth_socket));
    Ok(out)
}

/// A candidate that answered.
#[derive(Clone, Debug)]
pub struct Found {
    pub candidate: Candidate,
    pub client: Client,
    /// The candidates before it, which did not answer, each with why (`no socket`, `refused`…).
    pub passed_over: Vec<(Candidate, &'static str)>,
}

impl Found {
    /// The engine the user asked for (`DOCKER_HOST`, or a current context other than
    /// `default`) when it did not answer and another one is in use, said in one line: the
    /// Docker CLI would fail there, so Berth says it did not use it.
    pub fn unheeded(&self) -> Option<String> {
        let (asked, why) = self
            .passed_over
            .iter()
            .find(|(c, _)| matches!(c.source, Source::DockerHost | Source::Context(_)))?;
        Some(format!(
            "{} {} does not answer ({why}); using {} at {} instead",
            asked.source, asked.endpoint.host, self.candidate.source, self.candidate.endpoint.host
        ))
    }
}

/// Connects to the first candidate that answers within `timeout` each.
pub async fn connect_first(candidates: &[Candidate], timeout: Duration) -> Result<Found, Error> {
    let mut passed_over = Vec::new();
    for candidate in candidates {
        match Client::connect(&candidate.endpoint, timeout).await {
            Ok(client) => {
                return Ok(Found {
                    candidate: candidate.clone(),
                    client,
                    passed_over,
                });
            }
            Err(err) => {
                tracing::debug!(source = %candidate.source, %err, "engine candidate unavailable");
                passed_over.push((candidate.clone(), short(&err)));
            }
        }
    }
    let tried: Vec<String> = passed_over
        .iter()
        .map(|(c, why)| format!("{} {}: {why}", c.source, c.endpoint.host))
        .collect();
    Err(Error::NoEngine {
        tried: tried.join("; "),
    })
}

fn short(err: &berth_docker::Error) -> &'static str {
    use berth_docker::Error as E;
    match err {
        E::SocketMissing { .. } => "no socket",
        E::PermissionDenied { .. } => "permission denied",
        E::Refused { .. } => "refused",
        E::Timeout { .. } => "no answer",
        E::Tls { .. } => "bad TLS material",
        E::InvalidEndpoint { .. } => "invalid address",
        _ => "unreachable",
    }
}
