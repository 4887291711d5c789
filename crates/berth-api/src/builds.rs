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
        let path = self.builds_file();
        match std::fs::read(&path) {
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

    fn record_build(&self, record: BuildRecord) {
        let mut all = self.build_history().unwrap_or_default();
        all.insert(0, record);
        all.truncate(KEPT);
        let path = self.builds_file();
        let written = path
            .parent()
            .map(std::fs::create_dir_all)
            .transpose()
            .and_then(|_| {
                std::fs::write(
                    &path,
                    serde_json::to_vec_pretty(&all).expect("records serialise"),
                )
            });
        if let Err(e) = written {
            tracing::warn!(%e, path = %path.display(), "cannot keep the build history");
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
            let started = Instant::now();
            let started_ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            let mut image_id = None;
            let mut error = None;
            match berth.build(&conn, &req) {
                Err(e) => {
                    error = Some(e.message.clone());
                    let _ = tx.send(Err(e)).await;
                }
                Ok(stream) => {
                    let mut stream = std::pin::pin!(stream);
                    while let Some(item) = stream.next().await {
                        match &item {
                            Ok(ProgressEvent::Built { id }) => image_id = Some(id.clone()),
                            Err(e) => error = Some(e.message.clone()),
                            _ => {}
                        }
                        if tx.send(item).await.is_err() {
                            error.get_or_insert_with(|| "cancelled".into());
                            break;
                        }
                    }
                }
            }
            berth.record_build(BuildRecord {
                context: req.context,
                dockerfile: req.dockerfile,
                tags: req.tags,
                build_args: req.build_args,
                started_ms,
                duration_ms: started.elapsed().as_millis() as u64,
                image_id,
                error,
            });
        });
        Ok(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }))
    }
}
