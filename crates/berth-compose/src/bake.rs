//! `build --print`: a project's builds as a buildx bake file (JSON), the file docker compose
//! prints, so `docker buildx bake -f -` builds what `build` would.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::Error;
use crate::convert::{strings, text};
use crate::model::{Build, Project};

/// A bake file: the `default` group names the targets to build.
#[derive(Debug, Serialize)]
pub struct BakeFile {
    pub group: BTreeMap<String, Group>,
    pub target: BTreeMap<String, Target>,
}

#[derive(Debug, Serialize)]
pub struct Group {
    pub targets: Vec<String>,
}

/// One service's build, its fields in the order and with the names bake reads.
#[derive(Debug, Default, Serialize)]
pub struct Target {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub context: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub contexts: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub dockerfile: String,
    #[serde(rename = "dockerfile-inline", skip_serializing_if = "String::is_empty")]
    pub dockerfile_inline: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(rename = "cache-from", skip_serializing_if = "Vec::is_empty")]
    pub cache_from: Vec<String>,
    #[serde(rename = "cache-to", skip_serializing_if = "Vec::is_empty")]
    pub cache_to: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target: String,
    #[serde(rename = "secret", skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ssh: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pull: bool,
    #[serde(rename = "no-cache", skip_serializing_if = "std::ops::Not::not")]
    pub no_cache: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub network: String,
    #[serde(rename = "no-cache-filter", skip_serializing_if = "Vec::is_empty")]
    pub no_cache_filter: Vec<String>,
    #[serde(rename = "shm-size", skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ulimits: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<String>,
    #[serde(rename = "extra-hosts", skip_serializing_if = "BTreeMap::is_empty")]
    pub extra_hosts: BTreeMap<String, String>,
    #[serde(rename = "output", skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
}

/// The bake file of `project`'s builds: a target for every service with a build (another's
/// `additional_contexts` may name it as `service:NAME`), the `default` group the ones
/// `services` asks for (with their dependencies' when `with_deps`). `push`: the images go to
/// their registry rather than to the engine.
pub fn bake(
    project: &Project,
    services: &[String],
    with_deps: bool,
    push: bool,
) -> Result<BakeFile, Error> {
    let names = target_names(project);
    let mut target = BTreeMap::new();
    for (name, svc) in &project.services {
        let Some(b) = &svc.build else { continue };
        let here = format!("services.{name}.build");
        let platforms = strings(b.other.get("platforms")).unwrap_or_default();
        let image = svc.image_name(&project.name, name);
        let mut tags = b.tags.clone();
        tags.push(image);
        let outputs = match (push && svc.image.is_some(), platforms.len() > 1) {
            (push, true) => vec![format!("type=image,push={push}")],
            (true, false) => vec!["type=registry".to_owned()],
            (false, false) => vec!["type=docker".to_owned()],
        };
        let mut entitlements = strings(b.other.get("entitlements")).unwrap_or_default();
        if b.other.get("privileged").and_then(Value::as_bool) == Some(true) {
            entitlements.push("security.insecure".to_owned());
        }
        let t = Target {
            context: b.context.clone(),
            contexts: contexts(b, &names),
            dockerfile: dockerfile(b),
            dockerfile_inline: b
                .other
                .get("dockerfile_inline")
                .and_then(text)
                .map(|t| escaped(&t))
                .unwrap_or_default(),
            args: crate::host::build_args(b)
                .into_iter()
                .map(|(k, v)| (k, escaped(&v)))
                .collect(),
            labels: b.labels.clone(),
            tags,
            cache_from: strings(b.other.get("cache_from")).unwrap_or_default(),
            cache_to: strings(b.other.get("cache_to")).unwrap_or_default(),
            target: b.target.clone().unwrap_or_default(),
            secrets: secrets(project, b, &here)?,
            ssh: crate::host::ssh_entries(b, name)?,
            platforms,
            pull: b.pull.unwrap_or(false),
            no_cache: b.no_cache.unwrap_or(false),
            network: b.other.get("network").and_then(text).unwrap_or_default(),
            no_cache_filter: strings(b.other.get("no_cache_filter")).unwrap_or_default(),
            shm_size: crate::host::build_limits(b, name)?.shm_size,
            ulimits: crate::host::ulimits(&here, b.other.get("ulimits"))?
                .into_iter()
                .map(|(name, soft, hard)| format!("{name}={soft}:{hard}"))
                .collect(),
            entitlements,
            extra_hosts: extra_hosts(b.other.get("extra_hosts")),
            outputs,
        };
        target.insert(names[name].clone(), t);
    }
    let targets = crate::plan::build(project, services, with_deps)?
        .steps
        .iter()
        .filter_map(|step| match &step.action {
            crate::plan::Action::Build { service, .. } => Some(names[service].clone()),
            _ => None,
        })
        .collect();
    let group = BTreeMap::from([("default".to_owned(), Group { targets })]);
    Ok(BakeFile { group, target })
}

/// Each service's target name: its own with dots as underscores, an underscore more while it
/// is another's (services taken in name order), as compose names them.
fn target_names(project: &Project) -> BTreeMap<String, String> {
    let mut used = std::collections::BTreeSet::new();
    project
        .services
        .keys()
        .map(|service| {
            let mut name = service.replace('.', "_");
            while used.contains(&name) {
                name.push('_');
            }
            used.insert(name.clone());
            (service.clone(), name)
        })
        .collect()
}

/// Bake interpolates `${…}` itself: the value's own are kept as written.
fn escaped(text: &str) -> String {
    text.replace("${", "$${")
}

