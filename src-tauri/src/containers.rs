//! The engine's container events to the UI: after each burst of events, one list of every
//! container goes out as `containers://changed`, with the events. Views take the list from the
//! event instead of asking again. Its image, network and volume events go out as
//! `images://changed`, `networks://changed` and `volumes://changed` (with the events, no list:
//! the views that show them ask again).
//!
//! A busy engine can take a while to list (stopping many containers, say), so the state changes
//! a burst says of containers already in the list go out at once, on the last list; the
//! engine's own list follows (both from [`berth_api::container_list`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// The list the page's first read takes, as the window starts: the follower lists every
/// container as it starts following the engine's events, while WebKit is still starting, and
/// keeps the newest list here until that read; the page then has its list without asking the
/// engine (a connection and a list: the launch's last round trips). A list sent with events
/// before the page listened is so not lost either. Read once, and only while fresh (the list's
/// status texts, "Up 3 seconds", age): later reads ask the engine.
#[derive(Default)]
pub struct FirstList(Mutex<First>);

/// How long the list read at start stands for the engine's.
const FIRST_LIST_FRESH: Duration = Duration::from_secs(3);

#[derive(Default)]
enum First {
    /// Not read yet: the newest list the follower had, if any, and when.
    Waiting(Option<(Instant, Vec<ContainerRow>)>),
    #[default]
    Read,
}

impl FirstList {
    pub fn waiting() -> Self {
        Self(Mutex::new(First::Waiting(None)))
    }

    /// The follower's newest list, kept while the page has not read one.
    fn offer(&self, rows: &[ContainerRow]) {
        let mut first = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let First::Waiting(kept) = &mut *first {
            *kept = Some((Instant::now(), rows.to_vec()));
        }
    }

    /// The page's first read: the kept list, if the follower had one in the last
    /// [`FIRST_LIST_FRESH`]; `None` afterwards.
    pub fn take(&self) -> Option<Vec<ContainerRow>> {
        self.take_within(FIRST_LIST_FRESH)
    }

    fn take_within(&self, fresh: Duration) -> Option<Vec<ContainerRow>> {
        let mut first = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match std::mem::take(&mut *first) {
            First::Waiting(Some((at, rows))) if at.elapsed() < fresh => Some(rows),
            First::Waiting(_) | First::Read => None,
        }
    }
}

/// The container list for the page (every container with `all`); its first read takes the list
/// read at start ([`FirstList`]).
pub async fn list(app: &crate::App, all: bool) -> Result<Vec<ContainerRow>, berth_api::ApiError> {
    if all && let Some(rows) = app.first_list.take() {
        tracing::debug!(
            rows = rows.len(),
            "the page's first list: the one read at start"
        );
        return Ok(rows);
    }
    app.berth.containers(&app.berth.current().await?, all).await
}

pub async fn follow(handle: AppHandle, berth: Arc<berth_api::Berth>, first: Arc<FirstList>) {
    let publish = |events: Vec<Event>, rows: &[ContainerRow]| {
        first.offer(rows);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str) -> ContainerRow {
        ContainerRow {
            id: id.into(),
            ..ContainerRow::default()
        }
    }

    #[test]
    fn the_first_read_takes_the_newest_list_once() {
        let first = FirstList::waiting();
        first.offer(&[row("a")]);
        first.offer(&[row("a"), row("b")]);
        let ids = |rows: Option<Vec<ContainerRow>>| {
            rows.map(|r| r.into_iter().map(|c| c.id).collect::<Vec<_>>())
        };
        assert_eq!(
            ids(first.take()),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        // Read: later lists are the engine's own.
        first.offer(&[row("c")]);
        assert_eq!(ids(first.take()), None);
        // Read before the follower had a list: the engine's too.
        let early = FirstList::waiting();
        assert!(early.take().is_none());
        early.offer(&[row("a")]);
        assert!(early.take().is_none());
        // Kept too long (its status texts aged): the engine's.
        let late = FirstList::waiting();
        late.offer(&[row("a")]);
        assert!(late.take_within(Duration::ZERO).is_none());
    }
}
