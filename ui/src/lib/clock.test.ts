import { afterEach, describe, expect, it, vi } from "vitest";
import { Clock } from "./clock.svelte";
import { setVisibility } from "./testing";

afterEach(() => {
  vi.useRealTimers();
  setVisibility("visible", false);
});

describe("Clock", () => {
  it("reads the time each minute while the window shows, and again when it shows", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const clock = new Clock();
    const end = clock.follow();
    expect(clock.now).toBe(1000);
    vi.advanceTimersByTime(59_000);
    expect(clock.now).toBe(1000);
    vi.advanceTimersByTime(1_000);
    expect(clock.now).toBe(1060);
    // Hidden: no more reads; shown again: read at once.
    setVisibility("hidden");
    vi.advanceTimersByTime(300_000);
    expect(clock.now).toBe(1060);
    setVisibility("visible");
    expect(clock.now).toBe(1360);
    end();
    vi.advanceTimersByTime(120_000);
    expect(clock.now).toBe(1360);
  });
});
