//! Image builds: the context packed as a tar the way the docker CLI packs it (honouring
//! `.dockerignore`, always sending the Dockerfile), and the engine's output as typed events.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bollard::models::{BuildInfo, BuildInfoAux, ImageId};
use bollard::query_parameters::{BuildImageOptionsBuilder, ImageBuildOutput};
use futures_util::{Stream, StreamExt};
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::Credentials;
use crate::archive::{Packing, Upload};
use crate::progress::Progress;
use crate::session::Session;
use crate::{Client, Error};

/// What to build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildSpec {
    /// The build context directory.
    pub context: PathBuf,
    /// A context the engine fetches itself instead (see [`remote_context`]): `context` is then
    /// not read, and `dockerfile`, when given, is a path inside the fetched context.
    pub remote: Option<String>,
    /// A context already packed instead (see [`is_context_archive`]), sent as it is read:
    /// `context` is then not read, and `dockerfile`, when given, is a path inside it.
    pub archive: Option<PathBuf>,
    /// The Dockerfile; relative paths are taken from the context. Default `Dockerfile`.
    pub dockerfile: Option<PathBuf>,
    pub tags: Vec<String>,
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub no_cache: bool,
    /// Always try to pull newer base images.
    pub pull: bool,
    /// The network the `RUN` steps use (`host`, `none`, a network's name).
    pub network: Option<String>,
    /// `/etc/hosts` lines for the `RUN` steps, as the engine takes them: `host:ip`.
    pub extra_hosts: Vec<String>,
    /// Images whose layers may serve as cache.
    pub cache_from: Vec<String>,
    /// Remove the steps' containers even when a step fails.
    pub force_rm: bool,
    /// Keep the steps' containers after a build that succeeds (`--rm=false`).
    pub keep_step_containers: bool,
    /// Limits for the steps' containers (the classic builder).
    pub limits: BuildLimits,
    /// The platform to build for (`linux/arm64`); the engine's own when none.
    pub platform: Option<String>,
    /// Build with the engine's BuildKit (as `DOCKER_BUILDKIT=1 docker build`) rather than its
    /// classic builder: its output is then BuildKit's plain progress (`#5 [2/3] RUN make`),
    /// with no [`BuildEvent::Step`].
    pub buildkit: bool,
    /// Where BuildKit writes the result instead of making an image (`docker build -o`).
    pub output: Option<BuildOutput>,
    /// The stored registry logins, for base images the build pulls from a registry that wants
    /// one (as the docker CLI hands a build all of them).
    pub credentials: Vec<Credentials>,
    /// Secrets the build's `RUN --mount=type=secret` steps may read (`docker build --secret`);
    /// BuildKit only. Read when a step asks, never part of the image.
    pub secrets: Vec<BuildSecret>,
    /// SSH agents the build's `RUN --mount=type=ssh` steps may use (`docker build --ssh`);
    /// BuildKit only.
    pub ssh: Vec<SshAgent>,
}

/// Limits for the containers a classic build runs its steps in, as `docker build` takes them:
/// `-m`, `--memory-swap`, `--shm-size`, `--cpu-shares`, `--cpuset-cpus`, `--cpu-period`,
/// `--cpu-quota`, `--ulimit`. Sent as the engine's own query parameters (bollard's are 32-bit,
/// too small for a memory limit of 2 GiB or more, and it has none for ulimits).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildLimits {
    /// Bytes.
    pub memory: Option<i64>,
    /// Memory plus swap, in bytes; -1 for no limit.
    pub memory_swap: Option<i64>,
    /// The size of `/dev/shm`, in bytes.
    pub shm_size: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub cpuset_cpus: Option<String>,
    /// Microseconds.
    pub cpu_period: Option<i64>,
    /// Microseconds a period.
    pub cpu_quota: Option<i64>,
    /// `(name, soft, hard)`.
    pub ulimits: Vec<(String, i64, i64)>,
}

impl BuildLimits {
    /// Whether any limit is set.
    pub fn any(&self) -> bool {
        self != &Self::default()
    }

    /// The engine's query parameters for them.
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let numbers = [
            ("memory", self.memory),
            ("memswap", self.memory_swap),
            ("shmsize", self.shm_size),
            ("cpushares", self.cpu_shares),
            ("cpuperiod", self.cpu_period),
            ("cpuquota", self.cpu_quota),
        ];
        for (key, value) in numbers {
            if let Some(v) = value {
                out.push((key, v.to_string()));
            }
        }
        if let Some(cpus) = &self.cpuset_cpus {
            out.push(("cpusetcpus", cpus.clone()));
        }
        if !self.ulimits.is_empty() {
            let list: Vec<serde_json::Value> = self
                .ulimits
                .iter()
                .map(|(name, soft, hard)| {
                    serde_json::json!({"Name": name, "Soft": soft, "Hard": hard})
                })
                .collect();
            out.push(("ulimits", serde_json::Value::from(list).to_string()));
        }
        out
    }
}

/// An SSH agent handed to a BuildKit build, as `docker build --ssh` takes it: `default` (the
/// agent of `SSH_AUTH_SOCK`) or `ID=SOCKET`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshAgent {
    /// The name a step mounts it by (`RUN --mount=type=ssh,id=ID`; `default` when none).
    pub id: String,
    /// The agent's socket.
    pub socket: PathBuf,
}

