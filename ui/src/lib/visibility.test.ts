import { afterEach, describe, expect, it } from "vitest";
import { whileVisible } from "./visibility";

let state: DocumentVisibilityState = "visible";
Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
function become(next: DocumentVisibilityState) {
  state = next;
  document.dispatchEvent(new Event("visibilitychange"));
}

afterEach(() => {
  state = "visible";
});

describe("whileVisible", () => {
  it("runs while the page is visible, stops when hidden, starts again when shown, and stops for good", () => {
    const log: string[] = [];
    const end = whileVisible(
      () => log.push("start"),
      () => log.push("stop"),
    );
    expect(log).toEqual(["start"]);
    become("hidden");
    become("hidden");
    expect(log).toEqual(["start", "stop"]);
    become("visible");
    expect(log).toEqual(["start", "stop", "start"]);
    end();
    expect(log).toEqual(["start", "stop", "start", "stop"]);
    // Gone: visibility no longer starts anything.
    become("hidden");
    become("visible");
    expect(log).toEqual(["start", "stop", "start", "stop"]);
  });

  it("does not start on a hidden page until it shows", () => {
    state = "hidden";
    const log: string[] = [];
    const end = whileVisible(
      () => log.push("start"),
      () => log.push("stop"),
    );
    expect(log).toEqual([]);
    end();
    expect(log).toEqual([]);
    become("visible");
    expect(log).toEqual([]);
  });
});
