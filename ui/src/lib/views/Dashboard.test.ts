import { cleanup, render, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../ipc";
import { EngineStore } from "../engine.svelte";
import { container, FakeBackend, FakeIntersection, FakeTransport } from "../testing";
import Dashboard from "./Dashboard.svelte";

beforeEach(() => {
  vi.stubGlobal("IntersectionObserver", FakeIntersection);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("Dashboard", () => {
  it("follows the containers' stats only while the top containers can be seen, the host all along", async () => {
    const t = new FakeTransport();
    t.handlers.containers = () => [container("web")];
    t.handlers.info = () => new Promise(() => {}); // not what this test is about
    const engine = new EngineStore(new FakeBackend());
    render(Dashboard, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    const live = (command: string) => t.streams.filter((s) => s.command === command && !s.stopped).length;
    await waitFor(() => expect(live("stats_all")).toBe(1));
    expect(live("host_follow")).toBe(1);
    // Scrolled away from the top containers: their stats stop, the host's samples go on.
    FakeIntersection.scroll(false);
    expect(live("stats_all")).toBe(0);
    expect(live("host_follow")).toBe(1);
    FakeIntersection.scroll(true);
    await waitFor(() => expect(live("stats_all")).toBe(1));
    cleanup();
    expect(live("stats_all") + live("host_follow")).toBe(0);
  });
});
