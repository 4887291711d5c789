// The Images view's lines: one per tag, as `docker images` shows them.
import type { ImageRow } from "../ipc";
import { shortId } from "../format";

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
