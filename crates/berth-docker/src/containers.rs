//! Containers: list, create, start, stop, restart, kill, pause, unpause, remove, rename,
//! inspect, wait, and logs as a stream with stdout and stderr kept apart.

use std::time::Duration;

use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, ContainerInspectResponse, ContainerSummary};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, KillContainerOptionsBuilder, ListContainersOptionsBuilder,
    LogsOptionsBuilder, RemoveContainerOptionsBuilder, RenameContainerOptionsBuilder,
    RestartContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use crate::spec::{RunSpec, check_name};
use crate::{Client, Error};

/// Which stream a log line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStream {
    Stdout,
    Stderr,
    /// A TTY container's single stream.
    Console,
}

/// A chunk of a container's output (a line, unless the container wrote partial lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogChunk {
    pub stream: LogStream,
    pub bytes: Bytes,
}

impl LogChunk {
    /// One item of the engine's multiplexed output (logs, exec, attach); stdin echoes are
    /// dropped.
    pub(crate) fn from_engine(
        item: Result<LogOutput, bollard::errors::Error>,
        endpoint: &str,
    ) -> Option<Result<Self, Error>> {
        let (stream, bytes) = match item {
            Ok(LogOutput::StdOut { message }) => (LogStream::Stdout, message),
            Ok(LogOutput::StdErr { message }) => (LogStream::Stderr, message),
            Ok(LogOutput::Console { message }) => (LogStream::Console, message),
            Ok(LogOutput::StdIn { .. }) => return None,
            Err(e) => return Some(Err(Error::from_bollard(endpoint, e))),
        };
        Some(Ok(LogChunk { stream, bytes }))
    }
}

/// What `logs` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogOptions {
    pub follow: bool,
    /// Unix seconds.
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// The last N lines only.
    pub tail: Option<u64>,
    pub timestamps: bool,
}

/// A container just made: its id and what the engine warned of as it made it (a limit this
/// kernel cannot apply, discarded), which the docker CLI prints as `WARNING: …`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub warnings: Vec<String>,
}

/// What `docker update` changes in a running container; what is not set stays.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerUpdate {
    pub cpus: Option<f64>,
    pub memory: Option<i64>,
    /// Memory plus swap (`-1`: unlimited swap); with only `memory` raised, swap is unlimited.
    pub memory_swap: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub pids_limit: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub restart: Option<crate::spec::Restart>,
    pub blkio_weight: Option<u16>,
    /// Microseconds.
    pub cpu_period: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub cpuset_mems: Option<String>,
}

impl Client {
    /// Lists containers; `all` includes stopped ones, like `docker ps -a`.
    pub async fn list_containers(&self, all: bool) -> Result<Vec<ContainerSummary>, Error> {
        self.list_containers_where(all, false, &Default::default())
            .await
    }

