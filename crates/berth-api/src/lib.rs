//! The facade: the one API that the desktop app (src-tauri) and the `berth` CLI call.
//!
//! [`Berth`] holds the settings and the environment; it finds the engine to use (starting
//! Berth's own when none answers and the settings allow it), drives Berth's own engine, and
//! returns [`wire`] types. Nothing below this crate knows about tauri or clap.

pub mod artifacts;
mod builds;
pub mod compose;
pub mod container_list;
mod containers;
pub mod desktop;
mod diagnostics;
mod engine;
mod error;
mod file_text;
mod files;
mod host;
pub mod images;
mod listing;
mod log_files;
mod project_logs;
mod prune;
mod resources;
pub mod settings;
mod system_prune;
mod terminal;
pub mod times;
mod usage;
mod volume_files;
mod watch;
pub mod wire;

use std::path::PathBuf;
use std::time::Duration;

use berth_docker::Client;
use berth_engine::context::{ContextStore, Env};
use berth_engine::discovery::{self, Candidate};
use berth_engine::own::EngineConfig;
use tokio::sync::Mutex;

pub use berth_docker::Error as ClientError;
pub use berth_docker::containers::{LogChunk, LogOptions, LogStream};
pub use berth_docker::exec::Streams;
pub use berth_docker::spec::{parse_env, parse_env_file};
pub use berth_engine::own::Supervisor;
pub use builds::BuildRecord;
pub use containers::{
    AttachSession, Created, ExecSession, ExecSpec, LogLine, PublishedPort, RunFlags, RunRequest,
    UpdateRequest, private_port,
};
pub use diagnostics::DiagnosticsReport;
pub use engine::{DaemonJson, EngineWatch, Launch};
pub use error::{ApiError, ErrorCode};
pub use file_text::FileText;
pub use files::{ArchiveInput, CopyHow, ImportRequest, PartFile};
pub use host::HostSample;
pub use images::{
    BuildRequest, FreshnessView, LayerRow, ManifestView, ProgressEvent, RunHints, SearchRow,
    StdinPart,
};
pub use log_files::LogText;
pub use project_logs::ProjectLogLine;
pub use prune::PruneFilter;
pub use resources::NetworkRequest;
pub use settings::Settings;
pub use system_prune::{PruneItem, PruneOutcome, PruneRefusal};
pub use terminal::HungUp;
pub use usage::{
    BuildCacheRow, DiskUsageDetailView, DiskUsageView, EngineChange, EventView, TopView, UsageLine,
    UsageView,
};
pub use volume_files::VolumeEntry;
use wire::{ConnectionView, ContainerRow, ContextRow, ImageRow, InfoView, VersionView};

/// How long each candidate engine gets to answer a ping.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

/// Where the facade should connect, when the user named it (`-H`, `--context`).
#[derive(Clone, Debug, Default)]
pub enum Target {
    /// Discovery in the documented order.
    #[default]
    Discover,
    Host(String),
    Context(String),
}

/// A connected engine and where it came from.
#[derive(Clone, Debug)]
pub struct Connection {
    pub client: Client,
    pub candidate: Candidate,
    /// See [`ConnectionView::passed_over`].
    pub passed_over: Option<String>,
}

impl Connection {
    /// Whether the engine is reached by a socket on this machine, so that this machine's ports
    /// and processes are the engine's (an engine behind a named pipe or TCP is elsewhere).
    pub fn on_local_socket(&self) -> bool {
        self.candidate.endpoint.host.starts_with("unix://")
    }
}

impl From<discovery::Found> for Connection {
    fn from(found: discovery::Found) -> Self {
        Self {
            passed_over: found.unheeded(),
            client: found.client,
            candidate: found.candidate,
        }
    }
}

impl Connection {
    pub fn view(&self) -> ConnectionView {
        ConnectionView {
            source: self.candidate.source.to_string(),
            host: self.candidate.endpoint.host.clone(),
            api_version: self.client.api_version().to_owned(),
            passed_over: self.passed_over.clone(),
            browser_host: wire::browser_host(&self.candidate.endpoint.host),
        }
    }
}

