//! Berth's own engine: a dockerd that Berth starts, supervises and stops.
//!
//! [`Supervisor`] owns the daemon inside one process (the app, or `berth engine supervise`
//! started by the CLI) and holds a lock per data-root; every other process talks to it through
//! [`control`] over a unix socket (a named pipe on Windows). The daemon's binary and arguments
//! are data ([`EngineConfig`]), so tests can run a fake daemon.
//!
//! The daemon backend is per OS: on Linux `daemon` runs dockerd itself; on macOS and Windows
//! `vm` will run it in a small Linux VM (docs/platforms.md) and is not implemented yet. The
//! supervisor, its control channel and the CLI above them are the same everywhere.

mod channel;
pub mod control;
#[cfg(target_os = "linux")]
mod daemon;
pub mod daemon_json;
pub mod preflight;
mod state;
mod supervisor;
#[cfg(not(target_os = "linux"))]
mod vm;
#[cfg(not(target_os = "linux"))]
use vm as daemon;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::context::Env;
use serde::{Deserialize, Serialize};

pub use state::{EngineState, Status};
pub use supervisor::Supervisor;

/// Rootful (dockerd as root) or rootless (dockerd inside rootlesskit for a normal user).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Rootful,
    Rootless,
}

impl Mode {
    /// Rootful for root, rootless for everyone else. In a VM (macOS, Windows) the engine runs as
    /// the VM's root: rootful.
    pub fn for_current_user() -> Self {
        #[cfg(target_os = "linux")]
        if !nix::unistd::geteuid().is_root() {
            return Mode::Rootless;
        }
        Mode::Rootful
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Rootful => "rootful",
            Mode::Rootless => "rootless",
        })
    }
}

/// Where the engine keeps its data, runtime files and log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paths {
    /// dockerd's `--data-root`: images, containers, volumes. Never deleted by Berth.
    pub data_root: PathBuf,
    /// Runtime directory: sockets, pidfile, exec-root.
    pub run_dir: PathBuf,
    /// The engine's captured output (size-capped, one rotated copy beside it).
    pub log: PathBuf,
}

impl Paths {
    /// The paths of the user `env` describes: data under `$XDG_DATA_HOME/berth/engine`, runtime
    /// files under `$XDG_RUNTIME_DIR/berth` (`/run/berth` for root, `/tmp/berth-UID` without
    /// one), the log under `$XDG_STATE_HOME/berth`.
    pub fn for_env(env: &Env) -> Self {
        let data = env
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(".local/share"))
            .join("berth");
        let run_dir = match &env.xdg_runtime_dir {
            Some(dir) => dir.join("berth"),
            None => default_run_dir(&data),
        };
        let log_dir = env
            .state_dir
            .as_ref()
            .map(|d| d.join("berth"))
            .unwrap_or_else(|| data.join("logs"));
        Self {
            data_root: data.join("engine"),
            run_dir,
            log: log_dir.join("engine.log"),
        }
    }

    pub fn socket(&self) -> PathBuf {
        self.run_dir.join("docker.sock")
    }
    pub fn control(&self) -> PathBuf {
        self.run_dir.join("control.sock")
    }
    pub fn pidfile(&self) -> PathBuf {
        self.run_dir.join("dockerd.pid")
    }
    pub fn exec_root(&self) -> PathBuf {
        self.run_dir.join("exec")
    }
    /// The final status a supervisor leaves behind when it ends.
    pub fn last_status(&self) -> PathBuf {
        self.run_dir.join("last-status.json")
    }
    pub fn rootlesskit_state(&self) -> PathBuf {
        self.run_dir.join("rootlesskit")
    }
    /// The lock that makes one supervisor per data-root; it sits beside the data-root.
    pub fn lock(&self) -> PathBuf {
        let mut name = self
            .data_root
            .file_name()
            .unwrap_or_default()
            .to_os_string();
        name.push(".lock");
        self.data_root.with_file_name(name)
    }
}

