//! End to end: the real app under Xvfb, driven through `tauri-driver` and Debian's
//! WebKitWebDriver, against the test harness's own dockerd. The app shows the engine and its
//! containers, and follows a container and images made outside it; a container is run from the
//! run dialog (after its inline checks refuse bad input), answers on its host port, shows its
//! output in Logs, runs a command in the Terminal (listed among its processes in Stats), has its
//! restart policy and limits changed, and is stopped and removed; an image is built from a
//! folder (and its end is a desktop notification); a compose project comes up, shows its logs,
//! and is grouped in the container list; a profile turned on brings its service up; its job
//! runs by hand; Down takes it whole. Each view is saved as a screenshot in docs/screenshots/.
//!
//! tauri-driver sometimes drops its connection (3 runs in 16 here), and once in CI the
//! driver's session went away (`InvalidSessionId`): the scenario then runs again with a fresh
//! driver and app, up to three times, unless the app said it panicked. A failed attempt prints
//! the ends of what the driver and the app printed and of the app's log. Needs root, Xvfb and a
//! real dockerd: run with `--include-ignored`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use berth_testkit::{
    Engine, IsolatedHome, Scope, auth_registry, busybox_image, engine, free_port, http_get,
    registry, require_root, unique_id, wait_until,
};
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use support::{Killed, Notifications, session_bus, xvfb};

const ATTEMPTS: u32 = 3;
/// How long the UI gets to show what a step waits for.
const WAIT: Duration = Duration::from_secs(40);

/// tauri-driver: from PATH, else where `cargo install` puts it.
fn tauri_driver_bin() -> PathBuf {
    let in_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("tauri-driver"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    in_path
        .into_iter()
        .chain(cargo_home.map(|c| c.join("bin/tauri-driver")))
        .find(|p| p.is_file())
        .expect("tauri-driver (scripts/install-deps.sh --test installs it with cargo install)")
}

/// tauri-driver on a free port, launching the app (through WebKitWebDriver) in `home`, on this
/// display and bus, with the harness's engine as DOCKER_HOST.
fn start_driver(home: &IsolatedHome, display: &str, bus: &str, host: &str) -> (Killed, String) {
    let port = free_port();
    let native = free_port();
    let mut cmd = Command::new(tauri_driver_bin());
    home.apply(&mut cmd);
    // The app's log level, as the test was run with (`BERTH_LOG=debug`, say, to see why a step
    // failed in the app's log).
    if let Some(level) = std::env::var_os("BERTH_LOG") {
        cmd.env("BERTH_LOG", level);
    }
    cmd.env("DISPLAY", display)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("DOCKER_HOST", host)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
            "--native-driver",
            "/usr/bin/WebKitWebDriver",
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(home.path().join("driver.log")).expect("driver log"));
    let driver = Killed(cmd.spawn().expect("tauri-driver"));
    wait_until(30, "tauri-driver and WebKitWebDriver to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            && std::net::TcpStream::connect(("127.0.0.1", native)).is_ok()
    });
    (driver, format!("http://127.0.0.1:{port}"))
}

async fn session(url: &str) -> Result<Client, fantoccini::error::NewSessionError> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": env!("CARGO_BIN_EXE_berth-app") }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(url)
        .await
}

/// A lost connection to the driver (worth another attempt), not a failed check.
fn lost(e: &CmdError) -> bool {
    matches!(
        e,
        CmdError::Lost(_) | CmdError::Failed(_) | CmdError::FailedC(_)
    ) || e.is_invalid_session_id()
}

/// The app's page, with waits on what it shows.
struct Ui {
    c: Client,
    shots: PathBuf,
}

type Step<T = ()> = Result<T, CmdError>;

