//! The tray menu: a line with the engine's state, Start / Stop / Restart engine (driving the
//! supervisor through the facade), the running containers (each with Stop, Restart and Open in
//! browser for its published ports, kept current by [`crate::containers`]), Open dashboard,
//! Quit; the icon follows the engine's state.

use std::sync::Arc;

use berth_api::wire::ContainerRow;
use berth_api::wire::EngineView;
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager};

use crate::App;

pub const START: &str = "engine-start";
pub const STOP: &str = "engine-stop";
pub const RESTART: &str = "engine-restart";
pub const OPEN: &str = "open-dashboard";
pub const QUIT: &str = "quit";
const CONTAINER_STOP: &str = "container-stop:";
const CONTAINER_RESTART: &str = "container-restart:";
const OPEN_URL: &str = "open-url:";

/// The tray and the menu items that change with the engine.
pub struct Tray {
    icon: TrayIcon,
    status: MenuItem<tauri::Wry>,
    start: MenuItem<tauri::Wry>,
    stop: MenuItem<tauri::Wry>,
    restart: MenuItem<tauri::Wry>,
    containers: Submenu<tauri::Wry>,
}

fn icon_for(state: &str) -> tauri::Result<Image<'static>> {
    let bytes: &[u8] = match state {
        "running" => include_bytes!("../../icons/tray-running.png"),
        "starting" | "stopping" => include_bytes!("../../icons/tray-busy.png"),
        "failed" => include_bytes!("../../icons/tray-failed.png"),
        _ => include_bytes!("../../icons/tray-stopped.png"),
    };
    Image::from_bytes(bytes)
}

/// Shows an engine view in the tray, on the main thread, without waiting for it (see
/// [`follow_containers`]).
pub fn show(handle: &AppHandle, view: EngineView) {
    let app = handle.clone();
    let _ = handle.run_on_main_thread(move || {
        if let Some(tray) = app.try_state::<Tray>() {
            tray.show(&view);
        }
    });
}

/// The line the tray shows for an engine view.
pub fn status_line(view: &EngineView) -> String {
    match (&view.connection, view.own.state.as_str()) {
        (_, "failed") => format!(
            "Engine failed: {}",
            view.own.reason.as_deref().unwrap_or("see Troubleshoot")
        ),
        (_, "starting") => "Engine starting…".to_owned(),
        (_, "stopping") => "Engine stopping…".to_owned(),
        (Some(c), "running") => format!(
            "Engine running (Berth's own, {}, API {})",
            view.own.mode, c.api_version
        ),
        (Some(c), _) => format!("Engine running ({}, API {})", c.source, c.api_version),
        (None, _) => "Engine stopped".to_owned(),
    }
}

impl Tray {
    pub fn build(app: &AppHandle) -> tauri::Result<Self> {
        let status = MenuItem::with_id(app, "status", "Engine…", false, None::<&str>)?;
        let start = MenuItem::with_id(app, START, "Start engine", false, None::<&str>)?;
        let stop = MenuItem::with_id(app, STOP, "Stop engine", false, None::<&str>)?;
        let restart = MenuItem::with_id(app, RESTART, "Restart engine", false, None::<&str>)?;
        let open = MenuItem::with_id(app, OPEN, "Open dashboard", true, None::<&str>)?;
        let containers = Submenu::with_id(app, "containers", "Containers", true)?;
        containers.append(&MenuItem::new(
            app,
            "No running containers",
            false,
            None::<&str>,
        )?)?;
        let quit = MenuItem::with_id(app, QUIT, "Quit Berth", true, None::<&str>)?;
        let menu = Menu::with_items(
            app,
            &[
                &status,
                &PredefinedMenuItem::separator(app)?,
                &start,
                &stop,
                &restart,
                &PredefinedMenuItem::separator(app)?,
                &containers,
                &PredefinedMenuItem::separator(app)?,
                &open,
                &PredefinedMenuItem::separator(app)?,
                &quit,
            ],
        )?;
        let icon = TrayIconBuilder::with_id("berth")
            .icon(icon_for("stopped")?)
            .tooltip("Berth")
            .menu(&menu)
            .on_menu_event(on_menu_event)
            .build(app)?;
        Ok(Self {
            icon,
            status,
            start,
            stop,
            restart,
            containers,
        })
    }

    /// Shows the running containers, each a submenu with Stop, Restart and Open in browser for
    /// each published port.
    pub fn show_containers(&self, app: &AppHandle, rows: &[ContainerRow]) {
        let result = (|| -> tauri::Result<()> {
            while self.containers.remove_at(0)?.is_some() {}
            if rows.is_empty() {
                self.containers.append(&MenuItem::new(
                    app,
                    "No running containers",
                    false,
                    None::<&str>,
                )?)?;
            }
            for row in rows {
                let name = row.names.first().cloned().unwrap_or_else(|| row.id.clone());
                let sub = Submenu::new(app, &name, true)?;
                sub.append(&MenuItem::with_id(
                    app,
                    format!("{CONTAINER_STOP}{}", row.id),
                    "Stop",
                    true,
                    None::<&str>,
                )?)?;
                sub.append(&MenuItem::with_id(
                    app,
                    format!("{CONTAINER_RESTART}{}", row.id),
                    "Restart",
                    true,
                    None::<&str>,
                )?)?;
                let mut ports: Vec<u16> = row.ports.iter().filter_map(|p| p.public_port).collect();
                ports.sort_unstable();
                ports.dedup();
                for port in ports {
                    let url = format!("http://localhost:{port}");
                    sub.append(&MenuItem::with_id(
                        app,
                        format!("{OPEN_URL}{url}"),
                        format!("Open {url}"),
                        true,
                        None::<&str>,
                    )?)?;
                }
                self.containers.append(&sub)?;
            }
            Ok(())
        })();
        if let Err(e) = result {
            tracing::warn!(%e, "cannot update the tray's containers");
        }
    }

