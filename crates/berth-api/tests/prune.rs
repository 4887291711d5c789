//! `system prune` through the facade, on the harness's real engine: the plan lists what goes,
//! and applying it removes exactly that, telling what the engine refused (a container started
//! between the list and the yes) instead of stopping there. Needs root and a real engine: run
//! with `--include-ignored`.

mod support;

use berth_api::PruneFilter;
use berth_testkit::{Scope, engine};

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_prune_removes_what_it_listed_and_tells_what_was_refused() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "pruned");
    let label = scope.label();
    let (stays, goes) = (scope.name("stays"), scope.name("goes"));
    for name in [&stays, &goes] {
        e.docker_ok(&["create", "--name", name, "-l", &label, &image]);
    }
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    // Only this test's objects: the engine is shared with other tests.
    let filter = PruneFilter::parse(&[format!("label={label}")], 0).unwrap();
    let plan = berth
        .system_prune_plan(&conn, false, false, &filter)
        .await
        .unwrap();
    let mut lines: Vec<String> = plan.iter().map(berth_api::PruneItem::line).collect();
    lines.sort();
    assert_eq!(
        lines,
        [format!("container {goes}"), format!("container {stays}")]
    );

    // Between the list and the yes, one of them is started: the engine refuses it, the other goes.
    e.docker_ok(&["start", &stays]);
    let outcome = berth.system_prune(&conn, &plan).await.unwrap();
    assert_eq!(outcome.removed, 1, "{outcome:?}");
    assert_eq!(outcome.refused.len(), 1, "{outcome:?}");
    assert!(
        outcome.refused[0]
            .line()
            .starts_with(&format!("container {stays}: ")),
        "{outcome:?}"
    );
    let left = e.docker_ok(&[
        "ps",
        "-a",
        "--filter",
        &format!("label={label}"),
        "--format",
        "{{.Names}}",
    ]);
    assert_eq!(left.trim(), stays);
}
