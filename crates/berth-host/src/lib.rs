//! Host hardware usage: one sysinfo `System`, refreshed only for what is shown, into a
//! fixed-size history: CPU (total and per core), memory, swap, load, disks, network, and the
//! engine's own process tree (dockerd, its containerd, and the container shims). Also hanging
//! up a terminal session here ([`session`]), for an exec whose terminal went.

mod engine;
mod history;
mod net;
pub mod session;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use sysinfo::{CpuRefreshKind, DiskRefreshKind, Disks, MemoryRefreshKind, RefreshKind, System};
use ts_rs::TS;

pub use engine::EngineUsage;
pub use history::History;

/// The host cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the host's hardware usage: {0}")]
pub struct Error(String);

/// One mounted file system.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DiskSample {
    pub mount: String,
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub available: u64,
}

/// One reading of the host.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HostSample {
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub at_ms: u64,
    /// Average over all cores, 0–100.
    pub cpu_percent: f32,
    pub per_core: Vec<f32>,
    #[ts(type = "number")]
    pub mem_used: u64,
    #[ts(type = "number")]
    pub mem_total: u64,
    #[ts(type = "number")]
    pub swap_used: u64,
    #[ts(type = "number")]
    pub swap_total: u64,
    /// 1, 5 and 15 minute load averages.
    pub load: [f64; 3],
    /// Real file systems (no tmpfs, overlay or other virtual ones), by mount point.
    pub disks: Vec<DiskSample>,
    /// Bytes per second received and sent by the physical interfaces (see `net`), since the last
    /// sample.
    #[ts(type = "number")]
    pub net_rx_per_s: u64,
    #[ts(type = "number")]
    pub net_tx_per_s: u64,
    /// The engine's own processes, when an engine process was given to [`Sampler::sample`].
    pub engine: Option<EngineUsage>,
}

/// Takes samples of the host and keeps the last `capacity` of them.
pub struct Sampler {
    system: System,
    disks: Disks,
    traffic: net::Traffic,
    engine: engine::Tree,
    /// When the sampler was made or last sampled, with the traffic totals then: what the next
    /// sample's CPU usage and rates are measured since.
    last: (Instant, (u64, u64)),
    /// Samples taken, for [`RESCAN`].
    samples: u32,
    history: History<HostSample>,
}

/// Samples between two looks at what there is (mounts, network interfaces, the engine's
/// processes); what is known is read at every sample.
const RESCAN: u32 = 10;

/// Virtual file systems the dashboard does not show.
const VIRTUAL_FS: &[&str] = &[
    "tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "cgroup", "cgroup2", "nsfs",
];

