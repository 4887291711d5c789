//! Compose projects as the app drives them, on the harness's real engine: a project's logs
//! (`Berth::project_logs`: every container of the project by its labels, stopped ones too, each
//! line once; a container started again and one started later are followed from their start; a
//! one-off container is left out), a project's whole logs saved to a file merged by time
//! (`Berth::save_project_logs`), a project stopped and started in the order of its services'
//! `depends_on` (`Berth::compose_action`), what its Down would remove, listed first
//! (`Berth::compose_down_preview`), and how its containers stand to its files as they are edited
//! (`Berth::compose_view`'s state, `Berth::compose_file_changes`), a job run from the app
//! (`compose_action` `run`), and profiles chosen in the app (Up with them; Down takes the
//! project whole). Needs root and a real engine: run with `--include-ignored`.

use std::time::Duration;

mod support;

use berth_api::ProjectLogLine;
use berth_api::compose::ProjectFileState;
use berth_testkit::{Scope, engine};
use futures_util::StreamExt;

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_projects_logs_follow_its_containers_as_they_start() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "logs");
    let (_home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    let project = scope.name("proj");

    // A service that keeps running, one that said its line and stopped, and a one-off.
    let run = |service: &str, detach: bool, extra: &[&str], script: &str| {
        let name = scope.name(service);
        let (project_label, service_label) = (
            format!("com.docker.compose.project={project}"),
            format!("com.docker.compose.service={service}"),
        );
        let mut args = vec![
            "run",
            "--name",
            &name,
            "-l",
            &project_label,
            "-l",
            &service_label,
        ];
        let scope_label = scope.label();
        args.extend(["-l", &scope_label]);
        args.extend(extra);
        if detach {
            args.push("-d");
        }
        args.extend([image.as_str(), "sh", "-c", script]);
        e.docker_ok(&args);
        name
    };
    let web = run("web", true, &[], "echo web says hello; sleep 3600");
    let job = run("job", false, &[], "echo job ran; echo job complains >&2");
    run(
        "oneoff",
        false,
        &["-l", "com.docker.compose.oneoff=True"],
        "echo not a service",
    );

    let mut logs = berth.project_logs(&conn, &project, None).boxed();
    let mut seen: Vec<ProjectLogLine> = Vec::new();
    let mut until = async |what: &str, count: usize, seen: &mut Vec<ProjectLogLine>| {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while seen.iter().filter(|l| l.text == what).count() < count {
            let line = tokio::time::timeout_at(deadline, logs.next())
                .await
                .unwrap_or_else(|_| {
                    // What the engine has of the project then, to tell a container that did
                    // not run from one whose log was not followed (CI47 failed here once).
                    let label = format!("label=com.docker.compose.project={project}");
                    let ps = e.docker_ok(&[
                        "ps",
                        "-a",
                        "--filter",
                        &label,
                        "--format",
                        "{{.Names}} {{.Status}}",
                    ]);
                    panic!("{what:?} {count} times, within 30 s: {seen:#?}\nthe project's containers:\n{ps}")
                })
                .expect("the project's logs go on")
                .expect("a line");
            seen.push(line);
        }
    };
    until("web says hello", 1, &mut seen).await;
    until("job ran", 1, &mut seen).await;
    until("job complains", 1, &mut seen).await;
    let line = |text: &str, seen: &[ProjectLogLine]| {
        seen.iter().find(|l| l.text == text).cloned().unwrap()
    };
    let said = line("web says hello", &seen);
    assert_eq!(
        (
            said.service.as_str(),
            said.container.as_str(),
            said.stream.as_str()
        ),
        ("web", web.as_str(), "stdout")
    );
    assert_eq!(line("job complains", &seen).stream, "stderr");
    assert_eq!(
        said.time.len(),
        "2026-12-02T14:33:01.123456789Z".len(),
        "{said:?}"
    );

    // The stopped service runs twice more within one second: the engine's `since` is whole
    // seconds, so the log followed from the second start has the first one's lines again, which
    // are not told twice. The running one is restarted while followed, and a new container
    // joins the project.
    while std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_millis()
        > 100
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    e.docker_ok(&["start", "-a", &job]);
    e.docker_ok(&["start", &job]);
    until("job ran", 3, &mut seen).await;
    e.docker_ok(&["restart", "-t", "0", &web]);
    until("web says hello", 2, &mut seen).await;
    let late = run("late", true, &[], "echo late joiner; sleep 3600");
    until("late joiner", 1, &mut seen).await;
    assert_eq!(line("late joiner", &seen).container, late);

    // Whatever else arrives within a moment is not a repeat or the one-off's.
    while let Ok(Some(Ok(l))) = tokio::time::timeout(Duration::from_millis(1500), logs.next()).await
    {
        seen.push(l);
    }
    let count = |text: &str| seen.iter().filter(|l| l.text == text).count();
    assert_eq!(
        (
            count("job ran"),
            count("job complains"),
            count("web says hello"),
            count("late joiner")
        ),
        (3, 3, 2, 1),
        "{seen:#?}"
    );
    assert_eq!(count("not a service"), 0, "{seen:#?}");
    // A container's lines come in the order of their times.
    let web_times: Vec<&str> = seen
        .iter()
        .filter(|l| l.container == web)
        .map(|l| l.time.as_str())
        .collect();
    assert!(web_times.is_sorted(), "{web_times:?}");
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_project_stops_and_starts_in_the_order_of_its_dependencies() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "deps");
    let (home, berth) = support::berth_on(e);
    // `api` needs `zdb`, which sorts after it by name. (`sleep` ignores SIGTERM: a second's
    // grace, not ten.)
    let project = scope.name("deps");
    let app = AppProject::new(
        berth,
        home.path(),
        project.clone(),
        &format!(
            "name: {project}\nservices:\n  api:\n    image: {image}\n    labels: [\"{label}\"]\n    depends_on: [zdb]\n    stop_grace_period: 1s\n    post_start: [{{command: \"echo hello from the hook\"}}]\n    pre_stop: [{{command: [\"sh\", \"-c\", \"echo flushed; echo x >> /stops\"]}}]\n  zdb:\n    image: {image}\n    labels: [\"{label}\"]\n    stop_grace_period: 1s\n    volumes: [\"data:/data\"]\nvolumes:\n  data:\n    labels: [\"{label}\"]\n",
            label = scope.label()
        ),
    )
    .await;
    let (berth, conn, path, dir) = (&app.berth, &app.conn, &app.path, home.path().join(&project));
    let run = async |action: &str| -> Vec<String> {
        let events = app.act(action, None, &[]).await;
        events
            .unwrap_or_else(|err| panic!("{action}: {err}"))
            .into_iter()
            .map(|e| match (e.status.as_str(), e.detail) {
                ("Hook", Some(line)) => format!("{} Hook: {line}", e.resource),
                _ => format!("{} {}", e.resource, e.status),
            })
            .filter(|l| l.ends_with("ed") || l.starts_with("Warning") || l.contains(" Hook: "))
            .collect()
    };
    let down = async || {
        let _ = app.act("down", None, &[]).await;
    };
    let state = async || {
        berth
            .compose_view(Some(conn), path, &[])
            .await
            .unwrap()
            .state
            .expect("a state with an engine")
    };
    let checked = async {
        assert_eq!(state().await, ProjectFileState::Down);
        let (api, db) = (
            format!("Container {project}-api-1"),
            format!("Container {project}-zdb-1"),
        );
        // The lifecycle hooks run (their output is progress); nothing is left unapplied.
        let up = run("up").await;
        assert!(
            up.contains(&format!("{api} Hook: hello from the hook"))
                && !up.iter().any(|l| l.starts_with("Warning")),
            "{up:?}"
        );
        assert_eq!(state().await, ProjectFileState::UpToDate);
        assert_eq!(
            run("stop").await,
            [
                format!("{api} Hook: flushed"),
                format!("{api} Stopped"),
                format!("{db} Stopped")
            ]
        );
        let running = e.docker_ok(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ]);
        assert_eq!(running.trim(), "", "stopped, none runs");
        assert_eq!(
            run("start").await,
            [
                format!("{db} Started"),
                format!("{api} Hook: hello from the hook"),
                format!("{api} Started")
            ]
        );
        // The pre_stop hook ran in the container before it stopped: its file is still there.
        let stops = e.docker_ok(&["exec", &format!("{project}-api-1"), "cat", "/stops"]);
        assert_eq!(stops, "x\n");
        let running = e.docker_ok(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ]);
        assert_eq!(running.lines().count(), 2, "started, both run");
        // What a Down would remove, asked first: with volumes, the named volume and the
        // containers' anonymous ones too.
        let preview = |volumes| berth.compose_down_preview(conn, &project, path, volumes);
        let (api, db) = (format!("{project}-api-1"), format!("{project}-zdb-1"));
        assert_eq!(
            preview(false).await.unwrap(),
            [
                format!("container {api}"),
                format!("container {db}"),
                format!("network {project}_default")
            ]
        );
        assert_eq!(
            preview(true).await.unwrap(),
            [
                format!("container {api}"),
                format!("container {db}"),
                format!("network {project}_default"),
                format!("volume {project}_data"),
                "the anonymous volumes of these containers".to_owned()
            ]
        );
        // Its file edited (by an editor, say): the change is told, and `up` would recreate.
        let mut changes = Box::pin(berth.compose_file_changes(path).unwrap());
        let file = dir.join("compose.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(
            &file,
            text.replace(
                "    depends_on: [zdb]\n",
                "    depends_on: [zdb]\n    environment: [EDITED=1]\n",
            ),
        )
        .unwrap();
        tokio::time::timeout(Duration::from_secs(10), changes.next())
            .await
            .expect("the edit told within 10 s")
            .expect("a change")
            .unwrap();
        assert_eq!(state().await, ProjectFileState::OutOfDate);
    };
    // The project's network goes with `down`, whatever the checks said.
    let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(checked)).await;
    down().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_projects_logs_are_saved_merged_by_time() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "saved");
    let (home, berth) = support::berth_on(e);
    let conn = berth.connect().await.unwrap();
    let project = scope.name("saved");
    let turns = scope.name("turns");
    e.docker_ok(&["volume", "create", "--label", &scope.label(), &turns]);

    // Two services that take turns through files in a shared volume, so that their lines
    // interleave in time whatever the delay between their starts; one of them on stderr too.
    let wait = |n: u8| format!("until [ -e /v/{n} ]; do usleep 20000; done");
    let run = |service: &str, script: &str| {
        let name = scope.name(service);
        e.docker_ok(&[
            "run",
            "-d",
            "--name",
            &name,
            "-l",
            &format!("com.docker.compose.project={project}"),
            "-l",
            &format!("com.docker.compose.service={service}"),
            "-l",
            &scope.label(),
            "-v",
            &format!("{turns}:/v"),
            &image,
            "sh",
            "-c",
            script,
        ]);
        name
    };
    let a = run(
        "a",
        &format!(
            "echo one; touch /v/1; {}; echo three >&2; touch /v/3; {}; echo five",
            wait(2),
            wait(4)
        ),
    );
    let b = run(
        "b-longer",
        &format!(
            "{}; echo two; touch /v/2; {}; echo four; touch /v/4",
            wait(1),
            wait(3)
        ),
    );
    e.docker_ok(&["wait", &a, &b]);

    let to = home.path().join("project.log");
    let written = berth.save_project_logs(&conn, &project, &to).await.unwrap();
    let saved = std::fs::read_to_string(&to).unwrap();
    assert_eq!(written, 5, "{saved}");
    let width = a.len().max(b.len());
    let lines: Vec<(&str, &str, &str)> = saved
        .lines()
        .map(|l| {
            let (who, rest) = l.split_once("  | ").expect(l);
            let (time, text) = rest.split_once(' ').expect(l);
            assert_eq!(who.len(), width, "names padded to one width: {l:?}");
            (who.trim_end(), time, text)
        })
        .collect();
    let said: Vec<(&str, &str)> = lines.iter().map(|(who, _, text)| (*who, *text)).collect();
    // Merged in the order of the times the engine gave each line (as `docker logs
    // --timestamps` prints them): the containers wrote in turn, but two lines written a
    // moment apart may be stamped the other way round by a busy engine.
    let stamped = |name: &str| -> Vec<(String, String, String)> {
        let out = e
            .docker()
            .args(["logs", "--timestamps", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "docker logs {name}");
        let both = [out.stdout, out.stderr].concat();
        String::from_utf8_lossy(&both)
            .lines()
            .map(|l| {
                let (time, text) = l.split_once(' ').expect(l);
                (time.to_owned(), name.to_owned(), text.to_owned())
            })
            .collect()
    };
    let mut by_engine = [stamped(&a), stamped(&b)].concat();
    by_engine.sort();
    let expected: Vec<(&str, &str)> = by_engine
        .iter()
        .map(|(_, who, text)| (who.as_str(), text.as_str()))
        .collect();
    assert_eq!(said, expected, "{saved}");
    let mut each: Vec<(&str, &str)> = said.clone();
    each.sort();
    assert_eq!(
        each,
        [
            (a.as_str(), "five"),
            (a.as_str(), "one"),
            (a.as_str(), "three"),
            (b.as_str(), "four"),
            (b.as_str(), "two")
        ],
        "each line once, with its container: {saved}"
    );
    let times: Vec<&str> = lines.iter().map(|(_, time, _)| *time).collect();
    assert!(times.is_sorted(), "{saved}");
    assert!(
        times.iter().all(|t| t.parse::<jiff::Timestamp>().is_ok()),
        "{saved}"
    );

    // A project with no containers, and a file that cannot be written, are said so.
    let none = berth
        .save_project_logs(&conn, &scope.name("nothing"), &to)
        .await
        .unwrap_err();
    assert_eq!(none.code, berth_api::ErrorCode::NotFound, "{none}");
    assert!(none.message.contains(&scope.name("nothing")), "{none}");
    let nowhere = home.path().join("no/such/folder/project.log");
    let unwritable = berth
        .save_project_logs(&conn, &project, &nowhere)
        .await
        .unwrap_err();
    assert!(
        unwritable
            .message
            .starts_with(&nowhere.display().to_string()),
        "{unwritable}"
    );
}

