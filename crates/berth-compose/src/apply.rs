//! Executing a plan: every step runs as soon as the steps it waits for are done, as many at
//! once as the plan allows. Nothing is decided here; a failed step stops new steps from
//! starting, lets running ones finish, and is reported with the resource it was about. What a
//! provider service's program gives the services that depend on it, and where the model runner
//! serves the models a service uses, go into the containers made after it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use berth_docker::build::{BuildEvent, BuildSpec};
use berth_docker::containers::Created;
use berth_docker::{Client, Credentials, Reference};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::Value;

use crate::model::{Condition, Given, Project};
use crate::model_runner::Runner;
use crate::plan::{Action, Plan};
use crate::provider;
use crate::{Error, convert, hooks};

/// One line of progress: `Container demo-web-1  Started`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyEvent {
    /// `Container demo-web-1`, `Network demo_default`, `Image busybox`, `Service db`.
    pub resource: String,
    /// `Creating`, `Created`, `Starting`, `Started`, `Waiting`, `Healthy`, `Pulling`, `Error`...
    pub status: String,
    /// Build output, pull progress, or the error text.
    pub detail: Option<String>,
}

/// Finds credentials for an image reference (the facade's login store).
pub type CredentialsFor<'a> = &'a (dyn Fn(&Reference) -> Option<Credentials> + Sync);

pub struct ApplyOptions<'a> {
    /// Seconds a container gets to stop before it is killed (`-t`); the engine's default
    /// (or the service's `stop_grace_period`) when `None`.
    pub timeout: Option<u32>,
    /// Remove anonymous volumes with the containers (`down -v`).
    pub remove_volumes: bool,
    pub credentials: CredentialsFor<'a>,
    /// Builds with the engine's BuildKit (compose's default) rather than its classic builder.
    pub buildkit: bool,
    /// Every stored login, handed to builds for their base images (read only when something
    /// is built: reading them can run credential helpers).
    pub logins: &'a (dyn Fn() -> Vec<Credentials> + Sync),
    /// `build -m`: the memory limit, in bytes, of every build's steps' containers.
    pub build_memory: Option<i64>,
    /// `--parallel`: at most this many steps at once (`None`: as many as are ready).
    pub parallel: Option<usize>,
    pub events: &'a (dyn Fn(ApplyEvent) + Sync),
}

fn emit(opts: &ApplyOptions<'_>, resource: &str, status: &str, detail: Option<String>) {
    (opts.events)(ApplyEvent {
        resource: resource.to_owned(),
        status: status.to_owned(),
        detail,
    });
}

/// Runs the plan. `project` is needed for any step that creates or builds. Returns what the
/// provider services and the models it ran gave the containers.
pub async fn apply(
    client: &Client,
    project: Option<&Project>,
    plan: &Plan,
    opts: &ApplyOptions<'_>,
) -> Result<Given, Error> {
    let given = Mutex::new(Given::default());
    let given = &given;
    let n = plan.steps.len();
    let mut done = vec![false; n];
    let mut started = vec![false; n];
    let mut running = FuturesUnordered::new();
    let mut failures: Vec<String> = Vec::new();
    let limit = opts.parallel.unwrap_or(usize::MAX).max(1);
    loop {
        if failures.is_empty() {
            for (i, step) in plan.steps.iter().enumerate() {
                if running.len() < limit && !started[i] && step.after.iter().all(|a| done[*a]) {
                    started[i] = true;
                    let action = &step.action;
                    running
                        .push(async move { (i, run(client, project, action, opts, given).await) });
                }
            }
        }
        match running.next().await {
            Some((i, Ok(()))) => done[i] = true,
            Some((_, Err(e))) => failures.push(e.to_string()),
            None => break,
        }
    }
    if failures.is_empty() {
        Ok(std::mem::take(&mut *lock(given)))
    } else {
        Err(Error::Apply(failures.join("; ")))
    }
}

fn project_of(project: Option<&Project>) -> Result<&Project, Error> {
    project.ok_or_else(|| Error::invalid("plan", "this step needs the project's compose files"))
}

fn lock(given: &Mutex<Given>) -> std::sync::MutexGuard<'_, Given> {
    given.lock().unwrap_or_else(|e| e.into_inner())
}

