//! The real app under Xvfb with its own session bus: the window starts Berth's tray, which,
//! with no engine reachable, starts Berth's own engine; the dashboard samples the host only
//! while the window shows; SIGTERM to the tray quits it and its window and stops that engine
//! gracefully. The tray menu, driven over the session bus, shows and drives the engine and the
//! running containers; closing the window ends the window's process while the tray and the
//! engine live on, and Open dashboard starts it again; a container or the engine dying on its
//! own is notified, a stop asked for is not.
//! Needs root (the engine is rootful) and Xvfb: run with `--include-ignored`.

mod support;

use std::process::{Command, Stdio};

use support::{
    Killed, Notifications, close_until, logs, session_bus, set_window_visible, tray_click,
    tray_items, tray_menu, web_processes, window_shown, window_viewable, xvfb,
};

use berth_testkit::{IsolatedHome, process_alive, require_root, run, wait_until};

/// The first status line the engine's supervisor answers `request` with.
fn ask(home: &IsolatedHome, request: &str) -> Option<serde_json::Value> {
    serde_json::from_str(&home.ask("control.sock", request)?).ok()
}

fn engine_state(home: &IsolatedHome) -> Option<String> {
    Some(ask(home, "status")?["state"].as_str()?.to_owned())
}

/// The app in this home, on this display and session bus, finding no engine outside the home
/// (so that it starts its own).
fn app_command(home: &IsolatedHome, display: &str, bus: &str) -> Command {
    let app = std::path::Path::new(env!("CARGO_BIN_EXE_berth-app"));
    assert!(
        app.with_file_name("berth-tray").exists(),
        "the window starts berth-tray from beside it: build it too (cargo build -p berth-tray)"
    );
    let mut cmd = Command::new(app);
    home.apply(&mut cmd);
    cmd.env("DISPLAY", display)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("BERTH_ENGINE_AUTOSTART", "1")
        // The subscriptions' starts and ends, which the tests look for in the log.
        .env("BERTH_LOG", "info,berth_app=debug,berth::ui=debug")
        .env(
            "DOCKER_HOST",
            format!("unix://{}/none.sock", home.path().display()),
        );
    cmd
}

/// How many Berth windows the display has.
fn windows(display: &str) -> usize {
    let tree = run(Command::new("xwininfo").args(["-root", "-tree", "-display", display]));
    String::from_utf8_lossy(&tree.stdout)
        .matches("\"Berth\"")
        .count()
}

/// Starts the app and waits until the engine it starts runs.
fn launch(home: &IsolatedHome, display: &str, bus: &str) -> Killed {
    let mut cmd = app_command(home, display, bus);
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let app = Killed(cmd.spawn().expect("the app binary"));
    wait_until(90, "the app's engine to run", || {
        engine_state(home).as_deref() == Some("running")
    });
    app
}

