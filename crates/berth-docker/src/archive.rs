//! Files in and out of containers and images as tar archives: copy from and to a container,
//! the container's filesystem changes, commit, export, and image save and load.

use bollard::models::{ChangeType, ContainerConfig};
use bollard::query_parameters::{
    CommitContainerOptionsBuilder, ContainerArchiveInfoOptionsBuilder,
    DownloadFromContainerOptionsBuilder, ImportImageOptionsBuilder,
    UploadToContainerOptionsBuilder,
};
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};

use crate::reference::Reference;
use crate::{Client, Error};

/// One change in a container's filesystem against its image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `A`dded, `C`hanged or `D`eleted, as `docker diff` prints.
    pub kind: char,
    pub path: String,
}

/// A request body the engine reads as it is sent (a file or stdin, read as it goes), so an
/// archive of any size is never held whole in memory.
pub type Upload = std::pin::Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// The size of the pieces an [`Upload`] is sent in.
pub const CHUNK: usize = 256 * 1024;

/// An [`Upload`] of an archive `pack` writes on a blocking thread while it is sent, never held
/// whole; a packing error ends the stream with that error, which fails the request. The
/// [`Packing`] says, once the request is over, whether the packing failed.
pub fn packed(
    pack: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + Send + 'static,
) -> (Upload, Packing) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let failed = std::sync::Arc::new(std::sync::Mutex::new(None));
    let noted = failed.clone();
    let task = tokio::task::spawn_blocking(move || {
        let err_tx = tx.clone();
        let mut writer = ChunkWriter {
            buf: Vec::with_capacity(CHUNK),
            tx,
        };
        let packed = pack(&mut writer).and_then(|()| std::io::Write::flush(&mut writer));
        if let Err(e) = &packed {
            // Noted before the stream ends with it, so whoever sees the request fail finds it.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                *noted.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
            }
            let _ = err_tx.blocking_send(Err(std::io::Error::new(e.kind(), e.to_string())));
        }
        packed
    });
    let upload = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|c| (c, rx))
    }));
    (upload, Packing { task, failed })
}

/// How the packing of a [`packed`] upload ended.
pub struct Packing {
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    failed: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl Packing {
    /// What failed in the packing, once the request is over; nothing when it only stopped
    /// because the request ended first (the engine's answer then says why).
    pub async fn failure(self) -> Option<std::io::Error> {
        match self.task.await {
            Ok(Ok(())) => None,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => None,
            Ok(Err(e)) => Some(e),
            Err(e) => Some(std::io::Error::other(e.to_string())),
        }
    }

    /// What failed in the packing so far, without waiting for it: a request that failed
    /// because its body ended with an error finds that error here.
    pub fn failed(&self) -> Option<String> {
        self.failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// A writer that hands what is written to an async stream in chunks.
struct ChunkWriter {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the request was cancelled")
        })
    }
}

/// An [`Upload`] of bytes already in memory.
pub fn upload_bytes(bytes: impl Into<Bytes>) -> Upload {
    Box::pin(futures_util::stream::once(std::future::ready(Ok(
        bytes.into()
    ))))
}

impl Client {
    /// Makes an image from a root filesystem tar (`docker import`), named `reference` when given,
    /// with Dockerfile instructions (`CMD ["sh"]`) applied; returns the image's id.
    pub async fn import_rootfs(
        &self,
        tar: Upload,
        reference: Option<&Reference>,
        message: Option<&str>,
        changes: &[String],
    ) -> Result<String, Error> {
        let mut opts = bollard::query_parameters::CreateImageOptionsBuilder::default()
            .from_src("-")
            .changes(changes.to_vec());
        if let Some(r) = reference {
            opts = opts.repo(&r.repository()).tag(r.tag_or_latest());
        }
        if let Some(m) = message {
            opts = opts.message(m);
        }
        let endpoint = self.endpoint().host.clone();
        let what = reference.map_or_else(|| "the imported archive".to_owned(), |r| r.to_string());
        let mut stream = self.docker.create_image(
            Some(opts.build()),
            Some(bollard::body_try_stream(tar)),
            None,
        );
        let mut id = None;
        while let Some(item) = stream.next().await {
            let info = match item {
                Ok(info) => info,
                Err(bollard::errors::Error::DockerStreamError { error }) => {
                    return Err(Error::invalid(&what, &error));
                }
                Err(e) => return Err(Error::from_bollard(&endpoint, e)),
            };
            if let Some(detail) = info.error_detail {
                return Err(Error::invalid(&what, &detail.message.unwrap_or_default()));
            }
            // The engine's one status line is the new image's id.
            if let Some(status) = info.status.filter(|s| s.starts_with("sha256:")) {
                id = Some(status);
            }
        }
        id.ok_or_else(|| Error::invalid(&what, "the engine made no image of it"))
    }

