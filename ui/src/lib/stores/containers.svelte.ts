// The container list: rows from the engine, then each new list the app sends with the engine's
// container events (never polled), with search, a state filter, a sort, grouping by compose project, and a
// selection for bulk actions.
import { tick } from "svelte";
import { endAll } from "../listen";
import { errorMessage, listError, refusals, type Api, type ContainerRow, type ContainersChanged } from "../ipc";
import { inOrder, nextSort, type Sort as SortOf } from "../sort";
import type { ImageFilter } from "../nav.svelte";
import { Selection } from "../selection.svelte";

export type StateFilter = "all" | "running" | "stopped";

/** A line of the list: a project's header, or a container. */
export type Entry =
  | { kind: "group"; key: string; project: string; count: number; running: number }
  | { kind: "row"; key: string; row: ContainerRow };

export function name(row: ContainerRow): string {
  return row.names[0] ?? row.id.slice(0, 12);
}

/**
 * The name a row shows under its project's header: without the project's prefix that compose
 * gives its containers (`shop-web-1` under `shop` shows `web-1`; docker-compose 1 joined with
 * `_`), so the narrow column keeps what tells them apart. Other names show whole.
 */
export function nameInGroup(row: ContainerRow): string {
  const whole = name(row);
  const project = row.project;
  if (!project) return whole;
  for (const joint of ["-", "_"]) {
    const prefix = project + joint;
    if (whole.startsWith(prefix) && whole.length > prefix.length) return whole.slice(prefix.length);
  }
  return whole;
}

/** What a container's health check last said, if it has one. */
export type Health = "healthy" | "unhealthy" | "starting";

/** The health the engine's status words carry (`Up 2 minutes (healthy)`, `(health: starting)`). */
export function health(row: ContainerRow): Health | null {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(row.status);
  if (!m) return null;
  return m[1] === "health: starting" ? "starting" : (m[1] as Health);
}

/** Whether a row passes the search, the state filter and, when given, is made from image `imageId`
 * (by id: the name a container was made with may since have moved to another image). */
export function matches(row: ContainerRow, search: string, filter: StateFilter, imageId: string | null = null): boolean {
  if (imageId !== null && row.image_id !== imageId) return false;
  if (filter === "running" && row.state !== "running") return false;
  if (filter === "stopped" && row.state === "running") return false;
  const q = search.trim().toLowerCase();
  if (!q) return true;
  return (
    row.names.some((n) => n.toLowerCase().includes(q)) ||
    row.image.toLowerCase().includes(q) ||
    row.id.startsWith(q) ||
    (row.project ?? "").toLowerCase().includes(q)
  );
}

/** What the list can be sorted by. */
export type SortKey = "name" | "image" | "state" | "created";
export type Sort = SortOf<SortKey>;
/** As `docker ps` lists them: the newest first. */
export const DEFAULT_SORT: Sort = { key: "created", desc: true };

/** The order of states, the liveliest first. */
const STATE_RANK = ["running", "restarting", "paused", "created", "exited", "removing", "dead"];

function rank(state: string): number {
  const i = STATE_RANK.indexOf(state);
  return i < 0 ? STATE_RANK.length : i;
}

/** Ascending by one key only (ties are 0). */
function compareBy(a: ContainerRow, b: ContainerRow, key: SortKey): number {
  switch (key) {
    case "name":
      return name(a).localeCompare(name(b));
    case "image":
      return a.image.localeCompare(b.image);
    case "state":
      return rank(a.state) - rank(b.state);
    case "created":
      return a.created - b.created;
  }
}

/** Rows in the sort's order, each compose project's together under its header: a project sits
 * where its first container would (by name, where its own name would). */
export function group(rows: ContainerRow[], collapsed: Set<string>, sort: Sort = DEFAULT_SORT): Entry[] {
  const dir = sort.desc ? -1 : 1;
  const byRow = inOrder(
    sort,
    (a: ContainerRow, b: ContainerRow) => compareBy(a, b, sort.key),
    (a, b) => name(a).localeCompare(name(b)),
  );
  type Unit = { label: string; project: string | null; rows: ContainerRow[] };
  const units: Unit[] = [];
  const projects = new Map<string, Unit>();
  for (const row of rows) {
    if (!row.project) {
      units.push({ label: name(row), project: null, rows: [row] });
      continue;
    }
    let unit = projects.get(row.project);
    if (!unit) {
      unit = { label: row.project, project: row.project, rows: [] };
      projects.set(row.project, unit);
      units.push(unit);
    }
    unit.rows.push(row);
  }
  for (const unit of units) unit.rows.sort(byRow);
  units.sort((a, b) =>
    sort.key === "name" ? dir * a.label.localeCompare(b.label) : byRow(a.rows[0], b.rows[0]) || a.label.localeCompare(b.label),
  );
  const out: Entry[] = [];
  for (const unit of units) {
    if (unit.project === null) {
      out.push({ kind: "row", key: unit.rows[0].id, row: unit.rows[0] });
      continue;
    }
    const project = unit.project;
    out.push({
      kind: "group",
      key: `g:${project}`,
      project,
      count: unit.rows.length,
      running: unit.rows.filter((r) => r.state === "running").length,
    });
    if (!collapsed.has(project)) for (const row of unit.rows) out.push({ kind: "row", key: row.id, row });
  }
  return out;
}

