//! The tray's socket (see `berth_api::desktop`): one request line per connection from the
//! window (`attach`), a second launch (`open`, `ping`) or the window starting the engine
//! (`engine-start`, which `berth-tray --start-engine` forwards here when a tray runs). One window
//! per tray ([`Attached`]): `open`, and a second window attaching, show the attached one.

use std::path::Path;
use std::sync::{Arc, Mutex};

use berth_api::Berth;
use berth_api::desktop::{line_view, view_line};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};

use crate::menu::Action;

/// The window attached to this tray, if any: its connection's task is handed the views to show.
/// Held by one window at a time, so a second window (a second launch, from any session) shows
/// the first rather than opening beside it.
#[derive(Default)]
pub struct Attached {
    window: Mutex<Option<Window>>,
}

struct Window {
    /// Tells the window apart from one that attached after it.
    id: u64,
    show: mpsc::UnboundedSender<Option<String>>,
}

impl Attached {
    /// Asks the attached window to show itself, on `view` when one is named; false when no
    /// window is attached (then the caller starts one).
    pub fn show(&self, view: Option<&str>) -> bool {
        let window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        window
            .as_ref()
            .is_some_and(|w| w.show.send(view.map(str::to_owned)).is_ok())
    }

    /// Makes `id` the attached window, unless another one is.
    fn claim(&self, id: u64) -> Option<mpsc::UnboundedReceiver<Option<String>>> {
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if window.as_ref().is_some_and(|w| !w.show.is_closed()) {
            return None;
        }
        let (show, shown) = mpsc::unbounded_channel();
        *window = Some(Window { id, show });
        Some(shown)
    }

    /// `id` went away (if it is still the attached window).
    fn release(&self, id: u64) {
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if window.as_ref().is_some_and(|w| w.id == id) {
            *window = None;
        }
    }
}

/// Serves the socket until the task is aborted; `quitting` turning true tells every attached
/// window to quit. Each client's task holds a clone of `alive`, so its receiver ends when the
/// last one has been answered.
pub async fn serve(
    listener: UnixListener,
    berth: Arc<Berth>,
    actions: mpsc::UnboundedSender<Action>,
    attached: Arc<Attached>,
    quitting: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
) {
    let mut clients = 0u64;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        clients += 1;
        let client = Client {
            id: clients,
            berth: berth.clone(),
            actions: actions.clone(),
            attached: attached.clone(),
        };
        let quitting = quitting.clone();
        let alive = alive.clone();
        tokio::spawn(async move {
            let _alive = alive;
            if let Err(e) = client.answer(stream, quitting).await {
                tracing::debug!(%e, "a tray client went away");
            }
        });
    }
}

/// One connection to the socket.
struct Client {
    id: u64,
    berth: Arc<Berth>,
    actions: mpsc::UnboundedSender<Action>,
    attached: Arc<Attached>,
}

impl Client {
    async fn answer(
        self,
        stream: UnixStream,
        quitting: watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        let mut line = String::new();
        read.read_line(&mut line).await?;
        let request = line.trim();
        let reply = match (
            request,
            line_view("open", request),
            line_view("attach", request),
        ) {
            (_, Some(view), _) => {
                let _ = self
                    .actions
                    .send(Action::OpenDashboard(view.map(str::to_owned)));
                "ok".to_owned()
            }
            (_, _, Some(view)) => match self.attached.claim(self.id) {
                Some(shown) => {
                    let attached = window(&self.actions, read, &mut write, shown, quitting).await;
                    self.attached.release(self.id);
                    return attached;
                }
                // Another window is attached: it shows itself instead.
                None => {
                    self.attached.show(view);
                    tracing::info!(?view, "a second window: the attached one shows itself");
                    "shown".to_owned()
                }
            },
            ("ping", _, _) => "ok".to_owned(),
            ("engine-start", _, _) => match self.berth.engine_start().await {
                Ok(_) => "ok".to_owned(),
                Err(e) => format!("error {}", e.message.replace('\n', " ")),
            },
            (other, _, _) => format!("error unknown request {other:?}"),
        };
        write.write_all(format!("{reply}\n").as_bytes()).await?;
        write.shutdown().await
    }
}

