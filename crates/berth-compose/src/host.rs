//! The host side of a service's container beyond the common keys: CPU, memory, process and
//! block I/O limits, devices and GPUs, cgroups and namespaces, links, volumes from other
//! containers, and where secrets and configs go (mounted from their files, or copied in), as
//! `docker compose` makes them.
//! Keys of the specification Berth does not apply are named by [`not_applied`], so that nothing
//! the file says is dropped unsaid.

use std::collections::{BTreeMap, HashMap};

use berth_docker::build::{BuildSecret, Hidden, SecretSource};

use bollard::models::{
    DeviceMapping, DeviceRequest, HostConfig, ResourcesBlkioWeightDevice, RestartPolicy,
    RestartPolicyNameEnum, ThrottleDevice,
};
use serde_json::Value;

use crate::Error;
use crate::convert::{bytes, duration_ns, strings, text};
use crate::model::{Build, Project, Service};

/// Service keys of the specification that Berth does not apply to the container (Windows
/// credential specs).
const NOT_APPLIED: &[&str] = &["credential_spec"];

/// The keys of `service` that Berth does not apply, for a warning (those of its `pre_start`
/// steps as `pre_start[0].credential_spec`).
pub fn not_applied(service: &Service) -> Vec<String> {
    NOT_APPLIED
        .iter()
        .filter(|k| service.other.contains_key(**k))
        .map(|k| (*k).to_owned())
        .chain(pre_start_not_applied(service))
        .collect()
}

/// The keys of the service's `pre_start` steps that Berth does not apply:
/// `pre_start[0].credential_spec`.
fn pre_start_not_applied(service: &Service) -> Vec<String> {
    let steps = service
        .other
        .get(crate::hooks::PRE_START)
        .and_then(Value::as_array);
    let mut keys = Vec::new();
    for (i, step) in steps.into_iter().flatten().enumerate() {
        for key in NOT_APPLIED.iter().filter(|k| step.get(**k).is_some()) {
            keys.push(format!("{}[{i}].{key}", crate::hooks::PRE_START));
        }
    }
    keys
}

/// A reference to another service's container (`service:NAME` in `pid`, `ipc`,
/// `network_mode`) as the engine takes it (`container:NAME`).
pub fn service_ref(
    project: &Project,
    at: &str,
    mode: Option<String>,
) -> Result<Option<String>, Error> {
    match mode.as_deref().and_then(|m| m.strip_prefix("service:")) {
        Some(other) => Ok(Some(format!(
            "container:{}",
            service_container(project, at, other)?
        ))),
        None => Ok(mode),
    }
}

/// The container of `service` that others name (its first replica's), refused for a service
/// the project has not.
fn service_container(project: &Project, at: &str, service: &str) -> Result<String, Error> {
    if !project.services.contains_key(service) {
        return Err(Error::invalid(at, format!("no service {service:?}")));
    }
    Ok(crate::plan::container_name(project, service, 1))
}

/// A whole number, given as one or as text (`"64"`).
fn whole(at: String, v: &Value) -> Result<i64, Error> {
    v.as_i64()
        .or_else(|| text(v)?.parse().ok())
        .ok_or_else(|| Error::invalid(at, "expected a whole number"))
}

