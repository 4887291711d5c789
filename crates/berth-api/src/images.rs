//! Image operations of the facade: build, pull, push, tag, remove, inspect, history, prune.

use std::collections::BTreeMap;
use std::path::PathBuf;

use berth_docker::build::{BuildEvent, BuildSpec};
use berth_docker::{Progress, Reference};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Berth, Connection};

/// A build as the CLI and the UI ask for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct BuildRequest {
    pub context: String,
    pub dockerfile: Option<String>,
    pub tags: Vec<String>,
    /// `KEY=value` entries.
    pub build_args: Vec<String>,
    pub target: Option<String>,
    /// `KEY=value` entries.
    pub labels: Vec<String>,
    pub no_cache: bool,
    pub pull: bool,
    /// The network the `RUN` steps use.
    pub network: Option<String>,
    /// `NAME:IP` lines for the steps' `/etc/hosts`.
    pub add_hosts: Vec<String>,
    /// Images whose layers may serve as cache.
    pub cache_from: Vec<String>,
    /// Remove the steps' containers even when a step fails.
    pub force_rm: bool,
    /// Keep the steps' containers after a build that succeeds (`--rm=false`; the classic
    /// builder).
    pub keep_step_containers: bool,
    /// Limits for the steps' containers (the classic builder).
    #[ts(optional)]
    pub limits: Option<StepLimits>,
    /// The platform to build for (`linux/arm64`); the engine's own when none.
    pub platform: Option<String>,
    /// Build with the engine's BuildKit rather than its classic builder.
    pub buildkit: bool,
    /// Where BuildKit writes the result's files instead of making an image, as `docker build
    /// -o` takes it: `type=local,dest=DIR`, `type=tar,dest=FILE`, or a directory.
    pub output: Option<String>,
    /// Secrets for the build's `RUN --mount=type=secret` steps (BuildKit), as `docker build
    /// --secret` takes each: `id=NAME,src=FILE` or `id=NAME,env=VAR`.
    pub secrets: Vec<String>,
    /// SSH agents for the build's `RUN --mount=type=ssh` steps (BuildKit), as `docker build
    /// --ssh` takes each: `default` (`SSH_AUTH_SOCK`'s agent) or `ID=SOCKET`.
    pub ssh: Vec<String>,
    /// What of the build the CLI read from stdin (`berth build -`, `-f -`), held in temporary
    /// files for the build: the history records it as `-`, a build that cannot be made again
    /// from the paths.
    #[ts(optional)]
    pub stdin: Option<StdinPart>,
}

/// The part of a build read from stdin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum StdinPart {
    /// The context: a tar archive, or a Dockerfile alone.
    Context,
    /// The Dockerfile (`-f -`).
    Dockerfile,
}

/// Limits for the containers a classic build runs its steps in, as `docker build` takes them
/// (`-m 512m`, `--memory-swap 1g`, `--shm-size 64m`, `--cpu-shares`, `--cpuset-cpus 0-1`,
/// `--cpu-period`, `--cpu-quota`, `--ulimit nofile=1024:2048`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct StepLimits {
    pub memory: Option<String>,
    pub memory_swap: Option<String>,
    pub shm_size: Option<String>,
    pub cpu_shares: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub cpu_period: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub ulimits: Vec<String>,
}

