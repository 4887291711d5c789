//! What Berth's two desktop processes share: the window (`berth-app`, which links WebKit) and
//! the tray (`berth-tray`, which does not, so an idle Berth costs little). The tray owns the
//! engine's supervisor, the tray menu and the notifications; the window attaches to it through a
//! Unix socket in Berth's runtime directory and ends when the tray quits. Also their logging
//! (a daily file beside the engine's log) and opening a URL in the desktop's browser.
//!
//! The socket takes one request line per connection:
//! - `attach [VIEW]`: a window attaching. One window is attached at a time: the tray answers
//!   `attached`, then `show [VIEW]` each time the window is to show itself (on that view) and
//!   `quit` when the tray quits, until the window closes its end; or, when another window is
//!   attached, `shown`: that one shows itself (on `VIEW`) and the new one ends.
//! - `open [VIEW]`: show the dashboard (the attached window, or a window the tray starts).
//! - `engine-start`: start Berth's engine under the tray's supervisor; answered `ok` or
//!   `error MESSAGE` once it runs or has failed.

use std::path::{Path, PathBuf};

use crate::{ApiError, Berth};

/// The tray's executable name; the window finds it beside its own.
pub const TRAY_EXE: &str = "berth-tray";
/// The window's executable name; the tray finds it beside its own.
pub const APP_EXE: &str = "berth-app";

impl Berth {
    /// The tray's socket (see the module's documentation).
    pub fn tray_socket(&self) -> PathBuf {
        self.engine.paths.run_dir.join("tray.sock")
    }

    /// The tray's pid, written while it runs.
    pub fn tray_pidfile(&self) -> PathBuf {
        self.engine.paths.run_dir.join("tray.pid")
    }
}

/// `name` beside the running executable (both ship in the same directory; the tests' builds
/// sit together in target/).
pub fn sibling_exe(name: &str) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join(name)))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The window's environment, which has to be in place before GTK and WebKit start: the tray
/// starts every window with it ([`window_command`]), and a window started otherwise re-executes
/// itself once with it.
/// - `GDK_GL=disable`: GTK 3 on X11 loads OpenGL (Mesa, and with it LLVM) at start only to pick a
///   visual, which costs WebKit's web process about 100 MB under a software renderer; WebKit
///   keeps its own EGL for drawing.
/// - On a machine without a GPU (no DRM render node), WebKit's DMA-BUF renderer off and its
///   render device named: otherwise the window's process opens an EGL display (Mesa's software
///   renderer, LLVM's relocations and the code its start-up touches: about 28 MB) only to learn
///   which buffers it could share and that there is no render node. The web process then paints
///   in software, as Mesa's renderer did there anyway, and keeps its own EGL.
#[cfg(target_os = "linux")]
fn window_env(render_node: bool) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![("GDK_GL", "disable")];
    if !render_node {
        env.extend([
            ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
            ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
        ]);
    }
    env
}
#[cfg(not(target_os = "linux"))]
fn window_env(_render_node: bool) -> Vec<(&'static str, &'static str)> {
    Vec::new()
}

/// Whether this machine has a DRM render node (a GPU WebKit can draw with).
pub fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|dir| {
        dir.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Set in a window's environment once it holds [`window_env`].
const WINDOW_TUNED: &str = "BERTH_TUNED";

/// Gives `cmd` (a window's) the window's environment; a variable the user set is left alone.
pub fn tune_window(cmd: &mut std::process::Command) {
    for (key, value) in window_env(has_render_node()) {
        if std::env::var_os(key).is_none() {
            cmd.env(key, value);
        }
    }
    cmd.env(WINDOW_TUNED, "1");
}

/// Whether this process was started with the window's environment (see [`tune_window`]).
pub fn window_tuned() -> bool {
    std::env::var_os(WINDOW_TUNED).is_some()
}

/// The command that starts the window (`berth-app` beside this executable) with the window's
/// environment, opening on `view` when one is named (a running window shows itself instead).
pub fn window_command(view: Option<&str>) -> std::process::Command {
    let mut cmd = std::process::Command::new(sibling_exe(APP_EXE));
    if let Some(view) = view {
        cmd.args(["--view", view]);
    }
    tune_window(&mut cmd);
    cmd
}

/// Logs to stderr and to a daily file `PREFIX.YYYY-MM-DD.log` in `dir` (the last 7 kept), at
/// the level `BERTH_LOG` names (`info` by default). The guard flushes the file when dropped.
pub fn init_logging(
    dir: &Path,
    prefix: &str,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = std::fs::create_dir_all(dir);
    let filter = tracing_subscriber::EnvFilter::try_from_env("BERTH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let file = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(prefix)
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir);
    let (file_layer, guard) = match file {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer);
            (Some(layer), Some(guard))
        }
        Err(e) => {
            eprintln!("berth: no log file in {}: {e}", dir.display());
            (None, None)
        }
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(file_layer)
        .try_init();
    guard
}

