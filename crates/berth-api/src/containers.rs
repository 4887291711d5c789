//! Container operations of the facade: run (from docker's flag strings, validated here for both
//! the CLI and the UI), lifecycle, inspect and logs.

use std::path::PathBuf;

use berth_docker::containers::{LogChunk, LogOptions, LogStream};
use berth_docker::exec::Streams;
pub use berth_docker::exec::{AttachSession, ExecSession, ExecSpec};
use berth_docker::options;
use berth_docker::spec::{self, RunSpec};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Berth, Connection};

/// `docker run`'s options as strings, exactly as a person types them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct RunRequest {
    pub image: String,
    pub name: Option<String>,
    pub command: Vec<String>,
    pub entrypoint: Option<String>,
    /// `-p` values.
    pub ports: Vec<String>,
    /// `-e` values.
    pub env: Vec<String>,
    /// `--env-file` paths.
    pub env_files: Vec<String>,
    /// `-v` values.
    pub volumes: Vec<String>,
    pub tmpfs: Vec<String>,
    pub network: Option<String>,
    pub network_aliases: Vec<String>,
    pub restart: Option<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    /// `KEY=value` entries.
    pub labels: Vec<String>,
    pub cpus: Option<f64>,
    pub memory: Option<String>,
    pub health_cmd: Option<String>,
    #[ts(type = "number | null")]
    pub health_interval_ms: Option<u64>,
    #[ts(type = "number | null")]
    pub health_timeout_ms: Option<u64>,
    pub health_retries: Option<u32>,
    pub rm: bool,
    pub tty: bool,
    pub interactive: bool,
    /// Close the container's stdin when the attached input ends (an attached `run -i`).
    pub stdin_once: bool,
    /// Where relative paths (`-v ./dir:/x`, env files) are taken from.
    pub cwd: Option<String>,
    /// The less common flags; none when not given.
    #[ts(optional)]
    pub flags: Option<RunFlags>,
}

/// A container just made (`create`, `run`): its id, and what the engine warned of as it made
/// it (a limit this kernel cannot apply, discarded: the docker CLI prints each as `WARNING: …`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Created {
    pub id: String,
    pub warnings: Vec<String>,
}

