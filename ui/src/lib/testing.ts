// Test doubles for the engine backend (used by the store and component tests).
import type { EngineBackend, EngineView, OwnEngineView } from "./ipc";

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
    connection: state === "running" ? { source: "Berth's engine", host: "unix:///run/berth/docker.sock", api_version: "1.41" } : null,
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
