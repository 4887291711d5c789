//! `#[tauri::command]`s: delegations to the facade on the app's current connection. Streams
//! are started here and handed to [`crate::streams`]; nothing here decides engine behaviour.

use berth_api::compose::{ComposeFileView, ProjectEvent};
use berth_api::wire::{
    ComposeProjectRow, ContainerRow, ContextRow, EngineView, ImageRow, InfoView, NetworkRow,
    OwnEngineView, VersionView, VolumeRow, VolumeSizes,
};
use berth_api::{
    ApiError, ArchiveInput, BuildRequest, Connection, Created, DaemonJson, DiagnosticsReport,
    DiskUsageView, FileText, HostSample, LayerRow, LogLine, LogOptions, LogText, NetworkRequest,
    ProgressEvent, ProjectLogLine, PruneFilter, PruneItem, PruneOutcome, RunHints, RunRequest,
    SearchRow, Settings, TopView, UsageView, VolumeEntry,
};
use futures_util::StreamExt;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::streams::{Batch, LOG_PACE, Pace};
use crate::{App, notify};

type Result<T> = std::result::Result<T, ApiError>;

async fn conn(app: &State<'_, App>) -> Result<Connection> {
    app.berth.current().await
}

// Engine.

#[tauri::command]
pub async fn engine_view(app: State<'_, App>) -> Result<EngineView> {
    Ok(app.berth.engine_view().await)
}

#[tauri::command]
pub async fn engine_start(app: State<'_, App>) -> Result<OwnEngineView> {
    app.berth.engine_start().await
}

#[tauri::command]
pub async fn engine_stop(app: State<'_, App>) -> Result<bool> {
    app.berth.engine_stop().await
}

#[tauri::command]
pub async fn engine_restart(app: State<'_, App>) -> Result<OwnEngineView> {
    app.berth.engine_restart().await
}

#[tauri::command]
pub async fn version(app: State<'_, App>) -> Result<VersionView> {
    app.berth.version(&conn(&app).await?).await
}

#[tauri::command]
pub async fn info(app: State<'_, App>) -> Result<InfoView> {
    app.berth.info(&conn(&app).await?).await
}

#[tauri::command]
pub async fn disk_usage(app: State<'_, App>) -> Result<DiskUsageView> {
    app.berth.disk_usage(&conn(&app).await?).await
}

/// What Clean up would remove: stopped containers, unused networks, untagged images nothing
/// will use, and with `volumes` the unused anonymous volumes.
#[tauri::command]
pub async fn system_prune_plan(app: State<'_, App>, volumes: bool) -> Result<Vec<PruneItem>> {
    let filter = PruneFilter::default();
    app.berth
        .system_prune_plan(&conn(&app).await?, false, volumes, &filter)
        .await
}

#[tauri::command]
pub async fn system_prune(app: State<'_, App>, items: Vec<PruneItem>) -> Result<PruneOutcome> {
    app.berth.system_prune(&conn(&app).await?, &items).await
}

#[tauri::command]
pub fn contexts(app: State<'_, App>) -> Result<Vec<ContextRow>> {
    app.berth.contexts()
}

#[tauri::command]
pub async fn context_use(app: State<'_, App>, name: String) -> Result<()> {
    app.berth.switch_context(&name).await
}

#[tauri::command]
pub async fn context_add(
    app: State<'_, App>,
    name: String,
    host: String,
    ca: Option<String>,
    cert: Option<String>,
    key: Option<String>,
) -> Result<ContextRow> {
    app.berth
        .context_add(&name, &host, ca.as_deref(), cert.as_deref(), key.as_deref())
}

/// Removes a context that is not in use, as `docker context rm` does (the current one is
/// refused: switch first).
#[tauri::command]
pub fn context_remove(app: State<'_, App>, name: String) -> Result<()> {
    app.berth.context_remove(&name, false)
}

// Containers.

#[tauri::command]
pub async fn containers(app: State<'_, App>, all: bool) -> Result<Vec<ContainerRow>> {
    crate::containers::list(&app, all).await
}

#[tauri::command]
pub async fn container_action(app: State<'_, App>, id: String, action: String) -> Result<()> {
    app.berth
        .container_action(&conn(&app).await?, &id, &action)
        .await
}

