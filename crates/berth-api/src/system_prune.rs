//! `system prune` and `builder prune` as a plan and its application, for the CLI and the app
//! alike: what goes is listed first (stopped containers, unused networks, unused volumes when
//! asked, then the images nothing will use once those containers are gone, then the build
//! cache's records nothing uses), then exactly that is removed, and what the engine refuses is
//! told rather than stopping the rest.

use std::collections::{BTreeMap, HashMap, HashSet};

use berth_docker::df::CacheRecord;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Berth, Connection, PruneFilter};

/// One thing a prune removes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PruneItem {
    /// `container`, `network`, `volume`, `image` or `build cache`.
    pub kind: String,
    /// What the engine knows it by: an id, or a network's or volume's name.
    pub id: String,
    /// What the user knows it by.
    pub name: String,
    /// What it takes on disk, where the engine says (images, build cache records).
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
    /// The sizes of the images removed, and what the engine freed of the build cache.
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
        // The build cache last, when the engine lists it: it answers one disk-usage request at a
        // time ("a disk usage operation is already running"), and the Dashboard's card may be
        // reading it; the rest of the prune does not wait on that.
        match self.build_cache_prune_plan(conn, all, filter).await {
            Ok(cache) => items.extend(cache),
            Err(e) => tracing::warn!(error = %e.message, "system prune: the build cache left out"),
        }
        Ok(items)
    }

    /// What `builder prune` would remove (and `system prune` last): the build cache's records
    /// nothing uses and, unless `all`, no image shares; see [`build_cache_going`]. None from an
    /// engine that cannot list its build cache (see berth-docker's `df`).
    pub async fn build_cache_prune_plan(
        &self,
        conn: &Connection,
        all: bool,
        filter: &PruneFilter,
    ) -> Result<Vec<PruneItem>, ApiError> {
        let records = conn.client.build_cache().await?.unwrap_or_default();
        Ok(build_cache_going(&records, all, filter))
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
            // What it frees: its size in the plan, or what the engine says it freed.
            let freed = match item.kind.as_str() {
                "container" => self
                    .remove(conn, &item.id, false, false)
                    .await
                    .map(|()| item.size),
                "network" => self
                    .remove_network(conn, &item.id)
                    .await
                    .map(|()| item.size),
                "volume" => self
                    .remove_volume(conn, &item.id, false)
                    .await
                    .map(|()| item.size),
                "image" => self
                    .remove_images(conn, std::slice::from_ref(&item.id), false)
                    .await
                    .map(|_| item.size),
                "build cache" => match conn.client.remove_build_cache_record(&item.id).await {
                    Ok(Some(freed)) => Ok(freed),
                    Ok(None) => Err(ApiError::invalid(
                        "kept by the engine: a build uses it, or a record made on it since",
                    )),
                    Err(e) => Err(e.into()),
                },
                other => {
                    return Err(ApiError::invalid(format!(
                        "a prune of a {other:?}: only containers, networks, volumes, images and build cache are pruned"
                    )));
                }
            };
            match freed {
                Ok(bytes) => {
                    outcome.removed += 1;
                    outcome.reclaimed += bytes;
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

/// The build cache's records a prune removes, as BuildKit picks them: not in use and, unless
/// `all`, neither shared with an image nor the builder's own (`internal`, `frontend`); old
/// enough for the filter's `until` (by when each was last used). A record another that stays is
/// made on stays too: the engine keeps it. In the order they can go, each before the records it
/// is made on.
pub fn build_cache_going(
    records: &[CacheRecord],
    all: bool,
    filter: &PruneFilter,
) -> Vec<PruneItem> {
    let no_labels = BTreeMap::new();
    let last_used = |r: &CacheRecord| {
        let at = r.last_used_at.as_deref().unwrap_or(&r.created_at);
        at.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
    };
    let goes = |r: &CacheRecord| {
        !r.in_use
            && (all || !(r.shared || matches!(r.kind.as_str(), "internal" | "frontend")))
            && filter.lets(last_used(r), &no_labels)
    };
    let by_id: HashMap<&str, &CacheRecord> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    // What stays, and everything it is made on.
    let mut stays: HashSet<&str> = HashSet::new();
    let mut todo: Vec<&CacheRecord> = records.iter().filter(|r| !goes(r)).collect();
    while let Some(r) = todo.pop() {
        if stays.insert(r.id.as_str()) {
            todo.extend(r.parent_ids().filter_map(|p| by_id.get(p).copied()));
        }
    }
    // How far each is from a record made on nothing: the farthest go first.
    fn depth<'a>(
        r: &'a CacheRecord,
        by_id: &HashMap<&str, &'a CacheRecord>,
        memo: &mut HashMap<&'a str, usize>,
        seen: &mut HashSet<&'a str>,
    ) -> usize {
        if let Some(d) = memo.get(r.id.as_str()) {
            return *d;
        }
        if !seen.insert(r.id.as_str()) {
            return 0; // a loop, which the engine never makes: stop there
        }
        let d = r
            .parent_ids()
            .filter_map(|p| by_id.get(p).copied())
            .map(|p| depth(p, by_id, memo, seen) + 1)
            .max()
            .unwrap_or(0);
        memo.insert(r.id.as_str(), d);
        d
    }
    let mut memo = HashMap::new();
    let mut going: Vec<(usize, &CacheRecord)> = records
        .iter()
        .filter(|r| !stays.contains(r.id.as_str()))
        .map(|r| (depth(r, &by_id, &mut memo, &mut HashSet::new()), r))
        .collect();
    going.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
    going
        .into_iter()
        .map(|(_, r)| PruneItem {
            kind: "build cache".into(),
            id: r.id.clone(),
            name: cache_record_name(r),
            size: u64::try_from(r.size).unwrap_or(0),
        })
        .collect()
}

/// `k7p2ifpjzb8g (fileop target)`: the id as `docker system df -v` shortens it, and what made
/// the record, cut at 60 characters.
fn cache_record_name(r: &CacheRecord) -> String {
    let id: String = r.id.chars().take(12).collect();
    let what = r.description.trim();
    if what.is_empty() {
        return id;
    }
    let mut short: String = what.chars().take(60).collect();
    if short.len() < what.len() {
        short.push('…');
    }
    format!("{id} ({short})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, parent: &str, in_use: bool, shared: bool, last_used: &str) -> CacheRecord {
        CacheRecord {
            id: id.into(),
            kind: "regular".into(),
            description: format!("made {id}"),
            in_use,
            shared,
            size: 10,
            created_at: "2026-12-01T10:00:00.5Z".into(),
            last_used_at: Some(last_used.into()),
            parent: Some(parent.into()),
            ..Default::default()
        }
    }

    fn ids(items: &[PruneItem]) -> Vec<&str> {
        items.iter().map(|i| i.id.as_str()).collect()
    }

    const DAY1: &str = "2026-12-01T10:00:00.123456789Z";
    const DAY5: &str = "2026-12-05T10:00:00Z";

    #[test]
    fn unused_records_go_each_before_what_it_is_made_on() {
        // base <- mid <- top (top made on mid, made on base); ctx alone.
        let records = [
            record("base", "", false, false, DAY1),
            record("ctx", "", false, false, DAY1),
            record("top", "mid", false, false, DAY1),
            record("mid", "base", false, false, DAY1),
        ];
        let items = build_cache_going(&records, false, &PruneFilter::default());
        assert_eq!(ids(&items), ["top", "mid", "base", "ctx"]);
        assert_eq!(items[0].line(), "build cache top (made top)");
        assert_eq!(items[0].size, 10);
    }

    #[test]
    fn what_is_in_use_or_shared_stays_and_so_does_what_it_is_made_on() {
        let mut internal = record("int", "", false, false, DAY1);
        internal.kind = "internal".into();
        let records = [
            record("base", "", false, false, DAY1),
            record("used", "base", true, false, DAY1),
            record("img", "", false, true, DAY1),
            record("free", "img", false, false, DAY1),
            internal,
        ];
        let some = build_cache_going(&records, false, &PruneFilter::default());
        assert_eq!(ids(&some), ["free"], "base is under a record in use");
        let all = build_cache_going(&records, true, &PruneFilter::default());
        assert_eq!(ids(&all), ["free", "img", "int"]);
    }

    #[test]
    fn until_keeps_what_was_used_since() {
        let records = [
            record("old", "", false, false, DAY1),
            record("new", "", false, false, DAY5),
        ];
        let now = "2026-12-06T10:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        let filter = PruneFilter::parse(&["until=72h".into()], now).unwrap();
        assert_eq!(ids(&build_cache_going(&records, false, &filter)), ["old"]);
        // No labels on build cache: label= keeps every record, label!= lets each go.
        let labelled = PruneFilter::parse(&["label=team".into()], now).unwrap();
        assert!(build_cache_going(&records, false, &labelled).is_empty());
        let unlabelled = PruneFilter::parse(&["label!=team".into()], now).unwrap();
        assert_eq!(build_cache_going(&records, false, &unlabelled).len(), 2);
    }
}
