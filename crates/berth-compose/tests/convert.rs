//! A service as the engine's create request: the keys beyond the common ones (limits, devices,
//! GPUs, cgroups, links, volumes from other containers, secrets and configs in files) reach the
//! container's host config as `docker compose` sends them, what Berth cannot apply is refused
//! or warned of by name, never dropped unsaid.

use berth_compose::convert::{create_request, inherit};
use berth_compose::host::FileCopy;
use berth_compose::plan::{self, UpOptions};
use berth_compose::{LoadOptions, Project, load};

fn project(dir: &std::path::Path, text: &str) -> Result<Project, berth_compose::Error> {
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
    load(&LoadOptions {
        working_dir: Some(dir.to_owned()),
        environment: Some(Default::default()),
        ..Default::default()
    })
}

const APP: &str = r#"
name: demo
services:
  db:
    image: db:1
  web:
    image: web:1
    cpu_shares: 512
    cpu_period: 100ms
    cpu_quota: 50000
    cpuset: "0"
    mem_reservation: 64m
    memswap_limit: 256m
    mem_swappiness: 10
    oom_score_adj: 100
    platform: linux/amd64
    cgroup: private
    cgroup_parent: berth.slice
    userns_mode: host
    uts: host
    devices: ["/dev/null:/dev/nothing:r", {source: /dev/zero}]
    device_cgroup_rules: ["c 1:3 mr"]
    gpus: all
    blkio_config:
      weight: 300
      device_read_bps: [{path: /dev/sda, rate: 12mb}]
      device_write_iops: [{path: /dev/sda, rate: 30}]
    links: ["db:database"]
    external_links: ["legacy"]
    volumes_from: ["db:ro", "container:data-box"]
    deploy:
      restart_policy: {condition: on-failure, max_attempts: 3}
      resources:
        limits: {pids: "64"}
        reservations:
          devices: [{capabilities: [tpu], count: 1}]
    secrets: [token, {source: cert, target: tls.pem}]
    configs: [{source: app, target: /etc/app.conf}, site]
    credential_spec: {file: spec.json}
    mac_address: "02:42:ac:11:00:02"
secrets:
  token: {file: ./token.txt}
  cert: {file: /etc/ssl/cert.pem}
configs:
  app: {file: ./app.conf}
  site: {file: ./site.conf}
"#;

#[test]
fn the_keys_beyond_the_common_ones_reach_the_host_config() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), APP).unwrap();
    let req = create_request(&p, "web", 1, "demo-web-1", "sha256:web", "1.41", false).unwrap();
    assert_eq!(req.platform.as_deref(), Some("linux/amd64"));
    let h = req.body.host_config.unwrap();
    let d = dir.path().display();
    assert_eq!(
        (
            h.cpu_shares,
            h.cpu_period,
            h.cpu_quota,
            h.cpuset_cpus.as_deref()
        ),
        (Some(512), Some(100_000), Some(50_000), Some("0"))
    );
    assert_eq!(
        (
            h.memory_reservation,
            h.memory_swap,
            h.memory_swappiness,
            h.oom_score_adj,
            h.pids_limit
        ),
        (
            Some(64 << 20),
            Some(256 << 20),
            Some(10),
            Some(100),
            Some(64)
        )
    );
    assert_eq!(
        (
            h.cgroupns_mode.map(|m| m.to_string()),
            h.cgroup_parent.as_deref(),
            h.userns_mode.as_deref(),
            h.uts_mode.as_deref()
        ),
        (
            Some("private".to_owned()),
            Some("berth.slice"),
            Some("host"),
            Some("host")
        )
    );
    let devices: Vec<_> = h
        .devices
        .unwrap()
        .into_iter()
        .map(|d| {
            format!(
                "{}:{}:{}",
                d.path_on_host.unwrap(),
                d.path_in_container.unwrap(),
                d.cgroup_permissions.unwrap()
            )
        })
        .collect();
    assert_eq!(
        devices,
        ["/dev/null:/dev/nothing:r", "/dev/zero:/dev/zero:rwm"]
    );
    assert_eq!(h.device_cgroup_rules.unwrap(), ["c 1:3 mr"]);
    let requests: Vec<_> = h
        .device_requests
        .unwrap()
        .into_iter()
        .map(|r| (r.count, r.capabilities))
        .collect();
    assert_eq!(
        requests,
        [
            (Some(-1), Some(vec![vec!["gpu".to_owned()]])),
            (Some(1), Some(vec![vec!["tpu".to_owned()]]))
        ]
    );
    assert_eq!(h.blkio_weight, Some(300));
    let read = &h.blkio_device_read_bps.unwrap()[0];
    assert_eq!(
        (read.path.as_deref(), read.rate),
        (Some("/dev/sda"), Some(12 << 20))
    );
    assert_eq!(h.blkio_device_write_iops.unwrap()[0].rate, Some(30));
    // On the project's network, the links go with its endpoint.
    assert_eq!(h.links, None);
    let endpoints = req
        .body
        .networking_config
        .as_ref()
        .and_then(|n| n.endpoints_config.as_ref())
        .unwrap();
    assert_eq!(
        endpoints["demo_default"].links.as_deref().unwrap(),
        ["demo-db-1:database", "legacy:legacy"]
    );
    assert_eq!(h.volumes_from.unwrap(), ["demo-db-1:ro", "data-box"]);
    let restart = h.restart_policy.unwrap();
    assert_eq!(
        (
            restart.name.map(|n| n.to_string()),
            restart.maximum_retry_count
        ),
        (Some("on-failure".to_owned()), Some(3))
    );
    assert_eq!(
        h.binds.unwrap(),
        [
            format!("{d}/token.txt:/run/secrets/token:ro"),
            "/etc/ssl/cert.pem:/run/secrets/tls.pem:ro".to_owned(),
            format!("{d}/app.conf:/etc/app.conf:ro"),
            format!("{d}/site.conf:/site:ro"),
        ]
    );
    // What Berth does not apply is said by name when it plans.
    let plan = plan::up(&p, &Default::default(), &UpOptions::default()).unwrap();
    assert_eq!(
        plan.warnings,
        ["services.web: credential_spec not applied by Berth (its containers are made without it)"]
    );
}