#[tauri::command]
pub async fn container_remove(
    app: State<'_, App>,
    id: String,
    force: bool,
    volumes: bool,
) -> Result<()> {
    app.berth
        .remove(&conn(&app).await?, &id, force, volumes)
        .await
}

#[tauri::command]
pub async fn run_hints(app: State<'_, App>, image: String) -> Result<RunHints> {
    app.berth.run_hints(&conn(&app).await?, &image).await
}

#[tauri::command]
pub async fn container_prune_candidates(app: State<'_, App>) -> Result<Vec<ContainerRow>> {
    app.berth
        .container_prune_candidates(&conn(&app).await?, &PruneFilter::default())
        .await
}

#[tauri::command]
pub async fn container_inspect(app: State<'_, App>, id: String) -> Result<serde_json::Value> {
    app.berth.inspect_container(&conn(&app).await?, &id).await
}

#[tauri::command]
pub async fn container_export(app: State<'_, App>, id: String, to: String) -> Result<u64> {
    app.berth
        .export_to(&conn(&app).await?, &id, to.as_ref())
        .await
}

#[tauri::command]
pub async fn container_rename(app: State<'_, App>, id: String, name: String) -> Result<()> {
    app.berth.rename(&conn(&app).await?, &id, &name).await
}

/// Changes a container's restart policy and limits; `None`s are left as they are. What the
/// engine warned of comes back.
#[tauri::command]
pub async fn container_update(
    app: State<'_, App>,
    id: String,
    req: berth_api::UpdateRequest,
) -> Result<Vec<String>> {
    app.berth.update(&conn(&app).await?, &id, &req).await
}

/// An image of a container's files as they are now (`docker commit`); its id.
#[tauri::command]
pub async fn container_commit(
    app: State<'_, App>,
    id: String,
    image: Option<String>,
    comment: Option<String>,
) -> Result<String> {
    let conn = conn(&app).await?;
    (app.berth)
        .commit(&conn, &id, image.as_deref(), comment.as_deref(), None, true)
        .await
}

#[tauri::command]
pub async fn container_top(app: State<'_, App>, id: String) -> Result<TopView> {
    app.berth.top(&conn(&app).await?, &id).await
}

#[tauri::command]
pub async fn container_files(
    app: State<'_, App>,
    id: String,
    path: String,
) -> Result<Vec<VolumeEntry>> {
    app.berth
        .container_files(&conn(&app).await?, &id, &path)
        .await
}

#[tauri::command]
pub async fn container_text(app: State<'_, App>, id: String, path: String) -> Result<FileText> {
    app.berth
        .container_text(&conn(&app).await?, &id, &path)
        .await
}

#[tauri::command]
pub async fn container_download(
    app: State<'_, App>,
    id: String,
    path: String,
    to: String,
) -> Result<()> {
    app.berth
        .copy_from_container(
            &conn(&app).await?,
            &id,
            &path,
            to.as_ref(),
            Default::default(),
        )
        .await
}

#[tauri::command]
pub async fn container_upload(
    app: State<'_, App>,
    id: String,
    from: String,
    path: String,
) -> Result<()> {
    app.berth
        .copy_into_container(
            &conn(&app).await?,
            from.as_ref(),
            &id,
            &path,
            Default::default(),
        )
        .await
}

#[tauri::command]
pub async fn run_check(app: State<'_, App>, req: RunRequest) -> Result<()> {
    app.berth.check_run_ports(&conn(&app).await?, &req).await
}

#[tauri::command]
pub async fn run(app: State<'_, App>, req: RunRequest) -> Result<Created> {
    app.berth.run_checked(&conn(&app).await?, &req).await
}

#[tauri::command]
pub async fn logs_follow(
    app: State<'_, App>,
    id: String,
    tail: Option<u64>,
    timestamps: bool,
    channel: Channel<Batch<LogLine>>,
) -> Result<u32> {
    let opts = LogOptions {
        follow: true,
        tail,
        timestamps,
        ..Default::default()
    };
    let stream = app.berth.logs(&conn(&app).await?, &id, &opts);
    Ok(app.streams.forward_paced(stream, channel, LOG_PACE))
}

