//! One file's service and resource definitions in their long, keyed forms, so that files merge
//! by key and the rest of the loader reads one shape: lists of `KEY=VALUE` become mappings,
//! short `ports`/`volumes`/`depends_on`/`networks`/`secrets`/`env_file` entries become their
//! long syntax, and relative paths become absolute against the file's base directory.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::yaml::{Node, Tag};

/// Applies `f` to the node under a tag, keeping the tag.
fn inner_mut(node: &mut Node) -> &mut Node {
    match node {
        Node::Tagged(_, inner) => inner_mut(inner),
        other => other,
    }
}

fn text(node: &Node) -> Option<String> {
    node.scalar_text()
}

/// A build context the builder fetches (a URL, `git@host:repo`, `github.com/…`): it stays as
/// written, not resolved against the project's folder.
fn remote(context: &str) -> bool {
    context.contains("://") || context.starts_with("git@") || context.starts_with("github.com/")
}

/// Resolves `path` (with `~` for the home directory) against `base`.
pub fn absolute(base: &Path, path: &str) -> String {
    let expanded: PathBuf = match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(rest.trim_start_matches('/')),
        _ => PathBuf::from(path),
    };
    let joined = if expanded.is_absolute() {
        expanded
    } else {
        base.join(expanded)
    };
    // Lexical clean-up of `.` and `..`, as compose does (no symlink resolution).
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.to_string_lossy().into_owned()
}

/// `[KEY=VALUE, KEY]` or `{KEY: VALUE}` as a mapping of text (or null for a bare `KEY` when
/// `bare_null`, else empty text).
fn to_map(node: &mut Node, at: &str, sep: &[char], bare_null: bool) -> Result<(), Error> {
    let n = inner_mut(node);
    let entries = match n {
        Node::Seq(items) => {
            let mut entries = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let t = text(item).ok_or_else(|| {
                    Error::invalid(format!("{at}[{i}]"), "expected KEY=VALUE text")
                })?;
                match t.find(sep) {
                    Some(p) => entries.push((t[..p].to_owned(), Node::Str(t[p + 1..].to_owned()))),
                    None if bare_null => entries.push((t, Node::Null)),
                    None => entries.push((t, Node::Str(String::new()))),
                }
            }
            entries
        }
        Node::Map(entries) => entries
            .drain(..)
            .map(|(k, v)| {
                let v = match v.untagged() {
                    Node::Null if bare_null => Node::Null,
                    Node::Null => Node::Str(String::new()),
                    other => other.scalar_text().map(Node::Str).unwrap_or(v),
                };
                (k, v)
            })
            .collect(),
        Node::Null => Vec::new(),
        _ => {
            return Err(Error::invalid(
                at,
                "expected a mapping or a list of KEY=VALUE",
            ));
        }
    };
    *n = Node::Map(entries);
    Ok(())
}

/// A string or a list of strings as a list.
fn to_list(node: &mut Node) {
    let n = inner_mut(node);
    if let Some(s) = n.scalar_text() {
        *n = Node::Seq(vec![Node::Str(s)]);
    }
}

fn port_long(spec: &str, at: &str) -> Result<Vec<Node>, Error> {
    let mappings = berth_docker::spec::parse_port(spec).map_err(|_| {
        Error::invalid(
            at,
            format!(
                "{spec:?} is not a port: write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]"
            ),
        )
    })?;
    Ok(mappings
        .into_iter()
        .map(|m| {
            let mut entries = vec![
                ("mode".to_owned(), Node::Str("ingress".into())),
                ("target".to_owned(), Node::Int(m.container_port.into())),
                ("protocol".to_owned(), Node::Str(m.proto.clone())),
            ];
            if let Some(ip) = &m.host_ip {
                entries.push(("host_ip".to_owned(), Node::Str(ip.clone())));
            }
            if m.host_port.is_some() {
                entries.push(("published".to_owned(), Node::Str(m.published())));
            }
            Node::Map(entries)
        })
        .collect())
}

