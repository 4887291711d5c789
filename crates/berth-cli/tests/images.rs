//! Images through `berth` against the harness's real engine and registry: history, whether a
//! newer image is available (asking the registry, pulling nothing), Docker Hub search without
//! Internet (prune is in prune.rs). Needs root and a real engine: run with `--include-ignored`.

mod support;

use berth_testkit::{Scope, SearchIndex, busybox_image, engine, free_port, registry};
use support::{Home, fails, fails_with, json_lines, ok, run};

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn history_shows_each_instruction() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let image = format!("berth-test/{}:hist", scope.id);
    busybox_image(
        e,
        &scope,
        &image,
        "RUN echo made > /made\nCMD [\"cat\", \"/made\"]",
    );
    let rows = json_lines(&ok(
        home.berth(&["-H", &e.host, "history", "--format", "json", &image])
    ));
    let by: Vec<&str> = rows
        .iter()
        .map(|r| r["created_by"].as_str().unwrap())
        .collect();
    // Newest first: the label the build adds, the CMD, the RUN, then the base image's layers.
    assert!(by[0].contains("LABEL berth.test="), "{by:?}");
    assert!(by[1].contains("CMD [\"cat\" \"/made\"]"), "{by:?}");
    assert!(by[2].contains("echo made > /made"), "{by:?}");
    let table = ok(home.berth(&["-H", &e.host, "history", &image]));
    assert!(table.starts_with("IMAGE          CREATED"), "{table}");
    // As the docker CLI prints it (what does not tick with the clock), in another time zone.
    for (ours, theirs) in [
        (vec!["history", "-q"], vec!["history", "-q"]),
        (
            vec!["history", "--no-trunc", "-q"],
            vec!["history", "--no-trunc", "-q"],
        ),
        (
            vec!["history", "--human=false"],
            vec!["history", "-H=false"],
        ),
        (
            vec![
                "image",
                "history",
                "--no-trunc",
                "--format",
                "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}",
            ],
            vec![
                "history",
                "--no-trunc",
                "--format",
                "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}",
            ],
        ),
    ] {
        let mut berth = home.berth(&[&["-H", e.host.as_str()][..], &ours, &[&image]].concat());
        berth.env("TZ", "Europe/Berlin");
        let mut docker = e.docker();
        docker.args(&theirs).arg(&image).env("TZ", "Europe/Berlin");
        assert_eq!(ok(berth), ok(docker), "{ours:?}");
    }
}