/// `docker run`'s less common flags, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct RunFlags {
    /// `-P`
    pub publish_all: bool,
    pub expose: Vec<String>,
    pub hostname: Option<String>,
    pub add_hosts: Vec<String>,
    pub dns: Vec<String>,
    /// `--mount` values.
    pub mounts: Vec<String>,
    pub devices: Vec<String>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opts: Vec<String>,
    pub group_add: Vec<String>,
    pub init: bool,
    pub read_only: bool,
    pub shm_size: Option<String>,
    pub ulimits: Vec<String>,
    /// `KEY=value` entries.
    pub sysctls: Vec<String>,
    pub pid: Option<String>,
    pub ipc: Option<String>,
    pub stop_signal: Option<String>,
    #[ts(type = "number | null")]
    pub stop_timeout: Option<i64>,
    pub log_driver: Option<String>,
    /// `KEY=value` entries.
    pub log_opts: Vec<String>,
    pub no_healthcheck: bool,
    #[ts(type = "number | null")]
    pub pids_limit: Option<i64>,
    pub memory_swap: Option<String>,
    pub memory_reservation: Option<String>,
    #[ts(type = "number | null")]
    pub cpu_shares: Option<i64>,
    pub cpuset_cpus: Option<String>,
    /// Files of `KEY=value` lines (`#` comments), relative to the request's `cwd`.
    pub label_files: Vec<String>,
    /// `--platform`: the image's platform to run (`linux/arm64`).
    pub platform: Option<String>,
    /// `--mac-address`: its MAC address on the network it starts on.
    pub mac_address: Option<String>,
    /// `--ip`, `--ip6`: its addresses on the (user-defined) network it starts on.
    pub ip: Option<String>,
    pub ip6: Option<String>,
    /// `--volumes-from CONTAINER[:ro|rw]`.
    pub volumes_from: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    pub domainname: Option<String>,
    pub oom_kill_disable: bool,
    #[ts(type = "number | null")]
    pub oom_score_adj: Option<i64>,
    #[ts(type = "number | null")]
    pub cpu_period: Option<i64>,
    #[ts(type = "number | null")]
    pub cpu_quota: Option<i64>,
    #[ts(type = "number | null")]
    pub memory_swappiness: Option<i64>,
    pub cpuset_mems: Option<String>,
    /// `host` or `private`.
    pub cgroupns: Option<String>,
    /// `host`.
    pub userns: Option<String>,
    /// `host`.
    pub uts: Option<String>,
    pub runtime: Option<String>,
    pub device_cgroup_rules: Vec<String>,
    #[ts(type = "number | null")]
    pub health_start_period_ms: Option<u64>,
    /// `--link CONTAINER[:ALIAS]`.
    pub links: Vec<String>,
    pub cgroup_parent: Option<String>,
    pub blkio_weight: Option<u16>,
    pub volume_driver: Option<String>,
    /// `KEY=value`, e.g. `size=10G`.
    pub storage_opts: Vec<String>,
    /// `--gpus` requests, as docker takes each: `all`, a count, `"device=0,2"`.
    pub gpus: Vec<String>,
    /// `--blkio-weight-device /dev/DEVICE:WEIGHT`.
    pub blkio_weight_devices: Vec<String>,
    /// `/dev/DEVICE:RATE`: bytes a second (`1mb`) for the bps flags, operations for iops.
    pub device_read_bps: Vec<String>,
    pub device_write_bps: Vec<String>,
    pub device_read_iops: Vec<String>,
    pub device_write_iops: Vec<String>,
    /// Microseconds.
    #[ts(type = "number | null")]
    pub cpu_rt_period: Option<i64>,
    #[ts(type = "number | null")]
    pub cpu_rt_runtime: Option<i64>,
    /// `default` (Linux), `process` or `hyperv`.
    pub isolation: Option<String>,
}

/// Each of a flag's values parsed, collected (a list, a map); the first bad one's error.
fn each<T, C: FromIterator<T>>(
    values: &[String],
    parse: impl Fn(&str) -> Result<T, berth_docker::Error>,
) -> Result<C, berth_docker::Error> {
    values.iter().map(|v| parse(v)).collect()
}

