//! Images through the facade, on the harness's real engine: what an image says about running it
//! (the run dialog's hints), and a build the app leaves. Needs root and a real engine: run with
//! `--include-ignored`.

mod support;

use berth_testkit::{Scope, busybox_image, engine, write_busybox_context};
use futures_util::StreamExt;

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

/// How many processes on the host run exactly `args` (/proc's NUL-separated command lines).
fn processes_running(args: &[&str]) -> usize {
    let wanted = args.join("\0") + "\0";
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .filter(|cmdline| cmdline == wanted.as_bytes())
        .count()
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_buildkit_build_dropped_mid_way_stops_at_the_engine() {
    let e = engine();
    let scope = Scope::new(e);
    // BuildKit looks for a base it has not got on Docker Hub: made here first.
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    let (home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    // A step that would run for days, its process told apart from any other test's.
    let seconds = format!("{}", 600_000 + std::process::id() % 100_000);
    let dir = home.path().join("ctx");
    write_busybox_context(
        &dir,
        &format!(
            "FROM {}\nRUN sleep {seconds}\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
        &[],
    );
    let req = berth_api::BuildRequest {
        context: dir.display().to_string(),
        buildkit: true,
        labels: vec![scope.label()],
        ..Default::default()
    };
    let mut build = Box::pin(berth.build_recorded(&conn, &req).unwrap());
    let step = || processes_running(&["sleep", &seconds]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while step() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the step did not start in 60 s"
        );
        // The stream read as the app reads it, while the step is looked for.
        if let Ok(Some(Err(e))) =
            tokio::time::timeout(std::time::Duration::from_millis(50), build.next()).await
        {
            panic!("the build failed: {e:?}");
        }
    }
    // Left, as the app leaves a build it cancels: the engine ends the step.
    drop(build);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while step() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the step still runs 30 s after its build was dropped"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Its record, alone in the history of this facade's user: written under the test's home
    // (its state directory), not the process's user's, where other tests write theirs.
    assert!(home.path().join("state/berth/builds.json").is_file());
    let history = berth.build_history().unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert!(history[0].labels.contains(&scope.label()), "{history:?}");
    assert_eq!(
        history[0].error.as_deref(),
        Some("cancelled"),
        "{history:?}"
    );
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_build_whose_context_fails_to_pack_names_the_file_for_either_builder() {
    let e = engine();
    let scope = Scope::new(e);
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    let (home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    for buildkit in [false, true] {
        let dir = home.path().join(format!("ctx-{buildkit}"));
        write_busybox_context(
            &dir,
            &format!("FROM {}\nCOPY . /ctx\n", berth_testkit::BUSYBOX_IMAGE),
            &[("z-gone", "", 0o644)],
        );
        // Larger than the packing runs ahead of the request (a few chunks), so it waits in this
        // file until the build is read, and the next file is gone by the time it gets there.
        std::fs::write(dir.join("y-big"), vec![7u8; 16 << 20]).unwrap();
        let req = berth_api::BuildRequest {
            context: dir.display().to_string(),
            buildkit,
            tags: vec![format!("berth-test/{}:unpacked", scope.id)],
            labels: vec![scope.label()],
            ..Default::default()
        };
        let build = berth.build_recorded(&conn, &req).unwrap();
        std::fs::remove_file(dir.join("z-gone")).unwrap();
        let events: Vec<_> = build.collect().await;
        let err = events
            .into_iter()
            .find_map(Result::err)
            .unwrap_or_else(|| panic!("the build (BuildKit {buildkit}) did not fail"));
        assert_eq!(err.code, berth_api::ErrorCode::InvalidInput, "{err:?}");
        let gone = dir.join("z-gone");
        assert!(
            err.message.starts_with(&format!(
                "{}: cannot pack the build context: {}: ",
                dir.display(),
                gone.display()
            )) && err.message.ends_with("leave it out with .dockerignore"),
            "BuildKit {buildkit}: {}",
            err.message
        );
    }
}
