//! The facade's side of Berth's own engine: start, stop, restart and status, whichever process
//! supervises it.

use std::path::PathBuf;
use std::time::Duration;

use berth_engine::Error as EngineError;
use berth_engine::own::{EngineState, Supervisor, control, daemon_json};
use serde::Serialize;
use ts_rs::TS;

use crate::wire::{EngineView, OwnEngineView};
use crate::{ApiError, Berth, ErrorCode};

/// How Berth's own engine is started when this process has to start it.
#[derive(Clone, Debug)]
pub enum Launch {
    /// A detached supervisor process, `exe args…` (the CLI runs `berth engine supervise`), which
    /// outlives the command that started it.
    Detached { exe: PathBuf, args: Vec<String> },
    /// A supervisor inside this process (the tray): the engine stops when the tray quits.
    InProcess,
}

/// Berth's engine configuration file, as the Settings view edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DaemonJson {
    pub path: String,
    pub text: String,
}

/// Extra time, beyond dockerd's own ready timeout, for a supervisor to report.
const REPORT_SLACK: Duration = Duration::from_secs(15);

impl Berth {
    fn wait_budget(&self) -> Duration {
        self.engine.ready_timeout + REPORT_SLACK
    }

    /// Where the supervisor's own messages go.
    pub fn supervisor_log(&self) -> PathBuf {
        self.engine.paths.log.with_file_name("supervisor.log")
    }

    /// Where the app writes its own logs (beside the engine's log).
    pub fn app_log_dir(&self) -> PathBuf {
        self.engine_log()
            .parent()
            .map(|d| d.to_path_buf())
            .unwrap_or_else(std::env::temp_dir)
    }

    pub fn engine_log(&self) -> PathBuf {
        self.engine.paths.log.clone()
    }