    /// Shows the engine's state: the line, which actions make sense now, the icon.
    pub fn show(&self, view: &EngineView) {
        let own = view.own.state.as_str();
        let line = status_line(view);
        let busy = matches!(own, "starting" | "stopping");
        let result = (|| -> tauri::Result<()> {
            self.status.set_text(&line)?;
            self.start
                .set_enabled(matches!(own, "stopped" | "failed"))?;
            self.stop.set_enabled(own == "running" || own == "failed")?;
            self.restart.set_enabled(own == "running" && !busy)?;
            self.icon.set_icon(Some(icon_for(own)?))?;
            self.icon.set_tooltip(Some(format!("Berth: {line}")))?;
            Ok(())
        })();
        if let Err(e) = result {
            tracing::warn!(%e, "cannot update the tray");
        }
    }
}

fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    let berth = app.state::<App>().berth.clone();
    let id = event.id().as_ref().to_owned();
    match id.as_str() {
        START => run(berth, |b| {
            Box::pin(async move { b.engine_start().await.map(|_| ()) })
        }),
        STOP => run(berth, |b| {
            Box::pin(async move { b.engine_stop().await.map(|_| ()) })
        }),
        RESTART => run(berth, |b| {
            Box::pin(async move { b.engine_restart().await.map(|_| ()) })
        }),
        OPEN => crate::window::open(app),
        QUIT => app.exit(0),
        other => {
            if let Some(id) = other.strip_prefix(CONTAINER_STOP) {
                container(berth, id.to_owned(), "stop");
            } else if let Some(id) = other.strip_prefix(CONTAINER_RESTART) {
                container(berth, id.to_owned(), "restart");
            } else if let Some(url) = other.strip_prefix(OPEN_URL) {
                open_in_browser(url);
            }
        }
    }
}

/// Runs a container action (`stop`, `restart`) in the background; the engine's events update
/// the menu.
fn container(berth: Arc<berth_api::Berth>, id: String, action: &'static str) {
    tauri::async_runtime::spawn(async move {
        let result = async {
            let conn = berth.current().await?;
            berth.container_action(&conn, &id, action).await
        }
        .await;
        if let Err(e) = result {
            tracing::error!(%e, "container action from the tray failed");
        }
    });
}

/// Opens an `http(s)://` URL (a published port) with the desktop's browser.
pub fn open_url(url: &str) -> Result<(), berth_api::ApiError> {
    if !(url.starts_with("http://") || url.starts_with("https://"))
        || url.contains(char::is_whitespace)
    {
        return Err(berth_api::ApiError::invalid(format!(
            "{url}: only http:// and https:// addresses open in the browser"
        )));
    }
    #[cfg(target_os = "linux")]
    let mut cmd = std::process::Command::new("xdg-open");
    #[cfg(target_os = "macos")]
    let mut cmd = std::process::Command::new("open");
    #[cfg(target_os = "windows")]
    let mut cmd = {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    };
    cmd.arg(url)
        .spawn()
        .map(drop)
        .map_err(|e| berth_api::ApiError::invalid(format!("cannot open {url} in the browser: {e}")))
}

fn open_in_browser(url: &str) {
    if let Err(e) = open_url(url) {
        tracing::error!(%e, "cannot open the browser");
    }
}

/// Shows the running containers in the tray, on the main thread without waiting for it: a
/// tokio worker that waited there could stall the engine's shutdown, which the main thread waits
/// for on quit.
pub fn show_containers(handle: &AppHandle, rows: &[ContainerRow]) {
    let app = handle.clone();
    let running: Vec<ContainerRow> = rows
        .iter()
        .filter(|r| r.state == "running")
        .cloned()
        .collect();
    let _ = handle.run_on_main_thread(move || {
        if let Some(tray) = app.try_state::<Tray>() {
            tray.show_containers(&app, &running);
        }
    });
}

type Action = fn(
    Arc<berth_api::Berth>,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), berth_api::ApiError>> + Send>,
>;

/// Runs an engine action in the background; the state it leads to reaches the tray (and the
/// UI) through the engine's state events.
fn run(berth: Arc<berth_api::Berth>, action: Action) {
    tauri::async_runtime::spawn(async move {
        if let Err(e) = action(berth).await {
            tracing::error!(%e, "engine action from the tray failed");
        }
    });
}
