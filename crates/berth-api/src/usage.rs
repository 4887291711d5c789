//! Live views of the engine in the facade: container usage (stats), processes (top), the
//! engine's event stream, and the containers and images followed through it.

use std::collections::BTreeMap;

use futures_util::{FutureExt, Stream, StreamExt};
use serde::Serialize;
use ts_rs::TS;

use crate::wire::{ContainerRow, ImageRow, VolumeRow};
use crate::{ApiError, Berth, Connection, ErrorCode};

/// One reading of a container's usage, as `docker stats` shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UsageView {
    pub id: String,
    pub name: String,
    pub cpu_percent: f64,
    #[ts(type = "number")]
    pub memory: u64,
    #[ts(type = "number")]
    pub memory_limit: u64,
    pub memory_percent: f64,
    #[ts(type = "number")]
    pub net_rx: u64,
    #[ts(type = "number")]
    pub net_tx: u64,
    #[ts(type = "number")]
    pub block_read: u64,
    #[ts(type = "number")]
    pub block_write: u64,
    #[ts(type = "number")]
    pub pids: u64,
}

impl From<berth_docker::stats::Usage> for UsageView {
    fn from(u: berth_docker::stats::Usage) -> Self {
        Self {
            id: u.id,
            name: u.name,
            cpu_percent: u.cpu_percent,
            memory: u.memory,
            memory_limit: u.memory_limit,
            memory_percent: u.memory_percent,
            net_rx: u.net_rx,
            net_tx: u.net_tx,
            block_read: u.block_read,
            block_write: u.block_write,
            pids: u.pids,
        }
    }
}

/// An engine event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EventView {
    pub kind: String,
    pub action: String,
    pub actor: String,
    pub attributes: BTreeMap<String, String>,
    #[ts(type = "number")]
    pub time_nano: i64,
}

/// `ps` output of a container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TopView {
    pub titles: Vec<String>,
    pub processes: Vec<Vec<String>>,
}

const WITHOUT_CGROUPS: &str = "this engine runs without cgroups (rootless on a cgroup v1 host)";
const CGROUP_V2: &str = "boot the host with cgroup v2 (systemd.unified_cgroup_hierarchy=1)";

/// Whether the engine runs without cgroups (its cgroup driver `none`).
async fn without_cgroups(conn: &Connection) -> Result<bool, ApiError> {
    let info = conn.client.info().await?;
    Ok(info.cgroup_driver.map(|d| d.to_string()).as_deref() == Some("none"))
}

impl Berth {
    /// A container's usage about once a second; one reading with `stream` off.
    pub fn stats(
        &self,
        conn: &Connection,
        id: &str,
        stream: bool,
    ) -> impl Stream<Item = Result<UsageView, ApiError>> + use<> {
        conn.client
            .stats(id, stream)
            .map(|u| u.map(UsageView::from).map_err(ApiError::from))
    }

    /// Refused unless the engine measures its containers. One without cgroups (its cgroup
    /// driver `none`: rootless on a cgroup v1 host) answers [`Berth::stats`] with the whole
    /// machine's CPU, memory and block I/O as each container's (`docker stats` shows them so),
    /// which is worse than no figure.
    pub async fn measures_containers(&self, conn: &Connection) -> Result<(), ApiError> {
        if without_cgroups(conn).await? {
            return Err(ApiError::new(
                ErrorCode::Unsupported,
                format!(
                    "{WITHOUT_CGROUPS}, so it cannot measure a container: it reports the whole \
                     machine's use as each one's; {CGROUP_V2} for containers' stats"
                ),
            ));
        }
        Ok(())
    }

    pub async fn top(&self, conn: &Connection, id: &str) -> Result<TopView, ApiError> {
        self.top_with(conn, id, None).await
    }