fn ports(node: &mut Node, at: &str) -> Result<(), Error> {
    let Node::Seq(items) = inner_mut(node) else {
        return Ok(());
    };
    let mut out = Vec::new();
    for (i, item) in items.drain(..).enumerate() {
        let at = format!("{at}[{i}]");
        match item {
            Node::Map(mut entries) => {
                let mut long = Node::Map(Vec::new());
                for (k, v) in entries.drain(..) {
                    let v = match (k.as_str(), v) {
                        ("published", v) => v.scalar_text().map(Node::Str).unwrap_or(v),
                        ("target", Node::Str(s)) => {
                            s.parse::<i64>().map(Node::Int).map_err(|_| {
                                Error::invalid(&at, format!("target {s:?} is not a port"))
                            })?
                        }
                        (_, v) => v,
                    };
                    long.set(&k, v);
                }
                if long.get("protocol").is_none() {
                    long.set("protocol", Node::Str("tcp".into()));
                }
                if long.get("mode").is_none() {
                    long.set("mode", Node::Str("ingress".into()));
                }
                out.push(long);
            }
            other => {
                let spec = text(&other).ok_or_else(|| Error::invalid(&at, "expected a port"))?;
                out.extend(port_long(&spec, &at)?);
            }
        }
    }
    *items = out;
    Ok(())
}

/// Is this short-syntax volume source a path (a bind) rather than a volume name?
fn is_path(source: &str) -> bool {
    source.starts_with(['.', '/', '~'])
        || (source.len() > 2
            && source.as_bytes()[1] == b':'
            && source.as_bytes()[0].is_ascii_alphabetic())
}

fn volumes(node: &mut Node, at: &str, base: &Path) -> Result<(), Error> {
    let Node::Seq(items) = inner_mut(node) else {
        return Ok(());
    };
    for (i, item) in items.iter_mut().enumerate() {
        let at = format!("{at}[{i}]");
        match item {
            Node::Map(_) => {
                if item.get("type").and_then(Node::as_str) == Some("bind")
                    && let Some(src) = item.get("source").and_then(Node::as_str)
                {
                    let abs = absolute(base, src);
                    item.set("source", Node::Str(abs));
                }
                if item.get("type").is_none() {
                    item.set("type", Node::Str("volume".into()));
                }
            }
            other => {
                let spec = text(other).ok_or_else(|| Error::invalid(&at, "expected a volume"))?;
                let parts: Vec<&str> = spec.split(':').collect();
                let (source, target, mode) = match parts.as_slice() {
                    [t] => (None, *t, ""),
                    [s, t] => (Some(*s), *t, ""),
                    [s, t, m] => (Some(*s), *t, *m),
                    _ => {
                        return Err(Error::invalid(
                            &at,
                            format!("{spec:?} is not a volume: write [SOURCE:]TARGET[:MODE]"),
                        ));
                    }
                };
                if target.is_empty() || !target.starts_with('/') {
                    return Err(Error::invalid(
                        &at,
                        format!(
                            "{spec:?}: the target {target:?} must be an absolute path in the container"
                        ),
                    ));
                }
                let modes: Vec<&str> = mode.split(',').filter(|m| !m.is_empty()).collect();
                let mut long = Node::Map(Vec::new());
                match source {
                    Some(s) if is_path(s) => {
                        long.set("type", Node::Str("bind".into()));
                        long.set("source", Node::Str(absolute(base, s)));
                        long.set("target", Node::Str(target.into()));
                        let mut bind = vec![("create_host_path".to_owned(), Node::Bool(true))];
                        if let Some(sel) = modes.iter().find(|m| matches!(**m, "z" | "Z")) {
                            bind.push(("selinux".to_owned(), Node::Str((*sel).into())));
                        }
                        long.set("bind", Node::Map(bind));
                    }
                    Some(s) => {
                        long.set("type", Node::Str("volume".into()));
                        long.set("source", Node::Str(s.into()));
                        long.set("target", Node::Str(target.into()));
                        let nocopy = modes.contains(&"nocopy");
                        long.set(
                            "volume",
                            Node::Map(if nocopy {
                                vec![("nocopy".to_owned(), Node::Bool(true))]
                            } else {
                                Vec::new()
                            }),
                        );
                    }
                    None => {
                        long.set("type", Node::Str("volume".into()));
                        long.set("target", Node::Str(target.into()));
                        long.set("volume", Node::Map(Vec::new()));
                    }
                }
                if modes.contains(&"ro") {
                    long.set("read_only", Node::Bool(true));
                }
                *other = long;
            }
        }
    }
    Ok(())
}

