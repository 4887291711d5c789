// How numbers, sizes and times read in the UI.

const UNITS = ["B", "kB", "MB", "GB", "TB"];

/** Bytes as docker shows them (decimal units): 1.5MB. */
export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "—";
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${UNITS[i]}`;
}

/**
 * How long ago a Unix time (seconds) was, on docker's scale (`units.HumanDuration`, as `docker ps`
 * and `berth ps` print it, so the app and the command line say the same of one container):
 * minutes counted down, hours rounded, days from 48 hours, weeks from two weeks, months from
 * two months, years from two years. Under a minute, "just now" (the views read the time once a
 * minute).
 */
export function ago(unixSeconds: number, now = Date.now() / 1000): string {
  const s = Math.max(0, Math.round(now - unixSeconds));
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"} ago`;
  if (s < 60) return "just now";
  if (s < 3600) return count(Math.floor(s / 60), "minute");
  const hours = Math.round(s / 3600);
  if (hours < 48) return count(hours, "hour");
  if (hours < 24 * 14) return count(Math.floor(hours / 24), "day");
  if (hours < 24 * 60) return count(Math.floor(hours / 24 / 7), "week");
  if (hours < 24 * 365 * 2) return count(Math.floor(hours / 24 / 30), "month");
  return count(Math.floor(s / 3600 / 24 / 365), "year");
}

export function percent(p: number): string {
  return `${p.toFixed(p < 10 ? 1 : 0)}%`;
}

/** A short id, as docker prints it. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/** Permission bits as `ls -l` shows them: `rwxr-xr-x` (setuid, setgid and sticky as s, s, t). */
export function permissions(mode: number): string {
  const bit = (mask: number, c: string) => (mode & mask ? c : "-");
  const special = (exec: number, flag: number, c: string) => (mode & flag ? (mode & exec ? c : c.toUpperCase()) : bit(exec, "x"));
  return [
    bit(0o400, "r"), bit(0o200, "w"), special(0o100, 0o4000, "s"),
    bit(0o040, "r"), bit(0o020, "w"), special(0o010, 0o2000, "s"),
    bit(0o004, "r"), bit(0o002, "w"), special(0o001, 0o1000, "t"),
  ].join("");
}