    /// [`Berth::top`] with `ps`'s own options (`aux`, `-o pid,comm`), as `docker top` passes them.
    /// An engine without cgroups cannot list a container's processes: said so, rather than in
    /// runc's words ("unable to get all container pids: lstat : no such file or directory").
    pub async fn top_with(
        &self,
        conn: &Connection,
        id: &str,
        ps_args: Option<&str>,
    ) -> Result<TopView, ApiError> {
        let t = match conn.client.top(id, ps_args).await {
            Ok(t) => t,
            Err(e @ berth_docker::Error::NotFound { .. }) => return Err(e.into()),
            Err(e) if without_cgroups(conn).await.unwrap_or(false) => {
                return Err(ApiError::new(
                    ErrorCode::Unsupported,
                    format!(
                        "{WITHOUT_CGROUPS}, so it cannot list {id}'s processes ({e}); list them \
                         from inside (berth exec {id} ps), or {CGROUP_V2}"
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        Ok(TopView {
            titles: t.titles.unwrap_or_default(),
            processes: t.processes.unwrap_or_default(),
        })
    }

    /// The engine's events; `filters` are `key=value` strings as `docker events --filter` takes.
    pub fn events(
        &self,
        conn: &Connection,
        since: Option<i64>,
        until: Option<i64>,
        filters: &[String],
    ) -> Result<impl Stream<Item = Result<EventView, ApiError>> + use<>, ApiError> {
        let map = crate::filter_map(filters, "type=container")?;
        Ok(conn.client.events(since, until, &map).map(|e| {
            e.map(|e| EventView {
                kind: e.kind,
                action: e.action,
                actor: e.actor,
                attributes: e.attributes,
                time_nano: e.time_nano,
            })
            .map_err(ApiError::from)
        }))
    }
}

/// One line of `system df`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UsageLine {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub active: u64,
    #[ts(type = "number")]
    pub size: i64,
    #[ts(type = "number")]
    pub reclaimable: i64,
}

/// `system df`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DiskUsageView {
    pub images: UsageLine,
    pub containers: UsageLine,
    pub volumes: UsageLine,
    pub build_cache: UsageLine,
    pub volume_sizes_known: bool,
}

impl From<berth_docker::df::Usage> for UsageLine {
    fn from(u: berth_docker::df::Usage) -> Self {
        Self {
            total: u.total,
            active: u.active,
            size: u.size,
            reclaimable: u.reclaimable,
        }
    }
}

/// `system df -v`: the items behind [`DiskUsageView`]'s lines, in the engine's order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiskUsageDetailView {
    pub images: Vec<ImageRow>,
    pub containers: Vec<ContainerRow>,
    pub volumes: Vec<VolumeRow>,
    pub build_cache: Vec<BuildCacheRow>,
    /// Bytes the builder holds, as the engine says.
    pub builder_size: i64,
    /// False when the engine could not measure volumes (see [`DiskUsageView`]).
    pub volume_sizes_known: bool,
}

/// One record of the build cache.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildCacheRow {
    pub id: String,
    /// `regular`, `source.local`, `exec.cachemount`, …
    pub kind: String,
    pub description: String,
    pub in_use: bool,
    pub shared: bool,
    pub size: i64,
    /// RFC 3339.
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub usage_count: i64,
}

impl From<berth_docker::df::CacheRecord> for BuildCacheRow {
    fn from(c: berth_docker::df::CacheRecord) -> Self {
        Self {
            id: c.id,
            kind: c.kind,
            description: c.description,
            in_use: c.in_use,
            shared: c.shared,
            size: c.size,
            created_at: c.created_at,
            last_used_at: c.last_used_at,
            usage_count: c.usage_count,
        }
    }
}

impl Berth {
    /// Each image, container, volume and build cache record, with what it takes on disk.
    pub async fn disk_usage_detail(
        &self,
        conn: &Connection,
    ) -> Result<DiskUsageDetailView, ApiError> {
        let d = conn.client.disk_usage().await?;
        let detail = d.detail;
        Ok(DiskUsageDetailView {
            images: detail.images.into_iter().map(ImageRow::from).collect(),
            containers: detail
                .containers
                .into_iter()
                .map(ContainerRow::from)
                .collect(),
            volumes: detail.volumes.into_iter().map(VolumeRow::from).collect(),
            build_cache: detail
                .build_cache
                .into_iter()
                .map(BuildCacheRow::from)
                .collect(),
            builder_size: detail.builder_size,
            volume_sizes_known: d.volume_sizes_known,
        })
    }

