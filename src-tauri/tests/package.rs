//! The Debian package, as `scripts/package.sh --debug` builds it offline: its dependencies and
//! files, a valid desktop entry, then installed into a clean Debian root (debootstrap from the
//! package mirror) where the CLI runs and the app starts under Xvfb and shows its window; a
//! first engine start that lacks a piece (a broken /etc/subuid, uidmap, the engine) says what
//! and how to fix it; removed and purged, the user's data stays. Needs root, the mirror, Xvfb:
//! run with `--include-ignored`.

mod support;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use berth_testkit::{process_alive, require_root, run, run_ok, unique_id, wait_until};
use support::{logs, window_shown, xvfb};

/// A clean Debian root; what is mounted in it is unmounted and the root removed on drop.
struct Root {
    dir: PathBuf,
    mounts: Vec<PathBuf>,
}

impl Root {
    /// The root lives in memory (a tmpfs of at most 4 GB): with the app's and the engine's
    /// dependencies it holds about 1.5 GB, which a disk already holding the tests' build may not
    /// have to spare.
    fn new() -> Self {
        let dir = PathBuf::from(format!("/tmp/berth-debroot-{}", unique_id()));
        std::fs::create_dir_all(&dir).unwrap();
        run_ok(Command::new("mount").args([
            "-t",
            "tmpfs",
            "-o",
            "size=4g,mode=0755",
            "berth-debroot",
            &dir.display().to_string(),
        ]));
        // From here on, drop unmounts it, whatever fails.
        let root = Self {
            dir: dir.clone(),
            mounts: vec![dir.clone()],
        };
        run_ok(Command::new("debootstrap").args([
            "--variant=minbase",
            "bookworm",
            &dir.display().to_string(),
            "http://deb.debian.org/debian",
        ]));
        root
    }

    fn bind(&mut self, host: &str) {
        let target = self.dir.join(host.trim_start_matches('/'));
        std::fs::create_dir_all(&target).unwrap();
        run_ok(Command::new("mount").args(["--rbind", host, &target.display().to_string()]));
        self.mounts.push(target);
    }

    /// `sh -c SCRIPT` inside the root, as root.
    fn sh(&self, script: &str) -> Command {
        self.sh_as("root", "/root", script)
    }

