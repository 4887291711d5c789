//! The window's link to the tray (`berth-tray`, see `berth_api::desktop`): attaches to it,
//! starting it when none runs, and quits when the tray quits. A tray that went away without
//! saying so (it crashed) is started again, up to three times.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use berth_api::Berth;
use berth_api::desktop::{self, TRAY_EXE};
use tokio::io::{AsyncBufReadExt, BufReader};

const STARTS: usize = 3;

pub async fn attach(handle: tauri::AppHandle, berth: Arc<Berth>) {
    let socket = berth.tray_socket();
    let mut starts = 0;
    loop {
        match desktop::ask_tray(&socket, "attach").await {
            Some(answer) if answer == "quit" => {
                tracing::info!("the tray quit; so does the window");
                handle.exit(0);
                return;
            }
            Some(_) => tracing::warn!("the tray went away"),
            None => {}
        }
        if starts == STARTS {
            tracing::error!("the tray does not stay up; see tray.*.log beside the app's log");
            return;
        }
        starts += 1;
        if let Err(e) = start_tray().await {
            tracing::error!(%e, "cannot start the tray");
            return;
        }
    }
}

/// Starts `berth-tray` (beside this executable) detached from this process, and waits until it
/// says it listens.
async fn start_tray() -> Result<(), String> {
    let exe = desktop::sibling_exe(TRAY_EXE);
    let mut child = tokio::process::Command::new(&exe)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("{}: {e}", exe.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    let ready = tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await;
    // Reaped when it ends (the window usually ends first).
    tokio::spawn(async move { child.wait().await });
    match ready {
        Ok(Ok(n)) if n > 0 => {
            tracing::info!(exe = %exe.display(), "started the tray");
            Ok(())
        }
        Ok(_) => Err(format!("{} ended at once; see its log", exe.display())),
        Err(_) => Err(format!("{} did not answer in 30 s", exe.display())),
    }
}
