//! Containers and builds through `berth` against the harness's real engine: the lifecycle, logs
//! with their options and streams kept apart, attached runs with their exit code, builds that
//! fail at a named step, and bad input refused before the engine is asked. Needs root and a real
//! engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Scope, busybox_image, engine, wait_until, write_busybox_context};
use support::{
    Home, InTerminal, Printing, SshAgent, close_terminal_once, fails, fails_with, feed, json_lines,
    ok, run,
};

fn state(home: &Home, host: &str, name: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&ok(home.berth(&["-H", host, "inspect", name]))).unwrap();
    v[0]["State"]["Status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn lifecycle_from_create_to_rm() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:life", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let (name, renamed) = (scope.name("life"), scope.name("renamed"));
    let h = e.host.as_str();

    let id = ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &name,
        "-l",
        &scope.label(),
        &image,
    ]));
    assert_eq!(state(&home, h, &name), "created");
    assert_eq!(
        ok(home.berth(&["-H", h, "start", &name])),
        format!("{name}\n")
    );
    assert_eq!(state(&home, h, &name), "running");
    ok(home.berth(&["-H", h, "pause", &name]));
    assert_eq!(state(&home, h, &name), "paused");
    ok(home.berth(&["-H", h, "unpause", &name]));
    assert_eq!(state(&home, h, &name), "running");
    ok(home.berth(&[
        "-H",
        h,
        "update",
        "--cpus",
        "0.5",
        "-m",
        "96m",
        "--restart",
        "on-failure:2",
        &name,
    ]));
    let v: serde_json::Value =
        serde_json::from_str(&ok(home.berth(&["-H", h, "inspect", &name]))).unwrap();
    let host = &v[0]["HostConfig"];
    assert_eq!(
        (host["NanoCpus"].as_i64(), host["Memory"].as_i64()),
        (Some(500_000_000), Some(96 << 20))
    );
    assert_eq!(host["RestartPolicy"]["MaximumRetryCount"].as_i64(), Some(2));
    ok(home.berth(&[
        "-H",
        h,
        "container",
        "update",
        "--pids-limit",
        "64",
        "--cpu-shares",
        "256",
        "--memory-reservation",
        "48m",
        &name,
    ]));
    let v: serde_json::Value =
        serde_json::from_str(&ok(home.berth(&["-H", h, "inspect", &name]))).unwrap();
    let host = &v[0]["HostConfig"];
    assert_eq!(
        (
            host["PidsLimit"].as_i64(),
            host["CpuShares"].as_i64(),
            host["MemoryReservation"].as_i64(),
            host["Memory"].as_i64()
        ),
        (Some(64), Some(256), Some(48 << 20), Some(96 << 20)),
        "what is not given stays"
    );
    // The CPU period and quota, the memory nodes, the block IO weight; what the engine warns of
    // (this kernel discards a block IO weight) said as docker's update says it, on stderr.
    // It has --cpus: the engine refuses a period, and says why.
    let err = fails(home.berth(&["-H", h, "update", "--cpu-period", "100000", &name]));
    assert!(
        err.contains("CPU Period cannot be updated as NanoCPUs has already been set"),
        "{err}"
    );
    let out = run(home.berth(&[
        "-H",
        h,
        "update",
        "--cpuset-mems",
        "0",
        "--blkio-weight",
        "300",
        &name,
    ]));
    assert!(out.status.success(), "{out:?}");
    let ours: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("WARNING: ").map(str::to_owned))
        .collect();
    let theirs = e
        .docker()
        .args(["update", "--blkio-weight", "300", &name])
        .output()
        .unwrap();
    let theirs: Vec<String> = String::from_utf8_lossy(&theirs.stdout)
        .lines()
        .filter(|l| *l != name)
        .map(str::to_owned)
        .collect();
    assert_eq!(ours, theirs);
    let v: serde_json::Value =
        serde_json::from_str(&ok(home.berth(&["-H", h, "inspect", &name]))).unwrap();
    let host = &v[0]["HostConfig"];
    assert_eq!(host["CpusetMems"].as_str(), Some("0"));
    assert!(
        host["BlkioWeight"].as_i64() == Some(300)
            || ours.iter().any(|w| w.contains("Block I/O weight")),
        "a block IO weight is applied or said to be discarded: {host}"
    );
    let err = fails(home.berth(&["-H", h, "update", &name]));
    assert!(err.contains("update needs something to change"), "{err}");
    // A period and a quota, on one made without --cpus.
    let quota = format!("{name}-quota");
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &quota,
        "-l",
        &scope.label(),
        &image,
    ]));
    ok(home.berth(&[
        "-H",
        h,
        "update",
        "--cpu-period",
        "100000",
        "--cpu-quota",
        "50000",
        &quota,
    ]));
    assert_eq!(
        e.docker_ok(&[
            "inspect",
            "-f",
            "{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}}",
            &quota
        ]),
        "100000 50000\n"
    );
    ok(home.berth(&["-H", h, "rm", &quota]));
    ok(home.berth(&["-H", h, "rename", &name, &renamed]));
    assert_eq!(state(&home, h, &renamed), "running");
    ok(home.berth(&["-H", h, "restart", "-t", "1", &renamed]));
    assert_eq!(state(&home, h, &renamed), "running");
    // PID 1 ignores TERM unless it handles it; KILL always works.
    ok(home.berth(&["-H", h, "kill", "-s", "KILL", &renamed]));
    assert_eq!(ok(home.berth(&["-H", h, "wait", &renamed])).trim(), "137");
    ok(home.berth(&["-H", h, "start", &renamed]));
    ok(home.berth(&["-H", h, "stop", "-t", "1", &renamed]));
    assert_eq!(state(&home, h, &renamed), "exited");
    ok(home.berth(&["-H", h, "rm", &renamed]));
    let all = json_lines(&ok(home.berth(&["-H", h, "ps", "-a", "--format", "json"])));
    assert!(!all.iter().any(|c| c["id"] == id.trim()), "removed");

    // Several names: each is tried; one unknown one fails the command after the others ran.
    let a = scope.name("a");
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &a,
        "-l",
        &scope.label(),
        &image,
    ]));
    let out = run(home.berth(&["-H", h, "rm", "no-such-container", &a]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{a}\n"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("berth: no-such-container: not found"));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn attached_run_streams_output_and_returns_the_exit_code() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:talk", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "CMD [\"sh\", \"-c\", \"echo out; echo err >&2; exit 3\"]",
    );
    let out = run(home.berth(&["-H", &e.host, "run", "--rm", "-l", &scope.label(), &image]));
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    // Gone when the run returns, as the docker CLI waits for it.
    let label = format!("label={}", scope.label());
    assert_eq!(e.docker_ok(&["ps", "-aq", "--filter", &label]), "");
    // With a command and environment from a file and a flag.
    let env_file = home.path().join("app.env");
    std::fs::write(&env_file, "# app\nGREETING=hello there\n").unwrap();
    let out = ok(home
        .berth(&[
            "-H",
            &e.host,
            "run",
            "--rm",
            "-l",
            &scope.label(),
            "--env-file",
            "app.env",
            "-e",
            "WHO=berth",
            &image,
        ])
        .args(["sh", "-c", "echo \"$GREETING, $WHO\""])
        .current_dir(home.path()));
    assert_eq!(out, "hello there, berth\n");
    // A run that fails ends with docker's statuses: 127 for a command not found, 126 for one
    // that cannot be invoked, 125 for any other failure.
    for (command, status) in [("/nonexistent", 127), ("/bin", 126)] {
        let out = run(home
            .berth(&["-H", &e.host, "run", "--rm", "-l", &scope.label(), &image])
            .arg(command));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(status), "{command}: {err}");
        assert!(err.starts_with("berth: ") && err.contains(command), "{err}");
    }
    let missing = format!("berth-test/{}:none", scope.id);
    let out = run(home.berth(&["-H", &e.host, "run", "--rm", "--pull", "never", &missing]));
    assert_eq!(out.status.code(), Some(125));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no such image here"),
        "{out:?}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn logs_follow_tail_since_and_timestamps() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:logs", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "CMD [\"sh\", \"-c\", \"for i in 1 2 3 4 5; do echo line $i; done\"]",
    );
    let name = scope.name("logs");
    ok(home.berth(&[
        "-H",
        &e.host,
        "run",
        "--name",
        &name,
        "-l",
        &scope.label(),
        &image,
    ]));
    let h = e.host.as_str();
    assert_eq!(
        ok(home.berth(&["-H", h, "logs", &name])),
        "line 1\nline 2\nline 3\nline 4\nline 5\n"
    );
    assert_eq!(
        ok(home.berth(&["-H", h, "logs", "-n", "2", &name])),
        "line 4\nline 5\n"
    );
    let stamped = ok(home.berth(&["-H", h, "logs", "-t", &name]));
    assert!(
        stamped
            .lines()
            .all(|l| l.len() > 31 && l.as_bytes()[4] == b'-' && l.contains("Z line ")),
        "{stamped}"
    );
    assert_eq!(
        ok(home.berth(&["-H", h, "logs", "--since", "1h", &name]))
            .lines()
            .count(),
        5
    );
    assert_eq!(
        ok(home.berth(&["-H", h, "logs", "--until", "1h", &name])),
        "",
        "nothing is older than an hour"
    );
    // Times as docker takes them: RFC 3339 (the first line's own stamp), a date.
    let first = stamped.split_whitespace().next().unwrap();
    assert_eq!(
        ok(home.berth(&["-H", h, "logs", "--since", first, &name]))
            .lines()
            .count(),
        5
    );
    // Past 2038 (the engine's API takes 32-bit seconds) and before 1970 as well.
    for (flag, time) in [
        ("--since", "2099-01-01T00:00:00Z"),
        ("--until", "2000-01-01"),
        ("--until", "1960-01-01"),
    ] {
        assert_eq!(
            ok(home.berth(&["-H", h, "logs", flag, time, &name])),
            "",
            "{flag} {time}"
        );
    }
    // -f ends when the container has stopped.
    assert_eq!(
        ok(home.berth(&["-H", h, "logs", "-f", &name]))
            .lines()
            .count(),
        5
    );
    let err = fails(home.berth(&["-H", h, "logs", "no-such-container"]));
    assert!(
        err.contains("not found") && err.contains("no-such-container"),
        "{err}"
    );
    let err = fails(home.berth(&["-H", h, "logs", "--since", "yesterday", &name]));
    assert!(err.contains("--since \"yesterday\""), "{err}");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_failing_build_names_its_step() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    berth_testkit::busybox_image(
        e,
        &scope,
        &format!("berth-test/{}:base", scope.id),
        "CMD [\"true\"]",
    );
    let dir = home.path().join("ctx");
    write_busybox_context(
        &dir,
        &format!(
            "FROM {}\nRUN echo building\nRUN [\"sh\", \"-c\", \"echo broken >&2; exit 7\"]\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
        &[],
    );
    let out = run(home
        .berth(&[
            "-H",
            &e.host,
            "build",
            "--label",
            &scope.label(),
            "-t",
            &format!("berth-test/{}:bad", scope.id),
            ".",
        ])
        .current_dir(&dir));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Step 3/4 : RUN [\"sh\", \"-c\", \"echo broken >&2; exit 7\"]")
            && stdout.contains("broken"),
        "{stdout}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("the build failed at Step 3/4") && err.contains("returned a non-zero code: 7"),
        "{err}"
    );
    // In the history too, with how it ended.
    let history: serde_json::Value = serde_json::from_slice(
        &std::fs::read(home.path().join("state/berth/builds.json")).expect("a build history"),
    )
    .unwrap();
    let failed = &history[0];
    assert_eq!(failed["tags"][0], format!("berth-test/{}:bad", scope.id));
    assert!(
        failed["image_id"].is_null()
            && failed["error"]
                .as_str()
                .is_some_and(|e| e.contains("non-zero code: 7")),
        "{history}"
    );
}

