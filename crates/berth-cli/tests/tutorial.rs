//! The containerization tutorial, end to end through `berth`, against the harness's real engine
//! and registry: build the app, run it with `-p 8000:5000 -d`, ask it, push, remove, pull back,
//! run again. Needs root and a real engine: run with `--include-ignored`.

mod support;

use std::path::Path;

use berth_testkit::{Scope, engine, http, http_get, registry, wait_until};
use support::{Home, fails, ok};

const APPLICANT: &str = r#"{"gre_score": 300, "toefl_score": 100, "university_rating": 4, "sop": 3, "lor": 4, "cgpa": 8.90, "research": "Yes"}"#;

/// The tutorial's folder, with busybox copied in as its Dockerfile expects.
fn app_folder(into: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/tutorial/app");
    let out = std::process::Command::new("cp")
        .arg("-r")
        .arg(&src)
        .arg(into)
        .output()
        .unwrap();
    assert!(out.status.success(), "copy the tutorial app");
    std::fs::copy("/bin/busybox", into.join("busybox")).expect("busybox-static");
}

fn answers(port: u16) {
    let addr = format!("127.0.0.1:{port}");
    wait_until(30, "the app to answer", || http_get(&addr, "/").is_some());
    assert_eq!(
        http_get(&addr, "/"),
        Some((200, "Hello, World!\n".to_owned()))
    );
    let (status, body) = http(&addr, "POST", "/predict", APPLICANT).expect("a prediction");
    assert_eq!((status, body.trim()), (200, r#"{"chance_of_admit": 0.73}"#));
    let (status, body) =
        http(&addr, "POST", "/predict", r#"{"gre_score": 300}"#).expect("an answer");
    assert_eq!(
        (status, body.trim()),
        (400, r#"{"error": "missing toefl_score"}"#)
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn the_tutorial_builds_runs_pushes_and_pulls() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let dir = home.path().join("app");
    app_folder(&dir);
    assert!(
        http_get("127.0.0.1:8000", "/").is_none(),
        "port 8000 must be free for the tutorial"
    );
    assert!(
        http_get("127.0.0.1:5000", "/").is_none(),
        "port 5000 must be free for the tutorial"
    );
    let berth = |args: &[&str]| {
        let mut cmd = home.berth(&["-H", &e.host]);
        cmd.args(args).current_dir(&dir);
        cmd
    };
    let image = "user_name/admission_prediction";

    let out = ok(berth(&[
        "build",
        "-t",
        image,
        "--label",
        &scope.label(),
        ".",
    ]));
    // Seven steps of the Dockerfile, and the label the build adds.
    assert!(
        out.contains("Step 1/8 : FROM scratch") && out.contains("Successfully tagged"),
        "{out}"
    );
    // The build is in the history the app's Builds view shows.
    let history: serde_json::Value = serde_json::from_slice(
        &std::fs::read(home.path().join("state/berth/builds.json")).expect("a build history"),
    )
    .unwrap();
    assert_eq!(history[0]["tags"][0], image, "{history}");
    assert!(
        history[0]["image_id"].as_str().is_some() && history[0]["error"].is_null(),
        "{history}"
    );
    let inspect = ok(berth(&["inspect", "--type", "image", image]));
    assert!(
        inspect.contains(&scope.label().replace('=', "\": \"")),
        "the image carries the label: {inspect}"
    );

    let id = ok(berth(&[
        "run",
        "-p",
        "8000:5000",
        "-d",
        "--label",
        &scope.label(),
        image,
    ]));
    assert_eq!(id.trim().len(), 64, "{id}");
    answers(8000);
    assert!(
        http_get("127.0.0.1:5000", "/").is_none(),
        "only the published port answers"
    );
    let ps = ok(berth(&["ps"]));
    assert!(
        ps.contains("0.0.0.0:8000->5000/tcp") && ps.contains(image),
        "{ps}"
    );
    let port = ok(berth(&["port", id.trim(), "5000"]));
    assert_eq!(port.lines().next(), Some("0.0.0.0:8000"), "{port}");
    // The app logs its requests to stderr; stdout stays empty.
    let out = home
        .berth(&["-H", &e.host, "logs", id.trim()])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    // The first GET is the readiness probe's, which got an answer.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "GET /\nGET /\nPOST /predict\nPOST /predict\n"
    );

    // Pushing a tag that does not exist here says so.
    let err = fails(berth(&["push", &format!("{image}:v2")]));
    assert!(
        err.contains("user_name/admission_prediction:v2: no local image has that name"),
        "{err}"
    );

    let remote = format!("{}/{image}", registry().addr);
    ok(berth(&["tag", image, &remote]));
    let pushed = ok(berth(&["push", &remote]));
    assert!(pushed.contains("digest: sha256:"), "{pushed}");
    ok(berth(&["rm", "-f", id.trim()]));
    ok(berth(&["rmi", image, &remote]));
    assert!(
        !ok(berth(&["images"])).contains("admission_prediction"),
        "removed locally"
    );

    let pulled = ok(berth(&["pull", &remote]));
    assert!(pulled.contains("Downloaded newer image"), "{pulled}");
    ok(berth(&[
        "run",
        "-p",
        "8000:5000",
        "-d",
        "--label",
        &scope.label(),
        "--name",
        &scope.name("again"),
        &remote,
    ]));
    answers(8000);
    ok(berth(&["rm", "-f", &scope.name("again")]));
    ok(berth(&["rmi", &remote]));
}
