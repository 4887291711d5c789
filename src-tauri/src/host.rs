//! The dashboard's host samples: the facade's sampler, followed at the settings' interval for
//! as long as the dashboard listens.

use std::time::Duration;

use berth_api::HostSample;
use futures_util::StreamExt;
use tauri::State;
use tauri::ipc::Channel;

use crate::App;
use crate::streams::Batch;

pub fn follow(app: &State<'_, App>, channel: Channel<Batch<HostSample>>) -> u32 {
    let berth = app.berth.clone();
    let interval = Duration::from_millis(berth.settings().stats_interval_ms.into());
    let id = app.streams.id();
    tracing::debug!(id, "host samples followed");
    app.streams.spawn(id, async move {
        // Each item is a batch already (the history first): flatten into single samples.
        let samples = berth.host_follow(interval).flat_map(|batch| {
            let items: Vec<_> = match batch {
                Ok(v) => v.into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(items)
        });
        crate::streams::forward(samples, channel).await;
    })
}
