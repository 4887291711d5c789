import { describe, expect, it } from "vitest";
import { Selection } from "./selection.svelte";

describe("Selection", () => {
  it("toggles rows, all of those shown or none, and forgets rows that left the list", () => {
    const s = new Selection();
    s.toggle("a");
    s.toggle("b");
    s.toggle("a");
    expect([...s.keys]).toEqual(["b"]);
    expect(s.allOf(["b", "c"])).toBe(false);
    s.toggleAll(["b", "c"]);
    expect([...s.keys].sort()).toEqual(["b", "c"]);
    expect(s.allOf(["b", "c"])).toBe(true);
    s.toggleAll(["b", "c"]);
    expect(s.size).toBe(0);
    expect(s.allOf([])).toBe(false);
    s.toggleAll(["a", "b", "c"]);
    s.keep(["a", "c", "d"]);
    expect([...s.keys].sort()).toEqual(["a", "c"]);
    s.clear();
    expect(s.size).toBe(0);
  });
});
