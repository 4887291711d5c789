//! `berth system prune`, `berth image prune`, `berth container prune` and `berth builder prune` against a real engine of their own (a test binary
//! alone, one test at a time), since they remove whatever is unused engine-wide: run beside a
//! build, a prune removes the build's intermediate image (untagged, no child yet) and the build
//! fails. Needs root and a real engine: run with `--include-ignored`.

mod support;

use std::sync::{Mutex, MutexGuard};

use berth_testkit::{Scope, busybox_image, engine, write_busybox_context};
use support::{Home, ok, run};

/// Held by each test for its whole run: one prune at a time, and no build beside one.
fn alone() -> MutexGuard<'static, ()> {
    static ALONE: Mutex<()> = Mutex::new(());
    ALONE.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn system_prune_lists_then_removes_only_what_is_unused() {
    let _alone = alone();
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:sys", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let (stopped, running, net, vol) = (
        scope.name("stopped"),
        scope.name("running"),
        scope.name("sysnet"),
        scope.name("keepvol"),
    );
    ok(home.berth(&[
        "-H",
        h,
        "create",
        "--name",
        &stopped,
        "-l",
        &scope.label(),
        &image,
    ]));
    ok(home.berth(&[
        "-H",
        h,
        "run",
        "-d",
        "--name",
        &running,
        "-l",
        &scope.label(),
        &image,
    ]));
    ok(home.berth(&[
        "-H",
        h,
        "network",
        "create",
        "--label",
        &scope.label(),
        &net,
    ]));
    ok(home.berth(&["-H", h, "volume", "create", "--label", &scope.label(), &vol]));

    let dry = ok(home.berth(&["-H", h, "system", "prune", "--dry-run"]));
    assert!(
        dry.contains(&format!("container {stopped}")) && dry.contains(&format!("network {net}")),
        "{dry}"
    );
    assert!(
        !dry.contains(&running) && !dry.contains(&vol) && !dry.contains(&image),
        "{dry}"
    );
    let out = run(home
        .berth(&["-H", h, "system", "prune"])
        .stdin(std::process::Stdio::null()));
    assert!(!out.status.success(), "no removal without -f or a terminal");

    let out = ok(home.berth(&["-H", h, "system", "prune", "-f"]));
    assert!(out.contains("Total reclaimed space:"), "{out}");
    let all = ok(home.berth(&["-H", h, "ps", "-a"]));
    assert!(!all.contains(&stopped) && all.contains(&running), "{all}");
    assert!(!ok(home.berth(&["-H", h, "network", "ls"])).contains(&net));
    assert!(
        ok(home.berth(&["-H", h, "volume", "ls", "-q"])).contains(&vol),
        "volumes stay without --volumes"
    );
    assert!(
        run(e.docker().args(["image", "inspect", &image]))
            .status
            .success(),
        "a used image stays"
    );
}