#[test]
fn secrets_and_configs_not_in_files_are_copied_in_and_a_swarms_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = "services:\n  web:\n    image: web:1\n    secrets: [{source: token, mode: 0440, uid: \"1000\"}]\n    configs: [motd]\nsecrets:\n  token: {environment: TOKEN}\nconfigs:\n  motd: {content: \"hello ${WHO}\"}\n";
    std::fs::write(dir.path().join(".env"), "TOKEN=s3cret\nWHO=berth\n").unwrap();
    let p = project(dir.path(), text).unwrap();
    let req = create_request(&p, "web", 1, "x-web-1", "sha256:web", "1.41", false).unwrap();
    assert_eq!(req.body.host_config.unwrap().binds, None);
    assert_eq!(
        req.files,
        [
            FileCopy {
                path: "/run/secrets/token".into(),
                content: b"s3cret".to_vec(),
                mode: 0o440,
                uid: 1000,
                gid: 0,
            },
            FileCopy {
                path: "/motd".into(),
                content: b"hello berth".to_vec(),
                mode: 0o444,
                uid: 0,
                gid: 0,
            },
        ]
    );
    // The variable not set: refused, naming it.
    std::fs::write(dir.path().join(".env"), "WHO=berth\n").unwrap();
    let p = project(dir.path(), text).unwrap();
    let err = create_request(&p, "web", 1, "x-web-1", "sha256:web", "1.41", false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("services.web.secrets")
            && err.contains("the variable TOKEN, which is not set"),
        "{err}"
    );
    // A swarm's secret has no place on one engine.
    let p = project(
        dir.path(),
        "services:\n  web:\n    image: web:1\n    secrets: [token]\nsecrets:\n  token: {external: true}\n",
    )
    .unwrap();
    let err = create_request(&p, "web", 1, "x-web-1", "sha256:web", "1.41", false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"token\" is a swarm's (external)"), "{err}");
}

#[test]
fn pid_and_ipc_of_another_service_name_its_container() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        "name: demo\nservices:\n  a:\n    image: a\n  b:\n    image: b\n    pid: service:a\n    ipc: service:a\n",
    )
    .unwrap();
    let h = create_request(&p, "b", 1, "demo-b-1", "sha256:b", "1.41", false)
        .unwrap()
        .body
        .host_config
        .unwrap();
    assert_eq!(
        (h.pid_mode.as_deref(), h.ipc_mode.as_deref()),
        (Some("container:demo-a-1"), Some("container:demo-a-1"))
    );
}

