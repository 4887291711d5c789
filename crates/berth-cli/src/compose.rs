//! `berth compose …`: compose's commands and flags over the facade's compose manager, with
//! compose's progress lines, prefixed multiplexed logs and tables.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Result, bail};
use berth_api::artifacts::PublishAsked;
use berth_api::compose::{
    ApplyEvent, DownOptions, Lifecycle, LoadOptions, Project, RunOptions, UpOptions,
};
use berth_api::wire::ContainerRow;
use berth_api::{ApiError, Berth, Connection, LogOptions};
use clap::{Args, Subcommand};
use futures_util::{FutureExt, StreamExt};

use crate::cli::Format;
use crate::commands::{connect, emit, ids, now, print};
use crate::{ops, render};

/// Where the project comes from (compose's global flags).
#[derive(Args, Debug, Clone, Default)]
pub struct ProjectArgs {
    /// Compose file(s), merged in order.
    #[arg(short = 'f', long = "file")]
    pub files: Vec<PathBuf>,
    /// Project name.
    #[arg(short = 'p', long = "project-name")]
    pub project_name: Option<String>,
    /// Enable services of this profile.
    #[arg(long = "profile")]
    pub profiles: Vec<String>,
    /// Env file(s) for interpolation (instead of .env).
    #[arg(long = "env-file")]
    pub env_files: Vec<PathBuf>,
    /// Base directory for relative paths (default: the first file's directory).
    #[arg(long = "project-directory")]
    pub project_directory: Option<PathBuf>,
    /// The directory the project is named after when nothing names it (see `fetched`).
    #[arg(skip)]
    pub name_dir: Option<PathBuf>,
}

/// How compose commands run and say what they do (compose's other global flags, and their
/// variables).
#[derive(Args, Debug, Clone, Default)]
pub struct HowArgs {
    /// Colours of the log prefixes: never, always, or auto (on a terminal).
    #[arg(long, env = "COMPOSE_ANSI", value_parser = ["never", "always", "auto"])]
    pub ansi: Option<String>,
    /// Progress: auto (live lines on a terminal, else a line per step), tty, plain (a line per
    /// step), json (a JSON object per step, on stderr) or quiet (none).
    #[arg(long, env = "COMPOSE_PROGRESS", value_parser = ["auto", "tty", "plain", "json", "quiet"])]
    pub progress: Option<String>,
    /// At most this many steps at once (containers made, started, stopped; images built or
    /// pulled); -1 for no limit.
    #[arg(
        long,
        env = "COMPOSE_PARALLEL_LIMIT",
        allow_hyphen_values = true,
        value_name = "N"
    )]
    pub parallel: Option<i64>,
    /// Print what up, down or publish would do (up's and down's plan, the files publish would
    /// push), and do nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args, Debug)]
pub struct ComposeArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub how: HowArgs,
    #[command(subcommand)]
    pub command: ComposeCommand,
}

/// `--progress` (or COMPOSE_PROGRESS), read by [`progress`]; `auto` when not given.
static PROGRESS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
/// `--ansi` (or COMPOSE_ANSI), read by [`colour`]; `auto` when not given.
static ANSI: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Whether log prefixes are coloured: as `--ansi` says, else on a terminal, never with
/// `--no-color`.
fn colour(no_color: bool) -> bool {
    match ANSI.get().map(String::as_str) {
        _ if no_color => false,
        Some("never") => false,
        Some("always") => true,
        _ => std::io::stdout().is_terminal(),
    }
}

#[derive(Subcommand, Debug)]
pub enum ComposeCommand {
    /// Create and start the project's containers (attached unless -d).
    Up(UpArgs),
    /// Create the project's containers without starting them (as `up --no-start`).
    Create(CreateArgs),
    /// Stop and remove the project's containers and networks.
    Down(DownArgs),
    /// List the project's containers.
    Ps {
        /// Stopped containers too.
        #[arg(short, long)]
        all: bool,
        /// Only the container ids.
        #[arg(short, long)]
        quiet: bool,
        /// Only the service names.
        #[arg(long)]
        services: bool,
        /// Only the containers in this state: created, running, paused, restarting, exited,
        /// dead (repeatable; implies -a).
        #[arg(long = "status", value_name = "STATE")]
        states: Vec<String>,
        /// Only the containers a filter lets through: status=STATE, as --status.
        #[arg(long, value_name = "status=STATE")]
        filter: Vec<String>,
        /// Each container's command whole, not cut.
        #[arg(long)]
        no_trunc: bool,
        /// The containers of services the files no longer have too (`--orphans=false`: not
        /// them).
        #[arg(
            long,
            num_args = 0..=1,
            require_equals = true,
            default_value = "true",
            default_missing_value = "true",
            value_parser = clap::builder::BoolishValueParser::new()
        )]
        orphans: bool,
        service: Vec<String>,
    },
    /// The services' logs, each line prefixed by its container.
    Logs {
        /// Keep printing as the services write.
        #[arg(short, long)]
        follow: bool,
        /// Only the last N lines of each container.
        #[arg(short = 'n', long)]
        tail: Option<u64>,
        /// Only output since this time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds, or how long ago: 10m, 1h30m).
        #[arg(long)]
        since: Option<String>,
        /// Only output until this time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds, or how long ago: 10m, 1h30m).
        #[arg(long)]
        until: Option<String>,
        /// Each line with the engine's time.
        #[arg(short, long)]
        timestamps: bool,
        /// Prefixes without colours.
        #[arg(long)]
        no_color: bool,
        /// Lines without the container's prefix.
        #[arg(long)]
        no_log_prefix: bool,
        /// Only the container at this index of the service named (one service).
        #[arg(long)]
        index: Option<u32>,
        service: Vec<String>,
    },
    /// Start the project's stopped containers.
    Start { service: Vec<String> },
    /// Stop the project's containers.
    Stop {
        /// Seconds to wait before killing.
        #[arg(short = 't', long)]
        timeout: Option<u32>,
        service: Vec<String>,
    },
    /// Restart the project's containers.
    Restart {
        /// Seconds to wait before killing.
        #[arg(short = 't', long)]
        timeout: Option<u32>,
        /// Not the services that depend on the named ones with `restart: true`.
        #[arg(long)]
        no_deps: bool,
        service: Vec<String>,
    },
    /// Pause the project's running containers.
    Pause { service: Vec<String> },
    /// Unpause the project's paused containers.
    Unpause { service: Vec<String> },
    /// Send a signal to the project's containers.
    Kill {
        /// The signal, e.g. SIGTERM or HUP.
        #[arg(short, long, default_value = "SIGKILL")]
        signal: String,
        service: Vec<String>,
    },
    /// Remove the project's stopped containers.
    Rm {
        /// Do not ask first.
        #[arg(short, long)]
        force: bool,
        /// Stop them first.
        #[arg(short, long)]
        stop: bool,
        /// Remove their anonymous volumes.
        #[arg(short, long)]
        volumes: bool,
        service: Vec<String>,
    },
    /// Build the services' images.
    Build {
        /// Do not use the cache.
        #[arg(long)]
        no_cache: bool,
        /// Always try to pull newer base images.
        #[arg(long)]
        pull: bool,
        /// A build-time variable, KEY=value (over the files' own).
        #[arg(long = "build-arg", value_name = "KEY=value")]
        build_args: Vec<String>,
        /// The images of the services the named ones depend on too.
        #[arg(long)]
        with_dependencies: bool,
        /// Push the built images that have a name to push (`image:`) once built.
        #[arg(long)]
        push: bool,
        /// Without progress lines.
        #[arg(short, long)]
        quiet: bool,
        /// An SSH agent for the builds' RUN --mount=type=ssh steps, over the files' `build.ssh`:
        /// default (SSH_AUTH_SOCK's), ID, or ID=SOCKET.
        #[arg(long, value_name = "default|ID[=SOCKET]")]
        ssh: Vec<String>,
        /// The memory limit of the builds' steps' containers (512m, 2g; the classic builder,
        /// DOCKER_BUILDKIT=0, applies it).
        #[arg(short, long, value_name = "BYTES")]
        memory: Option<String>,
        /// Print the builds as a buildx bake file (JSON; `docker buildx bake -f -` reads it)
        /// instead of building.
        #[arg(long)]
        print: bool,
        service: Vec<String>,
    },
    /// Pull the services' images.
    Pull {
        /// Without progress lines (each image's start and end still said).
        #[arg(short, long)]
        quiet: bool,
        /// The named services' dependencies too.
        #[arg(long)]
        include_deps: bool,
        /// Not the images of services that can be built (with `build:`).
        #[arg(long)]
        ignore_buildable: bool,
        /// A failure said, the other images pulled on (and berth's code 0).
        #[arg(long)]
        ignore_pull_failures: bool,
        /// missing (only images not here) or always (over the services' pull_policy).
        #[arg(long, value_parser = ["missing", "always"])]
        policy: Option<String>,
        service: Vec<String>,
    },
    /// Publish the project's compose files to a registry as an OCI artifact (which
    /// `-f oci://REPOSITORY` loads), after pushing the images the project builds.
    Publish(PublishArgs),
    /// Push the services' images (those with build and image).
    Push {
        /// A failure said, the other images pushed on (and berth's code 0).
        #[arg(long)]
        ignore_push_failures: bool,
        /// The images of the named services' dependencies too.
        #[arg(long)]
        include_deps: bool,
        /// Without progress lines (each image's start and end still said).
        #[arg(short, long)]
        quiet: bool,
        service: Vec<String>,
    },
    /// Run a command in a running service container.
    Exec(ExecArgs),
    /// Run a one-off container of a service.
    Run(RunArgs),
    /// The host address a service's port is published on.
    Port {
        /// Which of the service's containers, when it runs more than one.
        #[arg(long, default_value_t = 1)]
        index: u32,
        /// The port's protocol.
        #[arg(long, default_value = "tcp", value_parser = ["tcp", "udp", "sctp"])]
        protocol: String,
        service: String,
        #[arg(value_name = "PRIVATE_PORT")]
        port: u16,
    },
    /// The processes of the project's containers.
    Top { service: Vec<String> },
    /// Make an image of a service container's filesystem.
    Commit {
        #[arg(short, long)]
        message: Option<String>,
        #[arg(short, long)]
        author: Option<String>,
        /// Pause the container while committing.
        #[arg(short, long, default_value_t = true, action = clap::ArgAction::Set)]
        pause: bool,
        /// Which of the service's containers, when it runs more than one.
        #[arg(long, default_value_t = 1)]
        index: u32,
        service: String,
        /// REPOSITORY[:TAG]
        target: Option<String>,
    },
    /// Write a service container's filesystem as a tar (to stdout unless -o).
    Export {
        #[arg(short, long)]
        output: Option<String>,
        /// Which of the service's containers, when it runs more than one.
        #[arg(long, default_value_t = 1)]
        index: u32,
        service: String,
    },
    /// The project's volumes (those the named services' containers use, when named).
    Volumes {
        /// Only the volumes' names.
        #[arg(short, long)]
        quiet: bool,
        service: Vec<String>,
    },
    /// The images the project's containers use.
    Images {
        /// Only the images' ids, each once.
        #[arg(short, long)]
        quiet: bool,
        service: Vec<String>,
    },
    /// Every compose project on the engine.
    Ls {
        /// Include projects whose containers are all stopped.
        #[arg(short, long)]
        all: bool,
        /// Only the projects' names.
        #[arg(short, long)]
        quiet: bool,
        /// Only the projects this names: name=TEXT (a name that contains it).
        #[arg(long, value_name = "name=TEXT")]
        filter: Vec<String>,
    },
    /// The normalised project, as compose prints it.
    Config(ConfigArgs),
    /// Follow `develop.watch` rules: sync files into containers, rebuild, restart.
    Watch {
        /// Do not bring the project up first.
        #[arg(long)]
        no_up: bool,
        service: Vec<String>,
    },
    /// Copy files between a service's container and this machine: `SERVICE:PATH DEST` (from
    /// its container at --index, else its first) or `SRC SERVICE:PATH` (into each of its
    /// containers, or the one at --index); `-` as `berth cp` takes it.
    Cp {
        /// Which of the service's containers.
        #[arg(long)]
        index: Option<u32>,
        #[command(flatten)]
        how: crate::cli::CopyArgs,
        source: String,
        dest: String,
    },
    /// Live usage of the project's running containers (of a service's, when named).
    Stats {
        #[command(flatten)]
        asked: crate::cli::StatsArgs,
        service: Option<String>,
    },
    /// The events of the project's containers as they happen, as compose prints them.
    Events {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// Also past events since this time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds, or
        /// how long ago: 10m, 1h30m).
        #[arg(long)]
        since: Option<String>,
        /// Stop at this time (as --since takes it).
        #[arg(long)]
        until: Option<String>,
        service: Vec<String>,
    },
    /// Wait for the services' running containers to stop: each one's exit code said, the
    /// last one's berth's.
    Wait {
        /// Then take the project down.
        #[arg(long)]
        down_project: bool,
        #[arg(required = true)]
        service: Vec<String>,
    },
    /// Run this many containers of each service named (as `up -d --scale`).
    Scale {
        /// Not the services they depend on.
        #[arg(long)]
        no_deps: bool,
        #[arg(required = true, value_name = "SERVICE=REPLICAS")]
        scale: Vec<String>,
    },
    /// Attach this terminal to a service container's main process.
    Attach {
        /// Which of the service's containers.
        #[arg(long, default_value_t = 1)]
        index: u32,
        #[command(flatten)]
        attaching: crate::cli::Attaching,
        /// Only the container's output: this terminal's input is not passed on.
        #[arg(long)]
        no_stdin: bool,
        service: String,
    },
    /// The version of Berth's compose.
    Version {
        /// The number alone.
        #[arg(long)]
        short: bool,
    },
}

