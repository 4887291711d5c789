//! Golden tests of `plan`: a model, an observed engine state written by hand, and the plan's
//! printed form.

use std::collections::BTreeMap;

use berth_compose::labels;
use berth_compose::observe::{Container, Observed, Resource};
use berth_compose::plan::{self, DownOptions, UpOptions};
use berth_compose::{LoadOptions, Project, load};

const APP: &str = r#"
name: demo
services:
  db:
    image: db:1
    healthcheck:
      test: ["CMD", "true"]
    volumes: ["data:/data"]
  web:
    image: web:1
    depends_on:
      db:
        condition: service_healthy
    ports: ["8000:5000"]
  worker:
    build: ./worker
    depends_on: [db]
volumes:
  data: {}
"#;

fn project(text: &str) -> Project {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    load(&LoadOptions {
        working_dir: Some(dir.path().to_owned()),
        environment: Some(Default::default()),
        ..Default::default()
    })
    .unwrap()
}

fn images(names: &[&str]) -> BTreeMap<String, String> {
    names
        .iter()
        .map(|n| (n.to_string(), format!("sha256:{n}")))
        .collect()
}

/// A container as Berth would have created it for the project's current model.
fn container(p: &Project, service: &str, number: u32, state: &str) -> Container {
    let svc = &p.services[service];
    let image = svc.image_name(&p.name, service);
    let image = if image.contains(':') {
        image
    } else {
        format!("{image}:latest")
    };
    Container {
        id: format!("id-{service}-{number}"),
        name: format!("{}-{service}-{number}", p.name),
        service: service.to_owned(),
        number,
        oneoff: false,
        config_hash: labels::config_hash(svc, &p.models),
        state: state.to_owned(),
        status: String::new(),
        image: image.clone(),
        image_id: format!("sha256:{image}"),
        command: String::new(),
        created: 0,
        ports: Vec::new(),
        labels: BTreeMap::new(),
        networks: vec![format!("{}_default", p.name)],
        volumes: Vec::new(),
    }
}

/// A network or volume as the project made it: its key and project in its labels.
fn resource(name: &str) -> Resource {
    Resource {
        name: name.to_owned(),
        key: name.strip_prefix("demo_").map(str::to_owned),
        project: Some("demo".to_owned()),
        berth_hash: None,
        attached: Vec::new(),
    }
}

fn running_demo(p: &Project) -> Observed {
    Observed {
        project: "demo".into(),
        containers: vec![
            container(p, "db", 1, "running"),
            container(p, "web", 1, "running"),
            container(p, "worker", 1, "running"),
        ],
        networks: vec![resource("demo_default")],
        volumes: vec![resource("demo_data")],
        images: images(&["db:1", "web:1", "demo-worker:latest"]),
        ..Default::default()
    }
}

#[track_caller]
fn golden(plan: &plan::Plan, want: &str) {
    let got = plan.to_string();
    assert_eq!(got.trim(), want.trim(), "\n--- got\n{got}");
}

#[test]
fn fresh_project() {
    let p = project(APP);
    let observed = Observed {
        project: "demo".into(),
        images: images(&["db:1", "web:1", "demo-worker:latest"]),
        ..Default::default()
    };
    golden(
        &plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 network:demo_default Create, not found
#1 volume:demo_data Create, not found
#2 container:demo-db-1 Create, not found [after #0 #1]
#3 container:demo-db-1 Start, created [after #2]
#4 service:db Await service_healthy, web depends on it [after #3]
#5 container:demo-web-1 Create, not found [after #0 #1 #2]
#6 container:demo-web-1 Start, created [after #4 #5]
#7 service:db Await service_started, worker depends on it [after #3]
#8 container:demo-worker-1 Create, not found [after #0 #1 #2]
#9 container:demo-worker-1 Start, created [after #7 #8]
",
    );
}

#[test]
fn up_to_date_is_empty() {
    let p = project(APP);
    let plan = plan::up(&p, &running_demo(&p), &UpOptions::default()).unwrap();
    golden(
        &plan,
        "
#0 service:db Await service_healthy, web depends on it
#1 service:db Await service_started, worker depends on it
",
    );
    assert!(!plan.steps.iter().any(|s| matches!(
        s.action,
        plan::Action::CreateContainer { .. }
            | plan::Action::RecreateContainer { .. }
            | plan::Action::StartContainer { .. }
    )));
}