/// The build cache's records as the docker CLI lists them (`system df -v`): each one's short id
/// and whether an image shares it.
fn cache_records(e: &berth_testkit::Engine) -> Vec<(String, bool)> {
    let df = e.docker_ok(&["system", "df", "-v"]);
    df.lines()
        .skip_while(|l| !l.starts_with("CACHE ID"))
        .skip(1)
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let id = words.next()?.to_owned();
            Some((id, words.next_back()? == "true"))
        })
        .collect()
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn builder_prune_lists_then_removes_the_build_cache_nothing_uses() {
    let _alone = alone();
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let dir = e.root.join(format!("bk-{}", scope.id));
    write_busybox_context(
        &dir,
        &format!(
            "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo {} > /made\"]\n",
            scope.id
        ),
        &[],
    );
    let tag = format!("berth-test/{}:bk", scope.id);
    e.buildkit_build(&dir, &tag, &scope.label());
    let _ = std::fs::remove_dir_all(&dir);
    let records = cache_records(e);
    let unshared: Vec<&str> = records
        .iter()
        .filter(|(_, shared)| !shared)
        .map(|(id, _)| id.as_str())
        .collect();
    assert!(
        !unshared.is_empty() && records.iter().any(|(_, shared)| *shared),
        "a build leaves records of its own and records its image shares: {records:?}"
    );

    // Listed first, by the ids docker shows; those the image shares are not.
    let dry = ok(home.berth(&["-H", h, "builder", "prune", "--dry-run"]));
    let listed: Vec<&str> = dry
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut want = unshared.clone();
    want.sort_unstable();
    let mut got = listed.clone();
    got.sort_unstable();
    assert_eq!(got, want, "{dry}");
    assert!(
        dry.starts_with(&format!("{} build cache record", unshared.len())),
        "{dry}"
    );
    let system = ok(home.berth(&["-H", h, "system", "prune", "--dry-run"]));
    for id in &unshared {
        assert!(
            system.contains(&format!("build cache {id}")),
            "system prune takes the build cache too: {system}"
        );
    }
    let out = run(home
        .berth(&["-H", h, "builder", "prune"])
        .stdin(std::process::Stdio::null()));
    assert!(!out.status.success(), "no removal without -f or a terminal");
    assert_eq!(cache_records(e), records, "nothing went");

    let out = ok(home.berth(&["-H", h, "builder", "prune", "-f"]));
    assert!(out.contains("Deleted build cache objects:"), "{out}");
    for id in &unshared {
        assert!(
            out.lines().any(|l| l.starts_with(id)),
            "{id} said to be gone: {out}"
        );
    }
    let left = cache_records(e);
    assert!(
        !left.is_empty() && left.iter().all(|(_, shared)| *shared),
        "the image's records stay: {left:?}"
    );
    assert!(
        run(e.docker().args(["image", "inspect", &tag]))
            .status
            .success(),
        "the image stays"
    );

    // -a takes those too.
    ok(home.berth(&["-H", h, "builder", "prune", "-a", "-f"]));
    assert_eq!(cache_records(e), [], "every record went");
    assert_eq!(
        ok(home.berth(&["-H", h, "builder", "prune", "-f"])).trim(),
        "No build cache records to remove"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn image_prune_lists_first_and_spares_used_images() {
    let _alone = alone();
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let tag = format!("berth-test/{}:p", scope.id);
    busybox_image(e, &scope, &tag, "CMD [\"echo\", \"first\"]");
    let first = e
        .docker_ok(&["images", "-q", "--no-trunc", &tag])
        .trim()
        .to_owned();
    // Building the same tag again leaves the first image untagged.
    busybox_image(e, &scope, &tag, "CMD [\"echo\", \"second\"]");
    let dry = ok(home.berth(&["-H", h, "image", "prune", "--dry-run"]));
    assert!(dry.contains(&first), "the untagged image is listed: {dry}");
    assert!(
        !dry.contains(&tag),
        "tagged images are kept without -a: {dry}"
    );
    let all = ok(home.berth(&["-H", h, "image", "prune", "-a", "--dry-run"]));
    assert!(all.contains(&tag), "{all}");
    let out = ok(home.berth(&["-H", h, "image", "prune", "-f"]));
    assert!(out.contains("Removed"), "{out}");
    assert!(
        !run(e.docker().args(["image", "inspect", &first]))
            .status
            .success(),
        "the untagged image is gone"
    );
    assert!(
        run(e.docker().args(["image", "inspect", &tag]))
            .status
            .success(),
        "the tagged one stays"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn container_prune_removes_only_stopped_containers() {
    let _alone = alone();
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:cprune", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"600\"]");
    let [created, exited, running, paused] =
        ["created", "exited", "running", "paused"].map(|what| scope.name(what));
    let container = |args: &[&str]| ok(home.berth(&[&["-H", h, "container"][..], args].concat()));
    container(&["create", "--name", &created, "-l", &scope.label(), &image]);
    for name in [&exited, &running, &paused] {
        container(&["run", "-d", "--name", name, "-l", &scope.label(), &image]);
    }
    container(&["stop", "-t", "0", &exited]);
    container(&["pause", &paused]);

    let dry = container(&["prune", "--dry-run"]);
    assert!(dry.contains(&created) && dry.contains(&exited), "{dry}");
    assert!(!dry.contains(&running) && !dry.contains(&paused), "{dry}");
    let out = run(home
        .berth(&["-H", h, "container", "prune"])
        .stdin(std::process::Stdio::null()));
    assert!(!out.status.success(), "no removal without -f or a terminal");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("container prune removes the stopped"),
        "{out:?}"
    );

    let out = container(&["prune", "-f"]);
    assert!(out.contains("Removed 2 containers"), "{out}");
    let left = container(&["ls", "-a", "--format", "{{.Names}}"]);
    let left: Vec<&str> = left.lines().collect();
    assert!(
        left.contains(&running.as_str()) && left.contains(&paused.as_str()),
        "{left:?}"
    );
    assert!(
        !left.contains(&created.as_str()) && !left.contains(&exited.as_str()),
        "{left:?}"
    );
    assert_eq!(
        container(&["prune", "-f"]).trim(),
        "No stopped containers to remove"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn prune_filters_as_docker_takes_them() {
    let _alone = alone();
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:filtered", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"true\"]");
    let (kept, gone) = (scope.name("kept"), scope.name("gone"));
    for (name, extra) in [(&kept, "keep=yes"), (&gone, "keep=no")] {
        ok(home.berth(&[
            "-H",
            h,
            "create",
            "--name",
            name,
            "-l",
            &scope.label(),
            "-l",
            extra,
            &image,
        ]));
    }
    let berth = |args: &[&str]| ok(home.berth(&[&["-H", h][..], args].concat()));
    // Made just now: not older than an hour.
    assert_eq!(
        berth(&["container", "prune", "-f", "--filter", "until=1h"]).trim(),
        "No stopped containers to remove"
    );
    let out = berth(&[
        "container",
        "prune",
        "-f",
        "--filter",
        "label!=keep=yes",
        "--filter",
        &format!("label={}", scope.label()),
    ]);
    assert!(out.contains(&gone) && !out.contains(&kept), "{out}");
    let left = berth(&[
        "ps",
        "-a",
        "--format",
        "{{.Names}}",
        "--filter",
        &format!("label={}", scope.label()),
    ]);
    assert_eq!(left.trim(), kept);
    // A time ahead of now lets it through.
    let soon = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60)
        .to_string();
    let out = berth(&[
        "container",
        "prune",
        "-f",
        "--filter",
        &format!("until={soon}"),
    ]);
    assert!(out.contains(&kept), "{out}");

    // Networks by label; volumes take no until, as docker's.
    let (team, other) = (scope.name("team"), scope.name("other"));
    for (name, extra) in [(&team, "team=a"), (&other, "team=b")] {
        ok(home.berth(&[
            "-H",
            h,
            "network",
            "create",
            "--label",
            &scope.label(),
            "--label",
            extra,
            name,
        ]));
    }
    let out = berth(&["network", "prune", "-f", "--filter", "label=team=a"]);
    assert!(out.contains(&team) && !out.contains(&other), "{out}");
    assert!(
        berth(&["network", "ls", "-q", "--filter", &format!("name={other}")])
            .trim()
            .len()
            == 12
    );
    let err =
        support::fails(home.berth(&["-H", h, "volume", "prune", "-f", "--filter", "until=1h"]));
    assert!(
        err.contains("volume prune takes label filters only"),
        "{err}"
    );
    let err = support::fails(home.berth(&["-H", h, "image", "prune", "--filter", "until=soon"]));
    assert!(err.contains("--filter \"until=soon\""), "{err}");
}
