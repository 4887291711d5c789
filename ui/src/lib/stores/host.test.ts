import { describe, expect, it } from "vitest";
import { api, type HostSample } from "../ipc";
import { FakeTransport } from "../testing";
import { HostStore, KEEP } from "./host.svelte";

function sample(at_ms: number): HostSample {
  return {
    at_ms,
    cpu_percent: 1,
    per_core: [1, 1],
    mem_used: 1,
    mem_total: 2,
    swap_used: 0,
    swap_total: 0,
    load: [0, 0, 0],
    disks: [],
    net_rx_per_s: 0,
    net_tx_per_s: 0,
    engine: null,
  };
}

describe("host samples", () => {
  it("keeps ten minutes, and started again takes only what is newer than what it has", () => {
    const t = new FakeTransport();
    const host = new HostStore();
    host.start(api(t));
    t.streams[0].send({ items: [sample(1), sample(2)], done: false, error: null });
    t.streams[0].send({ items: [sample(3)], done: false, error: null });
    host.stop();
    expect(t.streams[0].stopped).toBe(true);
    // The window shown again: the app's history first (overlapping what is kept), then new.
    host.start(api(t));
    t.streams[1].send({ items: [sample(1), sample(2), sample(3), sample(4)], done: false, error: null });
    t.streams[1].send({ items: [sample(5)], done: false, error: null });
    expect(host.samples.map((s) => s.at_ms)).toEqual([1, 2, 3, 4, 5]);
    expect(host.latest?.at_ms).toBe(5);
    t.streams[1].send({ items: Array.from({ length: KEEP + 10 }, (_, i) => sample(10 + i)), done: false, error: null });
    expect(host.samples.length).toBe(KEEP);
    expect(host.samples.at(-1)?.at_ms).toBe(KEEP + 19);
    host.stop();
  });
});