#[test]
fn changed_config_recreates_and_stopped_containers_start() {
    let p = project(APP);
    let mut observed = running_demo(&p);
    observed.containers[1].config_hash = "old".into();
    observed.containers[2].state = "exited".into();
    golden(
        &plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 service:db Await service_healthy, web depends on it
#1 container:demo-web-1 Recreate, config changed
#2 container:demo-web-1 Start, recreated [after #0 #1]
#3 service:db Await service_started, worker depends on it
#4 container:demo-worker-1 Start, not running [after #3]
",
    );
    let plan = plan::up(
        &p,
        &observed,
        &UpOptions {
            no_recreate: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!plan.to_string().contains("Recreate"), "{plan}");
    // -V: the same steps, the recreate without the old container's anonymous volumes.
    let plan = plan::up(
        &p,
        &observed,
        &UpOptions {
            renew_anon_volumes: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        plan.to_string()
            .contains("#1 container:demo-web-1 Recreate (new anonymous volumes), config changed\n"),
        "{plan}"
    );
}

#[test]
fn new_image_recreates() {
    let p = project(APP);
    let mut observed = running_demo(&p);
    observed
        .images
        .insert("web:1".into(), "sha256:newer".into());
    let plan = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert!(
        plan.to_string()
            .contains("#1 container:demo-web-1 Recreate, image changed"),
        "{plan}"
    );
}

#[test]
fn force_recreate_and_scale() {
    let p = project(APP);
    let observed = running_demo(&p);
    let plan = plan::up(
        &p,
        &observed,
        &UpOptions {
            services: vec!["web".into()],
            no_deps: true,
            force_recreate: true,
            scale: BTreeMap::from([("web".into(), 3)]),
            ..Default::default()
        },
    )
    .unwrap();
    golden(
        &plan,
        "
#0 container:demo-web-1 Recreate, --force-recreate
#1 container:demo-web-1 Start, recreated [after #0]
#2 container:demo-web-2 Create, not found
#3 container:demo-web-2 Start, created [after #2]
#4 container:demo-web-3 Create, not found
#5 container:demo-web-3 Start, created [after #4]
",
    );
    let mut scaled = observed.clone();
    scaled.containers.push(container(&p, "web", 2, "running"));
    scaled.containers.push(container(&p, "web", 3, "exited"));
    let plan = plan::up(
        &p,
        &scaled,
        &UpOptions {
            services: vec!["web".into()],
            no_deps: true,
            ..Default::default()
        },
    )
    .unwrap();
    golden(
        &plan,
        "
#0 container:demo-web-2 Stop+Remove, scale 1
#1 container:demo-web-3 Remove, scale 1
",
    );
}

#[test]
fn targeted_service_brings_its_dependencies() {
    let p = project(APP);
    let observed = Observed {
        project: "demo".into(),
        images: images(&["db:1", "web:1", "demo-worker:latest"]),
        networks: vec![resource("demo_default")],
        volumes: vec![resource("demo_data")],
        ..Default::default()
    };
    let opts = UpOptions {
        services: vec!["web".into()],
        ..Default::default()
    };
    golden(
        &plan::up(&p, &observed, &opts).unwrap(),
        "
#0 container:demo-db-1 Create, not found
#1 container:demo-db-1 Start, created [after #0]
#2 service:db Await service_healthy, web depends on it [after #1]
#3 container:demo-web-1 Create, not found [after #0]
#4 container:demo-web-1 Start, created [after #2 #3]
",
    );
    let e = plan::up(
        &p,
        &observed,
        &UpOptions {
            services: vec!["nope".into()],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "nope: no such service");
}

#[test]
fn orphans_are_reported_or_removed() {
    let p = project(APP);
    let mut observed = running_demo(&p);
    let mut old = container(&p, "web", 1, "running");
    old.service = "legacy".into();
    old.name = "demo_legacy_1".into();
    old.id = "id-legacy".into();
    observed.containers.push(old);
    let plan = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert!(plan.to_string().ends_with(
        "warning: orphan containers (demo_legacy_1) found for this project: remove them with --remove-orphans\n"
    ), "{plan}");
    let plan = plan::up(
        &p,
        &observed,
        &UpOptions {
            remove_orphans: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        plan.to_string()
            .contains("container:demo_legacy_1 Stop+Remove, orphan"),
        "{plan}"
    );
    // `run --remove-orphans`: that removal alone.
    golden(
        &plan::remove_orphans(&p, &observed),
        "
#0 container:demo_legacy_1 Stop+Remove, orphan
",
    );
}

#[test]
fn images_to_build_and_pull() {
    let p = project(APP);
    let observed = Observed {
        project: "demo".into(),
        images: images(&["web:1"]),
        ..Default::default()
    };
    golden(
        &plan::images(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 image:db:1 Pull (service db), not found
#1 image:demo-worker Build (service worker), not found
",
    );
    let observed = running_demo(&p);
    golden(
        &plan::images(
            &p,
            &observed,
            &UpOptions {
                build: true,
                ..Default::default()
            },
        )
        .unwrap(),
        "#0 image:demo-worker Build (service worker), --build",
    );
    let never = plan::images(
        &p,
        &Observed::default(),
        &UpOptions {
            pull: Some("never".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        never.to_string().contains("pull_policy is never"),
        "{never}"
    );
}

#[test]
fn external_resources_must_exist() {
    let p = project(
        "services:\n  a:\n    image: x\n    networks: [outside]\nnetworks:\n  outside:\n    external: true\n",
    );
    let e = plan::up(&p, &Observed::default(), &UpOptions::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("external network \"outside\" does not exist"),
        "{e}"
    );
}

#[test]
fn down_removes_dependants_first() {
    let p = project(APP);
    let observed = running_demo(&p);
    golden(
        &plan::down(Some(&p), &observed, &DownOptions::default()).unwrap(),
        "
#0 container:demo-worker-1 Stop+Remove, down
#1 container:demo-web-1 Stop+Remove, down
#2 container:demo-db-1 Stop+Remove, down [after #0 #1]
#3 network:demo_default Remove, down [after #0 #1 #2]
",
    );
    golden(
        &plan::down(
            Some(&p),
            &observed,
            &DownOptions {
                volumes: true,
                rmi: Some("local".into()),
                ..Default::default()
            },
        )
        .unwrap(),
        "
#0 container:demo-worker-1 Stop+Remove, down
#1 container:demo-web-1 Stop+Remove, down
#2 container:demo-db-1 Stop+Remove, down [after #0 #1]
#3 network:demo_default Remove, down [after #0 #1 #2]
#4 volume:demo_data Remove, -v [after #0 #1 #2]
#5 image:demo-worker Remove, --rmi local [after #0 #1 #2]
",
    );
}

#[test]
fn down_without_files_uses_labels() {
    let p = project(APP);
    let observed = running_demo(&p);
    let plan = plan::down(None, &observed, &DownOptions::default()).unwrap();
    let text = plan.to_string();
    assert_eq!(text.matches("Stop+Remove").count(), 3, "{text}");
    assert!(text.contains("network:demo_default Remove"), "{text}");
    assert!(!text.contains("volume:"), "volumes stay without -v: {text}");
}

#[test]
fn build_and_pull_plans() {
    let p = project(APP);
    golden(
        &plan::build(&p, &[], false).unwrap(),
        "#0 image:demo-worker Build (service worker), build",
    );
    golden(
        &plan::pull(&p, &[], &Default::default()).unwrap(),
        "
#0 image:db:1 Pull (service db), pull
#1 image:web:1 Pull (service web), pull
",
    );
    golden(
        &plan::pull(&p, &["worker".into()], &Default::default()).unwrap(),
        "",
    );
}

#[test]
fn hooks_run_around_starts_and_stops_of_running_containers() {
    let text = "name: demo\nservices:\n  web:\n    image: web:1\n    post_start: [{command: \"chown -R 1001 /data\", user: root}]\n    pre_stop: [{command: [\"sh\", \"-c\", \"flush\"]}, {command: \"sync\"}]\n  db:\n    image: db:1\n";
    let p = project(text);
    let fresh = Observed {
        project: "demo".into(),
        images: images(&["db:1", "web:1"]),
        ..Default::default()
    };
    golden(
        &plan::up(&p, &fresh, &UpOptions::default()).unwrap(),
        "
#0 network:demo_default Create, not found
#1 container:demo-db-1 Create, not found [after #0]
#2 container:demo-db-1 Start, created [after #1]
#3 container:demo-web-1 Create, not found [after #0]
#4 container:demo-web-1 Start (post_start hooks: 1), created [after #3]
",
    );
    let mut observed = Observed {
        containers: vec![
            container(&p, "db", 1, "running"),
            container(&p, "web", 1, "running"),
            container(&p, "web", 2, "exited"),
        ],
        networks: vec![resource("demo_default")],
        ..fresh.clone()
    };
    observed.containers[1].config_hash = "old".into();
    // The running container is recreated after its pre_stop hooks; the stopped one has none.
    golden(
        &plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 container:demo-web-1 Recreate (pre_stop hooks: 2), config changed
#1 container:demo-web-1 Start (post_start hooks: 1), recreated [after #0]
#2 container:demo-web-2 Remove, scale 1
",
    );
    golden(
        &plan::down(Some(&p), &observed, &DownOptions::default()).unwrap(),
        "
#0 container:demo-web-1 Stop+Remove (pre_stop hooks: 2), down
#1 container:demo-web-2 Remove, down
#2 container:demo-db-1 Stop+Remove, down
#3 network:demo_default Remove, down [after #0 #1 #2]
",
    );
    // Without the files there are no hooks to run.
    let plan = plan::down(None, &observed, &DownOptions::default()).unwrap();
    assert!(!plan.to_string().contains("hooks"), "{plan}");
    let plan::Action::StartContainer { post_start, .. } =
        &plan::up(&p, &fresh, &UpOptions::default()).unwrap().steps[4].action
    else {
        panic!("step 4 starts web");
    };
    assert_eq!(post_start[0].command, ["chown", "-R", "1001", "/data"]);
    assert_eq!(post_start[0].user.as_deref(), Some("root"));
}

#[test]
fn pre_start_steps_run_before_the_starts_when_no_container_of_the_service_runs() {
    let text = r#"
name: demo
services:
  db:
    image: db:1
  web:
    image: web:1
    scale: 2
    depends_on: [db]
    pre_start:
      - command: "chown -R 1001 /data"
        user: root
      - image: tools:2
        command: [migrate]
        environment: [STEP=2]
        volumes: [./x:/x]
"#;
    let p = project(text);
    let fresh = Observed {
        project: "demo".into(),
        images: images(&["db:1", "web:1"]),
        ..Default::default()
    };
    // The first up: after both containers are made and db has started, before either starts.
    golden(
        &plan::up(&p, &fresh, &UpOptions::default()).unwrap(),
        "
#0 network:demo_default Create, not found
#1 container:demo-db-1 Create, not found [after #0]
#2 container:demo-db-1 Start, created [after #1]
#3 service:db Await service_started, web depends on it [after #2]
#4 container:demo-web-1 Create, not found [after #0 #1]
#5 container:demo-web-2 Create, not found [after #0 #1]
#6 service:web PreStart (pre_start steps: 2, volumes from demo-web-1), none of its containers runs [after #3 #4 #5]
#7 container:demo-web-1 Start, created [after #3 #4 #6]
#8 container:demo-web-2 Start, created [after #3 #5 #6]
",
    );
    let steps = &p.services["web"];
    let steps = berth_compose::hooks::of(steps, "web", "pre_start").unwrap();
    assert_eq!(
        (
            steps[1].image.as_deref(),
            &steps[1].command,
            &steps[1].environment["STEP"]
        ),
        (
            Some("tools:2"),
            &vec!["migrate".to_owned()],
            &"2".to_owned()
        )
    );
    // Its own image is pulled when not here.
    golden(
        &plan::images(&p, &fresh, &UpOptions::default()).unwrap(),
        "#0 image:tools:2 Pull (service web), not found (a pre_start step's)",
    );
    golden(
        &plan::pull(&p, &[], &Default::default()).unwrap(),
        "
#0 image:db:1 Pull (service db), pull
#1 image:web:1 Pull (service web), pull
#2 image:tools:2 Pull (service web), pull
",
    );
    // One replica runs on: a scale up does not run them again.
    let mut observed = Observed {
        containers: vec![
            container(&p, "db", 1, "running"),
            container(&p, "web", 1, "running"),
        ],
        networks: vec![resource("demo_default")],
        ..fresh.clone()
    };
    let plan = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert!(!plan.to_string().contains("PreStart"), "{plan}");
    // Recreated (none runs on), they run again; all stopped, too.
    observed.containers[1].config_hash = "old".into();
    let plan = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert!(plan.to_string().contains("PreStart"), "{plan}");
    observed.containers[1] = container(&p, "web", 1, "exited");
    let plan = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert!(plan.to_string().contains("PreStart"), "{plan}");
    // Not with --no-start; per_replica is refused by name.
    let opts = UpOptions {
        no_start: true,
        ..Default::default()
    };
    assert!(
        !plan::up(&p, &fresh, &opts)
            .unwrap()
            .to_string()
            .contains("PreStart")
    );
    let p = project(
        "name: demo\nservices:\n  web:\n    image: web:1\n    pre_start: [{command: x, per_replica: true}]\n",
    );
    let e = plan::up(&p, &fresh, &UpOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("services.web.pre_start[0].per_replica: a step per replica is not supported"),
        "{e}"
    );
}

#[test]
fn time_based_pull_policies_pull_what_is_due() {
    let text = "name: demo\nservices:\n  a:\n    image: a:1\n    pull_policy: daily\n  b:\n    image: b:1\n    pull_policy: every_12h\n  c:\n    image: c:1\n    pull_policy: refresh\n    pull_refresh_after: 2h30m\n  d:\n    image: d:1\n";
    let p = project(text);
    assert_eq!(p.services["a"].refresh_after("a").unwrap(), Some(86_400));
    assert_eq!(p.services["b"].refresh_after("b").unwrap(), Some(43_200));
    assert_eq!(p.services["c"].refresh_after("c").unwrap(), Some(9_000));
    assert_eq!(p.services["d"].refresh_after("d").unwrap(), None);
    let mut observed = Observed {
        project: "demo".into(),
        images: images(&["a:1", "b:1", "c:1", "d:1"]),
        ..Default::default()
    };
    observed.due.extend(["a:1".to_owned(), "c:1".to_owned()]);
    golden(
        &plan::images(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 image:a:1 Pull (service a), pull_policy daily, due
#1 image:c:1 Pull (service c), pull_policy refresh, due
",
    );
    // --pull overrides the services' own policies.
    let plan = plan::images(
        &p,
        &observed,
        &UpOptions {
            pull: Some("missing".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(plan.is_empty(), "{plan}");
    // refresh without how long a pull stays fresh is refused by name.
    let p = project("name: demo\nservices:\n  a:\n    image: a:1\n    pull_policy: refresh\n");
    let err = plan::images(&p, &observed, &UpOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("services.a.pull_policy: refresh needs pull_refresh_after"),
        "{err}"
    );
}

const PROVIDED: &str = r#"
name: demo
services:
  cache:
    image: cache:1
  database:
    provider:
      type: awesomecloud
      options:
        type: mysql
    depends_on: [cache]
  app:
    image: app:1
    depends_on:
      database:
        condition: service_healthy
"#;

#[test]
fn provider_services_run_their_program_in_dependency_order_and_make_no_container() {
    let p = project(PROVIDED);
    let observed = Observed {
        project: "demo".into(),
        images: images(&["cache:1", "app:1"]),
        ..Default::default()
    };
    // No image to pull or build for the provider service, no container of its own; its
    // program runs once the cache it depends on is up, and app is made after it (with what it
    // gave), its condition being the program's end.
    assert!(
        plan::images(&p, &observed, &UpOptions::default())
            .unwrap()
            .is_empty()
    );
    golden(
        &plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 network:demo_default Create, not found
#1 container:demo-cache-1 Create, not found [after #0]
#2 container:demo-cache-1 Start, created [after #1]
#3 service:cache Await service_started, database depends on it [after #2]
#4 service:database Provider awesomecloud compose up, provider [after #1 #3]
#5 container:demo-app-1 Create, not found [after #0 #4]
#6 container:demo-app-1 Start, created [after #4 #5]
",
    );
    // Down: app's containers, then the provider's program, then what it depends on.
    let running = Observed {
        project: "demo".into(),
        containers: vec![
            container(&p, "cache", 1, "running"),
            container(&p, "app", 1, "running"),
        ],
        networks: vec![resource("demo_default")],
        images: images(&["cache:1", "app:1"]),
        ..Default::default()
    };
    golden(
        &plan::up(&p, &running, &UpOptions::default()).unwrap(),
        "
#0 service:cache Await service_started, database depends on it
#1 service:database Provider awesomecloud compose up, provider [after #0]
",
    );
    golden(
        &plan::down(Some(&p), &running, &DownOptions::default()).unwrap(),
        "
#0 container:demo-app-1 Stop+Remove, down
#1 service:database Provider awesomecloud compose down, down [after #0]
#2 container:demo-cache-1 Stop+Remove, down [after #1]
#3 network:demo_default Remove, down [after #0 #2]
",
    );
    assert!(berth_compose::config::images(&p) == ["cache:1", "app:1"]);
}

const MODELS: &str = r#"
name: demo
services:
  chat:
    image: chat:1
    models: [llm]
  index:
    image: index:1
    models:
      embed:
        endpoint_var: EMBED_AT
  tools:
    image: tools:1
models:
  llm:
    model: ai/smollm2
    context_size: 2048
  embed:
    model: ai/mxbai-embed-large
  spare:
    model: ai/unused
"#;

#[test]
fn models_are_served_before_the_containers_that_use_them() {
    let p = project(MODELS);
    let observed = Observed {
        project: "demo".into(),
        images: images(&["chat:1", "index:1", "tools:1"]),
        models: ["ai/smollm2:latest".to_owned()].into(),
        ..Default::default()
    };
    // The pulled one is configured, the other pulled first; a model no service uses is left
    // alone; containers that use a model are made after it, the others do not wait.
    golden(
        &plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 network:demo_default Create, not found
#1 model:embed Pull+Configure ai/mxbai-embed-large, not pulled
#2 model:llm Configure ai/smollm2, pulled
#3 container:demo-chat-1 Create, not found [after #0 #2]
#4 container:demo-chat-1 Start, created [after #3]
#5 container:demo-index-1 Create, not found [after #0 #1]
#6 container:demo-index-1 Start, created [after #5]
#7 container:demo-tools-1 Create, not found [after #0]
#8 container:demo-tools-1 Start, created [after #7]
",
    );
    // Only the models of the services in scope.
    let only_tools = UpOptions {
        services: vec!["tools".into()],
        ..Default::default()
    };
    assert!(
        !plan::up(&p, &observed, &only_tools)
            .unwrap()
            .to_string()
            .contains("model:")
    );
    // Up to date: the models are configured again (the runner may have been reset), nothing
    // else; a model changed under `models:` recreates the containers that use it.
    let running = Observed {
        project: "demo".into(),
        containers: ["chat", "index", "tools"]
            .map(|s| container(&p, s, 1, "running"))
            .into(),
        networks: vec![resource("demo_default")],
        images: images(&["chat:1", "index:1", "tools:1"]),
        models: ["ai/smollm2".to_owned(), "ai/mxbai-embed-large".to_owned()].into(),
        ..Default::default()
    };
    golden(
        &plan::up(&p, &running, &UpOptions::default()).unwrap(),
        "
#0 model:embed Configure ai/mxbai-embed-large, pulled
#1 model:llm Configure ai/smollm2, pulled
",
    );
    let changed = project(&MODELS.replace("ai/smollm2", "ai/qwen3"));
    golden(
        &plan::up(&changed, &running, &UpOptions::default()).unwrap(),
        "
#0 model:embed Configure ai/mxbai-embed-large, pulled
#1 model:llm Pull+Configure ai/qwen3, not pulled
#2 container:demo-chat-1 Recreate, config changed [after #1]
#3 container:demo-chat-1 Start, recreated [after #2]
",
    );
    assert_eq!(berth_compose::config::models(&p), ["embed", "llm", "spare"]);
}

#[test]
fn scheduled_jobs_are_said_not_run_and_a_job_is_not_a_service() {
    let p = project(
        "name: demo\nservices:\n  web:\n    image: web:1\njobs:\n  backup:\n    image: web:1\n    environment: [MODE=full]\n    triggers: {manual: true}\n  nightly:\n    image: web:1\n    triggers: {schedule: ['0 3 * * *']}\n  sealed:\n    image: web:1\n    triggers: {manual: false, schedule: [{cron: '@hourly'}]}\n  migrate:\n    image: web:1\n    profiles: [maintenance]\n    triggers: {manual: true, schedule: ['@daily']}\n",
    );
    let observed = Observed {
        project: "demo".into(),
        images: images(&["web:1"]),
        ..Default::default()
    };
    let plan = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert_eq!(
        plan.warnings,
        [
            "jobs.nightly: its schedule (0 3 * * *) is not run by Berth (docker compose hands it to the engine's jobs extension): run it by hand with `compose run nightly`",
            "jobs.sealed: its schedule (@hourly) is not run by Berth (docker compose hands it to the engine's jobs extension)"
        ]
    );
    assert!(
        !plan.to_string().contains("backup"),
        "up makes no container for a job"
    );
    let e = plan::scope(&p, &["backup".into()], false)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "backup: no such service (it is a job: run it with `compose run`)"
    );
    // Read as a service is: its environment a mapping, on the default network.
    let backup = &p.jobs["backup"];
    assert_eq!(backup.environment["MODE"], "full");
    assert!(backup.networks.contains_key("default"));
    assert!(backup.manual() && !p.jobs["sealed"].manual());
    assert_eq!(berth_compose::config::services(&p), ["web"]);
    // A job's one-off container left by a run goes with down, not said to be an orphan.
    let ran = Container {
        id: "id-backup-run".into(),
        name: "demo-backup-run-1a2b".into(),
        service: "backup".into(),
        oneoff: true,
        state: "exited".into(),
        ..container(&p, "web", 1, "running")
    };
    // One of a job its profiles leave out (run by naming it) too.
    let migrated = Container {
        id: "id-migrate-run".into(),
        name: "demo-migrate-run-3c4d".into(),
        service: "migrate".into(),
        ..ran.clone()
    };
    let observed = Observed {
        containers: vec![container(&p, "web", 1, "running"), ran, migrated],
        ..observed
    };
    let plan = plan::down(Some(&p), &observed, &DownOptions::default()).unwrap();
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    for name in ["demo-backup-run-1a2b", "demo-migrate-run-3c4d"] {
        assert!(
            plan.to_string()
                .contains(&format!("container:{name} Remove")),
            "{plan}"
        );
    }
}

#[test]
fn down_leaves_the_containers_of_services_not_enabled_and_what_they_use() {
    // Up with --profile debug, down without it: debug's container is the project's (not an
    // orphan), left on the engine as docker compose leaves it, and so is the network it is
    // on and the volume it mounts (the engine would refuse to remove them: down used to fail).
    let text = "name: demo\nservices:\n  web:\n    image: web:1\n  debug:\n    image: web:1\n    profiles: [debug, tools]\n    volumes: [data:/data]\nvolumes:\n  data: {}\n";
    let p = project(text);
    let debug = Container {
        id: "id-debug-1".into(),
        name: "demo-debug-1".into(),
        service: "debug".into(),
        volumes: vec!["demo_data".into()],
        ..container(&p, "web", 1, "running")
    };
    let debug2 = Container {
        id: "id-debug-2".into(),
        name: "demo-debug-2".into(),
        number: 2,
        ..debug.clone()
    };
    let observed = Observed {
        project: "demo".into(),
        containers: vec![container(&p, "web", 1, "running"), debug, debug2],
        networks: vec![resource("demo_default")],
        volumes: vec![resource("demo_data")],
        ..Default::default()
    };
    let plan = plan::down(
        Some(&p),
        &observed,
        &DownOptions {
            volumes: true,
            ..Default::default()
        },
    )
    .unwrap();
    golden(
        &plan,
        "
#0 container:demo-web-1 Stop+Remove, down
warning: containers of services not enabled are left (demo-debug-1, demo-debug-2): take them down with --profile debug
warning: network demo_default is left: demo-debug-1 is on it
warning: volume demo_data is left: demo-debug-1 is on it
",
    );
    // With the profile enabled, all of it goes.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let p = load(&LoadOptions {
        working_dir: Some(dir.path().to_owned()),
        environment: Some(Default::default()),
        profiles: vec!["debug".into()],
        ..Default::default()
    })
    .unwrap();
    let plan = plan::down(Some(&p), &observed, &DownOptions::default()).unwrap();
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert!(
        plan.to_string().contains("network:demo_default Remove"),
        "{plan}"
    );
}

#[test]
fn containers_joined_to_a_renewed_one_are_made_again_after_it() {
    let p = project(
        r#"
name: demo
services:
  db:
    image: db:1
  sidecar:
    image: web:1
    network_mode: "service:db"
  tools:
    image: web:1
    pid: "service:db"
    volumes_from: ["db:ro"]
  web:
    image: web:1
"#,
    );
    let observed = |db_hash: &str| Observed {
        project: "demo".into(),
        containers: ["db", "sidecar", "tools", "web"]
            .into_iter()
            .map(|s| {
                let mut c = container(&p, s, 1, "running");
                if s == "db" {
                    c.config_hash = db_hash.to_owned();
                }
                c
            })
            .collect(),
        networks: vec![resource("demo_default")],
        images: images(&["db:1", "web:1"]),
        ..Default::default()
    };
    // db changed: the two made with its container follow it, web (merely beside it) does not.
    let current = labels::config_hash(&p.services["db"], &p.models);
    let unchanged = plan::up(&p, &observed(&current), &UpOptions::default()).unwrap();
    assert!(!unchanged.to_string().contains("Recreate"), "{unchanged}");
    golden(
        &plan::up(&p, &observed("old"), &UpOptions::default()).unwrap(),
        "
#0 container:demo-db-1 Recreate, config changed
#1 container:demo-db-1 Start, recreated [after #0]
#2 service:db Await service_started, sidecar depends on it [after #1]
#3 container:demo-sidecar-1 Recreate, db's container is new [after #0]
#4 container:demo-sidecar-1 Start, recreated [after #2 #3]
#5 service:db Await service_started, tools depends on it [after #1]
#6 container:demo-tools-1 Recreate, db's container is new [after #0]
#7 container:demo-tools-1 Start, recreated [after #5 #6]
",
    );
    // --no-recreate: none of them.
    let plan = plan::up(
        &p,
        &observed("old"),
        &UpOptions {
            no_recreate: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!plan.to_string().contains("Recreate"), "{plan}");
}

#[test]
fn a_dependency_recreated_restarts_the_services_that_ask_for_it() {
    let p = project(
        r#"
name: demo
services:
  db:
    image: db:1
  web:
    image: web:1
    depends_on:
      db: {condition: service_started, restart: true}
  worker:
    image: web:1
    depends_on: [db]
"#,
    );
    let mut observed = Observed {
        project: "demo".into(),
        containers: ["db", "web", "worker"]
            .into_iter()
            .map(|s| container(&p, s, 1, "running"))
            .collect(),
        networks: vec![resource("demo_default")],
        images: images(&["db:1", "web:1"]),
        ..Default::default()
    };
    observed.containers[0].config_hash = "old".into();
    // web stopped before db goes, started once the new db runs; worker left running.
    golden(
        &plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 container:demo-db-1 Recreate, config changed [after #3]
#1 container:demo-db-1 Start, recreated [after #0]
#2 service:db Await service_started, web depends on it [after #1]
#3 container:demo-web-1 Stop, db is recreated (depends_on restart)
#4 container:demo-web-1 Start, restarted [after #2 #3]
#5 service:db Await service_started, worker depends on it [after #1]
",
    );
}

#[test]
fn always_recreate_deps_recreates_the_named_services_dependencies_only() {
    let p = project(APP);
    let observed = running_demo(&p);
    let plan = plan::up(
        &p,
        &observed,
        &UpOptions {
            services: vec!["web".into()],
            always_recreate_deps: true,
            ..Default::default()
        },
    )
    .unwrap();
    let text = plan.to_string();
    assert!(
        text.contains("container:demo-db-1 Recreate, --always-recreate-deps"),
        "{text}"
    );
    assert!(!text.contains("demo-web-1 Recreate"), "{text}");
    // Without services named, every one is named: nothing is a dependency only.
    let all = plan::up(
        &p,
        &observed,
        &UpOptions {
            always_recreate_deps: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!all.to_string().contains("Recreate"), "{all}");
}

#[test]
fn a_network_or_volume_not_made_for_the_project_is_used_warned_of_and_left_by_down() {
    let p = project(APP);
    let mut observed = running_demo(&p);
    // A volume made for another project, a network made for another one with the same key:
    // used, and said.
    observed.networks[0].project = Some("other".into());
    observed.volumes[0].project = Some("other".into());
    let up = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert!(!up.to_string().contains("Create"), "{up}");
    assert_eq!(
        up.warnings,
        [
            "a network named demo_default exists but was made for project \"other\": it is used as it is; set `external: true` to use it so",
            "a volume named demo_data exists but was made for project \"other\": it is used as it is; set `external: true` to use it so",
        ]
    );
    // A network made by hand: refused, as compose refuses it.
    let mut by_hand = observed.clone();
    by_hand.networks[0] = Resource {
        name: "demo_default".into(),
        key: None,
        project: None,
        berth_hash: None,
        attached: Vec::new(),
    };
    let err = plan::up(&p, &by_hand, &UpOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("network demo_default is on the engine but was not made by compose for it"),
        "{err}"
    );
    let down = plan::down(
        Some(&p),
        &observed,
        &DownOptions {
            volumes: true,
            ..Default::default()
        },
    )
    .unwrap()
    .to_string();
    assert!(
        !down.contains("network:") && !down.contains("volume:"),
        "{down}"
    );
}

#[test]
fn pull_leaves_what_the_policies_and_options_keep_from_the_registry() {
    let p = project(
        r#"
name: demo
services:
  db:
    image: db:1
  cache:
    image: cache:1
    pull_policy: never
  web:
    image: web:1
    build: .
    depends_on: [db]
"#,
    );
    let pulled = |services: &[&str], opts: &plan::PullOptions| {
        let services: Vec<String> = services.iter().map(|s| s.to_string()).collect();
        let plan = plan::pull(&p, &services, opts).unwrap();
        // The steps' lines; the warnings apart.
        let steps: Vec<String> = plan
            .to_string()
            .lines()
            .filter(|l| !l.starts_with("warning: "))
            .map(str::to_owned)
            .collect();
        (steps.join("\n"), plan.warnings)
    };
    let (text, warnings) = pulled(&[], &Default::default());
    assert_eq!(
        text.trim(),
        "#0 image:db:1 Pull (service db), pull\n#1 image:web:1 Pull (service web), pull"
    );
    assert_eq!(warnings, ["cache: not pulled (pull_policy never)"]);
    // Named alone, without its dependency; with it under --include-deps.
    assert!(!pulled(&["web"], &Default::default()).0.contains("db:1"));
    let deps = plan::PullOptions {
        include_deps: true,
        ..Default::default()
    };
    assert!(pulled(&["web"], &deps).0.contains("image:db:1 Pull"));
    let buildable = plan::PullOptions {
        ignore_buildable: true,
        ..Default::default()
    };
    let (text, warnings) = pulled(&["web"], &buildable);
    assert_eq!((text.as_str(), warnings.len()), ("", 1), "{warnings:?}");
    // --policy missing: what is here stays as it is.
    let here = |image: &str| image == "db:1";
    let missing = plan::PullOptions {
        policy: Some("missing".into()),
        present: &here,
        ..Default::default()
    };
    let (text, warnings) = pulled(&[], &missing);
    assert!(!text.contains("db:1") && text.contains("web:1"), "{text}");
    assert!(warnings.contains(&"db: not pulled (here already)".to_owned()));
}

/// The hash Berth writes on the project's network `key` as the files define it now.
fn network_hash(p: &Project, key: &str) -> Option<String> {
    berth_compose::convert::network_spec(p, key)
        .labels
        .get(labels::CONFIG_HASH)
        .cloned()
}

#[test]
fn a_network_whose_definition_changed_is_made_anew_with_its_containers_put_back() {
    let p = project(APP);
    let mut observed = running_demo(&p);
    // Up to date: the waits only.
    let up_to_date = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert!(
        !up_to_date.to_string().contains("container:"),
        "{up_to_date}"
    );
    // Made by Berth from the same definition: the same.
    observed.networks[0].berth_hash = network_hash(&p, "default");
    assert_eq!(
        plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        up_to_date
    );
    // Made by Berth from another one: taken down and made again, each container stopped and
    // taken off first, put back and started after (web still after db is healthy).
    observed.networks[0].berth_hash = Some("0ther".into());
    assert!(!up_to_date.changes());
    assert!(
        plan::up(&p, &observed, &UpOptions::default())
            .unwrap()
            .changes()
    );
    golden(
        &plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        "
#0 container:demo-db-1 Stop, network demo_default is made anew
#1 container:demo-db-1 Disconnect demo_default, network demo_default is made anew [after #0]
#2 container:demo-web-1 Stop, network demo_default is made anew
#3 container:demo-web-1 Disconnect demo_default, network demo_default is made anew [after #2]
#4 container:demo-worker-1 Stop, network demo_default is made anew
#5 container:demo-worker-1 Disconnect demo_default, network demo_default is made anew [after #4]
#6 network:demo_default Remove, config changed [after #1 #3 #5]
#7 network:demo_default Create, config changed [after #6]
#8 container:demo-db-1 Connect demo_default, network demo_default is made anew [after #7]
#9 container:demo-web-1 Connect demo_default, network demo_default is made anew [after #7]
#10 container:demo-worker-1 Connect demo_default, network demo_default is made anew [after #7]
#11 container:demo-db-1 Start, its network was made anew [after #8]
#12 service:db Await service_healthy, web depends on it [after #11]
#13 container:demo-web-1 Start, its network was made anew [after #9 #12]
#14 service:db Await service_started, worker depends on it [after #11]
#15 container:demo-worker-1 Start, its network was made anew [after #10 #14]
",
    );
    // Only web named, without its dependencies: the others are taken off and put back running.
    let web = UpOptions {
        services: vec!["web".into()],
        no_deps: true,
        ..Default::default()
    };
    golden(
        &plan::up(&p, &observed, &web).unwrap(),
        "
#0 container:demo-db-1 Disconnect demo_default, network demo_default is made anew
#1 container:demo-web-1 Stop, network demo_default is made anew
#2 container:demo-web-1 Disconnect demo_default, network demo_default is made anew [after #1]
#3 container:demo-worker-1 Disconnect demo_default, network demo_default is made anew
#4 network:demo_default Remove, config changed [after #0 #2 #3]
#5 network:demo_default Create, config changed [after #4]
#6 container:demo-db-1 Connect demo_default, network demo_default is made anew [after #5]
#7 container:demo-web-1 Connect demo_default, network demo_default is made anew [after #5]
#8 container:demo-worker-1 Connect demo_default, network demo_default is made anew [after #5]
#9 container:demo-web-1 Start, its network was made anew [after #7]
",
    );
    // A changed container is made anew after its old one is back (which it then replaces).
    let mut changed = observed.clone();
    changed.containers[1].config_hash = "old".into();
    let plan = plan::up(&p, &changed, &UpOptions::default()).unwrap();
    assert!(
        plan.to_string()
            .contains("#13 container:demo-web-1 Recreate, config changed [after #7 #9]"),
        "{plan}"
    );
    // A container of no project on it: the network cannot be removed, so it is left as it is,
    // and said.
    let mut stranger = observed.clone();
    stranger.networks[0].attached = vec!["demo-web-1".into(), "stranger".into()];
    let plan = plan::up(&p, &stranger, &UpOptions::default()).unwrap();
    assert_eq!(plan.steps, up_to_date.steps);
    assert_eq!(
        plan.warnings,
        [
            "network demo_default's definition changed, but containers not of this project are on it (stranger): it is used as it is; disconnect them (`berth network disconnect demo_default CONTAINER`) to have it made anew"
        ]
    );
    // Made by another tool (or an older Berth): its hash is not Berth's to compare.
    observed.networks[0].berth_hash = None;
    assert_eq!(
        plan::up(&p, &observed, &UpOptions::default()).unwrap(),
        up_to_date
    );
}

#[test]
fn a_volume_whose_definition_changed_is_kept_and_said() {
    let p = project(APP);
    let mut observed = running_demo(&p);
    observed.volumes[0].berth_hash = berth_compose::convert::volume_labels(&p, "data")
        .get(labels::CONFIG_HASH)
        .cloned();
    assert!(
        plan::up(&p, &observed, &UpOptions::default())
            .unwrap()
            .warnings
            .is_empty()
    );
    observed.volumes[0].berth_hash = Some("0ther".into());
    let plan = plan::up(&p, &observed, &UpOptions::default()).unwrap();
    assert!(!plan.to_string().contains("Create"), "{plan}");
    assert_eq!(
        plan.warnings,
        [
            "volume demo_data was made from another definition of volumes.data (driver, driver_opts or labels): it is used as it is, with its data; to have it made anew, take the project down and remove it (`berth volume rm demo_data`: its data goes with it)"
        ]
    );
}

#[test]
fn restart_takes_the_services_that_ask_for_it_along() {
    let p = project(
        "name: demo\nservices:\n  db:\n    image: db:1\n  web:\n    image: web:1\n    depends_on:\n      db: {condition: service_started, restart: true}\n  proxy:\n    image: proxy:1\n    depends_on:\n      web: {condition: service_started, restart: true}\n  worker:\n    image: worker:1\n    depends_on: [db]\n",
    );
    let restarted = |named: &[&str]| {
        let named: Vec<String> = named.iter().map(|s| s.to_string()).collect();
        berth_compose::graph::restarted(&p, &named)
    };
    assert_eq!(restarted(&["db"]), ["db", "web", "proxy"]);
    assert_eq!(restarted(&["web"]), ["web", "proxy"]);
    assert_eq!(restarted(&["worker"]), ["worker"]);
}
