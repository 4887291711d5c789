//! Files between the host and containers, and images or filesystems as tar archives, with
//! `docker cp`'s rules: a copy lands inside an existing directory, or under the name given.
//! Archives stream both ways: what the engine sends is read as it arrives and what it is sent is
//! read from its file as it goes, so no archive is ever held whole in memory.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use berth_docker::archive::{CHUNK, Upload};
use futures_util::{Stream, StreamExt, TryStreamExt};
use tokio_util::io::{ReaderStream, StreamReader, SyncIoBridge};

use crate::{ApiError, Berth, Connection, ErrorCode};

/// Where an archive for the engine comes from: a file, or stdin. Either is sent as it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveInput {
    File(PathBuf),
    Stdin,
}

impl ArchiveInput {
    /// The archive as the engine's request body.
    pub async fn open(&self) -> Result<Upload, ApiError> {
        match self {
            Self::File(path) => {
                let file = tokio::fs::File::open(path).await.map_err(|e| {
                    ApiError::invalid(format!("cannot read {}: {e}", path.display()))
                })?;
                Ok(Box::pin(ReaderStream::with_capacity(file, CHUNK)))
            }
            Self::Stdin => Ok(Box::pin(ReaderStream::with_capacity(
                tokio::io::stdin(),
                CHUNK,
            ))),
        }
    }

    /// Checks that a file is a tar, reading it through (stdin can be read only once: the
    /// engine checks that). `what` names what the archive is for.
    pub async fn check_tar(&self, what: &str) -> Result<(), ApiError> {
        let Self::File(path) = self else {
            return Ok(());
        };
        let file = std::fs::File::open(path)
            .map_err(|e| ApiError::invalid(format!("cannot read {}: {e}", path.display())))?;
        let read = tokio::task::spawn_blocking(move || {
            tar::Archive::new(std::io::BufReader::new(file))
                .entries()?
                .try_for_each(|entry| entry.map(drop))
        });
        match read.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ApiError::invalid(format!(
                "the archive for {what} is not a tar: {e}"
            ))),
            Err(e) => Err(ApiError::new(ErrorCode::Internal, e.to_string())),
        }
    }
}

/// Reads a tar the engine streams with `read`, on a blocking thread, as it arrives. The
/// engine's refusal (no such path, say) comes before the archive and is its own error; what
/// fails after is an error of `what`.
pub(crate) async fn read_tar<T: Send + 'static>(
    stream: impl Stream<Item = Result<bytes::Bytes, berth_docker::Error>> + Send + 'static,
    what: String,
    read: impl FnOnce(&mut tar::Archive<&mut dyn Read>) -> std::io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let mut stream = Box::pin(stream);
    let first = stream.next().await.transpose()?;
    let rest = futures_util::stream::iter(first.map(Ok))
        .chain(stream)
        .map_err(std::io::Error::other);
    let mut reader = SyncIoBridge::new(StreamReader::new(rest));
    let read = tokio::task::spawn_blocking(move || {
        read(&mut tar::Archive::new(&mut reader as &mut dyn Read))
    });
    match read.await {
        Ok(read) => read.map_err(|e| ApiError::invalid(format!("{what}: {e}"))),
        Err(e) => Err(ApiError::new(ErrorCode::Internal, format!("{what}: {e}"))),
    }
}

/// A file being written, beside the file `to` it will become once whole (as `docker save -o`
/// does): [`PartFile::keep`] gives it `to`'s name, and dropped without that it is removed. So a
/// failure part way (an image not found, the engine gone, the disk full) leaves neither half an
/// archive nor an earlier file at `to` cut short. It is the user's alone to read (mode 0600 on
/// Unix), as docker's is.
pub struct PartFile {
    part: tempfile::NamedTempFile,
    to: PathBuf,
}

impl PartFile {
    /// Starts the file that will become `to`, in `to`'s folder.
    pub fn beside(to: &Path) -> Result<Self, ApiError> {
        let Some(name) = to.file_name() else {
            return Err(ApiError::invalid(format!(
                "{}: give the path of a file to write",
                to.display()
            )));
        };
        let dir = to
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let part = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|e| cannot_write(to, e))?;
        Ok(Self {
            part,
            to: to.to_owned(),
        })
    }

    /// Where to write.
    pub fn out(&mut self) -> &mut (dyn Write + Send) {
        self.part.as_file_mut()
    }

    /// The file is whole: it takes its name, replacing any file of that name.
    pub fn keep(self) -> Result<(), ApiError> {
        let to = self.to;
        self.part
            .persist(&to)
            .map(drop)
            .map_err(|e| cannot_write(&to, e.error))
    }
}

fn cannot_write(to: &Path, e: std::io::Error) -> ApiError {
    // tempfile names its own part file in its errors ("at path …/.x.tar.AbC123.part"), a name
    // the user never gave: the cause alone, beside the file they named.
    let text = e.to_string();
    let cause = match text.rfind(" at path \"") {
        Some(at) if e.get_ref().is_some() => &text[..at],
        _ => &text,
    };
    ApiError::invalid(format!("cannot write {}: {cause}", to.display()))
}

