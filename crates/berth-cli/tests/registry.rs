//! Logging in to a registry through `berth` against the harness's htpasswd registry: refused
//! without a login or with a wrong password, never stored in plain text unless asked, stored with
//! a credential helper when one is configured, and used for push and pull, and for compose's
//! artifacts, which Berth moves itself. Needs root and a real engine: run with
//! `--include-ignored`.

mod support;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use berth_testkit::{
    Registry, Scope, auth_registry, busybox_image, engine, registry, token_registry,
};
use support::{Home, fails, fails_with, feed, json_lines, ok, run, write_context};

/// A busybox image of the scope, `berth-test/<scope>:<tag>`, tagged with its name in the
/// registry at `addr` (not pushed); returns that name.
fn image_for(
    e: &'static berth_testkit::Engine,
    scope: &Scope,
    home: &Home,
    addr: &str,
    tag: &str,
) -> String {
    let image = format!("berth-test/{}:{tag}", scope.id);
    busybox_image(e, scope, &image, "CMD [\"true\"]");
    let remote = format!("{addr}/berth-test/{}:{tag}", scope.id);
    ok(home.berth(&["-H", e.host.as_str(), "tag", &image, &remote]));
    remote
}

/// `berth login --password-stdin` with `password`.
fn login(
    home: &Home,
    host: &str,
    server: &str,
    user: &str,
    password: &str,
    extra: &[&str],
    path: Option<&str>,
) -> std::process::Output {
    let mut cmd = home.berth(&["-H", host, "login", "-u", user, "--password-stdin"]);
    cmd.args(extra).arg(server);
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    feed(cmd, &format!("{password}\n"))
}

/// Logs in to `reg` with its credentials, stored in plain text (no credential helper), and
/// checks that it was taken; what `login` said.
fn logged_in(home: &Home, host: &str, reg: &Registry) -> std::process::Output {
    let (user, password) = reg.credentials.clone().unwrap();
    let out = login(
        home,
        host,
        &reg.addr,
        &user,
        &password,
        &["--plain-text"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A credential helper speaking docker's protocol, keeping its entries as files in `dir`.
fn fake_helper(dir: &std::path::Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/bin/sh
store={store}
mkdir -p "$store"
case "$1" in
  store) input=$(cat); server=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p'); printf '%s' "$input" > "$store/$(printf '%s' "$server" | tr '/:' '__')" ;;
  get) server=$(cat); f="$store/$(printf '%s' "$server" | tr '/:' '__')"; if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) server=$(cat); f="$store/$(printf '%s' "$server" | tr '/:' '__')"; if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  list) echo '{{}}' ;;
