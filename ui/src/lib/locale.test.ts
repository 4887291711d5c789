import { describe, expect, it } from "vitest";
import { fixLanguage, usableLanguage } from "./locale";

describe("the page's language", () => {
  it("keeps a language Intl takes", () => {
    expect(usableLanguage("de-DE")).toBe("de-DE");
    expect(usableLanguage("en")).toBe("en");
  });

  it("replaces a POSIX locale's name, which Intl rejects", () => {
    expect(() => new Intl.NumberFormat("C")).toThrow(RangeError);
    expect(usableLanguage("C")).toBe("en-US");
    expect(usableLanguage("")).toBe("en-US");
  });

  it("is fixed on the navigator, where uPlot reads it", () => {
    // As on the real navigator, the language is a getter of its prototype.
    const nav = Object.create({
      get language() {
        return "C";
      },
    }) as Navigator;
    fixLanguage(nav);
    expect(nav.language).toBe("en-US");
    expect(() => new Intl.NumberFormat(nav.language)).not.toThrow();
  });
});
