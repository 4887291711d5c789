//! What the app's test binaries share: a private X server and session bus, the tray's menu on
//! that bus, windows and processes as X and /proc show them, Berth's log files, and children
//! that are killed when the test ends, however it ends.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use berth_testkit::{run, wait_until};

/// A child process killed on drop.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server on a display it picks itself.
pub fn xvfb() -> (Killed, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (scripts/install-deps.sh installs xvfb)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("Xvfb prints its display");
    (Killed(child), format!(":{}", line.trim()))
}

/// A private session bus; returns its address and a guard that ends it.
pub fn session_bus() -> (Killed, String) {
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("dbus-daemon prints its address");
    (Killed(child), line.trim().to_owned())
}

/// The tray's menu as the app exports it on the session bus (`com.canonical.dbusmenu`, how
/// appindicator publishes it even with no tray host to show it): the bus name and object path.
pub fn tray_menu(bus: &str) -> Option<(String, String)> {
    let busctl = |args: &[&str]| {
        let out = run(Command::new("busctl")
            .arg(format!("--address={bus}"))
            .args(args));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for name in busctl(&["list", "--no-legend"])
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(':'))
    {
        if let Some(path) = busctl(&["tree", "--list", name])
            .lines()
            .find(|p| p.ends_with("/MenuBar"))
        {
            return Some((name.to_owned(), path.to_owned()));
        }
    }
    None
}

