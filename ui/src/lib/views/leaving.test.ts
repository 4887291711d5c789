import { cleanup, render } from "@testing-library/svelte";
import type { Component } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeTransport, viewContext } from "../testing";
import Builds from "./Builds.svelte";
import Compose from "./Compose.svelte";
import ContainerDetail from "./ContainerDetail.svelte";
import Containers from "./Containers.svelte";
import Dashboard from "./Dashboard.svelte";
import Images from "./Images.svelte";
import Networks from "./Networks.svelte";
import Volumes from "./Volumes.svelte";

vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });

afterEach(cleanup);

// A view left at once (a keyboard run through the views) leaves no subscription behind, even
// one the app had not confirmed yet when it went: its handler would run on with every event.
describe("a view left before its subscriptions are made", () => {
  // Views of different props.
  const views: [string, Component<any>, Record<string, unknown>][] = [
    ["Containers", Containers, {}],
    ["ContainerDetail", ContainerDetail, { id: "web" }],
    ["Compose", Compose, {}],
    ["Images", Images, {}],
    ["Networks", Networks, {}],
    ["Volumes", Volumes, {}],
    ["Builds", Builds, {}],
    ["Dashboard", Dashboard, {}],
  ];
  for (const [name, view, props] of views) {
    it(`${name} ends them all`, async () => {
      const t = new FakeTransport();
      const context = viewContext(t);
      const { unmount } = render(view, { props: { engine: context.get("engine"), ...props }, context });
      const made = [...t.listeners.values()].flat().length;
      expect(made, "it subscribes to something").toBeGreaterThan(0);
      unmount();
      // The app confirms the subscriptions after the view went.
      await new Promise((r) => setTimeout(r));
      const left = [...t.listeners].filter(([, handlers]) => handlers.length > 0).map(([event]) => event);
      expect(left).toEqual([]);
    });
  }
});
