//! Wire types: what the facade returns to the CLI and, serialised, to the UI. TypeScript
//! definitions are generated from these by ts-rs into `ui/src/lib/ipc/types/`.

use std::collections::BTreeMap;

use berth_docker::models::{ContainerSummary, ImageSummary, Network, Volume};
use berth_engine::own::{EngineState, Status};
use serde::Serialize;
use ts_rs::TS;

/// Berth's own engine, as its supervisor reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OwnEngineView {
    /// `stopped`, `starting`, `running`, `stopping` or `failed`.
    pub state: String,
    pub reason: Option<String>,
    #[ts(type = "number | null")]
    pub retry_in_ms: Option<u64>,
    pub pid: Option<u32>,
    pub api_version: Option<String>,
    /// `rootful` or `rootless`.
    pub mode: String,
    pub socket: String,
    pub data_root: String,
    pub log: String,
    pub supervisor_pid: Option<u32>,
}

impl OwnEngineView {
    pub(crate) fn from_status(
        status: Option<Status>,
        fallback: &berth_engine::own::EngineConfig,
    ) -> Self {
        let p = &fallback.paths;
        let mut view = Self {
            state: "stopped".into(),
            reason: None,
            retry_in_ms: None,
            pid: None,
            api_version: None,
            mode: fallback.mode.to_string(),
            socket: p.socket().display().to_string(),
            data_root: p.data_root.display().to_string(),
            log: p.log.display().to_string(),
            supervisor_pid: None,
        };
        let Some(status) = status else { return view };
        view.state = status.state.name().into();
        view.mode = status.mode.to_string();
        view.socket = status.socket.display().to_string();
        view.data_root = status.data_root.display().to_string();
        view.log = status.log.display().to_string();
        view.supervisor_pid = Some(status.supervisor_pid);
        match status.state {
            EngineState::Running { pid, api_version } => {
                view.pid = Some(pid);
                view.api_version = Some(api_version);
            }
            EngineState::Failed {
                reason,
                retry_in_ms,
            } => {
                view.reason = Some(reason);
                view.retry_in_ms = retry_in_ms;
            }
            _ => {}
        }
        view
    }
}

/// The engine Berth is connected to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConnectionView {
    /// Where it was found: `DOCKER_HOST`, `context NAME`, `system socket`, `user socket`,
    /// `Berth's engine`.
    pub source: String,
    pub host: String,
    pub api_version: String,
    /// The engine asked for (`DOCKER_HOST`, or the current context) when it did not answer
    /// and this one is used instead, said in one line; the Docker CLI would fail there.
    pub passed_over: Option<String>,
    /// Where a browser here reaches the engine's published ports: see [`browser_host`].
    pub browser_host: String,
}

/// The host a browser on this machine reaches an engine's published ports at: `localhost` for
/// an engine on a socket or pipe here (Docker Desktop's and OrbStack's VMs forward their ports
/// to it), the engine's own host for one reached over TCP or SSH (`tcp://10.0.0.5:2376`,
/// `ssh://me@build-box`).
pub fn browser_host(engine_host: &str) -> String {
    let Some((scheme, rest)) = engine_host.split_once("://") else {
        return "localhost".to_owned();
    };
    if !matches!(scheme, "tcp" | "http" | "https" | "ssh") {
        return "localhost".to_owned();
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() || is_loopback(host) {
        return "localhost".to_owned();
    }
    url_host(host)
}

/// Whether `ip` is a loopback address (`127.0.0.0/8`, `::1`): this machine, for an engine here.
fn is_loopback(ip: &str) -> bool {
    ip.parse::<std::net::IpAddr>()
        .is_ok_and(|a| a.is_loopback())
}

/// `host` as a URL names it: an IPv6 address in brackets.
fn url_host(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// The address a browser here opens a published TCP port at, given the [`browser_host`] of its
/// engine: a port published on every address (`0.0.0.0`, `::`) at that host; one published on a
/// single address at that address, which is reachable from here unless it is a remote engine's
/// loopback (`None`). UDP and unpublished ports have none.
pub fn web_url(browser_host: &str, port: &PortView) -> Option<String> {
    let public = port.public_port?;
    if port.proto != "tcp" {
        return None;
    }
    let host = match port.ip.as_deref().unwrap_or_default() {
        "" | "0.0.0.0" | "::" => browser_host.to_owned(),
        ip => {
            if is_loopback(ip) && browser_host != "localhost" {
                return None;
            }
            url_host(ip)
        }
    };
    Some(format!("http://{host}:{public}"))
}

/// `berth version`: the client and the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VersionView {
    pub client_version: String,
    pub client_os_arch: String,
    pub connection: ConnectionView,
    pub server_version: String,
    pub server_api_version: String,
    pub server_min_api_version: String,
    pub server_go_version: String,
    pub server_git_commit: String,
    pub server_os_arch: String,
    pub server_kernel: String,
}

/// `berth info`: a summary of the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InfoView {
    pub connection: ConnectionView,
    pub server_version: String,
    #[ts(type = "number")]
    pub containers: i64,
    #[ts(type = "number")]
    pub running: i64,
    #[ts(type = "number")]
    pub paused: i64,
    #[ts(type = "number")]
    pub stopped: i64,
    #[ts(type = "number")]
    pub images: i64,
    pub storage_driver: String,
    pub cgroup_driver: String,
    pub data_root: String,
    pub kernel: String,
    pub os: String,
    pub arch: String,
    #[ts(type = "number")]
    pub cpus: i64,
    #[ts(type = "number")]
    pub memory: i64,
    pub name: String,
    pub rootless: bool,
    /// What the engine warns of in its set-up, in its words ("WARNING: No swap limit support";
    /// a rootless engine on cgroup v1 runs without cgroups: no limits, stats or top).
    pub warnings: Vec<String>,
}

