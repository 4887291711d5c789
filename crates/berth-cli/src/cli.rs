//! The command line's shape (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "berth", version, about = "Berth: a desktop for Docker engines, and its command line", long_about = None)]
pub struct Cli {
    /// Engine address (unix:///path or tcp://host:port); skips discovery.
    #[arg(short = 'H', long, global = true)]
    pub host: Option<String>,
    /// Docker context to use; skips discovery. Given before the command, as docker takes it
    /// (after one, `-c` is the command's own: `import -c`).
    #[arg(short = 'c', long)]
    pub context: Option<String>,
    /// Output format: table, json, or (for ps, images, inspect, volume ls, network ls, stats,
    /// history, events, system df, info, version, compose ps, compose volumes, compose stats) a Go template as docker takes it, e.g. '{{.Names}}' or 'table {{.ID}}\t{{.Status}}'.
    #[arg(long, global = true, default_value = "table", value_parser = format_arg)]
    pub format: FormatArg,
    #[command(subcommand)]
    pub command: Command,
}

/// What `--format` says: one of the formats every command has, or a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Plain(Format),
    /// A Go template (`{{.Names}}`), which the lists and `inspect` take.
    Template(String),
}

fn format_arg(text: &str) -> Result<FormatArg, String> {
    match text {
        "table" => Ok(FormatArg::Plain(Format::Table)),
        "json" => Ok(FormatArg::Plain(Format::Json)),
        t if t.contains("{{") => Ok(FormatArg::Template(t.to_owned())),
        _ => Err("write table, json, or a Go template such as '{{.Names}}'".into()),
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns, like docker's.
    Table,
    /// One JSON object per line.
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Berth's own engine: start, stop, restart, status, logs.
    #[command(subcommand)]
    Engine(EngineCommand),
    /// Docker contexts: list, switch, inspect.
    #[command(subcommand)]
    Context(ContextCommand),
    /// The engine: its summary, events, disk usage, and removing what nothing uses.
    #[command(subcommand)]
    System(SystemCommand),
    /// The engine's builder: removing the build cache nothing uses.
    #[command(subcommand)]
    Builder(BuilderCommand),
    /// Versions of berth and of the engine.
    Version,
    /// Write a diagnostics archive for a bug report: Berth's, the machine's and the engine's
    /// versions and set-up, Berth's settings and contexts, and its logs (no credentials).
    Diagnose {
        /// The archive to write (default: berth-diagnostics-DATE-TIME.tar.gz here).
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
    /// A summary of the engine.
    Info,
    /// Compose projects: up, down, ps, logs, config, watch, ...
    Compose(crate::compose::ComposeArgs),
    /// List containers.
    Ps(PsArgs),
    /// List images.
    Images(ImagesArgs),
    /// Volumes.
    #[command(subcommand)]
    Volume(VolumeCommand),
    /// Networks.
    #[command(subcommand)]
    Network(NetworkCommand),
    #[command(flatten)]
    Container(ContainerCommand),
    /// Low-level JSON of containers, images, volumes or networks.
    Inspect {
        /// What to look for (default: a container, else an image, a volume, a network).
        #[arg(long, value_parser = ["container", "image", "volume", "network"])]
        r#type: Option<String>,
        #[command(flatten)]
        args: InspectArgs,
    },
    /// The engine's events as they happen.
    Events(EventsArgs),
    #[command(flatten)]
    Image(ImageCommand),
    /// Log in to a registry (checked by the engine, then stored with the credential helper).
    Login {
        #[arg(short, long)]
        username: Option<String>,
        /// The password (seen by anyone who can list this machine's processes: prefer
        /// --password-stdin).
        #[arg(short, long, conflicts_with = "password_stdin")]
        password: Option<String>,
        /// Read the password from stdin.
        #[arg(long)]
        password_stdin: bool,
        /// Without a credential helper, keep the password base64-encoded in the Docker config.
        #[arg(long)]
        plain_text: bool,
        /// The registry, e.g. registry.example.com:5000 (default: Docker Hub).
        server: Option<String>,
    },
    /// Forget the login for a registry.
    Logout { server: Option<String> },
    /// Browse a registry: its repositories, a repository's tags, a tag's manifest.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Search Docker Hub (through the engine).
    Search {
        term: String,
        #[arg(long, default_value_t = 25)]
        limit: u32,
    },
    /// Remove images.
    Rmi(RmiArgs),
    /// Containers, as docker's `container` commands: ls, inspect, prune, and the container
    /// commands above (run, stop, logs, …).
    #[command(name = "container", subcommand)]
    ContainerGroup(ContainerGroup),
    /// Images, as docker's `image` commands: ls, rm, inspect, prune, check for newer ones, and
    /// the image commands above (pull, push, build, …).
    #[command(name = "image", subcommand)]
    ImageGroup(ImageGroup),
    /// Print a shell completion script.
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

impl Command {
    /// docker's management commands (`container ls`, `image rm`, `container stop`) as the
    /// commands they stand for (`ps`, `rmi`, `stop`); what only a group has stays in it.
    pub fn normalised(self) -> Command {
        match self {
            Command::ContainerGroup(group) => match group {
                ContainerGroup::Ls(args) => Command::Ps(args),
                ContainerGroup::Inspect(args) => Command::Inspect {
                    r#type: Some("container".into()),
                    args,
                },
                ContainerGroup::Common(cmd) => Command::Container(cmd),
                other => Command::ContainerGroup(other),
            },
            Command::ImageGroup(group) => match group {
                ImageGroup::Ls(args) => Command::Images(args),
                ImageGroup::Rm(args) => Command::Rmi(args),
                ImageGroup::Inspect(args) => Command::Inspect {
                    r#type: Some("image".into()),
                    args,
                },
                ImageGroup::Common(cmd) => Command::Image(cmd),
                other => Command::ImageGroup(other),
            },
            Command::System(SystemCommand::Info) => Command::Info,
            Command::System(SystemCommand::Events(args)) => Command::Events(args),
            Command::Volume(VolumeCommand::Inspect(args)) => Command::Inspect {
                r#type: Some("volume".into()),
                args,
            },
            Command::Network(NetworkCommand::Inspect(args)) => Command::Inspect {
                r#type: Some("network".into()),
                args,
            },
            other => other,
        }
    }
}

/// The commands on one container or a few, named as docker names them both alone (`berth
/// stop`) and in its `container` group (`berth container stop`).
#[derive(Subcommand, Debug)]
pub enum ContainerCommand {
    /// Create and start a container (attached unless -d).
    #[command(disable_help_flag = true)]
    Run(RunArgs),
    /// Create a container without starting it.
    #[command(disable_help_flag = true)]
    Create(RunArgs),
    /// Start stopped containers.
    Start {
        /// Attach to its output (and pass signals on), returning its exit code when it stops.
        #[arg(short, long)]
        attach: bool,
        /// Attach this terminal's input to its stdin too (a container made with -i).
        #[arg(short, long)]
        interactive: bool,
        /// The keys that detach, leaving it running (docker's form; default: detachKeys of
        /// config.json, else ctrl-p,ctrl-q).
        #[arg(long = "detach-keys", value_name = "KEYS")]
        detach_keys: Option<String>,
        #[arg(required = true)]
        containers: Vec<String>,
    },
    /// Stop running containers (SIGTERM, then SIGKILL after the timeout).
    Stop(StopArgs),
    /// Restart containers.
    Restart(StopArgs),
    /// Send a signal to containers.
    Kill {
        #[arg(short, long, default_value = "KILL")]
        signal: String,
        containers: Vec<String>,
    },
    /// Pause containers.
    Pause { containers: Vec<String> },
    /// Unpause containers.
    Unpause { containers: Vec<String> },
    /// Remove containers.
    Rm {
        /// Kill running containers first.
        #[arg(short, long)]
        force: bool,
        /// Also remove their anonymous volumes.
        #[arg(short, long)]
        volumes: bool,
        containers: Vec<String>,
    },
    /// Change containers' limits and restart policy while they run.
    Update(UpdateArgs),
    /// Rename a container.
    Rename { container: String, new_name: String },
    /// Wait for containers to stop and print their exit codes.
    Wait { containers: Vec<String> },
    /// A container's output.
    Logs(LogsArgs),
    /// Live usage of containers (all running ones when none is named).
    Stats {
        #[command(flatten)]
        asked: StatsArgs,
        containers: Vec<String>,
    },
    /// The processes of a container (with ps's own options after it, e.g. `aux`).
    Top {
        container: String,
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "PS_OPTIONS"
        )]
        ps_args: Vec<String>,
    },
    /// The host addresses a container's ports are published on (one port's with PRIVATE_PORT).
    Port {
        container: String,
        /// A port of the container, as `80` or `53/udp`.
        #[arg(value_name = "PRIVATE_PORT[/PROTO]")]
        port: Option<String>,
    },
    /// Attach this terminal to a running container's main process.
    Attach {
        #[command(flatten)]
        attaching: Attaching,
        /// Only the container's output: this terminal's input is not passed on.
        #[arg(long)]
        no_stdin: bool,
        container: String,
    },
    /// Run a command in a running container.
    Exec(ExecArgs),
    /// Copy files between a container and this machine: `CONTAINER:PATH DEST` or `SRC
    /// CONTAINER:PATH`; `-` for DEST writes a tar to stdout, for SRC unpacks one from stdin.
    Cp {
        #[command(flatten)]
        how: CopyArgs,
        source: String,
        dest: String,
    },
    /// What a container changed in its filesystem.
    Diff { container: String },
    /// Make an image of a container's filesystem.
    Commit {
        #[arg(short, long)]
        message: Option<String>,
        #[arg(short, long)]
        author: Option<String>,
        /// Do not pause the container while committing.
        #[arg(long)]
        no_pause: bool,
        container: String,
        /// REPOSITORY[:TAG]
        target: Option<String>,
    },
    /// Write a container's filesystem as a tar.
    Export {
        #[arg(short, long)]
        output: Option<String>,
        container: String,
    },
}

/// docker's `container` group: its own commands, and every container command.
#[derive(Subcommand, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "made once per run, and moved whole into the command it stands for"
)]
pub enum ContainerGroup {
    /// List containers (as `berth ps`).
    #[command(visible_aliases = ["ps", "list"])]
    Ls(PsArgs),
    /// Low-level JSON of containers.
    Inspect(InspectArgs),
    /// Remove every stopped container (exited, created or dead), listing them first.
    Prune(PruneOptions),
    #[command(flatten)]
    Common(ContainerCommand),
}

