//! Compose models: the AI models a project declares under `models:`, pulled, configured and
//! served by Docker Model Runner through its Docker CLI plugin `docker-model`, as docker compose
//! drives it: `ls --json` (what is pulled), `pull MODEL`, `configure [--context-size N] MODEL
//! [-- FLAGS]` (the flags only for a plugin of 1.0.6 or later), `status --json` (where models
//! are served). A service that lists a model under its own `models:` gets `KEY_URL` (the
//! endpoint) and `KEY_MODEL` (the model), or the names it chose (`endpoint_var`, `model_var`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::Error;
use crate::model::{ModelDef, Project, Service};
use crate::provider::Report;

/// A service's use of a model: the variables that carry it (defaults when `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceModel {
    pub endpoint_var: Option<String>,
    pub model_var: Option<String>,
}

impl Service {
    /// The models it uses (its `models:`, a list or a mapping), by key.
    pub fn models(&self) -> BTreeMap<String, ServiceModel> {
        let var = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        match self.other.get("models") {
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| {
                    let uses = ServiceModel {
                        endpoint_var: var(v, "endpoint_var"),
                        model_var: var(v, "model_var"),
                    };
                    (k.clone(), uses)
                })
                .collect(),
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(|k| (k.to_owned(), ServiceModel::default()))
                .collect(),
            _ => BTreeMap::new(),
        }
    }
}

/// The keys of the models `services` use (those of the project that are defined).
pub fn used(project: &Project, services: &[String]) -> BTreeSet<String> {
    services
        .iter()
        .filter_map(|s| project.services.get(s))
        .flat_map(|s| s.models().into_keys())
        .filter(|k| project.models.contains_key(k))
        .collect()
}

/// Whether a model is among those pulled (`ai/smollm2` is `ai/smollm2:latest`).
pub fn is_pulled(pulled: &BTreeSet<String>, model: &str) -> bool {
    let last = model.rsplit('/').next().unwrap_or(model);
    pulled.contains(model)
        || (!last.contains(':')
            && !model.contains('@')
            && pulled.contains(&format!("{model}:latest")))
}

/// The variables `service`'s containers get for its models, once they are served (`endpoints`,
/// by key): `KEY_URL` and `KEY_MODEL` (the key in capitals, `-` as `_`), or the names it chose.
pub fn variables(project: &Project, service: &str) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    let Some(svc) = project.services.get(service) else {
        return vars;
    };
    for (key, uses) in svc.models() {
        let (Some(def), Some(endpoint)) =
            (project.models.get(&key), project.given.models.get(&key))
        else {
            continue;
        };
        let prefix = key.to_uppercase().replace('-', "_");
        let model_var = uses.model_var.unwrap_or_else(|| format!("{prefix}_MODEL"));
        let endpoint_var = uses.endpoint_var.unwrap_or_else(|| format!("{prefix}_URL"));
        vars.insert(model_var, def.model.clone());
        vars.insert(endpoint_var, endpoint.clone());
    }
    vars
}

/// The arguments of `configure` for a model; its runtime flags only when the plugin (of
/// `version`) takes them, as docker compose passes them.
pub fn configure_args(def: &ModelDef, version: Option<&str>) -> Vec<String> {
    let mut args = vec!["configure".to_owned()];
    if let Some(size) = def.context_size.filter(|s| *s > 0) {
        args.extend(["--context-size".to_owned(), size.to_string()]);
    }
    args.push(def.model.clone());
    if !def.runtime_flags.is_empty() && takes_runtime_flags(version) {
        args.push("--".to_owned());
        args.extend(def.runtime_flags.iter().cloned());
    }
    args
}

/// Runtime flags came with the plugin's 1.0.6; an unknown version is not given them.
fn takes_runtime_flags(version: Option<&str>) -> bool {
    let Some(v) = version else { return false };
    match semver::Version::parse(v.trim_start_matches('v')) {
        Ok(v) => v >= semver::Version::new(1, 0, 6),
        Err(_) => false,
    }
}

/// The model runner's plugin, ready to run in a project's folder with an environment.
pub struct Runner {
    path: PathBuf,
    /// The plugin's version (`docker-cli-plugin-metadata`), when it says one.
    version: Option<String>,
    env: BTreeMap<String, String>,
    cwd: PathBuf,
}

