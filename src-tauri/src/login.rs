//! Start at login: the `start_at_login` setting made true for the desktop (an XDG autostart
//! entry on Linux, a launch agent on macOS, the Run key on Windows) by tauri-plugin-autostart.

use berth_api::{ApiError, ErrorCode};
use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt;

/// Registers or unregisters Berth to start at login; doing what is already done is fine.
pub fn start_at_login(handle: &AppHandle, on: bool) -> Result<(), ApiError> {
    let launcher = handle.autolaunch();
    let fail = |e: tauri_plugin_autostart::Error| {
        ApiError::new(
            ErrorCode::Internal,
            format!("cannot change starting at login: {e}"),
        )
    };
    let enabled = launcher.is_enabled().map_err(fail)?;
    match (on, enabled) {
        (true, false) => launcher.enable().map_err(fail),
        (false, true) => launcher.disable().map_err(fail),
        _ => Ok(()),
    }
}