    /// Lists the containers the engine's filters let through (`name`, `label`, `status`,
    /// `ancestor`, … as `docker ps --filter` takes them; the engine refuses unknown ones), with
    /// their sizes when `size` (the engine measures each container's files: slower).
    pub async fn list_containers_where(
        &self,
        all: bool,
        size: bool,
        filters: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<Vec<ContainerSummary>, Error> {
        let filters = crate::query_filters(filters);
        let opts = ListContainersOptionsBuilder::default()
            .all(all)
            .size(size)
            .filters(&filters)
            .build();
        self.call(
            "the container list",
            self.docker.list_containers(Some(opts)),
        )
        .await
    }

    /// Creates a container.
    pub async fn create_container(&self, spec: &RunSpec) -> Result<Created, Error> {
        self.create_container_from(
            spec.name.as_deref(),
            spec.options.platform.as_deref(),
            spec.to_create_body(),
        )
        .await
    }

    /// Creates a container from a complete engine request (compose builds its own), of the
    /// image for `platform` (`linux/arm64`) when given.
    pub async fn create_container_from(
        &self,
        name: Option<&str>,
        platform: Option<&str>,
        body: ContainerCreateBody,
    ) -> Result<Created, Error> {
        let mut opts = CreateContainerOptionsBuilder::default();
        if let Some(name) = name {
            check_name(name)?;
            opts = opts.name(name);
        }
        if let Some(platform) = platform {
            opts = opts.platform(platform);
        }
        let image = body.image.clone().unwrap_or_default();
        let resp = match legacy_mac_address(&body, self.api_at_least(1, 44)) {
            Some(mac) => self.create_with_mac(name, platform, body, mac).await,
            None => self
                .call(
                    "a container create",
                    self.docker.create_container(Some(opts.build()), body),
                )
                .await
                .map(|r| Created {
                    id: r.id,
                    warnings: r.warnings,
                }),
        };
        match resp {
            Ok(made) => Ok(made),
            Err(Error::NotFound { .. }) => Err(Error::Invalid {
                reason: match platform {
                    Some(p) => format!(
                        "no image for {p} here: pull it for that platform (berth pull --platform {p} {image}), or build it"
                    ),
                    None => "no such image here: pull or build it first".into(),
                },
                input: image,
            }),
            Err(e) => Err(e),
        }
    }

    /// A create with the container-level `MacAddress` an engine before API 1.44 reads (bollard
    /// 0.21 models it per endpoint only, where those engines ignore it).
    async fn create_with_mac(
        &self,
        name: Option<&str>,
        platform: Option<&str>,
        body: ContainerCreateBody,
        mac: String,
    ) -> Result<Created, Error> {
        let mut json = serde_json::to_value(&body).map_err(|e| Error::Protocol {
            endpoint: self.endpoint().host.clone(),
            detail: e.to_string(),
        })?;
        json["MacAddress"] = serde_json::Value::String(mac);
        let mut query = Vec::new();
        if let Some(name) = name {
            query.push(format!("name={name}"));
        }
        if let Some(platform) = platform {
            query.push(format!("platform={}", platform.replace('/', "%2F")));
        }
        let path = format!("/containers/create?{}", query.join("&"));
        let body = serde_json::to_vec(&json).expect("serialises");
        let answer = self.raw("POST", &path, Some(&body)).await?.ok_or_else(|| {
            Error::invalid(
                &self.endpoint().host,
                "a MAC address through this kind of engine address is not supported here",
            )
        })?;
        let value = answer.json(&self.endpoint().host)?;
        Ok(Created {
            id: value["Id"].as_str().unwrap_or_default().to_owned(),
            warnings: crate::raw::warnings(&value),
        })
    }

    pub async fn start_container(&self, id: &str) -> Result<(), Error> {
        self.call("a container start", self.docker.start_container(id, None))
            .await
    }

    /// Stops with SIGTERM, then SIGKILL after `timeout` seconds (the engine's default: 10).
    pub async fn stop_container(&self, id: &str, timeout: Option<u32>) -> Result<(), Error> {
        let mut opts = StopContainerOptionsBuilder::default();
        if let Some(t) = timeout {
            opts = opts.t(t as i32);
        }
        let fut = self.docker.stop_container(id, Some(opts.build()));
        self.call_within("a container stop", grace(timeout), fut)
            .await
    }

    pub async fn restart_container(&self, id: &str, timeout: Option<u32>) -> Result<(), Error> {
        let mut opts = RestartContainerOptionsBuilder::default();
        if let Some(t) = timeout {
            opts = opts.t(t as i32);
        }
        let fut = self.docker.restart_container(id, Some(opts.build()));
        self.call_within("a container restart", grace(timeout), fut)
            .await
    }

    pub async fn kill_container(&self, id: &str, signal: &str) -> Result<(), Error> {
        let opts = KillContainerOptionsBuilder::default()
            .signal(signal)
            .build();
        self.call(
            "a container kill",
            self.docker.kill_container(id, Some(opts)),
        )
        .await
    }

    pub async fn pause_container(&self, id: &str) -> Result<(), Error> {
        self.call("a container pause", self.docker.pause_container(id))
            .await
    }

    pub async fn unpause_container(&self, id: &str) -> Result<(), Error> {
        self.call("a container unpause", self.docker.unpause_container(id))
            .await
    }

    /// Removes a container; `force` kills a running one, `volumes` removes its anonymous volumes.
    pub async fn remove_container(
        &self,
        id: &str,
        force: bool,
        volumes: bool,
    ) -> Result<(), Error> {
        let opts = RemoveContainerOptionsBuilder::default()
            .force(force)
            .v(volumes)
            .build();
        self.call(
            "a container removal",
            self.docker.remove_container(id, Some(opts)),
        )
        .await
    }

    pub async fn rename_container(&self, id: &str, new_name: &str) -> Result<(), Error> {
        check_name(new_name)?;
        let opts = RenameContainerOptionsBuilder::default()
            .name(new_name)
            .build();
        self.call("a container rename", self.docker.rename_container(id, opts))
            .await
    }

    /// Changes a container's limits and restart policy while it runs; returns what the engine
    /// warned of (a limit this kernel cannot apply, discarded).
    pub async fn update_container(
        &self,
        id: &str,
        update: &ContainerUpdate,
    ) -> Result<Vec<String>, Error> {
        let spec = crate::spec::RunSpec {
            cpus: update.cpus,
            memory: update.memory,
            restart: update.restart,
            ..Default::default()
        };
        let host = spec.to_create_body().host_config.unwrap_or_default();
        let body = bollard::models::ContainerUpdateBody {
            nano_cpus: host.nano_cpus,
            memory: host.memory,
            // Memory plus swap must grow with memory, or the engine refuses a raise.
            memory_swap: update.memory_swap.or(update.memory.map(|_| -1)),
            memory_reservation: update.memory_reservation,
            pids_limit: update.pids_limit,
            cpu_shares: update.cpu_shares,
            cpuset_cpus: update.cpuset_cpus.clone(),
            restart_policy: host.restart_policy,
            blkio_weight: update.blkio_weight,
            cpu_period: update.cpu_period,
            cpu_quota: update.cpu_quota,
            cpuset_mems: update.cpuset_mems.clone(),
            ..Default::default()
        };
        // The engine's warnings are in its answer, which bollard does not return: Berth's own
        // request where it can make one, bollard's (no warnings) where not.
        let json = serde_json::to_vec(&body).map_err(|e| Error::Protocol {
            endpoint: self.endpoint().host.clone(),
            detail: e.to_string(),
        })?;
        let path = format!("/containers/{}/update", crate::raw::path_part(id));
        match self.raw("POST", &path, Some(&json)).await? {
            Some(answer) => Ok(crate::raw::warnings(&answer.json(&self.endpoint().host)?)),
            None => self
                .call("a container update", self.docker.update_container(id, body))
                .await
                .map(|()| Vec::new()),
        }
    }

    pub async fn inspect_container(&self, id: &str) -> Result<ContainerInspectResponse, Error> {
        self.call(
            "a container inspect",
            self.docker.inspect_container(id, None),
        )
        .await
    }

    /// Waits for the container to stop; returns its exit code.
    pub async fn wait_container(&self, id: &str) -> Result<i64, Error> {
        let mut stream = self.docker.wait_container(id, None);
        match stream.next().await {
            Some(Ok(r)) => Ok(r.status_code),
            // The engine reports a non-zero exit as an error carrying the code.
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
            Some(Err(e)) => Err(Error::from_bollard(&self.endpoint().host, e)),
            None => Err(Error::Protocol {
                endpoint: self.endpoint().host.clone(),
                detail: "wait ended without a status".into(),
            }),
        }
    }

    /// Waits for the container's next exit, as the docker CLI waits before it starts a
    /// container it attaches to: once this returns, the wait is with the engine (which answers
    /// the headers at once), so the exit after a start is seen even when the engine removes the
    /// container as it exits (`--rm`). With `removed` (a container the engine removes as it
    /// exits), the wait ends once it is gone, as the docker CLI waits for one, so that nothing of
    /// it is left when a run returns. The future gives the exit code.
    pub async fn wait_next_exit(
        &self,
        id: &str,
        removed: bool,
    ) -> Result<impl Future<Output = Result<i64, Error>> + Send + 'static + use<>, Error> {
        let condition = if removed { "removed" } else { "next-exit" };
        let path = format!("/containers/{id}/wait?condition={condition}");
        let answer = self
            .raw_stream("POST", &path, &[])
            .await?
            .ok_or_else(|| self.failed("this platform has no transport to this engine".into()))?;
        if answer.status != 200 {
            let message = crate::raw::message(answer.body).await;
            return Err(match answer.status {
                404 => Error::NotFound { message },
                status => Error::Engine { status, message },
            });
        }
        let endpoint = self.endpoint().host.clone();
        let broken = move || Error::Unreachable {
            endpoint: endpoint.clone(),
            detail: "the wait for the container's exit was cut off".into(),
        };
        Ok(async move {
            #[derive(serde::Deserialize)]
            struct Exit {
                #[serde(rename = "StatusCode")]
                status_code: i64,
                #[serde(rename = "Error", default)]
                error: Option<ExitError>,
            }
            #[derive(serde::Deserialize)]
            struct ExitError {
                #[serde(rename = "Message", default)]
                message: String,
            }
            let mut body = Vec::new();
            let mut chunks = answer.body;
            while let Some(chunk) = chunks.next().await {
                match chunk {
                    Ok(chunk) => body.extend_from_slice(&chunk),
                    Err(_) => return Err(broken()),
                }
            }
            let exit: Exit = serde_json::from_slice(&body).map_err(|_| broken())?;
            match exit.error {
                Some(e) if !e.message.is_empty() => Err(Error::Engine {
                    status: 500,
                    message: e.message,
                }),
                _ => Ok(exit.status_code),
            }
        })
    }