/// Sets on `host` what `svc` says of limits, devices, cgroups, namespaces, links and volumes
/// from other containers.
pub fn apply(
    project: &Project,
    svc: &Service,
    at: &str,
    host: &mut HostConfig,
) -> Result<(), Error> {
    let o = &svc.other;
    let int = |key: &str| {
        o.get(key)
            .map(|v| whole(format!("{at}.{key}"), v))
            .transpose()
    };
    // Microseconds, given as a number or a duration (`cpu_rt_runtime: 400ms`).
    let micros = |key: &str| -> Result<Option<i64>, Error> {
        match o.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .or_else(|| duration_ns(&text(v)?).map(|ns| ns / 1000))
                .map(Some)
                .ok_or_else(|| {
                    Error::invalid(format!("{at}.{key}"), "expected microseconds or a duration")
                }),
        }
    };
    let deploy = o.get("deploy").and_then(|d| d.get("resources"));
    let limits = deploy.and_then(|r| r.get("limits"));
    let reservations = deploy.and_then(|r| r.get("reservations"));

    host.cpu_shares = int("cpu_shares")?;
    host.cpu_period = micros("cpu_period")?;
    host.cpu_quota = micros("cpu_quota")?;
    host.cpu_realtime_period = micros("cpu_rt_period")?;
    host.cpu_realtime_runtime = micros("cpu_rt_runtime")?;
    host.cpu_count = int("cpu_count")?;
    host.cpu_percent = int("cpu_percent")?;
    host.cpuset_cpus = o.get("cpuset").and_then(text);
    host.memory_reservation = reservations
        .and_then(|r| r.get("memory"))
        .or_else(|| o.get("mem_reservation"))
        .map(|m| bytes(&format!("{at}.mem_reservation"), m))
        .transpose()?;
    host.memory_swap = o
        .get("memswap_limit")
        .map(|m| bytes(&format!("{at}.memswap_limit"), m))
        .transpose()?;
    host.memory_swappiness = int("mem_swappiness")?;
    host.oom_kill_disable = o.get("oom_kill_disable").and_then(Value::as_bool);
    host.oom_score_adj = int("oom_score_adj")?;
    host.pids_limit = match limits.and_then(|l| l.get("pids")) {
        Some(p) => Some(whole(format!("{at}.deploy.resources.limits.pids"), p)?),
        None => int("pids_limit")?,
    };
    host.cgroup_parent = o.get("cgroup_parent").and_then(text);
    // One of the engine's words for a mode.
    fn mode<T: std::str::FromStr>(
        o: &std::collections::BTreeMap<String, Value>,
        at: &str,
        key: &str,
        words: &str,
    ) -> Result<Option<T>, Error> {
        o.get(key)
            .and_then(text)
            .map(|m| {
                m.parse().map_err(|_| {
                    Error::invalid(format!("{at}.{key}"), format!("{m:?}: expected {words}"))
                })
            })
            .transpose()
    }
    host.cgroupns_mode = mode(o, at, "cgroup", "host or private")?;
    host.isolation = mode(o, at, "isolation", "default, process or hyperv")?;
    host.runtime = o.get("runtime").and_then(text);
    host.userns_mode = o.get("userns_mode").and_then(text);
    host.uts_mode = o.get("uts").and_then(text);
    host.storage_opt = o.get("storage_opt").and_then(Value::as_object).map(|m| {
        m.iter()
            .filter_map(|(k, v)| text(v).map(|v| (k.clone(), v)))
            .collect()
    });
    host.device_cgroup_rules = strings(o.get("device_cgroup_rules"));
    host.devices = o
        .get("devices")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .map(|d| device(&format!("{at}.devices"), d))
                .collect()
        })
        .transpose()?;
    let mut requests: Vec<DeviceRequest> = Vec::new();
    if let Some(gpus) = o.get("gpus") {
        match gpus {
            Value::String(all) if all == "all" => requests.push(DeviceRequest {
                count: Some(-1),
                capabilities: Some(vec![vec!["gpu".into()]]),
                ..Default::default()
            }),
            Value::Array(items) => {
                for g in items {
                    requests.push(device_request(&format!("{at}.gpus"), g, Some("gpu"))?);
                }
            }
            _ => {
                return Err(Error::invalid(
                    format!("{at}.gpus"),
                    "expected all or a list",
                ));
            }
        }
    }
    for d in reservations
        .and_then(|r| r.get("devices"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        requests.push(device_request(
            &format!("{at}.deploy.resources.reservations.devices"),
            d,
            None,
        )?);
    }
    host.device_requests = (!requests.is_empty()).then_some(requests);
    if let Some(b) = o.get("blkio_config") {
        blkio(&format!("{at}.blkio_config"), b, host)?;
    }
    if host.restart_policy.is_none()
        && let Some(policy) = o.get("deploy").and_then(|d| d.get("restart_policy"))
    {
        host.restart_policy = Some(deploy_restart(
            &format!("{at}.deploy.restart_policy"),
            policy,
        )?);
    }

    let mut links = Vec::new();
    for l in strings(o.get("links")).unwrap_or_default() {
        let (service, alias) = l.split_once(':').unwrap_or((&l, &l));
        let name = service_container(project, &format!("{at}.links"), service)?;
        links.push(format!("{name}:{alias}"));
    }
    for l in strings(o.get("external_links")).unwrap_or_default() {
        let (container, alias) = l.split_once(':').unwrap_or((&l, &l));
        links.push(format!("{container}:{alias}"));
    }
    host.links = (!links.is_empty()).then_some(links);
    let mut from = Vec::new();
    for v in strings(o.get("volumes_from")).unwrap_or_default() {
        from.push(match v.strip_prefix("container:") {
            Some(container) => container.to_owned(),
            None => {
                let (service, mode) = match v.split_once(':') {
                    Some((s, m)) => (s, format!(":{m}")),
                    None => (v.as_str(), String::new()),
                };
                let name = service_container(project, &format!("{at}.volumes_from"), service)?;
                format!("{name}{mode}")
            }
        });
    }
    host.volumes_from = (!from.is_empty()).then_some(from);
    Ok(())
}

