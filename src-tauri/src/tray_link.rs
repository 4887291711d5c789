//! The window's link to the tray (`berth-tray`, see `berth_api::desktop`). Before the window is
//! made, [`claim`] attaches to the tray, starting it when none runs; when another window is
//! attached already, the tray shows that one and this process ends, so there is one window per
//! tray whatever session bus, display or shell a launch comes from. Then [`Link::follow`] shows
//! the window when the tray asks (Open dashboard, a second launch) and quits when the tray
//! quits. A tray that went away without saying so (it crashed) is started again, up to three
//! times. The window closing lets go of the tray at once ([`Detach`]), so that the tray starts a
//! new window for the next Open rather than asking one that is ending.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use berth_api::desktop::{self, TRAY_EXE};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;

use crate::window;

const STARTS: usize = 3;

/// What attaching to the tray came to.
pub enum Claim {
    /// This is the window: it follows the tray through the link.
    Attached(Link),
    /// Another window is attached and was shown; this process ends.
    Shown,
    /// No tray could be started (logged): the window runs on its own.
    Alone,
}

/// This window's connection to the tray.
pub struct Link {
    socket: PathBuf,
    read: BufReader<OwnedReadHalf>,
    /// Held while attached: shut, it tells the tray this window went away.
    write: OwnedWriteHalf,
    starts: usize,
}

/// Told once the window is gone (see [`Link::follow`]).
pub struct Detach(pub watch::Sender<bool>);

/// Attaches to the tray at `socket` as the window opening on `view`, starting the tray when
/// none answers.
pub async fn claim(socket: &Path, view: Option<&str>) -> Claim {
    claim_within(socket, view, &mut 0).await
}

/// [`claim`], with `starts` trays started so far (of [`STARTS`]).
async fn claim_within(socket: &Path, view: Option<&str>, starts: &mut usize) -> Claim {
    loop {
        match attach(socket, view).await {
            Some((answer, read, write)) if answer == "attached" => {
                return Claim::Attached(Link {
                    socket: socket.to_owned(),
                    read,
                    write,
                    starts: *starts,
                });
            }
            Some((answer, ..)) if answer == "shown" => return Claim::Shown,
            Some((answer, ..)) => {
                tracing::error!(%answer, "the tray would not attach the window");
                return Claim::Alone;
            }
            None if *starts == STARTS => {
                tracing::error!("the tray does not stay up; see tray.*.log beside the app's log");
                return Claim::Alone;
            }
            None => {}
        }
        *starts += 1;
        if let Err(e) = start_tray().await {
            tracing::error!(%e, "cannot start the tray");
            return Claim::Alone;
        }
    }
}

/// Sends `attach [VIEW]` and reads the tray's first answer.
async fn attach(
    socket: &Path,
    view: Option<&str>,
) -> Option<(String, BufReader<OwnedReadHalf>, OwnedWriteHalf)> {
    let stream = UnixStream::connect(socket).await.ok()?;
    let (read, mut write) = stream.into_split();
    let request = format!("{}\n", desktop::view_line("attach", view));
    write.write_all(request.as_bytes()).await.ok()?;
    let mut read = BufReader::new(read);
    let mut line = String::new();
    match read.read_line(&mut line).await {
        Ok(n) if n > 0 => Some((line.trim_end().to_owned(), read, write)),
        _ => None,
    }
}

impl Link {
    /// Shows the window each time the tray says `show [VIEW]`, and quits when it says `quit`,
    /// until `detach` says the window is gone. A tray that went away is attached again (and
    /// started again, up to three times in all).
    pub async fn follow(mut self, handle: tauri::AppHandle, mut detach: watch::Receiver<bool>) {
        loop {
            let mut line = String::new();
            let read = tokio::select! {
                // (The guard `wait_for` returns is not held across the shutdown.)
                _ = async { drop(detach.wait_for(|gone| *gone).await) } => {
                    let _ = self.write.shutdown().await;
                    return;
                }
                read = self.read.read_line(&mut line) => read,
            };
            match (read, line.trim_end()) {
                (Ok(0), _) => {}
                (Ok(_), "quit") => {
                    tracing::info!("the tray quit; so does the window");
                    handle.exit(0);
                    return;
                }
                (Ok(_), line) if let Some(view) = desktop::line_view("show", line) => {
                    window::show(&handle, view);
                    continue;
                }
                (Ok(_), other) => {
                    tracing::warn!(line = other, "the tray said what the window does not know");
                    continue;
                }
                (Err(e), _) => tracing::warn!(%e, "cannot read from the tray"),
            }
            tracing::warn!("the tray went away");
            match claim_within(&self.socket, None, &mut self.starts).await {
                Claim::Attached(link) => {
                    self.read = link.read;
                    self.write = link.write;
                }
                Claim::Shown => {
                    tracing::info!("another window is attached to the tray; this one ends");
                    handle.exit(0);
                    return;
                }
                Claim::Alone => return,
            }
        }
    }
}

/// Starts `berth-tray` (beside this executable) detached from this process, and waits until it
/// says it listens.
async fn start_tray() -> Result<(), String> {
    let exe = desktop::sibling_exe(TRAY_EXE);
    let mut child = tokio::process::Command::new(&exe)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("{}: {e}", exe.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    let ready = tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await;
    // Reaped when it ends (the window usually ends first).
    tokio::spawn(async move { child.wait().await });
    match ready {
        Ok(Ok(n)) if n > 0 => {
            tracing::info!(exe = %exe.display(), "started the tray");
            Ok(())
        }
        Ok(_) => Err(format!("{} ended at once; see its log", exe.display())),
        Err(_) => Err(format!("{} did not answer in 30 s", exe.display())),
    }
}
