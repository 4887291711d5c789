//! What the engine has of a project, found by compose's labels (whoever created it: Berth,
//! `docker compose` v2, or `docker-compose` 1.x), and every project on the engine.

use std::collections::BTreeMap;

use berth_docker::Client;

use crate::Error;
use crate::labels;

/// One container of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Container {
    pub id: String,
    /// Without the leading `/`.
    pub name: String,
    pub service: String,
    pub number: u32,
    pub oneoff: bool,
    pub config_hash: String,
    /// The engine's state: `created`, `running`, `paused`, `restarting`, `exited`, `dead`.
    pub state: String,
    /// The engine's status text, e.g. `Up 3 minutes (healthy)`.
    pub status: String,
    pub image: String,
    pub image_id: String,
    pub command: String,
    pub created: i64,
    pub ports: Vec<(Option<String>, Option<u16>, u16, String)>,
    pub labels: BTreeMap<String, String>,
    /// The networks it is on, by name.
    pub networks: Vec<String>,
    /// The named volumes it mounts.
    pub volumes: Vec<String>,
}

impl Container {
    pub fn running(&self) -> bool {
        matches!(self.state.as_str(), "running" | "restarting" | "paused")
    }
}

/// A network or a volume with a project label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    /// The project's key for it (`com.docker.compose.network`/`.volume`), when labelled.
    pub key: Option<String>,
    pub project: Option<String>,
    /// The config hash Berth wrote on it ([`labels::resource_hash`]); none when another tool
    /// made it (compose computes its hash otherwise) or an older Berth.
    pub berth_hash: Option<String>,
    /// The names of the containers on it, read only for a network of the project's that Berth
    /// made (one it may make anew); none otherwise.
    pub attached: Vec<String>,
}

/// The engine's side of one project, plus the local images and names it needs to plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    pub project: String,
    pub containers: Vec<Container>,
    /// Every network on the engine (a project may use external ones).
    pub networks: Vec<Resource>,
    /// Every volume on the engine.
    pub volumes: Vec<Resource>,
    /// Local images by every name they carry (`busybox:latest`, `repo@sha256:…`) → id.
    pub images: BTreeMap<String, String>,
    /// Local images of services with a time-based `pull_policy` that are due for a pull
    /// ([`note_refreshes`]).
    pub due: std::collections::BTreeSet<String>,
    /// The AI models the model runner has pulled, by every tag they carry; filled only for a
    /// project whose services use models ([`crate::model_runner::Runner::pulled`]).
    pub models: std::collections::BTreeSet<String>,
}

impl Resource {
    /// Whether Berth made it from another definition than the one whose labels are `labels`
    /// (their `com.docker.compose.config-hash`); never for one another tool made.
    pub fn made_otherwise(&self, labels: &BTreeMap<String, String>) -> bool {
        self.berth_hash
            .as_ref()
            .is_some_and(|h| Some(h) != labels.get(labels::CONFIG_HASH))
    }
}

impl Observed {
    pub fn network(&self, name: &str) -> Option<&Resource> {
        self.networks.iter().find(|n| n.name == name)
    }
    pub fn volume(&self, name: &str) -> Option<&Resource> {
        self.volumes.iter().find(|v| v.name == name)
    }
    /// The local image id for a reference (`busybox` means `busybox:latest`).
    pub fn image_id(&self, reference: &str) -> Option<&str> {
        let full = if reference.contains('@') || has_tag(reference) {
            reference.to_owned()
        } else {
            format!("{reference}:latest")
        };
        self.images
            .get(&full)
            .or_else(|| self.images.get(reference))
            .map(String::as_str)
    }
    /// The project's service containers (not one-off runs), by service and number.
    pub fn service_containers(&self, service: &str) -> Vec<&Container> {
        let mut v: Vec<&Container> = self
            .containers
            .iter()
            .filter(|c| c.service == service && !c.oneoff)
            .collect();
        v.sort_by_key(|c| c.number);
        v
    }
}

fn has_tag(reference: &str) -> bool {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.contains(':')
}

fn container(summary: bollard::models::ContainerSummary) -> Option<Container> {
    let labels: BTreeMap<String, String> = summary.labels.unwrap_or_default().into_iter().collect();
    let service = labels.get(labels::SERVICE)?.clone();
    let networks = summary
        .network_settings
        .and_then(|n| n.networks)
        .map(|n| n.into_keys().collect())
        .unwrap_or_default();
    let volumes = summary
        .mounts
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.typ.as_deref() == Some("volume"))
        .filter_map(|m| m.name)
        .collect();
    Some(Container {
        networks,
        volumes,
        id: summary.id.unwrap_or_default(),
        name: summary
            .names
            .and_then(|n| n.into_iter().next())
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_default(),
        number: labels
            .get(labels::NUMBER)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1),
        oneoff: labels::oneoff(&labels),
        config_hash: labels.get(labels::CONFIG_HASH).cloned().unwrap_or_default(),
        state: summary
            .state
            .map(|s| s.to_string())
            .unwrap_or_default()
            .to_lowercase(),
        status: summary.status.unwrap_or_default(),
        image: summary.image.unwrap_or_default(),
        image_id: summary.image_id.unwrap_or_default(),
        command: summary.command.unwrap_or_default(),
        created: summary.created.unwrap_or_default(),
        ports: summary
            .ports
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                (
                    p.ip,
                    p.public_port,
                    p.private_port,
                    p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into()),
                )
            })
            .collect(),
        service,
        labels,
    })
}

