//! Provider services: a service with `provider:` is managed by a program of its own instead of
//! containers, as docker compose runs it (its extension protocol). The program is the Docker
//! CLI plugin `docker-TYPE` or `TYPE` on `PATH`; Berth runs `TYPE compose --project-name=P up
//! --OPTION=VALUE… SERVICE` (and `down`, and `stop` when the program's `compose metadata` says
//! it has one) and reads JSON messages from its output, one a line: `info` is progress, `error`
//! fails the step, `setenv KEY=VALUE` gives the services that depend on it `SERVICE_KEY`,
//! `rawsetenv` gives them `KEY` as it is, `debug` is logged, and `get-service-config` is
//! answered on its input with the service as `config --format json` writes it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::Error;
use crate::model::{Project, Service};

/// A service's `provider:` section, its options as the program's flags take them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// The program: `docker-TYPE` as a CLI plugin, or `TYPE` on `PATH`.
    pub kind: String,
    /// Each option's values (an option given a list is a flag per value), by name.
    pub options: BTreeMap<String, Vec<String>>,
}

/// The part of a provider's life a step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Up,
    Down,
    Stop,
}

impl Command {
    /// The subcommand the program is given.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Up => "up",
            Command::Down => "down",
            Command::Stop => "stop",
        }
    }

    /// Progress while it runs and once it is done, as compose says them.
    fn statuses(self) -> (&'static str, &'static str) {
        match self {
            Command::Up => ("Creating", "Created"),
            Command::Down => ("Removing", "Removed"),
            Command::Stop => ("Stopping", "Stopped"),
        }
    }
}

/// What a provider's `up` gave the services that depend on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variables {
    /// `setenv`: given as `SERVICE_KEY` (the provider service's name in capitals).
    pub prefixed: BTreeMap<String, String>,
    /// `rawsetenv`: given as they are, over a variable of the same name.
    pub raw: BTreeMap<String, String>,
}

/// What a program says of its subcommands' parameters (`TYPE compose metadata`); empty when it
/// says nothing readable, and then every option is passed.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Metadata {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub up: Parameters,
    #[serde(default)]
    pub down: Parameters,
    /// Only a program that has one is asked to stop.
    #[serde(default)]
    pub stop: Option<Parameters>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Parameters {
    #[serde(default)]
    pub parameters: Option<Vec<Parameter>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    #[serde(default)]
    pub required: bool,
}

impl Metadata {
    fn is_empty(&self) -> bool {
        self.description.is_empty()
            && self.up.parameters.is_none()
            && self.down.parameters.is_none()
    }
}

/// One message of a provider's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Info(String),
    Error(String),
    SetEnv(String, String),
    RawSetEnv(String, String),
    Debug(String),
    GetServiceConfig,
}

impl Message {
    /// Reads one line of output; the reason when it is not a message of the protocol.
    pub fn parse(line: &str) -> Result<Message, String> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(rename = "type")]
            kind: String,
            #[serde(default)]
            message: String,
        }
        let raw: Raw = serde_json::from_str(line).map_err(|_| {
            format!("wrote {line:?}, which is not a JSON message with a type and a message")
        })?;
        let pair = |text: String| match text.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => Err(format!(
                "sent {} {text:?}, which is not KEY=VALUE",
                raw.kind
            )),
        };
        Ok(match raw.kind.as_str() {
            "info" => Message::Info(raw.message),
            "error" => Message::Error(raw.message),
            "debug" => Message::Debug(raw.message),
            "setenv" => {
                let (k, v) = pair(raw.message)?;
                Message::SetEnv(k, v)
            }
            "rawsetenv" => {
                let (k, v) = pair(raw.message)?;
                Message::RawSetEnv(k, v)
            }
            "get-service-config" => Message::GetServiceConfig,
            other => return Err(format!("sent a message of unknown type {other:?}")),
        })
    }
}

impl Service {
    /// Its `provider:` section, when it has one (checked by the schema: `type` is there).
    pub fn provider(&self) -> Option<Provider> {
        let p = self.other.get("provider")?;
        let kind = p.get("type")?.as_str()?.to_owned();
        // A scalar or a list of scalars, as the schema has them.
        let options = p
            .get("options")
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            crate::convert::strings(Some(v)).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Provider { kind, options })
    }
}