/// What makes the containers: `compose create`'s flags, and `up`'s.
#[derive(Args, Debug, Default)]
pub struct CreateArgs {
    /// Build the images first, even those already built.
    #[arg(long)]
    pub build: bool,
    /// Build no image (a missing one is an error).
    #[arg(long)]
    pub no_build: bool,
    /// always, missing or never.
    #[arg(long)]
    pub pull: Option<String>,
    /// Pull without progress lines (each image's start and end still said).
    #[arg(long)]
    pub quiet_pull: bool,
    /// Build without the builds' output (each image's start and end still said).
    #[arg(long)]
    pub quiet_build: bool,
    /// Recreate the containers even when nothing changed.
    #[arg(long)]
    pub force_recreate: bool,
    /// Keep existing containers even when their configuration changed.
    #[arg(long)]
    pub no_recreate: bool,
    /// Remove containers of services no longer in the files.
    #[arg(long, env = "COMPOSE_REMOVE_ORPHANS", value_parser = clap::builder::BoolishValueParser::new())]
    pub remove_orphans: bool,
    /// SERVICE=N.
    #[arg(long)]
    pub scale: Vec<String>,
    pub service: Vec<String>,
}

#[derive(Args, Debug, Default)]
pub struct UpArgs {
    /// Start them in the background and return (else follow their logs until Ctrl-C).
    #[arg(short, long)]
    pub detach: bool,
    #[command(flatten)]
    pub create: CreateArgs,
    /// Not the services the named ones depend on.
    #[arg(long)]
    pub no_deps: bool,
    /// Recreate the containers of the services the named ones depend on, changed or not.
    #[arg(long, conflicts_with = "no_deps")]
    pub always_recreate_deps: bool,
    /// Create the containers without starting them.
    #[arg(long)]
    pub no_start: bool,
    /// A container recreated gets new anonymous volumes, not its predecessor's.
    #[arg(short = 'V', long)]
    pub renew_anon_volumes: bool,
    /// Wait until the services run (and are healthy when they have a healthcheck).
    #[arg(long)]
    pub wait: bool,
    /// With --wait: at most this many seconds for each service.
    #[arg(long, value_name = "SECONDS", requires = "wait")]
    pub wait_timeout: Option<u32>,
    /// Seconds to wait for containers being replaced to stop.
    #[arg(short = 't', long)]
    pub timeout: Option<u32>,
    /// Print the plan and do nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Attached: when a container exits, stop them all (its exit code is berth's).
    #[arg(long, conflicts_with = "detach")]
    pub abort_on_container_exit: bool,
    /// Attached: when a container exits with a failure (a code other than 0), stop them all
    /// (its exit code is berth's).
    #[arg(long, conflicts_with_all = ["detach", "abort_on_container_exit"])]
    pub abort_on_container_failure: bool,
    /// Attached: the log prefixes without colours.
    #[arg(long, conflicts_with = "detach")]
    pub no_color: bool,
    /// Attached: return this service's exit code (stopping them all when a container exits).
    #[arg(long, value_name = "SERVICE", conflicts_with = "detach")]
    pub exit_code_from: Option<String>,
    /// Attached: show the logs of these services only (overrides their `attach: false`).
    #[arg(long, value_name = "SERVICE", conflicts_with = "detach")]
    pub attach: Vec<String>,
    /// Attached: do not show the logs of these services.
    #[arg(long, value_name = "SERVICE", conflicts_with = "detach")]
    pub no_attach: Vec<String>,
    /// Attached: show the logs of the named services' dependencies too.
    #[arg(long, conflicts_with = "detach")]
    pub attach_dependencies: bool,
    /// Attached: each log line with its time.
    #[arg(long, conflicts_with = "detach")]
    pub timestamps: bool,
    /// Attached: the log lines without the container's name before them.
    #[arg(long, conflicts_with = "detach")]
    pub no_log_prefix: bool,
    /// Attached: follow the services' `develop.watch` rules too (as `compose watch`), the
    /// containers a rebuild makes joining the logs.
    #[arg(short = 'w', long, conflicts_with_all = ["detach", "wait", "no_start"])]
    pub watch: bool,
    /// Attached: keyboard shortcuts, w to turn watching on and off and d to detach (the
    /// containers left running); COMPOSE_MENU=true gives them in a terminal too.
    #[arg(long, conflicts_with_all = ["detach", "wait", "no_start"])]
    pub menu: bool,
}

