//! Runs a parsed command line against the facade and prints the result.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use berth_api::{Berth, Connection, Launch, Target};
use clap::{CommandFactory, Parser};
use serde::Serialize;

use crate::cli::{
    Cli, Command, ContainerCommand, ContainerGroup, ContextCommand, EngineCommand, Format,
    FormatArg, ImageCommand, ImageGroup, InspectArgs, NetworkCommand, RmiArgs, VolumeCommand,
};
use crate::template::{Field, Template, ValueTemplate};
use crate::{ops, render};

/// Parses the command line, runs it, and turns any error into one line on stderr.
pub fn run() -> ExitCode {
    end_quietly_on_a_closed_pipe();
    let cli = Cli::parse();
    init_tracing(matches!(
        cli.command,
        Command::Engine(EngineCommand::Supervise)
    ));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("berth: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(execute(cli));
    // A read of stdin may still be blocked (exec -i after the command ended): do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(e) => {
            // A status is the outermost context (see `run_failed`), not part of the message.
            let status = e.downcast_ref::<Status>().map(|s| s.0);
            let chain: Vec<String> = e
                .chain()
                .skip(usize::from(status.is_some()))
                .map(|c| c.to_string())
                .collect();
            let text = chain.join(": ");
            // No engine answers: say how to start Berth's own (the app has a button instead),
            // unless the error already does.
            let unreachable = e
                .downcast_ref::<berth_api::ApiError>()
                .is_some_and(|a| a.code == berth_api::ErrorCode::EngineUnreachable);
            let hint = if unreachable && !text.contains("berth engine start") {
                "; start Berth's own with `berth engine start`"
            } else {
                ""
            };
            eprintln!("berth: {text}{hint}");
            status.map_or(ExitCode::FAILURE, ExitCode::from)
        }
    }
}

/// The exit status an error ends the command with, when it is not 1 (see [`run_failed`]).
#[derive(Debug)]
struct Status(u8);

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for Status {}

/// `run`'s failures end with docker's statuses, which scripts tell apart: 127 when the
/// container's command is not found, 126 when it cannot be invoked (not executable, a folder),
/// 125 for any other failure (the engine's, the flags').
fn run_failed(e: anyhow::Error) -> anyhow::Error {
    // The runtime's words, as docker reads them.
    let text = format!("{e:#}");
    let code = if text.contains("executable file not found")
        || text.contains("no such file or directory")
    {
        127
    } else if text.contains("permission denied") || text.contains("is a directory") {
        126
    } else {
        125
    };
    e.context(Status(code))
}

