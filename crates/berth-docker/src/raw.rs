//! Requests to the engine sent by Berth itself (HTTP/1.1 through hyper), for the few calls
//! bollard 0.21 does not model (well): `/system/df` of API 1.41, `/auth`, push (whose lines
//! bollard strips of their layer id), a container made with a MAC address, and a BuildKit build
//! with its session (a streamed body, an upgrade): over the unix socket, the named pipe, plain
//! tcp, or tcp with TLS as `docker --tlsverify` speaks it.

use std::pin::Pin;

use bytes::Bytes;
use futures_util::Stream;

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

impl Answer {
    /// The answer's JSON (null when it has none) when the engine said yes; what it said as the
    /// error otherwise.
    pub(crate) fn json(&self, endpoint: &str) -> Result<serde_json::Value, Error> {
        let text = String::from_utf8_lossy(&self.body);
        let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        if (200..300).contains(&self.status) {
            return Ok(value);
        }
        let message = value["message"]
            .as_str()
            .map_or_else(|| text.trim().to_owned(), str::to_owned);
        Err(Error::from_bollard(
            endpoint,
            bollard::errors::Error::DockerResponseServerError {
                status_code: self.status,
                message,
            },
        ))
    }
}

/// `text` (a container's name or id as the user gave it) as one segment of a request's path.
pub(crate) fn path_part(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The `Warnings` of an engine's answer (a create's, an update's).
pub(crate) fn warnings(answer: &serde_json::Value) -> Vec<String> {
    answer["Warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .filter_map(|w| w.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A streamed answer: the status, and the body as it arrives.
pub(crate) struct StreamAnswer {
    pub status: u16,
    pub body: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
}

impl Client {
    /// One request to the engine, its whole answer read; `None` where this platform has no such
    /// transport.
    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Option<Answer>, Error> {
        let req = self.request(method, path, &[], body)?;
        self.within("a request", async {
            let Some(answer) = self.send_own(req).await? else {
                return Ok(None);
            };
            let status = answer.status().as_u16();
            let body = http_body_util::BodyExt::collect(answer.into_body())
                .await
                .map_err(|e| self.failed(e.to_string()))?
                .to_bytes()
                .to_vec();
            Ok(Some(Answer { status, body }))
        })
        .await?
    }

    /// A request whose answer is read as it comes; `None` as for [`Client::raw`].
    pub(crate) async fn raw_stream(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
    ) -> Result<Option<StreamAnswer>, Error> {
        let req = self.request(method, path, headers, None)?;
        let Some(answer) = self.within("a request", self.send_own(req)).await?? else {
            return Ok(None);
        };
        Ok(Some(StreamAnswer {
            status: answer.status().as_u16(),
            body: Box::pin(body_stream(answer.into_body())),
        }))
    }

    /// A request of the negotiated API version to `path`, with a JSON `body` if any.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
    ) -> Result<hyper::Request<http_body_util::Full<Bytes>>, Error> {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("/v{}{path}", self.api_version()))
            .header("Host", "docker");
        if body.is_some() {
            req = req.header("Content-Type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let body = http_body_util::Full::new(Bytes::copy_from_slice(body.unwrap_or_default()));
        req.body(body)
            .map_err(|e| Error::invalid(path, &e.to_string()))
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
        self.send_own(req)
            .await?
            .ok_or_else(|| self.failed("this platform has no transport to this engine".to_owned()))
    }

    /// [`Client::send`], `None` where this platform has no such transport.
    async fn send_own<B>(
        &self,
        req: hyper::Request<B>,
    ) -> Result<Option<hyper::Response<hyper::body::Incoming>>, Error>
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let Some(io) = self.dial().await? else {
            return Ok(None);
        };
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
            .map(Some)
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

/// Splits a byte stream into lines, without their `\n` (a line may span chunks; the last may
/// have no `\n`); the stream ends after an error.
pub(crate) fn lines(
    body: impl Stream<Item = std::io::Result<Bytes>> + Send + 'static,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    use futures_util::StreamExt;
    use tokio_util::codec::{AnyDelimiterCodec, FramedRead};
    let codec = AnyDelimiterCodec::new(b"\n".to_vec(), Vec::new());
    FramedRead::new(tokio_util::io::StreamReader::new(body), codec).map(|line| {
        line.map_err(|e| match e {
            tokio_util::codec::AnyDelimiterCodecError::Io(e) => e,
            e => std::io::Error::other(e),
        })
    })
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

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    fn chunks(parts: Vec<std::io::Result<&'static [u8]>>) -> Vec<std::io::Result<Bytes>> {
        parts
            .into_iter()
            .map(|p| p.map(Bytes::from_static))
            .collect()
    }

    #[tokio::test]
    async fn lines_span_chunks_keep_a_last_line_without_newline_and_end_after_an_error() {
        let body = chunks(vec![
            Ok(b"{\"a\":"),
            Ok(b"1}\n\n{\"b\""),
            Ok(b":2}\n{\"c\":3}"),
        ]);
        let got: Vec<_> = lines(futures_util::stream::iter(body))
            .map(|l| l.unwrap())
            .collect()
            .await;
        assert_eq!(got, ["{\"a\":1}", "", "{\"b\":2}", "{\"c\":3}"]);

        let broken = chunks(vec![
            Ok(b"one\ntw"),
            Err(std::io::Error::other("connection reset")),
            Ok(b"o\nthree\n"),
        ]);
        let got: Vec<_> = lines(futures_util::stream::iter(broken)).collect().await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].as_ref().unwrap(), "one");
        assert_eq!(got[1].as_ref().unwrap_err().to_string(), "connection reset");
    }
}