    /// `sh -c SCRIPT` inside the root, as `user` with a normal user's PATH.
    fn sh_as(&self, user: &str, home: &str, script: &str) -> Command {
        let path = if user == "root" {
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
        } else {
            "PATH=/usr/bin:/bin"
        };
        let mut cmd = Command::new("chroot");
        cmd.arg(format!("--userspec={user}:{user}"))
            .arg(&self.dir)
            .args(["env", "-i", path, &format!("HOME={home}")])
            .args(["DEBIAN_FRONTEND=noninteractive", "sh", "-c", script]);
        cmd
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        for m in self.mounts.iter().rev() {
            let _ = Command::new("umount").arg("-R").arg("-l").arg(m).status();
        }
        if self.mounts.iter().all(|m| !is_mounted(m)) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn is_mounted(path: &Path) -> bool {
    std::fs::read_to_string("/proc/mounts")
        .unwrap_or_default()
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some(&path.display().to_string()))
}

#[test]
#[ignore = "needs root, the Debian mirror, debootstrap and Xvfb (scripts/test.sh runs it)"]
fn the_deb_installs_starts_and_removes_keeping_user_data() {
    require_root();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    run_ok(
        Command::new("bash")
            .arg(repo.join("scripts/package.sh"))
            .arg("--debug"),
    );
    let deb = repo.join(format!(
        "target/debug/bundle/deb/Berth_{}_amd64.deb",
        env!("CARGO_PKG_VERSION")
    ));

    // What the package says and holds.
    let depends = run_ok(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Depends"));
    for dep in [
        "docker.io",
        "iproute2",
        "uidmap",
        "rootlesskit",
        "slirp4netns",
        "libwebkit2gtk-4.1-0",
    ] {
        assert!(depends.contains(dep), "{dep} is not in Depends: {depends}");
    }
    let files = run_ok(Command::new("dpkg-deb").arg("-c").arg(&deb));
    for file in [
        "./usr/bin/berth\n",
        "./usr/bin/berth-app\n",
        "./usr/bin/berth-tray\n",
        "./usr/share/applications/Berth.desktop\n",
        "./usr/share/icons/hicolor/32x32/apps/berth-app.png\n",
        "./usr/share/icons/hicolor/128x128/apps/berth-app.png\n",
        "./usr/share/icons/hicolor/512x512/apps/berth-app.png\n",
    ] {
        let name = file.trim_start_matches("./").trim_end();
        assert!(
            files
                .lines()
                .filter_map(|l| l.split_whitespace().last())
                .any(|f| f.trim_start_matches("./") == name),
            "{name} is not in the package"
        );
    }
    let unpacked = tempfile::tempdir().unwrap();
    run_ok(
        Command::new("dpkg-deb")
            .arg("-x")
            .arg(&deb)
            .arg(unpacked.path()),
    );
    run_ok(
        Command::new("desktop-file-validate")
            .arg(unpacked.path().join("usr/share/applications/Berth.desktop")),
    );

    // Installed into a clean Debian root, with its dependencies from the mirror.
    let mut root = Root::new();
    std::fs::copy(&deb, root.dir.join("tmp/berth.deb")).unwrap();
    let install = run(&mut root
        .sh("apt-get update -qq && apt-get install -y -qq --no-install-recommends /tmp/berth.deb"));
    assert!(
        install.status.success(),
        "apt-get install of the .deb failed: {}",
        String::from_utf8_lossy(&install.stderr)
    );
    root.bind("/proc");
    root.bind("/dev");
    root.bind("/sys");
    // `berth version` with no engine yet: the client's half, then why there is no server half.
    let version = run(&mut root.sh("berth version"));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&version.stdout),
        String::from_utf8_lossy(&version.stderr),
    );
    assert!(
        stdout.starts_with("Client: Berth\n")
            && stdout.contains(&format!("Version:           {}", env!("CARGO_PKG_VERSION"))),
        "berth version printed {stdout:?}"
    );
    assert!(stderr.contains("berth engine start"), "{stderr}");

