// Following the CPU and memory of a set of containers: one stats stream for all of them (the
// app sends a batch a second, so the page updates once a second however many there are),
// started again only when the set changes. The dashboard's top containers follow every running
// container; the container list the running ones in view.
import { type Api, errorMessage, type Subscription, type UsageView } from "../ipc";

export class UsageFollower {
  /** The newest reading of each followed container. */
  latest = $state<Record<string, UsageView>>({});
  /** Why the engine gives no readings (one without cgroups measures no container). */
  error = $state<string | null>(null);
  #api: Api;
  #sub: Subscription | null = null;
  #following = "";
  #max: number;

  /** Follows at most `max` containers at once. */
  constructor(api: Api, max: number) {
    this.#api = api;
    this.#max = max;
  }

  /** Follows exactly these containers (the first `max` of them); the same set again changes
   * nothing, and a reading of one still followed is kept until the next. */
  follow(ids: string[]): void {
    const wanted = [...new Set(ids)].slice(0, this.#max).sort();
    const key = wanted.join(",");
    if (key === this.#following) return;
    this.#following = key;
    this.error = null;
    this.#sub?.stop();
    this.#sub = null;
    const keep = new Set(wanted);
    this.latest = Object.fromEntries(Object.entries(this.latest).filter(([id]) => keep.has(id)));
    if (wanted.length === 0) return;
    const sub = this.#api.statsAll(wanted, (batch) => {
      if (this.#sub !== sub) return;
      if (batch.error) this.error = errorMessage(batch.error);
      if (batch.items.length === 0) return;
      this.error = null;
      const next = { ...this.latest };
      for (const u of batch.items) next[u.id] = u;
      this.latest = next;
    });
    this.#sub = sub;
  }

  /** Stops following; the next `follow` starts a stream whatever it names. */
  stop(): void {
    this.follow([]);
  }
}