/// One published or exposed port of a container.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[ts(export)]
pub struct PortView {
    pub ip: Option<String>,
    pub private_port: u16,
    pub public_port: Option<u16>,
    /// `tcp`, `udp` or `sctp`.
    pub proto: String,
}

/// A row of the container list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ContainerRow {
    pub id: String,
    /// Names without the leading `/`.
    pub names: Vec<String>,
    pub image: String,
    /// The id of the image it was made from (`sha256:…`): the name above may since have moved
    /// to another image, or be an id itself.
    pub image_id: String,
    pub command: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created: i64,
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    pub state: String,
    /// The engine's own words, e.g. `Up 2 minutes`.
    pub status: String,
    pub ports: Vec<PortView>,
    pub labels: BTreeMap<String, String>,
    /// The compose project it belongs to, from `com.docker.compose.project`.
    pub project: Option<String>,
    /// Bytes its own layer holds, and with its image's: when asked for (`docker ps -s`).
    #[ts(type = "number | null")]
    pub size_rw: Option<i64>,
    #[ts(type = "number | null")]
    pub size_root_fs: Option<i64>,
    /// The networks it is attached to, by name, sorted.
    pub networks: Vec<String>,
    /// Its volumes and binds, as the engine lists them.
    pub mounts: Vec<MountView>,
    /// The platform of its image, when the engine says (API 1.48 and later).
    pub platform: Option<PlatformView>,
}

/// A volume or bind of a container, from the container list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MountView {
    /// `volume`, `bind`, `tmpfs`, …
    pub kind: String,
    /// The volume's name; empty for a bind.
    pub name: String,
    /// Where it comes from on the engine's host: a bind's path, a volume's directory.
    pub source: String,
    /// Where the container sees it.
    pub destination: String,
    /// The volume's driver (`local`); empty for a bind.
    pub driver: String,
}

/// An image's platform, as OCI describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlatformView {
    pub architecture: String,
    pub os: String,
    pub os_version: String,
    pub os_features: Vec<String>,
    pub variant: String,
}