    /// The container's output. With `follow` the stream goes on until the container stops;
    /// dropping it ends the engine call.
    pub fn logs(
        &self,
        id: &str,
        opts: &LogOptions,
    ) -> impl Stream<Item = Result<LogChunk, Error>> + use<> {
        let mut builder = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .follow(opts.follow)
            .timestamps(opts.timestamps)
            .tail(
                &opts
                    .tail
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "all".into()),
            );
        // bollard takes these as i32: a time past 2038 wrapped round to before 1970, so
        // `--since 2099-01-01` showed every line. Clamped, it stays in the future; an until
        // before 1970 stays before every line (the engine reads 0 as no until).
        let seconds = |t: i64, least: i64| t.clamp(least, i64::from(i32::MAX)) as i32;
        if let Some(since) = opts.since {
            builder = builder.since(seconds(since, 0));
        }
        if let Some(until) = opts.until {
            builder = builder.until(seconds(until, 1));
        }
        let endpoint = self.endpoint().host.clone();
        self.docker
            .logs(id, Some(builder.build()))
            .filter_map(move |item| std::future::ready(LogChunk::from_engine(item, &endpoint)))
    }
}

/// A stop waits for the container's grace period; the call may take that long and more.
fn grace(timeout: Option<u32>) -> Duration {
    Duration::from_secs(u64::from(timeout.unwrap_or(10)) + 30)
}

