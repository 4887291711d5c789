//! Loading a project the way `docker compose` does: find the files (`-f`, `COMPOSE_FILE`, or
//! `compose.yaml`/`docker-compose.yml` and their `.override` in the directory or a parent),
//! read `.env` (or `--env-file`s), interpolate, validate each file against the schema, merge,
//! resolve `include`, `extends` and profiles, settle the project name, and normalise into the
//! typed model.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;

use crate::model::Project;
use crate::yaml::Node;
use crate::{Error, canon, dotenv, interpolate, merge, schema};

/// What the command line (or the app) says about the project.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `--project-directory`; default: the directory of the first file.
    pub project_directory: Option<PathBuf>,
    /// Where to look for files when none are named; default: the current directory.
    pub working_dir: Option<PathBuf>,
    /// `-f` files, in order.
    pub files: Vec<PathBuf>,
    /// `-p`.
    pub project_name: Option<String>,
    /// `--env-file`s; default: `.env` in the project directory when it exists.
    pub env_files: Vec<PathBuf>,
    /// `--profile`s.
    pub profiles: Vec<String>,
    /// Services named on the command line: they are enabled whatever their profiles.
    pub services: Vec<String>,
    /// The process environment; `None` reads the real one.
    pub environment: Option<HashMap<String, String>>,
    /// `--no-interpolate`: the files' `${…}` kept as written.
    pub no_interpolate: bool,
    /// The directory whose name the project takes when nothing names it (`-p`,
    /// `COMPOSE_PROJECT_NAME`, `name:`); default: the project directory. A project fetched with
    /// `-f oci://…` takes the working directory's, as compose names it.
    pub name_dir: Option<PathBuf>,
    /// `config --no-consistency`: a service referring to a service, network, volume or model
    /// the files do not define, and a dependency cycle, are let through (the model said as it
    /// is, which no command runs).
    pub no_consistency: bool,
    /// `config --no-normalize`: what compose fills in left out (the default network, the
    /// engine's names of networks and volumes, the dependencies links and the like imply).
    pub no_normalize: bool,
}

/// Default file names, by precedence.
const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Whether `name` is one a folder's compose files go by: a default name or its override
/// (`compose.yaml`, `docker-compose.override.yml`, …).
pub fn is_compose_file_name(name: &str) -> bool {
    DEFAULT_FILES.iter().any(|f| {
        let (stem, _) = f.rsplit_once('.').unwrap_or((f, ""));
        name == *f
            || name == format!("{stem}.override.yaml")
            || name == format!("{stem}.override.yml")
    })
}

/// The variables interpolation sees: the process environment over the env files.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    pub process: HashMap<String, String>,
    pub files: IndexMap<String, String>,
    /// Whether the files' templates are substituted (not under `--no-interpolate`).
    pub interpolate: bool,
}

impl Environment {
    pub fn get(&self, name: &str) -> Option<String> {
        self.process
            .get(name)
            .or_else(|| self.files.get(name))
            .cloned()
    }
}

/// A file's text, or an error naming it.
pub(crate) fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Read {
        path: path.to_owned(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            _ => e.to_string(),
        },
    })
}

/// Finds the compose files for a directory (or one of its parents), with their override.
pub fn discover(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut here = Some(dir);
    while let Some(d) = here {
        if let Some(name) = DEFAULT_FILES.iter().find(|f| d.join(f).is_file()) {
            let mut files = vec![d.join(name)];
            let stem = name.rsplit_once('.').map_or(*name, |(s, _)| s);
            if let Some(o) = ["yaml", "yml"]
                .iter()
                .map(|ext| d.join(format!("{stem}.override.{ext}")))
                .find(|p| p.is_file())
            {
                files.push(o);
            }
            return Ok(files);
        }
        here = d.parent();
    }
    Err(Error::NoComposeFile {
        dir: dir.to_owned(),
    })
}

/// Lowercase letters, digits, `-` and `_`, starting with a letter or digit.
pub fn normalize_project_name(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
        .collect();
    lowered
        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned()
}

fn check_project_name(name: &str, source: &str) -> Result<String, Error> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(Error::invalid(
            source,
            format!(
                "{name:?} is not a project name: use lowercase letters, digits, '-' and '_', starting with a letter or digit"
            ),
        ))
    }
}