/// `/dev/sda:/dev/xvda:rwm`, or `{source, target, permissions}`.
fn device(at: &str, d: &Value) -> Result<DeviceMapping, Error> {
    let (source, target, perms) = match d {
        Value::String(s) => {
            let mut parts = s.splitn(3, ':');
            let source = parts.next().unwrap_or_default().to_owned();
            (
                source,
                parts.next().map(str::to_owned),
                parts.next().map(str::to_owned),
            )
        }
        Value::Object(m) => (
            m.get("source").and_then(text).unwrap_or_default(),
            m.get("target").and_then(text),
            m.get("permissions").and_then(text),
        ),
        _ => {
            return Err(Error::invalid(
                at,
                "a device is HOST[:CONTAINER[:PERMISSIONS]]",
            ));
        }
    };
    if source.is_empty() {
        return Err(Error::invalid(at, "a device needs the host's path"));
    }
    Ok(DeviceMapping {
        path_in_container: Some(target.unwrap_or_else(|| source.clone())),
        path_on_host: Some(source),
        cgroup_permissions: Some(perms.unwrap_or_else(|| "rwm".into())),
    })
}

/// A GPU or another device reserved: `{driver, count, device_ids, capabilities, options}`.
fn device_request(at: &str, d: &Value, capability: Option<&str>) -> Result<DeviceRequest, Error> {
    let Some(m) = d.as_object() else {
        return Err(Error::invalid(at, "expected a mapping"));
    };
    let count = match m.get("count") {
        Some(Value::String(all)) if all == "all" => Some(-1),
        Some(c) => Some(
            c.as_i64()
                .ok_or_else(|| Error::invalid(at, "count is a number or all"))?,
        ),
        None => None,
    };
    let ids = strings(m.get("device_ids"));
    let mut caps = strings(m.get("capabilities")).unwrap_or_default();
    if let Some(c) = capability
        && !caps.iter().any(|x| x == c)
    {
        caps.push(c.to_owned());
    }
    Ok(DeviceRequest {
        driver: m.get("driver").and_then(text),
        // Neither a count nor ids: every device, as compose takes it.
        count: count.or(if ids.is_none() { Some(-1) } else { None }),
        device_ids: ids,
        capabilities: (!caps.is_empty()).then_some(vec![caps]),
        options: m.get("options").and_then(Value::as_object).map(|o| {
            o.iter()
                .filter_map(|(k, v)| text(v).map(|v| (k.clone(), v)))
                .collect::<HashMap<_, _>>()
        }),
    })
}

