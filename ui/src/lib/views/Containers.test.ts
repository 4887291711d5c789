import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { container, FakeTransport, viewContext } from "../testing";
import Containers from "./Containers.svelte";

afterEach(cleanup);

/** jsdom lays nothing out: gives the scroller the size of a 600 px tall pane, for one test. */
function paneOf600px() {
  const size = (prop: "clientHeight" | "clientWidth", px: number) => {
    const before = Object.getOwnPropertyDescriptor(Element.prototype, prop)!;
    Object.defineProperty(Element.prototype, prop, { configurable: true, get: () => px });
    onTestFinished(() => {
      Object.defineProperty(Element.prototype, prop, before);
    });
  };
  size("clientHeight", 600);
  size("clientWidth", 800);
}

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
    await waitFor(() => expect(screen.getAllByTestId("container-row").map((r) => r.dataset.name)).toEqual(["web", "late"]));
    const removes = t.calls.filter((c) => c.command === "container_remove").map((c) => c.args);
    expect(removes.map((a) => [String(a.id).slice(0, 7), a.force])).toEqual([["old-id0", false], ["made-id", false], ["late-id", false]]);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("late: You cannot remove a running container"));
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

describe("a container's health", () => {
  it("shows what its health check last said beside its state, and nothing without one", async () => {
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
    expect(row("web")!.querySelector("[data-testid=health]")!.textContent!.trim()).toBe("health starting");
    expect(row("cache")!.querySelector("[data-testid=health]")).toBeNull();
  });
});
