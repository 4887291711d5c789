// Test doubles for the engine backend (used by the store and component tests).
import { onTestFinished } from "vitest";
import { api, type Batch, type ContainerRow, type EngineBackend, type EngineView, type OwnEngineView, type Subscription, type Transport } from "./ipc";
import { EngineStore } from "./engine.svelte";
import { Nav } from "./nav.svelte";

export function own(state: string, extra: Partial<OwnEngineView> = {}): OwnEngineView {
  return {
    state,
    reason: null,
    retry_in_ms: null,
    pid: state === "running" ? 42 : null,
    api_version: state === "running" ? "1.41" : null,
    mode: "rootful",
    socket: "/run/berth/docker.sock",
    data_root: "/var/lib/berth",
    log: "/var/log/berth/engine.log",
    supervisor_pid: null,
    ...extra,
  };
}

export function view(state: string): EngineView {
  return {
    own: own(state),
    connection: state === "running" ? { source: "Berth's engine", host: "unix:///run/berth/docker.sock", api_version: "1.41", passed_over: null, browser_host: "localhost" } : null,
    problem: state === "running" ? null : "no engine is reachable",
  };
}

/** A fake app: an engine that moves between states as commands arrive. */
export class FakeBackend implements EngineBackend {
  current = view("stopped");
  listeners: ((v: EngineView) => void)[] = [];
  failStart: string | null = null;
  async view() {
    return this.current;
  }
  async start() {
    if (this.failStart) throw { code: "engine_failed", message: this.failStart };
    this.current = view("running");
    return this.current.own;
  }
  async stop() {
    this.current = view("stopped");
    return true;
  }
  async restart() {
    return this.start();
  }
  async onState(handler: (v: EngineView) => void) {
    this.listeners.push(handler);
    return () => {
      this.listeners = this.listeners.filter((h) => h !== handler);
    };
  }
  emit(v: EngineView) {
    this.current = v;
    this.listeners.forEach((h) => h(v));
  }
}

/** A fake app behind the whole API: commands answer from `handlers`, events are emitted by the
 * test, and streams record their arguments and take batches from the test. */
export class FakeTransport implements Transport {
  handlers: Record<string, (args: Record<string, unknown>) => unknown> = {};
  calls: { command: string; args: Record<string, unknown> }[] = [];
  listeners = new Map<string, ((payload: unknown) => void)[]>();
  streams: { command: string; args: Record<string, unknown>; send: (b: Batch<unknown>) => void; stopped: boolean }[] = [];

  async invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    this.calls.push({ command, args });
    const h = this.handlers[command];
    if (!h) throw { code: "internal", message: `no fake for ${command}` };
    return (await h(args)) as T;
  }

  stream<T>(command: string, args: Record<string, unknown>, onBatch: (b: Batch<T>) => void): Subscription {
    const entry = { command, args, send: onBatch as (b: Batch<unknown>) => void, stopped: false };
    this.streams.push(entry);
    return {
      id: Promise.resolve(this.streams.length),
      stop: () => {
        entry.stopped = true;
      },
    };
  }

  async listen<T>(event: string, handler: (payload: T) => void) {
    const list = this.listeners.get(event) ?? [];
    list.push(handler as (p: unknown) => void);
    this.listeners.set(event, list);
    return () => this.listeners.set(event, (this.listeners.get(event) ?? []).filter((h) => h !== handler));
  }

  emit(event: string, payload: unknown): void {
    for (const h of this.listeners.get(event) ?? []) h(payload);
  }
}

/** A container row with defaults. */
export function container(name: string, extra: Partial<ContainerRow> = {}): ContainerRow {
  return {
    id: `${name}-id`.padEnd(64, "0"),
    names: [name],
    image: "busybox",
    image_id: "sha256:" + "b".repeat(64),
    command: "sh",
    created: 0,
    state: "running",
    status: "Up 1 minute",
    ports: [],
    labels: {},
    project: null,
    size_rw: null,
    size_root_fs: null,
    networks: [],
    mounts: [],
    platform: null,
    ...extra,
  };
}

let visibility: DocumentVisibilityState = "visible";
/** Sets the page's `document.visibilityState` and, unless `notify` is false, tells the page, as
 * WebKit does when the window is minimised or shown again. */
export function setVisibility(next: DocumentVisibilityState, notify = true): void {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => visibility });
  visibility = next;
  if (notify) document.dispatchEvent(new Event("visibilitychange"));
}

/** An IntersectionObserver (jsdom has none) whose elements are in view until `scroll` says
 * otherwise. Install with `vi.stubGlobal("IntersectionObserver", FakeIntersection)`. */
export class FakeIntersection {
  static live = new Set<FakeIntersection>();
  #report: (entries: { isIntersecting: boolean; target: Element }[]) => void;
  #targets: Element[] = [];

  constructor(report: (entries: { isIntersecting: boolean; target: Element }[]) => void) {
    this.#report = report;
    FakeIntersection.live.add(this);
  }

  observe(el: Element): void {
    this.#targets.push(el);
    // As a browser does, the first report comes right after observing.
    this.#report([{ isIntersecting: true, target: el }]);
  }

  disconnect(): void {
    FakeIntersection.live.delete(this);
  }

  /** Every observed element scrolled into (true) or out of (false) the viewport. */
  static scroll(inView: boolean): void {
    for (const o of FakeIntersection.live) o.#report(o.#targets.map((target) => ({ isIntersecting: inView, target })));
  }
}

/** A view's context: the API over `t`, navigation, and an engine that answers unless `answers`
 * is false. */
export function viewContext(t: Transport, answers = true): Map<string, unknown> {
  const engine = new EngineStore(new FakeBackend());
  engine.view = view(answers ? "running" : "stopped");
  return new Map<string, unknown>([["api", api(t)], ["nav", new Nav()], ["engine", engine]]);
}

/** jsdom lays nothing out: gives the scroller the size of a 600 px tall pane, for one test. */
export function paneOf600px() {
  const size = (prop: "clientHeight" | "clientWidth", px: number) => {
    const before = Object.getOwnPropertyDescriptor(Element.prototype, prop)!;
    Object.defineProperty(Element.prototype, prop, { configurable: true, get: () => px });
    onTestFinished(() => {
      Object.defineProperty(Element.prototype, prop, before);
    });
  };
  size("clientHeight", 600);
  size("clientWidth", 800);
}
