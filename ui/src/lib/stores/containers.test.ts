import { describe, expect, it, vi } from "vitest";
import { api, CONTAINERS_CHANGED } from "../ipc";
import { container, FakeTransport } from "../testing";
import { ContainerStore, group, hostPorts, matches } from "./containers.svelte";

describe("container list", () => {
  const rows = [
    container("web", { project: "shop", labels: { "com.docker.compose.service": "web" } }),
    container("db", { project: "shop", state: "exited" }),
    container("loose"),
    container("api", { project: "auth" }),
  ];

  it("groups by project, projects first and by name", () => {
    const entries = group(rows, new Set());
    expect(entries.map((e) => (e.kind === "group" ? `[${e.project} ${e.running}/${e.count}]` : e.row.names[0]))).toEqual([
      "[auth 1/1]",
      "api",
      "[shop 1/2]",
      "db",
      "web",
      "loose",
    ]);
    expect(group(rows, new Set(["shop"])).map((e) => e.key)).not.toContain(rows[0].id);
  });

  it("searches names, images, projects and ids, and filters by state", () => {
    expect(rows.filter((r) => matches(r, "SHOP", "all")).length).toBe(2);
    expect(rows.filter((r) => matches(r, "", "stopped")).map((r) => r.names[0])).toEqual(["db"]);
    expect(rows.filter((r) => matches(r, "loose-id", "running")).length).toBe(1);
  });

  it("lists each published TCP host port once (a UDP port is no web page)", () => {
    const r = container("p", {
      ports: [
        { ip: "0.0.0.0", private_port: 80, public_port: 8080, proto: "tcp" },
        { ip: "::", private_port: 80, public_port: 8080, proto: "tcp" },
        { ip: null, private_port: 9000, public_port: null, proto: "tcp" },
        { ip: "127.0.0.1", private_port: 53, public_port: 5353, proto: "udp" },
        { ip: "0.0.0.0", private_port: 22, public_port: 2222, proto: "tcp" },
      ],
    });
    expect(hostPorts(r)).toEqual([2222, 8080]);
  });

  it("loads once, then shows each list the app sends with its container events", async () => {
    const t = new FakeTransport();
    let loads = 0;
    t.handlers.containers = () => {
      loads += 1;
      return [container("a")];
    };
    const marks: string[] = [];
    t.handlers.ui_mark = (args) => {
      marks.push(`${args.name} ${args.detail}`);
    };
    const store = new ContainerStore(api(t));
    await store.connect();
    expect(store.rows.map((r) => r.names[0])).toEqual(["a"]);
    t.emit(CONTAINERS_CHANGED, { events: [{ action: "start", id: "b-id" }], rows: [container("a"), container("b")] });
    await vi.waitFor(() => expect(marks).toEqual(["container-event-shown start b-id"]));
    expect(store.rows.map((r) => r.names[0])).toEqual(["a", "b"]);
    expect(loads).toBe(1);
    store.disconnect();
    t.emit(CONTAINERS_CHANGED, { events: [{ action: "destroy", id: "b-id" }], rows: [container("a")] });
    expect(store.rows.length).toBe(2);
  });

  it("shows the engine's error instead of an empty list", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => {
      throw { code: "engine_failed", message: "the engine answered 500: boom" };
    };
    const store = new ContainerStore(api(t));
    await store.refresh();
    expect(store.error).toBe("the engine answered 500: boom");
  });

  it("leaves an unreachable engine to the app's banner: an empty list, no error of its own", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => {
      throw { code: "engine_unreachable", message: "no engine is reachable (tried x)" };
    };
    const store = new ContainerStore(api(t));
    await store.refresh();
    expect(store.error).toBeNull();
    expect(store.rows).toEqual([]);
    expect(store.loaded).toBe(true);
  });

  it("runs bulk actions and reports each failure by name", async () => {
    const t = new FakeTransport();
    const a = container("a");
    const b = container("b");
    t.handlers.containers = () => [a, b];
    t.handlers.container_action = (args) => {
      if (args.id === b.id) throw { code: "conflict", message: "is not running" };
    };
    const store = new ContainerStore(api(t));
    await store.refresh();
    store.toggleSelected(a.id);
    store.toggleSelected(b.id);
    expect(await store.bulk("stop")).toEqual(["b: is not running"]);
    expect(t.calls.filter((c) => c.command === "container_action").map((c) => c.args.id)).toEqual([a.id, b.id]);
  });
});
