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

  it("builds a build of the history again, with its folder, Dockerfile, tag and build args", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [{ ...record("web:3"), dockerfile: "Dockerfile.prod", build_args: ["A=1", "B=two words"] }];
    render(Builds, { context: new Map<string, unknown>([["api", api(t)]]) });
    const again = await screen.findByTestId("build-again");
    again.click();
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    const req = t.streams.find((s) => s.command === "image_build")!.args.req as Record<string, unknown>;
    expect([req.context, req.dockerfile, req.tags, req.build_args]).toEqual(["/src/web:3", "Dockerfile.prod", ["web:3"], ["A=1", "B=two words"]]);
    expect((screen.getByTestId("build-tag") as HTMLInputElement).value).toBe("web:3");
  });
});
