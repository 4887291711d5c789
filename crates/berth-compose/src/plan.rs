//! Pure planning: from the model, what the engine has (observed by labels) and the command's
//! options, the steps that make the engine match — each step with the steps it must wait for,
//! and a printable form that tests compare as golden text. Nothing here talks to the engine;
//! `apply` executes a plan without deciding anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::hooks::{self, Hook};
use crate::model::{Condition, Project};
use crate::observe::{Container, Observed};
use crate::provider;
use crate::{Error, graph, labels};

/// What `up`/`create` were asked.
#[derive(Clone, Debug, Default)]
pub struct UpOptions {
    /// Services named on the command line; empty means all.
    pub services: Vec<String>,
    /// Do not bring up the named services' dependencies.
    pub no_deps: bool,
    pub force_recreate: bool,
    /// `--always-recreate-deps`: the dependencies of the named services recreated, changed or
    /// not.
    pub always_recreate_deps: bool,
    pub no_recreate: bool,
    pub remove_orphans: bool,
    /// `--scale service=n`.
    pub scale: BTreeMap<String, u32>,
    /// `--build`: build images before starting.
    pub build: bool,
    /// `--no-build`: never build; missing images are an error.
    pub no_build: bool,
    /// `--pull always|missing|never` (overrides each service's `pull_policy`).
    pub pull: Option<String>,
    /// Create containers without starting them (`create`, `up --no-start`).
    pub no_start: bool,
    /// `-V`: a recreated container gets new anonymous volumes instead of its predecessor's.
    pub renew_anon_volumes: bool,
    /// `--wait`: after every started service, wait for it to run (healthy when it has a
    /// healthcheck).
    pub wait: bool,
    /// `--wait-timeout`: at most this many seconds for each of those waits.
    pub wait_timeout: Option<u32>,
}

/// What `pull` was asked.
pub struct PullOptions<'a> {
    /// `--include-deps`: the named services' dependencies too.
    pub include_deps: bool,
    /// `--ignore-buildable`: not the images of services with `build:`.
    pub ignore_buildable: bool,
    /// `--policy missing|always` (over each service's `pull_policy`).
    pub policy: Option<String>,
    /// Whether an image is here already (for `missing`).
    pub present: &'a dyn Fn(&str) -> bool,
}

impl Default for PullOptions<'_> {
    fn default() -> Self {
        Self {
            include_deps: false,
            ignore_buildable: false,
            policy: None,
            present: &|_| false,
        }
    }
}

/// What `down` was asked.
#[derive(Clone, Debug, Default)]
pub struct DownOptions {
    /// `-v`: remove named volumes declared by the project and anonymous volumes.
    pub volumes: bool,
    /// `--rmi all|local`.
    pub rmi: Option<String>,
    pub remove_orphans: bool,
}

/// One thing to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Build {
        service: String,
        image: String,
    },
    Pull {
        service: String,
        image: String,
    },
    CreateNetwork {
        key: String,
        name: String,
    },
    CreateVolume {
        key: String,
        name: String,
    },
    CreateContainer {
        service: String,
        number: u32,
        name: String,
    },
    /// Create the new container beside the old one (with the old one's anonymous volumes when
    /// `inherit`), stop the old one (its service's `pre_stop` hooks first, when it runs),
    /// remove it and give the new one its name.
    RecreateContainer {
        service: String,
        number: u32,
        name: String,
        old_id: String,
        pre_stop: Vec<Hook>,
        inherit: bool,
    },
    /// Run the service's `pre_start` steps, one after the other, each in a container of its
    /// own with the volumes of `container` (its first, made but not started).
    PreStart {
        service: String,
        container: String,
        steps: Vec<Hook>,
    },
    /// Start, then run the service's `post_start` hooks in it.
    StartContainer {
        service: String,
        name: String,
        post_start: Vec<Hook>,
    },
    /// Stop a running container (after the `pre_stop` hooks of its service), to start it again
    /// later in the plan.
    StopContainer {
        service: String,
        name: String,
        id: String,
        pre_stop: Vec<Hook>,
    },
    /// Stop (when running, after the `pre_stop` hooks of its service) and remove.
    RemoveContainer {
        service: String,
        name: String,
        id: String,
        running: bool,
        pre_stop: Vec<Hook>,
    },
    /// Wait until the service's containers satisfy the condition (for at most `within`
    /// seconds, when given).
    Await {
        service: String,
        condition: Condition,
        within: Option<u32>,
    },
    RemoveNetwork {
        name: String,
    },
    /// Take a container off a network, to make the network anew.
    DisconnectNetwork {
        name: String,
        network: String,
    },
    /// Put a container back on a network made anew, with the endpoint its service gives it
    /// there (without the service's aliases for a one-off; a plain one for a container whose
    /// service the files no longer have).
    ConnectNetwork {
        service: String,
        number: u32,
        name: String,
        oneoff: bool,
        network: String,
    },
    RemoveVolume {
        name: String,
    },
    RemoveImage {
        name: String,
    },
    /// Run the program of a service with `provider:` (its `compose up`, `down` or `stop`).
    Provider {
        service: String,
        kind: String,
        command: provider::Command,
    },
    /// Have the model runner serve a model of `models:` (pulled first when `pull`), and find
    /// where it serves it.
    Model {
        key: String,
        model: String,
        pull: bool,
    },
}