esac
"#,
        store = dir.join("store").display()
    );
    let path = bin.join("docker-credential-berthtest");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn login_is_checked_stored_safely_and_used_for_push_and_pull() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let reg = auth_registry();
    let (user, password) = reg.credentials.clone().unwrap();
    let remote = image_for(e, &scope, &home, &reg.addr, "auth");

    let err = fails(home.berth(&["-H", h, "push", &remote]));
    assert!(
        err.contains(&remote) && err.contains("auth"),
        "a push without login is refused: {err}"
    );

    let out = login(
        &home,
        h,
        &reg.addr,
        &user,
        "wrong-password",
        &["--plain-text"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&reg.addr) && err.to_lowercase().contains("unauthorized"),
        "{err}"
    );
    assert!(
        !home.docker_config().join("config.json").exists(),
        "a refused login stores nothing"
    );

    let out = login(&home, h, &reg.addr, &user, &password, &[], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no credential helper is configured") && err.contains("--plain-text"),
        "{err}"
    );
    assert!(
        !home.docker_config().join("config.json").exists(),
        "no plain text without consent"
    );

    let out = logged_in(&home, h, reg);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Login Succeeded (saved in "));
    let config = std::fs::read_to_string(home.docker_config().join("config.json")).unwrap();
    assert!(
        config.contains(&reg.addr) && !config.contains(&password),
        "{config}"
    );
    ok(home.berth(&["-H", h, "push", &remote]));
    ok(home.berth(&["-H", h, "rmi", &remote]));
    ok(home.berth(&["-H", h, "pull", &remote]));
    assert_eq!(
        ok(home.berth(&["-H", h, "logout", &reg.addr])),
        format!("Removing login credentials for {}\n", reg.addr)
    );
    ok(home.berth(&["-H", h, "rmi", &remote]));
    let err = fails(home.berth(&["-H", h, "pull", &remote]));
    assert!(
        err.contains(&remote),
        "a pull after logout is refused: {err}"
    );
    // -p, as scripts give it: it works, with docker's warning.
    let out = run(home.berth(&[
        "-H",
        h,
        "login",
        "-u",
        &user,
        "-p",
        &password,
        "--plain-text",
        &reg.addr,
    ]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("Using --password via the CLI is insecure"),
        "{err}"
    );
    ok(home.berth(&["-H", h, "pull", &remote]));
    ok(home.berth(&["-H", h, "logout", &reg.addr]));
    ok(home.berth(&["-H", h, "rmi", &remote]));
}

#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn a_build_pulls_its_base_image_with_the_stored_login() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let reg = auth_registry();
    let remote = image_for(e, &scope, &home, &reg.addr, "base");
    logged_in(&home, h, reg);
    ok(home.berth(&["-H", h, "push", &remote]));
    let dir = home.path().join("ctx");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        format!("FROM {remote}\nRUN echo on the private base\n"),
    )
    .unwrap();
    let built = format!("berth-test/{}:built", scope.id);
    let build = |builder: &str| {
        let mut cmd = home.berth(&[
            "-H",
            h,
            "build",
            builder,
            "--label",
            &scope.label(),
            "-t",
            &built,
            ".",
        ]);
        cmd.current_dir(&dir);
        cmd
    };
    // Each builder pulls the base from the registry, which wants the login.
    for builder in ["--buildkit", "--buildkit=false"] {
        // (BuildKit keeps what it pulls to itself: after its build the engine lists no base.)
        let _ = run(home.berth(&["-H", h, "rmi", &remote]));
        let listed = run(home.berth(&["-H", h, "image", "inspect", &remote]));
        assert!(!listed.status.success(), "{builder}: the base is pulled");
        let out = ok(build(builder));
        assert!(out.contains("on the private base"), "{builder}: {out}");
        ok(home.berth(&["-H", h, "rmi", &built]));
    }
    // Without it, the registry refuses the pull and the build says so, with either builder.
    ok(home.berth(&["-H", h, "logout", &reg.addr]));
    let _ = run(home.berth(&["-H", h, "rmi", &remote]));
    for builder in ["--buildkit", "--buildkit=false"] {
        let err = fails(build(builder));
        assert!(
            err.contains(&reg.addr) && err.to_lowercase().contains("auth"),
            "{builder}: {err}"
        );
    }
}

#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn a_configured_credential_helper_keeps_the_login() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let reg = auth_registry();
    let (user, password) = reg.credentials.clone().unwrap();
    let path = fake_helper(home.path());
    std::fs::create_dir_all(home.docker_config()).unwrap();
    std::fs::write(
        home.docker_config().join("config.json"),
        r#"{"credsStore": "berthtest"}"#,
    )
    .unwrap();
    let with_path = |args: &[&str]| {
        let mut cmd = home.berth(&["-H", h]);
        cmd.args(args).env("PATH", &path);
        cmd
    };

    let out = login(&home, h, &reg.addr, &user, &password, &[], Some(&path));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("docker-credential-berthtest"));
    let stored = std::fs::read_to_string(
        home.path()
            .join("store")
            .join(reg.addr.replace([':', '/'], "_")),
    )
    .unwrap();
    assert!(stored.contains(&user), "the helper holds the login");
    assert!(
        !std::fs::read_to_string(home.docker_config().join("config.json"))
            .unwrap()
            .contains("auths")
    );

    let remote = image_for(e, &scope, &home, &reg.addr, "helper");
    ok(with_path(&["push", &remote]));
    ok(with_path(&["rmi", &remote]));
    ok(with_path(&["pull", &remote]));
    ok(with_path(&["rmi", &remote]));
    ok(with_path(&["logout", &reg.addr]));
    assert!(
        !home
            .path()
            .join("store")
            .join(reg.addr.replace([':', '/'], "_"))
            .exists(),
        "erased by the helper"
    );
    let _ = run(Command::new("true"));
}

