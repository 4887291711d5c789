//! What to run: a container's specification, and docker's flag syntax for its parts (`-p`,
//! `-e`, `--env-file`, `-v`, `--restart`, `--memory`, names), checked before the engine is asked.
//! Every error names the input and says what is expected.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, NetworkingConfig, PortBinding,
    RestartPolicy as BollardRestart, RestartPolicyNameEnum,
};

use crate::Error;

/// One published (or only exposed) port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMapping {
    pub host_ip: Option<String>,
    /// `None`: the engine picks a free port.
    pub host_port: Option<u16>,
    /// The last of a range of host ports that one container port is published on: the engine
    /// picks a free one from `host_port` to this (`-p 8000-8010:80`).
    pub host_port_end: Option<u16>,
    pub container_port: u16,
    pub proto: String,
}

/// A bind mount, a named volume or an anonymous volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mount {
    Bind {
        source: String,
        target: String,
        read_only: bool,
    },
    Volume {
        name: String,
        target: String,
        read_only: bool,
    },
    Anonymous {
        target: String,
    },
}

/// When the engine restarts the container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    No,
    Always,
    UnlessStopped,
    OnFailure(Option<u32>),
}

/// A container's health check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// Run with the container's shell (`CMD-SHELL`).
    pub command: String,
    pub interval_ms: Option<u64>,
    pub timeout_ms: Option<u64>,
    pub retries: Option<u32>,
}

/// Everything `docker run` can say about a container that Berth supports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunSpec {
    pub image: String,
    pub name: Option<String>,
    pub command: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    /// `KEY=value` entries.
    pub env: Vec<String>,
    pub ports: Vec<PortMapping>,
    pub mounts: Vec<Mount>,
    /// tmpfs mount points, with options after a colon.
    pub tmpfs: Vec<String>,
    pub network: Option<String>,
    pub network_aliases: Vec<String>,
    pub restart: Option<Restart>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub cpus: Option<f64>,
    pub memory: Option<i64>,
    pub health: Option<Health>,
    pub auto_remove: bool,
    pub tty: bool,
    pub interactive: bool,
    /// Close the container's stdin when the attached client's input ends (an attached `run -i`).
    pub stdin_once: bool,
    /// The less common flags (`--mount`, `--cap-add`, `-P`, …).
    pub options: crate::options::RunOptions,
}

fn bad(input: &str, reason: &str) -> Error {
    Error::Invalid {
        input: input.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The network a container with `network_mode` starts on: the engine's default bridge when
/// none (or `default`) is named.
pub fn start_network(network_mode: Option<&str>) -> &str {
    match network_mode {
        None | Some("" | "default") => "bridge",
        Some(n) => n,
    }
}

/// A container name as the engine accepts it: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn check_name(name: &str) -> Result<(), Error> {
    let name_part = name.strip_prefix('/').unwrap_or(name);
    let mut chars = name_part.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok =
        name_part.len() >= 2 && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(bad(
            name,
            "a container name is 2 or more letters, digits, '_', '.' or '-', starting with a letter or digit",
        ))
    }
}

/// `-p [ip:][host[-end]:]container[-end][/proto]`: ranges of equal length, or one container port
/// on a range of host ports (the engine picks a free one), as docker takes them.
pub fn parse_port(spec: &str) -> Result<Vec<PortMapping>, Error> {
    let usage = "write -p [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp|sctp], e.g. 8000:5000";
    let (body, proto) = match spec.rsplit_once('/') {
        Some((b, p)) => (b, p.to_ascii_lowercase()),
        None => (spec, "tcp".to_owned()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(bad(spec, &format!("unknown protocol {proto:?}: {usage}")));
    }
    // An IPv6 host address is written in brackets.
    let (ip, rest) = if let Some(after) = body.strip_prefix('[') {
        let (ip, rest) = after.split_once("]:").ok_or_else(|| bad(spec, usage))?;
        (Some(ip.to_owned()), rest)
    } else {
        let parts: Vec<&str> = body.split(':').collect();
        match parts.len() {
            1 | 2 => (None, body),
            3 => (Some(parts[0].to_owned()), &body[parts[0].len() + 1..]),
            _ => return Err(bad(spec, usage)),
        }
    };
    if let Some(ip) = &ip
        && ip.parse::<std::net::IpAddr>().is_err()
    {
        return Err(bad(spec, &format!("{ip:?} is not an IP address: {usage}")));
    }
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (if h.is_empty() { None } else { Some(h) }, c),
        None => (None, rest),
    };
    let range = |text: &str| -> Result<(u16, u16), Error> {
        let (a, b) = text.split_once('-').unwrap_or((text, text));
        let port = |p: &str| {
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| bad(spec, &format!("{p:?} is not a port (1-65535): {usage}")))
        };
        let (a, b) = (port(a)?, port(b)?);
        if b < a {
            return Err(bad(spec, "a port range runs from low to high"));
        }
        Ok((a, b))
    };
    let (c0, c1) = range(container)?;
    let host = host.map(range).transpose()?;
    let picked = matches!(host, Some((h0, h1)) if c0 == c1 && h0 != h1);
    if let Some((h0, h1)) = host
        && !picked
        && h1 - h0 != c1 - c0
    {
        return Err(bad(
            spec,
            "the host and container port ranges must be the same length",
        ));
    }
    Ok((0..=c1 - c0)
        .map(|i| PortMapping {
            host_ip: ip.clone(),
            host_port: host.map(|(h0, _)| h0 + i),
            host_port_end: host.filter(|_| picked).map(|(_, h1)| h1),
            container_port: c0 + i,
            proto: proto.clone(),
        })
        .collect())
}

