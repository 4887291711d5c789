//! One running dockerd: launching it (rootful or inside rootlesskit), waiting until its API
//! answers, watching it, and stopping it gracefully. The supervisor decides; this executes.

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use berth_docker::{Client, Endpoint};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

use super::preflight::{self, Programs};
use super::{Bridge, EngineConfig, LaunchError, Mode};

/// How often a running engine is probed, and how long one probe may take. Two missed probes
/// in a row count as a crash, which keeps detection under two seconds.
const PROBE_EVERY: Duration = Duration::from_millis(400);
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);
const MISSES_FOR_CRASH: u32 = 2;

/// A dockerd that answers its API.
pub(crate) struct Daemon {
    /// Our child (dockerd, or rootlesskit around it); `None` for an adopted daemon.
    child: Option<Child>,
    /// dockerd's own pid.
    pub pid: u32,
    pub client: Client,
}

/// Starts the engine (or adopts one left running by a supervisor that died) and waits until its
/// API answers.
pub(crate) async fn launch(config: &EngineConfig) -> Result<Daemon, LaunchError> {
    let programs = preflight::check(config).map_err(LaunchError::final_)?;
    super::daemon_json::prepare(config).map_err(LaunchError::final_)?;
    let p = &config.paths;
    for dir in [&p.run_dir, &p.exec_root()] {
        std::fs::create_dir_all(dir)
            .map_err(|e| LaunchError::final_(format!("cannot create {}: {e}", dir.display())))?;
    }
    if let Some(parent) = p.data_root.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| LaunchError::final_(format!("cannot create {}: {e}", parent.display())))?;
    }
    if let Some(daemon) = clear_stale(config).await {
        return Ok(daemon);
    }
    // Held until this dockerd answers or fails; released on drop.
    let _start_lock = match config.mode {
        Mode::Rootful => start_lock(Path::new(START_LOCK), config.ready_timeout).await,
        Mode::Rootless => None,
    };
    if config.mode == Mode::Rootful
        && let Some(bridge) = &config.bridge
    {
        ensure_bridge(bridge).await.map_err(LaunchError::final_)?;
    }
    let log = open_log(&p.log, config.mode).map_err(|e| {
        LaunchError::final_(format!(
            "cannot write the engine log {}: {e}",
            p.log.display()
        ))
    })?;
    let stderr = log.try_clone().map_err(|e| {
        LaunchError::final_(format!(
            "cannot write the engine log {}: {e}",
            p.log.display()
        ))
    })?;
    let mut cmd = command(config, &programs);
    cmd.stdin(Stdio::null())
        .stdout(log)
        .stderr(stderr)
        .process_group(0)
        .kill_on_drop(false);
    let child = cmd.spawn().map_err(|e| {
        LaunchError::final_(format!(
            "cannot run {}: {e}",
            cmd.as_std().get_program().to_string_lossy()
        ))
    })?;
    tracing::info!(mode = %config.mode, pid = child.id(), "engine process started");
    wait_ready(child, config).await
}

/// A rootful dockerd, starting, removes and re-creates the host's shared firewall chains (nat
/// and filter `DOCKER`, `DOCKER-ISOLATION-STAGE-*`: libnetwork's bridge driver), so two starting
/// at the same moment fail with "iptables: Chain already exists". Berth's rootful engines (and
/// the test harness's engines) take this lock from before dockerd starts until it answers. A
/// rootless dockerd has its own network namespace and chains.
pub const START_LOCK: &str = "/run/lock/berth-dockerd-start.lock";

/// Takes the start lock at `path`, waiting up to `wait` for another engine's start. `None` when
/// the lock cannot be opened or stays taken: the start goes ahead, and a clash with the other
/// start is a retryable failure.
async fn start_lock(path: &Path, wait: Duration) -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // /run/lock is writable by anyone: never follow a link planted there.
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .open(path)
        .inspect_err(
            |e| tracing::warn!(path = %path.display(), %e, "cannot open the engine start lock"),
        )
        .ok()?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Some(file),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), %e, "starting without the engine start lock");
                return None;
            }
        }
    }
}

