//! Images: list, inspect, history, pull and push (progress streams), tag, remove, prune.

use bollard::models::{
    ImageDeleteResponseItem, ImageHistoryResponseItem, ImageInspect, ImageSummary,
};
use bollard::query_parameters::{
    CreateImageOptionsBuilder, ListImagesOptionsBuilder, PruneImagesOptionsBuilder,
    PushImageOptionsBuilder, RemoveImageOptionsBuilder, TagImageOptionsBuilder,
};
use futures_util::{Stream, StreamExt};

use crate::progress::Progress;
use crate::reference::Reference;
use crate::{Client, Error};

/// Registry credentials for one pull or push (never logged).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    pub server: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials {{ username: {:?}, server: {:?}, password: <hidden> }}",
            self.username, self.server
        )
    }
}

impl Credentials {
    pub(crate) fn to_bollard(&self) -> bollard::auth::DockerCredentials {
        bollard::auth::DockerCredentials {
            username: Some(self.username.clone()),
            password: Some(self.password.clone()),
            serveraddress: Some(self.server.clone()),
            ..Default::default()
        }
    }
}

/// A push line as the engine writes it (with the layer id bollard's model leaves out).
#[derive(serde::Deserialize)]
struct RawPushLine {
    #[serde(rename = "errorDetail")]
    error_detail: Option<bollard::models::ErrorDetail>,
    error: Option<String>,
    id: Option<String>,
    status: Option<String>,
    #[serde(rename = "progressDetail")]
    progress_detail: Option<bollard::models::ProgressDetail>,
}

/// The fields a pull line and a push line share.
struct TransferLine {
    error: Option<bollard::models::ErrorDetail>,
    id: Option<String>,
    status: Option<String>,
    progress: Option<bollard::models::ProgressDetail>,
}

/// One line of a pull or push as a progress event, or as an error naming the image: the
/// registry's refusal comes in the stream, or as the status of the request itself (no login, no
/// such tag).
fn transfer_event(
    item: Result<TransferLine, bollard::errors::Error>,
    reference: &str,
    endpoint: &str,
) -> Result<Progress, Error> {
    let refused = |message: String| Error::Registry {
        reference: reference.to_owned(),
        message,
    };
    match item {
        Ok(TransferLine {
            error: Some(detail),
            ..
        }) => Err(refused(detail.message.unwrap_or_default())),
        Ok(line) => Ok(Progress::new(
            line.id,
            line.status.unwrap_or_default(),
            line.progress,
        )),
        Err(bollard::errors::Error::DockerStreamError { error }) => Err(refused(error)),
        Err(bollard::errors::Error::DockerResponseServerError { message, .. }) => {
            Err(refused(message.trim().to_owned()))
        }
        Err(e) => Err(Error::from_bollard(endpoint, e)),
    }
}

impl Client {
    /// Lists images; `all` includes intermediate images, like `docker images -a`.
    pub async fn list_images(&self, all: bool) -> Result<Vec<ImageSummary>, Error> {
        self.list_images_where(all, &Default::default()).await
    }