fn depends_on(node: &mut Node, at: &str) -> Result<(), Error> {
    let n = inner_mut(node);
    let mut entries = match std::mem::replace(n, Node::Null) {
        Node::Seq(items) => {
            let mut entries = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let name = item.as_str().ok_or_else(|| {
                    Error::invalid(format!("{at}[{i}]"), "expected a service name")
                })?;
                entries.push((name.to_owned(), Node::Map(Vec::new())));
            }
            entries
        }
        Node::Map(entries) => entries,
        Node::Null => Vec::new(),
        _ => return Err(Error::invalid(at, "expected a list or mapping of services")),
    };
    for (_, dep) in entries.iter_mut() {
        let dep = inner_mut(dep);
        if matches!(dep, Node::Null) {
            *dep = Node::Map(Vec::new());
        }
        if dep.get("condition").is_none() {
            dep.set("condition", Node::Str("service_started".into()));
        }
        if dep.get("required").is_none() {
            dep.set("required", Node::Bool(true));
        }
    }
    *n = Node::Map(entries);
    Ok(())
}

fn named_refs(node: &mut Node) {
    // `networks: [a, b]` → `{a: null, b: null}`.
    let n = inner_mut(node);
    if let Node::Seq(items) = n {
        let entries = items
            .iter()
            .filter_map(|i| i.scalar_text().map(|name| (name, Node::Null)))
            .collect();
        *n = Node::Map(entries);
    }
}

fn file_refs(node: &mut Node) {
    // `secrets: [a]` → `[{source: a}]`.
    if let Node::Seq(items) = inner_mut(node) {
        for item in items.iter_mut() {
            if let Some(s) = item.as_str() {
                *item = Node::Map(vec![("source".to_owned(), Node::Str(s.to_owned()))]);
            }
        }
    }
}

fn env_files(node: &mut Node, base: &Path) {
    to_list(node);
    if let Node::Seq(items) = inner_mut(node) {
        for item in items.iter_mut() {
            let (path, required) = match &*item {
                Node::Map(_) => (
                    item.get("path")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default(),
                    item.get("required").cloned().unwrap_or(Node::Bool(true)),
                ),
                other => (other.scalar_text().unwrap_or_default(), Node::Bool(true)),
            };
            *item = Node::Map(vec![
                ("path".to_owned(), Node::Str(absolute(base, &path))),
                ("required".to_owned(), required),
            ]);
        }
    }
}

