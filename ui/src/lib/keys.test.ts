import { afterEach, describe, expect, it } from "vitest";
import { focusSearch, goToKey, helpKey } from "./keys";

afterEach(() => {
  document.body.innerHTML = "";
});

function page() {
  document.body.innerHTML = `<main><input type="text" id="name"><input type="search" id="search" value="old"><div class="xterm"><textarea id="term"></textarea></div></main>`;
  return document.querySelector("main")!;
}

function press(on: Element, key: string, extra: KeyboardEventInit = {}): KeyboardEvent {
  const e = new KeyboardEvent("keydown", { key, bubbles: true, ...extra });
  on.dispatchEvent(e);
  return e;
}

describe("the search keys", () => {
  it("puts the cursor in the view's search for / and Ctrl+F, with what was there selected", () => {
    const main = page();
    const e = press(document.body, "/");
    expect(focusSearch(e, main)).toBe(true);
    const search = document.getElementById("search") as HTMLInputElement;
    expect(document.activeElement).toBe(search);
    expect([search.selectionStart, search.selectionEnd]).toEqual([0, 3]);
    (document.getElementById("name") as HTMLInputElement).focus();
    expect(focusSearch(press(document.getElementById("name")!, "f", { ctrlKey: true }), main)).toBe(true);
    expect(document.activeElement).toBe(search);
  });

  it("leaves / to a text field and Ctrl+F to a terminal, and does nothing where there is no search", () => {
    const main = page();
    expect(focusSearch(press(document.getElementById("name")!, "/"), main)).toBe(false);
    expect(focusSearch(press(document.getElementById("term")!, "f", { ctrlKey: true }), main)).toBe(false);
    expect(focusSearch(press(document.getElementById("term")!, "/"), main)).toBe(false);
    document.getElementById("search")!.remove();
    expect(focusSearch(press(document.body, "/"), main)).toBe(false);
  });

  it("opens Go to for Ctrl+K or Cmd+K anywhere but in a terminal, where it kills the line", () => {
    page();
    expect(goToKey(press(document.body, "k", { ctrlKey: true }))).toBe(true);
    expect(goToKey(press(document.getElementById("name")!, "K", { metaKey: true }))).toBe(true);
    expect(goToKey(press(document.getElementById("term")!, "k", { ctrlKey: true }))).toBe(false);
    expect(goToKey(press(document.body, "k"))).toBe(false);
    expect(goToKey(press(document.body, "k", { ctrlKey: true, altKey: true }))).toBe(false);
  });

  it("lists the keys for ? outside a text field and a terminal", () => {
    page();
    expect(helpKey(press(document.body, "?"))).toBe(true);
    expect(helpKey(press(document.getElementById("name")!, "?"))).toBe(false);
    expect(helpKey(press(document.getElementById("term")!, "?"))).toBe(false);
    expect(helpKey(press(document.body, "?", { ctrlKey: true }))).toBe(false);
  });
});
