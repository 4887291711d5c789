//! Networks: list, create, inspect, connect, disconnect, remove.

use std::collections::BTreeMap;

use bollard::models::{
    EndpointSettings, Ipam, IpamConfig, Network, NetworkConnectRequest, NetworkCreateRequest,
    NetworkDisconnectRequest, NetworkInspect,
};

use crate::{Client, Error};

/// What to create.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct NetworkSpec {
    pub name: String,
    pub driver: Option<String>,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    /// No route out of the network.
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
    /// The driver's options (`com.docker.network.bridge.name`, `mtu`, …).
    pub options: BTreeMap<String, String>,
    /// The part of the subnet containers get their addresses from.
    pub ip_range: Option<String>,
    pub ipv6: bool,
    /// Containers may be attached by hand (swarm overlay networks).
    pub attachable: bool,
}

impl Client {
    pub async fn list_networks(&self) -> Result<Vec<Network>, Error> {
        self.list_networks_where(&BTreeMap::new()).await
    }

    /// The networks the engine's `filters` let through (`label=…`, `name=…`, `driver=…`,
    /// `id=…`, `scope=…`, `type=…`, `dangling=…`).
    pub async fn list_networks_where(
        &self,
        filters: &BTreeMap<String, Vec<String>>,
    ) -> Result<Vec<Network>, Error> {
        let opts = bollard::query_parameters::ListNetworksOptionsBuilder::default()
            .filters(&crate::query_filters(filters))
            .build();
        self.call("the network list", self.docker.list_networks(Some(opts)))
            .await
    }

    /// Creates a network; returns its id.
    pub async fn create_network(&self, spec: &NetworkSpec) -> Result<String, Error> {
        if let Some(subnet) = &spec.subnet {
            check_cidr(subnet)?;
        }
        if let Some(gw) = &spec.gateway
            && gw.parse::<std::net::IpAddr>().is_err()
        {
            return Err(Error::invalid(gw, "a gateway is an IP address"));
        }
        if let Some(range) = &spec.ip_range {
            check_cidr(range)?;
            if spec.subnet.is_none() {
                return Err(Error::invalid(
                    range,
                    "an IP range is a part of the subnet: give --subnet too",
                ));
            }
        }
        let ipam = spec.subnet.as_ref().map(|subnet| Ipam {
            config: Some(vec![IpamConfig {
                subnet: Some(subnet.clone()),
                gateway: spec.gateway.clone(),
                ip_range: spec.ip_range.clone(),
                ..Default::default()
            }]),
            ..Default::default()
        });
        let req = NetworkCreateRequest {
            name: spec.name.clone(),
            driver: spec.driver.clone(),
            internal: Some(spec.internal),
            ipam,
            labels: Some(spec.labels.clone().into_iter().collect()),
            options: (!spec.options.is_empty()).then(|| spec.options.clone().into_iter().collect()),
            enable_ipv6: spec.ipv6.then_some(true),
            attachable: spec.attachable.then_some(true),
            ..Default::default()
        };
        let resp = self
            .call("a network create", self.docker.create_network(req))
            .await?;
        Ok(resp.id)
    }

    /// The engine's inspect of a network, with the containers on it and their addresses (the
    /// list's model has no room for them).
    pub async fn inspect_network(&self, name: &str) -> Result<NetworkInspect, Error> {
        self.call("a network inspect", self.docker.inspect_network(name, None))
            .await
    }

    pub async fn connect_network(
        &self,
        network: &str,
        container: &str,
        aliases: &[String],
    ) -> Result<(), Error> {
        let endpoint = EndpointSettings {
            aliases: (!aliases.is_empty()).then(|| aliases.to_vec()),
            ..Default::default()
        };
        self.connect_network_with(network, container, endpoint)
            .await
    }

    /// Connects with complete endpoint settings (aliases, fixed addresses).
    pub async fn connect_network_with(
        &self,
        network: &str,
        container: &str,
        endpoint: EndpointSettings,
    ) -> Result<(), Error> {
        let req = NetworkConnectRequest {
            container: container.to_owned(),
            endpoint_config: Some(endpoint),
        };
        self.call(
            "a network connect",
            self.docker.connect_network(network, req),
        )
        .await
    }

    pub async fn disconnect_network(
        &self,
        network: &str,
        container: &str,
        force: bool,
    ) -> Result<(), Error> {
        let req = NetworkDisconnectRequest {
            container: container.to_owned(),
            force: Some(force),
        };
        self.call(
            "a network disconnect",
            self.docker.disconnect_network(network, req),
        )
        .await
    }

    pub async fn remove_network(&self, name: &str) -> Result<(), Error> {
        self.call("a network removal", self.docker.remove_network(name))
            .await
    }
}

/// `10.1.0.0/16` as its address and prefix length, `fd00::/64` too; `None` for anything else.
pub fn parse_cidr(text: &str) -> Option<(std::net::IpAddr, u8)> {
    let (ip, bits) = text.split_once('/')?;
    let ip = ip.parse::<std::net::IpAddr>().ok()?;
    let bits = bits.parse::<u8>().ok()?;
    let most = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= most).then_some((ip, bits))
}

/// `10.1.0.0/16` or `fd00::/64`.
fn check_cidr(text: &str) -> Result<(), Error> {
    if parse_cidr(text).is_some() {
        Ok(())
    } else {
        Err(Error::invalid(
            text,
            "a subnet is ADDRESS/PREFIX, e.g. 10.5.0.0/16",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::check_cidr;

    #[test]
    fn subnets() {
        assert!(check_cidr("10.5.0.0/16").is_ok() && check_cidr("fd00::/64").is_ok());
        for bad in ["10.5.0.0", "10.5.0.0/33", "x/8", "fd00::/200"] {
            assert!(
                check_cidr(bad)
                    .unwrap_err()
                    .to_string()
                    .contains("a subnet is ADDRESS/PREFIX"),
                "{bad}"
            );
        }
    }
}
