//! Minimal HTTP/1.0 requests to the engine, for the few calls bollard 0.21 does not model (well)
//! (`/system/df` of API 1.41, `/auth`, and push, whose lines bollard strips of their layer id),
//! and HTTP/1.1 through hyper where a request streams a body or upgrades (a BuildKit build and
//! its session): over the unix socket, the named pipe, plain tcp, or tcp with TLS as `docker
//! --tlsverify` speaks it.

use std::pin::Pin;

use bytes::Bytes;
use futures_util::Stream;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::endpoint::{Address, TlsMaterial};
use crate::{Client, Error};

/// A connection to the engine: its unix socket, named pipe or plain tcp.
pub(crate) trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

impl Client {
    /// Connects to the engine (`None` where this platform has no such transport).
    pub(crate) async fn dial(&self) -> Result<Option<Box<dyn Io>>, Error> {
        let host = self.endpoint().host.clone();
        let fail = |e: std::io::Error| Error::Unreachable {
            endpoint: host.clone(),
            detail: e.to_string(),
        };
        Ok(match (self.endpoint().address()?, &self.endpoint().tls) {
            #[cfg(unix)]
            (Address::Unix(sock), _) => Some(Box::new(
                tokio::net::UnixStream::connect(sock).await.map_err(fail)?,
            )),
            #[cfg(windows)]
            (Address::NamedPipe(pipe), _) => Some(Box::new(
                tokio::net::windows::named_pipe::ClientOptions::new()
                    .open(pipe)
                    .map_err(fail)?,
            )),
            // Refused by `Client::connect` already: a client never holds one of these here.
            #[cfg(not(unix))]
            (Address::Unix(_), _) => None,
            #[cfg(not(windows))]
            (Address::NamedPipe(_), _) => None,
            (Address::Tcp(addr), None) => Some(Box::new(
                tokio::net::TcpStream::connect(addr).await.map_err(fail)?,
            )),
            (Address::Tcp(addr), Some(tls)) => {
                let connector = tls_connector(tls)?;
                let name = server_name(addr)?;
                let tcp = tokio::net::TcpStream::connect(addr).await.map_err(fail)?;
                Some(Box::new(connector.connect(name, tcp).await.map_err(fail)?))
            }
        })
    }

    fn io_error(&self) -> impl Fn(std::io::Error) -> Error + '_ {
        move |e| Error::Unreachable {
            endpoint: self.endpoint().host.clone(),
            detail: e.to_string(),
        }
    }
}

/// TLS as `docker --tlsverify` makes it: the engine's certificate checked against the context's
/// CA alone, and this client's certificate and key given.
fn tls_connector(tls: &TlsMaterial) -> Result<tokio_rustls::TlsConnector, Error> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls::{ClientConfig, RootCertStore, crypto};
    let unreadable = |path: &std::path::Path, e: &dyn std::fmt::Display| Error::Invalid {
        input: path.display().to_string(),
        reason: format!("not usable as this engine's TLS material: {e}"),
    };
    let certs = |path: &std::path::Path| {
        CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| unreadable(path, &e))
    };
    let mut roots = RootCertStore::empty();
    for ca in certs(&tls.ca)? {
        roots.add(ca).map_err(|e| unreadable(&tls.ca, &e))?;
    }
    let key = PrivateKeyDer::from_pem_file(&tls.key).map_err(|e| unreadable(&tls.key, &e))?;
    let config = ClientConfig::builder_with_provider(crypto::ring::default_provider().into())
        .with_safe_default_protocol_versions()
        .map_err(|e| unreadable(&tls.ca, &e))?
        .with_root_certificates(roots)
        .with_client_auth_cert(certs(&tls.cert)?, key)
        .map_err(|e| unreadable(&tls.cert, &e))?;
    Ok(tokio_rustls::TlsConnector::from(std::sync::Arc::new(
        config,
    )))
}

/// The name the engine's certificate must carry: the host of `host:port` (a DNS name or an
/// address, `[::1]` without its brackets).
fn server_name(addr: &str) -> Result<tokio_rustls::rustls::pki_types::ServerName<'static>, Error> {
    let host = addr.rsplit_once(':').map_or(addr, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|e| {
        Error::Invalid {
            input: addr.to_owned(),
            reason: format!("not a host name TLS can check: {e}"),
        }
    })
}

/// The status code and body of one request.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

