//! The engine's container events to the UI: after each burst of events, one list of every
//! container goes out as `containers://changed`, with the events. Views take the list from the
//! event instead of asking again. Its image, network and volume events go out as
//! `images://changed`, `networks://changed` and `volumes://changed` (with the events, no list:
//! the views that show them ask again).
//!
//! A busy engine can take a while to list (stopping many containers, say), so the state changes
//! a burst says of containers already in the list go out at once, on the last list; the
//! engine's own list follows (both from [`berth_api::container_list`]).

use std::sync::Arc;

use berth_api::EngineChange;
use berth_api::container_list::{ContainerList, Patched};
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
    // The list, and the events of the last burst that wait for the engine's list.
    let mut list = ContainerList::default();
    let mut waiting = Vec::new();
    berth
        .follow_changes(|change| match change {
            EngineChange::Burst(burst) => {
                let Patched { rows, told, rest } = list.burst(burst);
                if !told.is_empty() {
                    publish(told.into_iter().map(Event::from).collect(), &rows);
                }
                waiting = rest.into_iter().map(Event::from).collect();
            }
            EngineChange::Listed(rows) => {
                let rows = list.listed(rows);
                publish(std::mem::take(&mut waiting), rows);
            }
            EngineChange::Images(events) => told(crate::IMAGES_CHANGED, events),
            EngineChange::Networks(events) => told(crate::NETWORKS_CHANGED, events),
            EngineChange::Volumes(events) => told(crate::VOLUMES_CHANGED, events),
        })
        .await;
}
