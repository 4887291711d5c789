//! Hanging up a terminal session on this machine, as closing a terminal does: each process of
//! the session gets SIGHUP. For an exec's terminal, whose session the engine keeps open when
//! its client goes.

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, Signal, System, UpdateKind};

/// Why a session was not hung up.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HangUpError {
    /// No process `pid` runs `command` here: it has ended, or it runs on another machine or in
    /// another pid namespace (an engine in a VM).
    #[error("no process {pid} running {command:?} on this machine")]
    NotHere { pid: u32, command: Vec<String> },
    /// A process of the session refused the signal (another user's).
    #[error("process {pid} of the session cannot be signalled by this user")]
    NotPermitted { pid: u32 },
    #[error("cannot read this machine's processes: {0}")]
    Unreadable(String),
}

/// Sends SIGHUP to each process of the session led by `leader`, once sure `leader` is the
/// process that runs `command` (a pid read elsewhere may name another process here); how many.
pub fn hang_up(leader: u32, command: &[String]) -> Result<usize, HangUpError> {
    let mut system = System::new().map_err(|e| HangUpError::Unreadable(e.to_string()))?;
    system.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing().with_cmd(UpdateKind::Always),
    );
    let leader = Pid::from_u32(leader);
    let runs_command = system.process(leader).is_some_and(|p| {
        p.cmd().len() == command.len() && p.cmd().iter().zip(command).all(|(a, b)| a == b.as_str())
    });
    if !runs_command {
        return Err(HangUpError::NotHere {
            pid: leader.as_u32(),
            command: command.to_vec(),
        });
    }
    let session: Vec<Pid> = system
        .processes()
        .values()
        .filter(|p| p.thread_kind().is_none() && p.session_id() == Some(leader))
        .map(|p| p.pid())
        .collect();
    for &pid in &session {
        // `None`: no such signal on this system; `Some(false)`: kill(2) failed, which a
        // process that has just ended may make it.
        let sent = system
            .process(pid)
            .and_then(|p| p.kill_with(Signal::Hangup));
        if sent != Some(true) && system.refresh_processes(ProcessesToUpdate::Some(&[pid]), true) > 0
        {
            return Err(HangUpError::NotPermitted { pid: pid.as_u32() });
        }
    }
    Ok(session.len())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn each_process_of_the_session_gets_sighup_once_its_leader_runs_the_command() {
        // `sh` leads a session of its own (setsid runs it in place: the test's child leads no
        // process group) and starts `sleep` in it; both leave SIGHUP to its default.
        let script = "sleep 60 & echo $!; wait";
        let mut child = Command::new("setsid")
            .args(["sh", "-c", script])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let sleep: u32 = line.trim().parse().unwrap();
        let pid = child.id();

        let other = vec!["sh".to_owned()];
        assert_eq!(
            hang_up(pid, &other),
            Err(HangUpError::NotHere {
                pid,
                command: other
            }),
            "a pid running another command is left alone"
        );
        let command = ["sh", "-c", script].map(String::from);
        assert_eq!(hang_up(pid, &command), Ok(2), "sh and its sleep");
        let status = child.wait().unwrap();
        assert!(!status.success(), "sh ended by the signal: {status:?}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::path::Path::new(&format!("/proc/{sleep}")).exists() {
            assert!(Instant::now() < deadline, "sleep {sleep} still runs");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