impl SshAgent {
    /// Reads `--ssh`'s value: `ID` (`SSH_AUTH_SOCK`'s agent; on Windows, when it is not set,
    /// OpenSSH's agent pipe) or `ID=SOCKET`, the socket (a named pipe on Windows) an
    /// agent's that is there. Key files, which docker loads into an agent of its own, are
    /// refused: load them into an agent (`ssh-add`).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::invalid(format!("--ssh {text}"), reason);
        let (id, socket) = match text.split_once('=') {
            Some((id, path)) if !path.is_empty() => (id, PathBuf::from(path)),
            Some(_) => {
                return Err(bad(
                    "write ID=SOCKET, or ID alone for SSH_AUTH_SOCK's agent",
                ));
            }
            None => match std::env::var_os("SSH_AUTH_SOCK")
                .filter(|sock| !sock.is_empty())
                .map(PathBuf::from)
                .or_else(system_agent)
            {
                Some(sock) => (text, sock),
                None => {
                    return Err(bad(
                        "SSH_AUTH_SOCK is not set: start an agent (eval $(ssh-agent); ssh-add), or give its socket (default=PATH)",
                    ));
                }
            },
        };
        if id.is_empty() || id.contains(',') {
            return Err(bad(
                "name the agent: default, or an ID a RUN --mount=type=ssh,id=ID step uses",
            ));
        }
        Self::check(&socket).map_err(|reason| bad(&reason))?;
        Ok(SshAgent {
            id: id.to_owned(),
            socket,
        })
    }

    /// Whether `socket` is an agent's socket (a key file is refused by name).
    #[cfg(unix)]
    fn check(socket: &Path) -> Result<(), String> {
        use std::os::unix::fs::FileTypeExt;
        match std::fs::metadata(socket) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(format!("{}: no such socket", socket.display()))
            }
            Err(e) => Err(format!("{}: {e}", socket.display())),
            Ok(m) if m.file_type().is_socket() => Ok(()),
            Ok(_) => Err(format!(
                "{} is not an agent's socket: load a key into an agent (ssh-add KEY) and give the agent",
                socket.display()
            )),
        }
    }

    /// Whether `socket` names a named pipe, as an agent's is on Windows (a key file is refused by
    /// name); whether an agent answers there is seen when a step connects.
    #[cfg(not(unix))]
    fn check(socket: &Path) -> Result<(), String> {
        if socket.to_string_lossy().starts_with(r"\\.\pipe\") {
            Ok(())
        } else {
            Err(format!(
                "{} is not an agent's pipe (\\\\.\\pipe\\NAME): load a key into an agent (ssh-add KEY) and give the agent",
                socket.display()
            ))
        }
    }
}

/// The agent `default` names when `SSH_AUTH_SOCK` is not set: on Windows OpenSSH's, on its named
/// pipe, as docker takes it; none elsewhere.
fn system_agent() -> Option<PathBuf> {
    cfg!(windows).then(|| PathBuf::from(r"\\.\pipe\openssh-ssh-agent"))
}

/// The most a secret may hold, as the docker CLI allows.
pub(crate) const MAX_SECRET: u64 = 500 * 1024;

/// A secret handed to a BuildKit build, as `docker build --secret` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSecret {
    /// The name a step mounts it by (`RUN --mount=type=secret,id=ID`).
    pub id: String,
    pub source: SecretSource,
}

/// Where a secret is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    File(PathBuf),
    /// An environment variable of the process that builds.
    Env(String),
    /// Given as it is (compose's `environment:` from a `.env` file, its `content:`).
    Text(Hidden),
}

/// A secret's text, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(pub String);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

impl BuildSecret {
    /// Reads `--secret`'s value as docker does: `id=ID[,src=FILE|,env=VAR][,type=file|env]`
    /// (`source=` for `src=`); with neither, the variable named ID when it is set, else the
    /// file named ID. The source is checked: a file that is there, a variable that is set.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::invalid(format!("--secret {text}"), reason);
        let (mut id, mut kind, mut src, mut env) = (None, None, None, None);
        for field in text.split(',') {
            match field.split_once('=') {
                Some(("id", v)) if !v.is_empty() => id = Some(v),
                Some(("type", v @ ("file" | "env"))) => kind = Some(v),
                Some(("src" | "source", v)) if !v.is_empty() => src = Some(v),
                Some(("env", v)) if !v.is_empty() => env = Some(v),
                _ => {
                    return Err(bad(&format!(
                        "{field:?} is not one of id=NAME, src=FILE, env=VAR, type=file|env"
                    )));
                }
            }
        }
        let Some(id) = id else {
            return Err(bad("give id=NAME, e.g. id=token,src=token.txt"));
        };
        let source = match (kind, src, env) {
            (_, Some(_), Some(_)) => return Err(bad("give src=FILE or env=VAR, not both")),
            (Some("env"), Some(_), None) => return Err(bad("type=env reads env=VAR, not src=")),
            (Some("file"), None, Some(_)) => return Err(bad("type=file reads src=FILE, not env=")),
            (_, Some(file), None) => SecretSource::File(PathBuf::from(file)),
            (_, None, Some(var)) => SecretSource::Env(var.to_owned()),
            (Some("env"), None, None) => SecretSource::Env(id.to_owned()),
            (Some("file"), None, None) => SecretSource::File(PathBuf::from(id)),
            (_, None, None) if std::env::var_os(id).is_some() => SecretSource::Env(id.to_owned()),
            (_, None, None) => SecretSource::File(PathBuf::from(id)),
        };
        let secret = BuildSecret {
            id: id.to_owned(),
            source,
        };
        secret.check().map_err(|reason| bad(&reason))?;
        Ok(secret)
    }

    /// Whether the source can be read now: a file of at most 500 KB, or a variable set.
    pub fn check(&self) -> Result<(), String> {
        match &self.source {
            SecretSource::Env(var) if std::env::var_os(var).is_none() => {
                Err(format!("the environment variable {var} is not set"))
            }
            SecretSource::Env(_) => Ok(()),
            SecretSource::Text(text) if text.0.len() as u64 > MAX_SECRET => Err(format!(
                "it holds {} bytes; a secret holds at most 500 KB",
                text.0.len()
            )),
            SecretSource::Text(_) => Ok(()),
            SecretSource::File(path) => match std::fs::metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(format!("{}: no such file", path.display()))
                }
                Err(e) => Err(format!("{}: {e}", path.display())),
                Ok(m) if !m.is_file() => Err(format!("{} is not a file", path.display())),
                Ok(m) if m.len() > MAX_SECRET => Err(format!(
                    "{} holds {} bytes; a secret holds at most 500 KB",
                    path.display(),
                    m.len()
                )),
                Ok(_) => Ok(()),
            },
        }
    }
}

