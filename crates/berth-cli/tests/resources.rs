//! Volumes and networks through `berth` against the harness's real engine: create, inspect,
//! users, data that outlives containers, a volume's files, export, import and clone, connect and
//! disconnect, and prune that lists first and takes only what it listed. Needs root and a real
//! engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Scope, busybox_image, engine};
use support::{Home, fails, json_lines, ok, run};

/// The line of a listing that starts with `name` and a space.
fn line_of(listing: &str, name: &str) -> String {
    listing
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{listing}"))
        .to_owned()
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn volumes_keep_data_and_know_their_users() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:vol", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"true\"]");
    let vol = scope.name("data");
    assert_eq!(
        ok(home.berth(&["-H", h, "volume", "create", "--label", &scope.label(), &vol])).trim(),
        vol
    );

    // docker's --format template: this volume's line as the docker CLI writes it (other tests'
    // volumes come and go meanwhile).
    let args = [
        "volume",
        "ls",
        "--format",
        "{{.Name}} {{.Driver}} {{.Scope}} {{.Mountpoint}} {{.Labels}}",
    ];
    assert_eq!(
        line_of(&ok(home.berth(&[&["-H", h][..], &args[..]].concat())), &vol),
        line_of(&e.docker_ok(&args), &vol)
    );
    let mount = format!("{vol}:/data");
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "--rm",
        "-v",
        &mount,
        &image,
        "sh",
        "-c",
        "echo kept > /data/file",
    ]));
    let writer = scope.name("user");
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &writer,
        "-l",
        &scope.label(),
        "-v",
        &mount,
        &image,
    ]));
    let read = ok(home.berth(&[
        "-H",
        h,
        "run",
        "--rm",
        "-v",
        &format!("{vol}:/data:ro"),
        &image,
        "cat",
        "/data/file",
    ]));
    assert_eq!(
        read, "kept\n",
        "the data outlived the container that wrote it"
    );

    let rows = json_lines(&ok(
        home.berth(&["-H", h, "volume", "ls", "--format", "json"])
    ));
    let row = rows
        .iter()
        .find(|r| r["name"] == vol.as_str())
        .expect("listed");
    assert_eq!(row["users"], serde_json::json!([writer]));
    let inspect: serde_json::Value =
        serde_json::from_str(&ok(home.berth(&["-H", h, "volume", "inspect", &vol]))).unwrap();
    assert_eq!(inspect[0]["Labels"]["berth.test"], scope.id.as_str());

    // In use, it is refused with the container's name and what to do, not the engine's ids;
    // a second volume named with it is still removed (as docker does), and the status says one
    // failed.
    let spare = scope.name("spare");
    ok(home.berth(&[
        "-H",
        h,
        "volume",
        "create",
        "--label",
        &scope.label(),
        &spare,
    ]));
    let out = home
        .berth(&["-H", h, "volume", "rm", &vol, &spare])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        format!("berth: volume {vol} is in use by {writer}: remove the container first")
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{spare}\n"));
    assert_eq!(out.status.code(), Some(1));
    ok(home.berth(&["-H", h, "rm", &writer]));
    assert_eq!(
        ok(home.berth(&["-H", h, "volume", "rm", &vol])),
        format!("{vol}\n")
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn prune_lists_first_and_takes_only_what_it_listed() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:prune", scope.id);
    busybox_image(e, &scope, &image, "VOLUME /cache\nCMD [\"true\"]");
    // An anonymous volume left by a removed container, a named unused one, and one in use.
    let gone = scope.name("gone");
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &gone,
        "-l",
        &scope.label(),
        &image,
    ]));
    let anon = e
        .docker_ok(&["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", &gone])
        .trim()
        .to_owned();
    assert_eq!(anon.len(), 64, "an anonymous volume: {anon}");
    ok(home.berth(&["-H", h, "rm", &gone]));
    let named = scope.name("named");
    let used = scope.name("used");
    ok(home.berth(&[
        "-H",
        h,
        "volume",
        "create",
        "--label",
        &scope.label(),
        &named,
    ]));
    ok(home.berth(&[
        "-H",
        h,
        "volume",
        "create",
        "--label",
        &scope.label(),
        &used,
    ]));
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &scope.name("holder"),
        "-l",
        &scope.label(),
        "-v",
        &format!("{used}:/u"),
        &image,
    ]));

    let dry = ok(home.berth(&["-H", h, "volume", "prune", "--dry-run"]));
    assert!(
        dry.contains(&anon) && !dry.contains(&named) && !dry.contains(&used),
        "{dry}"
    );
    // Without -f and without a terminal nothing is removed.
    let out = run(home
        .berth(&["-H", h, "volume", "prune"])
        .stdin(std::process::Stdio::null()));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("confirm with -f"));
    let names = ok(home.berth(&["-H", h, "volume", "ls", "-q"]));
    assert!(names.contains(&anon), "still there");

    let all = ok(home.berth(&["-H", h, "volume", "prune", "-a", "--dry-run"]));
    assert!(
        all.contains(&anon) && all.contains(&named) && !all.contains(&used),
        "{all}"
    );
    ok(home.berth(&["-H", h, "volume", "prune", "-f"]));
    let names = ok(home.berth(&["-H", h, "volume", "ls", "-q"]));
    assert!(
        !names.contains(&anon) && names.contains(&named) && names.contains(&used),
        "{names}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn networks_connect_disconnect_and_prune() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:net", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let net = scope.name("net");
    let x = berth_testkit::free_subnet_octet();
    let subnet = format!("10.{x}.7.0/24");
    let id = ok(home.berth(&[
        "-H",
        h,
        "network",
        "create",
        "--subnet",
        &subnet,
        "--gateway",
        &format!("10.{x}.7.1"),
        "--internal",
        "--label",
        &scope.label(),
        &net,
    ]));
    assert_eq!(id.trim().len(), 64);
    let rows = json_lines(&ok(
        home.berth(&["-H", h, "network", "ls", "--format", "json"])
    ));
    let row = rows
        .iter()
        .find(|r| r["name"] == net.as_str())
        .expect("listed");
    assert_eq!(
        (row["internal"].as_bool(), row["subnets"][0].as_str()),
        (Some(true), Some(subnet.as_str()))
    );
    // docker's --format template: this network's line as the docker CLI writes it.
    let args = [
        "network",
        "ls",
        "--format",
        "{{.Name}} {{.ID}} {{.Driver}} {{.Scope}} {{.Internal}} {{.Labels}}",
    ];
    assert_eq!(
        line_of(&ok(home.berth(&[&["-H", h][..], &args[..]].concat())), &net),
        line_of(&e.docker_ok(&args), &net)
    );

    let c = scope.name("c");
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "--name",
        &c,
        "-l",
        &scope.label(),
        &image,
    ]));
    ok(home.berth(&["-H", h, "network", "connect", "--alias", "db", &net, &c]));
    let ip = e.docker_ok(&[
        "inspect",
        "-f",
        &format!("{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}"),
        &c,
    ]);
    assert!(
        ip.trim().starts_with(&format!("10.{x}.7.")),
        "an address in the subnet: {ip}"
    );
    // Its inspect has the container on it, with that address, as docker's has.
    let args = [
        "network",
        "inspect",
        "-f",
        "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}",
        &net,
    ];
    let on = ok(home.berth(&[&["-H", h][..], &args[..]].concat()));
    assert_eq!(on.trim(), format!("{c} {}/24", ip.trim()));
    assert_eq!(on, e.docker_ok(&args));
    let attached = |net: &str| -> Vec<String> {
        let rows = json_lines(&ok(
            home.berth(&["-H", h, "network", "ls", "--format", "json"])
        ));
        let row = rows.iter().find(|r| r["name"] == net).expect("listed");
        serde_json::from_value(row["containers"].clone()).unwrap()
    };
    assert_eq!(
        attached(&net),
        std::slice::from_ref(&c),
        "the network lists its container"
    );
    assert!(
        attached("bridge").contains(&c),
        "and so does the default one"
    );
    let dry = ok(home.berth(&["-H", h, "network", "prune", "--dry-run"]));
    assert!(!dry.contains(&net), "a network in use is not pruned: {dry}");
    // Nor removed: the refusal names the container, not the engine's ids.
    let err = fails(home.berth(&["-H", h, "network", "rm", &net]));
    assert_eq!(
        err.trim(),
        format!("berth: network {net} is in use by {c}: disconnect or remove the container first")
    );
    ok(home.berth(&["-H", h, "network", "disconnect", &net, &c]));
    assert!(attached(&net).is_empty());
    let dry = ok(home.berth(&["-H", h, "network", "prune", "--dry-run"]));
    assert!(dry.contains(&net) && !dry.contains("bridge\n"), "{dry}");
    assert_eq!(
        ok(home.berth(&["-H", h, "network", "rm", &net])),
        format!("{net}\n")
    );

    let err = fails(home.berth(&[
        "-H",
        h,
        "network",
        "create",
        "--subnet",
        "10.0.0.0/99",
        &scope.name("bad"),
    ]));
    assert!(
        err.contains("10.0.0.0/99: a subnet is ADDRESS/PREFIX"),
        "{err}"
    );

    // Driver options, an IP range, attachable: the network the docker CLI makes of the same flags.
    let (ours, theirs) = (scope.name("opts"), scope.name("dopts"));
    let y = berth_testkit::free_subnet_octet();
    for (name, octet, cli) in [(&ours, 8, "berth"), (&theirs, 9, "docker")] {
        let subnet = format!("10.{y}.{octet}.0/24");
        let range = format!("10.{y}.{octet}.128/25");
        let args = [
            "network",
            "create",
            "--subnet",
            &subnet,
            "--ip-range",
            &range,
            "-o",
            "com.docker.network.driver.mtu=1400",
            "--attachable",
            "--label",
            &scope.label(),
            name,
        ];
        match cli {
            "berth" => ok(home.berth(&[&["-H", h][..], &args[..]].concat())),
            _ => e.docker_ok(&args),
        };
    }
    let shape = |name: &str| {
        e.docker_ok(&[
            "network",
            "inspect",
            "-f",
            "{{json .Options}} {{.Attachable}} {{range .IPAM.Config}}{{.IPRange}}{{end}}",
            name,
        ])
        .replace(&format!("10.{y}.8."), "10.Y.N.")
        .replace(&format!("10.{y}.9."), "10.Y.N.")
    };
    assert_eq!(shape(&ours), shape(&theirs));
    assert!(
        shape(&ours).contains("{\"com.docker.network.driver.mtu\":\"1400\"} true 10.Y.N.128/25"),
        "{}",
        shape(&ours)
    );
    let err = fails(home.berth(&[
        "-H",
        h,
        "network",
        "create",
        "--ip-range",
        "10.1.0.0/24",
        &scope.name("norange"),
    ]));
    assert!(err.contains("give --subnet too"), "{err}");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn volume_files_export_import_and_clone_without_running_anything() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:vf", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"true\"]");
    let (src, dst) = (scope.name("src"), scope.name("dst"));
    ok(home.berth(&["-H", h, "volume", "create", "--label", &scope.label(), &src]));
    ok(home.berth(&["-H", h, "volume", "create", "--label", &scope.label(), &dst]));
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "--rm",
        "-v",
        &format!("{src}:/data"),
        &image,
        "sh",
        "-c",
        "mkdir -p /data/sub && echo top > /data/a.txt && echo deep > /data/sub/b.txt",
    ]));

    let files = ok(home.berth(&["-H", h, "volume", "files", &src]));
    for path in ["a.txt", "sub", "sub/b.txt"] {
        assert!(
            files.lines().any(|l| l.ends_with(&format!(" {path}"))),
            "{path} in {files}"
        );
    }
    let sub = ok(home.berth(&["-H", h, "volume", "files", &src, "sub"]));
    assert!(sub.contains("b.txt") && !sub.contains("a.txt"), "{sub}");

    let tar = home.path().join("vol.tar");
    ok(home.berth(&[
        "-H",
        h,
        "volume",
        "export",
        "-o",
        &tar.display().to_string(),
        &src,
    ]));
    let list = ok(std::process::Command::new("tar").arg("-tf").arg(&tar));
    assert!(
        list.lines()
            .any(|l| l.trim_start_matches("./") == "sub/b.txt"),
        "{list}"
    );
    ok(home.berth(&[
        "-H",
        h,
        "volume",
        "import",
        &dst,
        &tar.display().to_string(),
    ]));
    let read = ok(home.berth(&[
        "-H",
        h,
        "run",
        "--rm",
        "-v",
        &format!("{dst}:/d"),
        &image,
        "cat",
        "/d/a.txt",
        "/d/sub/b.txt",
    ]));
    assert_eq!(read, "top\ndeep\n");

    // A clone: a new volume with the same files (removed here, pass or fail: it has no label).
    let clone = scope.name("clone");
    struct Gone<'a>(&'a berth_testkit::Engine, &'a str);
    impl Drop for Gone<'_> {
        fn drop(&mut self) {
            let _ = self
                .0
                .docker()
                .args(["volume", "rm", "-f", self.1])
                .output();
        }
    }
    let _gone = Gone(e, &clone);
    assert_eq!(
        ok(home.berth(&["-H", h, "volume", "clone", &src, &clone])),
        format!("{clone}\n")
    );
    let files = ok(home.berth(&["-H", h, "volume", "files", &clone]));
    assert!(files.lines().any(|l| l.ends_with(" sub/b.txt")), "{files}");
    let err = support::fails(home.berth(&["-H", h, "volume", "clone", &src, &clone]));
    assert!(err.contains("a volume of that name exists"), "{err}");

    // From stdin too, as it is read.
    let piped = scope.name("piped");
    ok(home.berth(&[
        "-H",
        h,
        "volume",
        "create",
        "--label",
        &scope.label(),
        &piped,
    ]));
    let mut import = home.berth(&["-H", h, "volume", "import", &piped]);
    import.stdin(std::fs::File::open(&tar).unwrap());
    ok(import);
    let files = ok(home.berth(&["-H", h, "volume", "files", &piped]));
    assert!(files.lines().any(|l| l.ends_with(" sub/b.txt")), "{files}");

    let helpers = e.docker_ok(&["ps", "-aq", "--filter", "label=dev.berth.helper"]);
    assert_eq!(helpers.trim(), "", "no helper container is left behind");
    let err = support::fails(home.berth(&["-H", h, "volume", "files", "no-such-volume"]));
    assert!(err.contains("no-such-volume"), "{err}");
    let not_tar = home.path().join("not.tar");
    std::fs::write(&not_tar, "plain text").unwrap();
    let err = support::fails(home.berth(&[
        "-H",
        h,
        "volume",
        "import",
        &dst,
        &not_tar.display().to_string(),
    ]));
    assert!(err.contains("is not a tar"), "{err}");
}