/// The arguments of `command` for `service`: only the options `metadata` lists for it when it
/// lists any, and an error naming a required one that is missing.
pub fn args(
    project: &str,
    service: &str,
    provider: &Provider,
    command: Command,
    metadata: &Metadata,
) -> Result<Vec<String>, Error> {
    let known = match command {
        Command::Up => metadata.up.parameters.as_deref(),
        Command::Down => metadata.down.parameters.as_deref(),
        Command::Stop => metadata.stop.as_ref().and_then(|s| s.parameters.as_deref()),
    };
    let checked = !metadata.is_empty();
    let known = known.unwrap_or_default();
    if checked
        && let Some(missing) = known
            .iter()
            .find(|p| p.required && !provider.options.contains_key(&p.name))
    {
        return Err(Error::invalid(
            format!("services.{service}.provider.options"),
            format!(
                "provider {} needs option {:?} for {}: add it",
                provider.kind,
                missing.name,
                command.as_str()
            ),
        ));
    }
    let mut args = vec![
        "compose".to_owned(),
        format!("--project-name={project}"),
        command.as_str().to_owned(),
    ];
    for (name, values) in &provider.options {
        if !checked || known.iter().any(|p| &p.name == name) {
            args.extend(values.iter().map(|v| format!("--{name}={v}")));
        }
    }
    args.push(service.to_owned());
    Ok(args)
}

/// Where Docker CLI plugins are looked for, the user's first (`$DOCKER_CONFIG/cli-plugins`,
/// else `~/.docker/cli-plugins`, and `cliPluginsExtraDirs` of its `config.json`).
fn plugin_dirs(env: &BTreeMap<String, String>) -> Vec<PathBuf> {
    let config = env
        .get("DOCKER_CONFIG")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".docker")));
    let mut dirs = Vec::new();
    if let Some(config) = config {
        dirs.push(config.join("cli-plugins"));
        let extra = std::fs::read(config.join("config.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .and_then(|v| v.get("cliPluginsExtraDirs").cloned());
        if let Some(Value::Array(list)) = extra {
            dirs.extend(list.iter().filter_map(Value::as_str).map(PathBuf::from));
        }
    }
    let system: &[&str] = if cfg!(windows) {
        &[]
    } else {
        &[
            "/usr/local/lib/docker/cli-plugins",
            "/usr/local/libexec/docker/cli-plugins",
            "/usr/lib/docker/cli-plugins",
            "/usr/libexec/docker/cli-plugins",
        ]
    };
    dirs.extend(system.iter().map(PathBuf::from));
    if cfg!(target_os = "macos") {
        dirs.push("/Applications/Docker.app/Contents/Resources/cli-plugins".into());
    }
    if cfg!(windows) {
        for var in ["ProgramData", "ProgramFiles"] {
            if let Some(base) = env.get(var) {
                dirs.push(Path::new(base).join("Docker").join("cli-plugins"));
            }
        }
    }
    dirs
}

/// The Docker CLI plugin `docker-NAME`, the first one found in the plugin folders of `env`.
pub(crate) fn plugin(name: &str, env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let file = format!("docker-{name}{}", std::env::consts::EXE_SUFFIX);
    plugin_dirs(env)
        .into_iter()
        .map(|d| d.join(&file))
        .find(|p| p.is_file())
}

/// The program of provider `kind`: the CLI plugin `docker-KIND`, else `KIND` on the `PATH` of
/// `env`. `service` names the service for the error.
pub fn find(
    service: &str,
    kind: &str,
    env: &BTreeMap<String, String>,
    cwd: &Path,
) -> Result<PathBuf, Error> {
    let at = format!("services.{service}.provider.type");
    if kind == "compose" || kind.is_empty() || kind.contains(['/', '\\']) {
        return Err(Error::invalid(
            at,
            format!("{kind:?} is not a provider type: name a program such as `model`"),
        ));
    }
    if let Some(found) = plugin(kind, env) {
        return Ok(found);
    }
    which::which_in(kind, env.get("PATH"), cwd).map_err(|_| {
        Error::invalid(
            at,
            format!(
                "no program for provider {kind:?}: install the Docker CLI plugin docker-{kind}, or put {kind} on PATH"
            ),
        )
    })
}

/// A running program's progress: its status, and a line of what it says (a provider's `info`).
pub type Report<'a> = &'a (dyn Fn(&str, Option<String>) + Sync);

/// The environment a provider program (or the model runner's plugin) runs in: the project's (the one it was loaded with, its
/// `.env` under it) and the engine's address, so that it talks to the engine Berth does.
pub fn program_environment(
    project: &Project,
    endpoint: &berth_docker::Endpoint,
) -> BTreeMap<String, String> {
    let mut env = project.environment.clone();
    // A Docker CLI plugin run on its own, not re-executed by the docker CLI.
    env.remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND");
    env.remove("DOCKER_CONTEXT");
    env.insert("DOCKER_HOST".into(), endpoint.host.clone());
    if let Some(tls) = &endpoint.tls
        && let Some(dir) = tls.ca.parent()
    {
        env.insert("DOCKER_TLS_VERIFY".into(), "1".into());
        env.insert("DOCKER_CERT_PATH".into(), dir.display().to_string());
    }
    env
}

/// Asks `program` what its subcommands take (`compose metadata`); empty metadata when it
/// cannot say.
pub async fn metadata(program: &Path, env: &BTreeMap<String, String>, cwd: &Path) -> Metadata {
    let out = tokio::process::Command::new(program)
        .args(["compose", "metadata"])
        .env_clear()
        .envs(env)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await;
    match out {
        Ok(out) if out.status.success() => {
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                tracing::debug!(
                    "{}: compose metadata is not readable: {e}",
                    program.display()
                );
                Metadata::default()
            })
        }
        _ => Metadata::default(),
    }
}