#[test]
#[ignore = "needs root and a real engine and registry (scripts/test.sh runs it)"]
fn a_newer_image_in_the_registry_is_noticed_without_pulling() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let remote = format!("{}/berth-test/{}:app", registry().addr, scope.id);
    let (v1, v2) = (
        format!("berth-test/{}:v1", scope.id),
        format!("berth-test/{}:v2", scope.id),
    );
    busybox_image(e, &scope, &v1, "CMD [\"echo\", \"one\"]");
    busybox_image(e, &scope, &v2, "CMD [\"echo\", \"two\"]");

    ok(home.berth(&["-H", h, "tag", &v1, &remote]));
    // Push progress is per layer: every layer line names its layer, each layer ends pushed.
    let events = json_lines(&ok(
        home.berth(&["-H", h, "push", "--format", "json", &remote])
    ));
    let layer_lines: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| {
            e["kind"] == "layer"
                && e["status"] != ""
                && !e["status"].as_str().unwrap().contains("digest")
        })
        .filter(|e| {
            !e["status"]
                .as_str()
                .unwrap()
                .starts_with("The push refers to")
        })
        .collect();
    assert!(!layer_lines.is_empty(), "{events:?}");
    assert!(
        layer_lines.iter().all(|e| e["id"].is_string()),
        "{events:?}"
    );
    let pushed: std::collections::BTreeSet<&str> = layer_lines
        .iter()
        .filter(|e| e["status"] == "Pushed" || e["status"] == "Layer already exists")
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let layers: std::collections::BTreeSet<&str> = layer_lines
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(pushed, layers, "{events:?}");
    let check = &json_lines(&ok(
        home.berth(&["-H", h, "image", "check", "--format", "json", &remote])
    ))[0];
    assert_eq!(check["state"], "up_to_date", "{check}");
    // Pushed, it has a digest: `images --digests` shows it as docker does.
    let repo = remote.rsplit_once(':').unwrap().0;
    let digests = ["images", "--digests", repo];
    // Two docker runs around berth's: its CREATED column may tick between them.
    let before = e.docker_ok(&digests);
    let ours = ok(home.berth(&[&["-H", h][..], &digests[..]].concat()));
    let after = e.docker_ok(&digests);
    assert!(ours.contains("sha256:"), "{ours}");
    assert!(
        ours == before || ours == after,
        "{ours}--- docker\n{before}"
    );

    // Someone pushes a newer image under the same name; here the name still means v1.
    ok(home.berth(&["-H", h, "tag", &v2, &remote]));
    ok(home.berth(&["-H", h, "push", &remote]));
    ok(home.berth(&["-H", h, "tag", &v1, &remote]));
    let id_of = |name: &str| e.docker_ok(&["image", "inspect", "-f", "{{.Id}}", name]);
    let text = ok(home.berth(&["-H", h, "image", "check", &remote]));
    assert!(
        text.contains("a newer image is available (sha256:"),
        "{text}"
    );
    assert_eq!(
        id_of(&remote),
        id_of(&v1),
        "nothing was pulled: the name still means v1"
    );
    ok(home.berth(&["-H", h, "rmi", &remote]));
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn hub_search_without_internet_says_so() {
    // This machine reaches no registry on the Internet (only package mirrors), so the engine
    // cannot reach Docker Hub: the error must say that, in one line.
    let e = engine();
    let home = Home::new();
    let err = fails(home.berth(&["-H", &e.host, "search", "busybox"]));
    assert!(
        err.contains("Docker Hub: the engine cannot reach it") && err.contains("network or proxy"),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn search_of_a_registry_index_prints_what_docker_prints() {
    // A term that starts with a registry's address searches that registry's index, with the
    // v1 search API Docker Hub answers too; this one runs on loopback.
    let e = engine();
    let home = Home::new();
    let index = SearchIndex::serving(
        r#"[{"name":"team/web","description":"A web server","star_count":7,"is_official":false,"is_automated":false},
            {"name":"web","description":"The web image","star_count":42,"is_official":true,"is_automated":false}]"#,
    );
    let term = format!("{}/web", index.addr);
    let table = ok(home.berth(&["-H", &e.host, "search", &term]));
    assert_eq!(table, e.docker_ok(&["search", &term]));
    assert_eq!(table.lines().count(), 3, "{table}");
    let rows = json_lines(&ok(
        home.berth(&["-H", &e.host, "search", "--format", "json", &term])
    ));
    let named: Vec<(&str, &str, bool)> = rows
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap();
            (
                text("name"),
                text("reference"),
                r["official"].as_bool().unwrap(),
            )
        })
        .collect();
    // What to pull is on the index's registry, not on Docker Hub.
    let on_index = |name: &str| format!("{}/{name}", index.addr);
    assert_eq!(
        named,
        [
            ("team/web", on_index("team/web").as_str(), false),
            ("web", on_index("web").as_str(), true)
        ]
    );

    // An index that does not answer is named in the error.
    let gone = format!("127.0.0.1:{}", free_port());
    let err = fails(home.berth(&["-H", &e.host, "search", &format!("{gone}/web")]));
    assert!(
        err.starts_with(&format!("berth: {gone}: the engine cannot reach it")),
        "{err}"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn images_filters_as_docker_takes_them() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let (one, two) = (
        format!("berth-test/{}:one", scope.id),
        format!("berth-test/{}-other:two", scope.id),
    );
    busybox_image(e, &scope, &one, "CMD [\"echo\", \"one\"]");
    busybox_image(e, &scope, &two, "CMD [\"echo\", \"two\"]");
    // A second tag of the first: a line of its own, as docker lists it.
    let again = format!("berth-test/{}:again", scope.id);
    e.docker_ok(&["tag", &one, &again]);
    let label = format!("label={}", scope.label());
    let reference = format!("reference=berth-test/{}:*", scope.id);
    for filters in [
        vec!["-f", label.as_str()],
        vec!["-f", reference.as_str()],
        vec!["-f", label.as_str(), "-f", "dangling=false"],
        vec!["--no-trunc", "-f", label.as_str()],
        vec![one.as_str()],
        vec![&format!("berth-test/{}", scope.id)],
    ] {
        let mut berth = vec!["-H", h, "images", "-q"];
        berth.extend(&filters);
        let ours = ok(home.berth(&berth));
        let mut docker = vec!["images", "-q"];
        docker.extend(&filters);
        // The same images (two built in the same second may come in either order).
        let sorted = |text: &str| {
            let mut ids: Vec<String> = text.lines().map(str::to_owned).collect();
            ids.sort();
            ids
        };
        assert_eq!(sorted(&ours), sorted(&e.docker_ok(&docker)), "{filters:?}");
    }
    // docker's --format templates: the same lines as the docker CLI's (in either order, as above).
    for template in [
        "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.Digest}}",
        "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}",
    ] {
        let args = ["images", "-f", label.as_str(), "--format", template];
        let ours = ok(home.berth(&[&["-H", h][..], &args[..]].concat()));
        let theirs = e.docker_ok(&args);
        let (ours, theirs): (Vec<&str>, Vec<&str>) =
            (ours.lines().collect(), theirs.lines().collect());
        let table = usize::from(template.starts_with("table"));
        assert_eq!(ours[..table], theirs[..table], "{template}");
        let (mut ours, mut theirs) = (ours[table..].to_vec(), theirs[table..].to_vec());
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{template}");
    }
    let listed = ok(home.berth(&["-H", h, "images", "--filter", &reference]));
    assert!(
        listed.contains(&format!("berth-test/{}", scope.id)),
        "{listed}"
    );
    assert!(!listed.contains("-other"), "{listed}");
    assert_eq!(
        ok(home.berth(&["-H", h, "images", "-q", "-f", &label]))
            .lines()
            .count(),
        3
    );
    let err = fails(home.berth(&["-H", h, "images", "-f", "dangling"]));
    assert!(
        err.contains("dangling: a filter is KEY=value, e.g. dangling=true"),
        "{err}"
    );
}

