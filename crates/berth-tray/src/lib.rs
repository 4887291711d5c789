//! Berth's tray, a process of its own that does not link WebKit, so an idle Berth (window
//! closed) costs a few megabytes: the tray icon and menu ([`menu`]), the desktop notifications
//! for containers and the engine ([`news`]), and Berth's own engine, started when none answers
//! and supervised in this process (it stops when the tray quits). The window, `berth-app`,
//! attaches to it through its socket ([`link`]) and ends when it quits. One tray per session: a
//! second launch hands its request to the first and exits.
//!
//! Linux only for now (StatusNotifierItem over D-Bus); see docs/architecture.md for macOS and
//! Windows.

#[cfg(target_os = "linux")]
mod link;
#[cfg(target_os = "linux")]
mod menu;
#[cfg(target_os = "linux")]
mod news;

use std::process::ExitCode;

use clap::Parser;

/// `berth-tray`: what the desktop entry's start at login and the window run.
#[derive(Parser, Debug)]
#[command(
    name = "berth-tray",
    version,
    about = "Berth's tray: its menu, its notifications and Berth's engine"
)]
struct Args {
    /// Open the dashboard too.
    #[arg(long)]
    open: bool,
    /// Started at login: open the dashboard too, unless the "start minimised" setting is on.
    #[arg(long)]
    login: bool,
    /// Start Berth's engine now (through the running tray, when there is one).
    #[arg(long)]
    start_engine: bool,
    /// The view the window opens on, when this tray starts it (the benchmarks open the
    /// container list).
    #[arg(long, value_name = "NAME")]
    view: Option<String>,
}

