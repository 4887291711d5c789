//! Live views through `berth` against the harness's real engine: stats of a busy container,
//! its processes, and the event stream with filters. Needs root and a real engine: run with
//! `--include-ignored`.

mod support;

use std::io::BufRead;
use std::process::Stdio;
use std::time::{Duration, Instant};

use berth_testkit::{Scope, busybox_image, engine};
use support::{Home, first_line_then_closed, json_lines, ok};

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn stats_and_top_of_a_busy_container() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:busy", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "CMD [\"sh\", \"-c\", \"while :; do :; done\"]",
    );
    let name = scope.name("busy");
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "--name",
        &name,
        "-l",
        &scope.label(),
        "-m",
        "64m",
        &image,
    ]));

    let reading = &json_lines(&ok(home.berth(&[
        "-H",
        h,
        "stats",
        "--no-stream",
        "--format",
        "json",
        &name,
    ])))[0];
    assert_eq!(reading["name"], name.as_str());
    let cpu = reading["cpu_percent"].as_f64().unwrap();
    assert!(cpu > 20.0, "a busy loop uses a good share of a core: {cpu}");
    assert_eq!(reading["memory_limit"].as_u64(), Some(64 * 1024 * 1024));
    assert!(reading["memory"].as_u64().unwrap() > 0 && reading["pids"].as_u64().unwrap() >= 1);
    let table = ok(home.berth(&["-H", h, "stats", "--no-stream", &name]));
    assert!(
        table.starts_with("CONTAINER ID   NAME") && table.contains("/ 64MiB"),
        "{table}"
    );

    // Templates as docker's: the fields that do not move between two readings, byte for byte,
    // and {{json .}} with docker's keys.
    for args in [
        vec![
            "stats",
            "--no-stream",
            "--format",
            "table {{.Container}}\t{{.Name}}\t{{.ID}}\t{{.PIDs}}",
            &name,
        ],
        vec![
            "container",
            "stats",
            "--no-stream",
            "--no-trunc",
            "--format",
            "{{.ID}} {{.Name}}",
            &name,
        ],
    ] {
        assert_eq!(
            ok(home.berth(&[&["-H", h][..], &args[..]].concat())),
            e.docker_ok(&args),
            "{args:?}"
        );
    }
    let keys = |text: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        v.as_object().unwrap().keys().cloned().collect()
    };
    let json = [
        "stats",
        "--no-stream",
        "--format",
        "{{json .}}",
        name.as_str(),
    ];
    assert_eq!(
        keys(&ok(home.berth(&[&["-H", h][..], &json[..]].concat()))),
        keys(&e.docker_ok(&json))
    );

    // ps's own options pass through, and the table is docker's (its columns at least 20 wide).
    let args = ["top", name.as_str(), "-o", "pid,args"];
    assert_eq!(
        ok(home.berth(&[&["-H", h][..], &args[..]].concat())),
        e.docker_ok(&args)
    );
    let top = ok(home.berth(&["-H", h, "top", &name]));
    assert!(
        top.lines().next().unwrap().contains("PID") && top.contains("while :; do :; done"),
        "{top}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn stats_follows_containers_that_start_and_stop_and_all_shows_stopped_ones() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let label = scope.label();
    let image = format!("berth-test/{}:idle", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");

    // -a: a container made and never started is listed, with nothing in use, as docker has it.
    let made = scope.name("made");
    ok(home.berth(&["-H", h, "create", "--name", &made, "-l", &label, &image]));
    let once = |all: &[&str]| {
        let mut args = vec![
            "-H",
            h,
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}} {{.MemUsage}}",
        ];
        args.extend(all);
        ok(home.berth(&args))
    };
    let with_all = once(&["-a"]);
    assert!(
        with_all.lines().any(|l| l == format!("{made} 0B / 0B")),
        "{with_all}"
    );
    assert!(!once(&[]).contains(&made));

    // Streaming, none named: one started meanwhile is added, and leaves once it stops.
    let mut child = home
        .berth(&["-H", h, "stats", "--format", "table {{.Name}}"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line.trim().to_owned());
        }
    });
    // The next table (a round of readings, or one drawn as a container went): its names. A
    // table ends where the next begins, or when nothing more comes for a while (the last one
    // drawn, with nothing left to read).
    let mut pending: Option<Vec<String>> = None;
    let mut next_table = |deadline: Instant| -> Option<Vec<String>> {
        while Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_millis(1500)) {
                Ok(line) if line == "NAME" => {
                    if let Some(done) = pending.replace(Vec::new()) {
                        return Some(done);
                    }
                }
                Ok(line) => pending.get_or_insert_with(Vec::new).push(line),
                Err(_) => {
                    if let Some(done) = pending.take() {
                        return Some(done);
                    }
                }
            }
        }
        None
    };
    let late = scope.name("late");
    ok(home.berth(&["-H", h, "run", "-d", "--name", &late, "-l", &label, &image]));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        let table = next_table(deadline);
        assert!(table.is_some(), "no table with {late}: {seen:?}");
        let table = table.unwrap();
        if table.contains(&late) {
            break;
        }
        seen.push(table);
    }
    ok(home.berth(&["-H", h, "stop", "-t", "0", &late]));
    // Tables drawn before the stop hold it; one drawn after does not.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let table = next_table(deadline);
        assert!(table.is_some(), "no table without {late} after its stop");
        if !table.unwrap().contains(&late) {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();

    // Read by something that stops reading (`| head -1`): it ends quietly, no panic.
    ok(home.berth(&["-H", h, "start", &late]));
    // The pipe is closed after the first line: the next reading's write fails.
    let (first, out) = first_line_then_closed(home.berth(&["-H", h, "stats", "--format", "json"]));
    assert!(first.starts_with('{'), "{first}");
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn events_follow_what_happens_with_filters() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:ev", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"true\"]");
    let label = format!("label={}", scope.label());
    let mut child = home
        .berth(&[
            "-H",
            h,
            "events",
            "--format",
            "json",
            "-f",
            "type=container",
            "-f",
            &label,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    // An event stream is live once it reports: keep making containers until one is seen from
    // its create (the stream may go live between a container's create and its start), then
    // wait for that one's die.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut actions: Vec<String> = Vec::new();
    let mut made = 0;
    let seen = |actions: &[String], what: &str| {
        actions
            .iter()
            .skip_while(|a| *a != "create")
            .any(|a| a == what)
    };
    while !seen(&actions, "die") {
        assert!(Instant::now() < deadline, "no die event; saw {actions:?}");
        if !seen(&actions, "create") {
            made += 1;
            ok(home.berth(&[
                "-H",
                h,
                "run",
                "--name",
                &scope.name(&format!("e{made}")),
                "-l",
                &scope.label(),
                &image,
            ]));
        }
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["kind"], "container");
            assert_eq!(
                v["attributes"]["berth.test"],
                scope.id.as_str(),
                "the label filter holds"
            );
            actions.push(v["action"].as_str().unwrap().to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let from_start: Vec<&str> = actions
        .iter()
        .map(String::as_str)
        .skip_while(|a| *a != "create")
        .collect();
    assert!(
        from_start.starts_with(&["create", "attach", "start"])
            || from_start.starts_with(&["create", "start"]),
        "{actions:?}"
    );
    // A past window: --since replays what happened (--until in whole seconds, so a little
    // ahead of now to include this second's events; the engine holds the stream until then).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let until = (now + 2).to_string();
    let since = ok(home.berth(&[
        "-H", h, "events", "--since", "5m", "--until", &until, "-f", &label,
    ]));
    assert!(
        since.contains(" container create ") && since.contains(" container die "),
        "{since}"
    );
    // The same window as docker prints it: its line (in this machine's zone), the engine's
    // JSON, a template.
    let since_start = (now - 300).to_string();
    for format in [
        None,
        Some("{{json .}}"),
        Some(
            "{{.Status}}|{{.ID}}|{{.From}}|{{.Type}} {{.Action}} {{.Actor.Attributes}} {{.Scope}} {{.Time}}",
        ),
    ] {
        let mut args = vec![
            "events",
            "--since",
            &since_start,
            "--until",
            &until,
            "-f",
            &label,
        ];
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        let mut ours = home.berth(&[&["-H", h][..], &args[..]].concat());
        ours.env("TZ", "Europe/Berlin");
        let mut theirs = e.docker();
        theirs.args(&args).env("TZ", "Europe/Berlin");
        assert_eq!(ok(ours), ok(theirs), "{format:?}");
    }
}
