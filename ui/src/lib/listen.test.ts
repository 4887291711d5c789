import { describe, expect, it } from "vitest";
import { endAll } from "./listen";

describe("endAll", () => {
  it("ends the subscriptions registered at once, and the others once registered", async () => {
    const ended: string[] = [];
    let register!: (end: () => void) => void;
    const late = new Promise<() => void>((r) => (register = r));
    const end = endAll(Promise.resolve(() => ended.push("early")), late);
    await Promise.resolve();
    end();
    expect(ended).toEqual(["early"]);
    register(() => ended.push("late"));
    await late;
    await Promise.resolve();
    expect(ended).toEqual(["early", "late"]);
    end();
    expect(ended).toEqual(["early", "late"]);
  });
});
