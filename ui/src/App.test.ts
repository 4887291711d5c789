import { cleanup, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { container, FakeTransport, paneOf600px, view } from "./lib/testing";

vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });

afterEach(() => {
  cleanup();
  location.hash = "";
});

/** A fake app with an engine that answers and one container. */
function running(): FakeTransport {
  const t = new FakeTransport();
  t.handlers.engine_view = () => view("running");
  t.handlers.containers = () => [container("web")];
  t.handlers.settings = () => ({ theme: "system" });
  t.handlers.ui_mark = () => undefined;
  return t;
}

describe("App", () => {
  it("opens on the view the launch names and lists its containers once when the engine answers", async () => {
    paneOf600px();
    location.hash = "#containers";
    const t = running();
    render(App, { props: { transport: t } });
    await waitFor(() => expect(screen.getByText("Engine running", { exact: false })).toBeTruthy());
    await waitFor(() => expect(screen.getAllByTestId("container-row").length).toBe(1));
    // The engine's first answer is not a change of engine: the view is not made again.
    const rendered = () => t.calls.filter((c) => c.command === "ui_mark" && c.args.name === "containers-rendered").length;
    await waitFor(() => expect(rendered()).toBeGreaterThan(0));
    expect(rendered()).toBe(1);
    expect(t.calls.filter((c) => c.command === "containers").length).toBe(1);
  });

  it("makes the view again when the engine goes and comes back", async () => {
    paneOf600px();
    location.hash = "#containers";
    const t = running();
    render(App, { props: { transport: t } });
    await waitFor(() => expect(screen.getAllByTestId("container-row").length).toBe(1));
    const lists = () => t.calls.filter((c) => c.command === "containers").length;
    const before = lists();
    t.emit("engine://state", view("stopped"));
    await waitFor(() => expect(screen.queryAllByTestId("container-row").length).toBe(0));
    t.emit("engine://state", view("running"));
    await waitFor(() => expect(screen.getAllByTestId("container-row").length).toBe(1));
    expect(lists()).toBeGreaterThan(before);
  });
});
