// Typed wrappers over the app's commands and events. The types are generated from the Rust
// wire types by ts-rs (see ./types); `cargo test -p berth-api` regenerates them.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { ApiError } from "./types/ApiError";
import type { EngineView } from "./types/EngineView";
import type { OwnEngineView } from "./types/OwnEngineView";

export type { ApiError, EngineView, OwnEngineView };

/** The event the app emits whenever Berth's engine changes. */
export const ENGINE_STATE = "engine://state";

/** What the UI needs from the app; tests pass a fake. */
export interface EngineBackend {
  view(): Promise<EngineView>;
  start(): Promise<OwnEngineView>;
  stop(): Promise<boolean>;
  restart(): Promise<OwnEngineView>;
  onState(handler: (view: EngineView) => void): Promise<UnlistenFn>;
}

export const tauriBackend: EngineBackend = {
  view: () => invoke<EngineView>("engine_view"),
  start: () => invoke<OwnEngineView>("engine_start"),
  stop: () => invoke<boolean>("engine_stop"),
  restart: () => invoke<OwnEngineView>("engine_restart"),
  onState: (handler) => listen<EngineView>(ENGINE_STATE, (e) => handler(e.payload)),
};

/** A one-line message from whatever a command rejected with. */
export function errorMessage(err: unknown): string {
  if (typeof err === "object" && err !== null && "message" in err) {
    return String((err as ApiError).message);
  }
  return String(err);
}
