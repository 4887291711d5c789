//! The private dockerd of a test process.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::{TlsFiles, free_port, free_subnet_octet, guarded, run_ok, unique_id, wait_until};

/// A running private engine.
pub struct Engine {
    /// `unix://…` of its socket.
    pub host: String,
    pub socket: PathBuf,
    /// `tcp://127.0.0.1:PORT`, served with `--tlsverify`.
    pub tls_host: String,
    pub tls: TlsFiles,
    pub root: PathBuf,
    pub bridge: String,
    /// The bridge's subnet, e.g. `10.123.0.0/24`.
    pub subnet: String,
    _guard: Mutex<crate::Guard>,
}

/// The test process's engine, started on first use and torn down when the process ends.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(start)
}

fn start() -> Engine {
    crate::require_root();
    let id = unique_id();
    let root = PathBuf::from(format!("/tmp/berth-test-{id}"));
    std::fs::create_dir_all(&root).expect("test engine root");
    let tls = TlsFiles::create(&root.join("tls"));
    let bridge = format!("bt{id}");
    let x = free_subnet_octet();
    let subnet = format!("10.{x}.0.0/24");
    let pool = format!("10.{x}.128.0/17");
    run_ok(Command::new("ip").args(["link", "add", "name", &bridge, "type", "bridge"]));
    run_ok(Command::new("ip").args(["addr", "add", &format!("10.{x}.0.1/24"), "dev", &bridge]));
    run_ok(Command::new("ip").args(["link", "set", &bridge, "up"]));

    let socket = root.join("docker.sock");
    let tls_port = free_port();
    let s = |p: PathBuf| p.display().to_string();
    let args = [
        "dockerd".to_owned(),
        "--data-root".into(),
        s(root.join("data")),
        "--exec-root".into(),
        s(root.join("exec")),
        "--pidfile".into(),
        s(root.join("dockerd.pid")),
        "--host".into(),
        format!("unix://{}", socket.display()),
        "--host".into(),
        format!("tcp://127.0.0.1:{tls_port}"),
        "--tlsverify".into(),
        "--tlscacert".into(),
        s(tls.ca.clone()),
        "--tlscert".into(),
        s(tls.server_cert.clone()),
        "--tlskey".into(),
        s(tls.server_key.clone()),
        "--bridge".into(),
        bridge.clone(),
        "--default-address-pool".into(),
        format!("base={pool},size=24"),
        "--containerd-namespace".into(),
        format!("bt{id}"),
        "--containerd-plugins-namespace".into(),
        format!("bt{id}-plugins"),
    ];
    // Teardown: the orphaned containerd if dockerd was killed, the bridges of this engine's
    // subnets with their NAT/filter rules, and the whole root (this engine's own data).
    let cleanup = format!(
        r#"
        c=$(cat {root}/exec/containerd/containerd.pid 2>/dev/null) && kill -KILL "$c"
        {teardown}
        net_teardown {bridge} {x}
        for m in $(grep ' {root}' /proc/mounts | cut -d' ' -f2 | sort -r); do umount -l "$m"; done
        rm -rf {root}
        "#,
        root = root.display(),
        teardown = crate::NET_TEARDOWN,
    );
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    // Rootful dockerds starting at the same moment clash on the host's shared firewall chains;
    // Berth's engines take the same lock (berth-engine's `START_LOCK`) until they answer. Without
    // /run/lock the start goes ahead unserialised, as Berth's own does.
    let start_lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open("/run/lock/berth-dockerd-start.lock")
        .and_then(|f| f.lock().map(|()| f));
    let guard = guarded(&argv, &root.join("dockerd.log"), &cleanup);
    let engine = Engine {
        host: format!("unix://{}", socket.display()),
        socket,
        tls_host: format!("tcp://127.0.0.1:{tls_port}"),
        tls,
        root,
        bridge,
        subnet,
        _guard: Mutex::new(guard),
    };
    wait_until(60, "the test engine to answer", || engine.pings());
    drop(start_lock);
    engine
}

impl Engine {
    /// True when the engine answers `GET /_ping` on its socket.
    pub fn pings(&self) -> bool {
        let Ok(mut s) = UnixStream::connect(&self.socket) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        if s.write_all(b"GET /_ping HTTP/1.0\r\n\r\n").is_err() {
            return false;
        }
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        resp.starts_with("HTTP/1.0 200") || resp.starts_with("HTTP/1.1 200")
    }

    /// The docker CLI pointed at this engine, with its own empty config.
    pub fn docker(&self) -> Command {
        let mut cmd = Command::new("docker");
        cmd.env("DOCKER_HOST", &self.host)
            .env("DOCKER_CONFIG", self.root.join("docker-config"))
            .env_remove("DOCKER_CONTEXT")
            .env("DOCKER_BUILDKIT", "0")
            .env("DOCKER_CLI_HINTS", "false");
        cmd
    }

    /// Runs `docker ARGS…` against this engine; panics with its output if it fails.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        run_ok(self.docker().args(args))
    }

    /// Builds the context in `dir` with the engine's BuildKit, tagged `tag` and labelled
    /// `label` (`KEY=VALUE`): BuildKit keeps a build cache, the classic builder none. Asked over
    /// the API (`version=2`, the context as the request's body): Debian's docker CLI needs buildx
    /// for BuildKit, which Debian 12 does not package. Panics with the engine's answer if the
    /// build fails.
    pub fn buildkit_build(&self, dir: &std::path::Path, tag: &str, label: &str) {
        let packed = crate::run(Command::new("tar").args([
            "-C",
            &dir.display().to_string(),
            "-cf",
            "-",
            ".",
        ]));
        assert!(
            packed.status.success(),
            "tar of {}: {packed:?}",
            dir.display()
        );
        let tar = packed.stdout;
        let (key, value) = label.split_once('=').expect("a label is KEY=VALUE");
        let labels = serde_json::json!({ key: value }).to_string();
        let escape = |text: &str| -> String {
            text.bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect()
        };
        let mut s = UnixStream::connect(&self.socket).expect("the test engine's socket");
        let head = format!(
            "POST /v1.41/build?version=2&t={}&labels={} HTTP/1.0\r\nContent-Type: application/x-tar\r\nContent-Length: {}\r\n\r\n",
            escape(tag),
            escape(&labels),
            tar.len()
        );
        s.write_all(head.as_bytes()).expect("a build request");
        s.write_all(&tar).expect("a build context");
        let mut answer = String::new();
        s.read_to_string(&mut answer)
            .expect("the engine's answer to a build");
        assert!(
            answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
            "a BuildKit build of {}: {answer}",
            dir.display()
        );
        assert!(
            answer.contains("Successfully tagged") && !answer.contains("\"error"),
            "a BuildKit build of {}: {answer}",
            dir.display()
        );
    }

    /// The engine's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.root.join("dockerd.log")).unwrap_or_default()
    }
}