/// A build's step limits, each read; BuildKit applies none, so they are refused with it rather
/// than dropped unsaid.
fn step_limits(req: &BuildRequest) -> Result<berth_docker::build::BuildLimits, ApiError> {
    use berth_docker::options;
    let Some(l) = &req.limits else {
        return Ok(Default::default());
    };
    let limits = berth_docker::build::BuildLimits {
        memory: l
            .memory
            .as_deref()
            .map(berth_docker::spec::parse_memory)
            .transpose()?,
        memory_swap: l
            .memory_swap
            .as_deref()
            .map(options::parse_memory_swap)
            .transpose()?,
        shm_size: l
            .shm_size
            .as_deref()
            .map(options::parse_shm_size)
            .transpose()?,
        cpu_shares: l.cpu_shares,
        cpuset_cpus: l
            .cpuset_cpus
            .as_deref()
            .map(options::parse_cpuset)
            .transpose()?,
        cpu_period: l.cpu_period,
        cpu_quota: l.cpu_quota,
        ulimits: l
            .ulimits
            .iter()
            .map(|u| {
                let u = options::parse_ulimit(u)?;
                Ok((
                    u.name.unwrap_or_default(),
                    u.soft.unwrap_or_default(),
                    u.hard.unwrap_or_default(),
                ))
            })
            .collect::<Result<_, berth_docker::Error>>()?,
    };
    if req.buildkit && limits.any() {
        return Err(ApiError::invalid(
            "-m, --memory-swap, --shm-size, --cpu-*, --ulimit: the engine's BuildKit applies no \
             limits to a build's steps: build with the classic builder (--buildkit=false)"
                .to_owned(),
        ));
    }
    Ok(limits)
}

/// A build's secrets, each read and its source checked; the classic builder takes none.
fn secrets(req: &BuildRequest) -> Result<Vec<berth_docker::build::BuildSecret>, ApiError> {
    if !req.buildkit && !req.secrets.is_empty() {
        return Err(ApiError::invalid(
            "--secret: the classic builder takes no secrets: build with BuildKit".to_owned(),
        ));
    }
    let secrets = req
        .secrets
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty());
    Ok(secrets
        .map(berth_docker::build::BuildSecret::parse)
        .collect::<Result<_, _>>()?)
}

/// A build's SSH agents, each read and its socket checked; the classic builder forwards none.
fn ssh_agents(req: &BuildRequest) -> Result<Vec<berth_docker::build::SshAgent>, ApiError> {
    if !req.buildkit && !req.ssh.is_empty() {
        return Err(ApiError::invalid(
            "--ssh: the classic builder forwards no SSH agent: build with BuildKit".to_owned(),
        ));
    }
    let agents = req.ssh.iter().map(|s| s.trim()).filter(|s| !s.is_empty());
    Ok(agents
        .map(berth_docker::build::SshAgent::parse)
        .collect::<Result<_, _>>()?)
}

/// The stages the Dockerfile at `path` names ([`berth_docker::build::stages`]).
fn dockerfile_stages(path: &std::path::Path) -> Result<Vec<String>, ApiError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ApiError::invalid(format!("{}: cannot read it: {e}", path.display())))?;
    Ok(berth_docker::build::stages(&text))
}

/// One event of a pull, push or build.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ProgressEvent {
    Step {
        number: u32,
        total: u32,
        instruction: String,
    },
    Output {
        line: String,
    },
    Layer {
        id: Option<String>,
        status: String,
        #[ts(type = "number | null")]
        current: Option<i64>,
        #[ts(type = "number | null")]
        total: Option<i64>,
    },
    Built {
        id: String,
    },
}

impl From<Progress> for ProgressEvent {
    fn from(p: Progress) -> Self {
        ProgressEvent::Layer {
            id: p.id,
            status: p.status,
            current: p.current,
            total: p.total,
        }
    }
}

impl From<BuildEvent> for ProgressEvent {
    fn from(e: BuildEvent) -> Self {
        match e {
            BuildEvent::Step {
                number,
                total,
                instruction,
            } => ProgressEvent::Step {
                number,
                total,
                instruction,
            },
            BuildEvent::Output(line) => ProgressEvent::Output { line },
            BuildEvent::Pull(p) => p.into(),
            BuildEvent::Built { id } => ProgressEvent::Built { id },
        }
    }
}

/// A stored login as the client hands it to the engine.
fn client_credentials(c: berth_engine::credentials::Credential) -> berth_docker::Credentials {
    berth_docker::Credentials {
        username: c.username,
        password: c.secret,
        server: c.server,
    }
}

