//! The window's environment has to be in place before GTK and WebKit start
//! ([`berth_api::desktop::tune_window`]). The tray starts every window with it; a window started
//! otherwise (from a shell, by `tauri dev`) re-executes itself once with it, which costs about
//! 60 ms of launch. Setting the variables in the running process would need `unsafe`
//! (`std::env::set_var`); re-executing with them does not.

/// Re-executes the app with the window's environment when it was started without; returns only
/// when nothing had to change (or re-executing failed, which is logged on stderr and harmless).
pub fn reexec_tuned() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // Not under WebDriver (tauri-driver sets this): WebKitWebDriver loses a browser that
        // re-executes itself, so the end-to-end tests run untuned; the app tests cover this.
        if berth_api::desktop::window_tuned()
            || std::env::var_os("TAURI_WEBVIEW_AUTOMATION").is_some()
        {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let mut cmd = std::process::Command::new(exe);
        cmd.args(std::env::args_os().skip(1));
        berth_api::desktop::tune_window(&mut cmd);
        let err = cmd.exec();
        eprintln!("berth: running untuned ({err})");
    }
}