impl Runner {
    /// Finds `docker-model` among the Docker CLI plugins of `env` (as docker compose, not on
    /// `PATH`), and asks its version.
    pub async fn find(env: &BTreeMap<String, String>, cwd: &Path) -> Result<Runner, Error> {
        let path = crate::provider::plugin("model", env).ok_or_else(|| {
            Error::invalid(
                "models",
                "running models needs Docker Model Runner's plugin docker-model: install it (docker-model-plugin) in ~/.docker/cli-plugins or a system cli-plugins folder",
            )
        })?;
        let mut runner = Runner {
            path,
            version: None,
            env: env.clone(),
            cwd: cwd.to_owned(),
        };
        #[derive(Deserialize)]
        struct PluginMetadata {
            #[serde(rename = "Version", default)]
            version: Option<String>,
        }
        runner.version = runner
            .output(&["docker-cli-plugin-metadata"])
            .await
            .ok()
            .and_then(|out| serde_json::from_slice::<PluginMetadata>(&out).ok())
            .and_then(|m| m.version);
        Ok(runner)
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.path);
        cmd.args(args)
            .env_clear()
            .envs(&self.env)
            .current_dir(&self.cwd)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// `docker-model ARGS`, its output; an error naming the command and why it failed.
    async fn output(&self, args: &[&str]) -> Result<Vec<u8>, Error> {
        let out = self
            .command(args)
            .output()
            .await
            .map_err(|e| self.failed(args, &format!("cannot run it: {e}")))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            let text = String::from_utf8_lossy(&out.stderr);
            let why = last_line(&text).unwrap_or_else(|| {
                last_line(&String::from_utf8_lossy(&out.stdout)).unwrap_or_default()
            });
            Err(self.failed(args, &exit(out.status, &why)))
        }
    }

    fn failed(&self, args: &[&str], reason: &str) -> Error {
        Error::Apply(format!(
            "{} {}: {reason}",
            self.path.display(),
            args.first().copied().unwrap_or_default()
        ))
    }

    /// The models pulled already, by every tag they carry (`ls --json`).
    pub async fn pulled(&self) -> Result<BTreeSet<String>, Error> {
        #[derive(Deserialize)]
        struct Listed {
            #[serde(default)]
            tags: Vec<String>,
        }
        let out = self.output(&["ls", "--json"]).await?;
        let listed: Vec<Listed> = serde_json::from_slice(&out)
            .map_err(|e| self.failed(&["ls"], &format!("its list is not readable: {e}")))?;
        Ok(listed.into_iter().flat_map(|m| m.tags).collect())
    }

    /// Pulls `model`, each line of its progress through `report`.
    pub async fn pull(&self, model: &str, report: Report<'_>) -> Result<(), Error> {
        let args = ["pull", model];
        let mut child = self
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.failed(&args, &format!("cannot run it: {e}")))?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(self.failed(&args, "cannot read its output"));
        };
        let errors = tokio::spawn(async move {
            let mut text = String::new();
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                text.push_str(&line);
                text.push('\n');
            }
            text
        });
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            // A progress bar redraws itself with carriage returns: its last state.
            if let Some(now) = line.rsplit('\r').map(str::trim).find(|l| !l.is_empty()) {
                report("Pulling", Some(now.to_owned()));
            }
        }
        let status = child
            .wait()
            .await
            .map_err(|e| self.failed(&args, &format!("cannot wait for it: {e}")))?;
        if !status.success() {
            let why = last_line(&errors.await.unwrap_or_default()).unwrap_or_default();
            return Err(self.failed(&args, &exit(status, &why)));
        }
        Ok(())
    }

    /// Configures `def` for serving (its context size and runtime flags).
    pub async fn configure(&self, def: &ModelDef) -> Result<(), Error> {
        let args = configure_args(def, self.version.as_deref());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.output(&args).await.map(drop)
    }

    /// Where the runner serves models (`status --json`'s endpoint).
    pub async fn endpoint(&self) -> Result<String, Error> {
        let out = self.output(&["status", "--json"]).await?;
        let status: Value = serde_json::from_slice(&out)
            .map_err(|e| self.failed(&["status"], &format!("its status is not readable: {e}")))?;
        status
            .get("endpoint")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                self.failed(
                    &["status"],
                    "its status names no endpoint: is the model runner running?",
                )
            })
    }
}