fn blkio(at: &str, b: &Value, host: &mut HostConfig) -> Result<(), Error> {
    host.blkio_weight = b
        .get("weight")
        .and_then(Value::as_u64)
        .map(|w| w.min(u64::from(u16::MAX)) as u16);
    host.blkio_weight_device = b.get("weight_device").and_then(Value::as_array).map(|ds| {
        ds.iter()
            .map(|d| ResourcesBlkioWeightDevice {
                path: d.get("path").and_then(text),
                weight: d.get("weight").and_then(Value::as_u64).map(|w| w as usize),
            })
            .collect()
    });
    let throttle = |key: &str, sizes: bool| -> Result<Option<Vec<ThrottleDevice>>, Error> {
        let Some(ds) = b.get(key).and_then(Value::as_array) else {
            return Ok(None);
        };
        ds.iter()
            .map(|d| {
                let rate = match d.get("rate") {
                    Some(r) if sizes => Some(bytes(&format!("{at}.{key}"), r)?),
                    Some(r) => r.as_i64(),
                    None => None,
                };
                Ok(ThrottleDevice {
                    path: d.get("path").and_then(text),
                    rate,
                })
            })
            .collect::<Result<Vec<_>, Error>>()
            .map(Some)
    };
    host.blkio_device_read_bps = throttle("device_read_bps", true)?;
    host.blkio_device_write_bps = throttle("device_write_bps", true)?;
    host.blkio_device_read_iops = throttle("device_read_iops", false)?;
    host.blkio_device_write_iops = throttle("device_write_iops", false)?;
    Ok(())
}

/// `deploy.restart_policy` (`condition: none | on-failure | any`, `max_attempts`), which
/// compose applies when `restart` is not given.
fn deploy_restart(at: &str, p: &Value) -> Result<RestartPolicy, Error> {
    let name = match p.get("condition").and_then(text).as_deref() {
        None | Some("any") => RestartPolicyNameEnum::ALWAYS,
        Some("on-failure") => RestartPolicyNameEnum::ON_FAILURE,
        Some("none") => RestartPolicyNameEnum::NO,
        Some(other) => {
            return Err(Error::invalid(
                at,
                format!("condition {other:?}: expected none, on-failure or any"),
            ));
        }
    };
    Ok(RestartPolicy {
        name: Some(name),
        maximum_retry_count: p.get("max_attempts").and_then(Value::as_i64),
    })
}

/// A file put into a container after it is made and before it starts: a secret or config
/// whose content is not in a file of its own (from the environment, or given inline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileCopy {
    /// Absolute, in the container.
    pub path: String,
    pub content: Vec<u8>,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

/// Where a service's secrets and configs go, as compose puts them: those kept in files are
/// mounted read-only (`FILE:TARGET:ro`), the others copied in ([`FileCopy`]); a secret at
/// `/run/secrets/NAME` unless given a target, a config at `/NAME`.
#[derive(Debug, Default)]
pub struct Placed {
    pub binds: Vec<String>,
    pub files: Vec<FileCopy>,
}

/// Where a secret or config comes from.
enum Origin {
    /// Its file, as the project names it.
    File(String),
    /// Its text: a variable's value, or given in the project.
    Text(String),
}

