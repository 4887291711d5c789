//! Disk usage (`docker system df`). Engines older than API 1.52 answer `/system/df` in a shape
//! bollard 0.21 no longer models (every field reads empty), so Berth reads that shape itself:
//! with a minimal request over the engine's socket, pipe or tcp (TLS too); where it cannot, it
//! falls back to the list calls (which know no volume sizes).

use std::collections::BTreeMap;

use bollard::models::{ContainerSummary, ImageSummary, Volume};
use serde::Deserialize;

use crate::{Client, Error};

/// One line of `docker system df`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub total: u64,
    pub active: u64,
    /// Bytes.
    pub size: i64,
    pub reclaimable: i64,
}

/// Images, containers, local volumes, build cache.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiskUsage {
    pub images: Usage,
    pub containers: Usage,
    pub volumes: Usage,
    pub build_cache: Usage,
    /// False when volume sizes could not be read (an engine older than API 1.52 that cannot be
    /// asked directly).
    pub volume_sizes_known: bool,
    /// What the lines add up, item by item (`docker system df -v`), in the engine's order.
    pub detail: DiskUsageDetail,
}

/// The items of [`DiskUsage`]: images with their shared sizes and container counts,
/// containers with their sizes, volumes with their sizes and links (when the engine measured
/// them), the build cache's records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiskUsageDetail {
    pub images: Vec<ImageSummary>,
    pub containers: Vec<ContainerSummary>,
    pub volumes: Vec<Volume>,
    pub build_cache: Vec<CacheRecord>,
    /// Bytes the builder holds, as the engine says.
    pub builder_size: i64,
}

/// One record of the build cache.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CacheRecord {
    #[serde(rename = "ID")]
    pub id: String,
    /// `regular`, `source.local`, `exec.cachemount`, …
    #[serde(rename = "Type")]
    pub kind: String,
    pub description: String,
    pub in_use: bool,
    pub shared: bool,
    pub size: i64,
    /// RFC 3339.
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub usage_count: i64,
    /// The record it was made on (API before 1.42).
    pub parent: Option<String>,
    /// The records it was made on (API 1.42 on).
    pub parents: Option<Vec<String>>,
}

impl CacheRecord {
    /// The records it was made on, whichever way the engine says it.
    pub fn parent_ids(&self) -> impl Iterator<Item = &str> {
        self.parent
            .iter()
            .chain(self.parents.iter().flatten())
            .map(String::as_str)
            .filter(|p| !p.is_empty())
    }
}

/// The API 1.41 (… 1.51) answer.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct LegacyDf {
    layers_size: i64,
    images: Option<Vec<ImageSummary>>,
    containers: Option<Vec<ContainerSummary>>,
    volumes: Option<Vec<Volume>>,
    build_cache: Option<Vec<CacheRecord>>,
    builder_size: i64,
}

/// docker's arithmetic over the 1.41 answer.
fn summarise(df: LegacyDf) -> DiskUsage {
    let images = df.images.unwrap_or_default();
    let used: i64 = images
        .iter()
        .filter(|i| i.containers > 0 && i.size >= 0 && i.shared_size >= 0)
        .map(|i| i.size - i.shared_size)
        .sum();
    let containers = df.containers.unwrap_or_default();
    let running = |c: &ContainerSummary| c.state.map(|s| s.to_string()) == Some("running".into());
    let volumes = df.volumes.unwrap_or_default();
    let vol_size = |v: &Volume| v.usage_data.as_ref().map(|u| u.size.max(0)).unwrap_or(0);
    let vol_used = |v: &Volume| v.usage_data.as_ref().is_some_and(|u| u.ref_count > 0);
    let cache = df.build_cache.unwrap_or_default();
    // The lines borrow the items, which then move into the detail (fields run in this order).
    DiskUsage {
        images: Usage {
            total: images.len() as u64,
            active: images.iter().filter(|i| i.containers > 0).count() as u64,
            size: df.layers_size,
            reclaimable: (df.layers_size - used).max(0),
        },
        containers: Usage {
            total: containers.len() as u64,
            active: containers.iter().filter(|c| running(c)).count() as u64,
            size: containers.iter().map(|c| c.size_rw.unwrap_or(0)).sum(),
            reclaimable: containers
                .iter()
                .filter(|c| !running(c))
                .map(|c| c.size_rw.unwrap_or(0))
                .sum(),
        },
        volumes: Usage {
            total: volumes.len() as u64,
            active: volumes.iter().filter(|v| vol_used(v)).count() as u64,
            size: volumes.iter().map(vol_size).sum(),
            reclaimable: volumes.iter().filter(|v| !vol_used(v)).map(vol_size).sum(),
        },
        build_cache: Usage {
            total: cache.len() as u64,
            active: cache.iter().filter(|c| c.in_use).count() as u64,
            size: cache.iter().filter(|c| !c.shared).map(|c| c.size).sum(),
            reclaimable: cache
                .iter()
                .filter(|c| !c.in_use && !c.shared)
                .map(|c| c.size)
                .sum(),
        },
        volume_sizes_known: true,
        detail: DiskUsageDetail {
            images,
            containers,
            volumes,
            build_cache: cache,
            builder_size: df.builder_size,
        },
    }
}

