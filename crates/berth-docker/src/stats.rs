//! Container usage: the engine's raw stats turned into what `docker stats` shows (CPU % over
//! the sampling interval, memory without the page cache, network and block I/O, pids), as a
//! stream; and `top`.

use bollard::models::{ContainerStatsResponse, ContainerTopResponse};
use bollard::query_parameters::{StatsOptionsBuilder, TopOptionsBuilder};
use futures_util::{Stream, StreamExt};

use crate::{Client, Error};

/// One reading of a container's usage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    pub id: String,
    pub name: String,
    /// Share of the host, where 100 is one full core (as docker counts).
    pub cpu_percent: f64,
    /// Memory in use, page cache excluded.
    pub memory: u64,
    pub memory_limit: u64,
    pub memory_percent: f64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub block_read: u64,
    pub block_write: u64,
    pub pids: u64,
}

/// docker's arithmetic over one stats sample (which carries the previous CPU reading).
pub fn usage(s: &ContainerStatsResponse) -> Usage {
    let cpu = s.cpu_stats.clone().unwrap_or_default();
    let pre = s.precpu_stats.clone().unwrap_or_default();
    let total = |c: &bollard::models::ContainerCpuStats| {
        c.cpu_usage
            .as_ref()
            .and_then(|u| u.total_usage)
            .unwrap_or(0)
    };
    let cpu_delta = total(&cpu) as f64 - total(&pre) as f64;
    let system_delta =
        cpu.system_cpu_usage.unwrap_or(0) as f64 - pre.system_cpu_usage.unwrap_or(0) as f64;
    let online = cpu
        .online_cpus
        .map(f64::from)
        .or_else(|| {
            cpu.cpu_usage
                .as_ref()
                .and_then(|u| u.percpu_usage.as_ref())
                .map(|p| p.len() as f64)
        })
        .unwrap_or(1.0);
    // The engine's first sample has no previous reading: its "delta" would be the container's
    // whole life, so it reads 0 like docker's first line.
    let has_previous = pre.system_cpu_usage.is_some_and(|v| v > 0);
    let cpu_percent = if has_previous && cpu_delta > 0.0 && system_delta > 0.0 {
        cpu_delta / system_delta * online * 100.0
    } else {
        0.0
    };

    let mem = s.memory_stats.clone().unwrap_or_default();
    let stats = mem.stats.clone().unwrap_or_default();
    // cgroup v1 reports total_inactive_file, v2 inactive_file; docker subtracts it.
    let cache = stats
        .get("total_inactive_file")
        .or_else(|| stats.get("inactive_file"))
        .copied()
        .unwrap_or(0);
    let used = mem.usage.unwrap_or(0);
    let memory = if cache < used { used - cache } else { used };
    let memory_limit = mem.limit.unwrap_or(0);
    let memory_percent = if memory_limit > 0 {
        memory as f64 / memory_limit as f64 * 100.0
    } else {
        0.0
    };

    let (mut net_rx, mut net_tx) = (0, 0);
    for n in s.networks.clone().unwrap_or_default().values() {
        net_rx += n.rx_bytes.unwrap_or(0);
        net_tx += n.tx_bytes.unwrap_or(0);
    }
    let (mut block_read, mut block_write) = (0, 0);
    for e in s
        .blkio_stats
        .clone()
        .and_then(|b| b.io_service_bytes_recursive)
        .unwrap_or_default()
    {
        match e.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("read") => block_read += e.value.unwrap_or(0),
            Some("write") => block_write += e.value.unwrap_or(0),
            _ => {}
        }
    }
    Usage {
        id: s.id.clone().unwrap_or_default(),
        name: s
            .name
            .clone()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_owned(),
        cpu_percent,
        memory,
        memory_limit,
        memory_percent,
        net_rx,
        net_tx,
        block_read,
        block_write,
        pids: s.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0),
    }
}

impl Client {
    /// A container's usage about once a second (once with `stream` off). Dropping the stream
    /// ends the engine call.
    pub fn stats(
        &self,
        id: &str,
        stream: bool,
    ) -> impl Stream<Item = Result<Usage, Error>> + use<> {
        let opts = StatsOptionsBuilder::default()
            .stream(stream)
            .one_shot(false)
            .build();
        let endpoint = self.endpoint().host.clone();
        self.docker.stats(id, Some(opts)).map(move |s| {
            s.map(|s| usage(&s))
                .map_err(|e| Error::from_bollard(&endpoint, e))
        })
    }

    /// The processes running in a container, as `ps` inside it would list them.
    pub async fn top(
        &self,
        id: &str,
        ps_args: Option<&str>,
    ) -> Result<ContainerTopResponse, Error> {
        let mut opts = TopOptionsBuilder::default();
        if let Some(a) = ps_args {
            opts = opts.ps_args(a);
        }
        self.call(
            "a container top",
            self.docker.top_processes(id, Some(opts.build())),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_arithmetic() {
        let s: ContainerStatsResponse = serde_json::from_value(serde_json::json!({
            "id": "abc", "name": "/web",
            "cpu_stats": {"cpu_usage": {"total_usage": 400_000_000u64}, "system_cpu_usage": 20_000_000_000u64, "online_cpus": 2},
            "precpu_stats": {"cpu_usage": {"total_usage": 200_000_000u64}, "system_cpu_usage": 18_000_000_000u64},
            "memory_stats": {"usage": 30_000_000u64, "limit": 100_000_000u64, "stats": {"total_inactive_file": 10_000_000u64}},
            "networks": {"eth0": {"rx_bytes": 100, "tx_bytes": 50}, "eth1": {"rx_bytes": 1, "tx_bytes": 2}},
            "blkio_stats": {"io_service_bytes_recursive": [
                {"major": 8, "minor": 0, "op": "Read", "value": 4096},
                {"major": 8, "minor": 0, "op": "Write", "value": 8192},
                {"major": 8, "minor": 0, "op": "Total", "value": 12288}]},
            "pids_stats": {"current": 3}
        }))
        .unwrap();
        let u = usage(&s);
        assert_eq!(u.name, "web");
        assert!((u.cpu_percent - 20.0).abs() < 1e-9, "{}", u.cpu_percent); // 0.2e9 / 2e9 * 2 * 100
        assert_eq!((u.memory, u.memory_limit), (20_000_000, 100_000_000));
        assert!((u.memory_percent - 20.0).abs() < 1e-9);
        assert_eq!(
            (u.net_rx, u.net_tx, u.block_read, u.block_write, u.pids),
            (101, 52, 4096, 8192, 3)
        );
    }

    #[test]
    fn the_first_sample_reads_zero_cpu() {
        let s: ContainerStatsResponse = serde_json::from_value(serde_json::json!({
            "cpu_stats": {"cpu_usage": {"total_usage": 5u64}, "system_cpu_usage": 10u64, "online_cpus": 2},
            "precpu_stats": {}
        }))
        .unwrap();
        assert_eq!(usage(&s).cpu_percent, 0.0);
    }
}
