//! The desktop app's window: builds the Tauri shell around [`berth_api::Berth`] and forwards
//! Berth's engine state and the engine's container, image, network and volume events to the UI
//! (`engine://state`, `containers://changed`, `images://changed`, `networks://changed`,
//! `volumes://changed`), and
//! the build history as builds are recorded (`builds://changed`). The tray, the notifications
//! about containers and the engine, and the supervisor of Berth's own engine live in
//! `berth-tray`, a process without WebKit: the window starts it when none runs, attaches to
//! it, and quits with it ([`tray_link`]). Closing the window ends this process; Berth stays in
//! the tray. One window per tray, whatever session a launch comes from: a second launch shows
//! the first one's (on Linux the tray sees to it; elsewhere the single-instance plugin). Commands are
//! one-line delegations to the facade; nothing here decides engine behaviour.

mod commands;
mod containers;
mod host;
mod notify;
mod streams;
mod terminal;
#[cfg(target_os = "linux")]
mod tray_link;
mod tuning;
mod window;

use std::sync::Arc;

use berth_api::{Berth, Launch, Target};
use tauri::{Emitter, Manager};

/// The event carrying [`berth_api::wire::EngineView`] whenever Berth's engine changes.
pub const ENGINE_STATE: &str = "engine://state";

/// The event carrying the engine's container events (`{events: [{action, id}], rows}`), with
/// every container after them; views that show containers take `rows` or refresh on it.
pub const CONTAINERS_CHANGED: &str = "containers://changed";

/// The event carrying the engine's image events (`[{action, id}]`): an image was pulled, built
/// or tagged, untagged, removed or loaded. Views that show images ask for them again.
pub const IMAGES_CHANGED: &str = "images://changed";

/// The event carrying the engine's network events, as [`IMAGES_CHANGED`] does for images.
pub const NETWORKS_CHANGED: &str = "networks://changed";

/// The event carrying the engine's volume events (created, removed), as [`IMAGES_CHANGED`] does
/// for images.
pub const VOLUMES_CHANGED: &str = "volumes://changed";

/// The event carrying the build history (`[BuildRecord]`) each time a build is recorded, by
/// the app or by `berth build`.
pub const BUILDS_CHANGED: &str = "builds://changed";

/// The event carrying the view a second launch named (`berth-app --view NAME`), which the
/// running window shows.
pub const WINDOW_VIEW: &str = "window://view";

/// What every command reaches through `tauri::State`.
pub struct App {
    pub berth: Arc<Berth>,
    pub streams: streams::Streams,
    /// The container list read as the window started, for the page's first read.
    pub first_list: Arc<containers::FirstList>,
}

