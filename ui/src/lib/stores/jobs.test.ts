import { describe, expect, it } from "vitest";
import type { Batch, ProgressEvent } from "../ipc";
import { Job } from "./jobs.svelte";

/** A stream the test feeds, and whether it was stopped. */
function fed() {
  const s = { on: (_b: Batch<ProgressEvent>) => {}, stopped: false };
  const start = (on: (b: Batch<ProgressEvent>) => void) => {
    s.on = on;
    return { id: Promise.resolve(1), stop: () => (s.stopped = true) };
  };
  return { s, start };
}

const line = (text: string): ProgressEvent => ({ kind: "output", line: text });

describe("Job", () => {
  it("keeps a run's events, ends it once, and drops what a run it replaced still says", () => {
    const job = new Job();
    const ended: (string | null)[] = [];
    const a = fed();
    job.run("Build a", a.start, (_e, error) => ended.push(error));
    a.s.on({ items: [line("one")], done: false, error: null });
    const b = fed();
    job.run("Build b", b.start, (_e, error) => ended.push(error));
    expect(a.s.stopped).toBe(true);
    a.s.on({ items: [line("late")], done: true, error: null });
    expect([job.title, job.events, job.busy]).toEqual(["Build b", [], true]);
    b.s.on({ items: [line("two")], done: true, error: { code: "engine_failed", message: "step 2 failed" } });
    expect([job.events, job.error, job.busy, job.ended, ended]).toEqual([[line("two")], "step 2 failed", false, "failed", ["step 2 failed"]]);
  });

  it("cancels: the stream stopped, no ending called, later batches dropped", () => {
    const job = new Job();
    let thens = 0;
    const a = fed();
    job.run("Pull x", a.start, () => thens++);
    job.cancel();
    a.s.on({ items: [line("late")], done: true, error: null });
    expect([a.s.stopped, job.ended, job.busy, job.events, thens]).toEqual([true, "cancelled", false, [], 0]);
  });
});
