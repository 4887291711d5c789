//! `berth compose` against the harness's real engine: a project with a healthy dependency, a
//! one-shot init service, a bind mount, a named volume and a published port goes up in order,
//! is seen by `ps`, `logs`, `ls`, converges without touching what did not change, recreates what
//! did, scales, runs one-off containers, and comes down keeping its volume unless `-v`. Projects
//! made by Debian's `docker-compose` 1.29 and by Berth are each managed by the other. Needs root
//! and a real engine: run with `--include-ignored`.

mod support;

use std::path::Path;
use std::process::Command;

use berth_testkit::{
    BUSYBOX_IMAGE, Engine, Scope, busybox_image, engine, free_port, http_get, registry, wait_until,
};
use support::{Home, InTerminal, Printing, SshAgent, fails, json_lines, ok, run};

/// A compose project in a temporary directory; whatever carries its project label is removed
/// from the engine when it drops, pass or fail.
struct Project {
    name: String,
    dir: tempfile::TempDir,
    engine: &'static Engine,
}

impl Project {
    fn new(engine: &'static Engine, scope: &Scope, files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self {
            name: format!("bt{}", scope.id.to_lowercase()),
            dir,
            engine,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    /// `berth compose -p NAME ARGS…` in the project directory.
    fn berth(&self, home: &Home, args: &[&str]) -> Command {
        let mut cmd = home.berth(&["-H", &self.engine.host, "compose", "-p", &self.name]);
        cmd.args(args).current_dir(self.path());
        cmd
    }

    fn listed(&self, what: &[&str]) -> Vec<String> {
        let label = format!("label=com.docker.compose.project={}", self.name);
        let mut args = what.to_vec();
        args.extend(["--filter", &label]);
        self.engine
            .docker_ok(&args)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    fn container_id(&self, name: &str) -> String {
        self.inspect("{{.Id}}", name)
    }

    /// `docker inspect -f FORMAT CONTAINER`, trimmed.
    fn inspect(&self, format: &str, container: &str) -> String {
        self.engine
            .docker_ok(&["inspect", "-f", format, container])
            .trim()
            .to_owned()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let docker = |args: &[&str]| {
            let _ = self.engine.docker().args(args).output();
        };
        let containers = self.listed(&["ps", "-aq"]);
        if !containers.is_empty() {
            docker(
                &[
                    &["rm", "-f", "-v"][..],
                    &containers.iter().map(String::as_str).collect::<Vec<_>>(),
                ]
                .concat(),
            );
        }
        for (kind, list) in [
            ("network", vec!["network", "ls", "-q"]),
            ("volume", vec!["volume", "ls", "-q"]),
        ] {
            for id in self.listed(&list) {
                docker(&[kind, "rm", &id]);
            }
        }
    }
}

/// Runs and expects failure; progress lines may come first on stderr (as compose prints
/// them), the error is the last line and is one line. Returns that line.
fn fails_after_progress(mut cmd: Command) -> String {
    let out = run(&mut cmd);
    assert_eq!(out.status.code(), Some(1), "{cmd:?}: exit code");
    let err = String::from_utf8(out.stderr).unwrap();
    let last = err.lines().last().unwrap_or_default().to_owned();
    assert!(last.starts_with("berth: "), "{err}");
    last
}

const WWW: &str = "<h1>hello from compose</h1>\n";

fn app(image: &str, port: u16, greeting: &str) -> String {
    format!(
        r#"
services:
  db:
    image: {image}
    command: ["sh", "-c", "echo db starting; sleep 1; touch /ready; echo db ready; exec sleep 600"]
    healthcheck:
      test: ["CMD", "test", "-f", "/ready"]
      interval: 1s
      retries: 30
    volumes: ["data:/data"]
  init:
    image: {image}
    command: ["sh", "-c", "echo init done > /data/init; echo init done"]
    volumes: ["data:/data"]
  web:
    image: {image}
    command: ["httpd", "-f", "-p", "5000", "-h", "/www"]
    ports: ["127.0.0.1:{port}:5000"]
    volumes: ["./site:/www:ro"]
    environment:
      GREETING: {greeting}
    networks: [default, back]
    depends_on:
      db:
        condition: service_healthy
      init:
        condition: service_completed_successfully
volumes:
  data: {{}}
networks:
  back:
    driver_opts:
      com.docker.network.driver.mtu: 1400
"#
    )
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn up_converges_and_down_keeps_volumes() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:compose", scope.id);
    busybox_image(e, &scope, &image, "");
    let port = free_port();
    let p = Project::new(
        e,
        &scope,
        &[
            ("compose.yaml", &app(&image, port, "hello")),
            ("site/index.html", WWW),
        ],
    );
    let n = &p.name;

    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "up failed: {err}");
    // Order: the web container starts only after db is healthy and init has completed.
    let at = |line: &str| {
        err.lines()
            .position(|l| l.trim() == line)
            .unwrap_or_else(|| panic!("no {line:?} in:\n{err}"))
    };
    assert!(
        at("Service db  Healthy") < at(&format!("Container {n}-web-1  Starting")),
        "{err}"
    );
    assert!(
        at("Service init  Exited") < at(&format!("Container {n}-web-1  Starting")),
        "{err}"
    );
    assert!(
        at(&format!("Network {n}_default  Created")) < at(&format!("Container {n}-db-1  Creating"))
    );

    let (code, body) = http_get(&format!("127.0.0.1:{port}"), "/").expect("web answers");
    assert_eq!((code, body.as_str()), (200, WWW));
    // Two networks (on API 1.41: one at create, one connected after); services find each other
    // by name.
    let nets = e.docker_ok(&[
        "inspect",
        "-f",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{join $v.Aliases \",\"}} {{end}}",
        &format!("{n}-web-1"),
    ]);
    assert!(
        nets.contains(&format!("{n}_back=web")) && nets.contains(&format!("{n}_default=web")),
        "{nets}"
    );
    // The network's driver_opts reach the engine.
    assert_eq!(
        e.docker_ok(&[
            "network",
            "inspect",
            "-f",
            "{{json .Options}}",
            &format!("{n}_back")
        ]),
        "{\"com.docker.network.driver.mtu\":\"1400\"}\n"
    );
    e.docker_ok(&[
        "exec",
        &format!("{n}-web-1"),
        "ping",
        "-c",
        "1",
        "-W",
        "5",
        "db",
    ]);

    // ps: every service, in compose's columns; JSON as compose writes it.
    let ps = ok(p.berth(&home, &["ps", "-a"]));
    let header: Vec<&str> = ps.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"
        ]
    );
    for svc in ["db", "init", "web"] {
        assert!(ps.contains(&format!("{n}-{svc}-1")), "{ps}");
    }
    assert!(ps.contains(&format!("127.0.0.1:{port}->5000/tcp")), "{ps}");
    let rows = json_lines(&ok(p.berth(&home, &["--format", "json", "ps"])));
    let services: Vec<&str> = rows
        .iter()
        .map(|r| r["Service"].as_str().unwrap())
        .collect();
    assert!(
        rows.iter()
            .all(|r| r["Project"] == n.as_str() && r["State"] == "running"),
        "{rows:?}"
    );
    assert_eq!(
        services,
        ["db", "web"],
        "ps without -a lists running containers"
    );
    assert_eq!(ok(p.berth(&home, &["ps", "--services"])), "db\nweb\n");

    // logs: each line prefixed by its container.
    let logs = ok(p.berth(&home, &["logs", "--no-color"]));
    assert!(logs.contains(&format!("{n}-init-1  | init done")), "{logs}");
    assert!(logs.contains(&format!("{n}-db-1    | db ready")), "{logs}");
    let only_db = ok(p.berth(&home, &["logs", "--no-log-prefix", "db"]));
    assert_eq!(only_db, "db starting\ndb ready\n");

    // ls: the project, with its file.
    let ls = ok(home.berth(&["-H", &e.host, "compose", "ls"]));
    let line = ls
        .lines()
        .find(|l| l.starts_with(n.as_str()))
        .unwrap_or_else(|| panic!("{ls}"));
    assert!(
        line.contains("running(2)") && line.contains("exited(1)"),
        "{line}"
    );
    assert!(
        line.contains(&p.path().join("compose.yaml").display().to_string()),
        "{line}"
    );
    // -q with a name filter: its name alone (other tests' projects share the engine).
    let quiet = ok(home.berth(&[
        "-H",
        &e.host,
        "compose",
        "ls",
        "-q",
        "--filter",
        &format!("name={n}"),
    ]));
    assert_eq!(quiet, format!("{n}\n"));
    let listed = json_lines(&ok(home.berth(&[
        "-H",
        &e.host,
        "compose",
        "ls",
        "-a",
        "--format",
        "json",
        "--filter",
        &format!("name={n}"),
    ])));
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["Name"], n.as_str());
    assert!(
        listed[0]["Status"]
            .as_str()
            .is_some_and(|s| s.contains("running(2)")),
        "{listed:?}"
    );
    let err = fails(home.berth(&["-H", &e.host, "compose", "ls", "--filter", "status=running"]));
    assert!(err.contains("compose ls filters by name=TEXT"), "{err}");

    // Converged: a second up changes nothing.
    let ids =
        |p: &Project| ["db", "init", "web"].map(|s| p.container_id(&format!("{}-{s}-1", p.name)));
    let before = ids(&p);
    let again = run(p.berth(&home, &["up", "-d"]));
    assert!(again.status.success());
    let again_err = String::from_utf8_lossy(&again.stderr);
    assert!(
        !again_err.contains("Creating") && !again_err.contains("Recreate"),
        "{again_err}"
    );
    assert_eq!(ids(&p), before);
    let plan = ok(p.berth(&home, &["up", "--dry-run"]));
    assert!(
        !plan.contains("Create") && !plan.contains("Recreate"),
        "{plan}"
    );

    // A changed service is recreated; the others stay.
    p.write("compose.yaml", &app(&image, port, "changed"));
    let plan = ok(p.berth(&home, &["up", "--dry-run"]));
    assert!(
        plan.contains(&format!("container:{n}-web-1 Recreate, config changed")),
        "{plan}"
    );
    assert!(!plan.contains("db-1 Recreate"), "{plan}");
    ok(p.berth(&home, &["up", "-d"]));
    let after = ids(&p);
    assert_eq!(
        (after[0].as_str(), after[1].as_str()),
        (before[0].as_str(), before[1].as_str())
    );
    assert_ne!(after[2], before[2]);
    let env = e.docker_ok(&[
        "inspect",
        "-f",
        "{{json .Config.Env}}",
        &format!("{n}-web-1"),
    ]);
    assert!(env.contains("GREETING=changed"), "{env}");
    assert_eq!(
        http_get(&format!("127.0.0.1:{port}"), "/").map(|r| r.0),
        Some(200)
    );

    // down: containers and network go, the named volume stays.
    ok(p.berth(&home, &["down"]));
    assert!(p.listed(&["ps", "-aq"]).is_empty());
    assert!(p.listed(&["network", "ls", "-q"]).is_empty());
    assert_eq!(p.listed(&["volume", "ls", "-q"]), [format!("{n}_data")]);
    // The volume kept what init wrote: a new project run reads it.
    ok(p.berth(&home, &["up", "-d", "--wait", "db"]));
    let kept = e.docker_ok(&["exec", &format!("{n}-db-1"), "cat", "/data/init"]);
    assert_eq!(kept, "init done\n");
    ok(p.berth(&home, &["down", "-v"]));
    assert!(p.listed(&["volume", "ls", "-q"]).is_empty());
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn build_scale_run_exec_and_lifecycle() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    // The build's extra_hosts, network and secrets (a file's, a variable's from .env, under
    // its target's id) reach its RUN steps; it builds with BuildKit, as compose does (the
    // classic builder refuses the cache mount and the secrets).
    let dockerfile = format!(
        "FROM {BUSYBOX_IMAGE}\nARG GREETING=hello\nRUN --mount=type=cache,target=/cache echo built > /built && grep -w db /etc/hosts > /hosts\nRUN --mount=type=secret,id=token --mount=type=secret,id=hello cat /run/secrets/token /run/secrets/hello > /secrets-seen\nRUN echo $GREETING > /greeting\nCMD [\"sleep\", \"600\"]\n"
    );
    let compose = format!(
        "secrets:\n  token: {{file: ./token.txt}}\n  greeting: {{environment: BERTH_TEST_GREETING}}\nservices:\n  worker:\n    build:\n      context: ./worker\n      network: none\n      extra_hosts: ['db:10.9.8.7']\n      secrets: [token, {{source: greeting, target: hello}}]\n    image: berth-test/{}:worker\n    labels: [{}]\n",
        scope.id,
        scope.label()
    );
    let p = Project::new(
        e,
        &scope,
        &[
            ("compose.yaml", &compose),
            ("worker/Dockerfile", &dockerfile),
            ("token.txt", "from-a-file\n"),
            (".env", "BERTH_TEST_GREETING=from-env\n"),
        ],
    );
    let n = &p.name;

    // DOCKER_BUILDKIT=0: the classic builder, as compose takes it.
    let mut classic = p.berth(&home, &["build"]);
    classic.env("DOCKER_BUILDKIT", "0");
    let err = fails_after_progress(classic);
    assert!(
        err.contains("the classic builder takes no secrets"),
        "{err}"
    );
    let out = run(p.berth(&home, &["up", "-d", "--scale", "worker=2"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("Image berth-test/{}:worker  Built", scope.id)),
        "{err}"
    );
    let ps = ok(p.berth(&home, &["ps", "-q"]));
    assert_eq!(ps.lines().count(), 2, "{ps}");
    assert_eq!(
        e.docker_ok(&["exec", &format!("{n}-worker-2"), "cat", "/built"]),
        "built\n"
    );
    assert_eq!(
        e.docker_ok(&["exec", &format!("{n}-worker-2"), "cat", "/hosts"]),
        "10.9.8.7\tdb\n"
    );
    assert_eq!(
        e.docker_ok(&["exec", &format!("{n}-worker-2"), "cat", "/secrets-seen"]),
        "from-a-file\nfrom-env"
    );
    // build's own flags: a build argument over the Dockerfile's default, without the cache.
    let image = format!("berth-test/{}:worker", scope.id);
    let out = run(p.berth(
        &home,
        &[
            "build",
            "--no-cache",
            "--build-arg",
            "GREETING=bonjour",
            "worker",
        ],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        e.docker_ok(&["run", "--rm", &image, "cat", "/greeting"]),
        "bonjour\n"
    );
    let err = fails_after_progress(p.berth(&home, &["build", "--build-arg", "GREETING"]));
    assert!(
        err.contains("--build-arg \"GREETING\": write KEY=value"),
        "{err}"
    );

    // exec into a replica; run a one-off that leaves nothing behind.
    let host = ok(p.berth(&home, &["exec", "-T", "--index", "2", "worker", "hostname"]));
    // --privileged: as docker exec --privileged goes on this engine (every capability; or, as
    // this machine's runc has it, "unable to apply caps"), not as a plain exec.
    let said = |out: std::process::Output| {
        let text = [out.stdout, out.stderr].concat();
        (
            out.status.code(),
            String::from_utf8_lossy(&text).trim().to_owned(),
        )
    };
    let caps = ["grep", "CapEff", "/proc/self/status"];
    let exec = |more: &[&str]| {
        let args = [&["exec", "-T"][..], more, &["worker"], &caps].concat();
        said(run(p.berth(&home, &args)))
    };
    let worker = format!("{n}-worker-1");
    let theirs = said(
        e.docker()
            .args([&["exec", "--privileged", worker.as_str()][..], &caps].concat())
            .output()
            .unwrap(),
    );
    let (plain, all) = (exec(&[]), exec(&["--privileged"]));
    assert_eq!(all, theirs);
    assert!(
        plain.1.starts_with("CapEff:") && plain != all,
        "{plain:?} / {all:?}"
    );
    assert_eq!(
        host.trim(),
        e.docker_ok(&[
            "inspect",
            "-f",
            "{{.Config.Hostname}}",
            &format!("{n}-worker-2")
        ])
        .trim()
    );
    let once = ok(p.berth(
        &home,
        &[
            "run",
            "--rm",
            "-T",
            "worker",
            "sh",
            "-c",
            "echo one-off; cat /built",
        ],
    ));
    assert_eq!(once, "one-off\nbuilt\n");
    assert_eq!(
        p.listed(&["ps", "-aq"]).len(),
        2,
        "the one-off container was removed"
    );
    // A one-off's exit code is the command's.
    let failed = run(p.berth(
        &home,
        &["run", "--rm", "-T", "worker", "sh", "-c", "exit 3"],
    ));
    assert_eq!(failed.status.code(), Some(3));

    // Lifecycle over every container of the project.
    let states = || {
        e.docker_ok(&[
            "ps",
            "-a",
            "--filter",
            &format!("label=com.docker.compose.project={n}"),
            "--format",
            "{{.State}}",
        ])
    };
    ok(p.berth(&home, &["pause"]));
    assert_eq!(states(), "paused\npaused\n");
    ok(p.berth(&home, &["unpause"]));
    ok(p.berth(&home, &["stop", "-t", "1"]));
    assert_eq!(states(), "exited\nexited\n");
    ok(p.berth(&home, &["start", "worker"]));
    assert_eq!(states(), "running\nrunning\n");
    ok(p.berth(&home, &["kill", "-s", "SIGKILL"]));
    assert_eq!(states(), "exited\nexited\n");
    ok(p.berth(&home, &["rm"]));
    assert!(p.listed(&["ps", "-aq"]).is_empty());

    // Scale down removes the highest numbers.
    ok(p.berth(&home, &["up", "-d", "--scale", "worker=3"]));
    ok(p.berth(&home, &["up", "-d", "--scale", "worker=1"]));
    let names = e.docker_ok(&[
        "ps",
        "--filter",
        &format!("label=com.docker.compose.project={n}"),
        "--format",
        "{{.Names}}",
    ]);
    assert_eq!(names.trim(), format!("{n}-worker-1"));
    // Orphans: a service removed from the file is reported, and removed when asked.
    p.write(
        "compose.yaml",
        &format!(
            "{compose}  extra:\n    image: {BUSYBOX_IMAGE}\n    command: [\"sh\", \"-c\", \"exec sleep 600 # a long command\"]\n"
        ),
    );
    ok(p.berth(&home, &["up", "-d"]));
    p.write("compose.yaml", &compose);
    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("WARN orphan containers ({n}-extra-1) found for this project: remove them with --remove-orphans")),
        "{err}"
    );
    assert_eq!(
        p.listed(&["ps", "-q"]).len(),
        2,
        "the orphan is left alone without the flag"
    );
    // ps shows it, but with --orphans=false; --no-trunc its whole command.
    let services = |args: &[&str]| {
        let mut all = vec!["ps", "--format", "{{.Service}}"];
        all.extend(args);
        ok(p.berth(&home, &all))
    };
    assert!(services(&[]).lines().any(|s| s == "extra"));
    assert!(!services(&["--orphans=false"]).lines().any(|s| s == "extra"));
    let whole = "\"sh -c 'exec sleep 600 # a long command'\"";
    let table = ok(p.berth(&home, &["ps", "--no-trunc"]));
    assert!(table.contains(whole), "{table}");
    let table = ok(p.berth(&home, &["ps"]));
    assert!(!table.contains(whole), "{table}");
    // Asked by compose's variable for the flag.
    let mut up = p.berth(&home, &["up", "-d"]);
    up.env("COMPOSE_REMOVE_ORPHANS", "1");
    ok(up);
    assert_eq!(p.listed(&["ps", "-aq"]).len(), 1);
    ok(p.berth(&home, &["down", "--rmi", "all"]));
    assert!(
        e.docker()
            .args([
                "image",
                "inspect",
                &format!("berth-test/{}:worker", scope.id)
            ])
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(false),
        "--rmi all removed the built image"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn docker_compose_1_and_berth_manage_each_others_projects() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:interop", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "CMD [\"sh\", \"-c\", \"echo started; exec sleep 600\"]",
    );
    let compose = format!(
        "version: '3.7'\nservices:\n  app:\n    image: {image}\n    ports: ['127.0.0.1::80']\n  sidecar:\n    image: {image}\n"
    );
    let p = Project::new(e, &scope, &[("docker-compose.yml", &compose)]);
    let n = &p.name;
    let docker_compose = |args: &[&str]| {
        let mut cmd = Command::new("docker-compose");
        cmd.env("DOCKER_HOST", &e.host)
            .args(["-p", n])
            .args(args)
            .current_dir(p.path());
        cmd
    };

    // Berth's project in docker-compose 1.29.
    ok(p.berth(&home, &["up", "-d"]));
    let listed = ok(docker_compose(&["ps", "--services"]));
    let mut services: Vec<&str> = listed.lines().collect();
    services.sort();
    assert_eq!(services, ["app", "sidecar"]);
    let ps = ok(docker_compose(&["ps"]));
    assert!(
        ps.contains(&format!("{n}-app-1")) && ps.contains("Up"),
        "{ps}"
    );
    // Where a service's port is published: the engine picked the host port.
    let port = ok(p.berth(&home, &["port", "app", "80"]));
    assert!(port.starts_with("127.0.0.1:"), "{port}");
    assert_eq!(port, ok(docker_compose(&["port", "app", "80"])));
    let err = fails_after_progress(p.berth(&home, &["port", "app", "81"]));
    assert!(
        err.contains("service app publishes no port 81/tcp"),
        "{err}"
    );
    ok(p.berth(&home, &["down"]));

    // docker-compose 1.29's project (names with `_`) in Berth.
    ok(docker_compose(&["up", "-d"]));
    let ps = ok(p.berth(&home, &["ps"]));
    assert!(
        ps.contains(&format!("{n}_app_1")) && ps.contains(&format!("{n}_sidecar_1")),
        "{ps}"
    );
    wait_until(30, "docker-compose's containers to log", || {
        ok(p.berth(&home, &["logs", "--no-color", "app"])).contains("started")
    });
    let logs = ok(p.berth(&home, &["logs", "--no-color", "app"]));
    assert_eq!(logs, format!("{n}_app_1  | started\n"));
    // Berth's up adopts them as they are: nothing to create, only a warning-free plan.
    let plan = ok(p.berth(&home, &["up", "--dry-run"]));
    assert!(!plan.contains("Create"), "{plan}");
    ok(p.berth(&home, &["down"]));
    assert!(p.listed(&["ps", "-aq"]).is_empty());
    assert!(p.listed(&["network", "ls", "-q"]).is_empty());
}

