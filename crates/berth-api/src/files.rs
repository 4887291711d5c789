//! Files between the host and containers, and images or filesystems as tar archives, with
//! `docker cp`'s rules: a copy lands inside an existing directory, or under the name given.

use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;

use crate::{ApiError, Berth, Connection};

/// Collects a tar stream.
pub(crate) async fn collect(
    stream: impl futures_util::Stream<Item = Result<bytes::Bytes, berth_docker::Error>>,
) -> Result<Vec<u8>, ApiError> {
    futures_util::pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// Writes a tar stream to `out`; returns the bytes written.
async fn write_all(
    stream: impl futures_util::Stream<Item = Result<bytes::Bytes, berth_docker::Error>>,
    out: &mut dyn Write,
) -> Result<u64, ApiError> {
    futures_util::pin_mut!(stream);
    let mut n = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        out.write_all(&chunk)
            .map_err(|e| ApiError::invalid(format!("cannot write the archive: {e}")))?;
        n += chunk.len() as u64;
    }
    Ok(n)
}

/// `docker import`'s options: the image's name, commit message and Dockerfile instructions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportRequest {
    /// `REPOSITORY[:TAG]`; without it the image has only its id.
    pub reference: Option<String>,
    pub message: Option<String>,
    /// `--change` values, e.g. `CMD ["/bin/sh"]`.
    pub changes: Vec<String>,
}

