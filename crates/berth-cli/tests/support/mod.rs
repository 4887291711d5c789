//! Helpers shared by the CLI's integration tests: run the real `berth` binary in an isolated
//! environment (its own HOME, XDG dirs and Docker config).

#![allow(dead_code)]

use std::borrow::BorrowMut;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A private home for `berth` (see `berth_testkit::IsolatedHome`): nothing from the
/// developer's own config leaks in, and its engine, bridge and files go when it drops.
pub struct Home(pub berth_testkit::IsolatedHome);

impl Home {
    pub fn new() -> Self {
        Self(berth_testkit::IsolatedHome::new())
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn docker_config(&self) -> PathBuf {
        self.0.docker_config()
    }

    pub fn runtime_dir(&self) -> PathBuf {
        self.0.runtime_dir()
    }

    /// Installs a Docker CLI plugin `docker-NAME` (a script) in this home's Docker config;
    /// returns its path.
    #[cfg(unix)]
    pub fn cli_plugin(&self, name: &str, script: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.docker_config().join("cli-plugins");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("docker-{name}"));
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// `berth ARGS…` in this home; autostart off unless a test turns it on.
    pub fn berth(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_berth"));
        self.0.apply(&mut cmd);
        cmd.args(args);
        cmd
    }
}

pub fn run(mut cmd: impl BorrowMut<Command>) -> Output {
    let cmd = cmd.borrow_mut();
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs as `CMD | head -1` would: reads its first line, then closes its stdout and waits for it
/// to end (stderr captured). The command writes on into the closed pipe.
pub fn first_line_then_closed(mut cmd: Command) -> (String, Output) {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    (first, child.wait_with_output().unwrap())
}

/// Runs with `input` written to stdin (then closed); stdout and stderr captured.
pub fn feed(mut cmd: impl BorrowMut<Command>, input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let cmd = cmd.borrow_mut();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .expect("the command reads its stdin");
    child.wait_with_output().expect("the command ends")
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
pub fn fails(cmd: impl BorrowMut<Command>) -> String {
    fails_with(cmd, 1)
}

/// [`fails`], ending with `status` (`run`'s are docker's: 125, 126, 127).
pub fn fails_with(mut cmd: impl BorrowMut<Command>, status: i32) -> String {
    let cmd = cmd.borrow_mut();
    let out = run(&mut *cmd);
    assert!(
        !out.status.success(),
        "{cmd:?} should have failed but printed {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(status), "{cmd:?}: exit code");
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

/// Runs the shell command line `inner` in a pseudo-terminal of its own (`script`, started by
/// `sh`, given as a command so that it can run as another user), waits until `started`, then
/// closes that terminal as a closed window does: script is killed and its pseudo-terminal
/// hangs up under `inner`.
pub fn close_terminal_once(mut sh: Command, inner: &str, started: impl FnMut() -> bool) {
    use std::io::BufRead;
    use std::process::Stdio;
    // `sh` prints its pid and becomes script: the pid to kill, whoever runs it.
    let mut shell = sh
        .args(["-c", r#"echo $$; exec script -qec "$0" /dev/null"#, inner])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh runs");
    // Kept open until the end: script writing to a closed pipe would end before the hang-up.
    let mut output = std::io::BufReader::new(shell.stdout.take().unwrap());
    let mut pid = String::new();
    output.read_line(&mut pid).expect("script's pid");
    berth_testkit::wait_until(20, "the command to run in the terminal", started);
    ok(Command::new("kill").args(["-KILL", pid.trim()]));
    shell.wait().unwrap();
}

/// The `WARNING…` lines a command that succeeds prints on stderr (`info`'s, the engine's).
pub fn warnings_said(mut cmd: impl BorrowMut<Command>) -> Vec<String> {
    let out = run(cmd.borrow_mut());
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("WARNING"))
        .map(str::to_owned)
        .collect()
}

/// How `child` ended, waited for 30 s at most.
pub fn exited(child: &mut std::process::Child, what: &str) -> std::process::ExitStatus {
    let mut status = None;
    berth_testkit::wait_until(30, &format!("{what} to end"), || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    status.unwrap()
}

/// A command under a pseudo-terminal of its own (`script`): what it prints is gathered on a
/// thread, and the test types into it; killed if the test ends first.
pub struct InTerminal {
    child: std::process::Child,
    input: std::process::ChildStdin,
    seen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl InTerminal {
    pub fn spawn(home: &Home, command: &str) -> Self {
        use std::io::Read;
        let mut cmd = std::process::Command::new("script");
        home.0.apply(&mut cmd);
        let mut child = cmd
            .args(["-qec", command, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("script runs");
        let input = child.stdin.take().unwrap();
        let mut out = child.stdout.take().unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let gathered = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                gathered.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Self { child, input, seen }
    }

    pub fn shows(&self, text: &str) -> bool {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).contains(text)
    }

    pub fn wait_for(&self, text: &str) {
        berth_testkit::wait_until(30, &format!("{text:?} on the terminal"), || {
            self.shows(text)
        });
    }

    pub fn types(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.input.write_all(bytes).unwrap();
        self.input.flush().unwrap();
    }

    /// Its exit code (30 s at most) and all it printed.
    pub fn end(mut self) -> (Option<i32>, String) {
        let status = exited(&mut self.child, "the command under the terminal");
        let seen = String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned();
        (status.code(), seen)
    }
}

impl Drop for InTerminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `berth` process that prints as it goes: its stdout read line by line on a thread of its
/// own; killed if the test ends first.
pub struct Printing {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    /// What it printed on stderr so far, said when a line does not come.
    errors: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Printing {
    pub fn spawn(mut cmd: std::process::Command) -> Self {
        use std::io::BufRead;
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let errors = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let err = std::io::BufReader::new(child.stderr.take().unwrap());
        let kept = errors.clone();
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
                kept.push_str(&line);
                kept.push('\n');
            }
        });
        Self {
            child,
            lines,
            errors,
        }
    }

    fn errors(&self) -> String {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits (30 s at most) for a line that is `want`; the lines before it are passed over.
    pub fn until(&self, want: &str) {
        self.first(|line| line == want);
    }

    /// Waits (30 s at most) for a line that `wanted` takes, and returns it; the lines before
    /// it are passed over.
    pub fn first(&self, wanted: impl Fn(&str) -> bool) -> String {
        self.first_within(30, wanted)
    }

    /// [`Printing::first`], waiting `secs` in all.
    pub fn first_within(&self, secs: u64, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        let mut passed = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(line) => passed.push(line),
                Err(e) => panic!(
                    "no line wanted printed in {secs} s ({e}); the last lines passed over: {:?}; stderr:\n{}",
                    &passed[passed.len().saturating_sub(5)..],
                    self.errors()
                ),
            }
        }
    }

    pub fn signal(&self, name: &str) {
        ok(std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()]));
    }

    /// Its exit status (30 s at most) and the rest of what it printed.
    pub fn end(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let status = exited(&mut self.child, "berth");
        (status, self.lines.try_iter().collect())
    }
}

impl Drop for Printing {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An `ssh-agent` of the test's own, on a socket in `dir`; it ends with the test.
pub struct SshAgent {
    process: std::process::Child,
    pub socket: PathBuf,
}

impl SshAgent {
    pub fn start(dir: &Path) -> Self {
        let socket = dir.join("agent.sock");
        let process = Command::new("ssh-agent")
            .args(["-D", "-a"])
            .arg(&socket)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("ssh-agent (openssh-client; scripts/install-deps.sh --test installs it)");
        let agent = SshAgent { process, socket };
        berth_testkit::wait_until(10, "ssh-agent's socket", || agent.socket.exists());
        agent
    }

    /// Makes a key at `key` (with `comment`), loads it into the agent, and returns its
    /// fingerprint as `ssh-add -l` lists it.
    pub fn add_key(&self, key: &Path, comment: &str) -> String {
        let tool = |program: &str, args: &[&std::ffi::OsStr]| {
            let out = Command::new(program)
                .args(args)
                .env("SSH_AUTH_SOCK", &self.socket)
                .output()
                .unwrap();
            assert!(out.status.success(), "{program}: {out:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        tool(
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"]
                .map(std::ffi::OsStr::new)
                .into_iter()
                .chain([key.as_os_str()])
                .collect::<Vec<_>>(),
        );
        tool("ssh-add", &[key.as_os_str()]);
        let listed = tool(
            "ssh-keygen",
            &["-lf".as_ref(), key.with_extension("pub").as_os_str()],
        );
        listed.split_whitespace().nth(1).unwrap().to_owned()
    }
}

impl Drop for SshAgent {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