/// Output read by something that stops early (`berth ps | head -1`) ends the command quietly,
/// with status 0, as `logs`, `events` and `stats` end when their reader goes. Rust ignores
/// SIGPIPE, so a write to the closed pipe fails, and `print!` (and libraries writing with
/// `expect`, such as clap's completions) panicked with a message and a backtrace.
fn end_quietly_on_a_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        // Only writes to stdout: a closed pipe elsewhere (a container's stdin) is a failure.
        let to_stdout = text.starts_with("failed printing to stdout")
            || text.starts_with("failed to write completion file");
        if to_stdout && text.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn init_tracing(supervisor: bool) {
    let default = if supervisor { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BERTH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

async fn execute(cli: Cli) -> Result<i32> {
    let target = match (cli.host, cli.context) {
        (Some(_), Some(_)) => anyhow::bail!("give -H or --context, not both"),
        (Some(host), _) => Target::Host(host),
        (None, Some(ctx)) => Target::Context(ctx),
        (None, None) => Target::Discover,
    };
    let exe = std::env::current_exe().context("cannot find the berth executable")?;
    let launch = Launch::Detached {
        exe,
        args: vec!["engine".into(), "supervise".into()],
    };
    let berth = Berth::load(launch, target)?;
    let command = cli.command.normalised();
    let (format, template) = match cli.format {
        FormatArg::Plain(format) => (format, None),
        FormatArg::Template(_)
            if !matches!(
                command,
                Command::Ps(_)
                    | Command::Images(_)
                    | Command::Inspect { .. }
                    | Command::Volume(VolumeCommand::Ls(_))
                    | Command::Network(NetworkCommand::Ls(_))
                    | Command::System(crate::cli::SystemCommand::Df { verbose: false })
                    | Command::Container(ContainerCommand::Stats { .. })
                    | Command::Info
                    | Command::Version
                    | Command::Events(_)
                    | Command::Image(ImageCommand::History { .. })
                    | Command::Compose(crate::compose::ComposeArgs {
                        command: crate::compose::ComposeCommand::Ps { .. }
                            | crate::compose::ComposeCommand::Volumes { .. }
                            | crate::compose::ComposeCommand::Stats { .. },
                        ..
                    })
            ) =>
        {
            anyhow::bail!(
                "--format templates work with ps, images, inspect, volume ls, network ls, stats, history, system df, info, version, events, compose ps, compose volumes and compose stats; use --format json here"
            )
        }
        FormatArg::Template(t) => (Format::Table, Some(t)),
    };
    let command = match command {
        Command::Compose(args) => {
            return crate::compose::run(&berth, args, format, template.as_deref()).await;
        }
        Command::Container(ContainerCommand::Stats { asked, containers }) => {
            let conn = connect(&berth).await?;
            return stats(
                &berth,
                &conn,
                &containers,
                &asked,
                format,
                template.as_deref(),
            )
            .await;
        }
        Command::Container(cmd) => return container(&berth, cmd, format).await,
        Command::Image(ImageCommand::History {
            no_trunc,
            quiet,
            human,
            image,
        }) => {
            let fields = render::history_fields(now(), !no_trunc, human);
            let table = match human {
                true => render::HISTORY_TABLE,
                false => render::HISTORY_EXACT_TABLE,
            };
            let table = (format == Format::Table).then_some(table);
            let template = list_template(template.as_deref(), quiet, table, &fields)?;
            let conn = connect(&berth).await?;
            let rows = berth.image_history(&conn, &image).await?;
            match template {
                Some(t) => print(&t.render(&rows, &fields)),
                None => emit(format, &rows, String::new)?,
            }
            return Ok(0);
        }
        Command::Image(cmd) => return image(&berth, cmd, format).await,
        Command::Inspect {
            r#type,
            args:
                InspectArgs {
                    template: short,
                    names,
                },
        } => {
            // A template that cannot work is said before any engine is asked (or started).
            let template = short
                .or(template)
                .map(|t| ValueTemplate::parse(&t))
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let conn = connect(&berth).await?;
            return ops::inspect(&berth, &conn, r#type.as_deref(), &names, template.as_ref())
                .await
                .map(|()| 0);
        }
        Command::Rmi(RmiArgs { force, images }) => {
            let conn = connect(&berth).await?;
            for line in berth.remove_images(&conn, &images, force).await? {
                println!("{line}");
            }
            return Ok(0);
        }
        Command::ContainerGroup(ContainerGroup::Prune(ask)) => {
            let conn = connect(&berth).await?;
            return ops::container_prune(&berth, &conn, &ask).await;
        }
        Command::ImageGroup(ImageGroup::Check { images }) => {
            let conn = connect(&berth).await?;
            return ops::image_check(&berth, &conn, &images, format).await;
        }
        Command::ImageGroup(ImageGroup::Prune(args)) => {
            let conn = connect(&berth).await?;
            return ops::image_prune(&berth, &conn, &args).await;
        }
        Command::Volume(cmd) if !matches!(cmd, VolumeCommand::Ls(_)) => {
            let conn = connect(&berth).await?;
            return ops::volume(&berth, &conn, cmd).await;
        }
        Command::Network(cmd) if !matches!(cmd, NetworkCommand::Ls(_)) => {
            let conn = connect(&berth).await?;
            return ops::network(&berth, &conn, cmd).await;
        }
        Command::System(crate::cli::SystemCommand::Df { verbose: false }) => {
            // Declared before the fields, which borrow its lines, so dropped after them.
            #[allow(clippy::needless_late_init, reason = "the drop order is the point")]
            let df;
            let fields = render::df_fields();
            let template = list_template(template.as_deref(), false, None, &fields)?;
            let conn = connect(&berth).await?;
            df = berth.disk_usage(&conn).await?;
            match template {
                Some(t) => print(&t.render(&render::df_lines(&df), &fields)),
                None => emit(format, std::slice::from_ref(&df), || render::df_table(&df))?,
            }
            return Ok(0);
        }
        Command::System(crate::cli::SystemCommand::Df { verbose: true }) => {
            let conn = connect(&berth).await?;
            let df = berth.disk_usage_detail(&conn).await?;
            emit(format, std::slice::from_ref(&df), || {
                render::df_verbose(&df, now())
            })?;
            return Ok(0);
        }
        Command::Login {
            username,
            password: given,
            password_stdin,
            plain_text,
            server,
        } => {
            let server = server.unwrap_or_else(|| "docker.io".into());
            let username = match username {
                Some(u) => u,
                None => ops::prompt("Username: ", false)?,
            };
            let password = if let Some(p) = given {
                eprintln!(
                    "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
                );
                p
            } else if password_stdin {
                let mut p = String::new();
                std::io::stdin().read_line(&mut p)?;
                p.trim_end_matches(['\n', '\r']).to_owned()
            } else {
                ops::prompt("Password: ", true)?
            };
            let conn = connect(&berth).await?;
            let stored = berth
                .login(&conn, &server, &username, &password, plain_text)
                .await?;
            println!("Login Succeeded (saved in {stored})");
            return Ok(0);
        }
        Command::Logout { server } => {
            let server = server.unwrap_or_else(|| "docker.io".into());
            if berth.logout(&server).await? {
                println!("Removing login credentials for {server}");
            } else {
                println!("Not logged in to {server}");
            }
            return Ok(0);
        }
        Command::Registry(cmd) => {
            use crate::cli::RegistryCommand as R;
            match cmd {
                R::Ls { registry } => {
                    let repos = berth.registry_catalog(&registry).await?;
                    emit(format, &repos, || {
                        repos.iter().map(|r| format!("{r}\n")).collect()
                    })?;
                }
                R::Tags { repository } => {
                    let tags = berth.registry_tags(&repository).await?;
                    emit(format, &tags, || {
                        tags.iter().map(|t| format!("{t}\n")).collect()
                    })?;
                }
                R::Manifest { image } => {
                    let m = berth.registry_manifest(&image).await?;
                    emit(format, std::slice::from_ref(&m), || {
                        let size = m.size.map(render::human_size).unwrap_or_else(|| "-".into());
                        let platforms = if m.platforms.is_empty() {
                            String::new()
                        } else {
                            format!("\nPlatforms: {}", m.platforms.join(", "))
                        };
                        format!(
                            "{}\nDigest:    {}\nType:      {}\nSize:      {size}{platforms}\n",
                            m.image, m.digest, m.media_type
                        )
                    })?;
                }
            }
            return Ok(0);
        }
        Command::Search { term, limit } => {
            let conn = connect(&berth).await?;
            let rows = berth.search(&conn, &term, limit).await?;
            emit(format, &rows, || render::search_table(&rows))?;
            return Ok(0);
        }
        Command::Builder(crate::cli::BuilderCommand::Prune { all, options }) => {
            let conn = connect(&berth).await?;
            return ops::builder_prune(&berth, &conn, all, &options).await;
        }
        Command::System(crate::cli::SystemCommand::Prune { args, volumes }) => {
            let conn = connect(&berth).await?;
            return ops::system_prune(&berth, &conn, &args, volumes).await;
        }
        Command::Events(crate::cli::EventsArgs {
            filters,
            since,
            until,
        }) => {
            let shown = match (format, template.as_deref()) {
                (_, Some(t)) if t.trim() == "{{json .}}" => ops::EventsShown::AsTheEngineWrites,
                (_, Some(t)) => {
                    ops::EventsShown::Template(ValueTemplate::parse(t).map_err(anyhow::Error::msg)?)
                }
                (Format::Json, None) => ops::EventsShown::Json,
                (Format::Table, None) => ops::EventsShown::Lines,
            };
            let since = since.map(|s| ops::when(&s, "--since")).transpose()?;
            let until = until.map(|s| ops::when(&s, "--until")).transpose()?;
            let conn = connect(&berth).await?;
            return ops::events(&berth, &conn, &filters, since, until, &shown)
                .await
                .map(|()| 0);
        }
        other => other,
    };
    execute_listing(&berth, command, format, template.as_deref())
        .await
        .map(|()| 0)
}

/// The commands on containers (`berth stop`, `berth container stop`).
async fn container(berth: &Berth, cmd: ContainerCommand, format: Format) -> Result<i32> {
    use ContainerCommand as C;
    match cmd {
        C::Run(args) => {
            let ran = async {
                berth.check_run(&ops::run_request(&args))?;
                let conn = connect(berth).await?;
                ops::run(berth, &conn, args).await
            };
            ran.await.map_err(run_failed)
        }
        C::Create(args) => {
            berth.check_run(&ops::run_request(&args))?;
            let conn = connect(berth).await?;
            ops::create(berth, &conn, args).await.map(|()| 0)
        }
        C::Start {
            attach,
            interactive,
            detach_keys,
            containers,
        } if attach || interactive => {
            let [container] = containers.as_slice() else {
                anyhow::bail!(
                    "start -a/-i attaches to one container: name one, not {}",
                    containers.len()
                );
            };
            let keys = ops::detach_keys(berth, detach_keys.as_deref())?;
            let conn = connect(berth).await?;
            ops::attach(berth, &conn, container, true, &keys, (true, interactive)).await
        }
        C::Start { containers, .. } => {
            each(berth, &containers, |b, c, id| {
                Box::pin(async move { b.start(c, &id).await })
            })
            .await
        }
        C::Stop(a) => {
            let t = a.time;
            each(berth, &a.containers, move |b, c, id| {
                Box::pin(async move { b.stop(c, &id, t).await })
            })
            .await
        }
        C::Restart(a) => {
            let t = a.time;
            each(berth, &a.containers, move |b, c, id| {
                Box::pin(async move { b.restart(c, &id, t).await })
            })
            .await
        }
        C::Kill { signal, containers } => {
            each(berth, &containers, move |b, c, id| {
                let sig = signal.clone();
                Box::pin(async move { b.kill(c, &id, &sig).await })
            })
            .await
        }
        C::Pause { containers } => {
            each(berth, &containers, |b, c, id| {
                Box::pin(async move { b.pause(c, &id).await })
            })
            .await
        }
        C::Unpause { containers } => {
            each(berth, &containers, |b, c, id| {
                Box::pin(async move { b.unpause(c, &id).await })
            })
            .await
        }
        C::Rm {
            force,
            volumes,
            containers,
        } => {
            each(berth, &containers, move |b, c, id| {
                Box::pin(async move { b.remove(c, &id, force, volumes).await })
            })
            .await
        }
        C::Update(a) => {
            let req = berth_api::UpdateRequest {
                cpus: a.cpus,
                memory: a.memory,
                memory_swap: a.memory_swap,
                memory_reservation: a.memory_reservation,
                pids_limit: a.pids_limit,
                cpu_shares: a.cpu_shares,
                cpuset_cpus: a.cpuset_cpus,
                restart: a.restart,
                blkio_weight: a.blkio_weight,
                cpu_period: a.cpu_period,
                cpu_quota: a.cpu_quota,
                cpuset_mems: a.cpuset_mems,
            };
            each(berth, &a.containers, move |b, c, id| {
                let req = req.clone();
                Box::pin(async move {
                    // What the engine warned of (the docker CLI prints it without a word
                    // before it, on stdout): on stderr, as create's.
                    for w in b.update(c, &id, &req).await? {
                        eprintln!("WARNING: {w}");
                    }
                    Ok(())
                })
            })
            .await
        }
        C::Rename {
            container,
            new_name,
        } => {
            let conn = connect(berth).await?;
            berth.rename(&conn, &container, &new_name).await?;
            Ok(0)
        }
        C::Wait { containers } => {
            let conn = connect(berth).await?;
            for c in &containers {
                println!("{}", berth.wait(&conn, c).await?);
            }
            Ok(0)
        }
        C::Logs(args) => {
            let opts = ops::log_options(&args)?;
            let conn = connect(berth).await?;
            ops::logs(berth, &conn, &args.container, &opts)
                .await
                .map(|()| 0)
        }
        C::Stats { .. } => anyhow::bail!("internal: stats is run with its template"),
        C::Top { container, ps_args } => {
            let conn = connect(berth).await?;
            let ps_args = (!ps_args.is_empty()).then(|| ps_args.join(" "));
            let top = berth
                .top_with(&conn, &container, ps_args.as_deref())
                .await?;
            print(&render::top_table(&top));
            Ok(0)
        }
        C::Port { container, port } => {
            let port = port.as_deref().map(berth_api::private_port).transpose()?;
            let conn = connect(berth).await?;
            let published = berth.published_ports(&conn, &container).await?;
            ops::port(&container, &published, port.as_ref(), format).map(|()| 0)
        }
        C::Attach {
            attaching,
            no_stdin,
            container,
        } => {
            let keys = ops::detach_keys(berth, attaching.detach_keys.as_deref())?;
            let conn = connect(berth).await?;
            ops::attach(
                berth,
                &conn,
                &container,
                attaching.sig_proxy,
                &keys,
                (false, !no_stdin),
            )
            .await
        }
        C::Exec(args) => {
            let conn = connect(berth).await?;
            ops::exec(berth, &conn, args).await
        }
        C::Cp { how, source, dest } => {
            let conn = connect(berth).await?;
            ops::cp(berth, &conn, &source, &dest, how.into())
                .await
                .map(|()| 0)
        }
        C::Diff { container } => {
            let conn = connect(berth).await?;
            for line in berth.diff(&conn, &container).await? {
                println!("{line}");
            }
            Ok(0)
        }
        C::Commit {
            message,
            author,
            no_pause,
            container,
            target,
        } => {
            let conn = connect(berth).await?;
            let id = berth
                .commit(
                    &conn,
                    &container,
                    target.as_deref(),
                    message.as_deref(),
                    author.as_deref(),
                    !no_pause,
                )
                .await?;
            println!("{id}");
            Ok(0)
        }
        C::Export { output, container } => {
            let conn = connect(berth).await?;
            let mut out = ops::ArchiveOut::open(output.as_deref())?;
            berth.export(&conn, &container, out.out()).await?;
            out.finish()?;
            Ok(0)
        }
    }
}

/// The commands on images (`berth pull`, `berth image pull`).
async fn image(berth: &Berth, cmd: ImageCommand, format: Format) -> Result<i32> {
    use ImageCommand as I;
    match cmd {
        I::Build(mut args) => {
            let _stdin_context = if args.path == "-" {
                if args.file.as_deref() == Some("-") {
                    anyhow::bail!(
                        "-f - with -: stdin holds the context or the Dockerfile, not both"
                    );
                }
                let read = ops::StdinContext::read()?;
                if read.dockerfile_only && args.file.is_some() {
                    anyhow::bail!(
                        "-f: stdin held a Dockerfile, the build's only file: there is no other \
                         Dockerfile to name (pipe a tar archive in for a context)"
                    );
                }
                args.path = read.path();
                args.stdin = Some(berth_api::StdinPart::Context);
                Some(read)
            } else {
                None
            };
            let stdin_dockerfile = match args.file.as_deref() {
                Some("-") if berth_api::images::remote_context(&args.path).is_some() => {
                    anyhow::bail!(
                        "-f -: a build from a URL reads its Dockerfile from what the engine \
                         fetches: give its path there (-f docker/Dockerfile)"
                    );
                }
                Some("-") => Some(ops::StdinDockerfile::read()?),
                _ => None,
            };
            if let Some(f) = &stdin_dockerfile {
                args.file = Some(f.path());
                args.stdin = Some(berth_api::StdinPart::Dockerfile);
            }
            berth.check_build(&ops::build_request(&args)?)?;
            let conn = connect(berth).await?;
            ops::build(berth, &conn, *args, format).await.map(|()| 0)
        }
        I::Pull { image, platform } => {
            berth_api::images::reference(&image)?;
            if let Some(p) = &platform {
                berth_api::images::platform(p)?;
            }
            let conn = connect(berth).await?;
            ops::transfer(
                berth.pull_for(&conn, &image, platform.as_deref())?,
                format,
                "Pulling fs layer",
                ops::Shown::OnStdout,
            )
            .await?;
            println!("{image}");
            Ok(0)
        }
        I::Push { image } => {
            berth_api::images::push_target(&image)?;
            let conn = connect(berth).await?;
            ops::transfer(
                berth.push(&conn, &image).await?,
                format,
                "Preparing",
                ops::Shown::OnStdout,
            )
            .await?;
            Ok(0)
        }
        I::Tag { source, target } => {
            berth_api::images::reference(&target)?;
            let conn = connect(berth).await?;
            berth.tag(&conn, &source, &target).await?;
            Ok(0)
        }
        I::History { .. } => anyhow::bail!("internal: history is run with its template"),
        I::Save { output, images } => {
            if images.is_empty() {
                anyhow::bail!("name at least one image to save");
            }
            let conn = connect(berth).await?;
            let mut out = ops::ArchiveOut::open(output.as_deref())?;
            berth.save(&conn, &images, out.out()).await?;
            out.finish()?;
            Ok(0)
        }
        I::Load { input } => {
            let tar = ops::archive_input(input.as_deref(), "-i FILE")?;
            let conn = connect(berth).await?;
            for line in berth.load_images(&conn, &tar).await? {
                println!("{line}");
            }
            Ok(0)
        }
        I::Import {
            changes,
            message,
            file,
            reference,
        } => {
            let request = berth_api::ImportRequest {
                reference,
                message,
                changes,
            };
            berth.check_import(&request)?;
            let tar = ops::archive_input(
                Some(file.as_str()).filter(|f| *f != "-"),
                "a FILE instead of -",
            )?;
            let conn = connect(berth).await?;
            println!("{}", berth.import(&conn, &tar, &request).await?);
            Ok(0)
        }
    }
}

type OpFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), berth_api::ApiError>> + 'a>>;

/// Runs one operation per named container, printing each name as docker does; all are tried,
/// and the first error (after the others ran) fails the command.
async fn each<F>(berth: &Berth, containers: &[String], op: F) -> Result<i32>
where
    F: for<'a> Fn(&'a Berth, &'a Connection, String) -> OpFuture<'a>,
{
    if containers.is_empty() {
        anyhow::bail!("name at least one container");
    }
    let conn = connect(berth).await?;
    let mut first_error = None;
    for c in containers {
        match op(berth, &conn, c.clone()).await {
            Ok(()) => println!("{c}"),
            Err(e) => {
                eprintln!("berth: {c}: {e}");
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(_) => Ok(1),
        None => Ok(0),
    }
}

/// `template`: a `--format` Go template, which only the lists with fields for it are given.
async fn execute_listing(
    berth: &Berth,
    command: Command,
    format: Format,
    template: Option<&str>,
) -> Result<()> {
    match command {
        Command::Engine(cmd) => engine(berth, cmd, format).await,
        Command::Context(cmd) => context(berth, cmd, format),
        Command::Diagnose { output } => {
            let to = output.unwrap_or_else(|| {
                let at = jiff::Timestamp::now()
                    .strftime("%Y%m%d-%H%M%SZ")
                    .to_string();
                format!("berth-diagnostics-{at}.tar.gz").into()
            });
            let report = berth.diagnostics(&to).await?;
            println!(
                "Wrote {} ({}): {}",
                report.path,
                render::human_size_u64(report.size),
                report.files.join(", ")
            );
            for p in &report.problems {
                println!("Not read: {p}");
            }
            Ok(())
        }
        Command::Version => {
            // A report: it never starts an engine (docker's doesn't either).
            let conn = match berth.connect().await {
                Ok(conn) => {
                    warn_passed_over(&conn);
                    conn
                }
                Err(e) => {
                    // Like docker: the client's half, then why there is no server half.
                    if let Format::Table = format {
                        let client = berth_api::client_version();
                        print(&render::client_version_text(
                            &client.version,
                            &client.os_arch,
                        ));
                    }
                    return Err(e.into());
                }
            };
            if let Some(t) = document_template(template)? {
                return render_document(&t, &berth.version_document(&conn).await?);
            }
            let v = berth.version(&conn).await?;
            emit(format, std::slice::from_ref(&v), || {
                render::version_text(&v)
            })
        }
        Command::Info => {
            let template = document_template(template)?;
            let conn = connect(berth).await?;
            if let Some(t) = template {
                return render_document(&t, &berth.engine_info(&conn).await?);
            }
            let i = berth.info(&conn).await?;
            emit(format, std::slice::from_ref(&i), || render::info_text(&i))?;
            // After the summary, on stderr, as docker prints them.
            if matches!(format, Format::Table) {
                for w in &i.warnings {
                    eprintln!("{w}");
                }
            }
            Ok(())
        }
        Command::Ps(args) => {
            let fields = render::ps_fields(now(), !args.no_trunc);
            let table = match (args.size, args.no_trunc) {
                (true, _) => Some(render::PS_SIZE_TABLE),
                (false, true) => Some(render::PS_TABLE),
                (false, false) => None,
            };
            let template = list_template(
                template,
                args.quiet.quiet,
                table.filter(|_| format == Format::Table),
                &fields,
            )?;
            // The engine measures sizes when they are shown (`-s`, or `{{.Size}}`, as for docker).
            let sized = args.size || template.as_ref().is_some_and(|t| t.uses("Size", &fields));
            let conn = connect(berth).await?;
            // The engine lists the newest first: the last N are the first N, of all states.
            let last = if args.latest { Some(1) } else { args.last };
            let mut rows = berth
                .containers_where(&conn, args.all || last.is_some(), sized, &args.filters)
                .await?;
            if let Some(n) = last {
                rows.truncate(n);
            }
            match template {
                Some(t) => print(&t.render(&rows, &fields)),
                None => emit(format, &rows, || render::ps_table(&rows, now()))?,
            }
            Ok(())
        }
        Command::Images(args) => {
            // Declared before the fields, so dropped after them: their closures take the lines,
            // which borrow it (declared where it is filled, it would not live long enough).
            #[allow(clippy::needless_late_init, reason = "the drop order is the point")]
            let rows;
            let fields = render::image_fields(now(), !args.no_trunc);
            let table = match (args.digests, args.no_trunc) {
                (true, _) => Some(render::IMAGES_DIGESTS_TABLE),
                (false, true) => Some(render::IMAGES_TABLE),
                (false, false) => None,
            };
            let template = list_template(
                template,
                args.quiet.quiet,
                table.filter(|_| format == Format::Table),
                &fields,
            )?;
            let conn = connect(berth).await?;
            let mut filters = args.filters.clone();
            if let Some(reference) = &args.reference {
                filters.push(format!("reference={reference}"));
            }
            rows = berth.images_where(&conn, args.all, &filters).await?;
            match template {
                Some(t) => print(&t.render(&render::image_lines(&rows), &fields)),
                None => emit(format, &rows, || render::images_table(&rows, now()))?,
            }
            Ok(())
        }
        Command::Volume(VolumeCommand::Ls(args)) => {
            let fields = render::volume_fields();
            let template = list_template(template, false, None, &fields)?;
            let conn = connect(berth).await?;
            let rows = berth.volumes_where(&conn, &args.filters).await?;
            if args.quiet.quiet {
                return ids(rows.iter().map(|v| v.name.as_str()));
            }
            match template {
                Some(t) => print(&t.render(&rows, &fields)),
                None => emit(format, &rows, || render::volumes_table(&rows))?,
            }
            Ok(())
        }
        Command::Network(NetworkCommand::Ls(args)) => {
            let trunc = !args.no_trunc;
            let fields = render::network_fields(trunc);
            // `-q` is `{{.ID}}`, cut as the field cuts it.
            let template = list_template(template, args.quiet.quiet, None, &fields)?;
            let conn = connect(berth).await?;
            let rows = berth.networks_where(&conn, &args.filters).await?;
            match template {
                Some(t) => print(&t.render(&rows, &fields)),
                None => emit(format, &rows, || render::networks_table(&rows, trunc))?,
            }
            Ok(())
        }
        Command::Completion { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "berth", &mut std::io::stdout());
            Ok(())
        }
        other => anyhow::bail!("internal: {other:?} is not a listing command"),
    }
}

/// A `--format` template over a document (`info`, `version`), parsed before any engine is asked.
fn document_template(template: Option<&str>) -> Result<Option<ValueTemplate>> {
    template
        .map(ValueTemplate::parse)
        .transpose()
        .map_err(anyhow::Error::msg)
}

/// A document through a template, with a newline after, as docker prints it.
fn render_document(template: &ValueTemplate, document: &serde_json::Value) -> Result<()> {
    print(&(template.render(document).map_err(anyhow::Error::msg)? + "\n"));
    Ok(())
}

/// Connects, starting Berth's own engine when none answers and the settings allow it; says on
/// stderr when the engine asked for (`DOCKER_HOST`, the current context) was passed over.
pub(crate) async fn connect(berth: &Berth) -> Result<Connection> {
    let conn = berth
        .connect_or_start(|config| {
            eprintln!(
                "No engine answers; starting Berth's own ({}, data in {})…",
                config.mode,
                config.paths.data_root.display()
            );
        })
        .await?;
    warn_passed_over(&conn);
    Ok(conn)
}

fn warn_passed_over(conn: &Connection) {
    if let Some(line) = &conn.passed_over {
        eprintln!("Warning: {line}");
    }
}

async fn engine(berth: &Berth, cmd: EngineCommand, format: Format) -> Result<()> {
    match cmd {
        EngineCommand::Start | EngineCommand::Restart => {
            let restart = matches!(cmd, EngineCommand::Restart);
            let own = if restart {
                berth.engine_restart().await?
            } else {
                berth.engine_start().await?
            };
            emit(format, std::slice::from_ref(&own), || {
                render::own_engine_line(&own) + "\n"
            })
        }
        EngineCommand::Stop => {
            let was_running = berth.engine_stop().await?;
            let text = if was_running {
                "Berth's engine stopped\n"
            } else {
                "Berth's engine is not running\n"
            };
            print(text);
            Ok(())
        }
        EngineCommand::Status { watch: false } => {
            let view = berth.engine_view().await;
            emit(format, std::slice::from_ref(&view), || {
                render::engine_status_text(&view)
            })
        }
        EngineCommand::Status { watch: true } => watch_engine(berth, format).await,
        EngineCommand::Logs { follow, tail } => logs(berth, follow, tail).await,
        EngineCommand::Config { set: None } => {
            print!("{}", berth.engine_daemon_json()?.text);
            Ok(())
        }
        EngineCommand::Config { set: Some(from) } => {
            let text = if from == "-" {
                std::io::read_to_string(std::io::stdin()).context("--set -: cannot read stdin")?
            } else {
                std::fs::read_to_string(&from)
                    .with_context(|| format!("--set {from}: cannot read it"))?
            };
            let saved = berth.save_engine_daemon_json(&text)?;
            println!(
                "Berth's engine configuration saved to {}; restart the engine to apply it (berth engine restart)",
                saved.path
            );
            Ok(())
        }
        EngineCommand::Supervise => {
            berth.supervise(asked_to_quit()).await?;
            Ok(())
        }
    }
}

/// SIGTERM or SIGINT (Ctrl-C, or Ctrl-Break on Windows).
async fn asked_to_quit() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
            }
            _ => std::future::pending().await,
        }
    }
    #[cfg(windows)]
    {
        use tokio::signal::windows::{ctrl_break, ctrl_c};
        match (ctrl_c(), ctrl_break()) {
            (Ok(mut c), Ok(mut b)) => {
                tokio::select! { _ = c.recv() => {}, _ = b.recv() => {} }
            }
            _ => std::future::pending().await,
        }
    }
}

