//! Files the facade follows as other processes write them: the Docker config's `config.json`
//! (which context is current), the build history, and the logs Troubleshoot shows.

use std::path::Path;

use berth_engine::context::ContextStore;
use notify::Watcher as _;
use tokio::sync::mpsc;

/// Changes of one file, by any process.
pub(crate) struct FileWatch {
    changes: mpsc::UnboundedReceiver<()>,
    _watcher: Option<notify::RecommendedWatcher>,
}

impl FileWatch {
    /// Follows `file` through its directory (made when missing, so that a first write is seen;
    /// a write that replaces the file is seen too). When it cannot be watched, says so in the
    /// log and never reports a change.
    pub(crate) fn new(file: &Path) -> Self {
        let Some(dir) = file.parent() else {
            tracing::warn!(file = %file.display(), "cannot follow a file with no directory");
            return Self::files(Path::new(""), |_| false);
        };
        let file = file.to_owned();
        Self::files(dir, move |p| p == file)
    }

    /// Follows the files of `dir` that `matches` picks (the directory made when missing), as
    /// [`FileWatch::new`] one file.
    pub(crate) fn files(dir: &Path, matches: impl Fn(&Path) -> bool + Send + 'static) -> Self {
        let (tx, changes) = mpsc::unbounded_channel();
        let watcher = Self::watcher(dir, matches, tx)
            .inspect_err(|e| tracing::warn!(dir = %dir.display(), %e, "cannot follow the files"))
            .ok();
        Self {
            changes,
            _watcher: watcher,
        }
    }

    fn watcher(
        dir: &Path,
        matches: impl Fn(&Path) -> bool + Send + 'static,
        tx: mpsc::UnboundedSender<()>,
    ) -> Result<notify::RecommendedWatcher, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event
                    && !matches!(event.kind, notify::EventKind::Access(_))
                    && event.paths.iter().any(|p| matches(p))
                {
                    let _ = tx.send(());
                }
            })
            .map_err(|e| e.to_string())?;
        watcher
            .watch(dir, notify::RecursiveMode::NonRecursive)
            .map_err(|e| e.to_string())?;
        Ok(watcher)
    }

    /// Resolves at the file's next change (the changes already waiting taken together); never
    /// when it cannot be watched.
    pub(crate) async fn changed(&mut self) {
        if self.changes.recv().await.is_none() {
            std::future::pending::<()>().await;
        }
        while self.changes.try_recv().is_ok() {}
    }
}

/// Another context becoming current, by the app, `berth context use` or `docker context use`:
/// `config.json` followed, and which context it names. With `DOCKER_CONTEXT` set, or an engine
/// named (`-H`, `--context`), it never changes.
pub(crate) struct ContextSwitches {
    watched: Option<(FileWatch, ContextStore)>,
    last: Option<String>,
}

impl ContextSwitches {
    pub(crate) fn new(store: Option<&ContextStore>) -> Self {
        let store = store.filter(|s| s.env().docker_context.is_none());
        Self {
            last: store.and_then(|s| s.current_name().ok()),
            watched: store.map(|s| (FileWatch::new(&s.config_path()), s.clone())),
        }
    }

    /// Resolves with the name of the context current now, when it is another than before (an
    /// unreadable `config.json` is not a change: its error shows where it is read).
    pub(crate) async fn next(&mut self) -> String {
        let Some((watch, store)) = &mut self.watched else {
            return std::future::pending().await;
        };
        loop {
            watch.changed().await;
            if let Ok(name) = store.current_name()
                && self.last.as_ref() != Some(&name)
            {
                tracing::info!(context = %name, "the current context changed");
                self.last = Some(name.clone());
                return name;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use berth_engine::context::{ContextStore, Env};

    use super::ContextSwitches;

    fn store(home: &std::path::Path) -> ContextStore {
        ContextStore::new(Env {
            home: Some(home.to_owned()),
            ..Env::default()
        })
    }

    /// A context `name` in the store under `home`, as `docker context create` writes it.
    fn context(store: &ContextStore, name: &str) {
        store.create(name, "", "unix:///x.sock", None).unwrap();
    }

    #[tokio::test]
    async fn a_switch_by_another_process_is_seen_and_a_write_that_keeps_the_context_is_not() {
        let home = tempfile::tempdir().unwrap();
        // No ~/.docker yet: it is made, so the first config.json is seen.
        let mut switches = ContextSwitches::new(Some(&store(home.path())));
        let other = store(home.path());
        context(&other, "remote");
        let next = async |s: &mut ContextSwitches| {
            tokio::time::timeout(Duration::from_secs(10), s.next())
                .await
                .expect("a switch seen within 10 s")
        };
        other.use_context("remote").unwrap();
        assert_eq!(next(&mut switches).await, "remote");
        std::fs::write(
            other.config_path(),
            r#"{"credsStore":"pass","currentContext":"remote"}"#,
        )
        .unwrap();
        other.use_context("default").unwrap();
        assert_eq!(next(&mut switches).await, "default");
    }

    #[test]
    fn docker_context_fixes_the_context() {
        let home = tempfile::tempdir().unwrap();
        let fixed = ContextStore::new(Env {
            docker_context: Some("remote".into()),
            ..store(home.path()).env().clone()
        });
        assert!(ContextSwitches::new(Some(&fixed)).watched.is_none());
        assert!(ContextSwitches::new(None).watched.is_none());
    }
}
