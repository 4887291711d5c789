//! Volumes through the facade, on the harness's real engine: each volume's size as the engine
//! measures it; its files browsed folder by folder, downloaded and uploaded. Needs root and a
//! real engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Engine, Scope, busybox_image, engine};

/// Runs `script` in a container of `image` with `volume` at `/v`; its output.
fn in_volume(e: &Engine, scope: &Scope, image: &str, volume: &str, script: &str) -> String {
    let mount = format!("{volume}:/v");
    let label = scope.label();
    e.docker_ok(&[
        "run", "--rm", "-l", &label, "-v", &mount, image, "sh", "-c", script,
    ])
}

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
    in_volume(
        e,
        &scope,
        &image,
        &full,
        "mkdir /v/d && dd if=/dev/zero of=/v/a bs=1000 count=60 && dd if=/dev/zero of=/v/d/b bs=1000 count=40",
    );

    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    let sizes = berth.volume_sizes(&conn).await.unwrap();
    assert!(sizes.known, "{sizes:?}");
    assert_eq!(sizes.sizes.get(&full), Some(&100_000), "{sizes:?}");
    assert_eq!(sizes.sizes.get(&empty), Some(&0), "{sizes:?}");
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_volume_is_browsed_folder_by_folder_and_files_go_in_and_out() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:volfiles", scope.id);
    busybox_image(e, &scope, &image, "");
    let v = scope.name("files");
    e.docker_ok(&["volume", "create", "--label", &scope.label(), &v]);
    in_volume(
        e,
        &scope,
        &image,
        &v,
        "mkdir /v/d && echo top > /v/a && echo deep > /v/d/b",
    );
    let (home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    let names = |entries: Vec<berth_api::VolumeEntry>| -> Vec<String> {
        let mut names: Vec<String> = entries
            .into_iter()
            .map(|e| format!("{} {}", e.kind, e.path))
            .collect();
        names.sort();
        names
    };

    // One folder at a time; with `all`, the whole tree.
    let top = berth.volume_files(&conn, &v, "/", false).await.unwrap();
    assert_eq!(names(top), ["dir d", "file a"]);
    let d = berth.volume_files(&conn, &v, "/d", false).await.unwrap();
    assert_eq!(names(d), ["file b"]);
    let all = berth.volume_files(&conn, &v, "/", true).await.unwrap();
    assert_eq!(names(all), ["dir d", "file a", "file d/b"]);

    // Out: a file under a new name, a folder into a folder.
    let out = home.path().join("b.txt");
    berth
        .volume_download(&conn, &v, "/d/b", &out)
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "deep\n");
    let into = home.path().join("into");
    std::fs::create_dir(&into).unwrap();
    berth.volume_download(&conn, &v, "/d", &into).await.unwrap();
    assert_eq!(std::fs::read_to_string(into.join("d/b")).unwrap(), "deep\n");

    // In: a host file into a folder of the volume.
    let note = home.path().join("note.txt");
    std::fs::write(&note, "from the host\n").unwrap();
    berth.volume_upload(&conn, &v, &note, "/d").await.unwrap();
    let read = in_volume(e, &scope, &image, &v, "cat /v/d/note.txt");
    assert_eq!(read, "from the host\n");

    // A path that is not there is named in the volume, not in Berth's helper container.
    let err = berth
        .volume_download(&conn, &v, "/nope", &home.path().join("x"))
        .await
        .unwrap_err();
    assert_eq!(
        err.message,
        format!("{v}:/nope: no such file or directory in the volume")
    );
    let err = berth
        .volume_files(&conn, &v, "/nope", false)
        .await
        .unwrap_err();
    assert!(err.message.starts_with(&format!("{v}:/nope")), "{err}");
    let missing = berth_api::ArchiveInput::File(home.path().join("missing.tar"));
    let err = berth.import_volume(&conn, &v, &missing).await.unwrap_err();
    assert!(err.message.starts_with("cannot read "), "{err}");
    let helpers = e.docker_ok(&["ps", "-aq", "--filter", "label=dev.berth.helper"]);
    assert_eq!(helpers.trim(), "", "no helper container is left behind");
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_volume_is_cloned_with_its_files_as_they_are() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:cloner", scope.id);
    busybox_image(e, &scope, &image, "");
    let (from, to) = (scope.name("original"), scope.name("copy"));
    e.docker_ok(&["volume", "create", "--label", &scope.label(), &from]);
    in_volume(
        e,
        &scope,
        &image,
        &from,
        "mkdir -p /v/d && echo secret > /v/d/key && chmod 600 /v/d/key && ln -s d/key /v/link \
         && chown 123:45 /v/d",
    );
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    let made = berth.clone_volume(&conn, &from, &to).await.unwrap();
    // The copy is this test's to remove (the scope removes what carries its label).
    let cleanup = scopeguard(e, &to);
    assert_eq!(made.name, to);
    let listing =
        "cd /v && ls -lnR . | grep -v '^total' | awk '{print $1, $3, $4, $NF}' && cat /v/link";
    assert_eq!(
        in_volume(e, &scope, &image, &to, listing),
        in_volume(e, &scope, &image, &from, listing),
        "the copy has the same files, modes, owners and links"
    );
    assert!(in_volume(e, &scope, &image, &to, "cat /v/d/key").contains("secret"));

    // A name taken, or a volume that is not there: said, and nothing made.
    let taken = berth.clone_volume(&conn, &from, &to).await.unwrap_err();
    assert_eq!(
        taken.message,
        format!("{to}: a volume of that name exists; choose another name for the copy")
    );
    let missing = scope.name("missing");
    let err = berth
        .clone_volume(&conn, &missing, &scope.name("never"))
        .await
        .unwrap_err();
    assert!(err.message.contains(&missing), "{err}");
    let volumes = e.docker_ok(&["volume", "ls", "-q"]);
    assert!(!volumes.contains(&scope.name("never")), "{volumes}");
    let helpers = e.docker_ok(&["ps", "-aq", "--filter", "label=dev.berth.helper"]);
    assert_eq!(helpers.trim(), "", "no helper container is left behind");
    drop(cleanup);
}

/// Removes volume `name` when dropped, pass or fail.
fn scopeguard(e: &'static Engine, name: &str) -> impl Drop {
    struct Remove(&'static Engine, String);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = self
                .0
                .docker()
                .args(["volume", "rm", "-f", &self.1])
                .output();
        }
    }
    Remove(e, name.to_owned())
}
