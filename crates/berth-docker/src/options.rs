//! `docker run`'s less common flags (`--mount`, `--device`, `--ulimit`, `--add-host`, `--cap-add`,
//! `--privileged`, …): each parsed from docker's syntax with an error naming the input, and
//! applied to the engine's create request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use bollard::models::{
    ContainerCreateBody, DeviceMapping, DeviceRequest, HealthConfig, HostConfig,
    HostConfigIsolationEnum, HostConfigLogConfig, Mount, MountBindOptions,
    MountBindOptionsPropagationEnum, MountTmpfsOptions, MountType, MountVolumeOptions,
    MountVolumeOptionsDriverConfig, ResourcesBlkioWeightDevice, ResourcesUlimits, ThrottleDevice,
};

use crate::Error;
use crate::spec::{self, PortMapping};

fn bad(input: &str, reason: &str) -> Error {
    Error::Invalid {
        input: input.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The flags, parsed. Empty ones leave the engine's defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunOptions {
    /// `-P`: every exposed port on a port the engine picks.
    pub publish_all: bool,
    /// `--expose`: (container port, protocol).
    pub expose: Vec<(u16, String)>,
    pub hostname: Option<String>,
    /// `--add-host`, as the engine takes them: `host:ip`.
    pub extra_hosts: Vec<String>,
    pub dns: Vec<String>,
    /// `--mount`.
    pub mounts: Vec<Mount>,
    pub devices: Vec<DeviceMapping>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opts: Vec<String>,
    pub group_add: Vec<String>,
    pub init: bool,
    pub read_only: bool,
    pub shm_size: Option<i64>,
    pub ulimits: Vec<ResourcesUlimits>,
    pub sysctls: HashMap<String, String>,
    pub pid: Option<String>,
    pub ipc: Option<String>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    pub log: Option<HostConfigLogConfig>,
    /// `--no-healthcheck`: the image's health check is off.
    pub no_healthcheck: bool,
    /// At most this many processes (`-1`: no limit).
    pub pids_limit: Option<i64>,
    /// Memory plus swap, in bytes (`-1`: unlimited swap).
    pub memory_swap: Option<i64>,
    /// A soft memory limit, in bytes.
    pub memory_reservation: Option<i64>,
    /// A relative CPU weight (1024 is the default share).
    pub cpu_shares: Option<i64>,
    /// The CPUs it may run on: `0-2`, `0,3`.
    pub cpuset_cpus: Option<String>,
    /// `--platform`: the image's platform to run (`linux/arm64`), checked by [`parse_platform`].
    pub platform: Option<String>,
    /// `--mac-address`: the container's MAC address on its network, checked by [`parse_mac`].
    pub mac_address: Option<String>,
    /// `--ip`, `--ip6`: its addresses on the (user-defined) network it starts on.
    pub ipv4_address: Option<IpAddr>,
    pub ipv6_address: Option<IpAddr>,
    /// `--volumes-from`: `CONTAINER[:ro|rw]`, checked by [`parse_volumes_from`].
    pub volumes_from: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    pub domainname: Option<String>,
    pub oom_kill_disable: bool,
    /// -1000 (never killed first) to 1000 (killed first).
    pub oom_score_adj: Option<i64>,
    /// Microseconds.
    pub cpu_period: Option<i64>,
    /// Microseconds a period.
    pub cpu_quota: Option<i64>,
    /// 0 to 100.
    pub memory_swappiness: Option<i64>,
    /// The memory nodes it may use: `0-1`, `0,3`.
    pub cpuset_mems: Option<String>,
    /// `--cgroupns host|private`.
    pub cgroupns: Option<String>,
    /// `--userns host`.
    pub userns: Option<String>,
    /// `--uts host`.
    pub uts: Option<String>,
    /// `--runtime`: the OCI runtime the engine runs it with (`runc`).
    pub runtime: Option<String>,
    /// `--device-cgroup-rule 'c 1:3 rwm'`, checked by [`parse_device_cgroup_rule`].
    pub device_cgroup_rules: Vec<String>,
    /// `--health-start-period`, in milliseconds.
    pub health_start_period_ms: Option<u64>,
    /// `--link NAME[:ALIAS]` (docker's legacy links), as the engine takes them.
    pub links: Vec<String>,
    pub cgroup_parent: Option<String>,
    /// 10 to 1000.
    pub blkio_weight: Option<u16>,
    pub volume_driver: Option<String>,
    /// `--storage-opt size=10G`.
    pub storage_opts: HashMap<String, String>,
    /// `--gpus`, checked by [`parse_gpus`].
    pub gpus: Vec<DeviceRequest>,
    /// `--blkio-weight-device /dev/vda:300`, checked by [`parse_weight_device`].
    pub blkio_weight_devices: Vec<ResourcesBlkioWeightDevice>,
    /// `--device-read-bps`, `--device-write-bps` (bytes a second), `--device-read-iops`,
    /// `--device-write-iops`, checked by [`parse_throttle`].
    pub device_read_bps: Vec<ThrottleDevice>,
    pub device_write_bps: Vec<ThrottleDevice>,
    pub device_read_iops: Vec<ThrottleDevice>,
    pub device_write_iops: Vec<ThrottleDevice>,
    /// `--cpu-rt-period`, `--cpu-rt-runtime`: microseconds.
    pub cpu_rt_period: Option<i64>,
    pub cpu_rt_runtime: Option<i64>,
    /// `--isolation`: `default` (the only one on Linux), `process` or `hyperv`.
    pub isolation: Option<HostConfigIsolationEnum>,
}

impl RunOptions {
    /// Adds what is set to a create request made from the rest of the spec.
    pub fn apply(&self, body: &mut ContainerCreateBody) {
        if !self.expose.is_empty() {
            let exposed = body.exposed_ports.get_or_insert_with(Vec::new);
            for (port, proto) in &self.expose {
                let key = format!("{port}/{proto}");
                if !exposed.contains(&key) {
                    exposed.push(key);
                }
            }
        }
        if self.hostname.is_some() {
            body.hostname.clone_from(&self.hostname);
        }
        if self.stop_signal.is_some() {
            body.stop_signal.clone_from(&self.stop_signal);
        }
        if self.stop_timeout.is_some() {
            body.stop_timeout = self.stop_timeout;
        }
        if self.no_healthcheck {
            body.healthcheck = Some(HealthConfig {
                test: Some(vec!["NONE".into()]),
                ..Default::default()
            });
        }
        if let Some(ms) = self.health_start_period_ms {
            // Without a command of its own, the engine takes the image's (as docker sends it).
            body.healthcheck
                .get_or_insert_with(HealthConfig::default)
                .start_period = Some(i64::try_from(ms).unwrap_or(i64::MAX / 1_000_000) * 1_000_000);
        }
        if self.domainname.is_some() {
            body.domainname.clone_from(&self.domainname);
        }
        let host = body.host_config.get_or_insert_with(HostConfig::default);
        host.publish_all_ports = self.publish_all.then_some(true);
        host.extra_hosts = listed(&self.extra_hosts);
        host.dns = listed(&self.dns);
        host.mounts = listed(&self.mounts);
        host.devices = listed(&self.devices);
        host.privileged = self.privileged.then_some(true);
        host.cap_add = listed(&self.cap_add);
        host.cap_drop = listed(&self.cap_drop);
        host.security_opt = listed(&self.security_opts);
        host.group_add = listed(&self.group_add);
        host.init = self.init.then_some(true);
        host.readonly_rootfs = self.read_only.then_some(true);
        host.shm_size = self.shm_size;
        host.ulimits = listed(&self.ulimits);
        host.sysctls = (!self.sysctls.is_empty()).then(|| self.sysctls.clone());
        host.pid_mode.clone_from(&self.pid);
        host.ipc_mode.clone_from(&self.ipc);
        host.log_config.clone_from(&self.log);
        host.pids_limit = self.pids_limit;
        host.memory_swap = self.memory_swap;
        host.memory_reservation = self.memory_reservation;
        host.cpu_shares = self.cpu_shares;
        host.cpuset_cpus.clone_from(&self.cpuset_cpus);
        host.volumes_from = listed(&self.volumes_from);
        host.dns_search = listed(&self.dns_search);
        host.dns_options = listed(&self.dns_options);
        host.oom_kill_disable = self.oom_kill_disable.then_some(true);
        host.oom_score_adj = self.oom_score_adj;
        host.cpu_period = self.cpu_period;
        host.cpu_quota = self.cpu_quota;
        host.memory_swappiness = self.memory_swappiness;
        host.cpuset_mems.clone_from(&self.cpuset_mems);
        host.cgroupns_mode = self.cgroupns.as_deref().and_then(|m| m.parse().ok());
        host.userns_mode.clone_from(&self.userns);
        host.uts_mode.clone_from(&self.uts);
        host.runtime.clone_from(&self.runtime);
        host.device_cgroup_rules = listed(&self.device_cgroup_rules);
        host.links = listed(&self.links);
        host.cgroup_parent.clone_from(&self.cgroup_parent);
        host.blkio_weight = self.blkio_weight;
        host.volume_driver.clone_from(&self.volume_driver);
        host.storage_opt = (!self.storage_opts.is_empty()).then(|| self.storage_opts.clone());
        host.device_requests = listed(&self.gpus);
        host.blkio_weight_device = listed(&self.blkio_weight_devices);
        host.blkio_device_read_bps = listed(&self.device_read_bps);
        host.blkio_device_write_bps = listed(&self.device_write_bps);
        host.blkio_device_read_iops = listed(&self.device_read_iops);
        host.blkio_device_write_iops = listed(&self.device_write_iops);
        host.cpu_realtime_period = self.cpu_rt_period;
        host.cpu_realtime_runtime = self.cpu_rt_runtime;
        host.isolation = self.isolation;
        if self.ipv4_address.is_some() || self.ipv6_address.is_some() {
            // On the endpoint of the network it starts on, as docker sends them.
            let network = spec::start_network(host.network_mode.as_deref()).to_owned();
            let endpoint = body
                .networking_config
                .get_or_insert_with(Default::default)
                .endpoints_config
                .get_or_insert_with(Default::default)
                .entry(network)
                .or_default();
            let ipam = endpoint.ipam_config.get_or_insert_with(Default::default);
            ipam.ipv4_address = self.ipv4_address.map(|ip| ip.to_string());
            ipam.ipv6_address = self.ipv6_address.map(|ip| ip.to_string());
        }
        let host = body.host_config.get_or_insert_with(HostConfig::default);
        if let Some(mac) = &self.mac_address {
            // On the endpoint of the network it starts on, as docker sends it from API 1.44 on;
            // the client moves it to where an older engine reads it.
            let network = spec::start_network(host.network_mode.as_deref()).to_owned();
            let endpoints = body
                .networking_config
                .get_or_insert_with(Default::default)
                .endpoints_config
                .get_or_insert_with(Default::default);
            endpoints.entry(network).or_default().mac_address = Some(mac.clone());
        }
    }
}

/// A list for the engine: none (its default) when empty.
fn listed<T: Clone>(values: &[T]) -> Option<Vec<T>> {
    (!values.is_empty()).then(|| values.to_vec())
}

/// `--mac-address 02:42:ac:11:00:02`: six bytes in hex, by colons or dashes (written with
/// colons, in lower case, as the engine shows it).
pub fn parse_mac(text: &str) -> Result<String, Error> {
    let parts: Vec<&str> = text.split([':', '-']).collect();
    if parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
    {
        Ok(parts.join(":").to_ascii_lowercase())
    } else {
        Err(bad(
            text,
            "a MAC address is six hex bytes, e.g. 02:42:ac:11:00:02",
        ))
    }
}

/// `--memory-swap 1g`, or `-1` for unlimited swap.
pub fn parse_memory_swap(text: &str) -> Result<i64, Error> {
    if text == "-1" {
        return Ok(-1);
    }
    spec::parse_bytes(text).map_err(|_| {
        bad(
            text,
            "write a size like 1g (memory plus swap), or -1 for no limit",
        )
    })
}

/// `--cpuset-cpus 0-2,4`: CPU numbers and ranges.
pub fn parse_cpuset(text: &str) -> Result<String, Error> {
    let valid = !text.is_empty()
        && text.split(',').all(|part| {
            let mut ends = part.splitn(2, '-');
            let first = ends.next().is_some_and(|n| n.parse::<u32>().is_ok());
            first && ends.next().is_none_or(|n| n.parse::<u32>().is_ok())
        });
    if valid {
        Ok(text.to_owned())
    } else {
        Err(bad(text, "write CPU numbers and ranges, e.g. 0-2 or 0,3"))
    }
}

/// `--expose 80`, `--expose 7000-7001/udp`: ports the container listens on, published only with
/// `-P`.
pub fn parse_expose(text: &str) -> Result<Vec<(u16, String)>, Error> {
    let ports = spec::parse_port(text)
        .map_err(|_| bad(text, "write --expose PORT[-END][/tcp|udp|sctp], e.g. 80"))?;
    if ports
        .iter()
        .any(|p: &PortMapping| p.host_ip.is_some() || p.host_port.is_some())
    {
        return Err(bad(
            text,
            "--expose takes the container's port only (publish with -p HOST:CONTAINER)",
        ));
    }
    Ok(ports
        .into_iter()
        .map(|p| (p.container_port, p.proto))
        .collect())
}

/// `--add-host db:10.0.0.2` (or `db=10.0.0.2`, or `host-gateway` for the address).
pub fn parse_add_host(text: &str) -> Result<String, Error> {
    let usage = "write --add-host NAME:IP, e.g. db:10.0.0.2 or host.docker.internal:host-gateway";
    let (name, ip) = text
        .split_once('=')
        .or_else(|| text.split_once(':'))
        .ok_or_else(|| bad(text, usage))?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    if name.is_empty() || (ip != "host-gateway" && ip.parse::<IpAddr>().is_err()) {
        return Err(bad(text, usage));
    }
    Ok(format!("{name}:{ip}"))
}

/// A capability as docker sends it: `net_admin` is `CAP_NET_ADMIN`; `ALL` stays.
pub fn capability(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    if upper == "ALL" || upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    }
}

