//! Networks.

use bollard::models::Network;

use crate::{Client, Error};

impl Client {
    pub async fn list_networks(&self) -> Result<Vec<Network>, Error> {
        self.call("the network list", self.docker.list_networks(None))
            .await
    }
}
