import { cleanup, render } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../../ipc";
import { FakeTransport, setVisibility } from "../../testing";
import Stats from "./Stats.svelte";

afterEach(() => {
  cleanup();
  setVisibility("visible", false);
});

describe("a container's stats", () => {
  it("streams while the window shows, stops when it hides, starts again when it shows, and stops when the tab goes", () => {
    const t = new FakeTransport();
    render(Stats, { props: { id: "abc" }, context: new Map<string, unknown>([["api", api(t)]]) });
    const states = () => t.streams.map((s) => [s.args.id, s.stopped]);
    expect(states()).toEqual([["abc", false]]);
    setVisibility("hidden");
    expect(states()).toEqual([["abc", true]]);
    setVisibility("visible");
    expect(states()).toEqual([
      ["abc", true],
      ["abc", false],
    ]);
    cleanup();
    expect(t.streams.every((s) => s.stopped)).toBe(true);
  });
});
