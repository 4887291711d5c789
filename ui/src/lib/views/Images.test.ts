import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type ImageRow } from "../ipc";
import { Nav } from "../nav.svelte";
import { FakeTransport } from "../testing";
import Images from "./Images.svelte";

afterEach(cleanup);

function image(tag: string): ImageRow {
  return { id: `sha256:${tag}`, repo_tags: [tag], repo_digests: [], created: 0, size: 1024, containers: 0, shared_size: null, dangling: false, labels: {} };
}

describe("Images", () => {
  it("lists the images again when the engine says one came or went, and stops listening when gone", async () => {
    const t = new FakeTransport();
    let rows = [image("web:1")];
    t.handlers.images = () => rows;
    const { unmount } = render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await waitFor(() => expect(document.querySelector('[data-testid=image-row][data-tag="web:1"]')).not.toBeNull());
    // Built by the CLI, say: the engine's image events arrive, the view asks again.
    rows = [image("web:1"), image("web:2")];
    t.emit("images://changed", [{ action: "tag", id: "sha256:web:2" }]);
    await waitFor(() => expect(document.querySelector('[data-testid=image-row][data-tag="web:2"]')).not.toBeNull());
    unmount();
    await waitFor(() => expect(t.listeners.get("images://changed")?.length ?? 0).toBe(0));
  });

  it("sorts by the header clicked: the newest first, then the largest, then the smallest", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [
      { ...image("small:1"), created: 3, size: 10 },
      { ...image("big:1"), created: 1, size: 900 },
      { ...image("mid:1"), created: 2, size: 50 },
    ];
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const tags = () => screen.getAllByTestId("image-row").map((r) => r.dataset.tag);
    await waitFor(() => expect(tags()).toEqual(["small:1", "mid:1", "big:1"]));
    await fireEvent.click(screen.getByTestId("sort-size"));
    await waitFor(() => expect(tags()).toEqual(["big:1", "mid:1", "small:1"]));
    expect(screen.getByTestId("sort-size").closest("th")!.getAttribute("aria-sort")).toBe("descending");
    await fireEvent.click(screen.getByTestId("sort-size"));
    await waitFor(() => expect(tags()).toEqual(["small:1", "mid:1", "big:1"]));
    expect(screen.getByTestId("sort-size").closest("th")!.getAttribute("aria-sort")).toBe("ascending");
  });

  it("shows each tag of an image on its own line; Remove on one of several only untags it", async () => {
    const t = new FakeTransport();
    const both = { ...image("app:1"), repo_tags: ["app:1", "localhost:5000/app:1"] };
    let rows = [both];
    t.handlers.images = () => rows;
    t.handlers.image_remove = () => {
      rows = [{ ...both, repo_tags: ["app:1"] }];
    };
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const line = (tag: string) => document.querySelector<HTMLElement>(`[data-testid=image-row][data-tag="${tag}"]`);
    await waitFor(() => expect(line("localhost:5000/app:1")).not.toBeNull());
    expect(line("app:1")).not.toBeNull();
    await fireEvent.click(line("localhost:5000/app:1")!.querySelector("button.danger")!);
    expect(screen.getByText("Untag image")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Untag" }));
    await waitFor(() => expect(line("localhost:5000/app:1")).toBeNull());
    expect(t.calls.find((c) => c.command === "image_remove")?.args).toMatchObject({ names: ["localhost:5000/app:1"] });
    expect(line("app:1")).not.toBeNull();
  });
});
