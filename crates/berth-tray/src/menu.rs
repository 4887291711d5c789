//! The tray icon and its menu (a StatusNotifierItem with a `com.canonical.dbusmenu` menu, by
//! ksni): a line with the engine's state, Start / Stop / Restart engine, the running containers
//! (each with Stop, Restart and Open in browser for its published ports), Open dashboard, Quit.
//! The icon follows the engine's state. Choosing an item sends an [`Action`]; the menu itself
//! decides nothing.

use std::sync::LazyLock;

use berth_api::wire::{ContainerRow, EngineView};
use tokio::sync::mpsc::UnboundedSender;

/// What a menu item asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    EngineStart,
    EngineStop,
    EngineRestart,
    ContainerStop(String),
    ContainerRestart(String),
    OpenUrl(String),
    /// The window, on the view named (a second `berth-tray --open --view NAME`).
    OpenDashboard(Option<String>),
    Quit,
}

/// What the tray shows: the engine and the running containers.
pub struct Menu {
    pub view: Option<EngineView>,
    pub running: Vec<ContainerRow>,
    pub actions: UnboundedSender<Action>,
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

/// The icon for Berth's engine state, as the ARGB32 pixmap StatusNotifierItem wants.
fn icon_for(state: &str) -> ksni::Icon {
    static RUNNING: LazyLock<ksni::Icon> =
        LazyLock::new(|| argb(include_bytes!("../../../icons/tray-running.png")));
    static BUSY: LazyLock<ksni::Icon> =
        LazyLock::new(|| argb(include_bytes!("../../../icons/tray-busy.png")));
    static FAILED: LazyLock<ksni::Icon> =
        LazyLock::new(|| argb(include_bytes!("../../../icons/tray-failed.png")));
    static STOPPED: LazyLock<ksni::Icon> =
        LazyLock::new(|| argb(include_bytes!("../../../icons/tray-stopped.png")));
    match state {
        "running" => RUNNING.clone(),
        "starting" | "stopping" => BUSY.clone(),
        "failed" => FAILED.clone(),
        _ => STOPPED.clone(),
    }
}

/// Decodes one of the icons built into the binary (an empty icon if it were not a PNG).
fn argb(png_bytes: &[u8]) -> ksni::Icon {
    let decode = || -> Result<ksni::Icon, png::DecodingError> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        // Palette and bit depths to 8-bit channels, and an alpha channel for every pixel.
        decoder.set_transformations(
            png::Transformations::normalize_to_color8() | png::Transformations::ALPHA,
        );
        let mut reader = decoder.read_info()?;
        let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let frame = reader.next_frame(&mut buf)?;
        let pixels = &buf[..frame.buffer_size()];
        let data = match frame.color_type {
            png::ColorType::GrayscaleAlpha => pixels
                .chunks_exact(2)
                .flat_map(|p| [p[1], p[0], p[0], p[0]])
                .collect(),
            _ => pixels
                .chunks_exact(4)
                .flat_map(|p| [p[3], p[0], p[1], p[2]])
                .collect(),
        };
        Ok(ksni::Icon {
            width: frame.width as i32,
            height: frame.height as i32,
            data,
        })
    };
    decode().unwrap_or(ksni::Icon {
        width: 0,
        height: 0,
        data: Vec::new(),
    })
}

fn item(label: impl Into<String>, enabled: bool, action: Option<Action>) -> ksni::MenuItem<Menu> {
    ksni::menu::StandardItem {
        label: label.into(),
        enabled,
        activate: Box::new(move |menu: &mut Menu| {
            if let Some(action) = action.clone() {
                let _ = menu.actions.send(action);
            }
        }),
        ..Default::default()
    }
    .into()
}

impl Menu {
    fn state(&self) -> &str {
        self.view
            .as_ref()
            .map_or("stopped", |v| v.own.state.as_str())
    }

    /// Where a browser reaches the engine's published ports ([`berth_api::wire::browser_host`]).
    fn browser_host(&self) -> String {
        self.view
            .as_ref()
            .and_then(|v| v.connection.as_ref())
            .map_or_else(|| "localhost".to_owned(), |c| c.browser_host.clone())
    }

    fn line(&self) -> String {
        self.view
            .as_ref()
            .map_or_else(|| "Engine…".to_owned(), status_line)
    }

    /// The running containers' submenu: each a submenu of its own actions.
    fn containers(&self) -> Vec<ksni::MenuItem<Self>> {
        if self.running.is_empty() {
            return vec![item("No running containers", false, None)];
        }
        self.running
            .iter()
            .map(|row| {
                let name = row.names.first().cloned().unwrap_or_else(|| row.id.clone());
                let mut actions = vec![
                    item("Stop", true, Some(Action::ContainerStop(row.id.clone()))),
                    item(
                        "Restart",
                        true,
                        Some(Action::ContainerRestart(row.id.clone())),
                    ),
                ];
                for url in row.web_urls(&self.browser_host()) {
                    actions.push(item(
                        format!("Open {url}"),
                        true,
                        Some(Action::OpenUrl(url)),
                    ));
                }
                ksni::menu::SubMenu {
                    label: name,
                    submenu: actions,
                    ..Default::default()
                }
                .into()
            })
            .collect()
    }
}

impl ksni::Tray for Menu {
    fn id(&self) -> String {
        "berth".into()
    }

    fn title(&self) -> String {
        "Berth".into()
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        vec![icon_for(self.state())]
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: format!("Berth: {}", self.line()),
            ..Default::default()
        }
    }

    /// A click on the icon itself opens the dashboard.
    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.actions.send(Action::OpenDashboard(None));
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        let own = self.state();
        vec![
            item(self.line(), false, None),
            ksni::MenuItem::Separator,
            item(
                "Start engine",
                matches!(own, "stopped" | "failed"),
                Some(Action::EngineStart),
            ),
            item(
                "Stop engine",
                own == "running" || own == "failed",
                Some(Action::EngineStop),
            ),
            item(
                "Restart engine",
                own == "running",
                Some(Action::EngineRestart),
            ),
            ksni::MenuItem::Separator,
            ksni::menu::SubMenu {
                label: "Containers".into(),
                submenu: self.containers(),
                ..Default::default()
            }
            .into(),
            ksni::MenuItem::Separator,
            item("Open dashboard", true, Some(Action::OpenDashboard(None))),
            ksni::MenuItem::Separator,
            item("Quit Berth", true, Some(Action::Quit)),
        ]
    }

    /// Without a StatusNotifier host (no panel shows trays) the menu still serves on the bus;
    /// keep going rather than end the tray.
    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        tracing::info!(?reason, "no StatusNotifier host shows the tray icon");
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_decodes_to_argb() {
        for state in ["running", "starting", "failed", "stopped"] {
            let icon = icon_for(state);
            assert_eq!((icon.width, icon.height), (32, 32), "{state}");
            assert_eq!(icon.data.len(), 32 * 32 * 4, "{state}");
            assert!(
                icon.data.chunks(4).any(|p| p[0] > 0),
                "{state} has visible pixels"
            );
        }
    }
}