#[test]
#[ignore = "needs root and a real engine and registry (scripts/test.sh runs it)"]
fn push_sends_the_built_images_and_refuses_a_name_it_cannot_push_before_any() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let base = format!("berth-test/{}:base", scope.id);
    busybox_image(e, &scope, &base, "");
    let repository = format!("{}/berth-test/{}", registry().addr, scope.id);
    let compose = format!(
        "services:\n  app:\n    build: ./app\n    image: {repository}:app\n  official:\n    build: ./app\n    image: bt{id}-official:1\n    profiles: [official]\n  db:\n    image: {base}\n",
        id = scope.id.to_lowercase()
    );
    // A layer of its own, which a pull after the image is gone fetches again.
    let dockerfile = format!(
        "FROM {base}\nRUN [\"sh\", \"-c\", \"echo {} > /app\"]\nCMD [\"sleep\", \"600\"]\n",
        scope.id
    );
    let p = Project::new(
        e,
        &scope,
        &[("compose.yaml", &compose), ("app/Dockerfile", &dockerfile)],
    );
    // The classic builder: what BuildKit builds stays in its cache when the image is removed,
    // and a pull of it below would have no layer to fetch.
    ok(p.berth(&home, &["build"]).env("DOCKER_BUILDKIT", "0"));
    let tags = |home: &Home| run(home.berth(&["-H", &e.host, "registry", "tags", &repository]));

    // A service named for Docker Hub's official images: refused, and nothing pushed.
    let err = fails(p.berth(&home, &["--profile", "official", "push"]));
    assert!(
        err.contains(&format!(
            "bt{}-official:1: that name is Docker Hub's official images",
            scope.id.to_lowercase()
        )),
        "{err}"
    );
    let before = tags(&home);
    assert!(
        !String::from_utf8_lossy(&before.stdout).contains("app"),
        "{before:?}"
    );

    // The built service's image goes to its registry; the one only run (db) is not pushed.
    let out = run(p.berth(&home, &["push"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("Image {repository}:app  Pushed")),
        "{err}"
    );
    assert!(!err.contains(&base), "{err}");
    let after = tags(&home);
    assert_eq!(
        String::from_utf8_lossy(&after.stdout).trim(),
        "app",
        "{after:?}"
    );

    // Pulled back once gone: each layer's line, or with -q only the image's start and end.
    let pulled = |quiet: bool| {
        e.docker_ok(&["rmi", &format!("{repository}:app")]);
        let args: &[&str] = if quiet {
            &["pull", "-q", "app"]
        } else {
            &["pull", "app"]
        };
        let out = run(p.berth(&home, args));
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let done = format!("Image {repository}:app  Pulled");
    let loud = pulled(false);
    assert!(
        loud.contains("Pull complete") && loud.contains(&done),
        "{loud}"
    );
    let quiet = pulled(true);
    assert!(
        !quiet.contains("Pull complete") && quiet.contains(&done),
        "{quiet}"
    );

    // An image that cannot be pushed (never built): the push fails, or with
    // --ignore-push-failures is said and the others pushed; -q without the layers' progress.
    p.write(
        "pushes.yaml",
        &format!("services:\n  app:\n    build: ./app\n    image: {repository}:app\n  unbuilt:\n    build: ./app\n    image: {repository}:unbuilt\n"),
    );
    let pushes =
        |args: &[&str]| p.berth(&home, &[&["-f", "pushes.yaml", "push"][..], args].concat());
    let err = fails_after_progress(pushes(&[]));
    assert!(err.contains(&format!("{repository}:unbuilt")), "{err}");
    let out = run(pushes(&["--ignore-push-failures", "-q"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(out.stdout.is_empty(), "{out:?}");
    for line in [
        format!(" Image {repository}:unbuilt  Error: "),
        format!(" Image {repository}:app  Pushed"),
    ] {
        assert!(err.contains(&line), "{line:?} in {err}");
    }

    // config --resolve-image-digests: an image pinned to what its registry serves now; one
    // built and named by the project left as it is.
    let pinned = |tag: &str| {
        p.write(
            "pinned.yaml",
            &format!(
                "services:\n  app:\n    image: {repository}:{tag}\n  local:\n    build: ./app\n"
            ),
        );
        p.berth(
            &home,
            &["-f", "pinned.yaml", "config", "--resolve-image-digests"],
        )
    };
    let repo_digest = e.docker_ok(&[
        "inspect",
        "-f",
        "{{index .RepoDigests 0}}",
        &format!("{repository}:app"),
    ]);
    let digest = repo_digest.trim().split_once('@').unwrap().1;
    let model = ok(pinned("app"));
    assert!(
        model.contains(&format!("image: {repository}:app@{digest}\n")),
        "{model}"
    );
    assert_eq!(model.matches("@sha256:").count(), 1, "{model}");
    // --lock-image-digests: only the override that pins the images, which compose reads back.
    let lock = ok(p.berth(
        &home,
        &["-f", "pinned.yaml", "config", "--lock-image-digests"],
    ));
    assert_eq!(
        lock,
        format!("services:\n  app:\n    image: {repository}:app@{digest}\n")
    );
    p.write("lock.yaml", &lock);
    let merged = ok(p.berth(
        &home,
        &["-f", "pinned.yaml", "-f", "lock.yaml", "config", "--images"],
    ));
    assert!(
        merged.contains(&format!("{repository}:app@{digest}")),
        "{merged}"
    );
    // A tag the registry does not have: one line naming the service.
    let err = fails(pinned("nope"));
    assert!(
        err.starts_with(&format!("berth: services.app.image: {repository}:nope: ")),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn failures_are_one_clear_line() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:fail", scope.id);
    busybox_image(e, &scope, &image, "");
    let compose = format!(
        r#"
services:
  sick:
    image: {image}
    command: ["sleep", "600"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 2
  app:
    image: {image}
    command: ["sleep", "600"]
    depends_on:
      sick:
        condition: service_healthy
  missing:
    image: berth-test/{id}:does-not-exist
    pull_policy: never
    profiles: [missing]
"#,
        id = scope.id
    );
    let p = Project::new(e, &scope, &[("compose.yaml", &compose)]);

    let err = fails_after_progress(p.berth(&home, &["up", "-d", "app"]));
    assert!(err.contains("dependency sick is unhealthy"), "{err}");
    assert!(
        p.listed(&[
            "ps",
            "-aq",
            "--filter",
            "label=com.docker.compose.service=app",
            "--filter",
            "status=running"
        ])
        .is_empty(),
        "app was not started"
    );
    let err = fails(p.berth(&home, &["up", "-d", "nope"]));
    assert_eq!(err, "berth: nope: no such service");
    // Reading commands refuse it too, rather than matching no container.
    for read in [
        &["logs", "nope"][..],
        &["ps", "nope"],
        &["top", "nope"],
        &["images", "nope"],
    ] {
        let err = fails(p.berth(&home, read));
        assert_eq!(err, "berth: nope: no such service", "{read:?}");
    }
    let err = fails(p.berth(&home, &["--profile", "missing", "up", "-d", "missing"]));
    assert!(err.contains("pull_policy is never"), "{err}");
    let err = fails(p.berth(&home, &["up", "-d", "--scale", "app"]));
    assert!(err.contains("SERVICE=NUMBER"), "{err}");
    let mut config = home.berth(&["compose", "-f", "nope.yaml", "config"]);
    config.current_dir(p.path());
    let err = fails(config);
    assert!(err.contains("nope.yaml: no such file"), "{err}");
    // down of a name with nothing on the engine is not an error.
    let empty = tempfile::tempdir().unwrap();
    let mut down = home.berth(&["-H", &e.host, "compose", "-p", "bt-nothing-here", "down"]);
    down.current_dir(empty.path());
    ok(down);
}

/// A `berth compose watch` running in the background, killed when dropped.
struct Background {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Background {
    fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("berth compose watch starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (up to `secs`) for a stderr line containing `text`.
    fn wait_for_line(&mut self, secs: u64, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while !self.seen.iter().any(|l| l.contains(text)) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!(
                    "no {text:?} within {secs} s; saw:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_build_s_inline_dockerfile_and_step_limits_apply_and_keys_not_applied_are_said() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    let image = format!("berth-test/{}:tool", scope.id);
    // The Dockerfile is the file's own text; its step records what it was given.
    let compose = format!(
        "services:\n  tool:\n    image: {image}\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM {BUSYBOX_IMAGE}\n        RUN ulimit -n > /seen && df -k /dev/shm | tail -1 >> /seen && (cat /sys/fs/cgroup/memory/memory.limit_in_bytes || cat /sys/fs/cgroup/memory.max) >> /seen\n        CMD [\"cat\", \"/seen\"]\n      shm_size: 96m\n      ulimits:\n        nofile: {{soft: 777, hard: 888}}\n      privileged: true\n      labels: [{}]\n",
        scope.label()
    );
    let p = Project::new(e, &scope, &[("compose.yaml", &compose)]);
    let leftovers = || {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .filter(|f| {
                f.file_name()
                    .to_string_lossy()
                    .starts_with("berth-dockerfile-")
            })
            .filter(|f| std::fs::read_to_string(f.path()).is_ok_and(|t| t.contains(BUSYBOX_IMAGE)))
            .count()
    };
    let before = leftovers();

    // The classic builder applies the limits (and `-m`'s); what no builder applies is said.
    let mut classic = p.berth(&home, &["build", "-m", "64m"]);
    classic.env("DOCKER_BUILDKIT", "0");
    let out = run(&mut classic);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: services.tool.build: privileged not applied by Berth"),
        "{err}"
    );
    assert!(!err.contains("BuildKit"), "{err}");
    let seen = e.docker_ok(&["run", "--rm", &image]);
    let mut lines = seen.lines();
    assert_eq!(lines.next(), Some("777"), "{seen}");
    assert_eq!(
        lines.next().and_then(|l| l.split_whitespace().nth(1)),
        Some("98304"),
        "{seen}"
    );
    assert_eq!(lines.next(), Some("67108864"), "{seen}");
    assert_eq!(
        leftovers(),
        before,
        "the inline Dockerfile's file was left behind"
    );

    // With BuildKit (compose's default) the build runs, and says the limits may not apply.
    let out = run(p.berth(&home, &["build", "--no-cache"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: services.tool.build: shm_size, ulimits and build -m are sent, but the engine's BuildKit may not apply them"),
        "{err}"
    );

    // Bad input: one line naming the key or the flag, before any build.
    let err = fails(p.berth(&home, &["build", "-m", "lots"]));
    assert_eq!(
        err,
        "berth: -m lots: write a size like 512m or 2g (b, k, m, g)"
    );
    p.write(
        "compose.yaml",
        &compose.replace("      shm_size: 96m\n", "      dockerfile: Dockerfile\n"),
    );
    let err = fails_after_progress(p.berth(&home, &["build"]));
    assert!(
        err.ends_with(
            "services.tool.build: dockerfile and dockerfile_inline are both set: keep one"
        ),
        "{err}"
    );
    p.write("compose.yaml", &compose.replace("hard: 888", "hard: 700"));
    let err = fails_after_progress(p.berth(&home, &["build"]));
    assert!(
        err.ends_with(
            "services.tool.build.ulimits.nofile: its soft limit 777 is above its hard limit 700"
        ),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn watch_syncs_files_and_rebuilds() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    let port = free_port();
    let compose = format!(
        r#"
services:
  web:
    build: .
    image: berth-test/{id}:watched
    labels: [{label}]
    command: ["httpd", "-f", "-p", "5000", "-h", "/www"]
    ports: ["127.0.0.1:{port}:5000"]
    develop:
      watch:
        - action: sync
          path: ./site
          target: /www
          ignore: ["*.swp"]
        - action: rebuild
          path: ./Dockerfile
"#,
        id = scope.id,
        label = scope.label()
    );
    let dockerfile = |version: &str| {
        format!("FROM {BUSYBOX_IMAGE}\nCOPY site /www\nRUN echo {version} > /version\n")
    };
    let p = Project::new(
        e,
        &scope,
        &[
            ("compose.yaml", compose.as_str()),
            ("Dockerfile", dockerfile("v1").as_str()),
            ("site/index.html", WWW),
        ],
    );
    let n = p.name.clone();
    let addr = format!("127.0.0.1:{port}");
    let mut watch = Background::spawn(p.berth(&home, &["watch"]));
    watch.wait_for_line(120, "Watch  Enabled");
    // Its server answers once it has started in the container (the watch may be on first).
    wait_until(30, "the page to be served", || {
        http_get(&addr, "/").map(|r| r.1) == Some(WWW.to_owned())
    });

    // A new file appears in the container; an ignored one does not; a deleted one goes.
    std::fs::write(p.path().join("site/new.html"), "new page\n").unwrap();
    std::fs::write(p.path().join("site/edit.swp"), "swap\n").unwrap();
    wait_until(30, "the new page to be served", || {
        http_get(&addr, "/new.html").map(|r| r.1) == Some("new page\n".to_owned())
    });
    assert_eq!(http_get(&addr, "/edit.swp").map(|r| r.0), Some(404));
    std::fs::remove_file(p.path().join("site/index.html")).unwrap();
    wait_until(30, "the deleted page to be gone", || {
        http_get(&addr, "/index.html").map(|r| r.0) == Some(404)
    });

    // Changing the Dockerfile rebuilds the image and recreates the container.
    let before = p.container_id(&format!("{n}-web-1"));
    p.write("Dockerfile", &dockerfile("v2"));
    watch.wait_for_line(120, "Service web  Rebuilt");
    assert_ne!(p.container_id(&format!("{n}-web-1")), before);
    assert_eq!(
        e.docker_ok(&["exec", &format!("{n}-web-1"), "cat", "/version"]),
        "v2\n"
    );
}

/// Compose's global flags: `--dry-run` prints up's and down's plans and does nothing,
/// `--parallel 1` runs one step at a time, `--progress` says steps plainly, as JSON or not at
/// all, `--ansi` colours the log prefixes or not whatever the terminal; bad values are one line.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn global_flags_plan_limit_and_say_as_compose_s_do() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:flags", scope.id);
    busybox_image(e, &scope, &image, "");
    let svc = |name: &str| {
        format!(
            "  {name}:\n    image: {image}\n    command: [\"sh\", \"-c\", \"echo {name} here; exec sleep 600\"]\n    stop_signal: SIGKILL\n"
        )
    };
    let compose = format!("services:\n{}{}{}", svc("a"), svc("b"), svc("c"));
    let p = Project::new(e, &scope, &[("compose.yaml", &compose)]);
    let n = &p.name;
    let global = |flags: &[&str], args: &[&str]| {
        let mut cmd = home.berth(&["-H", &e.host, "compose", "-p", n]);
        cmd.args(flags).args(args).current_dir(p.path());
        cmd
    };
    let said = |mut cmd: Command| {
        let out = run(&mut cmd);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{err}");
        (String::from_utf8_lossy(&out.stdout).into_owned(), err)
    };

    // --dry-run: up's plan, nothing made.
    let (plan, _) = said(global(&["--dry-run"], &["up", "-d"]));
    assert!(
        plan.contains(&format!("container:{n}-a-1 Create")),
        "{plan}"
    );
    assert!(p.listed(&["ps", "-aq"]).is_empty());

    // --parallel 1: each step done before the next begins.
    let (_, err) = said(global(
        &["--parallel", "1", "--progress", "plain"],
        &["up", "-d"],
    ));
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with(" Container"))
        .collect();
    assert_eq!(lines.len(), 12, "{err}");
    for pair in lines.chunks(2) {
        let (begun, ended) = (
            pair[0].rsplit_once("  ").unwrap(),
            pair[1].rsplit_once("  ").unwrap(),
        );
        assert_eq!(begun.0, ended.0, "{err}");
        assert!(begun.1.ends_with("ing") && ended.1.ends_with("ed"), "{err}");
    }
    wait_until(30, "the services' first lines", || {
        ok(global(&[], &["logs"])).contains("c here")
    });

    // --ansi: coloured prefixes or none, whatever the terminal (none here).
    let (coloured, _) = said(global(&["--ansi", "always"], &["logs", "a"]));
    assert!(
        coloured.contains("\x1b[") && coloured.contains("a here"),
        "{coloured:?}"
    );
    let (plain, _) = said(global(&["--ansi", "never"], &["logs", "a"]));
    assert!(
        !plain.contains("\x1b[") && plain.contains("a here"),
        "{plain:?}"
    );

    // --dry-run down: its plan, the containers still there.
    let (plan, _) = said(global(&["--dry-run"], &["down"]));
    assert!(plan.contains(&format!("{n}-b-1")), "{plan}");
    assert_eq!(p.listed(&["ps", "-q"]).len(), 3);

    // --progress json: an object per step on stderr; quiet: nothing.
    let (_, err) = said(global(&["--progress", "json"], &["stop", "a"]));
    let events = json_lines(&err);
    assert!(
        events
            .iter()
            .any(|ev| ev["resource"] == format!("Container {n}-a-1") && ev["status"] == "Stopped"),
        "{err}"
    );
    let (_, err) = said(global(&["--progress", "quiet"], &["down"]));
    assert!(!err.contains("Container"), "{err}");
    assert!(p.listed(&["ps", "-aq"]).is_empty());

    // Bad input: one line naming it.
    let err = fails(global(&["--parallel", "0"], &["up", "-d"]));
    assert!(
        err.contains("--parallel 0: give the number of steps at once"),
        "{err}"
    );
    let err = fails(global(&["--dry-run"], &["ps"]));
    assert!(
        err.contains("--dry-run works with up, down and publish here"),
        "{err}"
    );
}

/// `up --menu`: w turns watching on (a file synced into the container) and off, d detaches
/// and leaves the containers running; without a terminal --menu is refused before anything is
/// made.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn up_menu_turns_watching_on_and_off_and_detaches() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:menu", scope.id);
    busybox_image(e, &scope, &image, "");
    let compose = format!(
        "services:\n  web:\n    image: {image}\n    command: [\"sh\", \"-c\", \"echo web up; exec sleep 600\"]\n    stop_signal: SIGKILL\n    develop:\n      watch:\n        - action: sync\n          path: ./site\n          target: /site\n"
    );
    let p = Project::new(
        e,
        &scope,
        &[("compose.yaml", compose.as_str()), ("site/a.txt", "a\n")],
    );
    let web = format!("{}-web-1", p.name);

    let mut no_terminal = p.berth(&home, &["up", "--menu"]);
    no_terminal.stdin(std::process::Stdio::null());
    let err = fails(no_terminal);
    assert!(
        err.contains("--menu needs a terminal on standard input"),
        "{err}"
    );
    assert!(p.listed(&["ps", "-aq"]).is_empty());

    let mut term = InTerminal::spawn(
        &home,
        &format!(
            "cd {} && {} -H {} compose -p {} up --menu",
            p.path().display(),
            env!("CARGO_BIN_EXE_berth"),
            e.host,
            p.name
        ),
    );
    term.wait_for("web up");
    term.wait_for("w Enable Watch   d Detach");
    term.types(b"w");
    term.wait_for("w Disable Watch");
    std::fs::write(p.path().join("site/b.txt"), "synced\n").unwrap();
    wait_until(30, "the file synced into the container", || {
        e.docker()
            .args(["exec", &web, "cat", "/site/b.txt"])
            .output()
            .is_ok_and(|o| o.stdout == b"synced\n")
    });
    term.types(b"w");
    term.wait_for("Watch disabled");
    term.types(b"d");
    let (code, seen) = term.end();
    assert_eq!(code, Some(0), "{seen}");
    assert!(
        seen.contains("Detached: the containers keep running"),
        "{seen}"
    );
    assert_eq!(
        e.docker_ok(&["inspect", "-f", "{{.State.Running}}", &web]),
        "true\n"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn up_attached_aborts_on_an_exit_and_returns_the_code_asked_for() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:abort", scope.id);
    busybox_image(e, &scope, &image, "");
    // A server that handles TERM (so a stop is quick), a test run that fails with 3, and a
    // noisy service whose logs are not shown (`attach: false`).
    let compose = format!(
        "services:\n  server:\n    image: {image}\n    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; echo serving; while :; do sleep 1; done\"]\n  tests:\n    image: {image}\n    command: [\"sh\", \"-c\", \"echo testing; sleep 1; echo done; exit 3\"]\n  noisy:\n    image: {image}\n    attach: false\n    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; echo noise; while :; do sleep 1; done\"]\n"
    );
    let p = Project::new(e, &scope, &[("compose.yaml", &compose)]);
    let n = &p.name;
    let out = run(p.berth(&home, &["up", "--exit-code-from", "tests"]));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("{n}-tests-1 ")) && l.ends_with("| done")),
        "the exited container's last line is shown: {stdout}"
    );
    assert!(
        stderr.contains(&format!("{n}-tests-1 exited with code 3"))
            && stderr.contains("Aborting on container exit...")
            && stderr.contains(&format!("{n}-server-1 exited with code 0"))
            && stderr.contains(&format!("{n}-noisy-1 exited with code 0")),
        "the first exit, the abort, and the stopped servers' exits (their traps exit 0): {stderr}"
    );
    assert!(
        stdout.contains("| serving") && !stdout.contains("noise"),
        "attach: false hides noisy's logs: {stdout}"
    );
    // --attach shows only the services it names (noisy's attach: false overridden), --no-attach
    // hides one.
    let out = run(p.berth(
        &home,
        &["up", "--abort-on-container-exit", "--attach", "noisy"],
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("| noise") && !stdout.contains("testing") && !stdout.contains("serving"),
        "{stdout}"
    );
    let out = run(p.berth(
        &home,
        &["up", "--abort-on-container-exit", "--no-attach", "server"],
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("| testing") && !stdout.contains("serving") && !stdout.contains("noise"),
        "{stdout}"
    );
    // --timestamps and --no-log-prefix: each line its time, no name before it.
    let out = run(p.berth(
        &home,
        &[
            "up",
            "--abort-on-container-exit",
            "--no-attach",
            "server",
            "--timestamps",
            "--no-log-prefix",
        ],
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let testing = stdout.lines().find(|l| l.ends_with(" testing"));
    assert!(
        testing.is_some_and(|l| l.starts_with("20") && l.contains('T') && !l.contains('|')),
        "{stdout}"
    );
    let err = fails_after_progress(p.berth(&home, &["up", "--no-attach", "nope"]));
    assert!(
        err.contains("--no-attach nope: the project has no such service"),
        "{err}"
    );
    // Everything was stopped, nothing removed.
    let states = e.docker_ok(&[
        "ps",
        "-a",
        "--format",
        "{{.Names}} {{.State}}",
        "--filter",
        &format!("label=com.docker.compose.project={n}"),
    ]);
    assert!(
        states.contains(&format!("{n}-server-1 exited"))
            && states.contains(&format!("{n}-tests-1 exited")),
        "{states}"
    );
    // Without --exit-code-from, the first container to exit gives the code.
    let out = run(p.berth(&home, &["up", "--abort-on-container-exit"]));
    assert_eq!(out.status.code(), Some(3));
    let err = fails_after_progress(p.berth(&home, &["up", "--exit-code-from", "nope"]));
    assert!(
        err.contains("--exit-code-from nope: the project has no such service"),
        "{err}"
    );
    // ps by state, logs by time.
    assert_eq!(
        ok(p.berth(&home, &["ps", "--status", "exited", "-q"]))
            .lines()
            .count(),
        3
    );
    assert_eq!(ok(p.berth(&home, &["ps", "--status", "running", "-q"])), "");
    assert_eq!(
        ok(p.berth(&home, &["ps", "--filter", "status=exited", "-q"])),
        ok(p.berth(&home, &["ps", "--status", "exited", "-q"]))
    );
    let err = fails(p.berth(&home, &["ps", "--filter", "name=tests"]));
    assert!(
        err.contains("--filter \"name=tests\": the filter compose ps takes is status=STATE"),
        "{err}"
    );
    // The images the containers use: one image, its id once; a row per container in JSON.
    let id = e.docker_ok(&["image", "inspect", "-f", "{{.Id}}", &image]);
    let id = id.trim();
    assert_eq!(
        ok(p.berth(&home, &["images", "-q"])),
        format!("{}\n", id.trim_start_matches("sha256:"))
    );
    let rows = json_lines(&ok(p.berth(&home, &["images", "--format", "json"])));
    let mut containers: Vec<&str> = rows
        .iter()
        .map(|r| r["ContainerName"].as_str().unwrap())
        .collect();
    containers.sort_unstable();
    assert_eq!(
        containers,
        [
            format!("{n}-noisy-1"),
            format!("{n}-server-1"),
            format!("{n}-tests-1")
        ]
    );
    let (repository, tag) = image.rsplit_once(':').unwrap();
    assert!(
        rows.iter().all(|r| r["ID"] == id
            && r["Repository"] == repository
            && r["Tag"] == tag
            && r["Size"].as_i64() > Some(0)),
        "{rows:?}"
    );
    let logs = ok(p.berth(
        &home,
        &["logs", "--no-log-prefix", "--since", "10m", "tests"],
    ));
    assert!(logs.ends_with("testing\ndone\n"), "{logs}");
    assert_eq!(
        ok(p.berth(&home, &["logs", "--until", "1", "tests"])),
        "",
        "nothing before 1970"
    );
    // create: containers made, none started.
    ok(p.berth(&home, &["down"]));
    ok(p.berth(&home, &["create"]));
    assert_eq!(
        ok(p.berth(&home, &["ps", "--status", "created", "-q"]))
            .lines()
            .count(),
        3
    );
    ok(p.berth(&home, &["down"]));

    // A one-off with its own port, volume and label besides the service's settings.
    std::fs::create_dir_all(p.path().join("data")).unwrap();
    std::fs::write(p.path().join("data/seen"), "from the host\n").unwrap();
    let id = ok(p.berth(
        &home,
        &[
            "run",
            "-d",
            "-p",
            "127.0.0.1::8080",
            "-v",
            "./data:/data:ro",
            "-l",
            "extra=yes",
            "server",
        ],
    ));
    let id = id.trim();
    let shape = e.docker_ok(&[
        "inspect",
        "-f",
        "{{(index (index .NetworkSettings.Ports \"8080/tcp\") 0).HostIp}} {{index .Config.Labels \"extra\"}} {{range .Mounts}}{{.Destination}} {{.RW}}{{end}}",
        id,
    ]);
    assert_eq!(shape.trim(), "127.0.0.1 yes /data false", "{shape}");
    assert_eq!(
        e.docker_ok(&["exec", id, "cat", "/data/seen"]),
        "from the host\n"
    );
    e.docker_ok(&["rm", "-f", id]);

    // Attached without aborting: each exit is said, and up ends when all have ended.
    p.write(
        "ends.yaml",
        &format!(
            "services:\n  quick:\n    image: {image}\n    command: [\"true\"]\n  slow:\n    image: {image}\n    command: [\"sh\", \"-c\", \"sleep 1; exit 2\"]\n"
        ),
    );
    let out = run(p.berth(&home, &["-f", "ends.yaml", "up"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("{n}-quick-1 exited with code 0"))
            && stderr.contains(&format!("{n}-slow-1 exited with code 2")),
        "{stderr}"
    );
    ok(p.berth(&home, &["-f", "ends.yaml", "down"]));
}

/// The service keys beyond the common ones reach the engine and work there: limits, a link
/// with its alias, volumes from another service, a secret and a config kept in files, a MAC
/// address (where this engine, API 1.41, reads it: the container's config); what Berth
/// does not apply is said when the project goes up.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn links_volumes_from_secrets_configs_and_limits_reach_the_engine() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:keys", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let p = Project::new(
        e,
        &scope,
        &[
            (
                "compose.yaml",
                &format!(
                    r#"
services:
  db:
    image: {image}
    volumes: ["/shared"]
  web:
    image: {image}
    links: ["db:database"]
    volumes_from: ["db:ro"]
    platform: linux
    cpu_shares: 512
    pids_limit: 64
    mem_reservation: 32m
    oom_score_adj: 100
    secrets: [token, {{source: api_key, mode: 0400, uid: "100"}}]
    configs: [{{source: app, target: /etc/app.conf}}, motd]
    credential_spec: {{file: spec.json}}
    mac_address: "02:BE:27:00:00:02"
secrets:
  token: {{file: ./token.txt}}
  api_key: {{environment: API_KEY}}
configs:
  app: {{file: ./app.conf}}
  motd: {{content: "hello from ${{WHO}}"}}
"#
                ),
            ),
            ("token.txt", "s3cret\n"),
            ("app.conf", "level = debug\n"),
            (".env", "API_KEY=k-123\nWHO=berth\n"),
        ],
    );
    let out = run(p.berth(&home, &["up", "-d"]));
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("services.web: credential_spec not applied by Berth")
            && !err.contains("platform"),
        "{err}"
    );
    let web = format!("{}-web-1", p.name);
    let host = e.docker_ok(&[
        "inspect",
        "-f",
        "{{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} {{.HostConfig.MemoryReservation}} {{.HostConfig.OomScoreAdj}} {{json .HostConfig.VolumesFrom}}",
        &web,
    ]);
    assert_eq!(
        host.trim(),
        format!("512 64 33554432 100 [\"{}-db-1:ro\"]", p.name)
    );
    let exec = |cmd: &str| e.docker_ok(&["exec", &web, "sh", "-c", cmd]);
    assert_eq!(exec("cat /run/secrets/token"), "s3cret\n");
    assert_eq!(exec("cat /etc/app.conf"), "level = debug\n");
    // Not in files: copied in before the start, with the mode and owner asked for.
    assert_eq!(exec("cat /run/secrets/api_key"), "k-123");
    assert_eq!(exec("stat -c '%a %u' /run/secrets/api_key"), "400 100\n");
    assert_eq!(exec("cat /motd"), "hello from berth");
    assert_eq!(
        exec("cat /sys/class/net/eth0/address"),
        "02:be:27:00:00:02\n"
    );
    // The link's alias resolves (the network's DNS answers it); db's volume is there, read-only.
    let db_ip = e.docker_ok(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        &format!("{}-db-1", p.name),
    ]);
    assert!(
        exec("nslookup database 127.0.0.11").contains(db_ip.trim()),
        "database is {db_ip}"
    );
    let write = e
        .docker()
        .args(["exec", &web, "touch", "/shared/x"])
        .output()
        .unwrap();
    assert!(!write.status.success(), "db's volume is read-only in web");
    ok(p.berth(&home, &["down"]));
}

/// Lifecycle hooks run with exec in the service's container, as compose runs them: post_start
/// after each start (as the user and with the environment they ask for, their output shown),
/// pre_stop before each stop of a running container (`stop`, `restart`, `down`); one that
/// exits non-zero fails the command with its status.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn lifecycle_hooks_run_around_starts_and_stops() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:hooks", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let p = Project::new(
        e,
        &scope,
        &[(
            "compose.yaml",
            &format!(
                r#"
services:
  web:
    image: {image}
    user: "1000"
    stop_grace_period: 1s
    volumes: ["log:/log"]
    post_start:
      - command: sh -c 'echo "start by $$(id -u) for $$WHO" >> /log/hooks; echo hook-said-hi'
        user: "0"
        environment: [WHO=berth]
    pre_stop:
      - command: ["sh", "-c", "echo stop >> /log/hooks"]
        user: "0"
volumes:
  log: {{}}
"#
            ),
        )],
    );
    let web = format!("{}-web-1", p.name);
    let log = || e.docker_ok(&["exec", &web, "cat", "/log/hooks"]);
    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("Container {web} -> hook-said-hi")),
        "{err}"
    );
    assert_eq!(log(), "start by 0 for berth\n");
    ok(p.berth(&home, &["restart"]));
    assert_eq!(log(), "start by 0 for berth\nstop\nstart by 0 for berth\n");
    ok(p.berth(&home, &["stop"]));
    ok(p.berth(&home, &["start"]));
    assert_eq!(
        log(),
        "start by 0 for berth\nstop\nstart by 0 for berth\nstop\nstart by 0 for berth\n"
    );
    // down keeps the volume: what the last pre_stop wrote is read from it afterwards.
    ok(p.berth(&home, &["down"]));
    let volume = format!("{}_log", p.name);
    let kept = e.docker_ok(&[
        "run",
        "--rm",
        "-v",
        &format!("{volume}:/log"),
        &image,
        "tail",
        "-n",
        "1",
        "/log/hooks",
    ]);
    assert_eq!(kept, "stop\n");

    // A hook that fails fails `up`, naming the service, the hook and its status.
    p.write(
        "failing.yaml",
        &format!(
            "services:\n  web:\n    image: {image}\n    post_start: [{{command: [\"sh\", \"-c\", \"exit 3\"]}}]\n"
        ),
    );
    let line = fails_after_progress(p.berth(&home, &["-f", "failing.yaml", "up", "-d"]));
    assert!(
        line.contains("web's post_start hook \"sh -c exit 3\" exited with status 3"),
        "{line}"
    );
    ok(p.berth(&home, &["-f", "failing.yaml", "down"]));
}

/// `pre_start` steps are init containers, as docker compose runs them: each in a container of
/// its own, in order, with the service's volumes (through its first container, made but not
/// started), environment and networks, and the container keys of its own over the service's, before the service's containers start, only when none
/// of them runs; their output is progress and they are removed; one that fails fails `up` and
/// the service does not start.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn pre_start_steps_run_to_completion_before_the_service_starts() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:init", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let p = Project::new(
        e,
        &scope,
        &[
            (
                "compose.yaml",
                &format!(
                    r#"
services:
  db:
    image: {image}
  web:
    image: {image}
    user: "1000"
    depends_on: [db]
    environment: [WHO=berth]
    volumes: ["data:/data"]
    pre_start:
      - command: sh -c 'echo "first by $$(id -u) for $$WHO" > /data/init; nslookup db 127.0.0.11 >/dev/null && echo db-answers'
        user: "0"
      - command: ["sh", "-c", "echo second >> /data/init; chown 1000 /data/init"]
        user: "0"
      - command: ["sh", "-c", "grep -q '10.9.8.7.*seed.local' /etc/hosts && echo hosts-ok; cat /seed/hello; echo $$SEEDED as $$(id -u)"]
        extra_hosts: ["seed.local=10.9.8.7"]
        volumes: ["./seed:/seed:ro"]
        env_file: seed.env
volumes:
  data: {{}}
"#
                ),
            ),
            ("seed/hello", "seed-mounted\n"),
            ("seed.env", "SEEDED=from-env-file\n"),
        ],
    );
    let web = format!("{}-web-1", p.name);
    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("Container {web}-pre_start-1 -> db-answers")),
        "the step's output is progress, and db is up and named on the network: {err}"
    );
    // A step's other container keys, over the service's (its user inherited).
    for said in ["hosts-ok", "seed-mounted", "from-env-file as 1000"] {
        assert!(
            err.contains(&format!("Container {web}-pre_start-3 -> {said}")),
            "{said}: {err}"
        );
    }
    let read = || e.docker_ok(&["exec", &web, "cat", "/data/init"]);
    assert_eq!(read(), "first by 0 for berth\nsecond\n");
    // Removed once done; not taken for the service's containers.
    let left = e.docker_ok(&["ps", "-aq", "--filter", &format!("name={web}-pre_start")]);
    assert_eq!(left.trim(), "", "the steps' containers are removed");
    // web runs on: another up does not run the steps again.
    e.docker_ok(&["exec", &web, "sh", "-c", "echo kept > /data/init"]);
    ok(p.berth(&home, &["up", "-d"]));
    assert_eq!(read(), "kept\n");
    ok(p.berth(&home, &["down", "-v"]));

    // A step that fails fails `up`, naming the service, the step and its status; the
    // service's container is made but not started.
    p.write(
        "failing.yaml",
        &format!(
            "services:\n  web:\n    image: {image}\n    pre_start: [{{command: [\"sh\", \"-c\", \"echo no; exit 4\"]}}]\n"
        ),
    );
    let line = fails_after_progress(p.berth(&home, &["-f", "failing.yaml", "up", "-d"]));
    assert!(
        line.contains("web's pre_start step 1 \"sh -c echo no; exit 4\" exited with status 4"),
        "{line}"
    );
    let state = e.docker_ok(&["inspect", "-f", "{{.State.Status}}", &web]);
    assert_eq!(state.trim(), "created");
    let left = e.docker_ok(&["ps", "-aq", "--filter", &format!("name={web}-pre_start")]);
    assert_eq!(left.trim(), "", "a failed step's container is removed too");
    ok(p.berth(&home, &["-f", "failing.yaml", "down"]));
}

