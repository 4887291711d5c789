//! `berth compose watch`: brings the project up (unless `--no-up`), then follows its
//! `develop.watch` rules until Ctrl-C, printing what it synced, restarted or rebuilt.

use anyhow::Result;
use berth_api::Berth;
use berth_api::compose::UpOptions;

use crate::cli::Format;
use crate::commands::connect;
use crate::compose::{ProjectArgs, load_options, progress};

pub async fn run(
    berth: &Berth,
    p: &ProjectArgs,
    no_up: bool,
    services: Vec<String>,
    format: Format,
) -> Result<i32> {
    let project = berth.compose_load(&load_options(p, &services))?;
    // The rules are checked before anything starts.
    berth_compose::watch::rules(&project, &services).map_err(berth_api::ApiError::from)?;
    let conn = connect(berth).await?;
    let events = progress(format);
    if !no_up {
        let opts = UpOptions {
            services: services.clone(),
            ..Default::default()
        };
        berth
            .compose_up(&conn, &project, &opts, None, &events)
            .await?;
    }
    tokio::select! {
        r = berth.compose_watch(&conn, &project, &services, &events) => r?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(0)
}
