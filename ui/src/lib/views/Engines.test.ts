import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type ContextRow, type EngineView } from "../ipc";
import { EngineStore } from "../engine.svelte";
import { FakeBackend, FakeTransport, own } from "../testing";
import Engines from "./Engines.svelte";

afterEach(cleanup);

const context = (name: string, host: string, current: boolean): ContextRow => ({ name, description: "", host, tls: false, skip_tls_verify: false, current });
const using = (source: string, host: string, passed_over: string | null = null): EngineView => ({
  own: own("running"),
  connection: { source, host, api_version: "1.41", passed_over, browser_host: "localhost" },
  problem: null,
});

describe("Engines", () => {
  it("says which engine Berth uses, apart from which context is current, and follows a switch", async () => {
    const t = new FakeTransport();
    let current = "default";
    t.handlers.contexts = () => [context("default", "unix:///var/run/docker.sock", current === "default"), context("remote", "tcp://10.0.0.2:2376", current === "remote")];
    t.handlers.context_use = (args) => {
      current = args.name as string;
    };
    const backend = new FakeBackend();
    // The current context does not answer: Berth uses its own engine.
    backend.current = using("Berth's engine", "unix:///run/berth/docker.sock");
    const engine = new EngineStore(backend);
    await engine.connect();
    render(Engines, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    const line = () => screen.getByTestId("engine-in-use").textContent?.replace(/\s+/g, " ").trim();
    await waitFor(() => expect(line()).toBe("Berth uses Berth's engine at unix:///run/berth/docker.sock."));
    const badged = () => screen.getAllByText("current").map((b) => b.closest("tr")?.querySelector("td")?.firstChild?.textContent?.trim());
    await waitFor(() => expect(badged()).toEqual(["default"]));

    await fireEvent.click(screen.getByRole("button", { name: "Use" }));
    await waitFor(() => expect(badged()).toEqual(["remote"]));
    expect(t.calls.filter((c) => c.command === "context_use").map((c) => c.args.name)).toEqual(["remote"]);
    // The app follows the switch with a new engine view.
    backend.emit(using("context remote", "tcp://10.0.0.2:2376"));
    await waitFor(() => expect(line()).toBe("Berth uses context remote at tcp://10.0.0.2:2376."));

    // `docker context use default` in a terminal: the app's next engine view shows it.
    current = "default";
    backend.emit(using("system socket", "unix:///var/run/docker.sock"));
    await waitFor(() => expect(badged()).toEqual(["default"]));
    expect(line()).toBe("Berth uses system socket at unix:///var/run/docker.sock.");
  });

  it("says why a remote engine could not be added, and keeps saying it as the engine changes", async () => {
    const t = new FakeTransport();
    let rows = [context("default", "unix:///var/run/docker.sock", true)];
    t.handlers.contexts = () => rows;
    t.handlers.context_add = () => {
      throw { code: "invalid_input", message: "address ftp://x: give tcp://HOST:PORT, ssh://USER@HOST or unix:///PATH" };
    };
    const backend = new FakeBackend();
    backend.current = using("system socket", "unix:///var/run/docker.sock");
    const engine = new EngineStore(backend);
    await engine.connect();
    render(Engines, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    await fireEvent.input(screen.getByLabelText("Name"), { target: { value: "far" } });
    await fireEvent.input(screen.getByLabelText("Address"), { target: { value: "ftp://x" } });
    await fireEvent.click(screen.getByRole("button", { name: "Add" }));
    await waitFor(() => expect(screen.getByTestId("engines-action-error").textContent).toContain("address ftp://x"));
    // The engine changes (one added by the CLI meanwhile): the contexts are read again, the
    // reason stays.
    rows = [...rows, context("ci", "tcp://10.0.0.9:2376", false)];
    backend.emit(using("Berth's engine", "unix:///run/berth/docker.sock"));
    await waitFor(() => expect(screen.getByText("tcp://10.0.0.9:2376")).toBeTruthy());
    expect(screen.getByTestId("engines-action-error").textContent).toContain("address ftp://x");
  });

  it("removes a context not in use after asking, and says the refusal of another", async () => {
    const t = new FakeTransport();
    let rows = [context("default", "unix:///var/run/docker.sock", false), context("remote", "tcp://10.0.0.2:2376", true), context("ci", "tcp://10.0.0.9:2376", false), context("old", "tcp://10.0.0.7:2376", false)];
    t.handlers.contexts = () => rows;
    t.handlers.context_remove = (args) => {
      if (args.name === "old") throw { code: "invalid_input", message: "context \"old\": its files are not readable" };
      rows = rows.filter((r) => r.name !== args.name);
    };
    const backend = new FakeBackend();
    backend.current = using("context remote", "tcp://10.0.0.2:2376");
    const engine = new EngineStore(backend);
    await engine.connect();
    render(Engines, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    await waitFor(() => expect(screen.getByText("tcp://10.0.0.9:2376")).toBeTruthy());
    // Neither the default context nor the one in use offers Remove, as docker refuses both.
    expect(screen.queryByRole("button", { name: "Remove default" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Remove remote" })).toBeNull();
    // Cancel keeps it; a yes removes it and the list is read again.
    await fireEvent.click(screen.getByRole("button", { name: "Remove ci" }));
    expect(screen.getByTestId("confirm-items").textContent).toContain("ci (tcp://10.0.0.9:2376)");
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(t.calls.some((c) => c.command === "context_remove")).toBe(false);
    await fireEvent.click(screen.getByRole("button", { name: "Remove ci" }));
    await fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.queryByText("tcp://10.0.0.9:2376")).toBeNull());
    expect(t.calls.filter((c) => c.command === "context_remove").map((c) => c.args.name)).toEqual(["ci"]);
    // One refused is said, and stays listed.
    await fireEvent.click(screen.getByRole("button", { name: "Remove old" }));
    await fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.getByTestId("engines-action-error").textContent).toBe('context "old": its files are not readable'));
    expect(screen.getByText("tcp://10.0.0.7:2376")).toBeTruthy();
  });

  it("shows the engine passed over, and no engine at all", async () => {
    const t = new FakeTransport();
    t.handlers.contexts = () => [context("remote", "tcp://10.0.0.2:2376", true)];
    const backend = new FakeBackend();
    backend.current = using("Berth's engine", "unix:///run/berth/docker.sock", "context remote tcp://10.0.0.2:2376 does not answer (refused); using Berth's engine at unix:///run/berth/docker.sock instead");
    const engine = new EngineStore(backend);
    await engine.connect();
    render(Engines, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("context remote tcp://10.0.0.2:2376 does not answer (refused)"));
    backend.emit({ own: own("stopped"), connection: null, problem: "no engine is reachable" });
    await waitFor(() => expect(screen.getByTestId("engine-in-use").textContent).toContain("No engine answers: no engine is reachable."));
    // Berth's engine starts from here (the fake's start brings it up).
    await fireEvent.click(screen.getByRole("button", { name: "Start Berth's engine" }));
    await waitFor(() => expect(screen.getByTestId("engine-in-use").textContent).toContain("Berth uses Berth's engine"));
  });
});
