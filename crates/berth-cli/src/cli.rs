//! The command line's shape (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "berth", version, about = "Berth: a desktop for Docker engines, and its command line", long_about = None)]
pub struct Cli {
    /// Engine address (unix:///path or tcp://host:port); skips discovery.
    #[arg(short = 'H', long, global = true, conflicts_with = "context")]
    pub host: Option<String>,
    /// Docker context to use; skips discovery.
    #[arg(short = 'c', long, global = true)]
    pub context: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(subcommand)]
    pub command: Command,
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
    /// Versions of berth and of the engine.
    Version,
    /// A summary of the engine.
    Info,
    /// List containers.
    Ps(PsArgs),
    /// List images.
    Images(QuietArgs),
    /// Volumes.
    #[command(subcommand)]
    Volume(ListCommand),
    /// Networks.
    #[command(subcommand)]
    Network(ListCommand),
    /// Print a shell completion script.
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
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
    /// Show contexts in detail (the current one when none is named).
    Inspect { names: Vec<String> },
}

#[derive(Subcommand, Debug)]
pub enum ListCommand {
    /// List them.
    #[command(alias = "list")]
    Ls(QuietArgs),
}

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Show all containers, not only running ones.
    #[arg(short, long)]
    pub all: bool,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

#[derive(Args, Debug)]
pub struct QuietArgs {
    /// Only print IDs (names for volumes).
    #[arg(short, long)]
    pub quiet: bool,
}
