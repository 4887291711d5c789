//! The control channel's transport: a unix socket at [`Paths::control`](super::Paths::control),
//! or on Windows a named pipe named after that path. One connection carries one request.

use std::path::Path;

use tokio::io::{AsyncRead, AsyncWrite};

pub(crate) type Reader = Box<dyn AsyncRead + Unpin + Send>;
pub(crate) type Writer = Box<dyn AsyncWrite + Unpin + Send>;

#[cfg(unix)]
pub(crate) use unix::{Listener, connect};
#[cfg(windows)]
pub(crate) use windows::{Listener, connect};

#[cfg(unix)]
mod unix {
    use super::*;

    pub(crate) struct Listener(tokio::net::UnixListener);

    impl Listener {
        /// Listens at `path`, replacing a stale socket a crashed supervisor left.
        pub fn bind(path: &Path) -> std::io::Result<Self> {
            let _ = std::fs::remove_file(path);
            tokio::net::UnixListener::bind(path).map(Self)
        }

        pub async fn accept(&mut self) -> std::io::Result<(Reader, Writer)> {
            let (stream, _) = self.0.accept().await?;
            let (read, write) = stream.into_split();
            Ok((Box::new(read), Box::new(write)))
        }
    }

    /// `NotFound` or `ConnectionRefused` when no supervisor listens.
    pub(crate) async fn connect(path: &Path) -> std::io::Result<(Reader, Writer)> {
        let (read, write) = tokio::net::UnixStream::connect(path).await?.into_split();
        Ok((Box::new(read), Box::new(write)))
    }
}

#[cfg(windows)]
mod windows {
    use super::*;
    use sha2::{Digest, Sha256};
    use tokio::net::windows::named_pipe::{ClientOptions, NamedPipeServer, ServerOptions};

    /// `\\.\pipe\berth-` and a digest of the path: one pipe per run directory.
    fn pipe_name(path: &Path) -> String {
        let digest = Sha256::digest(path.to_string_lossy().as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!(r"\\.\pipe\berth-{hex}")
    }

    /// A pipe server keeps one instance waiting for the next client.
    pub(crate) struct Listener {
        name: String,
        next: NamedPipeServer,
    }

    impl Listener {
        pub fn bind(path: &Path) -> std::io::Result<Self> {
            let name = pipe_name(path);
            let next = ServerOptions::new()
                .first_pipe_instance(true)
                .create(&name)?;
            Ok(Self { name, next })
        }

        pub async fn accept(&mut self) -> std::io::Result<(Reader, Writer)> {
            self.next.connect().await?;
            let waiting = ServerOptions::new().create(&self.name)?;
            let connected = std::mem::replace(&mut self.next, waiting);
            let (read, write) = tokio::io::split(connected);
            Ok((Box::new(read), Box::new(write)))
        }
    }

    /// `NotFound` when no supervisor listens.
    pub(crate) async fn connect(path: &Path) -> std::io::Result<(Reader, Writer)> {
        let client = ClientOptions::new().open(pipe_name(path))?;
        let (read, write) = tokio::io::split(client);
        Ok((Box::new(read), Box::new(write)))
    }
}
