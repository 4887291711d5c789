//! The supervisor: the engine's state machine, run as one task that owns the daemon.
//!
//! It takes the data-root's lock (one supervisor per data-root), publishes [`EngineState`] on a
//! watch channel, restarts a crashed engine with backoff, and serves the control socket through
//! which other processes (the CLI, a second app) start, stop, restart and watch it.

use std::fs::File;
use std::io::Write;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::channel::{Listener, Reader, Writer};
use super::daemon::{self, Daemon};
use super::{EngineConfig, EngineState, Status};
use crate::Error;

/// How long a daemon that stopped answering gets to exit on SIGTERM before SIGKILL.
const HUNG_STOP_TIMEOUT: Duration = Duration::from_secs(2);

/// A crash after this long running starts the backoff over.
const STABLE_AFTER: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Start,
    Stop,
    Restart,
}

/// A running supervisor. Dropping it leaves the engine running (another supervisor adopts it);
/// call [`Supervisor::shutdown`] to stop the engine.
pub struct Supervisor {
    state: watch::Receiver<EngineState>,
    commands: mpsc::Sender<Command>,
    task: Option<JoinHandle<()>>,
    server: JoinHandle<()>,
    base: Status,
}

impl Supervisor {
    /// Takes the lock, opens the control socket and starts the engine.
    ///
    /// With `exit_when_idle` the supervisor ends once the engine is stopped or has failed for
    /// good (the CLI's detached supervisor); without it, it waits for the next start (the app).
    pub fn spawn(config: EngineConfig, exit_when_idle: bool) -> Result<Self, Error> {
        let p = &config.paths;
        create_private_dir(&p.run_dir)?;
        let lock = take_lock(&config)?;
        let control = p.control();
        let listener = Listener::bind(&control).map_err(Error::io(format!(
            "opening the control socket {}",
            control.display()
        )))?;

        let (state_tx, state) = watch::channel(EngineState::Stopped);
        let (commands, command_rx) = mpsc::channel(8);
        let base = Status {
            state: EngineState::Stopped,
            mode: config.mode,
            socket: p.socket(),
            data_root: p.data_root.clone(),
            log: p.log.clone(),
            supervisor_pid: std::process::id(),
        };
        let server = tokio::spawn(serve(
            listener,
            state.clone(),
            commands.clone(),
            base.clone(),
        ));
        let last = base.clone();
        let task = tokio::spawn(async move {
            run(&config, &state_tx, command_rx, exit_when_idle).await;
            // What the next `berth engine start` or `status` reads once this supervisor is gone.
            let last = Status {
                state: state_tx.borrow().clone(),
                ..last
            };
            if let Ok(text) = serde_json::to_string(&last) {
                let _ = std::fs::write(config.paths.last_status(), text);
            }
            let _ = std::fs::remove_file(config.paths.control());
            drop(lock);
        });
        Ok(Self {
            state,
            commands,
            task: Some(task),
            server,
            base,
        })
    }

    /// The state channel: the current state and every change.
    pub fn state(&self) -> watch::Receiver<EngineState> {
        self.state.clone()
    }

    pub fn status(&self) -> Status {
        Status {
            state: self.state.borrow().clone(),
            ..self.base.clone()
        }
    }

    pub async fn start(&self) {
        let _ = self.commands.send(Command::Start).await;
    }

    pub async fn restart(&self) {
        let _ = self.commands.send(Command::Restart).await;
    }

    /// Stops the engine and waits until it is stopped.
    pub async fn stop(&self) {
        let mut state = self.state.clone();
        state.mark_unchanged();
        if matches!(*state.borrow(), EngineState::Stopped) {
            return;
        }
        let _ = self.commands.send(Command::Stop).await;
        let _ = state
            .wait_for(|s| matches!(s, EngineState::Stopped) || s.is_final_failure())
            .await;
    }

    /// Waits until the supervisor has ended (with `exit_when_idle`).
    pub async fn finished(&mut self) {
        if let Some(task) = &mut self.task {
            let _ = task.await;
            self.task = None;
        }
        self.server.abort();
    }

    /// Stops the engine and ends the supervisor, releasing the lock.
    pub async fn shutdown(mut self) {
        self.stop().await;
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
        self.server.abort();
        let _ = std::fs::remove_file(self.base.socket.with_file_name("control.sock"));
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

fn create_private_dir(dir: &std::path::Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(Error::io(format!("creating {}", dir.display())))
}

/// The lock beside the data-root, holding the supervisor's pid.
fn take_lock(config: &EngineConfig) -> Result<File, Error> {
    let path = config.paths.lock();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(Error::io(format!("creating {}", dir.display())))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(Error::io(format!("opening the lock {}", path.display())))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let pid = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            return Err(Error::AlreadySupervised {
                data_root: config.paths.data_root.clone(),
                pid,
            });
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(Error::io(format!("locking {}", path.display()))(e));
        }
    }
    file.set_len(0)
        .map_err(Error::io(format!("writing the lock {}", path.display())))?;
    writeln!(file, "{}", std::process::id())
        .map_err(Error::io(format!("writing the lock {}", path.display())))?;
    Ok(file)
}

/// What ended a running engine's watch.
enum Ended {
    Crashed(String),
    Command(Command),
    Abandoned,
}

