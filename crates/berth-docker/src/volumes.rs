//! Volumes: list, create, inspect, remove, and which containers use each.

use std::collections::{BTreeMap, HashMap};

use bollard::models::{Volume, VolumeCreateRequest};
use bollard::query_parameters::RemoveVolumeOptionsBuilder;

use crate::{Client, Error};

impl Client {
    pub async fn list_volumes(&self) -> Result<Vec<Volume>, Error> {
        self.list_volumes_where(&BTreeMap::new()).await
    }

    /// The volumes the engine's `filters` let through (`label=…`, `name=…`, `dangling=…`,
    /// `driver=…`).
    pub async fn list_volumes_where(
        &self,
        filters: &BTreeMap<String, Vec<String>>,
    ) -> Result<Vec<Volume>, Error> {
        let opts = bollard::query_parameters::ListVolumesOptionsBuilder::default()
            .filters(&crate::query_filters(filters))
            .build();
        let resp = self
            .call("the volume list", self.docker.list_volumes(Some(opts)))
            .await?;
        Ok(resp.volumes.unwrap_or_default())
    }

    pub async fn create_volume(
        &self,
        name: Option<&str>,
        driver: Option<&str>,
        options: &BTreeMap<String, String>,
        labels: &BTreeMap<String, String>,
    ) -> Result<Volume, Error> {
        let req = VolumeCreateRequest {
            name: name.map(str::to_owned),
            driver: driver.map(str::to_owned),
            driver_opts: Some(options.clone().into_iter().collect()),
            labels: Some(labels.clone().into_iter().collect()),
            ..Default::default()
        };
        self.call("a volume create", self.docker.create_volume(req))
            .await
    }

    pub async fn inspect_volume(&self, name: &str) -> Result<Volume, Error> {
        self.call("a volume inspect", self.docker.inspect_volume(name))
            .await
    }

    /// Removes one named volume; the engine refuses one in use unless `force`.
    pub async fn remove_volume(&self, name: &str, force: bool) -> Result<(), Error> {
        let opts = RemoveVolumeOptionsBuilder::default().force(force).build();
        self.call(
            "a volume removal",
            self.docker.remove_volume(name, Some(opts)),
        )
        .await
    }

    /// Volume name → the names of the containers (running or not) that mount it.
    pub async fn volume_users(&self) -> Result<HashMap<String, Vec<String>>, Error> {
        let mut users: HashMap<String, Vec<String>> = HashMap::new();
        for c in self.list_containers(true).await? {
            let name = c
                .names
                .as_ref()
                .and_then(|n| n.first())
                .map(|n| n.trim_start_matches('/').to_owned());
            for m in c.mounts.unwrap_or_default() {
                if let (Some(volume), Some(name)) = (m.name, name.clone()) {
                    users.entry(volume).or_default().push(name);
                }
            }
        }
        Ok(users)
    }
}