/// `--platform linux/arm64`: `os/arch[/variant]`, as the engine takes it (lower case).
pub fn parse_platform(text: &str) -> Result<String, Error> {
    let parts: Vec<&str> = text.split('/').collect();
    let word = |p: &&str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    };
    if (2..=3).contains(&parts.len()) && parts.iter().all(word) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(bad(
            text,
            "--platform is OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm/v7",
        ))
    }
}

/// `--dns 1.1.1.1`: an IP address.
pub fn parse_dns(text: &str) -> Result<String, Error> {
    text.parse::<IpAddr>()
        .map(|_| text.to_owned())
        .map_err(|_| bad(text, "--dns takes an IP address, e.g. 1.1.1.1"))
}

/// `--volumes-from web` or `--volumes-from web:ro`: another container's volumes, read-write
/// unless `:ro`.
pub fn parse_volumes_from(text: &str) -> Result<String, Error> {
    let (name, mode) = match text.rsplit_once(':') {
        Some((name, mode)) => (name, Some(mode)),
        None => (text, None),
    };
    if name.is_empty() || !matches!(mode, None | Some("ro" | "rw")) {
        return Err(bad(
            text,
            "write --volumes-from CONTAINER[:ro|rw], e.g. db:ro",
        ));
    }
    Ok(text.to_owned())
}