/// A provider service, as docker compose runs one: its program (here a Docker CLI plugin in the
/// user's Docker config, which makes a volume on the same engine through the docker CLI) runs
/// `compose up` with the service's options, its variables reach the services that depend on
/// it (and a one-off `run` of one), an unchanged `up` runs it again without recreating them,
/// `stop` and `down` run its `stop` and `down`, and an error it sends fails `up` by its words.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn provider_services_are_run_by_their_program() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:provided", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let p = Project::new(e, &scope, &[]);
    let log = p.path().join("provider.log");
    home.cli_plugin(
        "cloudy",
        &format!(
            r#"#!/bin/sh
if [ "$2" = metadata ]; then
  echo '{{"description":"test cloud","up":{{"parameters":[{{"name":"size","required":true}},{{"name":"mode"}}]}},"down":{{"parameters":[]}},"stop":{{"parameters":[]}}}}'
  exit 0
fi
echo "$* on $DOCKER_HOST" >> {log}
project=${{2#--project-name=}}
case "$3 $*" in
  *--mode=error*) echo '{{"type":"error","message":"quota exceeded"}}'; exit 1 ;;
  up*)
    echo '{{"type":"info","message":"making the volume"}}'
    docker volume create --label com.docker.compose.project=$project cloudy-$project >/dev/null || exit 2
    echo '{{"type":"setenv","message":"URL=volume://cloudy-'$project'"}}'
    echo '{{"type":"rawsetenv","message":"TOKEN=xyz"}}' ;;
  down*) docker volume rm -f cloudy-$project >/dev/null ;;
esac
"#,
            log = log.display()
        ),
    );
    let compose = |mode: &str| {
        format!(
            "services:\n  database:\n    provider:\n      type: cloudy\n      options: {{size: 2, mode: {mode}}}\n  app:\n    image: {image}\n    environment: [TOKEN=mine]\n    depends_on: [database]\n"
        )
    };
    p.write("compose.yaml", &compose("fine"));
    let volume = format!("cloudy-{}", p.name);
    let app = format!("{}-app-1", p.name);
    let calls = || std::fs::read_to_string(&log).unwrap_or_default();

    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Service database  Created"), "{err}");
    assert_eq!(
        calls(),
        format!(
            "compose --project-name={} up --mode=fine --size=2 database on {}\n",
            p.name, e.host
        ),
        "the program is given the project, its options and the engine Berth uses"
    );
    e.docker_ok(&["volume", "inspect", &volume]);
    let env = e.docker_ok(&["inspect", "-f", "{{json .Config.Env}}", &app]);
    assert!(
        env.contains(&format!("\"DATABASE_URL=volume://{volume}\"")),
        "{env}"
    );
    assert!(
        env.contains("\"TOKEN=xyz\"") && !env.contains("TOKEN=mine"),
        "rawsetenv sets over the service's own: {env}"
    );
    assert!(
        err.contains(
            "provider \"database\" overrides environment variable \"TOKEN\" in service \"app\""
        ),
        "{err}"
    );
    // A one-off run of a dependant is given them too.
    let printed = ok(p.berth(
        &home,
        &["run", "--rm", "-T", "app", "sh", "-c", "echo $DATABASE_URL"],
    ));
    assert_eq!(printed.trim(), format!("volume://{volume}"));

    // Unchanged: the program runs again, app is not recreated.
    let id = p.container_id(&app);
    ok(p.berth(&home, &["up", "-d"]));
    assert_eq!(p.container_id(&app), id);
    assert_eq!(calls().matches(" up ").count(), 3, "{}", calls());

    ok(p.berth(&home, &["stop"]));
    assert!(calls().contains(&format!("compose --project-name={} stop database", p.name)));
    let state = e.docker_ok(&["inspect", "-f", "{{.State.Status}}", &app]);
    assert_eq!(state.trim(), "exited");
    ok(p.berth(&home, &["down"]));
    assert!(calls().contains(&format!("compose --project-name={} down database", p.name)));
    assert!(
        e.docker()
            .args(["volume", "inspect", &volume])
            .output()
            .unwrap()
            .status
            .code()
            != Some(0),
        "the program's down removed its volume"
    );
    assert!(p.listed(&["ps", "-aq"]).is_empty());

    // An error the program sends fails up by its words, before app is made.
    p.write("compose.yaml", &compose("error"));
    let line = fails_after_progress(p.berth(&home, &["up", "-d"]));
    assert!(line.contains("database's provider cloudy"), "{line}");
    assert!(line.ends_with("quota exceeded"), "{line}");
    assert!(p.listed(&["ps", "-aq"]).is_empty(), "app is not made");
    ok(p.berth(&home, &["down"]));
}

