import { describe, expect, it } from "vitest";
import { serial } from "./serial";

describe("serial", () => {
  it("runs once more after a run that was asked again, never two at once", async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const gates: (() => void)[] = [];
    const ask = serial(async () => {
      running += 1;
      runs += 1;
      most = Math.max(most, running);
      await new Promise<void>((r) => gates.push(r));
      running -= 1;
    });
    const first = ask();
    const during = [ask(), ask(), ask()];
    expect(runs).toBe(1);
    gates.shift()!();
    await new Promise((r) => setTimeout(r));
    expect(runs).toBe(2); // the three asks during the first run: one more run
    gates.shift()!();
    await Promise.all([first, ...during]);
    expect(runs).toBe(2);
    expect(most).toBe(1);
    // Asked when idle: runs at once.
    const later = ask();
    expect(runs).toBe(3);
    gates.shift()!();
    await later;
  });

  it("is free again after a load that failed", async () => {
    let runs = 0;
    const ask = serial(async () => {
      runs += 1;
      throw new Error("engine gone");
    });
    await expect(ask()).rejects.toThrow("engine gone");
    await expect(ask()).rejects.toThrow("engine gone");
    expect(runs).toBe(2);
  });
});
