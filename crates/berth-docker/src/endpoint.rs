//! Where an engine listens: a `unix://` socket, a Windows `npipe://` named pipe, or a `tcp://`
//! address with optional TLS material.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::Error;

/// Client certificate material for a `tcp://` engine, as a Docker context stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsMaterial {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// An engine address, as `DOCKER_HOST` writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub tls: Option<TlsMaterial>,
}

/// The parsed form of [`Endpoint::host`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address<'a> {
    Unix(&'a Path),
    /// A Windows named pipe, `//./pipe/docker_engine` (as docker writes `npipe:////./pipe/…`).
    NamedPipe(&'a str),
    Tcp(&'a str),
}

impl Endpoint {
    pub fn unix(path: impl AsRef<Path>) -> Self {
        Self {
            host: format!("unix://{}", path.as_ref().display()),
            tls: None,
        }
    }

    /// Splits the host into its transport, rejecting schemes Berth cannot speak.
    pub fn address(&self) -> Result<Address<'_>, Error> {
        if let Some(path) = self.host.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(self.invalid("the socket path is empty"));
            }
            Ok(Address::Unix(Path::new(path)))
        } else if let Some(pipe) = self.host.strip_prefix("npipe://") {
            if pipe.is_empty() {
                return Err(self.invalid("the pipe name is empty"));
            }
            Ok(Address::NamedPipe(pipe))
        } else if let Some(addr) = self.host.strip_prefix("tcp://") {
            if addr.is_empty() {
                return Err(self.invalid("the address is empty"));
            }
            Ok(Address::Tcp(addr))
        } else if self.host.starts_with('/') {
            Err(self.invalid("write a socket path as unix:///path/to/docker.sock"))
        } else {
            Err(self.invalid("only unix://, npipe:// and tcp:// are supported"))
        }
    }

    pub(crate) fn invalid(&self, reason: &str) -> Error {
        Error::InvalidEndpoint {
            host: self.host.clone(),
            reason: reason.to_owned(),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host)?;
        if self.tls.is_some() {
            f.write_str(" (TLS)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unix_and_tcp() {
        assert_eq!(
            Endpoint::unix("/run/x.sock").address().unwrap(),
            Address::Unix(Path::new("/run/x.sock"))
        );
        let tcp = Endpoint {
            host: "tcp://10.0.0.1:2376".into(),
            tls: None,
        };
        assert_eq!(tcp.address().unwrap(), Address::Tcp("10.0.0.1:2376"));
        let pipe = Endpoint {
            host: "npipe:////./pipe/docker_engine".into(),
            tls: None,
        };
        assert_eq!(
            pipe.address().unwrap(),
            Address::NamedPipe("//./pipe/docker_engine")
        );
    }

    #[test]
    fn rejects_unknown_schemes_with_a_hint() {
        for (host, hint) in [
            ("ssh://me@box", "only unix://, npipe:// and tcp://"),
            ("/var/run/docker.sock", "unix:///path"),
            ("unix://", "empty"),
            ("tcp://", "empty"),
            ("npipe://", "empty"),
        ] {
            let err = Endpoint {
                host: host.into(),
                tls: None,
            }
            .address()
            .unwrap_err();
            let text = err.to_string();
            assert!(text.contains(host) && text.contains(hint), "{host}: {text}");
        }
    }
}