#[test]
fn use_api_socket_gives_the_engines_socket_and_the_logins() {
    let dir = tempfile::tempdir().unwrap();
    let text = "services:\n  cli:\n    image: cli:1\n    use_api_socket: true\n  own:\n    image: cli:1\n    use_api_socket: true\n    environment: [DOCKER_CONFIG=/cfg]\n  plain:\n    image: cli:1\n";
    let mut p = project(dir.path(), text).unwrap();
    // The engine is not reached through a unix socket: refused by name.
    let err = create_request(&p, "cli", 1, "x-cli-1", "sha256:cli", "1.41", false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "services.cli.use_api_socket: the engine is not reached through a unix socket"
        ),
        "{err}"
    );
    p.api_socket = Some(berth_compose::model::ApiSocket {
        socket: "/run/docker.sock".into(),
        config_json: r#"{"auths":{}}"#.into(),
    });
    assert!(
        !format!("{p:?}").contains("auths"),
        "the logins are never printed"
    );
    let req = create_request(&p, "cli", 1, "x-cli-1", "sha256:cli", "1.41", false).unwrap();
    assert_eq!(
        req.body.host_config.unwrap().binds.unwrap(),
        ["/run/docker.sock:/var/run/docker.sock"]
    );
    assert_eq!(req.body.env.unwrap(), ["DOCKER_CONFIG=/run/secrets/docker"]);
    assert_eq!(
        req.files,
        [FileCopy {
            path: "/run/secrets/docker/config.json".into(),
            content: br#"{"auths":{}}"#.to_vec(),
            mode: 0o444,
            uid: 0,
            gid: 0,
        }]
    );
    // A DOCKER_CONFIG the service sets is left as it is; a service without the key gets none.
    let req = create_request(&p, "own", 1, "x-own-1", "sha256:cli", "1.41", false).unwrap();
    assert_eq!(req.body.env.unwrap(), ["DOCKER_CONFIG=/cfg"]);
    let req = create_request(&p, "plain", 1, "x-plain-1", "sha256:cli", "1.41", false).unwrap();
    assert!(req.files.is_empty() && req.body.host_config.unwrap().binds.is_none());
}

#[test]
fn a_mac_address_is_on_the_first_network_and_one_per_network_needs_a_newer_engine() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
name: m
services:
  one:
    image: x:1
    mac_address: "02:42:AC:11:00:02"
    networks: {front: {priority: 10}, back: {}}
  two:
    image: x:1
    networks:
      front: {mac_address: "02:42:ac:11:00:03"}
      back: {mac_address: "02:42:ac:11:00:04"}
  clash:
    image: x:1
    mac_address: "02:42:ac:11:00:05"
    networks: {front: {mac_address: "02:42:ac:11:00:06"}}
  bad:
    image: x:1
    mac_address: "02:42:ac"
  shared:
    image: x:1
    mac_address: "02:42:ac:11:00:07"
    network_mode: host
networks: {front: {}, back: {}}
"#;
    let p = project(dir.path(), text).unwrap();
    let macs = |req: berth_compose::convert::CreateRequest| {
        let mut at: Vec<(String, Option<String>)> = req
            .body
            .networking_config
            .and_then(|n| n.endpoints_config)
            .unwrap_or_default()
            .into_iter()
            .chain(req.connect)
            .map(|(n, e)| (n, e.mac_address))
            .collect();
        at.sort();
        at
    };
    // The service's address is on its first network (by priority), written as the engine does.
    let req = create_request(&p, "one", 1, "m-one-1", "sha256:x", "1.41", false).unwrap();
    assert_eq!(
        macs(req),
        [
            ("m_back".to_owned(), None),
            ("m_front".to_owned(), Some("02:42:ac:11:00:02".to_owned()))
        ]
    );
    // One per network: from API 1.44 on; before, refused by name rather than dropped.
    let req = create_request(&p, "two", 1, "m-two-1", "sha256:x", "1.44", false).unwrap();
    assert_eq!(
        macs(req),
        [
            ("m_back".to_owned(), Some("02:42:ac:11:00:04".to_owned())),
            ("m_front".to_owned(), Some("02:42:ac:11:00:03".to_owned()))
        ]
    );
    let err = |service: &str| {
        create_request(&p, service, 1, "x", "sha256:x", "1.41", false)
            .unwrap_err()
            .to_string()
    };
    let e = err("two");
    assert!(
        e.contains("services.two.networks.front.mac_address: this engine (API 1.41) takes a MAC address on a container's first network only"),
        "{e}"
    );
    let e = err("clash");
    assert!(
        e.contains("services.clash.networks.front.mac_address: 02:42:ac:11:00:06 differs from the service's mac_address 02:42:ac:11:00:05"),
        "{e}"
    );
    let e = err("bad");
    assert!(
        e.contains("services.bad.mac_address: 02:42:ac is not a MAC address"),
        "{e}"
    );
    let e = err("shared");
    assert!(
        e.contains("services.shared.mac_address: network_mode host gives the container no network of its own"),
        "{e}"
    );
}