#[derive(Args, Debug)]
pub struct DownArgs {
    /// Remove named volumes declared by the project, and anonymous volumes.
    #[arg(short, long)]
    pub volumes: bool,
    /// Also remove the services' images: all, or local (those without a custom tag).
    #[arg(long)]
    pub rmi: Option<String>,
    /// Also remove containers of services no longer in the files.
    #[arg(long, env = "COMPOSE_REMOVE_ORPHANS", value_parser = clap::builder::BoolishValueParser::new())]
    pub remove_orphans: bool,
    /// Seconds to wait before killing.
    #[arg(short = 't', long)]
    pub timeout: Option<u32>,
}

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Do not allocate a terminal.
    #[arg(short = 'T', long = "no-TTY")]
    pub no_tty: bool,
    /// Run it in the background.
    #[arg(short, long)]
    pub detach: bool,
    /// Which of the service's containers, when it runs more than one.
    #[arg(long, default_value_t = 1)]
    pub index: u32,
    /// An environment variable: KEY=value.
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// The user to run it as.
    #[arg(short, long)]
    pub user: Option<String>,
    /// The directory to run it in.
    #[arg(short, long)]
    pub workdir: Option<String>,
    /// With every capability.
    #[arg(long)]
    pub privileged: bool,
    pub service: String,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    pub command: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Remove the container when it exits (the engine does, even once berth is gone).
    #[arg(long)]
    pub rm: bool,
    /// Run it in the background and print its id.
    #[arg(short, long)]
    pub detach: bool,
    /// Do not allocate a terminal.
    #[arg(short = 'T', long = "no-TTY")]
    pub no_tty: bool,
    /// An environment variable: KEY=value, or KEY for its value here (from the process or
    /// the project's .env).
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// First remove the containers of services the files no longer have.
    #[arg(long, env = "COMPOSE_REMOVE_ORPHANS", value_parser = clap::builder::BoolishValueParser::new())]
    pub remove_orphans: bool,
    /// Environment variables from a file in compose's env-file syntax, for what -e does not
    /// give.
    #[arg(long, value_name = "FILE")]
    pub env_from_file: Vec<PathBuf>,
    /// The container's name.
    #[arg(long)]
    pub name: Option<String>,
    /// Do not start the services it depends on.
    #[arg(long)]
    pub no_deps: bool,
    /// Run this instead of the image's entrypoint.
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// The user to run it as.
    #[arg(short, long)]
    pub user: Option<String>,
    /// The directory to run it in.
    #[arg(short, long)]
    pub workdir: Option<String>,
    /// Publish the service's ports (a one-off container publishes none otherwise).
    #[arg(long)]
    pub service_ports: bool,
    /// Publish a port: [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO].
    #[arg(short = 'p', long = "publish")]
    pub publish: Vec<String>,
    /// Mount a volume or a directory: SOURCE:TARGET[:ro].
    #[arg(short = 'v', long = "volume")]
    pub volumes: Vec<String>,
    /// A label: KEY=value.
    #[arg(short = 'l', long = "label")]
    pub labels: Vec<String>,
    /// Keep this terminal's input as its stdin (the default; --interactive=false: none).
    #[arg(short, long, default_value_t = true, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub interactive: bool,
    /// Answer for the service on its networks, as its own containers do (a one-off does not).
    #[arg(long)]
    pub use_aliases: bool,
    /// Build its image (and its dependencies') first.
    #[arg(long)]
    pub build: bool,
    /// Pull its image first: always, missing or never.
    #[arg(long, value_parser = ["always", "missing", "never"])]
    pub pull: Option<String>,
    /// Pull without progress lines.
    #[arg(long)]
    pub quiet_pull: bool,
    /// Build without the build's output.
    #[arg(long)]
    pub quiet_build: bool,
    /// A capability on top of the service's.
    #[arg(long = "cap-add")]
    pub cap_add: Vec<String>,
    /// A capability taken away.
    #[arg(long = "cap-drop")]
    pub cap_drop: Vec<String>,
    pub service: String,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PublishArgs {
    /// Where to: `registry/repository[:tag]`.
    pub repository: String,
    /// Publish the services' environment variables and env files too (refused without: they
    /// may hold secrets).
    #[arg(long)]
    pub with_env: bool,
    /// Add an `image-digests.yaml` pinning each service's image to the digest its registry
    /// serves now.
    #[arg(long)]
    pub resolve_image_digests: bool,
    /// The manifest's OCI version, 1.0 or 1.1 (default: 1.1, then 1.0 if the registry refuses
    /// it).
    #[arg(long, value_parser = ["1.0", "1.1"])]
    pub oci_version: Option<String>,
    /// Accepted as compose takes it (to its prompts): Berth asks nothing.
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// Only the services' names.
    #[arg(long)]
    pub services: bool,
    /// Only the volumes' names.
    #[arg(long)]
    pub volumes: bool,
    /// Only the networks' names.
    #[arg(long)]
    pub networks: bool,
    /// `SERVICE HASH` of these services (comma-separated, `*` for all): the config hash their
    /// containers carry.
    #[arg(long, value_name = "SERVICES")]
    pub hash: Option<String>,
    /// The environment interpolation used (the process's over the env files), KEY=VALUE.
    #[arg(long)]
    pub environment: bool,
    /// The files' `${…}` kept as written, not substituted.
    #[arg(long)]
    pub no_interpolate: bool,
    /// The model even when a service refers to a service, network, volume or model the files
    /// do not define, or the services depend on each other in a cycle (what no command runs).
    #[arg(long)]
    pub no_consistency: bool,
    /// Without what compose fills in: the default network, the engine's names of networks and
    /// volumes, the dependencies links, volumes_from and network_mode imply.
    #[arg(long)]
    pub no_normalize: bool,
    /// Each service's image pinned to the digest its registry serves for it now.
    #[arg(long)]
    pub resolve_image_digests: bool,
    /// Only an override file pinning each service's image to the digest its registry serves
    /// now (`-f` it after the project's files).
    #[arg(long)]
    pub lock_image_digests: bool,
    /// The variables the files use: whether each is required, its default and alternate value
    /// (the files as written, not interpolated).
    #[arg(long)]
    pub variables: bool,
    /// Write the model to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only the profiles' names.
    #[arg(long)]
    pub profiles: bool,
    /// Only the services' images.
    #[arg(long)]
    pub images: bool,
    /// Only the models' names.
    #[arg(long)]
    pub models: bool,
    /// Only validate.
    #[arg(short, long)]
    pub quiet: bool,
    /// Services named here are enabled whatever their profiles.
    pub service: Vec<String>,
}

pub(crate) fn load_options(p: &ProjectArgs, services: &[String]) -> LoadOptions {
    LoadOptions {
        project_directory: p.project_directory.clone(),
        working_dir: None,
        files: p.files.clone(),
        project_name: p.project_name.clone(),
        env_files: p.env_files.clone(),
        profiles: p.profiles.clone(),
        services: services.to_vec(),
        name_dir: p.name_dir.clone(),
        ..LoadOptions::default()
    }
}

/// A row of `compose images`, as compose writes it in JSON.
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ComposeImage {
    container_name: String,
    repository: String,
    tag: String,
    #[serde(rename = "ID")]
    id: String,
    size: i64,
}

/// How `push` (and `build --push`) pushes.
#[derive(Clone, Copy, Default)]
struct Pushing {
    include_deps: bool,
    ignore_failures: bool,
    quiet: bool,
}