pub use berth_docker::build::{is_context_archive, remote_context};

/// Whether builds use BuildKit, as `DOCKER_BUILDKIT` says (read as docker reads it: Go's
/// booleans, 1, t, true, 0, f, false, in any case); `unset` when it is not set: the docker CLI
/// builds with the classic builder then, compose with BuildKit.
pub fn buildkit_from_env(unset: bool) -> Result<bool, ApiError> {
    buildkit_from(std::env::var("DOCKER_BUILDKIT").ok().as_deref(), unset)
}

fn buildkit_from(value: Option<&str>, unset: bool) -> Result<bool, ApiError> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => Ok(unset),
        Some("1" | "t" | "true") => Ok(true),
        Some("0" | "f" | "false") => Ok(false),
        Some(_) => Err(ApiError::invalid(format!(
            "DOCKER_BUILDKIT={}: not a boolean; set it to 1 (BuildKit) or 0 (the classic builder), or unset it",
            value.unwrap_or_default()
        ))),
    }
}

fn pairs(entries: &[String]) -> Result<BTreeMap<String, String>, ApiError> {
    entries
        .iter()
        .map(|e| berth_docker::spec::parse_key_value(e).map_err(ApiError::from))
        .collect()
}

/// Parses a reference, as a one-line error naming it.
pub fn reference(input: &str) -> Result<Reference, ApiError> {
    Reference::parse(input).map_err(|e| ApiError::invalid(e.to_string()))
}

/// Checks a platform (`linux/arm64`), as a one-line error naming it; returns it as the engine
/// takes it.
pub fn platform(input: &str) -> Result<String, ApiError> {
    Ok(berth_docker::options::parse_platform(input)?)
}

/// Where a push goes: the registry and the repository in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PushTarget {
    /// `docker.io`, `localhost:5000`, …
    pub registry: String,
    /// `docker.io/user_name/app`, `localhost:5000/hello`.
    pub repository: String,
    /// The tag pushed (`latest` when the name has none).
    pub tag: String,
}

/// Where a push of `image` goes. A name with neither a user nor a registry (`hello`,
/// `library/hello`) is Docker Hub's official images, which take pushes from Docker only: it is
/// refused here, saying what to name it, where the engine would try and be denied.
pub fn push_target(image: &str) -> Result<PushTarget, ApiError> {
    let r = reference(image)?;
    let tag = r.tag_or_latest().to_owned();
    if r.registry == berth_docker::reference::DOCKER_HUB
        && let Some(name) = r.path.strip_prefix("library/")
    {
        return Err(ApiError::invalid(format!(
            "{image}: that name is Docker Hub's official images (docker.io/library/{name}), which \
             take pushes from Docker only: tag it YOUR_USER/{name}:{tag} or \
             REGISTRY/{name}:{tag} (localhost:5000/{name}:{tag}) and push that"
        )));
    }
    Ok(PushTarget {
        repository: format!("{}/{}", r.registry, r.path),
        registry: r.registry,
        tag,
    })
}

