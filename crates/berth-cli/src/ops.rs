//! The docker verbs on images and containers: build, run, lifecycle, logs, inspect, pull, push,
//! tag, rmi. Long operations show progress (bars on a terminal, status lines otherwise, one JSON
//! event per line with `--format json`).

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};
use berth_api::{
    ApiError, Berth, BuildRequest, Connection, LogOptions, PartFile, ProgressEvent, PublishedPort,
    RunFlags, RunRequest, Streams,
};
use futures_util::{Stream, StreamExt};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::cli::{
    BuildArgs, ExecArgs, Format, LogsArgs, MoreRunArgs, NetworkCommand, PruneArgs, PruneOptions,
    RunArgs, VolumeCommand,
};
use crate::render::StatsLine;
use crate::template::{Field, Template, ValueTemplate};

/// The build request of `berth build`'s flags (and `DOCKER_BUILDKIT`).
pub fn build_request(args: &BuildArgs) -> Result<BuildRequest> {
    let buildkit = match args.buildkit {
        Some(on) => on,
        // An export, a secret or an agent is BuildKit's (docker's -o, --secret and --ssh ask
        // for it too).
        None if args.output.is_some() || !args.secrets.is_empty() || !args.ssh.is_empty() => true,
        // As the docker CLI: the classic builder when DOCKER_BUILDKIT is unset.
        None => berth_api::images::buildkit_from_env(false)?,
    };
    Ok(BuildRequest {
        context: args.path.clone(),
        dockerfile: args.file.clone(),
        tags: args.tags.clone(),
        build_args: args.build_args.clone(),
        target: args.target.clone(),
        labels: args.labels.clone(),
        no_cache: args.no_cache,
        pull: args.pull,
        network: args.network.clone(),
        add_hosts: args.add_hosts.clone(),
        cache_from: args.cache_from.clone(),
        force_rm: args.force_rm,
        keep_step_containers: !args.rm,
        limits: {
            let limits = berth_api::images::StepLimits {
                memory: args.memory.clone(),
                memory_swap: args.memory_swap.clone(),
                shm_size: args.shm_size.clone(),
                cpu_shares: args.cpu_shares,
                cpuset_cpus: args.cpuset_cpus.clone(),
                cpu_period: args.cpu_period,
                cpu_quota: args.cpu_quota,
                ulimits: args.ulimits.clone(),
            };
            (limits != berth_api::images::StepLimits::default()).then_some(limits)
        },
        platform: args.platform.clone(),
        buildkit,
        output: args.output.clone(),
        secrets: args.secrets.clone(),
        ssh: args.ssh.clone(),
        stdin: args.stdin,
    })
}

/// A Dockerfile read from stdin (`build -f -`), kept in a file of its own for the build's time.
pub struct StdinDockerfile(std::path::PathBuf);

impl StdinDockerfile {
    pub fn read() -> Result<Self> {
        use std::io::Read;
        if std::io::stdin().is_terminal() {
            bail!(
                "-f -: stdin is a terminal; pipe the Dockerfile in, e.g. berth build -f - . < Dockerfile"
            );
        }
        let mut text = Vec::new();
        std::io::stdin().read_to_end(&mut text)?;
        if text.iter().all(u8::is_ascii_whitespace) {
            bail!(
                "-f -: stdin was empty; pipe the Dockerfile in, e.g. berth build -f - . < Dockerfile"
            );
        }
        let path = std::env::temp_dir().join(format!("berth-dockerfile-{}", std::process::id()));
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Self(path))
    }

    pub fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for StdinDockerfile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A context read from stdin (`build -`), as docker reads it: a tar archive (plain or
/// compressed), sent as it is, or else a Dockerfile, built with nothing else in its context.
/// Kept in a folder of its own for the build's time.
pub struct StdinContext {
    dir: tempfile::TempDir,
    /// Whether stdin held a Dockerfile alone (not an archive).
    pub dockerfile_only: bool,
}

impl StdinContext {
    pub fn read() -> Result<Self> {
        let usage = "pipe a tar archive or a Dockerfile in, e.g. berth build - < context.tar";
        if std::io::stdin().is_terminal() {
            bail!("-: stdin is a terminal; {usage}");
        }
        let dir = tempfile::Builder::new()
            .prefix("berth-context-")
            .tempdir()
            .context("-: cannot make a temporary directory")?;
        let read = dir.path().join("stdin");
        let mut file = std::fs::File::create(&read)
            .with_context(|| format!("cannot write {}", read.display()))?;
        let size = std::io::copy(&mut std::io::stdin().lock(), &mut file)
            .context("-: cannot read stdin")?;
        if size == 0 {
            bail!("-: stdin was empty; {usage}");
        }
        let dockerfile_only = !berth_api::images::is_context_archive(&read);
        if dockerfile_only {
            let folder = dir.path().join("context");
            std::fs::create_dir(&folder)?;
            std::fs::rename(&read, folder.join("Dockerfile"))?;
        }
        Ok(Self {
            dir,
            dockerfile_only,
        })
    }

    /// The context to build: the archive, or the folder of the Dockerfile alone.
    pub fn path(&self) -> String {
        let name = if self.dockerfile_only {
            "context"
        } else {
            "stdin"
        };
        self.dir.path().join(name).display().to_string()
    }
}

/// Builds an image; prints the steps (or only the id with `-q`).
pub async fn build(
    berth: &Berth,
    conn: &Connection,
    args: BuildArgs,
    format: Format,
) -> Result<()> {
    let mut req = build_request(&args)?;
    // Every name is checked before the build, as `push` checks it.
    if args.push {
        if req.output.is_some() {
            bail!("--push: a build that exports its files (-o) makes no image to push");
        }
        if args.tags.is_empty() {
            bail!("--push: name the image with -t REGISTRY/NAME:TAG to push it");
        }
        for tag in &args.tags {
            berth_api::images::push_target(tag)?;
        }
    }
    let quiet = args.quiet || args.progress.as_deref() == Some("quiet");
    // `-o -`: a tar on stdout, written to a file of the build's own first (the engine's session
    // writes to a path), the build's progress then on stderr.
    let to_stdout = req.output.as_deref() == Some("-");
    let tar = if to_stdout {
        let dir = tempfile::tempdir().context("-o -: cannot make a temporary directory")?;
        req.output = Some(format!(
            "type=tar,dest={}",
            dir.path().join("out.tar").display()
        ));
        Some(dir)
    } else {
        None
    };
    let stream = berth.build_recorded(conn, &req)?;
    let mut built = None;
    let mut out: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stderr().lock())
    } else {
        Box::new(std::io::stdout().lock())
    };
    futures_util::pin_mut!(stream);
    while let Some(ev) = stream.next().await {
        let ev = ev?;
        match (&ev, format, quiet) {
            (_, Format::Json, _) => writeln!(out, "{}", serde_json::to_string(&ev)?)?,
            (ProgressEvent::Built { id }, _, true) => writeln!(out, "{id}")?,
            (_, _, true) => {}
            (
                ProgressEvent::Step {
                    number,
                    total,
                    instruction,
                },
                ..,
            ) => writeln!(out, "Step {number}/{total} : {instruction}")?,
            (ProgressEvent::Output { line }, ..) => writeln!(out, "{line}")?,
            (ProgressEvent::Layer { id, status, .. }, ..) => writeln!(
                out,
                "{}{status}",
                id.as_deref().map(|i| format!("{i}: ")).unwrap_or_default()
            )?,
            // The engine's own output already says "Successfully built …" and "… tagged …".
            (ProgressEvent::Built { .. }, ..) => {}
        }
        if let ProgressEvent::Built { id } = &ev {
            built = Some(id.clone());
        }
    }
    if let Some(dir) = tar {
        drop(out);
        let mut file = std::fs::File::open(dir.path().join("out.tar"))
            .context("-o -: the build wrote no tar")?;
        std::io::copy(&mut file, &mut std::io::stdout().lock())
            .context("-o -: cannot write the tar to stdout")?;
        return Ok(());
    }
    if req.output.is_some() {
        // The files were the result: no image was made.
        return Ok(());
    }
    let Some(id) = built else {
        bail!("the build ended without an image; see its output above");
    };
    if let Some(file) = &args.iidfile {
        std::fs::write(file, &id).with_context(|| format!("--iidfile {file}: cannot write it"))?;
    }
    if args.push {
        // Quiet, stdout is the image's id alone.
        let shown = if quiet {
            Shown::OnStderr
        } else {
            Shown::OnStdout
        };
        for tag in &args.tags {
            transfer(berth.push(conn, tag).await?, format, "Preparing", shown).await?;
        }
    }
    Ok(())
}