/// The instructions the engine applies to an imported image (`--change`).
const IMPORT_INSTRUCTIONS: [&str; 10] = [
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "LABEL",
    "ONBUILD",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

impl Berth {
    /// `CONTAINER:PATH` → `DEST` on this machine.
    pub async fn copy_from_container(
        &self,
        conn: &Connection,
        id: &str,
        path: &str,
        dest: &Path,
    ) -> Result<(), ApiError> {
        let tar = collect(conn.client.copy_from(id, path)).await?;
        let into_dir = dest.is_dir();
        let mut archive = tar::Archive::new(tar.as_slice());
        let fail = |e: std::io::Error| ApiError::invalid(format!("{}: {e}", dest.display()));
        for entry in archive.entries().map_err(fail)? {
            let mut entry = entry.map_err(fail)?;
            let name = entry.path().map_err(fail)?.into_owned();
            let mut parts = name.components();
            let top = parts
                .next()
                .map(|c| c.as_os_str().to_owned())
                .unwrap_or_default();
            let rest: PathBuf = parts.collect();
            // Inside an existing directory under the source's name, else under the new name.
            let mut target = if into_dir {
                dest.join(&top)
            } else {
                dest.to_path_buf()
            };
            if !rest.as_os_str().is_empty() {
                target.push(&rest);
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(fail)?;
            }
            entry.unpack(&target).map_err(fail)?;
        }
        Ok(())
    }

    /// `CONTAINER:PATH` as a tar written to `out` (`docker cp CONTAINER:PATH -`).
    pub async fn copy_archive_from_container(
        &self,
        conn: &Connection,
        id: &str,
        path: &str,
        out: &mut dyn Write,
    ) -> Result<u64, ApiError> {
        write_all(conn.client.copy_from(id, path), out).await
    }

    /// A tar unpacked into the directory `dir` of a container (`docker cp - CONTAINER:DIR`).
    pub async fn copy_archive_into_container(
        &self,
        conn: &Connection,
        tar: Vec<u8>,
        id: &str,
        dir: &str,
    ) -> Result<(), ApiError> {
        Ok(conn.client.copy_to(id, dir, tar).await?)
    }

    /// `SRC` on this machine → `CONTAINER:DEST`.
    pub async fn copy_into_container(
        &self,
        conn: &Connection,
        src: &Path,
        id: &str,
        dest: &str,
    ) -> Result<(), ApiError> {
        let meta = std::fs::symlink_metadata(src)
            .map_err(|e| ApiError::invalid(format!("{}: {e}", src.display())))?;
        let src_name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                ApiError::invalid(format!("{}: name a file or a directory", src.display()))
            })?;
        // Is DEST an existing directory in the container? The first entry of its archive says.
        let dest_is_dir = dest.ends_with('/') || {
            let stream = conn.client.copy_from(id, dest);
            futures_util::pin_mut!(stream);
            match stream.next().await {
                Some(Ok(chunk)) => chunk.len() > 156 && chunk[156] == b'5',
                Some(Err(berth_docker::Error::Invalid { .. })) | None => false,
                Some(Err(e)) => return Err(e.into()),
            }
        };
        let (dir, name) = if dest_is_dir {
            (dest.trim_end_matches('/').to_owned(), src_name)
        } else {
            let p = Path::new(dest);
            let dir = p
                .parent()
                .map(|d| d.display().to_string())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "/".into());
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(src_name);
            (dir, name)
        };
        let mut builder = tar::Builder::new(Vec::new());
        let fail = |e: std::io::Error| ApiError::invalid(format!("{}: {e}", src.display()));
        if meta.is_dir() {
            builder.append_dir_all(&name, src).map_err(fail)?;
        } else {
            builder.append_path_with_name(src, &name).map_err(fail)?;
        }
        let tar = builder.into_inner().map_err(fail)?;
        Ok(conn
            .client
            .copy_to(id, if dir.is_empty() { "/" } else { &dir }, tar)
            .await?)
    }

    /// The entries directly under `path` in a container (the Files tab).
    pub async fn container_files(
        &self,
        conn: &Connection,
        id: &str,
        path: &str,
    ) -> Result<Vec<crate::VolumeEntry>, ApiError> {
        let dir = match path.trim_end_matches('/') {
            "" => "/.".to_owned(),
            p => p.to_owned(),
        };
        let tar = collect(conn.client.copy_from(id, &dir)).await?;
        let mut entries = crate::volume_files::entries(&tar, &format!("{id}:{path}"))?;
        entries.retain(|e| !e.path.contains('/'));
        Ok(entries)
    }

    /// `docker diff`'s lines: `A /path`, `C /path`, `D /path`.
    pub async fn diff(&self, conn: &Connection, id: &str) -> Result<Vec<String>, ApiError> {
        Ok(conn
            .client
            .changes(id)
            .await?
            .into_iter()
            .map(|c| format!("{} {}", c.kind, c.path))
            .collect())
    }

    /// An image of a container's current filesystem; its id.
    pub async fn commit(
        &self,
        conn: &Connection,
        id: &str,
        target: Option<&str>,
        comment: Option<&str>,
        author: Option<&str>,
        pause: bool,
    ) -> Result<String, ApiError> {
        let r = target.map(crate::images::reference).transpose()?;
        Ok(conn
            .client
            .commit(id, r.as_ref(), comment, author, pause)
            .await?)
    }

    /// Writes a container's filesystem as a tar to `out`.
    pub async fn export(
        &self,
        conn: &Connection,
        id: &str,
        out: &mut dyn Write,
    ) -> Result<u64, ApiError> {
        write_all(conn.client.export(id), out).await
    }

    /// Writes images as a `docker save` tar to `out`.
    pub async fn save(
        &self,
        conn: &Connection,
        names: &[String],
        out: &mut dyn Write,
    ) -> Result<u64, ApiError> {
        for n in names {
            conn.client.inspect_image(n).await?;
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        write_all(conn.client.save(&names), out).await
    }

    /// Checks an import before the tar is read: the name, and that each change is an
    /// instruction the engine applies to an imported image.
    pub fn check_import(&self, req: &ImportRequest) -> Result<(), ApiError> {
        if let Some(r) = &req.reference {
            crate::images::reference(r)?;
        }
        for change in &req.changes {
            let instruction = change.split_whitespace().next().unwrap_or_default();
            if !IMPORT_INSTRUCTIONS.contains(&instruction.to_ascii_uppercase().as_str()) {
                return Err(ApiError::invalid(format!(
                    "--change {change:?}: give a Dockerfile instruction with its value, one of {}",
                    IMPORT_INSTRUCTIONS.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Makes an image of a filesystem tar (`docker import`); its id.
    pub async fn import(
        &self,
        conn: &Connection,
        tar: Vec<u8>,
        req: &ImportRequest,
    ) -> Result<String, ApiError> {
        self.check_import(req)?;
        let reference = req
            .reference
            .as_deref()
            .map(crate::images::reference)
            .transpose()?;
        Ok(conn
            .client
            .import_rootfs(
                tar,
                reference.as_ref(),
                req.message.as_deref(),
                &req.changes,
            )
            .await?)
    }

    /// Loads images from a `docker save` tar.
    pub async fn load_images(
        &self,
        conn: &Connection,
        tar: Vec<u8>,
    ) -> Result<Vec<String>, ApiError> {
        Ok(conn.client.load(tar).await?)
    }
}
