//! A registry's HTTP API (v2): browsing (the catalog, a repository's tags, a tag's manifest
//! digest and size) and moving artifacts that are not images (blobs and manifests up and down,
//! which compose's OCI artifacts use; the engine moves images). Loopback registries are spoken to
//! over plain HTTP (as the engine does), every other one over HTTPS; a `401` challenge is
//! answered with Basic credentials or a Bearer token fetched from the registry's token service.

use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The manifest types Berth accepts, newest formats first.
const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{registry}: {detail}")]
    Unreachable { registry: String, detail: String },
    #[error("{registry}: the registry wants a login (`berth login {registry}`)")]
    Unauthorized { registry: String },
    #[error("{registry}: no such {what}")]
    NotFound { registry: String, what: String },
    #[error("{registry} answered {status}: {detail}")]
    Registry {
        registry: String,
        status: u16,
        detail: String,
    },
    #[error("{registry}: {what} does not match its digest {digest}")]
    Corrupt {
        registry: String,
        what: String,
        digest: String,
    },
}

/// An error with what caused it, innermost last (`client error (Connect): tcp connect error:
/// Connection refused (os error 111)`).
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text += &format!(": {c}");
        cause = c.source();
    }
    text
}

/// `sha256:HEX` of `data`, as registries name blobs and manifests.
pub fn digest(data: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(data))
}

/// A `401` challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
}

/// Parses `WWW-Authenticate`: `Basic realm="…"` or `Bearer realm="…",service="…",scope="…"`.
pub fn parse_challenge(value: &str) -> Option<Challenge> {
    let (scheme, params) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let mut realm = None;
    let mut service = None;
    let mut scope = None;
    // Values are quoted and may contain commas (scopes do): split on `",`.
    for part in params.split("\",") {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_owned();
        match k.trim() {
            "realm" => realm = Some(v),
            "service" => service = Some(v),
            "scope" => scope = Some(v),
            _ => {}
        }
    }
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => Some(Challenge::Basic),
        "bearer" => Some(Challenge::Bearer {
            realm: realm?,
            service,
            scope,
        }),
        _ => None,
    }
}

