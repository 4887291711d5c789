// A dialog over the page (the run, push and tag dialogs, a confirmation): it takes the focus as
// it opens (its `data-focus` element, else its first field, else its first button), keeps Tab
// and Shift+Tab within it, closes on Escape wherever the focus is, and gives the focus back to
// what had it (the button that opened it) when it goes. Without this the focus stayed on that
// button behind the dialog: Escape did nothing and Tab walked the page underneath.

const FOCUSABLE = "input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [href], [tabindex]:not([tabindex='-1'])";

/** The elements of `root` that take the focus, in order. */
function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
}

/** An attachment (`{@attach modal(onclose)}`) for the dialog's element. */
export function modal(onclose: () => void): (dialog: HTMLElement) => () => void {
  return (dialog) => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const marked = dialog.querySelector<HTMLElement>("[data-focus]");
    const first =
      (marked?.matches(FOCUSABLE) ? marked : null) ??
      dialog.querySelector<HTMLElement>("input:not([disabled]), select:not([disabled]), textarea:not([disabled])") ??
      focusables(dialog)[0];
    first?.focus();

    const keys = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        onclose();
        return;
      }
      if (e.key !== "Tab") return;
      const all = focusables(dialog);
      if (all.length === 0) {
        e.preventDefault();
        return;
      }
      const at = all.indexOf(document.activeElement as HTMLElement);
      const wrap = e.shiftKey ? at <= 0 : at === -1 || at === all.length - 1;
      if (wrap) {
        e.preventDefault();
        all[e.shiftKey ? all.length - 1 : 0].focus();
      }
    };
    document.addEventListener("keydown", keys, true);
    return () => {
      document.removeEventListener("keydown", keys, true);
      if (before?.isConnected) before.focus();
    };
  };
}