impl RunFlags {
    /// The flags parsed; relative bind sources are taken from `cwd`.
    fn parse(&self, cwd: &std::path::Path) -> Result<options::RunOptions, ApiError> {
        let mut expose = Vec::new();
        for e in &self.expose {
            expose.extend(options::parse_expose(e)?);
        }
        Ok(options::RunOptions {
            publish_all: self.publish_all,
            expose,
            hostname: self.hostname.clone(),
            extra_hosts: each(&self.add_hosts, options::parse_add_host)?,
            dns: each(&self.dns, options::parse_dns)?,
            mounts: each(&self.mounts, |m| options::parse_mount(m, cwd))?,
            devices: each(&self.devices, options::parse_device)?,
            privileged: self.privileged,
            cap_add: self
                .cap_add
                .iter()
                .map(|c| options::capability(c))
                .collect(),
            cap_drop: self
                .cap_drop
                .iter()
                .map(|c| options::capability(c))
                .collect(),
            security_opts: self.security_opts.clone(),
            group_add: self.group_add.clone(),
            init: self.init,
            read_only: self.read_only,
            shm_size: self
                .shm_size
                .as_deref()
                .map(options::parse_shm_size)
                .transpose()?,
            ulimits: each(&self.ulimits, options::parse_ulimit)?,
            sysctls: each(&self.sysctls, spec::parse_key_value)?,
            pid: self.pid.clone(),
            ipc: self.ipc.clone(),
            stop_signal: self.stop_signal.clone(),
            stop_timeout: self.stop_timeout,
            log: options::log_config(self.log_driver.as_deref(), &self.log_opts)?,
            no_healthcheck: self.no_healthcheck,
            pids_limit: self.pids_limit,
            memory_swap: self
                .memory_swap
                .as_deref()
                .map(options::parse_memory_swap)
                .transpose()?,
            memory_reservation: self
                .memory_reservation
                .as_deref()
                .map(spec::parse_bytes)
                .transpose()?,
            cpu_shares: self.cpu_shares,
            cpuset_cpus: self
                .cpuset_cpus
                .as_deref()
                .map(options::parse_cpuset)
                .transpose()?,
            platform: self
                .platform
                .as_deref()
                .map(options::parse_platform)
                .transpose()?,
            mac_address: self
                .mac_address
                .as_deref()
                .map(options::parse_mac)
                .transpose()?,
            ipv4_address: self
                .ip
                .as_deref()
                .map(|ip| options::parse_ip(ip, false))
                .transpose()?,
            ipv6_address: self
                .ip6
                .as_deref()
                .map(|ip| options::parse_ip(ip, true))
                .transpose()?,
            volumes_from: each(&self.volumes_from, options::parse_volumes_from)?,
            dns_search: self.dns_search.clone(),
            dns_options: self.dns_options.clone(),
            domainname: self.domainname.clone(),
            oom_kill_disable: self.oom_kill_disable,
            oom_score_adj: self
                .oom_score_adj
                .map(options::parse_oom_score_adj)
                .transpose()?,
            cpu_period: self.cpu_period,
            cpu_quota: self.cpu_quota,
            memory_swappiness: self
                .memory_swappiness
                .map(options::parse_swappiness)
                .transpose()?,
            cpuset_mems: self
                .cpuset_mems
                .as_deref()
                .map(options::parse_cpuset)
                .transpose()?,
            cgroupns: self
                .cgroupns
                .as_deref()
                .map(|m| options::parse_namespace_mode("--cgroupns", m, &["host", "private"]))
                .transpose()?,
            userns: self
                .userns
                .as_deref()
                .map(|m| options::parse_namespace_mode("--userns", m, &["host"]))
                .transpose()?,
            uts: self
                .uts
                .as_deref()
                .map(|m| options::parse_namespace_mode("--uts", m, &["host"]))
                .transpose()?,
            runtime: self.runtime.clone(),
            device_cgroup_rules: each(
                &self.device_cgroup_rules,
                options::parse_device_cgroup_rule,
            )?,
            health_start_period_ms: self.health_start_period_ms,
            links: each(&self.links, options::parse_link)?,
            cgroup_parent: self.cgroup_parent.clone(),
            blkio_weight: self
                .blkio_weight
                .map(options::parse_blkio_weight)
                .transpose()?,
            volume_driver: self.volume_driver.clone(),
            storage_opts: each(&self.storage_opts, spec::parse_key_value)?,
            gpus: each(&self.gpus, options::parse_gpus)?,
            blkio_weight_devices: each(&self.blkio_weight_devices, options::parse_weight_device)?,
            device_read_bps: each(&self.device_read_bps, |t| {
                options::parse_throttle("--device-read-bps", t, true)
            })?,
            device_write_bps: each(&self.device_write_bps, |t| {
                options::parse_throttle("--device-write-bps", t, true)
            })?,
            device_read_iops: each(&self.device_read_iops, |t| {
                options::parse_throttle("--device-read-iops", t, false)
            })?,
            device_write_iops: each(&self.device_write_iops, |t| {
                options::parse_throttle("--device-write-iops", t, false)
            })?,
            cpu_rt_period: self.cpu_rt_period,
            cpu_rt_runtime: self.cpu_rt_runtime,
            isolation: self
                .isolation
                .as_deref()
                .map(options::parse_isolation)
                .transpose()?,
        })
    }
}

