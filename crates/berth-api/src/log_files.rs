//! The logs Berth writes, as Troubleshoot and `berth engine logs` show them: dockerd's output
//! (Berth's own engine), its supervisor's, the window's and the tray's; which file each is now,
//! its last lines, and following it as it grows (through its directory's changes, not polled).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use futures_util::Stream;
use serde::Serialize;
use ts_rs::TS;

use crate::watch::FileWatch;
use crate::{ApiError, Berth};

/// What a followed log adds, or, with `reset`, what it holds now (its last lines when followed
/// from the start, after it was cut back to nothing, or when a new day's file began). Whole
/// lines, each ending with a newline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LogText {
    pub reset: bool,
    pub text: String,
}

/// One of Berth's logs, found in its directory each time it is read.
#[derive(Clone, Debug)]
struct LogFile {
    dir: PathBuf,
    name: LogName,
}

#[derive(Clone, Debug)]
enum LogName {
    /// One file (`engine.log`, `supervisor.log`).
    File(PathBuf),
    /// The newest of `PREFIX.*` (the window's and the tray's logs, a file a day).
    Newest(String),
}

impl LogFile {
    /// The file it is now: `None` when there is none yet.
    fn path(&self) -> Option<PathBuf> {
        match &self.name {
            LogName::File(path) => Some(path.clone()),
            LogName::Newest(prefix) => std::fs::read_dir(&self.dir)
                .ok()?
                .flatten()
                .map(|e| e.path())
                .filter(|p| is_of(p, prefix))
                .max(),
        }
    }

    /// Whether a change of `path` is one of this log's.
    fn concerns(&self, path: &Path) -> bool {
        match &self.name {
            LogName::File(file) => path == file,
            LogName::Newest(prefix) => is_of(path, prefix),
        }
    }
}

fn is_of(path: &Path, prefix: &str) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{prefix}.")))
}

impl Berth {
    /// `engine` (dockerd's output), `supervisor`, `app` (the window's latest log) or `tray`.
    fn log_file(&self, which: &str) -> Result<LogFile, ApiError> {
        let dir = self.app_log_dir();
        let name = match which {
            "engine" => LogName::File(self.engine_log()),
            "supervisor" => LogName::File(self.supervisor_log()),
            "app" | "tray" => LogName::Newest(which.to_owned()),
            other => {
                return Err(ApiError::invalid(format!(
                    "log {other:?}: choose engine, supervisor, app or tray"
                )));
            }
        };
        Ok(LogFile { dir, name })
    }

    /// The last `lines` lines of a log ([`Berth::follow_log`] names them), all of it with
    /// `None`; empty when it has not been written yet.
    pub fn log_text(&self, which: &str, lines: Option<usize>) -> Result<String, ApiError> {
        text_of(self.log_file(which)?, lines)
    }

    /// A log's last `lines` lines (all of it with `None`), then what is written to it, as it is
    /// written: `engine` (dockerd's output), `supervisor`, `app` (the window's latest log) or
    /// `tray` (the tray's).
    pub fn follow_log(
        &self,
        which: &str,
        lines: Option<usize>,
    ) -> Result<impl Stream<Item = Result<LogText, ApiError>> + Send + use<>, ApiError> {
        Ok(follow(self.log_file(which)?, lines))
    }
}

/// [`Berth::log_text`] of `file`: read once, a last line still being written counts too.
fn text_of(file: LogFile, lines: Option<usize>) -> Result<String, ApiError> {
    let mut follower = Follower::new(file, None);
    let mut text = follower.reset()?.text;
    text.push_str(&follower.read_rest()?);
    Ok(last_lines(&text, lines))
}

/// The last `n` lines of `text` (all of it with `None`).
fn last_lines(text: &str, n: Option<usize>) -> String {
    match n {
        Some(n) => {
            let all: Vec<&str> = text.split_inclusive('\n').collect();
            all[all.len().saturating_sub(n)..].concat()
        }
        None => text.to_owned(),
    }
}

/// [`Berth::follow_log`] of `file`.
fn follow(
    file: LogFile,
    lines: Option<usize>,
) -> impl Stream<Item = Result<LogText, ApiError>> + Send + use<> {
    let concerned = file.clone();
    let watch = FileWatch::files(&file.dir, move |p| concerned.concerns(p));
    futures_util::stream::unfold(
        (Follower::new(file, lines), watch, true),
        |(mut follower, mut watch, first)| async move {
            if first {
                let item = follower.reset();
                return Some((item, (follower, watch, false)));
            }
            loop {
                watch.changed().await;
                if let Some(item) = follower.next().transpose() {
                    return Some((item, (follower, watch, false)));
                }
            }
        },
    )
}

/// Where a followed log was read up to.
struct Follower {
    file: LogFile,
    lines: Option<usize>,
    path: Option<PathBuf>,
    /// The end of the last whole line read.
    read_to: u64,
}

impl Follower {
    fn new(file: LogFile, lines: Option<usize>) -> Self {
        Self {
            file,
            lines,
            path: None,
            read_to: 0,
        }
    }

    /// The log's last lines, from now on followed from its end.
    fn reset(&mut self) -> Result<LogText, ApiError> {
        self.path = self.file.path();
        self.read_to = 0;
        let text = self.read_new()?;
        Ok(LogText {
            reset: true,
            text: last_lines(&text, self.lines),
        })
    }

