//! An unprivileged user made for one test (for the rootless engine), removed afterwards with
//! its home, its /etc/subuid and /etc/subgid lines, and /dev/net/tun's original mode.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use crate::{run, run_ok, unique_id};

pub struct UnprivilegedUser {
    pub name: String,
    pub uid: u32,
    pub home: PathBuf,
    /// Its `XDG_RUNTIME_DIR` (mode 0700, owned by it).
    pub runtime_dir: PathBuf,
    tun_mode: Option<u32>,
}

impl UnprivilegedUser {
    /// Creates the user with a subordinate id range and access to /dev/net/tun.
    pub fn create() -> Self {
        crate::require_root();
        let name = format!("bt{}", unique_id());
        run_ok(Command::new("useradd").args(["--create-home", "--shell", "/bin/sh", &name]));
        let uid: u32 = run_ok(Command::new("id").args(["-u", &name]))
            .trim()
            .parse()
            .expect("uid");
        // A range past anything else in the files, so users made by parallel tests never overlap.
        let start = 300_000 + (uid % 1000) * 65_536;
        for file in ["/etc/subuid", "/etc/subgid"] {
            let mut text = std::fs::read_to_string(file).unwrap_or_default();
            text += &format!("{name}:{start}:65536\n");
            std::fs::write(file, text).expect("subid file");
        }
        let tun = std::fs::metadata("/dev/net/tun")
            .ok()
            .map(|m| m.permissions().mode() & 0o7777);
        let _ = std::fs::set_permissions("/dev/net/tun", std::fs::Permissions::from_mode(0o666));
        let runtime_dir = PathBuf::from(format!("/tmp/berth-run-{name}"));
        std::fs::create_dir_all(&runtime_dir).expect("runtime dir");
        run_ok(Command::new("chown").args([&name, &runtime_dir.display().to_string()]));
        std::fs::set_permissions(&runtime_dir, std::fs::Permissions::from_mode(0o700))
            .expect("mode");
        Self {
            home: PathBuf::from(format!("/home/{name}")),
            name,
            uid,
            runtime_dir,
            tun_mode: tun,
        }
    }

    /// A command run as this user with a clean login-like environment.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", &self.name, "--", "env", "-i"])
            .arg(format!("HOME={}", self.home.display()))
            .arg(format!("USER={}", self.name))
            .arg(format!("XDG_RUNTIME_DIR={}", self.runtime_dir.display()))
            .arg("PATH=/usr/local/bin:/usr/bin:/bin")
            .arg("BERTH_LOG=info")
            .arg(program);
        cmd
    }
}

impl Drop for UnprivilegedUser {
    fn drop(&mut self) {
        let _ = run(Command::new("pkill").args(["-KILL", "-u", &self.name]));
        // Wait for the user's processes to be gone before removing it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while run(Command::new("pgrep").args(["-u", &self.name]))
            .status
            .success()
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = run(Command::new("userdel").args(["--remove", &self.name]));
        let _ = std::fs::remove_dir_all(&self.home);
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
        for file in ["/etc/subuid", "/etc/subgid"] {
            if let Ok(text) = std::fs::read_to_string(file) {
                let kept: String = text
                    .lines()
                    .filter(|l| !l.starts_with(&format!("{}:", self.name)))
                    .map(|l| format!("{l}\n"))
                    .collect();
                let _ = std::fs::write(file, kept);
            }
        }
        if let Some(mode) = self.tun_mode {
            let _ = std::fs::set_permissions("/dev/net/tun", std::fs::Permissions::from_mode(mode));
        }
    }
}
