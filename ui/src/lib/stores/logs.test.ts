import { describe, expect, it } from "vitest";
import { LogBuffer, MAX_LINES, pattern, ProjectLogBuffer, visible } from "./logs.svelte";

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

  it("merges a project's containers' lines in the order of their times", () => {
    const line = (container: string, time: string, text: string) => ({ service: container.split("-")[1], container, stream: "stdout", time, text });
    const b = new ProjectLogBuffer();
    // Each container's last lines come one container after another.
    b.push([line("p-web-1", "2026-12-02T10:00:01.000000000Z", "web 1"), line("p-web-1", "2026-12-02T10:00:03.000000000Z", "web 3")]);
    b.push([line("p-db-1", "2026-12-02T10:00:02.000000000Z", "db 2"), line("p-db-1", "2026-12-02T10:00:04.000000000Z", "db 4")]);
    expect(b.lines.map((l) => l.text)).toEqual(["web 1", "db 2", "web 3", "db 4"]);
    // Lines of the same time keep the order they came in; new ones go at the end.
    b.push([line("p-web-1", "2026-12-02T10:00:04.000000000Z", "web 4"), line("p-db-1", "2026-12-02T10:00:05.000000000Z", "db 5")]);
    expect(b.lines.map((l) => l.text)).toEqual(["web 1", "db 2", "web 3", "db 4", "web 4", "db 5"]);
  });
});
