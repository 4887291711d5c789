//! Memory tuning that has to be in the environment before GTK and WebKit start. On Linux the app
//! re-executes itself once with `GDK_GL=disable`: GTK then does not load OpenGL (Mesa and its
//! LLVM) just to pick a visual, which costs the tray-only app about 30 MB and WebKit's web
//! process about 100 MB under a software renderer. WebKit keeps its own EGL for drawing.
//! Setting the variable in the running process would need `unsafe` (`std::env::set_var`);
//! re-executing with it does not.

/// The variables set, with their values; a variable the user set already is left alone.
#[cfg(target_os = "linux")]
const TUNED: &[(&str, &str)] = &[("GDK_GL", "disable")];

/// Re-executes the app with the tuned environment when it is not set yet; returns only when
/// nothing had to change (or re-executing failed, which is logged on stderr and harmless).
pub fn reexec_tuned() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // Not under WebDriver (tauri-driver sets this): WebKitWebDriver loses a browser that
        // re-executes itself, so the end-to-end tests run untuned; the app tests cover this.
        if std::env::var_os("BERTH_TUNED").is_some()
            || std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some()
        {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let mut cmd = std::process::Command::new(exe);
        cmd.args(std::env::args_os().skip(1))
            .env("BERTH_TUNED", "1");
        for (key, value) in TUNED {
            if std::env::var_os(key).is_none() {
                cmd.env(key, value);
            }
        }
        let err = cmd.exec();
        eprintln!("berth: running untuned ({err})");
    }
}