/// A job run from the Compose view (`compose_action` `run`): its one-off container made after
/// what it depends on and started detached, said as the last event with its id; what it writes
/// is its log; an unknown job is refused by name; `down` takes the job's container with the rest.
#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_job_runs_from_the_app_and_goes_with_down() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "job");
    let (home, berth) = support::berth_on(e);
    let project = scope.name("jobs");
    let app = AppProject::new(
        berth,
        home.path(),
        project.clone(),
        &format!(
            "name: {project}\nservices:\n  db:\n    image: {image}\n    labels: [\"{label}\"]\n    stop_grace_period: 1s\njobs:\n  backup:\n    image: {image}\n    labels: [\"{label}\"]\n    depends_on: [db]\n    environment: [MODE=full]\n    command: [\"sh\", \"-c\", \"echo backup $$MODE\"]\n    profiles: [maintenance]\n    triggers: {{manual: true}}\n",
            label = scope.label()
        ),
    )
    .await;
    let act = async |action: &str, job: Option<&str>| app.act(action, job, &[]).await;
    let checked = async {
        // Its profile is not enabled: named, it runs all the same (as `compose run` enables
        // the job it names), and down takes its container all the same.
        let events = act("run", Some("backup")).await.unwrap();
        let db = format!("Container {project}-db-1");
        assert!(
            events
                .iter()
                .any(|e| e.resource == db && e.status == "Started"),
            "what the job depends on is started first: {events:?}"
        );
        let last = events.last().expect("events");
        assert!(
            last.resource
                .starts_with(&format!("Container {project}-backup-run-"))
                && last.status == "Started",
            "{last:?}"
        );
        let id = last.detail.clone().expect("the container's id");
        // Detached: it runs to its end on its own.
        assert_eq!(e.docker_ok(&["wait", &id]).trim(), "0");
        assert_eq!(e.docker_ok(&["logs", &id]), "backup full\n");
        let labels = e.docker_ok(&[
            "inspect",
            "-f",
            "{{index .Config.Labels \"com.docker.compose.oneoff\"}} {{index .Config.Labels \"com.docker.compose.service\"}}",
            &id,
        ]);
        assert_eq!(labels.trim(), "True backup");

        let refused = act("run", Some("nope")).await.unwrap_err();
        assert!(
            refused.contains(&format!("jobs.nope: project {project} has no such job")),
            "{refused}"
        );
        let refused = act("run", None).await.unwrap_err();
        assert!(refused.contains("name the job to run"), "{refused}");

        act("down", None).await.unwrap();
        let left = e.docker_ok(&[
            "ps",
            "-aq",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ]);
        assert_eq!(left.trim(), "", "down took the job's container too");
    };
    let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(checked)).await;
    let _ = act("down", None).await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Profiles chosen in the Compose view: Up with a profile enabled makes its service's
