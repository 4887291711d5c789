import { describe, expect, it } from "vitest";
import { api, CONTAINERS_CHANGED, type UsageView } from "../ipc";
import { container, FakeTransport } from "../testing";
import { TopContainers } from "./top.svelte";

function usage(id: string, cpu: number, memory: number): UsageView {
  return { id, name: id, cpu_percent: cpu, memory, memory_limit: 0, memory_percent: 0, net_rx: 0, net_tx: 0, block_read: 0, block_write: 0, pids: 1 };
}

describe("top containers", () => {
  it("follows the running containers in one stream, again only when they change, ranked by CPU", async () => {
    const t = new FakeTransport();
    const a = container("a");
    const b = container("b");
    t.handlers.containers = () => [a];
    const top = new TopContainers(api(t));
    await top.connect();
    expect(t.streams.map((s) => s.args.ids)).toEqual([[a.id]]);
    t.emit(CONTAINERS_CHANGED, { events: [{ action: "start", id: b.id }], rows: [a, b, container("c", { state: "exited" })] });
    expect(t.streams.map((s) => s.args.ids)).toEqual([[a.id], [a.id, b.id]]);
    expect(t.streams[0].stopped).toBe(true);
    // The same running set again: the stream stays.
    t.emit(CONTAINERS_CHANGED, { events: [{ action: "create", id: "c" }], rows: [b, a] });
    expect(t.streams.length).toBe(2);
    t.streams[1].send({ items: [usage(a.id, 1, 10), usage(b.id, 50, 5)], done: false, error: null });
    expect(top.rows.map((r) => r.id)).toEqual([b.id, a.id]);
    top.disconnect();
    expect(t.streams[1].stopped).toBe(true);
  });

  it("follows again after a disconnect, and a connect overtaken by a disconnect leaves nothing behind", async () => {
    const t = new FakeTransport();
    const a = container("a");
    t.handlers.containers = () => [a];
    const top = new TopContainers(api(t));
    await top.connect();
    top.disconnect();
    expect(t.streams.map((s) => s.stopped)).toEqual([true]);
    // The same containers as before: a new stream all the same.
    await top.connect();
    expect(t.streams.map((s) => [s.args.ids, s.stopped])).toEqual([
      [[a.id], true],
      [[a.id], false],
    ]);
    top.disconnect();
    // Hidden again before the connect finished: no stream, no listener.
    const pending = top.connect();
    top.disconnect();
    await pending;
    expect(t.streams.length).toBe(2);
    expect(t.listeners.get(CONTAINERS_CHANGED) ?? []).toEqual([]);
  });

  it("says why the engine gives no readings, until it gives some or the set changes", async () => {
    const t = new FakeTransport();
    const a = container("a");
    const b = container("b");
    t.handlers.containers = () => [a];
    const top = new TopContainers(api(t));
    await top.connect();
    const refused = "this engine runs without cgroups (rootless on a cgroup v1 host), so it cannot measure a container";
    t.streams[0].send({ items: [], done: true, error: { code: "unsupported", message: refused } });
    expect(top.error).toBe(refused);
    expect(top.rows).toEqual([]);
    // Another set: asked again, nothing said until it answers.
    t.emit(CONTAINERS_CHANGED, { events: [{ action: "start", id: b.id }], rows: [a, b] });
    expect(top.error).toBeNull();
    t.streams[1].send({ items: [], done: true, error: { code: "unsupported", message: refused } });
    expect(top.error).toBe(refused);
    top.disconnect();
  });
});
