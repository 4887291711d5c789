// Typed wrappers over the app's commands, streams and events. The types are generated from the
// Rust wire types by ts-rs (see ./types); `cargo test -p berth-api` regenerates them.
//
// Everything goes through a Transport, so tests (and the browser build) pass a fake one.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { ApiError } from "./types/ApiError";
import type { BuildRecord } from "./types/BuildRecord";
import type { Created } from "./types/Created";
import type { BuildRequest } from "./types/BuildRequest";
import type { ComposeFileView } from "./types/ComposeFileView";
import type { ComposeProjectRow } from "./types/ComposeProjectRow";
import type { ContainerRow } from "./types/ContainerRow";
import type { ContextRow } from "./types/ContextRow";
import type { DaemonJson } from "./types/DaemonJson";
import type { DiagnosticsReport } from "./types/DiagnosticsReport";
import type { DiskUsageView } from "./types/DiskUsageView";
import type { EngineView } from "./types/EngineView";
import type { FileText } from "./types/FileText";
import type { FreshnessView } from "./types/FreshnessView";
import type { HostSample } from "./types/HostSample";
import type { ImageRow } from "./types/ImageRow";
import type { InfoView } from "./types/InfoView";
import type { LayerRow } from "./types/LayerRow";
import type { LogLine } from "./types/LogLine";
import type { LogText } from "./types/LogText";
import type { NetworkRequest } from "./types/NetworkRequest";
import type { NetworkRow } from "./types/NetworkRow";
import type { OwnEngineView } from "./types/OwnEngineView";
import type { ProgressEvent } from "./types/ProgressEvent";
import type { PruneItem } from "./types/PruneItem";
import type { PruneOutcome } from "./types/PruneOutcome";
import type { ProjectEvent } from "./types/ProjectEvent";
import type { ProjectLogLine } from "./types/ProjectLogLine";
import type { PushTarget } from "./types/PushTarget";
import type { RunFlags } from "./types/RunFlags";
import type { RunHints } from "./types/RunHints";
import type { RunRequest } from "./types/RunRequest";
import type { SearchRow } from "./types/SearchRow";
import type { Settings } from "./types/Settings";
import type { TopView } from "./types/TopView";
import type { UsageView } from "./types/UsageView";
import type { UpdateRequest } from "./types/UpdateRequest";
import type { VersionView } from "./types/VersionView";
import type { VolumeEntry } from "./types/VolumeEntry";
import type { VolumeRow } from "./types/VolumeRow";
import type { VolumeSizes } from "./types/VolumeSizes";

export type {
  UpdateRequest,
  ApiError,
  BuildRecord,
  BuildRequest,
  ComposeFileView,
  ComposeProjectRow,
  ContainerRow,
  DaemonJson,
  ContextRow,
  DiagnosticsReport,
  DiskUsageView,
  EngineView,
  FileText,
  FreshnessView,
  HostSample,
  ImageRow,
  InfoView,
  LayerRow,
  LogLine,
  LogText,
  NetworkRequest,
  NetworkRow,
  OwnEngineView,
  ProgressEvent,
  PruneItem,
  PruneOutcome,
  ProjectEvent,
  ProjectLogLine,
  PushTarget,
  Created,
  RunFlags,
  RunHints,
  RunRequest,
  SearchRow,
  Settings,
  TopView,
  UsageView,
  VersionView,
  VolumeEntry,
  VolumeRow,
  VolumeSizes,
};

/** The event the app emits whenever Berth's engine changes. */
export const ENGINE_STATE = "engine://state";
/** The event the app emits for each container event of the engine in use. */
export const CONTAINERS_CHANGED = "containers://changed";

/** What `containers://changed` carries: a burst of the engine's container events and every
 * container after it. */
export type ContainersChanged = { events: { action: string; id: string }[]; rows: ContainerRow[] };
/** The event the app emits for each burst of image events (pulled, built or tagged, untagged,
 * removed, loaded) of the engine in use. */
export const IMAGES_CHANGED = "images://changed";
/** The event the app emits for each burst of network events (created, removed, a container
 * connected or disconnected); it carries the events, as `images://changed` does. */