    /// What was written since the last read, if anything: whole lines, or the log anew when
    /// it was cut back or another file took its place.
    fn next(&mut self) -> Result<Option<LogText>, ApiError> {
        let len = self
            .path
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len());
        if self.file.path() != self.path || len < self.read_to {
            return self.reset().map(Some);
        }
        let text = self.read_new()?;
        Ok((!text.is_empty()).then_some(LogText { reset: false, text }))
    }

    /// The whole lines past `read_to` (a line still being written waits for its newline).
    fn read_new(&mut self) -> Result<String, ApiError> {
        let bytes = self.read_past()?;
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        self.read_to += whole as u64;
        Ok(String::from_utf8_lossy(&bytes[..whole]).into_owned())
    }

    /// What is past `read_to`, a line without its newline too.
    fn read_rest(&mut self) -> Result<String, ApiError> {
        let bytes = self.read_past()?;
        self.read_to += bytes.len() as u64;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn read_past(&self) -> Result<Vec<u8>, ApiError> {
        let Some(path) = &self.path else {
            return Ok(Vec::new());
        };
        let failed = |e: std::io::Error| ApiError::invalid(format!("{}: {e}", path.display()));
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(failed(e)),
        };
        file.seek(SeekFrom::Start(self.read_to)).map_err(failed)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(failed)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::path::Path;
    use std::time::Duration;

    use futures_util::StreamExt as _;

    use super::{Follower, LogFile, LogName, LogText, follow, text_of};

    fn append(path: &Path, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn file(dir: &Path, name: LogName) -> LogFile {
        LogFile {
            dir: dir.to_owned(),
            name,
        }
    }

    async fn next(
        s: &mut (impl futures_util::Stream<Item = Result<LogText, crate::ApiError>> + Unpin),
    ) -> LogText {
        tokio::time::timeout(Duration::from_secs(10), s.next())
            .await
            .expect("the log's next text within 10 s")
            .expect("a text")
            .expect("no error")
    }

    fn reset(text: &str) -> LogText {
        LogText {
            reset: true,
            text: text.into(),
        }
    }

    #[tokio::test]
    async fn a_followed_log_gives_its_last_lines_then_each_whole_line_written_and_starts_again_when_cut()
     {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("engine.log");
        append(&log, "one\ntwo\nthree\n");
        let mut s = Box::pin(follow(
            file(dir.path(), LogName::File(log.clone())),
            Some(2),
        ));
        assert_eq!(next(&mut s).await, reset("two\nthree\n"));
        // A line is given once it is whole.
        append(&log, "fo");
        append(&log, "ur\nfive\n");
        let mut added = String::new();
        while added != "four\nfive\n" {
            let t = next(&mut s).await;
            assert!(!t.reset, "{t:?}");
            added.push_str(&t.text);
            assert!("four\nfive\n".starts_with(&added), "{added:?}");
        }
        // Cut back to nothing (as the engine's log is when it passes its cap), then written:
        // the log anew, whether its new line came with the cut or just after.
        std::fs::write(&log, "").unwrap();
        append(&log, "six\n");
        let t = next(&mut s).await;
        assert!(t.reset, "{t:?}");
        if t.text.is_empty() {
            let t = next(&mut s).await;
            assert_eq!((t.reset, t.text.as_str()), (false, "six\n"));
        } else {
            assert_eq!(t.text, "six\n");
        }
    }

    #[tokio::test]
    async fn the_window_s_log_is_its_newest_file_and_a_new_day_s_file_takes_over() {
        let dir = tempfile::tempdir().unwrap();
        append(&dir.path().join("app.2026-12-01"), "old\n");
        append(&dir.path().join("app.2026-12-02"), "yesterday\n");
        append(&dir.path().join("tray.2026-12-03"), "the tray's\n");
        let app = file(dir.path(), LogName::Newest("app".into()));
        assert_eq!(
            Follower::new(app.clone(), None).reset().unwrap(),
            reset("yesterday\n")
        );
        let mut s = Box::pin(follow(app, Some(10)));
        assert_eq!(next(&mut s).await, reset("yesterday\n"));
        append(&dir.path().join("tray.2026-12-03"), "not the window's\n");
        append(&dir.path().join("app.2026-12-03"), "today\n");
        assert_eq!(next(&mut s).await, reset("today\n"));
    }

    #[test]
    fn a_log_read_once_shows_its_last_line_even_unfinished() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("engine.log");
        append(&log, "one\ntwo\nthree, being writ");
        let engine = file(dir.path(), LogName::File(log));
        assert_eq!(
            text_of(engine.clone(), Some(1)).unwrap(),
            "three, being writ"
        );
        assert_eq!(
            text_of(engine.clone(), Some(2)).unwrap(),
            "two\nthree, being writ"
        );
        // Followed, it waits for its newline.
        assert_eq!(
            Follower::new(engine, Some(1)).reset().unwrap(),
            reset("two\n")
        );
    }

    #[test]
    fn a_log_not_written_yet_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let missing = file(dir.path(), LogName::File(dir.path().join("supervisor.log")));
        assert_eq!(Follower::new(missing, Some(5)).reset().unwrap(), reset(""));
        let none = file(dir.path(), LogName::Newest("tray".into()));
        assert_eq!(Follower::new(none, None).reset().unwrap(), reset(""));
    }
}