/// `project` with what the steps run so far gave, for a container made now.
fn with_given<'p>(project: &'p Project, given: &Mutex<Given>) -> Cow<'p, Project> {
    let given = lock(given);
    if given.is_empty() {
        return Cow::Borrowed(project);
    }
    let mut p = project.clone();
    p.given.extend(given.clone());
    Cow::Owned(p)
}

async fn run(
    client: &Client,
    project: Option<&Project>,
    action: &Action,
    opts: &ApplyOptions<'_>,
    given: &Mutex<Given>,
) -> Result<(), Error> {
    let fail = |resource: &str, e: Error| {
        emit(opts, resource, "Error", Some(e.to_string()));
        e
    };
    match action {
        Action::CreateNetwork { key, name } => {
            let what = format!("Network {name}");
            let p = project_of(project)?;
            emit(opts, &what, "Creating", None);
            let spec = convert::network_spec(p, key);
            client
                .create_network(&spec)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Created", None);
        }
        Action::CreateVolume { key, name } => {
            let what = format!("Volume {name}");
            let p = project_of(project)?;
            emit(opts, &what, "Creating", None);
            let def = &p.volumes[key];
            let labels = convert::volume_labels(p, key);
            client
                .create_volume(Some(name), def.driver.as_deref(), &def.driver_opts, &labels)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Created", None);
        }
        Action::Build { service, image } => {
            let what = format!("Image {image}");
            let p = project_of(project)?;
            emit(opts, &what, "Building", None);
            build(client, p, service, image, opts)
                .await
                .map_err(|e| fail(&what, e))?;
            emit(opts, &what, "Built", None);
        }
        Action::Pull { image, service } => {
            let what = format!("Image {image}");
            emit(opts, &what, "Pulling", None);
            let reference = Reference::parse(image)
                .map_err(|e| fail(&what, Error::invalid(image.clone(), e.reason)))?;
            let creds = (opts.credentials)(&reference);
            // The service's platform, as its containers will ask for it.
            let platform = project
                .and_then(|p| p.services.get(service))
                .and_then(|s| s.platform());
            let mut stream = std::pin::pin!(client.pull_for(&reference, creds.as_ref(), platform));
            while let Some(item) = stream.next().await {
                let p = item.map_err(|e| fail(&what, e.into()))?;
                if let Some(id) = &p.id
                    && p.status == "Pull complete"
                {
                    emit(opts, &what, "Pulling", Some(format!("{id} Pull complete")));
                }
            }
            emit(opts, &what, "Pulled", None);
        }
        Action::CreateContainer {
            service,
            number,
            name,
        } => {
            let what = format!("Container {name}");
            let p = &with_given(project_of(project)?, given);
            emit(opts, &what, "Creating", None);
            let warnings = create(client, p, service, *number, name, None)
                .await
                .map_err(|e| fail(&what, e))?;
            emit(opts, &what, "Created", None);
            warn_each(opts.events, &what, warnings);
        }
        Action::RecreateContainer {
            service,
            number,
            name,
            old_id,
            pre_stop,
            inherit,
        } => {
            let what = format!("Container {name}");
            let p = &with_given(project_of(project)?, given);
            emit(opts, &what, "Recreate", None);
            // As docker compose: the new one made beside the old one, under a name of its own,
            // before the old one stops, so that a failure leaves the old one (and its volumes)
            // as it was; then the old one stopped (its pre_stop hooks first) and removed, and
            // the new one given its name.
            let old = client
                .inspect_container(old_id)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            let temporary = format!("{}_{name}", &old_id[..old_id.len().min(12)]);
            let inherited = inherit.then_some(&old);
            let made = async {
                let warnings = create(client, p, service, *number, &temporary, inherited).await?;
                stop(client, old_id, service, pre_stop, &what, opts).await?;
                Ok::<_, Error>(warnings)
            };
            let warnings = match made.await {
                Ok(warnings) => warnings,
                Err(e) => {
                    // Not left beside the old one (its volumes stay, the old one's among them).
                    let _ = client.remove_container(&temporary, true, false).await;
                    return Err(fail(&what, e));
                }
            };
            async {
                client.remove_container(old_id, true, false).await?;
                client.rename_container(&temporary, name).await
            }
            .await
            .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Recreated", None);
            warn_each(opts.events, &what, warnings);
        }
        Action::PreStart {
            service,
            container,
            steps,
        } => {
            let p = &with_given(project_of(project)?, given);
            for i in 0..steps.len() {
                let req =
                    convert::pre_start_request(p, service, container, i, client.api_version())?;
                let what = format!("Container {}", req.name);
                emit(opts, &what, "Starting", None);
                let line = |text: String| emit(opts, &what, "Hook", Some(text));
                hooks::run_pre_start(client, &p.name, service, i, req, &line)
                    .await
                    .map_err(|e| fail(&what, e))?;
                emit(opts, &what, "Exited", None);
            }
        }
        Action::StartContainer {
            service,
            name,
            post_start,
        } => {
            let what = format!("Container {name}");
            emit(opts, &what, "Starting", None);
            client
                .start_container(name)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            run_hooks(
                client,
                name,
                service,
                hooks::POST_START,
                post_start,
                &what,
                opts,
            )
            .await
            .map_err(|e| fail(&what, e))?;
            emit(opts, &what, "Started", None);
        }
        Action::StopContainer {
            service,
            name,
            id,
            pre_stop,
        } => {
            let what = format!("Container {name}");
            stop(client, id, service, pre_stop, &what, opts)
                .await
                .map_err(|e| fail(&what, e))?;
        }
        Action::RemoveContainer {
            service,
            name,
            id,
            running,
            pre_stop,
        } => {
            let what = format!("Container {name}");
            if *running {
                stop(client, id, service, pre_stop, &what, opts)
                    .await
                    .map_err(|e| fail(&what, e))?;
            }
            emit(opts, &what, "Removing", None);
            client
                .remove_container(id, true, opts.remove_volumes)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Removed", None);
        }
        Action::Await {
            service,
            condition,
            within,
        } => {
            let p = project_of(project)?;
            let wait = wait_for(client, &p.name, service, *condition, opts);
            match within {
                None => wait.await?,
                Some(s) => tokio::time::timeout(Duration::from_secs(u64::from(*s)), wait)
                    .await
                    .map_err(|_| {
                        let e = Error::Apply(format!(
                            "service {service} was not {} within {s} s (--wait-timeout); its containers are left as they are",
                            if *condition == Condition::ServiceHealthy {
                                "healthy"
                            } else {
                                "running"
                            }
                        ));
                        emit(opts, &format!("Service {service}"), "Error", Some(e.to_string()));
                        e
                    })??,
            }
        }
        Action::RemoveNetwork { name } => {
            let what = format!("Network {name}");
            emit(opts, &what, "Removing", None);
            client
                .remove_network(name)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Removed", None);
        }
        Action::DisconnectNetwork { name, network } => {
            let what = format!("Container {name}");
            client
                .disconnect_network(network, name, false)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Disconnected", Some(network.clone()));
        }
        Action::ConnectNetwork {
            service,
            number,
            name,
            oneoff,
            network,
        } => {
            let what = format!("Container {name}");
            let endpoint = match project.filter(|p| p.services.contains_key(service)) {
                Some(p) => convert::endpoint_on(
                    p,
                    service,
                    *number,
                    name,
                    *oneoff,
                    network,
                    client.api_version(),
                )
                .map_err(|e| fail(&what, e))?,
                None => Default::default(),
            };
            client
                .connect_network_with(network, name, endpoint)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Connected", Some(network.clone()));
        }
        Action::RemoveVolume { name } => {
            let what = format!("Volume {name}");
            emit(opts, &what, "Removing", None);
            client
                .remove_volume(name, false)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Removed", None);
        }
        Action::Provider {
            service, command, ..
        } => {
            let what = format!("Service {service}");
            let p = project_of(project)?;
            let env = provider::program_environment(p, client.endpoint());
            let report = |status: &str, detail| emit(opts, &what, status, detail);
            let vars = provider::run(p, service, *command, &env, &report)
                .await
                .map_err(|e| fail(&what, e))?;
            if let Some(vars) = vars.filter(|_| *command == provider::Command::Up) {
                lock(given).providers.insert(service.clone(), vars);
            }
        }
        Action::Model { key, model, pull } => {
            let p = project_of(project)?;
            let def = &p.models[key];
            let what = format!("Model {}", def.name.as_deref().unwrap_or(key));
            let env = provider::program_environment(p, client.endpoint());
            let runner = Runner::find(&env, &p.working_dir)
                .await
                .map_err(|e| fail(&what, e))?;
            if *pull {
                emit(opts, &what, "Pulling", None);
                let report = |status: &str, detail| emit(opts, &what, status, detail);
                runner
                    .pull(model, &report)
                    .await
                    .map_err(|e| fail(&what, e))?;
                emit(opts, &what, "Pulled", None);
            }
            emit(opts, &what, "Configuring", None);
            runner.configure(def).await.map_err(|e| fail(&what, e))?;
            let endpoint = runner.endpoint().await.map_err(|e| fail(&what, e))?;
            lock(given).models.insert(key.clone(), endpoint);
            emit(opts, &what, "Configured", None);
        }
        Action::RemoveImage { name } => {
            let what = format!("Image {name}");
            emit(opts, &what, "Removing", None);
            client
                .remove_image(name, false)
                .await
                .map_err(|e| fail(&what, e.into()))?;
            emit(opts, &what, "Removed", None);
        }
    }
    Ok(())
}