/// One step: an action, why, and the steps it waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    pub reason: String,
    pub after: Vec<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Things the user should know that are not steps (orphans left alone, ...).
    pub warnings: Vec<String>,
}

impl Plan {
    fn push(&mut self, action: Action, reason: impl Into<String>, after: Vec<usize>) -> usize {
        let mut after = after;
        after.sort_unstable();
        after.dedup();
        self.steps.push(Step {
            action,
            reason: reason.into(),
            after,
        });
        self.steps.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Whether an `up` plan changes what runs: makes, remakes or removes a container, or makes
    /// a network anew (what the app calls "out of date"; waits and starts alone do not).
    pub fn changes(&self) -> bool {
        self.steps.iter().any(|s| {
            matches!(
                s.action,
                Action::CreateContainer { .. }
                    | Action::RecreateContainer { .. }
                    | Action::RemoveContainer { .. }
                    | Action::RemoveNetwork { .. }
            )
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Build { service, image } => {
                write!(f, "image:{image} Build (service {service})")
            }
            Action::Pull { service, image } => write!(f, "image:{image} Pull (service {service})"),
            Action::CreateNetwork { name, .. } => write!(f, "network:{name} Create"),
            Action::CreateVolume { name, .. } => write!(f, "volume:{name} Create"),
            Action::CreateContainer { name, .. } => write!(f, "container:{name} Create"),
            Action::StopContainer { name, pre_stop, .. } => write!(
                f,
                "container:{name} Stop{}",
                hook_count(hooks::PRE_STOP, pre_stop)
            ),
            Action::RecreateContainer {
                name,
                pre_stop,
                inherit,
                ..
            } => write!(
                f,
                "container:{name} Recreate{}{}",
                if *inherit {
                    ""
                } else {
                    " (new anonymous volumes)"
                },
                hook_count(hooks::PRE_STOP, pre_stop)
            ),
            Action::PreStart {
                service,
                container,
                steps,
            } => write!(
                f,
                "service:{service} PreStart (pre_start steps: {}, volumes from {container})",
                steps.len()
            ),
            Action::StartContainer {
                name, post_start, ..
            } => write!(
                f,
                "container:{name} Start{}",
                hook_count(hooks::POST_START, post_start)
            ),
            Action::RemoveContainer {
                name,
                running,
                pre_stop,
                ..
            } => write!(
                f,
                "container:{name} {}{}",
                if *running { "Stop+Remove" } else { "Remove" },
                hook_count(hooks::PRE_STOP, pre_stop)
            ),
            Action::Await {
                service,
                condition,
                within,
            } => {
                let c = serde_json::to_value(condition).unwrap_or_default();
                write!(f, "service:{service} Await {}", c.as_str().unwrap_or(""))?;
                match within {
                    Some(s) => write!(f, " (at most {s} s)"),
                    None => Ok(()),
                }
            }
            Action::RemoveNetwork { name } => write!(f, "network:{name} Remove"),
            Action::DisconnectNetwork { name, network } => {
                write!(f, "container:{name} Disconnect {network}")
            }
            Action::ConnectNetwork { name, network, .. } => {
                write!(f, "container:{name} Connect {network}")
            }
            Action::RemoveVolume { name } => write!(f, "volume:{name} Remove"),
            Action::RemoveImage { name } => write!(f, "image:{name} Remove"),
            Action::Provider {
                service,
                kind,
                command,
            } => write!(
                f,
                "service:{service} Provider {kind} compose {}",
                command.as_str()
            ),
            Action::Model { key, model, pull } => write!(
                f,
                "model:{key} {}Configure {model}",
                if *pull { "Pull+" } else { "" }
            ),
        }
    }
}

/// ` (post_start hooks: 2)`, or nothing when there are none.
fn hook_count(kind: &str, hooks: &[Hook]) -> String {
    if hooks.is_empty() {
        String::new()
    } else {
        format!(" ({kind} hooks: {})", hooks.len())
    }
}

/// `#2 container:demo-web-1 Create, not found [after #0 #1]`, one line per step.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            write!(f, "#{i} {}, {}", step.action, step.reason)?;
            if !step.after.is_empty() {
                let after: Vec<String> = step.after.iter().map(|a| format!("#{a}")).collect();
                write!(f, " [after {}]", after.join(" "))?;
            }
            writeln!(f)?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}

/// The services an operation covers: the named ones (all when none), plus their dependencies
/// unless `no_deps`. Errors for a name that is not a service.
pub fn scope(project: &Project, named: &[String], no_deps: bool) -> Result<Vec<String>, Error> {
    for n in named {
        if !project.services.contains_key(n) {
            let hint = if project.disabled.contains_key(n) {
                " (it is disabled by its profiles: enable one with --profile)"
            } else if project.jobs.contains_key(n) {
                " (it is a job: run it with `compose run`)"
            } else {
                ""
            };
            return Err(Error::invalid(n.clone(), format!("no such service{hint}")));
        }
    }
    let mut wanted: BTreeSet<String> = if named.is_empty() {
        project.services.keys().cloned().collect()
    } else {
        named.iter().cloned().collect()
    };
    if !no_deps {
        let mut stack: Vec<String> = wanted.iter().cloned().collect();
        while let Some(s) = stack.pop() {
            for dep in project.services[&s].depends_on.keys() {
                if wanted.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
    }
    Ok(graph::order(project)
        .into_iter()
        .filter(|s| wanted.contains(s))
        .collect())
}

/// Which images to build or pull before containers are planned.
pub fn images(project: &Project, observed: &Observed, opts: &UpOptions) -> Result<Plan, Error> {
    let mut plan = Plan::default();
    let mut seen = BTreeSet::new();
    for name in scope(project, &opts.services, opts.no_deps)? {
        let svc = &project.services[&name];
        if svc.provider().is_some() {
            continue;
        }
        let image = svc.image_name(&project.name, &name);
        let policy = opts
            .pull
            .clone()
            .or_else(|| svc.pull_policy.clone())
            .unwrap_or_else(|| "missing".to_owned());
        // The pre_start steps' own images, when not here, as docker compose pulls them.
        for step in hooks::of(svc, &name, hooks::PRE_START)? {
            if let Some(hook_image) = step.image
                && policy != "never"
                && observed.image_id(&hook_image).is_none()
                && seen.insert(hook_image.clone())
            {
                plan.push(
                    Action::Pull {
                        service: name.clone(),
                        image: hook_image,
                    },
                    "not found (a pre_start step's)",
                    vec![],
                );
            }
        }
        if !seen.insert(image.clone()) {
            continue;
        }
        let local = observed.image_id(&image).is_some();
        let refreshes =
            opts.pull.is_none() && svc.refresh_after(&format!("services.{name}"))?.is_some();
        let service = name.clone();
        if svc.build.is_some() {
            if opts.build || policy == "build" {
                plan.push(Action::Build { service, image }, "--build", vec![]);
            } else if !local && opts.no_build {
                return Err(Error::invalid(
                    format!("services.{name}"),
                    format!("image {image} is not here and --no-build was given: build it first"),
                ));
            } else if !local {
                plan.push(Action::Build { service, image }, "not found", vec![]);
            } else if policy == "always" {
                plan.push(
                    Action::Pull { service, image },
                    "pull_policy always",
                    vec![],
                );
            }
            continue;
        }
        match policy.as_str() {
            "always" => {
                plan.push(
                    Action::Pull { service, image },
                    "pull_policy always",
                    vec![],
                );
            }
            "never" if !local => {
                return Err(Error::invalid(
                    format!("services.{name}"),
                    format!("image {image} is not here and pull_policy is never: pull or build it"),
                ));
            }
            _ if !local => {
                plan.push(Action::Pull { service, image }, "not found", vec![]);
            }
            // A time-based policy of the service's own (not overridden by --pull) that is due.
            _ if refreshes && observed.due.contains(&image) => {
                plan.push(
                    Action::Pull { service, image },
                    format!("pull_policy {policy}, due"),
                    vec![],
                );
            }
            _ => {}
        }
    }
    Ok(plan)
}

/// `build`: the images of the services named (all when none is) that have a build section,
/// and with `with_deps` those of the services they depend on.
pub fn build(project: &Project, services: &[String], with_deps: bool) -> Result<Plan, Error> {
    let mut plan = Plan::default();
    for name in scope(project, services, !with_deps)? {
        let svc = &project.services[&name];
        if svc.build.is_some() && svc.provider().is_none() {
            let image = svc.image_name(&project.name, &name);
            plan.push(
                Action::Build {
                    service: name,
                    image,
                },
                "build",
                vec![],
            );
        }
    }
    Ok(plan)
}

/// `pull`: the images of the services that name one (each image once).
pub fn pull(project: &Project, services: &[String], opts: &PullOptions) -> Result<Plan, Error> {
    let mut plan = Plan::default();
    let mut seen = BTreeSet::new();
    for name in scope(project, services, !opts.include_deps)? {
        let svc = &project.services[&name];
        if svc.provider().is_some() {
            continue;
        }
        // As compose pulls: not what its pull_policy keeps from the registry, not an image
        // here already under --policy missing, not one it can build under --ignore-buildable.
        let policy = opts.policy.as_deref().or(svc.pull_policy.as_deref());
        let skipped = if matches!(svc.pull_policy.as_deref(), Some("never" | "build")) {
            svc.pull_policy
                .as_deref()
                .map(|p| format!("pull_policy {p}"))
        } else if svc.build.is_some() && opts.ignore_buildable {
            Some("--ignore-buildable: it can be built".to_owned())
        } else if matches!(policy, Some("missing" | "if_not_present"))
            && svc.image.as_deref().is_some_and(|i| (opts.present)(i))
        {
            Some("here already".to_owned())
        } else {
            None
        };
        if let Some(why) = skipped {
            plan.warnings.push(format!("{name}: not pulled ({why})"));
            continue;
        }
        let steps = hooks::of(svc, &name, hooks::PRE_START)?;
        let images = svc.image.iter().cloned();
        // And the images of its pre_start steps, as docker compose pulls them.
        for image in images.chain(steps.into_iter().filter_map(|s| s.image)) {
            if seen.insert(image.clone()) {
                plan.push(
                    Action::Pull {
                        service: name.clone(),
                        image,
                    },
                    "pull",
                    vec![],
                );
            }
        }
    }
    Ok(plan)
}

/// The networks and volumes `services` use.
fn resources(project: &Project, services: &[String]) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut nets = BTreeSet::new();
    let mut vols = BTreeSet::new();
    for s in services {
        let svc = &project.services[s];
        if svc.provider().is_some() {
            continue;
        }
        nets.extend(svc.networks.keys().cloned());
        for m in &svc.volumes {
            if m.kind == "volume"
                && let Some(src) = &m.source
                && project.volumes.contains_key(src)
            {
                vols.insert(src.clone());
            }
        }
    }
    (nets, vols)
}

/// The container name of a service replica.
pub fn container_name(project: &Project, service: &str, number: u32) -> String {
    match &project.services[service].container_name {
        Some(n) => n.clone(),
        None => format!("{}-{service}-{number}", project.name),
    }
}

/// What `up` (and `create`) does to the containers, networks and volumes. Call after the
/// images plan has run, with `observed` taken afterwards.
pub fn up(project: &Project, observed: &Observed, opts: &UpOptions) -> Result<Plan, Error> {
    let mut plan = Plan::default();
    let services = scope(project, &opts.services, opts.no_deps)?;
    for name in &services {
        let keys = crate::host::not_applied(&project.services[name]);
        if !keys.is_empty() {
            plan.warnings.push(format!(
                "services.{name}: {} not applied by Berth (its containers are made without {})",
                keys.join(", "),
                if keys.len() == 1 { "it" } else { "them" }
            ));
        }
    }
    if opts.services.is_empty() {
        for (name, job) in &project.jobs {
            let schedules = job.schedules();
            if !schedules.is_empty() {
                plan.warnings.push(format!(
                    "jobs.{name}: its schedule ({}) is not run by Berth (docker compose hands it to the engine's jobs extension){}",
                    schedules.join(", "),
                    if job.manual() {
                        format!(": run it by hand with `compose run {name}`")
                    } else {
                        String::new()
                    }
                ));
            }
        }
    }
    let (nets, vols) = resources(project, &services);
    let mut infra = Vec::new();
    // The containers this plan stops to make a network of theirs anew (by id, with the step),
    // and the steps that put each container back on a network made anew: what is done to a
    // container afterwards waits for those.
    let mut stopped: BTreeMap<String, usize> = BTreeMap::new();
    let mut back: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for key in &nets {
        let def = &project.networks[key];
        let name = project.network_name(key);
        if let Some(found) = observed.network(&name) {
            if !def.external {
                // As compose: a network not made as this key's is refused, not taken over.
                if found.key.as_deref() != Some(key.as_str()) {
                    return Err(Error::invalid(
                        format!("networks.{key}"),
                        format!(
                            "network {name} is on the engine but was not made by compose for it (its com.docker.compose.network label is {:?}): set `external: true` to use it, or remove it",
                            found.key.as_deref().unwrap_or_default()
                        ),
                    ));
                }
                plan.warnings
                    .extend(not_made_here("network", &name, found, project));
                let spec = crate::convert::network_spec(project, key);
                let changed = found.made_otherwise(&spec.labels);
                // Containers not of the project on it: the network cannot be removed, so it is
                // left as it is (rather than the project's containers taken off it for nothing).
                let strangers: Vec<&str> = found
                    .attached
                    .iter()
                    .filter(|n| !observed.containers.iter().any(|c| c.name == **n))
                    .map(String::as_str)
                    .collect();
                if changed && !strangers.is_empty() {
                    plan.warnings.push(format!(
                        "network {name}'s definition changed, but containers not of this project are on it ({}): it is used as it is; disconnect them (`berth network disconnect {name} CONTAINER`) to have it made anew",
                        strangers.join(", ")
                    ));
                } else if changed {
                    let renewal = Renewal {
                        key,
                        name: &name,
                        services: &services,
                        no_start: opts.no_start,
                    };
                    infra.push(renewal.push(
                        &mut plan,
                        project,
                        observed,
                        &mut stopped,
                        &mut back,
                    )?);
                }
            }
            continue;
        }
        if def.external {
            return Err(Error::invalid(
                format!("networks.{key}"),
                format!(
                    "external network {name:?} does not exist: create it with `berth network create {name}`"
                ),
            ));
        }
        let key = key.clone();
        infra.push(plan.push(Action::CreateNetwork { key, name }, "not found", vec![]));
    }
    for key in &vols {
        let def = &project.volumes[key];
        let name = project.volume_name(key);
        if let Some(found) = observed.volume(&name) {
            if !def.external {
                plan.warnings
                    .extend(not_made_here("volume", &name, found, project));
            }
            // A volume holds data: one whose definition changed is said, not made anew
            // (compose asks).
            if found.made_otherwise(&crate::convert::volume_labels(project, key)) {
                plan.warnings.push(format!(
                    "volume {name} was made from another definition of volumes.{key} (driver, driver_opts or labels): it is used as it is, with its data; to have it made anew, take the project down and remove it (`berth volume rm {name}`: its data goes with it)"
                ));
            }
            continue;
        }
        if def.external {
            return Err(Error::invalid(
                format!("volumes.{key}"),
                format!(
                    "external volume {name:?} does not exist: create it with `berth volume create {name}`"
                ),
            ));
        }
        let key = key.clone();
        infra.push(plan.push(Action::CreateVolume { key, name }, "not found", vec![]));
    }
    // The models the services use, served before their containers are made.
    let mut models: BTreeMap<String, usize> = BTreeMap::new();
    for key in crate::model_runner::used(project, &services) {
        let model = project.models[&key].model.clone();
        let pull = !crate::model_runner::is_pulled(&observed.models, &model);
        let reason = if pull { "not pulled" } else { "pulled" };
        let step = plan.push(
            Action::Model {
                key: key.clone(),
                model,
                pull,
            },
            reason,
            vec![],
        );
        models.insert(key, step);
    }
    // Per service: the steps after which its containers are up (for dependants to wait on).
    let mut ready: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    // Per service: the steps that make its containers, after which dependants are made (as
    // compose does): a link, volumes from it or its namespaces need the container to exist.
    let mut made: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    // The services whose first container this plan makes anew (recreated, or made where there
    // was none), which the containers joined to it must follow.
    let mut renewed: BTreeSet<String> = BTreeSet::new();
    // Per service: its recreate steps, which the containers of the services that depend on it
    // with `restart: true` are stopped before.
    let mut recreated: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for name in &services {
        let svc = &project.services[name];
        // Waits for the dependencies' conditions, in scope only; a provider service's is the
        // end of its program's `up`.
        let mut waits = Vec::new();
        for (dep, d) in &svc.depends_on {
            match ready.get(dep) {
                Some(after) if project.services[dep].provider().is_some() => {
                    waits.extend(after.iter().copied());
                }
                Some(after) => {
                    let after = after.clone();
                    let cond = d.condition;
                    waits.push(plan.push(
                        Action::Await {
                            service: dep.clone(),
                            condition: cond,
                            within: None,
                        },
                        format!("{name} depends on it"),
                        after,
                    ));
                }
                None => {}
            }
        }
        let mut make_after = infra.clone();
        for dep in svc.depends_on.keys() {
            make_after.extend(made.get(dep).into_iter().flatten().copied());
        }
        make_after.extend(svc.models().keys().filter_map(|k| models.get(k)));
        // Run by its program each time (compose has `up` of a provider give the same variables
        // again); the services that depend on it are made after it, with what it gave them.
        if let Some(p) = svc.provider() {
            let mut after = waits;
            after.extend(make_after.into_iter().filter(|s| !infra.contains(s)));
            let step = plan.push(
                Action::Provider {
                    service: name.clone(),
                    kind: p.kind,
                    command: provider::Command::Up,
                },
                "provider",
                after,
            );
            ready.insert(name.clone(), vec![step]);
            made.insert(name.clone(), vec![step]);
            continue;
        }
        let want = opts
            .scale
            .get(name)
            .copied()
            .unwrap_or_else(|| svc.replicas());
        if want > 1 && svc.container_name.is_some() {
            return Err(Error::invalid(
                format!("services.{name}"),
                "container_name is set, so the service cannot run more than one container",
            ));
        }
        let hash = labels::config_hash(svc, &project.models);
        let post_start = hooks::of(svc, name, hooks::POST_START)?;
        let pre_stop = hooks::of(svc, name, hooks::PRE_STOP)?;
        let pre_start = hooks::of(svc, name, hooks::PRE_START)?;
        // Running still when this step comes (not stopped by this plan to make a network anew).
        let running = |c: &crate::observe::Container| c.running() && !stopped.contains_key(&c.id);
        // A container is stopped with its pre_stop hooks only when it runs.
        let stopping = |c: &crate::observe::Container| {
            if running(c) {
                pre_stop.clone()
            } else {
                Vec::new()
            }
        };
        let image_id = observed
            .image_id(&svc.image_name(&project.name, name))
            .map(str::to_owned);
        let mut making = Vec::new();
        let mut done = Vec::new();
        let existing = observed.service_containers(name);
        // `depends_on: {D: {restart: true}}`: stopped before D is recreated, started after.
        let restarted_with = svc
            .depends_on
            .iter()
            .find(|(dep, d)| d.restart && recreated.contains_key(*dep))
            .map(|(dep, _)| dep.clone());
        // Made with the id of a container this plan replaces: made again with the new one's.
        let joined_renewed = svc
            .joined_services()
            .into_iter()
            .find(|s| renewed.contains(s));
        // A dependency of the services named, under --always-recreate-deps.
        let forced_dep =
            opts.always_recreate_deps && !opts.services.is_empty() && !opts.services.contains(name);
        let recreates = |c: &crate::observe::Container| {
            let config_changed = c.config_hash != hash;
            let image_changed = image_id.as_ref().is_some_and(|id| *id != c.image_id);
            opts.force_recreate
                || forced_dep
                || (!opts.no_recreate
                    && (config_changed || image_changed || joined_renewed.is_some()))
        };
        // The pre_start steps run before the service's containers start when none of them
        // runs on (a first up, a recreate, all stopped; not a scale up), as compose runs them:
        // the starts are then planned after them.
        let kept_running = existing
            .iter()
            .any(|c| c.number <= want && c.running() && !recreates(c));
        let before_starts = !pre_start.is_empty() && !opts.no_start && !kept_running;
        let mut starts: Vec<(Action, &str, Vec<usize>)> = Vec::new();
        let mut start = |plan: &mut Plan, action: Action, reason: &'static str, after| {
            if before_starts {
                starts.push((action, reason, after));
                None
            } else {
                Some(plan.push(action, reason, after))
            }
        };
        for c in &existing {
            // Back on the networks made anew first.
            let back_on: Vec<usize> = back.get(&c.id).cloned().unwrap_or_default();
            if c.number > want {
                done.push(plan.push(
                    Action::RemoveContainer {
                        service: name.clone(),
                        name: c.name.clone(),
                        id: c.id.clone(),
                        running: running(c),
                        pre_stop: stopping(c),
                    },
                    format!("scale {want}"),
                    back_on,
                ));
                continue;
            }
            let config_changed = c.config_hash != hash;
            let recreate = recreates(c);
            let mut start_after = waits.clone();
            start_after.extend(back_on.iter().copied());
            let mut reason = if recreate {
                "recreated"
            } else if stopped.contains_key(&c.id) {
                "its network was made anew"
            } else {
                "not running"
            };
            if recreate {
                let reason = if opts.force_recreate {
                    "--force-recreate".to_owned()
                } else if forced_dep && !config_changed {
                    "--always-recreate-deps".to_owned()
                } else if config_changed {
                    "config changed".to_owned()
                } else if let Some(joined) = &joined_renewed {
                    format!("{joined}'s container is new")
                } else {
                    "image changed".to_owned()
                };
                if c.number == 1 {
                    renewed.insert(name.clone());
                }
                let mut after = make_after.clone();
                after.extend(back_on.iter().copied());
                let r = plan.push(
                    Action::RecreateContainer {
                        service: name.clone(),
                        number: c.number,
                        name: container_name(project, name, c.number),
                        old_id: c.id.clone(),
                        pre_stop: stopping(c),
                        inherit: !opts.renew_anon_volumes,
                    },
                    reason,
                    after,
                );
                recreated.entry(name.clone()).or_default().push(r);
                making.push(r);
                start_after.push(r);
                if opts.no_start {
                    done.push(r);
                    continue;
                }
            } else if let Some(dep) = restarted_with
                .as_ref()
                .filter(|_| c.running() && !opts.no_start)
            {
                let stop = match stopped.get(&c.id) {
                    Some(step) => *step,
                    None => plan.push(
                        Action::StopContainer {
                            service: name.clone(),
                            name: c.name.clone(),
                            id: c.id.clone(),
                            pre_stop: stopping(c),
                        },
                        format!("{dep} is recreated (depends_on restart)"),
                        vec![],
                    ),
                };
                for r in &recreated[dep] {
                    plan.steps[*r].after.push(stop);
                }
                start_after.push(stop);
                reason = "restarted";
            } else if running(c) || opts.no_start {
                continue;
            }
            done.extend(start(
                &mut plan,
                Action::StartContainer {
                    service: name.clone(),
                    name: c.name.clone(),
                    post_start: post_start.clone(),
                },
                reason,
                start_after,
            ));
        }
        let mut numbers: BTreeSet<u32> = existing.iter().map(|c| c.number).collect();
        let mut next = 1;
        while (numbers.iter().filter(|n| **n <= want).count() as u32) < want {
            while numbers.contains(&next) {
                next += 1;
            }
            numbers.insert(next);
            let cname = container_name(project, name, next);
            if next == 1 {
                renewed.insert(name.clone());
            }
            let c = plan.push(
                Action::CreateContainer {
                    service: name.clone(),
                    number: next,
                    name: cname.clone(),
                },
                "not found",
                make_after.clone(),
            );
            making.push(c);
            if opts.no_start {
                done.push(c);
                continue;
            }
            let mut after = waits.clone();
            after.push(c);
            done.extend(start(
                &mut plan,
                Action::StartContainer {
                    service: name.clone(),
                    name: cname,
                    post_start: post_start.clone(),
                },
                "created",
                after,
            ));
        }
        if !starts.is_empty() {
            // With the volumes of the service's first container, made by then.
            let first = numbers.iter().copied().find(|n| *n <= want).unwrap_or(1);
            let mut after = making.clone();
            after.extend(waits.iter().copied());
            let steps = plan.push(
                Action::PreStart {
                    service: name.clone(),
                    container: container_name(project, name, first),
                    steps: pre_start.clone(),
                },
                "none of its containers runs",
                after,
            );
            for (action, reason, mut after) in starts {
                after.push(steps);
                done.push(plan.push(action, reason, after));
            }
        }
        ready.insert(name.clone(), done);
        made.insert(name.clone(), making);
    }
    let orphans = orphans(project, observed);
    if !orphans.is_empty() {
        if opts.remove_orphans {
            push_orphans_removal(&mut plan, &orphans);
        } else {
            let names: Vec<&str> = orphans.iter().map(|c| c.name.as_str()).collect();
            plan.warnings.push(format!(
                "orphan containers ({}) found for this project: remove them with --remove-orphans",
                names.join(", ")
            ));
        }
    }
    Ok(plan)
}

/// A network of the project's made anew because its definition changed, as compose makes it:
/// the containers on it taken off (those of the services in scope stopped first, unless the
/// command starts nothing: the others keep running), the network removed and made, and each
/// container put back. Called only when no container of another project is on it (whose
/// endpoint would make the removal fail).
struct Renewal<'a> {
    key: &'a str,
    name: &'a str,
    services: &'a [String],
    no_start: bool,
}