    /// The images the engine's filters let through (`dangling`, `label`, `reference`,
    /// `before`, `since`, as `docker images --filter` takes them).
    pub async fn list_images_where(
        &self,
        all: bool,
        filters: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<Vec<ImageSummary>, Error> {
        let filters = crate::query_filters(filters);
        let opts = ListImagesOptionsBuilder::default()
            .all(all)
            .filters(&filters)
            .build();
        self.call("the image list", self.docker.list_images(Some(opts)))
            .await
    }

    pub async fn inspect_image(&self, name: &str) -> Result<ImageInspect, Error> {
        self.call("an image inspect", self.docker.inspect_image(name))
            .await
    }

    /// The layers of an image, newest first, with the instruction that made each.
    pub async fn image_history(&self, name: &str) -> Result<Vec<ImageHistoryResponseItem>, Error> {
        self.call("an image history", self.docker.image_history(name))
            .await
    }

    /// Pulls `reference`; the stream ends when the pull does. Dropping it cancels the pull.
    pub fn pull(
        &self,
        reference: &Reference,
        credentials: Option<&Credentials>,
    ) -> impl Stream<Item = Result<Progress, Error>> + use<> {
        self.pull_for(reference, credentials, None)
    }

    /// [`Client::pull`] of the image for `platform` (`linux/arm64`) when given.
    pub fn pull_for(
        &self,
        reference: &Reference,
        credentials: Option<&Credentials>,
        platform: Option<&str>,
    ) -> impl Stream<Item = Result<Progress, Error>> + use<> {
        let from_image = reference.repository();
        let tag = reference
            .digest
            .clone()
            .or_else(|| reference.tag.clone())
            .unwrap_or_else(|| "latest".into());
        let mut opts = CreateImageOptionsBuilder::default()
            .from_image(&from_image)
            .tag(&tag);
        if let Some(platform) = platform {
            opts = opts.platform(platform);
        }
        let opts = opts.build();
        let stream =
            self.docker
                .create_image(Some(opts), None, credentials.map(Credentials::to_bollard));
        let (endpoint, what) = (self.endpoint().host.clone(), reference.to_string());
        stream.map(move |item| {
            let item = item.map(|i| TransferLine {
                error: i.error_detail,
                id: i.id,
                status: i.status,
                progress: i.progress_detail,
            });
            transfer_event(item, &what, &endpoint)
        })
    }

    /// Pushes `reference`, which must exist locally under that name. Dropping the stream cancels
    /// the push.
    pub async fn push(
        &self,
        reference: &Reference,
        credentials: Option<&Credentials>,
    ) -> Result<futures_util::stream::BoxStream<'static, Result<Progress, Error>>, Error> {
        let local = reference.to_string();
        match self.inspect_image(&local).await {
            Ok(_) => {}
            Err(Error::NotFound { .. }) => {
                return Err(Error::invalid(
                    &local,
                    "no local image has that name: build it with that tag, or `berth tag IMAGE` it first",
                ));
            }
            Err(e) => return Err(e),
        }
        // The engine's own lines carry each layer's id; bollard's model drops it, so on a
        // socket, pipe or tcp (with or without TLS) the push is read directly.
        let auth = {
            use base64::Engine;
            let creds = credentials.map(Credentials::to_bollard).unwrap_or_default();
            base64::engine::general_purpose::URL_SAFE
                .encode(serde_json::to_vec(&creds).unwrap_or_default())
        };
        let path = format!(
            "/images/{}/push?tag={}",
            reference.repository(),
            reference.tag_or_latest()
        );
        let endpoint = self.endpoint().host.clone();
        if let Some(answer) = self
            .raw_stream("POST", &path, &[("X-Registry-Auth", auth)])
            .await?
        {
            let refused = {
                let local = local.clone();
                move |message: String| Error::Registry {
                    reference: local.clone(),
                    message,
                }
            };
            if answer.status != 200 {
                return Err(refused(crate::raw::message(answer.body).await));
            }
            let stream = crate::raw::lines(answer.body).filter_map(move |line| {
                let refused = refused.clone();
                let endpoint = endpoint.clone();
                async move {
                    let line = match line {
                        Ok(l) => l,
                        Err(e) => {
                            return Some(Err(Error::Unreachable {
                                endpoint,
                                detail: e.to_string(),
                            }));
                        }
                    };
                    if line.iter().all(u8::is_ascii_whitespace) {
                        return None;
                    }
                    Some(match serde_json::from_slice::<RawPushLine>(&line) {
                        Ok(l) => match (l.error_detail, l.error) {
                            (Some(d), _) => Err(refused(d.message.unwrap_or_default())),
                            (None, Some(e)) => Err(refused(e)),
                            (None, None) => Ok(crate::progress::Progress::new(
                                l.id,
                                l.status.unwrap_or_default(),
                                l.progress_detail,
                            )),
                        },
                        Err(e) => Err(refused(format!("an unreadable progress line: {e}"))),
                    })
                }
            });
            return Ok(stream.boxed());
        }
        let opts = PushImageOptionsBuilder::default()
            .tag(reference.tag_or_latest())
            .build();
        // The engine wants an auth header even for an open registry.
        let creds = credentials.map(Credentials::to_bollard).unwrap_or_default();
        let stream = self
            .docker
            .push_image(&reference.repository(), Some(opts), Some(creds));
        Ok(stream
            .map(move |item| {
                // bollard's push model drops the layer id the engine sends.
                let item = item.map(|i| TransferLine {
                    error: i.error_detail,
                    id: None,
                    status: i.status,
                    progress: i.progress_detail,
                });
                transfer_event(item, &local, &endpoint)
            })
            .boxed())
    }

    /// Gives `source` (a name or id) the name `target`.
    pub async fn tag(&self, source: &str, target: &str) -> Result<(), Error> {
        let reference = Reference::parse(target).map_err(|e| Error::invalid(target, &e.reason))?;
        let opts = TagImageOptionsBuilder::default()
            .repo(&reference.repository())
            .tag(reference.tag_or_latest())
            .build();
        self.call("a tag", self.docker.tag_image(source, Some(opts)))
            .await
    }

    /// Removes an image (or one of its names). `force` also removes it from stopped containers'
    /// use, as `docker rmi -f` does.
    pub async fn remove_image(
        &self,
        name: &str,
        force: bool,
    ) -> Result<Vec<ImageDeleteResponseItem>, Error> {
        let opts = RemoveImageOptionsBuilder::default().force(force).build();
        self.call(
            "an image removal",
            self.docker.remove_image(name, Some(opts), None),
        )
        .await
    }

    /// Removes dangling images (all unused ones with `all`); returns what went and the space.
    pub async fn prune_images(&self, all: bool) -> Result<(Vec<String>, i64), Error> {
        let mut filters = std::collections::HashMap::new();
        filters.insert("dangling", vec![if all { "false" } else { "true" }]);
        let opts = PruneImagesOptionsBuilder::default()
            .filters(&filters)
            .build();
        let resp = self
            .call("an image prune", self.docker.prune_images(Some(opts)))
            .await?;
        let gone = resp
            .images_deleted
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| d.deleted.or(d.untagged))
            .collect();
        Ok((gone, resp.space_reclaimed.unwrap_or(0)))
    }
}