/// `-e KEY=value`, or `-e KEY` to take the value from `lookup` (left out when unset, as
/// docker does).
pub fn parse_env(
    spec: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, Error> {
    let (key, value) = match spec.split_once('=') {
        Some((k, v)) => (k, Some(v.to_owned())),
        None => (spec, None),
    };
    if key.is_empty() || key.chars().any(char::is_whitespace) {
        return Err(bad(
            spec,
            "an environment entry is KEY=value (or KEY alone), with no spaces in KEY",
        ));
    }
    Ok(match value {
        Some(v) => Some(format!("{key}={v}")),
        None => lookup(key).map(|v| format!("{key}={v}")),
    })
}

/// An env file as docker reads it: `KEY=value` lines (the value taken literally), `KEY` alone
/// from `lookup`, `#` comments and blank lines skipped.
pub fn parse_env_file(
    path: &Path,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, Error> {
    let text = std::fs::read(path).map_err(|e| {
        bad(
            &path.display().to_string(),
            &format!("cannot read the env file: {e}"),
        )
    })?;
    let text = String::from_utf8(text).map_err(|_| {
        bad(
            &path.display().to_string(),
            "the env file is not UTF-8 text",
        )
    })?;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let where_ = format!("{} line {}", path.display(), i + 1);
        match parse_env(line, &lookup) {
            Ok(Some(entry)) => out.push(entry),
            Ok(None) => {}
            Err(_) => return Err(bad(&where_, &format!("{line:?} is not KEY=value"))),
        }
    }
    Ok(out)
}

/// `-v SOURCE:TARGET[:ro|rw]` or `-v TARGET`. A source that is a path (absolute, `./`, `../`,
/// `~/`) is a bind mount, resolved against `cwd`; anything else names a volume.
pub fn parse_volume(spec: &str, cwd: &Path, home: Option<&Path>) -> Result<Mount, Error> {
    let usage = "write -v SOURCE:TARGET[:ro], where TARGET is an absolute path in the container";
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, m] => (Some(*s), *t, Some(*m)),
        _ => return Err(bad(spec, usage)),
    };
    if !target.starts_with('/') {
        return Err(bad(spec, usage));
    }
    let read_only = match mode {
        None | Some("rw") => false,
        Some("ro") => true,
        Some(m) => return Err(bad(spec, &format!("unknown mode {m:?}: use ro or rw"))),
    };
    let target = target.to_owned();
    let Some(source) = source else {
        return Ok(Mount::Anonymous { target });
    };
    if source.starts_with('/') {
        return Ok(Mount::Bind {
            source: source.to_owned(),
            target,
            read_only,
        });
    }
    if source.starts_with("./") || source.starts_with("../") || source == "." || source == ".." {
        let path = cwd.join(source);
        let path = path.canonicalize().unwrap_or(path);
        return Ok(Mount::Bind {
            source: path.display().to_string(),
            target,
            read_only,
        });
    }
    if let Some(rest) = source.strip_prefix("~/") {
        let home = home.ok_or_else(|| bad(spec, "~ needs a home directory"))?;
        return Ok(Mount::Bind {
            source: home.join(rest).display().to_string(),
            target,
            read_only,
        });
    }
    let valid = source.len() >= 2
        && source
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && source
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !valid {
        return Err(bad(
            spec,
            "a volume name is letters, digits, '_', '.' or '-' (write a path as ./dir or /dir)",
        ));
    }
    Ok(Mount::Volume {
        name: source.to_owned(),
        target,
        read_only,
    })
}

