//! Images through the facade, on the harness's real engine: what an image says about running it
//! (the run dialog's hints). Needs root and a real engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Scope, busybox_image, engine};

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn an_image_tells_its_exposed_ports_and_volumes() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:hints", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "EXPOSE 9000/udp 5000 80\nVOLUME [\"/var/data\", \"/cache\"]",
    );
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    let hints = berth.run_hints(&conn, &image).await.unwrap();
    assert_eq!(hints.exposed_ports, ["80/tcp", "5000/tcp", "9000/udp"]);
    assert_eq!(hints.volumes, ["/cache", "/var/data"]);
    let err = berth
        .run_hints(&conn, &format!("berth-test/{}:none", scope.id))
        .await
        .unwrap_err();
    assert_eq!(err.code, berth_api::ErrorCode::NotFound, "{err:?}");
}
