//! `up --menu`: an attached `up`'s keyboard shortcuts. The terminal gives keys as they are
//! pressed (no Enter, no echo) while the logs print as usual and Ctrl-C still stops the
//! project; it is given back as it was when `up` ends.

use anyhow::{Result, bail};
use tokio::sync::mpsc;

/// The keys pressed, one byte each, until the terminal closes.
pub struct Keys {
    pub pressed: mpsc::UnboundedReceiver<u8>,
    #[cfg(unix)]
    _terminal: unix::Restore,
}

/// The shortcuts' line, as compose shows its own (`dim`: in a fainter colour).
pub fn line(watching: bool, dim: bool) -> String {
    let watch = if watching { "Disable" } else { "Enable" };
    let text = format!("            w {watch} Watch   d Detach");
    match dim {
        true => format!("\x1b[2m{text}\x1b[0m"),
        false => text,
    }
}

impl Keys {
    /// Starts reading the terminal's keys; refused when standard input is not a terminal.
    pub fn start() -> Result<Self> {
        use std::io::IsTerminal;
        if !std::io::stdin().is_terminal() {
            bail!("--menu needs a terminal on standard input: leave it out, or run up in one");
        }
        #[cfg(not(unix))]
        bail!("--menu: not available on this system yet");
        #[cfg(unix)]
        {
            let terminal = unix::keys_as_pressed()?;
            Ok(Self {
                pressed: read_keys(),
                _terminal: terminal,
            })
        }
    }
}

/// Standard input's bytes as they come, on a thread of its own (reading blocks); it ends with
/// the process.
#[cfg(unix)]
fn read_keys() -> mpsc::UnboundedReceiver<u8> {
    let (tx, pressed) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin();
        let mut byte = [0u8; 1];
        while let Ok(1) = stdin.read(&mut byte) {
            if tx.send(byte[0]).is_err() {
                break;
            }
        }
    });
    pressed
}

#[cfg(unix)]
mod unix {
    use anyhow::{Context, Result};
    use nix::sys::termios::{LocalFlags, SetArg, Termios, tcgetattr, tcsetattr};

    /// The terminal's settings before, put back when dropped.
    pub struct Restore(Termios);

    /// Keys without Enter and without echo; output and signals (Ctrl-C) as they were.
    pub fn keys_as_pressed() -> Result<Restore> {
        let stdin = std::io::stdin();
        let before = tcgetattr(&stdin).context("--menu: cannot read the terminal's settings")?;
        let mut keys = before.clone();
        keys.local_flags
            .remove(LocalFlags::ICANON | LocalFlags::ECHO);
        tcsetattr(&stdin, SetArg::TCSANOW, &keys)
            .context("--menu: cannot set the terminal to read keys")?;
        Ok(Restore(before))
    }

    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = tcsetattr(std::io::stdin(), SetArg::TCSANOW, &self.0);
        }
    }
}
