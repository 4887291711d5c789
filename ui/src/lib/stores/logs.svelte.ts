// A container's log as the Logs tab shows it: the streamed chunks split into lines (a line
// split across chunks is joined), capped, searchable with a regular expression, filtered by
// stream; and a compose project's, its containers' lines merged in the order of their times.
import type { LogLine, ProjectLogLine } from "../ipc";

export type Line = { n: number; stream: string; text: string };

/** Lines kept; older ones are dropped from the view (Download saves the whole log). */
export const MAX_LINES = 50_000;
/** A line's height in a log view, in pixels (the views render only the lines in view). */
export const LINE_HEIGHT = 18;

export class LogBuffer {
  lines = $state.raw<Line[]>([]);
  #partial = new Map<string, string>();
  #n = 0;

  /** Adds a batch of chunks. */
  push(chunks: LogLine[]): void {
    const added: Line[] = [];
    for (const chunk of chunks) {
      const text = (this.#partial.get(chunk.stream) ?? "") + chunk.text;
      const parts = text.split("\n");
      this.#partial.set(chunk.stream, parts.pop() ?? "");
      for (const part of parts) added.push({ n: ++this.#n, stream: chunk.stream, text: part.replace(/\r$/, "") });
    }
    if (added.length === 0) return;
    const all = this.lines.concat(added);
    this.lines = all.length > MAX_LINES ? all.slice(all.length - MAX_LINES) : all;
  }

  /** The stream ended: what is left without a newline becomes a line. */
  end(): void {
    const added: Line[] = [];
    for (const [stream, text] of this.#partial) if (text) added.push({ n: ++this.#n, stream, text });
    this.#partial.clear();
    if (added.length) this.lines = this.lines.concat(added);
  }

  clear(): void {
    this.lines = [];
    this.#partial.clear();
  }
}

/** A search pattern: a regular expression (case-insensitive), or an error naming it. */
export function pattern(search: string): { re: RegExp | null; error: string | null } {
  if (!search) return { re: null, error: null };
  try {
    return { re: new RegExp(search, "i"), error: null };
  } catch {
    return { re: null, error: `${search}: not a valid regular expression` };
  }
}

/** What a log view shows of its lines: those a search and the streams chosen let through, with
 * their times or not, the end followed or not (a container's log and a project's alike). */
export class LogFilter {
  search = $state("");
  stdout = $state(true);
  stderr = $state(true);
  timestamps = $state(false);
  follow = $state(true);
  readonly pattern = $derived(pattern(this.search));

  /** The lines it lets through. */
  apply<L extends { stream: string; text: string }>(lines: L[]): L[] {
    return visible(lines, this.pattern.re, this);
  }
}

/** A line of a compose project's logs, numbered as it came. */
export type ProjectLine = ProjectLogLine & { n: number };

/**
 * A compose project's logs as its Logs panel shows them: the lines of all its containers in the
 * order of their times (each container's last lines come one container after another, and a
 * container's line can be late behind another's), capped.
 */
export class ProjectLogBuffer {
  lines = $state.raw<ProjectLine[]>([]);
  #n = 0;

  push(batch: ProjectLogLine[]): void {
    if (batch.length === 0) return;
    const last = this.lines.at(-1)?.time ?? "";
    const added = batch.map((l) => ({ ...l, n: ++this.#n }));
    let all = this.lines.concat(added);
    // Mostly in order already; sorted (stably) only when a line came late.
    if (added.some((l, i) => l.time < (i === 0 ? last : added[i - 1].time))) {
      all = all.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.n - b.n));
    }
    this.lines = all.length > MAX_LINES ? all.slice(all.length - MAX_LINES) : all;
  }

  clear(): void {
    this.lines = [];
  }
}

/** The lines a search and the streams shown let through (the same array when all go through: a
 * followed log is read again with every batch). */
export function visible<L extends { stream: string; text: string }>(lines: L[], re: RegExp | null, streams: { stdout: boolean; stderr: boolean }): L[] {
  if (!re && streams.stdout && streams.stderr) return lines;
  return lines.filter((l) => {
    if (l.stream === "stdout" && !streams.stdout) return false;
    if (l.stream === "stderr" && !streams.stderr) return false;
    return re ? re.test(l.text) : true;
  });
}