/// `--link db` or `--link db:database`: the engine's `NAME:ALIAS`.
pub fn parse_link(text: &str) -> Result<String, Error> {
    let (name, alias) = text.split_once(':').unwrap_or((text, text));
    if name.is_empty() || alias.is_empty() || alias.contains(':') {
        return Err(bad(
            text,
            "write --link CONTAINER[:ALIAS], e.g. db:database",
        ));
    }
    Ok(format!("{name}:{alias}"))
}

/// `--blkio-weight`: 10 to 1000 (0 leaves the engine's).
pub fn parse_blkio_weight(value: u16) -> Result<u16, Error> {
    if value == 0 || (10..=1000).contains(&value) {
        Ok(value)
    } else {
        Err(bad(&value.to_string(), "--blkio-weight is 10 to 1000"))
    }
}

/// `--blkio-weight-device /dev/vda:300`: a device's block IO weight, 10 to 1000 (0 leaves the
/// engine's), as docker checks it.
pub fn parse_weight_device(text: &str) -> Result<ResourcesBlkioWeightDevice, Error> {
    let usage = "write --blkio-weight-device /dev/DEVICE:WEIGHT, the weight 10 to 1000";
    let (path, weight) = device_and(text).ok_or_else(|| bad(text, usage))?;
    match weight.parse::<u16>() {
        Ok(w) if w == 0 || (10..=1000).contains(&w) => Ok(ResourcesBlkioWeightDevice {
            path: Some(path.to_owned()),
            weight: Some(usize::from(w)),
        }),
        _ => Err(bad(text, usage)),
    }
}

