//! [`Client`]: a connected, version-negotiated engine, and the timeout wrapper every call uses.

use std::future::Future;
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, Docker};

use crate::endpoint::Address;
use crate::{Endpoint, Error};

/// How long a single request may take before Berth gives up on it.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(unix)]
fn unix_socket(endpoint: &Endpoint, path: &str, secs: u64) -> Result<Docker, Error> {
    Docker::connect_with_unix(path, secs, API_DEFAULT_VERSION)
        .map_err(|e| Error::from_bollard(&endpoint.host, e))
}

#[cfg(not(unix))]
fn unix_socket(endpoint: &Endpoint, path: &str, _secs: u64) -> Result<Docker, Error> {
    Err(endpoint.invalid(&format!(
        "there are no unix sockets on this system ({path}): use npipe:// or tcp://"
    )))
}

#[cfg(windows)]
fn named_pipe(endpoint: &Endpoint, pipe: &str, secs: u64) -> Result<Docker, Error> {
    Docker::connect_with_named_pipe(pipe, secs, API_DEFAULT_VERSION)
        .map_err(|e| Error::from_bollard(&endpoint.host, e))
}

#[cfg(not(windows))]
fn named_pipe(endpoint: &Endpoint, pipe: &str, _secs: u64) -> Result<Docker, Error> {
    Err(endpoint.invalid(&format!(
        "named pipes ({pipe}) exist only on Windows: use unix:// or tcp://"
    )))
}

/// A connected engine whose API version has been negotiated.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) docker: Docker,
    endpoint: Endpoint,
    api_version: String,
}

impl Client {
    /// Connects to `endpoint`, pings it and negotiates the API version, all within `timeout`.
    pub async fn connect(endpoint: &Endpoint, timeout: Duration) -> Result<Self, Error> {
        let name = endpoint.host.as_str();
        let secs = CALL_TIMEOUT.as_secs();
        let bollard = |e| Error::from_bollard(name, e);
        let docker = match endpoint.address()? {
            Address::Unix(path) => {
                let path = path.to_str().ok_or_else(|| Error::InvalidEndpoint {
                    host: name.to_owned(),
                    reason: "the socket path is not UTF-8".into(),
                })?;
                unix_socket(endpoint, path, secs)?
            }
            Address::NamedPipe(pipe) => named_pipe(endpoint, pipe, secs)?,
            Address::Tcp(_) => match &endpoint.tls {
                Some(tls) => Docker::connect_with_ssl(
                    name,
                    &tls.key,
                    &tls.cert,
                    &tls.ca,
                    secs,
                    API_DEFAULT_VERSION,
                ),
                None => Docker::connect_with_http(name, secs, API_DEFAULT_VERSION),
            }
            .map_err(bollard)?,
        };

        let negotiate = async {
            docker.ping().await?;
            docker.negotiate_version().await
        };
        let docker = tokio::time::timeout(timeout, negotiate)
            .await
            .map_err(|_| Error::Timeout {
                endpoint: name.to_owned(),
                what: "a ping",
                secs: timeout.as_secs().max(1),
            })?
            .map_err(bollard)?;
        let v = docker.client_version();
        let api_version = format!("{}.{}", v.major_version, v.minor_version);
        tracing::debug!(endpoint = name, api_version, "engine connected");
        Ok(Self {
            docker,
            endpoint: endpoint.clone(),
            api_version,
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The negotiated API version, e.g. `1.41`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Whether the negotiated API is `major.minor` or newer.
    pub fn api_at_least(&self, major: u32, minor: u32) -> bool {
        version_at_least(&self.api_version, major, minor)
    }

    /// Runs one engine call under the call timeout, mapping its error.
    pub(crate) async fn call<T, F>(&self, what: &'static str, fut: F) -> Result<T, Error>
    where
        F: Future<Output = Result<T, bollard::errors::Error>>,
    {
        self.call_within(what, CALL_TIMEOUT, fut).await
    }

    /// Runs a future of Berth's own (not a bollard call) under the call timeout.
    pub(crate) async fn within<T>(
        &self,
        what: &'static str,
        fut: impl Future<Output = T>,
    ) -> Result<T, Error> {
        tokio::time::timeout(CALL_TIMEOUT, fut)
            .await
            .map_err(|_| Error::Timeout {
                endpoint: self.endpoint.host.clone(),
                what,
                secs: CALL_TIMEOUT.as_secs(),
            })
    }

    /// [`Client::call`] for calls that may legitimately take longer (a stop's grace period).
    pub(crate) async fn call_within<T, F>(
        &self,
        what: &'static str,
        limit: Duration,
        fut: F,
    ) -> Result<T, Error>
    where
        F: Future<Output = Result<T, bollard::errors::Error>>,
    {
        match tokio::time::timeout(limit, fut).await {
            Ok(res) => res.map_err(|e| Error::from_bollard(&self.endpoint.host, e)),
            Err(_) => Err(Error::Timeout {
                endpoint: self.endpoint.host.clone(),
                what,
                secs: limit.as_secs(),
            }),
        }
    }
}

/// Whether the API version `version` (`1.41`) is `major.minor` or newer.
pub fn version_at_least(version: &str, major: u32, minor: u32) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_refused_here_with_what_to_use() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let endpoint = Endpoint {
            host: "npipe:////./pipe/docker_engine".into(),
            tls: None,
        };
        let err = rt
            .block_on(Client::connect(&endpoint, Duration::from_secs(1)))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("npipe:////./pipe/docker_engine")
                && err.contains("exist only on Windows: use unix:// or tcp://"),
            "{err}"
        );
    }

    #[test]
    fn versions() {
        assert!(!version_at_least("1.41", 1, 44));
        assert!(version_at_least("1.44", 1, 44));
        assert!(version_at_least("1.53", 1, 44));
    }
}
