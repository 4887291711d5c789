//! Compose projects as OCI artifacts, in the shape `docker compose publish` pushes and
//! `docker compose -f oci://…` reads: an OCI image manifest whose layers are the project's
//! compose files as written (`application/vnd.docker.compose.file+yaml`, each named by its
//! `com.docker.compose.file` annotation) and, when asked, the env files its services read
//! (`application/vnd.docker.compose.envfile`), with an empty config. An OCI 1.1 manifest says
//! the `artifactType`; an OCI 1.0 one (for registries that refuse 1.1) has an image config
//! instead. This module makes and reads manifests, checks what may be published and writes a
//! fetched artifact's files; moving the bytes is the facade's (berth-registry).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use berth_registry::digest;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::load::read;
use crate::model::Project;

/// The `artifactType` of a compose project.
pub const ARTIFACT_TYPE: &str = "application/vnd.docker.compose.project";
/// A compose file's layer.
pub const FILE_TYPE: &str = "application/vnd.docker.compose.file+yaml";
/// An env file's layer.
pub const ENV_FILE_TYPE: &str = "application/vnd.docker.compose.envfile";
/// The manifest's own media type.
pub const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// An index, which a tag may name instead of the manifest.
pub const INDEX_TYPE: &str = "application/vnd.oci.image.index.v1+json";
/// What a fetch asks the registry for.
pub const ACCEPT: &str =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
const EMPTY_TYPE: &str = "application/vnd.oci.empty.v1+json";
const IMAGE_CONFIG_TYPE: &str = "application/vnd.oci.image.config.v1+json";
const COMPOSE_EMPTY_CONFIG_TYPE: &str = "application/vnd.docker.compose.config.empty.v1+json";
const FILE_ANNOTATION: &str = "com.docker.compose.file";
const ENV_FILE_ANNOTATION: &str = "com.docker.compose.envfile";
const VERSION_ANNOTATION: &str = "com.docker.compose.version";
const EXTENDS_ANNOTATION: &str = "com.docker.compose.extends";
/// The compose version Berth's artifacts say they were made by (the compose-spec version
/// Berth follows, as compose writes its own).
pub const COMPOSE_VERSION: &str = "2.40.3";
/// The config blob of both manifest versions: an empty JSON object.
pub const EMPTY_CONFIG: &[u8] = b"{}";

/// Which OCI manifest shape (`--oci-version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OciVersion {
    /// An image config and no `artifactType`, for registries that refuse OCI 1.1.
    V1_0,
    /// `artifactType` with an empty config.
    V1_1,
}

impl OciVersion {
    pub fn parse(text: &str) -> Result<Self, Error> {
        match text {
            "1.0" => Ok(Self::V1_0),
            "1.1" => Ok(Self::V1_1),
            other => Err(Error::invalid(
                "--oci-version",
                format!("{other:?} is not an OCI version: give 1.0 or 1.1"),
            )),
        }
    }
}

/// What a layer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    ComposeFile,
    EnvFile,
}

impl LayerKind {
    fn media_type(self) -> &'static str {
        match self {
            Self::ComposeFile => FILE_TYPE,
            Self::EnvFile => ENV_FILE_TYPE,
        }
    }

    fn annotation(self) -> &'static str {
        match self {
            Self::ComposeFile => FILE_ANNOTATION,
            Self::EnvFile => ENV_FILE_ANNOTATION,
        }
    }
}

/// A layer to publish: a file's name and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    pub kind: LayerKind,
    pub name: String,
    pub data: Vec<u8>,
    /// A file a service extends (named by compose's hash of its path): written beside the
    /// project's files when fetched, not loaded as one of them.
    pub extends: bool,
}

