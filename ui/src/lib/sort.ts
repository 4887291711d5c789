// Sorting a list by a column (which column, which way, what a click on a header does), and
// searching one.

export type Sort<K extends string> = { key: K; desc: boolean };

/** The sort asked for: a click on the column sorted by turns it round, a click on another sorts
 * by that from its natural end (the newest or largest first for the keys in `descFirst`, else A to
 * Z). */
export function nextSort<K extends string>(current: Sort<K>, key: K, descFirst: readonly K[]): Sort<K> {
  if (current.key === key) return { key, desc: !current.desc };
  return { key, desc: descFirst.includes(key) };
}

/** A comparison in the sort's order: `by` (ascending) turned round when the sort says so; ties by
 * `tie`, which keeps its own order either way. */
export function inOrder<T, K extends string>(sort: Sort<K>, by: (a: T, b: T) => number, tie: (a: T, b: T) => number): (a: T, b: T) => number {
  const dir = sort.desc ? -1 : 1;
  return (a, b) => dir * by(a, b) || tie(a, b);
}

/** Whether any of `fields` contains `search` (any case; an empty search matches everything). */
export function matchesAny(search: string, fields: string[]): boolean {
  const term = search.trim().toLowerCase();
  return !term || fields.some((f) => f.toLowerCase().includes(term));
}

/** A header's `aria-sort`: set on the column sorted by only. */
export function ariaSort<K extends string>(sort: Sort<K>, key: K | null): "ascending" | "descending" | undefined {
  if (key === null || sort.key !== key) return undefined;
  return sort.desc ? "descending" : "ascending";
}