/// Where a BuildKit build writes its result, as `docker build -o` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildOutput {
    /// The result's files, into this directory (`type=local,dest=DIR`, or just `DIR`).
    Local(PathBuf),
    /// The result's files as one tar file (`type=tar,dest=FILE`).
    Tar(PathBuf),
}

impl BuildOutput {
    /// Reads `-o`'s value: `type=local,dest=DIR`, `type=tar,dest=FILE`, or a directory.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::invalid(format!("--output {text}"), reason);
        if !text.contains('=') {
            if text.is_empty() {
                return Err(bad("name a directory, or type=local,dest=DIR"));
            }
            return Ok(BuildOutput::Local(PathBuf::from(text)));
        }
        let (mut kind, mut dest) = (None, None);
        for field in text.split(',') {
            match field.split_once('=') {
                Some(("type", v)) => kind = Some(v),
                Some(("dest", v)) if !v.is_empty() => dest = Some(PathBuf::from(v)),
                _ => {
                    return Err(bad(&format!(
                        "{field:?} is not one of type=local|tar and dest=PATH"
                    )));
                }
            }
        }
        let Some(dest) = dest else {
            return Err(bad("give dest=PATH, e.g. type=local,dest=out"));
        };
        match kind.unwrap_or("local") {
            "local" => Ok(BuildOutput::Local(dest)),
            "tar" => Ok(BuildOutput::Tar(dest)),
            other => Err(bad(&format!(
                "type={other}: Berth exports a build's files (type=local or type=tar); to make an image, leave --output out"
            ))),
        }
    }
}

/// One event of a build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildEvent {
    /// A new step began, e.g. `Step 2/5 : COPY www /www`.
    Step {
        number: u32,
        total: u32,
        instruction: String,
    },
    /// A line the build printed.
    Output(String),
    /// Progress of a base image pull.
    Pull(Progress),
    /// The image was built.
    Built { id: String },
}

/// What goes into a build context: checked and selected before anything is packed, so a bad
/// context is an error before the engine is asked.
pub struct Context {
    /// (file on disk, name in the tar), in tar order.
    entries: Vec<(PathBuf, PathBuf)>,
    /// The Dockerfile's name inside the tar.
    pub dockerfile: String,
    root: PathBuf,
}

/// The name a build looks a login up by: the classic builder as the Docker config names the
/// registry (`https://index.docker.io/v1/`, `localhost:5000`), BuildKit by its host, Docker
/// Hub's being `registry-1.docker.io`.
fn login_key(server: &str, buildkit: bool) -> String {
    if !buildkit {
        return server.to_owned();
    }
    let host = server
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = host.split('/').next().unwrap_or(host);
    match host {
        "index.docker.io" | "docker.io" => "registry-1.docker.io".to_owned(),
        host => host.to_owned(),
    }
}

/// A name for a BuildKit build's session with the engine (the engine asks it for registry
/// logins): unique to this process and moment.
fn session_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "berth{}x{nanos:x}x{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

/// `docker build`'s reading of a context that is no folder here: a Git repository (`git://…`,
/// `git@…`, `github.com/…`, or an `http(s)` URL ending in `.git`, each with an optional
/// `#REF:DIR`) or another `http(s)` URL (a tar archive, plain or compressed, or a Dockerfile
/// alone), which the engine fetches itself, as it does for `docker build URL` (a Git one with
/// the host's `git`). `None` for anything else, a folder here first of all.
pub fn remote_context(context: &str) -> Option<String> {
    if Path::new(context).is_dir() {
        return None;
    }
    // `github.com/…` as written: the engine reads it as a Git repository there, as docker does.
    ["git://", "git@", "github.com/", "http://", "https://"]
        .iter()
        .any(|scheme| context.starts_with(scheme))
        .then(|| context.to_owned())
}

/// Selects the context: the directory's files minus what `.dockerignore` excludes (the
/// Dockerfile and `.dockerignore` always go), and a Dockerfile from outside under a name of its
/// own.
pub fn context(spec: &BuildSpec) -> Result<Context, Error> {
    let ctx = &spec.context;
    if !ctx.is_dir() {
        return Err(Error::invalid(
            ctx.display(),
            "the build context is not a directory",
        ));
    }
    let dockerfile = match &spec.dockerfile {
        Some(f) if f.is_absolute() => f.clone(),
        Some(f) => ctx.join(f),
        None => ctx.join("Dockerfile"),
    };
    if !dockerfile.is_file() {
        return Err(Error::invalid(
            dockerfile.display(),
            "no Dockerfile there: write one, or name it with -f",
        ));
    }
    let ignore = dockerignore(ctx)?;
    let fail = |e: std::io::Error| {
        Error::invalid(
            ctx.display(),
            &format!("cannot pack the build context: {e}"),
        )
    };
    let dockerfile_abs = dockerfile.canonicalize().map_err(fail)?;
    let ctx_abs = ctx.canonicalize().map_err(fail)?;
    let mut entries = Vec::new();
    for entry in walk(&ctx_abs).map_err(fail)? {
        let rel = entry
            .strip_prefix(&ctx_abs)
            .expect("walked under the context")
            .to_owned();
        if is_socket(&entry) {
            // A socket cannot be archived; docker leaves them out too.
            tracing::warn!(path = %entry.display(), "a socket in the build context is left out");
            continue;
        }
        let always = entry == dockerfile_abs || rel == Path::new(".dockerignore");
        let is_dir = entry.is_dir() && !entry.is_symlink();
        if !always && ignore.matched_path_or_any_parents(&rel, is_dir).is_ignore() {
            continue;
        }
        entries.push((entry, rel));
    }
    let name = match dockerfile_abs.strip_prefix(&ctx_abs) {
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => {
            let name = ".berth-dockerfile".to_owned();
            entries.push((dockerfile_abs.clone(), PathBuf::from(&name)));
            name
        }
    };
    Ok(Context {
        entries,
        dockerfile: name,
        root: ctx.clone(),
    })
}

