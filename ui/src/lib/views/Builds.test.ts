import { cleanup, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type BuildRecord } from "../ipc";
import { FakeTransport } from "../testing";
import Builds from "./Builds.svelte";

afterEach(cleanup);

const record = (tag: string, error: string | null = null): BuildRecord => ({
  context: `/src/${tag}`,
  dockerfile: null,
  tags: [tag],
  build_args: [],
  started_ms: Date.now() - 60_000,
  duration_ms: 1500,
  image_id: error ? null : "sha256:0123456789abcdef0123",
  error,
});

describe("Builds", () => {
  it("shows a build recorded elsewhere (berth build) while the view is open", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [record("web:1")];
    render(Builds, { context: new Map<string, unknown>([["api", api(t)]]) });
    const rows = () => screen.queryAllByText(/^web:\d$/).map((c) => c.textContent);
    await waitFor(() => expect(rows()).toEqual(["web:1"]));
    t.emit("builds://changed", [record("web:2", "the build failed at step 2/3"), record("web:1")]);
    await waitFor(() => expect(rows()).toEqual(["web:2", "web:1"]));
    expect(t.calls.filter((c) => c.command === "builds")).toHaveLength(1);
  });
});
