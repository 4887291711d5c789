//! A volume's files: list, download and upload, export as a tar, import from one. No image is
//! pulled and nothing runs: the volume is mounted in a helper container that is created but never
//! started (the archive API works on it), made from an empty root filesystem Berth imports
//! itself. A folder of a volume a running container mounts is listed by that container, which
//! reads no file's contents to do it.

use std::io::{Read, Write};
use std::path::Path;

use berth_docker::spec::{Mount, RunSpec};
use futures_util::TryStreamExt;
use serde::Serialize;
use ts_rs::TS;

use crate::CopyHow;
use crate::files::{ArchiveInput, read_tar};
use crate::{ApiError, Berth, Connection};

/// The helper image: an empty root filesystem, imported on first use.
const HELPER_IMAGE: &str = "berth/volume-helper:1";
/// Where the helper container mounts the volume.
const MOUNT_POINT: &str = "/volume";
/// The label that marks helper containers (so they are never mistaken for the user's).
pub const HELPER_LABEL: &str = "dev.berth.helper";

/// One file or directory in a volume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VolumeEntry {
    /// Relative to the volume's root.
    pub path: String,
    /// `file`, `dir`, `link` or `other`.
    pub kind: String,
    #[ts(type = "number")]
    pub size: u64,
    /// The permission bits (`0o755`).
    pub mode: u32,
}

impl Berth {
    async fn ensure_helper_image(&self, conn: &Connection) -> Result<(), ApiError> {
        if conn.client.inspect_image(HELPER_IMAGE).await.is_ok() {
            return Ok(());
        }
        // A root filesystem with only the mount point in it.
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        header.set_cksum();
        tar.append_data(&mut header, "volume/", std::io::empty())
            .map_err(|e| ApiError::invalid(format!("cannot make the helper image: {e}")))?;
        let tar = tar
            .into_inner()
            .map_err(|e| ApiError::invalid(format!("cannot make the helper image: {e}")))?;
        let r = crate::images::reference(HELPER_IMAGE)?;
        let tar = berth_docker::archive::upload_bytes(tar);
        conn.client.import_rootfs(tar, Some(&r), None, &[]).await?;
        Ok(())
    }

    /// Creates (never starts) a helper container with `volume` mounted; returns its id.
    async fn helper_for(
        &self,
        conn: &Connection,
        volume: &str,
        read_only: bool,
    ) -> Result<String, ApiError> {
        conn.client.inspect_volume(volume).await?;
        self.ensure_helper_image(conn).await?;
        let spec = RunSpec {
            image: HELPER_IMAGE.into(),
            command: vec!["/berth-never-runs".into()],
            mounts: vec![Mount::Volume {
                name: volume.into(),
                target: MOUNT_POINT.into(),
                read_only,
            }],
            labels: [(HELPER_LABEL.to_owned(), "volume".to_owned())].into(),
            ..Default::default()
        };
        Ok(conn.client.create_container(&spec).await?.id)
    }

    /// Runs `op` on a helper container with `volume` mounted (read-only unless asked), removes
    /// the helper whatever happened, and tells `op`'s errors of the volume, not of the helper.
    async fn on_helper<T>(
        &self,
        conn: &Connection,
        volume: &str,
        read_only: bool,
        op: impl AsyncFnOnce(&str) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let helper = self.helper_for(conn, volume, read_only).await?;
        let done = op(&helper).await;
        let _ = conn.client.remove_container(&helper, true, false).await;
        done.map_err(|e| in_volume(e, &helper, volume))
    }

    /// The entries of a volume under `path` (its root by default): those directly in it, or
    /// with `all` every one below it.
    pub async fn volume_files(
        &self,
        conn: &Connection,
        volume: &str,
        path: &str,
        all: bool,
    ) -> Result<Vec<VolumeEntry>, ApiError> {
        if !all && let Some(entries) = self.listed_by_user(conn, volume, path).await {
            return Ok(entries);
        }
        let what = format!("{volume}:{path}");
        self.on_helper(conn, volume, true, async |helper| {
            let inside = inside(path);
            // With its slash, a link to a folder is followed.
            let dir = format!("{}/", inside.trim_end_matches('/'));
            let from = conn.client.copy_from(helper, &dir);
            read_tar(from, what, move |archive| entries(archive, all)).await
        })
        .await
    }

