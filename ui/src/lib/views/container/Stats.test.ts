import { cleanup, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, type UsageView } from "../../ipc";
import { FakeTransport, setVisibility } from "../../testing";
import Stats from "./Stats.svelte";

// The charts: uPlot draws on a canvas, which jsdom lacks, and jsdom has no ResizeObserver. What
// is charted is Chart.test.ts's.
vi.mock("uplot", () => ({
  default: class {
    setData() {}
    setSize() {}
    destroy() {}
  },
}));
vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });

afterEach(() => {
  cleanup();
  setVisibility("visible", false);
});

describe("a container's stats", () => {
  it("streams while the window shows, stops when it hides, starts again when it shows, and stops when the tab goes", () => {
    const t = new FakeTransport();
    render(Stats, { props: { id: "abc" }, context: new Map<string, unknown>([["api", api(t)]]) });
    const states = () => t.streams.map((s) => [s.args.id, s.stopped]);
    expect(states()).toEqual([["abc", false]]);
    setVisibility("hidden");
    expect(states()).toEqual([["abc", true]]);
    setVisibility("visible");
    expect(states()).toEqual([
      ["abc", true],
      ["abc", false],
    ]);
    cleanup();
    expect(t.streams.every((s) => s.stopped)).toBe(true);
  });

  it("lists its processes as the engine's top has them, again when the count changes and on Refresh, and says a refusal", async () => {
    const t = new FakeTransport();
    let procs = [["1", "httpd -f"]];
    let refuse = false;
    t.handlers.container_top = () => {
      if (refuse) throw { code: "unsupported", message: "the engine runs without cgroups, so it cannot list abc's processes" };
      return { titles: ["PID", "CMD"], processes: procs };
    };
    render(Stats, { props: { id: "abc" }, context: new Map<string, unknown>([["api", api(t)]]) });
    const usage = (pids: number): UsageView => ({ id: "abc", name: "web", cpu_percent: 1, memory: 1024, memory_limit: 2048, memory_percent: 50, net_rx: 0, net_tx: 0, block_read: 0, block_write: 0, pids });
    const rows = () => screen.queryAllByTestId("process").map((r) => r.textContent);
    const tops = () => t.calls.filter((c) => c.command === "container_top").length;
    t.streams[0].send({ items: [usage(1)], done: false, error: null });
    await waitFor(() => expect(rows()).toEqual(["1httpd -f"]));
    expect(t.calls.find((c) => c.command === "container_top")?.args).toEqual({ id: "abc" });
    t.streams[0].send({ items: [usage(1)], done: false, error: null });
    procs = [["1", "httpd -f"], ["7", "sh"]];
    t.streams[0].send({ items: [usage(2)], done: false, error: null });
    await waitFor(() => expect(rows()).toEqual(["1httpd -f", "7sh"]));
    expect(tops()).toBe(2);
    refuse = true;
    screen.getByTestId("processes-refresh").click();
    await waitFor(() => expect(screen.getByTestId("processes-error").textContent).toContain("cannot list abc's processes"));
    expect(tops()).toBe(3);
  });
});
