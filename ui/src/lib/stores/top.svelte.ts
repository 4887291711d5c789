// The dashboard's top containers: the stats of every running container in one stream (a batch a
// second), started again when the set of running containers changes; ranked by CPU, then memory.
import { type Api, type Subscription, type UsageView } from "../ipc";

/** Follows at most this many containers' stats. */
export const MAX_FOLLOWED = 50;

export class TopContainers {
  latest = $state<Record<string, UsageView>>({});
  #api: Api;
  #sub: Subscription | null = null;
  #following = "";
  #unlisten: (() => void) | null = null;
  /** Bumped by each connect and disconnect: a connect that was overtaken while it waited
   * undoes what it set up. */
  #generation = 0;

  constructor(api: Api) {
    this.#api = api;
  }

  get rows(): UsageView[] {
    return Object.values(this.latest)
      .sort((a, b) => b.cpu_percent - a.cpu_percent || b.memory - a.memory)
      .slice(0, 10);
  }

  async connect(): Promise<void> {
    const generation = ++this.#generation;
    const unlisten = await this.#api.onContainers((change) =>
      this.follow(change.rows.filter((r) => r.state === "running").map((r) => r.id)),
    );
    if (generation !== this.#generation) {
      unlisten();
      return;
    }
    this.#unlisten = unlisten;
    let running: string[] = [];
    try {
      running = (await this.#api.containers(false)).map((r) => r.id);
    } catch {
      // No engine: nothing to follow until the containers change.
    }
    if (generation === this.#generation) this.follow(running);
  }

  /** Stops following; a later `connect` starts again from the engine's list. */
  disconnect(): void {
    this.#generation++;
    this.#unlisten?.();
    this.#unlisten = null;
    this.#sub?.stop();
    this.#sub = null;
    this.#following = "";
  }

  /** Follows exactly these (running) containers. */
  follow(running: string[]): void {
    const ids = running.slice(0, MAX_FOLLOWED).sort();
    const key = ids.join(",");
    if (key === this.#following) return;
    this.#following = key;
    this.#sub?.stop();
    this.#sub = null;
    const keep = new Set(ids);
    this.latest = Object.fromEntries(Object.entries(this.latest).filter(([id]) => keep.has(id)));
    if (ids.length === 0) return;
    this.#sub = this.#api.statsAll(ids, (batch) => {
      if (batch.items.length === 0) return;
      const next = { ...this.latest };
      for (const u of batch.items) next[u.id] = u;
      this.latest = next;
    });
  }
}
