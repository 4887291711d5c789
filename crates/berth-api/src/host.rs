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
    /// The kept history first, then each new sample, with the engine's own usage when its
    /// dockerd runs on this host. Every follower shares one sampler, which samples once an
    /// `interval` whoever asks: a follower whose tick finds a sample younger than half an
    /// interval takes that one (two views, or a window shown again, do not add samples of
    /// their own a few milliseconds apart). A new sampler's first sample comes an interval
    /// after it is made.
    pub fn host_follow(
        &self,
        interval: Duration,
    ) -> impl Stream<Item = Result<Vec<HostSample>, ApiError>> + '_ {
        let interval = interval.max(MIN_INTERVAL);
        futures_util::stream::unfold(
            (0u64, tokio::time::interval(interval)),
            move |(mut sent, mut tick)| async move {
                loop {
                    tick.tick().await;
                    let engine = self.engine_pid().await;
                    let mut guard = self.host.lock().unwrap_or_else(|e| e.into_inner());
                    let sampler = match guard.as_mut() {
                        Some(sampler) => sampler,
                        None => match berth_host::Sampler::new(HISTORY) {
                            Ok(sampler) => guard.insert(sampler),
                            Err(e) => {
                                let err = ApiError::new(ErrorCode::Internal, e.to_string());
                                return Some((Err(err), (sent, tick)));
                            }
                        },
                    };
                    if sampler.due(interval / 2) {
                        sampler.sample(engine);
                    }
                    let batch: Vec<HostSample> = sampler
                        .history()
                        .iter()
                        .filter(|s| s.at_ms > sent)
                        .cloned()
                        .collect();
                    if let Some(last) = batch.last() {
                        sent = last.at_ms;
                        return Some((Ok(batch), (sent, tick)));
                    }
                }
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

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    /// The samples a follower receives, flattened, until it has `n`.
    async fn take(
        stream: impl Stream<Item = Result<Vec<HostSample>, ApiError>>,
        n: usize,
    ) -> Vec<u64> {
        let mut at = Vec::new();
        let mut stream = std::pin::pin!(stream);
        while at.len() < n {
            let batch = stream.next().await.expect("a batch").expect("samples");
            at.extend(batch.iter().map(|s| s.at_ms));
        }
        at
    }

    #[tokio::test]
    async fn followers_share_one_sample_an_interval() {
        let dir = tempfile::tempdir().unwrap();
        let berth = crate::offline_berth(dir.path());
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        // Two followers from the same moment, as when the dashboard is made twice at start.
        let (a, b) = tokio::join!(
            take(berth.host_follow(MIN_INTERVAL), 4),
            take(berth.host_follow(MIN_INTERVAL), 4)
        );
        // Each receives every sample once, in order; the first measured over an interval.
        for at in [&a, &b] {
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
            assert!(
                at[0] >= started + MIN_INTERVAL.as_millis() as u64 - 1,
                "{at:?}"
            );
        }
        // Between them, samples are at least sysinfo's CPU interval apart: one sampler.
        let mut all: Vec<u64> = a.iter().chain(&b).copied().collect();
        all.sort_unstable();
        all.dedup();
        // (sysinfo's 200 ms minimum for CPU usage, which `Sampler::due` waits at least, less a
        // millisecond of rounding.)
        let gap = 199;
        assert!(all.windows(2).all(|w| w[1] - w[0] >= gap), "{all:?}");
        // A follower that comes later gets the history first, in one batch.
        let later = berth.host_follow(MIN_INTERVAL);
        let mut later = std::pin::pin!(later);
        let history = later.next().await.unwrap().unwrap();
        assert!(history.len() >= all.len(), "{history:?}");
    }
}
