//! A test's label: everything created with it is removed when the scope drops, pass or fail.

use crate::{Engine, unique_id};

/// The label key every test object carries.
pub const LABEL: &str = "berth.test";

pub struct Scope {
    pub id: String,
    engine: &'static Engine,
}

impl Scope {
    pub fn new(engine: &'static Engine) -> Self {
        Self {
            id: unique_id(),
            engine,
        }
    }

    /// `berth.test=<id>`, for `--label` and `--filter label=`.
    pub fn label(&self) -> String {
        format!("{LABEL}={}", self.id)
    }

    /// A name unique to this test: `bt-<id>-<what>`.
    pub fn name(&self, what: &str) -> String {
        format!("bt-{}-{what}", self.id)
    }

    fn listed(&self, args: &[&str]) -> Vec<String> {
        let out = self
            .engine
            .docker()
            .args(args)
            .arg("--filter")
            .arg(format!("label={}", self.label()))
            .output();
        out.map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let containers = self.listed(&["ps", "-aq"]);
        if !containers.is_empty() {
            let _ = self
                .engine
                .docker()
                .args(["rm", "-f", "-v"])
                .args(&containers)
                .output();
        }
        let networks = self.listed(&["network", "ls", "-q"]);
        if !networks.is_empty() {
            let _ = self
                .engine
                .docker()
                .args(["network", "rm"])
                .args(&networks)
                .output();
        }
        let volumes = self.listed(&["volume", "ls", "-q"]);
        if !volumes.is_empty() {
            let _ = self
                .engine
                .docker()
                .args(["volume", "rm", "-f"])
                .args(&volumes)
                .output();
        }
        let images = self.listed(&["images", "-q"]);
        if !images.is_empty() {
            let _ = self
                .engine
                .docker()
                .args(["rmi", "-f"])
                .args(&images)
                .output();
        }
    }
}