impl Sampler {
    /// Fails only where sysinfo cannot read the host at all (an unsupported OS).
    pub fn new(capacity: usize) -> Result<Self, Error> {
        let err = |e: sysinfo::Error| Error(e.to_string());
        let kind = RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing().with_usage())
            .with_memory(MemoryRefreshKind::everything());
        // Made with a first look at the CPUs and the traffic, so that the first sample measures
        // from here (sysinfo's CPU usage between two looks a few milliseconds apart is noise).
        let system = System::new_with_specifics(kind).map_err(err)?;
        let mut traffic = net::Traffic::default();
        let totals = traffic.totals(true);
        Ok(Self {
            system,
            disks: Disks::new().map_err(err)?,
            traffic,
            engine: engine::Tree::default(),
            last: (Instant::now(), totals),
            samples: 0,
            history: History::new(capacity),
        })
    }

    /// Whether a sample now would measure over at least `gap` since the sampler was made or
    /// last sampled (and over sysinfo's minimum for CPU usage): followers that share a sampler
    /// sample only when it is due and otherwise take the latest sample.
    pub fn due(&self, gap: Duration) -> bool {
        self.last.0.elapsed() >= gap.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL)
    }

    /// Refreshes what the dashboard shows and records a sample; `engine_pid` is the engine's
    /// dockerd, whose process tree is measured too. CPU usage and rates are measured since the
    /// sampler was made or last sampled (see [`Sampler::due`]).
    pub fn sample(&mut self, engine_pid: Option<u32>) -> &HostSample {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        let rescan = self.samples.is_multiple_of(RESCAN);
        self.samples = self.samples.wrapping_add(1);
        self.refresh_disks(rescan);
        let now = Instant::now();
        let totals = self.traffic.totals(rescan);
        let (then, (rx, tx)) = self.last;
        let (secs, rx, tx) = (
            now.duration_since(then).as_secs_f64(),
            totals.0.saturating_sub(rx),
            totals.1.saturating_sub(tx),
        );
        self.last = (now, totals);
        let rate = |bytes: u64| {
            if secs > 0.0 {
                (bytes as f64 / secs) as u64
            } else {
                0
            }
        };
        // One line per device: its shortest mount point (bind mounts of a device repeat it).
        let mut disks: BTreeMap<String, DiskSample> = BTreeMap::new();
        for d in self.disks.iter().filter(|d| is_real(d)) {
            let mount = d.mount_point().display().to_string();
            let device = d.name().to_string_lossy().into_owned();
            let shorter = disks
                .get(&device)
                .is_none_or(|seen| mount.len() < seen.mount.len());
            if shorter {
                let sample = DiskSample {
                    mount,
                    total: d.total_space(),
                    available: d.available_space(),
                };
                disks.insert(device, sample);
            }
        }
        let load = System::load_average()
            .map(|l| [l.one, l.five, l.fifteen])
            .unwrap_or_default();
        let engine = engine_pid.map(|pid| self.engine.measure(&mut self.system, pid, rescan));
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
            disks: disks.into_values().collect(),
            net_rx_per_s: rate(rx),
            net_tx_per_s: rate(tx),
            engine,
        };
        self.history.push(sample)
    }

    /// The space of the real file systems; which are mounted is read again on `rescan` (a
    /// running engine mounts one overlay per container, whose kind sysinfo would read from
    /// sysfs at each full refresh).
    fn refresh_disks(&mut self, rescan: bool) {
        if rescan {
            self.disks
                .refresh_specifics(true, DiskRefreshKind::nothing());
        }
        for disk in self.disks.iter_mut().filter(|d| is_real(d)) {
            disk.refresh_specifics(DiskRefreshKind::nothing().with_storage());
        }
    }

    pub fn history(&self) -> &History<HostSample> {
        &self.history
    }
}

fn is_real(disk: &sysinfo::Disk) -> bool {
    !VIRTUAL_FS.contains(&disk.file_system().to_string_lossy().as_ref())
}

/// The machine in a few lines, for a bug report: its system and kernel, architecture, CPUs
/// and memory.
pub fn machine_summary() -> String {
    let memory = System::new_with_specifics(
        RefreshKind::nothing().with_memory(MemoryRefreshKind::nothing().with_ram()),
    )
    .map(|mut system| {
        system.refresh_memory();
        system.total_memory()
    })
    .unwrap_or(0);
    format!(
        "os: {}\nkernel: {}\narch: {}\ncpus: {}\nmemory: {memory} bytes\n",
        System::long_os_version().unwrap_or_else(|_| std::env::consts::OS.to_owned()),
        System::kernel_version().unwrap_or_default(),
        std::env::consts::ARCH,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_the_real_host() {
        let mut sampler = Sampler::new(4).unwrap();
        assert!(
            !sampler.due(Duration::ZERO),
            "a sample made at once measures nothing"
        );
        wait_until_due(&sampler);
        let first = sampler.sample(None).clone();
        assert!(first.mem_total > 0 && first.mem_used <= first.mem_total);
        assert_eq!(
            first.per_core.len(),
            std::thread::available_parallelism().unwrap().get()
        );
        assert!(first.disks.iter().any(|d| d.mount == "/" && d.total > 0));
        assert!(first.engine.is_none());
        assert!((0.0..=100.0).contains(&first.cpu_percent));
        assert!(!sampler.due(Duration::from_secs(3600)));
        wait_until_due(&sampler);
        let second = sampler.sample(Some(std::process::id())).clone();
        assert!((0.0..=100.0).contains(&second.cpu_percent));
        assert!(second.at_ms >= first.at_ms);
        assert_eq!(sampler.history().len(), 2);
        // This test process stands in for dockerd: its tree is at least itself.
        let engine = second.engine.unwrap();
        assert!(engine.processes >= 1 && engine.memory > 0, "{engine:?}");
    }

    fn wait_until_due(sampler: &Sampler) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !sampler.due(Duration::ZERO) {
            assert!(Instant::now() < deadline, "never due");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
