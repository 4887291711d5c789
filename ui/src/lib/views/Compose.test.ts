import { cleanup, render, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../ipc";
import { Nav } from "../nav.svelte";
import { FakeTransport, container, setVisibility } from "../testing";
import Compose from "./Compose.svelte";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  setVisibility("visible", false);
});

describe("Compose", () => {
  it("reads the services' status words again each minute while the window shows", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const t = new FakeTransport();
    let status = "Up Less than a second";
    t.handlers.compose_projects = () => [{ name: "shop", status: "running(1)", config_files: "/p/compose.yaml" }];
    t.handlers.containers = () => [
      container("shop-web-1", { project: "shop", status, labels: { "com.docker.compose.service": "web" } }),
    ];
    render(Compose, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const shown = () => document.querySelector("[data-testid=compose-project]")?.textContent ?? "";
    await waitFor(() => expect(shown()).toContain("Up Less than a second"));
    status = "Up About a minute";
    vi.advanceTimersByTime(60_000);
    await waitFor(() => expect(shown()).toContain("Up About a minute"));
    // Hidden, nothing is read.
    setVisibility("hidden");
    const asked = t.calls.filter((c) => c.command === "containers").length;
    vi.advanceTimersByTime(300_000);
    expect(t.calls.filter((c) => c.command === "containers").length).toBe(asked);
  });
});
