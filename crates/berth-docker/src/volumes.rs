//! Volumes.

use bollard::models::Volume;

use crate::{Client, Error};

impl Client {
    pub async fn list_volumes(&self) -> Result<Vec<Volume>, Error> {
        let none: Option<bollard::query_parameters::ListVolumesOptions> = None;
        let resp = self
            .call("the volume list", self.docker.list_volumes(none))
            .await?;
        Ok(resp.volumes.unwrap_or_default())
    }
}
