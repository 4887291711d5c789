//! Desktop notifications of the window process, when the `notifications` setting is on: a pull
//! or build that finished (the tray, `berth-tray`, tells of containers and the engine).

use berth_api::ApiError;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::App;

/// What a finished pull or build says: `what` names it (`Pulled alpine:3`), `result` its end.
pub fn finished(what: &str, failed_what: &str, result: &Result<(), ApiError>) -> String {
    match result {
        Ok(()) => what.to_owned(),
        Err(e) => format!("{failed_what}: {}", e.message),
    }
}

/// What to run when a pull or build ends: the notification [`finished`] words.
pub fn when_finished(
    handle: AppHandle,
    done: String,
    failed: String,
) -> impl FnOnce(Result<(), ApiError>) + Send + 'static {
    move |end| show(&handle, &finished(&done, &failed, &end))
}

/// Shows `text` as a desktop notification, when the setting is on.
pub fn show(handle: &AppHandle, text: &str) {
    if !handle.state::<App>().berth.settings().notifications {
        return;
    }
    tracing::info!(%text, "notifying");
    if let Err(e) = handle
        .notification()
        .builder()
        .title("Berth")
        .body(text)
        .show()
    {
        tracing::warn!(%e, "cannot show a notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_pull_or_build_says_how() {
        assert_eq!(
            finished("Pulled a:1", "Pull of a:1 failed", &Ok(())),
            "Pulled a:1"
        );
        let err = ApiError::invalid("manifest unknown");
        assert_eq!(
            finished("Pulled a:1", "Pull of a:1 failed", &Err(err)),
            "Pull of a:1 failed: manifest unknown"
        );
    }
}