/// `--restart no|always|unless-stopped|on-failure[:N]`.
pub fn parse_restart(spec: &str) -> Result<Restart, Error> {
    let usage = "use no, always, unless-stopped or on-failure[:MAX_RETRIES]";
    Ok(match spec.split_once(':') {
        None => match spec {
            "no" => Restart::No,
            "always" => Restart::Always,
            "unless-stopped" => Restart::UnlessStopped,
            "on-failure" => Restart::OnFailure(None),
            _ => return Err(bad(spec, usage)),
        },
        Some(("on-failure", n)) => {
            Restart::OnFailure(Some(n.parse().map_err(|_| bad(spec, usage))?))
        }
        Some(_) => return Err(bad(spec, usage)),
    })
}

/// `--memory 512m`: bytes, with b, k, m, g suffixes (binary, as docker reads them), at least
/// the 6m the engine needs.
pub fn parse_memory(spec: &str) -> Result<i64, Error> {
    let bytes = parse_bytes(spec)?;
    if bytes < 6 * 1024 * 1024 {
        return Err(bad(
            spec,
            "the engine needs at least 6m of memory for a container",
        ));
    }
    Ok(bytes)
}

/// A size as docker's flags take it (`64m`, `2g`): bytes, with b, k, m, g suffixes (binary).
pub fn parse_bytes(spec: &str) -> Result<i64, Error> {
    let lower = spec.to_ascii_lowercase();
    let (digits, unit) = match lower.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&lower[..i], &lower[i..]),
        None => (lower.as_str(), ""),
    };
    let mult: f64 = match unit.trim_end_matches('b') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad(spec, "write a size like 512m or 2g (b, k, m, g)")),
    };
    let n: f64 = digits
        .parse()
        .map_err(|_| bad(spec, "write a size like 512m or 2g (b, k, m, g)"))?;
    Ok((n * mult) as i64)
}

/// `KEY=value` for labels and build args.
pub fn parse_key_value(spec: &str) -> Result<(String, String), Error> {
    match spec.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(bad(spec, "write KEY=value")),
    }
}

/// The engine's exposed ports and host bindings for published ports given as (host IP, host
/// port or range — empty for one the engine picks —, container port, protocol).
pub fn port_bindings<'a>(
    ports: impl IntoIterator<Item = (Option<String>, String, u16, &'a str)>,
) -> (Vec<String>, HashMap<String, Option<Vec<PortBinding>>>) {
    let mut exposed = Vec::new();
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for (host_ip, host_port, container_port, proto) in ports {
        let key = format!("{container_port}/{proto}");
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip,
                host_port: Some(host_port),
            });
    }
    (exposed, bindings)
}

impl PortMapping {
    /// The host port as the engine takes it: one, a range it picks from, or empty for any.
    pub fn published(&self) -> String {
        match (self.host_port, self.host_port_end) {
            (Some(h0), Some(h1)) => format!("{h0}-{h1}"),
            (Some(h), None) => h.to_string(),
            (None, _) => String::new(),
        }
    }
}