/// The manifest of `layers` in the shape of `version`, made at `created` (RFC 3339). Its
/// config blob is [`EMPTY_CONFIG`], which has to be pushed with the layers.
pub fn manifest(layers: &[Layer], version: OciVersion, created: &str) -> Vec<u8> {
    let layers: Vec<Value> = layers
        .iter()
        .map(|l| {
            let mut layer = json!({
                "mediaType": l.kind.media_type(),
                "digest": digest(&l.data),
                "size": l.data.len(),
                "annotations": {
                    l.kind.annotation(): l.name,
                    VERSION_ANNOTATION: COMPOSE_VERSION,
                },
            });
            if l.extends {
                layer["annotations"][EXTENDS_ANNOTATION] = json!("true");
            }
            layer
        })
        .collect();
    let config_type = match version {
        OciVersion::V1_0 => IMAGE_CONFIG_TYPE,
        OciVersion::V1_1 => EMPTY_TYPE,
    };
    let mut config = json!({
        "mediaType": config_type,
        "digest": digest(EMPTY_CONFIG),
        "size": EMPTY_CONFIG.len(),
    });
    let mut manifest = serde_json::Map::new();
    manifest.insert("schemaVersion".into(), json!(2));
    manifest.insert("mediaType".into(), json!(MANIFEST_TYPE));
    if version == OciVersion::V1_1 {
        manifest.insert("artifactType".into(), json!(ARTIFACT_TYPE));
        config["data"] = json!("e30=");
    }
    manifest.insert("config".into(), config);
    manifest.insert("layers".into(), Value::Array(layers));
    manifest.insert(
        "annotations".into(),
        json!({ "org.opencontainers.image.created": created }),
    );
    serde_json::to_vec(&Value::Object(manifest)).expect("a manifest is JSON")
}

/// A layer of a fetched artifact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerRef {
    pub kind: LayerKind,
    /// The file's name (a plain name: no directory).
    pub name: String,
    pub digest: String,
    /// A file a service extends (see [`Layer::extends`]).
    pub extends: bool,
}

/// What a tag names: the compose manifest itself, or an index holding it (its digest).
pub fn manifest_in_index(index: &[u8], reference: &str) -> Result<String, Error> {
    let v: Value = serde_json::from_slice(index)
        .map_err(|e| Error::invalid(reference, format!("its index is not JSON: {e}")))?;
    v.get("manifests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|m| m.get("artifactType").and_then(Value::as_str) == Some(ARTIFACT_TYPE))
        .and_then(|m| m.get("digest").and_then(Value::as_str))
        .map(str::to_owned)
        .ok_or_else(|| not_compose(reference))
}

fn not_compose(reference: &str) -> Error {
    Error::invalid(
        reference,
        "is not a compose project (not the artifact `compose publish` pushes)",
    )
}

/// The layers of a compose project's manifest, in order; anything else (an image, a layer with
/// no file name or a name with a directory in it) is refused.
pub fn read_manifest(manifest: &[u8], reference: &str) -> Result<Vec<LayerRef>, Error> {
    let v: Value = serde_json::from_slice(manifest)
        .map_err(|e| Error::invalid(reference, format!("its manifest is not JSON: {e}")))?;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let layers = v.get("layers").and_then(Value::as_array).cloned();
    let layers = layers.unwrap_or_default();
    let compose_layer = |l: &Value| {
        matches!(
            text(l, "mediaType").as_deref(),
            Some(FILE_TYPE | ENV_FILE_TYPE)
        )
    };
    let config_type = v.get("config").and_then(|c| text(c, "mediaType"));
    let compose = match text(&v, "artifactType") {
        Some(t) => t == ARTIFACT_TYPE,
        // OCI 1.0: an image config (or compose's own empty one) over compose's layers only.
        None => {
            matches!(
                config_type.as_deref(),
                Some(IMAGE_CONFIG_TYPE | COMPOSE_EMPTY_CONFIG_TYPE)
            ) && !layers.is_empty()
                && layers.iter().all(compose_layer)
        }
    };
    if !compose {
        return Err(not_compose(reference));
    }
    let mut out = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let kind = match text(l, "mediaType").as_deref() {
            Some(FILE_TYPE) => LayerKind::ComposeFile,
            Some(ENV_FILE_TYPE) => LayerKind::EnvFile,
            // Other layers are not compose's to read.
            _ => continue,
        };
        let at = format!("{reference}: layer {i}");
        let annotations = l.get("annotations");
        let extends = annotations
            .and_then(|a| text(a, EXTENDS_ANNOTATION))
            .as_deref()
            == Some("true");
        let name = annotations
            .and_then(|a| text(a, kind.annotation()))
            .ok_or_else(|| {
                Error::invalid(&at, format!("has no {} annotation", kind.annotation()))
            })?;
        if !plain_name(&name) {
            return Err(Error::invalid(
                &at,
                format!("names the file {name:?}, which is not a plain file name"),
            ));
        }
        let digest = text(l, "digest")
            .filter(|d| d.starts_with("sha256:"))
            .ok_or_else(|| Error::invalid(&at, "has no sha256 digest"))?;
        out.push(LayerRef {
            kind,
            name,
            digest,
            extends,
        });
    }
    if !out.iter().any(|l| l.kind == LayerKind::ComposeFile) {
        return Err(Error::invalid(reference, "holds no compose file"));
    }
    Ok(out)
}