/// The facade.
pub struct Berth {
    settings: std::sync::RwLock<Settings>,
    settings_path: PathBuf,
    store: ContextStore,
    engine: EngineConfig,
    launch: Launch,
    target: Target,
    /// The supervisor of Berth's own engine, when this process runs it (the tray).
    supervisor: Mutex<Option<Supervisor>>,
    supervisor_appeared: tokio::sync::Notify,
    /// The app's connection, kept between calls (see [`Berth::current`]).
    current: Mutex<Option<Connection>>,
    /// Compose's `--parallel`: at most this many steps of a plan at once (0: no limit).
    compose_parallel: std::sync::atomic::AtomicUsize,
    /// The dashboard's host sampler and its history, kept while the app runs.
    host: std::sync::Mutex<Option<berth_host::Sampler>>,
}

impl Berth {
    /// Reads the settings file and the process environment.
    pub fn load(launch: Launch, target: Target) -> Result<Self, ApiError> {
        Self::with(
            Env::from_process(),
            Settings::default_path(),
            launch,
            target,
        )
    }

    pub fn with(
        env: Env,
        settings_path: PathBuf,
        launch: Launch,
        target: Target,
    ) -> Result<Self, ApiError> {
        let mut settings = Settings::load(&settings_path)?;
        if let Ok(v) = std::env::var("BERTH_ENGINE_AUTOSTART") {
            settings.engine_autostart = !matches!(v.as_str(), "0" | "false" | "no");
        }
        let mut engine = settings.engine_config(&env);
        engine.daemon_json = Some(settings_path.with_file_name("daemon.json"));
        Ok(Self {
            settings: std::sync::RwLock::new(settings),
            settings_path,
            store: ContextStore::new(env),
            engine,
            launch,
            target,
            supervisor: Mutex::new(None),
            supervisor_appeared: tokio::sync::Notify::new(),
            current: Mutex::new(None),
            compose_parallel: std::sync::atomic::AtomicUsize::new(0),
            host: std::sync::Mutex::new(None),
        })
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Writes the settings file and uses the new settings from now on; the engine's own
    /// settings (dockerd, bridge) apply when Berth next loads them.
    pub fn save_settings(&self, settings: Settings) -> Result<Settings, ApiError> {
        settings.check()?;
        settings.save(&self.settings_path)?;
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = settings.clone();
        Ok(settings)
    }

    /// Berth's own engine configuration.
    pub fn engine_config(&self) -> &EngineConfig {
        &self.engine
    }

    /// The candidate engines for the current target, in order.
    pub fn candidates(&self) -> Result<Vec<Candidate>, ApiError> {
        use berth_engine::discovery::Source;
        Ok(match &self.target {
            Target::Discover => discovery::candidates(&self.store, &self.engine.paths.socket())?,
            Target::Host(host) => vec![Candidate {
                source: Source::DockerHost,
                endpoint: berth_docker::Endpoint {
                    host: host.clone(),
                    tls: None,
                },
            }],
            Target::Context(name) => {
                let ctx = self.store.get(name)?;
                vec![Candidate {
                    source: Source::Context(ctx.name),
                    endpoint: ctx.endpoint,
                }]
            }
        })
    }

    /// Connects to the engine to use (discovery, `-H` or `--context`), starting nothing.
    pub async fn connect(&self) -> Result<Connection, ApiError> {
        let candidates = self.candidates()?;
        if let (false, [only]) = (
            matches!(self.target, Target::Discover),
            candidates.as_slice(),
        ) {
            // A named engine: its own error says more than a summary of one attempt.
            let client = Client::connect(&only.endpoint, PING_TIMEOUT).await?;
            return Ok(Connection {
                client,
                candidate: only.clone(),
                passed_over: None,
            });
        }
        let found = discovery::connect_first(&candidates, PING_TIMEOUT).await?;
        Ok(Connection::from(found))
    }

    /// The connection the app uses for its calls: made on first use and kept until
    /// [`Berth::forget_connection`] (the app calls it when the engine changes or its event
    /// stream ends).
    pub async fn current(&self) -> Result<Connection, ApiError> {
        let mut current = self.current.lock().await;
        if let Some(conn) = current.as_ref() {
            return Ok(conn.clone());
        }
        let conn = self.connect().await?;
        *current = Some(conn.clone());
        Ok(conn)
    }

    /// Drops the kept connection; the next [`Berth::current`] looks for the engine again.
    pub async fn forget_connection(&self) {
        self.current.lock().await.take();
    }

    /// Whether an unreachable engine should make Berth start its own: the target is discovery
    /// and the `engine_autostart` setting is on.
    pub fn autostarts(&self) -> bool {
        matches!(self.target, Target::Discover) && self.settings().engine_autostart
    }

    /// [`Berth::connect`], and when no engine answers and [`Berth::autostarts`], starts Berth's
    /// own engine first; `starting` is told before it does.
    pub async fn connect_or_start(
        &self,
        starting: impl FnOnce(&EngineConfig),
    ) -> Result<Connection, ApiError> {
        match self.connect().await {
            Err(e) if e.code == ErrorCode::EngineUnreachable && self.autostarts() => {
                tracing::info!(%e, "no engine answers; starting Berth's own");
                starting(&self.engine);
                self.engine_start().await?;
                self.connect().await
            }
            other => other,
        }
    }

    /// The contexts, the current one marked.
    pub fn contexts(&self) -> Result<Vec<ContextRow>, ApiError> {
        let current = self.store.current_name()?;
        Ok(self
            .store
            .list()?
            .into_iter()
            .map(|c| ContextRow {
                current: c.name == current,
                tls: c.endpoint.tls.is_some(),
                name: c.name,
                description: c.description,
                host: c.endpoint.host,
                skip_tls_verify: c.skip_tls_verify,
            })
            .collect())
    }

    /// Adds a remote engine as a docker context (`tcp://HOST:PORT`, with TLS when `ca`,
    /// `cert` and `key` are given; all three or none).
    pub fn context_add(
        &self,
        name: &str,
        host: &str,
        ca: Option<&str>,
        cert: Option<&str>,
        key: Option<&str>,
    ) -> Result<ContextRow, ApiError> {
        let tls = tls_material(ca, cert, key)?;
        self.store.create(name, "", host, tls.as_ref())?;
        self.context_inspect(name)
    }

    /// Creates a context from docker's `--docker` value: `host=tcp://HOST:PORT`, with
    /// `ca=…,cert=…,key=…` for TLS.
    pub fn context_create(
        &self,
        name: &str,
        description: &str,
        docker: &str,
    ) -> Result<ContextRow, ApiError> {
        let mut fields = std::collections::BTreeMap::new();
        for field in docker.split(',').filter(|f| !f.is_empty()) {
            let (key, value) = field.split_once('=').unwrap_or((field, ""));
            if !matches!(key, "host" | "ca" | "cert" | "key") {
                return Err(ApiError::invalid(format!(
                    "--docker {docker:?}: unknown key {key:?}; write host=tcp://HOST:PORT[,ca=FILE,cert=FILE,key=FILE]"
                )));
            }
            fields.insert(key, value);
        }
        let Some(host) = fields.get("host") else {
            return Err(ApiError::invalid(format!(
                "--docker {docker:?}: name the engine, e.g. host=tcp://10.0.0.5:2376"
            )));
        };
        let tls = tls_material(
            fields.get("ca").copied(),
            fields.get("cert").copied(),
            fields.get("key").copied(),
        )?;
        self.store.create(name, description, host, tls.as_ref())?;
        self.context_inspect(name)
    }

    /// Removes a context (the current one only with `force`, and `default` is used then).
    pub fn context_remove(&self, name: &str, force: bool) -> Result<(), ApiError> {
        Ok(self.store.remove(name, force)?)
    }

    pub fn context_use(&self, name: &str) -> Result<(), ApiError> {
        Ok(self.store.use_context(name)?)
    }

    /// Makes `name` the current context and connects to its engine from the next call on (the
    /// app's switch; [`Berth::follow_engine`] and [`Berth::follow_changes`] follow it).
    pub async fn switch_context(&self, name: &str) -> Result<(), ApiError> {
        self.context_use(name)?;
        self.forget_connection().await;
        Ok(())
    }

    /// Follows the current context where it picks the engine (discovery; `-H` and `--context`
    /// name theirs).
    fn context_switches(&self) -> watch::ContextSwitches {
        watch::ContextSwitches::new(matches!(self.target, Target::Discover).then_some(&self.store))
    }

    pub fn context_inspect(&self, name: &str) -> Result<ContextRow, ApiError> {
        self.contexts()?
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                berth_engine::Error::UnknownContext {
                    name: name.to_owned(),
                }
                .into()
            })
    }

    pub async fn version(&self, conn: &Connection) -> Result<VersionView, ApiError> {
        let v = conn.client.version().await?;
        let client = client_version();
        Ok(VersionView {
            client_version: client.version,
            client_os_arch: client.os_arch,
            connection: conn.view(),
            server_version: v.version.unwrap_or_default(),
            server_api_version: v.api_version.unwrap_or_default(),
            server_min_api_version: v.min_api_version.unwrap_or_default(),
            server_go_version: v.go_version.unwrap_or_default(),
            server_git_commit: v.git_commit.unwrap_or_default(),
            server_os_arch: format!(
                "{}/{}",
                v.os.unwrap_or_default(),
                v.arch.unwrap_or_default()
            ),
            server_kernel: v.kernel_version.unwrap_or_default(),
        })
    }

    /// The engine's own `/info` document, as docker's `info --format` templates read it
    /// (`{{.ServerVersion}}`, `{{.NCPU}}`, `{{.Driver}}`, …).
    pub async fn engine_info(&self, conn: &Connection) -> Result<serde_json::Value, ApiError> {
        Ok(serde_json::to_value(conn.client.info().await?).unwrap_or_default())
    }

    /// What docker's `version --format` templates read: `Client` (Berth) and `Server` (the
    /// engine's `/version`), each version field under its Go name too (`APIVersion` beside the
    /// JSON's `ApiVersion`), as the templates name them.
    pub async fn version_document(&self, conn: &Connection) -> Result<serde_json::Value, ApiError> {
        let mut server = serde_json::to_value(conn.client.version().await?).unwrap_or_default();
        for (json, go) in [
            ("ApiVersion", "APIVersion"),
            ("MinAPIVersion", "MinAPIVersion"),
        ] {
            if let Some(v) = server.get(json).cloned() {
                server[go] = v;
            }
        }
        let client = client_version();
        let (os, arch) = client.os_arch.split_once('/').unwrap_or_default();
        let api = conn.view().api_version;
        Ok(serde_json::json!({
            "Client": {
                "Version": client.version,
                "ApiVersion": api,
                "APIVersion": api,
                "Os": os,
                "Arch": arch,
            },
            "Server": server,
        }))
    }

    pub async fn info(&self, conn: &Connection) -> Result<InfoView, ApiError> {
        let i = conn.client.info().await?;
        let rootless = i
            .security_options
            .iter()
            .flatten()
            .any(|o| o.contains("rootless"));
        Ok(InfoView {
            connection: conn.view(),
            server_version: i.server_version.unwrap_or_default(),
            containers: i.containers.unwrap_or_default(),
            running: i.containers_running.unwrap_or_default(),
            paused: i.containers_paused.unwrap_or_default(),
            stopped: i.containers_stopped.unwrap_or_default(),
            images: i.images.unwrap_or_default(),
            storage_driver: i.driver.unwrap_or_default(),
            cgroup_driver: i.cgroup_driver.map(|d| d.to_string()).unwrap_or_default(),
            data_root: i.docker_root_dir.unwrap_or_default(),
            kernel: i.kernel_version.unwrap_or_default(),
            os: i.operating_system.unwrap_or_default(),
            arch: i.architecture.unwrap_or_default(),
            cpus: i.ncpu.unwrap_or_default(),
            memory: i.mem_total.unwrap_or_default(),
            name: i.name.unwrap_or_default(),
            rootless,
            warnings: i.warnings.unwrap_or_default(),
        })
    }

    pub async fn containers(
        &self,
        conn: &Connection,
        all: bool,
    ) -> Result<Vec<ContainerRow>, ApiError> {
        self.containers_where(conn, all, false, &[]).await
    }

    /// The containers `filters` (`KEY=value`, as `docker ps --filter` takes them) let through,
    /// in the engine's order; with their sizes when `size` (`docker ps -s`; slower).
    pub async fn containers_where(
        &self,
        conn: &Connection,
        all: bool,
        size: bool,
        filters: &[String],
    ) -> Result<Vec<ContainerRow>, ApiError> {
        let filters = filter_map(filters, "name=web")?;
        let keep_engine_order = |_: &ContainerRow, _: &ContainerRow| std::cmp::Ordering::Equal;
        Ok(rows(
            conn.client
                .list_containers_where(all, size, &filters)
                .await?,
            keep_engine_order,
        ))
    }

    /// Images, newest first, in the engine's own order (which is what the docker CLI shows, ties
    /// included), each with the number of containers (of any state) made from it: engines
    /// before API 1.47 do not count them in the image list, so the containers are listed too.
    pub async fn images(&self, conn: &Connection) -> Result<Vec<ImageRow>, ApiError> {
        self.images_where(conn, false, &[]).await
    }

    /// [`Berth::images`] that `filters` (`KEY=value`, as `docker images --filter` takes them)
    /// let through; `all` adds the intermediate images builds leave (`docker images -a`).
    pub async fn images_where(
        &self,
        conn: &Connection,
        all: bool,
        filters: &[String],
    ) -> Result<Vec<ImageRow>, ApiError> {
        let filters = filter_map(filters, "dangling=true")?;
        let keep_engine_order = |_: &ImageRow, _: &ImageRow| std::cmp::Ordering::Equal;
        let (images, containers) = tokio::try_join!(
            conn.client.list_images_where(all, &filters),
            conn.client.list_containers(true)
        )?;
        let mut used: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for id in containers.into_iter().filter_map(|c| c.image_id) {
            *used.entry(id).or_default() += 1;
        }
        let mut rows: Vec<ImageRow> = rows(images, keep_engine_order);
        for row in rows.iter_mut().filter(|r| r.containers < 0) {
            row.containers = used.get(&row.id).copied().unwrap_or(0);
        }
        Ok(rows)
    }
}

