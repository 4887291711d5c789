//! A terminal's end, on the harness's real engine: the Ctrl-C and Ctrl-D a closing terminal
//! types end a shell at its prompt; a program that ignores both gets SIGHUP, as a closed
//! terminal's session does, and ends with everything it started. Needs root and a real engine:
//! run with `--include-ignored`.

mod support;

use std::time::{Duration, Instant};

use berth_api::{Berth, Connection, ExecSession, ExecSpec, HungUp};
use berth_testkit::{Scope, engine, wait_until};
use tokio::io::AsyncWriteExt;

/// How long the command has to end by itself after the keys.
const GRACE: Duration = Duration::from_millis(500);

/// `command` in a TTY in container `id`, given Ctrl-C and Ctrl-D and its input closed, as the
/// app's terminal does when its page goes: once `running` shows among the container's
/// processes (the command has set its traps by then).
async fn typed_hang_up(
    berth: &Berth,
    conn: &Connection,
    id: &str,
    command: &[&str],
    running: &str,
) -> ExecSession {
    let spec = ExecSpec {
        command: command.iter().map(|s| s.to_string()).collect(),
        tty: true,
        interactive: true,
        size: Some((24, 80)),
        ..Default::default()
    };
    let mut session = berth.exec(conn, id, &spec).await.unwrap();
    wait_until(20, running, || {
        engine()
            .docker_ok(&["top", id, "-o", "pid,args"])
            .lines()
            .any(|l| l.trim().ends_with(&format!(" {running}")))
    });
    session.input.write_all(b"\x03\x04").await.unwrap();
    session.input.shutdown().await.unwrap();
    session
}

/// Waits for exec `exec_id` to end; its exit code.
async fn ended(berth: &Berth, conn: &Connection, exec_id: &str) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(code) = berth.exec_exit_code(conn, exec_id).await.unwrap() {
            return code;
        }
        assert!(Instant::now() < deadline, "exec {exec_id} still runs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_hung_up_terminal_ends_what_runs_in_it() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "terminal");
    let name = scope.name("terminal");
    let label = scope.label();
    e.docker_ok(&["run", "-d", "--name", &name, "-l", &label, &image]);
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();

    // A shell at its prompt exits on Ctrl-D.
    let shell = typed_hang_up(&berth, &conn, &name, &["sh"], "sh").await;
    assert_eq!(
        berth.exec_hang_up(&conn, &shell.id, GRACE).await.unwrap(),
        HungUp::Ended
    );

    // A loop that ignores Ctrl-C (its sleep inherits that) and reads nothing runs on after
    // both keys, until the hang-up.
    let stubborn = typed_hang_up(
        &berth,
        &conn,
        &name,
        &["sh", "-c", "trap '' INT; while :; do sleep 7200; done"],
        "sleep 7200",
    )
    .await;
    let hung = berth
        .exec_hang_up(&conn, &stubborn.id, GRACE)
        .await
        .unwrap();
    assert_eq!(hung, HungUp::Signalled(2), "the loop's sh and its sleep");
    ended(&berth, &conn, &stubborn.id).await;
    let left = e.docker_ok(&["exec", &name, "ps", "-o", "args"]);
    assert!(!left.contains("sleep 7200"), "its sleep ended too:\n{left}");

    // One that ignores Ctrl-C and executes another program in its place: the exec's pid now
    // runs `sleep`, no longer the command the engine names.
    let execed = typed_hang_up(
        &berth,
        &conn,
        &name,
        &["sh", "-c", "trap '' INT; exec sleep 7201"],
        "sleep 7201",
    )
    .await;
    let hung = berth.exec_hang_up(&conn, &execed.id, GRACE).await.unwrap();
    assert_eq!(hung, HungUp::Signalled(1), "the sleep it became");
    ended(&berth, &conn, &execed.id).await;
    drop((shell, stubborn, execed));
}
