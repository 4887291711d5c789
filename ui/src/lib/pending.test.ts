import { describe, expect, it } from "vitest";
import { Pending } from "./pending.svelte";

describe("Pending", () => {
  it("runs one action at a time and keeps how it failed", async () => {
    const p = new Pending();
    let release!: () => void;
    const first = p.run(() => new Promise<void>((r) => (release = r)));
    expect(p.busy).toBe(true);
    expect(await p.run(async () => {})).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(p.busy).toBe(false);

    expect(await p.run(async () => Promise.reject({ message: "No such container: web" }))).toBe(false);
    expect(p.error).toBe("No such container: web");
    expect(await p.run(async () => {})).toBe(true);
    expect(p.error).toBeNull();
  });
});