/// Writes a tar stream to `out`; returns the bytes written.
pub(crate) async fn write_all<W: Write + ?Sized>(
    stream: impl Stream<Item = Result<bytes::Bytes, berth_docker::Error>>,
    out: &mut W,
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

/// How `cp` copies, besides its two sides.
#[derive(Clone, Copy, Debug, Default)]
pub struct CopyHow {
    /// `-L`: a link as the source is followed, its target copied under the link's name.
    pub follow_link: bool,
    /// `-a`: files copied into a container become its user's (docker's "archive mode"), not
    /// root's.
    pub archive: bool,
}

impl Berth {
    /// `CONTAINER:PATH` → `DEST` on this machine.
    pub async fn copy_from_container(
        &self,
        conn: &Connection,
        id: &str,
        path: &str,
        dest: &Path,
        how: CopyHow,
    ) -> Result<(), ApiError> {
        // Followed (-L): the target's archive, its top entry under the link's name.
        let (path, rebase) = match how.follow_link {
            true => match conn.client.link_target(id, path).await? {
                Some(target) => {
                    let name = Path::new(path.trim_end_matches('/'))
                        .file_name()
                        .map(|n| n.to_owned());
                    (target, name)
                }
                None => (path.to_owned(), None),
            },
            false => (path.to_owned(), None),
        };
        let path = path.as_str();
        let dest = dest.to_path_buf();
        let into_dir = dest.is_dir();
        let what = dest.display().to_string();
        read_tar(conn.client.copy_from(id, path), what, move |archive| {
            for entry in archive.entries()? {
                let mut entry = entry?;
                let name = entry.path()?.into_owned();
                let mut parts = name.components();
                let top = parts
                    .next()
                    .map(|c| c.as_os_str().to_owned())
                    .unwrap_or_default();
                let top = rebase.clone().unwrap_or(top);
                let rest: PathBuf = parts.collect();
                // Inside an existing directory under the source's name, else under the new name.
                let mut target = if into_dir {
                    dest.join(&top)
                } else {
                    dest.clone()
                };
                if !rest.as_os_str().is_empty() {
                    target.push(&rest);
                }
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                entry.unpack(&target)?;
            }
            Ok(())
        })
        .await
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
        tar: &ArchiveInput,
        id: &str,
        dir: &str,
    ) -> Result<(), ApiError> {
        Ok(conn.client.copy_to(id, dir, tar.open().await?).await?)
    }

    /// `SRC` on this machine → `CONTAINER:DEST`.
    pub async fn copy_into_container(
        &self,
        conn: &Connection,
        src: &Path,
        id: &str,
        dest: &str,
        how: CopyHow,
    ) -> Result<(), ApiError> {
        let unreadable = |e: std::io::Error| ApiError::invalid(format!("{}: {e}", src.display()));
        // Followed (-L): the link's target is read and packed, under the link's name.
        let from = match how.follow_link {
            true => std::fs::canonicalize(src).map_err(unreadable)?,
            false => src.to_path_buf(),
        };
        let meta = std::fs::symlink_metadata(&from).map_err(unreadable)?;
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
        // Packed while it is sent; a file that cannot be read fails the copy, and is named.
        let (tar, packing) = berth_docker::archive::packed(move |out| {
            let mut builder = tar::Builder::new(out);
            // Links are copied as links (those inside a folder even with -L), as docker cp
            // copies them.
            builder.follow_symlinks(false);
            if meta.is_dir() {
                builder.append_dir_all(&name, &from)?;
            } else {
                builder.append_path_with_name(&from, &name)?;
            }
            builder.finish()
        });
        let dir = if dir.is_empty() { "/" } else { &dir };
        let sent = conn.client.copy_to_as(id, dir, tar, how.archive).await;
        if let Some(e) = packing.failure().await {
            return Err(ApiError::invalid(format!("{}: {e}", src.display())));
        }
        Ok(sent?)
    }

    /// The entries directly under `path` in a container (the Files tab): listed by the
    /// container itself when it runs and can, else read from the archive of `path`.
    pub async fn container_files(
        &self,
        conn: &Connection,
        id: &str,
        path: &str,
    ) -> Result<Vec<crate::VolumeEntry>, ApiError> {
        if let Some(entries) = self.listed_inside(conn, id, path).await {
            return Ok(entries);
        }
        // With its slash, a link to a folder is followed, as the container's own listing does.
        let dir = match path.trim_end_matches('/') {
            "" => "/.".to_owned(),
            p => format!("{p}/"),
        };
        let what = format!("{id}:{path}");
        read_tar(conn.client.copy_from(id, &dir), what, |archive| {
            crate::volume_files::entries(archive, false)
        })
        .await
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
        out: &mut (dyn Write + Send),
    ) -> Result<u64, ApiError> {
        write_all(conn.client.export(id), out).await
    }

    /// [`Berth::export`] into a file, whole or not at all ([`PartFile`]).
    pub async fn export_to(&self, conn: &Connection, id: &str, to: &Path) -> Result<u64, ApiError> {
        let mut file = PartFile::beside(to)?;
        let n = self.export(conn, id, file.out()).await?;
        file.keep()?;
        Ok(n)
    }

    /// [`Berth::save`] into a file, whole or not at all ([`PartFile`]).
    pub async fn save_to(
        &self,
        conn: &Connection,
        names: &[String],
        to: &Path,
    ) -> Result<u64, ApiError> {
        let mut file = PartFile::beside(to)?;
        let n = self.save(conn, names, file.out()).await?;
        file.keep()?;
        Ok(n)
    }

    /// Writes images as a `docker save` tar to `out`.
    pub async fn save(
        &self,
        conn: &Connection,
        names: &[String],
        out: &mut (dyn Write + Send),
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
        tar: &ArchiveInput,
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
                tar.open().await?,
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
        tar: &ArchiveInput,
    ) -> Result<Vec<String>, ApiError> {
        Ok(conn.client.load(tar.open().await?).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_a_missing_folder_is_one_line_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let to = dir.path().join("gone").join("x.tar");
        let err = PartFile::beside(&to).err().unwrap();
        assert_eq!(
            err.message,
            format!(
                "cannot write {}: No such file or directory (os error 2)",
                to.display()
            )
        );
    }
}
