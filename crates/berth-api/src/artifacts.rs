//! Compose projects as OCI artifacts in a registry: `compose publish` pushes a project's files
//! as one, `-f oci://…` fetches one into Berth's cache and loads its files from there
//! (`berth_compose::oci` says the artifact's shape; berth-registry moves the bytes).

use std::path::PathBuf;

use berth_compose::Project;
use berth_compose::oci::{self, Layer, LayerKind, OciVersion};

use crate::images::{reference, registry_error};
use crate::{ApiError, Berth, Connection};

/// What `compose publish` was asked besides the repository.
#[derive(Clone, Debug, Default)]
pub struct PublishAsked {
    /// `--resolve-image-digests`: an `image-digests.yaml` layer pins each service's image.
    pub resolve_image_digests: bool,
    /// `--oci-version`; `None` tries 1.1, then 1.0 when the registry refuses it.
    pub oci_version: Option<OciVersion>,
}

/// A published artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// `registry/repository:tag`.
    pub reference: String,
    /// The manifest's digest.
    pub digest: String,
    /// The files it holds, by name.
    pub files: Vec<String>,
}

/// A fetched artifact's files in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The directory its files are in (the project's directory when it is the first `-f`).
    pub dir: PathBuf,
    /// Its compose files, in the artifact's order.
    pub files: Vec<PathBuf>,
}

/// `oci://REF` without its scheme, or `None` for a file path.
pub fn oci_reference(file: &str) -> Option<&str> {
    file.strip_prefix("oci://")
}

impl Berth {
    /// Pushes `layers` (what [`oci::layers`] makes of `project`, its checks passed) to
    /// `repository` (`registry/name[:tag]`) as compose's artifact.
    pub async fn compose_publish(
        &self,
        conn: &Connection,
        project: &Project,
        mut layers: Vec<Layer>,
        repository: &str,
        asked: &PublishAsked,
    ) -> Result<Published, ApiError> {
        let r = reference(repository)?;
        if r.digest.is_some() {
            return Err(ApiError::invalid(format!(
                "{repository}: publish to a tag, not a digest"
            )));
        }
        if asked.resolve_image_digests {
            let pinned = self.compose_resolve_digests(conn, project.clone()).await?;
            layers.push(Layer {
                kind: LayerKind::ComposeFile,
                name: "image-digests.yaml".into(),
                data: berth_compose::config::image_lock(&pinned, false)?.into_bytes(),
                extends: false,
            });
        }
        let client = self.registry_client(&r.registry)?;
        for data in layers
            .iter()
            .map(|l| l.data.clone())
            .chain([oci::EMPTY_CONFIG.to_vec()])
        {
            client
                .push_blob(&r.path, data.into())
                .await
                .map_err(registry_error)?;
        }
        let tag = r.tag_or_latest().to_owned();
        let created = format!("{:.0}", jiff::Timestamp::now());
        let push = |version| {
            let manifest = oci::manifest(&layers, version, &created);
            client.push_manifest(&r.path, &tag, oci::MANIFEST_TYPE, manifest.into())
        };
        let pushed = match asked.oci_version {
            Some(v) => push(v).await,
            // A registry that does not take OCI 1.1's artifactType answers 4xx (not an auth
            // error): the 1.0 shape then, as compose falls back.
            None => match push(OciVersion::V1_1).await {
                Err(berth_registry::Error::Registry { status, .. })
                    if (400..500).contains(&status) =>
                {
                    push(OciVersion::V1_0).await
                }
                other => other,
            },
        };
        let digest = pushed.map_err(registry_error)?;
        Ok(Published {
            reference: format!("{}/{}:{tag}", r.registry, r.path),
            digest,
            files: layers.into_iter().map(|l| l.name).collect(),
        })
    }

    /// Fetches `artifact` (`registry/name[:tag|@digest]`, without `oci://`) into the cache,
    /// under its manifest's digest.
    pub async fn compose_fetch(&self, artifact: &str) -> Result<Fetched, ApiError> {
        let at = format!("oci://{artifact}");
        let r = reference(artifact).map_err(|e| ApiError::invalid(format!("{at}: {e}")))?;
        let wanted = r
            .digest
            .clone()
            .unwrap_or_else(|| r.tag_or_latest().to_owned());
        let client = self.registry_client(&r.registry)?;
        let (mut manifest, media_type, mut digest) = client
            .manifest_bytes(&r.path, &wanted, oci::ACCEPT)
            .await
            .map_err(registry_error)?;
        if media_type == oci::INDEX_TYPE {
            let inner = oci::manifest_in_index(&manifest, &at)?;
            (manifest, _, digest) = client
                .manifest_bytes(&r.path, &inner, oci::ACCEPT)
                .await
                .map_err(registry_error)?;
        }
        let layers = oci::read_manifest(&manifest, &at)?;
        let cache = dirs::cache_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("berth/compose/oci");
        let hex = digest.trim_start_matches("sha256:");
        let dir = cache.join(hex);
        // The directory is named by the manifest's digest: one there already holds its files.
        if !dir.is_dir() {
            let mut data = Vec::new();
            for layer in &layers {
                let bytes = client
                    .blob(&r.path, &layer.digest)
                    .await
                    .map_err(registry_error)?;
                data.push(bytes.to_vec());
            }
            // Written aside, then put in place whole: a fetch cut short leaves no half project.
            let partial = cache.join(format!("{hex}.{}.partial", std::process::id()));
            let _ = std::fs::remove_dir_all(&partial);
            oci::write_files(&partial, &layers, &data)?;
            let kept = std::fs::rename(&partial, &dir).is_ok() || dir.is_dir();
            let _ = std::fs::remove_dir_all(&partial);
            if !kept {
                return Err(ApiError::invalid(format!(
                    "{at}: cannot keep its files in {}",
                    cache.display()
                )));
            }
        }
        let files = oci::compose_files(&dir, &layers);
        Ok(Fetched { dir, files })
    }
}