impl Berth {
    /// Checks a build request without asking the engine: tags, args, labels, the context and
    /// its Dockerfile.
    pub fn check_build(&self, req: &BuildRequest) -> Result<(), ApiError> {
        for tag in &req.tags {
            reference(tag)?;
        }
        pairs(&req.build_args)?;
        pairs(&req.labels)?;
        secrets(req)?;
        ssh_agents(req)?;
        step_limits(req)?;
        for host in &req.add_hosts {
            berth_docker::options::parse_add_host(host)?;
        }
        for image in &req.cache_from {
            reference(image)?;
        }
        if let Some(p) = &req.platform {
            platform(p)?;
        }
        let context = std::path::Path::new(&req.context);
        let inside = if remote_context(&req.context).is_some() {
            Some("what the engine fetches")
        } else if context.is_file() && is_context_archive(context) {
            Some("the archive")
        } else {
            None
        };
        if let Some(inside) = inside {
            // Not packed here: its Dockerfile (and so its stages) is not seen here.
            return match req.dockerfile.as_deref().map(std::path::Path::new) {
                Some(f) if f.is_absolute() => Err(ApiError::invalid(format!(
                    "{}: this build reads its Dockerfile from {inside}: give its path there \
                     (-f docker/Dockerfile)",
                    f.display()
                ))),
                _ => Ok(()),
            };
        }
        if !context.is_dir() {
            return Err(ApiError::invalid(format!(
                "{}: the build context is not a directory (nor a tar archive, nor a Git \
                 repository's or an archive's URL)",
                req.context
            )));
        }
        let dockerfile = match &req.dockerfile {
            Some(f) => context.join(f),
            None => context.join("Dockerfile"),
        };
        if !dockerfile.is_file() {
            return Err(ApiError::invalid(format!(
                "{}: no Dockerfile there: write one, or name it with -f",
                dockerfile.display()
            )));
        }
        if let Some(target) = &req.target {
            let stages = dockerfile_stages(&dockerfile)?;
            if !stages.contains(&target.to_lowercase()) {
                return Err(ApiError::invalid(match &stages[..] {
                    [] => format!(
                        "--target {target}: {} names no stage: name one with FROM IMAGE AS NAME, or build without a target",
                        dockerfile.display()
                    ),
                    _ => format!(
                        "--target {target}: {} has no such stage: choose one of {}",
                        dockerfile.display(),
                        stages.join(", ")
                    ),
                }));
            }
        }
        Ok(())
    }

    /// The stages of the Dockerfile a build of `context` would read (`dockerfile`, relative
    /// to it, or its `Dockerfile`): what a build's target may name. `None` when there is no
    /// such file (yet).
    pub fn build_stages(
        &self,
        context: &str,
        dockerfile: Option<&str>,
    ) -> Result<Option<Vec<String>>, ApiError> {
        let path = std::path::Path::new(context).join(dockerfile.unwrap_or("Dockerfile"));
        if context.trim().is_empty() || !path.is_file() {
            return Ok(None);
        }
        dockerfile_stages(&path).map(Some)
    }

