//! The configuration file of Berth's engine: dockerd's `daemon.json`, Berth's own copy beside
//! its settings (not the system engine's `/etc/docker/daemon.json`), where the user sets what
//! Docker Desktop's "Docker Engine" settings set (registry mirrors, insecure registries, log
//! options, DNS, features…). Checked before dockerd reads it: a JSON object without the options
//! Berth sets on dockerd's command line, which dockerd refuses to be given twice.

use std::path::Path;

use super::{EngineConfig, Mode};

/// What a new file holds.
pub const EMPTY: &str = "{}\n";

/// The options Berth gives its engine itself, and where the user changes them instead.
fn owned(config: &EngineConfig) -> Vec<(&'static str, &'static str)> {
    let mut owned = vec![
        (
            "data-root",
            "Berth keeps its engine's data in its own place",
        ),
        (
            "exec-root",
            "Berth keeps its engine's runtime files in its own place",
        ),
        (
            "pidfile",
            "Berth keeps its engine's runtime files in its own place",
        ),
        ("hosts", "Berth's engine answers on Berth's own socket"),
        (
            "containerd-namespace",
            "Berth's engine keeps its containers in containerd's berth namespace",
        ),
        (
            "containerd-plugin-namespace",
            "Berth's engine keeps its containers in containerd's berth namespace",
        ),
    ];
    if config.mode == Mode::Rootful && config.bridge.is_some() {
        owned.extend([
            ("bridge", "set the engine bridge in Berth's settings"),
            ("bip", "set the engine bridge address in Berth's settings"),
            (
                "default-address-pools",
                "set the engine address pool in Berth's settings",
            ),
        ]);
    }
    owned
}

/// Checks the file's text; the error is one line naming the file and what to change.
pub fn check(path: &Path, text: &str, config: &EngineConfig) -> Result<(), String> {
    let file = path.display();
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!("{file}: not valid JSON ({e}); write an object, e.g. {{\"registry-mirrors\": [\"https://mirror.example\"]}}")
    })?;
    let Some(object) = value.as_object() else {
        return Err(format!(
            "{file}: not a JSON object; write one, e.g. {{\"registry-mirrors\": [\"https://mirror.example\"]}}"
        ));
    };
    for (key, why) in owned(config) {
        if object.contains_key(key) {
            return Err(format!(
                "{file}: \"{key}\" is Berth's to set ({why}); remove it from the file"
            ));
        }
    }
    Ok(())
}

/// The file of `config`, made empty (`{}`) when there is none yet, and checked: what the engine
/// start runs before dockerd reads it (on Linux; in a VM the file will go to the VM's dockerd).
#[cfg(target_os = "linux")]
pub(crate) fn prepare(config: &EngineConfig) -> Result<(), String> {
    let Some(path) = &config.daemon_json else {
        return Ok(());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::write(path, EMPTY)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            EMPTY.to_owned()
        }
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    check(path, &text, config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Env;
    use crate::own::Bridge;

    fn config(mode: Mode) -> EngineConfig {
        let mut c = EngineConfig::for_env(&Env::default());
        c.mode = mode;
        c.bridge = (mode == Mode::Rootful).then(Bridge::default);
        c
    }

    #[test]
    fn what_the_user_may_set_passes_and_what_berth_sets_is_refused_by_name() {
        let path = Path::new("/home/u/.config/berth/daemon.json");
        let rootful = config(Mode::Rootful);
        check(
            path,
            r#"{"registry-mirrors": ["https://m.example"], "insecure-registries": ["10.0.0.5:5000"], "labels": ["a=b"], "log-opts": {"max-size": "10m"}}"#,
            &rootful,
        )
        .unwrap();
        assert_eq!(
            check(path, r#"{"bridge": "docker0"}"#, &rootful).unwrap_err(),
            "/home/u/.config/berth/daemon.json: \"bridge\" is Berth's to set (set the engine bridge in Berth's settings); remove it from the file"
        );
        assert!(check(path, r#"{"data-root": "/srv"}"#, &rootful).is_err());
        // The rootless engine has no bridge of Berth's: its own there is the user's.
        check(path, r#"{"bip": "10.5.0.1/24"}"#, &config(Mode::Rootless)).unwrap();
    }

    #[test]
    fn text_that_is_not_a_json_object_is_named() {
        let path = Path::new("daemon.json");
        let rootful = config(Mode::Rootful);
        let err = check(path, "{\"labels\": [", &rootful).unwrap_err();
        assert!(err.starts_with("daemon.json: not valid JSON ("), "{err}");
        assert_eq!(
            check(path, "[1]", &rootful).unwrap_err(),
            "daemon.json: not a JSON object; write one, e.g. {\"registry-mirrors\": [\"https://mirror.example\"]}"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_missing_file_is_made_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(Mode::Rootful);
        c.daemon_json = Some(dir.path().join("berth/daemon.json"));
        prepare(&c).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("berth/daemon.json")).unwrap(),
            EMPTY
        );
        std::fs::write(dir.path().join("berth/daemon.json"), "{\"hosts\": []}").unwrap();
        assert!(
            prepare(&c)
                .unwrap_err()
                .contains("\"hosts\" is Berth's to set")
        );
    }
}
