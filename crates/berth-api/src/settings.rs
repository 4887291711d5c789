//! Berth's settings, persisted as JSON in the user's config directory.

use std::path::{Path, PathBuf};

use berth_engine::context::Env;
use berth_engine::own::{Bridge, EngineConfig, Mode};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ApiError;

/// Every setting, with its default. Unknown keys in the file are ignored; missing ones default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Settings {
    /// Start Berth's own engine when no engine is reachable.
    pub engine_autostart: bool,
    /// Restart Berth's engine after a crash, with backoff.
    pub engine_restart_on_crash: bool,
    pub engine_restart_max_attempts: u32,
    /// dockerd to run, by name or path.
    pub engine_dockerd: String,
    /// The rootful engine's own bridge (never `docker0`, which a system engine owns).
    pub engine_bridge_name: String,
    pub engine_bridge_cidr: String,
    pub engine_address_pool: String,
    /// Start Berth when the user logs in.
    pub start_at_login: bool,
    /// Started at login, stay in the tray without opening the window.
    pub start_minimised: bool,
    /// Desktop notifications: containers that die unexpectedly or turn unhealthy, the engine
    /// stopping without being asked, finished pulls and builds.
    pub notifications: bool,
    /// How often the dashboard and stats views sample, in milliseconds (250–10000).
    pub stats_interval_ms: u32,
    /// `system`, `light` or `dark`.
    pub theme: String,
}

impl Default for Settings {
    fn default() -> Self {
        let bridge = Bridge::default();
        Self {
            engine_autostart: true,
            engine_restart_on_crash: true,
            engine_restart_max_attempts: 5,
            engine_dockerd: "dockerd".into(),
            engine_bridge_name: bridge.name,
            engine_bridge_cidr: bridge.cidr,
            engine_address_pool: bridge.pool,
            start_at_login: false,
            start_minimised: false,
            notifications: true,
            stats_interval_ms: 1000,
            theme: "system".into(),
        }
    }
}

impl Settings {
    /// Rejects values the app cannot use, naming the setting.
    pub fn check(&self) -> Result<(), ApiError> {
        if !(250..=10_000).contains(&self.stats_interval_ms) {
            return Err(ApiError::invalid(format!(
                "stats interval {} ms: give 250 to 10000 ms",
                self.stats_interval_ms
            )));
        }
        if !matches!(self.theme.as_str(), "system" | "light" | "dark") {
            return Err(ApiError::invalid(format!(
                "theme {:?}: choose system, light or dark",
                self.theme
            )));
        }
        if self.engine_dockerd.trim().is_empty() {
            return Err(ApiError::invalid(
                "engine dockerd: name the dockerd to run, e.g. dockerd",
            ));
        }
        let name = &self.engine_bridge_name;
        if name.is_empty()
            || name.len() > 15
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return Err(ApiError::invalid(format!(
                "engine bridge {name:?}: a network interface name is 1 to 15 letters, digits, '_', '.' or '-', e.g. berth0"
            )));
        }
        if name == "docker0" {
            return Err(ApiError::invalid(
                "engine bridge docker0: that is the system engine's bridge; give Berth's engine its own, e.g. berth0",
            ));
        }
        let ipv4 = |text: &str, what: &str, example: &str, bits: std::ops::RangeInclusive<u8>| {
            match berth_docker::networks::parse_cidr(text) {
                Some((ip, b)) if ip.is_ipv4() && bits.contains(&b) => Ok(()),
                _ => Err(ApiError::invalid(format!(
                    "{what} {text:?}: give an IPv4 ADDRESS/PREFIX with a prefix of {} to {}, e.g. {example}",
                    bits.start(),
                    bits.end()
                ))),
            }
        };
        ipv4(
            &self.engine_bridge_cidr,
            "engine bridge address",
            "10.199.0.1/24",
            8..=30,
        )?;
        ipv4(
            &self.engine_address_pool,
            "engine address pool",
            "10.199.128.0/17",
            8..=24,
        )?;
        Ok(())
    }

    /// `$XDG_CONFIG_HOME/berth/settings.json`.
    pub fn default_path() -> PathBuf {
        dirs::config_dir()
            .unwrap_or_else(|| PathBuf::from(".config"))
            .join("berth")
            .join("settings.json")
    }

    /// Reads the file; a missing file gives the defaults, a malformed one an error naming it.
    pub fn load(path: &Path) -> Result<Self, ApiError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::invalid(format!(
                    "{}: not valid settings ({e}); fix or remove the file",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(ApiError::invalid(format!(
                "{}: cannot read it ({e})",
                path.display()
            ))),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), ApiError> {
        let json = serde_json::to_vec_pretty(self).expect("settings serialise");
        crate::write_replacing(path, &json)
            .map_err(|e| ApiError::invalid(format!("{}: cannot write it ({e})", path.display())))
    }

    /// The engine configuration these settings describe, for the user `env` describes.
    pub fn engine_config(&self, env: &Env) -> EngineConfig {
        let mut config = EngineConfig::for_env(env);
        config.dockerd = PathBuf::from(&self.engine_dockerd);
        config.restart.enabled = self.engine_restart_on_crash;
        config.restart.max_attempts = self.engine_restart_max_attempts;
        if config.mode == Mode::Rootful {
            config.bridge = Some(Bridge {
                name: self.engine_bridge_name.clone(),
                cidr: self.engine_bridge_cidr.clone(),
                pool: self.engine_address_pool.clone(),
            });
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_partial_file_fills_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        assert_eq!(Settings::load(&path).unwrap(), Settings::default());
        std::fs::write(&path, r#"{"engine_autostart": false, "future_key": 1}"#).unwrap();
        let s = Settings::load(&path).unwrap();
        assert!(!s.engine_autostart);
        assert_eq!(s.engine_bridge_name, "berth0");
    }

    #[test]
    fn malformed_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{not json").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert!(
            err.message.contains("settings.json: not valid settings"),
            "{err}"
        );
    }

    #[test]
    fn the_engine_bridge_is_checked_and_named_in_the_error() {
        let with = |f: fn(&mut Settings)| {
            let mut s = Settings::default();
            f(&mut s);
            s.check().map_err(|e| e.message)
        };
        assert_eq!(with(|_| {}), Ok(()));
        for (bad, says) in [
            (
                with(|s| s.engine_bridge_name = "docker0".into()),
                "engine bridge docker0: that is the system engine's bridge",
            ),
            (
                with(|s| s.engine_bridge_name = "a-very-long-bridge".into()),
                "engine bridge \"a-very-long-bridge\": a network interface name is 1 to 15",
            ),
            (
                with(|s| s.engine_bridge_cidr = "10.199.0.1".into()),
                "engine bridge address \"10.199.0.1\": give an IPv4 ADDRESS/PREFIX with a prefix of 8 to 30",
            ),
            (
                with(|s| s.engine_address_pool = "fd00::/64".into()),
                "engine address pool \"fd00::/64\": give an IPv4",
            ),
        ] {
            let err = bad.unwrap_err();
            assert!(err.starts_with(says), "{err}");
        }
    }

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/settings.json");
        let s = Settings {
            engine_restart_max_attempts: 2,
            ..Settings::default()
        };
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), s);
    }
}