/// The state machine. It decides; [`daemon`] executes.
async fn run(
    config: &EngineConfig,
    state: &watch::Sender<EngineState>,
    mut commands: mpsc::Receiver<Command>,
    exit_when_idle: bool,
) {
    let policy = &config.restart;
    let mut attempt: u32 = 0;
    let mut idle = false;
    loop {
        if idle {
            if exit_when_idle {
                return;
            }
            match commands.recv().await {
                Some(Command::Start | Command::Restart) => {
                    idle = false;
                    attempt = 0;
                }
                Some(Command::Stop) => continue,
                None => return,
            }
        }
        state.send_replace(EngineState::Starting);
        let failure = match daemon::launch(config).await {
            Ok(daemon) => match watch_running(config, state, daemon, &mut commands).await {
                (Ended::Crashed(reason), ran_for) => {
                    if ran_for >= STABLE_AFTER {
                        attempt = 0;
                    }
                    Some(reason)
                }
                (Ended::Command(Command::Restart), _) => {
                    attempt = 0;
                    None
                }
                (Ended::Command(_) | Ended::Abandoned, _) => {
                    state.send_replace(EngineState::Stopped);
                    idle = true;
                    None
                }
            },
            // A start can fail for passing reasons (another dockerd starting at the same moment
            // races it on the firewall chains): the restart policy covers it. Missing programs do not
            // get better by waiting.
            Err(err) if err.retryable => Some(err.reason),
            Err(err) => {
                tracing::error!(reason = %err.reason, "the engine failed to start");
                state.send_replace(EngineState::Failed {
                    reason: err.reason,
                    retry_in_ms: None,
                });
                idle = true;
                None
            }
        };
        let Some(reason) = failure else { continue };
        if !(policy.enabled && attempt < policy.max_attempts) {
            tracing::error!(%reason, attempt, "the engine failed; not restarting it");
            state.send_replace(EngineState::Failed {
                reason,
                retry_in_ms: None,
            });
            idle = true;
            continue;
        }
        let delay = policy.backoff(attempt);
        attempt += 1;
        tracing::warn!(%reason, attempt, delay_ms = delay.as_millis() as u64, "the engine failed; restarting");
        state.send_replace(EngineState::Failed {
            reason,
            retry_in_ms: Some(delay.as_millis() as u64),
        });
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            cmd = commands.recv() => match cmd {
                Some(Command::Start | Command::Restart) => attempt = 0,
                Some(Command::Stop) | None => {
                    state.send_replace(EngineState::Stopped);
                    idle = true;
                }
            }
        }
    }
}

/// Publishes `Running` and waits for a crash or a command; stops the engine for stop/restart.
async fn watch_running(
    config: &EngineConfig,
    state: &watch::Sender<EngineState>,
    mut daemon: Daemon,
    commands: &mut mpsc::Receiver<Command>,
) -> (Ended, Duration) {
    let started = Instant::now();
    state.send_replace(EngineState::Running {
        pid: daemon.pid,
        api_version: daemon.client.api_version().to_owned(),
    });
    tracing::info!(
        pid = daemon.pid,
        api = daemon.client.api_version(),
        "engine running"
    );
    let ended = loop {
        tokio::select! {
            reason = daemon.crashed(config) => break Ended::Crashed(reason),
            cmd = commands.recv() => match cmd {
                Some(Command::Start) => continue,
                Some(cmd) => break Ended::Command(cmd),
                None => break Ended::Abandoned,
            },
        }
    };
    if let Ended::Crashed(reason) = &ended {
        tracing::error!(%reason, "engine crashed");
        // Failed is published within the probe budget; the restart decision follows. A daemon
        // that stopped answering may still be alive: it is put down before any restart.
        state.send_replace(EngineState::Failed {
            reason: reason.clone(),
            retry_in_ms: None,
        });
        daemon.stop(config, HUNG_STOP_TIMEOUT).await;
    } else {
        state.send_replace(EngineState::Stopping);
        daemon.stop(config, config.stop_timeout).await;
    }
    (ended, started.elapsed())
}

/// The control socket: one request word per connection, answered with JSON status lines.
async fn serve(
    mut listener: Listener,
    state: watch::Receiver<EngineState>,
    commands: mpsc::Sender<Command>,
    base: Status,
) {
    loop {
        let Ok((read, write)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(answer(
            read,
            write,
            state.clone(),
            commands.clone(),
            base.clone(),
        ));
    }
}

async fn answer(
    read: Reader,
    mut write: Writer,
    mut state: watch::Receiver<EngineState>,
    commands: mpsc::Sender<Command>,
    base: Status,
) {
    let mut line = String::new();
    if BufReader::new(read).read_line(&mut line).await.is_err() {
        return;
    }
    let command = match line.trim() {
        "status" => None,
        "watch" => Some(None),
        "start" => Some(Some(Command::Start)),
        "stop" => Some(Some(Command::Stop)),
        "restart" => Some(Some(Command::Restart)),
        other => {
            let _ = write
                .write_all(format!("{{\"error\":\"unknown request {other:?}\"}}\n").as_bytes())
                .await;
            return;
        }
    };
    let send = |s: EngineState| {
        let mut text = serde_json::to_string(&Status {
            state: s,
            ..base.clone()
        })
        .expect("status serialises");
        text.push('\n');
        text
    };
    let current = state.borrow_and_update().clone();
    let settled = match command {
        None => {
            let _ = write.write_all(send(current).as_bytes()).await;
            return;
        }
        Some(None) => false,
        Some(Some(cmd)) => {
            let already = match cmd {
                Command::Start => matches!(current, EngineState::Running { .. }),
                Command::Stop => {
                    matches!(current, EngineState::Stopped) || current.is_final_failure()
                }
                Command::Restart => false,
            };
            if commands.send(cmd).await.is_err() {
                return;
            }
            already
        }
    };
    if (command == Some(None) || settled)
        && write.write_all(send(current).as_bytes()).await.is_err()
    {
        return;
    }
    while state.changed().await.is_ok() {
        let s = state.borrow_and_update().clone();
        if write.write_all(send(s).as_bytes()).await.is_err() {
            return;
        }
    }
}