/// Pushes the images of `services` (all when none) that have both `build` and `image`, each
/// name checked before the first push.
async fn push_images(
    berth: &Berth,
    conn: &Connection,
    project: &Project,
    services: &[String],
    format: Format,
    how: Pushing,
) -> Result<()> {
    for image in berth.compose_push_targets(project, services, how.include_deps)? {
        eprintln!(" Image {image}  Pushing");
        let pushed = async {
            let stream = berth.push(conn, &image).await?;
            if how.quiet {
                let mut stream = std::pin::pin!(stream);
                while let Some(event) = stream.next().await {
                    event?;
                }
                Ok(())
            } else {
                ops::transfer(stream, format, "Preparing", ops::Shown::OnStdout).await
            }
        };
        match pushed.await {
            Ok(()) => eprintln!(" Image {image}  Pushed"),
            Err(e) if how.ignore_failures => eprintln!(" Image {image}  Error: {e}"),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `compose cp`: a service's side resolved to its containers, each copied as `berth cp` copies.
async fn cp(
    berth: &Berth,
    p: &ProjectArgs,
    index: Option<u32>,
    how: berth_api::CopyHow,
    source: &str,
    dest: &str,
) -> Result<i32> {
    let (from, to) = (ops::container_path(source), ops::container_path(dest));
    let ((service, path), from_service) = match (from, to) {
        (Some(side), None) => (side, true),
        (None, Some(side)) => (side, false),
        (Some(_), Some(_)) => {
            bail!("copy between two containers is not supported: copy out, then in")
        }
        (None, None) => {
            bail!(
                "one side of compose cp is SERVICE:PATH, e.g. `berth compose cp web:/etc/hosts .`"
            )
        }
    };
    let (_, name) = model(berth, p, &[service.to_owned()])?;
    let conn = connect(berth).await?;
    let ids = match (index, from_service) {
        (Some(i), _) => vec![berth.compose_container(&conn, &name, service, i).await?],
        (None, true) => vec![berth.compose_container(&conn, &name, service, 1).await?],
        (None, false) => berth
            .compose_containers(&conn, &name, &[service.to_owned()], true)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    };
    if ids.is_empty() {
        bail!("service {service} has no container to copy into: bring it up first");
    }
    if source == "-" && ids.len() > 1 {
        bail!(
            "- is read once, and service {service} has {} containers: give --index",
            ids.len()
        );
    }
    for id in ids {
        let at = format!("{id}:{path}");
        match from_service {
            true => ops::cp(berth, &conn, &at, dest, how).await?,
            false => ops::cp(berth, &conn, source, &at, how).await?,
        }
    }
    Ok(0)
}

/// One event as `docker compose events` prints it (`None` for another service's): its local
/// time to the microsecond, `container`, the action, the id and the attributes without
/// compose's labels; with `json`, an object of those and the service.
fn event_line(e: &berth_api::EventView, services: &[String], json: bool) -> Result<Option<String>> {
    let service = e
        .attributes
        .get(berth_compose::labels::SERVICE)
        .cloned()
        .unwrap_or_default();
    if !services.is_empty() && !services.contains(&service) {
        return Ok(None);
    }
    let attributes: BTreeMap<&String, &String> = e
        .attributes
        .iter()
        .filter(|(k, _)| !k.starts_with("com.docker.compose."))
        .collect();
    let time = jiff::Timestamp::from_nanosecond(i128::from(e.time_nano))?;
    if json {
        return Ok(Some(
            serde_json::json!({
                "time": time.to_string(),
                "type": "container",
                "service": service,
                "id": e.actor,
                "action": e.action,
                "attributes": attributes,
            })
            .to_string(),
        ));
    }
    let local = time.to_zoned_datetime(jiff::tz::TimeZone::system());
    let attrs: Vec<String> = attributes.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Ok(Some(format!(
        "{}.{:06} container {} {} ({})",
        local.strftime("%Y-%m-%d %H:%M:%S"),
        local.subsec_nanosecond() / 1000,
        e.action,
        e.actor,
        attrs.join(", ")
    )))
}

/// The engine, and the id of container `index` of `service` (`exec`, `port`, `commit`,
/// `export`).
async fn service_container(
    berth: &Berth,
    p: &ProjectArgs,
    service: &str,
    index: u32,
) -> Result<(Connection, String)> {
    let (_, name) = model(berth, p, &[service.to_owned()])?;
    let conn = connect(berth).await?;
    let id = berth
        .compose_container(&conn, &name, service, index)
        .await?;
    Ok((conn, id))
}

/// The model when the files can be read; with `-p` and no file, only the name (commands that
/// act on what is running work from the labels, as compose's do).
fn model(berth: &Berth, p: &ProjectArgs, services: &[String]) -> Result<(Option<Project>, String)> {
    match berth.compose_load(&load_options(p, services)) {
        Ok(project) => {
            // A name that is neither a service nor a job of the project is refused, as compose
            // refuses it, rather than matching no container (and `logs`, `ps` or `top` then
            // printing nothing).
            if let Some(bad) = services
                .iter()
                .find(|s| !project.services.contains_key(*s) && !project.jobs.contains_key(*s))
            {
                berth_compose::plan::scope(&project, std::slice::from_ref(bad), true)?;
            }
            let name = project.name.clone();
            Ok((Some(project), name))
        }
        Err(e) if e.code == berth_api::ErrorCode::NotFound && p.files.is_empty() => {
            match &p.project_name {
                Some(name) => Ok((None, name.clone())),
                None => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Progress like compose's: on a terminal, one live line per resource (a spinner while it
/// works, `✔` when done, `✘` on an error) with build and hook output printed above; otherwise one line
/// per event on stderr (` Container demo-web-1  Started`), or one JSON event per line on
/// stdout with `--format json`.
pub(crate) fn progress(format: Format) -> Box<dyn Fn(ApplyEvent) + Sync + Send> {
    match (PROGRESS.get().map(String::as_str), format) {
        (Some("quiet"), _) => Box::new(|_| {}),
        (Some("json"), _) => Box::new(|e: ApplyEvent| {
            let line = serde_json::json!({
                "resource": e.resource, "status": e.status, "detail": e.detail,
            });
            eprintln!("{line}");
        }),
        (_, Format::Json) => Box::new(|e: ApplyEvent| {
            let line = serde_json::json!({
                "resource": e.resource, "status": e.status, "detail": e.detail,
            });
            print(&format!("{line}\n"));
        }),
        (mode, Format::Table) if mode != Some("plain") && std::io::stderr().is_terminal() => {
            let live = Live {
                bars: indicatif::MultiProgress::with_draw_target(
                    indicatif::ProgressDrawTarget::stderr(),
                ),
                lines: std::sync::Mutex::new(BTreeMap::new()),
            };
            Box::new(move |e: ApplyEvent| live.event(e))
        }
        (_, Format::Table) => Box::new(|e: ApplyEvent| {
            let mut err = std::io::stderr().lock();
            let _ = match (&e.detail, e.status.as_str()) {
                (Some(d), "Building") => writeln!(err, " {d}"),
                (Some(d), "Hook") => writeln!(err, " {} -> {d}", e.resource),
                (Some(d), _) => writeln!(err, " {}  {}: {d}", e.resource, e.status),
                (None, _) => writeln!(err, " {}  {}", e.resource, e.status),
            };
        }),
    }
}

/// [`progress`], without a pull's progress lines when `quiet_pull` (`--quiet-pull`, `pull -q`)
/// and a build's output when `quiet_build` (`--quiet-build`): each image's start and end still
/// said.
fn quieted(
    format: Format,
    quiet_pull: bool,
    quiet_build: bool,
) -> Box<dyn Fn(ApplyEvent) + Sync + Send> {
    let said = progress(format);
    if !quiet_pull && !quiet_build {
        return said;
    }
    Box::new(move |e: ApplyEvent| {
        let kept = match (e.status.as_str(), &e.detail) {
            ("Pulling", Some(_)) => !quiet_pull,
            // Its warnings are still said.
            ("Building", Some(d)) => !quiet_build || d.starts_with("warning: "),
            _ => true,
        };
        if kept {
            said(e);
        }
    })
}

/// The terminal's live view: a line per resource.
struct Live {
    bars: indicatif::MultiProgress,
    lines: std::sync::Mutex<BTreeMap<String, indicatif::ProgressBar>>,
}

/// The statuses after which a resource has nothing left to do.
const FINAL: [&str; 18] = [
    "Created",
    "Started",
    "Healthy",
    "Exited",
    "Removed",
    "Stopped",
    "Built",
    "Pulled",
    "Recreated",
    "Killed",
    "Paused",
    "Unpaused",
    "Synced",
    "Synced and restarted",
    "Rebuilt",
    "Enabled",
    "Running",
    "Configured",
];

impl Live {
    fn event(&self, e: ApplyEvent) {
        match (&e.detail, e.status.as_str()) {
            (Some(d), "Building") => {
                let _ = self.bars.println(format!(" {d}"));
                return;
            }
            (Some(d), "Hook") => {
                let _ = self.bars.println(format!(" {} -> {d}", e.resource));
                return;
            }
            _ => {}
        }
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        let bar = lines.entry(e.resource.clone()).or_insert_with(|| {
            let bar = self.bars.add(indicatif::ProgressBar::new_spinner());
            bar.set_style(
                indicatif::ProgressStyle::with_template(" {spinner} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
                    .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔"),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(100));
            bar
        });
        let text = match &e.detail {
            Some(d) => format!("{}  {}: {d}", e.resource, e.status),
            None => format!("{}  {}", e.resource, e.status),
        };
        if e.status == "Error" {
            bar.set_style(
                indicatif::ProgressStyle::with_template(" ✘ {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.finish_with_message(text);
        } else if FINAL.contains(&e.status.as_str()) {
            bar.finish_with_message(text);
        } else {
            bar.set_message(text);
        }
    }
}

fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("WARN {w}");
    }
}

fn warn_unset(project: &Project) {
    for v in &project.unset_variables {
        eprintln!("WARN The \"{v}\" variable is not set. Defaulting to a blank string.");
    }
}

/// The project's files with each `-f oci://…` fetched into Berth's cache and named by its
/// path there. The first file fetched gives the project's directory (unless
/// `--project-directory` says one): its env files are there. The project is then named after
/// the working directory unless something names it, as compose names it.
async fn fetched(berth: &Berth, mut p: ProjectArgs) -> Result<ProjectArgs> {
    let mut files = Vec::new();
    for (i, f) in p.files.iter().enumerate() {
        let Some(reference) = f.to_str().and_then(berth_api::artifacts::oci_reference) else {
            files.push(f.clone());
            continue;
        };
        let got = berth.compose_fetch(reference).await?;
        if i == 0 && p.project_directory.is_none() {
            p.project_directory = Some(got.dir.clone());
            p.name_dir = Some(std::env::current_dir()?);
        }
        files.extend(got.files);
    }
    p.files = files;
    Ok(p)
}

/// Runs a compose command; `template` is a Go template given with `--format` (`ps`, `volumes`
/// and `stats` only).
pub async fn run(
    berth: &Berth,
    args: ComposeArgs,
    format: Format,
    template: Option<&str>,
) -> Result<i32> {
    let p = &fetched(berth, args.project).await?;
    let how = &args.how;
    // Set once, before anything is said.
    let _ = PROGRESS.set(how.progress.clone().unwrap_or_else(|| "auto".into()));
    let _ = ANSI.set(how.ansi.clone().unwrap_or_else(|| "auto".into()));
    match how.parallel {
        Some(n) if n == 0 || n < -1 => {
            bail!(
                "--parallel {n}: give the number of steps at once (1 or more), or -1 for no limit"
            )
        }
        Some(n) => berth.set_compose_parallel(usize::try_from(n).ok()),
        None => {}
    }
    let mut command = args.command;
    if how.dry_run {
        match &mut command {
            ComposeCommand::Up(a) => a.dry_run = true,
            ComposeCommand::Down(_) | ComposeCommand::Publish(_) => {}
            _ => bail!("--dry-run works with up, down and publish here: leave it out"),
        }
    }
    match command {
        ComposeCommand::Config(c) if c.variables => {
            let variables = berth.compose_variables(&load_options(p, &c.service))?;
            match format {
                Format::Json => {
                    let list: Vec<_> = variables.values().collect();
                    print(&format!("{}\n", serde_json::to_string(&list)?));
                }
                Format::Table => print(&crate::render::table(
                    &["NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"],
                    variables.into_values().map(|v| {
                        vec![
                            v.name,
                            v.required.to_string(),
                            v.default_value,
                            v.presence_value,
                        ]
                    }),
                )),
            }
            Ok(0)
        }
        ComposeCommand::Config(c) => {
            let mut project = berth.compose_load(&LoadOptions {
                no_interpolate: c.no_interpolate,
                no_consistency: c.no_consistency,
                no_normalize: c.no_normalize,
                ..load_options(p, &c.service)
            })?;
            warn_unset(&project);
            if c.resolve_image_digests || c.lock_image_digests {
                let conn = connect(berth).await?;
                project = berth.compose_resolve_digests(&conn, project).await?;
            }
            let lines = |l: Vec<String>| ids(l.iter().map(String::as_str));
            if c.services {
                lines(berth_compose_list(&project, "services"))?;
            } else if c.volumes {
                lines(berth_compose_list(&project, "volumes"))?;
            } else if c.networks {
                lines(berth_compose::config::networks(&project))?;
            } else if let Some(named) = &c.hash {
                lines(berth_compose::config::hashes(&project, named).map_err(ApiError::from)?)?;
            } else if c.environment {
                lines(
                    project
                        .environment
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect(),
                )?;
            } else if c.profiles {
                lines(berth_compose_list(&project, "profiles"))?;
            } else if c.images {
                lines(berth_compose_list(&project, "images"))?;
            } else if c.models {
                lines(berth_compose_list(&project, "models"))?;
            } else if !c.quiet {
                let text = match (c.lock_image_digests, format) {
                    (true, format) => {
                        berth_compose::config::image_lock(&project, format == Format::Json)
                    }
                    (false, Format::Json) => {
                        berth_compose::config::json(&project).map(|t| t + "\n")
                    }
                    (false, Format::Table) => berth_compose::config::yaml(&project),
                }
                .map_err(ApiError::from)?;
                match &c.output {
                    Some(path) => std::fs::write(path, text).map_err(|e| {
                        anyhow::anyhow!("--output {}: cannot write it ({e})", path.display())
                    })?,
                    None => print(&text),
                }
            }
            Ok(0)
        }
        ComposeCommand::Up(a) => up(berth, p, a, format).await,
        ComposeCommand::Create(create) => {
            let a = UpArgs {
                no_start: true,
                create,
                ..UpArgs::default()
            };
            up(berth, p, a, format).await
        }
        ComposeCommand::Down(a) => {
            let (project, name) = model(berth, p, &[])?;
            let conn = connect(berth).await?;
            let opts = DownOptions {
                volumes: a.volumes,
                rmi: a.rmi,
                remove_orphans: a.remove_orphans,
            };
            if how.dry_run {
                let plan = berth
                    .compose_down_plan(&conn, project.as_ref(), &name, &opts)
                    .await?;
                print(&plan.to_string());
                return Ok(0);
            }
            let warnings = berth
                .compose_down(
                    &conn,
                    project.as_ref(),
                    &name,
                    &opts,
                    a.timeout,
                    &progress(format),
                )
                .await?;
            warn(&warnings);
            Ok(0)
        }
        ComposeCommand::Ps {
            all,
            quiet,
            services,
            mut states,
            filter,
            no_trunc,
            orphans,
            service,
        } => {
            for f in &filter {
                match f.split_once('=') {
                    Some(("status", state)) => states.push(state.to_owned()),
                    _ => bail!("--filter {f:?}: the filter compose ps takes is status=STATE"),
                }
            }
            const STATES: [&str; 6] = [
                "created",
                "running",
                "paused",
                "restarting",
                "exited",
                "dead",
            ];
            if let Some(bad) = states.iter().find(|s| !STATES.contains(&s.as_str())) {
                bail!("--status {bad:?}: use one of {}", STATES.join(", "));
            }
            let (project, name) = model(berth, p, &service)?;
            let conn = connect(berth).await?;
            let mut rows = berth
                .compose_containers(&conn, &name, &service, all || !states.is_empty())
                .await?;
            if !states.is_empty() {
                rows.retain(|r| states.contains(&r.state));
            }
            // Orphans are known from the files (without them, every container is the project's).
            if let (false, Some(project)) = (orphans, &project) {
                rows.retain(|r| {
                    project.services.contains_key(&service_of(r))
                        || berth_compose::labels::oneoff(&r.labels)
                            && project.jobs.contains_key(&service_of(r))
                });
            }
            // JSON as compose writes it: a row per line, with its fields.
            let template = match (template, format) {
                (None, Format::Json) => Some("{{json .}}"),
                (template, _) => template,
            };
            if let Some(template) = template {
                let fields = render::compose_ps_fields(now(), !no_trunc);
                let template =
                    crate::commands::list_template(Some(template), quiet, None, &fields)?
                        .expect("a template was given");
                print(&template.render(&rows, &fields));
            } else if quiet {
                ids(rows.iter().map(|r| r.id.as_str()))?;
            } else if services {
                let mut names: Vec<String> = rows.iter().map(service_of).collect();
                names.dedup();
                ids(names.iter().map(String::as_str))?;
            } else {
                emit(format, &rows, || ps_table(&rows, now(), !no_trunc))?;
            }
            Ok(0)
        }
        ComposeCommand::Logs {
            follow,
            tail,
            since,
            until,
            timestamps,
            no_color,
            no_log_prefix,
            index,
            service,
        } => {
            if index.is_some() && service.len() != 1 {
                bail!("--index: name one service, e.g. `compose logs --index 2 web`");
            }
            let opts = LogOptions {
                follow,
                tail,
                timestamps,
                since: since.map(|s| ops::when(&s, "--since")).transpose()?,
                until: until.map(|s| ops::when(&s, "--until")).transpose()?,
            };
            let (_, name) = model(berth, p, &service)?;
            let conn = connect(berth).await?;
            // Followed, the containers that start meanwhile join (from before the list); not
            // with --index, which asks for one container.
            let joining = match follow && index.is_none() {
                true => Some(Joining {
                    project: name.clone(),
                    services: service.clone(),
                    since: conn.client.engine_time().await?,
                }),
                false => None,
            };
            let mut rows = berth
                .compose_containers(&conn, &name, &service, true)
                .await?;
            if let Some(index) = index {
                let number = index.to_string();
                rows.retain(|r| r.labels.get(berth_compose::labels::NUMBER) == Some(&number));
                if rows.is_empty() {
                    bail!(
                        "service {} has no container {index} in project {name}",
                        service[0]
                    );
                }
            }
            logs(
                berth,
                &conn,
                &rows,
                &opts,
                colour(no_color),
                !no_log_prefix,
                joining,
            )
            .await?;
            Ok(0)
        }
        ComposeCommand::Start { service } => {
            lifecycle(berth, p, &service, Lifecycle::Start, format).await
        }
        ComposeCommand::Stop { timeout, service } => {
            lifecycle(berth, p, &service, Lifecycle::Stop { timeout }, format).await
        }
        ComposeCommand::Restart {
            timeout,
            no_deps,
            service,
        } => {
            let (project, name) = model(berth, p, &service)?;
            // The services that depend on a named one with `restart: true` go with it.
            let service = match &project {
                Some(project) if !no_deps && !service.is_empty() => {
                    berth_compose::graph::restarted(project, &service)
                }
                _ => service,
            };
            let op = Lifecycle::Restart { timeout };
            lifecycle_of(berth, project.as_ref(), &name, &service, op, format).await
        }
        ComposeCommand::Pause { service } => {
            lifecycle(berth, p, &service, Lifecycle::Pause, format).await
        }
        ComposeCommand::Unpause { service } => {
            lifecycle(berth, p, &service, Lifecycle::Unpause, format).await
        }
        ComposeCommand::Kill { signal, service } => {
            lifecycle(berth, p, &service, Lifecycle::Kill { signal }, format).await
        }
        ComposeCommand::Rm {
            force: _,
            stop,
            volumes,
            service,
        } => {
            let op = Lifecycle::Remove {
                stop_first: stop,
                volumes,
            };
            lifecycle(berth, p, &service, op, format).await
        }
        ComposeCommand::Build {
            no_cache,
            pull,
            build_args,
            with_dependencies,
            push,
            quiet,
            ssh,
            memory,
            print: print_bake,
            service,
        } => {
            let mut project = berth.compose_load(&load_options(p, &service))?;
            let mut args = Vec::new();
            for a in &build_args {
                let Some((k, v)) = a.split_once('=') else {
                    bail!("--build-arg {a:?}: write KEY=value");
                };
                args.push((k.to_owned(), v.to_owned()));
            }
            for build in project
                .services
                .values_mut()
                .filter_map(|s| s.build.as_mut())
            {
                if no_cache {
                    build.no_cache = Some(true);
                }
                if pull {
                    build.pull = Some(true);
                }
                for (k, v) in &args {
                    build.args.insert(k.clone(), Some(v.clone()));
                }
                if !ssh.is_empty() {
                    build.other.insert("ssh".into(), serde_json::json!(ssh));
                }
            }
            let asked = berth_api::compose::BuildAsked {
                with_deps: with_dependencies,
                memory,
            };
            asked.memory_bytes()?;
            if print_bake {
                let bake = berth_compose::bake::bake(&project, &service, with_dependencies, push)?;
                print(&format!("{}\n", serde_json::to_string_pretty(&bake)?));
                return Ok(0);
            }
            let conn = connect(berth).await?;
            let events: Box<dyn Fn(ApplyEvent) + Sync + Send> = match quiet {
                true => Box::new(|_| {}),
                false => progress(format),
            };
            berth
                .compose_build(&conn, &project, &service, &asked, &events)
                .await?;
            if push {
                let how = Pushing {
                    include_deps: with_dependencies,
                    ..Pushing::default()
                };
                push_images(berth, &conn, &project, &service, format, how).await?;
            }
            Ok(0)
        }
        ComposeCommand::Pull {
            quiet,
            include_deps,
            ignore_buildable,
            ignore_pull_failures,
            policy,
            service,
        } => {
            let project = berth.compose_load(&load_options(p, &service))?;
            let conn = connect(berth).await?;
            let asked = berth_api::compose::PullAsked {
                include_deps,
                ignore_buildable,
                ignore_failures: ignore_pull_failures,
                policy,
            };
            let warnings = berth
                .compose_pull(
                    &conn,
                    &project,
                    &service,
                    &asked,
                    &quieted(format, quiet, false),
                )
                .await?;
            warn(&warnings);
            Ok(0)
        }
        ComposeCommand::Publish(a) => {
            let project = berth.compose_load(&load_options(p, &[]))?;
            let asked = PublishAsked {
                resolve_image_digests: a.resolve_image_digests,
                oci_version: a
                    .oci_version
                    .as_deref()
                    .map(berth_compose::oci::OciVersion::parse)
                    .transpose()
                    .map_err(ApiError::from)?,
            };
            // What cannot be published is said before any image is pushed; what --with-env
            // publishes, by name.
            let layers =
                berth_compose::oci::layers(&project, a.with_env).map_err(ApiError::from)?;
            for (name, svc) in project.services.iter().chain(&project.disabled) {
                if !svc.environment.is_empty() {
                    let keys: Vec<&str> = svc.environment.keys().map(String::as_str).collect();
                    eprintln!(
                        "WARN publishing the environment of service {name}: {}",
                        keys.join(", ")
                    );
                }
            }
            if how.dry_run {
                let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
                eprintln!("{} would be published: {}", a.repository, names.join(", "));
                return Ok(0);
            }
            let conn = connect(berth).await?;
            // The images the project builds go first, a failure said and gone past, as compose
            // pushes them.
            let how = Pushing {
                include_deps: false,
                ignore_failures: true,
                quiet: false,
            };
            push_images(berth, &conn, &project, &[], format, how).await?;
            let published = berth
                .compose_publish(&conn, &project, layers, &a.repository, &asked)
                .await?;
            eprintln!(
                "{} published ({}): {}",
                published.reference,
                published.digest,
                published.files.join(", ")
            );
            Ok(0)
        }
        ComposeCommand::Push {
            ignore_push_failures,
            include_deps,
            quiet,
            service,
        } => {
            let project = berth.compose_load(&load_options(p, &service))?;
            let conn = connect(berth).await?;
            let how = Pushing {
                include_deps,
                ignore_failures: ignore_push_failures,
                quiet,
            };
            push_images(berth, &conn, &project, &service, format, how).await?;
            Ok(0)
        }
        ComposeCommand::Exec(a) => {
            let (conn, id) = service_container(berth, p, &a.service, a.index).await?;
            let tty = !a.no_tty && std::io::stdin().is_terminal();
            let exec = crate::cli::ExecArgs {
                interactive: !a.detach,
                tty: tty && !a.detach,
                detach: a.detach,
                env: a.env,
                env_files: Vec::new(),
                workdir: a.workdir,
                user: a.user,
                privileged: a.privileged,
                container: id,
                command: a.command,
            };
            ops::exec(berth, &conn, exec).await
        }
        ComposeCommand::Run(a) => run_oneoff(berth, p, a, format).await,
        ComposeCommand::Port {
            index,
            protocol,
            service,
            port,
        } => {
            let (conn, id) = service_container(berth, p, &service, index).await?;
            let wanted = format!("{port}/{protocol}");
            let published = berth.published_ports(&conn, &id).await?;
            // The first address, as compose prints it (IPv4 before IPv6).
            let Some(first) = published.iter().find(|p| p.port == wanted) else {
                bail!("service {service} publishes no port {wanted}");
            };
            emit(format, std::slice::from_ref(first), || {
                render::join_host_port(&first.host_ip, &first.host_port) + "\n"
            })?;
            Ok(0)
        }
        ComposeCommand::Top { service } => {
            let (_, name) = model(berth, p, &service)?;
            let conn = connect(berth).await?;
            for row in berth
                .compose_containers(&conn, &name, &service, false)
                .await?
            {
                let top = berth.top(&conn, &row.id).await?;
                print(&format!(
                    "{}\n{}\n",
                    row.names.join(","),
                    render::top_table(&top)
                ));
            }
            Ok(0)
        }
        ComposeCommand::Commit {
            message,
            author,
            pause,
            index,
            service,
            target,
        } => {
            let (conn, id) = service_container(berth, p, &service, index).await?;
            let image = berth
                .commit(
                    &conn,
                    &id,
                    target.as_deref(),
                    message.as_deref(),
                    author.as_deref(),
                    pause,
                )
                .await?;
            println!("{image}");
            Ok(0)
        }
        ComposeCommand::Export {
            output,
            index,
            service,
        } => {
            let (conn, id) = service_container(berth, p, &service, index).await?;
            let mut out = ops::ArchiveOut::open(output.as_deref())?;
            berth.export(&conn, &id, out.out()).await?;
            out.finish()?;
            Ok(0)
        }
        ComposeCommand::Volumes { quiet, service } => {
            let (_, name) = model(berth, p, &service)?;
            let conn = connect(berth).await?;
            let label = format!("label={}={name}", berth_compose::labels::PROJECT);
            let mut rows = berth.volumes_where(&conn, &[label]).await?;
            if !service.is_empty() {
                let used: Vec<String> = berth
                    .compose_containers(&conn, &name, &service, true)
                    .await?
                    .into_iter()
                    .flat_map(|c| c.names)
                    .collect();
                rows.retain(|v| v.users.iter().any(|u| used.contains(u)));
            }
            if quiet {
                ids(rows.iter().map(|v| v.name.as_str()))?;
                return Ok(0);
            }
            // Rows as `docker compose volumes` writes them: docker's volume fields, through a
            // template (`--format json` is `{{json .}}`).
            let template = match (template, format) {
                (None, Format::Json) => Some("{{json .}}"),
                (template, _) => template,
            };
            let fields = render::volume_fields();
            match crate::commands::list_template(template, false, None, &fields)? {
                Some(t) => print(&t.render(&rows, &fields)),
                None => print(&render::volumes_table(&rows)),
            }
            Ok(0)
        }
        ComposeCommand::Images { quiet, service } => {
            let (_, name) = model(berth, p, &service)?;
            let conn = connect(berth).await?;
            let rows = berth
                .compose_containers(&conn, &name, &service, true)
                .await?;
            let mut images = Vec::new();
            for r in &rows {
                let (repo, tag) = match r.image.rsplit_once(':') {
                    Some((repo, tag)) if !tag.contains('/') => (repo.to_owned(), tag.to_owned()),
                    _ => (r.image.clone(), "latest".to_owned()),
                };
                let (id, size) = berth
                    .image_id_and_size(&conn, &r.image)
                    .await
                    .unwrap_or_default();
                images.push(ComposeImage {
                    container_name: r.names.join(","),
                    repository: repo,
                    tag,
                    id,
                    size,
                });
            }
            if quiet {
                let mut once: Vec<&str> = Vec::new();
                for i in &images {
                    let id = i.id.strip_prefix("sha256:").unwrap_or(&i.id);
                    if !id.is_empty() && !once.contains(&id) {
                        once.push(id);
                    }
                }
                ids(once.into_iter())?;
                return Ok(0);
            }
            emit(format, &images, || {
                render::table(
                    &["CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"],
                    images.iter().map(|i| {
                        vec![
                            i.container_name.clone(),
                            i.repository.clone(),
                            i.tag.clone(),
                            short_id(&i.id),
                            if i.id.is_empty() {
                                String::new()
                            } else {
                                render::human_size(i.size)
                            },
                        ]
                    }),
                )
            })?;
            Ok(0)
        }
        ComposeCommand::Ls { all, quiet, filter } => {
            let mut names = Vec::new();
            for f in &filter {
                match f.split_once('=') {
                    Some(("name", text)) => names.push(text.to_owned()),
                    _ => bail!("--filter {f:?}: compose ls filters by name=TEXT"),
                }
            }
            let conn = connect(berth).await?;
            let rows: Vec<_> = berth
                .compose_projects(&conn)
                .await?
                .into_iter()
                .filter(|r| all || r.status.contains("running"))
                .filter(|r| names.iter().all(|n| r.name.contains(n.as_str())))
                .collect();
            if quiet {
                ids(rows.iter().map(|r| r.name.as_str()))?;
                return Ok(0);
            }
            // JSON with compose's field names.
            #[derive(serde::Serialize)]
            #[serde(rename_all = "PascalCase")]
            struct Listed<'r> {
                name: &'r str,
                status: &'r str,
                config_files: &'r str,
            }
            let listed: Vec<Listed> = rows
                .iter()
                .map(|r| Listed {
                    name: &r.name,
                    status: &r.status,
                    config_files: &r.config_files,
                })
                .collect();
            emit(format, &listed, || {
                render::table(
                    &["NAME", "STATUS", "CONFIG FILES"],
                    rows.iter()
                        .map(|r| vec![r.name.clone(), r.status.clone(), r.config_files.clone()]),
                )
            })?;
            Ok(0)
        }
        ComposeCommand::Watch { no_up, service } => {
            crate::watch::run(berth, p, no_up, service, format).await
        }
        ComposeCommand::Cp {
            index,
            how,
            source,
            dest,
        } => cp(berth, p, index, how.into(), &source, &dest).await,
        ComposeCommand::Stats { asked, service } => {
            let services: Vec<String> = service.into_iter().collect();
            let (_, name) = model(berth, p, &services)?;
            let conn = connect(berth).await?;
            let rows = berth
                .compose_containers(&conn, &name, &services, asked.all)
                .await?;
            let names: Vec<String> = rows
                .iter()
                .filter_map(|r| r.names.first().cloned())
                .collect();
            if names.is_empty() {
                // None to read (the engine's others are not the project's).
                return Ok(0);
            }
            crate::commands::stats(berth, &conn, &names, &asked, format, template).await
        }
        ComposeCommand::Events {
            json,
            since,
            until,
            service,
        } => {
            let since = since.map(|s| ops::when(&s, "--since")).transpose()?;
            let until = until.map(|s| ops::when(&s, "--until")).transpose()?;
            let (_, name) = model(berth, p, &service)?;
            let conn = connect(berth).await?;
            let filters = [format!("label={}={name}", berth_compose::labels::PROJECT)];
            let stream = berth.events(&conn, since, until, &filters)?;
            futures_util::pin_mut!(stream);
            while let Some(e) = stream.next().await {
                if let Some(line) = event_line(&e?, &service, json)? {
                    println!("{line}");
                }
            }
            Ok(0)
        }
        ComposeCommand::Wait {
            down_project,
            service,
        } => {
            let (project, name) = model(berth, p, &service)?;
            let conn = connect(berth).await?;
            let rows = berth
                .compose_containers(&conn, &name, &service, false)
                .await?;
            if rows.is_empty() {
                bail!(
                    "project {name} has no running container of {}",
                    service.join(", ")
                );
            }
            let mut waits: futures_util::stream::FuturesUnordered<_> = rows
                .iter()
                .map(|r| async { (r.id.clone(), berth.wait(&conn, &r.id).await) })
                .collect();
            let mut code = 0;
            while let Some((id, exited)) = waits.next().await {
                code = exited?;
                println!("container {id:?} exited with status code {code}");
            }
            if down_project {
                let warnings = berth
                    .compose_down(
                        &conn,
                        project.as_ref(),
                        &name,
                        &DownOptions::default(),
                        None,
                        &progress(format),
                    )
                    .await?;
                warn(&warnings);
            }
            Ok(i32::try_from(code).unwrap_or(1))
        }
        ComposeCommand::Scale { no_deps, scale } => {
            let service = scale
                .iter()
                .map(|s| {
                    s.split_once('=')
                        .map_or(s.as_str(), |(svc, _)| svc)
                        .to_owned()
                })
                .collect();
            let a = UpArgs {
                detach: true,
                no_deps,
                create: CreateArgs {
                    scale,
                    service,
                    ..CreateArgs::default()
                },
                ..UpArgs::default()
            };
            up(berth, p, a, format).await
        }
        ComposeCommand::Attach {
            index,
            attaching,
            no_stdin,
            service,
        } => {
            let (_, name) = model(berth, p, std::slice::from_ref(&service))?;
            let keys = ops::detach_keys(berth, attaching.detach_keys.as_deref())?;
            let conn = connect(berth).await?;
            let id = berth
                .compose_container(&conn, &name, &service, index)
                .await?;
            ops::attach(
                berth,
                &conn,
                &id,
                attaching.sig_proxy,
                &keys,
                (false, !no_stdin),
            )
            .await
        }
        ComposeCommand::Version { short } => {
            let version = env!("CARGO_PKG_VERSION");
            let text = match (short, format) {
                (true, _) => format!("{version}\n"),
                (false, Format::Json) => format!("{}\n", serde_json::json!({ "version": version })),
                (false, Format::Table) => format!("Berth Compose version {version}\n"),
            };
            print(&text);
            Ok(0)
        }
    }
}

fn short_id(id: &str) -> String {
    let id = id.trim_start_matches("sha256:");
    id[..id.len().min(12)].to_owned()
}

fn berth_compose_list(project: &Project, what: &str) -> Vec<String> {
    use berth_compose::config;
    match what {
        "services" => config::services(project),
        "volumes" => config::volumes(project),
        "profiles" => config::profiles(project),
        "models" => config::models(project),
        _ => config::images(project),
    }
}

fn service_of(r: &ContainerRow) -> String {
    r.labels
        .get(berth_compose::labels::SERVICE)
        .cloned()
        .unwrap_or_default()
}

/// compose's `ps` table: NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS.
/// `trunc`: commands cut to 20 characters.
pub fn ps_table(rows: &[ContainerRow], now: i64, trunc: bool) -> String {
    render::table(
        &[
            "NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS",
        ],
        rows.iter().map(|c| {
            vec![
                c.names.join(","),
                c.image.clone(),
                match trunc {
                    true => format!("\"{}\"", render::ellipsis(&c.command, 20)),
                    false => format!("\"{}\"", c.command),
                },
                service_of(c),
                format!("{} ago", render::human_duration(now - c.created)),
                c.status.clone(),
                render::ports(&c.ports),
            ]
        }),
    )
}

/// A lifecycle command (start, stop, restart, …) on the project's containers, its files read.
async fn lifecycle(
    berth: &Berth,
    p: &ProjectArgs,
    services: &[String],
    op: Lifecycle,
    format: Format,
) -> Result<i32> {
    let (project, name) = model(berth, p, services)?;
    lifecycle_of(berth, project.as_ref(), &name, services, op, format).await
}

/// [`lifecycle`] on a project read already.
async fn lifecycle_of(
    berth: &Berth,
    project: Option<&Project>,
    name: &str,
    services: &[String],
    op: Lifecycle,
    format: Format,
) -> Result<i32> {
    let conn = connect(berth).await?;
    berth
        .compose_lifecycle(&conn, project, name, services, &op, &progress(format))
        .await?;
    Ok(0)
}

fn up_options(a: &UpArgs) -> Result<UpOptions> {
    let mut scale = BTreeMap::new();
    for s in &a.create.scale {
        let Some((svc, n)) = s.split_once('=') else {
            bail!("--scale {s:?}: write SERVICE=NUMBER");
        };
        let n: u32 = n
            .parse()
            .map_err(|_| anyhow::anyhow!("--scale {s:?}: {n:?} is not a number"))?;
        scale.insert(svc.to_owned(), n);
    }
    if let Some(pull) = &a.create.pull
        && !matches!(pull.as_str(), "always" | "missing" | "never")
    {
        bail!("--pull {pull:?}: use always, missing or never");
    }
    if a.create.build && a.create.no_build {
        bail!("--build and --no-build contradict each other: give one");
    }
    if a.create.force_recreate && a.create.no_recreate {
        bail!("--force-recreate and --no-recreate contradict each other: give one");
    }
    if (a.abort_on_container_exit || a.abort_on_container_failure || a.exit_code_from.is_some())
        && (a.wait || a.no_start)
    {
        bail!(
            "--abort-on-container-exit, --abort-on-container-failure and --exit-code-from follow the containers attached: leave out --wait and --no-start"
        );
    }
    if a.always_recreate_deps && a.create.no_recreate {
        bail!("--always-recreate-deps and --no-recreate contradict each other: give one");
    }
    Ok(UpOptions {
        services: a.create.service.clone(),
        no_deps: a.no_deps,
        force_recreate: a.create.force_recreate,
        always_recreate_deps: a.always_recreate_deps,
        no_recreate: a.create.no_recreate,
        remove_orphans: a.create.remove_orphans,
        scale,
        build: a.create.build,
        no_build: a.create.no_build,
        pull: a.create.pull.clone(),
        no_start: a.no_start,
        renew_anon_volumes: a.renew_anon_volumes,
        wait: a.wait,
        wait_timeout: a.wait_timeout,
    })
}

async fn up(berth: &Berth, p: &ProjectArgs, a: UpArgs, format: Format) -> Result<i32> {
    let opts = up_options(&a)?;
    let project = berth.compose_load(&load_options(p, &a.create.service))?;
    warn_unset(&project);
    if let Some(svc) = &a.exit_code_from
        && !project.services.contains_key(svc)
    {
        bail!("--exit-code-from {svc}: the project has no such service");
    }
    for (flag, names) in [("--attach", &a.attach), ("--no-attach", &a.no_attach)] {
        if let Some(svc) = names.iter().find(|s| !project.services.contains_key(*s)) {
            bail!("{flag} {svc}: the project has no such service");
        }
    }
    if a.watch {
        // The rules are checked before anything starts.
        berth_compose::watch::rules(&project, &opts.services).map_err(ApiError::from)?;
    }
    // The shortcuts: asked with --menu (refused without a terminal), or by COMPOSE_MENU in one.
    let attaches = !(a.detach || a.wait || a.no_start || a.dry_run);
    // (Where the menu is not available yet, the variable is left unsaid; --menu says so.)
    let from_env = std::env::var("COMPOSE_MENU")
        .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "t" | "true"))
        && std::io::stdin().is_terminal()
        && cfg!(unix);
    let mut keys = match attaches && (a.menu || from_env) {
        true => Some(crate::menu::Keys::start()?),
        false => None,
    };
    let conn = connect(berth).await?;
    if a.dry_run {
        let (images, containers) = berth.compose_plan(&conn, &project, &opts).await?;
        print(&format!("{images}{containers}"));
        return Ok(0);
    }
    let warnings = berth
        .compose_up(
            &conn,
            &project,
            &opts,
            a.timeout,
            &quieted(format, a.create.quiet_pull, a.create.quiet_build),
        )
        .await?;
    warn(&warnings);
    if a.detach || a.wait || a.no_start {
        return Ok(0);
    }
    // Attached: follow the logs until the containers stop, stop them on Ctrl-C. Those that
    // already ended count too (a container that runs `true` can be done before this lists it),
    // but not one-offs, nor containers of services the files no longer have.
    let attached: Vec<String> = if opts.services.is_empty() {
        project.services.keys().cloned().collect()
    } else {
        opts.services.clone()
    };
    let since = conn.client.engine_time().await?;
    let rows: Vec<_> = berth
        .compose_containers(&conn, &project.name, &attached, true)
        .await?
        .into_iter()
        .filter(|r| !berth_compose::labels::oneoff(&r.labels))
        .collect();
    let follow = LogOptions {
        follow: true,
        timestamps: a.timestamps,
        ..Default::default()
    };
    let stop_all = || async {
        berth
            .compose_lifecycle(
                &conn,
                Some(&project),
                &project.name,
                &opts.services,
                &Lifecycle::Stop { timeout: a.timeout },
                &progress(format),
            )
            .await
    };
    // Whose logs are shown: every container's exit is still said and waited for.
    let shown = shown_services(&project, &opts.services, &a)?;
    let shown_rows: Vec<_> = rows
        .iter()
        .filter(|r| {
            r.labels
                .get(berth_compose::labels::SERVICE)
                .is_some_and(|s| shown.contains(s))
        })
        .cloned()
        .collect();
    // Those that start while it is attached join (a recreate by a watch or another up).
    let joining = Joining {
        project: project.name.clone(),
        services: shown.iter().cloned().collect(),
        since,
    };
    let printed = logs(
        berth,
        &conn,
        &shown_rows,
        &follow,
        colour(a.no_color),
        !a.no_log_prefix,
        Some(joining),
    );
    tokio::pin!(printed);
    let aborting = a.abort_on_container_exit || a.exit_code_from.is_some();
    // Each container's exit is said as it comes, as compose says it; the first ends it all when
    // aborting, the first that fails with --abort-on-container-failure.
    let exits = async {
        let mut waits: futures_util::stream::FuturesUnordered<_> = rows
            .iter()
            .map(|r| {
                let conn = &conn;
                async move { (r, berth.wait(conn, &r.id).await) }
            })
            .collect();
        while let Some((row, code)) = waits.next().await {
            let code = code?;
            eprintln!("{} exited with code {code}", row.names.join(","));
            if aborting || (a.abort_on_container_failure && code != 0) {
                return Ok(Some((row.id.clone(), code)));
            }
        }
        Ok::<_, anyhow::Error>(None)
    };
    tokio::pin!(exits);
    // The code `up` ends with: the one asked for, once everything stopped.
    let (rows_ref, conn_ref, asked) = (&rows, &conn, &a.exit_code_from);
    let code_of = |first: i64| async move {
        let (rows, conn) = (rows_ref, conn_ref);
        let Some(svc) = asked else {
            return Ok(first);
        };
        let chosen = rows.iter().find(|r| {
            r.labels
                .get(berth_compose::labels::SERVICE)
                .is_some_and(|s| s == svc)
        });
        match chosen {
            Some(r) => Ok(berth.wait(conn, &r.id).await?),
            None => bail!("--exit-code-from {svc}: no container of it runs in the project"),
        }
    };
    // `--watch` (or the menu's w): the rules followed while attached (ending only on an error).
    let watch_events = progress(format);
    let start_watch =
        || Box::pin(berth.compose_watch(&conn, &project, &opts.services, &watch_events));
    let mut watching = a.watch.then(start_watch);
    if keys.is_some() {
        eprintln!("{}", crate::menu::line(watching.is_some(), colour(false)));
    }
    let every_log_shown = shown_rows.len() == rows.len();
    let (mut printed_done, mut exits_done) = (false, false);
    loop {
        tokio::select! {
            r = &mut printed, if !printed_done => {
                r?;
                printed_done = true;
                if !every_log_shown && !exits_done {
                    // The containers not shown may still run: wait for their exits.
                    continue;
                }
                if exits_done {
                    return Ok(0);
                }
                // Every container ended by itself: say the exits not said yet.
                return match exits.await? {
                    Some((_, first)) => Ok(i32::try_from(code_of(first).await?).unwrap_or(1)),
                    _ => Ok(0),
                };
            }
            r = async { watching.as_mut().expect("checked").await }, if watching.is_some() => {
                r?;
                watching = None;
            }
            key = async { keys.as_mut().expect("checked").pressed.recv().await }, if keys.is_some() => {
                match key {
                    // The terminal closed: no more keys.
                    None => keys = None,
                    Some(b'd') => {
                        eprintln!("Detached: the containers keep running (berth compose stop stops them)");
                        return Ok(0);
                    }
                    Some(b'w') => {
                        if watching.take().is_some() {
                            eprintln!("Watch disabled");
                        } else {
                            match berth_compose::watch::rules(&project, &opts.services) {
                                Ok(_) => watching = Some(start_watch()),
                                Err(e) => eprintln!("berth: cannot watch: {e}"),
                            }
                        }
                        eprintln!("{}", crate::menu::line(watching.is_some(), colour(false)));
                    }
                    Some(_) => {}
                }
            }
            first = &mut exits, if !exits_done => {
                let Some((exited, first)) = first? else {
                    // Their logs (and those of the containers that joined) still followed.
                    exits_done = true;
                    if printed_done {
                        return Ok(0);
                    }
                    continue;
                };
                eprintln!("Aborting on container exit...");
                stop_all().await?;
                // The stopped containers' last lines and their exits, then the code asked for.
                if !printed_done {
                    printed.await?;
                }
                for r in rows.iter().filter(|r| r.id != exited) {
                    let code = berth.wait(&conn, &r.id).await?;
                    eprintln!("{} exited with code {code}", r.names.join(","));
                }
                return Ok(i32::try_from(code_of(first).await?).unwrap_or(1));
            }
            _ = tokio::signal::ctrl_c() => {
                eprintln!("Gracefully stopping... (press Ctrl+C again to force)");
                stop_all().await?;
                return Ok(0);
            }
        }
    }
}

/// The services whose logs an attached `up` shows, as compose chooses them: those given with
/// `--attach`, else the services brought up (with their dependencies under
/// `--attach-dependencies`) but those with `attach: false`; less those given with `--no-attach`.
fn shown_services(
    project: &Project,
    named: &[String],
    a: &UpArgs,
) -> Result<std::collections::BTreeSet<String>> {
    let mut shown: std::collections::BTreeSet<String> = if !a.attach.is_empty() {
        a.attach.iter().cloned().collect()
    } else {
        let scope = if named.is_empty() {
            project.services.keys().cloned().collect()
        } else if a.attach_dependencies {
            berth_compose::plan::scope(project, named, false)?
        } else {
            named.to_vec()
        };
        scope
            .into_iter()
            .filter(|s| project.services.get(s).is_some_and(|svc| svc.attach()))
            .collect()
    };
    for s in &a.no_attach {
        shown.remove(s);
    }
    Ok(shown)
}

/// Containers that join followed logs as the engine starts them, as compose has them join: a
/// followed service's (a scale up, a restart of a followed one) and one made in place of a
/// followed one (its `com.docker.compose.replace` label), told by the project's events from
/// `since` (the engine's time before the followed ones were listed).
struct Joining {
    project: String,
    /// The services followed; all when empty.
    services: Vec<String>,
    since: i64,
}

/// Prints the containers' logs, each line after its container's name (coloured on a
/// terminal), partial last lines at their end; with `joining`, also those of the containers
/// that join, until none of those it waits for runs on (compose's rule: each followed one
/// that was running, and each that joins, until it dies for good or is removed).
async fn logs(
    berth: &Berth,
    conn: &Connection,
    rows: &[ContainerRow],
    opts: &LogOptions,
    colour: bool,
    prefix: bool,
    joining: Option<Joining>,
) -> Result<()> {
    let mut out = LogPrinter {
        colour,
        prefix,
        width: rows
            .iter()
            .map(|r| r.names.join(",").len())
            .max()
            .unwrap_or(0),
        names: Vec::new(),
        pending: Vec::new(),
        out: Vec::new(),
        err: Vec::new(),
    };
    type Chunks<'a> =
        futures_util::stream::BoxStream<'a, (usize, Result<berth_api::LogChunk, ApiError>)>;
    let mut streams: futures_util::stream::SelectAll<Chunks<'_>> =
        futures_util::stream::SelectAll::new();
    // Per container followed: its id, and whether its stream still runs.
    let mut followed: Vec<(String, bool)> = Vec::new();
    let add = |streams: &mut futures_util::stream::SelectAll<Chunks<'_>>,
               out: &mut LogPrinter,
               followed: &mut Vec<(String, bool)>,
               id: &str,
               name: String,
               opts: &LogOptions| {
        let i = out.add(name);
        followed.push((id.to_owned(), true));
        streams.push(berth.logs_raw(conn, id, opts).map(move |c| (i, c)).boxed());
    };
    for r in rows {
        add(
            &mut streams,
            &mut out,
            &mut followed,
            &r.id,
            r.names.join(","),
            opts,
        );
        // One not running has printed all it will until it starts again.
        if !matches!(r.state.as_str(), "running" | "restarting" | "paused") {
            followed.last_mut().expect("just added").1 = false;
        }
    }
    let mut events = match &joining {
        Some(j) => {
            let filter = [format!(
                "label={}={}",
                berth_compose::labels::PROJECT,
                j.project
            )];
            Some(berth.events(conn, Some(j.since), None, &filter)?.boxed())
        }
        None => None,
    };
    // Those it waits for (with `joining`): running when listed, or joined since.
    let mut expected: std::collections::BTreeSet<String> = rows
        .iter()
        .filter(|r| r.state == "running" || r.state == "restarting")
        .map(|r| r.id.clone())
        .collect();
    loop {
        let waiting = events.is_some() && !expected.is_empty();
        if streams.is_empty() && !waiting {
            break;
        }
        tokio::select! {
            batch = streams.next(), if !streams.is_empty() => {
                let Some((i, chunk)) = batch else { continue };
                match chunk {
                    Ok(chunk) => out.chunk(i, &chunk),
                    Err(e) => return Err(e.into()),
                }
                // Whatever else is ready, printed with it.
                while let Some(Some((i, chunk))) = streams.next().now_or_never() {
                    out.chunk(i, &chunk?);
                }
                out.flush();
            }
            event = async { events.as_mut().expect("waiting has events").next().await }, if waiting => {
                let Some(event) = event else {
                    events = None;
                    continue;
                };
                let e = event?;
                let Some(j) = &joining else { continue };
                let label = |key: &str| e.attributes.get(key).cloned().unwrap_or_default();
                let of_interest = !berth_compose::labels::oneoff(&e.attributes)
                    && (j.services.is_empty() || j.services.contains(&label(berth_compose::labels::SERVICE)));
                match e.action.as_str() {
                    // Made in place of one waited for (before that one stops): waited for.
                    "create" if of_interest && expected.contains(&label(berth_compose::labels::REPLACE)) => {
                        expected.insert(e.actor.clone());
                    }
                    "start" if of_interest => {
                        let running = followed.iter().any(|(id, on)| *id == e.actor && *on);
                        if !running {
                            // Joined, or followed before and started again: from its start.
                            let since = LogOptions {
                                since: Some(e.time_nano / 1_000_000_000),
                                tail: None,
                                ..opts.clone()
                            };
                            let seen = followed.iter().any(|(id, _)| *id == e.actor);
                            let from = if seen { &since } else { opts };
                            add(&mut streams, &mut out, &mut followed, &e.actor, label("name"), from);
                            expected.insert(e.actor.clone());
                        }
                    }
                    "die" => {
                        for f in followed.iter_mut().filter(|(id, _)| *id == e.actor) {
                            f.1 = false;
                        }
                        let again = berth
                            .inspect_container(conn, &e.actor)
                            .await
                            .map(|c| c["State"]["Restarting"] == true || c["State"]["Running"] == true)
                            .unwrap_or(false);
                        if !again {
                            expected.remove(&e.actor);
                        }
                    }
                    "destroy" => {
                        expected.remove(&e.actor);
                    }
                    _ => {}
                }
            }
        }
    }
    out.finish();
    Ok(())
}

/// How followed logs are printed: each container's lines after its prefix, its partial last
/// line kept until its end.
struct LogPrinter {
    colour: bool,
    prefix: bool,
    width: usize,
    /// Per container followed (by index): its prefix.
    names: Vec<String>,
    /// Per container: its partial last line of stdout and of stderr.
    pending: Vec<[Vec<u8>; 2]>,
    out: Vec<u8>,
    err: Vec<u8>,
}

impl LogPrinter {
    const COLOURS: [u8; 6] = [36, 33, 32, 35, 34, 31];

    /// A container to print; its index.
    fn add(&mut self, name: String) -> usize {
        let i = self.names.len();
        let width = self.width.max(name.len());
        let colour = Self::COLOURS[i % Self::COLOURS.len()];
        self.names.push(match (self.prefix, self.colour) {
            (false, _) => String::new(),
            (true, true) => format!("\x1b[{colour}m{name:width$}  |\x1b[0m "),
            (true, false) => format!("{name:width$}  | "),
        });
        self.pending.push([Vec::new(), Vec::new()]);
        i
    }

    /// The whole lines of a chunk of container `i`'s output, to print at the next flush.
    fn chunk(&mut self, i: usize, chunk: &berth_api::LogChunk) {
        let which = usize::from(chunk.stream == berth_api::LogStream::Stderr);
        self.pending[i][which].extend_from_slice(&chunk.bytes);
        while let Some(nl) = self.pending[i][which].iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending[i][which].drain(..=nl).collect();
            self.line(i, which, &line);
        }
    }

    /// A line of container `i`'s stdout (`which` 0) or stderr (1), after its prefix.
    fn line(&mut self, i: usize, which: usize, line: &[u8]) {
        let sink = if which == 1 {
            &mut self.err
        } else {
            &mut self.out
        };
        sink.extend_from_slice(self.names[i].as_bytes());
        sink.extend_from_slice(line);
    }

    fn flush(&mut self) {
        let _ = std::io::stdout().lock().write_all(&self.out);
        let _ = std::io::stderr().lock().write_all(&self.err);
        self.out.clear();
        self.err.clear();
    }

    /// The partial last lines, each ended.
    fn finish(mut self) {
        for i in 0..self.pending.len() {
            for which in 0..2 {
                let mut buf = std::mem::take(&mut self.pending[i][which]);
                if !buf.is_empty() {
                    buf.push(b'\n');
                    self.line(i, which, &buf);
                }
            }
        }
        self.flush();
    }
}

async fn run_oneoff(berth: &Berth, p: &ProjectArgs, a: RunArgs, format: Format) -> Result<i32> {
    let project = berth.compose_load(&load_options(p, std::slice::from_ref(&a.service)))?;
    let conn = connect(berth).await?;
    let interactive = a.interactive && !a.detach;
    let tty = !a.no_tty && !a.detach && std::io::stdin().is_terminal();
    let entrypoint = a.entrypoint.as_deref().map(shell_split).transpose()?;
    let opts = RunOptions {
        command: a.command.clone(),
        entrypoint,
        env: a.env.clone(),
        env_files: a.env_from_file.clone(),
        name: a.name.clone(),
        no_deps: a.no_deps,
        tty,
        interactive,
        user: a.user.clone(),
        workdir: a.workdir.clone(),
        service_ports: a.service_ports,
        publish: a.publish.clone(),
        volumes: a.volumes.clone(),
        labels: a.labels.clone(),
        cwd: std::env::current_dir().ok(),
        auto_remove: a.rm,
        use_aliases: a.use_aliases,
        build: a.build,
        pull: a.pull.clone(),
        cap_add: a.cap_add.clone(),
        cap_drop: a.cap_drop.clone(),
        remove_orphans: a.remove_orphans,
    };
    // Checked before anything is made, as docker compose reads them: the Docker config's
    // detach keys, else ctrl-p ctrl-q.
    let keys = interactive
        .then(|| ops::detach_keys(berth, None))
        .transpose()?;
    let (id, name) = berth
        .compose_run_container(
            &conn,
            &project,
            &a.service,
            &opts,
            &quieted(format, a.quiet_pull, a.quiet_build),
        )
        .await?;
    if a.detach {
        berth.start(&conn, &id).await?;
        println!("{id}");
        return Ok(0);
    }
    // As docker compose runs it (the docker CLI's start -a): signals passed on without a TTY.
    let attached = ops::Attached {
        streams: berth_api::Streams::output(interactive),
        tty,
        keys,
        sig_proxy: true,
        auto_remove: a.rm,
    };
    ops::start_attached(berth, &conn, &id, &name, attached).await
}

fn shell_split(text: &str) -> Result<Vec<String>> {
    shell_words::split(text).map_err(|e| anyhow::anyhow!("--entrypoint {text:?}: {e}"))
}