impl Renewal<'_> {
    /// Pushes the steps; returns the one that makes the network. Records each container
    /// stopped in `stopped` and the step that puts it back in `back`.
    fn push(
        &self,
        plan: &mut Plan,
        project: &Project,
        observed: &Observed,
        stopped: &mut BTreeMap<String, usize>,
        back: &mut BTreeMap<String, Vec<usize>>,
    ) -> Result<usize, Error> {
        let name = self.name;
        let reason = format!("network {name} is made anew");
        let on_it: Vec<&Container> = observed
            .containers
            .iter()
            .filter(|c| c.networks.iter().any(|n| n == name))
            .collect();
        let mut off = Vec::new();
        for c in &on_it {
            let mut after = Vec::new();
            let in_scope = !c.oneoff && self.services.contains(&c.service);
            if in_scope && c.running() && !self.no_start {
                let step = match stopped.get(&c.id) {
                    Some(step) => *step,
                    None => {
                        let svc = &project.services[&c.service];
                        let pre_stop = hooks::of(svc, &c.service, hooks::PRE_STOP)?;
                        let step = plan.push(
                            Action::StopContainer {
                                service: c.service.clone(),
                                name: c.name.clone(),
                                id: c.id.clone(),
                                pre_stop,
                            },
                            reason.clone(),
                            vec![],
                        );
                        stopped.insert(c.id.clone(), step);
                        step
                    }
                };
                after.push(step);
            }
            off.push(plan.push(
                Action::DisconnectNetwork {
                    name: c.name.clone(),
                    network: name.to_owned(),
                },
                reason.clone(),
                after,
            ));
        }
        let removed = plan.push(
            Action::RemoveNetwork {
                name: name.to_owned(),
            },
            "config changed",
            off,
        );
        let made = plan.push(
            Action::CreateNetwork {
                key: self.key.to_owned(),
                name: name.to_owned(),
            },
            "config changed",
            vec![removed],
        );
        for c in on_it {
            let step = plan.push(
                Action::ConnectNetwork {
                    service: c.service.clone(),
                    number: c.number,
                    name: c.name.clone(),
                    oneoff: c.oneoff,
                    network: name.to_owned(),
                },
                reason.clone(),
                vec![made],
            );
            back.entry(c.id.clone()).or_default().push(step);
        }
        Ok(made)
    }
}

