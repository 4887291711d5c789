// "Go to" (Ctrl+K): everything the app opens by name — its views, the engine's containers,
// images, compose projects, volumes and networks — and which of them a few typed letters mean.

import { shortId } from "./format";
import type { ComposeProjectRow, ContainerRow, ImageRow, NetworkRow, VolumeRow } from "./ipc";
import { VIEWS } from "./nav.svelte";

export type GoKind = "view" | "container" | "image" | "project" | "volume" | "network";

/** Something Go to opens: `id` is what opens it (a view's key, a container's id, an image's
 * tag or id, a name). */
export type GoTarget = { kind: GoKind; label: string; detail: string; id: string };

export const KIND_LABELS: Record<GoKind, string> = {
  view: "View",
  container: "Container",
  image: "Image",
  project: "Compose project",
  volume: "Volume",
  network: "Network",
};

/** What the engine has, as far as it was read. */
export type GoLists = {
  containers?: ContainerRow[];
  images?: ImageRow[];
  projects?: ComposeProjectRow[];
  volumes?: VolumeRow[];
  networks?: NetworkRow[];
};

/** Every target: the views, then what the engine has. An image goes by each of its tags (one
 * without is known by its id). */
export function targets(lists: GoLists): GoTarget[] {
  const out: GoTarget[] = VIEWS.map(([key, label]) => ({ kind: "view", label, detail: "", id: key }));
  for (const c of lists.containers ?? []) {
    out.push({ kind: "container", label: c.names[0] ?? shortId(c.id), detail: `${c.image} · ${c.state}`, id: c.id });
  }
  for (const i of lists.images ?? []) {
    const tags = i.repo_tags.filter((t) => t !== "<none>:<none>");
    if (tags.length === 0) out.push({ kind: "image", label: shortId(i.id), detail: "untagged", id: i.id });
    for (const t of tags) out.push({ kind: "image", label: t, detail: shortId(i.id), id: t });
  }
  for (const p of lists.projects ?? []) out.push({ kind: "project", label: p.name, detail: p.status, id: p.name });
  for (const v of lists.volumes ?? []) out.push({ kind: "volume", label: v.name, detail: v.driver, id: v.name });
  for (const n of lists.networks ?? []) out.push({ kind: "network", label: n.name, detail: n.driver, id: n.name });
  return out;
}

/** How well `t` answers `q` (lower case): lower is better, `null` not at all. The whole name,
 * then its start, then the start of one of its words (after `/`, `-`, `_`, `.`, `:` or a space),
 * then anywhere in it; a container's id by its start; then what is said beside the name. */
function score(t: GoTarget, q: string): number | null {
  const label = t.label.toLowerCase();
  if (label === q) return 0;
  if (label.startsWith(q)) return 1;
  if (t.kind === "container" && t.id.startsWith(q)) return 1;
  if (label.split(/[/\-_.: ]/).some((w, i) => i > 0 && w.startsWith(q))) return 2;
  if (label.includes(q)) return 3;
  if (t.detail.toLowerCase().includes(q)) return 4;
  return null;
}

const ORDER: GoKind[] = ["view", "container", "project", "image", "volume", "network"];

/** The targets `query` means, best first (then by kind, then by name), at most `limit`; with
 * nothing typed, the views. */
export function find(all: GoTarget[], query: string, limit = 50): GoTarget[] {
  const q = query.trim().toLowerCase();
  if (!q) return all.filter((t) => t.kind === "view").slice(0, limit);
  return all
    .map((t) => ({ t, s: score(t, q) }))
    .filter((x): x is { t: GoTarget; s: number } => x.s !== null)
    .sort((a, b) => a.s - b.s || ORDER.indexOf(a.t.kind) - ORDER.indexOf(b.t.kind) || a.t.label.localeCompare(b.t.label))
    .slice(0, limit)
    .map((x) => x.t);
}