/// `--device-read-bps /dev/vda:1mb` and the like: `flag`'s limit on a device, a rate in bytes
/// (with `bytes`: a number with `kb`, `mb` or `gb`, as docker reads it) or in operations a
/// second (a whole number).
pub fn parse_throttle(flag: &str, text: &str, bytes: bool) -> Result<ThrottleDevice, Error> {
    let usage = if bytes {
        format!("write {flag} /dev/DEVICE:RATE, the rate a number with kb, mb or gb")
    } else {
        format!("write {flag} /dev/DEVICE:RATE, the rate a whole number of operations")
    };
    let (path, rate) = device_and(text).ok_or_else(|| bad(text, &usage))?;
    let rate = if bytes {
        spec::parse_bytes(rate).ok()
    } else {
        rate.parse::<u64>().ok().and_then(|r| i64::try_from(r).ok())
    };
    match rate {
        Some(rate) if rate >= 0 => Ok(ThrottleDevice {
            path: Some(path.to_owned()),
            rate: Some(rate),
        }),
        _ => Err(bad(text, &usage)),
    }
}

/// `/dev/DEVICE:VALUE`, split; `None` for anything else.
fn device_and(text: &str) -> Option<(&str, &str)> {
    let (path, value) = text.split_once(':')?;
    (path.len() > "/dev/".len() && path.starts_with("/dev/")).then_some((path, value))
}

/// `--isolation`: the kinds the engine knows (Linux runs only `default`, and says so).
pub fn parse_isolation(text: &str) -> Result<HostConfigIsolationEnum, Error> {
    match text {
        "default" => Ok(HostConfigIsolationEnum::DEFAULT),
        "process" => Ok(HostConfigIsolationEnum::PROCESS),
        "hyperv" => Ok(HostConfigIsolationEnum::HYPERV),
        _ => Err(bad(text, "--isolation takes default, process or hyperv")),
    }
}

/// `--gpus all`, `--gpus 2`, `--gpus '"device=0,2"'`, `--gpus 'all,capabilities=utility'`: a
/// request for GPUs as docker makes it (CSV fields; a count, `all` or `count=N`, device ids,
/// capabilities, which always include `gpu`, a driver and its options; one GPU when neither a
/// count nor devices is said).
pub fn parse_gpus(text: &str) -> Result<DeviceRequest, Error> {
    let usage = "write --gpus all, a count, or device=ID[,ID…] (quoted: '\"device=0,2\"'), \
                 with capabilities=…, driver=… or options=… after a comma";
    let record = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| bad(text, usage))?;
    let count = |v: &str| -> Result<i64, Error> {
        match v {
            "all" => Ok(-1),
            n => n
                .parse()
                .map_err(|_| bad(text, &format!("{n:?} is not a count: a number, or all"))),
        }
    };
    let mut req = DeviceRequest::default();
    let mut seen: Vec<&str> = Vec::new();
    for field in record.iter() {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => ("count", None),
        };
        if seen.contains(&key) {
            return Err(bad(text, &format!("{key} is given twice")));
        }
        seen.push(key);
        match (key, value) {
            ("count", None) => req.count = Some(count(field)?),
            ("count", Some(v)) => req.count = Some(count(v)?),
            ("driver", Some(v)) => req.driver = Some(v.to_owned()),
            ("device", Some(v)) => {
                req.device_ids = Some(v.split(',').map(str::to_owned).collect());
            }
            ("capabilities", Some(v)) => {
                let mut caps: Vec<String> = v.split(',').map(str::to_owned).collect();
                caps.push("gpu".to_owned());
                req.capabilities = Some(vec![caps]);
            }
            ("options", Some(v)) => {
                let mut options = HashMap::new();
                for pair in v.split(',') {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    options.insert(k.to_owned(), v.to_owned());
                }
                req.options = Some(options);
            }
            _ => return Err(bad(text, &format!("unknown field {field:?}: {usage}"))),
        }
    }
    if req.count.is_none() && req.device_ids.is_none() {
        req.count = Some(1);
    }
    req.driver.get_or_insert_with(String::new);
    req.device_ids.get_or_insert_with(Vec::new);
    req.options.get_or_insert_with(HashMap::new);
    req.capabilities
        .get_or_insert_with(|| vec![vec!["gpu".to_owned()]]);
    Ok(req)
}

