import { afterEach, describe, expect, it } from "vitest";
import { modal } from "./modal";

afterEach(() => document.body.replaceChildren());

function page(dialogHtml: string) {
  const opener = document.createElement("button");
  opener.textContent = "Open";
  const dialog = document.createElement("div");
  dialog.innerHTML = dialogHtml;
  document.body.append(opener, dialog);
  opener.focus();
  return { opener, dialog };
}
const key = (key: string, shiftKey = false) => document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true }));

describe("modal", () => {
  it("takes the focus to its first field, keeps Tab inside, closes on Escape and gives the focus back", () => {
    const { opener, dialog } = page(`<p>Run</p><input id="image"><button id="cancel">Cancel</button><button id="run">Run</button><button disabled>Never</button>`);
    let closed = 0;
    const end = modal(() => closed++)(dialog);
    expect(document.activeElement?.id).toBe("image");
    // Shift+Tab on the first goes to the last it can take (not the disabled one); Tab there
    // comes back to the first.
    expect(key("Tab", true)).toBe(false);
    expect(document.activeElement?.id).toBe("run");
    expect(key("Tab")).toBe(false);
    expect(document.activeElement?.id).toBe("image");
    // Within, Tab is the browser's own.
    expect(key("Tab")).toBe(true);
    // Escape from anywhere, the page behind included.
    opener.focus();
    key("Escape");
    expect(closed).toBe(1);
    end();
    expect(document.activeElement).toBe(opener);
  });

  it("takes the focus to its marked element when that can take it, else to its first field or button", () => {
    const a = page(`<button id="cancel">Cancel</button><button id="remove" data-focus>Remove</button>`);
    const endA = modal(() => {})(a.dialog);
    expect(document.activeElement?.id).toBe("remove");
    endA();
    document.body.replaceChildren();
    const b = page(`<button id="cancel">Cancel</button><button id="remove" data-focus disabled>Remove</button>`);
    const endB = modal(() => {})(b.dialog);
    expect(document.activeElement?.id).toBe("cancel");
    endB();
  });
});
