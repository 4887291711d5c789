//! What the facade's real-engine tests share: a facade on the harness's engine, in a home of
//! its own.

use berth_api::{Berth, Launch, Target};
use berth_engine::context::Env;
use berth_testkit::Engine;

/// A facade on `engine`, its home in a temporary directory (removed when the guard drops).
pub fn berth_on(engine: &Engine) -> (tempfile::TempDir, Berth) {
    let home = tempfile::tempdir().unwrap();
    let env = Env {
        docker_host: None,
        docker_context: None,
        docker_config: Some(home.path().join(".docker")),
        home: Some(home.path().to_owned()),
        xdg_runtime_dir: Some(home.path().join("run")),
    };
    let berth = Berth::with(
        env,
        home.path().join("settings.json"),
        Launch::InProcess,
        Target::Host(engine.host.clone()),
    )
    .unwrap();
    (home, berth)
}
