//! A volume's files: list, export as a tar, import from one. No image is pulled and nothing runs:
//! the volume is mounted in a helper container that is created but never started (the archive
//! API works on it), made from an empty root filesystem Berth imports itself.

use std::io::Write;

use berth_docker::spec::{Mount, RunSpec};
use serde::Serialize;
use ts_rs::TS;

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
        Ok(conn.client.create_container(&spec).await?)
    }

    async fn drop_helper(&self, conn: &Connection, id: &str) {
        let _ = conn.client.remove_container(id, true, false).await;
    }

    /// The entries of a volume under `path` (its root by default).
    pub async fn volume_files(
        &self,
        conn: &Connection,
        volume: &str,
        path: &str,
    ) -> Result<Vec<VolumeEntry>, ApiError> {
        let helper = self.helper_for(conn, volume, true).await?;
        let inside = format!("{MOUNT_POINT}/{}", path.trim_start_matches('/'));
        let tar =
            crate::files::collect(conn.client.copy_from(&helper, inside.trim_end_matches('/')))
                .await;
        self.drop_helper(conn, &helper).await;
        entries(&tar?, volume)
    }

    /// [`Berth::export_volume`] into a file.
    pub async fn export_volume_to(
        &self,
        conn: &Connection,
        volume: &str,
        to: &std::path::Path,
    ) -> Result<u64, ApiError> {
        let mut file = std::fs::File::create(to)
            .map_err(|e| ApiError::invalid(format!("{}: {e}", to.display())))?;
        self.export_volume(conn, volume, &mut file).await
    }

    /// [`Berth::import_volume`] from a tar file.
    pub async fn import_volume_from(
        &self,
        conn: &Connection,
        volume: &str,
        from: &std::path::Path,
    ) -> Result<(), ApiError> {
        let tar = std::fs::read(from)
            .map_err(|e| ApiError::invalid(format!("{}: {e}", from.display())))?;
        self.import_volume(conn, volume, tar).await
    }

    /// Writes a volume's contents as a tar (its files at the top level) to `out`.
    pub async fn export_volume(
        &self,
        conn: &Connection,
        volume: &str,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, ApiError> {
        let helper = self.helper_for(conn, volume, true).await?;
        let tar =
            crate::files::collect(conn.client.copy_from(&helper, &format!("{MOUNT_POINT}/.")))
                .await;
        self.drop_helper(conn, &helper).await;
        let tar = tar?;
        out.write_all(&tar)
            .map_err(|e| ApiError::invalid(format!("cannot write the archive: {e}")))?;
        Ok(tar.len() as u64)
    }

    /// Unpacks a tar into a volume (existing files with the same names are replaced).
    pub async fn import_volume(
        &self,
        conn: &Connection,
        volume: &str,
        tar: Vec<u8>,
    ) -> Result<(), ApiError> {
        tar::Archive::new(tar.as_slice())
            .entries()
            .and_then(|mut e| e.try_for_each(|x| x.map(drop)))
            .map_err(|e| {
                ApiError::invalid(format!("the archive for {volume} is not a tar: {e}"))
            })?;
        let helper = self.helper_for(conn, volume, false).await?;
        let done = conn.client.copy_to(&helper, MOUNT_POINT, tar).await;
        self.drop_helper(conn, &helper).await;
        Ok(done?)
    }
}

/// The entries of an archive the engine sent for a directory, relative to that directory
/// (whose own entry comes first and is left out).
pub(crate) fn entries(tar: &[u8], what: &str) -> Result<Vec<VolumeEntry>, ApiError> {
    let mut out = Vec::new();
    let mut archive = tar::Archive::new(tar);
    let fail = |e: std::io::Error| ApiError::invalid(format!("{what}: {e}"));
    for entry in archive.entries().map_err(fail)? {
        let entry = entry.map_err(fail)?;
        let h = entry.header();
        let name = entry
            .path()
            .map_err(fail)?
            .to_string_lossy()
            .trim_end_matches('/')
            .to_owned();
        // The archive's top entry is the directory asked for itself.
        let Some((_, rel)) = name.split_once('/') else {
            continue;
        };
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
            mode: h.mode().unwrap_or(0),
        });
    }
    Ok(out)
}