/// Where a transfer's progress goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// `pull` and `push`: their progress is their output.
    OnStdout,
    /// The pull `run` and `create` make first: their stdout is the container's id or output.
    OnStderr,
}

/// Pulls or pushes with per-layer progress.
pub async fn transfer(
    stream: impl Stream<Item = Result<ProgressEvent, ApiError>>,
    format: Format,
    what: &str,
    to: Shown,
) -> Result<()> {
    futures_util::pin_mut!(stream);
    let (mut out, terminal): (Box<dyn Write>, bool) = match to {
        Shown::OnStdout => (
            Box::new(std::io::stdout().lock()),
            std::io::stdout().is_terminal(),
        ),
        Shown::OnStderr => (
            Box::new(std::io::stderr().lock()),
            std::io::stderr().is_terminal(),
        ),
    };
    let tty = terminal && format == Format::Table;
    let bars = MultiProgress::new();
    let mut layers: HashMap<String, ProgressBar> = HashMap::new();
    let mut last_status: HashMap<String, String> = HashMap::new();
    let style =
        ProgressStyle::with_template("{prefix:.bold} {msg:<12} {wide_bar} {bytes}/{total_bytes}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    while let Some(ev) = stream.next().await {
        let ev = ev?;
        if format == Format::Json {
            writeln!(out, "{}", serde_json::to_string(&ev)?)?;
            continue;
        }
        let ProgressEvent::Layer {
            id,
            status,
            current,
            total,
        } = ev
        else {
            continue;
        };
        // The engine's closing message (the pushed digest, in `aux`) has no status to show.
        if status.is_empty() {
            continue;
        }
        match (tty, id) {
            (true, Some(id)) if status != what => {
                let bar = layers.entry(id.clone()).or_insert_with(|| {
                    let bar = bars.add(ProgressBar::new(0));
                    bar.set_style(style.clone());
                    bar.set_prefix(id.clone());
                    bar
                });
                if let Some(total) = total {
                    bar.set_length(total.max(0) as u64);
                }
                if let Some(current) = current {
                    bar.set_position(current.max(0) as u64);
                }
                bar.set_message(status);
            }
            (_, id) => {
                // Plain lines: one per change of status, not one per byte count.
                let key = id.clone().unwrap_or_default();
                if last_status.get(&key) != Some(&status) {
                    match &id {
                        Some(id) => writeln!(out, "{id}: {status}")?,
                        None => writeln!(out, "{status}")?,
                    }
                    last_status.insert(key, status);
                }
            }
        }
    }
    for bar in layers.values() {
        bar.finish();
    }
    Ok(())
}

/// The run request of `berth run`'s (and `create`'s) flags.
pub fn run_request(args: &RunArgs) -> RunRequest {
    RunRequest {
        image: args.image.clone(),
        name: args.name.clone(),
        command: args.command.clone(),
        entrypoint: args.entrypoint.clone(),
        ports: args.ports.clone(),
        env: args.env.clone(),
        env_files: args.env_files.clone(),
        volumes: args.volumes.clone(),
        tmpfs: args.tmpfs.clone(),
        network: args.network.clone(),
        network_aliases: args.network_aliases.clone(),
        restart: args.restart.clone(),
        workdir: args.workdir.clone(),
        user: args.user.clone(),
        labels: args.labels.clone(),
        cpus: args.cpus,
        memory: args.memory.clone(),
        health_cmd: args.health_cmd.clone(),
        health_interval_ms: args.health_interval,
        health_timeout_ms: args.health_timeout,
        health_retries: args.health_retries,
        rm: args.rm,
        tty: args.tty,
        interactive: args.interactive,
        stdin_once: args.interactive && !args.detach,
        cwd: std::env::current_dir()
            .ok()
            .map(|d| d.display().to_string()),
        flags: Some(run_flags(&args.more)),
    }
}

fn run_flags(m: &MoreRunArgs) -> RunFlags {
    RunFlags {
        publish_all: m.publish_all,
        expose: m.expose.clone(),
        hostname: m.hostname.clone(),
        add_hosts: m.add_hosts.clone(),
        dns: m.dns.clone(),
        mounts: m.mounts.clone(),
        devices: m.devices.clone(),
        privileged: m.privileged,
        cap_add: m.cap_add.clone(),
        cap_drop: m.cap_drop.clone(),
        security_opts: m.security_opts.clone(),
        group_add: m.group_add.clone(),
        init: m.init,
        read_only: m.read_only,
        shm_size: m.shm_size.clone(),
        ulimits: m.ulimits.clone(),
        sysctls: m.sysctls.clone(),
        pid: m.pid.clone(),
        ipc: m.ipc.clone(),
        stop_signal: m.stop_signal.clone(),
        stop_timeout: m.stop_timeout,
        log_driver: m.log_driver.clone(),
        log_opts: m.log_opts.clone(),
        no_healthcheck: m.no_healthcheck,
        pids_limit: m.pids_limit,
        memory_swap: m.memory_swap.clone(),
        memory_reservation: m.memory_reservation.clone(),
        cpu_shares: m.cpu_shares,
        cpuset_cpus: m.cpuset_cpus.clone(),
        label_files: m.label_files.clone(),
        platform: m.platform.clone(),
        mac_address: m.mac_address.clone(),
        ip: m.ip.clone(),
        ip6: m.ip6.clone(),
        volumes_from: m.volumes_from.clone(),
        dns_search: m.dns_search.clone(),
        dns_options: m.dns_options.clone(),
        domainname: m.domainname.clone(),
        oom_kill_disable: m.oom_kill_disable,
        oom_score_adj: m.oom_score_adj,
        cpu_period: m.cpu_period,
        cpu_quota: m.cpu_quota,
        memory_swappiness: m.memory_swappiness,
        cpuset_mems: m.cpuset_mems.clone(),
        cgroupns: m.cgroupns.clone(),
        userns: m.userns.clone(),
        uts: m.uts.clone(),
        runtime: m.runtime.clone(),
        device_cgroup_rules: m.device_cgroup_rules.clone(),
        health_start_period_ms: m.health_start_period,
        links: m.links.clone(),
        cgroup_parent: m.cgroup_parent.clone(),
        blkio_weight: m.blkio_weight,
        volume_driver: m.volume_driver.clone(),
        storage_opts: m.storage_opts.clone(),
        gpus: m.gpus.clone(),
        blkio_weight_devices: m.blkio_weight_devices.clone(),
        device_read_bps: m.device_read_bps.clone(),
        device_write_bps: m.device_write_bps.clone(),
        device_read_iops: m.device_read_iops.clone(),
        device_write_iops: m.device_write_iops.clone(),
        cpu_rt_period: m.cpu_rt_period,
        cpu_rt_runtime: m.cpu_rt_runtime,
        isolation: m.isolation.clone(),
    }
}

/// `create`: prints the new container's id.
pub async fn create(berth: &Berth, conn: &Connection, args: RunArgs) -> Result<()> {
    check_cidfile(&args)?;
    pull_for_run(berth, conn, &args).await?;
    let id = made(&args, berth.create(conn, &run_request(&args)).await?)?;
    println!("{id}");
    Ok(())
}