/// Runs the tray until it quits (Quit in its menu, SIGTERM, SIGINT).
pub fn run() -> ExitCode {
    let args = Args::parse();
    #[cfg(target_os = "linux")]
    {
        linux::run(args)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = args;
        eprintln!("berth-tray: the tray runs on Linux only for now; start berth-app");
        ExitCode::FAILURE
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::process::{ExitCode, Stdio};
    use std::sync::Arc;
    use std::time::Duration;

    use berth_api::desktop::{self, APP_EXE};
    use berth_api::wire::{ContainerRow, EngineView};
    use berth_api::{Berth, EngineChange, Launch, Target};
    use ksni::TrayMethods;
    use tokio::sync::{mpsc, watch};

    use super::Args;
    use crate::menu::{Action, Menu};
    use crate::{link, news};

    pub fn run(args: Args) -> ExitCode {
        let berth = match Berth::load(Launch::InProcess, Target::Discover) {
            Ok(berth) => Arc::new(berth),
            Err(e) => {
                eprintln!("berth-tray: {e}");
                return ExitCode::FAILURE;
            }
        };
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("berth-tray: cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        runtime.block_on(tray(args, berth))
    }

    async fn tray(args: Args, berth: Arc<Berth>) -> ExitCode {
        let open =
            !args.start_engine && (args.open || (args.login && !berth.settings().start_minimised));
        let request = if args.start_engine {
            "engine-start".to_owned()
        } else if open {
            link::open_request(args.view.as_deref())
        } else {
            "ping".to_owned()
        };
        let _lock = match lock_or_hand_over(&berth, &request).await {
            Ok(lock) => lock,
            Err(code) => return code,
        };
        let _log = desktop::init_logging(&berth.app_log_dir(), "tray");
        // From here on SIGTERM and SIGINT quit the tray the normal way (socket and pidfile
        // removed, windows told, the engine stopped).
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return ExitCode::FAILURE;
        };
        let socket = berth.tray_socket();
        let listener = match link::bind(&socket) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("berth-tray: cannot listen on {}: {e}", socket.display());
                return ExitCode::FAILURE;
            }
        };
        // Whoever started this tray waits for this line (the window does).
        println!("berth-tray: ready");
        tracing::info!(pid = std::process::id(), "the tray runs");
        // The window first (it attaches to the socket bound above): what is left here to set up
        // runs beside its start.
        if open {
            open_dashboard(args.view.as_deref());
        }

        let (actions, mut chosen) = mpsc::unbounded_channel();
        let menu = Menu {
            view: None,
            running: Vec::new(),
            actions: actions.clone(),
        };
        let icon = match menu.assume_sni_available(true).spawn().await {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::warn!(%e, "no tray icon (no session bus?)");
                None
            }
        };
        let (quitting, quit_seen) = watch::channel(false);
        let (alive, mut clients_gone) = mpsc::channel::<()>(1);
        let attached = Arc::new(link::Attached::default());
        let server = tokio::spawn(link::serve(
            listener,
            berth.clone(),
            actions.clone(),
            attached.clone(),
            quit_seen,
            alive,
        ));
        let (shown, to_show) = mpsc::unbounded_channel();
        tokio::spawn(show(icon.clone(), to_show));
        tokio::spawn(follow_engine(berth.clone(), shown.clone()));
        tokio::spawn(follow_containers(berth.clone(), shown));
        tokio::spawn(start_engine(berth.clone(), args.start_engine));

        loop {
            tokio::select! {
                Some(action) = chosen.recv() => {
                    if action == Action::Quit {
                        break;
                    }
                    act(&berth, &attached, action);
                }
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        tracing::info!("quitting");
        // Windows first (they quit), then the engine this tray started, then the icon.
        let _ = quitting.send(true);
        server.abort();
        let _ = tokio::time::timeout(Duration::from_secs(5), clients_gone.recv()).await;
        berth.shutdown().await;
        if let Some(icon) = icon {
            icon.shutdown().await;
        }
        let _ = std::fs::remove_file(&socket);
        let _ = std::fs::remove_file(berth.tray_pidfile());
        ExitCode::SUCCESS
    }

    /// Takes the tray's lock (the pidfile, holding this pid), or `None` when another tray holds
    /// it.
    fn lock(path: &std::path::Path) -> Option<nix::fcntl::Flock<std::fs::File>> {
        use std::io::Write;
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .ok()?;
        let mut lock =
            nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).ok()?;
        let _ = lock.set_len(0);
        let _ = write!(lock, "{}", std::process::id());
        Some(lock)
    }

    /// Takes the tray's lock; or, when another tray runs, gives it `request` and reports its
    /// answer (`Err` with the exit code). A tray that holds the lock without answering is
    /// starting (not yet listening) or quitting (stopping its engine, which can take a while):
    /// asks again, and takes the lock once it is free, for up to 30 s.
    async fn lock_or_hand_over(
        berth: &Berth,
        request: &str,
    ) -> Result<nix::fcntl::Flock<std::fs::File>, ExitCode> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(lock) = lock(&berth.tray_pidfile()) {
                return Ok(lock);
            }
            match desktop::ask_tray(&berth.tray_socket(), request).await {
                Some(answer) if answer == "ok" => return Err(ExitCode::SUCCESS),
                Some(answer) => {
                    let message = answer.strip_prefix("error ").unwrap_or(&answer);
                    eprintln!("berth-tray: {message}");
                    return Err(ExitCode::FAILURE);
                }
                None if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                None => {
                    eprintln!(
                        "berth-tray: another tray holds {} but has not answered on {} for 30 s; end it (kill $(cat {})) and start again",
                        berth.tray_pidfile().display(),
                        berth.tray_socket().display(),
                        berth.tray_pidfile().display()
                    );
                    return Err(ExitCode::FAILURE);
                }
            }
        }
    }

    /// What the tray shows changed.
    enum Shown {
        Engine(Box<EngineView>),
        Running(Vec<ContainerRow>),
    }

    /// Applies what changed to the tray, in order.
    async fn show(icon: Option<ksni::Handle<Menu>>, mut changes: mpsc::UnboundedReceiver<Shown>) {
        while let Some(change) = changes.recv().await {
            let Some(icon) = &icon else { continue };
            icon.update(|menu| match change {
                Shown::Engine(view) => menu.view = Some(*view),
                Shown::Running(rows) => menu.running = rows,
            })
            .await;
        }
    }

    /// Berth's engine and the engine in use, to the menu; news of it, to the notifications.
    async fn follow_engine(berth: Arc<Berth>, shown: mpsc::UnboundedSender<Shown>) {
        let mut seen = String::new();
        berth
            .follow_engine(|own, view| {
                if let Some(own) = own {
                    if let Some(text) = news::engine_news(&seen, own) {
                        news::show(&berth, &text);
                    }
                    seen = own.state.clone();
                }
                let _ = shown.send(Shown::Engine(Box::new(view)));
            })
            .await;
    }

    /// The running containers, to the menu; their deaths and health, to the notifications.
    async fn follow_containers(berth: Arc<Berth>, shown: mpsc::UnboundedSender<Shown>) {
        let expected = news::Expected::default();
        // The list as the events say it (an engine's list can lag behind them).
        let mut list = berth_api::container_list::ContainerList::default();
        berth
            .follow_changes(|change| match change {
                EngineChange::Burst(events) => {
                    // A state the events say shows at once; the engine's list follows.
                    let patched = list.burst(events);
                    if !patched.told.is_empty() {
                        let _ = shown.send(Shown::Running(running(&patched.rows)));
                    }
                    for event in events {
                        if let Some(text) = news::container_news(&expected, event) {
                            news::show(&berth, &text);
                        }
                    }
                }
                EngineChange::Listed(rows) => {
                    let _ = shown.send(Shown::Running(running(list.listed(rows))));
                }
                EngineChange::Images(_) | EngineChange::Networks(_) | EngineChange::Volumes(_) => {}
            })
            .await;
    }

    /// The running containers of a list, for the menu.
    fn running(rows: &[ContainerRow]) -> Vec<ContainerRow> {
        rows.iter()
            .filter(|r| r.state == "running")
            .cloned()
            .collect()
    }

    /// Starts Berth's engine: now when asked (`--start-engine`), or when no engine answers
    /// and the settings allow it (the facade's [`Berth::connect_or_start`] decides).
    async fn start_engine(berth: Arc<Berth>, now: bool) {
        let result = if now {
            berth.engine_start().await.map(drop)
        } else {
            berth.connect_or_start(|_| {}).await.map(|conn| {
                let host = &conn.candidate.endpoint.host;
                tracing::info!(%host, "using an engine that answers");
            })
        };
        if let Err(e) = result {
            tracing::warn!(%e, "no engine in use");
        }
    }

    /// Does what a menu item asks; the engine's events show the outcome. The dashboard is the
    /// attached window, shown, or a window started when none is attached.
    fn act(berth: &Arc<Berth>, attached: &link::Attached, action: Action) {
        match action {
            Action::OpenDashboard(view) => {
                if attached.show(view.as_deref()) {
                    tracing::info!(?view, "the attached window shows itself");
                } else {
                    open_dashboard(view.as_deref());
                }
            }
            Action::OpenUrl(url) => {
                if let Err(e) = desktop::open_url(&url) {
                    tracing::error!(%e, "cannot open the browser");
                }
            }
            action => {
                let berth = berth.clone();
                tokio::spawn(async move {
                    let result = match &action {
                        Action::EngineStart => berth.engine_start().await.map(drop),
                        Action::EngineStop => berth.engine_stop().await.map(drop),
                        Action::EngineRestart => berth.engine_restart().await.map(drop),
                        Action::ContainerStop(id) => container(&berth, id, "stop").await,
                        Action::ContainerRestart(id) => container(&berth, id, "restart").await,
                        Action::OpenDashboard(_) | Action::OpenUrl(_) | Action::Quit => Ok(()),
                    };
                    if let Err(e) = result {
                        tracing::error!(%e, ?action, "an action from the tray failed");
                    }
                });
            }
        }
    }

    /// Stops or restarts a container of the engine in use.
    async fn container(berth: &Berth, id: &str, verb: &str) -> Result<(), berth_api::ApiError> {
        let conn = berth.current().await?;
        berth.container_action(&conn, id, verb).await
    }

    /// Starts the window (`berth-app` beside this executable) on `view`, with the window's
    /// environment; should a window attach first, it shows that one instead (see [`link`]).
    fn open_dashboard(view: Option<&str>) {
        use std::os::unix::process::CommandExt;
        let mut cmd = desktop::window_command(view);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        match tokio::process::Command::from(cmd).spawn() {
            Ok(mut child) => {
                tokio::spawn(async move { child.wait().await });
            }
            Err(e) => tracing::error!(%e, app = APP_EXE, "cannot open the dashboard"),
        }
    }
}