/// Prints Berth's engine state at every change, across supervisors coming and going.
async fn watch_engine(berth: &Berth, format: Format) -> Result<()> {
    let mut last = String::new();
    let mut show = |own: &berth_api::wire::OwnEngineView| -> Result<()> {
        let line = match format {
            Format::Table => render::own_engine_line(own),
            Format::Json => serde_json::to_string(own)?,
        };
        if line != last {
            print(&format!("{line}\n"));
            last = line;
        }
        Ok(())
    };
    loop {
        match berth.engine_watch().await {
            Ok(mut watch) => {
                while let Some(own) = watch.next().await {
                    show(&own)?;
                }
            }
            Err(e) if e.code == berth_api::ErrorCode::EngineUnreachable => {}
            Err(e) => return Err(e.into()),
        }
        // No supervisor (any more): say how it ended, and look again shortly.
        let stopped = match berth.engine_last_status() {
            Some(last) => last,
            None => berth.engine_status().await?,
        };
        show(&stopped)?;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn context(berth: &Berth, cmd: ContextCommand, format: Format) -> Result<()> {
    match cmd {
        ContextCommand::Ls => {
            let rows = berth.contexts()?;
            emit(format, &rows, || render::contexts_table(&rows))
        }
        ContextCommand::Create {
            docker,
            description,
            name,
        } => {
            let row = berth.context_create(&name, &description, &docker)?;
            emit(format, std::slice::from_ref(&row), || {
                format!("{name}\nSuccessfully created context {name:?}\n")
            })
        }
        ContextCommand::Rm { force, names } => {
            for name in &names {
                berth.context_remove(name, force)?;
                println!("{name}");
            }
            Ok(())
        }
        ContextCommand::Use { name } => {
            berth.context_use(&name)?;
            print(&format!("{name}\nCurrent context is now {name:?}\n"));
            Ok(())
        }
        ContextCommand::Inspect { names } => {
            let names = if names.is_empty() {
                vec![
                    berth
                        .contexts()?
                        .into_iter()
                        .find(|c| c.current)
                        .map(|c| c.name)
                        .unwrap_or_default(),
                ]
            } else {
                names
            };
            let rows = names
                .iter()
                .map(|n| berth.context_inspect(n))
                .collect::<Result<Vec<_>, _>>()?;
            print(&(serde_json::to_string_pretty(&rows)? + "\n"));
            Ok(())
        }
    }
}

/// Prints the engine log, the last `tail` lines, following it when asked.
/// `berth engine logs [-f] [-n N]`: dockerd's output, followed as it is written with `-f`.
async fn logs(berth: &Berth, follow: bool, tail: Option<usize>) -> Result<()> {
    let path = berth.engine_log();
    if !path.exists() {
        anyhow::bail!(
            "{}: no engine log yet; Berth's engine has not run as this user",
            path.display()
        )
    }
    if !follow {
        print(&berth.log_text("engine", tail)?);
        return Ok(());
    }
    let mut texts = std::pin::pin!(berth.follow_log("engine", tail)?);
    while let Some(text) = futures_util::StreamExt::next(&mut texts).await {
        print(&text?.text);
    }
    Ok(())
}

/// Prints rows as a table, or one JSON object per line.
pub(crate) fn emit<T: Serialize>(
    format: Format,
    rows: &[T],
    table: impl FnOnce() -> String,
) -> Result<()> {
    match format {
        Format::Table => print(&table()),
        Format::Json => {
            let mut text = String::new();
            for row in rows {
                text += &serde_json::to_string(row)?;
                text.push('\n');
            }
            print(&text);
        }
    }
    Ok(())
}

/// The template a list prints through, parsed before any engine is asked (a template that
/// cannot work is said first): `-q` prints the ids, else a `--format` template, else `table`
/// (the list's table written as a template, for `--no-trunc`); `None` for the usual output.
/// `stats` of `containers` (the running ones, or all with `--all`, when none is named), as a
/// table, a template's lines or JSON.
pub async fn stats(
    berth: &Berth,
    conn: &Connection,
    containers: &[String],
    asked: &crate::cli::StatsArgs,
    format: Format,
    template: Option<&str>,
) -> Result<i32> {
    let fields = render::stats_fields(!asked.no_trunc);
    let table = (format == Format::Table).then_some(render::STATS_TABLE);
    let template = list_template(template, false, table, &fields)?;
    let shown = template.map(|t| (t, fields));
    ops::stats(
        berth,
        conn,
        containers,
        asked.all,
        !asked.no_stream,
        shown.as_ref(),
    )
    .await
    .map(|()| 0)
}

pub(crate) fn list_template<T>(
    format_template: Option<&str>,
    quiet: bool,
    table: Option<&str>,
    fields: &[Field<T>],
) -> Result<Option<Template>> {
    let text = match (quiet, format_template.or(table)) {
        (true, _) => "{{.ID}}",
        (false, Some(t)) => t,
        (false, None) => return Ok(None),
    };
    Template::parse(text, fields)
        .map(Some)
        .map_err(anyhow::Error::msg)
}

pub(crate) fn ids<'a>(ids: impl Iterator<Item = &'a str>) -> Result<()> {
    let text: String = ids.map(|id| format!("{id}\n")).collect();
    print(&text);
    Ok(())
}

/// Writes to stdout, ignoring a closed pipe (`berth ps | head`).
pub(crate) fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