/// Canonical forms for one service of a file whose relative paths are relative to `base`.
pub fn service(svc: &mut Node, at: &str, base: &Path) -> Result<(), Error> {
    let svc = inner_mut(svc);
    if matches!(svc, Node::Null) {
        *svc = Node::Map(Vec::new());
    }
    let Node::Map(_) = svc else {
        return Err(Error::invalid(at, "a service is a mapping"));
    };
    let keys: Vec<String> = match &*svc {
        Node::Map(entries) => entries.iter().map(|(k, _)| k.clone()).collect(),
        _ => Vec::new(),
    };
    for key in keys {
        let here = format!("{at}.{key}");
        let Some(v) = svc.get_mut(&key) else { continue };
        if matches!(v, Node::Tagged(Tag::Reset, _)) {
            continue;
        }
        match key.as_str() {
            "environment" => to_map(v, &here, &['='], true)?,
            "labels" | "annotations" => to_map(v, &here, &['='], false)?,
            "sysctls" => to_map(v, &here, &['='], false)?,
            "extra_hosts" => to_map(v, &here, &['=', ':'], false)?,
            "ports" => ports(v, &here)?,
            "expose" => {
                if let Node::Seq(items) = inner_mut(v) {
                    for item in items.iter_mut() {
                        if let Some(t) = item.scalar_text() {
                            *item = Node::Str(t);
                        }
                    }
                }
            }
            "volumes" => volumes(v, &here, base)?,
            "depends_on" => depends_on(v, &here)?,
            "networks" | "models" => named_refs(v),
            "secrets" | "configs" => file_refs(v),
            "env_file" => env_files(v, base),
            // A step's container keys take the forms a service's do.
            "pre_start" => {
                if let Node::Seq(steps) = inner_mut(v) {
                    for (i, step) in steps.iter_mut().enumerate() {
                        if matches!(inner_mut(step), Node::Map(_)) {
                            service(step, &format!("{here}[{i}]"), base)?;
                        }
                    }
                }
            }
            "dns" | "dns_search" | "tmpfs" | "label_file" => to_list(v),
            "healthcheck" => {
                if let Some(test) = inner_mut(v).get_mut("test")
                    && let Some(s) = test.as_str()
                {
                    *test = Node::Seq(vec![Node::Str("CMD-SHELL".into()), Node::Str(s.to_owned())]);
                }
            }
            "build" => {
                let b = inner_mut(v);
                if let Some(ctx) = b.as_str() {
                    *b = Node::Map(vec![("context".to_owned(), Node::Str(ctx.to_owned()))]);
                }
                let ctx = b
                    .get("context")
                    .and_then(Node::as_str)
                    .unwrap_or(".")
                    .to_owned();
                if !remote(&ctx) {
                    b.set("context", Node::Str(absolute(base, &ctx)));
                }
                for key in ["args", "labels"] {
                    if let Some(m) = b.get_mut(key) {
                        to_map(m, &format!("{here}.{key}"), &['='], key == "args")?;
                    }
                }
                if let Some(m) = b.get_mut("extra_hosts") {
                    to_map(m, &format!("{here}.extra_hosts"), &['=', ':'], false)?;
                }
                // A folder from the project's, as compose resolves them; another service's or
                // stage's image, an image, a URL as written.
                if let Some(m) = b.get_mut("additional_contexts") {
                    to_map(m, &format!("{here}.additional_contexts"), &['='], false)?;
                    if let Node::Map(entries) = inner_mut(m) {
                        for (_, v) in entries {
                            let Some(path) = v.as_str() else { continue };
                            let image = ["docker-image:", "oci-layout:", "target:", "service:"]
                                .iter()
                                .any(|p| path.starts_with(p));
                            if !remote(path) && !image {
                                *v = Node::Str(absolute(base, path));
                            }
                        }
                    }
                }
            }
            "extends" => {
                let e = inner_mut(v);
                if let Some(s) = e.as_str() {
                    *e = Node::Map(vec![("service".to_owned(), Node::Str(s.to_owned()))]);
                }
                if let Some(file) = e.get("file").and_then(Node::as_str) {
                    let abs = absolute(base, file);
                    e.set("file", Node::Str(abs));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Canonical forms for a whole file: every service, and the top-level resources (a bare
/// `name:` entry becomes an empty mapping; secret and config files become absolute).
pub fn file(doc: &mut Node, base: &Path) -> Result<(), Error> {
    for kind in ["services", "jobs"] {
        if let Some(Node::Map(entries)) = doc.get_mut(kind).map(inner_mut) {
            for (name, svc) in entries.iter_mut() {
                service(svc, &format!("{kind}.{name}"), base)?;
            }
        }
    }
    for kind in ["networks", "volumes", "secrets", "configs"] {
        if let Some(Node::Map(entries)) = doc.get_mut(kind).map(inner_mut) {
            for (_, v) in entries.iter_mut() {
                let v = inner_mut(v);
                if matches!(v, Node::Null) {
                    *v = Node::Map(Vec::new());
                }
                if matches!(kind, "secrets" | "configs")
                    && let Some(f) = v.get("file").and_then(Node::as_str)
                {
                    let abs = absolute(base, f);
                    v.set("file", Node::Str(abs));
                }
                if let Some(labels) = v.get_mut("labels") {
                    to_map(labels, kind, &['='], false)?;
                }
            }
        }
    }
    Ok(())
}
