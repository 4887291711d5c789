//! A service replica as the engine's create request: the container body, and the networks to
//! connect it to after creation (engines older than API 1.44 take one network at create time).

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HealthConfig, HostConfig,
    HostConfigLogConfig, NetworkingConfig, ResourcesUlimits, RestartPolicy, RestartPolicyNameEnum,
};
use serde_json::Value;

use crate::model::{Project, Service};
use crate::{Error, labels};

/// The create request for one replica.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    pub name: String,
    pub body: ContainerCreateBody,
    /// Networks (engine names) to connect after create, with their endpoint settings.
    pub connect: Vec<(String, EndpointSettings)>,
    /// Files to put in the container before it starts (secrets and configs not in files).
    pub files: Vec<crate::host::FileCopy>,
    /// The image's platform to run (`platform:`), when the service names one.
    pub platform: Option<String>,
}

/// Go-style durations as compose writes them: `1m30s`, `10s`, `500ms`, `1h`, `2us`.
pub fn duration_ns(text: &str) -> Option<i64> {
    let mut total: f64 = 0.0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    if let Ok(secs) = rest.parse::<f64>() {
        return Some((secs * 1e9) as i64);
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_len);
        let value: f64 = num.parse().ok()?;
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let scale = match unit {
            "w" => 7.0 * 86400e9,
            "d" => 86400e9,
            "h" => 3600e9,
            "m" => 60e9,
            "s" => 1e9,
            "ms" => 1e6,
            "us" | "µs" => 1e3,
            "ns" => 1.0,
            _ => return None,
        };
        total += value * scale;
        rest = next;
    }
    Some(total as i64)
}

pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A mapping's values as text (a string as it is, anything else as JSON writes it); empty when
/// `v` is not a mapping.
pub(crate) fn text_map(v: Option<&Value>) -> std::collections::BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::Array(items) => Some(items.iter().filter_map(text).collect()),
        other => text(other).map(|s| vec![s]),
    }
}

pub(crate) fn bytes(at: &str, v: &Value) -> Result<i64, Error> {
    match v {
        Value::Number(n) => Ok(n.as_i64().unwrap_or_default()),
        Value::String(s) => berth_docker::spec::parse_memory(s)
            .map_err(|_| Error::invalid(at, format!("{s:?} is not a size (e.g. 512m, 1g)"))),
        _ => Err(Error::invalid(at, "expected a size")),
    }
}

fn restart(at: &str, policy: &str) -> Result<RestartPolicy, Error> {
    let (name, count) = policy.split_once(':').unwrap_or((policy, ""));
    let name = match name {
        "no" | "" => RestartPolicyNameEnum::NO,
        "always" => RestartPolicyNameEnum::ALWAYS,
        "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
        "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
        other => {
            return Err(Error::invalid(
                at,
                format!(
                    "{other:?} is not a restart policy: no, always, on-failure[:N] or unless-stopped"
                ),
            ));
        }
    };
    Ok(RestartPolicy {
        name: Some(name),
        maximum_retry_count: count.parse().ok(),
    })
}