impl Context {
    /// Writes the context as a tar into `out`; a file that cannot be read is named in the error
    /// (whose kind is kept: a broken pipe is the request ending first).
    pub fn write(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut tar = tar::Builder::new(out);
        tar.follow_symlinks(false);
        for (path, name) in &self.entries {
            tar.append_path_with_name(path, name)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        }
        tar.into_inner()?.flush()
    }
}

/// The Dockerfile of a context not packed here (fetched, or an archive): a path inside it
/// (`None`: the engine's default, `Dockerfile`); an absolute one names a file here, refused.
fn dockerfile_inside(spec: &BuildSpec, inside: &str) -> Result<Option<String>, Error> {
    match &spec.dockerfile {
        Some(f) if f.is_absolute() => Err(Error::invalid(
            f.display(),
            &format!(
                "this build reads its Dockerfile from {inside}: give its path there \
                 (-f docker/Dockerfile)"
            ),
        )),
        Some(f) => Ok(Some(f.to_string_lossy().replace('\\', "/"))),
        None => Ok(None),
    }
}

/// Whether the file at `path` is an archive a build takes as its context, as
/// `docker build - < FILE` does: a tar, or one compressed with gzip, bzip2, xz or zstd (which
/// the engine unpacks), told by its first bytes.
pub fn is_context_archive(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(512);
    let read = std::fs::File::open(path).and_then(|f| f.take(512).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    const COMPRESSED: [&[u8]; 4] = [
        &[0x1f, 0x8b],
        b"BZh",
        &[0xfd, b'7', b'z', b'X', b'Z', 0x00],
        &[0x28, 0xb5, 0x2f, 0xfd],
    ];
    COMPRESSED.iter().any(|magic| head.starts_with(magic))
        || head.get(257..262) == Some(b"ustar".as_slice())
}

/// The one-line error for the context at `root` that failed to pack with `failure`.
fn unpackable(root: &str, failure: &str) -> Error {
    Error::invalid(
        root,
        &format!(
            "cannot pack the build context: {failure}; make it readable, \
             or leave it out with .dockerignore"
        ),
    )
}

/// The context as a tar in memory, and the Dockerfile's name inside it.
pub fn context_tar(spec: &BuildSpec) -> Result<(Vec<u8>, String), Error> {
    let ctx = context(spec)?;
    let mut tar = Vec::new();
    ctx.write(&mut tar)
        .map_err(|e| unpackable(&ctx.root.display().to_string(), &e.to_string()))?;
    Ok((tar, ctx.dockerfile))
}

/// The context packed on a blocking thread while it is sent (a packing error fails the request,
/// and the [`Packing`](crate::archive::Packing) then says why).
fn context_stream(ctx: Context) -> (Upload, crate::archive::Packing) {
    crate::archive::packed(move |out| ctx.write(out))
}

/// Whether `path` is a unix socket (an agent's, a database's), which a tar cannot hold.
fn is_socket(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Every file and directory under `root` (not `root` itself), directories before their contents.
fn walk(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for path in entries.into_iter().rev() {
            if path.is_dir() && !path.is_symlink() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// `.dockerignore` as a matcher. Its patterns are anchored at the context root (unlike
/// `.gitignore`'s), so each is given to the gitignore matcher with a leading `/`.
fn dockerignore(ctx: &Path) -> Result<Gitignore, Error> {
    let mut builder = GitignoreBuilder::new(ctx);
    let path = ctx.join(".dockerignore");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Error::invalid(
                path.display(),
                &format!("cannot read it: {e}"),
            ));
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (negate, pattern) = match line.strip_prefix('!') {
            Some(p) => (true, p.trim()),
            None => (false, line),
        };
        let pattern = pattern
            .trim_start_matches("./")
            .trim_start_matches('/')
            .trim_end_matches('/');
        if pattern.is_empty() {
            continue;
        }
        let anchored = format!("{}/{pattern}", if negate { "!" } else { "" });
        builder
            .add_line(None, &anchored)
            .map_err(|e| Error::invalid(path.display(), &format!("bad pattern {line:?}: {e}")))?;
    }
    builder
        .build()
        .map_err(|e| Error::invalid(path.display(), &e.to_string()))
}

/// How a build's answer failed: the build itself (its message), or the request.
enum Failure {
    Build(String),
    Other(Error),
}

impl Client {
    /// Sends a build (`query`, its options) with `context` as its body and reads its answer:
    /// for the classic builder, with the logins in `X-Registry-Config`; for BuildKit, with its
    /// session (`(id, session)`: logins, secrets, agents, exported files) served while the
    /// answer is read. Dropping the stream ends the build.
    fn send_build(
        &self,
        query: String,
        registry_config: Option<String>,
        session: Option<(String, Session)>,
        context: Upload,
    ) -> impl Stream<Item = Result<BuildInfo, Failure>> + Send + '_ {
        let endpoint = self.endpoint().host.clone();
        let answer = async move {
            let served = match session {
                Some((id, session)) => Some(self.serve_session(&id, session).await?),
                None => None,
            };
            let body = http_body_util::StreamBody::new(
                context.map(|chunk| chunk.map(hyper::body::Frame::data)),
            );
            let mut req = hyper::Request::post(format!("/v{}/build?{query}", self.api_version()))
                .header("Host", "docker")
                .header("Content-Type", "application/x-tar");
            if let Some(config) = registry_config {
                req = req.header("X-Registry-Config", config);
            }
            let req = req
                .body(body)
                .map_err(|e| Error::invalid("the build's request", &e.to_string()))?;
            let answer = self.send(req).await?;
            let status = answer.status();
            let body = crate::raw::body_stream(answer.into_body());
            if status != hyper::StatusCode::OK {
                let message = crate::raw::message(body).await;
                return Err(Error::from_bollard(
                    &endpoint,
                    bollard::errors::Error::DockerResponseServerError {
                        status_code: status.as_u16(),
                        message,
                    },
                ));
            }
            Ok(crate::raw::lines(body).filter_map(move |line| {
                // The session lives as long as the answer is read.
                let _served = &served;
                let endpoint = endpoint.clone();
                async move {
                    let line = match line {
                        Ok(line) if line.iter().all(u8::is_ascii_whitespace) => return None,
                        Ok(line) => line,
                        Err(e) => {
                            return Some(Err(Failure::Other(Error::Unreachable {
                                endpoint,
                                detail: e.to_string(),
                            })));
                        }
                    };
                    Some(serde_json::from_slice::<BuildInfo>(&line).map_err(|e| {
                        Failure::Build(format!("an unreadable line from the engine: {e}"))
                    }))
                }
            }))
        };
        futures_util::stream::once(answer).flat_map(|answer| match answer {
            Ok(lines) => lines.boxed(),
            Err(e) => futures_util::stream::iter([Err(Failure::Other(e))]).boxed(),
        })
    }

    /// Builds an image; the stream ends with [`BuildEvent::Built`] or an error naming the step
    /// that failed. Dropping the stream cancels the build.
    pub fn build<'a>(
        &'a self,
        spec: &BuildSpec,
    ) -> Result<impl Stream<Item = Result<BuildEvent, Error>> + use<'a>, Error> {
        let mut opts = BuildImageOptionsBuilder::default()
            .rm(!spec.keep_step_containers)
            .nocache(spec.no_cache);
        // What is sent: the folder's files, packed as they go; an archive, as it is read; or
        // nothing, for a context the engine fetches.
        let (context, packing, root) = match (&spec.remote, &spec.archive) {
            (Some(url), _) => {
                if let Some(f) = dockerfile_inside(spec, "what the engine fetches")? {
                    opts = opts.dockerfile(&f);
                }
                opts = opts.remote(url);
                let nothing = crate::archive::upload_bytes(bytes::Bytes::new());
                (nothing, None, url.clone())
            }
            (None, Some(archive)) => {
                if let Some(f) = dockerfile_inside(spec, "the archive")? {
                    opts = opts.dockerfile(&f);
                }
                let file = std::fs::File::open(archive).map_err(|e| {
                    Error::invalid(archive.display(), &format!("cannot read it: {e}"))
                })?;
                let upload: Upload = Box::pin(tokio_util::io::ReaderStream::with_capacity(
                    tokio::fs::File::from_std(file),
                    crate::archive::CHUNK,
                ));
                (upload, None, archive.display().to_string())
            }
            (None, None) => {
                let ctx = context(spec)?;
                opts = opts.dockerfile(&ctx.dockerfile);
                let root = ctx.root.display().to_string();
                let (upload, packing) = context_stream(ctx);
                (upload, Some(packing), root)
            }
        };
        if let Some(tag) = spec.tags.first() {
            opts = opts.t(tag);
        }
        if spec.pull {
            opts = opts.pull("1");
        }
        if let Some(target) = &spec.target {
            opts = opts.target(target);
        }
        if let Some(network) = &spec.network {
            opts = opts.networkmode(network);
        }
        if !spec.extra_hosts.is_empty() {
            opts = opts.extrahosts(&spec.extra_hosts.join(","));
        }
        if !spec.cache_from.is_empty() {
            opts = opts.cachefrom(&spec.cache_from);
        }
        if spec.force_rm {
            opts = opts.forcerm(true);
        }
        if let Some(platform) = &spec.platform {
            opts = opts.platform(platform);
        }
        if !spec.buildkit && !spec.secrets.is_empty() {
            return Err(Error::invalid(
                "the build's secrets",
                "the classic builder takes no secrets: build with BuildKit",
            ));
        }
        if !spec.buildkit && !spec.ssh.is_empty() {
            return Err(Error::invalid(
                "the build's SSH agents",
                "the classic builder forwards no SSH agent: build with BuildKit",
            ));
        }
        for secret in &spec.secrets {
            secret
                .check()
                .map_err(|reason| Error::invalid(format!("the secret {}", secret.id), &reason))?;
        }
        match (&spec.output, spec.buildkit) {
            (None, _) => {}
            (Some(_), false) => {
                return Err(Error::invalid(
                    "--output",
                    "the classic builder makes images only: build with BuildKit to export files",
                ));
            }
            // BuildKit sends either as one tar; the session unpacks it for a folder.
            (Some(_), true) => opts = opts.outputs(ImageBuildOutput::Tar(String::new())),
        }
        let args: std::collections::HashMap<String, String> =
            spec.build_args.clone().into_iter().collect();
        let labels: std::collections::HashMap<String, String> =
            spec.labels.clone().into_iter().collect();
        let opts = opts.buildargs(&args).labels(&labels);
        let (opts, session, registry_config) = if spec.buildkit {
            let id = session_id();
            let session = Session {
                logins: spec
                    .credentials
                    .iter()
                    .map(|c| {
                        let key = login_key(&c.server, true);
                        (key, (c.username.clone(), c.password.clone()))
                    })
                    .collect(),
                secrets: spec.secrets.clone(),
                ssh: spec.ssh.clone(),
                output: spec.output.clone(),
            };
            let opts = opts
                .version(bollard::query_parameters::BuilderVersion::BuilderBuildKit)
                .session(&id);
            (opts, Some((id, session)), None)
        } else {
            // The logins as the docker CLI hands them to the classic builder.
            let logins: std::collections::HashMap<_, _> = spec
                .credentials
                .iter()
                .map(|c| (login_key(&c.server, false), c.to_bollard()))
                .collect();
            let config = if logins.is_empty() {
                None
            } else {
                use base64::Engine;
                let json = serde_json::to_string(&logins)
                    .map_err(|e| Error::invalid("the stored logins", &e.to_string()))?;
                Some(base64::engine::general_purpose::URL_SAFE.encode(json))
            };
            (opts, None, config)
        };
        let mut query = serde_urlencoded::to_string(opts.build())
            .map_err(|e| Error::invalid("the build's options", &e.to_string()))?;
        let limits = spec.limits.query();
        if !limits.is_empty() {
            query.push('&');
            query.push_str(
                &serde_urlencoded::to_string(&limits)
                    .map_err(|e| Error::invalid("the build's limits", &e.to_string()))?,
            );
        }
        let stream = self.send_build(query, registry_config, session, context);
        let extra_tags: Vec<String> = spec.tags.iter().skip(1).cloned().collect();
        let mut step: Option<String> = None;
        let mut trace = crate::buildkit::Trace::default();
        let mut built: Option<String> = None;
        let events = stream.flat_map(move |item| {
            let out: Vec<Result<BuildEvent, Error>> = match item {
                Ok(info) => {
                    let mut events = Vec::new();
                    match info.aux {
                        Some(BuildInfoAux::BuildKit(status)) => {
                            events.extend(
                                trace
                                    .lines(&status)
                                    .into_iter()
                                    .map(|line| Ok(BuildEvent::Output(line))),
                            );
                            if trace.failed.is_some() {
                                step.clone_from(&trace.failed);
                            }
                        }
                        Some(BuildInfoAux::Default(ImageId { id: Some(id) })) => {
                            built = Some(id);
                        }
                        Some(BuildInfoAux::Default(ImageId { id: None })) | None => {}
                    }
                    if let Some(text) = info.stream {
                        for line in text.lines().filter(|l| !l.trim().is_empty()) {
                            if let Some(ev) = parse_step(line) {
                                step = Some(line.trim().to_owned());
                                events.push(Ok(ev));
                            } else {
                                events.push(Ok(BuildEvent::Output(line.to_owned())));
                            }
                        }
                    }
                    if let Some(status) = info.status {
                        events.push(Ok(BuildEvent::Pull(Progress::new(
                            info.id,
                            status,
                            info.progress_detail,
                        ))));
                    }
                    if let Some(detail) = info.error_detail {
                        let message = detail.message.unwrap_or_default();
                        events.push(Err(Error::BuildFailed {
                            step: step.clone(),
                            message,
                        }));
                    }
                    if let Some(id) = built.take() {
                        events.push(Ok(BuildEvent::Built { id }));
                    }
                    events
                }
                Err(Failure::Build(message)) => {
                    vec![Err(Error::BuildFailed {
                        step: step.clone(),
                        message,
                    })]
                }
                Err(Failure::Other(e)) => vec![Err(e)],
            };
            futures_util::stream::iter(out)
        });
        // A context that failed to pack fails the request (the engine unreachable, or BuildKit's
        // "error from user's Body stream"): the packing's own error says why.
        let events = events.map(move |ev| {
            ev.map_err(|e| match packing.as_ref().and_then(Packing::failed) {
                Some(failure) => unpackable(&root, &failure),
                None => e,
            })
        });
        // Tags past the first are added once the image exists.
        let tagged = events.then(move |ev| {
            let extra = extra_tags.clone();
            async move {
                if let Ok(BuildEvent::Built { id }) = &ev {
                    for tag in &extra {
                        self.tag(id, tag).await?;
                    }
                }
                ev
            }
        });
        Ok(tagged)
    }

    /// Removes one record of the build cache (an id from [`Client::build_cache`]), with its
    /// dependants gone first: the engine keeps a record another is made on. Returns the bytes
    /// freed, or `None` when the engine kept it (in use, or made on by another since).
    pub async fn remove_build_cache_record(&self, id: &str) -> Result<Option<u64>, Error> {
        // The engine matches `id` as a pattern over the ids (`id~=`): a whole id is one record.
        let filters = std::collections::HashMap::from([("id".to_owned(), vec![id.to_owned()])]);
        let opts = bollard::query_parameters::PruneBuildOptions {
            all: Some(true),
            filters: Some(filters),
            ..Default::default()
        };
        let resp = self
            .call("a build cache removal", self.docker.prune_build(Some(opts)))
            .await?;
        let gone = resp
            .caches_deleted
            .unwrap_or_default()
            .iter()
            .any(|d| d == id);
        Ok(gone.then(|| u64::try_from(resp.space_reclaimed.unwrap_or(0)).unwrap_or(0)))
    }
}

