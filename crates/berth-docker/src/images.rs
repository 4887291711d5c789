//! Images.

use bollard::models::ImageSummary;
use bollard::query_parameters::ListImagesOptionsBuilder;

use crate::{Client, Error};

impl Client {
    /// Lists images; `all` includes intermediate images, like `docker images -a`.
    pub async fn list_images(&self, all: bool) -> Result<Vec<ImageSummary>, Error> {
        let opts = ListImagesOptionsBuilder::default().all(all).build();
        self.call("the image list", self.docker.list_images(Some(opts)))
            .await
    }
}
