//! The desktop app: builds the Tauri shell around [`berth_api::Berth`], forwards Berth's engine
//! state to the UI as `engine://state` events and to the tray, and starts the engine when none
//! answers. One instance per session: a second launch shows the first one's window. Closing the
//! window keeps Berth in the tray without a webview; Quit (tray), SIGTERM or SIGINT end it. Commands are one-line delegations to the facade; nothing here decides
//! engine behaviour.

mod commands;
mod containers;
mod host;
mod login;
mod notify;
mod streams;
mod terminal;
mod tray;
mod tuning;
mod window;

use std::sync::Arc;
use std::time::Duration;

use berth_api::{Berth, ErrorCode, Launch, Target};
use tauri::{Emitter, Manager};

/// The event carrying [`berth_api::wire::EngineView`] whenever Berth's engine changes.
pub const ENGINE_STATE: &str = "engine://state";

/// The event carrying the engine's container events (`{events: [{action, id}], rows}`), with
/// every container after them; views that show containers take `rows` or refresh on it.
pub const CONTAINERS_CHANGED: &str = "containers://changed";

/// What every command reaches through `tauri::State`.
pub struct App {
    pub berth: Arc<Berth>,
    pub streams: streams::Streams,
}

/// Makes `name` the current context and connects to it from now on.
pub async fn switch_context(berth: &Berth, name: &str) -> Result<(), berth_api::ApiError> {
    berth.context_use(name)?;
    berth.forget_connection().await;
    Ok(())
}

/// Logs to stderr and to a daily file in the user's state directory (`app.YYYY-MM-DD.log`, the
/// last 7 kept); the guard flushes the file when the app ends.
fn init_logging(dir: &std::path::Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_env("BERTH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let file = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("app")
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir);
    let (file_layer, guard) = match file {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (
                Some(
                    tracing_subscriber::fmt::layer()
                        .with_ansi(false)
                        .with_writer(writer),
                ),
                Some(guard),
            )
        }
        Err(e) => {
            eprintln!("berth: no log file in {}: {e}", dir.display());
            (None, None)
        }
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(file_layer)
        .try_init();
    guard
}

