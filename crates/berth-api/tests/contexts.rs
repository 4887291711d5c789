//! Switching the current context while the facade follows the engine (`Berth::follow_engine`,
//! `Berth::follow_changes`): by the app's own switch and by another process writing
//! `config.json`, as `docker context use` does. Two contexts lead to the harness's engine, one
//! on its socket and one over tcp with TLS (needs root and a real engine: run with
//! `--include-ignored`). And what the engine view says when no engine answers.

use std::sync::Arc;
use std::time::Duration;

mod support;

use berth_api::{EngineChange, Target};
use berth_engine::context::ContextStore;
use berth_testkit::{Scope, engine};
use tokio::sync::mpsc;

/// What one of the two followers said.
#[derive(Debug)]
enum Seen {
    /// The engine in use: its source and host.
    Engine(Option<(String, String)>),
    /// The containers' names and states.
    Listed(Vec<(String, String)>),
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn the_followers_move_to_the_engine_of_a_context_made_current() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "sleeper");
    let name = scope.name("waiting");
    e.docker_ok(&["create", "--name", &name, "-l", &scope.label(), &image]);

    let home = tempfile::tempdir().unwrap();
    let berth = Arc::new(support::berth_in(home.path(), Target::Discover));
    berth
        .context_add("plain", &e.host, None, None, None)
        .unwrap();
    let tls = |f: &str| e.tls.client_dir.join(f).display().to_string();
    berth
        .context_add(
            "tls",
            &e.tls_host,
            Some(&tls("ca.pem")),
            Some(&tls("cert.pem")),
            Some(&tls("key.pem")),
        )
        .unwrap();
    berth.context_use("plain").unwrap();

    let (tx, mut seen) = mpsc::unbounded_channel();
    let views = tokio::spawn({
        let (berth, tx) = (berth.clone(), tx.clone());
        async move {
            berth
                .follow_engine(|_, view| {
                    let _ = tx.send(Seen::Engine(view.connection.map(|c| (c.source, c.host))));
                })
                .await
        }
    });
    let changes = tokio::spawn({
        let berth = berth.clone();
        async move {
            berth
                .follow_changes(|change| {
                    if let EngineChange::Listed(rows) = change {
                        let _ = tx.send(Seen::Listed(
                            rows.into_iter()
                                .map(|r| (r.names.join(","), r.state))
                                .collect(),
                        ));
                    }
                })
                .await
        }
    });
    let on = |source: &str, host: &str| Some((source.to_owned(), host.to_owned()));
    let waiting =
        |rows: &[(String, String)], state: &str| rows.iter().any(|(n, s)| *n == name && s == state);

    // Both follow the plain context's engine.
    let (mut engine_seen, mut listed) = (false, false);
    while !(engine_seen && listed) {
        match next(&mut seen).await {
            Seen::Engine(c) => engine_seen |= c == on("context plain", &e.host),
            Seen::Listed(rows) => listed |= waiting(&rows, "created"),
        }
    }

    // The app switches: the engine over TLS is in use, and its list comes without any event.
    berth.switch_context("tls").await.unwrap();
    let (mut engine_seen, mut listed) = (false, false);
    while !(engine_seen && listed) {
        match next(&mut seen).await {
            Seen::Engine(c) => engine_seen |= c == on("context tls", &e.tls_host),
            Seen::Listed(rows) => listed |= engine_seen && waiting(&rows, "created"),
        }
    }

    // Another process switches back, writing config.json as `docker context use` does.
    ContextStore::new(support::env_in(home.path()))
        .use_context("plain")
        .unwrap();
    let mut engine_seen = false;
    while !engine_seen {
        if let Seen::Engine(c) = next(&mut seen).await {
            engine_seen = c == on("context plain", &e.host);
        }
    }

    // The events of the engine now in use still reach the list.
    e.docker_ok(&["start", &name]);
    while !matches!(next(&mut seen).await, Seen::Listed(rows) if waiting(&rows, "running")) {}
    views.abort();
    changes.abort();
}

/// The next thing seen, within 30 s (each printed: the test's output shows them if it fails).
async fn next(seen: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(Duration::from_secs(30), seen.recv())
        .await
        .expect("a change within 30 s")
        .inspect(|s| eprintln!("{s:?}"))
        .expect("following goes on")
}

/// With no engine answering, the engine view says what was tried, without the CLI's hint (the
/// app puts a Start button beside it). Needs no engine.
#[tokio::test]
async fn with_no_engine_the_view_says_what_was_tried() {
    let home = tempfile::tempdir().unwrap();
    let socket = home.path().join("none.sock");
    let host = format!("unix://{}", socket.display());
    let berth = support::berth_in(home.path(), Target::Host(host.clone()));
    let view = berth.engine_view().await;
    assert!(view.connection.is_none());
    let problem = view.problem.expect("a problem");
    assert!(
        problem.starts_with("tried ") && problem.contains(&host) && problem.contains("no socket"),
        "{problem}"
    );
    assert!(!problem.contains("berth engine start"), "{problem}");
}
