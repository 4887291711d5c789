import { describe, expect, it } from "vitest";
import { LogBuffer, MAX_LINES, pattern, visible } from "./logs.svelte";

describe("logs", () => {
  it("joins lines split across chunks, per stream", () => {
    const b = new LogBuffer();
    b.push([
      { stream: "stdout", text: "hel" },
      { stream: "stderr", text: "oops\nha" },
      { stream: "stdout", text: "lo\nwor" },
    ]);
    expect(b.lines.map((l) => `${l.stream}:${l.text}`)).toEqual(["stderr:oops", "stdout:hello"]);
    b.end();
    expect(b.lines.map((l) => l.text)).toEqual(["oops", "hello", "wor", "ha"]);
  });

  it("keeps the newest lines only", () => {
    const b = new LogBuffer();
    b.push([{ stream: "stdout", text: Array.from({ length: MAX_LINES + 5 }, (_, i) => `l${i}`).join("\n") + "\n" }]);
    expect(b.lines.length).toBe(MAX_LINES);
    expect(b.lines[0].text).toBe("l5");
  });

  it("searches with a regular expression and says when it is not one", () => {
    const b = new LogBuffer();
    b.push([{ stream: "stdout", text: "GET /a 200\nGET /b 500\n" }, { stream: "stderr", text: "warn 500\n" }]);
    const p = pattern("5\\d\\d$");
    expect(visible(b.lines, p.re, { stdout: true, stderr: true }).map((l) => l.text)).toEqual(["GET /b 500", "warn 500"]);
    expect(visible(b.lines, p.re, { stdout: true, stderr: false }).map((l) => l.text)).toEqual(["GET /b 500"]);
    expect(pattern("(").error).toBe("(: not a valid regular expression");
  });
});