/// `--ip 10.5.0.9` (`v6` false) or `--ip6 fd00::9` (`v6` true).
pub fn parse_ip(text: &str, v6: bool) -> Result<IpAddr, Error> {
    match text.parse::<IpAddr>() {
        Ok(ip) if ip.is_ipv6() == v6 => Ok(ip),
        _ if v6 => Err(bad(text, "--ip6 takes an IPv6 address, e.g. fd00::9")),
        _ => Err(bad(text, "--ip takes an IPv4 address, e.g. 10.5.0.9")),
    }
}

/// `--oom-score-adj`: -1000 to 1000.
pub fn parse_oom_score_adj(value: i64) -> Result<i64, Error> {
    if (-1000..=1000).contains(&value) {
        Ok(value)
    } else {
        Err(bad(
            &value.to_string(),
            "--oom-score-adj is -1000 (never killed first) to 1000 (killed first)",
        ))
    }
}

/// `--memory-swappiness`: 0 to 100.
pub fn parse_swappiness(value: i64) -> Result<i64, Error> {
    if (0..=100).contains(&value) {
        Ok(value)
    } else {
        Err(bad(&value.to_string(), "--memory-swappiness is 0 to 100"))
    }
}

/// A namespace flag's mode: `flag` (`--cgroupns`) takes one of `allowed`.
pub fn parse_namespace_mode(flag: &str, text: &str, allowed: &[&str]) -> Result<String, Error> {
    if allowed.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(bad(text, &format!("{flag} takes {}", allowed.join(" or "))))
    }
}

