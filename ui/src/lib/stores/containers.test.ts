import { describe, expect, it, vi } from "vitest";
import { api, CONTAINERS_CHANGED } from "../ipc";
import { container, FakeTransport } from "../testing";
import { nextSort } from "../sort";
import { ContainerStore, DEFAULT_SORT, group, matches, nameInGroup, type Entry } from "./containers.svelte";

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

  it("shows a project's containers without the project's prefix, other names whole", () => {
    expect(nameInGroup(container("shop-web-1", { project: "shop" }))).toBe("web-1");
    expect(nameInGroup(container("shop_web_1", { project: "shop" }))).toBe("web_1");
    // A name compose did not make (container_name), one that is only the prefix, and no project.
    expect(nameInGroup(container("shopfront", { project: "shop" }))).toBe("shopfront");
    expect(nameInGroup(container("shop-", { project: "shop" }))).toBe("shop-");
    expect(nameInGroup(container("shop-web-1"))).toBe("shop-web-1");
  });

  it("sorts, each project's containers together where its first would be (by name, where its name would)", () => {
    const list = [
      container("zed", { created: 50, image: "b" }),
      container("shop-db-1", { project: "shop", created: 10, state: "exited", image: "c" }),
      container("shop-web-1", { project: "shop", created: 90, image: "a" }),
      container("amy", { created: 70, state: "paused", image: "d" }),
      container("auth-api-1", { project: "auth", created: 30, state: "created", image: "e" }),
    ];
    const show = (entries: Entry[]) => entries.map((e) => (e.kind === "group" ? `[${e.project}]` : e.row.names[0]));
    // The newest first, as `docker ps`: shop's newest container is the newest of all.
    expect(show(group(list, new Set()))).toEqual(["[shop]", "shop-web-1", "shop-db-1", "amy", "zed", "[auth]", "auth-api-1"]);
    expect(show(group(list, new Set(), { key: "created", desc: false }))).toEqual([
      "[shop]",
      "shop-db-1",
      "shop-web-1",
      "[auth]",
      "auth-api-1",
      "zed",
      "amy",
    ]);
    expect(show(group(list, new Set(), { key: "name", desc: false }))).toEqual([
      "amy",
      "[auth]",
      "auth-api-1",
      "[shop]",
      "shop-db-1",
      "shop-web-1",
      "zed",
    ]);
    expect(show(group(list, new Set(), { key: "name", desc: true }))).toEqual([
      "zed",
      "[shop]",
      "shop-web-1",
      "shop-db-1",
      "[auth]",
      "auth-api-1",
      "amy",
    ]);
    // By state (running, paused, created, exited) and by image (a, b, c, d, e) alike here.
    for (const key of ["state", "image"] as const) {
      expect(show(group(list, new Set(), { key, desc: false }))).toEqual([
      "[shop]",
      "shop-web-1",
      "shop-db-1",
      "zed",
      "amy",
      "[auth]",
      "auth-api-1",
    ]);
    }
  });

  it("turns a sort round on a second click, and sorts by another column from its natural end", () => {
    expect(DEFAULT_SORT).toEqual({ key: "created", desc: true });
    expect(nextSort(DEFAULT_SORT, "created", ["created"])).toEqual({ key: "created", desc: false });
    expect(nextSort(DEFAULT_SORT, "name", ["created"])).toEqual({ key: "name", desc: false });
    expect(nextSort({ key: "name", desc: false }, "name", ["created"])).toEqual({ key: "name", desc: true });
    expect(nextSort({ key: "name", desc: false }, "created", ["created"])).toEqual({ key: "created", desc: true });
  });

  it("selects every row the search lets through, folded ones too, and then none", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => rows;
    const store = new ContainerStore(api(t));
    await store.connect();
    store.search = "shop";
    store.toggleGroup("shop");
    store.toggleAll();
    expect([...store.selected.keys].sort()).toEqual([rows[0].id, rows[1].id].sort());
    store.toggleAll();
    expect(store.selected.size).toBe(0);
    // One of them selected: a click selects the rest.
    store.toggleSelected(rows[1].id);
    store.toggleAll();
    expect(store.selected.size).toBe(2);
  });

  it("searches names, images, projects and ids, and filters by state", () => {
    expect(rows.filter((r) => matches(r, "SHOP", "all")).length).toBe(2);
    expect(rows.filter((r) => matches(r, "", "stopped")).map((r) => r.names[0])).toEqual(["db"]);
    expect(rows.filter((r) => matches(r, "loose-id", "running")).length).toBe(1);
  });

  it("narrows to the containers of one image by its id, whatever name they were made with", () => {
    const made = [
      container("old", { image: "hello:v1", image_id: "sha256:one" }),
      container("by-id", { image: "sha256:one", image_id: "sha256:one" }),
      container("new", { image: "hello:v1", image_id: "sha256:two", state: "exited" }),
    ];
    expect(made.filter((r) => matches(r, "", "all", "sha256:one")).map((r) => r.names[0])).toEqual(["old", "by-id"]);
    expect(made.filter((r) => matches(r, "", "all", "sha256:two")).map((r) => r.names[0])).toEqual(["new"]);
    expect(made.filter((r) => matches(r, "", "running", "sha256:two"))).toEqual([]);
    expect(made.filter((r) => matches(r, "old", "all", "sha256:one")).map((r) => r.names[0])).toEqual(["old"]);
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