#[tauri::command]
pub async fn logs_save(app: State<'_, App>, id: String, to: String) -> Result<u64> {
    app.berth
        .save_logs(&conn(&app).await?, &id, to.as_ref())
        .await
}

#[tauri::command]
pub async fn stats_follow(
    app: State<'_, App>,
    id: String,
    channel: Channel<Batch<UsageView>>,
) -> Result<u32> {
    let conn = conn(&app).await?;
    app.berth.measures_containers(&conn).await?;
    Ok(app
        .streams
        .forward(app.berth.stats(&conn, &id, true), channel))
}

/// The stats of many containers in one stream, a batch a second (the dashboard's top list).
#[tauri::command]
pub async fn stats_all(
    app: State<'_, App>,
    ids: Vec<String>,
    channel: Channel<Batch<UsageView>>,
) -> Result<u32> {
    let conn = conn(&app).await?;
    app.berth.measures_containers(&conn).await?;
    let streams = ids
        .iter()
        .map(|id| app.berth.stats(&conn, id, true).boxed());
    let merged = futures_util::stream::select_all(streams);
    Ok(app.streams.forward_paced(
        merged,
        channel,
        Pace::every(std::time::Duration::from_secs(1)),
    ))
}

#[tauri::command]
pub async fn exec_open(
    app: State<'_, App>,
    id: String,
    command: Vec<String>,
    rows: u16,
    cols: u16,
    channel: Channel<Batch<String>>,
) -> Result<u32> {
    crate::terminal::open(&app, &id, command, rows, cols, channel).await
}

#[tauri::command]
pub async fn exec_input(app: State<'_, App>, session: u32, data: String) -> Result<()> {
    crate::terminal::input(&app, session, &data).await
}

#[tauri::command]
pub async fn exec_resize(app: State<'_, App>, session: u32, rows: u16, cols: u16) -> Result<()> {
    crate::terminal::resize(&app, session, rows, cols).await
}

#[tauri::command]
pub fn unsubscribe(app: State<'_, App>, id: u32) {
    app.streams.unsubscribe(id)
}

// Images.

#[tauri::command]
pub async fn images(app: State<'_, App>) -> Result<Vec<ImageRow>> {
    app.berth.images(&conn(&app).await?).await
}

#[tauri::command]
pub async fn image_remove(
    app: State<'_, App>,
    names: Vec<String>,
    force: bool,
) -> Result<Vec<String>> {
    app.berth
        .remove_images(&conn(&app).await?, &names, force)
        .await
}

#[tauri::command]
pub async fn image_tag(app: State<'_, App>, source: String, target: String) -> Result<()> {
    app.berth.tag(&conn(&app).await?, &source, &target).await
}

#[tauri::command]
pub async fn image_save(app: State<'_, App>, names: Vec<String>, to: String) -> Result<u64> {
    app.berth
        .save_to(&conn(&app).await?, &names, to.as_ref())
        .await
}

#[tauri::command]
pub async fn image_load(app: State<'_, App>, from: String) -> Result<Vec<String>> {
    app.berth
        .load_images(&conn(&app).await?, &ArchiveInput::File(from.into()))
        .await
}

#[tauri::command]
pub async fn image_history(app: State<'_, App>, image: String) -> Result<Vec<LayerRow>> {
    app.berth.image_history(&conn(&app).await?, &image).await
}

#[tauri::command]
pub async fn image_inspect(app: State<'_, App>, image: String) -> Result<serde_json::Value> {
    app.berth.inspect_image(&conn(&app).await?, &image).await
}

#[tauri::command]
pub async fn image_prune_candidates(app: State<'_, App>, all: bool) -> Result<Vec<ImageRow>> {
    app.berth
        .image_prune_candidates(&conn(&app).await?, all, &PruneFilter::default())
        .await
}

#[tauri::command]
pub async fn image_check(app: State<'_, App>, image: String) -> Result<berth_api::FreshnessView> {
    app.berth.check_image(&conn(&app).await?, &image).await
}

