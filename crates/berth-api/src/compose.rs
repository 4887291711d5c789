//! Compose projects through the facade: load and print a project, bring it up and down, list
//! projects and their containers (whoever started them), drive their containers' lifecycle,
//! follow their logs, build, pull and push their images, and make one-off containers.

use std::collections::BTreeMap;

use berth_compose::apply::{self, ApplyOptions};
use berth_compose::hooks;
use berth_compose::model::Given;
use berth_compose::observe::{self, Observed};
use berth_compose::plan::{self, Action, Plan, Step};
use berth_docker::{Credentials, Reference};
use futures_util::{Stream, StreamExt};

pub use berth_compose::apply::ApplyEvent;
pub use berth_compose::plan::{DownOptions, UpOptions};
pub use berth_compose::{LoadOptions, Project};

use crate::images::buildkit_from_env;
use crate::wire::{ComposeProjectRow, ContainerRow};
use crate::{ApiError, Berth, Connection, LogChunk, LogOptions};

/// A lifecycle command over a project's containers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    Start,
    Stop {
        timeout: Option<u32>,
    },
    Restart {
        timeout: Option<u32>,
    },
    Pause,
    Unpause,
    Kill {
        signal: String,
    },
    /// Remove stopped containers (`rm`; `stop_first` is `rm -s`).
    Remove {
        stop_first: bool,
        volumes: bool,
    },
}

/// What `compose build` was asked besides the services.
#[derive(Clone, Debug, Default)]
pub struct BuildAsked {
    /// `--with-dependencies`: the images of the services the named ones depend on too.
    pub with_deps: bool,
    /// `-m`: the memory limit of the builds' steps' containers (`512m`).
    pub memory: Option<String>,
}

impl BuildAsked {
    /// `-m` in bytes; a value that is not a size is refused (before any engine is asked, when
    /// called first).
    pub fn memory_bytes(&self) -> Result<Option<i64>, ApiError> {
        self.memory
            .as_deref()
            .map(|m| {
                berth_docker::spec::parse_memory(m)
                    .map_err(|e| ApiError::invalid(format!("-m {e}")))
            })
            .transpose()
    }
}

/// What `compose pull` was asked besides the services.
#[derive(Clone, Debug, Default)]
pub struct PullAsked {
    /// `--include-deps`: the named services' dependencies too.
    pub include_deps: bool,
    /// `--ignore-buildable`: not the images of services with `build:`.
    pub ignore_buildable: bool,
    /// `--ignore-pull-failures`: a failure said, the others pulled on.
    pub ignore_failures: bool,
    /// `--policy missing|always`.
    pub policy: Option<String>,
}

/// What a one-off container (`compose run`) gets besides the service's own settings.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub command: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    /// `-e` values: `KEY=value`, or `KEY` for its value in the project's environment.
    pub env: Vec<String>,
    /// `--env-from-file`: env files in compose's syntax (relative paths from `cwd`), for what
    /// `-e` does not give.
    pub env_files: Vec<std::path::PathBuf>,
    pub name: Option<String>,
    pub no_deps: bool,
    pub tty: bool,
    pub interactive: bool,
    /// `--rm`: the engine removes it once it exits (AutoRemove), as docker compose has it.
    pub auto_remove: bool,
    pub user: Option<String>,
    pub workdir: Option<String>,
    /// Publish the service's ports (`--service-ports`).
    pub service_ports: bool,
    /// `-p` values, as `docker run` takes them.
    pub publish: Vec<String>,
    /// `-v` values, as `docker run` takes them (relative paths from `cwd`).
    pub volumes: Vec<String>,
    /// `-l` values: `KEY=value`.
    pub labels: Vec<String>,
    pub cwd: Option<std::path::PathBuf>,
    /// `--use-aliases`: it answers for the service on its networks (a one-off does not
    /// otherwise, as docker compose makes it, so the service's traffic stays the service's).
    pub use_aliases: bool,
    /// `--build`: its image (and its dependencies') built first.
    pub build: bool,
    /// `--pull always|missing|never`.
    pub pull: Option<String>,
    /// `--cap-add`, `--cap-drop`, on top of the service's.
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// `--remove-orphans`: first remove the containers of services the files no longer have.
    pub remove_orphans: bool,
}

/// How long a project's files stay unchanged before their changes count (an editor's save is
/// several writes).
const FILE_QUIET: std::time::Duration = std::time::Duration::from_millis(300);

impl Berth {
    /// Loads a project (files, `.env`, interpolation, merge, profiles, schema).
    pub fn compose_load(&self, opts: &LoadOptions) -> Result<Project, ApiError> {
        Ok(berth_compose::load(opts)?)
    }

    /// The project with each service's `image:` pinned to the digest its registry serves for
    /// it now (`name:tag@sha256:…`), asked through the engine, as `config
    /// --resolve-image-digests` pins them. A service without `image:` (its image is built and
    /// named by the project) and an image pinned already are left as they are.
    pub async fn compose_resolve_digests(
        &self,
        conn: &Connection,
        mut project: Project,
    ) -> Result<Project, ApiError> {
        for (name, svc) in &mut project.services {
            let Some(image) = &svc.image else {
                continue;
            };
            let at = format!("services.{name}.image");
            let mut r = berth_docker::Reference::parse(image)
                .map_err(|e| ApiError::invalid(format!("{at}: {e}")))?;
            if r.digest.is_some() {
                continue;
            }
            let creds = self.credentials_for(&r)?;
            let digest = conn
                .client
                .registry_digest(&r, creds.as_ref())
                .await
                .map_err(|e| ApiError::invalid(format!("{at}: {e}")))?;
            r.digest = Some(digest);
            svc.image = Some(r.to_string());
        }
        Ok(project)
    }

    /// The variables the project's files use, with their defaults, as written (not
    /// interpolated: a required one unset is listed, not an error).
    pub fn compose_variables(
        &self,
        opts: &LoadOptions,
    ) -> Result<BTreeMap<String, berth_compose::interpolate::Variable>, ApiError> {
        Ok(berth_compose::load::variables(opts)?)
    }

