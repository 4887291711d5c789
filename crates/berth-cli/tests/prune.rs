//! `berth system prune` against a real engine of its own (a test binary alone), since it removes
//! whatever is unused engine-wide. Needs root and a real engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Scope, busybox_image, engine};
use support::{Home, ok, run};

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn system_prune_lists_then_removes_only_what_is_unused() {
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
