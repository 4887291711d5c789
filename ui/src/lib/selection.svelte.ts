// The rows of a list picked for an action on them all (remove the selected images, volumes),
// by key; a row that leaves the list leaves the selection.

export class Selection {
  keys = $state<Set<string>>(new Set());

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  toggle(key: string): void {
    const next = new Set(this.keys);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    this.keys = next;
  }

  /** Whether every row shown is selected (and there is one). */
  allOf(shown: readonly string[]): boolean {
    return shown.length > 0 && shown.every((k) => this.keys.has(k));
  }

  /** Selects every row shown, or, when all of them are selected already, none. */
  toggleAll(shown: readonly string[]): void {
    this.keys = this.allOf(shown) ? new Set() : new Set(shown);
  }

  /** Keeps only the keys still in the list (read again after an event or an action). */
  keep(present: Iterable<string>): void {
    const there = new Set(present);
    if ([...this.keys].some((k) => !there.has(k))) this.keys = new Set([...this.keys].filter((k) => there.has(k)));
  }

  clear(): void {
    if (this.keys.size) this.keys = new Set();
  }
}
