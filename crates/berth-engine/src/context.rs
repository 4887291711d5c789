//! Docker contexts, read and written where the Docker CLI keeps them.
//!
//! `$DOCKER_CONFIG` (else `~/.docker`) holds `config.json` with `currentContext`, and one
//! `contexts/meta/<sha256(name)>/meta.json` per context; TLS material sits in
//! `contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem`. `DOCKER_CONTEXT` overrides the
//! current context. The built-in `default` context is `DOCKER_HOST` or the system socket.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use berth_docker::{Endpoint, TlsMaterial};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::Error;

/// The system engine's socket, the `default` context when `DOCKER_HOST` is unset.
pub const SYSTEM_SOCKET: &str = "/var/run/docker.sock";

/// The environment discovery reads, captured once so tests can pass their own.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    pub docker_config: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub xdg_runtime_dir: Option<PathBuf>,
    /// Where the platform keeps a user's data (`$XDG_DATA_HOME`, else `~/.local/share`).
    pub data_dir: Option<PathBuf>,
    /// Where the platform keeps a user's state (`$XDG_STATE_HOME`, else `~/.local/state`;
    /// none on macOS and Windows).
    pub state_dir: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Self {
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            docker_config: var("DOCKER_CONFIG").map(PathBuf::from),
            home: dirs::home_dir(),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR").map(PathBuf::from),
            data_dir: dirs::data_dir(),
            state_dir: dirs::state_dir(),
        }
    }

    /// `$DOCKER_CONFIG`, else `~/.docker`.
    pub fn docker_config_dir(&self) -> PathBuf {
        match (&self.docker_config, &self.home) {
            (Some(dir), _) => dir.clone(),
            (None, Some(home)) => home.join(".docker"),
            (None, None) => PathBuf::from(".docker"),
        }
    }
}

/// One Docker context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    pub description: String,
    pub endpoint: Endpoint,
    pub skip_tls_verify: bool,
}

/// The contexts under one Docker config directory.
#[derive(Clone, Debug)]
pub struct ContextStore {
    env: Env,
    dir: PathBuf,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Metadata", default)]
    metadata: MetaInfo,
    #[serde(rename = "Endpoints", default)]
    endpoints: BTreeMap<String, MetaEndpoint>,
}

#[derive(Deserialize, Default)]
struct MetaInfo {
    #[serde(rename = "Description", default)]
    description: String,
}

#[derive(Deserialize)]
struct MetaEndpoint {
    #[serde(rename = "Host", default)]
    host: String,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

fn digest(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl ContextStore {
    pub fn new(env: Env) -> Self {
        let dir = env.docker_config_dir();
        Self { env, dir }
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    /// `config.json`, which names the current context (as written by `docker context use`).
    pub fn config_path(&self) -> PathBuf {
        self.dir.join("config.json")
    }

    /// `detachKeys` of `config.json` (`ctrl-p,ctrl-q`, docker's form), if set.
    pub fn detach_keys(&self) -> Result<Option<String>, Error> {
        Ok(self
            .read_config()?
            .get("detachKeys")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned))
    }

    fn read_config(&self) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
        let path = self.config_path();
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(serde_json::Value::Object(map)) => Ok(map),
                Ok(_) => Err(bad(&path, "is not a JSON object; fix or remove it")),
                Err(e) => Err(bad(
                    &path,
                    &format!("is not valid JSON ({e}); fix or remove it"),
                )),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
            Err(e) => Err(Error::Io {
                what: format!("reading {}", path.display()),
                source: e,
            }),
        }
    }

    /// The current context's name: `DOCKER_CONTEXT`, else `currentContext`, else `default`.
    pub fn current_name(&self) -> Result<String, Error> {
        if let Some(name) = &self.env.docker_context {
            return Ok(name.clone());
        }
        let config = self.read_config()?;
        Ok(config
            .get("currentContext")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
            .to_owned())
    }

    /// The built-in `default` context.
    pub fn default_context(&self) -> Context {
        let host = self
            .env
            .docker_host
            .clone()
            .unwrap_or_else(|| format!("unix://{SYSTEM_SOCKET}"));
        Context {
            name: "default".into(),
            description: "Current DOCKER_HOST based configuration".into(),
            endpoint: Endpoint { host, tls: None },
            skip_tls_verify: false,
        }
    }