/// Where the secret or config `source` (of `kind`, defined in `defs`) comes from. One from a
/// swarm (`external`) is refused by name, and so is one whose variable is not set; `here` is
/// where the project uses it.
fn origin(
    project: &Project,
    kind: &str,
    defs: &BTreeMap<String, Value>,
    source: &str,
    here: &str,
) -> Result<Origin, Error> {
    let Some(def) = defs.get(source) else {
        return Err(Error::invalid(
            here,
            format!("{source:?} is not defined under the top-level {kind}:"),
        ));
    };
    if let Some(file) = def.get("file").and_then(text) {
        return Ok(Origin::File(file));
    }
    if let Some(var) = def.get("environment").and_then(text) {
        return project
            .secret_environment
            .get(&var)
            .cloned()
            .map(Origin::Text)
            .ok_or_else(|| {
                Error::invalid(
                    here,
                    format!("{source:?} comes from the variable {var}, which is not set: set it, or put it in .env"),
                )
            });
    }
    if let Some(content) = def.get("content").and_then(text) {
        return Ok(Origin::Text(content));
    }
    Err(Error::invalid(
        here,
        format!(
            "{source:?} is a swarm's (external), which a single engine has not: keep it in a file (file: ./{source}.txt)"
        ),
    ))
}

/// The secrets a build names (`build.secrets`, a name or `{source, target}`), each as its
/// source and target.
pub fn build_secret_uses(b: &Build) -> Vec<(String, Option<String>)> {
    let uses = b.other.get("secrets").and_then(Value::as_array);
    uses.into_iter()
        .flatten()
        .map(|u| match u {
            Value::String(name) => (name.clone(), None),
            _ => (
                u.get("source").and_then(text).unwrap_or_default(),
                u.get("target").and_then(text),
            ),
        })
        .collect()
}

/// The secrets `service`'s build names (`build.secrets`, a name or `{source, target}`): the
/// id a `RUN --mount=type=secret` step reads each by is its target, else its name.
pub fn build_secrets(project: &Project, service: &str) -> Result<Vec<BuildSecret>, Error> {
    let here = format!("services.{service}.build.secrets");
    let Some(b) = project.services[service].build.as_ref() else {
        return Ok(Vec::new());
    };
    let mut secrets = Vec::new();
    for (source, target) in build_secret_uses(b) {
        let source_of = match origin(project, "secrets", &project.secrets, &source, &here)? {
            Origin::File(file) => SecretSource::File(file.into()),
            Origin::Text(content) => SecretSource::Text(Hidden(content)),
        };
        secrets.push(BuildSecret {
            id: target.unwrap_or(source),
            source: source_of,
        });
    }
    Ok(secrets)
}

/// Build keys of the specification that neither engine builder Berth drives applies (BuildKit
/// through buildx's own session features, or Windows), named in a warning when a build runs.
const BUILD_NOT_APPLIED: &[&str] = &[
    "additional_contexts",
    "cache_to",
    "entitlements",
    "isolation",
    "privileged",
    "provenance",
    "sbom",
];

/// The keys of a service's build that Berth does not apply, for a warning.
pub fn build_not_applied(b: &Build) -> Vec<&'static str> {
    BUILD_NOT_APPLIED
        .iter()
        .copied()
        .filter(|k| b.other.contains_key(*k))
        .collect()
}

/// The limits a service's build gives its steps' containers (`build.shm_size`,
/// `build.ulimits`: a number for both soft and hard, or `{soft, hard}`).
pub fn build_limits(b: &Build, service: &str) -> Result<berth_docker::build::BuildLimits, Error> {
    let here = format!("services.{service}.build");
    let shm_size = b
        .other
        .get("shm_size")
        .map(|v| bytes(&format!("{here}.shm_size"), v))
        .transpose()?;
    let ulimits = ulimits(&here, b.other.get("ulimits"))?;
    Ok(berth_docker::build::BuildLimits {
        shm_size,
        ulimits,
        ..Default::default()
    })
}