impl RunSpec {
    /// The engine's create request.
    pub fn to_create_body(&self) -> ContainerCreateBody {
        let (exposed, bindings) = port_bindings(self.ports.iter().map(|p| {
            (
                p.host_ip.clone(),
                p.published(),
                p.container_port,
                p.proto.as_str(),
            )
        }));
        let mut binds = Vec::new();
        let mut volumes_anonymous = Vec::new();
        for m in &self.mounts {
            match m {
                Mount::Bind {
                    source,
                    target,
                    read_only,
                }
                | Mount::Volume {
                    name: source,
                    target,
                    read_only,
                } => {
                    binds.push(format!(
                        "{source}:{target}{}",
                        if *read_only { ":ro" } else { "" }
                    ));
                }
                Mount::Anonymous { target } => volumes_anonymous.push(target.clone()),
            }
        }
        let tmpfs: HashMap<String, String> = self
            .tmpfs
            .iter()
            .map(|t| match t.split_once(':') {
                Some((path, opts)) => (path.to_owned(), opts.to_owned()),
                None => (t.clone(), String::new()),
            })
            .collect();
        let restart = self.restart.map(|r| BollardRestart {
            name: Some(match r {
                Restart::No => RestartPolicyNameEnum::NO,
                Restart::Always => RestartPolicyNameEnum::ALWAYS,
                Restart::UnlessStopped => RestartPolicyNameEnum::UNLESS_STOPPED,
                Restart::OnFailure(_) => RestartPolicyNameEnum::ON_FAILURE,
            }),
            maximum_retry_count: match r {
                Restart::OnFailure(Some(n)) => Some(n as i64),
                _ => None,
            },
        });
        let networking = match (&self.network, self.network_aliases.is_empty()) {
            (Some(net), false) => Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(
                    net.clone(),
                    EndpointSettings {
                        aliases: Some(self.network_aliases.clone()),
                        ..Default::default()
                    },
                )])),
            }),
            _ => None,
        };
        let mut body = ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: (!self.command.is_empty()).then(|| self.command.clone()),
            entrypoint: self.entrypoint.clone(),
            env: (!self.env.is_empty()).then(|| self.env.clone()),
            exposed_ports: (!exposed.is_empty()).then_some(exposed),
            labels: (!self.labels.is_empty()).then(|| self.labels.clone().into_iter().collect()),
            working_dir: self.workdir.clone(),
            user: self.user.clone(),
            tty: Some(self.tty),
            open_stdin: Some(self.interactive),
            attach_stdin: Some(self.interactive),
            stdin_once: Some(self.stdin_once),
            healthcheck: self.health.as_ref().map(|h| HealthConfig {
                test: Some(vec!["CMD-SHELL".into(), h.command.clone()]),
                interval: h.interval_ms.map(|ms| ms as i64 * 1_000_000),
                timeout: h.timeout_ms.map(|ms| ms as i64 * 1_000_000),
                retries: h.retries.map(i64::from),
                ..Default::default()
            }),
            host_config: Some(HostConfig {
                port_bindings: (!bindings.is_empty()).then_some(bindings),
                binds: (!binds.is_empty()).then_some(binds),
                tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
                restart_policy: restart,
                nano_cpus: self.cpus.map(|c| (c * 1e9) as i64),
                memory: self.memory,
                auto_remove: Some(self.auto_remove),
                network_mode: self.network.clone(),
                ..Default::default()
            }),
            networking_config: networking,
            ..Default::default()
        };
        if !volumes_anonymous.is_empty() {
            body.volumes = Some(volumes_anonymous);
        }
        self.options.apply(&mut body);
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ip: Option<&str>, host: Option<u16>, c: u16, proto: &str) -> PortMapping {
        PortMapping {
            host_ip: ip.map(Into::into),
            host_port: host,
            host_port_end: None,
            container_port: c,
            proto: proto.into(),
        }
    }

    #[test]
    fn port_forms() {
        assert_eq!(
            parse_port("8000:5000").unwrap(),
            [p(None, Some(8000), 5000, "tcp")]
        );
        assert_eq!(parse_port("5000").unwrap(), [p(None, None, 5000, "tcp")]);
        assert_eq!(
            parse_port("127.0.0.1:8000:5000/udp").unwrap(),
            [p(Some("127.0.0.1"), Some(8000), 5000, "udp")]
        );
        assert_eq!(
            parse_port("127.0.0.1::5000").unwrap(),
            [p(Some("127.0.0.1"), None, 5000, "tcp")]
        );
        assert_eq!(
            parse_port("[::1]:8000:80").unwrap(),
            [p(Some("::1"), Some(8000), 80, "tcp")]
        );
        assert_eq!(
            parse_port("9000-9001:7000-7001").unwrap(),
            [
                p(None, Some(9000), 7000, "tcp"),
                p(None, Some(9001), 7001, "tcp")
            ]
        );
        // One container port on a range of host ports: the engine picks one of them.
        let picked = parse_port("127.0.0.1:8000-8010:80").unwrap();
        assert_eq!(
            picked,
            [PortMapping {
                host_port_end: Some(8010),
                ..p(Some("127.0.0.1"), Some(8000), 80, "tcp")
            }]
        );
        assert_eq!(picked[0].published(), "8000-8010");
        assert_eq!(p(None, Some(8000), 80, "tcp").published(), "8000");
        assert_eq!(p(None, None, 80, "tcp").published(), "");
    }

    #[test]
    fn bad_ports_are_named() {
        for (spec, why) in [
            ("8000:70000", "is not a port"),
            ("80:x", "is not a port"),
            ("1.2.3:80:80", "is not an IP address"),
            ("80/icmp", "unknown protocol"),
            ("9000-9002:7000-7001", "same length"),
            ("90-80:90-80", "low to high"),
            ("0:80", "is not a port"),
        ] {
            let err = parse_port(spec).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("{spec}: ")) && err.contains(why),
                "{spec}: {err}"
            );
        }
    }

    #[test]
    fn env_and_env_files() {
        let lookup = |k: &str| (k == "HOME").then(|| "/root".to_owned());
        assert_eq!(parse_env("A=b=c", lookup).unwrap(), Some("A=b=c".into()));
        assert_eq!(
            parse_env("HOME", lookup).unwrap(),
            Some("HOME=/root".into())
        );
        assert_eq!(parse_env("UNSET", lookup).unwrap(), None);
        assert!(parse_env("=x", lookup).is_err());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.env");
        std::fs::write(&path, "# settings\nA=1\n\n  B=\"two words\"\nHOME\nUNSET\n").unwrap();
        assert_eq!(
            parse_env_file(&path, lookup).unwrap(),
            ["A=1", "B=\"two words\"", "HOME=/root"]
        );
        std::fs::write(&path, "A=1\nBAD KEY=2\n").unwrap();
        let err = parse_env_file(&path, lookup).unwrap_err().to_string();
        assert!(
            err.contains("app.env line 2") && err.contains("is not KEY=value"),
            "{err}"
        );
        let err = parse_env_file(&dir.path().join("none.env"), lookup)
            .unwrap_err()
            .to_string();
        assert!(err.contains("none.env: cannot read the env file"), "{err}");
    }

    #[test]
    fn volume_forms() {
        let cwd = Path::new("/work/app");
        let home = Some(Path::new("/home/u"));
        assert_eq!(
            parse_volume("/data:/var/data:ro", cwd, home).unwrap(),
            Mount::Bind {
                source: "/data".into(),
                target: "/var/data".into(),
                read_only: true
            }
        );
        assert_eq!(
            parse_volume("./site:/www", cwd, home).unwrap(),
            Mount::Bind {
                source: "/work/app/./site".into(),
                target: "/www".into(),
                read_only: false
            }
        );
        assert_eq!(
            parse_volume("~/x:/x", cwd, home).unwrap(),
            Mount::Bind {
                source: "/home/u/x".into(),
                target: "/x".into(),
                read_only: false
            }
        );
        assert_eq!(
            parse_volume("dbdata:/var/lib/db", cwd, home).unwrap(),
            Mount::Volume {
                name: "dbdata".into(),
                target: "/var/lib/db".into(),
                read_only: false
            }
        );
        assert_eq!(
            parse_volume("/cache", cwd, home).unwrap(),
            Mount::Anonymous {
                target: "/cache".into()
            }
        );
        for (spec, why) in [
            ("data:relative", "absolute path"),
            ("a:/b:rx", "unknown mode"),
            ("a b:/c", "a volume name"),
            ("a:b:c:d", "SOURCE:TARGET"),
        ] {
            let err = parse_volume(spec, cwd, home).unwrap_err().to_string();
            assert!(err.contains(why), "{spec}: {err}");
        }
    }

    #[test]
    fn restart_memory_names() {
        assert_eq!(
            parse_restart("on-failure:3").unwrap(),
            Restart::OnFailure(Some(3))
        );
        assert_eq!(
            parse_restart("unless-stopped").unwrap(),
            Restart::UnlessStopped
        );
        assert!(
            parse_restart("sometimes")
                .unwrap_err()
                .to_string()
                .contains("use no, always")
        );
        assert_eq!(parse_memory("512m").unwrap(), 512 * 1024 * 1024);
        assert_eq!(parse_memory("1.5g").unwrap(), 1536 * 1024 * 1024);
        assert!(parse_memory("12q").is_err() && parse_memory("1k").is_err());
        assert!(
            check_name("web-1").is_ok()
                && check_name("a").is_err()
                && check_name("-x").is_err()
                && check_name("a b").is_err()
        );
    }

    #[test]
    fn create_body_carries_the_spec() {
        let spec = RunSpec {
            image: "app".into(),
            ports: parse_port("127.0.0.1:8000:5000").unwrap(),
            mounts: vec![Mount::Volume {
                name: "v".into(),
                target: "/data".into(),
                read_only: true,
            }],
            restart: Some(Restart::OnFailure(Some(2))),
            memory: Some(64 << 20),
            cpus: Some(0.5),
            env: vec!["A=1".into()],
            ..Default::default()
        };
        let body = spec.to_create_body();
        assert_eq!(body.exposed_ports, Some(vec!["5000/tcp".to_owned()]));
        let host = body.host_config.unwrap();
        let b = &host.port_bindings.unwrap()["5000/tcp"].clone().unwrap()[0];
        assert_eq!(
            (b.host_ip.as_deref(), b.host_port.as_deref()),
            (Some("127.0.0.1"), Some("8000"))
        );
        assert_eq!(host.binds, Some(vec!["v:/data:ro".to_owned()]));
        assert_eq!(host.nano_cpus, Some(500_000_000));
        assert_eq!(host.restart_policy.unwrap().maximum_retry_count, Some(2));
    }
}