/// `docker update`'s flags, as typed (each `None` leaves that setting as it is).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct UpdateRequest {
    pub cpus: Option<f64>,
    pub memory: Option<String>,
    pub memory_swap: Option<String>,
    pub memory_reservation: Option<String>,
    #[ts(type = "number | null")]
    pub pids_limit: Option<i64>,
    #[ts(type = "number | null")]
    pub cpu_shares: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub restart: Option<String>,
    /// 10 to 1000.
    pub blkio_weight: Option<u16>,
    /// Microseconds.
    #[ts(type = "number | null")]
    pub cpu_period: Option<i64>,
    #[ts(type = "number | null")]
    pub cpu_quota: Option<i64>,
    pub cpuset_mems: Option<String>,
}

impl UpdateRequest {
    fn parse(&self) -> Result<berth_docker::containers::ContainerUpdate, ApiError> {
        if *self == Self::default() {
            return Err(ApiError::invalid(
                "update needs something to change: --cpus, --memory, --memory-swap, --memory-reservation, --pids-limit, --cpu-shares, --cpuset-cpus, --cpuset-mems, --cpu-period, --cpu-quota, --blkio-weight or --restart",
            ));
        }
        if self.cpus.is_some_and(|c| c <= 0.0) {
            return Err(ApiError::invalid(
                "--cpus: give a positive number of CPUs, e.g. 0.5",
            ));
        }
        Ok(berth_docker::containers::ContainerUpdate {
            cpus: self.cpus,
            memory: self.memory.as_deref().map(spec::parse_memory).transpose()?,
            memory_swap: self
                .memory_swap
                .as_deref()
                .map(options::parse_memory_swap)
                .transpose()?,
            memory_reservation: self
                .memory_reservation
                .as_deref()
                .map(spec::parse_bytes)
                .transpose()?,
            pids_limit: self.pids_limit,
            cpu_shares: self.cpu_shares,
            cpuset_cpus: self
                .cpuset_cpus
                .as_deref()
                .map(options::parse_cpuset)
                .transpose()?,
            restart: self
                .restart
                .as_deref()
                .map(spec::parse_restart)
                .transpose()?,
            blkio_weight: self
                .blkio_weight
                .map(options::parse_blkio_weight)
                .transpose()?,
            cpu_period: self.cpu_period,
            cpu_quota: self.cpu_quota,
            cpuset_mems: self
                .cpuset_mems
                .as_deref()
                .map(options::parse_cpuset)
                .transpose()?,
        })
    }
}

/// A container port and one host address it is published on, as `docker port` reads them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedPort {
    /// The container's port, `80/tcp`.
    pub port: String,
    /// As the engine bound it: `0.0.0.0`, `::`, `127.0.0.1`, …
    pub host_ip: String,
    pub host_port: String,
}

/// `PRIVATE_PORT[/PROTO]` as `docker port` takes it (`80` is `80/tcp`), in the engine's
/// spelling (`80/tcp`).
pub fn private_port(text: &str) -> Result<String, ApiError> {
    let (number, proto) = text.split_once('/').unwrap_or((text, "tcp"));
    let Ok(number) = number.parse::<u16>() else {
        return Err(ApiError::invalid(format!(
            "port {text:?}: give a port of the container, e.g. 80 or 53/udp"
        )));
    };
    if !matches!(proto, "tcp" | "udp" | "sctp") {
        return Err(ApiError::invalid(format!(
            "port {text:?}: the protocol is tcp, udp or sctp, e.g. 53/udp"
        )));
    }
    Ok(format!("{number}/{proto}"))
}

/// A chunk of a container's output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LogLine {
    /// `stdout`, `stderr` or `console` (a TTY container).
    pub stream: String,
    pub text: String,
}

/// What a command run to its end in a container wrote, and how it ended.
#[derive(Debug, Default)]
pub(crate) struct ExecOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: Option<i64>,
}

/// What the app calls a log's stream.
pub(crate) fn stream_name(stream: LogStream) -> &'static str {
    match stream {
        LogStream::Stdout => "stdout",
        LogStream::Stderr => "stderr",
        LogStream::Console => "console",
    }
}

impl From<LogChunk> for LogLine {
    fn from(c: LogChunk) -> Self {
        Self {
            stream: stream_name(c.stream).into(),
            text: String::from_utf8_lossy(&c.bytes).into_owned(),
        }
    }
}