#[test]
fn a_pre_start_step_is_a_container_of_its_own_with_the_services_volumes_and_networks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("step.env"), "FROM_FILE=yes\nB=from-file\n").unwrap();
    let text = r#"
name: demo
services:
  web:
    image: web:1
    command: ["serve"]
    user: "1000"
    working_dir: /app
    environment: {A: "1", B: "2"}
    networks: {front: {priority: 10, aliases: [www]}, back: {}}
    volumes: ["data:/data"]
    ports: ["8000:80"]
    restart: always
    labels: {team: web, role: server}
    extra_hosts: ["db.local=10.0.0.2"]
    cap_add: [NET_ADMIN]
    dns: [1.1.1.1]
    pre_start:
      - command: chown 1000 /data
        user: root
        environment: [B=three]
        env_file: step.env
        labels: {role: init}
        extra_hosts: ["cache.local:10.0.0.3"]
        dns: [8.8.8.8]
        volumes: ["./seed:/seed:ro"]
      - image: tools:2
networks: {front: {}, back: {}}
volumes: {data: {}}
"#;
    let p = project(dir.path(), text).unwrap();
    let req =
        berth_compose::convert::pre_start_request(&p, "web", "demo-web-1", 0, "1.41").unwrap();
    assert_eq!(req.name, "demo-web-1-pre_start-1");
    let b = &req.body;
    // Its own keys over the service's: command and user replaced, the rest inherited.
    assert_eq!(
        (
            b.image.as_deref(),
            b.cmd.clone(),
            b.user.as_deref(),
            b.working_dir.as_deref()
        ),
        (
            Some("web:1"),
            Some(vec![
                "chown".to_owned(),
                "1000".to_owned(),
                "/data".to_owned()
            ]),
            Some("root"),
            Some("/app")
        )
    );
    // Mappings merge key by key (the step's winning, its env_file read), lists add up.
    assert_eq!(b.env.clone().unwrap(), ["A=1", "B=three", "FROM_FILE=yes"]);
    let labels = b.labels.clone().unwrap();
    assert_eq!(
        (labels["team"].as_str(), labels["role"].as_str()),
        ("web", "init")
    );
    assert_eq!(labels["com.docker.compose.oneoff"], "True");
    assert_eq!(labels["com.docker.compose.service"], "web");
    assert!(!labels.contains_key("com.docker.compose.container-number"));
    let h = b.host_config.clone().unwrap();
    let mut hosts = h.extra_hosts.clone().unwrap();
    hosts.sort();
    assert_eq!(hosts, ["cache.local:10.0.0.3", "db.local:10.0.0.2"]);
    assert_eq!(h.dns.clone().unwrap(), ["1.1.1.1", "8.8.8.8"]);
    assert_eq!(h.cap_add.clone().unwrap(), ["NET_ADMIN"]);
    // The service's volumes through its first container, the step's own besides; no ports,
    // no restart.
    assert_eq!(h.volumes_from.clone().unwrap(), ["demo-web-1"]);
    assert_eq!(
        h.binds.clone().unwrap(),
        [format!("{}/seed:/seed:ro", dir.path().display())]
    );
    assert!(h.port_bindings.is_none() && h.restart_policy.is_none());
    assert_eq!(h.network_mode.as_deref(), Some("demo_front"));
    let endpoints = b
        .networking_config
        .clone()
        .unwrap()
        .endpoints_config
        .unwrap();
    assert_eq!(endpoints.keys().collect::<Vec<_>>(), ["demo_front"]);
    assert!(
        endpoints["demo_front"].aliases.is_none(),
        "it does not answer for the service"
    );
    assert_eq!(
        req.connect
            .iter()
            .map(|(n, e)| (n.as_str(), e.aliases.clone()))
            .collect::<Vec<_>>(),
        [("demo_back", None)]
    );
    // Its own image, with the service's command and user (as compose merges them).
    let req =
        berth_compose::convert::pre_start_request(&p, "web", "demo-web-1", 1, "1.44").unwrap();
    assert_eq!(
        (
            req.body.image.as_deref(),
            req.body.cmd.clone(),
            req.body.user.as_deref()
        ),
        (
            Some("tools:2"),
            Some(vec!["serve".to_owned()]),
            Some("1000")
        )
    );
    assert!(
        req.connect.is_empty(),
        "every network at create from API 1.44"
    );
}