#[cfg(unix)]
fn default_run_dir(_data: &Path) -> PathBuf {
    let uid = nix::unistd::geteuid();
    if uid.is_root() {
        PathBuf::from("/run/berth")
    } else {
        PathBuf::from(format!("/tmp/berth-{uid}"))
    }
}

#[cfg(not(unix))]
fn default_run_dir(data: &Path) -> PathBuf {
    data.join("run")
}

/// Why a launch failed; `retryable` is false when trying again cannot help (missing programs).
pub(crate) struct LaunchError {
    pub reason: String,
    pub retryable: bool,
}

impl LaunchError {
    pub(crate) fn final_(reason: String) -> Self {
        Self {
            reason,
            retryable: false,
        }
    }
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn retry(reason: String) -> Self {
        Self {
            reason,
            retryable: true,
        }
    }
}

/// The bridge a rootful engine uses instead of `docker0`, so it never fights another dockerd.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bridge {
    pub name: String,
    /// The bridge's own address with prefix, e.g. `10.199.0.1/24`.
    pub cidr: String,
    /// The pool user-defined networks are carved from, e.g. `10.199.128.0/17`.
    pub pool: String,
}

impl Default for Bridge {
    fn default() -> Self {
        Self {
            name: "berth0".into(),
            cidr: "10.199.0.1/24".into(),
            pool: "10.199.128.0/17".into(),
        }
    }
}

/// When and how often a crashed engine is restarted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartPolicy {
    pub enabled: bool,
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RestartPolicy {
    /// The wait before restart number `attempt` (0-based): doubling, capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(16));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Everything needed to run Berth's own engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineConfig {
    pub mode: Mode,
    /// dockerd, by path or by name (looked up on PATH and in /usr/sbin, /usr/bin).
    pub dockerd: PathBuf,
    /// rootlesskit, for the rootless mode.
    pub rootlesskit: PathBuf,
    pub paths: Paths,
    /// Rootful only; `None` leaves dockerd on its default `docker0`.
    pub bridge: Option<Bridge>,
    /// Extra dockerd arguments, appended last.
    pub extra_args: Vec<String>,
    /// Berth's own `daemon.json` for the engine ([`daemon_json`]), made empty when missing;
    /// `None`: dockerd reads its default one.
    pub daemon_json: Option<PathBuf>,
    pub restart: RestartPolicy,
    pub ready_timeout: Duration,
    pub stop_timeout: Duration,
    /// The engine log is rotated when it grows past this many bytes.
    pub log_cap_bytes: u64,
}

impl EngineConfig {
    /// The defaults for the user `env` describes (its mode is the process's user's).
    pub fn for_env(env: &Env) -> Self {
        let mode = Mode::for_current_user();
        Self {
            mode,
            dockerd: "dockerd".into(),
            rootlesskit: "rootlesskit".into(),
            paths: Paths::for_env(env),
            bridge: (mode == Mode::Rootful).then(Bridge::default),
            extra_args: Vec::new(),
            daemon_json: None,
            restart: RestartPolicy::default(),
            ready_timeout: Duration::from_secs(60),
            stop_timeout: Duration::from_secs(20),
            log_cap_bytes: 10 * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RestartPolicy {
            enabled: true,
            max_attempts: 9,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(3),
        };
        let got: Vec<_> = (0..5).map(|a| p.backoff(a).as_millis()).collect();
        assert_eq!(got, [500, 1000, 2000, 3000, 3000]);
        assert_eq!(p.backoff(u32::MAX), Duration::from_secs(3));
    }

    #[test]
    fn lock_sits_beside_the_data_root() {
        let p = Paths {
            data_root: "/d/berth/engine".into(),
            run_dir: "/r".into(),
            log: "/l".into(),
        };
        assert_eq!(p.lock(), PathBuf::from("/d/berth/engine.lock"));
        assert_eq!(p.socket(), PathBuf::from("/r/docker.sock"));
    }
}