export const NETWORKS_CHANGED = "networks://changed";
export const VOLUMES_CHANGED = "volumes://changed";
/** The event the app emits with the whole build history each time a build is recorded (by the
 * app or by `berth build`). */
export const BUILDS_CHANGED = "builds://changed";
/** The event the app emits when a second launch names a view (`berth-app --view NAME`). */
export const WINDOW_VIEW = "window://view";
/** What `images://changed` carries: the burst's events (no list: ask for the images again). */
export type ImagesChanged = { action: string; id: string }[];
/** What `networks://changed` carries: the burst's events; a container connected or
 * disconnected is named (by id) in `container`. */
export type NetworksChanged = { action: string; id: string; container?: string }[];
/** What `volumes://changed` carries: the burst's events (a volume created or removed). */
export type VolumesChanged = ImagesChanged;

/** What a stream delivers: items in batches, and at the end `done` (with an error if it failed). */
export type Batch<T> = { items: T[]; done: boolean; error: ApiError | null };

/** A running stream; `stop()` ends it in the app too. */
export interface Subscription {
  readonly id: Promise<number>;
  stop(): void;
}

/** How the UI reaches the app; tests pass a fake. */
export interface Transport {
  invoke<T>(command: string, args?: Record<string, unknown>): Promise<T>;
  stream<T>(command: string, args: Record<string, unknown>, onBatch: (batch: Batch<T>) => void): Subscription;
  listen<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn>;
}

export const tauriTransport: Transport = {
  invoke: (command, args) => invoke(command, args),
  stream<T>(command: string, args: Record<string, unknown>, onBatch: (batch: Batch<T>) => void): Subscription {
    const channel = new Channel<Batch<T>>();
    let stopped = false;
    channel.onmessage = (batch) => {
      if (!stopped) onBatch(batch);
    };
    const id = invoke<number>(command, { ...args, channel });
    // A stream that could not start reports it as its one and last batch.
    id.catch((error) => {
      if (!stopped) onBatch({ items: [], done: true, error: asApiError(error) });
    });
    return {
      id,
      stop() {
        if (stopped) return;
        stopped = true;
        id.then((n) => invoke("unsubscribe", { id: n })).catch(() => {});
      },
    };
  },
  listen: (event, handler) => listen(event, (e) => handler(e.payload as never)),
};

function asApiError(err: unknown): ApiError {
  if (typeof err === "object" && err !== null && "message" in err) return err as ApiError;
  return { code: "internal", message: String(err) };
}

/** The error a view shows for its own list: none when no engine answers, which the app's banner
 * already says, with what was tried and a Start button. */
export function listError(err: unknown): string | null {
  const e = asApiError(err);
  return e.code === "engine_unreachable" ? null : e.message;
}

/** Whether a command was refused because what it names is not there (a removed container). */
export function isNotFound(err: unknown): boolean {
  return asApiError(err).code === "not_found";
}

/** A one-line message from whatever a command rejected with. */
export function errorMessage(err: unknown): string {
  return asApiError(err).message;
}

/** Does `act` to each item in turn, every one tried; returns what each refusal said, one line
 * each, after `label(item)` when given (the engine's words do not always name it). */
export async function refusals<T>(items: readonly T[], act: (item: T) => Promise<unknown>, label?: (item: T) => string): Promise<string[]> {
  const said: string[] = [];
  for (const item of items) {
    try {
      await act(item);
    } catch (err) {
      said.push(label ? `${label(item)}: ${errorMessage(err)}` : errorMessage(err));
    }
  }
  return said;
}

