// Keys that work in every view: "/" (outside a text field) and Ctrl+F (outside a terminal) put
// the cursor in the view's search field, as in a browser or a mail program; Ctrl+K (outside a
// terminal) opens Go to; "?" (outside a text field) lists the keys.

/** Focuses the first search field under `root` for "/" or Ctrl+F; true when it did. */
export function focusSearch(e: KeyboardEvent, root: ParentNode): boolean {
  const target = e.target instanceof Element ? e.target : null;
  const slash = e.key === "/" && !e.ctrlKey && !e.altKey && !e.metaKey && !typing(target);
  const find = e.key.toLowerCase() === "f" && (e.ctrlKey || e.metaKey) && !e.altKey && !target?.closest(".xterm");
  if (!slash && !find) return false;
  const field = root.querySelector<HTMLInputElement>("input[type=search]");
  if (!field) return false;
  field.focus();
  field.select();
  return true;
}

/** Ctrl+K (Cmd+K), outside a terminal, where it is the shell's kill-line. */
export function goToKey(e: KeyboardEvent): boolean {
  const target = e.target instanceof Element ? e.target : null;
  return e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && !target?.closest(".xterm");
}

/** "?" outside a text field (and a terminal): the list of keys. */
export function helpKey(e: KeyboardEvent): boolean {
  const target = e.target instanceof Element ? e.target : null;
  return e.key === "?" && !e.ctrlKey && !e.altKey && !e.metaKey && !typing(target);
}

/** The key goes into a field (or a terminal) there. */
function typing(el: Element | null): boolean {
  if (!el) return false;
  return el.matches("input, textarea, select, [contenteditable=''], [contenteditable=true]") || el.closest(".xterm") !== null;
}