/// The names of a Dockerfile's stages (`FROM IMAGE AS NAME`), in order and lower-cased as the
/// builder takes them (it compares them ignoring case): what `--target` may name. Follows line
/// continuations (`\\`, or the character an `escape` parser directive names) and skips comments.
pub fn stages(dockerfile: &str) -> Vec<String> {
    let mut escape = '\\';
    // Parser directives (`# escape=``) come first, before any comment, blank line or instruction.
    let mut directives = true;
    let mut names = Vec::new();
    let mut instruction = String::new();
    for line in dockerfile.lines() {
        let t = line.trim();
        if let Some(comment) = t.strip_prefix('#') {
            if directives {
                match comment.split_once('=') {
                    Some((key, value)) if key.trim().eq_ignore_ascii_case("escape") => {
                        escape = value.trim().chars().next().unwrap_or(escape);
                    }
                    Some((key, _)) if key.trim().eq_ignore_ascii_case("syntax") => {}
                    _ => directives = false,
                }
            }
            continue;
        }
        directives = false;
        if t.is_empty() {
            continue;
        }
        if let Some(head) = t.strip_suffix(escape) {
            instruction.push_str(head);
            instruction.push(' ');
            continue;
        }
        instruction.push_str(t);
        let words: Vec<&str> = instruction
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .collect();
        if let [from, _image, as_, name] = words[..]
            && from.eq_ignore_ascii_case("FROM")
            && as_.eq_ignore_ascii_case("AS")
        {
            names.push(name.to_lowercase());
        }
        instruction.clear();
    }
    names
}

