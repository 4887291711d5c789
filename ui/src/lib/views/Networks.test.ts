import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type NetworkRow } from "../ipc";
import { FakeTransport } from "../testing";
import { Nav } from "../nav.svelte";
import Networks from "./Networks.svelte";

afterEach(cleanup);

const network = (name: string, containers: string[] = []): NetworkRow => ({ id: `${name}-id`, name, driver: "bridge", scope: "local", internal: false, ipv4: true, ipv6: false, created: null, subnets: [], labels: {}, containers });

describe("Networks", () => {
  it("shows each network's containers, follows containers made and removed, and prunes what it lists first", async () => {
    const t = new FakeTransport();
    let networks = [network("bridge", ["web"]), network("backend", ["api", "db"]), network("old")];
    t.handlers.networks = () => networks;
    t.handlers.network_prune_candidates = () => networks.filter((n) => n.name !== "bridge" && n.containers.length === 0);
    t.handlers.network_remove = (args) => {
      networks = networks.filter((n) => n.name !== args.name);
    };
    render(Networks, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const shown = () => screen.queryAllByTestId("network-containers").map((c) => c.textContent);
    await waitFor(() => expect(shown()).toEqual(["web", "api, db", ""]));

    // A container removed leaves its network: the list is read again.
    networks = [network("bridge", ["web"]), network("backend", []), network("old")];
    t.emit("containers://changed", { events: [{ action: "destroy", id: "db-id" }], rows: [] });
    await waitFor(() => expect(shown()).toEqual(["web", "", ""]));

    // A network made by the CLI: its event reads the list again.
    networks = [...networks, network("later")];
    t.emit("networks://changed", [{ action: "create", id: "later-id" }]);
    await waitFor(() => expect(shown()).toEqual(["web", "", "", ""]));

    await fireEvent.click(screen.getByRole("button", { name: "Prune…" }));
    await waitFor(() => expect(screen.getAllByTestId("confirm-items")[0].textContent).toBe("backendoldlater"));
    const dialog = screen.getByRole("alertdialog");
    await fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(shown()).toEqual(["web"]));
    expect(t.calls.filter((c) => c.command === "network_remove").map((c) => c.args.name)).toEqual(["backend", "old", "later"]);
  });

  it("says which networks the engine refused to remove and why, and keeps saying it once the list is read again", async () => {
    const t = new FakeTransport();
    let networks = [network("backend", ["api"]), network("old")];
    t.handlers.networks = () => networks;
    t.handlers.network_remove = (args) => {
      if (args.name === "backend") throw { code: "conflict", message: "network backend is in use by api: disconnect or remove the container first" };
      networks = networks.filter((n) => n.name !== args.name);
    };
    render(Networks, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const names = () => screen.queryAllByTestId("network-containers").length;
    await waitFor(() => expect(names()).toBe(2));
    await fireEvent.click(screen.getByRole("button", { name: "Remove backend" }));
    await fireEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Remove" }));
    const said = "network backend is in use by api: disconnect or remove the container first";
    await waitFor(() => expect(screen.getByTestId("networks-action-error").textContent).toBe(said));
    networks = [...networks, network("later")];
    t.emit("networks://changed", [{ action: "create", id: "later-id" }]);
    await waitFor(() => expect(names()).toBe(3));
    expect(screen.getByTestId("networks-action-error").textContent).toBe(said);
  });

  it("removes the networks selected, never offering the engine's own; one in use is said and kept", async () => {
    const t = new FakeTransport();
    let networks = [network("bridge", ["web"]), network("host"), network("none"), network("backend", ["api"]), network("old"), network("keep")];
    t.handlers.networks = () => networks;
    t.handlers.network_remove = (args) => {
      if (args.name === "backend") throw { code: "conflict", message: "network backend is in use by api: disconnect or remove the container first" };
      networks = networks.filter((n) => n.name !== args.name);
    };
    render(Networks, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const names = () => screen.queryAllByTestId("network-row").map((r) => r.dataset.name);
    await waitFor(() => expect(names()).toHaveLength(6));
    expect(screen.getAllByTestId("network-select").map((b) => b.closest("tr")!.dataset.name)).toEqual(["backend", "old", "keep"]);
    await fireEvent.click(screen.getByTestId("networks-select-all"));
    await fireEvent.click(screen.getByRole("checkbox", { name: "Select keep" }));
    expect(screen.getByTestId("networks-selected").textContent).toBe("2 selected");
    await fireEvent.click(screen.getByTestId("networks-remove-selected"));
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByText("Remove 2 networks")).toBeTruthy();
    await fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(names()).toEqual(["bridge", "host", "none", "backend", "keep"]));
    expect(screen.getByTestId("networks-action-error").textContent).toBe("network backend is in use by api: disconnect or remove the container first");
    expect(t.calls.filter((c) => c.command === "network_remove").map((c) => c.args.name)).toEqual(["backend", "old"]);
    expect(screen.queryByTestId("networks-selected")).toBeNull();
  });

  it("searches names, subnets and the containers attached", async () => {
    const t = new FakeTransport();
    t.handlers.networks = () => [network("bridge", ["web"]), { ...network("backend", ["api", "db"]), subnets: ["10.20.0.0/24"] }, network("old")];
    render(Networks, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const names = () => screen.queryAllByTestId("network-row").map((r) => r.dataset.name);
    await waitFor(() => expect(names()).toEqual(["bridge", "backend", "old"]));
    await fireEvent.input(screen.getByLabelText("Search networks"), { target: { value: "DB" } });
    expect(names()).toEqual(["backend"]);
    await fireEvent.input(screen.getByLabelText("Search networks"), { target: { value: "10.20." } });
    expect(names()).toEqual(["backend"]);
    await fireEvent.input(screen.getByLabelText("Search networks"), { target: { value: "nothing" } });
    expect(names()).toEqual([]);
    expect(screen.getByTestId("no-networks").textContent).toContain("No network matches");
  });

  it("shows a network's details, its containers' addresses following the engine", async () => {
    const t = new FakeTransport();
    t.handlers.networks = () => [network("bridge"), network("backend", ["api"])];
    let containers: Record<string, { Name: string; IPv4Address: string; IPv6Address: string; MacAddress: string }> = {
      a1: { Name: "api", IPv4Address: "10.5.0.2/24", IPv6Address: "", MacAddress: "02:42:0a:05:00:02" },
    };
    t.handlers.network_inspect = (args) => {
      if (args.name !== "backend") throw { code: "not_found", message: `no network ${args.name}` };
      return { Name: "backend", Driver: "bridge", Scope: "local", Internal: true, IPAM: { Config: [{ Subnet: "10.5.0.0/24", Gateway: "10.5.0.1" }] }, Options: { "com.docker.network.bridge.name": "br-back" }, Labels: {}, Containers: containers };
    };
    const nav = new Nav();
    render(Networks, { context: new Map<string, unknown>([["api", api(t)], ["nav", nav]]) });
    const open = async (name: string) => {
      const row = await waitFor(() => {
        const found = screen.getAllByTestId("network-row").find((r) => r.dataset.name === name);
        if (!found) throw new Error(`no row for ${name}`);
        return found;
      });
      await fireEvent.click(within(row).getByTestId("network-details-open"));
    };
    await open("backend");
    const details = await screen.findByTestId("network-details");
    await waitFor(() => expect(details.textContent).toMatch(/10\.5\.0\.0\/24\s+gateway 10\.5\.0\.1/));
    expect(details.textContent).toContain("internal (no route out)");
    expect(details.textContent).toContain("com.docker.network.bridge.name=br-back");
    const addresses = () => [...screen.getByTestId("network-details-containers").querySelectorAll("tbody tr")].map((tr) => tr.textContent);
    expect(addresses()).toEqual(["api10.5.0.2/2402:42:0a:05:00:02"]);
    // Another container connected (by the CLI, say): the network's event reads it again.
    containers = { ...containers, b2: { Name: "worker", IPv4Address: "10.5.0.3/24", IPv6Address: "", MacAddress: "02:42:0a:05:00:03" } };
    t.emit("networks://changed", [{ action: "connect", id: "backend-id", container: "b2" }]);
    await waitFor(() => expect(addresses()).toEqual(["api10.5.0.2/2402:42:0a:05:00:02", "worker10.5.0.3/2402:42:0a:05:00:03"]));
    // A container's name opens its page.
    await fireEvent.click(screen.getAllByTestId("network-container-open")[1]);
    expect([nav.view, nav.container]).toEqual(["container", "b2"]);
    nav.go("networks");
    // The engine's refusal is said (the network gone meanwhile, say).
    await open("bridge");
    await waitFor(() => expect(screen.getByTestId("network-details").textContent).toContain("no network bridge"));
    await fireEvent.click(within(screen.getByTestId("network-details")).getByRole("button", { name: "Close" }));
    expect(screen.queryByTestId("network-details")).toBeNull();
  });

  it("creates a network with its address ranges, options and labels, refusing bad ones before the engine and saying the engine's refusal", async () => {
    const t = new FakeTransport();
    let rows = [network("bridge")];
    t.handlers.networks = () => rows;
    t.handlers.network_create = (args) => {
      const req = args.req as { name: string; subnet: string };
      if (req.subnet === "10.5.0.0/24") throw { code: "conflict", message: "Pool overlaps with other one on this address space" };
      rows = [...rows, network(req.name)];
      return rows.at(-1);
    };
    t.handlers.network_inspect = (args) => ({ Name: args.name, Driver: "bridge", Scope: "local", Internal: true, IPAM: { Config: [{ Subnet: "10.6.0.0/24", Gateway: "10.6.0.1" }] }, Options: {}, Labels: { team: "web" }, Containers: {} });
    render(Networks, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await fireEvent.click(screen.getByTestId("network-create"));
    const field = (what: string) => screen.getByTestId(`create-network-${what}`);
    const run = field("run") as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    expect(screen.queryByTestId("create-network-problem")).toBeNull();
    await fireEvent.input(field("name"), { target: { value: "backend" } });
    await fireEvent.input(field("gateway"), { target: { value: "10.6.0.1" } });
    expect(field("problem").textContent).toBe("A gateway or IP range needs the subnet it is in");
    await fireEvent.input(field("subnet"), { target: { value: "10.6.0.0/33" } });
    expect(field("problem").textContent).toBe("Subnet 10.6.0.0/33: write an address range, e.g. 10.20.0.0/24");
    await fireEvent.input(field("subnet"), { target: { value: "10.5.0.0/24" } });
    await fireEvent.input(field("gateway"), { target: { value: "10.5.0.1" } });
    await fireEvent.input(field("labels"), { target: { value: "team web" } });
    expect(field("problem").textContent).toBe('Label "team web": write KEY=VALUE, one a line');
    await fireEvent.input(field("labels"), { target: { value: "team=web" } });
    await fireEvent.click(field("internal"));
    await fireEvent.click(run);
    await waitFor(() => expect(field("error").textContent).toBe("Pool overlaps with other one on this address space"));
    await fireEvent.input(field("subnet"), { target: { value: "10.6.0.0/24" } });
    await fireEvent.input(field("gateway"), { target: { value: "10.6.0.1" } });
    await fireEvent.click(run);
    await waitFor(() => expect(screen.queryByTestId("create-network")).toBeNull());
    expect(t.calls.filter((c) => c.command === "network_create").at(-1)?.args).toEqual({
      req: { name: "backend", driver: null, subnet: "10.6.0.0/24", gateway: "10.6.0.1", ip_range: null, internal: true, attachable: false, ipv6: false, options: [], labels: ["team=web"] },
    });
    // The list has it, and its details show.
    await waitFor(() => expect(screen.getAllByTestId("network-row").map((r) => r.dataset.name)).toEqual(["bridge", "backend"]));
    await waitFor(() => expect(screen.getByTestId("network-details").textContent).toContain("10.6.0.0/24"));
  });
});
