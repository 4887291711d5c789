//! Test-only harness shared by every crate's integration tests (and the app's end-to-end tests).
//!
//! - [`engine()`]: a private dockerd started once per test process, with its own data-root,
//!   exec-root, socket, bridge, address pool and containerd namespace, listening on a unix
//!   socket and on loopback tcp with TLS.
//! - [`registry()`] / [`auth_registry()`]: Debian's `docker-registry` on a free loopback port,
//!   the second behind htpasswd.
//! - [`Scope`]: a per-test label; everything labelled with it is removed when it drops.
//! - [`busybox_image`]: small images `FROM scratch` with Debian's busybox-static.
//! - [`FetchedContext`]: a Git repository and a tar archive of the same files, served on
//!   loopback, for builds from a URL.
//! - [`IsolatedHome`]: a HOME of its own for running Berth itself, cleaned up after.
//!
//! Every service runs under a guard process that tears it down when the test process ends,
//! even by panic or SIGKILL. Needs root (CI runs as root): [`require_root`] says so plainly.

mod engine;
mod fetched;
mod home;
mod images;
mod net;
mod registry;
mod scope;
mod tls;
mod token;
mod user;

pub use engine::{Engine, engine};
pub use fetched::FetchedContext;
pub use home::IsolatedHome;
pub use images::{
    BUSYBOX_IMAGE, build_context, busybox_image, copy_program, write_busybox_context,
};
pub use net::{free_port, free_subnet_octet, http, http_get};
pub use registry::{Registry, SearchIndex, auth_registry, registry};
pub use scope::Scope;
pub use tls::TlsFiles;
pub use token::token_registry;
pub use user::UnprivilegedUser;

use std::process::{Command, Output};

/// Shell that defines `net_teardown BRIDGE OCTET` (see the script), for the teardowns of the
/// harness's engine and of Berth's engine in an isolated home.
pub(crate) const NET_TEARDOWN: &str = include_str!("net-teardown.sh");

/// Panics with a clear message unless running as root, which the real-engine tests need.
pub fn require_root() {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    assert_eq!(
        uid.as_deref().unwrap_or(""),
        "0",
        "the real-engine tests start their own dockerd and need root: run them as root (scripts/test.sh does, CI runs as root)"
    );
}

/// A short id unique to this process and call.
pub fn unique_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:06x}",
        (std::process::id() ^ nanos.rotate_left(7) ^ n.wrapping_mul(0x9E37_79B9)) & 0xff_ffff
    )
}

/// Runs a command and returns its output, panicking when it fails with the end of its stderr
/// first (where the reason is) and then the end of its stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}); the end of its stderr:\n{}\nthe end of its stdout:\n{}",
        out.status,
        tail(&String::from_utf8_lossy(&out.stderr), 40),
        tail(&String::from_utf8_lossy(&out.stdout), 15),
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs a command and returns its output.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Polls `cond` every 20 ms until it holds or `secs` pass; panics with `what` on timeout.
pub fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A service under the guard script: it lives while this value (held in a static, so until the
/// test process ends) keeps the guard's stdin open.
pub(crate) struct Guard {
    _stdin: std::process::ChildStdin,
    _child: std::process::Child,
}

/// Starts `args` under the guard script.
pub(crate) fn guarded(args: &[&str], log: &std::path::Path, cleanup: &str) -> Guard {
    use std::process::Stdio;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(include_str!("guard.sh"))
        .arg("berth-testkit-guard")
        .args(args)
        .env("GUARD_LOG", log)
        .env("GUARD_CLEANUP", cleanup)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the test guard for {args:?}: {e}"));
    let stdin = child.stdin.take().expect("piped stdin");
    Guard {
        _stdin: stdin,
        _child: child,
    }
}

/// A process as `/proc/PID/stat` shows it: its name, its state letter and its parent.
pub struct ProcStat {
    pub comm: String,
    pub state: String,
    pub ppid: u32,
}

/// Reads `/proc/PID/stat`; `None` when there is no such process.
pub fn proc_stat(pid: impl std::fmt::Display) -> Option<ProcStat> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so split at the last ')'.
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(')?.1.to_owned();
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.to_owned();
    let ppid = fields.next()?.parse().ok()?;
    Some(ProcStat { comm, state, ppid })
}

/// Whether process `pid` runs (exists and is not a zombie waiting for its parent).
pub fn process_alive(pid: impl std::fmt::Display) -> bool {
    proc_stat(pid).is_some_and(|p| p.state != "Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(super::tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(super::tail("a", 5), "a");
        assert_eq!(super::tail("", 3), "");
    }
}
