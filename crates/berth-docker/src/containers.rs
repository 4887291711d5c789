//! Containers.

use bollard::models::ContainerSummary;
use bollard::query_parameters::ListContainersOptionsBuilder;

use crate::{Client, Error};

impl Client {
    /// Lists containers; `all` includes stopped ones, like `docker ps -a`.
    pub async fn list_containers(&self, all: bool) -> Result<Vec<ContainerSummary>, Error> {
        let opts = ListContainersOptionsBuilder::default().all(all).build();
        self.call(
            "the container list",
            self.docker.list_containers(Some(opts)),
        )
        .await
    }
}
