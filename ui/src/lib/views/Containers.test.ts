import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { bytes, percent } from "../format";
import { CONTAINERS_CHANGED, type UsageView } from "../ipc";
import { container, FakeTransport, paneOf600px, setVisibility, viewContext } from "../testing";
import type { Nav } from "../nav.svelte";
import type { EngineStore } from "../engine.svelte";
import Containers, { USAGE_SETTLE_MS } from "./Containers.svelte";

function usage(id: string, cpu: number, memory: number): UsageView {
  return { id, name: id, cpu_percent: cpu, memory, memory_limit: 0, memory_percent: 0, net_rx: 0, net_tx: 0, block_read: 0, block_write: 0, pids: 1 };
}

afterEach(cleanup);

describe("Containers", () => {
  it("puts only the rows in view in the page, even with thousands", async () => {
    paneOf600px();
    const t = new FakeTransport();
    const rows = Array.from({ length: 2000 }, (_, i) => container(`c${i}`, { project: i < 1000 ? "big" : null }));
    t.handlers.containers = () => rows;
    render(Containers, { context: viewContext(t) });
    await waitFor(() => expect(screen.getAllByTestId("project-group").length).toBe(1));
    const shown = screen.queryAllByTestId("container-row").length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(100);
  });

  it("says so when there are no containers, and shows the engine's error", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => [];
    render(Containers, { context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("no-containers")).toBeTruthy());
  });

  it("does not say there are no containers while no engine answers (the banner says why)", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => [];
    render(Containers, { context: viewContext(t, false) });
    await waitFor(() => expect(screen.getByTestId("containers-no-engine").textContent).toContain("once an engine answers"));
    expect(screen.queryByTestId("no-containers")).toBeNull();
  });

  it("prunes the stopped containers it lists first, without forcing, and says which were refused", async () => {
    paneOf600px();
    const t = new FakeTransport();
    let rows = [container("web", { state: "running" }), container("old", { state: "exited" }), container("made", { state: "created" }), container("late", { state: "exited" })];
    t.handlers.containers = () => rows;
    t.handlers.container_prune_candidates = () => rows.filter((r) => r.state !== "running");
    t.handlers.container_remove = (args) => {
      // One started after the list was made: the engine refuses it.
      if (String(args.id).startsWith("late-id")) throw { code: "conflict", message: "You cannot remove a running container" };
      rows = rows.filter((r) => r.id !== args.id);
    };
    render(Containers, { context: viewContext(t) });
    await waitFor(() => expect(screen.getAllByTestId("container-row").length).toBe(4));
    await fireEvent.click(screen.getByRole("button", { name: "Prune…" }));
    await waitFor(() => expect(screen.getByTestId("confirm-items").textContent).toBe("oldmadelate"));
    await fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.getAllByTestId("container-row").map((r) => r.dataset.name)).toEqual(["late", "web"]));
    const removes = t.calls.filter((c) => c.command === "container_remove").map((c) => c.args);
    expect(removes.map((a) => [String(a.id).slice(0, 7), a.force])).toEqual([["old-id0", false], ["made-id", false], ["late-id", false]]);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("late: You cannot remove a running container"));
  });

  it("sorts by the column clicked, and a second click turns it round", async () => {
    paneOf600px();
    const t = new FakeTransport();
    t.handlers.containers = () => [container("b", { created: 3 }), container("c", { created: 1 }), container("a", { created: 2 })];
    render(Containers, { context: viewContext(t) });
    const names = () => screen.getAllByTestId("container-row").map((r) => r.dataset.name);
    await waitFor(() => expect(names()).toEqual(["b", "a", "c"]));
    expect(screen.getByTestId("sort-created").parentElement!.getAttribute("aria-sort")).toBe("descending");
    await fireEvent.click(screen.getByTestId("sort-name"));
    await waitFor(() => expect(names()).toEqual(["a", "b", "c"]));
    expect(screen.getByTestId("sort-name").parentElement!.getAttribute("aria-sort")).toBe("ascending");
    expect(screen.getByTestId("sort-created").parentElement!.hasAttribute("aria-sort")).toBe(false);
    await fireEvent.click(screen.getByTestId("sort-name"));
    await waitFor(() => expect(names()).toEqual(["c", "b", "a"]));
  });

  it("shows the CPU and memory of the running containers in view, following only those, and stops when it goes", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    onTestFinished(() => void vi.useRealTimers());
    paneOf600px();
    const t = new FakeTransport();
    // 40 running containers, then one stopped: a 600 px pane shows about 16 rows of 36 px.
    const rows = [
      ...Array.from({ length: 40 }, (_, i) => container(`r${String(i).padStart(2, "0")}`, { created: 100 - i })),
      container("stopped", { state: "exited", created: 200 }),
    ];
    t.handlers.containers = () => rows;
    const view = render(Containers, { context: viewContext(t) });
    await waitFor(() => expect(screen.getAllByTestId("container-row").length).toBeGreaterThan(10));
    await vi.advanceTimersByTimeAsync(USAGE_SETTLE_MS);
    // One stream for the rows in view: the newest first, so the stopped one (not followed),
    // then r00, r01, …; r39 is out of view.
    expect(t.streams.length).toBe(1);
    const first = t.streams[0];
    const followed = (first.args.ids as string[]).map((id) => id.slice(0, 3));
    expect(first.command).toBe("stats_all");
    expect(followed.length).toBeGreaterThan(10);
    expect(followed.length).toBeLessThan(25);
    expect(followed).toContain("r00");
    expect(followed).not.toContain("r39");
    expect(followed).not.toContain("sto");
    first.send({ items: [usage(rows[0].id, 12.5, 3 * 1024 * 1024)], done: false, error: null });
    const row = () => screen.getAllByTestId("container-row").find((r) => r.dataset.name === "r00")!;
    await waitFor(() => expect(within(row()).getByTestId("row-cpu").textContent).toBe(percent(12.5)));
    expect(within(row()).getByTestId("row-memory").textContent).toBe(bytes(3 * 1024 * 1024));
    // A new list with the same containers in view: the same stream.
    t.emit(CONTAINERS_CHANGED, { events: [{ action: "create", id: "x" }], rows: [...rows] });
    await vi.advanceTimersByTimeAsync(USAGE_SETTLE_MS);
    expect(t.streams.length).toBe(1);
    // Sorted the other way round: r39 comes into view and r00 leaves, once the list stands still.
    await fireEvent.click(screen.getByTestId("sort-created"));
    expect(first.stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(USAGE_SETTLE_MS);
    expect(first.stopped).toBe(true);
    const second = (t.streams[1].args.ids as string[]).map((id) => id.slice(0, 3));
    expect(second).toContain("r39");
    expect(second).not.toContain("r00");
    // The page hidden (a minimised window): the stream ends; shown again, one starts again.
    setVisibility("hidden");
    await vi.advanceTimersByTimeAsync(0);
    expect(t.streams.every((s) => s.stopped)).toBe(true);
    setVisibility("visible");
    await vi.advanceTimersByTimeAsync(USAGE_SETTLE_MS);
    expect(t.streams.length).toBe(3);
    expect(t.streams[2].stopped).toBe(false);
    view.unmount();
    expect(t.streams[2].stopped).toBe(true);
  });

  it("counts a container's age on as time passes", async () => {
    vi.useFakeTimers({ now: 10_000_000, shouldAdvanceTime: true });
    onTestFinished(() => void vi.useRealTimers());
    paneOf600px();
    const t = new FakeTransport();
    t.handlers.containers = () => [container("web", { created: 10_000 - 30 })];
    render(Containers, { context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("container-row").textContent).toContain("just now"));
    vi.advanceTimersByTime(120_000);
    await waitFor(() => expect(screen.getByTestId("container-row").textContent).toContain("2 minutes ago"));
  });
});

