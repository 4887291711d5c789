import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeTransport, viewContext } from "../testing";
import ContainerDetail from "./ContainerDetail.svelte";
import type { EngineStore } from "../engine.svelte";
import type { Nav } from "../nav.svelte";

vi.mock("@xterm/xterm", () => import("../xterm-stub"));
vi.mock("@xterm/addon-fit", () => ({ FitAddon: class { fit() {} } }));
vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });

afterEach(cleanup);

describe("ContainerDetail", () => {
  it("offers a browser only for the TCP ports it publishes", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => ({
      Name: "/dns",
      State: { Status: "running" },
      Config: { Image: "busybox", Env: [] },
      Mounts: [],
      NetworkSettings: {
        Ports: {
          "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }, { HostIp: "::", HostPort: "8080" }],
          "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }],
          "9000/tcp": null,
        },
      },
    });
    t.handlers.container_logs = () => undefined;
    t.handlers.open_url = () => undefined;
    render(ContainerDetail, { props: { id: "dns-id" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("container-name").textContent).toBe("dns"));
    await fireEvent.click(screen.getByTestId("tab-details"));
    const ports = await screen.findAllByRole("listitem");
    const texts = ports.map((p) => p.textContent ?? "");
    // A port published on IPv4 and IPv6 is one line, one link (both open the same address).
    expect(texts.some((t) => t.includes("0.0.0.0:8080, [::]:8080 → 80/tcp") && t.includes("Open in browser"))).toBe(true);
    expect(texts.some((t) => t.includes("127.0.0.1:5353 → 53/udp") && !t.includes("Open in browser"))).toBe(true);
    expect(screen.getAllByRole("button", { name: "Open in browser" }).length).toBe(1);
    await fireEvent.click(screen.getByTestId("port-open"));
    expect(t.calls.filter((c) => c.command === "open_url").map((c) => c.args)).toEqual([{ url: "http://localhost:8080" }]);
  });

  it("links its first two published ports (by number) in the header, the others on the details tab", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => ({
      Name: "/web",
      State: { Status: "running" },
      Config: { Image: "hello:v1", Env: [] },
      Mounts: [],
      NetworkSettings: {
        // As the engine writes them: sorted as text, not by number.
        Ports: {
          "10000/tcp": [{ HostIp: "0.0.0.0", HostPort: "8002" }],
          "53/udp": [{ HostIp: "0.0.0.0", HostPort: "5353" }],
          "5000/tcp": [{ HostIp: "0.0.0.0", HostPort: "8000" }, { HostIp: "::", HostPort: "8000" }],
          "6000/tcp": [{ HostIp: "127.0.0.1", HostPort: "8001" }],
        },
      },
    });
    t.handlers.container_logs = () => undefined;
    t.handlers.open_url = () => undefined;
    render(ContainerDetail, { props: { id: "web-id" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getAllByTestId("head-port-open").map((b) => b.textContent)).toEqual(["localhost:8000 ↗", "127.0.0.1:8001 ↗"]));
    expect(screen.getAllByTestId("head-port-open")[0].getAttribute("title")).toBe("Open http://localhost:8000 (port 5000/tcp)");
    await fireEvent.click(screen.getAllByTestId("head-port-open")[1]);
    expect(t.calls.filter((c) => c.command === "open_url").map((c) => c.args)).toEqual([{ url: "http://127.0.0.1:8001" }]);
    expect(screen.getByTestId("head-ports-more").textContent).toBe("+1 more");
    await fireEvent.click(screen.getByTestId("head-ports-more"));
    await waitFor(() => expect(screen.getAllByTestId("port-open").map((b) => b.getAttribute("title"))).toContain("Open http://localhost:8002"));
  });

  it("opens its image's details from the header", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => ({ Name: "/web", State: { Status: "running" }, Config: { Image: "hello:v2", Env: [] }, Mounts: [], NetworkSettings: { Ports: {} } });
    t.handlers.container_logs = () => undefined;
    const context = viewContext(t);
    render(ContainerDetail, { props: { id: "web-id" }, context });
    await fireEvent.click(await screen.findByTestId("container-image"));
    const nav = context.get("nav") as Nav;
    expect([nav.view, nav.imageDetails]).toEqual(["images", "hello:v2"]);
  });

  it("opens a remote engine's port at the engine's host", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => ({
      Name: "/web",
      State: { Status: "running" },
      Config: { Image: "busybox", Env: [] },
      Mounts: [],
      NetworkSettings: { Ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }], "81/tcp": [{ HostIp: "127.0.0.1", HostPort: "8081" }] } },
    });
    t.handlers.container_logs = () => undefined;
    const context = viewContext(t);
    const engine = context.get("engine") as EngineStore;
    engine.view = { ...engine.view!, connection: { ...engine.view!.connection!, host: "tcp://10.0.0.5:2376", browser_host: "10.0.0.5" } };
    render(ContainerDetail, { props: { id: "web-id", tab: "details" }, context });
    // Its loopback is not this machine's: no link for that one.
    const open = await screen.findAllByTestId("port-open");
    expect(open.map((b) => b.getAttribute("title"))).toEqual(["Open http://10.0.0.5:8080"]);
  });

  it("keeps the terminal's session while another tab shows, and ends it when the page goes", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => ({ Name: "/web", State: { Status: "running" }, Config: { Image: "busybox", Env: [] }, Mounts: [], NetworkSettings: { Ports: {} } });
    render(ContainerDetail, { props: { id: "web-id" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("container-name").textContent).toBe("web"));
    expect(t.streams.filter((s) => s.command === "exec_open")).toEqual([]);
    await fireEvent.click(screen.getByTestId("tab-terminal"));
    await waitFor(() => expect(t.streams.filter((s) => s.command === "exec_open").length).toBe(1));
    const session = t.streams.find((s) => s.command === "exec_open")!;
    const terminal = () => screen.getByTestId("terminal").closest(".tab-body")!;
    expect(terminal().hasAttribute("hidden")).toBe(false);
    // Logs, then back: the same session, hidden meanwhile.
    await fireEvent.click(screen.getByTestId("tab-logs"));
    await waitFor(() => expect(terminal().hasAttribute("hidden")).toBe(true));
    expect(session.stopped).toBe(false);
    await fireEvent.click(screen.getByTestId("tab-terminal"));
    await waitFor(() => expect(terminal().hasAttribute("hidden")).toBe(false));
    expect(t.streams.filter((s) => s.command === "exec_open")).toEqual([session]);
    expect(session.stopped).toBe(false);
    // The page gone, the session ends (the app hangs its command up).
    cleanup();
    expect(session.stopped).toBe(true);
  });

  it("opened by name, follows the events the engine tells by the container's id", async () => {
    const t = new FakeTransport();
    let state = "exited";
    t.handlers.container_inspect = (args) => {
      expect(args.id).toBe("web");
      return { Id: "0123abcd", Name: "/web", State: { Status: state }, Config: { Image: "busybox", Env: [] }, Mounts: [], NetworkSettings: { Ports: {} } };
    };
    render(ContainerDetail, { props: { id: "web" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("container-state").textContent).toBe("exited"));
    state = "running";
    t.emit("containers://changed", { events: [{ action: "start", id: "0123abcd" }], rows: [] });
    await waitFor(() => expect(screen.getByTestId("container-state").textContent).toBe("running"));
    // Another container's events leave it be: of these two, only its own is read again for.
    const asked = t.calls.filter((c) => c.command === "container_inspect").length;
    state = "paused";
    t.emit("containers://changed", { events: [{ action: "die", id: "ffff" }], rows: [] });
    t.emit("containers://changed", { events: [{ action: "pause", id: "0123abcd" }], rows: [] });
    await waitFor(() => expect(screen.getByTestId("container-state").textContent).toBe("paused"));
    expect(t.calls.filter((c) => c.command === "container_inspect").length).toBe(asked + 1);
  });

  it("says why the engine refused to start it, and keeps saying it when its events bring it again", async () => {
    const t = new FakeTransport();
    let state = "created";
    t.handlers.container_inspect = () => ({ Id: "0123abcd", Name: "/web", State: { Status: state }, Config: { Image: "busybox", Env: [] }, Mounts: [], NetworkSettings: { Ports: {} } });
    t.handlers.container_logs = () => undefined;
    t.handlers.container_action = () => {
      throw { code: "engine", message: "driver failed programming external connectivity on endpoint web: Bind for 0.0.0.0:8000 failed: port is already allocated" };
    };
    render(ContainerDetail, { props: { id: "web" }, context: viewContext(t) });
    await fireEvent.click(await screen.findByRole("button", { name: "Start" }));
    await waitFor(() => expect(screen.getByTestId("container-action-error").textContent).toContain("port is already allocated"));
    // The engine tells of the failed start (a `die`): the page reads it again, the reason stays.
    state = "exited";
    t.emit("containers://changed", { events: [{ action: "die", id: "0123abcd" }], rows: [] });
    await waitFor(() => expect(screen.getByTestId("container-state").textContent).toBe("exited"));
    expect(screen.getByTestId("container-action-error").textContent).toContain("port is already allocated");
  });

  it("says the container was removed when its events say so, with nothing left to act on", async () => {
    const t = new FakeTransport();
    let there = true;
    t.handlers.container_inspect = () => {
      if (!there) throw { code: "not_found", message: "No such container: web" };
      return { Id: "0123abcd", Name: "/web", State: { Status: "running" }, Config: { Image: "busybox", Env: [] }, Mounts: [], NetworkSettings: { Ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }] } } };
    };
    t.handlers.container_logs = () => undefined;
    render(ContainerDetail, { props: { id: "web" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("container-state").textContent).toBe("running"));
    expect(screen.getAllByTestId("head-port-open")).toHaveLength(1);
    there = false;
    t.emit("containers://changed", { events: [{ action: "destroy", id: "0123abcd" }], rows: [] });
    await waitFor(() => expect(screen.getByTestId("container-gone").textContent).toContain("web was removed."));
    expect(screen.getByTestId("container-state").textContent).toBe("removed");
    expect(screen.queryByTestId("container-stop")).toBeNull();
    expect(screen.queryByTestId("container-remove")).toBeNull();
    expect(screen.queryByTestId("tab-logs")).toBeNull();
    expect(screen.queryByTestId("head-port-open")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says so when the container it was opened for is not there", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => {
      throw { code: "not_found", message: "No such container: nope" };
    };
    t.handlers.container_logs = () => undefined;
    render(ContainerDetail, { props: { id: "nope" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("No such container: nope"));
    expect(screen.queryByTestId("container-gone")).toBeNull();
  });

  it("connects the container to a network and disconnects it, following the engine's network events", async () => {
    const t = new FakeTransport();
    const on: Record<string, { IPAddress: string; IPPrefixLen: number; Gateway: string; Aliases: string[] | null }> = {
      bridge: { IPAddress: "172.17.0.2", IPPrefixLen: 16, Gateway: "172.17.0.1", Aliases: null },
    };
    t.handlers.container_inspect = () => ({ Id: "0123abcd", Name: "/web", State: { Status: "running" }, Config: { Image: "busybox", Env: [] }, Mounts: [], NetworkSettings: { Ports: {}, Networks: { ...on } } });
    t.handlers.container_logs = () => undefined;
    const row = (name: string, driver = "bridge") => ({ id: name, name, driver, scope: "local", subnets: [], internal: false, containers: [], labels: {}, created: "" });
    t.handlers.networks = () => [row("bridge"), row("host", "host"), row("none", "null"), row("backend"), row("frontend")];
    t.handlers.network_connect = (args) => {
      on[args.name as string] = { IPAddress: "10.5.0.2", IPPrefixLen: 24, Gateway: "10.5.0.1", Aliases: args.aliases as string[] };
    };
    t.handlers.network_disconnect = (args) => {
      delete on[args.name as string];
    };
    render(ContainerDetail, { props: { id: "web" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("container-name").textContent).toBe("web"));
    await fireEvent.click(screen.getByTestId("tab-details"));
    const attached = () => screen.queryAllByTestId("container-network").map((li) => li.getAttribute("data-name"));
    await waitFor(() => expect(attached()).toEqual(["bridge"]));
    expect(screen.getByTestId("container-network").textContent).toContain("172.17.0.2/16");
    // Only the networks it could join are offered: not those it is on, not the host's or "none".
    await waitFor(() => expect([...screen.getByTestId<HTMLSelectElement>("network-choice").options].map((o) => o.value)).toEqual(["backend", "frontend"]));
    await fireEvent.change(screen.getByTestId("network-choice"), { target: { value: "backend" } });
    await fireEvent.input(screen.getByTestId("network-aliases"), { target: { value: "api, web2" } });
    await fireEvent.click(screen.getByTestId("network-connect"));
    await waitFor(() => expect(attached()).toEqual(["backend", "bridge"]));
    expect(t.calls.find((c) => c.command === "network_connect")?.args).toEqual({ name: "backend", container: "0123abcd", aliases: ["api", "web2"] });
    expect(screen.getAllByTestId("container-network")[0].textContent).toContain("api, web2");
    // Disconnected by another tool: the engine's event names the container, the page reads it again.
    delete on.bridge;
    t.emit("networks://changed", [{ action: "disconnect", id: "net-bridge", container: "0123abcd" }]);
    await waitFor(() => expect(attached()).toEqual(["backend"]));
    // Another container's event is not read again for.
    const asked = t.calls.filter((c) => c.command === "container_inspect").length;
    t.emit("networks://changed", [{ action: "connect", id: "net-backend", container: "ffff" }]);
    await fireEvent.click(screen.getByRole("button", { name: "Disconnect from backend" }));
    await waitFor(() => expect(attached()).toEqual([]));
    expect(t.calls.filter((c) => c.command === "container_inspect").length).toBe(asked + 1);
    expect(screen.getByText("On no network.")).toBeTruthy();
  });

  it("says the engine's refusal to connect", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => ({ Id: "0123abcd", Name: "/web", State: { Status: "running" }, Config: { Image: "busybox", Env: [] }, Mounts: [], NetworkSettings: { Ports: {}, Networks: { host: {} } } });
    t.handlers.container_logs = () => undefined;
    t.handlers.networks = () => [{ id: "b", name: "bridge", driver: "bridge", scope: "local", subnets: [], internal: false, containers: [], labels: {}, created: "" }];
    t.handlers.network_connect = () => {
      throw { code: "engine", message: "container cannot be disconnected from host network or connected to host network" };
    };
    // Opened on that tab (as the containers list's menu opens a page).
    render(ContainerDetail, { props: { id: "web", tab: "details" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("tab-details").getAttribute("aria-selected")).toBe("true"));
    await fireEvent.click(await screen.findByTestId("network-connect"));
    await waitFor(() => expect(screen.getByTestId("network-error").textContent).toContain("connected to host network"));
  });
});