/// container; the view says which profiles are enabled and by what, and the project up to date
/// with that choice; Down from the app takes the project whole, its profiles' containers too,
/// listed first.
#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn profiles_chosen_in_the_app_go_up_and_down_takes_the_project_whole() {
    let e = engine();
    let scope = Scope::new(e);
    let image = support::sleeper(e, &scope, "profiles");
    let (home, berth) = support::berth_on(e);
    let project = scope.name("profiles");
    let app = AppProject::new(
        berth,
        home.path(),
        project.clone(),
        &format!(
            "name: {project}\nservices:\n  web:\n    image: {image}\n    labels: [\"{label}\"]\n    stop_grace_period: 1s\n  debug:\n    image: {image}\n    labels: [\"{label}\"]\n    stop_grace_period: 1s\n    profiles: [debug]\n",
            label = scope.label()
        ),
    )
    .await;
    let (berth, conn, path) = (&app.berth, &app.conn, &app.path);
    let act = async |action: &str, profiles: &[&str]| -> Vec<String> {
        let events = app.act(action, None, profiles).await;
        events
            .unwrap_or_else(|err| panic!("{action}: {err}"))
            .into_iter()
            .map(|e| format!("{} {}", e.resource, e.status))
            .collect()
    };
    let on_engine = || {
        let mut names: Vec<String> = e
            .docker_ok(&[
                "ps",
                "-a",
                "--format",
                "{{.Names}}",
                "--filter",
                &format!("label=com.docker.compose.project={project}"),
            ])
            .lines()
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    };
    let (debug, web) = (format!("{project}-debug-1"), format!("{project}-web-1"));
    let checked = async {
        let plain = berth.compose_view(Some(conn), path, &[]).await.unwrap();
        assert_eq!(plain.services, ["web"]);
        let profile = &plain.profiles[0];
        assert_eq!(
            (
                profile.name.as_str(),
                profile.enabled,
                profile.services.clone()
            ),
            ("debug", false, vec!["debug".to_owned()])
        );

        let up = act("up", &["debug"]).await;
        assert!(!up.iter().any(|l| l.starts_with("Warning")), "{up:?}");
        assert_eq!(on_engine(), [debug.clone(), web.clone()]);
        let chosen = berth
            .compose_view(Some(conn), path, &["debug".to_owned()])
            .await
            .unwrap();
        assert_eq!(chosen.services, ["debug", "web"]);
        assert!(chosen.profiles[0].enabled && !chosen.profiles[0].by_environment);
        assert_eq!(chosen.state, Some(ProjectFileState::UpToDate));

        assert_eq!(
            berth
                .compose_down_preview(conn, &project, path, false)
                .await
                .unwrap(),
            [
                format!("container {web}"),
                format!("container {debug}"),
                format!("network {project}_default")
            ]
        );
        let down = act("down", &[]).await;
        assert!(!down.iter().any(|l| l.starts_with("Warning")), "{down:?}");
        assert_eq!(
            on_engine(),
            Vec::<String>::new(),
            "down took the project whole"
        );
    };
    let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(checked)).await;
    let _ = act("down", &[]).await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// A project as the app drives it (`Berth::compose_action`): its name, and the folder under
