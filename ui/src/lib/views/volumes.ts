// The Volumes view's list: searched and sorted.
import type { VolumeRow } from "../ipc";
import { inOrder, matchesAny, type Sort } from "../sort";

/** What the volume list can be sorted by. */
export type VolumeSortKey = "name" | "created" | "size" | "used";
/** The keys sorted from their largest end first. */
export const VOLUME_DESC_FIRST: readonly VolumeSortKey[] = ["created", "size", "used"];
/** As `docker volume ls` lists them: by name. */
export const DEFAULT_VOLUME_SORT: Sort<VolumeSortKey> = { key: "name", desc: false };

/** When it was made, in seconds since the epoch (0 when the engine does not say). */
export function createdSeconds(v: VolumeRow): number {
  const at = v.created_at ? Date.parse(v.created_at) : NaN;
  return Number.isNaN(at) ? 0 : Math.floor(at / 1000);
}

/** Which volumes the list shows: every one, those a container (of any state) mounts, or those
 * none does (what `docker volume prune -a` would remove). */
export type VolumeShow = "all" | "used" | "unused";
/** Each choice: its key, its label, and how a list it leaves empty says so. */
export const VOLUME_SHOWS: readonly (readonly [VolumeShow, string, string])[] = [
  ["all", "All volumes", "No volume"],
  ["used", "In use", "No volume in use"],
  ["unused", "Unused", "No unused volume"],
];

/** The volumes `show` lets through whose name, driver or users contain `search` (any case), in
 * the sort's order (ties by name). `sizes` are the engine's measures; one not measured sorts as
 * the smallest. */
export function volumeLines(rows: VolumeRow[], search: string, sort: Sort<VolumeSortKey>, sizes: Record<string, number>, show: VolumeShow = "all"): VolumeRow[] {
  const shown = rows.filter((v) => (show === "all" || (v.users.length > 0) === (show === "used")) && matchesAny(search, [v.name, v.driver, ...v.users]));
  const byName = (a: VolumeRow, b: VolumeRow) => a.name.localeCompare(b.name);
  const by = (a: VolumeRow, b: VolumeRow): number => {
    switch (sort.key) {
      case "name":
        return byName(a, b);
      case "created":
        return createdSeconds(a) - createdSeconds(b);
      case "size":
        return (sizes[a.name] ?? -1) - (sizes[b.name] ?? -1);
      case "used":
        return a.users.length - b.users.length;
    }
  };
  return shown.sort(inOrder(sort, by, byName));
}
