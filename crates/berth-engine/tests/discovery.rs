//! Discovery and contexts over fake `~/.docker` trees: the documented order, DOCKER_HOST,
//! DOCKER_CONTEXT, DOCKER_CONFIG, TLS material, and bad input. No engine needed.

use std::path::Path;

use berth_engine::Error;
use berth_engine::context::{ContextStore, Env};
use berth_engine::discovery::{Source, candidates, connect_first};
use sha2::{Digest, Sha256};

fn hash(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn context(dir: &Path, name: &str, host: &str, tls: bool) {
    let meta = dir.join("contexts/meta").join(hash(name));
    std::fs::create_dir_all(&meta).unwrap();
    let json = format!(
        r#"{{"Name":"{name}","Metadata":{{"Description":"d-{name}"}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#
    );
    std::fs::write(meta.join("meta.json"), json).unwrap();
    if tls {
        let t = dir.join("contexts/tls").join(hash(name)).join("docker");
        std::fs::create_dir_all(&t).unwrap();
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(t.join(f), "pem").unwrap();
        }
    }
}

fn env(home: &Path) -> Env {
    Env {
        home: Some(home.to_owned()),
        ..Env::default()
    }
}

fn hosts(store: &ContextStore) -> Vec<(String, String)> {
    candidates(store, Path::new("/run/berth/docker.sock"))
        .unwrap()
        .into_iter()
        .map(|c| (c.source.to_string(), c.endpoint.host))
        .collect()
}

#[test]
fn order_without_anything_configured() {
    let home = tempfile::tempdir().unwrap();
    let mut e = env(home.path());
    e.xdg_runtime_dir = Some("/run/user/1000".into());
    assert_eq!(
        hosts(&ContextStore::new(e)),
        [
            ("system socket".into(), "unix:///var/run/docker.sock".into()),
            (
                "user socket".into(),
                "unix:///run/user/1000/docker.sock".into()
            ),
            (
                "Berth's engine".into(),
                "unix:///run/berth/docker.sock".into()
            ),
        ]
    );
}

#[test]
fn docker_host_comes_first_then_the_current_context() {
    let home = tempfile::tempdir().unwrap();
    let dot = home.path().join(".docker");
    context(&dot, "remote", "tcp://10.1.2.3:2376", true);
    std::fs::write(dot.join("config.json"), r#"{"currentContext":"remote"}"#).unwrap();
    let mut e = env(home.path());
    e.docker_host = Some("tcp://127.0.0.1:2375".into());
    let got = hosts(&ContextStore::new(e));
    assert_eq!(
        got[0],
        ("DOCKER_HOST".into(), "tcp://127.0.0.1:2375".into())
    );
    assert_eq!(
        got[1],
        ("context remote".into(), "tcp://10.1.2.3:2376".into())
    );
    assert_eq!(got[2].0, "system socket");
}

#[test]
fn docker_context_overrides_config_and_docker_config_moves_the_tree() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = home.path().join("elsewhere");
    context(&elsewhere, "a", "unix:///a.sock", false);
    context(&elsewhere, "b", "unix:///b.sock", false);
    std::fs::write(elsewhere.join("config.json"), r#"{"currentContext":"a"}"#).unwrap();
    let mut e = env(home.path());
    e.docker_config = Some(elsewhere.clone());
    assert_eq!(
        hosts(&ContextStore::new(e.clone()))[0],
        ("context a".into(), "unix:///a.sock".into())
    );
    e.docker_context = Some("b".into());
    assert_eq!(
        hosts(&ContextStore::new(e))[0],
        ("context b".into(), "unix:///b.sock".into())
    );
}

#[test]
fn duplicate_endpoints_are_tried_once() {
    let home = tempfile::tempdir().unwrap();
    let mut e = env(home.path());
    e.docker_host = Some("unix:///var/run/docker.sock".into());
    let got = hosts(&ContextStore::new(e));
    assert_eq!(
        got.iter()
            .filter(|(_, h)| h == "unix:///var/run/docker.sock")
            .count(),
        1
    );
    assert_eq!(got[0].0, "DOCKER_HOST");
}

#[test]
fn tls_material_is_found_beside_the_context() {
    let home = tempfile::tempdir().unwrap();
    let dot = home.path().join(".docker");
    context(&dot, "secure", "tcp://h:2376", true);
    context(&dot, "plain", "tcp://h:2375", false);
    let store = ContextStore::new(env(home.path()));
    let secure = store.get("secure").unwrap();
    let tls = secure.endpoint.tls.expect("TLS material");
    assert_eq!(
        tls.ca,
        dot.join("contexts/tls")
            .join(hash("secure"))
            .join("docker/ca.pem")
    );
    assert!(store.get("plain").unwrap().endpoint.tls.is_none());
    let names: Vec<String> = store.list().unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["default", "plain", "secure"]);
}

#[test]
fn unknown_context_is_an_error_naming_it() {
    let home = tempfile::tempdir().unwrap();
    let mut e = env(home.path());
    e.docker_context = Some("ghost".into());
    let err = candidates(&ContextStore::new(e), Path::new("/x")).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownContext { name } if name == "ghost"),
        "{err}"
    );
    assert!(err.to_string().contains("berth context ls"));
}

#[test]
fn broken_meta_is_named_with_its_file() {
    let home = tempfile::tempdir().unwrap();
    let dot = home.path().join(".docker");
    let meta = dot.join("contexts/meta").join(hash("bad"));
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(meta.join("meta.json"), "{").unwrap();
    let err = ContextStore::new(env(home.path())).list().unwrap_err();
    assert!(
        err.to_string()
            .contains("meta.json: is not a valid context"),
        "{err}"
    );
}

#[test]
fn use_context_writes_config_like_docker() {
    let home = tempfile::tempdir().unwrap();
    let dot = home.path().join(".docker");
    context(&dot, "x", "unix:///x.sock", false);
    std::fs::write(
        dot.join("config.json"),
        r#"{"credsStore":"pass","currentContext":"default"}"#,
    )
    .unwrap();
    let store = ContextStore::new(env(home.path()));
    store.use_context("x").unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dot.join("config.json")).unwrap()).unwrap();
    assert_eq!(
        (v["currentContext"].as_str(), v["credsStore"].as_str()),
        (Some("x"), Some("pass"))
    );
    assert_eq!(store.current_name().unwrap(), "x");
    assert!(matches!(
        store.use_context("nope"),
        Err(Error::UnknownContext { .. })
    ));
}

#[tokio::test]
async fn nothing_answering_lists_every_attempt() {
    let home = tempfile::tempdir().unwrap();
    let mut e = env(home.path());
    e.docker_host = Some("unix:///nonexistent/d.sock".into());
    e.xdg_runtime_dir = Some(home.path().to_owned());
    let store = ContextStore::new(e);
    let list: Vec<_> = candidates(&store, &home.path().join("berth.sock"))
        .unwrap()
        .into_iter()
        .filter(|c| c.source != Source::SystemSocket)
        .collect();
    let err = connect_first(&list, std::time::Duration::from_secs(1))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "no engine is reachable (DOCKER_HOST unix:///nonexistent/d.sock: no socket; user socket"
        ),
        "{err}"
    );
    assert!(err.ends_with(": no socket)"), "{err}");
}
