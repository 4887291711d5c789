//! Berth's own engine driven through the real `berth` binary: start, status, stop, restart,
//! the lock, crash detection and restart, stale files, missing programs, autostart, logs, and the
//! rootless engine of an unprivileged user (with a container whose terminal hangs up). Needs
//! root: run with `--include-ignored`.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use berth_testkit::{UnprivilegedUser, require_root, wait_until, write_busybox_context};
use serde_json::Value;
use support::{Home, close_terminal_once, fails, json_lines, ok, run, warnings_said};

/// A home whose Berth engine has a bridge and subnet of its own; the home's drop stops the
/// engine and removes the bridge, its firewall rules and files.
struct OwnEngine {
    home: Home,
}

impl OwnEngine {
    fn new() -> Self {
        require_root();
        Self { home: Home::new() }
    }

    fn with_settings(extra: &str) -> Self {
        let e = Self::new();
        e.home.0.set_settings(extra);
        e
    }

    fn berth(&self, args: &[&str]) -> Command {
        self.home.berth(args)
    }

    fn status(&self) -> Value {
        json_lines(&ok(self.berth(&["engine", "status", "--format", "json"])))[0]["own"].clone()
    }

    fn socket(&self) -> String {
        format!("unix://{}", self.home.0.engine_socket().display())
    }
}

/// `berth engine status --watch --format json`, read line by line with arrival times.
struct Watcher {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<(Instant, Value)>,
    /// The engine log (the supervisor's and dockerd's output), shown when a wait fails.
    log: std::path::PathBuf,
    seen: std::cell::RefCell<Vec<Value>>,
}

impl Watcher {
    fn new(e: &OwnEngine) -> Self {
        use std::io::BufRead;
        let mut child = e
            .berth(&["engine", "status", "--watch", "--format", "json"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let value: Value = serde_json::from_str(&line).expect("a JSON status line");
                if tx.send((Instant::now(), value)).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            log: e.home.path().join("state/berth/engine.log"),
            seen: Default::default(),
        }
    }

    /// The first status line that satisfies `cond`, and when it arrived.
    fn until(&self, secs: u64, what: &str, cond: impl Fn(&Value) -> bool) -> (Value, Instant) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, v)) => {
                    self.seen.borrow_mut().push(v.clone());
                    if cond(&v) {
                        return (v, at);
                    }
                }
                Err(_) => panic!(
                    "no status line for {what} within {secs} s; the lines so far:\n{}\nthe end of {}:\n{}",
                    self.seen
                        .borrow()
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    self.log.display(),
                    log_tail(&self.log, 60),
                ),
            }
        }
    }
}

