// The Images view's lines: one per tag, as `docker images` shows them.
import type { ImageRow } from "../ipc";
import { shortId } from "../format";
import { inOrder, type Sort } from "../sort";

/** One line of the image list: a tag of an image, or an image with no tag. */
export type ImageLine = {
  /** Unique among the lines (the tag, or the image's id). */
  key: string;
  /** The tag, or null for an image with none. */
  tag: string | null;
  /** What the line's actions name: its tag, or the image's id (removing a tag of an image with
   * others only untags it, as `docker rmi` does). */
  ref: string;
  /** What the line shows: its tag, or the image's short id. */
  label: string;
  image: ImageRow;
};

/** Which images the list shows: every one, those a container (of any state) was made from,
 * those none was, or the dangling ones (untagged, nothing built on them: `docker images -f
 * dangling=true`). */
export type ImageShow = "all" | "used" | "unused" | "dangling";
/** Each choice: its key, its label, and how a list it leaves empty says so. */
export const IMAGE_SHOWS: readonly (readonly [ImageShow, string, string])[] = [
  ["all", "All images", "No image"],
  ["used", "In use", "No image in use"],
  ["unused", "Unused", "No unused image"],
  ["dangling", "Dangling", "No dangling image"],
];

export function showsImage(image: ImageRow, show: ImageShow): boolean {
  switch (show) {
    case "all":
      return true;
    case "used":
      return image.containers > 0;
    case "unused":
      return image.containers === 0;
    case "dangling":
      return image.dangling;
  }
}

/** Every tag of every image as its own line (so each can be pushed, run or removed), and each
 * image with no tag once; those matching `search` (in a tag or the id) only. */
export function imageLines(rows: ImageRow[], search = ""): ImageLine[] {
  const lines: ImageLine[] = [];
  for (const image of rows) {
    if (image.repo_tags.length === 0) {
      if (!search || image.id.includes(search)) {
        lines.push({ key: image.id, tag: null, ref: image.id, label: shortId(image.id), image });
      }
      continue;
    }
    for (const tag of image.repo_tags) {
      if (!search || tag.includes(search) || image.id.includes(search)) {
        lines.push({ key: tag, tag, ref: tag, label: tag, image });
      }
    }
  }
  return lines;
}

/** What the image list can be sorted by. */
export type ImageSortKey = "tag" | "created" | "size" | "used";
/** The keys sorted from their largest end first. */
export const IMAGE_DESC_FIRST: readonly ImageSortKey[] = ["created", "size", "used"];
/** As `docker images` lists them: the newest first. */
export const DEFAULT_IMAGE_SORT: Sort<ImageSortKey> = { key: "created", desc: true };

/** The lines in the sort's order (ties by tag); lines with no tag after the tagged ones by tag. */
export function sortLines(lines: ImageLine[], sort: Sort<ImageSortKey>): ImageLine[] {
  const byTag = (a: ImageLine, b: ImageLine) => Number(a.tag === null) - Number(b.tag === null) || a.label.localeCompare(b.label);
  const by = (a: ImageLine, b: ImageLine): number => {
    switch (sort.key) {
      case "tag":
        return byTag(a, b);
      case "created":
        return a.image.created - b.image.created;
      case "size":
        return a.image.size - b.image.size;
      case "used":
        return a.image.containers - b.image.containers;
    }
  };
  return [...lines].sort(inOrder(sort, by, byTag));
}
