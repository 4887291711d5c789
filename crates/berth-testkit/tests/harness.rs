//! The harness itself: its engine answers on the socket and on TLS tcp, its images run, its
//! registries accept a push (the htpasswd one only after a login), and a scope removes what it
//! labelled. Needs root: run with `--include-ignored`.

use berth_testkit::{Scope, auth_registry, busybox_image, engine, registry, run};

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn engine_answers_on_its_socket_and_tls() {
    let e = engine();
    assert!(e.pings());
    let tls = e.tls.client_dir.display().to_string();
    let out = e.docker_ok(&[
        "--tlsverify",
        "--tlscacert",
        &format!("{tls}/ca.pem"),
        "--tlscert",
        &format!("{tls}/cert.pem"),
        "--tlskey",
        &format!("{tls}/key.pem"),
        "-H",
        &e.tls_host,
        "version",
        "--format",
        "{{.Server.APIVersion}}",
    ]);
    assert_eq!(out.trim(), "1.41");
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn images_run_and_scopes_clean_up() {
    let e = engine();
    let image = {
        let scope = Scope::new(e);
        let image = format!("berth-test/{}:echo", scope.id);
        busybox_image(e, &scope, &image, "CMD [\"echo\", \"hello from busybox\"]");
        let name = scope.name("echo");
        let out = e.docker_ok(&["run", "--name", &name, "--label", &scope.label(), &image]);
        assert_eq!(out.trim(), "hello from busybox");
        e.docker_ok(&[
            "volume",
            "create",
            "--label",
            &scope.label(),
            &scope.name("v"),
        ]);
        image
    };
    // The scope dropped: its container, volume and image are gone.
    assert!(
        !run(e.docker().args(["image", "inspect", &image]))
            .status
            .success()
    );
    let left = e.docker_ok(&["ps", "-aq", "--filter", "label=berth.test"]);
    let vols = e.docker_ok(&["volume", "ls", "-q", "--filter", "label=berth.test"]);
    assert_eq!(
        (left.trim(), vols.trim()),
        ("", ""),
        "other tests may run in parallel: none here keeps objects"
    );
}

#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn registries_accept_pushes_and_the_auth_one_wants_a_login() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:push", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"true\"]");

    let open = format!("{}/berth-test/{}:push", registry().addr, scope.id);
    e.docker_ok(&["tag", &image, &open]);
    e.docker_ok(&["push", &open]);

    let auth = auth_registry();
    let locked = format!("{}/berth-test/{}:push", auth.addr, scope.id);
    e.docker_ok(&["tag", &image, &locked]);
    let denied = run(e.docker().args(["push", &locked]));
    assert!(!denied.status.success(), "a push without login must fail");
    let (user, password) = auth.credentials.clone().unwrap();
    let mut login = e
        .docker()
        .args(["login", "-u", &user, "--password-stdin", &auth.addr])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("docker login");
    {
        use std::io::Write;
        login
            .stdin
            .take()
            .unwrap()
            .write_all(password.as_bytes())
            .unwrap();
    }
    let login = login.wait_with_output().unwrap();
    assert!(
        login.status.success(),
        "docker login with the right password"
    );
    e.docker_ok(&["push", &locked]);
    e.docker_ok(&["logout", &auth.addr]);
}
