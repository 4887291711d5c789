//! What the engine can ask registries for Berth: Docker Hub search, and a tag's current digest
//! (to tell whether a newer image is available without pulling it).

use bollard::models::ImageSearchResponseItem;
use bollard::query_parameters::SearchImagesOptionsBuilder;

use crate::images::Credentials;
use crate::reference::Reference;
use crate::{Client, Error};

/// Whether the registry holds something newer under a local image's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// The local image is what the registry has under that tag.
    UpToDate { digest: String },
    /// The registry's tag points elsewhere now.
    NewerAvailable {
        local: Option<String>,
        remote: String,
    },
    /// The local image never came from (or went to) that registry: nothing to compare.
    NotFromRegistry { remote: String },
}

/// An engine error that means "the engine cannot reach that registry".
fn unreachable_registry(message: &str) -> bool {
    [
        "dial tcp",
        "no such host",
        "lookup ",
        "i/o timeout",
        "connection refused",
        "TLS handshake",
        "network is unreachable",
    ]
    .iter()
    .any(|m| message.contains(m))
}

impl Client {
    /// Asks the engine to log in to a registry with `credentials` (it checks them with the
    /// registry); nothing is stored.
    pub async fn check_login(&self, credentials: &Credentials) -> Result<(), Error> {
        let body = serde_json::json!({
            "username": credentials.username,
            "password": credentials.password,
            "serveraddress": credentials.server,
        });
        let body = serde_json::to_vec(&body).expect("serialises");
        match self.raw("POST", "/auth", Some(&body)).await? {
            Some(a) if a.status == 200 => Ok(()),
            Some(a) => {
                let text = String::from_utf8_lossy(&a.body);
                let message = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["message"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| text.trim().to_owned());
                Err(Error::Registry {
                    reference: credentials.server.clone(),
                    message,
                })
            }
            None => Err(Error::Invalid {
                input: self.endpoint().host.clone(),
                reason:
                    "checking a login through this kind of engine address is not supported here"
                        .into(),
            }),
        }
    }

    /// Searches Docker Hub through the engine, or the registry `term` starts with
    /// (`registry.example.com/word`), as `docker search` does: the registry's v1 search API.
    pub async fn search(
        &self,
        term: &str,
        limit: u32,
    ) -> Result<Vec<ImageSearchResponseItem>, Error> {
        if term.trim().is_empty() {
            return Err(Error::invalid(
                term,
                "search for something: a name or a word",
            ));
        }
        let opts = SearchImagesOptionsBuilder::default()
            .term(term)
            .limit(limit as i32)
            .build();
        match self
            .call("a Docker Hub search", self.docker.search_images(opts))
            .await
        {
            Err(Error::Engine { message, .. }) if unreachable_registry(&message) => {
                Err(Error::Registry {
                    reference: crate::reference::registry_of(term.trim())
                        .unwrap_or("Docker Hub")
                        .to_owned(),
                    message: format!(
                        "the engine cannot reach it ({message}): check the engine's network or proxy settings"
                    ),
                })
            }
            other => other,
        }
    }

    /// The digest the registry serves for `reference` now, asked through the engine.
    pub async fn registry_digest(
        &self,
        reference: &Reference,
        credentials: Option<&Credentials>,
    ) -> Result<String, Error> {
        let name = reference.to_string();
        let creds = credentials.map(|c| bollard::auth::DockerCredentials {
            username: Some(c.username.clone()),
            password: Some(c.password.clone()),
            serveraddress: Some(c.server.clone()),
            ..Default::default()
        });
        match self
            .call(
                "a registry lookup",
                self.docker.inspect_registry_image(&name, creds),
            )
            .await
        {
            Ok(d) => d.descriptor.digest.ok_or_else(|| Error::Registry {
                reference: name,
                message: "the registry sent no digest".into(),
            }),
            Err(Error::Engine { message, .. }) | Err(Error::NotFound { message }) => {
                let hint = if unreachable_registry(&message) {
                    " (the engine cannot reach the registry)"
                } else {
                    ""
                };
                Err(Error::Registry {
                    reference: name,
                    message: format!("{message}{hint}"),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Compares the local image's repo digest for `reference`'s repository with the registry's
    /// current digest for its tag. Nothing is pulled.
    pub async fn freshness(
        &self,
        reference: &Reference,
        credentials: Option<&Credentials>,
    ) -> Result<Freshness, Error> {
        let local = self.inspect_image(&reference.to_string()).await?;
        let remote = self.registry_digest(reference, credentials).await?;
        let repo = reference.repository();
        let local_digest = local
            .repo_digests
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| {
                d.split_once('@')
                    .filter(|(r, _)| *r == repo)
                    .map(|(_, d)| d.to_owned())
            })
            .next();
        Ok(match local_digest {
            Some(d) if d == remote => Freshness::UpToDate { digest: d },
            Some(d) => Freshness::NewerAvailable {
                local: Some(d),
                remote,
            },
            None => Freshness::NotFromRegistry { remote },
        })
    }
}