/// Runs the window until it is closed, the tray quits, or SIGTERM/SIGINT.
pub fn run() {
    tuning::reexec_tuned();
    // Berth's engine is the tray's: started through it (`berth-tray --start-engine` hands the
    // request to the running tray, or becomes the tray), so closing the window leaves it running.
    let launch = Launch::Detached {
        exe: berth_api::desktop::sibling_exe(berth_api::desktop::TRAY_EXE),
        args: vec!["--start-engine".to_owned()],
    };
    let berth = match Berth::load(launch, Target::Discover) {
        Ok(berth) => Arc::new(berth),
        Err(e) => {
            eprintln!("berth: {e}");
            std::process::exit(1);
        }
    };
    let _log = berth_api::desktop::init_logging(&berth.app_log_dir(), "app");
    // `--view NAME`: the view the window opens on (the benchmarks open the container list).
    let start_view = window::view_arg(&std::env::args().collect::<Vec<_>>());
    // One window per tray: attached before the window is made (so that a tray quitting meanwhile
    // is seen quitting); when another window is attached, the tray shows it and this one ends.
    #[cfg(target_os = "linux")]
    let link = match tauri::async_runtime::block_on(tray_link::claim(
        &berth.tray_socket(),
        start_view.as_deref(),
    )) {
        tray_link::Claim::Attached(link) => Some(link),
        tray_link::Claim::Shown => {
            tracing::info!("another window is open; it shows itself instead");
            return;
        }
        tray_link::Claim::Alone => None,
    };
    let builder = tauri::Builder::default();
    // Elsewhere (no tray process yet) a second launch hands over to this one, which shows its
    // window on the view it names, and exits.
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
        window::show(app, window::view_arg(&args).as_deref());
    }));
    let app = builder
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .manage(window::StartView(start_view))
        .manage(App {
            berth: berth.clone(),
            streams: streams::Streams::default(),
            first_list: Arc::new(containers::FirstList::waiting()),
        })
        .invoke_handler(tauri::generate_handler![
            commands::engine_view,
            commands::engine_start,
            commands::engine_stop,
            commands::engine_restart,
            commands::version,
            commands::info,
            commands::disk_usage,
            commands::system_prune_plan,
            commands::system_prune,
            commands::contexts,
            commands::context_use,
            commands::context_add,
            commands::context_remove,
            commands::containers,
            commands::container_action,
            commands::container_remove,
            commands::container_prune_candidates,
            commands::run_hints,
            commands::container_inspect,
            commands::container_top,
            commands::container_rename,
            commands::container_update,
            commands::container_commit,
            commands::container_export,
            commands::container_files,
            commands::container_text,
            commands::container_download,
            commands::container_upload,
            commands::run_check,
            commands::run,
            commands::logs_follow,
            commands::logs_save,
            commands::stats_follow,
            commands::stats_all,
            commands::exec_open,
            commands::exec_input,
            commands::exec_resize,
            commands::unsubscribe,
            commands::images,
            commands::image_remove,
            commands::image_tag,
            commands::image_save,
            commands::image_load,
            commands::image_history,
            commands::image_inspect,
            commands::image_prune_candidates,
            commands::image_check,
            commands::image_pull,
            commands::image_push,
            commands::image_push_target,
            commands::image_build,
            commands::builds,
            commands::build_stages,
            commands::search,
            commands::registry_catalog,
            commands::registry_tags,
            commands::registry_user,
            commands::registry_login,
            commands::registry_logout,
            commands::volumes,
            commands::volume_sizes,
            commands::volume_create,
            commands::volume_remove,
            commands::volume_prune_candidates,
            commands::volume_files,
            commands::volume_text,
            commands::volume_clone,
            commands::volume_download,
            commands::volume_upload,
            commands::volume_export,
            commands::volume_import,
            commands::networks,
            commands::network_create,
            commands::network_inspect,
            commands::network_connect,
            commands::network_disconnect,
            commands::network_remove,
            commands::network_prune_candidates,
            commands::compose_projects,
            commands::compose_view,
            commands::compose_files_follow,
            commands::compose_run,
            commands::compose_logs,
            commands::compose_logs_save,
            commands::compose_down_preview,
            commands::host_follow,
            commands::settings,
            commands::settings_save,
            commands::settings_defaults,
            commands::engine_daemon_json,
            commands::engine_daemon_json_save,
            commands::log_follow,
            commands::diagnostics,
            commands::open_url,
            commands::ui_mark,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            window::open(&handle);
            #[cfg(target_os = "linux")]
            if let Some(link) = link {
                let (detach, gone) = tokio::sync::watch::channel(false);
                app.manage(tray_link::Detach(detach));
                tauri::async_runtime::spawn(link.follow(handle.clone(), gone));
            }
            tauri::async_runtime::spawn(forward_engine_state(handle.clone(), berth.clone()));
            let first = handle.state::<App>().first_list.clone();
            tauri::async_runtime::spawn(containers::follow(handle.clone(), berth.clone(), first));
            tauri::async_runtime::spawn(forward_builds(handle.clone(), berth.clone()));
            tauri::async_runtime::spawn(quit_on_signal(handle));
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("berth: cannot start the app: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        // The webview is gone with its window: end the streams it was fed.
        if let tauri::RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } = event
            && label == window::MAIN
        {
            handle.state::<App>().streams.end_all();
            // And the tray's next Open starts a window rather than asking this one.
            #[cfg(target_os = "linux")]
            if let Some(detach) = handle.try_state::<tray_link::Detach>() {
                detach.0.send_replace(true);
            }
        }
    });
}

/// SIGTERM (logout, `kill`) and SIGINT close the window the normal way (its streams end).
async fn quit_on_signal(handle: tauri::AppHandle) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::info!("quitting on a signal");
    handle.exit(0);
}

/// Emits the build history each time a build is recorded.
async fn forward_builds(handle: tauri::AppHandle, berth: Arc<Berth>) {
    berth
        .follow_builds(|history| {
            if let Err(e) = handle.emit(BUILDS_CHANGED, history) {
                tracing::warn!(%e, "cannot emit the build history");
            }
        })
        .await;
}

/// Emits the engine view now and at every change of Berth's engine, whoever supervises it.
async fn forward_engine_state(handle: tauri::AppHandle, berth: Arc<Berth>) {
    let mut connection = None;
    let forget = berth.clone();
    berth
        .follow_engine(|_, view| {
            // The engine in use changed: look for it again at the next call (not at the first
            // view, whose connection was just made: the page's first calls would make it again).
            if connection.as_ref() != Some(&view.connection)
                && connection.replace(view.connection.clone()).is_some()
            {
                let berth = forget.clone();
                tauri::async_runtime::spawn(async move { berth.forget_connection().await });
            }
            if let Err(e) = handle.emit(ENGINE_STATE, view) {
                tracing::warn!(%e, "cannot emit the engine state");
            }
        })
        .await;
}
