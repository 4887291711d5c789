//! Desktop notifications: a container that died on its own (not stopped or killed by a user)
//! with a non-zero exit code, when the `notifications` setting is on.

use std::collections::HashSet;
use std::sync::Mutex;

use berth_api::EventView;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::App;

/// Containers a user (or compose) just stopped or killed: their next `die` is expected.
#[derive(Default)]
pub struct Expected(Mutex<HashSet<String>>);

/// What a container event means for notifications: `Some(text)` when it died unexpectedly.
pub fn unexpected_death(expected: &Expected, event: &EventView) -> Option<String> {
    let mut ids = expected.0.lock().unwrap_or_else(|e| e.into_inner());
    match event.action.as_str() {
        "kill" | "stop" | "destroy" => {
            if event.action == "kill" {
                ids.insert(event.actor.clone());
            } else {
                ids.remove(&event.actor);
            }
            None
        }
        "die" => {
            if ids.remove(&event.actor) {
                return None;
            }
            let code = event
                .attributes
                .get("exitCode")
                .map(String::as_str)
                .unwrap_or("0");
            if code == "0" {
                return None;
            }
            let name = event
                .attributes
                .get("name")
                .cloned()
                .unwrap_or_else(|| event.actor.chars().take(12).collect());
            Some(format!("Container {name} exited with code {code}"))
        }
        _ => None,
    }
}

/// Shows a notification for a container event when it is an unexpected death.
pub fn container_event(handle: &AppHandle, event: &EventView) {
    let Some(expected) = handle.try_state::<Expected>() else {
        return;
    };
    let Some(text) = unexpected_death(&expected, event) else {
        return;
    };
    if !handle.state::<App>().berth.settings().notifications {
        return;
    }
    tracing::info!(%text, "notifying");
    if let Err(e) = handle
        .notification()
        .builder()
        .title("Berth")
        .body(&text)
        .show()
    {
        tracing::warn!(%e, "cannot show a notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, exit: &str) -> EventView {
        EventView {
            kind: "container".into(),
            action: action.into(),
            actor: "abc".into(),
            attributes: [
                ("exitCode".to_owned(), exit.to_owned()),
                ("name".to_owned(), "web".to_owned()),
            ]
            .into(),
            time_nano: 0,
        }
    }

    #[test]
    fn only_deaths_nobody_asked_for() {
        let expected = Expected::default();
        // docker stop: kill, die, stop.
        assert_eq!(unexpected_death(&expected, &event("kill", "")), None);
        assert_eq!(unexpected_death(&expected, &event("die", "143")), None);
        assert_eq!(unexpected_death(&expected, &event("stop", "")), None);
        // A clean exit is not news.
        assert_eq!(unexpected_death(&expected, &event("die", "0")), None);
        assert_eq!(
            unexpected_death(&expected, &event("die", "3")).as_deref(),
            Some("Container web exited with code 3")
        );
    }
}
