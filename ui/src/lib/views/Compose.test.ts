import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, CONTAINERS_CHANGED } from "../ipc";
import { Nav } from "../nav.svelte";
import { FakeTransport, container, paneOf600px, setVisibility, viewContext } from "../testing";
import type { EngineStore } from "../engine.svelte";
import Compose from "./Compose.svelte";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  setVisibility("visible", false);
});

describe("Compose", () => {
  it("reads the services' status words again each minute while the window shows", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const t = new FakeTransport();
    let status = "Up Less than a second";
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(1)", config_files: "/p/compose.yaml" }];
    t.handlers.containers = () => [
      container("shop-web-1", { project: "shop", status, labels: { "com.docker.compose.service": "web" } }),
    ];
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const shown = () => document.querySelector("[data-testid=compose-project]")?.textContent ?? "";
    await waitFor(() => expect(shown()).toContain("Up Less than a second"));
    status = "Up About a minute";
    vi.advanceTimersByTime(60_000);
    await waitFor(() => expect(shown()).toContain("Up About a minute"));
    // Hidden, nothing is read.
    setVisibility("hidden");
    const asked = t.calls.filter((c) => c.command === "containers").length;
    vi.advanceTimersByTime(300_000);
    expect(t.calls.filter((c) => c.command === "containers").length).toBe(asked);
  });

  it("shows a project's logs merged, marked by container, with services hidden on demand", async () => {
    paneOf600px();
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(2)", config_files: "/p/compose.yaml" }];
    t.handlers.containers = () => [
      container("shop-web-1", { project: "shop", labels: { "com.docker.compose.service": "web" } }),
      container("shop-db-1", { project: "shop", labels: { "com.docker.compose.service": "db" } }),
    ];
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const toggle = await waitFor(() => {
      const b = document.querySelector<HTMLButtonElement>("[data-testid=project-logs-toggle]");
      expect(b).not.toBeNull();
      return b!;
    });
    toggle.click();
    await waitFor(() => expect(t.streams.find((s) => s.command === "compose_logs")).toBeDefined());
    const stream = t.streams.find((s) => s.command === "compose_logs")!;
    expect(stream.args).toEqual({ project: "shop", tail: 500 });
    const line = (service: string, time: string, text: string, out = "stdout") => ({ service, container: `shop-${service}-1`, stream: out, time, text });
    stream.send({ items: [line("web", "2026-12-02T10:00:01.000000000Z", "listening"), line("web", "2026-12-02T10:00:03.000000000Z", "GET /")], done: false, error: null });
    stream.send({ items: [line("db", "2026-12-02T10:00:02.000000000Z", "ready", "stderr")], done: false, error: null });
    const shown = () => [...document.querySelectorAll("[data-testid=project-logs-lines] [role=listitem]")].map((l) => l.textContent);
    await waitFor(() => expect(shown()).toEqual(["shop-web-1  | listening", "shop-db-1   | ready", "shop-web-1  | GET /"]));
    expect(document.querySelector("[data-testid=project-logs-lines] .stderr")?.textContent).toBe("ready");
    // The db hidden, then a search.
    document.querySelector<HTMLInputElement>("[data-testid=project-logs-service][data-service=db]")!.click();
    await waitFor(() => expect(shown()).toEqual(["shop-web-1  | listening", "shop-web-1  | GET /"]));
    // Download: the whole logs to the file named, or the engine's word why not.
    const saveTo = document.querySelector<HTMLInputElement>("[data-testid=project-logs-save-to]")!;
    const download = [...document.querySelectorAll<HTMLButtonElement>("[data-testid=project-logs] button")].find((b) => b.textContent === "Download")!;
    expect(download.disabled).toBe(true);
    t.handlers.compose_logs_save = (args) => {
      if (args.to === "/nowhere/logs.txt") throw { code: "invalid_input", message: "/nowhere/logs.txt: No such file or directory (os error 2)" };
      return 3;
    };
    saveTo.value = "/tmp/shop.log";
    saveTo.dispatchEvent(new Event("input"));
    await waitFor(() => expect(download.disabled).toBe(false));
    download.click();
    await waitFor(() => expect(document.querySelector("[data-testid=project-logs]")?.textContent).toContain("Saved 3 lines to /tmp/shop.log"));
    expect(t.calls.find((c) => c.command === "compose_logs_save")?.args).toEqual({ project: "shop", to: "/tmp/shop.log" });
    saveTo.value = "/nowhere/logs.txt";
    saveTo.dispatchEvent(new Event("input"));
    download.click();
    await waitFor(() => expect(document.querySelector("[data-testid=project-logs] [role=alert]")?.textContent).toContain("/nowhere/logs.txt: No such file"));
    expect(document.querySelector("[data-testid=project-logs]")?.textContent).not.toContain("Saved 3 lines");
    // Closed, the stream ends.
    toggle.click();
    await waitFor(() => expect(stream.stopped).toBe(true));
    expect(document.querySelector("[data-testid=project-logs]")).toBeNull();
  });

  it("opens on the logs of the project the Containers view asked for, and starts or stops a project", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(1), exited(1)", config_files: "/p/compose.yaml" }];
    t.handlers.containers = () => [
      container("shop-web-1", { project: "shop", state: "running", labels: { "com.docker.compose.service": "web" } }),
      container("shop-db-1", { project: "shop", state: "exited", labels: { "com.docker.compose.service": "db" } }),
    ];
    const nav = new Nav();
    nav.openProjectLogs("shop");
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", nav]]) });
    await waitFor(() => expect(t.streams.find((s) => s.command === "compose_logs")?.args).toEqual({ project: "shop", tail: 500 }));
    expect(nav.projectLogs).toBeNull();
    // Some run and some do not: both Start and Stop.
    document.querySelector<HTMLButtonElement>("[data-testid=project-start]")!.click();
    await waitFor(() => expect(t.streams.find((s) => s.command === "compose_run")?.args).toEqual({ action: "start", name: "shop", path: "/p/compose.yaml", profiles: [] }));
    expect(document.querySelector("[data-testid=project-stop]")).not.toBeNull();
  });

  it("links each container's published ports, where the engine's host is", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(2)", config_files: "/p/compose.yaml" }];
    t.handlers.containers = () => [
      container("shop-web-1", {
        project: "shop",
        labels: { "com.docker.compose.service": "web" },
        ports: [
          { ip: "0.0.0.0", private_port: 80, public_port: 8080, proto: "tcp" },
          { ip: "::", private_port: 80, public_port: 8080, proto: "tcp" },
          { ip: "127.0.0.1", private_port: 81, public_port: 8081, proto: "tcp" },
        ],
      }),
      container("shop-db-1", { project: "shop", labels: { "com.docker.compose.service": "db" }, ports: [{ ip: "0.0.0.0", private_port: 53, public_port: 5353, proto: "udp" }] }),
    ];
    t.handlers.open_url = () => undefined;
    const context = viewContext(t);
    const engine = context.get("engine") as EngineStore;
    engine.view = { ...engine.view!, connection: { ...engine.view!.connection!, host: "tcp://10.0.0.5:2376", browser_host: "10.0.0.5" } };
    render(Compose, { context });
    // A remote engine: its host, and no link for its loopback or for UDP.
    await waitFor(() => expect(screen.getAllByTestId("project-port-open").map((b) => b.getAttribute("title"))).toEqual(["Open http://10.0.0.5:8080"]));
    await fireEvent.click(screen.getByTestId("project-port-open"));
    expect(t.calls.filter((c) => c.command === "open_url").map((c) => c.args)).toEqual([{ url: "http://10.0.0.5:8080" }]);
  });

  it("lists what a Down with volumes removes, as the engine has it, before it runs", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(1)", config_files: "/p/compose.yaml" }];
    t.handlers.containers = () => [container("shop-web-1", { project: "shop", labels: { "com.docker.compose.service": "web" } })];
    t.handlers.compose_down_preview = () => ["container shop-web-1", "network shop_default", "volume shop_data", "the anonymous volumes of these containers"];
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const down = await screen.findByTestId("project-down-volumes");
    down.click();
    const items = await screen.findByTestId("confirm-items");
    expect([...items.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "container shop-web-1",
      "network shop_default",
      "volume shop_data",
      "the anonymous volumes of these containers",
    ]);
    expect(t.calls.find((c) => c.command === "compose_down_preview")?.args).toEqual({ name: "shop", path: "/p/compose.yaml", volumes: true });
    expect(t.streams.find((s) => s.command === "compose_run")).toBeUndefined();
    within(screen.getByRole("alertdialog")).getByText("Remove").click();
    await waitFor(() => expect(t.streams.find((s) => s.command === "compose_run")?.args).toEqual({ action: "down_volumes", name: "shop", path: "/p/compose.yaml", profiles: [] }));
    expect(screen.getByText("Down, removing volumes: shop…")).toBeTruthy();
    t.streams.find((s) => s.command === "compose_run")!.send({ items: [], done: true, error: null });
    await waitFor(() => expect(down.hasAttribute("disabled")).toBe(false));
    // When the engine cannot say, that is shown, and nothing runs.
    t.handlers.compose_down_preview = () => {
      throw { code: "engine_unreachable", message: "the engine went away" };
    };
    down.click();
    await waitFor(() => expect(screen.getByTestId("compose-error").textContent).toContain("the engine went away"));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(t.streams.filter((s) => s.command === "compose_run").length).toBe(1);
  });

  it("opens a project's files from its row: its configuration, Up and Watch", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(1)", config_files: "/p/compose.yaml,/p/compose.override.yaml" }];
    t.handlers.containers = () => [];
    t.handlers.compose_view = (args) => ({ name: "shop", files: String(args.path).split(","), services: ["web"], config: "name: shop\n", state: "out_of_date", providers: [], models: [], jobs: [], profiles: [] });
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    (await screen.findByTestId("project-files")).click();
    const opened = await screen.findByTestId("compose-opened");
    expect(t.calls.find((c) => c.command === "compose_view")?.args).toEqual({ path: "/p/compose.yaml,/p/compose.override.yaml", profiles: [] });
    expect(within(opened).getByTestId("file-state").textContent).toBe("out of date");
    expect(screen.getByTestId<HTMLInputElement>("compose-path").value).toBe("/p/compose.yaml,/p/compose.override.yaml");
  });

  it("says which services a provider runs, which models and jobs the project has, none of them a container", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [
      { name: "shop", status: "running(1)", config_files: "/p/compose.yaml" },
      { name: "other", status: "running(1)", config_files: "/q/compose.yaml" },
    ];
    t.handlers.containers = () => [
      container("shop-web-1", { project: "shop", state: "running", labels: { "com.docker.compose.service": "web" } }),
      container("other-web-1", { project: "other", state: "running", labels: { "com.docker.compose.service": "web" } }),
    ];
    t.handlers.compose_view = () => ({
      name: "shop", files: ["/p/compose.yaml"], services: ["database", "web"], config: "", state: "down",
      providers: [{ service: "database", kind: "awesomecloud" }],
      models: [{ key: "llm", model: "ai/smollm2", services: ["web"] }, { key: "spare", model: "ai/x", services: [] }],
      jobs: [
        { name: "backup", manual: true, schedules: [], profiles: [], disabled: false },
        { name: "nightly", manual: false, schedules: ["0 3 * * *"], profiles: [], disabled: false },
        { name: "migrate", manual: true, schedules: [], profiles: ["maintenance", "ops"], disabled: true },
      ],
      profiles: [{ name: "maintenance", enabled: false, by_environment: false, services: ["migrate"] }, { name: "ops", enabled: false, by_environment: false, services: ["migrate"] }],
    });
    const nav = new Nav();
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", nav]]) });
    const field = screen.getByTestId<HTMLInputElement>("compose-path");
    await fireEvent.input(field, { target: { value: "/p" } });
    screen.getByTestId("compose-open").click();
    await waitFor(() => expect(screen.getByTestId("compose-providers").textContent).toContain("database (awesomecloud)"));
    // The project on the engine (its web container) lists the provider's service too.
    const card = document.querySelector("[data-testid=compose-project][data-project=shop]")!;
    expect(within(card as HTMLElement).getByTestId("project-provider").textContent).toBe("databaserun by its provider's program (awesomecloud), no container");
    expect(document.querySelector("[data-testid=compose-project][data-project=other] [data-testid=project-provider]")).toBeNull();
    expect(screen.getByTestId("compose-models").textContent).toContain("llm (ai/smollm2) for web; spare (ai/x), unused");
    const job = (name: string) => document.querySelector(`[data-testid=compose-job][data-job=${name}]`)!;
    expect(job("nightly").textContent).toContain("schedule 0 3 * * *, not run by Berth");
    expect(job("nightly").textContent).toContain("not by hand");
    expect(job("nightly").querySelector("[data-testid=compose-job-run]")).toBeNull();
    expect(job("backup").querySelector("[data-testid=compose-job-profiles]")).toBeNull();
    // A job its profiles leave out is listed, said so, and runs when named.
    expect(job("migrate").querySelector("[data-testid=compose-job-profiles]")!.textContent).toBe("profile maintenance or ops not enabled (Run runs it all the same)");
    expect(job("migrate").querySelector("[data-testid=compose-job-run]")).not.toBeNull();
    // Run: the job's one-off container made and started, and its page a click away.
    job("backup").querySelector<HTMLButtonElement>("[data-testid=compose-job-run]")!.click();
    await waitFor(() => expect(t.streams.find((s) => s.command === "compose_run")?.args).toEqual({ action: "run", name: "shop", path: "/p", job: "backup", profiles: [] }));
    const stream = t.streams.find((s) => s.command === "compose_run")!;
    stream.send({ items: [{ resource: "Container shop-backup-run-1a2b", status: "Started", detail: "c0ffee" }], done: true, error: null });
    const started = await screen.findByTestId("compose-job-started");
    expect(started.textContent).toContain("The job backup runs");
    within(started).getByRole("button").click();
    expect(nav.view).toBe("container");
    expect(nav.container).toBe("c0ffee");
  });

  it("opens nothing of the kind for a project without them", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [];
    t.handlers.containers = () => [];
    t.handlers.compose_view = () => ({ name: "shop", files: ["/p/compose.yaml"], services: ["web"], config: "", state: "down", providers: [], models: [], jobs: [], profiles: [] });
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await fireEvent.input(screen.getByTestId("compose-path"), { target: { value: "/p" } });
    screen.getByTestId("compose-open").click();
    await screen.findByTestId("compose-opened");
    expect(screen.queryByTestId("compose-providers")).toBeNull();
    expect(screen.queryByTestId("compose-models")).toBeNull();
    expect(screen.queryByTestId("compose-jobs")).toBeNull();
  });

  it("says when an opened project's containers are stopped, however up to date (Up starts them)", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "exited(2)", config_files: "/p/compose.yaml" }];
    const of = (svc: string, state: string, oneoff = "False") =>
      container(`shop-${svc}-1`, { project: "shop", state, labels: { "com.docker.compose.service": svc, "com.docker.compose.oneoff": oneoff } });
    let rows = [of("web", "exited"), of("cache", "exited"), of("job", "exited", "True")];
    t.handlers.containers = () => rows;
    t.handlers.compose_view = () => ({ name: "shop", files: ["/p/compose.yaml"], services: ["web", "cache"], config: "", state: "up_to_date", providers: [], models: [], jobs: [], profiles: [] });
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    (await screen.findByTestId("project-files")).click();
    await waitFor(() => expect(screen.getByTestId("file-stopped").textContent).toBe("2 stopped: Up starts them"));
    expect(screen.getByTestId("file-state").textContent).toBe("up to date");
    // Started (by the CLI, say): the engine's container events bring the list again.
    rows = [of("web", "running"), of("cache", "exited"), of("job", "exited", "True")];
    t.emit(CONTAINERS_CHANGED, { rows, events: [{ action: "start", id: rows[0].id }] });
    await waitFor(() => expect(screen.getByTestId("file-stopped").textContent).toBe("1 stopped: Up starts it"));
    rows = [of("web", "running"), of("cache", "running"), of("job", "exited", "True")];
    t.emit(CONTAINERS_CHANGED, { rows, events: [{ action: "start", id: rows[1].id }] });
    await waitFor(() => expect(screen.queryByTestId("file-stopped")).toBeNull());
  });

  it("says why a project action failed, and keeps saying it once the lists are read again", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(1)", config_files: "/p/compose.yaml" }];
    t.handlers.containers = () => [container("shop-web-1", { project: "shop", state: "running", labels: { "com.docker.compose.service": "web" } })];
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    (await screen.findByTestId("project-stop")).click();
    await waitFor(() => expect(t.streams.find((s) => s.command === "compose_run")).toBeDefined());
    const listed = t.calls.filter((c) => c.command === "compose_projects").length;
    t.streams.find((s) => s.command === "compose_run")!.send({ items: [], done: true, error: { code: "conflict", message: "container shop-web-1: cannot stop it: permission denied" } });
    await waitFor(() => expect(t.calls.filter((c) => c.command === "compose_projects").length).toBe(listed + 1));
    await waitFor(() => expect(screen.getByTestId("compose-action-error").textContent).toBe("container shop-web-1: cannot stop it: permission denied"));
    expect(screen.queryByTestId("compose-error")).toBeNull();
  });

  it("follows the opened project's files: edited, it says so; broken for a moment, it comes back", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [];
    t.handlers.containers = () => [];
    let view: unknown = { name: "shop", files: ["/p/compose.yaml"], services: ["web"], config: "name: shop\n", state: "up_to_date", providers: [], models: [], jobs: [], profiles: [] };
    t.handlers.compose_view = () => {
      if (view instanceof Error) throw { code: "invalid_input", message: view.message };
      return view;
    };
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const field = screen.getByTestId<HTMLInputElement>("compose-path");
    await fireEvent.input(field, { target: { value: "/p" } });
    await fireEvent.click(screen.getByTestId("compose-open"));
    const state = () => screen.queryByTestId("file-state")?.textContent;
    await waitFor(() => expect(state()).toBe("up to date"));
    const followed = t.streams.filter((s) => s.command === "compose_files_follow");
    expect(followed.map((s) => s.args)).toEqual([{ path: "/p" }]);

    // The field edited but not opened: the files followed are still the opened ones.
    await fireEvent.input(field, { target: { value: "/elsewhere" } });
    view = { ...(view as object), state: "out_of_date" };
    followed[0].send({ items: [null], done: false, error: null });
    await waitFor(() => expect(state()).toBe("out of date"));
    const following = () => t.streams.filter((s) => s.command === "compose_files_follow" && !s.stopped);
    await waitFor(() => expect(following().length).toBe(1));
    expect(t.calls.filter((c) => c.command === "compose_view").map((c) => c.args.path)).toEqual(["/p", "/p"]);

    view = new Error("/p/compose.yaml:3:1: mapping values are not allowed here");
    following()[0].send({ items: [null], done: false, error: null });
    await waitFor(() => expect(screen.getByTestId("compose-load-error").textContent).toContain("mapping values"));
    expect(screen.queryByTestId("compose-opened")).toBeNull();
    view = { name: "shop", files: ["/p/compose.yaml"], services: ["web", "db"], config: "", state: "out_of_date", providers: [], models: [], jobs: [], profiles: [] };
    following()[0].send({ items: [null], done: false, error: null });
    await waitFor(() => expect(screen.getByTestId("compose-opened").textContent).toContain("web, db"));
    expect(screen.queryByTestId("compose-load-error")).toBeNull();
    // Followed anew after each change that loads (an edit may name another env file), the
    // one before ended; not while the files did not load.
    const follows = t.streams.filter((s) => s.command === "compose_files_follow");
    expect(follows.map((s) => s.stopped)).toEqual([true, true, false]);
  });

  it("turns profiles on and off for the files open: read again with them, Up and a job's Run go with them", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [];
    t.handlers.containers = () => [];
    t.handlers.compose_view = (args) => {
      const on = args.profiles as string[];
      if (on.includes("broken")) throw { code: "invalid_input", message: "services.bad.image: missing: give the service an image or a build" };
      const profile = (name: string, services: string[], env = false) => ({ name, enabled: env || on.includes(name), by_environment: env, services });
      return {
        name: "shop", files: ["/p/compose.yaml"], services: ["web", ...(on.includes("debug") ? ["adminer"] : [])], config: "", state: "down", providers: [], models: [],
        jobs: [{ name: "seed", manual: true, schedules: [], profiles: ["debug"], disabled: !on.includes("debug") }],
        profiles: [profile("broken", ["bad"]), profile("debug", ["adminer", "seed"]), profile("dev", ["mail"], true)],
      };
    };
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await fireEvent.input(screen.getByTestId("compose-path"), { target: { value: "/p" } });
    screen.getByTestId("compose-open").click();
    const box = async (name: string) => (await screen.findByTestId("compose-opened")).querySelector<HTMLInputElement>(`[data-testid=compose-profile][data-profile=${name}]`)!;
    expect((await box("debug")).checked).toBe(false);
    const said = () => screen.getByTestId("compose-profiles").textContent!.replace(/\s+/g, " ");
    expect(said()).toContain("debug (adminer, seed)");
    // One the files' environment enables is on, and not the app's to turn off.
    expect([(await box("dev")).checked, (await box("dev")).disabled]).toEqual([true, true]);
    expect(said()).toContain("dev (mail), by COMPOSE_PROFILES");

    await fireEvent.click(await box("debug"));
    await waitFor(() => expect(screen.getByTestId("compose-opened").querySelector(".toolbar")!.textContent).toContain("web, adminer"));
    expect(t.calls.filter((c) => c.command === "compose_view").map((c) => c.args)).toEqual([{ path: "/p", profiles: [] }, { path: "/p", profiles: ["debug"] }]);
    expect((await box("debug")).checked).toBe(true);
    expect(screen.queryByTestId("compose-job-profiles")).toBeNull();
    screen.getByTestId("compose-up").click();
    await waitFor(() => expect(t.streams.find((s) => s.command === "compose_run")?.args).toEqual({ action: "up", name: "shop", path: "/p", profiles: ["debug"] }));
    t.streams.find((s) => s.command === "compose_run")!.send({ items: [], done: true, error: null });
    // The lists read again after the action keep the choice.
    await waitFor(() => expect(t.calls.filter((c) => c.command === "compose_view").length).toBe(3));
    expect(t.calls.filter((c) => c.command === "compose_view").at(-1)?.args).toEqual({ path: "/p", profiles: ["debug"] });
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>("compose-job-run").disabled).toBe(false));
    screen.getByTestId("compose-job-run").click();
    await waitFor(() => expect(t.streams.filter((s) => s.command === "compose_run").at(-1)?.args).toEqual({ action: "run", name: "shop", path: "/p", job: "seed", profiles: ["debug"] }));
    t.streams.filter((s) => s.command === "compose_run").at(-1)!.send({ items: [], done: true, error: null });
    await waitFor(() => expect(t.calls.filter((c) => c.command === "compose_view").length).toBe(4));

    // One that does not load is said, and left off; the card stays as it was.
    await fireEvent.click(await box("broken"));
    await waitFor(() => expect(screen.getByTestId("compose-profile-error").textContent).toBe("profile broken: services.bad.image: missing: give the service an image or a build"));
    expect((await box("broken")).checked).toBe(false);
    expect(screen.getByTestId("compose-opened").querySelector(".toolbar")!.textContent).toContain("web, adminer");

    // Turned off again; another project opened starts with none chosen.
    await fireEvent.click(await box("debug"));
    await waitFor(() => expect(screen.queryByTestId("compose-job-profiles")).not.toBeNull());
    expect(t.calls.filter((c) => c.command === "compose_view").at(-1)?.args).toEqual({ path: "/p", profiles: [] });
    expect(screen.queryByTestId("compose-profile-error")).toBeNull();
    await fireEvent.click(await box("debug"));
    await waitFor(() => expect(screen.queryByTestId("compose-job-profiles")).toBeNull());
    await fireEvent.input(screen.getByTestId("compose-path"), { target: { value: "/q" } });
    screen.getByTestId("compose-open").click();
    await waitFor(() => expect(t.calls.filter((c) => c.command === "compose_view").at(-1)?.args).toEqual({ path: "/q", profiles: [] }));
  });

  it("opens a project's files from its row with the profiles enabled whose services have containers", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(2)", config_files: "/p/compose.yaml" }];
    const of = (svc: string) => container(`shop-${svc}-1`, { project: "shop", state: "running", labels: { "com.docker.compose.service": svc } });
    t.handlers.containers = () => [of("web"), of("adminer")];
    t.handlers.compose_view = (args) => {
      const on = args.profiles as string[];
      const profile = (name: string, services: string[]) => ({ name, enabled: on.includes(name), by_environment: false, services });
      return { name: "shop", files: ["/p/compose.yaml"], services: ["web"], config: "", state: "up_to_date", providers: [], models: [], jobs: [], profiles: [profile("debug", ["adminer"]), profile("ops", ["seed"])] };
    };
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    (await screen.findByTestId("project-files")).click();
    await waitFor(() => expect(t.calls.filter((c) => c.command === "compose_view").map((c) => c.args.profiles)).toEqual([[], ["debug"]]));
    const box = (name: string) => document.querySelector<HTMLInputElement>(`[data-testid=compose-profile][data-profile=${name}]`)!;
    await waitFor(() => expect(box("debug").checked).toBe(true));
    expect(box("ops").checked).toBe(false);
  });

  it("lists a project's containers by service and number, with their health's verdict", async () => {
    const t = new FakeTransport();
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(3)", config_files: "/p/compose.yaml" }];
    const of = (svc: string, n: number, status = "Up 1 minute") =>
      container(`shop-${svc}-${n}`, { project: "shop", status, labels: { "com.docker.compose.service": svc } });
    t.handlers.containers = () => [of("worker", 1), of("web", 10), of("web", 2, "Up 1 minute (unhealthy)")];
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const rows = () => [...document.querySelectorAll("[data-testid=compose-project] tbody tr")].map((r) => [...r.querySelectorAll("td")].map((d) => d.textContent?.trim()).join(" | "));
    await waitFor(() => expect(rows().length).toBe(3));
    expect(rows()).toEqual([
      "web | shop-web-2 | unhealthy | Up 1 minute (unhealthy) | ",
      "web | shop-web-10 | running | Up 1 minute | ",
      "worker | shop-worker-1 | running | Up 1 minute | ",
    ]);
  });
});
