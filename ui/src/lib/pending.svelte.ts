// A form's action under way: one at a time, and the engine's message when it fails, shown as
// the form's error (never swallowed).
import { errorMessage } from "./ipc";

export class Pending {
  /** An action is under way (the form's buttons wait). */
  busy = $state(false);
  /** How the last action failed, as the engine or the facade said it; null when it did not. */
  error = $state<string | null>(null);

  /** Runs `action` unless one is under way; true when it ran to its end without an error. */
  async run(action: () => Promise<unknown>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      await action();
      return true;
    } catch (err) {
      this.error = errorMessage(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