/// docker run's pull: a missing image is pulled first (`--pull missing`), every time with
/// `--pull always`, never with `--pull never` (the engine then says it is missing). The progress
/// goes to stderr, as docker's does.
pub async fn pull_for_run(berth: &Berth, conn: &Connection, args: &RunArgs) -> Result<()> {
    // Present, and for the platform asked when one is: another platform's image is missing.
    let platform = args.more.platform.as_deref();
    let present = || async {
        match berth.inspect_image(conn, &args.image).await {
            Ok(image) => Ok(platform.is_none_or(|p| {
                let field = |k: &str| image[k].as_str().unwrap_or_default().to_owned();
                let have = format!("{}/{}", field("Os"), field("Architecture"));
                p.to_ascii_lowercase().starts_with(&have)
            })),
            Err(e) if e.code == berth_api::ErrorCode::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    };
    match args.pull.as_str() {
        "never" => return Ok(()),
        "always" => {}
        _ if present().await? => return Ok(()),
        _ if args.quiet => {}
        _ => eprintln!("Unable to find image '{}' locally", args.image),
    }
    let pulled = berth.pull_for(conn, &args.image, platform)?;
    if args.quiet {
        futures_util::pin_mut!(pulled);
        while let Some(event) = pulled.next().await {
            event?;
        }
        return Ok(());
    }
    transfer(pulled, Format::Table, "Pulling fs layer", Shown::OnStderr).await
}

/// `--cidfile`: refused before anything is made when the file is there already (as docker
/// refuses it: another container may be writing it).
fn check_cidfile(args: &RunArgs) -> Result<()> {
    if let Some(file) = &args.cidfile
        && std::path::Path::new(file).exists()
    {
        bail!("--cidfile {file}: the file is there already; remove it, or name another");
    }
    Ok(())
}

/// A container just made: what the engine warned of said on stderr (as docker's `WARNING: …`
/// lines), its id written to `--cidfile`; returns the id.
fn made(args: &RunArgs, created: berth_api::Created) -> Result<String> {
    for w in &created.warnings {
        eprintln!("WARNING: {w}");
    }
    let id = created.id;
    if let Some(file) = &args.cidfile {
        std::fs::write(file, &id).with_context(|| format!("--cidfile {file}: cannot write it"))?;
    }
    Ok(id)
}

/// The streams `run -a` names (stdin, stdout, stderr, as docker takes them, in any case); none
/// named, its output and, with `-i`, its stdin.
fn attach_streams(named: &[String], interactive: bool) -> Result<Streams> {
    if named.is_empty() {
        return Ok(Streams::output(interactive));
    }
    let mut streams = Streams {
        stdin: interactive,
        stdout: false,
        stderr: false,
    };
    for name in named {
        match name.to_ascii_lowercase().as_str() {
            "stdin" => streams.stdin = true,
            "stdout" => streams.stdout = true,
            "stderr" => streams.stderr = true,
            _ => bail!("-a {name}: a stream is stdin, stdout or stderr"),
        }
    }
    Ok(streams)
}

/// `run`: detached, prints the id; attached, streams the output and returns the exit code.
pub async fn run(berth: &Berth, conn: &Connection, args: RunArgs) -> Result<i32> {
    if args.detach && !args.attach.is_empty() {
        bail!("-a and -d: a container run in the background is not attached to; leave one out");
    }
    check_cidfile(&args)?;
    pull_for_run(berth, conn, &args).await?;
    let req = run_request(&args);
    if args.detach {
        let id = made(&args, berth.run(conn, &req).await?)?;
        println!("{id}");
        return Ok(0);
    }
    // Attached (`--rm` is the engine's, as for a run in the background): the streams and the
    // keys checked before anything is made.
    let streams = attach_streams(&args.attach, args.interactive)?;
    let keys = streams
        .stdin
        .then(|| detach_keys(berth, args.attaching.detach_keys.as_deref()))
        .transpose()?;
    let id = made(&args, berth.create(conn, &req).await?)?;
    let shown = args.name.as_deref().unwrap_or(&id[..12.min(id.len())]);
    let attached = Attached {
        auto_remove: args.rm,
        streams,
        tty: args.tty,
        keys,
        sig_proxy: args.attaching.sig_proxy,
    };
    start_attached(berth, conn, &id, shown, attached).await
}

/// How an attached run follows its container: the streams it takes (this terminal's input as
/// its stdin with `streams.stdin`), a terminal with `tty`, the detach keys (the engine's text
/// and the bytes) and the signals passed on.
pub struct Attached {
    pub streams: Streams,
    pub tty: bool,
    pub keys: Option<(String, Vec<u8>)>,
    pub sig_proxy: bool,
    /// `--rm`: the engine removes it as it exits; the run returns once it is gone.
    pub auto_remove: bool,
}

/// Starts the created container `id` (`shown` by that name) attached, as the docker CLI runs it
/// (`run`, and `compose run` through its `start -a`): attached and its exit waited for before
/// the start, so not a byte of output is missed and its exit code is read even when the engine
/// removes it as it exits (an AutoRemove container). Returns its exit code, or 0 when the
/// detach keys left it running.
pub async fn start_attached(
    berth: &Berth,
    conn: &Connection,
    id: &str,
    shown: &str,
    how: Attached,
) -> Result<i32> {
    let session = berth
        .attach(
            conn,
            id,
            how.streams,
            how.keys.as_ref().map(|(k, _)| k.as_str()),
        )
        .await?;
    let exit = berth.wait_next_exit(conn, id, how.auto_remove).await?;
    if let Err(e) = berth.start(conn, id).await {
        // As a run in the background: a container that could not start is not left behind.
        let _ = berth.remove(conn, id, true, true).await;
        return Err(e.into());
    }
    let resize = |rows, cols| async move {
        let _ = berth.resize(conn, id, rows, cols).await;
    };
    let interactive = how.streams.stdin;
    let raw = how.tty && interactive && std::io::stdin().is_terminal();
    let followed = interact(
        session.output,
        session.input,
        interactive,
        true,
        how.tty,
        raw,
        how.keys.map(|(_, sequence)| sequence),
        resize,
    );
    let sig_proxy = how.sig_proxy && !how.tty;
    if relaying_signals(berth, conn, id, sig_proxy, followed).await? == Ended::Detached {
        say_detached(shown);
        return Ok(0);
    }
    Ok(exit.await? as i32)
}

/// Writes log chunks to stdout and stderr as the container wrote them: whatever has arrived is
/// written as one batch and flushed once, so a long log is fast and a followed one stays live.
pub(crate) async fn print_logs(
    stream: impl Stream<Item = Result<berth_api::LogChunk, ApiError>>,
) -> Result<()> {
    let batches = stream.ready_chunks(4096);
    futures_util::pin_mut!(batches);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    while let Some(batch) = batches.next().await {
        for line in batch {
            let line = line?;
            let sink: &mut dyn Write = if line.stream == berth_api::LogStream::Stderr {
                &mut err
            } else {
                &mut out
            };
            if sink.write_all(&line.bytes).is_err() {
                return Ok(()); // a closed pipe (`berth logs x | head`)
            }
        }
        if out.flush().is_err() {
            return Ok(());
        }
        let _ = err.flush();
    }
    Ok(())
}

/// `berth logs`' options, read before the engine is asked (a bad time is one line).
pub fn log_options(args: &LogsArgs) -> Result<LogOptions> {
    Ok(LogOptions {
        follow: args.follow,
        since: args
            .since
            .as_deref()
            .map(|s| when(s, "--since"))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|s| when(s, "--until"))
            .transpose()?,
        tail: args.tail,
        timestamps: args.timestamps,
    })
}

pub async fn logs(
    berth: &Berth,
    conn: &Connection,
    container: &str,
    opts: &LogOptions,
) -> Result<()> {
    // Resolve first, so a wrong name is one clear line rather than a stream error.
    berth.inspect_container(conn, container).await?;
    print_logs(berth.logs_raw(conn, container, opts)).await
}

/// A time as docker's `--since` and `--until` take it ([`berth_api::times::when`]), in unix
/// seconds, or a one-line error naming the flag.
pub(crate) fn when(text: &str, flag: &str) -> Result<i64> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    berth_api::times::when(text, now).with_context(|| {
        format!(
            "{flag} {text:?}: give a time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds) or how \
             long ago (10m, 1h30m)"
        )
    })
}