/// The Dockerfile by its path (a relative one taken from the context; a Git context's as
/// written, bake reading it there).
fn dockerfile(b: &Build) -> String {
    let Some(file) = &b.dockerfile else {
        return String::new();
    };
    let path = std::path::Path::new(file);
    if path.is_absolute() || berth_docker::build::remote_context(&b.context).is_some() {
        return file.clone();
    }
    std::path::Path::new(&b.context)
        .join(path)
        .to_string_lossy()
        .into_owned()
}

/// `additional_contexts` (folders made absolute by the loader), another service's image
/// (`service:NAME`) as its target.
fn contexts(b: &Build, names: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let Some(Value::Object(map)) = b.other.get("additional_contexts") else {
        return BTreeMap::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let v = text(v)?;
            let v = match v.strip_prefix("service:") {
                Some(service) => format!("target:{}", names.get(service).unwrap_or(&v)),
                None => v,
            };
            Some((k.clone(), v))
        })
        .collect()
}

/// `extra_hosts` as bake takes them: a host's addresses joined by commas.
fn extra_hosts(v: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(map)) = v else {
        return BTreeMap::new();
    };
    map.iter()
        .filter_map(|(host, ips)| Some((host.clone(), strings(Some(ips))?.join(","))))
        .collect()
}

/// `build.secrets` as bake names them: a file by its path, a variable by its name.
fn secrets(project: &Project, b: &Build, here: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for (source, target) in crate::host::build_secret_uses(b) {
        let id = target.unwrap_or_else(|| source.clone());
        let def = project.secrets.get(&source).ok_or_else(|| {
            Error::invalid(
                format!("{here}.secrets"),
                format!("{source:?} is not defined under the top-level secrets:"),
            )
        })?;
        if let Some(file) = def.get("file").and_then(text) {
            out.push(format!("id={id},type=file,src={file}"));
        } else if let Some(var) = def.get("environment").and_then(text) {
            out.push(format!("id={id},type=env,env={var}"));
        } else {
            return Err(Error::invalid(
                format!("{here}.secrets"),
                format!(
                    "{source:?} is a swarm's (external), which a single engine has not: keep it in a file (file: ./{source}.txt)"
                ),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LoadOptions;

    fn project(yaml: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), yaml).unwrap();
        let opts = LoadOptions {
            working_dir: Some(dir.path().to_path_buf()),
            project_name: Some("p".into()),
            environment: Some(Default::default()),
            ..Default::default()
        };
        let mut p = crate::load(&opts).unwrap();
        // Paths relative to a fixed folder, for the golden text.
        let root = dir.path().to_string_lossy().into_owned();
        for svc in p.services.values_mut() {
            if let Some(b) = &mut svc.build {
                b.context = b.context.replace(&root, "/src");
                if let Some(Value::Object(m)) = b.other.get_mut("additional_contexts") {
                    for v in m.values_mut() {
                        *v = Value::from(v.as_str().unwrap().replace(&root, "/src"));
                    }
                }
            }
        }
        for def in p.secrets.values_mut() {
            if let Some(Value::String(file)) = def.get_mut("file") {
                *file = file.replace(&root, "/src");
            }
        }
        p
    }

    #[test]
    fn a_project_s_builds_as_compose_prints_them() {
        let p = project(
            r#"
services:
  web.app:
    image: registry.example/web:1
    build:
      context: .
      dockerfile: web.Dockerfile
      args: {VERSION: "1.${X:-2}", EMPTY: ""}
      labels: {team: web}
      tags: [web:latest]
      target: prod
      ssh: [default]
      secrets: [token, {source: key, target: api_key}]
      cache_from: ["type=local,src=/cache"]
      shm_size: 64m
      ulimits: {nofile: {soft: 100, hard: 200}}
      extra_hosts: {db: 10.0.0.2}
      network: host
      no_cache: true
      additional_contexts: {base: "service:base", docs: ./docs}
  base:
    build:
      context: base
      dockerfile_inline: "FROM scratch\nENV A=$${B}\n"
      platforms: [linux/amd64, linux/arm64]
  db:
    image: db
secrets:
  token: {file: ./token.txt}
  key: {environment: HOME}
"#,
        );
        let file = bake(&p, &["web.app".to_owned()], false, true).unwrap();
        let text = serde_json::to_string_pretty(&file).unwrap();
        let expected = r#"{
  "group": {
    "default": {
      "targets": [
        "web_app"
      ]
    }
  },
  "target": {
    "base": {
      "context": "/src/base",
      "dockerfile-inline": "FROM scratch\nENV A=$${B}\n",
      "tags": [
        "p-base"
      ],
      "platforms": [
        "linux/amd64",
        "linux/arm64"
      ],
      "output": [
        "type=image,push=false"
      ]
    },
    "web_app": {
      "context": "/src",
      "contexts": {
        "base": "target:base",
        "docs": "/src/docs"
      },
      "dockerfile": "/src/web.Dockerfile",
      "args": {
        "EMPTY": "",
        "VERSION": "1.2"
      },
      "labels": {
        "team": "web"
      },
      "tags": [
        "web:latest",
        "registry.example/web:1"
      ],
      "cache-from": [
        "type=local,src=/cache"
      ],
      "target": "prod",
      "secret": [
        "id=token,type=file,src=/src/token.txt",
        "id=api_key,type=env,env=HOME"
      ],
      "ssh": [
        "default"
      ],
      "no-cache": true,
      "network": "host",
      "shm-size": 67108864,
      "ulimits": [
        "nofile=100:200"
      ],
      "extra-hosts": {
        "db": "10.0.0.2"
      },
      "output": [
        "type=registry"
      ]
    }
  }
}"#;
        assert_eq!(text, expected);
        // With its dependencies, and without --push: to the engine.
        let file = bake(&p, &[], false, false).unwrap();
        assert_eq!(file.group["default"].targets, ["base", "web_app"]);
        assert_eq!(file.target["web_app"].outputs, ["type=docker"]);
    }
}