/// The command line: dockerd with Berth's own paths, inside rootlesskit when rootless.
fn command(config: &EngineConfig, programs: &Programs) -> Command {
    let p = &config.paths;
    let mut args: Vec<String> = vec![
        "--data-root".into(),
        p.data_root.display().to_string(),
        "--exec-root".into(),
        p.exec_root().display().to_string(),
        "--pidfile".into(),
        p.pidfile().display().to_string(),
        "--host".into(),
        format!("unix://{}", p.socket().display()),
        // A private containerd namespace, so a system containerd shared with another dockerd
        // never mixes the two engines' containers.
        "--containerd-namespace".into(),
        "berth".into(),
        "--containerd-plugins-namespace".into(),
        "berth-plugins".into(),
    ];
    if config.mode == Mode::Rootful
        && let Some(bridge) = &config.bridge
    {
        args.extend([
            "--bridge".into(),
            bridge.name.clone(),
            "--default-address-pool".into(),
            format!("base={},size=24", bridge.pool),
        ]);
    }
    if let Some(file) = &config.daemon_json {
        args.extend(["--config-file".into(), file.display().to_string()]);
    }
    args.extend(config.extra_args.iter().cloned());
    let mut cmd = match (&config.mode, &programs.rootlesskit) {
        (Mode::Rootless, Some(rootlesskit)) => {
            // What dockerd-rootless.sh does: rootlesskit with slirp4netns, then, inside the new
            // namespaces, drop the parent's /run symlinks and exec dockerd.
            let mut cmd = Command::new(rootlesskit);
            cmd.arg(format!("--state-dir={}", p.rootlesskit_state().display()))
                .args([
                    "--net=slirp4netns",
                    "--mtu=65520",
                    "--slirp4netns-sandbox=auto",
                    "--slirp4netns-seccomp=auto",
                    "--disable-host-loopback",
                    "--port-driver=builtin",
                    "--copy-up=/etc",
                    "--copy-up=/run",
                    "--propagation=rslave",
                    "sh",
                    "-c",
                    r#"rm -f /run/docker /run/containerd /run/xtables.lock; exec "$0" "$@""#,
                ])
                .arg(&programs.dockerd)
                .args(&args);
            if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
                cmd.env("XDG_RUNTIME_DIR", &p.run_dir);
            }
            cmd
        }
        _ => {
            let mut cmd = Command::new(&programs.dockerd);
            cmd.args(&args);
            cmd
        }
    };
    // dockerd runs iptables, ip and friends from PATH; a normal user's PATH lacks the sbin dirs.
    cmd.env("PATH", with_sbin(std::env::var_os("PATH")));
    cmd
}

