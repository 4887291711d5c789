//! `system prune` as a plan and its application, for the CLI and the app alike: what goes is
//! listed first (stopped containers, unused networks, unused volumes when asked, then the images
//! nothing will use once those containers are gone), then exactly that is removed, and what the
//! engine refuses is told rather than stopping the rest.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Berth, Connection, PruneFilter};

/// One thing a prune removes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PruneItem {
    /// `container`, `network`, `volume` or `image`.
    pub kind: String,
    /// What the engine knows it by: an id, or a network's or volume's name.
    pub id: String,
    /// What the user knows it by.
    pub name: String,
    /// What it takes on disk, where the engine says (images).
    #[ts(type = "number")]
    pub size: u64,
}

impl PruneItem {
    /// `container web`, as the prune's list says it.
    pub fn line(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }
}

/// How a prune went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PruneOutcome {
    pub removed: u32,
    /// The sizes of the images removed.
    #[ts(type = "number")]
    pub reclaimed: u64,
    /// What the engine refused: an image a container made meanwhile uses, say.
    pub refused: Vec<PruneRefusal>,
}

/// Something a prune was to remove and the engine refused to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PruneRefusal {
    pub item: PruneItem,
    /// The engine's word.
    pub message: String,
}

impl PruneRefusal {
    /// `image web:1: …`, as the prune tells it.
    pub fn line(&self) -> String {
        format!("{}: {}", self.item.line(), self.message)
    }
}

impl Berth {
    /// What `system prune` would remove, in the order it goes; `all` takes every unused image
    /// (not only the untagged ones) and, with `volumes`, named volumes too.
    pub async fn system_prune_plan(
        &self,
        conn: &Connection,
        all: bool,
        volumes: bool,
        filter: &PruneFilter,
    ) -> Result<Vec<PruneItem>, ApiError> {
        // One listing: what stops being there, and what stays (whose images are kept).
        let (containers, staying): (Vec<_>, Vec<_>) = self
            .containers(conn, true)
            .await?
            .into_iter()
            .partition(|c| {
                matches!(c.state.as_str(), "exited" | "created" | "dead")
                    && filter.lets(Some(c.created), &c.labels)
            });
        let mut items: Vec<PruneItem> = containers
            .into_iter()
            .map(|c| PruneItem {
                kind: "container".into(),
                name: c.names.first().cloned().unwrap_or_else(|| c.id.clone()),
                id: c.id,
                size: 0,
            })
            .collect();
        for n in self.network_prune_candidates(conn, filter).await? {
            items.push(PruneItem {
                kind: "network".into(),
                id: n.name.clone(),
                name: n.name,
                size: 0,
            });
        }
        if volumes {
            for v in self.volume_prune_candidates(conn, all, filter).await? {
                items.push(PruneItem {
                    kind: "volume".into(),
                    id: v.name.clone(),
                    name: v.name,
                    size: 0,
                });
            }
        }
        // Images last: removing containers frees the images they held.
        let used_after: HashSet<String> = staying.into_iter().map(|c| c.image).collect();
        for i in self.images(conn).await? {
            if (all || i.dangling)
                && !i.repo_tags.iter().any(|t| used_after.contains(t))
                && !used_after.contains(&i.id)
                && filter.lets(Some(i.created), &i.labels)
            {
                items.push(PruneItem {
                    kind: "image".into(),
                    name: i.repo_tags.first().cloned().unwrap_or_else(|| i.id.clone()),
                    id: i.id,
                    size: u64::try_from(i.size).unwrap_or(0),
                });
            }
        }
        Ok(items)
    }

    /// Removes what a plan lists, in its order, never forcing: what the engine refuses (a
    /// container started meanwhile, an image one uses) is kept and told.
    pub async fn system_prune(
        &self,
        conn: &Connection,
        items: &[PruneItem],
    ) -> Result<PruneOutcome, ApiError> {
        let mut outcome = PruneOutcome::default();
        for item in items {
            let removed = match item.kind.as_str() {
                "container" => self.remove(conn, &item.id, false, false).await,
                "network" => self.remove_network(conn, &item.id).await,
                "volume" => self.remove_volume(conn, &item.id, false).await,
                "image" => self
                    .remove_images(conn, std::slice::from_ref(&item.id), false)
                    .await
                    .map(drop),
                other => {
                    return Err(ApiError::invalid(format!(
                        "a prune of a {other:?}: only containers, networks, volumes and images are pruned"
                    )));
                }
            };
            match removed {
                Ok(()) => {
                    outcome.removed += 1;
                    outcome.reclaimed += item.size;
                }
                Err(e) => outcome.refused.push(PruneRefusal {
                    item: item.clone(),
                    message: e.message,
                }),
            }
        }
        Ok(outcome)
    }
}
