//! Volumes through the facade, on the harness's real engine: each volume's size as the engine
//! measures it. Needs root and a real engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Scope, busybox_image, engine};

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn each_volume_has_the_size_of_its_files() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:writer", scope.id);
    busybox_image(e, &scope, &image, "");
    let (full, empty) = (scope.name("full"), scope.name("empty"));
    for v in [&full, &empty] {
        e.docker_ok(&["volume", "create", "--label", &scope.label(), v]);
    }
    // 100,000 bytes in two files, one in a folder.
    let mount = format!("{full}:/v");
    e.docker_ok(&[
        "run",
        "--rm",
        "-l",
        &scope.label(),
        "-v",
        &mount,
        &image,
        "sh",
        "-c",
        "mkdir /v/d && dd if=/dev/zero of=/v/a bs=1000 count=60 && dd if=/dev/zero of=/v/d/b bs=1000 count=40",
    ]);

    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    let sizes = berth.volume_sizes(&conn).await.unwrap();
    assert!(sizes.known, "{sizes:?}");
    assert_eq!(sizes.sizes.get(&full), Some(&100_000), "{sizes:?}");
    assert_eq!(sizes.sizes.get(&empty), Some(&0), "{sizes:?}");
}