/// `Step 2/5 : COPY www /www` → the step event.
fn parse_step(line: &str) -> Option<BuildEvent> {
    let rest = line.trim().strip_prefix("Step ")?;
    let (counts, instruction) = rest.split_once(" : ")?;
    let (n, total) = counts.split_once('/')?;
    Some(BuildEvent::Step {
        number: n.parse().ok()?,
        total: total.parse().ok()?,
        instruction: instruction.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dockerfiles_stages_are_named_as_the_builder_takes_them() {
        let dockerfile = "# syntax=docker/dockerfile:1\nFROM busybox AS Base\nRUN echo hi\n\n# FROM nope AS comment\nfrom --platform=$BUILDPLATFORM base as build\nFROM scratch\nFROM \\\n  base \\\n  AS test\nCOPY --from=build / /\n";
        assert_eq!(stages(dockerfile), ["base", "build", "test"]);
        // Another escape character, named by the parser directive.
        assert_eq!(
            stages("# escape=`\nFROM scratch `\n  AS final\n"),
            ["final"]
        );
        // A directive after a comment is a comment.
        assert_eq!(
            stages("# hello\n# escape=`\nFROM scratch `\n  AS final\n"),
            Vec::<String>::new()
        );
        assert_eq!(stages("FROM scratch\n"), Vec::<String>::new());
    }

    #[test]
    fn a_context_that_is_no_folder_here_and_reads_as_a_url_is_fetched_by_the_engine() {
        for url in [
            "git://host/repo.git#v1:app",
            "git@github.com:user/repo.git",
            "github.com/user/repo",
            "https://host/repo.git#main",
            "http://host/context.tar.gz",
        ] {
            assert_eq!(remote_context(url).as_deref(), Some(url));
        }
        for path in ["app", "./http:", "/srv/ctx", "ftp://host/x.tar"] {
            assert_eq!(remote_context(path), None, "{path}");
        }
    }

    #[test]
    fn an_archive_is_told_from_a_dockerfile_by_its_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let spec = BuildSpec {
            context: context(&[("Dockerfile", "FROM scratch\n")]).keep(),
            ..Default::default()
        };
        let (tar, _) = context_tar(&spec).unwrap();
        std::fs::remove_dir_all(&spec.context).unwrap();
        assert!(is_context_archive(&file("context.tar", &tar)));
        assert!(is_context_archive(&file(
            "context.tgz",
            &[0x1f, 0x8b, 8, 0]
        )));
        assert!(is_context_archive(&file(
            "context.tar.xz",
            b"\xfd7zXZ\0rest"
        )));
        assert!(!is_context_archive(&file("Dockerfile", b"FROM scratch\n")));
        assert!(!is_context_archive(&file("empty", b"")));
        assert!(!is_context_archive(&dir.path().join("missing")));
    }

    #[tokio::test]
    async fn the_streamed_context_is_the_same_tar_in_chunks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        // Bigger than one chunk, so the stream has several.
        std::fs::write(
            dir.path().join("big"),
            vec![7u8; 3 * crate::archive::CHUNK + 11],
        )
        .unwrap();
        let spec = BuildSpec {
            context: dir.path().to_owned(),
            ..Default::default()
        };
        let (whole, _) = context_tar(&spec).unwrap();
        let chunks: Vec<bytes::Bytes> = context_stream(super::context(&spec).unwrap())
            .0
            .map(|c| c.unwrap())
            .collect()
            .await;
        assert!(chunks.len() > 3, "{} chunks", chunks.len());
        assert_eq!(chunks.concat(), whole);
    }

    fn files(tar: &[u8]) -> Vec<String> {
        let mut archive = tar::Archive::new(tar);
        let mut names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .path()
                    .unwrap()
                    .to_string_lossy()
                    .trim_end_matches('/')
                    .to_owned()
            })
            .collect();
        names.sort();
        names
    }

    fn context(entries: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in entries {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn dockerignore_is_anchored_at_the_root_with_exceptions() {
        let dir = context(&[
            ("Dockerfile", "FROM scratch"),
            (
                ".dockerignore",
                "# comment\n*.md\n!KEEP.md\nlogs/\n**/*.tmp\n/secret\nDockerfile\n",
            ),
            ("README.md", ""),
            ("KEEP.md", ""),
            ("docs/inner.md", ""),
            ("logs/a.log", ""),
            ("src/x.tmp", ""),
            ("src/main.sh", ""),
            ("secret", ""),
        ]);
        let spec = BuildSpec {
            context: dir.path().into(),
            ..Default::default()
        };
        let (tar, name) = context_tar(&spec).unwrap();
        assert_eq!(name, "Dockerfile");
        // *.md is anchored: docs/inner.md stays, as with docker. The Dockerfile and
        // .dockerignore always travel.
        assert_eq!(
            files(&tar),
            [
                ".dockerignore",
                "Dockerfile",
                "KEEP.md",
                "docs",
                "docs/inner.md",
                "src",
                "src/main.sh"
            ]
        );
    }

    #[test]
    fn dockerfile_outside_the_context_travels_under_its_own_name() {
        let outer = context(&[("other.Dockerfile", "FROM scratch"), ("ctx/a", "")]);
        let spec = BuildSpec {
            context: outer.path().join("ctx"),
            dockerfile: Some(outer.path().join("other.Dockerfile")),
            ..Default::default()
        };
        let (tar, name) = context_tar(&spec).unwrap();
        assert_eq!(name, ".berth-dockerfile");
        assert_eq!(files(&tar), [".berth-dockerfile", "a"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_socket_in_the_context_is_left_out_as_docker_leaves_it() {
        let dir = context(&[("Dockerfile", "FROM scratch"), ("a", "")]);
        let _agent = std::os::unix::net::UnixListener::bind(dir.path().join("agent.sock")).unwrap();
        let spec = BuildSpec {
            context: dir.path().into(),
            ..Default::default()
        };
        let (tar, _) = context_tar(&spec).unwrap();
        assert_eq!(files(&tar), ["Dockerfile", "a"]);
    }

    #[test]
    fn missing_dockerfile_or_context_is_named() {
        let dir = context(&[("a", "")]);
        let spec = BuildSpec {
            context: dir.path().into(),
            ..Default::default()
        };
        let err = context_tar(&spec).unwrap_err().to_string();
        assert!(
            err.contains("Dockerfile") && err.contains("no Dockerfile there"),
            "{err}"
        );
        let spec = BuildSpec {
            context: dir.path().join("nope"),
            ..Default::default()
        };
        let err = context_tar(&spec).unwrap_err().to_string();
        assert!(
            err.contains("the build context is not a directory"),
            "{err}"
        );
    }

    #[test]
    fn secrets_are_read_as_docker_build_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token.txt");
        std::fs::write(&file, "t").unwrap();
        let src = file.display().to_string();
        // PATH is set wherever tests run; this one is not.
        let unset = "BERTH_TEST_NEVER_SET_VARIABLE";
        let secret = |text: &str| BuildSecret::parse(text).unwrap().source;
        assert_eq!(
            secret(&format!("id=t,src={src}")),
            SecretSource::File(file.clone())
        );
        assert_eq!(
            secret(&format!("type=file,id=t,source={src}")),
            SecretSource::File(file.clone())
        );
        assert_eq!(secret("id=t,env=PATH"), SecretSource::Env("PATH".into()));
        assert_eq!(secret("id=PATH,type=env"), SecretSource::Env("PATH".into()));
        // The id alone: its variable when set, else a file of that name.
        assert_eq!(secret("id=PATH"), SecretSource::Env("PATH".into()));
        assert_eq!(
            BuildSecret::parse(&format!("id={src}")).unwrap().source,
            SecretSource::File(file.clone())
        );
        for (bad, says) in [
            (format!("src={src}"), "give id=NAME".to_owned()),
            (format!("id=t,src={src},env=PATH"), "not both".to_owned()),
            (
                "id=t,type=env,src=x".to_owned(),
                "type=env reads env=VAR".to_owned(),
            ),
            (
                "id=t,required=true".to_owned(),
                "\"required=true\" is not one of".to_owned(),
            ),
            (format!("id=t,env={unset}"), format!("{unset} is not set")),
            (format!("id={unset}"), format!("{unset}: no such file")),
            (
                format!("id=t,src={}", dir.path().display()),
                "is not a file".to_owned(),
            ),
        ] {
            let err = BuildSecret::parse(&bad).unwrap_err().to_string();
            assert!(
                err.contains(&says) && err.starts_with(&format!("--secret {bad}")),
                "{err}"
            );
        }
        std::fs::write(&file, vec![b'x'; MAX_SECRET as usize + 1]).unwrap();
        let err = BuildSecret::parse(&format!("id=t,src={src}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 500 KB"), "{err}");
        // Debug never shows a secret's text.
        let text = BuildSecret {
            id: "t".into(),
            source: SecretSource::Text(Hidden("s3cr3t".into())),
        };
        assert!(!format!("{text:?}").contains("s3cr3t"));
    }

    #[test]
    fn ssh_agents_are_read_as_docker_build_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("agent.sock");
        let _listening = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let key = dir.path().join("id_ed25519");
        std::fs::write(&key, "a key").unwrap();
        assert_eq!(
            SshAgent::parse(&format!("deploy={}", socket.display())).unwrap(),
            SshAgent {
                id: "deploy".into(),
                socket: socket.clone()
            }
        );
        for (bad, says) in [
            ("default=".to_owned(), "write ID=SOCKET".to_owned()),
            (
                format!("={}", socket.display()),
                "name the agent".to_owned(),
            ),
            (
                format!("default={}", key.display()),
                format!("{} is not an agent's socket", key.display()),
            ),
            (
                "default=/nonexistent/agent.sock".to_owned(),
                "/nonexistent/agent.sock: no such socket".to_owned(),
            ),
        ] {
            let err = SshAgent::parse(&bad).unwrap_err().to_string();
            assert!(
                err.contains(&says) && err.starts_with(&format!("--ssh {bad}")),
                "{err}"
            );
        }
    }

    #[test]
    fn outputs_are_read_as_docker_build_takes_them() {
        assert_eq!(
            BuildOutput::parse("out").unwrap(),
            BuildOutput::Local("out".into())
        );
        assert_eq!(
            BuildOutput::parse("type=local,dest=/tmp/o").unwrap(),
            BuildOutput::Local("/tmp/o".into())
        );
        assert_eq!(
            BuildOutput::parse("type=tar,dest=o.tar").unwrap(),
            BuildOutput::Tar("o.tar".into())
        );
        for (bad, says) in [
            ("type=tar", "give dest=PATH"),
            (
                "type=image,dest=x",
                "type=image: Berth exports a build's files",
            ),
            (
                "type=local,dest=x,compression=gzip",
                "\"compression=gzip\" is not one of",
            ),
        ] {
            let err = BuildOutput::parse(bad).unwrap_err().to_string();
            assert!(err.contains(says) && err.contains(bad), "{err}");
        }
    }

    #[test]
    fn logins_are_named_as_each_builder_asks_for_them() {
        let hub = "https://index.docker.io/v1/";
        assert_eq!(login_key(hub, false), hub);
        assert_eq!(login_key(hub, true), "registry-1.docker.io");
        assert_eq!(login_key("localhost:5000", true), "localhost:5000");
        assert_eq!(
            login_key("https://reg.example:5000/v2/", true),
            "reg.example:5000"
        );
    }

    #[test]
    fn steps_are_recognised() {
        assert_eq!(
            parse_step("Step 2/5 : COPY www /www"),
            Some(BuildEvent::Step {
                number: 2,
                total: 5,
                instruction: "COPY www /www".into()
            })
        );
        assert_eq!(parse_step(" ---> Running in 1234"), None);
    }
}
