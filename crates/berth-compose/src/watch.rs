//! Watching files: `develop.watch` rules (which changed paths mean sync, rebuild or
//! sync+restart for which service, after `ignore`), a debounced file watcher over notify, and
//! drift (the project's compose files or env files changed after `up`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use notify::{RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use crate::Error;
use crate::model::Project;

/// What a rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchAction {
    Sync,
    Rebuild,
    SyncRestart,
}

/// One `develop.watch` rule, resolved.
#[derive(Debug)]
pub struct Rule {
    pub service: String,
    pub action: WatchAction,
    /// Absolute host path (a directory or a file).
    pub path: PathBuf,
    /// Where `path` goes in the container (sync actions).
    pub target: Option<String>,
    ignore: Gitignore,
}

/// What to do after a batch of changes, per service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Host file → container path; `false` when the host file is gone (delete it there).
    pub sync: BTreeMap<PathBuf, (String, bool)>,
    pub rebuild: bool,
    pub restart: bool,
}

/// The watch rules of `services` (all services when empty). Errors when none has any.
pub fn rules(project: &Project, services: &[String]) -> Result<Vec<Rule>, Error> {
    let mut out = Vec::new();
    for (name, svc) in &project.services {
        if !services.is_empty() && !services.contains(name) {
            continue;
        }
        let Some(develop) = &svc.develop else {
            continue;
        };
        for (i, r) in develop.watch.iter().enumerate() {
            let at = format!("services.{name}.develop.watch[{i}]");
            let action = match r.action.as_str() {
                "sync" => WatchAction::Sync,
                "rebuild" => WatchAction::Rebuild,
                "sync+restart" => WatchAction::SyncRestart,
                other => {
                    return Err(Error::invalid(
                        at,
                        format!(
                            "action {other:?} is not supported: use sync, rebuild or sync+restart"
                        ),
                    ));
                }
            };
            if action != WatchAction::Rebuild && r.target.is_none() {
                return Err(Error::invalid(
                    at,
                    "a sync rule needs a target in the container",
                ));
            }
            if action == WatchAction::Rebuild && svc.build.is_none() {
                return Err(Error::invalid(
                    at,
                    "a rebuild rule needs the service to have a build section",
                ));
            }
            let path = PathBuf::from(crate::canon::absolute(&project.working_dir, &r.path));
            let mut builder = GitignoreBuilder::new(&path);
            for pattern in &r.ignore {
                builder
                    .add_line(None, pattern)
                    .map_err(|e| Error::invalid(&at, format!("ignore {pattern:?}: {e}")))?;
            }
            let ignore = builder
                .build()
                .map_err(|e| Error::invalid(&at, e.to_string()))?;
            out.push(Rule {
                service: name.clone(),
                action,
                path,
                target: r.target.clone(),
                ignore,
            });
        }
    }
    if out.is_empty() {
        return Err(Error::invalid(
            "develop.watch",
            "no service has watch rules: add develop.watch to a service",
        ));
    }
    Ok(out)
}

/// Sorts changed host paths into work per service; paths no rule covers (or that a rule
/// ignores) are dropped. `exists` says whether a path is still there.
pub fn classify(
    rules: &[Rule],
    changed: &[PathBuf],
    exists: impl Fn(&Path) -> bool,
) -> BTreeMap<String, Work> {
    let mut work: BTreeMap<String, Work> = BTreeMap::new();
    for path in changed {
        // The first rule that covers a path, like compose.
        let Some(rule) = rules.iter().find(|r| {
            path.starts_with(&r.path)
                && !r
                    .ignore
                    .matched_path_or_any_parents(path, path.is_dir())
                    .is_ignore()
        }) else {
            continue;
        };
        let w = work.entry(rule.service.clone()).or_default();
        match rule.action {
            WatchAction::Rebuild => w.rebuild = true,
            WatchAction::Sync | WatchAction::SyncRestart => {
                let target = rule.target.clone().unwrap_or_default();
                let rel = path.strip_prefix(&rule.path).unwrap_or(Path::new(""));
                let in_container = if rel.as_os_str().is_empty() {
                    target
                } else {
                    format!("{}/{}", target.trim_end_matches('/'), rel.display())
                };
                w.sync.insert(path.clone(), (in_container, exists(path)));
                if rule.action == WatchAction::SyncRestart {
                    w.restart = true;
                }
            }
        }
    }
    work
}

/// A file watcher whose changes arrive in batches, each after `quiet` without new changes.
pub struct FileWatcher {
    _watcher: notify::RecommendedWatcher,
    pub batches: mpsc::Receiver<Vec<PathBuf>>,
}

/// Watches `paths` (directories recursively, files alone).
pub fn watch(paths: &[PathBuf], quiet: Duration) -> Result<FileWatcher, Error> {
    watch_with(paths, RecursiveMode::Recursive, quiet)
}

