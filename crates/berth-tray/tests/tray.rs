//! The tray process on its own, in an isolated home with no engine: one tray per session (a
//! second launch hands its request to the first and exits), its socket and pidfile, a start of
//! Berth's engine through it that cannot succeed (one line naming what is missing), a tray
//! killed without cleaning up replaced by the next, SIGTERM ending it cleanly, and a tray
//! launched while the last one quits taking over once it has. The tray with the window, the
//! menu and a real engine is tested in src-tauri/tests/app.rs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use berth_testkit::{IsolatedHome, process_alive, run, wait_until};

struct Tray(Child);

impl Drop for Tray {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tray_command(home: &IsolatedHome) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_berth-tray"));
    home.apply(&mut cmd);
    // No session bus: the tray runs without its icon (the app tests have one).
    cmd.env(
        "DOCKER_HOST",
        format!("unix://{}/none.sock", home.path().display()),
    );
    cmd
}

/// Starts a tray and waits for its "ready" line.
fn start(home: &IsolatedHome) -> Tray {
    let mut child = tray_command(home)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the berth-tray binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "berth-tray: ready");
    Tray(child)
}

fn ask(home: &IsolatedHome, request: &str) -> Option<String> {
    home.ask("tray.sock", request)
}

#[test]
fn one_tray_per_session_which_hands_requests_over_and_ends_cleanly() {
    let home = IsolatedHome::new();
    home.set_settings(r#""engine_dockerd": "/nonexistent/dockerd""#);
    let mut first = start(&home);
    let pidfile = home.runtime_dir().join("berth/tray.pid");
    assert_eq!(home.tray_pid(), Some(first.0.id()));
    assert_eq!(ask(&home, "ping").as_deref(), Some("ok"));
    assert_eq!(
        ask(&home, "launch").as_deref(),
        Some("error unknown request \"launch\"")
    );

    // A second launch hands over and ends; the first runs on.
    let second = run(&mut tray_command(&home));
    assert!(second.status.success(), "{second:?}");
    assert!(process_alive(first.0.id()));

    // Starting the engine through the running tray, when it cannot start: one line saying why.
    let start_engine = run(tray_command(&home).arg("--start-engine"));
    assert!(!start_engine.status.success());
    let err = String::from_utf8_lossy(&start_engine.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("berth-tray: ") && err.contains("/nonexistent/dockerd"),
        "{err}"
    );
    assert!(
        process_alive(first.0.id()),
        "the tray survives a failed start"
    );

    // SIGTERM: it ends, and takes its socket and pidfile with it.
    run(Command::new("kill").args(["-TERM", &first.0.id().to_string()]));
    let status = first.0.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!pidfile.exists());
    assert!(!home.runtime_dir().join("berth/tray.sock").exists());
}

#[test]
fn a_killed_tray_is_replaced_by_the_next() {
    let home = IsolatedHome::new();
    let mut killed = start(&home);
    killed.0.kill().unwrap();
    killed.0.wait().unwrap();
    // Its socket and pidfile are left behind; the next tray takes them over.
    assert!(home.runtime_dir().join("berth/tray.sock").exists());
    let next = start(&home);
    wait_until(10, "the new tray to answer", || {
        ask(&home, "ping").as_deref() == Some("ok")
    });
    assert_eq!(home.tray_pid(), Some(next.0.id()));
}

#[test]
#[ignore = "needs root and dockerd (scripts/test.sh runs it)"]
fn an_engine_start_handed_to_the_tray_runs_under_its_supervisor() {
    berth_testkit::require_root();
    let home = IsolatedHome::new();
    let mut tray = start(&home);
    // What the window's Start engine runs (its `Launch`): the running tray takes the start.
    let started = run(tray_command(&home).arg("--start-engine"));
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let line = home
        .ask("control.sock", "status")
        .expect("the supervisor answers");
    let status: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(status["state"], "running", "{status}");
    assert_eq!(
        status["supervisor_pid"].as_u64(),
        Some(u64::from(tray.0.id()))
    );
    // The tray quitting stops the engine it supervises. A tray started meanwhile (a quick
    // quit and relaunch) waits for it to end, then is the tray.
    run(Command::new("kill").args(["-TERM", &tray.0.id().to_string()]));
    let next = start(&home);
    assert!(tray.0.wait().unwrap().success());
    assert!(!home.engine_socket().exists(), "the engine still runs");
    wait_until(10, "the new tray to answer", || {
        ask(&home, "ping").as_deref() == Some("ok")
    });
    assert_eq!(home.tray_pid(), Some(next.0.id()));
}