/// `path` with /usr/local/sbin, /usr/sbin and /sbin appended where missing.
fn with_sbin(path: Option<std::ffi::OsString>) -> std::ffi::OsString {
    let mut dirs: Vec<std::path::PathBuf> = path
        .as_deref()
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    for extra in [
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ] {
        if !dirs.iter().any(|d| d == Path::new(extra)) {
            dirs.push(extra.into());
        }
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// Handles what a crashed run left behind. A dockerd still running from an earlier supervisor
/// that answers is adopted; a silent one is stopped; a dead pidfile and socket are removed.
async fn clear_stale(config: &EngineConfig) -> Option<Daemon> {
    let p = &config.paths;
    let pidfile = p.pidfile();
    if let Some(pid) = read_pid(&pidfile) {
        if is_dockerd(pid) {
            match Client::connect(&Endpoint::unix(p.socket()), Duration::from_secs(2)).await {
                Ok(client) => {
                    tracing::info!(
                        pid,
                        "adopting the engine left running by an earlier supervisor"
                    );
                    return Some(Daemon {
                        child: None,
                        pid,
                        client,
                    });
                }
                Err(err) => {
                    tracing::warn!(pid, %err, "an earlier engine is running but silent; stopping it");
                    terminate_pid(pid, config.stop_timeout).await;
                }
            }
        } else {
            tracing::info!(pid, pidfile = %pidfile.display(), "removing the stale pidfile of a crashed run");
        }
        let _ = std::fs::remove_file(&pidfile);
    }
    // A killed dockerd leaves its managed containerd behind, which the next dockerd would wait
    // on for 15 s before giving up. Container shims are separate processes and survive this.
    let containerd_pid = p.exec_root().join("containerd").join("containerd.pid");
    if let Some(pid) = read_pid(&containerd_pid) {
        if process_name(pid).as_deref() == Some("containerd") {
            tracing::info!(pid, "stopping the containerd a crashed engine left behind");
            terminate_pid(pid, config.stop_timeout).await;
        }
        let _ = std::fs::remove_file(&containerd_pid);
    }
    let socket = p.socket();
    if socket.exists() {
        tracing::info!(socket = %socket.display(), "removing the stale socket of a crashed run");
        let _ = std::fs::remove_file(&socket);
    }
    if config.mode == Mode::Rootless {
        let _ = std::fs::remove_dir_all(p.rootlesskit_state());
    }
    None
}

async fn wait_ready(mut child: Child, config: &EngineConfig) -> Result<Daemon, LaunchError> {
    let p = &config.paths;
    let endpoint = Endpoint::unix(p.socket());
    let deadline = Instant::now() + config.ready_timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(LaunchError::retry(format!(
                "dockerd {} while starting: {}",
                describe(status),
                log_reason(&p.log)
            )));
        }
        if p.socket().exists()
            && let Ok(client) = Client::connect(&endpoint, Duration::from_secs(1)).await
        {
            let pid = match config.mode {
                Mode::Rootful => child.id(),
                Mode::Rootless => read_pid(&p.pidfile()),
            };
            if let Some(pid) = pid {
                return Ok(Daemon {
                    child: Some(child),
                    pid,
                    client,
                });
            }
        }
        if Instant::now() >= deadline {
            let _ = child.start_kill();
            let _ = child.wait().await;
            return Err(LaunchError::retry(format!(
                "dockerd did not answer within {} s; its log is {}",
                config.ready_timeout.as_secs(),
                p.log.display()
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Daemon {
    /// Resolves when the engine exits or stops answering, with the reason. Also keeps the log
    /// under its size cap.
    pub async fn crashed(&mut self, config: &EngineConfig) -> String {
        let mut tick = tokio::time::interval(PROBE_EVERY);
        let mut misses = 0;
        loop {
            tokio::select! {
                status = wait_child(&mut self.child) => {
                    return format!("the engine {}: {}", describe(status), log_reason(&config.paths.log));
                }
                _ = tick.tick() => {
                    if !pid_alive(self.pid) {
                        return format!("dockerd (pid {}) is gone: {}", self.pid, log_reason(&config.paths.log));
                    }
                    match self.client.ping_within(PROBE_TIMEOUT).await {
                        Ok(()) => misses = 0,
                        Err(err) => {
                            misses += 1;
                            if misses >= MISSES_FOR_CRASH {
                                return format!("dockerd (pid {}) stopped answering: {err}", self.pid);
                            }
                        }
                    }
                    cap_log(&config.paths.log, config.log_cap_bytes);
                }
            }
        }
    }

    /// SIGTERM, wait up to `timeout`, then SIGKILL. Never touches the data-root. Signals go to
    /// the pid only while it is still a dockerd, so a recycled pid is never hit.
    pub async fn stop(mut self, config: &EngineConfig, timeout: Duration) {
        let signal = |sig: Signal| {
            if is_dockerd(self.pid) {
                let _ = kill(Pid::from_raw(self.pid as i32), sig);
            }
        };
        signal(Signal::SIGTERM);
        let gone = match &mut self.child {
            Some(child) => tokio::time::timeout(timeout, child.wait()).await.is_ok(),
            None => wait_pid_gone(self.pid, timeout).await,
        };
        if !gone {
            tracing::warn!(
                pid = self.pid,
                "the engine did not stop on SIGTERM; killing it"
            );
            signal(Signal::SIGKILL);
            if let Some(child) = &mut self.child {
                let _ = child.start_kill();
                let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
            } else {
                wait_pid_gone(self.pid, Duration::from_secs(5)).await;
            }
        }
        // A clean dockerd removes these itself; after a kill they are stale.
        let _ = std::fs::remove_file(config.paths.pidfile());
        let _ = std::fs::remove_file(config.paths.socket());
        tracing::info!(pid = self.pid, "engine stopped");
    }
}

async fn wait_child(child: &mut Option<Child>) -> ExitStatus {
    match child {
        Some(child) => match child.wait().await {
            Ok(status) => status,
            Err(_) => ExitStatus::from_raw(0),
        },
        None => std::future::pending().await,
    }
}

fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(sig)) => match Signal::try_from(sig) {
            Ok(s) => format!("was killed by {s}"),
            Err(_) => format!("was killed by signal {sig}"),
        },
        _ => "exited".into(),
    }
}

fn read_pid(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn pid_alive(pid: u32) -> bool {
    kill(Pid::from_raw(pid as i32), None).is_ok()
}

fn process_name(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|c| c.trim().to_owned())
}

fn is_dockerd(pid: u32) -> bool {
    process_name(pid).as_deref() == Some("dockerd")
}

async fn wait_pid_gone(pid: u32, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while pid_alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

async fn terminate_pid(pid: u32, timeout: Duration) {
    let _ = kill(Pid::from_raw(pid as i32), Signal::SIGTERM);
    if !wait_pid_gone(pid, timeout).await {
        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        wait_pid_gone(pid, Duration::from_secs(5)).await;
    }
}

/// Creates (or brings up) the engine's own bridge with `ip`.
async fn ensure_bridge(bridge: &Bridge) -> Result<(), String> {
    let exists = Path::new("/sys/class/net").join(&bridge.name).exists();
    let mut steps: Vec<Vec<&str>> = Vec::new();
    if !exists {
        steps.push(vec!["link", "add", "name", &bridge.name, "type", "bridge"]);
        steps.push(vec!["addr", "add", &bridge.cidr, "dev", &bridge.name]);
    }
    steps.push(vec!["link", "set", &bridge.name, "up"]);
    for args in steps {
        let out = Command::new("ip").args(&args).output().await.map_err(|e| {
            format!("cannot run `ip` to create the engine's bridge {} ({e}): `sudo apt-get install iproute2`", bridge.name)
        })?;
        if !out.status.success() {
            return Err(format!(
                "`ip {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    Ok(())
}

/// Opens the engine log for appending (so it can be truncated under a running dockerd) and
/// marks where this run starts.
fn open_log(path: &Path, mode: Mode) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(
        file,
        "{RUN_MARK} {mode} engine, supervisor pid {}",
        std::process::id()
    )?;
    Ok(file)
}

const RUN_MARK: &str = "--- berth: starting the";

/// Rotates the log to `<log>.1` once it passes `cap` bytes. dockerd holds it open for
/// appending, so truncating in place is safe.
fn cap_log(path: &Path, cap: u64) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.len() <= cap {
        return;
    }
    let mut backup = path.as_os_str().to_owned();
    backup.push(".1");
    if std::fs::copy(path, &backup).is_ok()
        && let Ok(file) = std::fs::OpenOptions::new().write(true).open(path)
    {
        let _ = file.set_len(0);
    }
}

/// The most telling line of the current run's log: the last error, else the last line.
pub(crate) fn log_reason(path: &Path) -> String {
    let Ok(mut file) = std::fs::File::open(path) else {
        return "no engine log".into();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    let run = text
        .rsplit_once(RUN_MARK)
        .map(|(_, run)| run)
        .unwrap_or(&text);
    let lines: Vec<&str> = run
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let pick = lines
        .iter()
        .rev()
        .find(|l| {
            l.contains("level=fatal")
                || l.contains("level=error")
                || l.starts_with("failed to start")
        })
        .or(lines.last());
    match pick {
        Some(line) => message_of(line).to_owned(),
        None => "it printed nothing".into(),
    }
}

/// The `msg="…"` part of a logrus line, or the whole line.
fn message_of(line: &str) -> &str {
    line.split_once("msg=\"")
        .and_then(|(_, rest)| rest.rsplit_once('"').map(|(msg, _)| msg))
        .unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_start_waits_for_another_start_to_finish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("start.lock");
        let first = start_lock(&path, Duration::ZERO)
            .await
            .expect("a free lock");
        let waited = Instant::now();
        assert!(
            start_lock(&path, Duration::from_millis(200))
                .await
                .is_none(),
            "taken while another start holds it"
        );
        assert!(waited.elapsed() >= Duration::from_millis(200));
        let (second, ()) = tokio::join!(start_lock(&path, Duration::from_secs(10)), async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(first);
        });
        assert!(second.is_some(), "taken once the other start let go");
        assert!(
            start_lock(&dir.path().join("no/such/dir/lock"), Duration::ZERO)
                .await
                .is_none()
        );
        let planted = dir.path().join("planted");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &planted).unwrap();
        assert!(start_lock(&planted, Duration::ZERO).await.is_none());
        assert!(
            !dir.path().join("elsewhere").exists(),
            "the link was not followed"
        );
    }

    #[test]
    fn child_path_gains_the_sbin_dirs() {
        let path = with_sbin(Some("/usr/local/bin:/usr/bin:/bin".into()));
        assert_eq!(
            path,
            "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
        );
        assert_eq!(
            with_sbin(None),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        );
    }

    #[test]
    fn reason_is_the_last_error_of_this_run() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("engine.log");
        std::fs::write(
            &log,
            format!(
                "{RUN_MARK} rootful engine\nlevel=error msg=\"old run\"\n{RUN_MARK} rootful engine\n\
                 time=x level=info msg=\"Starting up\"\n\
                 failed to start daemon: pid file found, ensure docker is not running or delete /r/dockerd.pid\n\
                 time=x level=info msg=\"bye\"\n"
            ),
        )
        .unwrap();
        assert_eq!(
            log_reason(&log),
            "failed to start daemon: pid file found, ensure docker is not running or delete /r/dockerd.pid"
        );
    }

    #[test]
    fn reason_extracts_logrus_messages() {
        assert_eq!(
            message_of(r#"time="t" level=fatal msg="bad \"bridge\" x" k=v"#),
            r#"bad \"bridge\" x"#
        );
        assert_eq!(message_of("plain line"), "plain line");
    }

    #[test]
    fn log_is_capped_with_one_backup() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("engine.log");
        std::fs::write(&log, vec![b'x'; 2048]).unwrap();
        cap_log(&log, 4096);
        assert_eq!(std::fs::metadata(&log).unwrap().len(), 2048);
        cap_log(&log, 1024);
        assert_eq!(std::fs::metadata(&log).unwrap().len(), 0);
        assert_eq!(
            std::fs::metadata(dir.path().join("engine.log.1"))
                .unwrap()
                .len(),
            2048
        );
    }
}