    /// Builds an image from a context directory; events until the image is built.
    pub fn build<'a>(
        &self,
        conn: &'a Connection,
        req: &BuildRequest,
    ) -> Result<impl Stream<Item = Result<ProgressEvent, ApiError>> + 'a, ApiError> {
        for tag in &req.tags {
            reference(tag)?;
        }
        let spec = BuildSpec {
            context: PathBuf::from(&req.context),
            remote: remote_context(&req.context),
            archive: Some(PathBuf::from(&req.context))
                .filter(|file| file.is_file() && is_context_archive(file)),
            dockerfile: req.dockerfile.as_ref().map(PathBuf::from),
            tags: req.tags.clone(),
            build_args: pairs(&req.build_args)?,
            target: req.target.clone(),
            labels: pairs(&req.labels)?,
            no_cache: req.no_cache,
            pull: req.pull,
            network: req.network.clone(),
            extra_hosts: req
                .add_hosts
                .iter()
                .map(|h| berth_docker::options::parse_add_host(h))
                .collect::<Result<_, _>>()?,
            cache_from: req.cache_from.clone(),
            force_rm: req.force_rm,
            keep_step_containers: req.keep_step_containers,
            limits: step_limits(req)?,
            platform: req.platform.as_deref().map(platform).transpose()?,
            buildkit: req.buildkit,
            output: req
                .output
                .as_deref()
                .map(berth_docker::build::BuildOutput::parse)
                .transpose()?,
            credentials: self.all_credentials(),
            secrets: secrets(req)?,
            ssh: ssh_agents(req)?,
        };
        let stream = conn.client.build(&spec)?;
        Ok(stream.map(|ev| ev.map(ProgressEvent::from).map_err(ApiError::from)))
    }

    /// Every stored login, as the docker CLI hands them to a build (its base images may come
    /// from any of those registries). A login store that cannot be read is logged and passed
    /// over: a build that needs no login goes on, one that does is refused by its registry.
    pub(crate) fn all_credentials(&self) -> Vec<berth_docker::Credentials> {
        let store = berth_engine::credentials::CredentialStore::new(self.store.env());
        match store.all() {
            Ok(all) => all.into_iter().map(client_credentials).collect(),
            Err(e) => {
                tracing::warn!(%e, "the stored logins could not be read for a build");
                Vec::new()
            }
        }
    }

    /// The stored login for a reference's registry, if any.
    pub fn credentials_for(
        &self,
        r: &Reference,
    ) -> Result<Option<berth_docker::Credentials>, ApiError> {
        let key = berth_engine::credentials::server_key(&r.registry);
        let store = berth_engine::credentials::CredentialStore::new(self.store.env());
        Ok(store.get(&key)?.map(client_credentials))
    }

    /// Logs in to a registry: the engine checks the credentials with it, then they are stored
    /// (with the configured credential helper, or in plain text only when `plain_text`).
    /// Returns where they went.
    pub async fn login(
        &self,
        conn: &Connection,
        server: &str,
        username: &str,
        password: &str,
        plain_text: bool,
    ) -> Result<String, ApiError> {
        use berth_engine::credentials::{Credential, CredentialStore, Stored, server_key};
        if username.is_empty() || password.is_empty() {
            return Err(ApiError::invalid("a login needs a username and a password"));
        }
        let key = server_key(server);
        let creds = berth_docker::Credentials {
            username: username.into(),
            password: password.into(),
            server: key.clone(),
        };
        conn.client.check_login(&creds).await?;
        let store = CredentialStore::new(self.store.env());
        let stored = store.store(
            &Credential {
                server: key,
                username: username.into(),
                secret: password.into(),
            },
            plain_text,
        )?;
        Ok(match stored {
            Stored::Helper(h) => format!("the credential helper docker-credential-{h}"),
            Stored::Keychain => "the OS keychain".to_owned(),
            Stored::PlainText(p) => format!("{} (base64, not encrypted)", p.display()),
        })
    }

    /// Forgets the stored login for a registry; false when there was none.
    pub async fn logout(&self, server: &str) -> Result<bool, ApiError> {
        let key = berth_engine::credentials::server_key(server);
        let store = berth_engine::credentials::CredentialStore::new(self.store.env());
        // A credential helper is a program to run, the keychain a call over D-Bus.
        Ok(tokio::task::spawn_blocking(move || store.erase(&key)).await??)
    }

    /// Whom a registry's stored login is for (never its secret); none when there is none.
    pub async fn signed_in_as(&self, server: &str) -> Result<Option<String>, ApiError> {
        let key = berth_engine::credentials::server_key(server);
        let store = berth_engine::credentials::CredentialStore::new(self.store.env());
        Ok(tokio::task::spawn_blocking(move || store.get(&key))
            .await??
            .map(|c| c.username))
    }

    /// Pulls an image, for `platform` (`--platform linux/arm64`) when given; layer events until
    /// it is here.
    pub fn pull_for(
        &self,
        conn: &Connection,
        image: &str,
        platform: Option<&str>,
    ) -> Result<impl Stream<Item = Result<ProgressEvent, ApiError>> + use<>, ApiError> {
        let r = reference(image)?;
        let platform = platform.map(self::platform).transpose()?;
        let creds = self.credentials_for(&r)?;
        Ok(conn
            .client
            .pull_for(&r, creds.as_ref(), platform.as_deref())
            .map(|p| p.map(ProgressEvent::from).map_err(ApiError::from)))
    }

    /// Pushes an image that exists locally under that name (not to Docker Hub's official
    /// images: [`push_target`]).
    pub async fn push(
        &self,
        conn: &Connection,
        image: &str,
    ) -> Result<impl Stream<Item = Result<ProgressEvent, ApiError>> + use<>, ApiError> {
        push_target(image)?;
        let r = reference(image)?;
        let creds = self.credentials_for(&r)?;
        let stream = conn.client.push(&r, creds.as_ref()).await?;
        Ok(stream.map(|p| p.map(ProgressEvent::from).map_err(ApiError::from)))
    }

    pub async fn tag(&self, conn: &Connection, source: &str, target: &str) -> Result<(), ApiError> {
        reference(target)?;
        Ok(conn.client.tag(source, target).await?)
    }

    /// Removes images; returns the engine's lines (`Untagged: …`, `Deleted: …`).
    pub async fn remove_images(
        &self,
        conn: &Connection,
        names: &[String],
        force: bool,
    ) -> Result<Vec<String>, ApiError> {
        let mut lines = Vec::new();
        for name in names {
            let removed = match conn.client.remove_image(name, force).await {
                // `… - container 350ed975ffcc is using its referenced image 4b2acd70b258`, or
                // `image is being used by running container …`: said with the containers' names.
                Err(berth_docker::Error::Conflict { message })
                    if message.contains("using its referenced image")
                        || message.contains("being used by running container") =>
                {
                    let users = self.image_users(conn, name).await.unwrap_or_default();
                    return Err(ApiError::in_use(&format!("image {name}"), &users, "remove"));
                }
                removed => removed?,
            };
            for item in removed {
                if let Some(u) = item.untagged {
                    lines.push(format!("Untagged: {u}"));
                }
                if let Some(d) = item.deleted {
                    lines.push(format!("Deleted: {d}"));
                }
            }
        }
        Ok(lines)
    }

    /// The names of the containers (of any state) made from image `name`.
    async fn image_users(&self, conn: &Connection, name: &str) -> Result<Vec<String>, ApiError> {
        let id = conn
            .client
            .inspect_image(name)
            .await?
            .id
            .unwrap_or_default();
        Ok(self
            .containers(conn, true)
            .await?
            .into_iter()
            .filter(|c| c.image_id == id)
            .filter_map(|c| c.names.into_iter().next())
            .collect())
    }

    pub async fn inspect_image(
        &self,
        conn: &Connection,
        name: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let inspect = conn.client.inspect_image(name).await?;
        Ok(serde_json::to_value(inspect).unwrap_or_default())
    }

    /// What an image says about running it (the run dialog's hints): the ports it exposes and
    /// the paths it keeps in volumes.
    pub async fn run_hints(&self, conn: &Connection, image: &str) -> Result<RunHints, ApiError> {
        let config = conn
            .client
            .inspect_image(image)
            .await?
            .config
            .unwrap_or_default();
        let mut exposed_ports = config.exposed_ports.unwrap_or_default();
        exposed_ports.sort_by_key(|p| {
            let (number, proto) = p.split_once('/').unwrap_or((p, ""));
            (number.parse::<u16>().unwrap_or(u16::MAX), proto.to_owned())
        });
        let mut volumes = config.volumes.unwrap_or_default();
        volumes.sort();
        Ok(RunHints {
            exposed_ports,
            volumes,
        })
    }
}

