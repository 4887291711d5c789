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
    /// The platform it was built for (`linux/arm64`); the engine's own when none.
    #[serde(default)]
    pub platform: Option<String>,
    /// The stage it stopped at (`--target`); the last when none.
    #[serde(default)]
    pub target: Option<String>,
    /// The image's labels, `KEY=VALUE`.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Built without the engine's cache.
    #[serde(default)]
    pub no_cache: bool,
    /// Built by the engine's BuildKit (a build before Berth offered it: its classic builder).
    #[serde(default)]
    pub buildkit: bool,
    /// Where its files were written instead of an image (`-o`), as it was asked.
    #[serde(default)]
    pub output: Option<String>,
    /// The secrets it was given, as asked (`id=NAME,src=FILE`: where each was read, not
    /// what it held).
    #[serde(default)]
    pub secrets: Vec<String>,
    /// The SSH agents it was given, as asked (`default`, `ID=SOCKET`).
    #[serde(default)]
    pub ssh: Vec<String>,
    /// Base images pulled again first.
    #[serde(default)]
    pub pull: bool,
    /// The network its `RUN` steps used (`host`, `none`); the engine's default when none.
    #[serde(default)]
    pub network: Option<String>,
    /// `/etc/hosts` lines its `RUN` steps had, `HOST:IP`.
    #[serde(default)]
    pub add_hosts: Vec<String>,
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

    /// Follows the build history for as long as the future runs: `on(history)` each time a
    /// build is recorded, by the app or the CLI.
    pub async fn follow_builds(&self, on: impl FnMut(Vec<BuildRecord>)) {
        follow_history(&self.builds_file(), on).await;
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

/// `on(history)` at each change of the history file at `path`.
async fn follow_history(path: &std::path::Path, mut on: impl FnMut(Vec<BuildRecord>)) {
    let mut file = crate::watch::FileWatch::new(path);
    loop {
        file.changed().await;
        match read_history(path) {
            Ok(history) => on(history),
            Err(e) => tracing::warn!(%e, "cannot read the build history"),
        }
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
                // Read from stdin: its temporary files are gone once the build ends.
                context: match req.stdin {
                    Some(crate::images::StdinPart::Context) => "-".to_owned(),
                    _ => req.context.clone(),
                },
                dockerfile: match req.stdin {
                    Some(crate::images::StdinPart::Dockerfile) => Some("-".to_owned()),
                    _ => req.dockerfile.clone(),
                },
                tags: req.tags.clone(),
                build_args: req.build_args.clone(),
                platform: req.platform.clone(),
                target: req.target.clone(),
                labels: req.labels.clone(),
                no_cache: req.no_cache,
                buildkit: req.buildkit,
                output: req.output.clone(),
                secrets: req.secrets.clone(),
                ssh: req.ssh.clone(),
                pull: req.pull,
                network: req.network.clone(),
                add_hosts: req.add_hosts.clone(),
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
        // Replaced whole: a reader (the app following the history, a build ending in another
        // process) never sees half a file.
        let json = serde_json::to_vec_pretty(&all).expect("records serialise");
        if let Err(e) = crate::write_replacing(path, &json) {
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Recording, follow_history};
    use crate::BuildRequest;

    fn request(tag: &str) -> BuildRequest {
        BuildRequest {
            context: "/src/web".into(),
            dockerfile: None,
            tags: vec![tag.into()],
            build_args: Vec::new(),
            target: None,
            labels: Vec::new(),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn each_recorded_build_brings_the_whole_history_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        // Not made yet: the first build makes it.
        let path = dir.path().join("state/builds.json");
        let (tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
        let follow = tokio::spawn({
            let path = path.clone();
            async move {
                follow_history(&path, |history| {
                    let _ = tx.send(
                        history
                            .iter()
                            .map(|b| b.tags[0].clone())
                            .collect::<Vec<_>>(),
                    );
                })
                .await
            }
        });
        // Until the follower watches, a write goes unseen: an empty history is written until
        // it is seen.
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            std::fs::write(&path, "[]").unwrap();
            match tokio::time::timeout(Duration::from_millis(200), seen.recv()).await {
                Ok(Some(history)) if history.is_empty() => break,
                _ => assert!(
                    tokio::time::Instant::now() < deadline,
                    "the follower watches"
                ),
            }
        }
        // Each build recorded as another process records it.
        Recording::new(path.clone(), &request("web:1")).finish();
        assert_eq!(next(&mut seen).await, ["web:1"]);
        Recording::new(path.clone(), &request("web:2")).finish();
        assert_eq!(next(&mut seen).await, ["web:2", "web:1"]);
        follow.abort();
    }

    #[test]
    fn a_history_from_before_platforms_still_reads_and_a_build_keeps_its_options() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("builds.json");
        let old = r#"[{"context":"/src/web","dockerfile":null,"tags":["web:1"],"build_args":[],"started_ms":1,"duration_ms":2,"image_id":null,"error":null}]"#;
        std::fs::write(&path, old).unwrap();
        let history = super::read_history(&path).unwrap();
        assert_eq!(history[0].platform, None);
        assert!(!history[0].pull && history[0].labels.is_empty() && history[0].network.is_none());
        // Built before BuildKit was offered: by the classic builder.
        assert!(!history[0].buildkit);
        let req = BuildRequest {
            buildkit: true,
            platform: Some("linux/arm64".into()),
            labels: vec!["team=web".into()],
            no_cache: true,
            pull: true,
            network: Some("none".into()),
            add_hosts: vec!["db:10.0.0.5".into()],
            ..request("web:2")
        };
        Recording::new(path.clone(), &req).finish();
        let history = super::read_history(&path).unwrap();
        let b = &history[0];
        assert_eq!(
            (b.platform.as_deref(), history.len()),
            (Some("linux/arm64"), 2)
        );
        assert!(b.buildkit);
        assert_eq!(
            (
                &b.labels[..],
                b.no_cache,
                b.pull,
                b.network.as_deref(),
                &b.add_hosts[..]
            ),
            (
                &["team=web".to_owned()][..],
                true,
                true,
                Some("none"),
                &["db:10.0.0.5".to_owned()][..]
            )
        );
    }

    async fn next(seen: &mut tokio::sync::mpsc::UnboundedReceiver<Vec<String>>) -> Vec<String> {
        tokio::time::timeout(Duration::from_secs(10), seen.recv())
            .await
            .expect("the history within 10 s")
            .unwrap()
    }
}
