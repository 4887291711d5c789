//! The main window: made from the configuration at start (on the view `--view` names); a second
//! launch, and the tray's Open dashboard, show it again. Closing it ends the process (Berth stays in its tray process).

use tauri::{AppHandle, Emitter, Manager, WebviewWindowBuilder};

use crate::WINDOW_VIEW;

pub const MAIN: &str = "main";

/// The view the window opens on (`berth-app --view NAME`), as the page's URL fragment.
pub struct StartView(pub Option<String>);

/// The view `--view NAME` names in a command line.
pub fn view_arg(args: &[String]) -> Option<String> {
    args.iter()
        .position(|a| a == "--view")
        .and_then(|i| args.get(i + 1).cloned())
}

/// Shows the main window, making it if there is none yet.
pub fn open(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
        return;
    }
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN) else {
        return;
    };
    let mut config = config.clone();
    if let Some(StartView(Some(view))) = app.try_state::<StartView>().as_deref() {
        config.url = tauri::WebviewUrl::App(format!("index.html#{view}").into());
    }
    match WebviewWindowBuilder::from_config(app, &config).and_then(|b| b.build()) {
        Ok(w) => {
            let _ = w.set_focus();
        }
        Err(e) => tracing::error!(%e, "cannot open the dashboard"),
    }
}

/// Shows the main window, on `view` when one is named (a second launch's, the tray's).
pub fn show(app: &AppHandle, view: Option<&str>) {
    open(app);
    if let Some(view) = view
        && let Err(e) = app.emit_to(MAIN, WINDOW_VIEW, view)
    {
        tracing::warn!(%e, "cannot hand the view over to the window");
    }
}
