//! Provider services against real programs (shell scripts speaking the protocol): the
//! arguments they are given, their messages, what they give dependants, and how they fail.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Mutex;

use berth_compose::provider::{self, Command};
use berth_compose::{LoadOptions, Project, load};

/// A provider that logs its arguments, has a `stop` in its metadata, asks for its service's
/// config and gives two variables; `--mode=error` and `--mode=crash` make it fail.
const CLOUDY: &str = r#"#!/bin/sh
if [ "$2" = metadata ]; then
  echo '{"description":"test cloud","up":{"parameters":[{"name":"mode"},{"name":"size"}]},"down":{"parameters":[]},"stop":{"parameters":[]}}'
  exit 0
fi
echo "$*" >> "$PROVIDER_LOG"
case "$*" in
  *--mode=error*) echo '{"type":"error","message":"quota exceeded"}'; sleep 5; exit 0 ;;
  *--mode=crash*) echo "cannot reach the cloud" >&2; exit 3 ;;
  *--mode=babble*) echo "hello"; exit 0 ;;
esac
if [ "$3" = up ]; then
  echo '{"type":"info","message":"preparing mysql"}'
  echo '{"type":"get-service-config"}'
  read -r config
  echo "$config" > "$PROVIDER_LOG.config"
  echo '{"type":"debug","message":"not shown"}'
  echo '{"type":"setenv","message":"URL=https://db:1234/x?a=b"}'
  echo '{"type":"rawsetenv","message":"TOKEN=xyz"}'
fi
"#;

/// A provider with no metadata subcommand and no stop.
const PLAIN: &str =
    "#!/bin/sh\n[ \"$2\" = metadata ] && exit 1\necho \"$*\" >> \"$PROVIDER_LOG\"\n";

fn script(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn project(dir: &Path, mode: &str) -> (Project, BTreeMap<String, String>) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    script(&bin, "cloudy", CLOUDY);
    script(&bin, "plain", PLAIN);
    std::fs::write(
        dir.join("compose.yaml"),
        format!(
            "name: demo
services:
  database:
    provider:
      type: cloudy
      options:
        mode: {mode}
        size: 256
        unknown: dropped
  other:
    provider:
      type: plain
  app:
    image: app:1
    depends_on: [database, other]
"
        ),
    )
    .unwrap();
    let env: std::collections::HashMap<String, String> = [
        (
            "PATH".to_owned(),
            format!("{}:/usr/bin:/bin", bin.display()),
        ),
        (
            "PROVIDER_LOG".to_owned(),
            dir.join("log").display().to_string(),
        ),
        ("HOME".to_owned(), dir.display().to_string()),
    ]
    .into();
    let p = load(&LoadOptions {
        working_dir: Some(dir.to_owned()),
        environment: Some(env),
        ..Default::default()
    })
    .unwrap();
    let env = p.environment.clone();
    (p, env)
}

fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("log")).unwrap_or_default()
}

#[tokio::test]
async fn a_provider_runs_with_its_options_and_gives_its_dependants_variables() {
    let dir = tempfile::tempdir().unwrap();
    let (mut p, env) = project(dir.path(), "fine");
    let reports = Mutex::new(Vec::new());
    let report = |status: &str, detail: Option<String>| {
        reports.lock().unwrap().push(format!("{status} {detail:?}"));
    };
    let vars = provider::run(&p, "database", Command::Up, &env, &report)
        .await
        .unwrap()
        .unwrap();
    // Only the options its metadata lists, then the service.
    assert_eq!(
        log(dir.path()),
        "compose --project-name=demo up --mode=fine --size=256 database\n"
    );
    assert_eq!(
        *reports.lock().unwrap(),
        [
            "Creating None",
            "Creating Some(\"preparing mysql\")",
            "Created None"
        ]
    );
    // Its question was answered with the service as `config` writes it.
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("log.config")).unwrap())
            .unwrap();
    assert_eq!(config["provider"]["type"], "cloudy");
    assert_eq!(vars.prefixed["URL"], "https://db:1234/x?a=b");
    assert_eq!(vars.raw["TOKEN"], "xyz");
    p.given.providers.insert("database".into(), vars);
    let app = provider::environment(&p, "app");
    assert_eq!(app["DATABASE_URL"], "https://db:1234/x?a=b");
    assert_eq!(app["TOKEN"], "xyz");

    // Stop is run for a program whose metadata has one, and not for one without.
    provider::run(&p, "database", Command::Stop, &env, &report)
        .await
        .unwrap()
        .unwrap();
    assert!(
        provider::run(&p, "other", Command::Stop, &env, &report)
            .await
            .unwrap()
            .is_none()
    );
    // Without metadata every option goes, and down is run as up is.
    provider::run(&p, "other", Command::Down, &env, &report)
        .await
        .unwrap();
    provider::run(&p, "database", Command::Down, &env, &report)
        .await
        .unwrap();
    assert_eq!(
        log(dir.path()),
        "compose --project-name=demo up --mode=fine --size=256 database
compose --project-name=demo stop database
compose --project-name=demo down other
compose --project-name=demo down database
"
    );
}

#[tokio::test]
async fn a_failing_provider_fails_with_its_reason() {
    let quiet = |_: &str, _: Option<String>| {};
    for (mode, want) in [
        ("error", "database's provider cloudy"),
        ("crash", "exited with status 3: cannot reach the cloud"),
        ("babble", r#"wrote "hello", which is not a JSON message"#),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (p, env) = project(dir.path(), mode);
        let started = std::time::Instant::now();
        let e = provider::run(&p, "database", Command::Up, &env, &quiet)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{mode}: {e}");
        if mode == "error" {
            assert!(e.ends_with(": quota exceeded"), "{e}");
            // It is not waited for once it said it failed.
            assert!(started.elapsed() < std::time::Duration::from_secs(4));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut p, env) = project(dir.path(), "fine");
    p.services.get_mut("database").unwrap().other.insert(
        "provider".into(),
        serde_json::json!({"type": "missing-cloud"}),
    );
    let e = provider::run(&p, "database", Command::Up, &env, &quiet)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"services.database.provider.type: no program for provider "missing-cloud": install the Docker CLI plugin docker-missing-cloud, or put missing-cloud on PATH"#
    );
}
