import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeIntersection, setVisibility } from "./testing";
import { whileInView, whileVisible } from "./visibility";

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

describe("whileInView", () => {
  function inView() {
    const log: string[] = [];
    const end = whileInView(
      document.body,
      () => log.push("start"),
      () => log.push("stop"),
    );
    return { log, end };
  }

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("runs while the element is in the viewport of a visible page", () => {
    vi.stubGlobal("IntersectionObserver", FakeIntersection);
    const { log, end } = inView();
    expect(log).toEqual(["start"]);
    FakeIntersection.scroll(false);
    expect(log).toEqual(["start", "stop"]);
    // Hidden while scrolled away: nothing to stop; scrolled back on a hidden page: nothing starts.
    setVisibility("hidden");
    FakeIntersection.scroll(true);
    expect(log).toEqual(["start", "stop"]);
    setVisibility("visible");
    expect(log).toEqual(["start", "stop", "start"]);
    setVisibility("hidden");
    expect(log).toEqual(["start", "stop", "start", "stop"]);
    setVisibility("visible");
    end();
    expect(log).toEqual(["start", "stop", "start", "stop", "start", "stop"]);
    expect(FakeIntersection.live.size).toBe(0);
    FakeIntersection.scroll(true);
    expect(log.length).toBe(6);
  });

  it("counts the element as in view where there is no IntersectionObserver", () => {
    vi.stubGlobal("IntersectionObserver", undefined);
    const { log, end } = inView();
    expect(log).toEqual(["start"]);
    end();
    expect(log).toEqual(["start", "stop"]);
  });
});