/// The engine, a scope and a home for a BuildKit build, with the busybox base made locally
/// (BuildKit would look for it on Docker Hub otherwise), and where its context goes.
fn buildkit_context() -> (
    &'static berth_testkit::Engine,
    Scope,
    Home,
    std::path::PathBuf,
) {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    busybox_image(
        e,
        &scope,
        &format!("berth-test/{}:base", scope.id),
        "CMD [\"true\"]",
    );
    let dir = home.path().join("ctx");
    (e, scope, home, dir)
}

/// `berth build ARGS .` in `dir` against the test engine, with DOCKER_BUILDKIT unset.
fn berth_build(
    e: &berth_testkit::Engine,
    home: &Home,
    dir: &std::path::Path,
    args: &[&str],
) -> std::process::Command {
    let mut cmd = home.berth(&[&["-H", e.host.as_str(), "build"][..], args, &["."]].concat());
    cmd.current_dir(dir).env_remove("DOCKER_BUILDKIT");
    cmd
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_buildkit_build_shows_its_steps_keeps_a_cache_mount_and_names_a_failed_step() {
    let (e, scope, home, dir) = buildkit_context();
    // A cache mount only BuildKit takes: its file outlives each build (the step runs again
    // for another ROUND).
    write_busybox_context(
        &dir,
        &format!(
            "FROM {}\nARG ROUND\nRUN --mount=type=cache,target=/cache sh -c 'echo run >> /cache/runs; echo runs so far: $(wc -l < /cache/runs)'\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
        &[],
    );
    let tag = format!("berth-test/{}:bk", scope.id);
    let build = |extra: &[&str], env: Option<&str>| {
        let label = scope.label();
        let mut cmd = berth_build(
            e,
            &home,
            &dir,
            &[&["--label", &label, "-t", &tag], extra].concat(),
        );
        if let Some(value) = env {
            cmd.env("DOCKER_BUILDKIT", value);
        }
        cmd
    };
    // DOCKER_BUILDKIT=1 as docker takes it, then --buildkit: two runs of the step.
    let first = ok(build(&["--build-arg", "ROUND=1"], Some("1")));
    let step = first
        .lines()
        .find(|l| l.contains("] RUN --mount=type=cache"))
        .unwrap_or_else(|| panic!("the RUN step, BuildKit's way: {first}"));
    let number = step.split_whitespace().next().unwrap();
    assert!(
        number.starts_with('#') && step.contains("2/2] RUN --mount"),
        "{step}"
    );
    assert!(
        first.contains(&format!("{number} DONE")) && first.contains("runs so far: 1"),
        "{first}"
    );
    let second = ok(build(&["--buildkit", "--build-arg", "ROUND=2"], None));
    assert!(second.contains("runs so far: 2"), "{second}");
    assert_eq!(
        e.docker_ok(&[
            "run",
            "--rm",
            "--label",
            &scope.label(),
            &tag,
            "echo",
            "it runs"
        ])
        .trim(),
        "it runs"
    );
    // The classic builder, by default or asked for, refuses the mount: so the two above were
    // BuildKit's.
    for classic in [build(&[], None), build(&["--buildkit=false"], Some("1"))] {
        let err = fails(classic);
        assert!(err.contains("--mount"), "{err}");
    }
    let err = fails(build(&[], Some("maybe")));
    assert_eq!(
        err,
        "berth: DOCKER_BUILDKIT=maybe: not a boolean; set it to 1 (BuildKit) or 0 (the classic builder), or unset it"
    );
    // A failed step is named, its output and BuildKit's error shown.
    write_busybox_context(
        &dir,
        &format!(
            "FROM {}\nRUN [\"sh\", \"-c\", \"echo broken >&2; exit 7\"]\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
        &[],
    );
    let out = run(build(&["--buildkit"], None));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with('#') && l.ends_with(" broken"))
            && stdout.contains("ERROR: "),
        "{stdout}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("2/2] RUN [\"sh\"") && err.contains("exit code: 7"),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_buildkit_build_exports_its_files_to_a_directory_or_a_tar() {
    let (e, scope, home, dir) = buildkit_context();
    // What a multi-stage build of a program leaves: its artefact alone.
    write_busybox_context(
        &dir,
        &format!(
            "FROM {} AS build\nRUN mkdir /out && echo artefact of {} > /out/app.txt\nFROM scratch\nCOPY --from=build /out/ /\n",
            berth_testkit::BUSYBOX_IMAGE,
            scope.id
        ),
        &[],
    );
    let build = |extra: &[&str]| berth_build(e, &home, &dir, extra);
    let out = home.path().join("out");
    // -o asks for BuildKit, as docker's does.
    let said = ok(build(&["-o", &out.display().to_string()]));
    assert!(said.contains("exporting to client"), "{said}");
    assert_eq!(
        std::fs::read_to_string(out.join("app.txt")).unwrap(),
        format!("artefact of {}\n", scope.id)
    );
    // `-o -`: a tar on stdout, the progress on stderr.
    let piped = run(build(&["-o", "-"]));
    assert!(piped.status.success(), "{piped:?}");
    let mut names = Vec::new();
    let mut archive = tar::Archive::new(&piped.stdout[..]);
    for entry in archive.entries().unwrap() {
        names.push(entry.unwrap().path().unwrap().display().to_string());
    }
    assert_eq!(names, ["app.txt"]);
    assert!(
        String::from_utf8_lossy(&piped.stderr).contains("exporting to client"),
        "{piped:?}"
    );
    for (flags, says) in [
        (
            &["--buildkit=false", "-o", "x"][..],
            "the classic builder makes images only",
        ),
        (
            &["-o", "type=image,dest=x"][..],
            "type=image: Berth exports a build's files",
        ),
    ] {
        let err = fails(build(flags));
        assert!(err.contains(says), "{flags:?}: {err}");
    }
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_buildkit_build_reads_its_secrets_from_a_file_or_a_variable_and_keeps_none() {
    let (e, scope, home, dir) = buildkit_context();
    write_busybox_context(
        &dir,
        &format!(
            "FROM {}\nRUN --mount=type=secret,id=token --mount=type=secret,id=BERTH_TEST_API sh -c 'echo token: $(cat /run/secrets/token), api: $(cat /run/secrets/BERTH_TEST_API)'\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
        &[],
    );
    let token = home.path().join("token.txt");
    std::fs::write(&token, format!("file-{}", scope.id)).unwrap();
    let tag = format!("berth-test/{}:secret", scope.id);
    let build = |extra: &[&str]| {
        let label = scope.label();
        let mut cmd = berth_build(
            e,
            &home,
            &dir,
            &[&["--label", &label, "-t", &tag], extra].concat(),
        );
        cmd.env("BERTH_TEST_API", format!("named-{}", scope.id))
            .env("BERTH_TEST_OTHER", format!("env-{}", scope.id));
        cmd
    };
    let file = format!("id=token,src={}", token.display());
    // --secret asks for BuildKit, as docker's does.
    let said = ok(build(&[
        "--secret",
        &file,
        "--secret",
        "id=BERTH_TEST_API,env=BERTH_TEST_OTHER",
    ]));
    assert!(
        said.contains(&format!("token: file-{0}, api: env-{0}", scope.id)),
        "{said}"
    );
    // The image holds neither.
    let left = e.docker_ok(&[
        "run",
        "--rm",
        "--label",
        &scope.label(),
        &tag,
        "sh",
        "-c",
        "cat /run/secrets/token /run/secrets/BERTH_TEST_API 2>/dev/null; echo end",
    ]);
    assert_eq!(left.trim(), "end");
    // id=NAME alone: the variable of that name.
    let said = ok(build(&[
        "--no-cache",
        "--secret",
        &file,
        "--secret",
        "id=BERTH_TEST_API",
    ]));
    assert!(
        said.contains(&format!("token: file-{0}, api: named-{0}", scope.id)),
        "{said}"
    );
    for (flags, says) in [
        (
            vec!["--secret", "id=token,src=/nonexistent/token"],
            "berth: --secret id=token,src=/nonexistent/token: /nonexistent/token: no such file",
        ),
        (
            vec!["--secret", "src=token.txt"],
            "berth: --secret src=token.txt: give id=NAME, e.g. id=token,src=token.txt",
        ),
        (
            vec!["--secret", "id=api,env=BERTH_TEST_UNSET"],
            "berth: --secret id=api,env=BERTH_TEST_UNSET: the environment variable BERTH_TEST_UNSET is not set",
        ),
        (
            vec!["--buildkit=false", "--secret", &file],
            "berth: --secret: the classic builder takes no secrets: build with BuildKit",
        ),
    ] {
        let err = fails(build(&flags));
        assert_eq!(err, says, "{flags:?}");
    }
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_buildkit_build_forwards_an_ssh_agent() {
    let (e, scope, home, dir) = buildkit_context();
    // ssh-add in the image lists what the agent it reaches holds.
    write_busybox_context(
        &dir,
        &format!(
            "FROM {}\nCOPY root/ /\nRUN --mount=type=ssh ssh-add -l\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
        &[("root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644)],
    );
    berth_testkit::copy_program(&dir.join("root"), "/usr/bin/ssh-add");
    let agent = SshAgent::start(home.path());
    let key = home.path().join("key");
    let fingerprint = agent.add_key(&key, &scope.id);
    let tag = format!("berth-test/{}:ssh", scope.id);
    let build = |extra: &[&str]| {
        let label = scope.label();
        berth_build(
            e,
            &home,
            &dir,
            &[&["--label", &label, "-t", &tag], extra].concat(),
        )
    };
    // --ssh asks for BuildKit, as docker's does; default is SSH_AUTH_SOCK's agent.
    let mut forwarded = build(&["--ssh", "default"]);
    forwarded.env("SSH_AUTH_SOCK", &agent.socket);
    let said = ok(forwarded);
    assert!(said.contains(&fingerprint), "{fingerprint}: {said}");
    // Named by its socket, again (not from the cache).
    let socket = format!("default={}", agent.socket.display());
    let said = ok(build(&["--no-cache", "--ssh", &socket]));
    assert!(said.contains(&fingerprint), "{fingerprint}: {said}");
    // Without it, the step has no agent.
    let err = fails(build(&["--buildkit", "--no-cache"]));
    assert!(err.to_lowercase().contains("ssh"), "{err}");
    let key_path = format!("default={}", key.display());
    for (flags, says) in [
        (
            vec!["--ssh", "default"],
            "berth: --ssh default: SSH_AUTH_SOCK is not set: start an agent (eval $(ssh-agent); ssh-add), or give its socket (default=PATH)".to_owned(),
        ),
        (
            vec!["--ssh", "default=/nonexistent/agent.sock"],
            "berth: --ssh default=/nonexistent/agent.sock: /nonexistent/agent.sock: no such socket".to_owned(),
        ),
        (
            vec!["--ssh", &key_path],
            format!("berth: --ssh {key_path}: {} is not an agent's socket: load a key into an agent (ssh-add KEY) and give the agent", key.display()),
        ),
        (
            vec!["--buildkit=false", "--ssh", &socket],
            "berth: --ssh: the classic builder forwards no SSH agent: build with BuildKit".to_owned(),
        ),
    ] {
        let err = fails(build(&flags));
        assert_eq!(err, says, "{flags:?}");
    }
}

#[test]
fn bad_input_is_refused_before_the_engine() {
    let home = Home::new();
    // An engine that does not exist: these must fail on the input, not on the connection.
    let h = "unix:///nonexistent/docker.sock";
    for (args, want) in [
        (
            &["run", "-p", "8000:70000", "img"][..],
            "8000:70000: \"70000\" is not a port",
        ),
        (&["run", "--name", "a b", "img"], "a b: a container name is"),
        (
            &["run", "-v", "data:relative", "img"],
            "data:relative: write -v SOURCE:TARGET",
        ),
        (
            &["run", "--restart", "sometimes", "img"],
            "sometimes: use no, always",
        ),
        (&["run", "-m", "12q", "img"], "12q: write a size like 512m"),
        (
            &["run", "Bad/Image"],
            "invalid image reference \"Bad/Image\": repository names must be lowercase",
        ),
        (
            &["run", "--env-file", "missing.env", "img"],
            "missing.env: cannot read the env file",
        ),
        (
            &["build", "-t", "UPPER", "."],
            "invalid image reference \"UPPER\"",
        ),
        (
            &["build", "/nonexistent/dir"],
            "/nonexistent/dir: the build context is not a directory",
        ),
        (&["build", "."], "Dockerfile: no Dockerfile there"),
        (&["build", "-m", "3q", "."], "3q: write a size like 512m"),
        (
            &["build", "--ulimit", "nofile=9:1", "."],
            "nofile=9:1: the soft limit is above the hard one",
        ),
        (
            &["build", "--buildkit", "--shm-size", "64m", "."],
            "the engine's BuildKit applies no limits to a build's steps: build with the classic builder",
        ),
        (&["tag", "a", "b:-x"], "invalid image reference \"b:-x\""),
        (&["push", "Nope"], "repository names must be lowercase"),
        (
            &["logs", "--since", "yesterday", "x"],
            "--since \"yesterday\": give a time (2026-12-03T10:00:00Z, 2026-12-03, unix seconds) or how long ago (10m, 1h30m)",
        ),
        (
            &["events", "--until", "soon"],
            "--until \"soon\": give a time",
        ),
        (
            &["push", "hello:v2"],
            "hello:v2: that name is Docker Hub's official images (docker.io/library/hello), which \
             take pushes from Docker only: tag it YOUR_USER/hello:v2",
        ),
        (
            &["ps", "--format", "{{.Nope}}"],
            "{{.Nope}}: Berth's --format templates take .ID",
        ),
        (
            &["images", "--format", "{{if .ID}}x{{end}}"],
            "{{if .ID}}: Berth's --format templates take .ID, .Repository",
        ),
        (
            &["inspect", "-f", "{{range .Mounts}}{{.Name}}", "x"],
            "a {{range}} without its {{end}}",
        ),
        (
            &["top", "--format", "{{.PID}}", "x"],
            "--format templates work with ps, images, inspect, volume ls, network ls, stats, history, system df, info, version, events, compose ps, compose volumes and compose stats; use --format json here",
        ),
    ] {
        let mut cmd = home.berth(&["-H", h]);
        cmd.args(args).current_dir(home.path());
        // `run` ends as docker's does, with 125 when it fails before the container's command.
        let err = fails_with(cmd, if args[0] == "run" { 125 } else { 1 });
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // A target the Dockerfile has no stage of.
    let staged = home.path().join("staged");
    std::fs::create_dir_all(&staged).unwrap();
    // Said as the build names it: from the context given, `.`.
    let dockerfile = "./Dockerfile";
    for (text, want) in [
        (
            "FROM scratch AS base\nFROM base AS Final\n",
            format!("--target nope: {dockerfile} has no such stage: choose one of base, final"),
        ),
        (
            "FROM scratch\n",
            format!("--target nope: {dockerfile} names no stage: name one with FROM IMAGE AS NAME"),
        ),
    ] {
        std::fs::write(staged.join("Dockerfile"), text).unwrap();
        let mut cmd = home.berth(&["-H", h, "build", "--target", "nope", "."]);
        cmd.current_dir(&staged);
        let err = fails(cmd);
        assert!(err.contains(&want), "{text:?}: {err}");
    }
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_health_check_with_its_times_written_as_docker_writes_them() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:checked", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let name = scope.name("checked");
    let health = |args: &[&str]| {
        let mut all = vec!["-H", h, "run", "-d", "--name", &name, "-l"];
        let label = scope.label();
        all.extend([label.as_str(), "--health-cmd", "test -e /ok"]);
        all.extend(args);
        all.push(&image);
        run(home.berth(&all))
    };
    let refused = health(&["--health-interval", "2"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("a duration needs a unit"),
        "{refused:?}"
    );
    let out = health(&[
        "--health-interval",
        "500ms",
        "--health-timeout",
        "1m30s",
        "--health-retries",
        "1",
    ]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value =
        serde_json::from_str(&ok(home.berth(&["-H", h, "inspect", &name]))).unwrap();
    let check = &v[0]["Config"]["Healthcheck"];
    assert_eq!(
        (check["Interval"].as_i64(), check["Timeout"].as_i64()),
        (Some(500_000_000), Some(90_000_000_000)),
        "{check}"
    );
    let status = || {
        json_lines(&ok(home.berth(&["-H", h, "ps", "--format", "json"])))
            .into_iter()
            .find(|c| c["names"][0] == name.as_str())
            .map(|c| c["status"].to_string())
            .unwrap_or_default()
    };
    wait_until(30, "the check to fail", || status().contains("(unhealthy)"));
    ok(home.berth(&["-H", h, "exec", &name, "touch", "/ok"]));
    wait_until(30, "the check to pass", || status().contains("(healthy)"));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn ps_filters_as_docker_takes_them() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:filtered", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let (up, done) = (scope.name("up"), scope.name("done"));
    let label = scope.label();
    for (name, cmd) in [
        (&up, "sleep 600; echo the end of a long command"),
        (&done, "true"),
    ] {
        ok(home.berth(&[
            "-H", h, "run", "-d", "--name", name, "-l", &label, &image, "sh", "-c", cmd,
        ]));
    }
    wait_until(30, "the short one to exit", || {
        state(&home, h, &done) == "exited"
    });
    // The same ids, in the same order, as the docker CLI's for each filter.
    for filters in [
        vec!["-a", "--filter", &format!("label={label}")],
        vec!["--filter", &format!("label={label}")],
        vec!["-a", "--filter", &format!("name={done}")],
        vec!["-a", "-f", &format!("label={label}"), "-f", "status=exited"],
        vec!["-a", "-f", "name=no-such-container-anywhere"],
        vec!["-a", "--no-trunc", "-f", &format!("label={label}")],
        vec!["-n", "1", "-f", &format!("label={label}")],
        vec!["--last", "2", "-f", &format!("label={label}")],
        vec!["-l", "-f", &format!("label={label}")],
    ] {
        let mut berth = vec!["-H", h, "ps", "-q"];
        berth.extend(&filters);
        let ours = ok(home.berth(&berth));
        let mut docker = vec!["ps", "-q"];
        docker.extend(&filters);
        assert_eq!(ours, e.docker_ok(&docker), "{filters:?}");
    }
    // docker's --format templates, the same text as the docker CLI's.
    for template in [
        "{{.Names}}",
        "{{.ID}}\\t{{.Image}}",
        // Not `{{.Labels}}`: docker joins them in Go's map order, which varies.
        "{{ .Names }}: {{.State}} {{.Command}} [{{.Ports}}] {{.Label \"berth.test\"}}",
        "table {{.Names}}\\t{{.Image}}\\t{{.State}}",
    ] {
        let args = [
            "ps",
            "-a",
            "--filter",
            &format!("label={label}"),
            "--format",
            template,
        ];
        let ours = ok(home.berth(&[&["-H", h][..], &args[..]].concat()));
        assert_eq!(ours, e.docker_ok(&args), "{template}");
    }
    // --no-trunc: whole ids and commands.
    let args = [
        "ps",
        "-a",
        "--no-trunc",
        "--filter",
        &format!("label={label}"),
        "--format",
        "table {{.ID}}\\t{{.Command}}\\t{{.Names}}",
    ];
    assert_eq!(
        ok(home.berth(&[&["-H", h][..], &args[..]].concat())),
        e.docker_ok(&args)
    );
    // inspect -f: a template over each object, the docker CLI's text: paths, docker's functions,
    // Go's (printf, len, index of an index), variables, if/else, ranges over maps with their keys.
    let template = format!(
        "{{{{.Name}}}} {{{{.State.Status}}}} {{{{.State.Running}}}} {{{{.Config.Env}}}} \
         {{{{json .Config.Labels}}}} {{{{index .Config.Labels \"{}\"}}}} \
         {{{{range .NetworkSettings.Networks}}}}{{{{.IPAddress}}}}/{{{{.IPPrefixLen}}}} {{{{end}}}}\
         {{{{range $k, $v := .Config.Labels}}}}{{{{$k}}}}={{{{$v}}}};{{{{end}}}} \
         {{{{if .State.Running}}}}up{{{{else}}}}down{{{{end}}}} {{{{join .Config.Cmd \"+\"}}}} \
         {{{{upper .State.Status}}}} {{{{printf \"%s/%d\" .Config.Image (len .Config.Env)}}}} \
         {{{{with .HostConfig.RestartPolicy}}}}{{{{.Name}}}}{{{{end}}}} {{{{$n := .Name}}}}{{{{slice $n 1}}}}",
        "berth.test"
    );
    for flag in ["-f", "--format"] {
        let args = ["inspect", flag, &template, &up, &done];
        assert_eq!(
            ok(home.berth(&[&["-H", h][..], &args[..]].concat())),
            e.docker_ok(&args),
            "{flag}"
        );
    }
    // Volumes and networks too, by their own inspect and by name alone.
    let vol = scope.name("inspected");
    ok(home.berth(&["-H", h, "volume", "create", "--label", &label, &vol]));
    let net = scope.name("inspected");
    ok(home.berth(&["-H", h, "network", "create", "--label", &label, &net]));
    for args in [
        vec![
            "volume",
            "inspect",
            "-f",
            "{{.Name}} {{.Driver}} {{.Mountpoint}}",
            &vol,
        ],
        vec![
            "network",
            "inspect",
            "-f",
            "{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}}",
            &net,
        ],
        vec!["inspect", "-f", "{{.Name}} {{.Scope}}", &vol, &net],
        vec!["inspect", "--type", "volume", "--format", "{{.Name}}", &vol],
    ] {
        assert_eq!(
            ok(home.berth(&[&["-H", h][..], &args[..]].concat())),
            e.docker_ok(&args),
            "{args:?}"
        );
    }
    let err = fails(home.berth(&["-H", h, "inspect", "no-such-object-anywhere"]));
    assert!(
        err.contains("no container, image, volume or network is called"),
        "{err}"
    );
    // docker's functions beyond `json .` are refused, in one line.
    let err = fails(home.berth(&["-H", h, "ps", "--format", "{{json .Names}}"]));
    assert!(err.contains("take .ID, .Image"), "{err}");
    let err = fails(home.berth(&["-H", h, "context", "ls", "--format", "{{.Name}}"]));
    assert!(err.contains("templates work with ps, images"), "{err}");
    let only_done = ok(home.berth(&["-H", h, "ps", "-a", "-f", &format!("name={done}")]));
    assert_eq!(only_done.lines().count(), 2, "{only_done}");
    assert!(
        only_done.contains(&done) && !only_done.contains(&up),
        "{only_done}"
    );
    let err = fails(home.berth(&["-H", h, "ps", "--filter", "exited"]));
    assert!(
        err.contains("exited: a filter is KEY=value, e.g. name=web"),
        "{err}"
    );
    let err = fails(home.berth(&["-H", h, "ps", "--filter", "colour=blue"]));
    assert!(err.contains("colour"), "{err}");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn exec_with_and_without_a_terminal() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:exec", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let name = scope.name("exec");
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "--name",
        &name,
        "-l",
        &scope.label(),
        &image,
    ]));

    let out = run(home.berth(&[
        "-H",
        h,
        "exec",
        "-e",
        "WHO=berth",
        &name,
        "sh",
        "-c",
        "echo out $WHO; echo err >&2; exit 4",
    ]));
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        (
            String::from_utf8_lossy(&out.stdout).as_ref(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        ("out berth\n", "err\n")
    );

    // --env-file, and -d: the command is left running; berth returns at once.
    std::fs::write(home.path().join("exec.env"), "FROM_FILE=yes\n").unwrap();
    let env_file = home.path().join("exec.env").display().to_string();
    let out = ok(home.berth(&[
        "-H",
        h,
        "exec",
        "--env-file",
        &env_file,
        &name,
        "sh",
        "-c",
        "echo $FROM_FILE",
    ]));
    assert_eq!(out, "yes\n");
    let out = ok(home.berth(&[
        "-H",
        h,
        "container",
        "exec",
        "-d",
        &name,
        "sh",
        "-c",
        "sleep 1; touch /detached",
    ]));
    assert_eq!(out, "", "a detached exec prints nothing");
    assert!(
        run(home.berth(&["-H", h, "exec", &name, "test", "-e", "/detached"]))
            .status
            .code()
            == Some(1),
        "berth returned before the command ended"
    );
    berth_testkit::wait_until(10, "the detached command to finish", || {
        run(home.berth(&["-H", h, "exec", &name, "test", "-e", "/detached"]))
            .status
            .success()
    });

    // -i: this process's stdin goes to the command.
    let out = feed(
        home.berth(&["-H", h, "exec", "-i", &name, "sh", "-c", "tr a-z A-Z"]),
        "hello from stdin\n",
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "HELLO FROM STDIN\n");
    assert!(out.status.success());

    // -t under a real pseudo-terminal (script): the command gets a tty of this terminal's size.
    // API 1.41 ignores the size given at create, so it arrives by a resize just after the start
    // (as with the docker CLI): the command waits until its terminal has a size.
    let berth = env!("CARGO_BIN_EXE_berth");
    let wait_size = r#"until s=$(stty size 2>/dev/null) && [ -n "$s" ] && [ "$s" != "0 0" ]; do sleep 0.05; done; echo $s"#;
    let inner =
        format!("stty rows 31 cols 97; {berth} -H {h} exec -it {name} sh -c 'tty; {wait_size}'");
    let mut cmd = std::process::Command::new("script");
    home.0.apply(&mut cmd);
    let out = ok(cmd.args(["-qec", &inner, "/dev/null"]));
    assert!(
        out.contains("/dev/pts/") && out.contains("31 97"),
        "{out:?}"
    );

    // -it whose terminal closes (script killed: its pseudo-terminal hangs up): the command is
    // hung up too, with what it started, instead of running on in the container.
    let inner = format!("{berth} -H {h} exec -it {name} sh -c 'sleep 7300 & wait'");
    let sleeping = || {
        e.docker_ok(&["top", &name, "-o", "pid,args"])
            .lines()
            .any(|l| l.trim().ends_with(" sleep 7300"))
    };
    let mut sh = std::process::Command::new("sh");
    home.0.apply(&mut sh);
    close_terminal_once(sh, &inner, sleeping);
    wait_until(20, "the hung-up command to end", || !sleeping());

    ok(home.berth(&["-H", h, "stop", "-t", "0", &name]));
    let err = fails(home.berth(&["-H", h, "exec", &name, "true"]));
    assert!(err.contains("is not running"), "{err}");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn interactive_run_and_attach() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:att", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "CMD [\"sh\", \"-c\", \"read x; echo got $x; exit 5\"]",
    );

    // run -i: this stdin reaches the container; the exit code comes back; --rm cleans up.
    let name = scope.name("runi");
    let out = feed(
        home.berth(&[
            "-H",
            h,
            "run",
            "-i",
            "--rm",
            "--name",
            &name,
            "-l",
            &scope.label(),
            &image,
        ]),
        "hello\n",
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got hello\n");
    assert_eq!(out.status.code(), Some(5));
    assert!(
        !ok(home.berth(&["-H", h, "ps", "-a"])).contains(&name),
        "--rm removed it"
    );

    // run -it under a real pseudo-terminal: the container gets a tty.
    let berth = env!("CARGO_BIN_EXE_berth");
    let inner = format!(
        "{berth} -H {h} run -it --rm -l {} {image} sh -c tty",
        scope.label()
    );
    let mut cmd = std::process::Command::new("script");
    home.0.apply(&mut cmd);
    let out = ok(cmd.args(["-qec", &inner, "/dev/null"]));
    assert!(out.contains("/dev/pts/"), "{out:?}");

    // attach to a detached container that waits on its stdin.
    let waiting = scope.name("waiting");
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "-i",
        "--name",
        &waiting,
        "-l",
        &scope.label(),
        &image,
    ]));
    let out = feed(home.berth(&["-H", h, "attach", &waiting]), "there\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got there\n");
    assert_eq!(out.status.code(), Some(5));
}

/// Every field docker's list templates know, for `ps`, `images`, `volume ls` and `network ls`:
/// `{{json .}}` has docker's keys and values, and the fields print docker's text, with the
/// `Label` method and times in the local zone (both CLIs run with `TZ=Europe/Berlin`).
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn list_templates_print_every_field_as_docker_does() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let label = scope.label();
    let image = format!("berth-test/{}:fields", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let (net, vol) = (scope.name("net"), scope.name("vol"));
    let bind = tempfile::tempdir().unwrap();
    let bind_mount = format!("{}:/b", bind.path().display());
    let vol_mount = format!("{vol}:/v");
    ok(home.berth(&[
        "-H",
        h,
        "network",
        "create",
        "--label",
        &label,
        "--label",
        "x.kind=net",
        &net,
    ]));
    ok(home.berth(&[
        "-H",
        h,
        "volume",
        "create",
        "--label",
        &label,
        "--label",
        "x.kind=vol",
        &vol,
    ]));
    let (both, anon) = (scope.name("both"), scope.name("anon"));
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "--name",
        &both,
        "-l",
        &label,
        "-l",
        "x.kind=ctr",
        "--network",
        &net,
        "-v",
        &vol_mount,
        "-v",
        &bind_mount,
        "--tmpfs",
        "/t",
        &image,
    ]));
    ok(home.berth(&["-H", h, "network", "connect", "bridge", &both]));
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "--name",
        &anon,
        "-l",
        &label,
        "-p",
        "127.0.0.1::5000",
        "-v",
        "/anon",
        &image,
    ]));

    let filter = format!("label={label}");
    let lists: [&[&str]; 4] = [
        &["ps", "-a", "--filter", &filter],
        &["images", "--filter", &filter],
        &["volume", "ls", "--filter", &filter],
        &["network", "ls", "--filter", &filter],
    ];
    let both_ways = |args: &[&str]| {
        let mut ours = home.berth(&[&["-H", h][..], args].concat());
        let mut theirs = e.docker();
        theirs.args(args);
        (
            ok(ours.env("TZ", "Europe/Berlin")),
            ok(theirs.env("TZ", "Europe/Berlin")),
        )
    };
    for list in lists {
        let (ours, theirs) = both_ways(&[list, &["--format", "{{json .}}"]].concat());
        let (ours, theirs) = (json_lines(&ours), json_lines(&theirs));
        assert_eq!(ours.len(), theirs.len(), "{list:?}:\n{ours:?}\n{theirs:?}");
        for (o, t) in ours.iter().zip(&theirs) {
            let (o, t) = (o.as_object().unwrap(), t.as_object().unwrap());
            let keys = |m: &serde_json::Map<_, _>| m.keys().cloned().collect::<Vec<String>>();
            assert_eq!(keys(o), keys(t), "{list:?}");
            for (key, want) in t {
                let got = &o[key];
                match key.as_str() {
                    // Relative times may tick between the two commands.
                    "RunningFor" | "Status" | "CreatedSince" => assert!(got.is_string()),
                    // docker joins these in Go's map order, which varies; Berth sorts them.
                    "Networks" | "Mounts" | "Labels" => {
                        let set = |v: &serde_json::Value| {
                            let mut s: Vec<String> =
                                v.as_str().unwrap().split(',').map(str::to_owned).collect();
                            s.sort();
                            s
                        };
                        assert_eq!(set(got), set(want), "{list:?} {key}");
                    }
                    // docker prints N/A: the engine does not count them when listing; Berth
                    // does (both containers run the image).
                    "Containers" => {
                        assert_eq!(want, "N/A");
                        assert_eq!(got, "2", "{list:?} {key}");
                    }
                    _ => assert_eq!(got, want, "{list:?} {key}"),
                }
            }
        }
    }
    // The fields one by one, as text, and a table's headers.
    for (list, template) in [
        (
            lists[0],
            "table {{.Names}}\\t{{.LocalVolumes}}\\t{{.Platform}}\\t{{.CreatedAt}}\\t{{.Label \"x.kind\"}}\\t{{.Ports}}",
        ),
        (
            lists[1],
            "table {{.ID}}\\t{{.VirtualSize}}\\t{{.SharedSize}}\\t{{.UniqueSize}}\\t{{.CreatedAt}}",
        ),
        (
            lists[2],
            "table {{.Name}}\\t{{.Links}}\\t{{.Size}}\\t{{.Group}}\\t{{.Availability}}\\t{{.Status}}\\t{{.Label \"x.kind\"}}",
        ),
        (
            lists[3],
            "table {{.Name}}\\t{{.IPv4}}\\t{{.IPv6}}\\t{{.CreatedAt}}\\t{{.Label \"x.kind\"}}",
        ),
    ] {
        let (ours, theirs) = both_ways(&[list, &["--format", template]].concat());
        assert_eq!(ours, theirs, "{list:?} {template}");
    }
    // Filters and whole ids, as docker takes them.
    let name_filter = format!("name={net}");
    for args in [
        &[
            "volume",
            "ls",
            "-q",
            "--filter",
            &filter,
            "-f",
            "dangling=false",
        ][..],
        &[
            "volume",
            "ls",
            "-q",
            "-f",
            "label=x.kind=vol",
            "-f",
            &filter,
        ],
        &["network", "ls", "-q", "--no-trunc", "--filter", &filter],
        &[
            "network",
            "ls",
            "--filter",
            &name_filter,
            "--filter",
            "driver=bridge",
        ],
        &["network", "ls", "--no-trunc", "-f", &filter],
    ] {
        let (ours, theirs) = both_ways(args);
        assert!(!theirs.trim().is_empty(), "{args:?}");
        assert_eq!(ours, theirs, "{args:?}");
    }
    // A method without its key, in one line.
    let err = fails(home.berth(&["-H", h, "ps", "--format", "{{.Label}}"]));
    assert!(
        err.contains(r#"{{.Label}}: .Label takes a key: {{.Label "key"}}"#),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn port_prints_what_docker_prints() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:ports", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let c = scope.name("ports");
    // Host ports the engine picks (no clash with other tests): one address, both families, UDP.
    ok(home.berth(&[
        "-H",
        h,
        "container",
        "run",
        "-d",
        "--name",
        &c,
        "-l",
        &scope.label(),
        "-p",
        "127.0.0.1::80",
        "-p",
        "5000",
        "-p",
        "127.0.0.1::53/udp",
        &image,
    ]));
    let listed = ok(home.berth(&["-H", h, "port", &c]));
    // 80 and 53/udp on one address each, 5000 on every address (both families where they are).
    assert!(listed.lines().count() >= 3, "{listed}");
    for args in [
        vec!["port", c.as_str()],
        vec!["port", &c, "80"],
        vec!["port", &c, "5000/tcp"],
        vec!["container", "port", &c, "53/udp"],
    ] {
        assert_eq!(
            ok(home.berth(&[&["-H", h][..], &args].concat())),
            e.docker_ok(&args),
            "berth {args:?}"
        );
    }
    let json = json_lines(&ok(
        home.berth(&["-H", h, "port", &c, "53/udp", "--format", "json"])
    ));
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["port"], "53/udp");
    assert_eq!(json[0]["host_ip"], "127.0.0.1");

    let err = fails(home.berth(&["-H", h, "port", &c, "82"]));
    assert!(
        err.contains(&format!("{c} publishes no port 82/tcp")),
        "{err}"
    );
    let err = fails(home.berth(&["-H", h, "port", &c, "eighty"]));
    assert!(
        err.contains("port \"eighty\": give a port of the container"),
        "{err}"
    );
    // A container made but not started has no published address yet (docker prints nothing).
    let created = scope.name("created");
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &created,
        "-l",
        &scope.label(),
        "-p",
        "80",
        &image,
    ]));
    assert_eq!(ok(home.berth(&["-H", h, "port", &created])), "");
    assert_eq!(e.docker_ok(&["port", &created]), "");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn less_common_run_flags_reach_the_engine_as_docker_sends_them() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:flags", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let site = home.path().join("site");
    std::fs::create_dir(&site).unwrap();
    let vol = scope.name("flagsvol");
    ok(home.berth(&["-H", h, "volume", "create", "--label", &scope.label(), &vol]));
    let bind = format!("type=bind,source={},target=/site,readonly", site.display());
    let label_file = home.path().join("labels");
    std::fs::write(&label_file, "# the team's\nteam=a\n\nowner=me\n").unwrap();
    let label_file = label_file.display().to_string();
    let volume = format!("type=volume,source={vol},target=/data");
    // A container whose volumes the others mount.
    let source = scope.name("volsource");
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &source,
        "-l",
        &scope.label(),
        "-v",
        "/shared",
        &image,
    ]));
    let volumes_from = format!("{source}:ro");
    let flags = [
        "-P",
        "--expose",
        "80",
        "--expose",
        "7000-7001/udp",
        "-h",
        "box",
        "--add-host",
        "db:10.1.2.3",
        "--dns",
        "10.1.2.53",
        "--mount",
        &bind,
        "--mount",
        "type=tmpfs,target=/cache,tmpfs-size=1m",
        "--mount",
        &volume,
        "--device",
        "/dev/null:/dev/nothing:r",
        "--cap-add",
        "NET_ADMIN",
        "--cap-drop",
        "MKNOD",
        "--security-opt",
        "no-new-privileges",
        "--group-add",
        "123",
        "--init",
        "--read-only",
        "--shm-size",
        "8m",
        "--ulimit",
        "nofile=512:1024",
        "--sysctl",
        "net.core.somaxconn=512",
        "--ipc",
        "shareable",
        "--stop-signal",
        "SIGINT",
        "--stop-timeout",
        "3",
        "--log-driver",
        "json-file",
        "--log-opt",
        "max-size=1m",
        "--no-healthcheck",
        "-m",
        "64m",
        "--memory-swap",
        "128m",
        "--memory-reservation",
        "32m",
        "--pids-limit",
        "50",
        "--cpu-shares",
        "512",
        "--cpuset-cpus",
        "0",
        "--label-file",
        &label_file,
        "--volumes-from",
        &volumes_from,
        "--dns-search",
        "example.test",
        "--dns-option",
        "ndots:2",
        "--domainname",
        "berth.test",
        "--oom-kill-disable",
        // Raised: lowering it is refused when the container starts (the runtime's rule).
        "--oom-score-adj",
        "500",
        "--cpu-period",
        "100000",
        "--cpu-quota",
        "50000",
        "--memory-swappiness",
        "10",
        "--cpuset-mems",
        "0",
        "--cgroupns",
        "private",
        "--userns",
        "host",
        "--runtime",
        "runc",
        "--device-cgroup-rule",
        "c 1:3 rwm",
    ];
    let (ours, theirs) = (scope.name("berth"), scope.name("docker"));
    let label = scope.label();
    let create = |name: String| -> Vec<String> {
        ["create", "--name", &name, "-l", &label]
            .iter()
            .chain(&flags)
            .chain([&image.as_str()])
            .map(|s| s.to_string())
            .collect()
    };
    let mut berth_create = home.berth(&["-H", h]);
    // Berth alone: the docker CLI here (28) sends a MAC address per network only, which this
    // engine (API 1.41) cannot take, and refuses.
    let mut args = create(ours.clone());
    args.splice(1..1, ["--mac-address".into(), "02:BE:27:00:00:01".into()]);
    berth_create.args(args);
    ok(berth_create);
    let docker_create = create(theirs.clone());
    e.docker_ok(&docker_create.iter().map(String::as_str).collect::<Vec<_>>());
    let inspect = |name: &str| -> serde_json::Value {
        serde_json::from_str(&e.docker_ok(&["inspect", name])).unwrap()
    };
    let (a, b) = (inspect(&ours), inspect(&theirs));
    for key in [
        "PublishAllPorts",
        "ExtraHosts",
        "Dns",
        "Mounts",
        "Devices",
        "CapAdd",
        "CapDrop",
        "SecurityOpt",
        "GroupAdd",
        "Init",
        "ReadonlyRootfs",
        "ShmSize",
        "Ulimits",
        "Sysctls",
        "IpcMode",
        "LogConfig",
        "Memory",
        "MemorySwap",
        "MemoryReservation",
        "PidsLimit",
        "CpuShares",
        "CpusetCpus",
        "VolumesFrom",
        "DnsSearch",
        "DnsOptions",
        "OomKillDisable",
        "OomScoreAdj",
        "CpuPeriod",
        "CpuQuota",
        "MemorySwappiness",
        "CpusetMems",
        "CgroupnsMode",
        "UsernsMode",
        "Runtime",
        "DeviceCgroupRules",
    ] {
        assert_eq!(
            a[0]["HostConfig"][key], b[0]["HostConfig"][key],
            "HostConfig.{key}"
        );
    }
    for key in [
        "Hostname",
        "ExposedPorts",
        "StopSignal",
        "StopTimeout",
        "Healthcheck",
        "Labels",
        "Domainname",
    ] {
        assert_eq!(a[0]["Config"][key], b[0]["Config"][key], "Config.{key}");
    }
    // Flags that go with none of those: the host's UTS namespace (no hostname of its own), a
    // health check's start period over the image's own check, an address on a network.
    let octet = berth_testkit::free_subnet_octet();
    let net = scope.name("ipnet");
    ok(home.berth(&[
        "-H",
        h,
        "network",
        "create",
        "--label",
        &label,
        "--subnet",
        &format!("10.{octet}.0.0/24"),
        &net,
    ]));
    let ip = format!("10.{octet}.0.9");
    let more = [
        "--uts",
        "host",
        "--health-start-period",
        "45s",
        "--network",
        &net,
        "--ip",
        &ip,
    ];
    let (ours2, theirs2) = (scope.name("berth2"), scope.name("docker2"));
    let create2 = |name: &str| -> Vec<String> {
        ["create", "--name", name, "-l", &label]
            .iter()
            .chain(&more)
            .chain([&image.as_str()])
            .map(|s| s.to_string())
            .collect()
    };
    let mut berth_create = home.berth(&["-H", h]);
    berth_create.args(create2(&ours2));
    ok(berth_create);
    e.docker_ok(
        &create2(&theirs2)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let (a2, b2) = (inspect(&ours2), inspect(&theirs2));
    assert_eq!(a2[0]["HostConfig"]["UTSMode"], "host");
    assert_eq!(
        a2[0]["HostConfig"]["UTSMode"],
        b2[0]["HostConfig"]["UTSMode"]
    );
    assert_eq!(
        a2[0]["Config"]["Healthcheck"],
        b2[0]["Config"]["Healthcheck"]
    );
    let ipam =
        |c: &serde_json::Value| c[0]["NetworkSettings"]["Networks"][&net]["IPAMConfig"].clone();
    assert_eq!(ipam(&a2)["IPv4Address"], ip.as_str());
    assert_eq!(ipam(&a2), ipam(&b2));
    // Flags kept for a start this test does not make (a link wants its container running, the
    // GPUs a driver this machine has not), compared as made; the id written to --cidfile.
    let gpus = "\"device=0,2\",capabilities=utility";
    let link = format!("{source}:src");
    let kept = [
        "--link",
        &link,
        "--cgroup-parent",
        "/berth-test",
        "--blkio-weight",
        "300",
        "--volume-driver",
        "local",
        "--gpus",
        gpus,
        "--blkio-weight-device",
        "/dev/vda:300",
        "--device-read-bps",
        "/dev/vda:1mb",
        "--device-write-bps",
        "/dev/vda:2MB",
        "--device-read-iops",
        "/dev/vda:100",
        "--device-write-iops",
        "/dev/vda:200",
        "--cpu-rt-period",
        "1000000",
        "--cpu-rt-runtime",
        "950000",
        "--isolation",
        "default",
    ];
    let (ours3, theirs3) = (scope.name("berth3"), scope.name("docker3"));
    let create3 = |name: &str| -> Vec<String> {
        ["create", "--name", name, "-l", &label]
            .iter()
            .chain(&kept)
            .chain([&image.as_str()])
            .map(|s| s.to_string())
            .collect()
    };
    let cidfile = home.path().join("cid");
    let mut args = create3(&ours3);
    args.splice(
        1..1,
        ["--cidfile".to_owned(), cidfile.display().to_string()],
    );
    let mut berth_create = home.berth(&["-H", h]);
    berth_create.args(args);
    let ours_out = run(berth_create);
    assert!(ours_out.status.success(), "{ours_out:?}");
    let id = String::from_utf8_lossy(&ours_out.stdout).into_owned();
    assert_eq!(std::fs::read_to_string(&cidfile).unwrap(), id.trim());
    let theirs_out = e.docker().args(create3(&theirs3)).output().unwrap();
    assert!(theirs_out.status.success(), "{theirs_out:?}");
    // What the engine warned of (a device weight this kernel cannot apply, discarded), said
    // as docker says it.
    let warned = |out: &std::process::Output| -> Vec<String> {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("WARNING: "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(warned(&ours_out), warned(&theirs_out));
    let (a3, b3) = (inspect(&ours3), inspect(&theirs3));
    assert!(
        !a3[0]["HostConfig"]["BlkioWeightDevice"].is_null()
            || warned(&ours_out)
                .iter()
                .any(|w| w.contains("weight_device")),
        "a device weight is applied or said to be discarded: {a3}"
    );
    assert_eq!(
        a3[0]["HostConfig"]["BlkioDeviceReadBps"],
        serde_json::json!([{"Path": "/dev/vda", "Rate": 1048576}])
    );
    // A link names the container it is made for: each its own.
    let link_of = |c: &serde_json::Value, name: &str| {
        c[0]["HostConfig"]["Links"]
            .to_string()
            .replace(name, "NAME")
    };
    assert_eq!(link_of(&a3, &ours3), link_of(&b3, &theirs3));
    assert!(link_of(&a3, &ours3).contains(":/NAME/src"), "{a3}");
    for key in [
        "CgroupParent",
        "BlkioWeight",
        "VolumeDriver",
        "DeviceRequests",
        "BlkioWeightDevice",
        "BlkioDeviceReadBps",
        "BlkioDeviceWriteBps",
        "BlkioDeviceReadIOps",
        "BlkioDeviceWriteIOps",
        "CpuRealtimePeriod",
        "CpuRealtimeRuntime",
        "Isolation",
    ] {
        assert_eq!(
            a3[0]["HostConfig"][key], b3[0]["HostConfig"][key],
            "HostConfig.{key}"
        );
    }
    assert_eq!(
        a3[0]["HostConfig"]["DeviceRequests"][0]["DeviceIDs"],
        serde_json::json!(["0", "2"])
    );
    // The file is there now: a second container may not take it.
    let err = fails(home.berth(&[
        "-H",
        h,
        "create",
        "--cidfile",
        &cidfile.display().to_string(),
        &image,
    ]));
    assert!(err.contains("the file is there already"), "{err}");
    // A storage option this engine's driver cannot apply: refused by the engine, as docker's.
    let out = run(home.berth(&[
        "-H",
        h,
        "create",
        "-l",
        &label,
        "--storage-opt",
        "size=1G",
        &image,
    ]));
    let theirs = e
        .docker()
        .args(["create", "-l", &label, "--storage-opt", "size=1G", &image])
        .output()
        .unwrap();
    assert!(!out.status.success() && !theirs.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&theirs.stderr);
    let engine_words = said
        .trim()
        .trim_start_matches("Error response from daemon: ");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(engine_words),
        "{out:?} / {said}"
    );
    ok(home.berth(&["-H", h, "start", &ours2]));
    assert!(
        ok(home.berth(&["-H", h, "exec", &ours2, "ip", "-4", "addr"]))
            .contains(&format!("{ip}/24")),
        "--ip: the address on its network"
    );
    assert_eq!(a[0]["Config"]["MacAddress"], "02:be:27:00:00:01");

    // And they work: in the running container.
    ok(home.berth(&["-H", h, "start", &ours]));
    let sh = |script: &str| ok(home.berth(&["-H", h, "exec", &ours, "sh", "-c", script]));
    assert_eq!(sh("hostname"), "box\n");
    assert_eq!(sh("cat /proc/sys/kernel/domainname"), "berth.test\n");
    let resolv = sh("cat /etc/resolv.conf");
    assert!(
        resolv.contains("search example.test") && resolv.contains("options ndots:2"),
        "{resolv}"
    );
    assert_eq!(
        sh("test -d /shared && (touch /shared/x 2>&1 || echo refused)")
            .lines()
            .last(),
        Some("refused"),
        "--volumes-from SOURCE:ro: its volume, read-only"
    );
    assert_eq!(sh("cat /proc/1/oom_score_adj"), "500\n");
    assert_eq!(sh("cat /sys/class/net/eth0/address"), "02:be:27:00:00:01\n");
    assert!(sh("cat /etc/hosts").contains("10.1.2.3\tdb"));
    // The container's own process, not the exec's: runc's exec sets its limits racily
    // (opencontainers/runc#4195: now and then it gets the engine's 1024).
    let open_files = sh("cat /proc/1/limits");
    let open_files = open_files.lines().find(|l| l.starts_with("Max open files"));
    assert_eq!(
        open_files.map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["Max", "open", "files", "512", "1024", "files"])
    );
    assert_eq!(sh("cat /proc/sys/net/core/somaxconn"), "512\n");
    assert_eq!(
        sh("touch /x 2>&1 || echo refused").lines().last(),
        Some("refused")
    );
    assert_eq!(
        sh("touch /site/x 2>&1 || echo refused").lines().last(),
        Some("refused")
    );
    assert_eq!(sh("touch /cache/x /data/x && echo written"), "written\n");
    assert!(
        sh("cat /proc/1/cmdline").contains("init"),
        "PID 1 is the init"
    );
    let published = ok(home.berth(&["-H", h, "port", &ours, "80"]));
    assert!(
        published.contains(':'),
        "-P published the exposed port: {published}"
    );

    // Bad input names itself, before the engine is asked.
    for (args, says) in [
        (vec!["--ulimit", "files=1"], "unknown limit \"files\""),
        (
            vec!["--mount", "type=bind,target=/x"],
            "a bind mount needs a source",
        ),
        (vec!["--add-host", "db"], "write --add-host NAME:IP"),
        (
            vec!["--volumes-from", "db:rx"],
            "write --volumes-from CONTAINER[:ro|rw]",
        ),
        (vec!["--ip", "fd00::9"], "--ip takes an IPv4 address"),
        (vec!["--oom-score-adj", "2000"], "--oom-score-adj is -1000"),
        (
            vec!["--memory-swappiness", "101"],
            "--memory-swappiness is 0 to 100",
        ),
        (
            vec!["--cgroupns", "shared"],
            "--cgroupns takes host or private",
        ),
        (
            vec!["--device-cgroup-rule", "x 1:3 rwm"],
            "write --device-cgroup-rule",
        ),
        (vec!["--gpus", "some"], "\"some\" is not a count"),
        (vec!["--link", "a:b:c"], "write --link CONTAINER[:ALIAS]"),
        (vec!["--blkio-weight", "5"], "--blkio-weight is 10 to 1000"),
        (
            vec!["--blkio-weight-device", "/dev/vda:5"],
            "write --blkio-weight-device /dev/DEVICE:WEIGHT",
        ),
        (
            vec!["--device-read-bps", "vda:1mb"],
            "write --device-read-bps /dev/DEVICE:RATE",
        ),
        (vec!["--isolation", "vm"], "--isolation takes default"),
        (vec!["--device", "fuse"], "write --device HOST_PATH"),
        (
            vec!["--no-healthcheck", "--health-cmd", "true"],
            "--no-healthcheck",
        ),
    ] {
        let err = fails(home.berth(&[&["-H", h, "create"][..], &args, &[&image]].concat()));
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn build_takes_a_dockerfile_on_stdin_hosts_an_iidfile_and_a_target() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    berth_testkit::busybox_image(
        e,
        &scope,
        &format!("berth-test/{}:base", scope.id),
        "CMD [\"true\"]",
    );
    let dir = home.path().join("ctx");
    // The context's own Dockerfile is not the one built: stdin's is.
    write_busybox_context(&dir, "FROM scratch\nRUN [\"false\"]\n", &[]);
    let image = format!("berth-test/{}:hosts", scope.id);
    let iid = home.path().join("iid");
    let dockerfile = format!(
        "FROM {}\nRUN cat /etc/hosts > /hosts\n",
        berth_testkit::BUSYBOX_IMAGE
    );
    let out = feed(
        home.berth(&[
            "-H",
            &e.host,
            "build",
            "-f",
            "-",
            "--add-host",
            "db:10.9.8.7",
            "--network",
            "none",
            "--iidfile",
            &iid.display().to_string(),
            "--label",
            &scope.label(),
            "-t",
            &image,
            &dir.display().to_string(),
        ]),
        &dockerfile,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = std::fs::read_to_string(&iid).unwrap();
    assert_eq!(
        id,
        e.docker_ok(&["image", "inspect", "-f", "{{.Id}}", &image])
            .trim()
    );
    let hosts = ok(home.berth(&["-H", &e.host, "run", "--rm", &image, "cat", "/hosts"]));
    assert!(hosts.contains("10.9.8.7\tdb"), "{hosts}");
    assert!(
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .all(|f| !f
                .file_name()
                .to_string_lossy()
                .starts_with("berth-dockerfile-")),
        "the stdin Dockerfile's file is gone"
    );
    for (args, says) in [
        (vec!["--add-host", "db"], "write --add-host NAME:IP"),
        (vec!["--cache-from", "UPPER"], "invalid image reference"),
    ] {
        let mut cmd = home.berth(&[&["-H", e.host.as_str(), "build"][..], &args, &["."]].concat());
        cmd.current_dir(&dir);
        let err = fails(cmd);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let err = String::from_utf8_lossy(
        &feed(
            home.berth(&[
                "-H",
                &e.host,
                "build",
                "-f",
                "-",
                &dir.display().to_string(),
            ]),
            "",
        )
        .stderr,
    )
    .into_owned();
    assert!(err.contains("-f -: stdin was empty"), "{err}");

    // A target stage, named in another case than the Dockerfile's: the build stops there.
    let staged = format!("berth-test/{}:staged", scope.id);
    let out = feed(
        home.berth(&[
            "-H",
            &e.host,
            "build",
            "-f",
            "-",
            "--target",
            "Check",
            "--label",
            &scope.label(),
            "-t",
            &staged,
            &dir.display().to_string(),
        ]),
        &format!(
            "FROM {} AS base\nRUN echo base > /stage\nFROM base AS check\nRUN echo check > /stage\nFROM base\nRUN echo last > /stage\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stage = ok(home.berth(&["-H", &e.host, "run", "--rm", &staged, "cat", "/stage"]));
    assert_eq!(stage, "check\n");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn build_fetches_its_context_from_a_git_repository_or_an_archive_url() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    let base = berth_testkit::BUSYBOX_IMAGE;
    let served = berth_testkit::FetchedContext::serving(&[
        (
            "Dockerfile",
            &format!("FROM {base}\nCOPY app/hello /hello\nCMD [\"cat\", \"/hello\"]\n"),
        ),
        (
            "app/Dockerfile",
            &format!("FROM {base}\nCOPY hello /hello\nCMD [\"cat\", \"/hello\"]\n"),
        ),
        ("app/hello", "fetched\n"),
    ]);
    let h = e.host.as_str();
    let label = scope.label();
    let built = |args: &[&str], image: &str| {
        let mut cmd = home.berth(&["-H", h, "build", "--label", &label, "-t", image]);
        cmd.args(args);
        ok(cmd);
        ok(home.berth(&["-H", h, "run", "--rm", "-l", &label, image]))
    };
    // A repository at a tag, its context a folder in it (the classic builder; the engine's
    // BuildKit of Docker 20.10 takes no folder of a repository).
    let image = format!("berth-test/{}:git-dir", scope.id);
    let from_dir = format!("{}#v1:app", served.git);
    assert_eq!(built(&[&from_dir], &image), "fetched\n");
    // The whole repository, with BuildKit, and a Dockerfile named inside it.
    let image = format!("berth-test/{}:git-buildkit", scope.id);
    let args = ["--buildkit", "-f", "app/Dockerfile", "--build-arg", "X=1"];
    let mut with_buildkit: Vec<&str> = args.to_vec();
    with_buildkit.push(&served.git);
    // app/Dockerfile copies `hello` from the context's root, which has none: BuildKit says so.
    let mut cmd = home.berth(&["-H", h, "build", "--label", &label, "-t", &image]);
    cmd.args(&with_buildkit);
    let out = run(cmd);
    assert!(!out.status.success(), "{out:?}");
    let image = format!("berth-test/{}:git-root", scope.id);
    assert_eq!(built(&["--buildkit", &served.git], &image), "fetched\n");
    // A tar archive's URL.
    let image = format!("berth-test/{}:tar", scope.id);
    assert_eq!(built(&[&served.tar], &image), "fetched\n");
    // A compose service built from the repository, as compose hands it to the engine (with
    // BuildKit, compose's builder, so the whole repository).
    let image = format!("berth-test/{}:compose-git", scope.id);
    let project = home.path().join("fetching");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("compose.yaml"),
        format!(
            "services:\n  app:\n    image: {image}\n    build:\n      context: {git}\n      labels: [\"{label}\"]\n",
            git = served.git
        ),
    )
    .unwrap();
    let mut compose = home.berth(&["-H", h, "compose", "build"]);
    compose.current_dir(&project);
    ok(compose);
    assert_eq!(
        ok(home.berth(&["-H", h, "run", "--rm", "-l", &label, &image])),
        "fetched\n"
    );
    // A Dockerfile on stdin cannot join a context the engine fetches.
    let err = fails(home.berth(&["-H", h, "build", "-f", "-", &served.tar]));
    assert!(
        err.contains("-f -: a build from a URL reads its Dockerfile from what the engine fetches"),
        "{err}"
    );
    // An address nothing answers at: the engine's words, in one line.
    let gone = format!(
        "http://127.0.0.1:{}/context.tar",
        berth_testkit::free_port()
    );
    let err = fails(home.berth(&["-H", h, "build", &gone]));
    assert!(
        err.contains(&gone) || err.contains("connection refused"),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn the_detach_keys_leave_the_container_running_and_start_attaches() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:shell", scope.id);
    busybox_image(e, &scope, &image, "");
    let h = e.host.as_str();
    let label = scope.label();
    let berth = env!("CARGO_BIN_EXE_berth");
    let name = format!("berth-test-{}-detach", scope.id);
    let running = || e.docker_ok(&["inspect", "-f", "{{.State.Running}}", &name]);
    // run -it, then docker's ctrl-p ctrl-q: berth ends with 0, the shell runs on.
    let mut term = InTerminal::spawn(
        &home,
        &format!("{berth} -H {h} run -it --name {name} -l {label} {image} /bin/busybox sh"),
    );
    term.wait_for("/ # ");
    term.types(b"echo $((6*7))\r");
    term.wait_for("42");
    term.types(&[0x10, 0x11]);
    let (code, seen) = term.end();
    assert_eq!(code, Some(0), "{seen}");
    assert!(
        seen.contains(&format!("berth: detached from {name}, which runs on")),
        "{seen}"
    );
    assert_eq!(running(), "true\n");
    // attach with keys of its own: ctrl-p ctrl-q now goes to the shell, ctrl-a x detaches.
    let mut term = InTerminal::spawn(
        &home,
        &format!("{berth} -H {h} attach --detach-keys ctrl-a,x {name}"),
    );
    term.types(b"\r");
    term.wait_for("/ # ");
    term.types(&[0x10, 0x11]);
    term.types(b"echo still $((7*6))\r");
    term.wait_for("still 42");
    term.types(&[0x01, b'x']);
    let (code, seen) = term.end();
    assert_eq!(code, Some(0), "{seen}");
    assert_eq!(running(), "true\n");
    // run -it --rm detached: the engine removes it when it stops, berth long gone.
    let gone = format!("berth-test-{}-gone", scope.id);
    let mut term = InTerminal::spawn(
        &home,
        &format!("{berth} -H {h} run -it --rm --name {gone} -l {label} {image} /bin/busybox sh"),
    );
    term.wait_for("/ # ");
    term.types(&[0x10, 0x11]);
    let (code, seen) = term.end();
    assert_eq!(code, Some(0), "{seen}");
    e.docker_ok(&["stop", "-t", "0", &gone]);
    wait_until(30, "the --rm container to be removed", || {
        !e.docker_ok(&["ps", "-a", "--format", "{{.Names}}"])
            .lines()
            .any(|n| n == gone)
    });
    // start -ai: attached before it starts, this terminal its stdin; its exit code is start's.
    let made = format!("berth-test-{}-made", scope.id);
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "-it",
        "--name",
        &made,
        "-l",
        &label,
        &image,
        "/bin/busybox",
        "sh",
    ]));
    let mut term = InTerminal::spawn(&home, &format!("{berth} -H {h} start -ai {made}"));
    term.wait_for("/ # ");
    term.types(b"exit 5\r");
    let (code, seen) = term.end();
    assert_eq!(code, Some(5), "{seen}");
    // start -a without a terminal: its output, then its exit code.
    let once = format!("berth-test-{}-once", scope.id);
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &once,
        "-l",
        &label,
        &image,
        "/bin/busybox",
        "sh",
        "-c",
        "echo from start; exit 4",
    ]));
    let out = run(home.berth(&["-H", h, "start", "-a", &once]));
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "from start\n");
    let err = fails(home.berth(&["-H", h, "start", "-a", &once, &made]));
    assert!(
        err.contains("start -a/-i attaches to one container: name one, not 2"),
        "{err}"
    );
    // Keys docker would not take: one line, before attaching.
    let err = fails(home.berth(&["-H", h, "attach", "--detach-keys", "ctrl-1", &name]));
    assert!(
        err.contains("--detach-keys \"ctrl-1\": \"ctrl-1\" is not a key"),
        "{err}"
    );
}