/// Loads a project. Errors about a key name the file, line and column where it is written.
pub fn load(options: &LoadOptions) -> Result<Project, Error> {
    let mut files = Vec::new();
    load_project(options, &mut files).map_err(|e| located(e, &files))
}

/// Adds `file:line:col` to an error about a key path, from the file it names or else the first
/// of the project's files that has the key.
fn located(err: Error, files: &[PathBuf]) -> Error {
    let place = |at: &str| -> Option<String> {
        let (file, path) = match at.split_once(": ") {
            Some((f, p)) => (Some(PathBuf::from(f)), p),
            None => (None, at),
        };
        if !path.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let candidates: Vec<PathBuf> = file.into_iter().chain(files.iter().cloned()).collect();
        // The file that has most of the path (the first of them on a tie).
        let mut best: Option<(usize, String)> = None;
        for f in &candidates {
            let Ok(text) = std::fs::read_to_string(f) else {
                continue;
            };
            if let Some((len, (line, col))) = crate::locate::locate_deepest(&text, path)
                && best.as_ref().is_none_or(|(l, _)| len > *l)
            {
                best = Some((len, format!("{}:{line}:{col}: {path}", f.display())));
            }
        }
        best.map(|(_, at)| at)
    };
    match err {
        Error::Interpolation { at, reason } => Error::Interpolation {
            at: place(&at).unwrap_or(at),
            reason,
        },
        Error::Schema { at, reason } => Error::Schema {
            at: place(&at).unwrap_or(at),
            reason,
        },
        Error::Invalid { at, reason } => Error::Invalid {
            at: place(&at).unwrap_or(at),
            reason,
        },
        other => other,
    }
}

/// Where a project comes from: the variables interpolation reads, the env files they were read
/// from, the compose files, and the working directory they are found from.
struct Sources {
    env: Environment,
    env_files: Vec<PathBuf>,
    files: Vec<PathBuf>,
    cwd: PathBuf,
}

/// The env files and compose files the options say, as `docker compose` finds them.
fn sources(options: &LoadOptions) -> Result<Sources, Error> {
    let process = options
        .environment
        .clone()
        .unwrap_or_else(|| std::env::vars().collect());
    let cwd = match &options.working_dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(|e| Error::Read {
            path: PathBuf::from("."),
            reason: e.to_string(),
        })?,
    };
    // `.env` of the working directory may say COMPOSE_FILE and friends.
    let lookup_dir = options
        .project_directory
        .clone()
        .unwrap_or_else(|| cwd.clone());
    let mut env = Environment {
        process,
        files: IndexMap::new(),
        interpolate: !options.no_interpolate,
    };
    let env_files = env_file_paths(options, &lookup_dir, &cwd);
    for f in &env_files {
        let vars = dotenv::read(f, &|n: &str| env.process.get(n).cloned())?;
        env.files.extend(vars);
    }
    let files: Vec<PathBuf> = if !options.files.is_empty() {
        options.files.iter().map(|f| cwd.join(f)).collect()
    } else if let Some(list) = env.get("COMPOSE_FILE").filter(|l| !l.is_empty()) {
        let sep = env
            .get("COMPOSE_PATH_SEPARATOR")
            .unwrap_or_else(|| ":".to_owned());
        list.split(sep.as_str())
            .filter(|f| !f.is_empty())
            .map(|f| lookup_dir.join(f))
            .collect()
    } else {
        discover(&lookup_dir)?
    };
    Ok(Sources {
        env,
        env_files,
        files,
        cwd,
    })
}

/// The variables the project's compose files use (not those of their `include`s), by name:
/// what `compose config --variables` lists. The files are read as written, not interpolated.
pub fn variables(options: &LoadOptions) -> Result<BTreeMap<String, interpolate::Variable>, Error> {
    let mut found = BTreeMap::new();
    for f in sources(options)?.files {
        let doc = crate::yaml::parse(&f, &read(&f)?)?;
        interpolate::variables_in(doc, "", &mut found).map_err(in_file(&f))?;
    }
    Ok(found)
}

/// A template error said with the file it is in (`compose.yaml: services.web.image: …`).
fn in_file(path: &Path) -> impl Fn(Error) -> Error + '_ {
    move |e| match e {
        Error::Interpolation { at, reason } => Error::Interpolation {
            at: format!("{}: {at}", path.display()),
            reason,
        },
        other => other,
    }
}