    /// The project with what its services with `use_api_socket` are given (the engine's unix
    /// socket and every stored registry login), found only when one has it; none for an
    /// engine reached otherwise (their containers' create says so).
    fn with_api_socket<'p>(
        &self,
        conn: &Connection,
        project: &'p Project,
    ) -> Result<std::borrow::Cow<'p, Project>, ApiError> {
        if !project.services.values().any(|s| s.use_api_socket()) {
            return Ok(std::borrow::Cow::Borrowed(project));
        }
        let mut given = project.clone();
        if let Some(path) = conn.client.endpoint().host.strip_prefix("unix://") {
            use berth_engine::credentials::{CredentialStore, config_json};
            let store = CredentialStore::new(self.store.env());
            given.api_socket = Some(berth_compose::model::ApiSocket {
                socket: path.to_owned(),
                config_json: config_json(&store.all()?),
            });
        }
        Ok(std::borrow::Cow::Owned(given))
    }

    fn credentials_lookup(&self) -> impl Fn(&Reference) -> Option<Credentials> + Sync + '_ {
        |r: &Reference| self.credentials_for(r).ok().flatten()
    }

    /// The plans `up` would run now (images, then containers as the engine is now).
    pub async fn compose_plan(
        &self,
        conn: &Connection,
        project: &Project,
        opts: &UpOptions,
    ) -> Result<(Plan, Plan), ApiError> {
        let mut observed = observe_images(conn, project).await?;
        note_models(conn, project, opts, &mut observed).await?;
        Ok((
            plan::images(project, &observed, opts)?,
            containers_plan(project, &observed, opts)?,
        ))
    }

    /// `up`: build or pull what is missing, then create, recreate and start what differs, in
    /// dependency order. With `opts.wait`, returns once every started service is running (and
    /// healthy when it has a healthcheck).
    pub async fn compose_up(
        &self,
        conn: &Connection,
        project: &Project,
        opts: &UpOptions,
        timeout: Option<u32>,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<Vec<String>, ApiError> {
        let (warnings, _) = self.up(conn, project, opts, timeout, events).await?;
        Ok(warnings)
    }

    /// [`Berth::compose_up`], and what its provider services and models gave the services'
    /// containers.
    async fn up(
        &self,
        conn: &Connection,
        project: &Project,
        opts: &UpOptions,
        timeout: Option<u32>,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<(Vec<String>, Given), ApiError> {
        let project = &self.with_api_socket(conn, project)?;
        let creds = self.credentials_lookup();
        let logins = || self.all_credentials();
        let apply_opts = ApplyOptions {
            timeout,
            remove_volumes: false,
            credentials: &creds,
            buildkit: buildkit_from_env(true)?,
            logins: &logins,
            build_memory: None,
            parallel: self.compose_parallel(),
            events,
        };
        let observed = observe_images(conn, project).await?;
        let images = plan::images(project, &observed, opts)?;
        apply::apply(&conn.client, Some(project), &images, &apply_opts).await?;
        let mut observed = observe::observe(&conn.client, &project.name).await?;
        note_models(conn, project, opts, &mut observed).await?;
        let containers = containers_plan(project, &observed, opts)?;
        let given = apply::apply(&conn.client, Some(project), &containers, &apply_opts).await?;
        let mut warnings = containers.warnings;
        warnings.extend(berth_compose::provider::overrides(
            project,
            &given.providers,
        ));
        Ok((warnings, given))
    }

    /// Compose's `--parallel`: at most `limit` steps of a plan at once (`None`: no limit, as
    /// when it is not set).
    pub fn set_compose_parallel(&self, limit: Option<usize>) {
        self.compose_parallel
            .store(limit.unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
    }

    fn compose_parallel(&self) -> Option<usize> {
        match self
            .compose_parallel
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            0 => None,
            n => Some(n),
        }
    }

    /// What `down` would do (`--dry-run`), as its plan.
    pub async fn compose_down_plan(
        &self,
        conn: &Connection,
        project: Option<&Project>,
        name: &str,
        opts: &DownOptions,
    ) -> Result<Plan, ApiError> {
        let observed = observe::observe(&conn.client, name).await?;
        Ok(plan::down(project, &observed, opts)?)
    }

    /// `down`: stop and remove the project's containers and networks (and with `-v` its
    /// volumes, with `--rmi` its images). `project` is `None` when only the name is known.
    pub async fn compose_down(
        &self,
        conn: &Connection,
        project: Option<&Project>,
        name: &str,
        opts: &DownOptions,
        timeout: Option<u32>,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<Vec<String>, ApiError> {
        let observed = observe::observe(&conn.client, name).await?;
        let plan = plan::down(project, &observed, opts)?;
        let creds = self.credentials_lookup();
        let apply_opts = ApplyOptions {
            timeout,
            remove_volumes: opts.volumes,
            credentials: &creds,
            // Nothing is built on the way down.
            buildkit: false,
            logins: &Vec::new,
            build_memory: None,
            parallel: self.compose_parallel(),
            events,
        };
        apply::apply(&conn.client, project, &plan, &apply_opts).await?;
        Ok(plan.warnings)
    }

    /// The project's containers (of `services`, or all; stopped ones too with `all`), ordered
    /// by service and number.
    pub async fn compose_containers(
        &self,
        conn: &Connection,
        name: &str,
        services: &[String],
        all: bool,
    ) -> Result<Vec<ContainerRow>, ApiError> {
        let key = |r: &ContainerRow| {
            let l = |k: &str| r.labels.get(k).cloned().unwrap_or_default();
            let number: u32 = l(berth_compose::labels::NUMBER).parse().unwrap_or(0);
            (l(berth_compose::labels::SERVICE), number, r.names.clone())
        };
        let mut rows: Vec<ContainerRow> = conn
            .client
            .list_containers(all)
            .await?
            .into_iter()
            .map(ContainerRow::from)
            .filter(|r| r.project.as_deref() == Some(name))
            .filter(|r| {
                services.is_empty()
                    || r.labels
                        .get(berth_compose::labels::SERVICE)
                        .is_some_and(|s| services.contains(s))
            })
            .collect();
        rows.sort_by_key(key);
        Ok(rows)
    }

    /// Every compose project on the engine, whoever started it.
    pub async fn compose_projects(
        &self,
        conn: &Connection,
    ) -> Result<Vec<ComposeProjectRow>, ApiError> {
        let containers = observe::all_containers(&conn.client).await?;
        Ok(observe::summarize(&containers)
            .into_iter()
            .map(|p| ComposeProjectRow {
                name: p.name,
                status: p.status,
                config_files: p.config_files,
            })
            .collect())
    }

    /// Start, stop, restart, pause, unpause, kill or remove the project's service containers
    /// (of `services`, or all), in dependency order (reversed for stopping).
    pub async fn compose_lifecycle(
        &self,
        conn: &Connection,
        project: Option<&Project>,
        name: &str,
        services: &[String],
        op: &Lifecycle,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<usize, ApiError> {
        if let Some(p) = project {
            plan::scope(p, services, true)?;
        }
        let observed = observe::observe(&conn.client, name).await?;
        let mut list = apply::order_containers(project, &observed.containers, services);
        if matches!(
            op,
            Lifecycle::Stop { .. } | Lifecycle::Kill { .. } | Lifecycle::Remove { .. }
        ) {
            list.reverse();
        }
        let c = &conn.client;
        let mut count = 0;
        // `stop` stops provider services too (those whose program has a `stop`), in the same
        // reverse dependency order: a provider after the services that depend on it.
        let order = project.map(berth_compose::graph::order).unwrap_or_default();
        let rank = |service: &str| order.iter().position(|s| s == service);
        let mut providers: Vec<&String> = match (op, project) {
            (Lifecycle::Stop { .. }, Some(p)) => order
                .iter()
                .filter(|s| services.is_empty() || services.contains(s))
                .filter(|s| p.services[*s].provider().is_some())
                .collect(),
            _ => Vec::new(),
        };
        for ct in list {
            while let (Some(p), Some(next)) = (project, providers.last())
                && rank(next) > rank(&ct.service)
            {
                count += usize::from(self.stop_provider(conn, p, next, events).await?);
                providers.pop();
            }
            let what = format!("Container {}", ct.name);
            let say = |status: &str| {
                events(ApplyEvent {
                    resource: what.clone(),
                    status: status.to_owned(),
                    detail: None,
                })
            };
            // The service's lifecycle hooks, as compose runs them around a start or a stop.
            let hooks = |kind| lifecycle_hooks(c, project, ct, kind, &what, events);
            match op {
                Lifecycle::Start if !ct.running() => {
                    say("Starting");
                    c.start_container(&ct.id).await?;
                    hooks(hooks::POST_START).await?;
                    say("Started");
                }
                Lifecycle::Stop { timeout } if ct.running() => {
                    hooks(hooks::PRE_STOP).await?;
                    say("Stopping");
                    c.stop_container(&ct.id, *timeout).await?;
                    say("Stopped");
                }
                Lifecycle::Restart { timeout } => {
                    if ct.running() {
                        hooks(hooks::PRE_STOP).await?;
                    }
                    say("Restarting");
                    c.restart_container(&ct.id, *timeout).await?;
                    hooks(hooks::POST_START).await?;
                    say("Started");
                }
                Lifecycle::Pause if ct.state == "running" => {
                    say("Pausing");
                    c.pause_container(&ct.id).await?;
                    say("Paused");
                }
                Lifecycle::Unpause if ct.state == "paused" => {
                    say("Unpausing");
                    c.unpause_container(&ct.id).await?;
                    say("Unpaused");
                }
                Lifecycle::Kill { signal } if ct.running() => {
                    say("Killing");
                    c.kill_container(&ct.id, signal).await?;
                    say("Killed");
                }
                Lifecycle::Remove {
                    stop_first,
                    volumes,
                } => {
                    if ct.running() {
                        if !stop_first {
                            continue;
                        }
                        hooks(hooks::PRE_STOP).await?;
                        say("Stopping");
                        c.stop_container(&ct.id, None).await?;
                        say("Stopped");
                    }
                    say("Removing");
                    c.remove_container(&ct.id, true, *volumes).await?;
                    say("Removed");
                }
                _ => continue,
            }
            count += 1;
        }
        if let Some(p) = project {
            while let Some(next) = providers.pop() {
                count += usize::from(self.stop_provider(conn, p, next, events).await?);
            }
        }
        Ok(count)
    }

    /// Stops provider service `service` by its program's `compose stop`; false when the
    /// program has none.
    async fn stop_provider(
        &self,
        conn: &Connection,
        project: &Project,
        service: &str,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<bool, ApiError> {
        use berth_compose::provider;
        let env = provider::program_environment(project, conn.client.endpoint());
        let report = |status: &str, detail| {
            events(ApplyEvent {
                resource: format!("Service {service}"),
                status: status.to_owned(),
                detail,
            })
        };
        let stopped = provider::run(project, service, provider::Command::Stop, &env, &report);
        Ok(stopped.await?.is_some())
    }

    /// The logs of the project's containers, merged as they arrive; each chunk comes with the
    /// index of its container in `containers`.
    pub fn compose_logs<'a>(
        &'a self,
        conn: &'a Connection,
        containers: &[String],
        opts: &LogOptions,
    ) -> impl Stream<Item = (usize, Result<LogChunk, ApiError>)> + 'a {
        let streams = containers.iter().enumerate().map(|(i, id)| {
            self.logs_raw(conn, id, opts)
                .map(move |chunk| (i, chunk))
                .boxed()
        });
        futures_util::stream::select_all(streams)
    }

    /// Builds the images of the services that have a build section (and with `with_deps`
    /// those of the services they depend on).
    pub async fn compose_build(
        &self,
        conn: &Connection,
        project: &Project,
        services: &[String],
        asked: &BuildAsked,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<(), ApiError> {
        let memory = asked.memory_bytes()?;
        let plan = plan::build(project, services, asked.with_deps)?;
        self.run_plan_building(conn, project, &plan, memory, events)
            .await
            .map(drop)
    }

    /// Pulls the images of the services (those with only a build section are skipped).
    /// Returns what it did not pull and why (skipped as the options and the services'
    /// `pull_policy` say, or, with `ignore_failures`, failed).
    pub async fn compose_pull(
        &self,
        conn: &Connection,
        project: &Project,
        services: &[String],
        asked: &PullAsked,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<Vec<String>, ApiError> {
        let observed = observe_images(conn, project).await?;
        let present = |image: &str| observed.image_id(image).is_some();
        let opts = plan::PullOptions {
            include_deps: asked.include_deps,
            ignore_buildable: asked.ignore_buildable,
            policy: asked.policy.clone(),
            present: &present,
        };
        let plan = plan::pull(project, services, &opts)?;
        let mut warnings = plan.warnings.clone();
        if !asked.ignore_failures {
            self.run_plan(conn, project, &plan, events).await?;
            return Ok(warnings);
        }
        // Each on its own, a failure said rather than stopping the others.
        for step in &plan.steps {
            let one = Plan {
                steps: vec![Step {
                    after: Vec::new(),
                    ..step.clone()
                }],
                warnings: Vec::new(),
            };
            if let Err(e) = self.run_plan(conn, project, &one, events).await {
                warnings.push(format!("{}: not pulled ({e})", step.action));
            }
        }
        Ok(warnings)
    }

    async fn run_plan(
        &self,
        conn: &Connection,
        project: &Project,
        plan: &Plan,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<Given, ApiError> {
        self.run_plan_building(conn, project, plan, None, events)
            .await
    }

    /// [`Self::run_plan`], its builds' steps limited to `build_memory` bytes (`build -m`).
    async fn run_plan_building(
        &self,
        conn: &Connection,
        project: &Project,
        plan: &Plan,
        build_memory: Option<i64>,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<Given, ApiError> {
        let creds = self.credentials_lookup();
        let logins = || self.all_credentials();
        let opts = ApplyOptions {
            timeout: None,
            remove_volumes: false,
            credentials: &creds,
            buildkit: buildkit_from_env(true)?,
            logins: &logins,
            build_memory,
            parallel: self.compose_parallel(),
            events,
        };
        Ok(apply::apply(&conn.client, Some(project), plan, &opts).await?)
    }

    /// The images to push: services with both a build section and an `image:` name (of the
    /// named ones, and of their dependencies when `include_deps`), each one that can be pushed
    /// ([`crate::images::push_target`]).
    pub fn compose_push_targets(
        &self,
        project: &Project,
        services: &[String],
        include_deps: bool,
    ) -> Result<Vec<String>, ApiError> {
        let images: Vec<String> = plan::scope(project, services, !include_deps)?
            .into_iter()
            .filter_map(|name| {
                let svc = &project.services[&name];
                svc.build.as_ref().and(svc.image.clone())
            })
            .collect();
        // Every name checked before the first push.
        for image in &images {
            crate::images::push_target(image)?;
        }
        Ok(images)
    }

    /// An image's id and size (`compose images`).
    pub async fn image_id_and_size(
        &self,
        conn: &Connection,
        name: &str,
    ) -> Result<(String, i64), ApiError> {
        let i = conn.client.inspect_image(name).await?;
        Ok((i.id.unwrap_or_default(), i.size.unwrap_or_default()))
    }

    /// The container of a service replica (`exec --index`), running or not.
    pub async fn compose_container(
        &self,
        conn: &Connection,
        name: &str,
        service: &str,
        index: u32,
    ) -> Result<String, ApiError> {
        let observed = observe::observe(&conn.client, name).await?;
        observed
            .service_containers(service)
            .into_iter()
            .find(|c| c.number == index)
            .map(|c| c.id.clone())
            .ok_or_else(|| {
                ApiError::new(
                    crate::ErrorCode::NotFound,
                    format!("service {service} has no container {index} in project {name}: start it with `berth compose up -d {service}`"),
                )
            })
    }

    /// Creates a one-off container of `service` (`compose run`), after bringing up its
    /// dependencies unless `no_deps`. Returns its id and name; the caller attaches and starts it.
    pub async fn compose_run_container(
        &self,
        conn: &Connection,
        project: &Project,
        service: &str,
        opts: &RunOptions,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<(String, String), ApiError> {
        // A job runs by hand as a one-off container of a service would.
        let with_job;
        let project = match project.jobs.get(service) {
            Some(job) if !job.manual() => {
                return Err(ApiError::invalid(format!(
                    "jobs.{service}: it is declared with triggers.manual: false, so it cannot be run by hand"
                )));
            }
            Some(job) => {
                let mut p = project.clone();
                p.services.insert(service.to_owned(), job.clone());
                with_job = p;
                &with_job
            }
            None => project,
        };
        plan::scope(project, &[service.to_owned()], true)?;
        if project.services[service].provider().is_some() {
            return Err(ApiError::invalid(format!(
                "services.{service}: its provider's program manages it, so it has no container to run"
            )));
        }
        let project = &self.with_api_socket(conn, project)?;
        let mut extra = run_extras(project, opts)?;
        let deps: Vec<String> = project.services[service]
            .depends_on
            .keys()
            .cloned()
            .collect();
        let up = UpOptions {
            services: deps.clone(),
            build: opts.build,
            pull: opts.pull.clone(),
            ..Default::default()
        };
        if opts.remove_orphans {
            let observed = observe::observe(&conn.client, &project.name).await?;
            let removal = plan::remove_orphans(project, &observed);
            self.run_plan(conn, project, &removal, events).await?;
        }
        let mut given = Given::default();
        if !opts.no_deps && !deps.is_empty() {
            given = self.up(conn, project, &up, None, events).await?.1;
        }
        // Its own image, built or pulled as it needs, whether or not its dependencies were
        // brought up (as docker compose run makes sure of it).
        let observed = observe_images(conn, project).await?;
        let own = UpOptions {
            services: vec![service.to_owned()],
            no_deps: true,
            build: opts.build,
            pull: opts.pull.clone(),
            ..Default::default()
        };
        let images = plan::images(project, &observed, &own)?;
        self.run_plan(conn, project, &images, events).await?;
        let mut observed = observe::observe(&conn.client, &project.name).await?;
        note_models(conn, project, &own, &mut observed).await?;
        let infra = infra_plan(project, &observed, service)?;
        given.extend(self.run_plan(conn, project, &infra, events).await?);
        let image = project.services[service].image_name(&project.name, service);
        let image_id = conn
            .client
            .inspect_image(&image)
            .await?
            .id
            .unwrap_or_default();
        let suffix: String = format!("{:x}", std::process::id() as u64 ^ now_nanos())
            .chars()
            .take(12)
            .collect();
        let name = opts
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-{service}-run-{suffix}", project.name));
        // With what the provider services it depends on and its models gave it.
        let with_given;
        let project = if given.is_empty() {
            project
        } else {
            with_given = Project {
                given,
                ..Project::clone(project)
            };
            &with_given
        };
        let mut req = berth_compose::convert::create_request(
            project,
            service,
            1,
            &name,
            &image_id,
            conn.client.api_version(),
            true,
        )?;
        let b = &mut req.body;
        if !opts.command.is_empty() {
            b.cmd = Some(opts.command.clone());
        }
        if opts.entrypoint.is_some() {
            b.entrypoint = opts.entrypoint.clone();
        }
        if let Some(env) = extra.env.take() {
            b.env.get_or_insert_with(Vec::new).extend(env);
        }
        if opts.user.is_some() {
            b.user = opts.user.clone();
        }
        if opts.workdir.is_some() {
            b.working_dir = opts.workdir.clone();
        }
        b.tty = Some(opts.tty);
        b.open_stdin = Some(opts.interactive);
        b.attach_stdin = Some(opts.interactive);
        b.stdin_once = Some(opts.interactive);
        if let Some(h) = b.host_config.as_mut() {
            if !opts.service_ports {
                h.port_bindings = None;
            }
            // A one-off container does not restart.
            h.restart_policy = None;
        }
        // `--rm`, `--cap-add`, `--cap-drop`, `-p`, `-v` and `-l` of the run itself, on top of
        // the service's own.
        let host = b.host_config.get_or_insert_with(Default::default);
        if opts.auto_remove {
            host.auto_remove = Some(true);
        }
        for (list, more) in [
            (&mut host.cap_add, &opts.cap_add),
            (&mut host.cap_drop, &opts.cap_drop),
        ] {
            if !more.is_empty() {
                list.get_or_insert_with(Vec::new)
                    .extend(more.iter().map(|c| berth_docker::options::capability(c)));
            }
        }
        let extra_host = extra.host_config.unwrap_or_default();
        if let Some(bindings) = extra_host.port_bindings {
            host.port_bindings
                .get_or_insert_with(Default::default)
                .extend(bindings);
        }
        if let Some(binds) = extra_host.binds {
            host.binds.get_or_insert_with(Vec::new).extend(binds);
        }
        if let Some(exposed) = extra.exposed_ports {
            b.exposed_ports.get_or_insert_with(Vec::new).extend(exposed);
        }
        if let Some(volumes) = extra.volumes {
            b.volumes.get_or_insert_with(Vec::new).extend(volumes);
        }
        if let Some(labels) = extra.labels {
            b.labels.get_or_insert_with(Default::default).extend(labels);
        }
        if !opts.use_aliases {
            berth_compose::convert::without_aliases(&mut req);
        }
        let made = apply::create_from(&conn.client, service, req).await?;
        apply::warn_each(events, &format!("Container {name}"), made.warnings);
        Ok((made.id, name))
    }
}

/// A one-off's own environment as docker compose gives it: each `-e` (`KEY` alone takes its
/// value from the project's environment, and is left out when unset there), then each
/// `--env-from-file`'s variables that `-e` does not give (a file's values may use the `-e`
/// ones).
fn oneoff_env(
    project: &Project,
    opts: &RunOptions,
    cwd: &std::path::Path,
) -> Result<Vec<String>, ApiError> {
    let mut env: Vec<(String, String)> = Vec::new();
    for spec in &opts.env {
        let from_project = |key: &str| project.environment.get(key).cloned();
        if let Some(kv) = berth_docker::spec::parse_env(spec, from_project)?
            && let Some((k, v)) = kv.split_once('=')
        {
            env.retain(|(key, _)| key != k);
            env.push((k.to_owned(), v.to_owned()));
        }
    }
    let given: BTreeMap<String, String> = env.iter().cloned().collect();
    for file in &opts.env_files {
        let path = cwd.join(file);
        let vars = berth_compose::dotenv::read(&path, &|k: &str| given.get(k).cloned())
            .map_err(|e| ApiError::invalid(format!("--env-from-file {}: {e}", file.display())))?;
        for (k, v) in vars {
            if !env.iter().any(|(key, _)| *key == k) {
                env.push((k, v));
            }
        }
    }
    Ok(env.into_iter().map(|(k, v)| format!("{k}={v}")).collect())
}

/// A one-off run's own `-e`, `--env-from-file`, `-p`, `-v` and `-l`, as the create request's
/// parts they become.
fn run_extras(
    project: &Project,
    opts: &RunOptions,
) -> Result<berth_docker::models::ContainerCreateBody, ApiError> {
    use berth_docker::spec;
    let cwd = opts
        .cwd
        .clone()
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let env = oneoff_env(project, opts, &cwd)?;
    let home = dirs::home_dir();
    let mut ports = Vec::new();
    for p in &opts.publish {
        ports.extend(spec::parse_port(p)?);
    }
    let spec = spec::RunSpec {
        ports,
        mounts: opts
            .volumes
            .iter()
            .map(|v| spec::parse_volume(v, &cwd, home.as_deref()))
            .collect::<Result<_, _>>()?,
        labels: opts
            .labels
            .iter()
            .map(|l| spec::parse_key_value(l))
            .collect::<Result<_, _>>()?,
        ..Default::default()
    };
    let mut body = spec.to_create_body();
    // Only what was given: the spec's defaults (tty, stdin, auto-remove) are the service's.
    let host = body.host_config.take().unwrap_or_default();
    Ok(berth_docker::models::ContainerCreateBody {
        env: (!env.is_empty()).then_some(env),
        exposed_ports: body.exposed_ports.take(),
        volumes: body.volumes.take(),
        labels: body.labels.take(),
        host_config: Some(berth_docker::models::HostConfig {
            port_bindings: host.port_bindings,
            binds: host.binds,
            ..Default::default()
        }),
        ..Default::default()
    })
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
}

/// Only the network and volume steps of an `up` of one service, without its containers.
fn infra_plan(project: &Project, observed: &Observed, service: &str) -> Result<Plan, ApiError> {
    let full = plan::up(
        project,
        observed,
        &UpOptions {
            services: vec![service.to_owned()],
            no_deps: true,
            no_start: true,
            ..Default::default()
        },
    )?;
    let steps = full
        .steps
        .into_iter()
        .filter(|s| {
            matches!(
                s.action,
                Action::CreateNetwork { .. } | Action::CreateVolume { .. } | Action::Model { .. }
            )
        })
        .map(|mut s| {
            s.after.clear();
            s
        })
        .collect();
    Ok(Plan {
        steps,
        warnings: Vec::new(),
    })
}

/// What `up` does to the containers: the plan, and `--wait`'s waits.
fn containers_plan(
    project: &Project,
    observed: &observe::Observed,
    opts: &UpOptions,
) -> Result<Plan, ApiError> {
    let mut containers = plan::up(project, observed, opts)?;
    if opts.wait && !opts.no_start {
        add_waits(project, opts, &mut containers)?;
    }
    Ok(containers)
}

/// `up --wait`: after every started service, wait for it to run (healthy when it has a
/// healthcheck), for at most `--wait-timeout` seconds each.
fn add_waits(project: &Project, opts: &UpOptions, plan: &mut Plan) -> Result<(), ApiError> {
    let mut started: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in plan.steps.iter().enumerate() {
        if let Action::StartContainer { service, .. } = &s.action {
            started.entry(service.clone()).or_default().push(i);
        }
    }
    for name in plan::scope(project, &opts.services, opts.no_deps)? {
        let svc = &project.services[&name];
        let healthy = svc.healthcheck.as_ref().is_some_and(|h| !h.disable);
        let condition = if healthy {
            berth_compose::model::Condition::ServiceHealthy
        } else {
            berth_compose::model::Condition::ServiceStarted
        };
        plan.steps.push(Step {
            action: Action::Await {
                service: name.clone(),
                condition,
                within: opts.wait_timeout,
            },
            reason: "--wait".into(),
            after: started.get(&name).cloned().unwrap_or_default(),
        });
    }
    Ok(())
}

/// The host paths of a batch, as a tar whose entries sit at their container paths.
fn sync_tar(files: &[(&std::path::Path, &str)]) -> Result<Vec<u8>, ApiError> {
    let mut tar = tar::Builder::new(Vec::new());
    tar.follow_symlinks(false);
    for (host, container) in files {
        let name = container.trim_start_matches('/');
        let added = if host.is_dir() {
            tar.append_dir_all(name, host)
        } else {
            tar.append_path_with_name(host, name)
        };
        added.map_err(|e| ApiError::invalid(format!("cannot read {}: {e}", host.display())))?;
    }
    tar.into_inner()
        .map_err(|e| ApiError::invalid(format!("cannot pack the changed files: {e}")))
}

impl Berth {
    /// `compose watch`: follows the `develop.watch` rules of `services` (all when empty) until
    /// the returned future is dropped. Changed files are copied into the service's running
    /// containers (deleted ones removed there), `sync+restart` restarts them afterwards, and
    /// `rebuild` builds the image and recreates the service.
    pub async fn compose_watch(
        &self,
        conn: &Connection,
        project: &Project,
        services: &[String],
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<(), ApiError> {
        use berth_compose::watch;
        let rules = watch::rules(project, services)?;
        let mut paths: Vec<std::path::PathBuf> = rules
            .iter()
            .map(|r| r.path.clone())
            .filter(|p| p.exists())
            .collect();
        paths.sort();
        paths.dedup();
        let mut watcher = watch::watch(&paths, std::time::Duration::from_millis(300))?;
        let say = |resource: String, status: &str, detail: Option<String>| {
            events(ApplyEvent {
                resource,
                status: status.to_owned(),
                detail,
            })
        };
        say(
            "Watch".into(),
            "Enabled",
            Some(format!("{} paths", paths.len())),
        );
        while let Some(batch) = watcher.batches.recv().await {
            let work = watch::classify(&rules, &batch, |p| p.exists());
            for (service, w) in work {
                let what = format!("Service {service}");
                if w.rebuild {
                    say(what.clone(), "Rebuilding", None);
                    self.compose_build(
                        conn,
                        project,
                        std::slice::from_ref(&service),
                        &BuildAsked::default(),
                        events,
                    )
                    .await?;
                    let opts = UpOptions {
                        services: vec![service.clone()],
                        no_deps: true,
                        ..Default::default()
                    };
                    self.compose_up(conn, project, &opts, None, events).await?;
                    say(what.clone(), "Rebuilt", None);
                    continue;
                }
                let present: Vec<(&std::path::Path, &str)> = w
                    .sync
                    .iter()
                    .filter(|(_, (_, exists))| *exists)
                    .map(|(h, (c, _))| (h.as_path(), c.as_str()))
                    .collect();
                let gone: Vec<String> = w
                    .sync
                    .values()
                    .filter(|(_, exists)| !exists)
                    .map(|(c, _)| c.clone())
                    .collect();
                let tar = (!present.is_empty())
                    .then(|| sync_tar(&present).map(bytes::Bytes::from))
                    .transpose()?;
                let containers = self
                    .compose_containers(conn, &project.name, std::slice::from_ref(&service), false)
                    .await?;
                for c in &containers {
                    if let Some(tar) = &tar {
                        let tar = berth_docker::archive::upload_bytes(tar.clone());
                        conn.client.copy_to(&c.id, "/", tar).await?;
                    }
                    if !gone.is_empty() {
                        let mut command = vec!["rm".to_owned(), "-rf".to_owned()];
                        command.extend(gone.iter().cloned());
                        self.exec_to_end(conn, &c.id, command).await?;
                    }
                    if w.restart {
                        conn.client.restart_container(&c.id, None).await?;
                    }
                }
                say(
                    what,
                    if w.restart {
                        "Synced and restarted"
                    } else {
                        "Synced"
                    },
                    Some(format!(
                        "{} changed, {} removed, {} containers",
                        present.len(),
                        gone.len(),
                        containers.len()
                    )),
                );
            }
        }
        Ok(())
    }

    /// Runs a command in a container to its end; errors with its output when it fails.
    async fn exec_to_end(
        &self,
        conn: &Connection,
        id: &str,
        command: Vec<String>,
    ) -> Result<(), ApiError> {
        let out = self.exec_output(conn, id, &command).await?;
        match out.code {
            Some(0) | None => Ok(()),
            Some(code) => Err(ApiError::new(
                crate::ErrorCode::EngineFailed,
                format!(
                    "{} failed in {id} ({code}): {}",
                    command.join(" "),
                    String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).trim()
                ),
            )),
        }
    }

    /// How the project's containers on the engine stand to its files: none yet, or whether `up`
    /// would change them ([`Plan::changes`]).
    pub async fn compose_file_state(
        &self,
        conn: &Connection,
        project: &Project,
    ) -> Result<ProjectFileState, ApiError> {
        let observed = observe::observe(&conn.client, &project.name).await?;
        if observed.containers.iter().all(|c| c.oneoff) {
            return Ok(ProjectFileState::Down);
        }
        let plan = plan::up(project, &observed, &UpOptions::default())?;
        Ok(if plan.changes() {
            ProjectFileState::OutOfDate
        } else {
            ProjectFileState::UpToDate
        })
    }
}

/// How a project's containers on the engine stand to its compose files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProjectFileState {
    /// None of its containers is on the engine: `up` would make them all.
    Down,
    /// `up` would create, recreate or remove a container, or make a network anew (the files
    /// changed since).
    OutOfDate,
    /// Its containers are what the files say (running or stopped).
    UpToDate,
}

/// A compose project as the app opens it from a folder or a file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ComposeFileView {
    pub name: String,
    /// The files it was loaded from, absolute.
    pub files: Vec<String>,
    pub services: Vec<String>,
    /// The normalised project, as `config` prints it.
    pub config: String,
    /// How its containers on the engine stand to the files; `None` without an engine.
    pub state: Option<ProjectFileState>,
    /// Its services that a program of their own manages (`provider:`), with no container.
    pub providers: Vec<ProviderService>,
    /// The AI models it declares, served by Docker Model Runner.
    pub models: Vec<ProjectModel>,
    /// Its jobs: containers run to completion by hand (`compose run JOB`) or on a schedule.
    pub jobs: Vec<ProjectJob>,
    /// The profiles its services and jobs name, each with whether it is enabled.
    pub profiles: Vec<ProjectProfile>,
}

/// A profile a project's services or jobs name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ProjectProfile {
    pub name: String,
    pub enabled: bool,
    /// Enabled by the files' environment (`COMPOSE_PROFILES`, in `.env` or Berth's own), not
    /// by the app's choice: the app cannot turn it off.
    pub by_environment: bool,
    /// The services and jobs it enables (those naming it).
    pub services: Vec<String>,
}

/// A job of a project.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ProjectJob {
    pub name: String,
    /// Whether it may be run by hand (not `triggers.manual: false`).
    pub manual: bool,
    /// Its cron lines, which Berth does not run.
    pub schedules: Vec<String>,
    /// The profiles that enable it; none enabled, it is listed still and runs when named, as
    /// `compose run JOB` enables the job it names.
    pub profiles: Vec<String>,
    /// Whether its profiles leave it out of the project as loaded (no schedule said by `up`).
    pub disabled: bool,
}

/// A service of a project that its provider's program manages.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ProviderService {
    pub service: String,
    /// The provider's type: the program `docker-TYPE` (or `TYPE`) that runs it.
    pub kind: String,
}

/// A model a project declares (`models:`), and the services that use it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ProjectModel {
    pub key: String,
    /// The model's reference, e.g. `ai/smollm2`.
    pub model: String,
    pub services: Vec<String>,
}

/// What the app names a project by: a folder (its compose file is found as `compose`
/// finds it), a file, or the comma-separated files of a project's labels; and the profiles it
/// enables besides those of the files' environment (`*` for all), as `--profile` does.
fn load_options(path: &str, profiles: &[String]) -> Result<LoadOptions, ApiError> {
    if path.trim().is_empty() {
        return Err(ApiError::invalid(
            "no compose file: pick a folder holding compose.yaml or the file itself",
        ));
    }
    let p = std::path::Path::new(path);
    let profiles = profiles.to_vec();
    Ok(if p.is_dir() {
        LoadOptions {
            working_dir: Some(p.to_path_buf()),
            profiles,
            ..Default::default()
        }
    } else {
        LoadOptions {
            files: path
                .split(',')
                .filter(|f| !f.is_empty())
                .map(std::path::PathBuf::from)
                .collect(),
            profiles,
            ..Default::default()
        }
    })
}

/// The profiles of `project` as the app shows them: `requested` are those the app enabled.
fn project_profiles(project: &Project, requested: &[String]) -> Vec<ProjectProfile> {
    let active = &project.active_profiles;
    let all = active.contains("*");
    let asked = |p: &str| requested.iter().any(|r| r == p || r == "*");
    berth_compose::config::profiles(project)
        .into_iter()
        .map(|name| {
            let enabled = all || active.contains(&name);
            ProjectProfile {
                by_environment: enabled && !asked(&name),
                services: project
                    .services
                    .iter()
                    .chain(&project.disabled)
                    .chain(&project.jobs)
                    .chain(&project.disabled_jobs)
                    .filter(|(_, s)| s.profiles.contains(&name))
                    .map(|(n, _)| n.clone())
                    .collect(),
                enabled,
                name,
            }
        })
        .collect()
}

impl Berth {
    /// Loads the project at `path` (a folder, a file, or comma-separated files) with
    /// `profiles` enabled besides those of its environment.
    pub fn compose_open(&self, path: &str, profiles: &[String]) -> Result<Project, ApiError> {
        self.compose_load(&load_options(path, profiles)?)
    }

    /// [`Berth::compose_open`] with every profile enabled (`*`); as its environment enables
    /// them when that does not load (a service only a profile enables may be broken).
    fn compose_open_whole(&self, path: &str) -> Result<Project, ApiError> {
        self.compose_open(path, &["*".to_owned()])
            .or_else(|_| self.compose_open(path, &[]))
    }

    /// [`Berth::compose_open`] with `service` (or job) named, as on a command line: enabled
    /// whatever its profiles.
    fn compose_open_naming(
        &self,
        path: &str,
        profiles: &[String],
        service: &str,
    ) -> Result<Project, ApiError> {
        self.compose_load(&LoadOptions {
            services: vec![service.to_owned()],
            ..load_options(path, profiles)?
        })
    }

    /// [`Berth::compose_open`] as the app shows it, with its state on the engine when one answers.
    pub async fn compose_view(
        &self,
        conn: Option<&Connection>,
        path: &str,
        profiles: &[String],
    ) -> Result<ComposeFileView, ApiError> {
        let project = self.compose_open(path, profiles)?;
        let state = match conn {
            Some(conn) => Some(self.compose_file_state(conn, &project).await?),
            None => None,
        };
        Ok(ComposeFileView {
            name: project.name.clone(),
            files: project
                .config_files
                .iter()
                .map(|f| f.display().to_string())
                .collect(),
            services: berth_compose::config::services(&project),
            config: berth_compose::config::yaml(&project)?,
            state,
            providers: project
                .services
                .iter()
                .filter_map(|(service, svc)| {
                    svc.provider().map(|p| ProviderService {
                        service: service.clone(),
                        kind: p.kind,
                    })
                })
                .collect(),
            models: project
                .models
                .iter()
                .map(|(key, def)| ProjectModel {
                    key: key.clone(),
                    model: def.model.clone(),
                    services: project
                        .services
                        .iter()
                        .filter(|(_, svc)| svc.models().contains_key(key))
                        .map(|(name, _)| name.clone())
                        .collect(),
                })
                .collect(),
            jobs: project
                .jobs
                .iter()
                .map(|j| (j, false))
                .chain(project.disabled_jobs.iter().map(|j| (j, true)))
                .map(|((name, job), disabled)| ProjectJob {
                    name: name.clone(),
                    manual: job.manual(),
                    schedules: job.schedules(),
                    profiles: job.profiles.clone(),
                    disabled,
                })
                .collect(),
            profiles: project_profiles(&project, profiles),
        })
    }

    /// Each change of the files of the project at `path` (its compose files and the env files
    /// that fed it, as it loads now, and a compose file made beside them, such as a new
    /// `compose.override.yaml`), debounced: the app reads [`Berth::compose_view`] again on
    /// each, so that "out of date" follows edits. Ends never; dropped to stop.
    pub fn compose_file_changes(
        &self,
        path: &str,
    ) -> Result<impl Stream<Item = Result<(), ApiError>> + Send + use<>, ApiError> {
        // Every profile's: the env files of services the app may enable are followed too.
        let project = self.compose_open_whole(path)?;
        let (watcher, files) = berth_compose::watch::watch_drift(&project, FILE_QUIET)?;
        let concerns = move |p: &std::path::PathBuf| {
            files.contains(p)
                || p.parent()
                    .is_some_and(|dir| files.iter().any(|f| f.parent() == Some(dir)))
                    && p.file_name().is_some_and(|n| {
                        berth_compose::load::is_compose_file_name(&n.to_string_lossy())
                    })
        };
        Ok(futures_util::stream::unfold(
            (watcher, concerns),
            |(mut watcher, concerns)| async move {
                loop {
                    let batch = watcher.batches.recv().await?;
                    if batch.iter().any(&concerns) {
                        return Some((Ok(()), (watcher, concerns)));
                    }
                }
            },
        ))
    }

    /// `up -d` for the project at `path`, with `profiles` enabled.
    pub async fn compose_up_path(
        &self,
        conn: &Connection,
        path: &str,
        profiles: &[String],
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<Vec<String>, ApiError> {
        let project = self.compose_open(path, profiles)?;
        self.compose_up(conn, &project, &UpOptions::default(), None, events)
            .await
    }

    /// The project `name` as its files (`path`, possibly empty) say it, while they are still
    /// there and still name it; every profile enabled, so that what the app does to a project
    /// (down, start, stop, restart) reaches each of its containers, as Docker Desktop's does.
    fn files_of(&self, name: &str, path: &str) -> Option<Project> {
        self.compose_open_whole(path)
            .ok()
            .filter(|p| p.name == name)
    }

    /// `down` for the project `name`, whole (the containers of every profile); its files
    /// (`path`, possibly empty) are read when they are still there, and with `volumes` its
    /// named volumes go too.
    pub async fn compose_down_name(
        &self,
        conn: &Connection,
        name: &str,
        path: &str,
        volumes: bool,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<Vec<String>, ApiError> {
        let project = self.files_of(name, path);
        let opts = DownOptions {
            volumes,
            ..Default::default()
        };
        self.compose_down(conn, project.as_ref(), name, &opts, None, events)
            .await
    }

    /// What [`Berth::compose_down_name`] would remove now, one line each (`container NAME`,
    /// `network NAME`, `volume NAME`): what the app lists before a Down with volumes. With
    /// `volumes`, each container's anonymous volumes go too (the engine removes them with it).
    pub async fn compose_down_preview(
        &self,
        conn: &Connection,
        name: &str,
        path: &str,
        volumes: bool,
    ) -> Result<Vec<String>, ApiError> {
        let project = self.files_of(name, path);
        let observed = observe::observe(&conn.client, name).await?;
        let opts = DownOptions {
            volumes,
            ..Default::default()
        };
        let plan = plan::down(project.as_ref(), &observed, &opts)?;
        let mut lines: Vec<String> = plan
            .steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::RemoveContainer { name, .. } => Some(format!("container {name}")),
                Action::RemoveNetwork { name } => Some(format!("network {name}")),
                Action::RemoveVolume { name } => Some(format!("volume {name}")),
                _ => None,
            })
            .collect();
        if volumes && lines.iter().any(|l| l.starts_with("container ")) {
            lines.push("the anonymous volumes of these containers".to_owned());
        }
        Ok(lines)
    }

    /// Starts, stops or restarts the project `name`'s containers, as `compose start`, `stop`
    /// and `restart` do: in the order of its services' `depends_on` when its files (`path`,
    /// possibly empty) are still there, else by service name.
    pub async fn compose_lifecycle_name(
        &self,
        conn: &Connection,
        name: &str,
        path: &str,
        op: &Lifecycle,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<usize, ApiError> {
        let project = self.files_of(name, path);
        self.compose_lifecycle(conn, project.as_ref(), name, &[], op, events)
            .await
    }

    /// Runs the job `job` of the project at `path` by hand, detached (`compose run -d JOB`):
    /// its one-off container made (after what it depends on) and started, said as the last
    /// event (`Container NAME  Started`, its id as the detail). Returns its id.
    pub async fn compose_run_job_path(
        &self,
        conn: &Connection,
        path: &str,
        profiles: &[String],
        job: &str,
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<String, ApiError> {
        // Named, so enabled whatever its profiles, as `compose run JOB` enables it.
        let project = self.compose_open_naming(path, profiles, job)?;
        if !project.jobs.contains_key(job) {
            return Err(ApiError::new(
                crate::ErrorCode::NotFound,
                format!(
                    "jobs.{job}: project {} has no such job (its files changed?): open it again",
                    project.name
                ),
            ));
        }
        let opts = RunOptions {
            cwd: Some(project.working_dir.clone()),
            ..Default::default()
        };
        let (id, name) = self
            .compose_run_container(conn, &project, job, &opts, events)
            .await?;
        self.start(conn, &id).await?;
        events(ApplyEvent {
            resource: format!("Container {name}"),
            status: "Started".into(),
            detail: Some(id.clone()),
        });
        Ok(id)
    }

    /// Watches the project at `path` with `profiles` enabled (sync, rebuild, restart as its
    /// `develop.watch` says) until the returned future is dropped.
    pub async fn compose_watch_path(
        &self,
        conn: &Connection,
        path: &str,
        profiles: &[String],
        events: &(dyn Fn(ApplyEvent) + Sync),
    ) -> Result<(), ApiError> {
        let project = self.compose_open(path, profiles)?;
        self.compose_watch(conn, &project, &[], events).await
    }
}

/// One line of a project's progress, as the app shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ProjectEvent {
    pub resource: String,
    pub status: String,
    pub detail: Option<String>,
}

impl Berth {
    /// Runs a project action for the app as a stream of its progress: `up` and `watch` (on
    /// the files at `path`, with `profiles` enabled), `down`, `down_volumes`, `start`, `stop`
    /// or `restart` (of the project `name`, whole), `run` of the job `job` (on the files at
    /// `path`, with `profiles` enabled). The action stops when the stream is dropped.
    pub fn compose_action(
        self: &std::sync::Arc<Self>,
        conn: Connection,
        action: String,
        name: String,
        path: String,
        job: Option<String>,
        profiles: Vec<String>,
    ) -> impl Stream<Item = Result<ProjectEvent, ApiError>> + use<> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let berth = self.clone();
        let task = tokio::spawn(async move {
            let events_tx = tx.clone();
            let events = move |e: ApplyEvent| {
                let _ = events_tx.send(Ok(ProjectEvent {
                    resource: e.resource,
                    status: e.status,
                    detail: e.detail,
                }));
            };
            // What the plan warns of (keys not applied, orphans), said among the progress.
            let warn = |warnings: Vec<String>| {
                for w in warnings {
                    let _ = tx.send(Ok(ProjectEvent {
                        resource: "Warning".into(),
                        status: w,
                        detail: None,
                    }));
                }
            };
            let done = match action.as_str() {
                "up" => berth
                    .compose_up_path(&conn, &path, &profiles, &events)
                    .await
                    .map(warn),
                "down" | "down_volumes" => berth
                    .compose_down_name(&conn, &name, &path, action == "down_volumes", &events)
                    .await
                    .map(warn),
                "start" | "stop" | "restart" => {
                    let op = match action.as_str() {
                        "start" => Lifecycle::Start,
                        "stop" => Lifecycle::Stop { timeout: None },
                        _ => Lifecycle::Restart { timeout: None },
                    };
                    berth
                        .compose_lifecycle_name(&conn, &name, &path, &op, &events)
                        .await
                        .map(drop)
                }
                "watch" => {
                    berth
                        .compose_watch_path(&conn, &path, &profiles, &events)
                        .await
                }
                "run" => match job.as_deref() {
                    Some(job) => berth
                        .compose_run_job_path(&conn, &path, &profiles, job, &events)
                        .await
                        .map(drop),
                    None => Err(ApiError::invalid(
                        "compose action run: name the job to run".to_owned(),
                    )),
                },
                other => Err(ApiError::invalid(format!(
                    "compose action {other:?}: choose up, down, down_volumes, start, stop, restart, watch or run"
                ))),
            };
            if let Err(e) = done {
                let _ = tx.send(Err(e));
            }
        });
        // Dropping the stream aborts the action (a watch runs until then).
        let abort = AbortOnDrop(task.abort_handle());
        futures_util::stream::unfold((rx, abort), |(mut rx, abort)| async move {
            rx.recv().await.map(|item| (item, (rx, abort)))
        })
    }
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What the engine has of the project, with the local images due for a pull under their
/// services' time-based `pull_policy`: what planning its images needs.
async fn observe_images(conn: &Connection, project: &Project) -> Result<Observed, ApiError> {
    let mut observed = observe::observe(&conn.client, &project.name).await?;
    observe::note_refreshes(&conn.client, project, &mut observed).await?;
    Ok(observed)
}

/// Notes in `observed` the models the model runner has pulled, when the services `opts` covers
/// use any.
async fn note_models(
    conn: &Connection,
    project: &Project,
    opts: &UpOptions,
    observed: &mut Observed,
) -> Result<(), ApiError> {
    let services = plan::scope(project, &opts.services, opts.no_deps)?;
    observe::note_models(project, &services, conn.client.endpoint(), observed).await?;
    Ok(())
}

/// Runs the `kind` hooks of a container's service (none without the project's files), their
/// output as `Hook` progress lines of `what`.
async fn lifecycle_hooks(
    client: &berth_docker::Client,
    project: Option<&Project>,
    container: &observe::Container,
    kind: &str,
    what: &str,
    events: &(dyn Fn(ApplyEvent) + Sync),
) -> Result<(), ApiError> {
    let Some(service) = project.and_then(|p| p.services.get(&container.service)) else {
        return Ok(());
    };
    let list = hooks::of(service, &container.service, kind)?;
    let line = |text: String| {
        events(ApplyEvent {
            resource: what.to_owned(),
            status: "Hook".to_owned(),
            detail: Some(text),
        })
    };
    hooks::run(
        client,
        &container.id,
        &container.service,
        kind,
        &list,
        &line,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::StreamExt;

    #[tokio::test]
    async fn a_projects_files_are_followed_and_an_override_made_beside_them_too() {
        let dir = tempfile::tempdir().unwrap();
        let berth = crate::offline_berth(dir.path());
        let project = dir.path().join("shop");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(
            project.join("compose.yaml"),
            "services:\n  web:\n    image: a\n",
        )
        .unwrap();
        let mut changes = Box::pin(
            berth
                .compose_file_changes(&project.display().to_string())
                .unwrap(),
        );
        let told = async |changes: &mut std::pin::Pin<Box<_>>| {
            tokio::time::timeout(Duration::from_secs(10), StreamExt::next(changes))
                .await
                .map(|c: Option<Result<(), crate::ApiError>>| c.unwrap().unwrap())
        };
        std::fs::write(
            project.join("compose.yaml"),
            "services:\n  web:\n    image: b\n",
        )
        .unwrap();
        told(&mut changes).await.expect("an edit told");
        std::fs::write(
            project.join("compose.override.yaml"),
            "services:\n  web:\n    image: c\n",
        )
        .unwrap();
        told(&mut changes).await.expect("a new override told");
    }

    #[tokio::test]
    async fn the_view_of_a_project_names_its_provider_services_models_and_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let berth = crate::offline_berth(dir.path());
        std::fs::write(
            dir.path().join("compose.yaml"),
            "name: shop\nservices:\n  database:\n    provider: {type: awesomecloud}\n  web:\n    image: a\n    models: [llm]\n    depends_on: [database]\nmodels:\n  llm: {model: ai/smollm2}\n  spare: {model: ai/x}\njobs:\n  nightly:\n    image: a\n    triggers: {schedule: ['0 3 * * *']}\n  migrate:\n    image: a\n    command: echo migrated\n    profiles: [maintenance]\n    triggers: {manual: true}\n",
        )
        .unwrap();
        let view = berth
            .compose_view(None, &dir.path().display().to_string(), &[])
            .await
            .unwrap();
        assert_eq!(
            view.providers,
            [super::ProviderService {
                service: "database".into(),
                kind: "awesomecloud".into()
            }]
        );
        let models: Vec<(&str, &str, Vec<String>)> = view
            .models
            .iter()
            .map(|m| (m.key.as_str(), m.model.as_str(), m.services.clone()))
            .collect();
        assert_eq!(
            models,
            [
                ("llm", "ai/smollm2", vec!["web".to_owned()]),
                ("spare", "ai/x", vec![])
            ]
        );
        assert_eq!(
            view.jobs,
            [
                super::ProjectJob {
                    name: "nightly".into(),
                    manual: true,
                    schedules: vec!["0 3 * * *".into()],
                    profiles: vec![],
                    disabled: false,
                },
                super::ProjectJob {
                    name: "migrate".into(),
                    manual: true,
                    schedules: vec![],
                    profiles: vec!["maintenance".into()],
                    disabled: true,
                }
            ]
        );
        assert!(view.state.is_none(), "no engine, no state");
        assert_eq!(
            view.profiles,
            [super::ProjectProfile {
                name: "maintenance".into(),
                enabled: false,
                by_environment: false,
                services: vec!["migrate".into()],
            }]
        );
    }

    #[test]
    fn a_project_opened_whole_has_every_profile_unless_one_does_not_load() {
        let dir = tempfile::tempdir().unwrap();
        let berth = crate::offline_berth(dir.path());
        let file = dir.path().join("compose.yaml");
        let path = dir.path().display().to_string();
        let services = |p: super::Project| p.services.keys().cloned().collect::<Vec<_>>();
        std::fs::write(&file, "name: shop\nservices:\n  web:\n    image: a\n  debug:\n    image: a\n    profiles: [debug]\n").unwrap();
        assert_eq!(
            services(berth.compose_open_whole(&path).unwrap()),
            ["debug", "web"]
        );
        // Enabled, `debug` would not load (its network is not declared): as its environment has it.
        std::fs::write(&file, "name: shop\nservices:\n  web:\n    image: a\n  debug:\n    image: a\n    profiles: [debug]\n    networks: [nope]\n").unwrap();
        assert!(berth.compose_open(&path, &["debug".into()]).is_err());
        assert_eq!(services(berth.compose_open_whole(&path).unwrap()), ["web"]);
    }

    #[tokio::test]
    async fn the_view_says_which_profiles_are_enabled_and_by_what() {
        let dir = tempfile::tempdir().unwrap();
        let berth = crate::offline_berth(dir.path());
        std::fs::write(
            dir.path().join("compose.yaml"),
            "name: shop\nservices:\n  web:\n    image: a\n  debug:\n    image: a\n    profiles: [debug]\n  admin:\n    image: a\n    profiles: [ops, debug]\n  seed:\n    image: a\n    profiles: [ops]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join(".env"), "COMPOSE_PROFILES=debug\n").unwrap();
        let path = dir.path().display().to_string();
        let view = |profiles: Vec<String>| {
            let (berth, path) = (&berth, &path);
            async move { berth.compose_view(None, path, &profiles).await.unwrap() }
        };
        let said = |v: &super::ComposeFileView| {
            v.profiles
                .iter()
                .map(|p| {
                    format!(
                        "{} {} {} {}",
                        p.name,
                        p.enabled,
                        p.by_environment,
                        p.services.join(",")
                    )
                })
                .collect::<Vec<_>>()
        };
        let plain = view(vec![]).await;
        assert_eq!(
            said(&plain),
            ["debug true true admin,debug", "ops false false admin,seed"]
        );
        assert_eq!(plain.services, ["admin", "debug", "web"]);
        let ops = view(vec!["ops".into()]).await;
        assert_eq!(
            said(&ops),
            ["debug true true admin,debug", "ops true false admin,seed"]
        );
        assert_eq!(ops.services, ["admin", "debug", "seed", "web"]);
        let all = view(vec!["*".into()]).await;
        assert_eq!(
            said(&all),
            ["debug true false admin,debug", "ops true false admin,seed"]
        );
    }

    #[tokio::test]
    async fn a_services_env_file_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let berth = crate::offline_berth(dir.path());
        let project = dir.path().join("shop");
        std::fs::create_dir_all(project.join("conf")).unwrap();
        std::fs::write(
            project.join("compose.yaml"),
            "services:\n  web:\n    image: a\n    env_file: conf/web.env\n",
        )
        .unwrap();
        std::fs::write(project.join("conf/web.env"), "MODE=one\n").unwrap();
        let mut changes = Box::pin(
            berth
                .compose_file_changes(&project.display().to_string())
                .unwrap(),
        );
        std::fs::write(project.join("conf/web.env"), "MODE=two\n").unwrap();
        tokio::time::timeout(Duration::from_secs(10), StreamExt::next(&mut changes))
            .await
            .expect("the env file's edit told within 10 s")
            .expect("a change")
            .unwrap();
    }
}