describe("ContainerDetail: export", () => {
  it("exports its files to the path given from its More menu, and says where and how much", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => ({ Name: "/web", State: { Status: "exited" }, Config: { Image: "web:1", Env: [] }, Mounts: [], NetworkSettings: { Ports: {} } });
    t.handlers.container_export = () => 3_000_000;
    render(ContainerDetail, { props: { id: "web-id" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("container-name").textContent).toBe("web"));
    await fireEvent.click(screen.getByRole("button", { name: "More for web" }));
    // Kill is for a running or paused container.
    expect((screen.getByTestId("container-kill") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("container-export"));
    await fireEvent.input(screen.getByTestId("container-archive-path"), { target: { value: "/tmp/web-fs.tar" } });
    await fireEvent.click(screen.getByTestId("container-archive-run"));
    await waitFor(() => expect(screen.getByTestId("container-note").textContent).toBe("Exported the files of web to /tmp/web-fs.tar (3.00MB)"));
    expect(t.calls.find((c) => c.command === "container_export")?.args).toEqual({ id: "web-id", to: "/tmp/web-fs.tar" });
    await waitFor(() => expect(screen.queryByTestId("container-archive")).toBeNull());
  });
});

describe("ContainerDetail: changes", () => {
  const inspect = (name: string) => ({
    Id: "0123abcd",
    Name: `/${name}`,
    State: { Status: "running" },
    Config: { Image: "web:1", Env: [] },
    HostConfig: { RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 }, NanoCpus: 500_000_000, Memory: 256 * 2 ** 20 },
    Mounts: [],
    NetworkSettings: { Ports: {} },
  });
  const open = async (t: FakeTransport, item: string, id = "0123abcd") => {
    const context = viewContext(t);
    render(ContainerDetail, { props: { id }, context });
    await screen.findByTestId("container-image");
    await fireEvent.click(screen.getByRole("button", { name: /^More for / }));
    await fireEvent.click(screen.getByTestId(item));
    return context.get("nav") as Nav;
  };

  it("changes its restart policy and limits from fields that start as they are, refusing a bad number first", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => inspect("web");
    t.handlers.container_logs = () => undefined;
    t.handlers.container_update = () => ["Your kernel does not support swap limit capabilities. Memory limited without swap."];
    await open(t, "container-update");
    const field = (id: string) => screen.getByTestId<HTMLInputElement>(id);
    expect([screen.getByTestId<HTMLSelectElement>("change-restart").value, field("change-retries").value, field("change-cpus").value, field("change-memory").value]).toEqual(["on-failure", "3", "0.5", "256m"]);
    await fireEvent.input(field("change-cpus"), { target: { value: "-1" } });
    expect(screen.getByTestId("change-problem").textContent).toBe("CPUs -1: give a positive number, e.g. 0.5");
    expect(screen.getByTestId<HTMLButtonElement>("change-run").disabled).toBe(true);
    await fireEvent.input(field("change-cpus"), { target: { value: "1.5" } });
    await fireEvent.change(screen.getByTestId("change-restart"), { target: { value: "unless-stopped" } });
    await fireEvent.input(field("change-memory"), { target: { value: "" } });
    await fireEvent.click(screen.getByTestId("change-run"));
    await waitFor(() =>
      expect(screen.getByTestId("container-note").textContent?.trim()).toBe(
        "Restart policy unless-stopped, 1.5 CPUs. The engine warned: Your kernel does not support swap limit capabilities. Memory limited without swap.",
      ),
    );
    expect(t.calls.find((c) => c.command === "container_update")?.args).toEqual({
      id: "0123abcd",
      req: { restart: "unless-stopped", cpus: 1.5, memory: null, memory_swap: null, memory_reservation: null, pids_limit: null, cpu_shares: null, cpuset_cpus: null, blkio_weight: null, cpu_period: null, cpu_quota: null, cpuset_mems: null },
    });
    await waitFor(() => expect(screen.queryByTestId("change")).toBeNull());
  });

  it("says what the engine refused and stays open; a page opened by name follows the renamed container by its id", async () => {
    const t = new FakeTransport();
    let name = "web";
    t.handlers.container_inspect = () => inspect(name);
    t.handlers.container_logs = () => undefined;
    t.handlers.container_rename = (args) => {
      if (args.name === "a b") throw { code: "invalid_input", message: "a b: a container name is 2 or more letters, digits, '_', '.' or '-', starting with a letter or digit" };
      name = String(args.name);
    };
    const nav = await open(t, "container-rename", "web");
    expect(screen.getByTestId<HTMLInputElement>("change-name").value).toBe("web");
    await fireEvent.input(screen.getByTestId("change-name"), { target: { value: "a b" } });
    await fireEvent.click(screen.getByTestId("change-run"));
    await waitFor(() => expect(screen.getByTestId("change-error").textContent).toContain("a b: a container name is"));
    await fireEvent.input(screen.getByTestId("change-name"), { target: { value: "shop" } });
    await fireEvent.click(screen.getByTestId("change-run"));
    await waitFor(() => expect(nav.container).toBe("0123abcd"));
    expect(t.calls.filter((c) => c.command === "container_rename").map((c) => c.args)).toEqual([{ id: "0123abcd", name: "a b" }, { id: "0123abcd", name: "shop" }]);
  });

  it("commits its files to an image, with a link to the image's details", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => inspect("web");
    t.handlers.container_logs = () => undefined;
    t.handlers.container_commit = () => "sha256:feedbeef00112233";
    const nav = await open(t, "container-commit");
    await fireEvent.click(screen.getByTestId("change-run"));
    await waitFor(() => expect(screen.getByTestId("container-note").textContent?.replace(/\s+/g, " ").trim()).toBe("Committed the files of web as feedbeef0011: its details"));
    expect(t.calls.find((c) => c.command === "container_commit")?.args).toEqual({ id: "0123abcd", image: null, comment: null });
    await fireEvent.click(screen.getByTestId("container-committed"));
    expect([nav.view, nav.imageDetails]).toEqual(["images", "sha256:feedbeef00112233"]);
  });
});
