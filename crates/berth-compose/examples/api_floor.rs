//! The API floor for `compose up -d` / `down` (bench/compose.sh): only the engine calls a
//! project of N identical services needs, all containers in parallel, no files read, no
//! checks. `api_floor SOCKET PROJECT N IMAGE up|down`.

use std::collections::HashMap;

use bollard::Docker;
use bollard::models::{
    ContainerCreateBody, EndpointSettings, NetworkCreateRequest, NetworkingConfig,
};
use bollard::query_parameters::{CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder};
use futures_util::future::try_join_all;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, socket, project, n, image, mode] = args.as_slice() else {
        return Err("usage: api_floor SOCKET PROJECT N IMAGE up|down".into());
    };
    let n: usize = n.parse()?;
    let socket = socket.trim_start_matches("unix://");
    let docker = Docker::connect_with_unix(socket, 120, bollard::API_DEFAULT_VERSION)?
        .negotiate_version()
        .await?;
    let network = format!("{project}_default");
    let names: Vec<String> = (1..=n).map(|i| format!("{project}-s{i}-1")).collect();
    match mode.as_str() {
        "up" => {
            docker
                .create_network(NetworkCreateRequest {
                    name: network.clone(),
                    ..Default::default()
                })
                .await?;
            try_join_all(names.iter().map(|name| {
                let docker = &docker;
                let network = &network;
                async move {
                    let body = ContainerCreateBody {
                        image: Some(image.clone()),
                        stop_signal: Some("SIGKILL".into()),
                        host_config: Some(bollard::models::HostConfig {
                            network_mode: Some(network.clone()),
                            ..Default::default()
                        }),
                        networking_config: Some(NetworkingConfig {
                            endpoints_config: Some(HashMap::from([(
                                network.clone(),
                                EndpointSettings::default(),
                            )])),
                        }),
                        ..Default::default()
                    };
                    let opts = CreateContainerOptionsBuilder::default().name(name).build();
                    let id = docker.create_container(Some(opts), body).await?.id;
                    docker
                        .start_container(
                            &id,
                            None::<bollard::query_parameters::StartContainerOptions>,
                        )
                        .await
                }
            }))
            .await?;
        }
        "down" => {
            try_join_all(names.iter().map(|name| {
                let docker = &docker;
                async move {
                    let opts = RemoveContainerOptionsBuilder::default().force(true).build();
                    docker.remove_container(name, Some(opts)).await
                }
            }))
            .await?;
            docker.remove_network(&network).await?;
        }
        other => return Err(format!("{other}: expected up or down").into()),
    }
    Ok(())
}
