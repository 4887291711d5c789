//! The tray's socket (see `berth_api::desktop`): one request line per connection from the
//! window (`attach`), a second launch (`open`, `ping`) or the window starting the engine
//! (`engine-start`, which `berth-tray --start-engine` forwards here when a tray runs).

use std::path::Path;
use std::sync::Arc;

use berth_api::Berth;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};

use crate::menu::Action;

/// Serves the socket until the task is aborted; `quitting` turning true tells every attached
/// window to quit. Each client's task holds a clone of `alive`, so its receiver ends when the
/// last one has been answered.
pub async fn serve(
    listener: UnixListener,
    berth: Arc<Berth>,
    actions: mpsc::UnboundedSender<Action>,
    quitting: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let berth = berth.clone();
        let actions = actions.clone();
        let quitting = quitting.clone();
        let alive = alive.clone();
        tokio::spawn(async move {
            let _alive = alive;
            if let Err(e) = answer(stream, &berth, &actions, quitting).await {
                tracing::debug!(%e, "a tray client went away");
            }
        });
    }
}

async fn answer(
    stream: UnixStream,
    berth: &Berth,
    actions: &mpsc::UnboundedSender<Action>,
    mut quitting: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut line = String::new();
    read.read_line(&mut line).await?;
    let request = line.trim();
    let reply = match (request, open_request_view(request)) {
        (_, Some(view)) => {
            let _ = actions.send(Action::OpenDashboard(view.map(str::to_owned)));
            "ok".to_owned()
        }
        ("ping", _) => "ok".to_owned(),
        ("engine-start", _) => match berth.engine_start().await {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("error {}", e.message.replace('\n', " ")),
        },
        ("attach", _) => {
            tracing::info!("a window attached");
            // Until the tray quits, or the window goes away (its end of the socket closes).
            let mut rest = String::new();
            tokio::select! {
                _ = quitting.wait_for(|q| *q) => {}
                _ = read.read_line(&mut rest) => return Ok(()),
            }
            "quit".to_owned()
        }
        (other, _) => format!("error unknown request {other:?}"),
    };
    write.write_all(format!("{reply}\n").as_bytes()).await?;
    write.shutdown().await
}

/// The request that asks the running tray for the window, on `view` when one is named.
pub fn open_request(view: Option<&str>) -> String {
    match view {
        Some(view) => format!("open {view}"),
        None => "open".to_owned(),
    }
}

/// What an [`open_request`] asks for: `Some(view)` when `line` is one.
fn open_request_view(line: &str) -> Option<Option<&str>> {
    match line.strip_prefix("open") {
        Some("") => Some(None),
        Some(rest) => rest.strip_prefix(' ').map(|view| Some(view.trim())),
        None => None,
    }
}

/// Binds the socket at `path`, replacing one that no tray answers on (left by a tray that was
/// killed). The caller holds the tray's lock, so no other tray binds it meanwhile.
pub fn bind(path: &Path) -> std::io::Result<UnixListener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let _ = std::fs::remove_file(path);
    UnixListener::bind(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_request_carries_the_view() {
        for view in [None, Some("volumes"), Some("containers?scroll-bench")] {
            let line = open_request(view);
            assert_eq!(open_request_view(&line), Some(view), "{line}");
        }
        assert_eq!(open_request_view("opening"), None);
        assert_eq!(open_request_view("ping"), None);
    }
}