/// Compose models, as `docker compose` runs them: the Docker Model Runner plugin
/// (`docker-model`, here a script in the test home's Docker config talking to nothing but a
/// file) is asked what is pulled, pulls what is not, configures each model the services use and
/// says where it serves them; the containers get the endpoint and the model.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn models_are_served_by_the_model_runner_plugin_and_given_to_the_services() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:models", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let p = Project::new(e, &scope, &[]);
    let log = p.path().join("model.log");
    let pulled = p.path().join("pulled");
    std::fs::write(&pulled, "ai/embed:1\n").unwrap();
    let plugin = home.cli_plugin(
        "model",
        &format!(
            r#"#!/bin/sh
[ "$1" = docker-cli-plugin-metadata ] && echo '{{"SchemaVersion":"0.1.0","Version":"v1.0.6"}}' && exit 0
echo "$* on $DOCKER_HOST" >> {log}
case "$1" in
  ls) printf '['; sep=; while read -r t; do printf '%s{{"tags":["%s"]}}' "$sep" "$t"; sep=,; done < {pulled}; echo ']' ;;
  pull) echo "$2" >> {pulled} ;;
  status) echo '{{"running":true,"endpoint":"http://model-runner.docker.internal/engines/v1/"}}' ;;
esac
"#,
            log = log.display(),
            pulled = pulled.display()
        ),
    );
    let compose = |llm: &str| {
        format!(
            "services:\n  chat:\n    image: {image}\n    models: [my-llm]\n  search:\n    image: {image}\n    models:\n      embed: {{endpoint_var: AI_AT, model_var: AI_IS}}\nmodels:\n  my-llm:\n    model: {llm}\n    context_size: 2048\n    runtime_flags: [--temp, '0.1']\n  embed:\n    model: ai/embed:1\n"
        )
    };
    p.write("compose.yaml", &compose("ai/smollm2"));
    let calls = || std::fs::read_to_string(&log).unwrap_or_default();
    let env_of = |c: &str| e.docker_ok(&["inspect", "-f", "{{json .Config.Env}}", c]);
    let chat = format!("{}-chat-1", p.name);
    let search = format!("{}-search-1", p.name);

    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Model my-llm  Configured"), "{err}");
    let calls_now = calls();
    let mut lines: Vec<&str> = calls_now.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            format!(
                "configure --context-size 2048 ai/smollm2 -- --temp 0.1 on {}",
                e.host
            ),
            format!("configure ai/embed:1 on {}", e.host),
            format!("ls --json on {}", e.host),
            format!("pull ai/smollm2 on {}", e.host),
            format!("status --json on {}", e.host),
            format!("status --json on {}", e.host),
        ],
        "only the missing model is pulled, both are configured, against Berth's engine"
    );
    let env = env_of(&chat);
    assert!(
        env.contains("\"MY_LLM_URL=http://model-runner.docker.internal/engines/v1/\"")
            && env.contains("\"MY_LLM_MODEL=ai/smollm2\""),
        "{env}"
    );
    let env = env_of(&search);
    assert!(
        env.contains("\"AI_AT=http://model-runner.docker.internal/engines/v1/\"")
            && env.contains("\"AI_IS=ai/embed:1\"")
            && !env.contains("MY_LLM"),
        "{env}"
    );
    // A one-off run gets them too.
    let printed = ok(p.berth(
        &home,
        &[
            "run",
            "--rm",
            "-T",
            "chat",
            "sh",
            "-c",
            "echo $MY_LLM_MODEL",
        ],
    ));
    assert_eq!(printed.trim(), "ai/smollm2");

    // Unchanged: configured again, nothing pulled, nothing recreated.
    let (chat_id, search_id) = (p.container_id(&chat), p.container_id(&search));
    std::fs::remove_file(&log).unwrap();
    ok(p.berth(&home, &["up", "-d"]));
    assert!(!calls().contains("pull"), "{}", calls());
    assert_eq!(p.container_id(&chat), chat_id);
    // Another model: pulled, and only the service that uses it is recreated.
    p.write("compose.yaml", &compose("ai/qwen3"));
    ok(p.berth(&home, &["up", "-d"]));
    assert!(calls().contains("pull ai/qwen3"), "{}", calls());
    assert_ne!(p.container_id(&chat), chat_id);
    assert_eq!(p.container_id(&search), search_id);
    assert!(env_of(&chat).contains("\"MY_LLM_MODEL=ai/qwen3\""));

    // Without the plugin, up says what is missing and makes nothing.
    ok(p.berth(&home, &["down"]));
    std::fs::remove_file(&plugin).unwrap();
    let line = fails_after_progress(p.berth(&home, &["up", "-d"]));
    assert!(
        line.contains("running models needs Docker Model Runner's plugin docker-model"),
        "{line}"
    );
    assert!(p.listed(&["ps", "-aq"]).is_empty());
}