#[test]
#[ignore = "needs root, Xvfb and a real dockerd (scripts/test.sh runs it)"]
fn the_app_starts_its_engine_shows_its_window_and_stops_it_on_quit() {
    require_root();
    let home = IsolatedHome::new();
    let (_x, display) = xvfb();
    let (_bus, bus) = session_bus();
    let mut app = launch(&home, &display, &bus);
    wait_until(30, "the Berth window", || window_shown(&display, "Berth"));
    assert!(home.engine_socket().exists());
    // It re-executed itself with GTK's OpenGL off (see src/tuning.rs), and its window showed.
    let environ = std::fs::read(format!("/proc/{}/environ", app.0.id())).unwrap();
    assert!(
        environ.split(|b| *b == 0).any(|v| v == b"GDK_GL=disable"),
        "the app runs without GDK_GL=disable"
    );
    // Without a GPU (no DRM render node, as on the test machines), WebKit's DMA-BUF renderer is
    // off and the window's process never opens Mesa's software renderer (window_env).
    if !berth_api::desktop::has_render_node() {
        assert!(
            environ
                .split(|b| *b == 0)
                .any(|v| v == b"WEBKIT_DISABLE_DMABUF_RENDERER=1"),
            "the app runs with WebKit's DMA-BUF renderer on, on a machine without a GPU"
        );
        let maps = std::fs::read_to_string(format!("/proc/{}/maps", app.0.id())).unwrap();
        assert!(
            !maps.contains("_dri.so") && !maps.contains("libLLVM"),
            "the window's process loaded Mesa's renderer: {}",
            maps.lines()
                .find(|l| l.contains("_dri.so") || l.contains("libLLVM"))
                .unwrap_or_default()
        );
    }
    // The window and the tray log to daily files in the state directory.
    let log = || logs(&home.path().join("state/berth"), &["app.", "tray."]);
    wait_until(
        30,
        "the tray's log file to say it started the engine",
        || log().contains("no engine answers; starting Berth's own"),
    );
    // The dashboard samples the host only while its window shows: hidden (minimised), it
    // unsubscribes; shown again, it follows again.
    let followed = |log: &str| -> Vec<String> {
        log.lines()
            .filter(|l| l.contains("host samples followed"))
            .filter_map(|l| l.split("id=").nth(1).map(str::to_owned))
            .collect()
    };
    let subscriptions = || {
        log()
            .lines()
            .filter(|l| l.contains("followed") || l.contains("unsubscribed"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    wait_until(30, "the window mapped", || {
        window_viewable(&display, "Berth")
    });
    wait_until(30, "the dashboard to follow the host's samples", || {
        !followed(&log()).is_empty()
    });
    // Hidden, every subscription the dashboard made ends (the dashboard is made again when the
    // engine first answers, so there may be more than one); shown, a new one starts. An unmap
    // sent in the window's first moments can come to nothing (seen here: the window stayed
    // viewable for good, with no window manager to insist), so it is sent again while the
    // window shows.
    let unsubscribed = |log: &str, id: &str| log.contains(&format!("unsubscribed id={id}\n"));
    let hidden = std::panic::catch_unwind(|| {
        wait_until(30, "the hidden dashboard to unsubscribe", || {
            if window_viewable(&display, "Berth") {
                set_window_visible(&display, "Berth", false);
            }
            let log = log();
            followed(&log).iter().all(|id| unsubscribed(&log, id))
        })
    });
    assert!(
        hidden.is_ok(),
        "viewable: {}; subscriptions so far:\n{}",
        window_viewable(&display, "Berth"),
        subscriptions()
    );
    let before = followed(&log()).len();
    let shown = std::panic::catch_unwind(|| {
        wait_until(30, "the dashboard shown again to follow again", || {
            if !window_viewable(&display, "Berth") {
                set_window_visible(&display, "Berth", true);
            }
            followed(&log()).len() > before
        })
    });
    assert!(
        shown.is_ok(),
        "viewable: {}; subscriptions so far:\n{}",
        window_viewable(&display, "Berth"),
        subscriptions()
    );
    // A second launch in the same session hands over to the first and exits.
    let second = run(&mut app_command(&home, &display, &bus));
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(
        app.0.try_wait().unwrap().is_none(),
        "the first instance runs on"
    );
    assert_eq!(windows(&display), 1, "one window");
    // So does one from another session (another session bus, as from a shell or a launcher
    // without the session's environment): the tray keeps to one window.
    let (_other_bus, other_bus) = session_bus();
    let mut third = app_command(&home, &display, &other_bus);
    let mut third = Killed(third.stdout(Stdio::null()).spawn().expect("the app binary"));
    let mut ended = None;
    wait_until(
        30,
        "a launch from another session to hand over and end",
        || {
            ended = third.0.try_wait().unwrap();
            ended.is_some()
        },
    );
    assert!(ended.unwrap().success(), "it ended with {ended:?}");
    assert!(
        log().contains("a second window: the attached one shows itself"),
        "{}",
        log()
    );
    assert_eq!(windows(&display), 1, "one window");
    // A second launch that names a view shows it in the running window.
    assert!(!log().contains("mark=containers-rendered"), "{}", log());
    let to_containers = run(app_command(&home, &display, &bus).args(["--view", "containers"]));
    assert!(to_containers.status.success());
    wait_until(30, "the running window to show the containers", || {
        log().contains("mark=containers-rendered")
    });
    // What `berth engine start` does from a terminal: it reaches the tray's supervisor and
    // reuses its engine instead of starting a second one.
    let tray = home.tray_pid().expect("the tray runs");
    let reused = ask(&home, "start").expect("the tray's supervisor answers");
    assert_eq!(reused["state"], "running");
    assert_eq!(reused["supervisor_pid"].as_u64(), Some(tray as u64));
    // The tray does not link WebKit (nor GTK): that is what makes it small.
    let maps = std::fs::read_to_string(format!("/proc/{tray}/maps")).unwrap();
    assert!(
        !maps.contains("libwebkit2gtk") && !maps.contains("libgtk-3"),
        "the tray maps WebKit or GTK"
    );

    // Quit the tray as a logout would: the window quits with it, and the tray stops the engine it
    // started.
    run(Command::new("kill").args(["-TERM", &tray.to_string()]));
    let status = app.0.wait().expect("the app exits");
    let mut stderr = String::new();
    let _ = std::io::Read::read_to_string(&mut app.0.stderr.take().unwrap(), &mut stderr);
    assert!(status.success(), "the app exited with {status}: {stderr}");
    wait_until(60, "the tray to end", || !process_alive(tray));
    assert_eq!(engine_state(&home), None, "no supervisor is left");
    assert!(
        !home.engine_socket().exists(),
        "the engine was stopped: {stderr}"
    );
    assert!(
        home.path().join("data/berth/engine").is_dir(),
        "its data stays"
    );
}

#[test]
#[ignore = "needs root, Xvfb and a real dockerd (scripts/test.sh runs it)"]
fn the_tray_menu_shows_and_drives_the_engine() {
    require_root();
    let home = IsolatedHome::new();
    let (_x, display) = xvfb();
    let (_bus, bus) = session_bus();
    let notes = Notifications::watch(&bus, home.path());
    let mut app = launch(&home, &display, &bus);
    let mut menu = None;
    wait_until(30, "the tray menu on the session bus", || {
        menu = tray_menu(&bus);
        menu.is_some()
    });
    let menu = menu.unwrap();
    let item = |label: &str| {
        tray_items(&bus, &menu)
            .into_iter()
            .find(|(_, l, _, _)| l.starts_with(label))
            .map(|(id, l, enabled, _)| (id, l, enabled))
    };
    wait_until(30, "the tray to say the engine runs", || {
        item("Engine running (Berth's own, rootful").is_some()
    });

    // Closing the window ends the window's process (and its web process); the tray and the
    // engine live on. Open dashboard starts the window again.
    let pid = app.0.id();
    wait_until(30, "the window and its web process", || {
        window_shown(&display, "Berth") && web_processes(pid) > 0
    });
    let mut ended = None;
    close_until(&display, "Berth", "the window's process to end", || {
        ended = app.0.try_wait().unwrap();
        ended.is_some()
    });
    let status = ended.unwrap();
    assert!(
        status.success(),
        "the window's process exited with {status}"
    );
    assert!(!window_shown(&display, "Berth"));
    assert!(item("Engine running").is_some(), "the tray lives on");
    assert_eq!(engine_state(&home).as_deref(), Some("running"));
    let tray = home.tray_pid().expect("the tray runs");
    let (open, _, _) = item("Open dashboard").expect("an Open dashboard item");
    let log = || logs(&home.path().join("state/berth"), &["app.", "tray."]);
    // (A window may render its dashboard more than once as it starts.)
    let rendered = || log().matches("mark=dashboard-rendered").count();
    let before = rendered();
    tray_click(&bus, &menu, open);
    wait_until(30, "the window again", || window_shown(&display, "Berth"));
    // Closed again, a second `berth-tray --open --view NAME` (what a launcher or a shell runs)
    // has the running tray start the window on that view.
    wait_until(30, "the window's page again", || rendered() > before);
    close_until(&display, "Berth", "the window to go", || {
        !window_shown(&display, "Berth")
    });
    assert!(!log().contains("mark=containers-rendered"), "{}", log());
    let mut second = Command::new(
        std::path::Path::new(env!("CARGO_BIN_EXE_berth-app")).with_file_name("berth-tray"),
    );
    home.apply(&mut second);
    second
        .env("DISPLAY", &display)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .args(["--open", "--view", "containers"]);
    let second = run(&mut second);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    wait_until(30, "the window on the containers", || {
        log().contains("mark=containers-rendered")
    });
    // Open dashboard with the window open shows that window; it starts no other.
    tray_click(&bus, &menu, open);
    wait_until(30, "the tray to show its window", || {
        log().contains("the attached window shows itself")
    });
    assert_eq!(windows(&display), 1, "one window");
    // A running container shows in the Containers submenu, with its actions and its port.
    let docker = |args: &[&str]| {
        let mut cmd = Command::new("docker");
        cmd.env(
            "DOCKER_HOST",
            format!("unix://{}", home.engine_socket().display()),
        )
        .env("DOCKER_BUILDKIT", "0")
        .args(args);
        let out = run(&mut cmd);
        assert!(
            out.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ctx = home.path().join("ctx");
    berth_testkit::write_busybox_context(
        &ctx,
        "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"80\"]\n",
        &[],
    );
    docker(&[
        "build",
        "-q",
        "-t",
        "berth-tray-test",
        &ctx.display().to_string(),
    ]);
    let port = berth_testkit::free_port();
    docker(&[
        "run",
        "-d",
        "--name",
        "tray-web",
        "-p",
        &format!("127.0.0.1:{port}:80"),
        "berth-tray-test",
    ]);
    wait_until(30, "the container in the tray", || {
        let items = tray_items(&bus, &menu);
        let under = |label: &str| {
            items
                .iter()
                .any(|(_, l, _, p)| p == "tray-web" && l == label)
        };
        // Published on the loopback alone: opened at that address.
        under("Stop") && under("Restart") && under(&format!("Open http://127.0.0.1:{port}"))
    });
    // Paused, it leaves the submenu; resumed, it is back (dockerd 20.10 tells both before its
    // list shows them).
    docker(&["pause", "tray-web"]);
    wait_until(30, "the tray to drop the paused container", || {
        item("No running containers").is_some()
    });
    docker(&["unpause", "tray-web"]);
    wait_until(30, "the resumed container back in the tray", || {
        tray_items(&bus, &menu)
            .iter()
            .any(|(_, l, _, p)| p == "tray-web" && l == "Stop")
    });
    let stop_container = tray_items(&bus, &menu)
        .into_iter()
        .find(|(_, l, _, p)| p == "tray-web" && l == "Stop")
        .unwrap()
        .0;
    tray_click(&bus, &menu, stop_container);
    wait_until(30, "the container to stop from the tray", || {
        docker(&["inspect", "-f", "{{.State.Running}}", "tray-web"]).trim() == "false"
    });
    wait_until(30, "the tray to drop the stopped container", || {
        item("No running containers").is_some()
    });
    docker(&["rm", "tray-web"]);

    // A container that dies on its own is news; the one stopped from the tray was not.
    docker(&[
        "run",
        "-d",
        "--name",
        "tray-crash",
        "berth-tray-test",
        "/bin/busybox",
        "sh",
        "-c",
        "exit 3",
    ]);
    wait_until(30, "a notification that the container died", || {
        notes.sent("Container tray-crash exited with code 3")
    });
    assert!(
        !notes.sent("Container tray-web"),
        "the stop from the tray was notified"
    );
    docker(&["rm", "tray-crash"]);

    let (stop, _, enabled) = item("Stop engine").expect("a Stop engine item");
    assert!(enabled);
    assert!(
        !item("Start engine").unwrap().2,
        "Start is off while it runs"
    );

    tray_click(&bus, &menu, stop);
    wait_until(60, "the engine to stop", || {
        engine_state(&home).as_deref() == Some("stopped")
    });
    wait_until(30, "the tray to say the engine stopped", || {
        item("Engine stopped").is_some() && item("Start engine").is_some_and(|i| i.2)
    });
    assert!(!home.engine_socket().exists());
    assert!(
        !notes.sent("Berth's engine stopped"),
        "the stop asked for from the tray was notified: {:?}",
        notes.texts()
    );

    let (start, _, _) = item("Start engine").unwrap();
    tray_click(&bus, &menu, start);
    wait_until(90, "the engine to run again", || {
        engine_state(&home).as_deref() == Some("running")
    });
    wait_until(30, "the tray to say it runs again", || {
        item("Engine running").is_some()
    });

    // An engine that dies on its own is news, and comes back.
    let dockerd = ask(&home, "status").unwrap()["pid"].as_u64().unwrap();
    run(Command::new("kill").args(["-KILL", &dockerd.to_string()]));
    // (It reads "stopped: REASON", or "stopped (REASON); restarting it" once the restart is
    // planned, as the app sees the states.)
    wait_until(30, "a notification that the engine stopped", || {
        notes.sent("Berth's engine stopped")
    });
    wait_until(90, "the engine to run again after its crash", || {
        ask(&home, "status").is_some_and(|s| {
            s["state"] == "running" && s["pid"].as_u64().is_some_and(|p| p != dockerd)
        })
    });

    // Quit from the tray ends the tray and its window and stops the engine it runs.
    let (quit, _, _) = item("Quit Berth").expect("a Quit item");
    tray_click(&bus, &menu, quit);
    wait_until(60, "the tray to end", || !process_alive(tray));
    wait_until(30, "its window to close", || {
        !window_shown(&display, "Berth")
    });
    assert!(!home.engine_socket().exists());
}