    // What the desktop entry runs (the tray, which opens the window) starts and shows the
    // window.
    let entry = std::fs::read_to_string(root.dir.join("usr/share/applications/Berth.desktop"))
        .expect("the installed desktop entry");
    let exec = entry
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("the desktop entry's Exec line");
    assert_eq!(
        exec, "berth-tray --open",
        "the desktop entry starts {exec:?}"
    );
    let (_x, display) = xvfb();
    root.bind("/tmp/.X11-unix");
    let mut app = root.sh(&format!(
        "mkdir -p /tmp/xdg && chmod 700 /tmp/xdg && DISPLAY={display} XDG_RUNTIME_DIR=/tmp/xdg \
         BERTH_ENGINE_AUTOSTART=0 exec dbus-run-session -- {exec}"
    ));
    // What the tray, the window and their session say, for a failure's message.
    let output = root.dir.join("tmp/app-output.log");
    let out = std::fs::File::create(&output).unwrap();
    app.stdout(out.try_clone().unwrap())
        .stderr(out)
        .process_group(0);
    let mut child = app.spawn().expect("the installed app");
    let group = child.id();
    let tray_pidfile = root.dir.join("tmp/xdg/berth/tray.pid");
    let tray = || {
        let pid = std::fs::read_to_string(&tray_pidfile).unwrap_or_default();
        let exe = std::fs::read_link(format!("/proc/{}/exe", pid.trim())).ok()?;
        Some((pid.trim().to_owned(), exe))
    };
    // The processes running the installed window or tray (each a process group of its own).
    let running = |exe: &str| support::running(&root.dir.join(exe));
    let tray_log = || logs(&root.dir.join("root/.local/state/berth"), &["tray."]);
    let window = std::panic::catch_unwind(|| {
        // The package's tray runs.
        wait_until(30, "the installed tray", || {
            tray().is_some_and(|(_, exe)| exe == root.dir.join("usr/bin/berth-tray"))
        });
        // A first start in a fresh root does first-time work (font and icon caches, WebKit's
        // first processes): once in CI it did not show within a minute, so two are allowed (the
        // failure message has what the app said).
        wait_until(120, "the installed app's window", || {
            window_shown(&display, "Berth")
        });
        // The window attached to the tray (before it was made).
        wait_until(30, "the installed window to attach to its tray", || {
            tray_log().contains("a window attached")
        });
    });
    // The tray (the window quits with it), then the rest of the group: chroot's exec chain,
    // dbus-run-session and its bus.
    if let Some((pid, _)) = tray() {
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        wait_until(30, "the installed tray to end", || !process_alive(&pid));
    }
    let window_quit = std::panic::catch_unwind(|| {
        wait_until(30, "the installed window to quit with its tray", || {
            running("usr/bin/berth-app").is_empty()
        });
        let trays = running("usr/bin/berth-tray");
        assert!(
            trays.is_empty(),
            "a tray runs again after the tray quit: {trays:?}"
        );
    });
    for pid in [running("usr/bin/berth-app"), running("usr/bin/berth-tray")].concat() {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    }
    let _ = Command::new("kill")
        .arg("--")
        .arg(format!("-{group}"))
        .status();
    let _ = child.wait();
    if window.is_err() || window_quit.is_err() {
        let said = std::fs::read_to_string(&output).unwrap_or_default();
        let logs = run(&mut root.sh("cat /root/.local/state/berth/*.log 2>/dev/null | tail -40"));
        panic!(
            "the installed tray showed no window, or the window outlived it; they said:\n{said}\nthe logs:\n{}",
            String::from_utf8_lossy(&logs.stdout)
        );
    }

    // A first run that lacks a piece says which, and the command that fixes it, and leaves
    // nothing half made: a user whose /etc/subuid line is broken or missing, then a machine
    // without uidmap, then without the engine (both removed behind apt's back).
    run_ok(&mut root.sh("useradd --create-home alice"));
    let engine_start = |fix: &str| {
        let out = run(&mut root.sh_as("alice", "/home/alice", "berth engine start"));
        let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        assert_eq!(out.status.code(), Some(1), "berth engine start: {err}");
        assert_eq!(err.lines().count(), 1, "not one line: {err}");
        assert!(err.contains(fix), "{err:?} does not say {fix:?}");
        assert!(
            !root
                .dir
                .join("home/alice/.local/share/berth/engine")
                .exists(),
            "a failed first start left an engine data-root behind"
        );
    };
    std::fs::write(root.dir.join("etc/subuid"), "alice:100000\n").unwrap();
    engine_start("line 1 of /etc/subuid is malformed");
    std::fs::write(root.dir.join("etc/subuid"), "bob:100000:65536\n").unwrap();
    engine_start("sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice");
    run_ok(&mut root.sh("dpkg --remove --force-depends uidmap"));
    engine_start("`sudo apt-get install uidmap`");
    run_ok(&mut root.sh("dpkg --remove --force-depends docker.io"));
    engine_start("`sudo apt-get install docker.io`");

    // Removing, then purging, keeps the user's data (dpkg: apt refuses to act while the two
    // packages removed above are missing).
    let data = root.dir.join("root/.local/share/berth/engine/volumes/keep");
    std::fs::create_dir_all(data.parent().unwrap()).unwrap();
    std::fs::write(&data, "user data").unwrap();
    run_ok(&mut root.sh("dpkg --remove berth"));
    assert!(!root.dir.join("usr/bin/berth").exists());
    assert!(
        data.exists(),
        "removing the package deleted the user's data"
    );
    let purge = run_ok(&mut root.sh("dpkg --purge berth"));
    assert!(
        purge.contains("~/.local/share/berth"),
        "the purge did not say what stays: {purge}"
    );
    assert_eq!(std::fs::read_to_string(&data).unwrap(), "user data");
}