    /// The entries directly under `path` of a volume, listed by a running container that
    /// mounts it (no helper, and no archive of everything below `path`), or `None`.
    async fn listed_by_user(
        &self,
        conn: &Connection,
        volume: &str,
        path: &str,
    ) -> Option<Vec<VolumeEntry>> {
        let filters = [("volume".to_owned(), vec![volume.to_owned()])].into();
        let running = conn
            .client
            .list_containers_where(false, false, &filters)
            .await
            .ok()?;
        let (id, target) = running.into_iter().find_map(|c| {
            let target = c
                .mounts?
                .into_iter()
                .find_map(|m| (m.name.as_deref() == Some(volume)).then_some(m.destination?))?;
            Some((c.id?, target))
        })?;
        let dir = format!(
            "{}/{}",
            target.trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        self.listed_inside(conn, &id, &dir).await
    }

    /// The start of file `path` of a volume, as [`Berth::container_text`] reads one.
    pub async fn volume_text(
        &self,
        conn: &Connection,
        volume: &str,
        path: &str,
    ) -> Result<crate::FileText, ApiError> {
        self.on_helper(conn, volume, true, async |helper| {
            let mut text = self.container_text(conn, helper, &inside(path)).await?;
            if let Some(rest) = text.path.strip_prefix(MOUNT_POINT) {
                text.path = rest.to_owned();
            }
            Ok(text)
        })
        .await
    }

    /// A new volume `to` with a copy of `from`'s files, on `from`'s driver (not its labels, which
    /// would make it compose's, nor its driver options, which could point it at the same
    /// storage). The files stream from one helper to another, never held whole. `to` must not
    /// exist; when the copy fails, the new volume goes again.
    pub async fn clone_volume(
        &self,
        conn: &Connection,
        from: &str,
        to: &str,
    ) -> Result<crate::wire::VolumeRow, ApiError> {
        let source = conn.client.inspect_volume(from).await?;
        if conn.client.inspect_volume(to).await.is_ok() {
            return Err(ApiError::new(
                crate::ErrorCode::Conflict,
                format!("{to}: a volume of that name exists; choose another name for the copy"),
            ));
        }
        let made = self
            .create_volume(conn, Some(to), Some(&source.driver), &[], &[])
            .await?;
        let copied = self
            .on_helper(conn, from, true, async |source| {
                self.on_helper(conn, to, false, async |copy| {
                    let files: berth_docker::archive::Upload = Box::pin(
                        conn.client
                            .copy_from(source, &format!("{MOUNT_POINT}/."))
                            .map_err(std::io::Error::other),
                    );
                    Ok(conn.client.copy_to(copy, MOUNT_POINT, files).await?)
                })
                .await
            })
            .await;
        if let Err(e) = copied {
            let _ = conn.client.remove_volume(to, false).await;
            return Err(e);
        }
        Ok(made)
    }

    /// `VOLUME:PATH` → `dest` on this machine, as `docker cp` copies out of a container.
    pub async fn volume_download(
        &self,
        conn: &Connection,
        volume: &str,
        path: &str,
        dest: &Path,
    ) -> Result<(), ApiError> {
        self.on_helper(conn, volume, true, async |helper| {
            self.copy_from_container(conn, helper, &inside(path), dest, CopyHow::default())
                .await
        })
        .await
    }

    /// `src` on this machine → `VOLUME:DEST`, as `docker cp` copies into a container.
    pub async fn volume_upload(
        &self,
        conn: &Connection,
        volume: &str,
        src: &Path,
        dest: &str,
    ) -> Result<(), ApiError> {
        self.on_helper(conn, volume, false, async |helper| {
            self.copy_into_container(conn, src, helper, &inside(dest), CopyHow::default())
                .await
        })
        .await
    }

    /// [`Berth::export_volume`] into a file, whole or not at all ([`crate::PartFile`]).
    pub async fn export_volume_to(
        &self,
        conn: &Connection,
        volume: &str,
        to: &std::path::Path,
    ) -> Result<u64, ApiError> {
        let mut file = crate::PartFile::beside(to)?;
        let n = self.export_volume(conn, volume, file.out()).await?;
        file.keep()?;
        Ok(n)
    }

    /// Writes a volume's contents as a tar (its files at the top level) to `out`.
    pub async fn export_volume(
        &self,
        conn: &Connection,
        volume: &str,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, ApiError> {
        self.on_helper(conn, volume, true, async |helper| {
            let from = format!("{MOUNT_POINT}/.");
            crate::files::write_all(conn.client.copy_from(helper, &from), out).await
        })
        .await
    }

    /// Unpacks a tar into a volume (existing files with the same names are replaced). A file is
    /// checked to be a tar first; stdin, which can be read once only, is checked by the engine.
    pub async fn import_volume(
        &self,
        conn: &Connection,
        volume: &str,
        tar: &ArchiveInput,
    ) -> Result<(), ApiError> {
        tar.check_tar(volume).await?;
        self.on_helper(conn, volume, false, async |helper| {
            let body = tar.open().await?;
            Ok(conn.client.copy_to(helper, MOUNT_POINT, body).await?)
        })
        .await
    }
}

/// Where `path` of the volume is in its helper container.
fn inside(path: &str) -> String {
    format!("{MOUNT_POINT}/{}", path.trim_start_matches('/'))
}

/// An error about the helper container's copy, told of the volume instead.
fn in_volume(e: ApiError, helper: &str, volume: &str) -> ApiError {
    let message = e
        .message
        .replace(&format!("{helper}:{MOUNT_POINT}/"), &format!("{volume}:/"))
        .replace(&format!("{helper}:{MOUNT_POINT}"), &format!("{volume}:/"))
        .replace("in the container", "in the volume");
    ApiError { message, ..e }
}

/// The entries of an archive the engine sent for a directory, relative to that directory
/// (whose own entry comes first and is left out): those directly in it, or with `all` every one.
/// The files' contents are skipped as they are read, never kept.
pub(crate) fn entries(
    archive: &mut tar::Archive<&mut dyn Read>,
    all: bool,
) -> std::io::Result<Vec<VolumeEntry>> {
    let mut out = Vec::new();
    for entry in archive.entries()? {
        let entry = entry?;
        let h = entry.header();
        let name = entry
            .path()?
            .to_string_lossy()
            .trim_end_matches('/')
            .to_owned();
        // The archive's top entry is the directory asked for itself.
        let Some((_, rel)) = name.split_once('/') else {
            continue;
        };
        if !all && rel.contains('/') {
            continue;
        }
        let kind = match h.entry_type() {
            tar::EntryType::Directory => "dir",
            tar::EntryType::Regular => "file",
            tar::EntryType::Symlink | tar::EntryType::Link => "link",
            _ => "other",
        };
        out.push(VolumeEntry {
            path: rel.to_owned(),
            kind: kind.into(),
            size: h.size().unwrap_or(0),
            // The permissions (an archive's mode has the type's bits too).
            mode: h.mode().unwrap_or(0) & 0o7777,
        });
    }
    Ok(out)
}