/// `inspect`: a container, else an image (or the type asked for), as a JSON array like docker.
pub async fn inspect(
    berth: &Berth,
    conn: &Connection,
    kind: Option<&str>,
    names: &[String],
    template: Option<&crate::template::ValueTemplate>,
) -> Result<()> {
    let mut out = Vec::new();
    for name in names {
        let value = match kind {
            Some(kind) => inspect_kind(berth, conn, kind, name).await?,
            None => inspect_any(berth, conn, name).await?,
        };
        out.push(value);
    }
    match template {
        Some(t) => {
            let mut text = String::new();
            for value in &out {
                text += &t.render(value).map_err(anyhow::Error::msg)?;
                text.push('\n');
            }
            crate::commands::print(&text);
        }
        None => println!("{}", serde_json::to_string_pretty(&out)?),
    }
    Ok(())
}

/// The object of any kind with that name, looked for in docker's order: a container, an image,
/// a volume, a network.
async fn inspect_any(berth: &Berth, conn: &Connection, name: &str) -> Result<serde_json::Value> {
    for kind in ["container", "image", "volume", "network"] {
        match inspect_kind(berth, conn, kind, name).await {
            Err(e) if e.code == berth_api::ErrorCode::NotFound => continue,
            found => return Ok(found?),
        }
    }
    bail!("no container, image, volume or network is called {name}")
}

/// The object of one kind (`container`, `image`, `volume`, `network`) by name.
async fn inspect_kind(
    berth: &Berth,
    conn: &Connection,
    kind: &str,
    name: &str,
) -> Result<serde_json::Value, ApiError> {
    match kind {
        "image" => berth.inspect_image(conn, name).await,
        "volume" => berth.inspect_volume(conn, name).await,
        "network" => berth.inspect_network(conn, name).await,
        _ => berth.inspect_container(conn, name).await,
    }
}

/// `berth volume …` (but `ls`).
pub async fn volume(berth: &Berth, conn: &Connection, cmd: VolumeCommand) -> Result<i32> {
    match cmd {
        VolumeCommand::Create {
            driver,
            options,
            labels,
            name,
        } => {
            let v = berth
                .create_volume(conn, name.as_deref(), driver.as_deref(), &options, &labels)
                .await?;
            println!("{}", v.name);
        }
        VolumeCommand::Rm { force, names } => {
            return removed_each(&names, |n| berth.remove_volume(conn, n, force)).await;
        }
        VolumeCommand::Prune(args) => {
            let names: Vec<String> = berth
                .volume_prune_candidates(conn, args.all, &prune_filter(&args.options)?)
                .await?
                .into_iter()
                .map(|v| v.name)
                .collect();
            if confirm("volume prune", "unused volume", &names, &args.options)? {
                for n in &names {
                    berth.remove_volume(conn, n, false).await?;
                }
                println!("Removed {}", counted(names.len(), "volume"));
            }
        }
        VolumeCommand::Files { name, path } => {
            let entries = berth
                .volume_files(conn, &name, path.as_deref().unwrap_or("/"), true)
                .await?;
            let rows = entries.iter().filter(|e| !e.path.is_empty()).map(|e| {
                vec![
                    format!("{:o}", e.mode),
                    e.kind.clone(),
                    e.size.to_string(),
                    e.path.clone(),
                ]
            });
            print!(
                "{}",
                crate::render::table(&["MODE", "TYPE", "SIZE", "PATH"], rows)
            );
        }
        VolumeCommand::Clone { from, to } => {
            let made = berth.clone_volume(conn, &from, &to).await?;
            println!("{}", made.name);
        }
        VolumeCommand::Export { output, name } => {
            let mut out = ArchiveOut::open(output.as_deref())?;
            berth.export_volume(conn, &name, out.out()).await?;
            out.finish()?;
        }
        VolumeCommand::Import { name, file } => {
            let tar = archive_input(file.as_deref(), "a FILE after the volume's name")?;
            berth.import_volume(conn, &name, &tar).await?;
        }
        VolumeCommand::Ls(_) | VolumeCommand::Inspect(_) => {
            bail!("internal: volume ls and inspect are run as the lists and inspect are")
        }
    }
    Ok(0)
}

/// `berth network …` (but `ls`).
pub async fn network(berth: &Berth, conn: &Connection, cmd: NetworkCommand) -> Result<i32> {
    match cmd {
        NetworkCommand::Create {
            driver,
            subnet,
            gateway,
            internal,
            ip_range,
            options,
            ipv6,
            attachable,
            labels,
            name,
        } => {
            let req = berth_api::NetworkRequest {
                name,
                driver,
                subnet,
                gateway,
                internal,
                labels,
                options,
                ip_range,
                ipv6,
                attachable,
            };
            println!("{}", berth.create_network(conn, &req).await?);
        }
        NetworkCommand::Connect {
            aliases,
            network,
            container,
        } => {
            berth
                .connect_network(conn, &network, &container, &aliases)
                .await?
        }
        NetworkCommand::Disconnect {
            force,
            network,
            container,
        } => {
            berth
                .disconnect_network(conn, &network, &container, force)
                .await?
        }
        NetworkCommand::Rm { names } => {
            return removed_each(&names, |n| berth.remove_network(conn, n)).await;
        }
        NetworkCommand::Prune(ask) => {
            let names: Vec<String> = berth
                .network_prune_candidates(conn, &prune_filter(&ask)?)
                .await?
                .into_iter()
                .map(|n| n.name)
                .collect();
            if confirm("network prune", "unused network", &names, &ask)? {
                for n in &names {
                    berth.remove_network(conn, n).await?;
                }
                println!("Removed {}", counted(names.len(), "network"));
            }
        }
        NetworkCommand::Ls(_) | NetworkCommand::Inspect(_) => {
            bail!("internal: network ls and inspect are run as the lists and inspect are")
        }
    }
    Ok(0)
}

/// A prune's `--filter`s, durations counted back from now.
fn prune_filter(options: &PruneOptions) -> Result<berth_api::PruneFilter> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    Ok(berth_api::PruneFilter::parse(&options.filters, now)?)
}

