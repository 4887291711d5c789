//! The host's hardware usage for the dashboard: one sampler, kept with its history while the
//! app runs, sampling only while someone follows it.

use std::path::Path;
use std::time::Duration;

pub use berth_host::HostSample;
use futures_util::Stream;

use crate::{ApiError, Berth, ErrorCode};

/// Ten minutes at one sample a second.
const HISTORY: usize = 600;
/// The shortest interval: sysinfo measures CPU usage over at least 200 ms.
const MIN_INTERVAL: Duration = Duration::from_millis(250);

impl Berth {
    /// The kept history first (one batch), then a sample every `interval`, each with the
    /// engine's own usage when its dockerd runs on this host.
    pub fn host_follow(
        &self,
        interval: Duration,
    ) -> impl Stream<Item = Result<Vec<HostSample>, ApiError>> + '_ {
        let interval = interval.max(MIN_INTERVAL);
        futures_util::stream::unfold(
            (true, tokio::time::interval(interval)),
            move |(first, mut tick)| async move {
                tick.tick().await;
                let engine = self.engine_pid().await;
                let mut guard = self.host.lock().unwrap_or_else(|e| e.into_inner());
                if guard.is_none() {
                    match berth_host::Sampler::new(HISTORY) {
                        Ok(s) => *guard = Some(s),
                        Err(e) => {
                            return Some((
                                Err(ApiError::new(ErrorCode::Internal, e.to_string())),
                                (false, tick),
                            ));
                        }
                    }
                }
                let sampler = guard.as_mut().expect("just made");
                let latest = sampler.sample(engine);
                let batch = if first {
                    sampler.history().iter().cloned().collect()
                } else {
                    vec![latest.clone()]
                };
                Some((Ok(batch), (false, tick)))
            },
        )
    }

    /// The dockerd of the engine in use, when it runs here: Berth's own (its supervisor knows
    /// the pid), or the system's (its pid file).
    async fn engine_pid(&self) -> Option<u32> {
        if let Some(pid) = self.engine_last_status().and_then(|s| s.pid) {
            return Some(pid);
        }
        let conn = self.current.lock().await.clone()?;
        let socket = conn.candidate.endpoint.host.strip_prefix("unix://")?;
        let pidfile = match socket {
            "/var/run/docker.sock" | "/run/docker.sock" => Path::new("/var/run/docker.pid"),
            _ => return None,
        };
        std::fs::read_to_string(pidfile).ok()?.trim().parse().ok()
    }
}
