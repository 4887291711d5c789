import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
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

  it("goes to anything by its name with Ctrl+K: a volume's files, an image's details from the Images view", async () => {
    paneOf600px();
    location.hash = "#images";
    const t = running();
    t.handlers.images = () => [
      { id: "sha256:" + "a".repeat(64), repo_tags: ["shop/web:2"], repo_digests: [], created: 0, size: 10, containers: 0, labels: {}, dangling: false },
      { id: "sha256:" + "b".repeat(64), repo_tags: ["shop/db:1"], repo_digests: [], created: 0, size: 10, containers: 0, labels: {}, dangling: false },
    ];
    t.handlers.image_inspect = (args) => ({ Id: "sha256:x", RepoTags: [args.image], Config: {} });
    t.handlers.image_history = () => [];
    t.handlers.compose_projects = () => [];
    t.handlers.volumes = () => [{ name: "shop_data", driver: "local", mountpoint: "/x", created_at: null, scope: "local", labels: {}, users: [], usage: null }];
    t.handlers.networks = () => [];
    render(App, { props: { transport: t } });
    await waitFor(() => expect(screen.getByText("shop/db:1")).toBeTruthy());

    // From the Images view, to another image of it: the view opens on its details.
    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    const query = await screen.findByTestId("goto-query");
    expect(document.activeElement).toBe(query);
    await fireEvent.input(query, { target: { value: "db:1" } });
    await waitFor(() => expect(screen.getAllByTestId("goto-item").map((i) => i.dataset.label)).toEqual(["shop/db:1"]));
    await fireEvent.keyDown(query, { key: "Enter" });
    await waitFor(() => expect(screen.queryByTestId("goto")).toBeNull());
    await waitFor(() => expect(t.calls.some((c) => c.command === "image_inspect" && c.args.image === "shop/db:1")).toBe(true));

    // To a volume, with the arrows: the Volumes view with its files open.
    await fireEvent.click(screen.getByTestId("nav-goto"));
    const again = await screen.findByTestId("goto-query");
    await fireEvent.input(again, { target: { value: "shop" } });
    await waitFor(() => expect(screen.getAllByTestId("goto-item").map((i) => i.dataset.label)).toEqual(["shop/db:1", "shop/web:2", "shop_data"]));
    await fireEvent.keyDown(again, { key: "ArrowDown" });
    await fireEvent.keyDown(again, { key: "ArrowDown" });
    await fireEvent.keyDown(again, { key: "ArrowDown" });
    expect(screen.getAllByTestId("goto-item")[2].getAttribute("aria-selected")).toBe("true");
    await fireEvent.keyDown(again, { key: "Enter" });
    await waitFor(() => expect(screen.getByText("Files of shop_data")).toBeTruthy());

    // Escape closes it, nothing opened.
    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await fireEvent.keyDown(await screen.findByTestId("goto-query"), { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("goto")).toBeNull());
    expect(screen.getByText("Files of shop_data")).toBeTruthy();
  });

  it("lists the keys for ?, not when ? is typed in a field, and closes the list on Escape", async () => {
    location.hash = "#containers";
    paneOf600px();
    const t = running();
    render(App, { props: { transport: t } });
    const search = await screen.findByLabelText("Search containers");
    await fireEvent.keyDown(search, { key: "?" });
    expect(screen.queryByTestId("shortcuts")).toBeNull();
    await fireEvent.keyDown(window, { key: "?" });
    const list = await screen.findByTestId("shortcuts");
    expect(list.textContent).toContain("Ctrl+KGo to a view");
    await fireEvent.keyDown(list, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("shortcuts")).toBeNull());
  });
});
