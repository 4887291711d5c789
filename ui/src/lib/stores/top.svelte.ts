// The dashboard's top containers: one stats stream per running container (started and ended
// as containers start and stop), ranked by CPU, then memory.
import { type Api, type Subscription, type UsageView } from "../ipc";

/** Streams at most this many containers' stats. */
export const MAX_FOLLOWED = 50;

export class TopContainers {
  latest = $state<Record<string, UsageView>>({});
  #api: Api;
  #subs = new Map<string, Subscription>();
  #unlisten: (() => void) | null = null;

  constructor(api: Api) {
    this.#api = api;
  }

  get rows(): UsageView[] {
    return Object.values(this.latest)
      .sort((a, b) => b.cpu_percent - a.cpu_percent || b.memory - a.memory)
      .slice(0, 10);
  }

  async connect(): Promise<void> {
    this.#unlisten = await this.#api.onContainers(() => void this.sync());
    await this.sync();
  }

  disconnect(): void {
    this.#unlisten?.();
    for (const s of this.#subs.values()) s.stop();
    this.#subs.clear();
  }

  /** Follows exactly the running containers. */
  async sync(): Promise<void> {
    let running: string[];
    try {
      running = (await this.#api.containers(false)).map((r) => r.id).slice(0, MAX_FOLLOWED);
    } catch {
      running = [];
    }
    const want = new Set(running);
    for (const [id, sub] of this.#subs) {
      if (!want.has(id)) {
        sub.stop();
        this.#subs.delete(id);
        const { [id]: _, ...rest } = this.latest;
        this.latest = rest;
      }
    }
    for (const id of want) {
      if (this.#subs.has(id)) continue;
      this.#subs.set(
        id,
        this.#api.stats(id, (batch) => {
          const last = batch.items.at(-1);
          if (last) this.latest = { ...this.latest, [id]: last };
          if (batch.done) this.#subs.delete(id);
        }),
      );
    }
  }
}
