// Long operations the user starts from a view and that go on when the view is left: a build
// (Builds), a pull or a push (Images). Each kind has one job at a time, kept here rather than in
// its view: leaving the view no longer ends the stream (which cancelled the build or the pull at
// the engine), and coming back shows its progress and how it ended. Cancel ends it.
import { errorMessage, type Batch, type ProgressEvent, type Subscription } from "../ipc";

/** How a job ended: null while it runs, or before the first. */
export type Ended = "done" | "failed" | "cancelled" | null;

export class Job {
  /** What it is (`Pull web:1`), empty before the first. */
  title = $state("");
  events = $state.raw<ProgressEvent[]>([]);
  /** The engine's error, when it failed. */
  error = $state<string | null>(null);
  busy = $state(false);
  ended = $state<Ended>(null);
  /** What the view that started it says of how it ended (`Built web:1 (4b2acd70b258)`). */
  outcome = $state<string | null>(null);
  /** The image it made, to run from the view. */
  made = $state<string | null>(null);
  #sub: Subscription | null = null;
  /** Which run the batches are of (a batch of a run replaced is dropped). */
  #run = 0;

  /** Runs `start`'s stream as this job, ending the one before; `then` once it ends by itself
   * (not cancelled), with its events and error. */
  run(
    title: string,
    start: (on: (b: Batch<ProgressEvent>) => void) => Subscription,
    then?: (events: ProgressEvent[], error: string | null) => void,
  ) {
    this.#sub?.stop();
    this.title = title;
    this.events = [];
    this.error = null;
    this.busy = true;
    this.ended = null;
    this.outcome = null;
    this.made = null;
    const run = ++this.#run;
    this.#sub = start((batch) => {
      if (this.#run !== run || !this.busy) return;
      this.events = this.events.concat(batch.items);
      if (batch.error) this.error = errorMessage(batch.error);
      if (batch.done) {
        this.busy = false;
        this.ended = batch.error ? "failed" : "done";
        this.#sub = null;
        then?.(this.events, this.error);
      }
    });
  }

  /** Cancels the running job (the engine stops the build or the transfer). */
  cancel() {
    if (!this.busy) return;
    this.#sub?.stop();
    this.#sub = null;
    this.#run++;
    this.busy = false;
    this.ended = "cancelled";
  }

  /** Forgets the job (tests start each from none). */
  reset() {
    this.#sub?.stop();
    this.#sub = null;
    this.#run++;
    this.outcome = null;
    this.made = null;
    this.title = "";
    this.events = [];
    this.error = null;
    this.busy = false;
    this.ended = null;
  }
}

/** The build of the Builds view. */
export const buildJob = new Job();
/** The pull or push of the Images view. */
export const transferJob = new Job();