/// The MAC address asked for the network a container starts on, when the engine (before API
/// 1.44) reads it from the container's config rather than from the endpoint.
fn legacy_mac_address(body: &ContainerCreateBody, modern: bool) -> Option<String> {
    if modern {
        return None;
    }
    let network = crate::spec::start_network(
        body.host_config
            .as_ref()
            .and_then(|h| h.network_mode.as_deref()),
    );
    body.networking_config
        .as_ref()?
        .endpoints_config
        .as_ref()?
        .get(network)?
        .mac_address
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::RunOptions;
    use crate::spec::RunSpec;

    fn body(network: Option<&str>) -> ContainerCreateBody {
        RunSpec {
            image: "x".into(),
            network: network.map(Into::into),
            options: RunOptions {
                mac_address: Some("02:42:ac:11:00:09".into()),
                ..Default::default()
            },
            ..Default::default()
        }
        .to_create_body()
    }

    #[test]
    fn an_older_engine_takes_the_mac_address_from_the_config() {
        for network in [None, Some("default"), Some("web")] {
            let b = body(network);
            assert_eq!(
                legacy_mac_address(&b, false).as_deref(),
                Some("02:42:ac:11:00:09"),
                "{network:?}"
            );
            assert_eq!(legacy_mac_address(&b, true), None);
        }
        let plain = RunSpec {
            image: "x".into(),
            ..Default::default()
        }
        .to_create_body();
        assert_eq!(legacy_mac_address(&plain, false), None);
    }
}