/** Every command of the app, typed. */
export function api(t: Transport) {
  const call = <T>(command: string, args?: Record<string, unknown>) => t.invoke<T>(command, args);
  return {
    transport: t,
    engineView: () => call<EngineView>("engine_view"),
    engineStart: () => call<OwnEngineView>("engine_start"),
    engineStop: () => call<boolean>("engine_stop"),
    engineRestart: () => call<OwnEngineView>("engine_restart"),
    version: () => call<VersionView>("version"),
    info: () => call<InfoView>("info"),
    diskUsage: () => call<DiskUsageView>("disk_usage"),
    systemPrunePlan: (volumes: boolean) => call<PruneItem[]>("system_prune_plan", { volumes }),
    systemPrune: (items: PruneItem[]) => call<PruneOutcome>("system_prune", { items }),
    contexts: () => call<ContextRow[]>("contexts"),
    contextUse: (name: string) => call<void>("context_use", { name }),
    contextAdd: (name: string, host: string, ca: string | null, cert: string | null, key: string | null) =>
      call<ContextRow>("context_add", { name, host, ca, cert, key }),
    /** Removes a context not in use (its TLS files too). */
    contextRemove: (name: string) => call<void>("context_remove", { name }),

    containers: (all: boolean) => call<ContainerRow[]>("containers", { all }),
    containerAction: (id: string, action: string) => call<void>("container_action", { id, action }),
    containerRemove: (id: string, force: boolean, volumes: boolean) =>
      call<void>("container_remove", { id, force, volumes }),
    containerPruneCandidates: () => call<ContainerRow[]>("container_prune_candidates"),
    runHints: (image: string) => call<RunHints>("run_hints", { image }),
    containerInspect: (id: string) => call<Record<string, unknown>>("container_inspect", { id }),
    /** Writes the container's filesystem as a tar at `to`; its size. */
    containerExport: (id: string, to: string) => call<number>("container_export", { id, to }),
    containerTop: (id: string) => call<TopView>("container_top", { id }),
    containerRename: (id: string, name: string) => call<void>("container_rename", { id, name }),
    /** Its restart policy and limits changed; `null`s are left as they are. */
    /** What the engine warned of (a limit this kernel cannot apply) comes back. */
    containerUpdate: (id: string, req: UpdateRequest) => call<string[]>("container_update", { id, req }),
    /** An image of its files as they are now; the image's id. */
    containerCommit: (id: string, image: string | null, comment: string | null) => call<string>("container_commit", { id, image, comment }),
    containerFiles: (id: string, path: string) => call<VolumeEntry[]>("container_files", { id, path }),
    containerText: (id: string, path: string) => call<FileText>("container_text", { id, path }),
    containerDownload: (id: string, path: string, to: string) => call<void>("container_download", { id, path, to }),
    containerUpload: (id: string, from: string, path: string) => call<void>("container_upload", { id, from, path }),
    runCheck: (req: RunRequest) => call<void>("run_check", { req }),
    run: (req: RunRequest) => call<Created>("run", { req }),
    logs: (id: string, tail: number | null, timestamps: boolean, on: (b: Batch<LogLine>) => void) =>
      t.stream<LogLine>("logs_follow", { id, tail, timestamps }, on),
    logsSave: (id: string, to: string) => call<number>("logs_save", { id, to }),
    stats: (id: string, on: (b: Batch<UsageView>) => void) => t.stream<UsageView>("stats_follow", { id }, on),
    statsAll: (ids: string[], on: (b: Batch<UsageView>) => void) => t.stream<UsageView>("stats_all", { ids }, on),
    execOpen: (id: string, command: string[], rows: number, cols: number, on: (b: Batch<string>) => void) =>
      t.stream<string>("exec_open", { id, command, rows, cols }, on),
    execInput: (session: number, data: string) => call<void>("exec_input", { session, data }),
    execResize: (session: number, rows: number, cols: number) => call<void>("exec_resize", { session, rows, cols }),

    images: () => call<ImageRow[]>("images"),
    imageRemove: (names: string[], force: boolean) => call<string[]>("image_remove", { names, force }),
    imageTag: (source: string, target: string) => call<void>("image_tag", { source, target }),
    /** Writes the images (tags or ids) to a `docker save` archive at `to`; its size. */
    imageSave: (names: string[], to: string) => call<number>("image_save", { names, to }),
    /** Loads the images of a `docker save` archive; the engine's lines ("Loaded image: web:1"). */
    imageLoad: (from: string) => call<string[]>("image_load", { from }),
    imageHistory: (image: string) => call<LayerRow[]>("image_history", { image }),
    imageInspect: (image: string) => call<Record<string, unknown>>("image_inspect", { image }),
    imagePruneCandidates: (all: boolean) => call<ImageRow[]>("image_prune_candidates", { all }),
    imageCheck: (image: string) => call<FreshnessView>("image_check", { image }),
    /** Pulls `image`, for `platform` (`linux/arm64`) when given, else the engine's own. */
    pull: (image: string, platform: string | null, on: (b: Batch<ProgressEvent>) => void) =>
      t.stream<ProgressEvent>("image_pull", { image, platform }, on),
    push: (image: string, on: (b: Batch<ProgressEvent>) => void) => t.stream<ProgressEvent>("image_push", { image }, on),
    /** Where a push of `image` goes; refused for Docker Hub's official images. */
    pushTarget: (image: string) => call<PushTarget>("image_push_target", { image }),
    build: (req: BuildRequest, on: (b: Batch<ProgressEvent>) => void) =>
      t.stream<ProgressEvent>("image_build", { req }, on),
    builds: () => call<BuildRecord[]>("builds"),
    /** The stages a build of `context` may stop at; `null` when it has no Dockerfile (yet). */
    buildStages: (context: string, dockerfile: string | null) => call<string[] | null>("build_stages", { context, dockerfile }),
    search: (term: string) => call<SearchRow[]>("search", { term }),
    registryCatalog: (registry: string) => call<string[]>("registry_catalog", { registry }),
    registryTags: (repository: string) => call<string[]>("registry_tags", { repository }),
    /** Whom the stored login for a registry is for (`docker.io` for Docker Hub); null: none. */
    registryUser: (server: string) => call<string | null>("registry_user", { server }),
    /** Checked by the engine with the registry, then stored; says where it was stored. */
    registryLogin: (server: string, username: string, password: string, plainText: boolean) =>
      call<string>("registry_login", { server, username, password, plainText }),
    registryLogout: (server: string) => call<boolean>("registry_logout", { server }),

    volumes: () => call<VolumeRow[]>("volumes"),
    volumeSizes: () => call<VolumeSizes>("volume_sizes"),
    /** Makes a volume (named by the engine without a name), with its driver's options and labels, each KEY=VALUE. */
    volumeCreate: (name: string | null, driver: string | null, options: string[], labels: string[]) =>
      call<VolumeRow>("volume_create", { name, driver, options, labels }),
    volumeRemove: (name: string) => call<void>("volume_remove", { name }),
    volumePruneCandidates: () => call<VolumeRow[]>("volume_prune_candidates"),
    volumeFiles: (name: string, path: string) => call<VolumeEntry[]>("volume_files", { name, path }),
    volumeText: (name: string, path: string) => call<FileText>("volume_text", { name, path }),
    volumeClone: (from: string, to: string) => call<VolumeRow>("volume_clone", { from, to }),
    volumeDownload: (name: string, path: string, to: string) => call<void>("volume_download", { name, path, to }),
    volumeUpload: (name: string, from: string, path: string) => call<void>("volume_upload", { name, from, path }),
    volumeExport: (name: string, to: string) => call<number>("volume_export", { name, to }),
    volumeImport: (name: string, from: string) => call<void>("volume_import", { name, from }),
    networks: () => call<NetworkRow[]>("networks"),
    networkCreate: (req: NetworkRequest) => call<string>("network_create", { req }),
    networkInspect: (name: string) => call<unknown>("network_inspect", { name }),
    networkConnect: (name: string, container: string, aliases: string[]) => call<void>("network_connect", { name, container, aliases }),
    networkDisconnect: (name: string, container: string) => call<void>("network_disconnect", { name, container }),
    networkRemove: (name: string) => call<void>("network_remove", { name }),
    networkPruneCandidates: () => call<NetworkRow[]>("network_prune_candidates"),

    composeProjects: () => call<ComposeProjectRow[]>("compose_projects"),
    /** The project at `path` with `profiles` enabled besides those its environment enables. */
    composeView: (path: string, profiles: string[] = []) => call<ComposeFileView>("compose_view", { path, profiles }),
    /** A batch each time the files of the project at `path` change. */
    composeFilesFollow: (path: string, on: (b: Batch<null>) => void) => t.stream<null>("compose_files_follow", { path }, on),
    /** A project action's progress; `run` runs the job `job` of the files at `path`; `up`,
     * `watch` and `run` with `profiles` enabled (the others act on the project whole). */
    composeRun: (action: string, name: string, path: string, on: (b: Batch<ProjectEvent>) => void, job: string | null = null, profiles: string[] = []) =>
      t.stream<ProjectEvent>("compose_run", job === null ? { action, name, path, profiles } : { action, name, path, job, profiles }, on),
    composeLogs: (project: string, tail: number | null, on: (b: Batch<ProjectLogLine>) => void) =>
      t.stream<ProjectLogLine>("compose_logs", { project, tail }, on),
    composeLogsSave: (project: string, to: string) => call<number>("compose_logs_save", { project, to }),
    composeDownPreview: (name: string, path: string, volumes: boolean) => call<string[]>("compose_down_preview", { name, path, volumes }),

    host: (on: (b: Batch<HostSample>) => void) => t.stream<HostSample>("host_follow", {}, on),
    settings: () => call<Settings>("settings"),
    /** What a new install starts with; nothing is saved. */
    settingsDefaults: () => call<Settings>("settings_defaults"),
    settingsSave: (settings: Settings) => call<Settings>("settings_save", { settings }),
    /** Berth's engine configuration file (its daemon.json): where it is and its text. */
    engineDaemonJson: () => call<DaemonJson>("engine_daemon_json"),
    /** Checks and writes it; Berth's engine reads it when it next starts. */
    engineDaemonJsonSave: (text: string) => call<DaemonJson>("engine_daemon_json_save", { text }),
    /** One of Berth's logs: its last `lines` lines, then what is written to it. */
    log: (which: string, lines: number, on: (b: Batch<LogText>) => void) => t.stream<LogText>("log_follow", { which, lines }, on),
    /** Writes a diagnostics archive (.tar.gz) to `to`. */
    diagnostics: (to: string) => call<DiagnosticsReport>("diagnostics", { to }),
    openUrl: (url: string) => call<void>("open_url", { url }),
    /** Logs a moment of the UI (for the benchmarks and for troubleshooting slowness). */
    uiMark: (name: string, detail = "") => void call<void>("ui_mark", { name, detail, atMs: Date.now() }).catch(() => {}),

    onEngine: (handler: (v: EngineView) => void) => t.listen<EngineView>(ENGINE_STATE, handler),
    onContainers: (handler: (change: ContainersChanged) => void) => t.listen<ContainersChanged>(CONTAINERS_CHANGED, handler),
    /** A container made or removed: what counts or attaches containers (images, networks) changed. */
    onContainersMadeOrRemoved: (handler: () => void) =>
      t.listen<ContainersChanged>(CONTAINERS_CHANGED, (change) => {
        if (change.events.some((e) => e.action === "create" || e.action === "destroy")) handler();
      }),
    onImages: (handler: (events: ImagesChanged) => void) => t.listen<ImagesChanged>(IMAGES_CHANGED, handler),
    onNetworks: (handler: (events: NetworksChanged) => void) => t.listen<NetworksChanged>(NETWORKS_CHANGED, handler),
    onVolumes: (handler: (events: VolumesChanged) => void) => t.listen<VolumesChanged>(VOLUMES_CHANGED, handler),
    onBuilds: (handler: (history: BuildRecord[]) => void) => t.listen<BuildRecord[]>(BUILDS_CHANGED, handler),
    onView: (handler: (name: string) => void) => t.listen<string>(WINDOW_VIEW, handler),
  };
}

export type Api = ReturnType<typeof api>;

/** The engine part of the API, which the engine store uses. */
export interface EngineBackend {
  view(): Promise<EngineView>;
  start(): Promise<OwnEngineView>;
  stop(): Promise<boolean>;
  restart(): Promise<OwnEngineView>;
  onState(handler: (view: EngineView) => void): Promise<UnlistenFn>;
}

export function engineBackend(a: Api): EngineBackend {
  return {
    view: a.engineView,
    start: a.engineStart,
    stop: a.engineStop,
    restart: a.engineRestart,
    onState: a.onEngine,
  };
}