impl Berth {
    /// Checks a run request and turns it into a spec, without asking the engine. The UI's run
    /// dialog calls this for inline validation.
    pub fn check_run(&self, req: &RunRequest) -> Result<RunSpec, ApiError> {
        if req.image.trim().is_empty() {
            return Err(ApiError::invalid("an image is needed to run a container"));
        }
        crate::images::reference(&req.image)?;
        if let Some(name) = &req.name {
            spec::check_name(name)?;
        }
        let cwd = req
            .cwd
            .as_ref()
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
        let lookup = |k: &str| std::env::var(k).ok();
        let mut env = Vec::new();
        for file in &req.env_files {
            env.extend(spec::parse_env_file(&cwd.join(file), lookup)?);
        }
        for e in &req.env {
            env.extend(spec::parse_env(e, lookup)?);
        }
        let mut ports = Vec::new();
        for p in &req.ports {
            ports.extend(spec::parse_port(p)?);
        }
        let home = dirs::home_dir();
        let mounts = req
            .volumes
            .iter()
            .map(|v| spec::parse_volume(v, &cwd, home.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        let flags = req.flags.clone().unwrap_or_default();
        // Label files first, so that a label given by itself wins, as docker's.
        let mut labels = std::collections::BTreeMap::new();
        for file in &flags.label_files {
            let path = cwd.join(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ApiError::invalid(format!("--label-file {}: {e}", path.display())))?;
            for line in text.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                labels.extend([spec::parse_key_value(line)?]);
            }
        }
        for l in &req.labels {
            labels.extend([spec::parse_key_value(l)?]);
        }
        if req.cpus.is_some_and(|c| c <= 0.0) {
            return Err(ApiError::invalid(
                "--cpus: give a positive number of CPUs, e.g. 0.5",
            ));
        }
        if flags.no_healthcheck && req.health_cmd.is_some() {
            return Err(ApiError::invalid(
                "--no-healthcheck turns the health check off: leave out --health-cmd, or it",
            ));
        }
        let options = flags.parse(&cwd)?;
        Ok(RunSpec {
            image: req.image.clone(),
            name: req.name.clone(),
            command: req.command.clone(),
            entrypoint: req.entrypoint.as_ref().map(|e| {
                if e.is_empty() {
                    vec![String::new()]
                } else {
                    vec![e.clone()]
                }
            }),
            env,
            ports,
            mounts,
            tmpfs: req.tmpfs.clone(),
            network: req.network.clone(),
            network_aliases: req.network_aliases.clone(),
            restart: req
                .restart
                .as_deref()
                .map(spec::parse_restart)
                .transpose()?,
            workdir: req.workdir.clone(),
            user: req.user.clone(),
            labels,
            cpus: req.cpus,
            memory: req.memory.as_deref().map(spec::parse_memory).transpose()?,
            health: req.health_cmd.as_ref().map(|cmd| spec::Health {
                command: cmd.clone(),
                interval_ms: req.health_interval_ms,
                timeout_ms: req.health_timeout_ms,
                retries: req.health_retries,
            }),
            auto_remove: req.rm,
            tty: req.tty,
            interactive: req.interactive,
            stdin_once: req.stdin_once,
            options,
        })
    }

    /// Creates a container.
    pub async fn create(&self, conn: &Connection, req: &RunRequest) -> Result<Created, ApiError> {
        let spec = self.check_run(req)?;
        let made = conn.client.create_container(&spec).await?;
        Ok(Created {
            id: made.id,
            warnings: made.warnings,
        })
    }

    /// Creates and starts a container. A container that cannot start is removed again, as it
    /// was only just made for this.
    pub async fn run(&self, conn: &Connection, req: &RunRequest) -> Result<Created, ApiError> {
        let made = self.create(conn, req).await?;
        if let Err(e) = conn.client.start_container(&made.id).await {
            let _ = conn.client.remove_container(&made.id, true, true).await;
            return Err(e.into());
        }
        Ok(made)
    }

    pub async fn start(&self, conn: &Connection, id: &str) -> Result<(), ApiError> {
        Ok(conn.client.start_container(id).await?)
    }

    pub async fn stop(
        &self,
        conn: &Connection,
        id: &str,
        timeout: Option<u32>,
    ) -> Result<(), ApiError> {
        Ok(conn.client.stop_container(id, timeout).await?)
    }

    pub async fn restart(
        &self,
        conn: &Connection,
        id: &str,
        timeout: Option<u32>,
    ) -> Result<(), ApiError> {
        Ok(conn.client.restart_container(id, timeout).await?)
    }

    pub async fn kill(&self, conn: &Connection, id: &str, signal: &str) -> Result<(), ApiError> {
        Ok(conn.client.kill_container(id, signal).await?)
    }

    pub async fn pause(&self, conn: &Connection, id: &str) -> Result<(), ApiError> {
        Ok(conn.client.pause_container(id).await?)
    }

    pub async fn unpause(&self, conn: &Connection, id: &str) -> Result<(), ApiError> {
        Ok(conn.client.unpause_container(id).await?)
    }

    pub async fn remove(
        &self,
        conn: &Connection,
        id: &str,
        force: bool,
        volumes: bool,
    ) -> Result<(), ApiError> {
        Ok(conn.client.remove_container(id, force, volumes).await?)
    }

    /// Changes a container's CPU, memory and block IO limits and restart policy while it runs
    /// (`docker update`, in docker's flag syntax: `--cpus 0.5`, `-m 256m`, `--restart
    /// on-failure:3`); returns what the engine warned of (a limit this kernel cannot apply).
    pub async fn update(
        &self,
        conn: &Connection,
        id: &str,
        req: &UpdateRequest,
    ) -> Result<Vec<String>, ApiError> {
        let update = req.parse()?;
        Ok(conn.client.update_container(id, &update).await?)
    }

    pub async fn rename(&self, conn: &Connection, id: &str, name: &str) -> Result<(), ApiError> {
        Ok(conn.client.rename_container(id, name).await?)
    }

    /// Waits for a container to stop; its exit code.
    pub async fn wait(&self, conn: &Connection, id: &str) -> Result<i64, ApiError> {
        Ok(conn.client.wait_container(id).await?)
    }

    /// Waits for the container's next exit, the wait with the engine once this returns (call
    /// it before the start): its exit is seen even when the engine removes it (`--rm`), and
    /// with `removed` the wait ends once the engine has removed it.
    pub async fn wait_next_exit(
        &self,
        conn: &Connection,
        id: &str,
        removed: bool,
    ) -> Result<impl Future<Output = Result<i64, ApiError>> + Send + 'static + use<>, ApiError>
    {
        let exit = conn.client.wait_next_exit(id, removed).await?;
        Ok(async move { Ok(exit.await?) })
    }

    /// The host addresses a container's ports are published on, as the engine bound them
    /// (`docker port`), by port.
    pub async fn published_ports(
        &self,
        conn: &Connection,
        id: &str,
    ) -> Result<Vec<PublishedPort>, ApiError> {
        let inspect = conn.client.inspect_container(id).await?;
        let mut ports: Vec<PublishedPort> = inspect
            .network_settings
            .and_then(|n| n.ports)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|(port, bindings)| {
                bindings
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |b| PublishedPort {
                        port: port.clone(),
                        host_ip: b.host_ip.unwrap_or_default(),
                        host_port: b.host_port.unwrap_or_default(),
                    })
            })
            .collect();
        ports.sort_by_cached_key(|p| {
            let (number, proto) = p.port.split_once('/').unwrap_or((&p.port, ""));
            let number: u16 = number.parse().unwrap_or(u16::MAX);
            (
                number,
                proto.to_owned(),
                p.host_ip.contains(':'),
                p.host_ip.clone(),
            )
        });
        Ok(ports)
    }

    /// The containers `container prune` removes: every one that is not running (exited,
    /// created or dead; a paused one is running).
    pub async fn container_prune_candidates(
        &self,
        conn: &Connection,
        filter: &crate::PruneFilter,
    ) -> Result<Vec<crate::wire::ContainerRow>, ApiError> {
        let mut rows = self.containers(conn, true).await?;
        rows.retain(|c| {
            matches!(c.state.as_str(), "exited" | "created" | "dead")
                && filter.lets(Some(c.created), &c.labels)
        });
        Ok(rows)
    }

    pub async fn inspect_container(
        &self,
        conn: &Connection,
        id: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let inspect = conn.client.inspect_container(id).await?;
        Ok(serde_json::to_value(inspect).unwrap_or_default())
    }

    /// A container's output as the engine sends it (bytes, stream by stream): what a terminal
    /// or a file wants, without a conversion per line.
    pub fn logs_raw(
        &self,
        conn: &Connection,
        id: &str,
        opts: &LogOptions,
    ) -> impl Stream<Item = Result<LogChunk, ApiError>> + use<> {
        conn.client
            .logs(id, opts)
            .map(|c| c.map_err(ApiError::from))
    }

    /// A container's output; with `follow`, until it stops.
    pub fn logs(
        &self,
        conn: &Connection,
        id: &str,
        opts: &LogOptions,
    ) -> impl Stream<Item = Result<LogLine, ApiError>> + use<> {
        conn.client
            .logs(id, opts)
            .map(|c| c.map(LogLine::from).map_err(ApiError::from))
    }
}