/// `1 image`, `2 images`.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Lists what a prune would remove, then: `--dry-run` stops there, `-f` goes ahead, a terminal
/// is asked, and anything else is refused (nothing is removed without a yes).
fn confirm(command: &str, noun: &str, names: &[String], ask: &PruneOptions) -> Result<bool> {
    if names.is_empty() {
        println!("No {noun}s to remove");
        return Ok(false);
    }
    println!("{} would be removed:", counted(names.len(), noun));
    for n in names {
        println!("  {n}");
    }
    if ask.dry_run {
        return Ok(false);
    }
    if ask.force {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "{command} removes the {noun}s listed above: confirm with -f, or look with --dry-run"
        );
    }
    print!("Remove them? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// `berth stats`: one reading of each container, or a table redrawn as readings arrive. With
/// no container named, as docker: the running ones (every one with `all`), and, while it
/// streams, one that starts is added and one that stops leaves (unless `all`) or is removed.
/// Refused by an engine that cannot measure its containers ([`Berth::measures_containers`]).
pub async fn stats(
    berth: &Berth,
    conn: &Connection,
    names: &[String],
    all: bool,
    stream: bool,
    shown: Option<&(Template, Vec<Field<StatsLine>>)>,
) -> Result<()> {
    // An engine without cgroups would give the machine's use as each container's.
    berth.measures_containers(conn).await?;
    // Each as asked for (`{{.Container}}`): by its name, or by its short id when none is named.
    let short = |id: &str| id.chars().take(12).collect::<String>();
    // Following what starts and stops: the events from the engine's time before the list is
    // read, so that nothing started meanwhile is missed.
    let mut events = if names.is_empty() && stream {
        let since = conn.client.engine_time().await?;
        Some(berth.events(conn, Some(since), None, &[])?.boxed())
    } else {
        None
    };
    let asked: Vec<String> = if names.is_empty() {
        berth
            .containers(conn, all)
            .await?
            .into_iter()
            .map(|c| short(&c.id))
            .collect()
    } else {
        names.to_vec()
    };
    let follow = |asked: String| {
        berth
            .stats(conn, &asked, stream)
            .map(move |u| (asked.clone(), u))
            .boxed()
    };
    let mut merged = futures_util::stream::SelectAll::new();
    for a in &asked {
        merged.push(follow(a.clone()));
    }
    // The rows shown, in order, each with its newest reading.
    let mut rows: Vec<(String, Option<berth_api::UsageView>)> =
        asked.into_iter().map(|a| (a, None)).collect();
    let tty = std::io::stdout().is_terminal();
    let mut drawn = Instant::now() - Duration::from_secs(1);
    let lines = |rows: &[(String, Option<berth_api::UsageView>)]| -> Vec<StatsLine> {
        rows.iter()
            .filter_map(|(a, u)| {
                u.clone().map(|usage| StatsLine {
                    asked_as: a.clone(),
                    usage,
                })
            })
            .collect()
    };
    loop {
        // Nothing followed and nothing to wait for: every reading is in.
        if merged.is_empty() && events.is_none() {
            break;
        }
        let event = async {
            match events.as_mut() {
                Some(e) => e.next().await,
                None => std::future::pending().await,
            }
        };
        // Whether the table is to be drawn again: a round of readings (at most about once a
        // second), or a container gone from it (at once).
        let redraw = tokio::select! {
            // (With no container followed, only the events are waited on; a stream that ended
            // is let go, and the loop ends once nothing is left to wait for.)
            reading = merged.next(), if !merged.is_empty() => 'reading: {
                let Some((asked, reading)) = reading else { break 'reading false };
                let reading = match reading {
                    Ok(reading) => reading,
                    // One followed as it started and already gone (a build step's container,
                    // say): it leaves the table. One named is an error, as with docker.
                    Err(_) if names.is_empty() => {
                        let before = rows.len();
                        rows.retain(|(a, _)| *a != asked);
                        break 'reading rows.len() < before;
                    }
                    Err(err) => return Err(err.into()),
                };
                // A reading of a container no longer shown (stopped, removed) is dropped.
                let Some(row) = rows.iter_mut().find(|(a, _)| *a == asked) else { break 'reading false };
                if shown.is_none() {
                    // --format json: each reading as it comes.
                    if !shows(&format!("{}\n", serde_json::to_string(&reading)?)) {
                        return Ok(());
                    }
                    break 'reading false;
                }
                row.1 = Some(reading);
                drawn.elapsed() >= Duration::from_millis(900)
            },
            event = event => {
                let Some(event) = event else { break };
                let event = event?;
                let id = short(&event.actor);
                let shown_now = rows.iter().any(|(a, _)| *a == id);
                let before = rows.len();
                match event.action.as_str() {
                    // Started (again): followed anew; a stopped one's stream may not resume.
                    "start" => {
                        if !shown_now {
                            rows.push((id.clone(), None));
                        }
                        merged.push(follow(id));
                    }
                    "die" if !all => rows.retain(|(a, _)| *a != id),
                    // Stopped, it stays with nothing in use, as docker shows a stopped one.
                    "die" => {
                        if let Some((_, Some(u))) = rows.iter_mut().find(|(a, _)| *a == id) {
                            *u = berth_api::UsageView {
                                id: u.id.clone(),
                                name: u.name.clone(),
                                ..Default::default()
                            };
                        }
                    }
                    "destroy" => rows.retain(|(a, _)| *a != id),
                    "create" if all && !shown_now => {
                        rows.push((id.clone(), None));
                        merged.push(follow(id));
                    }
                    _ => {}
                }
                rows.len() < before || (all && event.action == "die" && shown_now)
            }
        };
        let complete = rows.iter().all(|(_, u)| u.is_some());
        if let (true, true, true, Some((template, fields))) = (redraw, stream, complete, shown) {
            // Redraw in place on a terminal; elsewhere, one table per round.
            let clear = if tty { "\x1b[2J\x1b[H" } else { "" };
            if !shows(&format!(
                "{clear}{}",
                template.render(&lines(&rows), fields)
            )) {
                return Ok(());
            }
            drawn = Instant::now();
        }
    }
    if let (false, Some((template, fields))) = (stream, shown) {
        shows(&template.render(&lines(&rows), fields));
    }
    Ok(())
}

/// Writes `text` to stdout at once; false when nothing reads it any more (`| head`), which ends
/// the command quietly rather than in a panic.
fn shows(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

/// How `berth events` prints each event.
pub enum EventsShown {
    /// docker's line.
    Lines,
    /// Berth's JSON (`--format json`).
    Json,
    /// The engine's JSON, as docker's `--format '{{json .}}'` prints it.
    AsTheEngineWrites,
    /// A docker template over the event (`{{.Type}} {{.Action}}`).
    Template(ValueTemplate),
}

/// `berth events`: one line per event (or one JSON object per line).
pub async fn events(
    berth: &Berth,
    conn: &Connection,
    filters: &[String],
    since: Option<i64>,
    until: Option<i64>,
    shown: &EventsShown,
) -> Result<()> {
    let stream = berth.events(conn, since, until, filters)?;
    futures_util::pin_mut!(stream);
    while let Some(e) = stream.next().await {
        let e = e?;
        let line = match shown {
            EventsShown::Lines => crate::render::event_line(&e),
            EventsShown::Json => serde_json::to_string(&e)?,
            EventsShown::AsTheEngineWrites => crate::render::event_json(&e),
            EventsShown::Template(t) => t
                .render(&crate::render::event_document(&e))
                .map_err(anyhow::Error::msg)?,
        };
        if !shows(&format!("{line}\n")) {
            return Ok(());
        }
    }
    Ok(())
}

/// Restores the terminal when dropped.
struct RawMode;

impl RawMode {
    fn enable() -> Option<Self> {
        crossterm::terminal::enable_raw_mode()
            .ok()
            .map(|()| RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// `berth exec`: the command's output here, this terminal's input there with `-i`, a raw
/// terminal that follows resizes with `-t`; the command's exit code.
pub async fn exec(berth: &Berth, conn: &Connection, args: ExecArgs) -> Result<i32> {
    let lookup = |k: &str| std::env::var(k).ok();
    let mut env = Vec::new();
    for file in &args.env_files {
        env.extend(
            berth_api::parse_env_file(std::path::Path::new(file), lookup)
                .map_err(ApiError::from)?,
        );
    }
    for e in &args.env {
        env.extend(berth_api::parse_env(e, lookup).map_err(ApiError::from)?);
    }
    let on_terminal = std::io::stdin().is_terminal();
    let size = if args.tty {
        crossterm::terminal::size()
            .ok()
            .map(|(cols, rows)| (rows, cols))
    } else {
        None
    };
    let spec = berth_api::ExecSpec {
        command: args.command.clone(),
        tty: args.tty,
        interactive: args.interactive,
        env,
        workdir: args.workdir.clone(),
        user: args.user.clone(),
        size,
        privileged: args.privileged,
    };
    if args.detach {
        berth.exec_detached(conn, &args.container, &spec).await?;
        return Ok(0);
    }
    let tty = args.tty && args.interactive && on_terminal;
    // Watched before the command starts: a terminal closed the moment after must not end this
    // process before it hangs the command up.
    let hang_ups = if tty { Some(HangUps::watch()?) } else { None };
    let session = berth.exec(conn, &args.container, &spec).await?;
    let berth_api::ExecSession { id, output, input } = session;
    let resize = |rows, cols| {
        let id = id.clone();
        async move {
            let _ = berth.exec_resize(conn, &id, rows, cols).await;
        }
    };
    let session = interact(
        output,
        input,
        args.interactive,
        true,
        args.tty,
        tty,
        None,
        resize,
    );
    if let Some(hang_ups) = hang_ups {
        // This terminal closed (its window, an ssh connection): the command is hung up as the
        // terminal would have hung it up, not left running in the container. The hang-up comes
        // as SIGHUP, or first as the session ending under it: reading the terminal fails or
        // ends, its input to the command closes, and the engine ends the output while the
        // command runs on. A hung-up terminal is no longer one.
        let outcome = hang_ups.unless(session).await;
        let hung_up = outcome.is_none() || !std::io::stdin().is_terminal();
        if hung_up {
            let _ = berth.exec_hang_up(conn, &id, Duration::ZERO).await;
            return Ok(HUNG_UP);
        }
        outcome.transpose()?;
    } else {
        session.await?;
    }
    // The engine records the exit code a moment after the output ends.
    for _ in 0..50 {
        if let Some(code) = berth.exec_exit_code(conn, &id).await? {
            return Ok(code as i32);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("the command's output ended but the engine reports it still running")
}

/// The exit code of a command whose terminal hung up, as a shell reports it (128 + SIGHUP).
const HUNG_UP: i32 = 129;

/// This process's terminal hanging up (SIGHUP), watched from when it is made: until then
/// SIGHUP ends the process.
struct HangUps {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl HangUps {
    fn watch() -> Result<Self> {
        Ok(Self {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?,
        })
    }

    /// `work`, unless the terminal hangs up first (`None`; also when it hung up before).
    async fn unless<T>(self, work: impl Future<Output = T>) -> Option<T> {
        #[cfg(unix)]
        {
            let mut signal = self.signal;
            tokio::select! {
                biased;
                _ = signal.recv() => None,
                done = work => Some(done),
            }
        }
        #[cfg(not(unix))]
        Some(work.await)
    }
}

/// Removes each of `names` as docker's `volume rm` and `network rm` do: every one tried, each
/// removed printed, each refused said on stderr; status 1 if any was refused.
async fn removed_each<'a, F, Fut>(names: &'a [String], remove: F) -> Result<i32>
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Result<(), berth_api::ApiError>>,
{
    let mut failed = false;
    for n in names {
        match remove(n).await {
            Ok(()) => println!("{n}"),
            Err(e) => {
                eprintln!("berth: {e}");
                failed = true;
            }
        }
    }
    Ok(i32::from(failed))
}

/// `berth image check`: for each image, whether its registry has a newer one.
pub async fn image_check(
    berth: &Berth,
    conn: &Connection,
    images: &[String],
    format: Format,
) -> Result<i32> {
    let mut failed = false;
    for image in images {
        match berth.check_image(conn, image).await {
            Ok(v) if format == Format::Json => println!("{}", serde_json::to_string(&v)?),
            Ok(v) => println!(
                "{}: {}",
                v.image,
                match v.state.as_str() {
                    "up_to_date" => "up to date".to_owned(),
                    "newer_available" =>
                        format!("a newer image is available ({})", v.remote_digest),
                    _ => format!(
                        "not pulled from or pushed to its registry (the registry has {})",
                        v.remote_digest
                    ),
                }
            ),
            Err(e) => {
                eprintln!("berth: {e}");
                failed = true;
            }
        }
    }
    Ok(i32::from(failed))
}

/// `berth image prune`.
pub async fn image_prune(berth: &Berth, conn: &Connection, args: &PruneArgs) -> Result<i32> {
    let rows = berth
        .image_prune_candidates(conn, args.all, &prune_filter(&args.options)?)
        .await?;
    let names: Vec<String> = rows
        .iter()
        .map(|i| i.repo_tags.first().cloned().unwrap_or_else(|| i.id.clone()))
        .collect();
    if confirm("image prune", "unused image", &names, &args.options)? {
        let mut reclaimed = 0;
        for row in &rows {
            berth
                .remove_images(conn, std::slice::from_ref(&row.id), true)
                .await?;
            reclaimed += row.size;
        }
        println!(
            "Removed {}, {}",
            counted(rows.len(), "image"),
            crate::render::human_size(reclaimed)
        );
    }
    Ok(0)
}

/// `berth container prune`: every stopped container, listed first, removed by id (one started
/// meanwhile is refused by the engine, and kept).
pub async fn container_prune(berth: &Berth, conn: &Connection, ask: &PruneOptions) -> Result<i32> {
    let rows = berth
        .container_prune_candidates(conn, &prune_filter(ask)?)
        .await?;
    let names: Vec<String> = rows
        .iter()
        .map(|c| c.names.first().cloned().unwrap_or_else(|| c.id.clone()))
        .collect();
    if confirm("container prune", "stopped container", &names, ask)? {
        for c in &rows {
            berth.remove(conn, &c.id, false, false).await?;
        }
        println!("Removed {}", counted(rows.len(), "container"));
    }
    Ok(0)
}

/// `berth port`: `80/tcp -> 0.0.0.0:8000` lines (only the addresses when a port is named), in
/// docker's natural order.
pub fn port(
    container: &str,
    published: &[PublishedPort],
    port: Option<&String>,
    format: Format,
) -> Result<()> {
    let shown: Vec<&PublishedPort> = published
        .iter()
        .filter(|p| port.is_none_or(|wanted| &p.port == wanted))
        .collect();
    if let Some(wanted) = port
        && shown.is_empty()
    {
        bail!(
            "{container} publishes no port {wanted}: `berth port {container}` lists those it does"
        );
    }
    crate::commands::emit(format, &shown, || {
        let mut lines: Vec<String> = shown
            .iter()
            .map(|p| {
                let address = crate::render::join_host_port(&p.host_ip, &p.host_port);
                match port {
                    Some(_) => address + "\n",
                    None => format!("{} -> {address}\n", p.port),
                }
            })
            .collect();
        lines.sort_by(|a, b| crate::render::natural_order(a, b));
        lines.concat()
    })
}

/// Asks on the terminal; with `secret`, without echoing what is typed.
pub fn prompt(label: &str, secret: bool) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "{} needs a terminal to ask; give it with a flag (--username, --password-stdin)",
            label.trim_end_matches([':', ' '])
        );
    }
    print!("{label}");
    std::io::stdout().flush()?;
    if !secret {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(line.trim().to_owned());
    }
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, read};
    let raw = RawMode::enable().context("cannot switch the terminal to read a password")?;
    let mut text = String::new();
    loop {
        if let Event::Key(KeyEvent {
            code, modifiers, ..
        }) = read()?
        {
            match code {
                KeyCode::Enter => break,
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => {
                    drop(raw);
                    println!();
                    bail!("cancelled");
                }
                KeyCode::Char(c) => text.push(c),
                _ => {}
            }
        }
    }
    drop(raw);
    println!();
    Ok(text)
}

/// `CONTAINER:PATH` → (container, path); a local path is anything else (absolute, `./…`, or
/// without a colon).
/// `NAME:PATH` (a container's, or in compose a service's), unless the argument is a path here.
pub fn container_path(arg: &str) -> Option<(&str, &str)> {
    if arg.starts_with('/') || arg.starts_with('.') {
        return None;
    }
    arg.split_once(':')
        .filter(|(c, p)| !c.is_empty() && !p.is_empty())
}

/// `berth cp`, in either direction.
pub async fn cp(
    berth: &Berth,
    conn: &Connection,
    source: &str,
    dest: &str,
    how: berth_api::CopyHow,
) -> Result<()> {
    match (container_path(source), container_path(dest)) {
        (Some((c, p)), None) if dest == "-" => {
            let mut out = ArchiveOut::open(None)?;
            berth
                .copy_archive_from_container(conn, c, p, out.out())
                .await?;
            out.finish()?;
            Ok(())
        }
        (None, Some((c, p))) if source == "-" => {
            let tar = archive_input(None, "a path instead of -")?;
            Ok(berth.copy_archive_into_container(conn, &tar, c, p).await?)
        }
        (Some((c, p)), None) => Ok(berth
            .copy_from_container(conn, c, p, std::path::Path::new(dest), how)
            .await?),
        (None, Some((c, p))) => Ok(berth
            .copy_into_container(conn, std::path::Path::new(source), c, p, how)
            .await?),
        (Some(_), Some(_)) => {
            bail!("copy between two containers is not supported: copy out, then in")
        }
        (None, None) => bail!("one side of cp is CONTAINER:PATH, e.g. `berth cp web:/etc/hosts .`"),
    }
}

/// Where a tar goes: `-o FILE` (whole or not at all, as [`PartFile`] says), else stdout unless
/// it is a terminal.
pub enum ArchiveOut {
    File(PartFile),
    Stdout(std::io::Stdout),
}

impl ArchiveOut {
    pub fn open(path: Option<&str>) -> Result<Self> {
        match path {
            Some(p) => Ok(Self::File(PartFile::beside(p.as_ref())?)),
            None if std::io::stdout().is_terminal() => {
                bail!(
                    "refusing to write a tar to the terminal: give -o FILE or redirect the output"
                )
            }
            None => Ok(Self::Stdout(std::io::stdout())),
        }
    }

    pub fn out(&mut self) -> &mut (dyn Write + Send) {
        match self {
            Self::File(f) => f.out(),
            Self::Stdout(s) => s,
        }
    }

    /// The tar is whole: the file takes its name.
    pub fn finish(self) -> Result<()> {
        match self {
            Self::File(f) => Ok(f.keep()?),
            Self::Stdout(mut s) => Ok(s.flush()?),
        }
    }
}

/// The archive in `path`, else on stdin; `flag` says how to name a file when stdin is a terminal.
/// Either is sent to the engine as it is read.
pub fn archive_input(path: Option<&str>, flag: &str) -> Result<berth_api::ArchiveInput> {
    match path {
        Some(p) => Ok(berth_api::ArchiveInput::File(p.into())),
        None if std::io::stdin().is_terminal() => {
            bail!("stdin is a terminal: give the archive with {flag}, or pipe it in")
        }
        None => Ok(berth_api::ArchiveInput::Stdin),
    }
}

/// `berth system prune`: everything it would remove is listed first, then removed. What the
/// engine refuses is kept: an image (one a container made meanwhile uses) silently, as docker
/// does; anything else is told, and the exit code says so.
pub async fn system_prune(
    berth: &Berth,
    conn: &Connection,
    args: &PruneArgs,
    volumes: bool,
) -> Result<i32> {
    let filter = prune_filter(&args.options)?;
    let items = berth
        .system_prune_plan(conn, args.all, volumes, &filter)
        .await?;
    let listed: Vec<String> = items.iter().map(berth_api::PruneItem::line).collect();
    if !confirm("system prune", "unused object", &listed, &args.options)? {
        return Ok(0);
    }
    let outcome = berth.system_prune(conn, &items).await?;
    let refused: Vec<_> = outcome
        .refused
        .iter()
        .filter(|r| r.item.kind != "image")
        .collect();
    for r in &refused {
        eprintln!("{}", r.line());
    }
    println!(
        "Total reclaimed space: {}",
        crate::render::human_size_u64(outcome.reclaimed)
    );
    Ok(i32::from(!refused.is_empty()))
}

/// `berth builder prune`: the build cache's records it would remove are listed first, then
/// removed one by one, each before the records it is made on; the ids gone are printed, as
/// docker prints them, and one the engine kept is told, and the exit code says so.
pub async fn builder_prune(
    berth: &Berth,
    conn: &Connection,
    all: bool,
    options: &PruneOptions,
) -> Result<i32> {
    let filter = prune_filter(options)?;
    let items = berth.build_cache_prune_plan(conn, all, &filter).await?;
    let listed: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
    if !confirm("builder prune", "build cache record", &listed, options)? {
        return Ok(0);
    }
    let outcome = berth.system_prune(conn, &items).await?;
    let kept: HashSet<&str> = outcome.refused.iter().map(|r| r.item.id.as_str()).collect();
    println!("Deleted build cache objects:");
    for item in items.iter().filter(|i| !kept.contains(i.id.as_str())) {
        println!("{}", item.id);
    }
    for r in &outcome.refused {
        eprintln!("{}", r.line());
    }
    println!(
        "\nTotal reclaimed space: {}",
        crate::render::human_size_u64(outcome.reclaimed)
    );
    Ok(i32::from(!outcome.refused.is_empty()))
}

type Output = std::pin::Pin<
    Box<dyn Stream<Item = Result<berth_api::LogChunk, berth_api::ClientError>> + Send>,
>;

/// How an attach or an exec session ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    /// Its output ended (the process stopped, or the engine ended the session).
    Output,
    /// The detach keys were typed: the container runs on.
    Detached,
}

/// The terminal side of an exec or an attach: output here (stdout and stderr apart), this
/// process's stdin there with `interactive`, a raw terminal when `raw`, and the remote TTY kept
/// at this terminal's size with `tty`. Returns when the output ends, or when `detach`'s keys
/// come on stdin (not sent on).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn interact<F, Fut>(
    mut output: Output,
    mut input: std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>>,
    interactive: bool,
    close_input_at_eof: bool,
    tty: bool,
    raw: bool,
    detach: Option<Vec<u8>>,
    resize: F,
) -> Result<Ended>
where
    F: Fn(u16, u16) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let raw = raw.then(RawMode::enable).flatten();
    let (detached_tx, detached_rx) = tokio::sync::oneshot::channel::<()>();
    let stdin_task = interactive.then(|| {
        tokio::spawn(async move {
            let mut stdin = tokio::io::stdin();
            let mut escape = detach.map(Escape::new);
            let mut buf = vec![0u8; 8192];
            loop {
                let n = match tokio::io::AsyncReadExt::read(&mut stdin, &mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let (pass, detached) = match &mut escape {
                    Some(escape) => escape.feed(&buf[..n]),
                    None => (buf[..n].to_vec(), false),
                };
                let sent = tokio::io::AsyncWriteExt::write_all(&mut input, &pass).await;
                if detached {
                    let _ = detached_tx.send(());
                    return;
                }
                if sent.is_err() || tokio::io::AsyncWriteExt::flush(&mut input).await.is_err() {
                    break;
                }
            }
            if close_input_at_eof {
                let _ = tokio::io::AsyncWriteExt::shutdown(&mut input).await;
            } else {
                // Keep the session (the engine would end it): wait for the output to end.
                std::future::pending::<()>().await;
            }
        })
    });
    let resizes = async {
        if !tty {
            return std::future::pending::<()>().await;
        }
        if let Ok((cols, rows)) = crossterm::terminal::size() {
            resize(rows, cols).await;
        }
        // Unix says when the terminal is resized (SIGWINCH); Windows' console has no signal
        // for it, so the size stays what it was at the start there.
        #[cfg(unix)]
        if let Ok(mut winch) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())
        {
            while winch.recv().await.is_some() {
                if let Ok((cols, rows)) = crossterm::terminal::size() {
                    resize(rows, cols).await;
                }
            }
        }
        std::future::pending().await
    };
    let copy_out = async {
        while let Some(chunk) = output.next().await {
            let chunk = chunk.map_err(ApiError::from)?;
            let written = if chunk.stream == berth_api::LogStream::Stderr {
                let mut err = std::io::stderr().lock();
                err.write_all(&chunk.bytes).and_then(|_| err.flush())
            } else {
                let mut out = std::io::stdout().lock();
                out.write_all(&chunk.bytes).and_then(|_| out.flush())
            };
            if written.is_err() {
                break;
            }
        }
        Ok::<(), anyhow::Error>(())
    };
    // The sender dropped without a word is stdin ending, not a detach.
    let detached = async {
        if detached_rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let result = tokio::select! {
        res = copy_out => res.map(|()| Ended::Output),
        _ = resizes => Ok(Ended::Output),
        () = detached => Ok(Ended::Detached),
    };
    if let Some(task) = stdin_task {
        task.abort();
    }
    drop(raw);
    result
}

/// Watches a session's input for its detach keys, as the docker CLI's escape proxy does: the
/// bytes that might begin them are held back until the next byte says whether they do.
pub(crate) struct Escape {
    keys: Vec<u8>,
    held: usize,
}

impl Escape {
    pub(crate) fn new(keys: Vec<u8>) -> Self {
        Self { keys, held: 0 }
    }

    /// The bytes to send on, and whether the keys were typed (the bytes after them dropped).
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> (Vec<u8>, bool) {
        let mut pass = Vec::with_capacity(bytes.len());
        for &b in bytes {
            if self.keys.get(self.held) == Some(&b) {
                self.held += 1;
                if self.held == self.keys.len() {
                    return (pass, true);
                }
                continue;
            }
            // Not the keys after all: what was held goes on, and this byte may begin them
            // again (it cannot end them: a one-key sequence matched above).
            pass.extend_from_slice(&self.keys[..self.held]);
            self.held = usize::from(self.keys.first() == Some(&b));
            if self.held == 0 {
                pass.push(b);
            }
        }
        (pass, false)
    }
}

/// The detach keys as bytes, from docker's form (`ctrl-p,ctrl-q`: comma-separated
/// `ctrl-<a-z, @, [, \\, ], ^, _>` or single characters).
pub(crate) fn detach_sequence(keys: &str) -> Result<Vec<u8>> {
    keys.split(',')
        .map(|key| {
            let lower = key.to_ascii_lowercase();
            match (lower.strip_prefix("ctrl-"), key.as_bytes()) {
                (_, [one]) => Ok(*one),
                (Some(k), _) if k.len() == 1 => match k.as_bytes()[0] {
                    b @ b'a'..=b'z' => Ok(b - b'a' + 1),
                    b'@' => Ok(0),
                    b @ (b'[' | b'\\' | b']' | b'^' | b'_') => Ok(b - b'[' + 27),
                    _ => Err(key),
                },
                _ => Err(key),
            }
        })
        .collect::<std::result::Result<Vec<u8>, &str>>()
        .map_err(|key| {
            anyhow::anyhow!(
                "--detach-keys {keys:?}: {key:?} is not a key: write ctrl-<a-z, @, [, \\, ], ^, _> \
                 or one character, comma-separated (ctrl-p,ctrl-q)"
            )
        })
}

/// The detach keys of a run or an attach, checked: `--detach-keys`, else the Docker config's,
/// else docker's `ctrl-p,ctrl-q`. The text for the engine, and the bytes.
pub fn detach_keys(berth: &Berth, flag: Option<&str>) -> Result<(String, Vec<u8>)> {
    let keys = match flag {
        Some(k) => k.to_owned(),
        None => berth
            .detach_keys()?
            .unwrap_or_else(|| "ctrl-p,ctrl-q".to_owned()),
    };
    let bytes = detach_sequence(&keys)?;
    Ok((keys, bytes))
}

/// What is said on stderr when the detach keys end an attach: the container runs on.
fn say_detached(container: &str) {
    eprintln!(
        "berth: detached from {container}, which runs on (berth attach {container} to come back)"
    );
}

/// Runs `work` (following a container's output) while the signals this process gets are passed
/// on to the container `id`, as the docker CLI's `--sig-proxy` does for a container without a
/// TTY (with one, Ctrl-C reaches it through the terminal); `relay` false runs `work` alone.
async fn relaying_signals<T>(
    berth: &Berth,
    conn: &Connection,
    id: &str,
    relay: bool,
    work: impl Future<Output = T>,
) -> T {
    if !relay {
        return work.await;
    }
    let relayed = async {
        let mut signals = std::pin::pin!(signals());
        while let Some(name) = signals.next().await {
            // One that has just exited takes no signal: nothing to say.
            let _ = berth.kill(conn, id, name).await;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        out = work => out,
        () = relayed => unreachable!("the relay never ends"),
    }
}

/// The signals this process gets that a container may be told of, by name (on Windows, Ctrl-C
/// and Ctrl-Break).
fn signals() -> impl Stream<Item = &'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            (SignalKind::hangup(), "SIGHUP"),
            (SignalKind::interrupt(), "SIGINT"),
            (SignalKind::quit(), "SIGQUIT"),
            (SignalKind::terminate(), "SIGTERM"),
            (SignalKind::user_defined1(), "SIGUSR1"),
            (SignalKind::user_defined2(), "SIGUSR2"),
        ];
        futures_util::stream::select_all(kinds.into_iter().filter_map(|(kind, name)| {
            let caught = signal(kind).ok()?;
            Some(Box::pin(futures_util::stream::unfold(
                caught,
                move |mut caught| async move { caught.recv().await.map(|()| (name, caught)) },
            )))
        }))
    }
    #[cfg(windows)]
    {
        // Ctrl-C and Ctrl-Break, each SIGINT to the container as the docker CLI passes them
        // on there (Go's os.Interrupt).
        use tokio::signal::windows::{ctrl_break, ctrl_c};
        let c = ctrl_c().ok().map(|caught| {
            futures_util::stream::unfold(caught, |mut caught| async move {
                caught.recv().await.map(|()| ("SIGINT", caught))
            })
            .boxed()
        });
        let b = ctrl_break().ok().map(|caught| {
            futures_util::stream::unfold(caught, |mut caught| async move {
                caught.recv().await.map(|()| ("SIGINT", caught))
            })
            .boxed()
        });
        futures_util::stream::select_all(c.into_iter().chain(b))
    }
}