#[tauri::command]
pub async fn image_pull(
    app: State<'_, App>,
    handle: AppHandle,
    image: String,
    platform: Option<String>,
    channel: Channel<Batch<ProgressEvent>>,
) -> Result<u32> {
    let stream = app
        .berth
        .pull_for(&conn(&app).await?, &image, platform.as_deref())?;
    let then = notify::when_finished(
        handle,
        format!("Pulled {image}"),
        format!("Pull of {image} failed"),
    );
    Ok(app.streams.forward_then(stream, channel, then))
}

#[tauri::command]
pub async fn image_push(
    app: State<'_, App>,
    image: String,
    channel: Channel<Batch<ProgressEvent>>,
) -> Result<u32> {
    let stream = app.berth.push(&conn(&app).await?, &image).await?;
    Ok(app.streams.forward(stream, channel))
}

#[tauri::command]
pub fn image_push_target(image: String) -> Result<berth_api::images::PushTarget> {
    berth_api::images::push_target(&image)
}

#[tauri::command]
pub async fn image_build(
    app: State<'_, App>,
    handle: AppHandle,
    req: BuildRequest,
    channel: Channel<Batch<ProgressEvent>>,
) -> Result<u32> {
    let built = req
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| req.context.clone());
    let stream = app.berth.build_owned(conn(&app).await?, req)?;
    let then = notify::when_finished(
        handle,
        format!("Built {built}"),
        format!("Build of {built} failed"),
    );
    Ok(app.streams.forward_then(stream, channel, then))
}

#[tauri::command]
pub fn builds(app: State<'_, App>) -> Result<Vec<berth_api::BuildRecord>> {
    app.berth.build_history()
}

/// The stages a build of `context` may stop at (its Dockerfile's `FROM … AS NAME`).
#[tauri::command]
pub fn build_stages(
    app: State<'_, App>,
    context: String,
    dockerfile: Option<String>,
) -> Result<Option<Vec<String>>> {
    app.berth.build_stages(&context, dockerfile.as_deref())
}

#[tauri::command]
pub async fn search(app: State<'_, App>, term: String) -> Result<Vec<SearchRow>> {
    app.berth.search(&conn(&app).await?, &term, 25).await
}

#[tauri::command]
pub async fn registry_catalog(app: State<'_, App>, registry: String) -> Result<Vec<String>> {
    app.berth.registry_catalog(&registry).await
}

#[tauri::command]
pub async fn registry_tags(app: State<'_, App>, repository: String) -> Result<Vec<String>> {
    app.berth.registry_tags(&repository).await
}

#[tauri::command]
pub async fn registry_user(app: State<'_, App>, server: String) -> Result<Option<String>> {
    app.berth.signed_in_as(&server).await
}

#[tauri::command]
pub async fn registry_login(
    app: State<'_, App>,
    server: String,
    username: String,
    password: String,
    plain_text: bool,
) -> Result<String> {
    app.berth
        .login(
            &conn(&app).await?,
            &server,
            &username,
            &password,
            plain_text,
        )
        .await
}

#[tauri::command]
pub async fn registry_logout(app: State<'_, App>, server: String) -> Result<bool> {
    app.berth.logout(&server).await
}

// Volumes and networks.

#[tauri::command]
pub async fn volumes(app: State<'_, App>) -> Result<Vec<VolumeRow>> {
    app.berth.volumes(&conn(&app).await?).await
}

#[tauri::command]
pub async fn volume_sizes(app: State<'_, App>) -> Result<VolumeSizes> {
    app.berth.volume_sizes(&conn(&app).await?).await
}

#[tauri::command]
pub async fn volume_create(
    app: State<'_, App>,
    name: Option<String>,
    driver: Option<String>,
    options: Vec<String>,
    labels: Vec<String>,
) -> Result<VolumeRow> {
    let conn = conn(&app).await?;
    app.berth
        .create_volume(&conn, name.as_deref(), driver.as_deref(), &options, &labels)
        .await
}

#[tauri::command]
pub async fn volume_remove(app: State<'_, App>, name: String) -> Result<()> {
    app.berth
        .remove_volume(&conn(&app).await?, &name, false)
        .await
}