/// The menu's items, submenus flattened: (id, label, enabled, the parent's label).
pub fn tray_items(bus: &str, (name, path): &(String, String)) -> Vec<(i64, String, bool, String)> {
    let out = run(Command::new("busctl")
        .arg(format!("--address={bus}"))
        .args([
            "--json=short",
            "call",
            name,
            path,
            "com.canonical.dbusmenu",
            "GetLayout",
        ])
        // Parent 0, depth 3 (busctl would read a -1 as an option), all properties.
        .args(["iias", "0", "3", "0"]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    fn walk(node: &serde_json::Value, parent: &str, out: &mut Vec<(i64, String, bool, String)>) {
        for child in node[2].as_array().into_iter().flatten() {
            let item = &child["data"];
            let props = &item[1];
            let label = props["label"]["data"].as_str().unwrap_or("").to_owned();
            out.push((
                item[0].as_i64().unwrap_or(-1),
                label.clone(),
                props["enabled"]["data"].as_bool().unwrap_or(true),
                parent.to_owned(),
            ));
            walk(item, &label, out);
        }
    }
    let mut items = Vec::new();
    walk(&v["data"][1], "", &mut items);
    items
}

pub fn tray_click(bus: &str, (name, path): &(String, String), id: i64) {
    let out = run(Command::new("busctl")
        .arg(format!("--address={bus}"))
        .args([
            "call",
            name,
            path,
            "com.canonical.dbusmenu",
            "Event",
            "isvu",
        ])
        .arg(id.to_string())
        .args(["clicked", "s", "", "0"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether a top-level window titled `title` is mapped on `display`.
pub fn window_shown(display: &str, title: &str) -> bool {
    let out = run(Command::new("xwininfo").args(["-root", "-tree", "-display", display]));
    String::from_utf8_lossy(&out.stdout).contains(&format!("\"{title}\""))
}

/// The X connection and the window titled `title` (Xvfb has no window manager, so tests act on
/// the window as one would).
fn find_window(display: &str, title: &str) -> (x11rb::rust_connection::RustConnection, u32) {
    let (conn, window) = look_for_window(display, title);
    let window = window.unwrap_or_else(|| panic!("no window titled {title:?}"));
    (conn, window)
}

/// The window titled `title`, if the display has one.
fn look_for_window(
    display: &str,
    title: &str,
) -> (x11rb::rust_connection::RustConnection, Option<u32>) {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, Window};
    let (conn, screen) = x11rb::connect(Some(display)).expect("the X display");
    let root = conn.setup().roots[screen].root;
    fn find(conn: &impl Connection, w: Window, title: &str) -> Option<Window> {
        let name = conn
            .get_property(false, w, AtomEnum::WM_NAME, AtomEnum::STRING, 0, 256)
            .ok()?
            .reply()
            .ok()?;
        if name.value == title.as_bytes() {
            return Some(w);
        }
        let tree = conn.query_tree(w).ok()?.reply().ok()?;
        tree.children.iter().find_map(|c| find(conn, *c, title))
    }
    let window = find(&conn, root, title);
    (conn, window)
}

/// Closes the window titled `title` as a person does, until `gone` says it is: a click on close,
/// and another each second while it stays (a close that reaches a window still starting can go
/// unanswered: seen with two app tests starting at once on this 2-core machine).
pub fn close_until(display: &str, title: &str, what: &str, mut gone: impl FnMut() -> bool) {
    let mut clicked: Option<std::time::Instant> = None;
    wait_until(30, what, || {
        if gone() {
            return true;
        }
        if clicked.is_none_or(|at| at.elapsed() >= std::time::Duration::from_secs(1)) {
            close_window(display, title);
            clicked = Some(std::time::Instant::now());
        }
        false
    });
}

/// Asks the window titled `title` to close, as a window manager's close button does: a
/// `WM_DELETE_WINDOW` client message (nothing when there is no such window).
fn close_window(display: &str, title: &str) {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask};
    let (conn, Some(window)) = look_for_window(display, title) else {
        return;
    };
    let atom = |name: &str| {
        conn.intern_atom(false, name.as_bytes())
            .unwrap()
            .reply()
            .unwrap()
            .atom
    };
    let (protocols, delete) = (atom("WM_PROTOCOLS"), atom("WM_DELETE_WINDOW"));
    let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
    conn.send_event(false, window, EventMask::NO_EVENT, event)
        .unwrap();
    conn.flush().unwrap();
}

/// Whether the window titled `title` is mapped and viewable (GTK may name its window before it
/// maps it).
pub fn window_viewable(display: &str, title: &str) -> bool {
    use x11rb::protocol::xproto::{ConnectionExt, MapState};
    let (conn, window) = find_window(display, title);
    conn.get_window_attributes(window)
        .ok()
        .and_then(|c| c.reply().ok())
        .is_some_and(|a| a.map_state == MapState::VIEWABLE)
}

/// Hides the window titled `title` (unmaps it, as a window manager does to minimise it) or
/// shows it again.
pub fn set_window_visible(display: &str, title: &str, visible: bool) {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::ConnectionExt;
    let (conn, window) = find_window(display, title);
    if visible {
        conn.map_window(window).unwrap();
    } else {
        conn.unmap_window(window).unwrap();
    }
    conn.flush().unwrap();
}

/// The pids /proc lists.
fn pids() -> impl Iterator<Item = String> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
}

/// How many of WebKit's web-content processes `pid` has started (its webviews' renderers).
pub fn web_processes(pid: u32) -> usize {
    pids()
        .filter_map(berth_testkit::proc_stat)
        .filter(|p| p.comm.starts_with("WebKitWebProces") && p.state != "Z" && p.ppid == pid)
        .count()
}

/// The pids of the processes running the executable `exe`.
pub fn running(exe: &Path) -> Vec<String> {
    pids()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|x| x == exe))
        .collect()
}

/// What Berth's daily log files in `dir` whose names start with one of `prefixes` (`app.`,
/// `tray.`) hold, one after the other.
pub fn logs(dir: &Path, prefixes: &[&str]) -> String {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            prefixes.iter().any(|p| name.starts_with(p))
        })
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect()
}

/// Every desktop notification sent on a session bus, as `dbus-monitor` sees the `Notify` calls
/// (there need not be a notification server to show them).
pub struct Notifications {
    _monitor: Killed,
    log: PathBuf,
}

impl Notifications {
    pub fn watch(bus: &str, dir: &Path) -> Self {
        let log = dir.join("notifications.log");
        let file = std::fs::File::create(&log).expect("the notification log");
        let monitor = Command::new("dbus-monitor")
            .args(["--address", bus])
            .arg("interface='org.freedesktop.Notifications',member='Notify'")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("dbus-monitor");
        Self {
            _monitor: Killed(monitor),
            log,
        }
    }

    /// Whether a notification whose body holds `text` was sent.
    pub fn sent(&self, text: &str) -> bool {
        self.texts().iter().any(|t| t.contains(text))
    }

    /// The strings of every notification sent (app name, title, body…), in order.
    pub fn texts(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().strip_prefix("string \""))
            .map(|s| s.trim_end_matches('"').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }
}