/// Jobs, run by hand as docker compose runs them: `run JOB` makes a one-off container of the
/// job (after what it depends on), with its own keys, and returns its exit code; a job declared
/// `manual: false` is refused; `up` says a schedule is not run and makes no container for a job.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn jobs_run_by_hand_as_one_off_containers() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:jobs", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let p = Project::new(
        e,
        &scope,
        &[(
            "compose.yaml",
            &format!(
                "services:\n  db:\n    image: {image}\njobs:\n  backup:\n    image: {image}\n    depends_on: [db]\n    environment: [MODE=full]\n    command: [\"sh\", \"-c\", \"echo backup $$MODE; nslookup db 127.0.0.11 >/dev/null && echo db-answers; exit 3\"]\n    triggers: {{manual: true}}\n  nightly:\n    image: {image}\n    triggers: {{manual: false, schedule: ['0 3 * * *']}}\n"
            ),
        )],
    );
    let out = run(p.berth(&home, &["run", "--rm", "-T", "backup"]));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "the job's exit code: {out:?}");
    assert_eq!(printed, "backup full\ndb-answers\n");
    let db = e.docker_ok(&[
        "inspect",
        "-f",
        "{{.State.Status}}",
        &format!("{}-db-1", p.name),
    ]);
    assert_eq!(
        db.trim(),
        "running",
        "what the job depends on was brought up"
    );
    assert_eq!(
        p.listed(&["ps", "-aq"]).len(),
        1,
        "the job's container is removed"
    );

    let line = fails_after_progress(p.berth(&home, &["run", "--rm", "-T", "nightly"]));
    assert!(
        line.contains("jobs.nightly: it is declared with triggers.manual: false"),
        "{line}"
    );
    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("jobs.nightly: its schedule (0 3 * * *) is not run by Berth"),
        "{err}"
    );
    assert_eq!(
        p.listed(&["ps", "-aq"]).len(),
        1,
        "up makes no container for a job"
    );
    ok(p.berth(&home, &["down"]));
}

/// A one-off `run` attached as docker compose attaches it (the docker CLI's `start -a`): the
/// detach keys of `config.json` leave it running, `--rm` is the engine's (the container goes
/// when it stops, berth long gone), and a signal berth gets reaches a container without a TTY.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn one_off_runs_detach_with_the_config_keys_and_pass_signals_on() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:oneoff", scope.id);
    busybox_image(e, &scope, &image, "");
    let p = Project::new(
        e,
        &scope,
        &[(
            "compose.yaml",
            &format!(
                "services:\n  shell:\n    image: {image}\n    command: [\"sleep\", \"600\"]\n    stop_signal: SIGKILL\n"
            ),
        )],
    );
    std::fs::create_dir_all(home.docker_config()).unwrap();
    std::fs::write(
        home.docker_config().join("config.json"),
        r#"{"detachKeys": "ctrl-a,x"}"#,
    )
    .unwrap();
    let name = format!("{}-oneoff", p.name);
    let mut term = InTerminal::spawn(
        &home,
        &format!(
            "cd {} && {} -H {} compose -p {} run --rm --name {name} shell sh",
            p.path().display(),
            env!("CARGO_BIN_EXE_berth"),
            e.host,
            p.name
        ),
    );
    term.wait_for("/ # ");
    // docker's own keys are the shell's with these: ctrl-a x detaches.
    term.types(&[0x10, 0x11]);
    term.types(b"echo $((6*7))\r");
    term.wait_for("42");
    term.types(&[0x01, b'x']);
    let (code, seen) = term.end();
    assert_eq!(code, Some(0), "{seen}");
    assert!(
        seen.contains(&format!("berth: detached from {name}, which runs on")),
        "{seen}"
    );
    assert_eq!(
        e.docker_ok(&[
            "inspect",
            "-f",
            "{{.State.Running}} {{.HostConfig.AutoRemove}}",
            &name
        ]),
        "true true\n"
    );
    e.docker_ok(&["stop", "-t", "0", &name]);
    wait_until(30, "the --rm one-off to be removed", || {
        !p.listed(&["ps", "-a", "--format", "{{.Names}}"])
            .contains(&name)
    });
    // -T: SIGTERM to berth reaches the one-off, whose exit code is the run's.
    let mut cmd = p.berth(
        &home,
        &[
            "run",
            "--rm",
            "-T",
            "shell",
            "sh",
            "-c",
            "trap 'echo got TERM; exit 4' TERM; echo ready; while :; do sleep 1; done",
        ],
    );
    cmd.stdin(std::process::Stdio::null());
    let attached = Printing::spawn(cmd);
    attached.until("ready");
    attached.signal("TERM");
    let (status, rest) = attached.end();
    assert_eq!(status.code(), Some(4), "{rest:?}");
    assert!(rest.contains(&"got TERM".to_owned()), "{rest:?}");
    wait_until(30, "the -T one-off to be removed", || {
        p.listed(&["ps", "-aq"]).is_empty()
    });
}

/// A one-off `run` of a service made as docker compose makes it: its own image built when it
/// is not there even when its dependencies are brought up first (Berth used to stop at "no such
/// image"), without the service's aliases on its networks unless `--use-aliases` (it does not
/// take the service's traffic), with `--cap-add`, `--build` and `--interactive=false`.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_one_off_is_made_as_docker_compose_makes_it() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let base = format!("berth-test/{}:base", scope.id);
    busybox_image(e, &scope, &base, "");
    let image = format!("berth-test/{}:web", scope.id);
    let p = Project::new(
        e,
        &scope,
        &[(
            "compose.yaml",
            &format!(
                "services:\n  db:\n    image: {base}\n    command: [\"sleep\", \"600\"]\n    stop_signal: SIGKILL\n  web:\n    image: {image}\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM {base}\n        CMD [\"echo\", \"built\"]\n      labels: [{}]\n    depends_on: [db]\n",
                scope.label()
            ),
        )],
    );
    let aliases = |name: &str| {
        e.docker_ok(&[
            "inspect",
            "-f",
            &format!(
                "{{{{json (index .NetworkSettings.Networks \"{}_default\").Aliases}}}}",
                p.name
            ),
            name,
        ])
    };
    // Never built, its dependency brought up first: built, then run.
    let first = format!("{}-first", p.name);
    let out = run(p.berth(&home, &["run", "-T", "--name", &first, "web"]));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "built\n");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("Image {image}  Built")),
        "{out:?}"
    );
    assert!(!aliases(&first).contains("\"web\""), "{}", aliases(&first));
    // A build's output is said between the steps' lines (and not with --quiet-build, below).
    let build_output = |err: &[u8]| {
        String::from_utf8_lossy(err)
            .lines()
            .filter(|l| {
                !["Image", "Container", "Network", "Volume"]
                    .iter()
                    .any(|r| l.starts_with(&format!(" {r} ")))
            })
            .count()
    };
    assert!(build_output(&out.stderr) > 0, "{out:?}");
    assert_eq!(
        e.docker_ok(&["inspect", "-f", "{{.Config.OpenStdin}}", &first]),
        "true\n",
        "stdin kept, as docker compose's -i is on by default"
    );
    // --use-aliases, --cap-add, --build (built again, present as it is) with --quiet-build,
    // --interactive=false.
    let second = format!("{}-second", p.name);
    let out = run(p.berth(
        &home,
        &[
            "run",
            "-T",
            "--use-aliases",
            "--cap-add",
            "net_admin",
            "--build",
            "--quiet-build",
            "--interactive=false",
            "--name",
            &second,
            "web",
        ],
    ));
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("Image {image}  Built")),
        "{out:?}"
    );
    assert_eq!(build_output(&out.stderr), 0, "{out:?}");
    assert!(aliases(&second).contains("\"web\""), "{}", aliases(&second));
    assert_eq!(
        e.docker_ok(&[
            "inspect",
            "-f",
            "{{.HostConfig.CapAdd}} {{.Config.OpenStdin}}",
            &second
        ]),
        "[CAP_NET_ADMIN] false\n"
    );
    ok(p.berth(&home, &["down", "-t", "0"]));
}

/// `use_api_socket: true`, as `docker compose` gives it: the engine's socket at
/// /var/run/docker.sock (the docker CLI in the container lists its own container through it)
/// and the stored registry logins as the config.json `DOCKER_CONFIG` names, to the service's
/// containers and to a one-off `run` of it.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn use_api_socket_hands_the_engine_and_the_logins_to_the_container() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    // busybox and Debian's docker CLI with the two libraries it links.
    let image = format!("berth-test/{}:cli", scope.id);
    let dir = e.root.join(format!("ctx-{}", scope.name("cli")));
    berth_testkit::write_busybox_context(
        &dir,
        &format!(
            "FROM scratch\nLABEL {}\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCOPY docker /usr/bin/docker\nCOPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6\nCOPY ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2\nCMD [\"sleep\", \"600\"]\n",
            scope.label()
        ),
        &[],
    );
    for (from, to) in [
        ("/usr/bin/docker", "docker"),
        ("/lib/x86_64-linux-gnu/libc.so.6", "libc.so.6"),
        ("/lib64/ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2"),
    ] {
        std::fs::copy(from, dir.join(to)).unwrap();
    }
    berth_testkit::build_context(e, &scope, &image, &dir);
    // A stored login (kept in config.json, as `berth login --plain-text` keeps it).
    let config = home.docker_config();
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.json"),
        r#"{"auths": {"registry.example:5000": {"auth": "d2hvOnB3"}}}"#,
    )
    .unwrap();
    let p = Project::new(
        e,
        &scope,
        &[(
            "compose.yaml",
            &format!("services:\n  cli:\n    image: {image}\n    use_api_socket: true\n"),
        )],
    );
    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !err.contains("not applied"),
        "{err}"
    );
    let cli = format!("{}-cli-1", p.name);
    let listed = e.docker_ok(&["exec", &cli, "docker", "ps", "--format", "{{.Names}}"]);
    assert!(
        listed.lines().any(|l| l == cli),
        "the container sees its own engine: {listed}"
    );
    let handed = e.docker_ok(&["exec", &cli, "sh", "-c", "cat $DOCKER_CONFIG/config.json"]);
    let handed: serde_json::Value = serde_json::from_str(&handed).unwrap();
    assert_eq!(
        handed["auths"]["registry.example:5000"]["auth"], "d2hvOnB3",
        "{handed}"
    );
    // A one-off container of the service is given the same.
    let out = ok(p.berth(
        &home,
        &[
            "run",
            "--rm",
            "-T",
            "cli",
            "sh",
            "-c",
            "test -S /var/run/docker.sock && cat $DOCKER_CONFIG/config.json",
        ],
    ));
    assert!(out.contains("registry.example:5000"), "{out}");
    ok(p.berth(&home, &["down"]));
}

