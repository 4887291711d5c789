//! Helpers shared by the CLI's integration tests: run the real `berth` binary in an isolated
//! environment (its own HOME, XDG dirs and Docker config).

#![allow(dead_code)]

use std::borrow::BorrowMut;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A private home for `berth`: nothing from the developer's own config leaks in.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("berth-home-")
                .tempdir_in("/tmp")
                .expect("temp home"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn docker_config(&self) -> PathBuf {
        self.path().join(".docker")
    }

    pub fn runtime_dir(&self) -> PathBuf {
        let dir = self.path().join("run");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// `berth ARGS…` with this home; autostart off unless a test turns it on.
    pub fn berth(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_berth"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .env("DOCKER_CONFIG", self.docker_config())
            .env("BERTH_ENGINE_AUTOSTART", "0");
        cmd
    }

    pub fn write_settings(&self, json: &str) {
        let dir = self.path().join("config/berth");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("settings.json"), json).unwrap();
    }
}

pub fn run(mut cmd: impl BorrowMut<Command>) -> Output {
    let cmd = cmd.borrow_mut();
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs and expects success; returns stdout.
pub fn ok(mut cmd: impl BorrowMut<Command>) -> String {
    let cmd = cmd.borrow_mut();
    let out = run(&mut *cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Runs and expects failure with exactly one line on stderr; returns that line.
pub fn fails(mut cmd: impl BorrowMut<Command>) -> String {
    let cmd = cmd.borrow_mut();
    let out = run(&mut *cmd);
    assert!(
        !out.status.success(),
        "{cmd:?} should have failed but printed {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(1), "{cmd:?}: exit code");
    let err = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(
        err.lines().count(),
        1,
        "{cmd:?}: one line of error expected, got:\n{err}"
    );
    assert!(err.starts_with("berth: "), "{err}");
    err.trim_end().to_owned()
}

/// Parses one JSON object per line.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The sha256 hex of a context name, as the Docker CLI names its directories.
pub fn context_dir_name(name: &str) -> String {
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(name.as_bytes())?;
            c.wait_with_output()
        })
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// Writes a Docker context the way `docker context create` does.
pub fn write_context(docker_config: &Path, name: &str, host: &str, tls_from: Option<&Path>) {
    let hash = context_dir_name(name);
    let meta = docker_config.join("contexts/meta").join(&hash);
    std::fs::create_dir_all(&meta).unwrap();
    let json = serde_json::json!({
        "Name": name,
        "Metadata": {"Description": format!("test context {name}")},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}
    });
    std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
    if let Some(src) = tls_from {
        let tls = docker_config
            .join("contexts/tls")
            .join(&hash)
            .join("docker");
        std::fs::create_dir_all(&tls).unwrap();
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::copy(src.join(f), tls.join(f)).unwrap();
        }
    }
}