/// `berth attach`, and `berth start -a`: the container's output here and, when it keeps stdin
/// open (and `input`: with `-i` started, without `--no-stdin` attached), this terminal's input
/// there; returns its exit code when it stops, or 0 when the detach keys end the attach.
/// `start`: started once attached.
pub async fn attach(
    berth: &Berth,
    conn: &Connection,
    container: &str,
    sig_proxy: bool,
    (keys, sequence): &(String, Vec<u8>),
    (start, input): (bool, bool),
) -> Result<i32> {
    let inspect = berth.inspect_container(conn, container).await?;
    let config = &inspect["Config"];
    let (tty, open_stdin) = (
        config["Tty"].as_bool() == Some(true),
        config["OpenStdin"].as_bool() == Some(true),
    );
    let stdin = open_stdin && input;
    let on_terminal = std::io::stdin().is_terminal();
    let session = berth
        .attach(conn, container, Streams::output(stdin), Some(keys))
        .await?;
    if start && inspect["State"]["Running"].as_bool() != Some(true) {
        berth.start(conn, container).await?;
    }
    let resize = |rows, cols| async move {
        let _ = berth.resize(conn, container, rows, cols).await;
    };
    let followed = interact(
        session.output,
        session.input,
        stdin,
        // Started with -i, its stdin ends with this one's, as a run's does; attached, the
        // session stays (the engine would end it).
        start,
        tty,
        tty && stdin && on_terminal,
        stdin.then(|| sequence.clone()),
        resize,
    );
    if relaying_signals(berth, conn, container, sig_proxy && !tty, followed).await?
        == Ended::Detached
    {
        say_detached(container);
        return Ok(0);
    }
    Ok(berth.wait(conn, container).await? as i32)
}

