//! The typed, normalised project: what `config` prints and what `plan`/`apply` read. Fields
//! Berth acts on are typed; everything else the file said is kept in `other` (printed by
//! `config`, part of the config hash, passed to the engine where Berth knows how).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub name: String,
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub networks: BTreeMap<String, Network>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub volumes: BTreeMap<String, Volume>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configs: BTreeMap<String, Value>,
    /// The AI models its services use, served by Docker Model Runner.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<String, ModelDef>,
    /// Containers that run to completion when triggered: by hand (`compose run JOB`, a one-off
    /// container as a service's), or on a schedule (which Berth does not run, and says so).
    /// Their `triggers` are in `other`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub jobs: BTreeMap<String, Service>,
    /// `x-` extensions, kept and ignored.
    #[serde(flatten)]
    pub extensions: BTreeMap<String, Value>,
    /// Where relative paths were resolved from (`com.docker.compose.project.working_dir`).
    #[serde(skip)]
    pub working_dir: PathBuf,
    /// The files it was loaded from (`com.docker.compose.project.config_files`).
    #[serde(skip)]
    pub config_files: Vec<PathBuf>,
    /// Env files that fed interpolation (watched for drift).
    #[serde(skip)]
    pub env_files: Vec<PathBuf>,
    /// The services' `env_file`s that were read (watched for drift too).
    #[serde(skip)]
    pub service_env_files: Vec<PathBuf>,
    /// Services that were disabled by profiles (for `config --profiles`, and errors).
    #[serde(skip)]
    pub disabled: BTreeMap<String, Service>,
    /// Jobs that were disabled by profiles (listed by the app, which runs one by naming it).
    #[serde(skip)]
    pub disabled_jobs: BTreeMap<String, Service>,
    /// The profiles enabled as it was loaded (`--profile`, `COMPOSE_PROFILES`; `*` is all).
    #[serde(skip)]
    pub active_profiles: std::collections::BTreeSet<String>,
    /// Variables used but not set (compose warns about them).
    #[serde(skip)]
    pub unset_variables: Vec<String>,
    /// The values of the variables that secrets and configs come from (`environment: VAR`),
    /// as loading found them; never printed.
    #[serde(skip)]
    pub secret_environment: BTreeMap<String, String>,
    /// What services with `use_api_socket` are given, once the facade has found it for the
    /// engine they run on; never printed.
    #[serde(skip)]
    pub api_socket: Option<ApiSocket>,
    /// The environment the project was loaded with (the process's over its env files): what
    /// its provider programs run with. Never printed.
    #[serde(skip)]
    pub environment: BTreeMap<String, String>,
    /// What ran before the containers gave them (providers' variables, models' endpoints),
    /// once it ran.
    #[serde(skip)]
    pub given: Given,
}

/// What the steps before a project's containers gave them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    /// What each provider service's `up` gave the services that depend on it, by service.
    pub providers: BTreeMap<String, crate::provider::Variables>,
    /// Where each model is served (Docker Model Runner's endpoint), by its key.
    pub models: BTreeMap<String, String>,
}

impl Given {
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty() && self.models.is_empty()
    }

    /// Adds what `other` gave.
    pub fn extend(&mut self, other: Given) {
        self.providers.extend(other.providers);
        self.models.extend(other.models);
    }
}

/// A top-level `models:` entry: an AI model (an OCI artifact) the model runner pulls and serves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelDef {
    /// The model's reference, e.g. `ai/smollm2`.
    pub model: String,
    /// A name for it in progress (the key when not set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_size: Option<u64>,
    /// Flags for the inference engine.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_flags: Vec<String>,
    /// `x-` extensions.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The engine's API socket and the registry logins to hand to a container that asks for them
/// (`use_api_socket: true`), as `docker run --use-api-socket` hands them on.
#[derive(Clone, Default, PartialEq)]
pub struct ApiSocket {
    /// The socket's path on the engine's host.
    pub socket: String,
    /// A Docker `config.json` holding the logins (`auths`).
    pub config_json: String,
}

