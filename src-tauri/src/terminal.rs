//! Exec terminals: a TTY exec session whose output goes to the UI's xterm through a channel
//! (as text, never splitting a character) and whose input and size come back as commands.

use berth_api::{ApiError, ExecSpec, HungUp};
use futures_util::StreamExt;
use tauri::State;
use tauri::ipc::Channel;
use tokio::io::AsyncWriteExt;

use crate::App;
use crate::streams::{Batch, ExecInput, Utf8Chunks};

/// Starts `command` (the container's shell when empty) with a TTY of `rows`×`cols`; returns
/// the session id that `input`, `resize` and `unsubscribe` take.
pub async fn open(
    app: &State<'_, App>,
    id: &str,
    command: Vec<String>,
    rows: u16,
    cols: u16,
    channel: Channel<Batch<String>>,
) -> Result<u32, ApiError> {
    let conn = app.berth.current().await?;
    let command = if command.is_empty() {
        vec!["sh".to_owned()]
    } else {
        command
    };
    let spec = ExecSpec {
        command,
        tty: true,
        interactive: true,
        size: Some((rows, cols)),
        ..Default::default()
    };
    let session = app.berth.exec(&conn, id, &spec).await?;
    let sub = app.streams.id();
    app.streams.keep_exec(
        sub,
        ExecInput {
            exec_id: session.id.clone(),
            berth: app.berth.clone(),
            conn: conn.clone(),
            writer: tokio::sync::Mutex::new(session.input),
        },
    );
    let output = session.output;
    let berth = app.berth.clone();
    let exec_id = session.id;
    app.streams.spawn(sub, async move {
        let mut text = Utf8Chunks::default();
        let output =
            output.map(move |chunk| chunk.map(|c| text.push(&c.bytes)).map_err(ApiError::from));
        crate::streams::forward(output, channel.clone()).await;
        // Tell the terminal how the command ended.
        if let Ok(Some(code)) = berth.exec_exit_code(&conn, &exec_id).await {
            let _ = channel.send(Batch {
                items: vec![format!("\r\n[process exited with code {code}]\r\n")],
                done: true,
                error: None,
            });
        }
    });
    Ok(sub)
}

/// Ends a terminal's command as closing a terminal window would. The engine has no way to end
/// an exec, and leaves it running when its connection closes (a shell per terminal opened would
/// pile up in the container). So the terminal types Ctrl-C (the foreground job is interrupted,
/// a half-typed line dropped) and Ctrl-D (the shell, back at its prompt, exits) and closes;
/// a command still running after [`HANG_UP_GRACE`] (an editor, a program ignoring both) has
/// its session sent SIGHUP, as a closed terminal's is, where the engine runs on this machine.
pub async fn hang_up(exec: std::sync::Arc<ExecInput>) {
    let typed = async {
        let mut writer = exec.writer.lock().await;
        writer.write_all(HANG_UP).await?;
        writer.flush().await?;
        writer.shutdown().await
    };
    let id = &exec.exec_id;
    match tokio::time::timeout(std::time::Duration::from_secs(2), typed).await {
        Ok(Ok(())) => tracing::debug!(exec = %id, "terminal hung up"),
        Ok(Err(e)) => tracing::debug!(exec = %id, %e, "the terminal had ended"),
        Err(_) => tracing::warn!(exec = %id, "the engine took no input to hang up"),
    }
    match exec.berth.exec_hang_up(&exec.conn, id, HANG_UP_GRACE).await {
        Ok(HungUp::Ended) => tracing::debug!(exec = %id, "the terminal's command ended"),
        Ok(HungUp::Signalled(n)) => {
            tracing::info!(exec = %id, processes = n, "the terminal's session was sent SIGHUP")
        }
        Ok(HungUp::LeftRunning(why)) => {
            tracing::warn!(exec = %id, %why, "the terminal's command is left running")
        }
        Err(e) => {
            tracing::warn!(exec = %id, %e, "cannot tell whether the terminal's command ended")
        }
    }
}

/// What [`hang_up`] types: Ctrl-C, then Ctrl-D.
const HANG_UP: &[u8] = b"\x03\x04";
/// How long the typed keys have to end the command before its session gets SIGHUP.
const HANG_UP_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

pub async fn input(app: &State<'_, App>, session: u32, data: &str) -> Result<(), ApiError> {
    let exec = app.streams.exec(session)?;
    let mut writer = exec.writer.lock().await;
    writer
        .write_all(data.as_bytes())
        .await
        .and(writer.flush().await)
        .map_err(|e| ApiError::invalid(format!("terminal {session}: {e}")))
}

pub async fn resize(
    app: &State<'_, App>,
    session: u32,
    rows: u16,
    cols: u16,
) -> Result<(), ApiError> {
    let exec = app.streams.exec(session)?;
    let conn = app.berth.current().await?;
    app.berth
        .exec_resize(&conn, &exec.exec_id, rows, cols)
        .await
}
