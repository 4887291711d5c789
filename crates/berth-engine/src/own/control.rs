//! Talking to a supervisor from another process, and starting a detached one.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};

use super::channel::{self, Reader, Writer};
use super::{EngineState, Paths, Status};
use crate::Error;

#[cfg(windows)]
const DETACHED_PROCESS: u32 = 0x0000_0008;
#[cfg(windows)]
const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;

/// The status lines a supervisor sends after one request.
pub struct Updates {
    lines: Lines<BufReader<Reader>>,
    _write: Writer,
}

impl Updates {
    /// The next status, or `None` once the supervisor has ended.
    pub async fn next(&mut self) -> Result<Option<Status>, Error> {
        match self.lines.next_line().await {
            Ok(Some(line)) => serde_json::from_str(&line)
                .map(Some)
                .map_err(|e| Error::Failed {
                    reason: format!("the supervisor answered {line:?}: {e}"),
                }),
            Ok(None) => Ok(None),
            Err(e) => Err(Error::io("reading from the engine supervisor")(e)),
        }
    }

    /// Reads until a status satisfies `done`, the supervisor ends, or `timeout` passes.
    pub async fn until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&EngineState) -> bool,
    ) -> Result<Option<Status>, Error> {
        let mut last = None;
        let wait = async {
            while let Some(status) = self.next().await? {
                let stop = done(&status.state);
                last = Some(status);
                if stop {
                    break;
                }
            }
            Ok::<_, Error>(())
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(res) => res.map(|()| last),
            Err(_) => Err(Error::Timeout {
                what: "waiting for Berth's engine".into(),
                secs: timeout.as_secs(),
            }),
        }
    }
}

/// Sends one request (`status`, `watch`, `start`, `stop`, `restart`). `NotRunning` when no
/// supervisor listens (none started, or a stale socket from a crashed one).
pub async fn request(paths: &Paths, what: &str) -> Result<Updates, Error> {
    let path = paths.control();
    let (read, mut write) = match channel::connect(&path).await {
        Ok(halves) => halves,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Err(Error::NotRunning);
        }
        Err(e) => return Err(Error::io(format!("connecting to {}", path.display()))(e)),
    };
    write
        .write_all(format!("{what}\n").as_bytes())
        .await
        .map_err(Error::io("talking to the engine supervisor"))?;
    Ok(Updates {
        lines: BufReader::new(read).lines(),
        _write: write,
    })
}

/// The supervisor's status, or `None` when Berth's engine is not supervised by anyone.
pub async fn status(paths: &Paths) -> Result<Option<Status>, Error> {
    let ask = async {
        match request(paths, "status").await {
            Ok(mut updates) => updates.next().await,
            Err(Error::NotRunning) => Ok(None),
            Err(e) => Err(e),
        }
    };
    tokio::time::timeout(STATUS_TIMEOUT, ask).await.unwrap_or_else(|_| {
        Err(Error::Failed {
            reason: format!(
                "the engine supervisor does not answer on {} (see `berth engine logs`; the process in {} holds it)",
                paths.control().display(),
                paths.lock().display()
            ),
        })
    })
}

/// How long a supervisor gets to answer `status`.
const STATUS_TIMEOUT: Duration = Duration::from_secs(3);

fn settled_running(s: &EngineState) -> bool {
    matches!(s, EngineState::Running { .. }) || s.is_final_failure()
}

fn settled_stopped(s: &EngineState) -> bool {
    matches!(s, EngineState::Stopped) || s.is_final_failure()
}

/// Turns a final status into the caller's result.
fn outcome(status: Option<Status>) -> Result<Status, Error> {
    match status {
        Some(Status {
            state: EngineState::Failed { reason, .. },
            ..
        }) => Err(Error::Failed { reason }),
        Some(status) => Ok(status),
        None => Err(Error::Failed {
            reason: "the supervisor ended without a word; see the engine log".into(),
        }),
    }
}

/// Asks the supervisor to start (or restart) the engine and waits until it runs.
pub async fn start(paths: &Paths, what: &str, timeout: Duration) -> Result<Status, Error> {
    let mut updates = request(paths, what).await?;
    outcome(updates.until(timeout, settled_running).await?)
}

/// Asks the supervisor to stop the engine and waits until it has.
pub async fn stop(paths: &Paths, timeout: Duration) -> Result<(), Error> {
    let mut updates = request(paths, "stop").await?;
    match updates.until(timeout, settled_stopped).await? {
        // A detached supervisor exits once stopped: the closed socket is the answer.
        None
        | Some(Status {
            state: EngineState::Stopped,
            ..
        }) => Ok(()),
        other => outcome(other).map(drop),
    }
}

/// The status the last supervisor left when it ended, if any.
pub fn last_status(paths: &Paths) -> Option<Status> {
    serde_json::from_slice(&std::fs::read(paths.last_status()).ok()?).ok()
}

/// Starts `exe args…` as a detached supervisor (its own process group, output to `log`) and
/// waits until the engine runs or fails.
pub async fn spawn_detached(
    paths: &Paths,
    exe: &Path,
    args: &[&str],
    log: &Path,
    timeout: Duration,
) -> Result<Status, Error> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).map_err(Error::io(format!("creating {}", dir.display())))?;
    }
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(Error::io(format!("opening {}", log.display())))?;
    let err = out
        .try_clone()
        .map_err(Error::io(format!("opening {}", log.display())))?;
    let _ = std::fs::remove_file(paths.last_status());
    let mut cmd = tokio::process::Command::new(exe);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(false);
    // Detached from the caller's terminal and its signals.
    #[cfg(unix)]
    cmd.process_group(0);
    #[cfg(windows)]
    cmd.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
    let mut child = cmd
        .spawn()
        .map_err(Error::io(format!("starting {}", exe.display())))?;
    let deadline = Instant::now() + timeout;
    loop {
        match request(paths, "watch").await {
            Ok(mut updates) => return outcome(updates.until(timeout, settled_running).await?),
            Err(Error::NotRunning) => {}
            Err(e) => return Err(e),
        }
        if let Ok(Some(code)) = child.try_wait() {
            // It ended before we could listen; the status it left says why (the file was
            // removed before it started, so any found is its own).
            if let Some(last) = last_status(paths) {
                return outcome(Some(last));
            }
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let line = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no output");
            return Err(Error::Failed {
                reason: format!("the engine supervisor exited ({code}): {}", line.trim()),
            });
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                what: "starting Berth's engine".into(),
                secs: timeout.as_secs(),
            });
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