impl Client {
    /// `/system/df` (`query`: `?type=…`, which engines before API 1.42 ignore) in the API 1.41
    /// shape; `None` where the engine cannot be asked directly (see raw.rs).
    async fn legacy_df(&self, query: &str) -> Result<Option<LegacyDf>, Error> {
        let host = self.endpoint().host.clone();
        let body = match self.raw("GET", &format!("/system/df{query}"), None).await? {
            Some(a) if a.status == 200 => a.body,
            Some(a) => {
                return Err(Error::Engine {
                    status: a.status,
                    message: String::from_utf8_lossy(&a.body).trim().to_owned(),
                });
            }
            None => return Ok(None),
        };
        let df = serde_json::from_slice(&body).map_err(|e| Error::Protocol {
            endpoint: host,
            detail: format!("/system/df: {e}"),
        })?;
        Ok(Some(df))
    }

    /// Each local volume's size in bytes, as `docker system df -v` shows it, by name; `None`
    /// when the engine cannot say (see the top). A volume the engine has not
    /// measured is left out. The engine walks every volume's files for this: it takes a while
    /// with large volumes, so it is asked apart from the volume list.
    pub async fn volume_sizes(&self) -> Result<Option<BTreeMap<String, i64>>, Error> {
        let Some(df) = self.legacy_df("?type=volume").await? else {
            return Ok(None);
        };
        Ok(df.volumes.map(|volumes| {
            volumes
                .into_iter()
                .filter_map(|v| {
                    let size = v.usage_data.map(|u| u.size).filter(|s| *s >= 0)?;
                    Some((v.name, size))
                })
                .collect()
        }))
    }

    /// The build cache's records (`docker system df -v`'s last table); `None` when the engine
    /// cannot say (see the top). Engines before API 1.42 ignore the `type` asked for and walk
    /// everything, volumes too, to answer.
    pub async fn build_cache(&self) -> Result<Option<Vec<CacheRecord>>, Error> {
        Ok(self
            .legacy_df("?type=build-cache")
            .await?
            .map(|df| df.build_cache.unwrap_or_default()))
    }

    pub async fn disk_usage(&self) -> Result<DiskUsage, Error> {
        match self.legacy_df("").await? {
            Some(df) => Ok(summarise(df)),
            None => {
                let images = self.list_images(false).await?;
                let containers = self.list_containers(true).await?;
                let volumes = self.list_volumes().await?;
                let layers = images.iter().map(|i| i.size).sum();
                let mut usage = summarise(LegacyDf {
                    layers_size: layers,
                    images: Some(images),
                    containers: Some(containers),
                    volumes: Some(volumes),
                    build_cache: None,
                    builder_size: 0,
                });
                usage.volume_sizes_known = false;
                Ok(usage)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_1_41_answer_is_summed_like_docker() {
        let df: LegacyDf = serde_json::from_value(serde_json::json!({
            "LayersSize": 1000,
            "Images": [
                {"Id": "a", "ParentId": "", "RepoTags": [], "RepoDigests": [], "Created": 0, "Size": 600, "SharedSize": 100, "VirtualSize": 600, "Labels": {}, "Containers": 1},
                {"Id": "b", "ParentId": "", "RepoTags": [], "RepoDigests": [], "Created": 0, "Size": 400, "SharedSize": 100, "VirtualSize": 400, "Labels": {}, "Containers": 0}
            ],
            "Containers": [
                {"Id": "c1", "State": "running", "SizeRw": 10},
                {"Id": "c2", "State": "exited", "SizeRw": 32}
            ],
            "Volumes": [
                {"Name": "v1", "Driver": "local", "Mountpoint": "/x", "Labels": {}, "Scope": "local", "Options": {}, "UsageData": {"Size": 36, "RefCount": 1}},
                {"Name": "v2", "Driver": "local", "Mountpoint": "/y", "Labels": {}, "Scope": "local", "Options": {}, "UsageData": {"Size": 64, "RefCount": 0}}
            ],
            "BuildCache": []
        }))
        .unwrap();
        let u = summarise(df);
        assert_eq!(
            u.images,
            Usage {
                total: 2,
                active: 1,
                size: 1000,
                reclaimable: 500
            }
        );
        assert_eq!(
            u.containers,
            Usage {
                total: 2,
                active: 1,
                size: 42,
                reclaimable: 32
            }
        );
        assert_eq!(
            u.volumes,
            Usage {
                total: 2,
                active: 1,
                size: 100,
                reclaimable: 64
            }
        );
        assert_eq!(u.build_cache, Usage::default());
    }
}