    /// Berth's engine configuration file (its `daemon.json`): where it is and its text (`{}`
    /// before one is written).
    pub fn engine_daemon_json(&self) -> Result<DaemonJson, ApiError> {
        let path = self.daemon_json_path()?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => daemon_json::EMPTY.to_owned(),
            Err(e) => {
                return Err(ApiError::invalid(format!(
                    "{}: cannot read it ({e})",
                    path.display()
                )));
            }
        };
        Ok(DaemonJson {
            path: path.display().to_string(),
            text,
        })
    }

    /// Checks and writes Berth's engine configuration file; the engine reads it when it next
    /// starts (a restart).
    pub fn save_engine_daemon_json(&self, text: &str) -> Result<DaemonJson, ApiError> {
        let path = self.daemon_json_path()?;
        daemon_json::check(&path, text, &self.engine).map_err(ApiError::invalid)?;
        crate::write_replacing(&path, text.as_bytes())
            .map_err(|e| ApiError::invalid(format!("{}: cannot write it ({e})", path.display())))?;
        Ok(DaemonJson {
            path: path.display().to_string(),
            text: text.to_owned(),
        })
    }

    fn daemon_json_path(&self) -> Result<PathBuf, ApiError> {
        self.engine.daemon_json.clone().ok_or_else(|| {
            ApiError::invalid("Berth's engine has no configuration file of its own here")
        })
    }

    /// Berth's own engine as its supervisor reports it (stopped when nobody supervises it).
    pub async fn engine_status(&self) -> Result<OwnEngineView, ApiError> {
        if let Some(sup) = self.supervisor.lock().await.as_ref() {
            return Ok(OwnEngineView::from_status(Some(sup.status()), &self.engine));
        }
        let status = control::status(&self.engine.paths).await?;
        Ok(OwnEngineView::from_status(status, &self.engine))
    }

    /// Starts Berth's own engine (or finds it running) and waits until its API answers.
    pub async fn engine_start(&self) -> Result<OwnEngineView, ApiError> {
        self.engine_request("start").await
    }

    /// Restarts Berth's own engine, starting it when it is not running.
    pub async fn engine_restart(&self) -> Result<OwnEngineView, ApiError> {
        self.engine_request("restart").await
    }

    async fn engine_request(&self, what: &str) -> Result<OwnEngineView, ApiError> {
        let mut own = self.supervisor.lock().await;
        if let Some(sup) = own.as_ref() {
            let mut state = sup.state();
            state.mark_unchanged();
            if what == "restart" {
                sup.restart().await;
            } else {
                sup.start().await;
            }
            drop(own);
            return self.settle(state).await;
        }
        match control::start(&self.engine.paths, what, self.wait_budget()).await {
            Ok(status) => return Ok(OwnEngineView::from_status(Some(status), &self.engine)),
            Err(EngineError::NotRunning) => {}
            Err(e) => return Err(e.into()),
        }
        // Missing programs are reported here and now, without a supervisor.
        berth_engine::own::preflight::check(&self.engine)
            .map_err(|reason| EngineError::Failed { reason })?;
        match &self.launch {
            Launch::Detached { exe, args } => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let status = control::spawn_detached(
                    &self.engine.paths,
                    exe,
                    &args,
                    &self.supervisor_log(),
                    self.wait_budget(),
                )
                .await?;
                Ok(OwnEngineView::from_status(Some(status), &self.engine))
            }
            Launch::InProcess => {
                let sup = Supervisor::spawn(self.engine.clone(), false)?;
                let state = sup.state();
                *own = Some(sup);
                // Let watchers see the start from its first state, not only its end.
                drop(own);
                self.supervisor_appeared.notify_one();
                self.settle(state).await
            }
        }
    }

    /// Resolves when this process starts supervising Berth's engine (for watchers that found
    /// none before).
    pub async fn supervisor_appeared(&self) {
        self.supervisor_appeared.notified().await;
    }

    /// Waits for an in-process supervisor to reach running or a final failure.
    async fn settle(
        &self,
        mut state: tokio::sync::watch::Receiver<EngineState>,
    ) -> Result<OwnEngineView, ApiError> {
        let settled =
            |s: &EngineState| matches!(s, EngineState::Running { .. }) || s.is_final_failure();
        let reached = match tokio::time::timeout(self.wait_budget(), state.wait_for(settled)).await
        {
            Ok(Ok(s)) => s.clone(),
            Ok(Err(_)) => {
                return Err(EngineError::Failed {
                    reason: "the supervisor ended".into(),
                }
                .into());
            }
            Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::EngineFailed,
                    "Berth's engine did not start in time; see its log",
                ));
            }
        };
        if let EngineState::Failed { reason, .. } = reached {
            return Err(EngineError::Failed { reason }.into());
        }
        self.engine_status().await
    }

    /// Stops Berth's own engine. Returns false when it was not running.
    pub async fn engine_stop(&self) -> Result<bool, ApiError> {
        if let Some(sup) = self.supervisor.lock().await.as_ref() {
            let was_running = !matches!(sup.status().state, EngineState::Stopped);
            sup.stop().await;
            return Ok(was_running);
        }
        match control::stop(&self.engine.paths, self.engine.stop_timeout + REPORT_SLACK).await {
            Ok(()) => Ok(true),
            Err(EngineError::NotRunning) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Runs Berth's engine under a supervisor in this process until the engine stops for good
    /// or `quit` resolves, then stops it: the detached supervisor behind `berth engine supervise`.
    pub async fn supervise(
        &self,
        quit: impl std::future::Future<Output = ()>,
    ) -> Result<(), ApiError> {
        let mut sup = Supervisor::spawn(self.engine.clone(), true)?;
        let quit_requested = tokio::select! {
            _ = sup.finished() => false,
            _ = quit => true,
        };
        if quit_requested {
            sup.stop().await;
            sup.finished().await;
        }
        match sup.status().state {
            EngineState::Failed { reason, .. } => Err(EngineError::Failed { reason }.into()),
            _ => Ok(()),
        }
    }

    /// Follows Berth's own engine: its status now and at every change, for as long as its
    /// supervisor runs. `NotRunning` (as `EngineUnreachable`) when nobody supervises it.
    pub async fn engine_watch(&self) -> Result<EngineWatch, ApiError> {
        if let Some(sup) = self.supervisor.lock().await.as_ref() {
            let mut state = sup.state();
            state.mark_changed();
            return Ok(EngineWatch {
                source: WatchSource::Local(state, sup.status()),
                config: self.engine.clone(),
            });
        }
        let updates = control::request(&self.engine.paths, "watch").await?;
        Ok(EngineWatch {
            source: WatchSource::Remote(updates),
            config: self.engine.clone(),
        })
    }

    /// The status the last supervisor left when it ended (its final failure, say).
    pub fn engine_last_status(&self) -> Option<OwnEngineView> {
        control::last_status(&self.engine.paths)
            .map(|s| OwnEngineView::from_status(Some(s), &self.engine))
    }

    /// Stops an engine this process supervises (the tray quitting). Leaves others alone.
    pub async fn shutdown(&self) {
        if let Some(sup) = self.supervisor.lock().await.take() {
            sup.shutdown().await;
        }
    }

    /// Berth's engine and the engine in use, without starting anything.
    pub async fn engine_view(&self) -> EngineView {
        self.engine_view_connected().await.0
    }

    /// [`Berth::engine_view`], and the connection to the engine in use it made (or why none).
    pub(crate) async fn engine_view_connected(
        &self,
    ) -> (EngineView, Result<crate::Connection, ApiError>) {
        let own = match self.engine_status().await {
            Ok(own) => own,
            Err(e) => {
                let mut own = OwnEngineView::from_status(None, &self.engine);
                own.reason = Some(e.message);
                own
            }
        };
        let found = match self.candidates() {
            Ok(c) => berth_engine::discovery::connect_first(&c, crate::PING_TIMEOUT)
                .await
                .map_err(|e| match e {
                    // The app writes it after "No engine answers: ", beside a Start button:
                    // what was tried, each with why.
                    berth_engine::Error::NoEngine { tried } => ApiError::new(
                        crate::ErrorCode::EngineUnreachable,
                        format!("tried {tried}"),
                    ),
                    e => ApiError::from(e),
                }),
            Err(e) => Err(e),
        };
        match found {
            Ok(found) => {
                let conn = crate::Connection::from(found);
                let view = EngineView {
                    own,
                    connection: Some(conn.view()),
                    problem: None,
                };
                (view, Ok(conn))
            }
            Err(e) => {
                let view = EngineView {
                    own,
                    connection: None,
                    problem: Some(e.message.clone()),
                };
                (view, Err(e))
            }
        }
    }
}

impl Berth {
    /// Follows Berth's engine and the engine in use for as long as the future runs: `on(None,
    /// view)` now, then `on(Some(state), view)` at every change of Berth's engine, whoever
    /// supervises it (the state judged on its own, the slower full view read after it), and
    /// `on(None, view)` when another context becomes current. With no supervisor, looks again
    /// when one starts in this process, or after two seconds for one started in another.
    pub async fn follow_engine(&self, mut on: impl FnMut(Option<&OwnEngineView>, EngineView)) {
        let mut switches = self.context_switches();
        on(None, self.engine_view().await);
        loop {
            if let Ok(mut watch) = self.engine_watch().await {
                loop {
                    tokio::select! {
                        own = watch.next() => match own {
                            Some(own) => on(Some(&own), self.engine_view().await),
                            None => break,
                        },
                        _ = switches.next() => on(None, self.engine_view().await),
                    }
                }
                on(None, self.engine_view().await);
            }
            tokio::select! {
                () = self.look_again() => {}
                _ = switches.next() => on(None, self.engine_view().await),
            }
        }
    }

    /// Waits until it is worth looking for Berth's engine again: a supervisor starting in this
    /// process, or two seconds for one started in another (which has no event to wait on).
    pub(crate) async fn look_again(&self) {
        tokio::select! {
            _ = self.supervisor_appeared() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

/// A stream of Berth's engine status, see [`Berth::engine_watch`].
pub struct EngineWatch {
    source: WatchSource,
    config: berth_engine::own::EngineConfig,
}

enum WatchSource {
    Local(
        tokio::sync::watch::Receiver<EngineState>,
        berth_engine::own::Status,
    ),
    Remote(control::Updates),
}

impl EngineWatch {
    /// The next status; `None` once the supervisor has ended.
    pub async fn next(&mut self) -> Option<OwnEngineView> {
        let status = match &mut self.source {
            WatchSource::Local(state, base) => {
                state.changed().await.ok()?;
                let s = state.borrow_and_update().clone();
                berth_engine::own::Status {
                    state: s,
                    ..base.clone()
                }
            }
            WatchSource::Remote(updates) => updates.next().await.ok().flatten()?,
        };
        Some(OwnEngineView::from_status(Some(status), &self.config))
    }
}
