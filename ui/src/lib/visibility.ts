// Work that is only worth doing while it can be seen (live samples, stats streams, redrawing a
// chart): started while it can be seen, stopped when it cannot, started again when it can.
// A page can be hidden (WebKit reports a minimised window as `visibilityState === "hidden"`),
// and an element can be scrolled out of the viewport.

/** Calls `start` when `on(true)` follows a stop (or nothing), `stop` when `on(false)` follows a
 * start. */
function toggle(start: () => void, stop: () => void): (on: boolean) => void {
  let running = false;
  return (on) => {
    if (on && !running) {
      running = true;
      start();
    } else if (!on && running) {
      running = false;
      stop();
    }
  };
}

/** Runs `start` while `doc` is visible and `stop` when it hides; the returned function stops
 * for good (call it when the view goes away). */
export function whileVisible(start: () => void, stop: () => void, doc: Document = document): () => void {
  const set = toggle(start, stop);
  const sync = () => set(doc.visibilityState !== "hidden");
  sync();
  doc.addEventListener("visibilitychange", sync);
  return () => {
    doc.removeEventListener("visibilitychange", sync);
    set(false);
  };
}

/** Runs `start` while some of `el` is in the viewport of a visible page and `stop` when it is
 * scrolled away or the page hides; the returned function stops for good. Where there is no
 * IntersectionObserver, `el` counts as always in the viewport. */
export function whileInView(el: Element, start: () => void, stop: () => void, doc: Document = document): () => void {
  const set = toggle(start, stop);
  const observed = typeof IntersectionObserver !== "undefined";
  let inView = !observed;
  let pageVisible = false;
  const sync = () => set(inView && pageVisible);
  const observer = observed
    ? new IntersectionObserver((entries) => {
        inView = entries.at(-1)?.isIntersecting ?? inView;
        sync();
      })
    : null;
  observer?.observe(el);
  const endPage = whileVisible(
    () => {
      pageVisible = true;
      sync();
    },
    () => {
      pageVisible = false;
      sync();
    },
    doc,
  );
  return () => {
    observer?.disconnect();
    endPage();
    set(false);
  };
}