#[tauri::command]
pub async fn volume_prune_candidates(app: State<'_, App>) -> Result<Vec<VolumeRow>> {
    app.berth
        .volume_prune_candidates(&conn(&app).await?, true, &PruneFilter::default())
        .await
}

#[tauri::command]
pub async fn volume_files(
    app: State<'_, App>,
    name: String,
    path: String,
) -> Result<Vec<VolumeEntry>> {
    app.berth
        .volume_files(&conn(&app).await?, &name, &path, false)
        .await
}

#[tauri::command]
pub async fn volume_text(app: State<'_, App>, name: String, path: String) -> Result<FileText> {
    app.berth
        .volume_text(&conn(&app).await?, &name, &path)
        .await
}

#[tauri::command]
pub async fn volume_clone(app: State<'_, App>, from: String, to: String) -> Result<VolumeRow> {
    app.berth.clone_volume(&conn(&app).await?, &from, &to).await
}

#[tauri::command]
pub async fn volume_download(
    app: State<'_, App>,
    name: String,
    path: String,
    to: String,
) -> Result<()> {
    app.berth
        .volume_download(&conn(&app).await?, &name, &path, to.as_ref())
        .await
}

#[tauri::command]
pub async fn volume_upload(
    app: State<'_, App>,
    name: String,
    from: String,
    path: String,
) -> Result<()> {
    app.berth
        .volume_upload(&conn(&app).await?, &name, from.as_ref(), &path)
        .await
}

#[tauri::command]
pub async fn volume_export(app: State<'_, App>, name: String, to: String) -> Result<u64> {
    app.berth
        .export_volume_to(&conn(&app).await?, &name, to.as_ref())
        .await
}

#[tauri::command]
pub async fn volume_import(app: State<'_, App>, name: String, from: String) -> Result<()> {
    app.berth
        .import_volume(&conn(&app).await?, &name, &ArchiveInput::File(from.into()))
        .await
}

#[tauri::command]
pub async fn networks(app: State<'_, App>) -> Result<Vec<NetworkRow>> {
    app.berth.networks(&conn(&app).await?).await
}

#[tauri::command]
pub async fn network_create(app: State<'_, App>, req: NetworkRequest) -> Result<String> {
    app.berth.create_network(&conn(&app).await?, &req).await
}

/// The engine's inspect of a network (its address ranges and the containers on it, with theirs).
#[tauri::command]
pub async fn network_inspect(app: State<'_, App>, name: String) -> Result<serde_json::Value> {
    app.berth.inspect_network(&conn(&app).await?, &name).await
}

/// Attaches a container to a network, known there also by `aliases`.
#[tauri::command]
pub async fn network_connect(
    app: State<'_, App>,
    name: String,
    container: String,
    aliases: Vec<String>,
) -> Result<()> {
    app.berth
        .connect_network(&conn(&app).await?, &name, &container, &aliases)
        .await
}

#[tauri::command]
pub async fn network_disconnect(
    app: State<'_, App>,
    name: String,
    container: String,
) -> Result<()> {
    app.berth
        .disconnect_network(&conn(&app).await?, &name, &container, false)
        .await
}

#[tauri::command]
pub async fn network_remove(app: State<'_, App>, name: String) -> Result<()> {
    app.berth.remove_network(&conn(&app).await?, &name).await
}

#[tauri::command]
pub async fn network_prune_candidates(app: State<'_, App>) -> Result<Vec<NetworkRow>> {
    app.berth
        .network_prune_candidates(&conn(&app).await?, &PruneFilter::default())
        .await
}

// Compose.

#[tauri::command]
pub async fn compose_projects(app: State<'_, App>) -> Result<Vec<ComposeProjectRow>> {
    app.berth.compose_projects(&conn(&app).await?).await
}

#[tauri::command]
pub async fn compose_view(
    app: State<'_, App>,
    path: String,
    profiles: Vec<String>,
) -> Result<ComposeFileView> {
    app.berth
        .compose_view(conn(&app).await.ok().as_ref(), &path, &profiles)
        .await
}