/// Every container of every project on the engine.
pub async fn all_containers(client: &Client) -> Result<Vec<Container>, Error> {
    Ok(client
        .list_containers(true)
        .await?
        .into_iter()
        .filter_map(container)
        .filter(|c| c.labels.contains_key(labels::PROJECT))
        .collect())
}

/// Every container of one project (the engine filters them by its label).
pub async fn project_containers(client: &Client, project: &str) -> Result<Vec<Container>, Error> {
    let label = format!("{}={project}", labels::PROJECT);
    Ok(client
        .list_containers_where(
            true,
            false,
            &BTreeMap::from([("label".into(), vec![label])]),
        )
        .await?
        .into_iter()
        .filter_map(container)
        .collect())
}

fn berth_hash<S: std::hash::BuildHasher>(
    labels: &std::collections::HashMap<String, String, S>,
) -> Option<String> {
    let version = labels.get(labels::VERSION)?;
    version
        .starts_with("berth-")
        .then(|| labels.get(labels::CONFIG_HASH).cloned())
        .flatten()
}

/// Observes one project.
pub async fn observe(client: &Client, project: &str) -> Result<Observed, Error> {
    let containers = project_containers(client, project).await?;
    let mut networks = Vec::new();
    for n in client.list_networks().await? {
        let l = n.labels.unwrap_or_default();
        let mut network = Resource {
            name: n.name.unwrap_or_default(),
            key: l.get(labels::NETWORK).cloned(),
            project: l.get(labels::PROJECT).cloned(),
            berth_hash: berth_hash(&l),
            attached: Vec::new(),
        };
        if network.berth_hash.is_some() && network.project.as_deref() == Some(project) {
            match client.inspect_network(&network.name).await {
                Ok(inspect) => {
                    network.attached = inspect
                        .containers
                        .unwrap_or_default()
                        .into_values()
                        .filter_map(|c| c.name)
                        .collect();
                }
                // Gone meanwhile: nothing on it.
                Err(berth_docker::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        networks.push(network);
    }
    let volumes = client
        .list_volumes()
        .await?
        .into_iter()
        .map(|v| Resource {
            name: v.name,
            key: v.labels.get(labels::VOLUME).cloned(),
            project: v.labels.get(labels::PROJECT).cloned(),
            berth_hash: berth_hash(&v.labels),
            attached: Vec::new(),
        })
        .collect();
    let mut images = BTreeMap::new();
    for image in client.list_images(false).await? {
        for name in image.repo_tags.iter().chain(image.repo_digests.iter()) {
            images.insert(name.clone(), image.id.clone());
        }
    }
    Ok(Observed {
        project: project.to_owned(),
        containers,
        networks,
        volumes,
        images,
        due: Default::default(),
        models: Default::default(),
    })
}

/// Notes in `observed` the models the model runner has pulled, when `services` of `project`
/// use any (asking its plugin, run against the engine at `endpoint`).
pub async fn note_models(
    project: &crate::Project,
    services: &[String],
    endpoint: &berth_docker::Endpoint,
    observed: &mut Observed,
) -> Result<(), Error> {
    if crate::model_runner::used(project, services).is_empty() {
        return Ok(());
    }
    let env = crate::provider::program_environment(project, endpoint);
    let runner = crate::model_runner::Runner::find(&env, &project.working_dir).await?;
    observed.models = runner.pulled().await?;
    Ok(())
}

/// Notes in `observed` which local images of `project`'s services with a time-based
/// `pull_policy` (`daily`, `every_12h`, …) are due for a pull: last pulled (tagged, as the
/// engine's `LastTagTime` says) longer ago than the policy allows, or never.
pub async fn note_refreshes(
    client: &Client,
    project: &crate::Project,
    observed: &mut Observed,
) -> Result<(), Error> {
    let now = jiff::Timestamp::now().as_second();
    for (name, svc) in &project.services {
        let Some(period) = svc.refresh_after(&format!("services.{name}"))? else {
            continue;
        };
        let image = svc.image_name(&project.name, name);
        if svc.build.is_some() || observed.image_id(&image).is_none() {
            continue;
        }
        let tagged = client
            .inspect_image(&image)
            .await?
            .metadata
            .and_then(|m| m.last_tag_time)
            .map(|t| t.unix_timestamp())
            .filter(|t| *t > 0);
        if tagged.is_none_or(|t| now - t >= period) {
            observed.due.insert(image);
        }
    }
    Ok(())
}

/// A project on the engine, as `compose ls` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectSummary {
    pub name: String,
    /// e.g. `running(2), exited(1)`.
    pub status: String,
    pub config_files: String,
}

/// Every project that has containers on the engine, by name.
pub fn summarize(containers: &[Container]) -> Vec<ProjectSummary> {
    let mut by_project: BTreeMap<String, Vec<&Container>> = BTreeMap::new();
    for c in containers {
        if let Some(p) = c.labels.get(labels::PROJECT) {
            by_project.entry(p.clone()).or_default().push(c);
        }
    }
    by_project
        .into_iter()
        .map(|(name, cs)| {
            let mut states: BTreeMap<&str, usize> = BTreeMap::new();
            for c in &cs {
                *states.entry(c.state.as_str()).or_default() += 1;
            }
            let status = states
                .iter()
                .map(|(s, n)| format!("{s}({n})"))
                .collect::<Vec<_>>()
                .join(", ");
            let config_files = cs
                .iter()
                .find_map(|c| c.labels.get(labels::CONFIG_FILES).cloned())
                .unwrap_or_default();
            ProjectSummary {
                name,
                status,
                config_files,
            }
        })
        .collect()
}
