//! A compose project's logs as the app follows them (`Berth::project_logs`), on the harness's
//! real engine: every container of the project by its labels, stopped ones too, each line once;
//! a container started again and one started later are followed from their start; a one-off
//! container is left out. Needs root and a real engine: run with `--include-ignored`.

use std::time::Duration;

mod support;

use berth_api::ProjectLogLine;
use berth_testkit::{Scope, busybox_image, engine};
use futures_util::StreamExt;

#[tokio::test]
#[ignore = "needs root and a real engine (scripts/test.sh runs it)"]
async fn a_projects_logs_follow_its_containers_as_they_start() {
    let e = engine();
    let scope = Scope::new(e);
    let image = format!("berth-test/{}:logs", scope.id);
    busybox_image(e, &scope, &image, "CMD [\"sleep\", \"3600\"]");
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
                .unwrap_or_else(|_| panic!("{what:?} {count} times, within 30 s: {seen:#?}"))
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