impl Berth {
    /// Runs a command in a running container; its output, its input, and its id for resizing
    /// and the exit code.
    pub async fn exec(
        &self,
        conn: &Connection,
        id: &str,
        spec: &ExecSpec,
    ) -> Result<ExecSession, ApiError> {
        Ok(conn.client.exec(id, spec).await?)
    }

    /// Runs a command in a running container to its end: what it wrote to stdout and to
    /// stderr, and its exit code (`None` if the engine had not recorded it within 2 s of the
    /// output's end).
    pub(crate) async fn exec_output(
        &self,
        conn: &Connection,
        id: &str,
        command: &[String],
    ) -> Result<ExecOutput, ApiError> {
        let spec = ExecSpec {
            command: command.to_vec(),
            ..Default::default()
        };
        let session = conn.client.exec(id, &spec).await?;
        let mut out = ExecOutput::default();
        let mut stream = session.output;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            match chunk.stream {
                LogStream::Stderr => out.stderr.extend_from_slice(&chunk.bytes),
                _ => out.stdout.extend_from_slice(&chunk.bytes),
            }
        }
        // The output ends as the process does; the engine records the code a moment later.
        for _ in 0..100 {
            out.code = conn.client.exec_exit_code(&session.id).await?;
            if out.code.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        Ok(out)
    }