/// Opens an `http(s)://` URL (a published port) with the desktop's browser.
pub fn open_url(url: &str) -> Result<(), ApiError> {
    if !(url.starts_with("http://") || url.starts_with("https://"))
        || url.contains(char::is_whitespace)
    {
        return Err(ApiError::invalid(format!(
            "{url}: only http:// and https:// addresses open in the browser"
        )));
    }
    #[cfg(target_os = "macos")]
    let mut cmd = std::process::Command::new("open");
    #[cfg(target_os = "windows")]
    let mut cmd = {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    };
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    let mut cmd = std::process::Command::new("xdg-open");
    cmd.arg(url)
        .spawn()
        .map(drop)
        .map_err(|e| ApiError::invalid(format!("cannot open {url} in the browser: {e}")))
}

/// Registers Berth to start at login, or unregisters it (an XDG autostart entry on Linux, a
/// launch agent on macOS, the Run key on Windows); doing what is already done is fine. What
/// starts is the tray, with `--login` (it opens the dashboard unless "start minimised" is on);
/// where there is no tray process yet (macOS, Windows), the app.
pub fn start_at_login(on: bool) -> Result<(), ApiError> {
    let exe = if cfg!(target_os = "linux") {
        sibling_exe(TRAY_EXE)
    } else {
        std::env::current_exe().unwrap_or_else(|_| PathBuf::from(APP_EXE))
    };
    let fail = |e: auto_launch::Error| {
        ApiError::new(
            crate::ErrorCode::Internal,
            format!("cannot change starting at login: {e}"),
        )
    };
    let launcher = auto_launch::AutoLaunchBuilder::new()
        .set_app_name("Berth")
        .set_app_path(&exe.to_string_lossy())
        .set_args(&["--login"])
        .set_macos_launch_mode(auto_launch::MacOSLaunchMode::LaunchAgent)
        .build()
        .map_err(fail)?;
    match (on, launcher.is_enabled().map_err(fail)?) {
        (true, false) => launcher.enable().map_err(fail),
        (false, true) => launcher.disable().map_err(fail),
        _ => Ok(()),
    }
}

/// A line of the tray's socket that names a view: `WORD` or `WORD VIEW` (`open`, `attach`,
/// `show`; see the module's documentation).
pub fn view_line(word: &str, view: Option<&str>) -> String {
    match view {
        Some(view) => format!("{word} {view}"),
        None => word.to_owned(),
    }
}

/// What a [`view_line`] of `word` names: `Some(view)` when `line` is one.
pub fn line_view<'a>(word: &str, line: &'a str) -> Option<Option<&'a str>> {
    match line.strip_prefix(word) {
        Some("") => Some(None),
        Some(rest) => rest.strip_prefix(' ').map(|view| Some(view.trim())),
        None => None,
    }
}

/// Asks the tray `request` (see the module's documentation) and returns its first answer line,
/// or `None` when no tray answers.
#[cfg(unix)]
pub async fn ask_tray(socket: &Path, request: &str) -> Option<String> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mut stream = tokio::net::UnixStream::connect(socket).await.ok()?;
    stream
        .write_all(format!("{request}\n").as_bytes())
        .await
        .ok()?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).await.ok()?;
    Some(line.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_starts_on_its_view_with_the_window_environment() {
        let cmd = window_command(Some("containers"));
        assert_eq!(
            cmd.get_program(),
            sibling_exe(APP_EXE).as_os_str(),
            "the window is not the executable beside this one"
        );
        let args: Vec<_> = cmd.get_args().collect();
        assert_eq!(args, ["--view", "containers"]);
        let envs: Vec<_> = cmd.get_envs().collect();
        assert!(
            envs.contains(&("BERTH_TUNED".as_ref(), Some("1".as_ref()))),
            "{envs:?}"
        );
        // GTK's OpenGL stays off unless the user chose otherwise.
        if cfg!(target_os = "linux") && std::env::var_os("GDK_GL").is_none() {
            assert!(
                envs.contains(&("GDK_GL".as_ref(), Some("disable".as_ref()))),
                "{envs:?}"
            );
        }
        assert_eq!(window_command(None).get_args().count(), 0);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn without_a_gpu_the_window_leaves_webkit_s_dma_buf_renderer_off() {
        assert_eq!(window_env(true), [("GDK_GL", "disable")]);
        assert_eq!(
            window_env(false),
            [
                ("GDK_GL", "disable"),
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
                ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
            ]
        );
    }
}