#[test]
fn ulimits_are_read_as_interpolation_leaves_them_and_a_soft_above_its_hard_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        "services:\n  web:\n    image: web:1\n    ulimits:\n      nproc: 512\n      nofile: {soft: 1024, hard: \"${NOFILE:-4096}\"}\n",
    )
    .unwrap();
    let req = create_request(&p, "web", 1, "demo-web-1", "sha256:web", "1.41", false).unwrap();
    let limits: Vec<_> = req
        .body
        .host_config
        .unwrap()
        .ulimits
        .unwrap()
        .into_iter()
        .map(|u| (u.name.unwrap(), u.soft, u.hard))
        .collect();
    assert_eq!(
        limits,
        [
            ("nofile".to_owned(), Some(1024), Some(4096)),
            ("nproc".to_owned(), Some(512), Some(512)),
        ]
    );
    // Refused as the files load, the service's and its build's.
    for (at, text) in [
        (
            "5:7: services.web",
            "services:\n  web:\n    image: web:1\n    ulimits:\n      nofile: {soft: 8192, hard: 4096}\n",
        ),
        (
            "6:9: services.web.build",
            "services:\n  web:\n    build:\n      context: .\n      ulimits:\n        nofile: {soft: 8192, hard: 4096}\n",
        ),
    ] {
        let err = project(dir.path(), text).unwrap_err().to_string();
        let said = format!(
            "compose.yaml:{at}.ulimits.nofile: its soft limit 8192 is above its hard limit 4096"
        );
        assert!(err.ends_with(&said), "{err}");
    }
}

#[test]
fn a_recreated_container_takes_over_the_anonymous_volumes_and_the_image_s_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        "name: demo\nservices:\n  db:\n    image: db:1\n    volumes: [\"/data/\", \"named:/named\", \"./here:/bound\", {type: tmpfs, target: /scratch}]\nvolumes: {named: {}}\n",
    )
    .unwrap();
    let mut req = create_request(&p, "db", 1, "abc_demo-db-1", "sha256:db", "1.41", false).unwrap();
    assert_eq!(req.body.volumes.clone().unwrap(), ["/data/"]);
    let mount = |kind: &str, name: &str, source: &str, target: &str, rw: bool| {
        bollard::models::MountPoint {
            typ: Some(kind.into()),
            name: (!name.is_empty()).then(|| name.into()),
            source: Some(source.into()),
            destination: Some(target.into()),
            rw: Some(rw),
            ..Default::default()
        }
    };
    let old = bollard::models::ContainerInspectResponse {
        id: Some("abc123".into()),
        mounts: Some(vec![
            mount("volume", "anon-data", "/v/anon-data", "/data", true),
            // The image's VOLUME, kept read-only as it was.
            mount("volume", "anon-pg", "/v/anon-pg", "/var/lib/pg", false),
            // The service mounts these otherwise now: its own stay.
            mount("volume", "old-named", "/v/old-named", "/named", true),
            mount("volume", "anon-bound", "/v/anon-bound", "/bound", true),
            mount(
                "volume",
                "anon-scratch",
                "/v/anon-scratch",
                "/scratch",
                true,
            ),
            // Neither the service's nor the image's any more.
            mount("volume", "anon-gone", "/v/anon-gone", "/gone", true),
            mount("tmpfs", "", "", "/run", true),
        ]),
        ..Default::default()
    };
    inherit(&mut req, &p, "db", &["/var/lib/pg".into()], &old);
    let binds = req
        .body
        .host_config
        .as_ref()
        .unwrap()
        .binds
        .clone()
        .unwrap();
    let kept: Vec<&String> = binds.iter().filter(|b| b.starts_with("anon-")).collect();
    assert_eq!(
        kept,
        ["anon-data:/data", "anon-pg:/var/lib/pg:ro"],
        "{binds:?}"
    );
    assert!(binds.contains(&"demo_named:/named".to_owned()), "{binds:?}");
    assert_eq!(req.body.volumes, None);
    assert_eq!(
        req.body.labels.unwrap()["com.docker.compose.replace"],
        "abc123"
    );
}