/// Berth's home holding its compose file.
struct AppProject {
    berth: std::sync::Arc<berth_api::Berth>,
    conn: berth_api::Connection,
    name: String,
    path: String,
}

impl AppProject {
    /// Writes `yaml` as the compose file of the folder `name` under `home`.
    async fn new(
        berth: berth_api::Berth,
        home: &std::path::Path,
        name: String,
        yaml: &str,
    ) -> Self {
        let dir = home.join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("compose.yaml"), yaml).unwrap();
        let conn = berth.connect().await.unwrap();
        AppProject {
            berth: std::sync::Arc::new(berth),
            conn,
            name,
            path: dir.display().to_string(),
        }
    }

    /// Runs `action` (of `job`, with `profiles`) to its end: its progress, or its error.
    async fn act(
        &self,
        action: &str,
        job: Option<&str>,
        profiles: &[&str],
    ) -> Result<Vec<berth_api::compose::ProjectEvent>, String> {
        let mut events = Vec::new();
        let mut stream = std::pin::pin!(self.berth.compose_action(
            self.conn.clone(),
            action.into(),
            self.name.clone(),
            self.path.clone(),
            job.map(str::to_owned),
            profiles.iter().map(|p| p.to_string()).collect(),
        ));
        while let Some(event) = stream.next().await {
            events.push(event.map_err(|e| e.to_string())?);
        }
        Ok(events)
    }
}
