//! Volumes and networks in the facade. Prune is decided here, not by the engine: Berth lists
//! exactly what is unused and removes those by name, so what a person was shown is what goes
//! (on API 1.41 the engine's own volume prune also takes unused named volumes).

use std::collections::BTreeMap;

use berth_docker::networks::NetworkSpec;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::wire::{ContainerRow, NetworkRow, VolumeRow, VolumeSizes};
use crate::{ApiError, Berth, Connection};

/// A network as the CLI and the UI ask for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct NetworkRequest {
    pub name: String,
    pub driver: Option<String>,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub internal: bool,
    /// `KEY=value` entries.
    pub labels: Vec<String>,
    /// The driver's options, `KEY=value` entries.
    pub options: Vec<String>,
    pub ip_range: Option<String>,
    pub ipv6: bool,
    pub attachable: bool,
}

/// The networks every engine has, which are never pruned.
const BUILT_IN_NETWORKS: [&str; 3] = ["bridge", "host", "none"];

fn pairs(entries: &[String]) -> Result<BTreeMap<String, String>, ApiError> {
    entries
        .iter()
        .map(|e| berth_docker::spec::parse_key_value(e).map_err(ApiError::from))
        .collect()
}

/// An engine-made name for an anonymous volume: 64 hex characters.
fn is_anonymous(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Berth {
    /// Volumes by name, each with the containers that use it.
    pub async fn volumes(&self, conn: &Connection) -> Result<Vec<VolumeRow>, ApiError> {
        self.volumes_where(conn, &[]).await
    }

    /// [`Berth::volumes`] that `filters` (`KEY=value`, as `docker volume ls --filter` takes
    /// them) let through.
    pub async fn volumes_where(
        &self,
        conn: &Connection,
        filters: &[String],
    ) -> Result<Vec<VolumeRow>, ApiError> {
        let filters = crate::filter_map(filters, "label=team=web")?;
        let users = conn.client.volume_users().await?;
        let mut rows: Vec<VolumeRow> = conn
            .client
            .list_volumes_where(&filters)
            .await?
            .into_iter()
            .map(VolumeRow::from)
            .collect();
        for row in &mut rows {
            row.users = users.get(&row.name).cloned().unwrap_or_default();
            row.users.sort();
        }
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rows)
    }

    /// Each local volume's size (see [`VolumeSizes`]).
    pub async fn volume_sizes(&self, conn: &Connection) -> Result<VolumeSizes, ApiError> {
        Ok(match conn.client.volume_sizes().await? {
            Some(sizes) => VolumeSizes { known: true, sizes },
            None => VolumeSizes::default(),
        })
    }

    pub async fn create_volume(
        &self,
        conn: &Connection,
        name: Option<&str>,
        driver: Option<&str>,
        options: &[String],
        labels: &[String],
    ) -> Result<VolumeRow, ApiError> {
        if let Some(name) = name {
            berth_docker::spec::parse_volume(
                &format!("{name}:/x"),
                std::path::Path::new("/"),
                None,
            )
            .map_err(|_| {
                ApiError::invalid(format!(
                    "{name}: a volume name is letters, digits, '_', '.' or '-'"
                ))
            })?;
        }
        let v = conn
            .client
            .create_volume(name, driver, &pairs(options)?, &pairs(labels)?)
            .await?;
        Ok(v.into())
    }

    pub async fn inspect_volume(
        &self,
        conn: &Connection,
        name: &str,
    ) -> Result<serde_json::Value, ApiError> {
        Ok(serde_json::to_value(conn.client.inspect_volume(name).await?).unwrap_or_default())
    }

    pub async fn remove_volume(
        &self,
        conn: &Connection,
        name: &str,
        force: bool,
    ) -> Result<(), ApiError> {
        match conn.client.remove_volume(name, force).await {
            // `volume is in use - [ID, …]`: said with the containers' names instead.
            Err(berth_docker::Error::Conflict { message }) if message.contains("in use") => {
                let users = conn.client.volume_users().await.unwrap_or_default();
                Err(ApiError::in_use(
                    &format!("volume {name}"),
                    users.get(name).map_or(&[][..], Vec::as_slice),
                    "remove",
                ))
            }
            done => Ok(done?),
        }
    }

    /// Volumes no container uses: anonymous ones, or every unused one with `all`.
    pub async fn volume_prune_candidates(
        &self,
        conn: &Connection,
        all: bool,
        filter: &crate::PruneFilter,
    ) -> Result<Vec<VolumeRow>, ApiError> {
        if filter.has_until() {
            return Err(ApiError::invalid(
                "volume prune takes label filters only (label=KEY[=VALUE], label!=KEY[=VALUE]), as docker's",
            ));
        }
        Ok(self
            .volumes(conn)
            .await?
            .into_iter()
            .filter(|v| {
                v.users.is_empty() && (all || is_anonymous(&v.name)) && filter.lets(None, &v.labels)
            })
            .collect())
    }

    /// The networks by name, each with the containers attached to it (from the containers'
    /// list: the engine's list of networks does not say).
    pub async fn networks(&self, conn: &Connection) -> Result<Vec<NetworkRow>, ApiError> {
        self.networks_where(conn, &[]).await
    }

    /// [`Berth::networks`] that `filters` (`KEY=value`, as `docker network ls --filter` takes
    /// them) let through.
    pub async fn networks_where(
        &self,
        conn: &Connection,
        filters: &[String],
    ) -> Result<Vec<NetworkRow>, ApiError> {
        let filters = crate::filter_map(filters, "driver=bridge")?;
        let (networks, containers) = tokio::try_join!(
            conn.client.list_networks_where(&filters),
            conn.client.list_containers(true)
        )?;
        let mut attached: std::collections::HashMap<String, Vec<String>> = Default::default();
        for c in containers.into_iter().map(ContainerRow::from) {
            let name = c.names.into_iter().next().unwrap_or_default();
            for network in c.networks {
                attached.entry(network).or_default().push(name.clone());
            }
        }
        let mut rows: Vec<NetworkRow> = networks
            .into_iter()
            .map(|n| {
                let mut row = NetworkRow::from(n);
                row.containers = attached.remove(&row.name).unwrap_or_default();
                row.containers.sort();
                row
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rows)
    }

    pub async fn create_network(
        &self,
        conn: &Connection,
        req: &NetworkRequest,
    ) -> Result<String, ApiError> {
        berth_docker::spec::check_name(&req.name).map_err(|_| {
            ApiError::invalid(format!(
                "{}: a network name is 2 or more letters, digits, '_', '.' or '-'",
                req.name
            ))
        })?;
        let spec = NetworkSpec {
            name: req.name.clone(),
            driver: req.driver.clone(),
            subnet: req.subnet.clone(),
            gateway: req.gateway.clone(),
            internal: req.internal,
            labels: pairs(&req.labels)?,
            options: pairs(&req.options)?,
            ip_range: req.ip_range.clone(),
            ipv6: req.ipv6,
            attachable: req.attachable,
        };
        Ok(conn.client.create_network(&spec).await?)
    }

    pub async fn inspect_network(
        &self,
        conn: &Connection,
        name: &str,
    ) -> Result<serde_json::Value, ApiError> {
        Ok(serde_json::to_value(conn.client.inspect_network(name).await?).unwrap_or_default())
    }

    pub async fn connect_network(
        &self,
        conn: &Connection,
        net: &str,
        container: &str,
        aliases: &[String],
    ) -> Result<(), ApiError> {
        Ok(conn.client.connect_network(net, container, aliases).await?)
    }

    pub async fn disconnect_network(
        &self,
        conn: &Connection,
        net: &str,
        container: &str,
        force: bool,
    ) -> Result<(), ApiError> {
        Ok(conn
            .client
            .disconnect_network(net, container, force)
            .await?)
    }

    pub async fn remove_network(&self, conn: &Connection, name: &str) -> Result<(), ApiError> {
        match conn.client.remove_network(name).await {
            // `network NAME id ID has active endpoints`: said with the containers' names.
            Err(berth_docker::Error::Engine { message, .. })
                if message.contains("active endpoints") =>
            {
                let attached = self
                    .networks(conn)
                    .await
                    .ok()
                    .and_then(|rows| rows.into_iter().find(|n| n.name == name || n.id == name))
                    .map(|n| n.containers)
                    .unwrap_or_default();
                Err(ApiError::in_use(
                    &format!("network {name}"),
                    &attached,
                    "disconnect or remove",
                ))
            }
            done => Ok(done?),
        }
    }

    /// Networks of the user's making that no container is attached to.
    pub async fn network_prune_candidates(
        &self,
        conn: &Connection,
        filter: &crate::PruneFilter,
    ) -> Result<Vec<NetworkRow>, ApiError> {
        Ok(self
            .networks(conn)
            .await?
            .into_iter()
            .filter(|n| {
                !BUILT_IN_NETWORKS.contains(&n.name.as_str())
                    && n.containers.is_empty()
                    && filter.lets(crate::prune::seconds(n.created.as_deref()), &n.labels)
            })
            .collect())
    }
}