#[test]
#[ignore = "needs root, a real engine and registries (scripts/test.sh runs it)"]
fn browsing_a_registry_catalog_tags_and_manifests() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let reg = registry();
    let repo = format!("berth-test/browse-{}", scope.id);
    let image = format!("berth-test/{}:browse", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"true\"]");
    for tag in ["one", "two"] {
        let remote = format!("{}/{repo}:{tag}", reg.addr);
        ok(home.berth(&["-H", h, "tag", &image, &remote]));
        ok(home.berth(&["-H", h, "push", &remote]));
    }
    assert!(
        ok(home.berth(&["registry", "ls", &reg.addr]))
            .lines()
            .any(|l| l == repo)
    );
    assert_eq!(
        ok(home.berth(&["registry", "tags", &format!("{}/{repo}", reg.addr)])),
        "one\ntwo\n"
    );
    let remote = format!("{}/{repo}:one", reg.addr);
    let m = &support::json_lines(&ok(
        home.berth(&["registry", "manifest", "--format", "json", &remote])
    ))[0];
    let local = e.docker_ok(&[
        "image",
        "inspect",
        "-f",
        "{{range .RepoDigests}}{{println .}}{{end}}",
        &remote,
    ]);
    let digest = m["digest"].as_str().unwrap();
    assert!(
        digest.starts_with("sha256:") && local.contains(digest),
        "{digest} in {local}"
    );
    assert!(
        m["size"].as_i64().unwrap() > 1_000_000,
        "busybox is about 2 MB: {m}"
    );
    let err = fails(home.berth(&[
        "registry",
        "tags",
        &format!("{}/berth-test/none-{}", reg.addr, scope.id),
    ]));
    assert!(err.contains("no such repository"), "{err}");
    for tag in ["one", "two"] {
        ok(home.berth(&["-H", h, "rmi", &format!("{}/{repo}:{tag}", reg.addr)]));
    }

    // A registry behind a login: refused, then browsable once logged in.
    let auth = auth_registry();
    let err = fails(home.berth(&["registry", "ls", &auth.addr]));
    assert!(err.contains("the registry wants a login"), "{err}");
    logged_in(&home, h, auth);
    ok(home.berth(&["registry", "ls", &auth.addr]));
}

/// A private D-Bus session with gnome-keyring's Secret Service, unlocked, for one home; both
/// daemons go when it drops.
struct Keyring {
    address: String,
    dbus: std::process::Child,
    keyring: std::process::Child,
}