/// What an image says about running it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RunHints {
    /// `5000/tcp`, in port order.
    pub exposed_ports: Vec<String>,
    /// Paths in the container.
    pub volumes: Vec<String>,
}

/// A search result, from Docker Hub or the registry the term named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SearchRow {
    /// As the registry's index names it.
    pub name: String,
    /// What to pull for it: the name, after the registry the term named (the index names its
    /// images without it).
    pub reference: String,
    pub description: String,
    #[ts(type = "number")]
    pub stars: i64,
    pub official: bool,
}

/// Whether a newer image is available under a local image's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FreshnessView {
    pub image: String,
    /// `up_to_date`, `newer_available` or `not_from_registry`.
    pub state: String,
    pub local_digest: Option<String>,
    pub remote_digest: String,
}

/// One layer of an image's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LayerRow {
    pub id: String,
    #[ts(type = "number")]
    pub created: i64,
    pub created_by: String,
    #[ts(type = "number")]
    pub size: i64,
    pub comment: String,
}

impl Berth {
    pub async fn search(
        &self,
        conn: &Connection,
        term: &str,
        limit: u32,
    ) -> Result<Vec<SearchRow>, ApiError> {
        let registry = berth_docker::reference::registry_of(term.trim());
        Ok(conn
            .client
            .search(term, limit)
            .await?
            .into_iter()
            .map(|r| {
                let name = r.name.unwrap_or_default();
                SearchRow {
                    reference: match registry {
                        Some(host) => format!("{host}/{name}"),
                        None => name.clone(),
                    },
                    name,
                    description: r.description.unwrap_or_default(),
                    stars: r.star_count.unwrap_or(0),
                    official: r.is_official.unwrap_or(false),
                }
            })
            .collect())
    }