impl ContainerRow {
    /// The addresses a browser here opens its published TCP ports at ([`web_url`]), each once,
    /// by port.
    pub fn web_urls(&self, browser_host: &str) -> Vec<String> {
        let mut ports: Vec<&PortView> = self.ports.iter().collect();
        ports.sort_by_key(|p| p.public_port);
        let mut urls: Vec<String> = Vec::new();
        for url in ports.into_iter().filter_map(|p| web_url(browser_host, p)) {
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
        urls
    }
}

impl From<ContainerSummary> for ContainerRow {
    fn from(c: ContainerSummary) -> Self {
        let labels: BTreeMap<String, String> = c.labels.unwrap_or_default().into_iter().collect();
        let mut ports: Vec<PortView> = c
            .ports
            .unwrap_or_default()
            .into_iter()
            .map(|p| PortView {
                ip: p.ip.filter(|ip| !ip.is_empty()),
                private_port: p.private_port,
                public_port: p.public_port,
                proto: p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into()),
            })
            .collect();
        ports.sort();
        ports.dedup();
        let mut networks: Vec<String> = c
            .network_settings
            .and_then(|n| n.networks)
            .map(|n| n.into_keys().collect())
            .unwrap_or_default();
        networks.sort();
        let mounts = c
            .mounts
            .unwrap_or_default()
            .into_iter()
            .map(|m| MountView {
                kind: m.typ.unwrap_or_default(),
                name: m.name.unwrap_or_default(),
                source: m.source.unwrap_or_default(),
                destination: m.destination.unwrap_or_default(),
                driver: m.driver.unwrap_or_default(),
            })
            .collect();
        let platform = c
            .image_manifest_descriptor
            .and_then(|d| d.platform)
            .map(|p| PlatformView {
                architecture: p.architecture.unwrap_or_default(),
                os: p.os.unwrap_or_default(),
                os_version: p.os_version.unwrap_or_default(),
                os_features: p.os_features.unwrap_or_default(),
                variant: p.variant.unwrap_or_default(),
            });
        Self {
            id: c.id.unwrap_or_default(),
            names: c
                .names
                .unwrap_or_default()
                .into_iter()
                .map(|n| n.trim_start_matches('/').to_owned())
                .collect(),
            image: c.image.unwrap_or_default(),
            image_id: c.image_id.unwrap_or_default(),
            command: c.command.unwrap_or_default(),
            created: c.created.unwrap_or_default(),
            state: c.state.map(|s| s.to_string()).unwrap_or_default(),
            status: c.status.unwrap_or_default(),
            ports,
            project: labels.get("com.docker.compose.project").cloned(),
            labels,
            size_rw: c.size_rw,
            size_root_fs: c.size_root_fs,
            networks,
            mounts,
            platform,
        }
    }
}

/// A row of the image list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImageRow {
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    #[ts(type = "number")]
    pub created: i64,
    #[ts(type = "number")]
    pub size: i64,
    /// Containers made from it, of any state.
    #[ts(type = "number")]
    pub containers: i64,
    /// Bytes of its layers that other images share, when the engine says (`system df`).
    #[ts(type = "number | null")]
    pub shared_size: Option<i64>,
    /// No tag at all.
    pub dangling: bool,
    pub labels: BTreeMap<String, String>,
}

impl From<ImageSummary> for ImageRow {
    fn from(i: ImageSummary) -> Self {
        let repo_tags: Vec<String> = i
            .repo_tags
            .into_iter()
            .filter(|t| t != "<none>:<none>")
            .collect();
        Self {
            dangling: repo_tags.is_empty(),
            id: i.id,
            repo_tags,
            repo_digests: i
                .repo_digests
                .into_iter()
                .filter(|d| d != "<none>@<none>")
                .collect(),
            created: i.created,
            size: i.size,
            containers: i.containers,
            shared_size: Some(i.shared_size).filter(|s| *s >= 0),
            labels: i.labels.into_iter().collect(),
        }
    }
}

/// Each local volume's size, apart from the volume list (the engine walks every volume's files
/// to measure them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VolumeSizes {
    /// False when the engine cannot say (one older than API 1.52 that cannot be asked directly).
    pub known: bool,
    /// Bytes, by volume name; a volume the engine has not measured is not here.
    #[ts(type = "Record<string, number>")]
    pub sizes: BTreeMap<String, i64>,
}

/// A row of the volume list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VolumeRow {
    pub name: String,
    pub driver: String,
    pub mountpoint: String,
    pub created_at: Option<String>,
    pub scope: String,
    pub labels: BTreeMap<String, String>,
    /// Names of the containers that mount it (filled in by the facade).
    pub users: Vec<String>,
    /// What the engine measured of it: only `system df` answers with this.
    pub usage: Option<VolumeUsageView>,
}

/// A volume's size and the number of containers that mount it, as the engine measured them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VolumeUsageView {
    #[ts(type = "number")]
    pub size: i64,
    #[ts(type = "number")]
    pub ref_count: i64,
}

impl From<Volume> for VolumeRow {
    fn from(v: Volume) -> Self {
        Self {
            name: v.name,
            driver: v.driver,
            mountpoint: v.mountpoint,
            created_at: v.created_at.as_ref().map(berth_docker::time_text),
            scope: v
                .scope
                .map(|s| s.to_string())
                .unwrap_or_else(|| "local".into()),
            labels: v.labels.into_iter().collect(),
            users: Vec::new(),
            usage: v.usage_data.map(|u| VolumeUsageView {
                size: u.size,
                ref_count: u.ref_count,
            }),
        }
    }
}

