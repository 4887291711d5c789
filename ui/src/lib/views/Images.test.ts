import { cleanup, render, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type ImageRow } from "../ipc";
import { Nav } from "../nav.svelte";
import { FakeTransport } from "../testing";
import Images from "./Images.svelte";

afterEach(cleanup);

function image(tag: string): ImageRow {
  return { id: `sha256:${tag}`, repo_tags: [tag], repo_digests: [], created: 0, size: 1024, containers: 0, dangling: false };
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
});