impl Keyring {
    fn start(home: &Home) -> Self {
        use std::io::BufRead;
        let mut dbus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (scripts/install-deps.sh installs dbus)");
        let mut address = String::new();
        std::io::BufReader::new(dbus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_owned();
        let mut cmd = Command::new("gnome-keyring-daemon");
        home.0.apply(&mut cmd);
        let mut keyring = cmd
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (scripts/install-deps.sh --test installs gnome-keyring)");
        // The login keyring's password, then end of input.
        keyring
            .stdin
            .take()
            .unwrap()
            .write_all(b"berth-test")
            .unwrap();
        let k = Self {
            address,
            dbus,
            keyring,
        };
        berth_testkit::wait_until(20, "the Secret Service on the test bus", || {
            Command::new("dbus-send")
                .args([
                    &format!("--bus={}", k.address),
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
                .unwrap_or(false)
        });
        k
    }

    /// The keychain's items for Berth's registry logins, as `secret-tool` (libsecret) sees them.
    fn berth_items(&self, home: &Home) -> String {
        let mut cmd = Command::new("secret-tool");
        home.0.apply(&mut cmd);
        let out = cmd
            .args(["search", "--all", "service", "berth-registry"])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .expect("secret-tool (scripts/install-deps.sh --test installs libsecret-tools)");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.dbus.kill();
        let _ = self.dbus.wait();
    }
}

#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn without_a_helper_the_login_goes_to_the_os_keychain() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let reg = auth_registry();
    let (user, password) = reg.credentials.clone().unwrap();
    let remote = image_for(e, &scope, &home, &reg.addr, "keychain");
    let keyring = Keyring::start(&home);
    let with_bus = |mut cmd: Command| {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &keyring.address);
        cmd
    };

    let login_cmd = home.berth(&["-H", h, "login", "-u", &user, "--password-stdin", &reg.addr]);
    let out = feed(with_bus(login_cmd), &format!("{password}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Login Succeeded (saved in the OS keychain)\n"
    );
    // config.json only names the registry (as docker names those a helper keeps), so that
    // every login can be listed (handed to a container with use_api_socket).
    let config = || {
        let text = std::fs::read_to_string(home.docker_config().join("config.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    };
    assert_eq!(config()["auths"][&reg.addr], serde_json::json!({}));
    let items = keyring.berth_items(&home);
    assert!(
        items.contains(&format!("attribute.username = {}", reg.addr)),
        "{items}"
    );
    // The keyring keeps it encrypted: no file of the home holds the password as typed.
    let plain = Command::new("grep")
        .args(["-rl", &password])
        .arg(home.path())
        .output()
        .unwrap();
    assert!(
        plain.stdout.is_empty(),
        "the password is in {}",
        String::from_utf8_lossy(&plain.stdout)
    );

    // The keychain's login is used for push and pull.
    ok(with_bus(home.berth(&["-H", h, "push", &remote])));
    ok(with_bus(home.berth(&["-H", h, "rmi", &remote])));
    ok(with_bus(home.berth(&["-H", h, "pull", &remote])));
    ok(with_bus(home.berth(&["-H", h, "rmi", &remote])));

    assert_eq!(
        ok(with_bus(home.berth(&["-H", h, "logout", &reg.addr]))),
        format!("Removing login credentials for {}\n", reg.addr)
    );
    assert!(
        !keyring
            .berth_items(&home)
            .contains(&format!("attribute.username = {}", reg.addr))
    );
    assert!(config()["auths"].get(&reg.addr).is_none(), "{}", config());
    let err = fails(with_bus(home.berth(&["-H", h, "pull", &remote])));
    assert!(err.contains(&remote), "{err}");
}

#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn a_registry_behind_a_token_service() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let reg = token_registry();
    let (user, _) = reg.credentials.clone().unwrap();
    let repo = format!("berth-test/token-{}", scope.id);
    let image = format!("berth-test/{}:token", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"true\"]");
    let remote = format!("{}/{repo}:v1", reg.addr);
    ok(home.berth(&["-H", h, "tag", &image, &remote]));

    // Anonymous tokens grant nothing.
    let err = fails(home.berth(&["-H", h, "push", &remote]));
    assert!(err.contains(&remote), "{err}");
    let err = fails(home.berth(&["registry", "ls", &reg.addr]));
    assert!(err.contains("the registry wants a login"), "{err}");
    // The token service refuses a wrong password, through the engine's login.
    let out = login(&home, h, &reg.addr, &user, "wrong", &["--plain-text"], None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    logged_in(&home, h, reg);
    ok(home.berth(&["-H", h, "push", &remote]));
    // Browsing fetches its own Bearer tokens with the stored login.
    assert!(
        ok(home.berth(&["registry", "ls", &reg.addr]))
            .lines()
            .any(|l| l == repo)
    );
    assert_eq!(
        ok(home.berth(&["registry", "tags", &format!("{}/{repo}", reg.addr)])),
        "v1\n"
    );
    let m = &support::json_lines(&ok(
        home.berth(&["registry", "manifest", "--format", "json", &remote])
    ))[0];
    assert!(m["digest"].as_str().unwrap().starts_with("sha256:"), "{m}");
    ok(home.berth(&["-H", h, "rmi", &remote]));
    ok(home.berth(&["-H", h, "pull", &remote]));
    ok(home.berth(&["-H", h, "rmi", &remote]));
}

#[test]
#[ignore = "needs root, a real engine and registries (scripts/test.sh runs it)"]
fn run_and_create_pull_a_missing_image_first() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let reg = registry();
    let image = format!("berth-test/{}:pulled", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"echo\", \"from the registry\"]");
    let remote = format!("{}/berth-test/run-{}:v1", reg.addr, scope.id);
    ok(home.berth(&["-H", h, "tag", &image, &remote]));
    ok(home.berth(&["-H", h, "push", &remote]));
    ok(home.berth(&["-H", h, "rmi", &remote]));

    // Never: the engine's missing image, in one line.
    let err = fails_with(
        home.berth(&["-H", h, "run", "--pull", "never", "--rm", &remote]),
        125,
    );
    assert!(err.contains("no such image here"), "{err}");

    // Missing: pulled first, progress on stderr, the container's output alone on stdout.
    let out = run(home.berth(&["-H", h, "run", "--rm", "-l", &scope.label(), &remote]));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "from the registry\n");
    assert!(
        stderr.contains(&format!("Unable to find image '{remote}' locally")),
        "{stderr}"
    );
    e.docker_ok(&["image", "inspect", &remote]);
    // -q: pulled without a word on stderr.
    ok(home.berth(&["-H", h, "rmi", &remote]));
    let out = run(home.berth(&["-H", h, "run", "-q", "--rm", "-l", &scope.label(), &remote]));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "from the registry\n");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Present: no pull. Always: pulled again, and create prints only the id.
    let out = run(home.berth(&["-H", h, "create", "-l", &scope.label(), &remote]));
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    let out = run(home.berth(&[
        "-H",
        h,
        "create",
        "--pull",
        "always",
        "-l",
        &scope.label(),
        &remote,
    ]));
    let id = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && id.trim().len() == 64, "{out:?}");
    assert!(!out.stderr.is_empty(), "the pull's progress is on stderr");
    ok(home.berth(&["-H", h, "rmi", "-f", &remote]));
}

/// An engine reached over TCP with TLS (a docker context with ca, cert and key) is asked
/// directly where bollard falls short, as one on a socket is: a login is checked, a push shows
/// its layers, and volume sizes are known.
#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn a_tls_engine_logs_in_pushes_by_layer_and_knows_volume_sizes() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    write_context(
        &home.docker_config(),
        "remote-tls",
        &e.tls_host,
        Some(&e.tls.client_dir),
    );
    let tls = |args: &[&str]| {
        let mut cmd = home.berth(&["--context", "remote-tls"]);
        cmd.args(args);
        cmd
    };
    let df = &json_lines(&ok(tls(&["system", "df", "--format", "json"])))[0];
    assert_eq!(df["volume_sizes_known"], true, "{df}");

    let reg = auth_registry();
    let (user, password) = reg.credentials.clone().unwrap();
    let login = |password: &str| {
        feed(
            tls(&[
                "login",
                "-u",
                &user,
                "--password-stdin",
                "--plain-text",
                &reg.addr,
            ]),
            &format!("{password}\n"),
        )
    };
    let out = login("wrong");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.to_lowercase().contains("unauthorized"), "{err}");
    let out = login(&password);
    assert!(out.status.success(), "{out:?}");

    let image = format!("berth-test/{}:tls", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"true\"]");
    let remote = format!("{}/berth-test/{}:tls", reg.addr, scope.id);
    ok(tls(&["tag", &image, &remote]));
    let out = run(tls(&["push", &remote]));
    assert!(out.status.success(), "{out:?}");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Each layer by its id, as the engine says it (bollard's model drops the id): pushed, or
    // already there when another test pushed the same base.
    let layer_lines = said
        .lines()
        .filter(|l| {
            l.split_once(": ")
                .is_some_and(|(id, _)| id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .count();
    assert!(layer_lines >= 1, "{said}");
    ok(tls(&["rmi", &remote]));
    ok(tls(&["logout", &reg.addr]));
}

/// `build --push` pushes each name once the image is built (every name checked before the
/// build), `--progress quiet` prints the id alone, and `--rm=false` keeps the steps' containers.
#[test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
fn build_pushes_what_it_built_and_takes_docker_s_progress_and_rm() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let reg = registry();
    busybox_image(e, &scope, &format!("berth-test/{}:base", scope.id), "");
    // A step told apart from any other test's, to find the container it leaves.
    let marker = format!("kept-{}", scope.id);
    let dir = home.path().join("ctx");
    berth_testkit::write_busybox_context(
        &dir,
        &format!(
            "FROM {}\nRUN echo {marker} > /said\nCMD [\"cat\", \"/said\"]\n",
            berth_testkit::BUSYBOX_IMAGE
        ),
        &[],
    );
    let ctx = dir.display().to_string();
    let label = scope.label();
    let one = format!("{}/berth-test/pushed-{}:v1", reg.addr, scope.id);
    let two = format!("{}/berth-test/pushed-{}:v2", reg.addr, scope.id);
    // Refused before building: nothing named, an official image's name, an export.
    let err = fails(home.berth(&["-H", h, "build", "--push", &ctx]));
    assert!(err.contains("--push: name the image with -t"), "{err}");
    let err = fails(home.berth(&[
        "-H", h, "build", "--push", "-t", &one, "-t", "hello:v2", &ctx,
    ]));
    assert!(
        err.contains("hello:v2: that name is Docker Hub's official images"),
        "{err}"
    );
    let err = fails(home.berth(&["-H", h, "build", "--push", "-t", &one, "-o", "out", &ctx]));
    assert!(err.contains("makes no image to push"), "{err}");
    assert!(
        !e.docker()
            .args(["image", "inspect", &one])
            .output()
            .unwrap()
            .status
            .success(),
        "a refused build made an image"
    );

    let out = run(home.berth(&[
        "-H",
        h,
        "build",
        "--push",
        "--progress",
        "quiet",
        "--rm=false",
        "--label",
        &label,
        "-t",
        &one,
        "-t",
        &two,
        &ctx,
    ]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.trim().starts_with("sha256:") && stdout.lines().count() == 1,
        "quiet prints the id alone: {stdout}"
    );
    // Both names are in the registry: removed here, pulled back.
    for name in [&one, &two] {
        ok(home.berth(&["-H", h, "rmi", name]));
        ok(home.berth(&["-H", h, "pull", name]));
        assert_eq!(
            ok(home.berth(&["-H", h, "run", "--rm", "-l", &label, name])),
            format!("{marker}\n")
        );
        ok(home.berth(&["-H", h, "rmi", name]));
    }
    // The RUN step's container was kept; removed here, as nothing else removes it.
    let kept: Vec<String> = e
        .docker_ok(&["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}"])
        .lines()
        .filter(|l| l.contains(&marker))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    for id in &kept {
        e.docker_ok(&["rm", "-f", id]);
    }
    assert_eq!(kept.len(), 1, "--rm=false keeps the RUN step's container");
    // --progress plain shows the steps; the default removes the steps' containers.
    let plain = ok(home.berth(&[
        "-H",
        h,
        "build",
        "--no-cache",
        "--progress=plain",
        "--label",
        &label,
        "-t",
        &one,
        &ctx,
    ]));
    assert!(plain.contains(&format!("RUN echo {marker}")), "{plain}");
    let left = e.docker_ok(&["ps", "-a", "--no-trunc", "--format", "{{.Command}}"]);
    assert!(!left.contains(&marker), "{left}");
}

/// A compose project published to registries that want a login, Basic (htpasswd) and Bearer (a
/// token service), and loaded back from them with the stored login (`compose publish`,
/// `-f oci://`: Berth's own requests, not the engine's); refused without it.
#[test]
#[ignore = "needs root, a real engine and registry (scripts/test.sh runs it)"]
fn a_compose_project_is_published_and_loaded_with_the_stored_login() {
    let e = engine();
    let scope = Scope::new(e);
    let home = Home::new();
    let h = e.host.as_str();
    let dir = home.path().join(format!("published-{}", scope.id));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  web:\n    image: busybox\n    command: [\"sleep\", \"600\"]\n",
    )
    .unwrap();
    let compose = |args: &[&str]| {
        let mut cmd = home.berth(&["-H", h, "compose"]);
        cmd.args(args).current_dir(&dir);
        cmd
    };
    for reg in [auth_registry(), token_registry()] {
        let artifact = format!("{}/berth-test/project-{}:v1", reg.addr, scope.id);
        let oci = format!("oci://{artifact}");
        let err = fails(compose(&["publish", &artifact]));
        assert!(
            err.contains("the registry wants a login"),
            "{}: {err}",
            reg.addr
        );
        logged_in(&home, h, reg);
        let err = String::from_utf8(run(compose(&["publish", &artifact])).stderr).unwrap();
        assert!(
            err.contains(&format!("{artifact} published (sha256:")),
            "{err}"
        );
        let services = ok(compose(&["-f", &oci, "config", "--services"]));
        assert_eq!(services.trim(), "web", "{}", reg.addr);
        ok(home.berth(&["-H", h, "logout", &reg.addr]));
        let err = fails(compose(&["-f", &oci, "config"]));
        assert!(
            err.contains("the registry wants a login"),
            "{}: {err}",
            reg.addr
        );
    }
}
