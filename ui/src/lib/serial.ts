// Loads that run again when asked, one at a time.

/** `load`, run when asked and never twice at once: asked while it runs, it runs once more after
 * (however often it was asked meanwhile), so what it last loaded is never older than the last
 * ask, and a burst of asks costs two loads. `load` handles its own errors. */
export function serial(load: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