/// `attach --no-stdin`: the container's output only, this side's input not passed on; without
/// it, the same input reaches the container.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn attach_no_stdin_passes_no_input_on() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:listens", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        r#"CMD ["sh", "-c", "while :; do echo tick; sleep 1; done & while read line; do echo \"got $line\"; done; wait"]"#,
    );
    let h = e.host.as_str();
    let input = home.path().join("input");
    std::fs::write(&input, "there\n").unwrap();
    for (flags, passed) in [(&[][..], true), (&["--no-stdin"][..], false)] {
        let name = scope.name(if passed { "hears" } else { "deaf" });
        ok(home.berth(&[
            "-H",
            h,
            "run",
            "-d",
            "-i",
            "--name",
            &name,
            "-l",
            &scope.label(),
            &image,
        ]));
        let mut cmd = home.berth(&["-H", h, "attach"]);
        cmd.args(flags)
            .arg(&name)
            .stdin(std::fs::File::open(&input).unwrap());
        let attached = Printing::spawn(cmd);
        let heard = |l: &str| l == "tick" || l.starts_with("got");
        if passed {
            assert_eq!(attached.first(|l| l.starts_with("got")), "got there");
        } else {
            // Three of its lines once attached: input passed on would have come by then.
            for _ in 0..3 {
                assert_eq!(attached.first(heard), "tick");
            }
        }
        ok(home.berth(&["-H", h, "rm", "-f", &name]));
        attached.end();
    }
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn an_attached_run_or_attach_passes_its_signals_on_to_the_container() {
    use std::os::unix::process::ExitStatusExt;
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:traps", scope.id);
    // PID 1 of a container takes only the signals it handles: these say so and exit.
    busybox_image(
        e,
        &scope,
        &image,
        r#"CMD ["sh", "-c", "trap 'echo got INT; exit 3' INT; trap 'echo got TERM; exit 4' TERM; echo ready; while :; do echo tick; sleep 1; done"]"#,
    );
    let h = e.host.as_str();
    let label = scope.label();
    // Ctrl-C to an attached run: the container gets it, and its exit code is the run's.
    let attached = Printing::spawn(home.berth(&["-H", h, "run", "--rm", "-l", &label, &image]));
    attached.until("ready");
    attached.signal("INT");
    let (status, rest) = attached.end();
    assert_eq!(status.code(), Some(3), "{rest:?}");
    assert!(rest.contains(&"got INT".to_owned()), "{rest:?}");
    // berth attach to one running in the background: SIGTERM reaches it.
    let name = format!("berth-test-{}-traps", scope.id);
    ok(home.berth(&["-H", h, "run", "-d", "--name", &name, "-l", &label, &image]));
    let attach = Printing::spawn(home.berth(&["-H", h, "attach", &name]));
    attach.until("tick");
    attach.signal("TERM");
    let (status, rest) = attach.end();
    assert_eq!(status.code(), Some(4), "{rest:?}");
    assert!(rest.contains(&"got TERM".to_owned()), "{rest:?}");
    // --sig-proxy=false: Ctrl-C ends berth alone; the container runs on.
    let kept = format!("berth-test-{}-kept", scope.id);
    let alone = Printing::spawn(home.berth(&[
        "-H",
        h,
        "run",
        "--sig-proxy=false",
        "--name",
        &kept,
        "-l",
        &label,
        &image,
    ]));
    alone.until("ready");
    alone.signal("INT");
    let (status, _) = alone.end();
    assert_eq!(status.signal(), Some(2), "{status:?}");
    assert_eq!(
        e.docker_ok(&["inspect", "-f", "{{.State.Running}}", &kept]),
        "true\n"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn run_a_attaches_the_streams_it_names() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:streams", scope.id);
    busybox_image(e, &scope, &image, "");
    let h = e.host.as_str();
    let label = scope.label();
    let runs = |streams: &[&str]| {
        let mut args = vec!["-H", h, "run", "--rm", "-l", &label];
        for s in streams {
            args.extend(["-a", s]);
        }
        args.extend([image.as_str(), "sh", "-c", "echo out; echo err >&2; exit 5"]);
        let out = run(home.berth(&args));
        assert_eq!(out.status.code(), Some(5), "{streams:?}: {out:?}");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(runs(&[]), ("out\n".to_owned(), "err\n".to_owned()));
    assert_eq!(runs(&["stdout"]), ("out\n".to_owned(), String::new()));
    assert_eq!(runs(&["STDERR"]), (String::new(), "err\n".to_owned()));
    let err = fails_with(home.berth(&["-H", h, "run", "-a", "stdpipe", &image]), 125);
    assert!(
        err.contains("-a stdpipe: a stream is stdin, stdout or stderr"),
        "{err}"
    );
    let err = fails_with(
        home.berth(&["-H", h, "run", "-d", "-a", "stdout", &image]),
        125,
    );
    assert!(err.contains("-a and -d"), "{err}");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn build_takes_its_context_from_stdin_or_an_archive() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    let base = berth_testkit::BUSYBOX_IMAGE;
    let h = e.host.as_str();
    let label = scope.label();
    let image = |name: &str| format!("berth-test/{}:{name}", scope.id);
    let prints = |image: &str| ok(home.berth(&["-H", h, "run", "--rm", "-l", &label, image]));
    // A Dockerfile alone on stdin: a context of nothing else.
    let alone = image("stdin-dockerfile");
    let out = feed(
        home.berth(&["-H", h, "build", "--label", &label, "-t", &alone, "-"]),
        &format!("FROM {base}\nRUN echo alone > /said\nCMD [\"cat\", \"/said\"]\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(prints(&alone), "alone\n");
    // A compressed archive on stdin, and the same archive named as the context.
    let dir = home.path().join("packed");
    std::fs::create_dir_all(dir.join("docker")).unwrap();
    std::fs::write(
        dir.join("docker/Dockerfile"),
        format!("FROM {base}\nCOPY said /said\nCMD [\"cat\", \"/said\"]\n"),
    )
    .unwrap();
    std::fs::write(dir.join("said"), "packed\n").unwrap();
    let archive = home.path().join("context.tar.gz");
    let tar = std::process::Command::new("tar")
        .arg("-C")
        .arg(&dir)
        .arg("-czf")
        .arg(&archive)
        .arg(".")
        .status()
        .unwrap();
    assert!(tar.success());
    let piped = image("stdin-archive");
    let mut cmd = home.berth(&["-H", h, "build", "--label", &label, "-t", &piped]);
    cmd.args(["-f", "docker/Dockerfile", "-"])
        .stdin(std::fs::File::open(&archive).unwrap());
    ok(cmd);
    assert_eq!(prints(&piped), "packed\n");
    let named = image("archive");
    let path = archive.display().to_string();
    ok(home.berth(&[
        "-H",
        h,
        "build",
        "--label",
        &label,
        "-t",
        &named,
        "-f",
        "docker/Dockerfile",
        &path,
    ]));
    assert_eq!(prints(&named), "packed\n");
    // The Dockerfile alone from stdin, for a folder.
    let dockerfile_piped = image("stdin-file");
    let out = feed(
        home.berth(&[
            "-H",
            h,
            "build",
            "--label",
            &label,
            "-t",
            &dockerfile_piped,
            "-f",
            "-",
            &dir.display().to_string(),
        ]),
        &format!("FROM {base}\nCOPY said /said\nCMD [\"cat\", \"/said\"]\n"),
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(prints(&dockerfile_piped), "packed\n");
    // The history says `-` for what was read from stdin (its temporary files are gone), the
    // paths for the rest; newest first.
    let history: serde_json::Value = serde_json::from_slice(
        &std::fs::read(home.path().join("state/berth/builds.json")).expect("a build history"),
    )
    .unwrap();
    let recorded: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["context"].as_str().unwrap().to_owned(),
                b["dockerfile"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let folder = dir.display().to_string();
    assert_eq!(
        recorded,
        [
            (folder.as_str(), "-"),
            (path.as_str(), "docker/Dockerfile"),
            ("-", "docker/Dockerfile"),
            ("-", ""),
        ]
        .map(|(c, f)| (c.to_owned(), f.to_owned())),
        "{history}"
    );
    // Refused in one line: stdin for both, another Dockerfile named beside one on stdin,
    // nothing on stdin, a Dockerfile of this machine's for an archive.
    let err = fails(home.berth(&["-H", h, "build", "-f", "-", "-"]));
    assert!(
        err.contains("stdin holds the context or the Dockerfile, not both"),
        "{err}"
    );
    let out = feed(
        home.berth(&["-H", h, "build", "-f", "Other", "-"]),
        "FROM scratch\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no other Dockerfile to name"),
        "{out:?}"
    );
    let out = feed(home.berth(&["-H", h, "build", "-"]), "");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("-: stdin was empty"),
        "{out:?}"
    );
    let err = fails(home.berth(&["-H", h, "build", "-f", "/etc/Dockerfile", &path]));
    assert!(
        err.contains("reads its Dockerfile from the archive"),
        "{err}"
    );
    // Nothing of stdin's is left behind.
    assert!(
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .all(|f| !f
                .file_name()
                .to_string_lossy()
                .starts_with("berth-context-")),
        "a context read from stdin was left in the temporary directory"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn a_classic_build_runs_its_steps_within_the_limits_given() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    let dir = home.path().join("ctx");
    // What a step sees of its limits (cgroup v1 or v2), kept in the image.
    let step = "(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max) > /limits; \\
                df -k /dev/shm | tail -1 | awk '{print $2}' >> /limits; ulimit -n >> /limits";
    write_busybox_context(
        &dir,
        &format!(
            "FROM {}\nRUN {step}\nCMD [\"cat\", \"/limits\"]\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
        &[],
    );
    let image = format!("berth-test/{}:limited", scope.id);
    let h = e.host.as_str();
    let label = scope.label();
    ok(home.berth(&[
        "-H",
        h,
        "build",
        "--buildkit=false",
        "--label",
        &label,
        "-t",
        &image,
        // Over 2 GiB: more than bollard's 32-bit option holds.
        "-m",
        "3g",
        "--memory-swap",
        "-1",
        "--shm-size",
        "96m",
        "--ulimit",
        "nofile=777:888",
        &dir.display().to_string(),
    ]));
    let seen = ok(home.berth(&["-H", h, "run", "--rm", "-l", &label, &image]));
    assert_eq!(
        seen.lines().collect::<Vec<_>>(),
        [&(3u64 << 30).to_string(), "98304", "777"],
        "{seen}"
    );
}