    /// Starts a command in a running container and leaves it running there (`exec -d`).
    pub async fn exec_detached(
        &self,
        conn: &Connection,
        id: &str,
        spec: &ExecSpec,
    ) -> Result<(), ApiError> {
        Ok(conn.client.exec_detached(id, spec).await?)
    }

    /// Attaches to a container's main process; `detach_keys` (`ctrl-p,ctrl-q`, docker's
    /// form) are the keys on its stdin that end the attach, the engine's default when `None`.
    pub async fn attach(
        &self,
        conn: &Connection,
        id: &str,
        streams: Streams,
        detach_keys: Option<&str>,
    ) -> Result<AttachSession, ApiError> {
        Ok(conn.client.attach(id, streams, detach_keys).await?)
    }

    /// The keys that detach from a container (`detachKeys` of the Docker config's
    /// `config.json`, as the docker CLI reads them), if set.
    pub fn detach_keys(&self) -> Result<Option<String>, ApiError> {
        Ok(self.store.detach_keys()?)
    }

    pub async fn resize(
        &self,
        conn: &Connection,
        id: &str,
        rows: u16,
        cols: u16,
    ) -> Result<(), ApiError> {
        Ok(conn.client.resize_container(id, rows, cols).await?)
    }

    pub async fn exec_resize(
        &self,
        conn: &Connection,
        exec_id: &str,
        rows: u16,
        cols: u16,
    ) -> Result<(), ApiError> {
        Ok(conn.client.resize_exec(exec_id, rows, cols).await?)
    }