/// A name with no directory in it (not `..`, not absolute, no separator).
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// The file each of a fetched artifact's layers is in its directory: its name, a name two layers
/// share kept apart by their place (`1-compose.yaml`).
fn file_names(layers: &[LayerRef]) -> Vec<String> {
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    layers
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            let seen = used.entry(&layer.name).or_default();
            *seen += 1;
            match *seen {
                1 => layer.name.clone(),
                _ => format!("{i}-{}", layer.name),
            }
        })
        .collect()
}

/// Writes a fetched artifact's files (`data`, each layer's bytes) into `dir`.
pub fn write_files(dir: &Path, layers: &[LayerRef], data: &[Vec<u8>]) -> Result<(), Error> {
    let write_err = |path: &Path, e: std::io::Error| Error::Read {
        path: path.to_owned(),
        reason: format!("cannot write it: {e}"),
    };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    for (name, data) in file_names(layers).iter().zip(data) {
        let path = dir.join(name);
        std::fs::write(&path, data).map_err(|e| write_err(&path, e))?;
    }
    Ok(())
}

/// The compose files of an artifact written in `dir`, in the manifest's order: what `-f`
/// loads (not the files services extend, nor env files).
pub fn compose_files(dir: &Path, layers: &[LayerRef]) -> Vec<PathBuf> {
    layers
        .iter()
        .zip(file_names(layers))
        .filter(|(l, _)| l.kind == LayerKind::ComposeFile && !l.extends)
        .map(|(_, name)| dir.join(name))
        .collect()
}

