// The time a view counts ages from ("5 minutes ago"): read again once a minute while the window
// shows, and when it shows again, so an age on screen is never more than a minute behind.
import { whileVisible } from "./visibility";

export class Clock {
  /** Now, in Unix seconds, as last read. */
  now = $state(Date.now() / 1000);

  /** Reads the time every `everyMs` while the window shows, until the returned function is
   * called (when the view goes away). */
  follow(everyMs = 60_000): () => void {
    let timer: ReturnType<typeof setInterval> | undefined;
    const read = () => (this.now = Date.now() / 1000);
    return whileVisible(
      () => {
        read();
        timer = setInterval(read, everyMs);
      },
      () => clearInterval(timer),
    );
  }
}
