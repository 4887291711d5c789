// The dashboard's host samples: the app's history first, then one sample per interval, kept
// for ten minutes at one a second.
import type { Api, HostSample, Subscription } from "../ipc";
import { errorMessage } from "../ipc";

export const KEEP = 600;

export class HostStore {
  samples = $state.raw<HostSample[]>([]);
  error = $state<string | null>(null);
  #sub: Subscription | null = null;

  get latest(): HostSample | null {
    return this.samples.at(-1) ?? null;
  }

  start(api: Api): void {
    this.stop();
    this.#sub = api.host((batch) => {
      // Started again (the window shown again), the app's history comes first once more: only
      // what is newer than the samples kept is new.
      const last = this.samples.at(-1)?.at_ms ?? -Infinity;
      const fresh = batch.items.filter((s) => s.at_ms > last);
      if (fresh.length) {
        const all = this.samples.concat(fresh);
        this.samples = all.length > KEEP ? all.slice(all.length - KEEP) : all;
      }
      if (batch.error) this.error = errorMessage(batch.error);
    });
  }

  stop(): void {
    this.#sub?.stop();
    this.#sub = null;
  }
}