/// Runs the app until it quits; stops the engine this app started on the way out.
pub fn run() {
    tuning::reexec_tuned();
    let berth = match Berth::load(Launch::InProcess, Target::Discover) {
        Ok(berth) => Arc::new(berth),
        Err(e) => {
            eprintln!("berth: {e}");
            std::process::exit(1);
        }
    };
    let _log = init_logging(&berth.app_log_dir());
    // `--view NAME`: the view the window opens on (the benchmarks open the container list).
    let args: Vec<String> = std::env::args().collect();
    let start_view = args
        .iter()
        .position(|a| a == "--view")
        .and_then(|i| args.get(i + 1).cloned());
    let app = tauri::Builder::default()
        // First: a second launch hands over to this one (which shows its window) and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::open(app);
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .manage(window::StartView(start_view))
        .manage(notify::Expected::default())
        .manage(App {
            berth: berth.clone(),
            streams: streams::Streams::default(),
        })
        .invoke_handler(tauri::generate_handler![
            commands::engine_view,
            commands::engine_start,
            commands::engine_stop,
            commands::engine_restart,
            commands::version,
            commands::info,
            commands::contexts,
            commands::context_use,
            commands::context_add,
            commands::containers,
            commands::container_action,
            commands::container_remove,
            commands::container_inspect,
            commands::container_top,
            commands::container_files,
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
            commands::image_history,
            commands::image_prune_candidates,
            commands::image_check,
            commands::image_pull,
            commands::image_push,
            commands::image_build,
            commands::builds,
            commands::search,
            commands::registry_catalog,
            commands::registry_tags,
            commands::volumes,
            commands::volume_create,
            commands::volume_remove,
            commands::volume_prune_candidates,
            commands::volume_files,
            commands::volume_export,
            commands::volume_import,
            commands::networks,
            commands::network_create,
            commands::network_remove,
            commands::compose_projects,
            commands::compose_view,
            commands::compose_run,
            commands::host_follow,
            commands::settings,
            commands::settings_save,
            commands::log_tail,
            commands::open_url,
            commands::ui_mark,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            // Without a tray (no appindicator library), closing the window quits.
            match tray::Tray::build(&handle) {
                Ok(tray) => {
                    app.manage(tray);
                }
                Err(e) => tracing::warn!(%e, "no tray icon"),
            }
            // The window is made here, not from the configuration, so "start minimised"
            // can leave Berth in the tray (when there is one).
            if !(berth.settings().start_minimised && app.try_state::<tray::Tray>().is_some()) {
                window::open(&handle);
            }
            tauri::async_runtime::spawn(forward_engine_state(handle.clone(), berth.clone()));
            tauri::async_runtime::spawn(start_engine_if_needed(berth.clone()));
            tauri::async_runtime::spawn(containers::follow(handle.clone(), berth.clone()));
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
    app.run(|handle, event| match event {
        // The webview is gone with its window: end the streams it was fed.
        tauri::RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } if label == window::MAIN => handle.state::<App>().streams.end_all(),
        // The last window closed: stay in the tray (its webview is gone with the window).
        tauri::RunEvent::ExitRequested {
            code: None, api, ..
        } if handle.try_state::<tray::Tray>().is_some() => {
            tracing::info!("the window closed; staying in the tray");
            api.prevent_exit()
        }
        tauri::RunEvent::Exit => {
            let berth = handle.state::<App>().berth.clone();
            tauri::async_runtime::block_on(berth.shutdown());
        }
        _ => {}
    });
}

/// SIGTERM (logout, `kill`) and SIGINT quit the app the normal way, so the engine it started is
/// stopped gracefully by the exit handler.
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

/// Starts Berth's own engine when no engine answers and the settings allow it.
async fn start_engine_if_needed(berth: Arc<Berth>) {
    match berth.connect().await {
        Err(e) if e.code == ErrorCode::EngineUnreachable && berth.autostarts() => {
            tracing::info!(%e, "no engine answers; starting Berth's own");
            if let Err(e) = berth.engine_start().await {
                tracing::error!(%e, "Berth's engine did not start");
            }
        }
        Err(e) => tracing::warn!(%e, "no engine in use"),
        Ok(conn) => {
            tracing::info!(host = %conn.candidate.endpoint.host, "using an engine that answers")
        }
    }
}

/// Emits the engine view now and at every change of Berth's engine, whoever supervises it.
async fn forward_engine_state(handle: tauri::AppHandle, berth: Arc<Berth>) {
    let mut connection = None;
    let mut emit = |view: berth_api::wire::EngineView| {
        tray::show(&handle, view.clone());
        // The engine in use changed: look for it again at the next call (not at the first
        // view, whose connection was just made: the page's first calls would make it again).
        if connection.as_ref() != Some(&view.connection)
            && connection.replace(view.connection.clone()).is_some()
        {
            let berth = berth.clone();
            tauri::async_runtime::spawn(async move { berth.forget_connection().await });
        }
        if let Err(e) = handle.emit(ENGINE_STATE, view) {
            tracing::warn!(%e, "cannot emit the engine state");
        }
    };
    emit(berth.engine_view().await);
    // The last state of Berth's own engine seen here, for what a change means.
    let mut seen = String::new();
    loop {
        if let Ok(mut watch) = berth.engine_watch().await {
            while let Some(own) = watch.next().await {
                // Judged on the state itself, before the slower full view is read.
                if let Some(text) = notify::engine_news(&seen, &own) {
                    notify::show(&handle, &text);
                }
                seen = own.state;
                emit(berth.engine_view().await);
            }
            emit(berth.engine_view().await);
        }
        // No supervisor: wait for this app to start one, or look again for one the CLI started
        // (a supervisor in another process has no event to wait on yet).
        tokio::select! {
            _ = berth.supervisor_appeared() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}
