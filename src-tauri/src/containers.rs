//! Follows the engine's container events for as long as an engine answers: after each burst of
//! events (those already waiting are taken together), one list of every container goes to the
//! UI as `containers://changed`, its running ones to the tray, and each event to the
//! notifications. Views take the list from the event instead of asking again.

use std::sync::Arc;

use berth_api::wire::ContainerRow;
use futures_util::{FutureExt, StreamExt};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// What [`crate::CONTAINERS_CHANGED`] carries: the events of the burst and every container
/// after it.
#[derive(Clone, Serialize)]
struct Change {
    events: Vec<Event>,
    rows: Vec<ContainerRow>,
}

#[derive(Clone, Serialize)]
struct Event {
    action: String,
    id: String,
}

pub async fn follow(handle: AppHandle, berth: Arc<berth_api::Berth>) {
    let publish = |events: Vec<Event>, rows: Vec<ContainerRow>| {
        crate::tray::show_containers(&handle, &rows);
        if let Err(e) = handle.emit(crate::CONTAINERS_CHANGED, Change { events, rows }) {
            tracing::warn!(%e, "cannot emit the containers");
        }
    };
    loop {
        if let Ok(conn) = berth.connect().await {
            let filters = ["type=container".to_owned()];
            if let Ok(events) = berth.events(&conn, None, None, &filters) {
                let mut events = std::pin::pin!(events);
                if let Ok(rows) = berth.containers(&conn, true).await {
                    publish(Vec::new(), rows);
                }
                while let Some(Ok(first)) = events.next().await {
                    let mut burst = vec![first];
                    while let Some(Some(Ok(more))) = events.next().now_or_never() {
                        burst.push(more);
                    }
                    for event in &burst {
                        crate::notify::container_event(&handle, event);
                    }
                    let Ok(rows) = berth.containers(&conn, true).await else {
                        break;
                    };
                    let burst = burst
                        .into_iter()
                        .map(|e| Event {
                            action: e.action,
                            id: e.actor,
                        })
                        .collect();
                    publish(burst, rows);
                }
            }
        }
        publish(Vec::new(), Vec::new());
        berth.forget_connection().await;
        // The engine went away or none answers: look again when Berth's engine changes, or
        // after a moment for one started elsewhere.
        tokio::select! {
            _ = berth.supervisor_appeared() => {}
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
        }
    }
}
