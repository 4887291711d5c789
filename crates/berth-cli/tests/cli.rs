//! The `berth` CLI against the harness's real engine: lists that match the docker CLI byte for
//! byte, JSON output, API negotiation with the 1.41 engine, contexts (with TLS), and one-line
//! errors for bad input. Needs root and a real engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Scope, busybox_image, engine};
use support::{
    Home, fails, first_line_then_closed, json_lines, ok, run, warnings_said, write_context,
};

/// Runs `docker`, `berth`, `docker` and checks that berth printed what docker printed on one
/// side of it: the CREATED column moves with the clock, and two docker runs bracket berth's.
/// Other tests share the engine, so when the two docker runs disagree on more than the clock
/// the list changed meanwhile, and the three runs are made again.
fn assert_same_as_docker(home: &Home, args: &[&str]) {
    let e = engine();
    // The engine lists images created in the same second in no fixed order, and docker shows
    // them as the engine lists them; there only (`images`, `system df -v`), rows may come in
    // another order.
    let rows = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if args[0] == "images" || args.contains(&"-v") {
            lines.sort();
        }
        lines
    };
    // Rows without their CREATED column's wording, to tell a changed list from a ticking clock.
    let names = |text: &str| -> Vec<String> {
        let mut v: Vec<String> = text
            .lines()
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .collect();
        v.sort();
        v
    };
    for attempt in 1..=20 {
        let before = e.docker_ok(args);
        let ours = ok(home.berth(args).arg("-H").arg(&e.host));
        let after = e.docker_ok(args);
        let same = |theirs: &str| rows(&ours) == rows(theirs);
        if same(&before) || same(&after) {
            return;
        }
        assert!(
            names(&before) != names(&after) && attempt < 20,
            "berth {args:?} differs from docker:\n--- berth\n{ours}--- docker\n{before}"
        );
    }
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn lists_match_the_docker_cli() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:v1", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "CMD [\"httpd\", \"-f\", \"-p\", \"5000\"]",
    );
    let label = scope.label();
    e.docker_ok(&["volume", "create", "--label", &label, &scope.name("data")]);
    e.docker_ok(&["network", "create", "--label", &label, &scope.name("net")]);
    e.docker_ok(&[
        "run",
        "-d",
        "--label",
        &label,
        "--name",
        &scope.name("web"),
        "-p",
        "127.0.0.1::5000",
        "-p",
        "9100-9101:7100-7101",
        &image,
    ]);
    e.docker_ok(&[
        "create",
        "--label",
        &label,
        "--name",
        &scope.name("idle"),
        &image,
        "sleep",
        "60",
    ]);

    for args in [
        &["ps"][..],
        &["ps", "-a"],
        &["ps", "-a", "-q"],
        &["images"],
        &["images", "-q"],
        &["images", "-a"],
        &["images", "--digests"],
        &["images", "-a", "-q"],
        &["volume", "ls"],
        &["volume", "ls", "-q"],
        &["network", "ls"],
        &["network", "ls", "-q"],
        &["system", "df"],
        &["system", "df", "-v"],
        &["system", "df", "--format", "{{json .}}"],
        &[
            "system",
            "df",
            "--format",
            "table {{.Type}}\t{{.Reclaimable}}",
        ],
    ] {
        assert_same_as_docker(&home, args);
    }
    // Sizes, of this test's containers only (another test's may be writing files meanwhile).
    let ours = format!("label={label}");
    assert_same_as_docker(&home, &["ps", "-a", "-s", "--filter", &ours]);
    assert_same_as_docker(
        &home,
        &[
            "ps",
            "-a",
            "--filter",
            &ours,
            "--format",
            "{{.Names}}: {{.Size}}",
        ],
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn json_output_is_one_object_per_line() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:json", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let name = scope.name("j");
    e.docker_ok(&[
        "run",
        "-d",
        "--label",
        &scope.label(),
        "--name",
        &name,
        "-p",
        "127.0.0.1:0:80",
        &image,
    ]);

    let rows = json_lines(&ok(home.berth(&["-H", &e.host, "ps", "--format", "json"])));
    let row = rows
        .iter()
        .find(|r| r["names"][0] == name.as_str())
        .expect("our container is listed");
    assert_eq!(row["image"], image.as_str());
    assert_eq!(row["state"], "running");
    assert_eq!(row["labels"]["berth.test"], scope.id.as_str());
    let port = &row["ports"][0];
    assert_eq!(
        (port["ip"].as_str(), port["private_port"].as_u64()),
        (Some("127.0.0.1"), Some(80))
    );
    assert!(
        port["public_port"].as_u64().is_some_and(|p| p > 0),
        "{port}"
    );

    let images = json_lines(&ok(
        home.berth(&["-H", &e.host, "images", "--format", "json"])
    ));
    assert!(images.iter().any(|i| {
        i["repo_tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == image.as_str())
    }));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn negotiates_down_to_the_engines_api() {
    let e = engine();
    let home = Home::new();
    let v = &json_lines(&ok(
        home.berth(&["-H", &e.host, "version", "--format", "json"])
    ))[0];
    let server_api = v["server_api_version"].as_str().unwrap();
    // Debian's dockerd 20.10 speaks 1.41; bollard would otherwise send 1.53.
    assert_eq!(v["connection"]["api_version"], server_api);
    assert_eq!(
        server_api, "1.41",
        "this machine's engine is Debian's dockerd 20.10"
    );
    let text = ok(home.berth(&["-H", &e.host, "version"]));
    assert!(text.contains("negotiated 1.41"), "{text}");
    let info = &json_lines(&ok(home.berth(&["-H", &e.host, "info", "--format", "json"])))[0];
    assert_eq!(
        info["data_root"],
        e.root.join("data").display().to_string().as_str()
    );
    assert_eq!(info["rootless"], false);
    // The engine's warnings of its set-up, on stderr after the summary, as docker prints them.
    let ours = warnings_said(home.berth(&["-H", &e.host, "info"]));
    assert_eq!(ours, warnings_said(e.docker().arg("info")));
    assert_eq!(info["warnings"], serde_json::json!(ours));
    eprintln!("the engine warns: {ours:?}");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_docker_host_that_does_not_answer_is_said_to_be_passed_over() {
    // DOCKER_HOST names no engine; the current context (the harness's engine) answers. The
    // Docker CLI would fail; Berth uses the context, and says so on every command.
    let e = engine();
    let home = Home::new();
    write_context(&home.docker_config(), "local", &e.host, None);
    std::fs::write(
        home.docker_config().join("config.json"),
        r#"{"currentContext": "local"}"#,
    )
    .unwrap();
    let gone = "unix:///nonexistent/docker.sock";
    let said = format!(
        "DOCKER_HOST {gone} does not answer (no socket); using context local at {} instead",
        e.host
    );
    let mut ps = home.berth(&["ps"]);
    ps.env("DOCKER_HOST", gone);
    let out = run(&mut ps);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end(), format!("Warning: {said}"));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("CONTAINER ID"));

    let mut status = home.berth(&["engine", "status"]);
    status.env("DOCKER_HOST", gone);
    let text = ok(status);
    assert!(text.contains(&format!("Warning: {said}\n")), "{text}");
    let mut version = home.berth(&["version", "--format", "json"]);
    version.env("DOCKER_HOST", gone);
    let json = &json_lines(&ok(version))[0];
    assert_eq!(json["connection"]["passed_over"], said.as_str());

    // With nothing passed over, nothing is said.
    let out = run(home.berth(&["ps"]));
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn contexts_with_tls_are_used_and_switched() {
    let e = engine();
    let home = Home::new();
    write_context(
        &home.docker_config(),
        "remote-tls",
        &e.tls_host,
        Some(&e.tls.client_dir),
    );
    write_context(&home.docker_config(), "local", &e.host, None);
    std::fs::create_dir_all(home.docker_config()).unwrap();
    std::fs::write(
        home.docker_config().join("config.json"),
        r#"{"auths": {"x": {}}, "currentContext": "local"}"#,
    )
    .unwrap();

    let ls = ok(home.berth(&["context", "ls"]));
    assert!(
        ls.contains("local *") && ls.contains("remote-tls") && ls.contains(&e.tls_host),
        "{ls}"
    );

    // Through the TLS context, by flag and by DOCKER_CONTEXT.
    let by_flag = &json_lines(&ok(home.berth(&[
        "--context",
        "remote-tls",
        "version",
        "--format",
        "json",
    ])))[0];
    assert_eq!(by_flag["connection"]["host"], e.tls_host.as_str());
    assert_eq!(by_flag["connection"]["api_version"], "1.41");
    let by_env = &json_lines(&ok(home
        .berth(&["info", "--format", "json"])
        .env("DOCKER_CONTEXT", "remote-tls")))[0];
    assert_eq!(by_env["connection"]["source"], "context remote-tls");

    // `context use` keeps the other keys of config.json, as docker does.
    ok(home.berth(&["context", "use", "remote-tls"]));
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.docker_config().join("config.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(config["currentContext"], "remote-tls");
    assert!(config["auths"]["x"].is_object());
    let found = &json_lines(&ok(home.berth(&["version", "--format", "json"])))[0];
    assert_eq!(found["connection"]["source"], "context remote-tls");

    let inspect: serde_json::Value =
        serde_json::from_str(&ok(home.berth(&["context", "inspect"]))).unwrap();
    assert_eq!(inspect[0]["name"], "remote-tls");
    assert_eq!(inspect[0]["tls"], true);

    ok(home.berth(&["context", "use", "default"]));
    let config = std::fs::read_to_string(home.docker_config().join("config.json")).unwrap();
    assert!(!config.contains("currentContext"), "{config}");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn tls_context_without_client_certificate_is_refused_clearly() {
    let e = engine();
    let home = Home::new();
    // The engine demands a client certificate (--tlsverify); plain tcp cannot talk to it.
    write_context(&home.docker_config(), "no-tls", &e.tls_host, None);
    let err = fails(home.berth(&["--context", "no-tls", "ps"]));
    assert!(
        err.contains(&e.tls_host)
            && err.contains("add ca.pem, cert.pem and key.pem to the context"),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn socket_without_permission_says_what_to_do() {
    let e = engine();
    let berth = env!("CARGO_BIN_EXE_berth");
    let out = std::process::Command::new("runuser")
        .args([
            "-u",
            "nobody",
            "--",
            "env",
            "-i",
            "HOME=/tmp",
            "BERTH_ENGINE_AUTOSTART=0",
            berth,
            "-H",
            &e.host,
            "ps",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("permission denied on") && err.contains("docker` group"),
        "{err}"
    );
}

#[test]
fn missing_socket_says_what_to_do() {
    let home = Home::new();
    let err = fails(home.berth(&["-H", "unix:///nonexistent/docker.sock", "ps"]));
    assert!(
        err.contains("no engine socket at /nonexistent/docker.sock")
            && err.contains("berth engine start"),
        "{err}"
    );
}

#[test]
fn version_without_an_engine_prints_the_client_then_says_why() {
    let home = Home::new();
    let mut cmd = home.berth(&["-H", "unix:///nonexistent/docker.sock", "version"]);
    let out = cmd.output().expect("berth runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("Client: Berth\n")
            && stdout.contains(env!("CARGO_PKG_VERSION"))
            && !stdout.contains("Server"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no engine socket at /nonexistent/docker.sock"),
        "{stderr}"
    );
}

#[test]
fn version_never_starts_an_engine() {
    // Autostart on, nothing reachable: `version` reports that, where `ps` would start Berth's
    // engine (whose dockerd here does not exist, so a wrong start would say so instead).
    let home = Home::new();
    home.0
        .set_settings(r#""engine_autostart": true, "engine_dockerd": "/nonexistent/dockerd""#);
    let out = home
        .berth(&["version"])
        .env("DOCKER_HOST", "unix:///nonexistent/a.sock")
        .env("BERTH_ENGINE_AUTOSTART", "1")
        .output()
        .expect("berth runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no engine is reachable") && !stderr.contains("dockerd"),
        "{stderr}"
    );
}

#[test]
fn refused_socket_says_what_to_do() {
    let home = Home::new();
    let path = home.path().join("dead.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    let err = fails(home.berth(&["-H", &format!("unix://{}", path.display()), "ps"]));
    assert!(
        err.contains("refused the connection") && err.contains("is dockerd running"),
        "{err}"
    );
}

#[test]
fn unknown_context_is_named() {
    let home = Home::new();
    let err = fails(home.berth(&["--context", "nope", "ps"]));
    assert_eq!(
        err,
        r#"berth: unknown context "nope": `berth context ls` lists the contexts there are"#
    );
    let err = fails(home.berth(&["ps"]).env("DOCKER_CONTEXT", "nope"));
    assert!(err.contains(r#"unknown context "nope""#), "{err}");
    let err = fails(home.berth(&["context", "use", "nope"]));
    assert!(err.contains(r#"unknown context "nope""#), "{err}");
}

#[test]
fn malformed_docker_config_is_named() {
    let home = Home::new();
    std::fs::create_dir_all(home.docker_config()).unwrap();
    std::fs::write(home.docker_config().join("config.json"), "{oops").unwrap();
    let err = fails(home.berth(&["context", "ls"]));
    assert!(
        err.contains("config.json: is not valid JSON") && err.contains("fix or remove it"),
        "{err}"
    );
}

#[test]
fn bad_host_scheme_is_named() {
    let home = Home::new();
    let err = fails(home.berth(&["-H", "ssh://me@box", "ps"]));
    assert!(
        err.contains(r#"invalid engine address "ssh://me@box""#),
        "{err}"
    );
}

#[test]
fn nothing_reachable_without_autostart_lists_what_was_tried() {
    let home = Home::new();
    let err = fails(
        home.berth(&["ps"])
            .env("DOCKER_HOST", "unix:///nonexistent/a.sock"),
    );
    assert!(
        err.contains("no engine is reachable")
            && err.contains("DOCKER_HOST unix:///nonexistent/a.sock: no socket"),
        "{err}"
    );
    assert!(err.contains("berth engine start"), "{err}");
}

#[test]
fn completions_are_generated() {
    let home = Home::new();
    assert!(ok(home.berth(&["completion", "bash"])).contains("_berth()"));
    assert!(ok(home.berth(&["completion", "zsh"])).contains("#compdef berth"));
    assert!(ok(home.berth(&["completion", "fish"])).contains("complete -c berth"));
}

#[test]
fn output_read_by_one_that_stops_early_ends_quietly() {
    let home = Home::new();
    // `berth completion bash | head -1`: far more than a pipe holds.
    let (first, out) = first_line_then_closed(home.berth(&["completion", "bash"]));
    assert!(first.starts_with("_berth()"), "{first}");
    // Quietly, as logs, events and stats end when their reader goes: no panic's message.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn info_and_version_templates_print_what_docker_prints() {
    let e = engine();
    let home = Home::new();
    // Fields that do not move while other tests run (container and image counts would).
    for args in [
        vec![
            "info",
            "--format",
            "{{.ServerVersion}} {{.NCPU}} {{.MemTotal}} {{.Driver}} {{.DockerRootDir}} {{.OperatingSystem}} {{json .Plugins.Volume}} {{.Swarm.LocalNodeState}}",
        ],
        vec![
            "version",
            "--format",
            "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}/{{.Server.Arch}} {{.Server.MinAPIVersion}} {{.Client.APIVersion}}",
        ],
    ] {
        assert_eq!(
            ok(home.berth(&[&["-H", e.host.as_str()][..], &args[..]].concat())),
            e.docker_ok(&args),
            "{args:?}"
        );
    }
    let version = ok(home.berth(&["-H", &e.host, "version", "--format", "{{.Client.Version}}"]));
    assert_eq!(version.trim(), env!("CARGO_PKG_VERSION"));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn contexts_are_created_and_removed_in_dockers_own_store() {
    let e = engine();
    let home = Home::new();
    let client = &e.tls.client_dir;
    let tls = format!(
        "host={},ca={},cert={},key={}",
        e.tls_host,
        client.join("ca.pem").display(),
        client.join("cert.pem").display(),
        client.join("key.pem").display()
    );
    let created = ok(home.berth(&[
        "context",
        "create",
        "--docker",
        &tls,
        "--description",
        "the harness over TLS",
        "made-by-berth",
    ]));
    assert_eq!(
        created,
        "made-by-berth\nSuccessfully created context \"made-by-berth\"\n"
    );
    // The docker CLI reads it from the same store, and both reach the engine through it.
    let docker = |args: &[&str]| {
        let mut cmd = std::process::Command::new("docker");
        cmd.env("DOCKER_CONFIG", home.docker_config())
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .args(args);
        ok(cmd)
    };
    assert!(
        docker(&["context", "ls"]).contains("the harness over TLS"),
        "docker lists it"
    );
    let version = [
        "--context",
        "made-by-berth",
        "version",
        "--format",
        "{{.Server.Version}}",
    ];
    assert_eq!(ok(home.berth(&version)), docker(&version));

    // In use, it is removed only with -f, and default is used again.
    ok(home.berth(&["context", "use", "made-by-berth"]));
    let err = fails(home.berth(&["context", "rm", "made-by-berth"]));
    assert!(err.contains("is in use"), "{err}");
    assert_eq!(
        ok(home.berth(&["context", "rm", "-f", "made-by-berth"])),
        "made-by-berth\n"
    );
    assert!(!docker(&["context", "ls"]).contains("made-by-berth"));
    assert!(ok(home.berth(&["context", "ls"])).contains("default *"));

    for (args, says) in [
        (
            vec!["context", "create", "--docker", "hots=tcp://h:1", "x1"],
            "unknown key \"hots\"",
        ),
        (
            vec![
                "context",
                "create",
                "--docker",
                "host=tcp://h:1,ca=/x",
                "x2",
            ],
            "all three files",
        ),
        (
            vec!["context", "create", "--docker", "host=tcp://h:1", "default"],
            "not \"default\"",
        ),
        (vec!["context", "rm", "nope"], "unknown context \"nope\""),
        (vec!["context", "rm", "default"], "cannot be removed"),
    ] {
        let err = fails(home.berth(&args));
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// Every file of a `.tar.gz`, unpacked into `dir`, by its path there.
fn unpacked(
    archive: &std::path::Path,
    dir: &std::path::Path,
) -> std::collections::BTreeMap<String, String> {
    std::fs::create_dir_all(dir).unwrap();
    ok(std::process::Command::new("tar").args([
        "-xzf",
        &archive.display().to_string(),
        "-C",
        &dir.display().to_string(),
    ]));
    let mut files = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    files
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn diagnose_writes_versions_set_up_and_logs_but_no_login() {
    let e = engine();
    let home = Home::new();
    let h = e.host.as_str();
    // A login in the Docker config, and a line in the window's log.
    std::fs::create_dir_all(home.docker_config()).unwrap();
    std::fs::write(
        home.docker_config().join("config.json"),
        r#"{"auths":{"registry.example:5000":{"auth":"dXNlcjpTRUNSRVQtVE9LRU4tMTIz","identitytoken":"SECRET-ID-TOKEN-456"}}}"#,
    )
    .unwrap();
    let logs = home.path().join("state/berth");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("app.2026-12-06"), "the window's log line\n").unwrap();

    let archive = home.path().join("report.tar.gz");
    let out = ok(home.berth(&["-H", h, "diagnose", "-o", &archive.display().to_string()]));
    assert!(
        out.starts_with(&format!("Wrote {}", archive.display())),
        "{out}"
    );
    assert!(!out.contains("Not read"), "{out}");
    let files = unpacked(&archive, &home.path().join("unpacked"));
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "report/berth.txt",
            "report/contexts.json",
            "report/engine-info.json",
            "report/engine-version.json",
            "report/engine-view.json",
            "report/logs/app.log",
            "report/settings.json",
        ]
    );
    assert!(files["report/berth.txt"].starts_with("berth "), "{files:?}");
    let version = e.docker_ok(&["info", "-f", "{{.ServerVersion}}"]);
    let info: serde_json::Value = serde_json::from_str(&files["report/engine-info.json"]).unwrap();
    assert_eq!(
        info["ServerVersion"],
        version.trim(),
        "the engine's own info"
    );
    assert_eq!(files["report/logs/app.log"], "the window's log line\n");
    for (name, text) in &files {
        assert!(
            !text.contains("SECRET") && !text.contains("dXNlcjpTRUNSRVQtVE9LRU4tMTIz"),
            "{name} holds a login"
        );
    }

    // No engine: the archive all the same, saying so; a folder that does not exist: one line.
    let alone = home.path().join("alone.tar.gz");
    let out = ok(home.berth(&[
        "-H",
        "unix:///nonexistent/docker.sock",
        "diagnose",
        "-o",
        &alone.display().to_string(),
    ]));
    assert!(out.contains("Not read: no engine answers"), "{out}");
    let files = unpacked(&alone, &home.path().join("unpacked-alone"));
    assert!(
        files["alone/problems.txt"].starts_with("no engine answers"),
        "{files:?}"
    );
    assert!(!files.contains_key("alone/engine-info.json"));
    let err = fails(home.berth(&["-H", h, "diagnose", "-o", "/nonexistent/report.tar.gz"]));
    assert!(
        err.starts_with("berth: cannot write /nonexistent/report.tar.gz"),
        "{err}"
    );
}