/// Runs `command` of `service`'s provider with the project (and `env`, from
/// [`program_environment`]): progress through `report`, and what it gave its dependants.
/// `None` for a `stop` the program does not have.
pub async fn run(
    project: &Project,
    service: &str,
    command: Command,
    env: &BTreeMap<String, String>,
    report: Report<'_>,
) -> Result<Option<Variables>, Error> {
    let svc = &project.services[service];
    let provider = svc
        .provider()
        .ok_or_else(|| Error::invalid(format!("services.{service}"), "has no provider"))?;
    let cwd = &project.working_dir;
    let program = find(service, &provider.kind, env, cwd)?;
    let metadata = metadata(&program, env, cwd).await;
    if command == Command::Stop && metadata.stop.is_none() {
        return Ok(None);
    }
    let args = args(&project.name, service, &provider, command, &metadata)?;
    let config = serde_json::to_string(svc).unwrap_or_default();
    let (working, done) = command.statuses();
    report(working, None);
    let vars = converse(&program, &args, env, cwd, &config, working, report)
        .await
        .map_err(|reason| {
            Error::Apply(format!(
                "{service}'s provider {} ({} compose {}): {reason}",
                provider.kind,
                program.display(),
                command.as_str()
            ))
        })?;
    report(done, None);
    Ok(Some(vars))
}

/// Runs the program and follows its messages to its end.
async fn converse(
    program: &Path,
    args: &[String],
    env: &BTreeMap<String, String>,
    cwd: &Path,
    config: &str,
    working: &str,
    report: Report<'_>,
) -> Result<Variables, String> {
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .env_clear()
        .envs(env)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err("cannot reach its input and output".into());
    };
    // Answers are written by a task of their own: a program that writes before it reads must
    // not stall the reading of its output. Its input closes once the output has ended.
    let (answers, mut to_write) = tokio::sync::mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        while let Some(answer) = to_write.recv().await {
            if stdin.write_all(answer.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    // The last lines of its error output, to say why it failed.
    let errors = tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        let mut last: Vec<String> = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if !line.trim().is_empty() {
                last.push(line);
                if last.len() > 5 {
                    last.remove(0);
                }
            }
        }
        last
    });
    let mut vars = Variables::default();
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) = lines
        .next_line()
        .await
        .map_err(|e| format!("cannot read its output: {e}"))?
    {
        if line.trim().is_empty() {
            continue;
        }
        match Message::parse(line.trim())? {
            Message::Info(text) => report(working, Some(first_line(&text))),
            Message::Error(text) => return Err(text),
            Message::Debug(text) => tracing::debug!("{}: {text}", program.display()),
            Message::SetEnv(k, v) => {
                vars.prefixed.insert(k, v);
            }
            Message::RawSetEnv(k, v) => {
                vars.raw.insert(k, v);
            }
            Message::GetServiceConfig => {
                let _ = answers.send(format!("{config}\n"));
            }
        }
    }
    drop(answers);
    let _ = writer.await;
    let status = child
        .wait()
        .await
        .map_err(|e| format!("cannot wait for it: {e}"))?;
    let stderr = errors.await.unwrap_or_default();
    if !status.success() {
        let code = status.code().map_or_else(
            || "was killed".to_owned(),
            |c| format!("exited with status {c}"),
        );
        return Err(match stderr.last() {
            Some(why) => format!("{code}: {why}"),
            None => code,
        });
    }
    Ok(vars)
}