/// `HERE.ulimits` (a service's or its build's): each a number for both soft and hard, or
/// `{soft, hard}`, numbers or text that reads as one (as interpolation leaves them); a soft
/// limit above its hard one refused.
pub fn ulimits(here: &str, v: Option<&Value>) -> Result<Vec<(String, i64, i64)>, Error> {
    let number = |at: &str, v: Option<&Value>| -> Result<i64, Error> {
        v.and_then(text)
            .and_then(|t| t.parse::<i64>().ok())
            .ok_or_else(|| Error::invalid(at, "expected a number (or soft and hard numbers)"))
    };
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let Value::Object(map) = v else {
        return Err(Error::invalid(
            format!("{here}.ulimits"),
            "expected a map of limits (nofile: 1024, or nofile: {soft: 1024, hard: 2048})",
        ));
    };
    let mut limits = Vec::new();
    for (name, v) in map {
        let at = format!("{here}.ulimits.{name}");
        let (soft, hard) = match v {
            Value::Object(m) => (number(&at, m.get("soft"))?, number(&at, m.get("hard"))?),
            one => {
                let n = number(&at, Some(one))?;
                (n, n)
            }
        };
        if soft > hard {
            return Err(Error::invalid(
                &at,
                format!("its soft limit {soft} is above its hard limit {hard}"),
            ));
        }
        limits.push((name.clone(), soft, hard));
    }
    Ok(limits)
}

/// The SSH agents a service's build names (`build.ssh`: `default`, `ID=SOCKET`, or a map of
/// ids to sockets), as `--ssh` takes them.
pub fn build_ssh(b: &Build, service: &str) -> Result<Vec<berth_docker::build::SshAgent>, Error> {
    let here = format!("services.{service}.build.ssh");
    ssh_entries(b, service)?
        .iter()
        .map(|e| {
            berth_docker::build::SshAgent::parse(e)
                .map_err(|err| Error::invalid(&here, err.to_string()))
        })
        .collect()
}

/// `build.ssh` as written, each `ID` or `ID=SOCKET` (a map's entries so too).
pub fn ssh_entries(b: &Build, service: &str) -> Result<Vec<String>, Error> {
    let here = format!("services.{service}.build.ssh");
    Ok(match b.other.get("ssh") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| Error::invalid(&here, "list agents as default or ID=SOCKET"))?,
        Some(Value::Object(map)) => map
            .iter()
            .map(|(id, socket)| match socket.as_str() {
                Some("") | None => id.clone(),
                Some(socket) => format!("{id}={socket}"),
            })
            .collect(),
        Some(_) => return Err(Error::invalid(&here, "list agents as default or ID=SOCKET")),
    })
}

/// A build's arguments with their values: one the files leave without a value takes the
/// variable of that name, and is left out when it is not set (as compose builds).
pub fn build_args(b: &Build) -> BTreeMap<String, String> {
    b.args
        .iter()
        .filter_map(|(k, v)| {
            v.clone()
                .or_else(|| std::env::var(k).ok())
                .map(|v| (k.clone(), v))
        })
        .collect()
}

/// Where `svc`'s secrets and configs go. One from a swarm (`external`) is refused by name, and
/// so is one whose variable is not set.
pub fn secrets_and_configs(project: &Project, svc: &Service, at: &str) -> Result<Placed, Error> {
    let mut placed = Placed::default();
    for (kind, defs, dir) in [
        ("secrets", &project.secrets, "/run/secrets/"),
        ("configs", &project.configs, "/"),
    ] {
        let Some(uses) = svc.other.get(kind).and_then(Value::as_array) else {
            continue;
        };
        for u in uses {
            let source = u.get("source").and_then(text).unwrap_or_default();
            let here = format!("{at}.{kind}");
            let target = match u.get("target").and_then(text) {
                Some(t) if t.starts_with('/') => t,
                Some(t) => format!("{dir}{t}"),
                None => format!("{dir}{source}"),
            };
            let content = match origin(project, kind, defs, &source, &here)? {
                Origin::File(file) => {
                    placed.binds.push(format!("{file}:{target}:ro"));
                    continue;
                }
                Origin::Text(content) => content,
            };
            // `mode: 0440` is read as octal already (see yaml.rs); as text, `"0440"` is too.
            let mode = match u.get("mode") {
                None => Some(0o444),
                Some(Value::Number(n)) => n.as_u64().and_then(|m| u32::try_from(m).ok()),
                Some(Value::String(m)) => u32::from_str_radix(m.trim_start_matches("0o"), 8).ok(),
                Some(_) => None,
            }
            .filter(|m| *m <= 0o7777)
            .ok_or_else(|| Error::invalid(here.clone(), "mode is an octal number such as 0440"))?;
            let id = |key: &str| -> Result<u64, Error> {
                match u.get(key).and_then(text) {
                    None => Ok(0),
                    Some(n) => n.parse().map_err(|_| {
                        Error::invalid(here.clone(), format!("{key} {n:?} is not a number"))
                    }),
                }
            };
            placed.files.push(FileCopy {
                path: target,
                content: content.into_bytes(),
                mode,
                uid: id("uid")?,
                gid: id("gid")?,
            });
        }
    }
    Ok(placed)
}

