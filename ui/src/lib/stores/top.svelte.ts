// The dashboard's top containers: the stats of every running container in one stream (a batch a
// second), started again when the set of running containers changes; ranked by CPU, then memory.
import { type Api, type UsageView } from "../ipc";
import { UsageFollower } from "./usage.svelte";

/** Follows at most this many containers' stats. */
export const MAX_FOLLOWED = 50;

export class TopContainers {
  #usage: UsageFollower;
  #api: Api;
  #unlisten: (() => void) | null = null;
  /** Bumped by each connect and disconnect: a connect that was overtaken while it waited
   * undoes what it set up. */
  #generation = 0;

  constructor(api: Api) {
    this.#api = api;
    this.#usage = new UsageFollower(api, MAX_FOLLOWED);
  }

  /** The newest reading of each running container. */
  get latest(): Record<string, UsageView> {
    return this.#usage.latest;
  }

  /** Why the engine gives no readings. */
  get error(): string | null {
    return this.#usage.error;
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
    this.#usage.stop();
  }

  /** Follows exactly these (running) containers. */
  follow(running: string[]): void {
    this.#usage.follow(running);
  }
}