impl std::fmt::Debug for ApiSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ApiSocket {{ socket: {:?}, config_json: <hidden> }}",
            self.socket
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Service {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Mount>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub networks: BTreeMap<String, Option<ServiceNetwork>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub depends_on: BTreeMap<String, Dependency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub develop: Option<Develop>,
    /// Everything else, as the file said it.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Build {
    pub context: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_cache: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Port {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    pub target: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mount {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub target: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceNetwork {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_address: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    pub condition: Condition,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restart: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    ServiceStarted,
    ServiceHealthy,
    ServiceCompletedSuccessfully,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Healthcheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_interval: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disable: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// The engine's name for it (`project_key` unless set or external).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub driver_opts: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Develop {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watch: Vec<WatchRule>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WatchRule {
    pub path: String,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Project {
    /// The engine's name for a project network.
    pub fn network_name(&self, key: &str) -> String {
        self.networks
            .get(key)
            .and_then(|n| n.name.clone())
            .unwrap_or_else(|| format!("{}_{key}", self.name))
    }

    /// The engine's name for a project volume.
    pub fn volume_name(&self, key: &str) -> String {
        self.volumes
            .get(key)
            .and_then(|v| v.name.clone())
            .unwrap_or_else(|| format!("{}_{key}", self.name))
    }
}

impl Service {
    /// A job's schedules (`triggers.schedule`, each a cron line or a mapping with `cron`).
    pub fn schedules(&self) -> Vec<String> {
        let list = self
            .other
            .get("triggers")
            .and_then(|t| t.get("schedule"))
            .and_then(Value::as_array);
        list.into_iter()
            .flatten()
            .filter_map(|s| s.as_str().or_else(|| s.get("cron")?.as_str()))
            .map(str::to_owned)
            .collect()
    }

    /// Whether a job may be run by hand: unless `triggers.manual: false`.
    pub fn manual(&self) -> bool {
        let manual = self.other.get("triggers").and_then(|t| t.get("manual"));
        !matches!(manual, Some(Value::Bool(false)))
            && manual.and_then(Value::as_str) != Some("false")
    }

    /// How many containers the service runs (`scale`, else `deploy.replicas`, else 1).
    pub fn replicas(&self) -> u32 {
        self.scale
            .or_else(|| {
                self.other
                    .get("deploy")
                    .and_then(|d| d.get("replicas"))
                    .and_then(Value::as_u64)
                    .map(|r| r as u32)
            })
            .unwrap_or(1)
    }

    /// The platform its image is pulled and run for (`platform: linux/arm64`), when given.
    pub fn platform(&self) -> Option<&str> {
        self.other.get("platform").and_then(Value::as_str)
    }

    /// How many seconds a pulled image stays fresh under a time-based `pull_policy`: `daily`,
    /// `weekly`, `every_<duration>` (`every_12h`, `every_1w2d`), or `refresh` with
    /// `pull_refresh_after`; none under the other policies. `at` names the service for errors.
    pub fn refresh_after(&self, at: &str) -> Result<Option<i64>, crate::Error> {
        let Some(policy) = self.pull_policy.as_deref() else {
            return Ok(None);
        };
        let text = match policy {
            "daily" => "1d".to_owned(),
            "weekly" => "1w".to_owned(),
            "refresh" => self
                .other
                .get("pull_refresh_after")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| crate::Error::Invalid {
                    at: format!("{at}.pull_policy"),
                    reason:
                        "refresh needs pull_refresh_after (how long a pull stays fresh, e.g. 12h)"
                            .into(),
                })?,
            other => match other.strip_prefix("every_") {
                Some(period) => period.to_owned(),
                None => return Ok(None),
            },
        };
        match crate::convert::duration_ns(&text) {
            Some(ns) if ns >= 1_000_000_000 => Ok(Some(ns / 1_000_000_000)),
            _ => Err(crate::Error::Invalid {
                at: format!("{at}.pull_policy"),
                reason: format!("{text:?} is not a period of a second or more (e.g. 12h, 1w2d)"),
            }),
        }
    }

    /// Whether its containers are given the engine's API socket and the registry logins
    /// (`use_api_socket: true`).
    pub fn use_api_socket(&self) -> bool {
        match self.other.get("use_api_socket") {
            Some(Value::Bool(on)) => *on,
            Some(Value::String(text)) => text == "true",
            _ => false,
        }
    }

    /// Whether an attached `up` shows its logs (`attach: false` says not).
    pub fn attach(&self) -> bool {
        match self.other.get("attach") {
            Some(Value::Bool(on)) => *on,
            Some(Value::String(text)) => text != "false",
            _ => true,
        }
    }

    /// The services whose first container this one's containers are made with
    /// (`network_mode`, `pid`, `ipc`: `service:NAME`; `volumes_from: NAME`): a new container
    /// there means new ones here, as compose has it (their config hash holds its id).
    pub fn joined_services(&self) -> Vec<String> {
        joined(|key| match key {
            "network_mode" => self.network_mode.as_deref().map(Value::from),
            key => self.other.get(key).cloned(),
        })
    }

    /// The image the service runs: `image:`, else the name compose gives a built image.
    pub fn image_name(&self, project: &str, service: &str) -> String {
        self.image
            .clone()
            .unwrap_or_else(|| format!("{project}-{service}"))
    }
}

/// The services a service's `network_mode`, `pid`, `ipc` (`service:NAME`) and `volumes_from`
/// (`NAME`, not `container:NAME`) name, read through `get` from its definition (typed or as
/// loaded).
pub(crate) fn joined(get: impl Fn(&str) -> Option<Value>) -> Vec<String> {
    let mut joined: Vec<String> = ["network_mode", "pid", "ipc"]
        .into_iter()
        .filter_map(|key| {
            let mode = get(key)?;
            mode.as_str()?.strip_prefix("service:").map(str::to_owned)
        })
        .collect();
    if let Some(Value::Array(list)) = get("volumes_from") {
        for v in list.iter().filter_map(Value::as_str) {
            if !v.starts_with("container:") {
                joined.push(v.split(':').next().unwrap_or_default().to_owned());
            }
        }
    }
    joined
}