    /// Compares a local image with its registry's current tag, without pulling.
    pub async fn check_image(
        &self,
        conn: &Connection,
        image: &str,
    ) -> Result<FreshnessView, ApiError> {
        use berth_docker::registry::Freshness;
        let r = reference(image)?;
        let creds = self.credentials_for(&r)?;
        let (state, local_digest, remote_digest) =
            match conn.client.freshness(&r, creds.as_ref()).await? {
                Freshness::UpToDate { digest } => ("up_to_date", Some(digest.clone()), digest),
                Freshness::NewerAvailable { local, remote } => ("newer_available", local, remote),
                Freshness::NotFromRegistry { remote } => ("not_from_registry", None, remote),
            };
        Ok(FreshnessView {
            image: r.to_string(),
            state: state.into(),
            local_digest,
            remote_digest,
        })
    }

    /// An image's layers, newest first, with the instruction that made each.
    pub async fn image_history(
        &self,
        conn: &Connection,
        image: &str,
    ) -> Result<Vec<LayerRow>, ApiError> {
        Ok(conn
            .client
            .image_history(image)
            .await?
            .into_iter()
            .map(|h| LayerRow {
                id: h.id,
                created: h.created,
                created_by: h.created_by,
                size: h.size,
                comment: h.comment,
            })
            .collect())
    }

    /// Images a prune would remove: untagged ones no container uses, or with `all` every image
    /// no container uses.
    pub async fn image_prune_candidates(
        &self,
        conn: &Connection,
        all: bool,
        filter: &crate::PruneFilter,
    ) -> Result<Vec<crate::wire::ImageRow>, ApiError> {
        Ok(self
            .images(conn)
            .await?
            .into_iter()
            .filter(|i| {
                i.containers == 0 && (all || i.dangling) && filter.lets(Some(i.created), &i.labels)
            })
            .collect())
    }
}

/// A tag's manifest, as a registry serves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ManifestView {
    pub image: String,
    pub digest: String,
    pub media_type: String,
    #[ts(type = "number | null")]
    pub size: Option<i64>,
    pub platforms: Vec<String>,
}

impl Berth {
    pub(crate) fn registry_client(
        &self,
        registry: &str,
    ) -> Result<berth_registry::Registry, ApiError> {
        let key = berth_engine::credentials::server_key(registry);
        let store = berth_engine::credentials::CredentialStore::new(self.store.env());
        let login = store.get(&key)?.map(|c| (c.username, c.secret));
        berth_registry::Registry::new(registry, login).map_err(registry_error)
    }

    /// The repositories of a registry (`host[:port]`).
    pub async fn registry_catalog(&self, registry: &str) -> Result<Vec<String>, ApiError> {
        self.registry_client(registry)?
            .catalog()
            .await
            .map_err(registry_error)
    }

    /// The tags of `registry/repository`.
    pub async fn registry_tags(&self, repository: &str) -> Result<Vec<String>, ApiError> {
        let r = reference(&format!("{repository}:latest"))?;
        self.registry_client(&r.registry)?
            .tags(&r.path)
            .await
            .map_err(registry_error)
    }