fn last_line(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .flat_map(|l| l.rsplit('\r'))
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

fn exit(status: std::process::ExitStatus, why: &str) -> String {
    let code = status.code().map_or_else(
        || "was killed".to_owned(),
        |c| format!("exited with status {c}"),
    );
    if why.is_empty() {
        code
    } else {
        format!("{code}: {why}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn project() -> Project {
        let mut p = Project::default();
        let svc = |models: Value| Service {
            other: [("models".to_owned(), models)].into(),
            ..Service::default()
        };
        p.services
            .insert("app".into(), svc(json!({"my-llm": null})));
        p.services.insert(
            "chat".into(),
            svc(json!({"my-llm": {"endpoint_var": "AI_URL", "model_var": "AI_NAME"}, "embed": {}})),
        );
        p.services.insert("plain".into(), Service::default());
        p.models.insert(
            "my-llm".into(),
            ModelDef {
                model: "ai/smollm2".into(),
                ..ModelDef::default()
            },
        );
        p.models.insert(
            "embed".into(),
            ModelDef {
                model: "ai/mxbai-embed-large:335M-F16".into(),
                ..ModelDef::default()
            },
        );
        p
    }

    #[test]
    fn services_get_the_endpoint_and_the_model_under_their_names() {
        let mut p = project();
        assert!(
            variables(&p, "app").is_empty(),
            "nothing before they are served"
        );
        p.given
            .models
            .insert("my-llm".into(), "http://runner/engines/v1/".into());
        p.given
            .models
            .insert("embed".into(), "http://runner/engines/v1/".into());
        assert_eq!(
            variables(&p, "app"),
            BTreeMap::from([
                ("MY_LLM_MODEL".to_owned(), "ai/smollm2".to_owned()),
                (
                    "MY_LLM_URL".to_owned(),
                    "http://runner/engines/v1/".to_owned()
                ),
            ])
        );
        let chat = variables(&p, "chat");
        assert_eq!(chat["AI_NAME"], "ai/smollm2");
        assert_eq!(chat["AI_URL"], "http://runner/engines/v1/");
        assert_eq!(chat["EMBED_MODEL"], "ai/mxbai-embed-large:335M-F16");
        assert_eq!(chat.len(), 4);
        assert!(variables(&p, "plain").is_empty());
        assert_eq!(
            used(&p, &["app".into(), "plain".into()]),
            BTreeSet::from(["my-llm".to_owned()])
        );
    }

    #[test]
    fn a_service_lists_its_models_or_maps_them() {
        let svc = Service {
            other: [("models".to_owned(), json!(["a", "b"]))].into(),
            ..Service::default()
        };
        assert_eq!(svc.models().keys().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn runtime_flags_go_only_to_a_plugin_that_takes_them() {
        let def = ModelDef {
            model: "ai/smollm2".into(),
            context_size: Some(4096),
            runtime_flags: vec!["--temp".into(), "0.1".into()],
            ..ModelDef::default()
        };
        assert_eq!(
            configure_args(&def, Some("v1.0.6")),
            [
                "configure",
                "--context-size",
                "4096",
                "ai/smollm2",
                "--",
                "--temp",
                "0.1"
            ]
        );
        assert_eq!(
            configure_args(&def, Some("v1.0.5")),
            ["configure", "--context-size", "4096", "ai/smollm2"]
        );
        assert_eq!(configure_args(&def, None).len(), 4);
        let bare = ModelDef {
            model: "ai/x".into(),
            ..ModelDef::default()
        };
        assert_eq!(configure_args(&bare, Some("v2.0.0")), ["configure", "ai/x"]);
    }

    #[test]
    fn a_model_without_a_tag_is_its_latest() {
        let pulled = BTreeSet::from(["ai/smollm2:latest".to_owned(), "ai/embed:1".to_owned()]);
        assert!(is_pulled(&pulled, "ai/smollm2"));
        assert!(is_pulled(&pulled, "ai/smollm2:latest"));
        assert!(is_pulled(&pulled, "ai/embed:1"));
        assert!(!is_pulled(&pulled, "ai/embed"));
        assert!(!is_pulled(&pulled, "ai/smollm2:360M"));
    }

    #[tokio::test]
    async fn a_missing_plugin_is_named_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let env = BTreeMap::from([("DOCKER_CONFIG".to_owned(), dir.path().display().to_string())]);
        // The system's plugin folders may hold one; only a machine without it can say.
        if crate::provider::plugin("model", &env).is_some() {
            return;
        }
        let e = Runner::find(&env, dir.path()).await.err().unwrap();
        assert!(
            e.to_string().starts_with(
                "models: running models needs Docker Model Runner's plugin docker-model: install it"
            ),
            "{e}"
        );
    }
}