/// A context's TLS files: all three, or none.
fn tls_material(
    ca: Option<&str>,
    cert: Option<&str>,
    key: Option<&str>,
) -> Result<Option<berth_docker::TlsMaterial>, ApiError> {
    match (ca, cert, key) {
        (None, None, None) => Ok(None),
        (Some(ca), Some(cert), Some(key)) => Ok(Some(berth_docker::TlsMaterial {
            ca: ca.into(),
            cert: cert.into(),
            key: key.into(),
        })),
        _ => Err(ApiError::invalid(
            "TLS needs all three files: the CA, the client certificate and its key",
        )),
    }
}

/// `KEY=value` filters (`docker ps --filter`, `docker events --filter`) as the engine takes
/// them: the values of each key together. `example` shows a good one in the error.
fn filter_map(
    filters: &[String],
    example: &str,
) -> Result<std::collections::BTreeMap<String, Vec<String>>, ApiError> {
    let mut map = std::collections::BTreeMap::<String, Vec<String>>::new();
    for f in filters {
        let (k, v) = f.split_once('=').ok_or_else(|| {
            ApiError::invalid(format!("{f}: a filter is KEY=value, e.g. {example}"))
        })?;
        map.entry(k.to_owned()).or_default().push(v.to_owned());
    }
    Ok(map)
}