/// The layers `compose publish` pushes for `project`: its compose files as written (but for
/// `extends.file`, which names the extended file's published copy), the files its services
/// extend (named by compose's hash of their path), then (with `with_env`) the env files its
/// services read. Refused, as compose refuses them: a service with a build section and no image
/// (nothing to pull), a bind mount (the files are not in the artifact), environment variables
/// without `with_env` (they would be published), and files that include other files.
pub fn layers(project: &Project, with_env: bool) -> Result<Vec<Layer>, Error> {
    let mut only_build = Vec::new();
    for (name, svc) in project.services.iter().chain(&project.disabled) {
        if svc.image.is_none() && svc.build.is_some() {
            only_build.push(name.as_str());
        }
        if let Some(m) = svc.volumes.iter().find(|m| m.kind == "bind") {
            return Err(Error::invalid(
                format!("services.{name}.volumes"),
                format!(
                    "cannot publish the bind mount of {}: its files are not in the artifact; use a named volume",
                    m.target
                ),
            ));
        }
        if !with_env && !svc.environment.is_empty() {
            return Err(Error::invalid(
                format!("services.{name}"),
                "has environment variables (environment or env_file), which would be published: pass --with-env to publish them, or take them out",
            ));
        }
    }
    if !only_build.is_empty() {
        return Err(Error::invalid(
            "services",
            format!(
                "{} only build{} an image: give each an image: to publish the project (its image is pushed there)",
                only_build.join(", "),
                if only_build.len() == 1 { "s" } else { "" }
            ),
        ));
    }
    if !with_env
        && let Some(name) = project
            .configs
            .iter()
            .find_map(|(name, c)| c.get("environment").map(|_| name))
    {
        return Err(Error::invalid(
            format!("configs.{name}"),
            "is made from an environment variable, which would be published: pass --with-env to publish it",
        ));
    }
    let mut layers = Vec::new();
    // The files services extend, named as compose names them, each published once.
    let mut extended: Vec<(PathBuf, String)> = Vec::new();
    let renamed = |path: &Path,
                   base: &Path,
                   extended: &mut Vec<(PathBuf, String)>|
     -> Result<String, Error> {
        let (text, named) = extends_renamed(path, base, &read(path)?)?;
        for (file, hashed) in named {
            if !extended.iter().any(|(_, h)| *h == hashed) {
                extended.push((file, hashed));
            }
        }
        Ok(text)
    };
    for path in &project.config_files {
        let text = renamed(path, &project.working_dir, &mut extended)?;
        layers.push(Layer {
            kind: LayerKind::ComposeFile,
            name: file_name(path),
            data: text.into_bytes(),
            extends: false,
        });
    }
    // A file extended by an extended file is relative to that one's directory.
    let mut next = 0;
    while let Some((path, hashed)) = extended.get(next).cloned() {
        next += 1;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let text = renamed(&path, &base, &mut extended)?;
        layers.push(Layer {
            kind: LayerKind::ComposeFile,
            name: hashed,
            data: text.into_bytes(),
            extends: true,
        });
    }
    if with_env {
        for path in &project.service_env_files {
            layers.push(Layer {
                kind: LayerKind::EnvFile,
                name: file_name(path),
                data: read(path)?.into_bytes(),
                extends: false,
            });
        }
    }
    Ok(layers)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `text` (the compose file at `path`) with each service's `extends.file` replaced by the name
/// compose publishes that file under, the hash of its absolute path (`HEX.yaml`), the rest as
/// written; and the files so named, absolute (relative ones are from `base`). A file with
/// `include:` is refused, as compose refuses it: the included files are not in the artifact.
fn extends_renamed(
    path: &Path,
    base: &Path,
    text: &str,
) -> Result<(String, Vec<(PathBuf, String)>), Error> {
    use crate::yaml::Node;
    let at = |key: &str| format!("{}: {key}", path.display());
    let doc = crate::yaml::parse(path, text)?;
    if doc.get("include").is_some() {
        return Err(Error::invalid(
            at("include"),
            "cannot publish a project that includes other files (they are not in the artifact), as compose cannot",
        ));
    }
    let mut edits = Vec::new();
    let mut named = Vec::new();
    if let Some(Node::Map(services)) = doc.get("services").map(Node::untagged) {
        for (name, svc) in services {
            let Some(file) = svc
                .get("extends")
                .and_then(|e| e.get("file"))
                .and_then(Node::as_str)
            else {
                continue;
            };
            let key = format!("services.{name}.extends.file");
            let range = crate::locate::value_range(text, &key)
                .filter(|_| !file.contains('$'))
                .ok_or_else(|| {
                    Error::invalid(
                        at(&key),
                        "is not a plain file name Berth can publish the file under (a variable, say): write the path",
                    )
                })?;
            let absolute = crate::canon::absolute(base, file);
            let hashed = format!("{:x}.yaml", Sha256::digest(absolute.as_bytes()));
            edits.push((range, hashed.clone()));
            named.push((PathBuf::from(absolute), hashed));
        }
    }
    let mut text = text.to_owned();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, hashed) in edits {
        text.replace_range(range, &hashed);
    }
    Ok((text, named))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> Layer {
        Layer {
            kind: LayerKind::ComposeFile,
            name: name.into(),
            data: text.as_bytes().to_vec(),
            extends: false,
        }
    }

    #[test]
    fn a_manifest_is_compose_s_artifact_in_either_oci_version() {
        let layers = [
            file("compose.yaml", "services:\n  web:\n    image: busybox\n"),
            Layer {
                kind: LayerKind::EnvFile,
                name: "web.env".into(),
                data: b"A=1\n".to_vec(),
                extends: false,
            },
        ];
        let created = "2026-12-08T03:00:00Z";
        let m = manifest(&layers, OciVersion::V1_1, created);
        let got = String::from_utf8(m.clone()).unwrap();
        // serde_json writes keys in order; the layers' digests are their bytes' own.
        let golden = format!(
            r#"{{"annotations":{{"org.opencontainers.image.created":"2026-12-08T03:00:00Z"}},"artifactType":"application/vnd.docker.compose.project","config":{{"data":"e30=","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","mediaType":"application/vnd.oci.empty.v1+json","size":2}},"layers":[{{"annotations":{{"com.docker.compose.file":"compose.yaml","com.docker.compose.version":"2.40.3"}},"digest":"{}","mediaType":"application/vnd.docker.compose.file+yaml","size":36}},{{"annotations":{{"com.docker.compose.envfile":"web.env","com.docker.compose.version":"2.40.3"}},"digest":"{}","mediaType":"application/vnd.docker.compose.envfile","size":4}}],"mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}}"#,
            digest(&layers[0].data),
            digest(&layers[1].data)
        );
        assert_eq!(got, golden);
        assert_eq!(
            digest(EMPTY_CONFIG),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        // Read back: both files, in order, by name.
        let read = read_manifest(&m, "oci://r/app").unwrap();
        assert_eq!(
            read.iter()
                .map(|l| (l.kind, l.name.as_str()))
                .collect::<Vec<_>>(),
            [
                (LayerKind::ComposeFile, "compose.yaml"),
                (LayerKind::EnvFile, "web.env")
            ]
        );
        // OCI 1.0: an image config and no artifactType, read as compose's too.
        let old: Value =
            serde_json::from_slice(&manifest(&layers, OciVersion::V1_0, created)).unwrap();
        assert!(old.get("artifactType").is_none());
        assert_eq!(old["config"]["mediaType"], IMAGE_CONFIG_TYPE);
        assert!(old["config"].get("data").is_none());
        assert_eq!(
            read_manifest(&serde_json::to_vec(&old).unwrap(), "oci://r/app").unwrap(),
            read
        );
    }

    #[test]
    fn what_is_not_a_compose_artifact_or_names_a_path_is_refused() {
        let image = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:aa","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:bb","size":9}]}"#;
        assert_eq!(
            read_manifest(image, "oci://r/busybox")
                .unwrap_err()
                .to_string(),
            "oci://r/busybox: is not a compose project (not the artifact `compose publish` pushes)"
        );
        let sneaky = manifest(
            &[file("../../etc/cron.d/x", "services: {}\n")],
            OciVersion::V1_1,
            "t",
        );
        assert_eq!(
            read_manifest(&sneaky, "oci://r/app")
                .unwrap_err()
                .to_string(),
            "oci://r/app: layer 0: names the file \"../../etc/cron.d/x\", which is not a plain file name"
        );
        assert!(OciVersion::parse("1.2").is_err());
    }

    #[test]
    fn a_fetched_artifact_s_files_are_written_and_its_compose_files_listed() {
        let dir = std::env::temp_dir().join(format!("berth-oci-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let layer = |kind, name: &str, extends| LayerRef {
            kind,
            name: name.into(),
            digest: String::new(),
            extends,
        };
        let layers = [
            layer(LayerKind::ComposeFile, "compose.yaml", false),
            layer(LayerKind::ComposeFile, "compose.yaml", false),
            layer(LayerKind::ComposeFile, "base.yaml", true),
            layer(LayerKind::EnvFile, "web.env", false),
        ];
        let data = [b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"A=1".to_vec()];
        write_files(&dir, &layers, &data).unwrap();
        let files = compose_files(&dir, &layers);
        // The extended file is written beside them, not loaded as one of the project's.
        assert_eq!(
            files,
            [dir.join("compose.yaml"), dir.join("1-compose.yaml")]
        );
        assert_eq!(std::fs::read(dir.join("1-compose.yaml")).unwrap(), b"b");
        assert_eq!(std::fs::read(dir.join("base.yaml")).unwrap(), b"c");
        assert_eq!(std::fs::read(dir.join("web.env")).unwrap(), b"A=1");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_extends_another_names_its_published_copy_and_is_kept_as_written() {
        let text = "# the web service\nservices:\n  web:\n    extends:\n      file: ../shared/base.yaml   # shared\n      service: base\n  db:\n    extends: {service: db, file: \"/etc/compose/db.yaml\"}\n  local:\n    extends: web\n";
        let path = Path::new("/p/app/compose.yaml");
        let (out, named) = extends_renamed(path, Path::new("/p/app"), text).unwrap();
        let hash = |p: &str| format!("{:x}.yaml", Sha256::digest(p.as_bytes()));
        let (base, db) = (hash("/p/shared/base.yaml"), hash("/etc/compose/db.yaml"));
        assert_eq!(
            out,
            format!(
                "# the web service\nservices:\n  web:\n    extends:\n      file: {base}   # shared\n      service: base\n  db:\n    extends: {{service: db, file: {db}}}\n  local:\n    extends: web\n"
            )
        );
        assert_eq!(
            named,
            [
                (PathBuf::from("/p/shared/base.yaml"), base),
                (PathBuf::from("/etc/compose/db.yaml"), db)
            ]
        );
        let err = extends_renamed(
            path,
            Path::new("/p/app"),
            "services:\n  web:\n    extends: {service: b, file: \"${DIR}/b.yaml\"}\n",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("services.web.extends.file: is not a plain file name"),
            "{err}"
        );
        let err =
            extends_renamed(path, Path::new("/p/app"), "include: [other.yaml]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "/p/app/compose.yaml: include: cannot publish a project that includes other files (they are not in the artifact), as compose cannot"
        );
    }
}