/// The commands on images, named as docker names them both alone (`berth pull`) and in its
/// `image` group (`berth image pull`).
#[derive(Subcommand, Debug)]
pub enum ImageCommand {
    /// Build an image from a folder with a Dockerfile, a URL, or stdin.
    Build(Box<BuildArgs>),
    /// Pull an image from a registry.
    Pull {
        /// Pull the image made for this platform (OS/ARCH[/VARIANT]).
        #[arg(long)]
        platform: Option<String>,
        image: String,
    },
    /// Push an image to a registry.
    Push { image: String },
    /// Give an image another name.
    Tag { source: String, target: String },
    /// The layers of an image.
    History {
        /// Whole ids and commands.
        #[arg(long)]
        no_trunc: bool,
        /// Only the layers' ids.
        #[arg(short, long)]
        quiet: bool,
        /// Ages and sizes in units (--human=false: times and bytes as they are).
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "true|false")]
        human: bool,
        image: String,
    },
    /// Write images as a tar (for `load`).
    Save {
        #[arg(short, long)]
        output: Option<String>,
        images: Vec<String>,
    },
    /// Load images from a tar made by `save`.
    Load {
        #[arg(short, long)]
        input: Option<String>,
    },
    /// Make an image of a filesystem tar (as `export` writes one); prints its id.
    Import {
        /// A Dockerfile instruction for the image: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
        /// ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable).
        #[arg(short, long = "change", value_name = "INSTRUCTION")]
        changes: Vec<String>,
        /// The image's commit message.
        #[arg(short, long)]
        message: Option<String>,
        /// The tar, or - for stdin.
        #[arg(value_name = "FILE|-")]
        file: String,
        /// The image's name.
        #[arg(value_name = "REPOSITORY[:TAG]")]
        reference: Option<String>,
    },
}