    /// `path` in the container as a tar stream (a directory with its contents).
    pub fn copy_from(
        &self,
        id: &str,
        path: &str,
    ) -> impl Stream<Item = Result<Bytes, Error>> + use<> {
        let opts = DownloadFromContainerOptionsBuilder::default()
            .path(path)
            .build();
        let (endpoint, what) = (self.endpoint().host.clone(), format!("{id}:{path}"));
        self.docker
            .download_from_container(id, Some(opts))
            .map_err(move |e| match Error::from_bollard(&endpoint, e) {
                Error::NotFound { message } if !message.contains("No such container") => {
                    Error::invalid(&what, "no such file or directory in the container")
                }
                other => other,
            })
    }

    /// Where `path` in the container leads when it is a link (`docker cp -L`): the path the
    /// engine resolves it to, in the container; `None` for anything else, and for a path that
    /// is not there (the copy then says so).
    pub async fn link_target(&self, id: &str, path: &str) -> Result<Option<String>, Error> {
        /// Go's `os.ModeSymlink`, as the engine writes a path's mode.
        const SYMLINK: u32 = 1 << 27;
        let opts = ContainerArchiveInfoOptionsBuilder::default()
            .path(path)
            .build();
        match self
            .call(
                "a path's stat",
                self.docker.get_container_archive_info(id, Some(opts)),
            )
            .await
        {
            Ok(stat) if stat.file_mode & SYMLINK != 0 && !stat.link_target.is_empty() => {
                Ok(Some(stat.link_target))
            }
            Ok(_) | Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Unpacks `tar` into the directory `dir` of the container.
    pub async fn copy_to(&self, id: &str, dir: &str, tar: Upload) -> Result<(), Error> {
        self.copy_to_as(id, dir, tar, false).await
    }

    /// [`Self::copy_to`]; `user`: the files made the container's user's (`docker cp -a`),
    /// else root's.
    pub async fn copy_to_as(
        &self,
        id: &str,
        dir: &str,
        tar: Upload,
        user: bool,
    ) -> Result<(), Error> {
        let mut opts = UploadToContainerOptionsBuilder::default().path(dir);
        if user {
            opts = opts.copy_uidgid("true");
        }
        let opts = opts.build();
        match self
            .call(
                "a copy into a container",
                self.docker
                    .upload_to_container(id, Some(opts), bollard::body_try_stream(tar)),
            )
            .await
        {
            Err(Error::NotFound { message }) if !message.contains("No such container") => Err(
                Error::invalid(format!("{id}:{dir}"), "no such directory in the container"),
            ),
            other => other,
        }
    }

    /// What the container changed in its filesystem.
    pub async fn changes(&self, id: &str) -> Result<Vec<Change>, Error> {
        let changes = self
            .call("a diff", self.docker.container_changes(id))
            .await?
            .unwrap_or_default();
        Ok(changes
            .into_iter()
            .map(|c| Change {
                kind: match c.kind {
                    ChangeType::_0 => 'C',
                    ChangeType::_1 => 'A',
                    ChangeType::_2 => 'D',
                },
                path: c.path,
            })
            .collect())
    }

    /// Makes an image of the container's current filesystem; returns its id.
    pub async fn commit(
        &self,
        id: &str,
        target: Option<&Reference>,
        comment: Option<&str>,
        author: Option<&str>,
        pause: bool,
    ) -> Result<String, Error> {
        let mut opts = CommitContainerOptionsBuilder::default()
            .container(id)
            .pause(pause);
        let (repo, tag) = target
            .map(|r| (r.repository(), r.tag_or_latest().to_owned()))
            .unwrap_or_default();
        if target.is_some() {
            opts = opts.repo(&repo).tag(&tag);
        }
        if let Some(c) = comment {
            opts = opts.comment(c);
        }
        if let Some(a) = author {
            opts = opts.author(a);
        }
        let resp = self
            .call(
                "a commit",
                self.docker
                    .commit_container(opts.build(), ContainerConfig::default()),
            )
            .await?;
        Ok(resp.id)
    }

    /// The container's whole filesystem as a tar stream.
    pub fn export(&self, id: &str) -> impl Stream<Item = Result<Bytes, Error>> + use<> {
        let endpoint = self.endpoint().host.clone();
        self.docker
            .export_container(id)
            .map_err(move |e| Error::from_bollard(&endpoint, e))
    }

    /// Images (with their names) as a tar stream, as `docker save` writes it.
    pub fn save(&self, names: &[&str]) -> impl Stream<Item = Result<Bytes, Error>> + use<> {
        let endpoint = self.endpoint().host.clone();
        self.docker
            .export_images(names)
            .map_err(move |e| Error::from_bollard(&endpoint, e))
    }

    /// Loads images from a `docker save` tar; returns the engine's lines (`Loaded image: …`).
    pub async fn load(&self, tar: Upload) -> Result<Vec<String>, Error> {
        let opts = ImportImageOptionsBuilder::default().quiet(true).build();
        let endpoint = self.endpoint().host.clone();
        let mut lines = Vec::new();
        let mut stream = self
            .docker
            .import_image(opts, bollard::body_try_stream(tar), None);
        while let Some(item) = stream.next().await {
            match item {
                Ok(info) => {
                    if let Some(detail) = info.error_detail {
                        return Err(Error::invalid(
                            "the image archive",
                            &detail.message.unwrap_or_default(),
                        ));
                    }
                    if let Some(s) = info.stream {
                        lines.extend(
                            s.lines()
                                .filter(|l| !l.trim().is_empty())
                                .map(str::to_owned),
                        );
                    }
                }
                Err(bollard::errors::Error::DockerStreamError { error }) => {
                    return Err(Error::invalid("the image archive", &error));
                }
                Err(e) => return Err(Error::from_bollard(&endpoint, e)),
            }
        }
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_packed_upload_comes_in_chunks_and_ends_with_the_packing_error() {
        let (upload, packing) = packed(|out| {
            out.write_all(&vec![1u8; 2 * CHUNK + 5])?;
            Err(std::io::Error::other("cannot read /gone"))
        });
        let items: Vec<std::io::Result<Bytes>> = upload.collect().await;
        let (chunks, errors): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
        let sent: usize = chunks.into_iter().map(|c| c.unwrap().len()).sum();
        assert_eq!(
            sent,
            2 * CHUNK + 5,
            "what was written went before the error"
        );
        let errors: Vec<String> = errors
            .into_iter()
            .map(|e| e.unwrap_err().to_string())
            .collect();
        assert_eq!(errors, ["cannot read /gone"]);
        // Known as soon as the stream has ended with it, without waiting for the packing.
        assert_eq!(packing.failed().as_deref(), Some("cannot read /gone"));
        let failure = packing.failure().await.map(|e| e.to_string());
        assert_eq!(failure.as_deref(), Some("cannot read /gone"));
    }

    #[tokio::test]
    async fn a_packed_upload_sends_what_was_written_to_the_last_byte() {
        let (upload, packing) = packed(|out| out.write_all(&[7u8; CHUNK + 1]));
        let sent: Vec<u8> = upload
            .map(|c| c.unwrap().to_vec())
            .collect::<Vec<_>>()
            .await
            .concat();
        assert_eq!(sent, vec![7u8; CHUNK + 1]);
        assert!(packing.failure().await.is_none());
    }

    #[tokio::test]
    async fn a_packing_stopped_by_the_request_ending_is_no_failure() {
        let (mut upload, packing) = packed(|out| {
            for _ in 0..64 {
                out.write_all(&[7u8; CHUNK])?;
            }
            Ok(())
        });
        upload.next().await.unwrap().unwrap();
        drop(upload);
        assert!(packing.failed().is_none());
        assert!(packing.failure().await.is_none());
    }
}