    /// Every context: `default` first, then the stored ones by name.
    pub fn list(&self) -> Result<Vec<Context>, Error> {
        let mut out = vec![self.default_context()];
        let meta_dir = self.dir.join("contexts").join("meta");
        let entries = match std::fs::read_dir(&meta_dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::io(format!("reading {}", meta_dir.display()))(e)),
        };
        let mut stored = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path().join("meta.json");
            if path.is_file() {
                stored.push(self.read_meta(&path)?);
            }
        }
        stored.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(stored);
        Ok(out)
    }

    /// One context by name.
    pub fn get(&self, name: &str) -> Result<Context, Error> {
        if name == "default" {
            return Ok(self.default_context());
        }
        let path = self
            .dir
            .join("contexts/meta")
            .join(digest(name))
            .join("meta.json");
        if !path.is_file() {
            return Err(Error::UnknownContext {
                name: name.to_owned(),
            });
        }
        self.read_meta(&path)
    }

    fn read_meta(&self, path: &Path) -> Result<Context, Error> {
        let bytes =
            std::fs::read(path).map_err(Error::io(format!("reading {}", path.display())))?;
        let meta: Meta = serde_json::from_slice(&bytes)
            .map_err(|e| bad(path, &format!("is not a valid context ({e})")))?;
        let docker = meta
            .endpoints
            .get("docker")
            .ok_or_else(|| bad(path, "has no docker endpoint"))?;
        let tls_dir = self
            .dir
            .join("contexts/tls")
            .join(digest(&meta.name))
            .join("docker");
        let tls = tls_dir.join("ca.pem").is_file().then(|| TlsMaterial {
            ca: tls_dir.join("ca.pem"),
            cert: tls_dir.join("cert.pem"),
            key: tls_dir.join("key.pem"),
        });
        Ok(Context {
            name: meta.name,
            description: meta.metadata.description,
            endpoint: Endpoint {
                host: docker.host.clone(),
                tls,
            },
            skip_tls_verify: docker.skip_tls_verify,
        })
    }

    /// Stores a new context in docker's own format (`docker context create NAME --docker
    /// host=HOST[,ca=…,cert=…,key=…]`): its TLS files are copied into the store.
    pub fn create(
        &self,
        name: &str,
        description: &str,
        host: &str,
        tls: Option<&TlsMaterial>,
    ) -> Result<Context, Error> {
        let invalid = |detail: String| Error::InvalidInput { detail };
        let valid_name = name.len() > 1
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !valid_name || name == "default" {
            return Err(invalid(format!(
                "context name {name:?}: use 2 or more letters, digits, '_', '.' or '-' (not \"default\")"
            )));
        }
        Endpoint {
            host: host.to_owned(),
            tls: None,
        }
        .address()?;
        let meta_dir = self.dir.join("contexts/meta").join(digest(name));
        if meta_dir.join("meta.json").is_file() {
            return Err(invalid(format!(
                "context {name:?} exists already: pick another name or remove it first"
            )));
        }
        if let Some(tls) = tls {
            let tls_dir = self
                .dir
                .join("contexts/tls")
                .join(digest(name))
                .join("docker");
            std::fs::create_dir_all(&tls_dir)
                .map_err(Error::io(format!("creating {}", tls_dir.display())))?;
            for (from, to) in [
                (&tls.ca, "ca.pem"),
                (&tls.cert, "cert.pem"),
                (&tls.key, "key.pem"),
            ] {
                std::fs::copy(from, tls_dir.join(to))
                    .map_err(Error::io(format!("reading {}", from.display())))?;
            }
        }
        let meta = serde_json::json!({
            "Name": name,
            "Metadata": { "Description": description },
            "Endpoints": { "docker": { "Host": host, "SkipTLSVerify": false } },
        });
        std::fs::create_dir_all(&meta_dir)
            .map_err(Error::io(format!("creating {}", meta_dir.display())))?;
        let path = meta_dir.join("meta.json");
        std::fs::write(&path, meta.to_string())
            .map_err(Error::io(format!("writing {}", path.display())))?;
        self.get(name)
    }

    /// Removes a stored context and its TLS files, as `docker context rm` does. The current one
    /// only with `force`, and `default` is back in use then.
    pub fn remove(&self, name: &str, force: bool) -> Result<(), Error> {
        let invalid = |detail: String| Error::InvalidInput { detail };
        if name == "default" {
            return Err(invalid(
                "the default context is the engine's own settings: it cannot be removed".into(),
            ));
        }
        self.get(name)?;
        if self.current_name()? == name {
            if !force {
                return Err(invalid(format!(
                    "context {name:?} is in use: switch to another first, or remove it with -f"
                )));
            }
            self.use_context("default")?;
        }
        for dir in ["contexts/meta", "contexts/tls"] {
            let path = self.dir.join(dir).join(digest(name));
            match std::fs::remove_dir_all(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(format!("removing {}", path.display()))(e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Makes `name` the current context, as `docker context use` does, keeping every other key
    /// of `config.json`.
    pub fn use_context(&self, name: &str) -> Result<(), Error> {
        self.get(name)?;
        let mut config = self.read_config()?;
        if name == "default" {
            config.remove("currentContext");
        } else {
            config.insert("currentContext".into(), name.into());
        }
        std::fs::create_dir_all(&self.dir)
            .map_err(Error::io(format!("creating {}", self.dir.display())))?;
        let path = self.config_path();
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(&config).expect("a JSON map always serialises");
        std::fs::write(&tmp, text + "\n")
            .map_err(Error::io(format!("writing {}", tmp.display())))?;
        std::fs::rename(&tmp, &path).map_err(Error::io(format!("writing {}", path.display())))?;
        Ok(())
    }
}

fn bad(path: &Path, detail: &str) -> Error {
    Error::BadFile {
        path: path.to_owned(),
        detail: detail.to_owned(),
    }
}
