import { describe, expect, it } from "vitest";
import type { ImageRow } from "../ipc";
import { DEFAULT_IMAGE_SORT, imageLines, type ImageShow, showsImage, sortLines } from "./tags";

function image(id: string, tags: string[], extra: Partial<ImageRow> = {}): ImageRow {
  return { id: `sha256:${id}`, repo_tags: tags, repo_digests: [], created: 0, size: 1, containers: 0, shared_size: null, dangling: tags.length === 0, labels: {}, ...extra };
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

describe("sortLines", () => {
  const rows = [
    image("old", ["web:1", "web:old"], { created: 1, size: 300, containers: 2 }),
    image("none", [], { created: 5, size: 100 }),
    image("new", ["api:2"], { created: 9, size: 200, containers: 0 }),
  ];
  const labels = (key: "tag" | "created" | "size" | "used", desc: boolean) => sortLines(imageLines(rows), { key, desc }).map((l) => l.label);

  it("sorts by tag (untagged last), age, size and use, each tag of an image beside the other", () => {
    expect(DEFAULT_IMAGE_SORT).toEqual({ key: "created", desc: true });
    expect(labels("created", true)).toEqual(["api:2", "none", "web:1", "web:old"]);
    expect(labels("tag", false)).toEqual(["api:2", "web:1", "web:old", "none"]);
    expect(labels("tag", true)).toEqual(["none", "web:old", "web:1", "api:2"]);
    expect(labels("size", true)).toEqual(["web:1", "web:old", "api:2", "none"]);
    // Ties (no containers) by tag.
    expect(labels("used", true)).toEqual(["web:1", "web:old", "api:2", "none"]);
    expect(labels("used", false)).toEqual(["api:2", "none", "web:1", "web:old"]);
  });
});

describe("which images show", () => {
  const row = (containers: number, dangling: boolean) => ({ id: "sha256:a", repo_tags: dangling ? [] : ["a:1"], repo_digests: [], created: 0, size: 1, containers, shared_size: null, dangling, labels: {} });
  it("lets through those in use, unused or dangling", () => {
    const used = row(2, false);
    const unused = row(0, false);
    const dangling = row(0, true);
    const pick = (show: ImageShow) => [used, unused, dangling].filter((r) => showsImage(r, show));
    expect(pick("all")).toEqual([used, unused, dangling]);
    expect(pick("used")).toEqual([used]);
    expect(pick("unused")).toEqual([unused, dangling]);
    expect(pick("dangling")).toEqual([dangling]);
  });
});