/// A message each time the files of the project at `path` change (the view reads it again).
/// Async: its file watcher's batching task needs the runtime.
#[tauri::command]
pub async fn compose_files_follow(
    app: State<'_, App>,
    path: String,
    channel: Channel<Batch<()>>,
) -> Result<u32> {
    Ok(app
        .streams
        .forward(app.berth.compose_file_changes(&path)?, channel))
}

#[tauri::command]
pub async fn compose_run(
    app: State<'_, App>,
    action: String,
    name: String,
    path: String,
    job: Option<String>,
    profiles: Vec<String>,
    channel: Channel<Batch<ProjectEvent>>,
) -> Result<u32> {
    let stream = app
        .berth
        .compose_action(conn(&app).await?, action, name, path, job, profiles);
    Ok(app.streams.forward(stream, channel))
}

/// A project's logs: every container's last `tail` lines, then what they write.
#[tauri::command]
pub async fn compose_logs(
    app: State<'_, App>,
    project: String,
    tail: Option<u64>,
    channel: Channel<Batch<ProjectLogLine>>,
) -> Result<u32> {
    let stream = app.berth.project_logs(&conn(&app).await?, &project, tail);
    Ok(app.streams.forward_paced(stream, channel, LOG_PACE))
}

/// What a Down of the project would remove (with its volumes too, when `volumes`).
#[tauri::command]
pub async fn compose_down_preview(
    app: State<'_, App>,
    name: String,
    path: String,
    volumes: bool,
) -> Result<Vec<String>> {
    app.berth
        .compose_down_preview(&conn(&app).await?, &name, &path, volumes)
        .await
}

/// A project's whole logs, merged by time, to a file; returns the lines written.
#[tauri::command]
pub async fn compose_logs_save(app: State<'_, App>, project: String, to: String) -> Result<u64> {
    app.berth
        .save_project_logs(&conn(&app).await?, &project, to.as_ref())
        .await
}

// Host, settings, troubleshooting.

#[tauri::command]
pub fn host_follow(app: State<'_, App>, channel: Channel<Batch<HostSample>>) -> u32 {
    crate::host::follow(&app, channel)
}

#[tauri::command]
pub fn settings(app: State<'_, App>) -> Settings {
    app.berth.settings()
}

/// The settings a new install starts with (the form shows them; nothing is saved).
#[tauri::command]
pub fn settings_defaults() -> Settings {
    Settings::default()
}

#[tauri::command]
pub fn settings_save(app: State<'_, App>, settings: Settings) -> Result<Settings> {
    let saved = app.berth.save_settings(settings)?;
    berth_api::desktop::start_at_login(saved.start_at_login)?;
    Ok(saved)
}

/// Berth's engine configuration file (its daemon.json).
#[tauri::command]
pub fn engine_daemon_json(app: State<'_, App>) -> Result<DaemonJson> {
    app.berth.engine_daemon_json()
}

/// Checks and writes it; it applies when Berth's engine next starts.
#[tauri::command]
pub fn engine_daemon_json_save(app: State<'_, App>, text: String) -> Result<DaemonJson> {
    app.berth.save_engine_daemon_json(&text)
}

#[tauri::command]
pub fn log_follow(
    app: State<'_, App>,
    which: String,
    lines: usize,
    channel: Channel<Batch<LogText>>,
) -> Result<u32> {
    Ok(app
        .streams
        .forward(app.berth.follow_log(&which, Some(lines))?, channel))
}

/// Writes a diagnostics archive (versions, set-up, settings, contexts, logs) to `to`.
#[tauri::command]
pub async fn diagnostics(app: State<'_, App>, to: String) -> Result<DiagnosticsReport> {
    app.berth.diagnostics(std::path::Path::new(&to)).await
}

#[tauri::command]
pub fn open_url(url: String) -> Result<()> {
    berth_api::desktop::open_url(&url)
}

/// A moment in the UI (first render of a view, a container event shown), logged for the
/// benchmarks and for troubleshooting slowness: `at_ms` is the page's clock (Unix ms).
#[tauri::command]
pub fn ui_mark(name: String, detail: String, at_ms: f64) {
    // `detail` last: it may hold spaces.
    tracing::debug!(target: "berth::ui", mark = %name, at_ms = at_ms as u64, %detail, "ui mark");
}