/// The last `n` lines of a file, or why there are none.
fn log_tail(path: &std::path::Path, n: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        }
        Err(e) => format!("(cannot read it: {e})"),
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn running(s: &Value) -> bool {
    s["state"] == "running"
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn start_status_stop_keeps_the_data() {
    let e = OwnEngine::new();
    assert_eq!(e.status()["state"], "stopped");

    let line = ok(e.berth(&["engine", "start"]));
    assert!(
        line.starts_with("Berth's engine: running (rootful, pid ") && line.contains("API 1.41"),
        "{line}"
    );
    let s = e.status();
    assert_eq!(
        (s["state"].as_str(), s["mode"].as_str()),
        (Some("running"), Some("rootful"))
    );
    assert_eq!(
        s["socket"],
        e.home
            .runtime_dir()
            .join("berth/docker.sock")
            .display()
            .to_string()
            .as_str()
    );
    let data_root = e.home.path().join("data/berth/engine");
    assert_eq!(s["data_root"], data_root.display().to_string().as_str());

    // The engine uses its own bridge, and the engine in use is found by discovery.
    let nets = ok(e.berth(&["-H", &e.socket(), "network", "ls"]));
    assert!(nets.contains("bridge"), "{nets}");
    let text = ok(e.berth(&["engine", "status"]));
    assert!(
        text.contains("In use: ") && text.contains("API 1.41"),
        "{text}"
    );
    let docker = |args: &[&str]| {
        support::ok(
            Command::new("docker")
                .env("DOCKER_HOST", e.socket())
                .env("DOCKER_CONFIG", e.home.docker_config())
                .args(args),
        )
    };
    docker(&["volume", "create", "keepme"]);

    assert_eq!(ok(e.berth(&["engine", "stop"])), "Berth's engine stopped\n");
    assert_eq!(e.status()["state"], "stopped");
    assert!(
        !e.home.runtime_dir().join("berth/docker.sock").exists(),
        "the socket is removed"
    );
    assert!(
        data_root.join("volumes").is_dir(),
        "stop never deletes the data-root"
    );
    assert_eq!(
        ok(e.berth(&["engine", "stop"])),
        "Berth's engine is not running\n"
    );

    ok(e.berth(&["engine", "start"]));
    assert!(
        docker(&["volume", "ls", "-q"])
            .lines()
            .any(|v| v == "keepme"),
        "the volume survived a stop"
    );
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn a_second_start_reuses_the_engine_and_a_second_supervisor_is_refused() {
    let e = OwnEngine::new();
    ok(e.berth(&["engine", "start"]));
    let first = e.status();
    ok(e.berth(&["engine", "start"]));
    let second = e.status();
    assert_eq!(first["supervisor_pid"], second["supervisor_pid"]);
    assert_eq!(first["pid"], second["pid"]);

    let err = fails(e.berth(&["engine", "supervise"]));
    let want = format!("already supervised by process {}", first["supervisor_pid"]);
    assert!(err.contains(&want), "{err}");
    assert_eq!(
        e.status()["pid"],
        first["pid"],
        "the refused supervisor left the engine alone"
    );
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn a_killed_engine_is_detected_within_two_seconds_and_restarted() {
    let e = OwnEngine::new();
    ok(e.berth(&["engine", "start"]));
    let watch = Watcher::new(&e);
    let (first, _) = watch.until(10, "running", running);
    let pid = first["pid"].as_u64().unwrap();
    let killed = Instant::now();
    ok(Command::new("kill").args(["-KILL", &pid.to_string()]));
    let (failed, at) = watch.until(10, "failed", |s| s["state"] == "failed");
    assert!(
        at - killed < Duration::from_secs(2),
        "crash detected after {:?}",
        at - killed
    );
    assert!(
        failed["reason"].as_str().unwrap().contains("SIGKILL"),
        "{failed}"
    );
    let (back, _) = watch.until(60, "a restarted engine", |s| {
        running(s) && s["pid"].as_u64() != Some(pid)
    });
    assert_eq!(e.status()["pid"], back["pid"]);
    ok(e.berth(&["-H", &e.socket(), "ps"]));
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn a_hung_engine_is_detected_within_two_seconds_and_replaced() {
    let e = OwnEngine::new();
    ok(e.berth(&["engine", "start"]));
    let watch = Watcher::new(&e);
    let (first, _) = watch.until(10, "running", running);
    let pid = first["pid"].as_u64().unwrap();
    let stopped = Instant::now();
    ok(Command::new("kill").args(["-STOP", &pid.to_string()]));
    let (failed, at) = watch.until(10, "failed", |s| s["state"] == "failed");
    assert!(
        at - stopped < Duration::from_secs(2),
        "hang detected after {:?}",
        at - stopped
    );
    assert!(
        failed["reason"]
            .as_str()
            .unwrap()
            .contains("stopped answering"),
        "{failed}"
    );
    watch.until(60, "a replacement engine", |s| {
        running(s) && s["pid"].as_u64() != Some(pid)
    });
    let proc = std::path::PathBuf::from(format!("/proc/{pid}"));
    wait_until(10, "the hung dockerd to be gone", || !proc.exists());
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn restart_replaces_the_daemon() {
    let e = OwnEngine::new();
    ok(e.berth(&["engine", "start"]));
    let before = e.status();
    let line = ok(e.berth(&["engine", "restart"]));
    assert!(line.contains("running"), "{line}");
    let after = e.status();
    assert!(running(&after));
    assert_ne!(before["pid"], after["pid"]);
    assert_eq!(before["supervisor_pid"], after["supervisor_pid"]);
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn the_engine_reads_its_own_configuration_file_checked_before_it_starts() {
    let e = OwnEngine::new();
    let file = e.home.path().join("config/berth/daemon.json");
    // None yet: an empty one.
    assert_eq!(ok(e.berth(&["engine", "config"])), "{}\n");
    // What Berth sets itself is refused, naming the key, and nothing is written.
    let bridge = e.home.path().join("bridge.json");
    std::fs::write(&bridge, r#"{"bridge": "docker0"}"#).unwrap();
    let err = fails(e.berth(&["engine", "config", "--set", &bridge.display().to_string()]));
    assert!(
        err.contains("\"bridge\" is Berth's to set") && err.contains("daemon.json"),
        "{err}"
    );
    assert!(!file.exists());
    let config = r#"{"labels": ["berth.test.config=yes"], "log-opts": {"max-size": "5m"}}"#;
    let said = support::feed(e.berth(&["engine", "config", "--set", "-"]), config);
    assert!(said.status.success(), "{said:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), config);
    ok(e.berth(&["engine", "start"]));
    let info = ok(e.berth(&[
        "-H",
        &e.socket(),
        "info",
        "--format",
        "{{json .Labels}} {{json .LoggingDriver}}",
    ]));
    assert!(info.contains("berth.test.config=yes"), "{info}");
    let made = ok(e.berth(&["-H", &e.socket(), "volume", "create", "config-check"]));
    assert_eq!(made.trim(), "config-check");
    // An option dockerd does not know: the restart fails and says dockerd's own words.
    std::fs::write(&file, r#"{"no-such-option": true}"#).unwrap();
    let out = run(e.berth(&["engine", "restart"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("no-such-option"),
        "{err}"
    );
    // Put right, it starts again.
    std::fs::write(&file, "{}\n").unwrap();
    let line = ok(e.berth(&["engine", "start"]));
    assert!(line.contains("running"), "{line}");
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn stale_pidfile_and_socket_from_a_crashed_run_are_cleared() {
    let e = OwnEngine::new();
    let run_dir = e.home.runtime_dir().join("berth");
    std::fs::create_dir_all(&run_dir).unwrap();
    let mut dead = Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    dead.wait().unwrap();
    std::fs::write(run_dir.join("dockerd.pid"), dead_pid.to_string()).unwrap();
    drop(std::os::unix::net::UnixListener::bind(run_dir.join("docker.sock")).unwrap());
    drop(std::os::unix::net::UnixListener::bind(run_dir.join("control.sock")).unwrap());

    assert_eq!(
        e.status()["state"],
        "stopped",
        "a dead control socket reads as stopped"
    );
    ok(e.berth(&["engine", "start"]));
    assert!(running(&e.status()));
    let log = std::fs::read_to_string(e.home.path().join("state/berth/supervisor.log")).unwrap();
    assert!(
        log.contains("removing the stale pidfile") && log.contains("removing the stale socket"),
        "{log}"
    );
}

#[test]
#[ignore = "needs root (scripts/test.sh runs it)"]
fn a_missing_dockerd_is_one_clear_line() {
    let e = OwnEngine::with_settings(r#""engine_dockerd": "/nonexistent/dockerd""#);
    let err = fails(e.berth(&["engine", "start"]));
    assert_eq!(
        err,
        "berth: Berth's engine failed: /nonexistent/dockerd is not installed: install the engine with \
         `sudo apt-get install docker.io` (Debian/Ubuntu)"
    );
    assert_eq!(
        e.status()["state"],
        "stopped",
        "the detached supervisor gave up and exited"
    );
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn the_first_command_starts_the_engine_when_none_answers() {
    assert!(
        !std::path::Path::new("/var/run/docker.sock").exists(),
        "this test needs no system engine on /var/run/docker.sock, which discovery would find first"
    );
    let e = OwnEngine::new();
    let out = run(e.berth(&["ps"]).env("BERTH_ENGINE_AUTOSTART", "1"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with("No engine answers; starting Berth's own (rootful, data in "),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("CONTAINER ID"));
    assert!(running(&e.status()));
    // With the engine up, nothing more is said.
    let out = run(e.berth(&["ps"]).env("BERTH_ENGINE_AUTOSTART", "1"));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs root and a real dockerd (scripts/test.sh runs it)"]
fn engine_logs_show_the_daemon_output() {
    let e = OwnEngine::new();
    let err = fails(e.berth(&["engine", "logs"]));
    assert!(err.contains("no engine log yet"), "{err}");
    ok(e.berth(&["engine", "start"]));
    let all = ok(e.berth(&["engine", "logs"]));
    assert!(
        all.contains("--- berth: starting the rootful engine") && all.contains("API listen on"),
        "{all}"
    );
    assert_eq!(
        ok(e.berth(&["engine", "logs", "-n", "3"])).lines().count(),
        3
    );

    // Followed: its last line, then what the engine writes as it restarts.
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut follower = Killed(
        e.berth(&["engine", "logs", "-f", "-n", "1"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = follower.0.stdout.take().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let lines = seen.clone();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            lines.lock().unwrap().push(line);
        }
    });
    wait_until(10, "the log's last line", || {
        seen.lock().unwrap().len() == 1
    });
    ok(e.berth(&["engine", "restart"]));
    wait_until(30, "the restart followed in the log", || {
        let seen = seen.lock().unwrap();
        seen.iter()
            .any(|l| l.starts_with("--- berth: starting the rootful engine"))
            && seen.iter().any(|l| l.contains("API listen on"))
    });
}

#[test]
#[ignore = "needs root to create the user (scripts/test.sh runs it)"]
fn a_normal_user_gets_a_rootless_engine() {
    let user = UnprivilegedUser::create();
    let berth = env!("CARGO_BIN_EXE_berth");
    let as_user = |args: &[&str]| {
        let mut cmd = user.command(berth);
        cmd.args(args);
        cmd
    };
    let line = ok(as_user(&["engine", "start"]));
    assert!(
        line.starts_with("Berth's engine: running (rootless, pid "),
        "{line}"
    );
    let info = &json_lines(&ok(as_user(&["info", "--format", "json"])))[0];
    assert_eq!(info["rootless"], true, "{info}");
    assert_eq!(info["connection"]["source"], "Berth's engine");
    assert_eq!(
        info["data_root"],
        user.home
            .join(".local/share/berth/engine")
            .display()
            .to_string()
            .as_str()
    );
    let status = &json_lines(&ok(as_user(&["engine", "status", "--format", "json"])))[0]["own"];
    assert_eq!(status["mode"], "rootless");
    // What the engine warns of (on cgroup v1: no cgroups, so no limits, stats or top), said as
    // docker says it, on stderr after the summary.
    let ours = warnings_said(as_user(&["info"]));
    let mut docker = user.command("docker");
    let socket = format!("unix://{}", status["socket"].as_str().unwrap());
    docker.args(["-H", &socket, "info"]);
    assert_eq!(ours, warnings_said(docker));
    assert_eq!(info["warnings"], serde_json::json!(ours));
    let cgroup_v1 = ok(Command::new("stat").args(["-fc", "%T", "/sys/fs/cgroup"])) != "cgroup2fs\n";
    assert_eq!(
        cgroup_v1,
        ours.iter()
            .any(|w| w.contains("rootless-mode without cgroups")),
        "{ours:?}"
    );

    // A terminal closed under `exec -it` hangs its command up in a rootless container too: the
    // user signals the container's processes, which run in the user's own namespace.
    let context = user.home.join("busybox");
    write_busybox_context(
        &context,
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n",
        &[],
    );
    ok(Command::new("chown").args(["-R", &user.name, &context.display().to_string()]));
    ok(as_user(&[
        "build",
        "-t",
        "busybox:rootless",
        &context.display().to_string(),
    ]));
    let name = "hung-up";
    ok(as_user(&[
        "run",
        "-d",
        "--name",
        name,
        "busybox:rootless",
        "sleep",
        "600",
    ]));
    let sleeping = || {
        // Listed by the container (`top` needs the container's cgroup, which a rootless
        // engine without systemd has not).
        ok(as_user(&["exec", name, "ps"]))
            .lines()
            .any(|l| l.trim().ends_with(" sleep 7300"))
    };
    let inner = format!("{berth} exec -it {name} sh -c 'sleep 7300 & wait'");
    close_terminal_once(user.command("sh"), &inner, sleeping);
    wait_until(20, "the hung-up command to end", || !sleeping());
    // Without cgroups the engine gives the machine's use as a container's (docker shows it so):
    // refused, with why, instead of figures that are not the container's.
    let out = run(as_user(&["stats", "--no-stream", name]));
    let err = String::from_utf8_lossy(&out.stderr);
    if cgroup_v1 {
        assert!(
            !out.status.success() && err.contains("runs without cgroups"),
            "{out:?}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        // Nor can it list the container's processes: said so, with what to do instead.
        let err = fails(as_user(&["top", name]));
        assert!(
            err.contains("runs without cgroups") && err.contains(&format!("berth exec {name} ps")),
            "{err}"
        );
    } else {
        assert!(out.status.success(), "{out:?}");
    }
    ok(as_user(&["rm", "-f", name]));

    // The rootless engine restarts after a crash too.
    let pid = status["pid"].as_u64().unwrap();
    ok(Command::new("kill").args(["-KILL", &pid.to_string()]));
    wait_until(60, "the rootless engine to come back", || {
        let s = &json_lines(&ok(as_user(&["engine", "status", "--format", "json"])))[0]["own"];
        running(s) && s["pid"].as_u64() != Some(pid)
    });

    assert_eq!(ok(as_user(&["engine", "stop"])), "Berth's engine stopped\n");
    assert!(
        user.home.join(".local/share/berth/engine").is_dir(),
        "stop keeps the data-root"
    );
}