/// `--device-cgroup-rule 'c 1:3 rwm'`: a type (`a`, `b`, `c`), `MAJOR:MINOR` (numbers or `*`)
/// and access (`r`, `w`, `m`).
pub fn parse_device_cgroup_rule(text: &str) -> Result<String, Error> {
    let number = |n: &str| n == "*" || (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let parts: Vec<&str> = text.split_whitespace().collect();
    let valid = match parts.as_slice() {
        [kind, numbers, access] => {
            matches!(*kind, "a" | "b" | "c")
                && numbers
                    .split_once(':')
                    .is_some_and(|(major, minor)| number(major) && number(minor))
                && !access.is_empty()
                && access.chars().all(|c| "rwm".contains(c))
        }
        _ => false,
    };
    if valid {
        Ok(text.to_owned())
    } else {
        Err(bad(
            text,
            "write --device-cgroup-rule 'TYPE MAJOR:MINOR ACCESS', e.g. 'c 1:3 rwm'",
        ))
    }
}

/// `--device /dev/fuse` or `--device /dev/sda:/dev/xvda[:rwm]`.
pub fn parse_device(text: &str) -> Result<DeviceMapping, Error> {
    let usage = "write --device HOST_PATH[:CONTAINER_PATH][:rwm], e.g. /dev/fuse";
    let parts: Vec<&str> = text.split(':').collect();
    let is_permissions = |p: &str| !p.is_empty() && p.chars().all(|c| "rwm".contains(c));
    let (host, container, permissions) = match parts.as_slice() {
        [h] => (*h, *h, "rwm"),
        [h, p] if is_permissions(p) => (*h, *h, *p),
        [h, c] => (*h, *c, "rwm"),
        [h, c, p] if is_permissions(p) => (*h, *c, *p),
        _ => return Err(bad(text, usage)),
    };
    if !host.starts_with('/') || !container.starts_with('/') {
        return Err(bad(text, usage));
    }
    Ok(DeviceMapping {
        path_on_host: Some(host.to_owned()),
        path_in_container: Some(container.to_owned()),
        cgroup_permissions: Some(permissions.to_owned()),
    })
}

/// The limits `--ulimit` knows (those of `setrlimit`).
const ULIMITS: [&str; 15] = [
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// `--ulimit nofile=1024:2048` (soft:hard) or `--ulimit nproc=512` (both).
pub fn parse_ulimit(text: &str) -> Result<ResourcesUlimits, Error> {
    let usage = "write --ulimit NAME=SOFT[:HARD], e.g. nofile=1024:2048";
    let (name, values) = text.split_once('=').ok_or_else(|| bad(text, usage))?;
    if !ULIMITS.contains(&name) {
        return Err(bad(
            text,
            &format!("unknown limit {name:?}: one of {}", ULIMITS.join(", ")),
        ));
    }
    let number = |v: &str| v.parse::<i64>().map_err(|_| bad(text, usage));
    let (soft, hard) = match values.split_once(':') {
        Some((s, h)) => (number(s)?, number(h)?),
        None => (number(values)?, number(values)?),
    };
    if soft > hard {
        return Err(bad(
            text,
            "the soft limit is above the hard one: write SOFT:HARD with SOFT ≤ HARD",
        ));
    }
    Ok(ResourcesUlimits {
        name: Some(name.to_owned()),
        soft: Some(soft),
        hard: Some(hard),
    })
}

/// `--shm-size 64m`: bytes, with b, k, m, g suffixes.
pub fn parse_shm_size(text: &str) -> Result<i64, Error> {
    spec::parse_bytes(text)
}

/// `--mount type=bind,source=./site,target=/www,readonly` as docker takes it (its fields are CSV,
/// so a value with a comma is quoted). `type` is `volume` unless said; a relative bind source is
/// taken from `cwd`.
pub fn parse_mount(text: &str, cwd: &Path) -> Result<Mount, Error> {
    let usage = "write --mount type=bind|volume|tmpfs,source=…,target=/path[,readonly]";
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let record = reader
        .records()
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| bad(text, usage))?;
    let mut mount = Mount {
        typ: Some(MountType::VOLUME),
        ..Default::default()
    };
    let mut volume = MountVolumeOptions::default();
    let mut volume_opts = HashMap::new();
    let mut bind = MountBindOptions::default();
    let mut tmpfs = MountTmpfsOptions::default();
    let flag = |v: Option<&str>| match v {
        None | Some("1" | "true") => Ok(true),
        Some("0" | "false") => Ok(false),
        Some(other) => Err(bad(
            text,
            &format!("{other:?} is not true or false (write readonly or readonly=false)"),
        )),
    };
    for field in &record {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v)),
            None => (field.trim().to_ascii_lowercase(), None),
        };
        let need = |v: Option<&str>| {
            v.map(str::to_owned)
                .ok_or_else(|| bad(text, &format!("{key} needs a value: {key}=…")))
        };
        match key.as_str() {
            "type" => {
                mount.typ = Some(match need(value)?.as_str() {
                    "bind" => MountType::BIND,
                    "volume" => MountType::VOLUME,
                    "tmpfs" => MountType::TMPFS,
                    other => {
                        return Err(bad(
                            text,
                            &format!("mount type {other:?}: use bind, volume or tmpfs"),
                        ));
                    }
                })
            }
            "source" | "src" => mount.source = Some(need(value)?),
            "target" | "destination" | "dst" => mount.target = Some(need(value)?),
            "readonly" | "ro" => mount.read_only = Some(flag(value)?),
            "consistency" => mount.consistency = Some(need(value)?),
            "bind-propagation" => {
                bind.propagation = Some(match need(value)?.as_str() {
                    "private" => MountBindOptionsPropagationEnum::PRIVATE,
                    "rprivate" => MountBindOptionsPropagationEnum::RPRIVATE,
                    "shared" => MountBindOptionsPropagationEnum::SHARED,
                    "rshared" => MountBindOptionsPropagationEnum::RSHARED,
                    "slave" => MountBindOptionsPropagationEnum::SLAVE,
                    "rslave" => MountBindOptionsPropagationEnum::RSLAVE,
                    other => {
                        return Err(bad(
                            text,
                            &format!(
                                "bind-propagation {other:?}: use private, rprivate, shared, rshared, slave or rslave"
                            ),
                        ));
                    }
                })
            }
            "volume-nocopy" => volume.no_copy = Some(flag(value)?),
            "volume-driver" => {
                volume
                    .driver_config
                    .get_or_insert_with(Default::default)
                    .name = Some(need(value)?)
            }
            "volume-opt" => {
                let (k, v) = spec::parse_key_value(&need(value)?)?;
                volume_opts.insert(k, v);
            }
            "volume-subpath" => volume.subpath = Some(need(value)?),
            "tmpfs-size" => tmpfs.size_bytes = Some(spec::parse_bytes(&need(value)?)?),
            "tmpfs-mode" => {
                let mode = need(value)?;
                tmpfs.mode = Some(
                    i64::from_str_radix(&mode, 8)
                        .map_err(|_| bad(text, "tmpfs-mode is an octal file mode, e.g. 1777"))?,
                )
            }
            other => {
                return Err(bad(text, &format!("unknown field {other:?}: {usage}")));
            }
        }
    }
    let Some(target) = &mount.target else {
        return Err(bad(text, &format!("a mount needs a target: {usage}")));
    };
    if !target.starts_with('/') {
        return Err(bad(text, "the target is an absolute path in the container"));
    }
    if !volume_opts.is_empty() {
        volume
            .driver_config
            .get_or_insert_with(MountVolumeOptionsDriverConfig::default)
            .options = Some(volume_opts);
    }
    let stray = match mount.typ {
        Some(MountType::BIND) => {
            volume != MountVolumeOptions::default() || tmpfs != MountTmpfsOptions::default()
        }
        Some(MountType::TMPFS) => {
            volume != MountVolumeOptions::default() || bind != MountBindOptions::default()
        }
        _ => bind != MountBindOptions::default() || tmpfs != MountTmpfsOptions::default(),
    };
    if stray {
        return Err(bad(
            text,
            "an option of another mount type (bind-*, volume-*, tmpfs-* go with their type)",
        ));
    }
    match mount.typ {
        Some(MountType::BIND) => {
            let Some(source) = &mount.source else {
                return Err(bad(
                    text,
                    "a bind mount needs a source: source=/path/on/host",
                ));
            };
            let path = cwd.join(source);
            mount.source = Some(path.canonicalize().unwrap_or(path).display().to_string());
            mount.bind_options = (bind != MountBindOptions::default()).then_some(bind);
        }
        Some(MountType::TMPFS) => {
            if mount.source.is_some() {
                return Err(bad(text, "a tmpfs mount has no source"));
            }
            mount.tmpfs_options = (tmpfs != MountTmpfsOptions::default()).then_some(tmpfs);
        }
        _ => mount.volume_options = (volume != MountVolumeOptions::default()).then_some(volume),
    }
    Ok(mount)
}

