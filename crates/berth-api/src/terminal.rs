//! A terminal's end: hanging up an exec whose client has gone. The engine has no way to end an
//! exec and keeps its session open when the connection closes, so a program that ignores the
//! Ctrl-C and Ctrl-D a closing terminal types would run on; closing a real terminal sends its
//! session SIGHUP, and so does this, where the engine runs on this machine.

use std::time::Duration;

use berth_host::session::{self, HangUpError};

use crate::{ApiError, Berth, Connection};

/// How a terminal's hang-up went.
#[derive(Debug, PartialEq)]
pub enum HungUp {
    /// The command ended within the grace given.
    Ended,
    /// Still running then: this many processes of its session were sent SIGHUP.
    Signalled(usize),
    /// Still running, and left so: why.
    LeftRunning(String),
}

/// How often the exec is asked whether it has ended, within the grace.
const ASK_EVERY: Duration = Duration::from_millis(50);

impl Berth {
    /// Hangs up exec `exec_id` once its input is closed: if its command has not ended within
    /// `grace` (a shell given Ctrl-D exits at once), each process of its session gets SIGHUP,
    /// as a closed terminal's would, when the engine runs on this machine (its socket is local
    /// and the exec's pid here is a process of the exec's container).
    pub async fn exec_hang_up(
        &self,
        conn: &Connection,
        exec_id: &str,
        grace: Duration,
    ) -> Result<HungUp, ApiError> {
        let deadline = tokio::time::Instant::now() + grace;
        let process = loop {
            match conn.client.exec_process(exec_id).await? {
                None => return Ok(HungUp::Ended),
                Some(p) if tokio::time::Instant::now() >= deadline => break p,
                Some(_) => tokio::time::sleep(ASK_EVERY).await,
            }
        };
        if !conn.on_local_socket() {
            let host = &conn.candidate.endpoint.host;
            return Ok(HungUp::LeftRunning(format!(
                "the engine at {host} is not reached by a socket on this machine"
            )));
        }
        let signalled =
            tokio::task::spawn_blocking(move || session::hang_up(process.pid, &process.container))
                .await
                .map_err(|e| ApiError::invalid(format!("hanging up exec {exec_id}: {e}")))?;
        Ok(match signalled {
            Ok(n) => HungUp::Signalled(n),
            // Ended meanwhile, or the engine's pids are not this machine's (a VM).
            Err(HangUpError::NotHere { .. })
                if conn.client.exec_process(exec_id).await?.is_none() =>
            {
                HungUp::Ended
            }
            Err(e) => HungUp::LeftRunning(e.to_string()),
        })
    }
}
