//! Host hardware usage: one sysinfo `System`, refreshed only for what is shown, into a
//! fixed-size history.
//!
//! Today this samples CPU (total and per core), memory, swap and load. Disks, network and the
//! engine's own process tree come with the dashboard (issue 5).

mod history;

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

pub use history::History;

/// The host cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the host's hardware usage: {0}")]
pub struct Error(String);

/// One reading of the host.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HostSample {
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// Average over all cores, 0–100.
    pub cpu_percent: f32,
    pub per_core: Vec<f32>,
    pub mem_used: u64,
    pub mem_total: u64,
    pub swap_used: u64,
    pub swap_total: u64,
    /// 1, 5 and 15 minute load averages.
    pub load: [f64; 3],
}

/// Takes samples of the host and keeps the last `capacity` of them.
pub struct Sampler {
    system: System,
    history: History<HostSample>,
}

impl Sampler {
    /// Fails only where sysinfo cannot read the host at all (an unsupported OS).
    pub fn new(capacity: usize) -> Result<Self, Error> {
        let kind = RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing().with_usage())
            .with_memory(MemoryRefreshKind::everything());
        let system = System::new_with_specifics(kind).map_err(|e| Error(e.to_string()))?;
        Ok(Self {
            system,
            history: History::new(capacity),
        })
    }

    /// Refreshes CPU and memory and records a sample. CPU usage is measured since the previous
    /// call, so the first sample after `new` reads zero.
    pub fn sample(&mut self) -> &HostSample {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        let load = System::load_average()
            .map(|l| [l.one, l.five, l.fifteen])
            .unwrap_or_default();
        let sample = HostSample {
            at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            cpu_percent: self.system.global_cpu_usage(),
            per_core: self.system.cpus().iter().map(|c| c.usage()).collect(),
            mem_used: self.system.used_memory(),
            mem_total: self.system.total_memory(),
            swap_used: self.system.used_swap(),
            swap_total: self.system.total_swap(),
            load,
        };
        self.history.push(sample)
    }

    pub fn history(&self) -> &History<HostSample> {
        &self.history
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_the_real_host() {
        let mut sampler = Sampler::new(4).unwrap();
        let first = sampler.sample().clone();
        assert!(first.mem_total > 0 && first.mem_used <= first.mem_total);
        assert_eq!(
            first.per_core.len(),
            std::thread::available_parallelism().unwrap().get()
        );
        std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
        let second = sampler.sample();
        assert!((0.0..=100.0).contains(&second.cpu_percent));
        assert!(second.at_ms >= first.at_ms);
        assert_eq!(sampler.history().len(), 2);
    }
}