fn first_line(text: &str) -> String {
    text.trim_end()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The environment of `service`'s containers: its own, with what the providers it depends on
/// gave it (`setenv` as `PROVIDER_KEY`, then `rawsetenv` as it is, over its own).
pub fn environment(project: &Project, service: &str) -> BTreeMap<String, String> {
    let svc = &project.services[service];
    let mut env = svc.environment.clone();
    for (provider, vars) in given(&project.given.providers, svc) {
        let prefix = format!("{}_", provider.to_uppercase());
        env.extend(
            vars.prefixed
                .iter()
                .map(|(k, v)| (format!("{prefix}{k}"), v.clone())),
        );
    }
    for (_, vars) in given(&project.given.providers, svc) {
        env.extend(vars.raw.clone());
    }
    env
}

/// The providers `svc` depends on that gave variables (in `provided`).
fn given<'p>(
    provided: &'p BTreeMap<String, Variables>,
    svc: &Service,
) -> impl Iterator<Item = (&'p String, &'p Variables)> {
    provided
        .iter()
        .filter(|(p, _)| svc.depends_on.contains_key(*p))
}

/// Warnings for the variables a provider's `rawsetenv` (in what the providers gave,
/// `provided`) sets over another value of a service that depends on it, as compose warns of
/// them.
pub fn overrides(project: &Project, provided: &BTreeMap<String, Variables>) -> Vec<String> {
    let mut warnings = Vec::new();
    for (name, svc) in &project.services {
        for (provider, vars) in given(provided, svc) {
            for (key, value) in &vars.raw {
                if svc.environment.get(key).is_some_and(|v| v != value) {
                    warnings.push(format!(
                        "provider {provider:?} overrides environment variable {key:?} in service {name:?}"
                    ));
                }
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(provider: Value) -> Service {
        Service {
            other: [("provider".to_owned(), provider)].into_iter().collect(),
            ..Service::default()
        }
    }

    #[test]
    fn messages_of_the_protocol_are_read_and_others_refused() {
        let m = |l: &str| Message::parse(l);
        assert_eq!(
            m(r#"{"type":"info","message":"preparing mysql ..."}"#),
            Ok(Message::Info("preparing mysql ...".into()))
        );
        assert_eq!(
            m(r#"{"type":"setenv","message":"URL=https://db:1234/a=b"}"#),
            Ok(Message::SetEnv("URL".into(), "https://db:1234/a=b".into()))
        );
        assert_eq!(
            m(r#"{"type":"rawsetenv","message":"SECRET_KEY="}"#),
            Ok(Message::RawSetEnv("SECRET_KEY".into(), String::new()))
        );
        assert_eq!(
            m(r#"{"type":"get-service-config"}"#),
            Ok(Message::GetServiceConfig)
        );
        assert_eq!(
            m(r#"{"type":"error","message":"quota exceeded"}"#),
            Ok(Message::Error("quota exceeded".into()))
        );
        let e = m(r#"{"type":"setenv","message":"URL"}"#).unwrap_err();
        assert_eq!(e, r#"sent setenv "URL", which is not KEY=VALUE"#);
        let e = m(r#"{"type":"shout","message":"hi"}"#).unwrap_err();
        assert_eq!(e, r#"sent a message of unknown type "shout""#);
        let e = m("pulling 25%").unwrap_err();
        assert!(
            e.contains(r#"wrote "pulling 25%", which is not a JSON message"#),
            "{e}"
        );
    }

    #[test]
    fn options_become_flags_and_metadata_filters_and_checks_them() {
        let svc = service(json!({"type": "awesomecloud",
            "options": {"type": "mysql", "size": 256, "tag": ["a", "b"], "debug": true}}));
        let p = svc.provider().unwrap();
        assert_eq!(p.kind, "awesomecloud");
        let none = Metadata::default();
        assert_eq!(
            args("demo", "database", &p, Command::Up, &none).unwrap(),
            [
                "compose",
                "--project-name=demo",
                "up",
                "--debug=true",
                "--size=256",
                "--tag=a",
                "--tag=b",
                "--type=mysql",
                "database"
            ]
        );
        let metadata: Metadata = serde_json::from_value(json!({
            "description": "Manage services on AwesomeCloud",
            "up": {"parameters": [
                {"name": "type", "required": true, "type": "string"},
                {"name": "size", "required": false, "type": "integer"}]},
            "down": {"parameters": [{"name": "name", "required": true, "type": "string"}]}
        }))
        .unwrap();
        assert_eq!(
            args("demo", "database", &p, Command::Up, &metadata).unwrap(),
            [
                "compose",
                "--project-name=demo",
                "up",
                "--size=256",
                "--type=mysql",
                "database"
            ]
        );
        let e = args("demo", "database", &p, Command::Down, &metadata).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"services.database.provider.options: provider awesomecloud needs option "name" for down: add it"#
        );
        assert!(metadata.stop.is_none());
    }

    #[test]
    fn dependants_get_the_variables_prefixed_or_raw() {
        let mut project = Project::default();
        let mut app = Service::default();
        app.environment.insert("SECRET_KEY".into(), "mine".into());
        app.environment.insert("PORT".into(), "80".into());
        app.depends_on.insert(
            "my-db".into(),
            crate::model::Dependency {
                condition: crate::model::Condition::ServiceStarted,
                required: true,
                restart: false,
            },
        );
        project.services.insert("app".into(), app);
        project.services.insert("other".into(), Service::default());
        project.given.providers.insert(
            "my-db".into(),
            Variables {
                prefixed: [("URL".to_owned(), "https://db".to_owned())].into(),
                raw: [("SECRET_KEY".to_owned(), "xxx".to_owned())].into(),
            },
        );
        let env = environment(&project, "app");
        assert_eq!(env["MY-DB_URL"], "https://db");
        assert_eq!(env["SECRET_KEY"], "xxx");
        assert_eq!(env["PORT"], "80");
        assert!(environment(&project, "other").is_empty());
        assert_eq!(
            overrides(&project, &project.given.providers),
            [r#"provider "my-db" overrides environment variable "SECRET_KEY" in service "app""#]
        );
    }

    #[test]
    fn a_program_is_a_plugin_or_on_path_and_a_missing_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(config.join("cli-plugins")).unwrap();
        std::fs::create_dir_all(&bin).unwrap();
        let executable = |p: &Path| {
            std::fs::write(p, "#!/bin/sh\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        };
        executable(&config.join("cli-plugins").join("docker-cloudy"));
        executable(&bin.join("cloudy"));
        executable(&bin.join("onpath"));
        let env: BTreeMap<String, String> = [
            ("DOCKER_CONFIG".to_owned(), config.display().to_string()),
            ("PATH".to_owned(), bin.display().to_string()),
        ]
        .into();
        let cwd = dir.path();
        assert_eq!(
            find("db", "cloudy", &env, cwd).unwrap(),
            config.join("cli-plugins").join("docker-cloudy")
        );
        assert_eq!(find("db", "onpath", &env, cwd).unwrap(), bin.join("onpath"));
        let e = find("db", "nowhere", &env, cwd).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"services.db.provider.type: no program for provider "nowhere": install the Docker CLI plugin docker-nowhere, or put nowhere on PATH"#
        );
        let e = find("db", "compose", &env, cwd).unwrap_err();
        assert!(
            e.to_string().contains("\"compose\" is not a provider type"),
            "{e}"
        );
    }
}