/// `--log-driver` with its `--log-opt KEY=value`s.
pub fn log_config(
    driver: Option<&str>,
    opts: &[String],
) -> Result<Option<HostConfigLogConfig>, Error> {
    if driver.is_none() && opts.is_empty() {
        return Ok(None);
    }
    let config = opts
        .iter()
        .map(|o| spec::parse_key_value(o))
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(Some(HostConfigLogConfig {
        typ: driver.map(str::to_owned),
        config: (!config.is_empty()).then_some(config),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_addresses_are_six_hex_bytes() {
        assert_eq!(parse_mac("02:42:AC:11:00:02").unwrap(), "02:42:ac:11:00:02");
        assert_eq!(parse_mac("02-42-ac-11-00-02").unwrap(), "02:42:ac:11:00:02");
        for bad in [
            "",
            "02:42:ac:11:00",
            "02:42:ac:11:00:0g",
            "0242ac110002",
            "2:42:ac:11:0:2",
        ] {
            let e = parse_mac(bad).unwrap_err().to_string();
            assert!(e.contains("six hex bytes"), "{bad}: {e}");
        }
    }

    #[test]
    fn platforms_are_os_arch_and_a_variant() {
        assert_eq!(parse_platform("linux/amd64").unwrap(), "linux/amd64");
        assert_eq!(parse_platform("Linux/ARM/v7").unwrap(), "linux/arm/v7");
        for bad in [
            "linux",
            "linux/",
            "/amd64",
            "linux/arm/v7/x",
            "linux amd64/x",
            "",
        ] {
            let e = parse_platform(bad).unwrap_err().to_string();
            assert!(e.contains("OS/ARCH[/VARIANT]"), "{bad}: {e}");
        }
    }

    #[test]
    fn mounts_as_docker_writes_them() {
        let cwd = Path::new("/srv/app");
        let m = parse_mount("type=bind,source=site,target=/www,readonly", cwd).unwrap();
        assert_eq!(m.typ, Some(MountType::BIND));
        assert_eq!(m.source.as_deref(), Some("/srv/app/site"));
        assert_eq!(
            (m.target.as_deref(), m.read_only),
            (Some("/www"), Some(true))
        );
        let m = parse_mount("src=data,dst=/data,volume-nocopy", cwd).unwrap();
        assert_eq!(m.typ, Some(MountType::VOLUME));
        assert_eq!(m.volume_options.and_then(|v| v.no_copy), Some(true));
        let m = parse_mount(
            "type=volume,target=/d,\"volume-opt=o=addr=10.0.0.1,rw\"",
            cwd,
        )
        .unwrap();
        let opts = m
            .volume_options
            .and_then(|v| v.driver_config)
            .and_then(|d| d.options);
        assert_eq!(opts.unwrap()["o"], "addr=10.0.0.1,rw");
        let m = parse_mount(
            "type=tmpfs,target=/cache,tmpfs-size=64m,tmpfs-mode=1777",
            cwd,
        )
        .unwrap();
        let t = m.tmpfs_options.unwrap();
        assert_eq!((t.size_bytes, t.mode), (Some(64 << 20), Some(0o1777)));
        for (text, says) in [
            ("type=bind,target=/www", "needs a source"),
            ("type=nfs,target=/x", "use bind, volume or tmpfs"),
            ("source=data", "needs a target"),
            ("src=data,target=relative", "absolute path"),
            ("src=data,target=/d,colour=blue", "unknown field \"colour\""),
            ("type=tmpfs,src=x,target=/t", "no source"),
            (
                "type=bind,src=/x,target=/t,tmpfs-size=1m",
                "another mount type",
            ),
            ("src=data,target=/d,readonly=maybe", "not true or false"),
        ] {
            let err = parse_mount(text, cwd).unwrap_err().to_string();
            assert!(err.contains(says) && err.contains(text), "{text}: {err}");
        }
    }

    #[test]
    fn devices_limits_hosts_and_ports() {
        let d = parse_device("/dev/fuse").unwrap();
        assert_eq!(
            (
                d.path_in_container.as_deref(),
                d.cgroup_permissions.as_deref()
            ),
            (Some("/dev/fuse"), Some("rwm"))
        );
        let d = parse_device("/dev/sda:/dev/xvda:r").unwrap();
        assert_eq!(
            (
                d.path_in_container.as_deref(),
                d.cgroup_permissions.as_deref()
            ),
            (Some("/dev/xvda"), Some("r"))
        );
        assert!(parse_device("fuse").is_err());
        let u = parse_ulimit("nofile=1024:2048").unwrap();
        assert_eq!((u.soft, u.hard), (Some(1024), Some(2048)));
        assert_eq!(parse_ulimit("nproc=512").unwrap().hard, Some(512));
        assert!(
            parse_ulimit("files=1")
                .unwrap_err()
                .to_string()
                .contains("unknown limit")
        );
        assert!(
            parse_ulimit("nofile=9:1")
                .unwrap_err()
                .to_string()
                .contains("soft limit")
        );
        assert_eq!(parse_add_host("db:10.0.0.2").unwrap(), "db:10.0.0.2");
        assert_eq!(parse_add_host("v6=::1").unwrap(), "v6:::1");
        assert_eq!(
            parse_add_host("host.docker.internal:host-gateway").unwrap(),
            "host.docker.internal:host-gateway"
        );
        assert!(parse_add_host("db").is_err() && parse_add_host("db:nowhere").is_err());
        assert_eq!(
            parse_expose("7000-7001/udp").unwrap(),
            [(7000, "udp".into()), (7001, "udp".into())]
        );
        assert!(
            parse_expose("8000:80")
                .unwrap_err()
                .to_string()
                .contains("container's port only")
        );
        assert!(parse_dns("one.one").is_err());
        assert_eq!(capability("net_admin"), "CAP_NET_ADMIN");
        assert_eq!(capability("CAP_SYS_TIME"), "CAP_SYS_TIME");
        assert_eq!(capability("all"), "ALL");
        assert_eq!(parse_cpuset("0-2,4").unwrap(), "0-2,4");
        assert!(parse_cpuset("0-").is_err() && parse_cpuset("a").is_err());
        assert_eq!(parse_memory_swap("-1").unwrap(), -1);
        assert_eq!(parse_memory_swap("1g").unwrap(), 1 << 30);
        assert!(parse_memory_swap("lots").is_err());
    }

    #[test]
    fn device_limits_are_read_as_docker_reads_them() {
        let w = parse_weight_device("/dev/vda:300").unwrap();
        assert_eq!((w.path.as_deref(), w.weight), (Some("/dev/vda"), Some(300)));
        for bad in [
            "/dev/vda:5",
            "/dev/vda:1001",
            "vda:300",
            "/dev/:300",
            "/dev/vda",
        ] {
            let err = parse_weight_device(bad).unwrap_err().to_string();
            assert!(err.contains("write --blkio-weight-device"), "{bad}: {err}");
        }
        let t = parse_throttle("--device-read-bps", "/dev/vda:1mb", true).unwrap();
        assert_eq!(
            (t.path.as_deref(), t.rate),
            (Some("/dev/vda"), Some(1 << 20))
        );
        let t = parse_throttle("--device-write-bps", "/dev/vda:2MB", true).unwrap();
        assert_eq!(t.rate, Some(2 << 20));
        let t = parse_throttle("--device-read-iops", "/dev/vda:100", false).unwrap();
        assert_eq!(t.rate, Some(100));
        for (flag, bad, bytes) in [
            ("--device-read-bps", "/dev/vda:-1", true),
            ("--device-read-bps", "vda:1mb", true),
            ("--device-read-iops", "/dev/vda:1mb", false),
            ("--device-write-iops", "/dev/vda:-3", false),
        ] {
            let err = parse_throttle(flag, bad, bytes).unwrap_err().to_string();
            assert!(
                err.contains(&format!("write {flag} /dev/DEVICE:RATE")),
                "{bad}: {err}"
            );
        }
        assert_eq!(
            parse_isolation("default").unwrap(),
            HostConfigIsolationEnum::DEFAULT
        );
        assert!(
            parse_isolation("vm")
                .unwrap_err()
                .to_string()
                .contains("default, process or hyperv")
        );
    }

    #[test]
    fn options_reach_the_create_request() {
        let options = RunOptions {
            publish_all: true,
            expose: vec![(80, "tcp".into())],
            hostname: Some("box".into()),
            cap_add: vec!["NET_ADMIN".into()],
            init: true,
            no_healthcheck: true,
            shm_size: Some(64 << 20),
            ..Default::default()
        };
        let mut body = ContainerCreateBody::default();
        options.apply(&mut body);
        let host = body.host_config.unwrap();
        assert_eq!(body.exposed_ports, Some(vec!["80/tcp".into()]));
        assert_eq!(body.hostname.as_deref(), Some("box"));
        assert_eq!(
            body.healthcheck.and_then(|h| h.test),
            Some(vec!["NONE".into()])
        );
        assert_eq!(host.publish_all_ports, Some(true));
        assert_eq!(host.cap_add, Some(vec!["NET_ADMIN".into()]));
        assert_eq!((host.init, host.shm_size), (Some(true), Some(64 << 20)));
        assert_eq!(
            host.privileged, None,
            "unset flags leave the engine's defaults"
        );
    }
}