/// What compose warns of when a network or volume of the project's is on the engine already but
/// was not made for it: it is used as it is (and `down` leaves it).
fn not_made_here(
    kind: &str,
    name: &str,
    found: &crate::observe::Resource,
    project: &Project,
) -> Option<String> {
    match found.project.as_deref() {
        Some(p) if p == project.name => None,
        Some(p) => Some(format!(
            "a {kind} named {name} exists but was made for project {p:?}: it is used as it is; set `external: true` to use it so"
        )),
        None => Some(format!(
            "a {kind} named {name} exists but was not made by compose: it is used as it is (and down leaves it); set `external: true` to use it so"
        )),
    }
}

/// The project's containers whose service the files no longer have (one-offs are not).
fn orphans<'o>(project: &Project, observed: &'o Observed) -> Vec<&'o Container> {
    observed
        .containers
        .iter()
        .filter(|c| !c.oneoff && !project.services.contains_key(&c.service))
        .collect()
}

fn push_orphans_removal(plan: &mut Plan, orphans: &[&Container]) {
    for c in orphans {
        plan.push(
            Action::RemoveContainer {
                service: c.service.clone(),
                name: c.name.clone(),
                id: c.id.clone(),
                running: c.running(),
                pre_stop: Vec::new(),
            },
            "orphan",
            vec![],
        );
    }
}

