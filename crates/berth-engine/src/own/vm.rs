//! Berth's own engine on macOS and Windows: dockerd in a small Linux VM (Apple Virtualization
//! framework on macOS, a WSL2 distribution on Windows) with its socket forwarded to the host,
//! behind the same supervisor as Linux's `daemon` (design: docs/platforms.md).
//!
//! NOT IMPLEMENTED YET. [`launch`] refuses with [`NOT_YET`], which names what to use meanwhile:
//! Berth works with any engine it finds (Docker Desktop, OrbStack, Colima, a context).

use std::convert::Infallible;
use std::time::Duration;

use berth_docker::Client;

use super::{EngineConfig, LaunchError};

#[cfg(target_os = "macos")]
pub(crate) const NOT_YET: &str = "Berth's own engine on macOS runs in a Linux VM (Apple Virtualization framework), which is not implemented yet: start Docker Desktop, OrbStack or Colima and Berth uses their engine (docs/platforms.md)";
#[cfg(windows)]
pub(crate) const NOT_YET: &str = "Berth's own engine on Windows runs in a WSL2 distribution, which is not implemented yet: start Docker Desktop (or any engine on a named pipe or tcp) and Berth uses it (docs/platforms.md)";
#[cfg(not(any(target_os = "macos", windows)))]
pub(crate) const NOT_YET: &str = "Berth's own engine is not implemented on this system: start a Docker engine and Berth uses it (docs/platforms.md)";

/// The VM's dockerd once it answers. Never made yet: the [`Infallible`] field says so.
pub(crate) struct Daemon {
    pub pid: u32,
    pub client: Client,
    never: Infallible,
}

/// Boots the VM and waits until its dockerd answers on the forwarded socket: not implemented.
pub(crate) async fn launch(_config: &EngineConfig) -> Result<Daemon, LaunchError> {
    Err(LaunchError::final_(NOT_YET.to_owned()))
}

impl Daemon {
    /// Resolves when the VM stops or its dockerd stops answering.
    pub async fn crashed(&mut self, _config: &EngineConfig) -> String {
        match self.never {}
    }

    /// Stops dockerd in the VM, then the VM; never touches the engine's disk image.
    pub async fn stop(self, _config: &EngineConfig, _timeout: Duration) {
        match self.never {}
    }
}
