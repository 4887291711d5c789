import { describe, expect, it } from "vitest";
import { find, targets } from "./goto";
import type { ImageRow, NetworkRow, VolumeRow } from "./ipc";
import { container } from "./testing";

const image = (id: string, repo_tags: string[]) => ({ id, repo_tags }) as ImageRow;
const all = targets({
  containers: [container("web-1", { image: "shop/web:2" }), container("db", { state: "exited" })],
  images: [image("sha256:" + "a".repeat(64), ["shop/web:2", "registry:5000/shop/web:2"]), image("sha256:" + "c".repeat(64), [])],
  projects: [{ name: "shop", status: "running(2)", config_files: "/src/shop/compose.yaml" }],
  volumes: [{ name: "shop_data", driver: "local" } as VolumeRow],
  networks: [{ name: "shop_default", driver: "bridge" } as NetworkRow],
});
const found = (q: string) => find(all, q).map((t) => `${t.kind} ${t.label}`);

describe("Go to", () => {
  it("knows the views, each container, each tag of an image, projects, volumes and networks", () => {
    expect(all.filter((t) => t.kind === "view").length).toBe(10);
    expect(all.filter((t) => t.kind !== "view")).toEqual([
      { kind: "container", label: "web-1", detail: "shop/web:2 · running", id: container("web-1").id },
      { kind: "container", label: "db", detail: "busybox · exited", id: container("db").id },
      { kind: "image", label: "shop/web:2", detail: "aaaaaaaaaaaa", id: "shop/web:2" },
      { kind: "image", label: "registry:5000/shop/web:2", detail: "aaaaaaaaaaaa", id: "registry:5000/shop/web:2" },
      { kind: "image", label: "cccccccccccc", detail: "untagged", id: "sha256:" + "c".repeat(64) },
      { kind: "project", label: "shop", detail: "running(2)", id: "shop" },
      { kind: "volume", label: "shop_data", detail: "local", id: "shop_data" },
      { kind: "network", label: "shop_default", detail: "bridge", id: "shop_default" },
    ]);
  });

  it("puts the whole name first, then its start, a word's start, anywhere, then what is said beside it", () => {
    expect(found("shop")).toEqual([
      "project shop",
      "image shop/web:2",
      "volume shop_data",
      "network shop_default",
      "image registry:5000/shop/web:2",
      "container web-1",
    ]);
    expect(found("WEB")).toEqual(["container web-1", "image registry:5000/shop/web:2", "image shop/web:2"]);
    expect(found("exited")).toEqual(["container db"]);
    // A container by the start of its id, an untagged image by its id.
    expect(found("db-id")).toEqual(["container db"]);
    expect(found("cccc")).toEqual(["image cccccccccccc"]);
    expect(found("comp")).toEqual(["view Compose"]);
    expect(found("nothing like it")).toEqual([]);
  });

  it("offers the views when nothing is typed, and no more than asked for", () => {
    expect(find(all, "  ").map((t) => t.label)).toEqual(["Dashboard", "Containers", "Images", "Builds", "Volumes", "Networks", "Compose", "Engines", "Settings", "Troubleshoot"]);
    expect(find(all, "s", 3).length).toBe(3);
  });
});