/// A row of the network list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NetworkRow {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub scope: String,
    pub internal: bool,
    /// Whether it gives containers IPv4 and IPv6 addresses, as the engine says (an engine
    /// before API 1.47 does not say for IPv4: false, as docker prints it).
    pub ipv4: bool,
    pub ipv6: bool,
    /// When it was made, as the engine writes it (RFC 3339, with nanoseconds).
    pub created: Option<String>,
    pub subnets: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// The names of the containers attached to it, of any state (`Berth::networks` fills it).
    pub containers: Vec<String>,
}

impl From<Network> for NetworkRow {
    fn from(n: Network) -> Self {
        Self {
            id: n.id.unwrap_or_default(),
            name: n.name.unwrap_or_default(),
            driver: n.driver.unwrap_or_default(),
            scope: n.scope.unwrap_or_default(),
            internal: n.internal.unwrap_or(false),
            ipv4: n.enable_ipv4.unwrap_or(false),
            ipv6: n.enable_ipv6.unwrap_or(false),
            created: n.created.as_ref().map(berth_docker::time_text),
            subnets: n
                .ipam
                .and_then(|i| i.config)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| c.subnet)
                .collect(),
            labels: n.labels.unwrap_or_default().into_iter().collect(),
            containers: Vec::new(),
        }
    }
}

/// A Docker context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ContextRow {
    pub name: String,
    pub description: String,
    pub host: String,
    pub tls: bool,
    pub skip_tls_verify: bool,
    pub current: bool,
}

/// Everything the first page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EngineView {
    pub own: OwnEngineView,
    /// The engine in use, if any answers.
    pub connection: Option<ConnectionView>,
    /// Why none answers, when none does.
    pub problem: Option<String>,
}

/// A compose project on the engine (`compose ls`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ComposeProjectRow {
    pub name: String,
    /// Container states with counts, e.g. `running(2), exited(1)`.
    pub status: String,
    /// The compose files it was started from, comma-separated.
    pub config_files: String,
}

#[cfg(test)]
mod tests {
    use super::{ContainerRow, PortView, browser_host};

    #[test]
    fn web_urls_are_the_published_tcp_ports_once_each_where_a_browser_here_reaches_them() {
        let port = |ip: &str, private_port, public_port, proto: &str| PortView {
            ip: Some(ip.into()),
            private_port,
            public_port,
            proto: proto.into(),
        };
        let row = ContainerRow {
            id: "c".into(),
            names: vec!["web".into()],
            image: "busybox".into(),
            image_id: "sha256:b".into(),
            command: "sh".into(),
            created: 0,
            state: "running".into(),
            status: "Up".into(),
            ports: vec![
                port("0.0.0.0", 80, Some(8080), "tcp"),
                port("::", 80, Some(8080), "tcp"),
                port("127.0.0.1", 53, Some(5353), "udp"),
                port("0.0.0.0", 22, Some(2222), "tcp"),
                port("", 9000, None, "tcp"),
                port("127.0.0.1", 81, Some(8081), "tcp"),
                port("192.168.1.5", 82, Some(8082), "tcp"),
                port("fd00::5", 83, Some(8083), "tcp"),
            ],
            labels: Default::default(),
            project: None,
            size_rw: None,
            size_root_fs: None,
            networks: Vec::new(),
            mounts: Vec::new(),
            platform: None,
        };
        assert_eq!(
            row.web_urls("localhost"),
            [
                "http://localhost:2222",
                "http://localhost:8080",
                "http://127.0.0.1:8081",
                "http://192.168.1.5:8082",
                "http://[fd00::5]:8083",
            ]
        );
        // A remote engine's: its host, and never its loopback.
        assert_eq!(
            row.web_urls("10.0.0.5"),
            [
                "http://10.0.0.5:2222",
                "http://10.0.0.5:8080",
                "http://192.168.1.5:8082",
                "http://[fd00::5]:8083",
            ]
        );
    }

    #[test]
    fn the_browser_reaches_an_engine_here_at_localhost_and_a_remote_one_at_its_host() {
        for (engine, host) in [
            ("unix:///var/run/docker.sock", "localhost"),
            ("npipe:////./pipe/docker_engine", "localhost"),
            ("tcp://127.0.0.1:2375", "localhost"),
            ("tcp://127.0.0.2:2375", "localhost"),
            ("tcp://localhost:2375", "localhost"),
            ("tcp://10.0.0.5:2376", "10.0.0.5"),
            ("https://docker.example.com:2376/", "docker.example.com"),
            ("ssh://me@build-box", "build-box"),
            ("ssh://me@build-box:2222", "build-box"),
            ("tcp://[fd00::5]:2376", "[fd00::5]"),
            ("tcp://[::1]:2376", "localhost"),
        ] {
            assert_eq!(browser_host(engine), host, "{engine}");
        }
    }
}
