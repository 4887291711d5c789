import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import GoTo from "./GoToDialog.svelte";
import { container, FakeTransport, viewContext } from "./testing";

afterEach(cleanup);

describe("Go to", () => {
  it("offers what could be read and says what could not", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => [container("web-1")];
    t.handlers.images = () => {
      throw { code: "engine", message: "images: the engine answered 500" };
    };
    t.handlers.compose_projects = () => [];
    t.handlers.volumes = () => [];
    t.handlers.networks = () => [];
    const ongo = vi.fn();
    render(GoTo, { props: { onclose: () => {}, ongo }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("goto-problem").textContent).toBe("Not everything could be read: images: the engine answered 500"));
    const query = screen.getByTestId("goto-query");
    await fireEvent.input(query, { target: { value: "web" } });
    await fireEvent.click(screen.getByText("web-1"));
    expect(ongo).toHaveBeenCalledWith({ kind: "container", label: "web-1", detail: "busybox · running", id: container("web-1").id });
    await fireEvent.input(query, { target: { value: "zzz" } });
    expect(screen.getByTestId("goto-none").textContent).toBe("Nothing here is named “zzz”.");
  });

  it("offers the views alone when no engine answers, and asks it nothing", async () => {
    const t = new FakeTransport();
    render(GoTo, { props: { onclose: () => {}, ongo: () => {} }, context: viewContext(t, false) });
    expect(screen.getByTestId("goto-problem").textContent).toBe("No engine answers: the views only.");
    await fireEvent.input(screen.getByTestId("goto-query"), { target: { value: "set" } });
    expect(screen.getAllByTestId("goto-item").map((i) => i.dataset.label)).toEqual(["Settings"]);
    expect(t.calls).toEqual([]);
  });
});
