//! The model runner's plugin against a real program (a shell script standing for
//! `docker-model` in a Docker config's cli-plugins): how it is found, what it is asked, how its
//! answers are read and how its failures are told.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Mutex;

use berth_compose::model::ModelDef;
use berth_compose::model_runner::Runner;

/// Logs its arguments; lists what `pull` added; `status` names an endpoint unless
/// `$MODEL_MODE` says otherwise; its version is `$MODEL_VERSION`.
const PLUGIN: &str = r#"#!/bin/sh
dir=$(dirname "$0")/..
if [ "$1" = docker-cli-plugin-metadata ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"Docker Inc.","Version":"'$MODEL_VERSION'"}'
  exit 0
fi
echo "$*" >> "$dir/log"
case "$1 $MODEL_MODE" in
  "ls "*)
    printf '['; sep=
    while read -r t; do printf '%s{"id":"sha256:1","tags":["%s"],"created":1}' "$sep" "$t"; sep=,; done < "$dir/pulled"
    echo ']' ;;
  "pull broken") echo "pulling" ; echo "model not found: $2" >&2; exit 1 ;;
  "pull "*) printf 'Downloaded 1 MB of 2 MB\rDownloaded 2 MB of 2 MB\n'; echo 'Model pulled successfully'; echo "$2" >> "$dir/pulled" ;;
  "configure "*) ;;
  "status stopped") echo '{"running":false,"endpoint":""}' ;;
  "status "*) echo '{"running":true,"endpoint":"http://model-runner.docker.internal/engines/v1/"}' ;;
esac
"#;

fn setup(dir: &Path, version: &str, mode: &str) -> BTreeMap<String, String> {
    let plugins = dir.join("cli-plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let path = plugins.join("docker-model");
    std::fs::write(&path, PLUGIN).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("pulled"), "ai/smollm2:latest\n").unwrap();
    BTreeMap::from([
        ("DOCKER_CONFIG".to_owned(), dir.display().to_string()),
        ("PATH".to_owned(), "/usr/bin:/bin".to_owned()),
        ("MODEL_VERSION".to_owned(), version.to_owned()),
        ("MODEL_MODE".to_owned(), mode.to_owned()),
    ])
}

fn def(model: &str) -> ModelDef {
    ModelDef {
        model: model.into(),
        context_size: Some(4096),
        runtime_flags: vec!["--temp".into(), "0.1".into()],
        ..ModelDef::default()
    }
}

#[tokio::test]
async fn the_plugin_lists_pulls_configures_and_says_where_it_serves() {
    let dir = tempfile::tempdir().unwrap();
    let env = setup(dir.path(), "v1.0.6", "");
    let runner = Runner::find(&env, dir.path()).await.unwrap();
    assert_eq!(
        runner.pulled().await.unwrap(),
        ["ai/smollm2:latest".to_owned()].into()
    );
    let progress = Mutex::new(Vec::new());
    let report = |status: &str, line: Option<String>| {
        progress.lock().unwrap().push(format!("{status} {line:?}"));
    };
    runner.pull("ai/qwen3", &report).await.unwrap();
    assert_eq!(
        progress.into_inner().unwrap(),
        [
            "Pulling Some(\"Downloaded 2 MB of 2 MB\")",
            "Pulling Some(\"Model pulled successfully\")"
        ],
        "a redrawn progress line is told by its last state"
    );
    assert!(runner.pulled().await.unwrap().contains("ai/qwen3"));
    runner.configure(&def("ai/qwen3")).await.unwrap();
    assert_eq!(
        runner.endpoint().await.unwrap(),
        "http://model-runner.docker.internal/engines/v1/"
    );
    let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
    assert_eq!(
        log,
        "ls --json\npull ai/qwen3\nls --json\nconfigure --context-size 4096 ai/qwen3 -- --temp 0.1\nstatus --json\n"
    );

    // A plugin older than 1.0.6 is not given the runtime flags.
    let old = tempfile::tempdir().unwrap();
    let env = setup(old.path(), "v1.0.5", "");
    let runner = Runner::find(&env, old.path()).await.unwrap();
    runner.configure(&def("ai/smollm2")).await.unwrap();
    let log = std::fs::read_to_string(old.path().join("log")).unwrap();
    assert_eq!(log, "configure --context-size 4096 ai/smollm2\n");
}

#[tokio::test]
async fn failures_name_the_command_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let env = setup(dir.path(), "v1.0.6", "broken");
    let runner = Runner::find(&env, dir.path()).await.unwrap();
    let report = |_: &str, _: Option<String>| {};
    let e = runner.pull("ai/nothing", &report).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("docker-model pull: exited with status 1: model not found: ai/nothing"),
        "{text}"
    );
    let env = setup(dir.path(), "v1.0.6", "stopped");
    let runner = Runner::find(&env, dir.path()).await.unwrap();
    let e = runner.endpoint().await.unwrap_err().to_string();
    assert!(
        e.contains("docker-model status: its status names no endpoint"),
        "{e}"
    );
}
