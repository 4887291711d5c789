//! The supervisor's state machine with fake daemons (the binary is data): a daemon that dies at
//! once, one that never answers, and the lock. Needs root, since the rootful mode is the one
//! that runs dockerd directly: run with `--include-ignored`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use berth_engine::Error;
use berth_engine::context::Env;
use berth_engine::own::{EngineConfig, EngineState, Mode, Paths, Supervisor};

fn config(dir: &Path, daemon: &str) -> EngineConfig {
    let fake = dir.join("fake-dockerd");
    std::fs::write(&fake, format!("#!/bin/sh\n{daemon}\n")).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut config = EngineConfig::for_env(&Env::default());
    config.mode = Mode::Rootful;
    config.dockerd = fake;
    config.bridge = None;
    config.paths = Paths {
        data_root: dir.join("data/engine"),
        run_dir: dir.join("run"),
        log: dir.join("log/engine.log"),
    };
    config.restart.initial_backoff = Duration::from_millis(50);
    config.restart.max_attempts = 2;
    config.ready_timeout = Duration::from_secs(1);
    config
}

async fn settle(sup: &Supervisor) -> EngineState {
    let mut state = sup.state();
    let s = tokio::time::timeout(
        Duration::from_secs(20),
        state.wait_for(|s| matches!(s, EngineState::Running { .. }) || s.is_final_failure()),
    )
    .await
    .expect("the supervisor settles")
    .expect("the supervisor is alive");
    s.clone()
}

/// The reason of a failure with no restart coming.
async fn final_failure(sup: &Supervisor) -> String {
    match settle(sup).await {
        EngineState::Failed {
            reason,
            retry_in_ms: None,
        } => reason,
        other => panic!("expected a final failure, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs root (scripts/test.sh runs it)"]
async fn a_daemon_that_dies_is_retried_then_fails_with_its_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        "echo 'level=fatal msg=\"fake: no bridge\"' >&2; exit 3",
    );
    let sup = Supervisor::spawn(config.clone(), false).unwrap();
    let mut state = sup.state();
    let last = loop {
        let s = state.borrow_and_update().clone();
        if s.is_final_failure() {
            break s;
        }
        tokio::time::timeout(Duration::from_secs(20), state.changed())
            .await
            .unwrap()
            .unwrap();
    };
    let EngineState::Failed { reason, .. } = last else {
        unreachable!()
    };
    assert_eq!(
        reason,
        "dockerd exited with code 3 while starting: fake: no bridge"
    );
    // Three starts, the first and two retries: the log marks each. (The watch channel keeps
    // only the latest state, so the states seen here may skip some.)
    let log = std::fs::read_to_string(&config.paths.log).unwrap();
    assert_eq!(
        log.matches("--- berth: starting the rootful engine")
            .count(),
        3,
        "{log}"
    );
    sup.shutdown().await;
}

#[tokio::test]
#[ignore = "needs root (scripts/test.sh runs it)"]
async fn a_daemon_that_never_answers_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), "exec sleep 600");
    config.restart.enabled = false;
    let sup = Supervisor::spawn(config, false).unwrap();
    let reason = final_failure(&sup).await;
    assert!(
        reason.starts_with("dockerd did not answer within 1 s"),
        "{reason}"
    );
    sup.shutdown().await;
}

#[tokio::test]
#[ignore = "needs root (scripts/test.sh runs it)"]
async fn one_supervisor_per_data_root() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), "exec sleep 600");
    config.restart.enabled = false;
    let first = Supervisor::spawn(config.clone(), false).unwrap();
    match Supervisor::spawn(config.clone(), false) {
        Err(Error::AlreadySupervised { pid, .. }) => assert_eq!(pid, std::process::id()),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a second supervisor must be refused"),
    }
    settle(&first).await;
    first.shutdown().await;
    // Released: a new supervisor may take over.
    let again = Supervisor::spawn(config, false).unwrap();
    again.shutdown().await;
}

#[tokio::test]
async fn preflight_failure_is_final_and_immediate() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), "exit 0");
    config.dockerd = "/nonexistent/dockerd".into();
    let sup = Supervisor::spawn(config, false).unwrap();
    let reason = final_failure(&sup).await;
    assert!(
        reason.contains("/nonexistent/dockerd is not installed"),
        "{reason}"
    );
    sup.shutdown().await;
}