async fn exchange<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
) -> std::io::Result<Answer> {
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: docker\r\n");
    if let Some(b) = body {
        req += &format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        );
    }
    req += "\r\n";
    stream.write_all(req.as_bytes()).await?;
    if let Some(b) = body {
        stream.write_all(b).await?;
    }
    let mut resp = Vec::new();
    stream.read_to_end(&mut resp).await?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .unwrap_or(resp.len());
    let head = String::from_utf8_lossy(&resp[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(Answer {
        status,
        body: resp[split..].to_vec(),
    })
}

impl Client {
    /// One request to the engine; `None` where this platform has no such transport.
    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Option<Answer>, Error> {
        let Some(io) = self.dial().await? else {
            return Ok(None);
        };
        let path = format!("/v{}{path}", self.api_version());
        let answer = self
            .within("a request", exchange(io, method, &path, body))
            .await?
            .map_err(self.io_error())?;
        Ok(Some(answer))
    }
}

/// A streamed answer: the status, and the body as it arrives.
pub(crate) struct StreamAnswer {
    pub status: u16,
    pub body: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
}

async fn open<S>(
    mut stream: S,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> std::io::Result<StreamAnswer>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n");
    for (k, v) in headers {
        req += &format!("{k}: {v}\r\n");
    }
    req += "\r\n";
    stream.write_all(req.as_bytes()).await?;
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the engine closed the connection before answering",
            ));
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let status = String::from_utf8_lossy(&head[..split])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let first = Bytes::copy_from_slice(&head[split..]);
    let rest = futures_util::stream::unfold(stream, |mut stream| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match stream.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), stream))
            }
            Err(e) => Some((Err(e), stream)),
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::iter((!first.is_empty()).then_some(Ok(first))),
        rest,
    );
    Ok(StreamAnswer {
        status,
        body: Box::pin(body),
    })
}

impl Client {
    /// A request whose answer is read as it comes; `None` as for [`Client::raw`].
    pub(crate) async fn raw_stream(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
    ) -> Result<Option<StreamAnswer>, Error> {
        let Some(io) = self.dial().await? else {
            return Ok(None);
        };
        let path = format!("/v{}{path}", self.api_version());
        let answer = self
            .within("a request", open(io, method, &path, headers))
            .await?
            .map_err(self.io_error())?;
        Ok(Some(answer))
    }
}

impl Client {
    /// Sends a request over a connection of its own (HTTP/1.1, a streamed body) and returns the
    /// answer as it starts; the connection lives until the answer (or its upgrade, for a
    /// `101 Switching Protocols`) is dropped.
    pub(crate) async fn send<B>(
        &self,
        req: hyper::Request<B>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, Error>
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let io = self.dial().await?.ok_or_else(|| {
            self.failed("this platform has no transport to this engine".to_owned())
        })?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io))
                .await
                .map_err(|e| self.failed(e.to_string()))?;
        tokio::spawn(async move {
            let _ = conn.with_upgrades().await;
        });
        sender
            .send_request(req)
            .await
            .map_err(|e| self.failed(e.to_string()))
    }

    /// The engine could not be reached, or its connection broke, for `detail`.
    pub(crate) fn failed(&self, detail: String) -> Error {
        Error::Unreachable {
            endpoint: self.endpoint().host.clone(),
            detail,
        }
    }
}

/// An answer's body as a stream of its bytes.
pub(crate) fn body_stream(
    body: hyper::body::Incoming,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    use futures_util::StreamExt;
    http_body_util::BodyStream::new(body).filter_map(|frame| async move {
        match frame {
            Ok(frame) => frame.into_data().ok().map(Ok),
            Err(e) => Some(Err(std::io::Error::other(e))),
        }
    })
}

/// Splits a byte stream into lines (a line may span chunks).
pub(crate) fn lines(
    body: impl Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static,
) -> impl Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
    use futures_util::StreamExt;
    futures_util::stream::unfold(
        (Box::pin(body), Vec::<u8>::new(), false),
        |(mut body, mut buf, mut done)| async move {
            loop {
                if let Some(nl) = buf.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=nl).collect();
                    return Some((Ok(line), (body, buf, done)));
                }
                if done {
                    if buf.is_empty() {
                        return None;
                    }
                    let line = std::mem::take(&mut buf);
                    return Some((Ok(line), (body, buf, done)));
                }
                match body.next().await {
                    Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
                    Some(Err(e)) => return Some((Err(e), (body, buf, true))),
                    None => done = true,
                }
            }
        },
    )
}

/// The engine's message in an answer that is not a success: its JSON `message`, else the body.
pub(crate) async fn message(body: impl Stream<Item = std::io::Result<Bytes>>) -> String {
    use futures_util::StreamExt;
    let body: Vec<u8> = body
        .filter_map(|c| async move { c.ok() })
        .collect::<Vec<_>>()
        .await
        .concat();
    serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body).trim().to_owned())
}
