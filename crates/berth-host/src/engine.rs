//! The engine's own usage: dockerd, every process below it (its containerd, docker-proxy), and
//! the shims of its containerd — which detach from their parent, so they are found by the
//! containerd address on their command line. Container processes are not counted here; each
//! container's stats are.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};
use ts_rs::TS;

/// CPU and memory of the engine's processes.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EngineUsage {
    /// Percent of one core, summed over the processes (so up to 100 × cores).
    pub cpu_percent: f32,
    /// Resident memory, bytes.
    #[ts(type = "number")]
    pub memory: u64,
    pub processes: u32,
}

/// Which processes make up the engine; the whole process list is read again only when the
/// sampler says to `rescan` (or the engine changed), the known ones at each sample.
#[derive(Default)]
pub(crate) struct Tree {
    root: Option<u32>,
    pids: Vec<Pid>,
}

impl Tree {
    pub(crate) fn measure(&mut self, system: &mut System, root: u32, rescan: bool) -> EngineUsage {
        let kind = ProcessRefreshKind::nothing()
            .with_cpu()
            .with_memory()
            .with_cmd(UpdateKind::OnlyIfNotSet);
        if self.root != Some(root) || rescan {
            system.refresh_processes_specifics(ProcessesToUpdate::All, true, kind);
            self.root = Some(root);
            self.pids = members(system, Pid::from_u32(root));
        } else {
            system.refresh_processes_specifics(ProcessesToUpdate::Some(&self.pids), true, kind);
        }
        let mut usage = EngineUsage {
            cpu_percent: 0.0,
            memory: 0,
            processes: 0,
        };
        for p in self.pids.iter().filter_map(|pid| system.process(*pid)) {
            usage.cpu_percent += p.cpu_usage();
            usage.memory += p.memory();
            usage.processes += 1;
        }
        usage
    }
}

/// The root, its descendants, and the shims started by a containerd among them.
fn members(system: &System, root: Pid) -> Vec<Pid> {
    let mut children: HashMap<Pid, Vec<Pid>> = HashMap::new();
    for (pid, p) in system.processes() {
        if let Some(parent) = p.parent() {
            children.entry(parent).or_default().push(*pid);
        }
    }
    let mut found: HashSet<Pid> = HashSet::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        if system.process(pid).is_some() && found.insert(pid) {
            todo.extend(children.get(&pid).into_iter().flatten().copied());
        }
    }
    // containerd's socket, as its `--address` argument names it.
    let addresses: Vec<String> = found
        .iter()
        .filter_map(|pid| system.process(*pid))
        .filter(|p| p.name().to_string_lossy().starts_with("containerd"))
        .filter_map(|p| {
            let cmd: Vec<String> = p
                .cmd()
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            cmd.iter()
                .position(|a| a == "--address" || a == "-a")
                .and_then(|i| cmd.get(i + 1).cloned())
        })
        .collect();
    for (pid, p) in system.processes() {
        let shim = p.name().to_string_lossy().starts_with("containerd-shim");
        if shim
            && p.cmd()
                .iter()
                .any(|a| addresses.iter().any(|addr| a.to_string_lossy() == *addr))
        {
            found.insert(*pid);
        }
    }
    found.into_iter().collect()
}
