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
      if (batch.items.length) {
        const all = this.samples.concat(batch.items);
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
