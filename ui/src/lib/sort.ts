// Sorting a list by a column: which column, which way, and what a click on a header does.

export type Sort<K extends string> = { key: K; desc: boolean };

/** The sort asked for: a click on the column sorted by turns it round, a click on another sorts
 * by that from its natural end (the newest or largest first for the keys in `descFirst`, else A to
 * Z). */
export function nextSort<K extends string>(current: Sort<K>, key: K, descFirst: readonly K[]): Sort<K> {
  if (current.key === key) return { key, desc: !current.desc };
  return { key, desc: descFirst.includes(key) };
}

/** A header's `aria-sort`: set on the column sorted by only. */
export function ariaSort<K extends string>(sort: Sort<K>, key: K | null): "ascending" | "descending" | undefined {
  if (key === null || sort.key !== key) return undefined;
  return sort.desc ? "descending" : "ascending";
}