/// The engine's create request for replica `number` of `service`.
#[allow(clippy::too_many_arguments)]
pub fn create_request(
    project: &Project,
    service: &str,
    number: u32,
    name: &str,
    image_id: &str,
    api_version: &str,
    oneoff: bool,
) -> Result<CreateRequest, Error> {
    let svc: &Service = &project.services[service];
    let at = format!("services.{service}");
    let o = &svc.other;
    let labels = crate::labels::container(project, service, svc, number, image_id, oneoff);

    let (mut exposed, bindings) = berth_docker::spec::port_bindings(svc.ports.iter().map(|p| {
        (
            p.host_ip.clone(),
            p.published.clone().unwrap_or_default(),
            p.target,
            p.protocol.as_str(),
        )
    }));
    for e in strings(o.get("expose")).unwrap_or_default() {
        let key = if e.contains('/') {
            e
        } else {
            format!("{e}/tcp")
        };
        if !exposed.contains(&key) {
            exposed.push(key);
        }
    }

    let mut binds = Vec::new();
    let mut anonymous = Vec::new();
    let mut tmpfs: HashMap<String, String> = HashMap::new();
    for m in &svc.volumes {
        let ro = if m.read_only { ":ro" } else { "" };
        match (m.kind.as_str(), &m.source) {
            ("bind", Some(src)) => {
                let create = m
                    .other
                    .get("bind")
                    .and_then(|b| b.get("create_host_path"))
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                if !create && !std::path::Path::new(src).exists() {
                    return Err(Error::invalid(
                        format!("{at}.volumes"),
                        format!("bind source {src} does not exist (create_host_path is false)"),
                    ));
                }
                binds.push(format!("{src}:{}{ro}", m.target));
            }
            ("volume", Some(src)) => {
                let nocopy = m
                    .other
                    .get("volume")
                    .and_then(|v| v.get("nocopy"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let vol = project.volume_name(src);
                let opts = match (m.read_only, nocopy) {
                    (true, true) => ":ro,nocopy",
                    (true, false) => ":ro",
                    (false, true) => ":nocopy",
                    (false, false) => "",
                };
                binds.push(format!("{vol}:{}{opts}", m.target));
            }
            ("volume", None) => anonymous.push(m.target.clone()),
            ("tmpfs", _) => {
                let size = m
                    .other
                    .get("tmpfs")
                    .and_then(|t| t.get("size"))
                    .map(|s| bytes(&format!("{at}.volumes"), s))
                    .transpose()?;
                tmpfs.insert(
                    m.target.clone(),
                    size.map(|s| format!("size={s}")).unwrap_or_default(),
                );
            }
            (kind, _) => {
                return Err(Error::invalid(
                    format!("{at}.volumes"),
                    format!("mount type {kind:?} is not supported here"),
                ));
            }
        }
    }
    let mut placed = crate::host::secrets_and_configs(project, svc, &at)?;
    let mut env: Vec<String> = environment(project, service)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if svc.use_api_socket() {
        crate::host::api_socket(project, svc, &at, &mut placed, &mut env)?;
    }
    binds.extend(placed.binds);
    for t in strings(o.get("tmpfs")).unwrap_or_default() {
        let (path, opts) = t.split_once(':').unwrap_or((&t, ""));
        tmpfs.insert(path.to_owned(), opts.to_owned());
    }

    let healthcheck = match &svc.healthcheck {
        Some(h) if h.disable => Some(HealthConfig {
            test: Some(vec!["NONE".into()]),
            ..Default::default()
        }),
        Some(h) => Some(HealthConfig {
            test: h.test.clone(),
            interval: h.interval.as_deref().and_then(duration_ns),
            timeout: h.timeout.as_deref().and_then(duration_ns),
            retries: h.retries.map(i64::from),
            start_period: h.start_period.as_deref().and_then(duration_ns),
            start_interval: h.start_interval.as_deref().and_then(duration_ns),
        }),
        None => None,
    };

    // Limits: deploy.resources.limits, or the older top-level keys.
    let limits = o
        .get("deploy")
        .and_then(|d| d.get("resources"))
        .and_then(|r| r.get("limits"));
    let memory = limits
        .and_then(|l| l.get("memory"))
        .or_else(|| o.get("mem_limit"))
        .map(|m| bytes(&format!("{at}.memory"), m))
        .transpose()?;
    let cpus = limits
        .and_then(|l| l.get("cpus"))
        .or_else(|| o.get("cpus"))
        .and_then(|c| text(c)?.parse::<f64>().ok());

    let ulimits = crate::host::ulimits(&at, o.get("ulimits"))?;
    let ulimits = (!ulimits.is_empty()).then(|| {
        ulimits
            .into_iter()
            .map(|(name, soft, hard)| ResourcesUlimits {
                name: Some(name),
                soft: Some(soft),
                hard: Some(hard),
            })
            .collect()
    });

    let network_mode = crate::host::service_ref(
        project,
        &format!("{at}.network_mode"),
        svc.network_mode.clone(),
    )?;

    // Networks, by priority then name, the first at create time.
    let nets = networks_in_order(svc);
    let endpoint = |key: &str| {
        let def = svc.networks.get(key).cloned().flatten().unwrap_or_default();
        let mut aliases = vec![service.to_owned()];
        aliases.extend(def.aliases.iter().cloned());
        EndpointSettings {
            aliases: Some(aliases),
            ipam_config: (def.ipv4_address.is_some() || def.ipv6_address.is_some()).then(|| {
                EndpointIpamConfig {
                    ipv4_address: def.ipv4_address.clone(),
                    ipv6_address: def.ipv6_address.clone(),
                    ..Default::default()
                }
            }),
            ..Default::default()
        }
    };
    let modern = berth_docker::version_at_least(api_version, 1, 44);
    let mac = |at: String, v: Option<&Value>| {
        v.and_then(text)
            .map(|m| {
                berth_docker::options::parse_mac(&m).map_err(|_| {
                    Error::invalid(
                        at,
                        format!(
                            "{m} is not a MAC address: write six hex bytes, e.g. 02:42:ac:11:00:02"
                        ),
                    )
                })
            })
            .transpose()
    };
    let service_mac = mac(format!("{at}.mac_address"), o.get("mac_address"))?;
    let mut settings = Vec::new();
    for (i, key) in nets.iter().enumerate() {
        let engine_name = project.network_name(key);
        let own_at = format!("{at}.networks.{key}.mac_address");
        let own = svc.networks.get(*key).cloned().flatten();
        let own = mac(
            own_at.clone(),
            own.as_ref().and_then(|n| n.other.get("mac_address")),
        )?;
        // The service's own MAC address is on its first network, as docker compose puts it.
        let address = match (i, own, &service_mac) {
            (0, Some(own), Some(svc_mac)) if own != *svc_mac => {
                return Err(Error::invalid(
                    own_at,
                    format!(
                        "{own} differs from the service's mac_address {svc_mac}: give one of them"
                    ),
                ));
            }
            (0, own, svc_mac) => own.or_else(|| svc_mac.clone()),
            (_, own, _) => own,
        };
        if address.is_some() && i > 0 && !modern {
            return Err(Error::invalid(
                own_at,
                format!(
                    "this engine (API {api_version}) takes a MAC address on a container's first network only; one per network needs API 1.44 (Docker 25) or newer"
                ),
            ));
        }
        let mut endpoint = endpoint(key);
        endpoint.mac_address = address;
        settings.push((engine_name, endpoint));
    }
    let (mut endpoints, connect) = at_create(settings, modern);
    if let (true, Some(address)) = (nets.is_empty(), &service_mac) {
        match network_mode.as_deref() {
            Some(m) if m == "host" || m == "none" || m.starts_with("container:") => {
                return Err(Error::invalid(
                    format!("{at}.mac_address"),
                    format!(
                        "network_mode {m} gives the container no network of its own to have a MAC address on"
                    ),
                ));
            }
            m => {
                let network = berth_docker::spec::start_network(m).to_owned();
                endpoints.insert(
                    network,
                    EndpointSettings {
                        mac_address: Some(address.clone()),
                        ..Default::default()
                    },
                );
            }
        }
    }
    let primary = nets.first().map(|k| project.network_name(k));

    let log_config = o.get("logging").map(|l| HostConfigLogConfig {
        typ: l.get("driver").and_then(text),
        config: l.get("options").and_then(Value::as_object).map(|m| {
            m.iter()
                .filter_map(|(k, v)| text(v).map(|v| (k.clone(), v)))
                .collect()
        }),
    });

    let extra_hosts = o.get("extra_hosts").and_then(Value::as_object).map(|m| {
        m.iter()
            .filter_map(|(h, ip)| text(ip).map(|ip| format!("{h}:{ip}")))
            .collect()
    });

    let mut host_config = HostConfig {
        port_bindings: (!bindings.is_empty()).then_some(bindings),
        binds: (!binds.is_empty()).then_some(binds),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        restart_policy: svc
            .restart
            .as_deref()
            .map(|r| restart(&format!("{at}.restart"), r))
            .transpose()?,
        nano_cpus: cpus.map(|c| (c * 1e9) as i64),
        memory,
        network_mode: network_mode.or_else(|| primary.clone()),
        cap_add: strings(o.get("cap_add")),
        cap_drop: strings(o.get("cap_drop")),
        dns: strings(o.get("dns")),
        dns_search: strings(o.get("dns_search")),
        dns_options: strings(o.get("dns_opt")),
        extra_hosts,
        sysctls: o.get("sysctls").and_then(Value::as_object).map(|m| {
            m.iter()
                .filter_map(|(k, v)| text(v).map(|v| (k.clone(), v)))
                .collect()
        }),
        ulimits,
        privileged: o.get("privileged").and_then(Value::as_bool),
        init: o.get("init").and_then(Value::as_bool),
        readonly_rootfs: o.get("read_only").and_then(Value::as_bool),
        shm_size: o
            .get("shm_size")
            .map(|s| bytes(&format!("{at}.shm_size"), s))
            .transpose()?,
        pid_mode: crate::host::service_ref(
            project,
            &format!("{at}.pid"),
            o.get("pid").and_then(text),
        )?,
        ipc_mode: crate::host::service_ref(
            project,
            &format!("{at}.ipc"),
            o.get("ipc").and_then(text),
        )?,
        security_opt: strings(o.get("security_opt")),
        group_add: strings(o.get("group_add")),
        log_config,
        ..Default::default()
    };
    crate::host::apply(project, svc, &at, &mut host_config)?;
    // On a network of the project's, links go with its endpoint (the engine heeds
    // HostConfig's on its default bridge only), as the docker CLI sends them.
    if let Some(endpoint) = primary.as_ref().and_then(|p| endpoints.get_mut(p)) {
        endpoint.links = host_config.links.take();
    }

    let body = ContainerCreateBody {
        image: Some(svc.image_name(&project.name, service)),
        cmd: svc.command.clone(),
        entrypoint: svc.entrypoint.clone(),
        env: (!env.is_empty()).then_some(env),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        labels: Some(labels.into_iter().collect()),
        working_dir: o.get("working_dir").and_then(text),
        user: o.get("user").and_then(text),
        hostname: o.get("hostname").and_then(text),
        domainname: o.get("domainname").and_then(text),
        tty: o.get("tty").and_then(Value::as_bool),
        open_stdin: o.get("stdin_open").and_then(Value::as_bool),
        stop_signal: o.get("stop_signal").and_then(text),
        stop_timeout: o
            .get("stop_grace_period")
            .and_then(text)
            .and_then(|d| duration_ns(&d))
            .map(|ns| ns / 1_000_000_000),
        healthcheck,
        volumes: (!anonymous.is_empty()).then_some(anonymous),
        host_config: Some(host_config),
        networking_config: (!endpoints.is_empty()).then_some(NetworkingConfig {
            endpoints_config: Some(endpoints),
        }),
        ..Default::default()
    };
    Ok(CreateRequest {
        name: name.to_owned(),
        body,
        connect,
        files: placed.files,
        platform: svc.platform().map(str::to_owned),
    })
}

/// What a container recreated in place of `old` keeps of it, as docker compose keeps it unless
/// `up -V`: at each path that is one of the service's anonymous volumes or one of its image's
/// `VOLUME`s (`image_volumes`), and that the service does not now mount otherwise, the volume
/// (or folder) `old` had there, with its read-only flag; the engine then makes no new anonymous
/// volume there. The `com.docker.compose.replace` label names `old`.
pub fn inherit(
    req: &mut CreateRequest,
    project: &Project,
    service: &str,
    image_volumes: &[String],
    old: &bollard::models::ContainerInspectResponse,
) {
    let svc = &project.services[service];
    let clean = |p: &str| p.trim_end_matches('/').to_owned();
    let anonymous: Vec<String> = svc
        .volumes
        .iter()
        .filter(|m| m.kind == "volume" && m.source.is_none())
        .map(|m| clean(&m.target))
        .collect();
    let host = req.body.host_config.get_or_insert_with(Default::default);
    let mut taken: Vec<String> = svc
        .volumes
        .iter()
        .filter(|m| m.source.is_some() || m.kind == "tmpfs")
        .map(|m| clean(&m.target))
        .collect();
    taken.extend(host.tmpfs.iter().flatten().map(|(t, _)| clean(t)));
    for m in old.mounts.iter().flatten() {
        let (Some(kind), Some(target)) = (m.typ.as_deref(), m.destination.as_deref()) else {
            continue;
        };
        let target = clean(target);
        let source = match kind {
            "volume" => m.name.as_deref(),
            "bind" => m.source.as_deref(),
            _ => None,
        };
        let Some(source) = source else { continue };
        let wanted =
            anonymous.contains(&target) || image_volumes.iter().any(|v| clean(v) == target);
        if !wanted || taken.contains(&target) {
            continue;
        }
        let ro = if m.rw == Some(false) { ":ro" } else { "" };
        host.binds
            .get_or_insert_with(Vec::new)
            .push(format!("{source}:{target}{ro}"));
        taken.push(target.clone());
        if let Some(volumes) = &mut req.body.volumes {
            volumes.retain(|v| clean(v) != target);
        }
    }
    if req.body.volumes.as_ref().is_some_and(Vec::is_empty) {
        req.body.volumes = None;
    }
    if let Some(id) = &old.id {
        req.body
            .labels
            .get_or_insert_with(Default::default)
            .insert(crate::labels::REPLACE.to_owned(), id.clone());
    }
}

/// The environment of `service`'s containers: its own, with what the providers it depends on
/// gave it and the variables of the models it uses (once served).
fn environment(project: &Project, service: &str) -> std::collections::BTreeMap<String, String> {
    let mut env = crate::provider::environment(project, service);
    env.extend(crate::model_runner::variables(project, service));
    env
}

/// The container of `service`'s `pre_start` step `index`: made as a container of the service
/// is, from the step's keys merged over the service's ([`crate::hooks::pre_start_service`]),
/// with the volumes of the service's first container `replica` (made, not started) and the
/// step's own, on the service's networks without its aliases, as docker compose runs it.
/// Labelled a one-off of the project, so it is never taken for one of the service's
/// containers.
pub fn pre_start_request(
    project: &Project,
    service: &str,
    replica: &str,
    index: usize,
    api_version: &str,
) -> Result<CreateRequest, Error> {
    use crate::labels::{ONEOFF, PROJECT, SERVICE};
    let step = crate::hooks::pre_start_service(&project.services[service], service, index)?;
    let mut with_step = project.clone();
    with_step.services.insert(service.to_owned(), step);
    let name = format!("{replica}-pre_start-{}", index + 1);
    let mut req = create_request(&with_step, service, 1, &name, "", api_version, true)?;
    let b = &mut req.body;
    // The step's own labels, and compose's that say whose it is (not a replica's).
    let mut labels: HashMap<String, String> = b
        .labels
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("com.docker.compose."))
        .collect();
    for (k, v) in [
        (PROJECT, project.name.as_str()),
        (SERVICE, service),
        (ONEOFF, "True"),
    ] {
        labels.insert(k.to_owned(), v.to_owned());
    }
    b.labels = Some(labels);
    let host = b.host_config.get_or_insert_with(Default::default);
    host.volumes_from = Some(vec![replica.to_owned()]);
    host.restart_policy = None;
    // It does not answer for the service on its networks.
    without_aliases(&mut req);
    Ok(req)
}

/// The endpoint a container of `service` has on `network` (an engine name) as it was made: with
/// the service's aliases unless `oneoff`; a plain one when the service is not on that network.
pub fn endpoint_on(
    project: &Project,
    service: &str,
    number: u32,
    name: &str,
    oneoff: bool,
    network: &str,
    api_version: &str,
) -> Result<EndpointSettings, Error> {
    let mut req = create_request(project, service, number, name, "", api_version, oneoff)?;
    if oneoff {
        without_aliases(&mut req);
    }
    let mut at_create = req
        .body
        .networking_config
        .and_then(|n| n.endpoints_config)
        .unwrap_or_default();
    Ok(at_create
        .remove(network)
        .or_else(|| {
            req.connect
                .into_iter()
                .find_map(|(n, e)| (n == network).then_some(e))
        })
        .unwrap_or_default())
}

/// The request without the service's aliases on any of its networks: a container that does not
/// answer for the service (a one-off `run`, a `pre_start` step), as docker compose makes them.
pub fn without_aliases(req: &mut CreateRequest) {
    let endpoints = req
        .body
        .networking_config
        .iter_mut()
        .filter_map(|n| n.endpoints_config.as_mut())
        .flat_map(|e| e.values_mut())
        .chain(req.connect.iter_mut().map(|(_, e)| e));
    for endpoint in endpoints {
        endpoint.aliases = None;
    }
}

/// A container's endpoints, in network order, as the engine takes them: every one at create
/// from API 1.44 (`modern`); before, the first at create and the rest connected afterwards.
fn at_create(
    endpoints: Vec<(String, EndpointSettings)>,
    modern: bool,
) -> (
    HashMap<String, EndpointSettings>,
    Vec<(String, EndpointSettings)>,
) {
    let mut at_create = HashMap::new();
    let mut connect = Vec::new();
    for (i, (name, endpoint)) in endpoints.into_iter().enumerate() {
        if i == 0 || modern {
            at_create.insert(name, endpoint);
        } else {
            connect.push((name, endpoint));
        }
    }
    (at_create, connect)
}

/// The engine's create request for the project's network `key`, labelled as compose labels it,
/// with the hash of what it is made from ([`labels::resource_hash`]).
pub fn network_spec(project: &Project, key: &str) -> berth_docker::networks::NetworkSpec {
    let def = &project.networks[key];
    let ipam = def
        .other
        .get("ipam")
        .and_then(|i| i.get("config"))
        .and_then(|c| c.get(0));
    let ipam_text = |field: &str| {
        ipam.and_then(|c| c.get(field))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut spec = berth_docker::networks::NetworkSpec {
        name: project.network_name(key),
        driver: def.driver.clone(),
        subnet: ipam_text("subnet"),
        gateway: ipam_text("gateway"),
        internal: def.internal,
        labels: def.labels.clone(),
        options: text_map(def.other.get("driver_opts")),
        ip_range: ipam_text("ip_range"),
        ipv6: def.other.get("enable_ipv6").and_then(Value::as_bool) == Some(true),
        attachable: def.other.get("attachable").and_then(Value::as_bool) == Some(true),
    };
    let hash = labels::resource_hash(&spec);
    spec.labels = labels::resource(&project.name, labels::NETWORK, key, &def.labels);
    spec.labels.insert(labels::CONFIG_HASH.to_owned(), hash);
    spec
}

/// The labels of the project's volume `key` as compose labels it, with the hash of what it is
/// made from ([`labels::resource_hash`]).
pub fn volume_labels(project: &Project, key: &str) -> std::collections::BTreeMap<String, String> {
    let def = &project.volumes[key];
    let hash = labels::resource_hash(&(
        project.volume_name(key),
        &def.driver,
        &def.driver_opts,
        &def.labels,
    ));
    let mut own = labels::resource(&project.name, labels::VOLUME, key, &def.labels);
    own.insert(labels::CONFIG_HASH.to_owned(), hash);
    own
}

/// The service's networks (their keys), by priority then name: the first is the one its
/// containers are made on.
pub fn networks_in_order(svc: &Service) -> Vec<&String> {
    let mut nets: Vec<(&String, i64)> = svc
        .networks
        .iter()
        .map(|(k, v)| {
            let prio = v
                .as_ref()
                .and_then(|n| n.other.get("priority"))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            (k, prio)
        })
        .collect();
    nets.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    nets.into_iter().map(|(k, _)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ns("10s"), Some(10_000_000_000));
        assert_eq!(duration_ns("1m30s"), Some(90_000_000_000));
        assert_eq!(duration_ns("500ms"), Some(500_000_000));
        assert_eq!(duration_ns("1.5s"), Some(1_500_000_000));
        assert_eq!(duration_ns("1h"), Some(3_600_000_000_000));
        assert_eq!(duration_ns("5"), Some(5_000_000_000));
        assert_eq!(duration_ns("ten"), None);
        assert_eq!(duration_ns("10x"), None);
    }
}
