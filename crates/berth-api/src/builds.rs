//! The app's builds: a build that outlives the call that started it, and the history of
//! builds (what was built from where, when, how long it took, and how it ended), kept as JSON
//! in Berth's state directory.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Berth, BuildRequest, Connection, ProgressEvent};

/// The newest builds kept.
const KEPT: usize = 50;

/// One build of the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BuildRecord {
    pub context: String,
    pub dockerfile: Option<String>,
    pub tags: Vec<String>,
    pub build_args: Vec<String>,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub started_ms: u64,
    #[ts(type = "number")]
    pub duration_ms: u64,
    /// The image built, when it was.
    pub image_id: Option<String>,
    pub error: Option<String>,
}

impl Berth {
    fn builds_file(&self) -> PathBuf {
        self.app_log_dir().join("builds.json")
    }

    /// The build history, newest first.
    pub fn build_history(&self) -> Result<Vec<BuildRecord>, ApiError> {
        read_history(&self.builds_file())
    }

    /// [`Berth::build`], recorded in the build history when it ends, fails, or is dropped
    /// unfinished (the CLI and the app keep the same history).
    pub fn build_recorded<'a>(
        &self,
        conn: &'a Connection,
        req: &BuildRequest,
    ) -> Result<impl Stream<Item = Result<ProgressEvent, ApiError>> + 'a, ApiError> {
        let mut recording = Recording::new(self.builds_file(), req);
        match self.build(conn, req) {
            Ok(stream) => Ok(Recorded {
                inner: Box::pin(stream),
                recording,
            }),
            Err(e) => {
                recording.record.error = Some(e.message.clone());
                recording.finish();
                Err(e)
            }
        }
    }

    /// [`Berth::build`] as a stream that owns its connection (so it can outlive the call that
    /// started it), recorded in the build history when it ends.
    pub fn build_owned(
        self: &std::sync::Arc<Self>,
        conn: Connection,
        req: BuildRequest,
    ) -> Result<impl Stream<Item = Result<ProgressEvent, ApiError>> + use<>, ApiError> {
        self.check_build(&req)?;
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let berth = self.clone();
        tokio::spawn(async move {
            match berth.build_recorded(&conn, &req) {
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                }
                Ok(stream) => {
                    let mut stream = std::pin::pin!(stream);
                    while let Some(item) = stream.next().await {
                        // Nobody follows any more: dropped unfinished, it is recorded so.
                        if tx.send(item).await.is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Ok(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }))
    }
}

/// The build history kept at `path`, newest first (none when there is no file yet).
fn read_history(path: &std::path::Path) -> Result<Vec<BuildRecord>, ApiError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::invalid(format!(
                "{}: not a build history ({e}); remove the file",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(ApiError::invalid(format!("{}: {e}", path.display()))),
    }
}

/// A build under way, and its line of the history.
struct Recording {
    path: PathBuf,
    record: BuildRecord,
    started: Instant,
    done: bool,
}

impl Recording {
    fn new(path: PathBuf, req: &BuildRequest) -> Self {
        let started_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Self {
            path,
            record: BuildRecord {
                context: req.context.clone(),
                dockerfile: req.dockerfile.clone(),
                tags: req.tags.clone(),
                build_args: req.build_args.clone(),
                started_ms,
                duration_ms: 0,
                image_id: None,
                error: None,
            },
            started: Instant::now(),
            done: false,
        }
    }

    /// Puts the build first in the history (the newest [`KEPT`]), once.
    fn finish(&mut self) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        self.record.duration_ms = self.started.elapsed().as_millis() as u64;
        let path = &self.path;
        let mut all = read_history(path).unwrap_or_default();
        all.insert(0, self.record.clone());
        all.truncate(KEPT);
        let written = path
            .parent()
            .map(std::fs::create_dir_all)
            .transpose()
            .and_then(|_| {
                std::fs::write(
                    path,
                    serde_json::to_vec_pretty(&all).expect("records serialise"),
                )
            });
        if let Err(e) = written {
            tracing::warn!(%e, path = %path.display(), "cannot keep the build history");
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if !self.done {
            self.record.error.get_or_insert_with(|| "cancelled".into());
            self.finish();
        }
    }
}

/// A build's events, noted in its [`Recording`] as they pass.
struct Recorded<S> {
    inner: std::pin::Pin<Box<S>>,
    recording: Recording,
}

impl<S: Stream<Item = Result<ProgressEvent, ApiError>>> Stream for Recorded<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let item = std::task::ready!(self.inner.as_mut().poll_next(cx));
        let record = &mut self.recording.record;
        match &item {
            Some(Ok(ProgressEvent::Built { id })) => record.image_id = Some(id.clone()),
            Some(Err(e)) => record.error = Some(e.message.clone()),
            Some(Ok(_)) => {}
            None => self.recording.finish(),
        }
        std::task::Poll::Ready(item)
    }
}
