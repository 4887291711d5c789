//! Minimal HTTP/1.0 requests to the engine, for the few calls bollard 0.21 does not model for old
//! engines (`/system/df` of API 1.41, `/auth`): over the unix socket or plain tcp only.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::endpoint::Address;
use crate::{Client, Error};

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
    /// One request to the engine; `None` for a TLS engine (not spoken here).
    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Option<Answer>, Error> {
        let host = self.endpoint().host.clone();
        let fail = |e: std::io::Error| Error::Unreachable {
            endpoint: host.clone(),
            detail: e.to_string(),
        };
        let path = format!("/v{}{path}", self.api_version());
        let answer = match (self.endpoint().address()?, &self.endpoint().tls) {
            (Address::Unix(sock), _) => {
                let stream = tokio::net::UnixStream::connect(sock).await.map_err(fail)?;
                self.within("a request", exchange(stream, method, &path, body))
                    .await?
                    .map_err(fail)?
            }
            (Address::Tcp(addr), None) => {
                let stream = tokio::net::TcpStream::connect(addr).await.map_err(fail)?;
                self.within("a request", exchange(stream, method, &path, body))
                    .await?
                    .map_err(fail)?
            }
            (Address::Tcp(_), Some(_)) => return Ok(None),
        };
        Ok(Some(answer))
    }
}