    pub async fn exec_exit_code(
        &self,
        conn: &Connection,
        exec_id: &str,
    ) -> Result<Option<i64>, ApiError> {
        Ok(conn.client.exec_exit_code(exec_id).await?)
    }
}

impl Berth {
    /// A lifecycle action by name, as the app's buttons send it: `start`, `stop`, `restart`,
    /// `pause`, `unpause` or `kill`.
    pub async fn container_action(
        &self,
        conn: &Connection,
        id: &str,
        action: &str,
    ) -> Result<(), ApiError> {
        match action {
            "start" => self.start(conn, id).await,
            "stop" => self.stop(conn, id, None).await,
            "restart" => self.restart(conn, id, None).await,
            "pause" => self.pause(conn, id).await,
            "unpause" => self.unpause(conn, id).await,
            "kill" => self.kill(conn, id, "KILL").await,
            other => Err(ApiError::invalid(format!(
                "container action {other:?}: choose start, stop, restart, pause, unpause or kill"
            ))),
        }
    }

    /// [`Berth::check_run_ports`], then [`Berth::run`]: the run dialog's Run button.
    pub async fn run_checked(
        &self,
        conn: &Connection,
        req: &RunRequest,
    ) -> Result<Created, ApiError> {
        self.check_run_ports(conn, req).await?;
        self.run(conn, req).await
    }

    /// Writes a container's whole log so far to `to` (the logs view's Download), with
    /// timestamps; returns the bytes written.
    pub async fn save_logs(
        &self,
        conn: &Connection,
        id: &str,
        to: &std::path::Path,
    ) -> Result<u64, ApiError> {
        use tokio::io::AsyncWriteExt;
        let fail = |e: std::io::Error| ApiError::invalid(format!("{}: {e}", to.display()));
        let mut file = tokio::fs::File::create(to).await.map_err(fail)?;
        let opts = LogOptions {
            timestamps: true,
            ..Default::default()
        };
        let mut stream = std::pin::pin!(self.logs_raw(conn, id, &opts));
        let mut written = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            file.write_all(&chunk.bytes).await.map_err(fail)?;
            written += chunk.bytes.len() as u64;
        }
        file.flush().await.map_err(fail)?;
        Ok(written)
    }

    /// [`Berth::check_run`], and then what only the engine's host knows: a published port that
    /// another container of the engine or (for a local engine) another program already holds.
    /// The run dialog shows these errors inline, before anything is created.
    pub async fn check_run_ports(
        &self,
        conn: &Connection,
        req: &RunRequest,
    ) -> Result<(), ApiError> {
        let spec = self.check_run(req)?;
        let wanted: Vec<(u16, &str)> = spec
            .ports
            .iter()
            // A range is the engine's to pick a free port from.
            .filter(|p| p.host_port_end.is_none())
            .filter_map(|p| p.host_port.map(|h| (h, p.proto.as_str())))
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        for row in self.containers(conn, false).await? {
            let name = row.names.first().cloned().unwrap_or_default();
            for p in &row.ports {
                if let Some(&(port, _)) = wanted
                    .iter()
                    .find(|(h, proto)| Some(*h) == p.public_port && *proto == p.proto)
                {
                    return Err(ApiError::invalid(format!(
                        "port {port}: already published by container {name}; pick another host port"
                    )));
                }
            }
        }
        if conn.on_local_socket() {
            for &(port, proto) in &wanted {
                let free = match proto {
                    "udp" => std::net::UdpSocket::bind(("0.0.0.0", port)).is_ok(),
                    _ => std::net::TcpListener::bind(("0.0.0.0", port)).is_ok(),
                };
                if !free {
                    return Err(ApiError::invalid(format!(
                        "port {port}: another program on this machine listens on it; pick another host port"
                    )));
                }
            }
        }
        Ok(())
    }
}
