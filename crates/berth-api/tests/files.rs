//! A folder's entries, on the harness's real engine: a running container lists them itself (its
//! `find` and `stat`, which read no file's contents) and says what the archive says once it is
//! stopped; a name the listing cannot carry and a container without `find` fall back to the
//! archive; a volume's folder is listed by a running container that mounts it. A file's text:
//! its first mebibyte, a link followed, a binary file told so, a folder refused, in a container
//! or a volume. Needs root and a real engine: run with `--include-ignored`.

mod support;

use berth_api::VolumeEntry;
use berth_testkit::{Engine, Scope, engine, write_busybox_context};

fn sorted(mut entries: Vec<VolumeEntry>) -> Vec<(String, String, u64, u32)> {
    let mut rows: Vec<_> = entries
        .drain(..)
        .map(|e| (e.kind, e.path, e.size, e.mode))
        .collect();
    rows.sort();
    rows
}

/// The commands run in container `id` since `since` (unix seconds), from the engine's events.
fn execs(e: &Engine, id: &str, since: u64) -> Vec<String> {
    let until = (now() + 1).to_string();
    let out = e.docker_ok(&[
        "events",
        "--since",
        &since.to_string(),
        "--until",
        &until,
        "--filter",
        &format!("container={id}"),
        "--format",
        "{{.Action}}",
    ]);
    out.lines()
        .filter_map(|l| l.strip_prefix("exec_create: "))
        .map(str::to_owned)
        .collect()
}

