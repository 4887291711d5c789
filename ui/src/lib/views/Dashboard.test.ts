import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../ipc";
import { EngineStore } from "../engine.svelte";
import { container, FakeBackend, FakeIntersection, FakeTransport, view } from "../testing";
import type { InfoView } from "../ipc";
import Dashboard from "./Dashboard.svelte";
import { Nav } from "../nav.svelte";

beforeEach(() => {
  vi.stubGlobal("IntersectionObserver", FakeIntersection);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("Dashboard", () => {
  it("follows the containers' stats only while the top containers can be seen, the host all along", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => [container("web")];
    t.handlers.info = () => new Promise(() => {}); // not what this test is about
    const engine = new EngineStore(new FakeBackend());
    render(Dashboard, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    const live = (command: string) => t.streams.filter((s) => s.command === command && !s.stopped).length;
    await waitFor(() => expect(live("stats_all")).toBe(1));
    expect(live("host_follow")).toBe(1);
    // Scrolled away from the top containers: their stats stop, the host's samples go on.
    FakeIntersection.scroll(false);
    expect(live("stats_all")).toBe(0);
    expect(live("host_follow")).toBe(1);
    FakeIntersection.scroll(true);
    await waitFor(() => expect(live("stats_all")).toBe(1));
    cleanup();
    expect(live("stats_all") + live("host_follow")).toBe(0);
  });

  it("ranks the top containers and opens one's page from its name", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => [container("web"), container("db")];
    t.handlers.info = () => new Promise(() => {});
    const engine = new EngineStore(new FakeBackend());
    const nav = new Nav();
    render(Dashboard, { props: { engine }, context: new Map<string, unknown>([["api", api(t)], ["nav", nav]]) });
    await waitFor(() => expect(t.streams.some((s) => s.command === "stats_all")).toBe(true));
    const usage = (id: string, name: string, cpu_percent: number) => ({ id, name, cpu_percent, memory: 1 << 20, memory_limit: 1 << 30, memory_percent: 0.1, net_rx: 0, net_tx: 0, block_read: 0, block_write: 0, pids: 1 });
    t.streams.find((s) => s.command === "stats_all")!.send({ items: [usage("web-id", "web", 1.5), usage("db-id", "db", 12)], done: false, error: null });
    await waitFor(() => expect(screen.getAllByTestId("top-open").map((b) => b.textContent)).toEqual(["db", "web"]));
    await fireEvent.click(screen.getAllByTestId("top-open")[1]);
    expect([nav.view, nav.container]).toEqual(["container", "web-id"]);
  });

  it("reads the engine's counts again when containers or images come and go", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => [];
    let running = 0;
    let images = 1;
    t.handlers.info = () => info({ containers: running, running, images });
    const backend = new FakeBackend();
    backend.current = view("running");
    const engine = new EngineStore(backend);
    await engine.connect();
    const { getByTestId, getByText } = render(Dashboard, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    await waitFor(() => expect(getByTestId("engine-counts").textContent).toBe("0 running, 0 paused, 0 stopped"));
    const asked = () => t.calls.filter((c) => c.command === "info").length;
    const before = asked();
    // An exec in a container changes no count: not asked again.
    t.emit("containers://changed", { events: [{ action: "exec_start: sh", id: "a" }], rows: [] });
    running = 1;
    t.emit("containers://changed", { events: [{ action: "start", id: "a" }], rows: [container("a")] });
    await waitFor(() => expect(getByTestId("engine-counts").textContent).toBe("1 running, 0 paused, 0 stopped"));
    expect(asked()).toBe(before + 1);
    images = 2;
    t.emit("images://changed", [{ action: "tag", id: "sha256:1" }]);
    await waitFor(() => expect(getByText("2")).toBeTruthy());
    expect(asked()).toBe(before + 2);
  });

  it("says what the engine warns of, and that it is rootless", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => [];
    t.handlers.info = () =>
      info({
        rootless: true,
        warnings: [
          "WARNING: Running in rootless-mode without cgroups. To enable cgroups in rootless-mode, you need to boot the system in cgroup v2 mode.",
        ],
      });
    const backend = new FakeBackend();
    backend.current = view("running");
    const engine = new EngineStore(backend);
    await engine.connect();
    const { findByTestId, getByText } = render(Dashboard, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    const warned = await findByTestId("engine-warnings");
    expect([...warned.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "Running in rootless-mode without cgroups. To enable cgroups in rootless-mode, you need to boot the system in cgroup v2 mode.",
    ]);
    expect(getByText(/20\.10\.24 \(.*, API .*, rootless\)/)).toBeTruthy();
  });
});

/** The engine's summary, as `info` answers it, with `over` changed. */
function info(over: Partial<InfoView> = {}): InfoView {
  return {
    connection: view("running").connection!,
    server_version: "20.10.24",
    containers: 0,
    running: 0,
    paused: 0,
    stopped: 0,
    images: 1,
    storage_driver: "overlay2",
    cgroup_driver: "systemd",
    data_root: "/var/lib/docker",
    kernel: "6.1",
    os: "Debian",
    arch: "x86_64",
    cpus: 2,
    memory: 1 << 30,
    name: "host",
    rootless: false,
    warnings: [],
    ...over,
  };
}
