//! Hanging up a terminal session on this machine, as closing a terminal does: each process of
//! the session gets SIGHUP. For an exec's terminal, whose session the engine keeps open when
//! its client goes.

use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, Signal, System, UpdateKind};

/// Why a session was not hung up.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HangUpError {
    /// No process `pid` of `container` leads a session here: it has ended, or it runs on
    /// another machine or in another pid namespace (an engine in a VM).
    #[error("no process {pid} of container {container} leads a session on this machine")]
    NotHere { pid: u32, container: String },
    /// A process of the session refused the signal (another user's).
    #[error("process {pid} of the session cannot be signalled by this user")]
    NotPermitted { pid: u32 },
    #[error("cannot read this machine's processes: {0}")]
    Unreadable(String),
}

/// Sends SIGHUP to each process of the session led by `leader`, once sure `leader` is a
/// process of `container` (a pid read elsewhere may name another process here): it leads its
/// own session, and its parent, the container's runtime shim, names the container on its
/// command line (`containerd-shim-runc-v2 … -id ID`). Not its own command line, which a command
/// that executes another program (`sh -c '…; exec app'`) changes. How many were sent it.
pub fn hang_up(leader: u32, container: &str) -> Result<usize, HangUpError> {
    let mut system = System::new().map_err(|e| HangUpError::Unreadable(e.to_string()))?;
    system.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing().with_cmd(UpdateKind::Always),
    );
    let leader = Pid::from_u32(leader);
    let of_container = system.process(leader).is_some_and(|p| {
        p.session_id() == Some(leader)
            && p.parent()
                .and_then(|parent| system.process(parent))
                .is_some_and(|parent| parent.cmd().iter().any(|a| a == container))
    });
    if container.is_empty() || !of_container {
        return Err(HangUpError::NotHere {
            pid: leader.as_u32(),
            container: container.to_owned(),
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

    /// A session as an exec's is: its leader started by a parent whose command line names
    /// `container` (as a shim's names its container), leading `sleep 60` in it and then,
    /// `exec`ing, running `sleep 61` itself. The leader's pid and the sleep's; the parent.
    fn session(container: &str) -> (u32, u32, std::process::Child) {
        // setsid runs the leader in place: a background job of a non-interactive sh leads no
        // process group. Both sleeps leave SIGHUP to its default.
        let leader = r#"sleep 60 & echo $$ $!; exec sleep 61"#;
        let parent = format!("setsid sh -c '{leader}' & wait");
        let mut child = Command::new("sh")
            .args(["-c", &parent, container])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let pids: Vec<u32> = line
            .split_whitespace()
            .map(|p| p.parse().unwrap())
            .collect();
        (pids[0], pids[1], child)
    }

    fn gone(pid: u32) -> bool {
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
    }

    #[test]
    fn each_process_of_a_containers_session_gets_sighup_even_once_its_leader_execs() {
        let (leader, sleep, mut parent) = session("c0ffee-container");
        assert_eq!(
            hang_up(leader, "another-container"),
            Err(HangUpError::NotHere {
                pid: leader,
                container: "another-container".into()
            }),
            "a pid of another container is left alone"
        );
        assert_eq!(
            hang_up(sleep, "c0ffee-container").unwrap_err(),
            HangUpError::NotHere {
                pid: sleep,
                container: "c0ffee-container".into()
            },
            "a process that leads no session is not hung up"
        );
        // The leader execs `sleep 61`: wait until it does, then hang up its session.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::read_to_string(format!("/proc/{leader}/cmdline")).unwrap_or_default()
            != "sleep\x0061\x00"
        {
            assert!(
                Instant::now() < deadline,
                "the leader did not exec its sleep"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(hang_up(leader, "c0ffee-container"), Ok(2), "both sleeps");
        parent.wait().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(gone(leader) && gone(sleep)) {
            assert!(Instant::now() < deadline, "the session's sleeps still run");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