    /// The digest and size of an image's manifest in its registry.
    pub async fn registry_manifest(&self, image: &str) -> Result<ManifestView, ApiError> {
        let r = reference(image)?;
        let tag = r
            .digest
            .clone()
            .unwrap_or_else(|| r.tag_or_latest().to_owned());
        let m = self
            .registry_client(&r.registry)?
            .manifest(&r.path, &tag)
            .await
            .map_err(registry_error)?;
        Ok(ManifestView {
            image: r.to_string(),
            digest: m.digest,
            media_type: m.media_type,
            size: m.size,
            platforms: m.platforms,
        })
    }
}

pub(crate) fn registry_error(e: berth_registry::Error) -> ApiError {
    use berth_registry::Error as E;
    let code = match &e {
        E::NotFound { .. } => crate::ErrorCode::NotFound,
        E::Unauthorized { .. } => crate::ErrorCode::InvalidInput,
        _ => crate::ErrorCode::Internal,
    };
    ApiError::new(code, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::push_target;

    #[test]
    fn docker_buildkit_is_read_as_docker_reads_it() {
        use super::buildkit_from;
        // Unset or empty: the caller's default (the CLI's classic builder, compose's BuildKit).
        assert!(!buildkit_from(None, false).unwrap() && buildkit_from(Some(""), true).unwrap());
        for on in ["1", "t", "TRUE", "True"] {
            assert!(buildkit_from(Some(on), false).unwrap(), "{on}");
        }
        for off in ["0", "f", "FALSE", "false"] {
            assert!(!buildkit_from(Some(off), true).unwrap(), "{off}");
        }
        let err = buildkit_from(Some("yes please"), true).unwrap_err();
        assert_eq!(
            err.message,
            "DOCKER_BUILDKIT=yes please: not a boolean; set it to 1 (BuildKit) or 0 (the classic builder), or unset it"
        );
    }

    #[test]
    fn a_builds_stages_are_read_from_the_dockerfile_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let berth = crate::offline_berth(dir.path());
        let ctx = dir.path().join("app");
        std::fs::create_dir_all(&ctx).unwrap();
        let context = ctx.display().to_string();
        assert_eq!(
            berth.build_stages(&context, None).unwrap(),
            None,
            "no Dockerfile yet"
        );
        assert_eq!(berth.build_stages("", None).unwrap(), None, "no folder");
        std::fs::write(ctx.join("Dockerfile"), "FROM scratch AS base\nFROM base\n").unwrap();
        std::fs::write(ctx.join("Dockerfile.test"), "FROM scratch\n").unwrap();
        assert_eq!(
            berth.build_stages(&context, None).unwrap(),
            Some(vec!["base".to_owned()])
        );
        assert_eq!(
            berth
                .build_stages(&context, Some("Dockerfile.test"))
                .unwrap(),
            Some(vec![])
        );
    }

    #[test]
    fn a_push_goes_to_its_registry_and_never_to_docker_hubs_official_images() {
        let target = |image: &str| push_target(image).map(|t| (t.registry, t.repository, t.tag));
        assert_eq!(
            target("user_name/app").unwrap(),
            (
                "docker.io".into(),
                "docker.io/user_name/app".into(),
                "latest".into()
            )
        );
        assert_eq!(
            target("localhost:5000/hello:v2").unwrap(),
            (
                "localhost:5000".into(),
                "localhost:5000/hello".into(),
                "v2".into()
            )
        );
        for image in ["hello:v2", "library/hello:v2", "docker.io/library/hello:v2"] {
            let err = target(image).unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "{image}: that name is Docker Hub's official images (docker.io/library/hello), \
                     which take pushes from Docker only: tag it YOUR_USER/hello:v2 or \
                     REGISTRY/hello:v2 (localhost:5000/hello:v2) and push that"
                )
            );
        }
        assert!(
            target("Nope")
                .unwrap_err()
                .to_string()
                .contains("repository names must be lowercase")
        );
    }
}
