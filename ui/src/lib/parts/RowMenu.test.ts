import { describe, expect, it } from "vitest";
import { place } from "./RowMenu.svelte";

const button = (left: number, top: number) => new DOMRect(left, top, 30, 20);
const view = { width: 1000, height: 700 };

describe("place", () => {
  it("puts the menu below its button, right edges lined up", () => {
    expect(place(button(900, 100), { width: 160, height: 200 }, view)).toEqual({ left: 770, top: 122 });
  });

  it("puts it above the button when there is no room below, and never past the window's left edge", () => {
    expect(place(button(900, 600), { width: 160, height: 200 }, view)).toEqual({ left: 770, top: 398 });
    expect(place(button(10, 100), { width: 160, height: 200 }, view)).toEqual({ left: 0, top: 122 });
  });

  it("stays below when there is no room above either", () => {
    expect(place(button(900, 150), { width: 160, height: 650 }, view)).toEqual({ left: 770, top: 172 });
  });
});