/// A time-based pull_policy pulls again an image last pulled longer ago than it allows (as the
/// engine's LastTagTime says), and not before.
#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn a_time_based_pull_policy_pulls_again_once_due() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let local = format!("berth-test/{}:fresh", scope.id);
    busybox_image(e, &scope, &local, "CMD [\"sleep\", \"600\"]");
    let remote = format!("{}/berth-test/{}:fresh", registry().addr, scope.id);
    e.docker_ok(&["tag", &local, &remote]);
    e.docker_ok(&["push", &remote]);
    e.docker_ok(&["rmi", &remote]);
    let compose = |policy: &str| {
        format!("services:\n  app:\n    image: {remote}\n    pull_policy: {policy}\n")
    };
    let p = Project::new(
        e,
        &scope,
        &[
            ("hourly.yaml", &compose("every_1h")),
            ("often.yaml", &compose("every_1s")),
        ],
    );
    let plan = |file: &str| ok(p.berth(&home, &["-f", file, "up", "--dry-run"]));
    let tagged = || e.docker_ok(&["inspect", "-f", "{{.Metadata.LastTagTime}}", &remote]);
    // Missing: pulled whatever the policy.
    assert!(plan("hourly.yaml").contains("Pull (service app), not found"));
    ok(p.berth(&home, &["-f", "hourly.yaml", "up", "-d"]));
    assert!(!tagged().trim().is_empty());
    // Pulled just now: not due within the hour.
    assert!(!plan("hourly.yaml").contains("Pull"));
    // Due once a second has passed since that pull; up pulls it again.
    wait_until(10, "every_1s to be due", || {
        plan("often.yaml").contains("Pull (service app), pull_policy every_1s, due")
    });
    let out = run(p.berth(&home, &["-f", "often.yaml", "up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains(&format!("Image {remote}  Pulled")),
        "{err}"
    );
    ok(p.berth(&home, &["-f", "often.yaml", "down"]));
}

/// Volumes a test leaves without a label (a replaced container's anonymous ones, kept by the
/// engine), removed when it drops, pass or fail.
struct Unlabelled(&'static Engine, Vec<String>);

impl Drop for Unlabelled {
    fn drop(&mut self) {
        for v in &self.1 {
            let _ = self.0.docker().args(["volume", "rm", "-f", v]).output();
        }
    }
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_recreated_container_keeps_its_anonymous_volumes_unless_renewed() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:volumed", scope.id);
    busybox_image(e, &scope, &image, "VOLUME /cache\nCMD [\"sleep\", \"600\"]");
    let compose = |round: u32, extra: &str| {
        format!(
            "services:\n  app:\n    image: {image}\n    stop_signal: SIGKILL\n    environment: [ROUND={round}]\n    volumes: [\"/data\"]\n{extra}"
        )
    };
    let p = Project::new(e, &scope, &[("compose.yaml", &compose(1, ""))]);
    let name = format!("{}-app-1", p.name);
    // Each path's volume: the service's anonymous one and the image's.
    let volumes = || {
        let text = e.docker_ok(&[
            "inspect",
            "-f",
            "{{range .Mounts}}{{.Destination}}={{.Name}} {{end}}",
            &name,
        ]);
        let mut pairs: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        pairs.sort();
        pairs
    };
    let read = |path: &str| {
        let out = run(p.berth(&home, &["exec", "-T", "app", "cat", path]));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    ok(p.berth(&home, &["up", "-d"]));
    ok(p.berth(
        &home,
        &[
            "exec",
            "-T",
            "app",
            "sh",
            "-c",
            "echo kept > /data/f; echo kept > /cache/f",
        ],
    ));
    let first = volumes();
    assert_eq!(first.len(), 2, "{first:?}");
    let first_id = p.container_id(&name);

    // Recreated for a change: the same volumes, their files there; the new one names the old.
    p.write("compose.yaml", &compose(2, ""));
    let err = String::from_utf8(run(p.berth(&home, &["up", "-d"])).stderr).unwrap();
    assert!(
        err.contains(&format!("Container {name}  Recreated")),
        "{err}"
    );
    assert_eq!(volumes(), first);
    assert_eq!(
        (read("/data/f"), read("/cache/f")),
        ("kept".into(), "kept".into())
    );
    let replaced = p.inspect(
        "{{index .Config.Labels \"com.docker.compose.replace\"}}",
        &name,
    );
    assert_eq!(replaced, first_id);
    assert_eq!(p.listed(&["ps", "-aq"]).len(), 1);

    // A new container the engine refuses: the old one stays, running, under its name and with
    // its volumes; the next up recreates it keeping them.
    let second_id = p.container_id(&name);
    p.write("compose.yaml", &compose(3, "    cpuset: \"99\"\n"));
    fails_after_progress(p.berth(&home, &["up", "-d"]));
    assert_eq!(p.container_id(&name), second_id);
    assert_eq!(p.inspect("{{.State.Running}}", &name), "true");
    assert_eq!(p.listed(&["ps", "-aq"]).len(), 1);
    assert_eq!(volumes(), first);
    p.write("compose.yaml", &compose(3, ""));
    ok(p.berth(&home, &["up", "-d"]));
    assert_eq!(
        (read("/data/f"), read("/cache/f")),
        ("kept".into(), "kept".into())
    );

    // -V: new ones, empty; the old ones are left to the user, not removed.
    let _left = Unlabelled(
        e,
        first
            .iter()
            .map(|p| p.split_once('=').unwrap().1.to_owned())
            .collect(),
    );
    p.write("compose.yaml", &compose(4, ""));
    let plan = ok(p.berth(&home, &["up", "--dry-run", "-V"]));
    assert!(
        plan.contains(&format!(
            "container:{name} Recreate (new anonymous volumes), config changed"
        )),
        "{plan}"
    );
    ok(p.berth(&home, &["up", "-d", "-V"]));
    let renewed = volumes();
    assert_eq!(renewed.len(), 2, "{renewed:?}");
    assert!(
        renewed.iter().all(|v| !first.contains(v)),
        "{renewed:?} {first:?}"
    );
    assert_eq!(
        (read("/data/f"), read("/cache/f")),
        (String::new(), String::new())
    );
    for v in &first {
        e.docker_ok(&["volume", "inspect", v.split_once('=').unwrap().1]);
    }
    ok(p.berth(&home, &["down", "-v", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn up_wait_timeout_bounds_the_wait_and_leaves_the_containers() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:waited", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let compose = |check: &str| {
        format!(
            "services:\n  app:\n    image: {image}\n    stop_signal: SIGKILL\n    healthcheck:\n      test: [\"CMD\", \"{check}\"]\n      interval: 1s\n      retries: 1000\n"
        )
    };
    // Never healthy (its check fails, but not often enough to be unhealthy): bounded.
    let p = Project::new(e, &scope, &[("compose.yaml", &compose("false"))]);
    let plan = ok(p.berth(&home, &["up", "--dry-run", "--wait", "--wait-timeout", "2"]));
    assert!(
        plan.contains("service:app Await service_healthy (at most 2 s), --wait"),
        "{plan}"
    );
    let started = std::time::Instant::now();
    let said = fails_after_progress(p.berth(&home, &["up", "-d", "--wait", "--wait-timeout", "2"]));
    assert_eq!(
        said,
        "berth: service app was not healthy within 2 s (--wait-timeout); its containers are left as they are"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let app = format!("{}-app-1", p.name);
    assert_eq!(p.inspect("{{.State.Status}}", &app), "running");
    // Healthy in time: the wait ends with it.
    p.write("compose.yaml", &compose("true"));
    ok(p.berth(&home, &["up", "-d", "--wait", "--wait-timeout", "60"]));
    assert_eq!(p.inspect("{{.State.Health.Status}}", &app), "healthy");
    // Without --wait it has nothing to bound.
    let err = String::from_utf8(run(p.berth(&home, &["up", "-d", "--wait-timeout", "5"])).stderr)
        .unwrap();
    assert!(
        err.contains("required arguments were not provided") && err.contains("--wait"),
        "{err}"
    );
    ok(p.berth(&home, &["down", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_one_off_s_environment_is_its_flags_over_its_files_over_the_service_s() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:env", scope.id);
    busybox_image(e, &scope, &image, "");
    let p = Project::new(
        e,
        &scope,
        &[
            (
                "compose.yaml",
                &format!(
                    "services:\n  app:\n    image: {image}\n    environment: [SERVICE=own, FROM_FILE=service]\n"
                ),
            ),
            (".env", "FROM_DOTENV=dotenv\n"),
            (
                "one.env",
                "FROM_FILE=one\nGIVEN=file\nUSES=\"${GIVEN}-used\"\n",
            ),
            ("two.env", "FROM_FILE=two\nSECOND=two\n"),
        ],
    );
    let out = run(p
        .berth(
            &home,
            &[
                "run",
                "--rm",
                "-T",
                "-e",
                "GIVEN=flag",
                "-e",
                "FROM_DOTENV",
                "-e",
                "NOT_SET_ANYWHERE",
                "--env-from-file",
                "one.env",
                "--env-from-file",
                "two.env",
                "app",
                "env",
            ],
        )
        .env_remove("NOT_SET_ANYWHERE"));
    assert!(out.status.success(), "{out:?}");
    let mut env: Vec<&str> = std::str::from_utf8(&out.stdout)
        .unwrap()
        .lines()
        .filter(|l| {
            ["SERVICE", "FROM_", "GIVEN", "USES", "SECOND", "NOT_SET"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .collect();
    env.sort();
    // -e over the files, the first file over the second, a file's value using an -e one, a
    // bare -e from the project's .env (left out when unset), all over the service's.
    assert_eq!(
        env,
        [
            "FROM_DOTENV=dotenv",
            "FROM_FILE=one",
            "GIVEN=flag",
            "SECOND=two",
            "SERVICE=own",
            "USES=flag-used",
        ]
    );
    // A file that is not there: one line naming it, nothing made.
    let said = fails_after_progress(p.berth(
        &home,
        &[
            "run",
            "--rm",
            "-T",
            "--env-from-file",
            "nope.env",
            "app",
            "true",
        ],
    ));
    assert!(
        said.starts_with("berth: --env-from-file nope.env: cannot read ")
            && said.contains("nope.env"),
        "{said}"
    );
    assert!(p.listed(&["ps", "-aq"]).is_empty());
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_one_off_run_removes_orphans_when_asked() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:orphans", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let service = |name: &str| format!("  {name}:\n    image: {image}\n    stop_signal: SIGKILL\n");
    let p = Project::new(
        e,
        &scope,
        &[(
            "compose.yaml",
            &format!("services:\n{}{}", service("app"), service("old")),
        )],
    );
    ok(p.berth(&home, &["up", "-d"]));
    p.write("compose.yaml", &format!("services:\n{}", service("app")));
    let old = format!("{}-old-1", p.name);
    // Without the flag the orphan stays; with it, it goes before the one-off runs.
    ok(p.berth(&home, &["run", "--rm", "-T", "--no-deps", "app", "true"]));
    e.docker_ok(&["inspect", &old]);
    let out = run(p.berth(
        &home,
        &["run", "--rm", "-T", "--remove-orphans", "app", "true"],
    ));
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("Container {old}  Removed")), "{err}");
    assert!(
        e.docker()
            .args(["inspect", &old])
            .output()
            .unwrap()
            .status
            .code()
            == Some(1)
    );
    assert_eq!(p.listed(&["ps", "-aq"]).len(), 1);
    ok(p.berth(&home, &["down", "-t", "0"]));
}

/// `compose cp`, `stats`, `events`, `wait`, `scale`, `attach` and `version`: a service's
/// containers found by the project's labels, then each acted on as the container commands act.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn the_container_commands_reach_a_service_s_containers() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:commands", scope.id);
    busybox_image(e, &scope, &image, "");
    let p = Project::new(
        e,
        &scope,
        &[
            (
                "compose.yaml",
                &format!(
                    "services:\n  app:\n    image: {image}\n    command: [\"sh\", \"-c\", \"while true; do echo tick; sleep 0.2; done\"]\n    stop_signal: SIGKILL\n  job:\n    image: {image}\n    command: [\"sh\", \"-c\", \"sleep 10; exit 3\"]\n"
                ),
            ),
            ("note.txt", "hello\n"),
        ],
    );
    // A container beside the project's, which its commands leave alone.
    let other = scope.name("other");
    e.docker_ok(&[
        "run",
        "-d",
        "--name",
        &other,
        "-l",
        &scope.label(),
        &image,
        "sleep",
        "600",
    ]);
    let events = Printing::spawn(p.berth(&home, &["events", "--json", "app"]));
    ok(p.berth(&home, &["up", "-d"]));
    let app = format!("{}-app-1", p.name);
    let said: serde_json::Value =
        serde_json::from_str(&events.first(|l| l.contains("\"start\""))).unwrap();
    assert_eq!(said["service"], "app");
    assert_eq!(said["id"], p.container_id(&app));
    assert_eq!(said["attributes"]["name"], app.as_str());
    drop(events);
    // --since and --until: past events too, the command ending at --until.
    let until = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1;
    let past = ok(p.berth(
        &home,
        &[
            "events",
            "--json",
            "--since",
            "10m",
            "--until",
            &until.to_string(),
            "app",
        ],
    ));
    assert!(
        past.lines()
            .any(|l| l.contains("\"start\"") && l.contains(&app)),
        "{past}"
    );

    // wait: the job's exit code, said and returned.
    let out = run(p.berth(&home, &["wait", "job"]));
    let job = p.container_id(&format!("{}-job-1", p.name));
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("container {job:?} exited with status code 3\n")
    );

    // ps with compose's template fields.
    let listed = ok(p.berth(
        &home,
        &[
            "--format",
            "{{.Service}} {{.State}} {{.ExitCode}}",
            "ps",
            "-a",
        ],
    ));
    assert_eq!(listed, "app running 0\njob exited 3\n");
    let json = ok(p.berth(&home, &["--format", "{{json .}}", "ps", "-a", "job"]));
    let row: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(
        (
            &row["Name"],
            &row["Service"],
            &row["ExitCode"],
            &row["Project"]
        ),
        (
            &serde_json::json!(format!("{}-job-1", p.name)),
            &serde_json::json!("job"),
            &serde_json::json!(3),
            &serde_json::json!(p.name)
        )
    );

    // scale: a second app; cp into both, out of the second.
    ok(p.berth(&home, &["scale", "app=2"]));
    let second = format!("{}-app-2", p.name);
    wait_until(30, "the second app to run", || {
        p.inspect("{{.State.Running}}", &second) == "true"
    });
    ok(p.berth(&home, &["cp", "note.txt", "app:/note.txt"]));
    for c in [&app, &second] {
        assert_eq!(e.docker_ok(&["exec", c, "cat", "/note.txt"]), "hello\n");
    }
    e.docker_ok(&["exec", &second, "sh", "-c", "echo second > /which"]);
    ok(p.berth(&home, &["cp", "--index", "2", "app:/which", "which.txt"]));
    assert_eq!(
        std::fs::read_to_string(p.path().join("which.txt")).unwrap(),
        "second\n"
    );
    let said = fails(p.berth(&home, &["cp", "-", "app:/"]));
    assert!(
        said.contains("service app has 2 containers: give --index"),
        "{said}"
    );
    // logs --index: that replica's lines only.
    wait_until(30, "the second app's first line", || {
        e.docker_ok(&["logs", &second]).contains("tick")
    });
    let lines = ok(p.berth(&home, &["logs", "--index", "2", "--no-color", "app"]));
    assert!(
        !lines.is_empty()
            && lines
                .lines()
                .all(|l| l.starts_with(&format!("{second}  | tick"))),
        "{lines}"
    );
    let said = fails(p.berth(&home, &["logs", "--index", "3", "app"]));
    assert!(said.contains("service app has no container 3"), "{said}");
    let said = fails(p.berth(&home, &["logs", "--index", "2"]));
    assert!(said.contains("--index: name one service"), "{said}");

    // stats: the project's running containers, not the other one.
    let out = ok(p.berth(&home, &["--format", "json", "stats", "--no-stream"]));
    let mut names: Vec<String> = json_lines(&out)
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, [app.clone(), second.clone()], "{out}");
    // With a template of docker stats' fields.
    let out = ok(p.berth(
        &home,
        &["--format", "{{.Name}}", "stats", "--no-stream", "app"],
    ));
    let mut names: Vec<&str> = out.lines().collect();
    names.sort();
    assert_eq!(names, [app.as_str(), second.as_str()], "{out}");

    // attach: the app's output here; --sig-proxy=false leaves it running.
    let attached = Printing::spawn(p.berth(&home, &["attach", "--sig-proxy=false", "app"]));
    attached.until("tick");
    attached.signal("INT");
    attached.end();
    assert_eq!(p.inspect("{{.State.Running}}", &app), "true");

    let version = ok(p.berth(&home, &["version", "--short"]));
    assert_eq!(version.trim(), env!("CARGO_PKG_VERSION"));
    ok(p.berth(&home, &["down", "-t", "0"]));
    e.docker_ok(&["inspect", &other]);
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_container_in_another_s_network_follows_it_when_it_is_recreated() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:joined", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let compose = |round: u32| {
        format!(
            "services:\n  app:\n    image: {image}\n    stop_signal: SIGKILL\n    environment: [ROUND={round}]\n  sidecar:\n    image: {image}\n    stop_signal: SIGKILL\n    network_mode: \"service:app\"\n"
        )
    };
    let p = Project::new(e, &scope, &[("compose.yaml", &compose(1))]);
    // The network interface each sees: the sidecar's is the app's.
    let mac = |service: &str| {
        let out = run(p.berth(
            &home,
            &["exec", "-T", service, "cat", "/sys/class/net/eth0/address"],
        ));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    ok(p.berth(&home, &["up", "-d"]));
    assert!(!mac("app").is_empty());
    assert_eq!(mac("sidecar"), mac("app"));
    // The app recreated: the sidecar is made again in the new one's network (left, it had
    // none but its loopback).
    p.write("compose.yaml", &compose(2));
    let err = String::from_utf8(run(p.berth(&home, &["up", "-d"])).stderr).unwrap();
    assert!(
        err.contains(&format!("Container {}-sidecar-1  Recreated", p.name)),
        "{err}"
    );
    assert!(!mac("app").is_empty());
    assert_eq!(mac("sidecar"), mac("app"));
    ok(p.berth(&home, &["down", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_dependency_recreated_restarts_the_services_that_ask_for_it() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:restarted", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let compose = |round: u32| {
        format!(
            "services:\n  db:\n    image: {image}\n    stop_signal: SIGKILL\n    environment: [ROUND={round}]\n  web:\n    image: {image}\n    stop_signal: SIGKILL\n    depends_on:\n      db: {{condition: service_started, restart: true}}\n  worker:\n    image: {image}\n    stop_signal: SIGKILL\n    depends_on: [db]\n"
        )
    };
    let p = Project::new(e, &scope, &[("compose.yaml", &compose(1))]);
    ok(p.berth(&home, &["up", "-d"]));
    let started = |service: &str| {
        p.inspect(
            "{{.Id}} {{.State.StartedAt}}",
            &format!("{}-{service}-1", p.name),
        )
    };
    let (web, worker) = (started("web"), started("worker"));
    p.write("compose.yaml", &compose(2));
    let err = String::from_utf8(run(p.berth(&home, &["up", "-d"])).stderr).unwrap();
    assert!(
        err.contains(&format!("Container {}-web-1  Stopped", p.name)),
        "{err}"
    );
    // The same web container, started again; worker untouched.
    let web_now = started("web");
    assert_eq!(web_now.split(' ').next(), web.split(' ').next());
    assert_ne!(web_now, web);
    assert_eq!(started("worker"), worker);
    assert_eq!(
        p.inspect("{{.State.Running}}", &format!("{}-web-1", p.name)),
        "true"
    );
    // restart db: web, which asks for it, restarted with it; worker not. --no-deps: db alone.
    let (web, worker) = (started("web"), started("worker"));
    ok(p.berth(&home, &["restart", "db"]));
    assert_ne!(started("web"), web);
    assert_eq!(started("worker"), worker);
    let web = started("web");
    ok(p.berth(&home, &["restart", "--no-deps", "db"]));
    assert_eq!(started("web"), web);
    ok(p.berth(&home, &["down", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn replicas_share_a_range_of_host_ports_the_engine_picks_from() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:ranged", scope.id);
    busybox_image(e, &scope, &image, "");
    let low = free_port();
    let high = low + 9;
    let p = Project::new(
        e,
        &scope,
        &[
            (
                "compose.yaml",
                &format!(
                    "services:\n  web:\n    image: {image}\n    command: [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/www\"]\n    volumes: [\"./www:/www:ro\"]\n    stop_signal: SIGKILL\n    ports: [\"127.0.0.1:{low}-{high}:80\"]\n"
                ),
            ),
            ("www/index.html", "ranged\n"),
        ],
    );
    let config = ok(p.berth(&home, &["config"]));
    assert!(
        config.contains(&format!("published: {low}-{high}")),
        "{config}"
    );
    ok(p.berth(&home, &["up", "-d", "--scale", "web=2"]));
    // Each replica on a port of its own from the range, answering there.
    let mut ports = Vec::new();
    for index in ["1", "2"] {
        let at = ok(p.berth(&home, &["port", "--index", index, "web", "80"]));
        let port: u16 = at.trim().rsplit_once(':').unwrap().1.parse().unwrap();
        assert!((low..=high).contains(&port), "{at}");
        wait_until(30, "the replica to answer on its port", || {
            http_get(&format!("127.0.0.1:{port}"), "/index.html").map(|r| r.1)
                == Some("ranged\n".to_owned())
        });
        ports.push(port);
    }
    assert_ne!(ports[0], ports[1]);
    ok(p.berth(&home, &["down", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn followed_logs_go_on_with_a_recreated_container_and_end_when_all_stop() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:rounds", scope.id);
    busybox_image(e, &scope, &image, "");
    let compose = |round: u32| {
        format!(
            "services:\n  app:\n    image: {image}\n    command: [\"sh\", \"-c\", \"while true; do echo round {round}; sleep 0.2; done\"]\n    stop_signal: SIGKILL\n  other:\n    image: {image}\n    command: [\"sh\", \"-c\", \"echo other $$(cat /proc/sys/kernel/random/uuid); sleep 600\"]\n    stop_signal: SIGKILL\n"
        )
    };
    let p = Project::new(e, &scope, &[("compose.yaml", &compose(1))]);
    ok(p.berth(&home, &["up", "-d"]));
    // Stopped once it has said its line (a stop right after its start can come first).
    let other = format!("{}-other-1", p.name);
    wait_until(30, "other to say its line", || {
        e.docker_ok(&["logs", &other]).starts_with("other ")
    });
    ok(p.berth(&home, &["stop", "other"]));
    let followed = Printing::spawn(p.berth(&home, &["logs", "-f", "--no-log-prefix"]));
    // One stopped when following began (its line said first, among app's), started again:
    // its new line follows.
    let first = followed.first(|l| l.starts_with("other "));
    ok(p.berth(&home, &["start", "other"]));
    followed.first(|l| l.starts_with("other ") && l != first);
    // Recreated by another up: its successor's lines follow.
    p.write("compose.yaml", &compose(2));
    ok(p.berth(&home, &["up", "-d"]));
    followed.until("round 2");
    // All stopped: following ends by itself.
    ok(p.berth(&home, &["stop", "-t", "0"]));
    let (status, _) = followed.end();
    assert!(status.success(), "{status}");
    ok(p.berth(&home, &["down", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn up_watch_follows_the_rules_and_the_rebuilt_container_s_logs() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    // The base the Dockerfile builds on, made here.
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    let compose = format!(
        "services:\n  app:\n    build: .\n    image: berth-test/{id}:upwatch\n    labels: [{label}]\n    command: [\"sh\", \"-c\", \"while true; do cat /version; sleep 0.2; done\"]\n    stop_signal: SIGKILL\n    develop:\n      watch:\n        - action: rebuild\n          path: ./Dockerfile\n",
        id = scope.id,
        label = scope.label()
    );
    let dockerfile =
        |version: &str| format!("FROM {BUSYBOX_IMAGE}\nRUN echo {version} > /version\n");
    let p = Project::new(
        e,
        &scope,
        &[
            ("compose.yaml", &compose),
            ("Dockerfile", &dockerfile("v1")),
        ],
    );
    // Attached only.
    let out = run(p.berth(&home, &["up", "--watch", "-d"]));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(2) && said.contains("'--watch' cannot be used with '--detach'"),
        "{said}"
    );
    let up = Printing::spawn(p.berth(&home, &["up", "--watch", "--no-log-prefix"]));
    up.until("v1");
    // The rule rebuilds and recreates; the new container's lines follow on.
    p.write("Dockerfile", &dockerfile("v2"));
    up.first_within(120, |l| l == "v2");
    // Ctrl-C stops them all, as an attached up does.
    up.signal("INT");
    let (status, _) = up.end();
    assert!(status.success(), "{status}");
    assert_eq!(
        p.inspect("{{.State.Running}}", &format!("{}-app-1", p.name)),
        "false"
    );
    ok(p.berth(&home, &["down", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn up_aborts_on_a_failure_and_not_on_a_success() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:failure", scope.id);
    busybox_image(e, &scope, &image, "");
    // One that succeeds at once, one that fails later, a server that handles TERM.
    let compose = format!(
        "services:\n  ok:\n    image: {image}\n    command: [\"true\"]\n  bad:\n    image: {image}\n    command: [\"sh\", \"-c\", \"sleep 5; exit 3\"]\n  server:\n    image: {image}\n    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; while :; do sleep 1; done\"]\n"
    );
    let p = Project::new(e, &scope, &[("compose.yaml", &compose)]);
    let n = &p.name;
    let out = run(p.berth(&home, &["up", "--abort-on-container-failure", "--no-color"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let said = |line: &str| {
        stderr
            .find(line)
            .unwrap_or_else(|| panic!("{line}: {stderr}"))
    };
    assert!(
        said(&format!("{n}-ok-1 exited with code 0"))
            < said(&format!("{n}-bad-1 exited with code 3"))
    );
    assert!(said(&format!("{n}-bad-1 exited with code 3")) < said("Aborting on container exit..."));
    said(&format!("{n}-server-1 exited with code 0"));
    let err = String::from_utf8(
        run(p.berth(&home, &["up", "--abort-on-container-failure", "-d"])).stderr,
    )
    .unwrap();
    assert!(err.contains("cannot be used with"), "{err}");
    ok(p.berth(&home, &["down", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_network_made_by_hand_is_refused_and_a_volume_used_and_left_by_down() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:byhand", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let p = Project::new(
        e,
        &scope,
        &[(
            "compose.yaml",
            &format!(
                "services:\n  app:\n    image: {image}\n    stop_signal: SIGKILL\n    volumes: [\"data:/data\"]\n    networks: [front]\nvolumes:\n  data: {{}}\nnetworks:\n  front: {{}}\n"
            ),
        )],
    );
    // Made by hand (with the test's label only, so that the test removes them).
    let (volume, network) = (format!("{}_data", p.name), format!("{}_front", p.name));
    e.docker_ok(&["volume", "create", "--label", &scope.label(), &volume]);
    e.docker_ok(&["network", "create", "--label", &scope.label(), &network]);
    // The network is refused, as compose refuses it, before anything is made.
    let said = fails_after_progress(p.berth(&home, &["up", "-d"]));
    assert!(
        said.contains(&format!(
            "network {network} is on the engine but was not made by compose for it"
        )),
        "{said}"
    );
    assert!(p.listed(&["ps", "-aq"]).is_empty());
    e.docker_ok(&["network", "rm", &network]);
    // The volume is used, and said.
    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "a volume named {volume} exists but was not made by compose"
        )),
        "{err}"
    );
    // down -v removes what the project made (its network), not the volume.
    ok(p.berth(&home, &["down", "-v", "-t", "0"]));
    e.docker_ok(&["volume", "inspect", &volume]);
    assert!(p.listed(&["network", "ls", "-q"]).is_empty());
}

/// `config`'s other outputs, from the files alone (no engine).
#[test]
fn config_says_networks_hashes_and_environment_and_writes_a_file() {
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "name: demo\nservices:\n  db:\n    image: db:1\n  web:\n    image: web:${TAG:-1}\n    depends_on: [db]\n    networks: [front, back]\nnetworks:\n  front: {}\n  back: {}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join(".env"), "TAG=7\n").unwrap();
    let config = |args: &[&str]| {
        let mut cmd = home.berth(&["compose", "config"]);
        cmd.args(args).current_dir(dir.path());
        cmd
    };
    // db is on the default network.
    assert_eq!(ok(config(&["--networks"])), "back\ndefault\nfront\n");
    let hashes = ok(config(&["--hash", "*"]));
    let named: Vec<&str> = hashes
        .lines()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(named, ["db", "web"], "{hashes}");
    assert!(
        hashes
            .lines()
            .all(|l| l.split(' ').nth(1).is_some_and(|h| h.len() == 64))
    );
    assert_eq!(
        ok(config(&["--hash", "web"])),
        hashes.lines().nth(1).unwrap().to_owned() + "\n"
    );
    let err = fails(config(&["--hash", "nope"]));
    assert!(err.contains("the project has no service \"nope\""), "{err}");
    assert!(ok(config(&["--environment"])).lines().any(|l| l == "TAG=7"));
    // -o: the model in a file, nothing on stdout.
    let out = dir.path().join("resolved.yaml");
    assert_eq!(ok(config(&["-o", out.to_str().unwrap()])), "");
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("image: web:7")
    );
    let err = fails(config(&["-o", "/nonexistent/dir/x.yaml"]));
    assert!(
        err.starts_with("berth: --output /nonexistent/dir/x.yaml: cannot write it"),
        "{err}"
    );
}

/// `build --print`: the builds as a bake file, the command's flags in it, and no engine asked
/// (none is reachable here).
#[test]
fn build_print_writes_the_builds_as_a_bake_file_without_an_engine() {
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: registry.example/web:1\n    build:\n      context: ./web\n      args: [A=1]\n      ssh: [default]\n  db:\n    image: db\n  tool:\n    build: ./tool\n    depends_on: [web]\n",
    )
    .unwrap();
    let build = |args: &[&str]| {
        let mut cmd = home.berth(&[
            "-H",
            "unix:///nonexistent/docker.sock",
            "compose",
            "-p",
            "p",
            "build",
            "--print",
        ]);
        cmd.args(args).current_dir(dir.path());
        cmd
    };
    let root = dir.path().to_string_lossy().into_owned();
    let bake: serde_json::Value = serde_json::from_str(&ok(build(&[
        "--no-cache",
        "--build-arg",
        "B=2",
        "--push",
        "web",
    ])))
    .unwrap();
    assert_eq!(
        bake["group"]["default"]["targets"],
        serde_json::json!(["web"])
    );
    let web = &bake["target"]["web"];
    assert_eq!(web["context"], format!("{root}/web"));
    assert_eq!(web["dockerfile"], format!("{root}/web/Dockerfile"));
    assert_eq!(web["args"], serde_json::json!({"A": "1", "B": "2"}));
    assert_eq!(web["tags"], serde_json::json!(["registry.example/web:1"]));
    assert_eq!(web["ssh"], serde_json::json!(["default"]));
    assert_eq!(web["no-cache"], true);
    assert_eq!(web["output"], serde_json::json!(["type=registry"]));
    // Every service that builds has its target; the group names what was asked.
    assert_eq!(
        bake["target"]["tool"]["tags"],
        serde_json::json!(["p-tool"])
    );
    assert_eq!(
        bake["target"]["tool"]["output"],
        serde_json::json!(["type=docker"])
    );
    assert!(bake["target"].get("db").is_none(), "{bake}");
    // In the order they are built: a dependency first.
    let all: serde_json::Value = serde_json::from_str(&ok(build(&[]))).unwrap();
    assert_eq!(
        all["group"]["default"]["targets"],
        serde_json::json!(["web", "tool"])
    );
    // Bad input: one line naming it.
    assert_eq!(fails(build(&["nope"])), "berth: nope: no such service");
}

/// A `compose.yaml` in a directory of its own, and `berth compose config` run there (no engine).
struct ConfigFiles {
    home: Home,
    dir: tempfile::TempDir,
}

impl ConfigFiles {
    fn new(compose: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
        Self {
            home: Home::new(),
            dir,
        }
    }

    /// `berth compose config ARGS…` in the directory.
    fn config(&self, args: &[&str]) -> Command {
        let mut cmd = self.home.berth(&["compose", "config"]);
        cmd.args(args).current_dir(self.dir.path());
        cmd
    }
}

/// `config --no-consistency`: the model of files that refer to what they do not define.
#[test]
fn config_says_an_inconsistent_model_only_when_asked() {
    let files = ConfigFiles::new(
        "name: loose\nservices:\n  web:\n    image: web\n    depends_on: [db]\n    networks: [back]\n    volumes: [\"data:/data\"]\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: b\n    depends_on: [a]\n",
    );
    let config = |args: &[&str]| files.config(args);
    assert!(
        fails(config(&[]))
            .ends_with("services.web.depends_on: depends on undefined service \"db\""),
        "the first inconsistency is said"
    );
    let model = ok(config(&["--no-consistency"]));
    for said in [
        "db:\n        condition: service_started",
        "back: null",
        "source: data",
        "a:\n        condition: service_started",
    ] {
        assert!(model.contains(said), "{said:?} not in {model}");
    }
}

/// `config --no-normalize`: the model without what compose fills in.
#[test]
fn config_leaves_out_what_compose_fills_in_when_asked() {
    let files = ConfigFiles::new(
        "name: plain\nservices:\n  web:\n    image: web\n    links: [db]\n    volumes: [\"data:/data\"]\n  db:\n    image: db\nvolumes:\n  data: {}\n",
    );
    let config = |args: &[&str]| files.config(args);
    let full = ok(config(&[]));
    let plain = ok(config(&["--no-normalize"]));
    for filled in [
        "name: plain_default",
        "name: plain_data",
        "depends_on:",
        "networks:",
    ] {
        assert!(full.contains(filled), "{filled:?} not in {full}");
        assert!(!plain.contains(filled), "{filled:?} in {plain}");
    }
    assert!(
        plain.contains("links:\n    - db") && plain.contains("source: data"),
        "{plain}"
    );
}

/// `config --variables`: the files as written, a required variable unset listed, not refused.
#[test]
fn config_lists_the_variables_the_files_use_and_keeps_them_under_no_interpolate() {
    let files = ConfigFiles::new(
        "services:\n  web:\n    image: \"web:${TAG:-latest}\"\n    ports: [\"${PORT:?set the port}:80\"]\n    environment:\n      DEBUG: \"${DEBUG:+yes}\"\n      PRICE: \"$$5\"\n      HOME_DIR: $HOME_DIR\n",
    );
    let config = |args: &[&str]| files.config(args);
    let dir = &files.dir;
    // Without PORT the model cannot be made; its variables can be listed.
    let err = fails(config(&[]));
    assert!(
        err.contains("required variable PORT is missing a value"),
        "{err}"
    );
    let table = ok(config(&["--variables"]));
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            vec!["NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"],
            vec!["DEBUG", "false", "yes"],
            vec!["HOME_DIR", "false"],
            vec!["PORT", "true"],
            vec!["TAG", "false", "latest"],
        ],
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(config(&["--variables", "--format", "json"]))).unwrap();
    assert_eq!(
        json[3],
        serde_json::json!({"Name": "TAG", "Required": false, "DefaultValue": "latest", "PresenceValue": ""})
    );
    // --no-interpolate: the model with the templates as written (a port must then be written
    // out: it is read into its parts, as compose reads it).
    let err = fails(config(&["--no-interpolate"]));
    assert!(
        err.contains("\"${PORT:?set the port}:80\" is not a port"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: \"web:${TAG:-latest}\"\n    environment:\n      PRICE: \"$$5\"\n      HOME_DIR: $HOME_DIR\n",
    )
    .unwrap();
    let out = run(config(&["--no-interpolate"]));
    let (model, said) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success() && said.is_empty(), "{said}");
    for line in [
        "image: web:${TAG:-latest}",
        "PRICE: $$5",
        "HOME_DIR: $HOME_DIR",
    ] {
        assert!(model.contains(line), "{line}: {model}");
    }
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: ${TAG\n",
    )
    .unwrap();
    let err = fails(config(&["--variables"]));
    assert!(
        err.contains("services.web.image: invalid interpolation format in \"${TAG\""),
        "{err}"
    );
}

#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn pull_ignores_failures_when_asked_and_keeps_what_the_policy_keeps() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let local = format!("berth-test/{}:pulled", scope.id);
    busybox_image(e, &scope, &local, "");
    let remote = format!("{}/berth-test/{}:pulled", registry().addr, scope.id);
    e.docker_ok(&["tag", &local, &remote]);
    e.docker_ok(&["push", &remote]);
    e.docker_ok(&["rmi", &remote]);
    let missing = format!("{}/berth-test/{}:missing", registry().addr, scope.id);
    let p = Project::new(
        e,
        &scope,
        &[(
            "compose.yaml",
            &format!(
                "services:\n  good:\n    image: {remote}\n  bad:\n    image: {missing}\n  kept:\n    image: {missing}\n    pull_policy: never\n"
            ),
        )],
    );
    // A failure fails the pull.
    fails_after_progress(p.berth(&home, &["pull", "bad"]));
    // Said and passed over with --ignore-pull-failures; the good one pulled; kept not tried.
    let out = run(p.berth(&home, &["pull", "--ignore-pull-failures"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("WARN image:{missing} Pull (service bad)")),
        "{err}"
    );
    assert!(
        err.contains("WARN kept: not pulled (pull_policy never)"),
        "{err}"
    );
    e.docker_ok(&["inspect", &remote]);
    // --policy missing: the good one is here now, not pulled again.
    let out = run(p.berth(&home, &["pull", "--policy", "missing", "good"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("WARN good: not pulled (here already)") && !err.contains("Pulling"),
        "{err}"
    );
    e.docker_ok(&["rmi", &remote]);
}

#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn build_pushes_when_asked_and_builds_dependencies_with_them() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let base = format!("berth-test/{}:base", scope.id);
    busybox_image(e, &scope, &base, "");
    let repository = format!("{}/berth-test/{}", registry().addr, scope.id);
    let lib = format!("berth-test/{}:lib", scope.id);
    let compose = format!(
        "services:\n  app:\n    build:\n      context: .\n      labels: [{label}]\n    image: {repository}:built\n    depends_on: [lib]\n  lib:\n    build:\n      context: .\n      labels: [{label}]\n    image: {lib}\n",
        label = scope.label()
    );
    let p = Project::new(
        e,
        &scope,
        &[
            ("compose.yaml", &compose),
            ("Dockerfile", &format!("FROM {base}\n")),
        ],
    );
    // -q: no progress lines; --push: pushed once built; its dependency not built.
    let out = run(p
        .berth(&home, &["build", "-q", "--push", "app"])
        .env("DOCKER_BUILDKIT", "0"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("Building"), "{err}");
    assert!(
        err.contains(&format!("Image {repository}:built  Pushed")),
        "{err}"
    );
    let tags = ok(home.berth(&["-H", &e.host, "registry", "tags", &repository]));
    assert_eq!(tags.trim(), "built");
    assert!(
        e.docker()
            .args(["inspect", &lib])
            .output()
            .unwrap()
            .status
            .code()
            == Some(1)
    );
    // --with-dependencies: lib's too.
    ok(p.berth(&home, &["build", "--with-dependencies", "app"])
        .env("DOCKER_BUILDKIT", "0"));
    e.docker_ok(&["inspect", &lib]);
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_network_whose_definition_changed_is_made_anew_with_its_containers_put_back() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:renewed", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    // Two subnets of this test's own.
    let n = scope.id.bytes().fold(0u32, |h, b| h * 31 + u32::from(b)) % 200 + 20;
    let (before, after) = (format!("10.213.{n}."), format!("10.214.{n}."));
    let compose = |prefix: &str| {
        format!(
            "services:\n  web:\n    image: {image}\n    stop_signal: SIGKILL\n    networks:\n      back:\n        aliases: [store]\n  client:\n    image: {image}\n    stop_signal: SIGKILL\n    networks: [back]\nnetworks:\n  back:\n    ipam:\n      config:\n        - subnet: {prefix}0/24\n"
        )
    };
    let p = Project::new(e, &scope, &[("compose.yaml", &compose(&before))]);
    let web = format!("{}-web-1", p.name);
    let address = || {
        p.inspect(
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
            &web,
        )
    };
    // The client reaches web by its alias, at its address on the network.
    let reached = || {
        let out = run(p.berth(
            &home,
            &[
                "exec", "-T", "client", "ping", "-c", "1", "-W", "5", "store",
            ],
        ));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(p.berth(&home, &["up", "-d"]));
    assert!(address().starts_with(&before), "{}", address());
    assert!(
        reached().contains(&format!("({}", address())),
        "{}",
        reached()
    );
    let ids = (
        p.container_id(&web),
        p.container_id(&format!("{}-client-1", p.name)),
    );
    let network = format!("{}_back", p.name);

    // A container of no project on it: the network is left as it is, and said (its removal
    // would fail with the project's containers taken off it).
    struct Removed<'e>(&'e berth_testkit::Engine, String);
    impl Drop for Removed<'_> {
        fn drop(&mut self) {
            let _ = self.0.docker().args(["rm", "-f", &self.1]).output();
        }
    }
    let stranger = Removed(e, scope.name("stranger"));
    e.docker_ok(&[
        "run",
        "-d",
        "--label",
        &scope.label(),
        "--name",
        &stranger.1,
        "--network",
        &network,
        &image,
    ]);
    p.write("compose.yaml", &compose(&after));
    let out = run(p.berth(&home, &["up", "-d"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "network {network}'s definition changed, but containers not of this project are on it ({})",
            stranger.1
        )),
        "{err}"
    );
    assert!(address().starts_with(&before), "{}", address());
    assert_eq!(p.inspect("{{.State.Running}}", &web), "true");
    drop(stranger);

    // Alone on it: made anew.
    let err = String::from_utf8(run(p.berth(&home, &["up", "-d"])).stderr).unwrap();
    for line in [
        format!("Network {network}  Removed"),
        format!("Network {network}  Created"),
        format!("Container {web}  Started"),
    ] {
        assert!(err.contains(&line), "{line:?} in\n{err}");
    }
    // The same containers, running, on the new subnet, and web still answers to its alias.
    assert_eq!(
        (
            p.container_id(&web),
            p.container_id(&format!("{}-client-1", p.name))
        ),
        ids
    );
    assert_eq!(p.inspect("{{.State.Running}}", &web), "true");
    assert!(address().starts_with(&after), "{}", address());
    assert!(
        reached().contains(&format!("({}", address())),
        "{}",
        reached()
    );
    // Converged: the next up leaves the network alone.
    let err = String::from_utf8(run(p.berth(&home, &["up", "-d"])).stderr).unwrap();
    assert!(!err.contains("Network"), "{err}");
    ok(p.berth(&home, &["down", "-t", "0"]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_build_forwards_the_ssh_agents_of_its_file_or_of_the_command_line() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let base = format!("berth-test/{}:base", scope.id);
    busybox_image(e, &scope, &base, "");
    // ssh-add in the image lists what the agent it reaches holds.
    let compose = |ssh: &str| {
        format!(
            "services:\n  app:\n    image: berth-test/{}:ssh\n    build:\n      context: ./app\n{ssh}",
            scope.id
        )
    };
    let p = Project::new(
        e,
        &scope,
        &[
            ("compose.yaml", &compose("")),
            (
                "app/Dockerfile",
                &format!("FROM {base}\nCOPY root/ /\nRUN --mount=type=ssh ssh-add -l\n"),
            ),
            ("app/root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
        ],
    );
    berth_testkit::copy_program(&p.path().join("app/root"), "/usr/bin/ssh-add");
    let agent = SshAgent::start(home.path());
    let fingerprint = agent.add_key(&home.path().join("key"), &scope.id);
    let build = |args: &[&str]| {
        let mut cmd = p.berth(&home, &[&["build", "--no-cache"][..], args].concat());
        cmd.env("SSH_AUTH_SOCK", &agent.socket)
            .env_remove("DOCKER_BUILDKIT");
        cmd
    };
    let said = |cmd| {
        let out = run(cmd);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{err}");
        err
    };
    // No agent asked: the step has none.
    let err = fails_after_progress(build(&[]));
    assert!(err.to_lowercase().contains("ssh"), "{err}");
    // --ssh default: SSH_AUTH_SOCK's.
    let out = said(build(&["--ssh", "default"]));
    assert!(out.contains(&fingerprint), "{fingerprint}: {out}");
    // The file's build.ssh, its socket named.
    p.write(
        "compose.yaml",
        &compose(&format!(
            "      ssh:\n        - default={}\n",
            agent.socket.display()
        )),
    );
    let mut by_file = build(&[]);
    by_file.env_remove("SSH_AUTH_SOCK");
    let out = said(by_file);
    assert!(out.contains(&fingerprint), "{fingerprint}: {out}");
    // A socket that is not there: one line naming it.
    let err = fails_after_progress(build(&["--ssh", "default=/nonexistent/agent.sock"]));
    assert!(
        err.contains("default=/nonexistent/agent.sock: /nonexistent/agent.sock: no such socket"),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn commit_export_and_volumes_reach_a_service_s_containers() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:snap", scope.id);
    busybox_image(e, &scope, &image, "");
    let compose = format!(
        "services:\n  web:\n    image: {image}\n    command: [\"sh\", \"-c\", \"echo {id} > /made; exec sleep 600\"]\n    stop_signal: SIGKILL\n    volumes: [data:/data]\n  other:\n    image: {image}\n    command: [\"sleep\", \"600\"]\n    stop_signal: SIGKILL\n    volumes: [more:/more]\nvolumes:\n  data: {{}}\n  more: {{}}\n",
        id = scope.id
    );
    let p = Project::new(e, &scope, &[("compose.yaml", &compose)]);
    let n = &p.name;
    ok(p.berth(&home, &["up", "-d"]));
    let web = format!("{n}-web-1");
    wait_until(30, "web's file", || {
        e.docker()
            .args(["exec", &web, "cat", "/made"])
            .output()
            .is_ok_and(|o| o.status.success())
    });

    // volumes: the project's, or those a service's containers use.
    assert_eq!(
        ok(p.berth(&home, &["volumes", "-q"])),
        format!("{n}_data\n{n}_more\n")
    );
    assert_eq!(
        ok(p.berth(&home, &["volumes", "-q", "web"])),
        format!("{n}_data\n")
    );
    let table = ok(p.berth(&home, &["volumes", "other"]));
    assert!(
        table.starts_with("DRIVER") && table.contains(&format!("local     {n}_more")),
        "{table}"
    );
    // As docker compose writes them: docker's volume row, and its templates.
    let rows = json_lines(&ok(p.berth(&home, &["--format", "json", "volumes", "web"])));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["Name"], format!("{n}_data"), "{rows:?}");
    assert_eq!(rows[0]["Driver"], "local", "{rows:?}");
    assert_eq!(rows[0]["Scope"], "local", "{rows:?}");
    assert!(
        rows[0]["Labels"]
            .as_str()
            .is_some_and(|l| l.contains(&format!("com.docker.compose.project={n}"))),
        "{rows:?}"
    );
    assert_eq!(
        ok(p.berth(
            &home,
            &[
                "--format",
                "{{.Name}} {{.Label \"com.docker.compose.volume\"}}",
                "volumes"
            ]
        )),
        format!("{n}_data data\n{n}_more more\n")
    );

    // commit: an image of the service's container, with what it wrote.
    let target = format!("berth-test/{}:committed", scope.id);
    let id = ok(p.berth(&home, &["commit", "-m", "snapshot", "web", &target]));
    assert!(id.starts_with("sha256:"), "{id}");
    assert_eq!(
        e.docker_ok(&["image", "inspect", "-f", "{{.Comment}}", &target])
            .trim(),
        "snapshot"
    );
    let made = e.docker_ok(&[
        "run",
        "--rm",
        "--label",
        &scope.label(),
        &target,
        "cat",
        "/made",
    ]);
    assert_eq!(made.trim(), scope.id);

    // export: its filesystem as a tar, to stdout or a file.
    let tar = run(p.berth(&home, &["export", "web"]));
    assert!(tar.status.success(), "{tar:?}");
    let listed = tar_names(&tar.stdout);
    assert!(listed.iter().any(|f| f == "made"), "{listed:?}");
    let file = p.path().join("web.tar");
    assert_eq!(
        ok(p.berth(&home, &["export", "-o", file.to_str().unwrap(), "web"])),
        ""
    );
    assert_eq!(tar_names(&std::fs::read(&file).unwrap()), listed);
    let err = fails(p.berth(&home, &["export", "--index", "2", "web"]));
    assert!(err.contains("service web has no container 2"), "{err}");
    ok(p.berth(&home, &["down", "-v", "-t", "0"]));
}

/// The names in a tar archive.
fn tar_names(bytes: &[u8]) -> Vec<String> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect()
}

#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn a_project_published_to_a_registry_runs_from_it() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let base = format!("berth-test/{}:published", scope.id);
    busybox_image(e, &scope, &base, "CMD [\"sleep\", \"600\"]");
    let registry = &registry().addr;
    let app_image = format!("{registry}/berth-test/{}/app:1", scope.id);
    let artifact = format!("{registry}/berth-test/{}/project:v1", scope.id);
    let compose = format!(
        "services:\n  web:\n    extends:\n      file: common/base.yaml\n      service: base\n    env_file: web.env\n    environment:\n      GREETING: hi\n  app:\n    build:\n      context: .\n      labels: [{label}]\n    image: {app_image}\n    stop_signal: SIGKILL\n",
        label = scope.label()
    );
    let p = Project::new(
        e,
        &scope,
        &[
            ("compose.yaml", &compose),
            (
                "common/base.yaml",
                &format!("services:\n  base:\n    image: {base}\n    stop_signal: SIGKILL\n"),
            ),
            ("web.env", "FROM_FILE=yes\n"),
            ("Dockerfile", &format!("FROM {base}\n")),
        ],
    );
    ok(p.berth(&home, &["build"]).env("DOCKER_BUILDKIT", "0"));
    // --dry-run: what would go, nothing pushed.
    let out = run(home
        .berth(&[
            "-H",
            &e.host,
            "compose",
            "--dry-run",
            "publish",
            "--with-env",
            &artifact,
        ])
        .current_dir(p.path()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with(&format!("{artifact} would be published: compose.yaml, "))),
        "{err}"
    );
    let none = run(home.berth(&[
        "-H",
        &e.host,
        "registry",
        "tags",
        artifact.trim_end_matches(":v1"),
    ]));
    assert!(!none.status.success(), "a dry run pushed something");
    // Environment variables are published only when asked.
    assert_eq!(
        fails(p.berth(&home, &["publish", &artifact])),
        "berth: services.web: has environment variables (environment or env_file), which would be published: pass --with-env to publish them, or take them out"
    );
    let out = run(p.berth(&home, &["publish", "--with-env", &artifact]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("WARN publishing the environment of service web: FROM_FILE, GREETING"),
        "{err}"
    );
    // The image the project builds was pushed first, then the files.
    assert!(err.contains(&format!("Image {app_image}  Pushed")), "{err}");
    // The files: the project's, the one web extends (named by the hash of its path, as compose
    // names it) and the env file.
    let files = err
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{artifact} published (sha256:")))
        .and_then(|l| l.split_once("): "))
        .map(|(_, files)| files.split(", ").collect::<Vec<_>>())
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        files.len() == 3
            && files[0] == "compose.yaml"
            && files[1].len() == 69
            && files[1].ends_with(".yaml")
            && files[2] == "web.env",
        "{files:?}"
    );
    let tags = ok(home.berth(&[
        "-H",
        &e.host,
        "registry",
        "tags",
        artifact.trim_end_matches(":v1"),
    ]));
    assert_eq!(tags.trim(), "v1");

    // Run from the registry in another directory, named after it as compose names it.
    let elsewhere = tempfile::tempdir().unwrap();
    let here = elsewhere.path().join(&p.name);
    std::fs::create_dir(&here).unwrap();
    let from_registry = |args: &[&str]| {
        let mut cmd = home.berth(&["-H", &e.host, "compose", "-f", &format!("oci://{artifact}")]);
        cmd.args(args).current_dir(&here);
        cmd
    };
    let config = ok(from_registry(&["config"]));
    assert!(
        config.starts_with(&format!("name: {}\n", p.name)),
        "{config}"
    );
    // The file web extends came with it (under compose's name for it).
    assert!(config.contains(&format!("image: {base}")), "{config}");
    assert!(
        config.contains("GREETING: hi") && config.contains("FROM_FILE: \"yes\""),
        "the artifact's env file was not read: {config}"
    );
    ok(from_registry(&["up", "-d", "web"]));
    let web = format!("{}-web-1", p.name);
    assert_eq!(p.inspect("{{.State.Status}}", &web), "running");
    let env = p.inspect("{{json .Config.Env}}", &web);
    assert!(
        env.contains("\"FROM_FILE=yes\"") && env.contains("\"GREETING=hi\""),
        "{env}"
    );
    ok(from_registry(&["down"]));
    assert!(p.listed(&["ps", "-aq"]).is_empty());

    // An image is not a project; a bind mount is not in an artifact.
    assert_eq!(
        fails(home.berth(&[
            "-H",
            &e.host,
            "compose",
            "-f",
            &format!("oci://{app_image}"),
            "config"
        ])),
        format!(
            "berth: oci://{app_image}: is not a compose project (not the artifact `compose publish` pushes)"
        )
    );
    // --resolve-image-digests: a layer pinning each image to the digest its registry serves.
    p.write(
        "compose.yaml",
        &format!("services:\n  app:\n    image: {app_image}\n"),
    );
    let pinned = format!("{registry}/berth-test/{}/project:pinned", scope.id);
    ok(p.berth(&home, &["publish", "--resolve-image-digests", &pinned]));
    let images = ok(home.berth(&[
        "-H",
        &e.host,
        "compose",
        "-f",
        &format!("oci://{pinned}"),
        "config",
        "--images",
    ]));
    assert!(
        images.starts_with(&format!("{app_image}@sha256:")),
        "{images}"
    );
    let nowhere = format!("127.0.0.1:{}", free_port());
    let err = fails(home.berth(&[
        "-H",
        &e.host,
        "compose",
        "-f",
        &format!("oci://{nowhere}/berth-test/project:v1"),
        "config",
    ]));
    assert!(
        err.starts_with(&format!("berth: {nowhere}: cannot reach it ("))
            && err.ends_with("check the address, and that the registry runs"),
        "{err}"
    );
    p.write(
        "compose.yaml",
        &format!("services:\n  web:\n    image: {base}\n    volumes: [./data:/data]\n"),
    );
    assert_eq!(
        fails(p.berth(&home, &["publish", &artifact])),
        "berth: services.web.volumes: cannot publish the bind mount of /data: its files are not in the artifact; use a named volume"
    );
    e.docker_ok(&["rmi", &app_image]);
}
