import { describe, expect, it } from "vitest";
import { parseLines, splitCommand } from "./run";

describe("run dialog fields", () => {
  it("takes one entry per line", () => {
    expect(parseLines(" 8000:5000 \n\n9000:9000\n")).toEqual(["8000:5000", "9000:9000"]);
  });

  it("splits a command as a shell would for words and quotes", () => {
    expect(splitCommand(`sh -c "echo hi there" ''`)).toEqual(["sh", "-c", "echo hi there", ""]);
    expect(splitCommand("  ")).toEqual([]);
  });
});