/// The attached window's connection: `attached`, then `show [VIEW]` for each view it is asked
/// to show, and `quit` when the tray quits; until then, or until the window goes away (its end
/// of the socket closes, which it does as its window closes). A view it was asked to show as it
/// went away, before this task saw it go, opens a new window on it ([`reopen`]).
async fn window(
    actions: &mpsc::UnboundedSender<Action>,
    mut read: BufReader<tokio::net::unix::OwnedReadHalf>,
    write: &mut tokio::net::unix::OwnedWriteHalf,
    mut shown: mpsc::UnboundedReceiver<Option<String>>,
    mut quitting: watch::Receiver<bool>,
) -> std::io::Result<()> {
    tracing::info!("a window attached");
    write.write_all(b"attached\n").await?;
    let mut rest = String::new();
    loop {
        tokio::select! {
            // (The guard `wait_for` returns is not held across the writes below.)
            _ = async { drop(quitting.wait_for(|q| *q).await) } => break,
            _ = read.read_line(&mut rest) => {
                tracing::info!("the window went away");
                reopen(actions, None, shown);
                return Ok(());
            }
            Some(view) = shown.recv() => {
                let line = format!("{}\n", view_line("show", view.as_deref()));
                if let Err(e) = write.write_all(line.as_bytes()).await {
                    tracing::info!(%e, "the window went away as it was asked to show itself");
                    reopen(actions, Some(view), shown);
                    return Ok(());
                }
            }
        }
    }
    write.write_all(b"quit\n").await?;
    write.shutdown().await
}

/// A window gone: no more is asked of it (the tray starts a new one for the next Open), and
/// the last view it was asked for and did not show (`missed`, or one still waiting) opens a new
/// window. (Closing the window and choosing Open dashboard at once asked the closing window.)
fn reopen(
    actions: &mpsc::UnboundedSender<Action>,
    missed: Option<Option<String>>,
    mut shown: mpsc::UnboundedReceiver<Option<String>>,
) {
    shown.close();
    let mut last = missed;
    while let Ok(view) = shown.try_recv() {
        last = Some(view);
    }
    if let Some(view) = last {
        tracing::info!(
            ?view,
            "a new window for what the one gone was asked to show"
        );
        let _ = actions.send(Action::OpenDashboard(view));
    }
}

/// The request that asks the running tray for the window, on `view` when one is named.
pub fn open_request(view: Option<&str>) -> String {
    view_line("open", view)
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
            assert_eq!(line_view("open", &line), Some(view), "{line}");
            let line = view_line("show", view);
            assert_eq!(line_view("show", &line), Some(view), "{line}");
        }
        assert_eq!(line_view("open", "opening"), None);
        assert_eq!(line_view("open", "ping"), None);
        assert_eq!(line_view("attach", "attach"), Some(None));
    }

    #[tokio::test]
    async fn a_show_the_window_missed_as_it_went_away_opens_a_new_one() {
        let attached = Arc::new(Attached::default());
        let shown = attached.claim(1).unwrap();
        let (tray_end, window_end) = UnixStream::pair().unwrap();
        let (actions, mut asked) = mpsc::unbounded_channel();
        let (_quit, quitting) = watch::channel(false);
        let task = tokio::spawn(async move {
            let (read, mut write) = tray_end.into_split();
            window(&actions, BufReader::new(read), &mut write, shown, quitting).await
        });
        let mut window_end = BufReader::new(window_end);
        let mut line = String::new();
        window_end.read_line(&mut line).await.unwrap();
        assert_eq!(line, "attached\n");
        // The window goes away and, before the tray's task has run again, Open dashboard asks
        // it (this runtime has one thread: the task runs only at the next await).
        drop(window_end);
        assert!(attached.show(Some("containers")));
        task.await.unwrap().unwrap();
        assert_eq!(
            asked.try_recv().ok(),
            Some(Action::OpenDashboard(Some("containers".to_owned())))
        );
        assert!(
            !attached.show(None),
            "nothing more is asked of the window gone"
        );
        // A window that goes away with nothing asked of it opens none.
        let shown = attached.claim(2).unwrap();
        let (tray_end, window_end) = UnixStream::pair().unwrap();
        let (actions, mut asked) = mpsc::unbounded_channel();
        let (_quit, quitting) = watch::channel(false);
        drop(window_end);
        let (read, mut write) = tray_end.into_split();
        let _ = window(&actions, BufReader::new(read), &mut write, shown, quitting).await;
        assert!(asked.try_recv().is_err());
    }

    #[test]
    fn one_window_is_attached_at_a_time() {
        let attached = Attached::default();
        assert!(!attached.show(None), "no window yet");
        let mut first = attached.claim(1).expect("the first window attaches");
        assert!(attached.claim(2).is_none(), "a second one does not");
        assert!(attached.show(Some("volumes")));
        assert_eq!(first.try_recv().ok(), Some(Some("volumes".to_owned())));
        // A window that went away but is not released yet (its task ending) gives way too.
        drop(first);
        let _second = attached.claim(2).expect("the slot of a window gone");
        attached.release(1);
        assert!(
            attached.claim(3).is_none(),
            "releasing a window gone keeps the new one"
        );
        attached.release(2);
        assert!(attached.claim(3).is_some());
    }
}