/// Runs a container's hooks, their output as progress lines (`Hook`) of `what`.
async fn run_hooks(
    client: &Client,
    id: &str,
    service: &str,
    kind: &str,
    list: &[hooks::Hook],
    what: &str,
    opts: &ApplyOptions<'_>,
) -> Result<(), Error> {
    let line = |text: String| emit(opts, what, "Hook", Some(text));
    hooks::run(client, id, service, kind, list, &line).await
}

/// What the engine warned of as it made `what`, one `Warning` line each (as docker compose
/// shows them).
pub fn warn_each(events: &(dyn Fn(ApplyEvent) + Sync), what: &str, warnings: Vec<String>) {
    for w in warnings {
        events(ApplyEvent {
            resource: what.to_owned(),
            status: "Warning".to_owned(),
            detail: Some(w),
        });
    }
}

/// Makes container `name` of `service`; returns what the engine warned of.
async fn create(
    client: &Client,
    project: &Project,
    service: &str,
    number: u32,
    name: &str,
    inherit: Option<&bollard::models::ContainerInspectResponse>,
) -> Result<Vec<String>, Error> {
    let image = project.services[service].image_name(&project.name, service);
    let inspected = client.inspect_image(&image).await.map_err(|e| match e {
        berth_docker::Error::NotFound { .. } => Error::invalid(
            format!("services.{service}"),
            format!("image {image} is not here: pull or build it first"),
        ),
        other => other.into(),
    })?;
    let image_id = inspected.id.as_deref().unwrap_or_default();
    let mut req = convert::create_request(
        project,
        service,
        number,
        name,
        image_id,
        client.api_version(),
        false,
    )?;
    if let Some(old) = inherit {
        let image_volumes = inspected.config.and_then(|c| c.volumes).unwrap_or_default();
        convert::inherit(&mut req, project, service, &image_volumes, old);
    }
    Ok(create_from(client, service, req).await?.warnings)
}