export class ContainerStore {
  rows = $state<ContainerRow[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  search = $state("");
  filter = $state<StateFilter>("all");
  /** The image the list is narrowed to, if any. */
  image = $state<ImageFilter | null>(null);
  sort = $state<Sort>(DEFAULT_SORT);
  collapsed = $state<Set<string>>(new Set());
  /** The containers picked for a bulk action, by id. */
  selected = new Selection();
  #api: Api;
  #unlisten: (() => void) | null = null;

  constructor(api: Api) {
    this.#api = api;
  }

  /** What the list shows, computed once per change of rows, search, filters or groups. */
  entries: Entry[] = $derived(group(this.shown, this.collapsed, this.sort));

  /** The rows the search and the filters let through (in folded groups too). */
  get shown(): ContainerRow[] {
    const imageId = this.image?.id ?? null;
    return this.rows.filter((r) => matches(r, this.search, this.filter, imageId));
  }

  /** Every container again: no search, no state filter, no image. */
  showAll(): void {
    this.search = "";
    this.filter = "all";
    this.image = null;
  }

  get running(): number {
    return this.rows.filter((r) => r.state === "running").length;
  }

  /** Loads the list, then takes every new one from the app's container events. */
  async connect(): Promise<void> {
    const listening = this.#api.onContainers((change) => void this.#apply(change));
    this.#unlisten = endAll(listening);
    await listening;
    await this.refresh();
  }

  /** A list the app sent with the events that changed it: shown, then each event marked. */
  async #apply(change: ContainersChanged): Promise<void> {
    this.#set(change.rows);
    this.error = null;
    this.loaded = true;
    if (change.events.length === 0) return;
    await tick();
    for (const e of change.events) this.#api.uiMark("container-event-shown", `${e.action} ${e.id}`);
  }

  #set(rows: ContainerRow[]): void {
    this.rows = rows;
    this.selected.keep(rows.map((r) => r.id));
  }

  disconnect(): void {
    this.#unlisten?.();
    this.#unlisten = null;
  }

  /** Loads the list (the first time, and after a bulk action). */
  async refresh(): Promise<void> {
    try {
      this.#set(await this.#api.containers(true));
      this.error = null;
    } catch (err) {
      this.rows = [];
      this.error = listError(err);
    }
    this.loaded = true;
  }

  toggleGroup(project: string): void {
    const next = new Set(this.collapsed);
    if (next.has(project)) next.delete(project);
    else next.add(project);
    this.collapsed = next;
  }

  sortBy(key: SortKey): void {
    this.sort = nextSort(this.sort, key, ["created"]);
  }

  /** Selects every row shown (in folded groups too), or, when all of them are selected
   * already, none. */
  toggleAll(): void {
    this.selected.toggleAll(this.shown.map((r) => r.id));
  }

  toggleSelected(id: string): void {
    this.selected.toggle(id);
  }

  /** Runs an action on every selected container; returns the errors, one line each. */
  async bulk(action: "start" | "stop" | "restart" | "remove"): Promise<string[]> {
    const errors: string[] = [];
    const byId = new Map(this.rows.map((r) => [r.id, r]));
    await Promise.all(
      [...this.selected.keys].map(async (id) => {
        try {
          if (action === "remove") await this.#api.containerRemove(id, true, false);
          else await this.#api.containerAction(id, action);
        } catch (err) {
          errors.push(`${byId.get(id) ? name(byId.get(id)!) : id}: ${errorMessage(err)}`);
        }
      }),
    );
    if (action === "remove") this.selected.clear();
    await this.refresh();
    return errors;
  }

  /** Removes these stopped containers (a prune's list), never forcing: one started meanwhile is
   * refused by the engine, and kept. Returns the errors, one line each. */
  async removeStopped(rows: ContainerRow[]): Promise<string[]> {
    const errors = await refusals(rows, (r) => this.#api.containerRemove(r.id, false, false), name);
    await this.refresh();
    return errors;
  }
}
