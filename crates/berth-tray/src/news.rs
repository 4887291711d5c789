//! Desktop notifications, when the `notifications` setting is on: a container that died on its
//! own (not stopped or killed by a user) with a non-zero exit code or turned unhealthy, and
//! Berth's engine stopping without being asked to. What deserves one is decided by pure
//! functions; [`show`] shows it.

use std::collections::HashSet;
use std::sync::Mutex;

use berth_api::EventView;
use berth_api::wire::OwnEngineView;

/// Containers a user (or compose) just stopped or killed: their next `die` is expected.
#[derive(Default)]
pub struct Expected(Mutex<HashSet<String>>);

/// What a container event means for notifications: `Some(text)` when it died unexpectedly or
/// turned unhealthy.
pub fn container_news(expected: &Expected, event: &EventView) -> Option<String> {
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
            Some(format!("Container {} exited with code {code}", name(event)))
        }
        "health_status: unhealthy" => Some(format!("Container {} is unhealthy", name(event))),
        _ => None,
    }
}

fn name(event: &EventView) -> String {
    event
        .attributes
        .get("name")
        .cloned()
        .unwrap_or_else(|| event.actor.chars().take(12).collect())
}

/// What a change of Berth's own engine means: `Some(text)` when it stopped without being asked,
/// or could not start. The supervisor says so itself: an engine that crashed or stopped
/// answering goes from `running` to `failed` (with `retry_in_ms` while a restart is coming); one
/// asked to stop, by anyone, goes through `stopping` to `stopped`; a start that fails for a
/// passing reason is retried (not news), one that cannot succeed fails for good.
pub fn engine_news(previous: &str, now: &OwnEngineView) -> Option<String> {
    let reason = now
        .reason
        .as_deref()
        .unwrap_or("see Troubleshoot for its log");
    match (previous, now.state.as_str(), now.retry_in_ms) {
        ("running", "failed", Some(_)) => {
            Some(format!("Berth's engine stopped ({reason}); restarting it"))
        }
        ("running", "failed", None) => Some(format!("Berth's engine stopped: {reason}")),
        ("starting", "failed", None) => Some(format!("Berth's engine could not start: {reason}")),
        _ => None,
    }
}

/// Shows `text` as a desktop notification (org.freedesktop.Notifications), when the setting
/// is on. Sent from a blocking thread: a desktop without a notification server must not hold up
/// the tray.
pub fn show(berth: &berth_api::Berth, text: &str) {
    if !berth.settings().notifications {
        return;
    }
    tracing::info!(%text, "notifying");
    let text = text.to_owned();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = notify_rust::Notification::new()
            .appname("Berth")
            .summary("Berth")
            .body(&text)
            .show()
        {
            tracing::warn!(%e, "cannot show a notification");
        }
    });
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
        assert_eq!(container_news(&expected, &event("kill", "")), None);
        assert_eq!(container_news(&expected, &event("die", "143")), None);
        assert_eq!(container_news(&expected, &event("stop", "")), None);
        // A clean exit is not news.
        assert_eq!(container_news(&expected, &event("die", "0")), None);
        assert_eq!(
            container_news(&expected, &event("die", "3")).as_deref(),
            Some("Container web exited with code 3")
        );
    }

    #[test]
    fn unhealthy_is_news() {
        let expected = Expected::default();
        assert_eq!(
            container_news(&expected, &event("health_status: unhealthy", "")).as_deref(),
            Some("Container web is unhealthy")
        );
        assert_eq!(
            container_news(&expected, &event("health_status: healthy", "")),
            None
        );
    }

    fn own(state: &str, reason: Option<&str>, retry: Option<u64>) -> OwnEngineView {
        OwnEngineView {
            state: state.into(),
            reason: reason.map(Into::into),
            retry_in_ms: retry,
            pid: None,
            api_version: None,
            mode: "rootful".into(),
            socket: String::new(),
            data_root: String::new(),
            log: String::new(),
            supervisor_pid: None,
        }
    }

    #[test]
    fn only_engine_stops_nobody_asked_for() {
        // Asked for: running, stopping, stopped; or stopped elsewhere, `stopping` unseen.
        assert_eq!(engine_news("running", &own("stopping", None, None)), None);
        assert_eq!(engine_news("stopping", &own("stopped", None, None)), None);
        assert_eq!(engine_news("running", &own("stopped", None, None)), None);
        // A crash the supervisor restarts, and one it does not.
        assert_eq!(
            engine_news("running", &own("failed", Some("dockerd exited"), Some(500))).as_deref(),
            Some("Berth's engine stopped (dockerd exited); restarting it")
        );
        assert_eq!(
            engine_news("running", &own("failed", Some("dockerd exited"), None)).as_deref(),
            Some("Berth's engine stopped: dockerd exited")
        );
        // A start retried after a passing failure is not news; one given up on is.
        assert_eq!(
            engine_news("starting", &own("failed", Some("x"), Some(500))),
            None
        );
        assert_eq!(
            engine_news("starting", &own("failed", Some("no uidmap"), None)).as_deref(),
            Some("Berth's engine could not start: no uidmap")
        );
        // A crash's second word, once no restart is coming, is not news again.
        assert_eq!(engine_news("failed", &own("failed", Some("x"), None)), None);
        // The first state the app sees is not news.
        assert_eq!(
            engine_news("", &own("failed", Some("no uidmap"), None)),
            None
        );
    }
}