/// `run --remove-orphans`: remove the orphans, and nothing else.
pub fn remove_orphans(project: &Project, observed: &Observed) -> Plan {
    let mut plan = Plan::default();
    push_orphans_removal(&mut plan, &orphans(project, observed));
    plan
}

/// What `down` does. Without a model (`down -p NAME` with no files) it removes whatever
/// carries the project's labels.
pub fn down(
    project: Option<&Project>,
    observed: &Observed,
    opts: &DownOptions,
) -> Result<Plan, Error> {
    let mut plan = Plan::default();
    // A job's one-off containers are the project's too, not orphans, its profiles enabled or
    // not (a job left out by them runs when named: the app's Run, `compose run JOB`).
    let known = |service: &str| {
        project.is_none_or(|p| {
            p.services.contains_key(service)
                || p.jobs.contains_key(service)
                || p.disabled_jobs.contains_key(service)
        })
    };
    // Dependants go first: remove in reverse dependency order.
    let order: Vec<String> = match project {
        Some(p) => graph::order(p).into_iter().rev().collect(),
        None => Vec::new(),
    };
    let rank = |service: &str| order.iter().position(|s| s == service).unwrap_or(0);
    // The containers, and the provider services of the files (their program's `down`), in
    // that order.
    enum Unit<'a> {
        Container(&'a crate::observe::Container),
        Provider(String),
    }
    let providers: Vec<(&String, String)> = project
        .map(|p| {
            p.services
                .iter()
                .filter_map(|(name, s)| Some((name, s.provider()?.kind)))
                .collect()
        })
        .unwrap_or_default();
    let mut units: Vec<(usize, u32, &str, Unit)> = observed
        .containers
        .iter()
        .map(|c| {
            (
                rank(&c.service),
                c.number,
                c.name.as_str(),
                Unit::Container(c),
            )
        })
        .chain(
            providers
                .into_iter()
                .map(|(name, kind)| (rank(name), 0, name.as_str(), Unit::Provider(kind))),
        )
        .collect();
    units.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let mut removed: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    // Waits for the removal of the containers (and the providers) of services that depend on
    // `service`.
    let dependants = |service: &str, removed: &BTreeMap<String, Vec<usize>>| -> Vec<usize> {
        match project {
            Some(p) => p
                .services
                .iter()
                .filter(|(_, s)| s.depends_on.contains_key(service))
                .filter_map(|(name, _)| removed.get(name))
                .flatten()
                .copied()
                .collect(),
            None => Vec::new(),
        }
    };
    let mut all = Vec::new();
    let mut orphans = Vec::new();
    // Containers of services its profiles leave out: not orphans (their service is in the
    // files), and not taken down (as docker compose leaves them), but said.
    let mut disabled: Vec<&crate::observe::Container> = Vec::new();
    // What stays on the engine, whose networks and volumes stay with it.
    let mut left: Vec<&crate::observe::Container> = Vec::new();
    for (_, _, name, unit) in units {
        let c = match unit {
            Unit::Container(c) => c,
            Unit::Provider(kind) => {
                let step = plan.push(
                    Action::Provider {
                        service: name.to_owned(),
                        kind,
                        command: provider::Command::Down,
                    },
                    "down",
                    dependants(name, &removed),
                );
                removed.entry(name.to_owned()).or_default().push(step);
                continue;
            }
        };
        if !known(&c.service) && project.is_some_and(|p| p.disabled.contains_key(&c.service)) {
            disabled.push(c);
            left.push(c);
            continue;
        }
        if !known(&c.service) && !opts.remove_orphans {
            orphans.push(c.name.clone());
            left.push(c);
            continue;
        }
        let after = dependants(&c.service, &removed);
        // A running container's pre_stop hooks, as its service in the files says them.
        let pre_stop = match project.and_then(|p| p.services.get(&c.service)) {
            Some(svc) if c.running() => hooks::of(svc, &c.service, hooks::PRE_STOP)?,
            _ => Vec::new(),
        };
        let step = plan.push(
            Action::RemoveContainer {
                service: c.service.clone(),
                name: c.name.clone(),
                id: c.id.clone(),
                running: c.running(),
                pre_stop,
            },
            if known(&c.service) { "down" } else { "orphan" },
            after,
        );
        removed.entry(c.service.clone()).or_default().push(step);
        all.push(step);
    }
    if !orphans.is_empty() {
        plan.warnings.push(format!(
            "orphan containers ({}) found for this project: remove them with --remove-orphans",
            orphans.join(", ")
        ));
    }
    if let (false, Some(p)) = (disabled.is_empty(), project) {
        let names: Vec<&str> = disabled.iter().map(|c| c.name.as_str()).collect();
        let mut profiles: Vec<&str> = disabled
            .iter()
            .filter_map(|c| p.disabled.get(&c.service)?.profiles.first())
            .map(String::as_str)
            .collect();
        profiles.sort_unstable();
        profiles.dedup();
        plan.warnings.push(format!(
            "containers of services not enabled are left ({}): take them down with --profile {}",
            names.join(", "),
            profiles.join(" --profile ")
        ));
    }
    // A network or volume a container left on the engine is on stays (the engine would refuse).
    let in_use = |name: &str, of: fn(&crate::observe::Container) -> &Vec<String>| {
        left.iter()
            .find(|c| of(c).iter().any(|n| n == name))
            .map(|c| c.name.clone())
    };
    let kept =
        |kind: &str, name: &str, user: String| format!("{kind} {name} is left: {user} is on it");
    // Only what was made for this project goes, as compose finds it (by its label): a network or
    // volume of the same name made otherwise (by hand, by another project) stays.
    let ours =
        |r: &crate::observe::Resource| r.project.as_deref() == Some(observed.project.as_str());
    let networks: Vec<String> = match project {
        Some(p) => p
            .networks
            .iter()
            .filter(|(_, n)| !n.external)
            .map(|(k, _)| p.network_name(k))
            .filter(|name| observed.network(name).is_some_and(&ours))
            .collect(),
        None => observed
            .networks
            .iter()
            .filter(|n| n.project.as_deref() == Some(observed.project.as_str()))
            .map(|n| n.name.clone())
            .collect(),
    };
    for name in networks {
        match in_use(&name, |c| &c.networks) {
            Some(user) => plan.warnings.push(kept("network", &name, user)),
            None => {
                plan.push(Action::RemoveNetwork { name }, "down", all.clone());
            }
        }
    }
    if opts.volumes {
        let volumes: Vec<String> = match project {
            Some(p) => p
                .volumes
                .iter()
                .filter(|(_, v)| !v.external)
                .map(|(k, _)| p.volume_name(k))
                .filter(|name| observed.volume(name).is_some_and(&ours))
                .collect(),
            None => observed
                .volumes
                .iter()
                .filter(|v| v.project.as_deref() == Some(observed.project.as_str()))
                .map(|v| v.name.clone())
                .collect(),
        };
        for name in volumes {
            match in_use(&name, |c| &c.volumes) {
                Some(user) => plan.warnings.push(kept("volume", &name, user)),
                None => {
                    plan.push(Action::RemoveVolume { name }, "-v", all.clone());
                }
            }
        }
    }
    if let (Some(rmi), Some(p)) = (&opts.rmi, project) {
        if !matches!(rmi.as_str(), "all" | "local") {
            return Err(Error::invalid(
                format!("--rmi {rmi}"),
                "expected --rmi all or --rmi local",
            ));
        }
        let mut images = BTreeSet::new();
        for (name, svc) in &p.services {
            // `local`: only images without a custom tag (those compose named after the service).
            if rmi == "all" || svc.image.is_none() {
                images.insert(svc.image_name(&p.name, name));
            }
        }
        for name in images {
            if observed.image_id(&name).is_some() {
                plan.push(
                    Action::RemoveImage { name },
                    format!("--rmi {rmi}"),
                    all.clone(),
                );
            }
        }
    }
    Ok(plan)
}
