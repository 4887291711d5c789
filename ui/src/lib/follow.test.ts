import { afterEach, describe, expect, it } from "vitest";
import { followEnd } from "./follow";

/** A box of `clientHeight` 100 whose content is 20 px a line (jsdom lays nothing out). */
function box(): HTMLElement {
  const el = document.createElement("pre");
  Object.defineProperty(el, "clientHeight", { get: () => 100 });
  Object.defineProperty(el, "scrollHeight", { get: () => el.textContent!.split("\n").length * 20 });
  let top = 0;
  Object.defineProperty(el, "scrollTop", {
    get: () => top,
    set: (v: number) => (top = Math.max(0, Math.min(v, el.scrollHeight - 100))),
  });
  document.body.append(el);
  return el;
}
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`).join("\n");
const settled = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => document.body.replaceChildren());

describe("followEnd", () => {
  it("keeps the end in view as lines come, stays where the reader scrolled up, and follows again at the end", async () => {
    const el = box();
    el.textContent = lines(10);
    const end = followEnd(el);
    expect(el.scrollTop).toBe(100);
    el.textContent = lines(20);
    await settled();
    expect(el.scrollTop).toBe(300);

    el.scrollTop = 50;
    el.dispatchEvent(new Event("scroll"));
    el.textContent = lines(30);
    await settled();
    expect(el.scrollTop).toBe(50);

    el.scrollTop = 500;
    el.dispatchEvent(new Event("scroll"));
    el.textContent = lines(40);
    await settled();
    expect(el.scrollTop).toBe(700);

    end();
    el.textContent = lines(50);
    await settled();
    expect(el.scrollTop).toBe(700);
  });
});