    /// Disk used by images, containers, volumes and the build cache.
    pub async fn disk_usage(&self, conn: &Connection) -> Result<DiskUsageView, ApiError> {
        let d = conn.client.disk_usage().await?;
        Ok(DiskUsageView {
            images: d.images.into(),
            containers: d.containers.into(),
            volumes: d.volumes.into(),
            build_cache: d.build_cache.into(),
            volume_sizes_known: d.volume_sizes_known,
        })
    }
}

/// Whether a container event can change what a container list shows. A command run in a
/// container (a health check runs one each interval: `exec_create`, `exec_start`, `exec_die`),
/// a terminal attached or resized, files copied in or out, a commit: none does.
fn changes_the_list(action: &str) -> bool {
    let verb = action.split(':').next().unwrap_or(action);
    !matches!(
        verb,
        "exec_create"
            | "exec_start"
            | "exec_die"
            | "exec_detach"
            | "attach"
            | "detach"
            | "resize"
            | "top"
            | "archive-path"
            | "extract-to-dir"
            | "copy"
            | "export"
            | "commit"
    )
}

/// What [`Berth::follow_changes`] reports.
pub enum EngineChange<'a> {
    /// Every container as the engine lists them (theirs to keep): when an engine answers,
    /// after each burst of container events, and empty when it goes away.
    Listed(Vec<ContainerRow>),
    /// A burst of container events (those already waiting, taken together), before the list
    /// that follows it.
    Burst(&'a [EventView]),
    /// A burst of image events (pulled, built or tagged, untagged, removed, loaded): the
    /// images' list is not what it was.
    Images(&'a [EventView]),
    /// A burst of network events (created, removed, a container connected or disconnected).
    Networks(&'a [EventView]),
    /// A burst of volume events that change the volumes' list: created (the engine says so
    /// again when a container is made with one), removed. A container mounting one at start or
    /// unmounting it at stop is not told.
    Volumes(&'a [EventView]),
}

impl Berth {
    /// Follows the containers, images, networks and volumes of whichever engine answers, for as
    /// long as the future runs: the containers' list, then each burst of the engine's container
    /// events and the list after it, and each burst of its image, network and volume events. When another
    /// context becomes current, follows the engine it leads to from there (its list first).
    /// When the engine goes away (or none answers), looks again when Berth's engine starts
    /// here, or after two seconds for one started elsewhere.
    pub async fn follow_changes(&self, mut on: impl FnMut(EngineChange<'_>)) {
        let kinds = ["container", "image", "network", "volume"].map(|k| format!("type={k}"));
        let mut switches = self.context_switches();
        // The newest event's time: a new stream of the same engine gives again the events of
        // the second before it started, and those are not told twice.
        let mut told_up_to = 0;
        loop {
            let mut switched = false;
            // Events from the engine's time before the list: those between the list and the
            // stream's start are not lost (an engine that does not say its time: from now).
            if let Ok(conn) = self.connect().await
                && let since = conn.client.engine_time().await.ok()
                && let Ok(events) = self.events(&conn, since, None, &kinds)
            {
                let mut events = std::pin::pin!(events);
                if let Ok(rows) = self.containers(&conn, true).await {
                    on(EngineChange::Listed(rows));
                }
                loop {
                    let first = tokio::select! {
                        first = events.next() => first,
                        _ = switches.next() => {
                            switched = true;
                            break;
                        }
                    };
                    let Some(Ok(first)) = first else { break };
                    let mut burst = vec![first];
                    while let Some(Some(Ok(more))) = events.next().now_or_never() {
                        burst.push(more);
                    }
                    burst.retain(|e| e.time_nano > told_up_to);
                    told_up_to = burst.iter().map(|e| e.time_nano).fold(told_up_to, i64::max);
                    let (images, rest): (Vec<_>, Vec<_>) =
                        burst.into_iter().partition(|e| e.kind == "image");
                    let (networks, rest): (Vec<_>, Vec<_>) =
                        rest.into_iter().partition(|e| e.kind == "network");
                    let (mut volumes, mut containers): (Vec<_>, Vec<_>) =
                        rest.into_iter().partition(|e| e.kind == "volume");
                    volumes.retain(|e| !matches!(e.action.as_str(), "mount" | "unmount"));
                    if !images.is_empty() {
                        on(EngineChange::Images(&images));
                    }
                    if !networks.is_empty() {
                        on(EngineChange::Networks(&networks));
                    }
                    if !volumes.is_empty() {
                        on(EngineChange::Volumes(&volumes));
                    }
                    containers.retain(|e| changes_the_list(&e.action));
                    if containers.is_empty() {
                        continue;
                    }
                    on(EngineChange::Burst(&containers));
                    let Ok(rows) = self.containers(&conn, true).await else {
                        break;
                    };
                    on(EngineChange::Listed(rows));
                }
            }
            self.forget_connection().await;
            if switched {
                told_up_to = 0;
                continue;
            }
            on(EngineChange::Listed(Vec::new()));
            tokio::select! {
                () = self.look_again() => {}
                _ = switches.next() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::changes_the_list;

    #[test]
    fn a_command_run_in_a_container_does_not_change_the_list_its_health_does() {
        for action in [
            "exec_create: /bin/sh -c wget -q localhost",
            "exec_start: /bin/sh -c wget -q localhost",
            "exec_die",
            "attach",
            "resize",
            "archive-path",
        ] {
            assert!(!changes_the_list(action), "{action}");
        }
        for action in [
            "create",
            "start",
            "die",
            "pause",
            "rename",
            "destroy",
            "health_status: healthy",
            "health_status: unhealthy",
        ] {
            assert!(changes_the_list(action), "{action}");
        }
    }
}