fn load_project(options: &LoadOptions, seen_files: &mut Vec<PathBuf>) -> Result<Project, Error> {
    let Sources {
        env,
        env_files,
        files,
        cwd,
    } = sources(options)?;
    seen_files.extend(files.iter().cloned());
    let project_dir = match &options.project_directory {
        Some(d) => cwd.join(d),
        None => files[0]
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.clone()),
    };
    let mut unset = Vec::new();
    let mut docs = Vec::new();
    for f in &files {
        docs.push(load_file(f, &project_dir, &env, &mut unset)?);
    }
    let mut model = merge::files(docs);
    include(&mut model, &project_dir, &env, &mut unset, &mut Vec::new())?;
    extends(&mut model, &env, &mut unset)?;
    let mut model = model.strip_tags();

    let name = match (&options.project_name, env.get("COMPOSE_PROJECT_NAME")) {
        (Some(n), _) => check_project_name(n, "-p")?,
        (None, Some(n)) if !n.is_empty() => check_project_name(&n, "COMPOSE_PROJECT_NAME")?,
        _ => match model.get("name").and_then(Node::as_str) {
            Some(n) => check_project_name(n, "name")?,
            None => {
                let named_after = options.name_dir.as_deref().unwrap_or(&project_dir);
                let base = named_after
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let n = normalize_project_name(&base);
                if n.is_empty() {
                    return Err(Error::invalid(
                        named_after.display().to_string(),
                        "cannot make a project name from this directory: give one with -p or name:",
                    ));
                }
                n
            }
        },
    };
    model.set("name", Node::Str(name.clone()));
    model.remove("version");
    model.remove("include");

    let mut json = model.to_json();
    let mut active: BTreeSet<String> = options.profiles.iter().cloned().collect();
    if let Some(p) = env.get("COMPOSE_PROFILES") {
        active.extend(
            p.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
        );
    }
    // Jobs are containers as services are: read the same way, alongside them, their profiles
    // too (a job named on the command line is enabled, as a service is).
    let jobs = jobs_among_services(&mut json)?;
    // Said of the job, not of a service.
    let of_job = |e: Error| match e {
        Error::Invalid { at, reason } => Error::Invalid {
            at: jobs
                .iter()
                .find_map(|j| {
                    let rest = at.strip_prefix(&format!("services.{j}"))?;
                    (rest.is_empty() || rest.starts_with('.')).then(|| format!("jobs.{j}{rest}"))
                })
                .unwrap_or(at),
            reason,
        },
        other => other,
    };
    let (disabled_jobs, disabled): (BTreeMap<_, _>, BTreeMap<_, _>) =
        profiles(&mut json, &active, &options.services)
            .map_err(of_job)?
            .into_iter()
            .partition(|(name, _)| jobs.contains(name));
    let (service_env_files, inconsistent) =
        normalize(&mut json, &name, &env, !options.no_normalize).map_err(of_job)?;
    if let Some(e) = inconsistent.filter(|_| !options.no_consistency) {
        return Err(of_job(e));
    }
    jobs_apart(&mut json, &jobs);
    let mut project: Project = serde_json::from_value(json).map_err(|e| Error::Invalid {
        at: files[0].display().to_string(),
        reason: e.to_string(),
    })?;
    if !options.no_consistency {
        crate::graph::check(&project)?;
    }
    let read =
        |d: BTreeMap<String, Value>| d.into_iter().map(|(k, v)| (k, read_disabled(v))).collect();
    project.disabled = read(disabled);
    project.disabled_jobs = read(disabled_jobs);
    project.active_profiles = active;
    project.working_dir = project_dir;
    project.config_files = files;
    project.env_files = env_files;
    project.service_env_files = service_env_files;
    unset.sort();
    unset.dedup();
    project.unset_variables = unset;
    let named: Vec<String> = project
        .secrets
        .values()
        .chain(project.configs.values())
        .filter_map(|d| d.get("environment").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    project.environment = env
        .files
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .chain(env.process.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect();
    project.secret_environment = named
        .into_iter()
        .filter_map(|n| env.get(&n).map(|v| (n, v)))
        .collect();
    Ok(project)
}

fn env_file_paths(options: &LoadOptions, dir: &Path, cwd: &Path) -> Vec<PathBuf> {
    if options.env_files.is_empty() {
        let dotenv = dir.join(".env");
        if dotenv.is_file() {
            vec![dotenv]
        } else {
            Vec::new()
        }
    } else {
        options.env_files.iter().map(|f| cwd.join(f)).collect()
    }
}

/// One file: parsed, interpolated, checked against the schema, canonical.
fn load_file(
    path: &Path,
    base: &Path,
    env: &Environment,
    unset: &mut Vec<String>,
) -> Result<Node, Error> {
    let text = read(path)?;
    let mut doc = crate::yaml::parse(path, &text)?;
    if env.interpolate {
        let lookup = |n: &str| env.get(n);
        interpolate::tree(&mut doc, "", &lookup, unset).map_err(in_file(path))?;
    }
    schema::validate(
        &path.display().to_string(),
        &doc.clone().strip_tags().to_json(),
    )?;
    canon::file(&mut doc, base)?;
    Ok(doc)
}

/// `include:` entries: each is loaded as its own project (its own directory and `.env`) and
/// its resources are added; a name defined twice is an error.
fn include(
    model: &mut Node,
    project_dir: &Path,
    env: &Environment,
    unset: &mut Vec<String>,
    seen: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let Some(Node::Seq(entries)) = model.get("include").map(Node::untagged).cloned() else {
        return Ok(());
    };
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("include[{i}]");
        let (paths, dir, env_file): (Vec<String>, Option<String>, Vec<String>) = match entry {
            Node::Str(p) => (vec![p.clone()], None, Vec::new()),
            Node::Map(_) => {
                let list = |k: &str| match entry.get(k) {
                    Some(Node::Str(s)) => vec![s.clone()],
                    Some(Node::Seq(items)) => items.iter().filter_map(Node::scalar_text).collect(),
                    _ => Vec::new(),
                };
                (
                    list("path"),
                    entry.get("project_directory").and_then(Node::scalar_text),
                    list("env_file"),
                )
            }
            _ => return Err(Error::invalid(at, "expected a path or {path: ...}")),
        };
        if paths.is_empty() {
            return Err(Error::invalid(at, "an include needs a path"));
        }
        let files: Vec<PathBuf> = paths
            .iter()
            .map(|p| PathBuf::from(canon::absolute(project_dir, p)))
            .collect();
        if seen.contains(&files[0]) {
            return Err(Error::invalid(
                at,
                format!("{} includes itself", files[0].display()),
            ));
        }
        let dir = match dir {
            Some(d) => PathBuf::from(canon::absolute(project_dir, &d)),
            None => files[0].parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let mut sub_env = Environment {
            process: env.process.clone(),
            files: IndexMap::new(),
            interpolate: env.interpolate,
        };
        let env_paths: Vec<PathBuf> = if env_file.is_empty() {
            Some(dir.join(".env"))
                .filter(|p| p.is_file())
                .into_iter()
                .collect()
        } else {
            env_file
                .iter()
                .map(|p| PathBuf::from(canon::absolute(project_dir, p)))
                .collect()
        };
        for p in &env_paths {
            let vars = dotenv::read(p, &|n: &str| env.process.get(n).cloned())?;
            sub_env.files.extend(vars);
        }
        // The including project's variables are visible too, below the included ones.
        for (k, v) in &env.files {
            sub_env.files.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let mut docs = Vec::new();
        for f in &files {
            docs.push(load_file(f, &dir, &sub_env, unset)?);
        }
        let mut sub = merge::files(docs);
        seen.push(files[0].clone());
        include(&mut sub, &dir, &sub_env, unset, seen)?;
        seen.pop();
        extends(&mut sub, &sub_env, unset)?;
        for kind in ["services", "networks", "volumes", "secrets", "configs"] {
            let Some(Node::Map(incoming)) = sub.get(kind).cloned() else {
                continue;
            };
            if model.get(kind).is_none() {
                model.set(kind, Node::Map(Vec::new()));
            }
            let Some(Node::Map(existing)) = model.get_mut(kind) else {
                continue;
            };
            for (name, def) in incoming {
                if existing.iter().any(|(k, _)| *k == name) {
                    return Err(Error::invalid(
                        format!("{kind}.{name}"),
                        format!(
                            "defined both here and in the included {}: rename one of them",
                            files[0].display()
                        ),
                    ));
                }
                existing.push((name, def));
            }
        }
    }
    Ok(())
}

/// Resolves `extends` for every service of a merged model.
fn extends(model: &mut Node, env: &Environment, unset: &mut Vec<String>) -> Result<(), Error> {
    let names: Vec<String> = match model.get("services") {
        Some(Node::Map(entries)) => entries.iter().map(|(k, _)| k.clone()).collect(),
        _ => return Ok(()),
    };
    let snapshot = model.clone();
    for name in names {
        let resolved = resolve_extends(&snapshot, None, &name, env, unset, &mut Vec::new())?;
        if let Some(services) = model.get_mut("services") {
            services.set(&name, resolved);
        }
    }
    Ok(())
}

/// A service with its `extends` chain applied. `file` is the other file the service lives in
/// (None: the project's own merged model).
fn resolve_extends(
    doc: &Node,
    file: Option<&Path>,
    name: &str,
    env: &Environment,
    unset: &mut Vec<String>,
    chain: &mut Vec<String>,
) -> Result<Node, Error> {
    let where_ = file.map_or_else(String::new, |f| format!("{}: ", f.display()));
    let key = format!("{where_}{name}");
    if chain.contains(&key) {
        chain.push(key);
        return Err(Error::invalid(
            format!("services.{name}.extends"),
            format!("extends loops: {}", chain.join(" → ")),
        ));
    }
    let mut svc = doc
        .get("services")
        .and_then(|s| s.get(name))
        .cloned()
        .ok_or_else(|| {
            Error::invalid(
                format!("{where_}services"),
                format!("no service {name:?} to extend"),
            )
        })?;
    let Some(ext) = svc.remove("extends") else {
        return Ok(svc);
    };
    let base_name = ext
        .get("service")
        .and_then(Node::as_str)
        .ok_or_else(|| Error::invalid(format!("services.{name}.extends"), "needs service:"))?
        .to_owned();
    chain.push(key);
    let base = match ext.get("file").and_then(Node::as_str) {
        Some(f) => {
            let path = PathBuf::from(f);
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let other = load_file(&path, &dir, env, unset)?;
            resolve_extends(&other, Some(&path), &base_name, env, unset, chain)?
        }
        None => resolve_extends(doc, file, &base_name, env, unset, chain)?,
    };
    chain.pop();
    // Compose does not inherit these from the base.
    let mut base = base;
    for key in ["depends_on", "volumes_from", "links"] {
        if svc.get(key).is_none() {
            base.remove(key);
        }
    }
    Ok(merge::merge(base, svc, &["services", name]))
}

/// Removes services that no active profile enables; errors for a dependency on one.
fn profiles(
    json: &mut Value,
    active: &BTreeSet<String>,
    targeted: &[String],
) -> Result<BTreeMap<String, Value>, Error> {
    let Some(services) = json.get_mut("services").and_then(Value::as_object_mut) else {
        return Ok(BTreeMap::new());
    };
    let all = active.contains("*");
    let enabled = |name: &str, svc: &Value| {
        let p = svc.get("profiles").and_then(Value::as_array);
        match p {
            None => true,
            Some(p) if p.is_empty() => true,
            Some(p) => {
                all || targeted.iter().any(|t| t == name)
                    || p.iter()
                        .filter_map(Value::as_str)
                        .any(|x| active.contains(x))
            }
        }
    };
    let off: Vec<String> = services
        .iter()
        .filter(|(k, v)| !enabled(k, v))
        .map(|(k, _)| k.clone())
        .collect();
    let mut disabled = BTreeMap::new();
    for name in &off {
        if let Some(v) = services.remove(name) {
            disabled.insert(name.clone(), v);
        }
    }
    for (name, svc) in services.iter_mut() {
        let Some(deps) = svc.get_mut("depends_on").and_then(Value::as_object_mut) else {
            continue;
        };
        let mut gone = Vec::new();
        for (dep, spec) in deps.iter() {
            if let Some(off) = disabled.get(dep) {
                let required = spec
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                if required {
                    let profiles: Vec<&str> = off
                        .get("profiles")
                        .and_then(Value::as_array)
                        .map(|p| p.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    return Err(Error::invalid(
                        format!("services.{name}.depends_on"),
                        format!(
                            "{dep} is not enabled: enable it with --profile {}",
                            profiles.first().copied().unwrap_or("")
                        ),
                    ));
                }
                gone.push(dep.clone());
            }
        }
        for dep in gone {
            deps.remove(&dep);
        }
    }
    Ok(disabled)
}

/// Compose's normal form: env files folded into `environment`, bare variables resolved,
/// commands as lists, and references checked; and, unless `config --no-normalize` (`fill` false),
/// what compose fills in: the default network, engine names for networks and volumes, and the
/// dependencies `links`, `volumes_from`, `network_mode`, `pid` and `ipc` imply. Returns the
/// services' env files it read, each once, and the first reference to something the files do
/// not define (an error unless `--no-consistency`).
fn normalize(
    json: &mut Value,
    project: &str,
    env: &Environment,
    fill: bool,
) -> Result<(Vec<PathBuf>, Option<Error>), Error> {
    let mut inconsistent: Option<Error> = None;
    let mut read_env_files: Vec<PathBuf> = Vec::new();
    let root = json.as_object_mut().expect("the model is a mapping");
    let mut needs_default_network = false;
    let services = root
        .entry("services")
        .or_insert_with(|| Value::Object(Default::default()));
    let Some(services) = services.as_object_mut() else {
        return Err(Error::invalid("services", "expected a mapping of services"));
    };
    let names: BTreeSet<String> = services.keys().cloned().collect();
    for (name, svc) in services.iter_mut() {
        let at = format!("services.{name}");
        let Some(s) = svc.as_object_mut() else {
            return Err(Error::invalid(at, "a service is a mapping"));
        };
        if s.get("image").is_none() && s.get("build").is_none() && s.get("provider").is_none() {
            return Err(Error::invalid(
                at,
                "has neither an image nor a build section (nor a provider): give it one",
            ));
        }
        fold_environment(s, &at, env, &mut read_env_files)?;
        // A pre_start step's container has an environment of its own, read the same way.
        if let Some(steps) = s
            .get_mut(crate::hooks::PRE_START)
            .and_then(Value::as_array_mut)
        {
            for (i, step) in steps.iter_mut().enumerate() {
                if let Some(step) = step.as_object_mut() {
                    let here = format!("{at}.{}[{i}]", crate::hooks::PRE_START);
                    fold_environment(step, &here, env, &mut read_env_files)?;
                }
            }
        }
        for key in ["command", "entrypoint"] {
            if let Some(Value::String(line)) = s.get(key) {
                let words = shell_words::split(line)
                    .map_err(|e| Error::invalid(format!("{at}.{key}"), format!("{line:?}: {e}")))?;
                s.insert(key.into(), serde_json::to_value(words).unwrap_or_default());
            }
        }
        for key in [
            crate::hooks::POST_START,
            crate::hooks::PRE_STOP,
            crate::hooks::PRE_START,
        ] {
            if let Some(hooks) = s.get_mut(key) {
                crate::hooks::normalize(hooks, &format!("{at}.{key}"), &|n: &str| env.get(n))?;
            }
        }
        // Limits checked as the files load (the containers' and the build steps'), not when a
        // container is made half-way through an up.
        crate::host::ulimits(&at, s.get("ulimits"))?;
        if let Some(b) = s.get_mut("build").and_then(Value::as_object_mut) {
            crate::host::ulimits(&format!("{at}.build"), b.get("ulimits"))?;
            match (
                b.contains_key("dockerfile"),
                b.contains_key("dockerfile_inline"),
            ) {
                (true, true) => {
                    return Err(Error::invalid(
                        format!("{at}.build"),
                        "dockerfile and dockerfile_inline are both set: keep one",
                    ));
                }
                (false, false) => {
                    b.insert("dockerfile".into(), "Dockerfile".into());
                }
                _ => {}
            }
        }
        if let Some(Value::String(text)) = s.get("scale") {
            let n: u32 = text.parse().map_err(|_| {
                Error::invalid(format!("{at}.scale"), format!("{text:?} is not a number"))
            })?;
            s.insert("scale".into(), n.into());
        }
        // Links, volumes from a service and another service's namespaces are dependencies
        // too, as compose takes them: started first.
        let mut implied: Vec<String> = Vec::new();
        for l in s
            .get("links")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(l) = l.as_str() {
                implied.push(l.split(':').next().unwrap_or_default().to_owned());
            }
        }
        implied.extend(crate::model::joined(|key| s.get(key).cloned()));
        for dep in implied {
            if !names.contains(&dep) {
                inconsistent.get_or_insert(Error::invalid(
                    at.clone(),
                    format!(
                        "refers to undefined service {dep:?} (links, volumes_from, network_mode, pid or ipc)"
                    ),
                ));
            }
            if !fill {
                continue;
            }
            let deps = s
                .entry("depends_on")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(deps) = deps.as_object_mut() {
                deps.entry(dep).or_insert_with(
                    || serde_json::json!({"condition": "service_started", "required": true}),
                );
            }
        }
        if let Some(deps) = s.get("depends_on").and_then(Value::as_object) {
            for dep in deps.keys() {
                if !names.contains(dep) {
                    inconsistent.get_or_insert(Error::invalid(
                        format!("{at}.depends_on"),
                        format!("depends on undefined service {dep:?}"),
                    ));
                }
            }
        }
        if fill && s.get("network_mode").is_none() {
            let nets = s
                .entry("networks")
                .or_insert_with(|| Value::Object(Default::default()));
            if nets.as_object().is_some_and(|m| m.is_empty()) {
                nets.as_object_mut()
                    .map(|m| m.insert("default".into(), Value::Null));
            }
            if nets.get("default").is_some() {
                needs_default_network = true;
            }
        }
    }
    let services_snapshot = services.clone();
    let networks = root
        .entry("networks")
        .or_insert_with(|| Value::Object(Default::default()));
    let networks = networks.as_object_mut().expect("networks is a mapping");
    if needs_default_network && !networks.contains_key("default") {
        networks.insert("default".into(), Value::Object(Default::default()));
    }
    for (key, net) in networks.iter_mut().filter(|_| fill) {
        engine_name(net, project, key);
    }
    let network_keys: BTreeSet<String> = networks.keys().cloned().collect();
    let volumes = root
        .entry("volumes")
        .or_insert_with(|| Value::Object(Default::default()));
    let volumes = volumes.as_object_mut().expect("volumes is a mapping");
    for (key, vol) in volumes.iter_mut().filter(|_| fill) {
        engine_name(vol, project, key);
    }
    let volume_keys: BTreeSet<String> = volumes.keys().cloned().collect();
    for (name, svc) in &services_snapshot {
        if let Some(nets) = svc.get("networks").and_then(Value::as_object) {
            for net in nets.keys() {
                // `default` is compose's own, defined or not (under --no-normalize, not yet).
                if !network_keys.contains(net) && net != "default" {
                    inconsistent.get_or_insert(Error::invalid(
                        format!("services.{name}.networks"),
                        format!("refers to undefined network {net:?}: define it under networks:"),
                    ));
                }
            }
        }
        if let Some(models) = svc.get("models").and_then(Value::as_object) {
            let defined = root.get("models").and_then(Value::as_object);
            for key in models.keys() {
                if !defined.is_some_and(|d| d.contains_key(key)) {
                    inconsistent.get_or_insert(Error::invalid(
                        format!("services.{name}.models"),
                        format!("refers to undefined model {key:?}: define it under models:"),
                    ));
                }
            }
        }
        if let Some(mounts) = svc.get("volumes").and_then(Value::as_array) {
            for m in mounts {
                if m["type"] == "volume"
                    && let Some(src) = m.get("source").and_then(Value::as_str)
                    && !volume_keys.contains(src)
                {
                    inconsistent.get_or_insert(Error::invalid(
                        format!("services.{name}.volumes"),
                        format!("refers to undefined volume {src:?}: define it under volumes:"),
                    ));
                }
            }
        }
    }
    for kind in ["networks", "volumes"] {
        if root
            .get(kind)
            .and_then(Value::as_object)
            .is_some_and(|m| m.is_empty())
        {
            root.remove(kind);
        }
    }
    Ok((read_env_files, inconsistent))
}

/// `environment` of a service (or a `pre_start` step, `s`, at `at`) in its normal form: its
/// `env_file` entries, then its own, bare names from the environment; the files it read are
/// added to `read_env_files` (each once).
fn fold_environment(
    s: &mut serde_json::Map<String, Value>,
    at: &str,
    env: &Environment,
    read_env_files: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let mut environment: BTreeMap<String, String> = BTreeMap::new();
    if let Some(files) = s.remove("env_file").and_then(|v| v.as_array().cloned()) {
        for f in files {
            let path = PathBuf::from(f["path"].as_str().unwrap_or_default());
            let required = f["required"].as_bool().unwrap_or(true);
            if !required && !path.exists() {
                continue;
            }
            if !read_env_files.contains(&path) {
                read_env_files.push(path.clone());
            }
            let vars = dotenv::read(&path, &|n: &str| env.get(n)).map_err(|e| match e {
                Error::Read { path, reason } => Error::invalid(
                    format!("{at}.env_file"),
                    format!("cannot read {}: {reason}", path.display()),
                ),
                other => other,
            })?;
            environment.extend(vars);
        }
    }
    if let Some(map) = s.remove("environment").and_then(|v| v.as_object().cloned()) {
        for (k, v) in map {
            match v {
                Value::Null => {
                    if let Some(val) = env.get(&k) {
                        environment.insert(k, val);
                    }
                }
                Value::String(val) => {
                    environment.insert(k, val);
                }
                other => {
                    environment.insert(k, other.to_string());
                }
            }
        }
    }
    if !environment.is_empty() {
        s.insert(
            "environment".into(),
            serde_json::to_value(environment).unwrap_or_default(),
        );
    }
    Ok(())
}

/// A service (or job) its profiles leave out, as far as it reads: it is not normalised (nothing
/// runs it), so a key in a short form (`command: echo hi`) may not read as the model has it;
/// then only its image, profiles and triggers are kept, which is what is asked of it (`config
/// --profiles`, the app's list of jobs), rather than losing it.
fn read_disabled(v: Value) -> crate::model::Service {
    serde_json::from_value(v.clone()).unwrap_or_else(|_| {
        let kept: serde_json::Map<String, Value> = v
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| matches!(k.as_str(), "image" | "profiles" | "triggers"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        serde_json::from_value(Value::Object(kept)).unwrap_or_default()
    })
}

/// Puts the project's jobs among its services, for what loading does to a container's keys;
/// returns their names. A job sharing a service's name, or extending one, is refused.
fn jobs_among_services(json: &mut Value) -> Result<Vec<String>, Error> {
    let Some(Value::Object(jobs)) = json.as_object_mut().and_then(|r| r.remove("jobs")) else {
        return Ok(Vec::new());
    };
    let root = json.as_object_mut().expect("the model is a mapping");
    let services = root
        .entry("services")
        .or_insert_with(|| Value::Object(Default::default()));
    let Some(services) = services.as_object_mut() else {
        return Err(Error::invalid("services", "expected a mapping of services"));
    };
    let mut names = Vec::new();
    for (name, job) in jobs {
        if services.contains_key(&name) {
            return Err(Error::invalid(
                format!("jobs.{name}"),
                "a service has this name too: rename one of them",
            ));
        }
        if job.get("extends").is_some() {
            return Err(Error::invalid(
                format!("jobs.{name}.extends"),
                "a job extending another is not supported by Berth: write its keys out",
            ));
        }
        services.insert(name.clone(), job);
        names.push(name);
    }
    Ok(names)
}

/// Takes the jobs ([`jobs_among_services`]) back out of the services.
fn jobs_apart(json: &mut Value, names: &[String]) {
    if names.is_empty() {
        return;
    }
    let mut jobs = serde_json::Map::new();
    if let Some(services) = json.get_mut("services").and_then(Value::as_object_mut) {
        for name in names {
            if let Some(job) = services.remove(name) {
                jobs.insert(name.clone(), job);
            }
        }
    }
    if let Some(root) = json.as_object_mut() {
        root.insert("jobs".into(), Value::Object(jobs));
    }
}

/// `name:` for a network or volume: `project_key` unless set; external ones keep their key.
fn engine_name(def: &mut Value, project: &str, key: &str) {
    if !def.is_object() {
        *def = Value::Object(Default::default());
    }
    let external = def
        .get("external")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let obj = def.as_object_mut().expect("an object");
    if !obj.contains_key("name") {
        let name = if external {
            key.to_owned()
        } else {
            format!("{project}_{key}")
        };
        obj.insert("name".into(), name.into());
    }
}
