//! System calls: ping, version, info.

use std::time::Duration;

use bollard::models::{SystemInfo, SystemVersion};

use crate::{Client, Error};

impl Client {
    /// Pings the engine, failing after `timeout`: the supervisor's liveness probe.
    pub async fn ping_within(&self, timeout: Duration) -> Result<(), Error> {
        match tokio::time::timeout(timeout, self.docker.ping()).await {
            Ok(res) => res
                .map(drop)
                .map_err(|e| Error::from_bollard(&self.endpoint().host, e)),
            Err(_) => Err(Error::Timeout {
                endpoint: self.endpoint().host.clone(),
                what: "a ping",
                secs: timeout.as_secs().max(1),
            }),
        }
    }

    pub async fn version(&self) -> Result<SystemVersion, Error> {
        self.call("version", self.docker.version()).await
    }

    pub async fn info(&self) -> Result<SystemInfo, Error> {
        self.call("info", self.docker.info()).await
    }
}
