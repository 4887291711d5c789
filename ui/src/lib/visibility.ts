// Work that is only worth doing while the window can be seen (live samples, stats streams):
// started now if the page is visible, stopped when it is hidden (the window minimised), started
// again when it shows. WebKit reports a minimised window as `visibilityState === "hidden"`.

/** Runs `start` while `doc` is visible and `stop` when it hides; the returned function stops
 * for good (call it when the view goes away). */
export function whileVisible(start: () => void, stop: () => void, doc: Document = document): () => void {
  let running = false;
  const sync = () => {
    const visible = doc.visibilityState !== "hidden";
    if (visible && !running) {
      running = true;
      start();
    } else if (!visible && running) {
      running = false;
      stop();
    }
  };
  sync();
  doc.addEventListener("visibilitychange", sync);
  return () => {
    doc.removeEventListener("visibilitychange", sync);
    if (running) {
      running = false;
      stop();
    }
  };
}
