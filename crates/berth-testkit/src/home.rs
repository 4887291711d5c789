//! An isolated home for running Berth itself (the CLI or the app) in a test: its own HOME, XDG
//! directories and Docker config, and engine settings with a bridge and subnet of its own.
//! Dropping it ends Berth's tray and whatever Berth engine ran there and removes its bridge,
//! firewall rules, mounts and files.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{free_subnet_octet, run, unique_id};

pub struct IsolatedHome {
    dir: PathBuf,
    /// The bridge Berth's rootful engine gets in this home.
    pub bridge: String,
    octet: u8,
}

impl IsolatedHome {
    pub fn new() -> Self {
        let dir = PathBuf::from(format!("/tmp/berth-home-{}", unique_id()));
        std::fs::create_dir_all(dir.join("run")).expect("temp home");
        let octet = free_subnet_octet();
        let home = Self {
            dir,
            bridge: format!("be{}", unique_id()),
            octet,
        };
        home.write_settings(serde_settings(&home, ""));
        home
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn docker_config(&self) -> PathBuf {
        self.dir.join(".docker")
    }

    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.join("run")
    }

    /// Berth's engine socket in this home.
    pub fn engine_socket(&self) -> PathBuf {
        self.runtime_dir().join("berth/docker.sock")
    }

    /// The first line one of Berth's sockets in this home (`control.sock`, the engine's
    /// supervisor; `tray.sock`, the tray) answers to `request`; `None` when nothing answers.
    pub fn ask(&self, socket: &str, request: &str) -> Option<String> {
        use std::io::{BufRead, Write};
        let path = self.runtime_dir().join("berth").join(socket);
        let mut s = std::os::unix::net::UnixStream::connect(path).ok()?;
        s.write_all(format!("{request}\n").as_bytes()).ok()?;
        let mut line = String::new();
        std::io::BufReader::new(s).read_line(&mut line).ok()?;
        Some(line.trim_end().to_owned())
    }

    /// The pid Berth's tray in this home wrote, while that process runs.
    pub fn tray_pid(&self) -> Option<u32> {
        let pid = std::fs::read_to_string(self.runtime_dir().join("berth/tray.pid")).ok()?;
        pid.trim().parse().ok().filter(|p| crate::process_alive(p))
    }

    /// Writes `settings.json` with this home's bridge and subnet plus `extra` (JSON members,
    /// e.g. `"engine_dockerd": "/x"`).
    pub fn set_settings(&self, extra: &str) {
        self.write_settings(serde_settings(self, extra));
    }

    fn write_settings(&self, text: String) {
        let dir = self.dir.join("config/berth");
        std::fs::create_dir_all(&dir).expect("config dir");
        std::fs::write(dir.join("settings.json"), text).expect("settings");
    }

    /// Points `cmd` at this home (and nothing else), with engine autostart off.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .env("XDG_STATE_HOME", self.dir.join("state"))
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .env("DOCKER_CONFIG", self.docker_config())
            .env("BERTH_ENGINE_AUTOSTART", "0");
    }
}

impl Default for IsolatedHome {
    fn default() -> Self {
        Self::new()
    }
}

fn serde_settings(home: &IsolatedHome, extra: &str) -> String {
    let o = home.octet;
    let sep = if extra.is_empty() { "" } else { ", " };
    format!(
        r#"{{"engine_bridge_name": "{}", "engine_bridge_cidr": "10.{o}.0.1/24", "engine_address_pool": "10.{o}.128.0/17", "engine_restart_max_attempts": 3{sep}{extra}}}"#,
        home.bridge
    )
}

impl Drop for IsolatedHome {
    fn drop(&mut self) {
        // Berth's tray (which quits its windows) and whatever engine supervisor ran here, first
        // (gracefully), then anything left.
        let run_dir = self.runtime_dir().join("berth");
        for pidfile in [
            run_dir.join("tray.pid"),
            self.dir.join("data/berth/engine.lock"),
        ] {
            let pid = std::fs::read_to_string(pidfile).unwrap_or_default();
            let pid = pid.trim();
            // The files outlive their processes: signal the pid only while it is still Berth's.
            if pid.is_empty() || !crate::proc_stat(pid).is_some_and(|p| p.comm.starts_with("berth"))
            {
                continue;
            }
            let _ = run(Command::new("kill").args(["-TERM", pid]));
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while crate::process_alive(pid) && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
        for pidfile in [
            run_dir.join("dockerd.pid"),
            run_dir.join("exec/containerd/containerd.pid"),
        ] {
            if let Ok(pid) = std::fs::read_to_string(&pidfile) {
                let _ = run(Command::new("kill").args(["-KILL", pid.trim()]));
            }
        }
        let _ = run(Command::new("sh").arg("-c").arg(format!(
            "{teardown}\nnet_teardown {b} {o}\n\
             for m in $(grep ' {h}' /proc/mounts | cut -d' ' -f2 | sort -r); do umount -l \"$m\"; done",
            teardown = crate::NET_TEARDOWN,
            b = self.bridge,
            o = self.octet,
            h = self.dir.display()
        )));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
