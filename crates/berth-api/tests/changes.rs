//! What the facade follows of the harness's real engine (`Berth::follow_changes`): the
//! container list after the events that change it, and not after those that do not; networks
//! and volumes made and removed. Needs root
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
    let image = support::sleeper(e, &scope, "sleeper");
    let (_home, berth) = support::berth_on(e);
    let (follow, mut seen) = follow(berth, containers_seen);
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
    // The check runs its command each second; the list follows its status only: the status
    // is told, and a list after it says it. (A list after another test's change on the same
    // engine can say it before it is told: that one does not count.)
    let mut bursts = Vec::new();
    let mut told = false;
    let until = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            tokio::time::Instant::now() < until,
            "not told healthy and listed so in 60 s: {bursts:?}"
        );
        match next(&mut seen).await {
            Seen::Burst(actions) => {
                told |= actions.iter().any(|a| a == "health_status: healthy");
                bursts.push(actions);
            }
            Seen::Listed(rows)
                if told
                    && rows
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
        !all.iter().any(|a| a.starts_with("exec_")),
        "a health check's commands were taken for changes: {bursts:?}"
    );
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_container_paused_and_resumed_is_told_and_listed() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "pausable");
    let name = scope.name("pausable");
    e.docker_ok(&["run", "-d", "--name", &name, "-l", &scope.label(), &image]);
    let (_home, berth) = support::berth_on(e);
    let (follow, mut seen) = follow(berth, containers_seen);
    assert!(matches!(next(&mut seen).await, Seen::Listed(_)));
    // Each is told in a burst, and a list follows it (which dockerd 20.10 can read before it
    // wrote the new state: berth_api::container_list keeps what the event said).
    for action in ["pause", "unpause"] {
        e.docker_ok(&[action, &name]);
        let mut told = false;
        loop {
            match next(&mut seen).await {
                Seen::Burst(actions) => told |= actions.iter().any(|a| a == action),
                Seen::Listed(rows) if told => {
                    assert!(rows.iter().any(|(n, _)| *n == name), "{rows:?}");
                    break;
                }
                Seen::Listed(_) => {}
            }
        }
    }
    follow.abort();
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn networks_and_volumes_made_and_removed_are_told_a_volume_mounted_is_not() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:mounter", scope.id);
    busybox_image(e, &scope, &image, "");
    let (_home, berth) = support::berth_on(e);
    // (kind, action, name) of each network and volume event told.
    let (follow, mut seen) = follow(berth, |change| match change {
        EngineChange::Networks(events) => Some(
            events
                .iter()
                .map(|e| {
                    (
                        "network",
                        e.action.clone(),
                        e.attributes.get("name").cloned(),
                    )
                })
                .collect(),
        ),
        EngineChange::Volumes(events) => Some(
            events
                .iter()
                .map(|e| ("volume", e.action.clone(), Some(e.actor.clone())))
                .collect(),
        ),
        EngineChange::Listed(_) => Some(vec![("list", "listed".to_owned(), None)]),
        _ => None,
    });
    let first = tokio::time::timeout(Duration::from_secs(30), seen.recv()).await;
    assert!(
        matches!(first, Ok(Some(v)) if v[0].1 == "listed"),
        "the first list"
    );
    // A network and a volume of one name.
    let name = scope.name("told");
    e.docker_ok(&["network", "create", "--label", &scope.label(), &name]);
    e.docker_ok(&["volume", "create", "--label", &scope.label(), &name]);
    let mount = format!("{name}:/v");
    e.docker_ok(&[
        "run",
        "--rm",
        "-l",
        &scope.label(),
        "-v",
        &mount,
        &image,
        "true",
    ]);
    e.docker_ok(&["network", "rm", &name]);
    e.docker_ok(&["volume", "rm", &name]);
    let mut told: Vec<String> = Vec::new();
    while told.last().is_none_or(|t| t != "volume destroy") {
        let events = tokio::time::timeout(Duration::from_secs(30), seen.recv())
            .await
            .expect("the network's and the volume's events within 30 s")
            .expect("following goes on");
        told.extend(
            events
                .into_iter()
                .filter(|(_, _, told)| told.as_deref() == Some(name.as_str()))
                .map(|(kind, action, _)| format!("{kind} {action}")),
        );
    }
    follow.abort();
    // The engine says `create` again for the volume when the container is made with it.
    told.dedup();
    assert_eq!(
        told,
        [
            "network create",
            "volume create",
            "network destroy",
            "volume destroy"
        ],
        "the volume's mount and unmount by the container are not told"
    );
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn the_engine_says_its_time_which_a_followed_stream_starts_from() {
    let (_home, berth) = support::berth_on(engine());
    let conn = berth.connect().await.unwrap();
    let engine_time = conn.client.engine_time().await.unwrap();
    let here = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // The same host's clock: within a few seconds of this one.
    assert!((engine_time - here).abs() < 5, "{engine_time} vs {here}");
}

/// Follows the engine's changes in a task; each goes to the receiver as `seen` makes it, if it
/// makes something of it.
fn follow<T: Send + 'static>(
    berth: berth_api::Berth,
    seen: impl Fn(EngineChange<'_>) -> Option<T> + Send + Sync + 'static,
) -> (tokio::task::JoinHandle<()>, mpsc::UnboundedReceiver<T>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        berth
            .follow_changes(|change| {
                if let Some(item) = seen(change) {
                    let _ = tx.send(item);
                }
            })
            .await
    });
    (task, rx)
}

/// What a change says of the containers: a burst's actions, or the list's statuses.
fn containers_seen(change: EngineChange<'_>) -> Option<Seen> {
    match change {
        EngineChange::Burst(events) => Some(Seen::Burst(
            events.iter().map(|e| e.action.clone()).collect(),
        )),
        EngineChange::Listed(rows) => Some(Seen::Listed(
            rows.into_iter()
                .map(|r| (r.names.join(","), r.status))
                .collect(),
        )),
        EngineChange::Images(_) | EngineChange::Networks(_) | EngineChange::Volumes(_) => None,
    }
}

/// The next change, within 30 s.
async fn next(seen: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(Duration::from_secs(30), seen.recv())
        .await
        .expect("a change within 30 s")
        .expect("following goes on")
}
