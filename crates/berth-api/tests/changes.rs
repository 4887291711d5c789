//! What the facade follows of the harness's real engine (`Berth::follow_changes`): the
//! container list after the events that change it, and not after those that do not. Needs root
//! and a real engine: run with `--include-ignored`.

use std::time::Duration;

mod support;

use berth_api::EngineChange;
use berth_testkit::{Scope, busybox_image, engine};
use tokio::sync::mpsc;

/// What one change said: the actions of a burst, or the statuses of the listed containers.
#[derive(Debug)]
enum Seen {
    Burst(Vec<String>),
    Listed(Vec<(String, String)>),
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_health_check_changes_the_list_by_its_status_not_by_its_commands() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:sleeper", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"3600\"]");
    let (_home, berth) = support::berth_on(e);
    let (tx, mut seen) = mpsc::unbounded_channel();
    let follow = tokio::spawn(async move {
        berth
            .follow_changes(|change| {
                let _ = tx.send(match change {
                    EngineChange::Burst(events) => {
                        Seen::Burst(events.iter().map(|e| e.action.clone()).collect())
                    }
                    EngineChange::Listed(rows) => Seen::Listed(
                        rows.into_iter()
                            .map(|r| (r.names.join(","), r.status))
                            .collect(),
                    ),
                    EngineChange::Images(_) => return,
                });
            })
            .await
    });
    // The first list, before the container exists.
    assert!(matches!(next(&mut seen).await, Seen::Listed(_)));

    let name = scope.name("checked");
    e.docker_ok(&[
        "run",
        "-d",
        "--name",
        &name,
        "-l",
        &scope.label(),
        "--health-cmd",
        "true",
        "--health-interval",
        "1s",
        &image,
    ]);
    // The check runs its command each second; the list follows its status only.
    let mut bursts = Vec::new();
    loop {
        match next(&mut seen).await {
            Seen::Burst(actions) => bursts.push(actions),
            Seen::Listed(rows)
                if rows
                    .iter()
                    .any(|(n, status)| *n == name && status.contains("(healthy)")) =>
            {
                break;
            }
            Seen::Listed(_) => {}
        }
    }
    follow.abort();
    let all: Vec<&String> = bursts.iter().flatten().collect();
    assert!(
        all.iter().any(|a| a.as_str() == "health_status: healthy"),
        "{bursts:?}"
    );
    assert!(
        !all.iter().any(|a| a.starts_with("exec_")),
        "a health check's commands were taken for changes: {bursts:?}"
    );
}

/// The next change, within 30 s.
async fn next(seen: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(Duration::from_secs(30), seen.recv())
        .await
        .expect("a change within 30 s")
        .expect("following goes on")
}
