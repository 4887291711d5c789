// Ending event subscriptions with the view that made them.

/** A teardown for subscriptions that may still be registering: those registered end at once,
 * the others as soon as they are. A view that awaited its subscription and kept the ending for
 * its teardown would leak one made after it went (left before the app answered), its handler
 * running on with every event. */
export function endAll(...listening: Promise<() => void>[]): () => void {
  const ends: (() => void)[] = [];
  let ended = false;
  for (const l of listening) {
    void l.then((end) => (ended ? end() : ends.push(end)));
  }
  return () => {
    ended = true;
    for (const end of ends.splice(0)) end();
  };
}