/// `--platform` reaches the engine: run, create, pull and build for the engine's own platform
/// work; another platform is the engine's to refuse, said in one line; a malformed one is
/// refused before the engine is asked.
#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn platforms_reach_the_engine() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let image = format!("berth-test/{}:platform", scope.id);
    busybox_image(e, &scope, &image, "");
    let own = "linux/amd64";
    let ran = ok(home.berth(&[
        "-H",
        h,
        "run",
        "--rm",
        "--platform",
        own,
        &image,
        "echo",
        "ran",
    ]));
    assert_eq!(ran, "ran\n");
    let err = fails_with(
        home.berth(&["-H", h, "run", "--platform", "linux", &image]),
        125,
    );
    assert!(
        err.contains("linux: --platform is OS/ARCH[/VARIANT]"),
        "{err}"
    );
    let err = fails(home.berth(&["-H", h, "pull", "--platform", "linux/", &image]));
    assert!(err.contains("--platform is OS/ARCH"), "{err}");
    // Through the registry: pulled for the engine's platform; for another, the engine says no.
    let remote = format!("{}/berth-test/{}:platform", registry().addr, scope.id);
    e.docker_ok(&["tag", &image, &remote]);
    e.docker_ok(&["push", &remote]);
    e.docker_ok(&["rmi", &remote]);
    ok(home.berth(&["-H", h, "pull", "--platform", own, &remote]));
    // The engine is asked for the image of that platform: the one here is not.
    let err = fails(home.berth(&[
        "-H",
        h,
        "create",
        "--platform",
        "windows/amd64",
        "--pull",
        "never",
        &image,
    ]));
    assert!(
        err.contains(&format!(
            "{image}: no image for windows/amd64 here: pull it for that platform (berth pull --platform windows/amd64 {image})"
        )),
        "{err}"
    );
    // With --pull missing the image here is not the platform's, so, as docker run does,
    // it is pulled for the platform, and the engine's answer is said.
    let out = run(home.berth(&["-H", h, "run", "--platform", "windows/amd64", &remote]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains(&format!("Unable to find image '{remote}' locally"))
            && err
                .lines()
                .last()
                .is_some_and(|l| l.contains("no image for windows/amd64 here")),
        "{err}"
    );
    // A build for the engine's own platform.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {image}\nRUN echo built > /built\n"),
    )
    .unwrap();
    let tag = format!("berth-test/{}:platform-built", scope.id);
    ok(home.berth(&[
        "-H",
        h,
        "build",
        "--platform",
        own,
        "--label",
        &scope.label(),
        "-t",
        &tag,
        &dir.path().display().to_string(),
    ]));
    assert_eq!(
        e.docker_ok(&["run", "--rm", &tag, "cat", "/built"]),
        "built\n"
    );
}