describe("a container's ports", () => {
  it("open in the browser where the engine publishes them: here, or at a remote engine's host", async () => {
    paneOf600px();
    const t = new FakeTransport();
    const ports = [
      { ip: "0.0.0.0", private_port: 5000, public_port: 8000, proto: "tcp" },
      { ip: "::", private_port: 5000, public_port: 8000, proto: "tcp" },
    ];
    t.handlers.containers = () => [container("web", { ports })];
    t.handlers.open_url = () => undefined;
    const context = viewContext(t);
    render(Containers, { context });
    const link = await waitFor(() => within(screen.getByTestId("container-row")).getByRole("button", { name: "8000" }));
    await fireEvent.click(link);
    expect(t.calls.filter((c) => c.command === "open_url").map((c) => c.args)).toEqual([{ url: "http://localhost:8000" }]);
    const engine = context.get("engine") as EngineStore;
    engine.view = { ...engine.view!, connection: { ...engine.view!.connection!, host: "ssh://me@build-box", browser_host: "build-box" } };
    const title = () => within(screen.getByTestId("container-row")).getByRole("button", { name: "8000" }).getAttribute("title");
    await waitFor(() => expect(title()).toBe("Open http://build-box:8000"));
  });
});

describe("a container's health", () => {
  it("shows what its health check last said in place of 'running', and the state without one", async () => {
    paneOf600px();
    const t = new FakeTransport();
    t.handlers.containers = () => [
      container("db", { status: "Up 3 minutes (unhealthy)" }),
      container("web", { status: "Up 5 seconds (health: starting)" }),
      container("cache", { status: "Up 1 minute" }),
    ];
    render(Containers, { context: viewContext(t) });
    const row = (n: string) => document.querySelector(`[data-testid=container-row][data-name="${n}"]`);
    await waitFor(() => expect(row("db")).not.toBeNull());
    expect(row("db")!.querySelector("[data-testid=health]")!.textContent!.trim()).toBe("unhealthy");
    expect(row("db")!.querySelector("[data-testid=health]")!.classList.contains("unhealthy")).toBe(true);
    expect(row("db")!.querySelector("[data-testid=health]")!.getAttribute("title")).toContain("running, health check unhealthy");
    expect(row("web")!.querySelector("[data-testid=health]")!.textContent!.trim()).toBe("starting");
    expect(row("web")!.querySelector("[data-testid=health]")!.getAttribute("title")).toContain("not passed yet");
    expect(row("db")!.querySelectorAll(".badge")).toHaveLength(1);
    expect(row("cache")!.querySelector("[data-testid=health]")).toBeNull();
    expect(row("cache")!.querySelector(".badge.running")!.textContent!.trim()).toBe("running");
  });

  it("shows an exited container's exit code, in red only when it is not 0", async () => {
    paneOf600px();
    const t = new FakeTransport();
    t.handlers.containers = () => [
      container("job", { state: "exited", status: "Exited (0) 2 minutes ago" }),
      container("crashed", { state: "exited", status: "Exited (137) 5 seconds ago" }),
      container("fresh", { state: "created", status: "Created" }),
    ];
    render(Containers, { context: viewContext(t) });
    const badge = (n: string) => document.querySelector(`[data-testid=container-row][data-name="${n}"] .badge`);
    await waitFor(() => expect(badge("job")).not.toBeNull());
    expect([badge("job")!.textContent, badge("job")!.classList.contains("exited")]).toEqual(["exited (0)", false]);
    expect([badge("crashed")!.textContent, badge("crashed")!.classList.contains("exited")]).toEqual(["exited (137)", true]);
    expect(badge("crashed")!.getAttribute("title")).toBe("Exited (137) 5 seconds ago");
    expect(badge("fresh")!.textContent).toBe("created");
  });

  it("stops a compose project as a whole from its header, and opens its logs", async () => {
    paneOf600px();
    const t = new FakeTransport();
    const labels = { "com.docker.compose.project.config_files": "/p/compose.yaml" };
    t.handlers.containers = () => [
      container("shop-web-1", { project: "shop", state: "running", labels }),
      container("shop-db-1", { project: "shop", state: "running", labels }),
    ];
    const context = viewContext(t);
    render(Containers, { context });
    const group = await waitFor(() => screen.getByTestId("project-group"));
    await fireEvent.click(within(group).getByTestId("project-group-stop"));
    const stream = t.streams.find((s) => s.command === "compose_run")!;
    expect(stream.args).toEqual({ action: "stop", name: "shop", path: "/p/compose.yaml", profiles: [] });
    // While it runs the button waits; an engine error is shown.
    expect((within(group).getByTestId("project-group-stop") as HTMLButtonElement).disabled).toBe(true);
    stream.send({ items: [], done: true, error: { code: "engine_failed", message: "shop-db-1: cannot stop" } });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("shop-db-1: cannot stop"));
    expect((within(group).getByTestId("project-group-stop") as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(within(group).getByTestId("project-group-logs"));
    const nav = context.get("nav") as Nav;
    expect([nav.view, nav.projectLogs]).toEqual(["compose", "shop"]);
  });

  it("removes one container from its row after a yes, stopping it first, its volumes kept", async () => {
    paneOf600px();
    const t = new FakeTransport();
    t.handlers.containers = () => [container("web", { state: "running" }), container("old", { state: "exited" })];
    const removed: unknown[] = [];
    t.handlers.container_remove = (args) => void removed.push(args);
    render(Containers, { context: viewContext(t) });
    await fireEvent.click(await screen.findByLabelText("Remove web"));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog.textContent).toContain("Stop and remove the container");
    expect(within(dialog).getByTestId("confirm-items").textContent).toBe("web");
    expect(removed).toEqual([]);
    await fireEvent.click(within(dialog).getByText("Remove"));
    await waitFor(() => expect(removed).toEqual([{ id: "web-id".padEnd(64, "0"), force: true, volumes: false }]));
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("offers on each row's menu what its state allows, and opens its page on the tab chosen", async () => {
    paneOf600px();
    const t = new FakeTransport();
    t.handlers.containers = () => [container("web", { state: "running" }), container("old", { state: "exited" }), container("held", { state: "paused" })];
    const acted: unknown[] = [];
    t.handlers.container_action = (args) => void acted.push(args);
    const context = viewContext(t);
    render(Containers, { context });
    const menuOf = async (n: string) => {
      await fireEvent.click(await screen.findByRole("button", { name: `More for ${n}` }));
      const menu = screen.getByRole("menu");
      return { menu, items: within(menu).getAllByRole("menuitem").map((b) => `${b.textContent}${(b as HTMLButtonElement).disabled ? " (off)" : ""}`) };
    };
    // The menu is put in the page's body, so the list's clipping does not cut it.
    let { menu, items } = await menuOf("web");
    expect(menu.parentElement).toBe(document.body);
    expect(items).toEqual(["Logs", "Terminal", "Files", "Inspect", "Restart", "Pause", "Kill"]);
    await fireEvent.click(within(menu).getByText("Pause"));
    await waitFor(() => expect(acted).toEqual([{ id: "web-id".padEnd(64, "0"), action: "pause" }]));
    expect(screen.queryByRole("menu")).toBeNull();
    ({ items } = await menuOf("held"));
    expect(items).toEqual(["Logs", "Terminal (off)", "Files", "Inspect", "Resume", "Kill"]);
    await fireEvent.keyDown(screen.getByRole("menu"), { key: "Escape" });
    ({ menu, items } = await menuOf("old"));
    expect(items).toEqual(["Logs", "Terminal (off)", "Files", "Inspect"]);
    await fireEvent.click(within(menu).getByText("Files"));
    const nav = context.get("nav") as Nav;
    expect([nav.view, nav.container, nav.containerTab]).toEqual(["container", "old-id".padEnd(64, "0"), "files"]);
  });

  it("opens on the containers of the image another view sent it for, until that filter is cleared", async () => {
    paneOf600px();
    const t = new FakeTransport();
    t.handlers.containers = () => [
      container("web", { image: "hello:v1", image_id: "sha256:one" }),
      container("was-web", { image: "hello:v1", image_id: "sha256:old", state: "exited" }),
      container("db", { image: "db", image_id: "sha256:db" }),
    ];
    const context = viewContext(t);
    const nav = context.get("nav") as Nav;
    nav.openContainersOf("sha256:one", "hello:v1");
    render(Containers, { context });
    await waitFor(() => expect(screen.getAllByTestId("container-row").map((r) => r.dataset.name)).toEqual(["web"]));
    expect(screen.getByTestId("containers-image").textContent).toContain("Image hello:v1");
    expect(nav.containersOf).toBeNull();
    // Narrowed further to nothing, it says why and offers them all again.
    await fireEvent.input(screen.getByTestId("container-search"), { target: { value: "api" } });
    await waitFor(() => expect(screen.getByTestId("none-shown").textContent).toContain("No container made from hello:v1 matches “api”."));
    await fireEvent.click(screen.getByTestId("show-all"));
    await waitFor(() => expect(screen.getAllByTestId("container-row").length).toBe(3));
    expect(screen.queryByTestId("containers-image")).toBeNull();
    expect((screen.getByTestId("container-search") as HTMLInputElement).value).toBe("");
    // The image filter alone clears with its ×.
    nav.openContainersOf("sha256:db", "db");
    cleanup();
    render(Containers, { context });
    await waitFor(() => expect(screen.getAllByTestId("container-row").map((r) => r.dataset.name)).toEqual(["db"]));
    await fireEvent.click(screen.getByRole("button", { name: "Show containers of every image" }));
    await waitFor(() => expect(screen.getAllByTestId("container-row").length).toBe(3));
  });

  it("adds up a project's CPU and memory once each of its running containers has a figure", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    onTestFinished(() => void vi.useRealTimers());
    paneOf600px();
    const t = new FakeTransport();
    const rows = [
      container("shop-web-1", { project: "shop" }),
      container("shop-db-1", { project: "shop" }),
      container("shop-job-1", { project: "shop", state: "exited" }),
    ];
    t.handlers.containers = () => rows;
    render(Containers, { context: viewContext(t) });
    const group = await waitFor(() => screen.getByTestId("project-group"));
    await vi.advanceTimersByTimeAsync(USAGE_SETTLE_MS);
    const stream = t.streams.find((s) => s.command === "stats_all")!;
    stream.send({ items: [usage(rows[0].id, 10, 1000)], done: false, error: null });
    const web = () => screen.getAllByTestId("container-row").find((r) => r.dataset.name === "shop-web-1")!;
    await waitFor(() => expect(within(web()).getByTestId("row-cpu").textContent).toBe(percent(10)));
    // Under its project's header a row drops the project's prefix; its title keeps the whole name.
    const link = web().querySelector("button.name")!;
    expect([link.textContent, link.getAttribute("title")]).toEqual(["web-1", `shop-web-1 (${rows[0].id.slice(0, 12)})`]);
    // One of two: no sum yet (it would be a part told as the whole).
    expect(within(group).getByTestId("group-cpu").textContent).toBe("");
    stream.send({ items: [usage(rows[1].id, 2.5, 500)], done: false, error: null });
    await waitFor(() => expect(within(group).getByTestId("group-cpu").textContent).toBe(percent(12.5)));
    expect(within(group).getByTestId("group-memory").textContent).toBe(bytes(1500));
  });
});
