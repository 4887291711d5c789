//! The labels compose puts on what it creates (shared with `docker compose` and
//! `docker-compose` 1.x, which is how each tool sees the other's projects), and the config hash.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::model::{ModelDef, Project, Service};

pub const PROJECT: &str = "com.docker.compose.project";
pub const SERVICE: &str = "com.docker.compose.service";
pub const NUMBER: &str = "com.docker.compose.container-number";
pub const ONEOFF: &str = "com.docker.compose.oneoff";
pub const CONFIG_HASH: &str = "com.docker.compose.config-hash";
pub const WORKING_DIR: &str = "com.docker.compose.project.working_dir";
pub const CONFIG_FILES: &str = "com.docker.compose.project.config_files";
pub const ENV_FILES: &str = "com.docker.compose.project.environment_file";
pub const DEPENDS_ON: &str = "com.docker.compose.depends_on";
pub const IMAGE: &str = "com.docker.compose.image";
pub const VERSION: &str = "com.docker.compose.version";
pub const NETWORK: &str = "com.docker.compose.network";
pub const VOLUME: &str = "com.docker.compose.volume";
/// On a container recreated in place of another: the other's id.
pub const REPLACE: &str = "com.docker.compose.replace";

/// Whether labels are those of a one-off container (`compose run`), which a project's services,
/// logs and lifecycle leave out.
pub fn oneoff(labels: &BTreeMap<String, String>) -> bool {
    labels
        .get(ONEOFF)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// What Berth writes as `com.docker.compose.version`.
pub const BERTH_VERSION: &str = concat!("berth-", env!("CARGO_PKG_VERSION"));

/// The hash of what a service's containers are made from: a change means recreate. Settings
/// that do not shape the container (build, pull policy, replicas, dependencies, profiles,
/// develop) are left out, as compose leaves them out. The definitions of the models it uses
/// (`models`, the project's) are in: a model changed there changes its containers' variables.
pub fn config_hash(service: &Service, models: &BTreeMap<String, ModelDef>) -> String {
    let mut s = service.clone();
    s.build = None;
    s.pull_policy = None;
    s.scale = None;
    s.depends_on.clear();
    s.profiles.clear();
    s.develop = None;
    if let Some(deploy) = s.other.get_mut("deploy").and_then(|d| d.as_object_mut()) {
        deploy.remove("replicas");
    }
    let mut json = serde_json::to_string(&s).unwrap_or_default();
    let used: BTreeMap<&String, &ModelDef> = service
        .models()
        .into_keys()
        .filter_map(|k| models.get_key_value(&k))
        .collect();
    if !used.is_empty() {
        json.push_str(&serde_json::to_string(&used).unwrap_or_default());
    }
    sha256_hex(&json)
}

/// The labels of a service container.
pub fn container(
    project: &Project,
    name: &str,
    service: &Service,
    number: u32,
    image_id: &str,
    oneoff: bool,
) -> BTreeMap<String, String> {
    let mut labels = service.labels.clone();
    let depends: Vec<String> = service
        .depends_on
        .iter()
        .map(|(dep, d)| {
            let cond = serde_json::to_value(d.condition)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{dep}:{cond}:{}", d.restart)
        })
        .collect();
    let files: Vec<String> = project
        .config_files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    for (k, v) in [
        (PROJECT, project.name.clone()),
        (SERVICE, name.to_owned()),
        (NUMBER, number.to_string()),
        (ONEOFF, if oneoff { "True" } else { "False" }.to_owned()),
        (CONFIG_HASH, config_hash(service, &project.models)),
        (WORKING_DIR, project.working_dir.display().to_string()),
        (CONFIG_FILES, files.join(",")),
        (DEPENDS_ON, depends.join(",")),
        (IMAGE, image_id.to_owned()),
        (VERSION, BERTH_VERSION.to_owned()),
    ] {
        labels.insert(k.to_owned(), v);
    }
    if !project.env_files.is_empty() {
        let env: Vec<String> = project
            .env_files
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        labels.insert(ENV_FILES.to_owned(), env.join(","));
    }
    labels
}

/// The hash of what a network or a volume is made from (its engine name, driver, options and
/// own labels, not the labels compose adds): a network whose hash changed is made anew, as
/// compose makes it; a volume's is only said (it holds data).
pub fn resource_hash(made_from: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(made_from).unwrap_or_default();
    sha256_hex(&json)
}

fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The labels of a project network or volume (`kind_label` is [`NETWORK`] or [`VOLUME`]).
pub fn resource(
    project: &str,
    kind_label: &str,
    key: &str,
    own: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut labels = own.clone();
    labels.insert(PROJECT.to_owned(), project.to_owned());
    labels.insert(kind_label.to_owned(), key.to_owned());
    labels.insert(VERSION.to_owned(), BERTH_VERSION.to_owned());
    labels
}