/// Where the Docker CLI in a container finds the logins it is given (`DOCKER_CONFIG`).
const API_SOCKET_CONFIG_DIR: &str = "/run/secrets/docker";

/// Gives a container of `svc` (which has `use_api_socket: true`) what `docker compose` gives
/// it: the engine's socket at `/var/run/docker.sock`, the registry logins as a `config.json`
/// copied in, and `DOCKER_CONFIG` naming its folder unless the service sets it.
pub fn api_socket(
    project: &Project,
    svc: &Service,
    at: &str,
    placed: &mut Placed,
    env: &mut Vec<String>,
) -> Result<(), Error> {
    let api = project.api_socket.as_ref().ok_or_else(|| {
        Error::invalid(
            format!("{at}.use_api_socket"),
            "the engine is not reached through a unix socket here, so there is no socket to give the container: run the project on a local engine, or remove use_api_socket",
        )
    })?;
    placed
        .binds
        .push(format!("{}:/var/run/docker.sock", api.socket));
    if !svc.environment.contains_key("DOCKER_CONFIG") {
        env.push(format!("DOCKER_CONFIG={API_SOCKET_CONFIG_DIR}"));
    }
    placed.files.push(FileCopy {
        path: format!("{API_SOCKET_CONFIG_DIR}/config.json"),
        content: api.config_json.clone().into_bytes(),
        mode: 0o444,
        uid: 0,
        gid: 0,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_builds_ssh_agents_are_read_as_a_list_or_a_map() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("agent.sock");
        let _listening = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let at = socket.display().to_string();
        let build = |ssh: Value| Build {
            other: BTreeMap::from([("ssh".to_owned(), ssh)]),
            ..Default::default()
        };
        let agent = |id: &str| berth_docker::build::SshAgent {
            id: id.to_owned(),
            socket: socket.clone(),
        };
        assert_eq!(
            build_ssh(&build(serde_json::json!([format!("deploy={at}")])), "web").unwrap(),
            [agent("deploy")]
        );
        assert_eq!(
            build_ssh(
                &build(serde_json::json!({ "deploy": at, "other": at })),
                "web"
            )
            .unwrap(),
            [agent("deploy"), agent("other")]
        );
        assert!(build_ssh(&Build::default(), "web").unwrap().is_empty());
        for (bad, says) in [
            (
                serde_json::json!("default"),
                "list agents as default or ID=SOCKET",
            ),
            (
                serde_json::json!([1]),
                "list agents as default or ID=SOCKET",
            ),
            (
                serde_json::json!(["default=/nonexistent/agent.sock"]),
                "--ssh default=/nonexistent/agent.sock: /nonexistent/agent.sock: no such socket",
            ),
        ] {
            let err = build_ssh(&build(bad), "web").unwrap_err().to_string();
            assert!(
                err.starts_with("services.web.build.ssh") && err.contains(says),
                "{err}"
            );
        }
    }
}
