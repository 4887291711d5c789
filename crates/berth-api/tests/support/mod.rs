//! What the facade's real-engine tests share: a facade on the harness's engine, in a home of
//! its own.

use std::path::Path;

use berth_api::{Berth, Launch, Target};
use berth_engine::context::Env;
use berth_testkit::{Engine, Scope, busybox_image};

/// A facade on `engine`, its home in a temporary directory (removed when the guard drops).
#[allow(dead_code)] // Not every test binary uses it.
pub fn berth_on(engine: &Engine) -> (tempfile::TempDir, Berth) {
    let home = tempfile::tempdir().unwrap();
    let berth = berth_in(home.path(), Target::Host(engine.host.clone()));
    (home, berth)
}

/// A facade for `target` with everything of the user's under `home`.
pub fn berth_in(home: &Path, target: Target) -> Berth {
    Berth::with(
        env_in(home),
        home.join("settings.json"),
        Launch::InProcess,
        target,
    )
    .unwrap()
}

/// The environment of a user whose home, Docker config, data, state and runtime directory are
/// in `home`.
pub fn env_in(home: &Path) -> Env {
    Env {
        docker_host: None,
        docker_context: None,
        docker_config: Some(home.join(".docker")),
        home: Some(home.to_owned()),
        xdg_runtime_dir: Some(home.join("run")),
        data_dir: Some(home.join("data")),
        state_dir: Some(home.join("state")),
    }
}

/// A busybox image whose containers sleep for an hour, `berth-test/<scope>:<tag>`, built in
/// `scope` (removed with it); its name.
#[allow(dead_code)]
pub fn sleeper(engine: &'static Engine, scope: &Scope, tag: &str) -> String {
    let image = format!("berth-test/{}:{tag}", scope.id);
    busybox_image(engine, scope, &image, "CMD [\"sleep\", \"3600\"]");
    image
}
