// The engine store: the latest EngineView, whether an action is in flight, and its error.
import { errorMessage, type EngineBackend, type EngineView } from "./ipc";

export type Action = "start" | "stop" | "restart";

export class EngineStore {
  view = $state<EngineView | null>(null);
  busy = $state<Action | null>(null);
  error = $state<string | null>(null);
  #backend: EngineBackend;
  #unlisten: (() => void) | null = null;
  /** Counts engine://state events, so a slower fetch never overwrites a newer event. */
  #events = 0;

  constructor(backend: EngineBackend) {
    this.#backend = backend;
  }

  /** The engine's state word: running, starting, stopping, stopped or failed. */
  get state(): string {
    return this.view?.own.state ?? "unknown";
  }

  /** True when some engine answers, Berth's or another. */
  get connected(): boolean {
    return this.view?.connection != null;
  }

  /** Loads the view and follows `engine://state`. */
  async connect(): Promise<void> {
    this.#unlisten = await this.#backend.onState((view) => {
      this.#events += 1;
      this.view = view;
    });
    try {
      await this.#refresh();
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  /** Fetches the view, unless an event brings a newer one while the fetch is under way. */
  async #refresh(): Promise<void> {
    const seen = this.#events;
    const view = await this.#backend.view();
    if (this.#events === seen) this.view = view;
  }

  disconnect(): void {
    this.#unlisten?.();
    this.#unlisten = null;
  }

  async run(action: Action): Promise<void> {
    if (this.busy) return;
    this.busy = action;
    this.error = null;
    try {
      await this.#backend[action]();
      await this.#refresh();
    } catch (err) {
      this.error = errorMessage(err);
    } finally {
      this.busy = null;
    }
  }
}
