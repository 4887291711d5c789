//! The tray menu: a line with the engine's state, Start / Stop / Restart engine (driving the
//! supervisor through the facade), Open dashboard, Quit; the icon follows the engine's state.

use std::sync::Arc;

use berth_api::wire::EngineView;
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager};

use crate::App;

pub const START: &str = "engine-start";
pub const STOP: &str = "engine-stop";
pub const RESTART: &str = "engine-restart";
pub const OPEN: &str = "open-dashboard";
pub const QUIT: &str = "quit";

/// The tray and the menu items that change with the engine.
pub struct Tray {
    icon: TrayIcon,
    status: MenuItem<tauri::Wry>,
    start: MenuItem<tauri::Wry>,
    stop: MenuItem<tauri::Wry>,
    restart: MenuItem<tauri::Wry>,
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
        })
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
        _ => {}
    }
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