/// A manifest's digest and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestInfo {
    pub digest: String,
    pub media_type: String,
    /// The image's size: config and layers (for an index, the sum over its images is unknown
    /// without fetching each: `None`).
    pub size: Option<i64>,
    /// `os/arch` of each image in an index.
    pub platforms: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Manifest {
    media_type: String,
    config: Option<Descriptor>,
    layers: Vec<Descriptor>,
    manifests: Vec<IndexEntry>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Descriptor {
    size: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IndexEntry {
    platform: Option<Platform>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Platform {
    os: String,
    architecture: String,
}

/// A client for one registry.
pub struct Registry {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    name: String,
    base: String,
    login: Option<(String, String)>,
    /// The last `Authorization` the registry took, tried first on the next request.
    auth: std::sync::Mutex<Option<String>>,
}

/// One request: method, path (or a whole URL, as an upload's `Location` may be), headers, body.
struct Call<'a> {
    method: Method,
    url: String,
    accept: Option<&'a str>,
    content_type: Option<&'a str>,
    body: Bytes,
    /// What is asked for, for a `404`.
    what: &'a str,
}

fn is_loopback(host: &str) -> bool {
    let h = host
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(host)
        .trim_matches(['[', ']']);
    h == "localhost" || h.starts_with("127.") || h == "::1"
}

impl Registry {
    /// `registry` as `host[:port]`; `login` is `(user, password)`.
    pub fn new(registry: &str, login: Option<(String, String)>) -> Result<Self, Error> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| Error::Unreachable {
                registry: registry.into(),
                detail: format!("no TLS roots: {e}"),
            })?
            .https_or_http()
            .enable_http1()
            .build();
        let scheme = if is_loopback(registry) {
            "http"
        } else {
            "https"
        };
        // Docker Hub's API answers at its own host.
        let host = match registry {
            "docker.io" | "index.docker.io" => "registry-1.docker.io",
            other => other,
        };
        Ok(Self {
            http: Client::builder(TokioExecutor::new()).build(https),
            name: registry.to_owned(),
            base: format!("{scheme}://{host}"),
            login,
            auth: std::sync::Mutex::new(None),
        })
    }

    /// A `Call` to `path` under the registry's base.
    fn call<'a>(&self, method: Method, path: &str, what: &'a str) -> Call<'a> {
        Call {
            method,
            url: format!("{}{path}", self.base),
            accept: None,
            content_type: None,
            body: Bytes::new(),
            what,
        }
    }

    async fn send(
        &self,
        call: &Call<'_>,
        auth: Option<&str>,
    ) -> Result<(StatusCode, HeaderMap, Bytes), Error> {
        let mut req = Request::builder()
            .method(call.method.clone())
            .uri(&call.url);
        if let Some(a) = call.accept {
            req = req.header(header::ACCEPT, a);
        }
        if let Some(t) = call.content_type {
            req = req.header(header::CONTENT_TYPE, t);
        }
        if let Some(a) = auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        let req = req
            .body(Full::new(call.body.clone()))
            .map_err(|e| self.unreachable(e))?;
        let resp = tokio::time::timeout(TIMEOUT, self.http.request(req))
            .await
            .map_err(|_| self.unreachable("no answer within 30 s"))?
            .map_err(|e| {
                self.unreachable(format!(
                    "cannot reach it ({}): check the address, and that the registry runs",
                    causes(&e)
                ))
            })?;
        let (parts, body) = resp.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| self.unreachable(e))?
            .to_bytes();
        Ok((parts.status, parts.headers, body))
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> Error {
        Error::Unreachable {
            registry: self.name.clone(),
            detail: e.to_string(),
        }
    }

    fn basic(&self) -> Option<String> {
        self.login.as_ref().map(|(u, p)| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        })
    }

    /// Sends `call`, answering one auth challenge; a success's headers and body, else the
    /// status said as an error.
    async fn request(&self, call: Call<'_>) -> Result<(HeaderMap, Bytes), Error> {
        let (status, headers, body) = self.authorized(&call).await?;
        match status {
            s if s.is_success() || s.is_redirection() => Ok((headers, body)),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Error::Unauthorized {
                registry: self.name.clone(),
            }),
            StatusCode::NOT_FOUND => Err(Error::NotFound {
                registry: self.name.clone(),
                what: call.what.into(),
            }),
            s => Err(Error::Registry {
                registry: self.name.clone(),
                status: s.as_u16(),
                detail: String::from_utf8_lossy(&body)
                    .trim()
                    .chars()
                    .take(200)
                    .collect(),
            }),
        }
    }

    /// Sends `call` with the authorization the registry last took; on a `401`, with what its
    /// challenge asks for (kept for the next request).
    async fn authorized(&self, call: &Call<'_>) -> Result<(StatusCode, HeaderMap, Bytes), Error> {
        let kept = self.auth.lock().map(|a| a.clone()).unwrap_or_default();
        let (status, headers, body) = self.send(call, kept.as_deref()).await?;
        if status != StatusCode::UNAUTHORIZED {
            return Ok((status, headers, body));
        }
        let challenge = headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_challenge);
        let auth = match challenge {
            Some(Challenge::Basic) => self.basic(),
            Some(Challenge::Bearer {
                realm,
                service,
                scope,
            }) => Some(self.token(&realm, service, scope).await?),
            None => None,
        };
        let Some(auth) = auth else {
            return Err(Error::Unauthorized {
                registry: self.name.clone(),
            });
        };
        let answer = self.send(call, Some(&auth)).await?;
        if answer.0 != StatusCode::UNAUTHORIZED
            && let Ok(mut kept) = self.auth.lock()
        {
            *kept = Some(auth);
        }
        Ok(answer)
    }

    /// GET `path`, answering one auth challenge.
    async fn get(
        &self,
        path: &str,
        accept: Option<&str>,
        what: &str,
    ) -> Result<(HeaderMap, Bytes), Error> {
        self.request(Call {
            accept,
            ..self.call(Method::GET, path, what)
        })
        .await
    }

    /// A Bearer token from the registry's token service.
    async fn token(
        &self,
        realm: &str,
        service: Option<String>,
        scope: Option<String>,
    ) -> Result<String, Error> {
        let mut url = realm.to_owned();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        for (k, v) in [("service", service), ("scope", scope)] {
            if let Some(v) = v {
                url += &format!("{sep}{k}={}", v.replace(' ', "%20"));
                sep = '&';
            }
        }
        let call = Call {
            url,
            ..self.call(Method::GET, "", "token")
        };
        let (status, _, body) = self.send(&call, self.basic().as_deref()).await?;
        if !status.is_success() {
            return Err(Error::Unauthorized {
                registry: self.name.clone(),
            });
        }
        #[derive(Deserialize)]
        struct Token {
            token: Option<String>,
            access_token: Option<String>,
        }
        let t: Token = serde_json::from_slice(&body)
            .map_err(|e| self.unreachable(format!("token service: {e}")))?;
        t.token
            .or(t.access_token)
            .map(|t| format!("Bearer {t}"))
            .ok_or(Error::Unauthorized {
                registry: self.name.clone(),
            })
    }

    /// The repositories (the registry's catalog).
    pub async fn catalog(&self) -> Result<Vec<String>, Error> {
        #[derive(Deserialize)]
        struct Catalog {
            repositories: Option<Vec<String>>,
        }
        let (_, body) = self.get("/v2/_catalog?n=1000", None, "catalog").await?;
        let c: Catalog =
            serde_json::from_slice(&body).map_err(|e| self.unreachable(format!("catalog: {e}")))?;
        Ok(c.repositories.unwrap_or_default())
    }

    /// A repository's tags.
    pub async fn tags(&self, repository: &str) -> Result<Vec<String>, Error> {
        #[derive(Deserialize)]
        struct Tags {
            tags: Option<Vec<String>>,
        }
        let what = format!("repository {repository}");
        let (_, body) = self
            .get(&format!("/v2/{repository}/tags/list"), None, &what)
            .await?;
        let t: Tags =
            serde_json::from_slice(&body).map_err(|e| self.unreachable(format!("tags: {e}")))?;
        let mut tags = t.tags.unwrap_or_default();
        tags.sort();
        Ok(tags)
    }

    /// A tag's (or digest's) manifest: digest, type and size.
    pub async fn manifest(&self, repository: &str, reference: &str) -> Result<ManifestInfo, Error> {
        let (body, media_type, digest) = self
            .manifest_bytes(repository, reference, MANIFEST_TYPES)
            .await?;
        let m: Manifest = serde_json::from_slice(&body)
            .map_err(|e| self.unreachable(format!("manifest: {e}")))?;
        let media_type = match media_type.is_empty() {
            true => m.media_type,
            false => media_type,
        };
        let size = m
            .config
            .map(|c| c.size + m.layers.iter().map(|l| l.size).sum::<i64>());
        let platforms = m
            .manifests
            .into_iter()
            .filter_map(|e| e.platform.map(|p| format!("{}/{}", p.os, p.architecture)))
            .collect();
        Ok(ManifestInfo {
            digest,
            media_type,
            size,
            platforms,
        })
    }

    /// A manifest as the registry serves it, asking for `accept`: its bytes, media type and
    /// digest (the registry's, else the bytes').
    pub async fn manifest_bytes(
        &self,
        repository: &str,
        reference: &str,
        accept: &str,
    ) -> Result<(Bytes, String, String), Error> {
        let what = format!("tag {repository}:{reference}");
        let (headers, body) = self
            .get(
                &format!("/v2/{repository}/manifests/{reference}"),
                Some(accept),
                &what,
            )
            .await?;
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let own = digest(&body);
        if reference.starts_with("sha256:") && own != reference {
            return Err(self.corrupt(what, reference));
        }
        let digest = header("docker-content-digest").unwrap_or(own);
        let media_type = header(header::CONTENT_TYPE.as_str()).unwrap_or_default();
        Ok((body, media_type, digest))
    }

    /// A blob's bytes, checked against its digest (a registry that keeps blobs elsewhere
    /// redirects to them).
    pub async fn blob(&self, repository: &str, wanted: &str) -> Result<Bytes, Error> {
        let what = format!("blob {wanted} in {repository}");
        let (headers, mut body) = self
            .get(&format!("/v2/{repository}/blobs/{wanted}"), None, &what)
            .await?;
        if let Some(location) = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()) {
            let call = Call {
                url: self.absolute(location),
                ..self.call(Method::GET, "", &what)
            };
            let (status, _, redirected) = self.send(&call, None).await?;
            if !status.is_success() {
                return Err(Error::Registry {
                    registry: self.name.clone(),
                    status: status.as_u16(),
                    detail: format!("{what}: its storage did not serve it"),
                });
            }
            body = redirected;
        }
        if digest(&body) != wanted {
            return Err(self.corrupt(what, wanted));
        }
        Ok(body)
    }

    /// Uploads `data` as a blob of `repository`, unless the registry has it; its digest.
    pub async fn push_blob(&self, repository: &str, data: Bytes) -> Result<String, Error> {
        let digest = digest(&data);
        let what = format!("repository {repository}");
        let has = self
            .request(self.call(
                Method::HEAD,
                &format!("/v2/{repository}/blobs/{digest}"),
                &what,
            ))
            .await;
        match has {
            Ok(_) => return Ok(digest),
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        let (headers, _) = self
            .request(self.call(
                Method::POST,
                &format!("/v2/{repository}/blobs/uploads/"),
                &what,
            ))
            .await?;
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.unreachable("an upload was started with no Location to send to"))?;
        let mut url = self.absolute(location);
        url.push(if url.contains('?') { '&' } else { '?' });
        url += &format!("digest={digest}");
        self.request(Call {
            url,
            content_type: Some("application/octet-stream"),
            body: data,
            ..self.call(Method::PUT, "", &what)
        })
        .await?;
        Ok(digest)
    }

    /// Puts `data` (a manifest of `media_type`) under `reference` (a tag) of `repository`; its
    /// digest.
    pub async fn push_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        data: Bytes,
    ) -> Result<String, Error> {
        let digest = digest(&data);
        let what = format!("repository {repository}");
        self.request(Call {
            content_type: Some(media_type),
            body: data,
            ..self.call(
                Method::PUT,
                &format!("/v2/{repository}/manifests/{reference}"),
                &what,
            )
        })
        .await?;
        Ok(digest)
    }

    /// `location` (a path or a whole URL, as `Location` headers come) as a whole URL.
    fn absolute(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_owned()
        } else {
            format!("{}{location}", self.base)
        }
    }

    fn corrupt(&self, what: String, digest: &str) -> Error {
        Error::Corrupt {
            registry: self.name.clone(),
            what,
            digest: digest.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        assert_eq!(
            parse_challenge(r#"Basic realm="berth-test""#),
            Some(Challenge::Basic)
        );
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/busybox:pull,push".into()),
            })
        );
        assert_eq!(parse_challenge("Negotiate"), None);
        assert_eq!(
            parse_challenge("Bearer service=\"x\""),
            None,
            "a bearer challenge needs a realm"
        );
    }

    #[test]
    fn loopback_registries_use_http() {
        assert!(
            is_loopback("127.0.0.1:5000")
                && is_loopback("localhost:5000")
                && is_loopback("[::1]:5000")
        );
        assert!(!is_loopback("registry.example.com") && !is_loopback("10.0.0.5:5000"));
    }
}