#[cfg(test)]
mod tests {
    use super::{Escape, detach_sequence};

    #[test]
    fn detach_keys_read_as_docker_writes_them() {
        assert_eq!(detach_sequence("ctrl-p,ctrl-q").unwrap(), [0x10, 0x11]);
        assert_eq!(
            detach_sequence("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,x,CTRL-A").unwrap(),
            [0, 27, 28, 29, 30, 31, b'x', 1]
        );
        for bad in ["ctrl-1", "ctrl-", "ab", "ctrl-p,,ctrl-q"] {
            let err = detach_sequence(bad).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("--detach-keys {bad:?}: ")) && !err.contains('\n'),
                "{err}"
            );
        }
    }

    #[test]
    fn the_detach_keys_end_the_input_and_anything_else_goes_on() {
        let mut e = Escape::new(vec![0x10, 0x11]);
        assert_eq!(e.feed(b"ls\r"), (b"ls\r".to_vec(), false));
        // ctrl-p alone is held until the next byte says it is not the keys…
        assert_eq!(e.feed(&[0x10]), (vec![], false));
        assert_eq!(e.feed(b"x"), (vec![0x10, b'x'], false));
        // …and ctrl-p twice is one ctrl-p sent on and one held.
        assert_eq!(e.feed(&[0x10, 0x10]), (vec![0x10], false));
        assert_eq!(e.feed(&[0x11, b'z']), (vec![], true));
        let mut one = Escape::new(vec![b'~']);
        assert_eq!(one.feed(b"ab~cd"), (b"ab".to_vec(), true));
    }
}
