import { describe, expect, it } from "vitest";
import type { ImageRow } from "../ipc";
import { imageLines } from "./tags";

function image(id: string, tags: string[]): ImageRow {
  return { id: `sha256:${id}`, repo_tags: tags, repo_digests: [], created: 0, size: 1, containers: 0, shared_size: null, dangling: tags.length === 0, labels: {} };
}

describe("imageLines", () => {
  const rows = [image("aaaa1111", ["app:1", "localhost:5000/app:1"]), image("bbbb2222", [])];

  it("gives each tag its line, as docker images does, and an image with none one line", () => {
    expect(imageLines(rows).map((l) => [l.label, l.ref])).toEqual([
      ["app:1", "app:1"],
      ["localhost:5000/app:1", "localhost:5000/app:1"],
      ["bbbb2222", "sha256:bbbb2222"],
    ]);
  });

  it("finds a tag or an id", () => {
    expect(imageLines(rows, "5000").map((l) => l.label)).toEqual(["localhost:5000/app:1"]);
    expect(imageLines(rows, "aaaa").map((l) => l.label)).toEqual(["app:1", "localhost:5000/app:1"]);
    expect(imageLines(rows, "bbbb").map((l) => l.ref)).toEqual(["sha256:bbbb2222"]);
  });
});