impl Ui {
    /// The text of the first element matching `css`, if there is one.
    async fn text(&self, css: &str) -> Step<Option<String>> {
        match self.c.find(Locator::Css(css)).await {
            Ok(e) => match e.text().await {
                Ok(t) => Ok(Some(t)),
                Err(e) if lost(&e) => Err(e),
                Err(_) => Ok(None),
            },
            Err(e) if lost(&e) => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// Waits until `css` shows text containing `needle`.
    async fn wait_text(&self, css: &str, needle: &str) -> Step<String> {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        loop {
            last = self.text(css).await?.or(last);
            if let Some(t) = &last
                && t.contains(needle)
            {
                return Ok(t.clone());
            }
            if Instant::now() > deadline {
                self.save("failure").await?;
                panic!("{css} did not show {needle:?} in {WAIT:?}; it showed {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_present(&self, css: &str) -> Step {
        self.wait_text(css, "").await.map(drop)
    }

    async fn wait_gone(&self, css: &str) -> Step {
        let deadline = Instant::now() + WAIT;
        while self.text(css).await?.is_some() {
            if Instant::now() > deadline {
                panic!("{css} is still shown after {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Waits until the number in attribute `name` of `css` reaches `min`.
    async fn wait_at_least(&self, css: &str, name: &str, min: u64) -> Step<u64> {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await
                && let Some(v) = e.attr(name).await?
            {
                last = v.parse::<u64>().ok();
            }
            if let Some(n) = last
                && n >= min
            {
                return Ok(n);
            }
            if Instant::now() > deadline {
                self.save("failure").await?;
                panic!("{css} did not reach {name}={min} in {WAIT:?}; it showed {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Scrolls the page until `css` is in view.
    async fn scroll_to(&self, css: &str) -> Step {
        self.wait_present(css).await?;
        self.c
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });",
                vec![css.into()],
            )
            .await
            .map(drop)
    }

    async fn click(&self, css: &str) -> Step {
        self.wait_present(css).await?;
        let e = self.c.find(Locator::Css(css)).await?;
        e.click().await
    }

    /// Replaces the text of an input.
    async fn fill(&self, css: &str, text: &str) -> Step {
        self.wait_present(css).await?;
        let e = self.c.find(Locator::Css(css)).await?;
        e.clear().await?;
        e.send_keys(text).await
    }

    /// Types `keys` (WebDriver's key codes too: `\u{E007}` is Enter) into the element.
    async fn keys(&self, css: &str, keys: &str) -> Step {
        self.wait_present(css).await?;
        self.c.find(Locator::Css(css)).await?.send_keys(keys).await
    }

    /// Types `file` into the archive dialog `testid` (a save, export or load) and runs it.
    async fn archive(&self, testid: &str, file: &Path) -> Step {
        self.fill(
            &format!("[data-testid={testid}-path]"),
            &file.display().to_string(),
        )
        .await?;
        self.click(&format!("[data-testid={testid}-run]")).await
    }

    async fn enabled(&self, css: &str) -> Step<bool> {
        self.c.find(Locator::Css(css)).await?.is_enabled().await
    }

    /// Saves the window as `docs/screenshots/NAME.png` ([`Ui::save`]) and checks that the view
    /// fits the window's width (a table wider than the view scrolls sideways, its last buttons
    /// out of sight).
    async fn shot(&self, name: &str) -> Step {
        self.save(name).await?;
        let widths = self
            .c
            .execute(
                "const m = document.querySelector('main'); return [m.scrollWidth, m.clientWidth];",
                vec![],
            )
            .await?;
        let widths: Vec<u64> = serde_json::from_value(widths).expect("two widths");
        assert!(
            widths[0] <= widths[1],
            "{name}: the view is {} px wide in a {} px pane, so it scrolls sideways (docs/screenshots/{name}.png)",
            widths[0],
            widths[1]
        );
        Ok(())
    }

    /// Waits for two painted frames, then saves the window as `docs/screenshots/NAME.png`.
    async fn save(&self, name: &str) -> Step {
        self.c
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let png = self.c.screenshot().await?;
        std::fs::create_dir_all(&self.shots).expect("screenshots dir");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("screenshot");
        Ok(())
    }
}

/// The names in a tar archive, as `tar -tf` lists them (without a leading `./`).
fn tar_list(archive: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new("tar")
        .arg("-tf")
        .arg(archive)
        .output()
        .expect("tar runs");
    assert!(out.status.success(), "{} is a tar", archive.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_start_matches("./").to_owned())
        .collect()
}

/// What the scenario makes on the engine, removed when the test ends, pass or fail.
struct Made {
    engine: &'static Engine,
    containers: Vec<String>,
    projects: Vec<String>,
    images: Vec<String>,
    volumes: Vec<String>,
    networks: Vec<String>,
}

impl Drop for Made {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = self.engine.docker().args(["rm", "-f", "-v", c]).output();
        }
        for n in &self.networks {
            let _ = self.engine.docker().args(["network", "rm", n]).output();
        }
        for p in &self.projects {
            let label = format!("label=com.docker.compose.project={p}");
            if let Ok(out) = self
                .engine
                .docker()
                .args(["ps", "-aq", "--filter", &label])
                .output()
            {
                for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = self.engine.docker().args(["rm", "-f", "-v", id]).output();
                }
            }
            let _ = self
                .engine
                .docker()
                .args(["network", "rm", &format!("{p}_default")])
                .output();
        }
        for i in &self.images {
            let _ = self.engine.docker().args(["rmi", "-f", i]).output();
        }
        for v in &self.volumes {
            let _ = self
                .engine
                .docker()
                .args(["volume", "rm", "-f", v])
                .output();
        }
    }
}

struct Fixture {
    scope: Scope,
    image: String,
    /// A container that runs before the app starts.
    existing: String,
    work: PathBuf,
    /// The app's home in the current attempt.
    home: PathBuf,
}

async fn scenario(
    ui: &Ui,
    fx: &Fixture,
    notes: &Notifications,
    made: &mut Made,
    attempt: u32,
) -> Step {
    let suffix = format!("{attempt}-{}", unique_id());
    // The engine, and the host's usage.
    ui.wait_text("[data-testid=engine-line]", "running").await?;
    ui.wait_text("[data-testid=engine-counts]", "running")
        .await?;
    ui.wait_present("[data-testid=host-facts]").await?;
    // The charts follow the samples (they once kept the samples they were made with).
    ui.wait_at_least("figure[aria-label='Host CPU']", "data-samples", 3)
        .await?;
    ui.shot("dashboard").await?;
    // Its counts follow what is done on the engine, by whoever: a container started and an
    // image committed outside the app.
    let running = ui
        .wait_at_least("[data-testid=engine-counts]", "data-running", 1)
        .await?;
    let images = ui
        .wait_at_least("[data-testid=engine-images]", "data-images", 1)
        .await?;
    let outside = fx.scope.name(&format!("outside{suffix}"));
    made.containers.push(outside.clone());
    let committed = format!("berth-e2e/committed:{suffix}");
    made.images.push(committed.clone());
    engine().docker_ok(&["run", "-d", "--name", &outside, &fx.image]);
    ui.wait_at_least("[data-testid=engine-counts]", "data-running", running + 1)
        .await?;
    engine().docker_ok(&["commit", "--pause=false", &outside, &committed]);
    ui.wait_at_least("[data-testid=engine-images]", "data-images", images + 1)
        .await?;
    engine().docker_ok(&["rm", "-f", &outside]);
    engine().docker_ok(&["rmi", &committed]);
    // The top containers follow their stats once scrolled to (the container started before
    // the app is the only one running on this engine).
    ui.scroll_to("[data-testid=top-card]").await?;
    ui.wait_text("[data-testid=top-containers]", &fx.existing)
        .await?;

    // The containers, the one started before the app among them.
    ui.click("[data-testid=nav-containers]").await?;
    let existing_row = format!("[data-testid=container-row][data-name='{}']", fx.existing);
    ui.wait_present(&existing_row).await?;
    // The running rows in view show their CPU and memory (one stats stream, once the list
    // stands still).
    ui.wait_text(&format!("{existing_row} [data-testid=row-cpu]"), "%")
        .await?;
    ui.wait_text(&format!("{existing_row} [data-testid=row-memory]"), "B")
        .await?;
    ui.shot("containers").await?;
    // Paused and resumed from its row's menu (the menu is put over the list, not in it); the
    // row follows (dockerd 20.10 tells `pause` before its list shows it).
    let state_of = |c: &str| engine().docker_ok(&["inspect", "-f", "{{.State.Status}}", c]);
    for (item, state) in [("row-pause", "paused"), ("row-unpause", "running")] {
        ui.click(&format!("{existing_row} [data-testid=row-menu]"))
            .await?;
        ui.click(&format!("body > [role=menu] [data-testid={item}]"))
            .await?;
        wait_until(30, &format!("the engine to have it {state}"), || {
            state_of(&fx.existing).trim() == state
        });
        ui.wait_text(&format!("{existing_row} .badge"), state)
            .await?;
    }

    // The run dialog refuses bad input inline, before the engine is asked.
    let held = std::net::TcpListener::bind(("0.0.0.0", 0)).expect("a port to hold");
    let held_port = held.local_addr().unwrap().port();
    let port = free_port();
    let name = fx.scope.name(&format!("web{suffix}"));
    made.containers.push(name.clone());
    ui.click("[data-testid=run-open]").await?;
    ui.fill("[data-testid=run-image]", &fx.image).await?;
    ui.fill("[data-testid=run-ports]", "99999:5000").await?;
    ui.wait_text("[data-testid=run-problem]", "99999").await?;
    assert!(!ui.enabled("[data-testid=run-submit]").await?);
    ui.fill("[data-testid=run-ports]", &format!("{held_port}:5000"))
        .await?;
    ui.wait_text("[data-testid=run-problem]", &held_port.to_string())
        .await?;
    ui.fill("[data-testid=run-ports]", &format!("{port}:5000"))
        .await?;
    ui.fill("[data-testid=run-name]", "no spaces allowed")
        .await?;
    ui.wait_text("[data-testid=run-problem]", "no spaces allowed")
        .await?;
    ui.fill("[data-testid=run-name]", &name).await?;
    ui.wait_gone("[data-testid=run-problem]").await?;
    ui.fill("[data-testid=run-platform]", "linux").await?;
    ui.wait_text("[data-testid=run-problem]", "OS/ARCH").await?;
    ui.fill("[data-testid=run-platform]", &own_platform())
        .await?;
    ui.wait_gone("[data-testid=run-problem]").await?;
    ui.shot("run-dialog").await?;
    ui.click("[data-testid=run-submit]:not([disabled])").await?;
    drop(held);

    // Its page: running, answering on the host port, its output in Logs.
    ui.wait_text("[data-testid=container-name]", &name).await?;
    ui.wait_text("[data-testid=container-state]", "running")
        .await?;
    // Its header links the published port, at the address a browser opens.
    ui.wait_text("[data-testid=head-port-open]", &format!("localhost:{port}"))
        .await?;
    wait_until(30, "the container to answer on its host port", || {
        http_get(&format!("127.0.0.1:{port}"), "/")
            .is_some_and(|(status, body)| status == 200 && body.contains("hello from berth"))
    });
    ui.wait_text("[data-testid=logs]", "web started").await?;
    ui.shot("container-logs").await?;

    // A command in its terminal.
    ui.click("[data-testid=tab-terminal]").await?;
    ui.wait_present("[data-testid=terminal] .xterm-helper-textarea")
        .await?;
    let textarea =
        ui.c.find(Locator::Css(
            "[data-testid=terminal] .xterm-helper-textarea",
        ))
        .await?;
    textarea.send_keys("echo $((6*7))-answer\n").await?;
    ui.wait_text("[data-testid=terminal] .xterm-rows", "42-answer")
        .await?;
    ui.shot("container-terminal").await?;
    // The terminal keeps its session while another tab shows; once the page goes, its shell is
    // hung up, with what it runs even when that ignores Ctrl-C and reads no Ctrl-D (the engine
    // would leave both running in the container).
    ui.click("[data-testid=tab-logs]").await?;
    ui.click("[data-testid=tab-terminal]").await?;
    ui.wait_text("[data-testid=terminal] .xterm-rows", "42-answer")
        .await?;
    textarea.send_keys("trap '' INT; sleep 7100\n").await?;
    let running = |command: &str| {
        engine()
            .docker_ok(&["top", &name, "-o", "pid,args"])
            .lines()
            .filter(|l| {
                l.trim()
                    .split_once(' ')
                    .is_some_and(|(_, args)| args.trim() == command)
            })
            .count()
    };
    wait_until(30, "the terminal's command to run", || {
        running("sleep 7100") == 1
    });
    assert_eq!(
        running("sh"),
        1,
        "the terminal's shell runs in the container"
    );
    // Its Stats list its processes, as the engine's top has them: the terminal's command among them.
    ui.click("[data-testid=tab-stats]").await?;
    ui.wait_text("[data-testid=processes]", "sleep 7100")
        .await?;
    // The page left for its image's details (the header's image opens them in Images).
    ui.click("[data-testid=container-image]").await?;
    ui.wait_present(&format!(
        "[data-testid=image-details][data-image='{}']",
        fx.image
    ))
    .await?;
    wait_until(
        30,
        "the terminal's shell and command to end with its page",
        || running("sh") + running("sleep 7100") == 0,
    );
    ui.click("[data-testid=nav-containers]").await?;
    ui.click(&format!(
        "[data-testid=container-row][data-name='{name}'] button.name"
    ))
    .await?;
    ui.wait_text("[data-testid=container-name]", &name).await?;

    // Its networks: connected to one made outside the app (with an alias), then disconnected.
    let network = fx.scope.name(&format!("net{suffix}"));
    made.networks.push(network.clone());
    engine().docker_ok(&["network", "create", &network]);
    let on_engine = || {
        engine().docker_ok(&[
            "inspect",
            "-f",
            "{{range $n, $e := .NetworkSettings.Networks}}{{$n}}={{join $e.Aliases \",\"}} {{end}}",
            &name,
        ])
    };
    ui.click("[data-testid=tab-details]").await?;
    ui.wait_present(&format!(
        "[data-testid=network-choice] option[value='{network}']"
    ))
    .await?;
    ui.c.find(Locator::Css(&format!(
        "[data-testid=network-choice] option[value='{network}']"
    )))
    .await?
    .click()
    .await?;
    ui.fill("[data-testid=network-aliases]", "api-alias")
        .await?;
    ui.click("[data-testid=network-connect]").await?;
    let attached = format!("[data-testid=container-network][data-name='{network}']");
    ui.wait_text(&attached, "api-alias").await?;
    let joined = on_engine();
    assert!(
        joined.contains(&format!("{network}=")) && joined.contains("api-alias"),
        "the engine has {name} on {network} as api-alias: {joined}"
    );
    ui.shot("container-networks").await?;
    ui.click(&format!("{attached} [data-testid=network-disconnect]"))
        .await?;
    ui.wait_gone(&attached).await?;
    assert!(
        !on_engine().contains(&format!("{network}=")),
        "{name} is off {network}"
    );

    // Stop it, then remove it (after the confirmation that names it).
    ui.click("[data-testid=container-stop]").await?;
    ui.wait_text("[data-testid=container-state]", "exited")
        .await?;
    // Its files exported to a tar from the header's More menu, as `docker export` writes them.
    let exported = fx.work.join("container.tar");
    ui.click(".head [data-testid=row-menu]").await?;
    ui.click("[role=menu] [data-testid=container-export]")
        .await?;
    ui.archive("container-archive", &exported).await?;
    ui.wait_text(
        "[data-testid=container-note]",
        &format!("to {}", exported.display()),
    )
    .await?;
    let files = tar_list(&exported);
    assert!(
        files.iter().any(|f| f == "bin/busybox") && files.iter().any(|f| f == "www/index.html"),
        "the container's files in {}: {files:?}",
        exported.display()
    );
    // Its restart policy and CPU limit changed from the same menu, as `docker update` does.
    ui.click(".head [data-testid=row-menu]").await?;
    ui.click("[role=menu] [data-testid=container-update]")
        .await?;
    ui.c.find(Locator::Css(
        "[data-testid=change-restart] option[value='always']",
    ))
    .await?
    .click()
    .await?;
    ui.fill("[data-testid=change-cpus]", "0.5").await?;
    ui.click("[data-testid=change-run]").await?;
    ui.wait_text(
        "[data-testid=container-note]",
        "Restart policy always, 0.5 CPUs",
    )
    .await?;
    assert_eq!(
        engine()
            .docker_ok(&[
                "inspect",
                "-f",
                "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NanoCpus}}",
                &name
            ])
            .trim(),
        "always 500000000"
    );
    ui.click("[data-testid=container-remove]").await?;
    ui.wait_text("[data-testid=confirm-items]", &name).await?;
    ui.click(".dialog button.danger").await?;
    ui.wait_present(&existing_row).await?;
    ui.wait_gone(&format!("[data-testid=container-row][data-name='{name}']"))
        .await?;
    let gone = engine().docker().args(["inspect", &name]).output();
    assert!(
        !gone.unwrap().status.success(),
        "{name} is still on the engine"
    );
    // One removed by the CLI while its page shows: the page says so, with nothing to act on.
    let removed = fx.scope.name(&format!("gone{suffix}"));
    made.containers.push(removed.clone());
    engine().docker_ok(&["run", "-d", "--name", &removed, &fx.image]);
    ui.click(&format!(
        "[data-testid=container-row][data-name='{removed}'] button.name"
    ))
    .await?;
    ui.wait_text("[data-testid=container-state]", "running")
        .await?;
    engine().docker_ok(&["rm", "-f", &removed]);
    ui.wait_text("[data-testid=container-gone]", "was removed")
        .await?;
    ui.wait_gone("[data-testid=container-stop]").await?;

    // Images.
    ui.click("[data-testid=nav-images]").await?;
    // The image of the container started before the app is in use by it.
    let in_use = format!(
        "[data-testid=image-row][data-tag='{}'] [data-testid=image-in-use]",
        fx.image
    );
    ui.wait_text(&in_use, "1 container").await?;
    // Its count opens the container list on that image's containers only: not one made from
    // another image (a commit of the same container, so an image of the same layers).
    let other_image = format!("berth-e2e/other:{suffix}");
    let other = fx.scope.name(&format!("other{suffix}"));
    made.images.push(other_image.clone());
    made.containers.push(other.clone());
    engine().docker_ok(&["commit", "--pause=false", &fx.existing, &other_image]);
    engine().docker_ok(&["create", "--name", &other, &other_image]);
    let other_row = format!("[data-testid=container-row][data-name='{other}']");
    ui.click(&format!("{in_use} [data-testid=image-containers]"))
        .await?;
    // The chip's visible name is shortened to fit the toolbar: it names the image whole in an
    // attribute.
    ui.wait_present(&format!(
        "[data-testid=containers-image][data-image='{}']",
        fx.image
    ))
    .await?;
    ui.wait_present(&existing_row).await?;
    ui.wait_gone(&other_row).await?;
    ui.click("[data-testid=containers-image] button").await?;
    ui.wait_present(&other_row).await?;
    engine().docker_ok(&["rm", &other]);
    engine().docker_ok(&["rmi", &other_image]);
    ui.click("[data-testid=nav-images]").await?;
    // An image made, tagged again and removed outside the app comes and goes in the list, a
    // line for each tag (as `docker images` shows them).
    let outside_image = format!("berth-e2e/outside:{suffix}");
    let second_tag = format!("berth-e2e/outside-too:{suffix}");
    made.images
        .extend([outside_image.clone(), second_tag.clone()]);
    let row = |tag: &str| format!("[data-testid=image-row][data-tag='{tag}']");
    engine().docker_ok(&["commit", "--pause=false", &fx.existing, &outside_image]);
    ui.wait_present(&row(&outside_image)).await?;
    engine().docker_ok(&["tag", &outside_image, &second_tag]);
    ui.wait_present(&row(&second_tag)).await?;
    ui.wait_present(&row(&outside_image)).await?;
    engine().docker_ok(&["rmi", &outside_image, &second_tag]);
    ui.wait_gone(&row(&outside_image)).await?;
    ui.wait_gone(&row(&second_tag)).await?;
    // Tagged from its row's More menu (shown open in the screenshot): the engine has the tag.
    let menu_tag = format!("berth-e2e/tagged:{suffix}");
    made.images.push(menu_tag.clone());
    ui.click(&format!("{} [data-testid=row-menu]", row(&fx.image)))
        .await?;
    ui.wait_present("[role=menu] [data-testid=image-tag]")
        .await?;
    ui.shot("images").await?;
    ui.click("[role=menu] [data-testid=image-tag]").await?;
    ui.fill("[data-testid=tag-target]", &menu_tag).await?;
    ui.click("[data-testid=tag-submit]").await?;
    ui.wait_present(&row(&menu_tag)).await?;
    engine().docker_ok(&["image", "inspect", "-f", "{{.Id}}", &menu_tag]);
    // Saved to an archive from the More menu, untagged outside the app, and loaded back.
    let archive = fx.work.join("tagged.tar");
    ui.click(&format!("{} [data-testid=row-menu]", row(&menu_tag)))
        .await?;
    ui.click("[role=menu] [data-testid=image-save]").await?;
    ui.archive("image-archive", &archive).await?;
    ui.wait_text("[data-testid=images-note]", &format!("Saved {menu_tag} to"))
        .await?;
    assert!(
        tar_list(&archive).iter().any(|f| f == "manifest.json"),
        "{} is a docker save archive",
        archive.display()
    );
    engine().docker_ok(&["rmi", &menu_tag]);
    ui.wait_gone(&row(&menu_tag)).await?;
    ui.click("[data-testid=images-load]").await?;
    ui.archive("image-archive", &archive).await?;
    ui.wait_text(
        "[data-testid=images-note]",
        &format!("Loaded image: {menu_tag}"),
    )
    .await?;
    ui.wait_present(&row(&menu_tag)).await?;

    // Pushed to a registry from the push dialog (a name Docker Hub's official images hold is
    // refused as typed; the image is tagged with the name given first), then pulled back.
    let pushed = format!("{}/berth-e2e/pushed:{suffix}", registry().addr);
    made.images.push(pushed.clone());
    ui.click(&format!("{} [data-testid=image-push]", row(&menu_tag)))
        .await?;
    ui.fill("[data-testid=push-target]", "pushed:1").await?;
    ui.wait_text("[data-testid=push-problem]", "Docker Hub's official images")
        .await?;
    assert!(!ui.enabled("[data-testid=push-submit]").await?);
    ui.fill("[data-testid=push-target]", &pushed).await?;
    ui.wait_text("[data-testid=push-where]", "is tagged")
        .await?;
    ui.click("[data-testid=push-submit]:not([disabled])")
        .await?;
    ui.wait_text(
        "[data-testid=progress-title]",
        &format!("Push {pushed}: done"),
    )
    .await?;
    engine().docker_ok(&["rmi", &pushed]);
    ui.wait_gone(&row(&pushed)).await?;
    // Pulled back for a platform named (the engine's own: the only one the registry has).
    let own = own_platform();
    ui.fill("[data-testid=pull-ref]", &pushed).await?;
    ui.fill("[data-testid=pull-platform]", &own).await?;
    ui.click("[data-testid=pull-start]").await?;
    ui.wait_text(
        "[data-testid=progress-title]",
        &format!("Pull {pushed} for {own}: done"),
    )
    .await?;
    ui.wait_present(&row(&pushed)).await?;
    assert_eq!(
        engine().docker_ok(&["image", "inspect", "-f", "{{.Id}}", &pushed]),
        engine().docker_ok(&["image", "inspect", "-f", "{{.Id}}", &menu_tag])
    );

    // A registry that wants a login: signed in from Registries (a wrong password refused by the
    // registry, through the engine; kept in config.json, there is no keychain here), pushed to
    // with that login, listed, then signed out.
    let auth = auth_registry();
    let (user, password) = auth.credentials.clone().unwrap();
    let login = format!("[data-testid=registry-login][data-server='{}']", auth.addr);
    ui.click("[data-testid=tab-registry]").await?;
    ui.fill("[data-testid=registry-host]", &auth.addr).await?;
    ui.click("[data-testid=registry-list]").await?;
    ui.click(&format!("{login} [data-testid=registry-login-open]"))
        .await?;
    ui.fill("[data-testid=registry-username]", &user).await?;
    ui.fill("[data-testid=registry-password]", "wrong").await?;
    ui.click("[data-testid=registry-plain]").await?;
    ui.click("[data-testid=registry-login-run]").await?;
    ui.wait_text("[data-testid=registry-login-error]", "401")
        .await?;
    ui.fill("[data-testid=registry-password]", &password)
        .await?;
    ui.click("[data-testid=registry-login-run]").await?;
    ui.wait_text(
        &format!("{login} [data-testid=registry-login-state]"),
        &format!("as {user}"),
    )
    .await?;
    ui.shot("registries").await?;
    let authed = format!("{}/berth-e2e/authed:{suffix}", auth.addr);
    made.images.push(authed.clone());
    ui.click("[data-testid=tab-local]").await?;
    ui.click(&format!("{} [data-testid=image-push]", row(&menu_tag)))
        .await?;
    ui.fill("[data-testid=push-target]", &authed).await?;
    ui.click("[data-testid=push-submit]:not([disabled])")
        .await?;
    ui.wait_text(
        "[data-testid=progress-title]",
        &format!("Push {authed}: done"),
    )
    .await?;
    ui.click("[data-testid=tab-registry]").await?;
    ui.fill("[data-testid=registry-host]", &auth.addr).await?;
    ui.click("[data-testid=registry-list]").await?;
    ui.wait_text("[data-testid=registry-repos]", "berth-e2e/authed")
        .await?;
    ui.click(&format!("{login} [data-testid=registry-logout]"))
        .await?;
    ui.wait_text(
        &format!("{login} [data-testid=registry-login-state]"),
        "Not signed in",
    )
    .await?;
    let config = std::fs::read_to_string(fx.home.join(".docker/config.json")).unwrap_or_default();
    assert!(!config.contains(&auth.addr), "signed out: {config}");
    ui.click("[data-testid=tab-local]").await?;

    // Build an image from a folder.
    let tag = format!("berth-e2e/built:{suffix}");
    made.images.push(tag.clone());
    let context = fx.work.join(format!("build-{suffix}"));
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(
        context.join("Dockerfile"),
        format!(
            // The extra host given under More options is in the RUN steps' /etc/hosts, and the
            // SSH agent given there is mounted in the step, or the build fails.
            "FROM {}\nRUN --mount=type=ssh grep -q 'berth-db' /etc/hosts && test -S \"$SSH_AUTH_SOCK\" && echo built-by-berth > /built\nCMD [\"cat\", \"/built\"]\n",
            fx.image
        ),
    )
    .unwrap();
    // An agent's socket, outside the context (the step only sees it mounted: nothing connects
    // to it).
    let agent = fx.work.join(format!("agent-{suffix}.sock"));
    let _agent = std::os::unix::net::UnixListener::bind(&agent).unwrap();
    ui.click("[data-testid=nav-builds]").await?;
    ui.fill(
        "[data-testid=build-context]",
        &context.display().to_string(),
    )
    .await?;
    ui.fill("[data-testid=build-tag]", &tag).await?;
    ui.fill("[data-testid=build-platform]", &own_platform())
        .await?;
    ui.click("[data-testid=build-more] summary").await?;
    ui.fill("[data-testid=build-labels]", "made.by=berth-e2e")
        .await?;
    ui.fill("[data-testid=build-hosts]", "berth-db:10.9.8.7")
        .await?;
    ui.fill("[data-testid=build-network]", "none").await?;
    ui.fill(
        "[data-testid=build-ssh]",
        &format!("default={}", agent.display()),
    )
    .await?;
    ui.click("[data-testid=build-start]").await?;
    // The build goes on while another view is shown (leaving Builds cancelled it once).
    ui.click("[data-testid=nav-containers]").await?;
    ui.click("[data-testid=nav-builds]").await?;
    ui.wait_text("[data-testid=build-status]", &format!("Built {tag}"))
        .await?;
    // Built by BuildKit, as the form builds unless told otherwise: its plain progress.
    ui.wait_text(
        "[data-testid=progress-lines]",
        "2] RUN --mount=type=ssh grep -q 'berth-db' /etc/hosts",
    )
    .await?;
    ui.wait_text("[data-testid=build-history-options]", "BuildKit")
        .await?;
    ui.wait_text("[data-testid=build-history-options]", "1 SSH agent")
        .await?;
    ui.wait_text("[data-testid=build-history]", &tag).await?;
    ui.wait_text(
        "[data-testid=build-history-platform]",
        &format!("({})", own_platform()),
    )
    .await?;
    ui.shot("builds").await?;
    assert_eq!(
        engine()
            .docker_ok(&[
                "inspect",
                "-f",
                "{{index .Config.Labels \"made.by\"}}",
                &tag
            ])
            .trim(),
        "berth-e2e"
    );
    // A finished build is a desktop notification.
    let built = format!("Built {tag}");
    let deadline = Instant::now() + WAIT;
    while !notes.sent(&built) {
        assert!(
            Instant::now() < deadline,
            "no notification {built:?}: {:?}",
            notes.texts()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = engine()
        .docker()
        .args(["run", "--rm", &tag])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "built-by-berth"
    );

    // A compose project: opened, brought up, its logs shown, grouped in the container list.
    let project = format!("e2e{}", suffix.replace('-', ""));
    made.projects.push(project.clone());
    made.volumes.push(format!("{project}_data"));
    let dir = fx.work.join(&project);
    let web_port = free_port();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        format!(
            "name: {project}\nservices:\n  web:\n    image: {img}\n    ports: [\"{web_port}:5000\"]\n    stop_grace_period: 1s\n  worker:\n    image: {img}\n    stop_grace_period: 1s\n    command: [\"sh\", \"-c\", \"echo working; sleep 3600\"]\n    volumes: [\"data:/data\"]\n  probe:\n    image: {img}\n    stop_grace_period: 1s\n    profiles: [debug]\nvolumes:\n  data: {{}}\njobs:\n  report:\n    image: {img}\n    depends_on: [worker]\n    command: [\"sh\", \"-c\", \"echo report-done\"]\n    profiles: [reports]\n    triggers: {{manual: true}}\n",
            img = fx.image
        ),
    )
    .unwrap();
    ui.click("[data-testid=nav-compose]").await?;
    ui.fill("[data-testid=compose-path]", &dir.display().to_string())
        .await?;
    ui.click("[data-testid=compose-open]").await?;
    ui.wait_text("[data-testid=compose-opened]", "worker")
        .await?;
    ui.click("[data-testid=compose-up]").await?;
    ui.wait_text(
        &format!("[data-testid=compose-project][data-project='{project}']"),
        "running(2)",
    )
    .await?;
    // Its web container's published port, linked.
    ui.wait_text(
        &format!("[data-testid=compose-project][data-project='{project}'] [data-testid=project-port-open]"),
        &web_port.to_string(),
    )
    .await?;
    // The project's logs: its worker's line, marked with the container.
    ui.click(&format!(
        "[data-testid=compose-project][data-project='{project}'] [data-testid=project-logs-toggle]"
    ))
    .await?;
    ui.wait_text(
        "[data-testid=project-logs-lines]",
        &format!("{project}-worker-1  | working"),
    )
    .await?;
    ui.shot("compose").await?;
    ui.click("[data-testid=nav-containers]").await?;
    ui.wait_text(
        &format!("[data-testid=project-group][data-project='{project}']"),
        "2/2 running",
    )
    .await?;
    ui.shot("containers-grouped").await?;
    // Its profile `debug` turned on and Up again: the service it enables comes up with the
    // rest (Down below takes it with the project).
    ui.click("[data-testid=nav-compose]").await?;
    ui.fill("[data-testid=compose-path]", &dir.display().to_string())
        .await?;
    ui.click("[data-testid=compose-open]").await?;
    ui.click("[data-testid=compose-profile][data-profile=debug]")
        .await?;
    ui.wait_text("[data-testid=compose-opened] .toolbar", "probe")
        .await?;
    ui.click("[data-testid=compose-up]").await?;
    ui.wait_text(
        &format!("[data-testid=compose-project][data-project='{project}']"),
        &format!("{project}-probe-1"),
    )
    .await?;
    ui.wait_gone("[data-testid=compose-up]:disabled").await?;
    ui.shot("compose-files").await?;
    // A job of the project, in a profile not enabled, run by hand from the Compose view: its
    // one-off container's page shows what it wrote (Down below removes that container with the
    // rest).
    ui.wait_text(
        "[data-testid=compose-job][data-job=report] [data-testid=compose-job-profiles]",
        "profile reports not enabled",
    )
    .await?;
    ui.click("[data-testid=compose-job][data-job=report] [data-testid=compose-job-run]")
        .await?;
    ui.click("[data-testid=compose-job-started] button").await?;
    ui.wait_text("[data-testid=logs]", "report-done").await?;

    // Volumes: one made by the CLI shows at once (the engine's volume events); its files are
    // browsed folder by folder and one is downloaded to this machine.
    ui.click("[data-testid=nav-volumes]").await?;
    ui.wait_present("[data-testid=volumes]").await?;
    let volume = fx.scope.name(&format!("data{suffix}"));
    made.volumes.push(volume.clone());
    engine().docker_ok(&["volume", "create", &volume]);
    let mount = format!("{volume}:/v");
    engine().docker_ok(&[
        "run",
        "--rm",
        "-v",
        &mount,
        &fx.image,
        "sh",
        "-c",
        "mkdir -p /v/conf && echo kept-in-a-volume > /v/conf/app.ini",
    ]);
    let row = format!("[data-testid=volume-row][data-name='{volume}']");
    ui.wait_present(&row).await?;
    ui.click(&format!("{row} [data-testid=volume-browse]"))
        .await?;
    ui.click("[data-testid=file-row][data-name=conf] [data-testid=file-open]")
        .await?;
    ui.wait_text("[data-testid=files-path]", "/conf").await?;
    let downloaded = fx.work.join(format!("app{suffix}.ini"));
    ui.fill(
        "[data-testid=files-local]",
        &downloaded.display().to_string(),
    )
    .await?;
    ui.click("[data-testid=file-row][data-name='app.ini'] [data-testid=file-download]")
        .await?;
    ui.wait_text("[data-testid=files-note]", "Copied /conf/app.ini")
        .await?;
    assert_eq!(
        std::fs::read_to_string(&downloaded).unwrap(),
        "kept-in-a-volume\n"
    );
    ui.shot("volume-files").await?;
    ui.click("[data-testid=volume-files-close]").await?;
    ui.wait_gone("[data-testid=files-path]").await?;
    // A volume made from the app with the local driver's options (tmpfs) and a label.
    let tmpfs = fx.scope.name(&format!("tmpfs{suffix}"));
    made.volumes.push(tmpfs.clone());
    ui.click("[data-testid=volume-create]").await?;
    ui.fill("[data-testid=create-volume-name]", &tmpfs).await?;
    ui.fill(
        "[data-testid=create-volume-options]",
        // Enter between the lines: WebDriver types no key for "\n".
        "type=tmpfs\u{E007}device=tmpfs\u{E007}o=size=8m",
    )
    .await?;
    ui.fill("[data-testid=create-volume-labels]", "made.by=berth-e2e")
        .await?;
    ui.click("[data-testid=create-volume-run]").await?;
    ui.wait_text("[data-testid=volume-note]", &format!("Created {tmpfs}"))
        .await?;
    ui.wait_present(&format!("[data-testid=volume-row][data-name='{tmpfs}']"))
        .await?;
    let inspected = engine().docker_ok(&[
        "volume",
        "inspect",
        "-f",
        "{{.Options.type}} {{.Options.o}} {{index .Labels \"made.by\"}}",
        &tmpfs,
    ]);
    assert_eq!(inspected.trim(), "tmpfs size=8m berth-e2e");

    // The other views show what the engine has.
    for (view, css) in [
        ("volumes", "[data-testid=volumes]"),
        ("engines", "[data-testid=contexts]"),
        ("troubleshoot", "[data-testid=troubleshoot-log]"),
        ("settings", "[data-testid=theme]"),
    ] {
        ui.click(&format!("[data-testid=nav-{view}]")).await?;
        ui.wait_present(css).await?;
        ui.shot(view).await?;
    }
    // A diagnostics archive, saved from Troubleshoot: the engine's info and Berth's logs in it.
    ui.click("[data-testid=nav-troubleshoot]").await?;
    let diagnostics = fx.work.join(format!("diagnostics{suffix}.tar.gz"));
    ui.click("[data-testid=diagnostics-save]").await?;
    ui.archive("diagnostics-archive", &diagnostics).await?;
    ui.wait_text("[data-testid=diagnostics-saved]", "engine-info.json")
        .await?;
    let folder = format!("diagnostics{suffix}");
    let listed = tar_list(&diagnostics);
    for file in ["engine-info.json", "engine-view.json", "logs/app.log"] {
        assert!(
            listed.contains(&format!("{folder}/{file}")),
            "{file} in {listed:?}"
        );
    }
    // A remote engine added, then removed after the confirmation that names it: stored as a
    // docker context in the home's Docker config, and gone from there.
    ui.click("[data-testid=nav-engines]").await?;
    let remote = format!("e2e{suffix}");
    let meta = || fx.home.join(".docker/contexts/meta");
    let stored = |name: &str| {
        std::fs::read_dir(meta())
            .into_iter()
            .flatten()
            .flatten()
            .any(|d| {
                std::fs::read_to_string(d.path().join("meta.json"))
                    .is_ok_and(|m| m.contains(&format!("\"Name\":\"{name}\"")))
            })
    };
    ui.fill("[data-testid=context-name]", &remote).await?;
    ui.fill("[data-testid=context-host]", "tcp://127.0.0.1:2")
        .await?;
    ui.click("[data-testid=context-add]").await?;
    let row = format!("[data-testid=context-row][data-name='{remote}']");
    ui.wait_text(&row, "tcp://127.0.0.1:2").await?;
    assert!(stored(&remote), "{remote} stored in {}", meta().display());
    ui.click(&format!("{row} [data-testid=context-remove]"))
        .await?;
    ui.wait_text("[data-testid=confirm-items]", "tcp://127.0.0.1:2")
        .await?;
    ui.click("[role=alertdialog] button.danger").await?;
    ui.wait_gone(&row).await?;
    assert!(
        !stored(&remote),
        "{remote} removed from {}",
        meta().display()
    );

    ui.click("[data-testid=nav-networks]").await?;
    let network = format!("{project}_default");
    ui.wait_text("[data-testid=networks]", &network).await?;
    // A network's details, opened with Go to (Ctrl+K): its containers, with the addresses the
    // engine gave them. The whole name is the first match; Enter opens it.
    ui.keys("body", "\u{E009}k\u{E000}").await?;
    // The project's name finds the project, its containers, its network.
    ui.fill("[data-testid=goto-query]", &project).await?;
    ui.wait_present(&format!(
        "[data-testid=goto-item][aria-selected=true][data-kind=project][data-label='{project}']"
    ))
    .await?;
    ui.wait_present(&format!(
        "[data-testid=goto-item][data-kind=network][data-label='{network}']"
    ))
    .await?;
    ui.shot("goto").await?;
    ui.fill("[data-testid=goto-query]", &network).await?;
    ui.wait_present(&format!(
        "[data-testid=goto-item][aria-selected=true][data-kind=network][data-label='{network}']"
    ))
    .await?;
    ui.keys("[data-testid=goto-query]", "\u{E007}").await?;
    ui.wait_gone("[data-testid=goto]").await?;
    let web = format!("{project}-web-1");
    let address = engine().docker_ok(&[
        "inspect",
        "-f",
        &format!("{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}"),
        &web,
    ]);
    assert!(
        !address.trim().is_empty(),
        "{web} has an address on {network}"
    );
    ui.wait_text(
        &format!("[data-testid=network-details-containers] tr[data-name='{web}']"),
        address.trim(),
    )
    .await?;
    ui.shot("networks").await?;
    // A network made from the app, with its own subnet and a label: its details show it.
    let octet = berth_testkit::free_subnet_octet();
    let backend = fx.scope.name(&format!("backend{suffix}"));
    made.networks.push(backend.clone());
    ui.click("[data-testid=network-create]").await?;
    ui.fill("[data-testid=create-network-name]", &backend)
        .await?;
    ui.fill(
        "[data-testid=create-network-subnet]",
        &format!("10.{octet}.0.0/24"),
    )
    .await?;
    ui.fill("[data-testid=create-network-labels]", "made.by=berth-e2e")
        .await?;
    ui.click("[data-testid=create-network-internal]").await?;
    ui.click("[data-testid=create-network-run]").await?;
    ui.wait_text(
        "[data-testid=network-details]",
        &format!("10.{octet}.0.0/24"),
    )
    .await?;
    let inspected = engine().docker_ok(&[
        "network",
        "inspect",
        "-f",
        "{{.Internal}} {{(index .IPAM.Config 0).Subnet}} {{index .Labels \"made.by\"}}",
        &backend,
    ]);
    assert_eq!(
        inspected.trim(),
        format!("true 10.{octet}.0.0/24 berth-e2e")
    );

    // Down with its volumes: asked first, listing what goes by name; then gone from the engine.
    ui.click("[data-testid=nav-compose]").await?;
    let row = format!("[data-testid=compose-project][data-project='{project}']");
    ui.click(&format!("{row} [data-testid=project-down-volumes]"))
        .await?;
    let listed = ui
        .wait_text(
            "[data-testid=confirm-items]",
            &format!("volume {project}_data"),
        )
        .await?;
    for item in [
        format!("container {project}-worker-1"),
        format!("container {project}-probe-1"),
        format!("network {project}_default"),
    ] {
        assert!(listed.contains(&item), "{item} in {listed}");
    }
    ui.click("[role=alertdialog] button.danger").await?;
    ui.wait_gone(&row).await?;
    let left = |args: &[&str]| engine().docker_ok(args).trim().to_owned();
    assert_eq!(
        left(&[
            "ps",
            "-aq",
            "--filter",
            &format!("label=com.docker.compose.project={project}")
        ]),
        ""
    );
    assert_eq!(
        left(&[
            "volume",
            "ls",
            "-q",
            "--filter",
            &format!("name={project}_data")
        ]),
        ""
    );

    // Start at login, from Settings: an XDG autostart entry that starts the tray (which opens
    // the window unless "start minimised" is on).
    ui.click("[data-testid=nav-settings]").await?;
    ui.click("[data-testid=start-at-login]").await?;
    ui.click("[data-testid=settings-save]").await?;
    ui.wait_present("[data-testid=settings-saved]").await?;
    // Berth's engine configuration file, from the same view: written where the engine reads it.
    let daemon_json = fx.home.join("config/berth/daemon.json");
    ui.wait_text("[data-testid=daemon-json-path]", "config/berth/daemon.json")
        .await?;
    let mirrors = r#"{"registry-mirrors": ["https://mirror.example"]}"#;
    ui.fill("[data-testid=daemon-json]", mirrors).await?;
    ui.click("[data-testid=daemon-json-save]").await?;
    ui.wait_text("[data-testid=daemon-json-status]", "Saved.")
        .await?;
    assert_eq!(
        std::fs::read_to_string(&daemon_json).unwrap_or_default(),
        mirrors
    );
    // auto-launch writes to $HOME/.config/autostart, whatever XDG_CONFIG_HOME says.
    let autostart = fx.home.join(".config/autostart");
    wait_until(10, "an autostart entry for Berth", || {
        std::fs::read_dir(&autostart)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("berth-tray --login"))
            })
    });
    Ok(())
}

#[test]
#[ignore = "needs root, Xvfb, WebKitWebDriver, tauri-driver and a real dockerd (scripts/test.sh runs it)"]
fn the_app_end_to_end() {
    require_root();
    let engine = engine();
    let scope = Scope::new(engine);
    let image = format!("berth-e2e/web:{}", scope.id);
    busybox_image(
        engine,
        &scope,
        &image,
        "RUN mkdir -p /www && echo 'hello from berth' > /www/index.html\nCMD [\"sh\", \"-c\", \"echo web started; exec httpd -f -p 5000 -h /www\"]",
    );
    let existing = scope.name("existing");
    engine.docker_ok(&[
        "run",
        "-d",
        "--label",
        &scope.label(),
        "--name",
        &existing,
        &image,
    ]);
    let work = engine.root.join(format!("e2e-{}", scope.id));
    std::fs::create_dir_all(&work).expect("the test's folder");
    let mut fx = Fixture {
        scope,
        image,
        existing,
        work,
        home: PathBuf::new(),
    };
    let mut made = Made {
        engine,
        containers: Vec::new(),
        projects: Vec::new(),
        images: Vec::new(),
        volumes: Vec::new(),
        networks: Vec::new(),
    };
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    let rt = tokio::runtime::Runtime::new().unwrap();
    for attempt in 1..=ATTEMPTS {
        let home = IsolatedHome::new();
        let (_x, display) = xvfb();
        let (_bus, bus) = session_bus();
        let notes = Notifications::watch(&bus, home.path());
        let (_driver, url) = start_driver(&home, &display, &bus, &engine.host);
        fx.home = home.path().to_path_buf();
        let result = rt.block_on(async {
            let c = match session(&url).await {
                Ok(c) => c,
                Err(e) => return Err((true, format!("no WebDriver session: {e}"))),
            };
            let ui = Ui {
                c,
                shots: shots.clone(),
            };
            let done = scenario(&ui, &fx, &notes, &mut made, attempt).await;
            let mut crash = None;
            if let Err(e) = &done {
                // The driver's whole answer, and the window as it was (docs/screenshots/failure.png).
                eprintln!("attempt {attempt} failed: {e:?}");
                let _ = ui.save("failure").await;
                print_logs(&fx.home);
                crash = panic_of_the_app(&fx.home);
            }
            let _ = ui.c.close().await;
            // A session gone because the app panicked is a failure, not a lost driver.
            done.map_err(|e| match crash {
                Some(panic) => (false, format!("{e}; the app panicked: {panic}")),
                None => (lost(&e), e.to_string()),
            })
        });
        match result {
            Ok(()) => return,
            Err((true, e)) if attempt < ATTEMPTS => {
                eprintln!("attempt {attempt} lost the driver: {e}; again")
            }
            Err((_, e)) => panic!("attempt {attempt}: {e}"),
        }
    }
}

/// The line where the app said it panicked, in what the driver and the app printed.
fn panic_of_the_app(home: &Path) -> Option<String> {
    std::fs::read_to_string(home.join("driver.log"))
        .ok()?
        .lines()
        .find(|l| l.contains("panicked at"))
        .map(str::to_owned)
}

/// The ends of what the driver and the app printed, and of the app's own log, so a failed
/// attempt says whether the app went away (a crash) or the driver lost it.
fn print_logs(home: &Path) {
    let mut files = vec![home.join("driver.log")];
    let mut dirs = vec![home.join("state")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if entry.file_name().to_string_lossy().starts_with("app.") {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        eprintln!("--- the end of {}:", file.display());
        for line in &lines[lines.len().saturating_sub(40)..] {
            eprintln!("{line}");
        }
    }
}

/// The engine's own platform (`linux/amd64`), as a pull or build names it.
fn own_platform() -> String {
    engine()
        .docker_ok(&["version", "-f", "{{.Server.Os}}/{{.Server.Arch}}"])
        .trim()
        .to_owned()
}
