//! `compose config`: the normalised model as YAML (like `docker compose config`) or JSON, and
//! the lists `--services`, `--volumes`, `--profiles`, `--images`, `--models`.

use crate::Error;
use crate::model::Project;

pub fn yaml(project: &Project) -> Result<String, Error> {
    yaml_of(project)
}

/// Anything the model holds as YAML, as `config` writes the model.
fn yaml_of(value: &impl serde::Serialize) -> Result<String, Error> {
    let value = serde_json::to_value(value).map_err(|e| Error::invalid("config", e.to_string()))?;
    // A long string on its line as docker compose writes it (an image pinned to its digest),
    // not folded into a block.
    let options = serde_saphyr::ser_options! { folded_wrap_chars: usize::MAX };
    serde_saphyr::to_string_with_options(&value, options)
        .map_err(|e| Error::invalid("config", e.to_string()))
}

pub fn json(project: &Project) -> Result<String, Error> {
    serde_json::to_string_pretty(project).map_err(|e| Error::invalid("config", e.to_string()))
}

/// `config --lock-image-digests`: an override file that pins each service's image as the
/// model has it (resolved to its digest by then), as YAML or, with `json`, JSON.
pub fn image_lock(project: &Project, json: bool) -> Result<String, Error> {
    let services: serde_json::Map<String, serde_json::Value> = project
        .services
        .iter()
        .filter_map(|(name, s)| {
            Some((
                name.clone(),
                serde_json::json!({ "image": s.image.as_ref()? }),
            ))
        })
        .collect();
    let lock = serde_json::json!({ "services": services });
    match json {
        true => serde_json::to_string_pretty(&lock)
            .map(|t| t + "\n")
            .map_err(|e| Error::invalid("config", e.to_string())),
        false => yaml_of(&lock),
    }
}

/// Service names in dependency order (a service after what it depends on), ties by name.
pub fn services(project: &Project) -> Vec<String> {
    crate::graph::order(project)
}

pub fn volumes(project: &Project) -> Vec<String> {
    project.volumes.keys().cloned().collect()
}

/// The keys of the networks the project declares.
pub fn networks(project: &Project) -> Vec<String> {
    project.networks.keys().cloned().collect()
}

/// `SERVICE HASH` of each service named (`*`: all, in dependency order): the config hash its
/// containers carry (`com.docker.compose.config-hash`), which says when `up` recreates them.
pub fn hashes(project: &Project, named: &str) -> Result<Vec<String>, crate::Error> {
    let wanted: Vec<String> = match named.trim() {
        "*" => services(project),
        list => list.split(',').map(|s| s.trim().to_owned()).collect(),
    };
    wanted
        .iter()
        .map(|name| match project.services.get(name) {
            Some(svc) => Ok(format!(
                "{name} {}",
                crate::labels::config_hash(svc, &project.models)
            )),
            None => Err(crate::Error::invalid(
                format!("--hash {named}"),
                format!("the project has no service {name:?}"),
            )),
        })
        .collect()
}

/// The keys of the models the project declares.
pub fn models(project: &Project) -> Vec<String> {
    project.models.keys().cloned().collect()
}

/// Every profile any service or job (enabled or not) names.
pub fn profiles(project: &Project) -> Vec<String> {
    let mut all: Vec<String> = project
        .services
        .values()
        .chain(project.disabled.values())
        .chain(project.jobs.values())
        .chain(project.disabled_jobs.values())
        .flat_map(|s| s.profiles.iter().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The images of the services, in dependency order (a provider service has none).
pub fn images(project: &Project) -> Vec<String> {
    crate::graph::order(project)
        .iter()
        .filter(|name| project.services[*name].provider().is_none())
        .map(|name| project.services[name].image_name(&project.name, name))
        .collect()
}