/// Watches `paths`: directories in `dir_mode`, files alone; changes come in batches, each after
/// `quiet` without new changes.
fn watch_with(
    paths: &[PathBuf],
    dir_mode: RecursiveMode,
    quiet: Duration,
) -> Result<FileWatcher, Error> {
    let (raw_tx, mut raw_rx) = mpsc::unbounded_channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !matches!(event.kind, notify::EventKind::Access(_))
        {
            for p in event.paths {
                let _ = raw_tx.send(p);
            }
        }
    })
    .map_err(|e| Error::invalid("watch", e.to_string()))?;
    for p in paths {
        let mode = if p.is_dir() {
            dir_mode
        } else {
            RecursiveMode::NonRecursive
        };
        watcher.watch(p, mode).map_err(|e| Error::Read {
            path: p.clone(),
            reason: e.to_string(),
        })?;
    }
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        while let Some(first) = raw_rx.recv().await {
            let mut batch = vec![first];
            while let Ok(Some(p)) = tokio::time::timeout(quiet, raw_rx.recv()).await {
                batch.push(p);
            }
            batch.sort();
            batch.dedup();
            if tx.send(batch).await.is_err() {
                return;
            }
        }
    });
    Ok(FileWatcher {
        _watcher: watcher,
        batches: rx,
    })
}

/// The files whose change makes a running project out of date: its compose files, the env
/// files that fed interpolation and the services' env files.
pub fn drift_files(project: &Project) -> Vec<PathBuf> {
    let mut files = project.config_files.clone();
    files.extend(project.env_files.iter().cloned());
    files.extend(project.service_env_files.iter().cloned());
    files
}

/// Watches the directories of a project's files and sends one message each time one of its
/// files changes (debounced). Editors replace files, so directories are watched.
pub fn watch_drift(
    project: &Project,
    quiet: Duration,
) -> Result<(FileWatcher, Vec<PathBuf>), Error> {
    let files = drift_files(project);
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    let w = watch_with(&dirs, RecursiveMode::NonRecursive, quiet)?;
    Ok((w, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(dir: &Path, text: &str) -> Project {
        std::fs::write(dir.join("compose.yaml"), text).unwrap();
        crate::load(&crate::LoadOptions {
            working_dir: Some(dir.to_owned()),
            environment: Some(Default::default()),
            ..Default::default()
        })
        .unwrap()
    }

    const RULES: &str = r#"
services:
  web:
    build: .
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app/src
          ignore: [node_modules/, "*.tmp"]
        - action: sync+restart
          path: ./config.yaml
          target: /etc/app/config.yaml
        - action: rebuild
          path: ./package.json
  other:
    image: x
"#;

    #[test]
    fn classifies_changes_by_rule() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let p = project(d, RULES);
        let rules = rules(&p, &[]).unwrap();
        let changed = [
            d.join("src/app.js"),
            d.join("src/gone.js"),
            d.join("src/node_modules/x/index.js"),
            d.join("src/scratch.tmp"),
            d.join("config.yaml"),
            d.join("README.md"),
        ];
        let work = classify(&rules, &changed, |p| !p.ends_with("gone.js"));
        assert_eq!(work.len(), 1);
        let w = &work["web"];
        let synced: Vec<(&str, bool)> = w.sync.values().map(|(t, e)| (t.as_str(), *e)).collect();
        assert_eq!(
            synced,
            [
                ("/etc/app/config.yaml", true),
                ("/app/src/app.js", true),
                ("/app/src/gone.js", false),
            ]
        );
        assert!(w.restart && !w.rebuild);
        let work = classify(&rules, &[d.join("package.json")], |_| true);
        assert!(work["web"].rebuild && work["web"].sync.is_empty());
    }

    #[test]
    fn bad_rules_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = project(dir.path(), "services:\n  a:\n    image: x\n");
        assert!(
            rules(&p, &[])
                .unwrap_err()
                .to_string()
                .contains("no service has watch rules")
        );
        let p = project(
            dir.path(),
            "services:\n  a:\n    image: x\n    develop:\n      watch:\n        - action: rebuild\n          path: .\n",
        );
        assert!(
            rules(&p, &[])
                .unwrap_err()
                .to_string()
                .contains("needs the service to have a build section")
        );
        let p = project(
            dir.path(),
            "services:\n  a:\n    image: x\n    develop:\n      watch:\n        - action: sync\n          path: .\n",
        );
        assert!(
            rules(&p, &[])
                .unwrap_err()
                .to_string()
                .contains("needs a target")
        );
    }

    #[tokio::test]
    async fn batches_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_owned();
        let mut w = watch(std::slice::from_ref(&d), Duration::from_millis(200)).unwrap();
        std::fs::write(d.join("a.txt"), "1").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/b.txt"), "2").unwrap();
        let mut seen = Vec::new();
        // A file made in a new directory may come before the directory is watched: then the
        // directory itself is reported (and synced whole).
        while !(seen.contains(&d.join("a.txt"))
            && (seen.contains(&d.join("sub/b.txt")) || seen.contains(&d.join("sub"))))
        {
            let batch = tokio::time::timeout(Duration::from_secs(10), w.batches.recv())
                .await
                .expect("a batch within 10 s")
                .expect("the watcher runs");
            seen.extend(batch);
        }
    }
}
