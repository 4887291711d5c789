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

    /// The engine's clock, unix seconds (rounded down): a `since` for [`Client::events`] that
    /// loses nothing to a clock apart from this host's.
    pub async fn engine_time(&self) -> Result<i64, Error> {
        let info = self.info().await?;
        let time = info.system_time.unwrap_or_default();
        time.parse::<jiff::Timestamp>()
            .map(|t| t.as_second())
            .map_err(|e| Error::Protocol {
                endpoint: self.endpoint().host.clone(),
                detail: format!("its time {time:?}: {e}"),
            })
    }
}

/// One engine event: what happened to which object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// `container`, `image`, `volume`, `network`, `daemon`, …
    pub kind: String,
    /// `create`, `start`, `die`, `health_status: healthy`, …
    pub action: String,
    pub actor: String,
    pub attributes: std::collections::BTreeMap<String, String>,
    /// Nanoseconds since the Unix epoch.
    pub time_nano: i64,
}

impl Client {
    /// The engine's events as they happen (and those since `since`, unix seconds), filtered as
    /// `docker events --filter` is (`type=container`, `event=die`, `label=k=v`, …). Dropping the
    /// stream ends the engine call.
    pub fn events(
        &self,
        since: Option<i64>,
        until: Option<i64>,
        filters: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> impl futures_util::Stream<Item = Result<Event, Error>> + use<> {
        use futures_util::StreamExt;
        let mut opts = bollard::query_parameters::EventsOptionsBuilder::default();
        let (since, until) = (since.map(|s| s.to_string()), until.map(|u| u.to_string()));
        if let Some(s) = &since {
            opts = opts.since(s);
        }
        if let Some(u) = &until {
            opts = opts.until(u);
        }
        let opts = opts.filters(&crate::query_filters(filters)).build();
        let endpoint = self.endpoint().host.clone();
        self.docker.events(Some(opts)).map(move |e| {
            e.map(|m| {
                let actor = m.actor.unwrap_or_default();
                Event {
                    kind: m.typ.map(|t| t.to_string()).unwrap_or_default(),
                    action: m.action.unwrap_or_default(),
                    actor: actor.id.unwrap_or_default(),
                    attributes: actor.attributes.unwrap_or_default().into_iter().collect(),
                    time_nano: m
                        .time_nano
                        .unwrap_or_else(|| m.time.unwrap_or(0) * 1_000_000_000),
                }
            })
            .map_err(|e| Error::from_bollard(&endpoint, e))
        })
    }
}
