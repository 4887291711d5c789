//! The engine's container events to the UI: after each burst of events, one list of every
//! container goes out as `containers://changed`, with the events. Views take the list from the
//! event instead of asking again. Its image, network and volume events go out as
//! `images://changed`, `networks://changed` and `volumes://changed` (with the events, no list:
//! the views that show them ask again).
//!
//! A busy engine can take a while to list (stopping many containers, say), so the state changes
//! a burst says of containers already in the list go out at once, on the last list
//! ([`patched`]); the engine's own list follows and replaces it.

use std::sync::Arc;

use berth_api::EngineChange;
use berth_api::wire::ContainerRow;
use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// What [`crate::CONTAINERS_CHANGED`] carries: the events of the burst and every container
/// after it.
#[derive(Clone, Serialize)]
struct Change<'a> {
    events: Vec<Event>,
    rows: &'a [ContainerRow],
}

#[derive(Clone, Debug, Serialize)]
struct Event {
    action: String,
    id: String,
    /// The container a network event is about (connect, disconnect).
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<String>,
}

impl From<&berth_api::EventView> for Event {
    fn from(e: &berth_api::EventView) -> Self {
        Self {
            action: e.action.clone(),
            id: e.actor.clone(),
            container: e.attributes.get("container").cloned(),
        }
    }
}

pub async fn follow(handle: AppHandle, berth: Arc<berth_api::Berth>) {
    let publish = |events: Vec<Event>, rows: &[ContainerRow]| {
        if let Err(e) = handle.emit(crate::CONTAINERS_CHANGED, Change { events, rows }) {
            tracing::warn!(%e, "cannot emit the containers");
        }
    };
    let told = |event: &str, events: &[berth_api::EventView]| {
        let events: Vec<Event> = events.iter().map(Event::from).collect();
        if let Err(e) = handle.emit(event, events) {
            tracing::warn!(%e, event, "cannot emit the events");
        }
    };
    // The last list, and the events of the last burst that wait for the next one.
    let mut last = Vec::new();
    let mut waiting = Vec::new();
    berth
        .follow_changes(|change| match change {
            EngineChange::Burst(burst) => {
                let Patched { rows, told, rest } = patched(&last, burst);
                if !told.is_empty() {
                    publish(told, &rows);
                }
                waiting = rest;
            }
            EngineChange::Listed(rows) => {
                publish(std::mem::take(&mut waiting), &rows);
                last = rows;
            }
            EngineChange::Images(events) => told(crate::IMAGES_CHANGED, events),
            EngineChange::Networks(events) => told(crate::NETWORKS_CHANGED, events),
            EngineChange::Volumes(events) => told(crate::VOLUMES_CHANGED, events),
        })
        .await;
}

/// The state an event leaves a container in, for the events that change it.
fn state_after(action: &str) -> Option<&'static str> {
    match action {
        "start" | "unpause" | "restart" => Some("running"),
        "die" | "stop" => Some("exited"),
        "pause" => Some("paused"),
        _ => None,
    }
}

/// A burst's events split by whether the last list can show them.
struct Patched {
    /// The last list with what `told` says.
    rows: Vec<ContainerRow>,
    /// Events of containers in the list that change their state, or remove them.
    told: Vec<Event>,
    /// The others (a new container's, say): they wait for the engine's list.
    rest: Vec<Event>,
}

/// `rows` with what `burst` says of containers already among them (their state, and `destroy`
/// removing them).
fn patched(rows: &[ContainerRow], burst: &[berth_api::EventView]) -> Patched {
    let mut rows = rows.to_vec();
    let (mut told, mut rest) = (Vec::new(), Vec::new());
    for e in burst {
        let event = Event::from(e);
        let Some(at) = rows.iter().position(|r| r.id == e.actor) else {
            rest.push(event);
            continue;
        };
        if e.action == "destroy" {
            rows.remove(at);
        } else if let Some(state) = state_after(&e.action) {
            let row = &mut rows[at];
            row.state = state.to_owned();
            row.status = match state {
                "running" => "Up".to_owned(),
                "paused" => "Up (Paused)".to_owned(),
                _ => match e.attributes.get("exitCode") {
                    Some(code) => format!("Exited ({code})"),
                    // `stop` follows `die`, which said the code.
                    None if row.status.starts_with("Exited") => row.status.clone(),
                    None => "Exited".to_owned(),
                },
            };
        } else {
            rest.push(event);
            continue;
        }
        told.push(event);
    }
    Patched { rows, told, rest }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, state: &str) -> ContainerRow {
        ContainerRow {
            id: id.into(),
            names: vec![id.into()],
            image: "img".into(),
            command: String::new(),
            created: 0,
            state: state.into(),
            status: String::new(),
            ports: Vec::new(),
            labels: Default::default(),
            project: None,
            size_rw: None,
            size_root_fs: None,
            networks: Vec::new(),
            mounts: Vec::new(),
            platform: None,
        }
    }

    fn event(action: &str, id: &str, exit: Option<&str>) -> berth_api::EventView {
        berth_api::EventView {
            kind: "container".into(),
            action: action.into(),
            actor: id.into(),
            attributes: exit
                .map(|c| ("exitCode".to_owned(), c.to_owned()))
                .into_iter()
                .collect(),
            time_nano: 0,
        }
    }

    #[test]
    fn known_containers_change_at_once_new_ones_wait_for_the_list() {
        let rows = vec![row("a", "running"), row("b", "exited"), row("c", "running")];
        let burst = [
            event("kill", "a", None),
            event("die", "a", Some("137")),
            event("stop", "a", None),
            event("start", "b", None),
            event("destroy", "c", None),
            event("create", "new", None),
            event("start", "new", None),
        ];
        let Patched {
            rows: early,
            told,
            rest,
        } = patched(&rows, &burst);
        let states: Vec<(&str, &str, &str)> = early
            .iter()
            .map(|r| (r.id.as_str(), r.state.as_str(), r.status.as_str()))
            .collect();
        assert_eq!(
            states,
            [("a", "exited", "Exited (137)"), ("b", "running", "Up")],
            "a's stop comes after its die, which said the code"
        );
        let words = |events: &[Event]| -> Vec<String> {
            events
                .iter()
                .map(|e| format!("{} {}", e.action, e.id))
                .collect()
        };
        assert_eq!(words(&told), ["die a", "stop a", "start b", "destroy c"]);
        assert_eq!(words(&rest), ["kill a", "create new", "start new"]);
    }
}
