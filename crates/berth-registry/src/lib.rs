//! Browsing a registry over its HTTP API (v2): the catalog, a repository's tags, and a tag's
//! manifest digest and size. Loopback registries are spoken to over plain HTTP (as the engine
//! does), every other one over HTTPS; a `401` challenge is answered with Basic credentials or a
//! Bearer token fetched from the registry's token service.

use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::{BodyExt, Empty};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;

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
    http: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    name: String,
    base: String,
    login: Option<(String, String)>,
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
        Ok(Self {
            http: Client::builder(TokioExecutor::new()).build(https),
            name: registry.to_owned(),
            base: format!("{scheme}://{registry}"),
            login,
        })
    }

    async fn send(
        &self,
        url: &str,
        accept: Option<&str>,
        auth: Option<&str>,
    ) -> Result<(StatusCode, HeaderMap, Bytes), Error> {
        let mut req = Request::get(url);
        if let Some(a) = accept {
            req = req.header(header::ACCEPT, a);
        }
        if let Some(a) = auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        let req = req.body(Empty::new()).map_err(|e| self.unreachable(e))?;
        let resp = tokio::time::timeout(TIMEOUT, self.http.request(req))
            .await
            .map_err(|_| self.unreachable("no answer within 30 s"))?
            .map_err(|e| self.unreachable(e))?;
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

    /// GET `path`, answering one auth challenge.
    async fn get(
        &self,
        path: &str,
        accept: Option<&str>,
        what: &str,
    ) -> Result<(HeaderMap, Bytes), Error> {
        let url = format!("{}{path}", self.base);
        let (mut status, mut headers, mut body) = self.send(&url, accept, None).await?;
        if status == StatusCode::UNAUTHORIZED {
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
            (status, headers, body) = self.send(&url, accept, Some(&auth)).await?;
        }
        match status {
            s if s.is_success() => Ok((headers, body)),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Error::Unauthorized {
                registry: self.name.clone(),
            }),
            StatusCode::NOT_FOUND => Err(Error::NotFound {
                registry: self.name.clone(),
                what: what.into(),
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
        let (status, _, body) = self.send(&url, None, self.basic().as_deref()).await?;
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
        let what = format!("tag {repository}:{reference}");
        let (headers, body) = self
            .get(
                &format!("/v2/{repository}/manifests/{reference}"),
                Some(MANIFEST_TYPES),
                &what,
            )
            .await?;
        let digest = headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_default();
        let m: Manifest = serde_json::from_slice(&body)
            .map_err(|e| self.unreachable(format!("manifest: {e}")))?;
        let media_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or(m.media_type);
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
