import { afterEach, describe, expect, it } from "vitest";
import { setVisibility } from "./testing";
import { whileVisible } from "./visibility";

afterEach(() => {
  setVisibility("visible", false);
});

describe("whileVisible", () => {
  it("runs while the page is visible, stops when hidden, starts again when shown, and stops for good", () => {
    const log: string[] = [];
    const end = whileVisible(
      () => log.push("start"),
      () => log.push("stop"),
    );
    expect(log).toEqual(["start"]);
    setVisibility("hidden");
    setVisibility("hidden");
    expect(log).toEqual(["start", "stop"]);
    setVisibility("visible");
    expect(log).toEqual(["start", "stop", "start"]);
    end();
    expect(log).toEqual(["start", "stop", "start", "stop"]);
    // Gone: visibility no longer starts anything.
    setVisibility("hidden");
    setVisibility("visible");
    expect(log).toEqual(["start", "stop", "start", "stop"]);
  });

  it("does not start on a hidden page until it shows", () => {
    setVisibility("hidden", false);
    const log: string[] = [];
    const end = whileVisible(
      () => log.push("start"),
      () => log.push("stop"),
    );
    expect(log).toEqual([]);
    end();
    expect(log).toEqual([]);
    setVisibility("visible");
    expect(log).toEqual([]);
  });
});