/// Starts a container of `image` (with `args` before it) in the scope; its id.
fn started(e: &Engine, scope: &Scope, what: &str, args: &[&str], image: &str) -> String {
    let (name, label) = (scope.name(what), scope.label());
    let mut all = vec!["run", "-d", "--name", &name, "-l", &label];
    all.extend(args);
    all.push(image);
    e.docker_ok(&all).trim().to_owned()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_running_container_lists_a_folder_as_its_archive_would() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "lister");
    let id = started(e, &scope, "lister", &[], &image);
    e.docker_ok(&[
        "exec",
        &id,
        "sh",
        "-c",
        "mkdir -p /srv/d /nl && echo hello > '/srv/a file' && chmod 600 '/srv/a file' \
         && mkdir -p /opt/real && touch /opt/real/inner && ln -s /opt/real /srv/link && touch '/nl/new\nline' /nl/plain",
    ]);
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();

    let since = now();
    let running = sorted(berth.container_files(&conn, &id, "/srv").await.unwrap());
    let root = sorted(berth.container_files(&conn, &id, "/").await.unwrap());
    let newline = sorted(berth.container_files(&conn, &id, "/nl").await.unwrap());
    // A link to a folder is opened as the folder.
    let through_link = sorted(
        berth
            .container_files(&conn, &id, "/srv/link")
            .await
            .unwrap(),
    );
    let ran = execs(e, &id, since);
    assert!(
        ran.iter().any(|c| c.starts_with("find /srv/ "))
            && ran.iter().any(|c| c.starts_with("find / ")),
        "the running container listed the folders itself: {ran:?}"
    );
    assert_eq!(
        running,
        [
            ("dir".into(), "d".into(), 0, 0o755),
            ("file".into(), "a file".into(), 6, 0o600),
            ("link".into(), "link".into(), 0, 0o777),
        ]
    );
    assert!(
        root.iter().any(|r| r.0 == "dir" && r.1 == "srv"),
        "{root:?}"
    );
    // A name with a newline cannot be told by lines: the archive tells it.
    assert_eq!(
        newline.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["new\nline", "plain"]
    );

    // Stopped, the archive says the same of /srv.
    e.docker_ok(&["stop", "-t", "0", &id]);
    let stopped = sorted(berth.container_files(&conn, &id, "/srv").await.unwrap());
    assert_eq!(running, stopped);
    assert_eq!(through_link, [("file".into(), "inner".into(), 0, 0o644)]);
    let through_link_stopped = sorted(
        berth
            .container_files(&conn, &id, "/srv/link")
            .await
            .unwrap(),
    );
    assert_eq!(through_link_stopped, through_link);
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_container_without_find_is_listed_from_its_archive() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:bare", scope.id);
    // Busybox alone: no `find` or `stat` on the PATH.
    let dir = e.root.join(format!("ctx-{}", scope.name("bare")));
    write_busybox_context(
        &dir,
        "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"sleep\", \"3600\"]\n",
        &[],
    );
    berth_testkit::build_context(e, &scope, &image, &dir);
    let id = started(e, &scope, "bare", &[], &image);
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    let bin = sorted(berth.container_files(&conn, &id, "/bin").await.unwrap());
    assert_eq!(bin.len(), 1, "{bin:?}");
    assert_eq!((bin[0].0.as_str(), bin[0].1.as_str()), ("file", "busybox"));
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_volume_in_use_is_listed_by_the_container_using_it() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "user");
    let v = scope.name("used");
    e.docker_ok(&["volume", "create", "--label", &scope.label(), &v]);
    let mount = format!("{v}:/data");
    let id = started(e, &scope, "user", &["-v", &mount], &image);
    e.docker_ok(&[
        "exec",
        &id,
        "sh",
        "-c",
        "mkdir /data/d && echo deep > /data/d/b && echo top > /data/a && ln -s d /data/to-d",
    ]);
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();

    let since = now();
    let top = sorted(berth.volume_files(&conn, &v, "/", false).await.unwrap());
    let d = sorted(berth.volume_files(&conn, &v, "/d", false).await.unwrap());
    let linked = sorted(berth.volume_files(&conn, &v, "/to-d", false).await.unwrap());
    let ran = execs(e, &id, since);
    assert!(
        ran.iter().any(|c| c.starts_with("find /data/d/ ")),
        "the container using the volume listed it: {ran:?}"
    );
    assert_eq!(
        top,
        [
            ("dir".into(), "d".into(), 0, 0o755),
            ("file".into(), "a".into(), 4, 0o644),
            ("link".into(), "to-d".into(), 0, 0o777)
        ]
    );
    assert_eq!(d, [("file".into(), "b".into(), 5, 0o644)]);
    assert_eq!(linked, d, "a link to a folder opens the folder");

    // With no container running, Berth's helper reads the archive: the same entries.
    e.docker_ok(&["stop", "-t", "0", &id]);
    assert_eq!(
        sorted(berth.volume_files(&conn, &v, "/", false).await.unwrap()),
        top
    );
    assert_eq!(
        sorted(berth.volume_files(&conn, &v, "/d", false).await.unwrap()),
        d
    );
    assert_eq!(
        sorted(berth.volume_files(&conn, &v, "/to-d", false).await.unwrap()),
        d
    );
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_files_text_is_read_to_a_mebibyte() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "texts");
    let v = scope.name("texts");
    e.docker_ok(&["volume", "create", "--label", &scope.label(), &v]);
    let mount = format!("{v}:/data");
    let id = started(e, &scope, "texts", &["-v", &mount], &image);
    e.docker_ok(&[
        "exec",
        &id,
        "sh",
        "-c",
        "mkdir -p /srv/conf && printf 'listen 80;\\ncafé\\n' > /srv/conf/site.conf \
         && ln -s conf/site.conf /srv/site && yes 0123456789abcdef | head -c 2000000 > /srv/big.log \
         && head -c 4096 /dev/zero > /srv/zeros && echo 'in the volume' > /data/note",
    ]);
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();

    let conf = berth
        .container_text(&conn, &id, "/srv/conf/site.conf")
        .await
        .unwrap();
    assert_eq!(
        (conf.text.as_str(), conf.size, conf.truncated, conf.binary),
        ("listen 80;\ncafé\n", 17, false, false)
    );
    // A link leads to its file.
    let linked = berth.container_text(&conn, &id, "/srv/site").await.unwrap();
    assert_eq!(
        (linked.path.as_str(), linked.text.as_str()),
        ("/srv/conf/site.conf", conf.text.as_str())
    );
    // Two megabytes: the first one shown, and said so.
    let big = berth
        .container_text(&conn, &id, "/srv/big.log")
        .await
        .unwrap();
    assert_eq!(
        (big.size, big.truncated, big.binary, big.text.len()),
        (2_000_000, true, false, 1 << 20)
    );
    assert!(big.text.starts_with("0123456789abcdef\n"));
    let zeros = berth
        .container_text(&conn, &id, "/srv/zeros")
        .await
        .unwrap();
    assert_eq!((zeros.binary, zeros.text.as_str()), (true, ""));
    let folder = berth
        .container_text(&conn, &id, "/srv/conf")
        .await
        .unwrap_err();
    assert_eq!(
        folder.message,
        format!("{id}:/srv/conf: a folder: open it to see its files")
    );
    let missing = berth
        .container_text(&conn, &id, "/srv/nope")
        .await
        .unwrap_err();
    assert!(missing.message.contains("/srv/nope"), "{missing}");

    // A volume's file, the container that uses it stopped: Berth's helper reads it.
    e.docker_ok(&["stop", "-t", "0", &id]);
    let note = berth.volume_text(&conn, &v, "/note").await.unwrap();
    assert_eq!(
        (note.path.as_str(), note.text.as_str()),
        ("/note", "in the volume\n")
    );
    let helpers = e.docker_ok(&["ps", "-aq", "--filter", "label=dev.berth.helper"]);
    assert_eq!(helpers.trim(), "", "no helper container is left behind");
}