/// Writes `bytes` to `path` (its directory made if missing) by writing them beside it and
/// renaming them into place, so a reader sees the old file or the new one, never half of one.
fn write_replacing(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let aside = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&aside, bytes).and_then(|()| std::fs::rename(&aside, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&aside);
    }
    written
}

/// Engine models into wire rows, in `order` (a stable sort: equal rows keep the engine's order).
fn rows<T, R: From<T>>(items: Vec<T>, order: impl FnMut(&R, &R) -> std::cmp::Ordering) -> Vec<R> {
    let mut rows: Vec<R> = items.into_iter().map(R::from).collect();
    rows.sort_by(order);
    rows
}

/// This program's own version and platform: what `berth version` prints even when no engine
/// answers.
pub struct ClientVersion {
    pub version: String,
    /// `linux/amd64`, in Go's names as docker prints them.
    pub os_arch: String,
}

pub fn client_version() -> ClientVersion {
    ClientVersion {
        version: env!("CARGO_PKG_VERSION").into(),
        os_arch: format!(
            "{}/{}",
            std::env::consts::OS,
            go_arch(std::env::consts::ARCH)
        ),
    }
}

/// Go's names for architectures, as `docker version` prints them.
fn go_arch(arch: &str) -> &str {
    match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// A `Berth` for the facade's own tests: its settings under `dir`, an engine named that is
/// never there.
#[cfg(test)]
pub(crate) fn offline_berth(dir: &std::path::Path) -> Berth {
    Berth::with(
        berth_engine::context::Env::default(),
        dir.join("settings.json"),
        Launch::InProcess,
        Target::Host("unix:///nonexistent.sock".into()),
    )
    .expect("a Berth")
}