/// docker's `image` group: its own commands, and every image command.
#[derive(Subcommand, Debug)]
pub enum ImageGroup {
    /// List images (as `berth images`).
    #[command(visible_alias = "list")]
    Ls(ImagesArgs),
    /// Remove images (as `berth rmi`).
    #[command(visible_aliases = ["rmi", "remove"])]
    Rm(RmiArgs),
    /// Low-level JSON of images.
    Inspect(InspectArgs),
    /// Is a newer image available under the same name? (Asks the registry; pulls nothing.)
    Check { images: Vec<String> },
    /// Remove images no container uses (untagged ones; every unused one with -a).
    Prune(PruneArgs),
    #[command(flatten)]
    Common(ImageCommand),
}

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// `KEY=value`: type, event, container, image, label, …
    #[arg(short, long = "filter")]
    pub filters: Vec<String>,
    /// Also past events since this time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds, or how long ago: 10m, 1h30m).
    #[arg(long)]
    pub since: Option<String>,
    /// Stop at this time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds, or how long ago: 10m, 1h30m).
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// A Go template over each object, as docker's `inspect -f` takes it, e.g.
    /// '{{.State.Status}}' or '{{.Mountpoint}}' (`--format TEMPLATE` says the same).
    #[arg(short = 'f', value_name = "TEMPLATE")]
    pub template: Option<String>,
    pub names: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RmiArgs {
    #[arg(short, long)]
    pub force: bool,
    pub images: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum EngineCommand {
    /// Start Berth's own engine (or find it running) and wait until it answers.
    Start,
    /// Stop Berth's own engine gracefully. Its data stays.
    Stop,
    /// Restart Berth's own engine.
    Restart,
    /// Berth's own engine, and the engine in use.
    Status {
        /// Keep printing Berth's engine state at every change (until interrupted).
        #[arg(short, long)]
        watch: bool,
    },
    /// Print the engine's log.
    Logs {
        /// Keep printing as it grows.
        #[arg(short, long)]
        follow: bool,
        /// Only the last N lines.
        #[arg(short = 'n', long)]
        tail: Option<usize>,
    },
    /// Print the engine's configuration (its daemon.json: registry mirrors, insecure
    /// registries, log options…), or replace it; it applies when the engine next starts.
    Config {
        /// Replace it with this file's JSON (- reads stdin), checked first.
        #[arg(long, value_name = "FILE")]
        set: Option<String>,
    },
    /// Run the supervisor in the foreground (what `engine start` runs detached).
    #[command(hide = true)]
    Supervise,
}

#[derive(Subcommand, Debug)]
pub enum ContextCommand {
    /// List contexts; the current one is marked with *.
    #[command(alias = "list")]
    Ls,
    /// Make a context the current one (written to the Docker CLI's config).
    Use { name: String },
    /// Add a remote engine as a context, in docker's own store.
    Create {
        /// The engine: host=tcp://HOST:PORT, with ca=FILE,cert=FILE,key=FILE for TLS.
        #[arg(long, value_name = "host=…[,ca=…,cert=…,key=…]")]
        docker: String,
        #[arg(long, default_value = "")]
        description: String,
        name: String,
    },
    /// Remove contexts (the current one only with -f; default is used then).
    #[command(alias = "remove")]
    Rm {
        #[arg(short, long)]
        force: bool,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Show contexts in detail (the current one when none is named).
    Inspect { names: Vec<String> },
}

#[derive(Subcommand, Debug)]
pub enum VolumeCommand {
    /// List volumes.
    #[command(alias = "list")]
    Ls(VolumeLsArgs),
    /// Create a volume.
    Create {
        #[arg(short, long)]
        driver: Option<String>,
        /// A driver option, `KEY=value`.
        #[arg(short = 'o', long = "opt")]
        options: Vec<String>,
        #[arg(long = "label")]
        labels: Vec<String>,
        name: Option<String>,
    },
    /// Show volumes in detail (as JSON, or through a template with -f).
    Inspect(InspectArgs),
    /// Remove named volumes.
    Rm {
        /// Remove them even when a container uses them.
        #[arg(short, long)]
        force: bool,
        names: Vec<String>,
    },
    /// Remove volumes no container uses (anonymous ones; every unused one with -a).
    Prune(PruneArgs),
    /// List the files in a volume.
    Files {
        name: String,
        /// A directory in the volume (default: its root).
        path: Option<String>,
    },
    /// Make a new volume with a copy of a volume's files (on its driver, without its labels).
    Clone {
        /// The volume to copy.
        from: String,
        /// The new volume's name (there must be none of that name yet).
        to: String,
    },
    /// Write a volume's files as a tar.
    Export {
        #[arg(short, long)]
        output: Option<String>,
        name: String,
    },
    /// Unpack a tar into a volume.
    Import {
        name: String,
        /// The tar (default: stdin).
        file: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum NetworkCommand {
    /// List networks.
    #[command(alias = "list")]
    Ls(NetworkLsArgs),
    /// Create a network.
    Create {
        #[arg(short, long)]
        driver: Option<String>,
        /// e.g. 10.5.0.0/16
        #[arg(long)]
        subnet: Option<String>,
        #[arg(long)]
        gateway: Option<String>,
        /// No route out of the network.
        #[arg(long)]
        internal: bool,
        /// The part of the subnet containers get their addresses from, e.g. 10.5.1.0/24.
        #[arg(long)]
        ip_range: Option<String>,
        /// A driver option: KEY=value, e.g. com.docker.network.bridge.name=br-web.
        #[arg(short = 'o', long = "opt")]
        options: Vec<String>,
        /// IPv6 too.
        #[arg(long)]
        ipv6: bool,
        /// Containers may be attached by hand (swarm overlay networks).
        #[arg(long)]
        attachable: bool,
        /// A label: KEY=value.
        #[arg(long = "label")]
        labels: Vec<String>,
        name: String,
    },
    /// Show networks in detail (as JSON, or through a template with -f).
    Inspect(InspectArgs),
    /// Attach a container to a network.
    Connect {
        #[arg(long = "alias")]
        aliases: Vec<String>,
        network: String,
        container: String,
    },
    /// Detach a container from a network.
    Disconnect {
        #[arg(short, long)]
        force: bool,
        network: String,
        container: String,
    },
    /// Remove networks.
    Rm { names: Vec<String> },
    /// Remove networks no container is attached to.
    Prune(PruneOptions),
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Every unused one, named volumes and tagged images too.
    #[arg(short, long)]
    pub all: bool,
    #[command(flatten)]
    pub options: PruneOptions,
}

/// What every prune takes: docker's filters, and how it asks first.
#[derive(Args, Debug)]
pub struct PruneOptions {
    /// Only what a filter lets through: until=WHEN (24h, a unix time, an RFC 3339 time; not for
    /// volumes), label=KEY[=VALUE], label!=KEY[=VALUE] (repeatable).
    #[arg(long = "filter", value_name = "KEY=value")]
    pub filters: Vec<String>,
    /// Remove without asking (what goes is listed first either way).
    #[arg(short, long)]
    pub force: bool,
    /// Only list what would be removed.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Show all containers, not only running ones.
    #[arg(short, long)]
    pub all: bool,
    /// Only the containers a filter lets through, as docker takes them: name=web,
    /// label=KEY[=value], status=exited, ancestor=IMAGE, … (repeatable).
    #[arg(short, long = "filter", value_name = "KEY=value")]
    pub filters: Vec<String>,
    /// Whole ids and commands.
    #[arg(long)]
    pub no_trunc: bool,
    /// The N containers created last, in any state.
    #[arg(short = 'n', long = "last", value_name = "N")]
    pub last: Option<usize>,
    /// The container created last, in any state.
    #[arg(short, long, conflicts_with = "last")]
    pub latest: bool,
    /// Each container's size: its own layer's, and with its image's (virtual). The engine
    /// measures the files, which takes longer.
    #[arg(short, long)]
    pub size: bool,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

#[derive(Args, Debug)]
pub struct ImagesArgs {
    /// Only this repository (and tag), as docker's `images NAME[:TAG]`.
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
    /// Also the intermediate images a build leaves (untagged parents of other images).
    #[arg(short, long)]
    pub all: bool,
    /// A column with each image's digest.
    #[arg(long)]
    pub digests: bool,
    /// Whole image ids (`sha256:…`).
    #[arg(long)]
    pub no_trunc: bool,
    /// Only the images a filter lets through, as docker takes them: dangling=true,
    /// reference=NAME[:TAG], label=KEY[=value], before=IMAGE, since=IMAGE (repeatable).
    #[arg(short, long = "filter", value_name = "KEY=value")]
    pub filters: Vec<String>,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

#[derive(Args, Debug)]
pub struct VolumeLsArgs {
    #[command(flatten)]
    pub quiet: QuietArgs,
    /// Only the volumes a filter lets through, as docker takes them: name=data,
    /// label=KEY[=value], dangling=true, driver=local (repeatable).
    #[arg(short, long = "filter", value_name = "KEY=value")]
    pub filters: Vec<String>,
}

#[derive(Args, Debug)]
pub struct NetworkLsArgs {
    #[command(flatten)]
    pub quiet: QuietArgs,
    /// Only the networks a filter lets through, as docker takes them: name=web,
    /// label=KEY[=value], driver=bridge, type=custom, dangling=true, … (repeatable).
    #[arg(short, long = "filter", value_name = "KEY=value")]
    pub filters: Vec<String>,
    /// Whole network ids.
    #[arg(long)]
    pub no_trunc: bool,
}

#[derive(Args, Debug)]
pub struct QuietArgs {
    /// Only print IDs (names for volumes).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Name and optionally tag (`name:tag`); may be given more than once.
    #[arg(short = 't', long = "tag")]
    pub tags: Vec<String>,
    /// The Dockerfile (default: CONTEXT/Dockerfile); - reads it from stdin.
    #[arg(short = 'f', long = "file")]
    pub file: Option<String>,
    /// A build-time variable, `KEY=value`.
    #[arg(long = "build-arg")]
    pub build_args: Vec<String>,
    /// The build stage to stop at.
    #[arg(long)]
    pub target: Option<String>,
    /// A label for the image, `KEY=value`.
    #[arg(long = "label")]
    pub labels: Vec<String>,
    /// Do not use the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Always try to pull newer base images.
    #[arg(long)]
    pub pull: bool,
    /// Print only the image id.
    #[arg(short, long)]
    pub quiet: bool,
    /// How the build is shown: auto, plain or tty (each its steps as lines, as plain shows
    /// them: Berth draws no live display), or quiet (the image id only, as -q).
    #[arg(long, value_name = "TYPE", value_parser = ["auto", "plain", "tty", "quiet"])]
    pub progress: Option<String>,
    /// Push each of the image's names (-t) once it is built.
    #[arg(long)]
    pub push: bool,
    /// Remove the steps' containers after a build that succeeds (the default); --rm=false
    /// keeps them (the classic builder).
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_value = "true",
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub rm: bool,
    /// The memory limit of the steps' containers (512m, 2g; the classic builder).
    #[arg(short = 'm', long, value_name = "BYTES")]
    pub memory: Option<String>,
    /// Memory plus swap for the steps' containers (1g), or -1 for no limit.
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// The size of the steps' /dev/shm (64m).
    #[arg(long, value_name = "BYTES")]
    pub shm_size: Option<String>,
    /// The steps' CPU shares (relative weight).
    #[arg(short = 'c', long, value_name = "SHARES")]
    pub cpu_shares: Option<i64>,
    /// The CPUs the steps may run on (0-1, 0,2).
    #[arg(long, value_name = "CPUS")]
    pub cpuset_cpus: Option<String>,
    /// The CPU CFS period of the steps, in microseconds.
    #[arg(long, value_name = "MICROSECONDS")]
    pub cpu_period: Option<i64>,
    /// The CPU CFS quota of the steps a period, in microseconds.
    #[arg(long, value_name = "MICROSECONDS")]
    pub cpu_quota: Option<i64>,
    /// A ulimit for the steps: NAME=SOFT[:HARD] (nofile=1024:2048).
    #[arg(long = "ulimit", value_name = "NAME=SOFT[:HARD]")]
    pub ulimits: Vec<String>,
    /// The network the RUN steps use: host, none, or a network's name.
    #[arg(long)]
    pub network: Option<String>,
    /// A line for the RUN steps' /etc/hosts: NAME:IP.
    #[arg(long = "add-host", value_name = "NAME:IP")]
    pub add_hosts: Vec<String>,
    /// An image whose layers may serve as cache.
    #[arg(long = "cache-from")]
    pub cache_from: Vec<String>,
    /// Remove the steps' containers even when a step fails.
    #[arg(long)]
    pub force_rm: bool,
    /// Write the built image's id to this file.
    #[arg(long, value_name = "FILE")]
    pub iidfile: Option<String>,
    /// Build for this platform (OS/ARCH[/VARIANT]); the engine's own by default.
    #[arg(long)]
    pub platform: Option<String>,
    /// Build with the engine's BuildKit (--buildkit) or its classic builder (--buildkit=false); without it,
    /// DOCKER_BUILDKIT says, as for docker build, and the classic builder when that is unset.
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub buildkit: Option<bool>,
    /// Write the result's files instead of making an image (BuildKit): type=local,dest=DIR,
    /// type=tar,dest=FILE, a directory, or - for a tar on stdout.
    #[arg(short = 'o', long, value_name = "OUTPUT")]
    pub output: Option<String>,
    /// A secret for the build's RUN --mount=type=secret,id=NAME steps (BuildKit): id=NAME,src=FILE
    /// or id=NAME,env=VAR; never kept in the image.
    #[arg(long = "secret", value_name = "SECRET")]
    pub secrets: Vec<String>,
    /// An SSH agent for the build's RUN --mount=type=ssh steps (BuildKit): default (the agent of
    /// SSH_AUTH_SOCK) or ID=SOCKET.
    #[arg(long = "ssh", value_name = "AGENT")]
    pub ssh: Vec<String>,
    /// The build context: a directory or a tar archive (plain or compressed); a Git
    /// repository's URL (git://…, git@…, github.com/…, https://….git, each with an optional
    /// #REF:DIR) or a tar archive's URL, which the engine fetches; or - for a tar archive or a
    /// Dockerfile alone on stdin.
    #[arg(value_name = "PATH | URL | -")]
    pub path: String,
    /// What was read from stdin (set by the command, not a flag).
    #[arg(skip)]
    pub stdin: Option<berth_api::StdinPart>,
}

/// How `stats` reads (`berth stats`, `berth compose stats`).
#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Stopped containers too (running ones only by default).
    #[arg(short, long)]
    pub all: bool,
    /// One reading, then exit.
    #[arg(long)]
    pub no_stream: bool,
    /// Whole container ids.
    #[arg(long)]
    pub no_trunc: bool,
}

/// How `run` and `attach` stay attached: `--sig-proxy`, `--detach-keys`.
#[derive(Args, Debug)]
pub struct Attaching {
    /// The keys that detach from the container, leaving it running: docker's form,
    /// comma-separated ctrl-<a-z, @, [, \, ], ^, _> or single characters. Default: detachKeys
    /// of the Docker config's config.json, else ctrl-p,ctrl-q.
    #[arg(long = "detach-keys", value_name = "KEYS")]
    pub detach_keys: Option<String>,
    /// Attached to a container without a TTY, pass the signals this process gets (Ctrl-C's
    /// SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2) on to it (the default);
    /// --sig-proxy=false leaves it running when this process is interrupted.
    #[arg(
        long = "sig-proxy",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_value = "true",
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub sig_proxy: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Run in the background and print the container id.
    #[arg(short, long)]
    pub detach: bool,
    /// Attach to these streams only: stdin, stdout, stderr (both outputs when none is named).
    #[arg(short = 'a', long = "attach", value_name = "STREAM")]
    pub attach: Vec<String>,
    #[command(flatten)]
    pub attaching: Attaching,
    /// The container's name.
    #[arg(long)]
    pub name: Option<String>,
    /// Publish a port: `[IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`.
    #[arg(short = 'p', long = "publish")]
    pub ports: Vec<String>,
    /// Set an environment variable: `KEY=value` or `KEY`.
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// Read environment variables from a file.
    #[arg(long = "env-file")]
    pub env_files: Vec<String>,
    /// Mount a volume or a directory: `SOURCE:TARGET[:ro]`.
    #[arg(short = 'v', long = "volume")]
    pub volumes: Vec<String>,
    /// Mount a tmpfs: `PATH[:OPTIONS]`.
    #[arg(long)]
    pub tmpfs: Vec<String>,
    /// The network to attach it to (bridge, host, none, or one's name).
    #[arg(long)]
    pub network: Option<String>,
    /// Another name it answers to on that network.
    #[arg(long = "network-alias")]
    pub network_aliases: Vec<String>,
    /// When the engine restarts it: no, always, unless-stopped, on-failure[:N].
    #[arg(long)]
    pub restart: Option<String>,
    /// The directory its command runs in.
    #[arg(short = 'w', long)]
    pub workdir: Option<String>,
    /// The user its command runs as: NAME or UID[:GID].
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// A label: KEY=value.
    #[arg(short = 'l', long = "label")]
    pub labels: Vec<String>,
    /// How many CPUs it may use, e.g. 0.5.
    #[arg(long)]
    pub cpus: Option<f64>,
    /// Memory limit, e.g. 512m.
    #[arg(short = 'm', long)]
    pub memory: Option<String>,
    /// A command that says whether it is healthy (exit 0), run in its shell.
    #[arg(long = "health-cmd")]
    pub health_cmd: Option<String>,
    /// Time between health checks, as docker writes it: 30s, 1m30s.
    #[arg(long = "health-interval", value_name = "DURATION", value_parser = duration_ms)]
    pub health_interval: Option<u64>,
    /// How long one health check may run: 30s, 1m30s.
    #[arg(long = "health-timeout", value_name = "DURATION", value_parser = duration_ms)]
    pub health_timeout: Option<u64>,
    /// Failed checks in a row before it is unhealthy.
    #[arg(long = "health-retries")]
    pub health_retries: Option<u32>,
    /// Run this instead of the image's entrypoint ("" for none).
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// Remove the container when it exits.
    #[arg(long)]
    pub rm: bool,
    /// Pull the image first: when it is missing here, always, or never.
    #[arg(long, default_value = "missing", value_parser = ["missing", "always", "never"])]
    pub pull: String,
    /// Pull without printing the pull's progress.
    #[arg(short, long)]
    pub quiet: bool,
    /// Write the container's id to this file (which must not be there yet).
    #[arg(long, value_name = "FILE")]
    pub cidfile: Option<String>,
    /// Print help (-h is the host name, as for docker).
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Give the container a terminal.
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Keep the container's stdin open and send this one's to it.
    #[arg(short = 'i', long)]
    pub interactive: bool,
    pub image: String,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
    /// Last: the heading it starts would take the arguments after it.
    #[command(flatten)]
    pub more: MoreRunArgs,
}

/// `docker run`'s less common flags.
#[derive(Args, Debug)]
#[command(next_help_heading = "More options")]
pub struct MoreRunArgs {
    /// Publish every exposed port on a port the engine picks.
    #[arg(short = 'P', long)]
    pub publish_all: bool,
    /// Expose a port or a range without publishing it (-P publishes it): 80, 7000-7001/udp.
    #[arg(long)]
    pub expose: Vec<String>,
    /// The container's host name.
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// A line for /etc/hosts: NAME:IP (or NAME:host-gateway).
    #[arg(long = "add-host", value_name = "NAME:IP")]
    pub add_hosts: Vec<String>,
    /// A DNS server's address.
    #[arg(long)]
    pub dns: Vec<String>,
    /// A mount as docker writes it: type=bind|volume|tmpfs,source=…,target=/path[,readonly].
    #[arg(long = "mount")]
    pub mounts: Vec<String>,
    /// A host device: HOST_PATH[:CONTAINER_PATH][:rwm].
    #[arg(long = "device")]
    pub devices: Vec<String>,
    /// Every capability and device (the container is as strong as root on the host).
    #[arg(long)]
    pub privileged: bool,
    /// A Linux capability to add, e.g. NET_ADMIN.
    #[arg(long = "cap-add")]
    pub cap_add: Vec<String>,
    /// A Linux capability to drop, or ALL.
    #[arg(long = "cap-drop")]
    pub cap_drop: Vec<String>,
    /// A security option, e.g. no-new-privileges or seccomp=unconfined.
    #[arg(long = "security-opt")]
    pub security_opts: Vec<String>,
    /// A group for the process to join.
    #[arg(long = "group-add")]
    pub group_add: Vec<String>,
    /// Run an init as PID 1 that reaps zombies and forwards signals.
    #[arg(long)]
    pub init: bool,
    /// Mount the container's root filesystem read-only.
    #[arg(long)]
    pub read_only: bool,
    /// The size of /dev/shm, e.g. 256m.
    #[arg(long)]
    pub shm_size: Option<String>,
    /// A resource limit: NAME=SOFT[:HARD], e.g. nofile=1024:2048.
    #[arg(long = "ulimit")]
    pub ulimits: Vec<String>,
    /// A kernel parameter: KEY=value.
    #[arg(long = "sysctl")]
    pub sysctls: Vec<String>,
    /// The PID namespace: host, or container:NAME.
    #[arg(long)]
    pub pid: Option<String>,
    /// The IPC namespace: host, private, shareable, or container:NAME.
    #[arg(long)]
    pub ipc: Option<String>,
    /// The signal that stops the container, e.g. SIGINT.
    #[arg(long)]
    pub stop_signal: Option<String>,
    /// Seconds to wait for a stop before killing.
    #[arg(long)]
    pub stop_timeout: Option<i64>,
    /// The logging driver, e.g. json-file, local, none.
    #[arg(long)]
    pub log_driver: Option<String>,
    /// A logging driver option: KEY=value, e.g. max-size=10m.
    #[arg(long = "log-opt")]
    pub log_opts: Vec<String>,
    /// Turn off the image's health check.
    #[arg(long)]
    pub no_healthcheck: bool,
    /// At most this many processes (-1: no limit).
    #[arg(long, allow_negative_numbers = true)]
    pub pids_limit: Option<i64>,
    /// Memory plus swap, e.g. 1g (-1: unlimited swap).
    #[arg(long, allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// A soft memory limit, e.g. 256m.
    #[arg(long)]
    pub memory_reservation: Option<String>,
    /// A relative CPU weight (1024 is the default).
    #[arg(short = 'c', long)]
    pub cpu_shares: Option<i64>,
    /// The CPUs it may run on, e.g. 0-2 or 0,3.
    #[arg(long)]
    pub cpuset_cpus: Option<String>,
    /// Read labels from a file of KEY=value lines.
    #[arg(long = "label-file", value_name = "FILE")]
    pub label_files: Vec<String>,
    /// Run the image made for this platform (OS/ARCH[/VARIANT]), pulling it for it.
    #[arg(long)]
    pub platform: Option<String>,
    /// Its MAC address on the network it starts on, e.g. 02:42:ac:11:00:02.
    #[arg(long)]
    pub mac_address: Option<String>,
    /// Its IPv4 address on the (user-defined) network it starts on, e.g. 10.5.0.9.
    #[arg(long)]
    pub ip: Option<String>,
    /// Its IPv6 address on the (user-defined) network it starts on, e.g. fd00::9.
    #[arg(long)]
    pub ip6: Option<String>,
    /// Mount the volumes of another container: CONTAINER[:ro|rw].
    #[arg(long = "volumes-from", value_name = "CONTAINER")]
    pub volumes_from: Vec<String>,
    /// A DNS search domain.
    #[arg(long = "dns-search")]
    pub dns_search: Vec<String>,
    /// A DNS resolver option, e.g. ndots:2.
    #[arg(long = "dns-option")]
    pub dns_options: Vec<String>,
    /// Its NIS domain name.
    #[arg(long)]
    pub domainname: Option<String>,
    /// Never kill it when memory runs out.
    #[arg(long)]
    pub oom_kill_disable: bool,
    /// How readily it is killed when memory runs out: -1000 to 1000.
    #[arg(long, allow_negative_numbers = true)]
    pub oom_score_adj: Option<i64>,
    /// The CPU CFS period, in microseconds.
    #[arg(long)]
    pub cpu_period: Option<i64>,
    /// The CPU CFS quota a period, in microseconds.
    #[arg(long)]
    pub cpu_quota: Option<i64>,
    /// How readily its memory is swapped: 0 to 100.
    #[arg(long)]
    pub memory_swappiness: Option<i64>,
    /// The memory nodes it may use, e.g. 0-1.
    #[arg(long)]
    pub cpuset_mems: Option<String>,
    /// Its cgroup namespace: host or private.
    #[arg(long)]
    pub cgroupns: Option<String>,
    /// Its user namespace: host.
    #[arg(long)]
    pub userns: Option<String>,
    /// Its UTS namespace: host.
    #[arg(long)]
    pub uts: Option<String>,
    /// The OCI runtime to run it with, e.g. runc.
    #[arg(long)]
    pub runtime: Option<String>,
    /// A rule for the devices it may make: 'TYPE MAJOR:MINOR ACCESS', e.g. 'c 1:3 rwm'.
    #[arg(long = "device-cgroup-rule")]
    pub device_cgroup_rules: Vec<String>,
    /// How long it may take to start before failed health checks count: 30s, 1m30s.
    #[arg(long = "health-start-period", value_name = "DURATION", value_parser = duration_ms)]
    pub health_start_period: Option<u64>,
    /// Link to another container (docker's legacy links): CONTAINER[:ALIAS].
    #[arg(long = "link")]
    pub links: Vec<String>,
    /// The cgroup it is made under.
    #[arg(long)]
    pub cgroup_parent: Option<String>,
    /// Its block IO weight: 10 to 1000.
    #[arg(long)]
    pub blkio_weight: Option<u16>,
    /// The driver of the volumes it makes.
    #[arg(long)]
    pub volume_driver: Option<String>,
    /// A storage driver option, e.g. size=10G.
    #[arg(long = "storage-opt")]
    pub storage_opts: Vec<String>,
    /// GPUs to give it: all, a count, or '"device=0,2"' (with capabilities=… and the like).
    #[arg(long = "gpus")]
    pub gpus: Vec<String>,
    /// A device's block IO weight: /dev/DEVICE:WEIGHT, 10 to 1000.
    #[arg(long = "blkio-weight-device", value_name = "DEVICE:WEIGHT")]
    pub blkio_weight_devices: Vec<String>,
    /// At most this many bytes a second read from a device: /dev/DEVICE:RATE (1mb).
    #[arg(long = "device-read-bps", value_name = "DEVICE:RATE")]
    pub device_read_bps: Vec<String>,
    /// At most this many bytes a second written to a device: /dev/DEVICE:RATE (1mb).
    #[arg(long = "device-write-bps", value_name = "DEVICE:RATE")]
    pub device_write_bps: Vec<String>,
    /// At most this many reads a second from a device: /dev/DEVICE:RATE.
    #[arg(long = "device-read-iops", value_name = "DEVICE:RATE")]
    pub device_read_iops: Vec<String>,
    /// At most this many writes a second to a device: /dev/DEVICE:RATE.
    #[arg(long = "device-write-iops", value_name = "DEVICE:RATE")]
    pub device_write_iops: Vec<String>,
    /// The real-time scheduler's period, in microseconds.
    #[arg(long = "cpu-rt-period", value_name = "MICROSECONDS")]
    pub cpu_rt_period: Option<i64>,
    /// The real-time CPU time it may take each period, in microseconds.
    #[arg(long = "cpu-rt-runtime", value_name = "MICROSECONDS")]
    pub cpu_rt_runtime: Option<i64>,
    /// Its isolation: default (the only one on Linux), process or hyperv.
    #[arg(long)]
    pub isolation: Option<String>,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// How many CPUs it may use, e.g. 0.5.
    #[arg(long)]
    pub cpus: Option<f64>,
    /// Memory limit, e.g. 512m.
    #[arg(short = 'm', long)]
    pub memory: Option<String>,
    /// Memory plus swap, e.g. 1g (-1: unlimited swap).
    #[arg(long, allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// A soft memory limit, e.g. 256m.
    #[arg(long)]
    pub memory_reservation: Option<String>,
    /// At most this many processes (-1: no limit).
    #[arg(long, allow_negative_numbers = true)]
    pub pids_limit: Option<i64>,
    /// A relative CPU weight (1024 is the default).
    #[arg(short = 'c', long)]
    pub cpu_shares: Option<i64>,
    /// The CPUs it may run on, e.g. 0-2 or 0,3.
    #[arg(long)]
    pub cpuset_cpus: Option<String>,
    /// When the engine restarts it: no, always, unless-stopped, on-failure[:N].
    #[arg(long)]
    pub restart: Option<String>,
    /// Its block IO weight: 10 to 1000.
    #[arg(long)]
    pub blkio_weight: Option<u16>,
    /// The CPU scheduler's period, in microseconds.
    #[arg(long)]
    pub cpu_period: Option<i64>,
    /// The CPU time it may take each period, in microseconds.
    #[arg(long)]
    pub cpu_quota: Option<i64>,
    /// The memory nodes it may use: 0-1, 0,3.
    #[arg(long)]
    pub cpuset_mems: Option<String>,
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct StopArgs {
    /// Seconds to wait before killing.
    #[arg(short = 't', long = "time")]
    pub time: Option<u32>,
    pub containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LogsArgs {
    #[arg(short, long)]
    pub follow: bool,
    /// Only output since this time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds, or how long ago: 10m, 1h30m).
    #[arg(long)]
    pub since: Option<String>,
    /// Only output until this time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds, or how long ago: 10m, 1h30m).
    #[arg(long)]
    pub until: Option<String>,
    /// Only the last N lines.
    #[arg(short = 'n', long = "tail")]
    pub tail: Option<u64>,
    #[arg(short, long)]
    pub timestamps: bool,
    pub container: String,
}

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Keep stdin open and send it to the command.
    #[arg(short, long)]
    pub interactive: bool,
    /// Give the command a terminal.
    #[arg(short, long)]
    pub tty: bool,
    /// Start the command and leave it running in the container.
    #[arg(short, long)]
    pub detach: bool,
    /// An environment variable: `KEY=value` or `KEY`.
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// Read environment variables from a file.
    #[arg(long = "env-file")]
    pub env_files: Vec<String>,
    /// The directory the command runs in.
    #[arg(short = 'w', long)]
    pub workdir: Option<String>,
    /// The user the command runs as: NAME or UID[:GID].
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// With every capability.
    #[arg(long)]
    pub privileged: bool,
    pub container: String,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    pub command: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum BuilderCommand {
    /// Remove the build cache's records nothing uses and no image shares (every unused one
    /// with -a), listing them first.
    Prune {
        /// Every record nothing uses, those images share too.
        #[arg(short, long)]
        all: bool,
        #[command(flatten)]
        options: PruneOptions,
    },
}

#[derive(Subcommand, Debug)]
pub enum SystemCommand {
    /// A summary of the engine (as `berth info`).
    Info,
    /// The engine's events as they happen (as `berth events`).
    Events(EventsArgs),
    /// Disk used by images, containers, volumes and the build cache.
    Df {
        /// Each image, container, volume and build cache record, with what it takes.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Remove stopped containers, unused networks, untagged images and the build cache nothing
    /// uses (every unused image and cache record with -a, unused volumes too with --volumes),
    /// listing them first.
    Prune {
        #[command(flatten)]
        args: PruneArgs,
        /// Also remove volumes no container uses (anonymous ones; named ones too with -a).
        #[arg(long)]
        volumes: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// The repositories of a registry (`host[:port]`).
    Ls { registry: String },
    /// The tags of a repository (`host[:port]/name`).
    Tags { repository: String },
    /// The digest and size of an image in its registry.
    Manifest { image: String },
}

/// A duration as Docker's flags take it (`30s`, `1m30s`, `500ms`), in milliseconds; a bare
/// number is refused as Docker refuses it (which unit was meant?).
fn duration_ms(text: &str) -> Result<u64, String> {
    let unit = "write it with a unit, e.g. 30s, 1m30s or 500ms";
    if text.trim().parse::<f64>().is_ok() {
        return Err(format!("a duration needs a unit: {unit}"));
    }
    match berth_compose::convert::duration_ns(text) {
        Some(ns) if ns >= 0 => Ok((ns / 1_000_000) as u64),
        _ => Err(format!("not a duration: {unit}")),
    }
}

#[cfg(test)]
mod tests {
    use super::{Cli, Command, ContainerCommand, ImageCommand, duration_ms};
    use clap::{CommandFactory, Parser};

    #[test]
    fn the_command_line_is_well_formed() {
        // clap checks a subcommand's arguments only when it is parsed: check them all here.
        Cli::command().debug_assert();
    }

    #[test]
    fn docker_groups_name_the_same_commands() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from([&["berth"], args].concat())
                .unwrap()
                .command
                .normalised()
        };
        assert!(matches!(parse(&["container", "ls", "-a"]), Command::Ps(a) if a.all));
        assert!(matches!(parse(&["container", "ps"]), Command::Ps(_)));
        assert!(matches!(
            parse(&["container", "stop", "-t", "1", "web"]),
            Command::Container(ContainerCommand::Stop(a)) if a.time == Some(1) && a.containers == ["web"]
        ));
        assert!(matches!(
            parse(&["container", "inspect", "web"]),
            Command::Inspect { r#type: Some(t), .. } if t == "container"
        ));
        assert!(matches!(parse(&["image", "ls"]), Command::Images(_)));
        assert!(matches!(parse(&["system", "info"]), Command::Info));
        assert!(matches!(
            parse(&["system", "events", "--since", "1m"]),
            Command::Events(a) if a.since.as_deref() == Some("1m")
        ));
        assert!(matches!(parse(&["image", "rm", "-f", "x"]), Command::Rmi(a) if a.force));
        assert!(matches!(
            parse(&["image", "pull", "busybox"]),
            Command::Image(ImageCommand::Pull { image, .. }) if image == "busybox"
        ));
        assert!(matches!(
            parse(&["import", "-c", "CMD [\"sh\"]", "-", "x:1"]),
            Command::Image(ImageCommand::Import { changes, .. }) if changes == ["CMD [\"sh\"]"]
        ));
    }

    #[test]
    fn durations_are_written_as_docker_writes_them() {
        assert_eq!(duration_ms("2s"), Ok(2_000));
        assert_eq!(duration_ms("1m30s"), Ok(90_000));
        assert_eq!(duration_ms("500ms"), Ok(500));
        assert!(duration_ms("2").unwrap_err().contains("needs a unit"));
        assert!(duration_ms("soon").unwrap_err().contains("not a duration"));
        assert!(duration_ms("-5s").is_err());
    }
}

/// How `cp` copies (`berth cp`, `compose cp`).
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct CopyArgs {
    /// Archive mode: files copied into a container become its user's, not root's.
    #[arg(short, long)]
    pub archive: bool,
    /// Follow a link given as the source: its target is copied, under the link's name.
    #[arg(short = 'L', long)]
    pub follow_link: bool,
}

impl From<CopyArgs> for berth_api::CopyHow {
    fn from(a: CopyArgs) -> Self {
        Self {
            follow_link: a.follow_link,
            archive: a.archive,
        }
    }
}