/// Makes a container of `service` as `req` says: created, connected to its other networks,
/// its secret and config files copied in.
pub async fn create_from(
    client: &Client,
    service: &str,
    req: convert::CreateRequest,
) -> Result<Created, Error> {
    let made = client
        .create_container_from(Some(&req.name), req.platform.as_deref(), req.body)
        .await?;
    let id = &made.id;
    for (network, endpoint) in req.connect {
        client.connect_network_with(&network, id, endpoint).await?;
    }
    if !req.files.is_empty() {
        let tar = files_tar(&req.files)
            .map_err(|e| Error::invalid(format!("services.{service}.secrets"), e.to_string()))?;
        client
            .copy_to(id, "/", berth_docker::archive::upload_bytes(tar))
            .await?;
    }
    Ok(made)
}

/// The files as a tar to unpack at the container's `/` (the engine makes missing folders).
fn files_tar(files: &[crate::host::FileCopy]) -> std::io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    for f in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(f.content.len() as u64);
        header.set_mode(f.mode);
        header.set_uid(f.uid);
        header.set_gid(f.gid);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(
            &mut header,
            f.path.trim_start_matches('/'),
            f.content.as_slice(),
        )?;
    }
    tar.into_inner()
}

async fn build(
    client: &Client,
    project: &Project,
    service: &str,
    image: &str,
    opts: &ApplyOptions<'_>,
) -> Result<(), Error> {
    let b = project.services[service]
        .build
        .as_ref()
        .ok_or_else(|| Error::invalid(format!("services.{service}"), "has no build section"))?;
    let args = crate::host::build_args(b);
    let mut tags = vec![image.to_owned()];
    tags.extend(b.tags.iter().cloned());
    // The service's platform, else the one its build names: the engine's builder makes one.
    let platforms: Vec<&str> = b
        .other
        .get("platforms")
        .and_then(Value::as_array)
        .map(|p| p.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let platform = match (project.services[service].platform(), platforms.as_slice()) {
        (Some(p), _) => Some(p.to_owned()),
        (None, []) => None,
        (None, [one]) => Some((*one).to_owned()),
        (None, _) => {
            return Err(Error::invalid(
                format!("services.{service}.build.platforms"),
                "the engine's builder makes one platform at a time: name one (or set the service's platform)",
            ));
        }
    };
    let what = format!("Image {image}");
    let remote = berth_docker::build::remote_context(&b.context);
    // `dockerfile_inline`: written to a file of its own for the build, which packs it with the
    // context under a name of its own (as a Dockerfile from outside the context goes).
    let inline = match b.other.get("dockerfile_inline") {
        None => None,
        Some(_) if remote.is_some() => {
            return Err(Error::invalid(
                format!("services.{service}.build.dockerfile_inline"),
                "cannot go with a context the engine fetches (a URL): put the Dockerfile in it",
            ));
        }
        Some(text) => Some(inline_dockerfile(service, text)?),
    };
    let mut limits = crate::host::build_limits(b, service)?;
    limits.memory = opts.build_memory.or(limits.memory);
    let mut warnings = Vec::new();
    if opts.buildkit && limits.any() {
        warnings.push(format!(
            "services.{service}.build: shm_size, ulimits and build -m are sent, but the engine's \
             BuildKit may not apply them (Docker 20.10's does not): DOCKER_BUILDKIT=0 builds \
             with the classic builder, which does"
        ));
    }
    let ignored = crate::host::build_not_applied(b);
    if !ignored.is_empty() {
        warnings.push(format!(
            "services.{service}.build: {} not applied by Berth (the image is built without {})",
            ignored.join(", "),
            if ignored.len() == 1 { "it" } else { "them" }
        ));
    }
    for w in warnings {
        emit(opts, &what, "Building", Some(format!("warning: {w}")));
    }
    let spec = BuildSpec {
        buildkit: opts.buildkit,
        credentials: (opts.logins)(),
        output: None,
        context: PathBuf::from(&b.context),
        // A Git repository's or an archive's URL, fetched by the engine (as compose hands it
        // to the builder).
        remote,
        archive: None,
        dockerfile: match &inline {
            Some(file) => Some(file.path().to_path_buf()),
            None => b.dockerfile.as_ref().map(PathBuf::from),
        },
        tags,
        build_args: args,
        target: b.target.clone(),
        labels: b.labels.clone(),
        no_cache: b.no_cache.unwrap_or(false),
        pull: b.pull.unwrap_or(false),
        network: b
            .other
            .get("network")
            .and_then(Value::as_str)
            .map(str::to_owned),
        extra_hosts: b
            .other
            .get("extra_hosts")
            .and_then(Value::as_object)
            .map(|hosts| {
                hosts
                    .iter()
                    .filter_map(|(h, ip)| ip.as_str().map(|ip| format!("{h}:{ip}")))
                    .collect()
            })
            .unwrap_or_default(),
        cache_from: b
            .other
            .get("cache_from")
            .and_then(Value::as_array)
            .map(|images| {
                images
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        force_rm: false,
        keep_step_containers: false,
        limits,
        platform,
        secrets: crate::host::build_secrets(project, service)?,
        ssh: crate::host::build_ssh(b, service)?,
    };
    let mut stream = std::pin::pin!(client.build(&spec)?);
    while let Some(event) = stream.next().await {
        match event? {
            BuildEvent::Step {
                number,
                total,
                instruction,
            } => emit(
                opts,
                &what,
                "Building",
                Some(format!("Step {number}/{total} : {instruction}")),
            ),
            BuildEvent::Output(line) => emit(opts, &what, "Building", Some(line)),
            BuildEvent::Pull(_) | BuildEvent::Built { .. } => {}
        }
    }
    Ok(())
}

/// A service's `dockerfile_inline` in a temporary file, removed when dropped.
fn inline_dockerfile(service: &str, text: &Value) -> Result<tempfile::NamedTempFile, Error> {
    let at = format!("services.{service}.build.dockerfile_inline");
    let text = text
        .as_str()
        .ok_or_else(|| Error::invalid(&at, "expected the Dockerfile's text"))?;
    tempfile::Builder::new()
        .prefix("berth-dockerfile-")
        .tempfile()
        .and_then(|file| std::fs::write(file.path(), text).map(|()| file))
        .map_err(|e| Error::invalid(&at, format!("cannot write it to a temporary file: {e}")))
}

/// Waits until every container of `service` satisfies `condition`.
async fn wait_for(
    client: &Client,
    project: &str,
    service: &str,
    condition: Condition,
    opts: &ApplyOptions<'_>,
) -> Result<(), Error> {
    let what = format!("Service {service}");
    let ids: Vec<(String, String)> = crate::observe::observe(client, project)
        .await?
        .service_containers(service)
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    match condition {
        Condition::ServiceStarted => Ok(()),
        Condition::ServiceCompletedSuccessfully => {
            emit(opts, &what, "Waiting", None);
            for (id, name) in ids {
                let code = client.wait_container(&id).await?;
                if code != 0 {
                    let e = Error::Apply(format!(
                        "service {service} did not complete successfully: {name} exited with code {code}"
                    ));
                    emit(opts, &what, "Error", Some(e.to_string()));
                    return Err(e);
                }
            }
            emit(opts, &what, "Exited", None);
            Ok(())
        }
        Condition::ServiceHealthy => {
            emit(opts, &what, "Waiting", None);
            for (id, name) in ids {
                wait_healthy(client, service, &id, &name)
                    .await
                    .inspect_err(|e| {
                        emit(opts, &what, "Error", Some(e.to_string()));
                    })?;
            }
            emit(opts, &what, "Healthy", None);
            Ok(())
        }
    }
}

/// Compose checks health by asking the engine; so does Berth, every half second.
async fn wait_healthy(client: &Client, service: &str, id: &str, name: &str) -> Result<(), Error> {
    loop {
        let info = client.inspect_container(id).await?;
        let state = info.state.unwrap_or_default();
        let health = state.health.unwrap_or_default();
        let status = health.status.map(|s| s.to_string());
        match status.as_deref() {
            Some("healthy") => return Ok(()),
            Some("unhealthy") => {
                let last = health
                    .log
                    .unwrap_or_default()
                    .pop()
                    .and_then(|l| l.output)
                    .map(|o| o.trim().replace('\n', " "))
                    .filter(|o| !o.is_empty())
                    .map(|o| format!(": {o}"))
                    .unwrap_or_default();
                return Err(Error::Apply(format!(
                    "dependency {service} is unhealthy ({name}){last}"
                )));
            }
            None | Some("none") | Some("") => {
                return Err(Error::Apply(format!(
                    "dependency {service} has no healthcheck: give it one, or depend on it with condition service_started"
                )));
            }
            _ => {}
        }
        if state.running == Some(false) {
            return Err(Error::Apply(format!(
                "dependency {service} exited before it was healthy ({name}, code {})",
                state.exit_code.unwrap_or_default()
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Stops a running container of `service`, its `pre_stop` hooks first.
async fn stop(
    client: &Client,
    id: &str,
    service: &str,
    pre_stop: &[hooks::Hook],
    what: &str,
    opts: &ApplyOptions<'_>,
) -> Result<(), Error> {
    run_hooks(client, id, service, hooks::PRE_STOP, pre_stop, what, opts).await?;
    emit(opts, what, "Stopping", None);
    client.stop_container(id, opts.timeout).await?;
    emit(opts, what, "Stopped", None);
    Ok(())
}

/// Which containers of a project a lifecycle command acts on, in dependency order.
pub fn order_containers<'c>(
    project: Option<&Project>,
    containers: &'c [crate::observe::Container],
    services: &[String],
) -> Vec<&'c crate::observe::Container> {
    let order: BTreeMap<String, usize> = project
        .map(|p| {
            crate::graph::order(p)
                .into_iter()
                .enumerate()
                .map(|(i, s)| (s, i))
                .collect()
        })
        .unwrap_or_default();
    let mut list: Vec<_> = containers
        .iter()
        .filter(|c| !c.oneoff && (services.is_empty() || services.contains(&c.service)))
        .collect();
    list.sort_by(|a, b| {
        order
            .get(&a.service)
            .cmp(&order.get(&b.service))
            .then(a.service.cmp(&b.service))
            .then(a.number.cmp(&b.number))
    });
    list
}
